/* The producer's configuration checks: errors name key and value, and
 * idempotence gives way silently only when it was not asked for. */
#include "core/conf.h"
#include "producer/prod_conf.h"
#include "test.h"

static int check(const char *const *kv, kfk_prod_conf *out, char *err, size_t errlen) {
    kfk_conf *c = kfk_conf_new();
    kfk_conf_set(c, "bootstrap.servers", "127.0.0.1:1", err, errlen);
    for (int i = 0; kv && kv[i]; i += 2)
        if (kfk_conf_set(c, kv[i], kv[i + 1], err, errlen)) {
            kfk_conf_destroy(c);
            return -1;
        }
    int rc = kfk_prod_conf_from(out, c, err, errlen);
    kfk_conf_destroy(c);
    return rc;
}

TEST(defaults_are_javas) {
    kfk_prod_conf pc;
    char err[256] = "";
    REQUIRE_EQ(check(NULL, &pc, err, sizeof err), 0);
    CHECK_EQ(pc.acks, -1);
    CHECK_EQ(pc.idempotent, 1);
    CHECK_EQ(pc.linger_ms, 5);
    CHECK_EQ(pc.batch_size, 1000000);
    CHECK_EQ(pc.delivery_timeout_ms, 120000);
    CHECK_EQ(pc.retries, INT32_MAX);
    CHECK_EQ(pc.buffer_memory, 33554432);
    CHECK_EQ(pc.max_block_ms, 60000);
    CHECK_EQ(pc.max_request_size, 1048576);
    CHECK_EQ(pc.codec, KFK_CODEC_NONE);
}

TEST(explicit_idempotence_conflicts_name_key_and_value) {
    kfk_prod_conf pc;
    char err[256] = "";
    CHECK_EQ(check((const char *[]){"enable.idempotence", "true", "acks", "1", NULL}, &pc, err,
                   sizeof err),
             KFK_ERR_CONFIG);
    CHECK(strstr(err, "acks=1") && strstr(err, "enable.idempotence=true"));
    CHECK_EQ(check((const char *[]){"enable.idempotence", "true",
                                    "max.in.flight.requests.per.connection", "6", NULL},
                   &pc, err, sizeof err),
             KFK_ERR_CONFIG);
    CHECK(strstr(err, "max.in.flight.requests.per.connection=6") != NULL);
    CHECK_EQ(check((const char *[]){"enable.idempotence", "true", "retries", "0", NULL}, &pc, err,
                   sizeof err),
             KFK_ERR_CONFIG);
    CHECK(strstr(err, "retries=0") != NULL);
}

TEST(default_idempotence_gives_way) {
    kfk_prod_conf pc;
    char err[256] = "";
    REQUIRE_EQ(check((const char *[]){"acks", "1", NULL}, &pc, err, sizeof err), 0);
    CHECK_EQ(pc.idempotent, 0);
    CHECK_EQ(pc.acks, 1);
    REQUIRE_EQ(check((const char *[]){"acks", "0", NULL}, &pc, err, sizeof err), 0);
    CHECK_EQ(pc.idempotent, 0);
    CHECK_EQ(pc.acks, 0);
    REQUIRE_EQ(check((const char *[]){"request.required.acks", "-1", NULL}, &pc, err, sizeof err),
               0);
    CHECK_EQ(pc.idempotent, 1);
}

TEST(delivery_timeout_covers_linger_and_request_timeout) {
    kfk_prod_conf pc;
    char err[256] = "";
    CHECK_EQ(check((const char *[]){"delivery.timeout.ms", "1000", "request.timeout.ms", "1000",
                                    NULL},
                   &pc, err, sizeof err),
             KFK_ERR_CONFIG);
    CHECK(strstr(err, "delivery.timeout.ms=1000") && strstr(err, "linger.ms=5") &&
          strstr(err, "request.timeout.ms=1000"));
    /* Not set: raised to the floor, as Java does. */
    REQUIRE_EQ(check((const char *[]){"request.timeout.ms", "200000", NULL}, &pc, err, sizeof err),
               0);
    CHECK_EQ(pc.delivery_timeout_ms, 200005);
}

TEST(bad_values_and_levels) {
    kfk_prod_conf pc;
    char err[256] = "";
    CHECK_EQ(check((const char *[]){"acks", "2", NULL}, &pc, err, sizeof err), -1);
    CHECK(strstr(err, "\"2\"") && strstr(err, "\"acks\""));
    CHECK_EQ(check((const char *[]){"compression.type", "brotli", NULL}, &pc, err, sizeof err), -1);
    CHECK(strstr(err, "brotli") != NULL);
    CHECK_EQ(check((const char *[]){"compression.zstd.level", "23", NULL}, &pc, err, sizeof err),
             -1);
    REQUIRE_EQ(check((const char *[]){"compression.type", "lz4", "compression.lz4.level", "17",
                                      NULL},
                     &pc, err, sizeof err),
               0);
    CHECK_EQ(pc.codec, KFK_CODEC_LZ4);
    CHECK_EQ(pc.level, 17);
    REQUIRE_EQ(check((const char *[]){"compression.codec", "gzip", NULL}, &pc, err, sizeof err),
               0);
    CHECK_EQ(pc.codec, KFK_CODEC_GZIP);
    CHECK_EQ(pc.level, KFK_LEVEL_DEFAULT);
}

TEST(bootstrap_servers_required) {
    kfk_prod_conf pc;
    char err[256] = "";
    kfk_conf *c = kfk_conf_new();
    CHECK_EQ(kfk_prod_conf_from(&pc, c, err, sizeof err), KFK_ERR_CONFIG);
    CHECK(strstr(err, "bootstrap.servers") != NULL);
    char e2[256] = "";
    CHECK(kfk_producer_new(c, NULL, e2, sizeof e2) == NULL);
    CHECK(strstr(e2, "bootstrap.servers") != NULL);
    kfk_conf_destroy(c); /* still the caller's after a failure */
}
