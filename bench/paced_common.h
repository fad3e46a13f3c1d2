/* What the paced keyless producers share (kfk's slow_broker and its
 * librdkafka twin): arguments, the send schedule, a fixed-size latency
 * histogram and the line bench/run parses. A record's latency runs from
 * the time the schedule gave it (not the time the send returned, so a
 * blocked send counts) to its delivery report. Header-only. */
#ifndef KFK_BENCH_PACED_COMMON_H
#define KFK_BENCH_PACED_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "producer_stats.h" /* perf_us */

#define PACED_BUCKET_US 100                 /* histogram resolution */
#define PACED_BUCKETS (120 * 1000000 / 100) /* up to 120 s */

typedef struct paced_args {
    const char *bootstrap, *topic;
    long rate, secs, size;
    const char *props[64]; /* key, value pairs from -X key=value */
    int nprops;
} paced_args;

static inline int paced_parse(paced_args *a, int argc, char **argv) {
    int c, bad = 0;
    a->rate = 5000;
    a->secs = 20;
    a->size = 100;
    while ((c = getopt(argc, argv, "b:t:r:d:s:X:")) != -1) {
        char *eq;
        switch (c) {
        case 'b': a->bootstrap = optarg; break;
        case 't': a->topic = optarg; break;
        case 'r': a->rate = atol(optarg); break;
        case 'd': a->secs = atol(optarg); break;
        case 's': a->size = atol(optarg); break;
        case 'X':
            if (!(eq = strchr(optarg, '=')) || a->nprops >= 62) {
                bad = 1;
                break;
            }
            *eq = '\0';
            a->props[a->nprops++] = optarg;
            a->props[a->nprops++] = eq + 1;
            break;
        default: bad = 1;
        }
    }
    if (bad || !a->bootstrap || !a->topic || a->rate <= 0 || a->secs <= 0 || a->size <= 0) {
        fprintf(stderr, "usage: %s -b BOOTSTRAP -t TOPIC [-r MSGS_PER_SEC] [-d SECONDS] "
                        "[-s SIZE] [-X key=value]...\nKeyless records at a steady rate.\n",
                argv[0]);
        return -1;
    }
    return 0;
}

/* When record i is due, from start (µs); sleeps until then. */
static inline int64_t paced_wait(const paced_args *a, int64_t start, long i) {
    int64_t due = start + (int64_t)((double)i * 1e6 / (double)a->rate);
    int64_t now = perf_us();
    if (due > now) usleep((useconds_t)(due - now));
    return due;
}

typedef struct paced_hist {
    uint32_t *n; /* PACED_BUCKETS counts */
    long delivered, failed;
    int64_t max_us;
} paced_hist;

/* A delivery report for a record due at due_us. */
static inline void paced_report(paced_hist *h, int64_t due_us, int err) {
    if (err) {
        h->failed++;
        return;
    }
    int64_t us = perf_us() - due_us;
    if (us > h->max_us) h->max_us = us;
    int64_t b = us / PACED_BUCKET_US;
    h->n[b < PACED_BUCKETS ? b : PACED_BUCKETS - 1]++;
    h->delivered++;
}

/* Forgets what was reported (the warm-up record). */
static inline void paced_reset(paced_hist *h) {
    memset(h->n, 0, PACED_BUCKETS * sizeof *h->n);
    h->delivered = h->failed = 0;
    h->max_us = 0;
}

static inline double paced_pct(const paced_hist *h, double p) {
    long want = (long)((double)(h->delivered - 1) * p), seen = 0;
    for (long b = 0; b < PACED_BUCKETS; b++)
        if ((seen += h->n[b]) > want) return (double)(b + 1) * PACED_BUCKET_US / 1000.0;
    return (double)h->max_us / 1000.0;
}

static inline void paced_summary(const paced_hist *h, long sent, int64_t start, int64_t end) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
                 ru.ru_stime.tv_usec / 1e6;
    long late = 0; /* delivered after more than a second */
    for (long b = 1000000 / PACED_BUCKET_US; b < PACED_BUCKETS; b++) late += h->n[b];
    printf("paced: %ld sent, %ld delivered, %ld failed, %.1f msgs/s, p50 %.3f ms, p99 %.3f ms, "
           "p99.9 %.3f ms, max %.3f ms, over 1 s %ld, cpu %.3f s\n",
           sent, h->delivered, h->failed, sent / ((end - start) / 1e6), paced_pct(h, 0.5),
           paced_pct(h, 0.99), paced_pct(h, 0.999), h->max_us / 1000.0, late, cpu);
}

#endif
