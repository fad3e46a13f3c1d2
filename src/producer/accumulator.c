#include "producer/accumulator.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/portable.h"
#include "net/backoff.h"
#include "producer/partitioner.h"
#include "records/records.h"

/* Batch structs kept for reuse (each with arrays for its messages). */
#define POOL_MAX 256
/* Free record buffers kept: a steady stream takes one as it gives one back,
 * so a thirty-second of buffer.memory absorbs bursts; buffers grown far past
 * batch.size (a large record) are not worth keeping. */
#define BUFS_MAX(a) ((a)->conf.buffer_memory / 32)
#define BUF_KEEP_MAX(a) (2 * (size_t)(a)->conf.batch_size + 4096)

typedef struct free_buf {
    struct free_buf *next;
    size_t cap;
} free_buf;

/* ------------------------------------------------------------------ topics */

/* Eight bytes at a time: looked up per record, and topic names are often
 * long and alike but for their ends. */
static uint32_t name_hash(const char *s, size_t len) {
    uint64_t h = 0x9e3779b97f4a7c15u ^ len, w;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdu;
        h ^= h >> 32;
    }
    w = 0;
    memcpy(&w, s + i, len - i);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53u;
    return (uint32_t)(h ^ (h >> 29));
}

static int same_name(const kfk_ptopic *t, const char *name, size_t len) {
    return t->name_len == len && memcmp(t->name, name, len) == 0;
}

/* Topics are never removed, so the last one found stays valid. */
static kfk_ptopic *topic_find(kfk_accum *a, const char *name) {
    size_t len = strlen(name);
    if (a->last && same_name(a->last, name, len)) return a->last;
    if (!a->nslots) return NULL;
    uint32_t h = name_hash(name, len);
    for (uint32_t i = h & (a->nslots - 1);; i = (i + 1) & (a->nslots - 1)) {
        kfk_ptopic *t = a->slots[i];
        if (!t) return NULL;
        if (t->name_hash == h && same_name(t, name, len)) return a->last = t;
    }
}

static int slots_grow(kfk_accum *a) {
    uint32_t n = a->nslots ? a->nslots * 2 : 16;
    kfk_ptopic **slots = kfk_calloc(n, sizeof *slots);
    if (!slots) return KFK_ERR_NOMEM;
    for (int32_t k = 0; k < a->ntopics; k++) {
        uint32_t i = a->topics[k]->name_hash & (n - 1);
        while (slots[i]) i = (i + 1) & (n - 1);
        slots[i] = a->topics[k];
    }
    kfk_free(a->slots);
    a->slots = slots;
    a->nslots = n;
    return 0;
}

static kfk_ptopic *topic_add(kfk_accum *a, const char *name) {
    if ((uint32_t)(a->ntopics + 1) * 2 > a->nslots && slots_grow(a)) return NULL;
    if (a->ntopics == a->captopics) {
        int32_t cap = a->captopics ? a->captopics * 2 : 8;
        kfk_ptopic **t = kfk_realloc(a->topics, (size_t)cap * sizeof *t);
        if (!t) return NULL;
        a->topics = t;
        a->captopics = cap;
    }
    kfk_ptopic *t = kfk_calloc(1, sizeof *t);
    size_t len = strlen(name);
    if (!t || !(t->name = kfk_strndup(name, len))) {
        kfk_free(t);
        return NULL;
    }
    t->name_len = len;
    t->name_hash = name_hash(name, len);
    t->npart = -1;
    t->sticky = -1;
    t->created_us = kfk_clock_us();
    a->topics[a->ntopics++] = t;
    uint32_t i = t->name_hash & (a->nslots - 1);
    while (a->slots[i]) i = (i + 1) & (a->nslots - 1);
    a->slots[i] = t;
    return t;
}

/* Makes partitions [0, n) exist (n > t->nalloc). */
static int parts_grow(kfk_ptopic *t, int32_t n) {
    kfk_ppart **parts = kfk_realloc(t->parts, (size_t)n * sizeof *parts);
    if (!parts) return KFK_ERR_NOMEM;
    t->parts = parts;
    int32_t *avail = kfk_realloc(t->avail, (size_t)n * sizeof *avail);
    if (!avail) return KFK_ERR_NOMEM;
    t->avail = avail;
    if (kfk_load_reserve(&t->load, n)) return KFK_ERR_NOMEM;
    for (; t->nalloc < n; t->nalloc++) {
        kfk_ppart *pp = kfk_calloc(1, sizeof *pp);
        if (!pp) return KFK_ERR_NOMEM;
        pp->topic = t;
        pp->id = t->nalloc;
        pp->leader = -1;
        pp->leader_epoch = -1;
        kfk_list_init(&pp->queue);
        parts[t->nalloc] = pp;
    }
    return 0;
}

/* Makes partitions [0, n) exist: inline, as every append asks. */
static inline int parts_ensure(kfk_ptopic *t, int32_t n) {
    return n <= t->nalloc ? 0 : parts_grow(t, n);
}

