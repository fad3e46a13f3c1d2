/* Pseudo-random message contents for round-trip tests and fuzz seeds. Walks
 * the same descriptor tables as the codec, so every field of every version
 * gets exercised without per-message test code. */
#include <string.h>

#include "kfk.h"
#include "proto/codec.h"

/* splitmix64: tiny, and identical output on every platform. */
static uint64_t rnd(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static int fill_struct(const kfk_struct_desc *s, uint8_t *base, int16_t v, kfk_arena *a,
                       uint64_t *seed);

/* Random bytes or letters, 0..7 of them, or null one time in four if allowed. */
static int fill_data(const void **ptr, int32_t *len, bool nullable, bool text, kfk_arena *a,
                     uint64_t *seed) {
    uint64_t x = rnd(seed);
    *ptr = NULL;
    *len = nullable && x % 4 == 0 ? -1 : (int32_t)((x >> 8) % 8);
    if (*len <= 0) return 0;
    uint8_t *d = kfk_arena_alloc(a, (size_t)*len);
    if (!d) return KFK_ERR_NOMEM;
    for (int32_t i = 0; i < *len; i++) d[i] = (uint8_t)(text ? 'a' + rnd(seed) % 26 : rnd(seed));
    *ptr = d;
    return 0;
}

static int fill_value(const kfk_field *f, uint8_t *p, int16_t v, bool nullable, kfk_arena *a,
                      uint64_t *seed) {
    uint64_t x = rnd(seed);
    switch (f->type) {
    case KFK_T_BOOL: *(bool *)p = x & 1; break;
    case KFK_T_INT8: *(int8_t *)p = (int8_t)x; break;
    case KFK_T_INT16: *(int16_t *)p = (int16_t)x; break;
    case KFK_T_UINT16: *(uint16_t *)p = (uint16_t)x; break;
    case KFK_T_INT32: *(int32_t *)p = (int32_t)x; break;
    case KFK_T_UINT32: *(uint32_t *)p = (uint32_t)x; break;
    case KFK_T_INT64: *(int64_t *)p = (int64_t)x; break;
    case KFK_T_FLOAT64: *(double *)p = (double)(x >> 11) / 1024.0; break;
    case KFK_T_UUID:
        memcpy(p, &x, 8);
        x = rnd(seed);
        memcpy(p + 8, &x, 8);
        break;
    case KFK_T_STRING: {
        kfk_str *s = (kfk_str *)p;
        const void *d;
        int rc = fill_data(&d, &s->len, nullable, true, a, seed);
        s->ptr = d;
        return rc;
    }
    case KFK_T_BYTES: {
        kfk_bytes *b = (kfk_bytes *)p;
        const void *d;
        int rc = fill_data(&d, &b->len, nullable, false, a, seed);
        b->ptr = d;
        return rc;
    }
    case KFK_T_STRUCT: return fill_struct(f->sub, p, v, a, seed);
    }
    return 0;
}

static int fill_field(const kfk_field *f, uint8_t *base, int16_t v, kfk_arena *a, uint64_t *seed) {
    uint8_t *p = base + f->offset;
    bool nullable = kfk_field_nullable(f, v);
    uint64_t x = rnd(seed);
    if (f->flags & KFK_F_ARRAY) {
        /* Arrays of 0..2 elements keep messages small enough to test every prefix. */
        kfk_array arr = {NULL, nullable && x % 5 == 0 ? -1 : (int32_t)(x % 3)};
        size_t es = kfk_field_elem_size(f);
        if (arr.count > 0 && !(arr.items = kfk_arena_array(a, (size_t)arr.count, es)))
            return KFK_ERR_NOMEM;
        for (int32_t i = 0; i < arr.count; i++) {
            uint8_t *e = (uint8_t *)arr.items + (size_t)i * es;
            if (f->type == KFK_T_STRUCT) kfk_struct_set_defaults(f->sub, e);
            int rc = fill_value(f, e, v, false, a, seed);
            if (rc) return rc;
        }
        memcpy(p, &arr, sizeof arr);
        return 0;
    }
    if (f->flags & KFK_F_PTR) {
        uint8_t *sp = NULL;
        if (!nullable || x % 3) {
            if (!(sp = kfk_arena_alloc(a, f->sub->size))) return KFK_ERR_NOMEM;
            kfk_struct_set_defaults(f->sub, sp);
            int rc = fill_struct(f->sub, sp, v, a, seed);
            if (rc) return rc;
        }
        memcpy(p, &sp, sizeof sp);
        return 0;
    }
    return fill_value(f, p, v, nullable, a, seed);
}

static int fill_struct(const kfk_struct_desc *s, uint8_t *base, int16_t v, kfk_arena *a,
                       uint64_t *seed) {
    for (unsigned i = 0; i < s->nfields; i++) {
        const kfk_field *f = &s->fields[i];
        if (!kfk_field_present(f, v)) continue;
        /* Half the tagged fields stay at their default, so omission is tested too. */
        if (kfk_field_tagged(f, v) && rnd(seed) % 2) continue;
        int rc = fill_field(f, base, v, a, seed);
        if (rc) return rc;
    }
    return 0;
}

int kfk_msg_fill_random(const kfk_msg_desc *d, int16_t version, kfk_arena *a, uint64_t *seed,
                        void *m) {
    if (version < d->min_version || version > d->max_version) return KFK_ERR_UNSUPPORTED_VERSION;
    kfk_msg_init(d, m);
    return fill_struct(&d->s, m, version, a, seed);
}
