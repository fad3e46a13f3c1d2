#include "consumer/fetch_parse.h"

#include <string.h>

#include "records/batch.h"
#include "records/records.h"

/* Producers with an open aborted transaction at this batch (read_committed):
 * an aborted transaction's batches run from its first offset up to its
 * ABORT marker, which the same producer writes. */
typedef struct aborted_set {
    int64_t *pids;
    uint8_t *taken; /* aborted entries already folded into pids */
    int32_t n;
} aborted_set;

static void aborted_advance(aborted_set *s, const kfk_fetch_parse *p, int64_t last_offset) {
    for (int32_t i = 0; i < p->naborted; i++) {
        if (s->taken[i] || p->aborted[i].first_offset > last_offset) continue;
        s->taken[i] = 1;
        s->pids[s->n++] = p->aborted[i].producer_id;
    }
}

static int aborted_find(const aborted_set *s, int64_t pid) {
    for (int32_t i = 0; i < s->n; i++)
        if (s->pids[i] == pid) return i;
    return -1;
}

/* 1 if the batch is not the application's: a control batch, or (with
 * read_committed) a batch of an aborted transaction. */
static int skip_batch(kfk_records_iter *it, const kfk_fetch_parse *p, aborted_set *s) {
    const kfk_batch *b = &it->batch;
    if (p->read_committed && s->pids && b->producer_id >= 0) {
        aborted_advance(s, p, b->last_offset);
        int i = aborted_find(s, b->producer_id);
        if (kfk_batch_is_control(b)) {
            kfk_record rec;
            if (i >= 0 && kfk_records_next_in_batch(it, &rec) == 1 &&
                kfk_control_type(rec.key) == KFK_CONTROL_ABORT)
                s->pids[i] = s->pids[--s->n];
            return 1;
        }
        if (i >= 0 && kfk_batch_is_transactional(b)) return 1;
    }
    return kfk_batch_is_control(b);
}

static int add_headers(kfk_consumer_message *m, const kfk_record *rec, kfk_arena *a,
                       int64_t *bytes) {
    kfk_header *h = kfk_arena_array(a, (size_t)rec->header_count, sizeof *h);
    if (!h) return KFK_ERR_NOMEM;
    kfk_header_iter hi = kfk_record_headers(rec);
    kfk_record_header rh;
    size_t n = 0;
    while (kfk_header_next(&hi, &rh)) {
        /* kfk_header names are NUL-terminated: the one copy headers get. */
        char *name = kfk_arena_alloc(a, (size_t)rh.key.len + 1);
        if (!name) return KFK_ERR_NOMEM;
        memcpy(name, rh.key.ptr, (size_t)rh.key.len);
        h[n].name = name;
        h[n].value = rh.value.len < 0 ? NULL : rh.value.ptr;
        h[n].value_len = rh.value.len < 0 ? 0 : (size_t)rh.value.len;
        *bytes += rh.key.len + (rh.value.len > 0 ? rh.value.len : 0);
        n++;
    }
    m->headers = h;
    m->header_count = n;
    return 0;
}

/* The private part of a message of kind in ch. */
static inline void msg_private(const kfk_fetch_parse *p, kfk_chunk *ch, kfk_consumer_message *m,
                               int kind) {
    kfk_cmsg_private *v = kfk_cmsg(m);
    v->next = NULL;
    v->chunk = ch;
    v->part = p->part;
    v->polled_after = 0;
    v->gen = p->gen;
    v->kind = kind;
}

static void msg_append(kfk_fetch_parse *p, kfk_consumer_message *m) {
    if (p->tail)
        kfk_cmsg(p->tail)->next = m;
    else
        p->head = m;
    p->tail = m;
}

/* The batch's timestamp type, for its messages. */
static int timestamp_type(const kfk_batch *b) {
    return b->magic == 0                                 ? KFK_TIMESTAMP_NONE
           : b->attributes & KFK_ATTR_LOG_APPEND_TIME ? KFK_TIMESTAMP_LOG_APPEND
                                                      : KFK_TIMESTAMP_CREATE;
}

/* One record's message in *out. Every field is stored once: zeroing the
 * struct first (a compound literal does) costs a rep stos per message. */
