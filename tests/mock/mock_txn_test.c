/* kfk's transactional producer and its consumers against the mock cluster:
 * committed and aborted transactions as read_committed and
 * read_uncommitted consumers see them, an open transaction holding
 * read_committed back, a consume-transform-produce loop whose offsets
 * count only when it commits, fencing by a second producer with the same
 * transactional.id; and a consumer of many partitions on fetch sessions. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kfk.h"
#include "kfk_mock.h"
#include "mock_it.h"
#include "test.h"

enum { MAXV = 1024 };

typedef struct reports {
    int ok, aborted, other;
} reports;

static void on_delivery(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    (void)p;
    reports *r = opaque;
    if (!d->err) r->ok++;
    else if (d->err == KFK_ERR_TRANSACTION_ABORTABLE) r->aborted++;
    else r->other++;
}

/* A producer with the extra key/value pairs (NULL-terminated). */
static kfk_producer *producer(const char *bootstrap, reports *r, const char *const *kv) {
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    int bad = kfk_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err) ||
              kfk_conf_set(conf, "linger.ms", "2", err, sizeof err) ||
              kfk_conf_set(conf, "retry.backoff.ms", "20", err, sizeof err);
    for (; !bad && kv && kv[0]; kv += 2) bad = kfk_conf_set(conf, kv[0], kv[1], err, sizeof err);
    *r = (reports){0};
    kfk_producer_callbacks cbs = {.delivery = on_delivery, .opaque = r};
    kfk_producer *p = bad ? NULL : kfk_producer_new(conf, &cbs, err, sizeof err);
    if (!p) {
        kfk_test_fail(__FILE__, __LINE__, "producer: %s", err);
        kfk_conf_destroy(conf);
    }
    return p;
}

static kfk_producer *txn_producer(const char *bootstrap, const char *txid, reports *r) {
    const char *kv[] = {"transactional.id", txid, NULL};
    kfk_producer *p = producer(bootstrap, r, kv);
    if (p) CHECK_EQ(kfk_producer_init_transactions(p, 15000), 0);
    return p;
}

/* Sends "<prefix><i>" for i in [0, n) to partition i % parts. */
static int send_n(kfk_producer *p, const char *topic, const char *prefix, int n, int parts) {
    for (int i = 0; i < n; i++) {
        char v[64];
        int vl = snprintf(v, sizeof v, "%s%d", prefix, i);
        kfk_message m = {.topic = topic, .partition = i % parts, .key = v, .key_len = (size_t)vl,
                         .value = v, .value_len = (size_t)vl};
        int rc = kfk_producer_send(p, &m, 0);
        if (rc) return rc;
    }
    return 0;
}

/* What a consumer read: "<partition>:<value>" in the order read. */
typedef struct seen {
    char v[MAXV][48];
    int n;
} seen;

/* Reads topic's parts partitions from the beginning at isolation until
 * each reported its end after at least want[p] records (or 10 s pass),
 * then 300 ms more for anything extra. */
static void read_topic(const char *bootstrap, const char *topic, int parts, const char *isolation,
                       const int *want, seen *out) {
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    REQUIRE_EQ(kfk_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err), 0);
    REQUIRE_EQ(kfk_conf_set(conf, "isolation.level", isolation, err, sizeof err), 0);
    REQUIRE_EQ(kfk_conf_set(conf, "enable.partition.eof", "true", err, sizeof err), 0);
    kfk_consumer *c = kfk_consumer_new(conf, err, sizeof err);
    REQUIRE(c);
    kfk_partition_list *l = kfk_partition_list_new(parts);
    for (int p = 0; p < parts; p++) kfk_partition_list_add(l, topic, p)->offset = KFK_OFFSET_BEGINNING;
    REQUIRE_EQ(kfk_consumer_assign(c, l), 0);
    kfk_partition_list_destroy(l);
    int count[64] = {0}, done[64] = {0}, ndone = 0;
    out->n = 0;
    int64_t until = mock_now_ms() + 10000, extra_until = -1;
    while (mock_now_ms() < until && (extra_until < 0 || mock_now_ms() < extra_until)) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 50);
        if (!m) continue;
        int p = m->partition;
        if (m->err == KFK_ERR_PARTITION_EOF) {
            if (p < 64 && !done[p] && count[p] >= want[p] && ++ndone == parts) extra_until = mock_now_ms() + 300;
            if (p < 64 && count[p] >= want[p]) done[p] = 1;
        } else if (m->err) {
            kfk_test_fail(__FILE__, __LINE__, "%s: %s", topic, kfk_err_name(m->err));
        } else if (out->n < MAXV && p < 64) {
            snprintf(out->v[out->n++], sizeof out->v[0], "%d:%.*s", p, (int)m->value_len, (const char *)m->value);
            count[p]++;
        }
        kfk_consumer_message_release(m);
    }
    CHECK_EQ(ndone, parts);
    kfk_consumer_destroy(c);
}

