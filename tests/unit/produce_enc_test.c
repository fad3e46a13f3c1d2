/* The hand-written Produce encoder: flattened (its references spliced in)
 * it writes exactly what the generated codec writes, at every version; v13
 * carries the same content as v12 with topic ids for names; responses are
 * matched back to the request's partitions by name, from v13 by id. */
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
#define ID_ALPHA {{0xa1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}}
#define ID_B {{0xb0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}}
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
    kfk_produce_topic topics[2] = {{{"alpha", 5}, ID_ALPHA, parts, 2},
                                   {{"b", 1}, ID_B, parts + 2, 1}};
    kfk_produce_msg m = {.acks = -1, .timeout_ms = 30000, .topics = topics, .count = 2};
    kfk_produce_request g;
    kfk_produce_request_init(&g);
    g.acks = -1;
    g.timeout_ms = 30000;
    kfk_produce_request_topic_produce_data gt[2] = {0};
    gt[0].name = (kfk_str){"alpha", 5};
    gt[0].topic_id = (kfk_uuid)ID_ALPHA;
    gt[1].topic_id = (kfk_uuid)ID_B;
    gt[0].partition_data.items = gparts;
    gt[0].partition_data.count = 2;
    gt[1].name = (kfk_str){"b", 1};
    gt[1].partition_data.items = gparts + 2;
    gt[1].partition_data.count = 1;
    g.topic_data.items = gt;
    g.topic_data.count = 2;
    for (int txn = 0; txn <= 1; txn++)
    for (int16_t v = 3; v <= 13; v++)
        for (int cap = 0; cap <= 16; cap += 16) {
            /* A transactional producer's requests carry its id. */
            m.transactional_id = txn ? (kfk_str){"tx-1", 4} : (kfk_str){NULL, -1};
            g.transactional_id = m.transactional_id;
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
    CHECK_EQ(kfk_produce_encode(&w, 14, &m, &none), KFK_ERR_UNSUPPORTED_VERSION);
    CHECK_EQ(kfk_produce_encode(&w, 2, &m, &none), KFK_ERR_UNSUPPORTED_VERSION);
    kfk_wbuf_free(&w);
    for (int i = 0; i < NB; i++) kfk_wbuf_free(&flat[i]);
    free_batches();
}

/* m encoded at version v by kfk_produce_encode, references spliced in (into
 * flat, which the decoded request points into), then decoded by the
 * generated decoder. */
static void roundtrip(const kfk_produce_msg *m, int16_t v, kfk_arena *a, kfk_wbuf *flat,
                      kfk_produce_request *out) {
    kfk_frame_ref items[16];
    kfk_frame_refs refs = {items, 0, 16};
    kfk_wbuf w = {0};
    REQUIRE_EQ(kfk_produce_encode(&w, v, m, &refs), 0);
    splice(&w, &refs, flat);
    kfk_rbuf r = kfk_rbuf_make(flat->data, flat->len);
    REQUIRE_EQ(kfk_produce_request_decode(&r, v, a, out), 0);
    CHECK_EQ(kfk_rbuf_left(&r), 0);
    kfk_wbuf_free(&w);
}

TEST(v13_carries_v12_content_with_topic_ids) {
    make_batches();
    kfk_produce_part parts[NB];
    static const int32_t index[NB] = {0, 5, 2};
    for (int i = 0; i < NB; i++)
        parts[i] = (kfk_produce_part){index[i], bufs[i].data, bufs[i].len, &brefs[i]};
    kfk_produce_topic topics[2] = {{{"alpha", 5}, ID_ALPHA, parts, 2},
                                   {{"b", 1}, ID_B, parts + 2, 1}};
    kfk_produce_msg m = {.acks = -1, .timeout_ms = 1234, .topics = topics, .count = 2};
    kfk_arena a = {0};
    kfk_produce_request r12, r13;
    kfk_wbuf w12 = {0}, w13 = {0};
    roundtrip(&m, 12, &a, &w12, &r12);
    roundtrip(&m, 13, &a, &w13, &r13);
    static const kfk_uuid zero;
    CHECK_EQ(r13.acks, r12.acks);
    CHECK_EQ(r13.timeout_ms, 1234);
    CHECK_EQ(r13.transactional_id.len, -1);
    REQUIRE_EQ(r13.topic_data.count, 2);
    REQUIRE_EQ(r12.topic_data.count, 2);
    for (int t = 0; t < 2; t++) {
        const kfk_produce_request_topic_produce_data *a12 = &r12.topic_data.items[t];
        const kfk_produce_request_topic_produce_data *a13 = &r13.topic_data.items[t];
        /* v12 names the topic, v13 gives its id and no name. */
        CHECK_EQ(a12->name.len, topics[t].name.len);
        CHECK_MEM(a12->name.ptr, topics[t].name.ptr, (size_t)topics[t].name.len);
        CHECK_MEM(a12->topic_id.b, zero.b, 16);
        CHECK_MEM(a13->topic_id.b, topics[t].id.b, 16);
        CHECK_EQ(a13->name.len, 0);
        REQUIRE_EQ(a13->partition_data.count, a12->partition_data.count);
        for (int32_t i = 0; i < a13->partition_data.count; i++) {
            const kfk_produce_request_partition_produce_data *p12 = &a12->partition_data.items[i];
            const kfk_produce_request_partition_produce_data *p13 = &a13->partition_data.items[i];
            CHECK_EQ(p13->index, p12->index);
            REQUIRE_EQ(p13->records.len, p12->records.len);
            CHECK_MEM(p13->records.ptr, p12->records.ptr, (size_t)p12->records.len);
        }
    }
    /* The batches themselves, whole, references included. */
    kfk_wbuf flat = {0};
    REQUIRE_EQ(kfk_batch_flatten(bufs[1].data, bufs[1].len, &brefs[1], &flat), 0);
    REQUIRE_EQ(r13.topic_data.items[0].partition_data.items[1].records.len, (int32_t)flat.len);
    CHECK_MEM(r13.topic_data.items[0].partition_data.items[1].records.ptr, flat.data, flat.len);
    kfk_wbuf_free(&flat);
    kfk_wbuf_free(&w12);
    kfk_wbuf_free(&w13);
    kfk_arena_reset(&a);
    free_batches();
}

