/* Listing and describing topics (Metadata, asked directly so the answer is
 * the broker's, not the cache's) and describing the cluster
 * (DescribeCluster). One request to any broker each. */
#include <stdlib.h>

#include "admin/admin_int.h"

typedef struct topics_ctx {
    kfk_metadata_request req;
    int internal; /* list: include internal topics */
    int describe; /* describe: result slots are the names asked for */
    int raw;      /* metadata: everything as the broker sent it, in its order */
} topics_ctx;

static const int32_t *copy_ids(kfk_admin_result *r, const int32_t *ids, int32_t n) {
    int32_t *out = kfk_ares_alloc(r, (size_t)(n > 0 ? n : 0), sizeof *out);
    if (out && n > 0) memcpy(out, ids, (size_t)n * sizeof *out);
    return out;
}

static int partition_cmp(const void *a, const void *b) {
    const kfk_admin_partition *p = a, *q = b;
    return (p->id > q->id) - (p->id < q->id);
}

static int fill_topic(kfk_admin_result *r, kfk_topic_desc *d,
                      const kfk_metadata_response_topic *t) {
    d->err = t->error_code;
    d->errstr = t->error_code ? kfk_err_str(t->error_code) : NULL;
    d->internal = t->is_internal;
    memcpy(d->topic_id, t->topic_id.b, sizeof d->topic_id);
    kfk_admin_partition *ps = kfk_ares_alloc(r, (size_t)t->partitions.count, sizeof *ps);
    if (!ps) return KFK_ERR_NOMEM;
    for (int32_t i = 0; i < t->partitions.count; i++) {
        const kfk_metadata_response_partition *p = &t->partitions.items[i];
        ps[i] = (kfk_admin_partition){
            .id = p->partition_index,
            .err = p->error_code,
            .leader = p->leader_id,
            .leader_epoch = p->leader_epoch,
            .replicas = copy_ids(r, p->replica_nodes.items, p->replica_nodes.count),
            .isr = copy_ids(r, p->isr_nodes.items, p->isr_nodes.count),
            .offline = copy_ids(r, p->offline_replicas.items, p->offline_replicas.count),
            .nreplicas = p->replica_nodes.count,
            .nisr = p->isr_nodes.count,
            .noffline = p->offline_replicas.count,
        };
        if (!ps[i].replicas || !ps[i].isr || !ps[i].offline) return KFK_ERR_NOMEM;
    }
    qsort(ps, (size_t)t->partitions.count, sizeof *ps, partition_cmp);
    d->partitions = ps;
    d->npartitions = t->partitions.count;
    return 0;
}

static int topic_cmp(const void *a, const void *b) {
    return strcmp(((const kfk_topic_desc *)a)->name, ((const kfk_topic_desc *)b)->name);
}

/* The cluster part of a Metadata answer, brokers in the broker's order. */
static int fill_brokers(kfk_admin_result *r, const kfk_metadata_response *m, int32_t from) {
    kfk_broker_desc *b = kfk_ares_alloc(r, (size_t)m->brokers.count, sizeof *b);
    if (!b) return KFK_ERR_NOMEM;
    for (int32_t i = 0; i < m->brokers.count; i++) {
        const kfk_metadata_response_broker *mb = &m->brokers.items[i];
        b[i] = (kfk_broker_desc){.id = mb->node_id,
                                 .host = kfk_ares_str(r, mb->host),
                                 .port = mb->port,
                                 .rack = kfk_ares_str(r, mb->rack)};
        if (!b[i].host) return KFK_ERR_NOMEM;
    }
    r->cluster.brokers = b;
    r->cluster.nbrokers = m->brokers.count;
    r->cluster.cluster_id = kfk_ares_str(r, m->cluster_id);
    r->cluster.controller_id = m->controller_id;
    r->from_broker = from;
    return 0;
}

