/* The consumer's lifecycle and the partition table: assign, seek, pause,
 * position and the cached watermarks. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/core_conf.h"
#include "consumer/consumer_int.h"
#include "core/alloc.h"
#include "core/portable.h"

static int cpart_cmp(const char *topic, int32_t partition, const kfk_cpart *p) {
    int d = strcmp(topic, p->topic);
    return d ? d : (partition > p->partition) - (partition < p->partition);
}

kfk_cpart *kfk_cpart_find(kfk_consumer *c, const char *topic, int32_t partition) {
    int lo = 0, hi = c->nparts - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2, d = cpart_cmp(topic, partition, c->parts[mid]);
        if (!d) return c->parts[mid];
        if (d < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return NULL;
}

static int cpart_sort(const void *a, const void *b) {
    const kfk_cpart *p = *(kfk_cpart *const *)a, *q = *(kfk_cpart *const *)b;
    return cpart_cmp(p->topic, p->partition, q);
}

static void cpart_free(kfk_cpart *p) {
    if (!p) return;
    kfk_free(p->topic);
    kfk_free(p);
}

/* Sets where p starts; the I/O thread notices the new gen. Under lock. */
static void cpart_seek(kfk_cpart *p, int64_t offset, int64_t ts) {
    p->gen++;
    p->spec = offset;
    p->spec_ts = ts;
    p->position = p->polled_end = offset >= 0 ? offset : KFK_OFFSET_INVALID;
    p->position_epoch = -1;
    p->queued_bytes = 0;
    p->prefetch_full = 0;
}

static kfk_cpart *cpart_new(const kfk_partition *e) {
    kfk_cpart *p = kfk_calloc(1, sizeof *p);
    if (!p) return NULL;
    p->topic = kfk_strndup(e->topic, strlen(e->topic));
    if (!p->topic) {
        kfk_free(p);
        return NULL;
    }
    p->partition = e->partition;
    p->stored = p->committed = KFK_OFFSET_INVALID;
    p->stored_epoch = p->committed_epoch = -1;
    p->added_us = kfk_clock_us();
    p->lwm = p->hwm = p->lso = -1;
    p->io_gen = 0;
    cpart_seek(p, e->offset, e->timestamp);
    kfk_list_init(&p->link);
    return p;
}

/* ----------------------------------------------------------------- queue */

void kfk_queue_append(kfk_consumer *c, kfk_consumer_message *head, kfk_consumer_message *tail) {
    kfk_cmsg(tail)->next = NULL;
    if (c->qtail)
        kfk_cmsg(c->qtail)->next = head;
    else
        c->qhead = head;
    c->qtail = tail;
    kfk_evfd_signal(c);
    pthread_cond_broadcast(&c->cond);
}

/* Drops the queued messages of removed partitions; under lock. */
static void queue_purge_removed(kfk_consumer *c) {
    kfk_consumer_message **pp = &c->qhead, *last = NULL;
    while (*pp) {
        kfk_consumer_message *m = *pp;
        kfk_cpart *p = kfk_cmsg(m)->part;
        if (p && p->removed) {
            *pp = kfk_cmsg(m)->next;
            kfk_consumer_message_release(m);
        } else {
            last = m;
            pp = &kfk_cmsg(m)->next;
        }
    }
    c->qtail = last;
}

static void queue_drop_all(kfk_consumer *c) {
    while (c->qhead) {
        kfk_consumer_message *m = c->qhead;
        c->qhead = kfk_cmsg(m)->next;
        if (kfk_cmsg(m)->kind == KFK_KIND_COMMIT)
            kfk_commit_event_free(m);
        else if (kfk_cmsg(m)->kind == KFK_KIND_REBALANCE)
            kfk_gev_free(m);
        else
            kfk_consumer_message_release(m);
    }
    c->qtail = NULL;
}

/* ------------------------------------------------------------------ pass */

static void pass_task(kfk_io *io, kfk_task *t, int err) {
    kfk_consumer *c = KFK_CONTAINER_OF(t, kfk_consumer, pass_task);
    atomic_store(&c->pass_posted, 0);
    if (!err) kfk_cpart_pass(c);
}

void kfk_cpart_pass_post(kfk_consumer *c) {
    if (atomic_exchange(&c->pass_posted, 1)) return;
    if (kfk_io_post(c->io, &c->pass_task)) atomic_store(&c->pass_posted, 0);
}

