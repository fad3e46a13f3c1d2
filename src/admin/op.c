/* An admin operation's life: posted to the I/O thread, its requests sent,
 * retried after a backoff, and its result delivered (see admin_int.h). */
#include <stdio.h>

#include "admin/admin_int.h"
#include "core/alloc.h"
#include "core/log.h"
#include "net/backoff.h"
#include "proto/proto.h"

/* A group's coordinator, kept for the admin's life. I/O thread. */
typedef struct kfk_acoord {
    kfk_list link;
    kfk_coord co;
    char name[];
} kfk_acoord;

kfk_aop *kfk_aop_new(kfk_admin *a, const kfk_admin_options *o, kfk_admin_cb cb, void *opaque,
                     void (*start)(kfk_aop *op)) {
    kfk_aop *op = kfk_calloc(1, sizeof *op);
    if (!op) return NULL;
    op->res = kfk_ares_new();
    if (!op->res) {
        kfk_free(op);
        return NULL;
    }
    int timeout = o && o->timeout_ms > 0 ? o->timeout_ms : a->timeout_ms;
    op->admin = a;
    op->cb = cb;
    op->opaque = opaque;
    op->sync = cb == NULL;
    op->start = start;
    op->validate_only = o ? o->validate_only : 0;
    op->deadline = kfk_io_clock() + timeout;
    kfk_list_init(&op->backoff);
    kfk_list_init(&op->link);
    pthread_mutex_init(&op->lock, NULL);
    pthread_cond_init(&op->cond, NULL);
    return op;
}

static void op_free(kfk_aop *op) {
    kfk_arena_reset(&op->arena);
    pthread_cond_destroy(&op->cond);
    pthread_mutex_destroy(&op->lock);
    kfk_free(op);
}

kfk_admin_result *kfk_aop_nomem(kfk_admin_cb cb, void *opaque) {
    if (cb) cb(NULL, opaque);
    return NULL;
}

/* Hands the result over: to cb (then op is freed here) or to the waiting
 * caller (which frees op). op is not touched after the hand-over. */
void kfk_aop_hand_over(kfk_aop *op) {
    kfk_admin_cb cb = op->cb;
    kfk_admin_result *res = op->res;
    void *opaque = op->opaque;
    op_free(op);
    cb(res, opaque);
}

static void deliver(kfk_aop *op) {
    kfk_admin *a = op->admin;
    pthread_mutex_lock(&a->lock);
    kfk_list_remove(&op->link);
    pthread_mutex_unlock(&a->lock);
    if (op->timer_added && !a->io_gone) {
        kfk_io_timer_cancel(a->io, &op->timer);
        kfk_io_timer_release(a->io, &op->timer);
    }
    if (op->finish) op->finish(op);
    if (!op->sync) {
        if (!kfk_aresq_push(a, op)) kfk_aop_hand_over(op);
        return;
    }
    pthread_mutex_lock(&op->lock);
    op->delivered = 1;
    pthread_cond_signal(&op->cond);
    pthread_mutex_unlock(&op->lock);
}

void kfk_aop_error(kfk_aop *op, int err, const char *errstr) {
    kfk_admin_result *r = op->res;
    if (r->err && r->err != KFK_ERR_PARTIAL) return;
    r->err = err;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", errstr && *errstr ? errstr : kfk_err_str(err));
    r->errstr = kfk_ares_cstr(r, buf);
}

kfk_admin_result *kfk_aop_fail(kfk_aop *op, int err, const char *errstr) {
    kfk_aop_error(op, err, errstr);
    if (op->finish) op->finish(op);
    kfk_admin_result *res = op->res;
    kfk_admin_cb cb = op->cb;
    void *opaque = op->opaque;
    op_free(op);
    if (!cb) return res;
    cb(res, opaque);
    return NULL;
}

static void on_task(kfk_io *io, kfk_task *t, int err) {
    (void)io;
    kfk_aop *op = KFK_CONTAINER_OF(t, kfk_aop, task);
    op->pending++; /* start itself, so subs finishing early do not deliver */
    if (err)
        kfk_aop_error(op, err, "the admin client is being destroyed");
    else
        op->start(op);
    if (--op->pending == 0) deliver(op);
}

