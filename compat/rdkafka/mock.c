/* librdkafka's mock cluster on kfk's (include/kfk_mock.h): each call is
 * mapped onto its kfk_mock counterpart.
 * test.mock.num.brokers gives a handle a cluster of its own. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "kfk_mock.h"
#include "rdk_int.h"
#include "librdkafka/rdkafka_mock.h"

struct rd_kafka_mock_cluster_s {
    kfk_mock_cluster *mc;
    rd_kafka_t *rk; /* the handle it was made for (librdkafka's "handle") */
};

static rd_kafka_mock_cluster_t *cluster_new(rd_kafka_t *rk, int broker_cnt) {
    rd_kafka_mock_cluster_t *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->mc = kfk_mock_cluster_new(broker_cnt);
    if (!m->mc) {
        free(m);
        return NULL;
    }
    m->rk = rk;
    return m;
}

rd_kafka_mock_cluster_t *rd_kafka_mock_cluster_new(rd_kafka_t *rk, int broker_cnt) {
    return cluster_new(rk, broker_cnt);
}

void rd_kafka_mock_cluster_destroy(rd_kafka_mock_cluster_t *mcluster) {
    if (!mcluster) return;
    kfk_mock_cluster_destroy(mcluster->mc);
    free(mcluster);
}

rd_kafka_t *rd_kafka_mock_cluster_handle(const rd_kafka_mock_cluster_t *mcluster) {
    return mcluster ? mcluster->rk : NULL;
}

rd_kafka_mock_cluster_t *rd_kafka_handle_mock_cluster(const rd_kafka_t *rk) {
    return rk ? rk->mock : NULL;
}

const char *rd_kafka_mock_cluster_bootstraps(const rd_kafka_mock_cluster_t *mcluster) {
    return mcluster ? kfk_mock_cluster_bootstraps(mcluster->mc) : NULL;
}

int rdk_mock_for_handle(rd_kafka_t *rk, kfk_conf *kc, char *errstr, size_t errstr_size) {
    int n = atoi(rdk_conf_str(rk->conf, "test.mock.num.brokers"));
    if (n <= 0) return 0;
    rk->mock = cluster_new(rk, n);
    if (!rk->mock) {
        snprintf(errstr, errstr_size, "Failed to create mock cluster of %d brokers", n);
        return -1;
    }
    int rtt = atoi(rdk_conf_str(rk->conf, "test.mock.broker.rtt"));
    for (int b = 1; rtt > 0 && b <= n; b++) kfk_mock_broker_set_rtt(rk->mock->mc, b, rtt);
    /* As librdkafka: the mock's brokers replace bootstrap.servers. */
    return kfk_conf_set(kc, "bootstrap.servers", kfk_mock_cluster_bootstraps(rk->mock->mc), errstr,
                        errstr_size)
               ? -1
               : 0;
}

void rdk_mock_adopt(rd_kafka_t *rk) {
    if (rk->mock)
        rd_kafka_conf_set(rk->conf, "bootstrap.servers", kfk_mock_cluster_bootstraps(rk->mock->mc),
                          NULL, 0);
}

void rdk_mock_release(rd_kafka_t *rk) {
    rd_kafka_mock_cluster_destroy(rk->mock);
    rk->mock = NULL;
}

/* Cluster-wide (any broker), as librdkafka's request error stacks. */
void rd_kafka_mock_clear_request_errors(rd_kafka_mock_cluster_t *mcluster, int16_t ApiKey) {
    if (mcluster) kfk_mock_clear_request_errors(mcluster->mc, -1, ApiKey);
}

void rd_kafka_mock_push_request_errors_array(rd_kafka_mock_cluster_t *mcluster, int16_t ApiKey,
                                             size_t cnt, const rd_kafka_resp_err_t *errors) {
    /* One request each, in order: kfk_mock's queue is first in, first out. */
    for (size_t i = 0; mcluster && i < cnt; i++)
        kfk_mock_push_request_errors(mcluster->mc, -1, ApiKey, 1, (int)errors[i]);
}

void rd_kafka_mock_push_request_errors(rd_kafka_mock_cluster_t *mcluster, int16_t ApiKey,
                                       size_t cnt, ...) {
    va_list ap;
    va_start(ap, cnt);
    for (size_t i = 0; i < cnt; i++) {
        rd_kafka_resp_err_t e = va_arg(ap, rd_kafka_resp_err_t);
        rd_kafka_mock_push_request_errors_array(mcluster, ApiKey, 1, &e);
    }
    va_end(ap);
}

