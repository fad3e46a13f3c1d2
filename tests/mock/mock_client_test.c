/* kfk's producer and consumer against the mock cluster (include/kfk_mock.h),
 * through its public API only: exact content end to end, and injected
 * faults the producer retries without losing or duplicating a record. */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "kfk.h"
#include "kfk_mock.h"
#include "mock_it.h"
#include "test.h"

typedef struct sent {
    int ok, failed;
    int64_t last_offset[8];
    int in_order; /* each partition's offsets grow by one */
} sent;

static void on_delivery(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    sent *s = opaque;
    if (d->err) {
        s->failed++;
        return;
    }
    s->ok++;
    if (d->partition < 0 || d->partition >= 8 || d->offset != s->last_offset[d->partition] + 1)
        s->in_order = 0;
    else
        s->last_offset[d->partition] = d->offset;
}

static kfk_producer *producer(const char *bootstrap, sent *s) {
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    if (kfk_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err) ||
        kfk_conf_set(conf, "enable.idempotence", "true", err, sizeof err) ||
        kfk_conf_set(conf, "acks", "all", err, sizeof err) ||
        kfk_conf_set(conf, "retry.backoff.ms", "20", err, sizeof err) ||
        kfk_conf_set(conf, "linger.ms", "2", err, sizeof err)) {
        kfk_test_fail(__FILE__, __LINE__, "conf: %s", err);
        kfk_conf_destroy(conf);
        return NULL;
    }
    *s = (sent){.in_order = 1};
    for (int i = 0; i < 8; i++) s->last_offset[i] = -1;
    kfk_producer_callbacks cbs = {.delivery = on_delivery, .opaque = s};
    kfk_producer *p = kfk_producer_new(conf, &cbs, err, sizeof err);
    if (!p) {
        kfk_test_fail(__FILE__, __LINE__, "producer: %s", err);
        kfk_conf_destroy(conf);
    }
    return p;
}

/* Queues records from..to-1, "key-<i>"/"value-<i>-<tag>", to partition
 * i % parts. */
static int send_range(kfk_producer *p, const char *topic, int from, int to, int parts, int tag) {
    for (int i = from; i < to; i++) {
        char k[32], v[64];
        int kl = snprintf(k, sizeof k, "key-%d", i), vl = snprintf(v, sizeof v, "value-%d-%d", i, tag);
        kfk_message m = {.topic = topic, .partition = i % parts, .key = k, .key_len = (size_t)kl,
                         .value = v, .value_len = (size_t)vl};
        int rc = kfk_producer_send(p, &m, 0);
        if (rc) return rc;
    }
    return 0;
}

/* Sends records 0..n-1 as send_range and waits for their reports. */
static int send_all(kfk_producer *p, const char *topic, int n, int parts, int tag) {
    int rc = send_range(p, topic, 0, n, parts, tag);
    return rc ? rc : kfk_producer_flush(p, 30000);
}

/* Reads all n records of the topic's parts partitions from the beginning
 * and checks each against what send_all wrote, in order, exactly once. */
static void consume_exact(const char *bootstrap, const char *topic, int n, int parts, int tag) {
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    REQUIRE_EQ(kfk_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err), 0);
    kfk_consumer *c = kfk_consumer_new(conf, err, sizeof err);
    if (!c) {
        kfk_test_fail(__FILE__, __LINE__, "consumer: %s", err);
        kfk_conf_destroy(conf);
        return;
    }
    kfk_partition_list *l = kfk_partition_list_new(parts);
    for (int p = 0; p < parts; p++) kfk_partition_list_add(l, topic, p)->offset = KFK_OFFSET_BEGINNING;
    REQUIRE_EQ(kfk_consumer_assign(c, l), 0);
    kfk_partition_list_destroy(l);
    int64_t next[8] = {0};
    int got = 0, bad = 0;
    for (int idle = 0; got < n && idle < 100;) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 100);
        if (!m) {
            idle++;
            continue;
        }
        if (m->err) {
            kfk_test_fail(__FILE__, __LINE__, "consume: %s", kfk_err_name(m->err));
            bad++;
        } else {
            /* Partition p holds records p, p + parts, ... in order. */
            int i = (int)(m->offset * parts + m->partition);
            char k[32], v[64];
            int kl = snprintf(k, sizeof k, "key-%d", i), vl = snprintf(v, sizeof v, "value-%d-%d", i, tag);
            if (m->offset != next[m->partition] || m->key_len != (size_t)kl || memcmp(m->key, k, (size_t)kl) ||
                m->value_len != (size_t)vl || memcmp(m->value, v, (size_t)vl))
                bad++;
            next[m->partition] = m->offset + 1;
            got++;
        }
        kfk_consumer_message_release(m);
    }
    CHECK_EQ(got, n);
    CHECK_EQ(bad, 0);
    /* Nothing more: no duplicates past the end. */
    kfk_consumer_message *extra = kfk_consumer_poll(c, 300);
    CHECK(extra == NULL);
    kfk_consumer_message_release(extra);
    kfk_consumer_destroy(c);
}

