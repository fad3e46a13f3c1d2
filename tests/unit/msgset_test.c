#include <stdlib.h>
#include <zlib.h>

#include "kfk.h"
#include "records/batch.h"
#include "records/msgset.h"
#include "test.h"

#define LIMIT (1u << 20)

static kfk_bytes B(const char *s) { return (kfk_bytes){(const uint8_t *)s, (int32_t)strlen(s)}; }
static const kfk_bytes NUL = {NULL, -1};

static int bytes_eq(kfk_bytes a, kfk_bytes b) {
    return a.len == b.len && (a.len <= 0 || memcmp(a.ptr, b.ptr, (size_t)a.len) == 0);
}

/* Laid out by hand; CRCs from Python's zlib.crc32 over magic..end. */
static const uint8_t v0_msg[30] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, /* offset 5 */
    0x00, 0x00, 0x00, 0x12,                         /* size 18 */
    0x31, 0x6a, 0x1d, 0xf0,                         /* crc */
    0x00, 0x00,                                     /* magic 0, attributes */
    0x00, 0x00, 0x00, 0x01, 'k',                    /* key */
    0x00, 0x00, 0x00, 0x03, 'v', 'a', 'l'};         /* value */
static const uint8_t v1_msg[39] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, /* offset 6 */
    0x00, 0x00, 0x00, 0x1b,                         /* size 27 */
    0x8b, 0x45, 0xf9, 0x10,                         /* crc */
    0x01, 0x00,                                     /* magic 1, attributes */
    0x00, 0x00, 0x01, 0x1f, 0x71, 0xfb, 0x04, 0xcb, /* timestamp 1234567890123 */
    0xff, 0xff, 0xff, 0xff,                         /* null key */
    0x00, 0x00, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o'};

/* Compressed sets made with Python (zlib, gzip wrapper, level 6):
 * v1_gzip_set: wrapper offset 105, timestamp 30, CreateTime, holding
 *   relative offsets 0, 2, 5 (compacted) with (a, one, 10), (b, two, 20),
 *   (null, three, 30); so absolute 100, 102, 105.
 * v1_gzip_set_log_append: the same with LogAppendTime and timestamp 999.
 * v0_gzip_set: wrapper offset 9 holding absolute offsets 7, 8, 9.
 * nested_twice: the inner message is itself marked gzip.
 * inner_magic_mismatch: a magic 1 wrapper holding a magic 0 message. */
static const uint8_t v1_gzip_set[117] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x69, 0x00, 0x00, 0x00, 0x69,
    0x0b, 0x0e, 0xf4, 0x60, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x1e, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x53, 0x1f, 0x8b,
    0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x63, 0x60, 0x80, 0x03,
    0x29, 0xc9, 0x3f, 0xdf, 0x73, 0x19, 0x61, 0x3c, 0x2e, 0x20, 0x66, 0x4c,
    0x04, 0x12, 0xcc, 0xf9, 0x79, 0xa9, 0x50, 0x31, 0x26, 0x90, 0xaa, 0x4d,
    0x26, 0x61, 0xc5, 0x70, 0x55, 0x22, 0x20, 0x55, 0x49, 0x20, 0x55, 0x25,
    0xe5, 0xf9, 0x50, 0x31, 0x56, 0x20, 0x96, 0x4e, 0x89, 0x5e, 0x10, 0x05,
    0x57, 0x25, 0xf7, 0x1f, 0x08, 0x40, 0x32, 0x25, 0x19, 0x45, 0xa9, 0xa9,
    0x00, 0x52, 0x71, 0x55, 0x8e, 0x73, 0x00, 0x00, 0x00};
