/* Two kfk consumers with group.protocol=consumer (KIP-848) on the mock
 * cluster: the server-side assignor splits four partitions 2+2, every
 * record is consumed once across them, the one left after the other
 * leaves gets all four and resumes from the leaver's commits, and a later
 * member resumes from the commits of both; an injected fencing on the way
 * is survived. */
#include <stdio.h>
#include <string.h>

#include "kfk.h"
#include "kfk_mock.h"
#include "mock_it.h"
#include "test.h"

#define PARTS 4
#define KFK_API_CONSUMER_GROUP_HEARTBEAT_KEY 68 /* Kafka's API key */

static kfk_consumer *member(const char *bootstrap) {
    const char *kip848[] = {"group.protocol", "consumer", NULL};
    return mock_member(bootstrap, "g848", "k", kip848);
}

/* Polls the members until want records came in all or 10 s passed
 * without any; counts each record's index in seen[] and each member's in
 * got[]. */
static void consume(kfk_consumer **cs, int nc, int want, int *seen, int n, int *got) {
    int total = 0;
    for (int64_t quiet_until = mock_now_ms() + 10000; total < want && mock_now_ms() < quiet_until;)
        for (int i = 0; i < nc; i++) {
            kfk_consumer_message *m = kfk_consumer_poll(cs[i], 20);
            if (m && !m->err) {
                int idx = -1;
                if (m->value_len > 1 && m->value_len < 12 && ((const char *)m->value)[0] == 'r')
                    sscanf((const char *)m->value + 1, "%d", &idx);
                if (idx >= 0 && idx < n && idx % PARTS == m->partition) seen[idx]++;
                got[i]++;
                total++;
                quiet_until = mock_now_ms() + 10000;
            }
            kfk_consumer_message_release(m);
        }
}

static int64_t rebalances(kfk_consumer *c) {
    kfk_consumer_stats st;
    kfk_consumer_stats_get(c, &st);
    return st.rebalances;
}

static int once(const int *seen, int from, int to) {
    int k = 0;
    for (int i = from; i < to; i++) k += seen[i] == 1;
    return k;
}

TEST(kip848_members_split_consume_once_take_over_and_resume) {
    kfk_mock_cluster *mc = kfk_mock_cluster_new(3);
    REQUIRE(mc);
    const char *bs = kfk_mock_cluster_bootstraps(mc);
    REQUIRE_EQ(kfk_mock_topic_create(mc, "k", PARTS, 2), 0);
    kfk_consumer *cs[2] = {member(bs), member(bs)};
    REQUIRE(cs[0] && cs[1]);
    /* 2+2 within a bounded time (heartbeats every 500 ms on the mock). */
    int64_t start = mock_now_ms();
    while ((mock_assigned(cs[0]) != 2 || mock_assigned(cs[1]) != 2) && mock_now_ms() < start + 20000)
        for (int i = 0; i < 2; i++) kfk_consumer_message_release(kfk_consumer_poll(cs[i], 20));
    fprintf(stderr, "# split 2+2 after %lld ms\n", (long long)(mock_now_ms() - start));
    CHECK_EQ(mock_assigned(cs[0]), 2);
    CHECK_EQ(mock_assigned(cs[1]), 2);
    CHECK(kfk_consumer_generation(cs[0]) > 0);

    /* An injected FENCED_MEMBER_EPOCH: that member loses its partitions,
     * joins again (epoch 0) and the group settles 2+2 once more. */
    int64_t before = rebalances(cs[0]) + rebalances(cs[1]);
    REQUIRE_EQ(kfk_mock_push_request_errors(mc, -1, KFK_API_CONSUMER_GROUP_HEARTBEAT_KEY, 1,
                                            KFK_ERR_FENCED_MEMBER_EPOCH),
               0);
    start = mock_now_ms();
    while ((rebalances(cs[0]) + rebalances(cs[1]) == before || mock_assigned(cs[0]) != 2 ||
            mock_assigned(cs[1]) != 2) &&
           mock_now_ms() < start + 20000)
        for (int i = 0; i < 2; i++) kfk_consumer_message_release(kfk_consumer_poll(cs[i], 20));
    CHECK(rebalances(cs[0]) + rebalances(cs[1]) > before);
    CHECK_EQ(mock_assigned(cs[0]), 2);
    CHECK_EQ(mock_assigned(cs[1]), 2);

    enum { N1 = 400, N2 = 440 };
    static int seen[N2];
    memset(seen, 0, sizeof seen);
    int got[2] = {0, 0};
    REQUIRE_EQ(mock_produce_spread(bs, "k", PARTS, 0, N1), 0);
    consume(cs, 2, N1, seen, N2, got);
    CHECK_EQ(once(seen, 0, N1), N1);
    CHECK_EQ(got[0], N1 / 2);
    CHECK_EQ(got[1], N1 / 2);
    CHECK_EQ(kfk_consumer_commit(cs[0], NULL, 0), 0);
    CHECK_EQ(kfk_consumer_commit(cs[1], NULL, 0), 0);

    /* The first leaves (member epoch -1): the second gets all four and
     * goes on from the first's commits, not from the beginning. */
    kfk_consumer_close(cs[0]);
    start = mock_now_ms();
    while (mock_assigned(cs[1]) != PARTS && mock_now_ms() < start + 20000)
        kfk_consumer_message_release(kfk_consumer_poll(cs[1], 20));
    fprintf(stderr, "# took over all %d after %lld ms\n", PARTS, (long long)(mock_now_ms() - start));
    CHECK_EQ(mock_assigned(cs[1]), PARTS);
    REQUIRE_EQ(mock_produce_spread(bs, "k", PARTS, N1, N2), 0);
    got[0] = 0;
    consume(&cs[1], 1, N2 - N1, seen, N2, got);
    CHECK_EQ(got[0], N2 - N1);
    CHECK_EQ(once(seen, 0, N2), N2);
    CHECK_EQ(kfk_consumer_commit(cs[1], NULL, 0), 0);
    kfk_consumer_close(cs[1]);

    /* A later member resumes from the commits: nothing left to read. */
    kfk_consumer *again = member(bs);
    REQUIRE(again);
    kfk_partition_list *l = kfk_partition_list_new(PARTS);
    for (int p = 0; p < PARTS; p++) kfk_partition_list_add(l, "k", p);
    CHECK_EQ(kfk_consumer_committed(again, l, 10000), 0);
    for (int i = 0; i < l->count; i++) CHECK_EQ(l->elems[i].offset, N2 / PARTS);
    kfk_partition_list_destroy(l);
    start = mock_now_ms();
    while (mock_assigned(again) != PARTS && mock_now_ms() < start + 20000)
        kfk_consumer_message_release(kfk_consumer_poll(again, 20));
    CHECK_EQ(mock_assigned(again), PARTS);
    int extra = 0;
    for (int64_t end = mock_now_ms() + 1000; mock_now_ms() < end;) {
        kfk_consumer_message *m = kfk_consumer_poll(again, 50);
        extra += m && !m->err;
        kfk_consumer_message_release(m);
    }
    CHECK_EQ(extra, 0);
    kfk_consumer_close(again);
    kfk_mock_cluster_destroy(mc);
}