TEST(idempotent_producer_and_assigned_consumer_exact_content) {
    kfk_mock_cluster *mc = kfk_mock_cluster_new(3);
    REQUIRE(mc);
    const char *bs = kfk_mock_cluster_bootstraps(mc);
    REQUIRE_EQ(kfk_mock_topic_create(mc, "exact", 3, 3), 0);
    sent s;
    kfk_producer *p = producer(bs, &s);
    REQUIRE(p);
    CHECK_EQ(send_all(p, "exact", 3000, 3, 1), 0);
    CHECK_EQ(s.ok, 3000);
    CHECK_EQ(s.failed, 0);
    CHECK(s.in_order);
    kfk_producer_close(p, 5000);
    for (int part = 0; part < 3; part++) {
        int64_t start = -1, hw = -1;
        CHECK_EQ(kfk_mock_partition_offsets(mc, "exact", part, &start, &hw), 0);
        CHECK_EQ(start, 0);
        CHECK_EQ(hw, 1000);
    }
    consume_exact(bs, "exact", 3000, 3, 1);
    kfk_mock_cluster_destroy(mc);
}

TEST(injected_produce_errors_are_retried_without_loss) {
    kfk_mock_cluster *mc = kfk_mock_cluster_new(2);
    REQUIRE(mc);
    const char *bs = kfk_mock_cluster_bootstraps(mc);
    REQUIRE_EQ(kfk_mock_topic_create(mc, "faults", 1, 2), 0);
    /* Partition 0's leader is broker 1. */
    REQUIRE_EQ(kfk_mock_push_request_errors(mc, 1, 0 /* Produce */, 2, KFK_ERR_NOT_LEADER_OR_FOLLOWER), 0);
    sent s;
    kfk_producer *p = producer(bs, &s);
    REQUIRE(p);
    CHECK_EQ(send_all(p, "faults", 200, 1, 2), 0);
    CHECK_EQ(s.ok, 200);
    CHECK_EQ(s.failed, 0);
    CHECK(s.in_order);
    /* Both errors reached the producer, which sent the batches again. */
    kfk_producer_stats st;
    kfk_producer_stats_get(p, &st);
    CHECK(st.batches_retried >= 2);
    CHECK(st.producer_id >= 0);
    CHECK_EQ(kfk_producer_api_version(p, 0), 13);
    kfk_producer_close(p, 5000);
    int64_t start, hw;
    CHECK_EQ(kfk_mock_partition_offsets(mc, "faults", 0, &start, &hw), 0);
    CHECK_EQ(hw, 200);
    consume_exact(bs, "faults", 200, 1, 2);
    kfk_mock_cluster_destroy(mc);
}

TEST(a_broker_down_and_up_again_loses_nothing) {
    kfk_mock_cluster *mc = kfk_mock_cluster_new(2);
    REQUIRE(mc);
    const char *bs = kfk_mock_cluster_bootstraps(mc);
    REQUIRE_EQ(kfk_mock_topic_create(mc, "updown", 2, 2), 0);
    sent s;
    kfk_producer *p = producer(bs, &s);
    REQUIRE(p);
    CHECK_EQ(send_all(p, "updown", 20, 2, 3), 0);
    /* Partition 1's leader (broker 2) goes away while records wait for it. */
    REQUIRE_EQ(kfk_mock_broker_down(mc, 2), 0);
    CHECK_EQ(send_range(p, "updown", 20, 40, 2, 3), 0);
    kfk_producer_poll(p, 500);
    int64_t start, hw;
    CHECK_EQ(kfk_mock_partition_offsets(mc, "updown", 1, &start, &hw), 0);
    CHECK_EQ(hw, 10);
    REQUIRE_EQ(kfk_mock_broker_up(mc, 2), 0);
    CHECK_EQ(kfk_producer_flush(p, 30000), 0);
    CHECK_EQ(s.ok, 40);
    CHECK_EQ(s.failed, 0);
    CHECK(s.in_order);
    kfk_producer_close(p, 5000);
    CHECK_EQ(kfk_mock_partition_offsets(mc, "updown", 1, &start, &hw), 0);
    CHECK_EQ(hw, 20);
    consume_exact(bs, "updown", 40, 2, 3);
    CHECK(kfk_mock_broker_down(mc, 9) != 0);
    kfk_mock_cluster_destroy(mc);
}

