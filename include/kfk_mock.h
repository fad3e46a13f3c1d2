/* A mock Kafka cluster for applications' tests: brokers in the calling
 * process, each on a loopback port, served by one thread of their own.
 * They speak Kafka's protocol, so any client can connect: see docs/MOCK.md
 * for what the mock implements. All functions are safe from any thread. */
#ifndef KFK_MOCK_CLUSTER_H
#define KFK_MOCK_CLUSTER_H

#include <stdint.h>

#include "kfk.h" /* KFK_API */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kfk_mock_cluster kfk_mock_cluster;

/* nbrokers brokers (ids 1..nbrokers) on free loopback ports. The caller owns it
 * (kfk_mock_cluster_destroy). NULL if nbrokers is outside 1..64, or a port
 * cannot be bound. Any thread. */
KFK_API kfk_mock_cluster *kfk_mock_cluster_new(int nbrokers);
/* The same on base_port, base_port+1, ... (base_port 0: free ports). Any thread. */
KFK_API kfk_mock_cluster *kfk_mock_cluster_new_port(int nbrokers, int base_port);
/* "127.0.0.1:P1,127.0.0.1:P2,...", owned by the cluster (NULL for NULL). Any thread. */
KFK_API const char *kfk_mock_cluster_bootstraps(const kfk_mock_cluster *c);
/* Stops the brokers (connections close) and frees everything. NULL is a no-op. Any thread. */
KFK_API void kfk_mock_cluster_destroy(kfk_mock_cluster *c);

/* Creates a topic; replication is capped to the broker count. Returns 0 or
 * a kfk_err: KFK_ERR_TOPIC_ALREADY_EXISTS, KFK_ERR_INVALID_PARTITIONS,
 * KFK_ERR_INVALID_REPLICATION_FACTOR (below 1), KFK_ERR_INVALID_TOPIC_EXCEPTION
 * (not a legal name), KFK_ERR_INVALID_ARG (c or topic NULL). Any thread. */
KFK_API int kfk_mock_topic_create(kfk_mock_cluster *c, const char *topic, int partitions,
                                  int replication);

/* Fault injection. Each returns 0, or -1 for an unknown broker, API or
 * partition (or c NULL). */
/* The next `count` requests of api_key (KFK_API_* numbering, Kafka's) that
 * broker_id receives (-1: any broker) are answered with the Kafka error
 * code err in every topic or partition they name. Any thread. */
KFK_API int kfk_mock_push_request_errors(kfk_mock_cluster *c, int broker_id, int16_t api_key,
                                         int count, int err);
/* Drops the errors pushed for api_key and not used yet: those for broker_id
 * (-1: all of them, whichever broker they were pushed for). Any thread. */
KFK_API void kfk_mock_clear_request_errors(kfk_mock_cluster *c, int broker_id, int16_t api_key);
/* The next request of api_key that broker_id receives (-1: any broker) is
 * answered with err (0: as usual) rtt_ms late; queued with the others.
 * Any thread. */
KFK_API int kfk_mock_push_request_error_rtt(kfk_mock_cluster *c, int broker_id, int16_t api_key,
                                            int err, int rtt_ms);
/* How many requests of api_key the errors pushed for broker_id (-1: those
 * pushed for any broker) will still fail; -1 for an unknown broker. Any thread. */
KFK_API int kfk_mock_request_errors_count(kfk_mock_cluster *c, int broker_id, int16_t api_key);
/* ApiVersions lists api_key with versions min..max only (within what the
 * mock serves) and other versions of it are refused (the connection
 * closes); a negative min or max: the API is neither listed nor served. Any thread. */
KFK_API int kfk_mock_api_set_versions(kfk_mock_cluster *c, int16_t api_key, int min_version,
                                      int max_version);
/* Metadata names the broker's rack (NULL: none); a follower's rack picks
 * the clients its leader sends to it. Any thread. */
KFK_API int kfk_mock_broker_set_rack(kfk_mock_cluster *c, int broker_id, const char *rack);
/* Metadata answers err (a Kafka error code; 0: none again) for the topic,
 * which is created (1 partition) if it does not exist. Any thread. */
KFK_API int kfk_mock_topic_set_error(kfk_mock_cluster *c, const char *topic, int err);
/* Produce answers MESSAGE_TOO_LARGE for a record batch of the topic
 * longer than max_bytes (its max.message.bytes; 0: no limit). Any thread. */