static const uint8_t v1_gzip_set_log_append[117] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x69, 0x00, 0x00, 0x00, 0x69,
    0x7a, 0x0d, 0xed, 0x21, 0x01, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x03, 0xe7, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x53, 0x1f, 0x8b,
    0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x63, 0x60, 0x80, 0x03,
    0x29, 0xc9, 0x3f, 0xdf, 0x73, 0x19, 0x61, 0x3c, 0x2e, 0x20, 0x66, 0x4c,
    0x04, 0x12, 0xcc, 0xf9, 0x79, 0xa9, 0x50, 0x31, 0x26, 0x90, 0xaa, 0x4d,
    0x26, 0x61, 0xc5, 0x70, 0x55, 0x22, 0x20, 0x55, 0x49, 0x20, 0x55, 0x25,
    0xe5, 0xf9, 0x50, 0x31, 0x56, 0x20, 0x96, 0x4e, 0x89, 0x5e, 0x10, 0x05,
    0x57, 0x25, 0xf7, 0x1f, 0x08, 0x40, 0x32, 0x25, 0x19, 0x45, 0xa9, 0xa9,
    0x00, 0x52, 0x71, 0x55, 0x8e, 0x73, 0x00, 0x00, 0x00};
static const uint8_t v0_gzip_set[106] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x5e,
    0x3f, 0x2c, 0xcb, 0xd8, 0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00,
    0x00, 0x50, 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
    0x63, 0x60, 0x00, 0x03, 0x76, 0x20, 0x16, 0xf2, 0x95, 0xb4, 0x5d, 0x03,
    0xe6, 0x31, 0x26, 0x02, 0x09, 0xe6, 0xfc, 0xbc, 0x54, 0x88, 0x24, 0x03,
    0x07, 0x48, 0x76, 0x85, 0x81, 0xd9, 0x0d, 0x88, 0x6c, 0x12, 0x48, 0xb6,
    0xa4, 0x3c, 0x1f, 0x2a, 0xcb, 0x09, 0xc4, 0xc2, 0xdf, 0x8b, 0x58, 0x0e,
    0x32, 0x30, 0xfc, 0x07, 0x02, 0x20, 0x8f, 0xb5, 0x24, 0xa3, 0x28, 0x35,
    0x15, 0x00, 0xfe, 0x82, 0x0e, 0xea, 0x5b, 0x00, 0x00, 0x00};
static const uint8_t nested_twice[72] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c,
    0x5f, 0xd8, 0xa2, 0x41, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x26, 0x1f, 0x8b,
    0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x63, 0x60, 0x80, 0x03,
    0xf1, 0x60, 0xcf, 0xed, 0xdf, 0x18, 0x19, 0xa1, 0x3c, 0xc6, 0xff, 0x40,
    0x00, 0xa2, 0x2b, 0x00, 0xac, 0x0c, 0xda, 0x7f, 0x23, 0x00, 0x00, 0x00};
static const uint8_t inner_magic_mismatch[71] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3b,
    0x77, 0xa2, 0xd0, 0x19, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x25, 0x1f, 0x8b,
    0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x63, 0x60, 0x80, 0x03,
    0x7e, 0xd3, 0x2d, 0x93, 0x3e, 0x31, 0x30, 0xfc, 0x07, 0x02, 0x20, 0x8f,
    0xb1, 0x02, 0x00, 0x8d, 0x6b, 0x0d, 0xd8, 0x1b, 0x00, 0x00, 0x00};

typedef struct want {
    int64_t offset, timestamp;
    const char *key, *value; /* NULL for null */
} want;

static kfk_bytes S(const char *s) { return s ? B(s) : NUL; }

/* Reads data through the unified iterator and compares every record. */
static void expect(const uint8_t *data, size_t len, const want *w, int n) {
    kfk_wbuf z = {0};
    kfk_records_iter it;
    kfk_record rec;
    kfk_records_iter_init(&it, data, len, &z, LIMIT, 0);
    for (int i = 0; i < n; i++) {
        REQUIRE_EQ(kfk_records_next(&it, &rec), 1);
        CHECK_EQ(rec.offset, w[i].offset);
        CHECK_EQ(rec.timestamp, w[i].timestamp);
        CHECK(bytes_eq(rec.key, S(w[i].key)));
        CHECK(bytes_eq(rec.value, S(w[i].value)));
        CHECK_EQ(rec.header_count, 0);
    }
    CHECK_EQ(kfk_records_next(&it, &rec), 0);
    CHECK_EQ(it.truncated, 0);
    kfk_wbuf_free(&z);
}

