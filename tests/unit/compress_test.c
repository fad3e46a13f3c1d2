#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>

#include <lz4frame.h>
#include <snappy-c.h>
#include <zstd.h>

#include "core/buf.h"
#include "kfk.h"
#include "records/compress.h"
#include "test.h"

#define MiB ((size_t)1 << 20)

static const kfk_codec all_codecs[] = {KFK_CODEC_NONE, KFK_CODEC_GZIP, KFK_CODEC_SNAPPY,
                                       KFK_CODEC_LZ4, KFK_CODEC_ZSTD};
#define NCODECS (sizeof all_codecs / sizeof all_codecs[0])

/* ------------------------------------------------------------------ data */

static uint64_t rng;
static uint32_t rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static uint8_t *random_data(size_t n, uint64_t seed) {
    uint8_t *p = malloc(n ? n : 1);
    rng = seed;
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)rnd();
    return p;
}

/* Record-like text: words and numbers, about 3.5:1 under gzip, 2:1 under lz4. */
static uint8_t *text_data(size_t n, uint64_t seed) {
    static const char *words[] = {"kafka", "topic", "partition", "offset", "record", "batch",
                                  "producer", "consumer", "key=", "value=", "{\"id\":", "}\n"};
    uint8_t *p = malloc(n ? n : 1);
    rng = seed;
    for (size_t i = 0; i < n;) {
        char tmp[32];
        int len = rnd() % 3 == 0 ? snprintf(tmp, sizeof tmp, "%u ", rnd() % 100000)
                                 : snprintf(tmp, sizeof tmp, "%s ", words[rnd() % 12]);
        for (int j = 0; j < len && i < n; j++) p[i++] = (uint8_t)tmp[j];
    }
    return p;
}

static size_t unhex(const char *hex, uint8_t *out) {
    size_t n = 0;
    for (; hex[0] && hex[1]; hex += 2) {
        unsigned v;
        sscanf(hex, "%2x", &v);
        out[n++] = (uint8_t)v;
    }
    return n;
}

/* Decompresses and compares; max_out is the expected length. */
static void expect_decompress(kfk_codec codec, const uint8_t *in, size_t in_len,
                              const void *want, size_t want_len) {
    kfk_wbuf out = {0};
    int rc = kfk_decompress(codec, in, in_len, want_len, &out);
    CHECK_EQ(rc, 0);
    CHECK_EQ(out.len, want_len);
    if (!rc && out.len == want_len && want_len) CHECK_MEM(out.data, want, want_len);
    kfk_wbuf_free(&out);
}

static int decompress_rc(kfk_codec codec, const uint8_t *in, size_t in_len, size_t max_out) {
    kfk_wbuf out = {0};
    kfk_wr_raw(&out, "keep", 4);
    int rc = kfk_decompress(codec, in, in_len, max_out, &out);
    if (rc) { /* failure appends nothing */
        CHECK_EQ(out.len, 4);
        CHECK_EQ(out.err, 0);
    }
    kfk_wbuf_free(&out);
    return rc;
}

/* ------------------------------------------------------------ round trip */

/* Compresses after existing bytes and decompresses after others: both
 * append, and max_out exactly the size is enough. */
static void round_trip(kfk_codec codec, int level, const uint8_t *data, size_t n) {
    kfk_wbuf z = {0}, d = {0};
    kfk_wr_raw(&z, "zz", 2);
    kfk_wr_raw(&d, "dd", 2);
    int rc = kfk_compress(codec, level, data, n, &z);
    if (rc) kfk_test_fail(__FILE__, __LINE__, "%s level %d n %zu: compress %d", kfk_codec_name(codec), level, n, rc);
    CHECK_MEM(z.data, "zz", 2);
    rc = kfk_decompress(codec, z.data + 2, z.len - 2, n, &d);
    if (rc) kfk_test_fail(__FILE__, __LINE__, "%s level %d n %zu: decompress %d", kfk_codec_name(codec), level, n, rc);
    CHECK_EQ(d.len, n + 2);
    if (d.len == n + 2) {
        CHECK_MEM(d.data, "dd", 2);
        if (n) CHECK_MEM(d.data + 2, data, n);
    }
    kfk_wbuf_free(&z);
    kfk_wbuf_free(&d);
}

static const int gzip_levels[] = {KFK_LEVEL_DEFAULT, 1, 5, 9, -1};
static const int lz4_levels[] = {KFK_LEVEL_DEFAULT, 1, 3, 9, 12, 17};
static const int zstd_levels[] = {KFK_LEVEL_DEFAULT, -131072, -5, 0, 1, 19};
static const int default_level[] = {KFK_LEVEL_DEFAULT};

