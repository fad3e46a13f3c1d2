/* Share groups (KIP-932): listing (ListGroups filtered to "share", in
 * groups.c), describing (ShareGroupDescribe) and their start offsets
 * (DescribeShareGroupOffsets, AlterShareGroupOffsets,
 * DeleteShareGroupOffsets), each request to the group's coordinator. */
#include <stdio.h>

#include "admin/admin_int.h"

static int check_group(const char *group) { return group && *group ? 0 : KFK_ERR_INVALID_ARG; }

typedef struct share_ctx {
    const char **names; /* describe: one per request; else names[0] */
    void *msgs;
} share_ctx;

static share_ctx *ctx_new(kfk_aop *op, const char *const *names, int n, size_t msg_size) {
    share_ctx *ctx = kfk_arena_alloc(&op->arena, sizeof *ctx);
    if (!ctx) return NULL;
    ctx->names = kfk_arena_array(&op->arena, (size_t)n, sizeof *ctx->names);
    ctx->msgs = kfk_arena_array(&op->arena, (size_t)n, msg_size);
    if (!ctx->names || !ctx->msgs) return NULL;
    int ok = 1;
    for (int i = 0; i < n; i++) ctx->names[i] = kfk_aop_strdup(op, names[i], &ok);
    op->ctx = ctx;
    return ok ? ctx : NULL;
}

/* Sends msgs[i] to the coordinator of group i, for i < n. */
static void send_each(kfk_aop *op, int n, int16_t api_key, size_t msg_size,
                      int (*on_response)(kfk_asub *, kfk_response *),
                      void (*on_error)(kfk_asub *, int, const char *)) {
    share_ctx *ctx = op->ctx;
    kfk_asub_send_per_group(op, n, ctx->names, api_key, ctx->msgs, msg_size, on_response,
                            on_error);
}

kfk_admin_result *kfk_admin_list_share_groups(kfk_admin *a, const kfk_admin_options *o,
                                              kfk_admin_cb cb, void *opaque) {
    return kfk_admin_list_groups_of(a, "share", o, cb, opaque);
}

/* --------------------------------------------------------------- describe */

static int fill_member(kfk_admin_result *r, kfk_share_member *out,
                       const kfk_share_group_describe_response_member *m) {
    out->member_id = kfk_ares_str(r, m->member_id);
    out->rack = kfk_ares_str(r, m->rack_id);
    out->client_id = kfk_ares_str(r, m->client_id);
    out->host = kfk_ares_str(r, m->client_host);
    out->member_epoch = m->member_epoch;
    if (!out->member_id || !out->client_id || !out->host) return KFK_ERR_NOMEM;
    const kfk_share_group_describe_response_assignment *asg = &m->assignment;
    int n = 0;
    for (int32_t t = 0; t < asg->topic_partitions.count; t++)
        n += asg->topic_partitions.items[t].partitions.count;
    kfk_topic_partition *tp = kfk_ares_alloc(r, (size_t)n, sizeof *tp);
    if (!tp) return KFK_ERR_NOMEM;
    for (int32_t t = 0, k = 0; t < asg->topic_partitions.count; t++) {
        const kfk_share_group_describe_response_topic_partitions *x =
            &asg->topic_partitions.items[t];
        const char *topic = kfk_ares_str(r, x->topic_name);
        if (!topic) return KFK_ERR_NOMEM;
        for (int32_t p = 0; p < x->partitions.count; p++)
            tp[k++] = (kfk_topic_partition){topic, x->partitions.items[p]};
    }
    out->assignment = tp;
    out->nassignment = n;
    return 0;
}

