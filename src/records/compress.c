#include "records/compress.h"

#include <limits.h>
#include <pthread.h>
#include <string.h>

#define ZLIB_CONST
#include <zlib.h>
#define LZ4F_STATIC_LINKING_ONLY /* LZ4F_createCompressionContext_advanced */
#include <lz4.h>
#include <lz4frame.h>
#include <lz4hc.h>
#include <snappy-c.h> /* its types; the library is loaded at first use */
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_create*Ctx_advanced */
#include <zstd.h>
#include <zstd_errors.h>

#include "core/alloc.h"
#include "core/dynlib.h"
#include "kfk.h"

/* ------------------------------------------------------------ allocators */

/* The codecs allocate through kfk's allocator so failures can be injected. */
static voidpf z_alloc(voidpf opaque, uInt items, uInt size) {
    return kfk_malloc((size_t)items * size);
}
static void z_free(voidpf opaque, voidpf p) { kfk_free(p); }

static void *codec_alloc(void *opaque, size_t n) { return kfk_malloc(n); }
static void codec_free(void *opaque, void *p) { kfk_free(p); }

static const ZSTD_customMem zstd_mem = {codec_alloc, codec_free, NULL};
static const LZ4F_CustomMem lz4_mem = {codec_alloc, NULL, codec_free, NULL};

/* ------------------------------------------------------ per-thread contexts */

/* Setting a context up costs more than compressing a small batch with it
 * (measured on 1 KiB: a fresh deflate stream 88 us vs 14 us reused, zstd 21
 * vs 8 us, zstd decompression 16 vs 3.4 us; 16 KiB: deflate 400 vs 257 us),
 * so each thread keeps one of each. inflate and LZ4 decoding gain nothing. */
typedef struct codec_ctx {
    z_stream gz;
    int gz_level; /* level gz was set up with; 0 = not set up */
    LZ4F_cctx *lz4;
    ZSTD_CCtx *zc;
    ZSTD_DCtx *zd;
} codec_ctx;

static pthread_key_t ctx_key;
static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;
static int ctx_key_err;

static void ctx_free(void *p) {
    codec_ctx *c = p;
    if (c->gz_level) deflateEnd(&c->gz);
    LZ4F_freeCompressionContext(c->lz4);
    ZSTD_freeCCtx(c->zc);
    ZSTD_freeDCtx(c->zd);
    kfk_free(c);
}

static void ctx_key_create(void) { ctx_key_err = pthread_key_create(&ctx_key, ctx_free); }

static codec_ctx *ctx_get(void) {
    pthread_once(&ctx_once, ctx_key_create);
    if (ctx_key_err) return NULL;
    codec_ctx *c = pthread_getspecific(ctx_key);
    if (c) return c;
    c = kfk_calloc(1, sizeof *c);
    if (c && pthread_setspecific(ctx_key, c) != 0) {
        kfk_free(c);
        c = NULL;
    }
    return c;
}

/* --------------------------------------------------------------- helpers */

static uint32_t rd_le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint32_t rd_be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Decoders write into out between len and the ceiling: the call's starting
 * length + max_out + 1. Output reaching the ceiling exceeds max_out. */
static size_t out_space(const kfk_wbuf *out, size_t ceiling) {
    return (out->cap < ceiling ? out->cap : ceiling) - out->len;
}

/* Makes room for min(want, ceiling - len) bytes, at least one (so data is
 * never NULL). Doubles, but never past the ceiling: a bomb costs at most
 * max_out + 1 bytes. Requires len < ceiling. Bypasses kfk_wbuf_reserve, whose
 * doubling would overshoot the ceiling, but fails the same way. */
static int out_grow(kfk_wbuf *out, size_t ceiling, size_t want) {
    size_t room = ceiling - out->len;
    if (want > room) want = room;
    if (want == 0) want = 1;
    if (out_space(out, ceiling) >= want) return 0;
    size_t cap = out->cap < 128 ? 256 : out->cap > ceiling / 2 ? ceiling : out->cap * 2;
    if (cap > ceiling) cap = ceiling;
    if (cap - out->len < want) cap = out->len + want;
    uint8_t *d = kfk_realloc(out->data, cap);
    if (!d) return out->err = KFK_ERR_NOMEM;
    out->data = d;
    out->cap = cap;
    return 0;
}

/* xxHash32 with seed 0, as the LZ4 frame format's checksums use it; liblz4
 * does not export its copy. */
