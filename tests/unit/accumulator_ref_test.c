/* The accumulator taking values over (KFK_SEND_FREE): large ones are
 * referenced by the batch and freed when it is done (outside the lock),
 * split or dropped;
 * small ones, and all when refs are off, are copied. */
#include <stdlib.h>

#include "core/alloc.h"
#include "producer/accumulator.h"
#include "records/crc32c.h"
#include "test.h"

static void on_wake(void *opaque) { (void)opaque; }
static int any_room(void *ctx, int32_t node, size_t bytes) {
    (void)ctx, (void)node, (void)bytes;
    return 1;
}

/* Frees of one watched pointer, and those made holding watched_lock. */
static void *watched;
static int watched_frees, watched_frees_locked;
static pthread_mutex_t *watched_lock;
static void watch_free(void *p) {
    if (p && p == watched) {
        watched_frees++;
        if (watched_lock && pthread_mutex_trylock(watched_lock))
            watched_frees_locked++;
        else if (watched_lock)
            pthread_mutex_unlock(watched_lock);
    }
    free(p);
}
static const kfk_allocator watching = {malloc, realloc, watch_free};

static void setup(kfk_accum *a, int32_t ref_min) {
    kfk_accum_conf c = {.batch_size = 1 << 20, .linger_ms = 0, .delivery_timeout_ms = 1000,
                        .buffer_memory = 4 << 20, .max_request_size = 1 << 20,
                        .ref_min = ref_min, .wake = on_wake};
    kfk_accum_init(a, &c);
}

static uint8_t *value(size_t n, int seed) {
    uint8_t *v = kfk_malloc(n);
    for (size_t i = 0; i < n; i++) v[i] = (uint8_t)(i * 5 + (size_t)seed);
    return v;
}

/* Appends a value of n bytes handed over (give) or not; 1 if taken. */
static int send(kfk_accum *a, uint8_t *v, size_t n, int give) {
    kfk_accum_msg m = {.topic = "t", .partition = 0, .key = {NULL, -1},
                       .value = {v, (int32_t)n}, .timestamp = 1000, .give_value = give};
    int32_t p;
    int rc = kfk_accum_append(a, &m, 0, 0, &p);
    CHECK_EQ(rc, 0);
    return rc ? -1 : kfk_accum_takes(a, &m);
}

/* Drains one batch, partition 0 of "t" led by node 1. */
static kfk_pbatch *drain_one(kfk_accum *a, kfk_drain_out *out) {
    kfk_md_partition part = {.id = 0, .leader = 1};
    kfk_md_topic t = {.name = "t", .partitions = &part, .npartitions = 1};
    kfk_metadata md = {.topics = &t, .ntopics = 1};
    kfk_accum_sync_metadata(a, &md);
    kfk_drain_args args = {.now = 10, .room = any_room};
    kfk_accum_drain(a, &args, out);
    return kfk_list_empty(&out->ready) ? NULL : KFK_CONTAINER_OF(out->ready.next, kfk_pbatch, link);
}

/* The batch as the broker gets it. */
static void flat(const kfk_pbatch *b, kfk_wbuf *out) {
    CHECK_EQ(kfk_batch_flatten(b->buf.data + b->bb.start, b->buf.len - b->bb.start, &b->refs, out),
             0);
}

TEST(large_values_are_referenced_until_the_batch_is_done) {
    kfk_set_allocator(&watching);
    kfk_accum a;
    setup(&a, 4096);
    uint8_t *small = value(100, 1), *big = value(8000, 2), *kept = value(8000, 3);
    CHECK_EQ(send(&a, small, 100, 1), 0);
    kfk_free(small); /* not taken: the caller frees it (as kfk_producer_send does) */
    CHECK_EQ(send(&a, big, 8000, 1), 1);
    CHECK_EQ(send(&a, kept, 8000, 0), 0); /* not handed over: copied */
    kfk_drain_out out;
    kfk_pbatch *b = drain_one(&a, &out);
    REQUIRE(b);
    REQUIRE_EQ(b->refs.count, 1);
    CHECK(b->refs.items[0].ptr == big);
    CHECK_EQ(kfk_batch_builder_size(&b->bb), b->buf.len - b->bb.start + 8000);
    kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
    REQUIRE_EQ(kfk_accum_finish(b, &o, NULL), 0);
    /* A later epoch rewrites the header; the CRC still covers the value. */
    o.producer_id = 77;
    o.producer_epoch = 2;
    o.base_sequence = 5;
    REQUIRE_EQ(kfk_accum_finish(b, &o, NULL), 0);
    kfk_wbuf f = {0}, z = {0};
    flat(b, &f);
    kfk_records_iter it;
    kfk_record rec;
    kfk_records_iter_init(&it, f.data, f.len, &z, 1 << 20, 0); /* checks the CRC */
    int n = 0;
    const uint8_t *want[3] = {NULL, big, kept};
    while (kfk_records_next(&it, &rec) == 1) {
        if (n > 0) CHECK_MEM(rec.value.ptr, want[n], 8000);
        n++;
    }
    CHECK_EQ(it.err, 0);
    CHECK_EQ(n, 3);
    watched = big;
    watched_lock = &a.lock;
    pthread_mutex_lock(&a.lock);
    kfk_accum_done_locked(&a, b);
    pthread_mutex_unlock(&a.lock);
    CHECK_EQ(watched_frees, 0); /* kept for a release outside the lock */
    CHECK_EQ(b->refs.count, 1);
    kfk_accum_release_values(&out.ready);
    CHECK_EQ(watched_frees, 1);
    CHECK_EQ(watched_frees_locked, 0);
    CHECK_EQ(b->refs.count, 0);
    kfk_accum_recycle(&a, &out.ready);
    kfk_accum_free(&a);
    kfk_free(kept);
    kfk_wbuf_free(&f);
    kfk_wbuf_free(&z);
    kfk_set_allocator(NULL);
    watched = NULL;
    watched_lock = NULL;
    watched_frees = 0;
}