static const int *levels_of(kfk_codec codec, size_t *n) {
    switch (codec) {
    case KFK_CODEC_GZIP: *n = sizeof gzip_levels / sizeof *gzip_levels; return gzip_levels;
    case KFK_CODEC_LZ4: *n = sizeof lz4_levels / sizeof *lz4_levels; return lz4_levels;
    case KFK_CODEC_ZSTD: *n = sizeof zstd_levels / sizeof *zstd_levels; return zstd_levels;
    default: *n = 1; return default_level;
    }
}

TEST(round_trip_every_codec_level_and_size) {
    uint8_t one = 0x5a;
    uint8_t *hundred = text_data(100, 1), *rand1m = random_data(MiB, 2), *text1m = text_data(MiB, 3);
    for (size_t c = 0; c < NCODECS; c++) {
        size_t nlev;
        const int *levels = levels_of(all_codecs[c], &nlev);
        for (size_t l = 0; l < nlev; l++) {
            round_trip(all_codecs[c], levels[l], NULL, 0);
            round_trip(all_codecs[c], levels[l], &one, 1);
            round_trip(all_codecs[c], levels[l], hundred, 100);
            round_trip(all_codecs[c], levels[l], rand1m, MiB);
            round_trip(all_codecs[c], levels[l], text1m, MiB);
        }
    }
    round_trip(KFK_CODEC_ZSTD, 22, text1m, 64 * 1024);
    free(hundred);
    free(rand1m);
    free(text1m);
}

TEST(compressed_output_shrinks_text) {
    uint8_t *text = text_data(MiB, 4);
    for (size_t c = 1; c < NCODECS; c++) {
        kfk_wbuf z = {0};
        REQUIRE_EQ(kfk_compress(all_codecs[c], KFK_LEVEL_DEFAULT, text, MiB, &z), 0);
        CHECK(z.len < MiB * 6 / 10);
        kfk_wbuf_free(&z);
    }
    free(text);
}

/* The exact frames Kafka's readers expect from us. */
TEST(output_formats) {
    kfk_wbuf z = {0};
    REQUIRE_EQ(kfk_compress(KFK_CODEC_LZ4, KFK_LEVEL_DEFAULT, (const uint8_t *)"abc", 3, &z), 0);
    /* Java's frame: FLG 0x60 (v1, independent blocks), BD 0x40 (64 KiB), HC 0x82. */
    REQUIRE(z.len > 7);
    CHECK_MEM(z.data, "\x04\x22\x4d\x18\x60\x40\x82", 7);
    z.len = 0;
    REQUIRE_EQ(kfk_compress(KFK_CODEC_GZIP, 9, (const uint8_t *)"abc", 3, &z), 0);
    CHECK_MEM(z.data, "\x1f\x8b\x08", 3);
    z.len = 0;
    REQUIRE_EQ(kfk_compress(KFK_CODEC_SNAPPY, KFK_LEVEL_DEFAULT, (const uint8_t *)"abc", 3, &z), 0);
    CHECK_EQ(z.len, 5); /* raw: varint length 3, literal tag, "abc" */
    CHECK_MEM(z.data, "\x03\x08" "abc", 5);
    z.len = 0;
    REQUIRE_EQ(kfk_compress(KFK_CODEC_ZSTD, KFK_LEVEL_DEFAULT, (const uint8_t *)"abc", 3, &z), 0);
    CHECK_EQ(ZSTD_getFrameContentSize(z.data, z.len), 3);
    z.len = 0;
    REQUIRE_EQ(kfk_compress(KFK_CODEC_NONE, KFK_LEVEL_DEFAULT, (const uint8_t *)"abc", 3, &z), 0);
    CHECK_EQ(z.len, 3);
    kfk_wbuf_free(&z);
}

TEST(lz4_levels_follow_java) {
    /* Java: level 9 (the default) is the fast compressor, others are HC,
     * which compresses text harder. */
    uint8_t *text = text_data(256 * 1024, 5);
    size_t len[3];
    const int levels[3] = {KFK_LEVEL_DEFAULT, 9, 10};
    for (int i = 0; i < 3; i++) {
        kfk_wbuf z = {0};
        REQUIRE_EQ(kfk_compress(KFK_CODEC_LZ4, levels[i], text, 256 * 1024, &z), 0);
        len[i] = z.len;
        kfk_wbuf_free(&z);
    }
    CHECK_EQ(len[0], len[1]);
    CHECK(len[2] < len[1]);
    free(text);
}

/* ------------------------------------------------------- foreign streams */

