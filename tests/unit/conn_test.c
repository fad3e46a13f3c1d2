/* kfk_conn driven by hand-made byte streams: no sockets, no clock. */
#include <stdlib.h>

#include "conn_frames.h"
#include "core/alloc.h"
#include "kfk.h"
#include "net/conn.h"
#include "net/conn_stats.h"
#include "net/timer.h"
#include "proto/proto.h"
#include "test.h"

static const kfk_conn_conf conf = {
    .client_id = "t",
    .request_timeout_ms = 1000,
    .max_in_flight = 5,
    .max_response_bytes = 1 << 20,
    .software_name = "kfk",
    .software_version = "0.1.0",
};

/* -------------------------------------------------------------- helpers */

typedef struct apiv {
    int16_t key, min, max;
} apiv;

/* An ApiVersions response body written by hand, per the spec's layout. */
static void put_apiv_body(kfk_wbuf *w, int16_t v, int16_t err, const apiv *a, int n) {
    kfk_wr_i16(w, err);
    if (v >= 3)
        kfk_wr_uvarint(w, (uint32_t)n + 1);
    else
        kfk_wr_i32(w, n);
    for (int i = 0; i < n; i++) {
        kfk_wr_i16(w, a[i].key);
        kfk_wr_i16(w, a[i].min);
        kfk_wr_i16(w, a[i].max);
        if (v >= 3) kfk_wr_uvarint(w, 0);
    }
    if (v >= 1) kfk_wr_i32(w, 0);
    if (v >= 3) kfk_wr_uvarint(w, 0);
}

/* A response frame: size, header (with tagged fields if flexible), body. */
static void put_frame(kfk_wbuf *w, int16_t key, int16_t version, int32_t corr, const void *body,
                      size_t len) {
    int flexible_header = kfk_response_header_version(key, version) == 1;
    kfk_wr_i32(w, (int32_t)(4 + flexible_header + len));
    kfk_wr_i32(w, corr);
    if (flexible_header) kfk_wr_uvarint(w, 0);
    kfk_wr_raw(w, body, len);
}

static const apiv broker_apis[] = {
    {KFK_API_API_VERSIONS, 0, 4},
    {KFK_API_METADATA, 0, 8}, /* v8: non-flexible, a plain header */
    {KFK_API_PRODUCE, 3, 11},
};

/* Starts c and answers its ApiVersions with broker_apis. */
static void handshake(kfk_conn *c, int64_t now) {
    kfk_conn_start(c, now);
    sent_frame f[4];
    REQUIRE_EQ(take_frames(c, f, 4), 1);
    REQUIRE_EQ(f[0].key, KFK_API_API_VERSIONS);
    kfk_wbuf body = {0}, w = {0};
    put_apiv_body(&body, f[0].version, 0, broker_apis, 3);
    put_frame(&w, KFK_API_API_VERSIONS, f[0].version, f[0].corr, body.data, body.len);
    CHECK_EQ(kfk_conn_feed(c, w.data, w.len, now), 0);
    CHECK_EQ(kfk_conn_state(c), KFK_CONN_READY);
    kfk_wbuf_free(&body);
    kfk_wbuf_free(&w);
}

/* A request whose completions are recorded in order. */
typedef struct rec {
    kfk_request req;
    kfk_metadata_request msg;
    int done, err, order;
    int16_t version;
    char body[64];
    size_t body_len;
    int fail_decode;
    kfk_rxbuf *keep;
    const uint8_t *kept; /* the body, in the kept buffer */
} rec;

static int completions;

static int rec_cb(void *opaque, kfk_response *resp) {
    rec *r = opaque;
    r->done++;
    r->err = resp->err;
    r->order = completions++;
    r->version = resp->version;
    if (!resp->err) {
        r->body_len = kfk_rbuf_left(&resp->body);
        if (r->body_len <= sizeof r->body) memcpy(r->body, resp->body.p, r->body_len);
        if (r->keep == (kfk_rxbuf *)1) {
            r->keep = resp->buf;
            r->kept = resp->body.p;
            kfk_rxbuf_ref(resp->buf);
        }
    }
    return r->fail_decode ? KFK_ERR_MALFORMED : 0;
}

static void rec_init(rec *r, int32_t timeout_ms) {
    memset(r, 0, sizeof *r);
    kfk_metadata_request_init(&r->msg);
    r->msg.topics.count = -1; /* all topics (v1+) */
    r->req = (kfk_request){.api_key = KFK_API_METADATA, .min_version = 1, .max_version = -1,
                           .msg = &r->msg, .timeout_ms = timeout_ms, .cb = rec_cb, .opaque = r};
}

static void respond(kfk_conn *c, const sent_frame *f, const char *body, int64_t now, int expect) {
    kfk_wbuf w = {0};
    put_frame(&w, f->key, f->version, f->corr, body, strlen(body));
    CHECK_EQ(kfk_conn_feed(c, w.data, w.len, now), expect);
    kfk_wbuf_free(&w);
}

