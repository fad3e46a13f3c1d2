/* librdkafka's error codes, texts and error objects, and kfk's errors as
 * librdkafka's. The texts are librdkafka's: programs print them. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdk_int.h"

/* Indexed by code - RD_KAFKA_RESP_ERR__BEGIN; codes librdkafka 2.0.2 does
 * not name are zero entries, as in its table. */
#define D(n, s) [RD_KAFKA_RESP_ERR_##n - RD_KAFKA_RESP_ERR__BEGIN] = {RD_KAFKA_RESP_ERR_##n, #n, s}
static const struct rd_kafka_err_desc descs[] = {
    D(_BEGIN, NULL),
    D(_BAD_MSG, "Local: Bad message format"),
    D(_BAD_COMPRESSION, "Local: Invalid compressed data"),
    D(_DESTROY, "Local: Broker handle destroyed"),
    D(_FAIL, "Local: Communication failure with broker"),
    D(_TRANSPORT, "Local: Broker transport failure"),
    D(_CRIT_SYS_RESOURCE, "Local: Critical system resource failure"),
    D(_RESOLVE, "Local: Host resolution failure"),
    D(_MSG_TIMED_OUT, "Local: Message timed out"),
    D(_PARTITION_EOF, "Broker: No more messages"),
    D(_UNKNOWN_PARTITION, "Local: Unknown partition"),
    D(_FS, "Local: File or filesystem error"),
    D(_UNKNOWN_TOPIC, "Local: Unknown topic"),
    D(_ALL_BROKERS_DOWN, "Local: All broker connections are down"),
    D(_INVALID_ARG, "Local: Invalid argument or configuration"),
    D(_TIMED_OUT, "Local: Timed out"),
    D(_QUEUE_FULL, "Local: Queue full"),
    D(_ISR_INSUFF, "Local: ISR count insufficient"),
    D(_NODE_UPDATE, "Local: Broker node update"),
    D(_SSL, "Local: SSL error"),
    D(_WAIT_COORD, "Local: Waiting for coordinator"),
    D(_UNKNOWN_GROUP, "Local: Unknown group"),
    D(_IN_PROGRESS, "Local: Operation in progress"),
    D(_PREV_IN_PROGRESS, "Local: Previous operation in progress"),
    D(_EXISTING_SUBSCRIPTION, "Local: Existing subscription"),
    D(_ASSIGN_PARTITIONS, "Local: Assign partitions"),
    D(_REVOKE_PARTITIONS, "Local: Revoke partitions"),
    D(_CONFLICT, "Local: Conflicting use"),
    D(_STATE, "Local: Erroneous state"),
    D(_UNKNOWN_PROTOCOL, "Local: Unknown protocol"),
    D(_NOT_IMPLEMENTED, "Local: Not implemented"),
    D(_AUTHENTICATION, "Local: Authentication failure"),
    D(_NO_OFFSET, "Local: No offset stored"),
    D(_OUTDATED, "Local: Outdated"),
    D(_TIMED_OUT_QUEUE, "Local: Timed out in queue"),
    D(_UNSUPPORTED_FEATURE, "Local: Required feature not supported by broker"),
    D(_WAIT_CACHE, "Local: Awaiting cache update"),
    D(_INTR, "Local: Operation interrupted"),
    D(_KEY_SERIALIZATION, "Local: Key serialization error"),
    D(_VALUE_SERIALIZATION, "Local: Value serialization error"),
    D(_KEY_DESERIALIZATION, "Local: Key deserialization error"),
    D(_VALUE_DESERIALIZATION, "Local: Value deserialization error"),
    D(_PARTIAL, "Local: Partial response"),
    D(_READ_ONLY, "Local: Read-only object"),
    D(_NOENT, "Local: No such entry"),
    D(_UNDERFLOW, "Local: Read underflow"),
    D(_INVALID_TYPE, "Local: Invalid type"),
    D(_RETRY, "Local: Retry operation"),
    D(_PURGE_QUEUE, "Local: Purged in queue"),
    D(_PURGE_INFLIGHT, "Local: Purged in flight"),
    D(_FATAL, "Local: Fatal error"),
    D(_INCONSISTENT, "Local: Inconsistent state"),
    D(_GAPLESS_GUARANTEE, "Local: Gap-less ordering would not be guaranteed if proceeding"),
    D(_MAX_POLL_EXCEEDED,
      "Local: Maximum application poll interval (max.poll.interval.ms) exceeded"),
    D(_UNKNOWN_BROKER, "Local: Unknown broker"),
    D(_NOT_CONFIGURED, "Local: Functionality not configured"),
    D(_FENCED, "Local: This instance has been fenced by a newer instance"),
    D(_APPLICATION, "Local: Application generated error"),
    D(_ASSIGNMENT_LOST, "Local: Group partition assignment lost"),
    D(_NOOP, "Local: No operation performed"),
    D(_AUTO_OFFSET_RESET, "Local: No offset to automatically reset to"),
    /* Not in 2.0.2 (added in 2.1.0, with this text); kfk reports it. */
    D(_LOG_TRUNCATION, "Local: Partition log truncation detected"),
    D(_END, NULL),
    D(UNKNOWN, "Unknown broker error"),
    D(NO_ERROR, "Success"),
    D(OFFSET_OUT_OF_RANGE, "Broker: Offset out of range"),
    D(INVALID_MSG, "Broker: Invalid message"),
    D(UNKNOWN_TOPIC_OR_PART, "Broker: Unknown topic or partition"),
    D(INVALID_MSG_SIZE, "Broker: Invalid message size"),
    D(LEADER_NOT_AVAILABLE, "Broker: Leader not available"),
    D(NOT_LEADER_FOR_PARTITION, "Broker: Not leader for partition"),
    D(REQUEST_TIMED_OUT, "Broker: Request timed out"),
    D(BROKER_NOT_AVAILABLE, "Broker: Broker not available"),
    D(REPLICA_NOT_AVAILABLE, "Broker: Replica not available"),
    D(MSG_SIZE_TOO_LARGE, "Broker: Message size too large"),
    D(STALE_CTRL_EPOCH, "Broker: StaleControllerEpochCode"),
    D(OFFSET_METADATA_TOO_LARGE, "Broker: Offset metadata string too large"),
    D(NETWORK_EXCEPTION, "Broker: Broker disconnected before response received"),
    D(COORDINATOR_LOAD_IN_PROGRESS, "Broker: Coordinator load in progress"),
    D(COORDINATOR_NOT_AVAILABLE, "Broker: Coordinator not available"),
    D(NOT_COORDINATOR, "Broker: Not coordinator"),
    D(TOPIC_EXCEPTION, "Broker: Invalid topic"),
    D(RECORD_LIST_TOO_LARGE, "Broker: Message batch larger than configured server segment size"),
    D(NOT_ENOUGH_REPLICAS, "Broker: Not enough in-sync replicas"),
    D(NOT_ENOUGH_REPLICAS_AFTER_APPEND,
      "Broker: Message(s) written to insufficient number of in-sync replicas"),
    D(INVALID_REQUIRED_ACKS, "Broker: Invalid required acks value"),
    D(ILLEGAL_GENERATION, "Broker: Specified group generation id is not valid"),
    D(INCONSISTENT_GROUP_PROTOCOL, "Broker: Inconsistent group protocol"),
    D(INVALID_GROUP_ID, "Broker: Invalid group.id"),
    D(UNKNOWN_MEMBER_ID, "Broker: Unknown member"),
    D(INVALID_SESSION_TIMEOUT, "Broker: Invalid session timeout"),
    D(REBALANCE_IN_PROGRESS, "Broker: Group rebalance in progress"),
    D(INVALID_COMMIT_OFFSET_SIZE, "Broker: Commit offset data size is not valid"),
    D(TOPIC_AUTHORIZATION_FAILED, "Broker: Topic authorization failed"),
    D(GROUP_AUTHORIZATION_FAILED, "Broker: Group authorization failed"),
    D(CLUSTER_AUTHORIZATION_FAILED, "Broker: Cluster authorization failed"),
    D(INVALID_TIMESTAMP, "Broker: Invalid timestamp"),
    D(UNSUPPORTED_SASL_MECHANISM, "Broker: Unsupported SASL mechanism"),
    D(ILLEGAL_SASL_STATE, "Broker: Request not valid in current SASL state"),
    D(UNSUPPORTED_VERSION, "Broker: API version not supported"),
    D(TOPIC_ALREADY_EXISTS, "Broker: Topic already exists"),
    D(INVALID_PARTITIONS, "Broker: Invalid number of partitions"),
    D(INVALID_REPLICATION_FACTOR, "Broker: Invalid replication factor"),
    D(INVALID_REPLICA_ASSIGNMENT, "Broker: Invalid replica assignment"),
    D(INVALID_CONFIG, "Broker: Configuration is invalid"),
    D(NOT_CONTROLLER, "Broker: Not controller for cluster"),
    D(INVALID_REQUEST, "Broker: Invalid request"),
    D(UNSUPPORTED_FOR_MESSAGE_FORMAT, "Broker: Message format on broker does not support request"),
    D(POLICY_VIOLATION, "Broker: Policy violation"),
    D(OUT_OF_ORDER_SEQUENCE_NUMBER, "Broker: Broker received an out of order sequence number"),
    D(DUPLICATE_SEQUENCE_NUMBER, "Broker: Broker received a duplicate sequence number"),
    D(INVALID_PRODUCER_EPOCH, "Broker: Producer attempted an operation with an old epoch"),
    D(INVALID_TXN_STATE,
      "Broker: Producer attempted a transactional operation in an invalid state"),
    D(INVALID_PRODUCER_ID_MAPPING,
      "Broker: Producer attempted to use a producer id which is not currently assigned to its "
      "transactional id"),
    D(INVALID_TRANSACTION_TIMEOUT,
      "Broker: Transaction timeout is larger than the maximum value allowed by the broker's "
      "max.transaction.timeout.ms"),
    D(CONCURRENT_TRANSACTIONS,
      "Broker: Producer attempted to update a transaction while another concurrent operation on"
      " the same transaction was ongoing"),
    D(TRANSACTION_COORDINATOR_FENCED,
      "Broker: Indicates that the transaction coordinator sending a WriteTxnMarker is no longer"
      " the current coordinator for a given producer"),
    D(TRANSACTIONAL_ID_AUTHORIZATION_FAILED, "Broker: Transactional Id authorization failed"),
    D(SECURITY_DISABLED, "Broker: Security features are disabled"),
    D(OPERATION_NOT_ATTEMPTED, "Broker: Operation not attempted"),
    D(KAFKA_STORAGE_ERROR, "Broker: Disk error when trying to access log file on disk"),
    D(LOG_DIR_NOT_FOUND,
      "Broker: The user-specified log directory is not found in the broker config"),
    D(SASL_AUTHENTICATION_FAILED, "Broker: SASL Authentication failed"),
    D(UNKNOWN_PRODUCER_ID, "Broker: Unknown Producer Id"),
    D(REASSIGNMENT_IN_PROGRESS, "Broker: Partition reassignment is in progress"),
    D(DELEGATION_TOKEN_AUTH_DISABLED, "Broker: Delegation Token feature is not enabled"),
    D(DELEGATION_TOKEN_NOT_FOUND, "Broker: Delegation Token is not found on server"),
    D(DELEGATION_TOKEN_OWNER_MISMATCH, "Broker: Specified Principal is not valid Owner/Renewer"),
    D(DELEGATION_TOKEN_REQUEST_NOT_ALLOWED,
      "Broker: Delegation Token requests are not allowed on this connection"),
    D(DELEGATION_TOKEN_AUTHORIZATION_FAILED, "Broker: Delegation Token authorization failed"),
    D(DELEGATION_TOKEN_EXPIRED, "Broker: Delegation Token is expired"),
    D(INVALID_PRINCIPAL_TYPE, "Broker: Supplied principalType is not supported"),
    D(NON_EMPTY_GROUP, "Broker: The group is not empty"),
    D(GROUP_ID_NOT_FOUND, "Broker: The group id does not exist"),
    D(FETCH_SESSION_ID_NOT_FOUND, "Broker: The fetch session ID was not found"),
    D(INVALID_FETCH_SESSION_EPOCH, "Broker: The fetch session epoch is invalid"),
    D(LISTENER_NOT_FOUND, "Broker: No matching listener"),
    D(TOPIC_DELETION_DISABLED, "Broker: Topic deletion is disabled"),
    D(FENCED_LEADER_EPOCH, "Broker: Leader epoch is older than broker epoch"),
    D(UNKNOWN_LEADER_EPOCH, "Broker: Leader epoch is newer than broker epoch"),
    D(UNSUPPORTED_COMPRESSION_TYPE, "Broker: Unsupported compression type"),
    D(STALE_BROKER_EPOCH, "Broker: Broker epoch has changed"),
    D(OFFSET_NOT_AVAILABLE, "Broker: Leader high watermark is not caught up"),
    D(MEMBER_ID_REQUIRED, "Broker: Group member needs a valid member ID"),
    D(PREFERRED_LEADER_NOT_AVAILABLE, "Broker: Preferred leader was not available"),
    D(GROUP_MAX_SIZE_REACHED, "Broker: Consumer group has reached maximum size"),
    D(FENCED_INSTANCE_ID,
      "Broker: Static consumer fenced by other consumer with same group.instance.id"),
    D(ELIGIBLE_LEADERS_NOT_AVAILABLE, "Broker: Eligible partition leaders are not available"),
    D(ELECTION_NOT_NEEDED, "Broker: Leader election not needed for topic partition"),
    D(NO_REASSIGNMENT_IN_PROGRESS, "Broker: No partition reassignment is in progress"),
    D(GROUP_SUBSCRIBED_TO_TOPIC,
      "Broker: Deleting offsets of a topic while the consumer group is subscribed to it"),
    D(INVALID_RECORD, "Broker: Broker failed to validate record"),
    D(UNSTABLE_OFFSET_COMMIT, "Broker: There are unstable offsets that need to be cleared"),
    D(THROTTLING_QUOTA_EXCEEDED, "Broker: Throttling quota has been exceeded"),
    D(PRODUCER_FENCED,
      "Broker: There is a newer producer with the same transactionalId which fences the current"
      " one"),
    D(RESOURCE_NOT_FOUND, "Broker: Request illegally referred to resource that does not exist"),
    D(DUPLICATE_RESOURCE, "Broker: Request illegally referred to the same resource twice"),
    D(UNACCEPTABLE_CREDENTIAL,
      "Broker: Requested credential would not meet criteria for acceptability"),
    D(INCONSISTENT_VOTER_SET,
      "Broker: Indicates that the either the sender or recipient of a voter-only request is not"
      " one of the expected voters"),
    D(INVALID_UPDATE_VERSION, "Broker: Invalid update version"),
    D(FEATURE_UPDATE_FAILED, "Broker: Unable to update finalized features due to server error"),
    D(PRINCIPAL_DESERIALIZATION_FAILURE,
      "Broker: Request principal deserialization failed during forwarding"),
};
#undef D

