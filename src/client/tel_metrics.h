/* KIP-714's standard client metrics taken from a statistics snapshot
 * (kfk_stats), named as the Java client names them (org.apache.kafka.
 * producer.* and consumer.*), kept to what the subscription asks for,
 * encoded as OTLP and compressed as the broker accepts. No I/O. */
#ifndef KFK_CLIENT_TEL_METRICS_H
#define KFK_CLIENT_TEL_METRICS_H

#include <stdint.h>

#include "client/otlp.h"
#include "client/telemetry.h"
#include "kfk.h"

typedef struct kfk_tel_last {
    char *key; /* name, then '\0' and the attribute value */
    int64_t value;
} kfk_tel_last;

typedef struct kfk_tel_metrics {
    int consumer; /* 1: consumer names, 0: producer names */
    const kfk_otlp_kv *resource; /* the caller's; KIP-714's resource names */
    int nresource;
    uint64_t start_ns, last_push_ns; /* unix ns */
    kfk_tel_last *last; /* each sum's largest value pushed */
    int nlast;
} kfk_tel_metrics;

void kfk_tel_metrics_init(kfk_tel_metrics *tm, int consumer, const kfk_otlp_kv *resource,
                          int nresource, uint64_t start_ns);
void kfk_tel_metrics_free(kfk_tel_metrics *tm);

/* Fills out (the metrics t's subscription asks for, from s) and *codec
 * with the compression used (t->codec, or none when it fails). 0,
 * KFK_ERR_NOMEM, or KFK_ERR_TELEMETRY_TOO_LARGE past the broker's limit. */
int kfk_tel_payload(kfk_tel_metrics *tm, const kfk_telemetry *t, const kfk_stats *s,
                    uint64_t now_ns, kfk_wbuf *out, int8_t *codec);

#endif