/* ---------------------------------------------------------------- tests */

TEST(requests_wait_for_api_versions) {
    kfk_conn *c = kfk_conn_new(&conf, 7);
    rec r;
    rec_init(&r, 0);
    kfk_conn_submit(c, &r.req, 0);
    struct iovec iov[4];
    CHECK_EQ(kfk_conn_send_iov(c, iov, 4), 0); /* DOWN: nothing goes out */

    kfk_conn_start(c, 0);
    sent_frame f[4];
    REQUIRE_EQ(take_frames(c, f, 4), 1); /* only ApiVersions, at our highest version */
    CHECK_EQ(f[0].key, KFK_API_API_VERSIONS);
    CHECK_EQ(f[0].version, kfk_api_info_get(KFK_API_API_VERSIONS)->max_version);
    CHECK_EQ(kfk_conn_state(c), KFK_CONN_APIVERSIONS);

    kfk_wbuf body = {0}, w = {0};
    put_apiv_body(&body, f[0].version, 0, broker_apis, 3);
    put_frame(&w, KFK_API_API_VERSIONS, f[0].version, f[0].corr, body.data, body.len);
    CHECK_EQ(kfk_conn_feed(c, w.data, w.len, 5), 0);
    CHECK_EQ(kfk_conn_state(c), KFK_CONN_READY);
    CHECK_EQ(kfk_conn_api_version(c, KFK_API_METADATA, 0, -1), 8);
    CHECK_EQ(kfk_conn_api_version(c, KFK_API_METADATA, 0, 4), 4);
    CHECK_EQ(kfk_conn_api_version(c, KFK_API_PRODUCE, 0, 2), -1);
    CHECK_EQ(kfk_conn_api_version(c, KFK_API_FETCH, 0, -1), -1); /* broker lacks it */

    REQUIRE_EQ(take_frames(c, f, 4), 1); /* the queued request, at min(ours, broker's) */
    CHECK_EQ(f[0].key, KFK_API_METADATA);
    CHECK_EQ(f[0].version, 8);
    CHECK_EQ(kfk_conn_in_flight(c), 1);
    respond(c, &f[0], "hello", 6, 0);
    CHECK_EQ(r.done, 1);
    CHECK_EQ(r.err, 0);
    CHECK_EQ(r.version, 8);
    REQUIRE_EQ(r.body_len, 5);
    CHECK_MEM(r.body, "hello", 5);
    CHECK_EQ(kfk_conn_pending(c), 0);
    kfk_wbuf_free(&body);
    kfk_wbuf_free(&w);
    kfk_conn_free(c);
}

TEST(api_versions_request_carries_software_name) {
    kfk_conn *c = kfk_conn_new(&conf, 1);
    kfk_conn_start(c, 0);
    struct iovec iov[2];
    REQUIRE_EQ(kfk_conn_send_iov(c, iov, 2), 1);
    kfk_rbuf r = kfk_rbuf_make(iov[0].iov_base, iov[0].iov_len);
    kfk_rd_i32(&r);
    kfk_request_header h;
    REQUIRE_EQ(kfk_request_header_read(&r, &h), 0);
    kfk_api_versions_request m;
    kfk_arena a = {0};
    REQUIRE_EQ(kfk_api_versions_request_decode(&r, h.request_api_version, &a, &m), 0);
    CHECK_EQ(m.client_software_name.len, 3);
    CHECK_MEM(m.client_software_name.ptr, "kfk", 3);
    CHECK_EQ(m.client_software_version.len, 5);
    kfk_arena_reset(&a);
    kfk_conn_free(c);
}

TEST(response_split_at_every_byte_boundary) {
    /* Three responses in one stream, cut in two at every offset, then fed
     * one byte at a time. */
    for (size_t cut = 0;; cut++) {
        kfk_conn *c = kfk_conn_new(&conf, 1);
        handshake(c, 0);
        rec r[3];
        for (int i = 0; i < 3; i++) {
            rec_init(&r[i], 0);
            kfk_conn_submit(c, &r[i].req, 0);
        }
        sent_frame f[3];
        REQUIRE_EQ(take_frames(c, f, 3), 3);
        static const char *bodies[3] = {"", "second", "third body, longer"};
        kfk_wbuf w = {0};
        for (int i = 0; i < 3; i++)
            put_frame(&w, f[i].key, f[i].version, f[i].corr, bodies[i], strlen(bodies[i]));
        if (cut > w.len) {
            /* byte at a time */
            for (size_t i = 0; i < w.len; i++) CHECK_EQ(kfk_conn_feed(c, w.data + i, 1, 0), 0);
        } else {
            CHECK_EQ(kfk_conn_feed(c, w.data, cut, 0), 0);
            CHECK_EQ(kfk_conn_feed(c, w.data + cut, w.len - cut, 0), 0);
        }
        for (int i = 0; i < 3; i++) {
            CHECK_EQ(r[i].done, 1);
            CHECK_EQ(r[i].err, 0);
            CHECK_EQ(r[i].body_len, strlen(bodies[i]));
            CHECK_MEM(r[i].body, bodies[i], strlen(bodies[i]));
        }
        CHECK(r[0].order < r[1].order && r[1].order < r[2].order);
        size_t len = w.len;
        kfk_wbuf_free(&w);
        kfk_conn_free(c);
        if (cut > len || kfk_test_case_failed) break;
    }
}

