/* Listing (ListGroups on every broker), describing (DescribeGroups) and
 * deleting (DeleteGroups) consumer groups. Describe and delete go to each
 * group's coordinator; coordinator errors make client/coord.c find it
 * again and resend. */
#include <stdio.h>

#include "admin/admin_int.h"
#include "assign/assignor.h"

/* ------------------------------------------------------------------ list */

static int on_list(kfk_asub *s, kfk_response *resp) {
    kfk_admin_result *r = s->op->res;
    kfk_arena a = {0};
    kfk_list_groups_response m;
    int err = kfk_list_groups_response_decode(&resp->body, resp->version, &a, &m);
    if (!err && m.error_code) err = m.error_code;
    kfk_group_listing *all = NULL;
    if (!err) {
        all = kfk_ares_alloc(r, (size_t)(r->ngroups + m.groups.count), sizeof *all);
        if (!all) err = KFK_ERR_NOMEM;
    }
    if (all) {
        if (r->ngroups) memcpy(all, r->groups, (size_t)r->ngroups * sizeof *all);
        for (int32_t i = 0; i < m.groups.count; i++) {
            kfk_list_groups_response_listed_group *g = &m.groups.items[i];
            kfk_group_listing *out = &all[r->ngroups + i];
            out->group_id = kfk_ares_str(r, g->group_id);
            out->protocol_type = kfk_ares_str(r, g->protocol_type);
            out->state = kfk_ares_str(r, g->group_state);
            out->type = kfk_ares_str(r, g->group_type);
            out->coordinator = resp->node_id;
            if (!out->group_id || !out->protocol_type || !out->state || !out->type)
                err = KFK_ERR_NOMEM;
        }
        r->groups = all;
        r->ngroups += m.groups.count;
    }
    kfk_arena_reset(&a);
    return err;
}

static void on_broker_error(kfk_asub *s, int err, const char *errstr) {
    char buf[512];
    snprintf(buf, sizeof buf, "broker %d: %s", (int)s->r.node_id,
             errstr && *errstr ? errstr : kfk_err_str(err));
    kfk_aop_error(s->op, KFK_ERR_PARTIAL, buf);
}

typedef struct list_ctx {
    kfk_metadata_request md; /* no topics: brokers only */
    kfk_str type;            /* a ListGroups types filter (v5+), or null */
} list_ctx;

/* The broker list came: one ListGroups to each broker. */
static int on_brokers(kfk_asub *s, kfk_response *resp) {
    kfk_aop *op = s->op;
    list_ctx *ctx = op->ctx;
    kfk_arena a = {0};
    kfk_metadata_response m;
    int err = kfk_metadata_response_decode(&resp->body, resp->version, &a, &m);
    for (int32_t i = 0; !err && i < m.brokers.count; i++) {
        kfk_asub *ls = kfk_asub_new(op, on_list, on_broker_error);
        if (!ls) break;
        kfk_list_groups_request *req = kfk_arena_alloc(&op->arena, sizeof *req);
        if (!req) {
            err = KFK_ERR_NOMEM;
            break;
        }
        kfk_list_groups_request_init(req);
        if (ctx->type.ptr) {
            req->types_filter.items = &ctx->type;
            req->types_filter.count = 1;
        }
        ls->r.dest = KFK_DEST_NODE;
        ls->r.node_id = m.brokers.items[i].node_id;
        ls->r.req = (kfk_request){.api_key = KFK_API_LIST_GROUPS,
                                  .min_version = ctx->type.ptr ? 5 : 0, .max_version = -1,
                                  .msg = req};
        kfk_asub_send(ls);
    }
    kfk_arena_reset(&a);
    return err;
}

static void start_list(kfk_aop *op) {
    kfk_asub *s = kfk_asub_new(op, on_brokers, NULL);
    if (!s) return;
    s->r.dest = KFK_DEST_ANY;
    s->r.req = (kfk_request){.api_key = KFK_API_METADATA, .min_version = 1, .max_version = -1,
                             .msg = &((list_ctx *)op->ctx)->md};
    kfk_asub_send(s);
}

kfk_admin_result *kfk_admin_list_groups_of(kfk_admin *a, const char *type,
                                           const kfk_admin_options *o, kfk_admin_cb cb,
                                           void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_list);
    if (!op) return kfk_aop_nomem(cb, opaque);
    list_ctx *ctx = kfk_arena_alloc(&op->arena, sizeof *ctx);
    int ok = 1;
    if (!ctx) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    kfk_metadata_request_init(&ctx->md);
    ctx->md.allow_auto_topic_creation = false;
    ctx->type = kfk_str_of(kfk_aop_strdup(op, type, &ok));
    if (!ok) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    op->ctx = ctx;
    return kfk_aop_run(op);
}

