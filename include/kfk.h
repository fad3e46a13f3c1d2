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

/* Marks what libkfk.so exports: the library is built with
 * -fvisibility=hidden, so a function without it stays internal. */
#ifndef KFK_API
#if defined(__GNUC__) || defined(__clang__)
#define KFK_API __attribute__((visibility("default")))
#else
#define KFK_API
#endif
#endif

#define KFK_VERSION_MAJOR 0
#define KFK_VERSION_MINOR 1
#define KFK_VERSION_PATCH 0
#define KFK_VERSION_STR "0.1.0"
/* One number (0xMMmmpp) for preprocessor comparisons. */
#define KFK_VERSION ((KFK_VERSION_MAJOR << 16) | (KFK_VERSION_MINOR << 8) | KFK_VERSION_PATCH)

/* Returns KFK_VERSION_STR of the library actually linked. Any thread. */
KFK_API const char *kfk_version(void);

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
    KFK_ERR_GROUP_DELETION_FAILED = 134,
    KFK_ERR_STREAMS_TOPOLOGY_DESCRIPTION_UPDATE_FAILED = 135,
    KFK_ERR_CONTROLLER_ID_NOT_REGISTERED = 136,
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
    KFK_ERR_LOG_TRUNCATION = -126,
/* END GENERATED ERRORS */
} kfk_err;

/* The error's enum name without the KFK_ERR_ prefix ("NOT_LEADER_OR_FOLLOWER"),
 * or "UNKNOWN" for a code kfk does not know. Static storage; any thread. */
KFK_API const char *kfk_err_name(int err);
/* A one-sentence description. Static storage; any thread. */
KFK_API const char *kfk_err_str(int err);
/* 1 if retrying the same request may succeed (as the Java client classifies
 * Kafka's codes; local transport errors and timeouts are retriable). Any thread. */
KFK_API int kfk_err_retriable(int err);

/* Kafka's name of API api_key ("Produce" for 0, "Fetch" for 1, ...), or
 * NULL for a key kfk does not know. Static storage; any thread. */
KFK_API const char *kfk_api_name(int api_key);
/* One past the highest API key kfk knows: kfk_api_name's keys are below
 * it. Any thread. */
KFK_API int kfk_api_key_count(void);

/* --------------------------------------------------------- configuration */

/* Configuration is a set of string keys and values named as in the Java
 * client (librdkafka's names where Java has none, and its aliases too).
 * A value is checked when it is set; the error names the key and value. */
typedef struct kfk_conf kfk_conf;

/* A new configuration holding every default. The caller owns it and frees
 * it with kfk_conf_destroy, or hands it to a client constructor. Any thread. */
KFK_API kfk_conf *kfk_conf_new(void);
/* A deep copy, owned by the caller; NULL when out of memory. Any thread, while no other thread
 * changes conf. */
KFK_API kfk_conf *kfk_conf_dup(const kfk_conf *conf);
/* Frees conf; NULL does nothing. Once no other thread uses it. */
KFK_API void kfk_conf_destroy(kfk_conf *conf);

/* Sets key to value (copied). Returns 0, or KFK_ERR_CONFIG with a message
 * naming the key and value written to errstr (always NUL-terminated when
 * errstr_size > 0). Not thread-safe for one conf; distinct confs are. */
KFK_API int kfk_conf_set(kfk_conf *conf, const char *key, const char *value, char *errstr,
                         size_t errstr_size);
/* The value of key as a string (its default if never set), or NULL for an
 * unknown key. Valid until the key is set again or the conf destroyed. Not while another thread
 * sets keys of conf. */
KFK_API const char *kfk_conf_get(const kfk_conf *conf, const char *key);

/* Walks every known key in order: name, default value, allowed values
 * ("" when any), one-line description. Stops when fn returns non-zero. fn runs on the calling
 * thread. Any thread. */
typedef int (*kfk_conf_key_fn)(void *opaque, const char *name, const char *default_value,
                               const char *allowed, const char *doc);
KFK_API void kfk_conf_keys(kfk_conf_key_fn fn, void *opaque);

/* --------------------------------------------------------------- LOGGING */

/* Every client (producer, consumer, admin) logs through the callback set
 * on its kfk_conf before creation, so start-up is logged too. Levels are
 * syslog's (0 emergency .. 7 debug); "log_level" (default 6) drops lines
 * above it. "debug" turns on debug lines (level 7) per context, named as
 * librdkafka names them: generic, broker, topic, metadata, protocol, msg,
 * fetch, consumer (= cgrp), cgrp, security, eos, admin, all; an unknown
 * name is refused. A debug context that is off costs one flag test.
 * Without a callback, warnings and errors (and debug lines turned on) go
 * to stderr, as librdkafka's default does. Lines about one broker start
 * with "host:port/id: ". No line holds a password, token or key. */
enum {
    KFK_LOG_EMERG = 0,
    KFK_LOG_ALERT = 1,
    KFK_LOG_CRIT = 2,
    KFK_LOG_ERR = 3,
    KFK_LOG_WARNING = 4,
    KFK_LOG_NOTICE = 5,
    KFK_LOG_INFO = 6,
    KFK_LOG_DEBUG = 7,
};
/* context: the debug context's name ("broker", "cgrp", ...), or "generic"
 * for lines outside any. Called on whichever thread logs (often the I/O
 * thread): must not block or call kfk. message is valid during the call. */
typedef void (*kfk_log_line_cb)(void *opaque, int level, const char *context,
                                const char *message);
/* Sets the log callback (NULL: stderr); clients made from conf use it.
 * 0, or KFK_ERR_INVALID_ARG for a NULL conf. Same threads as kfk_conf_set. */
KFK_API int kfk_conf_set_log_cb(kfk_conf *conf, kfk_log_line_cb cb, void *opaque);
/* The text-only callback of kfk_consumer_set_log_cb (it receives what the
 * line callback would, without level and context). */
typedef void (*kfk_log_cb)(void *opaque, const char *message);

/* ---------------------------------------------------------------- records */

/* A record header, as the producer takes it and the consumer hands it out.
 * name is NUL-terminated; value NULL means a null value. */
typedef struct kfk_header {
    const char *name;
    const void *value;
    size_t value_len;
} kfk_header;

/* BEGIN PRODUCER API */
/* -------------------------------------------------------------- producer */

/* A producer: send() appends records to per-partition batches, one I/O
 * thread sends them, and delivery reports come back through
 * kfk_producer_poll() (or flush/close/destroy) on the caller's thread. */
typedef struct kfk_producer kfk_producer;

/* kfk_message.partition: let the partitioner choose. */
#define KFK_PARTITION_ANY (-1)

/* What to send. Every pointer is only read during kfk_producer_send (unless
 * KFK_SEND_FREE hands key and value over). key NULL is a null key, value
 * NULL a null value (a tombstone); a non-NULL value with value_len 0 is an
 * empty value. At most 64 headers. */
typedef struct kfk_message {
    const char *topic;
    int32_t partition; /* a partition, or KFK_PARTITION_ANY */
    const void *key;
    size_t key_len;
    const void *value;
    size_t value_len;
    const kfk_header *headers;
    size_t header_count;
    int64_t timestamp_ms; /* ms since the epoch; 0: now */
    void *opaque;         /* handed back in the delivery report */
} kfk_message;

/* One message's outcome. Valid only during the delivery callback. */
typedef struct kfk_delivery {
    int err;            /* 0: written; else why not (a kfk_err) */
    const char *errstr; /* detail for err, or NULL when err is 0 */
    const char *topic;
    int32_t partition;  /* -1 if none was chosen */
    int64_t offset;     /* -1 if unknown (acks=0, errors, duplicates) */
    int64_t timestamp_ms; /* the record's, or the broker's log append time */
    void *opaque;         /* kfk_message.opaque */
    int32_t broker_id;    /* the broker its batch went to last; -1 if none */
} kfk_delivery;

/* Runs on the thread in kfk_producer_poll/flush/close/destroy, once per
 * accepted message. It may call kfk_producer_send, but not destroy/close. */
typedef void (*kfk_delivery_cb)(kfk_producer *p, const kfk_delivery *d, void *opaque);

/* Picks a partition in [0, partition_count) for a message without one, or
 * returns -1 to use the configured partitioner. key is NULL for a null key.
 * Runs inside kfk_producer_send with the producer's accumulator locked: it
 * must be quick and must not call the producer. */
typedef int32_t (*kfk_partitioner_cb)(const char *topic, const void *key, size_t key_len,
                                      int32_t partition_count, void *opaque);

/* Kafka's murmur2 hash of data, as the Java client's default partitioner
 * uses it: a key goes to partition (hash & 0x7fffffff) % partition_count.
 * Any thread. */
KFK_API int32_t kfk_murmur2(const void *data, size_t len);

typedef struct kfk_producer_callbacks {
    kfk_delivery_cb delivery;       /* NULL: reports are dropped after counting */
    kfk_partitioner_cb partitioner; /* NULL: the `partitioner` configuration */
    void *opaque;                   /* passed to both */
} kfk_producer_callbacks;

/* A producer from conf (bootstrap.servers required). On success it owns
 * conf (destroyed with the producer); on failure (NULL, the reason naming
 * the key and value in errstr) conf stays the caller's. Conflicting
 * settings fail as in the Java client: enable.idempotence=true set
 * explicitly with acks other than all, retries=0 or more than 5 requests
 * in flight; when enable.idempotence is not set such settings turn it off.
 * cbs is copied and may be NULL. Any thread. */
KFK_API kfk_producer *kfk_producer_new(kfk_conf *conf, const kfk_producer_callbacks *cbs,
                                       char *errstr, size_t errstr_size);

/* kfk_producer_send flags. */
#define KFK_SEND_COPY 0     /* key and value are copied (default) */
#define KFK_SEND_FREE 1     /* on success kfk owns key and value and frees
                               them with the kfk allocator's free */
#define KFK_SEND_NONBLOCK 2 /* never wait: a full buffer is KFK_ERR_QUEUE_FULL,
                               and with KFK_PARTITION_ANY a topic whose
                               partition count is not known yet is
                               KFK_ERR_NOENT (its metadata was requested:
                               try again shortly) */

/* Queues a message. Any thread, any number at once. 0: accepted, and the
 * message gets exactly one delivery report. Otherwise no report, and with
 * KFK_SEND_FREE the buffers stay the caller's: KFK_ERR_INVALID_ARG (NULL
 * message or topic, a bad partition number, too many headers),
 * KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION (partition beyond the topic's count),
 * KFK_ERR_MSG_TOO_LARGE (over max.request.size or buffer.memory),
 * KFK_ERR_QUEUE_FULL (buffer.memory full after max.block.ms, or at once
 * with KFK_SEND_NONBLOCK), KFK_ERR_TIMED_OUT (no metadata for a topic
 * after max.block.ms, needed only when partition is KFK_PARTITION_ANY; as
 * in the Java client a send blocks for it), KFK_ERR_NOENT (the same, at
 * once, with KFK_SEND_NONBLOCK), a topic's non-retriable metadata error,
 * KFK_ERR_FATAL (the idempotent producer failed for good),
 * KFK_ERR_DESTROYED (close/destroy began). Memory held by delivery
 * reports not yet polled counts against buffer.memory: poll regularly. */
KFK_API int kfk_producer_send(kfk_producer *p, const kfk_message *m, int flags);

/* Runs waiting delivery callbacks on this thread, waiting up to timeout_ms
 * (0: not at all, -1: forever) for the first. Returns how many ran. Any
 * thread. */
KFK_API int kfk_producer_poll(kfk_producer *p, int timeout_ms);

