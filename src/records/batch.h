/* RecordBatch v2 (magic 2): the builder the producer appends to, and the
 * decoder behind records.h. */
#ifndef KFK_BATCH_H
#define KFK_BATCH_H

#include <string.h>

#include "kfk.h"
#include "records/records.h"

/* Header bytes before the first record. */
#define KFK_BATCH_OVERHEAD 61

/* A value an uncompressed batch references instead of copying (one whose
 * ownership the producer was handed): `len` bytes at `ptr` belong right
 * after the batch's first `at` bytes in out. */
typedef struct kfk_batch_ref {
    size_t at;
    const uint8_t *ptr;
    size_t len;
} kfk_batch_ref;

/* Storage for a batch's references, owned by the caller and kept from one
 * batch to the next, so a steady stream allocates nothing. */
typedef struct kfk_batch_refs {
    kfk_batch_ref *items;
    int32_t count, cap;
    size_t bytes; /* the referenced lengths' sum */
} kfk_batch_refs;

/* Builds one batch at the end of a kfk_wbuf. Each append writes the record
 * straight into the buffer (one memcpy each of key, value and headers, no
 * allocation once the buffer has grown), except a value appended by
 * reference; finish fills in the header. */
typedef struct kfk_batch_builder {
    kfk_wbuf *out;
    size_t start; /* offset of the batch in out */
    int32_t count;
    int64_t base_timestamp; /* the first record's */
    int64_t max_timestamp;
    kfk_batch_refs *refs; /* NULL: every value is copied */
} kfk_batch_builder;

/* Starts a batch at out->len, reserving its header: 0 or KFK_ERR_NOMEM. */
int kfk_batch_builder_init(kfk_batch_builder *b, kfk_wbuf *out);

/* Lets an empty batch reference values (kfk_batch_append_ref), keeping
 * them in refs (emptied here; its array is kept). */
void kfk_batch_builder_use_refs(kfk_batch_builder *b, kfk_batch_refs *refs);

/* Bytes the batch holds so far, header and referenced values included,
 * uncompressed. */
static inline size_t kfk_batch_builder_size(const kfk_batch_builder *b) {
    return b->out->len - b->start + (b->refs ? b->refs->bytes : 0);
}

/* batchLength, an int32, counts the bytes after baseOffset and itself. */
#define KFK_BATCH_MAX ((size_t)INT32_MAX + 12)

/* A record's bytes that do not depend on its batch (attributes, key, value
 * and headers with their lengths), worked out once per record; or
 * KFK_ERR_INVALID_ARG (a length below -1, a null header key) or
 * KFK_ERR_MSG_TOO_LARGE. */
int64_t kfk_record_fixed_size_any(kfk_bytes key, kfk_bytes value,
                                  const kfk_record_header *headers, size_t header_count);
static inline size_t kfk_record_nonneg(int32_t len) { return len > 0 ? (size_t)len : 0; }
/* Inline for the common record without headers: attributes, key, value
 * and a header count of 0, a byte. */
static inline int64_t kfk_record_fixed_size(kfk_bytes key, kfk_bytes value,
                                            const kfk_record_header *headers,
                                            size_t header_count) {
    if (header_count || key.len < -1 || value.len < -1)
        return kfk_record_fixed_size_any(key, value, headers, header_count);
    int64_t n = 2 + kfk_varint_size(key.len) + (int64_t)kfk_record_nonneg(key.len) +
                kfk_varint_size(value.len) + (int64_t)kfk_record_nonneg(value.len);
    return n > INT32_MAX ? KFK_ERR_MSG_TOO_LARGE : n;
}

/* The exact bytes appending a record of that fixed size adds to b (its
 * timestamp delta, offset delta and length prefix added), or
 * KFK_ERR_MSG_TOO_LARGE past 2 GiB; *body gets the length prefix's value,
 * which kfk_batch_append_sized then need not work out again. */