void kfk_consumer_log(kfk_consumer *c, const char *fmt, ...) {
    const kfk_log *log = c->log;
    if (!log || KFK_LOG_NOTICE > log->level || (!log->cb && !log->simple)) return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    kfk_log_emit(log, KFK_LOG_NOTICE, 0, NULL, "%s", buf);
}

/* ------------------------------------------------------------- lifecycle */

kfk_consumer *kfk_consumer_new(kfk_conf *conf, char *errstr, size_t errstr_size) {
    if (!conf) {
        snprintf(errstr, errstr_size, "no configuration given");
        return NULL;
    }
    kfk_cconf cc;
    if (kfk_cconf_from(&cc, conf, errstr, errstr_size)) return NULL;
    kfk_consumer *c = kfk_calloc(1, sizeof *c);
    if (!c) {
        snprintf(errstr, errstr_size, "out of memory creating the consumer");
        return NULL;
    }
    kfk_core_conf core_conf;
    kfk_core_conf_from(&core_conf, conf);
    /* No more than a full prefetch queue holds: the records' receive
     * buffers and about as much again for their message structs. */
    core_conf.rx_pool_bytes = 2 * cc.queue_max_bytes;
    c->core = kfk_core_new(&core_conf, errstr, errstr_size);
    if (!c->core) {
        kfk_free(c);
        return NULL;
    }
    if (kfk_wake_open(&c->evfd) < 0) {
        snprintf(errstr, errstr_size, "no wakeup fd for the consumer: out of file descriptors");
        kfk_core_destroy(c->core);
        kfk_free(c);
        return NULL;
    }
    c->conf = conf;
    c->cc = cc;
    c->io = kfk_core_io(c->core);
    c->log = kfk_core_log(c->core);
    pthread_mutex_init(&c->lock, NULL);
    kfk_cond_init_mono(&c->cond);
    kfk_list_init(&c->retiring);
    kfk_list_init(&c->retired);
    c->pass_task.fn = pass_task;
    c->commit_task.fn = kfk_autocommit_task;
    kfk_coord_init(&c->coord, c->core, c->io, cc.group_id ? cc.group_id : "", cc.retry_backoff_ms,
                   cc.retry_backoff_max_ms);
    kfk_group_init(c);
    if (kfk_statsd_init(&c->statsd, c->core, conf, "consumer", kfk_cstats_fill, kfk_cstats_wake,
                        c) == 0)
        kfk_statsd_start(&c->statsd);
    if (kfk_telemetryd_init(&c->telemetryd, c->core, conf, 1, kfk_cstats_fill, c) == 0)
        kfk_telemetryd_start(&c->telemetryd);
    else
        kfk_telemetryd_free(&c->telemetryd); /* out of memory: without telemetry */
    /* The first pass arms the timers (they belong to the I/O thread). */
    kfk_cpart_pass_post(c);
    return c;
}

static void free_list(kfk_list *l) {
    while (!kfk_list_empty(l)) {
        kfk_cpart *p = KFK_CONTAINER_OF(l->next, kfk_cpart, link);
        kfk_list_remove(&p->link);
        cpart_free(p);
    }
}

void kfk_consumer_destroy(kfk_consumer *c) {
    if (!c) return;
    /* Every request completes (with KFK_ERR_DESTROYED) before this returns. */
    kfk_core_destroy(c->core);
    kfk_statsd_free(&c->statsd);
    kfk_telemetryd_free(&c->telemetryd);
    kfk_coord_fail_all(&c->coord, KFK_ERR_DESTROYED);
    queue_drop_all(c);
    kfk_group_destroy(c);
    free_list(&c->retiring);
    free_list(&c->retired);
    for (int i = 0; i < c->nparts; i++) cpart_free(c->parts[i]);
    kfk_free(c->parts);
    kfk_free(c->io_parts);
    kfk_free(c->busy);
    kfk_fetch_sessions_free(c);
    kfk_wbuf_free(&c->zbuf);
    kfk_wake_close(&c->evfd);
    pthread_cond_destroy(&c->cond);
    pthread_mutex_destroy(&c->lock);
    kfk_conf_destroy(c->conf);
    kfk_free(c);
}

int kfk_consumer_close(kfk_consumer *c) {
    if (!c) return 0;
    int err = 0;
    if (c->cc.auto_commit) {
        err = kfk_consumer_commit(c, NULL, 0);
        if (err == KFK_ERR_NOENT) err = 0; /* nothing to commit */
    }
    kfk_group_close(c);
    kfk_fetch_sessions_close(c);
    kfk_statsd_final(&c->statsd);
    kfk_telemetryd_close(&c->telemetryd, c->cc.request_timeout_ms);
    kfk_consumer_destroy(c);
    return err;
}

