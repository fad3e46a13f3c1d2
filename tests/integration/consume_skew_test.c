/* A busy partition held back by the prefetch bound does not wait behind a
 * long-poll Fetch of idle partitions: every message comes exactly once and
 * in order, and no Fetch leaves the busy partition out while it is held
 * back unless fetch.max.wait.ms passed (the counters say so, not a clock).
 * A paused partition over its share holds nothing back. */
#include "consume_it.h"
#include "consumer/consumer_int.h"

/* Long enough that a Fetch going without the held partition means the
 * fix is missing, not that the polling thread stalled on a loaded machine. */
#define MAX_WAIT "3000"

/* Polls until n messages of partition part arrived ("<prefix>-*-<offset>"
 * from offset first), within 60 s; messages of other partitions fail.
 * Returns how many came in order. */
static int take_part(kfk_consumer *c, int part, const char *prefix, int first, int n) {
    int64_t until = it_now_ms() + 60000;
    int got = 0;
    while (got < n && it_now_ms() < until) {
        kfk_consumer_message *batch[256];
        int k = kfk_consumer_poll_batch(c, batch, n - got < 256 ? n - got : 256, 100);
        for (int i = 0; i < k; i++) {
            kfk_consumer_message *m = batch[i];
            if (!m->err) {
                if (m->partition != part || m->offset != first + got ||
                    !cit_is(m, prefix, first + got)) {
                    kfk_test_fail(__FILE__, __LINE__, "partition %d offset %lld: expected %d/%d",
                                  m->partition, (long long)m->offset, part, first + got);
                    until = 0;
                } else {
                    got++;
                }
            }
            kfk_consumer_message_release(m);
        }
    }
    return got;
}

static void print_stats(kfk_consumer *c) {
    kfk_fetch_hold_stats h;
    kfk_consumer_fetch_hold_stats(c, &h);
    kfk_consumer_stats st;
    kfk_consumer_stats_get(c, &st);
    fprintf(stderr, "%lld Fetch requests, %lld deferred looks, %lld sent without a held one\n",
            (long long)st.fetch_requests, (long long)h.deferred, (long long)h.without_held);
}

TEST(busy_partition_goes_with_every_fetch_of_idle_ones) {
    enum { NP = 16, N = 6000 };
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128];
    REQUIRE(cit_topic(boot, topic, sizeof topic, "skew", NP) == 0);
    REQUIRE(cit_kcat(boot, topic, 0, "none", "p0", 0, N) == 0);
    /* A 1 KiB share per partition and 8 KiB per partition and Fetch: the
     * busy partition is held back after every Fetch that carries it. */
    kfk_consumer *c = cit_consumer(boot, "fetch.queue.max.bytes", "16384",
                                   "max.partition.fetch.bytes", "8192", "fetch.max.wait.ms",
                                   MAX_WAIT, NULL);
    REQUIRE(c);
    REQUIRE(cit_assign(c, topic, NP, 0) == 0);
    CHECK_EQ(take_part(c, 0, "p0", 0, N), N);

    kfk_fetch_hold_stats h;
    kfk_consumer_fetch_hold_stats(c, &h);
    kfk_consumer_stats st;
    kfk_consumer_stats_get(c, &st);
    print_stats(c);
    CHECK(h.deferred > 0);         /* the busy partition was held back */
    CHECK_EQ(h.without_held, 0);   /* and no Fetch went without it */
    CHECK(st.fetch_requests <= N / 16); /* no loop of empty fetches */
    kfk_consumer_destroy(c);
}

TEST(paused_partition_over_its_share_holds_nothing_back) {
    enum { N0 = 400, N1 = 50 };
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128];
    REQUIRE(cit_topic(boot, topic, sizeof topic, "skewpause", 2) == 0);
    REQUIRE(cit_kcat(boot, topic, 0, "none", "p0", 0, N0) == 0);
    REQUIRE(cit_kcat(boot, topic, 1, "none", "p1", 0, N1) == 0);
    kfk_consumer *c = cit_consumer(boot, "fetch.queue.max.bytes", "1024",
                                   "max.partition.fetch.bytes", "8192", "fetch.max.wait.ms",
                                   MAX_WAIT, NULL);
    REQUIRE(c);

    /* Partition 0 alone: one message polled leaves it over its share. */
    REQUIRE(cit_assign(c, topic, 1, 0) == 0);
    REQUIRE_EQ(take_part(c, 0, "p0", 0, 1), 1);
    pthread_mutex_lock(&c->lock);
    kfk_cpart *p0 = kfk_cpart_find(c, topic, 0);
    int over = p0 && p0->queued_bytes >= kfk_share(c);
    pthread_mutex_unlock(&c->lock);
    REQUIRE(over);

    /* Paused, then partition 1 added: the lock orders the two, so the
     * fetcher never sees partition 1 without the pause. */
    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, topic, 0);
    CHECK_EQ(kfk_consumer_pause(c, l), 0);
    kfk_partition_list *l1 = kfk_partition_list_new(1);
    kfk_partition_list_add(l1, topic, 1)->offset = 0;
    CHECK_EQ(kfk_consumer_incremental_assign(c, l1), 0);
    kfk_partition_list_destroy(l1);

    /* Partition 0's queued messages come first, then all of partition 1. */
    pthread_mutex_lock(&c->lock);
    int64_t queued = 0;
    for (kfk_consumer_message *m = c->qhead; m; m = kfk_cmsg(m)->next)
        queued += !m->err && m->partition == 0;
    pthread_mutex_unlock(&c->lock);
    CHECK_EQ(take_part(c, 0, "p0", 1, (int)queued), (int)queued);
    CHECK_EQ(take_part(c, 1, "p1", 0, N1), N1);
    kfk_fetch_hold_stats h;
    kfk_consumer_fetch_hold_stats(c, &h);
    print_stats(c);
    CHECK_EQ(h.deferred, 0);

    /* Resumed: the rest of partition 0, exactly once. */
    CHECK_EQ(kfk_consumer_resume(c, l), 0);
    kfk_partition_list_destroy(l);
    CHECK_EQ(take_part(c, 0, "p0", 1 + (int)queued, N0 - 1 - (int)queued),
             N0 - 1 - (int)queued);
    kfk_consumer_destroy(c);
}
