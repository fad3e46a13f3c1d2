/* The consumer group protocol (KIP-848, group.protocol=consumer). The
 * member sends ConsumerGroupHeartbeat with its subscription and the
 * partitions it holds; the broker assigns, and answers with the member's
 * epoch and, when it changed, the partitions the member is to hold (by
 * topic id). The member reconciles: one rebalance event revokes what went
 * and assigns what came (run on the poll thread, group_ev.c), and the
 * heartbeat right after its ack reports the new set, which lets the broker
 * hand revoked partitions to their next owner.
 *
 *   JOIN (epoch 0) --answer--> STABLE --assignment changed--> APP --acked--> STABLE
 *   UNKNOWN_MEMBER_ID, FENCED_MEMBER_EPOCH: partitions lost, JOIN again
 *   leave: epoch -1 (-2 for a static member)
 *
 * Regular expressions are matched here against metadata and sent as
 * names, which every broker version takes. I/O thread. */
#include <string.h>

#include "consumer/consumer_int.h"
#include "core/alloc.h"
#include "net/backoff.h"

struct kfk_gtarget {
    kfk_uuid id;
    int32_t *parts;
    int32_t n;
};

typedef struct hop {
    kfk_cop cop;
    kfk_consumer *c;
    uint32_t epoch;
    int handled;
    int leaving;
    void (*leave_done)(kfk_consumer *c);
    kfk_arena a;
    kfk_consumer_group_heartbeat_request m;
} hop;

void kfk_cgroup_reset(kfk_group *g) {
    kfk_arena_reset(&g->ta);
    g->target = NULL;
    g->ntarget = g->target_new = 0;
    kfk_partition_list_destroy(g->reported);
    g->reported = NULL;
}

/* Since KIP-1082 the member names itself: a random UUID in the Java
 * client's form (16 bytes in URL-safe base64, unpadded: 22 characters). */
void kfk_member_id_random(uint64_t *rng, char id[23]) {
    static const char b64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    uint8_t b[18] = {0};
    for (int i = 0; i < 16; i += 8) {
        uint64_t r = kfk_rand_next(rng);
        memcpy(b + i, &r, 8);
    }
    int o = 0;
    for (int i = 0; i < 16; i += 3) {
        uint32_t v = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8 | b[i + 2];
        for (int k = 18; k >= 0 && o < 22; k -= 6) id[o++] = b64[(v >> k) & 63];
    }
    id[22] = 0;
}

static void new_member_id(kfk_consumer *c) {
    char id[23];
    kfk_member_id_random(kfk_io_rng(c->io), id);
    kfk_group_set_member_id(&c->group, (kfk_str){id, 22});
}

static const kfk_md_topic *topic_by_id(const kfk_metadata *md, kfk_uuid id) {
    for (int32_t i = 0; md && i < md->ntopics; i++)
        if (kfk_uuid_eq(&md->topics[i].id, &id)) return &md->topics[i];
    return NULL;
}

/* ------------------------------------------------------------ reconcile */

static void keep_target(kfk_group *g, const kfk_consumer_group_heartbeat_response_assignment *as) {
    kfk_arena_reset(&g->ta);
    g->ntarget = 0;
    g->target_new = 1;
    int32_t n = as->topic_partitions.count;
    g->target = n > 0 ? kfk_arena_array(&g->ta, (size_t)n, sizeof *g->target) : NULL;
    for (int32_t i = 0; g->target && i < n; i++) {
        const kfk_consumer_group_heartbeat_response_topic_partitions *t =
            &as->topic_partitions.items[i];
        struct kfk_gtarget *e = &g->target[g->ntarget];
        e->id = t->topic_id;
        e->n = t->partitions.count > 0 ? t->partitions.count : 0;
        e->parts = kfk_arena_array(&g->ta, (size_t)(e->n ? e->n : 1), sizeof *e->parts);
        if (!e->parts) break;
        memcpy(e->parts, t->partitions.items, (size_t)e->n * sizeof *e->parts);
        g->ntarget++;
    }
    if (g->ntarget < n) { /* out of memory: a part would revoke the rest; keep what is held */
        kfk_arena_reset(&g->ta);
        g->target = NULL;
        g->ntarget = g->target_new = 0;
    }
}

/* The target by name once metadata knows every topic id (else a refresh
 * is asked for and the next step tries again); then one event for what
 * went and what came. */
