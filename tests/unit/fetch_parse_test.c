/* The fetch parser, sans I/O: records below the position skipped, control
 * batches and aborted transactions skipped (a skip message when they end
 * the data), a partial trailing batch left for the next fetch, a too-small
 * limit reported, messages referencing their chunk, compressed batches
 * kept alive by the chunk. */
#include <stdlib.h>

#include "consumer/fetch_parse.h"
#include "records/batch.h"
#include "test.h"

/* Appends a batch of n records "v<base+i>" at base offset base. */
static void add_batch(kfk_wbuf *out, int64_t base, int n, kfk_codec codec, int flags,
                      int64_t pid) {
    kfk_batch_builder b;
    kfk_batch_builder_init(&b, out);
    for (int i = 0; i < n; i++) {
        char v[32];
        int len = snprintf(v, sizeof v, "v%lld", (long long)(base + i));
        kfk_record_header h = {{"h", 1}, {(const uint8_t *)"x", 1}};
        kfk_batch_append(&b, 1000 + i, (kfk_bytes){NULL, -1}, (kfk_bytes){(const uint8_t *)v, len},
                         &h, i % 2);
    }
    kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
    o.codec = codec;
    o.base_offset = base;
    o.flags = flags;
    o.producer_id = pid;
    o.producer_epoch = pid >= 0 ? 0 : -1;
    kfk_batch_finish(&b, &o, NULL);
}

/* A control record: key version 0 and type, value ignored. */
static void add_marker(kfk_wbuf *out, int64_t offset, int type, int64_t pid) {
    kfk_batch_builder b;
    kfk_batch_builder_init(&b, out);
    uint8_t key[4] = {0, 0, 0, (uint8_t)type};
    uint8_t value[6] = {0};
    kfk_batch_append(&b, 1, (kfk_bytes){key, 4}, (kfk_bytes){value, 6}, NULL, 0);
    kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
    o.base_offset = offset;
    o.flags = KFK_ATTR_CONTROL | KFK_ATTR_TRANSACTIONAL;
    o.producer_id = pid;
    o.producer_epoch = 0;
    kfk_batch_finish(&b, &o, NULL);
}

static int parse(kfk_fetch_parse *p, kfk_chunk *ch, const kfk_wbuf *data, kfk_wbuf *zbuf) {
    if (!p->topic) p->topic = "t";
    p->check_crcs = 1;
    p->max_decompressed = 1 << 20;
    return kfk_fetch_parse_run(p, ch, data->data, data->len, zbuf);
}

static int64_t value_num(const kfk_consumer_message *m) {
    char buf[32] = {0};
    memcpy(buf, (const char *)m->value + 1, m->value_len - 1);
    return atoll(buf);
}

TEST(skips_records_below_position) {
    kfk_wbuf data = {0}, zbuf = {0};
    add_batch(&data, 0, 10, KFK_CODEC_NONE, 0, -1);
    add_batch(&data, 10, 10, KFK_CODEC_LZ4, 0, -1);
    kfk_chunk *ch = kfk_chunk_new(NULL);
    int part;
    kfk_fetch_parse p = {.pos = 14, .partition = 3, .broker = 2, .part = &part, .gen = 9};
    REQUIRE_EQ(parse(&p, ch, &data, &zbuf), 0);
    CHECK_EQ(p.count, 6);
    CHECK_EQ(p.next_pos, 20);
    CHECK(p.tail != NULL && p.tail->offset == 19 && kfk_cmsg(p.tail)->next == NULL);
    int64_t want = 14;
    for (kfk_consumer_message *m = p.head; m; m = kfk_cmsg(m)->next, want++) {
        CHECK_EQ(m->offset, want);
        CHECK(kfk_cmsg(m)->part == &part && kfk_cmsg(m)->gen == 9 && kfk_cmsg(m)->chunk == ch);
        CHECK_EQ(kfk_cmsg(m)->kind, KFK_KIND_RECORD);
        CHECK_EQ(m->broker_id, 2);
        CHECK_EQ(m->err, 0);
        CHECK_EQ(m->delivery_count, 0);
        CHECK_EQ(m->timestamp_type, KFK_TIMESTAMP_CREATE);
        CHECK_EQ(value_num(m), want);
        CHECK_EQ(m->partition, 3);
        CHECK_STR(m->topic, "t");
        CHECK(m->key == NULL);
        CHECK_EQ(m->header_count, (size_t)((want - 10) % 2));
        if (m->header_count) CHECK_STR(m->headers[0].name, "h");
        CHECK_EQ(m->timestamp, 1000 + want - 10);
    }
    /* The compressed batch's buffer now belongs to the chunk. */
    CHECK(ch->zbufs != NULL);
    CHECK(zbuf.data == NULL);
    CHECK_EQ(atomic_load(&ch->refs), 1 + 6);
    kfk_chunk_unref(ch); /* the builder's reference */
    for (kfk_consumer_message *m = p.head, *next; m; m = next) {
        next = kfk_cmsg(m)->next;
        kfk_consumer_message_release(m);
    }
    kfk_wbuf_free(&data);
    kfk_wbuf_free(&zbuf);
}

