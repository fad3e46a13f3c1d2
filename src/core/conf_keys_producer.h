/* The producer's configuration keys, in the form of conf_keys.h. Defaults
 * are the Java client's (4.x: linger.ms 5), but batch.size: librdkafka's
 * 1,000,000, not Java's 16 KiB. A batch's buffer grows with its records
 * (Java reserves batch.size per batch), so the bound costs no memory, and
 * each batch is a partition append the broker pays for: keyless records
 * over 1,000 partitions in 16 KiB batches touched a new partition every
 * 150 records and took 5x the wall time of 1 MB ones (issue 18). Saturated
 * (bench, 100 B records), 1 MB batches took 0.68x the CPU per record of
 * 16 KiB ones on 8 partitions and 0.76x on 1,000, at the same peak RSS;
 * p99 close to 64 KiB batches' as the drain goes round the partitions. */
#ifndef KFK_CONF_KEYS_PRODUCER_H
#define KFK_CONF_KEYS_PRODUCER_H

/* clang-format off */
#define KFK_CONF_KEYS_PRODUCER(X) \
    X(ACKS, "acks", KFK_CONF_ENUM, "all", 0, 0, "all|-1|0|1", \
      "Replicas that must have a batch before the leader answers: all (-1), 1 (the leader) or 0 (no answer)") \
    X(LINGER_MS, "linger.ms", KFK_CONF_INT, "5", 0, INT32_MAX, NULL, \
      "How long a batch waits for more records after its first before it is sent") \
    X(BATCH_SIZE, "batch.size", KFK_CONF_INT, "1000000", 0, INT32_MAX, NULL, \
      "Bytes of records after which a partition's batch is sent without waiting for linger.ms") \
    X(COMPRESSION_TYPE, "compression.type", KFK_CONF_ENUM, "none", 0, 0, \
      "none|gzip|snappy|lz4|zstd", "Codec that compresses each batch") \
    X(COMPRESSION_GZIP_LEVEL, "compression.gzip.level", KFK_CONF_INT, "-1", -1, 9, NULL, \
      "gzip level, 1-9, or -1 for the codec's default (6)") \
    X(COMPRESSION_LZ4_LEVEL, "compression.lz4.level", KFK_CONF_INT, "9", 1, 17, NULL, \
      "lz4 level: 9 is the fast compressor, others LZ4HC") \
    X(COMPRESSION_ZSTD_LEVEL, "compression.zstd.level", KFK_CONF_INT, "3", -131072, 22, NULL, \
      "zstd level") \
    X(ENABLE_IDEMPOTENCE, "enable.idempotence", KFK_CONF_BOOL, "true", 0, 0, NULL, \
      "Write each record exactly once and in order per partition (producer id and sequence numbers)") \
    X(DELIVERY_TIMEOUT_MS, "delivery.timeout.ms", KFK_CONF_INT, "120000", 1, INT32_MAX, NULL, \
      "Upper bound on the time from send to a delivery report, retries included") \
    X(RETRIES, "retries", KFK_CONF_INT, "2147483647", 0, INT32_MAX, NULL, \
      "Times a batch is resent after a retriable error (within delivery.timeout.ms)") \
    X(BUFFER_MEMORY, "buffer.memory", KFK_CONF_INT, "33554432", 1024, INT64_C(1) << 40, NULL, \
      "Bytes of records waiting to be sent; sends block (max.block.ms) or fail when it is full") \
    X(QUEUE_BUFFERING_MAX_MESSAGES, "queue.buffering.max.messages", KFK_CONF_INT, "100000", 1, \
      INT32_MAX, NULL, \
      "Messages sent and not yet completed (librdkafka's bound, beside buffer.memory); sends " \
      "block (max.block.ms) or fail when reached") \
    X(MAX_BLOCK_MS, "max.block.ms", KFK_CONF_INT, "60000", 0, INT32_MAX, NULL, \
      "How long a send may block for buffer space or the topic's metadata") \
    X(MAX_REQUEST_SIZE, "max.request.size", KFK_CONF_INT, "1048576", 1024, INT32_MAX, NULL, \
      "Largest Produce request, and so the largest record") \
    X(PARTITIONER, "partitioner", KFK_CONF_ENUM, "murmur2_random", 0, 0, \
      "murmur2_random|murmur2|random", \
      "murmur2_random: keys by Java's murmur2, keyless records sticky (KIP-480); murmur2: " \
      "null keys hash as empty; random: any partition, sticky") \
    X(PARTITIONER_IGNORE_KEYS, "partitioner.ignore.keys", KFK_CONF_BOOL, "false", 0, 0, NULL, \
      "Place keyed records as keyless ones (sticky), ignoring their keys") \
    X(PARTITIONER_ADAPTIVE, "partitioner.adaptive.partitioning.enable", KFK_CONF_BOOL, "true", \
      0, 0, NULL, \
      "When the sticky partition of keyless records changes, prefer partitions with fewer " \
      "batches waiting to be sent (KIP-794)") \
    X(PARTITIONER_AVAILABILITY_TIMEOUT_MS, "partitioner.availability.timeout.ms", KFK_CONF_INT, \
      "0", 0, INT32_MAX, NULL, \
      "With adaptive partitioning, keyless records avoid partitions whose leader has had " \
      "batches ready and taken none for longer than this (0: never)") \
    X(TRANSACTIONAL_ID, "transactional.id", KFK_CONF_STRING, "", 0, 0, NULL, \
      "Write in transactions under this id (empty: none); a newer producer with the same id " \
      "fences older ones") \
    X(TRANSACTION_TIMEOUT_MS, "transaction.timeout.ms", KFK_CONF_INT, "60000", 1, INT32_MAX, \
      NULL, "How long the coordinator lets a transaction stay open before aborting it")

#define KFK_CONF_ALIASES_PRODUCER(X) \
    X("request.required.acks", "acks") \
    X("queue.buffering.max.ms", "linger.ms") \
    X("compression.codec", "compression.type") \
    X("message.timeout.ms", "delivery.timeout.ms") \
    X("message.send.max.retries", "retries") \
    X("message.max.bytes", "max.request.size")
/* clang-format on */

#endif