static void reconcile(kfk_consumer *c) {
    kfk_group *g = &c->group;
    kfk_metadata *md = kfk_core_metadata(c->core);
    kfk_partition_list *want = kfk_partition_list_new(16);
    int missing = 0;
    for (int32_t i = 0; want && i < g->ntarget; i++) {
        const kfk_md_topic *t = topic_by_id(md, g->target[i].id);
        missing |= !t;
        for (int32_t j = 0; t && want && j < g->target[i].n; j++)
            if (!kfk_partition_list_add(want, t->name, g->target[i].parts[j])) {
                kfk_partition_list_destroy(want);
                want = NULL;
            }
    }
    kfk_metadata_unref(md);
    if (!want || missing) {
        kfk_partition_list_destroy(want);
        if (missing) kfk_core_metadata_refresh(c->core, NULL, -1);
        return;
    }
    g->target_new = 0;
    kfk_partition_list *revoke = kfk_plist_nonempty(kfk_plist_minus(g->owned, want));
    kfk_partition_list *assign = kfk_plist_nonempty(kfk_plist_minus(want, g->owned));
    kfk_partition_list_destroy(g->owned);
    g->owned = want;
    if (!revoke && !assign) return;
    kfk_cstats_rebalance_start(c);
    pthread_mutex_lock(&c->lock);
    c->stats.rebalances++;
    c->rebalance_us = kfk_clock_us();
    pthread_mutex_unlock(&c->lock);
    kfk_group_queue_event(c, revoke, assign, 0, 0);
    g->state = KFK_G_APP;
}

void kfk_cgroup_acked(kfk_consumer *c) {
    kfk_group *g = &c->group;
    kfk_partition_list_destroy(g->reported);
    g->reported = g->owned ? kfk_partition_list_copy(g->owned) : NULL;
    if (g->state == KFK_G_APP) g->state = KFK_G_STABLE;
    kfk_cstats_rebalance_done(c); /* as Java: the assignment reconciled */
    g->hb_now = 1;
    kfk_group_run(c);
}

/* ------------------------------------------------------------- requests */

/* The subscription as names: those given, then the regular expressions'
 * matches. */
static int fill_names(kfk_group *g, kfk_consumer_group_heartbeat_request *m, kfk_arena *a) {
    int cap = (g->sub ? g->sub->n : 0) + g->ntopics;
    m->subscribed_topic_names.items = kfk_arena_array(a, (size_t)(cap ? cap : 1), sizeof(kfk_str));
    if (!m->subscribed_topic_names.items) return KFK_ERR_NOMEM;
    m->subscribed_topic_names.count = 0;
    for (int i = 0; g->sub && i < g->sub->n; i++)
        if (g->sub->names[i][0] != '^')
            m->subscribed_topic_names.items[m->subscribed_topic_names.count++] =
                kfk_arena_str(a, g->sub->names[i]); /* a retry may outlive the subscription */
    for (int i = 0; i < g->ntopics; i++) {
        int dup = 0;
        for (int j = 0; j < m->subscribed_topic_names.count && !dup; j++)
            dup = strcmp(m->subscribed_topic_names.items[j].ptr, g->topics[i]) == 0;
        if (!dup)
            m->subscribed_topic_names.items[m->subscribed_topic_names.count++] =
                kfk_arena_str(a, g->topics[i]);
    }
    return 0;
}

/* What the application holds, by topic id. */
static int fill_owned(kfk_consumer *c, kfk_consumer_group_heartbeat_request *m, kfk_arena *a) {
    const kfk_partition_list *l = c->group.state == KFK_G_JOIN ? NULL : c->group.reported;
    int n = l ? l->count : 0;
    m->topic_partitions.items = kfk_arena_array(a, (size_t)(n ? n : 1), sizeof *m->topic_partitions.items);
    if (!m->topic_partitions.items) return KFK_ERR_NOMEM;
    m->topic_partitions.count = 0;
    kfk_metadata *md = n ? kfk_core_metadata(c->core) : NULL;
    for (int i = 0; i < n; i++) {
        const kfk_md_topic *t = kfk_metadata_topic(md, l->elems[i].topic);
        if (!t) continue; /* gone: nothing to report */
        kfk_consumer_group_heartbeat_request_topic_partitions *e = NULL;
        for (int32_t j = 0; j < m->topic_partitions.count && !e; j++)
            if (kfk_uuid_eq(&m->topic_partitions.items[j].topic_id, &t->id))
                e = &m->topic_partitions.items[j];
        if (!e) {
            e = &m->topic_partitions.items[m->topic_partitions.count++];
            e->topic_id = t->id;
            e->partitions.items = kfk_arena_array(a, (size_t)n, sizeof(int32_t));
            e->partitions.count = 0;
            if (!e->partitions.items) {
                kfk_metadata_unref(md);
                return KFK_ERR_NOMEM;
            }
        }
        e->partitions.items[e->partitions.count++] = l->elems[i].partition;
    }
    kfk_metadata_unref(md);
    return 0;
}

