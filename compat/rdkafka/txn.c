/* Transactions and the consumer group metadata they carry, on kfk's
 * transactional producer. kfk's three kinds of transactional error map to
 * rd_kafka_error_t's flags: retriable, txn_requires_abort, fatal. */
#include <stdlib.h>
#include <string.h>

#include "rdk_int.h"

static rd_kafka_error_t *txn_error(rd_kafka_t *rk, int rc) {
    if (!rc) return NULL;
    char why[512] = "";
    switch (rc) {
    case KFK_ERR_FATAL: {
        int cause = kfk_producer_fatal_error(rk->producer, why, sizeof why);
        return rdk_error_new(cause ? rdk_err(cause) : RD_KAFKA_RESP_ERR__FATAL, 1, 0, 0, "%s",
                             why[0] ? why : "Fatal error");
    }
    case KFK_ERR_TRANSACTION_ABORTABLE: {
        int cause = kfk_producer_txn_error(rk->producer, why, sizeof why);
        return rdk_error_new(cause ? rdk_err(cause) : RD_KAFKA_RESP_ERR__STATE, 0, 0, 1, "%s",
                             why[0] ? why : "Transaction must be aborted");
    }
    case KFK_ERR_STATE:
        return rdk_error_new(RD_KAFKA_RESP_ERR__STATE, 0, 0, 0,
                             "Operation not valid in the current transaction state");
    case KFK_ERR_TIMED_OUT:
        return rdk_error_new(RD_KAFKA_RESP_ERR__TIMED_OUT, 0, 1, 0,
                             "Transactional operation timed out");
    default:
        return rdk_error_new(rdk_err(rc), 0, kfk_err_retriable(rc), 0, "%s", kfk_err_str(rc));
    }
}

static rd_kafka_error_t *not_transactional(rd_kafka_t *rk) {
    if (rk->producer && *rdk_conf_str(rk->conf, "transactional.id")) return NULL;
    return rdk_error_new(RD_KAFKA_RESP_ERR__NOT_CONFIGURED, 0, 0, 0,
                         "The Transactional API requires transactional.id to be configured");
}

rd_kafka_error_t *rd_kafka_init_transactions(rd_kafka_t *rk, int timeout_ms) {
    rd_kafka_error_t *e = not_transactional(rk);
    return e ? e : txn_error(rk, kfk_producer_init_transactions(rk->producer, timeout_ms));
}

rd_kafka_error_t *rd_kafka_begin_transaction(rd_kafka_t *rk) {
    rd_kafka_error_t *e = not_transactional(rk);
    return e ? e : txn_error(rk, kfk_producer_begin_transaction(rk->producer));
}

rd_kafka_error_t *rd_kafka_send_offsets_to_transaction(
    rd_kafka_t *rk, const rd_kafka_topic_partition_list_t *offsets,
    const rd_kafka_consumer_group_metadata_t *cgmetadata, int timeout_ms) {
    rd_kafka_error_t *e = not_transactional(rk);
    if (e) return e;
    if (!offsets || !cgmetadata)
        return rdk_error_new(RD_KAFKA_RESP_ERR__INVALID_ARG, 0, 0, 0,
                             "offsets and cgmetadata are required");
    if (offsets->cnt == 0) return NULL; /* as librdkafka: nothing to do */
    kfk_partition_list *kl = rdk_to_kfk_list(offsets);
    if (!kl) return rdk_error_new(RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE, 0, 0, 0, "Out of memory");
    int rc = kfk_producer_send_offsets_to_transaction(
        rk->producer, kl, (const kfk_group_metadata *)cgmetadata, timeout_ms);
    kfk_partition_list_destroy(kl);
    return txn_error(rk, rc);
}

rd_kafka_error_t *rd_kafka_commit_transaction(rd_kafka_t *rk, int timeout_ms) {
    rd_kafka_error_t *e = not_transactional(rk);
    return e ? e : txn_error(rk, kfk_producer_commit_transaction(rk->producer, timeout_ms));
}

rd_kafka_error_t *rd_kafka_abort_transaction(rd_kafka_t *rk, int timeout_ms) {
    rd_kafka_error_t *e = not_transactional(rk);
    return e ? e : txn_error(rk, kfk_producer_abort_transaction(rk->producer, timeout_ms));
}

