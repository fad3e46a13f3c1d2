/* Statistics on the layer: statistics.interval.ms with stats_cb (from
 * rd_kafka_poll and rd_kafka_consumer_poll) and as STATS events, from
 * kfk's clients against the broker (KFK_BOOTSTRAP) and from a handle
 * without brokers; the documents carry librdkafka's field names. */
#include <librdkafka/rdkafka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

static const char *bootstrap(void) {
    const char *b = getenv("KFK_BOOTSTRAP");
    return b ? b : "127.0.0.1:29092";
}

typedef struct seen {
    int calls, with_broker, kept;
    char type[16];
} seen;

static int on_stats(rd_kafka_t *rk, char *json, size_t len, void *opaque) {
    seen *s = opaque;
    CHECK_EQ(strlen(json), len);
    char name[300];
    snprintf(name, sizeof name, "{\"name\":\"%s\",", rd_kafka_name(rk));
    CHECK(!strncmp(json, name, strlen(name)));
    CHECK(strstr(json, "\"brokers\":{") != NULL);
    CHECK(strstr(json, "\"topics\":{") != NULL);
    if (strstr(json, "\"type\":\"producer\"")) snprintf(s->type, sizeof s->type, "producer");
    if (strstr(json, "\"type\":\"consumer\"")) snprintf(s->type, sizeof s->type, "consumer");
    if (strstr(json, "\"nodeid\":")) s->with_broker++;
    s->calls++;
    /* keeping the document (returning 1) makes it the application's */
    if (s->kept == 0) {
        s->kept = 1;
        rd_kafka_mem_free(rk, json);
        return 1;
    }
    return 0;
}

static rd_kafka_conf_t *conf_with(seen *s, const char *brokers) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char err[512];
    if (brokers) rd_kafka_conf_set(conf, "bootstrap.servers", brokers, err, sizeof err);
    rd_kafka_conf_set(conf, "statistics.interval.ms", "100", err, sizeof err);
    rd_kafka_conf_set_stats_cb(conf, on_stats);
    rd_kafka_conf_set_opaque(conf, s);
    return conf;
}

TEST(producer_stats_cb) {
    seen s = {0};
    char err[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf_with(&s, bootstrap()), err, sizeof err);
    REQUIRE(rk);
    CHECK_EQ(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC("rdk-stats-test"), RD_KAFKA_V_VALUE("x", 1),
                               RD_KAFKA_V_END),
             0);
    for (int i = 0; i < 30 && s.with_broker < 2; i++) rd_kafka_poll(rk, 100);
    CHECK(s.calls >= 2);
    CHECK(s.with_broker >= 2);
    CHECK_STR(s.type, "producer");
    rd_kafka_flush(rk, 5000);
    rd_kafka_destroy(rk);
}

TEST(consumer_stats_cb) {
    seen s = {0};
    char err[512];
    rd_kafka_conf_t *conf = conf_with(&s, bootstrap());
    rd_kafka_conf_set(conf, "group.id", "rdk-stats-test", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    REQUIRE(rk);
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, "rdk-stats-test", RD_KAFKA_PARTITION_UA);
    CHECK_EQ(rd_kafka_subscribe(rk, l), 0);
    rd_kafka_topic_partition_list_destroy(l);
    for (int i = 0; i < 50 && s.with_broker < 2; i++) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (m) rd_kafka_message_destroy(m);
    }
    CHECK(s.calls >= 2);
    CHECK(s.with_broker >= 2);
    CHECK_STR(s.type, "consumer");
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
}

/* A handle without brokers emits its own documents (no broker) until
 * rd_kafka_brokers_add starts its client, whose documents then come (with
 * delivery reports as events, confluent-kafka-go's way: the layer's thread
 * polling kfk's producer for them takes the documents too). */
TEST(stats_events_before_and_after_brokers) {
    seen s = {0};
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "statistics.interval.ms", "100", err, sizeof err);
    rd_kafka_conf_set_events(conf, RD_KAFKA_EVENT_STATS | RD_KAFKA_EVENT_DR);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    REQUIRE(rk);
    rd_kafka_queue_t *q = rd_kafka_queue_get_main(rk);
    int own = 0;
    for (int i = 0; i < 20 && own < 2; i++) {
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 100);
        if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_STATS) {
            CHECK(!strncmp(rd_kafka_event_stats(ev), "{\"name\":\"rdkafka#producer-", 26));
            const char *json = rd_kafka_event_stats(ev);
            REQUIRE(json);
            CHECK(strstr(json, "\"brokers\":{}") != NULL);
            CHECK(strstr(json, "\"type\":\"producer\"") != NULL);
            own++;
        }
        rd_kafka_event_destroy(ev);
    }
    CHECK_EQ(own, 2);
    CHECK_EQ(rd_kafka_brokers_add(rk, bootstrap()), 1);
    CHECK_EQ(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC("rdk-stats-test"), RD_KAFKA_V_VALUE("x", 1),
                               RD_KAFKA_V_END),
             0);
    for (int i = 0; i < 30 && !s.with_broker; i++) {
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 100);
        const char *json = ev ? rd_kafka_event_stats(ev) : NULL;
        if (json && strstr(json, "\"nodeid\":")) s.with_broker++;
        rd_kafka_event_destroy(ev);
    }
    CHECK(s.with_broker > 0);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
}
