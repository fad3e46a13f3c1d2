/* The transaction coordinator fails mid-transaction on a three-node
 * cluster (the topic and __transaction_state replicated three times, min
 * ISR 2): its broker (FindCoordinator with key type 1) is killed -9 halfway
 * through a transaction's messages, and in another case frozen (SIGSTOP)
 * for 20 s, then thawed; in two more cases as the commit begins; and, in
 * two more, a partition's leader instead of the coordinator. The
 * application goes on as kfk.h says: a retriable error (or a timeout)
 * calls the same call again, an abortable one aborts and redoes the whole
 * transaction, a fatal one is a failure.
 * Every message gets one report (written in the attempt that committed,
 * failed in one that aborted), and at the end the Java client (and kfk)
 * with read_committed read each message of each transaction exactly once,
 * in order per partition. The node is restarted after each case.
 *
 * KFK_BOOTSTRAP_3NODES names the cluster; KFK_CLUSTER_CTL is the command
 * prefix taking "kill N", "start N" and "stop-signal N STOP|CONT". */
#include <pthread.h>

#include "failover_it.h"
#include "txn_it.h"

/* CALL_MS: shorter than the freeze, so a commit or abort may time out and
 * be called again, as kfk.h says. */
enum { NPART = 3, NTXN = 5, PER_TXN = 300, DISRUPTED = 2, FREEZE_S = 20, CALL_MS = 10000 };

static tit_reports reports;
static tit_log want, got;

/* The coordinator's failure: which node, how, when, and whether it began. */
typedef struct disruption {
    const char *ctl;
    int node, kill, at_commit, done;
    pthread_t thread;
} disruption;

static int signal_node(const char *ctl, int node, const char *sig) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s stop-signal %d %s --nodes 3 >/dev/null 2>&1", ctl, node, sig);
    return system(cmd);
}

/* Kills the node, or freezes it for FREEZE_S seconds (a test's own pacing,
 * never asserted on): on its own thread, so that it meets the application
 * in the middle of a call. */
static void *disrupt(void *arg) {
    disruption *d = arg;
    if (d->kill) {
        if (fit_ctl(d->ctl, "kill", d->node))
            kfk_test_fail(__FILE__, __LINE__, "kill of node %d failed", d->node);
        return NULL;
    }
    if (signal_node(d->ctl, d->node, "STOP"))
        kfk_test_fail(__FILE__, __LINE__, "SIGSTOP to node %d failed", d->node);
    sleep(FREEZE_S);
    if (signal_node(d->ctl, d->node, "CONT"))
        kfk_test_fail(__FILE__, __LINE__, "SIGCONT to node %d failed", d->node);
    return NULL;
}

static void start_disruption(disruption *d) {
    if (pthread_create(&d->thread, NULL, disrupt, d) == 0)
        d->done = 1;
    else
        kfk_test_fail(__FILE__, __LINE__, "pthread_create");
}

/* Sends messages from..to-1 of transaction t (value "t<t>-m<i>", partition
 * i % NPART); *sent counts sends (the reports' index). */
static int send_range(kfk_producer *p, const char *topic, int t, int from, int to, int *sent) {
    for (int i = from; i < to; i++) {
        char value[64];
        snprintf(value, sizeof value, "t%d-m%d", t, i);
        if (*sent >= TIT_MAXREC) return KFK_ERR_INVALID_ARG;
        int rc = tit_send(p, topic, i % NPART, value, (uintptr_t)*sent);
        if (rc) return rc;
        (*sent)++;
    }
    return 0;
}

/* Calls commit (or abort) until it is not retriable, within the bound. */
static int end_txn(kfk_producer *p, int commit, const char *what) {
    int64_t until = it_now_ms() + 4 * TIT_BOUND_MS;
    int rc;
    do {
        rc = commit ? kfk_producer_commit_transaction(p, CALL_MS)
                    : kfk_producer_abort_transaction(p, CALL_MS);
        if (rc) fprintf(stderr, "[%s] %s: %s\n", what, commit ? "commit" : "abort", kfk_err_name(rc));
    } while ((rc == KFK_ERR_TIMED_OUT || kfk_err_retriable(rc)) && it_now_ms() < until);
    return rc;
}

/* Writes the NTXN transactions, disrupting d's node during DISRUPTED. */
static void produce_all(kfk_producer *p, const char *topic, const char *what, disruption *d,
                        int *sent_out) {
    int sent = 0, redone = 0;
    for (int t = 0; t < NTXN; t++) {
        for (int a = 0;; a++) {
            REQUIRE(a < 5);
            int first = sent;
            REQUIRE_EQ(kfk_producer_begin_transaction(p), 0);
            int rc = send_range(p, topic, t, 0, PER_TXN / 2, &sent);
            *sent_out = sent;
            if (!rc && t == DISRUPTED && !d->done && !d->at_commit) {
                /* The first half is on its way; the coordinator goes. */
                kfk_producer_poll(p, 200);
                start_disruption(d);
            }
            if (!rc) rc = send_range(p, topic, t, PER_TXN / 2, PER_TXN, &sent);
            if (!rc && t == DISRUPTED && !d->done && d->at_commit) start_disruption(d);
            *sent_out = sent;
            if (rc && rc != KFK_ERR_TRANSACTION_ABORTABLE) {
                kfk_test_fail(__FILE__, __LINE__, "[%s] send in transaction %d: %s", what, t,
                              kfk_err_name(rc));
                return;
            }
            if (!rc) rc = end_txn(p, 1, what);
            if (rc == 0) {
                REQUIRE(tit_wait_reports(p, &reports, first, sent - first));
                for (int i = first; i < sent; i++) CHECK_EQ(reports.d[i].err, 0);
                break;
            }
            if (rc != KFK_ERR_TRANSACTION_ABORTABLE) {
                char why[256] = "";
                int cause = kfk_producer_fatal_error(p, why, sizeof why);
                kfk_test_fail(__FILE__, __LINE__, "[%s] transaction %d: %s (fatal: %s, %s)", what,
                              t, kfk_err_name(rc), kfk_err_name(cause), why);
                return;
            }
            char why[256] = "";
            int cause = kfk_producer_txn_error(p, why, sizeof why);
            fprintf(stderr, "[%s] transaction %d attempt %d abortable: %s (%s)\n", what, t, a,
                    kfk_err_name(cause), why);
            REQUIRE_EQ(end_txn(p, 0, what), 0);
            REQUIRE(tit_wait_reports(p, &reports, first, sent - first));
            for (int i = first; i < sent; i++) CHECK(reports.d[i].err != 0);
            redone++;
        }
    }
    fprintf(stderr, "[%s] %d transactions redone after an abortable error\n", what, redone);
}

