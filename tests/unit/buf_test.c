#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/arena.h"
#include "core/buf.h"
#include "kfk.h"
#include "test.h"

TEST(varint_round_trip) {
    static const int64_t values[] = {0, 1, -1, 63, -64, 64, 300, -300, INT32_MAX, INT32_MIN,
                                     INT64_MAX, INT64_MIN};
    kfk_wbuf w = {0};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        kfk_wr_varlong(&w, values[i]);
        if (values[i] >= INT32_MIN && values[i] <= INT32_MAX) kfk_wr_varint(&w, (int32_t)values[i]);
    }
    kfk_rbuf r = kfk_rbuf_make(w.data, w.len);
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        CHECK_EQ(kfk_rd_varlong(&r), values[i]);
        if (values[i] >= INT32_MIN && values[i] <= INT32_MAX) CHECK_EQ(kfk_rd_varint(&r), values[i]);
    }
    CHECK_EQ(r.err, 0);
    CHECK_EQ(kfk_rbuf_left(&r), 0);
    kfk_wbuf_free(&w);
}

TEST(varint_known_bytes) {
    kfk_wbuf w = {0};
    kfk_wr_varint(&w, 150); /* zig-zag 300 = 0xac 0x02 */
    kfk_wr_uvarint(&w, 300);
    REQUIRE_EQ(w.len, 4);
    CHECK_MEM(w.data, "\xac\x02\xac\x02", 4);
    CHECK_EQ(kfk_varint_size(150), 2);
    CHECK_EQ(kfk_uvarint_size(127), 1);
    kfk_wbuf_free(&w);
}

/* The size formula against the encoder, at both ends of every bit length. */
TEST(varint_size_matches_encoding) {
    for (int bits = 0; bits <= 64; bits++) {
        uint64_t hi = bits == 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
        uint64_t lo = bits ? (uint64_t)1 << (bits - 1) : 0;
        for (int k = 0; k < 2; k++) {
            uint64_t v = k ? hi : lo;
            kfk_wbuf w = {0};
            kfk_wr_uvarlong(&w, v);
            CHECK_EQ(kfk_uvarint_size(v), (int)w.len);
            kfk_wbuf_free(&w);
        }
    }
    CHECK_EQ(kfk_varint_size(-1), 1);
    CHECK_EQ(kfk_varint_size(INT64_MIN), 10);
}

TEST(reader_never_overreads) {
    const uint8_t data[3] = {1, 2, 3};
    kfk_rbuf r = kfk_rbuf_make(data, sizeof data);
    CHECK_EQ(kfk_rd_i16(&r), 0x0102);
    CHECK_EQ(kfk_rd_i32(&r), 0);
    CHECK_EQ(r.err, KFK_ERR_MALFORMED);
    CHECK_EQ(kfk_rd_u8(&r), 0); /* sticky failure */
    const uint8_t endless[11] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80};
    r = kfk_rbuf_make(endless, sizeof endless);
    kfk_rd_varlong(&r);
    CHECK_EQ(r.err, KFK_ERR_MALFORMED);
    r = kfk_rbuf_make(endless, 3);
    kfk_rd_varint(&r);
    CHECK_EQ(r.err, KFK_ERR_MALFORMED);
}

/* The pointer decoders on an exact-size heap copy of bytes (ASan sees any
 * read past it): the bytes consumed, or -1 on NULL (which must give 0). */
static int dec_uvar(const void *bytes, size_t n, int bits, uint64_t *v) {
    uint8_t *copy = malloc(n ? n : 1);
    memcpy(copy, bytes, n);
    uint32_t v32 = 0;
    const uint8_t *end = bits == 32 ? kfk_dec_uvarint(copy, copy + n, &v32)
                                    : kfk_dec_uvarlong(copy, copy + n, v);
    if (bits == 32) *v = v32;
    int used = end ? (int)(end - copy) : -1;
    if (!end && *v != 0) used = -2;
    free(copy);
    return used;
}
static int dec_u32(const void *bytes, size_t n, uint32_t *v) {
    uint64_t u;
    int used = dec_uvar(bytes, n, 32, &u);
    *v = (uint32_t)u;
    return used;
}
static int dec_u64(const void *bytes, size_t n, uint64_t *v) {
    return dec_uvar(bytes, n, 64, v);
}