static int on_metadata(kfk_asub *s, kfk_response *resp) {
    topics_ctx *ctx = s->op->ctx;
    kfk_admin_result *r = s->op->res;
    kfk_arena a = {0};
    kfk_metadata_response m;
    int err = kfk_metadata_response_decode(&resp->body, resp->version, &a, &m);
    if (!err && m.error_code) err = m.error_code;
    kfk_topic_desc *out = (kfk_topic_desc *)r->topics;
    if (!err && ctx->raw) err = fill_brokers(r, &m, resp->node_id);
    if (!err && !ctx->describe) {
        out = kfk_ares_alloc(r, (size_t)m.topics.count, sizeof *out);
        if (!out) err = KFK_ERR_NOMEM;
        r->topics = out;
        r->ntopics = 0;
    }
    for (int32_t i = 0; !err && i < m.topics.count; i++) {
        const kfk_metadata_response_topic *t = &m.topics.items[i];
        kfk_topic_desc *d = NULL;
        if (ctx->describe) {
            for (int j = 0; j < r->ntopics && !d; j++)
                if ((int32_t)strlen(out[j].name) == t->name.len &&
                    memcmp(out[j].name, t->name.ptr, (size_t)t->name.len) == 0)
                    d = &out[j];
        } else if (ctx->raw || ctx->internal || !t->is_internal) {
            d = &out[r->ntopics++];
            d->name = kfk_ares_str(r, t->name);
            if (!d->name) err = KFK_ERR_NOMEM;
        }
        if (d && !err) err = fill_topic(r, d, t);
    }
    kfk_arena_reset(&a);
    if (!err && !ctx->describe && !ctx->raw)
        qsort(out, (size_t)r->ntopics, sizeof *out, topic_cmp);
    return err;
}

static void describe_finish(kfk_aop *op) {
    kfk_admin_result *r = op->res;
    kfk_topic_desc *out = (kfk_topic_desc *)r->topics;
    for (int i = 0; i < r->ntopics && !r->err; i++)
        if (out[i].err) {
            r->err = KFK_ERR_PARTIAL;
            r->errstr = "some topics failed: see each topic's error";
        }
}

static void start_metadata(kfk_aop *op) {
    kfk_asub *s = kfk_asub_new(op, on_metadata, NULL);
    if (!s) return;
    s->r.dest = KFK_DEST_ANY;
    s->r.req = (kfk_request){.api_key = KFK_API_METADATA, .min_version = 1, .max_version = -1,
                             .msg = &((topics_ctx *)op->ctx)->req};
    kfk_asub_send(s);
}

static topics_ctx *topics_ctx_new(kfk_aop *op) {
    topics_ctx *ctx = kfk_arena_alloc(&op->arena, sizeof *ctx);
    if (!ctx) return NULL;
    kfk_metadata_request_init(&ctx->req);
    ctx->req.allow_auto_topic_creation = false;
    op->ctx = ctx;
    return ctx;
}

kfk_admin_result *kfk_admin_list_topics(kfk_admin *a, int internal, const kfk_admin_options *o,
                                        kfk_admin_cb cb, void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_metadata);
    if (!op) return kfk_aop_nomem(cb, opaque);
    topics_ctx *ctx = topics_ctx_new(op);
    if (!ctx) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    ctx->internal = internal;
    ctx->req.topics.count = -1; /* null: every topic */
    return kfk_aop_run(op);
}

kfk_admin_result *kfk_admin_describe_topics(kfk_admin *a, const char *const *names, int n,
                                            const kfk_admin_options *o, kfk_admin_cb cb,
                                            void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_metadata);
    if (!op) return kfk_aop_nomem(cb, opaque);
    if (n <= 0 || !names) return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "no topics given");
    topics_ctx *ctx = topics_ctx_new(op);
    kfk_topic_desc *out = kfk_ares_alloc(op->res, (size_t)n, sizeof *out);
    if (!ctx || !out) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    ctx->describe = 1;
    ctx->req.topics.items = kfk_arena_array(&op->arena, (size_t)n, sizeof *ctx->req.topics.items);
    if (!ctx->req.topics.items) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    for (int i = 0; i < n; i++) {
        if (!names[i]) return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "a NULL topic name");
        out[i].name = kfk_ares_cstr(op->res, names[i]);
        if (!out[i].name) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
        /* until the broker says otherwise */
        out[i].err = KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION;
        out[i].errstr = kfk_err_str(out[i].err);
        ctx->req.topics.items[i].name = kfk_str_of(out[i].name);
    }
    ctx->req.topics.count = n;
    op->res->topics = out;
    op->res->ntopics = n;
    op->finish = describe_finish;
    return kfk_aop_run(op);
}

