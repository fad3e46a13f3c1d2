/* librdkafka's mock-cluster calls on kfk's mock cluster: a cluster made by
 * rd_kafka_mock_cluster_new and one made for a handle by
 * test.mock.num.brokers; a producer and a consumer through them with exact
 * content; injected Produce errors retried, or cleared before use;
 * coordinator moves, topic errors, per-broker errors with round trips and
 * their count, API version limits and racks; the calls without a kfk
 * counterpart refused. No broker needed. */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "test.h"

#define API_PRODUCE 0

typedef struct reports {
    int ok, errors;
    rd_kafka_resp_err_t last_err;
} reports;

static void on_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    reports *r = opaque;
    (void)rk;
    if (m->err) {
        r->errors++;
        r->last_err = m->err;
    } else {
        r->ok++;
    }
}

/* A handle with the given properties (NULL-terminated pairs). */
static rd_kafka_t *client(rd_kafka_type_t type, const char *const *kv, reports *r) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char err[512];
    for (; kv[0]; kv += 2)
        if (rd_kafka_conf_set(conf, kv[0], kv[1], err, sizeof err) != RD_KAFKA_CONF_OK) {
            kfk_test_fail(__FILE__, __LINE__, "%s=%s: %s", kv[0], kv[1], err);
            rd_kafka_conf_destroy(conf);
            return NULL;
        }
    if (r) {
        rd_kafka_conf_set_opaque(conf, r);
        rd_kafka_conf_set_dr_msg_cb(conf, on_dr);
    }
    rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof err);
    if (!rk) {
        kfk_test_fail(__FILE__, __LINE__, "rd_kafka_new: %s", err);
        rd_kafka_conf_destroy(conf);
    }
    return rk;
}

/* Produces values "v<tag>-<i>", i in from..to-1, to partition 0 and
 * waits for them. */
