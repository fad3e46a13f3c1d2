#include "producer/partitioner.h"

#include <string.h>

#include "core/alloc.h"

int32_t kfk_murmur2(const void *data, size_t len) {
    const uint32_t seed = 0x9747b28c, m = 0x5bd1e995;
    const int r = 24;
    const uint8_t *p = data;
    uint32_t h = seed ^ (uint32_t)len;
    size_t blocks = len / 4;
    for (size_t i = 0; i < blocks; i++, p += 4) {
        uint32_t k = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                     (uint32_t)p[3] << 24;
        k *= m;
        k ^= k >> r;
        k *= m;
        h *= m;
        h ^= k;
    }
    switch (len & 3) {
    case 3:
        h ^= (uint32_t)p[2] << 16;
        /* fall through */
    case 2:
        h ^= (uint32_t)p[1] << 8;
        /* fall through */
    case 1:
        h ^= p[0];
        h *= m;
    }
    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return (int32_t)h;
}

int kfk_load_reserve(kfk_load *l, int32_t n) {
    if (n <= l->cap) return 0;
    uint32_t *cft = kfk_realloc(l->cft, (size_t)n * sizeof *cft);
    if (!cft) return KFK_ERR_NOMEM;
    l->cft = cft;
    int32_t *ids = kfk_realloc(l->ids, (size_t)n * sizeof *ids);
    if (!ids) return KFK_ERR_NOMEM;
    l->ids = ids;
    l->cap = n;
    return 0;
}

void kfk_load_free(kfk_load *l) {
    kfk_free(l->cft);
    kfk_free(l->ids);
    *l = (kfk_load){0};
}

void kfk_load_build(kfk_load *l, int32_t len, int32_t total) {
    l->len = 0;
    if (len < 1 || total < 2) return;
    uint32_t max = l->cft[0];
    int same = 1;
    for (int32_t i = 1; i < len; i++) {
        same &= l->cft[i] == max;
        if (l->cft[i] > max) max = l->cft[i];
    }
    /* Some partitions left out (no leader, or a stalled one) still need the
     * table, even if those left have equal queues. */
    if (same && len == total) return;
    uint32_t sum = 0;
    for (int32_t i = 0; i < len; i++) l->cft[i] = sum += max + 1 - l->cft[i];
    l->len = len;
}

int32_t kfk_load_pick(const kfk_load *l, uint64_t r) {
    if (l->len <= 0) return -1;
    uint32_t x = (uint32_t)(r % l->cft[l->len - 1]);
    int32_t lo = 0, hi = l->len - 1; /* the first entry greater than x */
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if (l->cft[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return l->ids[lo];
}

static kfk_node_lat *lat_find(kfk_node_lats *s, int32_t node) {
    if (s->last < s->n && s->v[s->last].node == node) return &s->v[s->last];
    for (int32_t i = 0; i < s->n; i++)
        if (s->v[i].node == node) return &s->v[s->last = i];
    return NULL;
}

void kfk_node_lats_mark(kfk_node_lats *s, int32_t node, int64_t now, int drained) {
    kfk_node_lat *n = lat_find(s, node);
    if (!n) {
        if (s->n == s->cap) {
            int32_t cap = s->cap ? s->cap * 2 : 8;
            kfk_node_lat *v = kfk_realloc(s->v, (size_t)cap * sizeof *v);
            if (!v) return; /* without statistics the node stays available */
            s->v = v;
            s->cap = cap;
        }
        n = &s->v[s->n++];
        *n = (kfk_node_lat){.node = node, .ready_ms = now, .drain_ms = now};
    }
    if (drained) n->drain_ms = now;
    n->ready_ms = now;
}

int kfk_node_lats_stalled(kfk_node_lats *s, int32_t node, int64_t timeout_ms) {
    if (timeout_ms <= 0) return 0;
    const kfk_node_lat *n = lat_find(s, node);
    return n && n->ready_ms - n->drain_ms > timeout_ms;
}

void kfk_node_lats_free(kfk_node_lats *s) {
    kfk_free(s->v);
    *s = (kfk_node_lats){0};
}
