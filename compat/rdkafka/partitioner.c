/* librdkafka's built-in partitioners, with its hashes and its rules for
 * null and empty keys, so keys land on the same partitions as with
 * librdkafka: consistent is CRC32, murmur2 Java's, fnv1a Sarama's. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "rdk_int.h"

static __thread unsigned int seed;

static int32_t pick(int32_t cnt) {
    if (!seed) seed = (unsigned int)time(NULL) ^ (unsigned int)(uintptr_t)&seed;
    return (int32_t)(rand_r(&seed) % (unsigned int)cnt);
}

/* FNV-1a, made non-negative as a signed 32-bit value (as Sarama does). */
static uint32_t fnv1a(const void *key, size_t len) {
    const unsigned char *d = key;
    uint32_t h = 0x811C9DC5;
    for (size_t i = 0; i < len; i++) {
        h ^= d[i];
        h *= 0x01000193;
    }
    if (h & 0x80000000u) h = 0u - h;
    return h;
}

int32_t rd_kafka_msg_partitioner_random(const rd_kafka_topic_t *rkt, const void *key,
                                        size_t keylen, int32_t partition_cnt, void *rkt_opaque,
                                        void *msg_opaque) {
    /* Every partition is available: kfk queues a leaderless partition's
     * messages until it has a leader. */
    (void)key, (void)keylen, (void)rkt_opaque, (void)msg_opaque;
    return pick(partition_cnt);
}

int32_t rd_kafka_msg_partitioner_consistent(const rd_kafka_topic_t *rkt, const void *key,
                                            size_t keylen, int32_t partition_cnt,
                                            void *rkt_opaque, void *msg_opaque) {
    (void)rkt, (void)rkt_opaque, (void)msg_opaque;
    uint32_t crc = (uint32_t)crc32(0L, key, (uInt)keylen);
    return (int32_t)(crc % (uint32_t)partition_cnt);
}

int32_t rd_kafka_msg_partitioner_consistent_random(const rd_kafka_topic_t *rkt, const void *key,
                                                   size_t keylen, int32_t partition_cnt,
                                                   void *rkt_opaque, void *msg_opaque) {
    if (keylen == 0)
        return rd_kafka_msg_partitioner_random(rkt, key, keylen, partition_cnt, rkt_opaque,
                                               msg_opaque);
    return rd_kafka_msg_partitioner_consistent(rkt, key, keylen, partition_cnt, rkt_opaque,
                                               msg_opaque);
}

int32_t rd_kafka_msg_partitioner_murmur2(const rd_kafka_topic_t *rkt, const void *key,
                                         size_t keylen, int32_t partition_cnt, void *rkt_opaque,
                                         void *msg_opaque) {
    (void)rkt, (void)rkt_opaque, (void)msg_opaque;
    return (int32_t)(((uint32_t)kfk_murmur2(key, keylen) & 0x7fffffff) % (uint32_t)partition_cnt);
}

int32_t rd_kafka_msg_partitioner_murmur2_random(const rd_kafka_topic_t *rkt, const void *key,
                                                size_t keylen, int32_t partition_cnt,
                                                void *rkt_opaque, void *msg_opaque) {
    if (!key)
        return rd_kafka_msg_partitioner_random(rkt, key, keylen, partition_cnt, rkt_opaque,
                                               msg_opaque);
    return rd_kafka_msg_partitioner_murmur2(rkt, key, keylen, partition_cnt, rkt_opaque,
                                            msg_opaque);
}

int32_t rd_kafka_msg_partitioner_fnv1a(const rd_kafka_topic_t *rkt, const void *key,
                                       size_t keylen, int32_t partition_cnt, void *rkt_opaque,
                                       void *msg_opaque) {
    (void)rkt, (void)rkt_opaque, (void)msg_opaque;
    return (int32_t)(fnv1a(key, keylen) % (uint32_t)partition_cnt);
}

int32_t rd_kafka_msg_partitioner_fnv1a_random(const rd_kafka_topic_t *rkt, const void *key,
                                              size_t keylen, int32_t partition_cnt,
                                              void *rkt_opaque, void *msg_opaque) {
    if (!key)
        return rd_kafka_msg_partitioner_random(rkt, key, keylen, partition_cnt, rkt_opaque,
                                               msg_opaque);
    return rd_kafka_msg_partitioner_fnv1a(rkt, key, keylen, partition_cnt, rkt_opaque,
                                          msg_opaque);
}

rdk_partitioner_fn rdk_partitioner_by_name(const char *name) {
    static const struct {
        const char *name;
        rdk_partitioner_fn fn;
    } byname[] = {
        {"random", rd_kafka_msg_partitioner_random},
        {"consistent", rd_kafka_msg_partitioner_consistent},
        {"consistent_random", rd_kafka_msg_partitioner_consistent_random},
        {"murmur2", rd_kafka_msg_partitioner_murmur2},
        {"murmur2_random", rd_kafka_msg_partitioner_murmur2_random},
        {"fnv1a", rd_kafka_msg_partitioner_fnv1a},
        {"fnv1a_random", rd_kafka_msg_partitioner_fnv1a_random},
    };
    for (size_t i = 0; name && i < sizeof byname / sizeof byname[0]; i++)
        if (!strcmp(byname[i].name, name)) return byname[i].fn;
    return NULL;
}