kfk_admin_result *kfk_admin_metadata(kfk_admin *a, const char *const *names, int n,
                                     int allow_auto_create, const kfk_admin_options *o,
                                     kfk_admin_cb cb, void *opaque) {
    if (!cb && !atomic_exchange(&a->brokers_known, 1)) {
        /* Learn the brokers first, so that the answer comes from a known
         * node, not from a bootstrap connection whose id nobody knows. */
        char ignored[128];
        kfk_core_metadata_wait(a->core, NULL, 0,
                               o && o->timeout_ms > 0 ? o->timeout_ms : a->timeout_ms, NULL,
                               ignored, sizeof ignored);
    }
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_metadata);
    if (!op) return kfk_aop_nomem(cb, opaque);
    topics_ctx *ctx = topics_ctx_new(op);
    if (!ctx) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    ctx->raw = 1;
    ctx->req.allow_auto_topic_creation = allow_auto_create != 0;
    op->res->cluster.controller_id = -1;
    op->res->from_broker = -1;
    if (n < 0) {
        ctx->req.topics.count = -1; /* null: every topic */
        return kfk_aop_run(op);
    }
    if (n > 0 && !names) return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "no topics given");
    ctx->req.topics.items =
        kfk_arena_array(&op->arena, (size_t)(n ? n : 1), sizeof *ctx->req.topics.items);
    if (!ctx->req.topics.items) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    for (int i = 0; i < n; i++) {
        if (!names[i]) return kfk_aop_fail(op, KFK_ERR_INVALID_ARG, "a NULL topic name");
        const char *name = kfk_ares_cstr(op->res, names[i]);
        if (!name) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
        ctx->req.topics.items[i].name = kfk_str_of(name);
    }
    ctx->req.topics.count = n;
    return kfk_aop_run(op);
}

/* ---------------------------------------------------------------- cluster */

static int broker_cmp(const void *a, const void *b) {
    const kfk_broker_desc *p = a, *q = b;
    return (p->id > q->id) - (p->id < q->id);
}

static int on_cluster(kfk_asub *s, kfk_response *resp) {
    kfk_admin_result *r = s->op->res;
    kfk_arena a = {0};
    kfk_describe_cluster_response m;
    int err = kfk_describe_cluster_response_decode(&resp->body, resp->version, &a, &m);
    if (!err && m.error_code) {
        kfk_aop_error(s->op, m.error_code, kfk_ares_str(r, m.error_message));
    } else if (!err) {
        kfk_broker_desc *b = kfk_ares_alloc(r, (size_t)m.brokers.count, sizeof *b);
        if (!b) err = KFK_ERR_NOMEM;
        for (int32_t i = 0; !err && i < m.brokers.count; i++) {
            const kfk_describe_cluster_response_broker *mb = &m.brokers.items[i];
            b[i] = (kfk_broker_desc){.id = mb->broker_id,
                                     .host = kfk_ares_str(r, mb->host),
                                     .port = mb->port,
                                     .rack = kfk_ares_str(r, mb->rack)};
            if (!b[i].host) err = KFK_ERR_NOMEM;
        }
        if (!err) {
            qsort(b, (size_t)m.brokers.count, sizeof *b, broker_cmp);
            r->cluster.brokers = b;
            r->cluster.nbrokers = m.brokers.count;
            r->cluster.cluster_id = kfk_ares_str(r, m.cluster_id);
            r->cluster.controller_id = m.controller_id;
        }
    }
    kfk_arena_reset(&a);
    return err;
}

static void start_cluster(kfk_aop *op) {
    kfk_asub *s = kfk_asub_new(op, on_cluster, NULL);
    if (!s) return;
    s->r.dest = KFK_DEST_ANY;
    s->r.req = (kfk_request){.api_key = KFK_API_DESCRIBE_CLUSTER, .min_version = 0,
                             .max_version = -1, .msg = op->ctx};
    kfk_asub_send(s);
}

kfk_admin_result *kfk_admin_describe_cluster(kfk_admin *a, const kfk_admin_options *o,
                                             kfk_admin_cb cb, void *opaque) {
    kfk_aop *op = kfk_aop_new(a, o, cb, opaque, start_cluster);
    if (!op) return kfk_aop_nomem(cb, opaque);
    kfk_describe_cluster_request *m = kfk_arena_alloc(&op->arena, sizeof *m);
    if (!m) return kfk_aop_fail(op, KFK_ERR_NOMEM, NULL);
    kfk_describe_cluster_request_init(m);
    op->res->cluster.controller_id = -1;
    op->ctx = m;
    return kfk_aop_run(op);
}
