/* What the many-partition consumer benchmarks (consumer_scale and its
 * librdkafka twin) share: the phases' clock and the lines they print.
 * Header-only.
 *
 * Both programs join a group on TOPIC-0..TOPIC-(NTOPICS-1) from the end
 * (nothing to read), wait for the whole assignment, stay idle SETTLE_S
 * seconds (offsets resolved, fetch sessions made), then measure IDLE_S
 * seconds of idle polling: RSS and CPU. Then they seek every partition to
 * the beginning and read N records of the backlog: RSS (now and peak) and
 * CPU again. The output lines:
 *   scale.assigned.partitions, assign.ms
 *   scale.idle.rss.MB, idle.cpu.sec.per.min
 *   scale.read.msgs, read.cpu.sec, read.msgs.per.cpu.sec, read.rss.MB, peak.rss.MB */
#ifndef KFK_BENCH_SCALE_COMMON_H
#define KFK_BENCH_SCALE_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static inline double scale_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline double scale_cpu(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

/* A /proc/self/status field in kB (VmRSS, VmHWM) as MiB; -1 if missing. */
static inline double scale_status_mb(const char *field) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    size_t n = strlen(field);
    double mb = -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, field, n) && line[n] == ':') {
            mb = atof(line + n + 1) / 1024.0;
            break;
        }
    fclose(f);
    return mb;
}

static inline void scale_report_assigned(int parts, double ms) {
    printf("scale.assigned.partitions, assign.ms\n%d, %.0f\n", parts, ms);
}

static inline void scale_report_idle(double rss_mb, double cpu, double secs) {
    printf("scale.idle.rss.MB, idle.cpu.sec.per.min\n%.1f, %.3f\n", rss_mb, cpu * 60.0 / secs);
    fflush(stdout);
}

static inline void scale_report_read(long long msgs, double cpu) {
    printf("scale.read.msgs, read.cpu.sec, read.msgs.per.cpu.sec, read.rss.MB, peak.rss.MB\n"
           "%lld, %.3f, %.0f, %.1f, %.1f\n",
           msgs, cpu, cpu > 0 ? msgs / cpu : 0.0, scale_status_mb("VmRSS"),
           scale_status_mb("VmHWM"));
}

/* The arguments before the key=value ones. */
typedef struct scale_args {
    const char *boot, *prefix;
    int ntopics, want;
    double settle_s, idle_s;
    long long n;
} scale_args;
#define SCALE_FIRST_KV 8

/* 0, or 2 after printing the usage. */
static inline int scale_args_read(scale_args *a, int argc, char **argv) {
    if (argc < SCALE_FIRST_KV) {
        fprintf(stderr, "usage: %s BOOTSTRAP TOPIC NTOPICS PARTITIONS SETTLE_S IDLE_S N "
                        "[key=value...]\n", argv[0]);
        return 2;
    }
    *a = (scale_args){.boot = argv[1], .prefix = argv[2], .ntopics = atoi(argv[3]),
                      .want = atoi(argv[4]), .settle_s = atof(argv[5]),
                      .idle_s = atof(argv[6]), .n = atoll(argv[7])};
    return 0;
}

/* What each client does for the phases: one poll (the records it got,
 * dropped), the partitions assigned, every partition to the beginning,
 * reading up to n records (how many came). */
typedef struct scale_ops {
    void *h;
    long long (*poll)(void *h, int timeout_ms);
    int (*assigned)(void *h);
    void (*rewind)(void *h);
    long long (*read)(void *h, long long n);
} scale_ops;

/* A reader gives up after this long without a record: after the rewind,
 * 10,000 partitions' start offsets take a while to look up. */
#define SCALE_QUIET_S 60.0

static inline long long scale_idle(const scale_ops *o, double until) {
    long long got = 0;
    while (scale_now() < until) got += o->poll(o->h, 200);
    return got;
}

/* The phases, once subscribed at t0; 0 when all n records came. */
static inline int scale_run(const scale_args *a, const scale_ops *o, double t0) {
    while (o->assigned(o->h) < a->want) {
        if (scale_now() - t0 > 300) {
            fprintf(stderr, "assignment incomplete: %d of %d\n", o->assigned(o->h), a->want);
            return 1;
        }
        scale_idle(o, scale_now() + 0.2);
    }
    scale_report_assigned(a->want, (scale_now() - t0) * 1000);
    long long stray = scale_idle(o, scale_now() + a->settle_s);
    double cpu0 = scale_cpu(), w0 = scale_now();
    stray += scale_idle(o, w0 + a->idle_s);
    scale_report_idle(scale_status_mb("VmRSS"), scale_cpu() - cpu0, scale_now() - w0);
    if (stray) fprintf(stderr, "note: %lld records came while idle\n", stray);
    o->rewind(o->h);
    double cpu1 = scale_cpu();
    long long msgs = o->read(o->h, a->n);
    scale_report_read(msgs, scale_cpu() - cpu1);
    return msgs >= a->n ? 0 : 1;
}

#endif
