/* A stalled broker (SIGSTOP: connections stay open, nothing answers) on a
 * three-node cluster must not stall an admin operation to its deadline:
 * each request waits request.timeout.ms (3 s here), a timed-out one is
 * retried within the operation's 60 s, partitions go to their new leader
 * once the controller fences the stalled broker (broker.session.timeout.ms,
 * Kafka's 9 s default on the test cluster), and any-broker calls go to
 * another broker. Needs KFK_BOOTSTRAP_3NODES and KFK_CLUSTER_CTL. */
#include "admin_it.h"
#include "failover_it.h"

enum { PARTS = 6 };

/* Each request waits 3 s at most. */
static kfk_admin *stall_admin(const char *bootstrap) {
    return admin_new_with(bootstrap, (const char *[]){"request.timeout.ms", "3000", NULL});
}

/* n records to topic/partition, acknowledged by all in-sync replicas. */
static int produce(const char *bootstrap, const char *topic, int partition, int n) {
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "kcat -b %s -P -t %s -p %d -q -X acks=all -X enable.idempotence=true", bootstrap,
             topic, partition);
    FILE *f = popen(cmd, "w");
    if (!f) return -1;
    for (int i = 0; i < n; i++) fprintf(f, "m%d\n", i);
    int st = pclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int signal_node(const char *ctl, int node, const char *sig) {
    char out[256];
    return admin_sh(out, sizeof out, "%s stop-signal %d %s --nodes 3 >/dev/null 2>&1", ctl, node,
                    sig);
}

/* ListOffsets (the end) of every partition within 60 s: 1 when each one
 * answered the number of records produced to it. */
static int ends_right(kfk_admin *a, const char *topic) {
    kfk_partition_list *l = kfk_partition_list_new(PARTS);
    for (int p = 0; p < PARTS; p++) kfk_partition_list_add(l, topic, p)->offset = KFK_OFFSET_END;
    kfk_admin_options o = {.timeout_ms = 60000};
    kfk_admin_result *r = kfk_admin_list_offsets(a, l, &o, NULL, NULL);
    int ok = r && r->err == 0 && r->partitions && r->partitions->count == PARTS;
    for (int p = 0; ok && p < PARTS; p++) {
        const kfk_partition *e = &r->partitions->elems[p];
        CHECK_EQ(e->err, 0);
        CHECK_EQ(e->offset, p + 2);
        ok = e->err == 0 && e->offset == p + 2;
    }
    kfk_admin_result_destroy(r);
    kfk_partition_list_destroy(l);
    return ok;
}

/* While node is stopped: ListOffsets for every partition (some led by
 * node, on a connection open before it stopped) gets each one's end, and
 * describe topics / configs succeed from clients connected to every
 * broker (each call picks one of three, so most runs hit the stalled one)
 * and from a fresh client. */
static void check_while_stalled(kfk_admin *a, kfk_admin **warm, int nwarm,
                                const char *bootstrap, const char *topic, int32_t stalled) {
    CHECK(ends_right(a, topic));
    kfk_admin *fresh = stall_admin(bootstrap);
    for (int i = 0; i <= nwarm; i++) {
        kfk_admin *c = i < nwarm ? warm[i] : fresh;
        if (!c) return;
        kfk_admin_result *r = admin_describe_topic(c, topic);
        CHECK(r && r->err == 0 && r->ntopics == 1 && r->topics[0].err == 0);
        CHECK(r && r->ntopics == 1 && r->topics[0].npartitions == PARTS);
        for (int p = 0; r && r->ntopics == 1 && p < r->topics[0].npartitions; p++)
            CHECK(r->topics[0].partitions[p].leader != stalled);
        kfk_admin_result_destroy(r);
        const char *keys[] = {"retention.ms"};
        kfk_config_resource res = {.type = KFK_CONFIG_TOPIC, .name = topic, .keys = keys,
                                   .nkeys = 1};
        r = kfk_admin_describe_configs(fresh, &res, 1, NULL, NULL, NULL);
        CHECK(r && r->err == 0 && r->nconfigs == 1);
        CHECK(r && r->nconfigs == 1 && r->configs[0].err == 0 && r->configs[0].nentries == 1);
        kfk_admin_result_destroy(r);
    }
    kfk_admin_destroy(fresh);
}

TEST(stalled_leader_costs_a_request_timeout_not_the_operation) {
    const char *bootstrap = fit_env("KFK_BOOTSTRAP_3NODES");
    const char *ctl = fit_env("KFK_CLUSTER_CTL");
    REQUIRE(bootstrap && ctl);
    kfk_admin *a = stall_admin(bootstrap);
    REQUIRE(a);
    char topic[128];
    it_topic(topic, sizeof topic, "adm-stall");
    kfk_new_topic t = {.name = topic, .partitions = PARTS, .replication_factor = 3};
    kfk_admin_result *r = kfk_admin_create_topics(a, &t, 1, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    kfk_admin_result_destroy(r);
    REQUIRE(admin_wait_isr(a, topic, PARTS, 3));
    for (int p = 0; p < PARTS; p++) REQUIRE_EQ(produce(bootstrap, topic, p, p + 2), 0);

    r = admin_describe_topic(a, topic);
    REQUIRE(r && r->err == 0 && r->topics[0].npartitions == PARTS);
    int32_t stalled = r->topics[0].partitions[0].leader;
    int led = 0;
    for (int p = 0; p < PARTS; p++) led += r->topics[0].partitions[p].leader == stalled;
    kfk_admin_result_destroy(r);
    REQUIRE(stalled >= 0);
    CHECK(led < PARTS); /* some partitions stay with live leaders */
    /* Connections to every leader, open when the broker stops: requests
     * then sit on the wire unanswered rather than fail to connect. */
    kfk_admin *warm[3];
    for (int i = 0; i < 3; i++) {
        warm[i] = stall_admin(bootstrap);
        REQUIRE(warm[i]);
        REQUIRE(ends_right(warm[i], topic));
    }
    REQUIRE(ends_right(a, topic));

    REQUIRE_EQ(signal_node(ctl, (int)stalled, "STOP"), 0);
    check_while_stalled(a, warm, 3, bootstrap, topic, stalled);
    CHECK_EQ(signal_node(ctl, (int)stalled, "CONT"), 0);
    /* leave the cluster whole for the next test */
    CHECK(admin_wait_isr(a, topic, PARTS, 3));
    for (int i = 0; i < 3; i++) kfk_admin_destroy(warm[i]);
    kfk_admin_destroy(a);
}
