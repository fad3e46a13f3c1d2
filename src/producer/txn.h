/* The transactional producer's decisions, pure (no I/O, no clock), so tests
 * feed them states and errors directly: which calls a state allows, and
 * what an error in a transaction request's answer (or a failed batch of the
 * transaction) does to it. The errors follow the Java client's
 * TransactionManager: coordinator moves look the coordinator up again,
 * retriable errors and CONCURRENT_TRANSACTIONS retry, a fenced producer
 * (PRODUCER_FENCED, or INVALID_PRODUCER_EPOCH from a transaction
 * coordinator) and authorization failures on the transactional id are
 * fatal, the rest of a transaction's failures are abortable, and an
 * abortable error that lost the producer's state (UNKNOWN_PRODUCER_ID, a
 * batch's INVALID_PRODUCER_EPOCH after the coordinator timed the
 * transaction out, a sequence gap) also needs an epoch bump after the
 * abort (KIP-360, KIP-588). */
#ifndef KFK_TXN_H
#define KFK_TXN_H

enum kfk_txn_state {
    KFK_TXN_UNINIT,     /* init_transactions not done */
    KFK_TXN_READY,      /* no transaction */
    KFK_TXN_OPEN,       /* begun */
    KFK_TXN_COMMITTING, /* commit called */
    KFK_TXN_ABORTING,   /* abort called */
    KFK_TXN_ABORTABLE,  /* failed: only abort may follow */
    KFK_TXN_FATAL,      /* nothing may follow */
};

enum kfk_txn_call {
    KFK_TXN_CALL_INIT,
    KFK_TXN_CALL_BEGIN,
    KFK_TXN_CALL_SEND, /* a message, or offsets */
    KFK_TXN_CALL_COMMIT,
    KFK_TXN_CALL_ABORT,
};

/* 0 if call may start in state s, else what it returns: KFK_ERR_STATE
 * (misuse), KFK_ERR_TRANSACTION_ABORTABLE or KFK_ERR_FATAL. */
int kfk_txn_allowed(enum kfk_txn_state s, enum kfk_txn_call call);

enum kfk_txn_verdict {
    KFK_TXN_OK,
    KFK_TXN_RETRY,         /* again after retry.backoff.ms */
    KFK_TXN_RETRY_SOON,    /* again after a short wait (CONCURRENT_TRANSACTIONS) */
    KFK_TXN_FIND_COORD,    /* look the coordinator up again, then retry */
    KFK_TXN_ABORT,         /* the transaction must be aborted */
    KFK_TXN_ABORT_BUMP,    /* ... and the epoch bumped after the abort */
    KFK_TXN_FATAL_ERR,     /* the producer is done */
};

/* What err in the answer to a transaction request (api_key one of
 * InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit,
 * EndTxn; or a kfk local error of the request itself) means. */
enum kfk_txn_verdict kfk_txn_verdict_of(int api_key, int err);

/* What a batch of the transaction that failed with err means (the batch
 * is reported failed whatever this says). */
enum kfk_txn_verdict kfk_txn_batch_verdict(int err);

/* The error a fatal verdict leaves as the producer's cause: fenced
 * producers get KFK_ERR_PRODUCER_FENCED whichever code said so. */
int kfk_txn_fatal_cause(int err);

#endif