#define XXH_P1 0x9E3779B1u
#define XXH_P2 0x85EBCA77u
#define XXH_P3 0xC2B2AE3Du
#define XXH_P4 0x27D4EB2Fu
#define XXH_P5 0x165667B1u

static uint32_t rotl32(uint32_t x, int r) { return x << r | x >> (32 - r); }
static uint32_t xxh32_round(uint32_t acc, const uint8_t *p) {
    return rotl32(acc + rd_le32(p) * XXH_P2, 13) * XXH_P1;
}

static uint32_t xxh32(const uint8_t *p, size_t len) {
    const uint8_t *end = p + len;
    uint32_t h;
    if (len >= 16) {
        uint32_t v1 = XXH_P1 + XXH_P2, v2 = XXH_P2, v3 = 0, v4 = 0u - XXH_P1;
        for (; end - p >= 16; p += 16) {
            v1 = xxh32_round(v1, p);
            v2 = xxh32_round(v2, p + 4);
            v3 = xxh32_round(v3, p + 8);
            v4 = xxh32_round(v4, p + 12);
        }
        h = rotl32(v1, 1) + rotl32(v2, 7) + rotl32(v3, 12) + rotl32(v4, 18);
    } else {
        h = XXH_P5;
    }
    h += (uint32_t)len;
    for (; end - p >= 4; p += 4) h = rotl32(h + rd_le32(p) * XXH_P3, 17) * XXH_P4;
    for (; p < end; p++) h = rotl32(h + *p * XXH_P5, 11) * XXH_P1;
    h ^= h >> 15;
    h *= XXH_P2;
    h ^= h >> 13;
    h *= XXH_P3;
    return h ^ h >> 16;
}

/* ---------------------------------------------------------------- levels */

const char *kfk_codec_name(kfk_codec codec) {
    switch (codec) {
    case KFK_CODEC_NONE: return "none";
    case KFK_CODEC_GZIP: return "gzip";
    case KFK_CODEC_SNAPPY: return "snappy";
    case KFK_CODEC_LZ4: return "lz4";
    case KFK_CODEC_ZSTD: return "zstd";
    }
    return "unknown";
}

int kfk_codec_parse(const char *name, kfk_codec *out) {
    for (int c = KFK_CODEC_NONE; name && c <= KFK_CODEC_ZSTD; c++) {
        if (strcmp(name, kfk_codec_name((kfk_codec)c)) == 0) {
            *out = (kfk_codec)c;
            return 0;
        }
    }
    return KFK_ERR_INVALID_ARG;
}

static int codec_known(kfk_codec codec) { return (unsigned)codec <= KFK_CODEC_ZSTD; }

int kfk_codec_level_valid(kfk_codec codec, int level) {
    if (level == KFK_LEVEL_DEFAULT) return codec_known(codec);
    switch (codec) {
    case KFK_CODEC_GZIP: return level == -1 || (level >= 1 && level <= 9);
    case KFK_CODEC_LZ4: return level >= 1 && level <= 17;
    case KFK_CODEC_ZSTD: return level >= ZSTD_minCLevel() && level <= ZSTD_maxCLevel();
    default: return 0;
    }
}

/* ------------------------------------------------------------------ gzip */

