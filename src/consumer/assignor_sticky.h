/* State shared by the cooperative-sticky assignor's two algorithms: the
 * constrained one (every member subscribes to the same topics) and the
 * general one. Partitions are global ids (see kfk_assign_ctx); members are
 * indices into the input. */
#ifndef KFK_CONSUMER_ASSIGNOR_STICKY_H
#define KFK_CONSUMER_ASSIGNOR_STICKY_H

#include "consumer/assignor_int.h"

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
} kfk_sticky;

/* Each fills s->result; the constrained one also s->transfer. */
int kfk_sticky_constrained(kfk_sticky *s);
int kfk_sticky_general(kfk_sticky *s);

/* Java's member order for sorting lists of member ids (by id only). */
int kfk_sticky_member_id_cmp(const kfk_sticky *s, int32_t a, int32_t b);

#endif
