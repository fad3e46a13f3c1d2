/* Partition-level operations: ListOffsets and DeleteRecords (one request
 * per leader, carrying every partition it leads: see leaders.c) and
 * ElectLeaders (one request to any broker). */
#include <stdio.h>

#include "admin/admin_int.h"

static void list_finish(kfk_aop *op) { kfk_ares_list_done(op->res); }

static int check_list(const kfk_partition_list *l) {
    if (!l || l->count <= 0) return KFK_ERR_INVALID_ARG;
    for (int i = 0; i < l->count; i++)
        if (!l->elems[i].topic || l->elems[i].partition < 0) return KFK_ERR_INVALID_ARG;
    return 0;
}

/* What ListOffsets and DeleteRecords differ in: the request, and what it
 * asks of each element (a wire timestamp, an offset). */
typedef struct list_ctx {
    const kfk_apart_api *api;
    int64_t (*arg)(const kfk_partition *e);
} list_ctx;

/* Asks every element of the result's list of its leader. */
static void start_on_list(kfk_aop *op) {
    const list_ctx *ctx = op->ctx;
    kfk_partition_list *l = op->res->partitions;
    kfk_apart *parts = kfk_aparts_of_list(op, l);
    if (!parts) {
        kfk_aop_error(op, KFK_ERR_NOMEM, NULL);
        return;
    }
    for (int i = 0; i < l->count; i++) parts[i].arg = ctx->arg(&l->elems[parts[i].index]);
    kfk_aparts_send(op, ctx->api, parts, l->count);
}

static kfk_admin_result *run_on_list(kfk_aop *op, const kfk_partition_list *list) {
    if (check_list(list))
        return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "no partitions, or one without a topic");
    if (kfk_ares_copy_list(op->res, list)) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    op->finish = list_finish;
    return kfk_aop_run(op);
}

/* ----------------------------------------------------------- list offsets */

static int64_t wire_timestamp(const kfk_partition *e) {
    switch (e->offset) {
    case KFK_OFFSET_BEGINNING: return -2;
    case KFK_OFFSET_END: return -1;
    case KFK_OFFSET_MAX_TIMESTAMP: return -3;
    default: return e->timestamp;
    }
}

void *kfk_admin_list_offsets_build(kfk_aop *op, const kfk_apart *parts, int n,
                                   int16_t *min_version) {
    static const kfk_alayout lay =
        KFK_ALAYOUT(kfk_list_offsets_request, kfk_list_offsets_request_topic,
                    kfk_list_offsets_request_partition, topics, partitions);
    kfk_list_offsets_request *m = kfk_arena_alloc(&op->arena, sizeof *m);
    if (!m) return NULL;
    kfk_list_offsets_request_init(m);
    m->replica_id = -1; /* a client, not a follower */
    kfk_list_offsets_request_partition *ps = kfk_aparts_topics(op, parts, n, m, &lay);
    if (!ps) return NULL;
    *min_version = 1;
    for (int i = 0; i < n; i++) {
        ps[i] = (kfk_list_offsets_request_partition){.partition_index = parts[i].partition,
                                                     .current_leader_epoch = -1,
                                                     .timestamp = parts[i].arg,
                                                     .max_num_offsets = 1};
        if (parts[i].arg == -3) *min_version = 7; /* the largest timestamp */
    }
    return m;
}

static void on_offset(kfk_aop *op, int index, int err, const void *answer) {
    kfk_partition *e = &op->res->partitions->elems[index];
    const kfk_list_offsets_response_partition_response *p = answer;
    e->err = err;
    if (err) return;
    e->offset = p->offset;
    e->timestamp = p->timestamp;
    e->leader_epoch = p->leader_epoch;
}

static const kfk_apart_api list_offsets_api = KFK_LIST_OFFSETS_API(on_offset);
static const list_ctx list_offsets_ctx = {&list_offsets_api, wire_timestamp};

kfk_admin_result *kfk_admin_list_offsets(kfk_admin *a, const kfk_partition_list *list,
                                         const kfk_admin_options *o, kfk_admin_cb cb,
                                         void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_on_list);
    if (!op) return kfk_aop_nomem(cb, opaque);
    op->ctx = (void *)&list_offsets_ctx;
    return run_on_list(op, list);
}

/* ---------------------------------------------------------- delete records */

static int32_t op_timeout(const kfk_aop *op) {
    int64_t left = op->deadline - kfk_io_clock();
    return left > 0 ? (int32_t)left : 1;
}

static void *build_delete_records(kfk_aop *op, const kfk_apart *parts, int n,
                                  int16_t *min_version) {
    static const kfk_alayout lay =
        KFK_ALAYOUT(kfk_delete_records_request, kfk_delete_records_request_topic,
                    kfk_delete_records_request_partition, topics, partitions);
    kfk_delete_records_request *m = kfk_arena_alloc(&op->arena, sizeof *m);
    if (!m) return NULL;
    kfk_delete_records_request_init(m);
    m->timeout_ms = op_timeout(op);
    kfk_delete_records_request_partition *ps = kfk_aparts_topics(op, parts, n, m, &lay);
    if (!ps) return NULL;
    *min_version = 0;
    for (int i = 0; i < n; i++)
        ps[i] = (kfk_delete_records_request_partition){.partition_index = parts[i].partition,
                                                       .offset = parts[i].arg};
    return m;
}

