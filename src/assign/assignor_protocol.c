/* The classic consumer protocol: member metadata (subscription) and
 * assignment, each an int16 version followed by the generated data schema.
 * Like Java's ConsumerProtocol, a version above the highest we know is read
 * with the highest known layout (newer versions only append fields), and the
 * bytes left over are ignored. */
#include <stdlib.h>
#include <string.h>

#include "assign/assignor_int.h"
#include "kfk.h"
#include "proto/gen/messages.h"

typedef kfk_consumer_protocol_subscription sub_msg;
typedef kfk_consumer_protocol_subscription_topic_partition sub_tp;
typedef kfk_consumer_protocol_assignment asg_msg;
typedef kfk_consumer_protocol_assignment_topic_partition asg_tp;

/* One owned partition, flattened for sorting. */
typedef struct flat_tp {
    kfk_str topic;
    int32_t partition;
} flat_tp;

static int cmp_str(const void *a, const void *b) {
    return kfk_java_strcmp(*(const kfk_str *)a, *(const kfk_str *)b);
}

static int cmp_flat(const void *pa, const void *pb) {
    const flat_tp *a = pa, *b = pb;
    int r = kfk_java_strcmp(a->topic, b->topic);
    return r ? r : (a->partition > b->partition) - (a->partition < b->partition);
}

/* Java sorts owned partitions by topic, then partition, and groups runs of
 * one topic (so a topic listed twice by the caller is merged). */
static int group_owned(const kfk_subscription *s, kfk_arena *a, sub_msg *m) {
    size_t n = 0;
    for (int32_t i = 0; i < s->nowned; i++) n += (size_t)s->owned[i].count;
    flat_tp *flat = kfk_arena_array(a, n + 1, sizeof *flat);
    sub_tp *groups = kfk_arena_array(a, (size_t)s->nowned + 1, sizeof *groups);
    int32_t *parts = kfk_arena_array(a, n + 1, sizeof *parts);
    if (!flat || !groups || !parts) return KFK_ERR_NOMEM;
    size_t k = 0;
    for (int32_t i = 0; i < s->nowned; i++)
        for (int32_t j = 0; j < s->owned[i].count; j++)
            flat[k++] = (flat_tp){s->owned[i].topic, s->owned[i].partitions[j]};
    qsort(flat, n, sizeof *flat, cmp_flat);
    int32_t ng = 0;
    for (size_t i = 0; i < n; i++) {
        if (ng == 0 || kfk_java_strcmp(groups[ng - 1].topic, flat[i].topic) != 0) {
            groups[ng].topic = flat[i].topic;
            groups[ng].partitions.items = parts + i;
            groups[ng].partitions.count = 0;
            ng++;
        }
        parts[i] = flat[i].partition;
        groups[ng - 1].partitions.count++;
    }
    m->owned_partitions.items = groups;
    m->owned_partitions.count = ng;
    return 0;
}

int kfk_subscription_encode(kfk_wbuf *w, int16_t version, const kfk_subscription *s,
                            kfk_arena *a) {
    if (version < 0 || version > KFK_CONSUMER_PROTOCOL_MAX_VERSION || s->ntopics < 0 ||
        s->nowned < 0)
        return KFK_ERR_INVALID_ARG;
    sub_msg m;
    kfk_consumer_protocol_subscription_init(&m);
    kfk_str *topics = kfk_arena_array(a, (size_t)s->ntopics + 1, sizeof *topics);
    if (!topics) return KFK_ERR_NOMEM;
    if (s->ntopics) memcpy(topics, s->topics, (size_t)s->ntopics * sizeof *topics);
    qsort(topics, (size_t)s->ntopics, sizeof *topics, cmp_str);
    m.topics.items = topics;
    m.topics.count = s->ntopics;
    m.user_data = s->user_data;
    int rc = group_owned(s, a, &m);
    if (rc) return rc;
    m.generation_id = s->generation;
    m.rack_id = s->rack;
    kfk_wr_i16(w, version);
    rc = kfk_consumer_protocol_subscription_encode(w, version, &m);
    return rc == KFK_ERR_UNSUPPORTED_VERSION ? KFK_ERR_INVALID_ARG : rc;
}

/* Reads the version prefix; returns the version to decode with, or -1. */
static int16_t read_version(kfk_rbuf *r, int16_t *sent) {
    *sent = kfk_rd_i16(r);
    if (r->err || *sent < 0) return -1;
    return *sent > KFK_CONSUMER_PROTOCOL_MAX_VERSION ? KFK_CONSUMER_PROTOCOL_MAX_VERSION : *sent;
}

static int decode_err(int rc) {
    return rc == KFK_ERR_NOMEM ? KFK_ERR_NOMEM : KFK_ERR_MALFORMED;
}

