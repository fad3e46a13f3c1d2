/* Bounded byte readers and growable writers for the wire protocol.
 * Kafka integers are big-endian; varints are zig-zag (signed) or plain
 * unsigned LEB128. A reader never reads past its end: the first failed
 * read sets `err` and every later read returns zero, so decoders check once
 * at the end instead of after every field. */
#ifndef KFK_BUF_H
#define KFK_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A string or byte slice. `ptr == NULL` with `len == -1` is Kafka's null.
 * Decoded slices point into the input buffer: they are never copied. */
typedef struct kfk_str {
    const char *ptr;
    int32_t len;
} kfk_str;

/* s as a kfk_str, not copied; NULL gives Kafka's null. */
static inline kfk_str kfk_str_of(const char *s) {
    return s ? (kfk_str){s, (int32_t)strlen(s)} : (kfk_str){NULL, -1};
}

/* 1 if s (not null) is the C string z. */
static inline int kfk_str_eq(kfk_str s, const char *z) {
    return s.len >= 0 && strlen(z) == (size_t)s.len && memcmp(s.ptr, z, (size_t)s.len) == 0;
}

typedef struct kfk_bytes {
    const uint8_t *ptr;
    int32_t len;
} kfk_bytes;

typedef struct kfk_uuid {
    uint8_t b[16];
} kfk_uuid;

/* All zero: no id (before Metadata v10, or none known). */
static inline int kfk_uuid_is_zero(const kfk_uuid *u) {
    static const kfk_uuid zero;
    return memcmp(u, &zero, sizeof zero) == 0;
}
static inline int kfk_uuid_eq(const kfk_uuid *a, const kfk_uuid *b) {
    return memcmp(a, b, sizeof *a) == 0;
}

typedef struct kfk_rbuf {
    const uint8_t *p;
    const uint8_t *end;
    int err; /* 0, or the first kfk_err (negative) met */
} kfk_rbuf;

typedef struct kfk_wbuf {
    uint8_t *data;
    size_t len;
    size_t cap;
    int err; /* set when growing failed; later writes do nothing */
} kfk_wbuf;

static inline kfk_rbuf kfk_rbuf_make(const void *p, size_t len) {
    kfk_rbuf r = {(const uint8_t *)p, (const uint8_t *)p + len, 0};
    return r;
}

static inline size_t kfk_rbuf_left(const kfk_rbuf *r) { return (size_t)(r->end - r->p); }

/* Marks the reader failed; returns NULL so callers can `return kfk_rbuf_fail(r)`. */
void *kfk_rbuf_fail(kfk_rbuf *r, int err);

/* Returns a pointer to the next n bytes and advances, or NULL (and sets err). */
static inline const uint8_t *kfk_rbuf_take(kfk_rbuf *r, size_t n) {
    if (r->err || kfk_rbuf_left(r) < n) {
        if (!r->err) kfk_rbuf_fail(r, 0);
        return NULL;
    }
    const uint8_t *p = r->p;
    r->p += n;
    return p;
}

static inline uint8_t kfk_rd_u8(kfk_rbuf *r) {
    const uint8_t *p = kfk_rbuf_take(r, 1);
    return p ? p[0] : 0;
}
static inline int8_t kfk_rd_i8(kfk_rbuf *r) { return (int8_t)kfk_rd_u8(r); }
static inline uint16_t kfk_rd_u16(kfk_rbuf *r) {
    const uint8_t *p = kfk_rbuf_take(r, 2);
    return p ? (uint16_t)((p[0] << 8) | p[1]) : 0;
}
static inline int16_t kfk_rd_i16(kfk_rbuf *r) { return (int16_t)kfk_rd_u16(r); }
static inline uint32_t kfk_rd_u32(kfk_rbuf *r) {
    const uint8_t *p = kfk_rbuf_take(r, 4);
    return p ? ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3] : 0;
}
static inline int32_t kfk_rd_i32(kfk_rbuf *r) { return (int32_t)kfk_rd_u32(r); }
static inline uint64_t kfk_rd_u64(kfk_rbuf *r) {
    uint64_t hi = kfk_rd_u32(r);
    return (hi << 32) | kfk_rd_u32(r);
}
static inline int64_t kfk_rd_i64(kfk_rbuf *r) { return (int64_t)kfk_rd_u64(r); }
double kfk_rd_f64(kfk_rbuf *r);