static inline int64_t kfk_batch_record_size_fixed(const kfk_batch_builder *b, int64_t timestamp,
                                                  int64_t fixed, int64_t *body) {
    int64_t ts_delta = b->count ? (int64_t)((uint64_t)timestamp - (uint64_t)b->base_timestamp) : 0;
    *body = fixed + kfk_varint_size(ts_delta) + kfk_varint_size(b->count);
    if (*body > INT32_MAX) return KFK_ERR_MSG_TOO_LARGE;
    int64_t total = kfk_varint_size(*body) + *body;
    if (kfk_batch_builder_size(b) + (size_t)total > KFK_BATCH_MAX) return KFK_ERR_MSG_TOO_LARGE;
    return total;
}

/* The exact bytes kfk_batch_append would add for this record, for batch.size
 * decisions, or a negative kfk_err when append would refuse it. key and
 * value are {NULL, -1} for null; header keys may not be null. */
int64_t kfk_batch_record_size(const kfk_batch_builder *b, int64_t timestamp, kfk_bytes key,
                              kfk_bytes value, const kfk_record_header *headers,
                              size_t header_count);

/* Appends a record: the bytes added, or KFK_ERR_INVALID_ARG (a length below
 * -1, a null header key), KFK_ERR_MSG_TOO_LARGE (the batch would pass 2 GiB)
 * or KFK_ERR_NOMEM, leaving the batch as it was. */
int kfk_batch_append(kfk_batch_builder *b, int64_t timestamp, kfk_bytes key, kfk_bytes value,
                     const kfk_record_header *headers, size_t header_count);

/* As kfk_batch_append, but the value is referenced, not copied: it must
 * stay valid and unchanged until the batch is sent or dropped. Needs
 * kfk_batch_builder_use_refs, and a value of at least one byte. */
int kfk_batch_append_ref(kfk_batch_builder *b, int64_t timestamp, kfk_bytes key, kfk_bytes value,
                         const kfk_record_header *headers, size_t header_count);

/* kfk_batch_append (by_ref 0) or kfk_batch_append_ref (1) with the
 * record's kfk_batch_record_size_fixed in b (total, not negative, and its
 * body) already known: the producer's path, which sizes the record to pick
 * its batch. */
int kfk_batch_append_sized_any(kfk_batch_builder *b, int64_t timestamp, kfk_bytes key,
                               kfk_bytes value, const kfk_record_header *headers,
                               size_t header_count, int64_t body, int64_t total, int by_ref);

static inline uint8_t *kfk_batch_put_varint(uint8_t *p, int64_t v) {
    uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    for (; u >= 0x80; u >>= 7) *p++ = (uint8_t)(u | 0x80);
    *p++ = (uint8_t)u;
    return p;
}

/* A varint length, then the bytes: -1 and nothing for null. */
static inline uint8_t *kfk_batch_put_bytes(uint8_t *p, const void *src, int32_t len) {
    p = kfk_batch_put_varint(p, len);
    if (len > 0) {
        memcpy(p, src, (size_t)len);
        p += len;
    }
    return p;
}

/* Inline for the common record (copied, no headers), the rest out of line. */
static inline int kfk_batch_append_sized(kfk_batch_builder *b, int64_t timestamp, kfk_bytes key,
                                         kfk_bytes value, const kfk_record_header *headers,
                                         size_t header_count, int64_t body, int64_t total,
                                         int by_ref) {
    if (by_ref || header_count)
        return kfk_batch_append_sized_any(b, timestamp, key, value, headers, header_count, body,
                                          total, by_ref);
    int64_t ts_delta = b->count ? (int64_t)((uint64_t)timestamp - (uint64_t)b->base_timestamp) : 0;
    uint8_t *p = kfk_wbuf_put(b->out, (size_t)total);
    if (!p) return b->out->err ? b->out->err : KFK_ERR_NOMEM;
    p = kfk_batch_put_varint(p, body);
    *p++ = 0; /* record attributes: none defined */
    p = kfk_batch_put_varint(p, ts_delta);
    p = kfk_batch_put_varint(p, b->count); /* offsetDelta */
    p = kfk_batch_put_bytes(p, key.ptr, key.len);
    p = kfk_batch_put_bytes(p, value.ptr, value.len);
    *p = 0; /* no headers */
    if (b->count == 0)
        b->base_timestamp = b->max_timestamp = timestamp;
    else if (timestamp > b->max_timestamp)
        b->max_timestamp = timestamp;
    b->count++;
    return (int)total;
}