static int gzip_compress(int level, const uint8_t *in, size_t in_len, kfk_wbuf *out) {
    codec_ctx *c = ctx_get();
    if (!c) return KFK_ERR_NOMEM;
    if (level == KFK_LEVEL_DEFAULT) level = Z_DEFAULT_COMPRESSION;
    if (c->gz_level && c->gz_level != level) {
        deflateEnd(&c->gz);
        c->gz_level = 0;
    }
    if (!c->gz_level) {
        memset(&c->gz, 0, sizeof c->gz);
        c->gz.zalloc = z_alloc;
        c->gz.zfree = z_free;
        /* windowBits 15 + 16: a gzip wrapper, as java.util.zip writes. */
        int zr = deflateInit2(&c->gz, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
        if (zr != Z_OK) return zr == Z_MEM_ERROR ? KFK_ERR_NOMEM : KFK_ERR_BAD_COMPRESSION;
        c->gz_level = level;
    } else {
        deflateReset(&c->gz);
    }
    z_stream *s = &c->gz;
    uLong bound = deflateBound(s, (uLong)in_len);
    if (kfk_wbuf_reserve(out, bound) != 0) return KFK_ERR_NOMEM;
    s->next_in = in;
    s->avail_in = (uInt)in_len;
    s->next_out = out->data + out->len;
    s->avail_out = (uInt)bound;
    /* With deflateBound's room one call finishes the stream. */
    if (deflate(s, Z_FINISH) != Z_STREAM_END) return KFK_ERR_BAD_COMPRESSION;
    out->len += s->total_out;
    return 0;
}

static int gzip_decompress(const uint8_t *in, size_t in_len, size_t start, size_t max_out,
                           size_t ceiling, kfk_wbuf *out) {
    z_stream s;
    memset(&s, 0, sizeof s);
    s.zalloc = z_alloc;
    s.zfree = z_free;
    /* 15 + 32: gzip or zlib header, detected. */
    int zr = inflateInit2(&s, 15 + 32);
    if (zr != Z_OK) return zr == Z_MEM_ERROR ? KFK_ERR_NOMEM : KFK_ERR_BAD_COMPRESSION;
    s.next_in = in;
    s.avail_in = (uInt)in_len;
    /* The trailer's ISIZE (size mod 2^32) sizes the buffer once; deflate
     * expands at most 1032:1, which bounds a lying trailer. */
    size_t want = in_len >= 18 ? rd_le32(in + in_len - 4) : 0;
    if (want / 1032 > in_len) want = in_len * 1032;
    int err = out_grow(out, ceiling, want);
    while (!err) {
        if (out_space(out, ceiling) == 0 && (err = out_grow(out, ceiling, 1)) != 0) break;
        size_t space = out_space(out, ceiling);
        if (space > UINT_MAX) space = UINT_MAX;
        s.next_out = out->data + out->len;
        s.avail_out = (uInt)space;
        /* Z_FINISH spares inflate its sliding window when the stream ends
         * within the room given; otherwise it is Z_BUF_ERROR and we grow. */
        zr = inflate(&s, Z_FINISH);
        out->len += space - s.avail_out;
        if (out->len - start > max_out) {
            err = KFK_ERR_DECOMPRESS_LIMIT;
        } else if (zr == Z_STREAM_END) {
            if (s.avail_in == 0) break;
            /* Another member follows: Java's GZIPInputStream reads them all. */
            inflateReset(&s);
        } else if (zr == Z_MEM_ERROR) {
            err = KFK_ERR_NOMEM;
        } else if ((zr != Z_OK && zr != Z_BUF_ERROR) || (s.avail_in == 0 && s.avail_out > 0)) {
            err = KFK_ERR_BAD_COMPRESSION; /* corrupt, or truncated: room left but no input */
        }
    }
    inflateEnd(&s);
    return err;
}

/* ---------------------------------------------------------------- snappy */

/* libsnappy is C++: linking it maps libstdc++ into every process (~1.3 MB
 * RSS at start-up for its relocations and iostream set-up), though most
 * never see a snappy batch. So it is loaded at the first snappy batch. */
static struct {
    snappy_status (*compress)(const char *in, size_t in_len, char *out, size_t *out_len);
    snappy_status (*uncompress)(const char *in, size_t in_len, char *out, size_t *out_len);
    size_t (*max_compressed_length)(size_t len);
    snappy_status (*uncompressed_length)(const char *in, size_t in_len, size_t *out);
} snappy;
static char snappy_error[256]; /* why libsnappy could not be loaded; "" when it was */

static void snappy_load(void) {
    static const char *const sonames[] = {"libsnappy.so.1", "libsnappy.1.dylib", "libsnappy.so",
                                          NULL};
    const kfk_dynsym syms[] = {
        {"snappy_compress", (void **)&snappy.compress},
        {"snappy_uncompress", (void **)&snappy.uncompress},
        {"snappy_max_compressed_length", (void **)&snappy.max_compressed_length},
        {"snappy_uncompressed_length", (void **)&snappy.uncompressed_length},
    };
    kfk_dynlib_load(sonames, syms, sizeof syms / sizeof syms[0], snappy_error, sizeof snappy_error);
}

const char *kfk_snappy_unavailable(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, snappy_load);
    return *snappy_error ? snappy_error : NULL;
}

/* Compression writes raw snappy rather than the xerial framing Java writes:
 * every Java reader takes it (snappy-java's SnappyInputStream has fallen back
 * to raw snappy when the xerial magic is absent since 2011, and Kafka reads
 * through it), librdkafka writes raw snappy too, and one block both
 * compresses better than xerial's 32 KiB chunks and goes straight into out. */
