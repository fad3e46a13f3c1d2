#include "client/stats.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "client/core_int.h"
#include "core/alloc.h"
#include "core/conf.h"
#include "net/conn_stats.h"

static atomic_int instances;

void kfk_core_stats_fill(kfk_core *c, kfk_stats *s, kfk_arena *a) {
    kfk_brokers *bs = &c->brokers;
    s->brokers = kfk_arena_array(a, (size_t)(bs->n > 0 ? bs->n : 1), sizeof *s->brokers);
    if (!s->brokers) return;
    for (int i = 0; i < bs->n; i++) {
        kfk_link *l = bs->v[i].link;
        if (!l) continue;
        kfk_stats_broker *b = &s->brokers[s->nbrokers++];
        char name[300];
        int32_t id = kfk_io_link_node_id(l);
        const char *host = kfk_io_link_host(l);
        int port = kfk_io_link_port(l);
        snprintf(name, sizeof name, "%s:%d", host, port);
        b->nodename = kfk_arena_str(a, name).ptr;
        if (id >= 0)
            snprintf(name, sizeof name, "%s:%d/%d", host, port, (int)id);
        else
            snprintf(name, sizeof name, "%s:%d/bootstrap", host, port);
        b->name = kfk_arena_str(a, name).ptr;
        b->nodeid = id;
        b->source = id >= 0 ? "learned" : "configured";
        kfk_io_link_stats(l, c->stats_reader, b);
        s->tx += b->tx;
        s->tx_bytes += b->txbytes;
        s->rx += b->rx;
        s->rx_bytes += b->rxbytes;
        s->connects += b->connects;
        s->disconnects += b->disconnects;
    }
    kfk_metadata *md = kfk_core_metadata(c);
    if (md) {
        s->metadata_cache_cnt = md->ntopics;
        kfk_metadata_unref(md);
    }
    kfk_core_stats cs;
    kfk_core_stats_get(c, &cs);
    s->metadata_requests = cs.metadata_requests;
    s->metadata_updates = cs.metadata_updates;
    s->rebootstraps = cs.rebootstraps;
    s->throttles = cs.throttles;
    s->throttle_ms = cs.throttle_ms;
}

int kfk_core_stats_reader(kfk_core *c) {
    return c->stats_reader;
}

static void doc_free(kfk_stats_doc *doc) {
    kfk_free(doc->json);
    kfk_arena_reset(&doc->arena);
    memset(doc, 0, sizeof *doc);
}

static void take(kfk_statsd *d, kfk_stats_doc *doc) {
    kfk_stats *s = kfk_arena_alloc(&doc->arena, sizeof *s);
    if (!s) return;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t us = kfk_clock_us();
    s->name = d->name;
    s->client_id = d->client_id;
    s->type = d->type;
    s->ts = us;
    s->time = now.tv_sec;
    s->age = us - d->created_us;
    d->core->stats_reader = KFK_WIN_STATS;
    kfk_core_stats_fill(d->core, s, &doc->arena);
    d->fill(d->owner, s, &doc->arena);
    d->core->stats_reader = KFK_WIN_OTHER;
    doc->s = s;
    doc->json = kfk_stats_json(s, &doc->len);
}

/* I/O thread: a snapshot, to the callback (admin) or queued for a poll. */
static void snapshot(kfk_statsd *d) {
    kfk_stats_doc doc = {0};
    take(d, &doc);
    if (!doc.json) { /* out of memory: skip this one */
        doc_free(&doc);
        return;
    }
    if (!d->wake) {
        d->cb(doc.s, doc.json, doc.len, d->opaque);
        doc_free(&doc);
        return;
    }
    pthread_mutex_lock(&d->lock);
    if (d->qn == KFK_STATS_QUEUE) { /* nobody polls: drop the oldest */
        doc_free(&d->q[d->qhead]);
        d->qhead = (d->qhead + 1) % KFK_STATS_QUEUE;
        d->qn--;
    }
    d->q[(d->qhead + d->qn) % KFK_STATS_QUEUE] = doc;
    d->qn++;
    atomic_store_explicit(&d->ready, 1, memory_order_release);
    pthread_mutex_unlock(&d->lock);
    d->wake(d->owner);
}

