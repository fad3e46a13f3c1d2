/* Shared internals of the assignors: Java-compatible ordering and hashing,
 * a name index, and the input resolved to topic indices. */
#ifndef KFK_ASSIGN_ASSIGNOR_INT_H
#define KFK_ASSIGN_ASSIGNOR_INT_H

#include "assign/assignor.h"

/* java.lang.String.compareTo for UTF-8 strings: code point order, then
 * length. (Java compares UTF-16 units, which differs only between
 * supplementary characters and U+E000..U+FFFF.) */
int kfk_java_strcmp(kfk_str a, kfk_str b);
/* java.lang.String.hashCode of the UTF-16 form of a UTF-8 string. */
int32_t kfk_java_str_hash(kfk_str s);
/* org.apache.kafka.common.TopicPartition.hashCode. */
static inline int32_t kfk_java_tp_hash(int32_t topic_hash, int32_t partition) {
    return (int32_t)(31u * (31u + (uint32_t)partition) + (uint32_t)topic_hash);
}
/* The bucket java.util.HashMap puts hash h in, with `cap` buckets. */
static inline uint32_t kfk_java_bucket(int32_t h, uint32_t cap) {
    uint32_t u = (uint32_t)h;
    return (u ^ (u >> 16)) & (cap - 1);
}
/* Buckets of a default-constructed HashMap after it held at most n keys. */
uint32_t kfk_java_map_cap(uint32_t max_size);

/* Open-addressing map from a name to a small integer, in arena memory. */
typedef struct kfk_name_index {
    kfk_str *keys; /* ptr NULL: empty slot */
    int32_t *vals;
    uint32_t mask;
} kfk_name_index;

int kfk_name_index_init(kfk_name_index *ix, kfk_arena *a, int32_t capacity);
/* Adds name -> val; returns 0, or 1 if the name was already there. */
int kfk_name_index_put(kfk_name_index *ix, kfk_str name, int32_t val);
/* The value for name, or -1. */
int32_t kfk_name_index_get(const kfk_name_index *ix, kfk_str name);

/* The input with names resolved. Partition ids are global: a topic's
 * partitions are numbered from `first[topic]`. */
typedef struct kfk_assign_ctx {
    const kfk_assign_input *in;
    kfk_arena *a;
    kfk_name_index topic_ix;
    int32_t *first;        /* per topic: global id of its partition 0 */
    int32_t nparts;        /* total partitions */
    int32_t *topic_rank;   /* per topic: rank in name order */
    int32_t *sub_topics;   /* per member: subscribed topics present in metadata, */
    int32_t *sub_start;    /* member m's are sub_topics[sub_start[m]..sub_start[m+1]) */
    uint8_t *subscribed;   /* [member * ntopics + topic] */
    int32_t *java_order;   /* members in Java HashMap iteration order */
} kfk_assign_ctx;

int kfk_assign_ctx_init(kfk_assign_ctx *c, const kfk_assign_input *in, kfk_arena *a);

/* Global partition id -> topic index (binary search over `first`). */
int32_t kfk_assign_gp_topic(const kfk_assign_ctx *c, int32_t gp);

/* Orders members as AbstractPartitionAssignor.MemberInfo does: static
 * members by group.instance.id first, then dynamic ones by member id. */
int kfk_assign_member_cmp(const kfk_assign_member *x, const kfk_assign_member *y);

/* Writes out[m] from lists of global partition ids, sorted by topic name then
 * partition. */
int kfk_assign_emit(const kfk_assign_ctx *c, int32_t m, const int32_t *gps, int32_t n,
                    kfk_member_assignment *out);

/* A growable int32 list in arena memory (old blocks are left to the arena). */
typedef struct kfk_ivec {
    int32_t *v;
    int32_t n, cap;
} kfk_ivec;

int kfk_ivec_push(kfk_ivec *l, kfk_arena *a, int32_t x);
/* Removes the first occurrence of x keeping order (java.util.List.remove). */
bool kfk_ivec_remove(kfk_ivec *l, int32_t x);

void kfk_sort_ints(int32_t *v, int32_t n);

#endif
