/* A handle's queues without a broker (bootstrap at a closed port): main,
 * consumer, background and log queues, and admin calls refused locally,
 * whose result events need no broker, reaching queues, the io fd and the
 * background event callback. */
#include <librdkafka/rdkafka.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

static rd_kafka_t *handle(rd_kafka_type_t type, const char *k, const char *v,
                          void (*bg)(rd_kafka_t *, rd_kafka_event_t *, void *)) {
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", "127.0.0.1:9", errstr, sizeof(errstr));
    if (k) rd_kafka_conf_set(conf, k, v, errstr, sizeof(errstr));
    if (bg) rd_kafka_conf_set_background_event_cb(conf, bg);
    rd_kafka_t *rk = rd_kafka_new(type, conf, errstr, sizeof(errstr));
    if (!rk) {
        kfk_test_fail(__FILE__, __LINE__, "rd_kafka_new: %s", errstr);
        rd_kafka_conf_destroy(conf);
    }
    return rk;
}

/* The main queue also carries the refused connection's error events (as
 * librdkafka's does), posted by the I/O thread in any order relative to a
 * result: skips them, checking that they are only those, for the next
 * other event. */
static rd_kafka_event_t *poll_past_broker_errors(rd_kafka_queue_t *q) {
    rd_kafka_event_t *ev;
    while ((ev = rd_kafka_queue_poll(q, 60000)) &&
           rd_kafka_event_type(ev) == RD_KAFKA_EVENT_ERROR) {
        rd_kafka_resp_err_t err = rd_kafka_event_error(ev);
        CHECK(err == RD_KAFKA_RESP_ERR__TRANSPORT || err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN);
        CHECK(strstr(rd_kafka_event_error_string(ev), "brokers are down") ||
              strstr(rd_kafka_event_error_string(ev), "127.0.0.1:9"));
        rd_kafka_event_destroy(ev);
    }
    return ev;
}

TEST(main_consumer_and_log_queues) {
    rd_kafka_t *rk = handle(RD_KAFKA_PRODUCER, NULL, NULL, NULL);
    REQUIRE(rk != NULL);
    rd_kafka_queue_t *a = rd_kafka_queue_get_main(rk), *b = rd_kafka_queue_get_main(rk);
    CHECK(a != NULL && a == b);
    CHECK(rd_kafka_queue_get_consumer(rk) == NULL); /* a producer has none */
    CHECK_EQ(rd_kafka_set_log_queue(rk, NULL), RD_KAFKA_RESP_ERR__NOT_CONFIGURED);
    rd_kafka_queue_destroy(a);
    rd_kafka_queue_destroy(b);
    rd_kafka_destroy(rk);

    rk = handle(RD_KAFKA_PRODUCER, "log.queue", "true", NULL);
    REQUIRE(rk != NULL);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    CHECK_EQ(rd_kafka_set_log_queue(rk, q), RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(rd_kafka_set_log_queue(rk, NULL), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);

    rk = handle(RD_KAFKA_CONSUMER, "group.id", "g", NULL);
    REQUIRE(rk != NULL);
    q = rd_kafka_queue_get_consumer(rk);
    CHECK(q != NULL);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
}

TEST(local_admin_failure_on_a_queue_and_its_fd) {
    rd_kafka_t *rk = handle(RD_KAFKA_PRODUCER, NULL, NULL, NULL);
    REQUIRE(rk != NULL);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    rd_kafka_queue_io_event_enable(q, fds[1], "x", 1);
    int tag;
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_ANY);
    rd_kafka_AdminOptions_set_opaque(o, &tag);
    rd_kafka_DeleteTopics(rk, NULL, 0, o, q);
    rd_kafka_AdminOptions_destroy(o);
    struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
    CHECK_EQ(poll(&pfd, 1, 60000), 1);
    char c;
    CHECK_EQ(read(fds[0], &c, 1), 1);
    CHECK_EQ(rd_kafka_queue_length(q), 1);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 0);
    REQUIRE(ev != NULL);
    CHECK_EQ(rd_kafka_event_type(ev), RD_KAFKA_EVENT_DELETETOPICS_RESULT);
    CHECK(rd_kafka_event_DeleteTopics_result(ev) != NULL);
    CHECK(rd_kafka_event_opaque(ev) == &tag);
    CHECK_EQ(rd_kafka_event_error(ev), RD_KAFKA_RESP_ERR__INVALID_ARG);
    CHECK_STR(rd_kafka_event_error_string(ev), "No topics to delete");
    size_t cnt = 99;
    rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &cnt);
    CHECK_EQ(cnt, 0);
    rd_kafka_event_destroy(ev);

    /* a NULL queue: the main queue */
    rd_kafka_ConfigResource_t *r[2] = {rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_BROKER, "x"),
                                       rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, "t")};
    rd_kafka_DescribeConfigs(rk, r, 2, NULL, NULL);
    rd_kafka_ConfigResource_destroy_array(r, 2);
    rd_kafka_queue_t *mq = rd_kafka_queue_get_main(rk);
    ev = poll_past_broker_errors(mq);
    REQUIRE(ev != NULL);
    CHECK_EQ(rd_kafka_event_type(ev), RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT);
    CHECK_EQ(rd_kafka_event_error(ev), RD_KAFKA_RESP_ERR__INVALID_ARG);
    CHECK_STR(rd_kafka_event_error_string(ev),
              "Expected an int32 broker_id for ConfigResource(type=BROKER, name=x)");
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(mq);

    rd_kafka_queue_destroy(q);
    close(fds[0]);
    close(fds[1]);
    rd_kafka_destroy(rk);
}

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int events;
    rd_kafka_event_type_t type;
    pthread_t thread;
} bg = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0};

static void on_background(rd_kafka_t *rk, rd_kafka_event_t *rkev, void *opaque) {
    (void)rk;
    (void)opaque;
    pthread_mutex_lock(&bg.lock);
    bg.events++;
    bg.type = rd_kafka_event_type(rkev);
    bg.thread = pthread_self();
    pthread_cond_broadcast(&bg.cond);
    pthread_mutex_unlock(&bg.lock);
    rd_kafka_event_destroy(rkev);
}

TEST(background_event_callback) {
    int before = rd_kafka_thread_cnt();
    rd_kafka_t *rk = handle(RD_KAFKA_PRODUCER, NULL, NULL, on_background);
    REQUIRE(rk != NULL);
    CHECK(rd_kafka_thread_cnt() > before);
    rd_kafka_queue_t *q = rd_kafka_queue_get_background(rk);
    REQUIRE(q != NULL);
    rd_kafka_queue_t *q2 = rd_kafka_queue_get_background(rk);
    CHECK(q2 == q);
    rd_kafka_queue_destroy(q2);
    rd_kafka_CreatePartitions(rk, NULL, 0, NULL, q);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 60;
    pthread_mutex_lock(&bg.lock);
    while (bg.events == 0 && pthread_cond_timedwait(&bg.cond, &bg.lock, &until) == 0) {
    }
    CHECK_EQ(bg.events, 1);
    CHECK_EQ(bg.type, RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT);
    CHECK(!pthread_equal(bg.thread, pthread_self()));
    pthread_mutex_unlock(&bg.lock);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
    CHECK_EQ(rd_kafka_thread_cnt(), before);
}
