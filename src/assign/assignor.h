/* Consumer group partition assignors and the classic consumer protocol.
 *
 * The group leader decodes every member's ConsumerProtocolSubscription, runs
 * the assignor the group agreed on, and encodes one ConsumerProtocolAssignment
 * per member. Everything here is a pure function: no I/O, no clock, no
 * globals; all memory comes from the caller's arena, so one
 * kfk_arena_reset frees a whole rebalance. Callable from any thread.
 *
 * Assignors give the same result as the Java client's assignor of the same
 * name for the same input, provided members are passed in the order of the
 * JoinGroup response (Java iterates a HashMap built in that order; see
 * assignor_common.c). */
#ifndef KFK_ASSIGN_ASSIGNOR_H
#define KFK_ASSIGN_ASSIGNOR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"

/* The racks of one partition's replicas. */
typedef struct kfk_assign_racks {
    const kfk_str *racks;
    int32_t count;
} kfk_assign_racks;

/* A topic from metadata. Topics a member subscribes to but that are missing
 * here (or have no partitions) get no assignment, as in Java. */
typedef struct kfk_assign_topic {
    kfk_str name;
    int32_t partitions;
    /* NULL, or `partitions` entries: replica racks, for the rack-aware
     * range and cooperative-sticky assignors (used when members have racks). */
    const kfk_assign_racks *racks;
} kfk_assign_topic;

/* Partitions of one topic, by name (owned partitions, as on the wire). */
typedef struct kfk_assign_owned {
    kfk_str topic;
    const int32_t *partitions;
    int32_t count;
} kfk_assign_owned;

/* One group member as the leader sees it. Strings point into the caller's
 * buffers (typically the decoded JoinGroup response). */
typedef struct kfk_assign_member {
    kfk_str member_id;
    kfk_str group_instance_id; /* len -1: dynamic member */
    kfk_str rack;              /* len <= 0: none */
    const kfk_str *topics;
    int32_t ntopics;
    const kfk_assign_owned *owned;
    int32_t nowned;
    int32_t generation; /* the subscription's GenerationId (v2+), -1 if absent */
    kfk_bytes user_data; /* len -1: null */
} kfk_assign_member;

/* One assigned partition: `topic` indexes kfk_assign_input.topics. */
typedef struct kfk_assign_tp {
    int32_t topic;
    int32_t partition;
} kfk_assign_tp;

typedef struct kfk_assign_input {
    const kfk_assign_topic *topics;
    int32_t ntopics;
    const kfk_assign_member *members; /* in JoinGroup response order */
    int32_t nmembers;
} kfk_assign_input;

/* What one member gets, sorted by topic name, then partition. */
typedef struct kfk_member_assignment {
    kfk_assign_tp *partitions;
    int32_t count;
} kfk_member_assignment;

typedef struct kfk_assignor {
    const char *name;  /* the protocol name in JoinGroup: "range", ... */
    bool cooperative;  /* supports the COOPERATIVE rebalance protocol */
    /* Fills out[0..nmembers) (out[i] for in->members[i]) from arena memory.
     * Returns 0, KFK_ERR_NOMEM or KFK_ERR_INVALID_ARG (duplicate topic or
     * member id, negative counts). */
    int (*assign)(const kfk_assign_input *in, kfk_arena *a, kfk_member_assignment *out);
    /* Appends the UserData a member sends in its subscription, or NULL when
     * the assignor sends none. `generation` is the member's last one, -1. */
    int (*user_data)(int32_t generation, kfk_wbuf *w);
} kfk_assignor;

extern const kfk_assignor kfk_assignor_range;
extern const kfk_assignor kfk_assignor_roundrobin;
extern const kfk_assignor kfk_assignor_cooperative_sticky;

/* The assignor named `name` (len bytes), or NULL. */
const kfk_assignor *kfk_assignor_find(const char *name, size_t len);

/* ConsumerProtocol: an int16 version, then the data schema at that version.
 * The highest version kfk (and Java 4.x) knows for both is 3. */
enum { KFK_CONSUMER_PROTOCOL_MAX_VERSION = 3 };

/* A decoded subscription. Strings and bytes point into the input buffer;
 * arrays are in the arena. */
typedef struct kfk_subscription {
    int16_t version; /* as sent, possibly above what we know */
    const kfk_str *topics;
    int32_t ntopics;
    kfk_bytes user_data;
    const kfk_assign_owned *owned;
    int32_t nowned;
    int32_t generation; /* -1 when absent */
    kfk_str rack;       /* len -1 when absent */
} kfk_subscription;

/* Appends `version`, then the subscription in Java's canonical form: topics
 * sorted, owned partitions grouped by topic and sorted. Fields the version
 * lacks are dropped. Returns 0, KFK_ERR_INVALID_ARG (version outside 0..3,
 * strings too long) or KFK_ERR_NOMEM; scratch space comes from `a`. */
int kfk_subscription_encode(kfk_wbuf *w, int16_t version, const kfk_subscription *s,
                            kfk_arena *a);
/* Decodes as Java does: a version above 3 is read as version 3 and any bytes
 * after the known fields are ignored. Returns 0, KFK_ERR_MALFORMED (short,
 * negative version, bad counts) or KFK_ERR_NOMEM. */
int kfk_subscription_decode(const void *buf, size_t len, kfk_arena *a, kfk_subscription *s);

/* Appends `version`, then the member's assignment (topics in the order of
 * `m`, which assignors keep sorted) and user_data (len -1: null). */
int kfk_assignment_encode(kfk_wbuf *w, int16_t version, const kfk_assign_topic *topics,
                          const kfk_member_assignment *m, kfk_bytes user_data);

/* A decoded assignment: partitions by topic name, pointing into the input. */
typedef struct kfk_assignment {
    int16_t version;
    const kfk_assign_owned *parts;
    int32_t nparts;
    kfk_bytes user_data;
} kfk_assignment;

/* Same rules as kfk_subscription_decode. */
int kfk_assignment_decode(const void *buf, size_t len, kfk_arena *a, kfk_assignment *out);

/* Fills a member from its decoded subscription (which must outlive it). */
void kfk_assign_member_from_subscription(kfk_assign_member *m, kfk_str member_id,
                                         kfk_str group_instance_id,
                                         const kfk_subscription *s);

#endif