static int fill_desc(kfk_admin_result *r, kfk_share_group_desc *d,
                     const kfk_share_group_describe_response_described_group *g, int32_t node) {
    kfk_admin_item it = {0};
    kfk_ares_item_err(r, &it, g->error_code, g->error_message);
    d->err = it.err;
    d->errstr = it.errstr;
    d->state = kfk_ares_str(r, g->group_state);
    d->assignor = kfk_ares_str(r, g->assignor_name);
    d->group_epoch = g->group_epoch;
    d->assignment_epoch = g->assignment_epoch;
    d->coordinator = node;
    kfk_share_member *mem = kfk_ares_alloc(r, (size_t)g->members.count, sizeof *mem);
    if (!d->state || !d->assignor || !mem) return KFK_ERR_NOMEM;
    for (int32_t i = 0; i < g->members.count; i++)
        if (fill_member(r, &mem[i], &g->members.items[i])) return KFK_ERR_NOMEM;
    d->members = mem;
    d->nmembers = g->members.count;
    return 0;
}

static int on_describe(kfk_asub *s, kfk_response *resp) {
    kfk_admin_result *r = s->op->res;
    kfk_share_group_desc *d = (kfk_share_group_desc *)&r->share_descs[s->index];
    kfk_arena a = {0};
    kfk_share_group_describe_response m;
    int err = kfk_share_group_describe_response_decode(&resp->body, resp->version, &a, &m);
    if (!err && m.groups.count != 1) err = KFK_ERR_MALFORMED;
    if (!err && kfk_admin_coordinator_error(m.groups.items[0].error_code))
        err = m.groups.items[0].error_code;
    else if (!err)
        err = fill_desc(r, d, &m.groups.items[0], resp->node_id);
    kfk_arena_reset(&a);
    return err;
}

static void on_describe_error(kfk_asub *s, int err, const char *errstr) {
    kfk_share_group_desc *d = (kfk_share_group_desc *)&s->op->res->share_descs[s->index];
    kfk_admin_item it = {0};
    kfk_ares_item_err(s->op->res, &it, err, kfk_str_of(errstr));
    d->err = it.err;
    d->errstr = it.errstr;
}

static void describe_finish(kfk_aop *op) {
    kfk_admin_result *r = op->res;
    int failed = 0, all = r->nshare_descs > 0;
    for (int i = 0; i < r->nshare_descs; i++) {
        failed += r->share_descs[i].err != 0;
        all = all && r->share_descs[i].err == r->share_descs[0].err;
    }
    if (r->err || !failed) return;
    /* a broker without share groups fails them all alike: say so once */
    if (all && r->share_descs[0].err == KFK_ERR_UNSUPPORTED_VERSION) {
        r->err = KFK_ERR_UNSUPPORTED_VERSION;
        r->errstr = "the broker does not support share groups (ShareGroupDescribe)";
        return;
    }
    r->err = KFK_ERR_PARTIAL;
    r->errstr = "some groups failed: see each group's error";
}

static void start_describe(kfk_aop *op) {
    send_each(op, op->res->nshare_descs, KFK_API_SHARE_GROUP_DESCRIBE,
              sizeof(kfk_share_group_describe_request), on_describe, on_describe_error);
}

kfk_admin_result *kfk_admin_describe_share_groups(kfk_admin *a, const char *const *groups,
                                                  int n, const kfk_admin_options *o,
                                                  kfk_admin_cb cb, void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_describe);
    if (!op) return kfk_aop_nomem(cb, opaque);
    for (int i = 0; groups && i < n; i++)
        if (check_group(groups[i]))
            return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "group: an empty or NULL name");
    if (!groups || n <= 0) return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "no groups given");
    share_ctx *ctx = ctx_new(op, groups, n, sizeof(kfk_share_group_describe_request));
    kfk_share_group_desc *out = kfk_ares_alloc(op->res, (size_t)n, sizeof *out);
    kfk_str *keys = kfk_arena_array(&op->arena, (size_t)n, sizeof *keys);
    if (!ctx || !out || !keys) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    kfk_share_group_describe_request *msgs = ctx->msgs;
    for (int i = 0; i < n; i++) {
        out[i].group_id = kfk_ares_cstr(op->res, groups[i]);
        out[i].coordinator = -1;
        if (!out[i].group_id) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
        keys[i] = kfk_str_of(ctx->names[i]);
        kfk_share_group_describe_request_init(&msgs[i]);
        msgs[i].group_ids.items = &keys[i];
        msgs[i].group_ids.count = 1;
    }
    op->res->share_descs = out;
    op->res->nshare_descs = n;
    op->finish = describe_finish;
    return kfk_aop_run(op);
}