static int first_error(const uint8_t *data, size_t len, int flags) {
    kfk_wbuf z = {0};
    kfk_records_iter it;
    kfk_record rec;
    int rc;
    kfk_records_iter_init(&it, data, len, &z, LIMIT, flags);
    while ((rc = kfk_records_next(&it, &rec)) == 1) continue;
    kfk_wbuf_free(&z);
    return rc;
}

TEST(reads_hand_written_v0_and_v1) {
    static const want w0[] = {{5, -1, "k", "val"}};
    static const want w1[] = {{6, 1234567890123, NULL, "hello"}};
    expect(v0_msg, sizeof v0_msg, w0, 1);
    expect(v1_msg, sizeof v1_msg, w1, 1);
    kfk_records_iter it;
    kfk_records_iter_init(&it, v1_msg, sizeof v1_msg, NULL, 0, 0);
    REQUIRE_EQ(kfk_records_next_batch(&it), 1);
    CHECK_EQ(it.batch.magic, 1);
    CHECK_EQ(it.batch.base_offset, 6);
    CHECK_EQ(it.batch.last_offset, 6);
    CHECK_EQ(it.batch.count, 1);
    CHECK_EQ(it.batch.producer_id, -1);
    CHECK_EQ(kfk_batch_codec(&it.batch), KFK_CODEC_NONE);
}

TEST(builder_writes_hand_written_bytes) {
    kfk_wbuf out = {0};
    kfk_msgset_builder b;
    REQUIRE_EQ(kfk_msgset_builder_init(&b, &out, 0, KFK_CODEC_NONE, KFK_LEVEL_DEFAULT, 5), 0);
    CHECK_EQ(kfk_msgset_append(&b, 777, B("k"), B("val")), sizeof v0_msg);
    CHECK_EQ(kfk_msgset_finish(&b, NULL), 0);
    REQUIRE_EQ(out.len, sizeof v0_msg);
    CHECK_MEM(out.data, v0_msg, sizeof v0_msg);
    out.len = 0;
    kfk_msgset_builder_init(&b, &out, 1, KFK_CODEC_NONE, KFK_LEVEL_DEFAULT, 6);
    CHECK_EQ(kfk_msgset_append(&b, 1234567890123, NUL, B("hello")), sizeof v1_msg);
    kfk_msgset_finish(&b, NULL);
    REQUIRE_EQ(out.len, sizeof v1_msg);
    CHECK_MEM(out.data, v1_msg, sizeof v1_msg);
    CHECK_EQ(kfk_msgset_message_size(1, -1, 5), sizeof v1_msg);
    kfk_wbuf_free(&out);
}

TEST(gzip_v1_relative_offsets) {
    static const want w[] = {
        {100, 10, "a", "one"}, {102, 20, "b", "two"}, {105, 30, NULL, "three"}};
    expect(v1_gzip_set, sizeof v1_gzip_set, w, 3);
    kfk_wbuf z = {0};
    kfk_records_iter it;
    kfk_records_iter_init(&it, v1_gzip_set, sizeof v1_gzip_set, &z, LIMIT, 0);
    REQUIRE_EQ(kfk_records_next_batch(&it), 1);
    CHECK_EQ(it.batch.base_offset, 100);
    CHECK_EQ(it.batch.last_offset, 105);
    CHECK_EQ(it.batch.count, 3);
    CHECK_EQ(kfk_batch_codec(&it.batch), KFK_CODEC_GZIP);
    kfk_wbuf_free(&z);
}

TEST(gzip_v1_log_append_time) {
    static const want w[] = {
        {100, 999, "a", "one"}, {102, 999, "b", "two"}, {105, 999, NULL, "three"}};
    expect(v1_gzip_set_log_append, sizeof v1_gzip_set_log_append, w, 3);
}

TEST(gzip_v0_absolute_offsets) {
    static const want w[] = {{7, -1, "a", "one"}, {8, -1, "b", "two"}, {9, -1, NULL, "three"}};
    expect(v0_gzip_set, sizeof v0_gzip_set, w, 3);
}

