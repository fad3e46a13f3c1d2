/* Helpers for the producer's integration and failover tests: topics with
 * configs, producers from key=value lists, delivery bookkeeping, and
 * reading a topic back with kcat, an independent client. Header-only. */
#ifndef KFK_PRODUCE_IT_H
#define KFK_PRODUCE_IT_H

#include <pthread.h>
#include <stdarg.h>

#include "it.h"

/* Creates a topic with replication factor rf (-1: the broker's default)
 * and configs (name, value pairs, NULL-terminated), then waits for its
 * leaders. */
static inline int pit_create_topic(const char *bootstrap, const char *name, int partitions,
                                   int rf, const char *const *configs) {
    kfk_core_conf conf;
    it_conf(&conf, bootstrap);
    kfk_core *c = it_core(&conf);
    if (!c) return KFK_ERR_NO_BROKERS;
    kfk_create_topics_request_creatable_topic_config cfg[8];
    int n = 0;
    for (; configs && configs[2 * n] && n < 8; n++) {
        cfg[n].name = (kfk_str){configs[2 * n], (int32_t)strlen(configs[2 * n])};
        cfg[n].value = (kfk_str){configs[2 * n + 1], (int32_t)strlen(configs[2 * n + 1])};
    }
    kfk_create_topics_request_creatable_topic t = {
        .name = {name, (int32_t)strlen(name)}, .num_partitions = partitions,
        .replication_factor = (int16_t)rf};
    t.configs.items = cfg;
    t.configs.count = n;
    kfk_create_topics_request m;
    kfk_create_topics_request_init(&m);
    m.topics.items = &t;
    m.topics.count = 1;
    m.timeout_ms = 15000;
    kfk_core_req r = {.dest = KFK_DEST_ANY};
    r.req = (kfk_request){.api_key = KFK_API_CREATE_TOPICS, .min_version = 4, .max_version = -1,
                          .msg = &m};
    char err[256] = "";
    int rc = kfk_core_send_wait(c, &r, it_create_topics_decode, NULL, err, sizeof err);
    const char *topics[1] = {name};
    if (!rc) rc = kfk_core_metadata_wait(c, topics, 1, 30000, NULL, err, sizeof err);
    if (rc) kfk_test_fail(__FILE__, __LINE__, "creating %s: %s (%s)", name, kfk_err_name(rc), err);
    kfk_core_destroy(c);
    return rc;
}

/* A producer on bootstrap with settings (key, value pairs, NULL-terminated). */
static inline kfk_producer *pit_producer(const char *bootstrap, const kfk_producer_callbacks *cbs,
                                         const char *const *settings) {
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    if (kfk_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err)) goto fail;
    for (int i = 0; settings && settings[i]; i += 2)
        if (kfk_conf_set(conf, settings[i], settings[i + 1], err, sizeof err)) goto fail;
    kfk_producer *p = kfk_producer_new(conf, cbs, err, sizeof err);
    if (p) return p;
fail:
    kfk_test_fail(__FILE__, __LINE__, "producer: %s", err);
    kfk_conf_destroy(conf);
    return NULL;
}

/* Every line kcat prints for the topic from the beginning, formatted by
 * fmt (kcat -f), into a malloc'd buffer; *len gets its size. */
static inline char *pit_kcat(const char *bootstrap, const char *topic, const char *fmt,
                             size_t *len) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "kcat -b '%s' -C -t '%s' -e -o beginning -q -f '%s'", bootstrap,
             topic, fmt);
    FILE *f = popen(cmd, "r");
    if (!f) return NULL;
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n < 2) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    int status = pclose(f);
    if (!buf) return NULL;
    buf[n] = '\0';
    *len = n;
    if (status != 0) kfk_test_fail(__FILE__, __LINE__, "kcat exited with %d", status);
    return buf;
}

#endif