/* -------------------------------------------------------------- lifecycle */

int kfk_accum_init(kfk_accum *a, const kfk_accum_conf *conf) {
    memset(a, 0, sizeof *a);
    a->conf = *conf;
    kfk_list_init(&a->pool);
    a->rng = kfk_rand_seed(a);
    pthread_mutex_init(&a->lock, NULL);
    kfk_cond_init_mono(&a->space);
    return 0;
}

/* Frees the values b took over. */
static void refs_release(kfk_batch_refs *r) {
    for (int32_t i = 0; i < r->count; i++) kfk_free((void *)r->items[i].ptr);
    r->count = 0;
    r->bytes = 0;
}

static void batch_free(kfk_pbatch *b) {
    refs_release(&b->refs);
    kfk_free(b->refs.items);
    kfk_wbuf_free(&b->buf);
    kfk_free(b->opaques);
    kfk_free(b->timestamps);
    kfk_free(b);
}

void kfk_accum_free(kfk_accum *a) {
    for (int32_t k = 0; k < a->ntopics; k++) {
        kfk_ptopic *t = a->topics[k];
        for (int32_t i = 0; i < t->nalloc; i++) {
            kfk_ppart *pp = t->parts[i];
            while (!kfk_list_empty(&pp->queue)) {
                kfk_pbatch *b = KFK_CONTAINER_OF(pp->queue.next, kfk_pbatch, link);
                kfk_list_remove(&b->link);
                batch_free(b);
            }
            kfk_free(pp);
        }
        kfk_free(t->parts);
        kfk_free(t->avail);
        kfk_load_free(&t->load);
        kfk_free(t->name);
        kfk_free(t);
    }
    kfk_free(a->txn_parts);
    kfk_node_lats_free(&a->lats);
    while (!kfk_list_empty(&a->pool)) {
        kfk_pbatch *b = KFK_CONTAINER_OF(a->pool.next, kfk_pbatch, link);
        kfk_list_remove(&b->link);
        batch_free(b);
    }
    while (a->bufs) {
        free_buf *f = a->bufs;
        a->bufs = f->next;
        kfk_free(f);
    }
    kfk_free(a->topics);
    kfk_free(a->slots);
    pthread_cond_destroy(&a->space);
    pthread_mutex_destroy(&a->lock);
}

/* ----------------------------------------------------------------- append */

/* Gives b a pooled record buffer if it has none. */
static void buf_take(kfk_accum *a, kfk_wbuf *w) {
    if (w->data || !a->bufs) return;
    free_buf *f = a->bufs;
    a->bufs = f->next;
    a->bufs_bytes -= (int64_t)f->cap;
    *w = (kfk_wbuf){.data = (uint8_t *)f, .cap = f->cap};
}

static void buf_give(kfk_accum *a, kfk_wbuf *w) {
    if (w->data && w->cap >= sizeof(free_buf) && w->cap <= BUF_KEEP_MAX(a) &&
        a->bufs_bytes + (int64_t)w->cap <= BUFS_MAX(a)) {
        free_buf *f = (free_buf *)(void *)w->data;
        f->next = a->bufs;
        f->cap = w->cap;
        a->bufs = f;
        a->bufs_bytes += (int64_t)w->cap;
    } else {
        kfk_free(w->data);
    }
    *w = (kfk_wbuf){0};
}

/* A batch for pp with no records, not queued. */
static kfk_pbatch *batch_alloc(kfk_accum *a, kfk_ppart *pp, int64_t now) {
    kfk_pbatch *b;
    if (!kfk_list_empty(&a->pool)) {
        b = KFK_CONTAINER_OF(a->pool.next, kfk_pbatch, link);
        kfk_list_remove(&b->link);
        a->npool--;
    } else {
        b = kfk_calloc(1, sizeof *b);
        if (!b) return NULL;
        kfk_list_init(&b->link);
    }
    buf_take(a, &b->buf);
    b->buf.len = 0;
    b->buf.err = 0;
    if (kfk_batch_builder_init(&b->bb, &b->buf)) {
        batch_free(b);
        return NULL;
    }
    kfk_batch_builder_use_refs(&b->bb, &b->refs);
    b->part = pp;
    b->mem = KFK_BATCH_OVERHEAD;
    b->gen = 0;
    b->created = now;
    b->deadline = now + a->conf.delivery_timeout_ms;
    b->retry_at = 0;
    b->base_seq = -1;
    b->pid = -1;
    b->epoch = -1;
    b->attempts = 0;
    b->node = b->node_epoch = -1;
    b->hint_leader = b->hint_epoch = -1;
    b->finished = 0;
    b->in_flight = 0;
    b->purged = 0;
    b->err = 0;
    b->base_offset = -1;
    b->append_time = -1;
    b->errstr[0] = '\0';
    a->mem_used += b->mem;
    return b;
}

