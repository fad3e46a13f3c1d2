/* Shared by the mock's unit tests: one request through kfk_mock_handle,
 * encoded and decoded with the generated codecs. */
#ifndef KFK_MOCK_CALL_H
#define KFK_MOCK_CALL_H

#include <string.h>

#include "kfk.h"
#include "mock/mock.h"
#include "proto/proto.h"
#include "test.h"

static kfk_arena arena;

/* Sends req (api key/version) to broker; decodes the answer into resp.
 * Returns kfk_mock_handle's result. */
static int call_at(kfk_mock *m, int32_t broker, int16_t key, int16_t v, const void *req,
                   void *resp, int64_t now, int64_t parked_since) {
    kfk_wbuf w = {0}, out = {0};
    kfk_request_header_write(&w, key, v, 7, "mock-test");
    kfk_msg_encode(&w, kfk_request_desc(key), v, req);
    int rc = kfk_mock_handle(m, broker, w.data, w.len, now, parked_since, &out);
    if (rc == KFK_MOCK_REPLY) {
        kfk_rbuf r = kfk_rbuf_make(out.data, out.len);
        int32_t size = kfk_rd_i32(&r), corr = 0;
        CHECK_EQ(size, (int64_t)out.len - 4);
        CHECK_EQ(kfk_response_header_read(&r, key, v, &corr), 0);
        CHECK_EQ(corr, 7);
        /* Decoded slices point into out: keep its bytes in the arena. */
        uint8_t *copy = kfk_arena_alloc(&arena, out.len);
        memcpy(copy, out.data, out.len);
        r = kfk_rbuf_make(copy + (r.p - out.data), kfk_rbuf_left(&r));
        CHECK_EQ(kfk_msg_decode(&r, kfk_response_desc(key), v, &arena, resp), 0);
        CHECK_EQ(kfk_rbuf_left(&r), 0);
    }
    kfk_wbuf_free(&w);
    kfk_wbuf_free(&out);
    return rc;
}

static int call(kfk_mock *m, int32_t broker, int16_t key, int16_t v, const void *req, void *resp) {
    return call_at(m, broker, key, v, req, resp, 0, -1);
}

/* Produces one batch to topic t partition p at v9; returns the partition's
 * error, *base its base offset (-1 without one). */
static inline int produce(kfk_mock *m, int32_t broker, const char *t, int32_t p, const kfk_wbuf *batch,
                          int16_t acks, int64_t *base) {
    if (base) *base = -1;
    kfk_produce_request q;
    kfk_produce_request_init(&q);
    kfk_produce_request_partition_produce_data pd = {p, {batch->data, (int32_t)batch->len}};
    kfk_produce_request_topic_produce_data td = {.name = kfk_str_of(t)};
    td.partition_data.items = &pd;
    td.partition_data.count = 1;
    q.acks = acks;
    q.timeout_ms = 1000;
    q.topic_data.items = &td;
    q.topic_data.count = 1;
    kfk_produce_response r;
    int rc = call(m, broker, KFK_API_PRODUCE, 9, &q, &r);
    if (rc == KFK_MOCK_NO_REPLY) return -1000;
    if (rc != KFK_MOCK_REPLY || r.responses.count != 1 || r.responses.items[0].partition_responses.count != 1)
        return -2000;
    if (base) *base = r.responses.items[0].partition_responses.items[0].base_offset;
    return r.responses.items[0].partition_responses.items[0].error_code;
}

#endif
