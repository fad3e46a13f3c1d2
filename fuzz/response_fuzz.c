/* libFuzzer target for the message decoders.
 *
 * Byte 0 picks an API key and byte 1 a version within its range; the rest is
 * decoded as that API's response, then as its request. Byte 0 values past the
 * API keys pick the headers and data schemas instead. Besides never crashing or
 * over-reading, whatever decodes must re-encode, and that encoding must decode
 * and re-encode to the same bytes. */
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const kfk_msg_desc *d, const uint8_t *data, size_t size, uint8_t vbyte) {
    int16_t v = (int16_t)(d->min_version + vbyte % (d->max_version - d->min_version + 1));
    kfk_arena a = {0};
    kfk_wbuf w1 = {0}, w2 = {0};
    void *m = kfk_arena_alloc(&a, d->s.size), *m2 = kfk_arena_alloc(&a, d->s.size);
    kfk_rbuf r = kfk_rbuf_make(data, size);
    if (m && m2 && kfk_msg_decode(&r, d, v, &a, m) == 0) {
        if (kfk_msg_encode(&w1, d, v, m) != 0) abort();
        /* An empty encoding leaves w1.data NULL, and NULL + 0 is undefined. */
        kfk_rbuf r2 = kfk_rbuf_make(w1.len ? w1.data : data, w1.len);
        if (kfk_msg_decode(&r2, d, v, &a, m2) != 0 || kfk_rbuf_left(&r2) != 0) abort();
        if (kfk_msg_encode(&w2, d, v, m2) != 0 || w2.len != w1.len ||
            (w1.len && memcmp(w1.data, w2.data, w1.len) != 0))
            abort();
    }
    kfk_wbuf_free(&w1);
    kfk_wbuf_free(&w2);
    kfk_arena_reset(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    int key = data[0];
    if (key < KFK_API_KEY_COUNT) {
        if (!kfk_response_desc((int16_t)key)) return 0;
        check(kfk_response_desc((int16_t)key), data + 2, size - 2, data[1]);
        check(kfk_request_desc((int16_t)key), data + 2, size - 2, data[1]);
        return 0;
    }
    /* Headers and data schemas have api_key -1. */
    int n = 0;
    for (int i = 0; i < kfk_all_msgs_count; i++) n += kfk_all_msgs[i]->api_key < 0;
    int pick = (key - KFK_API_KEY_COUNT) % n;
    for (int i = 0; i < kfk_all_msgs_count; i++) {
        if (kfk_all_msgs[i]->api_key < 0 && pick-- == 0) {
            check(kfk_all_msgs[i], data + 2, size - 2, data[1]);
            break;
        }
    }
    return 0;
}