TEST(many_in_flight_bounded_and_in_order) {
    kfk_conn *c = kfk_conn_new(&conf, 1);
    handshake(c, 0);
    enum { N = 23 };
    rec r[N];
    for (int i = 0; i < N; i++) {
        rec_init(&r[i], 0);
        kfk_conn_submit(c, &r[i].req, 0);
    }
    int answered = 0;
    sent_frame wire[N];
    int on_wire = 0, head = 0;
    while (answered < N) {
        sent_frame f[N];
        int n = take_frames(c, f, N);
        for (int i = 0; i < n; i++) wire[on_wire++] = f[i];
        CHECK(kfk_conn_in_flight(c) <= conf.max_in_flight);
        REQUIRE(head < on_wire);
        /* Answer two at once when we can: pipelined responses in one read. */
        kfk_wbuf w = {0};
        int k = on_wire - head >= 2 ? 2 : 1;
        for (int i = 0; i < k; i++, head++)
            put_frame(&w, wire[head].key, wire[head].version, wire[head].corr, "x", 1);
        CHECK_EQ(kfk_conn_feed(c, w.data, w.len, 0), 0);
        kfk_wbuf_free(&w);
        answered += k;
    }
    CHECK_EQ(on_wire, N);
    for (int i = 0; i < N; i++) {
        CHECK_EQ(r[i].done, 1);
        CHECK_EQ(r[i].order, i + completions - N);
        if (i > 0) CHECK_EQ(wire[i].corr, wire[i - 1].corr + 1);
    }
    kfk_conn_free(c);
}

TEST(out_of_order_correlation_id_closes) {
    kfk_conn *c = kfk_conn_new(&conf, 1);
    handshake(c, 0);
    rec r[3];
    for (int i = 0; i < 3; i++) {
        rec_init(&r[i], 0);
        kfk_conn_submit(c, &r[i].req, 0);
    }
    sent_frame f[3];
    REQUIRE_EQ(take_frames(c, f, 3), 3);
    respond(c, &f[1], "b", 0, KFK_ERR_MALFORMED);
    CHECK_EQ(kfk_conn_state(c), KFK_CONN_DOWN);
    const char *msg;
    CHECK_EQ(kfk_conn_last_error(c, &msg), KFK_ERR_MALFORMED);
    CHECK(strstr(msg, "correlation id") != NULL);
    CHECK_EQ(kfk_conn_stats_of(c)->rxcorriderrs, 1);
    CHECK_EQ(kfk_conn_stats_of(c)->rxerrs, 0);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(r[i].done, 1);
        CHECK_EQ(r[i].err, KFK_ERR_TRANSPORT);
        CHECK(kfk_err_retriable(r[i].err));
    }
    /* Bytes after the close are refused, not parsed. */
    CHECK_EQ(kfk_conn_feed(c, "\0\0\0\0", 4, 0), KFK_ERR_STATE);
    kfk_conn_free(c);
}

TEST(response_with_nothing_in_flight_closes) {
    kfk_conn *c = kfk_conn_new(&conf, 1);
    handshake(c, 0);
    sent_frame f = {KFK_API_METADATA, 8, 99};
    respond(c, &f, "", 0, KFK_ERR_MALFORMED);
    CHECK_EQ(kfk_conn_stats_of(c)->rxcorriderrs, 1);
    kfk_conn_free(c);
}

TEST(bad_frame_sizes_close) {
    static const int32_t sizes[] = {-1, INT32_MIN, 0, 3, (1 << 20) + 1, INT32_MAX};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        kfk_conn *c = kfk_conn_new(&conf, 1);
        handshake(c, 0);
        rec r;
        rec_init(&r, 0);
        kfk_conn_submit(c, &r.req, 0);
        sent_frame f[1];
        take_frames(c, f, 1);
        uint8_t hdr[8] = {0};
        kfk_put_u32(hdr, (uint32_t)sizes[i]);
        /* Only the size prefix arrives: it is judged before any body. */
        CHECK_EQ(kfk_conn_feed(c, hdr, 4, 0), KFK_ERR_MALFORMED);
        CHECK_EQ(r.done, 1);
        CHECK_EQ(r.err, KFK_ERR_TRANSPORT);
        kfk_conn_free(c);
    }
}

