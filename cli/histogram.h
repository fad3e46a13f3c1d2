/* A fixed-size latency histogram for `kfk perf produce`: log-linear
 * buckets (exact below 256, then 128 per power of two, so a reported
 * value is within 0.4% of a recorded one), in the manner of HdrHistogram.
 * Adding is a few instructions and no allocation, so the tool's own
 * statistics stay out of its profile, and percentiles need no sort. */
#ifndef KFK_CLI_HISTOGRAM_H
#define KFK_CLI_HISTOGRAM_H

#include <stdint.h>

#define CLI_HIST_SUB_BITS 8
#define CLI_HIST_SUB (1 << CLI_HIST_SUB_BITS) /* exact values, then a power's buckets x2 */
#define CLI_HIST_HALF (CLI_HIST_SUB / 2)
/* 63-bit values: 56 powers of two above the exact range */
#define CLI_HIST_BUCKETS (CLI_HIST_SUB + (63 - CLI_HIST_SUB_BITS) * CLI_HIST_HALF)

typedef struct cli_histogram {
    int64_t count, min, max;
    double sum;
    int64_t buckets[CLI_HIST_BUCKETS];
} cli_histogram;

void cli_histogram_init(cli_histogram *h);
/* The value at quantile q in [0, 1] as ProducerPerformance picks it from
 * its sorted samples (index floor(q * count)): the middle of its bucket,
 * kept within [min, max]; 0 when empty. */
int64_t cli_histogram_quantile(const cli_histogram *h, double q);
/* Bucket of v; inline with cli_histogram_add, which runs per record. */
static inline int cli_histogram_bucket(int64_t v) {
    if (v < CLI_HIST_SUB) return v < 0 ? 0 : (int)v;
    int shift = (63 ^ __builtin_clzll((uint64_t)v)) - (CLI_HIST_SUB_BITS - 1);
    return CLI_HIST_SUB + (shift - 1) * CLI_HIST_HALF + (int)((v >> shift) - CLI_HIST_HALF);
}
/* The lowest value and width of bucket i (for tests). */
int64_t cli_histogram_low(int i);
int64_t cli_histogram_width(int i);

/* Records v (negative values count as 0). One thread at a time. */
static inline void cli_histogram_add(cli_histogram *h, int64_t v) {
    if (v < 0) v = 0;
    if (!h->count || v < h->min) h->min = v;
    if (v > h->max) h->max = v;
    h->count++;
    h->sum += (double)v;
    h->buckets[cli_histogram_bucket(v)]++;
}

#endif
