/* librdkafka's topic+partition lists, and their conversion to and from
 * kfk's partition lists. */
#include <stdlib.h>
#include <string.h>

#include "rdk_int.h"

/* What _private holds: created when a leader epoch is first known. */
typedef struct tpar_priv {
    int32_t leader_epoch;
} tpar_priv;

int32_t rdk_tpar_leader_epoch(const rd_kafka_topic_partition_t *p) {
    const tpar_priv *pv = p->_private;
    return pv ? pv->leader_epoch : -1;
}

int rdk_tpar_set_leader_epoch(rd_kafka_topic_partition_t *p, int32_t epoch) {
    tpar_priv *pv = p->_private;
    if (!pv) {
        if (epoch == -1) return 0;
        if (!(pv = malloc(sizeof(*pv)))) return -1;
        p->_private = pv;
    }
    pv->leader_epoch = epoch;
    return 0;
}

static void elem_clear(rd_kafka_topic_partition_t *p) {
    free(p->topic);
    free(p->metadata);
    free(p->_private);
}

rd_kafka_topic_partition_t *rdk_tpar_new(const char *topic, int32_t partition) {
    rd_kafka_topic_partition_t *p = calloc(1, sizeof(*p));
    if (!p) return NULL;
    if (topic && !(p->topic = strdup(topic))) {
        free(p);
        return NULL;
    }
    p->partition = partition;
    p->offset = RD_KAFKA_OFFSET_INVALID;
    return p;
}

void rd_kafka_topic_partition_destroy(rd_kafka_topic_partition_t *rktpar) {
    if (!rktpar) return;
    elem_clear(rktpar);
    free(rktpar);
}

static int grow(rd_kafka_topic_partition_list_t *l, int add) {
    /* Grows by at least the current size (at least 32): amortized adds. */
    if (add < l->size) add = l->size > 32 ? l->size : 32;
    size_t n = (size_t)l->size + (size_t)add;
    rd_kafka_topic_partition_t *e = realloc(l->elems, n * sizeof(*e));
    if (!e) return -1;
    l->elems = e;
    l->size = (int)n;
    return 0;
}

rd_kafka_topic_partition_list_t *rd_kafka_topic_partition_list_new(int size) {
    rd_kafka_topic_partition_list_t *l = calloc(1, sizeof(*l));
    if (!l) return NULL;
    if (size > 0 && grow(l, size)) {
        free(l);
        return NULL;
    }
    return l;
}

void rd_kafka_topic_partition_list_destroy(rd_kafka_topic_partition_list_t *rkparlist) {
    if (!rkparlist) return;
    for (int i = 0; i < rkparlist->cnt; i++) elem_clear(&rkparlist->elems[i]);
    free(rkparlist->elems);
    free(rkparlist);
}

rd_kafka_topic_partition_t *rd_kafka_topic_partition_list_add(
    rd_kafka_topic_partition_list_t *rktparlist, const char *topic, int32_t partition) {
    rd_kafka_topic_partition_list_t *l = rktparlist;
    if (l->cnt == l->size && grow(l, 1)) return NULL;
    rd_kafka_topic_partition_t *p = &l->elems[l->cnt];
    memset(p, 0, sizeof(*p));
    if (topic && !(p->topic = strdup(topic))) return NULL;
    p->partition = partition;
    p->offset = RD_KAFKA_OFFSET_INVALID;
    l->cnt++;
    return p;
}

void rd_kafka_topic_partition_list_add_range(rd_kafka_topic_partition_list_t *rktparlist,
                                             const char *topic, int32_t start, int32_t stop) {
    for (int64_t i = start; i <= stop; i++)
        rd_kafka_topic_partition_list_add(rktparlist, topic, (int32_t)i);
}

static int find_idx(const rd_kafka_topic_partition_list_t *l, const char *topic,
                    int32_t partition) {
    for (int i = 0; i < l->cnt; i++) {
        const rd_kafka_topic_partition_t *p = &l->elems[i];
        if (p->partition == partition && p->topic && !strcmp(p->topic, topic)) return i;
    }
    return -1;
}

rd_kafka_topic_partition_t *rd_kafka_topic_partition_list_find(
    const rd_kafka_topic_partition_list_t *rktparlist, const char *topic, int32_t partition) {
    int i = find_idx(rktparlist, topic, partition);
    return i < 0 ? NULL : &rktparlist->elems[i];
}

int rd_kafka_topic_partition_list_del_by_idx(rd_kafka_topic_partition_list_t *rktparlist,
                                             int idx) {
    rd_kafka_topic_partition_list_t *l = rktparlist;
    if (idx < 0 || idx >= l->cnt) return 0;
    elem_clear(&l->elems[idx]);
    memmove(&l->elems[idx], &l->elems[idx + 1], (size_t)(l->cnt - idx - 1) * sizeof(*l->elems));
    l->cnt--;
    return 1;
}

int rd_kafka_topic_partition_list_del(rd_kafka_topic_partition_list_t *rktparlist,
                                      const char *topic, int32_t partition) {
    int i = find_idx(rktparlist, topic, partition);
    return i < 0 ? 0 : rd_kafka_topic_partition_list_del_by_idx(rktparlist, i);
}

/* Copies src's values (offset, opaque, err, metadata, leader epoch) into
 * dst, a fresh element. -1: out of memory. */
static int copy_values(rd_kafka_topic_partition_t *dst, const rd_kafka_topic_partition_t *src) {
    dst->offset = src->offset;
    dst->opaque = src->opaque;
    dst->err = src->err;
    if (src->metadata_size > 0) {
        if (!(dst->metadata = malloc(src->metadata_size))) return -1;
        memcpy(dst->metadata, src->metadata, src->metadata_size);
        dst->metadata_size = src->metadata_size;
    }
    return rdk_tpar_set_leader_epoch(dst, rdk_tpar_leader_epoch(src));
}