#define NDESCS (sizeof(descs) / sizeof(descs[0]))

void rd_kafka_get_err_descs(const struct rd_kafka_err_desc **errdescs, size_t *cntp) {
    *errdescs = descs;
    *cntp = NDESCS;
}

static const struct rd_kafka_err_desc *desc_of(rd_kafka_resp_err_t err) {
    if (err <= RD_KAFKA_RESP_ERR__BEGIN || err >= RD_KAFKA_RESP_ERR__BEGIN + (int)NDESCS)
        return NULL;
    const struct rd_kafka_err_desc *d = &descs[err - RD_KAFKA_RESP_ERR__BEGIN];
    return d->desc ? d : NULL;
}

/* Unknown codes print into a per-thread buffer, as librdkafka does. */
static _Thread_local char unknown_str[32], unknown_name[32];

const char *rd_kafka_err2str(rd_kafka_resp_err_t err) {
    const struct rd_kafka_err_desc *d = desc_of(err);
    if (d) return d->desc;
    snprintf(unknown_str, sizeof(unknown_str), "Err-%d?", (int)err);
    return unknown_str;
}

const char *rd_kafka_err2name(rd_kafka_resp_err_t err) {
    const struct rd_kafka_err_desc *d = desc_of(err);
    if (d) return d->name;
    snprintf(unknown_name, sizeof(unknown_name), "ERR_%d?", (int)err);
    return unknown_name;
}

