/* State shared by the cooperative-sticky assignor's two algorithms: the
 * constrained one (every member subscribes to the same topics) and the
 * general one. Partitions are global ids (see kfk_assign_ctx); members are
 * indices into the input. */
#ifndef KFK_ASSIGN_ASSIGNOR_STICKY_H
#define KFK_ASSIGN_ASSIGNOR_STICKY_H

#include "assign/assignor_int.h"

/* Java's AbstractStickyAssignor.RackInfo (KIP-881), over the partitions of
 * subscribed topics. Racks are interned to small integers. */
typedef struct kfk_sticky_racks {
    bool aware;           /* rack-aware assignment in use */
    bool by_consumers;    /* some member has a rack: free partitions are ordered by rack_consumers */
    int32_t *member_rack; /* per member: its rack when aware, else -1 */
    int32_t *start;       /* per partition: its distinct replica racks are */
    int32_t *racks;       /* racks[start[gp]..start[gp + 1]) */
    int32_t *rack_consumers; /* per partition: members on its replicas' racks */
} kfk_sticky_racks;

typedef struct kfk_sticky {
    kfk_assign_ctx c;
    int32_t nm;
    int32_t *gen;        /* per member: generation from member data, or -1 */
    bool *has_gen;       /* whether member data carried a generation */
    int32_t max_gen;
    bool *in_metadata;   /* per topic: subscribed by someone and has partitions */
    kfk_ivec *raw_owned; /* per member: owned partitions as sent (known topics) */
    kfk_ivec *owned;     /* per member: still-owned after resolving conflicts */
    uint8_t *multi;      /* per partition: claimed twice in one generation */
    kfk_ivec *result;    /* per member */
    int32_t *transfer;   /* per partition: member it moves to, or -1; NULL: compute */
    kfk_sticky_racks r;
} kfk_sticky;

/* Fills s->r; needs s->in_metadata. */
int kfk_sticky_racks_init(kfk_sticky *s);
/* Whether member m has a rack (rack-aware only) that none of gp's replicas
 * is on (Java's racksMismatch), or that one is on (a rack match). */
bool kfk_sticky_rack_mismatch(const kfk_sticky *s, int32_t m, int32_t gp);
bool kfk_sticky_rack_match(const kfk_sticky *s, int32_t m, int32_t gp);
/* Stable sort of partitions by rack_consumers, when by_consumers (Java's
 * sortPartitionsByRackConsumers). */
int kfk_sticky_sort_by_rack_consumers(const kfk_sticky *s, int32_t *gps, int32_t n);

/* Each fills s->result; the constrained one also s->transfer. */
int kfk_sticky_constrained(kfk_sticky *s);
int kfk_sticky_general(kfk_sticky *s);

/* Java's member order for sorting lists of member ids (by id only). */
int kfk_sticky_member_id_cmp(const kfk_sticky *s, int32_t a, int32_t b);

#endif