static kfk_pbatch *batch_new(kfk_accum *a, kfk_ppart *pp, int64_t now) {
    kfk_pbatch *b = batch_alloc(a, pp, now);
    if (!b) return NULL;
    b->gen = ++pp->gen;
    kfk_list_insert_tail(&pp->queue, &b->link);
    pp->queued++;
    pp->open = b;
    return b;
}

static int32_t pick_random(kfk_accum *a, const kfk_ptopic *t, int32_t avoid) {
    int32_t w = kfk_load_pick(&t->load, kfk_rand_next(&a->rng)); /* len 0 unless adaptive */
    if (w >= 0) return w;
    int32_t n = t->navail ? t->navail : t->npart;
    int32_t i = (int32_t)(kfk_rand_next(&a->rng) % (uint64_t)n);
    int32_t p = t->navail ? t->avail[i] : i;
    if (p == avoid && n > 1) p = t->navail ? t->avail[(i + 1) % n] : (i + 1) % n;
    return p;
}

/* KIP-480: keyless records stay on one partition until the batch started
 * there is closed, then move to another picked at random (weighted by the
 * partitions' queues with adaptive partitioning, KIP-794). */
static int32_t sticky_partition(kfk_accum *a, kfk_ptopic *t, size_t need) {
    if (t->sticky >= 0 && t->sticky < t->npart) {
        kfk_ppart *pp = t->sticky < t->nalloc ? t->parts[t->sticky] : NULL;
        kfk_pbatch *open = pp ? pp->open : NULL;
        if (t->sticky_gen == 0) return t->sticky; /* no batch started there yet */
        if (open && open->gen == t->sticky_gen &&
            (open->bb.count == 0 ||
             kfk_batch_builder_size(&open->bb) + need <= (size_t)a->conf.batch_size))
            return t->sticky;
    }
    t->sticky = pick_random(a, t, t->sticky);
    t->sticky_gen = 0;
    return t->sticky;
}

#define BAD_CHOICE INT32_MIN /* the custom partitioner chose no partition of the topic */

static int32_t choose_partition(kfk_accum *a, kfk_ptopic *t, const kfk_accum_msg *m,
                                size_t need, int *sticky) {
    *sticky = 0;
    if (a->conf.custom) {
        int32_t p = a->conf.custom(t->name, m->key.ptr, m->key.len < 0 ? 0 : (size_t)m->key.len,
                                   t->npart, a->conf.custom_opaque);
        /* Out of range: a negative code, as the caller takes any value >= 0
         * (the broker code 3 included) for a partition. */
        if (p >= 0) return p < t->npart ? p : BAD_CHOICE;
    }
    if (m->key.len >= 0 && !a->conf.ignore_keys && a->conf.partitioner != KFK_PART_RANDOM)
        return kfk_partition_for_key(m->key.ptr, (size_t)m->key.len, t->npart);
    if (a->conf.partitioner == KFK_PART_MURMUR2) return kfk_partition_for_key("", 0, t->npart);
    *sticky = 1;
    return sticky_partition(a, t, need);
}

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for memory until the monotonic time `until`. */
static int wait_space(kfk_accum *a, int64_t until) {
    a->mem_waiters++;
    a->conf.wake(a->conf.wake_opaque); /* send everything: that frees memory */
    struct timespec ts = {.tv_sec = until / 1000, .tv_nsec = (long)(until % 1000) * 1000000};
    int rc = kfk_cond_wait_until(&a->space, &a->lock, &ts);
    a->mem_waiters--;
    return rc == ETIMEDOUT ? KFK_ERR_QUEUE_FULL : 0;
}

static int grow_arrays(kfk_pbatch *b) {
    int32_t cap = b->cap ? b->cap * 2 : 64;
    void **o = kfk_realloc(b->opaques, (size_t)cap * sizeof *o);
    if (!o) return KFK_ERR_NOMEM;
    b->opaques = o;
    int64_t *ts = kfk_realloc(b->timestamps, (size_t)cap * sizeof *ts);
    if (!ts) return KFK_ERR_NOMEM;
    b->timestamps = ts;
    b->cap = cap;
    return 0;
}

/* Room for size more bytes in b's buffer. It grows four-fold up to
 * batch.size (past which only a batch's first record takes it), not by
 * doubling: a fresh buffer filled to batch.size is copied about a third of
 * its size while growing, not twice it, and holds no more than batch.size. */
static int buf_room(const kfk_accum *a, kfk_pbatch *b, int64_t size) {
    kfk_wbuf *w = &b->buf;
    size_t need = w->len + (size_t)size, most = (size_t)a->conf.batch_size;
    if (need <= w->cap) return 0;
    size_t cap = w->cap * 4 < most ? w->cap * 4 : most;
    return kfk_wbuf_grow_to(w, cap > need ? cap : need);
}