/* A file descriptor (an eventfd on Linux, a pipe's end elsewhere),
 * readable while delivery reports wait for kfk_producer_poll. Owned by
 * the producer; do not read or close it. Any thread. */
KFK_API int kfk_producer_fd(kfk_producer *p);

/* Sends every queued message now (linger.ms ignored) and waits until each
 * message accepted before the call (and any sent meanwhile) is reported,
 * running callbacks. 0, or KFK_ERR_TIMED_OUT. Any thread but a callback. */
KFK_API int kfk_producer_flush(kfk_producer *p, int timeout_ms);

/* kfk_producer_purge flags. */
#define KFK_PURGE_QUEUE 1    /* messages not sent yet */
#define KFK_PURGE_INFLIGHT 2 /* messages sent, awaiting a response: reported
                                when it comes, written or not */
/* Fails the chosen messages with KFK_ERR_PURGED; reports come through
 * poll. Returns 0. Any thread. */
KFK_API int kfk_producer_purge(kfk_producer *p, int flags);

/* The error that made the producer fail for good, or 0; errstr gets its
 * detail. KFK_ERR_FATAL: an idempotent producer whose producer id could
 * not be obtained; a transactional producer's cause otherwise
 * (KFK_ERR_PRODUCER_FENCED, KFK_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
 * ...). Any thread. */
KFK_API int kfk_producer_fatal_error(kfk_producer *p, char *errstr, size_t errstr_size);

/* ---------------------------------------------------------- transactions
 *
 * With transactional.id set, the producer writes in transactions: every
 * message sent between begin and commit (and the consumer offsets given to
 * send_offsets) becomes visible to read_committed consumers at once, at
 * commit, or never (abort). Idempotence is on (enable.idempotence=false
 * with a transactional.id is a configuration error).
 *
 *   kfk_producer_init_transactions(p, timeout)       once, first
 *   loop:
 *     kfk_producer_begin_transaction(p)
 *     kfk_producer_send(...)                          any number
 *     kfk_producer_send_offsets_to_transaction(...)   consume-transform-produce
 *     kfk_producer_commit_transaction(p, timeout)     or abort_transaction
 *
 * Every call returns 0 or an error of one of three kinds (docs/TRANSACTIONS.md
 * has the table):
 *   retriable  KFK_ERR_TIMED_OUT, or an error for which kfk_err_retriable()
 *              is true: the call did not finish in time; call it again (the
 *              same call: a commit that timed out is completed by the next
 *              commit call, never by an abort).
 *   abortable  KFK_ERR_TRANSACTION_ABORTABLE: this transaction failed
 *              (kfk_producer_txn_error says why: a message that could not
 *              be written, the broker aborting a transaction older than
 *              transaction.timeout.ms, an unknown topic...); call
 *              kfk_producer_abort_transaction, then go on with the next.
 *   fatal      KFK_ERR_FATAL: the producer can do nothing more (fenced by a
 *              newer instance with the same transactional.id, the
 *              producer id lost, no authorization); kfk_producer_fatal_error
 *              gives the cause (KFK_ERR_PRODUCER_FENCED, ...). Destroy it,
 *              and create a new one if this instance should go on.
 * Misuse (commit with no transaction begun, a call on a producer without
 * transactional.id) is KFK_ERR_STATE and changes nothing.
 *
 * Delivery reports: a message of a transaction is reported once the
 * transaction ends: written (with its offset) when it commits, failed with
 * KFK_ERR_TRANSACTION_ABORTABLE (errstr: why the transaction was aborted)
 * when it aborts. A message that failed on its own is reported at once,
 * and its transaction can then only abort.
 *
 * The calls may be made from any one thread at a time, not from a delivery
 * callback; kfk_producer_send from other threads meanwhile is fine. */

/* A consumer's group membership as a transaction's offsets carry it
 * (KIP-447), so that a zombie member's offsets are refused. Opaque; the
 * caller owns it. */
typedef struct kfk_group_metadata kfk_group_metadata;
typedef struct kfk_partition_list kfk_partition_list;

/* Metadata for group_id (generation -1, no member id: the broker checks
 * nothing but the group; for offsets not managed by a kfk consumer). NULL
 * when out of memory or group_id is NULL. The caller owns it (kfk_group_metadata_destroy). Any
 * thread. */
KFK_API kfk_group_metadata *kfk_group_metadata_new(const char *group_id, int32_t generation_id,
                                                   const char *member_id,
                                                   const char *group_instance_id);
/* Frees gm (NULL does nothing). The accessors below read gm, which never
 * changes: any thread; strings are owned by gm. */
KFK_API void kfk_group_metadata_destroy(kfk_group_metadata *gm);
KFK_API const char *kfk_group_metadata_group_id(const kfk_group_metadata *gm);
KFK_API int32_t kfk_group_metadata_generation_id(const kfk_group_metadata *gm);
/* "" when not a member (never NULL); owned by gm. Any thread. */
KFK_API const char *kfk_group_metadata_member_id(const kfk_group_metadata *gm);
/* NULL: no group.instance.id; owned by gm. Any thread. */
KFK_API const char *kfk_group_metadata_group_instance_id(const kfk_group_metadata *gm);

/* Finds the transaction coordinator and gets the producer id and epoch for
 * transactional.id, fencing any earlier producer with the same id and
 * aborting (or completing the commit of) a transaction it left open. Once;
 * after a retriable error, again. One thread at a time, not from a delivery callback. */
KFK_API int kfk_producer_init_transactions(kfk_producer *p, int timeout_ms);
/* Starts a transaction (locally: nothing is sent until the first message
 * or offsets). One thread at a time, not from a delivery callback. */
KFK_API int kfk_producer_begin_transaction(kfk_producer *p);
/* Adds consumed offsets (of the next message to read, as a commit) of the
 * group to the transaction: they are committed with it, or not at all.
 * gm from kfk_consumer_group_metadata. Partitions' leader_epoch and
 * metadata go along. offsets and gm stay the caller's. One thread at a time, not from a delivery
 * callback. */
KFK_API int kfk_producer_send_offsets_to_transaction(kfk_producer *p,
                                                     const kfk_partition_list *offsets,
                                                     const kfk_group_metadata *gm, int timeout_ms);
/* Flushes the transaction's messages, then commits it. One thread at a time, not from a delivery
 * callback. */
KFK_API int kfk_producer_commit_transaction(kfk_producer *p, int timeout_ms);
/* Fails the messages not yet written, then aborts the transaction. After
 * an abortable error, and whenever the application wants. One thread at a time, not from a
 * delivery callback. */
KFK_API int kfk_producer_abort_transaction(kfk_producer *p, int timeout_ms);
/* The cause of the current transaction's abortable error (0 if none), its
 * description in errstr. One thread at a time, not from a delivery callback. */
KFK_API int kfk_producer_txn_error(kfk_producer *p, char *errstr, size_t errstr_size);

/* Counters since the producer was created. */
typedef struct kfk_producer_stats {
    int64_t epoch_bumps;    /* InitProducerId answered with a new epoch or id
                               after the first (sequence gaps, unknown id) */
    int64_t batches_retried; /* batches sent again after a retriable error */
    int64_t batches_split;   /* batches split after MESSAGE_TOO_LARGE */
    int64_t buffer_bytes;    /* now charged to buffer.memory (queued, in
                                flight, and reported but not yet polled) */
    int64_t buffer_peak;     /* the most buffer_bytes has been */
    int64_t throttles;       /* broker answers asking to wait (quotas) */
    int64_t throttle_ms;     /* the sum of those waits, honoured per broker */
    int64_t rebootstraps;    /* starts over from bootstrap.servers when no
                                known broker could be reached */
    int64_t leader_hints;    /* partitions moved to the new leader that a
                                NOT_LEADER_OR_FOLLOWER answer named (KIP-951),
                                before metadata said so */
    int32_t produce_version_min; /* the lowest and highest Produce request */
    int32_t produce_version_max; /* version a broker answered; 0: none yet.
                                    v13 names topics by id: used when every
                                    topic of a request has a known id */
    int64_t txn_commits;     /* transactions committed (empty ones too) */
    int64_t txn_aborts;      /* transactions aborted */
    int64_t producer_id;     /* the current producer id, -1 none yet */
    int32_t producer_epoch;  /* and its epoch (a transactional producer's
                                moves at every commit and abort with
                                transaction protocol v2) */
    int32_t txn_version;     /* transaction protocol in use: 1, 2 (KIP-890),
                                0 not transactional or not initialized */
} kfk_producer_stats;
/* Fills *out. Any thread. */
KFK_API void kfk_producer_stats_get(kfk_producer *p, kfk_producer_stats *out);
/* The version of Kafka API api_key (Kafka's number: 0 Produce, 1 Fetch, ...)
 * in this client's latest request to any broker: the newest both sides
 * support, of those the request allows. -1 before the first such request
 * or for an unknown key. Any thread. */
KFK_API int kfk_producer_api_version(kfk_producer *p, int api_key);

/* Flushes up to timeout_ms, then destroys. 0, or KFK_ERR_TIMED_OUT when
 * messages were left (reported KFK_ERR_DESTROYED). From the thread that
 * owns p, once no other thread uses it. */
KFK_API int kfk_producer_close(kfk_producer *p, int timeout_ms);

/* Stops at once: every message not yet reported is reported, on this
 * thread before it returns, as KFK_ERR_DESTROYED (or its real outcome if
 * that arrived first), then frees everything, conf included. Never
 * blocks longer than the time to fail in-flight requests. Same threads as
 * close. NULL does nothing. */
KFK_API void kfk_producer_destroy(kfk_producer *p);
/* END PRODUCER API */

/* BEGIN ADMIN API */
/* ----------------------------------------------------------------- admin */

/* An admin client: topics, partitions, configs, cluster, groups, offsets
 * and ACLs, on the same I/O thread, connections and metadata layer as the
 * other clients.
 *
 * Every operation has one form for both styles. With cb NULL it is
 * synchronous: it blocks up to the timeout and returns the result, which
 * the caller owns (NULL only when out of memory); not from an admin
 * callback. With cb set it returns NULL at once and cb gets the result
 * exactly once, on the admin's I/O thread (on the calling thread when
 * the operation fails before anything is sent, on the destroying thread
 * for operations kfk_admin_destroy cuts short); cb owns the result
 * (kfk_admin_result_destroy it, from any thread) and must not block. A
 * result is NULL in cb only when out of memory.
 *
 * Requests go where Kafka wants them: topic and config changes to any
 * broker (KRaft brokers forward to the controller; NOT_CONTROLLER is
 * retried), broker configs to that broker, group requests to the group's
 * coordinator (found with FindCoordinator, found again after
 * NOT_COORDINATOR or COORDINATOR_NOT_AVAILABLE), ListOffsets and
 * DeleteRecords to partition leaders, one request per leader carrying all
 * the partitions it leads. Retriable errors are retried
 * after retry.backoff.ms (doubling to retry.backoff.max.ms) until the
 * operation's timeout (default.api.timeout.ms, 60 s, unless its options
 * say). Each request waits at most request.timeout.ms (30 s); one that
 * times out with time left is retried as well, so a stalled broker costs
 * a request timeout, not the operation's: partitions are asked of their
 * leader again after a metadata refresh (a new one once the old is
 * replaced), the coordinator is found again, and a request any broker can
 * answer goes to another broker. Every argument is copied before the call
 * returns. */
typedef struct kfk_admin kfk_admin;
/* Declared with the consumer, below. */
typedef struct kfk_partition_list kfk_partition_list;

/* An admin client from conf (bootstrap.servers required). On success it
 * owns conf; on failure (NULL, the reason in errstr) conf stays the
 * caller's. Any thread. */
