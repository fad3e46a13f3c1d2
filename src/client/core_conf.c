#include "client/core_conf.h"

#include <stddef.h>

#include "core/conf.h"

void kfk_core_conf_defaults(kfk_core_conf *conf) {
    *conf = (kfk_core_conf){
        .bootstrap_servers = NULL,
        .client_id = "kfk",
        .request_timeout_ms = 30000,
        .reconnect_backoff_ms = 50,
        .reconnect_backoff_max_ms = 1000,
        .socket_connection_setup_timeout_ms = 10000,
        .socket_connection_setup_timeout_max_ms = 30000,
        .metadata_max_age_ms = 300000,
        .retry_backoff_ms = 100,
        .retry_backoff_max_ms = 1000,
        .max_in_flight = 5,
        .receive_message_max_bytes = 100000000, /* librdkafka's, whose key this is */
        .allow_auto_create_topics = 1,
    };
}

void kfk_core_conf_from(kfk_core_conf *out, const kfk_conf *conf) {
    *out = (kfk_core_conf){
        .bootstrap_servers = kfk_conf_str(conf, KFK_CONF_BOOTSTRAP_SERVERS),
        .client_id = kfk_conf_str(conf, KFK_CONF_CLIENT_ID),
        .request_timeout_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_REQUEST_TIMEOUT_MS),
        .reconnect_backoff_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_RECONNECT_BACKOFF_MS),
        .reconnect_backoff_max_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_RECONNECT_BACKOFF_MAX_MS),
        .socket_connection_setup_timeout_ms =
            (int32_t)kfk_conf_int(conf, KFK_CONF_SOCKET_CONNECTION_SETUP_TIMEOUT_MS),
        .socket_connection_setup_timeout_max_ms =
            (int32_t)kfk_conf_int(conf, KFK_CONF_SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS),
        .metadata_max_age_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_METADATA_MAX_AGE_MS),
        .retry_backoff_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_RETRY_BACKOFF_MS),
        .retry_backoff_max_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_RETRY_BACKOFF_MAX_MS),
        .max_in_flight = (int32_t)kfk_conf_int(conf, KFK_CONF_MAX_IN_FLIGHT),
        .receive_message_max_bytes = (int32_t)kfk_conf_int(conf, KFK_CONF_RECEIVE_MESSAGE_MAX_BYTES),
        .allow_auto_create_topics = kfk_conf_bool(conf, KFK_CONF_ALLOW_AUTO_CREATE_TOPICS),
    };
}
