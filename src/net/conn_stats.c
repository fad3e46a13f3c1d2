#include "net/conn_stats.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t kfk_clock_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void acc_add(kfk_win_acc *a, int64_t v) {
    if (a->cnt == 0 || v < a->min) a->min = v;
    if (a->cnt == 0 || v > a->max) a->max = v;
    a->cnt++;
    a->sum += v;
    a->sumsq += (double)v * (double)v;
}

void kfk_win_add(kfk_win *w, int64_t v) {
    if (v < 0) v = 0;
    if (v > INT32_MAX) v = INT32_MAX;
    acc_add(&w->acc[KFK_WIN_OTHER], v);
    acc_add(&w->acc[KFK_WIN_STATS], v);
    if (w->n < KFK_WIN_SAMPLES) {
        w->s[w->n++] = (int32_t)v;
        return;
    }
    /* Reservoir: keep the new sample with probability SAMPLES/cnt. */
    w->rng = w->rng * 6364136223846793005ULL + 1442695040888963407ULL;
    uint64_t r = (w->rng >> 33) % (uint64_t)w->acc[KFK_WIN_STATS].cnt;
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

/* The accumulated figures into out (all 0 without a sample), then starts over. */
static void acc_roll(kfk_win_acc *a, kfk_stats_window *out) {
    memset(out, 0, sizeof *out);
    if (a->cnt > 0) {
        double mean = (double)a->sum / (double)a->cnt;
        double var = a->sumsq / (double)a->cnt - mean * mean;
        /* No libm: Newton's square root on the variance. */
        double sd = var > 0 ? var : 0;
        for (int i = 0; i < 60 && sd > 0; i++) sd = 0.5 * (sd + var / sd);
        *out = (kfk_stats_window){.min = a->min, .max = a->max, .avg = (int64_t)(mean + 0.5),
                                  .sum = a->sum, .stddev = var > 0 ? (int64_t)(sd + 0.5) : 0,
                                  .cnt = a->cnt};
    }
    memset(a, 0, sizeof *a);
}

void kfk_win_roll(kfk_win *w, int reader, kfk_stats_window *out) {
    acc_roll(&w->acc[reader], out);
    if (out->cnt > 0 && reader == KFK_WIN_STATS) {
        qsort(w->s, (size_t)w->n, sizeof w->s[0], cmp_i32);
        out->p50 = pct(w, 5000);
        out->p75 = pct(w, 7500);
        out->p90 = pct(w, 9000);
        out->p95 = pct(w, 9500);
        out->p99 = pct(w, 9900);
        out->p99_99 = pct(w, 9999);
    }
    if (reader == KFK_WIN_STATS) w->n = 0;
}

void kfk_win_lite_add(kfk_win_lite *w, int64_t v) {
    for (int r = 0; r < KFK_WIN_READERS; r++) acc_add(&w->acc[r], v);
}

void kfk_win_lite_roll(kfk_win_lite *w, int reader, kfk_stats_window *out) {
    acc_roll(&w->acc[reader], out);
}
