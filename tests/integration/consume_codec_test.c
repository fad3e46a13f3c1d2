/* Messages kcat (librdkafka) produced with every codec come out of kfk's
 * consumer exactly: content, per-partition order, offsets, timestamps,
 * headers; then poll times out. */
#include "consume_it.h"

static void check_codec(const char *codec) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128];
    REQUIRE(cit_topic(boot, topic, sizeof topic, codec, 2) == 0);
    enum { N0 = 300, N1 = 120 };
    REQUIRE(cit_kcat(boot, topic, 0, codec, codec, 0, N0) == 0);
    REQUIRE(cit_kcat(boot, topic, 1, codec, codec, 0, N1) == 0);

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
        CHECK(m->timestamp > 1600000000000LL);
        REQUIRE_EQ(m->header_count, 1);
        CHECK_STR(m->headers[0].name, "src");
        CHECK_EQ(m->headers[0].value_len, 4);
        CHECK_MEM(m->headers[0].value, "kcat", 4);
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

TEST(codec_none) { check_codec("none"); }
TEST(codec_gzip) { check_codec("gzip"); }
TEST(codec_snappy) { check_codec("snappy"); }
TEST(codec_lz4) { check_codec("lz4"); }
TEST(codec_zstd) { check_codec("zstd"); }