TEST(callback_decode_failure_closes) {
    kfk_conn *c = kfk_conn_new(&conf, 1);
    handshake(c, 0);
    rec r[2];
    for (int i = 0; i < 2; i++) {
        rec_init(&r[i], 0);
        kfk_conn_submit(c, &r[i].req, 0);
    }
    r[0].fail_decode = 1;
    sent_frame f[2];
    REQUIRE_EQ(take_frames(c, f, 2), 2);
    respond(c, &f[0], "junk", 0, KFK_ERR_MALFORMED);
    CHECK_EQ(r[0].err, 0); /* it got its bytes; its own decoder reports */
    CHECK_EQ(r[1].done, 1);
    CHECK_EQ(r[1].err, KFK_ERR_TRANSPORT);
    kfk_conn_free(c);
}

TEST(timeout_on_wire_fails_request_and_closes) {
    kfk_conn *c = kfk_conn_new(&conf, 1);
    handshake(c, 0);
    rec a, b;
    rec_init(&a, 100);
    rec_init(&b, 5000);
    kfk_conn_submit(c, &a.req, 0);
    kfk_conn_submit(c, &b.req, 0);
    sent_frame f[2];
    REQUIRE_EQ(take_frames(c, f, 2), 2);
    CHECK_EQ(kfk_conn_next_deadline(c), 100);
    CHECK_EQ(kfk_conn_tick(c, 99), 0);
    CHECK_EQ(a.done, 0);
    CHECK_EQ(kfk_conn_tick(c, 100), KFK_ERR_TIMED_OUT);
    CHECK_EQ(a.done, 1);
    CHECK_EQ(a.err, KFK_ERR_TIMED_OUT);
    CHECK_EQ(b.done, 1);
    CHECK_EQ(b.err, KFK_ERR_TRANSPORT);
    CHECK_EQ(kfk_conn_state(c), KFK_CONN_DOWN);
    CHECK_EQ(kfk_conn_next_deadline(c), INT64_MAX);
    kfk_conn_free(c);
}

TEST(timeout_before_sending_keeps_connection) {
    static const kfk_conn_conf one = {.client_id = "t", .request_timeout_ms = 1000,
                                      .max_in_flight = 1, .max_response_bytes = 1 << 20};
    kfk_conn *c = kfk_conn_new(&one, 1);
    rec queued_while_down;
    rec_init(&queued_while_down, 50);
    kfk_conn_submit(c, &queued_while_down.req, 0);
    CHECK_EQ(kfk_conn_tick(c, 50), 0);
    CHECK_EQ(queued_while_down.err, KFK_ERR_TIMED_OUT);

    handshake(c, 100);
    rec a, b;
    rec_init(&a, 0);
    rec_init(&b, 10); /* waits behind a: max_in_flight is 1 */
    kfk_conn_submit(c, &a.req, 100);
    kfk_conn_submit(c, &b.req, 100);
    sent_frame f[2];
    REQUIRE_EQ(take_frames(c, f, 2), 1);
    CHECK_EQ(kfk_conn_tick(c, 110), 0);
    CHECK_EQ(b.done, 1);
    CHECK_EQ(b.err, KFK_ERR_TIMED_OUT);
    CHECK_EQ(a.done, 0);
    CHECK_EQ(kfk_conn_state(c), KFK_CONN_READY);
    respond(c, &f[0], "ok", 120, 0);
    CHECK_EQ(a.done, 1);
    CHECK_EQ(a.err, 0);
    kfk_conn_free(c);
}

TEST(api_versions_fallback_to_broker_version) {
    /* An older broker: it knows ApiVersions up to v2 only, answers our newest
     * with UNSUPPORTED_VERSION in the v0 layout; we retry at v2. */
    kfk_conn *c = kfk_conn_new(&conf, 1);
    kfk_conn_start(c, 0);
    sent_frame f[2];
    REQUIRE_EQ(take_frames(c, f, 2), 1);
    CHECK_EQ(f[0].version, kfk_api_info_get(KFK_API_API_VERSIONS)->max_version);
    static const apiv old[] = {{KFK_API_API_VERSIONS, 0, 2}, {KFK_API_METADATA, 0, 7}};
    kfk_wbuf body = {0}, w = {0};
    put_apiv_body(&body, 0, KFK_ERR_UNSUPPORTED_VERSION, old, 2);
    put_frame(&w, KFK_API_API_VERSIONS, 0, f[0].corr, body.data, body.len);
    CHECK_EQ(kfk_conn_feed(c, w.data, w.len, 0), 0);
    CHECK_EQ(kfk_conn_state(c), KFK_CONN_APIVERSIONS);
    REQUIRE_EQ(take_frames(c, f, 2), 1);
    CHECK_EQ(f[0].key, KFK_API_API_VERSIONS);
    CHECK_EQ(f[0].version, 2);

    kfk_wbuf_free(&body);
    kfk_wbuf_free(&w);
    put_apiv_body(&body, 2, 0, old, 2);
    put_frame(&w, KFK_API_API_VERSIONS, 2, f[0].corr, body.data, body.len);
    CHECK_EQ(kfk_conn_feed(c, w.data, w.len, 0), 0);
    CHECK_EQ(kfk_conn_state(c), KFK_CONN_READY);
    CHECK_EQ(kfk_conn_api_version(c, KFK_API_METADATA, 0, -1), 7);
    kfk_wbuf_free(&body);
    kfk_wbuf_free(&w);
    kfk_conn_free(c);
}

