/* The idempotent producer while the partition's leader fails, on a
 * three-node cluster (replication factor 3, min.insync.replicas 2,
 * acks=all): kill -9 of the leader halfway (then restart), SIGSTOP of
 * the leader for longer than request.timeout.ms (then SIGCONT), and
 * SIGSTOP for longer than a short delivery.timeout.ms, so that messages
 * fail. Every message gets one report; every one reported delivered is in
 * the log exactly once and in send order (read back with kcat); none is
 * there twice.
 *
 * A message reported failed (timed out) may still be in the log: the frozen
 * leader may have appended its batch and the followers fetched it before
 * the freeze, and the new leader keeps what they have. Its outcome was
 * unknown when reported, as in the Java client. Such messages are counted
 * and printed, and must still be in order and not duplicated; the epoch
 * bump that a lost sequence forces is checked in the producer's stats.
 *
 * Last, a leader moved by a preferred election while the producer sends
 * (the preferred replica was killed and restarted before): the old leader,
 * still running, answers NOT_LEADER_OR_FOLLOWER naming the new one
 * (KIP-951), which the producer follows at once (counted in its stats).
 *
 * KFK_BOOTSTRAP_3NODES names the cluster; KFK_CLUSTER_CTL is a command
 * prefix taking "kill N", "start N" and "stop-signal N STOP|CONT", e.g.
 * "env KFK_BROKER_PORT=29300 KFK_BROKER_DIR=/tmp/kfk-broker-x
 *  KFK_BROKER_NODES=3 scripts/kafka-local". */
#include "admin_it.h"
#include "produce_it.h"

#define COUNT 30000
#define AFTER 100 /* sent once the disruption is over */

typedef struct run {
    kfk_producer *p;
    const char *topic;
    uint8_t reports[COUNT + AFTER];
    int8_t failed[COUNT + AFTER];
    int64_t offset[COUNT + AFTER];
    atomic_int sent, stop;
} run;

static void on_report(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    (void)p;
    run *r = opaque;
    size_t i = (size_t)(uintptr_t)d->opaque;
    r->reports[i]++;
    r->failed[i] = d->err != 0;
    r->offset[i] = d->offset;
}

/* Sends COUNT messages over a few seconds, so failures land in the middle. */
static void *send_all(void *arg) {
    run *r = arg;
    char value[32];
    for (int i = 0; i < COUNT; i++) {
        int n = snprintf(value, sizeof value, "m%06d", i);
        kfk_message m = {.topic = r->topic, .partition = 0, .value = value,
                         .value_len = (size_t)n, .opaque = (void *)(uintptr_t)i};
        int rc = kfk_producer_send(r->p, &m, 0);
        if (rc) kfk_test_fail(__FILE__, __LINE__, "send %d: %s", i, kfk_err_name(rc));
        atomic_store(&r->sent, i + 1);
        if (i % 10 == 0) usleep(2000);
    }
    return NULL;
}

static void *poll_all(void *arg) {
    run *r = arg;
    while (!atomic_load(&r->stop)) kfk_producer_poll(r->p, 50);
    return NULL;
}

static const char *current_topic; /* survive()'s, for a disruption */

static int ctl(const char *verb, int node, const char *extra) {
    const char *c = getenv("KFK_CLUSTER_CTL");
    if (!c || !*c) {
        kfk_test_fail(__FILE__, __LINE__, "KFK_CLUSTER_CTL is not set");
        return -1;
    }
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s %s %d %s >/dev/null", c, verb, node, extra ? extra : "");
    int rc = system(cmd);
    if (rc) kfk_test_fail(__FILE__, __LINE__, "%s: exit %d", cmd, rc);
    return rc;
}

static int32_t leader_of(const char *bootstrap, const char *topic) {
    kfk_core_conf conf;
    it_conf(&conf, bootstrap);
    kfk_core *c = it_core(&conf);
    if (!c) return -1;
    kfk_metadata *md = NULL;
    char err[200];
    const char *topics[1] = {topic};
    int32_t leader = -1;
    if (kfk_core_metadata_wait(c, topics, 1, 20000, &md, err, sizeof err) == 0) {
        const kfk_md_topic *t = kfk_metadata_topic(md, topic);
        const kfk_md_partition *p = t ? kfk_metadata_partition(t, 0) : NULL;
        if (p) leader = p->leader;
    }
    kfk_metadata_unref(md);
    kfk_core_destroy(c);
    return leader;
}

