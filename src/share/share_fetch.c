/* The share sessions, on the I/O thread (share_int.h): each leader's
 * ShareFetch (acquires records for the poll queue, carries the pending
 * acknowledgements of its assigned partitions) and ShareAcknowledge (for
 * commits, renewals, a full queue and close), one request per session at
 * a time. Answers fill the queue and the acknowledgement results; leader
 * errors refresh metadata, and the partitions follow their new leader's
 * session (share_member.h's kfk_share_leader_action). */
#include <string.h>

#include "consumer/chunk.h"
#include "core/alloc.h"
#include "proto/gen/messages.h"
#include "share/share_int.h"
#include "share/share_records.h"

#define MAX_DECOMPRESSED (256u << 20) /* per batch, as the consumer's */

kfk_snode *kfk_share_node(kfk_share_consumer *c, int32_t node) {
    for (int i = 0; i < c->nnodes; i++)
        if (c->nodes[i].s.node == node) return &c->nodes[i];
    kfk_snode *v = kfk_realloc(c->nodes, (size_t)(c->nnodes + 1) * sizeof *v);
    if (!v) return NULL;
    c->nodes = v;
    v[c->nnodes] = (kfk_snode){.s = {.node = node}};
    return &v[c->nnodes++];
}

int kfk_share_acks_waiting(const kfk_share_consumer *c, int32_t node) {
    for (int i = 0; i < c->nparts; i++)
        if (c->parts[i]->leader == node && c->parts[i]->acks.n) return 1;
    return 0;
}

static void add_result(kfk_partition_list *res, const kfk_spart *p, int err) {
    kfk_partition *e = res ? kfk_partition_list_add(res, p->topic ? p->topic : "", p->tp.partition)
                           : NULL;
    if (e) {
        e->offset = KFK_OFFSET_INVALID;
        e->err = err;
    }
}

static void leader_error(kfk_share_consumer *c, int err) {
    int act = kfk_share_leader_action(err);
    if (act == KFK_SHARE_LEADER_REFRESH) kfk_share_refresh(c);
    if (act == KFK_SHARE_LEADER_REJOIN) c->m.due = 0;
}

/* The request's partitions whose acknowledgements failed as a whole. */
static void acks_failed(kfk_sreq *rq, kfk_partition_list *res, int err) {
    for (int i = 0; i < rq->nacked; i++) add_result(res, rq->acked[i], err);
}

static int carried(const kfk_sreq *rq, const kfk_spart *p) {
    for (int i = 0; i < rq->nacked; i++)
        if (rq->acked[i] == p) return 1;
    return 0;
}

/* Ends a session request: the node is free again, its results go out. */
static void finish(kfk_share_consumer *c, kfk_sreq *rq, kfk_snode *n, int err,
                   kfk_partition_list *res) {
    if (rq->nacked) c->inflight_acks--;
    if (n) {
        n->busy = 0;
        if (err) n->retry_at = kfk_io_now(c->io) + c->retry_ms;
    }
    kfk_share_results(c, res,
                      rq->kind == KFK_SREQ_FETCH ? KFK_SRES_FETCH
                      : rq->sync                 ? KFK_SRES_SYNC
                                                 : KFK_SRES_ASYNC);
    kfk_partition_list_destroy(res);
    kfk_sreq_free(rq);
    kfk_share_run(c);
}

/* Takes p's pending acknowledgements as batches (n of them into *out). */
static int take_batches(kfk_spart *p, kfk_arena *a, kfk_share_batch **out, int *n) {
    *n = kfk_share_acks_take(&p->acks, a, out);
    if (*n < 0) return KFK_ERR_NOMEM;
    p->renew = 0;
    return 0;
}

/* ------------------------------------------------------------ ShareFetch */

