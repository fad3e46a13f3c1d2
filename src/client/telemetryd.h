/* Client telemetry on the client's I/O thread: drives the state machine
 * (client/telemetry.h) with the I/O thread's clock, sends its requests to
 * the least-loaded broker, and builds each push from a statistics snapshot
 * (client/tel_metrics.h). Off (enable.metrics.push=false, or a broker
 * without the APIs, or no subscription): no push, one timer at most. */
#ifndef KFK_CLIENT_TELEMETRYD_H
#define KFK_CLIENT_TELEMETRYD_H

#include <pthread.h>

#include "client/core.h"
#include "client/stats.h"
#include "client/tel_metrics.h"
#include "client/telemetry.h"
#include "kfk.h"

typedef struct kfk_telemetryd {
    int on;
    kfk_core *core;
    kfk_stats_fill_fn fill;
    void *owner;
    const char *type;
    char *client_id;
    kfk_telemetry sm;
    kfk_tel_metrics tm;
    kfk_otlp_kv res[4];
    char *res_val[4];
    int nres;
    kfk_timer timer;
    kfk_task start, close;
    kfk_core_req req;
    int inflight, req_terminating, closing;
    kfk_get_telemetry_subscriptions_request get;
    kfk_push_telemetry_request push;
    kfk_wbuf payload;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int done; /* under lock: nothing left to send after close */
} kfk_telemetryd;

/* consumer: names and resource attributes of a consumer (else a
 * producer's). Reads enable.metrics.push and the resource attributes'
 * settings. 0 or KFK_ERR_NOMEM. */
int kfk_telemetryd_init(kfk_telemetryd *d, kfk_core *core, const kfk_conf *conf, int consumer,
                        kfk_stats_fill_fn fill, void *owner);
void kfk_telemetryd_start(kfk_telemetryd *d);
/* Sends the final push (if subscribed) and waits for it up to timeout_ms.
 * Application thread, before the core is destroyed. */
void kfk_telemetryd_close(kfk_telemetryd *d, int timeout_ms);
/* Once the core (and its I/O thread) is destroyed. */
void kfk_telemetryd_free(kfk_telemetryd *d);

#endif