/* Converts generated topic-partition groups (either schema: same layout). */
static kfk_assign_owned *convert_groups(const asg_tp *g, int32_t n, kfk_arena *a) {
    kfk_assign_owned *o = kfk_arena_array(a, (size_t)n + 1, sizeof *o);
    if (!o) return NULL;
    for (int32_t i = 0; i < n; i++) {
        o[i].topic = g[i].topic;
        o[i].partitions = g[i].partitions.items;
        o[i].count = g[i].partitions.count < 0 ? 0 : g[i].partitions.count;
    }
    return o;
}

_Static_assert(sizeof(sub_tp) == sizeof(asg_tp) && offsetof(sub_tp, topic) == offsetof(asg_tp, topic) &&
                   offsetof(sub_tp, partitions) == offsetof(asg_tp, partitions),
               "the two TopicPartition schemas share one layout");

int kfk_subscription_decode(const void *buf, size_t len, kfk_arena *a, kfk_subscription *s) {
    kfk_rbuf r = kfk_rbuf_make(buf, len);
    memset(s, 0, sizeof *s);
    int16_t v = read_version(&r, &s->version);
    if (v < 0) return KFK_ERR_MALFORMED;
    sub_msg m;
    int rc = kfk_consumer_protocol_subscription_decode(&r, v, a, &m);
    if (rc) return decode_err(rc);
    if (m.topics.count < 0 || m.owned_partitions.count < 0) return KFK_ERR_MALFORMED;
    s->topics = m.topics.items;
    s->ntopics = m.topics.count;
    s->user_data = m.user_data;
    s->nowned = m.owned_partitions.count;
    s->owned = convert_groups((const asg_tp *)(const void *)m.owned_partitions.items, s->nowned, a);
    if (!s->owned) return KFK_ERR_NOMEM;
    s->generation = m.generation_id;
    s->rack = m.rack_id;
    return 0;
}

int kfk_assignment_encode(kfk_wbuf *w, int16_t version, const kfk_assign_topic *topics,
                          const kfk_member_assignment *ma, kfk_bytes user_data) {
    if (version < 0 || version > KFK_CONSUMER_PROTOCOL_MAX_VERSION || ma->count < 0)
        return KFK_ERR_INVALID_ARG;
    /* Runs of one topic become one entry; assignors emit topics contiguous. */
    int32_t ng = 0;
    for (int32_t i = 0; i < ma->count; i++)
        if (i == 0 || ma->partitions[i].topic != ma->partitions[i - 1].topic) ng++;
    kfk_arena a = {0};
    asg_tp *groups = kfk_arena_array(&a, (size_t)ng + 1, sizeof *groups);
    int32_t *parts = kfk_arena_array(&a, (size_t)ma->count + 1, sizeof *parts);
    int rc = KFK_ERR_NOMEM;
    if (groups && parts) {
        int32_t g = -1;
        for (int32_t i = 0; i < ma->count; i++) {
            if (i == 0 || ma->partitions[i].topic != ma->partitions[i - 1].topic) {
                g++;
                groups[g].topic = topics[ma->partitions[i].topic].name;
                groups[g].partitions.items = parts + i;
                groups[g].partitions.count = 0;
            }
            parts[i] = ma->partitions[i].partition;
            groups[g].partitions.count++;
        }
        asg_msg m;
        kfk_consumer_protocol_assignment_init(&m);
        m.assigned_partitions.items = groups;
        m.assigned_partitions.count = ng;
        m.user_data = user_data;
        kfk_wr_i16(w, version);
        rc = kfk_consumer_protocol_assignment_encode(w, version, &m);
    }
    kfk_arena_reset(&a);
    return rc;
}

int kfk_assignment_decode(const void *buf, size_t len, kfk_arena *a, kfk_assignment *out) {
    kfk_rbuf r = kfk_rbuf_make(buf, len);
    memset(out, 0, sizeof *out);
    int16_t v = read_version(&r, &out->version);
    if (v < 0) return KFK_ERR_MALFORMED;
    asg_msg m;
    int rc = kfk_consumer_protocol_assignment_decode(&r, v, a, &m);
    if (rc) return decode_err(rc);
    if (m.assigned_partitions.count < 0) return KFK_ERR_MALFORMED;
    out->nparts = m.assigned_partitions.count;
    out->parts = convert_groups(m.assigned_partitions.items, out->nparts, a);
    out->user_data = m.user_data;
    return out->parts ? 0 : KFK_ERR_NOMEM;
}

void kfk_assign_member_from_subscription(kfk_assign_member *m, kfk_str member_id,
                                         kfk_str group_instance_id,
                                         const kfk_subscription *s) {
    memset(m, 0, sizeof *m);
    m->member_id = member_id;
    m->group_instance_id = group_instance_id;
    m->rack = s->rack;
    m->topics = s->topics;
    m->ntopics = s->ntopics;
    m->owned = s->owned;
    m->nowned = s->nowned;
    m->generation = s->generation < 0 ? -1 : s->generation;
    m->user_data = s->user_data;
}