static kfk_share_fetch_request_fetch_partition *fetch_entry(kfk_share_fetch_request *m,
                                                            kfk_arena *a, const kfk_share_tp *tp,
                                                            int cap, int32_t max_bytes) {
    kfk_share_fetch_request_fetch_topic *t = NULL;
    for (int i = 0; i < m->topics.count && !t; i++)
        if (kfk_uuid_eq(&m->topics.items[i].topic_id, &tp->topic_id)) t = &m->topics.items[i];
    if (!t) {
        t = &m->topics.items[m->topics.count++];
        t->topic_id = tp->topic_id;
        t->partitions.items = kfk_arena_array(a, (size_t)cap, sizeof *t->partitions.items);
        t->partitions.count = 0;
        if (!t->partitions.items) return NULL;
    }
    for (int i = 0; i < t->partitions.count; i++)
        if (t->partitions.items[i].partition_index == tp->partition) return &t->partitions.items[i];
    kfk_share_fetch_request_fetch_partition *e = &t->partitions.items[t->partitions.count++];
    memset(e, 0, sizeof *e);
    e->partition_index = tp->partition;
    e->partition_max_bytes = max_bytes;
    return e;
}

/* A session request's answer while the client goes away: nothing to do
 * but free it. */
static int gone(kfk_sreq *rq, const kfk_response *resp) {
    if (resp->err != KFK_ERR_DESTROYED) return 0;
    kfk_sreq_free(rq);
    return 1;
}

static int on_fetch(void *opaque, kfk_response *resp) {
    kfk_sreq *rq = opaque;
    if (gone(rq, resp)) return 0;
    kfk_share_consumer *c = rq->c;
    kfk_snode *n = kfk_share_node(c, rq->node);
    int err = resp->err;
    kfk_arena a = {0};
    kfk_share_fetch_response r;
    if (!err) err = kfk_share_fetch_response_decode(&resp->body, resp->version, &a, &r);
    if (!err) err = r.error_code;
    if (n) kfk_share_session_answered(&n->s, rq->want, rq->nwant, err);
    kfk_partition_list *res = kfk_partition_list_new(4);
    kfk_consumer_message *head = NULL, *tail = NULL;
    if (err) {
        leader_error(c, err);
        acks_failed(rq, res, err);
    }
    for (int i = 0; !err && i < r.responses.count; i++) {
        const kfk_share_fetch_response_share_fetchable_topic_response *t = &r.responses.items[i];
        for (int j = 0; j < t->partitions.count; j++) {
            const kfk_share_fetch_response_partition_data *pd = &t->partitions.items[j];
            kfk_spart *p = kfk_share_part(c, &t->topic_id, pd->partition_index);
            if (!p) continue;
            if (carried(rq, p)) add_result(res, p, pd->acknowledge_error_code);
            if (pd->error_code) {
                leader_error(c, pd->error_code);
                continue;
            }
            if (!p->topic) continue;
            kfk_share_records sr = {.topic = p->topic, .partition = p->tp.partition,
                                    .broker = rq->node, .part = p,
                                    .check_crcs = c->check_crcs,
                                    .max_decompressed = MAX_DECOMPRESSED};
            kfk_share_records_take(&sr, pd, resp->buf, &p->acks, &c->zbuf);
            if (!sr.head) continue;
            if (tail) kfk_cmsg(tail)->next = sr.head;
            else head = sr.head;
            tail = sr.tail;
        }
    }
    kfk_arena_reset(&a);
    if (head) {
        pthread_mutex_lock(&c->lock);
        if (c->qt) kfk_cmsg(c->qt)->next = head;
        else c->qh = head;
        c->qt = tail;
        c->fetch_wanted = c->io_want = 0;
        pthread_cond_broadcast(&c->cond);
        pthread_mutex_unlock(&c->lock);
    }
    finish(c, rq, n, err, res);
    return 0;
}

