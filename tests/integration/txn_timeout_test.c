/* A transaction left open longer than transaction.timeout.ms (2 s here) is
 * aborted by the broker: its coordinator looks for such transactions every
 * transaction.abort.timed.out.transaction.cleanup.interval.ms (10 s by
 * default, which kafka-local keeps), aborts them and bumps the producer's
 * epoch. The test waits until the abort marker is in the log (the last
 * stable offset reaches the high watermark), never for a fixed time.
 *
 * Then the producer sends once more to the partition (Produce with the old
 * epoch: INVALID_PRODUCER_EPOCH) and commits: the transaction is abortable
 * (the send or the commit returns KFK_ERR_TRANSACTION_ABORTABLE,
 * kfk_producer_txn_error names a cause). What follows depends on the
 * broker, as the Java client 4.4 finds too:
 *   - Kafka 4.x (transaction.version 2): the application aborts, and the
 *     next transaction commits without a new init_transactions. The
 *     coordinator takes the abort with the old epoch as a retry of its own
 *     and answers with the epoch it bumped to, which the producer goes on
 *     with (its Produce requests with the old one are refused, so the
 *     commit shows the bump);
 *   - Kafka 3.x (version 1): the coordinator aborted with an epoch fence
 *     and forgot the old epoch, so InitProducerId with it is refused
 *     (PRODUCER_FENCED): the abort ends fatal (kfk_producer_fatal_error
 *     KFK_ERR_PRODUCER_FENCED), and a new producer takes over. Starting
 *     anew inside the producer (InitProducerId without id and epoch) is
 *     no way out: nothing tells this from a newer instance holding the id,
 *     which it would fence (txn_fence_test.c, zombie_older_than_its_timeout).
 * Every message of the timed-out transaction is reported once, failed
 * (KFK_ERR_TRANSACTION_ABORTABLE on 4.x); read_committed (Java and kfk)
 * holds exactly the transactions committed before and after. */
#include "txn_it.h"

enum { NPART = 2 };

static tit_reports reports;
static tit_log want, got;
static char values[TIT_MAXREC][64];

static int send_n(kfk_producer *p, const char *topic, int part, const char *who, int n,
                  int *next) {
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        snprintf(values[*next], sizeof values[0], "%s-p%d-%d", who, part, i);
        rc = tit_send(p, topic, part, values[*next], (uintptr_t)*next);
        if (!rc) (*next)++;
    }
    return rc;
}

/* Commits the transaction of messages first..next-1 and adds them to want. */
static void commit_all(kfk_producer *p, int first, int next) {
    REQUIRE_EQ(kfk_producer_commit_transaction(p, 30000), 0);
    REQUIRE(tit_wait_reports(p, &reports, first, next - first));
    for (int i = first; i < next; i++) {
        CHECK_EQ(reports.d[i].reports, 1);
        CHECK_EQ(reports.d[i].err, 0);
        tit_add(&want, reports.d[i].part, reports.d[i].offset, values[i]);
    }
}

TEST(timed_out_transaction_is_abortable) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128], txid[160];
    REQUIRE(cit_topic(boot, topic, sizeof topic, "txn-timeout", NPART) == 0);
    snprintf(txid, sizeof txid, "tx-%s", topic);
    const char *settings[] = {"transaction.timeout.ms", "2000", NULL};
    kfk_producer *p = tit_producer(boot, txid, &reports, settings);
    REQUIRE(p);
    REQUIRE_EQ(kfk_producer_init_transactions(p, 30000), 0);

    /* One committed transaction first. */
    int next = 0, first = 0;
    REQUIRE_EQ(kfk_producer_begin_transaction(p), 0);
    REQUIRE_EQ(send_n(p, topic, 0, "before", 3, &next), 0);
    REQUIRE_EQ(send_n(p, topic, 1, "before", 3, &next), 0);
    commit_all(p, first, next);

    /* One left open until the broker aborts it. */
    first = next;
    REQUIRE_EQ(kfk_producer_begin_transaction(p), 0);
    REQUIRE_EQ(send_n(p, topic, 0, "timed-out", 5, &next), 0);
    REQUIRE(tit_wait_hwm(boot, topic, 0, 3 + 1 + 5)); /* before + marker + these */
    int64_t end[NPART];
    REQUIRE(tit_wait_stable(boot, topic, NPART, end) == 0); /* the broker's abort marker */
    CHECK_EQ(end[0], 3 + 1 + 5 + 1);

    int rc = send_n(p, topic, 0, "late", 1, &next);
    fprintf(stderr, "send after the broker's abort: %s\n", kfk_err_name(rc));
    if (rc == 0) rc = kfk_producer_commit_transaction(p, 30000);
    fprintf(stderr, "commit after the broker's abort: %s\n", kfk_err_name(rc));
    char why[256] = "";
    if (rc == KFK_ERR_TRANSACTION_ABORTABLE) {
        int cause = kfk_producer_txn_error(p, why, sizeof why);
        fprintf(stderr, "cause: %s (%s)\n", kfk_err_name(cause), why);
        CHECK(cause != 0);
    }
    if (tit_kafka4()) {
        REQUIRE_EQ(rc, KFK_ERR_TRANSACTION_ABORTABLE);
        CHECK_EQ(kfk_producer_fatal_error(p, why, sizeof why), 0);
        REQUIRE_EQ(kfk_producer_abort_transaction(p, 30000), 0);
        REQUIRE(tit_wait_reports(p, &reports, first, next - first));
    } else {
        if (rc == KFK_ERR_TRANSACTION_ABORTABLE) rc = kfk_producer_abort_transaction(p, 30000);
        fprintf(stderr, "then: %s\n", kfk_err_name(rc));
        CHECK_EQ(rc, KFK_ERR_FATAL);
        int cause = kfk_producer_fatal_error(p, why, sizeof why);
        fprintf(stderr, "fatal: %s (%s)\n", kfk_err_name(cause), why);
        CHECK_EQ(cause, KFK_ERR_PRODUCER_FENCED);
        kfk_producer_destroy(p);
        p = tit_producer(boot, txid, &reports, settings);
        REQUIRE(p);
        REQUIRE_EQ(kfk_producer_init_transactions(p, 30000), 0);
    }
    /* The late message failed on its own (reported with the broker's
     * error, kfk.h); the others with the abort's, on 4.x. */
    for (int i = first; i < next; i++) {
        int late = strncmp(values[i], "late", 4) == 0;
        CHECK_EQ(reports.d[i].reports, 1);
        if (reports.d[i].err == 0 ||
            (tit_kafka4() && !late && reports.d[i].err != KFK_ERR_TRANSACTION_ABORTABLE))
            kfk_test_fail(__FILE__, __LINE__, "%s reported %s", values[i],
                          kfk_err_name(reports.d[i].err));
    }

    /* The next transaction. */
    first = next;
    REQUIRE_EQ(kfk_producer_begin_transaction(p), 0);
    REQUIRE_EQ(send_n(p, topic, 0, "after", 3, &next), 0);
    REQUIRE_EQ(send_n(p, topic, 1, "after", 3, &next), 0);
    commit_all(p, first, next);
    CHECK_EQ(kfk_producer_close(p, 10000), 0);

    tit_sort(&want);
    REQUIRE(tit_check_committed(boot, topic, NPART, &want, &got) == 0);
}
