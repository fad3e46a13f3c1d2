/* What the end-to-end latency benchmarks share (kfk's and librdkafka's):
 * arguments, the send pacing, the timestamp carried in each value, and the
 * report line bench/run parses. Header-only, so each benchmark is one
 * program. A record's latency is from just before the send call to its
 * receipt by the consumer thread of the same process (one clock). */
#ifndef KFK_BENCH_LATENCY_COMMON_H
#define KFK_BENCH_LATENCY_COMMON_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "histogram.h"

#define LAT_IDLE_NS (10 * 1000000000LL) /* consumer gives up after 10 s without a record */

typedef struct lat_args {
    const char *bootstrap, *topic;
    long rate, secs, size;
    const char *pprops[64], *cprops[64]; /* key, value pairs: -P producer, -C consumer */
    int npp, ncp;
} lat_args;

static inline int lat_prop(const char **props, int *n, char *arg) {
    char *eq = strchr(arg, '=');
    if (!eq || *n >= 62) return -1;
    *eq = '\0';
    props[(*n)++] = arg;
    props[(*n)++] = eq + 1;
    return 0;
}

static inline int lat_parse(lat_args *a, int argc, char **argv) {
    int c, bad = 0;
    a->rate = 20000;
    a->secs = 20;
    a->size = 100;
    while ((c = getopt(argc, argv, "b:t:r:d:s:P:C:")) != -1) {
        switch (c) {
        case 'b': a->bootstrap = optarg; break;
        case 't': a->topic = optarg; break;
        case 'r': a->rate = atol(optarg); break;
        case 'd': a->secs = atol(optarg); break;
        case 's': a->size = atol(optarg); break;
        case 'P': bad |= lat_prop(a->pprops, &a->npp, optarg); break;
        case 'C': bad |= lat_prop(a->cprops, &a->ncp, optarg); break;
        default: bad = 1;
        }
    }
    if (bad || !a->bootstrap || !a->topic || a->rate <= 0 || a->secs <= 0 || a->size < 8) {
        fprintf(stderr, "usage: %s -b BOOTSTRAP -t TOPIC [-r MSGS_PER_SEC] [-d SECONDS] "
                        "[-s SIZE >= 8] [-P producer.key=value]... [-C consumer.key=value]...\n"
                        "TOPIC's partition 0 is produced to and consumed from its end.\n",
                argv[0]);
        return -1;
    }
    return 0;
}

static inline int64_t lat_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void lat_sleep_until(int64_t ns) {
    struct timespec ts = {.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

/* Shared by the producing main thread and the consumer thread. */
typedef struct lat_state {
    cli_histogram *ns; /* latencies in ns, written by the consumer thread only */
    long cap, received;
    atomic_long sent;     /* -1 while the producer still sends */
    atomic_int warmed;    /* the warm-up record came back */
    long errors;          /* delivery errors, main thread */
} lat_state;

static inline int lat_init(lat_state *s, const lat_args *a) {
    s->cap = a->rate * a->secs;
    s->ns = malloc(sizeof *s->ns);
    if (s->ns) cli_histogram_init(s->ns);
    atomic_init(&s->sent, -1);
    atomic_init(&s->warmed, 0);
    return s->ns ? 0 : -1;
}

/* Value layout: the send time (8 bytes, 0 for the warm-up record), filler. */
static inline void lat_stamp(char *value, int64_t ns) { memcpy(value, &ns, sizeof ns); }

/* The consumer thread saw a record whose value is v (len bytes). */
static inline void lat_seen(lat_state *s, const void *v, size_t len, int64_t now) {
    int64_t sent_ns;
    if (len < sizeof sent_ns) return;
    memcpy(&sent_ns, v, sizeof sent_ns);
    if (!sent_ns)
        atomic_store(&s->warmed, 1);
    else if (s->received < s->cap) {
        cli_histogram_add(s->ns, now - sent_ns);
        s->received++;
    }
}

/* Whether the consumer thread should keep polling. */
static inline int lat_more(lat_state *s, int64_t last_ns) {
    long sent = atomic_load(&s->sent);
    if (sent >= 0 && s->received >= sent) return 0;
    return lat_now_ns() - last_ns < LAT_IDLE_NS;
}

/* Waits (main thread) until the consumer got the warm-up record. */
static inline int lat_wait_warm(lat_state *s) {
    int64_t deadline = lat_now_ns() + 30 * 1000000000LL;
    while (!atomic_load(&s->warmed)) {
        if (lat_now_ns() > deadline) return -1;
        usleep(1000);
    }
    return 0;
}

/* How many records should have been sent by now: rate per second, paced
 * in 1 ms ticks (the caller sleeps to the next tick between calls). */
static inline long lat_due(const lat_args *a, int64_t start_ns, int64_t now_ns) {
    long due = (long)((double)(now_ns - start_ns) * (double)a->rate / 1e9);
    return due < a->rate * a->secs ? due : a->rate * a->secs;
}

/* The line bench/run parses; latencies in ms (the histogram's, within
 * 0.4%), from kfk perf produce's histogram: no sort after the run. */
static inline void lat_report(lat_state *s, long sent, int64_t start_ns, int64_t end_ns) {
    long n = s->received;
#define LAT_P(p) ((double)cli_histogram_quantile(s->ns, p) / 1e6)
    printf("latency: sent %ld, received %ld, errors %ld, rate %.1f msg/s, p50 %.3f ms, "
           "p99 %.3f ms, p99.9 %.3f ms, max %.3f ms\n",
           sent, n, s->errors, (double)sent * 1e9 / (double)(end_ns - start_ns), LAT_P(0.5),
           LAT_P(0.99), LAT_P(0.999), LAT_P(1.0));
#undef LAT_P
}

#endif