static int send_fetch(kfk_share_consumer *c, kfk_snode *n) {
    kfk_sreq *rq = kfk_sreq_new(c, KFK_SREQ_FETCH);
    if (!rq) return KFK_ERR_NOMEM;
    kfk_arena *a = &rq->a;
    int np = c->nparts ? c->nparts : 1, nin = n->s.nin ? n->s.nin : 1, nadd, nforget;
    kfk_share_fetch_request *m = kfk_arena_alloc(a, sizeof *m);
    rq->want = kfk_arena_array(a, (size_t)np, sizeof *rq->want);
    rq->acked = kfk_arena_array(a, (size_t)np, sizeof *rq->acked);
    kfk_share_tp *add = kfk_arena_array(a, (size_t)np, sizeof *add);
    kfk_share_tp *forget = kfk_arena_array(a, (size_t)nin, sizeof *forget);
    if (!m || !rq->want || !rq->acked || !add || !forget) goto nomem;
    kfk_share_fetch_request_init(m);
    m->topics.items = kfk_arena_array(a, (size_t)np, sizeof *m->topics.items);
    m->forgotten_topics_data.items =
        kfk_arena_array(a, (size_t)nin, sizeof *m->forgotten_topics_data.items);
    if (!m->topics.items || !m->forgotten_topics_data.items) goto nomem;
    for (int i = 0; i < c->nparts; i++)
        if (c->parts[i]->assigned && c->parts[i]->leader == n->s.node)
            rq->want[rq->nwant++] = c->parts[i]->tp;
    kfk_share_session_plan(&n->s, rq->want, rq->nwant, add, &nadd, forget, &nforget);
    int32_t pmax = c->part_max_bytes; /* ShareFetch v0 only */
    for (int i = 0; i < nadd; i++)
        if (!fetch_entry(m, a, &add[i], np, pmax)) goto nomem;
    for (int i = 0; i < c->nparts; i++) {
        kfk_spart *p = c->parts[i];
        if (!p->assigned || p->leader != n->s.node || !p->acks.n || p->renew) continue;
        kfk_share_fetch_request_fetch_partition *e = fetch_entry(m, a, &p->tp, np, pmax);
        kfk_share_batch *b;
        int nb;
        if (!e || take_batches(p, a, &b, &nb)) goto nomem;
        kfk_share_fetch_request_acknowledgement_batch *ab =
            kfk_arena_array(a, (size_t)(nb ? nb : 1), sizeof *ab);
        if (!ab) goto nomem;
        for (int k = 0; k < nb; k++)
            ab[k] = (kfk_share_fetch_request_acknowledgement_batch){
                b[k].first, b[k].last, {b[k].types, b[k].ntypes}};
        e->acknowledgement_batches.items = ab;
        e->acknowledgement_batches.count = nb;
        rq->acked[rq->nacked++] = p;
    }
    for (int i = 0; i < nforget; i++) {
        kfk_share_fetch_request_forgotten_topic *t = NULL;
        for (int k = 0; k < m->forgotten_topics_data.count && !t; k++)
            if (kfk_uuid_eq(&m->forgotten_topics_data.items[k].topic_id, &forget[i].topic_id))
                t = &m->forgotten_topics_data.items[k];
        if (!t) {
            t = &m->forgotten_topics_data.items[m->forgotten_topics_data.count++];
            t->topic_id = forget[i].topic_id;
            t->partitions.items = kfk_arena_array(a, (size_t)nforget, sizeof(int32_t));
            t->partitions.count = 0;
            if (!t->partitions.items) goto nomem;
        }
        t->partitions.items[t->partitions.count++] = forget[i].partition;
    }
    m->group_id = kfk_str_of(c->group);
    m->member_id = kfk_str_of(c->member_id);
    m->share_session_epoch = n->s.epoch;
    m->max_wait_ms = c->max_wait_ms;
    m->min_bytes = c->min_bytes;
    m->max_bytes = c->max_bytes;
    m->max_records = c->max_records;
    m->batch_size = c->max_records;
    if (rq->nacked) c->inflight_acks++;
    n->busy = 1;
    int err = kfk_sreq_send(rq, KFK_API_SHARE_FETCH, m, n->s.node,
                            c->max_wait_ms + c->request_timeout_ms, on_fetch);
    if (err) { /* shutting down: nothing more will be answered */
        n->busy = 0;
        if (rq->nacked) c->inflight_acks--;
    }
    return err;
nomem:
    kfk_sreq_free(rq); /* acknowledgements taken before are lost: the lock expires */
    return KFK_ERR_NOMEM;
}

