/* The share consumer's requests (share_int.h): FindCoordinator,
 * ShareGroupHeartbeat, ShareFetch and ShareAcknowledge, each sent through
 * the client core and waited for on the application's thread. */
#include <string.h>

#include "consumer/chunk.h"
#include "core/alloc.h"
#include "net/io.h"
#include "proto/gen/messages.h"
#include "share/share_int.h"
#include "share/share_records.h"

#define MAX_DECOMPRESSED (256u << 20) /* per batch, as the consumer's */

/* ------------------------------------------------------------- requests */

static int on_response(void *opaque, kfk_response *resp) {
    kfk_sreq *rq = opaque;
    kfk_share_consumer *c = rq->c;
    pthread_mutex_lock(&c->lock);
    rq->err = resp->err;
    rq->node = resp->node_id;
    rq->version = resp->version;
    if (!resp->err) {
        rq->body = resp->body;
        rq->rx = resp->buf;
        kfk_rxbuf_ref(rq->rx);
    }
    rq->done = 1;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
    return 0;
}

void kfk_sreq_done(kfk_sreq *rq) {
    if (rq->rx) kfk_rxbuf_unref(rq->rx);
    rq->rx = NULL;
}

/* Sends rq (msg, api_key and node set); kfk_share_wait waits for its
 * answer, which the core gives within the timeout. */
void kfk_share_send(kfk_share_consumer *c, kfk_sreq *rq, int64_t deadline) {
    int64_t left = deadline - kfk_io_clock();
    int32_t t = (int32_t)(left < 1 ? 1 : left > INT32_MAX ? INT32_MAX : left);
    rq->c = c;
    rq->done = 0;
    rq->rx = NULL;
    rq->r.req.cb = on_response;
    rq->r.req.opaque = rq;
    if (!rq->r.req.timeout_ms || rq->r.req.timeout_ms > t) rq->r.req.timeout_ms = t;
    int err = kfk_core_send(c->core, &rq->r);
    if (err) {
        rq->err = err;
        rq->done = 1;
    }
}

void kfk_share_wait(kfk_share_consumer *c, kfk_sreq *rq) {
    pthread_mutex_lock(&c->lock);
    while (!rq->done) pthread_cond_wait(&c->cond, &c->lock);
    pthread_mutex_unlock(&c->lock);
}

static void send_wait(kfk_share_consumer *c, kfk_sreq *rq, int64_t deadline) {
    kfk_share_send(c, rq, deadline);
    kfk_share_wait(c, rq);
}

static void to_node(kfk_sreq *rq, int16_t api, const void *msg, int32_t node) {
    memset(rq, 0, sizeof *rq);
    rq->r.req = (kfk_request){.api_key = api, .min_version = 0, .max_version = -1, .msg = msg};
    rq->r.dest = node < 0 ? KFK_DEST_ANY : KFK_DEST_NODE;
    rq->r.node_id = node;
}

static int find_coordinator(kfk_share_consumer *c) {
    kfk_find_coordinator_request m;
    kfk_find_coordinator_request_init(&m);
    kfk_str key = kfk_str_of(c->group);
    m.key = key;
    m.key_type = 0;
    m.coordinator_keys.items = &key;
    m.coordinator_keys.count = 1;
    kfk_sreq rq;
    to_node(&rq, KFK_API_FIND_COORDINATOR, &m, -1);
    send_wait(c, &rq, kfk_io_clock() + c->request_timeout_ms);
    int err = rq.err;
    if (!err) {
        kfk_arena a = {0};
        kfk_find_coordinator_response r;
        err = kfk_find_coordinator_response_decode(&rq.body, rq.version, &a, &r);
        if (!err && r.coordinators.count > 0) {
            err = r.coordinators.items[0].error_code;
            if (!err) c->coord = r.coordinators.items[0].node_id;
        } else if (!err) {
            err = r.error_code;
            if (!err) c->coord = r.node_id;
        }
        kfk_arena_reset(&a);
    }
    kfk_sreq_done(&rq);
    return err;
}

