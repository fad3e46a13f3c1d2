/* The share consumer's I/O thread (share_int.h): one pass (kfk_share_run)
 * after every posted task, response, timer and metadata snapshot takes in
 * what the application handed over, runs the membership (FindCoordinator,
 * ShareGroupHeartbeat: share_member.h decides) and starts each leader's
 * next request (share_fetch.c). Heartbeats go on their timer whether the
 * application polls or not. */
#include <string.h>

#include "core/alloc.h"
#include "proto/gen/messages.h"
#include "share/share_int.h"

/* ------------------------------------------------------------- requests */

kfk_sreq *kfk_sreq_new(kfk_share_consumer *c, int kind) {
    kfk_sreq *rq = kfk_calloc(1, sizeof *rq);
    if (!rq) return NULL;
    rq->c = c;
    rq->kind = kind;
    return rq;
}

void kfk_sreq_free(kfk_sreq *rq) {
    if (!rq) return;
    kfk_arena_reset(&rq->a);
    kfk_free(rq);
}

int kfk_sreq_send(kfk_sreq *rq, int16_t api, const void *msg, int32_t node, int32_t timeout_ms,
                  kfk_response_fn cb) {
    rq->node = node;
    rq->r.req = (kfk_request){.api_key = api, .min_version = rq->min_version, .max_version = -1, .msg = msg,
                              .timeout_ms = timeout_ms, .cb = cb, .opaque = rq};
    rq->r.dest = node < 0 ? KFK_DEST_ANY : KFK_DEST_NODE;
    rq->r.node_id = node;
    int err = kfk_core_send(rq->c->core, &rq->r);
    if (err) kfk_sreq_free(rq);
    return err;
}

/* ------------------------------------------------------------- wake-ups */

void kfk_share_task(kfk_io *io, kfk_task *t, int err) {
    (void)io;
    kfk_share_consumer *c = KFK_CONTAINER_OF(t, kfk_share_consumer, task);
    atomic_store(&c->posted, 0);
    if (!err) kfk_share_run(c);
}

void kfk_share_post(kfk_share_consumer *c) {
    if (atomic_exchange(&c->posted, 1)) return;
    if (kfk_io_post(c->io, &c->task)) atomic_store(&c->posted, 0);
}

static void on_timer(kfk_timer *t, int64_t now) {
    (void)now;
    kfk_share_run(KFK_CONTAINER_OF(t, kfk_share_consumer, timer));
}

static void on_metadata(void *opaque) {
    kfk_share_consumer *c = opaque;
    kfk_share_resolve(c);
    kfk_share_run(c);
}

void kfk_share_refresh(kfk_share_consumer *c) {
    kfk_core_metadata_refresh(c->core, (const char *const *)c->io_topics, c->io_ntopics);
}

/* ------------------------------------------------------------ partitions */

kfk_spart *kfk_share_part(kfk_share_consumer *c, const kfk_uuid *id, int32_t partition) {
    for (int i = 0; i < c->nparts; i++)
        if (c->parts[i]->tp.partition == partition && kfk_uuid_eq(&c->parts[i]->tp.topic_id, id))
            return c->parts[i];
    return NULL;
}

static kfk_spart *part_add(kfk_share_consumer *c, const kfk_uuid *id, int32_t partition) {
    if (c->nparts == c->cap) {
        int cap = c->cap ? c->cap * 2 : 16;
        kfk_spart **v = kfk_realloc(c->parts, (size_t)cap * sizeof *v);
        if (!v) return NULL;
        c->parts = v;
        c->cap = cap;
    }
    kfk_spart *p = kfk_calloc(1, sizeof *p);
    if (!p) return NULL;
    *p = (kfk_spart){.tp = {*id, partition}, .leader = -1};
    c->parts[c->nparts++] = p;
    return p;
}

/* The new assignment replaces the old; partitions dropped keep their
 * pending acknowledgements until they are sent (and their objects, which
 * messages point at, until destroy). */
static int assign(kfk_share_consumer *c, const kfk_share_group_heartbeat_response_assignment *a) {
    for (int i = 0; i < c->nparts; i++) c->parts[i]->assigned = 0;
    for (int i = 0; i < a->topic_partitions.count; i++) {
        const kfk_share_group_heartbeat_response_topic_partitions *t = &a->topic_partitions.items[i];
        for (int j = 0; j < t->partitions.count; j++) {
            kfk_spart *p = kfk_share_part(c, &t->topic_id, t->partitions.items[j]);
            if (!p) p = part_add(c, &t->topic_id, t->partitions.items[j]);
            if (!p) return KFK_ERR_NOMEM;
            p->assigned = 1;
        }
    }
    return 0;
}

