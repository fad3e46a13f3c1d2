#include "net/rxbuf.h"

#include <pthread.h>

#include "core/alloc.h"

struct kfk_rxpool {
    pthread_mutex_t lock;
    atomic_int refs; /* the owner's (until destroy) and one per live buffer */
    int closed;      /* destroyed: released buffers are freed */
    size_t max_bytes;
    kfk_rxbuf *cached[KFK_RXPOOL_MAX_BUFS];
    int ncached;
    size_t cached_bytes;
    int64_t reused, allocated, dropped;
};

static void pool_unref(kfk_rxpool *p) {
    if (atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) != 1) return;
    pthread_mutex_destroy(&p->lock);
    kfk_free(p);
}

kfk_rxpool *kfk_rxpool_new(size_t max_bytes) {
    kfk_rxpool *p = kfk_calloc(1, sizeof *p);
    if (!p) return NULL;
    pthread_mutex_init(&p->lock, NULL);
    atomic_init(&p->refs, 1);
    p->max_bytes = max_bytes;
    return p;
}

void kfk_rxpool_destroy(kfk_rxpool *p) {
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    p->closed = 1;
    int n = p->ncached;
    kfk_rxbuf *doomed[KFK_RXPOOL_MAX_BUFS];
    for (int i = 0; i < n; i++) doomed[i] = p->cached[i];
    p->ncached = 0;
    p->cached_bytes = 0;
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < n; i++) {
        kfk_free(doomed[i]);
        pool_unref(p);
    }
    pool_unref(p);
}

/* Sizes rounded up to a quarter of their power of two (at most 25% more),
 * so responses of similar sizes fit each other's buffers. */
static size_t size_class(size_t cap) {
    size_t top = 4096;
    while (top <= cap / 2) top *= 2; /* the highest power of two <= cap */
    size_t step = top / 4 > 4096 ? top / 4 : 4096;
    return (cap + step - 1) / step * step;
}

/* The smallest cached buffer of cap to 2 * cap bytes, taken out; NULL if
 * none. Under p->lock. */
static kfk_rxbuf *take_fit(kfk_rxpool *p, size_t cap) {
    int best = -1;
    for (int i = 0; i < p->ncached; i++) {
        size_t c = p->cached[i]->cap;
        if (c >= cap && c / 2 <= cap && (best < 0 || c < p->cached[best]->cap)) best = i;
    }
    if (best < 0) return NULL;
    kfk_rxbuf *b = p->cached[best];
    p->cached[best] = p->cached[--p->ncached];
    p->cached_bytes -= b->cap;
    return b;
}

kfk_rxbuf *kfk_rxbuf_get(kfk_rxpool *pool, size_t cap) {
    if (pool) {
        pthread_mutex_lock(&pool->lock);
        kfk_rxbuf *b = take_fit(pool, cap);
        if (b)
            pool->reused++;
        else
            pool->allocated++;
        pthread_mutex_unlock(&pool->lock);
        if (b) {
            atomic_store_explicit(&b->refs, 1, memory_order_relaxed);
            return b;
        }
        cap = size_class(cap);
    }
    kfk_rxbuf *b = kfk_malloc(sizeof *b + cap);
    if (!b) return NULL;
    atomic_init(&b->refs, 1);
    b->cap = cap;
    b->pool = pool;
    if (pool) atomic_fetch_add_explicit(&pool->refs, 1, memory_order_relaxed);
    return b;
}

void kfk_rxbuf_ref(kfk_rxbuf *b) { atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed); }

/* Keeps b unless the pool is closed or b does not fit its bound; then
 * drops the smallest buffers until the pool is within its bound again.
 * The dropped ones are freed outside the lock. */
static void pool_put(kfk_rxpool *p, kfk_rxbuf *b) {
    kfk_rxbuf *doomed[KFK_RXPOOL_MAX_BUFS + 1];
    int n = 0;
    pthread_mutex_lock(&p->lock);
    if (p->closed || b->cap > p->max_bytes) {
        doomed[n++] = b;
    } else {
        if (p->ncached == KFK_RXPOOL_MAX_BUFS) {
            doomed[n++] = b; /* replaced below if it is not the smallest */
        } else {
            p->cached[p->ncached++] = b;
            p->cached_bytes += b->cap;
            b = NULL;
        }
        for (;;) {
            int small = -1;
            for (int i = 0; i < p->ncached; i++)
                if (small < 0 || p->cached[i]->cap < p->cached[small]->cap) small = i;
            if (b && small >= 0 && p->cached[small]->cap < b->cap) {
                /* b (in doomed[0]) is worth more than the smallest kept */
                kfk_rxbuf *out = p->cached[small];
                p->cached_bytes += b->cap - out->cap;
                p->cached[small] = b;
                doomed[0] = out;
                b = NULL;
                continue;
            }
            if (p->cached_bytes <= p->max_bytes || small < 0) break;
            doomed[n++] = p->cached[small];
            p->cached_bytes -= p->cached[small]->cap;
            p->cached[small] = p->cached[--p->ncached];
        }
    }
    p->dropped += n;
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < n; i++) {
        kfk_free(doomed[i]);
        pool_unref(p);
    }
}

void kfk_rxbuf_unref(kfk_rxbuf *b) {
    if (!b || atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) != 1) return;
    if (b->pool)
        pool_put(b->pool, b);
    else
        kfk_free(b);
}

kfk_rxpool_counts kfk_rxpool_counts_of(kfk_rxpool *p) {
    pthread_mutex_lock(&p->lock);
    kfk_rxpool_counts c = {.cached = p->ncached,
                           .cached_bytes = p->cached_bytes,
                           .reused = p->reused,
                           .allocated = p->allocated,
                           .dropped = p->dropped};
    pthread_mutex_unlock(&p->lock);
    return c;
}
