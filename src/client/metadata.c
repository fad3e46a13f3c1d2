#include "client/metadata.h"

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "kfk.h"

static const char *copy_str(kfk_arena *a, kfk_str s, int *oom) {
    if (s.len < 0 || !s.ptr) return NULL;
    char *d = kfk_arena_alloc(a, (size_t)s.len + 1);
    if (!d) {
        *oom = 1;
        return NULL;
    }
    memcpy(d, s.ptr, (size_t)s.len);
    return d;
}

static const int32_t *copy_ids(kfk_arena *a, const int32_t *ids, int32_t n, int32_t *out_n,
                               int *oom) {
    *out_n = n > 0 ? n : 0;
    if (n <= 0) return NULL;
    int32_t *d = kfk_arena_array(a, (size_t)n, sizeof *d);
    if (!d) {
        *oom = 1;
        return NULL;
    }
    memcpy(d, ids, (size_t)n * sizeof *d);
    return d;
}

static int cmp_broker(const void *a, const void *b) {
    int32_t x = ((const kfk_md_broker *)a)->node_id, y = ((const kfk_md_broker *)b)->node_id;
    return (x > y) - (x < y);
}
static int cmp_partition(const void *a, const void *b) {
    int32_t x = ((const kfk_md_partition *)a)->id, y = ((const kfk_md_partition *)b)->id;
    return (x > y) - (x < y);
}
typedef struct named {
    const char *name;
    int32_t i; /* index in the response */
} named;