/* Every encoded length, 1 to 10 bytes, at both ends of every bit length:
 * the 64-bit decoder reads each back whole; the 32-bit one reads up to 5
 * bytes (bits past the 32nd dropped) and refuses longer ones. */
TEST(dec_varint_every_length) {
    for (int bits = 0; bits <= 64; bits++) {
        uint64_t hi = bits == 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
        uint64_t lo = bits ? (uint64_t)1 << (bits - 1) : 0;
        for (int k = 0; k < 2; k++) {
            uint64_t want = k ? hi : lo, got64 = 1;
            uint32_t got32 = 1;
            kfk_wbuf w = {0};
            kfk_wr_uvarlong(&w, want);
            CHECK_EQ(dec_u64(w.data, w.len, &got64), (int)w.len);
            CHECK(got64 == want);
            if (w.len <= 5) {
                CHECK_EQ(dec_u32(w.data, w.len, &got32), (int)w.len);
                CHECK_EQ(got32, (uint32_t)want);
            } else {
                CHECK_EQ(dec_u32(w.data, w.len, &got32), -1);
            }
            /* followed by more bytes: only the varint is consumed */
            kfk_wr_u8(&w, 0x7f);
            CHECK_EQ(dec_u64(w.data, w.len, &got64), (int)w.len - 1);
            kfk_wbuf_free(&w);
        }
    }
}

