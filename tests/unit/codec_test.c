/* The generated codecs: every message at every version round-trips, every
 * truncation fails cleanly, and hostile counts cannot make decoding allocate. */
#include <stdlib.h>

#include "core/alloc.h"
#include "kfk.h"
#include "proto/proto.h"
#include "test.h"

enum { SEEDS = 16 };
static long truncations;

/* Decodes exactly `len` bytes from a buffer of exactly that size, so the
 * sanitizers catch any read past the end. Returns the decode result and sets
 * *left to the bytes not consumed. */
static int decode_exact(const kfk_msg_desc *d, int16_t v, const uint8_t *data, size_t len,
                        kfk_arena *a, void *m, size_t *left) {
    uint8_t *copy = malloc(len ? len : 1);
    if (len) memcpy(copy, data, len);
    kfk_rbuf r = kfk_rbuf_make(copy, len);
    int rc = kfk_msg_decode(&r, d, v, a, m);
    *left = kfk_rbuf_left(&r);
    free(copy);
    return rc;
}

/* fill -> encode -> decode -> encode; both encodings must match and the
 * decoder must consume everything. Then every strict prefix must fail. */
static void round_trip(const kfk_msg_desc *d, int16_t v, uint64_t seed, int *cases) {
    kfk_arena a = {0};
    kfk_wbuf w1 = {0}, w2 = {0};
    void *m = kfk_arena_alloc(&a, d->s.size), *back = kfk_arena_alloc(&a, d->s.size);
    int rc = kfk_msg_fill_random(d, v, &a, &seed, m);
    if (rc == 0) rc = kfk_msg_encode(&w1, d, v, m);
    if (rc) {
        kfk_test_fail(__FILE__, __LINE__, "%s v%d: fill/encode failed: %s", d->name, v,
                      kfk_err_name(rc));
        goto out;
    }
    /* Decoded slices point into the input, so keep it alive until re-encoded. */
    /* An empty encoding leaves w1.data NULL, and NULL + 0 is undefined. */
    kfk_rbuf r = kfk_rbuf_make(w1.len ? w1.data : (const uint8_t *)"", w1.len);
    rc = kfk_msg_decode(&r, d, v, &a, back);
    if (rc || kfk_rbuf_left(&r)) {
        kfk_test_fail(__FILE__, __LINE__, "%s v%d: decode rc %d, %zu bytes left", d->name, v, rc,
                      kfk_rbuf_left(&r));
        goto out;
    }
    rc = kfk_msg_encode(&w2, d, v, back);
    if (rc || w1.len != w2.len || (w1.len && memcmp(w1.data, w2.data, w1.len))) {
        kfk_test_fail(__FILE__, __LINE__, "%s v%d: re-encoding differs (rc %d, %zu vs %zu bytes)",
                      d->name, v, rc, w1.len, w2.len);
        goto out;
    }
    for (size_t n = 0; n < w1.len; n++, truncations++) {
        size_t left;
        rc = decode_exact(d, v, w1.data, n, &a, back, &left);
        if (rc != KFK_ERR_MALFORMED) {
            kfk_test_fail(__FILE__, __LINE__, "%s v%d: %zu of %zu bytes decoded with rc %d",
                          d->name, v, n, w1.len, rc);
            break;
        }
    }
    (*cases)++;
out:
    kfk_wbuf_free(&w1);
    kfk_wbuf_free(&w2);
    kfk_arena_reset(&a);
}

TEST(round_trip_every_message_every_version) {
    int cases = 0, versions = 0;
    for (int i = 0; i < kfk_all_msgs_count; i++) {
        const kfk_msg_desc *d = kfk_all_msgs[i];
        for (int v = d->min_version; v <= d->max_version; v++, versions++)
            for (uint64_t seed = 0; seed < SEEDS; seed++)
                round_trip(d, (int16_t)v, seed * 7919 + (uint64_t)i * 104729 + (uint64_t)v, &cases);
    }
    printf("  %d messages, %d message versions, %d round trips, %ld truncations\n",
           kfk_all_msgs_count, versions, cases, truncations);
    CHECK_EQ(cases, versions * SEEDS);
}