static void lose(kfk_consumer *c, int err) {
    kfk_group *g = &c->group;
    kfk_consumer_log(c, "group %s: %s, partitions lost", c->cc.group_id, kfk_err_name(err));
    g->epoch++;
    kfk_group_give_up(c, 1, 0);
    kfk_group_set_generation(c, 0);
    g->state = KFK_G_JOIN;
    g->next_join = 0;
}

/* Errors that retrying cannot fix: the application is told, and the
 * member stops. */
static int fatal(int err) {
    return err == KFK_ERR_UNRELEASED_INSTANCE_ID || err == KFK_ERR_FENCED_INSTANCE_ID ||
           err == KFK_ERR_GROUP_AUTHORIZATION_FAILED || err == KFK_ERR_UNSUPPORTED_ASSIGNOR ||
           err == KFK_ERR_GROUP_MAX_SIZE_REACHED || err == KFK_ERR_INVALID_REQUEST ||
           err == KFK_ERR_UNSUPPORTED_VERSION || err == KFK_ERR_INVALID_REGULAR_EXPRESSION;
}

static void hb_result(kfk_consumer *c, int err, const kfk_consumer_group_heartbeat_response *m) {
    kfk_group *g = &c->group;
    int64_t now = kfk_io_now(c->io);
    g->hb_busy = 0;
    KFK_C_DBG(c, KFK_DBG_CGRP, "group %s: ConsumerGroupHeartbeat: %s, member epoch %d%s",
              c->cc.group_id, kfk_err_name(err), m && !err ? (int)m->member_epoch : -1,
              m && !err && m->assignment ? ", new assignment" : "");
    if (!err) {
        g->attempts = 0;
        if (m->member_id.len > 0) kfk_group_set_member_id(g, m->member_id);
        kfk_group_set_generation(c, m->member_epoch);
        if (g->state == KFK_G_JOIN) g->state = g->app_pending ? KFK_G_APP : KFK_G_STABLE;
        if (m->heartbeat_interval_ms > 0) g->hb_interval_ms = m->heartbeat_interval_ms;
        g->next_hb = now + (g->hb_interval_ms > 0 ? g->hb_interval_ms : c->cc.heartbeat_interval_ms);
        if (m->assignment) keep_target(g, m->assignment);
        return;
    }
    if (err == KFK_ERR_UNKNOWN_MEMBER_ID || err == KFK_ERR_FENCED_MEMBER_EPOCH) {
        lose(c, err);
    } else if (fatal(err)) {
        kfk_consumer_log(c, "group %s: ConsumerGroupHeartbeat: %s%s", c->cc.group_id,
                         kfk_err_name(err),
                         err == KFK_ERR_UNSUPPORTED_VERSION
                             ? " (group.protocol=consumer needs a broker with KIP-848 enabled)"
                             : "");
        g->epoch++;
        g->fatal_err = err;
        kfk_group_give_up(c, 1, err);
        g->state = KFK_G_FATAL;
    } else {
        if (err != KFK_ERR_REBALANCE_IN_PROGRESS)
            kfk_consumer_log(c, "group %s: ConsumerGroupHeartbeat: %s", c->cc.group_id,
                             kfk_err_name(err));
        int64_t at = now + kfk_group_backoff(c);
        g->next_hb = at;
        g->next_join = at;
    }
}

