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

#endif
