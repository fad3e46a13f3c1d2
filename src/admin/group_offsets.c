/* A group's committed offsets: listed (OffsetFetch), altered (OffsetCommit
 * outside any generation), deleted (OffsetDelete), all at the group's
 * coordinator, and its lag (OffsetFetch, then ListOffsets latest at each
 * partition's leader). */
#include <stdio.h>
#include <stdlib.h>

#include "admin/admin_int.h"

static int coordinator_error(int err) {
    return err == KFK_ERR_COORDINATOR_NOT_AVAILABLE || err == KFK_ERR_NOT_COORDINATOR ||
           err == KFK_ERR_COORDINATOR_LOAD_IN_PROGRESS;
}

typedef struct offsets_ctx {
    const char *group;
    void *msg;
} offsets_ctx;

static void list_finish(kfk_aop *op) { kfk_ares_list_done(op->res); }

/* Elements of l in topics: one entry per distinct topic, in first-seen
 * order; part(i, j) gives where element j of topic entry i goes. */
typedef struct by_topic {
    int ntopics;
    int *topic_of; /* element -> topic entry */
    int *first;    /* topic entry -> its first element */
    int *count;    /* topic entry -> its number of elements */
} by_topic;

static int group_by_topic(kfk_arena *a, const kfk_partition_list *l, by_topic *bt) {
    size_t n = (size_t)l->count;
    bt->topic_of = kfk_arena_array(a, n, sizeof(int));
    bt->first = kfk_arena_array(a, n, sizeof(int));
    bt->count = kfk_arena_array(a, n, sizeof(int));
    if (!bt->topic_of || !bt->first || !bt->count) return KFK_ERR_NOMEM;
    bt->ntopics = 0;
    for (int i = 0; i < l->count; i++) {
        int t = 0;
        while (t < bt->ntopics && strcmp(l->elems[bt->first[t]].topic, l->elems[i].topic)) t++;
        if (t == bt->ntopics) {
            bt->first[t] = i;
            bt->count[t] = 0;
            bt->ntopics++;
        }
        bt->topic_of[i] = t;
        bt->count[t]++;
    }
    return 0;
}

static kfk_partition *find_elem(kfk_partition_list *l, kfk_str topic, int32_t partition) {
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)topic.len, topic.ptr);
    return kfk_partition_list_find(l, name, partition);
}

static kfk_partition *find_or_add(kfk_partition_list *l, kfk_str topic, int32_t partition) {
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)topic.len, topic.ptr);
    kfk_partition *e = kfk_partition_list_find(l, name, partition);
    return e ? e : kfk_partition_list_add(l, name, partition);
}

static int check_group(const char *group) { return group && *group ? 0 : KFK_ERR_INVALID_ARG; }

static void on_list_error(kfk_asub *s, int err, const char *errstr) {
    kfk_partition_list *l = s->op->res->partitions;
    for (int i = 0; l && i < l->count; i++)
        if (!l->elems[i].err) l->elems[i].err = err;
    kfk_aop_error(s->op, err, errstr);
}

static void start_group(kfk_aop *op, int16_t api_key, int16_t min, int16_t max,
                        int (*on_response)(kfk_asub *, kfk_response *)) {
    offsets_ctx *ctx = op->ctx;
    kfk_asub *s = kfk_asub_new(op, on_response, on_list_error);
    if (!s) return;
    s->cop.r.req =
        (kfk_request){.api_key = api_key, .min_version = min, .max_version = max, .msg = ctx->msg};
    kfk_asub_send_group(s, ctx->group);
}

static offsets_ctx *ctx_new(kfk_aop *op, const char *group, size_t msg_size) {
    offsets_ctx *ctx = kfk_arena_alloc(&op->arena, sizeof *ctx);
    int ok = 1;
    if (!ctx) return NULL;
    ctx->group = kfk_aop_strdup(op, group, &ok);
    ctx->msg = kfk_arena_alloc(&op->arena, msg_size);
    op->ctx = ctx;
    return ok && ctx->msg ? ctx : NULL;
}

/* ------------------------------------------------------------------- list */

/* Reads an OffsetFetch response (v1-7) into the result's list; lists
 * without a request list get every partition the group committed. */