/* Names and leaders from the current metadata; asks for a refresh when a
 * partition lacks either. */
void kfk_share_resolve(kfk_share_consumer *c) {
    kfk_metadata *md = kfk_core_metadata(c->core);
    int missing = !md && c->nparts;
    for (int i = 0; md && i < c->nparts; i++) {
        kfk_spart *p = c->parts[i];
        if (!p->assigned && !p->acks.n) continue;
        const kfk_md_topic *t = NULL;
        for (int k = 0; k < md->ntopics && !t; k++)
            if (kfk_uuid_eq(&md->topics[k].id, &p->tp.topic_id)) t = &md->topics[k];
        p->leader = -1;
        if (!t) {
            missing = 1;
            continue;
        }
        if (!p->topic) p->topic = kfk_strndup(t->name, strlen(t->name));
        for (int k = 0; k < t->npartitions; k++)
            if (t->partitions[k].id == p->tp.partition) p->leader = t->partitions[k].leader;
        if (p->leader < 0) missing = 1;
    }
    if (md) kfk_metadata_unref(md);
    if (missing) kfk_share_refresh(c);
}

/* -------------------------------------------------------------- results */

static void add_results(kfk_partition_list **to, const kfk_partition_list *res) {
    if (!*to) *to = kfk_partition_list_new(res->count);
    for (int i = 0; *to && i < res->count; i++) {
        kfk_partition *e = kfk_partition_list_add(*to, res->elems[i].topic, res->elems[i].partition);
        if (e) {
            e->offset = KFK_OFFSET_INVALID;
            e->err = res->elems[i].err;
        }
    }
}

