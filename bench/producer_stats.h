/* What the producer benchmarks share: argument parsing, latencies and the
 * Java ProducerPerformance summary line, plus CPU seconds and peak RSS.
 * Header-only, so each benchmark is one program. */
#ifndef KFK_BENCH_PRODUCER_STATS_H
#define KFK_BENCH_PRODUCER_STATS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "histogram.h"

typedef struct perf_args {
    const char *bootstrap, *topic; /* topic: a comma-separated list */
    long n, size;
    long keys, threads; /* -k: each record one of N keys; -T: sending threads (0: main) */
    const char *props[64]; /* key, value pairs from -X key=value */
    int nprops;
} perf_args;

static inline int perf_parse(perf_args *a, int argc, char **argv) {
    int c;
    a->n = 1000000;
    a->size = 100;
    while ((c = getopt(argc, argv, "b:t:n:s:k:T:X:")) != -1) {
        switch (c) {
        case 'b': a->bootstrap = optarg; break;
        case 't': a->topic = optarg; break;
        case 'n': a->n = atol(optarg); break;
        case 's': a->size = atol(optarg); break;
        case 'k': a->keys = atol(optarg); break;
        case 'T': a->threads = atol(optarg); break;
        case 'X': {
            char *eq = strchr(optarg, '=');
            if (!eq || a->nprops >= 62) return -1;
            *eq = '\0';
            a->props[a->nprops++] = optarg;
            a->props[a->nprops++] = eq + 1;
            break;
        }
        default: return -1;
        }
    }
    if (!a->bootstrap || !a->topic || a->n <= 0 || a->size <= 0 || a->keys < 0 ||
        a->keys > 0xffffffffL || a->threads < 0 || a->threads > 1024) {
        fprintf(stderr, "usage: %s -b BOOTSTRAP -t TOPIC[,TOPIC...] [-n RECORDS] [-s RECORD_SIZE] "
                        "[-k KEYS] [-T THREADS] [-X key=value]...\n", argv[0]);
        return -1;
    }
    return 0;
}

static inline int64_t perf_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The key of record i when there are keys (kfk perf produce --keys
 * picks the same): one of keys, spread by a mix of i, as 8 hex digits. */
static inline void perf_key(long i, long keys, char out[8]) {
    uint64_t z = (uint64_t)i + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    uint64_t k = (z ^ (z >> 31)) % (uint64_t)keys;
    for (int d = 7; d >= 0; d--, k >>= 4) out[d] = "0123456789abcdef"[k & 15];
}

/* Latencies in microseconds, one per delivered record, in kfk perf
 * produce's fixed-size histogram (cli/histogram.c): the statistics cost
 * both clients alike, a few instructions per record and no sort. */
typedef struct perf_lat {
    cli_histogram *h;
    long errors;
} perf_lat;

static inline int perf_lat_init(perf_lat *l) {
    l->h = malloc(sizeof *l->h);
    if (l->h) cli_histogram_init(l->h);
    return l->h ? 0 : -1;
}

static inline void perf_lat_add(perf_lat *l, int64_t sent_us) {
    cli_histogram_add(l->h, perf_us() - sent_us);
}

static inline void perf_summary(perf_lat *l, long records, long size, int64_t start_us,
                                int64_t end_us) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double secs = (end_us - start_us) / 1e6;
    const cli_histogram *h = l->h;
#define PCT(p) ((int)(cli_histogram_quantile(h, p) / 1000))
    printf("%ld records sent, %.1f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms max "
           "latency, %d ms 50th, %d ms 95th, %d ms 99th, %d ms 99.9th.\n",
           records, records / secs, records * (double)size / secs / (1024 * 1024),
           h->count ? h->sum / (double)h->count / 1000 : 0, h->max / 1000.0, PCT(0.5),
           PCT(0.95), PCT(0.99), PCT(0.999));
#undef PCT
    double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
                 ru.ru_stime.tv_usec / 1e6;
    printf("cpu.sec, records.per.cpu.sec, peak.rss.MB, errors\n%.3f, %.0f, %.1f, %ld\n", cpu,
           records / cpu, ru.ru_maxrss / 1024.0, l->errors);
}

#endif
