/* Partition-level operations: ListOffsets and DeleteRecords (one request
 * per partition, to its leader; NOT_LEADER and the like are retried after
 * a metadata refresh) and ElectLeaders (one request to any broker). */
#include <stdio.h>

#include "admin/admin_int.h"

static void list_finish(kfk_aop *op) { kfk_ares_list_done(op->res); }

static void on_partition_error(kfk_asub *s, int err, const char *errstr) {
    (void)errstr;
    s->op->res->partitions->elems[s->index].err = err;
}

/* A leader request for element i of the result's list. */
static kfk_asub *leader_sub(kfk_aop *op, int i, int (*on_response)(kfk_asub *, kfk_response *)) {
    kfk_asub *s = kfk_asub_new(op, on_response, on_partition_error);
    if (!s) return NULL;
    kfk_partition *e = &op->res->partitions->elems[i];
    s->index = i;
    s->r.dest = KFK_DEST_LEADER;
    s->r.topic = e->topic;
    s->r.partition = e->partition;
    return s;
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

int kfk_admin_offset_decode(kfk_response *resp, int64_t *offset, int64_t *timestamp,
                            int32_t *leader_epoch) {
    kfk_arena a = {0};
    kfk_list_offsets_response m;
    int err = kfk_list_offsets_response_decode(&resp->body, resp->version, &a, &m);
    if (!err && (m.topics.count != 1 || m.topics.items[0].partitions.count != 1))
        err = KFK_ERR_MALFORMED;
    if (!err) {
        kfk_list_offsets_response_partition_response *p = &m.topics.items[0].partitions.items[0];
        err = p->error_code;
        *offset = p->offset;
        *timestamp = p->timestamp;
        *leader_epoch = p->leader_epoch;
    }
    kfk_arena_reset(&a);
    return err;
}

kfk_asub *kfk_admin_offset_sub(kfk_aop *op, const char *topic, int32_t partition,
                               int64_t timestamp, int (*on_response)(kfk_asub *, kfk_response *),
                               void (*on_error)(kfk_asub *, int, const char *)) {
    kfk_list_offsets_request *m = kfk_arena_alloc(&op->arena, sizeof *m);
    kfk_list_offsets_request_topic *t = kfk_arena_alloc(&op->arena, sizeof *t);
    kfk_list_offsets_request_partition *p = kfk_arena_alloc(&op->arena, sizeof *p);
    if (!m || !t || !p) {
        kfk_aop_error(op, KFK_ERR_NOMEM, NULL);
        return NULL;
    }
    kfk_list_offsets_request_init(m);
    m->replica_id = -1; /* a client, not a follower */
    m->topics.items = t;
    m->topics.count = 1;
    t->name = kfk_astr(topic);
    t->partitions.items = p;
    t->partitions.count = 1;
    *p = (kfk_list_offsets_request_partition){.partition_index = partition,
                                              .current_leader_epoch = -1,
                                              .timestamp = timestamp,
                                              .max_num_offsets = 1};
    kfk_asub *s = kfk_asub_new(op, on_response, on_error);
    if (!s) return NULL;
    s->r.dest = KFK_DEST_LEADER;
    s->r.topic = topic;
    s->r.partition = partition;
    /* the largest timestamp (-3) needs v7 */
    s->r.req = (kfk_request){.api_key = KFK_API_LIST_OFFSETS,
                             .min_version = timestamp == -3 ? 7 : 1,
                             .max_version = -1,
                             .msg = m};
    return s;
}

static int on_list_offsets(kfk_asub *s, kfk_response *resp) {
    kfk_partition *e = &s->op->res->partitions->elems[s->index];
    int64_t offset, ts;
    int32_t epoch;
    int err = kfk_admin_offset_decode(resp, &offset, &ts, &epoch);
    if (err) return err;
    e->offset = offset;
    e->timestamp = ts;
    e->leader_epoch = epoch;
    return 0;
}

static void start_list_offsets(kfk_aop *op) {
    kfk_partition_list *l = op->res->partitions;
    for (int i = 0; i < l->count; i++) {
        kfk_partition *e = &l->elems[i];
        kfk_asub *s = kfk_admin_offset_sub(op, e->topic, e->partition, wire_timestamp(e),
                                           on_list_offsets, on_partition_error);
        if (!s) return;
        s->index = i;
        kfk_asub_send(s);
    }
}

static int check_list(const kfk_partition_list *l) {
    if (!l || l->count <= 0) return KFK_ERR_INVALID_ARG;
    for (int i = 0; i < l->count; i++)
        if (!l->elems[i].topic || l->elems[i].partition < 0) return KFK_ERR_INVALID_ARG;
    return 0;
}

static kfk_admin_result *run_on_list(kfk_aop *op, const kfk_partition_list *list) {
    if (check_list(list))
        return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "no partitions, or one without a topic");
    if (kfk_ares_copy_list(op->res, list)) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    op->finish = list_finish;
    return kfk_aop_run(op);
}

