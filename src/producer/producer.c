/* The producer handle: creation, send, delivery reports, flush, purge,
 * close and destroy. The sending itself is sender.c's, on the I/O thread. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "client/core_conf.h"
#include "core/alloc.h"
#include "producer/producer_int.h"

#define MAX_HEADERS 64
/* Values handed over (KFK_SEND_FREE) of this size or more are sent from the
 * caller's buffer; smaller ones are copied into the batch and freed at
 * once. Measured (bench/producer_perf --owned, acks=all, idempotence,
 * batch.size 64 KiB): referencing 4 KiB values took twice the CPU of
 * copying them (an iovec and a sendmsg share per value, and a buffer freed
 * late on another thread instead of reused hot by the next malloc); at
 * 64 KiB the CPU is even and throughput higher; at 256 and 512 KiB
 * referencing saves 15-20% CPU. Compressed batches copy every value: the
 * compressor reads the records from one buffer. */
#define VALUE_REF_MIN (64 * 1024)

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void wake(void *opaque) { kfk_sender_wake(opaque); }

kfk_producer *kfk_producer_new(kfk_conf *conf, const kfk_producer_callbacks *cbs, char *errstr,
                               size_t errstr_size) {
    char none[1];
    if (!errstr || !errstr_size) {
        errstr = none;
        errstr_size = sizeof none;
    }
    errstr[0] = '\0';
    if (!conf) {
        snprintf(errstr, errstr_size, "no configuration given");
        return NULL;
    }
    kfk_prod_conf pc;
    if (kfk_prod_conf_from(&pc, conf, errstr, errstr_size)) return NULL;
    kfk_producer *p = kfk_calloc(1, sizeof *p);
    if (!p) {
        snprintf(errstr, errstr_size, "out of memory creating the producer");
        return NULL;
    }
    p->conf = pc;
    if (cbs) p->cbs = *cbs;
    p->pid = -1;
    p->epoch = -1;
    atomic_init(&p->pid_now, -1);
    kfk_list_init(&p->reqs);
    p->wake_task.fn = kfk_sender_wake_task;
    p->init_task.fn = kfk_sender_init_task;
    p->stop_task.fn = kfk_sender_stop_task;
    p->purge_task.fn = kfk_sender_purge_task;
    pthread_mutex_init(&p->stop_lock, NULL);
    pthread_cond_init(&p->stop_cond, NULL);
    kfk_accum_conf ac = {.batch_size = pc.batch_size,
                         .linger_ms = pc.linger_ms,
                         .delivery_timeout_ms = pc.delivery_timeout_ms,
                         .buffer_memory = pc.buffer_memory,
                         .max_messages = pc.max_messages,
                         .max_request_size = pc.max_request_size,
                         .ref_min = pc.codec == KFK_CODEC_NONE ? VALUE_REF_MIN : 0,
                         .partitioner = pc.partitioner,
                         .ignore_keys = pc.ignore_keys,
                         .adaptive = pc.adaptive,
                         .availability_timeout_ms = pc.availability_timeout_ms,
                         .custom = p->cbs.partitioner,
                         .custom_opaque = p->cbs.opaque,
                         .wake = wake,
                         .wake_opaque = p};
    kfk_accum_init(&p->acc, &ac);
    if (kfk_reportq_init(&p->reports)) {
        snprintf(errstr, errstr_size, "could not create the delivery report wakeup fd");
        goto fail;
    }
    kfk_core_conf cc;
    kfk_core_conf_from(&cc, conf);
    p->core = kfk_core_new(&cc, errstr, errstr_size);
    if (!p->core) goto fail;
    p->io = kfk_core_io(p->core);
    p->log = kfk_core_log(p->core);
    kfk_txn_init(p);
    if (kfk_statsd_init(&p->statsd, p->core, conf, "producer", kfk_pstats_fill, kfk_pstats_wake,
                        p)) {
        snprintf(errstr, errstr_size, "out of memory creating the producer");
        goto fail;
    }
    kfk_statsd_start(&p->statsd);
    if (kfk_telemetryd_init(&p->telemetryd, p->core, conf, 0, kfk_pstats_fill, p) == 0)
        kfk_telemetryd_start(&p->telemetryd);
    else
        kfk_telemetryd_free(&p->telemetryd); /* out of memory: without telemetry */
    if (kfk_io_post(p->io, &p->init_task)) {
        snprintf(errstr, errstr_size, "the I/O thread did not start");
        goto fail;
    }
    p->user_conf = conf;
    return p;
fail:
    kfk_core_destroy(p->core);
    kfk_statsd_free(&p->statsd);
    kfk_telemetryd_free(&p->telemetryd);
    if (p->core) kfk_txn_free(p);
    kfk_reportq_free(&p->reports);
    kfk_accum_free(&p->acc);
    pthread_cond_destroy(&p->stop_cond);
    pthread_mutex_destroy(&p->stop_lock);
    kfk_free(p);
    return NULL;
}

