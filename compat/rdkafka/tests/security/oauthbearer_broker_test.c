/* OAUTHBEARER tokens set by a librdkafka program's refresh callback, over
 * the secured broker's SASL_PLAINTEXT listener (its unsecured validator
 * takes a JWT with alg none): a producer served by the background thread
 * (as confluent-kafka's Python binding sets it up), a consumer served by
 * its poll, and a refresh callback that fails. */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

enum { MESSAGES = 200 };

static int64_t now_ms(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void b64url(const char *in, char *out) {
    static const char tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t n = strlen(in), o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned char)in[i] << 16 |
                     (i + 1 < n ? (unsigned char)in[i + 1] << 8 : 0) |
                     (i + 2 < n ? (unsigned char)in[i + 2] : 0);
        out[o++] = tab[v >> 18];
        out[o++] = tab[(v >> 12) & 63];
        if (i + 1 < n) out[o++] = tab[(v >> 6) & 63];
        if (i + 2 < n) out[o++] = tab[v & 63];
    }
    out[o] = '\0';
}

static int refreshes, fail_refresh;

/* Answers every refresh with a fresh unsecured token for "alice", valid
 * 60 s, or with a failure. */
static void refresh_cb(rd_kafka_t *rk, const char *config, void *opaque) {
    (void)config, (void)opaque;
    __atomic_add_fetch(&refreshes, 1, __ATOMIC_SEQ_CST);
    if (fail_refresh) {
        rd_kafka_oauthbearer_set_token_failure(rk, "the identity provider is away");
        return;
    }
    int64_t exp = now_ms() + 60000;
    char claims[128], hdr[64], body[256], token[512], errstr[256];
    snprintf(claims, sizeof claims, "{\"sub\":\"alice\",\"iat\":%lld,\"exp\":%lld}",
             (long long)(now_ms() / 1000), (long long)(exp / 1000));
    b64url("{\"alg\":\"none\"}", hdr);
    b64url(claims, body);
    snprintf(token, sizeof token, "%s.%s.", hdr, body);
    rd_kafka_resp_err_t err =
        rd_kafka_oauthbearer_set_token(rk, token, exp, "alice", NULL, 0, errstr, sizeof errstr);
    if (err) kfk_test_fail(__FILE__, __LINE__, "set_token: %s", errstr);
}

static rd_kafka_resp_err_t auth_error;

static void error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
    (void)rk, (void)reason, (void)opaque;
    if (err == RD_KAFKA_RESP_ERR__AUTHENTICATION) auth_error = err;
}

static int delivered, failed;

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk, (void)opaque;
    if (m->err) failed++;
    else delivered++;
}

static rd_kafka_conf_t *oauth_conf(const char *bootstrap) {
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    const char *kv[] = {"bootstrap.servers", bootstrap, "security.protocol", "SASL_PLAINTEXT",
                        "sasl.mechanism", "OAUTHBEARER"};
    for (size_t i = 0; i < sizeof kv / sizeof *kv; i += 2)
        CHECK_EQ(rd_kafka_conf_set(conf, kv[i], kv[i + 1], errstr, sizeof errstr),
                 RD_KAFKA_CONF_OK);
    rd_kafka_conf_set_oauthbearer_token_refresh_cb(conf, refresh_cb);
    rd_kafka_conf_set_error_cb(conf, error_cb);
    return conf;
}

TEST(tokens_from_the_background_thread_and_from_poll) {
    const char *bootstrap = getenv("KFK_BOOTSTRAP_SASL_PLAINTEXT");
    REQUIRE(bootstrap && *bootstrap);
    char topic[64], errstr[512];
    snprintf(topic, sizeof topic, "rdk-oauth-%ld-%d", (long)time(NULL), getpid());

    refreshes = 0;
    rd_kafka_conf_t *conf = oauth_conf(bootstrap);
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_conf_enable_sasl_queue(conf, 1);
    rd_kafka_t *p = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    REQUIRE(p);
    rd_kafka_error_t *e = rd_kafka_sasl_background_callbacks_enable(p);
    CHECK(e == NULL);
    if (e) rd_kafka_error_destroy(e);
    for (int i = 0; i < MESSAGES; i++) {
        char v[32];
        int n = snprintf(v, sizeof v, "m%d", i);
        CHECK_EQ(rd_kafka_producev(p, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE(v, (size_t)n),
                                   RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
                 RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    CHECK_EQ(rd_kafka_flush(p, 60000), RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(delivered, MESSAGES);
    CHECK_EQ(failed, 0);
    CHECK(__atomic_load_n(&refreshes, __ATOMIC_SEQ_CST) >= 1);
    rd_kafka_destroy(p);

    /* A consumer without the SASL queue: its poll serves the refresh. */
    refreshes = 0;
    conf = oauth_conf(bootstrap);
    char group[96];
    snprintf(group, sizeof group, "%s-g", topic);
    rd_kafka_conf_set(conf, "group.id", group, errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", errstr, sizeof errstr);
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    REQUIRE(c);
    rd_kafka_poll_set_consumer(c);
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(sub, topic, RD_KAFKA_PARTITION_UA);
    CHECK_EQ(rd_kafka_subscribe(c, sub), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(sub);
    int got = 0;
    for (int64_t end = now_ms() + 60000; got < MESSAGES && now_ms() < end;) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 500);
        if (!m) continue;
        if (!m->err) got++;
        rd_kafka_message_destroy(m);
    }
    CHECK_EQ(got, MESSAGES);
    CHECK(refreshes >= 1);
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
}

TEST(a_failed_refresh_is_an_authentication_error) {
    const char *bootstrap = getenv("KFK_BOOTSTRAP_SASL_PLAINTEXT");
    REQUIRE(bootstrap && *bootstrap);
    char errstr[512];
    fail_refresh = 1;
    auth_error = 0;
    rd_kafka_t *p = rd_kafka_new(RD_KAFKA_PRODUCER, oauth_conf(bootstrap), errstr, sizeof errstr);
    REQUIRE(p);
    const struct rd_kafka_metadata *md = NULL;
    /* No token: metadata cannot be had, and the failure is reported. */
    for (int64_t end = now_ms() + 10000; !auth_error && now_ms() < end;) rd_kafka_poll(p, 100);
    CHECK_EQ(auth_error, RD_KAFKA_RESP_ERR__AUTHENTICATION);
    CHECK(rd_kafka_metadata(p, 0, NULL, &md, 2000) != RD_KAFKA_RESP_ERR_NO_ERROR);
    if (md) rd_kafka_metadata_destroy(md);
    rd_kafka_destroy(p);
    fail_refresh = 0;
}