kfk_admin_result *kfk_admin_list_offsets(kfk_admin *a, const kfk_partition_list *list,
                                         const kfk_admin_options *o, kfk_admin_cb cb,
                                         void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_list_offsets);
    if (!op) return kfk_aop_nomem(cb, opaque);
    return run_on_list(op, list);
}

/* ---------------------------------------------------------- delete records */

static int on_delete_records(kfk_asub *s, kfk_response *resp) {
    kfk_partition *e = &s->op->res->partitions->elems[s->index];
    kfk_arena a = {0};
    kfk_delete_records_response m;
    int err = kfk_delete_records_response_decode(&resp->body, resp->version, &a, &m);
    if (!err && (m.topics.count != 1 || m.topics.items[0].partitions.count != 1))
        err = KFK_ERR_MALFORMED;
    if (!err) {
        kfk_delete_records_response_partition_result *p = &m.topics.items[0].partitions.items[0];
        err = p->error_code;
        e->err = err;
        if (!err) e->offset = p->low_watermark;
    }
    kfk_arena_reset(&a);
    return err;
}

static void start_delete_records(kfk_aop *op) {
    kfk_partition_list *l = op->res->partitions;
    int32_t timeout = (int32_t)(op->deadline - kfk_io_now(op->admin->io));
    for (int i = 0; i < l->count; i++) {
        kfk_partition *e = &l->elems[i];
        kfk_delete_records_request *m = kfk_arena_alloc(&op->arena, sizeof *m);
        kfk_delete_records_request_topic *t = kfk_arena_alloc(&op->arena, sizeof *t);
        kfk_delete_records_request_partition *p = kfk_arena_alloc(&op->arena, sizeof *p);
        if (!m || !t || !p) {
            kfk_aop_error(op, KFK_ERR_NOMEM, NULL);
            return;
        }
        kfk_delete_records_request_init(m);
        m->timeout_ms = timeout > 0 ? timeout : 1;
        m->topics.items = t;
        m->topics.count = 1;
        t->name = kfk_astr(e->topic);
        t->partitions.items = p;
        t->partitions.count = 1;
        /* -1 is the high watermark on the wire too */
        p->partition_index = e->partition;
        p->offset = e->offset == KFK_OFFSET_END ? -1 : e->offset;
        kfk_asub *s = leader_sub(op, i, on_delete_records);
        if (!s) return;
        s->r.req = (kfk_request){.api_key = KFK_API_DELETE_RECORDS, .min_version = 0,
                                 .max_version = -1, .msg = m};
        kfk_asub_send(s);
    }
}

kfk_admin_result *kfk_admin_delete_records(kfk_admin *a, const kfk_partition_list *list,
                                           const kfk_admin_options *o, kfk_admin_cb cb,
                                           void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_delete_records);
    if (!op) return kfk_aop_nomem(cb, opaque);
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
            m->topic_partitions.items[i].topic = kfk_astr(l->elems[i].topic);
            m->topic_partitions.items[i].partitions.items = &ids[i];
            m->topic_partitions.items[i].partitions.count = 1;
        }
        m->topic_partitions.count = l->count;
    }
    op->ctx = m;
    op->finish = list_finish;
    return kfk_aop_run(op);
}
