#include "consumer/offsets_op.h"

#include <string.h>

#include "core/alloc.h"

static kfk_partition *find_elem(kfk_partition_list *l, kfk_str topic, int32_t partition) {
    for (int i = 0; i < l->count; i++) {
        kfk_partition *e = &l->elems[i];
        if (e->partition == partition && (int32_t)strlen(e->topic) == topic.len &&
            memcmp(e->topic, topic.ptr, (size_t)topic.len) == 0)
            return e;
    }
    return NULL;
}

/* The list's distinct topics in first-seen order, and the elements of each. */
static int first_of_topic(const kfk_partition_list *l, int i) {
    for (int j = 0; j < i; j++)
        if (strcmp(l->elems[j].topic, l->elems[i].topic) == 0) return 0;
    return 1;
}

/* Both layouts are filled: v1-7 (one group, topics by name) and v8+ (a
 * list of groups, topics by name or, from v10, by id); the version the
 * broker takes decides which goes out. */
static int build_fetch(kfk_offsets_op *op) {
    kfk_partition_list *l = op->list;
    kfk_offset_fetch_request *m = &op->fetch;
    kfk_offset_fetch_request_init(m);
    m->group_id = kfk_str_of(op->c->cc.group_id);
    /* KIP-447: under read_committed, a partition with offsets in a
     * transaction not yet ended answers UNSTABLE_OFFSET_COMMIT (retriable)
     * rather than the older offset, which would read its messages twice. */
    m->require_stable = op->c->cc.read_committed;
    m->topics.items = kfk_arena_array(&op->arena, (size_t)l->count, sizeof *m->topics.items);
    kfk_offset_fetch_request_group *g = kfk_arena_array(&op->arena, 1, sizeof *g);
    if (!m->topics.items || !g) return KFK_ERR_NOMEM;
    *g = (kfk_offset_fetch_request_group){.group_id = m->group_id,
                                          .member_id = kfk_str_of(NULL),
                                          .member_epoch = -1};
    g->topics.items = kfk_arena_array(&op->arena, (size_t)l->count, sizeof *g->topics.items);
    if (!g->topics.items) return KFK_ERR_NOMEM;
    m->groups.items = g;
    m->groups.count = 1;
    for (int i = 0; i < l->count; i++) {
        if (!first_of_topic(l, i)) continue;
        kfk_offset_fetch_request_topic *t = &m->topics.items[m->topics.count++];
        t->name = kfk_str_of(l->elems[i].topic);
        t->partition_indexes.items =
            kfk_arena_array(&op->arena, (size_t)l->count, sizeof(int32_t));
        if (!t->partition_indexes.items) return KFK_ERR_NOMEM;
        for (int j = i; j < l->count; j++)
            if (strcmp(l->elems[j].topic, l->elems[i].topic) == 0)
                t->partition_indexes.items[t->partition_indexes.count++] = l->elems[j].partition;
        g->topics.items[g->topics.count++] = (kfk_offset_fetch_request_topics){
            .name = t->name, .partition_indexes = {t->partition_indexes.items,
                                                   t->partition_indexes.count}};
    }
    op->cop.r.req = (kfk_request){.api_key = KFK_API_OFFSET_FETCH, .min_version = 1,
                                  .max_version = 9, .msg = m};
    return 0;
}

static int build_commit(kfk_offsets_op *op) {
    kfk_partition_list *l = op->list;
    kfk_offset_commit_request *m = &op->commit_msg;
    kfk_offset_commit_request_init(m);
    m->group_id = kfk_str_of(op->c->cc.group_id);
    m->generation_id_or_member_epoch = -1;
    m->member_id = (kfk_str){"", 0};
    m->topics.items = kfk_arena_array(&op->arena, (size_t)l->count, sizeof *m->topics.items);
    if (!m->topics.items) return KFK_ERR_NOMEM;
    for (int i = 0; i < l->count; i++) {
        if (!first_of_topic(l, i)) continue;
        kfk_offset_commit_request_topic *t = &m->topics.items[m->topics.count++];
        t->name = kfk_str_of(l->elems[i].topic);
        t->partitions.items =
            kfk_arena_array(&op->arena, (size_t)l->count, sizeof *t->partitions.items);
        if (!t->partitions.items) return KFK_ERR_NOMEM;
        for (int j = i; j < l->count; j++) {
            const kfk_partition *e = &l->elems[j];
            if (strcmp(e->topic, l->elems[i].topic)) continue;
            kfk_offset_commit_request_partition *p = &t->partitions.items[t->partitions.count++];
            p->commit_timestamp = -1;
            p->partition_index = e->partition;
            p->committed_offset = e->offset;
            p->committed_leader_epoch = e->leader_epoch;
            p->committed_metadata = e->metadata ? kfk_str_of(e->metadata) : (kfk_str){"", 0};
        }
    }
    /* v1 is gone from Kafka 4; v10 (topics by id) once ids are known. */
    op->cop.r.req = (kfk_request){.api_key = KFK_API_OFFSET_COMMIT, .min_version = 2,
                                  .max_version = 9, .msg = m};
    return 0;
}

