/* Legacy MessageSet (magic 0 and 1) encoder. */
#include "records/msgset.h"

#include <zlib.h>

#include "kfk.h"

/* The most a message or a set may take: its size field is an int32. */
#define MAX_SET ((size_t)INT32_MAX)

static inline uint8_t *put_bytes(uint8_t *p, kfk_bytes b) {
    kfk_put_u32(p, (uint32_t)b.len);
    p += 4;
    if (b.len > 0) {
        memcpy(p, b.ptr, (size_t)b.len);
        p += b.len;
    }
    return p;
}

/* Writes one message into space the caller checked it may take. */
static void put_message(kfk_wbuf *out, int8_t magic, int8_t attributes, int64_t offset,
                        int64_t timestamp, kfk_bytes key, kfk_bytes value) {
    size_t len = kfk_msgset_message_size(magic, key.len, value.len);
    uint8_t *m = kfk_wbuf_put(out, len);
    if (!m) return;
    uint8_t *p = m + 16;
    kfk_put_u64(m, (uint64_t)offset);
    kfk_put_u32(m + 8, (uint32_t)(len - 12));
    *p++ = (uint8_t)magic;
    *p++ = (uint8_t)attributes;
    if (magic) {
        kfk_put_u64(p, (uint64_t)timestamp);
        p += 8;
    }
    p = put_bytes(p, key);
    put_bytes(p, value);
    kfk_put_u32(m + 12, (uint32_t)crc32(0, m + 16, (uInt)(len - 16)));
}

int kfk_msgset_builder_init(kfk_msgset_builder *b, kfk_wbuf *out, int8_t magic, kfk_codec codec,
                            int level, int64_t base_offset) {
    if ((magic != 0 && magic != 1) || (unsigned)codec > KFK_CODEC_LZ4) return KFK_ERR_INVALID_ARG;
    *b = (kfk_msgset_builder){out, out->len, magic, codec, level, base_offset, 0, -1};
    return 0;
}

int kfk_msgset_append(kfk_msgset_builder *b, int64_t timestamp, kfk_bytes key, kfk_bytes value) {
    if (key.len < -1 || value.len < -1) return KFK_ERR_INVALID_ARG;
    size_t len = kfk_msgset_message_size(b->magic, key.len, value.len);
    if (b->out->len - b->start + len > MAX_SET) return KFK_ERR_MSG_TOO_LARGE;
    int relative = b->codec != KFK_CODEC_NONE && b->magic == 1;
    int64_t offset = (relative ? 0 : b->base_offset) + b->count;
    put_message(b->out, b->magic, 0, offset, timestamp, key, value);
    if (b->out->err) return b->out->err;
    if (timestamp > b->max_timestamp) b->max_timestamp = timestamp;
    b->count++;
    return (int)len;
}

int kfk_msgset_finish(kfk_msgset_builder *b, kfk_wbuf *scratch) {
    kfk_wbuf *out = b->out;
    if (out->err) return out->err;
    if (!b->count) return KFK_ERR_INVALID_ARG;
    if (b->codec == KFK_CODEC_NONE) return 0;
    kfk_wbuf tmp = {0}, *z = scratch ? scratch : &tmp;
    z->len = 0;
    z->err = 0;
    size_t plain = out->len - b->start;
    int rc = kfk_compress(b->codec, b->level, out->data + b->start, plain, z);
    size_t len = kfk_msgset_message_size(b->magic, -1, 0) + z->len;
    if (!rc && len > MAX_SET) rc = KFK_ERR_MSG_TOO_LARGE;
    /* Grow before cutting, so a failure leaves the messages in place. */
    if (!rc && len > plain) rc = kfk_wbuf_reserve(out, len - plain);
    if (!rc) {
        out->len = b->start;
        kfk_bytes value = {z->data, (int32_t)z->len};
        /* The wrapper takes the last inner message's offset and the newest timestamp. */
        put_message(out, b->magic, (int8_t)b->codec, b->base_offset + b->count - 1,
                    b->max_timestamp, (kfk_bytes){NULL, -1}, value);
    }
    kfk_wbuf_free(&tmp);
    return rc;
}