TEST(every_api_has_request_and_response) {
    int apis = 0;
    for (int k = 0; k < KFK_API_KEY_COUNT; k++) {
        const kfk_api_info *ai = kfk_api_info_get((int16_t)k);
        const kfk_msg_desc *req = kfk_request_desc((int16_t)k), *resp = kfk_response_desc((int16_t)k);
        CHECK((ai != NULL) == (req != NULL) && (req != NULL) == (resp != NULL));
        if (!ai) continue;
        apis++;
        CHECK_EQ(ai->key, k);
        CHECK_EQ(req->api_key, k);
        CHECK_EQ(resp->api_key, k);
        CHECK_EQ(req->min_version, ai->min_version);
        CHECK_EQ(resp->max_version, ai->max_version);
        CHECK_EQ(resp->flexible_min, ai->flexible_min);
    }
    CHECK(apis >= 80);
    CHECK(kfk_api_info_get(-1) == NULL);
    CHECK(kfk_api_info_get(KFK_API_KEY_COUNT) == NULL);
    CHECK(kfk_request_desc(KFK_API_KEY_COUNT) == NULL);
}

TEST(api_table_merges_old_and_new_specs) {
    const kfk_api_info *produce = kfk_api_info_get(KFK_API_PRODUCE);
    REQUIRE(produce != NULL);
    CHECK_STR(produce->name, "Produce");
    CHECK_EQ(produce->min_version, 0);   /* from 3.9.1: 4.x starts at 3 */
    CHECK(produce->max_version >= 13);   /* from 4.4.0 */
    CHECK_EQ(produce->flexible_min, 9);
    const kfk_api_info *cs = kfk_api_info_get(KFK_API_CONTROLLED_SHUTDOWN); /* 3.9.1 only */
    REQUIRE(cs != NULL);
    CHECK_EQ(cs->min_version, 0);
    CHECK_EQ(kfk_api_info_get(KFK_API_METADATA)->flexible_min, 9);
    CHECK_EQ(kfk_api_info_get(KFK_API_API_VERSIONS)->flexible_min, 3);
}

TEST(init_sets_spec_defaults) {
    kfk_metadata_response m;
    kfk_metadata_response_init(&m);
    CHECK_EQ(m.cluster_id.len, -1); /* "default": "null" */
    CHECK(m.cluster_id.ptr == NULL);
    CHECK_EQ(m.controller_id, -1);
    CHECK_EQ(m.cluster_authorized_operations, INT32_MIN);
    CHECK_EQ(m.topics.count, 0);
    kfk_metadata_request q;
    kfk_metadata_request_init(&q);
    CHECK_EQ(q.allow_auto_topic_creation, 1); /* "default": "true" */
    kfk_fetch_request f;
    kfk_fetch_request_init(&f);
    CHECK_EQ(f.replica_id, -1);
    CHECK_EQ(f.max_bytes, 0x7fffffff); /* hex default */
    CHECK_EQ(f.cluster_id.len, -1);
}

TEST(versions_outside_range_are_rejected) {
    kfk_metadata_request m;
    kfk_metadata_request_init(&m);
    kfk_wbuf w = {0};
    CHECK_EQ(kfk_metadata_request_encode(&w, 99, &m), KFK_ERR_UNSUPPORTED_VERSION);
    CHECK_EQ(kfk_metadata_request_encode(&w, -1, &m), KFK_ERR_UNSUPPORTED_VERSION);
    kfk_rbuf r = kfk_rbuf_make("", 0);
    kfk_arena a = {0};
    CHECK_EQ(kfk_metadata_request_decode(&r, 99, &a, &m), KFK_ERR_UNSUPPORTED_VERSION);
    kfk_wbuf_free(&w);
}

