/* Rebalance events: queued by the I/O thread, run on the application's
 * poll thread (the rebalance callback, or kfk's own (un)assign), acked back
 * to the I/O thread. Also unsubscribe and close, which revoke on the
 * calling thread. */
#include <time.h>

#include "consumer/consumer_int.h"
#include "core/alloc.h"
#include "core/portable.h"

void kfk_gev_free(kfk_consumer_message *m) {
    kfk_gev *ev = KFK_CONTAINER_OF(m, kfk_gev, ev);
    kfk_partition_list_destroy(ev->revoke);
    kfk_partition_list_destroy(ev->assign);
    kfk_free(ev);
}

void kfk_group_queue_event(kfk_consumer *c, kfk_partition_list *revoke,
                           kfk_partition_list *assign, int lost, int fatal) {
    kfk_gev *ev = kfk_calloc(1, sizeof *ev);
    if (!ev) {
        /* The application cannot be told; the next rebalance corrects it. */
        kfk_partition_list_destroy(revoke);
        kfk_partition_list_destroy(assign);
        return;
    }
    kfk_cmsg(&ev->ev)->kind = KFK_KIND_REBALANCE;
    ev->c = c;
    ev->revoke = revoke;
    ev->assign = assign;
    ev->lost = lost;
    ev->fatal = fatal;
    ev->sub_epoch = c->group.sub_epoch;
    c->group.app_pending++;
    pthread_mutex_lock(&c->lock);
    kfk_queue_append(c, &ev->ev, &ev->ev);
    pthread_mutex_unlock(&c->lock);
}

static void ack_task(kfk_io *io, kfk_task *t, int err) {
    kfk_gev *ev = KFK_CONTAINER_OF(t, kfk_gev, task);
    kfk_consumer *c = ev->c;
    if (!err && ev->sub_epoch == c->group.sub_epoch) kfk_group_acked(c);
    kfk_gev_free(&ev->ev);
}

static void commit_before_revoke(kfk_consumer *c) {
    if (c->cc.auto_commit) kfk_consumer_commit(c, NULL, 0); /* errors go nowhere: Java's too */
}

void kfk_gev_run(kfk_consumer *c, kfk_consumer_message *m) {
    kfk_gev *ev = KFK_CONTAINER_OF(m, kfk_gev, ev);
    pthread_mutex_lock(&c->lock);
    kfk_rebalance_cb cb = c->group.rebalance_cb;
    void *opaque = c->group.rebalance_opaque;
    pthread_mutex_unlock(&c->lock);
    if (ev->revoke && ev->revoke->count) {
        if (!ev->lost) commit_before_revoke(c);
        if (cb)
            cb(c, ev->lost ? KFK_REBALANCE_LOST : KFK_REBALANCE_REVOKED, ev->revoke, opaque);
        else if (c->cc.cooperative)
            kfk_consumer_incremental_unassign(c, ev->revoke);
        else
            kfk_consumer_assign(c, NULL);
    }
    if (ev->fatal) {
        kfk_consumer_message *e = kfk_event_new("", -1, KFK_OFFSET_INVALID, ev->fatal);
        pthread_mutex_lock(&c->lock);
        if (e) kfk_queue_append(c, e, e);
        pthread_mutex_unlock(&c->lock);
    }
    if (ev->assign) {
        if (cb)
            cb(c, KFK_REBALANCE_ASSIGNED, ev->assign, opaque);
        else if (c->cc.cooperative)
            kfk_consumer_incremental_assign(c, ev->assign);
        else
            kfk_consumer_assign(c, ev->assign);
    }
    ev->task.fn = ack_task;
    if (kfk_io_post(c->io, &ev->task)) kfk_gev_free(m);
}

void kfk_group_polled(kfk_consumer *c) {
    atomic_store(&c->group.last_poll, kfk_io_clock());
    if (atomic_exchange(&c->group.wants_poll, 0)) kfk_group_post(c);
}

/* ------------------------------------------------------ leaving the group */

/* Drops queued rebalance events: the subscription they served is gone. */
static void purge_events(kfk_consumer *c) {
    kfk_consumer_message **pp = &c->qhead, *last = NULL;
    while (*pp) {
        kfk_consumer_message *m = *pp;
        if (kfk_cmsg(m)->kind == KFK_KIND_REBALANCE) {
            *pp = kfk_cmsg(m)->next;
            kfk_gev_free(m);
        } else {
            last = m;
            pp = &kfk_cmsg(m)->next;
        }
    }
    c->qtail = last;
}

static void wait_left(kfk_consumer *c) {
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += c->cc.request_timeout_ms / 1000 + 1;
    pthread_mutex_lock(&c->lock);
    while (!c->group.left_done)
        if (kfk_cond_wait_until(&c->cond, &c->lock, &until)) break;
    pthread_mutex_unlock(&c->lock);
}

int kfk_consumer_unsubscribe(kfk_consumer *c) {
    pthread_mutex_lock(&c->lock);
    kfk_gsub *s = c->group.app_sub;
    c->group.app_sub = NULL;
    c->group.left_done = 0;
    kfk_rebalance_cb cb = c->group.rebalance_cb;
    void *opaque = c->group.rebalance_opaque;
    if (s) purge_events(c);
    pthread_mutex_unlock(&c->lock);
    if (!s) return KFK_ERR_NOENT;
    kfk_gsub_unref(s);
    commit_before_revoke(c);
    kfk_partition_list *l = kfk_consumer_assignment(c);
    if (cb && l && l->count) cb(c, KFK_REBALANCE_REVOKED, l, opaque);
    if (!cb) kfk_consumer_assign(c, NULL);
    kfk_partition_list_destroy(l);
    /* take_sub (group_sub.c) leaves, then sets left_done. */
    if (!kfk_group_post_sub(c, NULL)) wait_left(c);
    return 0;
}

void kfk_group_close(kfk_consumer *c) {
    pthread_mutex_lock(&c->lock);
    int subscribed = c->group.app_sub != NULL;
    pthread_mutex_unlock(&c->lock);
    if (subscribed) kfk_consumer_unsubscribe(c);
}

void kfk_consumer_set_rebalance_cb(kfk_consumer *c, kfk_rebalance_cb cb, void *opaque) {
    pthread_mutex_lock(&c->lock);
    c->group.rebalance_cb = cb;
    c->group.rebalance_opaque = opaque;
    pthread_mutex_unlock(&c->lock);
}

const char *kfk_consumer_rebalance_protocol(kfk_consumer *c) {
    return c->cc.cooperative ? "COOPERATIVE" : "EAGER";
}

int32_t kfk_consumer_generation(kfk_consumer *c) { return atomic_load(&c->generation); }