/* ------------------------------------------------------------ partitions */

kfk_spart *kfk_share_part(kfk_share_consumer *c, const kfk_uuid *id, int32_t partition) {
    for (int i = 0; i < c->nparts; i++)
        if (c->parts[i].tp.partition == partition && kfk_uuid_eq(&c->parts[i].tp.topic_id, id))
            return &c->parts[i];
    return NULL;
}

static kfk_spart *part_add(kfk_share_consumer *c, const kfk_uuid *id, int32_t partition) {
    if (c->nparts == c->cap) {
        int cap = c->cap ? c->cap * 2 : 16;
        kfk_spart *v = kfk_realloc(c->parts, (size_t)cap * sizeof *v);
        if (!v) return NULL;
        c->parts = v;
        c->cap = cap;
    }
    kfk_spart *p = &c->parts[c->nparts++];
    *p = (kfk_spart){.tp = {*id, partition}, .leader = -1};
    return p;
}

/* The new assignment replaces the old; partitions dropped keep their
 * pending acknowledgements until they are sent. */
static int assign(kfk_share_consumer *c, const kfk_share_group_heartbeat_response_assignment *a) {
    for (int i = 0; i < c->nparts; i++) c->parts[i].assigned = 0;
    for (int i = 0; i < a->topic_partitions.count; i++) {
        const kfk_share_group_heartbeat_response_topic_partitions *t = &a->topic_partitions.items[i];
        for (int j = 0; j < t->partitions.count; j++) {
            kfk_spart *p = kfk_share_part(c, &t->topic_id, t->partitions.items[j]);
            if (!p) p = part_add(c, &t->topic_id, t->partitions.items[j]);
            if (!p) return KFK_ERR_NOMEM;
            p->assigned = 1;
        }
    }
    int k = 0;
    for (int i = 0; i < c->nparts; i++) {
        kfk_spart *p = &c->parts[i];
        if (p->assigned || p->acks.n) {
            c->parts[k++] = *p;
        } else {
            kfk_free(p->topic);
            kfk_share_acks_free(&p->acks);
        }
    }
    c->nparts = k;
    /* Deliveries refer to partitions by index: a new assignment settles
     * them first (poll does), so none is left here. */
    return 0;
}

/* Names and leaders from the current metadata; asks for a refresh when
 * an assigned partition lacks either. */
