/* The producer's settings, read and cross-checked from a kfk_conf once at
 * creation (as the Java client's ProducerConfig does). */
#ifndef KFK_PROD_CONF_H
#define KFK_PROD_CONF_H

#include <stdint.h>

#include "kfk.h"
#include "records/compress.h"

typedef struct kfk_prod_conf {
    int16_t acks; /* -1 all, 0, 1 */
    int idempotent;
    kfk_codec codec;
    int level;
    int32_t linger_ms;
    int32_t batch_size;
    int32_t delivery_timeout_ms;
    int32_t retries;
    int64_t buffer_memory;
    int32_t max_messages;
    int32_t max_block_ms;
    int32_t max_request_size;
    int partitioner; /* enum kfk_partitioner */
    int ignore_keys, adaptive;
    int32_t availability_timeout_ms;
    int32_t max_in_flight;
    int32_t request_timeout_ms;
    int32_t retry_backoff_ms, retry_backoff_max_ms;
    const char *transactional_id; /* NULL: none; the kfk_conf's string */
    int32_t transaction_timeout_ms;
} kfk_prod_conf;

/* 0, or KFK_ERR_CONFIG with errstr naming the keys and values at fault. */
int kfk_prod_conf_from(kfk_prod_conf *out, const kfk_conf *conf, char *errstr, size_t errlen);

#endif
