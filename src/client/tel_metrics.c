/* Statistics to KIP-714 metrics: see tel_metrics.h. The Java client's
 * names are its metric groups and names with "-" turned into "." and
 * "-metrics" dropped (producer-node-metrics request-latency-avg is
 * org.apache.kafka.producer.node.request.latency.avg, tag node_id). */
#include "client/tel_metrics.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "records/compress.h"

typedef struct point {
    kfk_otlp_metric m;
    char name[96];
    char attr[24];
} point;

typedef struct collect {
    kfk_tel_metrics *tm;
    const kfk_telemetry *t;
    point *p;
    int n, cap;
    int err;
} collect;

static const char *prefix(const collect *c) {
    return c->tm->consumer ? "org.apache.kafka.consumer." : "org.apache.kafka.producer.";
}

static point *add(collect *c, const char *name, int node) {
    if (c->err)
        return NULL;
    char full[96];
    snprintf(full, sizeof full, "%s%s", prefix(c), name);
    if (!kfk_telemetry_wants(c->t, full))
        return NULL;
    if (c->n == c->cap) {
        int cap = c->cap ? c->cap * 2 : 32;
        point *p = kfk_realloc(c->p, (size_t)cap * sizeof *p);
        if (!p) {
            c->err = KFK_ERR_NOMEM;
            return NULL;
        }
        c->p = p;
        c->cap = cap;
    }
    point *p = &c->p[c->n++];
    memset(p, 0, sizeof *p);
    memcpy(p->name, full, sizeof full);
    if (node >= 0) {
        snprintf(p->attr, sizeof p->attr, "node-%d", node);
        p->m.attr_key = "node_id";
    }
    return p;
}

static void gauge(collect *c, const char *name, int node, double v) {
    point *p = add(c, name, node);
    if (p)
        p->m.dvalue = v;
}

/* The sum's value at the last push, then remembers v if larger: a counter
 * summed over what the client holds now (a consumer's partitions) drops
 * when it lets go of some, and a monotonic sum must not. */
static int64_t since_last(collect *c, const point *p, int64_t v) {
    kfk_tel_metrics *tm = c->tm;
    size_t nl = strlen(p->name), al = strlen(p->attr);
    for (int i = 0; i < tm->nlast; i++) {
        const char *k = tm->last[i].key;
        if (strcmp(k, p->name) == 0 && strcmp(k + nl + 1, p->attr) == 0) {
            int64_t prev = tm->last[i].value;
            if (v > prev)
                tm->last[i].value = v;
            return prev;
        }
    }
    kfk_tel_last *l = kfk_realloc(tm->last, (size_t)(tm->nlast + 1) * sizeof *l);
    char *key = kfk_malloc(nl + al + 2);
    if (!l || !key) {
        if (l)
            tm->last = l;
        kfk_free(key);
        c->err = KFK_ERR_NOMEM;
        return 0;
    }
    memcpy(key, p->name, nl + 1);
    memcpy(key + nl + 1, p->attr, al + 1);
    tm->last = l;
    tm->last[tm->nlast++] = (kfk_tel_last){key, v};
    return 0;
}

static void sum(collect *c, const char *name, int node, int64_t v) {
    point *p = add(c, name, node);
    if (!p)
        return;
    p->m.sum = 1;
    int64_t prev = since_last(c, p, v);
    if (v < prev)
        v = prev;
    if (c->t->delta) {
        p->m.ivalue = v - prev;
        p->m.start_ns = c->tm->last_push_ns ? c->tm->last_push_ns : c->tm->start_ns;
    } else {
        p->m.ivalue = v;
        p->m.start_ns = c->tm->start_ns;
    }
}

/* avg and max of a window in ms (us windows: scale 1000); nothing without
 * samples, as there is no value to report. */
static void window(collect *c, const char *name, int node, int64_t cnt, int64_t total,
                   int64_t max, double scale) {
    if (cnt <= 0)
        return;
    char n[80];
    snprintf(n, sizeof n, "%s.avg", name);
    gauge(c, n, node, (double)total / (double)cnt / scale);
    snprintf(n, sizeof n, "%s.max", name);
    gauge(c, n, node, (double)max / scale);
}

/* One window over every broker's. */
static void brokers_window(collect *c, const kfk_stats *s, const char *name, size_t off,
                           double scale) {
    int64_t cnt = 0, total = 0, max = 0;
    for (int i = 0; i < s->nbrokers; i++) {
        const kfk_stats_window *w = (const void *)((const char *)&s->brokers[i] + off);
        cnt += w->cnt;
        total += w->sum;
        if (w->max > max)
            max = w->max;
    }
    window(c, name, -1, cnt, total, max, scale);
}

