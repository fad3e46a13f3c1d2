/* A classic group against the mock cluster with frequent heartbeats: the
 * members' heartbeats wait behind their long Fetches (as on a real broker,
 * one request at a time per connection), so their answers come late; the
 * group must still settle rather than rebalance forever. */
#include <time.h>

#include "kfk.h"
#include "kfk_mock.h"
#include "mock_it.h"
#include "test.h"

static kfk_consumer *member(const char *bootstrap) {
    const char *hb[] = {"heartbeat.interval.ms", "100", NULL};
    return mock_member(bootstrap, "settle", "hb", hb);
}

static int64_t rebalances(kfk_consumer *c) {
    kfk_consumer_stats st;
    kfk_consumer_stats_get(c, &st);
    return st.rebalances;
}

/* Polls both members for ms milliseconds. */
static void poll_both(kfk_consumer **cs, int64_t ms) {
    for (int64_t end = mock_now_ms() + ms; mock_now_ms() < end;)
        for (int i = 0; i < 2; i++) kfk_consumer_message_release(kfk_consumer_poll(cs[i], 20));
}

TEST(two_members_with_100ms_heartbeats_settle) {
    kfk_mock_cluster *mc = kfk_mock_cluster_new(1); /* one connection each: Fetch and Heartbeat share it */
    REQUIRE(mc);
    REQUIRE_EQ(kfk_mock_topic_create(mc, "hb", 4, 1), 0);
    kfk_consumer *cs[2] = {member(kfk_mock_cluster_bootstraps(mc)), NULL};
    REQUIRE(cs[0]);
    /* The first member settles alone and fetches (empty partitions: each
     * Fetch waits fetch.max.wait.ms) before the second one comes. */
    int64_t until = mock_now_ms() + 15000;
    while (mock_assigned(cs[0]) != 4 && mock_now_ms() < until) poll_both((kfk_consumer *[]){cs[0], cs[0]}, 50);
    REQUIRE_EQ(mock_assigned(cs[0]), 4);
    poll_both((kfk_consumer *[]){cs[0], cs[0]}, 1000);
    cs[1] = member(kfk_mock_cluster_bootstraps(mc));
    REQUIRE(cs[1]);
    until = mock_now_ms() + 15000;
    while ((mock_assigned(cs[0]) != 2 || mock_assigned(cs[1]) != 2) && mock_now_ms() < until) poll_both(cs, 50);
    CHECK_EQ(mock_assigned(cs[0]), 2);
    CHECK_EQ(mock_assigned(cs[1]), 2);
    /* Settled: over the next seconds (tens of heartbeats, several Fetch
     * waits each) no member is assigned again and the generation stays. */
    poll_both(cs, 500);
    int64_t r0 = rebalances(cs[0]), r1 = rebalances(cs[1]);
    int32_t gen = kfk_consumer_generation(cs[0]);
    poll_both(cs, 4000);
    CHECK_EQ(rebalances(cs[0]), r0);
    CHECK_EQ(rebalances(cs[1]), r1);
    CHECK_EQ(kfk_consumer_generation(cs[0]), gen);
    CHECK_EQ(kfk_consumer_generation(cs[1]), gen);
    /* The first member: alone, then with the second (a rebalance or two as
     * the join's timing falls); the second: one or two. */
    CHECK(r0 >= 2 && r0 <= 3);
    CHECK(r1 >= 1 && r1 <= 2);
    CHECK_EQ(mock_assigned(cs[0]) + mock_assigned(cs[1]), 4);
    kfk_consumer_close(cs[0]);
    kfk_consumer_close(cs[1]);
    kfk_mock_cluster_destroy(mc);
}
