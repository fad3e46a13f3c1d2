/* The KIP-714 client state machine: see telemetry.h. */
#include "client/telemetry.h"

#include <string.h>

#include "core/alloc.h"
#include "kfk.h"

#define NEVER INT64_MAX

void kfk_telemetry_init(kfk_telemetry *t, int enabled, uint64_t seed, int64_t now_ms) {
    memset(t, 0, sizeof *t);
    t->state = enabled ? KFK_TEL_SUB_NEEDED : KFK_TEL_OFF;
    t->due_ms = enabled ? now_ms : NEVER;
    t->why = enabled ? "started" : "enable.metrics.push=false";
    t->rng = seed ? seed : 0x9e3779b97f4a7c15ull;
}

static void drop_prefixes(kfk_telemetry *t) {
    for (int i = 0; i < t->nprefixes; i++)
        kfk_free(t->prefixes[i]);
    kfk_free(t->prefixes);
    t->prefixes = NULL;
    t->nprefixes = 0;
}

void kfk_telemetry_free(kfk_telemetry *t) {
    drop_prefixes(t);
}

static void off(kfk_telemetry *t, const char *why) {
    t->state = KFK_TEL_OFF;
    t->due_ms = NEVER;
    t->subscribed = 0;
    t->why = why;
}

/* Subscription needed again after wait_ms. */
static void resubscribe(kfk_telemetry *t, int64_t now_ms, int64_t wait_ms, const char *why) {
    t->state = KFK_TEL_SUB_NEEDED;
    t->due_ms = now_ms + wait_ms;
    t->subscribed = 0;
    t->why = why;
}

void kfk_telemetry_on_versions(kfk_telemetry *t, int16_t get_max, int16_t push_max) {
    if (t->state != KFK_TEL_OFF && (get_max < 0 || push_max < 0))
        off(t, "the broker has no GetTelemetrySubscriptions or PushTelemetry");
}

kfk_tel_action kfk_telemetry_next(kfk_telemetry *t, int64_t now_ms, int64_t *wake_ms) {
    *wake_ms = NEVER;
    switch (t->state) {
    case KFK_TEL_SUB_NEEDED:
    case KFK_TEL_PUSH_NEEDED:
    case KFK_TEL_TERM_NEEDED:
        if (now_ms < t->due_ms) {
            *wake_ms = t->due_ms;
            return KFK_TEL_WAIT;
        }
        if (t->state == KFK_TEL_SUB_NEEDED) {
            t->state = KFK_TEL_SUB_SENT;
            return KFK_TEL_GET;
        }
        t->state = t->state == KFK_TEL_PUSH_NEEDED ? KFK_TEL_PUSH_SENT : KFK_TEL_TERM_SENT;
        return KFK_TEL_PUSH;
    default: /* a request in flight (its answer or failure comes), or off */
        return KFK_TEL_WAIT;
    }
}

void kfk_telemetry_get_request(const kfk_telemetry *t,
                               kfk_get_telemetry_subscriptions_request *req) {
    kfk_get_telemetry_subscriptions_request_init(req);
    req->client_instance_id = t->instance_id; /* zero at first: the broker picks */
}

void kfk_telemetry_push_request(const kfk_telemetry *t, kfk_push_telemetry_request *req) {
    kfk_push_telemetry_request_init(req);
    req->client_instance_id = t->instance_id;
    req->subscription_id = t->subscription_id;
    req->terminating = kfk_telemetry_terminating(t);
}

int kfk_telemetry_terminating(const kfk_telemetry *t) {
    return t->state == KFK_TEL_TERM_NEEDED || t->state == KFK_TEL_TERM_SENT;
}

/* What a broker's error code does, as Java's ClientTelemetryUtils decides:
 * 1 handled (resubscribe scheduled), 0 turned off. */
static int on_error(kfk_telemetry *t, int16_t code, int64_t now_ms) {
    int64_t interval = t->interval_ms > 0 ? t->interval_ms : KFK_TEL_DEFAULT_INTERVAL_MS;
    switch (code) {
    case KFK_ERR_UNKNOWN_SUBSCRIPTION_ID:
    case KFK_ERR_UNSUPPORTED_COMPRESSION_TYPE:
        resubscribe(t, now_ms, 0, "subscription changed: asking again");
        return 1;
    case KFK_ERR_TELEMETRY_TOO_LARGE:
    case KFK_ERR_THROTTLING_QUOTA_EXCEEDED:
        resubscribe(t, now_ms, interval, "too large or throttled: asking again after the interval");
        return 1;
    default: /* INVALID_REQUEST, INVALID_RECORD, UNSUPPORTED_VERSION, unknown */
        off(t, "the broker refused telemetry: off");
        return 0;
    }
}