TEST(a_moved_leader_is_followed_by_producer_and_consumer) {
    kfk_mock_cluster *mc = kfk_mock_cluster_new(3);
    REQUIRE(mc);
    const char *bs = kfk_mock_cluster_bootstraps(mc);
    REQUIRE_EQ(kfk_mock_topic_create(mc, "moving", 1, 3), 0);
    sent s;
    kfk_producer *p = producer(bs, &s);
    REQUIRE(p);
    CHECK_EQ(send_all(p, "moving", 50, 1, 5), 0);
    /* Broker 1 led partition 0; now broker 3 does, with a newer epoch. */
    REQUIRE_EQ(kfk_mock_partition_set_leader(mc, "moving", 0, 3), 0);
    CHECK_EQ(send_range(p, "moving", 50, 100, 1, 5), 0);
    CHECK_EQ(kfk_producer_flush(p, 30000), 0);
    CHECK_EQ(s.ok, 100);
    CHECK_EQ(s.failed, 0);
    CHECK(s.in_order);
    /* The old leader's NOT_LEADER_OR_FOLLOWER named the new one (KIP-951). */
    kfk_producer_stats st;
    kfk_producer_stats_get(p, &st);
    CHECK(st.leader_hints >= 1);
    kfk_producer_close(p, 5000);
    int64_t start, hw;
    CHECK_EQ(kfk_mock_partition_offsets(mc, "moving", 0, &start, &hw), 0);
    CHECK_EQ(hw, 100);
    consume_exact(bs, "moving", 100, 1, 5);
    kfk_mock_cluster_destroy(mc);
}

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

TEST(an_injected_round_trip_time_delays_each_answer) {
    kfk_mock_cluster *mc = kfk_mock_cluster_new(1);
    REQUIRE(mc);
    const char *bs = kfk_mock_cluster_bootstraps(mc);
    REQUIRE_EQ(kfk_mock_topic_create(mc, "slow", 1, 1), 0);
    sent s;
    kfk_producer *p = producer(bs, &s);
    REQUIRE(p);
    CHECK_EQ(send_all(p, "slow", 1, 1, 6), 0); /* connected, producer id known */
    REQUIRE_EQ(kfk_mock_broker_set_rtt(mc, 1, 400), 0);
    int64_t t0 = mono_ms();
    CHECK_EQ(send_all(p, "slow", 1, 1, 6), 0);
    int64_t slow = mono_ms() - t0;
    CHECK(slow >= 400 && slow < 5000);
    REQUIRE_EQ(kfk_mock_broker_set_rtt(mc, 1, 0), 0);
    CHECK_EQ(s.ok, 2);
    CHECK(kfk_mock_broker_set_rtt(mc, 7, 10) != 0);
    kfk_producer_close(p, 5000);
    kfk_mock_cluster_destroy(mc);
}

TEST(bootstraps_list_every_broker_and_a_fixed_port_works) {
    kfk_mock_cluster *a = kfk_mock_cluster_new(3);
    REQUIRE(a);
    const char *bs = kfk_mock_cluster_bootstraps(a);
    int commas = 0;
    for (const char *q = bs; *q; q++) commas += *q == ',';
    CHECK_EQ(commas, 2);
    CHECK(!strncmp(bs, "127.0.0.1:", 10));
    /* A fixed port: a's first one, free again once a is gone. */
    int port = atoi(bs + 10);
    kfk_mock_cluster_destroy(a);
    kfk_mock_cluster *b = kfk_mock_cluster_new_port(1, port);
    REQUIRE(b);
    char want[64];
    snprintf(want, sizeof want, "127.0.0.1:%d", port);
    CHECK_STR(kfk_mock_cluster_bootstraps(b), want);
    CHECK(kfk_mock_cluster_new(0) == NULL);
    CHECK_EQ(kfk_mock_topic_create(b, "t", 1, 0), KFK_ERR_INVALID_REPLICATION_FACTOR);
    CHECK_EQ(kfk_mock_topic_create(b, "t", 0, 1), KFK_ERR_INVALID_PARTITIONS);
    CHECK_EQ(kfk_mock_topic_create(b, "no/slash", 1, 1), KFK_ERR_INVALID_TOPIC_EXCEPTION);
    CHECK_EQ(kfk_mock_topic_create(b, "t", 1, 5), 0); /* replication capped to 1 broker */
    CHECK_EQ(kfk_mock_topic_create(b, "t", 1, 1), KFK_ERR_TOPIC_ALREADY_EXISTS);
    CHECK(kfk_mock_push_request_errors(b, 1, 999, 1, 6) != 0);
    CHECK(kfk_mock_partition_set_leader(b, "t", 0, 2) != 0);
    kfk_mock_cluster_destroy(b);
    /* NULL is refused, never a crash. */
    CHECK(kfk_mock_cluster_bootstraps(NULL) == NULL);
    CHECK_EQ(kfk_mock_topic_create(NULL, "t", 1, 1), KFK_ERR_INVALID_ARG);
    CHECK(kfk_mock_broker_down(NULL, 1) != 0);
    kfk_mock_cluster_destroy(NULL);
}

