/* kfk's transactional producer writes ten transactions over three
 * partitions, committed and aborted in turn (the first, fourth, seventh
 * and tenth on every partition, the others on one), each aborted one only
 * once its messages are in the log. Then:
 *   - every message has one delivery report: those committed with the
 *     offset they have in the log, those aborted failed with
 *     KFK_ERR_TRANSACTION_ABORTABLE;
 *   - the Java client with read_committed (ReadTopic.java) reads exactly
 *     the committed messages, at those offsets, in order per partition;
 *     kfk's read_committed consumer reads the same;
 *   - read_uncommitted (Java and kfk) reads every message sent, in order.
 * Uncompressed and with zstd. Needs java and javac 17+ (scripts/install-deps). */
#include "txn_it.h"

enum { NPART = 3, NTXN = 10 };

static tit_reports reports;
static tit_log committed, all, got;
static char values[TIT_MAXREC][64];

static void interleave(const char *codec) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    memset(&reports, 0, sizeof reports);
    committed.n = all.n = 0;
    char topic[128], txid[160];
    REQUIRE(cit_topic(boot, topic, sizeof topic, "txn-interleave", NPART) == 0);
    snprintf(txid, sizeof txid, "tx-%s", topic);
    const char *settings[] = {"compression.type", codec, NULL};
    kfk_producer *p = tit_producer(boot, txid, &reports, settings);
    REQUIRE(p);
    REQUIRE_EQ(kfk_producer_init_transactions(p, 30000), 0);

    int sent = 0;
    int64_t in_log[NPART] = {0}; /* data messages and markers so far */
    for (int t = 0; t < NTXN; t++) {
        int commit = t % 2 == 0, first = sent;
        REQUIRE_EQ(kfk_producer_begin_transaction(p), 0);
        for (int part = 0; part < NPART; part++) {
            if (t % 3 != 0 && part != t % 3) continue;
            for (int i = 0; i < 3 + t; i++) {
                snprintf(values[sent], sizeof values[sent], "t%d-p%d-%d", t, part, i);
                REQUIRE_EQ(tit_send(p, topic, part, values[sent], (uintptr_t)sent), 0);
                tit_add(&all, part, -1, values[sent]);
                sent++;
            }
            in_log[part] += 3 + t;
        }
        if (commit) {
            REQUIRE_EQ(kfk_producer_commit_transaction(p, 30000), 0);
        } else {
            /* Aborted once written, so read_uncommitted must see them. */
            for (int part = 0; part < NPART; part++)
                REQUIRE(tit_wait_hwm(boot, topic, part, in_log[part]));
            REQUIRE_EQ(kfk_producer_abort_transaction(p, 30000), 0);
        }
        for (int part = 0; part < NPART; part++)
            if (t % 3 == 0 || part == t % 3) in_log[part]++; /* the marker */
        REQUIRE(tit_wait_reports(p, &reports, first, sent - first));
        for (int i = first; i < sent; i++) {
            const tit_dr *d = &reports.d[i];
            CHECK_EQ(d->reports, 1);
            if (commit) {
                if (d->err)
                    kfk_test_fail(__FILE__, __LINE__, "%s: %s (%s)", values[i],
                                  kfk_err_name(d->err), d->errstr);
                CHECK(d->offset >= 0);
                tit_add(&committed, d->part, d->offset, values[i]);
            } else {
                if (d->err != KFK_ERR_TRANSACTION_ABORTABLE)
                    kfk_test_fail(__FILE__, __LINE__, "%s: aborted, reported %s", values[i],
                                  kfk_err_name(d->err));
                CHECK(d->offset < 0);
            }
        }
    }
    /* No report twice, even after the last transaction. */
    kfk_producer_poll(p, 200);
    for (int i = 0; i < sent; i++) CHECK_EQ(reports.d[i].reports, 1);
    kfk_producer_stats st;
    kfk_producer_stats_get(p, &st);
    CHECK_EQ(st.txn_commits, NTXN / 2);
    CHECK_EQ(st.txn_aborts, NTXN / 2);
    CHECK_EQ(st.txn_version, tit_kafka4() ? 2 : 1);
    CHECK_EQ(kfk_producer_close(p, 10000), 0);

    tit_sort(&committed);
    tit_sort(&all);
    int64_t end[NPART];
    REQUIRE(tit_wait_stable(boot, topic, NPART, end) == 0);
    for (int part = 0; part < NPART; part++) CHECK_EQ(end[part], in_log[part]);

    REQUIRE(tit_read_java(boot, topic, NPART, "read_committed", &got) == 0);
    tit_expect(&got, &committed, "Java read_committed");
    REQUIRE(tit_read_kfk(boot, topic, NPART, "read_committed", end, &got) == 0);
    tit_expect(&got, &committed, "kfk read_committed");
    REQUIRE(tit_read_java(boot, topic, NPART, "read_uncommitted", &got) == 0);
    tit_expect(&got, &all, "Java read_uncommitted");
    REQUIRE(tit_read_kfk(boot, topic, NPART, "read_uncommitted", end, &got) == 0);
    tit_expect(&got, &all, "kfk read_uncommitted");
}

TEST(interleaved_commit_abort) { interleave("none"); }

/* Transactional batches compressed: the Java client must see the
 * transactional bit and the producer id through the compression. */
TEST(interleaved_commit_abort_zstd) { interleave("zstd"); }

/* close with a transaction open aborts it (as the Java client): its
 * messages are reported failed and never visible; what was committed
 * before stays. */
TEST(close_aborts_open_transaction) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    memset(&reports, 0, sizeof reports);
    committed.n = 0;
    char topic[128], txid[160];
    REQUIRE(cit_topic(boot, topic, sizeof topic, "txn-close", 1) == 0);
    snprintf(txid, sizeof txid, "tx-%s", topic);
    kfk_producer *p = tit_producer(boot, txid, &reports, NULL);
    REQUIRE(p);
    REQUIRE_EQ(kfk_producer_init_transactions(p, 30000), 0);
    REQUIRE_EQ(kfk_producer_begin_transaction(p), 0);
    REQUIRE_EQ(tit_send(p, topic, 0, "kept", 0), 0);
    REQUIRE_EQ(kfk_producer_commit_transaction(p, 30000), 0);
    REQUIRE(tit_wait_reports(p, &reports, 0, 1));
    CHECK_EQ(reports.d[0].err, 0);
    tit_add(&committed, 0, reports.d[0].offset, "kept");
    REQUIRE_EQ(kfk_producer_begin_transaction(p), 0);
    for (int i = 1; i <= 5; i++) REQUIRE_EQ(tit_send(p, topic, 0, "left-open", (uintptr_t)i), 0);
    REQUIRE(tit_wait_hwm(boot, topic, 0, 1 + 1 + 5)); /* written, uncommitted */
    CHECK_EQ(kfk_producer_close(p, 30000), 0);
    for (int i = 1; i <= 5; i++) {
        CHECK_EQ(reports.d[i].reports, 1);
        CHECK_EQ(reports.d[i].err, KFK_ERR_TRANSACTION_ABORTABLE);
    }
    int64_t end[1];
    REQUIRE(tit_wait_stable(boot, topic, 1, end) == 0);
    CHECK_EQ(end[0], 1 + 1 + 5 + 1); /* the abort marker is written */
    REQUIRE(tit_read_java(boot, topic, 1, "read_committed", &got) == 0);
    tit_expect(&got, &committed, "Java read_committed");
}
