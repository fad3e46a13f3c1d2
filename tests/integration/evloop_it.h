/* The event-loop adapters' shared test: one loop runs an admin client
 * (creating the topic, its callback on the loop's thread), a producer and
 * a group consumer together, and moves N messages; every one must arrive
 * once with its content (a bitmap and a content checksum). Each
 * evloop_<adapter>_test.c drives this with its own loop: it attaches the
 * three clients, calls evl_step from a short timer until evl_done. */
#ifndef KFK_EVLOOP_IT_H
#define KFK_EVLOOP_IT_H

#include <pthread.h>
#include <stdlib.h>

#include "it.h"
#include "kfk/adapters/source.h"

enum { EVL_N = 100000, EVL_PARTS = 3, EVL_LIMIT_MS = 120000 };

typedef struct evl {
    kfk_admin *admin;
    kfk_producer *producer;
    kfk_consumer *consumer;
    char topic[128], group[160];
    pthread_t loop_thread;
    int topic_ready, subscribed;
    int sent, delivered, delivery_errors, send_errors;
    int consumed, duplicates, bad_content, message_errors;
    int off_thread; /* a callback ran off the loop's thread */
    uint64_t sent_sum, consumed_sum;
    unsigned char *seen;
    int64_t deadline;
} evl;

static inline uint64_t evl_hash(const void *p, size_t n) {
    const unsigned char *b = (const unsigned char *)p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

static inline void evl_check_thread(evl *e) {
    if (!pthread_equal(pthread_self(), e->loop_thread)) e->off_thread++;
}

static inline kfk_conf *evl_conf(void) {
    kfk_conf *conf = kfk_conf_new();
    char err[256];
    if (kfk_conf_set(conf, "bootstrap.servers", it_bootstrap(), err, sizeof err))
        kfk_test_fail(__FILE__, __LINE__, "%s", err);
    return conf;
}

static inline void evl_set(kfk_conf *conf, const char *k, const char *v) {
    char err[256];
    if (kfk_conf_set(conf, k, v, err, sizeof err)) kfk_test_fail(__FILE__, __LINE__, "%s", err);
}

static inline void evl_on_delivery(kfk_producer *p, const kfk_delivery *d, void *opaque);

/* Sends until all are sent or the buffer is full (delivery reports, or
 * the next step, continue it): a loop never blocks in send. Partitions are
 * chosen here: with KFK_PARTITION_ANY a NONBLOCK send to a topic created
 * a moment ago kept answering KFK_ERR_NOENT for minutes (a producer
 * metadata issue, reported separately). */
static inline void evl_pump(evl *e) {
    if (!e->topic_ready) return;
    char val[32];
    while (e->sent < EVL_N) {
        int n = snprintf(val, sizeof val, "evloop-%07d", e->sent);
        kfk_message m = {.topic = e->topic, .partition = e->sent % EVL_PARTS, .key = val + 7,
                         .key_len = 7, .value = val, .value_len = (size_t)n};
        int rc = kfk_producer_send(e->producer, &m, KFK_SEND_NONBLOCK);
        if (rc == KFK_ERR_QUEUE_FULL || rc == KFK_ERR_NOENT) return;
        if (rc) {
            e->send_errors++;
            return;
        }
        e->sent_sum += evl_hash(val, (size_t)n);
        e->sent++;
    }
}

static inline void evl_on_delivery(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    evl *e = (evl *)opaque;
    evl_check_thread(e);
    if (d->err) e->delivery_errors++;
    e->delivered++;
}

static inline void evl_on_message(kfk_consumer *c, kfk_consumer_message *m, void *opaque) {
    evl *e = (evl *)opaque;
    evl_check_thread(e);
    if (m->err) {
        e->message_errors++;
    } else {
        int i = -1;
        char buf[32];
        if (m->value_len < sizeof buf) {
            memcpy(buf, m->value, m->value_len);
            buf[m->value_len] = 0;
            if (sscanf(buf, "evloop-%d", &i) != 1) i = -1;
        }
        if (i < 0 || i >= EVL_N || m->key_len != 7 || memcmp(m->key, buf + 7, 7)) {
            e->bad_content++;
        } else if (e->seen[i]) {
            e->duplicates++;
        } else {
            e->seen[i] = 1;
            e->consumed++;
            e->consumed_sum += evl_hash(m->value, m->value_len);
        }
    }
    kfk_consumer_message_release(m);
}

static inline void evl_on_topic(kfk_admin_result *r, void *opaque) {
    evl *e = (evl *)opaque;
    evl_check_thread(e);
    if (!r || r->err) {
        kfk_test_fail(__FILE__, __LINE__, "create topic: %s", r ? r->errstr : "no memory");
    } else {
        e->topic_ready = 1;
        const char *topics[] = {e->topic};
        if (kfk_consumer_subscribe(e->consumer, topics, 1) == 0) e->subscribed = 1;
        evl_pump(e);
    }
    kfk_admin_result_destroy(r);
}

/* The three clients; the caller attaches them to its loop, then calls
 * evl_start on the loop's thread. */
static inline int evl_init(evl *e, const char *what) {
    memset(e, 0, sizeof *e);
    e->seen = (unsigned char *)calloc(EVL_N, 1);
    it_topic(e->topic, sizeof e->topic, what);
    snprintf(e->group, sizeof e->group, "%s-group", e->topic);
    char err[256];
    e->admin = kfk_admin_new(evl_conf(), err, sizeof err);
    kfk_conf *pc = evl_conf();
    evl_set(pc, "linger.ms", "5");
    kfk_producer_callbacks cbs = {.delivery = evl_on_delivery, .opaque = e};
    e->producer = kfk_producer_new(pc, &cbs, err, sizeof err);
    kfk_conf *cc = evl_conf();
    evl_set(cc, "group.id", e->group);
    evl_set(cc, "auto.offset.reset", "earliest");
    e->consumer = kfk_consumer_new(cc, err, sizeof err);
    return e->seen && e->admin && e->producer && e->consumer ? 0 : -1;
}

/* On the loop's thread, once attached: the topic is created asynchronously
 * and the rest follows from its callback. */
static inline void evl_start(evl *e) {
    e->loop_thread = pthread_self();
    e->deadline = it_now_ms() + EVL_LIMIT_MS;
    kfk_new_topic t = {.name = e->topic, .partitions = EVL_PARTS, .replication_factor = -1};
    kfk_admin_create_topics(e->admin, &t, 1, NULL, evl_on_topic, e);
}

/* From the loop's timer: keeps sending; 1 when the run is over. */
static inline int evl_step(evl *e) {
    evl_pump(e);
    return (e->delivered == EVL_N && e->consumed == EVL_N) || e->send_errors ||
           it_now_ms() > e->deadline;
}

/* After the loop ended (clients detached): checks and frees everything. */
static inline void evl_finish(evl *e) {
    CHECK(e->subscribed);
    CHECK_EQ(e->sent, EVL_N);
    CHECK_EQ(e->send_errors, 0);
    CHECK_EQ(e->delivered, EVL_N);
    CHECK_EQ(e->delivery_errors, 0);
    CHECK_EQ(e->consumed, EVL_N);
    CHECK_EQ(e->duplicates, 0);
    CHECK_EQ(e->bad_content, 0);
    CHECK_EQ(e->message_errors, 0);
    CHECK_EQ(e->off_thread, 0);
    CHECK(e->consumed_sum == e->sent_sum);
    CHECK_EQ(kfk_consumer_close(e->consumer), 0);
    kfk_producer_destroy(e->producer);
    kfk_admin_destroy(e->admin);
    free(e->seen);
}

#endif
