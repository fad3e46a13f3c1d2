/* Share-session epochs and partition lists, sans I/O: epoch 0 lists every
 * partition, later ones only the new and the forgotten; a session error
 * starts over at 0; the epoch wraps to 1. */
#include "share/share_session.h"
#include "kfk.h"
#include "test.h"

static kfk_share_tp tp(uint8_t topic, int32_t p) {
    kfk_share_tp t = {{{0}}, p};
    t.topic_id.b[0] = topic;
    return t;
}

TEST(epochs_move_on_and_wrap) {
    CHECK_EQ(kfk_share_epoch_next(0), 1);
    CHECK_EQ(kfk_share_epoch_next(1), 2);
    CHECK_EQ(kfk_share_epoch_next(INT32_MAX), 1);
}

TEST(first_fetch_lists_all_then_only_changes) {
    kfk_share_session s = {.node = 1};
    kfk_share_tp want[3] = {tp(1, 0), tp(1, 1), tp(2, 0)};
    kfk_share_tp add[3], forget[3];
    int nadd, nforget;
    kfk_share_session_plan(&s, want, 2, add, &nadd, forget, &nforget);
    CHECK_EQ(nadd, 2);
    CHECK_EQ(nforget, 0);
    REQUIRE_EQ(kfk_share_session_answered(&s, want, 2, 0), 0);
    CHECK_EQ(s.epoch, 1);
    /* Unchanged: nothing listed. */
    kfk_share_session_plan(&s, want, 2, add, &nadd, forget, &nforget);
    CHECK_EQ(nadd, 0);
    CHECK_EQ(nforget, 0);
    /* 1/0 dropped, 2/0 added. */
    kfk_share_tp next[2] = {tp(1, 1), tp(2, 0)};
    kfk_share_session_plan(&s, next, 2, add, &nadd, forget, &nforget);
    REQUIRE_EQ(nadd, 1);
    CHECK(add[0].topic_id.b[0] == 2 && add[0].partition == 0);
    REQUIRE_EQ(nforget, 1);
    CHECK(forget[0].topic_id.b[0] == 1 && forget[0].partition == 0);
    REQUIRE_EQ(kfk_share_session_answered(&s, next, 2, 0), 0);
    CHECK_EQ(s.epoch, 2);
    CHECK_EQ(s.nin, 2);
    kfk_share_session_free(&s);
}

TEST(errors_start_the_session_over) {
    kfk_share_session s = {.node = 1};
    kfk_share_tp want[1] = {tp(1, 0)};
    REQUIRE_EQ(kfk_share_session_answered(&s, want, 1, 0), 0);
    kfk_share_session_acked(&s, 0);
    CHECK_EQ(s.epoch, 2);
    kfk_share_session_acked(&s, KFK_ERR_INVALID_RECORD_STATE); /* not a session error */
    CHECK_EQ(s.epoch, 2);
    kfk_share_session_acked(&s, KFK_ERR_INVALID_SHARE_SESSION_EPOCH);
    CHECK_EQ(s.epoch, 0);
    CHECK_EQ(s.nin, 0);
    REQUIRE_EQ(kfk_share_session_answered(&s, want, 1, 0), 0);
    REQUIRE_EQ(kfk_share_session_answered(&s, want, 1, KFK_ERR_SHARE_SESSION_NOT_FOUND), 0);
    CHECK_EQ(s.epoch, 0);
    kfk_share_tp add[1], forget[1];
    int nadd, nforget;
    kfk_share_session_plan(&s, want, 1, add, &nadd, forget, &nforget);
    CHECK_EQ(nadd, 1); /* listed again in full */
    CHECK(kfk_share_session_error(KFK_ERR_SHARE_SESSION_LIMIT_REACHED));
    CHECK(!kfk_share_session_error(KFK_ERR_NOT_LEADER_OR_FOLLOWER));
    kfk_share_session_free(&s);
}
