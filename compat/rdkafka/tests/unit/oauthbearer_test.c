/* OAUTHBEARER tokens set by the application (compat/rdkafka/oauthbearer.c),
 * without a broker (bootstrap at a closed port): the refresh event and its
 * callback on the main queue, the SASL queue and the background thread;
 * rd_kafka_oauthbearer_set_token's checks; a failure's error event. */
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

static int refreshes;
static char config_seen[128];
static pthread_t refresh_thread;

static void refresh_cb(rd_kafka_t *rk, const char *config, void *opaque) {
    (void)rk, (void)opaque;
    __atomic_add_fetch(&refreshes, 1, __ATOMIC_SEQ_CST);
    snprintf(config_seen, sizeof config_seen, "%s", config ? config : "(null)");
    refresh_thread = pthread_self();
}

static rd_kafka_resp_err_t last_error;
static char last_error_str[256];

static void error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
    (void)rk, (void)opaque;
    if (err != RD_KAFKA_RESP_ERR__AUTHENTICATION) return; /* the closed port's */
    last_error = err;
    snprintf(last_error_str, sizeof last_error_str, "%s", reason);
}

static rd_kafka_t *oauth_handle(int sasl_queue, const char *extensions) {
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    const char *kv[] = {"bootstrap.servers", "127.0.0.1:9", "security.protocol", "SASL_PLAINTEXT",
                        "sasl.mechanism", "OAUTHBEARER", "sasl.oauthbearer.config",
                        "principal=alice scope=test"};
    for (size_t i = 0; i < sizeof kv / sizeof *kv; i += 2)
        CHECK_EQ(rd_kafka_conf_set(conf, kv[i], kv[i + 1], errstr, sizeof errstr),
                 RD_KAFKA_CONF_OK);
    if (extensions)
        CHECK_EQ(rd_kafka_conf_set(conf, "sasl.oauthbearer.extensions", extensions, errstr,
                                   sizeof errstr),
                 RD_KAFKA_CONF_OK);
    rd_kafka_conf_set_oauthbearer_token_refresh_cb(conf, refresh_cb);
    rd_kafka_conf_set_error_cb(conf, error_cb);
    rd_kafka_conf_enable_sasl_queue(conf, sasl_queue);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk) {
        kfk_test_fail(__FILE__, __LINE__, "rd_kafka_new: %s", errstr);
        rd_kafka_conf_destroy(conf);
    }
    return rk;
}

