/* Acquired-records bookkeeping and acknowledgement batches (share_acks.h). */
#include "share/share_acks.h"

#include <stdlib.h>
#include <string.h>

#include "consumer/chunk.h"
#include "core/alloc.h"

static int grow(kfk_share_acks *a, int want) {
    if (want <= a->cap) return 0;
    int cap = a->cap ? a->cap : 16;
    while (cap < want) cap *= 2;
    kfk_share_ack *v = kfk_realloc(a->v, (size_t)cap * sizeof *v);
    if (!v) return KFK_ERR_NOMEM;
    a->v = v;
    a->cap = cap;
    return 0;
}

int kfk_share_acks_add_range(kfk_share_acks *a, int64_t first, int64_t last, int8_t type) {
    kfk_share_ack *t = a->n ? &a->v[a->n - 1] : NULL;
    if (t && t->type == type && t->last + 1 == first) {
        t->last = last;
        return 0;
    }
    if (grow(a, a->n + 1)) return KFK_ERR_NOMEM;
    a->v[a->n++] = (kfk_share_ack){first, last, type};
    return 0;
}

void kfk_share_acks_free(kfk_share_acks *a) {
    kfk_free(a->v);
    *a = (kfk_share_acks){0};
}

static int cmp_i64(const void *x, const void *y) {
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

/* Rewrites a's ranges (out of order, or overlapping) as sorted disjoint
 * ones, the range added last winning each offset: cut at every range's
 * ends, each piece takes the type of the last range covering it. Rare
 * (gaps of a new fetch before the last accept of the one before, an
 * offset acknowledged twice), and a holds few ranges then. */
static int resolve(kfk_share_acks *a) {
    int n = a->n, np = 0;
    int64_t *pts = kfk_malloc((size_t)n * 2 * sizeof *pts);
    kfk_share_ack *out = kfk_malloc((size_t)n * 2 * sizeof *out);
    if (!pts || !out) {
        kfk_free(pts);
        kfk_free(out);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        pts[np++] = a->v[i].first;
        pts[np++] = a->v[i].last + 1;
    }
    qsort(pts, (size_t)np, sizeof *pts, cmp_i64);
    int no = 0;
    for (int k = 0; k + 1 < np; k++) {
        if (pts[k] == pts[k + 1]) continue;
        int w = n - 1;
        while (w >= 0 && (a->v[w].first > pts[k] || a->v[w].last < pts[k])) w--;
        if (w < 0) continue;
        kfk_share_ack *t = no ? &out[no - 1] : NULL;
        if (t && t->type == a->v[w].type && t->last + 1 == pts[k]) t->last = pts[k + 1] - 1;
        else out[no++] = (kfk_share_ack){pts[k], pts[k + 1] - 1, a->v[w].type};
    }
    kfk_free(pts);
    kfk_free(a->v);
    a->v = out;
    a->n = no;
    a->cap = n * 2;
    return 0;
}

int kfk_share_acks_take(kfk_share_acks *a, kfk_arena *ar, kfk_share_batch **out) {
    *out = NULL;
    if (a->n == 0) return 0;
    int ordered = 1;
    for (int i = 1; i < a->n && ordered; i++) ordered = a->v[i].first > a->v[i - 1].last;
    if (!ordered && resolve(a)) return -1;
    kfk_share_batch *b = kfk_arena_array(ar, (size_t)a->n, sizeof *b);
    int8_t *types = kfk_arena_alloc(ar, (size_t)a->n);
    if (!b || !types) return -1;
    int nb = 0;
    for (int i = 0; i < a->n; i++) {
        const kfk_share_ack *s = &a->v[i];
        if (nb && b[nb - 1].last + 1 == s->first && b[nb - 1].types[0] == s->type) {
            b[nb - 1].last = s->last;
            continue;
        }
        types[nb] = s->type;
        b[nb] = (kfk_share_batch){s->first, s->last, &types[nb], 1};
        nb++;
    }
    a->n = 0;
    *out = b;
    return nb;
}

static int cmp_range(const void *x, const void *y) {
    const kfk_share_range *a = x, *b = y;
    return a->first < b->first ? -1 : a->first > b->first;
}

/* The acquired offsets from..to carry no record. */
static int gap(kfk_share_acks *g, int64_t from, int64_t to) {
    return from <= to ? kfk_share_acks_add_range(g, from, to, KFK_ACK_GAP) : 0;
}

static int64_t max64(int64_t a, int64_t b) {
    return a > b ? a : b;
}

int kfk_share_filter(kfk_consumer_message **head, kfk_consumer_message **tail,
                     const kfk_share_range *r, int n, kfk_share_acks *gaps) {
    /* Brokers list ranges in order: copied and sorted only when not. */
    int sorted = 1;
    for (int i = 1; i < n && sorted; i++) sorted = r[i].first >= r[i - 1].first;
    kfk_share_range *copy = NULL;
    kfk_consumer_message *m = *head, *kt = NULL, **link = head;
    if (!sorted) {
        if (!(copy = kfk_malloc((size_t)n * sizeof *copy))) goto nomem_list;
        memcpy(copy, r, (size_t)n * sizeof *copy);
        qsort(copy, (size_t)n, sizeof *copy, cmp_range);
    }
    const kfk_share_range *rs = copy ? copy : r;
    /* The list is edited in place (kept records stay linked): the range
     * at hand in locals, past the last one first = last = INT64_MAX, which
     * no record reaches. */
    int kept = 0, ri = 0;
    int64_t first = n > 0 ? rs[0].first : INT64_MAX, last = n > 0 ? rs[0].last : INT64_MAX;
    int16_t count = n > 0 ? rs[0].delivery_count : 0;
    int64_t next_gap = first; /* the first acquired offset not yet seen */
    for (kfk_consumer_message *next; m; m = next) {
        next = kfk_cmsg(m)->next;
        int64_t off = m->offset;
        while (off > last) { /* ranges wholly before m: gaps to their end */
            if (gap(gaps, max64(next_gap, first), last)) goto nomem_list;
            ri++;
            first = ri < n ? rs[ri].first : INT64_MAX;
            last = ri < n ? rs[ri].last : INT64_MAX;
            count = ri < n ? rs[ri].delivery_count : 0;
            next_gap = first;
        }
        if (off >= first && kfk_cmsg(m)->kind == KFK_KIND_RECORD) {
            if (off > next_gap && gap(gaps, max64(next_gap, first), off - 1)) goto nomem_list;
            next_gap = off + 1;
            m->delivery_count = count;
            *link = m;
            link = &kfk_cmsg(m)->next;
            kt = m;
            kept++;
        } else {
            kfk_consumer_message_release(m);
        }
    }
    *link = NULL;
    for (; ri < n; ri++) { /* acquired offsets past the last record */
        if (gap(gaps, max64(next_gap, rs[ri].first), rs[ri].last)) goto nomem_list;
        if (ri + 1 < n) next_gap = rs[ri + 1].first;
    }
    kfk_free(copy);
    *tail = kt;
    return kept;
nomem_list:
    *link = NULL;
    for (kfk_consumer_message *x = *head, *nx; x; x = nx) {
        nx = kfk_cmsg(x)->next;
        kfk_consumer_message_release(x);
    }
    for (kfk_consumer_message *nx; m; m = nx) {
        nx = kfk_cmsg(m)->next;
        kfk_consumer_message_release(m);
    }
    kfk_free(copy);
    *head = *tail = NULL;
    return -1;
}