static int read_fetch(kfk_asub *s, kfk_response *resp) {
    kfk_admin_result *r = s->op->res;
    kfk_arena a = {0};
    kfk_offset_fetch_response m;
    int err = kfk_offset_fetch_response_decode(&resp->body, resp->version, &a, &m);
    if (!err && m.error_code) err = m.error_code;
    if (!err && !r->partitions && !(r->partitions = kfk_partition_list_new(8)))
        err = KFK_ERR_NOMEM;
    for (int32_t t = 0; !err && t < m.topics.count; t++) {
        kfk_offset_fetch_response_topic *mt = &m.topics.items[t];
        for (int32_t i = 0; !err && i < mt->partitions.count; i++) {
            kfk_offset_fetch_response_partition *p = &mt->partitions.items[i];
            if (coordinator_error(p->error_code)) {
                err = p->error_code;
                break;
            }
            kfk_partition *e = find_or_add(r->partitions, mt->name, p->partition_index);
            if (!e || kfk_partition_set_metadata(e, kfk_ares_str(r, p->metadata))) {
                err = KFK_ERR_NOMEM;
                break;
            }
            e->offset = p->committed_offset >= 0 ? p->committed_offset : KFK_OFFSET_INVALID;
            e->leader_epoch = p->committed_leader_epoch;
            e->err = p->error_code;
        }
    }
    kfk_arena_reset(&a);
    return err;
}

static void start_list(kfk_aop *op) {
    /* a null topic list (every partition) needs v2 */
    start_group(op, KFK_API_OFFSET_FETCH, op->res->partitions ? 1 : 2, 7, read_fetch);
}

static int fill_fetch(kfk_aop *op, kfk_offset_fetch_request *m, const kfk_partition_list *l) {
    kfk_offset_fetch_request_init(m);
    m->group_id = kfk_astr(((offsets_ctx *)op->ctx)->group);
    m->topics.count = -1; /* null: every partition */
    if (!l) return 0;
    by_topic bt;
    if (group_by_topic(&op->arena, l, &bt)) return KFK_ERR_NOMEM;
    m->topics.items = kfk_arena_array(&op->arena, (size_t)bt.ntopics, sizeof *m->topics.items);
    int32_t *ids = kfk_arena_array(&op->arena, (size_t)l->count, sizeof *ids);
    if (!m->topics.items || !ids) return KFK_ERR_NOMEM;
    m->topics.count = bt.ntopics;
    for (int t = 0, at = 0; t < bt.ntopics; t++) {
        m->topics.items[t].name = kfk_astr(l->elems[bt.first[t]].topic);
        m->topics.items[t].partition_indexes.items = ids + at;
        at += bt.count[t];
    }
    for (int i = 0; i < l->count; i++) {
        kfk_offset_fetch_request_topic *t = &m->topics.items[bt.topic_of[i]];
        t->partition_indexes.items[t->partition_indexes.count++] = l->elems[i].partition;
    }
    return 0;
}

kfk_admin_result *kfk_admin_list_group_offsets(kfk_admin *a, const char *group,
                                               const kfk_partition_list *list,
                                               const kfk_admin_options *o, kfk_admin_cb cb,
                                               void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_list);
    if (!op) return kfk_aop_nomem(cb, opaque);
    if (check_group(group) || (list && list->count <= 0))
        return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "no group, or an empty list");
    offsets_ctx *ctx = ctx_new(op, group, sizeof(kfk_offset_fetch_request));
    if (!ctx || (list && kfk_ares_copy_list(op->res, list)))
        return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    /* the request names the result's copy, which lives as long as op */
    if (fill_fetch(op, ctx->msg, op->res->partitions)) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    op->finish = list_finish;
    return kfk_aop_run(op);
}

/* ------------------------------------------------------------------ alter */

static int on_commit(kfk_asub *s, kfk_response *resp) {
    kfk_partition_list *l = s->op->res->partitions;
    kfk_arena a = {0};
    kfk_offset_commit_response m;
    int err = kfk_offset_commit_response_decode(&resp->body, resp->version, &a, &m);
    for (int32_t t = 0; !err && t < m.topics.count; t++)
        for (int32_t i = 0; !err && i < m.topics.items[t].partitions.count; i++) {
            kfk_offset_commit_response_partition *p = &m.topics.items[t].partitions.items[i];
            if (coordinator_error(p->error_code)) err = p->error_code;
            kfk_partition *e = find_elem(l, m.topics.items[t].name, p->partition_index);
            if (e) e->err = p->error_code;
        }
    kfk_arena_reset(&a);
    return err;
}

