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
        .rebootstrap = 1,
        .rebootstrap_trigger_ms = 300000,
        .connections_max_idle_ms = 540000,
        .retry_backoff_ms = 100,
        .retry_backoff_max_ms = 1000,
        .max_in_flight = 5,
        .receive_message_max_bytes = 100000000, /* librdkafka's, whose key this is */
        .rx_pool_bytes = KFK_RX_POOL_BYTES,
        .allow_auto_create_topics = 1,
        .security_protocol = KFK_SEC_PLAINTEXT,
        .tls = {.endpoint_identification = "https",
                .verify_certificate = 1,
                .protocol = "TLSv1.3",
                .enabled_protocols = "TLSv1.2,TLSv1.3"},
        .sasl = {.mechanism = "GSSAPI"},
        .log = {.level = KFK_LOG_INFO},
    };
}

static kfk_tls_conf tls_from(const kfk_conf *conf) {
    return (kfk_tls_conf){
        .ca_location = kfk_conf_str(conf, KFK_CONF_SSL_CA_LOCATION),
        .truststore_location = kfk_conf_str(conf, KFK_CONF_SSL_TRUSTSTORE_LOCATION),
        .truststore_pem = kfk_conf_str(conf, KFK_CONF_SSL_TRUSTSTORE_CERTIFICATES),
        .truststore_type = kfk_conf_str(conf, KFK_CONF_SSL_TRUSTSTORE_TYPE),
        .truststore_password = kfk_conf_str(conf, KFK_CONF_SSL_TRUSTSTORE_PASSWORD),
        .crl_location = kfk_conf_str(conf, KFK_CONF_SSL_CRL_LOCATION),
        .cert_location = kfk_conf_str(conf, KFK_CONF_SSL_CERTIFICATE_LOCATION),
        .key_location = kfk_conf_str(conf, KFK_CONF_SSL_KEY_LOCATION),
        .keystore_location = kfk_conf_str(conf, KFK_CONF_SSL_KEYSTORE_LOCATION),
        .keystore_chain_pem = kfk_conf_str(conf, KFK_CONF_SSL_KEYSTORE_CERTIFICATE_CHAIN),
        .keystore_key_pem = kfk_conf_str(conf, KFK_CONF_SSL_KEYSTORE_KEY),
        .keystore_type = kfk_conf_str(conf, KFK_CONF_SSL_KEYSTORE_TYPE),
        .keystore_password = kfk_conf_str(conf, KFK_CONF_SSL_KEYSTORE_PASSWORD),
        .key_password = kfk_conf_str(conf, KFK_CONF_SSL_KEY_PASSWORD),
        .endpoint_identification = kfk_conf_str(conf, KFK_CONF_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM),
        .verify_certificate = kfk_conf_bool(conf, KFK_CONF_ENABLE_SSL_CERTIFICATE_VERIFICATION),
        .protocol = kfk_conf_str(conf, KFK_CONF_SSL_PROTOCOL),
        .enabled_protocols = kfk_conf_str(conf, KFK_CONF_SSL_ENABLED_PROTOCOLS),
        .cipher_suites = kfk_conf_str(conf, KFK_CONF_SSL_CIPHER_SUITES),
        .curves_list = kfk_conf_str(conf, KFK_CONF_SSL_CURVES_LIST),
    };
}

static kfk_sasl_conf sasl_from(const kfk_conf *conf) {
    kfk_sasl_conf s = {
        .mechanism = kfk_conf_str(conf, KFK_CONF_SASL_MECHANISM),
        .username = kfk_conf_str(conf, KFK_CONF_SASL_USERNAME),
        .password = kfk_conf_str(conf, KFK_CONF_SASL_PASSWORD),
        .jaas_config = kfk_conf_str(conf, KFK_CONF_SASL_JAAS_CONFIG),
        .service_name = kfk_conf_str(conf, KFK_CONF_SASL_KERBEROS_SERVICE_NAME),
        .principal = kfk_conf_str(conf, KFK_CONF_SASL_KERBEROS_PRINCIPAL),
        .keytab = kfk_conf_str(conf, KFK_CONF_SASL_KERBEROS_KEYTAB),
        .kinit_cmd = kfk_conf_is_set(conf, KFK_CONF_SASL_KERBEROS_KINIT_CMD)
                         ? kfk_conf_str(conf, KFK_CONF_SASL_KERBEROS_KINIT_CMD)
                         : NULL,
        .min_relogin_ms = kfk_conf_int(conf, KFK_CONF_SASL_KERBEROS_MIN_TIME_BEFORE_RELOGIN),
        .oauth_method = kfk_conf_str(conf, KFK_CONF_SASL_OAUTHBEARER_METHOD),
        .token_endpoint_url = kfk_conf_str(conf, KFK_CONF_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL),
        .client_id = kfk_conf_str(conf, KFK_CONF_SASL_OAUTHBEARER_CLIENT_ID),
        .client_secret = kfk_conf_str(conf, KFK_CONF_SASL_OAUTHBEARER_CLIENT_SECRET),
        .scope = kfk_conf_str(conf, KFK_CONF_SASL_OAUTHBEARER_SCOPE),
        .extensions = kfk_conf_str(conf, KFK_CONF_SASL_OAUTHBEARER_EXTENSIONS),
        .https_ca_location = *kfk_conf_str(conf, KFK_CONF_HTTPS_CA_LOCATION)
                                 ? kfk_conf_str(conf, KFK_CONF_HTTPS_CA_LOCATION)
                                 : kfk_conf_str(conf, KFK_CONF_SSL_CA_LOCATION),
    };
    s.token_cb = kfk_conf_token_cb(conf, &s.token_opaque);
    return s;
}

void kfk_core_conf_from(kfk_core_conf *out, const kfk_conf *conf) {
    kfk_log log;
    kfk_log_from_conf(&log, conf);
    *out = (kfk_core_conf){
        .log = log,
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
        .rebootstrap = kfk_conf_enum(conf, KFK_CONF_METADATA_RECOVERY_STRATEGY) == 1,
        .rebootstrap_trigger_ms =
            (int32_t)kfk_conf_int(conf, KFK_CONF_METADATA_RECOVERY_REBOOTSTRAP_TRIGGER_MS),
        .connections_max_idle_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_CONNECTIONS_MAX_IDLE_MS),
        .retry_backoff_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_RETRY_BACKOFF_MS),
        .retry_backoff_max_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_RETRY_BACKOFF_MAX_MS),
        .max_in_flight = (int32_t)kfk_conf_int(conf, KFK_CONF_MAX_IN_FLIGHT),
        .receive_message_max_bytes = (int32_t)kfk_conf_int(conf, KFK_CONF_RECEIVE_MESSAGE_MAX_BYTES),
        .rx_pool_bytes = KFK_RX_POOL_BYTES,
        .allow_auto_create_topics = kfk_conf_bool(conf, KFK_CONF_ALLOW_AUTO_CREATE_TOPICS),
        .security_protocol =
            (enum kfk_security_protocol)kfk_conf_enum(conf, KFK_CONF_SECURITY_PROTOCOL),
        .tls = tls_from(conf),
        .sasl = sasl_from(conf),
    };
}
