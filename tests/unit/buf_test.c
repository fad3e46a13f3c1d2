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