static void resolve_parts(kfk_share_consumer *c) {
    kfk_metadata *md = kfk_core_metadata(c->core);
    int missing = !md;
    for (int i = 0; md && i < c->nparts; i++) {
        kfk_spart *p = &c->parts[i];
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
    if (missing) kfk_core_metadata_refresh(c->core, (const char *const *)c->topics, c->ntopics);
}

/* ------------------------------------------------------------ heartbeat */

static int fatal_error(int err) {
    return err == KFK_ERR_UNSUPPORTED_VERSION || err == KFK_ERR_GROUP_AUTHORIZATION_FAILED ||
           err == KFK_ERR_TOPIC_AUTHORIZATION_FAILED || err == KFK_ERR_INVALID_REQUEST ||
           err == KFK_ERR_GROUP_MAX_SIZE_REACHED || err == KFK_ERR_INVALID_GROUP_ID ||
           err == KFK_ERR_INCONSISTENT_GROUP_PROTOCOL;
}

int kfk_share_heartbeat(kfk_share_consumer *c, int leave) {
    int64_t now = kfk_io_clock();
    if (c->coord < 0) {
        int err = find_coordinator(c);
        if (err) {
            c->hb_due = now + 100;
            return fatal_error(err) ? err : 0;
        }
    }
    kfk_share_group_heartbeat_request m;
    kfk_share_group_heartbeat_request_init(&m);
    m.group_id = kfk_str_of(c->group);
    m.member_id = kfk_str_of(c->member_id);
    m.member_epoch = leave ? -1 : c->member_epoch;
    kfk_str *names = kfk_malloc((size_t)(c->ntopics ? c->ntopics : 1) * sizeof *names);
    if (!names) return KFK_ERR_NOMEM;
    for (int i = 0; i < c->ntopics; i++) names[i] = kfk_str_of(c->topics[i]);
    m.subscribed_topic_names.items = names;
    m.subscribed_topic_names.count = leave ? -1 : c->ntopics;
    kfk_sreq rq;
    to_node(&rq, KFK_API_SHARE_GROUP_HEARTBEAT, &m, c->coord);
    send_wait(c, &rq, now + c->request_timeout_ms);
    kfk_free(names);
    int err = rq.err, ret = 0;
    if (!err) {
        kfk_arena a = {0};
        kfk_share_group_heartbeat_response r;
        err = kfk_share_group_heartbeat_response_decode(&rq.body, rq.version, &a, &r);
        if (!err) err = r.error_code;
        if (!err && !leave) {
            if (r.member_id.len > 0 && r.member_id.len < (int32_t)sizeof c->member_id) {
                memcpy(c->member_id, r.member_id.ptr, (size_t)r.member_id.len);
                c->member_id[r.member_id.len] = 0;
            }
            c->member_epoch = r.member_epoch;
            if (r.heartbeat_interval_ms > 0) c->hb_interval_ms = r.heartbeat_interval_ms;
            if (r.assignment) ret = assign(c, r.assignment);
            if (r.assignment) resolve_parts(c);
        }
        kfk_arena_reset(&a);
    }
    kfk_sreq_done(&rq);
    c->hb_due = kfk_io_clock() + c->hb_interval_ms;
    if (!err || leave) return leave ? err : ret;
    if (fatal_error(err)) return err;
    if (err == KFK_ERR_UNKNOWN_MEMBER_ID || err == KFK_ERR_FENCED_MEMBER_EPOCH) {
        c->member_epoch = 0; /* joins again at once, under the same id */
        c->hb_due = kfk_io_clock();
    } else {
        /* Coordinator moves and transport errors: find it again. */
        c->coord = -1;
        c->hb_due = kfk_io_clock() + 100;
    }
    return 0;
}

/* ---------------------------------------------------------------- fetch */

static kfk_share_session *session(kfk_share_consumer *c, int32_t node) {
    for (int i = 0; i < c->nsess; i++)
        if (c->sess[i].node == node) return &c->sess[i];
    kfk_share_session *v = kfk_realloc(c->sess, (size_t)(c->nsess + 1) * sizeof *v);
    if (!v) return NULL;
    c->sess = v;
    v[c->nsess] = (kfk_share_session){.node = node};
    return &v[c->nsess++];
}

/* A result of acknowledgements sent for part p. */
static void add_result(kfk_partition_list *res, const kfk_spart *p, int err) {
    if (!res) return;
    kfk_partition *e = kfk_partition_list_add(res, p->topic ? p->topic : "", p->tp.partition);
    if (e) {
        e->offset = KFK_OFFSET_INVALID;
        e->err = err;
    }
}

static void report(kfk_share_consumer *c, kfk_partition_list *res) {
    if (res && res->count && c->ack_cb) c->ack_cb(c, res, c->ack_opaque);
}

/* One leader's ShareFetch under construction. */
typedef struct fetch_req {
    kfk_sreq rq;
    kfk_share_fetch_request m;
    kfk_share_session *s;
    kfk_share_tp *want;
    int nwant;
    int *acked; /* indexes of the parts whose acknowledgements it carries */
    int nacked;
} fetch_req;

/* Each topic's entry (an existing one or a new one) in m. */
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

/* A leader's session error or lost answer: metadata may have moved it. */
static void leader_error(kfk_share_consumer *c, int err) {
    if (err == KFK_ERR_NOT_LEADER_OR_FOLLOWER || err == KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION ||
        err == KFK_ERR_FENCED_LEADER_EPOCH || err == KFK_ERR_UNKNOWN_TOPIC_ID || err < 0)
        kfk_core_metadata_refresh(c->core, (const char *const *)c->topics, c->ntopics);
}

/* The records one partition's answer acquired for this member, queued for
 * poll. */
static int take_records(kfk_share_consumer *c, kfk_spart *p,
                        const kfk_share_fetch_response_partition_data *pd, kfk_rxbuf *rx,
                        int32_t node) {
    kfk_share_records r = {.topic = p->topic, .partition = p->tp.partition, .broker = node,
                           .check_crcs = c->check_crcs, .max_decompressed = MAX_DECOMPRESSED};
    int err = kfk_share_records_take(&r, pd, rx, &p->acks, &c->zbuf);
    if (r.head) {
        if (c->qt) kfk_cmsg(c->qt)->next = r.head;
        else c->qh = r.head;
        c->qt = r.tail;
    }
    return err;
}

static int was_acked(const fetch_req *f, int part) {
    for (int i = 0; i < f->nacked; i++)
        if (f->acked[i] == part) return 1;
    return 0;
}

static int build_fetch(kfk_share_consumer *c, fetch_req *f, int32_t node, int32_t max_wait_ms,
                       kfk_arena *a) {
    f->s = session(c, node);
    f->want = kfk_arena_array(a, (size_t)c->nparts, sizeof *f->want);
    f->acked = kfk_arena_array(a, (size_t)c->nparts, sizeof *f->acked);
    if (!f->s || !f->want || !f->acked) return KFK_ERR_NOMEM;
    for (int i = 0; i < c->nparts; i++)
        if (c->parts[i].assigned && c->parts[i].leader == node) f->want[f->nwant++] = c->parts[i].tp;
    int nin = f->s->nin ? f->s->nin : 1, nadd, nforget;
    kfk_share_tp *add = kfk_arena_array(a, (size_t)c->nparts, sizeof *add);
    kfk_share_tp *forget = kfk_arena_array(a, (size_t)nin, sizeof *forget);
    kfk_share_fetch_request *m = &f->m;
    kfk_share_fetch_request_init(m);
    m->topics.items = kfk_arena_array(a, (size_t)c->nparts, sizeof *m->topics.items);
    m->forgotten_topics_data.items =
        kfk_arena_array(a, (size_t)nin, sizeof *m->forgotten_topics_data.items);
    if (!add || !forget || !m->topics.items || !m->forgotten_topics_data.items)
        return KFK_ERR_NOMEM;
    kfk_share_session_plan(f->s, f->want, f->nwant, add, &nadd, forget, &nforget);
    int32_t pmax = c->part_max_bytes; /* ShareFetch v0 only */
    for (int i = 0; i < nadd; i++)
        if (!fetch_entry(m, a, &add[i], c->nparts, pmax)) return KFK_ERR_NOMEM;
    for (int i = 0; i < c->nparts; i++) {
        kfk_spart *p = &c->parts[i];
        if (!p->assigned || p->leader != node || !p->acks.n) continue;
        kfk_share_batch *b;
        int nb = kfk_share_acks_take(&p->acks, a, &b);
        kfk_share_fetch_request_fetch_partition *e =
            nb >= 0 ? fetch_entry(m, a, &p->tp, c->nparts, pmax) : NULL;
        kfk_share_fetch_request_acknowledgement_batch *ab =
            e ? kfk_arena_array(a, (size_t)(nb ? nb : 1), sizeof *ab) : NULL;
        if (!ab) return KFK_ERR_NOMEM;
        for (int k = 0; k < nb; k++) {
            ab[k].first_offset = b[k].first;
            ab[k].last_offset = b[k].last;
            ab[k].acknowledge_types.items = b[k].types;
            ab[k].acknowledge_types.count = b[k].ntypes;
        }
        e->acknowledgement_batches.items = ab;
        e->acknowledgement_batches.count = nb;
        f->acked[f->nacked++] = i;
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
            if (!t->partitions.items) return KFK_ERR_NOMEM;
        }
        t->partitions.items[t->partitions.count++] = forget[i].partition;
    }
    m->group_id = kfk_str_of(c->group);
    m->member_id = kfk_str_of(c->member_id);
    m->share_session_epoch = f->s->epoch;
    m->max_wait_ms = max_wait_ms;
    m->min_bytes = c->min_bytes;
    m->max_bytes = c->max_bytes;
    m->max_records = c->max_records;
    m->batch_size = c->max_records;
    to_node(&f->rq, KFK_API_SHARE_FETCH, m, node);
    f->rq.r.req.timeout_ms = max_wait_ms + c->request_timeout_ms;
    return 0;
}

