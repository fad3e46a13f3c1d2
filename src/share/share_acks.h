/* A share consumer's records of one partition, sans I/O (KIP-932): which
 * fetched records were acquired (the ShareFetch answer's AcquiredRecords
 * ranges, each with its delivery count) and the acknowledgements waiting
 * to be sent, turned into acknowledgement batches for ShareFetch or
 * ShareAcknowledge. Offsets inside an acquired range that carry no record
 * (control records, compacted away) are acknowledged as gaps, or the
 * broker would hold them until the acquisition lock times out. */
#ifndef KFK_SHARE_ACKS_H
#define KFK_SHARE_ACKS_H

#include <stdint.h>

#include "core/arena.h"
#include "kfk.h"

/* Kafka's AcknowledgeType values; ACCEPT, RELEASE and REJECT are kfk.h's
 * KFK_ACK_*. */
enum { KFK_ACK_GAP = 0 };

typedef struct kfk_share_ack {
    int64_t offset;
    int8_t type;
} kfk_share_ack;

typedef struct kfk_share_acks {
    kfk_share_ack *v; /* in the order added; batches() sorts */
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

/* 0 or KFK_ERR_NOMEM. A later acknowledgement of the same offset replaces
 * the earlier one when batches are built. */
int kfk_share_acks_add(kfk_share_acks *a, int64_t offset, int8_t type);
/* The pending acknowledgements as batches in a (runs of consecutive
 * offsets of one type each make one batch), and clears them. Returns the
 * number of batches (0: none) or -1 when out of memory (nothing cleared). */
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