TEST(v13_only_when_every_topic_id_is_known) {
    kfk_produce_topic topics[2] = {{{"alpha", 5}, ID_ALPHA, NULL, 0},
                                   {{"b", 1}, ID_B, NULL, 0}};
    kfk_produce_msg m = {.acks = 1, .timeout_ms = 1, .topics = topics, .count = 2};
    CHECK_EQ(kfk_produce_max_version(&m), 13);
    topics[1].id = (kfk_uuid){{0}};
    CHECK_EQ(kfk_produce_max_version(&m), 12);
}

/* A response built with the generated encoder at v (into w, which the
 * result points into) and decoded again, as the sender gets it: topic "b"
 * first, then an unknown topic, then "alpha" with partitions 5, 7 (not
 * asked for) and 0. */
static void response(int16_t v, kfk_arena *a, kfk_wbuf *w, kfk_produce_response *out) {
    kfk_produce_response_partition_produce_response pb[1] = {{.index = 2, .base_offset = 20}};
    kfk_produce_response_partition_produce_response px[1] = {{.index = 0, .error_code = 100}};
    kfk_produce_response_partition_produce_response pa[3] = {
        {.index = 5, .base_offset = 50}, {.index = 7}, {.index = 0, .base_offset = 1}};
    kfk_produce_response_topic_produce_response tr[3] = {
        {.name = {"b", 1}, .topic_id = ID_B},
        {.name = {"zeta", 4}, .topic_id = {{0xee}}},
        {.name = {"alpha", 5}, .topic_id = ID_ALPHA}};
    tr[0].partition_responses.items = pb;
    tr[0].partition_responses.count = 1;
    tr[1].partition_responses.items = px;
    tr[1].partition_responses.count = 1;
    tr[2].partition_responses.items = pa;
    tr[2].partition_responses.count = 3;
    kfk_produce_response m;
    kfk_produce_response_init(&m);
    m.responses.items = tr;
    m.responses.count = 3;
    REQUIRE_EQ(kfk_produce_response_encode(w, v, &m), 0);
    kfk_rbuf r = kfk_rbuf_make(w->data, w->len);
    REQUIRE_EQ(kfk_produce_response_decode(&r, v, a, out), 0);
}

TEST(responses_matched_by_name_then_by_id) {
    kfk_produce_part parts[3] = {{.index = 0}, {.index = 5}, {.index = 2}};
    kfk_produce_topic topics[2] = {{{"alpha", 5}, ID_ALPHA, parts, 2},
                                   {{"b", 1}, ID_B, parts + 2, 1}};
    kfk_produce_msg m = {.acks = -1, .timeout_ms = 1, .topics = topics, .count = 2};
    for (int16_t v = 12; v <= 13; v++) {
        kfk_arena a = {0};
        kfk_wbuf w = {0};
        kfk_produce_response r;
        response(v, &a, &w, &r);
        REQUIRE_EQ(r.responses.count, 3);
        const kfk_produce_response_topic_produce_response *tr = r.responses.items;
        /* v13 carries no names: only the id can match. */
        if (v == 13) CHECK_EQ(tr[0].name.len, 0);
        CHECK_EQ(kfk_produce_find(&m, v, &tr[0], 2), 2);
        CHECK_EQ(kfk_produce_find(&m, v, &tr[0], 0), -1);
        CHECK_EQ(kfk_produce_find(&m, v, &tr[1], 0), -1);
        CHECK_EQ(kfk_produce_find(&m, v, &tr[2], 5), 1);
        CHECK_EQ(kfk_produce_find(&m, v, &tr[2], 7), -1);
        CHECK_EQ(kfk_produce_find(&m, v, &tr[2], 0), 0);
        CHECK_EQ(tr[2].partition_responses.items[0].base_offset, 50);
        kfk_wbuf_free(&w);
        kfk_arena_reset(&a);
    }
    /* A v13 answer for a topic re-created since (another id, same name)
     * matches nothing the request sent. */
    kfk_arena a = {0};
    kfk_wbuf w = {0};
    kfk_produce_response r;
    response(13, &a, &w, &r);
    topics[1].id = (kfk_uuid){{0xb0, 0xff, 9}};
    CHECK_EQ(kfk_produce_find(&m, 13, &r.responses.items[0], 2), -1);
    kfk_wbuf_free(&w);
    kfk_arena_reset(&a);
}