KFK_API kfk_admin *kfk_admin_new(kfk_conf *conf, char *errstr, size_t errstr_size);
/* A file descriptor for event loops (an eventfd on Linux, a pipe's end
 * elsewhere). The first call switches a to queued
 * delivery: from then on the callbacks of asynchronous operations run in
 * kfk_admin_poll on the polling thread, not on the I/O thread, and the fd
 * is readable (level-triggered) while results wait for it. Owned by the
 * admin client; do not read or close it. Any thread. */
KFK_API int kfk_admin_fd(kfk_admin *a);
/* Runs the callbacks of queued results (see kfk_admin_fd) on this thread,
 * waiting up to timeout_ms (0: not at all, -1: forever) for the first.
 * Returns how many ran. Results still queued at kfk_admin_destroy get
 * their callbacks there. Any thread, not from an admin callback. */
KFK_API int kfk_admin_poll(kfk_admin *a, int timeout_ms);
/* Cuts short every operation still running (their results come with
 * KFK_ERR_DESTROYED, before this returns), then frees everything, conf
 * included. Once no other thread uses a, and not from an admin callback.
 * NULL does nothing. */
KFK_API void kfk_admin_destroy(kfk_admin *a);
/* As kfk_producer_api_version. Any thread. */
KFK_API int kfk_admin_api_version(kfk_admin *a, int api_key);

/* Settings of one call; NULL means all defaults. */
typedef struct kfk_admin_options {
    int timeout_ms;    /* for the whole operation, retries included;
                          0: default.api.timeout.ms */
    int validate_only; /* create topics / partitions, alter configs: check,
                          change nothing */
} kfk_admin_options;

/* One item's outcome: a topic, group, config resource or ACL. */
typedef struct kfk_admin_item {
    const char *name;   /* what the item names ("" for ACL bindings) */
    int err;            /* 0 or a kfk_err */
    const char *errstr; /* the broker's message, else kfk_err_str(err);
                           NULL when err is 0 */
} kfk_admin_item;

/* A topic as Metadata describes it. */
typedef struct kfk_admin_partition {
    int32_t id;
    int err;
    int32_t leader; /* -1: none */
    int32_t leader_epoch;
    const int32_t *replicas, *isr, *offline;
    int nreplicas, nisr, noffline;
} kfk_admin_partition;

typedef struct kfk_topic_desc {
    const char *name;
    int err; /* e.g. KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION */
    const char *errstr;
    uint8_t topic_id[16]; /* all zero when the broker does not say */
    int internal;
    const kfk_admin_partition *partitions; /* sorted by id */
    int npartitions;
} kfk_topic_desc;

typedef struct kfk_broker_desc {
    int32_t id;
    const char *host;
    int32_t port;
    const char *rack; /* NULL: none */
} kfk_broker_desc;

typedef struct kfk_cluster_desc {
    const char *cluster_id; /* NULL: unknown */
    int32_t controller_id;  /* -1: unknown */
    const kfk_broker_desc *brokers; /* sorted by id */
    int nbrokers;
} kfk_cluster_desc;

/* Config resource types (Kafka's ConfigResource.Type codes). */
#define KFK_CONFIG_TOPIC 2
#define KFK_CONFIG_BROKER 4 /* name: the broker id, "" for the cluster default */
#define KFK_CONFIG_BROKER_LOGGER 8
#define KFK_CONFIG_GROUP 32

/* Where a config value comes from (Kafka's ConfigSource codes). */
#define KFK_CONFIG_SOURCE_UNKNOWN 0
#define KFK_CONFIG_SOURCE_DYNAMIC_TOPIC 1
#define KFK_CONFIG_SOURCE_DYNAMIC_BROKER 2
#define KFK_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER 3
#define KFK_CONFIG_SOURCE_STATIC_BROKER 4
#define KFK_CONFIG_SOURCE_DEFAULT 5
#define KFK_CONFIG_SOURCE_DYNAMIC_BROKER_LOGGER 6

typedef struct kfk_config_synonym {
    const char *name;
    const char *value; /* NULL: null or sensitive */
    int source;        /* KFK_CONFIG_SOURCE_* */
} kfk_config_synonym;

typedef struct kfk_config_entry {
    const char *name;
    const char *value; /* NULL: null or sensitive */
    int source;        /* KFK_CONFIG_SOURCE_* */
    int is_default, read_only, sensitive;
    const kfk_config_synonym *synonyms; /* most specific first */
    int nsynonyms;
} kfk_config_entry;

/* A resource to describe (keys NULL: every config), or its result. */
typedef struct kfk_config_resource {
    int type; /* KFK_CONFIG_* */
    const char *name;
    const char *const *keys; /* describe: only these (nkeys of them) */
    int nkeys;
    /* results */
    int err;
    const char *errstr;
    const kfk_config_entry *entries;
    int nentries;
} kfk_config_resource;

/* Incremental alter operations. */
#define KFK_CONFIG_SET 0
#define KFK_CONFIG_DELETE 1   /* back to the default */
#define KFK_CONFIG_APPEND 2   /* to a list value */
#define KFK_CONFIG_SUBTRACT 3 /* from a list value */

typedef struct kfk_config_op {
    int resource_type; /* KFK_CONFIG_* */
    const char *resource;
    const char *name;
    const char *value; /* NULL for KFK_CONFIG_DELETE */
    int op;            /* KFK_CONFIG_SET... */
} kfk_config_op;

/* A topic to create: replication_factor (-1: the broker default) copies
 * of each of partitions (-1: the broker default) partitions, or, with
 * assignment set, partitions lists of replicas_per_partition broker ids
 * (assignment[p * replicas_per_partition + r]). configs: nconfigs
 * name/value pairs (configs[2i], configs[2i+1]). */
typedef struct kfk_new_topic {
    const char *name;
    int32_t partitions;
    int16_t replication_factor;
    const int32_t *assignment;
    int replicas_per_partition;
    const char *const *configs;
    int nconfigs;
} kfk_new_topic;

/* More partitions for a topic: total is the new count. assignment NULL:
 * the broker places the new partitions; else it lists the replicas of
 * each of the nassignment new partitions (total minus the current count),
 * replicas_per_partition broker ids each, as in kfk_new_topic. */
typedef struct kfk_new_partitions {
    const char *topic;
    int32_t total;
    const int32_t *assignment;
    int nassignment;
    int replicas_per_partition;
} kfk_new_partitions;

typedef struct kfk_group_listing {
    const char *group_id;
    const char *protocol_type; /* "consumer", "" for simple groups */
    const char *state;         /* "Stable", "Empty"...; "" before ListGroups v4 */
    const char *type;          /* "classic", "consumer"; "" before v5 */
    int32_t coordinator;       /* the broker that listed it */
} kfk_group_listing;

/* A member's assigned partitions (decoded ConsumerProtocolAssignment). */
typedef struct kfk_topic_partition {
    const char *topic;
    int32_t partition;
} kfk_topic_partition;

typedef struct kfk_group_member {
    const char *member_id;
    const char *instance_id; /* NULL: dynamic member */
    const char *client_id;
    const char *host;
    const kfk_topic_partition *assignment; /* empty unless protocol_type
                                              is "consumer" */
    int nassignment;
} kfk_group_member;

typedef struct kfk_group_desc {
    const char *group_id;
    int err; /* e.g. KFK_ERR_GROUP_ID_NOT_FOUND (4.x) */
    const char *errstr;
    const char *state;         /* "Dead" for a group that does not exist (3.x) */
    const char *protocol_type; /* "consumer" */
    const char *protocol;      /* the assignor, "range"... */
    int32_t coordinator;
    const kfk_group_member *members;
    int nmembers;
} kfk_group_desc;

/* A share group's member (ShareGroupDescribe). */
typedef struct kfk_share_member {
    const char *member_id;
    const char *rack; /* NULL: none */
    const char *client_id;
    const char *host;
    int32_t member_epoch;
    const kfk_topic_partition *assignment;
    int nassignment;
} kfk_share_member;

typedef struct kfk_share_group_desc {
    const char *group_id;
    int err; /* e.g. KFK_ERR_GROUP_ID_NOT_FOUND */
    const char *errstr;
    const char *state; /* "Empty", "Stable", "Dead" */
    int32_t group_epoch, assignment_epoch;
    const char *assignor; /* "simple" */
    int32_t coordinator;
    const kfk_share_member *members;
    int nmembers;
} kfk_share_group_desc;

/* One partition's committed offset against its log end. */
typedef struct kfk_partition_lag {
    const char *topic;
    int32_t partition;
    int64_t committed; /* KFK_OFFSET_INVALID: none */
    int64_t log_end;   /* -1: unknown */
    int64_t lag;       /* log_end - committed, -1 if either is unknown */
    int err;           /* why log_end is unknown */
} kfk_partition_lag;

/* ACL codes (Kafka's ResourceType, PatternType, AclOperation and
 * AclPermissionType). */
#define KFK_ACL_RESOURCE_ANY 1
#define KFK_ACL_RESOURCE_TOPIC 2
#define KFK_ACL_RESOURCE_GROUP 3
#define KFK_ACL_RESOURCE_CLUSTER 4
#define KFK_ACL_RESOURCE_TRANSACTIONAL_ID 5
#define KFK_ACL_PATTERN_ANY 1
#define KFK_ACL_PATTERN_MATCH 2
#define KFK_ACL_PATTERN_LITERAL 3
#define KFK_ACL_PATTERN_PREFIXED 4
#define KFK_ACL_OP_ANY 1
#define KFK_ACL_OP_ALL 2
#define KFK_ACL_OP_READ 3
#define KFK_ACL_OP_WRITE 4
#define KFK_ACL_OP_CREATE 5
#define KFK_ACL_OP_DELETE 6
#define KFK_ACL_OP_ALTER 7
#define KFK_ACL_OP_DESCRIBE 8
#define KFK_ACL_OP_CLUSTER_ACTION 9
#define KFK_ACL_OP_DESCRIBE_CONFIGS 10
#define KFK_ACL_OP_ALTER_CONFIGS 11
#define KFK_ACL_OP_IDEMPOTENT_WRITE 12
#define KFK_ACL_OP_CREATE_TOKENS 13
#define KFK_ACL_OP_DESCRIBE_TOKENS 14
#define KFK_ACL_PERMISSION_ANY 1
#define KFK_ACL_PERMISSION_DENY 2
#define KFK_ACL_PERMISSION_ALLOW 3

/* An ACL binding, or a filter (NULL strings and the ANY codes match
 * everything). */
typedef struct kfk_acl {
    int resource_type;
    const char *resource_name;
    int pattern_type;
    const char *principal; /* "User:alice" */
    const char *host;      /* "*" */
    int operation;
    int permission;
} kfk_acl;

/* DeleteAcls: what one filter matched and deleted. */
typedef struct kfk_acl_filter_result {
    int err;
    const char *errstr;
    const kfk_acl *acls; /* each deleted binding */
    const kfk_admin_item *acl_results; /* per binding: its deletion error */
    int nacls;
} kfk_acl_filter_result;

/* SCRAM mechanisms (Kafka's ScramMechanism codes). */
#define KFK_SCRAM_SHA_256 1
#define KFK_SCRAM_SHA_512 2

/* AlterUserScramCredentials: one change of a user's credential. With a
 * password, sets it (the salted password is computed here, as the Java
 * client does: PBKDF2 over a fresh random salt; the password never leaves
 * the process); with password NULL, deletes the mechanism's credential. */
typedef struct kfk_scram_credential_op {
    const char *user;
    int mechanism;        /* KFK_SCRAM_SHA_256 or KFK_SCRAM_SHA_512 */
    const char *password; /* NULL: delete */
    int32_t iterations;   /* 0: 4096; else 4096 to 16384 (the broker's range) */
} kfk_scram_credential_op;

