/* A group's committed offsets: listed (OffsetFetch), altered (OffsetCommit
 * outside any generation), deleted (OffsetDelete), all at the group's
 * coordinator, and its lag (OffsetFetch, then ListOffsets latest, one
 * request per partition leader). */
#include <stdio.h>
#include <stdlib.h>

#include "admin/admin_int.h"

typedef struct offsets_ctx {
    const char *group;
    void *msg;
} offsets_ctx;

static void list_finish(kfk_aop *op) { kfk_ares_list_done(op->res); }

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

/* The request about some of a group's partitions (alter, delete): op's
 * context with msg initialised as desc says, the result's copy of list,
 * and msg's topic array laid out as lay says. Returns the partition
 * entries, entry i for the list's element (*parts)[i].index; NULL when out
 * of memory. */
static void *list_request(kfk_aop *op, const char *group, const kfk_partition_list *list,
                          const kfk_msg_desc *desc, const kfk_alayout *lay, kfk_apart **parts) {
    offsets_ctx *ctx = ctx_new(op, group, desc->s.size);
    if (!ctx || kfk_ares_copy_list(op->res, list)) return NULL;
    kfk_msg_init(desc, ctx->msg);
    const kfk_partition_list *l = op->res->partitions;
    *parts = kfk_aparts_of_list(op, l);
    return *parts ? kfk_aparts_topics(op, *parts, l->count, ctx->msg, lay) : NULL;
}

/* ------------------------------------------------------------------- list */

/* One partition of an OffsetFetch answer, either layout, into r's list. */
static int read_partition(kfk_admin_result *r, kfk_str topic,
                          const kfk_offset_fetch_response_partitions *p) {
    if (kfk_admin_coordinator_error(p->error_code)) return p->error_code;
    kfk_partition *e = find_or_add(r->partitions, topic, p->partition_index);
    if (!e || kfk_partition_set_metadata(e, kfk_ares_str(r, p->metadata))) return KFK_ERR_NOMEM;
    e->offset = p->committed_offset >= 0 ? p->committed_offset : KFK_OFFSET_INVALID;
    e->leader_epoch = p->committed_leader_epoch;
    e->err = p->error_code;
    return 0;
}

/* Reads an OffsetFetch response (v1-7: one group; v8+: a list of groups,
 * ours alone) into the result's list; lists without a request list get
 * every partition the group committed. */
static int read_fetch(kfk_asub *s, kfk_response *resp) {
    kfk_admin_result *r = s->op->res;
    kfk_arena a = {0};
    kfk_offset_fetch_response m;
    int err = kfk_offset_fetch_response_decode(&resp->body, resp->version, &a, &m);
    int grouped = resp->version >= 8;
    if (!err && grouped && m.groups.count != 1) err = KFK_ERR_MALFORMED;
    if (!err) err = grouped ? m.groups.items[0].error_code : m.error_code;
    if (!err && !r->partitions && !(r->partitions = kfk_partition_list_new(8)))
        err = KFK_ERR_NOMEM;
    for (int32_t t = 0; !err && t < m.topics.count; t++) {
        const kfk_offset_fetch_response_topic *mt = &m.topics.items[t];
        for (int32_t i = 0; !err && i < mt->partitions.count; i++) {
            const kfk_offset_fetch_response_partition *p = &mt->partitions.items[i];
            err = read_partition(r, mt->name,
                                 &(kfk_offset_fetch_response_partitions){
                                     p->partition_index, p->committed_offset,
                                     p->committed_leader_epoch, p->metadata, p->error_code});
        }
    }
    for (int32_t t = 0; !err && grouped && t < m.groups.items[0].topics.count; t++) {
        const kfk_offset_fetch_response_topics *mt = &m.groups.items[0].topics.items[t];
        for (int32_t i = 0; !err && i < mt->partitions.count; i++)
            err = read_partition(r, mt->name, &mt->partitions.items[i]);
    }
    kfk_arena_reset(&a);
    return err;
}

/* By name, as the Java admin client asks: v9 at most, since v10 answers
 * name topics by id only. A null topic list (every partition) needs v2. */
static void start_list(kfk_aop *op) {
    start_group(op, KFK_API_OFFSET_FETCH, op->res->partitions ? 1 : 2, 9, read_fetch);
}