void kfk_consumer_set_commit_cb(kfk_consumer *c, kfk_commit_cb cb, void *opaque) {
    pthread_mutex_lock(&c->lock);
    c->commit_cb = cb;
    c->commit_opaque = opaque;
    pthread_mutex_unlock(&c->lock);
}

void kfk_consumer_set_log_cb(kfk_consumer *c, kfk_log_cb cb, void *opaque) {
    pthread_mutex_lock(&c->lock);
    c->log->simple = cb;
    c->log->simple_opaque = opaque;
    pthread_mutex_unlock(&c->lock);
}

int kfk_consumer_api_version(kfk_consumer *c, int api_key) {
    return kfk_core_api_version(c->core, api_key);
}

void kfk_consumer_stats_get(kfk_consumer *c, kfk_consumer_stats *out) {
    pthread_mutex_lock(&c->lock);
    *out = c->stats;
    pthread_mutex_unlock(&c->lock);
    kfk_core_stats core;
    kfk_core_stats_get(c->core, &core);
    out->throttles = core.throttles;
    out->throttle_ms = core.throttle_ms;
    out->rebootstraps = core.rebootstraps;
}

/* ------------------------------------------------------------ assignment */


static int valid_start(const kfk_partition *e) {
    return e->topic && *e->topic && e->partition >= 0 &&
           (e->offset >= 0 || e->offset == KFK_OFFSET_BEGINNING || e->offset == KFK_OFFSET_END ||
            e->offset == KFK_OFFSET_STORED || e->offset == KFK_OFFSET_AT_TIME);
}

/* Builds sorted partitions for list; NULL with *err on a bad or repeated
 * element or no memory. */
static kfk_cpart **parts_new(kfk_consumer *c, const kfk_partition_list *list, int *err) {
    int n = list ? list->count : 0;
    *err = KFK_ERR_INVALID_ARG;
    for (int i = 0; i < n; i++)
        if (!valid_start(&list->elems[i])) return NULL;
    *err = KFK_ERR_NOMEM;
    kfk_cpart **parts = kfk_calloc((size_t)(n ? n : 1), sizeof *parts);
    if (!parts) return NULL;
    for (int i = 0; i < n; i++) {
        parts[i] = cpart_new(&list->elems[i]);
        if (!parts[i]) goto fail;
        parts[i]->owner = c;
    }
    qsort(parts, (size_t)n, sizeof *parts, cpart_sort);
    *err = KFK_ERR_INVALID_ARG;
    for (int i = 1; i < n; i++)
        if (!cpart_sort(&parts[i - 1], &parts[i])) goto fail;
    *err = 0;
    return parts;
fail:
    for (int j = 0; j < n; j++) cpart_free(parts[j]);
    kfk_free(parts);
    return NULL;
}

/* Keeps the topics' metadata fresh and wakes the I/O thread. */
static void assigned(kfk_consumer *c, const kfk_partition_list *list) {
    int n = list ? list->count : 0;
    const char **topics = n ? kfk_calloc((size_t)n, sizeof *topics) : NULL;
    int ntopics = 0;
    for (int i = 0; topics && i < n; i++) topics[ntopics++] = list->elems[i].topic;
    if (ntopics) kfk_core_metadata_refresh(c->core, topics, ntopics);
    kfk_free(topics);
    kfk_cpart_pass_post(c);
}

int kfk_consumer_assign(kfk_consumer *c, const kfk_partition_list *list) {
    int err, n = list ? list->count : 0;
    kfk_cpart **parts = parts_new(c, list, &err);
    if (!parts) return err;
    pthread_mutex_lock(&c->lock);
    for (int i = 0; i < c->nparts; i++) {
        kfk_cpart *old = c->parts[i];
        old->removed = 1;
        kfk_list_insert_tail(&c->retiring, &old->link);
    }
    queue_purge_removed(c);
    kfk_free(c->parts);
    c->parts = parts;
    c->nparts = n;
    pthread_mutex_unlock(&c->lock);
    assigned(c, list);
    return 0;
}

