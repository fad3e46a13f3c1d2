/* The interpreter behind every generated message: walks a struct's field
 * table to encode, decode or set defaults. Version checks happen per field, so
 * one table serves every version of a message. */
#include "proto/codec.h"

#include <string.h>

#include "kfk.h"

/* Kafka rejects longer strings in every version, compact or not. */
#define STR_MAX 0x7fff

static const uint8_t elem_size[] = {
    [KFK_T_BOOL] = sizeof(bool),     [KFK_T_INT8] = 1,   [KFK_T_INT16] = 2,
    [KFK_T_UINT16] = 2,              [KFK_T_INT32] = 4,  [KFK_T_UINT32] = 4,
    [KFK_T_INT64] = 8,               [KFK_T_FLOAT64] = 8, [KFK_T_UUID] = 16,
    [KFK_T_STRING] = sizeof(kfk_str), [KFK_T_BYTES] = sizeof(kfk_bytes),
};

size_t kfk_field_elem_size(const kfk_field *f) {
    return f->type == KFK_T_STRUCT ? f->sub->size : elem_size[f->type];
}

/* The fewest bytes one array element can take on the wire. */
static size_t wire_min(const kfk_field *f, bool flex) {
    switch (f->type) {
    case KFK_T_STRING: return flex ? 1 : 2;
    case KFK_T_BYTES: return flex ? 1 : 4;
    case KFK_T_STRUCT:
    case KFK_T_BOOL: return 1;
    default: return elem_size[f->type];
    }
}

/* Sets one field of the struct at base to its default. */
static void set_default(const kfk_field *f, uint8_t *base) {
    uint8_t *p = base + f->offset;
    if (f->flags & KFK_F_PTR) {
        const void *null = NULL; /* nullable structs default to null */
        memcpy(p, &null, sizeof null);
        return;
    }
    if (f->flags & KFK_F_ARRAY) {
        kfk_array a = {NULL, (int32_t)f->def};
        memcpy(p, &a, sizeof a);
        return;
    }
    switch (f->type) {
    case KFK_T_BOOL: *(bool *)p = f->def != 0; break;
    case KFK_T_INT8: *(int8_t *)p = (int8_t)f->def; break;
    case KFK_T_INT16: *(int16_t *)p = (int16_t)f->def; break;
    case KFK_T_UINT16: *(uint16_t *)p = (uint16_t)f->def; break;
    case KFK_T_INT32: *(int32_t *)p = (int32_t)f->def; break;
    case KFK_T_UINT32: *(uint32_t *)p = (uint32_t)f->def; break;
    case KFK_T_INT64: *(int64_t *)p = f->def; break;
    case KFK_T_FLOAT64: *(double *)p = (double)f->def; break;
    case KFK_T_UUID: memset(p, 0, sizeof(kfk_uuid)); break;
    case KFK_T_STRING: *(kfk_str *)p = (kfk_str){NULL, (int32_t)f->def}; break;
    case KFK_T_BYTES: *(kfk_bytes *)p = (kfk_bytes){NULL, (int32_t)f->def}; break;
    case KFK_T_STRUCT: kfk_struct_set_defaults(f->sub, p); break;
    }
}

void kfk_struct_set_defaults(const kfk_struct_desc *s, void *base) {
    for (unsigned i = 0; i < s->nfields; i++) set_default(&s->fields[i], base);
}

void kfk_msg_init(const kfk_msg_desc *d, void *m) {
    memset(m, 0, d->s.size);
    kfk_struct_set_defaults(&d->s, m);
}

static bool version_ok(const kfk_msg_desc *d, int16_t v) {
    return v >= d->min_version && v <= d->max_version;
}

static bool is_flexible(const kfk_msg_desc *d, int16_t v) {
    return d->flexible_min >= 0 && v >= d->flexible_min;
}

/* ---------------------------------------------------------------- encode */

/* Tagged fields are written only when they differ from their default. */
static bool is_default(const kfk_field *f, const uint8_t *p) {
    if (f->flags & KFK_F_ARRAY) {
        kfk_array a;
        memcpy(&a, p, sizeof a);
        return a.count == f->def;
    }
    switch (f->type) {
    case KFK_T_BOOL: return *(const bool *)p == (f->def != 0);
    case KFK_T_INT8: return *(const int8_t *)p == f->def;
    case KFK_T_INT16: return *(const int16_t *)p == f->def;
    case KFK_T_UINT16: return *(const uint16_t *)p == f->def;
    case KFK_T_INT32: return *(const int32_t *)p == f->def;
    case KFK_T_UINT32: return *(const uint32_t *)p == f->def;
    case KFK_T_INT64: return *(const int64_t *)p == f->def;
    case KFK_T_FLOAT64: return *(const double *)p == (double)f->def;
    case KFK_T_UUID: return kfk_uuid_is_zero((const kfk_uuid *)p);
    case KFK_T_STRING: return ((const kfk_str *)p)->len == f->def;
    case KFK_T_BYTES: return ((const kfk_bytes *)p)->len == f->def;
    case KFK_T_STRUCT:
        for (unsigned i = 0; i < f->sub->nfields; i++) {
            const kfk_field *sf = &f->sub->fields[i];
            if (!is_default(sf, p + sf->offset)) return false;
        }
        return true;
    }
    return true;
}

