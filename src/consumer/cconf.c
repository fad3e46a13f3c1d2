#include "consumer/cconf.h"

#include <stdio.h>

#include "core/conf.h"

int kfk_cconf_from(kfk_cconf *out, const kfk_conf *conf, char *errstr, size_t errlen) {
    const char *group = kfk_conf_str(conf, KFK_CONF_GROUP_ID);
    const char *rack = kfk_conf_str(conf, KFK_CONF_CLIENT_RACK);
    *out = (kfk_cconf){
        .group_id = *group ? group : NULL,
        .reset = (enum kfk_reset)kfk_conf_enum(conf, KFK_CONF_AUTO_OFFSET_RESET),
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
        .request_timeout_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_REQUEST_TIMEOUT_MS),
        .retry_backoff_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_RETRY_BACKOFF_MS),
        .retry_backoff_max_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_RETRY_BACKOFF_MAX_MS),
    };
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
