/* The share consumer's acquired-records bookkeeping, sans I/O: records
 * outside the acquired ranges dropped, delivery counts set, offsets of a
 * range without a record acknowledged as gaps; acknowledgements merged
 * into batches of one type, the last one of an offset winning. */
#include "consumer/fetch_parse.h"
#include "records/batch.h"
#include "share/share_acks.h"
#include "test.h"

/* n records at offsets base..base+n-1. */
static void add_batch(kfk_wbuf *out, int64_t base, int n) {
    kfk_batch_builder b;
    kfk_batch_builder_init(&b, out);
    for (int i = 0; i < n; i++)
        kfk_batch_append(&b, i, (kfk_bytes){NULL, -1}, (kfk_bytes){(const uint8_t *)"v", 1}, NULL,
                         0);
    kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
    o.base_offset = base;
    kfk_batch_finish(&b, &o, NULL);
}

/* Messages parsed from data from offset pos, as the share consumer does. */
static kfk_fetch_parse parse(kfk_chunk *ch, const kfk_wbuf *data, kfk_wbuf *z, int64_t pos) {
    kfk_fetch_parse p = {.topic = "t", .partition = 0, .pos = pos, .check_crcs = 1,
                         .max_decompressed = 1 << 20, .next_pos = pos, .last_epoch = -1};
    kfk_fetch_parse_run(&p, ch, data->data, data->len, z);
    return p;
}

static void release_all(kfk_consumer_message *m) {
    for (kfk_consumer_message *n; m; m = n) {
        n = kfk_cmsg(m)->next;
        kfk_consumer_message_release(m);
    }
}

TEST(filter_keeps_acquired_records_with_their_delivery_count) {
    kfk_wbuf data = {0}, z = {0};
    add_batch(&data, 10, 10); /* offsets 10..19 */
    kfk_chunk *ch = kfk_chunk_new(NULL);
    kfk_fetch_parse p = parse(ch, &data, &z, 10);
    REQUIRE_EQ(p.count, 10);
    /* Two ranges, out of order; 10, 11 and 19 were not acquired. */
    kfk_share_range r[2] = {{16, 18, 3}, {12, 14, 1}};
    kfk_share_acks gaps = {0};
    int kept = kfk_share_filter(&p.head, &p.tail, r, 2, &gaps);
    CHECK_EQ(kept, 6);
    CHECK_EQ(gaps.n, 0);
    int64_t want[6] = {12, 13, 14, 16, 17, 18};
    int i = 0;
    for (kfk_consumer_message *m = p.head; m; m = kfk_cmsg(m)->next, i++) {
        REQUIRE(i < 6);
        CHECK_EQ(m->offset, want[i]);
        CHECK_EQ(m->delivery_count, m->offset >= 16 ? 3 : 1);
    }
    CHECK_EQ(i, 6);
    CHECK_EQ(p.tail->offset, 18);
    release_all(p.head);
    kfk_chunk_unref(ch);
    kfk_share_acks_free(&gaps);
    kfk_wbuf_free(&data);
    kfk_wbuf_free(&z);
}

TEST(filter_acknowledges_offsets_without_records_as_gaps) {
    kfk_wbuf data = {0}, z = {0};
    add_batch(&data, 0, 3);  /* 0..2 */
    add_batch(&data, 6, 2);  /* 6..7: 3..5 are gone (compacted, markers) */
    kfk_chunk *ch = kfk_chunk_new(NULL);
    kfk_fetch_parse p = parse(ch, &data, &z, 0);
    REQUIRE_EQ(p.count, 5);
    kfk_share_range r[2] = {{0, 7, 1}, {9, 10, 1}}; /* 8 not acquired, 9..10 past the data */
    kfk_share_acks gaps = {0};
    CHECK_EQ(kfk_share_filter(&p.head, &p.tail, r, 2, &gaps), 5);
    /* As ranges: 3..5 and 9..10, one entry each. */
    REQUIRE_EQ(gaps.n, 2);
    CHECK(gaps.v[0].first == 3 && gaps.v[0].last == 5 && gaps.v[0].type == KFK_ACK_GAP);
    CHECK(gaps.v[1].first == 9 && gaps.v[1].last == 10 && gaps.v[1].type == KFK_ACK_GAP);
    release_all(p.head);
    kfk_chunk_unref(ch);
    kfk_share_acks_free(&gaps);
    kfk_wbuf_free(&data);
    kfk_wbuf_free(&z);
}

/* The kept list's offsets into got (at most max); checks that tail ends it. */
static int kept_offsets(const kfk_fetch_parse *p, int64_t *got, int max) {
    int n = 0;
    const kfk_consumer_message *last = NULL;
    for (kfk_consumer_message *m = p->head; m && n < max; m = kfk_cmsg(m)->next) {
        got[n++] = m->offset;
        last = m;
    }
    CHECK(p->tail == last);
    CHECK(!last || kfk_cmsg(last)->next == NULL);
    return n;
}

