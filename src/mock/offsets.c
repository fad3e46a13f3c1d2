/* OffsetCommit and OffsetFetch for the mock: committed offsets per group,
 * topic and partition, kept until the group's topic is deleted or the
 * mock goes. Topics by name (versions before topic ids). */
#include <string.h>

#include "core/alloc.h"
#include "kfk.h"
#include "mock/mock_int.h"

static mock_offset *offset_find(mock_group *g, kfk_str topic, int32_t partition) {
    for (int32_t i = 0; i < g->noffsets; i++) {
        mock_offset *o = &g->offsets[i];
        if (o->partition == partition && strlen(o->topic) == (size_t)topic.len &&
            !memcmp(o->topic, topic.ptr, (size_t)topic.len))
            return o;
    }
    return NULL;
}

int16_t mock_offset_put(mock_group *g, kfk_str topic, int32_t partition, int64_t offset,
                        int32_t leader_epoch, kfk_str metadata) {
    mock_offset *o = offset_find(g, topic, partition);
    char *meta = metadata.len >= 0 ? mock_strdup(metadata) : NULL;
    if (metadata.len >= 0 && !meta) return KFK_ERR_UNKNOWN_SERVER_ERROR;
    if (!o) {
        if (g->noffsets == g->ocap) {
            int32_t cap = g->ocap ? g->ocap * 2 : 16;
            mock_offset *n = kfk_realloc(g->offsets, (size_t)cap * sizeof *n);
            if (!n) {
                kfk_free(meta);
                return KFK_ERR_UNKNOWN_SERVER_ERROR;
            }
            g->offsets = n;
            g->ocap = cap;
        }
        o = &g->offsets[g->noffsets];
        *o = (mock_offset){.topic = mock_strdup(topic), .partition = partition};
        if (!o->topic) {
            kfk_free(meta);
            return KFK_ERR_UNKNOWN_SERVER_ERROR;
        }
        g->noffsets++;
    }
    kfk_free(o->metadata);
    o->metadata = meta;
    o->offset = offset;
    o->leader_epoch = leader_epoch;
    return 0;
}

int mock_offset_commit(mock_ctx *c) {
    const kfk_offset_commit_request *q = c->req;
    kfk_offset_commit_response *r = c->resp;
    int16_t err = c->inj;
    mock_group *g = NULL;
    if (!err && mock_coordinator(c->m, q->group_id) != c->broker) err = KFK_ERR_NOT_COORDINATOR;
    if (!err && !(g = mock_group_get(c->m, q->group_id, 1)))
        err = q->group_id.len <= 0 ? KFK_ERR_INVALID_GROUP_ID : KFK_ERR_UNKNOWN_SERVER_ERROR;
    /* A commit outside any generation is for groups without members; a
     * KIP-848 member's carries its member epoch. */
    if (!err && g->consumer && (q->generation_id_or_member_epoch >= 0 || q->member_id.len > 0))
        err = mock_cmember_check(c->m, g, q->member_id, q->generation_id_or_member_epoch, c->now_ms);
    else if (!err && (q->generation_id_or_member_epoch >= 0 || q->member_id.len > 0))
        err = mock_member_check(g, q->member_id, q->generation_id_or_member_epoch, c->now_ms);
    else if (!err && g->ncmembers)
        err = KFK_ERR_UNKNOWN_MEMBER_ID;
    else if (!err && g->nmembers)
        err = g->state == MOCK_GROUP_PREPARING ? KFK_ERR_REBALANCE_IN_PROGRESS : KFK_ERR_UNKNOWN_MEMBER_ID;
    if (MOCK_ARRAY(c, r->topics, q->topics.count)) return KFK_ERR_NOMEM;
    int32_t nt = r->topics.count;
    for (int32_t i = 0; i < nt; i++) {
        const kfk_offset_commit_request_topic *qt = &q->topics.items[i];
        kfk_offset_commit_response_topic *rt = &r->topics.items[i];
        rt->name = qt->name;
        const mock_topic *t = mock_topic_find(c->m, qt->name);
        if (MOCK_ARRAY(c, rt->partitions, qt->partitions.count)) return KFK_ERR_NOMEM;
        int32_t np = rt->partitions.count;
        for (int32_t j = 0; j < np; j++) {
            const kfk_offset_commit_request_partition *qp = &qt->partitions.items[j];
            rt->partitions.items[j].partition_index = qp->partition_index;
            int16_t e = err;
            if (!e && (!t || qp->partition_index < 0 || qp->partition_index >= t->nparts))
                e = KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION;
            if (!e)
                e = mock_offset_put(g, qt->name, qp->partition_index, qp->committed_offset,
                                    qp->committed_leader_epoch, qp->committed_metadata);
            rt->partitions.items[j].error_code = e;
        }
    }
    return KFK_MOCK_REPLY;
}

/* One partition's committed offset into the fields of either layout. */
static void fill(mock_group *g, kfk_str topic, int32_t partition, int64_t *offset, int32_t *epoch,
                 kfk_str *meta) {
    mock_offset *o = g ? offset_find(g, topic, partition) : NULL;
    *offset = o ? o->offset : -1;
    *epoch = o ? o->leader_epoch : -1;
    *meta = o ? kfk_str_of(o->metadata) : (kfk_str){"", 0};
}

/* Every partition the group committed for, as a list of (topic, partition)
 * grouped by topic: the answer when a request names no topics. */
