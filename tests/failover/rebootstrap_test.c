/* The cluster moves (KIP-899): a producer bootstrapped from
 * "A,B" while only cluster A runs learns A's broker; A then stops for good
 * and cluster B starts. With metadata.recovery.strategy=rebootstrap (the
 * default) the producer starts over from the bootstrap list, finds B and
 * delivers there, in order; with none it keeps trying A's broker and
 * reports every later message failed.
 *
 * Then the misrouted case (KIP-1242): another cluster takes over the very
 * address the producer knows a broker at. The producer names the node and
 * cluster it means in ApiVersions v5; the new broker answers
 * REBOOTSTRAP_REQUIRED, and the producer starts over from bootstrap.
 *
 * Clusters are single nodes started here with scripts/kafka-local on
 * KFK_REBOOTSTRAP_PORT (default 29600) and that port + 1, state under
 * KFK_REBOOTSTRAP_DIR (default /tmp/kfk-broker-rebootstrap), and for the
 * misrouted case a second state folder beside it. */
#include <pthread.h>

#include "consume_it.h"
#include "produce_it.h"

#define BEFORE 20
#define AFTER 50

typedef struct outcome {
    pthread_mutex_t lock;
    int ok, failed;
    int next_ok; /* delivered ones must come in send order */
    int out_of_order;
} outcome;

static void on_report(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    (void)p;
    outcome *o = opaque;
    int i = (int)(uintptr_t)d->opaque;
    pthread_mutex_lock(&o->lock);
    if (d->err) {
        o->failed++;
    } else {
        o->ok++;
        if (i < o->next_ok) o->out_of_order++;
        o->next_ok = i + 1;
    }
    pthread_mutex_unlock(&o->lock);
}

static int base_port(void) {
    const char *s = getenv("KFK_REBOOTSTRAP_PORT");
    return s && *s ? atoi(s) : 29600;
}

/* `kafka-local verb` for the single-node cluster on port; state folder
 * variant 0 or 1 (two clusters that take turns on one port). */
static int cluster_in(const char *verb, int port, int variant) {
    const char *dir = getenv("KFK_REBOOTSTRAP_DIR");
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "env KFK_BROKER_NODES=1 KFK_BROKER_PORT=%d KFK_BROKER_DIR=%s%s "
             "%s/scripts/kafka-local %s --nodes 1 >/dev/null",
             port, dir && *dir ? dir : "/tmp/kfk-broker-rebootstrap", variant ? "-other" : "",
             KFK_SOURCE_DIR, verb);
    return system(cmd);
}

static int cluster(const char *verb, int port) { return cluster_in(verb, port, 0); }

static void send_range(kfk_producer *p, const char *topic, int from, int to) {
    for (int i = from; i < to; i++) {
        char value[32];
        int n = snprintf(value, sizeof value, "m%04d", i);
        kfk_message m = {.topic = topic, .partition = 0, .value = value,
                         .value_len = (size_t)n, .opaque = (void *)(uintptr_t)i};
        CHECK_EQ(kfk_producer_send(p, &m, 0), 0);
    }
}

/* Polls until every message sent so far has its report, or timeout. */
static int await_reports(kfk_producer *p, outcome *o, int total, int timeout_ms) {
    int64_t until = it_now_ms() + timeout_ms;
    for (;;) {
        kfk_producer_poll(p, 100);
        pthread_mutex_lock(&o->lock);
        int done = o->ok + o->failed >= total;
        pthread_mutex_unlock(&o->lock);
        if (done) return 1;
        if (it_now_ms() >= until) return 0;
    }
}

