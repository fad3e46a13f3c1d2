/* Metadata, FindCoordinator and InitProducerId (idempotent producers;
 * transactional ones in txn.c) for the mock cluster. */
#include <string.h>

#include "kfk.h"
#include "mock/mock_int.h"

static int fill_topic(mock_ctx *c, kfk_metadata_response_topic *rt, const mock_topic *t) {
    rt->name = (kfk_str){t->name, (int32_t)strlen(t->name)};
    rt->topic_id = t->id;
    rt->error_code = c->inj ? c->inj : t->err;
    if (MOCK_ARRAY(c, rt->partitions, t->nparts)) return KFK_ERR_NOMEM;
    for (int32_t i = 0; i < t->nparts; i++) {
        const mock_part *p = &t->parts[i];
        kfk_metadata_response_partition *rp = &rt->partitions.items[i];
        rp->partition_index = i;
        rp->leader_id = p->leader;
        rp->leader_epoch = p->leader_epoch;
        /* Encoding only reads: the arrays can point at the state. */
        rp->replica_nodes.items = p->replicas;
        rp->replica_nodes.count = p->nreplicas;
        rp->isr_nodes.items = p->replicas;
        rp->isr_nodes.count = p->nreplicas;
    }
    return 0;
}

int mock_metadata(mock_ctx *c) {
    const kfk_metadata_request *q = c->req;
    kfk_metadata_response *r = c->resp;
    kfk_mock *m = c->m;
    if (MOCK_ARRAY(c, r->brokers, m->nbrokers)) return KFK_ERR_NOMEM;
    for (int32_t i = 0; i < m->nbrokers; i++) {
        r->brokers.items[i].node_id = m->brokers[i].id;
        r->brokers.items[i].host = kfk_str_of(m->host);
        r->brokers.items[i].port = m->brokers[i].port;
        r->brokers.items[i].rack = m->brokers[i].rack ? kfk_str_of(m->brokers[i].rack) : (kfk_str){NULL, -1};
    }
    r->cluster_id = kfk_str_of(m->cluster_id);
    r->controller_id = 1;
    r->error_code = c->inj;
    /* v0 asks for every topic with an empty list, later versions with null. */
    int all = q->topics.count < 0 || (c->version == 0 && q->topics.count == 0);
    int32_t n = all ? m->ntopics : q->topics.count;
    if (MOCK_ARRAY(c, r->topics, n)) return KFK_ERR_NOMEM;
    for (int32_t i = 0; i < n; i++) {
        kfk_metadata_response_topic *rt = &r->topics.items[i];
        rt->topic_authorized_operations = INT32_MIN;
        const mock_topic *t = NULL;
        if (all) {
            t = m->topics[i];
        } else {
            const kfk_metadata_request_topic *qt = &q->topics.items[i];
            rt->name = qt->name;
            rt->topic_id = qt->topic_id;
            if (qt->name.len >= 0) {
                t = mock_topic_find(m, qt->name);
                mock_topic *made = NULL;
                if (!t && !c->inj && (c->version < 4 || q->allow_auto_topic_creation)) {
                    int err = mock_topic_add(m, qt->name, 1, 1, &made);
                    if (err == KFK_ERR_UNKNOWN_SERVER_ERROR) return KFK_ERR_NOMEM;
                    rt->error_code = (int16_t)err;
                    t = made;
                    if (err) continue;
                }
                if (!t) rt->error_code = KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION;
            } else {
                t = mock_topic_find_id(m, &qt->topic_id);
                if (!t) rt->error_code = KFK_ERR_UNKNOWN_TOPIC_ID;
            }
        }
        if (t && fill_topic(c, rt, t) != 0) return KFK_ERR_NOMEM;
    }
    return KFK_MOCK_REPLY;
}

int mock_find_coordinator(mock_ctx *c) {
    const kfk_find_coordinator_request *q = c->req;
    kfk_find_coordinator_response *r = c->resp;
    if (c->version < 4) {
        const mock_broker *b = mock_broker_get(c->m, mock_coordinator_of(c->m, q->key_type, q->key));
        r->error_code = c->inj;
        r->node_id = c->inj ? -1 : b->id;
        r->host = c->inj ? kfk_str_of("") : kfk_str_of(c->m->host);
        r->port = c->inj ? -1 : b->port;
        return KFK_MOCK_REPLY;
    }
    if (MOCK_ARRAY(c, r->coordinators, q->coordinator_keys.count)) return KFK_ERR_NOMEM;
    int32_t n = r->coordinators.count;
    for (int32_t i = 0; i < n; i++) {
        kfk_find_coordinator_response_coordinator *rc = &r->coordinators.items[i];
        const mock_broker *b = 
            mock_broker_get(c->m, mock_coordinator_of(c->m, q->key_type, q->coordinator_keys.items[i]));
        rc->key = q->coordinator_keys.items[i];
        rc->error_code = c->inj;
        rc->error_message = (kfk_str){NULL, -1};
        rc->node_id = c->inj ? -1 : b->id;
        rc->host = c->inj ? kfk_str_of("") : kfk_str_of(c->m->host);
        rc->port = c->inj ? -1 : b->port;
    }
    return KFK_MOCK_REPLY;
}

int mock_init_producer_id(mock_ctx *c) {
    const kfk_init_producer_id_request *q = c->req;
    kfk_init_producer_id_response *r = c->resp;
    if (q->transactional_id.len >= 0) return mock_txn_init_producer_id(c);
    r->error_code = c->inj;
    if (c->inj) return KFK_MOCK_REPLY;
    /* A producer that names its id asks for an epoch bump (KIP-360). */
    if (q->producer_id >= 0 && q->producer_id < c->m->next_pid && q->producer_epoch >= 0 &&
        q->producer_epoch < INT16_MAX) {
        r->producer_id = q->producer_id;
        r->producer_epoch = (int16_t)(q->producer_epoch + 1);
    } else {
        r->producer_id = c->m->next_pid++;
        r->producer_epoch = 0;
    }
    return KFK_MOCK_REPLY;
}