/* The ApiVersions request c sends next, decoded (strings point into *all). */
static kfk_api_versions_request sent_apiv(kfk_conn *c, kfk_wbuf *all, int16_t *version) {
    struct iovec iov[8];
    int n;
    while ((n = kfk_conn_send_iov(c, iov, 8)) > 0) {
        size_t total = 0;
        for (int i = 0; i < n; i++) {
            kfk_wr_raw(all, iov[i].iov_base, iov[i].iov_len);
            total += iov[i].iov_len;
        }
        kfk_conn_sent(c, total);
    }
    kfk_rbuf r = kfk_rbuf_make(all->data, all->len);
    kfk_rd_i32(&r);
    kfk_request_header h;
    kfk_api_versions_request m;
    kfk_arena a = {0};
    CHECK_EQ(kfk_request_header_read(&r, &h), 0);
    CHECK_EQ(h.request_api_key, KFK_API_API_VERSIONS);
    *version = h.request_api_version;
    CHECK_EQ(kfk_api_versions_request_decode(&r, h.request_api_version, &a, &m), 0);
    kfk_arena_reset(&a);
    return m;
}

TEST(api_versions_names_the_broker_meant) {
    /* KIP-1242: a link metadata named sends its node and cluster id (v5);
     * a bootstrap link knows neither. */
    kfk_conn *c = kfk_conn_new(&conf, -1);
    kfk_wbuf all = {0};
    int16_t v;
    kfk_conn_start(c, 0);
    kfk_api_versions_request m = sent_apiv(c, &all, &v);
    CHECK_EQ(v, 5);
    CHECK_EQ(m.cluster_id.len, -1);
    CHECK_EQ(m.node_id, -1);
    kfk_conn_close(c, KFK_ERR_TRANSPORT, "test");
    kfk_wbuf_free(&all);

    CHECK_EQ(kfk_conn_set_node(c, 3, "f7QCDENh_whq3-Q_527bhg"), 0);
    kfk_conn_start(c, 0);
    m = sent_apiv(c, &all, &v);
    CHECK_EQ(m.node_id, 3);
    REQUIRE_EQ(m.cluster_id.len, 22);
    CHECK_MEM(m.cluster_id.ptr, "f7QCDENh_whq3-Q_527bhg", 22);
    kfk_wbuf_free(&all);
    kfk_conn_free(c);
}

TEST(api_versions_rebootstrap_required_closes) {
    /* The broker at the address is another node or cluster: the connection
     * closes with REBOOTSTRAP_REQUIRED (the client starts over) and the
     * queued request fails with a retriable transport error, to be sent
     * elsewhere. */
    kfk_conn *c = kfk_conn_new(&conf, 2);
    CHECK_EQ(kfk_conn_set_node(c, 2, "cluster-a"), 0);
    rec r;
    rec_init(&r, 0);
    kfk_conn_submit(c, &r.req, 0);
    kfk_conn_start(c, 0);
    sent_frame f[2];
    REQUIRE_EQ(take_frames(c, f, 2), 1);
    kfk_wbuf body = {0}, w = {0};
    kfk_wr_i16(&body, KFK_ERR_REBOOTSTRAP_REQUIRED);
    kfk_wr_uvarint(&body, 1); /* no api keys */
    kfk_wr_i32(&body, 0);     /* throttle */
    kfk_wr_uvarint(&body, 0); /* tagged fields */
    put_frame(&w, KFK_API_API_VERSIONS, f[0].version, f[0].corr, body.data, body.len);
    CHECK_EQ(kfk_conn_feed(c, w.data, w.len, 0), KFK_ERR_REBOOTSTRAP_REQUIRED);
    CHECK_EQ(kfk_conn_state(c), KFK_CONN_DOWN);
    const char *why = NULL;
    CHECK_EQ(kfk_conn_last_error(c, &why), KFK_ERR_REBOOTSTRAP_REQUIRED);
    CHECK(why && strstr(why, "node 2 of cluster cluster-a"));
    CHECK_EQ(r.done, 1);
    CHECK_EQ(r.err, KFK_ERR_TRANSPORT);
    kfk_wbuf_free(&body);
    kfk_wbuf_free(&w);
    kfk_conn_free(c);
}