static int snappy_compress_raw(const uint8_t *in, size_t in_len, kfk_wbuf *out) {
    if (kfk_snappy_unavailable()) return KFK_ERR_UNKNOWN_CODEC;
    size_t n = snappy.max_compressed_length(in_len);
    if (kfk_wbuf_reserve(out, n) != 0) return KFK_ERR_NOMEM;
    if (snappy.compress((const char *)in, in_len, (char *)out->data + out->len, &n) != SNAPPY_OK)
        return KFK_ERR_BAD_COMPRESSION;
    out->len += n;
    return 0;
}

/* Decodes one raw snappy block. Snappy needs the whole output buffer up front,
 * sized by the block's declared length: check that against max_out first,
 * and against snappy's largest expansion (a 3-byte copy emits at most 64
 * bytes) so a lying length cannot make us allocate. */
static int snappy_block(const uint8_t *in, size_t in_len, size_t start, size_t max_out,
                        size_t ceiling, kfk_wbuf *out) {
    size_t n;
    if (snappy.uncompressed_length((const char *)in, in_len, &n) != SNAPPY_OK || n / 22 > in_len)
        return KFK_ERR_BAD_COMPRESSION;
    if (n > max_out - (out->len - start)) return KFK_ERR_DECOMPRESS_LIMIT;
    int err = out_grow(out, ceiling, n);
    if (err) return err;
    size_t got = n;
    if (snappy.uncompress((const char *)in, in_len, (char *)out->data + out->len, &got) != SNAPPY_OK ||
        got != n)
        return KFK_ERR_BAD_COMPRESSION;
    out->len += n;
    return 0;
}

/* snappy-java's framing: 8-byte magic, version and compatible version (int32
 * each, not checked, as librdkafka does not), then chunks of [int32 BE
 * length][raw snappy block]. */
static const uint8_t xerial_magic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
#define XERIAL_HEADER_LEN 16

static int snappy_decompress(const uint8_t *in, size_t in_len, size_t start, size_t max_out,
                             size_t ceiling, kfk_wbuf *out) {
    if (kfk_snappy_unavailable()) return KFK_ERR_UNKNOWN_CODEC;
    if (in_len < sizeof xerial_magic || memcmp(in, xerial_magic, sizeof xerial_magic) != 0)
        return snappy_block(in, in_len, start, max_out, ceiling, out);
    if (in_len < XERIAL_HEADER_LEN) return KFK_ERR_BAD_COMPRESSION;
    for (size_t pos = XERIAL_HEADER_LEN; pos < in_len;) {
        if (in_len - pos < 4) return KFK_ERR_BAD_COMPRESSION;
        size_t chunk = rd_be32(in + pos);
        pos += 4;
        if (chunk > in_len - pos) return KFK_ERR_BAD_COMPRESSION;
        int err = snappy_block(in + pos, chunk, start, max_out, ceiling, out);
        if (err) return err;
        pos += chunk;
    }
    return 0;
}

/* ------------------------------------------------------------------- lz4 */

static int lz4_compress(int level, const uint8_t *in, size_t in_len, kfk_wbuf *out) {
    codec_ctx *c = ctx_get();
    if (!c) return KFK_ERR_NOMEM;
    if (!c->lz4) {
        c->lz4 = LZ4F_createCompressionContext_advanced(lz4_mem, LZ4F_VERSION);
        if (!c->lz4) return KFK_ERR_NOMEM;
    }
    /* The frame Java writes: 64 KiB independent blocks (Java's reader
     * rejects linked ones), no checksums, no content size. */
    LZ4F_preferences_t prefs;
    memset(&prefs, 0, sizeof prefs);
    prefs.frameInfo.blockSizeID = LZ4F_max64KB;
    prefs.frameInfo.blockMode = LZ4F_blockIndependent;
    /* Java: the default level (9) means the fast compressor, others LZ4HC. */
    if (level == KFK_LEVEL_DEFAULT || level == LZ4HC_CLEVEL_DEFAULT)
        prefs.compressionLevel = 0;
    else
        prefs.compressionLevel = level < LZ4HC_CLEVEL_MIN ? LZ4HC_CLEVEL_MIN : level;
    prefs.autoFlush = 1; /* compress straight from in, no staging copy */
    size_t bound = LZ4F_compressFrameBound(in_len, &prefs);
    if (kfk_wbuf_reserve(out, bound) != 0) return KFK_ERR_NOMEM;
    uint8_t *dst = out->data + out->len;
    size_t total = 0, r = LZ4F_compressBegin(c->lz4, dst, bound, &prefs);
    if (!LZ4F_isError(r)) {
        total = r;
        r = LZ4F_compressUpdate(c->lz4, dst + total, bound - total, in, in_len, NULL);
    }
    if (!LZ4F_isError(r)) {
        total += r;
        r = LZ4F_compressEnd(c->lz4, dst + total, bound - total, NULL);
    }
    if (LZ4F_isError(r))
        return LZ4F_getErrorCode(r) == LZ4F_ERROR_allocation_failed ? KFK_ERR_NOMEM
                                                                    : KFK_ERR_BAD_COMPRESSION;
    out->len += total + r;
    return 0;
}

