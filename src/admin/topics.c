/* Creating and deleting topics, and adding partitions. Each is one request
 * to any broker (KRaft brokers forward it to the controller); topics
 * answered NOT_CONTROLLER are sent again, alone, after a backoff. */
#include "admin/admin_int.h"

/* An array in a message whose elements (elem_size bytes) each hold a
 * topic's kfk_str at `name`. */
typedef struct names_at {
    size_t array, elem_size, name;
} names_at;

/* What the three requests differ in: where the response keeps each topic's
 * result, and where the request carries the topics' names (in one or two
 * arrays: DeleteTopics has both forms) and its timeout. */
typedef struct topic_api {
    int16_t api_key;
    const kfk_msg_desc *response;
    names_at results;
    size_t error, message; /* in a result */
    names_at sent[2];      /* elem_size 0: no second array */
    size_t timeout;
} topic_api;

typedef struct topics_ctx {
    const topic_api *api;
    void *msg;
} topics_ctx;

static kfk_str name_at(const kfk_array *arr, const names_at *at, int32_t i) {
    kfk_str name;
    memcpy(&name, (const char *)arr->items + (size_t)i * at->elem_size + at->name, sizeof name);
    return name;
}

/* Keeps the topics answered NOT_CONTROLLER (already recorded in their
 * items) at the front of the request's array at `at`: how many. */
static int32_t keep_retriable(kfk_admin_result *r, void *msg, const names_at *at) {
    kfk_array arr;
    memcpy(&arr, (char *)msg + at->array, sizeof arr);
    int32_t kept = 0;
    for (int32_t i = 0; i < arr.count; i++) {
        kfk_admin_item *it = kfk_ares_find_item(r, name_at(&arr, at, i));
        if (!it || it->err != KFK_ERR_NOT_CONTROLLER) continue;
        char *e = (char *)arr.items + (size_t)i * at->elem_size;
        if (kept != i) memcpy((char *)arr.items + (size_t)kept * at->elem_size, e, at->elem_size);
        kept++;
    }
    arr.count = kept;
    memcpy((char *)msg + at->array, &arr, sizeof arr);
    return kept;
}

static int32_t op_timeout(const kfk_aop *op) {
    int64_t left = op->deadline - kfk_io_clock();
    return left > 0 ? (int32_t)left : 1;
}

/* Records each topic's result; those answered NOT_CONTROLLER are sent
 * again, with the time left. */
static int on_topics(kfk_asub *s, kfk_response *resp) {
    const topics_ctx *ctx = s->op->ctx;
    const topic_api *api = ctx->api;
    kfk_admin_result *r = s->op->res;
    kfk_arena a = {0};
    void *rm = kfk_arena_alloc(&a, api->response->s.size);
    int err = rm ? kfk_msg_decode(&resp->body, api->response, resp->version, &a, rm)
                 : KFK_ERR_NOMEM;
    kfk_array res = {NULL, 0};
    if (!err) memcpy(&res, (char *)rm + api->results.array, sizeof res);
    for (int32_t i = 0; i < res.count; i++) {
        const char *t = (const char *)res.items + (size_t)i * api->results.elem_size;
        int16_t code;
        kfk_str msg;
        memcpy(&code, t + api->error, sizeof code);
        memcpy(&msg, t + api->message, sizeof msg);
        kfk_admin_item *it = kfk_ares_find_item(r, name_at(&res, &api->results, i));
        if (it) kfk_ares_item_err(r, it, code, msg);
    }
    kfk_arena_reset(&a);
    if (err) return err;
    int32_t left = 0;
    for (int k = 0; k < 2 && api->sent[k].elem_size; k++)
        left = keep_retriable(r, ctx->msg, &api->sent[k]);
    int32_t timeout = op_timeout(s->op);
    memcpy((char *)ctx->msg + api->timeout, &timeout, sizeof timeout);
    return left ? KFK_ERR_NOT_CONTROLLER : 0;
}

/* A failed request: the topics it still carried get its error. */
static void on_topics_error(kfk_asub *s, int err, const char *errstr) {
    const topics_ctx *ctx = s->op->ctx;
    const names_at *at = &ctx->api->sent[0];
    kfk_array arr;
    memcpy(&arr, (char *)ctx->msg + at->array, sizeof arr);
    for (int32_t i = 0; i < arr.count; i++) {
        kfk_admin_item *it = kfk_ares_find_item(s->op->res, name_at(&arr, at, i));
        if (it) kfk_ares_item_err(s->op->res, it, err, kfk_str_of(errstr));
    }
}

/* One request to any broker (KRaft brokers forward it to the controller). */
static void start_topics(kfk_aop *op) {
    const topics_ctx *ctx = op->ctx;
    kfk_asub *s = kfk_asub_new(op, on_topics, on_topics_error);
    if (!s) return;
    s->r.dest = KFK_DEST_ANY;
    s->r.req = (kfk_request){
        .api_key = ctx->api->api_key, .min_version = 0, .max_version = -1, .msg = ctx->msg};
    kfk_asub_send(s);
}