static void fetch_answered(kfk_share_consumer *c, fetch_req *f, kfk_partition_list *res) {
    int err = f->rq.err;
    kfk_arena a = {0};
    kfk_share_fetch_response r;
    if (!err) err = kfk_share_fetch_response_decode(&f->rq.body, f->rq.version, &a, &r);
    if (!err) err = r.error_code;
    kfk_share_session_answered(f->s, f->want, f->nwant, err);
    if (err) {
        leader_error(c, err);
        for (int i = 0; i < f->nacked; i++) add_result(res, &c->parts[f->acked[i]], err);
        if (err == KFK_ERR_UNKNOWN_MEMBER_ID || err == KFK_ERR_FENCED_MEMBER_EPOCH)
            c->hb_due = kfk_io_clock();
        kfk_arena_reset(&a);
        return;
    }
    for (int i = 0; i < r.responses.count; i++) {
        const kfk_share_fetch_response_share_fetchable_topic_response *t = &r.responses.items[i];
        for (int j = 0; j < t->partitions.count; j++) {
            const kfk_share_fetch_response_partition_data *pd = &t->partitions.items[j];
            kfk_spart *p = kfk_share_part(c, &t->topic_id, pd->partition_index);
            if (!p) continue;
            if (was_acked(f, (int)(p - c->parts))) add_result(res, p, pd->acknowledge_error_code);
            if (pd->error_code) {
                leader_error(c, pd->error_code);
                continue;
            }
            if (p->topic) take_records(c, p, pd, f->rq.rx, f->rq.node);
        }
    }
    kfk_arena_reset(&a);
}

