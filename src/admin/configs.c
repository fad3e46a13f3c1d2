/* Describing configs (DescribeConfigs, with synonyms) and changing them
 * (IncrementalAlterConfigs). One request per resource: a broker's (or
 * broker logger's) goes to that broker, others to any broker. */
#include <stdlib.h>

#include "admin/admin_int.h"

static int is_broker(int type) {
    return type == KFK_CONFIG_BROKER || type == KFK_CONFIG_BROKER_LOGGER;
}

/* Where a resource's request goes. */
static void route(kfk_asub *s, int type, const char *name) {
    char *end;
    long id = name && *name ? strtol(name, &end, 10) : -1;
    if (is_broker(type) && id >= 0 && *end == '\0') {
        s->r.dest = KFK_DEST_NODE;
        s->r.node_id = (int32_t)id;
    } else {
        s->r.dest = KFK_DEST_ANY;
    }
}

/* --------------------------------------------------------------- describe */

static int fill_entry(kfk_admin_result *r, kfk_config_entry *e,
                      const kfk_describe_configs_response_resource_result *c, int16_t version) {
    e->name = kfk_ares_str(r, c->name);
    e->value = kfk_ares_str(r, c->value);
    e->read_only = c->read_only;
    e->sensitive = c->is_sensitive;
    e->source = version >= 1 ? c->config_source : KFK_CONFIG_SOURCE_UNKNOWN;
    e->is_default = version >= 1 ? c->config_source == KFK_CONFIG_SOURCE_DEFAULT : c->is_default;
    kfk_config_synonym *syn = kfk_ares_alloc(r, (size_t)c->synonyms.count, sizeof *syn);
    if (!e->name || !syn) return KFK_ERR_NOMEM;
    for (int32_t k = 0; k < c->synonyms.count; k++) {
        syn[k].name = kfk_ares_str(r, c->synonyms.items[k].name);
        syn[k].value = kfk_ares_str(r, c->synonyms.items[k].value);
        syn[k].source = c->synonyms.items[k].source;
        if (!syn[k].name) return KFK_ERR_NOMEM;
    }
    e->synonyms = syn;
    e->nsynonyms = c->synonyms.count;
    return 0;
}

static int on_describe(kfk_asub *s, kfk_response *resp) {
    kfk_admin_result *r = s->op->res;
    kfk_config_resource *out = (kfk_config_resource *)&r->configs[s->index];
    kfk_arena a = {0};
    kfk_describe_configs_response m;
    int err = kfk_describe_configs_response_decode(&resp->body, resp->version, &a, &m);
    if (!err && m.results.count != 1) err = KFK_ERR_MALFORMED;
    if (!err) {
        const kfk_describe_configs_response_result *res = &m.results.items[0];
        kfk_admin_item it = {0};
        kfk_ares_item_err(r, &it, res->error_code, res->error_message);
        out->err = it.err;
        out->errstr = it.errstr;
        kfk_config_entry *e = kfk_ares_alloc(r, (size_t)res->configs.count, sizeof *e);
        if (!e) err = KFK_ERR_NOMEM;
        for (int32_t i = 0; !err && i < res->configs.count; i++)
            err = fill_entry(r, &e[i], &res->configs.items[i], resp->version);
        out->entries = e;
        out->nentries = err ? 0 : res->configs.count;
        if (!err && res->error_code == KFK_ERR_NOT_CONTROLLER) err = KFK_ERR_NOT_CONTROLLER;
    }
    kfk_arena_reset(&a);
    return err;
}

static void on_resource_error(kfk_asub *s, int err, const char *errstr) {
    kfk_config_resource *out = (kfk_config_resource *)&s->op->res->configs[s->index];
    kfk_admin_item it = {0};
    kfk_ares_item_err(s->op->res, &it, err, kfk_str_of(errstr));
    out->err = it.err;
    out->errstr = it.errstr;
}

static void describe_finish(kfk_aop *op) {
    kfk_admin_result *r = op->res;
    for (int i = 0; i < r->nconfigs && !r->err; i++)
        if (r->configs[i].err) {
            r->err = KFK_ERR_PARTIAL;
            r->errstr = "some resources failed: see each resource's error";
        }
}