/* --------------------------------------------------------------------- send */

static int to_bytes(const void *ptr, size_t len, kfk_bytes *out) {
    if (!ptr) {
        *out = (kfk_bytes){NULL, -1};
        return len ? KFK_ERR_INVALID_ARG : 0;
    }
    if (len > INT32_MAX) return KFK_ERR_MSG_TOO_LARGE;
    *out = (kfk_bytes){ptr, (int32_t)len};
    return 0;
}

/* The topic's partition count is not known: wait for it, not for every
 * partition's leader (a new topic's leaders arrive one by one; records
 * wait in their partitions meanwhile, and keyless ones go where a leader is). */
static int await_topic(kfk_producer *p, const char *topic, int64_t wait_until) {
    int64_t left = wait_until - mono_ms();
    if (left <= 0) {
        kfk_core_metadata_refresh(p->core, &topic, 1);
        return KFK_ERR_TIMED_OUT;
    }
    kfk_metadata *md = NULL;
    char err[160];
    int rc = kfk_core_metadata_wait_known(p->core, &topic, 1, (int32_t)left, &md, err, sizeof err);
    if (rc) return rc;
    kfk_accum_set_partitions(&p->acc, md, topic);
    kfk_metadata_unref(md);
    return 0;
}

/* Updates the topic from the core's current snapshot; 1 if it is there. */
static int take_snapshot(kfk_producer *p, const char *topic) {
    kfk_metadata *md = kfk_core_metadata(p->core);
    if (!md) return 0;
    int known = kfk_metadata_topic(md, topic) != NULL;
    if (known) kfk_accum_set_partitions(&p->acc, md, topic);
    kfk_metadata_unref(md);
    return known;
}

int kfk_producer_send(kfk_producer *p, const kfk_message *m, int flags) {
    if (!p || !m || !m->topic || !*m->topic || m->partition < KFK_PARTITION_ANY ||
        m->header_count > MAX_HEADERS || (m->header_count && !m->headers))
        return KFK_ERR_INVALID_ARG;
    kfk_accum_msg am = {.topic = m->topic, .partition = m->partition, .opaque = m->opaque,
                        .header_count = m->header_count,
                        .timestamp = m->timestamp_ms ? m->timestamp_ms : wall_ms(),
                        .give_value = (flags & KFK_SEND_FREE) != 0};
    int rc = to_bytes(m->key, m->key_len, &am.key);
    if (!rc) rc = to_bytes(m->value, m->value_len, &am.value);
    if (rc) return rc;
    kfk_record_header hs[MAX_HEADERS];
    for (size_t i = 0; i < m->header_count; i++) {
        const kfk_header *h = &m->headers[i];
        size_t n = h->name ? strlen(h->name) : 0;
        if (!h->name || n > INT32_MAX) return KFK_ERR_INVALID_ARG;
        hs[i].key = (kfk_str){h->name, (int32_t)n};
        if ((rc = to_bytes(h->value, h->value_len, &hs[i].value))) return rc;
    }
    am.headers = hs;
    int32_t wait = flags & KFK_SEND_NONBLOCK ? 0 : p->conf.max_block_ms;
    int32_t partition;
    int64_t wait_until = 0;
    int looked = 0;
    while ((rc = kfk_accum_append(&p->acc, &am, KFK_ACCUM_CLOCK, wait, &partition)) ==
           KFK_ERR_NOENT) {
        if (flags & KFK_SEND_NONBLOCK) { /* distinct from a wait that timed out */
            /* The snapshot may name the topic before the sender took it in. */
            if (!looked++ && take_snapshot(p, m->topic)) continue;
            kfk_core_metadata_refresh(p->core, &m->topic, 1);
            return KFK_ERR_NOENT;
        }
        if (!wait_until) wait_until = mono_ms() + wait;
        if ((rc = await_topic(p, m->topic, wait_until))) return rc;
    }
    if (!rc && (flags & KFK_SEND_FREE)) {
        kfk_free((void *)m->key);
        if (!kfk_accum_takes(&p->acc, &am)) kfk_free((void *)m->value);
    }
    return rc;
}

