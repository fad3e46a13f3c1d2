/* kfk's consumer fetching from a follower (KIP-392) on the mock cluster:
 * with client.rack it is sent to the follower of its rack, reads there
 * within the follower's watermarks, and goes back to the leader when the
 * follower answers out of range or goes down. Each record's broker id says
 * who served it. */
#include <string.h>

#include "kfk.h"
#include "kfk_mock.h"
#include "mock_it.h"
#include "test.h"

/* Polls records from..to-1 of partition 0 ("r<offset>", as
 * mock_produce_spread writes them with one partition), in order; checks
 * that those below split came from broker `before` and the others from
 * broker `after`. 0 when all came as expected. */
static int read_range(kfk_consumer *c, int from, int to, int split, int before, int after) {
    int next = from, bad = 0;
    for (int idle = 0; next < to && idle < 100;) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 100);
        if (!m) {
            idle++;
            continue;
        }
        char v[16];
        int vl = snprintf(v, sizeof v, "r%d", next);
        int want = next < split ? before : after;
        if (m->err || m->offset != next || m->value_len != (size_t)vl || memcmp(m->value, v, (size_t)vl) ||
            m->broker_id != want) {
            kfk_test_fail(__FILE__, __LINE__, "offset %lld (want %d) from broker %d (want %d): %s",
                          (long long)m->offset, next, (int)m->broker_id, want, kfk_err_name(m->err));
            bad++;
        }
        if (!m->err) next = (int)m->offset + 1;
        kfk_consumer_message_release(m);
    }
    CHECK_EQ(next, to);
    return bad || next != to ? -1 : 0;
}

/* Nothing arrives for ms milliseconds. */
static void quiet(kfk_consumer *c, int ms) {
    kfk_consumer_message *m = kfk_consumer_poll(c, ms);
    if (m)
        kfk_test_fail(__FILE__, __LINE__, "unexpected record at offset %lld from broker %d: %s",
                      (long long)m->offset, (int)m->broker_id, kfk_err_name(m->err));
    kfk_consumer_message_release(m);
}

TEST(consumer_with_a_rack_reads_from_the_follower_and_falls_back_to_the_leader) {
    kfk_mock_cluster *mc = kfk_mock_cluster_new(3);
    REQUIRE(mc);
    const char *bs = kfk_mock_cluster_bootstraps(mc);
    REQUIRE_EQ(kfk_mock_topic_create(mc, "ff", 1, 2), 0); /* leader 1, replicas 1 and 2 */
    REQUIRE_EQ(mock_produce_spread(bs, "ff", 1, 0, 10), 0);
    REQUIRE_EQ(kfk_mock_broker_set_rack(mc, 1, "r1"), 0);
    REQUIRE_EQ(kfk_mock_broker_set_rack(mc, 2, "r2"), 0);
    REQUIRE_EQ(kfk_mock_partition_set_follower(mc, "ff", 0, 2), 0);

    kfk_consumer *c = mock_consumer_p0(bs, "ff", "r2");
    REQUIRE(c);

    /* The leader's first answer redirects (no records): all from broker 2. */
    CHECK_EQ(read_range(c, 0, 10, 0, 1, 2), 0);

    /* The follower lags at 15 (two batches: 10..14, 15..19): 10..14, then
     * nothing until it catches up. */
    REQUIRE_EQ(kfk_mock_partition_set_follower_wmarks(mc, "ff", 0, -1, 15), 0);
    REQUIRE_EQ(mock_produce_spread(bs, "ff", 1, 10, 15), 0);
    REQUIRE_EQ(mock_produce_spread(bs, "ff", 1, 15, 20), 0);
    CHECK_EQ(read_range(c, 10, 15, 0, 1, 2), 0);
    quiet(c, 500);
    REQUIRE_EQ(kfk_mock_partition_set_follower_wmarks(mc, "ff", 0, -1, -1), 0);
    CHECK_EQ(read_range(c, 15, 20, 0, 1, 2), 0);

    /* The follower's log now starts at 25: at 20 it answers out of range,
     * the leader (which names no replica whose log lacks the offset)
     * serves 20..29 itself; at 30 it sends the consumer back. */
    REQUIRE_EQ(kfk_mock_partition_set_follower_wmarks(mc, "ff", 0, 25, -1), 0);
    REQUIRE_EQ(mock_produce_spread(bs, "ff", 1, 20, 30), 0);
    CHECK_EQ(read_range(c, 20, 30, 30, 1, 2), 0);
    REQUIRE_EQ(mock_produce_spread(bs, "ff", 1, 30, 40), 0);
    CHECK_EQ(read_range(c, 30, 40, 30, 1, 2), 0);

    /* The follower goes down: the leader serves everything. */
    REQUIRE_EQ(kfk_mock_broker_down(mc, 2), 0);
    REQUIRE_EQ(mock_produce_spread(bs, "ff", 1, 40, 50), 0);
    CHECK_EQ(read_range(c, 40, 50, 50, 1, 2), 0);
    quiet(c, 200);

    kfk_consumer_destroy(c);
    kfk_mock_cluster_destroy(mc);
}

TEST(consumer_without_a_rack_stays_on_the_leader) {
    kfk_mock_cluster *mc = kfk_mock_cluster_new(2);
    REQUIRE(mc);
    const char *bs = kfk_mock_cluster_bootstraps(mc);
    REQUIRE_EQ(kfk_mock_topic_create(mc, "fl", 1, 2), 0);
    REQUIRE_EQ(kfk_mock_partition_set_follower(mc, "fl", 0, 2), 0);
    REQUIRE_EQ(mock_produce_spread(bs, "fl", 1, 0, 10), 0);
    kfk_consumer *c = mock_consumer_p0(bs, "fl", NULL);
    REQUIRE(c);
    CHECK_EQ(read_range(c, 0, 10, 10, 1, 2), 0);
    kfk_consumer_destroy(c);
    kfk_mock_cluster_destroy(mc);
}