/* ------------------------------------------------------ the last error */

static _Thread_local rd_kafka_resp_err_t last_error;

rd_kafka_resp_err_t rd_kafka_last_error(void) { return last_error; }

int rd_kafka_errno(void) { return errno; }

rd_kafka_resp_err_t rd_kafka_errno2err(int errnox) {
    switch (errnox) {
    case EINVAL: return RD_KAFKA_RESP_ERR__INVALID_ARG;
    case EBUSY: return RD_KAFKA_RESP_ERR__CONFLICT;
    case ENOENT: return RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC;
    case ESRCH: return RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION;
    case ETIMEDOUT: return RD_KAFKA_RESP_ERR__TIMED_OUT;
    case EMSGSIZE: return RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE;
    case ENOBUFS: return RD_KAFKA_RESP_ERR__QUEUE_FULL;
    case ECANCELED: return RD_KAFKA_RESP_ERR__FATAL;
    default: return RD_KAFKA_RESP_ERR__FAIL;
    }
}

/* The errno a legacy call leaves for err: the inverse of errno2err, so
 * rd_kafka_errno2err(errno) gives err back. Other codes leave errno. */
static int errno_of(rd_kafka_resp_err_t err) {
    switch (err) {
    case RD_KAFKA_RESP_ERR__INVALID_ARG: return EINVAL;
    case RD_KAFKA_RESP_ERR__CONFLICT: return EBUSY;
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC: return ENOENT;
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION: return ESRCH;
    case RD_KAFKA_RESP_ERR__TIMED_OUT: return ETIMEDOUT;
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE: return EMSGSIZE;
    case RD_KAFKA_RESP_ERR__QUEUE_FULL: return ENOBUFS;
    case RD_KAFKA_RESP_ERR__FATAL: return ECANCELED;
    default: return 0;
    }
}

