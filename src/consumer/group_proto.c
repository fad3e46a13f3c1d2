/* The classic group requests, sent through the coordinator (coord.h):
 * building JoinGroup, SyncGroup, Heartbeat and LeaveGroup, and decoding
 * their answers for group.c. Coordinator errors are left to coord.c to
 * retry; answers to an older join (epoch) are dropped. I/O thread. */
#include <string.h>

#include "consumer/consumer_int.h"
#include "core/alloc.h"

enum gop_kind { GOP_JOIN, GOP_SYNC, GOP_HEARTBEAT, GOP_LEAVE };

typedef struct gop {
    kfk_cop cop;
    kfk_consumer *c;
    enum gop_kind kind;
    uint32_t epoch;
    int handled; /* the answer reached group.c */
    void (*leave_done)(kfk_consumer *c);
    kfk_arena a; /* the request's strings and arrays */
    union {
        kfk_join_group_request join;
        kfk_sync_group_request sync;
        kfk_heartbeat_request hb;
        kfk_leave_group_request leave;
    } m;
    kfk_leave_group_request_member_identity who;
} gop;

static kfk_bytes bytes_copy(kfk_arena *a, const kfk_wbuf *w) {
    uint8_t *d = kfk_arena_alloc(a, w->len ? w->len : 1);
    if (!d) return (kfk_bytes){NULL, -1};
    if (w->len) memcpy(d, w->data, w->len);
    return (kfk_bytes){d, (int32_t)w->len};
}

static int retried(int err) { return err && kfk_coord_retriable(err); }

static int join_response(gop *op, kfk_response *resp) {
    kfk_consumer *c = op->c;
    kfk_arena a = {0};
    kfk_join_group_response m;
    int err = kfk_join_group_response_decode(&resp->body, resp->version, &a, &m);
    if (!err && retried(m.error_code)) err = m.error_code;
    if (!err) {
        op->handled = 1;
        int leader = m.leader.len == m.member_id.len && m.leader.len > 0 &&
                     memcmp(m.leader.ptr, m.member_id.ptr, (size_t)m.leader.len) == 0;
        int e = m.error_code;
        if (op->epoch == c->group.epoch) {
            if (!e && leader)
                e = kfk_group_keep_members(&c->group, m.members.items, m.members.count);
            kfk_group_joined(c, e, m.generation_id, m.member_id, m.protocol_name, leader,
                             m.skip_assignment);
        }
    }
    kfk_arena_reset(&a);
    return err;
}

/* The assignment as a partition list, each offset KFK_OFFSET_STORED. */
static int decode_assignment(kfk_bytes b, kfk_partition_list **out) {
    kfk_arena a = {0};
    kfk_assignment as = {0};
    int err = b.len > 0 ? kfk_assignment_decode(b.ptr, (size_t)b.len, &a, &as) : 0;
    kfk_partition_list *l = err ? NULL : kfk_partition_list_new(16);
    if (!err && !l) err = KFK_ERR_NOMEM;
    for (int32_t i = 0; !err && i < as.nparts; i++) {
        char topic[256];
        const kfk_assign_owned *t = &as.parts[i];
        if (t->topic.len <= 0 || t->topic.len >= (int32_t)sizeof topic) continue;
        memcpy(topic, t->topic.ptr, (size_t)t->topic.len);
        topic[t->topic.len] = 0;
        for (int32_t j = 0; !err && j < t->count; j++)
            if (!kfk_partition_list_add(l, topic, t->partitions[j])) err = KFK_ERR_NOMEM;
    }
    kfk_arena_reset(&a);
    if (err) {
        kfk_partition_list_destroy(l);
        l = NULL;
    }
    *out = l;
    return err;
}

static int sync_response(gop *op, kfk_response *resp) {
    kfk_consumer *c = op->c;
    kfk_arena a = {0};
    kfk_sync_group_response m;
    int err = kfk_sync_group_response_decode(&resp->body, resp->version, &a, &m);
    if (!err && retried(m.error_code)) err = m.error_code;
    if (!err) {
        op->handled = 1;
        kfk_partition_list *l = NULL;
        int e = m.error_code ? m.error_code : decode_assignment(m.assignment, &l);
        if (op->epoch == c->group.epoch)
            kfk_group_synced(c, e, l);
        else
            kfk_partition_list_destroy(l);
    }
    kfk_arena_reset(&a);
    return err;
}