/* Runs the producer while `disrupt` acts on the leader, then checks. */
static void survive(const char *what, void (*prepare)(int32_t leader),
                    void (*disrupt)(int32_t leader), const char *delivery_timeout,
                    int want_hint) {
    const char *b = getenv("KFK_BOOTSTRAP_3NODES");
    if (!b || !*b) {
        kfk_test_fail(__FILE__, __LINE__, "KFK_BOOTSTRAP_3NODES is not set");
        return;
    }
    char topic[128];
    it_topic(topic, sizeof topic, what);
    current_topic = topic;
    REQUIRE(pit_create_topic(b, topic, 1, 3, (const char *[]){"min.insync.replicas", "2", NULL}) ==
            0);
    int32_t leader = leader_of(b, topic);
    REQUIRE(leader >= 0);
    if (prepare) {
        prepare(leader);
        leader = leader_of(b, topic);
        REQUIRE(leader >= 0);
    }
    run *r = calloc(1, sizeof *r);
    r->topic = topic;
    kfk_producer_callbacks cbs = {.delivery = on_report, .opaque = r};
    r->p = pit_producer(b, &cbs,
                        (const char *[]){"acks", "all", "enable.idempotence", "true",
                                         "request.timeout.ms", "5000", "delivery.timeout.ms",
                                         delivery_timeout, NULL});
    REQUIRE(r->p);
    pthread_t sender, poller;
    pthread_create(&sender, NULL, send_all, r);
    pthread_create(&poller, NULL, poll_all, r);
    while (atomic_load(&r->sent) < COUNT / 2) usleep(10000);
    printf("  %s: leader %d at message %d\n", what, (int)leader, atomic_load(&r->sent));
    disrupt(leader);
    pthread_join(sender, NULL);
    atomic_store(&r->stop, 1);
    pthread_join(poller, NULL);
    CHECK_EQ(kfk_producer_flush(r->p, 150000), 0);
    /* Whatever failed, the producer's sequences must still line up with the
     * broker's (a failed batch that had a sequence needs an epoch bump, one
     * that never went out does not): later messages get through. */
    for (int i = COUNT; i < COUNT + AFTER; i++) {
        char value[32];
        int n = snprintf(value, sizeof value, "m%06d", i);
        kfk_message m = {.topic = r->topic, .partition = 0, .value = value,
                         .value_len = (size_t)n, .opaque = (void *)(uintptr_t)i};
        CHECK_EQ(kfk_producer_send(r->p, &m, 0), 0);
    }
    CHECK_EQ(kfk_producer_flush(r->p, 60000), 0);
    int after_ok = 0;
    for (int i = COUNT; i < COUNT + AFTER; i++) after_ok += r->reports[i] == 1 && !r->failed[i];
    CHECK_EQ(after_ok, AFTER);
    kfk_producer_stats st;
    kfk_producer_stats_get(r->p, &st);
    kfk_producer_destroy(r->p);

    int ok = 0, failed = 0, reports_once = 0;
    for (int i = 0; i < COUNT; i++) {
        reports_once += r->reports[i] == 1;
        if (r->reports[i] == 1) r->failed[i] ? failed++ : ok++;
    }
    printf("  %s: %d delivered, %d failed, %lld epoch bumps, %lld batches retried, %lld leader "
           "hints followed, Produce v%d..v%d\n",
           what, ok, failed, (long long)st.epoch_bumps, (long long)st.batches_retried,
           (long long)st.leader_hints, (int)st.produce_version_min, (int)st.produce_version_max);
    if (want_hint) CHECK(st.leader_hints >= 1);
    CHECK_EQ(reports_once, COUNT);
    /* Read back until every acknowledged message shows (at most 30 s): a
     * leader just elected may report a high watermark that lags what it
     * acknowledged, and kcat -e stops there. */
    char *out = NULL;
    uint8_t *seen = calloc(COUNT + AFTER, 1);
    int lines = 0, dup = 0, disorder = 0, wrong_offset = 0, missing = 0, failed_in_log = 0;
    for (int64_t until = it_now_ms() + 30000;;) {
        size_t len = 0;
        free(out);
        out = pit_kcat(b, topic, "%o %s\\n", &len);
        REQUIRE(out);
        memset(seen, 0, COUNT + AFTER);
        int last = -1;
        lines = dup = disorder = wrong_offset = missing = failed_in_log = 0;
        for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"), lines++) {
            long long off;
            int i;
            if (sscanf(line, "%lld m%d", &off, &i) != 2 || i < 0 || i >= COUNT + AFTER) continue;
            if (seen[i]++) dup++;
            if (i <= last) disorder++;
            last = i;
            if (!r->failed[i] && r->offset[i] != off) wrong_offset++;
        }
        for (int i = 0; i < COUNT + AFTER; i++) {
            missing += !r->failed[i] && !seen[i];
            failed_in_log += r->failed[i] && seen[i];
        }
        if (!missing || it_now_ms() >= until) break;
        usleep(500 * 1000);
    }
    if (failed) printf("  %s: %d of the failed messages are in the log\n", what, failed_in_log);
    CHECK_EQ(dup, 0);
    CHECK_EQ(disorder, 0);
    CHECK_EQ(missing, 0);
    CHECK_EQ(wrong_offset, 0);
    CHECK(lines >= ok);
    free(seen);
    free(out);
    free(r);
}

