/* Zombie fencing: a second kfk producer with the same transactional.id
 * calls init_transactions while the first (the zombie) still runs.
 *
 * What the broker answers the zombie (Kafka 3.9 and 4.x alike): requests
 * to the transaction coordinator (EndTxn, AddPartitionsToTxn,
 * AddOffsetsToTxn, TxnOffsetCommit) get PRODUCER_FENCED; Produce with the
 * old epoch gets INVALID_PRODUCER_EPOCH (the partition leader cannot tell a
 * fence from a transaction the coordinator timed out, so the Java client
 * makes it abortable and learns of the fence when it aborts).
 *
 * (Measured with the Java client 4.4: commit after the fence throws
 * ProducerFencedException; a send after it fails with
 * InvalidProducerEpochException, commit too, and abort then throws
 * ProducerFencedException; between transactions on Kafka 3.9 the send
 * and commit fail with ProducerFencedException, AddPartitionsToTxn's
 * answer.)
 *
 * So, per kfk.h: a zombie whose next call is commit (nothing sent since the
 * fence) or send_offsets_to_transaction gets KFK_ERR_FATAL with
 * kfk_producer_fatal_error KFK_ERR_PRODUCER_FENCED. A zombie that sent
 * after the fence ends fatal
 * no later than its abort: commit returns KFK_ERR_FATAL, or
 * KFK_ERR_TRANSACTION_ABORTABLE and then abort KFK_ERR_FATAL; the cause is
 * PRODUCER_FENCED or INVALID_PRODUCER_EPOCH. Either way, once fatal, every
 * further call (begin, send) is KFK_ERR_FATAL, each of its transaction's
 * messages is reported once as failed, and nothing it sent after the fence
 * is in the log (read_uncommitted) or visible (read_committed); the new
 * producer's transaction is. */
#include "txn_it.h"

enum { NPART = 2 };

static tit_reports zr, nr; /* the zombie's and the new producer's reports */
static tit_log want, got, all;
static char values[TIT_MAXREC][64];

typedef enum { FENCE_THEN_COMMIT, FENCE_THEN_OFFSETS, FENCE_THEN_SEND, FENCE_BETWEEN } scenario;

static const char *sname(scenario s) {
    return s == FENCE_THEN_COMMIT    ? "commit"
           : s == FENCE_THEN_OFFSETS ? "offsets"
           : s == FENCE_THEN_SEND    ? "send"
                                     : "between";
}

/* Sends n values "<who>-<part>-<i>" to part; indices from *next. Returns
 * how many were accepted; a refused send must be refused as fatal if
 * fatal_ok, else fails the test. */
static int send_n(kfk_producer *p, const char *topic, int part, const char *who, int n,
                  int *next, int fatal_ok) {
    int ok = 0;
    for (int i = 0; i < n; i++) {
        snprintf(values[*next], sizeof values[0], "%s-p%d-%d", who, part, i);
        int rc = tit_send(p, topic, part, values[*next], (uintptr_t)*next);
        if (rc == 0) {
            ok++;
            (*next)++;
        } else if (!(fatal_ok && rc == KFK_ERR_FATAL)) {
            kfk_test_fail(__FILE__, __LINE__, "send %s: %s", values[*next], kfk_err_name(rc));
        }
    }
    return ok;
}