/* Checks that got holds exactly the values of want (NULL-terminated,
 * "<partition>:<value>") in each partition's order. */
static void expect(const seen *got, const char *const *want, const char *what) {
    int n = 0;
    for (; want[n]; n++) {
        int p = atoi(want[n]), k = 0, before = 0;
        /* want[n] is the before-th of its partition; so must it be in got. */
        for (int i = 0; i < n; i++) before += atoi(want[i]) == p;
        for (int i = 0; i < got->n; i++) {
            if (atoi(got->v[i]) != p) continue;
            if (k++ == before) {
                if (strcmp(got->v[i], want[n])) kfk_test_fail(__FILE__, __LINE__, "%s: %s where %s", what, got->v[i], want[n]);
                break;
            }
        }
        if (k <= before) kfk_test_fail(__FILE__, __LINE__, "%s: %s missing", what, want[n]);
    }
    if (got->n != n) kfk_test_fail(__FILE__, __LINE__, "%s: %d records, want %d", what, got->n, n);
}

/* want[] for values "<prefix><i>", i in [0, n), at partition i % parts,
 * appended to list at *at. */
static void want_n(const char **list, int *at, char (*buf)[48], const char *prefix, int n, int parts) {
    for (int i = 0; i < n; i++) {
        snprintf(buf[*at], 48, "%d:%s%d", i % parts, prefix, i);
        list[*at] = buf[*at];
        (*at)++;
    }
    list[*at] = NULL;
}

static char wbuf[MAXV][48];
static const char *wlist[MAXV + 1];
static seen got;