TEST(api_versions_fallback_to_v0) {
    /* The error body does not list ApiVersions (or claims a version we
     * just used): fall back to v0, and give up if v0 is refused too. */
    kfk_conn *c = kfk_conn_new(&conf, 1);
    rec r;
    rec_init(&r, 0);
    kfk_conn_submit(c, &r.req, 0);
    kfk_conn_start(c, 0);
    sent_frame f[2];
    static const apiv none[] = {{KFK_API_METADATA, 0, 7}};
    for (int round = 0; round < 2; round++) {
        REQUIRE_EQ(take_frames(c, f, 2), 1);
        CHECK_EQ(f[0].version,
                 round == 0 ? kfk_api_info_get(KFK_API_API_VERSIONS)->max_version : 0);
        kfk_wbuf body = {0}, w = {0};
        put_apiv_body(&body, 0, KFK_ERR_UNSUPPORTED_VERSION, none, 1);
        put_frame(&w, KFK_API_API_VERSIONS, 0, f[0].corr, body.data, body.len);
        CHECK_EQ(kfk_conn_feed(c, w.data, w.len, 0), round == 0 ? 0 : KFK_ERR_UNSUPPORTED_VERSION);
        kfk_wbuf_free(&body);
        kfk_wbuf_free(&w);
    }
    CHECK_EQ(kfk_conn_state(c), KFK_CONN_DOWN);
    CHECK_EQ(r.done, 1);
    CHECK_EQ(r.err, KFK_ERR_TRANSPORT);
    kfk_conn_free(c);
}

TEST(malformed_api_versions_closes) {
    kfk_conn *c = kfk_conn_new(&conf, 1);
    kfk_conn_start(c, 0);
    sent_frame f[1];
    REQUIRE_EQ(take_frames(c, f, 1), 1);
    kfk_wbuf w = {0};
    put_frame(&w, KFK_API_API_VERSIONS, f[0].version, f[0].corr, "\0\0\x7f", 3);
    CHECK_EQ(kfk_conn_feed(c, w.data, w.len, 0), KFK_ERR_MALFORMED);
    kfk_wbuf_free(&w);
    kfk_conn_free(c);
}

TEST(no_common_version_fails_request_only) {
    kfk_conn *c = kfk_conn_new(&conf, 1);
    handshake(c, 0);
    rec r;
    rec_init(&r, 0);
    r.req.min_version = 9; /* the broker stops at 8 */
    kfk_conn_submit(c, &r.req, 0);
    CHECK_EQ(r.done, 1);
    CHECK_EQ(r.err, KFK_ERR_UNSUPPORTED_VERSION);
    CHECK_EQ(kfk_conn_state(c), KFK_CONN_READY);
    kfk_conn_free(c);
}

static int no_response_cb(void *opaque, kfk_response *resp) {
    (*(int *)opaque)++;
    return 0;
}

TEST(no_response_request_completes_when_written) {
    kfk_conn *c = kfk_conn_new(&conf, 1);
    handshake(c, 0);
    int done = 0;
    kfk_metadata_request m;
    kfk_metadata_request_init(&m);
    kfk_request req = {.api_key = KFK_API_METADATA, .max_version = -1, .msg = &m,
                       .no_response = 1, .cb = no_response_cb, .opaque = &done};
    kfk_conn_submit(c, &req, 0);
    struct iovec iov[2];
    REQUIRE_EQ(kfk_conn_send_iov(c, iov, 2), 1);
    kfk_conn_sent(c, iov[0].iov_len - 1);
    CHECK_EQ(done, 0);
    kfk_conn_sent(c, 1);
    CHECK_EQ(done, 1);
    CHECK_EQ(kfk_conn_in_flight(c), 0);
    kfk_conn_free(c);
}

TEST(large_response_read_in_place_and_kept) {
    kfk_conn *c = kfk_conn_new(&conf, 1);
    handshake(c, 0);
    rec a, b;
    rec_init(&a, 0);
    rec_init(&b, 0);
    a.keep = (kfk_rxbuf *)1; /* a's callback keeps its buffer */
    kfk_conn_submit(c, &a.req, 0);
    kfk_conn_submit(c, &b.req, 0);
    sent_frame f[2];
    REQUIRE_EQ(take_frames(c, f, 2), 2);

    size_t big = 300 * 1024;
    char *body = kfk_malloc(big + 1);
    for (size_t i = 0; i < big; i++) body[i] = (char)('a' + i % 26);
    body[big] = '\0';
    kfk_wbuf w = {0};
    put_frame(&w, f[0].key, f[0].version, f[0].corr, body, big);
    put_frame(&w, f[1].key, f[1].version, f[1].corr, "tail", 4);

    /* Once the size prefix is in, the space offered holds the whole frame:
     * the kernel can read the body straight into its final place. */
    uint8_t *p;
    size_t room;
    REQUIRE_EQ(kfk_conn_recv_space(c, &p, &room), 0);
    memcpy(p, w.data, 8);
    REQUIRE_EQ(kfk_conn_recv_done(c, 8, 0), 0);
    REQUIRE_EQ(kfk_conn_recv_space(c, &p, &room), 0);
    CHECK(room >= big + 4 + 4 - 8);
    CHECK_EQ(kfk_conn_feed(c, w.data + 8, w.len - 8, 0), 0);
    CHECK_EQ(a.done, 1);
    CHECK_EQ(a.body_len, big);
    CHECK_EQ(b.done, 1);
    CHECK_MEM(b.body, "tail", 4);
    /* The kept buffer still holds a's body after the connection moved on. */
    REQUIRE(a.keep != NULL && a.keep != (kfk_rxbuf *)1);
    kfk_conn_free(c);
    kfk_rxbuf_unref(a.keep);
    kfk_free(body);
    kfk_wbuf_free(&w);
}

