#include <stdlib.h>

#include "kfk.h"
#include "records/batch.h"
#include "records/crc32c.h"
#include "test.h"

#define LIMIT (8u << 20) /* decompression limit for these tests */

static kfk_bytes B(const char *s) { return (kfk_bytes){(const uint8_t *)s, (int32_t)strlen(s)}; }
static const kfk_bytes NUL = {NULL, -1};

static int bytes_eq(kfk_bytes a, kfk_bytes b) {
    return a.len == b.len && (a.len <= 0 || memcmp(a.ptr, b.ptr, (size_t)a.len) == 0);
}

/* Recomputes the CRC of the batch at p after a test changed it. */
static void recrc(uint8_t *p, size_t len) { kfk_put_u32(p + 17, kfk_crc32c(0, p + 21, len - 21)); }

/* Reads every record of data; returns the iterator's final result. */
static int count_records(const uint8_t *data, size_t len, int flags, int *records) {
    kfk_wbuf z = {0};
    kfk_records_iter it;
    kfk_record rec;
    int rc;
    kfk_records_iter_init(&it, data, len, &z, LIMIT, flags);
    *records = 0;
    while ((rc = kfk_records_next(&it, &rec)) == 1) (*records)++;
    kfk_wbuf_free(&z);
    return rc;
}

/* Two records laid out by hand from the protocol docs: key "k" value "v1"
 * at 1000; null key, empty value and header h=x at 1005. The CRC was
 * computed with a bitwise CRC32C in Python. */
static const uint8_t golden[82] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* baseOffset */
    0x00, 0x00, 0x00, 0x46,                         /* batchLength 70 */
    0xff, 0xff, 0xff, 0xff,                         /* partitionLeaderEpoch */
    0x02,                                           /* magic */
    0x42, 0xa3, 0x7a, 0xb7,                         /* crc */
    0x00, 0x00,                                     /* attributes */
    0x00, 0x00, 0x00, 0x01,                         /* lastOffsetDelta */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8, /* baseTimestamp */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xed, /* maxTimestamp */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* producerId */
    0xff, 0xff,                                     /* producerEpoch */
    0xff, 0xff, 0xff, 0xff,                         /* baseSequence */
    0x00, 0x00, 0x00, 0x02,                         /* records */
    /* length 9, attributes, tsDelta 0, offsetDelta 0, key "k", value "v1", 0 headers */
    0x12, 0x00, 0x00, 0x00, 0x02, 'k', 0x04, 'v', '1', 0x00,
    /* length 10, attributes, tsDelta 5, offsetDelta 1, null key, empty value, 1 header h=x */
    0x14, 0x00, 0x0a, 0x02, 0x01, 0x00, 0x02, 0x02, 'h', 0x02, 'x'};

static void build_golden(kfk_wbuf *out) {
    kfk_batch_builder b;
    kfk_record_header h = {{"h", 1}, B("x")};
    kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
    kfk_batch_builder_init(&b, out);
    kfk_batch_append(&b, 1000, B("k"), B("v1"), NULL, 0);
    kfk_batch_append(&b, 1005, NUL, B(""), &h, 1);
    kfk_batch_finish(&b, &o, NULL);
}

TEST(builder_writes_golden_bytes) {
    kfk_wbuf out = {0};
    build_golden(&out);
    REQUIRE_EQ(out.len, sizeof golden);
    CHECK_MEM(out.data, golden, sizeof golden);
    CHECK_EQ(kfk_crc32c(0, golden + 21, sizeof golden - 21), 0x42a37ab7u);
    kfk_wbuf_free(&out);
}

