/* Queues and events without a client: the queue code is compiled into this
 * test (see CMakeLists.txt) so ops can be pushed as the library does. */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "rdk_int.h"
#include "test.h"

static struct rd_kafka_op_s *op_with(rd_kafka_event_type_t type, int level) {
    struct rd_kafka_op_s *op = rdk_op_new(NULL, type);
    op->level = level;
    return op;
}

TEST(push_pop_in_order) {
    rd_kafka_queue_t *q = rdk_queue_new(NULL, RDK_Q_CUSTOM);
    REQUIRE(q != NULL);
    CHECK_EQ(rd_kafka_queue_length(q), 0);
    for (int i = 0; i < 5; i++) rdk_queue_push(q, op_with(RD_KAFKA_EVENT_LOG, i));
    CHECK_EQ(rd_kafka_queue_length(q), 5);
    for (int i = 0; i < 5; i++) {
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 0);
        REQUIRE(ev != NULL);
        CHECK_EQ(ev->level, i);
        rd_kafka_event_destroy(ev);
    }
    CHECK_EQ(rd_kafka_queue_length(q), 0);
    CHECK(rd_kafka_queue_poll(q, 0) == NULL);
    rd_kafka_queue_destroy(q);
}

TEST(poll_times_out_empty) {
    rd_kafka_queue_t *q = rdk_queue_new(NULL, RDK_Q_CUSTOM);
    CHECK(rd_kafka_queue_poll(q, 20) == NULL);
    CHECK(rd_kafka_queue_poll(q, 0) == NULL);
    rd_kafka_queue_destroy(q);
}

struct pusher {
    rd_kafka_queue_t *q;
    int yield;
};

static void *push_later(void *arg) {
    struct pusher *p = arg;
    usleep(20000);
    if (p->yield)
        rd_kafka_queue_yield(p->q);
    else
        rdk_queue_push(p->q, op_with(RD_KAFKA_EVENT_STATS, 7));
    return NULL;
}

TEST(poll_wakes_on_push_and_yield) {
    rd_kafka_queue_t *q = rdk_queue_new(NULL, RDK_Q_CUSTOM);
    struct pusher p = {q, 0};
    pthread_t t;
    pthread_create(&t, NULL, push_later, &p);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, -1);
    pthread_join(t, NULL);
    REQUIRE(ev != NULL);
    CHECK_EQ(rd_kafka_event_type(ev), RD_KAFKA_EVENT_STATS);
    CHECK_EQ(ev->level, 7);
    rd_kafka_event_destroy(ev);

    p.yield = 1;
    pthread_create(&t, NULL, push_later, &p);
    CHECK(rd_kafka_queue_poll(q, -1) == NULL);
    pthread_join(t, NULL);
    /* Yield with nobody polling: the next poll returns at once, once. */
    rd_kafka_queue_yield(q);
    CHECK(rd_kafka_queue_poll(q, -1) == NULL);
    CHECK(rd_kafka_queue_poll(q, 10) == NULL);
    rd_kafka_queue_destroy(q);
}

TEST(forward_moves_and_routes) {
    rd_kafka_queue_t *src = rdk_queue_new(NULL, RDK_Q_CUSTOM);
    rd_kafka_queue_t *dst = rdk_queue_new(NULL, RDK_Q_CUSTOM);
    rdk_queue_push(dst, op_with(RD_KAFKA_EVENT_LOG, 1));
    rdk_queue_push(src, op_with(RD_KAFKA_EVENT_LOG, 2));
    rdk_queue_push(src, op_with(RD_KAFKA_EVENT_LOG, 3));
    rd_kafka_queue_forward(src, dst);
    rdk_queue_push(src, op_with(RD_KAFKA_EVENT_LOG, 4));
    /* src's length and polls are dst's now */
    CHECK_EQ(rd_kafka_queue_length(src), 4);
    CHECK_EQ(rd_kafka_queue_length(dst), 4);
    for (int i = 1; i <= 4; i++) {
        rd_kafka_event_t *ev = rd_kafka_queue_poll(i % 2 ? dst : src, 0);
        REQUIRE(ev != NULL);
        CHECK_EQ(ev->level, i);
        rd_kafka_event_destroy(ev);
    }
    /* Forwarding holds a reference: dst outlives the application's. */
    rd_kafka_queue_destroy(dst);
    rdk_queue_push(src, op_with(RD_KAFKA_EVENT_LOG, 5));
    CHECK_EQ(rd_kafka_queue_length(src), 1);
    rd_kafka_queue_forward(src, NULL);
    CHECK_EQ(rd_kafka_queue_length(src), 0);
    rdk_queue_push(src, op_with(RD_KAFKA_EVENT_LOG, 6));
    rd_kafka_event_t *ev = rd_kafka_queue_poll(src, 0);
    REQUIRE(ev != NULL);
    CHECK_EQ(ev->level, 6);
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(src);
}

