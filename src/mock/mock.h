/* The mock cluster's protocol logic, without I/O: fed one request frame
 * (size prefix removed), the broker it reached and the time, it yields the
 * response frame (size prefix included). Cluster state lives in memory
 * under a byte bound. Not thread-safe: src/mock/cluster.c serialises calls. */
#ifndef KFK_MOCK_H
#define KFK_MOCK_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

typedef struct kfk_mock kfk_mock;

/* Brokers get ids 1..nbrokers and advertise host:ports[i]. NULL on failure. */
kfk_mock *kfk_mock_new(int nbrokers, const char *host, const int *ports, size_t max_bytes);
void kfk_mock_free(kfk_mock *m);

/* kfk_mock_handle's outcomes besides a negative kfk_err (malformed request:
 * the connection should be closed). */
enum {
    KFK_MOCK_REPLY = 0,    /* out holds the response frame */
    KFK_MOCK_NO_REPLY = 1, /* acks=0 Produce: nothing to send */
    KFK_MOCK_PARK = 2,     /* a Fetch waits for data, a JoinGroup or SyncGroup for
                              the group: feed it again later (or after any
                              other request), with the same connection's
                              later requests held back */
};

/* parked_since: -1 when the request is fed for the first time; when it is
 * fed again after KFK_MOCK_PARK, the time of its first feeding (a Fetch
 * answers once its max wait since then passes, a JoinGroup once the
 * rebalance completes). */
int kfk_mock_handle(kfk_mock *m, int32_t broker_id, const uint8_t *frame, size_t len,
                    int64_t now_ms, int64_t parked_since, kfk_wbuf *out);
/* Grows on every append: a parked Fetch is worth retrying when it changed. */
uint64_t kfk_mock_data_version(const kfk_mock *m);

/* Creates a topic; replication is capped to the broker count. Returns 0 or
 * a Kafka error code (TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS, ...). */
int kfk_mock_create_topic(kfk_mock *m, const char *name, int32_t partitions, int16_t replication);
/* The next `count` requests of api_key on broker_id (-1: any broker) fail
 * with err. */
int kfk_mock_push_error(kfk_mock *m, int32_t broker_id, int16_t api_key, int32_t count, int16_t err);
/* Drops the errors still queued for api_key on broker_id (-1: on any). */
void kfk_mock_clear_errors(kfk_mock *m, int32_t broker_id, int16_t api_key);
/* Down: its connections close and it refuses new ones (the I/O layer reads
 * this); Metadata still names it. Returns 0 or -1 for an unknown id. */
int kfk_mock_set_down(kfk_mock *m, int32_t broker_id, int down);
int kfk_mock_is_down(const kfk_mock *m, int32_t broker_id);
/* Delays each answer of the broker by rtt_ms (0: none); the I/O layer
 * applies it. Returns 0 or -1 for an unknown id. */
int kfk_mock_set_rtt(kfk_mock *m, int32_t broker_id, int32_t rtt_ms);
int32_t kfk_mock_rtt(const kfk_mock *m, int32_t broker_id);
/* Moves a partition's leadership to broker_id (bumps its leader epoch). */
int kfk_mock_set_leader(kfk_mock *m, const char *topic, int32_t partition, int32_t broker_id);
/* The partition's log loses its offsets from offset on (from the base of
 * the batch holding offset) and a new leader epoch starts at its new end,
 * as an unclean leader election leaves it; producers' sequences and
 * transactions are rebuilt from the batches left (truncate.c). 0, or -1 for an unknown
 * partition, an offset outside log start..high watermark, or no memory. */
int kfk_mock_truncate(kfk_mock *m, const char *topic, int32_t partition, int64_t offset);
/* Makes broker_id (which need not exist; -1: none) the partition's
 * follower: its leader names it as the preferred read replica to clients
 * of its rack, and it serves Fetch within its own watermarks. A broker of
 * the cluster joins the replicas if it was not one. 0 or -1. */
int kfk_mock_set_follower(kfk_mock *m, const char *topic, int32_t partition, int32_t broker_id);
/* The follower's log start (lo) and high watermark (hi); -1: the leader's.
 * 0, or -1 for an unknown partition or lo > hi. */
int kfk_mock_set_follower_wmarks(kfk_mock *m, const char *topic, int32_t partition, int64_t lo,
                                 int64_t hi);
/* The next request of api_key on broker_id (-1: any) fails with err (0:
 * none) and its answer goes out rtt_ms late. */
int kfk_mock_push_error_rtt(kfk_mock *m, int32_t broker_id, int16_t api_key, int16_t err, int32_t rtt_ms);
/* How many requests of api_key the errors pushed for broker_id (-1: for
 * any broker) still fail. */
int32_t kfk_mock_error_count(const kfk_mock *m, int32_t broker_id, int16_t api_key);
/* The delay of the error the last request took (0: none), reset. */
int32_t kfk_mock_take_delay(kfk_mock *m);
/* ApiVersions lists api_key with versions min..max (clipped to what the
 * mock serves), and other versions are refused; min or max < 0: the API is
 * neither listed nor served. 0, or -1 for an unknown key. */
int kfk_mock_set_api_versions(kfk_mock *m, int16_t api_key, int16_t min, int16_t max);
/* Metadata names rack for the broker (NULL: none). 0 or -1. */
int kfk_mock_set_rack(kfk_mock *m, int32_t broker_id, const char *rack);
/* Metadata answers err for the topic (0: none again), created if absent. */
int kfk_mock_set_topic_error(kfk_mock *m, const char *topic, int16_t err);
/* Produce answers MESSAGE_TOO_LARGE for the topic's batches longer than
 * max_bytes (0: any length). 0, or -1 for an unknown topic. */
int kfk_mock_set_max_message_bytes(kfk_mock *m, const char *topic, int32_t max_bytes);
/* Moves the coordinator of a group (key_type 0) or transactional id (1)
 * to broker_id; its state stays. 0, or -1 for an unknown broker or type. */
int kfk_mock_set_coordinator(kfk_mock *m, int8_t key_type, const char *key, int32_t broker_id);
/* The partition's [log start, high watermark), or -1 if unknown. */
int kfk_mock_offsets(const kfk_mock *m, const char *topic, int32_t partition, int64_t *start,
                     int64_t *hw);
/* The fetch sessions the broker holds, or -1 for an unknown id. */
int kfk_mock_session_count(const kfk_mock *m, int32_t broker_id);

#endif
