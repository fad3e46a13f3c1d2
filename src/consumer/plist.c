/* kfk_partition_list: the topic-partition list the consumer API (and later
 * the admin and group APIs) take and fill. */
#include <string.h>

#include "consumer/consumer_int.h"
#include "core/alloc.h"

kfk_partition_list *kfk_partition_list_new(int size) {
    kfk_partition_list *l = kfk_calloc(1, sizeof *l);
    if (!l) return NULL;
    if (size > 0) {
        l->elems = kfk_calloc((size_t)size, sizeof *l->elems);
        if (!l->elems) {
            kfk_free(l);
            return NULL;
        }
        l->size = size;
    }
    return l;
}

void kfk_partition_list_destroy(kfk_partition_list *l) {
    if (!l) return;
    for (int i = 0; i < l->count; i++) {
        kfk_free(l->elems[i].topic);
        kfk_free(l->elems[i].metadata);
    }
    kfk_free(l->elems);
    kfk_free(l);
}

kfk_partition *kfk_partition_list_add(kfk_partition_list *l, const char *topic, int32_t partition) {
    if (!l || !topic) return NULL;
    if (l->count == l->size) {
        int size = l->size ? l->size * 2 : 8;
        kfk_partition *e = kfk_realloc(l->elems, (size_t)size * sizeof *e);
        if (!e) return NULL;
        l->elems = e;
        l->size = size;
    }
    char *t = kfk_strndup(topic, strlen(topic));
    if (!t) return NULL;
    kfk_partition *e = &l->elems[l->count++];
    *e = (kfk_partition){.topic = t, .partition = partition, .offset = KFK_OFFSET_STORED,
                         .timestamp = -1, .leader_epoch = -1};
    return e;
}

kfk_partition *kfk_partition_list_find(const kfk_partition_list *l, const char *topic,
                                       int32_t partition) {
    for (int i = 0; l && topic && i < l->count; i++)
        if (l->elems[i].partition == partition && strcmp(l->elems[i].topic, topic) == 0)
            return &l->elems[i];
    return NULL;
}

int kfk_partition_set_metadata_n(kfk_partition *p, const char *s, int32_t len) {
    char *copy = NULL;
    if (len >= 0) {
        copy = kfk_strndup(s ? s : "", (size_t)len);
        if (!copy) return KFK_ERR_NOMEM;
    }
    kfk_free(p->metadata);
    p->metadata = copy;
    return 0;
}

int kfk_partition_set_metadata(kfk_partition *p, const char *metadata) {
    return kfk_partition_set_metadata_n(p, metadata, metadata ? (int32_t)strlen(metadata) : -1);
}

kfk_partition_list *kfk_partition_list_copy(const kfk_partition_list *l) {
    kfk_partition_list *copy = kfk_partition_list_new(l->count);
    for (int i = 0; copy && i < l->count; i++) {
        const kfk_partition *e = &l->elems[i];
        kfk_partition *d = kfk_partition_list_add(copy, e->topic, e->partition);
        if (!d || kfk_partition_set_metadata(d, e->metadata)) {
            kfk_partition_list_destroy(copy);
            return NULL;
        }
        d->offset = e->offset;
        d->timestamp = e->timestamp;
        d->leader_epoch = e->leader_epoch;
        d->err = e->err;
    }
    return copy;
}
