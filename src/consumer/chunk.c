#include "consumer/chunk.h"

#include <stdint.h>
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

void kfk_chunk_unref(kfk_chunk *ch) { kfk_chunk_unref_n(ch, 1); }

void kfk_chunk_unref_n(kfk_chunk *ch, int n) {
    if (!ch || atomic_fetch_sub_explicit(&ch->refs, n, memory_order_acq_rel) != n) return;
    for (kfk_zbuf_node *z = ch->zbufs; z; z = z->next) kfk_free(z->data);
    kfk_arena_reset(&ch->arena); /* the nodes live in the arena */
    kfk_rxbuf_unref(ch->mem);
    kfk_rxbuf_unref(ch->rx);
    kfk_free(ch);
}

/* v2 batch header: records count at 57, header 61 bytes; length at 8
 * counts from 12. */
enum { BATCH_LEN_AT = 8, BATCH_MAGIC_AT = 16, BATCH_COUNT_AT = 57, BATCH_HEADER = 61 };
/* A reservation is a hint: a bogus count must not make it huge. */
enum { RESERVE_MAX = 16 << 20, RESERVE_EXTRA = 1024 };

static uint32_t be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Records the v2 batch headers in records announce (message sets: 0). */
static size_t announced_records(const uint8_t *p, size_t len) {
    size_t n = 0, off = 0;
    while (len - off >= BATCH_HEADER && p[off + BATCH_MAGIC_AT] == 2) {
        uint32_t count = be32(p + off + BATCH_COUNT_AT);
        if (count <= INT32_MAX) n += count;
        size_t blen = be32(p + off + BATCH_LEN_AT);
        if (blen > len - off - 12) break; /* cut short by the fetch size */
        off += 12 + blen;
    }
    return n;
}

void kfk_chunk_reserve(kfk_chunk *ch, const uint8_t *records, size_t len) {
    if (!ch->rx || !ch->rx->pool || ch->mem) return;
    /* what msg_new takes per record (the arena's alignment) */
    const size_t per = (sizeof(kfk_consumer_message) + 15) & ~(size_t)15;
    size_t n = announced_records(records, len);
    if (n == 0) return;
    size_t want = n > (RESERVE_MAX - RESERVE_EXTRA) / per ? RESERVE_MAX : n * per + RESERVE_EXTRA;
    ch->mem = kfk_rxbuf_get(ch->rx->pool, want);
    if (ch->mem) kfk_arena_lend(&ch->arena, ch->mem->data, ch->mem->cap);
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

static int in_chunk(const kfk_consumer_message *m) {
    return kfk_cmsg(m)->kind == KFK_KIND_RECORD || kfk_cmsg(m)->kind == KFK_KIND_SKIP;
}

void kfk_consumer_message_release(kfk_consumer_message *m) {
    if (!m) return;
    if (in_chunk(m))
        kfk_chunk_unref(kfk_cmsg(m)->chunk);
    else
        kfk_free(m);
}

void kfk_consumer_messages_release(kfk_consumer_message *const *msgs, int n) {
    for (int i = 0; i < n;) {
        kfk_consumer_message *m = msgs[i++];
        if (!m || !in_chunk(m)) {
            kfk_consumer_message_release(m);
            continue;
        }
        /* One atomic update for the run of messages of the same chunk. */
        kfk_chunk *ch = kfk_cmsg(m)->chunk;
        int k = 1;
        while (i < n && msgs[i] && in_chunk(msgs[i]) && kfk_cmsg(msgs[i])->chunk == ch) {
            i++;
            k++;
        }
        kfk_chunk_unref_n(ch, k);
    }
}