void rdk_set_last_error(rd_kafka_resp_err_t err) {
    int e = errno_of(err);
    if (e) errno = e;
    last_error = err;
}

rd_kafka_resp_err_t rdk_err(int e) {
    if (e >= -1) return (rd_kafka_resp_err_t)e;
    switch (e) {
    case KFK_ERR_MALFORMED: return RD_KAFKA_RESP_ERR__BAD_MSG;
    case KFK_ERR_NOMEM: return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    case KFK_ERR_INVALID_ARG: return RD_KAFKA_RESP_ERR__INVALID_ARG;
    case KFK_ERR_CONFIG: return RD_KAFKA_RESP_ERR__INVALID_ARG;
    case KFK_ERR_TIMED_OUT: return RD_KAFKA_RESP_ERR__TIMED_OUT;
    case KFK_ERR_TRANSPORT: return RD_KAFKA_RESP_ERR__TRANSPORT;
    case KFK_ERR_RESOLVE: return RD_KAFKA_RESP_ERR__RESOLVE;
    case KFK_ERR_UNSUPPORTED_FEATURE: return RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE;
    case KFK_ERR_BAD_CRC: return RD_KAFKA_RESP_ERR__BAD_MSG;
    case KFK_ERR_BAD_COMPRESSION: return RD_KAFKA_RESP_ERR__BAD_COMPRESSION;
    case KFK_ERR_UNKNOWN_CODEC: return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
    case KFK_ERR_DECOMPRESS_LIMIT: return RD_KAFKA_RESP_ERR__BAD_COMPRESSION;
    case KFK_ERR_QUEUE_FULL: return RD_KAFKA_RESP_ERR__QUEUE_FULL;
    case KFK_ERR_MSG_TOO_LARGE: return RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE;
    case KFK_ERR_DESTROYED: return RD_KAFKA_RESP_ERR__DESTROY;
    case KFK_ERR_NO_BROKERS: return RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN;
    case KFK_ERR_PARTIAL: return RD_KAFKA_RESP_ERR__PARTIAL;
    case KFK_ERR_STATE: return RD_KAFKA_RESP_ERR__STATE;
    case KFK_ERR_FATAL: return RD_KAFKA_RESP_ERR__FATAL;
    case KFK_ERR_IN_PROGRESS: return RD_KAFKA_RESP_ERR__IN_PROGRESS;
    case KFK_ERR_NOENT: return RD_KAFKA_RESP_ERR__NOENT;
    case KFK_ERR_PURGED: return RD_KAFKA_RESP_ERR__PURGE_QUEUE;
    case KFK_ERR_PARTITION_EOF: return RD_KAFKA_RESP_ERR__PARTITION_EOF;
    case KFK_ERR_AUTHENTICATION: return RD_KAFKA_RESP_ERR__AUTHENTICATION;
    case KFK_ERR_SSL: return RD_KAFKA_RESP_ERR__SSL;
    case KFK_ERR_LOG_TRUNCATION: return RD_KAFKA_RESP_ERR__LOG_TRUNCATION;
    default: return RD_KAFKA_RESP_ERR__FAIL;
    }
}