static uint64_t next_rand(kfk_telemetry *t) {
    uint64_t x = t->rng; /* xorshift64 */
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return t->rng = x;
}

static int keep_prefixes(kfk_telemetry *t, const kfk_get_telemetry_subscriptions_response *r) {
    drop_prefixes(t);
    t->all_metrics = 0;
    int32_t n = r->requested_metrics.count;
    if (n == 1 && r->requested_metrics.items[0].len == 1 &&
        r->requested_metrics.items[0].ptr[0] == '*') {
        t->all_metrics = 1;
        return 0;
    }
    if (n <= 0)
        return 0;
    t->prefixes = kfk_calloc((size_t)n, sizeof *t->prefixes);
    if (!t->prefixes)
        return KFK_ERR_NOMEM;
    for (int32_t i = 0; i < n; i++) {
        kfk_str s = r->requested_metrics.items[i];
        t->prefixes[i] = kfk_strndup(s.ptr ? s.ptr : "", s.len > 0 ? (size_t)s.len : 0);
        if (!t->prefixes[i])
            return KFK_ERR_NOMEM;
        t->nprefixes++;
    }
    return 0;
}

int kfk_telemetry_on_get(kfk_telemetry *t, int err,
                         const kfk_get_telemetry_subscriptions_response *r, int64_t now_ms) {
    if (t->state != KFK_TEL_SUB_SENT)
        return 0; /* closed meanwhile: the answer no longer matters */
    if (err) {
        resubscribe(t, now_ms, KFK_TEL_DEFAULT_INTERVAL_MS, "no answer: asking again later");
        return 0;
    }
    if (r->error_code) {
        on_error(t, r->error_code, now_ms);
        return 0;
    }
    if (kfk_uuid_is_zero(&r->client_instance_id)) {
        off(t, "the broker gave no client instance id: off");
        return 0;
    }
    t->instance_id = r->client_instance_id;
    t->subscription_id = r->subscription_id;
    t->interval_ms = r->push_interval_ms > 0 ? r->push_interval_ms : KFK_TEL_DEFAULT_INTERVAL_MS;
    t->max_bytes = r->telemetry_max_bytes;
    t->delta = r->delta_temporality;
    t->codec = 0;
    for (int32_t i = 0; i < r->accepted_compression_types.count; i++) {
        int8_t c = r->accepted_compression_types.items[i];
        if (c >= 0 && c <= 4) { /* the broker lists them by preference */
            t->codec = c;
            break;
        }
    }
    if (keep_prefixes(t, r)) {
        off(t, "out of memory: off");
        return KFK_ERR_NOMEM;
    }
    if (!t->all_metrics && t->nprefixes == 0) {
        resubscribe(t, now_ms, t->interval_ms, "no metrics subscribed: asking again after the interval");
        return 0;
    }
    /* The first push at 0.5 to 1.5 intervals, so that clients started
     * together do not push together. */
    uint64_t permille = 500 + next_rand(t) % 1001;
    t->state = KFK_TEL_PUSH_NEEDED;
    t->subscribed = 1;
    t->due_ms = now_ms + (int64_t)t->interval_ms * (int64_t)permille / 1000;
    t->why = "subscribed";
    return 0;
}

void kfk_telemetry_on_push(kfk_telemetry *t, int terminating, int err, int16_t error_code,
                           int64_t now_ms) {
    if (terminating) {
        off(t, "terminating push done");
        return;
    }
    if (t->state != KFK_TEL_PUSH_SENT)
        return; /* an earlier push answered after close: the final one counts */
    if (err) {
        resubscribe(t, now_ms, KFK_TEL_DEFAULT_INTERVAL_MS, "push got no answer: asking again later");
        return;
    }
    if (error_code) {
        on_error(t, error_code, now_ms);
        return;
    }
    t->state = KFK_TEL_PUSH_NEEDED;
    t->due_ms = now_ms + t->interval_ms;
    t->why = "pushed";
}

void kfk_telemetry_close(kfk_telemetry *t, int64_t now_ms) {
    if (t->state == KFK_TEL_OFF || kfk_telemetry_terminating(t))
        return;
    if (!t->subscribed) {
        off(t, "closed without a subscription: no final push");
        return;
    }
    t->state = KFK_TEL_TERM_NEEDED;
    t->due_ms = now_ms;
    t->why = "closing: final push";
}

int kfk_telemetry_wants(const kfk_telemetry *t, const char *name) {
    if (!t->subscribed)
        return 0;
    if (t->all_metrics)
        return 1;
    for (int i = 0; i < t->nprefixes; i++)
        if (strncmp(name, t->prefixes[i], strlen(t->prefixes[i])) == 0)
            return 1;
    return 0;
}