TEST(parser_reads_golden_bytes) {
    kfk_records_iter it;
    kfk_record rec;
    kfk_record_header h;
    kfk_records_iter_init(&it, golden, sizeof golden, NULL, 0, 0);
    REQUIRE_EQ(kfk_records_next_batch(&it), 1);
    CHECK_EQ(it.batch.magic, 2);
    CHECK_EQ(it.batch.base_offset, 0);
    CHECK_EQ(it.batch.last_offset, 1);
    CHECK_EQ(it.batch.count, 2);
    CHECK_EQ(it.batch.producer_id, -1);
    CHECK_EQ(kfk_batch_codec(&it.batch), KFK_CODEC_NONE);
    CHECK(!kfk_batch_is_control(&it.batch));

    REQUIRE_EQ(kfk_records_next_in_batch(&it, &rec), 1);
    CHECK_EQ(rec.offset, 0);
    CHECK_EQ(rec.timestamp, 1000);
    CHECK(bytes_eq(rec.key, B("k")));
    CHECK(bytes_eq(rec.value, B("v1")));
    CHECK(rec.key.ptr == golden + 66); /* a view, not a copy */
    CHECK_EQ(rec.header_count, 0);

    REQUIRE_EQ(kfk_records_next_in_batch(&it, &rec), 1);
    CHECK_EQ(rec.offset, 1);
    CHECK_EQ(rec.timestamp, 1005);
    CHECK(rec.key.ptr == NULL && rec.key.len == -1);
    CHECK(rec.value.ptr != NULL && rec.value.len == 0);
    CHECK_EQ(rec.header_count, 1);
    kfk_header_iter hi = kfk_record_headers(&rec);
    REQUIRE_EQ(kfk_header_next(&hi, &h), 1);
    CHECK(h.key.len == 1 && h.key.ptr[0] == 'h');
    CHECK(bytes_eq(h.value, B("x")));
    CHECK_EQ(kfk_header_next(&hi, &h), 0);

    CHECK_EQ(kfk_records_next_in_batch(&it, &rec), 0);
    CHECK_EQ(kfk_records_next_batch(&it), 0);
    CHECK_EQ(it.truncated, 0);
}

/* What a test record i looks like: a mix of null, empty and sized fields. */
typedef struct rec_spec {
    kfk_bytes key, value;
    kfk_record_header headers[3];
    size_t header_count;
    int64_t ts;
} rec_spec;

/* Pseudo-random, so compressed batches can come out larger than plain ones. */
static uint8_t pattern[1 << 20];

static void fill_pattern(void) {
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof pattern; i++) {
        x = x * 1103515245u + 12345u;
        pattern[i] = (uint8_t)(x >> 24);
    }
}

static rec_spec spec(int i) {
    rec_spec s = {0};
    static const char *const keys[] = {"alpha", "", "key-with-a-longer-name"};
    s.key = i % 7 == 3 ? NUL : B(keys[i % 3]);
    s.value = i % 11 == 5 ? NUL : (kfk_bytes){pattern + i, i % 13 == 0 ? 0 : i % 300};
    s.header_count = (size_t)(i % 4);
    for (size_t h = 0; h < s.header_count; h++) {
        s.headers[h].key = (kfk_str){"hdr", (int32_t)(h + 1)};
        s.headers[h].value = h == 1 ? NUL : (kfk_bytes){pattern + h, (int32_t)h * 10};
    }
    s.ts = 1700000000000 + (i % 5 == 0 ? -i : i * 3); /* out of order too */
    return s;
}

static void check_record(const kfk_record *rec, const rec_spec *s, int64_t offset) {
    kfk_header_iter hi = kfk_record_headers(rec);
    kfk_record_header h;
    CHECK_EQ(rec->offset, offset);
    CHECK_EQ(rec->timestamp, s->ts);
    CHECK(bytes_eq(rec->key, s->key));
    CHECK(bytes_eq(rec->value, s->value));
    CHECK_EQ(rec->header_count, s->header_count);
    for (size_t i = 0; i < s->header_count; i++) {
        REQUIRE_EQ(kfk_header_next(&hi, &h), 1);
        CHECK(h.key.len == s->headers[i].key.len &&
              memcmp(h.key.ptr, s->headers[i].key.ptr, (size_t)h.key.len) == 0);
        CHECK(bytes_eq(h.value, s->headers[i].value));
    }
    CHECK_EQ(kfk_header_next(&hi, &h), 0);
}

