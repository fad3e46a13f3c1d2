/* A ShareFetch partition's records, sans I/O: parsed from the first
 * acquired offset, kept with their delivery counts; ranges that cannot be
 * real (backwards, negative, or too many offsets to list their gaps) are
 * left alone rather than trusted. */
#include "consumer/chunk.h"
#include "records/batch.h"
#include "share/share_records.h"
#include "test.h"

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

static int a_part;

static int take(const kfk_wbuf *data, kfk_share_fetch_response_acquired_records *ar, int n,
                kfk_share_records *r, kfk_share_acks *gaps, kfk_wbuf *z) {
    kfk_share_fetch_response_partition_data pd;
    memset(&pd, 0, sizeof pd);
    pd.records = (kfk_bytes){data->data, (int32_t)data->len};
    pd.acquired_records.items = ar;
    pd.acquired_records.count = n;
    *r = (kfk_share_records){.topic = "t", .partition = 3, .broker = 1, .part = &a_part,
                             .check_crcs = 1, .max_decompressed = 1 << 20};
    return kfk_share_records_take(r, &pd, NULL, gaps, z);
}

static void release_all(kfk_consumer_message *m) {
    for (kfk_consumer_message *n; m; m = n) {
        n = kfk_cmsg(m)->next;
        kfk_consumer_message_release(m);
    }
}

TEST(records_from_the_first_acquired_offset_with_delivery_counts) {
    kfk_wbuf data = {0}, z = {0};
    add_batch(&data, 100, 10); /* 100..109 */
    kfk_share_fetch_response_acquired_records ar[2] = {{104, 105, 2}, {107, 107, 1}};
    kfk_share_records r;
    kfk_share_acks gaps = {0};
    REQUIRE_EQ(take(&data, ar, 2, &r, &gaps, &z), 0);
    REQUIRE_EQ(r.count, 3);
    CHECK(r.head->offset == 104 && r.head->delivery_count == 2 && r.head->partition == 3);
    CHECK(kfk_cmsg(r.head)->part == &a_part && kfk_cmsg(r.tail)->part == &a_part);
    CHECK_STR(r.head->topic, "t");
    CHECK(r.tail->offset == 107 && r.tail->delivery_count == 1);
    CHECK_EQ(r.head->broker_id, 1);
    CHECK_EQ(gaps.n, 0);
    release_all(r.head);
    kfk_share_acks_free(&gaps);
    kfk_wbuf_free(&data);
    kfk_wbuf_free(&z);
}

TEST(ranges_that_cannot_be_real_are_left_alone) {
    kfk_wbuf data = {0}, z = {0};
    add_batch(&data, 0, 4);
    kfk_share_fetch_response_acquired_records ar[4] = {
        {3, 1, 1},                      /* backwards */
        {-5, 2, 1},                     /* negative */
        {10, INT64_C(1) << 40, 1},      /* more offsets than any answer */
        {0, 1, 1},                      /* real */
    };
    kfk_share_records r;
    kfk_share_acks gaps = {0};
    REQUIRE_EQ(take(&data, ar, 4, &r, &gaps, &z), 0);
    CHECK_EQ(r.count, 2);
    CHECK_EQ(gaps.n, 0);
    release_all(r.head);
    /* Nothing acquired at all: nothing kept. */
    REQUIRE_EQ(take(&data, ar, 3, &r, &gaps, &z), 0);
    CHECK_EQ(r.count, 0);
    CHECK(r.head == NULL);
    kfk_share_acks_free(&gaps);
    kfk_wbuf_free(&data);
    kfk_wbuf_free(&z);
}
