/* The mock's server-side assignor for KIP-848 groups ("uniform"): every
 * partition of every subscribed topic goes to one of its subscribers, each
 * member first keeps up to its fair share of what it was targeted before,
 * then each remaining partition goes to its least loaded subscriber
 * (ties: its previous target, then the member id's order). With equal
 * subscriptions the counts differ by at most one. */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "kfk.h"
#include "mock/mock_int.h"

int mock_tps_has(const mock_tps *s, const kfk_uuid *topic, int32_t partition) {
    for (int32_t i = 0; i < s->count; i++)
        if (s->items[i].partition == partition && kfk_uuid_eq(&s->items[i].topic, topic)) return 1;
    return 0;
}

int mock_tps_add(mock_tps *s, const kfk_uuid *topic, int32_t partition) {
    if (s->count == s->cap) {
        int32_t cap = s->cap ? s->cap * 2 : 8;
        mock_tp *n = kfk_realloc(s->items, (size_t)cap * sizeof *n);
        if (!n) return KFK_ERR_NOMEM;
        s->items = n;
        s->cap = cap;
    }
    s->items[s->count++] = (mock_tp){*topic, partition};
    return 0;
}

bool mock_cmember_subscribes(const mock_cmember *mb, const char *name) {
    for (int32_t i = 0; i < mb->ntopics; i++)
        if (!strcmp(mb->topics[i], name)) return true;
    return mb->regex && !regexec(&mb->re, name, 0, NULL, 0);
}

static int by_name(const void *a, const void *b) {
    return strcmp((*(mock_topic *const *)a)->name, (*(mock_topic *const *)b)->name);
}

/* Member indexes by id (insertion sort: groups are small, and qsort has
 * no context argument). */
static void sort_by_id(const mock_group *g, int32_t *order) {
    for (int32_t i = 0; i < g->ncmembers; i++) {
        int32_t v = order[i] = i, j = i;
        for (; j > 0 && strcmp(g->cmembers[order[j - 1]].id, g->cmembers[v].id) > 0; j--)
            order[j] = order[j - 1];
        order[j] = v;
    }
}

/* Which member (index) was targeted (topic, p) before, or -1. */
static int32_t prev_owner(const mock_group *g, const kfk_uuid *topic, int32_t p) {
    for (int32_t i = 0; i < g->ncmembers; i++)
        if (mock_tps_has(&g->cmembers[i].target, topic, p)) return i;
    return -1;
}

int mock_uniform_assign(const kfk_mock *m, mock_group *g) {
    int32_t nm = g->ncmembers, nt = m->ntopics;
    size_t np = 0;
    for (int32_t t = 0; t < nt; t++) np += (size_t)m->topics[t]->nparts;
    mock_topic **topics = kfk_calloc((size_t)nt + 1, sizeof *topics);
    int32_t *order = kfk_calloc((size_t)nm + 1, sizeof *order);
    int32_t *count = kfk_calloc((size_t)nm + 1, sizeof *count);
    int32_t *quota = kfk_calloc((size_t)nm + 1, sizeof *quota);
    int32_t *owner = kfk_calloc(np + 1, sizeof *owner); /* per partition, -1: none yet */
    mock_tps *next = kfk_calloc((size_t)nm + 1, sizeof *next);
    int rc = topics && order && count && quota && owner && next ? 0 : KFK_ERR_NOMEM;
    if (rc) goto out;
    memcpy(topics, m->topics, (size_t)nt * sizeof *topics);
    qsort(topics, (size_t)nt, sizeof *topics, by_name);
    sort_by_id(g, order);
    /* A member's fair share: the partitions it may hold over the members
     * that compete for any of them. */
    for (int32_t i = 0; i < nm; i++) {
        int32_t mine = 0, rivals = 0;
        for (int32_t t = 0; t < nt; t++)
            if (mock_cmember_subscribes(&g->cmembers[i], topics[t]->name)) mine += topics[t]->nparts;
        for (int32_t j = 0; j < nm; j++) {
            int shared = 0;
            for (int32_t t = 0; t < nt && !shared; t++)
                shared = mock_cmember_subscribes(&g->cmembers[i], topics[t]->name) &&
                         mock_cmember_subscribes(&g->cmembers[j], topics[t]->name);
            rivals += shared;
        }
        quota[i] = rivals ? mine / rivals : 0;
    }
    /* Sticky pass, then the least loaded subscriber for the rest. */
    for (int pass = 0; pass < 2; pass++) {
        size_t k = 0;
        for (int32_t t = 0; t < nt; t++) {
            const mock_topic *tp = topics[t];
            for (int32_t p = 0; p < tp->nparts; p++, k++) {
                if (pass == 0) owner[k] = -1;
                else if (owner[k] >= 0) continue;
                int32_t prev = prev_owner(g, &tp->id, p);
                int prev_ok = prev >= 0 && mock_cmember_subscribes(&g->cmembers[prev], tp->name);
                if (pass == 0) {
                    if (prev_ok && count[prev] < quota[prev]) count[owner[k] = prev]++;
                    continue;
                }
                int32_t best = -1;
                for (int32_t o = 0; o < nm; o++) {
                    int32_t i = order[o];
                    if (!mock_cmember_subscribes(&g->cmembers[i], tp->name)) continue;
                    if (best < 0 || count[i] < count[best] ||
                        (count[i] == count[best] && i == prev && prev_ok))
                        best = i;
                }
                if (best >= 0) count[owner[k] = best]++;
            }
        }
    }
    size_t k = 0;
    for (int32_t t = 0; t < nt && !rc; t++)
        for (int32_t p = 0; p < topics[t]->nparts && !rc; p++, k++)
            if (owner[k] >= 0) rc = mock_tps_add(&next[owner[k]], &topics[t]->id, p);
    if (rc) {
        for (int32_t i = 0; i < nm; i++) kfk_free(next[i].items);
        goto out;
    }
    for (int32_t i = 0; i < nm; i++) {
        kfk_free(g->cmembers[i].target.items);
        g->cmembers[i].target = next[i];
    }
out:
    kfk_free(topics);
    kfk_free(order);
    kfk_free(count);
    kfk_free(quota);
    kfk_free(owner);
    kfk_free(next);
    return rc;
}
