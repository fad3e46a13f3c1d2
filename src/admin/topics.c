/* Creating and deleting topics, and adding partitions. Each is one request
 * to any broker (KRaft brokers forward it to the controller); topics
 * answered NOT_CONTROLLER are sent again, alone, after a backoff. */
#include "admin/admin_int.h"

/* Keeps the names of the topics answered NOT_CONTROLLER (already recorded
 * in their items) at the front of an array of n elements of size sz whose
 * kfk_str name is at offset off: returns how many. */
static int32_t keep_retriable(kfk_admin_result *r, void *arr, int32_t n, size_t sz, size_t off) {
    int32_t kept = 0;
    for (int32_t i = 0; i < n; i++) {
        char *e = (char *)arr + (size_t)i * sz;
        kfk_admin_item *it = kfk_ares_find_item(r, *(kfk_str *)(void *)(e + off));
        if (!it || it->err != KFK_ERR_NOT_CONTROLLER) continue;
        if (kept != i) memcpy((char *)arr + (size_t)kept * sz, e, sz);
        kept++;
    }
    return kept;
}

/* A failed request: the topics it still carried get its error. */
static void fail_names(kfk_admin_result *r, const void *arr, int32_t n, size_t sz, size_t off,
                       int err, const char *errstr) {
    for (int32_t i = 0; i < n; i++) {
        kfk_str name = *(const kfk_str *)(const void *)((const char *)arr + (size_t)i * sz + off);
        kfk_admin_item *it = kfk_ares_find_item(r, name);
        if (it) kfk_ares_item_err(r, it, err, kfk_astr(errstr));
    }
}

static void items_finish(kfk_aop *op) {
    kfk_ares_items_done(op->res, op->res->items, op->res->nitems);
}

static kfk_str arena_str(kfk_aop *op, const char *s, int *ok) {
    return kfk_astr(kfk_aop_strdup(op, s, ok));
}

/* Replica lists: count lists of per broker ids each, copied. */
static int32_t *copy_ids(kfk_aop *op, const int32_t *ids, int count, int per) {
    int32_t *out = kfk_arena_array(&op->arena, (size_t)count * (size_t)per, sizeof *out);
    if (out) memcpy(out, ids, (size_t)count * (size_t)per * sizeof *out);
    return out;
}

static void send_any(kfk_aop *op, int16_t api_key, const void *msg,
                     int (*on_response)(kfk_asub *, kfk_response *),
                     void (*on_error)(kfk_asub *, int, const char *)) {
    kfk_asub *s = kfk_asub_new(op, on_response, on_error);
    if (!s) return;
    s->r.dest = KFK_DEST_ANY;
    s->r.req = (kfk_request){.api_key = api_key, .min_version = 0, .max_version = -1, .msg = msg};
    kfk_asub_send(s);
}

static int32_t op_timeout(const kfk_aop *op) {
    int64_t left = op->deadline - kfk_io_clock();
    return left > 0 ? (int32_t)left : 1;
}

/* ------------------------------------------------------------ create */

static int on_create(kfk_asub *s, kfk_response *resp) {
    kfk_create_topics_request *m = s->op->ctx;
    kfk_arena a = {0};
    kfk_create_topics_response rm;
    int err = kfk_create_topics_response_decode(&resp->body, resp->version, &a, &rm);
    for (int32_t i = 0; !err && i < rm.topics.count; i++) {
        kfk_create_topics_response_creatable_topic_result *t = &rm.topics.items[i];
        kfk_admin_item *it = kfk_ares_find_item(s->op->res, t->name);
        if (it) kfk_ares_item_err(s->op->res, it, t->error_code, t->error_message);
    }
    kfk_arena_reset(&a);
    if (err) return err;
    m->topics.count = keep_retriable(s->op->res, m->topics.items, m->topics.count,
                                     sizeof *m->topics.items, 0);
    m->timeout_ms = op_timeout(s->op);
    return m->topics.count ? KFK_ERR_NOT_CONTROLLER : 0;
}

static void on_create_error(kfk_asub *s, int err, const char *errstr) {
    kfk_create_topics_request *m = s->op->ctx;
    fail_names(s->op->res, m->topics.items, m->topics.count, sizeof *m->topics.items, 0, err,
               errstr);
}

static void start_create(kfk_aop *op) {
    send_any(op, KFK_API_CREATE_TOPICS, op->ctx, on_create, on_create_error);
}

