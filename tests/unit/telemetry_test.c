/* The KIP-714 state machine fed responses and time, no sockets. */
#include "client/telemetry.h"
#include "kfk.h"
#include "test.h"

static kfk_str metric_names[4];

/* A successful subscription answer naming n metric prefixes. */
static kfk_get_telemetry_subscriptions_response sub(int32_t id, int32_t interval,
                                                    const char **names, int n) {
    kfk_get_telemetry_subscriptions_response r;
    kfk_get_telemetry_subscriptions_response_init(&r);
    for (int i = 0; i < 16; i++)
        r.client_instance_id.b[i] = (uint8_t)(i + 1);
    r.subscription_id = id;
    r.push_interval_ms = interval;
    r.telemetry_max_bytes = 1 << 20;
    static int8_t codecs[] = {4, 1};
    r.accepted_compression_types.items = codecs;
    r.accepted_compression_types.count = 2;
    for (int i = 0; i < n; i++)
        metric_names[i] = kfk_str_of(names[i]);
    r.requested_metrics.items = metric_names;
    r.requested_metrics.count = n;
    return r;
}

/* Starts, sends the first Get at 0 and receives a subscription. */
static void subscribed(kfk_telemetry *t, const char **names, int n) {
    int64_t wake;
    kfk_telemetry_init(t, 1, 42, 0);
    REQUIRE_EQ(kfk_telemetry_next(t, 0, &wake), KFK_TEL_GET);
    kfk_get_telemetry_subscriptions_response r = sub(7, 1000, names, n);
    REQUIRE_EQ(kfk_telemetry_on_get(t, 0, &r, 10), 0);
}

TEST(asks_at_once_then_pushes_at_the_interval) {
    kfk_telemetry t;
    int64_t wake;
    kfk_telemetry_init(&t, 1, 42, 0);
    REQUIRE_EQ(kfk_telemetry_next(&t, 0, &wake), KFK_TEL_GET);
    kfk_get_telemetry_subscriptions_request gr;
    kfk_telemetry_get_request(&t, &gr);
    CHECK(kfk_uuid_is_zero(&gr.client_instance_id)); /* the broker assigns one */
    /* in flight: nothing else goes */
    CHECK_EQ(kfk_telemetry_next(&t, 5, &wake), KFK_TEL_WAIT);
    const char *names[] = {"org.apache.kafka.producer."};
    kfk_get_telemetry_subscriptions_response r = sub(7, 1000, names, 1);
    CHECK_EQ(kfk_telemetry_on_get(&t, 0, &r, 10), 0);
    CHECK_EQ(t.codec, 4); /* the broker's first preference */
    CHECK_EQ(t.interval_ms, 1000);
    /* the first push is jittered between 0.5 and 1.5 intervals */
    CHECK_EQ(kfk_telemetry_next(&t, 10, &wake), KFK_TEL_WAIT);
    CHECK(wake >= 10 + 500 && wake <= 10 + 1500);
    CHECK_EQ(kfk_telemetry_next(&t, wake - 1, &wake), KFK_TEL_WAIT);
    int64_t first = wake;
    REQUIRE_EQ(kfk_telemetry_next(&t, first, &wake), KFK_TEL_PUSH);
    kfk_push_telemetry_request pr;
    kfk_telemetry_push_request(&t, &pr);
    CHECK_EQ(pr.subscription_id, 7);
    CHECK_EQ(pr.terminating, 0);
    CHECK_MEM(pr.client_instance_id.b, r.client_instance_id.b, 16);
    kfk_telemetry_on_push(&t, 0, 0, 0, first + 3);
    CHECK_EQ(kfk_telemetry_next(&t, first + 3, &wake), KFK_TEL_WAIT);
    CHECK_EQ(wake, first + 3 + 1000); /* then exactly the interval */
    CHECK_EQ(kfk_telemetry_next(&t, wake, &wake), KFK_TEL_PUSH);
    /* the next Get carries the id the broker gave */
    kfk_telemetry_free(&t);
}

TEST(metric_selection_by_prefix_or_star) {
    kfk_telemetry t;
    const char *names[] = {"org.apache.kafka.producer.node.", "org.apache.kafka.consumer.poll"};
    subscribed(&t, names, 2);
    CHECK(kfk_telemetry_wants(&t, "org.apache.kafka.producer.node.request.latency.avg"));
    CHECK(kfk_telemetry_wants(&t, "org.apache.kafka.consumer.poll.idle.ratio.avg"));
    CHECK(!kfk_telemetry_wants(&t, "org.apache.kafka.producer.record.queue.time.avg"));
    kfk_telemetry_free(&t);
    const char *star[] = {"*"};
    subscribed(&t, star, 1);
    CHECK(kfk_telemetry_wants(&t, "org.apache.kafka.producer.record.queue.time.avg"));
    kfk_telemetry_free(&t);
}

