/* Fetching (I/O thread): one Fetch per leader broker covering all its
 * fetchable partitions, at most one in flight per broker and per
 * partition; the response's records become messages without copying
 * (fetch_parse.h) and go to the poll queue under one lock per partition. */
#include <string.h>

#include "consumer/consumer_int.h"
#include "consumer/fetch_parse.h"
#include "core/alloc.h"

/* Kafka caps a batch at about 1 MiB by default; this bounds what one
 * compressed batch may expand to. */
#define MAX_DECOMPRESSED (256 << 20)

typedef struct fetch_ctx {
    kfk_core_req r;
    kfk_consumer *c;
    kfk_arena arena; /* the request's arrays */
    kfk_fetch_request m;
    int32_t node;
    int n;
    kfk_cpart **parts;
    uint32_t *gens;
    int64_t *pos;
} fetch_ctx;

static int busy_find(const kfk_consumer *c, int32_t node) {
    for (int i = 0; i < c->nbusy; i++)
        if (c->busy[i] == node) return i;
    return -1;
}

static int busy_add(kfk_consumer *c, int32_t node) {
    if (c->nbusy == c->capbusy) {
        int cap = c->capbusy ? c->capbusy * 2 : 8;
        int32_t *b = kfk_realloc(c->busy, (size_t)cap * sizeof *b);
        if (!b) return KFK_ERR_NOMEM;
        c->busy = b;
        c->capbusy = cap;
    }
    c->busy[c->nbusy++] = node;
    return 0;
}

static void busy_del(kfk_consumer *c, int32_t node) {
    int i = busy_find(c, node);
    if (i >= 0) c->busy[i] = c->busy[--c->nbusy];
}

static int32_t leader_of(const kfk_metadata *md, const kfk_cpart *p) {
    const kfk_md_topic *t = kfk_metadata_topic(md, p->topic);
    const kfk_md_partition *mp = t ? kfk_metadata_partition(t, p->partition) : NULL;
    return mp ? mp->leader : -1;
}

static int is_leader_error(int err) {
    return err == KFK_ERR_NOT_LEADER_OR_FOLLOWER || err == KFK_ERR_FENCED_LEADER_EPOCH ||
           err == KFK_ERR_UNKNOWN_LEADER_EPOCH || err == KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION ||
           err == KFK_ERR_LEADER_NOT_AVAILABLE || err == KFK_ERR_KAFKA_STORAGE_ERROR ||
           err == KFK_ERR_REPLICA_NOT_AVAILABLE || err == KFK_ERR_OFFSET_NOT_AVAILABLE;
}

static void ctx_free(fetch_ctx *f) {
    kfk_arena_reset(&f->arena);
    kfk_free(f);
}

/* Every partition of f is free to fetch again. */
static void release_parts(fetch_ctx *f) {
    for (int i = 0; i < f->n; i++) {
        f->parts[i]->fetching = 0;
        f->parts[i]->inflight--;
    }
    busy_del(f->c, f->node);
}

/* ------------------------------------------------------------- responses */

static int find_part(const fetch_ctx *f, kfk_str topic, int32_t partition, int hint) {
    for (int k = 0; k < f->n; k++) {
        int i = (hint + k) % f->n;
        const kfk_cpart *p = f->parts[i];
        if (p->partition == partition && (int32_t)strlen(p->topic) == topic.len &&
            memcmp(p->topic, topic.ptr, (size_t)topic.len) == 0)
            return i;
    }
    return -1;
}

