/* Legacy MessageSet (magic 0 and 1) decoder. A plain message is a batch of
 * one record; a compressed one is a batch of its inner messages, which are
 * decompressed and walked once up front: magic 1 needs the last inner
 * offset to make the others absolute. */
#include <zlib.h>

#include "kfk.h"
#include "records/msgset.h"

/* size counts crc, magic, attributes, key length and value length at least. */
#define MIN_SIZE (KFK_MSG_OVERHEAD_V0 - 12)

typedef struct message {
    int64_t offset;
    int8_t magic;
    int8_t attributes;
    int64_t timestamp;
    kfk_bytes key;
    kfk_bytes value;
} message;

/* An int32 length then the bytes; -1 is null, other negatives malformed. */
static kfk_bytes rd_bytes(kfk_rbuf *r) {
    int32_t n = kfk_rd_i32(r);
    if (n == -1) return (kfk_bytes){NULL, -1};
    const uint8_t *p = n >= 0 ? kfk_rbuf_take(r, (size_t)n) : kfk_rbuf_fail(r, KFK_ERR_MALFORMED);
    return p ? (kfk_bytes){p, n} : (kfk_bytes){NULL, -1};
}

/* Reads the message at r; checks its CRC when asked. */
static int rd_message(kfk_rbuf *r, int check_crc, message *m) {
    m->offset = kfk_rd_i64(r);
    int32_t size = kfk_rd_i32(r);
    if (r->err || size < MIN_SIZE || (size_t)size > kfk_rbuf_left(r)) return KFK_ERR_MALFORMED;
    kfk_rbuf body = kfk_rbuf_make(r->p, (size_t)size);
    r->p += size;
    uint32_t crc = kfk_rd_u32(&body);
    if (check_crc && crc32(0, body.p, (uInt)(size - 4)) != crc) return KFK_ERR_BAD_CRC;
    m->magic = kfk_rd_i8(&body);
    m->attributes = kfk_rd_i8(&body);
    if (m->magic != 0 && m->magic != 1) return KFK_ERR_MALFORMED;
    m->timestamp = m->magic ? kfk_rd_i64(&body) : -1;
    m->key = rd_bytes(&body);
    m->value = rd_bytes(&body);
    if (body.err || kfk_rbuf_left(&body)) return KFK_ERR_MALFORMED;
    return 0;
}

/* Decompresses the wrapper's value and checks the framing of the inner
 * messages: same magic as the wrapper, none compressed again, at least one. */
static int open_wrapper(kfk_records_iter *it, const message *w) {
    kfk_batch *b = &it->batch;
    if (kfk_batch_codec(b) > KFK_CODEC_LZ4) return KFK_ERR_UNKNOWN_CODEC;
    if (w->value.len < 0) return KFK_ERR_MALFORMED;
    if (!it->zbuf) return KFK_ERR_INVALID_ARG;
    it->zbuf->len = 0;
    it->zbuf->err = 0;
    int rc = kfk_decompress(kfk_batch_codec(b), w->value.ptr, (size_t)w->value.len,
                            it->max_decompressed, it->zbuf);
    if (rc) return rc;
    if (!it->zbuf->len) return KFK_ERR_MALFORMED;
    kfk_rbuf scan = kfk_rbuf_make(it->zbuf->data, it->zbuf->len);
    int64_t first = 0, last = 0;
    int32_t count = 0;
    while (kfk_rbuf_left(&scan)) {
        int64_t offset = kfk_rd_i64(&scan);
        int32_t size = kfk_rd_i32(&scan);
        if (scan.err || size < MIN_SIZE || (size_t)size > kfk_rbuf_left(&scan))
            return KFK_ERR_MALFORMED;
        if ((int8_t)scan.p[4] != w->magic || (scan.p[5] & KFK_ATTR_CODEC_MASK))
            return KFK_ERR_MALFORMED;
        scan.p += size;
        if (count == INT32_MAX) return KFK_ERR_MALFORMED;
        if (!count++) first = offset;
        last = offset;
    }
    if (w->magic == 1) b->offset_adjust = (int64_t)((uint64_t)w->offset - (uint64_t)last);
    b->base_offset = (int64_t)((uint64_t)first + (uint64_t)b->offset_adjust);
    b->count = count;
    b->recs = kfk_rbuf_make(it->zbuf->data, it->zbuf->len);
    return 0;
}

int kfk_msgset_open(kfk_records_iter *it, const uint8_t *frame, size_t len) {
    kfk_batch *b = &it->batch;
    kfk_rbuf r = kfk_rbuf_make(frame, len);
    message m;
    int rc = rd_message(&r, !(it->flags & KFK_RECORDS_SKIP_CRC), &m);
    if (rc) return rc;
    /* Magic 0 has no timestamp type bit, and neither has transactions. */
    int attr_mask = m.magic ? KFK_ATTR_CODEC_MASK | KFK_ATTR_LOG_APPEND_TIME : KFK_ATTR_CODEC_MASK;
    *b = (kfk_batch){
        .base_offset = m.offset,
        .last_offset = m.offset,
        .partition_leader_epoch = -1,
        .magic = m.magic,
        .attributes = (int16_t)(m.attributes & attr_mask),
        .base_timestamp = m.timestamp,
        .max_timestamp = m.timestamp,
        .producer_id = -1,
        .producer_epoch = -1,
        .base_sequence = -1,
        .count = 1,
        .recs = kfk_rbuf_make(frame, len),
    };
    if (kfk_batch_codec(b) != KFK_CODEC_NONE && (rc = open_wrapper(it, &m))) return rc;
    b->left = b->count;
    return 0;
}

int kfk_msgset_next(kfk_records_iter *it, kfk_record *rec) {
    kfk_batch *b = &it->batch;
    if (b->left == 0) return 0;
    /* A plain message's CRC was checked when it was opened. */
    int inner = kfk_batch_codec(b) != KFK_CODEC_NONE;
    message m;
    int rc = rd_message(&b->recs, inner && !(it->flags & KFK_RECORDS_SKIP_CRC), &m);
    if (rc) return rc;
    rec->offset = (int64_t)((uint64_t)m.offset + (uint64_t)b->offset_adjust);
    rec->timestamp = b->attributes & KFK_ATTR_LOG_APPEND_TIME ? b->max_timestamp : m.timestamp;
    rec->key = m.key;
    rec->value = m.value;
    rec->header_count = 0;
    rec->headers = (kfk_bytes){b->recs.p, 0}; /* empty, but not NULL: it seeds a reader */
    b->left--;
    return 1;
}
