/* The receive buffer pool (net/rxbuf.h) on its own: reuse, its bounds,
 * buffers released after the pool's owner is gone, releases from other
 * threads. */
#include <pthread.h>
#include <string.h>

#include "net/rxbuf.h"
#include "test.h"

TEST(released_buffer_is_handed_out_again) {
    kfk_rxpool *p = kfk_rxpool_new(1 << 20);
    REQUIRE(p != NULL);
    kfk_rxbuf *a = kfk_rxbuf_get(p, 100000);
    REQUIRE(a != NULL);
    CHECK(a->cap >= 100000);
    memset(a->data, 0xab, a->cap); /* all of it is usable */
    kfk_rxbuf_unref(a);
    kfk_rxpool_counts n = kfk_rxpool_counts_of(p);
    CHECK_EQ(n.cached, 1);
    CHECK_EQ(n.cached_bytes, a->cap);
    kfk_rxbuf *b = kfk_rxbuf_get(p, 90000); /* a smaller one fits too */
    CHECK(b == a);
    CHECK(!kfk_rxbuf_shared(b));
    kfk_rxbuf *c = kfk_rxbuf_get(p, 100000); /* b is taken: a new one */
    CHECK(c != b);
    n = kfk_rxpool_counts_of(p);
    CHECK_EQ(n.reused, 1);
    CHECK_EQ(n.allocated, 2);
    CHECK_EQ(n.cached, 0);
    kfk_rxbuf_unref(b);
    kfk_rxbuf_unref(c);
    kfk_rxpool_destroy(p);
}

TEST(a_buffer_more_than_twice_too_big_is_not_taken) {
    kfk_rxpool *p = kfk_rxpool_new(8 << 20);
    kfk_rxbuf *big = kfk_rxbuf_get(p, 1 << 20);
    kfk_rxbuf_unref(big);
    kfk_rxbuf *small = kfk_rxbuf_get(p, 64 * 1024);
    CHECK(small != big);
    CHECK(small->cap < (size_t)(1 << 20));
    kfk_rxbuf *again = kfk_rxbuf_get(p, 600 * 1024);
    CHECK(again == big);
    kfk_rxbuf_unref(small);
    kfk_rxbuf_unref(again);
    CHECK_EQ(kfk_rxpool_counts_of(p).cached, 2);
    kfk_rxpool_destroy(p);
}

TEST(references_keep_a_buffer_out_of_the_pool) {
    kfk_rxpool *p = kfk_rxpool_new(1 << 20);
    kfk_rxbuf *a = kfk_rxbuf_get(p, 4096);
    kfk_rxbuf_ref(a); /* a message still points into it */
    CHECK(kfk_rxbuf_shared(a));
    kfk_rxbuf_unref(a);
    CHECK_EQ(kfk_rxpool_counts_of(p).cached, 0);
    kfk_rxbuf *other = kfk_rxbuf_get(p, 4096);
    CHECK(other != a);
    kfk_rxbuf_unref(a);
    CHECK_EQ(kfk_rxpool_counts_of(p).cached, 1);
    kfk_rxbuf_unref(other);
    CHECK_EQ(kfk_rxpool_counts_of(p).cached, 2);
    kfk_rxpool_destroy(p);
}

TEST(byte_bound_drops_the_smallest) {
    kfk_rxpool *p = kfk_rxpool_new(300 * 1024);
    kfk_rxbuf *b[4];
    for (int i = 0; i < 4; i++) b[i] = kfk_rxbuf_get(p, 100 * 1024); /* 112 KiB each */
    kfk_rxbuf *big = kfk_rxbuf_get(p, 200 * 1024);                    /* 224 KiB */
    for (int i = 0; i < 4; i++) kfk_rxbuf_unref(b[i]);
    kfk_rxpool_counts n = kfk_rxpool_counts_of(p);
    CHECK_EQ(n.cached, 2);
    CHECK(n.cached_bytes <= 300 * 1024);
    CHECK_EQ(n.dropped, 2);
    kfk_rxbuf_unref(big); /* worth more than the small ones: they go */
    n = kfk_rxpool_counts_of(p);
    CHECK_EQ(n.cached, 1);
    CHECK_EQ(n.cached_bytes, big->cap);
    CHECK_EQ(n.dropped, 4);
    kfk_rxbuf *over = kfk_rxbuf_get(p, 400 * 1024); /* bigger than the bound */
    kfk_rxbuf_unref(over);
    n = kfk_rxpool_counts_of(p);
    CHECK_EQ(n.cached, 1);
    CHECK_EQ(n.dropped, 5);
    kfk_rxpool_destroy(p);
}