TEST(encode_rejects_null_where_not_nullable) {
    kfk_wbuf w = {0};
    kfk_metadata_response_broker broker = {.node_id = 1, .host = {NULL, -1}, .port = 9092};
    kfk_metadata_response m;
    kfk_metadata_response_init(&m);
    m.brokers.items = &broker;
    m.brokers.count = 1;
    CHECK_EQ(kfk_metadata_response_encode(&w, 12, &m), KFK_ERR_INVALID_ARG);
    broker.host = (kfk_str){"h", 1};
    m.topics.count = -1; /* topics is never nullable in responses */
    CHECK_EQ(kfk_metadata_response_encode(&w, 12, &m), KFK_ERR_INVALID_ARG);
    m.topics.count = 0;
    w.len = 0;
    CHECK_EQ(kfk_metadata_response_encode(&w, 12, &m), 0);
    kfk_metadata_request q;
    kfk_metadata_request_init(&q);
    q.topics.count = -1; /* null = all topics from v1 on, not in v0 */
    CHECK_EQ(kfk_metadata_request_encode(&w, 0, &q), KFK_ERR_INVALID_ARG);
    CHECK_EQ(kfk_metadata_request_encode(&w, 1, &q), 0);
    char big[0x8000];
    memset(big, 'x', sizeof big);
    broker.host = (kfk_str){big, (int32_t)sizeof big};
    CHECK_EQ(kfk_metadata_response_encode(&w, 12, &m), KFK_ERR_INVALID_ARG);
    kfk_wbuf_free(&w);
}

/* Allocation sizes seen by the allocator, to prove hostile counts are
 * rejected before anything is allocated for them. */
static size_t largest_alloc;
static void *count_malloc(size_t n) {
    if (n > largest_alloc) largest_alloc = n;
    return malloc(n);
}
static void *count_realloc(void *p, size_t n) {
    if (n > largest_alloc) largest_alloc = n;
    return realloc(p, n);
}

static int decode_with_count(const kfk_msg_desc *d, int16_t v, const uint8_t *data, size_t len) {
    kfk_allocator counting = {count_malloc, count_realloc, free};
    kfk_set_allocator(&counting);
    largest_alloc = 0;
    kfk_arena a = {0};
    void *m = kfk_arena_alloc(&a, d->s.size);
    size_t left;
    int rc = decode_exact(d, v, data, len, &a, m, &left);
    kfk_arena_reset(&a);
    kfk_set_allocator(NULL);
    return rc;
}

TEST(garbage_array_count_is_malformed_without_allocating) {
    /* Metadata v0 response: brokers count 0x7fffffff, then 8 bytes. */
    static const uint8_t classic[] = {0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0, 1, 'h', 0};
    CHECK_EQ(decode_with_count(&kfk_metadata_response_desc, 0, classic, sizeof classic),
             KFK_ERR_MALFORMED);
    CHECK(largest_alloc < 1 << 16);
    /* Flexible v12: throttle time, then a compact count of 2^32 - 2. */
    static const uint8_t compact[] = {0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0};
    CHECK_EQ(decode_with_count(&kfk_metadata_response_desc, 12, compact, sizeof compact),
             KFK_ERR_MALFORMED);
    CHECK(largest_alloc < 1 << 16);
    /* Fetch v4 response: 1000 aborted transactions announced, 4 bytes follow. */
    static const uint8_t fetch[] = {0, 0, 0, 0,          /* throttle */
                                    0, 0, 0, 1, 0, 1, 't', /* one topic "t" */
                                    0, 0, 0, 1,          /* one partition */
                                    0, 0, 0, 0, 0, 0,    /* index, error */
                                    0, 0, 0, 0, 0, 0, 0, 0, /* high watermark */
                                    0, 0, 0, 0, 0, 0, 0, 0, /* last stable offset */
                                    0, 0, 3, 0xe8,       /* 1000 aborted transactions */
                                    0, 0, 0, 0};
    CHECK_EQ(decode_with_count(&kfk_fetch_response_desc, 4, fetch, sizeof fetch),
             KFK_ERR_MALFORMED);
    CHECK(largest_alloc < 1 << 16);
    /* Scalar arrays: 3 int32 replicas need 12 bytes, only 11 follow. */
    static const uint8_t replicas[] = {0, 0, 0, 0,             /* no brokers */
                                       0, 0, 0, 1, 0, 0, 0, 1, 't', /* topic "t" */
                                       0, 0, 0, 1, 0, 0,       /* one partition, error */
                                       0, 0, 0, 0, 0, 0, 0, 0, /* index, leader */
                                       0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0};
    CHECK_EQ(decode_with_count(&kfk_metadata_response_desc, 0, replicas, sizeof replicas),
             KFK_ERR_MALFORMED);
}