/* Appends to partition pp, starting a batch when needed. Lock held. */
static int append_to(kfk_accum *a, kfk_ppart *pp, const kfk_accum_msg *m, int64_t fixed,
                     int64_t now) {
    kfk_pbatch *b = pp->open;
    int64_t size = 0, body = 0;
    int rc;
    if (b) {
        size = kfk_batch_record_size_fixed(&b->bb, m->timestamp, fixed, &body);
        if (size < 0) return (int)size;
        if (kfk_batch_builder_size(&b->bb) + (size_t)size > (size_t)a->conf.batch_size) {
            pp->open = NULL; /* full: it stays queued, ready */
            b = NULL;
        }
    }
    if (!b) {
        b = batch_new(a, pp, now == KFK_ACCUM_CLOCK ? mono_ms() : now);
        if (!b) return KFK_ERR_NOMEM;
        a->conf.wake(a->conf.wake_opaque); /* to arm linger.ms, or send the full one */
        if ((size = kfk_batch_record_size_fixed(&b->bb, m->timestamp, fixed, &body)) < 0)
            return (int)size;
    }
    if (b->bb.count == b->cap && grow_arrays(b)) return KFK_ERR_NOMEM;
    if ((rc = buf_room(a, b, size))) return rc;
    int n = kfk_batch_append_sized(&b->bb, m->timestamp, m->key, m->value, m->headers,
                                   m->header_count, body, size, kfk_accum_takes(a, m));
    if (n < 0) return n;
    b->opaques[b->bb.count - 1] = m->opaque;
    b->timestamps[b->bb.count - 1] = m->timestamp;
    pp->msgs++;
    if (b->bb.count == 1) b->first_msgid = pp->msgs;
    b->mem += n;
    a->mem_used += n;
    if (a->mem_used > a->mem_peak) a->mem_peak = a->mem_used;
    a->queued++;
    a->pending++;
    return 0;
}

/* A transactional producer's message: refused outside a transaction; its
 * partition joins the transaction at its first message (before linger.ms
 * runs out, so AddPartitionsToTxn overlaps the batching). Lock held. */
static int txn_join(kfk_accum *a, kfk_ppart *pp) {
    if (a->txn_refuse) return a->txn_refuse;
    if (pp->txn != KFK_PTXN_NONE) return 0;
    if (a->ntxn == a->captxn) {
        int32_t cap = a->captxn ? a->captxn * 2 : 16;
        kfk_ppart **n = kfk_realloc(a->txn_parts, (size_t)cap * sizeof *n);
        if (!n) return KFK_ERR_NOMEM;
        a->txn_parts = n;
        a->captxn = cap;
    }
    a->txn_parts[a->ntxn++] = pp;
    pp->txn = a->txn_v2 ? KFK_PTXN_ADDED : KFK_PTXN_PENDING;
    if (!a->txn_v2) a->conf.wake(a->conf.wake_opaque);
    return 0;
}

void kfk_accum_txn_reset_locked(kfk_accum *a) {
    for (int32_t i = 0; i < a->ntxn; i++) a->txn_parts[i]->txn = KFK_PTXN_NONE;
    a->ntxn = 0;
    a->txn_sent = 0;
}

int kfk_accum_append(kfk_accum *a, const kfk_accum_msg *m, int64_t now, int32_t max_wait_ms,
                     int32_t *partition) {
    /* Sized once: the record's size as the first of a batch (timestamp and
     * offset deltas of a byte each) is the most it can take. */
    int64_t fixed = kfk_record_fixed_size(m->key, m->value, m->headers, m->header_count);
    if (fixed < 0) return (int)fixed;
    if (fixed + 2 > INT32_MAX) return KFK_ERR_MSG_TOO_LARGE;
    int64_t need = kfk_varint_size(fixed + 2) + fixed + 2;
    if (KFK_BATCH_OVERHEAD + need > a->conf.buffer_memory ||
        KFK_BATCH_OVERHEAD + need > a->conf.max_request_size)
        return KFK_ERR_MSG_TOO_LARGE;

    pthread_mutex_lock(&a->lock);
    int rc = 0;
    kfk_ptopic *t = topic_find(a, m->topic); /* the last one first: a steady stream goes to one */
    if (!t && !(t = topic_add(a, m->topic))) rc = KFK_ERR_NOMEM;
    int64_t until = 0;
    while (!rc) {
        if (a->closing) {
            rc = KFK_ERR_DESTROYED;
            break;
        }
        if (a->fatal) {
            rc = KFK_ERR_FATAL;
            break;
        }
        if (a->mem_used + need + KFK_BATCH_OVERHEAD <= a->conf.buffer_memory &&
            (!a->conf.max_messages || a->pending < a->conf.max_messages))
            break;
        if (!until) until = (now == KFK_ACCUM_CLOCK ? mono_ms() : now) + max_wait_ms;
        rc = max_wait_ms > 0 ? wait_space(a, until) : KFK_ERR_QUEUE_FULL;
    }
    int32_t p = m->partition;
    int sticky = 0;
    if (!rc && p == KFK_PARTITION_ANY) {
        if (t->npart <= 0)
            rc = t->err && !kfk_err_retriable(t->err) ? t->err : KFK_ERR_NOENT;
        else if ((p = choose_partition(a, t, m, (size_t)need, &sticky)) < 0)
            rc = p == BAD_CHOICE ? KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION : p;
    } else if (!rc && t->npart >= 0 && p >= t->npart) {
        rc = KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    }
    if (!rc) rc = parts_ensure(t, p + 1);
    if (!rc && a->txn_mode) rc = txn_join(a, t->parts[p]);
    if (!rc) rc = append_to(a, t->parts[p], m, fixed, now);
    if (!rc && sticky) t->sticky_gen = t->parts[p]->open->gen;
    pthread_mutex_unlock(&a->lock);
    if (!rc) *partition = p;
    return rc;
}