/* ------------------------------------------------------ ShareAcknowledge */

/* Notes rq's renew batches of p, whose answers the application waits for. */
static int keep_renewals(kfk_sreq *rq, kfk_spart *p, const kfk_share_batch *b, int nb) {
    int k = 0;
    for (int i = 0; i < nb; i++) k += b[i].types[0] == KFK_ACK_RENEW;
    if (!k) return 0;
    kfk_srenew *v = kfk_arena_array(&rq->a, (size_t)(rq->nrenews + k), sizeof *v);
    if (!v) return KFK_ERR_NOMEM;
    if (rq->nrenews) memcpy(v, rq->renews, (size_t)rq->nrenews * sizeof *v);
    for (int i = 0; i < nb; i++)
        if (b[i].types[0] == KFK_ACK_RENEW)
            v[rq->nrenews++] = (kfk_srenew){p, b[i].first, b[i].last, 0, 0};
    rq->renews = v;
    return 0;
}

static int on_ack(void *opaque, kfk_response *resp) {
    kfk_sreq *rq = opaque;
    if (gone(rq, resp)) return 0;
    kfk_share_consumer *c = rq->c;
    kfk_snode *n = kfk_share_node(c, rq->node);
    int err = resp->err;
    kfk_arena a = {0};
    kfk_share_acknowledge_response r;
    if (!err) err = kfk_share_acknowledge_response_decode(&resp->body, resp->version, &a, &r);
    if (!err) err = r.error_code;
    kfk_partition_list *res = kfk_partition_list_new(4);
    if (n) {
        kfk_share_session_acked(&n->s, err);
        if (rq->closing || kfk_share_session_error(err)) {
            kfk_share_session_free(&n->s);
            n->s = (kfk_share_session){.node = rq->node};
        }
    }
    if (err) {
        leader_error(c, err);
        acks_failed(rq, res, err);
    }
    for (int i = 0; !err && i < r.responses.count; i++)
        for (int j = 0; j < r.responses.items[i].partitions.count; j++) {
            const kfk_share_acknowledge_response_partition_data *pd =
                &r.responses.items[i].partitions.items[j];
            kfk_spart *p = kfk_share_part(c, &r.responses.items[i].topic_id, pd->partition_index);
            if (p) add_result(res, p, pd->error_code);
            if (p && rq->nrenews) kfk_share_renewals(c, rq, p, pd->error_code);
            leader_error(c, pd->error_code);
        }
    /* Renewals the answer does not mention were not made. */
    if (rq->nrenews) kfk_share_renewals(c, rq, NULL, err ? err : KFK_ERR_UNKNOWN_SERVER_ERROR);
    kfk_arena_reset(&a);
    finish(c, rq, n, err && !rq->closing, res);
    return 0;
}