/* The name the request gave the topic with this id (v10 answers by id). */
static kfk_str name_of_id(const kfk_offsets_op *op, kfk_str name, kfk_uuid id) {
    if (name.len > 0 || kfk_uuid_is_zero(&id)) return name;
    const kfk_offset_commit_request *c = &op->commit_msg;
    for (int32_t i = 0; op->commit && i < c->topics.count; i++)
        if (kfk_uuid_eq(&c->topics.items[i].topic_id, &id))
            return c->topics.items[i].name;
    const kfk_offset_fetch_request_group *g = op->fetch.groups.items;
    for (int32_t i = 0; !op->commit && i < g->topics.count; i++)
        if (kfk_uuid_eq(&g->topics.items[i].topic_id, &id))
            return g->topics.items[i].name;
    return name;
}

/* One partition of an OffsetFetch answer, either layout. */
static int fetched(kfk_offsets_op *op, kfk_str topic, const kfk_offset_fetch_response_partitions *rp) {
    kfk_partition *e = find_elem(op->list, topic, rp->partition_index);
    if (!e) return 0;
    e->err = rp->error_code;
    e->offset = rp->committed_offset >= 0 ? rp->committed_offset : KFK_OFFSET_INVALID;
    e->leader_epoch = rp->committed_leader_epoch;
    if (kfk_partition_set_metadata_n(e, rp->metadata.ptr, rp->metadata.len)) return KFK_ERR_NOMEM;
    return kfk_coord_retriable(e->err) ? e->err : 0;
}

static int fetch_response(kfk_offsets_op *op, kfk_response *resp) {
    kfk_arena a = {0};
    kfk_offset_fetch_response m;
    int err = kfk_offset_fetch_response_decode(&resp->body, resp->version, &a, &m);
    if (!err && resp->version >= 8 && m.groups.count != 1) err = KFK_ERR_MALFORMED;
    if (!err) err = resp->version >= 8 ? m.groups.items[0].error_code : m.error_code;
    for (int32_t i = 0; !err && i < m.topics.count; i++) {
        const kfk_offset_fetch_response_topic *t = &m.topics.items[i];
        for (int32_t j = 0; !err && j < t->partitions.count; j++) {
            const kfk_offset_fetch_response_partition *rp = &t->partitions.items[j];
            err = fetched(op, t->name,
                          &(kfk_offset_fetch_response_partitions){
                              rp->partition_index, rp->committed_offset,
                              rp->committed_leader_epoch, rp->metadata, rp->error_code});
        }
    }
    for (int32_t i = 0; !err && resp->version >= 8 && i < m.groups.items[0].topics.count; i++) {
        const kfk_offset_fetch_response_topics *t = &m.groups.items[0].topics.items[i];
        kfk_str name = name_of_id(op, t->name, t->topic_id);
        for (int32_t j = 0; !err && j < t->partitions.count; j++)
            err = fetched(op, name, &t->partitions.items[j]);
    }
    kfk_arena_reset(&a);
    return err;
}

static int commit_response(kfk_offsets_op *op, kfk_response *resp) {
    kfk_arena a = {0};
    kfk_offset_commit_response m;
    int err = kfk_offset_commit_response_decode(&resp->body, resp->version, &a, &m);
    int first = 0;
    for (int32_t i = 0; !err && i < m.topics.count; i++) {
        const kfk_offset_commit_response_topic *t = &m.topics.items[i];
        for (int32_t j = 0; j < t->partitions.count; j++) {
            const kfk_offset_commit_response_partition *rp = &t->partitions.items[j];
            kfk_partition *e =
                find_elem(op->list, name_of_id(op, t->name, t->topic_id), rp->partition_index);
            if (e) e->err = rp->error_code;
            if (kfk_coord_retriable(rp->error_code)) err = rp->error_code;
            if (!first) first = rp->error_code;
        }
    }
    kfk_arena_reset(&a);
    return err ? err : first;
}

static int on_response(kfk_cop *cop, kfk_response *resp) {
    kfk_offsets_op *op = KFK_CONTAINER_OF(cop, kfk_offsets_op, cop);
    if (!op->commit) return fetch_response(op, resp);
    int64_t us = kfk_clock_us() - cop->r.req.stamp_us; /* written to answered */
    pthread_mutex_lock(&op->c->lock);
    kfk_win_add(&op->c->commit_latency, us);
    pthread_mutex_unlock(&op->c->lock);
    return commit_response(op, resp);
}

/* Remembers what was committed, so auto-commit skips it next time. */
static void note_committed(kfk_offsets_op *op) {
    kfk_consumer *c = op->c;
    pthread_mutex_lock(&c->lock);
    for (int i = 0; i < op->list->count; i++) {
        const kfk_partition *e = &op->list->elems[i];
        kfk_cpart *p = e->err ? NULL : kfk_cpart_find(c, e->topic, e->partition);
        if (p) {
            p->committed = e->offset;
            p->committed_epoch = e->leader_epoch;
        }
    }
    if (!op->err) c->stats.commits++;
    pthread_mutex_unlock(&c->lock);
}

