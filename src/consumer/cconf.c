#include "consumer/cconf.h"

#include <stdio.h>
#include <string.h>

#include "core/conf.h"

/* partition.assignment.strategy: a comma-separated list of known names. */
static int parse_assignors(kfk_cconf *out, const char *v, char *errstr, size_t errlen) {
    out->nassignors = 0;
    out->cooperative = 1;
    for (const char *p = v; *p;) {
        p += strspn(p, " ,");
        size_t n = strcspn(p, ", ");
        if (!n) break;
        const kfk_assignor *a = kfk_assignor_find(p, n);
        if (!a || out->nassignors == KFK_MAX_ASSIGNORS) {
            snprintf(errstr, errlen,
                     "Invalid value \"%s\" for configuration \"partition.assignment.strategy\": "
                     "expected up to %d of range, roundrobin, cooperative-sticky",
                     v, KFK_MAX_ASSIGNORS);
            return KFK_ERR_CONFIG;
        }
        out->assignors[out->nassignors++] = a;
        out->cooperative &= a->cooperative;
        p += n;
    }
    if (!out->nassignors) {
        snprintf(errstr, errlen,
                 "Invalid value \"%s\" for configuration \"partition.assignment.strategy\": "
                 "empty",
                 v);
        return KFK_ERR_CONFIG;
    }
    return 0;
}

/* auto.offset.reset's values in conf_keys_consumer.h's order: smallest and
 * largest (kafka-python's first consumer, librdkafka) mean earliest and latest. */
static enum kfk_reset reset_of(int index) {
    static const enum kfk_reset by_index[] = {KFK_RESET_EARLIEST, KFK_RESET_LATEST,
                                              KFK_RESET_NONE, KFK_RESET_EARLIEST,
                                              KFK_RESET_LATEST};
    return by_index[index];
}

int kfk_cconf_from(kfk_cconf *out, const kfk_conf *conf, char *errstr, size_t errlen) {
    const char *group = kfk_conf_str(conf, KFK_CONF_GROUP_ID);
    const char *rack = kfk_conf_str(conf, KFK_CONF_CLIENT_RACK);
    const char *instance = kfk_conf_str(conf, KFK_CONF_GROUP_INSTANCE_ID);
    *out = (kfk_cconf){
        .group_id = *group ? group : NULL,
        .reset = reset_of(kfk_conf_enum(conf, KFK_CONF_AUTO_OFFSET_RESET)),
        .auto_commit = *group && kfk_conf_bool(conf, KFK_CONF_ENABLE_AUTO_COMMIT),
        .auto_commit_interval_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_AUTO_COMMIT_INTERVAL_MS),
        .auto_commit_messages =
            (int32_t)kfk_conf_int(conf, KFK_CONF_AUTO_COMMIT_INTERVAL_MESSAGES),
        .auto_store = kfk_conf_bool(conf, KFK_CONF_ENABLE_AUTO_OFFSET_STORE),
        .fetch_min_bytes = (int32_t)kfk_conf_int(conf, KFK_CONF_FETCH_MIN_BYTES),
        .fetch_max_bytes = (int32_t)kfk_conf_int(conf, KFK_CONF_FETCH_MAX_BYTES),
        .fetch_max_wait_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_FETCH_MAX_WAIT_MS),
        .partition_max_bytes = (int32_t)kfk_conf_int(conf, KFK_CONF_MAX_PARTITION_FETCH_BYTES),
        .read_committed = kfk_conf_enum(conf, KFK_CONF_ISOLATION_LEVEL) == 1,
        .check_crcs = kfk_conf_bool(conf, KFK_CONF_CHECK_CRCS),
        .rack = rack,
        .max_poll_records = (int32_t)kfk_conf_int(conf, KFK_CONF_MAX_POLL_RECORDS),
        .queue_max_bytes = kfk_conf_int(conf, KFK_CONF_FETCH_QUEUE_MAX_BYTES),
        .partition_eof = kfk_conf_bool(conf, KFK_CONF_ENABLE_PARTITION_EOF),
        .fetch_sessions = kfk_conf_bool(conf, KFK_CONF_ENABLE_FETCH_SESSIONS),
        .request_timeout_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_REQUEST_TIMEOUT_MS),
        .retry_backoff_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_RETRY_BACKOFF_MS),
        .retry_backoff_max_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_RETRY_BACKOFF_MAX_MS),
        .default_api_timeout_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_DEFAULT_API_TIMEOUT_MS),
        .instance_id = *instance ? instance : NULL,
        .session_timeout_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_SESSION_TIMEOUT_MS),
        .heartbeat_interval_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_HEARTBEAT_INTERVAL_MS),
        .max_poll_interval_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_MAX_POLL_INTERVAL_MS),
        .metadata_max_age_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_METADATA_MAX_AGE_MS),
        .propagation_max_ms =
            (int32_t)kfk_conf_int(conf, KFK_CONF_TOPIC_METADATA_PROPAGATION_MAX_MS),
    };
    if (parse_assignors(out, kfk_conf_str(conf, KFK_CONF_PARTITION_ASSIGNMENT_STRATEGY), errstr,
                        errlen))
        return KFK_ERR_CONFIG;
    const char *remote = kfk_conf_str(conf, KFK_CONF_GROUP_REMOTE_ASSIGNOR);
    out->consumer_protocol = kfk_conf_enum(conf, KFK_CONF_GROUP_PROTOCOL) == 1;
    out->remote_assignor = *remote ? remote : NULL;
    /* The broker assigns incrementally: partitions come and go one by one. */
    if (out->consumer_protocol) out->cooperative = 1;
    /* As in Java: a heartbeat must come well within the session. */
    if (out->heartbeat_interval_ms >= out->session_timeout_ms) {
        snprintf(errstr, errlen,
                 "Invalid value \"%d\" for configuration \"heartbeat.interval.ms\": must be less "
                 "than session.timeout.ms (%d)",
                 (int)out->heartbeat_interval_ms, (int)out->session_timeout_ms);
        return KFK_ERR_CONFIG;
    }
    /* A broker waits fetch.max.wait.ms at most, so a request must outlive it. */
    if (out->fetch_max_wait_ms >= out->request_timeout_ms) {
        snprintf(errstr, errlen,
                 "Invalid value \"%d\" for configuration \"fetch.max.wait.ms\": must be less "
                 "than request.timeout.ms (%d)",
                 (int)out->fetch_max_wait_ms, (int)out->request_timeout_ms);
        return KFK_ERR_CONFIG;
    }
    if (out->fetch_min_bytes > out->fetch_max_bytes) {
        snprintf(errstr, errlen,
                 "Invalid value \"%d\" for configuration \"fetch.min.bytes\": must not exceed "
                 "fetch.max.bytes (%d)",
                 (int)out->fetch_min_bytes, (int)out->fetch_max_bytes);
        return KFK_ERR_CONFIG;
    }
    return 0;
}

int64_t kfk_reset_offset(enum kfk_reset reset) {
    switch (reset) {
    case KFK_RESET_EARLIEST: return KFK_OFFSET_BEGINNING;
    case KFK_RESET_LATEST: return KFK_OFFSET_END;
    case KFK_RESET_NONE: break;
    }
    return KFK_OFFSET_INVALID;
}
