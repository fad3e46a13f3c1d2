/* RecordBatch v2 decoder (its per-record part is inline in batch.h). Every
 * length and count is checked against the bytes that remain before
 * anything is read or sized from it. */
#include "kfk.h"
#include "records/batch.h"
#include "records/crc32c.h"

/* The smallest record: its length, a byte, and the smallest body. */
#define MIN_RECORD (1 + KFK_MIN_RECORD_BODY)

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

const uint8_t *kfk_batch_v2_headers(const uint8_t *p, const uint8_t *end, int32_t count) {
    for (int32_t i = 0; i < count && p; i++) {
        kfk_bytes key, value;
        p = kfk_batch_v2_bytes(p, end, &key);
        if (p && key.len < 0) return NULL; /* header keys are never null */
        if (p) p = kfk_batch_v2_bytes(p, end, &value);
    }
    return p;
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

int kfk_batch_v2_next_checked(kfk_records_iter *it, kfk_record *rec) {
    kfk_batch *b = &it->batch;
    const uint8_t *p = b->recs.p, *end = b->recs.end;
    if (b->left == 0) return p != end ? KFK_ERR_MALFORMED : 0; /* bytes past the count */
    int32_t len, offset_delta, header_count;
    int64_t ts_delta;
    if (!(p = kfk_dec_varint(p, end, &len)) || len < KFK_MIN_RECORD_BODY || len > end - p)
        return KFK_ERR_MALFORMED;
    const uint8_t *rend = p + len;
    /* p[0]: record attributes, none defined */
    if (!(p = kfk_dec_varlong(p + 1, rend, &ts_delta)) ||
        !(p = kfk_dec_varint(p, rend, &offset_delta)) ||
        !(p = kfk_batch_v2_bytes(p, rend, &rec->key)) ||
        !(p = kfk_batch_v2_bytes(p, rend, &rec->value)) ||
        !(p = kfk_dec_varint(p, rend, &header_count)) || header_count < 0)
        return KFK_ERR_MALFORMED;
    const uint8_t *headers = p;
    /* a record ends exactly where its length says */
    if (kfk_batch_v2_headers(p, rend, header_count) != rend) return KFK_ERR_MALFORMED;
    rec->header_count = header_count;
    rec->headers = (kfk_bytes){headers, (int32_t)(rend - headers)};
    kfk_batch_v2_place(b, rec, offset_delta, ts_delta);
    b->recs.p = rend;
    b->left--;
    return 1;
}
