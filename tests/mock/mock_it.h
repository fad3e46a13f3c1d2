/* Shared by the tests in tests/mock/: a group member on the mock cluster. */
#ifndef KFK_MOCK_IT_H
#define KFK_MOCK_IT_H

#include <stdio.h>
#include <time.h>

#include "kfk.h"
#include "test.h"

static inline int64_t mock_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* How many partitions c is assigned now. */
static inline int mock_assigned(kfk_consumer *c) {
    kfk_partition_list *l = c ? kfk_consumer_assignment(c) : NULL;
    int n = l ? l->count : 0;
    kfk_partition_list_destroy(l);
    return n;
}

/* A member of group subscribed to topic, from the earliest offset, without
 * auto-commit, with the extra key/value pairs (NULL-terminated; NULL:
 * none). NULL after recording a failure. */
static inline kfk_consumer *mock_member(const char *bootstrap, const char *group, const char *topic,
                                        const char *const *extra) {
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    int bad = kfk_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err) ||
              kfk_conf_set(conf, "group.id", group, err, sizeof err) ||
              kfk_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof err) ||
              kfk_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
    for (; !bad && extra && extra[0]; extra += 2)
        bad = kfk_conf_set(conf, extra[0], extra[1], err, sizeof err);
    kfk_consumer *c = bad ? NULL : kfk_consumer_new(conf, err, sizeof err);
    if (!c) {
        kfk_test_fail(__FILE__, __LINE__, "consumer: %s", err);
        kfk_conf_destroy(conf);
        return NULL;
    }
    if (kfk_consumer_subscribe(c, &topic, 1) != 0) kfk_test_fail(__FILE__, __LINE__, "subscribe");
    return c;
}

/* Records from..to-1 with value "r<i>" to partition i % nparts of topic;
 * 0 once all were delivered. */
static inline int mock_produce_spread(const char *bootstrap, const char *topic, int nparts, int from, int to) {
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    kfk_producer *p = kfk_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err)
                          ? NULL
                          : kfk_producer_new(conf, NULL, err, sizeof err);
    if (!p) {
        kfk_conf_destroy(conf);
        return -1;
    }
    int rc = 0;
    for (int i = from; i < to && !rc; i++) {
        char v[16];
        int vl = snprintf(v, sizeof v, "r%d", i);
        kfk_message m = {.topic = topic, .partition = i % nparts, .value = v, .value_len = (size_t)vl};
        rc = kfk_producer_send(p, &m, 0);
    }
    if (!rc) rc = kfk_producer_flush(p, 30000);
    kfk_producer_close(p, 5000);
    return rc;
}

/* A consumer assigned partition 0 of topic from the beginning, in rack
 * (client.rack; NULL: none). NULL after recording a failure. */
static inline kfk_consumer *mock_consumer_p0(const char *bs, const char *topic, const char *rack) {
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    if (kfk_conf_set(conf, "bootstrap.servers", bs, err, sizeof err) ||
        (rack && kfk_conf_set(conf, "client.rack", rack, err, sizeof err)) ||
        kfk_conf_set(conf, "fetch.wait.max.ms", "100", err, sizeof err)) {
        kfk_test_fail(__FILE__, __LINE__, "conf: %s", err);
        kfk_conf_destroy(conf);
        return NULL;
    }
    kfk_consumer *c = kfk_consumer_new(conf, err, sizeof err);
    if (!c) {
        kfk_test_fail(__FILE__, __LINE__, "consumer: %s", err);
        kfk_conf_destroy(conf);
        return NULL;
    }
    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, topic, 0)->offset = KFK_OFFSET_BEGINNING;
    if (kfk_consumer_assign(c, l)) kfk_test_fail(__FILE__, __LINE__, "assign");
    kfk_partition_list_destroy(l);
    return c;
}

#endif
