/* Telemetry on the I/O thread: see telemetryd.h. One request at a time. */
#include "client/telemetryd.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "client/core_int.h"
#include "core/alloc.h"
#include "core/arena.h"
#include "core/conf.h"
#include "core/log.h"

static uint64_t unix_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void pump(kfk_telemetryd *d, int64_t now);

static void note(kfk_telemetryd *d, const char *what) {
    KFK_DBG(kfk_core_log(d->core), KFK_DBG_PROTOCOL, NULL, "telemetry: %s: %s", what,
            d->sm.why);
}

static int on_get(void *opaque, kfk_response *resp) {
    kfk_telemetryd *d = opaque;
    d->inflight = 0;
    int64_t now = kfk_io_now(kfk_core_io(d->core));
    kfk_arena a = {0};
    kfk_get_telemetry_subscriptions_response m;
    int err = resp->err;
    if (err == KFK_ERR_UNSUPPORTED_VERSION) {
        kfk_telemetry_on_versions(&d->sm, -1, -1);
    } else {
        if (!err)
            err = kfk_get_telemetry_subscriptions_response_decode(&resp->body, resp->version, &a,
                                                                  &m);
        kfk_telemetry_on_get(&d->sm, err, err ? NULL : &m, now);
        if (!err)
            KFK_DBG(kfk_core_log(d->core), KFK_DBG_PROTOCOL, NULL,
                    "telemetry: GetTelemetrySubscriptions: error %d, subscription %d, "
                    "%d metric prefixes, interval %d ms",
                    (int)m.error_code, (int)m.subscription_id, (int)m.requested_metrics.count,
                    (int)m.push_interval_ms);
    }
    kfk_arena_reset(&a);
    note(d, "subscription answer");
    pump(d, now);
    return 0;
}

static int on_push(void *opaque, kfk_response *resp) {
    kfk_telemetryd *d = opaque;
    d->inflight = 0;
    int64_t now = kfk_io_now(kfk_core_io(d->core));
    int err = resp->err;
    kfk_push_telemetry_response m = {0};
    kfk_arena a = {0};
    if (!err)
        err = kfk_push_telemetry_response_decode(&resp->body, resp->version, &a, &m);
    kfk_arena_reset(&a);
    kfk_telemetry_on_push(&d->sm, d->req_terminating, err, m.error_code, now);
    note(d, "push answer");
    pump(d, now);
    return 0;
}

static void send_req(kfk_telemetryd *d, int16_t api, const void *msg, kfk_response_fn cb) {
    memset(&d->req, 0, sizeof d->req);
    d->req.dest = KFK_DEST_ANY;
    d->req.req.api_key = api;
    d->req.req.min_version = 0;
    d->req.req.max_version = 0;
    d->req.req.msg = msg;
    d->req.req.cb = cb;
    d->req.req.opaque = d;
    d->inflight = 1;
    if (kfk_core_send(d->core, &d->req)) { /* shutting down */
        d->inflight = 0;
        kfk_telemetry_on_versions(&d->sm, -1, -1);
    }
}

/* The metrics the subscription asks for, from a statistics snapshot. */
static int build_push(kfk_telemetryd *d) {
    kfk_arena a = {0};
    kfk_stats *s = kfk_arena_alloc(&a, sizeof *s);
    int err = KFK_ERR_NOMEM;
    if (s) {
        s->type = d->type;
        s->client_id = d->client_id;
        kfk_core_stats_fill(d->core, s, &a);
        if (d->fill)
            d->fill(d->owner, s, &a);
        d->payload.len = 0;
        d->payload.err = 0;
        kfk_telemetry_push_request(&d->sm, &d->push);
        int8_t codec = 0;
        err = kfk_tel_payload(&d->tm, &d->sm, s, unix_ns(), &d->payload, &codec);
        d->push.compression_type = codec;
        d->push.metrics = (kfk_bytes){d->payload.data, (int32_t)d->payload.len};
    }
    kfk_arena_reset(&a);
    return err;
}

static void pump(kfk_telemetryd *d, int64_t now) {
    kfk_io *io = kfk_core_io(d->core);
    while (!d->inflight) {
        int64_t wake;
        kfk_tel_action act = kfk_telemetry_next(&d->sm, now, &wake);
        if (act == KFK_TEL_GET) {
            kfk_telemetry_get_request(&d->sm, &d->get);
            KFK_DBG(kfk_core_log(d->core), KFK_DBG_PROTOCOL, NULL,
                    "telemetry: asking for the subscription (GetTelemetrySubscriptions)");
            send_req(d, KFK_API_GET_TELEMETRY_SUBSCRIPTIONS, &d->get, on_get);
        } else if (act == KFK_TEL_PUSH) {
            d->req_terminating = kfk_telemetry_terminating(&d->sm);
            int err = build_push(d);
            if (err) { /* nothing sent: as if the broker refused it */
                kfk_telemetry_on_push(&d->sm, d->req_terminating, err == KFK_ERR_NOMEM ? err : 0,
                                      err == KFK_ERR_NOMEM ? 0 : (int16_t)err, now);
                continue;
            }
            KFK_DBG(kfk_core_log(d->core), KFK_DBG_PROTOCOL, NULL,
                    "telemetry: PushTelemetry of %zu bytes (compression %d, terminating %d)",
                    d->payload.len, (int)d->push.compression_type, d->req_terminating);
            send_req(d, KFK_API_PUSH_TELEMETRY, &d->push, on_push);
        } else {
            if (wake == INT64_MAX)
                kfk_io_timer_cancel(io, &d->timer);
            else
                kfk_io_timer_set(io, &d->timer, wake);
            break;
        }
    }
    if (d->closing && !d->inflight && kfk_telemetry_done(&d->sm)) {
        pthread_mutex_lock(&d->lock);
        d->done = 1;
        pthread_cond_broadcast(&d->cond);
        pthread_mutex_unlock(&d->lock);
    }
}

