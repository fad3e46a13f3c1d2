/* What a batch's result means (pure, so tests feed it errors directly):
 * done, sent again, or failed; and whether the idempotent producer must
 * bump its epoch or the metadata be refreshed. As the Java client:
 * retriable errors retry within retries and delivery.timeout.ms;
 * DUPLICATE_SEQUENCE_NUMBER is success; OUT_OF_ORDER_SEQUENCE_NUMBER is
 * retried while an earlier batch of the partition is unresolved (it caused
 * the gap), else fails the batch and bumps the epoch (KIP-360);
 * UNKNOWN_PRODUCER_ID and INVALID_PRODUCER_EPOCH retry after a bump;
 * MESSAGE_TOO_LARGE and RECORD_LIST_TOO_LARGE split a batch of several
 * records in two, and fail a record alone. */
#ifndef KFK_OUTCOME_H
#define KFK_OUTCOME_H

#include <stdint.h>

enum kfk_action { KFK_BATCH_DONE, KFK_BATCH_RETRY, KFK_BATCH_FAIL, KFK_BATCH_SPLIT };

typedef struct kfk_outcome_in {
    int err;           /* the partition's or the request's error */
    int idempotent;
    int stopping;      /* the producer is being destroyed: no retries */
    int32_t base_seq;  /* the batch's, -1 if none */
    int32_t acked_next; /* the partition's next unacknowledged sequence */
    int attempts;      /* sends so far */
    int32_t count;     /* records in the batch */
    int32_t retries;   /* the `retries` setting */
    int64_t now, deadline;
} kfk_outcome_in;

typedef struct kfk_outcome {
    enum kfk_action action;
    int bump;    /* epoch bump needed before more batches go */
    int refresh; /* leaders may have moved */
} kfk_outcome;

kfk_outcome kfk_produce_outcome(const kfk_outcome_in *in);

/* Whether a retry may skip its backoff (KIP-951, as Java): the leader a
 * NOT_LEADER answer named is another broker than the batch went to, or the
 * same one at a newer epoch. A hint naming the leader the batch was sent
 * to (a broker that has not yet taken up the partitions its metadata
 * gives it, as after a topic's creation) is no news: the retry backs off. */
int kfk_produce_leader_moved(int32_t sent_node, int32_t sent_epoch, int32_t hint_leader,
                             int32_t hint_epoch);

#endif