TEST(committed_and_aborted_transactions_by_isolation_level) {
    kfk_mock_cluster *mc = kfk_mock_cluster_new(3);
    REQUIRE(mc);
    const char *bs = kfk_mock_cluster_bootstraps(mc);
    REQUIRE_EQ(kfk_mock_topic_create(mc, "tx", 2, 3), 0);
    reports r;
    kfk_producer *p = txn_producer(bs, "tx-1", &r);
    REQUIRE(p);
    CHECK_EQ(kfk_producer_begin_transaction(p), 0);
    CHECK_EQ(send_n(p, "tx", "c", 10, 2), 0);
    CHECK_EQ(kfk_producer_commit_transaction(p, 15000), 0);
    CHECK_EQ(kfk_producer_begin_transaction(p), 0);
    CHECK_EQ(send_n(p, "tx", "a", 10, 2), 0);
    CHECK_EQ(kfk_producer_flush(p, 15000), 0); /* written, then aborted */
    CHECK_EQ(kfk_producer_abort_transaction(p, 15000), 0);
    CHECK_EQ(kfk_producer_begin_transaction(p), 0);
    CHECK_EQ(send_n(p, "tx", "d", 4, 2), 0);
    CHECK_EQ(kfk_producer_commit_transaction(p, 15000), 0);
    kfk_producer_poll(p, 0);
    CHECK_EQ(r.ok, 14);
    CHECK_EQ(r.aborted, 10);
    CHECK_EQ(r.other, 0);
    /* Three markers: 24 records and 6 markers over two partitions. */
    int64_t start, hw0, hw1;
    CHECK_EQ(kfk_mock_partition_offsets(mc, "tx", 0, &start, &hw0), 0);
    CHECK_EQ(kfk_mock_partition_offsets(mc, "tx", 1, &start, &hw1), 0);
    CHECK_EQ(hw0 + hw1, 30);

    int at = 0, want[2] = {7, 7};
    want_n(wlist, &at, wbuf, "c", 10, 2);
    want_n(wlist, &at, wbuf, "d", 4, 2);
    read_topic(bs, "tx", 2, "read_committed", want, &got);
    expect(&got, wlist, "read_committed");
    at = 0;
    want[0] = want[1] = 12;
    want_n(wlist, &at, wbuf, "c", 10, 2);
    want_n(wlist, &at, wbuf, "a", 10, 2);
    want_n(wlist, &at, wbuf, "d", 4, 2);
    read_topic(bs, "tx", 2, "read_uncommitted", want, &got);
    expect(&got, wlist, "read_uncommitted");

    /* An open transaction: read_committed stops before it. */
    CHECK_EQ(kfk_producer_begin_transaction(p), 0);
    CHECK_EQ(send_n(p, "tx", "o", 2, 2), 0);
    CHECK_EQ(kfk_producer_flush(p, 15000), 0);
    at = 0;
    want[0] = want[1] = 7;
    want_n(wlist, &at, wbuf, "c", 10, 2);
    want_n(wlist, &at, wbuf, "d", 4, 2);
    read_topic(bs, "tx", 2, "read_committed", want, &got);
    expect(&got, wlist, "read_committed, a transaction open");
    CHECK_EQ(kfk_producer_commit_transaction(p, 15000), 0);
    want[0] = want[1] = 8;
    want_n(wlist, &at, wbuf, "o", 2, 2);
    read_topic(bs, "tx", 2, "read_committed", want, &got);
    expect(&got, wlist, "read_committed, committed at last");
    kfk_producer_destroy(p);
    kfk_mock_cluster_destroy(mc);
}

TEST(a_second_producer_with_the_same_id_fences_the_first) {
    kfk_mock_cluster *mc = kfk_mock_cluster_new(2);
    REQUIRE(mc);
    const char *bs = kfk_mock_cluster_bootstraps(mc);
    REQUIRE_EQ(kfk_mock_topic_create(mc, "fence", 1, 2), 0);
    reports ra, rb;
    kfk_producer *a = txn_producer(bs, "fence-id", &ra);
    REQUIRE(a);
    CHECK_EQ(kfk_producer_begin_transaction(a), 0);
    CHECK_EQ(send_n(a, "fence", "z", 3, 1), 0);
    CHECK_EQ(kfk_producer_flush(a, 15000), 0);
    /* The newcomer's InitProducerId aborts a's open transaction. */
    kfk_producer *b = txn_producer(bs, "fence-id", &rb);
    REQUIRE(b);
    CHECK_EQ(kfk_producer_begin_transaction(b), 0);
    CHECK_EQ(send_n(b, "fence", "b", 3, 1), 0);
    CHECK_EQ(kfk_producer_commit_transaction(b, 15000), 0);
    CHECK_EQ(kfk_producer_commit_transaction(a, 15000), KFK_ERR_FATAL);
    char why[256];
    CHECK_EQ(kfk_producer_fatal_error(a, why, sizeof why), KFK_ERR_PRODUCER_FENCED);
    kfk_producer_poll(a, 0);
    kfk_producer_poll(b, 0);
    CHECK_EQ(ra.ok, 0);
    CHECK_EQ(rb.ok, 3);
    int at = 0, want[1] = {3};
    want_n(wlist, &at, wbuf, "b", 3, 1);
    read_topic(bs, "fence", 1, "read_committed", want, &got);
    expect(&got, wlist, "read_committed");
    at = 0;
    want[0] = 6;
    want_n(wlist, &at, wbuf, "z", 3, 1);
    want_n(wlist, &at, wbuf, "b", 3, 1);
    read_topic(bs, "fence", 1, "read_uncommitted", want, &got);
    expect(&got, wlist, "read_uncommitted");
    kfk_producer_destroy(a);
    kfk_producer_destroy(b);
    kfk_mock_cluster_destroy(mc);
}