typedef struct kfk_batch_opts {
    kfk_codec codec;
    int level;                      /* KFK_LEVEL_DEFAULT: the codec's own */
    int64_t base_offset;            /* 0 when producing: the broker assigns */
    int32_t partition_leader_epoch; /* -1 when producing */
    int64_t producer_id;            /* -1, or the idempotent producer's */
    int16_t producer_epoch;         /* -1, or the idempotent producer's */
    int32_t base_sequence;          /* -1, or the first record's sequence */
    int flags; /* KFK_ATTR_TRANSACTIONAL, KFK_ATTR_CONTROL, KFK_ATTR_LOG_APPEND_TIME */
} kfk_batch_opts;

#define KFK_BATCH_OPTS_INIT {KFK_CODEC_NONE, KFK_LEVEL_DEFAULT, 0, -1, -1, -1, -1, 0}

/* Completes the batch: compresses the records (through scratch, a reusable
 * work buffer, or a temporary one when NULL), writes the header and the
 * CRC. Then out holds the batch from b->start to out->len, with the
 * references (if any) spliced in. 0, or KFK_ERR_INVALID_ARG (no records,
 * unknown flags, references in a compressed batch) or the compressor's
 * error, leaving the builder as it was so finish may be retried. */
int kfk_batch_finish(kfk_batch_builder *b, const kfk_batch_opts *opts, kfk_wbuf *scratch);

/* The CRC32C a finished batch's header carries: over its bytes from the
 * attributes on, batch[0..len) with refs (NULL: none) spliced in. */
uint32_t kfk_batch_crc(const uint8_t *batch, size_t len, const kfk_batch_refs *refs);

/* Appends the batch as the broker receives it, references copied in, to
 * out (tests, and splitting a batch): 0 or KFK_ERR_NOMEM. */
int kfk_batch_flatten(const uint8_t *batch, size_t len, const kfk_batch_refs *refs,
                      kfk_wbuf *out);

/* Control records (in KFK_ATTR_CONTROL batches) have a 4-byte key: version
 * and type. Returns the type, or KFK_ERR_MALFORMED. */
#define KFK_CONTROL_ABORT 0
#define KFK_CONTROL_COMMIT 1
int kfk_control_type(kfk_bytes key);

/* For records.c: opens the v2 batch framed in frame[0..len) (len is 12 +
 * its batchLength) into it->batch. */
int kfk_batch_v2_open(kfk_records_iter *it, const uint8_t *frame, size_t len);

/* The smallest record body (after its length): attributes, timestampDelta,
 * offsetDelta, key length, value length and header count, a byte each. */
#define KFK_MIN_RECORD_BODY 6

/* Checks count headers from p: the end of the last one, or NULL when one
 * has a null key or runs past end. */
const uint8_t *kfk_batch_v2_headers(const uint8_t *p, const uint8_t *end, int32_t count);

/* A varint length then the bytes, up to end: where they end, or NULL when
 * they do not fit or the length is below -1 (-1 is null: {NULL, -1}). */
static inline const uint8_t *kfk_batch_v2_bytes(const uint8_t *p, const uint8_t *end,
                                                kfk_bytes *out) {
    int32_t n;
    if (!(p = kfk_dec_varint(p, end, &n))) return NULL;
    if ((uint32_t)n <= (size_t)(end - p)) { /* -1 and other negatives are huge here */
        *out = (kfk_bytes){p, n};
        return p + n;
    }
    *out = (kfk_bytes){NULL, -1};
    return n == -1 ? p : NULL;
}

/* The next record of the current v2 batch: 1, 0 after its last, or
 * KFK_ERR_MALFORMED (it then is as it was). Every varint is bounded by the
 * record's end, which its length prefix gives, checked against the
 * batch's end. kfk_batch_v2_next is the same, inline: the consumer's
 * per-record path. */