/* --------------------------------------------------------------- metadata */

static void sync_topic(kfk_ptopic *t, const kfk_md_topic *mt) {
    t->err = mt->err;
    if (mt->err || mt->npartitions <= 0) return;
    if (parts_ensure(t, mt->npartitions)) return; /* keeps the old view */
    /* A re-created topic's leader epochs start over: no hint outranks them. */
    int recreated = !kfk_uuid_eq(&t->id, &mt->id);
    t->id = mt->id;
    t->npart = mt->npartitions;
    t->navail = 0;
    for (int32_t i = 0; i < t->nalloc; i++) {
        kfk_ppart *pp = t->parts[i];
        if (recreated) pp->hinted = 0;
        if (!pp->hinted) pp->leader = pp->leader_epoch = -1;
    }
    for (int32_t i = 0; i < mt->npartitions; i++) {
        const kfk_md_partition *mp = &mt->partitions[i];
        if (mp->id < 0 || mp->id >= t->nalloc) continue;
        kfk_ppart *pp = t->parts[mp->id];
        if (!pp->hinted || mp->leader_epoch >= pp->leader_epoch) {
            pp->hinted = 0;
            pp->leader = mp->err ? -1 : mp->leader;
            pp->leader_epoch = mp->err ? -1 : mp->leader_epoch;
        }
        if (pp->leader >= 0) t->avail[t->navail++] = mp->id;
    }
}

int kfk_accum_leader_hint_locked(kfk_accum *a, kfk_ppart *pp, int32_t leader, int32_t epoch) {
    (void)a;
    if (leader < 0 || epoch < 0) return 0;
    if (pp->leader == leader && pp->leader_epoch == epoch) return 1;
    if (pp->leader_epoch >= 0 && epoch <= pp->leader_epoch) return 0;
    kfk_ptopic *t = pp->topic;
    if (pp->leader < 0 && t->navail < t->nalloc) t->avail[t->navail++] = pp->id;
    pp->leader = leader;
    pp->leader_epoch = epoch;
    pp->hinted = 1;
    return 1;
}

void kfk_accum_sync_metadata(kfk_accum *a, const kfk_metadata *md) {
    pthread_mutex_lock(&a->lock);
    for (int32_t k = 0; k < a->ntopics; k++) {
        const kfk_md_topic *mt = kfk_metadata_topic(md, a->topics[k]->name);
        if (mt) sync_topic(a->topics[k], mt);
    }
    pthread_mutex_unlock(&a->lock);
}

void kfk_accum_set_partitions(kfk_accum *a, const kfk_metadata *md, const char *topic) {
    const kfk_md_topic *mt = kfk_metadata_topic(md, topic);
    if (!mt) return;
    pthread_mutex_lock(&a->lock);
    kfk_ptopic *t = topic_find(a, topic);
    if (t) sync_topic(t, mt);
    pthread_mutex_unlock(&a->lock);
}

int kfk_accum_new_topics(kfk_accum *a, const char **out, int max) {
    int n = 0;
    pthread_mutex_lock(&a->lock);
    for (int32_t k = 0; k < a->ntopics && n < max; k++) {
        if (a->topics[k]->md_wanted) continue;
        a->topics[k]->md_wanted = 1;
        out[n++] = a->topics[k]->name;
    }
    pthread_mutex_unlock(&a->lock);
    return n;
}

/* ------------------------------------------------------------------ drain */

static void fail_batch(kfk_pbatch *b, int err, const char *why) {
    b->err = err;
    snprintf(b->errstr, sizeof b->errstr, "%s [%d]: %s", b->part->topic->name, (int)b->part->id,
             why);
}

static int32_t seq_add(int32_t seq, int32_t n) {
    return (int32_t)(((int64_t)seq + n) & INT32_MAX); /* sequences wrap to 0 */
}

static void take(kfk_ppart *pp, kfk_pbatch *b, kfk_list *to) {
    if (pp->open == b) pp->open = NULL;
    pp->queued--;
    kfk_list_remove(&b->link);
    kfk_list_insert_tail(to, &b->link);
}

/* The sticky partition's queue cannot go now (its leader is slow or
 * unknown): once its open batch would have gone (linger.ms), it takes no
 * more records, so keyless ones move to another partition as they would
 * had it gone, instead of piling up there (up to batch.size, 1 MB) until
 * the leader recovers; until then the sender looks again at that time. */
