/* Helpers for integration tests against the real broker named by
 * KFK_BOOTSTRAP. Header-only (static inline): CMake builds each
 * integration test as its own program with tests/test.c only. */
#ifndef KFK_IT_H
#define KFK_IT_H

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "client/core.h"
#include "kfk.h"
#include "proto/proto.h"
#include "test.h"

/* The broker list; an unset KFK_BOOTSTRAP fails the test (never a skip). */
static inline const char *it_bootstrap(void) {
    const char *b = getenv("KFK_BOOTSTRAP");
    if (!b || !*b) {
        kfk_test_fail(__FILE__, __LINE__, "KFK_BOOTSTRAP is not set (e.g. 127.0.0.1:29092)");
        return NULL;
    }
    return b;
}

static inline int64_t it_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void it_conf(kfk_core_conf *conf, const char *bootstrap) {
    kfk_core_conf_defaults(conf);
    conf->bootstrap_servers = bootstrap;
    conf->client_id = "kfk-it";
    conf->request_timeout_ms = 10000;
}

static inline kfk_core *it_core(const kfk_core_conf *conf) {
    char err[256] = "";
    kfk_core *c = kfk_core_new(conf, err, sizeof err);
    if (!c) kfk_test_fail(__FILE__, __LINE__, "kfk_core_new: %s", err);
    return c;
}

/* A topic name no other run uses: each test starts from a clean topic. */
static inline void it_topic(char *buf, size_t len, const char *what) {
    static atomic_int seq;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(buf, len, "kfk-it-%s-%d-%lld-%d", what, (int)getpid(),
             (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, atomic_fetch_add(&seq, 1));
}

static inline int it_create_topics_decode(void *opaque, kfk_response *resp) {
    kfk_arena a = {0};
    kfk_create_topics_response m;
    int rc = kfk_create_topics_response_decode(&resp->body, resp->version, &a, &m);
    if (!rc && m.topics.count == 1 && m.topics.items[0].error_code != KFK_ERR_TOPIC_ALREADY_EXISTS)
        rc = m.topics.items[0].error_code;
    kfk_arena_reset(&a);
    return rc;
}

/* Creates a topic (replication factor: the broker's default) and waits
 * until its metadata shows every leader. */
static inline int it_create_topic(kfk_core *c, const char *name, int partitions, char *err,
                                  size_t errlen) {
    kfk_create_topics_request_creatable_topic t = {
        .name = {name, (int32_t)strlen(name)}, .num_partitions = partitions,
        .replication_factor = -1};
    kfk_create_topics_request m;
    kfk_create_topics_request_init(&m);
    m.topics.items = &t;
    m.topics.count = 1;
    m.timeout_ms = 10000;
    kfk_core_req r = {.dest = KFK_DEST_ANY};
    /* v4+: replication factor -1 means the broker's default. */
    r.req = (kfk_request){.api_key = KFK_API_CREATE_TOPICS, .min_version = 4, .max_version = -1,
                          .msg = &m};
    int rc = kfk_core_send_wait(c, &r, it_create_topics_decode, NULL, err, errlen);
    if (rc) return rc;
    const char *topics[1] = {name};
    return kfk_core_metadata_wait(c, topics, 1, 15000, NULL, err, errlen);
}

#endif
