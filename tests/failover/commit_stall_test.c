/* A stalled group coordinator (SIGSTOP: its connections stay open, nothing
 * answers) on a three-node cluster must not fail a synchronous commit: each
 * OffsetCommit waits request.timeout.ms (3 s here); one that times out
 * forgets the coordinator, finds it again and is sent again, within
 * default.api.timeout.ms (60 s), until the coordinator moves (once the
 * controller fences the stalled broker: broker.session.timeout.ms). Then
 * committed() reads the offsets back. Needs KFK_BOOTSTRAP_3NODES and
 * KFK_CLUSTER_CTL. */
#include "../integration/consume_it.h"
#include "failover_it.h"

enum { PARTS = 3 };

static kfk_partition_list *offsets(const char *topic, int64_t base) {
    kfk_partition_list *l = kfk_partition_list_new(PARTS);
    for (int p = 0; p < PARTS; p++) kfk_partition_list_add(l, topic, p)->offset = base + p;
    return l;
}

/* committed() of every partition equals base + p; timeout 0 means
 * default.api.timeout.ms. */
static int committed_is(kfk_consumer *c, const char *topic, int64_t base) {
    kfk_partition_list *l = offsets(topic, -1);
    int rc = kfk_consumer_committed(c, l, 0);
    CHECK_EQ(rc, 0);
    int ok = rc == 0;
    for (int p = 0; ok && p < PARTS; p++) {
        CHECK_EQ(l->elems[p].err, 0);
        CHECK_EQ(l->elems[p].offset, base + p);
        ok = l->elems[p].err == 0 && l->elems[p].offset == base + p;
    }
    kfk_partition_list_destroy(l);
    return ok;
}

/* Polls (up to 60 s) until the metadata shows every partition of topic
 * with a leader and all three replicas in sync. */
static int cluster_whole(kfk_core *core, const char *topic) {
    const char *topics[1] = {topic};
    for (int64_t end = it_now_ms() + 60000; it_now_ms() < end; usleep(300 * 1000)) {
        kfk_metadata *md = NULL;
        char err[256];
        if (kfk_core_metadata_wait(core, topics, 1, 5000, &md, err, sizeof err)) continue;
        const kfk_md_topic *t = kfk_metadata_topic(md, topic);
        int ok = t != NULL;
        for (int p = 0; ok && p < PARTS; p++) {
            const kfk_md_partition *mp = kfk_metadata_partition(t, p);
            ok = mp && mp->leader >= 0 && mp->nisr == 3;
        }
        kfk_metadata_unref(md);
        if (ok) return 1;
    }
    return 0;
}

TEST(sync_commit_outlasts_a_stalled_coordinator) {
    const char *boot = fit_env("KFK_BOOTSTRAP_3NODES");
    const char *ctl = fit_env("KFK_CLUSTER_CTL");
    REQUIRE(boot && ctl);
    kfk_core_conf conf;
    it_conf(&conf, boot);
    conf.request_timeout_ms = 3000;
    kfk_core *core = it_core(&conf);
    REQUIRE(core);
    char topic[128], group[128];
    it_topic(topic, sizeof topic, "cstall");
    it_topic(group, sizeof group, "cstall");
    REQUIRE(fit_create_rf3(core, topic, PARTS) == 0);

    /* Assigned mode: a group.id, no subscription (generation -1 commits). */
    kfk_consumer *c = cit_consumer(boot, "group.id", group, "enable.auto.commit", "false",
                                   "request.timeout.ms", "3000", "retry.backoff.max.ms", "500",
                                   NULL);
    REQUIRE(c);
    REQUIRE_EQ(cit_assign(c, topic, PARTS, KFK_OFFSET_BEGINNING), 0);
    /* A first commit finds the coordinator and leaves a connection to it
     * open, so the next one sits unanswered on the wire. */
    kfk_partition_list *l = offsets(topic, 10);
    CHECK_EQ(kfk_consumer_commit(c, l, 0), 0);
    kfk_partition_list_destroy(l);
    CHECK(committed_is(c, topic, 10));

    int32_t node = fit_coordinator(core, group);
    REQUIRE(node > 0);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s stop-signal %d STOP --nodes 3 >/dev/null 2>&1", ctl, (int)node);
    int stopped = system(cmd) == 0;
    CHECK(stopped);

    l = offsets(topic, 20);
    CHECK_EQ(kfk_consumer_commit(c, l, 0), 0);
    kfk_partition_list_destroy(l);
    CHECK(committed_is(c, topic, 20));
    /* The test's own lookup may go to the stalled broker: ask again. */
    int32_t moved = -1;
    for (int64_t end = it_now_ms() + 30000; (moved < 0 || moved == node) && it_now_ms() < end;)
        moved = fit_coordinator(core, group);
    fprintf(stderr, "coordinator %d stopped; now %d\n", (int)node, (int)moved);
    CHECK(moved > 0 && moved != node);

    snprintf(cmd, sizeof cmd, "%s stop-signal %d CONT --nodes 3 >/dev/null 2>&1", ctl, (int)node);
    CHECK_EQ(system(cmd), 0);
    CHECK(cluster_whole(core, topic));
    kfk_consumer_destroy(c);
    kfk_core_destroy(core);
}
