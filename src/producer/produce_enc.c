#include "producer/produce_enc.h"

#include <string.h>

#include "kfk.h"

/* Array and string lengths: compact (length + 1, unsigned varint) in
 * flexible versions, else int32 (arrays, bytes) or int16 (strings). */
static void put_len(kfk_wbuf *w, int64_t n, int flex, int wide) {
    if (flex)
        kfk_wr_uvarint(w, (uint32_t)(n + 1));
    else if (wide)
        kfk_wr_i32(w, (int32_t)n);
    else
        kfk_wr_i16(w, (int16_t)n);
}

static void put_piece(kfk_wbuf *w, kfk_frame_refs *refs, const uint8_t *p, size_t len) {
    if (len < KFK_PRODUCE_COPY_MAX || refs->count == refs->cap) {
        kfk_wr_raw(w, p, len);
        return;
    }
    refs->items[refs->count++] = (kfk_frame_ref){w->len, p, len};
}

/* The records field: its length, then the batch's own bytes with its
 * referenced values between them. */
static int put_records(kfk_wbuf *w, kfk_frame_refs *refs, const kfk_produce_part *pt, int flex) {
    const kfk_batch_refs *r = pt->refs;
    size_t total = pt->len + (r ? r->bytes : 0);
    if (total >= INT32_MAX) return KFK_ERR_MSG_TOO_LARGE;
    put_len(w, (int64_t)total, flex, 1);
    size_t own = 0;
    for (int32_t i = 0; r && i < r->count; i++) {
        put_piece(w, refs, pt->batch + own, r->items[i].at - own);
        put_piece(w, refs, r->items[i].ptr, r->items[i].len);
        own = r->items[i].at;
    }
    put_piece(w, refs, pt->batch + own, pt->len - own);
    return 0;
}

int kfk_produce_encode(kfk_wbuf *w, int16_t version, const void *msg, kfk_frame_refs *refs) {
    const kfk_produce_msg *m = msg;
    if (version < KFK_PRODUCE_MIN_VERSION || version > KFK_PRODUCE_MAX_VERSION)
        return KFK_ERR_UNSUPPORTED_VERSION;
    int flex = version >= 9;
    const kfk_str *tid = &m->transactional_id;
    put_len(w, tid->ptr ? tid->len : -1, flex, 0);
    if (tid->ptr) kfk_wr_raw(w, tid->ptr, (size_t)tid->len);
    kfk_wr_i16(w, m->acks);
    kfk_wr_i32(w, m->timeout_ms);
    put_len(w, m->count, flex, 1);
    for (int32_t t = 0; t < m->count; t++) {
        const kfk_produce_topic *tp = &m->topics[t];
        if (version > KFK_PRODUCE_MAX_NAMED) {
            kfk_wr_uuid(w, &tp->id);
        } else {
            put_len(w, tp->name.len, flex, 0);
            kfk_wr_raw(w, tp->name.ptr, (size_t)tp->name.len);
        }
        put_len(w, tp->count, flex, 1);
        for (int32_t i = 0; i < tp->count; i++) {
            kfk_wr_i32(w, tp->parts[i].index);
            int rc = put_records(w, refs, &tp->parts[i], flex);
            if (rc) return rc;
            if (flex) kfk_wr_uvarint(w, 0); /* tagged fields */
        }
        if (flex) kfk_wr_uvarint(w, 0);
    }
    if (flex) kfk_wr_uvarint(w, 0);
    return 0;
}

int16_t kfk_produce_max_version(const kfk_produce_msg *m) {
    for (int32_t t = 0; t < m->count; t++)
        if (kfk_uuid_is_zero(&m->topics[t].id)) return KFK_PRODUCE_MAX_NAMED;
    return KFK_PRODUCE_MAX_VERSION;
}

int32_t kfk_produce_find(const kfk_produce_msg *m, int16_t version,
                         const kfk_produce_response_topic_produce_response *tr, int32_t index) {
    int by_id = version > KFK_PRODUCE_MAX_NAMED;
    int32_t at = 0;
    for (int32_t t = 0; t < m->count; t++) {
        const kfk_produce_topic *tp = &m->topics[t];
        int same = by_id ? kfk_uuid_eq(&tp->id, &tr->topic_id)
                         : tp->name.len == tr->name.len &&
                               (tp->name.len == 0 ||
                                memcmp(tp->name.ptr, tr->name.ptr, (size_t)tp->name.len) == 0);
        for (int32_t i = 0; same && i < tp->count; i++)
            if (tp->parts[i].index == index) return at + i;
        at += tp->count;
    }
    return -1;
}