static void start_alter(kfk_aop *op) { start_group(op, KFK_API_OFFSET_COMMIT, 2, 9, on_commit); }

kfk_admin_result *kfk_admin_alter_group_offsets(kfk_admin *a, const char *group,
                                                const kfk_partition_list *list,
                                                const kfk_admin_options *o, kfk_admin_cb cb,
                                                void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_alter);
    if (!op) return kfk_aop_nomem(cb, opaque);
    if (check_group(group) || !list || list->count <= 0)
        return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "no group, or no offsets");
    for (int i = 0; i < list->count; i++)
        if (!list->elems[i].topic || list->elems[i].offset < 0)
            return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "a partition without a topic or offset");
    offsets_ctx *ctx = ctx_new(op, group, sizeof(kfk_offset_commit_request));
    if (!ctx || kfk_ares_copy_list(op->res, list)) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    kfk_partition_list *l = op->res->partitions;
    kfk_offset_commit_request *m = ctx->msg;
    kfk_offset_commit_request_init(m);
    m->group_id = kfk_astr(ctx->group);
    m->generation_id_or_member_epoch = -1; /* no generation: the group must be empty */
    m->member_id = (kfk_str){"", 0};
    by_topic bt;
    if (group_by_topic(&op->arena, l, &bt)) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    m->topics.items = kfk_arena_array(&op->arena, (size_t)bt.ntopics, sizeof *m->topics.items);
    kfk_offset_commit_request_partition *ps =
        kfk_arena_array(&op->arena, (size_t)l->count, sizeof *ps);
    if (!m->topics.items || !ps) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    m->topics.count = bt.ntopics;
    for (int t = 0, at = 0; t < bt.ntopics; t++) {
        m->topics.items[t].name = kfk_astr(l->elems[bt.first[t]].topic);
        m->topics.items[t].partitions.items = ps + at;
        at += bt.count[t];
    }
    for (int i = 0; i < l->count; i++) {
        kfk_offset_commit_request_topic *t = &m->topics.items[bt.topic_of[i]];
        t->partitions.items[t->partitions.count++] = (kfk_offset_commit_request_partition){
            .partition_index = l->elems[i].partition,
            .committed_offset = l->elems[i].offset,
            .commit_timestamp = -1,
            .committed_leader_epoch = l->elems[i].leader_epoch,
            .committed_metadata = kfk_astr(l->elems[i].metadata),
        };
    }
    op->finish = list_finish;
    return kfk_aop_run(op);
}

/* ----------------------------------------------------------------- delete */

static int on_offset_delete(kfk_asub *s, kfk_response *resp) {
    kfk_admin_result *r = s->op->res;
    kfk_arena a = {0};
    kfk_offset_delete_response m;
    int err = kfk_offset_delete_response_decode(&resp->body, resp->version, &a, &m);
    if (!err && m.error_code) err = m.error_code;
    for (int32_t t = 0; !err && t < m.topics.count; t++)
        for (int32_t i = 0; i < m.topics.items[t].partitions.count; i++) {
            kfk_offset_delete_response_partition *p = &m.topics.items[t].partitions.items[i];
            kfk_partition *e = find_elem(r->partitions, m.topics.items[t].name,
                                         p->partition_index);
            if (e) e->err = p->error_code;
        }
    kfk_arena_reset(&a);
    return err;
}

static void start_delete(kfk_aop *op) {
    start_group(op, KFK_API_OFFSET_DELETE, 0, -1, on_offset_delete);
}

kfk_admin_result *kfk_admin_delete_group_offsets(kfk_admin *a, const char *group,
                                                 const kfk_partition_list *list,
                                                 const kfk_admin_options *o, kfk_admin_cb cb,
                                                 void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_delete);
    if (!op) return kfk_aop_nomem(cb, opaque);
    if (check_group(group) || !list || list->count <= 0)
        return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "no group, or no partitions");
    offsets_ctx *ctx = ctx_new(op, group, sizeof(kfk_offset_delete_request));
    if (!ctx || kfk_ares_copy_list(op->res, list)) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    kfk_partition_list *l = op->res->partitions;
    kfk_offset_delete_request *m = ctx->msg;
    kfk_offset_delete_request_init(m);
    m->group_id = kfk_astr(ctx->group);
    by_topic bt;
    if (group_by_topic(&op->arena, l, &bt)) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    m->topics.items = kfk_arena_array(&op->arena, (size_t)bt.ntopics, sizeof *m->topics.items);
    kfk_offset_delete_request_partition *ps =
        kfk_arena_array(&op->arena, (size_t)l->count, sizeof *ps);
    if (!m->topics.items || !ps) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    m->topics.count = bt.ntopics;
    for (int t = 0, at = 0; t < bt.ntopics; t++) {
        m->topics.items[t].name = kfk_astr(l->elems[bt.first[t]].topic);
        m->topics.items[t].partitions.items = ps + at;
        at += bt.count[t];
    }
    for (int i = 0; i < l->count; i++) {
        kfk_offset_delete_request_topic *t = &m->topics.items[bt.topic_of[i]];
        t->partitions.items[t->partitions.count++].partition_index = l->elems[i].partition;
    }
    op->finish = list_finish;
    return kfk_aop_run(op);
}