static void run(scenario s) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    memset(&zr, 0, sizeof zr);
    memset(&nr, 0, sizeof nr);
    want.n = all.n = 0;
    char topic[128], txid[160];
    REQUIRE(cit_topic(boot, topic, sizeof topic, "txn-fence", NPART) == 0);
    snprintf(txid, sizeof txid, "tx-%s", topic);
    kfk_producer *z = tit_producer(boot, txid, &zr, NULL);
    REQUIRE(z);
    REQUIRE_EQ(kfk_producer_init_transactions(z, 30000), 0);
    int next = 0, before_fence;
    if (s == FENCE_BETWEEN) {
        REQUIRE_EQ(kfk_producer_begin_transaction(z), 0);
        send_n(z, topic, 0, "zombie-before", 4, &next, 0);
        REQUIRE_EQ(kfk_producer_commit_transaction(z, 30000), 0);
        REQUIRE(tit_wait_reports(z, &zr, 0, next));
        for (int i = 0; i < next; i++) {
            CHECK_EQ(zr.d[i].err, 0);
            tit_add(&want, 0, zr.d[i].offset, values[i]);
        }
    } else {
        REQUIRE_EQ(kfk_producer_begin_transaction(z), 0);
        send_n(z, topic, 0, "zombie-open", 4, &next, 0);
        REQUIRE(tit_wait_hwm(boot, topic, 0, 4)); /* in the log, uncommitted */
    }
    before_fence = next;

    /* The new instance fences the zombie (and aborts its open transaction). */
    kfk_producer *n = tit_producer(boot, txid, &nr, NULL);
    REQUIRE(n);
    REQUIRE_EQ(kfk_producer_init_transactions(n, 30000), 0);

    int rc;
    if (s == FENCE_THEN_COMMIT) {
        rc = kfk_producer_commit_transaction(z, 30000);
        CHECK_EQ(rc, KFK_ERR_FATAL);
    } else if (s == FENCE_THEN_OFFSETS) {
        /* AddOffsetsToTxn goes to the transaction coordinator. */
        char group[160];
        snprintf(group, sizeof group, "g-%s", topic);
        kfk_group_metadata *gm = kfk_group_metadata_new(group, -1, NULL, NULL);
        kfk_partition_list *l = kfk_partition_list_new(1);
        REQUIRE(gm && l);
        kfk_partition_list_add(l, topic, 0)->offset = 4;
        rc = kfk_producer_send_offsets_to_transaction(z, l, gm, 30000);
        fprintf(stderr, "[%s] zombie send_offsets: %s\n", sname(s), kfk_err_name(rc));
        CHECK_EQ(rc, KFK_ERR_FATAL);
        kfk_partition_list_destroy(l);
        kfk_group_metadata_destroy(gm);
    } else {
        if (s == FENCE_BETWEEN) CHECK_EQ(kfk_producer_begin_transaction(z), 0);
        send_n(z, topic, 0, "zombie-after", 3, &next, 1);
        send_n(z, topic, 1, "zombie-after", 3, &next, 1);
        rc = kfk_producer_commit_transaction(z, 30000);
        if (s == FENCE_BETWEEN && !tit_kafka4()) CHECK_EQ(rc, KFK_ERR_FATAL);
        if (rc == KFK_ERR_TRANSACTION_ABORTABLE) {
            char why[256] = "";
            int cause = kfk_producer_txn_error(z, why, sizeof why);
            fprintf(stderr, "[%s] zombie commit: abortable, cause %s (%s)\n", sname(s),
                    kfk_err_name(cause), why);
            CHECK(cause != 0);
            rc = kfk_producer_abort_transaction(z, 30000);
            fprintf(stderr, "[%s] zombie abort: %s\n", sname(s), kfk_err_name(rc));
        } else {
            fprintf(stderr, "[%s] zombie commit: %s\n", sname(s), kfk_err_name(rc));
        }
        CHECK_EQ(rc, KFK_ERR_FATAL);
    }
    char why[256] = "";
    int cause = kfk_producer_fatal_error(z, why, sizeof why);
    fprintf(stderr, "[%s] zombie fatal error: %s (%s)\n", sname(s), kfk_err_name(cause), why);
    /* Kafka 3.x adds a partition to a transaction with AddPartitionsToTxn,
     * which the coordinator answers PRODUCER_FENCED before any Produce. */
    if (s == FENCE_THEN_COMMIT || s == FENCE_THEN_OFFSETS || (s == FENCE_BETWEEN && !tit_kafka4()))
        CHECK_EQ(cause, KFK_ERR_PRODUCER_FENCED);
    else if (cause != KFK_ERR_PRODUCER_FENCED && cause != KFK_ERR_INVALID_PRODUCER_EPOCH)
        kfk_test_fail(__FILE__, __LINE__, "fatal cause %s, want PRODUCER_FENCED",
                      kfk_err_name(cause));
    /* Fatal for good. */
    CHECK_EQ(kfk_producer_begin_transaction(z), KFK_ERR_FATAL);
    CHECK_EQ(tit_send(z, topic, 0, "zombie-refused", TIT_MAXREC - 1), KFK_ERR_FATAL);
    CHECK_EQ(kfk_producer_commit_transaction(z, 5000), KFK_ERR_FATAL);
    kfk_producer_destroy(z);
    for (int i = before_fence - (s == FENCE_BETWEEN ? 0 : 4); i < next; i++) {
        CHECK_EQ(zr.d[i].reports, 1);
        if (zr.d[i].err == 0)
            kfk_test_fail(__FILE__, __LINE__, "zombie's %s reported written at %lld", values[i],
                          (long long)zr.d[i].offset);
    }
    CHECK_EQ(zr.d[TIT_MAXREC - 1].reports, 0);

    /* The new instance goes on. */
    int first = next;
    REQUIRE_EQ(kfk_producer_begin_transaction(n), 0);
    send_n(n, topic, 0, "new", 3, &next, 0);
    send_n(n, topic, 1, "new", 3, &next, 0);
    REQUIRE_EQ(kfk_producer_commit_transaction(n, 30000), 0);
    REQUIRE(tit_wait_reports(n, &nr, first, next - first));
    for (int i = first; i < next; i++) {
        CHECK_EQ(nr.d[i].err, 0);
        tit_add(&want, nr.d[i].part, nr.d[i].offset, values[i]);
    }
    CHECK_EQ(kfk_producer_close(n, 10000), 0);

    tit_sort(&want);
    REQUIRE(tit_check_committed(boot, topic, NPART, &want, &got) == 0);
    /* What the zombie sent after the fence never reached the log. */
    REQUIRE(tit_read_java(boot, topic, NPART, "read_uncommitted", &all) == 0);
    for (int i = 0; i < all.n; i++)
        if (strncmp(all.r[i].value, "zombie-after", 12) == 0)
            kfk_test_fail(__FILE__, __LINE__, "in the log: %s at [%d] @%lld", all.r[i].value,
                          all.r[i].part, (long long)all.r[i].offset);
}