TEST(gzip_from_python) {
    uint8_t buf[128];
    /* gzip.compress(b"hello kafka " * 10, mtime=0) */
    size_t n = unhex("1f8b0800000000000203cb48cdc9c957c84e4ccb4e54c8a0231b00e6bb635078000000", buf);
    char want[121];
    for (int i = 0; i < 10; i++) memcpy(want + 12 * i, "hello kafka ", 12);
    expect_decompress(KFK_CODEC_GZIP, buf, n, want, 120);
    /* Two members, as Java's GZIPInputStream reads them. */
    n = unhex("1f8b08000000000002034bcb2c2a2e51c84dcd4d4a2db206009df45b5b0d0000001f8b0800000000"
              "0002032b4e4dcecf4b51c84dcd4d4a2d02002474fa9f0d000000",
              buf);
    expect_decompress(KFK_CODEC_GZIP, buf, n, "first member;second member", 26);
    CHECK_EQ(decompress_rc(KFK_CODEC_GZIP, buf, n, 25), KFK_ERR_DECOMPRESS_LIMIT);
    /* zlib.compress(b"zlib wrapped"): inflate detects the wrapper. */
    n = unhex("789cabcac94c52282f4a2c28484d01001f0404c5", buf);
    expect_decompress(KFK_CODEC_GZIP, buf, n, "zlib wrapped", 12);
    /* Trailing bytes after the last member are not a member. */
    n = unhex("1f8b0800000000000203cb48cdc9c957c84e4ccb4e54c8a0231b00e6bb635078000000" "0000", buf);
    CHECK_EQ(decompress_rc(KFK_CODEC_GZIP, buf, n, 1000), KFK_ERR_BAD_COMPRESSION);
}

/* Raw snappy blocks written by hand from the format description: a varint
 * length, then elements; tag low bits 00 = literal (len-1 in the upper six
 * bits), 01 = copy with 3-bit length-4 and 11-bit offset. */
static const uint8_t snappy_hello[] = {0x05, 0x10, 'h', 'e', 'l', 'l', 'o'};
static const uint8_t snappy_abc[] = {0x0c, 0x08, 'a', 'b', 'c', 0x15, 0x03}; /* "abc" + copy 9 @3 */

TEST(snappy_raw_by_hand) {
    expect_decompress(KFK_CODEC_SNAPPY, snappy_hello, sizeof snappy_hello, "hello", 5);
    expect_decompress(KFK_CODEC_SNAPPY, snappy_abc, sizeof snappy_abc, "abcabcabcabc", 12);
    CHECK_EQ(decompress_rc(KFK_CODEC_SNAPPY, snappy_abc, sizeof snappy_abc, 11), KFK_ERR_DECOMPRESS_LIMIT);
    /* Copy before the start of the output. */
    const uint8_t bad_offset[] = {0x0c, 0x08, 'a', 'b', 'c', 0x15, 0x04};
    CHECK_EQ(decompress_rc(KFK_CODEC_SNAPPY, bad_offset, sizeof bad_offset, 100), KFK_ERR_BAD_COMPRESSION);
    /* A length no snappy block of 7 bytes can expand to: refused before allocating. */
    const uint8_t liar[] = {0x80, 0x80, 0x80, 0x40, 0x10, 'h', 'e'}; /* 128 MiB */
    CHECK_EQ(decompress_rc(KFK_CODEC_SNAPPY, liar, sizeof liar, SIZE_MAX), KFK_ERR_BAD_COMPRESSION);
}

/* snappy-java's stream: magic, version 1, compatible version 1, chunks. */
static size_t xerial(uint8_t *buf, const uint8_t *const *chunks, const size_t *lens, int n) {
    memcpy(buf, "\x82SNAPPY\x00\x00\x00\x00\x01\x00\x00\x00\x01", 16);
    size_t len = 16;
    for (int i = 0; i < n; i++) {
        kfk_put_u32(buf + len, (uint32_t)lens[i]);
        memcpy(buf + len + 4, chunks[i], lens[i]);
        len += 4 + lens[i];
    }
    return len;
}

TEST(snappy_xerial_framing) {
    uint8_t buf[64];
    const uint8_t *chunks[2] = {snappy_hello, snappy_abc};
    size_t lens[2] = {sizeof snappy_hello, sizeof snappy_abc};
    size_t n = xerial(buf, chunks, lens, 2);
    expect_decompress(KFK_CODEC_SNAPPY, buf, n, "helloabcabcabcabc", 17);
    CHECK_EQ(decompress_rc(KFK_CODEC_SNAPPY, buf, n, 16), KFK_ERR_DECOMPRESS_LIMIT);
    CHECK_EQ(decompress_rc(KFK_CODEC_SNAPPY, buf, 16, 0), 0); /* header only: empty */
    /* Cut inside a length or a chunk. */
    for (size_t cut = 8; cut < n; cut++) {
        if (cut == 16 || cut == 16 + 4 + sizeof snappy_hello) continue; /* chunk boundaries */
        CHECK_EQ(decompress_rc(KFK_CODEC_SNAPPY, buf, cut, 100), KFK_ERR_BAD_COMPRESSION);
    }
    kfk_put_u32(buf + 16, 0x80000007u); /* negative as Java's int */
    CHECK_EQ(decompress_rc(KFK_CODEC_SNAPPY, buf, n, 100), KFK_ERR_BAD_COMPRESSION);
}