/* -------------------------------------------------------------------- lag */

static int on_log_end(kfk_asub *s, kfk_response *resp) {
    kfk_partition_lag *g = (kfk_partition_lag *)&s->op->res->lags[s->index];
    int64_t ts;
    int32_t epoch;
    int err = kfk_admin_offset_decode(resp, &g->log_end, &ts, &epoch);
    if (err) {
        g->log_end = -1;
        return err;
    }
    g->lag = g->committed >= 0 ? g->log_end - g->committed : -1;
    if (g->lag < -1) g->lag = 0; /* committed past the end: a truncated log */
    return 0;
}

static void on_log_end_error(kfk_asub *s, int err, const char *errstr) {
    (void)errstr;
    ((kfk_partition_lag *)&s->op->res->lags[s->index])->err = err;
}

/* The committed offsets came: ask each partition's log end. */
static int on_lag_fetch(kfk_asub *s, kfk_response *resp) {
    int err = read_fetch(s, resp);
    if (err) return err;
    kfk_aop *op = s->op;
    kfk_admin_result *r = op->res;
    kfk_partition_list *l = r->partitions;
    kfk_partition_lag *lags = kfk_ares_alloc(r, (size_t)l->count, sizeof *lags);
    if (!lags) return KFK_ERR_NOMEM;
    r->lags = lags;
    r->nlags = l->count;
    for (int i = 0; i < l->count; i++) {
        lags[i] = (kfk_partition_lag){.topic = kfk_ares_cstr(r, l->elems[i].topic),
                                      .partition = l->elems[i].partition,
                                      .committed = l->elems[i].offset,
                                      .log_end = -1,
                                      .lag = -1,
                                      .err = l->elems[i].err};
        if (!lags[i].topic) return KFK_ERR_NOMEM;
        if (lags[i].err) continue;
        kfk_asub *ls = kfk_admin_offset_sub(op, lags[i].topic, lags[i].partition, -1, on_log_end,
                                            on_log_end_error);
        if (!ls) return KFK_ERR_NOMEM;
        ls->index = i;
        kfk_asub_send(ls);
    }
    return 0;
}

static int lag_cmp(const void *a, const void *b) {
    const kfk_partition_lag *p = a, *q = b;
    int d = strcmp(p->topic, q->topic);
    return d ? d : (p->partition > q->partition) - (p->partition < q->partition);
}

static void lag_finish(kfk_aop *op) {
    kfk_admin_result *r = op->res;
    kfk_partition_lag *lags = (kfk_partition_lag *)r->lags;
    if (r->nlags) qsort(lags, (size_t)r->nlags, sizeof *lags, lag_cmp);
    for (int i = 0; i < r->nlags && !r->err; i++)
        if (lags[i].err) {
            r->err = KFK_ERR_PARTIAL;
            r->errstr = "some partitions' log end is unknown: see each error";
        }
}

static void start_lag(kfk_aop *op) { start_group(op, KFK_API_OFFSET_FETCH, 2, 7, on_lag_fetch); }

kfk_admin_result *kfk_admin_group_lag(kfk_admin *a, const char *group,
                                      const kfk_admin_options *o, kfk_admin_cb cb,
                                      void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_lag);
    if (!op) return kfk_aop_nomem(cb, opaque);
    if (check_group(group)) return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "no group given");
    offsets_ctx *ctx = ctx_new(op, group, sizeof(kfk_offset_fetch_request));
    if (!ctx || fill_fetch(op, ctx->msg, NULL)) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    op->finish = lag_finish;
    return kfk_aop_run(op);
}