/* ---------------------------------------------------------- start offsets */

static kfk_partition *find_or_add(kfk_partition_list *l, kfk_str topic, int32_t partition,
                                  int add) {
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)topic.len, topic.ptr);
    kfk_partition *e = kfk_partition_list_find(l, name, partition);
    return e || !add ? e : kfk_partition_list_add(l, name, partition);
}

static void on_offsets_error(kfk_asub *s, int err, const char *errstr) {
    kfk_partition_list *l = s->op->res->partitions;
    for (int i = 0; l && i < l->count; i++)
        if (!l->elems[i].err) l->elems[i].err = err;
    kfk_aop_error(s->op, err, errstr);
}

/* A group-wide error: coordinator errors retried, the rest final. */
static int group_error(kfk_asub *s, int16_t code, kfk_str msg) {
    if (!code || kfk_admin_coordinator_error(code)) return code;
    char buf[512];
    snprintf(buf, sizeof buf, "%s: %.*s", kfk_err_name(code), msg.len > 0 ? (int)msg.len : 0,
             msg.len > 0 ? msg.ptr : "");
    kfk_aop_error(s->op, code, msg.len > 0 ? buf : kfk_err_str(code));
    return 0;
}

/* As KFK_ALAYOUT, for topic entries whose name is topic_name. */
#define SHARE_LAYOUT(M, T, P)                                                              \
    {offsetof(M, topics), sizeof(T), offsetof(T, topic_name), offsetof(T, partitions),    \
     sizeof(P)}

static void list_finish(kfk_aop *op) { kfk_ares_list_done(op->res); }

static int on_describe_offsets(kfk_asub *s, kfk_response *resp) {
    kfk_admin_result *r = s->op->res;
    kfk_arena a = {0};
    kfk_describe_share_group_offsets_response m;
    int err = kfk_describe_share_group_offsets_response_decode(&resp->body, resp->version, &a, &m);
    if (!err && m.groups.count != 1) err = KFK_ERR_MALFORMED;
    const kfk_describe_share_group_offsets_response_group *g = err ? NULL : &m.groups.items[0];
    if (g && g->error_code) {
        err = group_error(s, g->error_code, g->error_message);
        g = NULL;
    }
    int all = r->partitions == NULL;
    if (g && all && !(r->partitions = kfk_partition_list_new(8))) err = KFK_ERR_NOMEM;
    for (int32_t t = 0; g && !err && t < g->topics.count; t++)
        for (int32_t i = 0; !err && i < g->topics.items[t].partitions.count; i++) {
            const kfk_describe_share_group_offsets_response_partition *p =
                &g->topics.items[t].partitions.items[i];
            if (kfk_admin_coordinator_error(p->error_code)) {
                err = p->error_code;
                break;
            }
            kfk_partition *e = find_or_add(r->partitions, g->topics.items[t].topic_name,
                                           p->partition_index, all);
            if (!e && all) err = KFK_ERR_NOMEM;
            if (!e) continue;
            e->offset = p->start_offset >= 0 ? p->start_offset : KFK_OFFSET_INVALID;
            e->leader_epoch = p->leader_epoch;
            e->err = p->error_code;
        }
    kfk_arena_reset(&a);
    return err;
}

static void start_describe_offsets(kfk_aop *op) {
    send_each(op, 1, KFK_API_DESCRIBE_SHARE_GROUP_OFFSETS,
              sizeof(kfk_describe_share_group_offsets_request), on_describe_offsets,
              on_offsets_error);
}

