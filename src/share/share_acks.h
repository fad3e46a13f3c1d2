/* A share consumer's records of one partition, sans I/O (KIP-932): which
 * fetched records were acquired (the ShareFetch answer's AcquiredRecords
 * ranges, each with its delivery count) and the acknowledgements waiting
 * to be sent, turned into acknowledgement batches for ShareFetch or
 * ShareAcknowledge. Offsets inside an acquired range that carry no record
 * (control records, compacted away) are acknowledged as gaps, or the
 * broker would hold them until the acquisition lock times out.
 * Acknowledgements are kept as ranges: a run of consecutive offsets of
 * one type (the usual case: records accepted in delivery order, a span of
 * gaps) costs one entry. */
#ifndef KFK_SHARE_ACKS_H
#define KFK_SHARE_ACKS_H

#include <stdint.h>

#include "core/arena.h"
#include "kfk.h"

/* Kafka's AcknowledgeType values; ACCEPT, RELEASE, REJECT and RENEW are
 * kfk.h's KFK_ACK_*. */
enum { KFK_ACK_GAP = 0 };

/* first..last acknowledged with type. */
typedef struct kfk_share_ack {
    int64_t first, last;
    int8_t type;
} kfk_share_ack;

typedef struct kfk_share_acks {
    kfk_share_ack *v; /* in the order added; take() sorts */
    int n, cap;
} kfk_share_acks;

typedef struct kfk_share_range {
    int64_t first, last;
    int16_t delivery_count;
} kfk_share_range;

/* One acknowledgement batch as both requests carry it: first..last with
 * one type for all (ntypes 1) or one per offset. */
typedef struct kfk_share_batch {
    int64_t first, last;
    int8_t *types;
    int32_t ntypes;
} kfk_share_batch;

/* Adds first..last (first <= last) with type, extending the last range
 * when it continues it. 0 or KFK_ERR_NOMEM. Where ranges overlap, the one
 * added later wins when batches are built. */
int kfk_share_acks_add_range(kfk_share_acks *a, int64_t first, int64_t last, int8_t type);
static inline int kfk_share_acks_add(kfk_share_acks *a, int64_t offset, int8_t type) {
    return kfk_share_acks_add_range(a, offset, offset, type);
}
/* The pending acknowledgements as batches in a (each maximal run of
 * consecutive offsets of one type makes one batch), and clears them.
 * Returns the number of batches (0: none) or -1 when out of memory
 * (nothing cleared). */
int kfk_share_acks_take(kfk_share_acks *a, kfk_arena *ar, kfk_share_batch **out);
void kfk_share_acks_free(kfk_share_acks *a);

/* Keeps, of the list head..tail (linked by kfk_cmsg(m)->next), the records whose
 * offset lies in one of the n acquired ranges (sorted or not), sets each
 * kept one's delivery_count, releases the others, and adds a GAP
 * acknowledgement to gaps for each acquired offset without a record.
 * *head and *tail are updated; returns how many were kept, or -1 when out
 * of memory for the gaps (the list is then released and emptied). */
int kfk_share_filter(kfk_consumer_message **head, kfk_consumer_message **tail,
                     const kfk_share_range *r, int n, kfk_share_acks *gaps);

#endif
