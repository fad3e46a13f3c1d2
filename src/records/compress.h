/* Record batch compression: the codecs a RecordBatch's attributes name,
 * over whole buffers. Every function is thread-safe. Each thread caches its
 * own compression contexts (and a zstd decompression context), freed when
 * the thread exits; they allocate through the kfk allocator, so
 * kfk_set_allocator must not be called while any thread holds them. */
#ifndef KFK_RECORDS_COMPRESS_H
#define KFK_RECORDS_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

typedef enum kfk_codec {
    KFK_CODEC_NONE = 0,
    KFK_CODEC_GZIP = 1,
    KFK_CODEC_SNAPPY = 2,
    KFK_CODEC_LZ4 = 3,
    KFK_CODEC_ZSTD = 4
} kfk_codec; /* = RecordBatch attribute bits 0-2 */

/* The codec's default level: gzip 6, lz4 the fast compressor, zstd 3. It
 * shadows zstd's own level -1000, which therefore cannot be chosen. */
#define KFK_LEVEL_DEFAULT (-1000)

/* Appends the compressed form of in to out. level is KFK_LEVEL_DEFAULT or,
 * as in the Java client's compression.<codec>.level configs: gzip 1-9 (or -1,
 * Java's spelling of the default), lz4 1-17, zstd -131072..22; none and
 * snappy take only KFK_LEVEL_DEFAULT. Like the Java client, lz4's default
 * level 9 uses the fast compressor and any other level LZ4HC (liblz4 treats
 * levels above 12 as 12, and 1-2 become 3, its weakest HC level).
 * Output: gzip is a single gzip member (RFC 1952); snappy is one raw snappy
 * block (not the xerial framing: see compress.c); lz4 is an LZ4 frame with
 * 64 KiB independent blocks and no checksums or content size, exactly what
 * the Java client writes; zstd is one frame with its content size.
 * in must not point into out: out may move as it grows.
 * Returns 0, KFK_ERR_UNKNOWN_CODEC, KFK_ERR_INVALID_ARG (bad level, in NULL
 * with in_len > 0, or in_len > INT32_MAX: no Kafka batch is that large),
 * KFK_ERR_NOMEM (out->err is then set, as by kfk_wbuf_reserve) or out->err
 * if already set. On failure nothing is appended. */
int kfk_compress(kfk_codec codec, int level, const uint8_t *in, size_t in_len, kfk_wbuf *out);

/* Appends the decompressed form of in to out, or nothing on failure.
 * Output beyond max_out bytes is KFK_ERR_DECOMPRESS_LIMIT, detected while
 * decoding: declared sizes are never trusted, and out grows to at most
 * max_out + 1 bytes beyond its starting length (a zstd frame decoded in
 * pieces also has a window of at most max(max_out, 1 KiB) plus zstd's 128 KiB
 * block buffers). in must not point into out. Accepts what Kafka clients write:
 * gzip (concatenated members, zlib-wrapped too), raw snappy or the xerial
 * framing of Java's snappy-java, LZ4 frames (concatenated, with any block
 * size, linked blocks, checksums; the header checksum may also be the broken
 * one of Kafka < 0.10, KAFKA-3160), zstd frames with or without content size.
 * Returns 0, KFK_ERR_DECOMPRESS_LIMIT, KFK_ERR_BAD_COMPRESSION (truncated or
 * corrupt input, or trailing bytes after the last frame), KFK_ERR_UNKNOWN_CODEC,
 * KFK_ERR_INVALID_ARG (in NULL with in_len > 0, in_len > INT32_MAX),
 * KFK_ERR_NOMEM (out->err set) or out->err if already set. */
int kfk_decompress(kfk_codec codec, const uint8_t *in, size_t in_len, size_t max_out, kfk_wbuf *out);

/* "none", "gzip", "snappy", "lz4", "zstd", or "unknown". Static storage. */
const char *kfk_codec_name(kfk_codec codec);

/* Parses Java's compression.type values (the names above, case-sensitive as
 * in Java). Returns 0 or KFK_ERR_INVALID_ARG. */
int kfk_codec_parse(const char *name, kfk_codec *out);

/* NULL when snappy can be used, else why not (libsnappy, loaded at the
 * first call, is missing); kfk_compress and kfk_decompress then say
 * KFK_ERR_UNKNOWN_CODEC for it. Static storage. */
const char *kfk_snappy_unavailable(void);

/* 1 if kfk_compress accepts level for codec, else 0. */
int kfk_codec_level_valid(kfk_codec codec, int level);

#endif