/* ------------------------------------------------- group metadata */

rd_kafka_consumer_group_metadata_t *rd_kafka_consumer_group_metadata_new(const char *group_id) {
    return rd_kafka_consumer_group_metadata_new_with_genid(group_id, -1, "", NULL);
}

rd_kafka_consumer_group_metadata_t *rd_kafka_consumer_group_metadata_new_with_genid(
    const char *group_id, int32_t generation_id, const char *member_id,
    const char *group_instance_id) {
    return (rd_kafka_consumer_group_metadata_t *)kfk_group_metadata_new(
        group_id, generation_id, member_id, group_instance_id);
}

void rd_kafka_consumer_group_metadata_destroy(rd_kafka_consumer_group_metadata_t *cgmd) {
    kfk_group_metadata_destroy((kfk_group_metadata *)cgmd);
}

/* The serialized form (for bindings that pickle it): a magic, then the
 * generation, then group id, member id and instance id as
 * length-prefixed strings (length -1: NULL). Only this layer reads it. */
static const char gm_magic[4] = {'k', 'g', 'm', 1};

static size_t put_str(char *out, const char *s) {
    int32_t n = s ? (int32_t)strlen(s) : -1;
    if (out) {
        memcpy(out, &n, 4);
        if (n > 0) memcpy(out + 4, s, (size_t)n);
    }
    return 4 + (size_t)(n > 0 ? n : 0);
}

rd_kafka_error_t *rd_kafka_consumer_group_metadata_write(
    const rd_kafka_consumer_group_metadata_t *cgmd, void **bufferp, size_t *sizep) {
    const kfk_group_metadata *gm = (const kfk_group_metadata *)cgmd;
    const char *group = kfk_group_metadata_group_id(gm);
    const char *member = kfk_group_metadata_member_id(gm);
    const char *instance = kfk_group_metadata_group_instance_id(gm);
    int32_t gen = kfk_group_metadata_generation_id(gm);
    size_t size = 4 + 4 + put_str(NULL, group) + put_str(NULL, member) + put_str(NULL, instance);
    char *buf = malloc(size), *p = buf;
    if (!buf) return rdk_error_new(RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE, 0, 0, 0, "Out of memory");
    memcpy(p, gm_magic, 4);
    memcpy(p + 4, &gen, 4);
    p += 8;
    p += put_str(p, group);
    p += put_str(p, member);
    put_str(p, instance);
    *bufferp = buf;
    *sizep = size;
    return NULL;
}

/* Reads one string into *out (malloc'd, NULL for -1); 0 or -1 if short. */
static int get_str(const char **p, const char *end, char **out) {
    int32_t n;
    if (end - *p < 4) return -1;
    memcpy(&n, *p, 4);
    *p += 4;
    *out = NULL;
    if (n < 0) return 0;
    if (end - *p < n) return -1;
    *out = strndup(*p, (size_t)n);
    *p += n;
    return *out ? 0 : -1;
}

rd_kafka_error_t *rd_kafka_consumer_group_metadata_read(rd_kafka_consumer_group_metadata_t **cgmdp,
                                                        const void *buffer, size_t size) {
    const char *p = buffer, *end = p + size;
    char *group = NULL, *member = NULL, *instance = NULL;
    int32_t gen;
    int bad = size < 8 || memcmp(p, gm_magic, 4) != 0;
    if (!bad) {
        memcpy(&gen, p + 4, 4);
        p += 8;
        bad = get_str(&p, end, &group) || get_str(&p, end, &member) ||
              get_str(&p, end, &instance) || !group || p != end;
    }
    if (!bad) *cgmdp = rd_kafka_consumer_group_metadata_new_with_genid(
                  group, gen, member ? member : "", instance);
    free(group);
    free(member);
    free(instance);
    if (bad)
        return rdk_error_new(RD_KAFKA_RESP_ERR__BAD_MSG, 0, 0, 0,
                             "Input buffer is not a serialized consumer group metadata object");
    return *cgmdp ? NULL
                  : rdk_error_new(RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE, 0, 0, 0, "Out of memory");
}