static int fill_fetch(kfk_aop *op, kfk_offset_fetch_request *m, const kfk_partition_list *l) {
    static const kfk_alayout lay =
        KFK_ALAYOUT(kfk_offset_fetch_request, kfk_offset_fetch_request_topic, int32_t, topics,
                    partition_indexes);
    kfk_offset_fetch_request_init(m);
    m->group_id = kfk_str_of(((offsets_ctx *)op->ctx)->group);
    m->topics.count = -1; /* null: every partition */
    /* v8+ asks for a list of groups: this one, with the same topics. */
    kfk_offset_fetch_request_group *g = kfk_arena_alloc(&op->arena, sizeof *g);
    if (!g) return KFK_ERR_NOMEM;
    *g = (kfk_offset_fetch_request_group){.group_id = m->group_id,
                                          .member_id = kfk_str_of(NULL),
                                          .member_epoch = -1,
                                          .topics = {NULL, -1}};
    m->groups.items = g;
    m->groups.count = 1;
    if (!l) return 0;
    kfk_apart *parts = kfk_aparts_of_list(op, l);
    int32_t *ids = parts ? kfk_aparts_topics(op, parts, l->count, m, &lay) : NULL;
    if (!ids) return KFK_ERR_NOMEM;
    for (int i = 0; i < l->count; i++) ids[i] = parts[i].partition;
    g->topics.items = kfk_arena_array(&op->arena, (size_t)m->topics.count, sizeof *g->topics.items);
    if (!g->topics.items) return KFK_ERR_NOMEM;
    g->topics.count = m->topics.count;
    for (int32_t t = 0; t < m->topics.count; t++)
        g->topics.items[t] = (kfk_offset_fetch_request_topics){
            .name = m->topics.items[t].name,
            .partition_indexes = {m->topics.items[t].partition_indexes.items,
                                  m->topics.items[t].partition_indexes.count}};
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
            if (kfk_admin_coordinator_error(p->error_code)) err = p->error_code;
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
    static const kfk_alayout lay =
        KFK_ALAYOUT(kfk_offset_commit_request, kfk_offset_commit_request_topic,
                    kfk_offset_commit_request_partition, topics, partitions);
    kfk_apart *parts;
    kfk_offset_commit_request_partition *ps =
        list_request(op, group, list, &kfk_offset_commit_request_desc, &lay, &parts);
    if (!ps) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    const kfk_partition_list *l = op->res->partitions;
    const offsets_ctx *ctx = op->ctx;
    kfk_offset_commit_request *m = ctx->msg;
    m->group_id = kfk_str_of(ctx->group);
    m->generation_id_or_member_epoch = -1; /* no generation: the group must be empty */
    m->member_id = (kfk_str){"", 0};
    for (int i = 0; i < l->count; i++) {
        const kfk_partition *e = &l->elems[parts[i].index];
        ps[i] = (kfk_offset_commit_request_partition){
            .partition_index = e->partition,
            .committed_offset = e->offset,
            .commit_timestamp = -1,
            .committed_leader_epoch = e->leader_epoch,
            .committed_metadata = kfk_str_of(e->metadata),
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
    static const kfk_alayout lay =
        KFK_ALAYOUT(kfk_offset_delete_request, kfk_offset_delete_request_topic,
                    kfk_offset_delete_request_partition, topics, partitions);
    kfk_apart *parts;
    kfk_offset_delete_request_partition *ps =
        list_request(op, group, list, &kfk_offset_delete_request_desc, &lay, &parts);
    if (!ps) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    const kfk_partition_list *l = op->res->partitions;
    const offsets_ctx *ctx = op->ctx;
    kfk_offset_delete_request *m = ctx->msg;
    m->group_id = kfk_str_of(ctx->group);
    for (int i = 0; i < l->count; i++) ps[i].partition_index = parts[i].partition;
    op->finish = list_finish;
    return kfk_aop_run(op);
}

/* -------------------------------------------------------------------- lag */

static void on_log_end(kfk_aop *op, int index, int err, const void *answer) {
    kfk_partition_lag *g = (kfk_partition_lag *)&op->res->lags[index];
    g->err = err;
    if (err) return;
    g->log_end = ((const kfk_list_offsets_response_partition_response *)answer)->offset;
    g->lag = g->committed >= 0 ? g->log_end - g->committed : -1;
    if (g->lag < -1) g->lag = 0; /* committed past the end: a truncated log */
}

static const kfk_apart_api log_end_api = KFK_LIST_OFFSETS_API(on_log_end);

/* The committed offsets came: ask each partition's log end. */
static int on_lag_fetch(kfk_asub *s, kfk_response *resp) {
    int err = read_fetch(s, resp);
    if (err) return err;
    kfk_aop *op = s->op;
    kfk_admin_result *r = op->res;
    kfk_partition_list *l = r->partitions;
    kfk_partition_lag *lags = kfk_ares_alloc(r, (size_t)l->count, sizeof *lags);
    if (!lags) return KFK_ERR_NOMEM;
    kfk_apart *parts = kfk_arena_array(&op->arena, (size_t)l->count, sizeof *parts);
    if (!parts) return KFK_ERR_NOMEM;
    r->lags = lags;
    r->nlags = l->count;
    int n = 0;
    for (int i = 0; i < l->count; i++) {
        lags[i] = (kfk_partition_lag){.topic = kfk_ares_cstr(r, l->elems[i].topic),
                                      .partition = l->elems[i].partition,
                                      .committed = l->elems[i].offset,
                                      .log_end = -1,
                                      .lag = -1,
                                      .err = l->elems[i].err};
        if (!lags[i].topic) return KFK_ERR_NOMEM;
        if (!lags[i].err)
            parts[n++] = (kfk_apart){.topic = lags[i].topic, .partition = lags[i].partition,
                                     .index = i, .arg = -1 /* the log end */};
    }
    if (n) kfk_aparts_send(op, &log_end_api, parts, n);
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

static void start_lag(kfk_aop *op) { start_group(op, KFK_API_OFFSET_FETCH, 2, 9, on_lag_fetch); }

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