/* op's context for one group, and the result's copy of list (if any). */
static share_ctx *offsets_ctx(kfk_aop *op, const char *group, const kfk_partition_list *list,
                              size_t msg_size) {
    share_ctx *ctx = ctx_new(op, &group, 1, msg_size);
    return ctx && (!list || !kfk_ares_copy_list(op->res, list)) ? ctx : NULL;
}

kfk_admin_result *kfk_admin_list_share_group_offsets(kfk_admin *a, const char *group,
                                                     const kfk_partition_list *list,
                                                     const kfk_admin_options *o,
                                                     kfk_admin_cb cb, void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_describe_offsets);
    if (!op) return kfk_aop_nomem(cb, opaque);
    if (check_group(group) || (list && list->count <= 0))
        return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "group: empty, or an empty list");
    static const kfk_alayout lay = SHARE_LAYOUT(kfk_describe_share_group_offsets_request_group,
                                                kfk_describe_share_group_offsets_request_topic,
                                                int32_t);
    share_ctx *ctx = offsets_ctx(op, group, list, sizeof(kfk_describe_share_group_offsets_request));
    kfk_describe_share_group_offsets_request_group *g =
        kfk_arena_alloc(&op->arena, sizeof *g);
    if (!ctx || !g) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    kfk_describe_share_group_offsets_request *m = ctx->msgs;
    kfk_describe_share_group_offsets_request_init(m);
    *g = (kfk_describe_share_group_offsets_request_group){.group_id = kfk_str_of(ctx->names[0]),
                                                          .topics = {NULL, -1}};
    m->groups.items = g;
    m->groups.count = 1;
    const kfk_partition_list *l = op->res->partitions;
    if (l) {
        kfk_apart *parts = kfk_aparts_of_list(op, l);
        int32_t *ids = parts ? kfk_aparts_topics(op, parts, l->count, g, &lay) : NULL;
        if (!ids) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
        for (int i = 0; i < l->count; i++) ids[i] = parts[i].partition;
    }
    op->finish = list_finish;
    return kfk_aop_run(op);
}

/* ------------------------------------------------------------------ alter */

static int on_alter(kfk_asub *s, kfk_response *resp) {
    kfk_partition_list *l = s->op->res->partitions;
    kfk_arena a = {0};
    kfk_alter_share_group_offsets_response m;
    int err = kfk_alter_share_group_offsets_response_decode(&resp->body, resp->version, &a, &m);
    if (!err && m.error_code) err = group_error(s, m.error_code, m.error_message);
    else
        for (int32_t t = 0; !err && t < m.responses.count; t++)
            for (int32_t i = 0; i < m.responses.items[t].partitions.count; i++) {
                const kfk_alter_share_group_offsets_response_partition *p =
                    &m.responses.items[t].partitions.items[i];
                if (kfk_admin_coordinator_error(p->error_code)) err = p->error_code;
                kfk_partition *e =
                    find_or_add(l, m.responses.items[t].topic_name, p->partition_index, 0);
                if (e) e->err = p->error_code;
            }
    kfk_arena_reset(&a);
    return err;
}

static void start_alter(kfk_aop *op) {
    send_each(op, 1, KFK_API_ALTER_SHARE_GROUP_OFFSETS,
              sizeof(kfk_alter_share_group_offsets_request), on_alter, on_offsets_error);
}