/* printf 'hello kafka hello kafka hello kafka!' | lz4 -c [-BX] (lz4 v1.9.4) */
static const char lz4_cli[] = "04224d186440a716000000cf68656c6c6f206b61666b61200c00005061666b6121"
                              "000000005b06a846";
static const char lz4_cli_bx[] = "04224d187440bd16000000cf68656c6c6f206b61666b61200c00005061666b61"
                                 "21742a0bd4000000005b06a846";
/* ... | lz4 -c --content-size, then the same claiming 37 bytes, its header
 * checksum recomputed with an independent xxHash32. */
static const char lz4_cli_size[] = "04224d186c402400000000000000ab16000000cf68656c6c6f206b61666b6120"
                                   "0c00005061666b6121000000005b06a846";
static const char lz4_wrong_size[] = "04224d186c402500000000000000fc16000000cf68656c6c6f206b61666b61"
                                     "200c00005061666b6121000000005b06a846";
static const char cli_text[] = "hello kafka hello kafka hello kafka!";

TEST(lz4_from_cli) {
    uint8_t buf[64];
    size_t n = unhex(lz4_cli, buf); /* content checksum */
    expect_decompress(KFK_CODEC_LZ4, buf, n, cli_text, 36);
    buf[n - 1] ^= 1;
    CHECK_EQ(decompress_rc(KFK_CODEC_LZ4, buf, n, 100), KFK_ERR_BAD_COMPRESSION);
    n = unhex(lz4_cli_bx, buf); /* block checksum too */
    expect_decompress(KFK_CODEC_LZ4, buf, n, cli_text, 36);
    buf[n - 13] ^= 1;
    CHECK_EQ(decompress_rc(KFK_CODEC_LZ4, buf, n, 100), KFK_ERR_BAD_COMPRESSION);
    n = unhex(lz4_cli, buf);
    buf[6] ^= 1; /* header checksum */
    CHECK_EQ(decompress_rc(KFK_CODEC_LZ4, buf, n, 100), KFK_ERR_BAD_COMPRESSION);
    n = unhex(lz4_cli_size, buf); /* content size */
    expect_decompress(KFK_CODEC_LZ4, buf, n, cli_text, 36);
    n = unhex(lz4_wrong_size, buf);
    CHECK_EQ(decompress_rc(KFK_CODEC_LZ4, buf, n, 100), KFK_ERR_BAD_COMPRESSION);
}

TEST(lz4_kafka_0_9_header_checksum) {
    /* Kafka < 0.10 hashed the magic into HC: for FLG 0x60 BD 0x40 that gives
     * 0x1a instead of 0x82 (computed with an independent xxHash32). */
    kfk_wbuf z = {0};
    REQUIRE_EQ(kfk_compress(KFK_CODEC_LZ4, KFK_LEVEL_DEFAULT, (const uint8_t *)"legacy", 6, &z), 0);
    REQUIRE_EQ(z.data[6], 0x82);
    z.data[6] = 0x1a;
    expect_decompress(KFK_CODEC_LZ4, z.data, z.len, "legacy", 6);
    z.data[6] = 0x1b;
    CHECK_EQ(decompress_rc(KFK_CODEC_LZ4, z.data, z.len, 100), KFK_ERR_BAD_COMPRESSION);
    kfk_wbuf_free(&z);
}

/* Every frame option liblz4 can write, including 4 MiB and linked blocks. */
TEST(lz4_frame_options_from_liblz4) {
    size_t n = 600 * 1024;
    uint8_t *text = text_data(n, 6);
    size_t cap = LZ4F_compressFrameBound(n, NULL) + 64;
    uint8_t *frame = malloc(cap);
    for (int opt = 0; opt < 64; opt++) {
        LZ4F_preferences_t p;
        memset(&p, 0, sizeof p);
        p.frameInfo.blockSizeID = (LZ4F_blockSizeID_t)(LZ4F_max64KB + (opt & 3));
        p.frameInfo.blockMode = opt & 4 ? LZ4F_blockLinked : LZ4F_blockIndependent;
        p.frameInfo.contentChecksumFlag = opt & 8 ? LZ4F_contentChecksumEnabled : 0;
        p.frameInfo.blockChecksumFlag = opt & 16 ? LZ4F_blockChecksumEnabled : 0;
        p.frameInfo.contentSize = opt & 32 ? n : 0;
        p.compressionLevel = opt & 1 ? 9 : 0;
        size_t len = LZ4F_compressFrame(frame, cap, text, n, &p);
        REQUIRE(!LZ4F_isError(len));
        expect_decompress(KFK_CODEC_LZ4, frame, len, text, n);
        CHECK_EQ(decompress_rc(KFK_CODEC_LZ4, frame, len, n - 1), KFK_ERR_DECOMPRESS_LIMIT);
        CHECK_EQ(decompress_rc(KFK_CODEC_LZ4, frame, len, 1000), KFK_ERR_DECOMPRESS_LIMIT);
    }
    /* Incompressible data goes into stored blocks. */
    uint8_t *rand = random_data(n, 7);
    size_t len = LZ4F_compressFrame(frame, cap, rand, n, NULL);
    expect_decompress(KFK_CODEC_LZ4, frame, len, rand, n);
    CHECK_EQ(decompress_rc(KFK_CODEC_LZ4, frame, len, n - 1), KFK_ERR_DECOMPRESS_LIMIT);
    free(rand);
    free(frame);
    free(text);
}

