#include "core/buf.h"

#include "core/alloc.h"
#include "kfk.h"

void *kfk_rbuf_fail(kfk_rbuf *r, int err) {
    if (!r->err) r->err = err ? err : KFK_ERR_MALFORMED;
    r->p = r->end;
    return NULL;
}

double kfk_rd_f64(kfk_rbuf *r) {
    uint64_t bits = kfk_rd_u64(r);
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

uint64_t kfk_rd_uvarlong_any(kfk_rbuf *r) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end) {
            kfk_rbuf_fail(r, KFK_ERR_MALFORMED);
            return 0;
        }
        uint8_t b = *r->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
    }
    kfk_rbuf_fail(r, KFK_ERR_MALFORMED);
    return 0;
}

uint32_t kfk_rd_uvarint_any(kfk_rbuf *r) {
    uint32_t v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
        if (r->p >= r->end) {
            kfk_rbuf_fail(r, KFK_ERR_MALFORMED);
            return 0;
        }
        uint8_t b = *r->p++;
        v |= (uint32_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
    }
    kfk_rbuf_fail(r, KFK_ERR_MALFORMED);
    return 0;
}

kfk_uuid kfk_rd_uuid(kfk_rbuf *r) {
    kfk_uuid u;
    const uint8_t *p = kfk_rbuf_take(r, 16);
    if (p)
        memcpy(u.b, p, 16);
    else
        memset(u.b, 0, 16);
    return u;
}

int kfk_wbuf_reserve(kfk_wbuf *w, size_t extra) {
    if (w->err) return w->err;
    if (w->data && w->cap - w->len >= extra) return 0;
    size_t need = w->len + extra;
    if (need < w->len) return w->err = KFK_ERR_NOMEM;
    size_t cap = w->cap ? w->cap : 256;
    while (cap < need) cap = cap * 2 > cap ? cap * 2 : need;
    uint8_t *d = kfk_realloc(w->data, cap);
    if (!d) return w->err = KFK_ERR_NOMEM;
    w->data = d;
    w->cap = cap;
    return 0;
}

int kfk_wbuf_grow_to(kfk_wbuf *w, size_t cap) {
    if (w->err) return w->err;
    if (w->data && w->cap >= cap) return 0;
    uint8_t *d = kfk_realloc(w->data, cap ? cap : 1);
    if (!d) return w->err = KFK_ERR_NOMEM;
    w->data = d;
    w->cap = cap ? cap : 1;
    return 0;
}

void kfk_wbuf_free(kfk_wbuf *w) {
    kfk_free(w->data);
    *w = (kfk_wbuf){0};
}

uint8_t *kfk_wbuf_detach(kfk_wbuf *w, size_t *len) {
    uint8_t *d = w->data;
    if (len) *len = w->len;
    *w = (kfk_wbuf){0};
    return d;
}

void kfk_wr_f64(kfk_wbuf *w, double v) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    kfk_wr_u64(w, bits);
}

void kfk_wr_uvarlong(kfk_wbuf *w, uint64_t v) {
    uint8_t tmp[10];
    int n = 0;
    while (v >= 0x80) {
        tmp[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (uint8_t)v;
    kfk_wr_raw(w, tmp, (size_t)n);
}

void kfk_wr_uvarint(kfk_wbuf *w, uint32_t v) { kfk_wr_uvarlong(w, v); }

void kfk_wr_varint(kfk_wbuf *w, int32_t v) {
    kfk_wr_uvarlong(w, (uint32_t)(((uint32_t)v << 1) ^ (uint32_t)(v >> 31)));
}

void kfk_wr_varlong(kfk_wbuf *w, int64_t v) {
    kfk_wr_uvarlong(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

void kfk_wr_uuid(kfk_wbuf *w, const kfk_uuid *u) { kfk_wr_raw(w, u->b, 16); }