TEST(forward_chain_wakes_poller_of_end) {
    rd_kafka_queue_t *a = rdk_queue_new(NULL, RDK_Q_CUSTOM);
    rd_kafka_queue_t *b = rdk_queue_new(NULL, RDK_Q_CUSTOM);
    rd_kafka_queue_t *c = rdk_queue_new(NULL, RDK_Q_CUSTOM);
    rd_kafka_queue_forward(a, b);
    rd_kafka_queue_forward(b, c);
    struct pusher p = {a, 0};
    pthread_t t;
    pthread_create(&t, NULL, push_later, &p);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(c, -1);
    pthread_join(t, NULL);
    CHECK(ev != NULL);
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(a);
    rd_kafka_queue_destroy(b);
    rd_kafka_queue_destroy(c);
}

struct fwd_later {
    rd_kafka_queue_t *src, *dst;
};

static void *forward_then_push(void *arg) {
    struct fwd_later *f = arg;
    usleep(20000);
    rd_kafka_queue_forward(f->src, f->dst);
    rdk_queue_push(f->dst, op_with(RD_KAFKA_EVENT_LOG, 9));
    return NULL;
}

/* A poller waiting on a queue that gets forwarded follows the forward. */
TEST(poller_follows_forward) {
    rd_kafka_queue_t *src = rdk_queue_new(NULL, RDK_Q_CUSTOM);
    rd_kafka_queue_t *dst = rdk_queue_new(NULL, RDK_Q_CUSTOM);
    struct fwd_later f = {src, dst};
    pthread_t t;
    pthread_create(&t, NULL, forward_then_push, &f);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(src, 60000);
    pthread_join(t, NULL);
    REQUIRE(ev != NULL);
    CHECK_EQ(ev->level, 9);
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(src);
    rd_kafka_queue_destroy(dst);
}

TEST(refs_and_destroy_with_ops) {
    rd_kafka_queue_t *q = rdk_queue_new(NULL, RDK_Q_CUSTOM);
    CHECK(rdk_queue_ref(q) == q);
    rd_kafka_queue_destroy(q);
    /* still alive: one reference left */
    rdk_queue_push(q, op_with(RD_KAFKA_EVENT_LOG, 1));
    struct rd_kafka_op_s *op = op_with(RD_KAFKA_EVENT_LOG, 2);
    op->fac = strdup("FAC");
    op->str = strdup("line");
    op->errstr = strdup("why");
    rdk_queue_push(q, op);
    CHECK_EQ(rd_kafka_queue_length(q), 2);
    rd_kafka_queue_destroy(q); /* frees both ops (ASan checks) */
    rd_kafka_queue_destroy(NULL);
}

static int readable(int fd) {
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    return poll(&pfd, 1, 0) == 1;
}

TEST(io_event_once_per_serve) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    rd_kafka_queue_t *q = rdk_queue_new(NULL, RDK_Q_CUSTOM);
    rd_kafka_queue_io_event_enable(q, fds[1], "ab", 2);
    CHECK(!readable(fds[0]));
    rdk_queue_push(q, op_with(RD_KAFKA_EVENT_LOG, 1));
    rdk_queue_push(q, op_with(RD_KAFKA_EVENT_LOG, 2));
    char buf[16];
    REQUIRE(readable(fds[0]));
    CHECK_EQ(read(fds[0], buf, sizeof(buf)), 2);
    CHECK_MEM(buf, "ab", 2);
    CHECK(!readable(fds[0])); /* one wake-up until the queue is read */
    rd_kafka_event_destroy(rd_kafka_queue_poll(q, 0));
    rd_kafka_event_destroy(rd_kafka_queue_poll(q, 0));
    rdk_queue_push(q, op_with(RD_KAFKA_EVENT_LOG, 3));
    CHECK(readable(fds[0]));
    CHECK_EQ(read(fds[0], buf, sizeof(buf)), 2);
    rd_kafka_event_destroy(rd_kafka_queue_poll(q, 0));
    /* ops forwarded into the queue wake it too */
    rd_kafka_queue_t *src = rdk_queue_new(NULL, RDK_Q_CUSTOM);
    rd_kafka_queue_forward(src, q);
    rdk_queue_push(src, op_with(RD_KAFKA_EVENT_LOG, 4));
    CHECK(readable(fds[0]));
    CHECK_EQ(read(fds[0], buf, sizeof(buf)), 2);
    rd_kafka_event_destroy(rd_kafka_queue_poll(q, 0));
    /* disabled: nothing written */
    rd_kafka_queue_io_event_enable(q, -1, NULL, 0);
    rdk_queue_push(q, op_with(RD_KAFKA_EVENT_LOG, 5));
    CHECK(!readable(fds[0]));
    rd_kafka_queue_destroy(src);
    rd_kafka_queue_destroy(q);
    close(fds[0]);
    close(fds[1]);
}

