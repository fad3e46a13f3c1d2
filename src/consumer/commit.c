/* Offsets the application reads and writes: commit (sync and async),
 * stored ("done") offsets, auto-commit by interval and by message count,
 * and the committed offsets (OffsetFetch). */
#include <stdio.h>
#include <time.h>

#include "consumer/offsets_op.h"

kfk_partition_list *kfk_stored_offsets(kfk_consumer *c, int all) {
    kfk_partition_list *l = NULL;
    for (int i = 0; i < c->nparts; i++) {
        const kfk_cpart *p = c->parts[i];
        if (p->stored < 0 || (!all && p->stored == p->committed)) continue;
        if (!l) l = kfk_partition_list_new(c->nparts);
        kfk_partition *e = l ? kfk_partition_list_add(l, p->topic, p->partition) : NULL;
        if (!e) {
            kfk_partition_list_destroy(l);
            return NULL;
        }
        e->offset = p->stored;
        e->leader_epoch = p->stored_epoch;
    }
    return l;
}

void kfk_commit_event_free(kfk_consumer_message *ev) {
    kfk_offsets_op_free(KFK_CONTAINER_OF(ev, kfk_offsets_op, ev));
}

void kfk_commit_event_run(kfk_consumer *c, kfk_consumer_message *ev) {
    kfk_offsets_op *op = KFK_CONTAINER_OF(ev, kfk_offsets_op, ev);
    if (c->commit_cb) c->commit_cb(c, op->err, op->list, c->commit_opaque);
    kfk_offsets_op_free(op);
}

static void autocommit(kfk_consumer *c);

/* I/O thread: an async commit ended; its result waits for poll. */
static void async_then(kfk_offsets_op *op) {
    kfk_consumer *c = op->c;
    int again = 0;
    if (op->auto_commit) {
        c->autocommit_inflight = 0;
        again = c->autocommit_again && op->err != KFK_ERR_DESTROYED;
        c->autocommit_again = 0;
    }
    pthread_mutex_lock(&c->lock);
    int deliver = c->commit_cb != NULL && op->err != KFK_ERR_DESTROYED;
    if (deliver) kfk_queue_append(c, &op->ev, &op->ev);
    pthread_mutex_unlock(&c->lock);
    if (!deliver) kfk_offsets_op_free(op);
    if (again) autocommit(c);
}

int kfk_consumer_commit(kfk_consumer *c, const kfk_partition_list *offsets, int async) {
    if (!c->cc.group_id) return KFK_ERR_INVALID_ARG;
    kfk_partition_list *l;
    if (offsets) {
        for (int i = 0; i < offsets->count; i++)
            if (offsets->elems[i].offset < 0) return KFK_ERR_INVALID_ARG;
        l = kfk_partition_list_copy(offsets);
        if (!l) return KFK_ERR_NOMEM;
    } else {
        pthread_mutex_lock(&c->lock);
        l = kfk_stored_offsets(c, 0);
        pthread_mutex_unlock(&c->lock);
        if (!l) return KFK_ERR_NOENT;
    }
    /* An async commit is one request, as Java's commitAsync; a sync one
     * retries within default.api.timeout.ms, as commitSync(). */
    kfk_offsets_op *op = kfk_offsets_op_new(
        c, l, 1, async ? c->cc.request_timeout_ms : c->cc.default_api_timeout_ms);
    if (!op) return KFK_ERR_NOMEM;
    if (async) {
        op->then = async_then;
        kfk_offsets_op_post(op);
        return 0;
    }
    int err = kfk_offsets_op_wait(op);
    for (int i = 0; !err && i < op->list->count; i++) err = op->list->elems[i].err;
    kfk_offsets_op_free(op);
    return err;
}

/* I/O thread: commits what changed; once the commit still out ends, when
 * there is one (a count-triggered commit must not be lost). */
static void autocommit(kfk_consumer *c) {
    if (c->autocommit_inflight) {
        c->autocommit_again = 1;
        return;
    }
    pthread_mutex_lock(&c->lock);
    kfk_partition_list *l = kfk_stored_offsets(c, 0);
    pthread_mutex_unlock(&c->lock);
    if (!l) return;
    kfk_offsets_op *op = kfk_offsets_op_new(c, l, 1, c->cc.request_timeout_ms);
    if (!op) return;
    op->then = async_then;
    op->auto_commit = 1;
    c->autocommit_inflight = 1;
    kfk_offsets_op_submit(op);
}

void kfk_autocommit_timer(kfk_timer *t, int64_t now) {
    kfk_consumer *c = KFK_CONTAINER_OF(t, kfk_consumer, commit_timer);
    autocommit(c);
    kfk_io_timer_set(c->io, t, now + c->cc.auto_commit_interval_ms);
}

void kfk_autocommit_task(kfk_io *io, kfk_task *t, int err) {
    kfk_consumer *c = KFK_CONTAINER_OF(t, kfk_consumer, commit_task);
    atomic_store(&c->commit_posted, 0);
    if (!err) autocommit(c);
}

int kfk_autocommit_count(kfk_consumer *c, int64_t n) {
    if (!c->cc.auto_commit || c->cc.auto_commit_messages <= 0) return 0;
    c->since_commit += n;
    if (c->since_commit < c->cc.auto_commit_messages) return 0;
    c->since_commit = 0;
    return 1;
}

void kfk_autocommit_post(kfk_consumer *c) {
    if (!atomic_exchange(&c->commit_posted, 1) && kfk_io_post(c->io, &c->commit_task))
        atomic_store(&c->commit_posted, 0);
}