typedef struct kfk_scram_credential_info {
    int mechanism;
    int32_t iterations;
} kfk_scram_credential_info;

/* DescribeUserScramCredentials: one user's credentials (never the salt
 * nor the salted password: the broker does not tell them). */
typedef struct kfk_user_scram_desc {
    const char *user;
    int err; /* RESOURCE_NOT_FOUND: no such user */
    const char *errstr;
    const kfk_scram_credential_info *credentials;
    int ncredentials;
} kfk_user_scram_desc;

/* What an operation returns. Only the members its function names are
 * filled; the rest are empty. err is 0 when the operation and every item
 * succeeded, KFK_ERR_PARTIAL when some item failed (see each item's err),
 * or why the operation as a whole failed (KFK_ERR_TIMED_OUT, ...), with
 * errstr saying more. Everything is owned by the result. */
typedef struct kfk_admin_result {
    int err;
    const char *errstr; /* NULL when err is 0 */
    const kfk_admin_item *items;
    int nitems;
    const kfk_topic_desc *topics;
    int ntopics;
    kfk_partition_list *partitions;
    const kfk_config_resource *configs;
    int nconfigs;
    kfk_cluster_desc cluster;
    const kfk_group_listing *groups;
    int ngroups;
    const kfk_group_desc *group_descs;
    int ngroup_descs;
    const kfk_partition_lag *lags;
    int nlags;
    const kfk_acl *acls;
    int nacls;
    const kfk_acl_filter_result *acl_filters;
    int nacl_filters;
    int32_t from_broker; /* kfk_admin_metadata: the broker that answered */
    const kfk_user_scram_desc *scram_users;
    int nscram_users;
    const kfk_share_group_desc *share_descs;
    int nshare_descs;
} kfk_admin_result;

/* Frees a result and everything in it. Any thread; NULL does nothing. */
KFK_API void kfk_admin_result_destroy(kfk_admin_result *r);

typedef void (*kfk_admin_cb)(kfk_admin_result *res, void *opaque);

/* Topics. create/delete: items[i] for topics[i] (TOPIC_ALREADY_EXISTS,
 * INVALID_REPLICATION_FACTOR, UNKNOWN_TOPIC_OR_PARTITION... with the
 * broker's message). Ownership and threads: as every admin operation (see kfk_admin). */
KFK_API kfk_admin_result *kfk_admin_create_topics(kfk_admin *a, const kfk_new_topic *topics, int n,
                                                  const kfk_admin_options *o, kfk_admin_cb cb,
                                                  void *opaque);
KFK_API kfk_admin_result *kfk_admin_delete_topics(kfk_admin *a, const char *const *topics, int n,
                                                  const kfk_admin_options *o, kfk_admin_cb cb,
                                                  void *opaque);
/* Every topic (internal ones only with internal set): topics, sorted by
 * name, without partitions. Ownership and threads: as every admin operation (see kfk_admin). */
KFK_API kfk_admin_result *kfk_admin_list_topics(kfk_admin *a, int internal,
                                                const kfk_admin_options *o, kfk_admin_cb cb,
                                                void *opaque);
/* topics[i] for names[i], with partitions, leaders, replicas, ISR and
 * offline replicas. Ownership and threads: as every admin operation (see kfk_admin). */
KFK_API kfk_admin_result *kfk_admin_describe_topics(kfk_admin *a, const char *const *names, int n,
                                                    const kfk_admin_options *o, kfk_admin_cb cb,
                                                    void *opaque);
/* One Metadata request as the broker answers it, for tools that show it
 * raw: n topics (n < 0: every topic, internal ones too), each with its
 * error; topics and brokers in the broker's order, partitions by id; the
 * cluster's id and controller in cluster, the answering broker in
 * from_broker. allow_auto_create asks the broker to create missing topics
 * (if it is configured to). Ownership and threads: as every admin operation (see kfk_admin). */
KFK_API kfk_admin_result *kfk_admin_metadata(kfk_admin *a, const char *const *names, int n,
                                             int allow_auto_create, const kfk_admin_options *o,
                                             kfk_admin_cb cb, void *opaque);
/* items[i] for parts[i]. Ownership and threads: as every admin operation (see kfk_admin). */
KFK_API kfk_admin_result *kfk_admin_create_partitions(kfk_admin *a, const kfk_new_partitions *parts,
                                                      int n, const kfk_admin_options *o,
                                                      kfk_admin_cb cb, void *opaque);

/* Offsets of partitions (the list is copied): each element's offset says
 * what to find: KFK_OFFSET_BEGINNING, KFK_OFFSET_END,
 * KFK_OFFSET_MAX_TIMESTAMP (the record with the largest timestamp) or
 * KFK_OFFSET_AT_TIME with .timestamp. partitions: the same elements with
 * offset, timestamp and leader_epoch found (offset -1: none), or err. Ownership and threads: as
 * every admin operation (see kfk_admin). */
#define KFK_OFFSET_MAX_TIMESTAMP (-1003)
KFK_API kfk_admin_result *kfk_admin_list_offsets(kfk_admin *a, const kfk_partition_list *list,
                                                 const kfk_admin_options *o, kfk_admin_cb cb,
                                                 void *opaque);
/* Deletes the records before each element's offset (KFK_OFFSET_END: every
 * record). partitions: offset is the new log start offset, or err. Ownership and threads: as every
 * admin operation (see kfk_admin). */
KFK_API kfk_admin_result *kfk_admin_delete_records(kfk_admin *a, const kfk_partition_list *list,
                                                   const kfk_admin_options *o, kfk_admin_cb cb,
                                                   void *opaque);
/* Elects leaders of the listed partitions (NULL: every partition):
 * preferred replicas, or with unclean set any replica. partitions: err per
 * partition (ELECTION_NOT_NEEDED when the leader already is preferred). Ownership and threads: as
 * every admin operation (see kfk_admin). */
KFK_API kfk_admin_result *kfk_admin_elect_leaders(kfk_admin *a, const kfk_partition_list *list,
                                                  int unclean, const kfk_admin_options *o,
                                                  kfk_admin_cb cb, void *opaque);

/* Configs. describe: configs[i] for resources[i] (input fields copied),
 * with synonyms. alter: items[i] for the i-th distinct resource of ops, in
 * order of first appearance; each resource's ops are applied together. Ownership and threads: as
 * every admin operation (see kfk_admin). */
KFK_API kfk_admin_result *kfk_admin_describe_configs(kfk_admin *a,
                                                     const kfk_config_resource *resources, int n,
                                                     const kfk_admin_options *o, kfk_admin_cb cb,
                                                     void *opaque);
KFK_API kfk_admin_result *kfk_admin_alter_configs(kfk_admin *a, const kfk_config_op *ops, int n,
                                                  const kfk_admin_options *o, kfk_admin_cb cb,
                                                  void *opaque);

/* cluster: brokers, controller and cluster id (DescribeCluster). Ownership and threads: as every
 * admin operation (see kfk_admin). */
KFK_API kfk_admin_result *kfk_admin_describe_cluster(kfk_admin *a, const kfk_admin_options *o,
                                                     kfk_admin_cb cb, void *opaque);

/* Groups. list: groups from every broker (err PARTIAL when a broker did
 * not answer; the groups of the others are there). describe:
 * group_descs[i] for groups[i]. delete: items[i] (NON_EMPTY_GROUP while it
 * has members, GROUP_ID_NOT_FOUND). Ownership and threads: as every admin operation (see
 * kfk_admin). */
KFK_API kfk_admin_result *kfk_admin_list_groups(kfk_admin *a, const kfk_admin_options *o,
                                                kfk_admin_cb cb, void *opaque);
KFK_API kfk_admin_result *kfk_admin_describe_groups(kfk_admin *a, const char *const *groups, int n,
                                                    const kfk_admin_options *o, kfk_admin_cb cb,
                                                    void *opaque);
KFK_API kfk_admin_result *kfk_admin_delete_groups(kfk_admin *a, const char *const *groups, int n,
                                                  const kfk_admin_options *o, kfk_admin_cb cb,
                                                  void *opaque);

/* A group's committed offsets: of the listed partitions (copied), or of
 * every partition with one (list NULL). partitions: offset
 * (KFK_OFFSET_INVALID: none), metadata, leader_epoch, err. Ownership and threads: as every admin
 * operation (see kfk_admin). */
KFK_API kfk_admin_result *kfk_admin_list_group_offsets(kfk_admin *a, const char *group,
                                                       const kfk_partition_list *list,
                                                       const kfk_admin_options *o, kfk_admin_cb cb,
                                                       void *opaque);
/* Commits each element's offset (and metadata) for the group, as a member
 * of no generation: the group must be empty (else UNKNOWN_MEMBER_ID or
 * REBALANCE_IN_PROGRESS per partition). partitions: err per partition. Ownership and threads: as
 * every admin operation (see kfk_admin). */
KFK_API kfk_admin_result *kfk_admin_alter_group_offsets(kfk_admin *a, const char *group,
                                                        const kfk_partition_list *list,
                                                        const kfk_admin_options *o, kfk_admin_cb cb,
                                                        void *opaque);
/* Deletes the group's committed offsets of the listed partitions
 * (OffsetDelete). partitions: err per partition
 * (GROUP_SUBSCRIBED_TO_TOPIC while a member consumes the topic). Ownership and threads: as every
 * admin operation (see kfk_admin). */
KFK_API kfk_admin_result *kfk_admin_delete_group_offsets(kfk_admin *a, const char *group,
                                                         const kfk_partition_list *list,
                                                         const kfk_admin_options *o,
                                                         kfk_admin_cb cb, void *opaque);
/* lags: for every partition the group committed, the committed offset, the
 * log end offset and their difference, sorted by topic and partition. Ownership and threads: as
 * every admin operation (see kfk_admin). */
KFK_API kfk_admin_result *kfk_admin_group_lag(kfk_admin *a, const char *group,
                                              const kfk_admin_options *o, kfk_admin_cb cb,
                                              void *opaque);

/* Share groups (KIP-932; brokers without them: KFK_ERR_UNSUPPORTED_VERSION).
 * list: groups, the share groups of every broker (ListGroups v5 with a
 * type filter). describe: share_descs[i] for groups[i], each member with
 * its assigned partitions. Deleting a share group is kfk_admin_delete_groups
 * (NON_EMPTY_GROUP while it has members). Ownership and threads: as every admin operation (see
 * kfk_admin). */
KFK_API kfk_admin_result *kfk_admin_list_share_groups(kfk_admin *a, const kfk_admin_options *o,
                                                      kfk_admin_cb cb, void *opaque);
KFK_API kfk_admin_result *kfk_admin_describe_share_groups(kfk_admin *a, const char *const *groups,
                                                          int n, const kfk_admin_options *o,
                                                          kfk_admin_cb cb, void *opaque);
/* A share group's start offsets (where its members' delivery begins), of
 * the listed partitions (copied) or of every partition it has one for
 * (list NULL). partitions: offset (KFK_OFFSET_INVALID: none yet),
 * leader_epoch, err. Ownership and threads: as every admin operation (see kfk_admin). */
KFK_API kfk_admin_result *kfk_admin_list_share_group_offsets(kfk_admin *a, const char *group,
                                                             const kfk_partition_list *list,
                                                             const kfk_admin_options *o,
                                                             kfk_admin_cb cb, void *opaque);
/* Sets each element's offset as the group's start offset; the group must
 * have no members (else err NON_EMPTY_GROUP). partitions: err per
 * partition. Ownership and threads: as every admin operation (see kfk_admin). */
