#include "client/coord.h"

#include <string.h>

#include "net/backoff.h"
#include "net/conn_stats.h"

static void pump(kfk_coord *co);

void kfk_coord_init(kfk_coord *co, kfk_core *core, kfk_io *io, const char *group,
                    int32_t backoff_ms, int32_t backoff_max_ms) {
    kfk_coord_init_type(co, core, io, group, KFK_COORD_GROUP, backoff_ms, backoff_max_ms);
}

void kfk_coord_init_type(kfk_coord *co, kfk_core *core, kfk_io *io, const char *key,
                         int8_t key_type, int32_t backoff_ms, int32_t backoff_max_ms) {
    memset(co, 0, sizeof *co);
    co->core = core;
    co->io = io;
    co->group = (kfk_str){key, (int32_t)strlen(key)};
    co->key_type = key_type;
    co->backoff_ms = backoff_ms;
    co->backoff_max_ms = backoff_max_ms;
    co->node = -1;
    kfk_list_init(&co->waiting);
}

int kfk_coord_retriable(int err) {
    return err == KFK_ERR_NOT_COORDINATOR || err == KFK_ERR_COORDINATOR_NOT_AVAILABLE ||
           err == KFK_ERR_COORDINATOR_LOAD_IN_PROGRESS || err == KFK_ERR_REQUEST_TIMED_OUT ||
           err == KFK_ERR_TRANSPORT || err == KFK_ERR_TIMED_OUT || err == KFK_ERR_NOENT ||
           err == KFK_ERR_NETWORK_EXCEPTION;
}

/* Stamps a change of the state statistics name from node and looking. */
static void set_state(kfk_coord *co, int32_t node, int looking) {
    if ((node >= 0) != (co->node >= 0) || !looking != !co->looking || !co->state_us)
        co->state_us = kfk_clock_us();
    co->node = node;
    co->looking = looking;
}

static void back_off(kfk_coord *co) {
    co->retry_at = kfk_io_now(co->io) +
                   kfk_backoff_ms(co->backoff_ms, co->backoff_max_ms, co->attempts++,
                                  kfk_io_rng(co->io));
}

static void finish(kfk_cop *op, int err) {
    kfk_list_remove(&op->link);
    op->on_done(op, err);
}

static int on_find(void *opaque, kfk_response *resp) {
    kfk_coord *co = opaque;
    set_state(co, co->node, 0);
    int err = resp->err, node = -1;
    if (!err) {
        kfk_arena a = {0};
        kfk_find_coordinator_response m;
        err = kfk_find_coordinator_response_decode(&resp->body, resp->version, &a, &m);
        if (!err && resp->version >= 4) {
            err = m.coordinators.count == 1 ? m.coordinators.items[0].error_code
                                            : KFK_ERR_MALFORMED;
            if (!err) node = m.coordinators.items[0].node_id;
        } else if (!err) {
            err = m.error_code;
            node = m.node_id;
        }
        kfk_arena_reset(&a);
    }
    if (!err) {
        set_state(co, node, co->looking);
        co->attempts = 0;
        co->retry_at = 0;
    } else {
        back_off(co);
    }
    pump(co);
    return err == KFK_ERR_MALFORMED ? err : 0;
}

static void find(kfk_coord *co) {
    set_state(co, co->node, 1);
    kfk_find_coordinator_request_init(&co->find_msg);
    co->find_msg.key = co->group;
    co->find_msg.key_type = co->key_type;
    co->find_msg.coordinator_keys.items = &co->group;
    co->find_msg.coordinator_keys.count = 1;
    co->find_req = (kfk_core_req){.dest = KFK_DEST_ANY};
    co->find_req.req = (kfk_request){.api_key = KFK_API_FIND_COORDINATOR, .min_version = 1,
                                     .max_version = -1, .msg = &co->find_msg, .cb = on_find,
                                     .opaque = co};
    if (kfk_core_send(co->core, &co->find_req)) set_state(co, co->node, 0);
}

static int on_op_response(void *opaque, kfk_response *resp) {
    kfk_cop *op = opaque;
    kfk_coord *co = op->co;
    int err = resp->err ? resp->err : op->on_response(op, resp);
    if (kfk_coord_retriable(err) && kfk_io_now(co->io) < op->deadline) {
        /* Loading is the right broker being slow; the rest mean another. */
        if (err != KFK_ERR_COORDINATOR_LOAD_IN_PROGRESS) kfk_coord_forget(co);
        /* NOENT: the coordinator is not among the brokers known yet. */
        if (err == KFK_ERR_NOENT) kfk_core_metadata_refresh(co->core, NULL, 0);
        back_off(co);
        kfk_list_insert_tail(&co->waiting, &op->link);
        pump(co);
        return 0;
    }
    op->on_done(op, err);
    return err == KFK_ERR_MALFORMED ? err : 0;
}

static void on_timer(kfk_timer *t, int64_t now) { pump(KFK_CONTAINER_OF(t, kfk_coord, timer)); }

/* Fails what is past its deadline, then looks up the coordinator or sends
 * what waits, and arms the timer for what is left. */
static void pump(kfk_coord *co) {
    int64_t now = kfk_io_now(co->io), wake = INT64_MAX;
    for (kfk_list *e = co->waiting.next, *next; e != &co->waiting; e = next) {
        next = e->next;
        kfk_cop *op = KFK_CONTAINER_OF(e, kfk_cop, link);
        if (op->deadline <= now) finish(op, KFK_ERR_TIMED_OUT);
    }
    if (kfk_list_empty(&co->waiting)) return;
    if (now < co->retry_at) {
        wake = co->retry_at;
    } else if (co->node < 0) {
        if (!co->looking) find(co);
    } else {
        while (!kfk_list_empty(&co->waiting)) {
            kfk_cop *op = KFK_CONTAINER_OF(co->waiting.next, kfk_cop, link);
            kfk_list_remove(&op->link);
            op->r.dest = KFK_DEST_NODE;
            op->r.node_id = co->node;
            op->r.req.cb = on_op_response;
            op->r.req.opaque = op;
            int64_t left = op->deadline - now;
            if (op->request_timeout_ms > 0 && op->request_timeout_ms < left)
                left = op->request_timeout_ms;
            op->r.req.timeout_ms = (int32_t)left;
            if (kfk_core_send(co->core, &op->r)) op->on_done(op, KFK_ERR_DESTROYED);
        }
        return;
    }
    for (kfk_list *e = co->waiting.next; e != &co->waiting; e = e->next) {
        int64_t d = KFK_CONTAINER_OF(e, kfk_cop, link)->deadline;
        if (d < wake) wake = d;
    }
    if (!co->timer_added && kfk_io_timer_add(co->io, &co->timer, on_timer) == 0)
        co->timer_added = 1;
    if (co->timer_added) kfk_io_timer_set(co->io, &co->timer, wake);
}

void kfk_coord_submit(kfk_coord *co, kfk_cop *op) {
    op->co = co;
    kfk_list_insert_tail(&co->waiting, &op->link);
    pump(co);
}

void kfk_coord_forget(kfk_coord *co) { set_state(co, -1, co->looking); }

void kfk_coord_fail_all(kfk_coord *co, int err) {
    while (!kfk_list_empty(&co->waiting))
        finish(KFK_CONTAINER_OF(co->waiting.next, kfk_cop, link), err);
}