/* cnt pairs (error, round trip in ms) for one broker's next requests. */
rd_kafka_resp_err_t rd_kafka_mock_broker_push_request_error_rtts(
    rd_kafka_mock_cluster_t *mcluster, int32_t broker_id, int16_t ApiKey, size_t cnt, ...) {
    if (!mcluster) return RD_KAFKA_RESP_ERR__INVALID_ARG;
    if (kfk_mock_request_errors_count(mcluster->mc, broker_id, ApiKey) < 0)
        return RD_KAFKA_RESP_ERR__UNKNOWN_BROKER;
    va_list ap;
    va_start(ap, cnt);
    rd_kafka_resp_err_t rc = RD_KAFKA_RESP_ERR_NO_ERROR;
    for (size_t i = 0; i < cnt; i++) {
        rd_kafka_resp_err_t e = va_arg(ap, rd_kafka_resp_err_t);
        int rtt = va_arg(ap, int);
        if (!rc && kfk_mock_push_request_error_rtt(mcluster->mc, broker_id, ApiKey, (int)e, rtt))
            rc = RD_KAFKA_RESP_ERR__INVALID_ARG; /* an unknown API, or too many queued */
    }
    va_end(ap);
    return rc;
}

rd_kafka_resp_err_t rd_kafka_mock_broker_error_stack_cnt(rd_kafka_mock_cluster_t *mcluster,
                                                         int32_t broker_id, int16_t ApiKey,
                                                         size_t *cntp) {
    if (!mcluster || !cntp) return RD_KAFKA_RESP_ERR__INVALID_ARG;
    int n = kfk_mock_request_errors_count(mcluster->mc, broker_id, ApiKey);
    if (n < 0) return RD_KAFKA_RESP_ERR__UNKNOWN_BROKER;
    *cntp = (size_t)n;
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

void rd_kafka_mock_topic_set_error(rd_kafka_mock_cluster_t *mcluster, const char *topic,
                                   rd_kafka_resp_err_t err) {
    if (mcluster && topic) kfk_mock_topic_set_error(mcluster->mc, topic, (int)err);
}

rd_kafka_resp_err_t rd_kafka_mock_topic_create(rd_kafka_mock_cluster_t *mcluster,
                                               const char *topic, int partition_cnt,
                                               int replication_factor) {
    if (!mcluster) return RD_KAFKA_RESP_ERR__INVALID_ARG;
    return rdk_err(kfk_mock_topic_create(mcluster->mc, topic, partition_cnt, replication_factor));
}

/* kfk_mock's -1: an unknown partition, else an unknown broker. */
rd_kafka_resp_err_t rd_kafka_mock_partition_set_leader(rd_kafka_mock_cluster_t *mcluster,
                                                       const char *topic, int32_t partition,
                                                       int32_t broker_id) {
    if (!mcluster || !topic) return RD_KAFKA_RESP_ERR__INVALID_ARG;
    if (kfk_mock_partition_offsets(mcluster->mc, topic, partition, NULL, NULL))
        return RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
    return kfk_mock_partition_set_leader(mcluster->mc, topic, partition, broker_id)
               ? RD_KAFKA_RESP_ERR__UNKNOWN_BROKER
               : RD_KAFKA_RESP_ERR_NO_ERROR;
}

/* librdkafka creates a topic its follower calls name (partition + 1
 * partitions); an existing one lacking the partition: UNKNOWN_TOPIC_OR_PART. */
static rd_kafka_resp_err_t follower_part(rd_kafka_mock_cluster_t *mcluster, const char *topic,
                                         int32_t partition) {
    if (!mcluster || !topic || partition < 0) return RD_KAFKA_RESP_ERR__INVALID_ARG;
    if (!kfk_mock_partition_offsets(mcluster->mc, topic, partition, NULL, NULL))
        return RD_KAFKA_RESP_ERR_NO_ERROR;
    if (kfk_mock_topic_create(mcluster->mc, topic, partition + 1, 3))
        return RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

rd_kafka_resp_err_t rd_kafka_mock_partition_set_follower(rd_kafka_mock_cluster_t *mcluster,
                                                         const char *topic, int32_t partition,
                                                         int32_t broker_id) {
    rd_kafka_resp_err_t err = follower_part(mcluster, topic, partition);
    if (err) return err;
    return kfk_mock_partition_set_follower(mcluster->mc, topic, partition, broker_id)
               ? RD_KAFKA_RESP_ERR__INVALID_ARG
               : RD_KAFKA_RESP_ERR_NO_ERROR;
}

rd_kafka_resp_err_t rd_kafka_mock_partition_set_follower_wmarks(
    rd_kafka_mock_cluster_t *mcluster, const char *topic, int32_t partition, int64_t lo,
    int64_t hi) {
    rd_kafka_resp_err_t err = follower_part(mcluster, topic, partition);
    if (err) return err;
    return kfk_mock_partition_set_follower_wmarks(mcluster->mc, topic, partition, lo, hi)
               ? RD_KAFKA_RESP_ERR__INVALID_ARG
               : RD_KAFKA_RESP_ERR_NO_ERROR;
}

static rd_kafka_resp_err_t broker_result(int rc) {
    return rc ? RD_KAFKA_RESP_ERR__UNKNOWN_BROKER : RD_KAFKA_RESP_ERR_NO_ERROR;
}

rd_kafka_resp_err_t rd_kafka_mock_broker_set_down(rd_kafka_mock_cluster_t *mcluster,
                                                  int32_t broker_id) {
    if (!mcluster) return RD_KAFKA_RESP_ERR__INVALID_ARG;
    return broker_result(kfk_mock_broker_down(mcluster->mc, broker_id));
}

rd_kafka_resp_err_t rd_kafka_mock_broker_set_up(rd_kafka_mock_cluster_t *mcluster,
                                                int32_t broker_id) {
    if (!mcluster) return RD_KAFKA_RESP_ERR__INVALID_ARG;
    return broker_result(kfk_mock_broker_up(mcluster->mc, broker_id));
}

rd_kafka_resp_err_t rd_kafka_mock_broker_set_rtt(rd_kafka_mock_cluster_t *mcluster,
                                                 int32_t broker_id, int rtt_ms) {
    if (!mcluster || rtt_ms < 0) return RD_KAFKA_RESP_ERR__INVALID_ARG;
    return broker_result(kfk_mock_broker_set_rtt(mcluster->mc, broker_id, rtt_ms));
}

rd_kafka_resp_err_t rd_kafka_mock_broker_set_rack(rd_kafka_mock_cluster_t *mcluster,
                                                  int32_t broker_id, const char *rack) {
    if (!mcluster) return RD_KAFKA_RESP_ERR__INVALID_ARG;
    return broker_result(kfk_mock_broker_set_rack(mcluster->mc, broker_id, rack));
}

/* key_type as librdkafka spells it: "group" or "transaction". */
rd_kafka_resp_err_t rd_kafka_mock_coordinator_set(rd_kafka_mock_cluster_t *mcluster,
                                                  const char *key_type, const char *key,
                                                  int32_t broker_id) {
    if (!mcluster || !key_type || !key) return RD_KAFKA_RESP_ERR__INVALID_ARG;
    int type = !strcmp(key_type, "group") ? KFK_MOCK_COORD_GROUP
             : !strcmp(key_type, "transaction") ? KFK_MOCK_COORD_TXN
                                                 : -1;
    if (type < 0) return RD_KAFKA_RESP_ERR__INVALID_ARG;
    return broker_result(kfk_mock_coordinator_set(mcluster->mc, type, key, broker_id));
}

/* MinVersion or MaxVersion -1: the API is not served (as librdkafka's). */
rd_kafka_resp_err_t rd_kafka_mock_set_apiversion(rd_kafka_mock_cluster_t *mcluster,
                                                 int16_t ApiKey, int16_t MinVersion,
                                                 int16_t MaxVersion) {
    if (!mcluster) return RD_KAFKA_RESP_ERR__INVALID_ARG;
    return kfk_mock_api_set_versions(mcluster->mc, ApiKey, MinVersion, MaxVersion)
               ? RD_KAFKA_RESP_ERR__INVALID_ARG
               : RD_KAFKA_RESP_ERR_NO_ERROR;
}
