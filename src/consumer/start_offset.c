/* Finding where a partition starts (I/O thread): the group's committed
 * offset (OffsetFetch), the earliest or latest offset or the one at a time
 * (ListOffsets to the leader), and auto.offset.reset when there is none. */
#include <string.h>

#include "consumer/offsets_op.h"
#include "core/alloc.h"
#include "net/backoff.h"

void kfk_start_offset_done_epoch(kfk_consumer *c, kfk_cpart *p, int64_t offset,
                                 int32_t epoch, int32_t val_epoch) {
    p->state = KFK_CP_ACTIVE;
    p->fetch_pos = offset;
    p->pos_epoch = epoch;
    p->val_epoch = epoch >= 0 ? val_epoch : KFK_EPOCH_ADOPT;
    p->attempts = 0;
    KFK_C_DBG(c, KFK_DBG_FETCH, "%s [%d]: fetching from offset %lld (leader epoch %d)", p->topic,
              (int)p->partition, (long long)offset, (int)epoch);
    pthread_mutex_lock(&c->lock);
    if (p->gen == p->io_gen && p->position < 0) {
        p->position = p->polled_end = offset;
        p->position_epoch = epoch;
    }
    pthread_mutex_unlock(&c->lock);
}

void kfk_start_offset_done(kfk_consumer *c, kfk_cpart *p, int64_t offset) {
    kfk_start_offset_done_epoch(c, p, offset, -1, KFK_EPOCH_ADOPT);
}

void kfk_cpart_backoff(kfk_consumer *c, kfk_cpart *p) {
    kfk_core_metadata_refresh(c->core, (const char *const *)&p->topic, 1);
    kfk_cpart_delay(c, p);
}

void kfk_cpart_delay(kfk_consumer *c, kfk_cpart *p) {
    p->backoff_until = kfk_io_now(c->io) + kfk_backoff_ms(c->cc.retry_backoff_ms,
                                                          c->cc.retry_backoff_max_ms,
                                                          p->attempts++, kfk_io_rng(c->io));
}

void kfk_cpart_event(kfk_consumer *c, kfk_cpart *p, int err, int64_t offset) {
    kfk_consumer_message *m = kfk_event_new(p->topic, p->partition, offset, err);
    if (!m) return;
    kfk_cmsg(m)->part = p;
    kfk_cmsg(m)->gen = p->io_gen;
    pthread_mutex_lock(&c->lock);
    if (!p->removed && p->gen == p->io_gen)
        kfk_queue_append(c, m, m);
    else
        kfk_consumer_message_release(m);
    pthread_mutex_unlock(&c->lock);
}

void kfk_cpart_stop(kfk_consumer *c, kfk_cpart *p, int err, int64_t offset) {
    p->state = KFK_CP_STOPPED;
    kfk_consumer_log(c, "%s [%d]: stopped at offset %lld: %s (seek to go on)", p->topic,
                     (int)p->partition, (long long)offset, kfk_err_name(err));
    kfk_cpart_event(c, p, err, offset);
}

void kfk_start_offset_reset(kfk_consumer *c, kfk_cpart *p, int err, const char *why) {
    int64_t to = kfk_reset_offset(c->cc.reset);
    if (to == KFK_OFFSET_INVALID) {
        kfk_cpart_stop(c, p, KFK_ERR_OFFSET_OUT_OF_RANGE, p->fetch_pos);
        return;
    }
    kfk_consumer_log(c, "%s [%d]: %s at offset %lld; resetting to the %s offset", p->topic,
                     (int)p->partition, why, (long long)p->fetch_pos,
                     to == KFK_OFFSET_BEGINNING ? "earliest" : "latest");
    pthread_mutex_lock(&c->lock);
    c->stats.offset_resets++;
    pthread_mutex_unlock(&c->lock);
    KFK_C_DBG(c, KFK_DBG_FETCH, "%s [%d]: offset reset to %s (auto.offset.reset)", p->topic,
              (int)p->partition, to == KFK_OFFSET_BEGINNING ? "earliest" : "latest");
    p->state = KFK_CP_LIST;
    p->list_spec = to;
}