static int send_ack(kfk_share_consumer *c, kfk_snode *n, int closing) {
    kfk_sreq *rq = kfk_sreq_new(c, KFK_SREQ_ACK);
    if (!rq) return KFK_ERR_NOMEM;
    kfk_arena *a = &rq->a;
    int np = c->nparts ? c->nparts : 1, renew = 0;
    kfk_share_acknowledge_request *m = kfk_arena_alloc(a, sizeof *m);
    rq->acked = kfk_arena_array(a, (size_t)np, sizeof *rq->acked);
    if (!m || !rq->acked) goto nomem;
    kfk_share_acknowledge_request_init(m);
    m->topics.items = kfk_arena_array(a, (size_t)np, sizeof *m->topics.items);
    if (!m->topics.items) goto nomem;
    for (int i = 0; i < c->nparts; i++) {
        kfk_spart *p = c->parts[i];
        if (p->leader != n->s.node || !p->acks.n) continue;
        kfk_share_acknowledge_request_acknowledge_topic *t = NULL;
        for (int k = 0; k < m->topics.count && !t; k++)
            if (kfk_uuid_eq(&m->topics.items[k].topic_id, &p->tp.topic_id)) t = &m->topics.items[k];
        if (!t) {
            t = &m->topics.items[m->topics.count++];
            t->topic_id = p->tp.topic_id;
            t->partitions.count = 0;
            t->partitions.items = kfk_arena_array(a, (size_t)np, sizeof *t->partitions.items);
            if (!t->partitions.items) goto nomem;
        }
        kfk_share_acknowledge_request_acknowledge_partition *e =
            &t->partitions.items[t->partitions.count++];
        memset(e, 0, sizeof *e);
        e->partition_index = p->tp.partition;
        renew |= p->renew;
        kfk_share_batch *b;
        int nb;
        if (take_batches(p, a, &b, &nb) || keep_renewals(rq, p, b, nb)) goto nomem;
        kfk_share_acknowledge_request_acknowledgement_batch *ab =
            kfk_arena_array(a, (size_t)(nb ? nb : 1), sizeof *ab);
        if (!ab) goto nomem;
        for (int k = 0; k < nb; k++)
            ab[k] = (kfk_share_acknowledge_request_acknowledgement_batch){
                b[k].first, b[k].last, {b[k].types, b[k].ntypes}};
        e->acknowledgement_batches.items = ab;
        e->acknowledgement_batches.count = nb;
        rq->acked[rq->nacked++] = p;
    }
    m->group_id = kfk_str_of(c->group);
    m->member_id = kfk_str_of(c->member_id);
    m->share_session_epoch = closing ? -1 : n->s.epoch;
    m->is_renew_ack = renew;
    rq->closing = closing;
    rq->sync = closing || c->io_sync > c->io_done;
    if (rq->nacked) c->inflight_acks++;
    n->busy = 1;
    rq->min_version = renew ? 2 : 0; /* Renew: KIP-1222, v2 */
    int err = kfk_sreq_send(rq, KFK_API_SHARE_ACKNOWLEDGE, m, n->s.node, c->request_timeout_ms,
                            on_ack);
    if (err) {
        n->busy = 0;
        if (rq->nacked) c->inflight_acks--;
    }
    return err;
nomem:
    if (renew) kfk_share_renewals(c, NULL, NULL, KFK_ERR_NOMEM);
    kfk_sreq_free(rq);
    return KFK_ERR_NOMEM;
}

void kfk_share_node_run(kfk_share_consumer *c, kfk_snode *n) {
    if (n->busy) return;
    int acks = 0, renew = 0, unassigned = 0, assigned = 0;
    for (int i = 0; i < c->nparts; i++) {
        const kfk_spart *p = c->parts[i];
        if (p->leader != n->s.node) continue;
        assigned |= p->assigned;
        if (!p->acks.n) continue;
        acks = 1;
        renew |= p->renew;
        unassigned |= !p->assigned;
    }
    if (c->io_closing) {
        if (n->s.epoch > 0) send_ack(c, n, 1);
        return;
    }
    int urgent = c->io_commit > c->io_done || renew || unassigned;
    if (acks && urgent && n->s.epoch > 0) {
        send_ack(c, n, 0);
        return;
    }
    /* Prefetch is bounded: a member that stops polling acquires nothing
     * more (its records would only wait out their locks). */
    if (assigned && (c->io_want || (acks && urgent))) send_fetch(c, n);
}