/* Writes v as an unsigned varint at dst; returns its length (at most 5). */
static int put_uvarint(uint8_t *dst, uint32_t v) {
    int n = 0;
    for (; v >= 0x80; v >>= 7) dst[n++] = (uint8_t)(v | 0x80);
    dst[n++] = (uint8_t)v;
    return n;
}

/* Varints are mostly lengths and counts: written in place, without the
 * generic writer's copy. */
static inline void wr_uvarint(kfk_wbuf *w, uint32_t v) {
    uint8_t *p = kfk_wbuf_put(w, 5);
    if (p) w->len -= 5 - (size_t)put_uvarint(p, v);
}

static inline uint32_t rd_uvarint(kfk_rbuf *r) {
    if (r->p < r->end && *r->p < 0x80) return *r->p++;
    return kfk_rd_uvarint(r);
}

/* A length or count: compact (unsigned varint of n + 1) in flexible versions,
 * else int32, or int16 for strings. -1 is null. */
static void wr_len(kfk_wbuf *w, int32_t n, bool flex, bool wide) {
    if (flex)
        wr_uvarint(w, (uint32_t)n + 1);
    else if (wide)
        kfk_wr_i32(w, n);
    else
        kfk_wr_i16(w, (int16_t)n);
}

static int enc_data(kfk_wbuf *w, const void *ptr, int32_t len, bool flex, bool wide, bool nullable) {
    if (len < -1 || (len == -1 && !nullable) || (!wide && len > STR_MAX) || (len > 0 && !ptr))
        return KFK_ERR_INVALID_ARG;
    wr_len(w, len, flex, wide);
    if (len > 0) kfk_wr_raw(w, ptr, (size_t)len);
    return 0;
}

static int enc_struct(kfk_wbuf *w, const kfk_struct_desc *s, const uint8_t *base, int16_t v,
                      bool flex);

static int enc_value(kfk_wbuf *w, const kfk_field *f, const uint8_t *p, int16_t v, bool flex,
                     bool nullable) {
    switch (f->type) {
    case KFK_T_BOOL: kfk_wr_u8(w, *(const bool *)p); break;
    case KFK_T_INT8: kfk_wr_i8(w, *(const int8_t *)p); break;
    case KFK_T_INT16: kfk_wr_i16(w, *(const int16_t *)p); break;
    case KFK_T_UINT16: kfk_wr_u16(w, *(const uint16_t *)p); break;
    case KFK_T_INT32: kfk_wr_i32(w, *(const int32_t *)p); break;
    case KFK_T_UINT32: kfk_wr_u32(w, *(const uint32_t *)p); break;
    case KFK_T_INT64: kfk_wr_i64(w, *(const int64_t *)p); break;
    case KFK_T_FLOAT64: kfk_wr_f64(w, *(const double *)p); break;
    case KFK_T_UUID: kfk_wr_uuid(w, (const kfk_uuid *)p); break;
    case KFK_T_STRING: {
        const kfk_str *s = (const kfk_str *)p;
        return enc_data(w, s->ptr, s->len, flex, false, nullable);
    }
    case KFK_T_BYTES: {
        const kfk_bytes *b = (const kfk_bytes *)p;
        return enc_data(w, b->ptr, b->len, flex, true, nullable);
    }
    case KFK_T_STRUCT: return enc_struct(w, f->sub, p, v, flex);
    }
    return 0;
}

static int enc_field(kfk_wbuf *w, const kfk_field *f, const uint8_t *base, int16_t v, bool flex) {
    const uint8_t *p = base + f->offset;
    bool nullable = kfk_field_nullable(f, v);
    flex = flex && !(f->flags & KFK_F_NOFLEX);
    if (f->flags & KFK_F_ARRAY) {
        kfk_array a;
        memcpy(&a, p, sizeof a);
        if (a.count < -1 || (a.count == -1 && !nullable) || (a.count > 0 && !a.items))
            return KFK_ERR_INVALID_ARG;
        wr_len(w, a.count, flex, true);
        size_t es = kfk_field_elem_size(f);
        for (int32_t i = 0; i < a.count; i++) {
            int rc = enc_value(w, f, (const uint8_t *)a.items + (size_t)i * es, v, flex, false);
            if (rc) return rc;
        }
        return 0;
    }
    if (f->flags & KFK_F_PTR) {
        const uint8_t *sp;
        memcpy(&sp, p, sizeof sp);
        if (!sp && !nullable) return KFK_ERR_INVALID_ARG;
        if (nullable) kfk_wr_i8(w, sp ? 1 : -1);
        return sp ? enc_struct(w, f->sub, sp, v, flex) : 0;
    }
    return enc_value(w, f, p, v, flex, nullable);
}

