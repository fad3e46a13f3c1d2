/* librdkafka's mock-cluster API (2.0.2), for programs built with it.
 *
 * The calls map onto kfk's mock cluster (include/kfk_mock.h, docs/MOCK.md):
 * brokers in this process on loopback ports that any client can reach. */
#ifndef KFK_RDKAFKA_MOCK_H
#define KFK_RDKAFKA_MOCK_H

#ifndef KFK_RDKAFKA_H
#error "include librdkafka/rdkafka.h before librdkafka/rdkafka_mock.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rd_kafka_mock_cluster_s rd_kafka_mock_cluster_t;

rd_kafka_mock_cluster_t *rd_kafka_mock_cluster_new(rd_kafka_t *rk, int broker_cnt);
void rd_kafka_mock_cluster_destroy(rd_kafka_mock_cluster_t *mcluster);
rd_kafka_t *rd_kafka_mock_cluster_handle(const rd_kafka_mock_cluster_t *mcluster);
rd_kafka_mock_cluster_t *rd_kafka_handle_mock_cluster(const rd_kafka_t *rk);
const char *rd_kafka_mock_cluster_bootstraps(const rd_kafka_mock_cluster_t *mcluster);

void rd_kafka_mock_clear_request_errors(rd_kafka_mock_cluster_t *mcluster, int16_t ApiKey);
/* cnt rd_kafka_resp_err_t arguments follow. */
void rd_kafka_mock_push_request_errors(rd_kafka_mock_cluster_t *mcluster, int16_t ApiKey,
                                       size_t cnt, ...);
void rd_kafka_mock_push_request_errors_array(rd_kafka_mock_cluster_t *mcluster, int16_t ApiKey,
                                             size_t cnt, const rd_kafka_resp_err_t *errors);
/* cnt pairs of (rd_kafka_resp_err_t, int rtt_ms) follow. */
rd_kafka_resp_err_t rd_kafka_mock_broker_push_request_error_rtts(
    rd_kafka_mock_cluster_t *mcluster, int32_t broker_id, int16_t ApiKey, size_t cnt, ...);
rd_kafka_resp_err_t rd_kafka_mock_broker_error_stack_cnt(rd_kafka_mock_cluster_t *mcluster,
                                                         int32_t broker_id, int16_t ApiKey,
                                                         size_t *cntp);
void rd_kafka_mock_topic_set_error(rd_kafka_mock_cluster_t *mcluster, const char *topic,
                                   rd_kafka_resp_err_t err);
rd_kafka_resp_err_t rd_kafka_mock_topic_create(rd_kafka_mock_cluster_t *mcluster,
                                               const char *topic, int partition_cnt,
                                               int replication_factor);
rd_kafka_resp_err_t rd_kafka_mock_partition_set_leader(rd_kafka_mock_cluster_t *mcluster,
                                                       const char *topic, int32_t partition,
                                                       int32_t broker_id);
rd_kafka_resp_err_t rd_kafka_mock_partition_set_follower(rd_kafka_mock_cluster_t *mcluster,
                                                         const char *topic, int32_t partition,
                                                         int32_t broker_id);
rd_kafka_resp_err_t rd_kafka_mock_partition_set_follower_wmarks(
    rd_kafka_mock_cluster_t *mcluster, const char *topic, int32_t partition, int64_t lo,
    int64_t hi);
rd_kafka_resp_err_t rd_kafka_mock_broker_set_down(rd_kafka_mock_cluster_t *mcluster,
                                                  int32_t broker_id);
rd_kafka_resp_err_t rd_kafka_mock_broker_set_up(rd_kafka_mock_cluster_t *mcluster,
                                                int32_t broker_id);
rd_kafka_resp_err_t rd_kafka_mock_broker_set_rtt(rd_kafka_mock_cluster_t *mcluster,
                                                 int32_t broker_id, int rtt_ms);
rd_kafka_resp_err_t rd_kafka_mock_broker_set_rack(rd_kafka_mock_cluster_t *mcluster,
                                                  int32_t broker_id, const char *rack);
/* key_type "transaction" or "group". */
rd_kafka_resp_err_t rd_kafka_mock_coordinator_set(rd_kafka_mock_cluster_t *mcluster,
                                                  const char *key_type, const char *key,
                                                  int32_t broker_id);
rd_kafka_resp_err_t rd_kafka_mock_set_apiversion(rd_kafka_mock_cluster_t *mcluster,
                                                 int16_t ApiKey, int16_t MinVersion,
                                                 int16_t MaxVersion);

#ifdef __cplusplus
}
#endif

#endif