/* Varint decoders over the bytes [p, end), for the hot paths that keep
 * their cursor in a register: the byte after the varint, with its value in
 * *v, or NULL (and 0 in *v) when the bytes end first or the varint runs
 * longer than its type allows. Unsigned LEB128, at most 5 bytes for 32 bits
 * (bits past the 32nd dropped, as Kafka does) and 10 for 64. One and two
 * bytes, most lengths, counts and deltas, are decoded inline. */
const uint8_t *kfk_dec_uvar_long(const uint8_t *p, const uint8_t *end, uint64_t *v, int max);
static inline const uint8_t *kfk_dec_uvar(const uint8_t *p, const uint8_t *end, uint64_t *v,
                                          int max) {
    if (p < end) {
        if (p[0] < 0x80) {
            *v = p[0];
            return p + 1;
        }
        if (end - p >= 2 && p[1] < 0x80) {
            *v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
            return p + 2;
        }
    }
    return kfk_dec_uvar_long(p, end, v, max);
}
static inline const uint8_t *kfk_dec_uvarlong(const uint8_t *p, const uint8_t *end,
                                              uint64_t *v) {
    return kfk_dec_uvar(p, end, v, 10);
}
static inline const uint8_t *kfk_dec_uvarint(const uint8_t *p, const uint8_t *end,
                                             uint32_t *v) {
    uint64_t u;
    p = kfk_dec_uvar(p, end, &u, 5);
    *v = (uint32_t)u;
    return p;
}
static inline int32_t kfk_zigzag32(uint32_t u) { return (int32_t)((u >> 1) ^ (~(u & 1) + 1)); }
static inline int64_t kfk_zigzag64(uint64_t u) { return (int64_t)((u >> 1) ^ (~(u & 1) + 1)); }
static inline const uint8_t *kfk_dec_varint(const uint8_t *p, const uint8_t *end, int32_t *v) {
    uint32_t u;
    p = kfk_dec_uvarint(p, end, &u);
    *v = kfk_zigzag32(u);
    return p;
}
static inline const uint8_t *kfk_dec_varlong(const uint8_t *p, const uint8_t *end, int64_t *v) {
    uint64_t u;
    p = kfk_dec_uvarlong(p, end, &u);
    *v = kfk_zigzag64(u);
    return p;
}

/* As kfk_dec_uvarint and kfk_dec_uvarlong, where the caller knows that at
 * least 5 (10) bytes follow p: no end check. A varint longer than its type
 * allows sets *bad and ends max bytes on. */
static inline const uint8_t *kfk_dec_uvar_unchecked(const uint8_t *p, uint64_t *v, int max,
                                                    int *bad) {
    if (p[0] < 0x80) {
        *v = p[0];
        return p + 1;
    }
    if (p[1] < 0x80) {
        *v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
        return p + 2;
    }
    const uint8_t *q = kfk_dec_uvar_long(p, p + max, v, max);
    if (q) return q;
    *bad = 1;
    return p + max;
}
static inline const uint8_t *kfk_dec_uvarint_unchecked(const uint8_t *p, uint32_t *v, int *bad) {
    uint64_t u;
    p = kfk_dec_uvar_unchecked(p, &u, 5, bad);
    *v = (uint32_t)u;
    return p;
}
static inline const uint8_t *kfk_dec_uvarlong_unchecked(const uint8_t *p, uint64_t *v,
                                                        int *bad) {
    return kfk_dec_uvar_unchecked(p, v, 10, bad);
}

/* The same on a reader (failing it on a bad varint). */
static inline uint32_t kfk_rd_uvarint(kfk_rbuf *r) {
    uint32_t v;
    const uint8_t *p = kfk_dec_uvarint(r->p, r->end, &v);
    if (!p) {
        kfk_rbuf_fail(r, 0); /* KFK_ERR_MALFORMED */
        return 0;
    }
    r->p = p;
    return v;
}
static inline uint64_t kfk_rd_uvarlong(kfk_rbuf *r) {
    uint64_t v;
    const uint8_t *p = kfk_dec_uvarlong(r->p, r->end, &v);
    if (!p) {
        kfk_rbuf_fail(r, 0); /* KFK_ERR_MALFORMED */
        return 0;
    }
    r->p = p;
    return v;
}
static inline int32_t kfk_rd_varint(kfk_rbuf *r) { return kfk_zigzag32(kfk_rd_uvarint(r)); }
static inline int64_t kfk_rd_varlong(kfk_rbuf *r) { return kfk_zigzag64(kfk_rd_uvarlong(r)); }
kfk_uuid kfk_rd_uuid(kfk_rbuf *r);

