/* Input resolution and Java-compatible ordering shared by the assignors.
 *
 * Java's assignors iterate HashMaps keyed by member id, and in places (who
 * keeps extra owned partitions, which of several moved partitions moves back)
 * the result depends on that order. A java.util.HashMap built by puts
 * iterates by bucket, then by insertion order within a bucket (resizes split
 * buckets without reordering), so it is reproduced from String.hashCode and
 * the member order of the JoinGroup response. */
#include "assign/assignor_int.h"

#include <stdlib.h>
#include <string.h>

#include "kfk.h"

int kfk_java_strcmp(kfk_str a, kfk_str b) {
    int32_t la = a.len < 0 ? 0 : a.len, lb = b.len < 0 ? 0 : b.len;
    int32_t n = la < lb ? la : lb;
    int r = n ? memcmp(a.ptr, b.ptr, (size_t)n) : 0;
    if (r) return r;
    return la < lb ? -1 : la > lb;
}

/* Decodes one UTF-8 sequence at s[*i]; invalid bytes count as U+FFFD, as in
 * Java's decoder. */
static uint32_t utf8_next(const uint8_t *s, int32_t len, int32_t *i) {
    uint32_t c = s[(*i)++];
    int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    if (c >= 0x80 && c < 0xC0) return 0xFFFD;
    if (extra == 0) return c;
    if (*i + extra > len) {
        *i = len;
        return 0xFFFD;
    }
    c &= 0x3Fu >> extra;
    for (int k = 0; k < extra; k++) {
        if ((s[*i] & 0xC0) != 0x80) return 0xFFFD;
        c = (c << 6) | (s[(*i)++] & 0x3F);
    }
    return c;
}

int32_t kfk_java_str_hash(kfk_str s) {
    uint32_t h = 0;
    const uint8_t *p = (const uint8_t *)s.ptr;
    for (int32_t i = 0; i < s.len;) {
        uint32_t c = utf8_next(p, s.len, &i);
        if (c >= 0x10000) { /* a surrogate pair in UTF-16 */
            c -= 0x10000;
            h = 31 * h + (0xD800 + (c >> 10));
            c = 0xDC00 + (c & 0x3FF);
        }
        h = 31 * h + c;
    }
    return (int32_t)h;
}

uint32_t kfk_java_map_cap(uint32_t max_size) {
    uint32_t cap = 16; /* grows when size exceeds 3/4 of the buckets */
    while (max_size > cap / 4 * 3) cap *= 2;
    return cap;
}

static uint64_t str_hash64(kfk_str s) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (int32_t i = 0; i < s.len; i++) h = (h ^ (uint8_t)s.ptr[i]) * 1099511628211ull;
    return h;
}

int kfk_name_index_init(kfk_name_index *ix, kfk_arena *a, int32_t capacity) {
    uint32_t n = 8;
    while (n < (uint32_t)capacity * 2) n *= 2;
    ix->keys = kfk_arena_array(a, n, sizeof *ix->keys);
    ix->vals = kfk_arena_array(a, n, sizeof *ix->vals);
    if (!ix->keys || !ix->vals) return KFK_ERR_NOMEM;
    memset(ix->vals, 0xff, n * sizeof *ix->vals);
    ix->mask = n - 1;
    return 0;
}

static bool str_eq(kfk_str a, kfk_str b) {
    return a.len == b.len && (a.len <= 0 || memcmp(a.ptr, b.ptr, (size_t)a.len) == 0);
}

static uint32_t ix_slot(const kfk_name_index *ix, kfk_str name) {
    uint32_t i = (uint32_t)str_hash64(name) & ix->mask;
    while (ix->vals[i] >= 0 && !str_eq(ix->keys[i], name)) i = (i + 1) & ix->mask;
    return i;
}

int kfk_name_index_put(kfk_name_index *ix, kfk_str name, int32_t val) {
    uint32_t i = ix_slot(ix, name);
    if (ix->vals[i] >= 0) return 1;
    ix->keys[i] = name;
    ix->vals[i] = val;
    return 0;
}

int32_t kfk_name_index_get(const kfk_name_index *ix, kfk_str name) {
    return ix->vals[ix_slot(ix, name)];
}

