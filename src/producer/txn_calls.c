/* The transactional calls of kfk.h: each checks the state, starts an
 * operation on the I/O thread (txn_mgr.c) and waits for it up to its
 * timeout. A call that times out leaves the operation running; the same
 * call made again waits for it (or returns its result, if it finished
 * meanwhile), as the Java client's calls do. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "producer/producer_int.h"

static char *dup_or_null(const char *s) {
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = kfk_malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static void deadline_of(int timeout_ms, struct timespec *ts) {
    clock_gettime(CLOCK_REALTIME, ts);
    int64_t ns = ts->tv_nsec + (int64_t)(timeout_ms % 1000) * 1000000;
    ts->tv_sec += timeout_ms / 1000 + ns / 1000000000;
    ts->tv_nsec = (long)(ns % 1000000000);
}

/* Waits (lock held) for the operation running to finish; claims its
 * result. */
static int wait_op(kfk_producer *p, int timeout_ms) {
    kfk_txn_mgr *t = &p->txn;
    struct timespec until;
    if (timeout_ms >= 0) deadline_of(timeout_ms, &until);
    while (!t->op_done) {
        int rc = timeout_ms < 0 ? pthread_cond_wait(&t->cond, &p->acc.lock)
                                : pthread_cond_timedwait(&t->cond, &p->acc.lock, &until);
        if (rc == ETIMEDOUT && !t->op_done) return KFK_ERR_TIMED_OUT;
    }
    t->op = -1;
    t->op_done = 0;
    return t->op_err;
}

/* Runs call: waits for the same operation if it is running; else starts
 * it (setup, if any, runs first with the lock held). */
static int run(kfk_producer *p, enum kfk_txn_call call, int timeout_ms,
               int (*setup)(kfk_producer *, void *), void *arg) {
    if (!p->conf.transactional_id) return KFK_ERR_STATE;
    kfk_txn_mgr *t = &p->txn;
    pthread_mutex_lock(&p->acc.lock);
    if (t->op == (int)call) { /* started by an earlier call that timed out */
        int rc = wait_op(p, timeout_ms);
        pthread_mutex_unlock(&p->acc.lock);
        return rc;
    }
    if (t->op >= 0 && !t->op_done) {
        pthread_mutex_unlock(&p->acc.lock);
        return KFK_ERR_STATE; /* another operation is still running */
    }
    t->op = -1; /* an unclaimed result of another call is dropped */
    t->op_done = 0;
    int rc = kfk_txn_allowed(t->state, call);
    if (!rc && setup) rc = setup(p, arg);
    if (rc) {
        pthread_mutex_unlock(&p->acc.lock);
        return rc;
    }
    t->op = call;
    if (call == KFK_TXN_CALL_COMMIT) {
        kfk_txn_set_state_locked(p, KFK_TXN_COMMITTING);
        p->acc.flushing++; /* linger.ms no longer matters */
        t->flushing = 1;
    } else if (call == KFK_TXN_CALL_ABORT) {
        kfk_txn_set_state_locked(p, KFK_TXN_ABORTING);
    }
    if (kfk_io_post(p->io, &t->task)) {
        t->op = -1;
        pthread_mutex_unlock(&p->acc.lock);
        return KFK_ERR_DESTROYED;
    }
    rc = wait_op(p, timeout_ms);
    pthread_mutex_unlock(&p->acc.lock);
    return rc;
}

/* Delivery reports of the transaction that just ended run here, as in a
 * flush. */
static int served(kfk_producer *p, int rc) {
    kfk_producer_poll(p, 0);
    return rc;
}

int kfk_producer_init_transactions(kfk_producer *p, int timeout_ms) {
    return run(p, KFK_TXN_CALL_INIT, timeout_ms, NULL, NULL);
}

