#include "histogram.h"

#include <string.h>

void cli_histogram_init(cli_histogram *h) {
    memset(h, 0, sizeof *h);
}

static int top_bit(uint64_t v) {
    return 63 - __builtin_clzll(v);
}

int cli_histogram_bucket(int64_t v) {
    if (v < CLI_HIST_SUB) return v < 0 ? 0 : (int)v;
    int shift = top_bit((uint64_t)v) - (CLI_HIST_SUB_BITS - 1);
    return CLI_HIST_SUB + (shift - 1) * CLI_HIST_HALF + (int)((v >> shift) - CLI_HIST_HALF);
}

int64_t cli_histogram_low(int i) {
    if (i < CLI_HIST_SUB) return i;
    int shift = (i - CLI_HIST_SUB) / CLI_HIST_HALF + 1;
    return (int64_t)((i - CLI_HIST_SUB) % CLI_HIST_HALF + CLI_HIST_HALF) << shift;
}

int64_t cli_histogram_width(int i) {
    return i < CLI_HIST_SUB ? 1 : (int64_t)1 << ((i - CLI_HIST_SUB) / CLI_HIST_HALF + 1);
}

void cli_histogram_add(cli_histogram *h, int64_t v) {
    if (v < 0) v = 0;
    if (!h->count || v < h->min) h->min = v;
    if (v > h->max) h->max = v;
    h->count++;
    h->sum += (double)v;
    h->buckets[cli_histogram_bucket(v)]++;
}

int64_t cli_histogram_quantile(const cli_histogram *h, double q) {
    if (!h->count) return 0;
    int64_t rank = (int64_t)(q * (double)h->count) + 1, seen = 0;
    if (rank > h->count) rank = h->count;
    int i = 0;
    while ((seen += h->buckets[i]) < rank) i++;
    int64_t v = cli_histogram_low(i) + cli_histogram_width(i) / 2;
    if (v > h->max) v = h->max;
    return v < h->min ? h->min : v;
}
