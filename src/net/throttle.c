#include "net/throttle.h"

#include <stdbool.h>

#include "kfk.h"
#include "net/conn_int.h"
#include "proto/proto.h"

/* Per API key: the first version whose responses ask the client to
 * throttle (-1: never; 0, the default, for APIs newer than KIP-219), and
 * where ThrottleTimeMs sits among the response's fields (first, mostly). */
typedef struct throttle_info {
    int8_t from;
    uint8_t field;
} throttle_info;

static const throttle_info infos[KFK_API_KEY_COUNT] = {
    [KFK_API_PRODUCE] = {6, 1},
    [KFK_API_FETCH] = {8, 0},
    [KFK_API_LIST_OFFSETS] = {3, 0},
    [KFK_API_METADATA] = {6, 0},
    [4] = {-1, 0}, [5] = {-1, 0}, [6] = {-1, 0}, [7] = {-1, 0}, /* inter-broker */
    [KFK_API_OFFSET_COMMIT] = {4, 0},
    [KFK_API_OFFSET_FETCH] = {4, 0},
    [KFK_API_FIND_COORDINATOR] = {2, 0},
    [KFK_API_JOIN_GROUP] = {3, 0},
    [KFK_API_HEARTBEAT] = {2, 0},
    [KFK_API_LEAVE_GROUP] = {2, 0},
    [KFK_API_SYNC_GROUP] = {2, 0},
    [KFK_API_DESCRIBE_GROUPS] = {2, 0},
    [KFK_API_LIST_GROUPS] = {2, 0},
    [KFK_API_SASL_HANDSHAKE] = {-1, 0},
    [KFK_API_API_VERSIONS] = {2, 2},
    [KFK_API_CREATE_TOPICS] = {3, 0},
    [KFK_API_DELETE_TOPICS] = {2, 0},
    [KFK_API_DELETE_RECORDS] = {1, 0},
    [KFK_API_INIT_PRODUCER_ID] = {1, 0},
    [KFK_API_OFFSET_FOR_LEADER_EPOCH] = {3, 0},
    [KFK_API_ADD_PARTITIONS_TO_TXN] = {1, 0},
    [KFK_API_ADD_OFFSETS_TO_TXN] = {1, 0},
    [KFK_API_END_TXN] = {1, 0},
    [KFK_API_WRITE_TXN_MARKERS] = {-1, 0},
    [KFK_API_TXN_OFFSET_COMMIT] = {1, 0},
    [KFK_API_DESCRIBE_ACLS] = {1, 0},
    [KFK_API_CREATE_ACLS] = {1, 0},
    [KFK_API_DELETE_ACLS] = {1, 0},
    [KFK_API_DESCRIBE_CONFIGS] = {2, 0},
    [KFK_API_ALTER_CONFIGS] = {1, 0},
    [KFK_API_ALTER_REPLICA_LOG_DIRS] = {1, 0},
    [KFK_API_DESCRIBE_LOG_DIRS] = {1, 0},
    [KFK_API_SASL_AUTHENTICATE] = {-1, 0},
    [KFK_API_CREATE_PARTITIONS] = {1, 0},
    [KFK_API_CREATE_DELEGATION_TOKEN] = {1, 10},
    [KFK_API_RENEW_DELEGATION_TOKEN] = {1, 2},
    [KFK_API_EXPIRE_DELEGATION_TOKEN] = {1, 2},
    [KFK_API_DESCRIBE_DELEGATION_TOKEN] = {1, 2},
    [KFK_API_DELETE_GROUPS] = {1, 0},
    [KFK_API_OFFSET_DELETE] = {0, 1},
    [52] = {-1, 0}, [53] = {-1, 0}, [54] = {-1, 0}, [55] = {-1, 0}, /* KRaft quorum */
    [58] = {-1, 0}, /* Envelope */
    [83] = {-1, 0}, [84] = {-1, 0}, [85] = {-1, 0}, [86] = {-1, 0}, [87] = {-1, 0},
};

/* ---------------------------------------------- skipping over the wire */

static void skip_struct(kfk_rbuf *r, const kfk_struct_desc *s, int16_t v, bool flex,
                        unsigned upto);

static int64_t rd_len(kfk_rbuf *r, bool flex, bool wide) {
    return flex ? (int64_t)kfk_rd_uvarint(r) - 1 : wide ? kfk_rd_i32(r) : kfk_rd_i16(r);
}

