/* For tests of a sans-IO connection: takes every byte it wants to send and
 * parses the request frames. Header-only. */
#ifndef KFK_TEST_CONN_FRAMES_H
#define KFK_TEST_CONN_FRAMES_H

#include <sys/uio.h>

#include "core/buf.h"
#include "net/conn.h"
#include "proto/proto.h"
#include "test.h"

typedef struct sent_frame {
    int16_t key, version;
    int32_t corr;
} sent_frame;

/* Returns the number of frames (at most max) put in out. */
static inline int take_frames(kfk_conn *c, sent_frame *out, int max) {
    kfk_wbuf all = {0};
    struct iovec iov[8];
    int n;
    while ((n = kfk_conn_send_iov(c, iov, 8)) > 0) {
        size_t total = 0;
        for (int i = 0; i < n; i++) {
            kfk_wr_raw(&all, iov[i].iov_base, iov[i].iov_len);
            total += iov[i].iov_len;
        }
        kfk_conn_sent(c, total);
    }
    kfk_rbuf r = kfk_rbuf_make(all.data, all.len);
    int count = 0;
    while (kfk_rbuf_left(&r) >= 4 && count < max) {
        int32_t size = kfk_rd_i32(&r);
        kfk_rbuf f = kfk_rbuf_make(r.p, (size_t)size);
        kfk_request_header h;
        CHECK_EQ(kfk_request_header_read(&f, &h), 0);
        CHECK_EQ(h.client_id.len, 1);
        out[count++] = (sent_frame){h.request_api_key, h.request_api_version, h.correlation_id};
        kfk_rbuf_take(&r, (size_t)size);
    }
    CHECK_EQ(r.err, 0);
    kfk_wbuf_free(&all);
    return count;
}

/* Feeds the response to f: message m of d, at f's version (below). */
static inline void answer(kfk_conn *c, const sent_frame *f, const kfk_msg_desc *d, const void *m,
                          int64_t now);

/* Starts c and answers its ApiVersions with the n ranges in apis. */
static inline void negotiate(kfk_conn *c, kfk_api_versions_response_api_version *apis, int n,
                             int64_t now) {
    kfk_conn_start(c, now);
    sent_frame f[2];
    REQUIRE_EQ(take_frames(c, f, 2), 1);
    kfk_api_versions_response m;
    kfk_api_versions_response_init(&m);
    m.api_keys.items = apis;
    m.api_keys.count = n;
    answer(c, &f[0], &kfk_api_versions_response_desc, &m, now);
}

/* Feeds the response to f: message m of d, at f's version. */
static inline void answer(kfk_conn *c, const sent_frame *f, const kfk_msg_desc *d, const void *m,
                          int64_t now) {
    kfk_wbuf body = {0}, w = {0};
    CHECK_EQ(kfk_msg_encode(&body, d, f->version, m), 0);
    int flex = kfk_response_header_version(f->key, f->version) == 1;
    kfk_wr_i32(&w, (int32_t)(4 + flex + body.len));
    kfk_wr_i32(&w, f->corr);
    if (flex) kfk_wr_uvarint(&w, 0);
    kfk_wr_raw(&w, body.data, body.len);
    CHECK_EQ(kfk_conn_feed(c, w.data, w.len, now), 0);
    kfk_wbuf_free(&body);
    kfk_wbuf_free(&w);
}

#endif
