/* RecordBatch v2 builder: the producer's hot path. Record sizes are worked
 * out first so each record is written in one pass into space reserved once. */
#include "records/batch.h"

#include "core/alloc.h"
#include "kfk.h"
#include "records/crc32c.h"

#define ATTR_FLAGS                                                                             \
    (KFK_ATTR_LOG_APPEND_TIME | KFK_ATTR_TRANSACTIONAL | KFK_ATTR_CONTROL |                    \
     KFK_ATTR_DELETE_HORIZON)

int64_t kfk_record_fixed_size_any(kfk_bytes key, kfk_bytes value,
                                  const kfk_record_header *headers, size_t header_count) {
    if (key.len < -1 || value.len < -1 || header_count > INT32_MAX) return KFK_ERR_INVALID_ARG;
    uint64_t n = 1 + (uint64_t)kfk_varint_size(key.len) + kfk_record_nonneg(key.len) +
                 kfk_varint_size(value.len) + kfk_record_nonneg(value.len) +
                 kfk_varint_size((int64_t)header_count);
    for (size_t i = 0; i < header_count; i++) {
        const kfk_record_header *h = &headers[i];
        if (h->key.len < 0 || h->value.len < -1) return KFK_ERR_INVALID_ARG;
        n += (uint64_t)kfk_varint_size(h->key.len) + (size_t)h->key.len +
             kfk_varint_size(h->value.len) + kfk_record_nonneg(h->value.len);
    }
    return n > INT32_MAX ? KFK_ERR_MSG_TOO_LARGE : (int64_t)n;
}

int kfk_batch_builder_init(kfk_batch_builder *b, kfk_wbuf *out) {
    *b = (kfk_batch_builder){out, out->len, 0, 0, 0, NULL};
    if (!kfk_wbuf_put(out, KFK_BATCH_OVERHEAD)) return out->err ? out->err : KFK_ERR_NOMEM;
    return 0;
}

void kfk_batch_builder_use_refs(kfk_batch_builder *b, kfk_batch_refs *refs) {
    refs->count = 0;
    refs->bytes = 0;
    b->refs = refs;
}

int64_t kfk_batch_record_size(const kfk_batch_builder *b, int64_t timestamp, kfk_bytes key,
                              kfk_bytes value, const kfk_record_header *headers,
                              size_t header_count) {
    int64_t fixed = kfk_record_fixed_size(key, value, headers, header_count), body;
    return fixed < 0 ? fixed : kfk_batch_record_size_fixed(b, timestamp, fixed, &body);
}

static int refs_room(kfk_batch_refs *r) {
    if (r->count < r->cap) return 0;
    int32_t cap = r->cap ? r->cap * 2 : 16;
    kfk_batch_ref *items = kfk_realloc(r->items, (size_t)cap * sizeof *items);
    if (!items) return KFK_ERR_NOMEM;
    r->items = items;
    r->cap = cap;
    return 0;
}

int kfk_batch_append_sized_any(kfk_batch_builder *b, int64_t timestamp, kfk_bytes key,
                           kfk_bytes value, const kfk_record_header *headers, size_t header_count,
                           int64_t body, int64_t total, int by_ref) {
    int64_t ts_delta = b->count ? (int64_t)((uint64_t)timestamp - (uint64_t)b->base_timestamp) : 0;
    int rc;
    if (by_ref && (!b->refs || value.len <= 0)) return KFK_ERR_INVALID_ARG;
    if (by_ref && (rc = refs_room(b->refs))) return rc;
    size_t skip = by_ref ? (size_t)value.len : 0;
    uint8_t *p = kfk_wbuf_put(b->out, (size_t)total - skip);
    if (!p) return b->out->err ? b->out->err : KFK_ERR_NOMEM;
    p = kfk_batch_put_varint(p, body);
    *p++ = 0; /* record attributes: none defined */
    p = kfk_batch_put_varint(p, ts_delta);
    p = kfk_batch_put_varint(p, b->count); /* offsetDelta */
    p = kfk_batch_put_bytes(p, key.ptr, key.len);
    if (by_ref) {
        p = kfk_batch_put_varint(p, value.len);
        size_t at = (size_t)(p - b->out->data) - b->start;
        b->refs->items[b->refs->count++] = (kfk_batch_ref){at, value.ptr, skip};
        b->refs->bytes += skip;
    } else {
        p = kfk_batch_put_bytes(p, value.ptr, value.len);
    }
    p = kfk_batch_put_varint(p, (int64_t)header_count);
    for (size_t i = 0; i < header_count; i++) {
        p = kfk_batch_put_bytes(p, headers[i].key.ptr, headers[i].key.len);
        p = kfk_batch_put_bytes(p, headers[i].value.ptr, headers[i].value.len);
    }
    if (b->count == 0)
        b->base_timestamp = b->max_timestamp = timestamp;
    else if (timestamp > b->max_timestamp)
        b->max_timestamp = timestamp;
    b->count++;
    return (int)total;
}