kfk_admin_result *kfk_aop_run(kfk_aop *op) {
    kfk_admin *a = op->admin;
    pthread_mutex_lock(&a->lock);
    int closing = a->closing;
    if (!closing) kfk_list_insert_tail(&a->ops, &op->link);
    pthread_mutex_unlock(&a->lock);
    if (closing) return kfk_aop_fail(op, KFK_ERR_DESTROYED, "the admin client is being destroyed");
    int sync = op->sync;
    op->task.fn = on_task;
    if (kfk_io_post(a->io, &op->task)) {
        pthread_mutex_lock(&a->lock);
        kfk_list_remove(&op->link);
        pthread_mutex_unlock(&a->lock);
        return kfk_aop_fail(op, KFK_ERR_DESTROYED, "the admin client is being destroyed");
    }
    if (!sync) return NULL;
    pthread_mutex_lock(&op->lock);
    while (!op->delivered) pthread_cond_wait(&op->cond, &op->lock);
    pthread_mutex_unlock(&op->lock);
    kfk_admin_result *res = op->res;
    op_free(op);
    return res;
}

/* ------------------------------------------------------------------ subs */

kfk_asub *kfk_asub_new(kfk_aop *op, int (*on_response)(kfk_asub *, kfk_response *),
                       void (*on_error)(kfk_asub *, int, const char *)) {
    kfk_asub *s = kfk_arena_alloc(&op->arena, sizeof *s);
    if (!s) {
        kfk_aop_error(op, KFK_ERR_NOMEM, NULL);
        return NULL;
    }
    s->op = op;
    s->on_response = on_response;
    s->on_error = on_error;
    kfk_list_init(&s->link);
    op->pending++;
    return s;
}

static void sub_done(kfk_asub *s) {
    kfk_aop *op = s->op;
    if (--op->pending == 0) deliver(op);
}

static void sub_fail(kfk_asub *s, int err, const char *errstr) {
    if (s->on_error)
        s->on_error(s, err, errstr);
    else
        kfk_aop_error(s->op, err, errstr);
    sub_done(s);
}

static void arm(kfk_aop *op);

static void on_timer(kfk_timer *t, int64_t now) {
    kfk_aop *op = KFK_CONTAINER_OF(t, kfk_aop, timer);
    op->pending++; /* resending may fail subs: deliver only at the end */
    for (kfk_list *e = op->backoff.next, *next; e != &op->backoff; e = next) {
        next = e->next;
        kfk_asub *s = KFK_CONTAINER_OF(e, kfk_asub, link);
        if (s->retry_at > now) continue;
        kfk_list_remove(&s->link);
        kfk_asub_resend(s);
    }
    arm(op);
    if (--op->pending == 0) deliver(op);
}

static void arm(kfk_aop *op) {
    kfk_io *io = op->admin->io;
    int64_t when = INT64_MAX;
    for (kfk_list *e = op->backoff.next; e != &op->backoff; e = e->next) {
        int64_t t = KFK_CONTAINER_OF(e, kfk_asub, link)->retry_at;
        if (t < when) when = t;
    }
    if (when == INT64_MAX) return;
    if (!op->timer_added && kfk_io_timer_add(io, &op->timer, on_timer) == 0) op->timer_added = 1;
    if (op->timer_added) kfk_io_timer_set(io, &op->timer, when);
}

/* Sends s again after the backoff, within the deadline; else fails it with
 * the error that made it retry. */
static const char *api_name(int16_t key) {
    const kfk_api_info *info = kfk_api_info_get(key);
    return info ? info->name : "unknown";
}

static void retry_later(kfk_asub *s, int err, const char *errstr) {
    kfk_aop *op = s->op;
    kfk_admin *a = op->admin;
    if (s->on_retry) s->on_retry(s, err);
    int64_t now = kfk_io_now(a->io);
    int64_t delay = kfk_backoff_ms(a->backoff_ms, a->backoff_max_ms, s->attempts++,
                                   kfk_io_rng(a->io));
    KFK_DBG(a->log, KFK_DBG_ADMIN, NULL, "%s: %s; retrying in %lld ms (attempt %d)",
            api_name(s->group ? s->cop.r.req.api_key : s->r.req.api_key), kfk_err_name(err),
            (long long)delay, s->attempts + 1);
    if (now + delay >= op->deadline) {
        sub_fail(s, err, errstr);
        return;
    }
    /* Leaders or the controller may have moved. */
    if (s->r.dest == KFK_DEST_LEADER)
        kfk_core_metadata_refresh(a->core, &s->r.topic, 1);
    else
        kfk_core_metadata_refresh(a->core, NULL, 0);
    s->retry_at = now + delay;
    kfk_list_insert_tail(&op->backoff, &s->link);
    arm(op);
}