/* op->ctx for api and its request msg; 0 or KFK_ERR_NOMEM. */
static int topics_ctx_set(kfk_aop *op, const topic_api *api, void *msg) {
    topics_ctx *ctx = kfk_arena_alloc(&op->arena, sizeof *ctx);
    if (!ctx) return KFK_ERR_NOMEM;
    *ctx = (topics_ctx){api, msg};
    op->ctx = ctx;
    return 0;
}

static void items_finish(kfk_aop *op) {
    kfk_ares_items_done(op->res, op->res->items, op->res->nitems);
}

static kfk_str arena_str(kfk_aop *op, const char *s, int *ok) {
    return kfk_str_of(kfk_aop_strdup(op, s, ok));
}

/* Replica lists: count lists of per broker ids each, copied. */
static int32_t *copy_ids(kfk_aop *op, const int32_t *ids, int count, int per) {
    int32_t *out = kfk_arena_array(&op->arena, (size_t)count * (size_t)per, sizeof *out);
    if (out) memcpy(out, ids, (size_t)count * (size_t)per * sizeof *out);
    return out;
}

/* ------------------------------------------------------------ create */

static const topic_api create_api = {
    KFK_API_CREATE_TOPICS,
    &kfk_create_topics_response_desc,
    {offsetof(kfk_create_topics_response, topics),
     sizeof(kfk_create_topics_response_creatable_topic_result),
     offsetof(kfk_create_topics_response_creatable_topic_result, name)},
    offsetof(kfk_create_topics_response_creatable_topic_result, error_code),
    offsetof(kfk_create_topics_response_creatable_topic_result, error_message),
    {{offsetof(kfk_create_topics_request, topics),
      sizeof(kfk_create_topics_request_creatable_topic),
      offsetof(kfk_create_topics_request_creatable_topic, name)}},
    offsetof(kfk_create_topics_request, timeout_ms),
};

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
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_topics);
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
    if (topics_ctx_set(op, &create_api, m)) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    return kfk_aop_run(op);
}

/* ------------------------------------------------------------ delete */

/* topic_names (before v6) and topics (v6+) hold the same names */
static const topic_api delete_api = {
    KFK_API_DELETE_TOPICS,
    &kfk_delete_topics_response_desc,
    {offsetof(kfk_delete_topics_response, responses),
     sizeof(kfk_delete_topics_response_deletable_topic_result),
     offsetof(kfk_delete_topics_response_deletable_topic_result, name)},
    offsetof(kfk_delete_topics_response_deletable_topic_result, error_code),
    offsetof(kfk_delete_topics_response_deletable_topic_result, error_message),
    {{offsetof(kfk_delete_topics_request, topic_names), sizeof(kfk_str), 0},
     {offsetof(kfk_delete_topics_request, topics),
      sizeof(kfk_delete_topics_request_delete_topic_state),
      offsetof(kfk_delete_topics_request_delete_topic_state, name)}},
    offsetof(kfk_delete_topics_request, timeout_ms),
};

kfk_admin_result *kfk_admin_delete_topics(kfk_admin *a, const char *const *topics, int n,
                                          const kfk_admin_options *o, kfk_admin_cb cb,
                                          void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_topics);
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
        m->topic_names.items[i] = kfk_str_of(op->res->items[i].name);
        m->topics.items[i].name = m->topic_names.items[i];
    }
    m->topics.count = m->topic_names.count = n;
    m->timeout_ms = op_timeout(op);
    if (topics_ctx_set(op, &delete_api, m)) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    return kfk_aop_run(op);
}

/* ------------------------------------------------------- create partitions */

static const topic_api partitions_api = {
    KFK_API_CREATE_PARTITIONS,
    &kfk_create_partitions_response_desc,
    {offsetof(kfk_create_partitions_response, results),
     sizeof(kfk_create_partitions_response_topic_result),
     offsetof(kfk_create_partitions_response_topic_result, name)},
    offsetof(kfk_create_partitions_response_topic_result, error_code),
    offsetof(kfk_create_partitions_response_topic_result, error_message),
    {{offsetof(kfk_create_partitions_request, topics), sizeof(kfk_create_partitions_request_topic),
      offsetof(kfk_create_partitions_request_topic, name)}},
    offsetof(kfk_create_partitions_request, timeout_ms),
};

kfk_admin_result *kfk_admin_create_partitions(kfk_admin *a, const kfk_new_partitions *parts,
                                              int n, const kfk_admin_options *o,
                                              kfk_admin_cb cb, void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_topics);
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
        t->name = kfk_str_of(items[i].name);
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
    if (topics_ctx_set(op, &partitions_api, m)) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    return kfk_aop_run(op);
}
