/* Messages kcat (librdkafka) and kfk's own producer wrote with every codec
 * come out of kfk's consumer exactly: content, per-partition order,
 * offsets, timestamps, headers; then poll times out. */
#include "consume_it.h"

enum { N0 = 300, N1 = 120 };

static void count_failure(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    if (d->err) (*(int *)opaque)++;
}

/* Writes the messages cit_kcat writes, with kfk's producer and header src=kfk. */
static int produce_with_kfk(const char *boot, const char *topic, const char *codec) {
    kfk_conf *conf = kfk_conf_new();
    char err[256];
    if (kfk_conf_set(conf, "bootstrap.servers", boot, err, sizeof err) ||
        kfk_conf_set(conf, "compression.type", codec, err, sizeof err)) {
        kfk_conf_destroy(conf);
        return -1;
    }
    int failed = 0;
    kfk_producer_callbacks cbs = {.delivery = count_failure, .opaque = &failed};
    kfk_producer *p = kfk_producer_new(conf, &cbs, err, sizeof err);
    if (!p) {
        kfk_conf_destroy(conf);
        return -1;
    }
    kfk_header h = {"src", "kfk", 3};
    for (int part = 0; part < 2; part++) {
        for (int i = 0; i < (part ? N1 : N0); i++) {
            char key[64], value[64];
            int kl = snprintf(key, sizeof key, "%s-key-%d", codec, i);
            int vl = snprintf(value, sizeof value, "%s-value-%d", codec, i);
            kfk_message m = {.topic = topic, .partition = part, .key = key, .key_len = (size_t)kl,
                             .value = value, .value_len = (size_t)vl, .headers = &h,
                             .header_count = 1};
            if (kfk_producer_send(p, &m, 0)) failed++;
        }
    }
    if (kfk_producer_flush(p, 30000)) failed++;
    kfk_producer_destroy(p);
    return failed ? -1 : 0;
}

static void check_codec(const char *codec, const char *producer) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128];
    REQUIRE(cit_topic(boot, topic, sizeof topic, codec, 2) == 0);
    if (strcmp(producer, "kcat") == 0) {
        REQUIRE(cit_kcat(boot, topic, 0, codec, codec, 0, N0) == 0);
        REQUIRE(cit_kcat(boot, topic, 1, codec, codec, 0, N1) == 0);
    } else {
        REQUIRE(produce_with_kfk(boot, topic, codec) == 0);
    }

    kfk_consumer *c = cit_consumer(boot, "auto.offset.reset", "earliest", NULL);
    REQUIRE(c);
    REQUIRE(cit_assign(c, topic, 2, KFK_OFFSET_BEGINNING) == 0);
    static kfk_consumer_message *msgs[N0 + N1];
    int got = cit_drain(c, msgs, N0 + N1, 20000);
    CHECK_EQ(got, N0 + N1);
    int next[2] = {0, 0};
    for (int i = 0; i < got; i++) {
        kfk_consumer_message *m = msgs[i];
        CHECK_STR(m->topic, topic);
        REQUIRE(m->partition == 0 || m->partition == 1);
        int want = next[m->partition]++;
        CHECK_EQ(m->offset, want);
        if (!cit_is(m, codec, want))
            kfk_test_fail(__FILE__, __LINE__, "p%d o%lld: key \"%.*s\" value \"%.*s\"",
                          (int)m->partition, (long long)m->offset, m->key ? (int)m->key_len : 6,
                          m->key ? (const char *)m->key : "(null)",
                          m->value ? (int)m->value_len : 6,
                          m->value ? (const char *)m->value : "(null)");
        CHECK_EQ(m->timestamp_type, KFK_TIMESTAMP_CREATE);
        CHECK(m->broker_id >= 0);
        CHECK(m->timestamp > 1600000000000LL);
        REQUIRE_EQ(m->header_count, 1);
        CHECK_STR(m->headers[0].name, "src");
        CHECK_EQ(m->headers[0].value_len, strlen(producer));
        if (m->headers[0].value_len == strlen(producer))
            CHECK_MEM(m->headers[0].value, producer, strlen(producer));
    }
    CHECK_EQ(next[0], N0);
    CHECK_EQ(next[1], N1);
    /* Nothing more arrives: the consumer times out. */
    int64_t t0 = it_now_ms();
    CHECK(kfk_consumer_poll(c, 300) == NULL);
    CHECK(it_now_ms() - t0 >= 250);
    cit_release_all(msgs, got);
    kfk_consumer_destroy(c);
}

TEST(codec_none) { check_codec("none", "kcat"); }
TEST(codec_gzip) { check_codec("gzip", "kcat"); }
TEST(codec_snappy) { check_codec("snappy", "kcat"); }
TEST(codec_lz4) { check_codec("lz4", "kcat"); }
TEST(codec_zstd) { check_codec("zstd", "kcat"); }
TEST(kfk_produced_none) { check_codec("none", "kfk"); }
TEST(kfk_produced_gzip) { check_codec("gzip", "kfk"); }
TEST(kfk_produced_snappy) { check_codec("snappy", "kfk"); }
TEST(kfk_produced_lz4) { check_codec("lz4", "kfk"); }
TEST(kfk_produced_zstd) { check_codec("zstd", "kfk"); }