kfk_admin_result *kfk_admin_list_groups(kfk_admin *a, const kfk_admin_options *o,
                                        kfk_admin_cb cb, void *opaque) {
    return kfk_admin_list_groups_of(a, NULL, o, cb, opaque);
}

/* --------------------------------------------------------------- describe */

static int fill_assignment(kfk_admin_result *r, kfk_group_member *mem, kfk_bytes b) {
    if (b.len <= 0) return 0;
    kfk_arena a = {0};
    kfk_assignment asg;
    int err = kfk_assignment_decode(b.ptr, (size_t)b.len, &a, &asg);
    int n = 0;
    for (int32_t t = 0; !err && t < asg.nparts; t++) n += asg.parts[t].count;
    kfk_topic_partition *tp = err ? NULL : kfk_ares_alloc(r, (size_t)n, sizeof *tp);
    if (!err && !tp) err = KFK_ERR_NOMEM;
    for (int32_t t = 0, k = 0; !err && t < asg.nparts; t++) {
        const char *topic = kfk_ares_str(r, asg.parts[t].topic);
        if (!topic) err = KFK_ERR_NOMEM;
        for (int32_t p = 0; !err && p < asg.parts[t].count; p++)
            tp[k++] = (kfk_topic_partition){topic, asg.parts[t].partitions[p]};
    }
    kfk_arena_reset(&a);
    /* an assignment kfk cannot read is left out, not an error */
    if (err == KFK_ERR_MALFORMED) return 0;
    mem->assignment = tp;
    mem->nassignment = err ? 0 : n;
    return err;
}

static int fill_group(kfk_admin_result *r, kfk_group_desc *d,
                      const kfk_describe_groups_response_described_group *g, int32_t node) {
    kfk_admin_item it = {0};
    kfk_ares_item_err(r, &it, g->error_code, g->error_message);
    d->err = it.err;
    d->errstr = it.errstr;
    d->state = kfk_ares_str(r, g->group_state);
    d->protocol_type = kfk_ares_str(r, g->protocol_type);
    d->protocol = kfk_ares_str(r, g->protocol_data);
    d->coordinator = node;
    kfk_group_member *mem = kfk_ares_alloc(r, (size_t)g->members.count, sizeof *mem);
    if (!d->state || !d->protocol_type || !d->protocol || !mem) return KFK_ERR_NOMEM;
    int consumer = strcmp(d->protocol_type, "consumer") == 0;
    for (int32_t i = 0; i < g->members.count; i++) {
        const kfk_describe_groups_response_described_group_member *m = &g->members.items[i];
        mem[i].member_id = kfk_ares_str(r, m->member_id);
        mem[i].instance_id = kfk_ares_str(r, m->group_instance_id);
        mem[i].client_id = kfk_ares_str(r, m->client_id);
        mem[i].host = kfk_ares_str(r, m->client_host);
        if (!mem[i].member_id || !mem[i].client_id || !mem[i].host) return KFK_ERR_NOMEM;
        if (consumer && fill_assignment(r, &mem[i], m->member_assignment)) return KFK_ERR_NOMEM;
    }
    d->members = mem;
    d->nmembers = g->members.count;
    return 0;
}

static int on_describe(kfk_asub *s, kfk_response *resp) {
    kfk_admin_result *r = s->op->res;
    kfk_group_desc *d = (kfk_group_desc *)&r->group_descs[s->index];
    kfk_arena a = {0};
    kfk_describe_groups_response m;
    int err = kfk_describe_groups_response_decode(&resp->body, resp->version, &a, &m);
    if (!err && m.groups.count != 1) err = KFK_ERR_MALFORMED;
    if (!err && kfk_admin_coordinator_error(m.groups.items[0].error_code))
        err = m.groups.items[0].error_code;
    else if (!err)
        err = fill_group(r, d, &m.groups.items[0], resp->node_id);
    kfk_arena_reset(&a);
    return err;
}

static void on_describe_error(kfk_asub *s, int err, const char *errstr) {
    kfk_group_desc *d = (kfk_group_desc *)&s->op->res->group_descs[s->index];
    kfk_admin_item it = {0};
    kfk_ares_item_err(s->op->res, &it, err, kfk_str_of(errstr));
    d->err = it.err;
    d->errstr = it.errstr;
}

static void describe_finish(kfk_aop *op) {
    kfk_admin_result *r = op->res;
    for (int i = 0; i < r->ngroup_descs && !r->err; i++)
        if (r->group_descs[i].err) {
            r->err = KFK_ERR_PARTIAL;
            r->errstr = "some groups failed: see each group's error";
        }
}

typedef struct groups_ctx {
    const char **names;
    kfk_str *keys; /* one group per request */
    void *msgs;
} groups_ctx;

static void start_describe(kfk_aop *op) {
    groups_ctx *ctx = op->ctx;
    kfk_asub_send_per_group(op, op->res->ngroup_descs, ctx->names, KFK_API_DESCRIBE_GROUPS,
                            ctx->msgs, sizeof(kfk_describe_groups_request), on_describe,
                            on_describe_error);
}