/* printf 'hello kafka hello kafka hello kafka!' | zstd -c (zstd v1.5.4): no
 * content size, a 2 MiB window, a checksum. */
static const char zstd_cli[] = "28b52ffd04589d00006868656c6c6f206b61666b6120210100af4b12719d2f2c";

TEST(zstd_without_content_size) {
    uint8_t buf[64];
    size_t n = unhex(zstd_cli, buf);
    REQUIRE_EQ(ZSTD_getFrameContentSize(buf, n), ZSTD_CONTENTSIZE_UNKNOWN);
    /* max_out above the window streams; below it decodes in one shot. */
    kfk_wbuf out = {0};
    CHECK_EQ(kfk_decompress(KFK_CODEC_ZSTD, buf, n, 8 * MiB, &out), 0);
    CHECK_EQ(out.len, 36);
    kfk_wbuf_free(&out);
    expect_decompress(KFK_CODEC_ZSTD, buf, n, cli_text, 36);
    CHECK_EQ(decompress_rc(KFK_CODEC_ZSTD, buf, n, 35), KFK_ERR_DECOMPRESS_LIMIT);
    CHECK_EQ(decompress_rc(KFK_CODEC_ZSTD, buf, n - 1, 100), KFK_ERR_BAD_COMPRESSION);

    /* A 3 MiB streamed frame, as Java's ZstdOutputStream writes them. */
    size_t len = 3 * MiB;
    uint8_t *text = text_data(len, 8);
    size_t cap = ZSTD_compressBound(len);
    uint8_t *frame = malloc(cap);
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    ZSTD_outBuffer ob = {frame, cap, 0};
    ZSTD_inBuffer ib = {text, len, 0};
    ZSTD_compressStream2(cc, &ob, &ib, ZSTD_e_continue);
    REQUIRE_EQ(ZSTD_compressStream2(cc, &ob, &ib, ZSTD_e_end), 0);
    ZSTD_freeCCtx(cc);
    REQUIRE_EQ(ZSTD_getFrameContentSize(frame, ob.pos), ZSTD_CONTENTSIZE_UNKNOWN);
    expect_decompress(KFK_CODEC_ZSTD, frame, ob.pos, text, len);
    CHECK_EQ(decompress_rc(KFK_CODEC_ZSTD, frame, ob.pos, len - 1), KFK_ERR_DECOMPRESS_LIMIT);
    CHECK_EQ(decompress_rc(KFK_CODEC_ZSTD, frame, ob.pos, MiB), KFK_ERR_DECOMPRESS_LIMIT);
    free(frame);
    free(text);
}

/* Two frames (or members) back to back decode to both contents. */
TEST(concatenated_frames) {
    const kfk_codec codecs[] = {KFK_CODEC_GZIP, KFK_CODEC_LZ4, KFK_CODEC_ZSTD};
    for (int i = 0; i < 3; i++) {
        kfk_wbuf z = {0};
        REQUIRE_EQ(kfk_compress(codecs[i], KFK_LEVEL_DEFAULT, (const uint8_t *)"first,", 6, &z), 0);
        REQUIRE_EQ(kfk_compress(codecs[i], KFK_LEVEL_DEFAULT, (const uint8_t *)"second", 6, &z), 0);
        expect_decompress(codecs[i], z.data, z.len, "first,second", 12);
        CHECK_EQ(decompress_rc(codecs[i], z.data, z.len, 11), KFK_ERR_DECOMPRESS_LIMIT);
        kfk_wbuf_free(&z);
    }
    /* An LZ4 skippable frame is skipped. */
    kfk_wbuf z = {0};
    kfk_wr_raw(&z, "\x5a\x2a\x4d\x18\x03\x00\x00\x00xyz", 11);
    REQUIRE_EQ(kfk_compress(KFK_CODEC_LZ4, KFK_LEVEL_DEFAULT, (const uint8_t *)"after", 5, &z), 0);
    expect_decompress(KFK_CODEC_LZ4, z.data, z.len, "after", 5);
    kfk_wbuf_free(&z);
}

/* ----------------------------------------------------------------- limits */