KFK_API int kfk_mock_topic_set_max_message_bytes(kfk_mock_cluster *c, const char *topic,
                                                 int max_bytes);
/* Called for each request a broker answered (or, acks=0 Produce, took
 * without an answer), on the cluster's thread with its lock held (call no
 * kfk_mock_* from it): the request and response frames, size prefix
 * removed, headers included (response NULL, 0 when none). NULL: no more. */
typedef void kfk_mock_request_cb(void *opaque, int broker_id, const uint8_t *request,
                                 size_t request_len, const uint8_t *response, size_t response_len);
KFK_API void kfk_mock_set_request_cb(kfk_mock_cluster *c, kfk_mock_request_cb *cb, void *opaque);
/* Down: the broker's connections close and it refuses new ones until up;
 * Metadata still lists it and it keeps its leaderships. Any thread. */
KFK_API int kfk_mock_broker_down(kfk_mock_cluster *c, int broker_id);
KFK_API int kfk_mock_broker_up(kfk_mock_cluster *c, int broker_id);
/* Every answer of the broker goes out rtt_ms after it was ready (0: at
 * once), and the connection reads its next request only then. Any thread. */
KFK_API int kfk_mock_broker_set_rtt(kfk_mock_cluster *c, int broker_id, int rtt_ms);
/* Moves a partition's leadership (its leader epoch grows). Any thread. */
KFK_API int kfk_mock_partition_set_leader(kfk_mock_cluster *c, const char *topic, int partition,
                                          int broker_id);
/* Fetch from follower (KIP-392): broker_id becomes the partition's
 * follower (-1: none again; it need not exist, so a test can name one
 * clients cannot reach, and a broker of the cluster outside the replicas
 * joins them). Its leader names it as the preferred read replica, with no
 * records, in Fetch answers (v11+) to clients that give a rack (client.rack)
 * matching the follower's (kfk_mock_broker_set_rack; a follower without
 * one matches any), unless it is down; it serves Fetch within its own
 * watermarks, OFFSET_OUT_OF_RANGE outside them. Any thread. */
KFK_API int kfk_mock_partition_set_follower(kfk_mock_cluster *c, const char *topic, int partition,
                                            int broker_id);
/* The follower's log start offset (lo) and high watermark (hi), kept
 * within the leader's; -1 for either: the leader's, as it moves. -1 for
 * an unknown partition or lo > hi. Any thread. */
KFK_API int kfk_mock_partition_set_follower_wmarks(kfk_mock_cluster *c, const char *topic,
                                                   int partition, int64_t lo, int64_t hi);
/* An unclean leader election: the partition's log loses offsets >= offset
 * (the whole batch holding offset when it starts below it) and a new
 * leader epoch starts at the new log end, so OffsetForLeaderEpoch and
 * Fetch (diverging epoch) show consumers where their log diverged. What
 * the partition knows of producers and transactions is rebuilt from the
 * batches left, as Kafka reloads it: sequences go on from each producer's
 * last batch left, and a transaction whose marker went is open again.
 * offset must be within log start..high watermark. Any thread. */
KFK_API int kfk_mock_partition_truncate(kfk_mock_cluster *c, const char *topic, int partition,
                                        int64_t offset);
/* Moves the coordinator of a group (key_type KFK_MOCK_COORD_GROUP) or of
 * a transactional id (KFK_MOCK_COORD_TXN) to broker_id: the old one
 * answers NOT_COORDINATOR for it, FindCoordinator names the new one, and
 * the group's members, generation and offsets stay as they were. Any thread. */
enum { KFK_MOCK_COORD_GROUP = 0, KFK_MOCK_COORD_TXN = 1 };
KFK_API int kfk_mock_coordinator_set(kfk_mock_cluster *c, int key_type, const char *key,
                                     int broker_id);
/* A partition's log start offset and high watermark. Any thread. */
KFK_API int kfk_mock_partition_offsets(kfk_mock_cluster *c, const char *topic, int partition,
                                       int64_t *log_start, int64_t *high_watermark);
/* How many fetch sessions (KIP-227) the broker holds, -1 for no such
 * broker. Any thread. */
KFK_API int kfk_mock_fetch_sessions(kfk_mock_cluster *c, int broker_id);

#ifdef __cplusplus
}
#endif

#endif
