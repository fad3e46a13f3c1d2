/* A group's coordinator moves while its member consumes and commits
 * (classic and KIP-848 protocols): the member finds the new coordinator,
 * its commits land there, the group keeps its offsets, and every record
 * is consumed exactly once across the moves and a restart. */
#include <stdio.h>
#include <string.h>

#include "kfk.h"
#include "kfk_mock.h"
#include "mock_it.h"
#include "test.h"

#define PARTS 4
#define ROUNDS 3
#define PER_ROUND 200

/* Polls until want records came or 10 s passed without any; counts each
 * record's index in seen[]. Returns how many came. */
static int consume(kfk_consumer *c, int want, int *seen, int n) {
    int total = 0;
    for (int64_t quiet_until = mock_now_ms() + 10000; total < want && mock_now_ms() < quiet_until;) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 20);
        if (m && !m->err) {
            int idx = -1;
            if (m->value_len > 1 && m->value_len < 12 && ((const char *)m->value)[0] == 'r')
                sscanf((const char *)m->value + 1, "%d", &idx);
            if (idx >= 0 && idx < n && idx % PARTS == m->partition) seen[idx]++;
            total++;
            quiet_until = mock_now_ms() + 10000;
        }
        kfk_consumer_message_release(m);
    }
    return total;
}

static void wait_assigned(kfk_consumer *c, int want) {
    for (int64_t end = mock_now_ms() + 20000; mock_assigned(c) != want && mock_now_ms() < end;)
        kfk_consumer_message_release(kfk_consumer_poll(c, 20));
}

static void move_coordinator(const char *protocol) {
    kfk_mock_cluster *mc = kfk_mock_cluster_new(3);
    REQUIRE(mc);
    const char *bs = kfk_mock_cluster_bootstraps(mc);
    char group[32];
    snprintf(group, sizeof group, "moving-%s", protocol);
    REQUIRE_EQ(kfk_mock_topic_create(mc, "mv", PARTS, 3), 0);
    REQUIRE_EQ(kfk_mock_coordinator_set(mc, KFK_MOCK_COORD_GROUP, group, 1), 0);
    const char *extra[] = {"group.protocol", protocol, "heartbeat.interval.ms", "200", NULL};
    kfk_consumer *c = mock_member(bs, group, "mv", extra);
    REQUIRE(c);
    wait_assigned(c, PARTS);
    REQUIRE_EQ(mock_assigned(c), PARTS);

    static int seen[ROUNDS * PER_ROUND];
    memset(seen, 0, sizeof seen);
    /* Each round: produce, consume, let heartbeats run into the old
     * coordinator after a move, commit through the new one. */
    for (int r = 0; r < ROUNDS; r++) {
        REQUIRE_EQ(mock_produce_spread(bs, "mv", PARTS, r * PER_ROUND, (r + 1) * PER_ROUND), 0);
        CHECK_EQ(consume(c, PER_ROUND, seen, ROUNDS * PER_ROUND), PER_ROUND);
        REQUIRE_EQ(kfk_mock_coordinator_set(mc, KFK_MOCK_COORD_GROUP, group, 1 + (r + 1) % 3), 0);
        for (int64_t end = mock_now_ms() + 800; mock_now_ms() < end;)
            kfk_consumer_message_release(kfk_consumer_poll(c, 20));
        CHECK_EQ(kfk_consumer_commit(c, NULL, 0), 0);
    }
    int once = 0;
    for (int i = 0; i < ROUNDS * PER_ROUND; i++) once += seen[i] == 1;
    CHECK_EQ(once, ROUNDS * PER_ROUND);
    CHECK_EQ(mock_assigned(c), PARTS);
    kfk_consumer_close(c);

    /* The coordinator moves once more; a new member resumes from the
     * commits made on the others: nothing again, only what came since. */
    REQUIRE_EQ(kfk_mock_coordinator_set(mc, KFK_MOCK_COORD_GROUP, group, 3), 0);
    kfk_consumer *again = mock_member(bs, group, "mv", extra);
    REQUIRE(again);
    kfk_partition_list *l = kfk_partition_list_new(PARTS);
    for (int p = 0; p < PARTS; p++) kfk_partition_list_add(l, "mv", p);
    CHECK_EQ(kfk_consumer_committed(again, l, 10000), 0);
    for (int i = 0; i < l->count; i++) CHECK_EQ(l->elems[i].offset, ROUNDS * PER_ROUND / PARTS);
    kfk_partition_list_destroy(l);
    wait_assigned(again, PARTS);
    CHECK_EQ(mock_assigned(again), PARTS);
    static int later[PARTS];
    memset(later, 0, sizeof later);
    REQUIRE_EQ(mock_produce_spread(bs, "mv", PARTS, 0, PARTS), 0); /* "r0".."r3" once more, one per partition */
    CHECK_EQ(consume(again, PARTS, later, PARTS), PARTS);
    for (int i = 0; i < PARTS; i++) CHECK_EQ(later[i], 1);
    kfk_consumer_message *m = kfk_consumer_poll(again, 500);
    CHECK(!m || m->err); /* nothing beyond them */
    kfk_consumer_message_release(m);
    kfk_consumer_close(again);
    kfk_mock_cluster_destroy(mc);
}

TEST(classic_member_consumes_and_commits_through_coordinator_moves) { move_coordinator("classic"); }

TEST(kip848_member_consumes_and_commits_through_coordinator_moves) { move_coordinator("consumer"); }