/* ---------------------------------------------------- error objects */

struct rd_kafka_error_s {
    rd_kafka_resp_err_t code;
    int fatal, retriable, txn_requires_abort;
    char *str; /* NULL: err2str(code); else follows the struct */
};

static rd_kafka_error_t *error_newv(rd_kafka_resp_err_t code, const char *fmt, va_list ap) {
    size_t len = 0;
    if (fmt && *fmt) {
        va_list ap2;
        va_copy(ap2, ap);
        int n = vsnprintf(NULL, 0, fmt, ap2);
        va_end(ap2);
        if (n >= 0) len = (size_t)n + 1;
    }
    rd_kafka_error_t *e = malloc(sizeof(*e) + len);
    if (!e) return NULL;
    e->code = code;
    e->fatal = e->retriable = e->txn_requires_abort = 0;
    e->str = NULL;
    if (len) {
        e->str = (char *)(e + 1);
        vsnprintf(e->str, len, fmt, ap);
    }
    return e;
}

rd_kafka_error_t *rd_kafka_error_new(rd_kafka_resp_err_t code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    rd_kafka_error_t *e = error_newv(code, fmt, ap);
    va_end(ap);
    return e;
}

rd_kafka_error_t *rdk_error_new(rd_kafka_resp_err_t code, int fatal, int retriable,
                                int txn_requires_abort, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    rd_kafka_error_t *e = error_newv(code, fmt, ap);
    va_end(ap);
    if (e) {
        e->fatal = fatal != 0;
        e->retriable = retriable != 0;
        e->txn_requires_abort = txn_requires_abort != 0;
    }
    return e;
}