/* The group's committed offsets of in/0 and in/1 as c sees them. */
static void committed(kfk_consumer *c, int64_t *o0, int64_t *o1) {
    kfk_partition_list *l = kfk_partition_list_new(2);
    kfk_partition_list_add(l, "in", 0);
    kfk_partition_list_add(l, "in", 1);
    CHECK_EQ(kfk_consumer_committed(c, l, 10000), 0);
    *o0 = l->elems[0].offset;
    *o1 = l->elems[1].offset;
    kfk_partition_list_destroy(l);
}

/* Consumes "in" as a group member, writes each value with an "out-"
 * prefix to "out" in a transaction with the consumed offsets, aborts the
 * first round and commits the second: only the second counts. */
TEST(consume_transform_produce_commits_offsets_with_the_output) {
    kfk_mock_cluster *mc = kfk_mock_cluster_new(3);
    REQUIRE(mc);
    const char *bs = kfk_mock_cluster_bootstraps(mc);
    REQUIRE_EQ(kfk_mock_topic_create(mc, "in", 2, 3), 0);
    REQUIRE_EQ(kfk_mock_topic_create(mc, "out", 2, 3), 0);
    reports rs, rp;
    kfk_producer *seed = txn_producer(bs, "seed", &rs);
    REQUIRE(seed);
    CHECK_EQ(kfk_producer_begin_transaction(seed), 0);
    CHECK_EQ(send_n(seed, "in", "in", 20, 2), 0);
    CHECK_EQ(kfk_producer_commit_transaction(seed, 15000), 0);
    kfk_producer_destroy(seed);

    const char *extra[] = {"isolation.level", "read_committed", NULL};
    kfk_consumer *c = mock_member(bs, "ctp", "in", extra);
    REQUIRE(c);
    kfk_producer *p = txn_producer(bs, "ctp-tx", &rp);
    REQUIRE(p);
    for (int round = 0; round < 2; round++) {
        if (round == 1) {
            /* Back to the start: the aborted round committed nothing. */
            CHECK_EQ(kfk_consumer_seek(c, "in", 0, 0), 0);
            CHECK_EQ(kfk_consumer_seek(c, "in", 1, 0), 0);
        }
        CHECK_EQ(kfk_producer_begin_transaction(p), 0);
        int n = 0;
        int64_t next[2] = {0, 0};
        for (int64_t until = mock_now_ms() + 15000; n < 20 && mock_now_ms() < until;) {
            kfk_consumer_message *m = kfk_consumer_poll(c, 100);
            if (!m) continue;
            if (!m->err) {
                char v[64];
                int vl = snprintf(v, sizeof v, "out-%.*s", (int)m->value_len, (const char *)m->value);
                kfk_message o = {.topic = "out", .partition = m->partition, .value = v, .value_len = (size_t)vl};
                CHECK_EQ(kfk_producer_send(p, &o, 0), 0);
                next[m->partition] = m->offset + 1;
                n++;
            }
            kfk_consumer_message_release(m);
        }
        CHECK_EQ(n, 20);
        kfk_partition_list *l = kfk_partition_list_new(2);
        kfk_partition_list_add(l, "in", 0)->offset = next[0];
        kfk_partition_list_add(l, "in", 1)->offset = next[1];
        kfk_group_metadata *gm = kfk_consumer_group_metadata(c);
        REQUIRE(gm);
        CHECK(kfk_group_metadata_generation_id(gm) >= 1);
        CHECK_EQ(kfk_producer_send_offsets_to_transaction(p, l, gm, 15000), 0);
        kfk_group_metadata_destroy(gm);
        kfk_partition_list_destroy(l);
        int64_t o0, o1;
        if (round == 0) {
            CHECK_EQ(kfk_producer_abort_transaction(p, 15000), 0);
            committed(c, &o0, &o1);
            CHECK(o0 < 0 && o1 < 0);
        } else {
            CHECK_EQ(kfk_producer_commit_transaction(p, 15000), 0);
            committed(c, &o0, &o1);
            CHECK_EQ(o0, 10);
            CHECK_EQ(o1, 10);
        }
    }
    int at = 0, want[2] = {10, 10};
    want_n(wlist, &at, wbuf, "out-in", 20, 2);
    read_topic(bs, "out", 2, "read_committed", want, &got);
    expect(&got, wlist, "out, read_committed");
    kfk_producer_destroy(p);
    kfk_consumer_destroy(c);
    kfk_mock_cluster_destroy(mc);
}