static void move_on(const kfk_accum *a, kfk_ppart *pp, int64_t now, kfk_drain_out *out) {
    const kfk_pbatch *o = pp->open;
    if (!o || pp->topic->sticky != pp->id) return;
    int64_t at = o->created + a->conf.linger_ms;
    if (now >= at)
        pp->open = NULL;
    else if (at < out->next)
        out->next = at;
}

/* 1 when pp had a batch ready and its leader's request no room for it. */
static int drain_part(kfk_accum *a, kfk_ppart *pp, const kfk_drain_args *args,
                      kfk_drain_out *out) {
    int64_t now = args->now;
    kfk_ptopic *t = pp->topic;
    kfk_pbatch *b;
    /* A non-retriable topic error (authorization) will not pass: fail now. */
    int hopeless = t->err && !kfk_err_retriable(t->err);
    while (!kfk_list_empty(&pp->queue) &&
           ((b = KFK_CONTAINER_OF(pp->queue.next, kfk_pbatch, link))->deadline <= now ||
            hopeless)) {
        int why = t->err && t->err != KFK_ERR_LEADER_NOT_AVAILABLE ? t->err : KFK_ERR_TIMED_OUT;
        fail_batch(b, why, why == KFK_ERR_TIMED_OUT ? "not delivered within delivery.timeout.ms"
                                                    : kfk_err_str(why));
        if (b->base_seq >= 0) out->need_bump = 1;
        take(pp, b, &out->failed);
    }
    if (kfk_list_empty(&pp->queue)) return 0;
    b = KFK_CONTAINER_OF(pp->queue.next, kfk_pbatch, link);
    if (t->npart > 0 && pp->id >= t->npart) {
        fail_batch(b, KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION, "the topic has no such partition");
        take(pp, b, &out->failed);
        return 0;
    }
    int ready = b != pp->open || a->flushing || a->mem_waiters ||
                kfk_batch_builder_size(&b->bb) >= (size_t)a->conf.batch_size ||
                now >= b->created + a->conf.linger_ms;
    int64_t when = !ready ? b->created + a->conf.linger_ms : b->retry_at > now ? b->retry_at : 0;
    if (when) {
        if (b->deadline < when) when = b->deadline;
        if (when < out->next) out->next = when;
        return 0;
    }
    if (pp->leader < 0) {
        out->need_md = 1;
        if (b->deadline < out->next) out->next = b->deadline;
        move_on(a, pp, now, out);
        return 0;
    }
    if (args->halt || a->txn_halt || (args->txn && pp->txn != KFK_PTXN_ADDED)) return 0;
    int watch = a->conf.adaptive && a->conf.availability_timeout_ms > 0;
    if (watch) kfk_node_lats_mark(&a->lats, pp->leader, now, 0);
    /* Up to 5 batches per partition in flight, in sequence order; a batch
     * sent before goes alone, so order holds across retries. So does the
     * first of an epoch: a broker that does not know the producer yet takes
     * any sequence, and would take the second if the first failed. */
    if (args->idempotent && pp->in_flight > 0 &&
        (pp->in_flight >= 5 || b->base_seq >= 0 || !pp->acked)) {
        move_on(a, pp, now, out);
        return 0;
    }
    if (!args->room(args->ctx, pp->leader, kfk_batch_builder_size(&b->bb))) {
        move_on(a, pp, now, out);
        return 1;
    }
    if (watch) kfk_node_lats_mark(&a->lats, pp->leader, now, 1);
    if (args->idempotent && b->base_seq < 0) {
        b->base_seq = pp->next_seq;
        pp->next_seq = seq_add(pp->next_seq, b->bb.count);
        b->pid = args->pid;
        b->epoch = args->epoch;
    }
    if (args->txn) a->txn_sent = 1;
    b->node = pp->leader;
    b->node_epoch = pp->leader_epoch;
    b->attempts++;
    b->in_flight = 1;
    pp->in_flight++;
    take(pp, b, &out->ready);
    return 0;
}

/* KIP-794: the weights of the next sticky switch, from the batches waiting
 * in each partition with a leader, leaving out stalled leaders'. Per drain,
 * for topics that had keyless records. */
static void update_load(kfk_accum *a, kfk_ptopic *t) {
    int32_t n = 0, np = t->npart < t->nalloc ? t->npart : t->nalloc;
    for (int32_t i = 0; i < np; i++) {
        const kfk_ppart *pp = t->parts[i];
        if (pp->leader < 0 ||
            kfk_node_lats_stalled(&a->lats, pp->leader, a->conf.availability_timeout_ms))
            continue;
        t->load.cft[n] = (uint32_t)pp->queued;
        t->load.ids[n++] = i;
    }
    kfk_load_build(&t->load, n, t->npart);
}