static void on_deleted(kfk_aop *op, int index, int err, const void *answer) {
    kfk_partition *e = &op->res->partitions->elems[index];
    const kfk_delete_records_response_partition_result *p = answer;
    e->err = err;
    if (!err) e->offset = p->low_watermark;
}

/* -1 is the high watermark on the wire too */
static int64_t wire_offset(const kfk_partition *e) {
    return e->offset == KFK_OFFSET_END ? -1 : e->offset;
}

static const kfk_apart_api delete_records_api = {
    KFK_API_DELETE_RECORDS,
    build_delete_records,
    &kfk_delete_records_response_desc,
    KFK_ALAYOUT(kfk_delete_records_response, kfk_delete_records_response_topic_result,
                kfk_delete_records_response_partition_result, topics, partitions),
    offsetof(kfk_delete_records_response_partition_result, partition_index),
    offsetof(kfk_delete_records_response_partition_result, error_code),
    on_deleted};
static const list_ctx delete_records_ctx = {&delete_records_api, wire_offset};

kfk_admin_result *kfk_admin_delete_records(kfk_admin *a, const kfk_partition_list *list,
                                           const kfk_admin_options *o, kfk_admin_cb cb,
                                           void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_on_list);
    if (!op) return kfk_aop_nomem(cb, opaque);
    op->ctx = (void *)&delete_records_ctx;
    if (!check_list(list))
        for (int i = 0; i < list->count; i++)
            if (list->elems[i].offset < 0 && list->elems[i].offset != KFK_OFFSET_END)
                return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "an offset that is not one");
    return run_on_list(op, list);
}

/* ---------------------------------------------------------- elect leaders */

static int on_elect(kfk_asub *s, kfk_response *resp) {
    kfk_admin_result *r = s->op->res;
    kfk_arena a = {0};
    kfk_elect_leaders_response m;
    int err = kfk_elect_leaders_response_decode(&resp->body, resp->version, &a, &m);
    if (!err && m.error_code) err = m.error_code;
    if (!err && !r->partitions) {
        r->partitions = kfk_partition_list_new(8);
        if (!r->partitions) err = KFK_ERR_NOMEM;
    }
    for (int32_t i = 0; !err && i < m.replica_election_results.count; i++) {
        kfk_elect_leaders_response_replica_election_result *t =
            &m.replica_election_results.items[i];
        char topic[256];
        snprintf(topic, sizeof topic, "%.*s", (int)t->topic.len, t->topic.ptr);
        for (int32_t j = 0; !err && j < t->partition_result.count; j++) {
            kfk_elect_leaders_response_partition_result *p = &t->partition_result.items[j];
            kfk_partition *e = kfk_partition_list_find(r->partitions, topic, p->partition_id);
            if (!e) e = kfk_partition_list_add(r->partitions, topic, p->partition_id);
            if (!e)
                err = KFK_ERR_NOMEM;
            else
                e->err = p->error_code;
        }
    }
    kfk_arena_reset(&a);
    return err;
}

static void start_elect(kfk_aop *op) {
    kfk_asub *s = kfk_asub_new(op, on_elect, NULL);
    if (!s) return;
    kfk_elect_leaders_request *m = op->ctx;
    s->r.dest = KFK_DEST_ANY;
    s->r.req = (kfk_request){.api_key = KFK_API_ELECT_LEADERS,
                             .min_version = m->election_type ? 1 : 0,
                             .max_version = -1,
                             .msg = m};
    kfk_asub_send(s);
}

kfk_admin_result *kfk_admin_elect_leaders(kfk_admin *a, const kfk_partition_list *list,
                                          int unclean, const kfk_admin_options *o,
                                          kfk_admin_cb cb, void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_elect);
    if (!op) return kfk_aop_nomem(cb, opaque);
    if (list && check_list(list))
        return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "an empty list, or a partition without a topic");
    kfk_elect_leaders_request *m = kfk_arena_alloc(&op->arena, sizeof *m);
    if (!m || (list && kfk_ares_copy_list(op->res, list)))
        return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    kfk_elect_leaders_request_init(m);
    m->election_type = unclean ? 1 : 0;
    m->timeout_ms = (int32_t)(op->deadline - kfk_io_clock());
    m->topic_partitions.count = -1; /* null: every partition */
    if (list) {
        kfk_partition_list *l = op->res->partitions;
        m->topic_partitions.items =
            kfk_arena_array(&op->arena, (size_t)l->count, sizeof *m->topic_partitions.items);
        int32_t *ids = kfk_arena_array(&op->arena, (size_t)l->count, sizeof *ids);
        if (!m->topic_partitions.items || !ids) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
        /* one entry per partition: the broker groups them itself */
        for (int i = 0; i < l->count; i++) {
            ids[i] = l->elems[i].partition;
            m->topic_partitions.items[i].topic = kfk_str_of(l->elems[i].topic);
            m->topic_partitions.items[i].partitions.items = &ids[i];
            m->topic_partitions.items[i].partitions.count = 1;
        }
        m->topic_partitions.count = l->count;
    }
    op->ctx = m;
    op->finish = list_finish;
    return kfk_aop_run(op);
}
