/* kfk_conn sending requests whose encoders reference memory (Produce's
 * record batches): the pieces go out in order, a write may stop anywhere,
 * and the bytes equal those of the same request encoded by copying. */
#include <stdlib.h>

#include "core/alloc.h"
#include "kfk.h"
#include "net/conn.h"
#include "proto/proto.h"
#include "test.h"

static const kfk_conn_conf conf = {
    .client_id = "t",
    .request_timeout_ms = 1000,
    .max_in_flight = 5,
    .max_response_bytes = 1 << 20,
};

/* What the test encoder writes: own bytes and referenced pieces in turn
 * (adjacent references, an empty one, and own bytes after the last). */
typedef struct piece {
    int ref;
    const uint8_t *p;
    size_t len;
} piece;

typedef struct body {
    const piece *pieces;
    int n;
} body;

static int enc_refs(kfk_wbuf *w, int16_t version, const void *msg, kfk_frame_refs *refs) {
    (void)version;
    const body *b = msg;
    for (int i = 0; i < b->n; i++) {
        if (!b->pieces[i].ref)
            kfk_wr_raw(w, b->pieces[i].p, b->pieces[i].len);
        else if (refs->count < refs->cap)
            refs->items[refs->count++] = (kfk_frame_ref){w->len, b->pieces[i].p, b->pieces[i].len};
        else
            return KFK_ERR_INVALID_ARG;
    }
    return 0;
}

static int enc_copy(kfk_wbuf *w, int16_t version, const void *msg) {
    (void)version;
    const body *b = msg;
    for (int i = 0; i < b->n; i++) kfk_wr_raw(w, b->pieces[i].p, b->pieces[i].len);
    return 0;
}

typedef struct req {
    kfk_request r;
    kfk_frame_ref items[8];
    kfk_frame_refs refs;
    int done, err;
} req;

static int on_done(void *opaque, kfk_response *resp) {
    req *q = opaque;
    q->done++;
    q->err = resp->err;
    return 0;
}

static void req_init(req *q, const body *b, int by_ref, int no_response) {
    memset(q, 0, sizeof *q);
    q->refs = (kfk_frame_refs){q->items, 0, 8};
    q->r = (kfk_request){.api_key = KFK_API_PRODUCE, .min_version = 3, .max_version = 3,
                         .msg = b, .no_response = no_response, .cb = on_done, .opaque = q};
    if (by_ref) {
        q->r.encode_refs = enc_refs;
        q->r.refs = &q->refs;
    } else {
        q->r.encode = enc_copy;
    }
}

/* Every byte c wants to send, taken `step` bytes at a time (cycling
 * through steps), at most max iovecs per look. */
static void drain(kfk_conn *c, kfk_wbuf *out, const size_t *steps, int nsteps, int max) {
    struct iovec iov[16];
    int n, k = 0;
    while ((n = kfk_conn_send_iov(c, iov, max)) > 0) {
        size_t want = steps[k++ % nsteps], took = 0;
        for (int i = 0; i < n && took < want; i++) {
            size_t m = iov[i].iov_len < want - took ? iov[i].iov_len : want - took;
            REQUIRE(m > 0);
            kfk_wr_raw(out, iov[i].iov_base, m);
            took += m;
        }
        kfk_conn_sent(c, took);
    }
}

/* Starts c and answers ApiVersions: Produce v3 only. */
static void handshake(kfk_conn *c) {
    kfk_conn_start(c, 0);
    kfk_wbuf sink = {0}, w = {0};
    size_t all = SIZE_MAX;
    drain(c, &sink, &all, 1, 16);
    REQUIRE(sink.len > 8);
    kfk_rbuf r = kfk_rbuf_make(sink.data + 4, sink.len - 4);
    kfk_request_header h;
    REQUIRE_EQ(kfk_request_header_read(&r, &h), 0);
    int16_t v = h.request_api_version; /* answered in the v0 layout's order */
    kfk_wbuf b = {0};
    kfk_wr_i16(&b, 0);
    if (v >= 3)
        kfk_wr_uvarint(&b, 3);
    else
        kfk_wr_i32(&b, 2);
    int16_t apis[2][3] = {{KFK_API_API_VERSIONS, 0, 3}, {KFK_API_PRODUCE, 3, 3}};
    for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 3; j++) kfk_wr_i16(&b, apis[i][j]);
        if (v >= 3) kfk_wr_uvarint(&b, 0);
    }
    if (v >= 1) kfk_wr_i32(&b, 0);
    if (v >= 3) kfk_wr_uvarint(&b, 0);
    kfk_wr_i32(&w, (int32_t)(4 + b.len));
    kfk_wr_i32(&w, h.correlation_id);
    kfk_wr_raw(&w, b.data, b.len);
    REQUIRE_EQ(kfk_conn_feed(c, w.data, w.len, 0), 0);
    REQUIRE_EQ(kfk_conn_state(c), KFK_CONN_READY);
    kfk_wbuf_free(&sink);
    kfk_wbuf_free(&w);
    kfk_wbuf_free(&b);
}

static uint8_t big[5000], mid[2000], small[700];

static const body *test_body(void) {
    for (size_t i = 0; i < sizeof big; i++) big[i] = (uint8_t)(i * 7);
    for (size_t i = 0; i < sizeof mid; i++) mid[i] = (uint8_t)(i * 13 + 1);
    for (size_t i = 0; i < sizeof small; i++) small[i] = (uint8_t)(i * 3 + 2);
    static const piece pieces[] = {
        {0, (const uint8_t *)"head......", 10}, {1, big, sizeof big},
        {0, (const uint8_t *)"mid", 3},         {1, mid, sizeof mid},
        {1, small, sizeof small},               {1, small, 0},
        {0, (const uint8_t *)"tail", 4},
    };
    static const body b = {pieces, 7};
    return &b;
}