TEST(malformed_lengths) {
    /* Non-nullable string with length -1 (Metadata v0 request topic name). */
    static const uint8_t null_name[] = {0, 0, 0, 1, 0xff, 0xff};
    CHECK_EQ(decode_with_count(&kfk_metadata_request_desc, 0, null_name, sizeof null_name),
             KFK_ERR_MALFORMED);
    /* Length -2 is not null, just wrong, even where null is allowed (v1+). */
    static const uint8_t minus2[] = {0xff, 0xff, 0xff, 0xfe};
    CHECK_EQ(decode_with_count(&kfk_metadata_request_desc, 1, minus2, sizeof minus2),
             KFK_ERR_MALFORMED);
    /* Null topics are fine in v1. */
    static const uint8_t null_topics[] = {0xff, 0xff, 0xff, 0xff};
    CHECK_EQ(decode_with_count(&kfk_metadata_request_desc, 1, null_topics, sizeof null_topics), 0);
    /* A compact string longer than 32767 bytes. */
    static const uint8_t long_str[] = {0x81, 0x80, 0x02, 'x'};
    CHECK_EQ(decode_with_count(&kfk_find_coordinator_request_desc, 3, long_str, sizeof long_str),
             KFK_ERR_MALFORMED);
    /* A varint that never ends. */
    static const uint8_t endless[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80};
    CHECK_EQ(decode_with_count(&kfk_find_coordinator_request_desc, 3, endless, sizeof endless),
             KFK_ERR_MALFORMED);
}

TEST(tagged_fields) {
    kfk_api_versions_response m;
    kfk_api_versions_response_init(&m);
    CHECK_EQ(m.finalized_features_epoch, -1);
    m.finalized_features_epoch = 7;
    kfk_wbuf w = {0};
    REQUIRE_EQ(kfk_api_versions_response_encode(&w, 3, &m), 0);
    /* error, empty api keys, throttle, then one tagged field: tag 1, 8 bytes. */
    static const uint8_t want[] = {0, 0, 1, 0, 0, 0, 0, 1, 1, 8, 0, 0, 0, 0, 0, 0, 0, 7};
    REQUIRE_EQ(w.len, sizeof want);
    CHECK_MEM(w.data, want, sizeof want);
    kfk_arena a = {0};
    kfk_api_versions_response back;
    kfk_rbuf r = kfk_rbuf_make(w.data, w.len);
    CHECK_EQ(kfk_api_versions_response_decode(&r, 3, &a, &back), 0);
    CHECK_EQ(back.finalized_features_epoch, 7);
    CHECK_EQ(back.zk_migration_ready, 0);
    /* Unknown tags are skipped; a known tag is read within its size only. */
    static const uint8_t unknown[] = {0, 0, 1, 0, 0, 0, 0, 2, 9, 3, 'a', 'b', 'c', 3, 1, 1};
    r = kfk_rbuf_make(unknown, sizeof unknown);
    CHECK_EQ(kfk_api_versions_response_decode(&r, 3, &a, &back), 0);
    CHECK_EQ(kfk_rbuf_left(&r), 0);
    CHECK_EQ(back.zk_migration_ready, 1);
    static const uint8_t short_tag[] = {0, 0, 1, 0, 0, 0, 0, 1, 1, 4, 0, 0, 0, 0};
    r = kfk_rbuf_make(short_tag, sizeof short_tag);
    CHECK_EQ(kfk_api_versions_response_decode(&r, 3, &a, &back), KFK_ERR_MALFORMED);
    /* Tagged fields only exist in flexible versions: v2 ignores the epoch. */
    w.len = 0;
    REQUIRE_EQ(kfk_api_versions_response_encode(&w, 2, &m), 0);
    CHECK_EQ(w.len, 10);
    kfk_arena_reset(&a);
    kfk_wbuf_free(&w);
}