static void round_trip(kfk_codec codec, int n) {
    kfk_wbuf out = {0}, scratch = {0}, z = {0};
    kfk_batch_builder b;
    kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
    int64_t min_ts = INT64_MAX, max_ts = INT64_MIN;
    kfk_wr_raw(&out, "junk", 4); /* the batch need not start the buffer */
    REQUIRE_EQ(kfk_batch_builder_init(&b, &out), 0);
    for (int i = 0; i < n; i++) {
        rec_spec s = spec(i);
        int64_t want = kfk_batch_record_size(&b, s.ts, s.key, s.value, s.headers, s.header_count);
        size_t before = kfk_batch_builder_size(&b);
        REQUIRE_EQ(kfk_batch_append(&b, s.ts, s.key, s.value, s.headers, s.header_count), want);
        CHECK_EQ(kfk_batch_builder_size(&b), before + (size_t)want);
        if (s.ts < min_ts) min_ts = s.ts;
        if (s.ts > max_ts) max_ts = s.ts;
    }
    o.codec = codec;
    o.base_offset = 5000;
    REQUIRE_EQ(kfk_batch_finish(&b, &o, &scratch), 0);

    kfk_records_iter it;
    kfk_record rec;
    kfk_records_iter_init(&it, out.data + 4, out.len - 4, &z, LIMIT, 0);
    REQUIRE_EQ(kfk_records_next_batch(&it), 1);
    CHECK_EQ(kfk_batch_codec(&it.batch), codec);
    CHECK_EQ(it.batch.count, n);
    CHECK_EQ(it.batch.base_offset, 5000);
    CHECK_EQ(it.batch.last_offset, 5000 + n - 1);
    CHECK_EQ(it.batch.max_timestamp, max_ts);
    CHECK_EQ(it.batch.base_timestamp, spec(0).ts);
    for (int i = 0; i < n; i++) {
        rec_spec s = spec(i);
        REQUIRE_EQ(kfk_records_next(&it, &rec), 1);
        check_record(&rec, &s, 5000 + i);
    }
    CHECK_EQ(kfk_records_next(&it, &rec), 0);
    if (n > 5) CHECK(min_ts < spec(0).ts); /* negative timestamp deltas were covered */
    kfk_wbuf_free(&out);
    kfk_wbuf_free(&scratch);
    kfk_wbuf_free(&z);
}

static const kfk_codec codecs[] = {KFK_CODEC_NONE, KFK_CODEC_GZIP, KFK_CODEC_SNAPPY,
                                   KFK_CODEC_LZ4, KFK_CODEC_ZSTD};

TEST(round_trip_every_codec) {
    fill_pattern();
    for (size_t c = 0; c < sizeof codecs / sizeof codecs[0]; c++) {
        round_trip(codecs[c], 1);
        round_trip(codecs[c], 2000);
    }
}

TEST(one_mebibyte_value_every_codec) {
    fill_pattern();
    for (size_t c = 0; c < sizeof codecs / sizeof codecs[0]; c++) {
        kfk_wbuf out = {0}, z = {0};
        kfk_batch_builder b;
        kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
        kfk_bytes big = {pattern, (int32_t)sizeof pattern};
        kfk_batch_builder_init(&b, &out);
        REQUIRE(kfk_batch_append(&b, 1, B("big"), big, NULL, 0) > (int)sizeof pattern);
        REQUIRE(kfk_batch_append(&b, 2, NUL, NUL, NULL, 0) > 0);
        o.codec = codecs[c];
        size_t plain = out.len;
        REQUIRE_EQ(kfk_batch_finish(&b, &o, NULL), 0);
        if (codecs[c] != KFK_CODEC_NONE) CHECK(out.len > plain); /* random data grows */
        kfk_records_iter it;
        kfk_record rec;
        kfk_records_iter_init(&it, out.data, out.len, &z, LIMIT, 0);
        REQUIRE_EQ(kfk_records_next(&it, &rec), 1);
        CHECK(bytes_eq(rec.value, big));
        REQUIRE_EQ(kfk_records_next(&it, &rec), 1);
        CHECK(rec.value.len == -1 && rec.key.len == -1);
        CHECK_EQ(kfk_records_next(&it, &rec), 0);
        if (codecs[c] != KFK_CODEC_NONE) {
            /* The same batch under a limit smaller than its records. */
            kfk_records_iter_init(&it, out.data, out.len, &z, 1000, 0);
            CHECK_EQ(kfk_records_next(&it, &rec), KFK_ERR_DECOMPRESS_LIMIT);
            CHECK_EQ(kfk_records_next(&it, &rec), KFK_ERR_DECOMPRESS_LIMIT); /* sticky */
            kfk_records_iter_init(&it, out.data, out.len, NULL, LIMIT, 0);
            CHECK_EQ(kfk_records_next(&it, &rec), KFK_ERR_INVALID_ARG);
        }
        kfk_wbuf_free(&out);
        kfk_wbuf_free(&z);
    }
}

