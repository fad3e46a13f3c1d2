/* RecordBatch v2 decoder. Every length and count is checked against the
 * bytes that remain before anything is read or sized from it. */
#include "kfk.h"
#include "records/batch.h"
#include "records/crc32c.h"

/* The smallest record: length, attributes, timestampDelta, offsetDelta, key
 * length, value length and header count, one byte each. */
#define MIN_RECORD 7
/* The smallest header: key length and value length. */
#define MIN_HEADER 2

/* A varint length then the bytes; -1 is null, other negatives malformed. */
static kfk_bytes rd_bytes(kfk_rbuf *r) {
    int32_t n = kfk_rd_varint(r);
    if (n == -1) return (kfk_bytes){NULL, -1};
    const uint8_t *p = n >= 0 ? kfk_rbuf_take(r, (size_t)n) : kfk_rbuf_fail(r, KFK_ERR_MALFORMED);
    return p ? (kfk_bytes){p, n} : (kfk_bytes){NULL, -1};
}

static void rd_header(kfk_rbuf *r, kfk_record_header *h) {
    kfk_bytes key = rd_bytes(r);
    if (key.len < 0) kfk_rbuf_fail(r, KFK_ERR_MALFORMED); /* header keys are never null */
    h->key = (kfk_str){(const char *)key.ptr, key.len};
    h->value = rd_bytes(r);
}

int kfk_header_next(kfk_header_iter *it, kfk_record_header *h) {
    if (it->left <= 0) return 0;
    it->left--;
    rd_header(&it->r, h);
    return 1;
}

int kfk_control_type(kfk_bytes key) {
    if (key.len < 4) return KFK_ERR_MALFORMED;
    kfk_rbuf r = kfk_rbuf_make(key.ptr, 4);
    kfk_rd_i16(&r); /* version: every one so far has the type next */
    int16_t type = kfk_rd_i16(&r);
    return type < 0 ? KFK_ERR_MALFORMED : type;
}

int kfk_batch_v2_open(kfk_records_iter *it, const uint8_t *frame, size_t len) {
    kfk_batch *b = &it->batch;
    if (len < KFK_BATCH_OVERHEAD) return KFK_ERR_MALFORMED;
    kfk_rbuf r = kfk_rbuf_make(frame, KFK_BATCH_OVERHEAD);
    b->base_offset = kfk_rd_i64(&r);
    kfk_rd_i32(&r); /* batchLength: len, as the caller framed it */
    b->partition_leader_epoch = kfk_rd_i32(&r);
    b->magic = kfk_rd_i8(&r);
    uint32_t crc = kfk_rd_u32(&r);
    b->attributes = kfk_rd_i16(&r);
    int32_t last_delta = kfk_rd_i32(&r);
    b->base_timestamp = kfk_rd_i64(&r);
    b->max_timestamp = kfk_rd_i64(&r);
    b->producer_id = kfk_rd_i64(&r);
    b->producer_epoch = kfk_rd_i16(&r);
    b->base_sequence = kfk_rd_i32(&r);
    b->count = kfk_rd_i32(&r);
    b->last_offset = (int64_t)((uint64_t)b->base_offset + (uint64_t)(int64_t)last_delta);
    b->offset_adjust = 0;
    if (!(it->flags & KFK_RECORDS_SKIP_CRC) && kfk_crc32c(0, frame + 21, len - 21) != crc)
        return KFK_ERR_BAD_CRC;
    if (b->count < 0) return KFK_ERR_MALFORMED;
    kfk_codec codec = kfk_batch_codec(b);
    if (codec > KFK_CODEC_ZSTD) return KFK_ERR_UNKNOWN_CODEC;

    const uint8_t *recs = frame + KFK_BATCH_OVERHEAD;
    size_t n = len - KFK_BATCH_OVERHEAD;
    if (b->count == 0) {
        n = 0; /* compaction can empty a batch; what follows is not records */
    } else if (codec != KFK_CODEC_NONE) {
        if (!it->zbuf) return KFK_ERR_INVALID_ARG;
        it->zbuf->len = 0;
        it->zbuf->err = 0;
        int rc = kfk_decompress(codec, recs, n, it->max_decompressed, it->zbuf);
        if (rc) return rc;
        recs = it->zbuf->data;
        n = it->zbuf->len;
    }
    if ((size_t)b->count > n / MIN_RECORD) return KFK_ERR_MALFORMED;
    b->recs = kfk_rbuf_make(recs, n);
    b->left = b->count;
    return 0;
}

int kfk_batch_v2_next(kfk_records_iter *it, kfk_record *rec) {
    kfk_batch *b = &it->batch;
    kfk_rbuf *r = &b->recs;
    if (b->left == 0) return kfk_rbuf_left(r) ? KFK_ERR_MALFORMED : 0; /* bytes past the count */
    int32_t len = kfk_rd_varint(r);
    if (r->err || len < 0 || (size_t)len > kfk_rbuf_left(r)) return KFK_ERR_MALFORMED;
    kfk_rbuf body = kfk_rbuf_make(r->p, (size_t)len);
    r->p += len;

    kfk_rd_i8(&body); /* record attributes: none defined */
    int64_t ts_delta = kfk_rd_varlong(&body);
    int32_t offset_delta = kfk_rd_varint(&body);
    rec->key = rd_bytes(&body);
    rec->value = rd_bytes(&body);
    int32_t header_count = kfk_rd_varint(&body);
    const uint8_t *headers = body.p;
    if (header_count < 0 || (size_t)header_count > kfk_rbuf_left(&body) / MIN_HEADER)
        return KFK_ERR_MALFORMED;
    for (int32_t i = 0; i < header_count; i++) {
        kfk_record_header h;
        rd_header(&body, &h);
    }
    /* A record must end exactly where its length says. */
    if (body.err || kfk_rbuf_left(&body)) return KFK_ERR_MALFORMED;

    rec->header_count = header_count;
    rec->headers = (kfk_bytes){headers, (int32_t)(body.p - headers)};
    rec->offset = (int64_t)((uint64_t)b->base_offset + (uint64_t)(int64_t)offset_delta);
    rec->timestamp = b->attributes & KFK_ATTR_LOG_APPEND_TIME
                         ? b->max_timestamp
                         : (int64_t)((uint64_t)b->base_timestamp + (uint64_t)ts_delta);
    b->left--;
    return 1;
}