int kfk_producer_begin_transaction(kfk_producer *p) {
    if (!p->conf.transactional_id) return KFK_ERR_STATE;
    pthread_mutex_lock(&p->acc.lock);
    kfk_txn_mgr *t = &p->txn;
    int rc = t->op >= 0 && !t->op_done ? KFK_ERR_STATE : kfk_txn_allowed(t->state, KFK_TXN_CALL_BEGIN);
    if (!rc) {
        t->op = -1;
        t->op_done = 0;
        kfk_txn_set_state_locked(p, KFK_TXN_OPEN);
        t->begin_ms = kfk_io_clock();
    }
    pthread_mutex_unlock(&p->acc.lock);
    return rc;
}

typedef struct offsets_args {
    const kfk_partition_list *offsets;
    const kfk_group_metadata *gm;
} offsets_args;

/* Copies the offsets and the group's metadata for the I/O thread. */
static int offsets_setup(kfk_producer *p, void *arg) {
    const offsets_args *a = arg;
    kfk_txn_mgr *t = &p->txn;
    kfk_partition_list *l = kfk_partition_list_copy(a->offsets);
    char *group = dup_or_null(kfk_group_metadata_group_id(a->gm));
    const char *member = kfk_group_metadata_member_id(a->gm);
    char *member_id = dup_or_null(member ? member : "");
    const char *inst = kfk_group_metadata_group_instance_id(a->gm);
    char *instance_id = dup_or_null(inst);
    if (!l || !group || !member_id || (inst && !instance_id)) {
        kfk_partition_list_destroy(l);
        kfk_free(group);
        kfk_free(member_id);
        kfk_free(instance_id);
        return KFK_ERR_NOMEM;
    }
    for (int i = 0; i < l->count; i++) l->elems[i].err = 0;
    kfk_partition_list_destroy(t->offsets);
    kfk_free(t->group);
    kfk_free(t->member_id);
    kfk_free(t->instance_id);
    t->offsets = l;
    t->group = group;
    t->member_id = member_id;
    t->instance_id = instance_id;
    t->generation = kfk_group_metadata_generation_id(a->gm);
    return 0;
}

int kfk_producer_send_offsets_to_transaction(kfk_producer *p, const kfk_partition_list *offsets,
                                             const kfk_group_metadata *gm, int timeout_ms) {
    if (!offsets || !gm || !kfk_group_metadata_group_id(gm)) return KFK_ERR_INVALID_ARG;
    for (int i = 0; i < offsets->count; i++)
        if (offsets->elems[i].offset < 0) return KFK_ERR_INVALID_ARG;
    if (!offsets->count) {
        pthread_mutex_lock(&p->acc.lock);
        int rc = kfk_txn_allowed(p->txn.state, KFK_TXN_CALL_SEND);
        pthread_mutex_unlock(&p->acc.lock);
        return p->conf.transactional_id ? rc : KFK_ERR_STATE;
    }
    offsets_args a = {offsets, gm};
    return run(p, KFK_TXN_CALL_SEND, timeout_ms, offsets_setup, &a);
}

int kfk_producer_commit_transaction(kfk_producer *p, int timeout_ms) {
    return served(p, run(p, KFK_TXN_CALL_COMMIT, timeout_ms, NULL, NULL));
}

int kfk_producer_abort_transaction(kfk_producer *p, int timeout_ms) {
    return served(p, run(p, KFK_TXN_CALL_ABORT, timeout_ms, NULL, NULL));
}

int kfk_producer_txn_error(kfk_producer *p, char *errstr, size_t errstr_size) {
    pthread_mutex_lock(&p->acc.lock);
    int err = p->txn.state == KFK_TXN_ABORTABLE || p->txn.state == KFK_TXN_ABORTING ||
                      p->txn.state == KFK_TXN_FATAL
                  ? p->txn.cause
                  : 0;
    if (errstr && errstr_size) snprintf(errstr, errstr_size, "%s", err ? p->txn.cause_str : "");
    pthread_mutex_unlock(&p->acc.lock);
    return err;
}