TEST(producer_follows_the_cluster_to_its_new_address) {
    int port_a = base_port(), port_b = port_a + 1;
    char boot_a[64], boot_b[64], boot[128];
    snprintf(boot_a, sizeof boot_a, "127.0.0.1:%d", port_a);
    snprintf(boot_b, sizeof boot_b, "127.0.0.1:%d", port_b);
    snprintf(boot, sizeof boot, "%s,%s", boot_a, boot_b);
    cluster("down", port_a);
    cluster("down", port_b);
    REQUIRE_EQ(cluster("up", port_a), 0);

    char topic[128];
    it_topic(topic, sizeof topic, "rebootstrap");
    REQUIRE_EQ(pit_create_topic(boot_a, topic, 1, -1, NULL), 0);
    outcome re = {.lock = PTHREAD_MUTEX_INITIALIZER}, none = {.lock = PTHREAD_MUTEX_INITIALIZER};
    kfk_producer_callbacks cbs_re = {.delivery = on_report, .opaque = &re};
    kfk_producer_callbacks cbs_none = {.delivery = on_report, .opaque = &none};
    /* Short backoffs keep the test quick; the rebootstrap itself needs
     * none of them. */
    kfk_producer *p_re = pit_producer(
        boot, &cbs_re,
        (const char *[]){"request.timeout.ms", "5000", "reconnect.backoff.max.ms", "500", NULL});
    kfk_producer *p_none = pit_producer(
        boot, &cbs_none,
        (const char *[]){"metadata.recovery.strategy", "none", "request.timeout.ms", "5000",
                         "delivery.timeout.ms", "15000", "reconnect.backoff.max.ms", "500",
                         NULL});
    REQUIRE(p_re && p_none);
    send_range(p_re, topic, 0, BEFORE);
    send_range(p_none, topic, 0, BEFORE);
    CHECK(await_reports(p_re, &re, BEFORE, 60000));
    CHECK(await_reports(p_none, &none, BEFORE, 60000));
    CHECK_EQ(re.ok, BEFORE);
    CHECK_EQ(none.ok, BEFORE);

    /* A goes away for good; B, a fresh cluster, takes its place. */
    REQUIRE_EQ(cluster("down", port_a), 0);
    REQUIRE_EQ(cluster("up", port_b), 0);
    REQUIRE_EQ(pit_create_topic(boot_b, topic, 1, -1, NULL), 0);

    send_range(p_re, topic, BEFORE, BEFORE + AFTER);
    send_range(p_none, topic, BEFORE, BEFORE + AFTER);
    /* Bounded by the default delivery.timeout.ms (120 s), not a timing
     * claim: a loaded machine only makes it slower. */
    CHECK(await_reports(p_re, &re, BEFORE + AFTER, 150000));
    CHECK(await_reports(p_none, &none, BEFORE + AFTER, 150000));
    printf("  rebootstrap: %d delivered, %d failed; none: %d delivered, %d failed\n", re.ok,
           re.failed, none.ok, none.failed);
    CHECK_EQ(re.ok, BEFORE + AFTER);
    CHECK_EQ(re.out_of_order, 0);
    CHECK_EQ(none.ok, BEFORE);
    CHECK_EQ(none.failed, AFTER);
    kfk_producer_stats st;
    kfk_producer_stats_get(p_re, &st);
    CHECK(st.rebootstraps >= 1);
    kfk_producer_stats_get(p_none, &st);
    CHECK_EQ(st.rebootstraps, 0);
    kfk_producer_destroy(p_re);
    kfk_producer_destroy(p_none);

    /* B holds exactly the messages sent after the move, in order. */
    kfk_consumer *c = cit_consumer(boot_b, NULL);
    REQUIRE(c);
    REQUIRE_EQ(cit_assign(c, topic, 1, KFK_OFFSET_BEGINNING), 0);
    kfk_consumer_message *m[AFTER + 1];
    int got = cit_drain(c, m, AFTER, 60000);
    CHECK_EQ(got, AFTER);
    for (int i = 0; i < got; i++) {
        char want[32];
        int n = snprintf(want, sizeof want, "m%04d", BEFORE + i);
        CHECK(m[i]->value_len == (size_t)n && memcmp(m[i]->value, want, (size_t)n) == 0);
    }
    cit_release_all(m, got);
    /* Nothing more: no message was written twice. */
    CHECK_EQ(cit_drain(c, m, 1, 2000), 0);
    kfk_consumer_destroy(c);
    CHECK_EQ(cluster("down", port_b), 0);
}

TEST(producer_refuses_another_cluster_at_a_known_address) {
    int port = base_port();
    char boot[64];
    snprintf(boot, sizeof boot, "127.0.0.1:%d", port);
    cluster_in("down", port, 0);
    cluster_in("down", port, 1);
    REQUIRE_EQ(cluster_in("up", port, 0), 0);

    char topic[128];
    it_topic(topic, sizeof topic, "misrouted");
    REQUIRE_EQ(pit_create_topic(boot, topic, 1, -1, NULL), 0);
    outcome o = {.lock = PTHREAD_MUTEX_INITIALIZER};
    kfk_producer_callbacks cbs = {.delivery = on_report, .opaque = &o};
    /* A long reconnect backoff: while the address is dark the link fails
     * once, then waits until the other cluster is up, so nothing but the
     * broker's answer can make it start over (two failures in a row
     * would: KIP-899). */
    kfk_producer *p = pit_producer(
        boot, &cbs,
        (const char *[]){"reconnect.backoff.ms", "30000", "reconnect.backoff.max.ms", "30000",
                         NULL});
    REQUIRE(p);
    send_range(p, topic, 0, BEFORE);
    CHECK(await_reports(p, &o, BEFORE, 60000));
    CHECK_EQ(o.ok, BEFORE);

    REQUIRE_EQ(cluster_in("down", port, 0), 0);
    REQUIRE_EQ(cluster_in("up", port, 1), 0);
    REQUIRE_EQ(pit_create_topic(boot, topic, 1, -1, NULL), 0);

    send_range(p, topic, BEFORE, BEFORE + AFTER);
    CHECK(await_reports(p, &o, BEFORE + AFTER, 150000));
    printf("  misrouted: %d delivered, %d failed\n", o.ok, o.failed);
    CHECK_EQ(o.ok, BEFORE + AFTER);
    CHECK_EQ(o.out_of_order, 0);
    kfk_producer_stats st;
    kfk_producer_stats_get(p, &st);
    CHECK(st.rebootstraps >= 1);
    kfk_producer_destroy(p);

    kfk_consumer *c = cit_consumer(boot, NULL);
    REQUIRE(c);
    REQUIRE_EQ(cit_assign(c, topic, 1, KFK_OFFSET_BEGINNING), 0);
    kfk_consumer_message *m[AFTER + 1];
    CHECK_EQ(cit_drain(c, m, AFTER, 60000), AFTER);
    cit_release_all(m, AFTER);
    kfk_consumer_destroy(c);
    CHECK_EQ(cluster_in("down", port, 1), 0);
}