void kfk_asub_resend(kfk_asub *s) {
    if (s->group) {
        kfk_asub_send_group(s, s->group);
        return;
    }
    if (!s->resend) {
        kfk_asub_send(s);
        return;
    }
    int err = s->resend(s);
    if (err)
        retry_later(s, err, NULL);
    else
        sub_done(s);
}

/* The next try of an any-broker request goes to a broker other than
 * not_node (the least loaded when there is no other). */
static void elsewhere(kfk_asub *s, int32_t not_node) {
    kfk_admin *a = s->op->admin;
    kfk_metadata *md = kfk_core_metadata(a->core);
    int32_t node = kfk_admin_other_broker(md, not_node, kfk_io_rng(a->io));
    kfk_metadata_unref(md);
    s->r.dest = node < 0 ? KFK_DEST_ANY : KFK_DEST_NODE;
    s->r.node_id = node;
}

/* Each request waits at most request.timeout.ms, and never past the
 * operation's deadline. */
static int32_t request_timeout(const kfk_aop *op, int64_t left) {
    int32_t max = op->admin->request_timeout_ms;
    return left < max ? (int32_t)left : max;
}

static int on_sub_response(void *opaque, kfk_response *resp) {
    kfk_asub *s = opaque;
    int err = resp->err;
    const char *errstr = resp->errstr;
    if (!err) {
        err = s->on_response(s, resp);
        errstr = NULL;
    }
    KFK_DBG(s->op->admin->log, KFK_DBG_ADMIN,
            kfk_core_broker_name(s->op->admin->core, resp->node_id), "%s v%d from node %d: %s",
            api_name(s->r.req.api_key), (int)resp->version, (int)resp->node_id,
            kfk_err_name(err));
    switch (kfk_asub_next(s, err, resp->err)) {
    case KFK_ASUB_DONE:
        sub_done(s);
        break;
    case KFK_ASUB_FAIL:
        sub_fail(s, err, errstr);
        break;
    case KFK_ASUB_ELSEWHERE:
        elsewhere(s, resp->node_id);
        retry_later(s, err, errstr);
        break;
    default:
        if (s->any) s->r.dest = KFK_DEST_ANY; /* the least loaded again */
        retry_later(s, err, errstr);
    }
    return err == KFK_ERR_MALFORMED ? err : 0;
}

void kfk_asub_send(kfk_asub *s) {
    kfk_aop *op = s->op;
    kfk_admin *a = op->admin;
    int64_t left = op->deadline - kfk_io_now(a->io);
    if (left <= 0) {
        sub_fail(s, KFK_ERR_TIMED_OUT, "the operation timed out");
        return;
    }
    if (s->r.dest == KFK_DEST_ANY) s->any = 1;
    s->r.req.cb = on_sub_response;
    s->r.req.opaque = s;
    s->r.req.timeout_ms = request_timeout(op, left);
    if (s->r.dest == KFK_DEST_NODE)
        KFK_DBG(a->log, KFK_DBG_ADMIN, NULL, "%s request to node %d", api_name(s->r.req.api_key),
                (int)s->r.node_id);
    else if (s->r.dest == KFK_DEST_LEADER)
        KFK_DBG(a->log, KFK_DBG_ADMIN, NULL, "%s request to the leader of %s [%d]",
                api_name(s->r.req.api_key), s->r.topic, (int)s->r.partition);
    else
        KFK_DBG(a->log, KFK_DBG_ADMIN, NULL, "%s request", api_name(s->r.req.api_key));
    if (kfk_core_send(a->core, &s->r))
        sub_fail(s, KFK_ERR_DESTROYED, "the admin client is being destroyed");
}

/* ---------------------------------------------------------- group subs */

static int on_cop_response(kfk_cop *cop, kfk_response *resp) {
    kfk_asub *s = KFK_CONTAINER_OF(cop, kfk_asub, cop);
    return s->on_response(s, resp);
}