static void on_timer(kfk_timer *t, int64_t now) {
    pump(KFK_CONTAINER_OF(t, kfk_telemetryd, timer), now);
}

static void start_task(kfk_io *io, kfk_task *t, int err) {
    kfk_telemetryd *d = KFK_CONTAINER_OF(t, kfk_telemetryd, start);
    if (err || kfk_io_timer_add(io, &d->timer, on_timer) != 0)
        return;
    note(d, "start");
    pump(d, kfk_io_now(io));
}

static void close_task(kfk_io *io, kfk_task *t, int err) {
    kfk_telemetryd *d = KFK_CONTAINER_OF(t, kfk_telemetryd, close);
    d->closing = 1;
    if (!err) {
        if (!kfk_telemetry_done(&d->sm)) {
            kfk_telemetry_close(&d->sm, kfk_io_now(io));
            note(d, "close");
        }
        pump(d, kfk_io_now(io));
    }
    if (err) {
        pthread_mutex_lock(&d->lock);
        d->done = 1;
        pthread_cond_broadcast(&d->cond);
        pthread_mutex_unlock(&d->lock);
    }
}

/* KIP-714's resource attribute name for a setting, if set. */
static int attr(kfk_telemetryd *d, const kfk_conf *conf, const char *key, const char *name) {
    const char *v = kfk_conf_get(conf, key);
    if (!v || !*v)
        return 0;
    char *copy = kfk_strndup(v, strlen(v));
    if (!copy)
        return KFK_ERR_NOMEM;
    d->res_val[d->nres] = copy;
    d->res[d->nres++] = (kfk_otlp_kv){name, copy};
    return 0;
}

int kfk_telemetryd_init(kfk_telemetryd *d, kfk_core *core, const kfk_conf *conf, int consumer,
                        kfk_stats_fill_fn fill, void *owner) {
    memset(d, 0, sizeof *d);
    if (!kfk_conf_bool(conf, KFK_CONF_ENABLE_METRICS_PUSH))
        return 0;
    d->core = core;
    d->fill = fill;
    d->owner = owner;
    d->type = consumer ? "consumer" : "producer";
    const char *id = kfk_conf_get(conf, "client.id");
    d->client_id = kfk_strndup(id ? id : "", id ? strlen(id) : 0);
    int err = d->client_id ? 0 : KFK_ERR_NOMEM;
    if (!err && consumer) {
        err = attr(d, conf, "group.id", "group_id");
        if (!err)
            err = attr(d, conf, "group.instance.id", "group_instance_id");
    } else if (!err) {
        err = attr(d, conf, "transactional.id", "transactional_id");
    }
    if (!err)
        err = attr(d, conf, "client.rack", "client_rack");
    d->on = 1; /* so that free releases what was taken */
    if (err)
        return err;
    kfk_telemetry_init(&d->sm, 1, (uint64_t)unix_ns() ^ (uintptr_t)d, 0);
    kfk_tel_metrics_init(&d->tm, consumer, d->res, d->nres, unix_ns());
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->cond, NULL);
    d->start.fn = start_task;
    d->close.fn = close_task;
    return 0;
}

void kfk_telemetryd_start(kfk_telemetryd *d) {
    if (d->on)
        kfk_io_post(kfk_core_io(d->core), &d->start);
}

void kfk_telemetryd_close(kfk_telemetryd *d, int timeout_ms) {
    if (!d->on || kfk_io_post(kfk_core_io(d->core), &d->close))
        return;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    int64_t ns = until.tv_nsec + (int64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000;
    until.tv_sec += ns / 1000000000;
    until.tv_nsec = ns % 1000000000;
    pthread_mutex_lock(&d->lock);
    while (!d->done)
        if (pthread_cond_timedwait(&d->cond, &d->lock, &until) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&d->lock);
}

void kfk_telemetryd_free(kfk_telemetryd *d) {
    if (!d->on)
        return;
    kfk_telemetry_free(&d->sm);
    kfk_tel_metrics_free(&d->tm);
    kfk_wbuf_free(&d->payload);
    for (int i = 0; i < d->nres; i++)
        kfk_free(d->res_val[i]);
    kfk_free(d->client_id);
    if (d->client_id && d->start.fn) {
        pthread_mutex_destroy(&d->lock);
        pthread_cond_destroy(&d->cond);
    }
    d->on = 0;
}
