/* Broker throttling (KIP-219): reading ThrottleTimeMs from any response,
 * and a sans-I/O connection holding its requests back for that long. */
#include <stddef.h>

#include "conn_frames.h"
#include "core/arena.h"
#include "kfk.h"
#include "net/conn.h"
#include "net/throttle.h"
#include "proto/proto.h"
#include "test.h"

/* --------------------------------------------------------------- peeking */

/* Fills a response of `d` at v with random values, sets its throttle (at
 * `off` in the struct) to ms, encodes it and peeks. */
static int32_t peek_random(const kfk_msg_desc *d, size_t size, size_t off, int16_t v, int32_t ms,
                           uint64_t *seed) {
    kfk_arena a = {0};
    _Alignas(16) uint8_t m[4096];
    if (size > sizeof m) return -2;
    CHECK_EQ(kfk_msg_fill_random(d, v, &a, seed, m), 0);
    memcpy(m + off, &ms, sizeof ms);
    kfk_wbuf w = {0};
    CHECK_EQ(kfk_msg_encode(&w, d, v, m), 0);
    kfk_rbuf body = kfk_rbuf_make(w.data, w.len);
    int32_t got = kfk_throttle_peek(d->api_key, v, &body);
    kfk_wbuf_free(&w);
    kfk_arena_reset(&a);
    return got;
}

#define CASE(T, from) {&T##_desc, sizeof(T), offsetof(T, throttle_time_ms), from}

/* Every version of the responses whose throttle is not their first field,
 * and of a few where it is, with random contents around it. */
TEST(peek_finds_the_throttle_in_every_version) {
    static const struct {
        const kfk_msg_desc *d;
        size_t size, off;
        int16_t from; /* first version asking the client to throttle */
    } cases[] = {
        CASE(kfk_produce_response, 6),
        CASE(kfk_api_versions_response, 2),
        CASE(kfk_offset_delete_response, 0),
        CASE(kfk_create_delegation_token_response, 1),
        CASE(kfk_fetch_response, 8),
        CASE(kfk_metadata_response, 6),
        CASE(kfk_join_group_response, 3),
    };
    uint64_t seed = 42;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const kfk_msg_desc *d = cases[i].d;
        for (int16_t v = d->min_version; v <= d->max_version; v++) {
            for (int round = 0; round < 20; round++) {
                int32_t got = peek_random(d, cases[i].size, cases[i].off, v, 1000 + round, &seed);
                int32_t want = v >= cases[i].from ? 1000 + round : 0;
                if (got != want)
                    kfk_test_fail(__FILE__, __LINE__, "%s v%d: throttle %d, expected %d", d->name,
                                  v, got, want);
            }
        }
    }
}

TEST(peek_ignores_short_bodies_and_apis_without_throttle) {
    uint8_t four[4] = {0, 0, 1, 0};
    kfk_rbuf r = kfk_rbuf_make(four, 2);
    CHECK_EQ(kfk_throttle_peek(KFK_API_METADATA, 12, &r), 0);
    r = kfk_rbuf_make(four, 4);
    CHECK_EQ(kfk_throttle_peek(KFK_API_METADATA, 12, &r), 256);
    CHECK_EQ(kfk_throttle_peek(KFK_API_METADATA, 5, &r), 0); /* broker delayed it already */
    CHECK_EQ(kfk_throttle_peek(KFK_API_SASL_HANDSHAKE, 1, &r), 0);
    CHECK_EQ(kfk_throttle_peek(KFK_API_PRODUCE, 9, &r), 0); /* a topic count, then nothing */
    CHECK_EQ(kfk_throttle_peek(-1, 0, &r), 0);
    uint8_t neg[4] = {0xff, 0xff, 0xff, 0xff};
    r = kfk_rbuf_make(neg, 4);
    CHECK_EQ(kfk_throttle_peek(KFK_API_METADATA, 12, &r), 0);
}

/* Kafka 3.9.1 refuses ApiVersions v5 with a v0 body: error 35, one entry
 * (ApiVersions 0-4). Read at v5, its bytes looked like a 256 ms throttle,
 * which held every client's first request on that broker. */
TEST(peek_ignores_an_api_versions_refusal_in_v0_layout) {
    uint8_t refusal[12] = {0, 35, 0, 0, 0, 1, 0, 18, 0, 0, 0, 4};
    kfk_rbuf r = kfk_rbuf_make(refusal, sizeof refusal);
    CHECK_EQ(kfk_throttle_peek(KFK_API_API_VERSIONS, 5, &r), 0);
}

/* ------------------------------------------------------------ connection */

static const kfk_conn_conf conf = {
    .client_id = "t", .request_timeout_ms = 30000, .max_in_flight = 5,
    .max_response_bytes = 1 << 20};

/* Negotiates: the broker supports ApiVersions 0-3 and Metadata 0-12. */
static void handshake(kfk_conn *c, int64_t now) {
    kfk_api_versions_response_api_version apis[] = {
        {.api_key = KFK_API_API_VERSIONS, .min_version = 0, .max_version = 3},
        {.api_key = KFK_API_METADATA, .min_version = 0, .max_version = 12},
    };
    negotiate(c, apis, 2, now);
    CHECK_EQ(kfk_conn_state(c), KFK_CONN_READY);
}