void rd_kafka_error_destroy(rd_kafka_error_t *error) { free(error); }

rd_kafka_resp_err_t rd_kafka_error_code(const rd_kafka_error_t *error) {
    return error ? error->code : RD_KAFKA_RESP_ERR_NO_ERROR;
}

const char *rd_kafka_error_name(const rd_kafka_error_t *error) {
    return error ? rd_kafka_err2name(error->code) : "";
}

const char *rd_kafka_error_string(const rd_kafka_error_t *error) {
    if (!error) return "";
    return error->str ? error->str : rd_kafka_err2str(error->code);
}

int rd_kafka_error_is_fatal(const rd_kafka_error_t *error) { return error && error->fatal; }

int rd_kafka_error_is_retriable(const rd_kafka_error_t *error) {
    return error && error->retriable;
}

int rd_kafka_error_txn_requires_abort(const rd_kafka_error_t *error) {
    return error && error->txn_requires_abort;
}

/* A producer's fatal error (consumers have none in kfk). */
rd_kafka_resp_err_t rd_kafka_fatal_error(rd_kafka_t *rk, char *errstr, size_t errstr_size) {
    if (!rk->producer) return RD_KAFKA_RESP_ERR_NO_ERROR;
    char buf[512];
    int err = kfk_producer_fatal_error(rk->producer, buf, sizeof(buf));
    if (!err) return RD_KAFKA_RESP_ERR_NO_ERROR;
    if (errstr && errstr_size) snprintf(errstr, errstr_size, "%s", buf);
    return rdk_err(err);
}