/* Polls the members in turn until n records came, counting each record
 * index in seen[] and each member's records in got[]. */
static void poll_members(kfk_consumer **cs, int nc, int n, int parts, int tag, int *seen, int *got) {
    int total = 0;
    for (int idle = 0; total < n && idle < 300;) {
        int any = 0;
        for (int i = 0; i < nc; i++) {
            kfk_consumer_message *m = kfk_consumer_poll(cs[i], 20);
            if (!m) continue;
            any = 1;
            if (!m->err) {
                int idx = (int)(m->offset * parts + m->partition);
                char v[64];
                int vl = snprintf(v, sizeof v, "value-%d-%d", idx, tag);
                if (idx >= 0 && idx < n && m->value_len == (size_t)vl && !memcmp(m->value, v, (size_t)vl))
                    seen[idx]++;
                got[i]++;
                total++;
            }
            kfk_consumer_message_release(m);
        }
        idle = any ? 0 : idle + 1;
    }
}

TEST(classic_group_members_share_the_partitions_and_commit) {
    kfk_mock_cluster *mc = kfk_mock_cluster_new(3);
    REQUIRE(mc);
    const char *bs = kfk_mock_cluster_bootstraps(mc);
    REQUIRE_EQ(kfk_mock_topic_create(mc, "grp", 4, 2), 0);
    /* Two members; once both hold partitions, the records come. */
    kfk_consumer *cs[2] = {mock_member(bs, "g2", "grp", NULL), mock_member(bs, "g2", "grp", NULL)};
    REQUIRE(cs[0] && cs[1]);
    int n0 = 0, n1 = 0;
    for (int i = 0; i < 300 && (n0 < 1 || n1 < 1 || n0 + n1 != 4); i++) {
        kfk_consumer_message_release(kfk_consumer_poll(cs[0], 10));
        kfk_consumer_message_release(kfk_consumer_poll(cs[1], 10));
        kfk_partition_list *a0 = kfk_consumer_assignment(cs[0]), *a1 = kfk_consumer_assignment(cs[1]);
        n0 = a0 ? a0->count : 0;
        n1 = a1 ? a1->count : 0;
        kfk_partition_list_destroy(a0);
        kfk_partition_list_destroy(a1);
    }
    CHECK(n0 >= 1 && n1 >= 1);
    CHECK_EQ(n0 + n1, 4);
    sent s;
    kfk_producer *p = producer(bs, &s);
    REQUIRE(p);
    CHECK_EQ(send_all(p, "grp", 400, 4, 4), 0);
    CHECK_EQ(s.ok, 400);
    kfk_producer_close(p, 5000);
    /* Each record once, each member its partitions' records. */
    static int seen[400];
    int got[2] = {0, 0};
    memset(seen, 0, sizeof seen);
    poll_members(cs, 2, 400, 4, 4, seen, got);
    int once = 0;
    for (int i = 0; i < 400; i++) once += seen[i] == 1;
    CHECK_EQ(once, 400);
    CHECK_EQ(got[0], n0 * 100);
    CHECK_EQ(got[1], n1 * 100);
    CHECK_EQ(kfk_consumer_commit(cs[0], NULL, 0), 0);
    CHECK_EQ(kfk_consumer_commit(cs[1], NULL, 0), 0);
    kfk_consumer_close(cs[0]);
    kfk_consumer_close(cs[1]);

    /* The commits are there for the next member of the group. */
    kfk_consumer *again = mock_member(bs, "g2", "grp", NULL);
    REQUIRE(again);
    kfk_partition_list *l = kfk_partition_list_new(4);
    for (int part = 0; part < 4; part++) kfk_partition_list_add(l, "grp", part);
    CHECK_EQ(kfk_consumer_committed(again, l, 10000), 0);
    for (int i = 0; i < l->count; i++) CHECK_EQ(l->elems[i].offset, 100);
    kfk_partition_list_destroy(l);
    kfk_consumer_message *m = kfk_consumer_poll(again, 1000);
    CHECK(m == NULL || m->err != 0);
    kfk_consumer_message_release(m);
    kfk_consumer_close(again);
    kfk_mock_cluster_destroy(mc);
}
