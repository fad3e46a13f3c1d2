/* Receive buffers and the pool that recycles them.
 *
 * Responses are read into reference-counted buffers (kfk_conn). A callback
 * that keeps its response's bytes after returning (a Fetch's records,
 * handed to the application zero-copy) takes a reference; the connection
 * then continues in another buffer. References may be dropped from any
 * thread.
 *
 * A big response buffer freed and allocated again per response costs glibc
 * an mmap, a munmap and a page fault per 4 KiB touched. A pool (one per
 * client) keeps buffers whose last reference was dropped and hands them out
 * again: at most KFK_RXPOOL_MAX_BUFS buffers and max_bytes in total, the
 * smallest dropped first when over. Consumers also take the memory their
 * message structs live in from it (kfk_chunk_reserve). It takes its lock once per buffer
 * given out or given back, never per message. Every buffer of a pool holds
 * a reference on it, so buffers may outlive the pool's owner: destroy()
 * frees the cached ones, and the last buffer released frees the pool. */
#ifndef KFK_NET_RXBUF_H
#define KFK_NET_RXBUF_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* The most buffers a pool keeps, whatever its byte bound: a few
 * responses' worth of receive buffers and their chunks' message arenas
 * (consumer/chunk.h), one per partition. */
enum { KFK_RXPOOL_MAX_BUFS = 64 };

typedef struct kfk_rxpool kfk_rxpool;

typedef struct kfk_rxbuf {
    atomic_int refs;
    size_t cap;
    kfk_rxpool *pool; /* NULL: freed on its last release */
    uint8_t data[];
} kfk_rxbuf;

/* A pool that keeps at most max_bytes (0: none) in at most
 * KFK_RXPOOL_MAX_BUFS buffers. NULL on allocation failure. */
kfk_rxpool *kfk_rxpool_new(size_t max_bytes);
/* The owner is done: frees the cached buffers; the pool itself goes with
 * the last buffer still referenced (at once when none is). NULL is fine. */
void kfk_rxpool_destroy(kfk_rxpool *p);

/* A buffer of at least cap bytes with one reference: a cached one of no
 * more than twice the size, else a new one (sizes rounded up to a few
 * classes so buffers fit the next response). pool may be NULL. NULL on
 * allocation failure. */
kfk_rxbuf *kfk_rxbuf_get(kfk_rxpool *pool, size_t cap);
void kfk_rxbuf_ref(kfk_rxbuf *b);
/* The last reference gives b back to its pool, or frees it. NULL is fine. */
void kfk_rxbuf_unref(kfk_rxbuf *b);

static inline int kfk_rxbuf_shared(const kfk_rxbuf *b) {
    return atomic_load_explicit(&b->refs, memory_order_acquire) > 1;
}

/* What a pool holds and has done (statistics, tests). */
typedef struct kfk_rxpool_counts {
    int cached;            /* buffers kept for reuse */
    size_t cached_bytes;   /* their capacity */
    int64_t reused;        /* gets served from the cache */
    int64_t allocated;     /* gets that allocated */
    int64_t dropped;       /* buffers freed on release (over the bound) */
} kfk_rxpool_counts;
kfk_rxpool_counts kfk_rxpool_counts_of(kfk_rxpool *p);

#endif