TEST(partial_trailing_batch_waits_for_next_fetch) {
    kfk_wbuf data = {0}, zbuf = {0};
    add_batch(&data, 0, 5, KFK_CODEC_NONE, 0, -1);
    size_t first = data.len;
    add_batch(&data, 5, 5, KFK_CODEC_NONE, 0, -1);
    kfk_chunk *ch = kfk_chunk_new(NULL);
    kfk_fetch_parse p = {.pos = 0};
    data.len = first + 20; /* cut inside the second batch, as a broker does */
    REQUIRE_EQ(parse(&p, ch, &data, &zbuf), 0);
    CHECK_EQ(p.count, 5);
    CHECK_EQ(p.next_pos, 5);
    CHECK_EQ(p.too_large, 0);
    for (kfk_consumer_message *m = p.head, *next; m; m = next) {
        next = kfk_cmsg(m)->next;
        kfk_consumer_message_release(m);
    }
    kfk_chunk_unref(ch);

    /* Only part of a batch: the partition limit is below the batch size. */
    ch = kfk_chunk_new(NULL);
    kfk_fetch_parse q = {.pos = 0};
    data.len = 30;
    REQUIRE_EQ(parse(&q, ch, &data, &zbuf), 0);
    CHECK_EQ(q.count, 0);
    CHECK_EQ(q.too_large, 1);
    CHECK_EQ(q.next_pos, 0);
    kfk_chunk_unref(ch);
    kfk_wbuf_free(&data);
    kfk_wbuf_free(&zbuf);
}

TEST(control_batches_are_skipped) {
    kfk_wbuf data = {0}, zbuf = {0};
    add_batch(&data, 0, 3, KFK_CODEC_NONE, KFK_ATTR_TRANSACTIONAL, 7);
    add_marker(&data, 3, KFK_CONTROL_COMMIT, 7);
    add_batch(&data, 4, 2, KFK_CODEC_NONE, 0, -1);
    kfk_chunk *ch = kfk_chunk_new(NULL);
    kfk_fetch_parse p = {.pos = 0};
    REQUIRE_EQ(parse(&p, ch, &data, &zbuf), 0);
    CHECK_EQ(p.count, 5);
    CHECK_EQ(p.next_pos, 6);
    int64_t offs[5] = {0, 1, 2, 4, 5};
    int i = 0;
    for (kfk_consumer_message *m = p.head, *next; m; m = next, i++) {
        next = kfk_cmsg(m)->next;
        CHECK_EQ(m->offset, offs[i]);
        kfk_consumer_message_release(m);
    }
    kfk_chunk_unref(ch);
    kfk_wbuf_free(&data);
}

TEST(read_committed_drops_aborted_transactions) {
    kfk_wbuf data = {0}, zbuf = {0};
    add_batch(&data, 0, 3, KFK_CODEC_NONE, KFK_ATTR_TRANSACTIONAL, 7); /* aborted */
    add_batch(&data, 3, 2, KFK_CODEC_NONE, KFK_ATTR_TRANSACTIONAL, 8); /* committed */
    add_marker(&data, 5, KFK_CONTROL_ABORT, 7);
    add_marker(&data, 6, KFK_CONTROL_COMMIT, 8);
    add_batch(&data, 7, 2, KFK_CODEC_NONE, KFK_ATTR_TRANSACTIONAL, 7); /* a new, open one */
    kfk_fetch_response_aborted_transaction aborted[1] = {{.producer_id = 7, .first_offset = 0}};
    kfk_chunk *ch = kfk_chunk_new(NULL);
    kfk_fetch_parse p = {.pos = 0, .read_committed = 1, .aborted = aborted, .naborted = 1};
    REQUIRE_EQ(parse(&p, ch, &data, &zbuf), 0);
    CHECK_EQ(p.next_pos, 9);
    int64_t offs[4] = {3, 4, 7, 8};
    int i = 0;
    for (kfk_consumer_message *m = p.head, *next; m; m = next, i++) {
        next = kfk_cmsg(m)->next;
        if (i < 4) CHECK_EQ(m->offset, offs[i]);
        kfk_consumer_message_release(m);
    }
    CHECK_EQ(i, 4);
    kfk_chunk_unref(ch);

    /* read_uncommitted sees the aborted records too. */
    ch = kfk_chunk_new(NULL);
    kfk_fetch_parse q = {.pos = 0, .aborted = aborted, .naborted = 1};
    REQUIRE_EQ(parse(&q, ch, &data, &zbuf), 0);
    CHECK_EQ(q.count, 7);
    for (kfk_consumer_message *m = q.head, *next; m; m = next) {
        next = kfk_cmsg(m)->next;
        kfk_consumer_message_release(m);
    }
    kfk_chunk_unref(ch);
    kfk_wbuf_free(&data);
}

