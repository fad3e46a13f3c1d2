/* OpenTelemetry metrics (OTLP, opentelemetry/proto/metrics/v1) as the
 * protobuf bytes KIP-714's PushTelemetry carries: one MetricsData with one
 * ResourceMetrics (the client's attributes) and one ScopeMetrics; each
 * metric one data point (with up to KFK_OTLP_ATTRS attributes), a Gauge
 * (double) or a monotonic Sum (int64). A
 * small writer, since only these few messages are needed. */
#ifndef KFK_CLIENT_OTLP_H
#define KFK_CLIENT_OTLP_H

#include <stdint.h>

#include "core/buf.h"

typedef struct kfk_otlp_kv {
    const char *key, *value;
} kfk_otlp_kv;

#define KFK_OTLP_ATTRS 2 /* at most: topic and partition */

typedef struct kfk_otlp_metric {
    const char *name;
    int sum;                  /* 1: monotonic Sum (ivalue); 0: Gauge (dvalue) */
    int64_t ivalue;
    double dvalue;
    kfk_otlp_kv attrs[KFK_OTLP_ATTRS]; /* the data point's attributes */
    int nattrs;
    uint64_t start_ns;        /* a Sum's start (unix ns) */
} kfk_otlp_metric;

/* Protobuf field numbers and wire types used (also by the tests' reader). */
enum {
    KFK_PB_VARINT = 0,
    KFK_PB_I64 = 1,
    KFK_PB_LEN = 2,
    KFK_OTLP_DELTA = 1, /* AggregationTemporality */
    KFK_OTLP_CUMULATIVE = 2
};

/* Appends the MetricsData. delta: the sums' temporality. 0, or the
 * buffer's error. */
int kfk_otlp_encode(kfk_wbuf *w, const kfk_otlp_kv *resource, int nresource, const char *scope,
                    const kfk_otlp_metric *m, int n, int delta, uint64_t now_ns);

#endif
