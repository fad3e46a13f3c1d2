#include "consumer/chunk.h"

#include <string.h>

#include "core/alloc.h"

kfk_chunk *kfk_chunk_new(kfk_rxbuf *rx) {
    kfk_chunk *ch = kfk_calloc(1, sizeof *ch);
    if (!ch) return NULL;
    atomic_init(&ch->refs, 1);
    ch->rx = rx;
    if (rx) kfk_rxbuf_ref(rx);
    return ch;
}

void kfk_chunk_unref(kfk_chunk *ch) {
    if (!ch || atomic_fetch_sub_explicit(&ch->refs, 1, memory_order_acq_rel) != 1) return;
    for (kfk_zbuf_node *z = ch->zbufs; z; z = z->next) kfk_free(z->data);
    kfk_arena_reset(&ch->arena); /* the nodes live in the arena */
    kfk_rxbuf_unref(ch->rx);
    kfk_free(ch);
}

int kfk_chunk_keep(kfk_chunk *ch, uint8_t *data) {
    kfk_zbuf_node *z = kfk_arena_alloc(&ch->arena, sizeof *z);
    if (!z) {
        kfk_free(data);
        return KFK_ERR_NOMEM;
    }
    z->data = data;
    z->next = ch->zbufs;
    ch->zbufs = z;
    return 0;
}

kfk_consumer_message *kfk_event_new(const char *topic, int32_t partition, int64_t offset, int err) {
    size_t tlen = strlen(topic);
    kfk_consumer_message *m = kfk_calloc(1, sizeof *m + tlen + 1);
    if (!m) return NULL;
    char *t = (char *)(m + 1);
    memcpy(t, topic, tlen + 1);
    kfk_cmsg(m)->kind = KFK_KIND_EVENT;
    m->err = err;
    m->topic = t;
    m->partition = partition;
    m->offset = offset;
    m->timestamp = -1;
    m->leader_epoch = -1;
    m->broker_id = -1;
    return m;
}

void kfk_consumer_message_release(kfk_consumer_message *m) {
    if (!m) return;
    if (kfk_cmsg(m)->kind == KFK_KIND_RECORD || kfk_cmsg(m)->kind == KFK_KIND_SKIP)
        kfk_chunk_unref(kfk_cmsg(m)->chunk);
    else
        kfk_free(m);
}