static int32_t topics_of(const mock_group *g, const char **names, int32_t cap) {
    int32_t n = 0;
    for (int32_t i = 0; g && i < g->noffsets; i++) {
        int seen = 0;
        for (int32_t j = 0; j < n && !seen; j++) seen = !strcmp(names[j], g->offsets[i].topic);
        if (!seen && n < cap) names[n++] = g->offsets[i].topic;
    }
    return n;
}

static int fetch_group_v8(mock_ctx *c, const kfk_offset_fetch_request_group *qg,
                          kfk_offset_fetch_response_group *rg) {
    rg->group_id = qg->group_id;
    if (c->inj || mock_coordinator(c->m, qg->group_id) != c->broker) {
        rg->error_code = c->inj ? c->inj : KFK_ERR_NOT_COORDINATOR;
        return 0;
    }
    mock_group *g = mock_group_get(c->m, qg->group_id, 0);
    int stable = ((const kfk_offset_fetch_request *)c->req)->require_stable;
    /* v9: a KIP-848 member reads with its member epoch. */
    if (g && g->consumer && qg->member_id.len > 0 &&
        (rg->error_code = mock_cmember_check(c->m, g, qg->member_id, qg->member_epoch, c->now_ms)))
        return 0;
    const char **all = NULL;
    int32_t nt = qg->topics.count;
    if (nt < 0) {
        all = kfk_arena_array(c->a, (size_t)(g ? g->noffsets : 0) + 1, sizeof *all);
        if (!all) return KFK_ERR_NOMEM;
        nt = topics_of(g, all, g ? g->noffsets : 0);
    }
    if (MOCK_ARRAY(c, rg->topics, nt)) return KFK_ERR_NOMEM;
    for (int32_t i = 0; i < nt; i++) {
        kfk_offset_fetch_response_topics *rt = &rg->topics.items[i];
        rt->name = all ? kfk_str_of(all[i]) : qg->topics.items[i].name;
        int32_t np = all ? 0 : qg->topics.items[i].partition_indexes.count;
        for (int32_t k = 0; all && k < g->noffsets; k++) np += !strcmp(g->offsets[k].topic, all[i]);
        if (MOCK_ARRAY(c, rt->partitions, np)) return KFK_ERR_NOMEM;
        for (int32_t j = 0, k = 0; j < np; j++) {
            kfk_offset_fetch_response_partitions *rp = &rt->partitions.items[j];
            if (all) {
                while (strcmp(g->offsets[k].topic, all[i])) k++;
                rp->partition_index = g->offsets[k++].partition;
            } else {
                rp->partition_index = qg->topics.items[i].partition_indexes.items[j];
            }
            fill(g, rt->name, rp->partition_index, &rp->committed_offset, &rp->committed_leader_epoch,
                 &rp->metadata);
            /* v7+: a reader that wants stable offsets waits for an open
             * transaction's. */
            if (stable && mock_txn_pending(c->m, qg->group_id, rt->name, rp->partition_index))
                rp->error_code = KFK_ERR_UNSTABLE_OFFSET_COMMIT;
        }
    }
    return 0;
}

/* Before v8 a request names one group: answered as that group's v8 entry. */
static int fetch_v7(mock_ctx *c) {
    const kfk_offset_fetch_request *q = c->req;
    kfk_offset_fetch_response *r = c->resp;
    kfk_offset_fetch_request_group qg = {.group_id = q->group_id, .member_id = {NULL, -1},
                                         .member_epoch = -1};
    if (MOCK_ARRAY(c, qg.topics, q->topics.count)) return KFK_ERR_NOMEM;
    if (q->topics.count < 0) qg.topics.count = -1;
    for (int32_t i = 0; i < qg.topics.count; i++) {
        qg.topics.items[i].name = q->topics.items[i].name;
        qg.topics.items[i].partition_indexes.items = q->topics.items[i].partition_indexes.items;
        qg.topics.items[i].partition_indexes.count = q->topics.items[i].partition_indexes.count;
    }
    kfk_offset_fetch_response_group rg = {0};
    if (fetch_group_v8(c, &qg, &rg) || MOCK_ARRAY(c, r->topics, rg.topics.count)) return KFK_ERR_NOMEM;
    r->error_code = rg.error_code;
    for (int32_t i = 0; i < rg.topics.count; i++) {
        const kfk_offset_fetch_response_topics *from = &rg.topics.items[i];
        kfk_offset_fetch_response_topic *to = &r->topics.items[i];
        to->name = from->name;
        if (MOCK_ARRAY(c, to->partitions, from->partitions.count)) return KFK_ERR_NOMEM;
        for (int32_t j = 0; j < from->partitions.count; j++) {
            const kfk_offset_fetch_response_partitions *fp = &from->partitions.items[j];
            kfk_offset_fetch_response_partition *tp = &to->partitions.items[j];
            tp->partition_index = fp->partition_index;
            tp->committed_offset = fp->committed_offset;
            tp->committed_leader_epoch = fp->committed_leader_epoch;
            tp->metadata = fp->metadata;
            tp->error_code = fp->error_code;
        }
    }
    return KFK_MOCK_REPLY;
}

int mock_offset_fetch(mock_ctx *c) {
    const kfk_offset_fetch_request *q = c->req;
    kfk_offset_fetch_response *r = c->resp;
    if (c->version < 8) return fetch_v7(c);
    if (MOCK_ARRAY(c, r->groups, q->groups.count)) return KFK_ERR_NOMEM;
    int32_t n = r->groups.count;
    for (int32_t i = 0; i < n; i++)
        if (fetch_group_v8(c, &q->groups.items[i], &r->groups.items[i])) return KFK_ERR_NOMEM;
    return KFK_MOCK_REPLY;
}