TEST(filter_drops_the_first_and_last_records_and_those_between_ranges) {
    kfk_wbuf data = {0}, z = {0};
    add_batch(&data, 0, 10); /* 0..9 */
    kfk_chunk *ch = kfk_chunk_new(NULL);
    kfk_fetch_parse p = parse(ch, &data, &z, 0);
    REQUIRE_EQ(p.count, 10);
    /* 0, 3, 5 and 9 not acquired; each range its own delivery count
     * (6..8 redelivered twice before). */
    kfk_share_range r[3] = {{1, 2, 2}, {4, 4, 1}, {6, 8, 3}};
    kfk_share_acks gaps = {0};
    CHECK_EQ(kfk_share_filter(&p.head, &p.tail, r, 3, &gaps), 6);
    int64_t got[10];
    int n = kept_offsets(&p, got, 10);
    int64_t want[6] = {1, 2, 4, 6, 7, 8};
    REQUIRE_EQ(n, 6);
    for (int i = 0; i < 6; i++) CHECK_EQ(got[i], want[i]);
    for (kfk_consumer_message *m = p.head; m; m = kfk_cmsg(m)->next)
        CHECK_EQ(m->delivery_count, m->offset <= 2 ? 2 : m->offset == 4 ? 1 : 3);
    CHECK_EQ(gaps.n, 0);
    CHECK_EQ(atomic_load(&ch->refs), 7); /* ours and the six kept ones: the rest released */
    release_all(p.head);
    kfk_chunk_unref(ch);
    kfk_share_acks_free(&gaps);
    kfk_wbuf_free(&data);
    kfk_wbuf_free(&z);
}

TEST(filter_acknowledges_a_non_record_inside_a_range_as_a_gap) {
    kfk_wbuf data = {0}, z = {0};
    add_batch(&data, 0, 6); /* 0..5 */
    kfk_chunk *ch = kfk_chunk_new(NULL);
    kfk_fetch_parse p = parse(ch, &data, &z, 0);
    REQUIRE_EQ(p.count, 6);
    /* 0 and 3 stand for what is never handed out (a control record's slot). */
    kfk_cmsg(p.head)->kind = KFK_KIND_SKIP;
    for (kfk_consumer_message *m = p.head; m; m = kfk_cmsg(m)->next)
        if (m->offset == 3) kfk_cmsg(m)->kind = KFK_KIND_SKIP;
    /* Two ranges, the second one past the data. */
    kfk_share_range r[3] = {{0, 5, 1}, {8, 9, 2}, {11, 11, 1}};
    kfk_share_acks gaps = {0};
    CHECK_EQ(kfk_share_filter(&p.head, &p.tail, r, 3, &gaps), 4);
    int64_t got[6];
    int n = kept_offsets(&p, got, 6);
    int64_t want[4] = {1, 2, 4, 5};
    REQUIRE_EQ(n, 4);
    for (int k = 0; k < 4; k++) CHECK_EQ(got[k], want[k]);
    REQUIRE_EQ(gaps.n, 4);
    CHECK(gaps.v[0].first == 0 && gaps.v[0].last == 0);
    CHECK(gaps.v[1].first == 3 && gaps.v[1].last == 3);
    CHECK(gaps.v[2].first == 8 && gaps.v[2].last == 9);
    CHECK(gaps.v[3].first == 11 && gaps.v[3].last == 11);
    for (int k = 0; k < 4; k++) CHECK_EQ(gaps.v[k].type, KFK_ACK_GAP);
    release_all(p.head);
    kfk_chunk_unref(ch);
    kfk_share_acks_free(&gaps);
    kfk_wbuf_free(&data);
    kfk_wbuf_free(&z);
}

TEST(filter_without_ranges_drops_everything) {
    kfk_wbuf data = {0}, z = {0};
    add_batch(&data, 0, 4);
    kfk_chunk *ch = kfk_chunk_new(NULL);
    kfk_fetch_parse p = parse(ch, &data, &z, 0);
    kfk_share_acks gaps = {0};
    CHECK_EQ(kfk_share_filter(&p.head, &p.tail, NULL, 0, &gaps), 0);
    CHECK(p.head == NULL && p.tail == NULL);
    CHECK_EQ(gaps.n, 0);
    kfk_chunk_unref(ch);
    kfk_wbuf_free(&data);
    kfk_wbuf_free(&z);
}

TEST(batches_merge_runs_of_one_type) {
    kfk_share_acks a = {0};
    /* 5,6,7 accept; 8 release; 9 accept; 11 reject (10 missing) */
    int8_t types[] = {KFK_ACK_ACCEPT, KFK_ACK_ACCEPT, KFK_ACK_ACCEPT, KFK_ACK_RELEASE,
                      KFK_ACK_ACCEPT};
    for (int i = 0; i < 5; i++) REQUIRE_EQ(kfk_share_acks_add(&a, 5 + i, types[i]), 0);
    REQUIRE_EQ(kfk_share_acks_add(&a, 11, KFK_ACK_REJECT), 0);
    kfk_arena ar = {0};
    kfk_share_batch *b;
    int n = kfk_share_acks_take(&a, &ar, &b);
    REQUIRE_EQ(n, 4);
    CHECK(b[0].first == 5 && b[0].last == 7 && b[0].ntypes == 1 && b[0].types[0] == KFK_ACK_ACCEPT);
    CHECK(b[1].first == 8 && b[1].last == 8 && b[1].types[0] == KFK_ACK_RELEASE);
    CHECK(b[2].first == 9 && b[2].last == 9 && b[2].types[0] == KFK_ACK_ACCEPT);
    CHECK(b[3].first == 11 && b[3].last == 11 && b[3].types[0] == KFK_ACK_REJECT);
    CHECK_EQ(a.n, 0); /* taken */
    CHECK_EQ(kfk_share_acks_take(&a, &ar, &b), 0);
    kfk_arena_reset(&ar);
    kfk_share_acks_free(&a);
}