/* 48 partitions over three brokers: the consumer keeps a fetch session
 * on each, reads everything twice over, and closes them at the end. */
TEST(a_consumer_of_many_partitions_on_fetch_sessions) {
    kfk_mock_cluster *mc = kfk_mock_cluster_new(3);
    REQUIRE(mc);
    const char *bs = kfk_mock_cluster_bootstraps(mc);
    enum { NP = 48 };
    REQUIRE_EQ(kfk_mock_topic_create(mc, "many", NP, 1), 0);
    reports r;
    const char *kv[] = {"enable.idempotence", "true", NULL};
    kfk_producer *p = producer(bs, &r, kv);
    REQUIRE(p);
    CHECK_EQ(send_n(p, "many", "m", 4 * NP, NP), 0);
    CHECK_EQ(kfk_producer_flush(p, 15000), 0);
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    REQUIRE_EQ(kfk_conf_set(conf, "bootstrap.servers", bs, err, sizeof err), 0);
    kfk_consumer *c = kfk_consumer_new(conf, err, sizeof err);
    REQUIRE(c);
    kfk_partition_list *l = kfk_partition_list_new(NP);
    for (int i = 0; i < NP; i++) kfk_partition_list_add(l, "many", i)->offset = KFK_OFFSET_BEGINNING;
    REQUIRE_EQ(kfk_consumer_assign(c, l), 0);
    kfk_partition_list_destroy(l);
    int64_t next[NP] = {0};
    int n = 0, bad = 0;
    for (int round = 0; round < 2; round++) {
        if (round == 1) {
            /* News for some partitions only: incremental answers. */
            CHECK_EQ(send_n(p, "many", "m", 4 * NP + NP / 2, NP), 0);
            CHECK_EQ(kfk_producer_flush(p, 15000), 0);
        }
        int goal = round == 0 ? 4 * NP : 8 * NP + NP / 2;
        for (int64_t until = mock_now_ms() + 15000; n < goal && mock_now_ms() < until;) {
            kfk_consumer_message *m = kfk_consumer_poll(c, 100);
            if (!m) continue;
            if (m->err || m->partition < 0 || m->partition >= NP || m->offset != next[m->partition]) {
                bad++;
            } else {
                next[m->partition]++;
                n++;
            }
            kfk_consumer_message_release(m);
        }
        CHECK_EQ(n, goal);
        for (int b = 1; b <= 3; b++) CHECK_EQ(kfk_mock_fetch_sessions(mc, b), 1);
    }
    CHECK_EQ(bad, 0);
    kfk_consumer_message *extra = kfk_consumer_poll(c, 300);
    CHECK(extra == NULL);
    kfk_consumer_message_release(extra);
    CHECK_EQ(kfk_consumer_close(c), 0);
    /* Closing, the consumer closed its sessions. */
    for (int b = 1; b <= 3; b++) CHECK_EQ(kfk_mock_fetch_sessions(mc, b), 0);
    kfk_producer_destroy(p);
    kfk_mock_cluster_destroy(mc);
}
