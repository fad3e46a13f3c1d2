/* The share-group member's decisions and the leader-error actions, sans
 * I/O: coordinator errors look the coordinator up again, membership
 * errors rejoin, fatal ones stop; leader moves ask for metadata, and the
 * moved partition leaves the old leader's session for the new one's. */
#include "kfk.h"
#include "share/share_member.h"
#include "share/share_session.h"
#include "test.h"

static kfk_smember joined(void) {
    kfk_smember m;
    kfk_smember_init(&m, 5000, 100);
    kfk_smember_found(&m, 0, 3, 0);
    kfk_smember_answered(&m, 0, 7, 2000, 10);
    return m;
}

TEST(finds_the_coordinator_then_heartbeats_on_its_interval) {
    kfk_smember m;
    kfk_smember_init(&m, 5000, 100);
    CHECK_EQ(kfk_smember_next(&m, 0, 0), KFK_SHARE_WAIT); /* not subscribed */
    CHECK_EQ(kfk_smember_next(&m, 1, 0), KFK_SHARE_FIND_COORD);
    m.inflight = 1;
    CHECK_EQ(kfk_smember_next(&m, 1, 0), KFK_SHARE_WAIT);
    kfk_smember_found(&m, 0, 3, 0);
    CHECK_EQ(m.coord, 3);
    CHECK_EQ(kfk_smember_next(&m, 1, 0), KFK_SHARE_HEARTBEAT);
    kfk_smember_answered(&m, 0, 7, 2000, 10);
    CHECK_EQ(m.epoch, 7);
    CHECK_EQ(kfk_smember_next(&m, 1, 2009), KFK_SHARE_WAIT);
    CHECK_EQ(kfk_smember_next(&m, 1, 2010), KFK_SHARE_HEARTBEAT);
}

TEST(not_coordinator_looks_it_up_again) {
    kfk_smember m = joined();
    kfk_smember_answered(&m, KFK_ERR_NOT_COORDINATOR, 0, 0, 100);
    CHECK_EQ(m.coord, -1);
    CHECK_EQ(m.epoch, 7); /* still a member: only the coordinator moved */
    CHECK_EQ(kfk_smember_next(&m, 1, 150), KFK_SHARE_WAIT); /* after the backoff */
    CHECK_EQ(kfk_smember_next(&m, 1, 200), KFK_SHARE_FIND_COORD);
}

TEST(coordinator_not_available_and_lost_answers_look_it_up_again) {
    kfk_smember m = joined();
    kfk_smember_answered(&m, KFK_ERR_COORDINATOR_NOT_AVAILABLE, 0, 0, 100);
    CHECK_EQ(m.coord, -1);
    CHECK_EQ(kfk_smember_next(&m, 1, 200), KFK_SHARE_FIND_COORD);
    m = joined();
    kfk_smember_answered(&m, KFK_ERR_TRANSPORT, 0, 0, 100);
    CHECK_EQ(m.coord, -1);
    /* FindCoordinator answering COORDINATOR_NOT_AVAILABLE: asked again. */
    kfk_smember_found(&m, KFK_ERR_COORDINATOR_NOT_AVAILABLE, -1, 200);
    CHECK_EQ(m.coord, -1);
    CHECK_EQ(m.fatal, 0);
    CHECK_EQ(kfk_smember_next(&m, 1, 300), KFK_SHARE_FIND_COORD);
}

TEST(load_in_progress_keeps_the_coordinator) {
    kfk_smember m = joined();
    kfk_smember_answered(&m, KFK_ERR_COORDINATOR_LOAD_IN_PROGRESS, 0, 0, 100);
    CHECK_EQ(m.coord, 3);
    CHECK_EQ(kfk_smember_next(&m, 1, 200), KFK_SHARE_HEARTBEAT);
}

TEST(fenced_or_unknown_member_rejoins_at_once) {
    kfk_smember m = joined();
    kfk_smember_answered(&m, KFK_ERR_FENCED_MEMBER_EPOCH, 0, 0, 100);
    CHECK_EQ(m.epoch, 0);
    CHECK_EQ(m.coord, 3);
    CHECK_EQ(kfk_smember_next(&m, 1, 100), KFK_SHARE_HEARTBEAT);
    m = joined();
    kfk_smember_answered(&m, KFK_ERR_UNKNOWN_MEMBER_ID, 0, 0, 100);
    CHECK_EQ(m.epoch, 0);
}

TEST(unsupported_version_is_fatal) {
    kfk_smember m;
    kfk_smember_init(&m, 5000, 100);
    kfk_smember_found(&m, 0, 1, 0);
    kfk_smember_answered(&m, KFK_ERR_UNSUPPORTED_VERSION, 0, 0, 0);
    CHECK_EQ(m.fatal, KFK_ERR_UNSUPPORTED_VERSION);
    CHECK_EQ(kfk_smember_next(&m, 1, 1000000), KFK_SHARE_WAIT);
}

TEST(leader_errors_refresh_metadata) {
    CHECK_EQ(kfk_share_leader_action(KFK_ERR_NOT_LEADER_OR_FOLLOWER), KFK_SHARE_LEADER_REFRESH);
    CHECK_EQ(kfk_share_leader_action(KFK_ERR_FENCED_LEADER_EPOCH), KFK_SHARE_LEADER_REFRESH);
    CHECK_EQ(kfk_share_leader_action(KFK_ERR_UNKNOWN_TOPIC_ID), KFK_SHARE_LEADER_REFRESH);
    CHECK_EQ(kfk_share_leader_action(KFK_ERR_TRANSPORT), KFK_SHARE_LEADER_REFRESH);
    CHECK_EQ(kfk_share_leader_action(KFK_ERR_UNKNOWN_MEMBER_ID), KFK_SHARE_LEADER_REJOIN);
    CHECK_EQ(kfk_share_leader_action(KFK_ERR_INVALID_RECORD_STATE), KFK_SHARE_LEADER_OK);
    CHECK_EQ(kfk_share_leader_action(0), KFK_SHARE_LEADER_OK);
}

/* After NOT_LEADER_OR_FOLLOWER and the refresh, partition 0 has moved
 * from broker 1 to broker 2: broker 1's session forgets it, broker 2's
 * new session (epoch 0) lists it. */
TEST(a_moved_partition_moves_to_the_new_leaders_session) {
    kfk_share_tp p0 = {{{1}}, 0}, p1 = {{{1}}, 1};
    kfk_share_session old = {.node = 1}, moved = {.node = 2};
    kfk_share_tp both[2] = {p0, p1}, add[2], forget[2];
    int nadd, nforget;
    REQUIRE_EQ(kfk_share_session_answered(&old, both, 2, 0), 0);
    /* The fetch failing for the partition does not end the session... */
    CHECK_EQ(kfk_share_session_error(KFK_ERR_NOT_LEADER_OR_FOLLOWER), 0);
    kfk_share_session_plan(&old, &p1, 1, add, &nadd, forget, &nforget);
    CHECK_EQ(nadd, 0);
    REQUIRE_EQ(nforget, 1);
    CHECK_EQ(forget[0].partition, 0);
    kfk_share_session_plan(&moved, &p0, 1, add, &nadd, forget, &nforget);
    CHECK_EQ(moved.epoch, 0);
    REQUIRE_EQ(nadd, 1);
    CHECK_EQ(add[0].partition, 0);
    CHECK_EQ(nforget, 0);
    kfk_share_session_free(&old);
    kfk_share_session_free(&moved);
}

