/* The transaction manager, on the I/O thread: the transaction coordinator
 * (found with FindCoordinator, key type 1), the producer id and epoch of
 * the transactional id (InitProducerId), partitions joining the open
 * transaction (AddPartitionsToTxn, protocol v1; v2 adds them with the
 * Produce request), consumed offsets (AddOffsetsToTxn, then TxnOffsetCommit
 * to the group's coordinator; v2 the latter only), and the end (EndTxn;
 * v2 answers with the next epoch). txn.c decides what each error means.
 *
 * An operation (init, offsets, commit, abort) is started by a call
 * (txn_calls.c) and runs in phases here until it finishes; a call that
 * stops waiting leaves it running, and the same call again waits for it.
 * The transaction's state and the operation's result are under acc.lock,
 * which the calls wait on with txn.cond. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "net/backoff.h"
#include "producer/producer_int.h"
#include "proto/proto.h"

/* kfk_partition.err of an offset the group's coordinator took. */
#define OFFSET_COMMITTED INT32_MIN

/* CONCURRENT_TRANSACTIONS (the previous transaction's markers still being
 * written, a few ms on a healthy cluster) is retried after 2 ms, doubling
 * up to the Java client's fixed 20 ms, not after retry.backoff.ms. */
#define CONCURRENT_RETRY_MIN_MS 2
#define CONCURRENT_RETRY_MAX_MS 20
/* Requests are retried until the operation ends (or the producer does). */
#define FOREVER (INT64_C(1) << 60)

/* An operation's phases; each but START waits for an answer (or, for
 * WAIT_BATCHES, for the transaction's batches). */
enum {
    PH_IDLE,
    PH_START,
    PH_INIT,           /* InitProducerId */
    PH_WAIT_BATCHES,   /* commit and abort: every batch done */
    PH_END_TXN,        /* EndTxn */
    PH_BUMP,           /* InitProducerId with the current epoch, after an abort */
    PH_ADD_OFFSETS,    /* AddOffsetsToTxn (v1) */
    PH_COMMIT_OFFSETS, /* TxnOffsetCommit */
};

static void run_later(kfk_producer *p, int64_t when);

/* ------------------------------------------------------------------ state */