TEST(nullable_struct) {
    kfk_consumer_group_heartbeat_response m;
    kfk_consumer_group_heartbeat_response_init(&m);
    CHECK(m.assignment == NULL);
    kfk_wbuf w = {0};
    REQUIRE_EQ(kfk_consumer_group_heartbeat_response_encode(&w, 0, &m), 0);
    CHECK_EQ(w.data[w.len - 2], 0xff); /* null marker, then the empty tag section */
    kfk_consumer_group_heartbeat_response_assignment asg = {0};
    m.assignment = &asg;
    w.len = 0;
    REQUIRE_EQ(kfk_consumer_group_heartbeat_response_encode(&w, 0, &m), 0);
    kfk_arena a = {0};
    kfk_consumer_group_heartbeat_response back;
    kfk_rbuf r = kfk_rbuf_make(w.data, w.len);
    CHECK_EQ(kfk_consumer_group_heartbeat_response_decode(&r, 0, &a, &back), 0);
    CHECK(back.assignment != NULL);
    kfk_arena_reset(&a);
    kfk_wbuf_free(&w);
}

TEST(request_header_versions) {
    CHECK_EQ(kfk_request_header_version(KFK_API_METADATA, 8), 1);
    CHECK_EQ(kfk_request_header_version(KFK_API_METADATA, 9), 2);
    CHECK_EQ(kfk_request_header_version(KFK_API_CONTROLLED_SHUTDOWN, 0), 0);
    CHECK_EQ(kfk_request_header_version(KFK_API_CONTROLLED_SHUTDOWN, 1), 1);
    CHECK_EQ(kfk_request_header_version(KFK_API_METADATA, 99), -1);
    CHECK_EQ(kfk_request_header_version(-5, 0), -1);
    CHECK_EQ(kfk_response_header_version(KFK_API_API_VERSIONS, 3), 0);
    CHECK_EQ(kfk_response_header_version(KFK_API_FETCH, 12), 1);
    CHECK_EQ(kfk_response_header_version(KFK_API_FETCH, 11), 0);
}

