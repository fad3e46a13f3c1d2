/* eos_copy: copies a topic to another exactly once (consume, transform,
 * produce in Kafka transactions).
 *
 *   eos_copy -b BOOTSTRAP -G GROUP IN_TOPIC OUT_TOPIC [--idle-exit-ms N]
 *
 * Reads IN_TOPIC as a member of GROUP (read_committed) and writes each
 * message's key, value and headers to OUT_TOPIC. Every 100 ms or 1,000
 * messages it commits a transaction holding both the copies and the
 * consumed offsets, so a message is copied and marked consumed together or
 * not at all. With --idle-exit-ms N it commits and exits 0 once nothing
 * has arrived for N ms (counted from the assignment or the last message).
 *
 * Run one instance per group. Its transactional.id and its static group
 * membership (group.instance.id) are both "eos_copy-GROUP", so an instance
 * started after a crash fences the dead one at once: the dead producer's
 * open transaction is aborted (read_committed readers of OUT_TOPIC are not
 * held back until transaction.timeout.ms), and its partitions come back
 * without waiting for its session to time out (the classic group
 * protocol, kfk's default: with group.protocol=consumer a static member
 * that died without leaving holds its id until then). A second live
 * instance fences the first, which then exits with an error.
 *
 * Errors, as every transactional application handles them:
 *   retriable  the call did not finish: call it again;
 *   abortable  abort, go back to the last committed offsets, go on;
 *   fatal      (fenced, ...) exit non-zero.
 * Build against an installed kfk:
 *   cc eos_copy.c $(pkg-config --cflags --libs kfk) -o eos_copy */
#include <kfk.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define COMMIT_EVERY_MS 100
#define COMMIT_EVERY_MSGS 1000
#define CALL_TIMEOUT_MS 10000 /* each transactional call; retried after it */

typedef struct app {
    kfk_consumer *c;
    kfk_producer *p;
    const char *out_topic;
    int in_txn;          /* a transaction is open */
    int msgs;            /* messages in it */
    int64_t txn_started; /* when it began */
    int64_t last_input;  /* last message or assignment; 0: not assigned yet */
} app;

static volatile sig_atomic_t stop;
static void on_signal(int sig) { stop = sig; }

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void die(app *a, int rc, const char *what) {
    char why[512] = "";
    if (rc == KFK_ERR_FATAL) kfk_producer_fatal_error(a->p, why, sizeof why);
    fprintf(stderr, "eos_copy: %s: %s %s\n", what, kfk_err_name(rc), why);
    exit(1);
}

/* After a transactional call: 1 to call it again (retriable), 0 when it
 * succeeded or the transaction must be aborted (rc says which). Anything
 * else (fatal) ends the program. */
static int again(app *a, int rc, const char *what) {
    if (rc == 0 || rc == KFK_ERR_TRANSACTION_ABORTABLE) return 0;
    if (rc != KFK_ERR_TIMED_OUT && !kfk_err_retriable(rc)) die(a, rc, what);
    fprintf(stderr, "eos_copy: %s: %s, retrying\n", what, kfk_err_name(rc));
    return 1;
}

/* Aborts the open transaction and moves every assigned partition back to
 * the group's committed offset, so the aborted messages are read again. */
static void abort_and_rewind(app *a) {
    char why[512] = "";
    kfk_producer_txn_error(a->p, why, sizeof why);
    fprintf(stderr, "eos_copy: aborting the transaction: %s\n", why);
    int rc;
    while (again(a, rc = kfk_producer_abort_transaction(a->p, CALL_TIMEOUT_MS), "abort"))
        ;
    if (rc) die(a, rc, "abort");
    a->in_txn = 0;
    a->last_input = now_ms(); /* the rewound messages come again: not idle */
    kfk_partition_list *l = kfk_consumer_assignment(a->c);
    for (int i = 0; l && i < l->count; i++)
        kfk_consumer_seek(a->c, l->elems[i].topic, l->elems[i].partition, KFK_OFFSET_STORED);
    kfk_partition_list_destroy(l);
    kfk_producer_poll(a->p, 0); /* the aborted messages' reports */
}

