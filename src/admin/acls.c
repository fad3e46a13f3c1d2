/* ACLs: CreateAcls, DescribeAcls and DeleteAcls, each one request to any
 * broker (KRaft brokers forward changes to the controller). */
#include "admin/admin_int.h"

static void send_any(kfk_aop *op, int16_t api_key, int (*on_response)(kfk_asub *, kfk_response *),
                     void (*on_error)(kfk_asub *, int, const char *)) {
    kfk_asub *s = kfk_asub_new(op, on_response, on_error);
    if (!s) return;
    s->r.dest = KFK_DEST_ANY;
    s->r.req = (kfk_request){.api_key = api_key, .min_version = 1, .max_version = -1,
                             .msg = op->ctx};
    kfk_asub_send(s);
}

static void items_finish(kfk_aop *op) {
    kfk_ares_items_done(op->res, op->res->items, op->res->nitems);
}

static kfk_str copy(kfk_aop *op, const char *s, int *ok) {
    return kfk_str_of(kfk_aop_strdup(op, s, ok));
}

static int fill_acl(kfk_admin_result *r, kfk_acl *out, int type, kfk_str name, int pattern,
                    kfk_str principal, kfk_str host, int operation, int permission) {
    *out = (kfk_acl){.resource_type = type,
                     .resource_name = kfk_ares_str(r, name),
                     .pattern_type = pattern,
                     .principal = kfk_ares_str(r, principal),
                     .host = kfk_ares_str(r, host),
                     .operation = operation,
                     .permission = permission};
    return out->resource_name && out->principal && out->host ? 0 : KFK_ERR_NOMEM;
}

/* ----------------------------------------------------------------- create */

static int on_create(kfk_asub *s, kfk_response *resp) {
    kfk_admin_result *r = s->op->res;
    kfk_arena a = {0};
    kfk_create_acls_response m;
    int err = kfk_create_acls_response_decode(&resp->body, resp->version, &a, &m);
    if (!err && m.results.count != r->nitems) err = KFK_ERR_MALFORMED;
    for (int32_t i = 0; !err && i < m.results.count; i++)
        kfk_ares_item_err(r, (kfk_admin_item *)&r->items[i], m.results.items[i].error_code,
                          m.results.items[i].error_message);
    kfk_arena_reset(&a);
    return err;
}

static void on_items_error(kfk_asub *s, int err, const char *errstr) {
    kfk_admin_result *r = s->op->res;
    for (int i = 0; i < r->nitems; i++)
        kfk_ares_item_err(r, (kfk_admin_item *)&r->items[i], err, kfk_str_of(errstr));
}

static void start_create(kfk_aop *op) {
    send_any(op, KFK_API_CREATE_ACLS, on_create, on_items_error);
}

kfk_admin_result *kfk_admin_create_acls(kfk_admin *a, const kfk_acl *acls, int n,
                                        const kfk_admin_options *o, kfk_admin_cb cb,
                                        void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_create);
    if (!op) return kfk_aop_nomem(cb, opaque);
    if (n <= 0 || !acls) return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "no ACLs given");
    for (int i = 0; i < n; i++)
        if (!acls[i].resource_name || !acls[i].principal || !acls[i].host)
            return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "an ACL without resource, principal or host");
    kfk_create_acls_request *m = kfk_arena_alloc(&op->arena, sizeof *m);
    if (!m) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    kfk_create_acls_request_init(m);
    m->creations.items = kfk_arena_array(&op->arena, (size_t)n, sizeof *m->creations.items);
    kfk_admin_item *items = kfk_ares_alloc(op->res, (size_t)n, sizeof *items);
    if (!m->creations.items || !items) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    int ok = 1;
    for (int i = 0; i < n; i++) {
        const kfk_acl *in = &acls[i];
        m->creations.items[i] = (kfk_create_acls_request_acl_creation){
            .resource_type = (int8_t)in->resource_type,
            .resource_name = copy(op, in->resource_name, &ok),
            .resource_pattern_type = (int8_t)in->pattern_type,
            .principal = copy(op, in->principal, &ok),
            .host = copy(op, in->host, &ok),
            .operation = (int8_t)in->operation,
            .permission_type = (int8_t)in->permission,
        };
        items[i].name = "";
    }
    if (!ok) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    m->creations.count = n;
    op->res->items = items;
    op->res->nitems = n;
    op->ctx = m;
    op->finish = items_finish;
    return kfk_aop_run(op);
}

/* --------------------------------------------------------------- describe */

static int on_describe(kfk_asub *s, kfk_response *resp) {
    kfk_admin_result *r = s->op->res;
    kfk_arena a = {0};
    kfk_describe_acls_response m;
    int err = kfk_describe_acls_response_decode(&resp->body, resp->version, &a, &m);
    if (!err && m.error_code) {
        kfk_aop_error(s->op, m.error_code, kfk_ares_str(r, m.error_message));
    } else if (!err) {
        int n = 0;
        for (int32_t i = 0; i < m.resources.count; i++) n += m.resources.items[i].acls.count;
        kfk_acl *out = kfk_ares_alloc(r, (size_t)n, sizeof *out);
        if (!out) err = KFK_ERR_NOMEM;
        for (int32_t i = 0, k = 0; !err && i < m.resources.count; i++) {
            kfk_describe_acls_response_resource *res = &m.resources.items[i];
            for (int32_t j = 0; !err && j < res->acls.count; j++) {
                kfk_describe_acls_response_acl_description *d = &res->acls.items[j];
                err = fill_acl(r, &out[k++], res->resource_type, res->resource_name,
                               res->pattern_type, d->principal, d->host, d->operation,
                               d->permission_type);
            }
        }
        r->acls = out;
        r->nacls = err ? 0 : n;
    }
    kfk_arena_reset(&a);
    return err;
}