KFK_API kfk_admin_result *kfk_admin_alter_share_group_offsets(kfk_admin *a, const char *group,
                                                              const kfk_partition_list *list,
                                                              const kfk_admin_options *o,
                                                              kfk_admin_cb cb, void *opaque);
/* Forgets the group's start offsets of whole topics (the group must have
 * no members). items[i] for topics[i]. Ownership and threads: as every admin operation (see
 * kfk_admin). */
KFK_API kfk_admin_result *kfk_admin_delete_share_group_offsets(kfk_admin *a, const char *group,
                                                               const char *const *topics, int n,
                                                               const kfk_admin_options *o,
                                                               kfk_admin_cb cb, void *opaque);

/* ACLs (need an authorizer on the brokers: without one every item fails
 * with KFK_ERR_SECURITY_DISABLED). create: items[i] for acls[i].
 * describe: acls matching the filter. delete: acl_filters[i] for
 * filters[i]. Ownership and threads: as every admin operation (see kfk_admin). */
KFK_API kfk_admin_result *kfk_admin_create_acls(kfk_admin *a, const kfk_acl *acls, int n,
                                                const kfk_admin_options *o, kfk_admin_cb cb,
                                                void *opaque);
KFK_API kfk_admin_result *kfk_admin_describe_acls(kfk_admin *a, const kfk_acl *filter,
                                                  const kfk_admin_options *o, kfk_admin_cb cb,
                                                  void *opaque);
KFK_API kfk_admin_result *kfk_admin_delete_acls(kfk_admin *a, const kfk_acl *filters, int n,
                                                const kfk_admin_options *o, kfk_admin_cb cb,
                                                void *opaque);
/* SCRAM users. alter: items, one per user the broker answered for (name:
 * the user), in its order; a user may appear once per call (the broker
 * fails a user changed twice in one request with DUPLICATE_RESOURCE).
 * describe: scram_users for users (n 0: every user with a credential),
 * sorted as the broker answers. Ownership and threads: as every admin
 * operation (see kfk_admin). */
KFK_API kfk_admin_result *kfk_admin_alter_user_scram_credentials(kfk_admin *a,
                                                                 const kfk_scram_credential_op *ops,
                                                                 int n, const kfk_admin_options *o,
                                                                 kfk_admin_cb cb, void *opaque);
KFK_API kfk_admin_result *kfk_admin_describe_user_scram_credentials(kfk_admin *a,
                                                                    const char *const *users, int n,
                                                                    const kfk_admin_options *o,
                                                                    kfk_admin_cb cb, void *opaque);
/* END ADMIN API */

/* BEGIN SECURITY API */
/* -------------------------------------------------------------- security */

/* TLS and SASL are configured with string keys (security.protocol, ssl.*,
 * sasl.*; see docs/SECURITY.md). OAUTHBEARER tokens come from the
 * application through this callback.
 *
 * Called on the client's I/O thread when a connection needs a token and
 * none is cached, or once 80% of the cached token's lifetime has passed,
 * so it should return quickly (a token fetched in the background, say).
 * Write the compact JWS token (NUL-terminated) into token and its expiry
 * (ms since the epoch) into *expiry_ms, and return 0; or return a kfk_err
 * (e.g. KFK_ERR_AUTHENTICATION) with a reason in errstr: the connection
 * then fails with that error. Return KFK_ERR_IN_PROGRESS while a token is
 * still being fetched elsewhere: the connection then waits, asking again
 * every few milliseconds, instead of failing. Never put secrets in errstr. */
typedef int (*kfk_oauthbearer_token_cb)(void *opaque, char *token, size_t token_size,
                                        int64_t *expiry_ms, char *errstr, size_t errstr_size);

/* Sets the OAUTHBEARER token callback (NULL: none; then a sasl.jaas.config
 * with unsecuredLoginStringClaim_sub makes an unsecured token, for tests).
 * opaque is handed to cb and not owned. Copied by kfk_conf_dup. Same
 * threads as kfk_conf_set. Returns 0, or KFK_ERR_INVALID_ARG for a NULL
 * conf. */
KFK_API int kfk_conf_set_oauthbearer_token_cb(kfk_conf *conf, kfk_oauthbearer_token_cb cb,
                                              void *opaque);
/* END SECURITY API */

/* BEGIN CONSUMER API */
/* ------------------------------------------------------------- consumer */

/* A consumer: the application names the partitions (kfk_consumer_assign)
 * or subscribes to topics and lets group.id's members share them
 * (kfk_consumer_subscribe), and kfk fetches them, one Fetch per leader
 * broker, on the client's single I/O thread. Messages are handed out
 * without copying: they point into the fetched (or decompressed) buffers,
 * which are freed once every message from them is released. Offsets are
 * committed to group.id's coordinator: with the member's generation and id
 * when subscribed, else without group membership (generation -1), as the
 * Java client's assign() + commitSync() does. */
typedef struct kfk_consumer kfk_consumer;

/* Special offsets, for assign, seek and the partition list. */
#define KFK_OFFSET_BEGINNING (-2)  /* the earliest offset still in the log */
#define KFK_OFFSET_END (-1)        /* the next offset to be written */
#define KFK_OFFSET_STORED (-1000)  /* the group's committed offset, else auto.offset.reset */
#define KFK_OFFSET_INVALID (-1001) /* none known */
#define KFK_OFFSET_AT_TIME (-1002) /* the first offset whose timestamp is >= .timestamp */

/* One partition of a topic and what is said about it. */
typedef struct kfk_partition {
    char *topic; /* owned by the list */
    int32_t partition;
    int64_t offset;       /* an offset or one of KFK_OFFSET_* */
    int64_t timestamp;    /* with KFK_OFFSET_AT_TIME; list_offsets fills it */
    int32_t leader_epoch; /* -1: unknown */
    char *metadata;       /* commit metadata, owned by the list; NULL: none */
    int err;              /* per-partition result of the call that filled it */
} kfk_partition;

typedef struct kfk_partition_list {
    kfk_partition *elems;
    int count, size;
} kfk_partition_list;

/* An empty list (size: a capacity hint). The caller owns it; NULL when out
 * of memory. Lists are not thread-safe; distinct lists are. */
KFK_API kfk_partition_list *kfk_partition_list_new(int size);
KFK_API void kfk_partition_list_destroy(kfk_partition_list *l);
/* A deep copy owned by the caller, or NULL when out of memory. Any thread, while no other thread
 * changes l. */
KFK_API kfk_partition_list *kfk_partition_list_copy(const kfk_partition_list *l);
/* Appends topic/partition (topic copied) with offset KFK_OFFSET_STORED,
 * timestamp -1, leader_epoch -1, no metadata and err 0. Returns the element,
 * valid until the next add, or NULL when out of memory. Lists are not thread-safe; distinct lists
 * are. */
KFK_API kfk_partition *kfk_partition_list_add(kfk_partition_list *l, const char *topic,
                                              int32_t partition);
/* The element for topic/partition, or NULL. Lists are not thread-safe; distinct lists are. */
KFK_API kfk_partition *kfk_partition_list_find(const kfk_partition_list *l, const char *topic,
                                               int32_t partition);
/* Sets an element's commit metadata (copied; NULL clears). 0 or KFK_ERR_NOMEM. Lists are not
 * thread-safe; distinct lists are. */
KFK_API int kfk_partition_set_metadata(kfk_partition *p, const char *metadata);

/* How a message's timestamp was set. */
#define KFK_TIMESTAMP_NONE 0       /* magic 0: no timestamp */
#define KFK_TIMESTAMP_CREATE 1     /* by the producer */
#define KFK_TIMESTAMP_LOG_APPEND 2 /* by the broker */

/* A consumed message (the producer's input is kfk_message), or an event
 * about a partition (err != 0: then only topic, partition and offset mean
 * something): KFK_ERR_PARTITION_EOF when
 * the partition reached its end at offset (enable.partition.eof),
 * KFK_ERR_OFFSET_OUT_OF_RANGE when auto.offset.reset is none,
 * KFK_ERR_LOG_TRUNCATION when auto.offset.reset is none and the log was
 * truncated below the position (an unclean leader election: offset is the
 * first one known to diverge, or the position when that is unknown; with a
 * reset policy the consumer goes back to that offset by itself), or a fetch
 * error that stopped the partition until the next seek. Read-only for the
 * application; every pointer is valid until kfk_consumer_message_release. */
typedef struct kfk_consumer_message {
    int err;
    const char *topic;
    int32_t partition;
    int64_t offset;
    int64_t timestamp; /* ms since the epoch; -1 when none */
    int timestamp_type; /* KFK_TIMESTAMP_* */
    int32_t leader_epoch; /* its batch's partition leader epoch; -1: unknown */
    int32_t broker_id;    /* the broker it was fetched from; -1 for events */
    const void *key;   /* NULL for a null key */
    size_t key_len;
    const void *value; /* NULL for a null value (a tombstone) */
    size_t value_len;
    const kfk_header *headers; /* header_count of them, in record order */
    size_t header_count;
    int32_t delivery_count; /* share consumer: this delivery's number (1, 2, ...); else 0 */

    /* The library's bookkeeping, not the application's: its size is part of
     * the ABI, its contents are not. */
    union kfk_consumer_message_private {
        void *align_;
        int64_t align64_;
        unsigned char bytes_[48];
    } private_;
} kfk_consumer_message;

/* Gives a message back. Any thread, any order, also after the consumer is
 * destroyed; NULL does nothing. */
KFK_API void kfk_consumer_message_release(kfk_consumer_message *m);
/* Gives back the n messages of msgs (NULLs skipped), as n calls of
 * kfk_consumer_message_release would, but the messages of one fetch that
 * sit next to each other (as kfk_consumer_poll_batch returns them) drop
 * their shared memory's count once: the way to release a poll batch. Any
 * thread. */
KFK_API void kfk_consumer_messages_release(kfk_consumer_message *const *msgs, int n);

/* Creates a consumer from conf, whose ownership it takes on success (on
 * failure the caller still owns it). Checks the consumer keys together
 * (errstr names the key and value) and starts the I/O thread. NULL on
 * failure, with the reason in errstr. */
KFK_API kfk_consumer *kfk_consumer_new(kfk_conf *conf, char *errstr, size_t errstr_size);
/* Commits the stored offsets (synchronously, as kfk_consumer_commit) if
 * auto-commit is on, leaves the group, closes each broker's fetch session
 * (best effort, waiting at most fetch.max.wait.ms + 1 s, capped by
 * request.timeout.ms), then destroys. Returns the commit's error, or 0.
 * From the threads kfk_consumer_destroy may be called from. */
KFK_API int kfk_consumer_close(kfk_consumer *c);
/* Stops at once: requests in flight fail, queued messages are dropped, and
 * pending async commits complete without their callback. Messages the
 * application holds stay valid until it releases them. Call once, from a
 * thread that is in no other kfk_consumer_* call on c; NULL does nothing. */
KFK_API void kfk_consumer_destroy(kfk_consumer *c);

/* Consumes exactly the partitions of list (copied), replacing the current
 * assignment; NULL or empty: nothing. Each element's offset says where to
 * start: an offset, KFK_OFFSET_BEGINNING/END/STORED, or KFK_OFFSET_AT_TIME
 * with timestamp. Messages of partitions no longer assigned are dropped.
 * Returns at once (offsets are resolved in the background): 0,
 * KFK_ERR_INVALID_ARG or KFK_ERR_NOMEM. Any thread. */
KFK_API int kfk_consumer_assign(kfk_consumer *c, const kfk_partition_list *list);
/* Assigns every partition of the n topics from offset (as above), waiting
 * up to timeout_ms for their metadata. 0 or a kfk_err. Any thread. */
