/* kfk_consumer_fd and kfk_admin_fd against the real broker: readable when
 * poll has something, and no longer once poll took it all. */
#include <poll.h>

#include "evloop_it.h"

static int readable(int fd, int timeout_ms) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

typedef struct admin_seen {
    int calls, err;
    pthread_t thread;
} admin_seen;

static void on_cluster(kfk_admin_result *r, void *opaque) {
    admin_seen *s = opaque;
    s->calls++;
    s->thread = pthread_self();
    s->err = r ? r->err : KFK_ERR_NOMEM;
    kfk_admin_result_destroy(r);
}

TEST(admin_fd_readable_until_polled) {
    char err[256];
    kfk_admin *a = kfk_admin_new(evl_conf(), err, sizeof err);
    REQUIRE(a);
    int fd = kfk_admin_fd(a);
    REQUIRE(fd >= 0);
    CHECK(!readable(fd, 0));
    admin_seen s = {0};
    CHECK(kfk_admin_describe_cluster(a, NULL, on_cluster, &s) == NULL);
    CHECK(readable(fd, 10000));
    CHECK_EQ(s.calls, 0); /* queued: the callback waits for the poll */
    CHECK(readable(fd, 0)); /* level-triggered */
    CHECK_EQ(kfk_admin_poll(a, 0), 1);
    CHECK_EQ(s.calls, 1);
    CHECK_EQ(s.err, 0);
    CHECK(pthread_equal(s.thread, pthread_self()));
    CHECK(!readable(fd, 0));
    CHECK_EQ(kfk_admin_poll(a, 0), 0);
    /* One left queued: its callback runs at destroy, nothing leaks. */
    CHECK(kfk_admin_describe_cluster(a, NULL, on_cluster, &s) == NULL);
    CHECK(readable(fd, 10000));
    kfk_admin_destroy(a);
    CHECK_EQ(s.calls, 2);
}

TEST(consumer_fd_readable_until_drained) {
    enum { MSGS = 50 };
    char err[256], topic[128];
    it_topic(topic, sizeof topic, "evloop-fd");
    kfk_admin *a = kfk_admin_new(evl_conf(), err, sizeof err);
    REQUIRE(a);
    kfk_new_topic t = {.name = topic, .partitions = 1, .replication_factor = -1};
    kfk_admin_result *r = kfk_admin_create_topics(a, &t, 1, NULL, NULL, NULL);
    REQUIRE(r && r->err == 0);
    kfk_admin_result_destroy(r);
    kfk_admin_destroy(a);
    kfk_producer *p = kfk_producer_new(evl_conf(), NULL, err, sizeof err);
    REQUIRE(p);
    for (int i = 0; i < MSGS; i++) {
        kfk_message m = {.topic = topic, .partition = 0, .value = "v", .value_len = 1};
        REQUIRE_EQ(kfk_producer_send(p, &m, 0), 0);
    }
    REQUIRE_EQ(kfk_producer_flush(p, 30000), 0);
    kfk_producer_destroy(p);

    kfk_consumer *c = kfk_consumer_new(evl_conf(), err, sizeof err);
    REQUIRE(c);
    int fd = kfk_consumer_fd(c);
    REQUIRE(fd >= 0);
    CHECK(!readable(fd, 0)); /* nothing assigned: nothing to poll */
    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, topic, 0)->offset = KFK_OFFSET_BEGINNING;
    REQUIRE_EQ(kfk_consumer_assign(c, l), 0);
    kfk_partition_list_destroy(l);
    int got = 0, wakeups = 0;
    int64_t until = it_now_ms() + 30000;
    while (got < MSGS && it_now_ms() < until) {
        if (!readable(fd, 1000)) continue;
        wakeups++;
        kfk_consumer_message *m;
        while ((m = kfk_consumer_poll(c, 0)) != NULL) {
            CHECK_EQ(m->err, 0);
            got++;
            kfk_consumer_message_release(m);
        }
        if (got == MSGS) CHECK(!readable(fd, 0)); /* the empty poll cleared it */
    }
    CHECK_EQ(got, MSGS);
    CHECK(wakeups >= 1);
    /* Fetches past the end bring nothing: it stays quiet. */
    CHECK(!readable(fd, 500));
    kfk_consumer_destroy(c);
}
