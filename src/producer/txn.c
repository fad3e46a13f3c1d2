#include "producer/txn.h"

#include "kfk.h"
#include "proto/proto.h"

int kfk_txn_allowed(enum kfk_txn_state s, enum kfk_txn_call call) {
    if (s == KFK_TXN_FATAL) return KFK_ERR_FATAL;
    switch (call) {
    case KFK_TXN_CALL_INIT:
        return s == KFK_TXN_UNINIT ? 0 : KFK_ERR_STATE;
    case KFK_TXN_CALL_BEGIN:
        return s == KFK_TXN_READY ? 0 : KFK_ERR_STATE;
    case KFK_TXN_CALL_SEND:
    case KFK_TXN_CALL_COMMIT:
        if (s == KFK_TXN_ABORTABLE) return KFK_ERR_TRANSACTION_ABORTABLE;
        return s == KFK_TXN_OPEN ? 0 : KFK_ERR_STATE;
    case KFK_TXN_CALL_ABORT:
        return s == KFK_TXN_OPEN || s == KFK_TXN_ABORTABLE ? 0 : KFK_ERR_STATE;
    }
    return KFK_ERR_STATE;
}

static int fenced(int err) {
    return err == KFK_ERR_PRODUCER_FENCED || err == KFK_ERR_INVALID_PRODUCER_EPOCH;
}

enum kfk_txn_verdict kfk_txn_verdict_of(int api_key, int err) {
    switch (err) {
    case 0:
        return KFK_TXN_OK;
    case KFK_ERR_NOT_COORDINATOR:
    case KFK_ERR_COORDINATOR_NOT_AVAILABLE:
        return KFK_TXN_FIND_COORD;
    case KFK_ERR_CONCURRENT_TRANSACTIONS:
        return KFK_TXN_RETRY_SOON;
    case KFK_ERR_TRANSACTION_ABORTABLE:
        return KFK_TXN_ABORT;
    case KFK_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
    case KFK_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case KFK_ERR_INVALID_TXN_STATE:
    case KFK_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT:
    case KFK_ERR_UNSUPPORTED_VERSION:
        return KFK_TXN_FATAL_ERR;
    case KFK_ERR_UNKNOWN_PRODUCER_ID:
    case KFK_ERR_INVALID_PRODUCER_ID_MAPPING:
        return api_key == KFK_API_INIT_PRODUCER_ID ? KFK_TXN_FATAL_ERR : KFK_TXN_ABORT_BUMP;
    case KFK_ERR_GROUP_AUTHORIZATION_FAILED:
    case KFK_ERR_TOPIC_AUTHORIZATION_FAILED:
    case KFK_ERR_FENCED_INSTANCE_ID:
    case KFK_ERR_UNKNOWN_MEMBER_ID:
    case KFK_ERR_ILLEGAL_GENERATION:
    case KFK_ERR_OPERATION_NOT_ATTEMPTED:
        return KFK_TXN_ABORT;
    default:
        break;
    }
    if (fenced(err)) return KFK_TXN_FATAL_ERR;
    /* Local errors (no answer, a timeout, a lost connection) and Kafka's
     * retriable ones; a request that timed out may have gone to a stalled
     * coordinator, so it is looked up again. */
    if (err == KFK_ERR_TIMED_OUT || err == KFK_ERR_TRANSPORT || err == KFK_ERR_NOENT ||
        err == KFK_ERR_REQUEST_TIMED_OUT || err == KFK_ERR_NETWORK_EXCEPTION)
        return KFK_TXN_FIND_COORD;
    if (kfk_err_retriable(err) || err == KFK_ERR_MALFORMED || err == KFK_ERR_NO_BROKERS)
        return KFK_TXN_RETRY;
    return api_key == KFK_API_TXN_OFFSET_COMMIT ? KFK_TXN_ABORT : KFK_TXN_FATAL_ERR;
}

enum kfk_txn_verdict kfk_txn_batch_verdict(int err) {
    switch (err) {
    case KFK_ERR_PRODUCER_FENCED:
    case KFK_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
    case KFK_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case KFK_ERR_UNSUPPORTED_VERSION:
    case KFK_ERR_FATAL:
        return KFK_TXN_FATAL_ERR;
    case KFK_ERR_PURGED:
    case KFK_ERR_TRANSACTION_ABORTABLE:
    case KFK_ERR_DESTROYED:
        return KFK_TXN_ABORT;
    default:
        /* The broker may hold a sequence (timed out, epoch fenced by the
         * coordinator's timeout abort, gap): start a new epoch. */
        return KFK_TXN_ABORT_BUMP;
    }
}

int kfk_txn_fatal_cause(int err) { return fenced(err) ? KFK_ERR_PRODUCER_FENCED : err; }
