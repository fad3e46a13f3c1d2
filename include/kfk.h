/* kfk: a Kafka client library.
 *
 * One header, opaque handles, one error type. Every function states who owns
 * what it takes and returns, and from which threads it may be called. */
#ifndef KFK_H
#define KFK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KFK_VERSION_MAJOR 0
#define KFK_VERSION_MINOR 1
#define KFK_VERSION_PATCH 0
#define KFK_VERSION_STR "0.1.0"

/* Returns KFK_VERSION_STR of the library actually linked. Any thread. */
const char *kfk_version(void);

/* ---------------------------------------------------------------- errors */

/* Kafka's error codes as they are on the wire (0 and up, and -1), and kfk's
 * own local errors, -100 and below. */
typedef enum kfk_err {
/* BEGIN GENERATED ERRORS (tools/gen_errors.py) */
    KFK_ERR_UNKNOWN_SERVER_ERROR = -1,
    KFK_ERR_NONE = 0,
    KFK_ERR_OFFSET_OUT_OF_RANGE = 1,
    KFK_ERR_CORRUPT_MESSAGE = 2,
    KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION = 3,
    KFK_ERR_INVALID_FETCH_SIZE = 4,
    KFK_ERR_LEADER_NOT_AVAILABLE = 5,
    KFK_ERR_NOT_LEADER_OR_FOLLOWER = 6,
    KFK_ERR_REQUEST_TIMED_OUT = 7,
    KFK_ERR_BROKER_NOT_AVAILABLE = 8,
    KFK_ERR_REPLICA_NOT_AVAILABLE = 9,
    KFK_ERR_MESSAGE_TOO_LARGE = 10,
    KFK_ERR_STALE_CONTROLLER_EPOCH = 11,
    KFK_ERR_OFFSET_METADATA_TOO_LARGE = 12,
    KFK_ERR_NETWORK_EXCEPTION = 13,
    KFK_ERR_COORDINATOR_LOAD_IN_PROGRESS = 14,
    KFK_ERR_COORDINATOR_NOT_AVAILABLE = 15,
    KFK_ERR_NOT_COORDINATOR = 16,
    KFK_ERR_INVALID_TOPIC_EXCEPTION = 17,
    KFK_ERR_RECORD_LIST_TOO_LARGE = 18,
    KFK_ERR_NOT_ENOUGH_REPLICAS = 19,
    KFK_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND = 20,
    KFK_ERR_INVALID_REQUIRED_ACKS = 21,
    KFK_ERR_ILLEGAL_GENERATION = 22,
    KFK_ERR_INCONSISTENT_GROUP_PROTOCOL = 23,
    KFK_ERR_INVALID_GROUP_ID = 24,
    KFK_ERR_UNKNOWN_MEMBER_ID = 25,
    KFK_ERR_INVALID_SESSION_TIMEOUT = 26,
    KFK_ERR_REBALANCE_IN_PROGRESS = 27,
    KFK_ERR_INVALID_COMMIT_OFFSET_SIZE = 28,
    KFK_ERR_TOPIC_AUTHORIZATION_FAILED = 29,
    KFK_ERR_GROUP_AUTHORIZATION_FAILED = 30,
    KFK_ERR_CLUSTER_AUTHORIZATION_FAILED = 31,
    KFK_ERR_INVALID_TIMESTAMP = 32,
    KFK_ERR_UNSUPPORTED_SASL_MECHANISM = 33,
    KFK_ERR_ILLEGAL_SASL_STATE = 34,
    KFK_ERR_UNSUPPORTED_VERSION = 35,
    KFK_ERR_TOPIC_ALREADY_EXISTS = 36,
    KFK_ERR_INVALID_PARTITIONS = 37,
    KFK_ERR_INVALID_REPLICATION_FACTOR = 38,
    KFK_ERR_INVALID_REPLICA_ASSIGNMENT = 39,
    KFK_ERR_INVALID_CONFIG = 40,
    KFK_ERR_NOT_CONTROLLER = 41,
    KFK_ERR_INVALID_REQUEST = 42,
    KFK_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT = 43,
    KFK_ERR_POLICY_VIOLATION = 44,
    KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER = 45,
    KFK_ERR_DUPLICATE_SEQUENCE_NUMBER = 46,
    KFK_ERR_INVALID_PRODUCER_EPOCH = 47,
    KFK_ERR_INVALID_TXN_STATE = 48,
    KFK_ERR_INVALID_PRODUCER_ID_MAPPING = 49,
    KFK_ERR_INVALID_TRANSACTION_TIMEOUT = 50,
    KFK_ERR_CONCURRENT_TRANSACTIONS = 51,
    KFK_ERR_TRANSACTION_COORDINATOR_FENCED = 52,
    KFK_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED = 53,
    KFK_ERR_SECURITY_DISABLED = 54,
    KFK_ERR_OPERATION_NOT_ATTEMPTED = 55,
    KFK_ERR_KAFKA_STORAGE_ERROR = 56,
    KFK_ERR_LOG_DIR_NOT_FOUND = 57,
    KFK_ERR_SASL_AUTHENTICATION_FAILED = 58,
    KFK_ERR_UNKNOWN_PRODUCER_ID = 59,
    KFK_ERR_REASSIGNMENT_IN_PROGRESS = 60,
    KFK_ERR_DELEGATION_TOKEN_AUTH_DISABLED = 61,
    KFK_ERR_DELEGATION_TOKEN_NOT_FOUND = 62,
    KFK_ERR_DELEGATION_TOKEN_OWNER_MISMATCH = 63,
    KFK_ERR_DELEGATION_TOKEN_REQUEST_NOT_ALLOWED = 64,
    KFK_ERR_DELEGATION_TOKEN_AUTHORIZATION_FAILED = 65,
    KFK_ERR_DELEGATION_TOKEN_EXPIRED = 66,
    KFK_ERR_INVALID_PRINCIPAL_TYPE = 67,
    KFK_ERR_NON_EMPTY_GROUP = 68,
    KFK_ERR_GROUP_ID_NOT_FOUND = 69,
    KFK_ERR_FETCH_SESSION_ID_NOT_FOUND = 70,
    KFK_ERR_INVALID_FETCH_SESSION_EPOCH = 71,
    KFK_ERR_LISTENER_NOT_FOUND = 72,
    KFK_ERR_TOPIC_DELETION_DISABLED = 73,
    KFK_ERR_FENCED_LEADER_EPOCH = 74,
    KFK_ERR_UNKNOWN_LEADER_EPOCH = 75,
    KFK_ERR_UNSUPPORTED_COMPRESSION_TYPE = 76,
    KFK_ERR_STALE_BROKER_EPOCH = 77,
    KFK_ERR_OFFSET_NOT_AVAILABLE = 78,
    KFK_ERR_MEMBER_ID_REQUIRED = 79,
    KFK_ERR_PREFERRED_LEADER_NOT_AVAILABLE = 80,
    KFK_ERR_GROUP_MAX_SIZE_REACHED = 81,
    KFK_ERR_FENCED_INSTANCE_ID = 82,
    KFK_ERR_ELIGIBLE_LEADERS_NOT_AVAILABLE = 83,
    KFK_ERR_ELECTION_NOT_NEEDED = 84,
    KFK_ERR_NO_REASSIGNMENT_IN_PROGRESS = 85,
    KFK_ERR_GROUP_SUBSCRIBED_TO_TOPIC = 86,
    KFK_ERR_INVALID_RECORD = 87,
    KFK_ERR_UNSTABLE_OFFSET_COMMIT = 88,
    KFK_ERR_THROTTLING_QUOTA_EXCEEDED = 89,
    KFK_ERR_PRODUCER_FENCED = 90,
    KFK_ERR_RESOURCE_NOT_FOUND = 91,
    KFK_ERR_DUPLICATE_RESOURCE = 92,
    KFK_ERR_UNACCEPTABLE_CREDENTIAL = 93,
    KFK_ERR_INCONSISTENT_VOTER_SET = 94,
    KFK_ERR_INVALID_UPDATE_VERSION = 95,
    KFK_ERR_FEATURE_UPDATE_FAILED = 96,
    KFK_ERR_PRINCIPAL_DESERIALIZATION_FAILURE = 97,
    KFK_ERR_SNAPSHOT_NOT_FOUND = 98,
    KFK_ERR_POSITION_OUT_OF_RANGE = 99,
    KFK_ERR_UNKNOWN_TOPIC_ID = 100,
    KFK_ERR_DUPLICATE_BROKER_REGISTRATION = 101,
    KFK_ERR_BROKER_ID_NOT_REGISTERED = 102,
    KFK_ERR_INCONSISTENT_TOPIC_ID = 103,
    KFK_ERR_INCONSISTENT_CLUSTER_ID = 104,
    KFK_ERR_TRANSACTIONAL_ID_NOT_FOUND = 105,
    KFK_ERR_FETCH_SESSION_TOPIC_ID_ERROR = 106,
    KFK_ERR_INELIGIBLE_REPLICA = 107,
    KFK_ERR_NEW_LEADER_ELECTED = 108,
    KFK_ERR_OFFSET_MOVED_TO_TIERED_STORAGE = 109,
    KFK_ERR_FENCED_MEMBER_EPOCH = 110,
    KFK_ERR_UNRELEASED_INSTANCE_ID = 111,
    KFK_ERR_UNSUPPORTED_ASSIGNOR = 112,
    KFK_ERR_STALE_MEMBER_EPOCH = 113,
    KFK_ERR_MISMATCHED_ENDPOINT_TYPE = 114,
    KFK_ERR_UNSUPPORTED_ENDPOINT_TYPE = 115,
    KFK_ERR_UNKNOWN_CONTROLLER_ID = 116,
    KFK_ERR_UNKNOWN_SUBSCRIPTION_ID = 117,
    KFK_ERR_TELEMETRY_TOO_LARGE = 118,
    KFK_ERR_INVALID_REGISTRATION = 119,
    KFK_ERR_TRANSACTION_ABORTABLE = 120,
    KFK_ERR_INVALID_RECORD_STATE = 121,
    KFK_ERR_SHARE_SESSION_NOT_FOUND = 122,
    KFK_ERR_INVALID_SHARE_SESSION_EPOCH = 123,
    KFK_ERR_FENCED_STATE_EPOCH = 124,
    KFK_ERR_INVALID_VOTER_KEY = 125,
    KFK_ERR_DUPLICATE_VOTER = 126,
    KFK_ERR_VOTER_NOT_FOUND = 127,
    KFK_ERR_INVALID_REGULAR_EXPRESSION = 128,
    KFK_ERR_REBOOTSTRAP_REQUIRED = 129,
    KFK_ERR_STREAMS_INVALID_TOPOLOGY = 130,
    KFK_ERR_STREAMS_INVALID_TOPOLOGY_EPOCH = 131,
    KFK_ERR_STREAMS_TOPOLOGY_FENCED = 132,
    KFK_ERR_SHARE_SESSION_LIMIT_REACHED = 133,
    /* kfk's local errors */
    KFK_ERR_MALFORMED = -101,
    KFK_ERR_NOMEM = -102,
    KFK_ERR_INVALID_ARG = -103,
    KFK_ERR_CONFIG = -104,
    KFK_ERR_TIMED_OUT = -105,
    KFK_ERR_TRANSPORT = -106,
    KFK_ERR_RESOLVE = -107,
    KFK_ERR_UNSUPPORTED_FEATURE = -108,
    KFK_ERR_BAD_CRC = -109,
    KFK_ERR_BAD_COMPRESSION = -110,
    KFK_ERR_UNKNOWN_CODEC = -111,
    KFK_ERR_DECOMPRESS_LIMIT = -112,
    KFK_ERR_QUEUE_FULL = -113,
    KFK_ERR_MSG_TOO_LARGE = -114,
    KFK_ERR_DESTROYED = -115,
    KFK_ERR_NO_BROKERS = -116,
    KFK_ERR_PARTIAL = -117,
    KFK_ERR_STATE = -118,
    KFK_ERR_FATAL = -119,
    KFK_ERR_IN_PROGRESS = -120,
    KFK_ERR_NOENT = -121,
    KFK_ERR_PURGED = -122,
    KFK_ERR_PARTITION_EOF = -123,
    KFK_ERR_AUTHENTICATION = -124,
    KFK_ERR_SSL = -125,
/* END GENERATED ERRORS */
} kfk_err;