static void deliver(kfk_consumer *c, kfk_cpart *p, const kfk_fetch_response_partition_data *pd,
                    kfk_rxbuf *rx, int32_t broker) {
    kfk_fetch_parse pp = {.topic = p->topic, .partition = p->partition, .broker = broker,
                          .pos = p->fetch_pos,
                          .check_crcs = c->cc.check_crcs, .max_decompressed = MAX_DECOMPRESSED,
                          .read_committed = c->cc.read_committed,
                          .aborted = pd->aborted_transactions.items,
                          .naborted = pd->aborted_transactions.count > 0
                                          ? pd->aborted_transactions.count : 0,
                          .next_pos = p->fetch_pos};
    kfk_chunk *ch = pd->records.len > 0 ? kfk_chunk_new(rx) : NULL;
    if (ch) kfk_fetch_parse_run(&pp, ch, pd->records.ptr, (size_t)pd->records.len, &c->zbuf);
    if (pd->records.len > 0 && !ch) pp.err = KFK_ERR_NOMEM;
    for (kfk_consumer_message *m = pp.head; m; m = m->next_) {
        m->part_ = p;
        m->gen_ = p->io_gen;
    }
    pthread_mutex_lock(&c->lock);
    p->hwm = pd->high_watermark;
    p->lwm = pd->log_start_offset;
    if (pp.count && !p->removed && p->gen == p->io_gen) {
        kfk_queue_append(c, pp.head, pp.tail);
        p->queued_bytes += pp.bytes;
        c->stats.messages += pp.count;
    } else {
        for (kfk_consumer_message *m = pp.head, *next; m; m = next) {
            next = m->next_;
            kfk_consumer_message_release(m);
        }
    }
    pthread_mutex_unlock(&c->lock);
    kfk_chunk_unref(ch);
    if (pp.count || !pp.err) p->fetch_pos = pp.next_pos;
    p->attempts = 0;
    if (pp.err == KFK_ERR_NOMEM) {
        kfk_cpart_backoff(c, p);
    } else if (pp.err || pp.too_large) {
        kfk_cpart_stop(c, p, pp.err ? pp.err : KFK_ERR_MSG_TOO_LARGE, p->fetch_pos);
    } else if (c->cc.partition_eof) {
        int64_t end = c->cc.read_committed && pd->last_stable_offset >= 0 ? pd->last_stable_offset
                                                                          : pd->high_watermark;
        if (p->fetch_pos >= end && p->eof_at != p->fetch_pos) {
            p->eof_at = p->fetch_pos;
            kfk_cpart_event(c, p, KFK_ERR_PARTITION_EOF, p->fetch_pos);
        }
    }
}

static void on_partition(kfk_consumer *c, fetch_ctx *f, int i,
                         const kfk_fetch_response_partition_data *pd, kfk_rxbuf *rx) {
    kfk_cpart *p = f->parts[i];
    if (p->io_gen != f->gens[i] || p->state != KFK_CP_ACTIVE || p->fetch_pos != f->pos[i])
        return; /* a seek or reset came in between */
    int err = pd->error_code;
    if (!err)
        deliver(c, p, pd, rx, f->r.node_id);
    else if (err == KFK_ERR_OFFSET_OUT_OF_RANGE)
        kfk_resolve_reset(c, p, err, "offset out of range");
    else if (is_leader_error(err) || kfk_err_retriable(err))
        kfk_cpart_backoff(c, p);
    else
        kfk_cpart_stop(c, p, err, p->fetch_pos);
}

static int on_fetch(void *opaque, kfk_response *resp) {
    fetch_ctx *f = opaque;
    kfk_consumer *c = f->c;
    int err = resp->err, rc = 0;
    if (err == KFK_ERR_DESTROYED) {
        release_parts(f);
        ctx_free(f);
        return 0;
    }
    kfk_arena a = {0};
    kfk_fetch_response m;
    if (!err) {
        rc = kfk_fetch_response_decode(&resp->body, resp->version, &a, &m);
        err = rc ? rc : m.error_code;
    }
    if (err) {
        for (int i = 0; i < f->n; i++)
            if (f->parts[i]->io_gen == f->gens[i]) kfk_cpart_backoff(c, f->parts[i]);
    } else {
        int hint = 0;
        for (int32_t t = 0; t < m.responses.count; t++) {
            const kfk_fetch_response_fetchable_topic_response *tr = &m.responses.items[t];
            for (int32_t j = 0; j < tr->partitions.count; j++) {
                int i = find_part(f, tr->topic, tr->partitions.items[j].partition_index, hint);
                if (i < 0) continue;
                on_partition(c, f, i, &tr->partitions.items[j], resp->buf);
                hint = i + 1;
            }
        }
    }
    kfk_arena_reset(&a);
    release_parts(f);
    ctx_free(f);
    kfk_service_run(c);
    return rc == KFK_ERR_MALFORMED ? rc : 0;
}

/* -------------------------------------------------------------- requests */

