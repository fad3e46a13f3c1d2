/* The built-in partitioners pick the partitions Debian's librdkafka 2.0.2
 * picks (loaded in its own link-map namespace, where its calls to itself
 * stay its own) for many keys and partition counts; the random ones stay
 * in range and hash when they must. */
#include <dlfcn.h>
#include <librdkafka/rdkafka.h>
#include <stdlib.h>

#include "test.h"

#define DEBIAN_LIB "/usr/lib/x86_64-linux-gnu/librdkafka.so.1"

typedef int32_t (*part_fn)(const rd_kafka_topic_t *rkt, const void *key, size_t keylen,
                           int32_t partition_cnt, void *rkt_opaque, void *msg_opaque);

static const struct {
    const char *name;
    part_fn ours;
    int random_when_null; /* null key: random */
    int random_when_empty; /* empty key: random */
} parts[] = {
    {"rd_kafka_msg_partitioner_consistent", rd_kafka_msg_partitioner_consistent, 0, 0},
    {"rd_kafka_msg_partitioner_consistent_random", rd_kafka_msg_partitioner_consistent_random, 1,
     1},
    {"rd_kafka_msg_partitioner_murmur2", rd_kafka_msg_partitioner_murmur2, 0, 0},
    {"rd_kafka_msg_partitioner_murmur2_random", rd_kafka_msg_partitioner_murmur2_random, 1, 0},
    {"rd_kafka_msg_partitioner_fnv1a", rd_kafka_msg_partitioner_fnv1a, 0, 0},
    {"rd_kafka_msg_partitioner_fnv1a_random", rd_kafka_msg_partitioner_fnv1a_random, 1, 0},
};

/* Keys of every length 1..64 with every byte value, text keys, and keys
 * at unaligned addresses. */
static size_t make_key(unsigned n, unsigned char *buf) {
    size_t len = 1 + n % 64;
    unsigned x = n * 2654435761u + 12345;
    for (size_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345;
        buf[i] = (unsigned char)(x >> 16);
    }
    if (n % 5 == 0) len = (size_t)snprintf((char *)buf, 64, "key-%u", n);
    return len;
}

TEST(keyed_partitions_match_librdkafka) {
    void *h = dlmopen(LM_ID_NEWLM, DEBIAN_LIB, RTLD_NOW | RTLD_LOCAL);
    REQUIRE(h != NULL);
    static const int32_t counts[] = {1, 2, 3, 7, 12, 50, 64, 100, 1000};
    unsigned char store[80];
    int compared = 0;
    for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++) {
        part_fn theirs;
        *(void **)&theirs = dlsym(h, parts[p].name);
        REQUIRE(theirs != NULL && theirs != parts[p].ours);
        for (unsigned n = 0; n < 3000; n++) {
            unsigned char *key = store + n % 4; /* unaligned too */
            size_t len = make_key(n, key);
            for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
                int32_t a = parts[p].ours(NULL, key, len, counts[c], NULL, NULL);
                int32_t b = theirs(NULL, key, len, counts[c], NULL, NULL);
                if (a != b) {
                    kfk_test_fail(__FILE__, __LINE__, "%s key %u len %zu cnt %d: %d != %d",
                                  parts[p].name, n, len, counts[c], a, b);
                    return;
                }
                compared++;
            }
        }
        /* null and empty keys where they hash */
        for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
            if (!parts[p].random_when_null)
                CHECK_EQ(parts[p].ours(NULL, NULL, 0, counts[c], NULL, NULL),
                         theirs(NULL, NULL, 0, counts[c], NULL, NULL));
            if (!parts[p].random_when_empty)
                CHECK_EQ(parts[p].ours(NULL, "", 0, counts[c], NULL, NULL),
                         theirs(NULL, "", 0, counts[c], NULL, NULL));
        }
    }
    CHECK(compared > 100000);
    dlclose(h);
}

/* Java's murmur2 (Kafka's UtilsTest values), made positive as Java's
 * partitioner does: with INT32_MAX partitions the partition is the hash. */
TEST(murmur2_is_javas) {
    static const struct {
        const char *key;
        int32_t hash;
    } cases[] = {{"21", -973932308},
                 {"foobar", -790332482},
                 {"a-little-bit-long-string", -985981536},
                 {"a-little-bit-longer-string", -1486304829},
                 {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
                 {"abc", 479470107}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t h = (uint32_t)cases[i].hash & 0x7fffffff;
        CHECK_EQ(rd_kafka_msg_partitioner_murmur2(NULL, cases[i].key, strlen(cases[i].key),
                                                  INT32_MAX, NULL, NULL),
                 (int32_t)(h % INT32_MAX));
    }
}

TEST(random_ones_stay_in_range_and_spread) {
    int seen[8] = {0};
    for (int i = 0; i < 4000; i++) {
        int32_t p = rd_kafka_msg_partitioner_random(NULL, NULL, 0, 8, NULL, NULL);
        REQUIRE(p >= 0 && p < 8);
        seen[p]++;
        p = rd_kafka_msg_partitioner_consistent_random(NULL, "", 0, 8, NULL, NULL);
        REQUIRE(p >= 0 && p < 8);
        p = rd_kafka_msg_partitioner_murmur2_random(NULL, NULL, 0, 8, NULL, NULL);
        REQUIRE(p >= 0 && p < 8);
        p = rd_kafka_msg_partitioner_fnv1a_random(NULL, NULL, 0, 8, NULL, NULL);
        REQUIRE(p >= 0 && p < 8);
    }
    for (int i = 0; i < 8; i++) CHECK(seen[i] > 0);
    /* a key hashes even with the _random ones */
    CHECK_EQ(rd_kafka_msg_partitioner_murmur2_random(NULL, "k", 1, 17, NULL, NULL),
             rd_kafka_msg_partitioner_murmur2(NULL, "k", 1, 17, NULL, NULL));
    CHECK_EQ(rd_kafka_msg_partitioner_consistent_random(NULL, "k", 1, 17, NULL, NULL),
             rd_kafka_msg_partitioner_consistent(NULL, "k", 1, 17, NULL, NULL));
}