static void on_cop_done(kfk_cop *cop, int err) {
    kfk_asub *s = KFK_CONTAINER_OF(cop, kfk_asub, cop);
    /* Timed out at the request's own deadline, which the coordinator does
     * not retry: it may be the stalled broker, so find it again. */
    if (err == KFK_ERR_TIMED_OUT && cop->co) kfk_coord_forget(cop->co);
    switch (kfk_asub_next(s, err, 0)) {
    case KFK_ASUB_DONE:
        sub_done(s);
        break;
    case KFK_ASUB_AGAIN:
        retry_later(s, err, NULL);
        break;
    default:
        sub_fail(s, err, NULL);
    }
}

static kfk_coord *coord_of(kfk_admin *a, const char *group) {
    for (kfk_list *e = a->coords.next; e != &a->coords; e = e->next) {
        kfk_acoord *c = KFK_CONTAINER_OF(e, kfk_acoord, link);
        if (strcmp(c->name, group) == 0) return &c->co;
    }
    size_t len = strlen(group);
    kfk_acoord *c = kfk_calloc(1, sizeof *c + len + 1);
    if (!c) return NULL;
    memcpy(c->name, group, len + 1);
    kfk_coord_init(&c->co, a->core, a->io, c->name, a->backoff_ms, a->backoff_max_ms);
    kfk_list_insert_tail(&a->coords, &c->link);
    return &c->co;
}

void kfk_asub_send_group(kfk_asub *s, const char *group) {
    kfk_coord *co = coord_of(s->op->admin, group);
    if (!co) {
        sub_fail(s, KFK_ERR_NOMEM, NULL);
        return;
    }
    s->group = group;
    KFK_DBG(s->op->admin->log, KFK_DBG_ADMIN, NULL, "%s request to the coordinator of group %s",
            api_name(s->cop.r.req.api_key), group);
    s->cop.on_response = on_cop_response;
    s->cop.on_done = on_cop_done;
    int64_t now = kfk_io_now(s->op->admin->io);
    s->cop.deadline = now + request_timeout(s->op, s->op->deadline - now);
    kfk_coord_submit(co, &s->cop);
}

void kfk_asub_send_per_group(kfk_aop *op, int n, const char *const *groups, int16_t api_key,
                             void *msgs, size_t msg_size,
                             int (*on_response)(kfk_asub *, kfk_response *),
                             void (*on_error)(kfk_asub *, int, const char *)) {
    for (int i = 0; i < n; i++) {
        kfk_asub *s = kfk_asub_new(op, on_response, on_error);
        if (!s) return;
        s->index = i;
        s->cop.r.req = (kfk_request){.api_key = api_key, .min_version = 0, .max_version = -1,
                                     .msg = (char *)msgs + (size_t)i * msg_size};
        kfk_asub_send_group(s, groups[i]);
    }
}

int kfk_admin_coordinator_error(int err) {
    return err == KFK_ERR_COORDINATOR_NOT_AVAILABLE || err == KFK_ERR_NOT_COORDINATOR ||
           err == KFK_ERR_COORDINATOR_LOAD_IN_PROGRESS;
}

/* After the I/O thread is gone: fails what still waits for a coordinator
 * or a backoff, which delivers every operation left. */
void kfk_admin_fail_all(kfk_admin *a) {
    while (!kfk_list_empty(&a->coords)) {
        kfk_acoord *c = KFK_CONTAINER_OF(a->coords.next, kfk_acoord, link);
        kfk_coord_fail_all(&c->co, KFK_ERR_DESTROYED);
        kfk_list_remove(&c->link);
        kfk_free(c);
    }
    pthread_mutex_lock(&a->lock);
    while (!kfk_list_empty(&a->ops)) {
        kfk_aop *op = KFK_CONTAINER_OF(a->ops.next, kfk_aop, link);
        pthread_mutex_unlock(&a->lock);
        op->pending++; /* delivered once, below, whatever is left */
        while (!kfk_list_empty(&op->backoff)) {
            kfk_asub *s = KFK_CONTAINER_OF(op->backoff.next, kfk_asub, link);
            kfk_list_remove(&s->link);
            sub_fail(s, KFK_ERR_DESTROYED, "the admin client was destroyed");
        }
        if (--op->pending) kfk_aop_error(op, KFK_ERR_DESTROYED, "the admin client was destroyed");
        deliver(op);
        pthread_mutex_lock(&a->lock);
    }
    pthread_mutex_unlock(&a->lock);
}
