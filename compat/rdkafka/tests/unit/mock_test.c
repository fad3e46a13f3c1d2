/* The mock-cluster calls: no cluster is created, and calls on one are
 * refused with RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED or do nothing. */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "test.h"

TEST(no_mock_cluster) {
    CHECK(rd_kafka_mock_cluster_new(NULL, 3) == NULL);
    CHECK(rd_kafka_handle_mock_cluster(NULL) == NULL);
    CHECK(rd_kafka_mock_cluster_handle(NULL) == NULL);
    CHECK(rd_kafka_mock_cluster_bootstraps(NULL) == NULL);
    rd_kafka_mock_cluster_destroy(NULL);
}

TEST(calls_on_a_mock_cluster_are_refused) {
    const rd_kafka_resp_err_t ni = RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
    rd_kafka_resp_err_t errs[1] = {RD_KAFKA_RESP_ERR_NOT_COORDINATOR};
    size_t cnt = 7;
    rd_kafka_mock_clear_request_errors(NULL, 0);
    rd_kafka_mock_push_request_errors(NULL, 0, 1, RD_KAFKA_RESP_ERR_NOT_COORDINATOR);
    rd_kafka_mock_push_request_errors_array(NULL, 0, 1, errs);
    rd_kafka_mock_topic_set_error(NULL, "t", RD_KAFKA_RESP_ERR_NOT_COORDINATOR);
    CHECK_EQ(rd_kafka_mock_broker_push_request_error_rtts(NULL, 1, 0, 1,
                                                          RD_KAFKA_RESP_ERR_NOT_COORDINATOR, 10),
             ni);
    CHECK_EQ(rd_kafka_mock_broker_error_stack_cnt(NULL, 1, 0, &cnt), ni);
    CHECK_EQ(cnt, 7);
    CHECK_EQ(rd_kafka_mock_topic_create(NULL, "t", 3, 1), ni);
    CHECK_EQ(rd_kafka_mock_partition_set_leader(NULL, "t", 0, 1), ni);
    CHECK_EQ(rd_kafka_mock_partition_set_follower(NULL, "t", 0, 1), ni);
    CHECK_EQ(rd_kafka_mock_partition_set_follower_wmarks(NULL, "t", 0, 0, 10), ni);
    CHECK_EQ(rd_kafka_mock_broker_set_down(NULL, 1), ni);
    CHECK_EQ(rd_kafka_mock_broker_set_up(NULL, 1), ni);
    CHECK_EQ(rd_kafka_mock_broker_set_rtt(NULL, 1, 10), ni);
    CHECK_EQ(rd_kafka_mock_broker_set_rack(NULL, 1, "r"), ni);
    CHECK_EQ(rd_kafka_mock_coordinator_set(NULL, "group", "g", 1), ni);
    CHECK_EQ(rd_kafka_mock_set_apiversion(NULL, 0, 0, 3), ni);
}
