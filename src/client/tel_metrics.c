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
    char attr[KFK_OTLP_ATTRS][256]; /* a node id, a topic name (at most 249
                                       characters), a partition */
} point;

typedef struct collect {
    kfk_tel_metrics *tm;
    const kfk_telemetry *t;
    uint64_t now_ns;
    point *p;
    int n, cap;
    int err;
} collect;

static const char *prefix(const collect *c) {
    return c->tm->consumer ? "org.apache.kafka.consumer." : "org.apache.kafka.producer.";
}

/* akey NULL: no attribute. */
static point *add(collect *c, const char *name, const char *akey, const char *aval) {
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
    if (akey) {
        snprintf(p->attr[0], sizeof p->attr[0], "%s", aval);
        p->m.attrs[p->m.nattrs++].key = akey;
    }
    return p;
}

static void gauge(collect *c, const char *name, const char *akey, const char *aval, double v) {
    point *p = add(c, name, akey, aval);
    if (p)
        p->m.dvalue = v;
}

/* A partition's gauge: attributes topic (as Java writes it, '.' as '_')
 * and partition. */
static void part_gauge(collect *c, const char *name, const char *topic, int32_t partition,
                       double v) {
    point *p = add(c, name, "topic", topic);
    if (!p)
        return;
    p->m.dvalue = v;
    snprintf(p->attr[1], sizeof p->attr[1], "%d", (int)partition);
    p->m.attrs[p->m.nattrs++].key = "partition";
}

/* A counter's value at the last push (kept whether or not it was
 * subscribed, for the rates), then remembers v if larger: a counter summed
 * over what the client holds now (a consumer's partitions) drops when it
 * lets go of some, and a monotonic sum must not. */