#define LZ4_MAGIC 0x184D2204u
#define LZ4_SKIPPABLE_MAGIC 0x184D2A50u /* low 4 bits free */

/* Decodes one LZ4 frame at in[*pos] with the block API rather than LZ4F:
 * blocks decode straight into out (linked ones use the frame's earlier
 * output there as their dictionary), so no staging buffers sized by the
 * frame's declared block size (up to 4 MiB) are needed. */
static int lz4_frame(const uint8_t *in, size_t in_len, size_t *pos, size_t start, size_t max_out,
                     size_t ceiling, kfk_wbuf *out) {
    size_t p = *pos + 4;
    if (in_len - p < 3) return KFK_ERR_BAD_COMPRESSION;
    uint8_t flg = in[p], bd = in[p + 1];
    /* Version 01, reserved bits clear, no dictionary ID (Kafka never sets one). */
    if ((flg & 0xC3) != 0x40 || (bd & 0x8F) != 0 || (bd >> 4) < 4) return KFK_ERR_BAD_COMPRESSION;
    int linked = !(flg & 0x20), block_sum = flg & 0x10, has_size = flg & 0x08, content_sum = flg & 0x04;
    size_t block_max = (size_t)1 << (2 * (bd >> 4) + 8);
    size_t desc_len = has_size ? 10 : 2;
    if (in_len - p < desc_len + 1) return KFK_ERR_BAD_COMPRESSION;
    /* Kafka < 0.10 (message format 0) hashed the magic too (KAFKA-3160); the
     * batch's CRC still guards the frame, so accept either. */
    uint8_t hc = in[p + desc_len];
    if (hc != (uint8_t)(xxh32(in + p, desc_len) >> 8) &&
        hc != (uint8_t)(xxh32(in + p - 4, desc_len + 4) >> 8))
        return KFK_ERR_BAD_COMPRESSION;
    p += desc_len + 1;

    size_t frame_start = out->len;
    for (;;) {
        if (in_len - p < 4) return KFK_ERR_BAD_COMPRESSION;
        uint32_t word = rd_le32(in + p);
        p += 4;
        if (word == 0) break; /* EndMark */
        size_t size = word & 0x7FFFFFFF;
        if (size > block_max || in_len - p < size + (block_sum ? 4 : 0))
            return KFK_ERR_BAD_COMPRESSION;
        const uint8_t *src = in + p;
        p += size;
        if (block_sum) {
            if (xxh32(src, size) != rd_le32(in + p)) return KFK_ERR_BAD_COMPRESSION;
            p += 4;
        }
        size_t room = max_out - (out->len - start); /* bytes still allowed */
        if (word & 0x80000000u) { /* stored uncompressed */
            if (size > room) return KFK_ERR_DECOMPRESS_LIMIT;
            int err = out_grow(out, ceiling, size);
            if (err) return err;
            memcpy(out->data + out->len, src, size);
            out->len += size;
            continue;
        }
        /* One byte over room proves the block exceeds max_out. */
        int cap = (int)(room < block_max ? room + 1 : block_max);
        int err = out_grow(out, ceiling, (size_t)cap);
        if (err) return err;
        char *dst = (char *)out->data + out->len;
        size_t dict = linked ? out->len - frame_start : 0;
        if (dict > 65536) dict = 65536;
        int n = LZ4_decompress_safe_usingDict((const char *)src, dst, (int)size, cap, dst - dict,
                                              (int)dict);
        if (n < 0) {
            /* Corrupt, or longer than cap: decoding just cap bytes tells which. */
            if ((size_t)cap > room &&
                LZ4_decompress_safe_partial_usingDict((const char *)src, dst, (int)size, cap, cap,
                                                      dst - dict, (int)dict) == cap)
                return KFK_ERR_DECOMPRESS_LIMIT;
            return KFK_ERR_BAD_COMPRESSION;
        }
        out->len += (size_t)n;
        if ((size_t)n > room) return KFK_ERR_DECOMPRESS_LIMIT;
    }
    size_t produced = out->len - frame_start;
    if (content_sum) {
        if (in_len - p < 4) return KFK_ERR_BAD_COMPRESSION;
        const uint8_t *content = produced ? out->data + frame_start : in; /* data may be NULL */
        if (xxh32(content, produced) != rd_le32(in + p)) return KFK_ERR_BAD_COMPRESSION;
        p += 4;
    }
    if (has_size) {
        uint64_t declared = rd_le32(in + *pos + 6) | (uint64_t)rd_le32(in + *pos + 10) << 32;
        if (declared != produced) return KFK_ERR_BAD_COMPRESSION;
    }
    *pos = p;
    return 0;
}

