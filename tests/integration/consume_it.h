/* Helpers for the consumer's integration tests: topics filled by kcat (an
 * independent producer), consumers from key=value lists, and draining a
 * consumer with a deadline. Header-only. */
#ifndef KFK_CONSUME_IT_H
#define KFK_CONSUME_IT_H

#include <stdarg.h>

#include "it.h"

/* A fresh topic with n partitions on the broker; 0 or a kfk_err. */
static inline int cit_topic(const char *boot, char *name, size_t len, const char *what, int n) {
    it_topic(name, len, what);
    kfk_core_conf conf;
    it_conf(&conf, boot);
    kfk_core *c = it_core(&conf);
    if (!c) return KFK_ERR_NO_BROKERS;
    char err[256] = "";
    int rc = it_create_topic(c, name, n, err, sizeof err);
    if (rc) kfk_test_fail(__FILE__, __LINE__, "create %s: %s", name, err);
    kfk_core_destroy(c);
    return rc;
}

/* Produces count messages "<prefix>-key-<i>" : "<prefix>-value-<i>" to
 * topic/partition with kcat and codec (none, gzip, snappy, lz4, zstd),
 * in batches (linger), each with the header src=kcat. 0 on success.
 * Idempotence on: without it librdkafka may write a retried batch twice
 * on a loaded machine, and the tests expect each message exactly once. */
static inline int cit_kcat(const char *boot, const char *topic, int partition, const char *codec,
                           const char *prefix, int first, int count) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "kcat -P -q -b %s -t %s -p %d -z %s -K '|' -H src=kcat -X linger.ms=50 "
             "-X batch.num.messages=64 -X enable.idempotence=true",
             boot, topic, partition, codec);
    FILE *f = popen(cmd, "w");
    if (!f) return -1;
    for (int i = first; i < first + count; i++)
        fprintf(f, "%s-key-%d|%s-value-%d\n", prefix, i, prefix, i);
    return pclose(f);
}

/* A consumer from NULL-terminated key, value pairs on top of bootstrap. */
static inline kfk_consumer *cit_consumer(const char *boot, ...) {
    kfk_conf *conf = kfk_conf_new();
    char err[256];
    if (kfk_conf_set(conf, "bootstrap.servers", boot, err, sizeof err)) goto fail;
    va_list ap;
    va_start(ap, boot);
    const char *k;
    while ((k = va_arg(ap, const char *)) != NULL) {
        const char *v = va_arg(ap, const char *);
        if (kfk_conf_set(conf, k, v, err, sizeof err)) {
            va_end(ap);
            goto fail;
        }
    }
    va_end(ap);
    kfk_consumer *c = kfk_consumer_new(conf, err, sizeof err);
    if (c) return c;
fail:
    kfk_test_fail(__FILE__, __LINE__, "consumer: %s", err);
    kfk_conf_destroy(conf);
    return NULL;
}

/* Polls until n messages with err == 0 arrived or timeout_ms passed;
 * returns how many went into out (events are released, not counted). */
static inline int cit_drain(kfk_consumer *c, kfk_consumer_message **out, int n, int timeout_ms) {
    int64_t until = it_now_ms() + timeout_ms;
    int got = 0;
    while (got < n && it_now_ms() < until) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 100);
        if (!m) continue;
        if (m->err) {
            kfk_consumer_message_release(m);
            continue;
        }
        out[got++] = m;
    }
    return got;
}

static inline void cit_release_all(kfk_consumer_message **m, int n) {
    for (int i = 0; i < n; i++) kfk_consumer_message_release(m[i]);
}

/* 1 if m is message i of prefix as cit_kcat wrote it. */
static inline int cit_is(const kfk_consumer_message *m, const char *prefix, int i) {
    char key[128], value[128];
    int kl = snprintf(key, sizeof key, "%s-key-%d", prefix, i);
    int vl = snprintf(value, sizeof value, "%s-value-%d", prefix, i);
    return m->key && m->value && m->key_len == (size_t)kl && m->value_len == (size_t)vl &&
           memcmp(m->key, key, (size_t)kl) == 0 && memcmp(m->value, value, (size_t)vl) == 0;
}

/* Assigns topic's partitions 0..n-1 from offset. */
static inline int cit_assign(kfk_consumer *c, const char *topic, int n, int64_t offset) {
    kfk_partition_list *l = kfk_partition_list_new(n);
    for (int i = 0; i < n; i++) kfk_partition_list_add(l, topic, i)->offset = offset;
    int rc = kfk_consumer_assign(c, l);
    kfk_partition_list_destroy(l);
    return rc;
}

#endif