rd_kafka_topic_partition_list_t *rd_kafka_topic_partition_list_copy(
    const rd_kafka_topic_partition_list_t *src) {
    rd_kafka_topic_partition_list_t *dst = rd_kafka_topic_partition_list_new(src->size);
    if (!dst) return NULL;
    for (int i = 0; i < src->cnt; i++) {
        const rd_kafka_topic_partition_t *s = &src->elems[i];
        rd_kafka_topic_partition_t *d = rd_kafka_topic_partition_list_add(dst, s->topic,
                                                                          s->partition);
        if (!d || copy_values(d, s)) {
            rd_kafka_topic_partition_list_destroy(dst);
            return NULL;
        }
    }
    return dst;
}

rd_kafka_resp_err_t rd_kafka_topic_partition_list_set_offset(
    rd_kafka_topic_partition_list_t *rktparlist, const char *topic, int32_t partition,
    int64_t offset) {
    rd_kafka_topic_partition_t *p = rd_kafka_topic_partition_list_find(rktparlist, topic,
                                                                       partition);
    if (!p) return RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION;
    p->offset = offset;
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

static int cmp_default(const void *a, const void *b, void *opaque) {
    (void)opaque;
    const rd_kafka_topic_partition_t *x = a, *y = b;
    int r = strcmp(x->topic, y->topic);
    if (r) return r;
    return (x->partition > y->partition) - (x->partition < y->partition);
}

/* qsort_r's argument order differs between glibc and the BSDs/macOS:
 * plain qsort, with the comparator and its opaque in thread-locals. */
static _Thread_local int (*sort_cmp)(const void *, const void *, void *);
static _Thread_local void *sort_opaque;

static int sort_trampoline(const void *a, const void *b) { return sort_cmp(a, b, sort_opaque); }

void rd_kafka_topic_partition_list_sort(rd_kafka_topic_partition_list_t *rktparlist,
                                        int (*cmp)(const void *a, const void *b, void *cmp_opaque),
                                        void *cmp_opaque) {
    if (rktparlist->cnt < 2) return;
    int (*outer_cmp)(const void *, const void *, void *) = sort_cmp;
    void *outer_opaque = sort_opaque; /* a comparator that sorts a list itself */
    sort_cmp = cmp ? cmp : cmp_default;
    sort_opaque = cmp_opaque;
    qsort(rktparlist->elems, (size_t)rktparlist->cnt, sizeof(*rktparlist->elems), sort_trampoline);
    sort_cmp = outer_cmp;
    sort_opaque = outer_opaque;
}

/* ------------------------------------------------------ kfk's lists */

/* kfk keeps commit metadata as a string: bytes up to the first NUL. */
static int set_kfk_metadata(kfk_partition *kp, const void *md, size_t size) {
    if (!md) return 0;
    char *s = malloc(size + 1);
    if (!s) return -1;
    memcpy(s, md, size);
    s[size] = '\0';
    int err = kfk_partition_set_metadata(kp, s);
    free(s);
    return err ? -1 : 0;
}

kfk_partition_list *rdk_to_kfk_list(const rd_kafka_topic_partition_list_t *l) {
    kfk_partition_list *kl = kfk_partition_list_new(l->cnt);
    if (!kl) return NULL;
    for (int i = 0; i < l->cnt; i++) {
        const rd_kafka_topic_partition_t *p = &l->elems[i];
        kfk_partition *kp = kfk_partition_list_add(kl, p->topic ? p->topic : "", p->partition);
        if (!kp || set_kfk_metadata(kp, p->metadata, p->metadata_size)) {
            kfk_partition_list_destroy(kl);
            return NULL;
        }
        kp->offset = p->offset;
        kp->leader_epoch = rdk_tpar_leader_epoch(p);
    }
    return kl;
}

/* Sets p's values from kp's; -1: out of memory. */
static int set_from_kfk(rd_kafka_topic_partition_t *p, const kfk_partition *kp) {
    p->offset = kp->offset;
    p->err = rdk_err(kp->err);
    free(p->metadata);
    p->metadata = NULL;
    p->metadata_size = 0;
    if (kp->metadata) {
        size_t n = strlen(kp->metadata);
        if (!(p->metadata = malloc(n + 1))) return -1;
        memcpy(p->metadata, kp->metadata, n + 1);
        p->metadata_size = n;
    }
    return rdk_tpar_set_leader_epoch(p, kp->leader_epoch);
}

rd_kafka_topic_partition_list_t *rdk_from_kfk_list(const kfk_partition_list *kl) {
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(kl->count);
    if (!l) return NULL;
    for (int i = 0; i < kl->count; i++) {
        const kfk_partition *kp = &kl->elems[i];
        rd_kafka_topic_partition_t *p = rd_kafka_topic_partition_list_add(l, kp->topic,
                                                                          kp->partition);
        if (!p || set_from_kfk(p, kp)) {
            rd_kafka_topic_partition_list_destroy(l);
            return NULL;
        }
    }
    return l;
}

void rdk_update_from_kfk(rd_kafka_topic_partition_list_t *l, const kfk_partition_list *kl) {
    for (int i = 0; i < kl->count; i++) {
        const kfk_partition *kp = &kl->elems[i];
        /* kfk's list is usually l's order: try the same index first. */
        rd_kafka_topic_partition_t *p = NULL;
        if (i < l->cnt && l->elems[i].partition == kp->partition && l->elems[i].topic &&
            !strcmp(l->elems[i].topic, kp->topic))
            p = &l->elems[i];
        else
            p = rd_kafka_topic_partition_list_find(l, kp->topic, kp->partition);
        if (p && set_from_kfk(p, kp)) p->err = RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    }
}
