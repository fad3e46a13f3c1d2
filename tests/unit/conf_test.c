#include <string.h>

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