static void on_done(kfk_cop *cop, int err) {
    kfk_offsets_op *op = KFK_CONTAINER_OF(cop, kfk_offsets_op, cop);
    op->err = err;
    if (op->commit && kfk_log_on(op->c->log, KFK_DBG_CGRP))
        for (int i = 0; i < op->list->count; i++) {
            const kfk_partition *e = &op->list->elems[i];
            kfk_log_emit(op->c->log, KFK_LOG_DEBUG, KFK_DBG_CGRP, NULL,
                         "group %s: %scommit %s [%d] offset %lld: %s", op->c->cc.group_id,
                         op->auto_commit ? "auto-" : "", e->topic, (int)e->partition,
                         (long long)e->offset, kfk_err_name(e->err ? e->err : err));
        }
    if (op->commit && err != KFK_ERR_DESTROYED) {
        note_committed(op);
        kfk_group_commit_result(op->c, err);
    }
    if (op->then) {
        op->then(op);
        return;
    }
    pthread_mutex_lock(&op->lock);
    op->done = 1;
    pthread_cond_signal(&op->cond);
    pthread_mutex_unlock(&op->lock);
}

kfk_offsets_op *kfk_offsets_op_new(kfk_consumer *c, kfk_partition_list *list, int commit,
                                   int32_t timeout_ms) {
    kfk_offsets_op *op = kfk_calloc(1, sizeof *op);
    if (!op) {
        kfk_partition_list_destroy(list);
        return NULL;
    }
    op->c = c;
    op->list = list;
    op->commit = commit;
    kfk_cmsg(&op->ev)->kind = KFK_KIND_COMMIT;
    op->cop.on_response = on_response;
    op->cop.on_done = on_done;
    op->cop.deadline = kfk_io_clock() + timeout_ms;
    op->cop.request_timeout_ms = c->cc.request_timeout_ms;
    pthread_mutex_init(&op->lock, NULL);
    pthread_cond_init(&op->cond, NULL);
    if (commit ? build_commit(op) : build_fetch(op)) {
        kfk_offsets_op_free(op);
        return NULL;
    }
    return op;
}

void kfk_offsets_op_free(kfk_offsets_op *op) {
    if (!op) return;
    kfk_arena_reset(&op->arena);
    kfk_partition_list_destroy(op->list);
    kfk_free(op->parts);
    kfk_free(op->gens);
    pthread_cond_destroy(&op->cond);
    pthread_mutex_destroy(&op->lock);
    kfk_free(op);
}

/* v10 of both APIs names topics by id (KIP-848): with every id known from
 * metadata, allow it; one unknown id keeps the request at v9, by name. */
static void fill_topic_ids(kfk_offsets_op *op) {
    kfk_metadata *md = kfk_core_metadata(op->c->core);
    int all = md != NULL;
    kfk_offset_commit_request *c = &op->commit_msg;
    kfk_offset_fetch_request_group *g = op->fetch.groups.items;
    int32_t n = op->commit ? c->topics.count : g->topics.count;
    for (int32_t i = 0; all && i < n; i++) {
        kfk_str name = op->commit ? c->topics.items[i].name : g->topics.items[i].name;
        const kfk_md_topic *t = kfk_metadata_topic(md, name.ptr); /* names end in NUL */
        all = t && !kfk_uuid_is_zero(&t->id);
        if (!all) break;
        if (op->commit)
            c->topics.items[i].topic_id = t->id;
        else
            g->topics.items[i].topic_id = t->id;
    }
    kfk_metadata_unref(md);
    op->cop.r.req.max_version = all ? 10 : 9;
}

void kfk_offsets_op_submit(kfk_offsets_op *op) {
    fill_topic_ids(op);
    /* The member's generation as of sending: a commit of an older one is
     * refused by the coordinator, and reported. */
    if (op->commit)
        kfk_group_commit_ids(op->c, &op->commit_msg.generation_id_or_member_epoch,
                             &op->commit_msg.member_id, &op->commit_msg.group_instance_id,
                             &op->arena);
    kfk_coord_submit(&op->c->coord, &op->cop);
}

static void submit_task(kfk_io *io, kfk_task *t, int err) {
    kfk_offsets_op *op = KFK_CONTAINER_OF(t, kfk_offsets_op, task);
    if (err)
        on_done(&op->cop, err);
    else
        kfk_offsets_op_submit(op);
}

void kfk_offsets_op_post(kfk_offsets_op *op) {
    op->task.fn = submit_task;
    if (kfk_io_post(op->c->io, &op->task)) on_done(&op->cop, KFK_ERR_DESTROYED);
}

int kfk_offsets_op_wait(kfk_offsets_op *op) {
    op->then = NULL;
    op->task.fn = submit_task;
    if (kfk_io_post(op->c->io, &op->task)) return KFK_ERR_DESTROYED;
    pthread_mutex_lock(&op->lock);
    while (!op->done) pthread_cond_wait(&op->cond, &op->lock);
    pthread_mutex_unlock(&op->lock);
    return op->err;
}