/* The next offset to read of every assigned partition: what the
 * transaction consumed, up to the last message polled. */
static kfk_partition_list *positions(kfk_consumer *c) {
    kfk_partition_list *l = kfk_consumer_assignment(c), *out = kfk_partition_list_new(0);
    if (!l || !out) exit(1);
    kfk_consumer_position(c, l);
    for (int i = 0; i < l->count; i++) {
        const kfk_partition *e = &l->elems[i];
        if (e->err || e->offset < 0) continue; /* not started yet: nothing consumed */
        kfk_partition *o = kfk_partition_list_add(out, e->topic, e->partition);
        if (!o) exit(1);
        o->offset = e->offset;
        o->leader_epoch = e->leader_epoch;
    }
    kfk_partition_list_destroy(l);
    return out;
}

static void begin(app *a) {
    if (a->in_txn) return;
    int rc;
    while (again(a, rc = kfk_producer_begin_transaction(a->p), "begin"))
        ;
    if (rc) die(a, rc, "begin");
    a->in_txn = 1;
    a->msgs = 0;
    a->txn_started = now_ms();
}

/* Commits the open transaction with the consumed offsets; aborts and
 * rewinds when it cannot. */
static void commit(app *a) {
    if (!a->in_txn) return;
    kfk_partition_list *offsets = positions(a->c);
    kfk_group_metadata *gm = kfk_consumer_group_metadata(a->c);
    if (!gm) exit(1);
    int rc = 0;
    if (offsets->count)
        while (again(a, rc = kfk_producer_send_offsets_to_transaction(a->p, offsets, gm,
                                                                      CALL_TIMEOUT_MS),
                     "send offsets"))
            ;
    if (!rc)
        while (again(a, rc = kfk_producer_commit_transaction(a->p, CALL_TIMEOUT_MS), "commit"))
            ;
    kfk_group_metadata_destroy(gm);
    kfk_partition_list_destroy(offsets);
    if (rc) {
        abort_and_rewind(a);
        return;
    }
    a->in_txn = 0;
    kfk_producer_poll(a->p, 0); /* the committed messages' reports */
}

/* Partitions given up must leave with their offsets committed (revoked)
 * or their transaction aborted (lost: they belong to another member
 * already, and offsets of ours for them would be refused). */
static void on_rebalance(kfk_consumer *c, int kind, const kfk_partition_list *parts,
                         void *opaque) {
    app *a = opaque;
    int cooperative = strcmp(kfk_consumer_rebalance_protocol(c), "COOPERATIVE") == 0;
    if (kind == KFK_REBALANCE_ASSIGNED) {
        if (cooperative)
            kfk_consumer_incremental_assign(c, parts);
        else
            kfk_consumer_assign(c, parts);
        a->last_input = now_ms();
        return;
    }
    if (kind == KFK_REBALANCE_REVOKED)
        commit(a);
    else if (a->in_txn)
        abort_and_rewind(a);
    if (cooperative)
        kfk_consumer_incremental_unassign(c, parts);
    else
        kfk_consumer_assign(c, NULL);
}

/* Copies one message into the open transaction. */
static void copy(app *a, const kfk_consumer_message *m) {
    begin(a);
    /* The producer's partitioner places each copy by its key, so OUT_TOPIC
     * may have any number of partitions and keeps one key's messages
     * together and in order (a key's messages come from one input
     * partition when IN_TOPIC is keyed the same way). */
    kfk_message out = {.topic = a->out_topic, .partition = KFK_PARTITION_ANY,
                       .key = m->key, .key_len = m->key_len,
                       .value = m->value, .value_len = m->value_len,
                       .headers = m->headers, .header_count = m->header_count};
    int rc;
    for (;;) {
        rc = kfk_producer_send(a->p, &out, KFK_SEND_COPY);
        if (rc == KFK_ERR_QUEUE_FULL)
            kfk_producer_poll(a->p, 100);
        else if (!again(a, rc, "send"))
            break;
    }
    if (rc) {
        abort_and_rewind(a);
        return;
    }
    a->msgs++;
}