TEST(batches_sort_and_the_last_acknowledgement_wins) {
    kfk_share_acks a = {0};
    REQUIRE_EQ(kfk_share_acks_add(&a, 3, KFK_ACK_ACCEPT), 0);
    REQUIRE_EQ(kfk_share_acks_add(&a, 1, KFK_ACK_ACCEPT), 0);
    REQUIRE_EQ(kfk_share_acks_add(&a, 2, KFK_ACK_RELEASE), 0);
    REQUIRE_EQ(kfk_share_acks_add(&a, 2, KFK_ACK_ACCEPT), 0); /* overrides the release */
    kfk_arena ar = {0};
    kfk_share_batch *b;
    REQUIRE_EQ(kfk_share_acks_take(&a, &ar, &b), 1);
    CHECK(b[0].first == 1 && b[0].last == 3 && b[0].types[0] == KFK_ACK_ACCEPT);
    kfk_arena_reset(&ar);
    kfk_share_acks_free(&a);
}

TEST(acknowledgements_in_order_make_one_range) {
    kfk_share_acks a = {0};
    for (int i = 0; i < 1000; i++) REQUIRE_EQ(kfk_share_acks_add(&a, 100 + i, KFK_ACK_ACCEPT), 0);
    CHECK_EQ(a.n, 1); /* one entry, not one per offset */
    REQUIRE_EQ(kfk_share_acks_add_range(&a, 1100, 1199, KFK_ACK_GAP), 0);
    REQUIRE_EQ(kfk_share_acks_add(&a, 1200, KFK_ACK_ACCEPT), 0);
    CHECK_EQ(a.n, 3);
    kfk_arena ar = {0};
    kfk_share_batch *b;
    REQUIRE_EQ(kfk_share_acks_take(&a, &ar, &b), 3);
    CHECK(b[0].first == 100 && b[0].last == 1099 && b[0].types[0] == KFK_ACK_ACCEPT);
    CHECK(b[1].first == 1100 && b[1].last == 1199 && b[1].types[0] == KFK_ACK_GAP);
    CHECK(b[2].first == 1200 && b[2].last == 1200 && b[2].types[0] == KFK_ACK_ACCEPT);
    kfk_arena_reset(&ar);
    kfk_share_acks_free(&a);
}

TEST(overlapping_ranges_resolve_to_the_last_added) {
    kfk_share_acks a = {0};
    /* A fetch's gaps 20..29 before the accepts of the fetch before (0..9),
     * then 5 released over its accept and 25..26 renewed over the gap. */
    REQUIRE_EQ(kfk_share_acks_add_range(&a, 20, 29, KFK_ACK_GAP), 0);
    REQUIRE_EQ(kfk_share_acks_add_range(&a, 0, 9, KFK_ACK_ACCEPT), 0);
    REQUIRE_EQ(kfk_share_acks_add(&a, 5, KFK_ACK_RELEASE), 0);
    REQUIRE_EQ(kfk_share_acks_add_range(&a, 25, 26, KFK_ACK_RENEW), 0);
    kfk_arena ar = {0};
    kfk_share_batch *b;
    int n = kfk_share_acks_take(&a, &ar, &b);
    REQUIRE_EQ(n, 6);
    int64_t want[6][3] = {{0, 4, KFK_ACK_ACCEPT}, {5, 5, KFK_ACK_RELEASE}, {6, 9, KFK_ACK_ACCEPT},
                          {20, 24, KFK_ACK_GAP},  {25, 26, KFK_ACK_RENEW}, {27, 29, KFK_ACK_GAP}};
    for (int i = 0; i < n; i++) {
        CHECK_EQ(b[i].first, want[i][0]);
        CHECK_EQ(b[i].last, want[i][1]);
        CHECK_EQ(b[i].types[0], want[i][2]);
        CHECK_EQ(b[i].ntypes, 1);
    }
    CHECK_EQ(a.n, 0);
    /* The array is reused afterwards. */
    REQUIRE_EQ(kfk_share_acks_add(&a, 40, KFK_ACK_ACCEPT), 0);
    REQUIRE_EQ(kfk_share_acks_take(&a, &ar, &b), 1);
    CHECK(b[0].first == 40 && b[0].last == 40);
    kfk_arena_reset(&ar);
    kfk_share_acks_free(&a);
}
