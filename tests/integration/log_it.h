/* For the logging tests: a log callback that keeps every line, and a
 * workload that touches every debug context (admin creates a topic, an
 * idempotent producer writes to it, a group member reads it back). */
#ifndef KFK_LOG_IT_H
#define KFK_LOG_IT_H

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "it.h"

typedef struct log_line {
    int level;
    char context[16];
    char *message;
} log_line;

typedef struct log_capture {
    pthread_mutex_t lock;
    log_line *lines;
    int n, cap;
} log_capture;

static inline void log_capture_init(log_capture *c) {
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
}

static inline void log_capture_free(log_capture *c) {
    for (int i = 0; i < c->n; i++) free(c->lines[i].message);
    free(c->lines);
    pthread_mutex_destroy(&c->lock);
}

static inline void log_capture_cb(void *opaque, int level, const char *context,
                                  const char *message) {
    log_capture *c = opaque;
    pthread_mutex_lock(&c->lock);
    if (c->n == c->cap) {
        int cap = c->cap ? c->cap * 2 : 256;
        log_line *v = realloc(c->lines, (size_t)cap * sizeof *v);
        if (!v) {
            pthread_mutex_unlock(&c->lock);
            return;
        }
        c->lines = v;
        c->cap = cap;
    }
    log_line *l = &c->lines[c->n++];
    l->level = level;
    snprintf(l->context, sizeof l->context, "%s", context);
    l->message = strdup(message);
    pthread_mutex_unlock(&c->lock);
}

/* Lines of context (NULL: any) whose message holds needle (NULL: any). */
static inline int log_count(log_capture *c, const char *context, const char *needle) {
    int n = 0;
    pthread_mutex_lock(&c->lock);
    for (int i = 0; i < c->n; i++)
        if ((!context || !strcmp(c->lines[i].context, context)) &&
            (!needle || (c->lines[i].message && strstr(c->lines[i].message, needle))))
            n++;
    pthread_mutex_unlock(&c->lock);
    return n;
}

/* The OAUTHBEARER token callback clients get (NULL: none). */
static kfk_oauthbearer_token_cb log_it_token_cb;

/* 1: clients also take statistics (every 50 ms), each document captured
 * as a line of context "stats", so a search covers them too. */
static int log_it_stats;

static inline void log_capture_stats(const kfk_stats *s, const char *json, size_t len,
                                     void *opaque) {
    (void)s;
    (void)len;
    log_capture_cb(opaque, 7, "stats", json);
}

/* A configuration for bootstrap with kv (pairs, NULL-terminated), debug
 * (NULL: unset) and the capture as log callback. */
static inline kfk_conf *log_conf(const char *bootstrap, const char *const *kv, const char *debug,
                                 log_capture *cap) {
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    if (!conf) return NULL;
    int rc = kfk_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err);
    for (int i = 0; !rc && kv && kv[i]; i += 2)
        rc = kfk_conf_set(conf, kv[i], kv[i + 1], err, sizeof err);
    if (!rc && debug) rc = kfk_conf_set(conf, "debug", debug, err, sizeof err);
    if (!rc) rc = kfk_conf_set(conf, "request.timeout.ms", "10000", err, sizeof err);
    if (!rc && cap && log_it_stats)
        rc = kfk_conf_set(conf, "statistics.interval.ms", "50", err, sizeof err);
    if (rc) {
        kfk_test_fail(__FILE__, __LINE__, "conf: %s", err);
        kfk_conf_destroy(conf);
        return NULL;
    }
    if (cap) kfk_conf_set_log_cb(conf, log_capture_cb, cap);
    if (cap && log_it_stats) kfk_conf_set_stats_cb(conf, log_capture_stats, cap);
    if (log_it_token_cb) kfk_conf_set_oauthbearer_token_cb(conf, log_it_token_cb, NULL);
    return conf;
}

enum { LOG_IT_RECORDS = 10 };

/* The workload; each client made from log_conf(bootstrap, kv, debug, cap).
 * Returns the records read back (LOG_IT_RECORDS when all went well). */
static inline int log_workload(const char *what, const char *bootstrap, const char *const *kv,
                               const char *debug, log_capture *cap) {
    char topic[128], group[160], err[320] = "";
    it_topic(topic, sizeof topic, what);
    snprintf(group, sizeof group, "%s-group", topic);

    kfk_conf *ac = log_conf(bootstrap, kv, debug, cap);
    if (!ac) return -1;
    kfk_admin *a = kfk_admin_new(ac, err, sizeof err);
    if (!a) {
        kfk_conf_destroy(ac);
        kfk_test_fail(__FILE__, __LINE__, "%s: admin: %s", what, err);
        return -1;
    }
    kfk_new_topic nt = {.name = topic, .partitions = 1, .replication_factor = 1};
    kfk_admin_result *res = kfk_admin_create_topics(a, &nt, 1, NULL, NULL, NULL);
    int rc = res ? res->err : KFK_ERR_NOMEM;
    kfk_admin_result_destroy(res);
    kfk_admin_destroy(a);
    if (rc) {
        kfk_test_fail(__FILE__, __LINE__, "%s: create topic: %s", what, kfk_err_name(rc));
        return -1;
    }

    kfk_conf *pc = log_conf(bootstrap, kv, debug, cap);
    if (!pc) return -1;
    kfk_conf_set(pc, "enable.idempotence", "true", err, sizeof err);
    kfk_producer *p = kfk_producer_new(pc, NULL, err, sizeof err);
    if (!p) {
        kfk_conf_destroy(pc);
        kfk_test_fail(__FILE__, __LINE__, "%s: producer: %s", what, err);
        return -1;
    }
    for (int i = 0; i < LOG_IT_RECORDS; i++) {
        char value[32];
        int n = snprintf(value, sizeof value, "%s-%d", what, i);
        kfk_message m = {.topic = topic, .partition = 0, .value = value, .value_len = (size_t)n};
        CHECK_EQ(kfk_producer_send(p, &m, 0), 0);
    }
    CHECK_EQ(kfk_producer_flush(p, 30000), 0);
    kfk_producer_destroy(p);

    kfk_conf *cc = log_conf(bootstrap, kv, debug, cap);
    if (!cc) return -1;
    kfk_conf_set(cc, "group.id", group, err, sizeof err);
    kfk_conf_set(cc, "auto.offset.reset", "earliest", err, sizeof err);
    kfk_consumer *c = kfk_consumer_new(cc, err, sizeof err);
    if (!c) {
        kfk_conf_destroy(cc);
        kfk_test_fail(__FILE__, __LINE__, "%s: consumer: %s", what, err);
        return -1;
    }
    const char *topics[] = {topic};
    CHECK_EQ(kfk_consumer_subscribe(c, topics, 1), 0);
    int got = 0;
    int64_t end = it_now_ms() + 60000;
    while (got < LOG_IT_RECORDS && it_now_ms() < end) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 500);
        if (m && !m->err) got++;
        kfk_consumer_message_release(m);
    }
    CHECK_EQ(kfk_consumer_commit(c, NULL, 0), 0);
    kfk_consumer_close(c);
    return got;
}

#endif