static int lz4_decompress(const uint8_t *in, size_t in_len, size_t start, size_t max_out,
                          size_t ceiling, kfk_wbuf *out) {
    if (in_len == 0) return KFK_ERR_BAD_COMPRESSION;
    /* Concatenated and skippable frames, as the frame format allows. */
    for (size_t pos = 0; pos < in_len;) {
        if (in_len - pos < 4) return KFK_ERR_BAD_COMPRESSION;
        uint32_t magic = rd_le32(in + pos);
        if ((magic & 0xFFFFFFF0u) == LZ4_SKIPPABLE_MAGIC) {
            if (in_len - pos < 8 || rd_le32(in + pos + 4) > in_len - pos - 8)
                return KFK_ERR_BAD_COMPRESSION;
            pos += 8 + (size_t)rd_le32(in + pos + 4);
            continue;
        }
        if (magic != LZ4_MAGIC) return KFK_ERR_BAD_COMPRESSION;
        int err = lz4_frame(in, in_len, &pos, start, max_out, ceiling, out);
        if (err) return err;
    }
    return 0;
}

/* ------------------------------------------------------------------ zstd */

static int zstd_err(size_t r) {
    return ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation ? KFK_ERR_NOMEM
                                                                : KFK_ERR_BAD_COMPRESSION;
}

static int zstd_compress(int level, const uint8_t *in, size_t in_len, kfk_wbuf *out) {
    codec_ctx *c = ctx_get();
    if (!c) return KFK_ERR_NOMEM;
    if (!c->zc && !(c->zc = ZSTD_createCCtx_advanced(zstd_mem))) return KFK_ERR_NOMEM;
    size_t r = ZSTD_CCtx_setParameter(c->zc, ZSTD_c_compressionLevel,
                                      level == KFK_LEVEL_DEFAULT ? ZSTD_CLEVEL_DEFAULT : level);
    if (ZSTD_isError(r)) return zstd_err(r);
    size_t bound = ZSTD_compressBound(in_len);
    if (kfk_wbuf_reserve(out, bound) != 0) return KFK_ERR_NOMEM;
    r = ZSTD_compress2(c->zc, out->data + out->len, bound, in, in_len);
    if (ZSTD_isError(r)) return zstd_err(r);
    out->len += r;
    return 0;
}

