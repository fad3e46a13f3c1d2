/* Logging and errors on the layer: kfk's lines reach log_cb and the log
 * queue with librdkafka's fac, level and debug contexts (librdkafka-only
 * contexts accepted); broker failures reach error_cb and the main queue's
 * ERROR events as librdkafka's _TRANSPORT and _ALL_BROKERS_DOWN. */
#include <librdkafka/rdkafka.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

static const char *bootstrap(void) {
    const char *b = getenv("KFK_BOOTSTRAP");
    return b ? b : "127.0.0.1:29092";
}

/* A consumer subscribed to a topic (so that kfk connects), on brokers. */
static rd_kafka_t *consumer(rd_kafka_conf_t *conf, const char *brokers) {
    char err[512];
    rd_kafka_conf_set(conf, "bootstrap.servers", brokers, err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", "rdk-log-test", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) return NULL;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, "rdk-log-test", RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    return rk;
}

static atomic_int transport, all_down, other_err;
static char transport_reason[512];

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
    (void)rk;
    (void)opaque;
    if (err == RD_KAFKA_RESP_ERR__TRANSPORT) {
        if (atomic_fetch_add(&transport, 1) == 0)
            snprintf(transport_reason, sizeof transport_reason, "%s", reason);
    } else if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        CHECK_STR(reason, "1/1 brokers are down");
        atomic_fetch_add(&all_down, 1);
    } else {
        atomic_fetch_add(&other_err, 1);
    }
}

/* Nothing listens on port 1: one _TRANSPORT naming the broker (the
 * identical failures after it are suppressed, as librdkafka's for 30 s),
 * one _ALL_BROKERS_DOWN. */
TEST(error_cb_broker_down) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_error_cb(conf, on_error);
    rd_kafka_conf_set_log_cb(conf, NULL); /* no FAIL lines on stderr */
    rd_kafka_t *rk = consumer(conf, "127.0.0.1:1");
    REQUIRE(rk);
    for (int i = 0; i < 30; i++) rd_kafka_poll(rk, 100);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    CHECK_EQ(atomic_load(&transport), 1);
    CHECK(strstr(transport_reason, "127.0.0.1:1/") == transport_reason);
    CHECK(strstr(transport_reason, "Connection refused") != NULL);
    CHECK_EQ(atomic_load(&all_down), 1);
    CHECK_EQ(atomic_load(&other_err), 0);
}

/* With rd_kafka_poll_set_consumer, rd_kafka_consumer_poll serves them
 * to error_cb too (librdkafka's client errors are never messages). */
TEST(error_cb_from_consumer_poll) {
    atomic_store(&transport, 0);
    atomic_store(&all_down, 0);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_error_cb(conf, on_error);
    rd_kafka_conf_set_log_cb(conf, NULL);
    rd_kafka_t *rk = consumer(conf, "127.0.0.1:1");
    REQUIRE(rk);
    CHECK_EQ(rd_kafka_poll_set_consumer(rk), 0);
    for (int i = 0; i < 30 && !atomic_load(&all_down); i++) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        CHECK(m == NULL);
        if (m) rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    CHECK_EQ(atomic_load(&transport), 1);
    CHECK_EQ(atomic_load(&all_down), 1);
}

/* Without error_cb the same errors are ERROR events on the main queue. */
TEST(error_events_broker_down) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_events(conf, RD_KAFKA_EVENT_ERROR);
    rd_kafka_conf_set_log_cb(conf, NULL);
    rd_kafka_t *rk = consumer(conf, "127.0.0.1:1");
    REQUIRE(rk);
    rd_kafka_queue_t *q = rd_kafka_queue_get_main(rk);
    int got_transport = 0, got_down = 0;
    for (int i = 0; i < 50 && !(got_transport && got_down); i++) {
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 100);
        if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_ERROR) {
            CHECK(!rd_kafka_event_error_is_fatal(ev));
            got_transport |= rd_kafka_event_error(ev) == RD_KAFKA_RESP_ERR__TRANSPORT;
            got_down |= rd_kafka_event_error(ev) == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN;
            CHECK(strlen(rd_kafka_event_error_string(ev)) > 0);
        }
        rd_kafka_event_destroy(ev);
    }
    CHECK(got_transport);
    CHECK(got_down);
    rd_kafka_queue_destroy(q);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
}

static atomic_int broker_debug, other_debug, info_or_worse;

static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    (void)rk;
    (void)buf;
    if (level == 7 && !strcmp(fac, "BROKER"))
        atomic_fetch_add(&broker_debug, 1);
    else if (level == 7)
        atomic_fetch_add(&other_debug, 1);
    else
        atomic_fetch_add(&info_or_worse, 1);
}

/* debug=broker plus contexts only librdkafka has: broker lines come with
 * fac BROKER at level 7, no other context's debug lines come, no error. */
TEST(log_cb_debug_contexts) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char err[512];
    CHECK_EQ(rd_kafka_conf_set(conf, "debug", "broker,feature,queue,mock,conf,assignor,plugin",
                               err, sizeof err),
             RD_KAFKA_CONF_OK);
    rd_kafka_conf_set_log_cb(conf, on_log);
    rd_kafka_t *rk = consumer(conf, bootstrap());
    REQUIRE(rk);
    for (int i = 0; i < 20 && !atomic_load(&broker_debug); i++) rd_kafka_poll(rk, 100);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    CHECK(atomic_load(&broker_debug) > 0);
    CHECK_EQ(atomic_load(&other_debug), 0);
    CHECK_EQ(atomic_load(&info_or_worse), 0);

    /* without debug, the broker lines the layer watches are not passed on */
    atomic_store(&broker_debug, 0);
    conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, on_log);
    rk = consumer(conf, bootstrap());
    REQUIRE(rk);
    for (int i = 0; i < 10; i++) rd_kafka_poll(rk, 100);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    CHECK_EQ(atomic_load(&broker_debug), 0);
    CHECK_EQ(atomic_load(&other_debug), 0);
}

/* log.queue: lines are LOG events on the queue rd_kafka_set_log_queue
 * names, with their debug context. */
TEST(log_queue_events) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char err[512];
    rd_kafka_conf_set(conf, "debug", "broker", err, sizeof err);
    rd_kafka_conf_set(conf, "log.queue", "true", err, sizeof err);
    rd_kafka_t *rk = consumer(conf, bootstrap());
    REQUIRE(rk);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    CHECK_EQ(rd_kafka_set_log_queue(rk, q), 0);
    int got = 0;
    for (int i = 0; i < 50 && !got; i++) {
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 100);
        if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_LOG) {
            const char *fac, *str;
            int level;
            char ctx[64];
            CHECK_EQ(rd_kafka_event_log(ev, &fac, &str, &level), 0);
            CHECK_EQ(rd_kafka_event_debug_contexts(ev, ctx, sizeof ctx), 0);
            CHECK_STR(fac, "BROKER");
            CHECK_STR(ctx, "broker");
            CHECK_EQ(level, 7);
            got = 1;
        }
        rd_kafka_event_destroy(ev);
    }
    CHECK(got);
    rd_kafka_queue_destroy(q);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);

    /* without log.queue there is no log queue to set */
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, rd_kafka_conf_new(), err, sizeof err);
    REQUIRE(rk);
    CHECK_EQ(rd_kafka_set_log_queue(rk, NULL), RD_KAFKA_RESP_ERR__NOT_CONFIGURED);
    rd_kafka_destroy(rk);
}
