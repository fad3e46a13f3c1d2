/* Client telemetry (KIP-714) against a broker without a telemetry plugin:
 * the producer and the consumer look for a subscription once, learn there
 * is none (4.4.0 and 3.9.1 offer the APIs only with a ClientTelemetry
 * metrics reporter), and then send nothing: no PushTelemetry, not even at
 * close. enable.metrics.push=false does not even look. Seen through the
 * protocol debug lines. */
#include <string.h>

#include "log_it.h"

static int produce_one(const char *bootstrap, const char *topic, const char *push,
                       log_capture *cap) {
    const char *kv[] = {"enable.metrics.push", push, NULL};
    kfk_conf *pc = log_conf(bootstrap, kv, "protocol", cap);
    char err[256];
    kfk_producer *p = kfk_producer_new(pc, NULL, err, sizeof err);
    if (!p) {
        kfk_conf_destroy(pc);
        kfk_test_fail(__FILE__, __LINE__, "producer: %s", err);
        return -1;
    }
    kfk_message m = {.topic = topic, .partition = 0, .value = "v", .value_len = 1};
    int rc = kfk_producer_send(p, &m, 0);
    if (!rc)
        rc = kfk_producer_flush(p, 30000);
    int crc = kfk_producer_close(p, 10000);
    return rc ? rc : crc;
}

static void no_push(log_capture *cap) {
    CHECK_EQ(log_count(cap, "protocol", "PushTelemetry of"), 0);
    CHECK_EQ(log_count(cap, "protocol", "sent PushTelemetry"), 0);
    CHECK_EQ(log_count(cap, "protocol", "final push"), 0);
}

TEST(producer_asks_once_then_stays_quiet) {
    const char *bootstrap = it_bootstrap();
    REQUIRE(bootstrap);
    char topic[128];
    it_topic(topic, sizeof topic, "telemetry-p");
    log_capture cap;
    log_capture_init(&cap);
    CHECK_EQ(produce_one(bootstrap, topic, "true", &cap), 0);
    CHECK_EQ(log_count(&cap, "protocol", "telemetry: asking for the subscription"), 1);
    /* either the broker does not offer the APIs, or it answers without
     * metrics: both end telemetry for this client */
    int unsupported =
        log_count(&cap, "protocol", "has no GetTelemetrySubscriptions or PushTelemetry");
    int none = log_count(&cap, "protocol", "no metrics subscribed");
    CHECK_EQ(unsupported + none, 1);
    no_push(&cap);
    CHECK(log_count(&cap, "protocol", "closed without a subscription") <= 1);
    log_capture_free(&cap);
}

TEST(disabled_producer_does_not_ask) {
    const char *bootstrap = it_bootstrap();
    REQUIRE(bootstrap);
    char topic[128];
    it_topic(topic, sizeof topic, "telemetry-off");
    log_capture cap;
    log_capture_init(&cap);
    CHECK_EQ(produce_one(bootstrap, topic, "false", &cap), 0);
    CHECK(log_count(&cap, "protocol", "sent Produce v") > 0); /* the lines do arrive */
    CHECK_EQ(log_count(&cap, "protocol", "telemetry:"), 0);
    CHECK_EQ(log_count(&cap, "protocol", "GetTelemetrySubscriptions"), 0);
    log_capture_free(&cap);
}

TEST(consumer_asks_once_then_stays_quiet) {
    const char *bootstrap = it_bootstrap();
    REQUIRE(bootstrap);
    char topic[128], group[160];
    it_topic(topic, sizeof topic, "telemetry-c");
    snprintf(group, sizeof group, "%s-g", topic);
    CHECK_EQ(produce_one(bootstrap, topic, "false", NULL), 0);
    log_capture cap;
    log_capture_init(&cap);
    const char *kv[] = {"group.id", group, "auto.offset.reset", "earliest", NULL};
    kfk_conf *cc = log_conf(bootstrap, kv, "protocol", &cap);
    char err[256];
    kfk_consumer *c = kfk_consumer_new(cc, err, sizeof err);
    REQUIRE(c);
    const char *topics[] = {topic};
    CHECK_EQ(kfk_consumer_subscribe(c, topics, 1), 0);
    int got = 0;
    int64_t end = it_now_ms() + 30000;
    while (!got && it_now_ms() < end) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 500);
        if (m && !m->err)
            got = 1;
        kfk_consumer_message_release(m);
    }
    CHECK(got);
    CHECK_EQ(kfk_consumer_close(c), 0);
    CHECK_EQ(log_count(&cap, "protocol", "telemetry: asking for the subscription"), 1);
    CHECK_EQ(log_count(&cap, "protocol", "has no GetTelemetrySubscriptions or PushTelemetry") +
                 log_count(&cap, "protocol", "no metrics subscribed"),
             1);
    no_push(&cap);
    log_capture_free(&cap);
}