static groups_ctx *groups_ctx_new(kfk_aop *op, const char *const *groups, int n,
                                  size_t msg_size) {
    groups_ctx *ctx = kfk_arena_alloc(&op->arena, sizeof *ctx);
    if (!ctx) return NULL;
    ctx->names = kfk_arena_array(&op->arena, (size_t)n, sizeof *ctx->names);
    ctx->keys = kfk_arena_array(&op->arena, (size_t)n, sizeof *ctx->keys);
    ctx->msgs = kfk_arena_array(&op->arena, (size_t)n, msg_size);
    if (!ctx->names || !ctx->keys || !ctx->msgs) return NULL;
    int ok = 1;
    for (int i = 0; i < n; i++) {
        ctx->names[i] = kfk_aop_strdup(op, groups[i], &ok);
        ctx->keys[i] = kfk_str_of(ctx->names[i]);
    }
    op->ctx = ctx;
    return ok ? ctx : NULL;
}

static int check_names(const char *const *names, int n) {
    if (n <= 0 || !names) return KFK_ERR_INVALID_ARG;
    for (int i = 0; i < n; i++)
        if (!names[i]) return KFK_ERR_INVALID_ARG;
    return 0;
}

kfk_admin_result *kfk_admin_describe_groups(kfk_admin *a, const char *const *groups, int n,
                                            const kfk_admin_options *o, kfk_admin_cb cb,
                                            void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_describe);
    if (!op) return kfk_aop_nomem(cb, opaque);
    if (check_names(groups, n)) return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "no groups given");
    groups_ctx *ctx = groups_ctx_new(op, groups, n, sizeof(kfk_describe_groups_request));
    kfk_group_desc *out = kfk_ares_alloc(op->res, (size_t)n, sizeof *out);
    if (!ctx || !out) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    kfk_describe_groups_request *msgs = ctx->msgs;
    for (int i = 0; i < n; i++) {
        out[i].group_id = kfk_ares_cstr(op->res, groups[i]);
        out[i].coordinator = -1;
        if (!out[i].group_id) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
        kfk_describe_groups_request_init(&msgs[i]);
        msgs[i].groups.items = &ctx->keys[i];
        msgs[i].groups.count = 1;
    }
    op->res->group_descs = out;
    op->res->ngroup_descs = n;
    op->finish = describe_finish;
    return kfk_aop_run(op);
}

/* ----------------------------------------------------------------- delete */

static int on_delete(kfk_asub *s, kfk_response *resp) {
    kfk_admin_result *r = s->op->res;
    kfk_arena a = {0};
    kfk_delete_groups_response m;
    int err = kfk_delete_groups_response_decode(&resp->body, resp->version, &a, &m);
    if (!err && m.results.count != 1) err = KFK_ERR_MALFORMED;
    if (!err && kfk_admin_coordinator_error(m.results.items[0].error_code))
        err = m.results.items[0].error_code;
    else if (!err)
        kfk_ares_item_err(r, (kfk_admin_item *)&r->items[s->index],
                          m.results.items[0].error_code,
                          m.results.items[0].error_message); /* v3+: the broker's why */
    kfk_arena_reset(&a);
    return err;
}

static void on_item_error(kfk_asub *s, int err, const char *errstr) {
    kfk_ares_item_err(s->op->res, (kfk_admin_item *)&s->op->res->items[s->index], err,
                      kfk_str_of(errstr));
}

static void items_finish(kfk_aop *op) {
    kfk_ares_items_done(op->res, op->res->items, op->res->nitems);
}

static void start_delete(kfk_aop *op) {
    groups_ctx *ctx = op->ctx;
    kfk_asub_send_per_group(op, op->res->nitems, ctx->names, KFK_API_DELETE_GROUPS, ctx->msgs,
                            sizeof(kfk_delete_groups_request), on_delete, on_item_error);
}

kfk_admin_result *kfk_admin_delete_groups(kfk_admin *a, const char *const *groups, int n,
                                          const kfk_admin_options *o, kfk_admin_cb cb,
                                          void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_delete);
    if (!op) return kfk_aop_nomem(cb, opaque);
    if (check_names(groups, n)) return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "no groups given");
    groups_ctx *ctx = groups_ctx_new(op, groups, n, sizeof(kfk_delete_groups_request));
    if (!ctx || kfk_ares_items_new(op->res, groups, n))
        return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    kfk_delete_groups_request *msgs = ctx->msgs;
    for (int i = 0; i < n; i++) {
        kfk_delete_groups_request_init(&msgs[i]);
        msgs[i].groups_names.items = &ctx->keys[i];
        msgs[i].groups_names.count = 1;
    }
    op->finish = items_finish;
    return kfk_aop_run(op);
}