static int append(kfk_batch_builder *b, int64_t timestamp, kfk_bytes key, kfk_bytes value,
                  const kfk_record_header *headers, size_t header_count, int by_ref) {
    int64_t fixed = kfk_record_fixed_size(key, value, headers, header_count);
    if (fixed < 0) return (int)fixed;
    int64_t body, total = kfk_batch_record_size_fixed(b, timestamp, fixed, &body);
    if (total < 0) return (int)total;
    return kfk_batch_append_sized_any(b, timestamp, key, value, headers, header_count, body,
                                      total, by_ref);
}

int kfk_batch_append(kfk_batch_builder *b, int64_t timestamp, kfk_bytes key, kfk_bytes value,
                     const kfk_record_header *headers, size_t header_count) {
    return append(b, timestamp, key, value, headers, header_count, 0);
}

int kfk_batch_append_ref(kfk_batch_builder *b, int64_t timestamp, kfk_bytes key, kfk_bytes value,
                         const kfk_record_header *headers, size_t header_count) {
    return append(b, timestamp, key, value, headers, header_count, 1);
}

/* Replaces the records with their compressed form. The compressor appends
 * to a wbuf, and out may move as it grows, so it goes through scratch. */
static int compress_records(kfk_batch_builder *b, const kfk_batch_opts *o, kfk_wbuf *scratch) {
    kfk_wbuf tmp = {0}, *z = scratch ? scratch : &tmp;
    kfk_wbuf *out = b->out;
    size_t recs = b->start + KFK_BATCH_OVERHEAD, plain = out->len - recs;
    z->len = 0;
    z->err = 0;
    int rc = kfk_compress(o->codec, o->level, out->data + recs, plain, z);
    if (!rc && KFK_BATCH_OVERHEAD + z->len > KFK_BATCH_MAX) rc = KFK_ERR_MSG_TOO_LARGE;
    /* Grow before cutting, so a failure leaves the records in place. */
    if (!rc && z->len > plain) rc = kfk_wbuf_reserve(out, z->len - plain);
    if (!rc) {
        out->len = recs;
        kfk_wr_raw(out, z->data, z->len);
    }
    kfk_wbuf_free(&tmp);
    return rc;
}

int kfk_batch_finish(kfk_batch_builder *b, const kfk_batch_opts *o, kfk_wbuf *scratch) {
    kfk_wbuf *out = b->out;
    if (out->err) return out->err;
    if (!b->count || (o->flags & ~ATTR_FLAGS)) return KFK_ERR_INVALID_ARG;
    if ((unsigned)o->codec > KFK_CODEC_ZSTD) return KFK_ERR_UNKNOWN_CODEC;
    int nrefs = b->refs ? b->refs->count : 0;
    if (o->codec != KFK_CODEC_NONE) {
        if (nrefs) return KFK_ERR_INVALID_ARG;
        int rc = compress_records(b, o, scratch);
        if (rc) return rc;
    }
    uint8_t *h = out->data + b->start;
    size_t len = out->len - b->start;
    kfk_put_u64(h, (uint64_t)o->base_offset);
    kfk_put_u32(h + 8, (uint32_t)(kfk_batch_builder_size(b) - 12));
    kfk_put_u32(h + 12, (uint32_t)o->partition_leader_epoch);
    h[16] = 2; /* magic */
    kfk_put_u16(h + 21, (uint16_t)((unsigned)o->codec | (unsigned)o->flags));
    kfk_put_u32(h + 23, (uint32_t)(b->count - 1)); /* lastOffsetDelta */
    kfk_put_u64(h + 27, (uint64_t)b->base_timestamp);
    kfk_put_u64(h + 35, (uint64_t)b->max_timestamp);
    kfk_put_u64(h + 43, (uint64_t)o->producer_id);
    kfk_put_u16(h + 51, (uint16_t)o->producer_epoch);
    kfk_put_u32(h + 53, (uint32_t)o->base_sequence);
    kfk_put_u32(h + 57, (uint32_t)b->count);
    /* The CRC covers attributes to the end, so it goes in last. */
    kfk_put_u32(h + 17, kfk_batch_crc(h, len, nrefs ? b->refs : NULL));
    return 0;
}

uint32_t kfk_batch_crc(const uint8_t *batch, size_t len, const kfk_batch_refs *refs) {
    uint32_t crc = 0;
    size_t own = 21; /* attributes */
    for (int32_t i = 0; refs && i < refs->count; i++) {
        const kfk_batch_ref *r = &refs->items[i];
        crc = kfk_crc32c(crc, batch + own, r->at - own);
        crc = kfk_crc32c(crc, r->ptr, r->len);
        own = r->at;
    }
    return kfk_crc32c(crc, batch + own, len - own);
}

int kfk_batch_flatten(const uint8_t *batch, size_t len, const kfk_batch_refs *refs,
                      kfk_wbuf *out) {
    size_t own = 0;
    for (int32_t i = 0; refs && i < refs->count; i++) {
        kfk_wr_raw(out, batch + own, refs->items[i].at - own);
        kfk_wr_raw(out, refs->items[i].ptr, refs->items[i].len);
        own = refs->items[i].at;
    }
    kfk_wr_raw(out, batch + own, len - own);
    return out->err ? out->err : 0;
}