/* The error's enum name without the KFK_ERR_ prefix ("NOT_LEADER_OR_FOLLOWER"),
 * or "UNKNOWN" for a code kfk does not know. Static storage; any thread. */
const char *kfk_err_name(int err);
/* A one-sentence description. Static storage; any thread. */
const char *kfk_err_str(int err);
/* 1 if retrying the same request may succeed (as the Java client classifies
 * Kafka's codes; local transport errors and timeouts are retriable). */
int kfk_err_retriable(int err);

/* --------------------------------------------------------- configuration */

/* Configuration is a set of string keys and values named as in the Java
 * client (librdkafka's names where Java has none, and its aliases too).
 * A value is checked when it is set; the error names the key and value. */
typedef struct kfk_conf kfk_conf;

/* A new configuration holding every default. The caller owns it and frees
 * it with kfk_conf_destroy, or hands it to a client constructor. */
kfk_conf *kfk_conf_new(void);
/* A deep copy, owned by the caller; NULL when out of memory. */
kfk_conf *kfk_conf_dup(const kfk_conf *conf);
void kfk_conf_destroy(kfk_conf *conf);

/* Sets key to value (copied). Returns 0, or KFK_ERR_CONFIG with a message
 * naming the key and value written to errstr (always NUL-terminated when
 * errstr_size > 0). Not thread-safe for one conf; distinct confs are. */