static int set(kfk_conf *conf, const char *key, const char *value) {
    char err[256];
    if (!kfk_conf_set(conf, key, value, err, sizeof err)) return 0;
    fprintf(stderr, "eos_copy: %s\n", err);
    return 1;
}

static int usage(void) {
    fprintf(stderr,
            "usage: eos_copy -b BOOTSTRAP -G GROUP IN_TOPIC OUT_TOPIC [--idle-exit-ms N]\n");
    return 2;
}

int main(int argc, char **argv) {
    const char *bootstrap = NULL, *group = NULL, *topics[2] = {NULL, NULL};
    long idle_exit_ms = -1;
    int ntopics = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-b") && i + 1 < argc)
            bootstrap = argv[++i];
        else if (!strcmp(argv[i], "-G") && i + 1 < argc)
            group = argv[++i];
        else if (!strcmp(argv[i], "--idle-exit-ms") && i + 1 < argc)
            idle_exit_ms = strtol(argv[++i], NULL, 10);
        else if (argv[i][0] != '-' && ntopics < 2)
            topics[ntopics++] = argv[i];
        else
            return usage();
    }
    if (!bootstrap || !group || ntopics != 2 || idle_exit_ms == 0) return usage();

    char id[512];
    snprintf(id, sizeof id, "eos_copy-%s", group);
    char err[256];
    kfk_conf *cconf = kfk_conf_new(), *pconf = kfk_conf_new();
    if (!cconf || !pconf) return 1;
    if (set(cconf, "bootstrap.servers", bootstrap) || set(cconf, "group.id", group) ||
        set(cconf, "group.instance.id", id) || set(cconf, "isolation.level", "read_committed") ||
        set(cconf, "enable.auto.commit", "false") || set(cconf, "auto.offset.reset", "earliest") ||
        set(pconf, "bootstrap.servers", bootstrap) || set(pconf, "transactional.id", id))
        return 1;
    app a = {.out_topic = topics[1]};
    a.p = kfk_producer_new(pconf, NULL, err, sizeof err);
    if (!a.p) {
        fprintf(stderr, "eos_copy: producer: %s\n", err);
        return 1;
    }
    /* Fences the instance before us and ends its transaction, before our
     * consumer reads the offsets that transaction may have committed. */
    int rc;
    while (again(&a, rc = kfk_producer_init_transactions(a.p, CALL_TIMEOUT_MS), "init"))
        ;
    if (rc) die(&a, rc, "init");
    a.c = kfk_consumer_new(cconf, err, sizeof err);
    if (!a.c) {
        fprintf(stderr, "eos_copy: consumer: %s\n", err);
        return 1;
    }
    kfk_consumer_set_rebalance_cb(a.c, on_rebalance, &a);
    if (kfk_consumer_subscribe(a.c, topics, 1)) return 1;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);

    while (!stop) {
        kfk_consumer_message *m = kfk_consumer_poll(a.c, 10);
        if (m && m->err) { /* a partition stopped, or the member was fenced: no way on */
            fprintf(stderr, "eos_copy: %s [%d]: %s\n", m->topic, (int)m->partition,
                    kfk_err_name(m->err));
            return 1;
        } else if (m) {
            copy(&a, m);
            a.last_input = now_ms();
        }
        kfk_consumer_message_release(m);
        int64_t now = now_ms();
        if (a.in_txn && (a.msgs >= COMMIT_EVERY_MSGS || now - a.txn_started >= COMMIT_EVERY_MS))
            commit(&a);
        if (idle_exit_ms > 0 && a.last_input && now - a.last_input >= idle_exit_ms) break;
    }
    /* A last transaction, also when no message is in it: positions may have
     * moved past transaction markers after the last message. */
    begin(&a);
    commit(&a);
    kfk_consumer_close(a.c);
    kfk_producer_destroy(a.p);
    return 0;
}