static void release_list(kfk_consumer_message *head) {
    for (kfk_consumer_message *m = head, *next; m; m = next) {
        next = kfk_cmsg(m)->next;
        kfk_consumer_message_release(m);
    }
}

/* Markers and aborted batches at the end of the data: a skip message ends
 * the list with the offset after them, so the position can move past. */
TEST(skipped_tail_ends_with_a_skip_message) {
    kfk_wbuf data = {0}, zbuf = {0};
    add_batch(&data, 0, 3, KFK_CODEC_NONE, KFK_ATTR_TRANSACTIONAL, 7);
    add_marker(&data, 3, KFK_CONTROL_COMMIT, 7);
    kfk_chunk *ch = kfk_chunk_new(NULL);
    kfk_fetch_parse p = {.pos = 0};
    REQUIRE_EQ(parse(&p, ch, &data, &zbuf), 0);
    CHECK_EQ(p.count, 3);
    CHECK_EQ(p.next_pos, 4);
    REQUIRE(p.tail != NULL);
    CHECK_EQ(kfk_cmsg(p.tail)->kind, KFK_KIND_SKIP);
    CHECK_EQ(p.tail->offset, 4);
    CHECK_EQ(atomic_load(&ch->refs), 1 + 3 + 1);
    release_list(p.head);
    CHECK_EQ(atomic_load(&ch->refs), 1);

    /* A fetch of the marker alone: the skip message is all there is. */
    kfk_fetch_parse q = {.pos = 3};
    REQUIRE_EQ(parse(&q, ch, &data, &zbuf), 0);
    CHECK_EQ(q.count, 0);
    REQUIRE(q.head != NULL);
    CHECK(q.head == q.tail);
    CHECK_EQ(kfk_cmsg(q.head)->kind, KFK_KIND_SKIP);
    CHECK_EQ(q.head->offset, 4);
    release_list(q.head);

    /* Records that end the data: no skip message. */
    kfk_fetch_parse r = {.pos = 0};
    data.len = 0;
    add_batch(&data, 0, 2, KFK_CODEC_NONE, 0, -1);
    REQUIRE_EQ(parse(&r, ch, &data, &zbuf), 0);
    CHECK_EQ(r.count, 2);
    CHECK_EQ(kfk_cmsg(r.tail)->kind, KFK_KIND_RECORD);
    release_list(r.head);
    CHECK_EQ(atomic_load(&ch->refs), 1);
    kfk_chunk_unref(ch);
    kfk_wbuf_free(&data);
}

/* read_committed, an aborted transaction last, and a fetch that starts in
 * its second batch: nothing but a skip past its marker. */
TEST(read_committed_skips_an_aborted_tail) {
    kfk_wbuf data = {0}, zbuf = {0};
    add_batch(&data, 0, 2, KFK_CODEC_NONE, 0, -1);
    add_batch(&data, 2, 2, KFK_CODEC_LZ4, KFK_ATTR_TRANSACTIONAL, 7);
    size_t second = data.len;
    add_batch(&data, 4, 2, KFK_CODEC_LZ4, KFK_ATTR_TRANSACTIONAL, 7);
    add_marker(&data, 6, KFK_CONTROL_ABORT, 7);
    kfk_fetch_response_aborted_transaction aborted[1] = {{.producer_id = 7, .first_offset = 2}};
    kfk_chunk *ch = kfk_chunk_new(NULL);
    kfk_fetch_parse p = {.pos = 0, .read_committed = 1, .aborted = aborted, .naborted = 1};
    REQUIRE_EQ(parse(&p, ch, &data, &zbuf), 0);
    CHECK_EQ(p.count, 2);
    CHECK_EQ(kfk_cmsg(p.tail)->kind, KFK_KIND_SKIP);
    CHECK_EQ(p.tail->offset, 7);
    release_list(p.head);

    kfk_wbuf tail = {0};
    kfk_wr_raw(&tail, data.data + second, data.len - second);
    kfk_fetch_parse q = {.pos = 4, .read_committed = 1, .aborted = aborted, .naborted = 1};
    REQUIRE_EQ(parse(&q, ch, &tail, &zbuf), 0);
    CHECK_EQ(q.count, 0);
    CHECK_EQ(q.next_pos, 7);
    REQUIRE(q.head != NULL);
    CHECK_EQ(kfk_cmsg(q.head)->kind, KFK_KIND_SKIP);
    CHECK_EQ(q.head->offset, 7);
    release_list(q.head);
    CHECK_EQ(atomic_load(&ch->refs), 1);
    kfk_chunk_unref(ch);
    kfk_wbuf_free(&tail);
    kfk_wbuf_free(&data);
    kfk_wbuf_free(&zbuf);
}