static int64_t since_last(collect *c, const char *name, const char *aval, int64_t v) {
    kfk_tel_metrics *tm = c->tm;
    size_t nl = strlen(name), al = strlen(aval);
    for (int i = 0; i < tm->nlast; i++) {
        const char *k = tm->last[i].key;
        if (strcmp(k, name) == 0 && strcmp(k + nl + 1, aval) == 0) {
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
    memcpy(key, name, nl + 1);
    memcpy(key + nl + 1, aval, al + 1);
    tm->last = l;
    tm->last[tm->nlast++] = (kfk_tel_last){key, v};
    return 0;
}

/* A counter as Java's Meter shows it: base.total, a monotonic sum, and
 * base.rate (rate 1), per second over the time since the last push (the
 * first: since the client started); rate 0 has no rate metric. */
static void counter_at(collect *c, const char *base, int rate, const char *akey,
                       const char *aval, int64_t v) {
    char n[96];
    snprintf(n, sizeof n, "%s.total", base);
    int64_t prev = since_last(c, n, akey ? aval : "", v);
    if (c->err)
        return;
    if (v < prev)
        v = prev;
    uint64_t since = c->tm->last_push_ns ? c->tm->last_push_ns : c->tm->start_ns;
    point *p = add(c, n, akey, aval);
    if (p) {
        p->m.sum = 1;
        p->m.ivalue = c->t->delta ? v - prev : v;
        p->m.start_ns = c->t->delta ? since : c->tm->start_ns;
    }
    if (rate && c->now_ns > since) {
        snprintf(n, sizeof n, "%s.rate", base);
        gauge(c, n, akey, aval, (double)(v - prev) * 1e9 / (double)(c->now_ns - since));
    }
}

static void counter(collect *c, const char *base, int64_t v) {
    counter_at(c, base, 1, NULL, NULL, v);
}

/* avg and max of a window in ms (us windows: scale 1000); nothing without
 * samples, as there is no value to report. */
static void window(collect *c, const char *name, const char *akey, const char *aval, int64_t cnt,
                   int64_t total, int64_t max, double scale) {
    if (cnt <= 0)
        return;
    char n[80];
    snprintf(n, sizeof n, "%s.avg", name);
    gauge(c, n, akey, aval, (double)total / (double)cnt / scale);
    snprintf(n, sizeof n, "%s.max", name);
    gauge(c, n, akey, aval, (double)max / scale);
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
    window(c, name, NULL, NULL, cnt, total, max, scale);
}

static void common(collect *c, const kfk_stats *s) {
    int64_t connects = 0;
    for (int i = 0; i < s->nbrokers; i++) {
        const kfk_stats_broker *b = &s->brokers[i];
        connects += b->connects;
        if (b->nodeid >= 0) {
            char node[24];
            snprintf(node, sizeof node, "node-%d", (int)b->nodeid);
            window(c, "node.request.latency", "node_id", node, b->rtt.cnt, b->rtt.sum,
                   b->rtt.max, 1000.0);
        }
    }
    counter(c, "connection.creation", connects);
    counter(c, "request", s->tx);
    counter(c, "response", s->rx);
    counter(c, "outgoing.byte", s->tx_bytes);
    counter(c, "incoming.byte", s->rx_bytes);
}

/* A topic as Java tags a consumer's metrics: '.' turned into '_'. */
static void java_topic(char *out, size_t size, const char *topic, int consumer) {
    snprintf(out, size, "%s", topic);
    for (char *q = out; consumer && *q; q++)
        if (*q == '.')
            *q = '_';
}

/* Two per-topic counters: the partitions' (sorted by topic) summed. Java names
 * a consumer's topic with '.' turned into '_', a producer's as it is. */
static void per_topic(collect *c, const kfk_stats *s, const char *name_a, const char *name_b,
                      size_t off_a, size_t off_b) {
    for (int i = 0; i < s->npartitions;) {
        const char *topic = s->partitions[i].topic;
        int64_t va = 0, vb = 0;
        int j = i;
        for (; j < s->npartitions && s->partitions[j].topic && topic &&
               strcmp(s->partitions[j].topic, topic) == 0;
             j++) {
            const char *part = (const char *)&s->partitions[j];
            va += *(const int64_t *)(const void *)(part + off_a);
            vb += *(const int64_t *)(const void *)(part + off_b);
        }
        if (j == i) { /* no topic name: nothing to tag it with */
            i++;
            continue;
        }
        char name[256];
        java_topic(name, sizeof name, topic, c->tm->consumer);
        counter_at(c, name_a, 1, "topic", name, va);
        counter_at(c, name_b, 1, "topic", name, vb);
        i = j;
    }
}

static void producer(collect *c, const kfk_stats *s) {
    brokers_window(c, s, "record.queue.time", offsetof(kfk_stats_broker, int_latency), 1000.0);
    brokers_window(c, s, "produce.throttle.time", offsetof(kfk_stats_broker, throttle), 1.0);
    counter(c, "record.send", s->txmsgs);
    gauge(c, "buffer.total.bytes", NULL, NULL, (double)s->msg_size_max);
    gauge(c, "buffer.available.bytes", NULL, NULL, (double)(s->msg_size_max - s->msg_size));
    per_topic(c, s, "topic.record.send", "topic.byte", offsetof(kfk_stats_partition, txmsgs),
              offsetof(kfk_stats_partition, txbytes));
    per_topic(c, s, "topic.record.retry", "topic.record.error",
              offsetof(kfk_stats_partition, txretry_msgs), offsetof(kfk_stats_partition, txerr_msgs));
}

/* Java's per-partition lag and lead (fetch-manager, tags topic and
 * partition) for each partition held with a position and watermarks:
 * records.lag is the high watermark minus the position (as the
 * client-wide records.lag.max), records.lead the position minus the log
 * start; their avg and max (lead: min) over the Fetch answers since the
 * last push. */
static void partitions(collect *c, const kfk_stats *s) {
    for (int i = 0; i < s->npartitions; i++) {
        const kfk_stats_partition *p = &s->partitions[i];
        if (!p->desired || !p->topic || p->app_offset < 0)
            continue;
        char topic[256];
        java_topic(topic, sizeof topic, p->topic, 1);
        if (p->hi_offset >= 0)
            part_gauge(c, "fetch.manager.records.lag", topic, p->partition,
                       (double)(p->hi_offset > p->app_offset ? p->hi_offset - p->app_offset : 0));
        if (p->lo_offset >= 0)
            part_gauge(c, "fetch.manager.records.lead", topic, p->partition,
                       (double)(p->app_offset - p->lo_offset));
        const kfk_stats_window *lag = &p->records_lag, *lead = &p->records_lead;
        if (lag->cnt > 0) {
            part_gauge(c, "fetch.manager.records.lag.avg", topic, p->partition,
                       (double)lag->sum / (double)lag->cnt);
            part_gauge(c, "fetch.manager.records.lag.max", topic, p->partition, (double)lag->max);
        }
        if (lead->cnt > 0) {
            part_gauge(c, "fetch.manager.records.lead.avg", topic, p->partition,
                       (double)lead->sum / (double)lead->cnt);
            part_gauge(c, "fetch.manager.records.lead.min", topic, p->partition,
                       (double)lead->min);
        }
    }
}

/* A counter per hour over the time since the last push (Java's
 * rate-per-hour), gauge name; the counter's last value is kept under it. */
static void per_hour(collect *c, const char *name, int64_t v) {
    uint64_t since = c->tm->last_push_ns ? c->tm->last_push_ns : c->tm->start_ns;
    int64_t prev = since_last(c, name, "", v);
    if (c->err || c->now_ns <= since)
        return;
    if (v < prev)
        v = prev;
    gauge(c, name, NULL, NULL, (double)(v - prev) * 3600e9 / (double)(c->now_ns - since));
}

static void consumer(collect *c, const kfk_stats *s) {
    counter(c, "fetch.manager.fetch", s->fetch_requests);
    window(c, "fetch.manager.fetch.latency", NULL, NULL, s->fetch_latency.cnt,
           s->fetch_latency.sum, s->fetch_latency.max, 1000.0);
    /* Java has only the average, a fraction (the snapshot's is per million) */
    if (s->poll_idle_ratio.cnt > 0)
        gauge(c, "poll.idle.ratio.avg", NULL, NULL,
              (double)s->poll_idle_ratio.sum / (double)s->poll_idle_ratio.cnt / 1e6);
    counter(c, "fetch.manager.records.consumed", s->rxmsgs);
    counter(c, "fetch.manager.bytes.consumed", s->rxmsg_bytes);
    per_topic(c, s, "fetch.manager.records.consumed", "fetch.manager.bytes.consumed",
              offsetof(kfk_stats_partition, rxmsgs), offsetof(kfk_stats_partition, rxbytes));
    int64_t lag = -1;
    for (int i = 0; i < s->npartitions; i++) {
        const kfk_stats_partition *p = &s->partitions[i];
        if (p->hi_offset >= 0 && p->app_offset >= 0 && p->hi_offset - p->app_offset > lag)
            lag = p->hi_offset - p->app_offset;
    }
    if (lag >= 0)
        gauge(c, "fetch.manager.records.lag.max", NULL, NULL, (double)lag);
    partitions(c, s);
    counter(c, "coordinator.commit", s->commits);
    window(c, "coordinator.commit.latency", NULL, NULL, s->commit_latency.cnt,
           s->commit_latency.sum, s->commit_latency.max, 1000.0);
    window(c, "coordinator.rebalance.latency", NULL, NULL, s->rebalance_latency.cnt,
           s->rebalance_latency.sum, s->rebalance_latency.max, 1000.0);
    if (s->cgrp) { /* Java rates rebalances per hour, not per second */
        counter_at(c, "coordinator.rebalance", 0, NULL, NULL, s->cgrp->rebalance_cnt);
        counter_at(c, "coordinator.rebalance.latency", 0, NULL, NULL,
                   s->rebalance_latency_total / 1000);
        per_hour(c, "coordinator.rebalance.rate.per.hour", s->cgrp->rebalance_cnt);
        gauge(c, "coordinator.assigned.partitions", NULL, NULL,
              (double)s->cgrp->assignment_size);
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
    collect c = {.tm = tm, .t = t, .now_ns = now_ns};
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
        for (int k = 0; k < m[i].nattrs; k++)
            m[i].attrs[k].value = c.p[i].attr[k];
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
