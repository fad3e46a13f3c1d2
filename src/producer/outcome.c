#include "producer/outcome.h"

#include "kfk.h"

/* Errors after which the leader may be elsewhere (or, UNKNOWN_TOPIC_ID,
 * the topic was deleted and maybe re-created under a new id). */
static int leader_moved(int err) {
    return err == KFK_ERR_NOT_LEADER_OR_FOLLOWER || err == KFK_ERR_LEADER_NOT_AVAILABLE ||
           err == KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION || err == KFK_ERR_UNKNOWN_TOPIC_ID ||
           err == KFK_ERR_FENCED_LEADER_EPOCH ||
           err == KFK_ERR_TRANSPORT || err == KFK_ERR_NOENT || err == KFK_ERR_TIMED_OUT ||
           err == KFK_ERR_NOT_ENOUGH_REPLICAS || err == KFK_ERR_KAFKA_STORAGE_ERROR;
}

kfk_outcome kfk_produce_outcome(const kfk_outcome_in *in) {
    kfk_outcome o = {KFK_BATCH_FAIL, 0, 0};
    int err = in->err;
    if (err == 0 || err == KFK_ERR_DUPLICATE_SEQUENCE_NUMBER) {
        o.action = KFK_BATCH_DONE;
        return o;
    }
    int retriable = kfk_err_retriable(err) || err == KFK_ERR_NOENT;
    int may_retry = !in->stopping && in->attempts <= in->retries && in->now < in->deadline;
    if ((err == KFK_ERR_MESSAGE_TOO_LARGE || err == KFK_ERR_RECORD_LIST_TOO_LARGE) &&
        in->count > 1 && !in->stopping && in->now < in->deadline) {
        o.action = KFK_BATCH_SPLIT; /* not a retry: the halves are new requests */
        return o;
    }
    if (in->idempotent) {
        if (err == KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER) {
            /* Sequences wrap at 2^31: "ahead" means less than half a lap. */
            uint32_t ahead = ((uint32_t)in->base_seq - (uint32_t)in->acked_next) & INT32_MAX;
            if (ahead != 0 && ahead < (1u << 30) && may_retry) {
                o.action = KFK_BATCH_RETRY;
                return o;
            }
            o.bump = !in->stopping;
            return o;
        }
        if (err == KFK_ERR_UNKNOWN_PRODUCER_ID || err == KFK_ERR_INVALID_PRODUCER_EPOCH) {
            o.bump = !in->stopping;
            o.action = may_retry ? KFK_BATCH_RETRY : KFK_BATCH_FAIL;
            return o;
        }
    }
    if (retriable && may_retry) {
        o.action = KFK_BATCH_RETRY;
        o.refresh = leader_moved(err) || err == KFK_ERR_NETWORK_EXCEPTION;
        return o;
    }
    /* A batch that took a sequence and failed leaves a gap the broker
     * would reject every later batch for: start a new epoch. */
    o.bump = in->idempotent && in->base_seq >= 0 && !in->stopping;
    o.refresh = leader_moved(err);
    return o;
}

int kfk_produce_leader_moved(int32_t sent_node, int32_t sent_epoch, int32_t hint_leader,
                             int32_t hint_epoch) {
    if (hint_leader < 0) return 0;
    return hint_leader != sent_node || (sent_epoch >= 0 && hint_epoch > sent_epoch);
}
