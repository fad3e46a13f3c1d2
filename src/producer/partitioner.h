/* Where a message goes when the caller leaves its partition open: keyed
 * messages by the Java client's murmur2 hash, so kfk and Java producers put
 * the same key in the same partition; keyless ones stick to one partition
 * until a batch is done (KIP-480), so batches fill and linger.ms rarely
 * has to expire.
 *
 * When the sticky partition changes, adaptive partitioning (KIP-794, as the
 * Java client's BuiltInPartitioner) prefers partitions with fewer batches
 * waiting, and with partitioner.availability.timeout.ms leaves out those
 * whose leader has had batches ready and none taken for longer than that.
 * Sans-I/O: the accumulator feeds queue sizes and drain times, per drain. */
#ifndef KFK_PARTITIONER_H
#define KFK_PARTITIONER_H

#include <stdint.h>

#include "kfk.h" /* kfk_murmur2: Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2) */

/* The partition the Java client's default partitioner picks for a key. */
static inline int32_t kfk_partition_for_key(const void *key, size_t len, int32_t partitions) {
    return (int32_t)(((uint32_t)kfk_murmur2(key, len) & 0x7fffffff) % (uint32_t)partitions);
}

/* A topic's load statistics: a cumulative frequency table, so that a
 * uniform random number below its last entry lands on a partition with a
 * weight of (largest queue + 1 - its queue). */
typedef struct kfk_load {
    uint32_t *cft; /* running sums of weights, by position */
    int32_t *ids;  /* the partition at each position */
    int32_t cap;   /* of both arrays */
    int32_t len;   /* positions in use; 0: no statistics, pick uniformly */
} kfk_load;

/* Makes room for n positions (keeps what is there). 0 or KFK_ERR_NOMEM. */
int kfk_load_reserve(kfk_load *l, int32_t n);
void kfk_load_free(kfk_load *l);

/* Turns the queue sizes in l->cft[0..len) (partitions l->ids) into the
 * table. total is the topic's partition count: with fewer than two, or
 * every partition present with the same queue size, the statistics are not
 * used (len becomes 0), as a uniform pick is the same. */
void kfk_load_build(kfk_load *l, int32_t len, int32_t total);

/* The partition random number r chooses; -1 when len is 0. */
int32_t kfk_load_pick(const kfk_load *l, uint64_t r);

/* When each broker last had a batch ready to send and last had one taken
 * (Java's NodeLatencyStats). A few brokers: a linear search. */
typedef struct kfk_node_lat {
    int32_t node;
    int64_t ready_ms, drain_ms;
} kfk_node_lat;

typedef struct kfk_node_lats {
    kfk_node_lat *v;
    int32_t n, cap;
    int32_t last; /* the index found last: drains visit one leader's partitions in runs */
} kfk_node_lats;

/* A batch for node was ready at now, and taken (drained) or not. A node
 * seen for the first time starts as just drained. */
void kfk_node_lats_mark(kfk_node_lats *s, int32_t node, int64_t now, int drained);
/* Whether node has had batches ready and none taken for longer than
 * timeout_ms (never with timeout_ms 0). */
int kfk_node_lats_stalled(kfk_node_lats *s, int32_t node, int64_t timeout_ms);
void kfk_node_lats_free(kfk_node_lats *s);

#endif