static inline int add_message(const kfk_fetch_parse *p, kfk_chunk *ch, const char *topic,
                              const kfk_batch *b, int ts_type, const kfk_record *rec,
                              int64_t *bytes, kfk_consumer_message **out) {
    kfk_consumer_message *m = kfk_arena_alloc_raw(&ch->arena, sizeof *m);
    if (!m) return KFK_ERR_NOMEM;
    int has_key = rec->key.len >= 0, has_value = rec->value.len >= 0;
    m->err = 0;
    m->topic = topic;
    m->partition = p->partition;
    m->offset = rec->offset;
    m->timestamp = rec->timestamp;
    m->timestamp_type = ts_type;
    m->leader_epoch = b->partition_leader_epoch;
    m->broker_id = p->broker;
    m->key = has_key ? rec->key.ptr : NULL;
    m->key_len = has_key ? (size_t)rec->key.len : 0;
    m->value = has_value ? rec->value.ptr : NULL;
    m->value_len = has_value ? (size_t)rec->value.len : 0;
    m->headers = NULL;
    m->header_count = 0;
    m->delivery_count = 0;
    msg_private(p, ch, m, KFK_KIND_RECORD);
    *bytes += (int64_t)(m->key_len + m->value_len);
    if (rec->header_count > 0) {
        int rc = add_headers(m, rec, &ch->arena, bytes);
        if (rc) return rc;
    }
    *out = m;
    return 0;
}

int kfk_fetch_parse_run(kfk_fetch_parse *p, kfk_chunk *ch, const uint8_t *data, size_t len,
                        kfk_wbuf *zbuf) {
    p->head = p->tail = NULL;
    p->count = 0;
    p->bytes = 0;
    p->err = p->too_large = 0;
    p->next_pos = p->pos;
    p->last_epoch = -1;
    size_t tlen = strlen(p->topic);
    char *topic = kfk_arena_alloc(&ch->arena, tlen + 1);
    aborted_set s = {0};
    if (p->read_committed && p->naborted > 0) {
        s.pids = kfk_arena_array(&ch->arena, (size_t)p->naborted, sizeof *s.pids);
        s.taken = kfk_arena_alloc(&ch->arena, (size_t)p->naborted);
    }
    if (!topic || (p->read_committed && p->naborted > 0 && (!s.pids || !s.taken)))
        return p->err = KFK_ERR_NOMEM;
    memcpy(topic, p->topic, tlen + 1);

    kfk_records_iter it;
    kfk_records_iter_init(&it, data, len, zbuf, p->max_decompressed,
                          p->check_crcs ? 0 : KFK_RECORDS_SKIP_CRC);
    int whole = 0; /* batches read completely */
    for (;;) {
        int rc = kfk_records_next_batch(&it);
        if (rc <= 0) {
            p->err = rc;
            break;
        }
        const kfk_batch *b = &it.batch;
        int64_t end = b->last_offset + 1;
        if (end > p->pos && !skip_batch(&it, p, &s)) {
            /* The per-record loop: its counters stay in locals. */
            kfk_consumer_message **link = p->tail ? &kfk_cmsg(p->tail)->next : &p->head;
            kfk_consumer_message *m, *last = NULL;
            int used = 0, ts_type = timestamp_type(b);
            int64_t bytes = 0;
            kfk_record rec;
            while ((rc = kfk_records_next_v2(&it, &rec)) == 1) {
                if (rec.offset < p->pos) continue;
                rc = add_message(p, ch, topic, b, ts_type, &rec, &bytes, &m);
                if (rc) break;
                *link = m;
                link = &kfk_cmsg(m)->next;
                last = m;
                used++;
            }
            if (used) {
                p->tail = last;
                p->count += used;
                p->bytes += bytes;
                p->next_pos = last->offset + 1;
            }
            /* Messages point into the decompressed records: keep them. */
            if (used && kfk_batch_codec(b) != KFK_CODEC_NONE && zbuf->data) {
                size_t zlen;
                int krc = kfk_chunk_keep(ch, kfk_wbuf_detach(zbuf, &zlen));
                if (!rc) rc = krc;
            }
            if (rc < 0) {
                p->err = rc;
                break;
            }
        }
        whole++;
        if (end > p->next_pos) p->next_pos = end;
        if (end > p->pos && b->partition_leader_epoch >= 0)
            p->last_epoch = b->partition_leader_epoch;
    }
    p->partial = !p->err && it.truncated;
    if (!whole && p->partial) p->too_large = 1;
    int refs = p->count;
    int64_t polled_to = p->tail ? p->tail->offset + 1 : p->pos;
    if (!p->err && p->next_pos > polled_to) {
        /* Without memory for it the position catches up at the next message. */
        kfk_consumer_message *skip = kfk_arena_alloc(&ch->arena, sizeof *skip);
        if (skip) {
            skip->topic = topic;
            skip->partition = p->partition;
            skip->offset = p->next_pos;
            skip->leader_epoch = p->last_epoch;
            msg_private(p, ch, skip, KFK_KIND_SKIP);
            msg_append(p, skip);
        }
        refs += skip != NULL;
    }
    if (refs) atomic_fetch_add_explicit(&ch->refs, refs, memory_order_relaxed);
    return p->err;
}