static int zstd_decompress(const uint8_t *in, size_t in_len, size_t start, size_t max_out,
                           size_t ceiling, kfk_wbuf *out) {
    codec_ctx *c = ctx_get();
    if (!c) return KFK_ERR_NOMEM;
    if (!c->zd && !(c->zd = ZSTD_createDCtx_advanced(zstd_mem))) return KFK_ERR_NOMEM;
    ZSTD_DCtx *d = c->zd;
    ZSTD_DCtx_reset(d, ZSTD_reset_session_only);
    /* Streaming keeps a window the frame declares, up to 2^27 by default: cap
     * it at max_out. Frames that declare more go the one-shot way below. */
    int wlog = ZSTD_WINDOWLOG_MIN;
    while (wlog < ZSTD_WINDOWLOG_MAX && ((size_t)1 << (wlog + 1)) <= max_out) wlog++;
    ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, wlog);
    /* Room for the declared size lets zstd decode the frame in one pass,
     * without its window buffer; out_grow caps it at max_out + 1. */
    unsigned long long fcs = ZSTD_getFrameContentSize(in, in_len);
    size_t want = fcs < ZSTD_CONTENTSIZE_ERROR ? (size_t)fcs : in_len * 4;
    int err = out_grow(out, ceiling, want);
    ZSTD_inBuffer ib = {in, in_len, 0};
    while (!err) {
        if (out_space(out, ceiling) == 0 && (err = out_grow(out, ceiling, 1)) != 0) break;
        ZSTD_outBuffer ob = {out->data + out->len, out_space(out, ceiling), 0};
        size_t r = ZSTD_decompressStream(d, &ob, &ib);
        out->len += ob.pos;
        if (ZSTD_isError(r)) {
            if (ZSTD_getErrorCode(r) != ZSTD_error_frameParameter_windowTooLarge) return zstd_err(r);
            /* The window exceeds max_out: decode in one shot into max_out + 1
             * bytes instead, which needs no window and costs no more. */
            out->len = start;
            ZSTD_DCtx_reset(d, ZSTD_reset_session_only);
            if ((err = out_grow(out, ceiling, ceiling - start)) != 0) break;
            r = ZSTD_decompressDCtx(d, out->data + start, out_space(out, ceiling), in, in_len);
            if (ZSTD_isError(r))
                return ZSTD_getErrorCode(r) == ZSTD_error_dstSize_tooSmall ? KFK_ERR_DECOMPRESS_LIMIT
                                                                           : zstd_err(r);
            out->len += r;
            return r > max_out ? KFK_ERR_DECOMPRESS_LIMIT : 0;
        }
        if (out->len - start > max_out) return KFK_ERR_DECOMPRESS_LIMIT;
        if (ib.pos == ib.size) {
            if (r == 0) break;                                /* last frame done */
            if (ob.pos < ob.size) return KFK_ERR_BAD_COMPRESSION; /* truncated */
        }
    }
    return err;
}

/* ------------------------------------------------------------------- API */

int kfk_compress(kfk_codec codec, int level, const uint8_t *in, size_t in_len, kfk_wbuf *out) {
    if (!out || (!in && in_len) || in_len > INT32_MAX) return KFK_ERR_INVALID_ARG;
    if (out->err) return out->err;
    if (!codec_known(codec)) return KFK_ERR_UNKNOWN_CODEC;
    if (!kfk_codec_level_valid(codec, level)) return KFK_ERR_INVALID_ARG;
    if (!in) in = (const uint8_t *)"";
    switch (codec) {
    case KFK_CODEC_NONE:
        if (in_len) kfk_wr_raw(out, in, in_len);
        return out->err;
    case KFK_CODEC_GZIP: return gzip_compress(level, in, in_len, out);
    case KFK_CODEC_SNAPPY: return snappy_compress_raw(in, in_len, out);
    case KFK_CODEC_LZ4: return lz4_compress(level, in, in_len, out);
    case KFK_CODEC_ZSTD: return zstd_compress(level, in, in_len, out);
    }
    return KFK_ERR_UNKNOWN_CODEC;
}

int kfk_decompress(kfk_codec codec, const uint8_t *in, size_t in_len, size_t max_out, kfk_wbuf *out) {
    if (!out || (!in && in_len) || in_len > INT32_MAX) return KFK_ERR_INVALID_ARG;
    if (out->err) return out->err;
    if (!in) in = (const uint8_t *)"";
    size_t start = out->len;
    size_t ceiling = max_out < SIZE_MAX - start ? start + max_out + 1 : SIZE_MAX;
    int err;
    switch (codec) {
    case KFK_CODEC_NONE:
        if (in_len > max_out) return KFK_ERR_DECOMPRESS_LIMIT;
        if (in_len) kfk_wr_raw(out, in, in_len);
        return out->err;
    case KFK_CODEC_GZIP: err = gzip_decompress(in, in_len, start, max_out, ceiling, out); break;
    case KFK_CODEC_SNAPPY: err = snappy_decompress(in, in_len, start, max_out, ceiling, out); break;
    case KFK_CODEC_LZ4: err = lz4_decompress(in, in_len, start, max_out, ceiling, out); break;
    case KFK_CODEC_ZSTD: err = zstd_decompress(in, in_len, start, max_out, ceiling, out); break;
    default: return KFK_ERR_UNKNOWN_CODEC;
    }
    if (err) out->len = start;
    return err;
}