static int on_response(kfk_cop *cop, kfk_response *resp) {
    hop *op = KFK_CONTAINER_OF(cop, hop, cop);
    kfk_arena a = {0};
    kfk_consumer_group_heartbeat_response m;
    int err = kfk_consumer_group_heartbeat_response_decode(&resp->body, resp->version, &a, &m);
    if (!err && m.error_code && kfk_coord_retriable(m.error_code)) err = m.error_code;
    if (!err) {
        op->handled = 1;
        if (!op->leaving && op->epoch == op->c->group.epoch) hb_result(op->c, m.error_code, &m);
    }
    kfk_arena_reset(&a);
    return err;
}

static void on_done(kfk_cop *cop, int err) {
    hop *op = KFK_CONTAINER_OF(cop, hop, cop);
    kfk_consumer *c = op->c;
    int current = err != KFK_ERR_DESTROYED && !op->leaving && op->epoch == c->group.epoch;
    if (!err && !op->handled) err = KFK_ERR_MALFORMED;
    /* The one heartbeat out; one for an older epoch is dropped but ends. */
    if (!op->leaving) c->group.hb_busy = 0;
    if (current && !op->handled) hb_result(c, err, NULL);
    if (op->leaving && op->leave_done) op->leave_done(c);
    kfk_arena_reset(&op->a);
    kfk_free(op);
    /* An answer can call for the next step (reconcile, join again) now. */
    if (current) kfk_group_run(c);
}

static hop *hop_new(kfk_consumer *c, int32_t epoch) {
    kfk_group *g = &c->group;
    hop *op = kfk_calloc(1, sizeof *op);
    if (!op) return NULL;
    op->c = c;
    op->epoch = g->epoch;
    op->cop.on_response = on_response;
    op->cop.on_done = on_done;
    op->cop.deadline = kfk_io_now(c->io) + c->cc.request_timeout_ms;
    op->cop.request_timeout_ms = c->cc.request_timeout_ms;
    if (!g->member_id) new_member_id(c);
    kfk_consumer_group_heartbeat_request *m = &op->m;
    kfk_consumer_group_heartbeat_request_init(m);
    m->group_id = kfk_str_of(c->cc.group_id);
    m->member_id = kfk_arena_str(&op->a, g->member_id);
    m->member_epoch = epoch;
    m->instance_id = kfk_str_of(c->cc.instance_id);
    op->cop.r.req = (kfk_request){.api_key = KFK_API_CONSUMER_GROUP_HEARTBEAT, .min_version = 0,
                                  .max_version = -1, .msg = m};
    return op;
}

/* Every field, every time: a heartbeat lost on the way then costs nothing. */
static void send_heartbeat(kfk_consumer *c) {
    kfk_group *g = &c->group;
    hop *op = hop_new(c, g->state == KFK_G_JOIN ? 0 : g->generation);
    if (!op) {
        hb_result(c, KFK_ERR_NOMEM, NULL);
        return;
    }
    kfk_consumer_group_heartbeat_request *m = &op->m;
    m->rack_id = kfk_str_of(*c->cc.rack ? c->cc.rack : NULL);
    m->rebalance_timeout_ms = c->cc.max_poll_interval_ms;
    m->server_assignor = kfk_str_of(c->cc.remote_assignor);
    if (fill_names(g, m, &op->a) || fill_owned(c, m, &op->a)) {
        on_done(&op->cop, KFK_ERR_NOMEM);
        return;
    }
    KFK_C_DBG(c, KFK_DBG_CGRP, "group %s: ConsumerGroupHeartbeat (member epoch %d)",
              c->cc.group_id, (int)m->member_epoch);
    kfk_coord_submit(&c->coord, &op->cop);
}

void kfk_cgroup_send_leave(kfk_consumer *c, void (*done)(kfk_consumer *c)) {
    hop *op = hop_new(c, c->cc.instance_id ? -2 : -1);
    if (!op) {
        if (done) done(c);
        return;
    }
    op->leaving = 1;
    op->leave_done = done;
    kfk_coord_submit(&c->coord, &op->cop);
}

void kfk_cgroup_step(kfk_consumer *c, int64_t now, int64_t *wake) {
    kfk_group *g = &c->group;
    if (g->target_new && !g->app_pending && g->state != KFK_G_JOIN) reconcile(c);
    if (g->hb_busy) return;
    int64_t due = g->state == KFK_G_JOIN ? g->next_join : g->hb_now ? now : g->next_hb;
    if (now < due) {
        if (due < *wake) *wake = due;
        return;
    }
    g->hb_busy = 1;
    g->hb_now = 0;
    send_heartbeat(c);
}
