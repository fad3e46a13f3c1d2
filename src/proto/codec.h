/* Table-driven codec for Kafka protocol messages.
 *
 * tools/gen_codecs.py turns Kafka's JSON message specs into C structs plus one
 * static descriptor table per struct (src/proto/gen/). A single interpreter
 * (codec.c) walks those tables to encode, decode and initialise any message at
 * any version, so adding versions costs table rows, not code. */
#ifndef KFK_PROTO_CODEC_H
#define KFK_PROTO_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"

/* Wire type of a field, or of each element of an array field. */
enum kfk_ftype {
    KFK_T_BOOL,
    KFK_T_INT8,
    KFK_T_INT16,
    KFK_T_UINT16,
    KFK_T_INT32,
    KFK_T_UINT32,
    KFK_T_INT64,
    KFK_T_FLOAT64,
    KFK_T_UUID,
    KFK_T_STRING,  /* kfk_str */
    KFK_T_BYTES,   /* kfk_bytes; also Kafka's "records" */
    KFK_T_STRUCT,  /* nested struct described by `sub` */
};

enum {
    KFK_F_ARRAY = 1,  /* member is struct { T *items; int32_t count; }, count -1 = null */
    KFK_F_PTR = 2,    /* nullable struct held by pointer, NULL = null */
    KFK_F_NOFLEX = 4, /* never compact, even in flexible versions (RequestHeader.ClientId) */
};

/* The layout of every array member, whatever its element type; accessed with
 * memcpy since the generated members are distinct anonymous struct types. */
typedef struct kfk_array {
    void *items;
    int32_t count;
} kfk_array;

typedef struct kfk_struct_desc kfk_struct_desc;

typedef struct kfk_field {
    uint8_t type;   /* enum kfk_ftype */
    uint8_t flags;  /* KFK_F_* */
    uint16_t offset;
    int16_t vmin, vmax; /* versions the field is present in */
    int16_t nmin, nmax; /* versions it is nullable in; -1, -1 if never */
    int16_t tmin;       /* tagged from this version on; -1 if never */
    uint16_t tag;
    const kfk_struct_desc *sub; /* KFK_T_STRUCT only */
    int64_t def; /* default: the integer or bool value; -1 for null strings, bytes, arrays */
} kfk_field;

/* Fixed fields come first in wire order, tagged fields last in tag order. */
struct kfk_struct_desc {
    const kfk_field *fields;
    uint16_t nfields;
    uint16_t size; /* sizeof the C struct */
};

typedef struct kfk_msg_desc {
    kfk_struct_desc s;
    const char *name;     /* spec name, "MetadataRequest" */
    int16_t api_key;      /* -1 for headers and data schemas */
    int16_t min_version, max_version;
    int16_t flexible_min; /* first flexible version, -1 if never */
} kfk_msg_desc;

/* Zeroes *m and sets the spec's defaults. */
void kfk_msg_init(const kfk_msg_desc *d, void *m);
/* Appends m encoded at `version` to w. Returns 0, KFK_ERR_UNSUPPORTED_VERSION,
 * KFK_ERR_INVALID_ARG (null where the version does not allow it, a string over
 * 32767 bytes, count > 0 with items NULL) or KFK_ERR_NOMEM. On error w may hold
 * a partial message. */
int kfk_msg_encode(kfk_wbuf *w, const kfk_msg_desc *d, int16_t version, const void *m);
/* Decodes one message at `version` from r into m; fields the version lacks,
 * and tagged fields not sent, get their defaults. Strings and bytes point into
 * r's buffer; arrays and nullable structs are allocated in `a`. Unknown tagged
 * fields are skipped. Returns 0 with r advanced past the message, or
 * KFK_ERR_MALFORMED, KFK_ERR_NOMEM, KFK_ERR_UNSUPPORTED_VERSION (then m holds
 * a partial message: safe to discard, not to use). */
int kfk_msg_decode(kfk_rbuf *r, const kfk_msg_desc *d, int16_t version, kfk_arena *a, void *m);

/* Test helper: fills m with pseudo-random values derived from *seed (which it
 * advances) for `version`: only fields present in that version, null only where
 * nullable, tagged fields sometimes left at their default. Allocates in `a`.
 * Returns 0 or KFK_ERR_NOMEM. */
int kfk_msg_fill_random(const kfk_msg_desc *d, int16_t version, kfk_arena *a, uint64_t *seed,
                        void *m);

static inline bool kfk_field_present(const kfk_field *f, int16_t v) {
    return v >= f->vmin && v <= f->vmax;
}
static inline bool kfk_field_nullable(const kfk_field *f, int16_t v) {
    return v >= f->nmin && v <= f->nmax;
}
static inline bool kfk_field_tagged(const kfk_field *f, int16_t v) {
    return f->tmin >= 0 && v >= f->tmin;
}
/* Size of one array element in memory. */
size_t kfk_field_elem_size(const kfk_field *f);
/* Sets the defaults of every field of s in the (zeroed) struct at p. */
void kfk_struct_set_defaults(const kfk_struct_desc *s, void *p);

/* Typed wrappers every generated message gets: T_init, T_encode, T_decode. */
#define KFK_MSG_API(T)                                                                    \
    static inline void T##_init(T *m) { kfk_msg_init(&T##_desc, m); }                     \
    static inline int T##_encode(kfk_wbuf *w, int16_t version, const T *m) {              \
        return kfk_msg_encode(w, &T##_desc, version, m);                                  \
    }                                                                                     \
    static inline int T##_decode(kfk_rbuf *r, int16_t version, kfk_arena *a, T *m) {      \
        return kfk_msg_decode(r, &T##_desc, version, a, m);                               \
    }

#endif
