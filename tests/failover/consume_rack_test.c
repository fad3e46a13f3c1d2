/* Fetching from the closest replica (KIP-392) on a 3-node cluster whose
 * node i is in rack r<i> and whose brokers use RackAwareReplicaSelector
 * (scripts/run-tests starts it so): a consumer with client.rack=r2 reads a
 * partition led by another node mostly from node 2, every message once and
 * in order; with node 2 killed it goes on from the leader, nothing lost.
 * Node 2 is started again at the end. Needs KFK_BOOTSTRAP_3NODES and
 * KFK_CLUSTER_CTL. */
#include "consume_it.h"
#include "consumer/consumer_int.h"
#include "failover_it.h"

enum { FIRST = 20000, MORE = 5000, RACK_NODE = 2 };

/* Partition 0 on nodes 1, 2, 3: node 1 leads. */
static int create_led_by_1(kfk_core *c, const char *name) {
    int32_t ids[3] = {1, RACK_NODE, 3};
    kfk_create_topics_request_creatable_replica_assignment as = {.partition_index = 0};
    as.broker_ids.items = ids;
    as.broker_ids.count = 3;
    kfk_create_topics_request_creatable_topic t = {.name = {name, (int32_t)strlen(name)},
                                                   .num_partitions = -1,
                                                   .replication_factor = -1};
    t.assignments.items = &as;
    t.assignments.count = 1;
    return fit_create(c, &t);
}

/* Record bytes the consumer fetched from node. */
static int64_t bytes_from(const kfk_fetch_stats *st, int32_t node) {
    for (int i = 0; i < st->nnodes; i++)
        if (st->nodes[i].node == node) return st->nodes[i].bytes;
    return 0;
}

static int64_t bytes_all(const kfk_fetch_stats *st) {
    int64_t n = 0;
    for (int i = 0; i < st->nnodes; i++) n += st->nodes[i].bytes;
    return n;
}

/* Polls until *next reaches upto, in order, within 120 s; bad counts the
 * rest. */
static void take_until(kfk_consumer *c, int *next, int upto, int *bad) {
    int64_t until = it_now_ms() + 120000;
    while (*next < upto && it_now_ms() < until) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 200);
        if (!m) continue;
        if (!m->err) {
            if (m->offset != *next || !cit_is(m, "r", *next)) {
                if (++*bad < 5)
                    kfk_test_fail(__FILE__, __LINE__, "offset %lld (%.*s), expected %d",
                                  (long long)m->offset, (int)m->key_len,
                                  m->key ? (const char *)m->key : "", *next);
            } else
                ++*next;
        }
        else if (m->err != KFK_ERR_PARTITION_EOF)
            fprintf(stderr, "event at %lld: %s\n", (long long)m->offset, kfk_err_name(m->err));
        kfk_consumer_message_release(m);
    }
}

static void on_log(void *opaque, const char *msg) {
    (void)opaque;
    fprintf(stderr, "log: %s\n", msg);
}

TEST(consumer_reads_from_the_replica_in_its_rack) {
    const char *boot = fit_env("KFK_BOOTSTRAP_3NODES");
    const char *ctl_cmd = fit_env("KFK_CLUSTER_CTL");
    REQUIRE(boot && ctl_cmd);
    kfk_core_conf conf;
    it_conf(&conf, boot);
    kfk_core *core = it_core(&conf);
    REQUIRE(core);
    char topic[128];
    it_topic(topic, sizeof topic, "rack");
    REQUIRE(create_led_by_1(core, topic) == 0);
    int32_t leader = fit_leader_of(core, topic, 0);
    REQUIRE(leader > 0 && leader != RACK_NODE);
    REQUIRE(cit_kcat(boot, topic, 0, "none", "r", 0, FIRST) == 0);

    kfk_consumer *c = cit_consumer(boot, "client.rack", "r2", "request.timeout.ms", "5000",
                                   "retry.backoff.max.ms", "500", NULL);
    REQUIRE(c);
    kfk_consumer_set_log_cb(c, on_log, NULL);
    REQUIRE(cit_assign(c, topic, 1, KFK_OFFSET_BEGINNING) == 0);
    int next = 0, bad = 0;
    take_until(c, &next, FIRST, &bad);
    CHECK_EQ(next, FIRST);
    CHECK_EQ(bad, 0);
    kfk_fetch_stats st;
    kfk_consumer_fetch_stats(c, &st);
    int64_t from_rack = bytes_from(&st, RACK_NODE), all = bytes_all(&st);
    int64_t from_leader = bytes_from(&st, leader);
    printf("leader %d; fetched %lld bytes: %lld (%.1f%%) from node %d (rack r2), %lld from the "
           "leader; %lld moves to a read replica\n",
           (int)leader, (long long)all, (long long)from_rack,
           all ? 100.0 * (double)from_rack / (double)all : 0.0, RACK_NODE,
           (long long)from_leader, (long long)st.replica_moves);
    CHECK(all > 0);
    CHECK(from_rack * 2 > all); /* most of it */
    CHECK(st.replica_moves >= 1);

    /* Node 2 gone: back to the leader, nothing lost. */
    CHECK_EQ(fit_ctl(ctl_cmd, "kill", RACK_NODE), 0);
    CHECK(cit_kcat(boot, topic, 0, "none", "r", FIRST, MORE) == 0);
    take_until(c, &next, FIRST + MORE, &bad);
    CHECK_EQ(next, FIRST + MORE);
    CHECK_EQ(bad, 0);
    kfk_fetch_stats st2;
    kfk_consumer_fetch_stats(c, &st2);
    printf("node %d killed: %lld more bytes from the leader, %lld from node %d; %lld back to the "
           "leader\n",
           RACK_NODE, (long long)(bytes_from(&st2, leader) - from_leader),
           (long long)(bytes_from(&st2, RACK_NODE) - from_rack), RACK_NODE,
           (long long)st2.replica_drops);
    CHECK(bytes_from(&st2, leader) > from_leader);
    CHECK(st2.replica_drops >= 1);
    kfk_consumer_destroy(c);
    kfk_core_destroy(core);
    CHECK_EQ(fit_ctl(ctl_cmd, "start", RACK_NODE), 0);
}