KFK_API int kfk_consumer_assign_topics(kfk_consumer *c, const char *const *topics, int n,
                                       int64_t offset, int timeout_ms);
/* The current assignment with the start offsets as given (caller owns the
 * copy; NULL when out of memory). Any thread. */
KFK_API kfk_partition_list *kfk_consumer_assignment(kfk_consumer *c);

/* Moves an assigned partition's position to offset (or KFK_OFFSET_*; for
 * KFK_OFFSET_AT_TIME use kfk_consumer_seek_time). Messages fetched before
 * are dropped. 0, or KFK_ERR_NOENT if the partition is not assigned. Any thread. */
KFK_API int kfk_consumer_seek(kfk_consumer *c, const char *topic, int32_t partition,
                              int64_t offset);
/* Seeks to the first offset whose timestamp is >= timestamp_ms (the end
 * when there is none), found with ListOffsets. 0 or KFK_ERR_NOENT. Any thread but a callback's. */
KFK_API int kfk_consumer_seek_time(kfk_consumer *c, const char *topic, int32_t partition,
                                   int64_t timestamp_ms);

/* Stops or restarts fetching the listed assigned partitions; messages
 * already queued stay. Each element's err is set (KFK_ERR_NOENT when not
 * assigned). Returns 0 or KFK_ERR_PARTIAL. Any thread. */
KFK_API int kfk_consumer_pause(kfk_consumer *c, kfk_partition_list *list);
KFK_API int kfk_consumer_resume(kfk_consumer *c, kfk_partition_list *list);

/* Fills each element's offset with the partition's position: the offset of
 * the next message poll will return (KFK_OFFSET_INVALID until the start
 * offset is resolved); past transaction markers and skipped aborted
 * messages once poll reached them. leader_epoch gets the epoch of the
 * message before it (-1: unknown). 0 or KFK_ERR_PARTIAL (an element's err
 * says why). Any thread. */
KFK_API int kfk_consumer_position(kfk_consumer *c, kfk_partition_list *list);
/* Fills each element's offset (KFK_OFFSET_INVALID: none), leader_epoch and
 * metadata with the group's committed offset, asking the coordinator
 * (OffsetFetch) and waiting up to timeout_ms (0 or less: default.api.timeout.ms).
 * Each request waits at most request.timeout.ms; one that times out is sent
 * again to the coordinator found anew. With read_committed, offsets a
 * transaction is still committing are waited for (KIP-447; an element left
 * with KFK_ERR_UNSTABLE_OFFSET_COMMIT when the time ran out). Needs
 * group.id. 0 or a kfk_err.
 * Any thread but a callback's. */
KFK_API int kfk_consumer_committed(kfk_consumer *c, kfk_partition_list *list, int timeout_ms);
/* For each element, asks its leader (ListOffsets): offset
 * KFK_OFFSET_BEGINNING or KFK_OFFSET_END gives that offset; KFK_OFFSET_AT_TIME
 * gives the first offset with a timestamp >= .timestamp (-1 when none) and
 * that record's timestamp. Waits up to timeout_ms in all. 0 or
 * KFK_ERR_PARTIAL (see each err). Any thread but a callback's. */
KFK_API int kfk_consumer_list_offsets(kfk_consumer *c, kfk_partition_list *list, int timeout_ms);
/* The partitions of the n topics (n < 0: of every topic, internal ones
 * only with internal set; n == 0: none, a check that a broker answers) as
 * one Metadata request on the consumer's own connections says now; it
 * creates no topic and is retried after retriable errors until timeout_ms
 * (0 or less: default.api.timeout.ms). On 0, *out gets a list the caller
 * owns, sorted by topic and partition: one element per partition (offset
 * KFK_OFFSET_INVALID, leader_epoch, err the partition's error, e.g.
 * LEADER_NOT_AVAILABLE) and, for a topic in error (an unknown one:
 * UNKNOWN_TOPIC_OR_PARTITION), one element with partition -1 and that
 * error. Returns 0 or a kfk_err (KFK_ERR_TIMED_OUT: no broker answered in
 * time). Any thread but a callback's. */
KFK_API int kfk_consumer_topic_partitions(kfk_consumer *c, const char *const *topics, int n,
                                          int internal, int timeout_ms, kfk_partition_list **out);
/* The partition's low and high watermarks (log start and end offset),
 * asked from its leader; with read_committed, high is the last stable
 * offset (the end of what read_committed can read). 0 or a kfk_err. Any thread but a callback's. */
KFK_API int kfk_consumer_watermarks(kfk_consumer *c, const char *topic, int32_t partition,
                                    int64_t *low, int64_t *high, int timeout_ms);
/* The watermarks the last fetch response for the partition gave (-1 when
 * none yet), without a request. 0 or KFK_ERR_NOENT if not assigned. Any thread. */
KFK_API int kfk_consumer_cached_watermarks(kfk_consumer *c, const char *topic, int32_t partition,
                                           int64_t *low, int64_t *high);
/* Cached high watermark (with read_committed, the last stable offset)
 * minus position: offsets not yet polled, or -1 while either is unknown. Any thread. */
KFK_API int64_t kfk_consumer_lag(kfk_consumer *c, const char *topic, int32_t partition);

/* The next message or partition event, waiting up to timeout_ms (0: do not
 * wait, < 0: forever); NULL when none came in time. The caller owns the
 * message and gives it back with kfk_consumer_message_release. Order is
 * kept per partition. Also runs due commit callbacks. One thread at a time. */
KFK_API kfk_consumer_message *kfk_consumer_poll(kfk_consumer *c, int timeout_ms);
/* A file descriptor (an eventfd on Linux, a pipe's end elsewhere),
 * readable while kfk_consumer_poll would return a message or
 * an event, or run a callback, without waiting: level-triggered, it stays
 * readable until a poll leaves nothing queued (it may be readable once
 * with nothing to return, when queued messages were dropped by a seek or
 * an unassign: that poll returns NULL and clears it). Owned by the
 * consumer; do not read or close it. Any thread. A group member must still
 * poll at least every max.poll.interval.ms, readable or not. */
KFK_API int kfk_consumer_fd(kfk_consumer *c);
/* Up to max (0: max.poll.records) messages into out, waiting up to
 * timeout_ms for the first one: returns how many (the caller owns each).
 * One lock for the whole batch. One thread at a time. */
KFK_API int kfk_consumer_poll_batch(kfk_consumer *c, kfk_consumer_message **out, int max,
                                    int timeout_ms);

/* The consumer's group metadata (group.id, generation, member id,
 * group.instance.id) for kfk_producer_send_offsets_to_transaction; the
 * caller destroys it. Take it after the poll that returned the messages
 * being processed (a rebalance changes it). NULL without group.id or when
 * out of memory. Any thread. */
KFK_API kfk_group_metadata *kfk_consumer_group_metadata(kfk_consumer *c);

/* Commits offsets (NULL: the stored offsets of every assigned partition
 * that changed since the last commit) to group.id's coordinator. Offsets
 * are of the next message to read, as in Kafka; each goes with its
 * leader_epoch (the stored ones with the epoch of the message before them),
 * which lets a consumer starting from it detect a truncated log.
 * Synchronous unless async: within default.api.timeout.ms, each request
 * waiting at most request.timeout.ms and a timed-out one sent again to the
 * coordinator found anew. An async commit is one request (within
 * request.timeout.ms); its result goes to the commit callback, which runs inside a later poll.
 * Returns 0, the first
 * error (sync), KFK_ERR_INVALID_ARG (no group.id) or KFK_ERR_NOENT (NULL and
 * nothing to commit). Any thread but a callback's (for sync). */
KFK_API int kfk_consumer_commit(kfk_consumer *c, const kfk_partition_list *offsets, int async);
/* Marks m processed ("done"): its offset + 1 becomes the partition's
 * stored offset, which commit(NULL) and auto-commit commit. Only needed
 * with enable.auto.offset.store=false (else poll stores); then it counts
 * for auto.commit.interval.messages as kfk_consumer_task_done, which also
 * logs out-of-order calls. 0 or KFK_ERR_NOENT (partition no longer
 * assigned). Any thread. */
KFK_API int kfk_consumer_store_offset(kfk_consumer *c, const kfk_consumer_message *m);
/* Stores each element's offset (and leader_epoch) for its partition. 0 or
 * KFK_ERR_PARTIAL. offsets stays the caller's. Any thread. */
KFK_API int kfk_consumer_store_offsets(kfk_consumer *c, kfk_partition_list *offsets);
/* Marks m finished, as task_done(message) of kafka-python's first
 * KafkaConsumer: its offset + 1 and its leader epoch become the partition's
 * stored ("done") offset, which commit(NULL) and auto-commit commit. With
 * enable.auto.offset.store=false (so that nothing is committed before it is
 * done) and auto.commit.interval.messages=N, every N calls (of this or
 * kfk_consumer_store_offset) start a commit of the done offsets. Any order
 * is allowed, but a call that does not follow on from the previous done
 * offset is reported through the log callback, on the calling thread: a
 * skip (a message polled after the last done one is not done), a move
 * backwards (below the done or committed offset) or a message done again.
 * 0, KFK_ERR_INVALID_ARG (NULL or an event) or KFK_ERR_NOENT (partition not
 * assigned; logged too). Any thread. */
KFK_API int kfk_consumer_task_done(kfk_consumer *c, const kfk_consumer_message *m);

/* One assigned partition's offsets as this consumer knows them, without a
 * request: the four views of the original KafkaConsumer.offsets()
 * (fetch, highwater, commit, task_done). Each is the offset of the next
 * message, as Kafka commits them (task_done there kept the last done
 * offset itself: done here is that + 1), or KFK_OFFSET_INVALID while not
 * known. */
typedef struct kfk_partition_offsets {
    const char *topic; /* owned by the view */
    int32_t partition;
    int64_t position;       /* "fetch": the next offset poll returns (kfk_consumer_position) */
    int64_t high_watermark; /* "highwater": from the last fetch response (-1: none yet) */
    int64_t committed; /* "commit": the group's offset as this consumer last read
                          (at start) or committed it; kfk_consumer_committed asks */
    int64_t done;      /* "task_done": the stored offset, the one commit(NULL) sends */
} kfk_partition_offsets;

typedef struct kfk_offsets_view {
    kfk_partition_offsets *elems; /* sorted by topic, then partition */
    int count;
} kfk_offsets_view;

/* Every assigned partition's offsets, read at one instant under the
 * consumer's lock. The caller owns the view and frees it with
 * kfk_offsets_view_destroy; NULL when out of memory. Any thread. */
KFK_API kfk_offsets_view *kfk_consumer_offsets_view(kfk_consumer *c);
/* The element for topic/partition, or NULL. The element belongs to v. Any thread. */
KFK_API const kfk_partition_offsets *kfk_offsets_view_find(const kfk_offsets_view *v,
                                                           const char *topic, int32_t partition);
/* Frees v; NULL does nothing. Any thread. */
KFK_API void kfk_offsets_view_destroy(kfk_offsets_view *v);

/* Called with every async commit's (and auto-commit's) result, on the
 * thread calling kfk_consumer_poll; offsets (each err set) belong to kfk
 * and are valid during the call only. */
typedef void (*kfk_commit_cb)(kfk_consumer *c, int err, const kfk_partition_list *offsets,
                              void *opaque);
/* Sets the commit callback: before the first poll, from any thread. */
KFK_API void kfk_consumer_set_commit_cb(kfk_consumer *c, kfk_commit_cb cb, void *opaque);
/* Kept for older code (see LOGGING): called on the I/O thread (must not
 * block or call kfk) with notable events, e.g. an offset reset by
 * auto.offset.reset, and on the thread in kfk_consumer_task_done with what
 * it reports, instead of the conf's callback. Set before assign. */