TEST(dec_varint_edges) {
    uint32_t v32;
    uint64_t v64;
    CHECK_EQ(dec_u32("\xff\xff\xff\xff\x0f", 5, &v32), 5); /* 5 bytes: UINT32_MAX */
    CHECK_EQ(v32, UINT32_MAX);
    CHECK_EQ(dec_u32("\xff\xff\xff\xff\x7f", 5, &v32), 5); /* the high bits dropped */
    CHECK_EQ(v32, UINT32_MAX);
    CHECK_EQ(dec_u32("\x80\x80\x80\x80\x10", 5, &v32), 5); /* bit 32 alone: 0 */
    CHECK_EQ(v32, 0);
    CHECK_EQ(dec_u32("\x80\x80\x80\x80\x80\x00", 6, &v32), -1); /* overlong for 32 bits */
    CHECK_EQ(dec_u64("\x80\x80\x80\x80\x80\x00", 6, &v64), 6); /* fine for 64 */
    CHECK(v64 == 0);
    CHECK_EQ(dec_u64("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10, &v64), 10);
    CHECK(v64 == UINT64_MAX);
    CHECK_EQ(dec_u64("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00", 11, &v64), -1);
    CHECK_EQ(dec_u64("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x81", 10, &v64), -1);
    CHECK_EQ(dec_u32("\x80\x00", 2, &v32), 2); /* not the shortest form, but valid */
    CHECK_EQ(v32, 0);
    CHECK_EQ(dec_u32("\xac\x02", 2, &v32), 2);
    CHECK_EQ(v32, 300);
    CHECK_EQ(dec_u32("", 0, &v32), -1);
    CHECK_EQ(dec_u64("", 0, &v64), -1);
    CHECK(kfk_dec_uvarint(NULL, NULL, &v32) == NULL); /* an empty slice's null pointers */
    CHECK(kfk_dec_uvarlong(NULL, NULL, &v64) == NULL);
}

/* Every prefix of a varint is refused, never read past. */
TEST(dec_varint_truncated) {
    static const uint64_t values[] = {128, 16383, 16384, UINT32_MAX, (uint64_t)1 << 42, UINT64_MAX};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        kfk_wbuf w = {0};
        kfk_wr_uvarlong(&w, values[i]);
        for (size_t n = 0; n < w.len; n++) {
            uint32_t v32 = 1;
            uint64_t v64 = 1;
            CHECK_EQ(dec_u64(w.data, n, &v64), -1);
            CHECK_EQ(dec_u32(w.data, n, &v32), -1);
        }
        kfk_wbuf_free(&w);
    }
}

TEST(dec_varint_zigzag_extremes) {
    static const int64_t values[] = {0, -1, 1, -64, 63, 64, -65, INT32_MIN, INT32_MAX,
                                     INT64_MIN, INT64_MAX};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        kfk_wbuf w = {0};
        kfk_wr_varlong(&w, values[i]);
        int64_t v64 = 1;
        const uint8_t *end = kfk_dec_varlong(w.data, w.data + w.len, &v64);
        CHECK(end == w.data + w.len);
        CHECK(v64 == values[i]);
        if (values[i] >= INT32_MIN && values[i] <= INT32_MAX) {
            int32_t v32 = 1;
            end = kfk_dec_varint(w.data, w.data + w.len, &v32);
            CHECK(end == w.data + w.len);
            CHECK_EQ(v32, values[i]);
        }
        kfk_wbuf_free(&w);
    }
    int32_t v32;
    int64_t v64;
    CHECK(kfk_dec_varint((const uint8_t *)"\xff\xff\xff\xff\x0f",
                         (const uint8_t *)"\xff\xff\xff\xff\x0f" + 5, &v32) != NULL);
    CHECK_EQ(v32, INT32_MIN);
    static const uint8_t min64[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    CHECK(kfk_dec_varlong(min64, min64 + sizeof min64, &v64) == min64 + sizeof min64);
    CHECK(v64 == INT64_MIN);
}

/* The reader forms fail the reader: sticky, at its end. */
TEST(rd_varint_fails_the_reader) {
    const uint8_t six[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x05};
    kfk_rbuf r = kfk_rbuf_make(six, sizeof six);
    CHECK_EQ(kfk_rd_varint(&r), 0);
    CHECK_EQ(r.err, KFK_ERR_MALFORMED);
    CHECK_EQ(kfk_rbuf_left(&r), 0);
    CHECK_EQ(kfk_rd_uvarint(&r), 0);
    r = kfk_rbuf_make(six, sizeof six);
    CHECK_EQ(kfk_rd_uvarlong(&r), 0);
    CHECK_EQ(r.err, 0);
    CHECK_EQ(kfk_rd_varlong(&r), -3);
    CHECK_EQ(kfk_rbuf_left(&r), 0);
}

/* The inline one- and two-byte forms against the loop: at the buffer's
 * end, cut short, and around the two-byte limits. */
TEST(varint_short_forms_at_buffer_ends) {
    static const uint32_t values[] = {0, 1, 127, 128, 255, 16383, 16384, 2097151};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        kfk_wbuf w = {0};
        kfk_wr_uvarint(&w, values[i]);
        kfk_rbuf r = kfk_rbuf_make(w.data, w.len); /* the value ends the buffer */
        CHECK_EQ(kfk_rd_uvarint(&r), values[i]);
        CHECK_EQ(r.err, 0);
        CHECK_EQ(kfk_rbuf_left(&r), 0);
        r = kfk_rbuf_make(w.data, w.len);
        CHECK_EQ(kfk_rd_uvarlong(&r), values[i]);
        CHECK_EQ(kfk_rbuf_left(&r), 0);
        r = kfk_rbuf_make(w.data, w.len - 1); /* cut short */
        kfk_rd_uvarint(&r);
        CHECK_EQ(r.err, KFK_ERR_MALFORMED);
        kfk_wbuf_free(&w);
    }
    const uint8_t two[3] = {0xac, 0x02, 0x05};
    kfk_rbuf r = kfk_rbuf_make(two, sizeof two);
    CHECK_EQ(kfk_rd_varint(&r), 150);
    CHECK_EQ(kfk_rd_varlong(&r), -3);
    CHECK_EQ(r.err, 0);
    CHECK_EQ(kfk_rd_varint(&r), 0); /* nothing left: failed, and stays so */
    CHECK_EQ(r.err, KFK_ERR_MALFORMED);
}

TEST(big_endian_layout) {
    kfk_wbuf w = {0};
    kfk_wr_i16(&w, 0x0102);
    kfk_wr_i32(&w, -2);
    kfk_wr_i64(&w, 0x0102030405060708LL);
    REQUIRE_EQ(w.len, 14);
    CHECK_MEM(w.data, "\x01\x02\xff\xff\xff\xfe\x01\x02\x03\x04\x05\x06\x07\x08", 14);
    kfk_wbuf_free(&w);
}