/* A full blocking pipe does not block the pusher (kfk's I/O thread). */
TEST(io_event_full_fd_does_not_block) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    char junk[4096] = {0};
    while (write(fds[1], junk, sizeof(junk)) > 0) {
    }
    fcntl(fds[1], F_SETFL, 0); /* blocking again, and full */
    rd_kafka_queue_t *q = rdk_queue_new(NULL, RDK_Q_CUSTOM);
    rd_kafka_queue_io_event_enable(q, fds[1], "x", 1);
    rdk_queue_push(q, op_with(RD_KAFKA_EVENT_LOG, 1));
    CHECK_EQ(rd_kafka_queue_length(q), 1);
    rd_kafka_queue_destroy(q);
    close(fds[0]);
    close(fds[1]);
}

static void count_cb(rd_kafka_t *rk, void *opaque) {
    (void)rk;
    (*(int *)opaque)++;
}

TEST(cb_event_on_each_op) {
    rd_kafka_queue_t *q = rdk_queue_new(NULL, RDK_Q_CUSTOM);
    int n = 0;
    rd_kafka_queue_cb_event_enable(q, count_cb, &n);
    rdk_queue_push(q, op_with(RD_KAFKA_EVENT_LOG, 1));
    rdk_queue_push(q, op_with(RD_KAFKA_EVENT_LOG, 2));
    CHECK_EQ(n, 2);
    rd_kafka_queue_cb_event_enable(q, NULL, NULL);
    rdk_queue_push(q, op_with(RD_KAFKA_EVENT_LOG, 3));
    CHECK_EQ(n, 2);
    rd_kafka_queue_destroy(q);
}

TEST(event_accessors) {
    CHECK_EQ(rd_kafka_event_type(NULL), RD_KAFKA_EVENT_NONE);
    CHECK_STR(rd_kafka_event_name(NULL), "(NONE)");

    struct rd_kafka_op_s *op = rdk_op_new(NULL, RD_KAFKA_EVENT_LOG);
    op->fac = strdup("FAC");
    op->str = strdup("a line");
    op->level = 6;
    const char *fac, *str;
    int level;
    CHECK_STR(rd_kafka_event_name(op), "Log");
    CHECK_EQ(rd_kafka_event_log(op, &fac, &str, &level), 0);
    CHECK_STR(fac, "FAC");
    CHECK_STR(str, "a line");
    CHECK_EQ(level, 6);
    char ctx[8] = "x";
    CHECK_EQ(rd_kafka_event_debug_contexts(op, ctx, sizeof(ctx)), 0);
    CHECK_STR(ctx, "");
    CHECK(rd_kafka_event_stats(op) == NULL);
    CHECK_EQ(rd_kafka_event_message_count(op), 0);
    CHECK(rd_kafka_event_message_next(op) == NULL);
    rd_kafka_event_destroy(op);

    int tag;
    op = rdk_op_new(NULL, RD_KAFKA_EVENT_CREATETOPICS_RESULT);
    op->opaque = &tag;
    op->err = RD_KAFKA_RESP_ERR__TIMED_OUT;
    op->errstr = strdup("took too long");
    CHECK_STR(rd_kafka_event_name(op), "CreateTopicsResult");
    CHECK(rd_kafka_event_opaque(op) == &tag);
    CHECK_EQ(rd_kafka_event_error(op), RD_KAFKA_RESP_ERR__TIMED_OUT);
    CHECK_STR(rd_kafka_event_error_string(op), "took too long");
    CHECK_EQ(rd_kafka_event_log(op, &fac, &str, &level), -1);
    CHECK(rd_kafka_event_topic_partition(op) == NULL);
    rd_kafka_event_destroy(op);

    op = rdk_op_new(NULL, RD_KAFKA_EVENT_STATS);
    op->str = strdup("{}");
    op->opaque = &tag;
    CHECK_STR(rd_kafka_event_stats(op), "{}");
    CHECK(rd_kafka_event_opaque(op) == NULL); /* only commits and admin results */
    CHECK(rd_kafka_event_topic_partition_list(op) == NULL);
    rd_kafka_event_destroy(op);

    op = rdk_op_new(NULL, RD_KAFKA_EVENT_ERROR);
    op->err = RD_KAFKA_RESP_ERR__FATAL;
    op->fatal = 1;
    op->errstr = strdup("fenced");
    CHECK_STR(rd_kafka_event_name(op), "Error");
    CHECK_EQ(rd_kafka_event_error_is_fatal(op), 1);
    CHECK_STR(rd_kafka_event_error_string(op), "fenced");
    rd_kafka_event_destroy(op);
}
