#include <string.h>

#include "client/core_conf.h"
#include "core/conf.h"
#include "kfk.h"
#include "test.h"

TEST(defaults_and_set) {
    kfk_conf *c = kfk_conf_new();
    char err[256];
    REQUIRE(c != NULL);
    CHECK_STR(kfk_conf_get(c, "request.timeout.ms"), "30000");
    CHECK_EQ(kfk_conf_int(c, KFK_CONF_REQUEST_TIMEOUT_MS), 30000);
    CHECK_EQ(kfk_conf_set(c, "request.timeout.ms", "1500", err, sizeof err), 0);
    CHECK_EQ(kfk_conf_int(c, KFK_CONF_REQUEST_TIMEOUT_MS), 1500);
    CHECK_EQ(kfk_conf_set(c, "security.protocol", "sasl_ssl", err, sizeof err), 0);
    CHECK_EQ(kfk_conf_enum(c, KFK_CONF_SECURITY_PROTOCOL), 3);
    kfk_conf *d = kfk_conf_dup(c);
    kfk_conf_destroy(c);
    REQUIRE(d != NULL);
    CHECK_STR(kfk_conf_get(d, "request.timeout.ms"), "1500");
    kfk_conf_destroy(d);
}

TEST(errors_name_key_and_value) {
    kfk_conf *c = kfk_conf_new();
    char err[256];
    CHECK_EQ(kfk_conf_set(c, "no.such.key", "1", err, sizeof err), KFK_ERR_CONFIG);
    CHECK(strstr(err, "no.such.key") != NULL);
    CHECK_EQ(kfk_conf_set(c, "request.timeout.ms", "abc", err, sizeof err), KFK_ERR_CONFIG);
    CHECK(strstr(err, "request.timeout.ms") && strstr(err, "\"abc\""));
    CHECK_EQ(kfk_conf_set(c, "request.timeout.ms", "0", err, sizeof err), KFK_ERR_CONFIG);
    CHECK_EQ(kfk_conf_set(c, "request.timeout.ms", "99999999999", err, sizeof err), KFK_ERR_CONFIG);
    CHECK_EQ(kfk_conf_set(c, "security.protocol", "TLS", err, sizeof err), KFK_ERR_CONFIG);
    CHECK(strstr(err, "PLAINTEXT|SSL") != NULL);
    CHECK_EQ(kfk_conf_int(c, KFK_CONF_REQUEST_TIMEOUT_MS), 30000); /* unchanged */
    kfk_conf_destroy(c);
}

TEST(aliases) {
    kfk_conf *c = kfk_conf_new();
    char err[256];
    CHECK_EQ(kfk_conf_set(c, "metadata.broker.list", "h:1", err, sizeof err), 0);
    CHECK_STR(kfk_conf_str(c, KFK_CONF_BOOTSTRAP_SERVERS), "h:1");
    kfk_conf_destroy(c);
}

static int count_key(void *opaque, const char *name, const char *def, const char *allowed,
                     const char *doc) {
    (*(int *)opaque)++;
    return name[0] == '\0' || !def || !allowed || !doc;
}

TEST(key_listing) {
    int n = 0;
    kfk_conf_keys(count_key, &n);
    CHECK_EQ(n, KFK_CONF_COUNT);
}

TEST(core_defaults_match_the_key_table) {
    kfk_conf *c = kfk_conf_new();
    kfk_core_conf from, defaults;
    kfk_core_conf_from(&from, c);
    kfk_core_conf_defaults(&defaults);
    CHECK_STR(from.client_id, defaults.client_id);
    CHECK_EQ(from.request_timeout_ms, defaults.request_timeout_ms);
    CHECK_EQ(from.reconnect_backoff_ms, defaults.reconnect_backoff_ms);
    CHECK_EQ(from.reconnect_backoff_max_ms, defaults.reconnect_backoff_max_ms);
    CHECK_EQ(from.socket_connection_setup_timeout_ms, defaults.socket_connection_setup_timeout_ms);
    CHECK_EQ(from.socket_connection_setup_timeout_max_ms,
             defaults.socket_connection_setup_timeout_max_ms);
    CHECK_EQ(from.metadata_max_age_ms, defaults.metadata_max_age_ms);
    CHECK_EQ(from.retry_backoff_ms, defaults.retry_backoff_ms);
    CHECK_EQ(from.retry_backoff_max_ms, defaults.retry_backoff_max_ms);
    CHECK_EQ(from.max_in_flight, defaults.max_in_flight);
    CHECK_EQ(from.receive_message_max_bytes, defaults.receive_message_max_bytes);
    CHECK_EQ(from.allow_auto_create_topics, defaults.allow_auto_create_topics);
    kfk_conf_destroy(c);
}