void kfk_share_results(kfk_share_consumer *c, kfk_partition_list *res, int to) {
    if (!res || !res->count) return;
    pthread_mutex_lock(&c->lock);
    if (to == KFK_SRES_SYNC) {
        add_results(&c->sync_res, res);
    } else {
        add_results(&c->cb_res, res);
        if (c->cb_res) atomic_store_explicit(&c->cb_ready, 1, memory_order_relaxed);
        /* A ShareFetch's acknowledgements were pending when a
         * commit_sync that waits was asked (they went out before it): it
         * reports them too. */
        if (to == KFK_SRES_FETCH && c->sync_seq > c->commit_done) add_results(&c->sync_res, res);
    }
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

void kfk_share_renewals(kfk_share_consumer *c, kfk_sreq *rq, const kfk_spart *p, int err) {
    pthread_mutex_lock(&c->lock);
    if (!rq) c->renew_lost = 1;
    for (int i = 0; rq && i < rq->nrenews; i++) {
        kfk_srenew *r = &rq->renews[i];
        if (r->done || (p && r->p != p)) continue;
        r->done = 1;
        if (c->nrenewed == c->caprenewed) {
            int cap = c->caprenewed ? c->caprenewed * 2 : 8;
            kfk_srenew *v = kfk_realloc(c->renewed, (size_t)cap * sizeof *v);
            if (!v) { /* the application gives up on every renewal it waits for */
                c->renew_lost = 1;
                continue;
            }
            c->renewed = v;
            c->caprenewed = cap;
        }
        c->renewed[c->nrenewed++] = (kfk_srenew){r->p, r->first, r->last, err, 1};
    }
    atomic_store_explicit(&c->renew_ready, 1, memory_order_relaxed);
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

static void publish_fatal(kfk_share_consumer *c, int err) {
    pthread_mutex_lock(&c->lock);
    if (!c->fatal) c->fatal = err;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

/* ------------------------------------------------------------ membership */

static int on_coordinator(void *opaque, kfk_response *resp) {
    kfk_sreq *rq = opaque;
    kfk_share_consumer *c = rq->c;
    int err = resp->err;
    int32_t node = -1;
    if (!err) {
        kfk_arena a = {0};
        kfk_find_coordinator_response r;
        err = kfk_find_coordinator_response_decode(&resp->body, resp->version, &a, &r);
        if (!err && r.coordinators.count > 0) {
            err = r.coordinators.items[0].error_code;
            node = r.coordinators.items[0].node_id;
        } else if (!err) {
            err = r.error_code;
            node = r.node_id;
        }
        kfk_arena_reset(&a);
    }
    if (err != KFK_ERR_DESTROYED) {
        kfk_smember_found(&c->m, err, node, kfk_io_now(c->io));
        if (c->m.fatal) publish_fatal(c, c->m.fatal);
    }
    kfk_sreq_free(rq);
    if (err != KFK_ERR_DESTROYED) kfk_share_run(c);
    return 0;
}

static void find_coordinator(kfk_share_consumer *c) {
    kfk_sreq *rq = kfk_sreq_new(c, KFK_SREQ_COORD);
    kfk_find_coordinator_request *m = rq ? kfk_arena_alloc(&rq->a, sizeof *m) : NULL;
    kfk_str *key = rq ? kfk_arena_alloc(&rq->a, sizeof *key) : NULL;
    if (!m || !key) {
        kfk_sreq_free(rq);
        return;
    }
    kfk_find_coordinator_request_init(m);
    *key = kfk_str_of(c->group);
    m->key = *key;
    m->coordinator_keys.items = key;
    m->coordinator_keys.count = 1;
    c->m.inflight = 1;
    if (kfk_sreq_send(rq, KFK_API_FIND_COORDINATOR, m, -1, c->request_timeout_ms, on_coordinator))
        c->m.inflight = 0;
}

static void leave_done(kfk_share_consumer *c) {
    c->close_step = 3;
    pthread_mutex_lock(&c->lock);
    c->closed = 1;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

static int on_heartbeat(void *opaque, kfk_response *resp) {
    kfk_sreq *rq = opaque;
    kfk_share_consumer *c = rq->c;
    int err = resp->err;
    if (err == KFK_ERR_DESTROYED) {
        kfk_sreq_free(rq);
        return 0;
    }
    if (rq->leave) {
        kfk_sreq_free(rq);
        leave_done(c);
        return 0;
    }
    kfk_arena a = {0};
    kfk_share_group_heartbeat_response r;
    if (!err) err = kfk_share_group_heartbeat_response_decode(&resp->body, resp->version, &a, &r);
    if (!err) err = r.error_code;
    int64_t now = kfk_io_now(c->io);
    if (!err) {
        if (r.member_id.len == 22 && memcmp(r.member_id.ptr, c->member_id, 22))
            memcpy(c->member_id, r.member_id.ptr, 22); /* only the I/O thread reads it */
        kfk_smember_answered(&c->m, 0, r.member_epoch, r.heartbeat_interval_ms, now);
        if (r.assignment) {
            if (assign(c, r.assignment)) c->m.due = now; /* out of memory: ask again */
            kfk_share_resolve(c);
        }
    } else {
        kfk_smember_answered(&c->m, err, 0, 0, now);
        if (c->m.fatal) publish_fatal(c, c->m.fatal);
    }
    kfk_arena_reset(&a);
    kfk_sreq_free(rq);
    kfk_share_run(c);
    return 0;
}

static void heartbeat(kfk_share_consumer *c, int leave) {
    kfk_sreq *rq = kfk_sreq_new(c, KFK_SREQ_HEARTBEAT);
    kfk_share_group_heartbeat_request *m = rq ? kfk_arena_alloc(&rq->a, sizeof *m) : NULL;
    kfk_str *names =
        m ? kfk_arena_array(&rq->a, (size_t)(c->io_ntopics ? c->io_ntopics : 1), sizeof *names)
          : NULL;
    if (!names) {
        kfk_sreq_free(rq);
        if (leave) leave_done(c);
        return;
    }
    kfk_share_group_heartbeat_request_init(m);
    m->group_id = kfk_str_of(c->group);
    m->member_id = kfk_str_of(c->member_id);
    m->member_epoch = leave ? -1 : c->m.epoch;
    for (int i = 0; i < c->io_ntopics; i++) names[i] = kfk_str_of(c->io_topics[i]);
    m->subscribed_topic_names.items = names;
    /* Null when unchanged would do; the full list is always right. */
    m->subscribed_topic_names.count = leave ? -1 : c->io_ntopics;
    rq->leave = leave;
    c->m.inflight = 1;
    if (kfk_sreq_send(rq, KFK_API_SHARE_GROUP_HEARTBEAT, m, c->m.coord, c->request_timeout_ms,
                      on_heartbeat)) {
        c->m.inflight = 0;
        if (leave) leave_done(c);
    }
}

/* ------------------------------------------------------------------ run */

static void take_topics(kfk_share_consumer *c) {
    char **v = kfk_calloc((size_t)(c->ntopics ? c->ntopics : 1), sizeof *v);
    for (int i = 0; v && i < c->ntopics; i++)
        if (!(v[i] = kfk_strndup(c->topics[i], strlen(c->topics[i])))) {
            for (int k = 0; k < i; k++) kfk_free(v[k]);
            kfk_free(v);
            v = NULL;
        }
    if (!v) return; /* out of memory: taken at the next run */
    for (int i = 0; i < c->io_ntopics; i++) kfk_free(c->io_topics[i]);
    kfk_free(c->io_topics);
    c->io_topics = v;
    c->io_ntopics = c->ntopics;
    c->io_sub_gen = c->sub_gen;
    c->m.due = 0; /* tell the coordinator now */
}

/* What the application handed over; under lock. */
static void take_in(kfk_share_consumer *c) {
    if (c->sub_gen != c->io_sub_gen) take_topics(c);
    int k = 0;
    for (int i = 0; i < c->inbox.n; i++) {
        kfk_sack *s = &c->inbox.v[i];
        if (kfk_share_acks_add_range(&s->p->acks, s->first, s->last, s->type)) {
            c->inbox.v[k++] = *s; /* out of memory: kept for the next run */
            continue;
        }
        if (s->type == KFK_ACK_RENEW) s->p->renew = 1;
    }
    c->inbox.n = k;
    c->io_commit = c->commit_seq;
    c->io_sync = c->sync_seq;
    c->io_closing = c->closing;
    c->io_want = c->fetch_wanted;
}

/* No acknowledgement waits anywhere nor is out: the commits asked for so
 * far are answered. */
static void check_commits(kfk_share_consumer *c) {
    if (c->io_done >= c->io_commit || c->inflight_acks) return;
    for (int i = 0; i < c->nparts; i++)
        if (c->parts[i]->acks.n && c->parts[i]->leader >= 0) return;
    c->io_done = c->io_commit;
    pthread_mutex_lock(&c->lock);
    c->commit_done = c->io_done;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

/* Close: each open session ends with a ShareAcknowledge at epoch -1
 * carrying the last acknowledgements (share_fetch.c), then the member
 * leaves. */
static void run_close(kfk_share_consumer *c) {
    if (c->close_step == 0) {
        int open = 0;
        for (int i = 0; i < c->nnodes; i++) {
            kfk_snode *n = &c->nodes[i];
            if (n->busy || n->s.epoch > 0 || kfk_share_acks_waiting(c, n->s.node)) {
                kfk_share_node_run(c, n);
                open |= n->busy;
            }
        }
        if (open) return;
        c->close_step = 1;
    }
    if (c->close_step != 1) return;
    if (c->m.epoch <= 0 || c->m.coord < 0 || c->m.fatal) {
        leave_done(c); /* not a member: nothing to leave */
    } else if (!c->m.inflight) { /* else after the heartbeat out */
        c->close_step = 2;
        heartbeat(c, 1);
    }
}

void kfk_share_run(kfk_share_consumer *c) {
    int64_t now = kfk_io_now(c->io);
    if (!c->timer_added) {
        if (kfk_io_timer_add(c->io, &c->timer, on_timer)) return; /* next run tries again */
        kfk_core_on_metadata(c->core, on_metadata, c);
        c->timer_added = 1;
    }
    pthread_mutex_lock(&c->lock);
    take_in(c);
    pthread_mutex_unlock(&c->lock);
    if (c->io_closing) {
        run_close(c);
        check_commits(c);
        return;
    }
    switch (kfk_smember_next(&c->m, c->io_ntopics > 0, now)) {
    case KFK_SHARE_FIND_COORD: find_coordinator(c); break;
    case KFK_SHARE_HEARTBEAT: heartbeat(c, 0); break;
    case KFK_SHARE_WAIT: break;
    }
    int64_t wake = c->m.inflight || c->m.fatal || !c->io_ntopics ? INT64_MAX : c->m.due;
    if (!c->m.fatal && c->m.epoch > 0) {
        for (int i = 0; i < c->nparts; i++) {
            kfk_spart *p = c->parts[i];
            if ((p->assigned || p->acks.n) && p->leader >= 0) kfk_share_node(c, p->leader);
        }
        for (int i = 0; i < c->nnodes; i++) {
            kfk_snode *n = &c->nodes[i];
            if (n->retry_at > now) {
                if (n->retry_at < wake) wake = n->retry_at;
                continue;
            }
            kfk_share_node_run(c, n);
        }
    }
    check_commits(c);
    if (wake != INT64_MAX) kfk_io_timer_set(c->io, &c->timer, wake);
}
