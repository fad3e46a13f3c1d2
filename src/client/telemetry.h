/* Client telemetry (KIP-714) without sockets or clock: fed the broker's
 * ApiVersions, responses and the time, it says when to send
 * GetTelemetrySubscriptions and PushTelemetry and fills their fixed fields;
 * the caller encodes the metrics (client/otlp.h), sends, and feeds back
 * what came. Error handling follows the Java client: a subscription that
 * names no metric is asked again after its interval and nothing is pushed;
 * a broker without the APIs, or an error no retry can fix, turns it off. */
#ifndef KFK_CLIENT_TELEMETRY_H
#define KFK_CLIENT_TELEMETRY_H

#include <stdint.h>

#include "core/buf.h"
#include "proto/gen/messages.h"

/* The Java client's wait after a failed request or without an interval. */
#define KFK_TEL_DEFAULT_INTERVAL_MS (5 * 60 * 1000)

typedef enum kfk_tel_state {
    KFK_TEL_SUB_NEEDED,
    KFK_TEL_SUB_SENT,
    KFK_TEL_PUSH_NEEDED,
    KFK_TEL_PUSH_SENT,
    KFK_TEL_TERM_NEEDED, /* the final push, terminating=true */
    KFK_TEL_TERM_SENT,
    KFK_TEL_OFF /* disabled, unsupported, or terminated */
} kfk_tel_state;

typedef enum kfk_tel_action { KFK_TEL_WAIT, KFK_TEL_GET, KFK_TEL_PUSH } kfk_tel_action;

typedef struct kfk_telemetry {
    kfk_tel_state state;
    int64_t due_ms; /* when the next request goes */
    const char *why; /* the last transition's reason, for the caller's log */
    kfk_uuid instance_id;
    int32_t subscription_id;
    int32_t interval_ms;
    int32_t max_bytes;
    int delta;
    int8_t codec;    /* the first accepted compression kfk has, else 0 */
    int subscribed;  /* a subscription naming metrics is held */
    int all_metrics; /* requested "*" */
    char **prefixes;
    int nprefixes;
    uint64_t rng; /* the first push's jitter */
} kfk_telemetry;

/* enabled: enable.metrics.push. The first request is due at now_ms. seed
 * drives the jitter (0.5 to 1.5 times the interval) of a subscription's
 * first push, as Java staggers clients. */
void kfk_telemetry_init(kfk_telemetry *t, int enabled, uint64_t seed, int64_t now_ms);
void kfk_telemetry_free(kfk_telemetry *t);

/* The versions a broker offers for APIs 71 and 72 (max -1: absent, as on a
 * 3.9 broker without a metrics plugin): without both, telemetry is off. */
void kfk_telemetry_on_versions(kfk_telemetry *t, int16_t get_max, int16_t push_max);

/* What is due at now_ms. GET or PUSH: the request is marked in flight, fill
 * it with the functions below and send it. WAIT: *wake_ms (INT64_MAX when
 * nothing will ever be due) is when to call again. */
kfk_tel_action kfk_telemetry_next(kfk_telemetry *t, int64_t now_ms, int64_t *wake_ms);
void kfk_telemetry_get_request(const kfk_telemetry *t,
                               kfk_get_telemetry_subscriptions_request *req);
/* All but the metrics and their compression type, set by the caller. */
void kfk_telemetry_push_request(const kfk_telemetry *t, kfk_push_telemetry_request *req);
/* 1 when the push in flight (or due) is the terminating one. */
int kfk_telemetry_terminating(const kfk_telemetry *t);

/* err: a transport or local error (the request got no answer), else 0 and
 * r the decoded response. 0, or KFK_ERR_NOMEM (telemetry then off). */
int kfk_telemetry_on_get(kfk_telemetry *t, int err,
                         const kfk_get_telemetry_subscriptions_response *r, int64_t now_ms);
/* terminating: the push answered was the final one. err as above, else
 * error_code the response's. */
void kfk_telemetry_on_push(kfk_telemetry *t, int terminating, int err, int16_t error_code,
                           int64_t now_ms);

/* Close: a final push is due now if a subscription is held; otherwise off. */
void kfk_telemetry_close(kfk_telemetry *t, int64_t now_ms);
/* 1 when telemetry has nothing left to send (close may finish). */
static inline int kfk_telemetry_done(const kfk_telemetry *t) {
    return t->state == KFK_TEL_OFF;
}

/* 1 when the subscription asks for the metric (by prefix, or "*"). */
int kfk_telemetry_wants(const kfk_telemetry *t, const char *name);

#endif