/* Inserts the varint length of the bytes w holds after `start` before them:
 * tagged fields are size-prefixed, and the size is known only once written. */
static void insert_size(kfk_wbuf *w, size_t start) {
    size_t n = w->len - start;
    uint8_t tmp[5];
    int k = put_uvarint(tmp, (uint32_t)n);
    if (!kfk_wbuf_put(w, (size_t)k)) return;
    memmove(w->data + start + k, w->data + start, n);
    memcpy(w->data + start, tmp, (size_t)k);
}

static int enc_struct(kfk_wbuf *w, const kfk_struct_desc *s, const uint8_t *base, int16_t v,
                      bool flex) {
    uint32_t ntagged = 0;
    for (unsigned i = 0; i < s->nfields; i++) {
        const kfk_field *f = &s->fields[i];
        if (!kfk_field_present(f, v)) continue;
        if (kfk_field_tagged(f, v)) {
            ntagged += !is_default(f, base + f->offset);
            continue;
        }
        int rc = enc_field(w, f, base, v, flex);
        if (rc) return rc;
    }
    if (!flex) return 0; /* the generator checks tagged fields are flexible-only */
    wr_uvarint(w, ntagged);
    for (unsigned i = 0; ntagged && i < s->nfields; i++) {
        const kfk_field *f = &s->fields[i];
        if (!kfk_field_present(f, v) || !kfk_field_tagged(f, v) || is_default(f, base + f->offset))
            continue;
        wr_uvarint(w, f->tag);
        size_t start = w->len;
        int rc = enc_field(w, f, base, v, flex);
        if (rc || w->err) return rc ? rc : w->err;
        insert_size(w, start);
    }
    return 0;
}

int kfk_msg_encode(kfk_wbuf *w, const kfk_msg_desc *d, int16_t version, const void *m) {
    if (!version_ok(d, version)) return KFK_ERR_UNSUPPORTED_VERSION;
    int rc = enc_struct(w, &d->s, m, version, is_flexible(d, version));
    return rc ? rc : w->err;
}

/* ---------------------------------------------------------------- decode */

/* Reads a length-prefixed string or byte slice; NULL with *len -1 for null. */
static const uint8_t *dec_data(kfk_rbuf *r, bool flex, bool wide, bool nullable, int32_t *len) {
    int64_t n = flex ? (int64_t)rd_uvarint(r) - 1 : wide ? kfk_rd_i32(r) : kfk_rd_i16(r);
    *len = -1;
    if (r->err) return NULL;
    if (n < 0) {
        if (n < -1 || !nullable) kfk_rbuf_fail(r, KFK_ERR_MALFORMED);
        return NULL;
    }
    if (!wide && n > STR_MAX) return kfk_rbuf_fail(r, KFK_ERR_MALFORMED);
    const uint8_t *d = kfk_rbuf_take(r, (size_t)n);
    if (d) *len = (int32_t)n;
    return d;
}

static void dec_struct(kfk_rbuf *r, const kfk_struct_desc *s, uint8_t *base, int16_t v, bool flex,
                       kfk_arena *a);

static void dec_value(kfk_rbuf *r, const kfk_field *f, uint8_t *p, int16_t v, bool flex,
                      bool nullable, kfk_arena *a) {
    switch (f->type) {
    case KFK_T_BOOL: *(bool *)p = kfk_rd_u8(r) != 0; break;
    case KFK_T_INT8: *(int8_t *)p = kfk_rd_i8(r); break;
    case KFK_T_INT16: *(int16_t *)p = kfk_rd_i16(r); break;
    case KFK_T_UINT16: *(uint16_t *)p = kfk_rd_u16(r); break;
    case KFK_T_INT32: *(int32_t *)p = kfk_rd_i32(r); break;
    case KFK_T_UINT32: *(uint32_t *)p = kfk_rd_u32(r); break;
    case KFK_T_INT64: *(int64_t *)p = kfk_rd_i64(r); break;
    case KFK_T_FLOAT64: *(double *)p = kfk_rd_f64(r); break;
    case KFK_T_UUID: *(kfk_uuid *)p = kfk_rd_uuid(r); break;
    case KFK_T_STRING: {
        kfk_str *s = (kfk_str *)p;
        s->ptr = (const char *)dec_data(r, flex, false, nullable, &s->len);
        break;
    }
    case KFK_T_BYTES: {
        kfk_bytes *b = (kfk_bytes *)p;
        b->ptr = dec_data(r, flex, true, nullable, &b->len);
        break;
    }
    case KFK_T_STRUCT: dec_struct(r, f->sub, p, v, flex, a); break;
    }
}