/* grow_to gives exactly the capacity asked, keeps the bytes, and never
 * shrinks; a failed writer stays failed. */
TEST(wbuf_grow_to_exact_capacity) {
    kfk_wbuf w = {0};
    REQUIRE_EQ(kfk_wbuf_grow_to(&w, 100), 0);
    CHECK_EQ(w.cap, 100);
    kfk_wr_raw(&w, "abc", 3);
    REQUIRE_EQ(kfk_wbuf_grow_to(&w, 1000), 0);
    CHECK_EQ(w.cap, 1000);
    CHECK_EQ(w.len, 3);
    CHECK_MEM(w.data, "abc", 3);
    CHECK_EQ(kfk_wbuf_grow_to(&w, 10), 0);
    CHECK_EQ(w.cap, 1000);
    w.err = KFK_ERR_NOMEM;
    CHECK_EQ(kfk_wbuf_grow_to(&w, 5000), KFK_ERR_NOMEM);
    CHECK_EQ(w.cap, 1000);
    kfk_wbuf_free(&w);
}

TEST(arena_allocates_zeroed_and_frees) {
    kfk_arena a = {0};
    for (int i = 0; i < 1000; i++) {
        uint64_t *p = kfk_arena_array(&a, 17, sizeof *p);
        REQUIRE(p != NULL);
        for (int j = 0; j < 17; j++) CHECK_EQ(p[j], 0);
        p[16] = 1;
    }
    CHECK(kfk_arena_array(&a, SIZE_MAX / 2, 4) == NULL);
    kfk_arena_reset(&a);
}

TEST(arena_allocates_from_lent_memory_first) {
    unsigned char *mem = malloc(8192 + 3);
    REQUIRE(mem != NULL);
    kfk_arena a = {0};
    kfk_arena_lend(&a, mem + 3, 8192); /* misaligned on purpose */
    void *first = kfk_arena_alloc(&a, 24);
    REQUIRE(first != NULL);
    CHECK((unsigned char *)first > mem && (unsigned char *)first < mem + 8195);
    CHECK((uintptr_t)first % _Alignof(max_align_t) == 0);
    void *big = kfk_arena_alloc(&a, 20000); /* more than is left: a block of its own */
    REQUIRE(big != NULL);
    CHECK((unsigned char *)big < mem || (unsigned char *)big >= mem + 8195);
    kfk_arena_reset(&a); /* frees the malloc'd block only */
    kfk_arena_lend(&a, mem, 100); /* too small: ignored */
    void *p = kfk_arena_alloc(&a, 8);
    CHECK((unsigned char *)p < mem || (unsigned char *)p >= mem + 8195);
    kfk_arena_reset(&a);
    free(mem);
}

/* The inline allocation: aligned, adjacent while a block has room, a new
 * block when not, and NULL for sizes that would wrap when rounded. */
TEST(arena_raw_allocations_pack_and_grow) {
    kfk_arena a = {0};
    unsigned char *prev = kfk_arena_alloc_raw(&a, 1);
    REQUIRE(prev != NULL);
    int adjacent = 0, blocks = 1;
    for (int i = 0; i < 500; i++) {
        unsigned char *p = kfk_arena_alloc_raw(&a, 40);
        REQUIRE(p != NULL);
        CHECK((uintptr_t)p % KFK_ARENA_ALIGN == 0);
        memset(p, 0xab, 40);
        if (p == prev + (i ? 48 : 16)) /* sizes rounded to 16 */
            adjacent++;
        else
            blocks++;
        prev = p;
    }
    CHECK(adjacent > 400);
    CHECK(blocks > 1 && blocks < 10); /* blocks double */
    CHECK(kfk_arena_alloc_raw(&a, SIZE_MAX) == NULL);
    CHECK(kfk_arena_alloc_raw(&a, SIZE_MAX - 7) == NULL);
    void *z = kfk_arena_alloc_raw(&a, 0); /* a distinct, aligned slot */
    CHECK(z != NULL && z != prev);
    kfk_arena_reset(&a);
    CHECK(a.head == NULL && a.left == 0);
}
