/* Non-blocking keyless sends (KFK_PARTITION_ANY) to a topic the producer
 * has no metadata for yet: the first ones say KFK_ERR_NOENT, and once the
 * Metadata answer names the topic's partitions a send succeeds, whether the
 * topic was created just before or is auto-created by the first send. The
 * producer must take that answer in when it arrives, not at the sender's
 * next unrelated timer. */
#include "produce_it.h"

enum { RETRY_MS = 100, MAX_TRIES = 50 }; /* 5 s: many metadata round trips */

static void on_report(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    (void)p;
    atomic_int *ok = opaque;
    if (!d->err) atomic_fetch_add(ok, 1);
}

/* Tries a non-blocking send every RETRY_MS; returns the number of tries
 * that said NOENT before one succeeded, or -1 (a failure is recorded). */
static int send_until_known(kfk_producer *p, const char *topic) {
    kfk_message m = {.topic = topic, .partition = KFK_PARTITION_ANY, .value = "fresh",
                     .value_len = 5};
    for (int tries = 0; tries < MAX_TRIES; tries++) {
        int rc = kfk_producer_send(p, &m, KFK_SEND_COPY | KFK_SEND_NONBLOCK);
        if (rc == 0) return tries;
        if (rc != KFK_ERR_NOENT) {
            kfk_test_fail(__FILE__, __LINE__, "send to %s: %s", topic, kfk_err_name(rc));
            return -1;
        }
        kfk_producer_poll(p, RETRY_MS);
    }
    kfk_test_fail(__FILE__, __LINE__, "%s: still KFK_ERR_NOENT after %d tries %d ms apart",
                  topic, MAX_TRIES, RETRY_MS);
    return -1;
}

static void check_fresh(const char *topic, int create) {
    const char *b = it_bootstrap();
    REQUIRE(b);
    atomic_int ok = 0;
    kfk_producer_callbacks cbs = {.delivery = on_report, .opaque = &ok};
    kfk_producer *p = pit_producer(b, &cbs, NULL);
    REQUIRE(p);
    /* A producer that has been up and idle a while: its first metadata
     * and producer id are in, its sender has nothing to do. */
    kfk_producer_poll(p, 1000);
    if (create && pit_create_topic(b, topic, 3, -1, NULL)) {
        kfk_producer_destroy(p);
        return;
    }
    int64_t t0 = it_now_ms();
    int noent = send_until_known(p, topic);
    printf("  %s: %d NOENT tries, sent after %lld ms\n", create ? "created" : "auto-created",
           noent, (long long)(it_now_ms() - t0));
    CHECK(noent >= 0);
    /* Known now: the next send goes at once. */
    kfk_message m = {.topic = topic, .partition = KFK_PARTITION_ANY, .value = "again",
                     .value_len = 5};
    if (noent >= 0) CHECK_EQ(kfk_producer_send(p, &m, KFK_SEND_COPY | KFK_SEND_NONBLOCK), 0);
    CHECK_EQ(kfk_producer_flush(p, 30000), 0);
    CHECK_EQ(atomic_load(&ok), noent >= 0 ? 2 : 0);
    kfk_producer_destroy(p);
}

TEST(nonblocking_send_to_just_created_topic_succeeds_once_metadata_arrives) {
    char topic[128];
    it_topic(topic, sizeof topic, "fresh-created");
    check_fresh(topic, 1);
}

TEST(nonblocking_send_to_auto_created_topic_succeeds_once_metadata_arrives) {
    char topic[128];
    it_topic(topic, sizeof topic, "fresh-auto");
    check_fresh(topic, 0);
}