int kfk_share_fetch_round(kfk_share_consumer *c, int32_t max_wait_ms) {
    resolve_parts(c);
    int32_t *nodes = kfk_malloc((size_t)(c->nparts ? c->nparts : 1) * sizeof *nodes);
    if (!nodes) return KFK_ERR_NOMEM;
    int nn = 0;
    for (int i = 0; i < c->nparts; i++) {
        const kfk_spart *p = &c->parts[i];
        if (!p->assigned || p->leader < 0) continue;
        int k = 0;
        while (k < nn && nodes[k] != p->leader) k++;
        if (k == nn) nodes[nn++] = p->leader;
    }
    fetch_req *f = nn ? kfk_calloc((size_t)nn, sizeof *f) : NULL;
    kfk_arena a = {0};
    kfk_partition_list *res = kfk_partition_list_new(4);
    int err = nn && !f ? KFK_ERR_NOMEM : 0;
    for (int i = 0; i < nn && !err; i++) err = build_fetch(c, &f[i], nodes[i], max_wait_ms, &a);
    if (!err && nn) {
        int64_t deadline = kfk_io_clock() + max_wait_ms + c->request_timeout_ms;
        for (int i = 0; i < nn; i++) kfk_share_send(c, &f[i].rq, deadline);
        for (int i = 0; i < nn; i++) kfk_share_wait(c, &f[i].rq);
        for (int i = 0; i < nn; i++) {
            fetch_answered(c, &f[i], res);
            kfk_sreq_done(&f[i].rq);
        }
        report(c, res);
    }
    kfk_partition_list_destroy(res);
    kfk_arena_reset(&a);
    kfk_free(f);
    kfk_free(nodes);
    return err;
}

/* ---------------------------------------------------------- acknowledge */