static void kill_and_restart(int32_t leader) {
    ctl("kill", leader, NULL);
    sleep(3);
    ctl("start", leader, NULL);
}

static void freeze_and_thaw(int32_t leader) {
    ctl("stop-signal", leader, "STOP");
    sleep(8); /* longer than request.timeout.ms */
    ctl("stop-signal", leader, "CONT");
}

static void freeze_long(int32_t leader) {
    ctl("stop-signal", leader, "STOP");
    sleep(12); /* past delivery.timeout.ms, and the controller fences it */
    ctl("stop-signal", leader, "CONT");
}

static int32_t preferred; /* partition 0's first replica, its leader at first */

/* The preferred replica killed and back in the ISR, not leading. */
static void kill_and_rejoin(int32_t leader) {
    preferred = leader;
    kill_and_restart(leader);
    kfk_admin *a = admin_new_on(getenv("KFK_BOOTSTRAP_3NODES"));
    if (!a) return;
    if (!admin_wait_isr(a, current_topic, 1, 3)) kfk_test_fail(__FILE__, __LINE__, "ISR not back");
    kfk_admin_destroy(a);
}

/* Leadership back to the preferred replica while the interim leader runs. */
static void elect_preferred(int32_t leader) {
    (void)leader;
    kfk_admin *a = admin_new_on(getenv("KFK_BOOTSTRAP_3NODES"));
    if (!a) return;
    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, current_topic, 0);
    int32_t now = -1;
    for (int i = 0; i < 150 && now != preferred; i++) {
        if (i) admin_sleep_ms(200);
        kfk_admin_result *r = kfk_admin_elect_leaders(a, l, 0, NULL, NULL, NULL);
        kfk_admin_result_destroy(r);
        r = admin_describe_topic(a, current_topic);
        now = r && r->ntopics == 1 && r->topics[0].npartitions == 1
                  ? r->topics[0].partitions[0].leader
                  : -1;
        kfk_admin_result_destroy(r);
    }
    if (now != preferred) kfk_test_fail(__FILE__, __LINE__, "leader %d, not %d", now, preferred);
    kfk_partition_list_destroy(l);
    kfk_admin_destroy(a);
}

TEST(leader_killed_and_restarted) { survive("fo-kill", NULL, kill_and_restart, "120000", 0); }

TEST(leader_frozen_past_request_timeout) {
    survive("fo-stop", NULL, freeze_and_thaw, "120000", 0);
}

TEST(leader_frozen_past_delivery_timeout) { survive("fo-expire", NULL, freeze_long, "6000", 0); }

TEST(leader_moved_by_election) {
    survive("fo-elect", kill_and_rejoin, elect_preferred, "120000", 1);
}