/* ------------------------------------------------------------------ reports */

/* Runs the callbacks of a list of completed batches, then recycles them. */
static int serve(kfk_producer *p, kfk_list *batches) {
    int n = 0;
    for (kfk_list *e = batches->next; e != batches; e = e->next) {
        const kfk_pbatch *b = KFK_CONTAINER_OF(e, kfk_pbatch, link);
        kfk_delivery d = {.err = b->err,
                          .errstr = b->err ? (b->errstr[0] ? b->errstr : kfk_err_str(b->err)) : NULL,
                          .topic = b->part->topic->name,
                          .partition = b->part->id,
                          .broker_id = b->node};
        /* What holds for the whole batch is worked out once. */
        int64_t base = !b->err && b->base_offset >= 0 ? b->base_offset : -1;
        kfk_delivery_cb cb = p->cbs.delivery;
        int32_t count = b->bb.count;
        for (int32_t i = 0; cb && i < count; i++) {
            d.offset = base >= 0 ? base + i : -1;
            d.timestamp_ms = b->append_time >= 0 ? b->append_time : b->timestamps[i];
            d.opaque = b->opaques[i];
            cb(p, &d, p->cbs.opaque);
        }
        n += count;
    }
    kfk_accum_recycle(&p->acc, batches);
    kfk_reportq_kick(&p->reports);
    return n;
}

/* Serves what is queued, without waiting. */
static int poll_now(kfk_producer *p) {
    kfk_list got;
    kfk_list_init(&got);
    return kfk_reportq_take(&p->reports, &got, 0) ? serve(p, &got) : 0;
}

/* A poll that may wait: kept out of line, so the poll(0) below saves no
 * registers for it. */
static __attribute__((noinline)) int poll_wait(kfk_producer *p, int timeout_ms) {
    kfk_list got;
    kfk_list_init(&got);
    int64_t deadline = mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    for (;;) {
        kfk_statsd_deliver(&p->statsd);
        int64_t left = timeout_ms < 0 ? -1 : deadline - mono_ms();
        if (kfk_reportq_take(&p->reports, &got, left < 0 && timeout_ms >= 0 ? 0 : (int)left))
            return serve(p, &got);
        if (timeout_ms >= 0 && mono_ms() >= deadline) return 0;
    }
}

int kfk_producer_poll(kfk_producer *p, int timeout_ms) {
    if (timeout_ms) return poll_wait(p, timeout_ms);
    /* A poll(0) after every send is common (librdkafka's programs do it):
     * no clock, and no lock while nothing is done. */
    if (kfk_statsd_ready(&p->statsd)) kfk_statsd_deliver(&p->statsd);
    return kfk_reportq_any(&p->reports) ? poll_now(p) : 0;
}

int kfk_producer_fd(kfk_producer *p) { return kfk_wake_fd(&p->reports.fd); }

/* Messages not reported yet, but those held until their transaction
 * ends: a flush waits for them to be written, not for the commit. */
static int64_t queued(kfk_producer *p) {
    pthread_mutex_lock(&p->acc.lock);
    int64_t n = p->acc.queued - p->acc.held;
    pthread_mutex_unlock(&p->acc.lock);
    return n;
}

int kfk_producer_flush(kfk_producer *p, int timeout_ms) {
    pthread_mutex_lock(&p->acc.lock);
    p->acc.flushing++;
    pthread_mutex_unlock(&p->acc.lock);
    kfk_sender_wake(p);
    int64_t deadline = mono_ms() + timeout_ms;
    int rc = 0;
    while (queued(p) > 0) {
        kfk_statsd_deliver(&p->statsd);
        int64_t left = deadline - mono_ms();
        if (timeout_ms >= 0 && left <= 0) {
            rc = KFK_ERR_TIMED_OUT;
            break;
        }
        kfk_list got;
        kfk_list_init(&got);
        /* Short waits: another thread may be serving the reports. */
        if (kfk_reportq_take(&p->reports, &got, timeout_ms < 0 || left > 100 ? 100 : (int)left))
            serve(p, &got);
    }
    pthread_mutex_lock(&p->acc.lock);
    p->acc.flushing--;
    pthread_mutex_unlock(&p->acc.lock);
    return rc;
}

