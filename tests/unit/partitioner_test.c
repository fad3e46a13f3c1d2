#include <stdint.h>
#include <string.h>

#include "producer/partitioner.h"
#include "test.h"

/* Expected values from Kafka's UtilsTest.testMurmur2. */
TEST(murmur2_matches_java) {
    static const struct {
        const char *key;
        int32_t hash;
    } cases[] = {
        {"21", -973932308},
        {"foobar", -790332482},
        {"a-little-bit-long-string", -985981536},
        {"a-little-bit-longer-string", -1486304829},
        {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
        {"abc", 479470107},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_EQ(kfk_murmur2(cases[i].key, strlen(cases[i].key)), cases[i].hash);
}

TEST(partition_is_positive_hash_modulo) {
    /* toPositive(-790332482) = 1357151166; 1357151166 % 50 = 16 */
    CHECK_EQ(kfk_partition_for_key("foobar", 6, 50), 16);
    for (int n = 1; n < 100; n++) {
        int32_t p = kfk_partition_for_key("a-little-bit-long-string", 24, n);
        CHECK(p >= 0 && p < n);
    }
}

/* Queue sizes as the accumulator leaves them in cft, partition ids in ids. */
static void load_of(kfk_load *l, const uint32_t *queued, const int32_t *ids, int32_t n) {
    REQUIRE_EQ(kfk_load_reserve(l, n), 0);
    for (int32_t i = 0; i < n; i++) {
        l->cft[i] = queued[i];
        l->ids[i] = ids[i];
    }
}

TEST(load_weights_are_the_largest_queue_plus_one_less_each_queue) {
    kfk_load l = {0};
    load_of(&l, (const uint32_t[]){0, 3, 1}, (const int32_t[]){10, 11, 12}, 3);
    kfk_load_build(&l, 3, 3);
    REQUIRE_EQ(l.len, 3);
    /* weights 4, 1, 3 */
    CHECK_EQ(l.cft[0], 4u);
    CHECK_EQ(l.cft[1], 5u);
    CHECK_EQ(l.cft[2], 8u);
    static const int32_t want[8] = {10, 10, 10, 10, 11, 12, 12, 12};
    for (uint64_t r = 0; r < 8; r++) CHECK_EQ(kfk_load_pick(&l, r), want[r]);
    CHECK_EQ(kfk_load_pick(&l, 8), 10); /* r wraps */
    CHECK_EQ(kfk_load_pick(&l, UINT64_MAX), want[UINT64_MAX % 8]);
    kfk_load_free(&l);
}

TEST(load_distribution_over_one_period_of_the_random_source) {
    kfk_load l = {0};
    /* a partition with 9 batches waiting against three with none */
    load_of(&l, (const uint32_t[]){0, 9, 0, 0}, (const int32_t[]){0, 1, 2, 3}, 4);
    kfk_load_build(&l, 4, 4);
    int count[4] = {0};
    for (uint64_t r = 0; r < 31; r++) count[kfk_load_pick(&l, r)]++;
    CHECK_EQ(count[0], 10);
    CHECK_EQ(count[1], 1);
    CHECK_EQ(count[2], 10);
    CHECK_EQ(count[3], 10);
    kfk_load_free(&l);
}

TEST(load_unused_when_uniform_would_do) {
    kfk_load l = {0};
    const int32_t ids[3] = {0, 1, 2};
    load_of(&l, (const uint32_t[]){2, 2, 2}, ids, 3);
    kfk_load_build(&l, 3, 3);
    CHECK_EQ(l.len, 0); /* all equal */
    CHECK_EQ(kfk_load_pick(&l, 5), -1);
    load_of(&l, (const uint32_t[]){0}, ids, 1);
    kfk_load_build(&l, 1, 1);
    CHECK_EQ(l.len, 0); /* one partition */
    kfk_load_build(&l, 0, 3);
    CHECK_EQ(l.len, 0); /* none available */
    /* Equal queues, but partition 2 left out: only 0 and 1, evenly. */
    load_of(&l, (const uint32_t[]){2, 2}, ids, 2);
    kfk_load_build(&l, 2, 3);
    REQUIRE_EQ(l.len, 2);
    int count[3] = {0};
    for (uint64_t r = 0; r < 100; r++) count[kfk_load_pick(&l, r)]++;
    CHECK_EQ(count[0], 50);
    CHECK_EQ(count[1], 50);
    CHECK_EQ(count[2], 0);
    kfk_load_free(&l);
}

TEST(node_stalls_when_ready_and_not_drained_beyond_the_timeout) {
    kfk_node_lats s = {0};
    CHECK(!kfk_node_lats_stalled(&s, 1, 1000)); /* never seen */
    kfk_node_lats_mark(&s, 1, 0, 0);            /* first sight counts as drained */
    kfk_node_lats_mark(&s, 2, 0, 1);
    kfk_node_lats_mark(&s, 1, 1000, 0);
    CHECK(!kfk_node_lats_stalled(&s, 1, 1000)); /* not longer than the timeout */
    kfk_node_lats_mark(&s, 1, 1001, 0);
    kfk_node_lats_mark(&s, 2, 1001, 1);
    CHECK(kfk_node_lats_stalled(&s, 1, 1000));
    CHECK(!kfk_node_lats_stalled(&s, 1, 0)); /* 0: off */
    CHECK(!kfk_node_lats_stalled(&s, 2, 1000));
    for (int32_t n = 3; n < 40; n++) kfk_node_lats_mark(&s, n, 1002, 1); /* grows */
    CHECK(kfk_node_lats_stalled(&s, 1, 1000));
    kfk_node_lats_mark(&s, 1, 1003, 1); /* drained again */
    CHECK(!kfk_node_lats_stalled(&s, 1, 1000));
    kfk_node_lats_free(&s);
}

TEST(adaptive_keys_reject_bad_values_by_name) {
    kfk_conf *c = kfk_conf_new();
    char err[256] = "";
    CHECK(kfk_conf_set(c, "partitioner.availability.timeout.ms", "-1", err, sizeof err) != 0);
    CHECK(strstr(err, "partitioner.availability.timeout.ms") && strstr(err, "-1"));
    CHECK(kfk_conf_set(c, "partitioner.adaptive.partitioning.enable", "maybe", err, sizeof err) !=
          0);
    CHECK(strstr(err, "partitioner.adaptive.partitioning.enable") && strstr(err, "maybe"));
    CHECK(kfk_conf_set(c, "partitioner.ignore.keys", "2", err, sizeof err) != 0);
    CHECK(strstr(err, "partitioner.ignore.keys") != NULL);
    CHECK_EQ(kfk_conf_set(c, "partitioner.availability.timeout.ms", "1000", err, sizeof err), 0);
    CHECK_EQ(kfk_conf_set(c, "partitioner.adaptive.partitioning.enable", "false", err, sizeof err),
             0);
    kfk_conf_destroy(c);
}
