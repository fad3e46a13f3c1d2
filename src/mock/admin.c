/* CreateTopics, DeleteTopics and CreatePartitions for the mock: any broker
 * acts as the controller. */
#include <string.h>

#include "kfk.h"
#include "mock/mock_int.h"

/* Explicit assignments: one partition per entry, replicas as given. */
static int16_t check_assignments(const kfk_mock *m, const kfk_create_topics_request_creatable_topic *qt) {
    if (qt->num_partitions != -1 || qt->replication_factor != -1) return KFK_ERR_INVALID_REQUEST;
    for (int32_t i = 0; i < qt->assignments.count; i++) {
        const kfk_create_topics_request_creatable_replica_assignment *as = &qt->assignments.items[i];
        if (as->partition_index != i || as->broker_ids.count < 1 ||
            as->broker_ids.count != qt->assignments.items[0].broker_ids.count)
            return KFK_ERR_INVALID_REPLICA_ASSIGNMENT;
        for (int32_t j = 0; j < as->broker_ids.count; j++)
            if (!mock_broker_get(m, as->broker_ids.items[j])) return KFK_ERR_INVALID_REPLICA_ASSIGNMENT;
    }
    return 0;
}

static void apply_assignments(mock_topic *t, const kfk_create_topics_request_creatable_topic *qt) {
    for (int32_t i = 0; i < t->nparts; i++) {
        const kfk_create_topics_request_creatable_replica_assignment *as = &qt->assignments.items[i];
        memcpy(t->parts[i].replicas, as->broker_ids.items, (size_t)as->broker_ids.count * sizeof(int32_t));
        t->parts[i].leader = as->broker_ids.items[0];
    }
}

int mock_create_topics(mock_ctx *c) {
    const kfk_create_topics_request *q = c->req;
    kfk_create_topics_response *r = c->resp;
    if (MOCK_ARRAY(c, r->topics, q->topics.count)) return KFK_ERR_NOMEM;
    int32_t nt = r->topics.count;
    for (int32_t i = 0; i < nt; i++) {
        const kfk_create_topics_request_creatable_topic *qt = &q->topics.items[i];
        kfk_create_topics_response_creatable_topic_result *rt = &r->topics.items[i];
        rt->name = qt->name;
        rt->error_message = (kfk_str){NULL, -1};
        rt->num_partitions = -1;
        rt->replication_factor = -1;
        rt->configs.count = -1;
        int32_t parts = qt->num_partitions;
        int16_t rf = qt->replication_factor;
        int16_t err = c->inj;
        if (!err && qt->assignments.count > 0) {
            err = check_assignments(c->m, qt);
            parts = qt->assignments.count;
            rf = (int16_t)qt->assignments.items[0].broker_ids.count;
        }
        if (!err && q->validate_only) {
            if (mock_topic_find(c->m, qt->name)) err = KFK_ERR_TOPIC_ALREADY_EXISTS;
        } else if (!err) {
            mock_topic *t = NULL;
            err = (int16_t)mock_topic_add(c->m, qt->name, parts, rf, &t);
            if (err == KFK_ERR_UNKNOWN_SERVER_ERROR) return KFK_ERR_NOMEM;
            if (t) {
                if (qt->assignments.count > 0) apply_assignments(t, qt);
                rt->topic_id = t->id;
                rt->num_partitions = t->nparts;
                rt->replication_factor = (int16_t)t->parts[0].nreplicas;
                rt->configs.count = 0;
            }
        }
        rt->error_code = err;
    }
    return KFK_MOCK_REPLY;
}

int mock_delete_topics(mock_ctx *c) {
    const kfk_delete_topics_request *q = c->req;
    kfk_delete_topics_response *r = c->resp;
    int by_state = c->version >= 6;
    int32_t nt = by_state ? q->topics.count : q->topic_names.count;
    if (nt < 0) nt = 0;
    if (MOCK_ARRAY(c, r->responses, nt)) return KFK_ERR_NOMEM;
    for (int32_t i = 0; i < nt; i++) {
        kfk_delete_topics_response_deletable_topic_result *rt = &r->responses.items[i];
        rt->error_message = (kfk_str){NULL, -1};
        mock_topic *t;
        if (by_state) {
            const kfk_delete_topics_request_delete_topic_state *s = &q->topics.items[i];
            rt->name = s->name;
            rt->topic_id = s->topic_id;
            t = s->name.len >= 0 ? mock_topic_find(c->m, s->name) : mock_topic_find_id(c->m, &s->topic_id);
        } else {
            rt->name = q->topic_names.items[i];
            t = mock_topic_find(c->m, rt->name);
        }
        if (c->inj) rt->error_code = c->inj;
        else if (!t)
            rt->error_code = by_state && rt->name.len < 0 ? KFK_ERR_UNKNOWN_TOPIC_ID
                                                          : KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION;
        else {
            /* The answer names it: keep the name before the topic goes. */
            if (rt->name.len < 0) rt->name = kfk_arena_str(c->a, t->name);
            rt->error_code = (int16_t)mock_topic_delete(c->m, t);
        }
    }
    return KFK_MOCK_REPLY;
}

int mock_create_partitions(mock_ctx *c) {
    const kfk_create_partitions_request *q = c->req;
    kfk_create_partitions_response *r = c->resp;
    if (MOCK_ARRAY(c, r->results, q->topics.count)) return KFK_ERR_NOMEM;
    int32_t nt = r->results.count;
    for (int32_t i = 0; i < nt; i++) {
        const kfk_create_partitions_request_topic *qt = &q->topics.items[i];
        kfk_create_partitions_response_topic_result *rt = &r->results.items[i];
        rt->name = qt->name;
        rt->error_message = (kfk_str){NULL, -1};
        mock_topic *t = mock_topic_find(c->m, qt->name);
        if (c->inj) rt->error_code = c->inj;
        else if (!t) rt->error_code = KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION;
        else if (qt->count <= t->nparts) rt->error_code = KFK_ERR_INVALID_PARTITIONS;
        else if (!q->validate_only) rt->error_code = (int16_t)mock_topic_grow(c->m, t, qt->count);
    }
    return KFK_MOCK_REPLY;
}