int kfk_conf_set(kfk_conf *conf, const char *key, const char *value, char *errstr,
                 size_t errstr_size);
/* The value of key as a string (its default if never set), or NULL for an
 * unknown key. Valid until the key is set again or the conf destroyed. */
const char *kfk_conf_get(const kfk_conf *conf, const char *key);

/* Walks every known key in order: name, default value, allowed values
 * ("" when any), one-line description. Stops when fn returns non-zero. */
typedef int (*kfk_conf_key_fn)(void *opaque, const char *name, const char *default_value,
                               const char *allowed, const char *doc);
void kfk_conf_keys(kfk_conf_key_fn fn, void *opaque);

/* ---------------------------------------------------------------- records */

/* A record header, as the producer takes it and the consumer hands it out.
 * name is NUL-terminated; value NULL means a null value. */
typedef struct kfk_header {
    const char *name;
    const void *value;
    size_t value_len;
} kfk_header;

/* BEGIN PRODUCER API */
/* END PRODUCER API */

/* BEGIN CONSUMER API */
/* END CONSUMER API */

/* ------------------------------------------------------------- allocator */

/* Replaces the allocator every kfk allocation goes through. Call it before
 * creating any handle; not thread-safe. NULL restores malloc/realloc/free. */
typedef struct kfk_allocator {
    void *(*malloc_fn)(size_t size);
    void *(*realloc_fn)(void *ptr, size_t size);
    void (*free_fn)(void *ptr);
} kfk_allocator;
void kfk_set_allocator(const kfk_allocator *allocator);

#ifdef __cplusplus
}
#endif

#endif