void kfk_accum_drain(kfk_accum *a, const kfk_drain_args *args, kfk_drain_out *out) {
    kfk_list_init(&out->ready);
    kfk_list_init(&out->failed);
    out->next = INT64_MAX;
    out->need_md = out->need_bump = 0;
    pthread_mutex_lock(&a->lock);
    /* Round the topics and partitions from where the last drain had no
     * room (as Java's drainIndex): from the first every time, a full
     * request (1 MB batches at max.request.size) always went to the same
     * partitions while the last ones waited. */
    int32_t first_full = -1;
    for (int32_t k = 0; k < a->ntopics; k++) {
        int32_t tk = (a->drain_topic + k) % a->ntopics;
        kfk_ptopic *t = a->topics[tk];
        int32_t full = -1;
        for (int32_t j = 0; j < t->nalloc; j++) {
            int32_t i = (t->drain_from + j) % t->nalloc;
            if (drain_part(a, t->parts[i], args, out) && full < 0) full = i;
        }
        if (full >= 0) {
            t->drain_from = full;
            if (first_full < 0) first_full = tk;
        }
        if (a->conf.adaptive && t->sticky >= 0) update_load(a, t);
        if (t->npart < 0 && t->nalloc) out->need_md = 1;
    }
    if (first_full >= 0) a->drain_topic = first_full;
    pthread_mutex_unlock(&a->lock);
}

/* ---------------------------------------------------------------- results */

/* Puts b (sent before) back in its partition's queue in sequence order. */
static void queue_in_order(kfk_ppart *pp, kfk_pbatch *b) {
    kfk_list *at = pp->queue.next;
    for (; at != &pp->queue; at = at->next) {
        kfk_pbatch *q = KFK_CONTAINER_OF(at, kfk_pbatch, link);
        /* Before anything never sent, and before later sequences. */
        if (q->attempts == 0 || (b->base_seq >= 0 && q->base_seq > b->base_seq)) break;
    }
    kfk_list_insert_tail(at, &b->link); /* inserts before `at` */
    pp->queued++;
}

void kfk_accum_requeue_locked(kfk_accum *a, kfk_pbatch *b, int64_t retry_at) {
    (void)a;
    b->part->in_flight--;
    b->in_flight = 0;
    b->retry_at = retry_at;
    queue_in_order(b->part, b);
}

/* Appends the records of the finished batch src to h[0] (the first `half`)
 * and h[1] (the rest), with their opaques and timestamps. */
static int copy_halves(kfk_accum *a, kfk_pbatch **h, const kfk_pbatch *src, int32_t half) {
    kfk_wbuf z = {0}, flat = {0};
    const uint8_t *data = src->buf.data + src->bb.start;
    size_t len = src->buf.len - src->bb.start;
    if (src->refs.count) { /* rare (a batch the broker refused): copy the values in */
        if (kfk_batch_flatten(data, len, &src->refs, &flat)) return KFK_ERR_NOMEM;
        data = flat.data;
        len = flat.len;
    }
    kfk_records_iter it;
    kfk_records_iter_init(&it, data, len, &z, (size_t)1 << 30, KFK_RECORDS_SKIP_CRC);
    kfk_record rec;
    int rc = 0, got;
    int32_t i = 0;
    for (; !rc && i < src->bb.count && (got = kfk_records_next(&it, &rec)) == 1; i++) {
        kfk_record_header hs[64];
        size_t nh = 0;
        kfk_header_iter hi = kfk_record_headers(&rec);
        while (nh < 64 && kfk_header_next(&hi, &hs[nh])) nh++;
        kfk_pbatch *d = h[i >= half];
        if (d->bb.count == d->cap && (rc = grow_arrays(d))) break;
        int n = kfk_batch_append(&d->bb, rec.timestamp, rec.key, rec.value, hs, nh);
        if (n < 0) {
            rc = n;
            break;
        }
        d->opaques[d->bb.count - 1] = src->opaques[i];
        d->timestamps[d->bb.count - 1] = src->timestamps[i];
        d->mem += n;
        a->mem_used += n;
    }
    kfk_wbuf_free(&z);
    kfk_wbuf_free(&flat);
    return rc ? rc : i == src->bb.count ? 0 : KFK_ERR_MALFORMED;
}

/* Returns an unreported batch to the pools, releasing its memory. */
static void batch_drop(kfk_accum *a, kfk_pbatch *b) {
    a->mem_used -= b->mem;
    b->mem = 0;
    buf_give(a, &b->buf);
    refs_release(&b->refs);
    if (a->npool >= POOL_MAX) {
        batch_free(b);
        return;
    }
    kfk_list_insert_tail(&a->pool, &b->link);
    a->npool++;
}