TEST(limit_is_exact) {
    size_t n = 300 * 1000;
    uint8_t *text = text_data(n, 9);
    for (size_t c = 0; c < NCODECS; c++) {
        kfk_wbuf z = {0};
        REQUIRE_EQ(kfk_compress(all_codecs[c], KFK_LEVEL_DEFAULT, text, n, &z), 0);
        CHECK_EQ(decompress_rc(all_codecs[c], z.data, z.len, n), 0);
        CHECK_EQ(decompress_rc(all_codecs[c], z.data, z.len, n - 1), KFK_ERR_DECOMPRESS_LIMIT);
        CHECK_EQ(decompress_rc(all_codecs[c], z.data, z.len, 0), KFK_ERR_DECOMPRESS_LIMIT);
        z.len = 0;
        REQUIRE_EQ(kfk_compress(all_codecs[c], KFK_LEVEL_DEFAULT, NULL, 0, &z), 0);
        CHECK_EQ(decompress_rc(all_codecs[c], z.data, z.len, 0), 0);
        kfk_wbuf_free(&z);
    }
    free(text);
}

/* Live bytes through the kfk allocator, to show a bomb costs little. */
static long long live, peak;
static void *count_malloc(size_t n) {
    void *p = malloc(n);
    if (p && (live += (long long)malloc_usable_size(p)) > peak) peak = live;
    return p;
}
static void *count_realloc(void *p, size_t n) {
    size_t old = p ? malloc_usable_size(p) : 0;
    void *q = realloc(p, n);
    if (q) {
        live += (long long)malloc_usable_size(q) - (long long)old;
        if (live > peak) peak = live;
    }
    return q;
}
static void count_free(void *p) {
    if (p) live -= (long long)malloc_usable_size(p);
    free(p);
}

TEST(bombs_stop_at_max_out) {
    size_t big = 100 * MiB;
    uint8_t *zeros = calloc(big, 1);
    const kfk_allocator counting = {count_malloc, count_realloc, count_free};
    for (size_t c = 0; c < NCODECS; c++) {
        kfk_codec codec = all_codecs[c];
        kfk_wbuf z = {0};
        REQUIRE_EQ(kfk_compress(codec, KFK_LEVEL_DEFAULT, zeros, big, &z), 0);
        if (codec != KFK_CODEC_NONE) CHECK(z.len < big / 20); /* snappy expands 21:1 at best */
        for (int reserved = 0; reserved < 2; reserved++) {
            kfk_wbuf out = {0};
            if (reserved) kfk_wbuf_reserve(&out, 8 * MiB); /* room does not lift the limit */
            kfk_set_allocator(&counting);
            live = peak = 0;
            CHECK_EQ(kfk_decompress(codec, z.data, z.len, MiB, &out), KFK_ERR_DECOMPRESS_LIMIT);
            kfk_set_allocator(NULL);
            CHECK_EQ(out.len, 0);
            /* out (max_out + 1) and, for zstd, a window of at most max_out */
            if (peak > (long long)(3 * MiB))
                kfk_test_fail(__FILE__, __LINE__, "%s: peak %lld bytes", kfk_codec_name(codec), peak);
            kfk_wbuf_free(&out);
        }
        kfk_wbuf_free(&z);
    }
    /* Java's snappy framing: 1600 chunks of 64 KiB zeros. */
    size_t chunk_cap = snappy_max_compressed_length(65536), chunk_len = chunk_cap;
    char *chunk = malloc(chunk_cap);
    REQUIRE_EQ(snappy_compress((const char *)zeros, 65536, chunk, &chunk_len), SNAPPY_OK);
    kfk_wbuf z = {0};
    kfk_wr_raw(&z, "\x82SNAPPY\x00\x00\x00\x00\x01\x00\x00\x00\x01", 16);
    for (int i = 0; i < 1600; i++) {
        kfk_wr_u32(&z, (uint32_t)chunk_len);
        kfk_wr_raw(&z, chunk, chunk_len);
    }
    kfk_set_allocator(&counting);
    live = peak = 0;
    CHECK_EQ(decompress_rc(KFK_CODEC_SNAPPY, z.data, z.len, MiB), KFK_ERR_DECOMPRESS_LIMIT);
    kfk_set_allocator(NULL);
    CHECK(peak < (long long)(2 * MiB));
    kfk_wbuf_free(&z);
    free(chunk);
    free(zeros);
}

/* --------------------------------------------------------- broken input */

TEST(every_truncation_fails) {
    uint8_t *text = text_data(300, 10);
    for (size_t c = 1; c < NCODECS; c++) {
        kfk_wbuf z = {0};
        REQUIRE_EQ(kfk_compress(all_codecs[c], KFK_LEVEL_DEFAULT, text, 300, &z), 0);
        for (size_t cut = 0; cut < z.len; cut++) {
            int rc = decompress_rc(all_codecs[c], z.data, cut, 1000);
            if (rc != KFK_ERR_BAD_COMPRESSION)
                kfk_test_fail(__FILE__, __LINE__, "%s cut at %zu/%zu: %d", kfk_codec_name(all_codecs[c]),
                              cut, z.len, rc);
        }
        kfk_wbuf_free(&z);
    }
    free(text);
}

