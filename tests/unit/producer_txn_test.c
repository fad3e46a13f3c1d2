/* The transactional producer's pure decisions (producer/txn.c): which calls
 * each state allows, and what each error does to a transaction. */
#include "kfk.h"
#include "producer/txn.h"
#include "proto/proto.h"
#include "test.h"

TEST(calls_allowed_by_state) {
    CHECK_EQ(kfk_txn_allowed(KFK_TXN_UNINIT, KFK_TXN_CALL_INIT), 0);
    CHECK_EQ(kfk_txn_allowed(KFK_TXN_UNINIT, KFK_TXN_CALL_BEGIN), KFK_ERR_STATE);
    CHECK_EQ(kfk_txn_allowed(KFK_TXN_READY, KFK_TXN_CALL_INIT), KFK_ERR_STATE);
    CHECK_EQ(kfk_txn_allowed(KFK_TXN_READY, KFK_TXN_CALL_BEGIN), 0);
    CHECK_EQ(kfk_txn_allowed(KFK_TXN_READY, KFK_TXN_CALL_COMMIT), KFK_ERR_STATE);
    CHECK_EQ(kfk_txn_allowed(KFK_TXN_READY, KFK_TXN_CALL_ABORT), KFK_ERR_STATE);
    CHECK_EQ(kfk_txn_allowed(KFK_TXN_OPEN, KFK_TXN_CALL_BEGIN), KFK_ERR_STATE);
    CHECK_EQ(kfk_txn_allowed(KFK_TXN_OPEN, KFK_TXN_CALL_SEND), 0);
    CHECK_EQ(kfk_txn_allowed(KFK_TXN_OPEN, KFK_TXN_CALL_COMMIT), 0);
    CHECK_EQ(kfk_txn_allowed(KFK_TXN_OPEN, KFK_TXN_CALL_ABORT), 0);
    /* An abortable transaction can only be aborted. */
    CHECK_EQ(kfk_txn_allowed(KFK_TXN_ABORTABLE, KFK_TXN_CALL_SEND), KFK_ERR_TRANSACTION_ABORTABLE);
    CHECK_EQ(kfk_txn_allowed(KFK_TXN_ABORTABLE, KFK_TXN_CALL_COMMIT),
             KFK_ERR_TRANSACTION_ABORTABLE);
    CHECK_EQ(kfk_txn_allowed(KFK_TXN_ABORTABLE, KFK_TXN_CALL_ABORT), 0);
    CHECK_EQ(kfk_txn_allowed(KFK_TXN_ABORTABLE, KFK_TXN_CALL_BEGIN), KFK_ERR_STATE);
    CHECK_EQ(kfk_txn_allowed(KFK_TXN_COMMITTING, KFK_TXN_CALL_SEND), KFK_ERR_STATE);
    CHECK_EQ(kfk_txn_allowed(KFK_TXN_ABORTING, KFK_TXN_CALL_COMMIT), KFK_ERR_STATE);
    /* Nothing after a fatal error. */
    for (int c = KFK_TXN_CALL_INIT; c <= KFK_TXN_CALL_ABORT; c++)
        CHECK_EQ(kfk_txn_allowed(KFK_TXN_FATAL, (enum kfk_txn_call)c), KFK_ERR_FATAL);
}

TEST(coordinator_errors_find_it_again_or_retry) {
    static const int apis[] = {KFK_API_INIT_PRODUCER_ID, KFK_API_ADD_PARTITIONS_TO_TXN,
                               KFK_API_ADD_OFFSETS_TO_TXN, KFK_API_TXN_OFFSET_COMMIT,
                               KFK_API_END_TXN};
    for (size_t i = 0; i < sizeof apis / sizeof *apis; i++) {
        int api = apis[i];
        CHECK_EQ(kfk_txn_verdict_of(api, 0), KFK_TXN_OK);
        CHECK_EQ(kfk_txn_verdict_of(api, KFK_ERR_NOT_COORDINATOR), KFK_TXN_FIND_COORD);
        CHECK_EQ(kfk_txn_verdict_of(api, KFK_ERR_COORDINATOR_NOT_AVAILABLE), KFK_TXN_FIND_COORD);
        CHECK_EQ(kfk_txn_verdict_of(api, KFK_ERR_TIMED_OUT), KFK_TXN_FIND_COORD);
        CHECK_EQ(kfk_txn_verdict_of(api, KFK_ERR_TRANSPORT), KFK_TXN_FIND_COORD);
        CHECK_EQ(kfk_txn_verdict_of(api, KFK_ERR_COORDINATOR_LOAD_IN_PROGRESS), KFK_TXN_RETRY);
        CHECK_EQ(kfk_txn_verdict_of(api, KFK_ERR_CONCURRENT_TRANSACTIONS), KFK_TXN_RETRY_SOON);
        CHECK_EQ(kfk_txn_verdict_of(api, KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION), KFK_TXN_RETRY);
        /* Fenced: a newer producer has the transactional id. */
        CHECK_EQ(kfk_txn_verdict_of(api, KFK_ERR_PRODUCER_FENCED), KFK_TXN_FATAL_ERR);
        CHECK_EQ(kfk_txn_verdict_of(api, KFK_ERR_INVALID_PRODUCER_EPOCH), KFK_TXN_FATAL_ERR);
        CHECK_EQ(kfk_txn_verdict_of(api, KFK_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED),
                 KFK_TXN_FATAL_ERR);
        CHECK_EQ(kfk_txn_verdict_of(api, KFK_ERR_TRANSACTION_ABORTABLE), KFK_TXN_ABORT);
    }
}