TEST(producer_fields_and_flags) {
    kfk_wbuf out = {0};
    kfk_batch_builder b;
    kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
    kfk_batch_builder_init(&b, &out);
    kfk_batch_append(&b, 10, B("a"), B("1"), NULL, 0);
    kfk_batch_append(&b, 30, B("b"), B("2"), NULL, 0);
    kfk_batch_append(&b, 20, B("c"), B("3"), NULL, 0);
    o.producer_id = 0x123456789aLL;
    o.producer_epoch = 7;
    o.base_sequence = 42;
    o.partition_leader_epoch = 9;
    o.flags = KFK_ATTR_TRANSACTIONAL | KFK_ATTR_LOG_APPEND_TIME;
    REQUIRE_EQ(kfk_batch_finish(&b, &o, NULL), 0);
    kfk_records_iter it;
    kfk_record rec;
    kfk_records_iter_init(&it, out.data, out.len, NULL, 0, 0);
    REQUIRE_EQ(kfk_records_next_batch(&it), 1);
    CHECK_EQ(it.batch.producer_id, 0x123456789aLL);
    CHECK_EQ(it.batch.producer_epoch, 7);
    CHECK_EQ(it.batch.base_sequence, 42);
    CHECK_EQ(it.batch.partition_leader_epoch, 9);
    CHECK(kfk_batch_is_transactional(&it.batch));
    CHECK(!kfk_batch_is_control(&it.batch));
    CHECK_EQ(it.batch.max_timestamp, 30);
    /* LogAppendTime: every record carries the batch's maxTimestamp. */
    for (int i = 0; i < 3; i++) {
        REQUIRE_EQ(kfk_records_next(&it, &rec), 1);
        CHECK_EQ(rec.timestamp, 30);
    }
    CHECK_EQ(kfk_records_next(&it, &rec), 0);
    kfk_wbuf_free(&out);
}

TEST(control_batch) {
    static const uint8_t commit_key[4] = {0, 0, 0, 1}, marker[6] = {0, 0, 0, 0, 0, 5};
    kfk_wbuf out = {0};
    kfk_batch_builder b;
    kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
    kfk_batch_builder_init(&b, &out);
    kfk_batch_append(&b, 99, (kfk_bytes){commit_key, 4}, (kfk_bytes){marker, 6}, NULL, 0);
    o.flags = KFK_ATTR_CONTROL | KFK_ATTR_TRANSACTIONAL;
    o.producer_id = 77;
    REQUIRE_EQ(kfk_batch_finish(&b, &o, NULL), 0);
    kfk_records_iter it;
    kfk_record rec;
    kfk_records_iter_init(&it, out.data, out.len, NULL, 0, 0);
    REQUIRE_EQ(kfk_records_next(&it, &rec), 1);
    CHECK(kfk_batch_is_control(&it.batch));
    CHECK_EQ(it.batch.producer_id, 77);
    CHECK_EQ(kfk_control_type(rec.key), KFK_CONTROL_COMMIT);
    static const uint8_t abort_key[4] = {0, 0, 0, 0}, bad[4] = {0, 0, 0xff, 0xff};
    CHECK_EQ(kfk_control_type((kfk_bytes){abort_key, 4}), KFK_CONTROL_ABORT);
    CHECK_EQ(kfk_control_type((kfk_bytes){abort_key, 3}), KFK_ERR_MALFORMED);
    CHECK_EQ(kfk_control_type((kfk_bytes){bad, 4}), KFK_ERR_MALFORMED);
    CHECK_EQ(kfk_control_type(NUL), KFK_ERR_MALFORMED);
    kfk_wbuf_free(&out);
}

TEST(builder_rejects_bad_input) {
    kfk_wbuf out = {0};
    kfk_batch_builder b;
    kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
    kfk_record_header null_key = {{NULL, -1}, B("v")};
    kfk_batch_builder_init(&b, &out);
    CHECK_EQ(kfk_batch_finish(&b, &o, NULL), KFK_ERR_INVALID_ARG); /* empty */
    CHECK_EQ(kfk_batch_append(&b, 0, (kfk_bytes){NULL, -2}, NUL, NULL, 0), KFK_ERR_INVALID_ARG);
    CHECK_EQ(kfk_batch_append(&b, 0, NUL, (kfk_bytes){NULL, -5}, NULL, 0), KFK_ERR_INVALID_ARG);
    CHECK_EQ(kfk_batch_append(&b, 0, NUL, NUL, &null_key, 1), KFK_ERR_INVALID_ARG);
    CHECK_EQ(kfk_batch_record_size(&b, 0, NUL, NUL, &null_key, 1), KFK_ERR_INVALID_ARG);
    CHECK_EQ(kfk_batch_append(&b, 0, NUL, (kfk_bytes){pattern, INT32_MAX}, NULL, 0),
             KFK_ERR_MSG_TOO_LARGE);
    CHECK_EQ(kfk_batch_builder_size(&b), KFK_BATCH_OVERHEAD); /* nothing written */
    CHECK_EQ(kfk_batch_append(&b, 0, NUL, NUL, NULL, 0), 7); /* the smallest record */
    o.flags = 0x100;
    CHECK_EQ(kfk_batch_finish(&b, &o, NULL), KFK_ERR_INVALID_ARG);
    o.flags = 0;
    o.codec = (kfk_codec)6;
    CHECK_EQ(kfk_batch_finish(&b, &o, NULL), KFK_ERR_UNKNOWN_CODEC);
    o.codec = KFK_CODEC_NONE;
    CHECK_EQ(kfk_batch_finish(&b, &o, NULL), 0); /* still usable after the refusals */
    kfk_wbuf_free(&out);
}