static fetch_ctx *build(kfk_consumer *c, int32_t node, int n) {
    fetch_ctx *f = kfk_calloc(1, sizeof *f);
    if (!f) return NULL;
    f->c = c;
    f->node = node;
    f->parts = kfk_arena_array(&f->arena, (size_t)n, sizeof *f->parts);
    f->gens = kfk_arena_array(&f->arena, (size_t)n, sizeof *f->gens);
    f->pos = kfk_arena_array(&f->arena, (size_t)n, sizeof *f->pos);
    kfk_fetch_request *m = &f->m;
    kfk_fetch_request_init(m);
    m->topics.items = kfk_arena_array(&f->arena, (size_t)n, sizeof *m->topics.items);
    kfk_fetch_request_partition *parts = kfk_arena_array(&f->arena, (size_t)n, sizeof *parts);
    if (!f->parts || !f->gens || !f->pos || !m->topics.items || !parts) {
        ctx_free(f);
        return NULL;
    }
    /* io_parts is sorted by topic: a topic's partitions are adjacent. */
    kfk_fetch_request_topic *t = NULL;
    for (int i = 0; i < c->io_nparts; i++) {
        kfk_cpart *p = c->io_parts[i];
        if (p->leader != node) continue;
        p->leader = -1;
        if (!t || strcmp(t->topic.ptr, p->topic) != 0) {
            t = &m->topics.items[m->topics.count++];
            t->topic = (kfk_str){p->topic, (int32_t)strlen(p->topic)};
            t->partitions.items = &parts[f->n];
        }
        parts[f->n] = (kfk_fetch_request_partition){
            .partition = p->partition, .current_leader_epoch = -1, .fetch_offset = p->fetch_pos,
            .last_fetched_epoch = -1, .log_start_offset = -1,
            .partition_max_bytes = c->cc.partition_max_bytes, .high_watermark = INT64_MAX};
        t->partitions.count++;
        f->parts[f->n] = p;
        f->gens[f->n] = p->io_gen;
        f->pos[f->n] = p->fetch_pos;
        f->n++;
    }
    m->replica_id = -1;
    m->max_wait_ms = c->cc.fetch_max_wait_ms;
    m->min_bytes = c->cc.fetch_min_bytes;
    m->max_bytes = c->cc.fetch_max_bytes;
    m->isolation_level = (int8_t)c->cc.read_committed;
    m->session_id = 0;
    m->session_epoch = -1; /* no fetch session: every request is full */
    m->rack_id = (kfk_str){c->cc.rack, (int32_t)strlen(c->cc.rack)};
    f->r = (kfk_core_req){.dest = KFK_DEST_NODE, .node_id = node};
    /* v4 is the oldest Kafka 4 accepts; v13 names topics by id. */
    f->r.req = (kfk_request){.api_key = KFK_API_FETCH, .min_version = 4, .max_version = 12,
                             .msg = m, .cb = on_fetch, .opaque = f,
                             .timeout_ms = c->cc.request_timeout_ms + c->cc.fetch_max_wait_ms};
    return f;
}

void kfk_fetch_send(kfk_consumer *c, kfk_metadata *md, int64_t now, int64_t *wake) {
    for (int i = 0; i < c->io_nparts; i++) {
        kfk_cpart *p = c->io_parts[i];
        p->leader = -1;
        if (p->state != KFK_CP_ACTIVE || p->fetching || !p->can_fetch || p->backoff_until > now)
            continue;
        int32_t leader = leader_of(md, p);
        if (leader < 0) {
            kfk_cpart_backoff(c, p);
            if (p->backoff_until < *wake) *wake = p->backoff_until;
            continue;
        }
        if (busy_find(c, leader) < 0) p->leader = leader;
    }
    for (int i = 0; i < c->io_nparts; i++) {
        int32_t node = c->io_parts[i]->leader;
        if (node < 0) continue;
        int n = 0;
        for (int j = i; j < c->io_nparts; j++) n += c->io_parts[j]->leader == node;
        fetch_ctx *f = busy_add(c, node) ? NULL : build(c, node, n);
        if (!f) {
            busy_del(c, node);
            for (int j = i; j < c->io_nparts; j++)
                if (c->io_parts[j]->leader == node) c->io_parts[j]->leader = -1;
            if (now + c->cc.retry_backoff_ms < *wake) *wake = now + c->cc.retry_backoff_ms;
            continue;
        }
        for (int j = 0; j < f->n; j++) {
            f->parts[j]->fetching = 1;
            f->parts[j]->inflight++;
        }
        if (kfk_core_send(c->core, &f->r)) {
            release_parts(f);
            ctx_free(f);
            continue;
        }
        pthread_mutex_lock(&c->lock);
        c->stats.fetch_requests++;
        pthread_mutex_unlock(&c->lock);
    }
}