static void skip_value(kfk_rbuf *r, const kfk_field *f, int16_t v, bool flex) {
    static const uint8_t fixed[] = {
        [KFK_T_BOOL] = 1, [KFK_T_INT8] = 1,  [KFK_T_INT16] = 2,   [KFK_T_UINT16] = 2,
        [KFK_T_INT32] = 4, [KFK_T_UINT32] = 4, [KFK_T_INT64] = 8, [KFK_T_FLOAT64] = 8,
        [KFK_T_UUID] = 16,
    };
    if (f->type == KFK_T_STRUCT) {
        skip_struct(r, f->sub, v, flex, f->sub->nfields);
    } else if (f->type == KFK_T_STRING || f->type == KFK_T_BYTES) {
        int64_t n = rd_len(r, flex, f->type == KFK_T_BYTES);
        if (n > 0) kfk_rbuf_take(r, (size_t)n);
    } else {
        kfk_rbuf_take(r, fixed[f->type]);
    }
}

static void skip_field(kfk_rbuf *r, const kfk_field *f, int16_t v, bool flex) {
    if (f->flags & KFK_F_ARRAY) {
        int64_t n = rd_len(r, flex, true);
        /* A count beyond the bytes left is malformed (and would spin). */
        if (n > (int64_t)kfk_rbuf_left(r)) kfk_rbuf_fail(r, KFK_ERR_MALFORMED);
        for (int64_t i = 0; i < n && !r->err; i++) skip_value(r, f, v, flex);
        return;
    }
    if ((f->flags & KFK_F_PTR) && kfk_field_nullable(f, v) && kfk_rd_i8(r) < 0) return;
    skip_value(r, f, v, flex);
}

/* Skips the struct's fields before index `upto`; with upto == nfields,
 * the whole struct, its tagged fields included. */
static void skip_struct(kfk_rbuf *r, const kfk_struct_desc *s, int16_t v, bool flex,
                        unsigned upto) {
    for (unsigned i = 0; i < upto && !r->err; i++) {
        const kfk_field *f = &s->fields[i];
        if (kfk_field_present(f, v) && !kfk_field_tagged(f, v)) skip_field(r, f, v, flex);
    }
    if (!flex || upto < s->nfields) return;
    uint32_t n = kfk_rd_uvarint(r);
    for (uint32_t i = 0; i < n && !r->err; i++) {
        kfk_rd_uvarint(r); /* tag */
        kfk_rbuf_take(r, kfk_rd_uvarint(r));
    }
}

int32_t kfk_throttle_peek(int16_t api_key, int16_t version, const kfk_rbuf *body) {
    if (api_key < 0 || api_key >= KFK_API_KEY_COUNT) return 0;
    throttle_info t = infos[api_key];
    const kfk_msg_desc *d = kfk_response_desc(api_key);
    if (t.from < 0 || version < t.from || !d || t.field >= d->s.nfields) return 0;
    const kfk_field *f = &d->s.fields[t.field];
    if (f->type != KFK_T_INT32 || f->flags || !kfk_field_present(f, version)) return 0;
    kfk_rbuf r = *body;
    /* A broker refusing our ApiVersions version answers in v0's layout
     * (KIP-511), which has no throttle time: reading it at ours would take
     * the array's bytes for one. */
    if (api_key == KFK_API_API_VERSIONS) {
        kfk_rbuf e = r;
        if (kfk_rd_i16(&e) == KFK_ERR_UNSUPPORTED_VERSION) return 0;
    }
    bool flex = d->flexible_min >= 0 && version >= d->flexible_min;
    skip_struct(&r, &d->s, version, flex, t.field);
    int32_t ms = kfk_rd_i32(&r);
    return r.err || ms < 0 ? 0 : ms;
}

/* ------------------------------------------------- the connection's side */

void kfk_conn_throttle_note(kfk_conn *c, int16_t api_key, int16_t version, const kfk_rbuf *body,
                            int64_t now) {
    int32_t ms = kfk_throttle_peek(api_key, version, body);
    kfk_win_add(&c->st.throttle, ms);
    if (ms <= 0) return;
    c->throttles++;
    c->throttle_ms += ms;
    if (now + ms > c->throttle_until) c->throttle_until = now + ms;
}

int kfk_conn_throttle_hold(kfk_conn *c) {
    if (c->throttle_until <= c->now) return 0;
    c->throttle_holds++;
    return 1;
}

int64_t kfk_conn_throttle_deadline(const kfk_conn *c, int64_t t) {
    if (kfk_list_empty(&c->waiting) || c->throttle_until <= c->now) return t;
    return c->throttle_until < t ? c->throttle_until : t;
}

void kfk_conn_throttle_stats(const kfk_conn *c, kfk_throttle_stats *out) {
    *out = (kfk_throttle_stats){.throttles = c->throttles, .throttle_ms = c->throttle_ms,
                                .holds = c->throttle_holds,
                                .until = c->throttle_until > c->now ? c->throttle_until : 0};
}