KFK_API void kfk_consumer_set_log_cb(kfk_consumer *c, kfk_log_cb cb, void *opaque);

/* ------------------------------------------------------- consumer groups */

/* Subscribes to topics: names, and POSIX extended regular expressions
 * written with a leading '^' (matched against every topic in the cluster,
 * checked again every metadata.max.age.ms, so topics created later join).
 * The consumer then joins group.id (the classic protocol, as the Java
 * client: partition.assignment.strategy, session.timeout.ms,
 * heartbeat.interval.ms, max.poll.interval.ms, group.instance.id) and the
 * group decides the assignment. Replaces any earlier subscription; topics
 * are copied. Assignment changes happen inside kfk_consumer_poll, through
 * the rebalance callback if one is set. 0, KFK_ERR_INVALID_ARG (no
 * group.id, no topics, a bad regex) or KFK_ERR_NOMEM. Any thread. */
KFK_API int kfk_consumer_subscribe(kfk_consumer *c, const char *const *topics, int n);
/* Leaves the group (LeaveGroup, except for static members) after revoking
 * the assignment on the calling thread (committing first with
 * auto-commit). 0 or KFK_ERR_NOENT when not subscribed. Application
 * thread, not from a callback. */
KFK_API int kfk_consumer_unsubscribe(kfk_consumer *c);
/* The subscription as given (partition -1 in each element; caller owns the
 * list), or NULL when not subscribed or out of memory. Any thread. */
KFK_API kfk_partition_list *kfk_consumer_subscription(kfk_consumer *c);

/* kinds of kfk_rebalance_cb */
#define KFK_REBALANCE_ASSIGNED 1 /* partitions given to this member */
#define KFK_REBALANCE_REVOKED 2  /* to give up; committing them still works */
#define KFK_REBALANCE_LOST 3     /* already owned by others: do not commit */
/* Runs on the thread calling kfk_consumer_poll (or unsubscribe, close).
 * With the eager protocol every change is REVOKED of all, then ASSIGNED of
 * the new set: call kfk_consumer_assign(partitions) after ASSIGNED and
 * kfk_consumer_assign(NULL) after REVOKED/LOST. With the cooperative
 * protocol (every assignor is cooperative-sticky) the lists are the
 * changes only: call kfk_consumer_incremental_assign /
 * kfk_consumer_incremental_unassign. Offsets in `partitions` are
 * KFK_OFFSET_STORED; the list belongs to kfk, valid during the call. */
typedef void (*kfk_rebalance_cb)(kfk_consumer *c, int kind, const kfk_partition_list *partitions,
                                 void *opaque);
/* Without one, kfk (un)assigns by itself. Set before subscribe. Any thread. */
KFK_API void kfk_consumer_set_rebalance_cb(kfk_consumer *c, kfk_rebalance_cb cb, void *opaque);
/* Adds partitions (copied; offsets as in kfk_consumer_assign) to the
 * assignment: 0, KFK_ERR_INVALID_ARG (one is assigned already: nothing
 * added) or KFK_ERR_NOMEM. Removes partitions (their queued messages are
 * dropped): 0, or KFK_ERR_NOENT when some were not assigned (the others
 * are removed). Any thread. */
KFK_API int kfk_consumer_incremental_assign(kfk_consumer *c, const kfk_partition_list *list);
KFK_API int kfk_consumer_incremental_unassign(kfk_consumer *c, const kfk_partition_list *list);
/* "COOPERATIVE" or "EAGER" (static string), from partition.assignment.strategy. Any thread. */
KFK_API const char *kfk_consumer_rebalance_protocol(kfk_consumer *c);
/* The generation of the group this member last joined; -1 when none. Any
 * thread. */
KFK_API int32_t kfk_consumer_generation(kfk_consumer *c);

/* Counters, any thread. */
typedef struct kfk_consumer_stats {
    int64_t fetch_requests;  /* Fetch requests sent */
    int64_t messages;        /* messages queued for poll */
    int64_t offset_resets;   /* auto.offset.reset applied */
    int64_t commits;         /* OffsetCommit requests answered without error */
    int64_t rebalances;      /* assignments received from SyncGroup */
    int64_t throttles;       /* broker answers asking to wait (quotas) */
    int64_t throttle_ms;     /* the sum of those waits, honoured per broker */
    int64_t truncations;     /* positions found past a truncated log (KIP-320) */
    int64_t rebootstraps;    /* starts over from bootstrap.servers when no
                                known broker could be reached */
} kfk_consumer_stats;
KFK_API void kfk_consumer_stats_get(kfk_consumer *c, kfk_consumer_stats *out);
/* As kfk_producer_api_version. Any thread. */
KFK_API int kfk_consumer_api_version(kfk_consumer *c, int api_key);
/* END CONSUMER API */

/* BEGIN SHARE CONSUMER API */
/* ------------------------------------------------------- share consumer */

/* A share consumer (KIP-932, Kafka 4.x): a member of the share group
 * group.id reading its subscribed topics as a queue. Several members may
 * read the same partition; the broker hands each record to one member at a
 * time ("acquires" it for group.share.record.lock.duration.ms), and the
 * member acknowledges it: accepted (done), released (delivered again,
 * with a higher delivery_count) or rejected (never again). A record
 * delivered group.share.delivery.count.limit times is archived. Messages
 * are kfk_consumer_message, zero-copy as the consumer's; give each back
 * with kfk_consumer_message_release.
 *
 * share.acknowledgement.mode (Java's name and default):
 *   implicit: every message a poll returned is accepted by the next poll,
 *             commit or close;
 *   explicit: the application acknowledges each one with
 *             kfk_share_consumer_acknowledge before the next poll; a
 *             message it does not acknowledge is released at that poll.
 * Acknowledgements travel with the next ShareFetch to the partition's
 * leader, or at once with kfk_share_consumer_commit_sync/_async.
 *
 * All calls on one thread at a time (the application's); the client's I/O
 * thread runs the protocol (heartbeats go on while the application does
 * not poll) and fetches when the poll queue runs empty.
 * Against a broker without share groups (before 4.0, or share.version 0),
 * the first poll returns an event with KFK_ERR_UNSUPPORTED_VERSION. */
typedef struct kfk_share_consumer kfk_share_consumer;

/* Acknowledgement types: Kafka's AcknowledgeType values. */
#define KFK_ACK_ACCEPT 1
#define KFK_ACK_RELEASE 2
#define KFK_ACK_REJECT 3
#define KFK_ACK_RENEW 4 /* KIP-1222 (ShareFetch v2): extend the lock, keep the record */

/* Creates a share consumer from conf (taken on success, as
 * kfk_consumer_new). Needs group.id. NULL on failure, reason in errstr
 * (naming the key and value). One thread at a time, as every share consumer call. */
KFK_API kfk_share_consumer *kfk_share_consumer_new(kfk_conf *conf, char *errstr,
                                                   size_t errstr_size);
/* Subscribes to the n topic names (copied; no regular expressions),
 * replacing any earlier subscription. 0, KFK_ERR_INVALID_ARG or
 * KFK_ERR_NOMEM. One thread at a time, as every share consumer call. */
KFK_API int kfk_share_consumer_subscribe(kfk_share_consumer *c, const char *const *topics, int n);
/* The next message (its delivery_count set), or an event (err set:
 * e.g. KFK_ERR_UNSUPPORTED_VERSION, an authorization error; KFK_ERR_STATE
 * in explicit mode while a message of the previous poll is not
 * acknowledged), waiting up to timeout_ms (< 0: forever); NULL when none
 * came in time. One thread at a time, as every share consumer call. */
KFK_API kfk_consumer_message *kfk_share_consumer_poll(kfk_share_consumer *c, int timeout_ms);
/* Acknowledges a message the last poll returned with KFK_ACK_ACCEPT,
 * RELEASE or REJECT (explicit mode; in implicit mode it overrides the
 * implied accept), or renews its lock (KFK_ACK_RENEW, sent at once): once
 * the broker renewed it, the next poll returns the same message again
 * (release it once more; a refused renewal drops it), to be acknowledged
 * again; until then it may still be acknowledged. 0, KFK_ERR_INVALID_ARG
 * (a bad type, an event), KFK_ERR_STATE (not delivered by a poll, or
 * already acknowledged) or KFK_ERR_UNSUPPORTED_VERSION (renew: the broker
 * lacks ShareFetch v2, Kafka 4.4). One thread at a time, as every share
 * consumer call. */
KFK_API int kfk_share_consumer_acknowledge(kfk_share_consumer *c, const kfk_consumer_message *m,
                                           int type);
/* Sends every pending acknowledgement now (ShareAcknowledge to each
 * leader) and waits up to timeout_ms (<= 0: default.api.timeout.ms).
 * *results (if results) gets a list the caller destroys: one element per
 * partition acknowledged (those riding on a ShareFetch still out
 * included), err its broker result (e.g.
 * KFK_ERR_INVALID_RECORD_STATE when the lock had expired). Returns 0, the
 * first error, or KFK_ERR_NOMEM. One thread at a time, as every share consumer call. */
KFK_API int kfk_share_consumer_commit_sync(kfk_share_consumer *c, kfk_partition_list **results,
                                           int timeout_ms);
/* Called with each acknowledgement commit's per-partition results (async
 * commits, and acknowledgements sent with ShareFetch), on the thread in
 * poll, commit or close; the list is kfk's, valid during the call. One thread at a time, as every
 * share consumer call. */
typedef void (*kfk_share_ack_cb)(kfk_share_consumer *c, const kfk_partition_list *results,
                                 void *opaque);
KFK_API void kfk_share_consumer_set_ack_cb(kfk_share_consumer *c, kfk_share_ack_cb cb,
                                           void *opaque);
/* As commit_sync, but the results go to the callback (during this call or
 * a later poll). 0 or a kfk_err. One thread at a time, as every share consumer call. */
KFK_API int kfk_share_consumer_commit_async(kfk_share_consumer *c);
/* Sends pending acknowledgements (implicit mode: accepts what the last
 * poll returned), releases every other record it holds, closes its share
 * sessions and leaves the group; then destroys. Returns the first error of
 * the acknowledgements, or 0. One thread at a time, as every share consumer call. */
KFK_API int kfk_share_consumer_close(kfk_share_consumer *c);
/* Frees at once (the broker releases what the member held when its
 * session or membership times out). NULL does nothing. One thread at a time, as every share
 * consumer call. */
KFK_API void kfk_share_consumer_destroy(kfk_share_consumer *c);
/* END SHARE CONSUMER API */

/* BEGIN STATISTICS API */
/* ------------------------------------------------------------ statistics
 *
 * With statistics.interval.ms > 0 (0, the default, is off and costs
 * nothing), every client takes a snapshot of its figures at that interval
 * and hands it to the callback set with kfk_conf_set_stats_cb, both typed
 * (kfk_stats) and as one JSON document using librdkafka's field names
 * (docs/STATISTICS.md lists every field). The callback runs:
 *   producer  on the thread in kfk_producer_poll, flush, close;
 *   consumer  on the thread in kfk_consumer_poll / poll_batch (a poll
 *             waiting for messages runs it, then goes on waiting);
 *   admin     on the admin's I/O thread (as its asynchronous results): it
 *             must not block nor call the admin.
 * Snapshots not yet handed over are kept, at most 16 (older ones dropped).
 * Units as librdkafka's: ts, ages and rtt in microseconds, rebalance_age
 * and throttle in milliseconds. Counters are since the client was
 * created; windows cover the last interval. */

