/* Where a message goes when the caller leaves its partition open: keyed
 * messages by the Java client's murmur2 hash, so kfk and Java producers put
 * the same key in the same partition; keyless ones stick to one partition
 * until a batch is done (KIP-480), so batches fill and linger.ms rarely
 * has to expire. */
#ifndef KFK_PARTITIONER_H
#define KFK_PARTITIONER_H

#include "kfk.h" /* kfk_murmur2: Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2) */

/* The partition the Java client's default partitioner picks for a key. */
static inline int32_t kfk_partition_for_key(const void *key, size_t len, int32_t partitions) {
    return (int32_t)(((uint32_t)kfk_murmur2(key, len) & 0x7fffffff) % (uint32_t)partitions);
}

#endif