static void start_describe(kfk_aop *op) {
    kfk_describe_configs_request *reqs = op->ctx;
    for (int i = 0; i < op->res->nconfigs; i++) {
        kfk_asub *s = kfk_asub_new(op, on_describe, on_resource_error);
        if (!s) return;
        s->index = i;
        route(s, op->res->configs[i].type, op->res->configs[i].name);
        s->r.req = (kfk_request){.api_key = KFK_API_DESCRIBE_CONFIGS, .min_version = 1,
                                 .max_version = -1, .msg = &reqs[i]};
        kfk_asub_send(s);
    }
}

kfk_admin_result *kfk_admin_describe_configs(kfk_admin *a,
                                             const kfk_config_resource *resources, int n,
                                             const kfk_admin_options *o, kfk_admin_cb cb,
                                             void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_describe);
    if (!op) return kfk_aop_nomem(cb, opaque);
    if (n <= 0 || !resources) return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "no resources given");
    kfk_admin_result *r = op->res;
    kfk_config_resource *out = kfk_ares_alloc(r, (size_t)n, sizeof *out);
    kfk_describe_configs_request *reqs = kfk_arena_array(&op->arena, (size_t)n, sizeof *reqs);
    if (!out || !reqs) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    for (int i = 0; i < n; i++) {
        const kfk_config_resource *in = &resources[i];
        if (!in->name || (in->nkeys > 0 && !in->keys))
            return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "a resource without a name");
        out[i].type = in->type;
        out[i].name = kfk_ares_cstr(r, in->name);
        kfk_describe_configs_request_resource *rr = kfk_arena_alloc(&op->arena, sizeof *rr);
        kfk_str *keys = kfk_arena_array(&op->arena, (size_t)(in->nkeys > 0 ? in->nkeys : 1),
                                        sizeof *keys);
        if (!out[i].name || !rr || !keys) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
        rr->resource_type = (int8_t)in->type;
        rr->resource_name = kfk_str_of(out[i].name);
        rr->configuration_keys.items = keys;
        rr->configuration_keys.count = in->nkeys > 0 ? in->nkeys : -1; /* null: all */
        for (int k = 0; k < in->nkeys; k++) {
            keys[k] = kfk_str_of(kfk_ares_cstr(r, in->keys[k]));
            if (!keys[k].ptr) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
        }
        kfk_describe_configs_request_init(&reqs[i]);
        reqs[i].resources.items = rr;
        reqs[i].resources.count = 1;
        reqs[i].include_synonyms = true;
    }
    r->configs = out;
    r->nconfigs = n;
    op->ctx = reqs;
    op->finish = describe_finish;
    return kfk_aop_run(op);
}

/* ------------------------------------------------------------------ alter */

typedef struct alter_ctx {
    kfk_incremental_alter_configs_request *reqs; /* one per resource */
    int *types;
} alter_ctx;

static int on_alter(kfk_asub *s, kfk_response *resp) {
    kfk_admin_result *r = s->op->res;
    kfk_admin_item *it = (kfk_admin_item *)&r->items[s->index];
    kfk_arena a = {0};
    kfk_incremental_alter_configs_response m;
    int err = kfk_incremental_alter_configs_response_decode(&resp->body, resp->version, &a, &m);
    if (!err && m.responses.count != 1) err = KFK_ERR_MALFORMED;
    if (!err) {
        kfk_incremental_alter_configs_response_alter_configs_resource_response *x =
            &m.responses.items[0];
        kfk_ares_item_err(r, it, x->error_code, x->error_message);
        if (x->error_code == KFK_ERR_NOT_CONTROLLER) err = KFK_ERR_NOT_CONTROLLER;
    }
    kfk_arena_reset(&a);
    return err;
}

static void on_alter_error(kfk_asub *s, int err, const char *errstr) {
    kfk_admin_item *it = (kfk_admin_item *)&s->op->res->items[s->index];
    kfk_ares_item_err(s->op->res, it, err, kfk_str_of(errstr));
}