/* what: the case's name; kill (else freeze) the coordinator, or with
 * leader a partition's leader (another node if one leads), halfway or
 * at_commit; txn_timeout_ms: the producer's transaction.timeout.ms (for a
 * freeze). */
static void run_timeout(const char *what, int kill, int at_commit, int leader,
                        const char *txn_timeout_ms) {
    const char *boot = fit_env("KFK_BOOTSTRAP_3NODES"), *ctl = fit_env("KFK_CLUSTER_CTL");
    REQUIRE(boot && ctl);
    memset(&reports, 0, sizeof reports);
    want.n = 0;
    kfk_core_conf conf;
    it_conf(&conf, boot);
    kfk_core *core = it_core(&conf);
    REQUIRE(core);
    char topic[128], txid[160];
    it_topic(topic, sizeof topic, "txn-failover");
    REQUIRE(fit_create_rf3(core, topic, NPART) == 0);
    snprintf(txid, sizeof txid, "tx-%s", topic);

    /* With a node frozen, requests time out and go again (Produce: the
     * broker drops duplicates by sequence) instead of waiting it out. */
    const char *settings[] = {"transaction.timeout.ms", txn_timeout_ms, "request.timeout.ms",
                              "5000", NULL};
    kfk_producer *p = tit_producer(boot, txid, &reports, kill ? NULL : settings);
    REQUIRE(p);
    REQUIRE_EQ(kfk_producer_init_transactions(p, 60000), 0);
    int32_t coord = -1;
    for (int64_t until = it_now_ms() + 30000; coord < 0 && it_now_ms() < until;)
        if ((coord = fit_coordinator_of(core, txid, 1)) < 0) usleep(200 * 1000);
    REQUIRE(coord >= 0);
    fprintf(stderr, "[%s] transaction coordinator of %s: node %d\n", what, txid, (int)coord);

    int32_t node = coord;
    for (int part = 0; leader && part < NPART && node == coord; part++)
        node = fit_leader_of(core, topic, part); /* one that is not the coordinator */
    REQUIRE(node >= 0);
    if (leader) fprintf(stderr, "[%s] partition leader: node %d\n", what, (int)node);
    disruption d = {.ctl = ctl, .node = node, .kill = kill, .at_commit = at_commit};
    int sent = 0;
    produce_all(p, topic, what, &d, &sent);
    /* The node comes back whatever happened. */
    if (d.done) pthread_join(d.thread, NULL);
    if (d.done && kill) CHECK_EQ(fit_ctl(ctl, "start", node), 0);
    REQUIRE(!kfk_test_case_failed);
    kfk_producer_poll(p, 200);
    for (int i = 0; i < sent; i++) CHECK_EQ(reports.d[i].reports, 1);
    CHECK_EQ(kfk_producer_close(p, 30000), 0);
    kfk_core_destroy(core);

    for (int t = 0; t < NTXN; t++)
        for (int i = 0; i < PER_TXN; i++) {
            char value[64];
            snprintf(value, sizeof value, "t%d-m%d", t, i);
            tit_add(&want, i % NPART, -1, value);
        }
    tit_sort(&want);
    REQUIRE(tit_check_committed(boot, topic, NPART, &want, &got) == 0);
}

static void run(const char *what, int kill, int at_commit, int leader) {
    run_timeout(what, kill, at_commit, leader, "60000");
}

TEST(coordinator_killed) { run("kill", 1, 0, 0); }

TEST(coordinator_frozen) { run("freeze", 0, 0, 0); }

/* The same as the commit begins: its EndTxn (or the flush before it) meets
 * the failure. A commit that timed out is completed by the next call. */
TEST(coordinator_killed_at_commit) { run("kill at commit", 1, 1, 0); }

TEST(coordinator_frozen_at_commit) { run("freeze at commit", 0, 1, 0); }

/* A partition's leader (not the coordinator's node, when the partitions
 * allow) killed mid-transaction, or frozen: the Produce requests move to
 * the new leader, sequences go on within the epoch. */
TEST(partition_leader_killed) { run("leader kill", 1, 0, 1); }

TEST(partition_leader_frozen) { run("leader freeze", 0, 0, 1); }

/* Frozen past a short transaction.timeout.ms: the coordinator that takes
 * over may abort the transaction at its timeout before the commit comes
 * (then the commit is abortable and the transaction is redone), or not. */
TEST(coordinator_frozen_past_timeout) { run_timeout("freeze past timeout", 0, 0, 0, "5000"); }