TEST(bad_crc) {
    uint8_t copy[sizeof golden];
    int n;
    memcpy(copy, golden, sizeof copy);
    copy[sizeof copy - 1] ^= 1; /* the last header value */
    CHECK_EQ(count_records(copy, sizeof copy, 0, &n), KFK_ERR_BAD_CRC);
    CHECK_EQ(n, 0);
    CHECK_EQ(count_records(copy, sizeof copy, KFK_RECORDS_SKIP_CRC, &n), 0);
    CHECK_EQ(n, 2);
    memcpy(copy, golden, sizeof copy);
    copy[18] ^= 0x80; /* the CRC itself */
    CHECK_EQ(count_records(copy, sizeof copy, 0, &n), KFK_ERR_BAD_CRC);
}

/* Three batches back to back, cut at every length: whole batches are read,
 * the partial one at the end is not an error. */
TEST(every_truncation_stops_cleanly) {
    kfk_wbuf out = {0};
    size_t ends[3];
    for (int i = 0; i < 3; i++) {
        build_golden(&out);
        ends[i] = out.len;
    }
    for (size_t len = 0; len <= out.len; len++) {
        int n, whole = 0, boundary = len == 0;
        for (int i = 0; i < 3; i++) {
            if (len >= ends[i]) whole++;
            if (len == ends[i]) boundary = 1;
        }
        kfk_wbuf z = {0};
        kfk_records_iter it;
        kfk_record rec;
        kfk_records_iter_init(&it, out.data, len, &z, LIMIT, 0);
        n = 0;
        int rc;
        while ((rc = kfk_records_next(&it, &rec)) == 1) n++;
        CHECK_EQ(rc, 0);
        CHECK_EQ(n, 2 * whole);
        CHECK_EQ(it.truncated, !boundary);
    }
    kfk_wbuf_free(&out);
}

/* Patches one field of a copy of the golden batch (recomputing the CRC) and
 * expects the iterator to fail with err. */
static void expect_patched(size_t at, const uint8_t *bytes, size_t n, int err) {
    uint8_t copy[sizeof golden];
    int records;
    memcpy(copy, golden, sizeof copy);
    memcpy(copy + at, bytes, n);
    recrc(copy, sizeof copy);
    CHECK_EQ(count_records(copy, sizeof copy, 0, &records), err);
}