/* ------------------------------------------------------------ ListOffsets */

static int is_leader_error(int err) {
    return err == KFK_ERR_NOT_LEADER_OR_FOLLOWER || err == KFK_ERR_FENCED_LEADER_EPOCH ||
           err == KFK_ERR_UNKNOWN_LEADER_EPOCH || err == KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION ||
           err == KFK_ERR_LEADER_NOT_AVAILABLE || err == KFK_ERR_OFFSET_NOT_AVAILABLE ||
           err == KFK_ERR_KAFKA_STORAGE_ERROR || err == KFK_ERR_REPLICA_NOT_AVAILABLE;
}

/* One ListOffsets to a leader for all its partitions waiting in LIST: a
 * request per partition would cost a round trip and a service pass each,
 * O(partitions^2) at assignment. */
typedef struct list_ctx {
    kfk_core_req r;
    kfk_consumer *c;
    kfk_arena arena; /* the request's arrays and parts */
    kfk_list_offsets_request m;
    kfk_cpart **parts; /* sorted by topic, then partition, as io_parts */
    int n;
} list_ctx;

static void list_ctx_free(list_ctx *l) {
    kfk_arena_reset(&l->arena);
    kfk_free(l);
}

/* strcmp(topic, name) for a name that is not NUL-terminated. */
static int topic_cmp(const char *topic, kfk_str name) {
    int d = strncmp(topic, name.ptr, (size_t)name.len);
    return d ? d : (unsigned char)topic[name.len];
}

