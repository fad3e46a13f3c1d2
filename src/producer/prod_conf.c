#include "producer/prod_conf.h"

#include <stdio.h>

#include "core/conf.h"

static int bad(char *errstr, size_t errlen, const char *msg, const kfk_conf *conf, kfk_conf_id a,
               const char *akey, kfk_conf_id b, const char *bkey) {
    snprintf(errstr, errlen, "%s: %s=%s and %s=%s", msg, akey, kfk_conf_str(conf, a), bkey,
             kfk_conf_str(conf, b));
    return KFK_ERR_CONFIG;
}

static int level_of(const kfk_conf *conf, kfk_codec codec) {
    switch (codec) {
    case KFK_CODEC_GZIP: {
        int level = (int)kfk_conf_int(conf, KFK_CONF_COMPRESSION_GZIP_LEVEL);
        return level < 0 ? KFK_LEVEL_DEFAULT : level;
    }
    case KFK_CODEC_LZ4:
        return (int)kfk_conf_int(conf, KFK_CONF_COMPRESSION_LZ4_LEVEL);
    case KFK_CODEC_ZSTD:
        return (int)kfk_conf_int(conf, KFK_CONF_COMPRESSION_ZSTD_LEVEL);
    default:
        return KFK_LEVEL_DEFAULT;
    }
}

int kfk_prod_conf_from(kfk_prod_conf *out, const kfk_conf *conf, char *errstr, size_t errlen) {
    static const int16_t acks[] = {-1, -1, 0, 1}; /* all|-1|0|1 */
    out->acks = acks[kfk_conf_enum(conf, KFK_CONF_ACKS)];
    out->codec = (kfk_codec)kfk_conf_enum(conf, KFK_CONF_COMPRESSION_TYPE);
    out->level = level_of(conf, out->codec);
    out->linger_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_LINGER_MS);
    out->batch_size = (int32_t)kfk_conf_int(conf, KFK_CONF_BATCH_SIZE);
    out->delivery_timeout_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_DELIVERY_TIMEOUT_MS);
    out->retries = (int32_t)kfk_conf_int(conf, KFK_CONF_RETRIES);
    out->buffer_memory = kfk_conf_int(conf, KFK_CONF_BUFFER_MEMORY);
    out->max_messages = (int32_t)kfk_conf_int(conf, KFK_CONF_QUEUE_BUFFERING_MAX_MESSAGES);
    out->max_block_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_MAX_BLOCK_MS);
    out->max_request_size = (int32_t)kfk_conf_int(conf, KFK_CONF_MAX_REQUEST_SIZE);
    out->partitioner = kfk_conf_enum(conf, KFK_CONF_PARTITIONER);
    out->ignore_keys = kfk_conf_bool(conf, KFK_CONF_PARTITIONER_IGNORE_KEYS);
    out->adaptive = kfk_conf_bool(conf, KFK_CONF_PARTITIONER_ADAPTIVE);
    out->availability_timeout_ms =
        (int32_t)kfk_conf_int(conf, KFK_CONF_PARTITIONER_AVAILABILITY_TIMEOUT_MS);
    out->max_in_flight = (int32_t)kfk_conf_int(conf, KFK_CONF_MAX_IN_FLIGHT);
    out->request_timeout_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_REQUEST_TIMEOUT_MS);
    out->retry_backoff_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_RETRY_BACKOFF_MS);
    out->retry_backoff_max_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_RETRY_BACKOFF_MAX_MS);

    if (!*kfk_conf_str(conf, KFK_CONF_BOOTSTRAP_SERVERS)) {
        snprintf(errstr, errlen, "bootstrap.servers is required");
        return KFK_ERR_CONFIG;
    }
    const char *tid = kfk_conf_str(conf, KFK_CONF_TRANSACTIONAL_ID);
    out->transactional_id = *tid ? tid : NULL;
    out->transaction_timeout_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_TRANSACTION_TIMEOUT_MS);
    /* As the Java client: idempotence set explicitly must be satisfiable;
     * left at its default it gives way to conflicting settings, unless a
     * transactional.id needs it. */
    int idem_set = kfk_conf_is_set(conf, KFK_CONF_ENABLE_IDEMPOTENCE) || out->transactional_id;
    out->idempotent = kfk_conf_bool(conf, KFK_CONF_ENABLE_IDEMPOTENCE);
    if (out->transactional_id && !out->idempotent) {
        snprintf(errstr, errlen,
                 "transactional.id=%s requires enable.idempotence=true, not enable.idempotence=%s",
                 tid, kfk_conf_str(conf, KFK_CONF_ENABLE_IDEMPOTENCE));
        return KFK_ERR_CONFIG;
    }
    if (out->idempotent) {
        const char *why = NULL;
        kfk_conf_id id = KFK_CONF_ACKS;
        const char *key = "acks";
        if (out->acks != -1) {
            why = "requires acks=all";
        } else if (out->max_in_flight > 5) {
            why = "requires max.in.flight.requests.per.connection <= 5";
            id = KFK_CONF_MAX_IN_FLIGHT;
            key = "max.in.flight.requests.per.connection";
        } else if (out->retries == 0) {
            why = "requires retries > 0";
            id = KFK_CONF_RETRIES;
            key = "retries";
        }
        if (why && idem_set) {
            char msg[128];
            int txn = out->transactional_id != NULL;
            snprintf(msg, sizeof msg, "%s (idempotence) %s",
                     txn ? "transactional.id" : "enable.idempotence=true", why);
            return bad(errstr, errlen, msg, conf,
                       txn ? KFK_CONF_TRANSACTIONAL_ID : KFK_CONF_ENABLE_IDEMPOTENCE,
                       txn ? "transactional.id" : "enable.idempotence", id, key);
        }
        if (why) out->idempotent = 0;
    }
    int64_t floor = (int64_t)out->linger_ms + out->request_timeout_ms;
    if (out->delivery_timeout_ms < floor) {
        if (kfk_conf_is_set(conf, KFK_CONF_DELIVERY_TIMEOUT_MS)) {
            snprintf(errstr, errlen,
                     "delivery.timeout.ms=%s must be at least linger.ms=%s plus "
                     "request.timeout.ms=%s",
                     kfk_conf_str(conf, KFK_CONF_DELIVERY_TIMEOUT_MS),
                     kfk_conf_str(conf, KFK_CONF_LINGER_MS),
                     kfk_conf_str(conf, KFK_CONF_REQUEST_TIMEOUT_MS));
            return KFK_ERR_CONFIG;
        }
        out->delivery_timeout_ms = floor > INT32_MAX ? INT32_MAX : (int32_t)floor;
    }
    if (!kfk_codec_level_valid(out->codec, out->level)) {
        snprintf(errstr, errlen, "compression level %d is not valid for compression.type=%s",
                 out->level, kfk_codec_name(out->codec));
        return KFK_ERR_CONFIG;
    }
    const char *why = out->codec == KFK_CODEC_SNAPPY ? kfk_snappy_unavailable() : NULL;
    if (why) {
        snprintf(errstr, errlen, "compression.type=snappy needs libsnappy: %s", why);
        return KFK_ERR_CONFIG;
    }
    return 0;
}
