/* Helpers for the share consumer's integration tests: share consumers
 * from key=value lists, a group set to start at the earliest offset (and
 * a low delivery limit) through IncrementalAlterConfigs, the broker's
 * version. Header-only. */
#ifndef KFK_SHARE_IT_H
#define KFK_SHARE_IT_H

#include <stdarg.h>
#include <stdlib.h>

#include "admin_it.h"
#include "consume_it.h"

/* Whether the broker has share groups on: kafka-local's default (4.4.0)
 * unless the runner named another version. Generally available (and taken
 * to be on) from 4.2; off by default in 4.0 and 4.1, absent before. */
static inline int sit_share_groups(void) {
    const char *v = getenv("KFK_BROKER_VERSION");
    if (!v || !*v) v = getenv("KFK_KAFKA_VERSION_RUNNING");
    if (!v || !*v) return 1;
    int major = atoi(v), minor = strchr(v, '.') ? atoi(strchr(v, '.') + 1) : 0;
    return major > 4 || (major == 4 && minor >= 2);
}

/* A share consumer of group from NULL-terminated key, value pairs. */
static inline kfk_share_consumer *sit_consumer(const char *boot, const char *group, ...) {
    char err[256] = "";
    kfk_conf *conf = kfk_conf_new();
    int rc = kfk_conf_set(conf, "bootstrap.servers", boot, err, sizeof err) ||
             kfk_conf_set(conf, "group.id", group, err, sizeof err);
    va_list ap;
    va_start(ap, group);
    for (const char *k; !rc && (k = va_arg(ap, const char *));)
        rc = kfk_conf_set(conf, k, va_arg(ap, const char *), err, sizeof err);
    va_end(ap);
    kfk_share_consumer *c = rc ? NULL : kfk_share_consumer_new(conf, err, sizeof err);
    if (!c) {
        kfk_test_fail(__FILE__, __LINE__, "share consumer: %s", err);
        kfk_conf_destroy(conf);
    }
    return c;
}

/* Sets a group config; 0 or the error. */
static inline int sit_group_config(const char *boot, const char *group, const char *name,
                                   const char *value) {
    kfk_admin *a = admin_new_on(boot);
    if (!a) return KFK_ERR_NO_BROKERS;
    kfk_config_op op = {.resource_type = KFK_CONFIG_GROUP, .resource = group, .name = name,
                        .value = value, .op = KFK_CONFIG_SET};
    kfk_admin_result *r = kfk_admin_alter_configs(a, &op, 1, NULL, NULL, NULL);
    int err = !r ? KFK_ERR_NOMEM : r->err ? r->err : r->nitems > 0 ? r->items[0].err : 0;
    kfk_admin_result_destroy(r);
    kfk_admin_destroy(a);
    return err;
}

/* Acknowledgement results counted by an ack-commit callback
 * (kfk_share_consumer_set_ack_cb(c, sit_count_acks, &counts)). */
typedef struct sit_acks {
    int ok, failed;
} sit_acks;

static inline void sit_count_acks(kfk_share_consumer *c, const kfk_partition_list *res,
                                  void *opaque) {
    (void)c;
    sit_acks *n = opaque;
    for (int i = 0; i < res->count; i++) {
        if (res->elems[i].err) n->failed++;
        else n->ok++;
    }
}

/* The numeric suffix of a "<prefix>-value-<i>" value, or -1. */
static inline int sit_index(const kfk_consumer_message *m) {
    if (!m->value || m->value_len == 0 || m->value_len > 60) return -1;
    char buf[64];
    memcpy(buf, m->value, m->value_len);
    buf[m->value_len] = 0;
    const char *d = strrchr(buf, '-');
    return d ? atoi(d + 1) : -1;
}

/* Against a broker without share groups: the first poll returns
 * KFK_ERR_UNSUPPORTED_VERSION at once, and the next one again. */
static inline void sit_unsupported_at_once(const char *boot) {
    char topic[128], group[160];
    REQUIRE_EQ(cit_topic(boot, topic, sizeof topic, "share-old", 1), 0);
    snprintf(group, sizeof group, "%s-g", topic);
    kfk_share_consumer *c = sit_consumer(boot, group, NULL);
    REQUIRE(c);
    const char *topics[1] = {topic};
    REQUIRE_EQ(kfk_share_consumer_subscribe(c, topics, 1), 0);
    int64_t t0 = it_now_ms();
    kfk_consumer_message *m = kfk_share_consumer_poll(c, 30000);
    REQUIRE(m);
    CHECK_EQ(m->err, KFK_ERR_UNSUPPORTED_VERSION);
    CHECK(it_now_ms() - t0 < 10000);
    kfk_consumer_message_release(m);
    m = kfk_share_consumer_poll(c, 1000); /* and again, not a hang */
    CHECK(m && m->err == KFK_ERR_UNSUPPORTED_VERSION);
    kfk_consumer_message_release(m);
    kfk_share_consumer_close(c);
}

#endif
