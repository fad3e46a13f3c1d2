/* librdkafka's mock cluster: kfk has none (its tests use real brokers), so
 * no cluster is ever created and every call on one is refused. */
#include "rdk_int.h"
#include "librdkafka/rdkafka_mock.h"

rd_kafka_mock_cluster_t *rd_kafka_mock_cluster_new(rd_kafka_t *rk, int broker_cnt) {
    (void)rk, (void)broker_cnt;
    return NULL;
}

void rd_kafka_mock_cluster_destroy(rd_kafka_mock_cluster_t *mcluster) { (void)mcluster; }

rd_kafka_t *rd_kafka_mock_cluster_handle(const rd_kafka_mock_cluster_t *mcluster) {
    (void)mcluster;
    return NULL;
}

rd_kafka_mock_cluster_t *rd_kafka_handle_mock_cluster(const rd_kafka_t *rk) {
    (void)rk;
    return NULL;
}

const char *rd_kafka_mock_cluster_bootstraps(const rd_kafka_mock_cluster_t *mcluster) {
    (void)mcluster;
    return NULL;
}

void rd_kafka_mock_clear_request_errors(rd_kafka_mock_cluster_t *mcluster, int16_t ApiKey) {
    (void)mcluster, (void)ApiKey;
}

void rd_kafka_mock_push_request_errors(rd_kafka_mock_cluster_t *mcluster, int16_t ApiKey,
                                       size_t cnt, ...) {
    (void)mcluster, (void)ApiKey, (void)cnt;
}

void rd_kafka_mock_push_request_errors_array(rd_kafka_mock_cluster_t *mcluster, int16_t ApiKey,
                                             size_t cnt, const rd_kafka_resp_err_t *errors) {
    (void)mcluster, (void)ApiKey, (void)cnt, (void)errors;
}

rd_kafka_resp_err_t rd_kafka_mock_broker_push_request_error_rtts(
    rd_kafka_mock_cluster_t *mcluster, int32_t broker_id, int16_t ApiKey, size_t cnt, ...) {
    (void)mcluster, (void)broker_id, (void)ApiKey, (void)cnt;
    return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
}

rd_kafka_resp_err_t rd_kafka_mock_broker_error_stack_cnt(rd_kafka_mock_cluster_t *mcluster,
                                                         int32_t broker_id, int16_t ApiKey,
                                                         size_t *cntp) {
    (void)mcluster, (void)broker_id, (void)ApiKey, (void)cntp;
    return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
}

void rd_kafka_mock_topic_set_error(rd_kafka_mock_cluster_t *mcluster, const char *topic,
                                   rd_kafka_resp_err_t err) {
    (void)mcluster, (void)topic, (void)err;
}

rd_kafka_resp_err_t rd_kafka_mock_topic_create(rd_kafka_mock_cluster_t *mcluster,
                                               const char *topic, int partition_cnt,
                                               int replication_factor) {
    (void)mcluster, (void)topic, (void)partition_cnt, (void)replication_factor;
    return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
}

rd_kafka_resp_err_t rd_kafka_mock_partition_set_leader(rd_kafka_mock_cluster_t *mcluster,
                                                       const char *topic, int32_t partition,
                                                       int32_t broker_id) {
    (void)mcluster, (void)topic, (void)partition, (void)broker_id;
    return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
}

rd_kafka_resp_err_t rd_kafka_mock_partition_set_follower(rd_kafka_mock_cluster_t *mcluster,
                                                         const char *topic, int32_t partition,
                                                         int32_t broker_id) {
    (void)mcluster, (void)topic, (void)partition, (void)broker_id;
    return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
}

rd_kafka_resp_err_t rd_kafka_mock_partition_set_follower_wmarks(
    rd_kafka_mock_cluster_t *mcluster, const char *topic, int32_t partition, int64_t lo,
    int64_t hi) {
    (void)mcluster, (void)topic, (void)partition, (void)lo, (void)hi;
    return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
}

rd_kafka_resp_err_t rd_kafka_mock_broker_set_down(rd_kafka_mock_cluster_t *mcluster,
                                                  int32_t broker_id) {
    (void)mcluster, (void)broker_id;
    return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
}

rd_kafka_resp_err_t rd_kafka_mock_broker_set_up(rd_kafka_mock_cluster_t *mcluster,
                                                int32_t broker_id) {
    (void)mcluster, (void)broker_id;
    return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
}

rd_kafka_resp_err_t rd_kafka_mock_broker_set_rtt(rd_kafka_mock_cluster_t *mcluster,
                                                 int32_t broker_id, int rtt_ms) {
    (void)mcluster, (void)broker_id, (void)rtt_ms;
    return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
}

rd_kafka_resp_err_t rd_kafka_mock_broker_set_rack(rd_kafka_mock_cluster_t *mcluster,
                                                  int32_t broker_id, const char *rack) {
    (void)mcluster, (void)broker_id, (void)rack;
    return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
}

rd_kafka_resp_err_t rd_kafka_mock_coordinator_set(rd_kafka_mock_cluster_t *mcluster,
                                                  const char *key_type, const char *key,
                                                  int32_t broker_id) {
    (void)mcluster, (void)key_type, (void)key, (void)broker_id;
    return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
}

rd_kafka_resp_err_t rd_kafka_mock_set_apiversion(rd_kafka_mock_cluster_t *mcluster,
                                                 int16_t ApiKey, int16_t MinVersion,
                                                 int16_t MaxVersion) {
    (void)mcluster, (void)ApiKey, (void)MinVersion, (void)MaxVersion;
    return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
}