TEST(bad_crc_keeps_earlier_messages) {
    kfk_wbuf data = {0}, zbuf = {0};
    add_batch(&data, 0, 4, KFK_CODEC_NONE, 0, -1);
    size_t first = data.len;
    add_batch(&data, 4, 4, KFK_CODEC_NONE, 0, -1);
    data.data[data.len - 1] ^= 0xff;
    kfk_chunk *ch = kfk_chunk_new(NULL);
    kfk_fetch_parse p = {.pos = 0};
    CHECK_EQ(parse(&p, ch, &data, &zbuf), KFK_ERR_BAD_CRC);
    CHECK_EQ(p.count, 4);
    CHECK_EQ(p.next_pos, 4);
    CHECK(first > 0);
    for (kfk_consumer_message *m = p.head, *next; m; m = next) {
        next = kfk_cmsg(m)->next;
        kfk_consumer_message_release(m);
    }
    kfk_chunk_unref(ch);
    kfk_wbuf_free(&data);
}

TEST(two_partitions_share_nothing) {
    /* One response carries records for several partitions: each is parsed
     * into its own chunk from its own slice. */
    kfk_wbuf a = {0}, b = {0}, zbuf = {0};
    add_batch(&a, 0, 3, KFK_CODEC_ZSTD, 0, -1);
    add_batch(&b, 100, 2, KFK_CODEC_GZIP, 0, -1);
    kfk_chunk *ca = kfk_chunk_new(NULL), *cb = kfk_chunk_new(NULL);
    kfk_fetch_parse pa = {.pos = 0, .partition = 0}, pb = {.pos = 100, .partition = 1};
    REQUIRE_EQ(parse(&pa, ca, &a, &zbuf), 0);
    REQUIRE_EQ(parse(&pb, cb, &b, &zbuf), 0);
    CHECK_EQ(pa.count, 3);
    CHECK_EQ(pb.count, 2);
    CHECK_EQ(value_num(pa.head), 0);   /* still intact after the second parse */
    CHECK_EQ(value_num(pb.tail), 101);
    kfk_chunk_unref(ca);
    kfk_chunk_unref(cb);
    for (kfk_consumer_message *m = pa.head, *next; m; m = next) {
        next = kfk_cmsg(m)->next;
        kfk_consumer_message_release(m);
    }
    for (kfk_consumer_message *m = pb.head, *next; m; m = next) {
        next = kfk_cmsg(m)->next;
        kfk_consumer_message_release(m);
    }
    kfk_wbuf_free(&a);
    kfk_wbuf_free(&b);
    kfk_wbuf_free(&zbuf);
}

/* A poll batch mixing two chunks, an event and NULLs given back at once:
 * each chunk loses exactly the references of its messages. */