static const char *state_name(enum kfk_txn_state s) {
    static const char *const names[] = {"UNINIT",    "READY",     "OPEN", "COMMITTING",
                                        "ABORTING", "ABORTABLE", "FATAL"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

void kfk_txn_set_state_locked(kfk_producer *p, enum kfk_txn_state s) {
    if (p->txn.state != s || !p->txn.state_us) p->txn.state_us = kfk_clock_us();
    if (s != p->txn.state)
        KFK_DBG(p->log, KFK_DBG_EOS, NULL,
                "transaction state %s -> %s (producer id %lld, epoch %d)",
                state_name(p->txn.state), state_name(s), (long long)p->pid, (int)p->epoch);
    p->txn.state = s;
    p->acc.txn_refuse = s == KFK_TXN_OPEN        ? 0
                        : s == KFK_TXN_ABORTABLE ? KFK_ERR_TRANSACTION_ABORTABLE
                        : s == KFK_TXN_FATAL     ? KFK_ERR_FATAL
                                                 : KFK_ERR_STATE;
    p->acc.txn_halt = s != KFK_TXN_OPEN && s != KFK_TXN_COMMITTING;
}

static void op_finish_locked(kfk_producer *p, int err, const char *why) {
    kfk_txn_mgr *t = &p->txn;
    t->op_done = 1;
    t->op_err = err;
    snprintf(t->op_errstr, sizeof t->op_errstr, "%s", why ? why : "");
    t->phase = PH_IDLE;
    pthread_cond_broadcast(&t->cond);
}

/* The commit's flush (every batch ready at once) is over. */
static void flush_done_locked(kfk_producer *p) {
    if (!p->txn.flushing) return;
    p->txn.flushing = 0;
    p->acc.flushing--;
}

static void op_finish(kfk_producer *p, int err, const char *why) {
    pthread_mutex_lock(&p->acc.lock);
    op_finish_locked(p, err, why);
    pthread_mutex_unlock(&p->acc.lock);
}

/* Reports the held batches of the transaction: written (commit) or failed
 * with the abort's error. */
static void release_held(kfk_producer *p, int err, const char *why) {
    kfk_list *held = &p->txn.held;
    int64_t n = 0;
    for (kfk_list *e = held->next; e != held; e = e->next) {
        kfk_pbatch *b = KFK_CONTAINER_OF(e, kfk_pbatch, link);
        n += b->bb.count;
        if (err) {
            b->err = err;
            b->base_offset = -1;
            snprintf(b->errstr, sizeof b->errstr, "%s [%d]: %s", b->part->topic->name,
                     (int)b->part->id, why);
        }
    }
    pthread_mutex_lock(&p->acc.lock);
    p->acc.held -= n;
    pthread_mutex_unlock(&p->acc.lock);
    kfk_list done;
    kfk_list_init(&done);
    kfk_list_splice_tail(&done, held);
    kfk_reportq_push(&p->reports, &done);
}

/* The producer can do nothing more: cause (a kfk_err) and why. */
static void fatal(kfk_producer *p, int cause, const char *why) {
    /* Before the waiting call wakes: it may ask for the cause at once. */
    if (!atomic_load(&p->fatal_err)) {
        snprintf(p->fatal_str, sizeof p->fatal_str, "%s", why);
        p->pid_state_us = kfk_clock_us(); /* idemp_state is FatalError from now */
        atomic_store(&p->fatal_err, cause);
    }
    pthread_mutex_lock(&p->acc.lock);
    kfk_txn_set_state_locked(p, KFK_TXN_FATAL);
    if (!p->txn.cause) {
        p->txn.cause = cause;
        snprintf(p->txn.cause_str, sizeof p->txn.cause_str, "%s", why);
    }
    if (p->txn.op >= 0 && !p->txn.op_done) op_finish_locked(p, KFK_ERR_FATAL, why);
    pthread_mutex_unlock(&p->acc.lock);
    kfk_sender_fatal(p, cause, why);
    release_held(p, KFK_ERR_FATAL, why);
}

/* The open transaction failed: only an abort may follow. The operation
 * running ends with the error, but an abort goes on unless its own
 * request failed (ends_abort). */
static void abortable_ex(kfk_producer *p, int cause, int bump, const char *why, int ends_abort) {
    pthread_mutex_lock(&p->acc.lock);
    kfk_txn_mgr *t = &p->txn;
    if (bump && !t->tv2) t->bump = 1;
    if (!t->cause) {
        t->cause = cause;
        snprintf(t->cause_str, sizeof t->cause_str, "%s", why);
    }
    if (t->state == KFK_TXN_OPEN || t->state == KFK_TXN_COMMITTING ||
        (t->state == KFK_TXN_ABORTING && ends_abort))
        kfk_txn_set_state_locked(p, KFK_TXN_ABORTABLE);
    if (t->op >= 0 && !t->op_done && t->state == KFK_TXN_ABORTABLE) {
        flush_done_locked(p);
        op_finish_locked(p, KFK_ERR_TRANSACTION_ABORTABLE, why);
    }
    pthread_mutex_unlock(&p->acc.lock);
}

static void abortable(kfk_producer *p, int cause, int bump, const char *why) {
    abortable_ex(p, cause, bump, why, 0);
}

/* Whether the open transaction is older than transaction.timeout.ms: the
 * coordinator may have aborted it and bumped the epoch, so a fenced epoch
 * means that, not a newer instance (the coordinator's clock starts after
 * begin, so younger transactions cannot have expired). */
static int may_have_expired(kfk_producer *p) {
    pthread_mutex_lock(&p->acc.lock);
    int64_t begun = p->txn.begin_ms;
    pthread_mutex_unlock(&p->acc.lock);
    return kfk_io_now(p->io) - begun >= p->conf.transaction_timeout_ms;
}

/* what: the failure, with its error name. */
static void expired(kfk_producer *p, int err, const char *what) {
    char why[200];
    snprintf(why, sizeof why,
             "%s: the transaction outlived transaction.timeout.ms=%d and the coordinator "
             "aborted it",
             what, (int)p->conf.transaction_timeout_ms);
    pthread_mutex_lock(&p->acc.lock);
    p->txn.expired = 1;
    pthread_mutex_unlock(&p->acc.lock);
    abortable_ex(p, err, 1, why, 1);
}

/* Acts on a verdict other than OK and the retries. */
static void settle_verdict(kfk_producer *p, enum kfk_txn_verdict v, int err, const char *what) {
    char why[200];
    snprintf(why, sizeof why, "%s: %s", what, kfk_err_name(err));
    if (v == KFK_TXN_FATAL_ERR) {
        fatal(p, kfk_txn_fatal_cause(err), why);
        return;
    }
    if (v == KFK_TXN_ABORT || v == KFK_TXN_ABORT_BUMP) {
        abortable_ex(p, err, v == KFK_TXN_ABORT_BUMP, why, 1);
    }
}

static const char *api_name(int16_t key) {
    const kfk_api_info *info = kfk_api_info_get(key);
    return info ? info->name : "unknown";
}

static int retrying(enum kfk_txn_verdict v) {
    return v == KFK_TXN_RETRY || v == KFK_TXN_RETRY_SOON || v == KFK_TXN_FIND_COORD;
}

/* Schedules r again after a verdict that retries; the coordinator is
 * looked up again first when it may have moved. */
static void retry_later(kfk_producer *p, kfk_txn_req *r, kfk_coord *co,
                        enum kfk_txn_verdict v) {
    if (v == KFK_TXN_FIND_COORD) kfk_coord_forget(co);
    int64_t wait = v == KFK_TXN_RETRY_SOON
                       ? (r->attempts < 4 ? CONCURRENT_RETRY_MIN_MS << r->attempts
                                          : CONCURRENT_RETRY_MAX_MS)
                       : kfk_backoff_ms(p->conf.retry_backoff_ms, p->conf.retry_backoff_max_ms,
                                        r->attempts, &p->rng);
    KFK_DBG(p->log, KFK_DBG_EOS, NULL, "transaction: %s again in %lld ms (attempt %d)%s",
            api_name(r->op.r.req.api_key),
            (long long)wait, r->attempts + 1,
            v == KFK_TXN_FIND_COORD ? ", coordinator looked up again" : "");
    r->attempts++;
    r->resend_at = kfk_io_now(p->io) + wait;
    run_later(p, r->resend_at);
}

/* ---------------------------------------------------------------- sending */

static void send_req(kfk_producer *p, kfk_txn_req *r, kfk_coord *co, int16_t api_key,
                    int16_t min_version, int16_t max_version, const void *msg,
                    int (*on_response)(kfk_cop *, kfk_response *),
                    void (*on_done)(kfk_cop *, int)) {
    if (r->busy) return;
    r->busy = 1;
    r->resend_at = 0;
    r->p = p;
    KFK_DBG(p->log, KFK_DBG_EOS, NULL, "transaction %s: %s", p->conf.transactional_id,
            api_name(api_key));
    memset(&r->op, 0, sizeof r->op);
    r->op.r.req = (kfk_request){.api_key = api_key, .min_version = min_version,
                                .max_version = max_version, .msg = msg};
    r->op.on_response = on_response;
    r->op.on_done = on_done;
    r->op.deadline = kfk_io_now(p->io) + FOREVER;
    r->op.request_timeout_ms = p->conf.request_timeout_ms;
    kfk_coord_submit(co, &r->op);
}

static kfk_txn_req *req_of(kfk_cop *op) { return KFK_CONTAINER_OF(op, kfk_txn_req, op); }

static kfk_str tid(kfk_producer *p) { return kfk_str_of(p->conf.transactional_id); }

/* ------------------------------------------------------- InitProducerId */

static int on_init_response(kfk_cop *op, kfk_response *resp) {
    kfk_producer *p = req_of(op)->p;
    kfk_init_producer_id_response m;
    kfk_arena a = {0};
    int err = kfk_init_producer_id_response_decode(&resp->body, resp->version, &a, &m);
    kfk_arena_reset(&a);
    if (err) return KFK_ERR_MALFORMED;
    if (!m.error_code) {
        p->pid = m.producer_id;
        p->epoch = m.producer_epoch;
        KFK_DBG(p->log, KFK_DBG_EOS, NULL, "transaction %s: producer id %lld, epoch %d",
                p->conf.transactional_id, (long long)p->pid, (int)p->epoch);
        atomic_store(&p->pid_now, (int64_t)((uint64_t)p->pid << 16 | (uint16_t)p->epoch));
    }
    return m.error_code;
}

static void end_ok(kfk_producer *p);

static int marked_expired(kfk_producer *p) {
    pthread_mutex_lock(&p->acc.lock);
    int e = p->txn.expired;
    pthread_mutex_unlock(&p->acc.lock);
    return e;
}

static void on_init_done(kfk_cop *op, int err) {
    kfk_txn_req *r = req_of(op);
    kfk_producer *p = r->p;
    r->busy = 0;
    if (p->stopping) return;
    int bump = p->txn.phase == PH_BUMP;
    enum kfk_txn_verdict v = kfk_txn_verdict_of(KFK_API_INIT_PRODUCER_ID, err);
    if (v == KFK_TXN_OK) {
        r->attempts = 0;
        kfk_pid_state_set(p, KFK_PID_OK);
        pthread_mutex_lock(&p->acc.lock);
        kfk_accum_reset_sequences_locked(&p->acc);
        if (bump) {
            p->txn.bump = 0;
        } else {
            p->txn.tv2 = p->acc.txn_v2 = kfk_core_transaction_version(p->core) >= 2;
            atomic_store(&p->txn_version, p->txn.tv2 ? 2 : 1);
            kfk_txn_set_state_locked(p, KFK_TXN_READY);
            op_finish_locked(p, 0, NULL);
        }
        pthread_mutex_unlock(&p->acc.lock);
        if (bump) {
            atomic_fetch_add(&p->epoch_bumps, 1);
            end_ok(p);
        }
    } else if (retrying(v)) {
        retry_later(p, r, &p->txn.tcoord, v);
    } else if (bump && v != KFK_TXN_FATAL_ERR) {
        abortable_ex(p, err, 1, "InitProducerId (epoch bump) failed", 1);
    } else if (!bump && v != KFK_TXN_FATAL_ERR) {
        /* Nothing to abort yet: the call fails and may be made again. */
        char why[200];
        snprintf(why, sizeof why, "InitProducerId failed: %s", kfk_err_name(err));
        op_finish(p, err, why);
    } else {
        settle_verdict(p, v, err, "InitProducerId");
    }
    kfk_sender_run(p);
}

static void send_init(kfk_producer *p, int bump) {
    kfk_init_producer_id_request *m = &p->txn.init_msg;
    kfk_init_producer_id_request_init(m);
    m->transactional_id = tid(p);
    m->transaction_timeout_ms = p->conf.transaction_timeout_ms;
    if (bump) {
        m->producer_id = p->pid;
        m->producer_epoch = p->epoch;
    }
    send_req(p, &p->txn.init, &p->txn.tcoord, KFK_API_INIT_PRODUCER_ID, bump ? 3 : 0, -1, m,
             on_init_response, on_init_done);
}

/* ---------------------------------------------------- AddPartitionsToTxn */

static kfk_ppart *adding_find(kfk_producer *p, kfk_str topic, int32_t id) {
    for (int32_t i = 0; i < p->txn.nadding; i++) {
        kfk_ppart *pp = p->txn.adding[i];
        if (pp->id == id && kfk_str_eq(topic, pp->topic->name)) return pp;
    }
    return NULL;
}

/* Marks the partitions the answer added; returns the error that matters
 * most (the coordinator's errors first: those are retried as they are). */
static int on_add_response(kfk_cop *op, kfk_response *resp) {
    kfk_producer *p = req_of(op)->p;
    kfk_add_partitions_to_txn_response m;
    kfk_arena a = {0};
    int rc = kfk_add_partitions_to_txn_response_decode(&resp->body, resp->version, &a, &m);
    if (rc) {
        kfk_arena_reset(&a);
        return KFK_ERR_MALFORMED;
    }
    int worst = 0, added = 0;
    enum kfk_txn_verdict wv = KFK_TXN_OK;
    pthread_mutex_lock(&p->acc.lock);
    for (int32_t i = 0; i < m.results_by_topic_v3_and_below.count; i++) {
        const kfk_add_partitions_to_txn_response_topic_result *tr =
            &m.results_by_topic_v3_and_below.items[i];
        for (int32_t k = 0; k < tr->results_by_partition.count; k++) {
            const kfk_add_partitions_to_txn_response_partition_result *pr =
                &tr->results_by_partition.items[k];
            kfk_ppart *pp = adding_find(p, tr->name, pr->partition_index);
            if (!pp) continue;
            if (!pr->partition_error_code) {
                if (pp->txn == KFK_PTXN_ADDING) pp->txn = KFK_PTXN_ADDED;
                added = 1;
                continue;
            }
            enum kfk_txn_verdict v =
                kfk_txn_verdict_of(KFK_API_ADD_PARTITIONS_TO_TXN, pr->partition_error_code);
            /* OPERATION_NOT_ATTEMPTED only says another partition failed. */
            if (!worst || (v > wv && pr->partition_error_code != KFK_ERR_OPERATION_NOT_ATTEMPTED)) {
                worst = pr->partition_error_code;
                wv = v;
            }
        }
    }
    pthread_mutex_unlock(&p->acc.lock);
    kfk_arena_reset(&a);
    if (added) kfk_sender_run(p); /* their batches may go */
    return worst;
}

static void on_add_done(kfk_cop *op, int err) {
    kfk_txn_req *r = req_of(op);
    kfk_producer *p = r->p;
    r->busy = 0;
    kfk_arena_reset(&p->txn.add_arena);
    if (p->stopping) return;
    /* Partitions not added go back to be asked again (or, when the
     * transaction failed, to be aborted). */
    pthread_mutex_lock(&p->acc.lock);
    for (int32_t i = 0; i < p->txn.nadding; i++)
        if (p->txn.adding[i]->txn == KFK_PTXN_ADDING) p->txn.adding[i]->txn = KFK_PTXN_PENDING;
    p->txn.nadding = 0;
    pthread_mutex_unlock(&p->acc.lock);
    enum kfk_txn_verdict v = kfk_txn_verdict_of(KFK_API_ADD_PARTITIONS_TO_TXN, err);
    if (v == KFK_TXN_OK)
        r->attempts = 0;
    else if (retrying(v))
        retry_later(p, r, &p->txn.tcoord, v);
    else
        settle_verdict(p, v, err, "AddPartitionsToTxn");
    kfk_sender_run(p);
}

/* Asks for the partitions that joined since the last request, all in one. */
static void send_add(kfk_producer *p) {
    kfk_txn_mgr *t = &p->txn;
    if (t->add.busy || kfk_io_now(p->io) < t->add.resend_at) return;
    pthread_mutex_lock(&p->acc.lock);
    int32_t n = 0;
    for (int32_t i = 0; i < p->acc.ntxn; i++) n += p->acc.txn_parts[i]->txn == KFK_PTXN_PENDING;
    if (n && n > t->capadding) {
        kfk_ppart **a = kfk_realloc(t->adding, (size_t)n * sizeof *a);
        if (a) {
            t->adding = a;
            t->capadding = n;
        } else {
            n = 0; /* tried again at the next run */
        }
    }
    t->nadding = 0;
    for (int32_t i = 0; n && i < p->acc.ntxn; i++) {
        kfk_ppart *pp = p->acc.txn_parts[i];
        if (pp->txn != KFK_PTXN_PENDING) continue;
        pp->txn = KFK_PTXN_ADDING;
        t->adding[t->nadding++] = pp;
    }
    pthread_mutex_unlock(&p->acc.lock);
    if (!t->nadding) return;
    /* One entry per topic: partitions joined in any order. */
    kfk_add_partitions_to_txn_request *m = &t->add_msg;
    kfk_add_partitions_to_txn_request_init(m);
    m->v3_and_below_transactional_id = tid(p);
    m->v3_and_below_producer_id = p->pid;
    m->v3_and_below_producer_epoch = p->epoch;
    kfk_add_partitions_to_txn_request_topic *topics =
        kfk_arena_array(&t->add_arena, (size_t)t->nadding, sizeof *topics);
    int32_t *ids = kfk_arena_array(&t->add_arena, (size_t)t->nadding, sizeof *ids);
    if (!topics || !ids) {
        on_add_done(&t->add.op, KFK_ERR_NOMEM);
        return;
    }
    int32_t nt = 0, used = 0;
    for (int32_t i = 0; i < t->nadding; i++) {
        kfk_ptopic *pt = t->adding[i]->topic;
        int seen = 0;
        for (int32_t k = 0; k < i; k++) seen |= t->adding[k]->topic == pt;
        if (seen) continue;
        topics[nt].name = kfk_str_of(pt->name);
        topics[nt].partitions.items = ids + used;
        for (int32_t k = i; k < t->nadding; k++)
            if (t->adding[k]->topic == pt) ids[used++] = t->adding[k]->id;
        topics[nt].partitions.count = (int32_t)(ids + used - topics[nt].partitions.items);
        nt++;
    }
    m->v3_and_below_topics.items = topics;
    m->v3_and_below_topics.count = nt;
    send_req(p, &t->add, &t->tcoord, KFK_API_ADD_PARTITIONS_TO_TXN, 0, 3, m, on_add_response,
             on_add_done);
}

/* ----------------------------------------------------------------- EndTxn */

static int committing(const kfk_producer *p) { return p->txn.op == KFK_TXN_CALL_COMMIT; }

/* The transaction ended (or there was nothing to end): its held reports go
 * out, and the next one may begin. An abort that needs a new epoch (v1)
 * asks for it first. */
static void end_ok(kfk_producer *p) {
    kfk_txn_mgr *t = &p->txn;
    int commit = committing(p);
    pthread_mutex_lock(&p->acc.lock);
    int bump = !commit && t->bump && !t->tv2;
    pthread_mutex_unlock(&p->acc.lock);
    if (bump) {
        t->phase = PH_BUMP;
        send_init(p, 1);
        return;
    }
    char why[240];
    snprintf(why, sizeof why, "the transaction was aborted%s%s", t->cause ? ": " : "",
             t->cause ? t->cause_str : "");
    release_held(p, commit ? 0 : KFK_ERR_TRANSACTION_ABORTABLE, why);
    atomic_fetch_add(commit ? &p->txn_commits : &p->txn_aborts, 1);
    pthread_mutex_lock(&p->acc.lock);
    kfk_accum_txn_reset_locked(&p->acc);
    t->offsets_added = 0;
    t->cause = 0;
    t->cause_str[0] = '\0';
    t->bump = 0;
    t->expired = 0;
    kfk_txn_set_state_locked(p, KFK_TXN_READY);
    op_finish_locked(p, 0, NULL);
    pthread_mutex_unlock(&p->acc.lock);
}

static int on_end_response(kfk_cop *op, kfk_response *resp) {
    kfk_producer *p = req_of(op)->p;
    kfk_end_txn_response m;
    kfk_arena a = {0};
    int err = kfk_end_txn_response_decode(&resp->body, resp->version, &a, &m);
    kfk_arena_reset(&a);
    if (err) return KFK_ERR_MALFORMED;
    /* v5 (KIP-890): every end bumps the epoch; the next transaction's. */
    if (!m.error_code && resp->version >= 5 && m.producer_id >= 0) {
        p->pid = m.producer_id;
        p->epoch = m.producer_epoch;
        atomic_store(&p->pid_now, (int64_t)((uint64_t)p->pid << 16 | (uint16_t)p->epoch));
        pthread_mutex_lock(&p->acc.lock);
        kfk_accum_reset_sequences_locked(&p->acc);
        pthread_mutex_unlock(&p->acc.lock);
    }
    return m.error_code;
}

static void on_end_done(kfk_cop *op, int err) {
    kfk_txn_req *r = req_of(op);
    kfk_producer *p = r->p;
    r->busy = 0;
    if (p->stopping) return;
    enum kfk_txn_verdict v = kfk_txn_verdict_of(KFK_API_END_TXN, err);
    if (v == KFK_TXN_OK) {
        r->attempts = 0;
        end_ok(p);
    } else if (retrying(v)) {
        retry_later(p, r, &p->txn.tcoord, v);
    } else if (!committing(p) && marked_expired(p) && v == KFK_TXN_FATAL_ERR) {
        /* v1: the timeout's abort fenced the epoch for good. Asking for a
         * new one (InitProducerId) would abort whatever a newer instance
         * has open, so this ends here, as in the Java client. */
        char why[200];
        snprintf(why, sizeof why,
                 "EndTxn (abort): %s: the transaction outlived transaction.timeout.ms, or a "
                 "newer producer took the transactional.id (protocol v1 cannot tell)",
                 kfk_err_name(err));
        fatal(p, kfk_txn_fatal_cause(err), why);
    } else if (committing(p) && (err == KFK_ERR_PRODUCER_FENCED ||
                                 err == KFK_ERR_INVALID_PRODUCER_EPOCH ||
                                 err == KFK_ERR_INVALID_TXN_STATE) &&
               may_have_expired(p)) {
        char what[64];
        snprintf(what, sizeof what, "EndTxn (commit): %s", kfk_err_name(err));
        expired(p, err, what);
    } else {
        settle_verdict(p, v, err, committing(p) ? "EndTxn (commit)" : "EndTxn (abort)");
    }
    kfk_sender_run(p);
}

static void send_end(kfk_producer *p) {
    kfk_end_txn_request *m = &p->txn.end_msg;
    kfk_end_txn_request_init(m);
    m->transactional_id = tid(p);
    m->producer_id = p->pid;
    m->producer_epoch = p->epoch;
    m->committed = committing(p);
    int v2 = p->txn.tv2;
    send_req(p, &p->txn.end, &p->txn.tcoord, KFK_API_END_TXN, v2 ? 5 : 0, v2 ? -1 : 4, m,
             on_end_response, on_end_done);
}

/* ------------------------------------------- AddOffsetsToTxn, TxnOffsetCommit */

static int on_addoff_response(kfk_cop *op, kfk_response *resp) {
    kfk_add_offsets_to_txn_response m;
    kfk_arena a = {0};
    int err = kfk_add_offsets_to_txn_response_decode(&resp->body, resp->version, &a, &m);
    kfk_arena_reset(&a);
    (void)op;
    return err ? KFK_ERR_MALFORMED : m.error_code;
}

static void send_commit_offsets(kfk_producer *p);

static void on_addoff_done(kfk_cop *op, int err) {
    kfk_txn_req *r = req_of(op);
    kfk_producer *p = r->p;
    r->busy = 0;
    if (p->stopping) return;
    enum kfk_txn_verdict v = kfk_txn_verdict_of(KFK_API_ADD_OFFSETS_TO_TXN, err);
    if (v == KFK_TXN_OK) {
        r->attempts = 0;
        p->txn.offsets_added = 1;
        p->txn.phase = PH_COMMIT_OFFSETS;
        send_commit_offsets(p);
    } else if (retrying(v)) {
        retry_later(p, r, &p->txn.tcoord, v);
    } else {
        settle_verdict(p, v, err, "AddOffsetsToTxn");
    }
}

static void send_add_offsets(kfk_producer *p) {
    kfk_add_offsets_to_txn_request *m = &p->txn.addoff_msg;
    kfk_add_offsets_to_txn_request_init(m);
    m->transactional_id = tid(p);
    m->producer_id = p->pid;
    m->producer_epoch = p->epoch;
    m->group_id = kfk_str_of(p->txn.group);
    send_req(p, &p->txn.addoff, &p->txn.tcoord, KFK_API_ADD_OFFSETS_TO_TXN, 0, -1, m,
             on_addoff_response, on_addoff_done);
}

/* Drops the partitions the answer committed from the offsets still to
 * send; returns the error that matters most. */
static int on_commit_response(kfk_cop *op, kfk_response *resp) {
    kfk_producer *p = req_of(op)->p;
    kfk_txn_offset_commit_response m;
    kfk_arena a = {0};
    int rc = kfk_txn_offset_commit_response_decode(&resp->body, resp->version, &a, &m);
    if (rc) {
        kfk_arena_reset(&a);
        return KFK_ERR_MALFORMED;
    }
    kfk_partition_list *l = p->txn.offsets;
    int worst = 0;
    enum kfk_txn_verdict wv = KFK_TXN_OK;
    for (int32_t i = 0; i < m.topics.count; i++)
        for (int32_t k = 0; k < m.topics.items[i].partitions.count; k++) {
            const kfk_txn_offset_commit_response_partition *pr =
                &m.topics.items[i].partitions.items[k];
            for (int j = 0; j < l->count; j++)
                if (l->elems[j].partition == pr->partition_index &&
                    kfk_str_eq(m.topics.items[i].name, l->elems[j].topic))
                    l->elems[j].err = pr->error_code ? pr->error_code : OFFSET_COMMITTED;
            if (!pr->error_code) continue;
            enum kfk_txn_verdict v = kfk_txn_verdict_of(KFK_API_TXN_OFFSET_COMMIT, pr->error_code);
            if (!worst || v > wv) {
                worst = pr->error_code;
                wv = v;
            }
        }
    kfk_arena_reset(&a);
    return worst;
}

static void on_commit_done(kfk_cop *op, int err) {
    kfk_txn_req *r = req_of(op);
    kfk_producer *p = r->p;
    r->busy = 0;
    kfk_arena_reset(&p->txn.commit_arena);
    if (p->stopping) return;
    enum kfk_txn_verdict v = kfk_txn_verdict_of(KFK_API_TXN_OFFSET_COMMIT, err);
    if (v == KFK_TXN_OK) {
        r->attempts = 0;
        p->txn.offsets_added = 1;
        op_finish(p, 0, NULL);
    } else if (retrying(v)) {
        retry_later(p, r, &p->txn.gcoord, v);
    } else {
        settle_verdict(p, v, err, "TxnOffsetCommit");
    }
}

/* The offsets not yet committed (all at first; after a partial failure,
 * those not marked OFFSET_COMMITTED), grouped by topic. */
static void send_commit_offsets(kfk_producer *p) {
    kfk_txn_mgr *t = &p->txn;
    kfk_partition_list *l = t->offsets;
    kfk_txn_offset_commit_request *m = &t->commit_msg;
    kfk_txn_offset_commit_request_init(m);
    m->transactional_id = tid(p);
    m->group_id = kfk_str_of(t->group);
    m->producer_id = p->pid;
    m->producer_epoch = p->epoch;
    m->generation_id_or_member_epoch = t->generation;
    m->member_id = kfk_str_of(t->member_id ? t->member_id : "");
    m->group_instance_id = kfk_str_of(t->instance_id);
    kfk_txn_offset_commit_request_topic *topics =
        kfk_arena_array(&t->commit_arena, (size_t)l->count, sizeof *topics);
    kfk_txn_offset_commit_request_partition *parts =
        kfk_arena_array(&t->commit_arena, (size_t)l->count, sizeof *parts);
    if (l->count && (!topics || !parts)) {
        on_commit_done(&t->commit.op, KFK_ERR_NOMEM);
        return;
    }
    int32_t nt = 0, np = 0;
    for (int i = 0; i < l->count; i++) {
        if (l->elems[i].err == OFFSET_COMMITTED) continue;
        int seen = 0;
        for (int k = 0; k < i; k++)
            seen |= l->elems[k].err != OFFSET_COMMITTED &&
                    strcmp(l->elems[k].topic, l->elems[i].topic) == 0;
        if (seen) continue;
        topics[nt].name = kfk_str_of(l->elems[i].topic);
        topics[nt].partitions.items = parts + np;
        for (int k = i; k < l->count; k++) {
            const kfk_partition *e = &l->elems[k];
            if (e->err == OFFSET_COMMITTED || strcmp(e->topic, l->elems[i].topic) != 0) continue;
            parts[np] = (kfk_txn_offset_commit_request_partition){
                e->partition, e->offset, e->leader_epoch, kfk_str_of(e->metadata)};
            np++;
        }
        topics[nt].partitions.count = (int32_t)(parts + np - topics[nt].partitions.items);
        nt++;
    }
    m->topics.items = topics;
    m->topics.count = nt;
    int v2 = t->tv2;
    if (v2) t->offsets_added = 1; /* the request itself adds the group */
    send_req(p, &t->commit, &t->gcoord, KFK_API_TXN_OFFSET_COMMIT, 0, v2 ? 5 : 4, m,
             on_commit_response, on_commit_done);
}

/* --------------------------------------------------------------- stepping */

static void on_timer(kfk_timer *tm, int64_t now) {
    (void)now;
    kfk_sender_run(KFK_CONTAINER_OF(tm, kfk_producer, txn.timer));
}

static void run_later(kfk_producer *p, int64_t when) {
    if (!p->txn.timer_added) {
        if (kfk_io_timer_add(p->io, &p->txn.timer, on_timer)) return;
        p->txn.timer_added = 1;
    }
    kfk_io_timer_set(p->io, &p->txn.timer, when);
}

/* Whether the coordinator holds anything of the open transaction, so an
 * EndTxn is due (one for an empty transaction is refused). */
static int started(kfk_producer *p) {
    if (p->txn.offsets_added) return 1;
    pthread_mutex_lock(&p->acc.lock);
    int s = p->acc.txn_sent && p->txn.tv2;
    for (int32_t i = 0; !s && i < p->acc.ntxn; i++) s = p->acc.txn_parts[i]->txn == KFK_PTXN_ADDED;
    pthread_mutex_unlock(&p->acc.lock);
    return s;
}

/* Every batch of the transaction is done and no partition is being added. */
static int settled(kfk_producer *p) {
    pthread_mutex_lock(&p->acc.lock);
    int busy = p->acc.pending > 0 || p->txn.add.busy;
    pthread_mutex_unlock(&p->acc.lock);
    return !busy;
}

/* Fails the batches of the transaction not yet sent (an abort). */
static void fail_queued(kfk_producer *p) {
    char why[240];
    snprintf(why, sizeof why, "the transaction was aborted%s%s", p->txn.cause ? ": " : "",
             p->txn.cause ? p->txn.cause_str : "");
    kfk_list failed;
    kfk_list_init(&failed);
    pthread_mutex_lock(&p->acc.lock);
    kfk_accum_take_queued_locked(&p->acc, &failed, KFK_ERR_TRANSACTION_ABORTABLE, why);
    pthread_mutex_unlock(&p->acc.lock);
    kfk_sender_report(p, &failed);
}

int64_t kfk_txn_step(kfk_producer *p) {
    kfk_txn_mgr *t = &p->txn;
    if (!p->conf.transactional_id || p->stopping) return INT64_MAX;
    pthread_mutex_lock(&p->acc.lock);
    enum kfk_txn_state s = t->state;
    int op = t->op_done ? -1 : t->op;
    pthread_mutex_unlock(&p->acc.lock);
    /* A retry time of AddPartitionsToTxn counts only while partitions may
     * still be added: after an abort it stays behind, in the past. */
    int adding = !t->tv2 && (s == KFK_TXN_OPEN || s == KFK_TXN_COMMITTING);
    if (adding) send_add(p);
    int64_t next = adding && t->add.resend_at ? t->add.resend_at : INT64_MAX;
    if (op < 0) return next;
    int64_t now = kfk_io_now(p->io);
    switch (t->phase) {
    case PH_START:
        if (op == KFK_TXN_CALL_INIT) {
            t->phase = PH_INIT;
            send_init(p, 0);
        } else if (op == KFK_TXN_CALL_COMMIT || op == KFK_TXN_CALL_ABORT) {
            if (op == KFK_TXN_CALL_ABORT) fail_queued(p);
            t->phase = PH_WAIT_BATCHES;
            return kfk_txn_step(p);
        } else {
            /* The offsets' group's coordinator; the key may change per call
             * (no request waits on it between calls). */
            if (!t->gcoord_key || strcmp(t->gcoord_key, t->group) != 0) {
                size_t n = strlen(t->group) + 1;
                char *key = kfk_malloc(n);
                if (!key) {
                    op_finish(p, KFK_ERR_NOMEM, "out of memory");
                    break;
                }
                memcpy(key, t->group, n);
                if (!t->gcoord_key) {
                    kfk_coord_init(&t->gcoord, p->core, p->io, key, p->conf.retry_backoff_ms,
                                   p->conf.retry_backoff_max_ms);
                } else {
                    t->gcoord.group = kfk_str_of(key);
                    kfk_coord_forget(&t->gcoord);
                }
                kfk_free(t->gcoord_key);
                t->gcoord_key = key;
            }
            t->phase = t->tv2 ? PH_COMMIT_OFFSETS : PH_ADD_OFFSETS;
            if (t->tv2)
                send_commit_offsets(p);
            else
                send_add_offsets(p);
        }
        break;
    case PH_WAIT_BATCHES:
        /* Batches in flight at the abort that come back for a retry. */
        if (op == KFK_TXN_CALL_ABORT) fail_queued(p);
        if (!settled(p)) break; /* each response runs this again */
        pthread_mutex_lock(&p->acc.lock);
        flush_done_locked(p);
        pthread_mutex_unlock(&p->acc.lock);
        t->phase = PH_END_TXN;
        /* A transaction the broker never heard of needs no EndTxn; nor
         * does one whose producer id the coordinator no longer maps. */
        if (started(p) && t->cause != KFK_ERR_INVALID_PRODUCER_ID_MAPPING)
            send_end(p);
        else
            end_ok(p);
        break;
    default:
        break;
    }
    /* Requests waiting for their retry time. */
    kfk_txn_req *rs[] = {&t->init, &t->addoff, &t->commit, &t->end};
    for (size_t i = 0; i < sizeof rs / sizeof *rs; i++) {
        kfk_txn_req *r = rs[i];
        if (!r->resend_at || r->busy) continue;
        if (now < r->resend_at) {
            if (r->resend_at < next) next = r->resend_at;
            continue;
        }
        if (r == &t->init) send_init(p, t->phase == PH_BUMP);
        if (r == &t->addoff) send_add_offsets(p);
        if (r == &t->commit) send_commit_offsets(p);
        if (r == &t->end) send_end(p);
    }
    return next;
}

/* ----------------------------------------------------- batches and tasks */

void kfk_txn_batches_failed(kfk_producer *p, kfk_list *failed) {
    int fatal_err = 0, abort_err = 0, bump = 0;
    /* A fenced epoch in a transaction younger than its timeout: a newer
     * producer took the transactional id (else the timeout's abort). */
    int old = may_have_expired(p);
    char why[200] = "";
    for (kfk_list *e = failed->next; e != failed; e = e->next) {
        kfk_pbatch *b = KFK_CONTAINER_OF(e, kfk_pbatch, link);
        enum kfk_txn_verdict v = kfk_txn_batch_verdict(b->err);
        int fenced = b->err == KFK_ERR_INVALID_PRODUCER_EPOCH && !old;
        if (fenced) v = KFK_TXN_FATAL_ERR;
        if (v == KFK_TXN_FATAL_ERR && !fatal_err) {
            fatal_err = b->err;
            snprintf(why, sizeof why, "%s%s", b->errstr,
                     fenced ? ": a newer producer with the same transactional.id fenced this one"
                            : "");
        } else if (v != KFK_TXN_FATAL_ERR && !abort_err) {
            abort_err = b->err;
            if (!fatal_err) snprintf(why, sizeof why, "%s", b->errstr);
        }
        /* A sequence given out and never written leaves a gap (v1 keeps
         * the epoch across transactions): the abort bumps it. */
        bump |= v == KFK_TXN_ABORT_BUMP || b->base_seq >= 0;
    }
    if (fatal_err) {
        fatal(p, kfk_txn_fatal_cause(fatal_err), why);
    } else if (abort_err == KFK_ERR_INVALID_PRODUCER_EPOCH) {
        expired(p, abort_err, why);
    } else if (abort_err && abort_err != KFK_ERR_TRANSACTION_ABORTABLE) {
        abortable(p, abort_err, bump, why);
    } else if (bump && !p->txn.tv2) { /* batches the abort itself failed */
        pthread_mutex_lock(&p->acc.lock);
        p->txn.bump = 1;
        pthread_mutex_unlock(&p->acc.lock);
    }
}

void kfk_txn_hold(kfk_producer *p, kfk_list *done) {
    int64_t n = 0;
    for (kfk_list *e = done->next; e != done; e = e->next)
        n += KFK_CONTAINER_OF(e, kfk_pbatch, link)->bb.count;
    pthread_mutex_lock(&p->acc.lock);
    int dead = p->txn.state == KFK_TXN_FATAL;
    if (!dead) p->acc.held += n;
    pthread_mutex_unlock(&p->acc.lock);
    if (!dead) {
        kfk_list_splice_tail(&p->txn.held, done);
        return;
    }
    /* The transaction can no longer commit: report at once. */
    for (kfk_list *e = done->next; e != done; e = e->next) {
        kfk_pbatch *b = KFK_CONTAINER_OF(e, kfk_pbatch, link);
        b->err = KFK_ERR_FATAL;
        b->base_offset = -1;
        snprintf(b->errstr, sizeof b->errstr, "%.120s", p->txn.cause_str);
    }
    kfk_reportq_push(&p->reports, done);
}

void kfk_txn_task(kfk_io *io, kfk_task *task, int err) {
    (void)io;
    kfk_producer *p = KFK_CONTAINER_OF(task, kfk_producer, txn.task);
    if (err || p->stopping) return;
    p->txn.phase = PH_START;
    kfk_sender_run(p);
}

void kfk_txn_stop(kfk_producer *p) {
    if (!p->conf.transactional_id) return;
    release_held(p, KFK_ERR_DESTROYED, "the producer was destroyed before the transaction ended");
    if (p->txn.timer_added) {
        kfk_io_timer_cancel(p->io, &p->txn.timer);
        kfk_io_timer_release(p->io, &p->txn.timer);
        p->txn.timer_added = 0;
    }
}

void kfk_txn_init(kfk_producer *p) {
    kfk_txn_mgr *t = &p->txn;
    t->op = -1;
    t->state = KFK_TXN_UNINIT;
    t->state_us = kfk_clock_us();
    pthread_cond_init(&t->cond, NULL);
    kfk_list_init(&t->held);
    t->task.fn = kfk_txn_task;
    if (!p->conf.transactional_id) return;
    p->acc.txn_mode = 1;
    kfk_txn_set_state_locked(p, KFK_TXN_UNINIT);
    kfk_coord_init_type(&t->tcoord, p->core, p->io, p->conf.transactional_id,
                        KFK_COORD_TRANSACTION, p->conf.retry_backoff_ms,
                        p->conf.retry_backoff_max_ms);
}

void kfk_txn_free(kfk_producer *p) {
    kfk_txn_mgr *t = &p->txn;
    if (p->conf.transactional_id) kfk_coord_fail_all(&t->tcoord, KFK_ERR_DESTROYED);
    if (t->gcoord_key) kfk_coord_fail_all(&t->gcoord, KFK_ERR_DESTROYED);
    kfk_free(t->gcoord_key);
    kfk_arena_reset(&t->add_arena);
    kfk_arena_reset(&t->commit_arena);
    kfk_free(t->adding);
    kfk_partition_list_destroy(t->offsets);
    kfk_free(t->group);
    kfk_free(t->member_id);
    kfk_free(t->instance_id);
    pthread_cond_destroy(&t->cond);
}