/* All formats in one fetch, as a partition upgraded over time holds them. */
TEST(mixed_magics_in_one_stream) {
    kfk_wbuf out = {0};
    kfk_batch_builder b;
    kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
    kfk_wr_raw(&out, v0_msg, sizeof v0_msg);
    kfk_wr_raw(&out, v1_msg, sizeof v1_msg);
    kfk_wr_raw(&out, v1_gzip_set, sizeof v1_gzip_set);
    kfk_batch_builder_init(&b, &out);
    kfk_batch_append(&b, 5000, B("v2"), B("batch"), NULL, 0);
    o.base_offset = 106;
    o.codec = KFK_CODEC_GZIP;
    REQUIRE_EQ(kfk_batch_finish(&b, &o, NULL), 0);
    kfk_wr_raw(&out, v0_gzip_set, sizeof v0_gzip_set);
    static const want w[] = {{5, -1, "k", "val"},       {6, 1234567890123, NULL, "hello"},
                             {100, 10, "a", "one"},     {102, 20, "b", "two"},
                             {105, 30, NULL, "three"},  {106, 5000, "v2", "batch"},
                             {7, -1, "a", "one"},       {8, -1, "b", "two"},
                             {9, -1, NULL, "three"}};
    expect(out.data, out.len, w, 9);
    kfk_wbuf_free(&out);
}

static void legacy_round_trip(int8_t magic, kfk_codec codec) {
    kfk_wbuf out = {0}, scratch = {0}, z = {0};
    kfk_msgset_builder b;
    REQUIRE_EQ(kfk_msgset_builder_init(&b, &out, magic, codec, KFK_LEVEL_DEFAULT, 1000), 0);
    for (int i = 0; i < 300; i++) {
        char key[16];
        snprintf(key, sizeof key, "key-%d", i);
        kfk_bytes value = i % 10 == 3 ? NUL : B("some value, repeated, repeated");
        REQUIRE(kfk_msgset_append(&b, 50000 + i, i % 7 == 1 ? NUL : B(key), value) > 0);
    }
    REQUIRE_EQ(kfk_msgset_finish(&b, &scratch), 0);
    kfk_records_iter it;
    kfk_record rec;
    kfk_records_iter_init(&it, out.data, out.len, &z, LIMIT, 0);
    for (int i = 0; i < 300; i++) {
        char key[16];
        snprintf(key, sizeof key, "key-%d", i);
        REQUIRE_EQ(kfk_records_next(&it, &rec), 1);
        CHECK_EQ(kfk_batch_codec(&it.batch), codec);
        CHECK_EQ(rec.offset, 1000 + i);
        CHECK_EQ(rec.timestamp, magic ? 50000 + i : -1);
        CHECK(bytes_eq(rec.key, i % 7 == 1 ? NUL : B(key)));
        CHECK(bytes_eq(rec.value, i % 10 == 3 ? NUL : B("some value, repeated, repeated")));
    }
    CHECK_EQ(kfk_records_next(&it, &rec), 0);
    if (codec != KFK_CODEC_NONE) {
        CHECK_EQ(it.batch.last_offset, 1299);
        CHECK_EQ(it.batch.max_timestamp, magic ? 50299 : -1);
    }
    kfk_wbuf_free(&out);
    kfk_wbuf_free(&scratch);
    kfk_wbuf_free(&z);
}

TEST(builder_round_trip_every_legacy_codec) {
    static const kfk_codec codecs[] = {KFK_CODEC_NONE, KFK_CODEC_GZIP, KFK_CODEC_SNAPPY,
                                       KFK_CODEC_LZ4};
    for (int8_t magic = 0; magic <= 1; magic++)
        for (size_t c = 0; c < sizeof codecs / sizeof codecs[0]; c++)
            legacy_round_trip(magic, codecs[c]);
}

TEST(builder_rejects_bad_input) {
    kfk_wbuf out = {0};
    kfk_msgset_builder b;
    CHECK_EQ(kfk_msgset_builder_init(&b, &out, 2, KFK_CODEC_NONE, KFK_LEVEL_DEFAULT, 0),
             KFK_ERR_INVALID_ARG);
    CHECK_EQ(kfk_msgset_builder_init(&b, &out, 1, KFK_CODEC_ZSTD, KFK_LEVEL_DEFAULT, 0),
             KFK_ERR_INVALID_ARG);
    REQUIRE_EQ(kfk_msgset_builder_init(&b, &out, 1, KFK_CODEC_GZIP, KFK_LEVEL_DEFAULT, 0), 0);
    CHECK_EQ(kfk_msgset_finish(&b, NULL), KFK_ERR_INVALID_ARG); /* empty */
    CHECK_EQ(kfk_msgset_append(&b, 0, (kfk_bytes){NULL, -2}, NUL), KFK_ERR_INVALID_ARG);
    CHECK_EQ(kfk_msgset_append(&b, 0, NUL, (kfk_bytes){v0_msg, INT32_MAX}), KFK_ERR_MSG_TOO_LARGE);
    CHECK_EQ(out.len, 0);
    kfk_wbuf_free(&out);
}