int kfk_share_ack_round(kfk_share_consumer *c, kfk_partition_list *res, int64_t deadline,
                        int closing) {
    resolve_parts(c);
    int first = 0;
    for (int si = 0; si < c->nsess; si++) {
        kfk_share_session *s = &c->sess[si];
        if (s->epoch == 0) continue; /* no session: they go with the next ShareFetch */
        kfk_arena a = {0};
        kfk_share_acknowledge_request m;
        kfk_share_acknowledge_request_init(&m);
        m.topics.items = kfk_arena_array(&a, (size_t)(c->nparts ? c->nparts : 1), sizeof *m.topics.items);
        int *acked = kfk_arena_array(&a, (size_t)(c->nparts ? c->nparts : 1), sizeof *acked);
        int nacked = 0, err = !m.topics.items || !acked ? KFK_ERR_NOMEM : 0;
        for (int i = 0; i < c->nparts && !err; i++) {
            kfk_spart *p = &c->parts[i];
            if (p->leader != s->node || !p->acks.n) continue;
            kfk_share_batch *b;
            int nb = kfk_share_acks_take(&p->acks, &a, &b);
            kfk_share_acknowledge_request_acknowledge_topic *t = NULL;
            for (int k = 0; k < m.topics.count && !t; k++)
                if (kfk_uuid_eq(&m.topics.items[k].topic_id, &p->tp.topic_id)) t = &m.topics.items[k];
            if (!t && nb >= 0) {
                t = &m.topics.items[m.topics.count++];
                t->topic_id = p->tp.topic_id;
                t->partitions.items = kfk_arena_array(&a, (size_t)c->nparts, sizeof *t->partitions.items);
                t->partitions.count = 0;
            }
            kfk_share_acknowledge_request_acknowledgement_batch *ab =
                nb > 0 && t && t->partitions.items ? kfk_arena_array(&a, (size_t)nb, sizeof *ab) : NULL;
            if (!ab) {
                err = KFK_ERR_NOMEM;
                break;
            }
            for (int k = 0; k < nb; k++) {
                ab[k].first_offset = b[k].first;
                ab[k].last_offset = b[k].last;
                ab[k].acknowledge_types.items = b[k].types;
                ab[k].acknowledge_types.count = b[k].ntypes;
            }
            kfk_share_acknowledge_request_acknowledge_partition *e = &t->partitions.items[t->partitions.count++];
            e->partition_index = p->tp.partition;
            e->acknowledgement_batches.items = ab;
            e->acknowledgement_batches.count = nb;
            acked[nacked++] = i;
        }
        if (!err && (nacked || closing)) {
            m.group_id = kfk_str_of(c->group);
            m.member_id = kfk_str_of(c->member_id);
            m.share_session_epoch = closing ? -1 : s->epoch;
            kfk_sreq rq;
            to_node(&rq, KFK_API_SHARE_ACKNOWLEDGE, &m, s->node);
            send_wait(c, &rq, deadline);
            err = rq.err;
            kfk_arena ra = {0};
            kfk_share_acknowledge_response r;
            if (!err) err = kfk_share_acknowledge_response_decode(&rq.body, rq.version, &ra, &r);
            if (!err) err = r.error_code;
            if (err) {
                for (int i = 0; i < nacked; i++) add_result(res, &c->parts[acked[i]], err);
            } else {
                for (int i = 0; i < r.responses.count; i++)
                    for (int j = 0; j < r.responses.items[i].partitions.count; j++) {
                        const kfk_share_acknowledge_response_partition_data *pd =
                            &r.responses.items[i].partitions.items[j];
                        kfk_spart *p = kfk_share_part(c, &r.responses.items[i].topic_id, pd->partition_index);
                        if (p) add_result(res, p, pd->error_code);
                        if (pd->error_code && !first) first = pd->error_code;
                        leader_error(c, pd->error_code);
                    }
            }
            kfk_share_session_acked(s, err);
            if (closing) s->epoch = 0;
            kfk_arena_reset(&ra);
            kfk_sreq_done(&rq);
        }
        if (err && !first) first = err;
        kfk_arena_reset(&a);
    }
    return first;
}