static int cmp_named(const void *a, const void *b) {
    const named *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

static int cmp_topic(const void *a, const void *b) {
    return strcmp(((const kfk_md_topic *)a)->name, ((const kfk_md_topic *)b)->name);
}

/* Deep-copies a cached partition into the new snapshot's arena. */
static void keep_partition(kfk_arena *a, kfk_md_partition *d, const kfk_md_partition *s,
                           int *oom) {
    *d = *s;
    d->replicas = copy_ids(a, s->replicas, s->nreplicas, &d->nreplicas, oom);
    d->isr = copy_ids(a, s->isr, s->nisr, &d->nisr, oom);
    d->offline = copy_ids(a, s->offline, s->noffline, &d->noffline, oom);
}

static void keep_topic(kfk_arena *a, kfk_md_topic *d, const kfk_md_topic *s, int *oom) {
    *d = *s;
    d->name = copy_str(a, (kfk_str){s->name, (int32_t)strlen(s->name)}, oom);
    kfk_md_partition *parts = kfk_arena_array(a, (size_t)s->npartitions, sizeof *parts);
    if (s->npartitions && !parts) *oom = 1;
    for (int32_t i = 0; parts && i < s->npartitions; i++)
        keep_partition(a, &parts[i], &s->partitions[i], oom);
    d->partitions = parts;
}

static int same_topic(const kfk_md_topic *old, const kfk_metadata_response_topic *t) {
    /* A deleted and recreated topic has a new id: its epochs start over. */
    return kfk_uuid_is_zero(&old->id) || kfk_uuid_is_zero(&t->topic_id) ||
           kfk_uuid_eq(&old->id, &t->topic_id);
}

static void build_topic(kfk_arena *a, kfk_md_topic *d, const kfk_metadata_response_topic *t,
                        const kfk_md_topic *old, int64_t now, int *oom) {
    d->updated_ms = now;
    d->id = t->topic_id;
    d->err = t->error_code;
    d->internal = t->is_internal;
    int32_t n = t->partitions.count > 0 ? t->partitions.count : 0;
    kfk_md_partition *parts = kfk_arena_array(a, (size_t)n, sizeof *parts);
    if (n && !parts) {
        *oom = 1;
        return;
    }
    if (old && !same_topic(old, t)) old = NULL;
    for (int32_t i = 0; i < n; i++) {
        const kfk_metadata_response_partition *p = &t->partitions.items[i];
        const kfk_md_partition *cached =
            old ? kfk_metadata_partition(old, p->partition_index) : NULL;
        if (cached && cached->leader_epoch >= 0 && p->leader_epoch >= 0 &&
            p->leader_epoch < cached->leader_epoch) {
            keep_partition(a, &parts[i], cached, oom);
            continue;
        }
        kfk_md_partition *q = &parts[i];
        q->id = p->partition_index;
        q->err = p->error_code;
        q->leader = p->leader_id;
        q->leader_epoch = p->leader_epoch;
        q->replicas =
            copy_ids(a, p->replica_nodes.items, p->replica_nodes.count, &q->nreplicas, oom);
        q->isr = copy_ids(a, p->isr_nodes.items, p->isr_nodes.count, &q->nisr, oom);
        q->offline = copy_ids(a, p->offline_replicas.items, p->offline_replicas.count,
                              &q->noffline, oom);
    }
    qsort(parts, (size_t)n, sizeof *parts, cmp_partition);
    d->partitions = parts;
    d->npartitions = n;
}

kfk_metadata *kfk_metadata_build(const kfk_metadata *old, const kfk_metadata_response *resp,
                                 int replace_all, int64_t now) {
    kfk_metadata *md = kfk_calloc(1, sizeof *md);
    if (!md) return NULL;
    atomic_init(&md->refs, 1);
    kfk_arena *a = &md->arena;
    int oom = 0;
    md->updated_ms = now;
    md->controller_id = resp->controller_id;
    md->cluster_id = copy_str(a, resp->cluster_id, &oom);

    int32_t nb = resp->brokers.count > 0 ? resp->brokers.count : 0;
    kfk_md_broker *brokers = kfk_arena_array(a, (size_t)nb, sizeof *brokers);
    if (nb && !brokers) goto fail;
    for (int32_t i = 0; i < nb; i++) {
        const kfk_metadata_response_broker *b = &resp->brokers.items[i];
        brokers[i] = (kfk_md_broker){b->node_id, copy_str(a, b->host, &oom), b->port,
                                     copy_str(a, b->rack, &oom)};
        if (!brokers[i].host) brokers[i].host = "";
    }
    qsort(brokers, (size_t)nb, sizeof *brokers, cmp_broker);
    md->brokers = brokers;
    md->nbrokers = nb;

    /* Response topics in name order (the first of duplicates wins), then
     * the old ones the response did not mention. */
    int32_t nr = resp->topics.count > 0 ? resp->topics.count : 0;
    int32_t nold = old && !replace_all ? old->ntopics : 0;
    kfk_md_topic *topics = kfk_arena_array(a, (size_t)(nr + nold), sizeof *topics);
    named *order = kfk_calloc((size_t)nr, sizeof *order);
    if ((nr + nold && !topics) || (nr && !order)) {
        kfk_free(order);
        goto fail;
    }
    int32_t nn = 0;
    for (int32_t i = 0; i < nr; i++) {
        kfk_str name = resp->topics.items[i].name;
        if (name.len <= 0 || !name.ptr) continue; /* asked by id: no name */
        order[nn++] = (named){copy_str(a, name, &oom), i};
    }
    if (oom) {
        kfk_free(order);
        goto fail;
    }
    qsort(order, (size_t)nn, sizeof *order, cmp_named);
    int32_t nt = 0;
    for (int32_t k = 0; k < nn; k++) {
        if (k > 0 && strcmp(order[k - 1].name, order[k].name) == 0) continue;
        build_topic(a, &topics[nt], &resp->topics.items[order[k].i],
                    kfk_metadata_topic(old, order[k].name), now, &oom);
        topics[nt++].name = order[k].name;
    }
    kfk_free(order);
    if (oom) goto fail;
    int32_t nnew = nt;
    for (int32_t i = 0; i < nold; i++) {
        const kfk_md_topic *t = &old->topics[i];
        if (bsearch(t, topics, (size_t)nnew, sizeof *topics, cmp_topic)) continue;
        keep_topic(a, &topics[nt++], t, &oom);
    }
    if (oom) goto fail;
    if (nt > nnew) qsort(topics, (size_t)nt, sizeof *topics, cmp_topic);
    md->topics = topics;
    md->ntopics = nt;
    return md;
fail:
    kfk_metadata_unref(md);
    return NULL;
}

kfk_metadata *kfk_metadata_ref(kfk_metadata *md) {
    atomic_fetch_add_explicit(&md->refs, 1, memory_order_relaxed);
    return md;
}

void kfk_metadata_unref(kfk_metadata *md) {
    if (!md || atomic_fetch_sub_explicit(&md->refs, 1, memory_order_acq_rel) != 1) return;
    kfk_arena_reset(&md->arena);
    kfk_free(md);
}

/* bsearch wants a non-null array even for none: an empty list has none. */
const kfk_md_topic *kfk_metadata_topic(const kfk_metadata *md, const char *name) {
    if (!md || md->ntopics == 0) return NULL;
    kfk_md_topic key = {.name = name};
    return bsearch(&key, md->topics, (size_t)md->ntopics, sizeof key, cmp_topic);
}

const kfk_md_partition *kfk_metadata_partition(const kfk_md_topic *t, int32_t partition) {
    /* Partitions are numbered 0..n-1, so the index is usually the id. */
    if (partition >= 0 && partition < t->npartitions && t->partitions[partition].id == partition)
        return &t->partitions[partition];
    if (t->npartitions == 0) return NULL;
    kfk_md_partition key = {.id = partition};
    return bsearch(&key, t->partitions, (size_t)t->npartitions, sizeof key, cmp_partition);
}

const kfk_md_broker *kfk_metadata_broker(const kfk_metadata *md, int32_t node_id) {
    if (!md || md->nbrokers == 0) return NULL;
    kfk_md_broker key = {.node_id = node_id};
    return bsearch(&key, md->brokers, (size_t)md->nbrokers, sizeof key, cmp_broker);
}

int kfk_metadata_topic_ready(const kfk_md_topic *t) {
    if (!t || t->err || t->npartitions == 0) return 0;
    for (int32_t i = 0; i < t->npartitions; i++)
        if (t->partitions[i].leader < 0) return 0;
    return 1;
}