TEST(garbage_fails) {
    /* Random bytes, and random bytes behind each format's magic. */
    static const char *magic[] = {"", "\x1f\x8b\x08\x00", "\x82SNAPPY\x00\x00\x00\x00\x01\x00\x00\x00\x01",
                                  "\x04\x22\x4d\x18", "\x28\xb5\x2f\xfd"};
    uint8_t buf[4096 + 16];
    for (size_t c = 1; c < NCODECS; c++) {
        for (int with_magic = 0; with_magic < 2; with_magic++) {
            for (size_t n = 1; n <= 4096; n = n < 64 ? n + 1 : n * 4) {
                size_t m = with_magic ? strlen(magic[c]) : 0;
                if (c == KFK_CODEC_SNAPPY && with_magic) m = 16;
                memcpy(buf, magic[c], m);
                rng = n * 7 + c;
                for (size_t i = 0; i < n; i++) buf[m + i] = (uint8_t)(rnd() | 1); /* no snappy length 0 */
                int rc = decompress_rc(all_codecs[c], buf, m + n, MiB);
                if (rc != KFK_ERR_BAD_COMPRESSION)
                    kfk_test_fail(__FILE__, __LINE__, "%s garbage %zu+%zu: %d",
                                  kfk_codec_name(all_codecs[c]), m, n, rc);
            }
        }
        CHECK_EQ(decompress_rc(all_codecs[c], (const uint8_t *)"", 0, MiB), KFK_ERR_BAD_COMPRESSION);
    }
}

/* Any single flipped bit is caught or decodes to something; never a crash
 * (run under ASan). */
TEST(bit_flips_never_crash) {
    uint8_t *text = text_data(2000, 11);
    for (size_t c = 1; c < NCODECS; c++) {
        kfk_wbuf z = {0};
        REQUIRE_EQ(kfk_compress(all_codecs[c], KFK_LEVEL_DEFAULT, text, 2000, &z), 0);
        for (size_t i = 0; i < z.len * 8; i++) {
            z.data[i / 8] ^= (uint8_t)(1 << (i % 8));
            int rc = decompress_rc(all_codecs[c], z.data, z.len, MiB);
            CHECK(rc == 0 || rc == KFK_ERR_BAD_COMPRESSION);
            z.data[i / 8] ^= (uint8_t)(1 << (i % 8));
        }
        kfk_wbuf_free(&z);
    }
    free(text);
}

/* ------------------------------------------------------------- arguments */

TEST(names_parse_and_levels) {
    for (size_t c = 0; c < NCODECS; c++) {
        kfk_codec parsed = (kfk_codec)99;
        CHECK_EQ(kfk_codec_parse(kfk_codec_name(all_codecs[c]), &parsed), 0);
        CHECK_EQ(parsed, all_codecs[c]);
        CHECK(kfk_codec_level_valid(all_codecs[c], KFK_LEVEL_DEFAULT));
    }
    CHECK_STR(kfk_codec_name(KFK_CODEC_ZSTD), "zstd");
    CHECK_STR(kfk_codec_name((kfk_codec)5), "unknown");
    kfk_codec parsed;
    CHECK_EQ(kfk_codec_parse("GZIP", &parsed), KFK_ERR_INVALID_ARG);
    CHECK_EQ(kfk_codec_parse("producer", &parsed), KFK_ERR_INVALID_ARG);
    CHECK_EQ(kfk_codec_parse("", &parsed), KFK_ERR_INVALID_ARG);
    CHECK_EQ(kfk_codec_parse(NULL, &parsed), KFK_ERR_INVALID_ARG);

    CHECK(kfk_codec_level_valid(KFK_CODEC_GZIP, -1));
    CHECK(kfk_codec_level_valid(KFK_CODEC_GZIP, 9));
    CHECK(!kfk_codec_level_valid(KFK_CODEC_GZIP, 0));
    CHECK(!kfk_codec_level_valid(KFK_CODEC_GZIP, 10));
    CHECK(kfk_codec_level_valid(KFK_CODEC_LZ4, 1));
    CHECK(kfk_codec_level_valid(KFK_CODEC_LZ4, 17));
    CHECK(!kfk_codec_level_valid(KFK_CODEC_LZ4, 0));
    CHECK(!kfk_codec_level_valid(KFK_CODEC_LZ4, 18));
    CHECK(kfk_codec_level_valid(KFK_CODEC_ZSTD, -131072));
    CHECK(kfk_codec_level_valid(KFK_CODEC_ZSTD, 22));
    CHECK(!kfk_codec_level_valid(KFK_CODEC_ZSTD, -131073));
    CHECK(!kfk_codec_level_valid(KFK_CODEC_ZSTD, 23));
    CHECK(!kfk_codec_level_valid(KFK_CODEC_SNAPPY, 1));
    CHECK(!kfk_codec_level_valid(KFK_CODEC_NONE, 0));
    CHECK(!kfk_codec_level_valid((kfk_codec)5, KFK_LEVEL_DEFAULT));
}