TEST(kept_buffer_survives_later_responses) {
    kfk_conn *c = kfk_conn_new(&conf, 1);
    handshake(c, 0);
    enum { N = 40 };
    rec r[N];
    for (int round = 0; round < N; round++) {
        rec_init(&r[round], 0);
        r[round].keep = round == 0 ? (kfk_rxbuf *)1 : NULL;
        r[round].req.max_version = 5; /* pre-KIP-219: the 'A's are no throttle time */
        kfk_conn_submit(c, &r[round].req, 0);
        sent_frame f[1];
        REQUIRE_EQ(take_frames(c, f, 1), 1);
        char body[3000];
        memset(body, 'A' + round % 26, sizeof body - 1);
        body[sizeof body - 1] = '\0';
        respond(c, &f[0], body, 0, 0);
    }
    REQUIRE(r[0].kept != NULL);
    REQUIRE_EQ(r[0].body_len, 2999);
    for (size_t i = 0; i < 2999; i++)
        if (r[0].kept[i] != 'A') {
            CHECK_EQ(r[0].kept[i], 'A');
            break;
        }
    kfk_conn_free(c);
    kfk_rxbuf_unref(r[0].keep);
}

TEST(close_fails_everything_and_later_requests_wait) {
    kfk_conn *c = kfk_conn_new(&conf, 1);
    handshake(c, 0);
    rec a, b;
    rec_init(&a, 0);
    rec_init(&b, 0);
    kfk_conn_submit(c, &a.req, 0);
    kfk_conn_close(c, KFK_ERR_TRANSPORT, "reset by peer");
    CHECK_EQ(a.done, 1);
    CHECK_EQ(a.err, KFK_ERR_TRANSPORT);
    kfk_conn_submit(c, &b.req, 0);
    CHECK_EQ(b.done, 0);
    handshake(c, 10); /* a new transport */
    sent_frame f[1];
    REQUIRE_EQ(take_frames(c, f, 1), 1);
    respond(c, &f[0], "", 10, 0);
    CHECK_EQ(b.done, 1);
    CHECK_EQ(b.err, 0);
    kfk_conn_free(c);
}

/* A request struct failed after it was written, then submitted again
 * while the connection is down, must time out there: left looking "sent",
 * it never did and the I/O thread spun on its timer. */
TEST(resubmitted_request_times_out_while_down) {
    kfk_conn *c = kfk_conn_new(&conf, 1);
    handshake(c, 0);
    rec a;
    rec_init(&a, 100);
    kfk_conn_submit(c, &a.req, 0);
    sent_frame f[1];
    REQUIRE_EQ(take_frames(c, f, 1), 1);
    kfk_conn_close(c, KFK_ERR_TRANSPORT, "reset by peer");
    CHECK_EQ(a.done, 1);
    CHECK_EQ(a.err, KFK_ERR_TRANSPORT);
    kfk_conn_submit(c, &a.req, 10);
    CHECK_EQ(kfk_conn_next_deadline(c), 110);
    CHECK_EQ(kfk_conn_tick(c, 110), 0);
    CHECK_EQ(a.done, 2);
    CHECK_EQ(a.err, KFK_ERR_TIMED_OUT);
    CHECK_EQ(kfk_conn_next_deadline(c), INT64_MAX);
    kfk_conn_free(c);
}

TEST(free_fails_pending_with_destroyed) {
    kfk_conn *c = kfk_conn_new(&conf, 1);
    rec a;
    rec_init(&a, 0);
    kfk_conn_submit(c, &a.req, 0);
    kfk_conn_free(c);
    CHECK_EQ(a.done, 1);
    CHECK_EQ(a.err, KFK_ERR_DESTROYED);
}

TEST(random_streams_never_crash) {
    /* Garbage after a valid handshake: any outcome but a crash or an
     * over-read (ASan) is fine, and requests always complete once. */
    uint64_t seed = 42;
    for (int iter = 0; iter < 500; iter++) {
        kfk_conn *c = kfk_conn_new(&conf, 1);
        handshake(c, 0);
        rec r;
        rec_init(&r, 0);
        kfk_conn_submit(c, &r.req, 0);
        sent_frame f[1];
        REQUIRE_EQ(take_frames(c, f, 1), 1);
        uint8_t junk[64];
        size_t n = 4 + (size_t)(seed % 60);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            junk[i] = (uint8_t)(seed >> 56);
        }
        if (iter % 2) { /* plausible size and correlation id, junk after */
            kfk_put_u32(junk, (uint32_t)(n - 4));
            kfk_put_u32(junk + 4, (uint32_t)f[0].corr);
        }
        kfk_conn_feed(c, junk, n, 0);
        kfk_conn_free(c);
        CHECK_EQ(r.done, 1);
    }
}

/* ------------------------------------------------- timers (net/timer.h) */