static int heartbeat_response(gop *op, kfk_response *resp) {
    kfk_arena a = {0};
    kfk_heartbeat_response m;
    int err = kfk_heartbeat_response_decode(&resp->body, resp->version, &a, &m);
    if (!err && retried(m.error_code)) err = m.error_code;
    if (!err) {
        op->handled = 1;
        if (op->epoch == op->c->group.epoch)
            kfk_group_heartbeat_result(op->c, op->m.hb.generation_id, m.error_code);
    }
    kfk_arena_reset(&a);
    return err;
}

static int leave_response(gop *op, kfk_response *resp) {
    kfk_arena a = {0};
    kfk_leave_group_response m;
    int err = kfk_leave_group_response_decode(&resp->body, resp->version, &a, &m);
    if (!err && retried(m.error_code)) err = m.error_code;
    kfk_arena_reset(&a);
    return err;
}

static int on_response(kfk_cop *cop, kfk_response *resp) {
    gop *op = KFK_CONTAINER_OF(cop, gop, cop);
    switch (op->kind) {
    case GOP_JOIN: return join_response(op, resp);
    case GOP_SYNC: return sync_response(op, resp);
    case GOP_HEARTBEAT: return heartbeat_response(op, resp);
    case GOP_LEAVE: return leave_response(op, resp);
    }
    return 0;
}

/* The end of an op; errors that never reached group.c go there now. */
static void on_done(kfk_cop *cop, int err) {
    gop *op = KFK_CONTAINER_OF(cop, gop, cop);
    kfk_consumer *c = op->c;
    int current = err != KFK_ERR_DESTROYED && op->epoch == c->group.epoch;
    int live = current && !op->handled;
    if (!err && !op->handled) err = KFK_ERR_MALFORMED;
    switch (op->kind) {
    case GOP_JOIN:
        if (live) kfk_group_joined(c, err, -1, (kfk_str){NULL, -1}, (kfk_str){NULL, -1}, 0, 0);
        break;
    case GOP_SYNC:
        if (live) kfk_group_synced(c, err, NULL);
        break;
    case GOP_HEARTBEAT:
        /* The one heartbeat out: an answer to an older join is dropped,
         * but the next heartbeat must not wait for it forever. */
        c->group.hb_busy = 0;
        if (live) kfk_group_heartbeat_result(c, op->m.hb.generation_id, err);
        break;
    case GOP_LEAVE:
        if (op->leave_done) op->leave_done(c);
        break;
    }
    /* The next step (join again, lead, heartbeat) goes now, not at the
     * group timer's next look. */
    int step = current && (op->kind == GOP_JOIN || op->kind == GOP_SYNC);
    kfk_arena_reset(&op->a);
    kfk_free(op);
    if (step) kfk_group_run(c);
}

static gop *gop_new(kfk_consumer *c, enum gop_kind kind, int32_t timeout_ms) {
    gop *op = kfk_calloc(1, sizeof *op);
    if (!op) return NULL;
    op->c = c;
    op->kind = kind;
    op->epoch = c->group.epoch;
    op->cop.on_response = on_response;
    op->cop.on_done = on_done;
    op->cop.deadline = kfk_io_now(c->io) + timeout_ms;
    return op;
}

static void submit(gop *op, int16_t api, int16_t min_version, void *msg) {
    KFK_C_DBG(op->c, KFK_DBG_CGRP, "group %s: %s (generation %d)", op->c->cc.group_id,
              api == KFK_API_JOIN_GROUP   ? "JoinGroup"
              : api == KFK_API_SYNC_GROUP ? "SyncGroup"
              : api == KFK_API_HEARTBEAT  ? "Heartbeat"
                                          : "LeaveGroup",
              (int)op->c->group.generation);
    op->cop.r.req =
        (kfk_request){.api_key = api, .min_version = min_version, .max_version = -1, .msg = msg};
    kfk_coord_submit(&op->c->coord, &op->cop);
}

/* A JoinGroup or SyncGroup can wait at the coordinator for the whole
 * rebalance, as the Java client allows for. */
static int32_t rebalance_wait(kfk_consumer *c) {
    int64_t t = (int64_t)c->cc.max_poll_interval_ms + 5000;
    if (t < c->cc.request_timeout_ms) t = c->cc.request_timeout_ms;
    return t > INT32_MAX ? INT32_MAX : (int32_t)t;
}