TEST(no_metrics_subscribed_means_no_push_and_a_new_question_later) {
    kfk_telemetry t;
    int64_t wake;
    subscribed(&t, NULL, 0);
    CHECK_EQ(t.state, KFK_TEL_SUB_NEEDED);
    CHECK(!kfk_telemetry_wants(&t, "org.apache.kafka.producer.node.request.latency.avg"));
    CHECK_EQ(kfk_telemetry_next(&t, 10, &wake), KFK_TEL_WAIT);
    CHECK_EQ(wake, 10 + 1000);
    CHECK_EQ(kfk_telemetry_next(&t, 1010, &wake), KFK_TEL_GET); /* never PUSH */
    kfk_get_telemetry_subscriptions_request gr;
    kfk_telemetry_get_request(&t, &gr);
    CHECK(!kfk_uuid_is_zero(&gr.client_instance_id));
    /* closing without a subscription sends nothing */
    kfk_telemetry_close(&t, 1020);
    CHECK(kfk_telemetry_done(&t));
    CHECK_EQ(kfk_telemetry_next(&t, 5000, &wake), KFK_TEL_WAIT);
    CHECK_EQ(wake, INT64_MAX);
    kfk_telemetry_free(&t);
}

TEST(disabled_or_unsupported_sends_nothing) {
    kfk_telemetry t;
    int64_t wake;
    kfk_telemetry_init(&t, 0, 1, 0);
    CHECK_EQ(kfk_telemetry_next(&t, 0, &wake), KFK_TEL_WAIT);
    CHECK_EQ(wake, INT64_MAX);
    kfk_telemetry_close(&t, 0);
    CHECK(kfk_telemetry_done(&t));
    kfk_telemetry_free(&t);
    kfk_telemetry_init(&t, 1, 1, 0);
    kfk_telemetry_on_versions(&t, -1, -1); /* 3.9 without a plugin */
    CHECK_EQ(kfk_telemetry_next(&t, 0, &wake), KFK_TEL_WAIT);
    CHECK(kfk_telemetry_done(&t));
    kfk_telemetry_free(&t);
    kfk_telemetry_init(&t, 1, 1, 0);
    kfk_telemetry_on_versions(&t, 0, 0);
    CHECK_EQ(kfk_telemetry_next(&t, 0, &wake), KFK_TEL_GET);
    kfk_telemetry_free(&t);
}

TEST(unknown_subscription_resubscribes_at_once) {
    kfk_telemetry t;
    int64_t wake;
    const char *names[] = {"org.apache.kafka."};
    subscribed(&t, names, 1);
    REQUIRE_EQ(kfk_telemetry_next(&t, 2000, &wake), KFK_TEL_PUSH);
    kfk_telemetry_on_push(&t, 0, 0, KFK_ERR_UNKNOWN_SUBSCRIPTION_ID, 2005);
    CHECK_EQ(kfk_telemetry_next(&t, 2005, &wake), KFK_TEL_GET);
    const char *names2[] = {"org.apache.kafka.consumer."};
    kfk_get_telemetry_subscriptions_response r = sub(8, 500, names2, 1);
    kfk_telemetry_on_get(&t, 0, &r, 2010);
    CHECK_EQ(t.subscription_id, 8);
    CHECK(!kfk_telemetry_wants(&t, "org.apache.kafka.producer.x"));
    CHECK(kfk_telemetry_wants(&t, "org.apache.kafka.consumer.x"));
    /* unsupported compression: the same */
    REQUIRE_EQ(kfk_telemetry_next(&t, 4000, &wake), KFK_TEL_PUSH);
    kfk_telemetry_on_push(&t, 0, 0, KFK_ERR_UNSUPPORTED_COMPRESSION_TYPE, 4001);
    CHECK_EQ(kfk_telemetry_next(&t, 4001, &wake), KFK_TEL_GET);
    kfk_telemetry_free(&t);
}

