/* Helpers shared by the failover tests on a three-node cluster: the
 * environment they need, topics replicated three times, and the cluster
 * control command (kill, start, stop-signal a node). Header-only. */
#ifndef KFK_FAILOVER_IT_H
#define KFK_FAILOVER_IT_H

#include <stdlib.h>

#include "it.h"

/* The variable's value; a test failure when it is unset or empty. */
static inline const char *fit_env(const char *name) {
    const char *v = getenv(name);
    if (!v || !*v) kfk_test_fail(__FILE__, __LINE__, "%s is not set", name);
    return v && *v ? v : NULL;
}

/* Creates the topic t describes, and waits until the client's metadata
 * knows it. */
static inline int fit_create(kfk_core *c, kfk_create_topics_request_creatable_topic *t) {
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)t->name.len, t->name.ptr);
    kfk_create_topics_request m;
    kfk_create_topics_request_init(&m);
    m.topics.items = t;
    m.topics.count = 1;
    m.timeout_ms = 15000;
    kfk_core_req r = {.dest = KFK_DEST_ANY};
    r.req = (kfk_request){.api_key = KFK_API_CREATE_TOPICS, .min_version = 4, .max_version = -1,
                          .msg = &m};
    char err[256] = "";
    int rc = kfk_core_send_wait(c, &r, it_create_topics_decode, NULL, err, sizeof err);
    const char *topics[1] = {name};
    if (!rc) rc = kfk_core_metadata_wait(c, topics, 1, 30000, NULL, err, sizeof err);
    if (rc) kfk_test_fail(__FILE__, __LINE__, "create %s: %s", name, err);
    return rc;
}

/* Creates topic with partitions and replication factor 3. */
static inline int fit_create_rf3(kfk_core *c, const char *name, int partitions) {
    kfk_create_topics_request_creatable_topic t = {.name = {name, (int32_t)strlen(name)},
                                                   .num_partitions = partitions,
                                                   .replication_factor = 3};
    return fit_create(c, &t);
}

static inline int fit_on_find(void *opaque, kfk_response *resp) {
    kfk_arena a = {0};
    kfk_find_coordinator_response m;
    int rc = kfk_find_coordinator_response_decode(&resp->body, resp->version, &a, &m);
    if (!rc) rc = m.coordinators.count == 1 ? m.coordinators.items[0].error_code : -1;
    if (!rc) *(int32_t *)opaque = m.coordinators.items[0].node_id;
    kfk_arena_reset(&a);
    return rc;
}

/* The leader metadata names for topic's partition; -1 if none. */
static inline int32_t fit_leader_of(kfk_core *c, const char *topic, int32_t partition) {
    kfk_metadata *md = kfk_core_metadata(c);
    const kfk_md_topic *t = kfk_metadata_topic(md, topic);
    const kfk_md_partition *p = t ? kfk_metadata_partition(t, partition) : NULL;
    int32_t leader = p ? p->leader : -1;
    kfk_metadata_unref(md);
    return leader;
}

/* The coordinator node of key (key_type 0: a group, 1: a transactional
 * id), or -1. */
static inline int32_t fit_coordinator_of(kfk_core *c, const char *key_str, int8_t key_type) {
    kfk_str key = {key_str, (int32_t)strlen(key_str)};
    kfk_find_coordinator_request m;
    kfk_find_coordinator_request_init(&m);
    m.key_type = key_type;
    m.coordinator_keys.items = &key;
    m.coordinator_keys.count = 1;
    kfk_core_req r = {.dest = KFK_DEST_ANY};
    r.req = (kfk_request){.api_key = KFK_API_FIND_COORDINATOR, .min_version = 4,
                          .max_version = -1, .msg = &m};
    int32_t node = -1;
    char err[256];
    return kfk_core_send_wait(c, &r, fit_on_find, &node, err, sizeof err) ? -1 : node;
}

/* The group's coordinator node, or -1. */
static inline int32_t fit_coordinator(kfk_core *c, const char *group) {
    return fit_coordinator_of(c, group, 0);
}

/* Runs `<KFK_CLUSTER_CTL> verb node --nodes 3`; its exit status. */
static inline int fit_ctl(const char *prefix, const char *verb, int node) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s %s %d --nodes 3 >/dev/null 2>&1", prefix, verb, node);
    return system(cmd);
}

#endif
