/* A mock Kafka cluster for applications' tests: brokers in the calling
 * process, each on a loopback port, served by one thread of their own.
 * They speak Kafka's protocol, so any client can connect: see docs/MOCK.md
 * for what the mock implements. All functions are safe from any thread. */
#ifndef KFK_MOCK_CLUSTER_H
#define KFK_MOCK_CLUSTER_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kfk_mock_cluster kfk_mock_cluster;

/* nbrokers brokers (ids 1..nbrokers) on free loopback ports. NULL if
 * nbrokers is outside 1..64, or a port cannot be bound. */
kfk_mock_cluster *kfk_mock_cluster_new(int nbrokers);
/* The same on base_port, base_port+1, ... (base_port 0: free ports). */
kfk_mock_cluster *kfk_mock_cluster_new_port(int nbrokers, int base_port);
/* "127.0.0.1:P1,127.0.0.1:P2,...", owned by the cluster (NULL for NULL). */
const char *kfk_mock_cluster_bootstraps(const kfk_mock_cluster *c);
/* Stops the brokers (connections close) and frees everything. NULL is a no-op. */
void kfk_mock_cluster_destroy(kfk_mock_cluster *c);

/* Creates a topic; replication is capped to the broker count. Returns 0 or
 * a kfk_err: KFK_ERR_TOPIC_ALREADY_EXISTS, KFK_ERR_INVALID_PARTITIONS,
 * KFK_ERR_INVALID_REPLICATION_FACTOR (below 1), KFK_ERR_INVALID_TOPIC_EXCEPTION
 * (not a legal name), KFK_ERR_INVALID_ARG (c or topic NULL). */
int kfk_mock_topic_create(kfk_mock_cluster *c, const char *topic, int partitions, int replication);

/* Fault injection. Each returns 0, or -1 for an unknown broker, API or
 * partition (or c NULL). */
/* The next `count` requests of api_key (KFK_API_* numbering, Kafka's) that
 * broker_id receives (-1: any broker) are answered with the Kafka error
 * code err in every topic or partition they name. */
int kfk_mock_push_request_errors(kfk_mock_cluster *c, int broker_id, int16_t api_key, int count,
                                 int err);
/* Drops the errors pushed for api_key and not used yet: those for broker_id
 * (-1: all of them, whichever broker they were pushed for). */
void kfk_mock_clear_request_errors(kfk_mock_cluster *c, int broker_id, int16_t api_key);
/* Down: the broker's connections close and it refuses new ones until up;
 * Metadata still lists it and it keeps its leaderships. */
int kfk_mock_broker_down(kfk_mock_cluster *c, int broker_id);
int kfk_mock_broker_up(kfk_mock_cluster *c, int broker_id);
/* Every answer of the broker goes out rtt_ms after it was ready (0: at
 * once), and the connection reads its next request only then. */
int kfk_mock_broker_set_rtt(kfk_mock_cluster *c, int broker_id, int rtt_ms);
/* Moves a partition's leadership (its leader epoch grows). */
int kfk_mock_partition_set_leader(kfk_mock_cluster *c, const char *topic, int partition,
                                  int broker_id);
/* A partition's log start offset and high watermark. */
int kfk_mock_partition_offsets(kfk_mock_cluster *c, const char *topic, int partition,
                               int64_t *log_start, int64_t *high_watermark);
/* How many fetch sessions (KIP-227) the broker holds, -1 for no such
 * broker. */
int kfk_mock_fetch_sessions(kfk_mock_cluster *c, int broker_id);

#ifdef __cplusplus
}
#endif

#endif
