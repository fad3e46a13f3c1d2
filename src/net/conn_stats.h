/* A broker connection's statistics: counters and windows of samples
 * (round-trip and throttle times). I/O thread only, so plain fields: the
 * snapshot is taken there too. Cost: a few additions per request. */
#ifndef KFK_CONN_STATS_H
#define KFK_CONN_STATS_H

#include <stdint.h>

#include "kfk.h"

/* Samples kept per interval for the percentiles; beyond, a uniform
 * reservoir sample of them (min, max, sum and count stay exact). */
#define KFK_WIN_SAMPLES 1024

/* Who reads a window. Each has its own accumulator, started over at its
 * own reads, so each sees every sample since its last read: statistics
 * (statistics.interval.ms) and any other snapshot (telemetry pushes). Only
 * the statistics reader keeps samples for percentiles. */
enum { KFK_WIN_OTHER = 0, KFK_WIN_STATS = 1, KFK_WIN_READERS = 2 };

typedef struct kfk_win_acc {
    int64_t min, max, sum, cnt;
    double sumsq;
} kfk_win_acc;

typedef struct kfk_win {
    kfk_win_acc acc[KFK_WIN_READERS];
    uint64_t rng;
    int32_t n; /* samples of the KFK_WIN_STATS reader's interval */
    int32_t s[KFK_WIN_SAMPLES];
} kfk_win;

void kfk_win_add(kfk_win *w, int64_t v);
/* The figures since reader's last read into out (percentiles 0 for
 * KFK_WIN_OTHER), then starts reader's next window; the other reader's is
 * untouched. */
void kfk_win_roll(kfk_win *w, int reader, kfk_stats_window *out);

/* A window without percentiles (min, max, avg, sum, stddev, cnt), small
 * enough to keep one per partition; two readers as kfk_win. */
typedef struct kfk_win_lite {
    kfk_win_acc acc[KFK_WIN_READERS];
} kfk_win_lite;

void kfk_win_lite_add(kfk_win_lite *w, int64_t v);
void kfk_win_lite_roll(kfk_win_lite *w, int reader, kfk_stats_window *out);

typedef struct kfk_conn_stats {
    int64_t tx, txbytes, txerrs, req_timeouts, rx, rxbytes, rxerrs, rxcorriderrs;
    int64_t req[100]; /* per API key, as kfk_stats_broker.req */
    kfk_win rtt;      /* us */
    kfk_win outbuf_latency; /* us from submitted to fully written */
    kfk_win throttle; /* ms */
    int64_t last_tx_us, last_rx_us; /* this connection's last socket write and
                                       read (kfk_clock_us); 0: none yet */
} kfk_conn_stats;

/* Monotonic microseconds. */
int64_t kfk_clock_us(void);

#endif