static void start_describe(kfk_aop *op) {
    send_any(op, KFK_API_DESCRIBE_ACLS, on_describe, NULL);
}

kfk_admin_result *kfk_admin_describe_acls(kfk_admin *a, const kfk_acl *filter,
                                          const kfk_admin_options *o, kfk_admin_cb cb,
                                          void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_describe);
    if (!op) return kfk_aop_nomem(cb, opaque);
    if (!filter) return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "no filter given");
    kfk_describe_acls_request *m = kfk_arena_alloc(&op->arena, sizeof *m);
    if (!m) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    int ok = 1;
    *m = (kfk_describe_acls_request){
        .resource_type_filter = (int8_t)filter->resource_type,
        .resource_name_filter = copy(op, filter->resource_name, &ok),
        .pattern_type_filter = (int8_t)filter->pattern_type,
        .principal_filter = copy(op, filter->principal, &ok),
        .host_filter = copy(op, filter->host, &ok),
        .operation = (int8_t)filter->operation,
        .permission_type = (int8_t)filter->permission,
    };
    if (!ok) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    op->ctx = m;
    return kfk_aop_run(op);
}

/* ----------------------------------------------------------------- delete */

static int fill_filter_result(kfk_admin_result *r, kfk_acl_filter_result *out,
                              const kfk_delete_acls_response_filter_result *f) {
    kfk_admin_item it = {0};
    kfk_ares_item_err(r, &it, f->error_code, f->error_message);
    out->err = it.err;
    out->errstr = it.errstr;
    kfk_acl *acls = kfk_ares_alloc(r, (size_t)f->matching_acls.count, sizeof *acls);
    kfk_admin_item *res = kfk_ares_alloc(r, (size_t)f->matching_acls.count, sizeof *res);
    if (!acls || !res) return KFK_ERR_NOMEM;
    for (int32_t j = 0; j < f->matching_acls.count; j++) {
        const kfk_delete_acls_response_matching_acl *x = &f->matching_acls.items[j];
        if (fill_acl(r, &acls[j], x->resource_type, x->resource_name, x->pattern_type,
                     x->principal, x->host, x->operation, x->permission_type))
            return KFK_ERR_NOMEM;
        res[j].name = "";
        kfk_ares_item_err(r, &res[j], x->error_code, x->error_message);
    }
    out->acls = acls;
    out->acl_results = res;
    out->nacls = f->matching_acls.count;
    return 0;
}

static int on_delete(kfk_asub *s, kfk_response *resp) {
    kfk_admin_result *r = s->op->res;
    kfk_arena a = {0};
    kfk_delete_acls_response m;
    int err = kfk_delete_acls_response_decode(&resp->body, resp->version, &a, &m);
    if (!err && m.filter_results.count != r->nacl_filters) err = KFK_ERR_MALFORMED;
    for (int32_t i = 0; !err && i < m.filter_results.count; i++)
        err = fill_filter_result(r, (kfk_acl_filter_result *)&r->acl_filters[i],
                                 &m.filter_results.items[i]);
    kfk_arena_reset(&a);
    return err;
}

static void on_delete_error(kfk_asub *s, int err, const char *errstr) {
    kfk_admin_result *r = s->op->res;
    kfk_admin_item it = {0};
    kfk_ares_item_err(r, &it, err, kfk_str_of(errstr));
    for (int i = 0; i < r->nacl_filters; i++) {
        kfk_acl_filter_result *f = (kfk_acl_filter_result *)&r->acl_filters[i];
        f->err = it.err;
        f->errstr = it.errstr;
    }
}

static void delete_finish(kfk_aop *op) {
    kfk_admin_result *r = op->res;
    for (int i = 0; i < r->nacl_filters && !r->err; i++)
        if (r->acl_filters[i].err) {
            r->err = KFK_ERR_PARTIAL;
            r->errstr = "some filters failed: see each filter's error";
        }
}

static void start_delete(kfk_aop *op) {
    send_any(op, KFK_API_DELETE_ACLS, on_delete, on_delete_error);
}

kfk_admin_result *kfk_admin_delete_acls(kfk_admin *a, const kfk_acl *filters, int n,
                                        const kfk_admin_options *o, kfk_admin_cb cb,
                                        void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_delete);
    if (!op) return kfk_aop_nomem(cb, opaque);
    if (n <= 0 || !filters) return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "no filters given");
    kfk_delete_acls_request *m = kfk_arena_alloc(&op->arena, sizeof *m);
    kfk_acl_filter_result *out = kfk_ares_alloc(op->res, (size_t)n, sizeof *out);
    if (!m || !out) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    kfk_delete_acls_request_init(m);
    m->filters.items = kfk_arena_array(&op->arena, (size_t)n, sizeof *m->filters.items);
    if (!m->filters.items) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    int ok = 1;
    for (int i = 0; i < n; i++) {
        const kfk_acl *f = &filters[i];
        m->filters.items[i] = (kfk_delete_acls_request_filter){
            .resource_type_filter = (int8_t)f->resource_type,
            .resource_name_filter = copy(op, f->resource_name, &ok),
            .pattern_type_filter = (int8_t)f->pattern_type,
            .principal_filter = copy(op, f->principal, &ok),
            .host_filter = copy(op, f->host, &ok),
            .operation = (int8_t)f->operation,
            .permission_type = (int8_t)f->permission,
        };
    }
    if (!ok) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    m->filters.count = n;
    op->res->acl_filters = out;
    op->res->nacl_filters = n;
    op->ctx = m;
    op->finish = delete_finish;
    return kfk_aop_run(op);
}