TEST(batch_release_drops_each_chunks_references) {
    kfk_wbuf a = {0}, b = {0}, zbuf = {0};
    add_batch(&a, 0, 4, KFK_CODEC_NONE, 0, -1);
    add_batch(&b, 0, 3, KFK_CODEC_NONE, 0, -1);
    kfk_chunk *ca = kfk_chunk_new(NULL), *cb = kfk_chunk_new(NULL);
    kfk_fetch_parse pa = {.partition = 0}, pb = {.partition = 1};
    REQUIRE_EQ(parse(&pa, ca, &a, &zbuf), 0);
    REQUIRE_EQ(parse(&pb, cb, &b, &zbuf), 0);
    REQUIRE_EQ(pa.count, 4);
    REQUIRE_EQ(pb.count, 3);
    kfk_consumer_message *msgs[10], *ma[4], *mb[3];
    int n = 0;
    for (kfk_consumer_message *m = pa.head; m; m = kfk_cmsg(m)->next) ma[n++] = m;
    n = 0;
    for (kfk_consumer_message *m = pb.head; m; m = kfk_cmsg(m)->next) mb[n++] = m;
    /* a a b NULL a event b b a: runs of one chunk, broken by others */
    kfk_consumer_message *ev = kfk_event_new("t", 0, 5, KFK_ERR_PARTITION_EOF);
    REQUIRE(ev);
    kfk_consumer_message *order[] = {ma[0], ma[1], mb[0], NULL, ma[2], ev, mb[1], mb[2], ma[3]};
    n = (int)(sizeof order / sizeof order[0]);
    memcpy(msgs, order, sizeof order);
    CHECK_EQ(atomic_load(&ca->refs), 1 + 4);
    CHECK_EQ(atomic_load(&cb->refs), 1 + 3);
    kfk_consumer_messages_release(msgs, 3); /* a a b */
    CHECK_EQ(atomic_load(&ca->refs), 1 + 2);
    CHECK_EQ(atomic_load(&cb->refs), 1 + 2);
    kfk_consumer_messages_release(msgs + 3, n - 3);
    CHECK_EQ(atomic_load(&ca->refs), 1);
    CHECK_EQ(atomic_load(&cb->refs), 1);
    kfk_consumer_messages_release(NULL, 0);
    kfk_chunk_unref(ca); /* the builders' references: freed now */
    kfk_chunk_unref(cb);
    kfk_wbuf_free(&a);
    kfk_wbuf_free(&b);
    kfk_wbuf_free(&zbuf);
}

/* With a pooled receive buffer, the chunk's message structs go into a
 * second pooled buffer sized from the batch headers, and both go back to
 * the pool when the last message is released, in any order. */
TEST(messages_live_in_a_pooled_buffer) {
    kfk_wbuf data = {0}, zbuf = {0};
    add_batch(&data, 0, 40, KFK_CODEC_NONE, 0, -1);
    add_batch(&data, 40, 60, KFK_CODEC_LZ4, 0, -1);
    kfk_rxpool *pool = kfk_rxpool_new(4 << 20);
    kfk_rxbuf *rx = kfk_rxbuf_get(pool, data.len);
    REQUIRE(rx != NULL);
    memcpy(rx->data, data.data, data.len);
    kfk_chunk *ch = kfk_chunk_new(rx);
    kfk_rxbuf_unref(rx); /* the chunk holds it now */
    kfk_chunk_reserve(ch, rx->data, data.len);
    REQUIRE(ch->mem != NULL);
    CHECK(ch->mem->cap >= 100 * sizeof(kfk_consumer_message));
    kfk_fetch_parse p = {.pos = 0, .topic = "t", .check_crcs = 1,
                         .max_decompressed = 1 << 20};
    REQUIRE_EQ(kfk_fetch_parse_run(&p, ch, rx->data, data.len, &zbuf), 0);
    CHECK_EQ(p.count, 100);
    const uint8_t *lo = ch->mem->data, *hi = lo + ch->mem->cap;
    CHECK((const uint8_t *)p.head > lo && (const uint8_t *)p.head < hi);
    CHECK_EQ(value_num(p.tail), 99);
    kfk_chunk_unref(ch);
    CHECK_EQ(kfk_rxpool_counts_of(pool).cached, 0);
    kfk_rxpool_destroy(pool); /* the messages keep the buffers and the pool */
    for (kfk_consumer_message *m = p.head, *next; m; m = next) {
        next = kfk_cmsg(m)->next;
        kfk_consumer_message_release(m);
    }
    kfk_wbuf_free(&data);
    kfk_wbuf_free(&zbuf);
}

TEST(reserve_ignores_message_sets_and_missing_pools) {
    kfk_wbuf data = {0};
    add_batch(&data, 0, 5, KFK_CODEC_NONE, 0, -1);
    kfk_chunk *ch = kfk_chunk_new(NULL);
    kfk_chunk_reserve(ch, data.data, data.len); /* no pool: the arena mallocs */
    CHECK(ch->mem == NULL);
    kfk_chunk_unref(ch);
    kfk_rxpool *pool = kfk_rxpool_new(1 << 20);
    kfk_rxbuf *rx = kfk_rxbuf_get(pool, 64);
    ch = kfk_chunk_new(rx);
    uint8_t old[61] = {0}; /* magic 0 at byte 16: not a v2 batch */
    kfk_chunk_reserve(ch, old, sizeof old);
    CHECK(ch->mem == NULL);
    kfk_chunk_reserve(ch, data.data, 30); /* shorter than a batch header */
    CHECK(ch->mem == NULL);
    kfk_chunk_unref(ch);
    kfk_rxbuf_unref(rx);
    kfk_rxpool_destroy(pool);
    kfk_wbuf_free(&data);
}