kfk_admin_result *kfk_admin_alter_share_group_offsets(kfk_admin *a, const char *group,
                                                      const kfk_partition_list *list,
                                                      const kfk_admin_options *o,
                                                      kfk_admin_cb cb, void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_alter);
    if (!op) return kfk_aop_nomem(cb, opaque);
    if (check_group(group) || !list || list->count <= 0)
        return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "group: empty, or no offsets");
    for (int i = 0; i < list->count; i++)
        if (!list->elems[i].topic || list->elems[i].offset < 0)
            return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "a partition without a topic or offset");
    static const kfk_alayout lay = SHARE_LAYOUT(kfk_alter_share_group_offsets_request,
                                                kfk_alter_share_group_offsets_request_topic,
                                                kfk_alter_share_group_offsets_request_partition);
    share_ctx *ctx = offsets_ctx(op, group, list, sizeof(kfk_alter_share_group_offsets_request));
    if (!ctx) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    kfk_alter_share_group_offsets_request *m = ctx->msgs;
    kfk_alter_share_group_offsets_request_init(m);
    m->group_id = kfk_str_of(ctx->names[0]);
    const kfk_partition_list *l = op->res->partitions;
    kfk_apart *parts = kfk_aparts_of_list(op, l);
    kfk_alter_share_group_offsets_request_partition *ps =
        parts ? kfk_aparts_topics(op, parts, l->count, m, &lay) : NULL;
    if (!ps) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    for (int i = 0; i < l->count; i++)
        ps[i] = (kfk_alter_share_group_offsets_request_partition){
            .partition_index = parts[i].partition,
            .start_offset = l->elems[parts[i].index].offset};
    op->finish = list_finish;
    return kfk_aop_run(op);
}

/* ----------------------------------------------------------------- delete */

static int on_delete(kfk_asub *s, kfk_response *resp) {
    kfk_admin_result *r = s->op->res;
    kfk_arena a = {0};
    kfk_delete_share_group_offsets_response m;
    int err = kfk_delete_share_group_offsets_response_decode(&resp->body, resp->version, &a, &m);
    if (!err && m.error_code) err = group_error(s, m.error_code, m.error_message);
    else
        for (int32_t t = 0; !err && t < m.responses.count; t++) {
            const kfk_delete_share_group_offsets_response_topic *x = &m.responses.items[t];
            kfk_admin_item *it = (kfk_admin_item *)kfk_ares_find_item(r, x->topic_name);
            if (it) kfk_ares_item_err(r, it, x->error_code, x->error_message);
        }
    kfk_arena_reset(&a);
    return err;
}

static void on_delete_error(kfk_asub *s, int err, const char *errstr) {
    kfk_admin_result *r = s->op->res;
    for (int i = 0; i < r->nitems; i++)
        if (!r->items[i].err)
            kfk_ares_item_err(r, (kfk_admin_item *)&r->items[i], err, kfk_str_of(errstr));
    kfk_aop_error(s->op, err, errstr);
}

static void items_finish(kfk_aop *op) {
    kfk_ares_items_done(op->res, op->res->items, op->res->nitems);
}

static void start_delete(kfk_aop *op) {
    send_each(op, 1, KFK_API_DELETE_SHARE_GROUP_OFFSETS,
              sizeof(kfk_delete_share_group_offsets_request), on_delete, on_delete_error);
}

kfk_admin_result *kfk_admin_delete_share_group_offsets(kfk_admin *a, const char *group,
                                                       const char *const *topics, int n,
                                                       const kfk_admin_options *o,
                                                       kfk_admin_cb cb, void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_delete);
    if (!op) return kfk_aop_nomem(cb, opaque);
    if (check_group(group) || !topics || n <= 0)
        return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "group: empty, or no topics");
    for (int i = 0; i < n; i++)
        if (check_group(topics[i]))
            return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "topic: an empty or NULL name");
    share_ctx *ctx = ctx_new(op, &group, 1, sizeof(kfk_delete_share_group_offsets_request));
    kfk_delete_share_group_offsets_request_topic *ts =
        kfk_arena_array(&op->arena, (size_t)n, sizeof *ts);
    if (!ctx || !ts || kfk_ares_items_new(op->res, topics, n))
        return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    kfk_delete_share_group_offsets_request *m = ctx->msgs;
    kfk_delete_share_group_offsets_request_init(m);
    m->group_id = kfk_str_of(ctx->names[0]);
    for (int i = 0; i < n; i++) ts[i].topic_name = kfk_str_of(op->res->items[i].name);
    m->topics.items = ts;
    m->topics.count = n;
    op->finish = items_finish;
    return kfk_aop_run(op);
}
