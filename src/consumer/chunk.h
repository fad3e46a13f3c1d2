/* The memory one partition's share of a Fetch response lives in: the
 * response's receive buffer (referenced, never copied), the buffers its
 * compressed batches were decompressed into (one per batch), and an arena
 * for the message structs and decoded headers. Every message handed out
 * holds a reference; the last release frees it all, on any thread. */
#ifndef KFK_CONSUMER_CHUNK_H
#define KFK_CONSUMER_CHUNK_H

#include <stdatomic.h>

#include "core/arena.h"
#include "kfk.h"
#include "net/conn.h"

/* kfk_consumer_message.private_ as the library sees it (glibc's
 * pthread_mutex_t does the same): the queue link, the chunk the message
 * lives in, its partition and that partition's generation when it was
 * fetched, what it is, and where the record polled before it ended. */
typedef struct kfk_cmsg_private {
    kfk_consumer_message *next;
    struct kfk_chunk *chunk;
    void *part;
    int64_t polled_after;
    uint32_t gen;
    int kind;
} kfk_cmsg_private;
_Static_assert(sizeof(kfk_cmsg_private) <= sizeof(union kfk_consumer_message_private),
               "kfk_consumer_message.private_ is too small");
_Static_assert(_Alignof(kfk_cmsg_private) <= _Alignof(union kfk_consumer_message_private),
               "kfk_consumer_message.private_ is not aligned enough");

static inline kfk_cmsg_private *kfk_cmsg(const kfk_consumer_message *m) {
    return (kfk_cmsg_private *)(void *)&((kfk_consumer_message *)m)->private_;
}

/* kfk_cmsg(m)->kind. KFK_KIND_SKIP (in a chunk, like a record)
 * is never handed out: it moves the position to its offset, past the
 * transaction markers and aborted batches that ended a fetch. */
enum { KFK_KIND_RECORD, KFK_KIND_EVENT, KFK_KIND_COMMIT, KFK_KIND_REBALANCE, KFK_KIND_SKIP };

typedef struct kfk_zbuf_node {
    struct kfk_zbuf_node *next;
    uint8_t *data;
} kfk_zbuf_node;

typedef struct kfk_chunk {
    atomic_int refs;
    kfk_rxbuf *rx; /* may be NULL (tests) */
    kfk_arena arena;
    kfk_zbuf_node *zbufs;
    kfk_rxbuf *mem; /* the arena's first block, from rx's pool; may be NULL */
} kfk_chunk;

/* A chunk with one reference (its builder's); takes a reference on rx. */
kfk_chunk *kfk_chunk_new(kfk_rxbuf *rx);
void kfk_chunk_unref(kfk_chunk *ch);
/* Drops n references at once. */
void kfk_chunk_unref_n(kfk_chunk *ch, int n);
/* Before parsing `len` bytes of records: gives the arena a buffer from the
 * receive pool (net/rxbuf.h) sized for the records the batch headers
 * announce, so message structs land in recycled memory, not in fresh
 * mallocs. Without rx or its pool, or on failure, the arena mallocs. */
void kfk_chunk_reserve(kfk_chunk *ch, const uint8_t *records, size_t len);
/* Keeps data (from kfk_wbuf_detach) until the chunk is freed. 0 or
 * KFK_ERR_NOMEM (data is then freed). */
int kfk_chunk_keep(kfk_chunk *ch, uint8_t *data);

/* An event message (KFK_KIND_EVENT) of its own allocation; topic copied. */
kfk_consumer_message *kfk_event_new(const char *topic, int32_t partition, int64_t offset, int err);

#endif