static int64_t fired[64];
static int nfired;

static void record_fire(kfk_timer *t, int64_t now) { fired[nfired++] = t->when; }

TEST(timer_heap_orders_rearms_and_cancels) {
    kfk_timers h = {0};
    enum { N = 40 };
    kfk_timer t[N];
    for (int i = 0; i < N; i++) REQUIRE_EQ(kfk_timers_add(&h, &t[i], record_fire), 0);
    for (int i = 0; i < N; i++) kfk_timers_set(&h, &t[i], (i * 37) % 101); /* scrambled */
    kfk_timers_set(&h, &t[3], 5000);  /* re-armed later */
    kfk_timers_set(&h, &t[4], -1);    /* re-armed earlier */
    kfk_timers_cancel(&h, &t[5]);
    kfk_timers_cancel(&h, &t[5]);     /* twice is fine */
    CHECK(!kfk_timer_armed(&t[5]));
    CHECK_EQ(kfk_timers_next(&h), -1);
    nfired = 0;
    kfk_timer *x;
    while ((x = kfk_timers_pop(&h, 1000)) != NULL) x->fn(x, 1000);
    CHECK_EQ(nfired, N - 2); /* not t[3] (later), not t[5] (cancelled) */
    for (int i = 1; i < nfired; i++) CHECK(fired[i - 1] <= fired[i]);
    CHECK_EQ(kfk_timers_next(&h), 5000);
    for (int i = 0; i < N; i++) kfk_timers_release(&h, &t[i]);
    CHECK_EQ(kfk_timers_next(&h), INT64_MAX);
    kfk_timers_free(&h);
}

/* Statistics' queue counts: requests and the records they carry, queued
 * and then on the wire awaiting answers. */
TEST(queue_counts_with_records) {
    kfk_conn *c = kfk_conn_new(&conf, 1);
    handshake(c, 0);
    rec r[3];
    for (int i = 0; i < 3; i++) {
        rec_init(&r[i], 0);
        r[i].req.msgs = 10 * (i + 1);
        kfk_conn_submit(c, &r[i].req, 0);
    }
    kfk_stats_broker b;
    kfk_conn_queue_counts(c, &b);
    CHECK_EQ(b.outbuf_cnt, 3);
    CHECK_EQ(b.outbuf_msg_cnt, 60);
    CHECK_EQ(b.waitresp_cnt, 0);
    CHECK_EQ(b.waitresp_msg_cnt, 0);
    sent_frame f[3];
    REQUIRE_EQ(take_frames(c, f, 3), 3);
    kfk_conn_queue_counts(c, &b);
    CHECK_EQ(b.outbuf_cnt, 0);
    CHECK_EQ(b.outbuf_msg_cnt, 0);
    CHECK_EQ(b.waitresp_cnt, 3);
    CHECK_EQ(b.waitresp_msg_cnt, 60);
    respond(c, &f[0], "a", 0, 0);
    kfk_conn_queue_counts(c, &b);
    CHECK_EQ(b.waitresp_cnt, 2);
    CHECK_EQ(b.waitresp_msg_cnt, 50);
    kfk_conn_free(c);
}

/* A kept response buffer goes back to the client's pool when its last
 * holder lets go, and the next large response is read into it. */
TEST(released_response_buffers_are_reused) {
    kfk_rxpool *pool = kfk_rxpool_new(4 << 20);
    kfk_conn_conf pconf = conf;
    pconf.rx_pool = pool;
    kfk_conn *c = kfk_conn_new(&pconf, 1);
    handshake(c, 0);
    size_t big = 300 * 1024;
    char *body = kfk_malloc(big + 1);
    memset(body, 'x', big);
    body[big] = '\0';
    kfk_rxbuf *first = NULL, *held = NULL;
    for (int round = 0; round < 6; round++) {
        rec r;
        rec_init(&r, 0);
        r.keep = (kfk_rxbuf *)1;
        r.req.max_version = 5; /* pre-KIP-219: the 'x's are no throttle time */
        kfk_conn_submit(c, &r.req, 0);
        sent_frame f[1];
        REQUIRE_EQ(take_frames(c, f, 1), 1);
        respond(c, &f[0], body, 0, 0);
        REQUIRE_EQ(r.body_len, big);
        REQUIRE(r.keep != NULL && r.keep != (kfk_rxbuf *)1);
        if (round == 0) first = r.keep;
        if (round == 4) {
            CHECK(r.keep == first);
            held = r.keep; /* still held during round 5: another buffer */
            continue;
        }
        if (round == 5) CHECK(r.keep != held);
        if (round > 0 && round < 4) CHECK(r.keep == first);
        kfk_rxbuf_unref(r.keep);
    }
    kfk_rxpool_counts n = kfk_rxpool_counts_of(pool);
    CHECK(n.reused >= 4);
    kfk_conn_free(c);
    kfk_rxpool_destroy(pool); /* held outlives it */
    kfk_rxbuf_unref(held);
    kfk_free(body);
}