/* A done batch recycled without a release still frees its values, once,
 * before the pool can reuse it. */
TEST(recycle_releases_values_left_behind) {
    kfk_set_allocator(&watching);
    kfk_accum a;
    setup(&a, 4096);
    uint8_t *big = value(8000, 5);
    CHECK_EQ(send(&a, big, 8000, 1), 1);
    kfk_drain_out out;
    kfk_pbatch *b = drain_one(&a, &out);
    REQUIRE(b);
    watched = big;
    watched_lock = &a.lock;
    pthread_mutex_lock(&a.lock);
    kfk_accum_done_locked(&a, b);
    pthread_mutex_unlock(&a.lock);
    kfk_accum_recycle(&a, &out.ready);
    CHECK_EQ(watched_frees, 1);
    CHECK_EQ(watched_frees_locked, 0);
    kfk_accum_free(&a);
    CHECK_EQ(watched_frees, 1);
    kfk_set_allocator(NULL);
    watched = NULL;
    watched_lock = NULL;
    watched_frees = 0;
}

/* With refs off (compressed batches) nothing is taken. */
TEST(refs_off_copies_everything) {
    kfk_accum a;
    setup(&a, 0);
    uint8_t *big = value(8000, 4);
    CHECK_EQ(send(&a, big, 8000, 1), 0);
    kfk_free(big);
    kfk_drain_out out;
    kfk_pbatch *b = drain_one(&a, &out);
    REQUIRE(b);
    CHECK_EQ(b->refs.count, 0);
    pthread_mutex_lock(&a.lock);
    kfk_accum_done_locked(&a, b);
    pthread_mutex_unlock(&a.lock);
    kfk_accum_recycle(&a, &out.ready);
    kfk_accum_free(&a);
}

/* A split batch's halves copy the values; the original frees them. */
TEST(split_copies_referenced_values) {
    kfk_set_allocator(&watching);
    kfk_accum a;
    setup(&a, 4096);
    uint8_t *v[4];
    for (int i = 0; i < 4; i++) {
        v[i] = value(5000, 10 + i);
        CHECK_EQ(send(&a, v[i], 5000, 1), 1);
    }
    kfk_drain_out out;
    kfk_pbatch *b = drain_one(&a, &out);
    REQUIRE(b);
    kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
    REQUIRE_EQ(kfk_accum_finish(b, &o, NULL), 0);
    kfk_list_remove(&b->link);
    watched = v[3];
    pthread_mutex_lock(&a.lock);
    REQUIRE_EQ(kfk_accum_split_locked(&a, b, 0), 0);
    pthread_mutex_unlock(&a.lock);
    CHECK_EQ(watched_frees, 1);
    int seen = 0;
    for (int k = 0; k < 2; k++) {
        kfk_pbatch *h = drain_one(&a, &out);
        REQUIRE(h);
        CHECK_EQ(h->refs.count, 0);
        CHECK_EQ(h->bb.count, 2);
        REQUIRE_EQ(kfk_accum_finish(h, &o, NULL), 0);
        kfk_wbuf z = {0};
        kfk_records_iter it;
        kfk_record rec;
        kfk_records_iter_init(&it, h->buf.data + h->bb.start, h->buf.len - h->bb.start, &z,
                              1 << 20, 0);
        while (kfk_records_next(&it, &rec) == 1) {
            REQUIRE_EQ(rec.value.len, 5000);
            uint8_t *want = value(5000, 10 + seen++); /* v[i] itself was freed */
            CHECK_MEM(rec.value.ptr, want, 5000);
            kfk_free(want);
        }
        kfk_wbuf_free(&z);
        pthread_mutex_lock(&a.lock);
        kfk_accum_done_locked(&a, h);
        pthread_mutex_unlock(&a.lock);
        kfk_list_remove(&h->link);
        kfk_list l;
        kfk_list_init(&l);
        kfk_list_insert_tail(&l, &h->link);
        kfk_accum_recycle(&a, &l);
    }
    CHECK_EQ(seen, 4);
    kfk_accum_free(&a);
    kfk_set_allocator(NULL);
    watched = NULL;
    watched_frees = 0;
}

/* Batches still queued at free give their values back (ASan: no leak). */
TEST(free_releases_queued_values) {
    kfk_accum a;
    setup(&a, 4096);
    CHECK_EQ(send(&a, value(9000, 7), 9000, 1), 1);
    kfk_accum_free(&a);
}