static void produce(rd_kafka_t *p, const char *topic, int from, int to, int tag) {
    for (int i = from; i < to; i++) {
        char v[32];
        int vl = snprintf(v, sizeof v, "v%d-%d", tag, i);
        CHECK_EQ(rd_kafka_producev(p, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                                   RD_KAFKA_V_VALUE(v, (size_t)vl),
                                   RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
                 RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    CHECK_EQ(rd_kafka_flush(p, 20000), RD_KAFKA_RESP_ERR_NO_ERROR);
}

/* Consumes partition 0 from the start: exactly the n values of tag. */
static void consume_exact(const char *bootstrap, const char *topic, int n, int tag) {
    const char *kv[] = {"bootstrap.servers", bootstrap, "group.id", "mock-rdk", NULL};
    rd_kafka_t *c = client(RD_KAFKA_CONSUMER, kv, NULL);
    if (!c) return;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    CHECK_EQ(rd_kafka_assign(c, l), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(l);
    int got = 0, exact = 0;
    for (int idle = 0; got < n && idle < 100;) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 100);
        if (!m) {
            idle++;
            continue;
        }
        if (!m->err) {
            char v[32];
            int vl = snprintf(v, sizeof v, "v%d-%d", tag, (int)m->offset);
            exact += m->len == (size_t)vl && !memcmp(m->payload, v, (size_t)vl);
            got++;
        }
        rd_kafka_message_destroy(m);
    }
    CHECK_EQ(got, n);
    CHECK_EQ(exact, n);
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
}

TEST(a_mock_cluster_serves_a_producer_and_a_consumer_through_an_injected_error) {
    const char *none[] = {NULL};
    rd_kafka_t *h = client(RD_KAFKA_PRODUCER, none, NULL);
    REQUIRE(h);
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(h, 3);
    REQUIRE(mc);
    CHECK(rd_kafka_mock_cluster_handle(mc) == h);
    const char *bs = rd_kafka_mock_cluster_bootstraps(mc);
    REQUIRE(bs);
    CHECK(!strncmp(bs, "127.0.0.1:", 10));
    CHECK_EQ(rd_kafka_mock_topic_create(mc, "orders", 4, 3), RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(rd_kafka_mock_topic_create(mc, "orders", 4, 3), RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS);

    /* The first two Produce requests fail with a retriable error: the
     * producer retries, and every message arrives once. */
    rd_kafka_mock_push_request_errors(mc, API_PRODUCE, 2, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                                      RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION);
    reports r = {0};
    const char *kv[] = {"bootstrap.servers", bs, "retry.backoff.ms", "10", NULL};
    rd_kafka_t *p = client(RD_KAFKA_PRODUCER, kv, &r);
    REQUIRE(p);
    produce(p, "orders", 0, 10, 1);
    CHECK_EQ(r.ok, 10);
    CHECK_EQ(r.errors, 0);

    /* A non-retriable error pushed, then cleared: never used. */
    const rd_kafka_resp_err_t fatal[1] = {RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED};
    rd_kafka_mock_push_request_errors_array(mc, API_PRODUCE, 1, fatal);
    rd_kafka_mock_clear_request_errors(mc, API_PRODUCE);
    produce(p, "orders", 10, 15, 1);
    CHECK_EQ(r.ok, 15);
    CHECK_EQ(r.errors, 0);
    /* Not cleared: the message fails with it. */
    rd_kafka_mock_push_request_errors_array(mc, API_PRODUCE, 1, fatal);
    const char *v = "refused";
    CHECK_EQ(rd_kafka_producev(p, RD_KAFKA_V_TOPIC("orders"), RD_KAFKA_V_PARTITION(1),
                               RD_KAFKA_V_VALUE((void *)v, strlen(v)),
                               RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
             RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_flush(p, 20000);
    CHECK_EQ(r.errors, 1);
    CHECK_EQ(r.last_err, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    consume_exact(bs, "orders", 15, 1);

    /* Leadership, brokers and round trips: applied, or refused for an
     * unknown broker or partition. */
    CHECK_EQ(rd_kafka_mock_partition_set_leader(mc, "orders", 0, 2), RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(rd_kafka_mock_partition_set_leader(mc, "orders", 9, 2),
             RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
    CHECK_EQ(rd_kafka_mock_partition_set_leader(mc, "orders", 0, 9),
             RD_KAFKA_RESP_ERR__UNKNOWN_BROKER);
    CHECK_EQ(rd_kafka_mock_broker_set_rtt(mc, 2, 50), RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(rd_kafka_mock_broker_set_rtt(mc, 9, 50), RD_KAFKA_RESP_ERR__UNKNOWN_BROKER);
    CHECK_EQ(rd_kafka_mock_broker_set_down(mc, 3), RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(rd_kafka_mock_broker_set_up(mc, 3), RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(rd_kafka_mock_broker_set_down(mc, 9), RD_KAFKA_RESP_ERR__UNKNOWN_BROKER);
    produce(p, "orders", 15, 20, 1); /* to the new leader, 50 ms late */
    CHECK_EQ(r.ok, 20);
    consume_exact(bs, "orders", 20, 1);
    rd_kafka_destroy(p);
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(h);
}

TEST(test_mock_num_brokers_gives_a_handle_its_own_cluster) {
    reports r = {0};
    const char *kv[] = {"test.mock.num.brokers", "2", NULL};
    rd_kafka_t *p = client(RD_KAFKA_PRODUCER, kv, &r);
    REQUIRE(p);
    rd_kafka_mock_cluster_t *mc = rd_kafka_handle_mock_cluster(p);
    REQUIRE(mc);
    const char *bs = rd_kafka_mock_cluster_bootstraps(mc);
    REQUIRE(bs);
    CHECK(strchr(bs, ',') != NULL); /* two brokers */
    CHECK_EQ(rd_kafka_mock_topic_create(mc, "own", 1, 2), RD_KAFKA_RESP_ERR_NO_ERROR);
    produce(p, "own", 0, 7, 2);
    CHECK_EQ(r.ok, 7);
    consume_exact(bs, "own", 7, 2);
    rd_kafka_destroy(p); /* the cluster goes with it */
}

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The coordinator of group "cg" as rd_kafka_list_groups reports it (-1: none). */
static int32_t coordinator_of(rd_kafka_t *rk) {
    const struct rd_kafka_group_list *gl = NULL;
    int32_t id = -1;
    if (rd_kafka_list_groups(rk, "cg", &gl, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR && gl->group_cnt == 1)
        id = gl->groups[0].broker.id;
    if (gl) rd_kafka_group_list_destroy(gl);
    return id;
}

static rd_kafka_resp_err_t topic_error(rd_kafka_t *rk, const char *topic) {
    rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, t, &md, 10000);
    if (!err) err = md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR__FAIL;
    if (md) rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(t);
    return err;
}

TEST(coordinators_topic_errors_error_rtts_api_versions_and_racks) {
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(NULL, 3);
    REQUIRE(mc);
    const char *bs = rd_kafka_mock_cluster_bootstraps(mc);
    REQUIRE_EQ(rd_kafka_mock_topic_create(mc, "t", 1, 3), RD_KAFKA_RESP_ERR_NO_ERROR); /* leader: 1 */

    /* A group's coordinator moves; its committed offsets stay. */
    CHECK_EQ(rd_kafka_mock_coordinator_set(mc, "group", "cg", 2), RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(rd_kafka_mock_coordinator_set(mc, "transaction", "tx", 3), RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(rd_kafka_mock_coordinator_set(mc, "topic", "cg", 2), RD_KAFKA_RESP_ERR__INVALID_ARG);
    CHECK_EQ(rd_kafka_mock_coordinator_set(mc, "group", "cg", 9), RD_KAFKA_RESP_ERR__UNKNOWN_BROKER);
    const char *kv[] = {"bootstrap.servers", bs, "group.id", "cg", NULL};
    rd_kafka_t *c = client(RD_KAFKA_CONSUMER, kv, NULL);
    REQUIRE(c);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, "t", 0)->offset = 5;
    CHECK_EQ(rd_kafka_commit(c, l, 0), RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(coordinator_of(c), 2);
    CHECK_EQ(rd_kafka_mock_coordinator_set(mc, "group", "cg", 3), RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(coordinator_of(c), 3);
    l->elems[0].offset = -1;
    CHECK_EQ(rd_kafka_committed(c, l, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(l->elems[0].offset, 5);
    rd_kafka_topic_partition_list_destroy(l);

    /* A topic's Metadata error, and back to none. */
    CHECK_EQ(topic_error(c, "t"), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_mock_topic_set_error(mc, "t", RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    CHECK_EQ(topic_error(c, "t"), RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    rd_kafka_mock_topic_set_error(mc, "t", RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(topic_error(c, "t"), RD_KAFKA_RESP_ERR_NO_ERROR);

    /* Broker 1's next two Produce requests: a retriable error 300 ms late
     * each; counted until used. */
    size_t cnt = 9;
    CHECK_EQ(rd_kafka_mock_broker_push_request_error_rtts(mc, 1, API_PRODUCE, 2,
                                                          RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, 300,
                                                          RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, 300),
             RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(rd_kafka_mock_broker_error_stack_cnt(mc, 1, API_PRODUCE, &cnt), RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(cnt, 2);
    CHECK_EQ(rd_kafka_mock_broker_error_stack_cnt(mc, 2, API_PRODUCE, &cnt), RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(cnt, 0);
    CHECK_EQ(rd_kafka_mock_broker_error_stack_cnt(mc, 9, API_PRODUCE, &cnt), RD_KAFKA_RESP_ERR__UNKNOWN_BROKER);
    CHECK_EQ(rd_kafka_mock_broker_push_request_error_rtts(mc, 9, API_PRODUCE, 1, RD_KAFKA_RESP_ERR_NO_ERROR, 1),
             RD_KAFKA_RESP_ERR__UNKNOWN_BROKER);
    reports r = {0};
    const char *pkv[] = {"bootstrap.servers", bs, "retry.backoff.ms", "10", NULL};
    rd_kafka_t *p = client(RD_KAFKA_PRODUCER, pkv, &r);
    REQUIRE(p);
    int64_t t0 = now_ms();
    produce(p, "t", 0, 3, 3);
    CHECK(now_ms() - t0 >= 600);
    CHECK_EQ(r.ok, 3);
    CHECK_EQ(rd_kafka_mock_broker_error_stack_cnt(mc, 1, API_PRODUCE, &cnt), RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(cnt, 0);
    rd_kafka_destroy(p);

    /* DescribeGroups (15) off: a new handle cannot list groups; back on, it can. */
    CHECK_EQ(rd_kafka_mock_set_apiversion(mc, 15, -1, -1), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_t *c2 = client(RD_KAFKA_CONSUMER, kv, NULL);
    REQUIRE(c2);
    CHECK_EQ(coordinator_of(c2), -1);
    rd_kafka_destroy(c2);
    CHECK_EQ(rd_kafka_mock_set_apiversion(mc, 15, 0, 5), RD_KAFKA_RESP_ERR_NO_ERROR);
    c2 = client(RD_KAFKA_CONSUMER, kv, NULL);
    REQUIRE(c2);
    CHECK_EQ(coordinator_of(c2), 3);
    rd_kafka_destroy(c2);
    CHECK_EQ(rd_kafka_mock_set_apiversion(mc, 4000, 0, 1), RD_KAFKA_RESP_ERR__INVALID_ARG);

    /* Racks (Metadata's content: tests/unit/mock_coord_test.c). */
    CHECK_EQ(rd_kafka_mock_broker_set_rack(mc, 1, "r1"), RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(rd_kafka_mock_broker_set_rack(mc, 9, "r1"), RD_KAFKA_RESP_ERR__UNKNOWN_BROKER);
    rd_kafka_destroy(c);
    rd_kafka_mock_cluster_destroy(mc);
}

TEST(null_clusters_are_refused) {
    CHECK(rd_kafka_handle_mock_cluster(NULL) == NULL);
    CHECK(rd_kafka_mock_cluster_handle(NULL) == NULL);
    CHECK(rd_kafka_mock_cluster_bootstraps(NULL) == NULL);
    rd_kafka_mock_cluster_destroy(NULL);
    CHECK_EQ(rd_kafka_mock_topic_create(NULL, "t", 1, 1), RD_KAFKA_RESP_ERR__INVALID_ARG);
    CHECK_EQ(rd_kafka_mock_broker_set_down(NULL, 1), RD_KAFKA_RESP_ERR__INVALID_ARG);
    CHECK_EQ(rd_kafka_mock_coordinator_set(NULL, "group", "g", 1), RD_KAFKA_RESP_ERR__INVALID_ARG);
    CHECK_EQ(rd_kafka_mock_partition_set_follower(NULL, "t", 0, 1), RD_KAFKA_RESP_ERR__INVALID_ARG);
    CHECK_EQ(rd_kafka_mock_partition_set_follower_wmarks(NULL, "t", 0, 0, 1), RD_KAFKA_RESP_ERR__INVALID_ARG);
}

/* The follower calls (what a Fetch then answers: tests/unit/mock_follower_test.c). */
TEST(follower_calls_create_the_topic_and_check_their_arguments) {
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(NULL, 3);
    REQUIRE(mc);
    CHECK_EQ(rd_kafka_mock_partition_set_follower(mc, "t", 1, 2), RD_KAFKA_RESP_ERR_NO_ERROR);
    /* Created with 2 partitions: a topic that exists does not grow. */
    CHECK_EQ(rd_kafka_mock_topic_create(mc, "t", 2, 1), RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS);
    CHECK_EQ(rd_kafka_mock_partition_set_follower(mc, "t", 5, 2), RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
    CHECK_EQ(rd_kafka_mock_partition_set_follower(mc, "t", 0, 19), RD_KAFKA_RESP_ERR_NO_ERROR); /* need not exist */
    CHECK_EQ(rd_kafka_mock_partition_set_follower(mc, "t", 0, -1), RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(rd_kafka_mock_partition_set_follower(mc, "t", 0, 0), RD_KAFKA_RESP_ERR__INVALID_ARG);
    CHECK_EQ(rd_kafka_mock_partition_set_follower_wmarks(mc, "t", 0, -1, 7), RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(rd_kafka_mock_partition_set_follower_wmarks(mc, "t", 0, 8, 7), RD_KAFKA_RESP_ERR__INVALID_ARG);
    CHECK_EQ(rd_kafka_mock_partition_set_follower_wmarks(mc, "u", 0, -1, -1), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_mock_cluster_destroy(mc);
}