TEST(errors_back_off_or_turn_it_off) {
    kfk_telemetry t;
    int64_t wake;
    const char *names[] = {"org.apache.kafka."};
    /* no answer at all: ask again after the default five minutes */
    kfk_telemetry_init(&t, 1, 3, 0);
    REQUIRE_EQ(kfk_telemetry_next(&t, 0, &wake), KFK_TEL_GET);
    kfk_telemetry_on_get(&t, KFK_ERR_TRANSPORT, NULL, 100);
    CHECK_EQ(kfk_telemetry_next(&t, 100, &wake), KFK_TEL_WAIT);
    CHECK_EQ(wake, 100 + KFK_TEL_DEFAULT_INTERVAL_MS);
    kfk_telemetry_free(&t);
    /* too large or throttled: ask again after the push interval */
    subscribed(&t, names, 1);
    REQUIRE_EQ(kfk_telemetry_next(&t, 2000, &wake), KFK_TEL_PUSH);
    kfk_telemetry_on_push(&t, 0, 0, KFK_ERR_TELEMETRY_TOO_LARGE, 2000);
    CHECK_EQ(kfk_telemetry_next(&t, 2000, &wake), KFK_TEL_WAIT);
    CHECK_EQ(wake, 3000);
    CHECK_EQ(kfk_telemetry_next(&t, 3000, &wake), KFK_TEL_GET);
    kfk_telemetry_free(&t);
    /* a request the broker will never take: off for good */
    subscribed(&t, names, 1);
    REQUIRE_EQ(kfk_telemetry_next(&t, 2000, &wake), KFK_TEL_PUSH);
    kfk_telemetry_on_push(&t, 0, 0, KFK_ERR_INVALID_RECORD, 2000);
    CHECK(kfk_telemetry_done(&t));
    kfk_telemetry_close(&t, 2100); /* and no final push */
    CHECK_EQ(kfk_telemetry_next(&t, 2100, &wake), KFK_TEL_WAIT);
    kfk_telemetry_free(&t);
    /* the Get refused */
    kfk_telemetry_init(&t, 1, 3, 0);
    REQUIRE_EQ(kfk_telemetry_next(&t, 0, &wake), KFK_TEL_GET);
    kfk_get_telemetry_subscriptions_response r;
    kfk_get_telemetry_subscriptions_response_init(&r);
    r.error_code = KFK_ERR_UNSUPPORTED_VERSION;
    kfk_telemetry_on_get(&t, 0, &r, 1);
    CHECK(kfk_telemetry_done(&t));
    kfk_telemetry_free(&t);
}

TEST(close_sends_one_terminating_push) {
    kfk_telemetry t;
    int64_t wake;
    const char *names[] = {"org.apache.kafka."};
    subscribed(&t, names, 1);
    REQUIRE_EQ(kfk_telemetry_next(&t, 2000, &wake), KFK_TEL_PUSH);
    /* closed while a push is in flight: the final push goes now anyway */
    kfk_telemetry_close(&t, 2001);
    CHECK(!kfk_telemetry_done(&t));
    REQUIRE_EQ(kfk_telemetry_next(&t, 2001, &wake), KFK_TEL_PUSH);
    kfk_push_telemetry_request pr;
    kfk_telemetry_push_request(&t, &pr);
    CHECK_EQ(pr.terminating, 1);
    CHECK_EQ(kfk_telemetry_next(&t, 2002, &wake), KFK_TEL_WAIT);
    kfk_telemetry_on_push(&t, 0, 0, 0, 2003); /* the earlier push's answer */
    CHECK(!kfk_telemetry_done(&t));
    kfk_telemetry_on_push(&t, 1, 0, 0, 2004);
    CHECK(kfk_telemetry_done(&t));
    kfk_telemetry_close(&t, 2005); /* twice: nothing more */
    CHECK_EQ(kfk_telemetry_next(&t, 9999, &wake), KFK_TEL_WAIT);
    kfk_telemetry_free(&t);
}

TEST(close_while_asking_sends_nothing) {
    kfk_telemetry t;
    int64_t wake;
    kfk_telemetry_init(&t, 1, 3, 0);
    REQUIRE_EQ(kfk_telemetry_next(&t, 0, &wake), KFK_TEL_GET);
    kfk_telemetry_close(&t, 1);
    const char *names[] = {"org.apache.kafka."};
    kfk_get_telemetry_subscriptions_response r = sub(7, 1000, names, 1);
    kfk_telemetry_on_get(&t, 0, &r, 2); /* late: ignored */
    CHECK(kfk_telemetry_done(&t));
    CHECK_EQ(kfk_telemetry_next(&t, 5000, &wake), KFK_TEL_WAIT);
    kfk_telemetry_free(&t);
}
