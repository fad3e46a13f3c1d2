/* The hand-written Produce encoder: flattened (its references spliced in)
 * it writes exactly what the generated codec writes, at every version. */
#include <stdlib.h>

#include "core/alloc.h"
#include "kfk.h"
#include "producer/produce_enc.h"
#include "proto/gen/messages.h"
#include "test.h"

/* The encoder's output with its references copied in. */
static void splice(const kfk_wbuf *w, const kfk_frame_refs *refs, kfk_wbuf *out) {
    size_t own = 0;
    for (int i = 0; i < refs->count; i++) {
        kfk_wr_raw(out, w->data + own, refs->items[i].at - own);
        kfk_wr_raw(out, refs->items[i].ptr, refs->items[i].len);
        own = refs->items[i].at;
    }
    kfk_wr_raw(out, w->data + own, w->len - own);
}

enum { NB = 3 };
static kfk_wbuf bufs[NB];
static kfk_batch_refs brefs[NB];
static uint8_t value[NB][4000];

/* Batch i: 1 + i records; values of 4000 bytes referenced in batch 1, a
 * small batch 2 (copied whole), batch 0 plain. */
static void make_batches(void) {
    for (int i = 0; i < NB; i++) {
        kfk_batch_builder b;
        bufs[i] = (kfk_wbuf){0};
        brefs[i] = (kfk_batch_refs){0};
        REQUIRE_EQ(kfk_batch_builder_init(&b, &bufs[i]), 0);
        kfk_batch_builder_use_refs(&b, &brefs[i]);
        for (size_t k = 0; k < sizeof value[i]; k++) value[i][k] = (uint8_t)(k * (size_t)(i + 3));
        for (int r = 0; r <= i; r++) {
            kfk_bytes v = {value[i], i == 2 ? 10 : (int32_t)sizeof value[i]};
            kfk_bytes key = {(const uint8_t *)"k", 1};
            int rc = i == 1 ? kfk_batch_append_ref(&b, 5 + r, key, v, NULL, 0)
                            : kfk_batch_append(&b, 5 + r, key, v, NULL, 0);
            REQUIRE(rc > 0);
        }
        kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
        REQUIRE_EQ(kfk_batch_finish(&b, &o, NULL), 0);
    }
}

static void free_batches(void) {
    for (int i = 0; i < NB; i++) {
        kfk_wbuf_free(&bufs[i]);
        kfk_free(brefs[i].items);
    }
}

TEST(equals_generated_codec_at_every_version) {
    make_batches();
    kfk_wbuf flat[NB] = {{0}};
    for (int i = 0; i < NB; i++)
        REQUIRE_EQ(kfk_batch_flatten(bufs[i].data, bufs[i].len, &brefs[i], &flat[i]), 0);
    /* Topic "alpha": partitions 0 and 5; topic "b": partition 2. */
    kfk_produce_part parts[NB];
    kfk_produce_request_partition_produce_data gparts[NB];
    static const int32_t index[NB] = {0, 5, 2};
    for (int i = 0; i < NB; i++) {
        parts[i] = (kfk_produce_part){index[i], bufs[i].data, bufs[i].len, &brefs[i]};
        gparts[i] = (kfk_produce_request_partition_produce_data){
            index[i], {flat[i].data, (int32_t)flat[i].len}};
    }
    kfk_produce_topic topics[2] = {{{"alpha", 5}, parts, 2}, {{"b", 1}, parts + 2, 1}};
    kfk_produce_msg m = {.acks = -1, .timeout_ms = 30000, .topics = topics, .count = 2};
    kfk_produce_request g;
    kfk_produce_request_init(&g);
    g.acks = -1;
    g.timeout_ms = 30000;
    kfk_produce_request_topic_produce_data gt[2] = {0};
    gt[0].name = (kfk_str){"alpha", 5};
    gt[0].partition_data.items = gparts;
    gt[0].partition_data.count = 2;
    gt[1].name = (kfk_str){"b", 1};
    gt[1].partition_data.items = gparts + 2;
    gt[1].partition_data.count = 1;
    g.topic_data.items = gt;
    g.topic_data.count = 2;
    for (int16_t v = 3; v <= 12; v++)
        for (int cap = 0; cap <= 16; cap += 16) {
            kfk_frame_ref items[16];
            kfk_frame_refs refs = {items, 0, cap};
            kfk_wbuf w = {0}, got = {0}, want = {0};
            kfk_wr_raw(&w, "hdr", 3); /* offsets count what came before */
            REQUIRE_EQ(kfk_produce_encode(&w, v, &m, &refs), 0);
            /* Batch 0 whole, batch 1's two values (the bytes around them
             * are short: copied), batch 2 copied. */
            CHECK_EQ(refs.count, cap ? 3 : 0);
            splice(&w, &refs, &got);
            kfk_wr_raw(&want, "hdr", 3);
            REQUIRE_EQ(kfk_produce_request_encode(&want, v, &g), 0);
            REQUIRE_EQ(got.len, want.len);
            CHECK_MEM(got.data, want.data, want.len);
            kfk_wbuf_free(&w);
            kfk_wbuf_free(&got);
            kfk_wbuf_free(&want);
        }
    kfk_wbuf w = {0};
    kfk_frame_refs none = {0};
    CHECK_EQ(kfk_produce_encode(&w, 13, &m, &none), KFK_ERR_UNSUPPORTED_VERSION);
    CHECK_EQ(kfk_produce_encode(&w, 2, &m, &none), KFK_ERR_UNSUPPORTED_VERSION);
    kfk_wbuf_free(&w);
    for (int i = 0; i < NB; i++) kfk_wbuf_free(&flat[i]);
    free_batches();
}