TEST(corrupt_lengths_and_counts_are_malformed) {
    enum { REC0 = 61, REC1 = 71 };
    expect_patched(57, (const uint8_t *)"\x00\x00\x00\x03", 4, KFK_ERR_MALFORMED); /* count 3 */
    expect_patched(57, (const uint8_t *)"\x00\x00\x00\x01", 4, KFK_ERR_MALFORMED); /* bytes left */
    expect_patched(57, (const uint8_t *)"\x7f\xff\xff\xff", 4, KFK_ERR_MALFORMED);
    expect_patched(57, (const uint8_t *)"\xff\xff\xff\xff", 4, KFK_ERR_MALFORMED); /* -1 */
    expect_patched(REC0, (const uint8_t *)"\x14", 1, KFK_ERR_MALFORMED); /* record length 10 */
    expect_patched(REC0, (const uint8_t *)"\x10", 1, KFK_ERR_MALFORMED); /* record length 8 */
    expect_patched(REC0, (const uint8_t *)"\x01", 1, KFK_ERR_MALFORMED); /* length -1 */
    expect_patched(REC0, (const uint8_t *)"\xfe\x01", 2, KFK_ERR_MALFORMED); /* 127 */
    expect_patched(REC0 + 4, (const uint8_t *)"\x03", 1, KFK_ERR_MALFORMED); /* key length -2 */
    expect_patched(REC0 + 4, (const uint8_t *)"\x0e", 1, KFK_ERR_MALFORMED); /* key length 7 */
    expect_patched(REC0 + 6, (const uint8_t *)"\x05", 1, KFK_ERR_MALFORMED); /* value length -3 */
    expect_patched(REC0 + 9, (const uint8_t *)"\x02", 1, KFK_ERR_MALFORMED); /* 1 header */
    expect_patched(REC0 + 9, (const uint8_t *)"\x01", 1, KFK_ERR_MALFORMED); /* -1 headers */
    expect_patched(REC1 + 6, (const uint8_t *)"\x04", 1, KFK_ERR_MALFORMED); /* 2 headers */
    expect_patched(REC1 + 7, (const uint8_t *)"\x01", 1, KFK_ERR_MALFORMED); /* null header key */
    expect_patched(REC1 + 9, (const uint8_t *)"\x03", 1, KFK_ERR_MALFORMED); /* header value -2 */
    expect_patched(REC1 + 9, (const uint8_t *)"\x01", 1, KFK_ERR_MALFORMED); /* null: a byte left */
    /* A timestamp varint running past the end of its record. */
    expect_patched(REC1, (const uint8_t *)"\x14\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11,
                   KFK_ERR_MALFORMED);
    expect_patched(21, (const uint8_t *)"\x00\x05", 2, KFK_ERR_UNKNOWN_CODEC);
    expect_patched(21, (const uint8_t *)"\x00\x07", 2, KFK_ERR_UNKNOWN_CODEC);
}

TEST(corrupt_framing) {
    uint8_t copy[sizeof golden];
    int n;
    memcpy(copy, golden, sizeof copy);
    copy[16] = 3; /* a magic from the future */
    CHECK_EQ(count_records(copy, sizeof copy, 0, &n), KFK_ERR_UNSUPPORTED_FEATURE);
    copy[16] = 0xff;
    CHECK_EQ(count_records(copy, sizeof copy, 0, &n), KFK_ERR_UNSUPPORTED_FEATURE);
    memcpy(copy, golden, sizeof copy);
    kfk_put_u32(copy + 8, 48); /* smaller than a v2 header */
    CHECK_EQ(count_records(copy, sizeof copy, KFK_RECORDS_SKIP_CRC, &n), KFK_ERR_MALFORMED);
    kfk_put_u32(copy + 8, 4);
    CHECK_EQ(count_records(copy, sizeof copy, 0, &n), KFK_ERR_MALFORMED);
    kfk_put_u32(copy + 8, 0x80000000u); /* negative */
    CHECK_EQ(count_records(copy, sizeof copy, 0, &n), KFK_ERR_MALFORMED);
    kfk_put_u32(copy + 8, 69); /* one byte short: the last record overruns */
    CHECK_EQ(count_records(copy, sizeof copy, KFK_RECORDS_SKIP_CRC, &n), KFK_ERR_MALFORMED);
}

/* Compaction can leave a batch with no records; its offsets still count. */
TEST(empty_batch) {
    uint8_t copy[KFK_BATCH_OVERHEAD + 3];
    memcpy(copy, golden, KFK_BATCH_OVERHEAD);
    memcpy(copy + KFK_BATCH_OVERHEAD, "abc", 3); /* ignored */
    kfk_put_u32(copy + 8, sizeof copy - 12);
    kfk_put_u64(copy, 100);
    kfk_put_u32(copy + 57, 0);
    kfk_put_u16(copy + 21, KFK_CODEC_GZIP); /* not decompressed: nothing to read */
    recrc(copy, sizeof copy);
    kfk_records_iter it;
    kfk_record rec;
    kfk_records_iter_init(&it, copy, sizeof copy, NULL, 0, 0);
    REQUIRE_EQ(kfk_records_next_batch(&it), 1);
    CHECK_EQ(it.batch.count, 0);
    CHECK_EQ(it.batch.last_offset, 101);
    CHECK_EQ(kfk_records_next_in_batch(&it, &rec), 0);
    CHECK_EQ(kfk_records_next(&it, &rec), 0);
}

/* Every byte of the records replaced by every value: whatever the result, no
 * over-read (ASan watches) and no error other than MALFORMED. */