TEST(request_header_bytes) {
    kfk_wbuf w = {0};
    /* v1: key, version, correlation id, int16 client id. */
    REQUIRE_EQ(kfk_request_header_write(&w, KFK_API_METADATA, 4, 0x01020304, "ab"), 0);
    static const uint8_t v1[] = {0, 3, 0, 4, 1, 2, 3, 4, 0, 2, 'a', 'b'};
    REQUIRE_EQ(w.len, sizeof v1);
    CHECK_MEM(w.data, v1, sizeof v1);
    /* v2: the client id stays int16-prefixed; an empty tag section follows. */
    w.len = 0;
    REQUIRE_EQ(kfk_request_header_write(&w, KFK_API_API_VERSIONS, 3, 5, NULL), 0);
    static const uint8_t v2[] = {0, 18, 0, 3, 0, 0, 0, 5, 0xff, 0xff, 0};
    REQUIRE_EQ(w.len, sizeof v2);
    CHECK_MEM(w.data, v2, sizeof v2);
    /* v0: no client id at all. */
    w.len = 0;
    REQUIRE_EQ(kfk_request_header_write(&w, KFK_API_CONTROLLED_SHUTDOWN, 0, 9, "ignored"), 0);
    static const uint8_t v0[] = {0, 7, 0, 0, 0, 0, 0, 9};
    REQUIRE_EQ(w.len, sizeof v0);
    CHECK_MEM(w.data, v0, sizeof v0);
    CHECK_EQ(kfk_request_header_write(&w, KFK_API_METADATA, 99, 1, NULL), KFK_ERR_UNSUPPORTED_VERSION);
    CHECK_EQ(kfk_request_header_write(&w, 1000, 0, 1, NULL), KFK_ERR_INVALID_ARG);

    /* The broker's side reads back what the client wrote. */
    kfk_rbuf r = kfk_rbuf_make(v2, sizeof v2);
    kfk_request_header h;
    CHECK_EQ(kfk_request_header_read(&r, &h), 0);
    CHECK_EQ(h.request_api_key, KFK_API_API_VERSIONS);
    CHECK_EQ(h.correlation_id, 5);
    CHECK_EQ(h.client_id.len, -1);
    CHECK_EQ(kfk_rbuf_left(&r), 0);
    /* An ApiVersions version from the future still yields a correlation id. */
    static const uint8_t future[] = {0, 18, 0x7f, 0, 0, 0, 0, 6, 0, 1, 'c'};
    r = kfk_rbuf_make(future, sizeof future);
    CHECK_EQ(kfk_request_header_read(&r, &h), KFK_ERR_UNSUPPORTED_VERSION);
    CHECK_EQ(h.correlation_id, 6);
    kfk_wbuf_free(&w);
}

TEST(response_header_bytes) {
    kfk_wbuf w = {0};
    REQUIRE_EQ(kfk_response_header_write(&w, KFK_API_FETCH, 12, 77), 0);
    static const uint8_t v1[] = {0, 0, 0, 77, 0};
    REQUIRE_EQ(w.len, sizeof v1);
    CHECK_MEM(w.data, v1, sizeof v1);
    int32_t corr = 0;
    kfk_rbuf r = kfk_rbuf_make(w.data, w.len);
    CHECK_EQ(kfk_response_header_read(&r, KFK_API_FETCH, 12, &corr), 0);
    CHECK_EQ(corr, 77);
    CHECK_EQ(kfk_rbuf_left(&r), 0);
    /* ApiVersions v3 is flexible but its response header is v0. */
    static const uint8_t av[] = {0, 0, 0, 78, 0, 0};
    r = kfk_rbuf_make(av, sizeof av);
    CHECK_EQ(kfk_response_header_read(&r, KFK_API_API_VERSIONS, 3, &corr), 0);
    CHECK_EQ(corr, 78);
    CHECK_EQ(kfk_rbuf_left(&r), 2);
    r = kfk_rbuf_make(av, 3);
    CHECK_EQ(kfk_response_header_read(&r, KFK_API_FETCH, 4, &corr), KFK_ERR_MALFORMED);
    kfk_wbuf_free(&w);
}

TEST(fill_is_deterministic) {
    kfk_arena a = {0};
    kfk_wbuf w1 = {0}, w2 = {0};
    kfk_fetch_response m;
    uint64_t s1 = 42, s2 = 42;
    REQUIRE_EQ(kfk_msg_fill_random(&kfk_fetch_response_desc, 16, &a, &s1, &m), 0);
    REQUIRE_EQ(kfk_fetch_response_encode(&w1, 16, &m), 0);
    REQUIRE_EQ(kfk_msg_fill_random(&kfk_fetch_response_desc, 16, &a, &s2, &m), 0);
    REQUIRE_EQ(kfk_fetch_response_encode(&w2, 16, &m), 0);
    REQUIRE_EQ(w1.len, w2.len);
    CHECK_MEM(w1.data, w2.data, w1.len);
    kfk_arena_reset(&a);
    kfk_wbuf_free(&w1);
    kfk_wbuf_free(&w2);
}