static int fill_topic(kfk_aop *op, kfk_create_topics_request_creatable_topic *t,
                      const kfk_new_topic *in) {
    int ok = 1;
    t->name = arena_str(op, in->name, &ok);
    t->num_partitions = in->assignment ? -1 : in->partitions;
    t->replication_factor = in->assignment ? -1 : in->replication_factor;
    if (in->assignment) {
        int per = in->replicas_per_partition;
        t->assignments.items = kfk_arena_array(&op->arena, (size_t)in->partitions,
                                               sizeof *t->assignments.items);
        int32_t *ids = copy_ids(op, in->assignment, in->partitions, per);
        if (!t->assignments.items || !ids) return KFK_ERR_NOMEM;
        t->assignments.count = in->partitions;
        for (int32_t p = 0; p < in->partitions; p++) {
            t->assignments.items[p].partition_index = p;
            t->assignments.items[p].broker_ids.items = ids + (size_t)p * (size_t)per;
            t->assignments.items[p].broker_ids.count = per;
        }
    }
    if (in->nconfigs > 0) {
        t->configs.items =
            kfk_arena_array(&op->arena, (size_t)in->nconfigs, sizeof *t->configs.items);
        if (!t->configs.items) return KFK_ERR_NOMEM;
        t->configs.count = in->nconfigs;
        for (int c = 0; c < in->nconfigs; c++) {
            t->configs.items[c].name = arena_str(op, in->configs[2 * c], &ok);
            t->configs.items[c].value = arena_str(op, in->configs[2 * c + 1], &ok);
        }
    }
    return ok ? 0 : KFK_ERR_NOMEM;
}

kfk_admin_result *kfk_admin_create_topics(kfk_admin *a, const kfk_new_topic *topics, int n,
                                          const kfk_admin_options *o, kfk_admin_cb cb,
                                          void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_create);
    if (!op) return kfk_aop_nomem(cb, opaque);
    if (n <= 0 || !topics) return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "no topics given");
    op->finish = items_finish;
    kfk_create_topics_request *m = kfk_arena_alloc(&op->arena, sizeof *m);
    if (!m) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    kfk_create_topics_request_init(m);
    m->topics.items = kfk_arena_array(&op->arena, (size_t)n, sizeof *m->topics.items);
    kfk_admin_item *items = kfk_ares_alloc(op->res, (size_t)n, sizeof *items);
    if (!m->topics.items || !items) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    for (int i = 0; i < n; i++) {
        if (!topics[i].name || (topics[i].assignment && topics[i].replicas_per_partition <= 0))
            return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "a topic without a name or replicas");
        if (fill_topic(op, &m->topics.items[i], &topics[i]))
            return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
        items[i].name = kfk_ares_cstr(op->res, topics[i].name);
    }
    m->topics.count = n;
    op->res->items = items;
    op->res->nitems = n;
    m->timeout_ms = op_timeout(op);
    m->validate_only = op->validate_only != 0;
    op->ctx = m;
    return kfk_aop_run(op);
}

/* ------------------------------------------------------------ delete */

static int on_delete(kfk_asub *s, kfk_response *resp) {
    kfk_delete_topics_request *m = s->op->ctx;
    kfk_arena a = {0};
    kfk_delete_topics_response rm;
    int err = kfk_delete_topics_response_decode(&resp->body, resp->version, &a, &rm);
    for (int32_t i = 0; !err && i < rm.responses.count; i++) {
        kfk_delete_topics_response_deletable_topic_result *t = &rm.responses.items[i];
        kfk_admin_item *it = kfk_ares_find_item(s->op->res, t->name);
        if (it) kfk_ares_item_err(s->op->res, it, t->error_code, t->error_message);
    }
    kfk_arena_reset(&a);
    if (err) return err;
    /* topics (v6+) and topic_names (older) hold the same names */
    m->topic_names.count = keep_retriable(s->op->res, m->topic_names.items,
                                          m->topic_names.count, sizeof(kfk_str), 0);
    m->topics.count =
        keep_retriable(s->op->res, m->topics.items, m->topics.count, sizeof *m->topics.items,
                       offsetof(kfk_delete_topics_request_delete_topic_state, name));
    m->timeout_ms = op_timeout(s->op);
    return m->topics.count ? KFK_ERR_NOT_CONTROLLER : 0;
}

static void on_delete_error(kfk_asub *s, int err, const char *errstr) {
    kfk_delete_topics_request *m = s->op->ctx;
    fail_names(s->op->res, m->topic_names.items, m->topic_names.count, sizeof(kfk_str), 0, err,
               errstr);
}

static void start_delete(kfk_aop *op) {
    send_any(op, KFK_API_DELETE_TOPICS, op->ctx, on_delete, on_delete_error);
}