TEST(fenced_then_commit) { run(FENCE_THEN_COMMIT); }

TEST(fenced_then_send_offsets) { run(FENCE_THEN_OFFSETS); }

TEST(fenced_then_send) { run(FENCE_THEN_SEND); }

TEST(fenced_between_transactions) { run(FENCE_BETWEEN); }

/* The classic zombie: an instance stalls (a long GC pause, a frozen
 * process) with a transaction open, a new instance takes the
 * transactional id over and starts its own transaction, and the zombie
 * wakes once its transaction is older than its transaction.timeout.ms.
 * Its Produce gets INVALID_PRODUCER_EPOCH, as after a timeout abort; but
 * the id is someone else's now, so the zombie must end fatal (PRODUCER_FENCED,
 * at its abort at the latest) and the new instance must commit. Kafka 3.x
 * (transaction.version 1) keeps nothing that tells this from a timeout
 * abort: an InitProducerId with the old epoch is refused either way, and
 * one without (a fresh start) would fence the new instance in turn. The
 * Java client ends fatal on both versions. */
TEST(zombie_older_than_its_timeout) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    memset(&zr, 0, sizeof zr);
    memset(&nr, 0, sizeof nr);
    want.n = 0;
    char topic[128], txid[160];
    REQUIRE(cit_topic(boot, topic, sizeof topic, "txn-zombie-old", NPART) == 0);
    snprintf(txid, sizeof txid, "tx-%s", topic);
    const char *settings[] = {"transaction.timeout.ms", "2000", NULL};
    kfk_producer *z = tit_producer(boot, txid, &zr, settings);
    REQUIRE(z);
    REQUIRE_EQ(kfk_producer_init_transactions(z, 30000), 0);
    int next = 0;
    REQUIRE_EQ(kfk_producer_begin_transaction(z), 0);
    send_n(z, topic, 0, "zombie-open", 4, &next, 0);
    REQUIRE(tit_wait_hwm(boot, topic, 0, 4));

    /* The new instance takes over and opens its own transaction. */
    kfk_producer *n = tit_producer(boot, txid, &nr, NULL);
    REQUIRE(n);
    REQUIRE_EQ(kfk_producer_init_transactions(n, 30000), 0);
    int first = next;
    REQUIRE_EQ(kfk_producer_begin_transaction(n), 0);
    send_n(n, topic, 0, "new", 3, &next, 0);
    send_n(n, topic, 1, "new", 3, &next, 0);

    /* The zombie wakes after its transaction's timeout (the stall). */
    usleep(2500 * 1000);
    int zfirst = next;
    send_n(z, topic, 0, "zombie-after", 1, &next, 1);
    int rc = kfk_producer_commit_transaction(z, 30000);
    fprintf(stderr, "[old zombie] commit: %s\n", kfk_err_name(rc));
    if (rc == KFK_ERR_TRANSACTION_ABORTABLE) {
        rc = kfk_producer_abort_transaction(z, 30000);
        fprintf(stderr, "[old zombie] abort: %s\n", kfk_err_name(rc));
    }
    CHECK_EQ(rc, KFK_ERR_FATAL);
    char why[256] = "";
    int cause = kfk_producer_fatal_error(z, why, sizeof why);
    fprintf(stderr, "[old zombie] fatal error: %s (%s)\n", kfk_err_name(cause), why);
    /* Had it come back to life, it could write again. */
    if (kfk_producer_begin_transaction(z) == 0) {
        send_n(z, topic, 1, "zombie-again", 1, &next, 1);
        rc = kfk_producer_commit_transaction(z, 30000);
        fprintf(stderr, "[old zombie] a new transaction: %s\n", kfk_err_name(rc));
    }
    kfk_producer_destroy(z);
    for (int i = zfirst; i < next; i++)
        if (zr.d[i].err == 0 && zr.d[i].reports)
            kfk_test_fail(__FILE__, __LINE__, "the zombie wrote %s", values[i]);

    /* The new instance is the one that goes on. */
    rc = kfk_producer_commit_transaction(n, 30000);
    fprintf(stderr, "[old zombie] the new instance's commit: %s\n", kfk_err_name(rc));
    CHECK_EQ(rc, 0);
    if (rc == 0) {
        REQUIRE(tit_wait_reports(n, &nr, first, 6));
        for (int i = first; i < first + 6; i++) {
            CHECK_EQ(nr.d[i].err, 0);
            tit_add(&want, nr.d[i].part, nr.d[i].offset, values[i]);
        }
    }
    kfk_producer_destroy(n);
    tit_sort(&want);
    int64_t end[NPART];
    REQUIRE(tit_wait_stable(boot, topic, NPART, end) == 0);
    REQUIRE(tit_read_java(boot, topic, NPART, "read_committed", &got) == 0);
    tit_expect(&got, &want, "Java read_committed");
}