/* The index in l->parts of (name, partition); -1 if none. */
static int list_find(const list_ctx *l, kfk_str name, int32_t partition) {
    int lo = 0, hi = l->n - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        const kfk_cpart *p = l->parts[mid];
        int d = topic_cmp(p->topic, name);
        if (!d) d = p->partition < partition ? -1 : p->partition > partition;
        if (!d) return mid;
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

static void list_answered(kfk_consumer *c, kfk_cpart *p, int err, int64_t offset, int32_t epoch) {
    if (p->io_gen != p->lo_gen || p->state != KFK_CP_LIST) {
        /* a seek came in between */
    } else if (!err && offset < 0) {
        p->list_spec = KFK_OFFSET_END; /* nothing at or after the time */
    } else if (!err) {
        kfk_start_offset_done_epoch(c, p, offset, epoch, KFK_EPOCH_ADOPT);
    } else if (is_leader_error(err) || kfk_err_retriable(err) || err == KFK_ERR_MALFORMED) {
        kfk_cpart_backoff(c, p);
    } else {
        kfk_cpart_stop(c, p, err, KFK_OFFSET_INVALID);
    }
}

static int on_list(void *opaque, kfk_response *resp) {
    list_ctx *l = opaque;
    kfk_consumer *c = l->c;
    for (int i = 0; i < l->n; i++) {
        l->parts[i]->listing = 0;
        l->parts[i]->inflight--;
    }
    if (resp->err == KFK_ERR_DESTROYED) {
        list_ctx_free(l);
        return 0;
    }
    int err = resp->err, rc = 0;
    kfk_arena a = {0};
    kfk_list_offsets_response m;
    if (!err) err = rc = kfk_list_offsets_response_decode(&resp->body, resp->version, &a, &m);
    uint8_t *seen = err ? NULL : kfk_arena_array(&l->arena, (size_t)l->n, 1);
    if (!err && !seen) err = KFK_ERR_NOMEM;
    for (int32_t t = 0; seen && t < m.topics.count; t++) {
        const kfk_list_offsets_response_topic_response *tr = &m.topics.items[t];
        for (int32_t j = 0; j < tr->partitions.count; j++) {
            const kfk_list_offsets_response_partition_response *pr = &tr->partitions.items[j];
            int i = list_find(l, tr->name, pr->partition_index);
            if (i < 0 || seen[i]) continue;
            seen[i] = 1;
            list_answered(c, l->parts[i], pr->error_code, pr->offset, pr->leader_epoch);
        }
    }
    for (int i = 0; i < l->n; i++)
        if (!seen || !seen[i]) list_answered(c, l->parts[i], err ? err : KFK_ERR_MALFORMED, -1, -1);
    kfk_arena_reset(&a);
    list_ctx_free(l);
    kfk_cpart_pass(c);
    return rc == KFK_ERR_MALFORMED ? rc : 0;
}

/* Fills l->m from l->parts: one topic entry per run of a name. */
static int list_fill(kfk_consumer *c, list_ctx *l) {
    kfk_list_offsets_request *m = &l->m;
    kfk_list_offsets_request_init(m);
    m->replica_id = -1;
    m->isolation_level = (int8_t)c->cc.read_committed;
    int ntopics = 0;
    for (int i = 0; i < l->n; i++)
        ntopics += i == 0 || strcmp(l->parts[i]->topic, l->parts[i - 1]->topic) != 0;
    kfk_list_offsets_request_topic *ts = kfk_arena_array(&l->arena, (size_t)ntopics, sizeof *ts);
    kfk_list_offsets_request_partition *ps = kfk_arena_array(&l->arena, (size_t)l->n, sizeof *ps);
    if (!ts || !ps) return KFK_ERR_NOMEM;
    kfk_list_offsets_request_topic *t = NULL;
    for (int i = 0; i < l->n; i++) {
        kfk_cpart *p = l->parts[i];
        if (!t || strcmp(p->topic, t->name.ptr) != 0) {
            t = &ts[m->topics.count++];
            *t = (kfk_list_offsets_request_topic){.name = {p->topic, (int32_t)strlen(p->topic)}};
            t->partitions.items = &ps[i];
        }
        ps[i] = (kfk_list_offsets_request_partition){
            .partition_index = p->partition, .current_leader_epoch = -1, .max_num_offsets = 1,
            .timestamp = p->list_spec == KFK_OFFSET_AT_TIME ? p->list_ts : p->list_spec};
        t->partitions.count++;
    }
    m->topics.items = ts;
    return 0;
}

/* Sends node's batch: the partitions whose list_leader is node. */
static void list_send_node(kfk_consumer *c, int32_t node, int first) {
    int n = 0;
    for (int i = first; i < c->io_nparts; i++) n += c->io_parts[i]->list_leader == node;
    list_ctx *l = kfk_calloc(1, sizeof *l);
    kfk_cpart **parts = l ? kfk_arena_array(&l->arena, (size_t)n, sizeof *parts) : NULL;
    if (parts) l->parts = parts;
    for (int i = first; i < c->io_nparts; i++) {
        kfk_cpart *p = c->io_parts[i];
        if (p->list_leader != node) continue;
        p->list_leader = -1;
        if (parts) parts[l->n++] = p;
    }
    if (!parts || list_fill(c, l)) {
        if (l) list_ctx_free(l);
        return; /* out of memory: the next pass tries again */
    }
    l->c = c;
    l->r = (kfk_core_req){.dest = KFK_DEST_NODE, .node_id = node};
    /* v0 is gone from Kafka 4; v1 has one offset per partition. */
    l->r.req = (kfk_request){.api_key = KFK_API_LIST_OFFSETS, .min_version = 1,
                             .max_version = -1, .msg = &l->m, .cb = on_list, .opaque = l,
                             .timeout_ms = c->cc.request_timeout_ms};
    for (int i = 0; i < l->n; i++) {
        l->parts[i]->lo_gen = l->parts[i]->io_gen;
        l->parts[i]->listing = 1;
        l->parts[i]->inflight++;
    }
    if (kfk_core_send(c->core, &l->r) == 0) return;
    for (int i = 0; i < l->n; i++) {
        l->parts[i]->listing = 0;
        l->parts[i]->inflight--;
    }
    list_ctx_free(l);
}

void kfk_start_offset_list_send(kfk_consumer *c, kfk_metadata *md, int64_t now) {
    int any = 0;
    for (int i = 0; i < c->io_nparts; i++) {
        kfk_cpart *p = c->io_parts[i];
        p->list_leader = -1;
        if (p->state != KFK_CP_LIST || p->listing || p->backoff_until > now) continue;
        const kfk_md_topic *t = kfk_metadata_topic(md, p->topic);
        const kfk_md_partition *mp = t ? kfk_metadata_partition(t, p->partition) : NULL;
        if (mp && mp->leader >= 0) {
            p->list_leader = mp->leader;
            any = 1;
        } else {
            kfk_cpart_backoff(c, p); /* asks for metadata; on_metadata ends the wait */
        }
    }
    for (int i = 0; any && i < c->io_nparts; i++)
        if (c->io_parts[i]->list_leader >= 0) list_send_node(c, c->io_parts[i]->list_leader, i);
}

/* ----------------------------------------------------------- OffsetFetch */

static void committed_then(kfk_offsets_op *op) {
    kfk_consumer *c = op->c;
    c->offset_fetch_inflight = 0;
    for (int i = 0; i < op->list->count; i++) {
        kfk_cpart *p = op->parts[i];
        const kfk_partition *e = &op->list->elems[i];
        p->offset_fetching = 0;
        p->inflight--;
        if (op->err == KFK_ERR_DESTROYED || p->io_gen != op->gens[i] || p->state != KFK_CP_START)
            continue;
        int err = op->err ? op->err : e->err;
        if (err && (kfk_err_retriable(err) || kfk_coord_retriable(err)))
            kfk_cpart_backoff(c, p);
        else if (err)
            kfk_cpart_stop(c, p, err, KFK_OFFSET_INVALID);
        else if (e->offset >= 0) { /* committed before a truncation? ask the leader */
            pthread_mutex_lock(&c->lock);
            if (p->gen == p->io_gen && p->committed < 0) {
                p->committed = e->offset;
                p->committed_epoch = e->leader_epoch;
            }
            pthread_mutex_unlock(&c->lock);
            kfk_start_offset_done_epoch(c, p, e->offset, e->leader_epoch, KFK_EPOCH_CHECK);
        } else
            kfk_start_offset_reset(c, p, 0, "no committed offset");
    }
    int destroyed = op->err == KFK_ERR_DESTROYED;
    kfk_offsets_op_free(op);
    if (!destroyed) kfk_cpart_pass(c);
}

void kfk_start_offset_committed(kfk_consumer *c) {
    int n = 0;
    for (int i = 0; i < c->io_nparts; i++) {
        kfk_cpart *p = c->io_parts[i];
        n += p->state == KFK_CP_START && !p->offset_fetching && p->list_spec == KFK_OFFSET_STORED &&
             p->backoff_until <= kfk_io_now(c->io);
    }
    kfk_partition_list *l = kfk_partition_list_new(n);
    kfk_cpart **parts = kfk_calloc((size_t)n, sizeof *parts);
    uint32_t *gens = kfk_calloc((size_t)n, sizeof *gens);
    if (!l || !parts || !gens) goto oom;
    for (int i = 0; i < c->io_nparts; i++) {
        kfk_cpart *p = c->io_parts[i];
        if (!(p->state == KFK_CP_START && !p->offset_fetching &&
              p->list_spec == KFK_OFFSET_STORED && p->backoff_until <= kfk_io_now(c->io)))
            continue;
        if (!kfk_partition_list_add(l, p->topic, p->partition)) goto oom;
        parts[l->count - 1] = p;
        gens[l->count - 1] = p->io_gen;
    }
    kfk_offsets_op *op = kfk_offsets_op_new(c, l, 0, c->cc.request_timeout_ms);
    l = NULL;
    if (!op) goto oom;
    op->parts = parts;
    op->gens = gens;
    op->then = committed_then;
    for (int i = 0; i < n; i++) {
        parts[i]->offset_fetching = 1;
        parts[i]->inflight++;
    }
    c->offset_fetch_inflight = 1;
    kfk_offsets_op_submit(op);
    return;
oom:
    kfk_partition_list_destroy(l);
    kfk_free(parts);
    kfk_free(gens);
}