TEST(count_bound_keeps_the_biggest) {
    kfk_rxpool *p = kfk_rxpool_new(64 << 20);
    kfk_rxbuf *b[KFK_RXPOOL_MAX_BUFS + 2];
    for (int i = 0; i < KFK_RXPOOL_MAX_BUFS + 2; i++)
        b[i] = kfk_rxbuf_get(p, (size_t)(i + 1) * 16384);
    for (int i = 0; i < KFK_RXPOOL_MAX_BUFS + 2; i++) kfk_rxbuf_unref(b[i]);
    kfk_rxpool_counts n = kfk_rxpool_counts_of(p);
    CHECK_EQ(n.cached, KFK_RXPOOL_MAX_BUFS);
    CHECK_EQ(n.dropped, 2);
    /* the two smallest went: the biggest is still there */
    kfk_rxbuf *biggest = kfk_rxbuf_get(p, (KFK_RXPOOL_MAX_BUFS + 2) * 16384);
    CHECK(biggest == b[KFK_RXPOOL_MAX_BUFS + 1] || biggest == b[KFK_RXPOOL_MAX_BUFS]);
    kfk_rxbuf *smallest = kfk_rxbuf_get(p, 16384);
    n = kfk_rxpool_counts_of(p);
    CHECK_EQ(n.reused, 1);
    CHECK_EQ(n.allocated, KFK_RXPOOL_MAX_BUFS + 3);
    CHECK_EQ(n.cached, KFK_RXPOOL_MAX_BUFS - 1);
    kfk_rxbuf_unref(biggest);
    kfk_rxbuf_unref(smallest);
    kfk_rxpool_destroy(p);
}

TEST(zero_bound_keeps_nothing) {
    kfk_rxpool *p = kfk_rxpool_new(0);
    kfk_rxbuf *a = kfk_rxbuf_get(p, 4096);
    kfk_rxbuf_unref(a);
    CHECK_EQ(kfk_rxpool_counts_of(p).cached, 0);
    CHECK_EQ(kfk_rxpool_counts_of(p).dropped, 1);
    kfk_rxpool_destroy(p);
}

TEST(buffers_outlive_the_pool_owner) {
    kfk_rxpool *p = kfk_rxpool_new(1 << 20);
    kfk_rxbuf *cached = kfk_rxbuf_get(p, 8192);
    kfk_rxbuf *held = kfk_rxbuf_get(p, 8192);
    kfk_rxbuf_ref(held);
    kfk_rxbuf_unref(cached);
    kfk_rxpool_destroy(p); /* frees cached; held keeps the pool */
    memset(held->data, 1, held->cap);
    kfk_rxbuf_unref(held);
    kfk_rxbuf_unref(held); /* the last: frees it and the pool (ASan) */
}

TEST(without_a_pool_buffers_are_plain_allocations) {
    kfk_rxbuf *a = kfk_rxbuf_get(NULL, 10);
    REQUIRE(a != NULL);
    CHECK_EQ(a->cap, 10);
    CHECK(a->pool == NULL);
    kfk_rxbuf_unref(a);
    kfk_rxbuf_unref(NULL);
    kfk_rxpool_destroy(NULL);
}

enum { ROUNDS = 20000 };

static void *churn(void *arg) {
    kfk_rxpool *p = arg;
    for (int i = 0; i < ROUNDS; i++) {
        kfk_rxbuf *b = kfk_rxbuf_get(p, (size_t)(i % 5 + 1) * 50000);
        if (!b) return (void *)1;
        b->data[0] = (uint8_t)i;
        kfk_rxbuf_ref(b);
        kfk_rxbuf_unref(b);
        kfk_rxbuf_unref(b);
    }
    return NULL;
}

TEST(threads_share_a_pool) {
    kfk_rxpool *p = kfk_rxpool_new(4 << 20);
    pthread_t t[3];
    for (int i = 0; i < 3; i++) REQUIRE_EQ(pthread_create(&t[i], NULL, churn, p), 0);
    for (int i = 0; i < 3; i++) {
        void *rc;
        pthread_join(t[i], &rc);
        CHECK(rc == NULL);
    }
    kfk_rxpool_counts n = kfk_rxpool_counts_of(p);
    CHECK_EQ(n.reused + n.allocated, 3 * ROUNDS);
    CHECK(n.reused > n.allocated); /* the point of it */
    CHECK(n.cached <= KFK_RXPOOL_MAX_BUFS);
    CHECK(n.cached_bytes <= (size_t)(4 << 20));
    kfk_rxpool_destroy(p);
}
