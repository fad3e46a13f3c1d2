#include "histogram.h"

#include <string.h>

void cli_histogram_init(cli_histogram *h) {
    memset(h, 0, sizeof *h);
}

int64_t cli_histogram_low(int i) {
    if (i < CLI_HIST_SUB) return i;
    int shift = (i - CLI_HIST_SUB) / CLI_HIST_HALF + 1;
    return (int64_t)((i - CLI_HIST_SUB) % CLI_HIST_HALF + CLI_HIST_HALF) << shift;
}

int64_t cli_histogram_width(int i) {
    return i < CLI_HIST_SUB ? 1 : (int64_t)1 << ((i - CLI_HIST_SUB) / CLI_HIST_HALF + 1);
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