int kfk_accum_split_locked(kfk_accum *a, kfk_pbatch *b, int64_t retry_at) {
    int32_t half = b->bb.count / 2;
    kfk_pbatch *h[2] = {batch_alloc(a, b->part, b->created), NULL};
    if (h[0]) h[1] = batch_alloc(a, b->part, b->created);
    int rc = h[1] ? copy_halves(a, h, b, half) : KFK_ERR_NOMEM;
    if (rc) {
        for (int k = 0; k < 2; k++)
            if (h[k]) batch_drop(a, h[k]);
        return rc;
    }
    kfk_ppart *pp = b->part;
    for (int k = 0; k < 2; k++) {
        kfk_pbatch *x = h[k];
        x->deadline = b->deadline;
        x->retry_at = retry_at;
        /* The halves take the batch's sequences between them, so later
         * batches keep theirs; as retries they go alone, in order. */
        x->base_seq = b->base_seq < 0 ? -1 : seq_add(b->base_seq, k ? half : 0);
        x->first_msgid = b->first_msgid + (k ? half : 0);
        x->pid = b->pid;
        x->epoch = b->epoch;
        x->attempts = b->attempts;
        x->node = b->node;
        x->node_epoch = b->node_epoch;
        queue_in_order(pp, x);
    }
    pp->in_flight--;
    b->in_flight = 0;
    batch_drop(a, b);
    return 0;
}

void kfk_accum_done_locked(kfk_accum *a, kfk_pbatch *b) {
    if (b->in_flight) b->part->in_flight--;
    b->in_flight = 0;
    if (b->err) b->part->err_msgs += b->bb.count; /* every failed batch ends here */
    if (!b->err && b->base_seq >= 0) {
        b->part->acked_next = seq_add(b->base_seq, b->bb.count);
        b->part->acked = 1;
    }
    a->mem_used -= b->mem;
    b->mem = 0;
    a->pending -= b->bb.count;
    buf_give(a, &b->buf);
    /* Wake blocked senders when an eighth of the buffer (or of the message
     * bound) and a batch are free, not per batch: each wake is a context
     * switch. */
    int64_t low = a->conf.buffer_memory - a->conf.buffer_memory / 8 - a->conf.batch_size -
                  2 * KFK_BATCH_OVERHEAD;
    int64_t max = a->conf.max_messages;
    if (a->mem_waiters && (a->mem_used <= low || low <= 0) && (!max || a->pending <= max - max / 8))
        pthread_cond_broadcast(&a->space);
}

void kfk_accum_reset_sequences_locked(kfk_accum *a) {
    for (int32_t k = 0; k < a->ntopics; k++) {
        kfk_ptopic *t = a->topics[k];
        for (int32_t i = 0; i < t->nalloc; i++) {
            kfk_ppart *pp = t->parts[i];
            pp->next_seq = pp->acked_next = pp->err_next = 0;
            pp->acked = 0;
            for (kfk_list *e = pp->queue.next; e != &pp->queue; e = e->next) {
                kfk_pbatch *b = KFK_CONTAINER_OF(e, kfk_pbatch, link);
                b->base_seq = -1;
            }
        }
    }
}

void kfk_accum_take_queued_locked(kfk_accum *a, kfk_list *out, int err, const char *why) {
    for (int32_t k = 0; k < a->ntopics; k++) {
        kfk_ptopic *t = a->topics[k];
        for (int32_t i = 0; i < t->nalloc; i++) {
            kfk_ppart *pp = t->parts[i];
            while (!kfk_list_empty(&pp->queue)) {
                kfk_pbatch *b = KFK_CONTAINER_OF(pp->queue.next, kfk_pbatch, link);
                fail_batch(b, err, why);
                take(pp, b, out);
            }
        }
    }
}

void kfk_accum_release_values(kfk_list *batches) {
    for (kfk_list *e = batches->next; e != batches; e = e->next)
        refs_release(&KFK_CONTAINER_OF(e, kfk_pbatch, link)->refs);
}

void kfk_accum_recycle(kfk_accum *a, kfk_list *batches) {
    kfk_accum_release_values(batches); /* values of batches done without a release */
    pthread_mutex_lock(&a->lock);
    while (!kfk_list_empty(batches)) {
        kfk_pbatch *b = KFK_CONTAINER_OF(batches->next, kfk_pbatch, link);
        kfk_list_remove(&b->link);
        a->queued -= b->bb.count;
        if (a->npool >= POOL_MAX) {
            batch_free(b);
            continue;
        }
        kfk_list_insert_tail(&a->pool, &b->link);
        a->npool++;
    }
    pthread_mutex_unlock(&a->lock);
}

int kfk_accum_finish(kfk_pbatch *b, const kfk_batch_opts *opts, kfk_wbuf *scratch) {
    if (!b->finished) {
        int rc = kfk_batch_finish(&b->bb, opts, scratch);
        if (!rc) b->finished = 1;
        return rc;
    }
    /* Offsets as in kfk_batch_finish: producerId 43, epoch 51, sequence 53;
     * the CRC (17) covers attributes (21) to the end. */
    uint8_t *h = b->buf.data + b->bb.start;
    size_t len = b->buf.len - b->bb.start;
    kfk_put_u64(h + 43, (uint64_t)opts->producer_id);
    kfk_put_u16(h + 51, (uint16_t)opts->producer_epoch);
    kfk_put_u32(h + 53, (uint32_t)opts->base_sequence);
    kfk_put_u32(h + 17, kfk_batch_crc(h, len, &b->refs));
    return 0;
}