void kfk_group_send_join(kfk_consumer *c) {
    kfk_group *g = &c->group;
    kfk_cstats_rebalance_start(c);
    gop *op = gop_new(c, GOP_JOIN, rebalance_wait(c));
    if (!op) {
        kfk_group_joined(c, KFK_ERR_NOMEM, -1, (kfk_str){NULL, -1}, (kfk_str){NULL, -1}, 0, 0);
        return;
    }
    kfk_join_group_request *m = &op->m.join;
    kfk_join_group_request_init(m);
    m->group_id = kfk_str_of(c->cc.group_id);
    m->session_timeout_ms = c->cc.session_timeout_ms;
    m->rebalance_timeout_ms = c->cc.max_poll_interval_ms;
    m->member_id = kfk_arena_str(&op->a, g->member_id);
    m->group_instance_id = kfk_str_of(c->cc.instance_id);
    m->protocol_type = kfk_str_of("consumer");
    m->protocols.items = kfk_arena_array(&op->a, KFK_MAX_ASSIGNORS, sizeof *m->protocols.items);
    int err = m->protocols.items ? 0 : KFK_ERR_NOMEM;
    for (int i = 0; !err && i < c->cc.nassignors; i++) {
        const kfk_assignor *a = c->cc.assignors[i];
        kfk_wbuf w = {0};
        err = kfk_group_subscription(g, a, c->cc.rack, &w);
        kfk_join_group_request_protocol *p = &m->protocols.items[m->protocols.count++];
        p->name = kfk_str_of(a->name);
        p->metadata = bytes_copy(&op->a, &w);
        if (!err && p->metadata.len < 0) err = KFK_ERR_NOMEM;
        kfk_wbuf_free(&w);
    }
    if (err) {
        on_done(&op->cop, err);
        return;
    }
    submit(op, KFK_API_JOIN_GROUP, 2, m);
}

void kfk_group_send_sync(kfk_consumer *c, kfk_wbuf *assignments, int n) {
    kfk_group *g = &c->group;
    gop *op = gop_new(c, GOP_SYNC, rebalance_wait(c));
    if (!op) {
        kfk_group_synced(c, KFK_ERR_NOMEM, NULL);
        return;
    }
    kfk_sync_group_request *m = &op->m.sync;
    kfk_sync_group_request_init(m);
    m->group_id = kfk_str_of(c->cc.group_id);
    m->generation_id = g->generation;
    m->member_id = kfk_arena_str(&op->a, g->member_id);
    m->group_instance_id = kfk_str_of(c->cc.instance_id);
    m->protocol_type = kfk_str_of("consumer");
    m->protocol_name = g->assignor ? kfk_str_of(g->assignor->name) : (kfk_str){NULL, -1};
    if (n) m->assignments.items = kfk_arena_array(&op->a, (size_t)n, sizeof *m->assignments.items);
    for (int i = 0; m->assignments.items && i < n; i++) {
        kfk_sync_group_request_assignment *e = &m->assignments.items[m->assignments.count++];
        e->member_id = g->members[i].member_id; /* in g->ra, kept until the answer */
        e->assignment = bytes_copy(&op->a, &assignments[i]);
    }
    if (n && !m->assignments.items) {
        on_done(&op->cop, KFK_ERR_NOMEM);
        return;
    }
    submit(op, KFK_API_SYNC_GROUP, 0, m);
}

void kfk_group_send_heartbeat(kfk_consumer *c) {
    kfk_group *g = &c->group;
    gop *op = gop_new(c, GOP_HEARTBEAT, c->cc.session_timeout_ms);
    if (!op) {
        g->hb_busy = 0;
        return;
    }
    kfk_heartbeat_request *m = &op->m.hb;
    kfk_heartbeat_request_init(m);
    m->group_id = kfk_str_of(c->cc.group_id);
    m->generation_id = g->generation;
    m->member_id = kfk_arena_str(&op->a, g->member_id);
    m->group_instance_id = kfk_str_of(c->cc.instance_id);
    submit(op, KFK_API_HEARTBEAT, 0, m);
}

void kfk_group_send_leave(kfk_consumer *c, void (*done)(kfk_consumer *c)) {
    kfk_group *g = &c->group;
    if (c->cc.consumer_protocol) {
        kfk_cgroup_send_leave(c, done);
        return;
    }
    gop *op = gop_new(c, GOP_LEAVE, c->cc.request_timeout_ms);
    if (!op) {
        if (done) done(c);
        return;
    }
    op->leave_done = done;
    kfk_leave_group_request *m = &op->m.leave;
    kfk_leave_group_request_init(m);
    m->group_id = kfk_str_of(c->cc.group_id);
    m->member_id = kfk_arena_str(&op->a, g->member_id);
    op->who.member_id = m->member_id;
    op->who.group_instance_id = kfk_str_of(c->cc.instance_id);
    op->who.reason = kfk_str_of("the consumer is leaving the group");
    m->members.items = &op->who;
    m->members.count = 1;
    submit(op, KFK_API_LEAVE_GROUP, 0, m);
}