static void on_timer(kfk_timer *t, int64_t now) {
    kfk_statsd *d = KFK_CONTAINER_OF(t, kfk_statsd, timer);
    kfk_io_timer_set(kfk_core_io(d->core), &d->timer, now + d->interval_ms);
    snapshot(d);
}

static void final_task(kfk_io *io, kfk_task *t, int err) {
    (void)io;
    kfk_statsd *d = KFK_CONTAINER_OF(t, kfk_statsd, final);
    if (!err) snapshot(d);
    pthread_mutex_lock(&d->lock);
    d->final_done = 1;
    pthread_cond_signal(&d->final_cond);
    pthread_mutex_unlock(&d->lock);
}

void kfk_statsd_final(kfk_statsd *d) {
    if (!d->on) return;
    d->final_done = 0;
    if (kfk_io_post(kfk_core_io(d->core), &d->final) != 0) return;
    pthread_mutex_lock(&d->lock);
    while (!d->final_done) pthread_cond_wait(&d->final_cond, &d->lock);
    pthread_mutex_unlock(&d->lock);
    kfk_statsd_deliver(d);
}

static void start_task(kfk_io *io, kfk_task *t, int err) {
    kfk_statsd *d = KFK_CONTAINER_OF(t, kfk_statsd, start);
    if (err || kfk_io_timer_add(io, &d->timer, on_timer) != 0) return;
    kfk_io_timer_set(io, &d->timer, kfk_io_now(io) + d->interval_ms);
}

int kfk_statsd_init(kfk_statsd *d, kfk_core *core, const kfk_conf *conf, const char *type,
                    kfk_stats_fill_fn fill, kfk_stats_wake_fn wake, void *owner) {
    memset(d, 0, sizeof *d);
    d->interval_ms = kfk_conf_int(conf, KFK_CONF_STATISTICS_INTERVAL_MS);
    d->cb = kfk_conf_stats_cb(conf, &d->opaque);
    if (d->interval_ms <= 0 || !d->cb) return 0;
    const char *id = kfk_conf_get(conf, "client.id");
    d->client_id = kfk_strndup(id, strlen(id));
    if (!d->client_id) return KFK_ERR_NOMEM;
    d->core = core;
    d->fill = fill;
    d->wake = wake;
    d->owner = owner;
    d->type = type;
    d->created_us = kfk_clock_us();
    snprintf(d->name, sizeof d->name, "%.60s#%s-%d", id, type, atomic_fetch_add(&instances, 1) + 1);
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->final_cond, NULL);
    d->start.fn = start_task;
    d->final.fn = final_task;
    d->on = 1;
    return 0;
}

void kfk_statsd_start(kfk_statsd *d) {
    if (d->on) kfk_io_post(kfk_core_io(d->core), &d->start);
}

int kfk_statsd_deliver(kfk_statsd *d) {
    if (!kfk_statsd_ready(d)) return 0;
    kfk_stats_doc got[KFK_STATS_QUEUE];
    pthread_mutex_lock(&d->lock);
    int n = d->qn;
    for (int i = 0; i < n; i++) got[i] = d->q[(d->qhead + i) % KFK_STATS_QUEUE];
    d->qhead = d->qn = 0;
    memset(d->q, 0, sizeof d->q);
    atomic_store_explicit(&d->ready, 0, memory_order_relaxed);
    pthread_mutex_unlock(&d->lock);
    for (int i = 0; i < n; i++) {
        d->cb(got[i].s, got[i].json, got[i].len, d->opaque);
        doc_free(&got[i]);
    }
    return n;
}

void kfk_statsd_free(kfk_statsd *d) {
    if (!d->on) return;
    for (int i = 0; i < d->qn; i++) doc_free(&d->q[(d->qhead + i) % KFK_STATS_QUEUE]);
    kfk_free(d->client_id);
    pthread_mutex_destroy(&d->lock);
    pthread_cond_destroy(&d->final_cond);
    d->on = 0;
}
