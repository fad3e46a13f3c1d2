/* Adaptive partitioning (KIP-794) against a frozen broker: keyless records
 * flow at ~2,000/s into 6 partitions (replication factor 1, so each
 * partition waits only for its own leader) while one leader is frozen
 * (SIGSTOP) for 3 s. With partitioner.availability.timeout.ms=500, records
 * sent from 1.5 s into the freeze on go only to partitions of the healthy
 * brokers, and every record is delivered once the broker thaws. Needs
 * KFK_BOOTSTRAP_3NODES and KFK_CLUSTER_CTL (see produce_failover_test.c);
 * about 10 s. */
#include "failover_it.h"
#include "produce_it.h"

#define PARTS 6
#define COUNT 12000 /* 6 s */

typedef struct run {
    kfk_producer *p;
    int64_t sent_at[COUNT]; /* ms */
    int8_t part[COUNT];
    uint8_t reports[COUNT];
    int ok;
    atomic_int stop;
} run;

static void on_report(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    (void)p;
    run *r = opaque;
    size_t i = (size_t)(uintptr_t)d->opaque;
    r->reports[i]++;
    r->part[i] = (int8_t)d->partition;
    r->ok += d->err == 0;
}

static void *poll_all(void *arg) {
    run *r = arg;
    while (!atomic_load(&r->stop)) kfk_producer_poll(r->p, 50);
    return NULL;
}

static int signal_node(const char *ctl, int32_t node, const char *sig) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s stop-signal %d %s >/dev/null 2>&1", ctl, (int)node, sig);
    int rc = system(cmd);
    if (rc) kfk_test_fail(__FILE__, __LINE__, "%s: exit %d", cmd, rc);
    return rc;
}

TEST(keyless_records_leave_a_frozen_broker) {
    const char *boot = fit_env("KFK_BOOTSTRAP_3NODES");
    const char *ctl = fit_env("KFK_CLUSTER_CTL");
    REQUIRE(boot && ctl);
    char topic[128];
    it_topic(topic, sizeof topic, "adaptive");
    REQUIRE(pit_create_topic(boot, topic, PARTS, 1,
                             (const char *[]){"min.insync.replicas", "1", NULL}) == 0);
    kfk_core_conf conf;
    it_conf(&conf, boot);
    kfk_core *core = it_core(&conf);
    REQUIRE(core);
    const char *topics[1] = {topic};
    char err[256];
    REQUIRE(kfk_core_metadata_wait(core, topics, 1, 20000, NULL, err, sizeof err) == 0);
    int32_t leader[PARTS];
    for (int i = 0; i < PARTS; i++) leader[i] = fit_leader_of(core, topic, i);
    kfk_core_destroy(core);
    int32_t frozen = leader[0];
    REQUIRE(frozen >= 0);

    run *r = calloc(1, sizeof *r);
    kfk_producer_callbacks cbs = {.delivery = on_report, .opaque = r};
    r->p = pit_producer(boot, &cbs,
                        (const char *[]){"linger.ms", "5", "partitioner.availability.timeout.ms",
                                         "500", "delivery.timeout.ms", "60000", NULL});
    REQUIRE(r->p);
    pthread_t poller;
    pthread_create(&poller, NULL, poll_all, r);
    int64_t start = it_now_ms(), frozen_at = 0, thawed_at = 0;
    for (int i = 0; i < COUNT; i++) {
        int64_t now = it_now_ms();
        if (!frozen_at && i == COUNT / 4) {
            signal_node(ctl, frozen, "STOP");
            frozen_at = it_now_ms();
        } else if (!thawed_at && frozen_at && now >= frozen_at + 3000) {
            thawed_at = now; /* records from here on may go anywhere */
            signal_node(ctl, frozen, "CONT");
        }
        kfk_message m = {.topic = topic, .partition = KFK_PARTITION_ANY, .value = "adaptive",
                         .value_len = 8, .opaque = (void *)(uintptr_t)i};
        r->sent_at[i] = it_now_ms();
        CHECK_EQ(kfk_producer_send(r->p, &m, 0), 0);
        int64_t wait = start + (i + 1) / 2 - it_now_ms(); /* 2 per ms */
        if (wait > 0) usleep((useconds_t)wait * 1000);
    }
    if (!thawed_at) signal_node(ctl, frozen, "CONT");
    CHECK_EQ(kfk_producer_flush(r->p, 90000), 0);
    atomic_store(&r->stop, 1);
    pthread_join(poller, NULL);
    kfk_producer_destroy(r->p);

    int once = 0, before = 0, during = 0, late_window = 0;
    for (int i = 0; i < COUNT; i++) {
        once += r->reports[i] == 1;
        int on_frozen = r->part[i] >= 0 && r->part[i] < PARTS && leader[(int)r->part[i]] == frozen;
        if (r->sent_at[i] < frozen_at) before += on_frozen;
        if (r->sent_at[i] >= frozen_at + 1500 && (!thawed_at || r->sent_at[i] < thawed_at)) {
            late_window++;
            during += on_frozen;
        }
    }
    printf("  node %d frozen %lld ms; to its partitions: %d records before, %d of %d sent "
           "from 1.5 s into the freeze\n",
           (int)frozen, (long long)(thawed_at - frozen_at), before, during, late_window);
    CHECK_EQ(once, COUNT);
    CHECK_EQ(r->ok, COUNT);
    CHECK(before > 0);       /* it had its share before */
    CHECK(late_window > 1000); /* the window was long enough to mean something */
    CHECK_EQ(during, 0);
    free(r);
}