TEST(bad_arguments) {
    kfk_wbuf out = {0};
    CHECK_EQ(kfk_compress((kfk_codec)5, KFK_LEVEL_DEFAULT, (const uint8_t *)"x", 1, &out), KFK_ERR_UNKNOWN_CODEC);
    CHECK_EQ(kfk_compress((kfk_codec)-1, KFK_LEVEL_DEFAULT, (const uint8_t *)"x", 1, &out), KFK_ERR_UNKNOWN_CODEC);
    CHECK_EQ(kfk_decompress((kfk_codec)7, (const uint8_t *)"x", 1, 10, &out), KFK_ERR_UNKNOWN_CODEC);
    CHECK_EQ(kfk_compress(KFK_CODEC_GZIP, 10, (const uint8_t *)"x", 1, &out), KFK_ERR_INVALID_ARG);
    CHECK_EQ(kfk_compress(KFK_CODEC_SNAPPY, 3, (const uint8_t *)"x", 1, &out), KFK_ERR_INVALID_ARG);
    CHECK_EQ(kfk_compress(KFK_CODEC_ZSTD, KFK_LEVEL_DEFAULT, NULL, 1, &out), KFK_ERR_INVALID_ARG);
    CHECK_EQ(kfk_decompress(KFK_CODEC_ZSTD, NULL, 1, 10, &out), KFK_ERR_INVALID_ARG);
    CHECK_EQ(kfk_compress(KFK_CODEC_LZ4, KFK_LEVEL_DEFAULT, (const uint8_t *)"x", (size_t)INT32_MAX + 1, &out),
             KFK_ERR_INVALID_ARG);
    CHECK_EQ(out.len, 0);
    out.err = KFK_ERR_NOMEM; /* a failed writer stays failed */
    CHECK_EQ(kfk_compress(KFK_CODEC_GZIP, KFK_LEVEL_DEFAULT, (const uint8_t *)"x", 1, &out), KFK_ERR_NOMEM);
    CHECK_EQ(kfk_decompress(KFK_CODEC_NONE, (const uint8_t *)"x", 1, 10, &out), KFK_ERR_NOMEM);
    CHECK_EQ(out.len, 0);
    kfk_wbuf_free(&out);
}

/* ------------------------------------------------- allocation and threads */

/* Fails every allocation after the first `budget`. */
static int budget;
static void *failing_malloc(size_t n) { return budget-- > 0 ? malloc(n) : NULL; }
static void *failing_realloc(void *p, size_t n) { return budget-- > 0 ? realloc(p, n) : NULL; }

typedef struct oom_job {
    kfk_codec codec;
    const uint8_t *data;
    size_t len;
    int rc;
} oom_job;

/* Runs in a fresh thread, so the thread's codec contexts are created (and
 * their creation fails) under the failing allocator, and are freed at exit. */
static void *oom_round_trip(void *arg) {
    oom_job *j = arg;
    kfk_wbuf z = {0}, d = {0};
    j->rc = kfk_compress(j->codec, KFK_LEVEL_DEFAULT, j->data, j->len, &z);
    if (!j->rc) j->rc = kfk_decompress(j->codec, z.data, z.len, j->len, &d);
    if (!j->rc && (d.len != j->len || memcmp(d.data, j->data, j->len) != 0)) j->rc = -1;
    kfk_wbuf_free(&z);
    kfk_wbuf_free(&d);
    return NULL;
}

TEST(allocation_failures_are_nomem) {
    const kfk_allocator failing = {failing_malloc, failing_realloc, free};
    uint8_t *text = text_data(200 * 1000, 12);
    for (size_t c = 0; c < NCODECS; c++) {
        oom_job j = {all_codecs[c], text, 200 * 1000, 0};
        for (int n = 0; n < 200; n++) {
            budget = n;
            kfk_set_allocator(&failing);
            pthread_t t;
            REQUIRE_EQ(pthread_create(&t, NULL, oom_round_trip, &j), 0);
            pthread_join(t, NULL);
            kfk_set_allocator(NULL);
            if (j.rc != KFK_ERR_NOMEM) break;
        }
        CHECK_EQ(j.rc, 0);
    }
    free(text);
}

static void *thread_round_trips(void *arg) {
    const uint8_t *text = arg;
    for (int i = 0; i < 20; i++)
        for (size_t c = 0; c < NCODECS; c++)
            round_trip(all_codecs[c], KFK_LEVEL_DEFAULT, text + i, 50000 + (size_t)i * 1000);
    return NULL;
}

TEST(threads_share_nothing) {
    uint8_t *text = text_data(100000, 13);
    pthread_t t[4];
    for (int i = 0; i < 4; i++) REQUIRE_EQ(pthread_create(&t[i], NULL, thread_round_trips, text), 0);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    free(text);
}