int kfk_assign_member_cmp(const kfk_assign_member *x, const kfk_assign_member *y) {
    bool sx = x->group_instance_id.len >= 0, sy = y->group_instance_id.len >= 0;
    if (sx && sy) return kfk_java_strcmp(x->group_instance_id, y->group_instance_id);
    if (sx != sy) return sx ? -1 : 1;
    return kfk_java_strcmp(x->member_id, y->member_id);
}

/* qsort has no context argument; the comparators below read these. Assignors
 * are pure but not reentrant across threads through these two: keep them
 * thread-local. */
static _Thread_local const kfk_assign_ctx *sort_ctx;
static _Thread_local const uint32_t *sort_keys;

static int cmp_java_order(const void *pa, const void *pb) {
    int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    if (sort_keys[a] != sort_keys[b]) return sort_keys[a] < sort_keys[b] ? -1 : 1;
    return (a > b) - (a < b);
}

static int cmp_topic_name(const void *pa, const void *pb) {
    const kfk_assign_topic *t = sort_ctx->in->topics;
    return kfk_java_strcmp(t[*(const int32_t *)pa].name, t[*(const int32_t *)pb].name);
}

int32_t kfk_assign_gp_topic(const kfk_assign_ctx *c, int32_t gp) {
    int32_t lo = 0, hi = c->in->ntopics - 1;
    while (lo < hi) { /* last topic whose first partition is <= gp */
        int32_t mid = (lo + hi + 1) / 2;
        if (c->first[mid] <= gp) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

static int resolve_topics(kfk_assign_ctx *c) {
    const kfk_assign_input *in = c->in;
    int32_t nt = in->ntopics;
    c->first = kfk_arena_array(c->a, (size_t)nt + 1, sizeof *c->first);
    c->topic_rank = kfk_arena_array(c->a, (size_t)nt + 1, sizeof *c->topic_rank);
    int32_t *by_name = kfk_arena_array(c->a, (size_t)nt + 1, sizeof *by_name);
    if (!c->first || !c->topic_rank || !by_name || kfk_name_index_init(&c->topic_ix, c->a, nt))
        return KFK_ERR_NOMEM;
    int64_t total = 0;
    for (int32_t t = 0; t < nt; t++) {
        if (in->topics[t].partitions < 0 || kfk_name_index_put(&c->topic_ix, in->topics[t].name, t))
            return KFK_ERR_INVALID_ARG;
        c->first[t] = (int32_t)total;
        total += in->topics[t].partitions;
        if (total > INT32_MAX / 2) return KFK_ERR_INVALID_ARG;
        by_name[t] = t;
    }
    c->first[nt] = (int32_t)total;
    c->nparts = (int32_t)total;
    sort_ctx = c;
    qsort(by_name, (size_t)nt, sizeof *by_name, cmp_topic_name);
    for (int32_t r = 0; r < nt; r++) c->topic_rank[by_name[r]] = r;
    return 0;
}

static int resolve_members(kfk_assign_ctx *c) {
    const kfk_assign_input *in = c->in;
    int32_t nm = in->nmembers, nt = in->ntopics;
    kfk_name_index member_ix;
    size_t nsub = 0;
    for (int32_t m = 0; m < nm; m++) {
        if (in->members[m].ntopics < 0 || in->members[m].nowned < 0) return KFK_ERR_INVALID_ARG;
        nsub += (size_t)in->members[m].ntopics;
    }
    c->sub_start = kfk_arena_array(c->a, (size_t)nm + 1, sizeof *c->sub_start);
    c->sub_topics = kfk_arena_array(c->a, nsub + 1, sizeof *c->sub_topics);
    c->subscribed = kfk_arena_array(c->a, (size_t)nm * (size_t)nt + 1, 1);
    c->java_order = kfk_arena_array(c->a, (size_t)nm + 1, sizeof *c->java_order);
    uint32_t *keys = kfk_arena_array(c->a, (size_t)nm + 1, sizeof *keys);
    if (!c->sub_start || !c->sub_topics || !c->subscribed || !c->java_order || !keys ||
        kfk_name_index_init(&member_ix, c->a, nm))
        return KFK_ERR_NOMEM;
    uint32_t cap = kfk_java_map_cap((uint32_t)nm);
    int32_t k = 0;
    for (int32_t m = 0; m < nm; m++) {
        const kfk_assign_member *mem = &in->members[m];
        if (kfk_name_index_put(&member_ix, mem->member_id, m)) return KFK_ERR_INVALID_ARG;
        c->sub_start[m] = k;
        for (int32_t i = 0; i < mem->ntopics; i++) {
            int32_t t = kfk_name_index_get(&c->topic_ix, mem->topics[i]);
            if (t < 0 || in->topics[t].partitions == 0 || c->subscribed[(size_t)m * nt + t]) continue;
            c->subscribed[(size_t)m * nt + t] = 1;
            c->sub_topics[k++] = t;
        }
        keys[m] = kfk_java_bucket(kfk_java_str_hash(mem->member_id), cap);
        c->java_order[m] = m;
    }
    c->sub_start[nm] = k;
    sort_keys = keys;
    qsort(c->java_order, (size_t)nm, sizeof *c->java_order, cmp_java_order);
    return 0;
}

int kfk_assign_ctx_init(kfk_assign_ctx *c, const kfk_assign_input *in, kfk_arena *a) {
    memset(c, 0, sizeof *c);
    c->in = in;
    c->a = a;
    if (in->ntopics < 0 || in->nmembers < 0) return KFK_ERR_INVALID_ARG;
    int rc = resolve_topics(c);
    return rc ? rc : resolve_members(c);
}

static int cmp_gp_by_name(const void *pa, const void *pb) {
    int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    int32_t ta = kfk_assign_gp_topic(sort_ctx, a), tb = kfk_assign_gp_topic(sort_ctx, b);
    if (ta != tb) return sort_ctx->topic_rank[ta] < sort_ctx->topic_rank[tb] ? -1 : 1;
    return (a > b) - (a < b);
}

int kfk_assign_emit(const kfk_assign_ctx *c, int32_t m, const int32_t *gps, int32_t n,
                    kfk_member_assignment *out) {
    int32_t *tmp = kfk_arena_array(c->a, (size_t)n + 1, sizeof *tmp);
    kfk_assign_tp *tps = kfk_arena_array(c->a, (size_t)n + 1, sizeof *tps);
    if (!tmp || !tps) return KFK_ERR_NOMEM;
    if (n) memcpy(tmp, gps, (size_t)n * sizeof *tmp);
    sort_ctx = c;
    qsort(tmp, (size_t)n, sizeof *tmp, cmp_gp_by_name);
    for (int32_t i = 0; i < n; i++) {
        int32_t t = kfk_assign_gp_topic(c, tmp[i]);
        tps[i].topic = t;
        tps[i].partition = tmp[i] - c->first[t];
    }
    out[m].partitions = tps;
    out[m].count = n;
    return 0;
}

int kfk_ivec_push(kfk_ivec *l, kfk_arena *a, int32_t x) {
    if (l->n == l->cap) {
        int32_t cap = l->cap ? l->cap * 2 : 8;
        int32_t *v = kfk_arena_array(a, (size_t)cap, sizeof *v);
        if (!v) return KFK_ERR_NOMEM;
        if (l->n) memcpy(v, l->v, (size_t)l->n * sizeof *v);
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = x;
    return 0;
}

bool kfk_ivec_remove(kfk_ivec *l, int32_t x) {
    for (int32_t i = 0; i < l->n; i++) {
        if (l->v[i] != x) continue;
        memmove(l->v + i, l->v + i + 1, (size_t)(l->n - i - 1) * sizeof *l->v);
        l->n--;
        return true;
    }
    return false;
}

static int cmp_int(const void *pa, const void *pb) {
    int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    return (a > b) - (a < b);
}

void kfk_sort_ints(int32_t *v, int32_t n) {
    if (n > 1) qsort(v, (size_t)n, sizeof *v, cmp_int);
}

static const kfk_assignor *const all_assignors[] = {
    &kfk_assignor_range,
    &kfk_assignor_roundrobin,
    &kfk_assignor_cooperative_sticky,
};

const kfk_assignor *kfk_assignor_find(const char *name, size_t len) {
    for (size_t i = 0; i < sizeof all_assignors / sizeof all_assignors[0]; i++) {
        const char *n = all_assignors[i]->name;
        if (strlen(n) == len && memcmp(n, name, len) == 0) return all_assignors[i];
    }
    return NULL;
}