TEST(every_byte_mutation) {
    uint8_t *copy = malloc(sizeof golden); /* exact size, so ASan sees over-reads */
    for (size_t at = 8; at < sizeof golden; at++) {
        if (at >= 16 && at <= 22) continue; /* magic, CRC, attributes: covered above */
        for (int v = 0; v < 256; v++) {
            int n;
            memcpy(copy, golden, sizeof golden);
            copy[at] = (uint8_t)v;
            int rc = count_records(copy, sizeof golden, KFK_RECORDS_SKIP_CRC, &n);
            CHECK(rc == 0 || rc == KFK_ERR_MALFORMED);
        }
    }
    free(copy);
}

TEST(scratch_is_optional_and_reusable) {
    kfk_wbuf out = {0}, scratch = {0};
    for (int round = 0; round < 3; round++) {
        kfk_batch_builder b;
        kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
        size_t start = out.len;
        kfk_batch_builder_init(&b, &out);
        CHECK_EQ(b.start, start);
        for (int i = 0; i < 50; i++) kfk_batch_append(&b, i, B("key"), B("value value"), NULL, 0);
        o.codec = KFK_CODEC_GZIP;
        REQUIRE_EQ(kfk_batch_finish(&b, &o, round == 1 ? NULL : &scratch), 0);
    }
    int n;
    CHECK_EQ(count_records(out.data, out.len, 0, &n), 0);
    CHECK_EQ(n, 150);
    kfk_wbuf_free(&out);
    kfk_wbuf_free(&scratch);
}

/* Records whose varints take 1 to 10 bytes (offset deltas past 63 and
 * 8191, values of 128 and 70,000 bytes, a timestamp delta of INT64_MIN),
 * read through kfk_records_next_v2 (the consumer's inline path) and
 * kfk_records_next alike. */
TEST(multi_byte_varints_in_records) {
    fill_pattern();
    enum { N = 20000 };
    kfk_wbuf out = {0}, z = {0};
    kfk_batch_builder b;
    kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
    kfk_record_header h[2] = {{{"h1", 2}, B("x")}, {{"h2", 2}, NUL}};
    kfk_batch_builder_init(&b, &out);
    for (int i = 0; i < N; i++) {
        int64_t ts = i == 1 ? INT64_MIN : 1000 + i;
        kfk_bytes key = i % 3 ? (kfk_bytes){pattern, i % 200} : NUL;
        kfk_bytes value = {pattern, i % 1000 == 7 ? 70000 : i % 300};
        REQUIRE(kfk_batch_append(&b, ts, key, value, h, i % 500 == 3 ? 2 : 0) > 0);
    }
    o.base_offset = 5000;
    REQUIRE_EQ(kfk_batch_finish(&b, &o, NULL), 0);
    for (int pass = 0; pass < 2; pass++) {
        kfk_records_iter it;
        kfk_record rec;
        kfk_records_iter_init(&it, out.data, out.len, &z, LIMIT, 0);
        REQUIRE_EQ(kfk_records_next_batch(&it), 1);
        for (int i = 0; i < N; i++) {
            REQUIRE_EQ(pass ? kfk_records_next(&it, &rec) : kfk_records_next_v2(&it, &rec), 1);
            CHECK_EQ(rec.offset, 5000 + i);
            CHECK_EQ(rec.timestamp, i == 1 ? INT64_MIN : 1000 + i);
            CHECK_EQ(rec.key.len, i % 3 ? i % 200 : -1);
            CHECK_EQ(rec.value.len, i % 1000 == 7 ? 70000 : i % 300);
            CHECK_EQ(rec.header_count, i % 500 == 3 ? 2 : 0);
        }
        CHECK_EQ(pass ? kfk_records_next(&it, &rec) : kfk_records_next_v2(&it, &rec), 0);
    }
    kfk_wbuf_free(&out);
    kfk_wbuf_free(&z);
}

/* A bad record through the inline path fails the iterator as
 * kfk_records_next_in_batch does: sticky, and the records before it read. */