static void dec_field(kfk_rbuf *r, const kfk_field *f, uint8_t *base, int16_t v, bool flex,
                      kfk_arena *a) {
    uint8_t *p = base + f->offset;
    bool nullable = kfk_field_nullable(f, v);
    flex = flex && !(f->flags & KFK_F_NOFLEX);
    if (f->flags & KFK_F_ARRAY) {
        int64_t n = flex ? (int64_t)rd_uvarint(r) - 1 : kfk_rd_i32(r);
        kfk_array arr = {NULL, -1};
        if (r->err) return;
        if (n == -1 && nullable) {
            memcpy(p, &arr, sizeof arr);
            return;
        }
        /* The count must fit in what is left before anything is allocated. */
        if (n < 0 || n > INT32_MAX || (uint64_t)n > kfk_rbuf_left(r) / wire_min(f, flex)) {
            kfk_rbuf_fail(r, KFK_ERR_MALFORMED);
            return;
        }
        if (n > 0) {
            size_t es = kfk_field_elem_size(f);
            arr.items = kfk_arena_array(a, (size_t)n, es);
            if (!arr.items) {
                kfk_rbuf_fail(r, KFK_ERR_NOMEM);
                return;
            }
            for (int64_t i = 0; i < n && !r->err; i++)
                dec_value(r, f, (uint8_t *)arr.items + (size_t)i * es, v, flex, false, a);
        }
        arr.count = (int32_t)n;
        memcpy(p, &arr, sizeof arr);
        return;
    }
    if (f->flags & KFK_F_PTR) {
        uint8_t *sp = NULL;
        if (!nullable || (kfk_rd_i8(r) >= 0 && !r->err)) {
            sp = kfk_arena_alloc(a, f->sub->size);
            if (!sp) {
                kfk_rbuf_fail(r, KFK_ERR_NOMEM);
                return;
            }
            dec_struct(r, f->sub, sp, v, flex, a);
        }
        memcpy(p, &sp, sizeof sp);
        return;
    }
    dec_value(r, f, p, v, flex, nullable, a);
}

static const kfk_field *find_tagged(const kfk_struct_desc *s, uint32_t tag, int16_t v) {
    for (unsigned i = s->nfields; i-- > 0;) {
        const kfk_field *f = &s->fields[i];
        if (f->tmin < 0) break; /* tagged fields come last */
        if (f->tag == tag && kfk_field_tagged(f, v) && kfk_field_present(f, v)) return f;
    }
    return NULL;
}

static void dec_struct(kfk_rbuf *r, const kfk_struct_desc *s, uint8_t *base, int16_t v, bool flex,
                       kfk_arena *a) {
    /* Fields this version lacks, and tagged fields until read, get defaults. */
    for (unsigned i = 0; i < s->nfields; i++) {
        const kfk_field *f = &s->fields[i];
        if (kfk_field_present(f, v) && !kfk_field_tagged(f, v) && !r->err)
            dec_field(r, f, base, v, flex, a);
        else
            set_default(f, base);
    }
    if (!flex) return;
    uint32_t n = rd_uvarint(r);
    for (uint32_t i = 0; i < n && !r->err; i++) {
        uint32_t tag = rd_uvarint(r);
        uint32_t size = rd_uvarint(r);
        const uint8_t *data = kfk_rbuf_take(r, size);
        const kfk_field *f = data ? find_tagged(s, tag, v) : NULL;
        if (!f) continue; /* unknown tags are skipped */
        /* A known field is read within its announced size, never beyond. */
        kfk_rbuf sub = kfk_rbuf_make(data, size);
        dec_field(&sub, f, base, v, flex, a);
        if (sub.err) kfk_rbuf_fail(r, sub.err);
    }
}

int kfk_msg_decode(kfk_rbuf *r, const kfk_msg_desc *d, int16_t version, kfk_arena *a, void *m) {
    if (!version_ok(d, version)) return KFK_ERR_UNSUPPORTED_VERSION;
    memset(m, 0, d->s.size);
    dec_struct(r, &d->s, m, version, is_flexible(d, version), a);
    return r->err;
}