TEST(transaction_failures_are_abortable) {
    CHECK_EQ(kfk_txn_verdict_of(KFK_API_ADD_PARTITIONS_TO_TXN, KFK_ERR_TOPIC_AUTHORIZATION_FAILED),
             KFK_TXN_ABORT);
    CHECK_EQ(kfk_txn_verdict_of(KFK_API_ADD_PARTITIONS_TO_TXN, KFK_ERR_UNKNOWN_PRODUCER_ID),
             KFK_TXN_ABORT_BUMP);
    CHECK_EQ(kfk_txn_verdict_of(KFK_API_END_TXN, KFK_ERR_INVALID_PRODUCER_ID_MAPPING),
             KFK_TXN_ABORT_BUMP);
    CHECK_EQ(kfk_txn_verdict_of(KFK_API_END_TXN, KFK_ERR_INVALID_TXN_STATE), KFK_TXN_FATAL_ERR);
    /* A zombie group member's offsets are refused; the transaction aborts. */
    CHECK_EQ(kfk_txn_verdict_of(KFK_API_TXN_OFFSET_COMMIT, KFK_ERR_ILLEGAL_GENERATION),
             KFK_TXN_ABORT);
    CHECK_EQ(kfk_txn_verdict_of(KFK_API_TXN_OFFSET_COMMIT, KFK_ERR_UNKNOWN_MEMBER_ID),
             KFK_TXN_ABORT);
    CHECK_EQ(kfk_txn_verdict_of(KFK_API_TXN_OFFSET_COMMIT, KFK_ERR_FENCED_INSTANCE_ID),
             KFK_TXN_ABORT);
    CHECK_EQ(kfk_txn_verdict_of(KFK_API_TXN_OFFSET_COMMIT, KFK_ERR_GROUP_AUTHORIZATION_FAILED),
             KFK_TXN_ABORT);
    CHECK_EQ(kfk_txn_verdict_of(KFK_API_INIT_PRODUCER_ID, KFK_ERR_UNKNOWN_PRODUCER_ID),
             KFK_TXN_FATAL_ERR);
}

TEST(failed_batches) {
    CHECK_EQ(kfk_txn_batch_verdict(KFK_ERR_PRODUCER_FENCED), KFK_TXN_FATAL_ERR);
    CHECK_EQ(kfk_txn_batch_verdict(KFK_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED),
             KFK_TXN_FATAL_ERR);
    /* The coordinator timed the transaction out and bumped the epoch
     * (KIP-588): abortable, with a bump after the abort. */
    CHECK_EQ(kfk_txn_batch_verdict(KFK_ERR_INVALID_PRODUCER_EPOCH), KFK_TXN_ABORT_BUMP);
    CHECK_EQ(kfk_txn_batch_verdict(KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER), KFK_TXN_ABORT_BUMP);
    CHECK_EQ(kfk_txn_batch_verdict(KFK_ERR_TIMED_OUT), KFK_TXN_ABORT_BUMP);
    CHECK_EQ(kfk_txn_batch_verdict(KFK_ERR_MSG_TOO_LARGE), KFK_TXN_ABORT_BUMP);
    CHECK_EQ(kfk_txn_batch_verdict(KFK_ERR_PURGED), KFK_TXN_ABORT);
    CHECK_EQ(kfk_txn_fatal_cause(KFK_ERR_INVALID_PRODUCER_EPOCH), KFK_ERR_PRODUCER_FENCED);
    CHECK_EQ(kfk_txn_fatal_cause(KFK_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED),
             KFK_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
}