static void common(collect *c, const kfk_stats *s) {
    int64_t connects = 0;
    for (int i = 0; i < s->nbrokers; i++) {
        const kfk_stats_broker *b = &s->brokers[i];
        connects += b->connects;
        if (b->nodeid >= 0)
            window(c, "node.request.latency", b->nodeid, b->rtt.cnt, b->rtt.sum, b->rtt.max,
                   1000.0);
    }
    sum(c, "connection.creation.total", -1, connects);
    sum(c, "request.total", -1, s->tx);
    sum(c, "response.total", -1, s->rx);
    sum(c, "outgoing.byte.total", -1, s->tx_bytes);
    sum(c, "incoming.byte.total", -1, s->rx_bytes);
}

static void producer(collect *c, const kfk_stats *s) {
    brokers_window(c, s, "record.queue.time", offsetof(kfk_stats_broker, int_latency), 1000.0);
    brokers_window(c, s, "produce.throttle.time", offsetof(kfk_stats_broker, throttle), 1.0);
    sum(c, "record.send.total", -1, s->txmsgs);
    gauge(c, "buffer.total.bytes", -1, (double)s->msg_size_max);
    gauge(c, "buffer.available.bytes", -1, (double)(s->msg_size_max - s->msg_size));
}

static void consumer(collect *c, const kfk_stats *s) {
    sum(c, "fetch.manager.fetch.total", -1, s->fetch_requests);
    sum(c, "fetch.manager.records.consumed.total", -1, s->rxmsgs);
    sum(c, "fetch.manager.bytes.consumed.total", -1, s->rxmsg_bytes);
    int64_t lag = -1;
    for (int i = 0; i < s->npartitions; i++) {
        const kfk_stats_partition *p = &s->partitions[i];
        if (p->hi_offset >= 0 && p->app_offset >= 0 && p->hi_offset - p->app_offset > lag)
            lag = p->hi_offset - p->app_offset;
    }
    if (lag >= 0)
        gauge(c, "fetch.manager.records.lag.max", -1, (double)lag);
    sum(c, "coordinator.commit.total", -1, s->commits);
    if (s->cgrp) {
        sum(c, "coordinator.rebalance.total", -1, s->cgrp->rebalance_cnt);
        gauge(c, "coordinator.assigned.partitions", -1, (double)s->cgrp->assignment_size);
    }
}

void kfk_tel_metrics_init(kfk_tel_metrics *tm, int consumer_names, const kfk_otlp_kv *resource,
                          int nresource, uint64_t start_ns) {
    memset(tm, 0, sizeof *tm);
    tm->consumer = consumer_names;
    tm->resource = resource;
    tm->nresource = nresource;
    tm->start_ns = start_ns;
}

void kfk_tel_metrics_free(kfk_tel_metrics *tm) {
    for (int i = 0; i < tm->nlast; i++)
        kfk_free(tm->last[i].key);
    kfk_free(tm->last);
    tm->last = NULL;
    tm->nlast = 0;
}

int kfk_tel_payload(kfk_tel_metrics *tm, const kfk_telemetry *t, const kfk_stats *s,
                    uint64_t now_ns, kfk_wbuf *out, int8_t *codec) {
    collect c = {.tm = tm, .t = t};
    common(&c, s);
    if (tm->consumer)
        consumer(&c, s);
    else
        producer(&c, s);
    kfk_otlp_metric *m = NULL;
    if (!c.err && c.n) {
        m = kfk_malloc((size_t)c.n * sizeof *m);
        if (!m)
            c.err = KFK_ERR_NOMEM;
    }
    for (int i = 0; !c.err && i < c.n; i++) {
        m[i] = c.p[i].m;
        m[i].name = c.p[i].name;
        m[i].attr_value = c.p[i].attr;
    }
    kfk_wbuf plain = {0};
    if (!c.err)
        c.err = kfk_otlp_encode(&plain, tm->resource, tm->nresource, "kfk", m, c.n, t->delta,
                                now_ns);
    kfk_free(m);
    kfk_free(c.p);
    if (!c.err) {
        tm->last_push_ns = now_ns;
        size_t before = out->len;
        *codec = t->codec;
        if (t->codec == 0 ||
            kfk_compress((kfk_codec)t->codec, KFK_LEVEL_DEFAULT, plain.data, plain.len, out)) {
            out->len = before;
            out->err = 0;
            *codec = 0;
            kfk_wr_raw(out, plain.data, plain.len);
        }
        c.err = out->err;
        if (!c.err && t->max_bytes > 0 && out->len - before > (size_t)t->max_bytes)
            c.err = KFK_ERR_TELEMETRY_TOO_LARGE;
    }
    kfk_wbuf_free(&plain);
    return c.err;
}