int kfk_batch_v2_next_checked(kfk_records_iter *it, kfk_record *rec);

/* The most bytes a record's fields before its key take: length (5),
 * attributes (1), timestampDelta (10), offsetDelta (5), key length (5). */
#define KFK_RECORD_HEAD_MAX 26

/* The record's offset and timestamp from its deltas. */
static inline void kfk_batch_v2_place(const kfk_batch *b, kfk_record *rec, int32_t offset_delta,
                                      int64_t ts_delta) {
    rec->offset = (int64_t)((uint64_t)b->base_offset + (uint64_t)(int64_t)offset_delta);
    rec->timestamp = b->attributes & KFK_ATTR_LOG_APPEND_TIME
                         ? b->max_timestamp
                         : (int64_t)((uint64_t)b->base_timestamp + (uint64_t)ts_delta);
}

/* Where the batch has KFK_RECORD_HEAD_MAX bytes left (all its records but
 * the last one or two), the fields before the key are decoded without an
 * end check each, and checked together once: the bytes read past the
 * record's end, if any, are still the batch's. Lengths are tested zig-zag
 * encoded: 2n for n >= 0, 1 for -1 (null). */
static inline int kfk_batch_v2_next(kfk_records_iter *it, kfk_record *rec) {
    kfk_batch *b = &it->batch;
    const uint8_t *p = b->recs.p, *end = b->recs.end;
    if (b->left == 0 || end - p < KFK_RECORD_HEAD_MAX) return kfk_batch_v2_next_checked(it, rec);
    int bad = 0;
    uint32_t zlen, zoffset, zkey;
    uint64_t zts;
    p = kfk_dec_uvarint_unchecked(p, &zlen, &bad);
    const uint8_t *body = p;
    p = kfk_dec_uvarlong_unchecked(p + 1, &zts, &bad); /* p[0]: attributes, none defined */
    p = kfk_dec_uvarint_unchecked(p, &zoffset, &bad);
    p = kfk_dec_uvarint_unchecked(p, &zkey, &bad);
    size_t len = zlen >> 1;
    if (bad | (zlen & 1) | (len < KFK_MIN_RECORD_BODY) | (len > (size_t)(end - body)))
        return KFK_ERR_MALFORMED;
    const uint8_t *rend = body + len;
    if (p > rend) return KFK_ERR_MALFORMED;
    if (!(zkey & 1) && zkey >> 1 <= (size_t)(rend - p)) {
        rec->key = (kfk_bytes){p, (int32_t)(zkey >> 1)};
        p += zkey >> 1;
    } else if (zkey == 1) {
        rec->key = (kfk_bytes){NULL, -1};
    } else {
        return KFK_ERR_MALFORMED;
    }
    if (!(p = kfk_batch_v2_bytes(p, rend, &rec->value))) return KFK_ERR_MALFORMED;
    if (rend - p == 1 && p[0] == 0) { /* no headers: the last byte */
        rec->header_count = 0;
        rec->headers = (kfk_bytes){rend, 0};
    } else {
        int32_t header_count;
        const uint8_t *headers = kfk_dec_varint(p, rend, &header_count);
        if (!headers || header_count < 0 ||
            kfk_batch_v2_headers(headers, rend, header_count) != rend)
            return KFK_ERR_MALFORMED; /* a record ends exactly where its length says */
        rec->header_count = header_count;
        rec->headers = (kfk_bytes){headers, (int32_t)(rend - headers)};
    }
    kfk_batch_v2_place(b, rec, kfk_zigzag32(zoffset), kfk_zigzag64(zts));
    b->recs.p = rend;
    b->left--;
    return 1;
}

/* kfk_records_next_in_batch with a v2 record decoded inline. */
static inline int kfk_records_next_v2(kfk_records_iter *it, kfk_record *rec) {
    if (!it->in_batch || it->batch.magic != 2) return kfk_records_next_in_batch(it, rec);
    int rc = kfk_batch_v2_next(it, rec);
    if (rc < 0) { /* as kfk_records_next_in_batch fails */
        it->err = rc;
        it->in_batch = 0;
    }
    return rc;
}

#endif
