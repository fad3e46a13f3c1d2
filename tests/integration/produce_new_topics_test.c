/* Blocking sends to topics the producer has not sent to before: each waits
 * for its topic's metadata, and that Metadata request goes at once, not
 * retry.backoff.ms after the last one (with 20 topics sent to in turn, the
 * old wait added one backoff per topic). The backoff is set far beyond
 * max.block.ms, so a send held back by it fails with KFK_ERR_TIMED_OUT.
 * And each of those requests names only the topics not asked yet, not all
 * before them too (20 topics in turn were 1 + 2 + ... + 20 = 210 names). */
#include <stdio.h>

#include "produce_it.h"

enum { TOPICS = 20 };

static void on_report(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    (void)p;
    atomic_int *ok = opaque;
    if (!d->err) atomic_fetch_add(ok, 1);
}

/* Sums N over the "Metadata request: N topics" debug lines. */
static void count_named(void *opaque, int level, const char *context, const char *message) {
    (void)level;
    (void)context;
    int n;
    if (sscanf(message, "Metadata request: %d topics", &n) == 1)
        atomic_fetch_add((atomic_int *)opaque, n);
}

TEST(sends_to_new_topics_ask_their_metadata_without_backoff) {
    const char *b = it_bootstrap();
    REQUIRE(b);
    char names[TOPICS][128];
    for (int i = 0; i < TOPICS; i++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "newtopic-%d", i);
        it_topic(names[i], sizeof names[i], prefix);
        REQUIRE_EQ(pit_create_topic(b, names[i], 2, -1, NULL), 0);
    }
    atomic_int ok = 0, named = 0;
    kfk_producer_callbacks cbs = {.delivery = on_report, .opaque = &ok};
    const char *settings[] = {"bootstrap.servers", b, "retry.backoff.ms", "20000",
                              "retry.backoff.max.ms", "20000", "max.block.ms", "5000",
                              "debug", "metadata", NULL};
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    for (int i = 0; settings[i]; i += 2)
        REQUIRE_EQ(kfk_conf_set(conf, settings[i], settings[i + 1], err, sizeof err), 0);
    kfk_conf_set_log_cb(conf, count_named, &named);
    kfk_producer *p = kfk_producer_new(conf, &cbs, err, sizeof err);
    if (!p) kfk_conf_destroy(conf);
    REQUIRE(p);
    kfk_producer_poll(p, 1000); /* its first metadata is in: later ones back off */
    int before = atomic_load(&named);
    for (int i = 0; i < TOPICS; i++) {
        kfk_message m = {.topic = names[i], .partition = KFK_PARTITION_ANY, .value = "new",
                         .value_len = 3};
        int rc = kfk_producer_send(p, &m, KFK_SEND_COPY);
        if (rc) kfk_test_fail(__FILE__, __LINE__, "send to %s: %s", names[i], kfk_err_name(rc));
        if (rc) break;
    }
    CHECK_EQ(kfk_producer_flush(p, 30000), 0);
    CHECK_EQ(atomic_load(&ok), TOPICS);
    int asked = atomic_load(&named) - before;
    if (asked > 2 * TOPICS)
        kfk_test_fail(__FILE__, __LINE__,
                      "%d topic names in the Metadata requests for %d new topics", asked, TOPICS);
    kfk_producer_destroy(p);
}