static int64_t now_ms(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

TEST(refresh_event_served_by_poll_once_until_a_token_is_set) {
    refreshes = 0;
    rd_kafka_t *rk = oauth_handle(0, NULL);
    REQUIRE(rk);
    CHECK(rd_kafka_queue_get_sasl(rk) == NULL); /* the queue was not enabled */
    for (int i = 0; i < 20 && !refreshes; i++) rd_kafka_poll(rk, 100);
    CHECK_EQ(refreshes, 1);
    CHECK_STR(config_seen, "principal=alice scope=test");
    rd_kafka_poll(rk, 200);
    CHECK_EQ(refreshes, 1);

    char errstr[256];
    int64_t exp = now_ms() + 60000;
    CHECK_EQ(rd_kafka_oauthbearer_set_token(rk, "tok", now_ms() - 1, "alice", NULL, 0, errstr,
                                            sizeof errstr),
             RD_KAFKA_RESP_ERR__INVALID_ARG);
    CHECK(strstr(errstr, "Must supply an unexpired token") != NULL);
    const char *odd[] = {"a"};
    CHECK_EQ(rd_kafka_oauthbearer_set_token(rk, "tok", exp, "alice", odd, 1, errstr,
                                            sizeof errstr),
             RD_KAFKA_RESP_ERR__INVALID_ARG);
    CHECK(strstr(errstr, "Incorrect extension size") != NULL);
    const char *reserved[] = {"auth", "x"};
    CHECK_EQ(rd_kafka_oauthbearer_set_token(rk, "tok", exp, "alice", reserved, 2, errstr,
                                            sizeof errstr),
             RD_KAFKA_RESP_ERR__INVALID_ARG);
    const char *unconfigured[] = {"traceId", "1"};
    CHECK_EQ(rd_kafka_oauthbearer_set_token(rk, "tok", exp, "alice", unconfigured, 2, errstr,
                                            sizeof errstr),
             RD_KAFKA_RESP_ERR__INVALID_ARG);
    CHECK(strstr(errstr, "sasl.oauthbearer.extensions") != NULL);
    CHECK_EQ(rd_kafka_oauthbearer_set_token(rk, "", exp, "alice", NULL, 0, errstr, sizeof errstr),
             RD_KAFKA_RESP_ERR__INVALID_ARG);
    CHECK_EQ(rd_kafka_oauthbearer_set_token(rk, "tok", exp, "", NULL, 0, errstr, sizeof errstr),
             RD_KAFKA_RESP_ERR_NO_ERROR); /* as librdkafka: the principal is not checked */
    CHECK_EQ(rd_kafka_oauthbearer_set_token(rk, "tok", exp, "alice", NULL, 0, errstr,
                                            sizeof errstr),
             RD_KAFKA_RESP_ERR_NO_ERROR);

    CHECK_EQ(rd_kafka_oauthbearer_set_token_failure(rk, NULL), RD_KAFKA_RESP_ERR__INVALID_ARG);
    CHECK_EQ(rd_kafka_oauthbearer_set_token_failure(rk, ""), RD_KAFKA_RESP_ERR__INVALID_ARG);
    last_error = 0;
    CHECK_EQ(rd_kafka_oauthbearer_set_token_failure(rk, "the provider said no"),
             RD_KAFKA_RESP_ERR_NO_ERROR);
    for (int i = 0; i < 20 && !last_error; i++) rd_kafka_poll(rk, 100);
    CHECK_EQ(last_error, RD_KAFKA_RESP_ERR__AUTHENTICATION);
    CHECK_STR(last_error_str, "Failed to acquire SASL OAUTHBEARER token: the provider said no");
    rd_kafka_destroy(rk);
}

TEST(extensions_are_the_configured_ones) {
    rd_kafka_t *rk = oauth_handle(0, "logicalCluster=lkc-1,identityPoolId=pool-2");
    REQUIRE(rk);
    char errstr[256];
    int64_t exp = now_ms() + 60000;
    const char *same[] = {"identityPoolId", "pool-2", "logicalCluster", "lkc-1"};
    CHECK_EQ(rd_kafka_oauthbearer_set_token(rk, "tok", exp, "alice", same, 4, errstr,
                                            sizeof errstr),
             RD_KAFKA_RESP_ERR_NO_ERROR);
    const char *fewer[] = {"logicalCluster", "lkc-1"};
    CHECK_EQ(rd_kafka_oauthbearer_set_token(rk, "tok", exp, "alice", fewer, 2, errstr,
                                            sizeof errstr),
             RD_KAFKA_RESP_ERR__INVALID_ARG);
    const char *other[] = {"logicalCluster", "lkc-9", "identityPoolId", "pool-2"};
    CHECK_EQ(rd_kafka_oauthbearer_set_token(rk, "tok", exp, "alice", other, 4, errstr,
                                            sizeof errstr),
             RD_KAFKA_RESP_ERR__INVALID_ARG);
    rd_kafka_destroy(rk);
}

TEST(without_oauthbearer_setting_a_token_is_a_state_error) {
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", "127.0.0.1:9", errstr, sizeof errstr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    REQUIRE(rk);
    CHECK_EQ(rd_kafka_oauthbearer_set_token(rk, "tok", now_ms() + 60000, "alice", NULL, 0,
                                            errstr, sizeof errstr),
             RD_KAFKA_RESP_ERR__STATE);
    CHECK_STR(errstr, "SASL/OAUTHBEARER is not the configured authentication mechanism");
    CHECK_EQ(rd_kafka_oauthbearer_set_token_failure(rk, "x"), RD_KAFKA_RESP_ERR__STATE);
    rd_kafka_error_t *e = rd_kafka_sasl_background_callbacks_enable(rk);
    REQUIRE(e);
    CHECK_EQ(rd_kafka_error_code(e), RD_KAFKA_RESP_ERR__NOT_CONFIGURED);
    rd_kafka_error_destroy(e);
    rd_kafka_destroy(rk);
}

TEST(sasl_queue_carries_the_refresh_event) {
    refreshes = 0;
    rd_kafka_t *rk = oauth_handle(1, NULL);
    REQUIRE(rk);
    rd_kafka_queue_t *q = rd_kafka_queue_get_sasl(rk);
    REQUIRE(q);
    rd_kafka_poll(rk, 100); /* the main queue does not have it */
    CHECK_EQ(refreshes, 0);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 2000);
    REQUIRE(ev);
    CHECK_EQ(rd_kafka_event_type(ev), RD_KAFKA_EVENT_OAUTHBEARER_TOKEN_REFRESH);
    CHECK_STR(rd_kafka_event_config_string(ev), "principal=alice scope=test");
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
}

TEST(background_callbacks_run_the_refresh_callback_on_another_thread) {
    refreshes = 0;
    rd_kafka_t *rk = oauth_handle(1, NULL);
    REQUIRE(rk);
    rd_kafka_error_t *e = rd_kafka_sasl_background_callbacks_enable(rk);
    CHECK(e == NULL);
    if (e) rd_kafka_error_destroy(e);
    for (int i = 0; i < 200 && !__atomic_load_n(&refreshes, __ATOMIC_SEQ_CST); i++)
        usleep(10000);
    CHECK_EQ(__atomic_load_n(&refreshes, __ATOMIC_SEQ_CST), 1);
    CHECK(!pthread_equal(refresh_thread, pthread_self()));
    rd_kafka_destroy(rk);
}