TEST(every_truncation_stops_cleanly) {
    kfk_wbuf out = {0};
    kfk_wr_raw(&out, v0_msg, sizeof v0_msg);
    kfk_wr_raw(&out, v1_gzip_set, sizeof v1_gzip_set);
    kfk_wr_raw(&out, v1_msg, sizeof v1_msg);
    size_t ends[3] = {sizeof v0_msg, sizeof v0_msg + sizeof v1_gzip_set, out.len};
    int records[3] = {1, 4, 5};
    for (size_t len = 0; len <= out.len; len++) {
        kfk_wbuf z = {0};
        kfk_records_iter it;
        kfk_record rec;
        int n = 0, rc, whole = 0, boundary = len == 0;
        for (int i = 0; i < 3; i++) {
            if (len >= ends[i]) whole = records[i];
            if (len == ends[i]) boundary = 1;
        }
        kfk_records_iter_init(&it, out.data, len, &z, LIMIT, 0);
        while ((rc = kfk_records_next(&it, &rec)) == 1) n++;
        CHECK_EQ(rc, 0);
        CHECK_EQ(n, whole);
        CHECK_EQ(it.truncated, !boundary);
        kfk_wbuf_free(&z);
    }
    kfk_wbuf_free(&out);
}

/* Patches a copy of msg, fixing its CRC, and returns the iterator's error. */
static int patched(const uint8_t *msg, size_t len, size_t at, const char *bytes, size_t n) {
    uint8_t *copy = malloc(len);
    memcpy(copy, msg, len);
    memcpy(copy + at, bytes, n);
    kfk_put_u32(copy + 12, (uint32_t)crc32(0, copy + 16, (uInt)(len - 16)));
    int rc = first_error(copy, len, 0);
    free(copy);
    return rc;
}

TEST(corruption) {
    uint8_t copy[sizeof v1_gzip_set];
    memcpy(copy, v0_msg, sizeof v0_msg);
    copy[sizeof v0_msg - 1] ^= 1;
    CHECK_EQ(first_error(copy, sizeof v0_msg, 0), KFK_ERR_BAD_CRC);
    CHECK_EQ(first_error(copy, sizeof v0_msg, KFK_RECORDS_SKIP_CRC), 0);
    /* Key length -2, key length 2, value length 2 (a byte left), a huge value. */
    CHECK_EQ(patched(v0_msg, sizeof v0_msg, 18, "\xff\xff\xff\xfe", 4), KFK_ERR_MALFORMED);
    CHECK_EQ(patched(v0_msg, sizeof v0_msg, 18, "\x00\x00\x00\x02", 4), KFK_ERR_MALFORMED);
    CHECK_EQ(patched(v0_msg, sizeof v0_msg, 23, "\x00\x00\x00\x02", 4), KFK_ERR_MALFORMED);
    CHECK_EQ(patched(v0_msg, sizeof v0_msg, 23, "\x7f\xff\xff\xff", 4), KFK_ERR_MALFORMED);
    CHECK_EQ(patched(v1_msg, sizeof v1_msg, 16, "\x00", 1), KFK_ERR_MALFORMED); /* v1 read as v0 */
    CHECK_EQ(patched(v0_msg, sizeof v0_msg, 17, "\x05", 1), KFK_ERR_UNKNOWN_CODEC);
    CHECK_EQ(patched(v0_msg, sizeof v0_msg, 17, "\x04", 1), KFK_ERR_UNKNOWN_CODEC); /* no zstd */
    CHECK_EQ(patched(v0_msg, sizeof v0_msg, 17, "\x01", 1), KFK_ERR_BAD_COMPRESSION); /* "val" */
    /* The wrapper's key may be empty, but its value not null. */
    CHECK_EQ(patched(v1_gzip_set, sizeof v1_gzip_set, 26, "\x00\x00\x00\x00", 4), 0);
    CHECK_EQ(patched(v1_gzip_set, sizeof v1_gzip_set, 30, "\xff\xff\xff\xff", 4),
             KFK_ERR_MALFORMED);
    CHECK_EQ(first_error(nested_twice, sizeof nested_twice, 0), KFK_ERR_MALFORMED);
    CHECK_EQ(first_error(inner_magic_mismatch, sizeof inner_magic_mismatch, 0), KFK_ERR_MALFORMED);
    /* A corrupt byte inside the gzip stream. */
    memcpy(copy, v1_gzip_set, sizeof copy);
    copy[60] ^= 0x55;
    kfk_put_u32(copy + 12, (uint32_t)crc32(0, copy + 16, (uInt)(sizeof copy - 16)));
    int rc = first_error(copy, sizeof copy, 0);
    CHECK(rc == KFK_ERR_BAD_COMPRESSION || rc == KFK_ERR_MALFORMED || rc == KFK_ERR_BAD_CRC);
    /* The size field: too small to hold a message, negative. */
    memcpy(copy, v0_msg, sizeof v0_msg);
    kfk_put_u32(copy + 8, 13);
    CHECK_EQ(first_error(copy, sizeof v0_msg, KFK_RECORDS_SKIP_CRC), KFK_ERR_MALFORMED);
    kfk_put_u32(copy + 8, 0xfffffff0u);
    CHECK_EQ(first_error(copy, sizeof v0_msg, 0), KFK_ERR_MALFORMED);
}