int kfk_consumer_incremental_assign(kfk_consumer *c, const kfk_partition_list *list) {
    int err, n = list ? list->count : 0;
    if (!n) return 0;
    kfk_cpart **add = parts_new(c, list, &err);
    if (!add) return err;
    pthread_mutex_lock(&c->lock);
    kfk_cpart **all = kfk_calloc((size_t)(c->nparts + n), sizeof *all);
    for (int i = 0; all && !err && i < n; i++)
        if (kfk_cpart_find(c, add[i]->topic, add[i]->partition)) err = KFK_ERR_INVALID_ARG;
    if (!all) err = KFK_ERR_NOMEM;
    if (!err) {
        if (c->nparts) memcpy(all, c->parts, (size_t)c->nparts * sizeof *all);
        memcpy(all + c->nparts, add, (size_t)n * sizeof *all);
        c->nparts += n;
        qsort(all, (size_t)c->nparts, sizeof *all, cpart_sort);
        kfk_free(c->parts);
        c->parts = all;
        all = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    kfk_free(all);
    if (err)
        for (int i = 0; i < n; i++) cpart_free(add[i]);
    kfk_free(add);
    if (!err) assigned(c, list);
    return err;
}

int kfk_consumer_incremental_unassign(kfk_consumer *c, const kfk_partition_list *list) {
    int missing = 0, removed = 0, n = list ? list->count : 0;
    pthread_mutex_lock(&c->lock);
    for (int i = 0; i < n; i++) {
        kfk_cpart *p = kfk_cpart_find(c, list->elems[i].topic, list->elems[i].partition);
        if (!p) {
            missing = 1;
            continue;
        }
        p->removed = 1;
        removed = 1;
        kfk_list_insert_tail(&c->retiring, &p->link);
        int k = 0;
        for (int j = 0; j < c->nparts; j++)
            if (c->parts[j] != p) c->parts[k++] = c->parts[j];
        c->nparts = k;
    }
    if (removed) queue_purge_removed(c);
    pthread_mutex_unlock(&c->lock);
    if (removed) kfk_cpart_pass_post(c);
    return missing ? KFK_ERR_NOENT : 0;
}

int kfk_consumer_assign_topics(kfk_consumer *c, const char *const *topics, int n, int64_t offset,
                               int timeout_ms) {
    if (n <= 0 || !topics) return KFK_ERR_INVALID_ARG;
    kfk_metadata *md = NULL;
    int err = kfk_core_metadata_wait(c->core, topics, n, timeout_ms, &md, NULL, 0);
    if (err) return err;
    kfk_partition_list *l = kfk_partition_list_new(16);
    for (int i = 0; l && i < n; i++) {
        const kfk_md_topic *t = kfk_metadata_topic(md, topics[i]);
        for (int32_t j = 0; t && j < t->npartitions; j++) {
            kfk_partition *e = kfk_partition_list_add(l, topics[i], t->partitions[j].id);
            if (!e) {
                err = KFK_ERR_NOMEM;
                break;
            }
            e->offset = offset;
        }
    }
    kfk_metadata_unref(md);
    if (!l) return KFK_ERR_NOMEM;
    if (!err) err = kfk_consumer_assign(c, l);
    kfk_partition_list_destroy(l);
    return err;
}

kfk_partition_list *kfk_consumer_assignment(kfk_consumer *c) {
    pthread_mutex_lock(&c->lock);
    kfk_partition_list *l = kfk_partition_list_new(c->nparts);
    for (int i = 0; l && i < c->nparts; i++) {
        kfk_partition *e = kfk_partition_list_add(l, c->parts[i]->topic, c->parts[i]->partition);
        if (!e) {
            kfk_partition_list_destroy(l);
            l = NULL;
            break;
        }
        e->offset = c->parts[i]->spec;
        e->timestamp = c->parts[i]->spec_ts;
    }
    pthread_mutex_unlock(&c->lock);
    return l;
}

/* ----------------------------------------------------------- seek, pause */

static int seek(kfk_consumer *c, const char *topic, int32_t partition, int64_t offset, int64_t ts) {
    pthread_mutex_lock(&c->lock);
    kfk_cpart *p = kfk_cpart_find(c, topic, partition);
    if (p) cpart_seek(p, offset, ts);
    pthread_mutex_unlock(&c->lock);
    if (!p) return KFK_ERR_NOENT;
    kfk_cpart_pass_post(c);
    return 0;
}

int kfk_consumer_seek(kfk_consumer *c, const char *topic, int32_t partition, int64_t offset) {
    if (!topic || !(offset >= 0 || offset == KFK_OFFSET_BEGINNING || offset == KFK_OFFSET_END ||
                    offset == KFK_OFFSET_STORED))
        return KFK_ERR_INVALID_ARG;
    return seek(c, topic, partition, offset, -1);
}

int kfk_consumer_seek_time(kfk_consumer *c, const char *topic, int32_t partition,
                           int64_t timestamp_ms) {
    if (!topic || timestamp_ms < 0) return KFK_ERR_INVALID_ARG;
    return seek(c, topic, partition, KFK_OFFSET_AT_TIME, timestamp_ms);
}

static int set_paused(kfk_consumer *c, kfk_partition_list *list, int paused) {
    int rc = 0;
    pthread_mutex_lock(&c->lock);
    for (int i = 0; i < list->count; i++) {
        kfk_partition *e = &list->elems[i];
        kfk_cpart *p = kfk_cpart_find(c, e->topic, e->partition);
        e->err = p ? 0 : KFK_ERR_NOENT;
        if (p) p->paused = paused;
        else rc = KFK_ERR_PARTIAL;
    }
    pthread_mutex_unlock(&c->lock);
    kfk_cpart_pass_post(c);
    return rc;
}

int kfk_consumer_pause(kfk_consumer *c, kfk_partition_list *list) {
    return set_paused(c, list, 1);
}
int kfk_consumer_resume(kfk_consumer *c, kfk_partition_list *list) {
    return set_paused(c, list, 0);
}

/* ------------------------------------------------------------- positions */

int kfk_consumer_position(kfk_consumer *c, kfk_partition_list *list) {
    int rc = 0;
    pthread_mutex_lock(&c->lock);
    for (int i = 0; i < list->count; i++) {
        kfk_partition *e = &list->elems[i];
        kfk_cpart *p = kfk_cpart_find(c, e->topic, e->partition);
        e->err = p ? 0 : KFK_ERR_NOENT;
        e->offset = p ? p->position : KFK_OFFSET_INVALID;
        e->leader_epoch = p ? p->position_epoch : -1;
        if (!p) rc = KFK_ERR_PARTIAL;
    }
    pthread_mutex_unlock(&c->lock);
    return rc;
}

int kfk_consumer_cached_watermarks(kfk_consumer *c, const char *topic, int32_t partition,
                                   int64_t *low, int64_t *high) {
    pthread_mutex_lock(&c->lock);
    kfk_cpart *p = kfk_cpart_find(c, topic, partition);
    if (p) {
        *low = p->lwm;
        *high = p->hwm;
    }
    pthread_mutex_unlock(&c->lock);
    return p ? 0 : KFK_ERR_NOENT;
}

int64_t kfk_consumer_lag(kfk_consumer *c, const char *topic, int32_t partition) {
    pthread_mutex_lock(&c->lock);
    kfk_cpart *p = kfk_cpart_find(c, topic, partition);
    /* As the Java client: read_committed can read up to the last stable offset. */
    int64_t end = p && c->cc.read_committed && p->lso >= 0 ? p->lso : p ? p->hwm : -1;
    int64_t lag = end >= 0 && p->position >= 0 ? end - p->position : -1;
    pthread_mutex_unlock(&c->lock);
    return lag < 0 ? -1 : lag;
}

kfk_offsets_view *kfk_consumer_offsets_view(kfk_consumer *c) {
    pthread_mutex_lock(&c->lock);
    /* One allocation: the view, its elements, then the topic names. */
    size_t size = sizeof(kfk_offsets_view) + (size_t)c->nparts * sizeof(kfk_partition_offsets);
    for (int i = 0; i < c->nparts; i++) size += strlen(c->parts[i]->topic) + 1;
    kfk_offsets_view *v = kfk_malloc(size);
    if (v) {
        v->elems = (kfk_partition_offsets *)(v + 1);
        v->count = c->nparts;
        char *names = (char *)(v->elems + c->nparts);
        for (int i = 0; i < c->nparts; i++) {
            const kfk_cpart *p = c->parts[i];
            size_t n = strlen(p->topic) + 1;
            memcpy(names, p->topic, n);
            v->elems[i] = (kfk_partition_offsets){
                .topic = names, .partition = p->partition, .position = p->position,
                .high_watermark = p->hwm,
                .committed = p->committed >= 0 ? p->committed : KFK_OFFSET_INVALID,
                .done = p->stored >= 0 ? p->stored : KFK_OFFSET_INVALID};
            names += n;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return v;
}

const kfk_partition_offsets *kfk_offsets_view_find(const kfk_offsets_view *v, const char *topic,
                                                   int32_t partition) {
    for (int i = 0; v && topic && i < v->count; i++)
        if (v->elems[i].partition == partition && strcmp(v->elems[i].topic, topic) == 0)
            return &v->elems[i];
    return NULL;
}

void kfk_offsets_view_destroy(kfk_offsets_view *v) { kfk_free(v); }