int kfk_producer_purge(kfk_producer *p, int flags) {
    flags &= KFK_PURGE_QUEUE | KFK_PURGE_INFLIGHT;
    if (flags && atomic_fetch_or(&p->purge_flags, flags) == 0) kfk_io_post(p->io, &p->purge_task);
    return 0;
}

int kfk_producer_api_version(kfk_producer *p, int api_key) {
    return kfk_core_api_version(p->core, api_key);
}

void kfk_producer_stats_get(kfk_producer *p, kfk_producer_stats *out) {
    *out = (kfk_producer_stats){.epoch_bumps = atomic_load(&p->epoch_bumps),
                                .batches_retried = atomic_load(&p->batches_retried),
                                .batches_split = atomic_load(&p->batches_split),
                                .leader_hints = atomic_load(&p->leader_hints),
                                .produce_version_min = atomic_load(&p->produce_version_min),
                                .produce_version_max = atomic_load(&p->produce_version_max),
                                .txn_commits = atomic_load(&p->txn_commits),
                                .txn_aborts = atomic_load(&p->txn_aborts),
                                .txn_version = atomic_load(&p->txn_version)};
    int64_t pe = atomic_load(&p->pid_now);
    out->producer_id = pe < 0 ? -1 : pe >> 16;
    out->producer_epoch = pe < 0 ? -1 : (int32_t)(pe & 0xffff);
    pthread_mutex_lock(&p->acc.lock);
    out->buffer_bytes = p->acc.mem_used;
    out->buffer_peak = p->acc.mem_peak;
    pthread_mutex_unlock(&p->acc.lock);
    kfk_core_stats core;
    kfk_core_stats_get(p->core, &core);
    out->throttles = core.throttles;
    out->throttle_ms = core.throttle_ms;
    out->rebootstraps = core.rebootstraps;
}

int kfk_producer_fatal_error(kfk_producer *p, char *errstr, size_t errstr_size) {
    int err = atomic_load(&p->fatal_err);
    if (err && errstr && errstr_size) snprintf(errstr, errstr_size, "%s", p->fatal_str);
    return err;
}

/* ---------------------------------------------------------------- shutdown */

int kfk_producer_close(kfk_producer *p, int timeout_ms) {
    /* As the Java client: a transaction still open is aborted. */
    if (p->conf.transactional_id) {
        pthread_mutex_lock(&p->acc.lock);
        enum kfk_txn_state s = p->txn.state;
        pthread_mutex_unlock(&p->acc.lock);
        if (s == KFK_TXN_OPEN || s == KFK_TXN_ABORTABLE || s == KFK_TXN_ABORTING)
            kfk_producer_abort_transaction(p, timeout_ms);
    }
    int rc = kfk_producer_flush(p, timeout_ms);
    kfk_statsd_final(&p->statsd);
    kfk_telemetryd_close(&p->telemetryd, timeout_ms);
    kfk_producer_destroy(p);
    return rc;
}

void kfk_producer_destroy(kfk_producer *p) {
    if (!p) return;
    pthread_mutex_lock(&p->acc.lock);
    p->acc.closing = 1;
    pthread_cond_broadcast(&p->acc.space);
    pthread_mutex_unlock(&p->acc.lock);
    /* The I/O thread fails what is queued and stops the sender; destroying
     * the core then fails what is in flight, each batch reported once. */
    if (kfk_io_post(p->io, &p->stop_task) == 0) {
        pthread_mutex_lock(&p->stop_lock);
        while (!p->stopped) pthread_cond_wait(&p->stop_cond, &p->stop_lock);
        pthread_mutex_unlock(&p->stop_lock);
    }
    kfk_core_destroy(p->core);
    kfk_statsd_free(&p->statsd);
    kfk_telemetryd_free(&p->telemetryd);
    kfk_txn_free(p);
    kfk_list got;
    kfk_list_init(&got);
    while (kfk_reportq_take(&p->reports, &got, 0)) serve(p, &got);
    kfk_metadata_unref(p->md_seen);
    kfk_accum_free(&p->acc);
    kfk_reportq_free(&p->reports);
    kfk_wbuf_free(&p->scratch);
    kfk_arena_reset(&p->arena);
    kfk_free(p->nodes);
    pthread_cond_destroy(&p->stop_cond);
    pthread_mutex_destroy(&p->stop_lock);
    kfk_conf_destroy(p->user_conf);
    kfk_free(p);
}