kfk_admin_result *kfk_admin_delete_topics(kfk_admin *a, const char *const *topics, int n,
                                          const kfk_admin_options *o, kfk_admin_cb cb,
                                          void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_delete);
    if (!op) return kfk_aop_nomem(cb, opaque);
    if (n <= 0 || !topics) return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "no topics given");
    for (int i = 0; i < n; i++)
        if (!topics[i]) return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "a NULL topic name");
    op->finish = items_finish;
    kfk_delete_topics_request *m = kfk_arena_alloc(&op->arena, sizeof *m);
    if (!m) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    kfk_delete_topics_request_init(m);
    m->topics.items = kfk_arena_array(&op->arena, (size_t)n, sizeof *m->topics.items);
    m->topic_names.items = kfk_arena_array(&op->arena, (size_t)n, sizeof(kfk_str));
    if (!m->topics.items || !m->topic_names.items || kfk_ares_items_new(op->res, topics, n))
        return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    for (int i = 0; i < n; i++) {
        m->topic_names.items[i] = kfk_astr(op->res->items[i].name);
        m->topics.items[i].name = m->topic_names.items[i];
    }
    m->topics.count = m->topic_names.count = n;
    m->timeout_ms = op_timeout(op);
    op->ctx = m;
    return kfk_aop_run(op);
}

/* ------------------------------------------------------- create partitions */

static int on_partitions(kfk_asub *s, kfk_response *resp) {
    kfk_create_partitions_request *m = s->op->ctx;
    kfk_arena a = {0};
    kfk_create_partitions_response rm;
    int err = kfk_create_partitions_response_decode(&resp->body, resp->version, &a, &rm);
    for (int32_t i = 0; !err && i < rm.results.count; i++) {
        kfk_create_partitions_response_topic_result *t = &rm.results.items[i];
        kfk_admin_item *it = kfk_ares_find_item(s->op->res, t->name);
        if (it) kfk_ares_item_err(s->op->res, it, t->error_code, t->error_message);
    }
    kfk_arena_reset(&a);
    if (err) return err;
    m->topics.count = keep_retriable(s->op->res, m->topics.items, m->topics.count,
                                     sizeof *m->topics.items, 0);
    m->timeout_ms = op_timeout(s->op);
    return m->topics.count ? KFK_ERR_NOT_CONTROLLER : 0;
}

static void on_partitions_error(kfk_asub *s, int err, const char *errstr) {
    kfk_create_partitions_request *m = s->op->ctx;
    fail_names(s->op->res, m->topics.items, m->topics.count, sizeof *m->topics.items, 0, err,
               errstr);
}

static void start_partitions(kfk_aop *op) {
    send_any(op, KFK_API_CREATE_PARTITIONS, op->ctx, on_partitions, on_partitions_error);
}

kfk_admin_result *kfk_admin_create_partitions(kfk_admin *a, const kfk_new_partitions *parts,
                                              int n, const kfk_admin_options *o,
                                              kfk_admin_cb cb, void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_partitions);
    if (!op) return kfk_aop_nomem(cb, opaque);
    if (n <= 0 || !parts) return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "no topics given");
    op->finish = items_finish;
    kfk_create_partitions_request *m = kfk_arena_alloc(&op->arena, sizeof *m);
    kfk_admin_item *items = kfk_ares_alloc(op->res, (size_t)n, sizeof *items);
    if (!m || !items) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    kfk_create_partitions_request_init(m);
    m->topics.items = kfk_arena_array(&op->arena, (size_t)n, sizeof *m->topics.items);
    if (!m->topics.items) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    for (int i = 0; i < n; i++) {
        const kfk_new_partitions *in = &parts[i];
        kfk_create_partitions_request_topic *t = &m->topics.items[i];
        if (!in->topic || (in->assignment && in->replicas_per_partition <= 0))
            return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "a topic without a name or replicas");
        items[i].name = kfk_ares_cstr(op->res, in->topic);
        if (!items[i].name) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
        t->name = kfk_astr(items[i].name);
        t->count = in->total;
        t->assignments.count = -1; /* null: the broker places the new partitions */
        if (!in->assignment) continue;
        /* The caller says how many partitions it adds by the list's length. */
        int added = in->nassignment;
        int per = in->replicas_per_partition;
        t->assignments.items =
            kfk_arena_array(&op->arena, (size_t)added, sizeof *t->assignments.items);
        int32_t *ids = copy_ids(op, in->assignment, added, per);
        if (!t->assignments.items || !ids) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
        t->assignments.count = added;
        for (int p = 0; p < added; p++) {
            t->assignments.items[p].broker_ids.items = ids + (size_t)p * (size_t)per;
            t->assignments.items[p].broker_ids.count = per;
        }
    }
    m->topics.count = n;
    op->res->items = items;
    op->res->nitems = n;
    m->timeout_ms = op_timeout(op);
    m->validate_only = op->validate_only != 0;
    op->ctx = m;
    return kfk_aop_run(op);
}
