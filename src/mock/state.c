/* The mock cluster's in-memory state: brokers, topics, partition logs with
 * a byte bound (the oldest batches go first), fault queues. */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "kfk.h"
#include "mock/mock_int.h"

static uint64_t next_rand(kfk_mock *m) {
    /* splitmix64: topic ids need only be distinct, not secret. */
    uint64_t z = (m->id_seed += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

kfk_mock *kfk_mock_new(int nbrokers, const char *host, const int *ports, size_t max_bytes) {
    if (nbrokers < 1 || nbrokers > 1000 || !host) return NULL;
    kfk_mock *m = kfk_calloc(1, sizeof *m);
    if (!m) return NULL;
    m->host = kfk_malloc(strlen(host) + 1);
    m->brokers = kfk_calloc((size_t)nbrokers, sizeof *m->brokers);
    if (!m->host || !m->brokers) {
        kfk_mock_free(m);
        return NULL;
    }
    strcpy(m->host, host);
    m->nbrokers = nbrokers;
    for (int i = 0; i < nbrokers; i++) {
        m->brokers[i].id = i + 1;
        m->brokers[i].port = ports ? ports[i] : 9092 + i;
    }
    m->max_bytes = max_bytes ? max_bytes : (size_t)256 << 20;
    /* Java's session timeout; heartbeats more often than its 5 s, so that
     * tests see rebalances settle quickly. */
    m->cg_session_ms = 45000;
    m->cg_heartbeat_ms = 500;
    m->next_pid = 1000;
    m->max_sessions = 1000; /* Kafka's max.incremental.fetch.session.cache.slots */
    m->id_seed = (uint64_t)(uintptr_t)m ^ 0x6b666b6d6f636bULL;
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < 22; i++) m->cluster_id[i] = b64[next_rand(m) & 63];
    return m;
}

static void part_free(mock_part *p) {
    kfk_free(p->replicas);
    kfk_free(p->log);
    kfk_free(p->batches);
    kfk_free(p->producers);
    kfk_free(p->epochs);
    mock_ptxn_free(p);
}

static void topic_free(mock_topic *t) {
    for (int32_t i = 0; i < t->nparts; i++) part_free(&t->parts[i]);
    kfk_free(t->parts);
    kfk_free(t->name);
    kfk_free(t);
}

void kfk_mock_free(kfk_mock *m) {
    if (!m) return;
    for (int32_t i = 0; i < m->ntopics; i++) topic_free(m->topics[i]);
    kfk_free(m->topics);
    mock_groups_free(m);
    mock_txns_free(m);
    mock_sessions_free(m);
    for (int32_t i = 0; m->brokers && i < m->nbrokers; i++) kfk_free(m->brokers[i].rack);
    kfk_free(m->brokers);
    kfk_free(m->host);
    kfk_free(m);
}

uint64_t kfk_mock_data_version(const kfk_mock *m) { return m->data_version; }

int mock_array(kfk_arena *a, void *array, int32_t count, size_t elem) {
    kfk_array x = {NULL, count < 0 ? 0 : count};
    if (x.count && !(x.items = kfk_arena_array(a, (size_t)x.count, elem))) return KFK_ERR_NOMEM;
    memcpy(array, &x, sizeof x);
    return 0;
}

const mock_broker *mock_broker_get(const kfk_mock *m, int32_t id) {
    return id >= 1 && id <= m->nbrokers ? &m->brokers[id - 1] : NULL;
}

mock_topic *mock_topic_find(const kfk_mock *m, kfk_str name) {
    if (name.len < 0) return NULL;
    for (int32_t i = 0; i < m->ntopics; i++) {
        const char *n = m->topics[i]->name;
        if (strlen(n) == (size_t)name.len && !memcmp(n, name.ptr, (size_t)name.len))
            return m->topics[i];
    }
    return NULL;
}

mock_topic *mock_topic_find_id(const kfk_mock *m, const kfk_uuid *id) {
    for (int32_t i = 0; i < m->ntopics; i++)
        if (kfk_uuid_eq(&m->topics[i]->id, id)) return m->topics[i];
    return NULL;
}

static int valid_name(kfk_str n) {
    if (n.len <= 0 || n.len > 249) return 0;
    if ((n.len == 1 && n.ptr[0] == '.') || (n.len == 2 && !memcmp(n.ptr, "..", 2))) return 0;
    for (int32_t i = 0; i < n.len; i++) {
        char ch = n.ptr[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-'))
            return 0;
    }
    return 1;
}

/* Partitions [from, to) of t get replicas round-robin over the brokers. */
static int parts_init(kfk_mock *m, mock_topic *t, int32_t from, int32_t to, int16_t rf) {
    for (int32_t i = from; i < to; i++) {
        mock_part *p = &t->parts[i];
        memset(p, 0, sizeof *p);
        p->replicas = kfk_calloc((size_t)rf, sizeof *p->replicas);
        if (!p->replicas) return -1;
        p->nreplicas = rf;
        p->follower = -1;
        p->follower_lo = p->follower_hi = -1;
        for (int16_t r = 0; r < rf; r++) p->replicas[r] = (i + r) % m->nbrokers + 1;
        p->leader = p->replicas[0];
        if (mock_epoch_new(p, 0, 0)) return -1;
    }
    return 0;
}

int mock_topic_add(kfk_mock *m, kfk_str name, int32_t partitions, int16_t replication,
                   mock_topic **out) {
    if (!valid_name(name)) return KFK_ERR_INVALID_TOPIC_EXCEPTION;
    if (mock_topic_find(m, name)) return KFK_ERR_TOPIC_ALREADY_EXISTS;
    if (partitions == -1) partitions = 1;
    if (replication == -1) replication = (int16_t)(m->nbrokers < 3 ? m->nbrokers : 3);
    if (partitions < 1 || partitions > 100000) return KFK_ERR_INVALID_PARTITIONS;
    if (replication < 1 || replication > m->nbrokers) return KFK_ERR_INVALID_REPLICATION_FACTOR;
    if (m->ntopics == m->tcap) {
        int32_t cap = m->tcap ? m->tcap * 2 : 8;
        mock_topic **n = kfk_realloc(m->topics, (size_t)cap * sizeof *n);
        if (!n) return KFK_ERR_UNKNOWN_SERVER_ERROR;
        m->topics = n;
        m->tcap = cap;
    }
    mock_topic *t = kfk_calloc(1, sizeof *t);
    if (!t) return KFK_ERR_UNKNOWN_SERVER_ERROR;
    t->name = kfk_malloc((size_t)name.len + 1);
    t->parts = kfk_calloc((size_t)partitions, sizeof *t->parts);
    t->nparts = partitions;
    if (!t->name || !t->parts || parts_init(m, t, 0, partitions, replication) != 0) {
        topic_free(t);
        return KFK_ERR_UNKNOWN_SERVER_ERROR;
    }
    memcpy(t->name, name.ptr, (size_t)name.len);
    t->name[name.len] = 0;
    uint64_t a = next_rand(m), b = next_rand(m);
    memcpy(t->id.b, &a, 8);
    memcpy(t->id.b + 8, &b, 8);
    m->topics[m->ntopics++] = t;
    if (out) *out = t;
    return 0;
}

int mock_topic_delete(kfk_mock *m, mock_topic *t) {
    for (int32_t i = 0; i < m->ntopics; i++) {
        if (m->topics[i] != t) continue;
        for (int32_t j = 0; j < t->nparts; j++) m->bytes -= t->parts[j].len - t->parts[j].head;
        topic_free(t);
        m->topics[i] = m->topics[--m->ntopics];
        return 0;
    }
    return KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION;
}

int mock_topic_grow(kfk_mock *m, mock_topic *t, int32_t partitions) {
    if (partitions <= t->nparts || partitions > 100000) return KFK_ERR_INVALID_PARTITIONS;
    mock_part *n = kfk_realloc(t->parts, (size_t)partitions * sizeof *n);
    if (!n) return KFK_ERR_UNKNOWN_SERVER_ERROR;
    t->parts = n;
    int32_t old = t->nparts;
    int rc = parts_init(m, t, old, partitions, (int16_t)t->parts[0].nreplicas);
    t->nparts = partitions;
    return rc ? KFK_ERR_UNKNOWN_SERVER_ERROR : 0;
}

int kfk_mock_create_topic(kfk_mock *m, const char *name, int32_t partitions, int16_t replication) {
    if (replication > m->nbrokers) replication = (int16_t)m->nbrokers;
    return mock_topic_add(m, kfk_str_of(name), partitions, replication, NULL);
}

/* Drops p's oldest batch; the log start moves past it. */
static void evict_one(kfk_mock *m, mock_part *p) {
    mock_batch *b = &p->batches[p->bhead++];
    p->head += b->len;
    m->bytes -= b->len;
    p->log_start = b->last + 1;
    if (p->bhead == p->bcount) {
        p->bhead = p->bcount = 0;
        p->head = p->len = 0;
    }
}

/* Evicts oldest batches, first from p, then from the other partitions,
 * until the cluster fits its bound again. */
static void enforce_bound(kfk_mock *m, mock_part *p) {
    while (m->bytes > m->max_bytes && p->bcount - p->bhead > 1) evict_one(m, p);
    for (int32_t i = 0; i < m->ntopics && m->bytes > m->max_bytes; i++) {
        mock_topic *t = m->topics[i];
        for (int32_t j = 0; j < t->nparts && m->bytes > m->max_bytes; j++)
            while (m->bytes > m->max_bytes && t->parts[j].bcount > t->parts[j].bhead &&
                   &t->parts[j] != p)
                evict_one(m, &t->parts[j]);
    }
}

/* Moves the live bytes and batches to the front once half the buffer is
 * dead, so eviction does not leak space. */
static void compact(mock_part *p) {
    if (p->head && p->head >= p->len / 2) {
        memmove(p->log, p->log + p->head, p->len - p->head);
        for (size_t i = p->bhead; i < p->bcount; i++) p->batches[i].pos -= p->head;
        p->len -= p->head;
        p->head = 0;
    }
    if (p->bhead && p->bhead >= p->bcount / 2) {
        memmove(p->batches, p->batches + p->bhead, (p->bcount - p->bhead) * sizeof *p->batches);
        p->bcount -= p->bhead;
        p->bhead = 0;
    }
}

int64_t mock_part_append(kfk_mock *m, mock_part *p, const uint8_t *batch, uint32_t len,
                         int64_t max_ts) {
    compact(p);
    if (p->cap - p->len < len) {
        size_t cap = p->cap ? p->cap : 4096;
        while (cap - p->len < len) cap *= 2;
        uint8_t *n = kfk_realloc(p->log, cap);
        if (!n) return -1;
        p->log = n;
        p->cap = cap;
    }
    if (p->bcount == p->bcap) {
        size_t cap = p->bcap ? p->bcap * 2 : 16;
        mock_batch *n = kfk_realloc(p->batches, cap * sizeof *n);
        if (!n) return -1;
        p->batches = n;
        p->bcap = cap;
    }
    uint8_t *dst = p->log + p->len;
    memcpy(dst, batch, len);
    int64_t base = p->hw;
    /* The CRC starts at the attributes: base offset and leader epoch can
     * be rewritten without recomputing it. */
    kfk_put_u64(dst, (uint64_t)base);
    kfk_put_u32(dst + 12, (uint32_t)p->leader_epoch);
    int32_t last_delta = (int32_t)((uint32_t)dst[23] << 24 | (uint32_t)dst[24] << 16 |
                                   (uint32_t)dst[25] << 8 | dst[26]);
    p->batches[p->bcount++] = (mock_batch){base, base + last_delta, max_ts, p->len, len};
    p->len += len;
    p->hw = base + last_delta + 1;
    m->bytes += len;
    m->data_version++;
    enforce_bound(m, p);
    return base;
}

size_t mock_part_find(const mock_part *p, int64_t offset) {
    size_t lo = p->bhead, hi = p->bcount;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->batches[mid].last < offset) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

int kfk_mock_push_error(kfk_mock *m, int32_t broker_id, int16_t api_key, int32_t count,
                        int16_t err) {
    if (count <= 0 || !kfk_api_info_get(api_key) || (broker_id != -1 && !mock_broker_get(m, broker_id)))
        return -1;
    if (m->nfaults == MOCK_MAX_FAULTS) return -1;
    m->faults[m->nfaults++] = (mock_fault){broker_id, api_key, err, count, 0};
    return 0;
}

void kfk_mock_clear_errors(kfk_mock *m, int32_t broker_id, int16_t api_key) {
    int kept = 0;
    for (int i = 0; i < m->nfaults; i++) {
        const mock_fault *f = &m->faults[i];
        if (f->api != api_key || (broker_id != -1 && f->broker != broker_id))
            m->faults[kept++] = *f;
    }
    m->nfaults = kept;
}

int kfk_mock_set_down(kfk_mock *m, int32_t broker_id, int down) {
    if (!mock_broker_get(m, broker_id)) return -1;
    m->brokers[broker_id - 1].down = down != 0;
    return 0;
}

int kfk_mock_is_down(const kfk_mock *m, int32_t broker_id) {
    const mock_broker *b = mock_broker_get(m, broker_id);
    return b ? b->down : -1;
}

int kfk_mock_set_rtt(kfk_mock *m, int32_t broker_id, int32_t rtt_ms) {
    if (!mock_broker_get(m, broker_id) || rtt_ms < 0) return -1;
    m->brokers[broker_id - 1].rtt_ms = rtt_ms;
    return 0;
}

int32_t kfk_mock_rtt(const kfk_mock *m, int32_t broker_id) {
    const mock_broker *b = mock_broker_get(m, broker_id);
    return b ? b->rtt_ms : 0;
}

static mock_part *part_of(const kfk_mock *m, const char *topic, int32_t partition) {
    mock_topic *t = mock_topic_find(m, kfk_str_of(topic));
    return t && partition >= 0 && partition < t->nparts ? &t->parts[partition] : NULL;
}

int kfk_mock_set_leader(kfk_mock *m, const char *topic, int32_t partition, int32_t broker_id) {
    mock_part *p = part_of(m, topic, partition);
    if (!p || !mock_broker_get(m, broker_id)) return -1;
    p->leader = broker_id;
    return mock_epoch_new(p, p->leader_epoch + 1, p->hw);
}

int kfk_mock_offsets(const kfk_mock *m, const char *topic, int32_t partition, int64_t *start,
                     int64_t *hw) {
    mock_part *p = part_of(m, topic, partition);
    if (!p) return -1;
    *start = p->log_start;
    *hw = p->hw;
    return 0;
}