static void alter_finish(kfk_aop *op) {
    kfk_ares_items_done(op->res, op->res->items, op->res->nitems);
}

static void start_alter(kfk_aop *op) {
    alter_ctx *ctx = op->ctx;
    for (int i = 0; i < op->res->nitems; i++) {
        kfk_asub *s = kfk_asub_new(op, on_alter, on_alter_error);
        if (!s) return;
        s->index = i;
        route(s, ctx->types[i], op->res->items[i].name);
        s->r.req = (kfk_request){.api_key = KFK_API_INCREMENTAL_ALTER_CONFIGS, .min_version = 0,
                                 .max_version = -1, .msg = &ctx->reqs[i]};
        kfk_asub_send(s);
    }
}

/* The index of ops[i]'s resource among the first i ops, or -1. */
static int seen_before(const kfk_config_op *ops, int i) {
    for (int j = 0; j < i; j++)
        if (ops[j].resource_type == ops[i].resource_type &&
            strcmp(ops[j].resource, ops[i].resource) == 0)
            return j;
    return -1;
}

kfk_admin_result *kfk_admin_alter_configs(kfk_admin *a, const kfk_config_op *ops, int n,
                                          const kfk_admin_options *o, kfk_admin_cb cb,
                                          void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_alter);
    if (!op) return kfk_aop_nomem(cb, opaque);
    if (n <= 0 || !ops) return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "no config changes given");
    for (int i = 0; i < n; i++)
        if (!ops[i].resource || !ops[i].name || ops[i].op < KFK_CONFIG_SET ||
            ops[i].op > KFK_CONFIG_SUBTRACT)
            return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "a config change without a name");
    kfk_admin_result *r = op->res;
    alter_ctx *ctx = kfk_arena_alloc(&op->arena, sizeof *ctx);
    kfk_admin_item *items = kfk_ares_alloc(r, (size_t)n, sizeof *items);
    if (!ctx || !items) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    ctx->reqs = kfk_arena_array(&op->arena, (size_t)n, sizeof *ctx->reqs);
    ctx->types = kfk_arena_array(&op->arena, (size_t)n, sizeof *ctx->types);
    int *slot = kfk_arena_array(&op->arena, (size_t)n, sizeof *slot); /* op -> resource */
    if (!ctx->reqs || !ctx->types || !slot) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    int nres = 0;
    for (int i = 0; i < n; i++) {
        int j = seen_before(ops, i);
        slot[i] = j < 0 ? nres++ : slot[j];
    }
    for (int k = 0; k < nres; k++) {
        kfk_incremental_alter_configs_request *m = &ctx->reqs[k];
        kfk_incremental_alter_configs_request_init(m);
        m->validate_only = op->validate_only != 0;
        m->resources.items = kfk_arena_alloc(&op->arena, sizeof *m->resources.items);
        if (!m->resources.items) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
        m->resources.count = 1;
    }
    for (int i = 0; i < n; i++) {
        kfk_incremental_alter_configs_request_alter_configs_resource *res =
            ctx->reqs[slot[i]].resources.items;
        if (!res->configs.items) {
            res->configs.items = kfk_arena_array(&op->arena, (size_t)n, sizeof *res->configs.items);
            items[slot[i]].name = kfk_ares_cstr(r, ops[i].resource);
            if (!res->configs.items || !items[slot[i]].name)
                return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
            res->resource_type = (int8_t)ops[i].resource_type;
            res->resource_name = kfk_str_of(items[slot[i]].name);
            ctx->types[slot[i]] = ops[i].resource_type;
        }
        kfk_incremental_alter_configs_request_alterable_config *c =
            &res->configs.items[res->configs.count++];
        c->name = kfk_str_of(kfk_ares_cstr(r, ops[i].name));
        c->config_operation = (int8_t)ops[i].op;
        c->value = kfk_str_of(ops[i].value ? kfk_ares_cstr(r, ops[i].value) : NULL);
        if (!c->name.ptr || (ops[i].value && !c->value.ptr))
            return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    }
    r->items = items;
    r->nitems = nres;
    op->ctx = ctx;
    op->finish = alter_finish;
    return kfk_aop_run(op);
}
