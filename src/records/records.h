/* Reading the `records` bytes of a Fetch response, whatever their format:
 * RecordBatch v2 (magic 2) or the legacy MessageSets (magic 0 and 1). The
 * consumer sees batches and records the same way for all three.
 *
 * Records are zero-copy views: keys, values and headers point into the
 * fetched bytes or, for compressed batches, into the caller's decompression
 * buffer, so they stay valid until the next batch is opened. */
#ifndef KFK_RECORDS_H
#define KFK_RECORDS_H

#include "core/buf.h"
#include "records/compress.h"

/* Batch attribute bits. The legacy formats use bits 0-3 the same way. */
#define KFK_ATTR_CODEC_MASK 0x07
#define KFK_ATTR_LOG_APPEND_TIME 0x08 /* timestamps are the broker's */
#define KFK_ATTR_TRANSACTIONAL 0x10
#define KFK_ATTR_CONTROL 0x20        /* transaction markers, not user data */
#define KFK_ATTR_DELETE_HORIZON 0x40 /* base_timestamp is the delete horizon */

/* Bytes before a batch's magic: baseOffset, batchLength, leaderEpoch (v2)
 * or offset, size, crc (legacy). */
#define KFK_MAGIC_OFFSET 16

typedef struct kfk_batch {
    int64_t base_offset;
    /* The next fetch starts after this, even when compaction left fewer
     * records than the offsets span. */
    int64_t last_offset;
    int32_t partition_leader_epoch; /* -1 before magic 2 */
    int8_t magic;
    int16_t attributes; /* KFK_ATTR_* */
    int64_t base_timestamp;
    int64_t max_timestamp; /* legacy: the wrapper message's timestamp */
    int64_t producer_id;   /* -1 when not idempotent, and before magic 2 */
    int16_t producer_epoch;
    int32_t base_sequence;
    int32_t count; /* records in the batch */

    /* The format decoder's cursor over the records. */
    kfk_rbuf recs;
    int32_t left;          /* records not yet read */
    int64_t offset_adjust; /* legacy v1 wrapper: turns inner relative offsets absolute */
} kfk_batch;

static inline kfk_codec kfk_batch_codec(const kfk_batch *b) {
    return (kfk_codec)(b->attributes & KFK_ATTR_CODEC_MASK);
}
static inline int kfk_batch_is_control(const kfk_batch *b) {
    return (b->attributes & KFK_ATTR_CONTROL) != 0;
}
static inline int kfk_batch_is_transactional(const kfk_batch *b) {
    return (b->attributes & KFK_ATTR_TRANSACTIONAL) != 0;
}

typedef struct kfk_record_header {
    kfk_str key; /* never null */
    kfk_bytes value;
} kfk_record_header;

typedef struct kfk_record {
    int64_t offset;
    int64_t timestamp; /* -1 for magic 0, which has none */
    kfk_bytes key;     /* {NULL, -1} when null */
    kfk_bytes value;   /* {NULL, -1} when null (a tombstone) */
    int32_t header_count;
    kfk_bytes headers; /* encoded; walk them with kfk_header_next */
} kfk_record;

typedef struct kfk_header_iter {
    kfk_rbuf r;
    int32_t left;
} kfk_header_iter;

static inline kfk_header_iter kfk_record_headers(const kfk_record *rec) {
    kfk_header_iter it = {kfk_rbuf_make(rec->headers.ptr, (size_t)rec->headers.len),
                          rec->header_count};
    return it;
}
/* 1 and the next header, or 0 after the last. The headers were checked when
 * the record was read, so this cannot fail. (Defined in batch_read.c.) */
int kfk_header_next(kfk_header_iter *it, kfk_record_header *h);

/* kfk_records_iter_init flags. */
#define KFK_RECORDS_SKIP_CRC 1 /* trust the checksums (the broker checked them) */

typedef struct kfk_records_iter {
    kfk_rbuf in;            /* bytes not yet split into batches */
    kfk_wbuf *zbuf;         /* decompression buffer; NULL refuses compressed batches */
    size_t max_decompressed; /* per batch; more is KFK_ERR_DECOMPRESS_LIMIT */
    int flags;
    int err;                /* sticky: the first error met */
    int in_batch;           /* batch holds an open batch */
    /* Set when the data ended inside a batch: Kafka cuts fetch responses at
     * the size limit, so this is normal, but a fetch that yields no batch
     * and is truncated means the limit is smaller than the next batch. */
    int truncated;
    kfk_batch batch; /* the current batch, after kfk_records_next_batch gave 1 */
} kfk_records_iter;

/* Starts reading data (not copied: it must outlive the iterator).
 * Compressed batches are decompressed into zbuf, which the caller owns and
 * may reuse across iterators. */
void kfk_records_iter_init(kfk_records_iter *it, const void *data, size_t len, kfk_wbuf *zbuf,
                           size_t max_decompressed, int flags);

/* Opens the next batch (skipping what is left of the current one): 1 and
 * it->batch, 0 at the end of the data (a trailing partial batch included),
 * or a negative kfk_err: KFK_ERR_MALFORMED, KFK_ERR_BAD_CRC,
 * KFK_ERR_UNKNOWN_CODEC, KFK_ERR_DECOMPRESS_LIMIT, KFK_ERR_BAD_COMPRESSION,
 * KFK_ERR_UNSUPPORTED_FEATURE (an unknown magic), KFK_ERR_INVALID_ARG (a
 * compressed batch and no zbuf), KFK_ERR_NOMEM. Errors are sticky: the data
 * after a bad batch cannot be trusted. */
int kfk_records_next_batch(kfk_records_iter *it);

/* The next record of the current batch: 1, 0 after its last, or an error. */
int kfk_records_next_in_batch(kfk_records_iter *it, kfk_record *rec);

/* The next record, opening batches as needed (it->batch describes the
 * record's batch): 1, 0 at the end of the data, or an error. */
int kfk_records_next(kfk_records_iter *it, kfk_record *rec);

#endif