/* Writer. Buffers start empty ({0}) and grow through the kfk allocator. */
int kfk_wbuf_reserve(kfk_wbuf *w, size_t extra);
/* Grows w's capacity to exactly cap bytes, for a caller that knows how far
 * the buffer will go (reserve doubles): 0 (also when it has that much
 * already) or KFK_ERR_NOMEM, which sets err. */
int kfk_wbuf_grow_to(kfk_wbuf *w, size_t cap);
void kfk_wbuf_free(kfk_wbuf *w);
/* Hands the bytes to the caller (who frees them with kfk_free) and resets w. */
uint8_t *kfk_wbuf_detach(kfk_wbuf *w, size_t *len);

static inline uint8_t *kfk_wbuf_put(kfk_wbuf *w, size_t n) {
    /* An empty buffer allocates even for n == 0: NULL + 0 is undefined. */
    if (w->err || ((w->cap - w->len < n || !w->data) && kfk_wbuf_reserve(w, n) != 0)) return NULL;
    uint8_t *p = w->data + w->len;
    w->len += n;
    return p;
}
static inline void kfk_wr_raw(kfk_wbuf *w, const void *src, size_t n) {
    uint8_t *p = kfk_wbuf_put(w, n);
    if (p && n) memcpy(p, src, n);
}
static inline void kfk_wr_u8(kfk_wbuf *w, uint8_t v) {
    uint8_t *p = kfk_wbuf_put(w, 1);
    if (p) p[0] = v;
}
static inline void kfk_wr_i8(kfk_wbuf *w, int8_t v) { kfk_wr_u8(w, (uint8_t)v); }
static inline void kfk_put_u16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void kfk_put_u32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
static inline void kfk_put_u64(uint8_t *p, uint64_t v) {
    kfk_put_u32(p, (uint32_t)(v >> 32));
    kfk_put_u32(p + 4, (uint32_t)v);
}
static inline void kfk_wr_u16(kfk_wbuf *w, uint16_t v) {
    uint8_t *p = kfk_wbuf_put(w, 2);
    if (p) kfk_put_u16(p, v);
}
static inline void kfk_wr_i16(kfk_wbuf *w, int16_t v) { kfk_wr_u16(w, (uint16_t)v); }
static inline void kfk_wr_u32(kfk_wbuf *w, uint32_t v) {
    uint8_t *p = kfk_wbuf_put(w, 4);
    if (p) kfk_put_u32(p, v);
}
static inline void kfk_wr_i32(kfk_wbuf *w, int32_t v) { kfk_wr_u32(w, (uint32_t)v); }
static inline void kfk_wr_u64(kfk_wbuf *w, uint64_t v) {
    uint8_t *p = kfk_wbuf_put(w, 8);
    if (p) kfk_put_u64(p, v);
}
static inline void kfk_wr_i64(kfk_wbuf *w, int64_t v) { kfk_wr_u64(w, (uint64_t)v); }
void kfk_wr_f64(kfk_wbuf *w, double v);
void kfk_wr_uvarint(kfk_wbuf *w, uint32_t v);
void kfk_wr_uvarlong(kfk_wbuf *w, uint64_t v);
void kfk_wr_varint(kfk_wbuf *w, int32_t v);
void kfk_wr_varlong(kfk_wbuf *w, int64_t v);
void kfk_wr_uuid(kfk_wbuf *w, const kfk_uuid *u);

/* Encoded size of a varint, for length prefixes computed ahead: 7 bits a
 * byte, so ceil(bits / 7), which (9 * bits + 64) / 64 equals for 1..64
 * bits without a loop or a divide (the producer sizes records with it).
 * With top = bits - 1, the index of the highest bit (63 ^ clz, one bsr),
 * that is (9 * top + 73) / 64. */
static inline int kfk_uvarint_size(uint64_t v) {
    unsigned top = 63u ^ (unsigned)__builtin_clzll(v | 1);
    return (int)((9 * top + 73) >> 6);
}
static inline int kfk_varint_size(int64_t v) {
    return kfk_uvarint_size(((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

#endif