TEST(inline_path_errors_are_sticky) {
    uint8_t copy[sizeof golden];
    memcpy(copy, golden, sizeof copy);
    copy[71 + 4] = 0x03; /* the second record's key length: -2 */
    kfk_records_iter it;
    kfk_record rec;
    kfk_records_iter_init(&it, copy, sizeof copy, NULL, 0, KFK_RECORDS_SKIP_CRC);
    REQUIRE_EQ(kfk_records_next_batch(&it), 1);
    CHECK_EQ(kfk_records_next_v2(&it, &rec), 1);
    CHECK_EQ(kfk_records_next_v2(&it, &rec), KFK_ERR_MALFORMED);
    CHECK_EQ(kfk_records_next_v2(&it, &rec), KFK_ERR_MALFORMED);
    CHECK_EQ(kfk_records_next_in_batch(&it, &rec), KFK_ERR_MALFORMED);
    CHECK_EQ(kfk_records_next_batch(&it), KFK_ERR_MALFORMED);
    /* A record shorter than the smallest body, its bytes otherwise whole. */
    memcpy(copy, golden, sizeof copy);
    copy[61] = 0x0a; /* length 5 */
    kfk_records_iter_init(&it, copy, sizeof copy, NULL, 0, KFK_RECORDS_SKIP_CRC);
    REQUIRE_EQ(kfk_records_next_batch(&it), 1);
    CHECK_EQ(kfk_records_next_v2(&it, &rec), KFK_ERR_MALFORMED);
}

/* Reads the first batch of data through the inline decoder (which takes
 * its unchecked path while 26 bytes are left) or the checked one alone,
 * keeping up to max records: the final result. */
static int read_batch(const uint8_t *data, size_t len, int checked, kfk_record *recs, int max,
                      int *n) {
    kfk_records_iter it;
    kfk_record rec;
    int rc;
    kfk_records_iter_init(&it, data, len, NULL, 0, KFK_RECORDS_SKIP_CRC);
    *n = 0;
    if ((rc = kfk_records_next_batch(&it)) != 1) return rc;
    while ((rc = checked ? kfk_batch_v2_next_checked(&it, &rec) : kfk_records_next_v2(&it, &rec)) ==
           1)
        if (*n < max) recs[(*n)++] = rec;
    return rc;
}

static int same_record(const kfk_record *a, const kfk_record *b) {
    return a->offset == b->offset && a->timestamp == b->timestamp && a->key.ptr == b->key.ptr &&
           a->key.len == b->key.len && a->value.ptr == b->value.ptr &&
           a->value.len == b->value.len && a->header_count == b->header_count &&
           a->headers.ptr == b->headers.ptr && a->headers.len == b->headers.len;
}

/* Every byte of a batch's records replaced by every value: the inline
 * decoder (unchecked fields, checked together) and the checked one agree
 * on every record and on the result, and neither reads past the batch
 * (an exact-size copy, for ASan). */
TEST(inline_and_checked_decoders_agree_on_every_mutation) {
    fill_pattern();
    kfk_wbuf out = {0};
    kfk_batch_builder b;
    kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
    kfk_record_header h[2] = {{{"k", 1}, B("v")}, {{"key2", 4}, NUL}};
    kfk_batch_builder_init(&b, &out);
    static const int32_t vlen[] = {0, 1, 63, 64, 130, 5, -1, 200, 2, 0, 70, 1};
    for (int i = 0; i < 12; i++) {
        kfk_bytes key = i % 4 == 1 ? NUL : (kfk_bytes){pattern, i * 3};
        kfk_bytes value = vlen[i] < 0 ? NUL : (kfk_bytes){pattern + 7, vlen[i]};
        REQUIRE(kfk_batch_append(&b, i == 3 ? -5000000 : 100 + i * 70, key, value, h,
                                 i % 5 == 2 ? 2 : 0) > 0);
    }
    o.base_offset = 77;
    REQUIRE_EQ(kfk_batch_finish(&b, &o, NULL), 0);
    uint8_t *copy = malloc(out.len);
    REQUIRE(copy != NULL);
    kfk_record a[12], c[12];
    int na, nc, disagree = 0, changed = 0;
    for (size_t at = KFK_BATCH_OVERHEAD; at < out.len; at++) {
        for (int v = 0; v < 256; v++) {
            memcpy(copy, out.data, out.len);
            copy[at] = (uint8_t)v;
            int ra = read_batch(copy, out.len, 0, a, 12, &na);
            int rc = read_batch(copy, out.len, 1, c, 12, &nc);
            int same = ra == rc && na == nc;
            for (int i = 0; same && i < na; i++) same = same_record(&a[i], &c[i]);
            disagree += !same;
            changed += ra != 0;
        }
    }
    CHECK_EQ(disagree, 0);
    CHECK(changed > 0); /* the mutations did reach the decoders */
    REQUIRE_EQ(read_batch(out.data, out.len, 0, a, 12, &na), 0);
    CHECK_EQ(na, 12);
    CHECK_EQ(a[3].timestamp, -5000000);
    CHECK_EQ(a[2].header_count, 2);
    free(copy);
    kfk_wbuf_free(&out);
}
