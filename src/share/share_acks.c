/* Acquired-records bookkeeping and acknowledgement batches (share_acks.h). */
#include "share/share_acks.h"

#include <stdlib.h>
#include <string.h>

#include "consumer/chunk.h"
#include "core/alloc.h"

int kfk_share_acks_add(kfk_share_acks *a, int64_t offset, int8_t type) {
    if (a->n == a->cap) {
        int cap = a->cap ? a->cap * 2 : 64;
        kfk_share_ack *v = kfk_realloc(a->v, (size_t)cap * sizeof *v);
        if (!v) return KFK_ERR_NOMEM;
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = (kfk_share_ack){offset, type};
    return 0;
}

void kfk_share_acks_free(kfk_share_acks *a) {
    kfk_free(a->v);
    *a = (kfk_share_acks){0};
}

/* By offset. */
static int cmp_ack(const void *x, const void *y) {
    const kfk_share_ack *a = x, *b = y;
    return a->offset < b->offset ? -1 : a->offset > b->offset;
}

int kfk_share_acks_take(kfk_share_acks *a, kfk_arena *ar, kfk_share_batch **out) {
    *out = NULL;
    if (a->n == 0) return 0;
    kfk_share_batch *b = kfk_arena_array(ar, (size_t)a->n, sizeof *b);
    if (!b) return -1;
    /* A stable insertion sort (the input is nearly sorted: acknowledgements
     * follow delivery order), so the last of equal offsets stays last. */
    kfk_share_ack *s = a->v;
    for (int i = 1; i < a->n; i++) {
        kfk_share_ack k = s[i];
        int j = i - 1;
        while (j >= 0 && cmp_ack(&s[j], &k) > 0) {
            s[j + 1] = s[j];
            j--;
        }
        s[j + 1] = k;
    }
    int nb = 0;
    for (int i = 0; i < a->n; i++) {
        /* the last of a run of equal offsets */
        if (i + 1 < a->n && s[i + 1].offset == s[i].offset) continue;
        kfk_share_batch *last = nb ? &b[nb - 1] : NULL;
        if (last && last->last + 1 == s[i].offset && last->types[0] == s[i].type) {
            last->last = s[i].offset;
            continue;
        }
        int8_t *t = kfk_arena_alloc(ar, 1);
        if (!t) return -1;
        *t = s[i].type;
        b[nb++] = (kfk_share_batch){s[i].offset, s[i].offset, t, 1};
    }
    a->n = 0;
    *out = b;
    return nb;
}

static int cmp_range(const void *x, const void *y) {
    const kfk_share_range *a = x, *b = y;
    return a->first < b->first ? -1 : a->first > b->first;
}

int kfk_share_filter(kfk_consumer_message **head, kfk_consumer_message **tail,
                     const kfk_share_range *r, int n, kfk_share_acks *gaps) {
    kfk_share_range *rs = n > 0 ? kfk_malloc((size_t)n * sizeof *rs) : NULL;
    if (n > 0 && !rs) goto nomem;
    if (n > 0) {
        memcpy(rs, r, (size_t)n * sizeof *rs);
        qsort(rs, (size_t)n, sizeof *rs, cmp_range);
    }
    kfk_consumer_message *m = *head, *kh = NULL, *kt = NULL;
    int kept = 0, ri = 0;
    int64_t next_gap = n > 0 ? rs[0].first : 0; /* the first acquired offset not yet seen */
    while (m) {
        kfk_consumer_message *next = kfk_cmsg(m)->next;
        while (ri < n && rs[ri].last < m->offset) { /* ranges wholly before m: gaps to their end */
            for (int64_t o = next_gap > rs[ri].first ? next_gap : rs[ri].first; o <= rs[ri].last;
                 o++)
                if (kfk_share_acks_add(gaps, o, KFK_ACK_GAP)) goto nomem_list;
            ri++;
            if (ri < n) next_gap = rs[ri].first;
        }
        if (kfk_cmsg(m)->kind == KFK_KIND_RECORD && ri < n && m->offset >= rs[ri].first) {
            for (int64_t o = next_gap > rs[ri].first ? next_gap : rs[ri].first; o < m->offset; o++)
                if (kfk_share_acks_add(gaps, o, KFK_ACK_GAP)) goto nomem_list;
            next_gap = m->offset + 1;
            m->delivery_count = rs[ri].delivery_count;
            kfk_cmsg(m)->next = NULL;
            if (kt) kfk_cmsg(kt)->next = m;
            else kh = m;
            kt = m;
            kept++;
        } else {
            kfk_consumer_message_release(m);
        }
        m = next;
    }
    for (; ri < n; ri++) { /* acquired offsets past the last record */
        for (int64_t o = next_gap > rs[ri].first ? next_gap : rs[ri].first; o <= rs[ri].last; o++)
            if (kfk_share_acks_add(gaps, o, KFK_ACK_GAP)) goto nomem_list;
        if (ri + 1 < n) next_gap = rs[ri + 1].first;
    }
    kfk_free(rs);
    *head = kh;
    *tail = kt;
    return kept;
nomem_list:
    for (kfk_consumer_message *x = kh, *nx; x; x = nx) {
        nx = kfk_cmsg(x)->next;
        kfk_consumer_message_release(x);
    }
    for (kfk_consumer_message *nx; m; m = nx) {
        nx = kfk_cmsg(m)->next;
        kfk_consumer_message_release(m);
    }
nomem:
    kfk_free(rs);
    *head = *tail = NULL;
    return -1;
}