/* An inner message's CRC is checked too, unless asked not to. */
TEST(inner_crc) {
    kfk_wbuf out = {0}, inner = {0}, z = {0};
    kfk_msgset_builder b;
    kfk_msgset_builder_init(&b, &inner, 1, KFK_CODEC_NONE, KFK_LEVEL_DEFAULT, 0);
    kfk_msgset_append(&b, 1, B("k"), B("v"));
    inner.data[inner.len - 1] ^= 1; /* the CRC no longer matches */
    REQUIRE_EQ(kfk_compress(KFK_CODEC_GZIP, KFK_LEVEL_DEFAULT, inner.data, inner.len, &z), 0);
    kfk_msgset_builder_init(&b, &out, 1, KFK_CODEC_NONE, KFK_LEVEL_DEFAULT, 0);
    kfk_msgset_append(&b, 1, NUL, (kfk_bytes){z.data, (int32_t)z.len});
    out.data[17] = KFK_CODEC_GZIP; /* make it a wrapper, then fix the outer CRC */
    kfk_put_u32(out.data + 12, (uint32_t)crc32(0, out.data + 16, (uInt)(out.len - 16)));
    CHECK_EQ(first_error(out.data, out.len, 0), KFK_ERR_BAD_CRC);
    CHECK_EQ(first_error(out.data, out.len, KFK_RECORDS_SKIP_CRC), 0);
    kfk_wbuf_free(&out);
    kfk_wbuf_free(&inner);
    kfk_wbuf_free(&z);
}

TEST(every_byte_mutation) {
    uint8_t *copy = malloc(sizeof v1_gzip_set);
    for (size_t at = 8; at < sizeof v1_gzip_set; at++) {
        for (int v = 0; v < 256; v += (at > 40 ? 17 : 1)) {
            memcpy(copy, v1_gzip_set, sizeof v1_gzip_set);
            copy[at] = (uint8_t)v;
            int rc = first_error(copy, sizeof v1_gzip_set, KFK_RECORDS_SKIP_CRC);
            CHECK(rc == 0 || rc == KFK_ERR_MALFORMED || rc == KFK_ERR_BAD_COMPRESSION ||
                  rc == KFK_ERR_UNKNOWN_CODEC || rc == KFK_ERR_DECOMPRESS_LIMIT ||
                  rc == KFK_ERR_UNSUPPORTED_FEATURE);
        }
    }
    free(copy);
}