/* A window of samples over one interval. cnt 0: no sample (all 0). */
typedef struct kfk_stats_window {
    int64_t min, max, avg, sum, stddev, cnt;
    int64_t p50, p75, p90, p95, p99, p99_99;
} kfk_stats_window;

/* One broker connection (bootstrap ones included, nodeid -1 and below). */
typedef struct kfk_stats_broker {
    const char *name;     /* "host:port/nodeid" ("host:port/bootstrap") */
    int32_t nodeid;
    const char *nodename; /* "host:port" */
    const char *source;   /* "configured" (bootstrap) or "learned" (metadata) */
    const char *state;    /* "INIT", "DOWN", "TRY_CONNECT", "CONNECT",
                             "SSL_HANDSHAKE", "APIVERSION_QUERY", "AUTH_REQ", "UP" */
    int64_t stateage;     /* us in that state */
    int64_t outbuf_cnt;   /* requests queued, not yet fully written */
    int64_t waitresp_cnt; /* requests written, awaiting their response */
    int64_t tx, txbytes, txerrs; /* requests written, their bytes, failed ones */
    int64_t req_timeouts;        /* requests timed out */
    int64_t rx, rxbytes;         /* responses read, their bytes */
    int64_t rxerrs;              /* responses that failed to decode */
    int64_t rxcorriderrs;        /* responses matching no request awaiting one
                                    (the connection is closed) */
    int64_t txretries;           /* producer: batches sent to it again */
    int64_t outbuf_msg_cnt;      /* records in outbuf_cnt's requests (Produce) */
    int64_t waitresp_msg_cnt;    /* records in waitresp_cnt's requests */
    int64_t connects;    /* connection attempts, failed ones too */
    int64_t disconnects; /* connections lost or closed once up */
    int64_t req[100];   /* requests written per Kafka API key */
    kfk_stats_window rtt;      /* request round-trip times, us */
    kfk_stats_window int_latency;    /* producer: us from a batch's first record
                                        to its first Produce request */
    kfk_stats_window outbuf_latency; /* us from a request's submission to its
                                        last byte written (waits for the
                                        connection, in-flight limit, throttle) */
    kfk_stats_window throttle; /* broker throttle times, ms */
    int64_t txidle, rxidle; /* us since the current connection last wrote to /
                               read from its socket; -1 not yet */
    int64_t rxpartial;      /* consumer: Fetch answers from it whose records
                               ended inside a batch (cut at the size limit) */
} kfk_stats_broker;

/* One partition. A field that is not known is -1; an offset not known is
 * KFK_OFFSET_INVALID (-1001), as librdkafka reports it. Producers fill the
 * first group, consumers the second. */
typedef struct kfk_stats_partition {
    const char *topic;
    int32_t partition;
    int32_t leader; /* broker node id; -1 unknown */
    int32_t broker; /* the broker produced to or fetched from (a consumer's
                       preferred read replica, KIP-392); -1 unknown */
    int32_t leader_epoch; /* -1 unknown */
    int unknown;          /* not in the metadata (yet) */
    /* producer */
    int64_t msgq_cnt, msgq_bytes; /* records in batches not sent (or to be
                                     sent again), their batches' bytes */
    int64_t txmsgs, txbytes;      /* records written (acknowledged), their
                                     batches' bytes (compressed) */
    int64_t next_ack_seq;         /* idempotence: sequence of the next batch expected acked */
    int64_t msgs_inflight;        /* records in Produce requests awaiting an answer */
    /* consumer */
    int desired;                  /* assigned by the application or the group */
    const char *fetch_state;      /* "offset-query", "active", "validate-epoch-wait",
                                     "stopped", "paused" */
    int64_t next_offset;          /* the next offset to fetch */
    int64_t query_offset;         /* where the partition started, or was last
                                     reset to: an offset or KFK_OFFSET_* */
    int64_t app_offset;           /* the offset after the last message polled */
    int64_t stored_offset, committed_offset;
    int32_t stored_leader_epoch;  /* -1 unknown */
    int64_t eof_offset;           /* where the end was last reported (enable.partition.eof) */
    int64_t lo_offset, hi_offset, ls_offset; /* low, high watermark, last stable */
    int64_t consumer_lag;         /* hi (ls under read_committed) - committed, -1 */
    int64_t consumer_lag_stored;  /* hi (ls) - stored, -1 */
    int64_t fetchq_cnt, fetchq_size; /* fetched, waiting for poll */
    int64_t rxmsgs, rxbytes;      /* records fetched, their key+value bytes */
    int32_t committed_leader_epoch; /* consumer: committed with committed_offset; -1 */
    int64_t rx_ver_drops;  /* consumer: records fetched then dropped, the partition
                              re-positioned (seek) or revoked meanwhile */
    kfk_stats_window records_lag, records_lead; /* consumer, per Fetch answer over the
                              interval: the high watermark (last stable offset
                              under read_committed) minus the next fetch position,
                              that position minus the log start (no percentiles;
                              typed snapshot only, for telemetry) */
    /* producer */
    int64_t msgs;          /* records ever accepted for it (sent or not) */
    int64_t acked_msgid;   /* the highest record number acknowledged, records
                              numbered from 1 in the order they were accepted */
    int32_t next_err_seq;  /* idempotence: the sequence after the last batch
                              that failed in this epoch, when ahead of
                              next_ack_seq; else next_ack_seq */
    int64_t txretry_msgs;  /* records in batches sent again (each retry counts) */
    int64_t txerr_msgs;    /* records in batches failed for good (including
                              expired, purged, and unwritten ones of an
                              aborted transaction) */
} kfk_stats_partition;

/* One topic's own figures (a topic with partitions listed). */
typedef struct kfk_stats_topic {
    const char *topic;
    int64_t age;          /* ms since the producer first used it, or the
                             consumer was first given one of its partitions
                             (still held); -1 unknown */
    int64_t metadata_age; /* ms since a Metadata answer last described it;
                             -1 never */
    kfk_stats_window batchsize; /* producer: bytes of each batch first sent */
    kfk_stats_window batchcnt;  /* producer: records of each batch first sent */
} kfk_stats_topic;

/* The classic or consumer group protocol's state (a group consumer). */
typedef struct kfk_stats_cgrp {
    const char *state;      /* "up" (a coordinator), "wait-coord", "init" */
    int64_t stateage;       /* ms in state */
    const char *join_state; /* "init", "wait-join", "wait-metadata",
                               "wait-sync", "wait-assign-call", "steady",
                               "left", "fatal" (docs/STATISTICS.md) */
    int64_t rebalance_cnt;  /* assignments received */
    int64_t rebalance_age;  /* ms since the last; 0: none */
    const char *rebalance_reason; /* why the last rejoin was asked for; "" none */
    int64_t assignment_size; /* partitions assigned now */
} kfk_stats_cgrp;

/* Idempotence and transactions (a producer). */
typedef struct kfk_stats_eos {
    const char *idemp_state; /* "Init", "WaitPID", "Assigned", "FatalError";
                                NULL: idempotence off */
    const char *txn_state;   /* NULL: not transactional; else as the state names */
    int64_t txn_stateage;    /* ms in txn_state (not transactional: since creation) */
    int64_t idemp_stateage;  /* ms since the producer id state last changed
                                (since creation if never) */
    int txn_may_enq;         /* messages may be sent now (in a transaction) */
    int64_t producer_id;     /* -1 none */
    int32_t producer_epoch;  /* -1 none */
    int64_t epoch_cnt;       /* producer ids or epochs assigned, the first too */
} kfk_stats_eos;

typedef struct kfk_stats {
    const char *name;      /* "client_id#type-N", unique in the process */
    const char *client_id;
    const char *type;      /* "producer", "consumer", "admin" */
    int64_t ts;            /* monotonic clock, us */
    int64_t time;          /* wall clock, s since the epoch */
    int64_t age;           /* us since the client was created */
    int64_t replyq;        /* producer: reports waiting for poll; consumer:
                              messages and events waiting for poll */
    int64_t msg_cnt, msg_size; /* producer: records not yet reported, bytes
                                  charged to buffer.memory */
    int64_t msg_max, msg_size_max; /* queue.buffering.max.messages, buffer.memory */
    int64_t tx, tx_bytes, rx, rx_bytes; /* the brokers' summed */
    int64_t txmsgs, txmsg_bytes; /* records written (producer) */
    int64_t rxmsgs, rxmsg_bytes; /* records fetched (consumer); bytes: of
                                    the Fetch answers' records, framing included */
    int64_t metadata_cache_cnt;  /* topics in the metadata snapshot */
    kfk_stats_broker *brokers;
    int nbrokers;
    kfk_stats_partition *partitions; /* sorted by topic, partition */
    int npartitions;
    kfk_stats_topic *topics; /* may be NULL */
    int ntopics;
    const kfk_stats_cgrp *cgrp; /* NULL: not a group consumer */
    const kfk_stats_eos *eos;   /* NULL: not a producer */
    /* kfk's own figures, beyond librdkafka's (under "kfk" in the JSON) */
    int64_t metadata_requests, metadata_updates, rebootstraps;
    int64_t throttles, throttle_ms; /* answers asking to wait, and their sum */
    int64_t batches_retried, batches_split; /* producer */
    int64_t buffer_peak;                    /* producer: most of msg_size */
    int64_t fetch_requests, offset_resets, commits; /* consumer */
    int64_t connects, disconnects; /* the brokers' summed */
    /* consumer windows over the interval: */
    int64_t polls;                    /* poll calls returned, since creation */
    kfk_stats_window poll_idle_ratio; /* per poll: time inside it over that plus the
                                         time since the previous poll returned,
                                         parts per million (1000000: the
                                         application waits on poll only) */
    kfk_stats_window fetch_latency;   /* Fetch request written to response read, us */
    kfk_stats_window commit_latency;  /* OffsetCommit request written to response, us */
    kfk_stats_window rebalance_latency; /* group: each rebalance, us: classic from its
                                           first JoinGroup to SyncGroup answered; KIP-848
                                           from a new assignment to the application
                                           having run its events */
    int64_t rebalance_latency_total;    /* their sum since creation, us */
} kfk_stats;

/* Receives each snapshot; both arguments are valid only during the call. */
typedef void (*kfk_stats_cb)(const kfk_stats *stats, const char *json, size_t json_len,
                             void *opaque);
/* Sets the statistics callback (NULL: none; then no snapshot is taken).
 * opaque is not owned. Copied by kfk_conf_dup. Same threads as
 * kfk_conf_set. 0, or KFK_ERR_INVALID_ARG for a NULL conf. */
KFK_API int kfk_conf_set_stats_cb(kfk_conf *conf, kfk_stats_cb cb, void *opaque);

/* The JSON document of s, NUL-terminated, in a buffer the caller frees
 * with the kfk allocator's free (kfk_free_buf); *len (if len) its length.
 * NULL when out of memory. Any thread. */
KFK_API char *kfk_stats_json(const kfk_stats *s, size_t *len);
/* Frees memory kfk handed over (kfk_stats_json's). NULL does nothing. Any thread. */
KFK_API void kfk_free_buf(void *p);
/* END STATISTICS API */

/* ------------------------------------------------------------- allocator */

/* Replaces the allocator every kfk allocation goes through. Call it before
 * creating any handle; not thread-safe. NULL restores malloc/realloc/free. */
typedef struct kfk_allocator {
    void *(*malloc_fn)(size_t size);
    void *(*realloc_fn)(void *ptr, size_t size);
    void (*free_fn)(void *ptr);
} kfk_allocator;
KFK_API void kfk_set_allocator(const kfk_allocator *allocator);

#ifdef __cplusplus
}
#endif

#endif