/* Stores m's end as its partition's done offset; with log, says how that
 * moved it (when not straight on) in out. 0 or KFK_ERR_NOENT. */
static int store_done(kfk_consumer *c, const kfk_consumer_message *m, char *out, size_t len) {
    int due = 0;
    pthread_mutex_lock(&c->lock);
    kfk_cpart *p = kfk_cpart_find(c, m->topic, m->partition);
    if (p && out) {
        enum kfk_done_move mv =
            kfk_done_move(p->stored, p->committed, m->offset, kfk_cmsg(m)->polled_after);
        int64_t base = p->stored >= 0 ? p->stored : p->committed;
        const char *what = p->stored >= 0 ? "done" : "committed";
        if (mv == KFK_DONE_SKIP)
            snprintf(out, len,
                     "%s [%d]: task_done(%lld) skips: messages polled from offset %lld on are "
                     "not done",
                     m->topic, (int)m->partition, (long long)m->offset, (long long)base);
        else if (mv == KFK_DONE_BACK)
            snprintf(out, len, "%s [%d]: task_done(%lld) moves the done offset back from %s %lld",
                     m->topic, (int)m->partition, (long long)m->offset, what, (long long)base);
        else if (mv == KFK_DONE_AGAIN)
            snprintf(out, len, "%s [%d]: task_done(%lld) again: %s offset is %lld already",
                     m->topic, (int)m->partition, (long long)m->offset, what, (long long)base);
    }
    if (p) {
        p->stored = m->offset + 1;
        p->stored_epoch = m->leader_epoch;
        if (!c->cc.auto_store) due = kfk_autocommit_count(c, 1);
    }
    pthread_mutex_unlock(&c->lock);
    if (due) kfk_autocommit_post(c);
    return p ? 0 : KFK_ERR_NOENT;
}

int kfk_consumer_store_offset(kfk_consumer *c, const kfk_consumer_message *m) {
    if (!m || m->err) return KFK_ERR_INVALID_ARG;
    return store_done(c, m, NULL, 0);
}

int kfk_consumer_task_done(kfk_consumer *c, const kfk_consumer_message *m) {
    if (!c || !m || m->err || !m->topic) return KFK_ERR_INVALID_ARG;
    char msg[400] = "";
    int err = store_done(c, m, msg, sizeof msg);
    if (err)
        kfk_consumer_log(c, "%s [%d]: task_done(%lld) for a partition not assigned: ignored",
                         m->topic, (int)m->partition, (long long)m->offset);
    else if (*msg)
        kfk_consumer_log(c, "%s", msg);
    return err;
}

int kfk_consumer_store_offsets(kfk_consumer *c, kfk_partition_list *offsets) {
    int rc = 0;
    pthread_mutex_lock(&c->lock);
    for (int i = 0; i < offsets->count; i++) {
        kfk_partition *e = &offsets->elems[i];
        kfk_cpart *p = e->offset >= 0 ? kfk_cpart_find(c, e->topic, e->partition) : NULL;
        e->err = p ? 0 : e->offset < 0 ? KFK_ERR_INVALID_ARG : KFK_ERR_NOENT;
        if (p) {
            p->stored = e->offset;
            p->stored_epoch = e->leader_epoch;
        } else
            rc = KFK_ERR_PARTIAL;
    }
    pthread_mutex_unlock(&c->lock);
    return rc;
}

static int unstable(const kfk_partition_list *l) {
    for (int i = 0; i < l->count; i++)
        if (l->elems[i].err == KFK_ERR_UNSTABLE_OFFSET_COMMIT) return 1;
    return 0;
}

int kfk_consumer_committed(kfk_consumer *c, kfk_partition_list *list, int timeout_ms) {
    if (!c->cc.group_id) return KFK_ERR_INVALID_ARG;
    if (!list || !list->count) return 0;
    int64_t deadline =
        kfk_io_clock() + (timeout_ms > 0 ? timeout_ms : c->cc.default_api_timeout_ms);
    kfk_offsets_op *op = NULL;
    int err;
    /* Offsets of a transaction that is ending (read_committed): asked
     * again until it ended, or the time is up. */
    for (;;) {
        kfk_partition_list *l = kfk_partition_list_copy(list);
        if (!l) return KFK_ERR_NOMEM;
        int64_t left = deadline - kfk_io_clock();
        op = kfk_offsets_op_new(c, l, 0, (int32_t)(left > 1 ? left : 1));
        if (!op) return KFK_ERR_NOMEM;
        err = kfk_offsets_op_wait(op);
        if (err || !unstable(op->list) ||
            kfk_io_clock() + c->cc.retry_backoff_ms >= deadline)
            break;
        kfk_offsets_op_free(op);
        struct timespec ts = {c->cc.retry_backoff_ms / 1000, c->cc.retry_backoff_ms % 1000 * 1000000L};
        nanosleep(&ts, NULL);
    }
    for (int i = 0; !err && i < list->count; i++) {
        const kfk_partition *r = &op->list->elems[i];
        kfk_partition *e = &list->elems[i];
        e->offset = r->offset < 0 ? KFK_OFFSET_INVALID : r->offset;
        e->leader_epoch = r->leader_epoch;
        e->err = r->err;
        if (kfk_partition_set_metadata(e, r->metadata)) err = KFK_ERR_NOMEM;
    }
    kfk_offsets_op_free(op);
    return err;
}