typedef struct req {
    kfk_request r;
    kfk_metadata_request msg;
    int done, err;
} req;

static int req_cb(void *opaque, kfk_response *resp) {
    req *q = opaque;
    q->done++;
    q->err = resp->err;
    return 0;
}

static void req_init(req *q, int16_t max_version) {
    kfk_metadata_request_init(&q->msg);
    q->msg.topics.count = 0;
    q->r = (kfk_request){.api_key = KFK_API_METADATA, .max_version = max_version,
                         .msg = &q->msg, .cb = req_cb, .opaque = q};
    q->done = 0;
}

static void throttled_answer(kfk_conn *c, const sent_frame *f, int32_t ms, int64_t now) {
    kfk_metadata_response m;
    kfk_metadata_response_init(&m);
    m.throttle_time_ms = ms;
    answer(c, f, &kfk_metadata_response_desc, &m, now);
}

TEST(requests_wait_out_the_throttle) {
    kfk_conn *c = kfk_conn_new(&conf, 1);
    REQUIRE(c);
    handshake(c, 1000);
    req a, b, d;
    req_init(&a, -1);
    kfk_conn_submit(c, &a.r, 1000);
    sent_frame f[4];
    REQUIRE_EQ(take_frames(c, f, 4), 1);
    CHECK_EQ(f[0].version, 12);
    throttled_answer(c, &f[0], 500, 1100);
    CHECK_EQ(a.done, 1);

    /* Nothing goes out until 1600: the request waits, the deadline says when. */
    req_init(&b, -1);
    kfk_conn_submit(c, &b.r, 1200);
    CHECK_EQ(take_frames(c, f, 4), 0);
    CHECK_EQ(kfk_conn_next_deadline(c), 1600);
    CHECK_EQ(kfk_conn_tick(c, 1599), 0);
    CHECK_EQ(take_frames(c, f, 4), 0);
    kfk_throttle_stats ts;
    kfk_conn_throttle_stats(c, &ts);
    CHECK_EQ(ts.throttles, 1);
    CHECK_EQ(ts.throttle_ms, 500);
    CHECK(ts.holds >= 2);
    CHECK_EQ(ts.until, 1600);
    CHECK_EQ(kfk_conn_tick(c, 1600), 0);
    REQUIRE_EQ(take_frames(c, f, 4), 1);
    kfk_conn_throttle_stats(c, &ts);
    CHECK_EQ(ts.until, 0);

    /* Zero throttle: the next request goes at once. */
    throttled_answer(c, &f[0], 0, 1700);
    CHECK_EQ(b.done, 1);
    req_init(&d, -1);
    kfk_conn_submit(c, &d.r, 1700);
    CHECK_EQ(take_frames(c, f, 4), 1);
    throttled_answer(c, &f[0], 0, 1700);
    CHECK_EQ(d.done, 1);
    CHECK_EQ(d.err, 0);
    kfk_conn_free(c);
}

/* Before KIP-219 the broker delayed its answer itself: no second wait. */
TEST(old_versions_are_not_throttled_again) {
    kfk_conn *c = kfk_conn_new(&conf, 1);
    REQUIRE(c);
    handshake(c, 1000);
    req a, b;
    req_init(&a, 5);
    kfk_conn_submit(c, &a.r, 1000);
    sent_frame f[4];
    REQUIRE_EQ(take_frames(c, f, 4), 1);
    CHECK_EQ(f[0].version, 5);
    throttled_answer(c, &f[0], 500, 1000);
    req_init(&b, 5);
    kfk_conn_submit(c, &b.r, 1000);
    CHECK_EQ(take_frames(c, f, 4), 1);
    kfk_throttle_stats ts;
    kfk_conn_throttle_stats(c, &ts);
    CHECK_EQ(ts.throttles, 0);
    kfk_conn_free(c);
    CHECK_EQ(b.done, 1);
    CHECK_EQ(b.err, KFK_ERR_DESTROYED);
}

/* A request that waits on a throttle still times out on its own deadline. */
TEST(a_throttled_request_still_times_out) {
    kfk_conn *c = kfk_conn_new(&conf, 1);
    REQUIRE(c);
    handshake(c, 1000);
    req a, b;
    req_init(&a, -1);
    kfk_conn_submit(c, &a.r, 1000);
    sent_frame f[4];
    REQUIRE_EQ(take_frames(c, f, 4), 1);
    throttled_answer(c, &f[0], 60000, 1000);
    req_init(&b, -1);
    b.r.timeout_ms = 2000;
    kfk_conn_submit(c, &b.r, 1000);
    CHECK_EQ(kfk_conn_next_deadline(c), 3000);
    CHECK_EQ(kfk_conn_tick(c, 3000), 0);
    CHECK_EQ(b.done, 1);
    CHECK_EQ(b.err, KFK_ERR_TIMED_OUT);
    CHECK_EQ(kfk_conn_state(c), KFK_CONN_READY);
    kfk_conn_free(c);
}