/* The bytes of one request as a copying encoder frames it. */
static void expected(const body *b, kfk_wbuf *out) {
    kfk_conn *c = kfk_conn_new(&conf, 1);
    handshake(c);
    req q;
    req_init(&q, b, 0, 1);
    kfk_conn_submit(c, &q.r, 0);
    size_t all = SIZE_MAX;
    drain(c, out, &all, 1, 16);
    CHECK_EQ(q.done, 1);
    kfk_conn_free(c);
}

TEST(references_are_spliced_in_order) {
    const body *b = test_body();
    kfk_wbuf want = {0}, got = {0};
    expected(b, &want);
    REQUIRE_EQ(want.len, 4 + 8 + 2 + 1 + 10 + 5000 + 3 + 2000 + 700 + 4);
    kfk_conn *c = kfk_conn_new(&conf, 1);
    handshake(c);
    req q;
    req_init(&q, b, 1, 1);
    kfk_conn_submit(c, &q.r, 0);
    size_t all = SIZE_MAX;
    drain(c, &got, &all, 1, 16);
    CHECK_EQ(q.refs.count, 4);
    CHECK_EQ(q.done, 1);
    CHECK_EQ(q.err, 0);
    REQUIRE_EQ(got.len, want.len);
    CHECK_MEM(got.data, want.data, want.len);
    kfk_conn_free(c);
    kfk_wbuf_free(&want);
    kfk_wbuf_free(&got);
}

/* Writes that stop inside pieces, at piece edges, one byte at a time, with
 * few iovecs per look; two requests queued back to back. */
TEST(partial_writes_resume_inside_a_piece) {
    const body *b = test_body();
    kfk_wbuf one = {0};
    expected(b, &one);
    static const size_t steps[][4] = {{1, 1, 1, 1}, {7, 333, 4099, 13}, {10, 22, 5000, 3},
                                      {2999, 1, 2, 2}};
    for (int s = 0; s < 4; s++)
        for (int max = 1; max <= 4; max += 3) {
            kfk_conn *c = kfk_conn_new(&conf, 1);
            handshake(c);
            req q[2];
            for (int i = 0; i < 2; i++) {
                req_init(&q[i], b, 1, 0);
                kfk_conn_submit(c, &q[i].r, 0);
            }
            CHECK_EQ(kfk_conn_in_flight(c), 2);
            kfk_wbuf got = {0};
            drain(c, &got, steps[s], 4, max);
            REQUIRE_EQ(got.len, 2 * one.len);
            /* Same bytes but the correlation id (header offset 8). */
            for (int i = 0; i < 2; i++) {
                const uint8_t *f = got.data + (size_t)i * one.len;
                CHECK_MEM(f, one.data, 8);
                CHECK_MEM(f + 12, one.data + 12, one.len - 12);
            }
            CHECK_EQ(q[0].done + q[1].done, 0); /* they await responses */
            kfk_conn_close(c, KFK_ERR_TRANSPORT, "test");
            CHECK_EQ(q[0].done, 1);
            CHECK_EQ(q[1].done, 1);
            CHECK_EQ(q[0].err, KFK_ERR_TRANSPORT);
            kfk_conn_free(c);
            kfk_wbuf_free(&got);
        }
    kfk_wbuf_free(&one);
}

/* A request with no response completes only when its last referenced
 * byte is written. */
TEST(no_response_request_completes_after_its_last_piece) {
    const body *b = test_body();
    kfk_conn *c = kfk_conn_new(&conf, 1);
    handshake(c);
    req q;
    req_init(&q, b, 1, 1);
    kfk_conn_submit(c, &q.r, 0);
    struct iovec iov[16];
    size_t total = 0;
    int n = kfk_conn_send_iov(c, iov, 16);
    for (int i = 0; i < n; i++) total += iov[i].iov_len;
    CHECK_EQ(n, 6); /* header and head, big, "mid", mid, small, tail: no empty pieces */
    kfk_conn_sent(c, total - 1);
    CHECK_EQ(q.done, 0);
    REQUIRE_EQ(kfk_conn_send_iov(c, iov, 16), 1);
    CHECK_EQ(iov[0].iov_len, 1);
    CHECK_EQ(((const uint8_t *)iov[0].iov_base)[0], 'l');
    kfk_conn_sent(c, 1);
    CHECK_EQ(q.done, 1);
    CHECK_EQ(kfk_conn_send_iov(c, iov, 16), 0);
    kfk_conn_free(c);
}

/* The size prefix counts referenced bytes; too many references for the
 * submitter's storage fail the request alone. */
TEST(encoder_errors_fail_the_request) {
    const body *b = test_body();
    kfk_conn *c = kfk_conn_new(&conf, 1);
    handshake(c);
    req q;
    req_init(&q, b, 1, 1);
    q.refs.cap = 2;
    kfk_conn_submit(c, &q.r, 0);
    CHECK_EQ(q.done, 1);
    CHECK_EQ(q.err, KFK_ERR_INVALID_ARG);
    CHECK_EQ(kfk_conn_state(c), KFK_CONN_READY);
    struct iovec iov[4];
    CHECK_EQ(kfk_conn_send_iov(c, iov, 4), 0);
    kfk_conn_free(c);
}
