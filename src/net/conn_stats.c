#include "net/conn_stats.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t kfk_clock_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void kfk_win_add(kfk_win *w, int64_t v) {
    if (v < 0) v = 0;
    if (v > INT32_MAX) v = INT32_MAX;
    if (w->cnt == 0 || v < w->min) w->min = v;
    if (w->cnt == 0 || v > w->max) w->max = v;
    w->cnt++;
    w->sum += v;
    w->sumsq += (double)v * (double)v;
    if (w->n < KFK_WIN_SAMPLES) {
        w->s[w->n++] = (int32_t)v;
        return;
    }
    /* Reservoir: keep the new sample with probability SAMPLES/cnt. */
    w->rng = w->rng * 6364136223846793005ULL + 1442695040888963407ULL;
    uint64_t r = (w->rng >> 33) % (uint64_t)w->cnt;
    if (r < KFK_WIN_SAMPLES) w->s[r] = (int32_t)v;
}

static int cmp_i32(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile over the sorted samples; q in 1/10000ths. */
static int64_t pct(const kfk_win *w, int64_t q) {
    int64_t rank = (q * w->n + 9999) / 10000;
    if (rank < 1) rank = 1;
    if (rank > w->n) rank = w->n;
    return w->s[rank - 1];
}

void kfk_win_roll(kfk_win *w, kfk_stats_window *out) {
    memset(out, 0, sizeof *out);
    if (w->cnt > 0) {
        qsort(w->s, (size_t)w->n, sizeof w->s[0], cmp_i32);
        double mean = (double)w->sum / (double)w->cnt;
        double var = w->sumsq / (double)w->cnt - mean * mean;
        /* No libm: Newton's square root on the variance. */
        double sd = var > 0 ? var : 0;
        for (int i = 0; i < 60 && sd > 0; i++) sd = 0.5 * (sd + var / sd);
        *out = (kfk_stats_window){
            .min = w->min, .max = w->max, .avg = (int64_t)(mean + 0.5), .sum = w->sum,
            .stddev = var > 0 ? (int64_t)(sd + 0.5) : 0, .cnt = w->cnt,
            .p50 = pct(w, 5000), .p75 = pct(w, 7500), .p90 = pct(w, 9000), .p95 = pct(w, 9500),
            .p99 = pct(w, 9900), .p99_99 = pct(w, 9999)};
    }
    uint64_t rng = w->rng;
    w->min = w->max = w->sum = w->cnt = 0;
    w->sumsq = 0;
    w->n = 0;
    w->rng = rng;
}
