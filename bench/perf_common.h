/* What the consumer benchmarks share: the Java ConsumerPerformance CSV
 * line, CPU seconds and peak RSS. Header-only. */
#ifndef KFK_BENCH_PERF_COMMON_H
#define KFK_BENCH_PERF_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* Splits a "key=value" argument in place: the value, or NULL when there is
 * no '=' (the argument is then skipped). */
static inline const char *perf_kv(char *arg) {
    char *eq = strchr(arg, '=');
    if (!eq) return NULL;
    *eq = '\0';
    return eq + 1;
}

static inline int64_t perf_wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void perf_print_time(int64_t ms) {
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&s, &tm);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    printf("%s:%03d", buf, (int)(ms % 1000));
}

/* start: before the first poll; first: when the first message came. */
static inline void perf_report(int64_t start, int64_t first, int64_t end, int64_t bytes,
                               int64_t msgs) {
    double mb = bytes / (1024.0 * 1024.0), secs = (end - start) / 1000.0;
    double fetch_secs = (end - first) / 1000.0;
    printf("start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, "
           "nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec\n");
    perf_print_time(start);
    printf(", ");
    perf_print_time(end);
    printf(", %.4f, %.4f, %lld, %.4f, %lld, %lld, %.4f, %.4f\n", mb, mb / secs, (long long)msgs,
           msgs / secs, (long long)(first - start), (long long)(end - first), mb / fetch_secs,
           msgs / fetch_secs);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
                 ru.ru_stime.tv_usec / 1e6;
    printf("cpu.sec, nMsg.per.cpu.sec, peak.rss.MB\n%.3f, %.0f, %.1f\n", cpu, msgs / cpu,
           ru.ru_maxrss / 1024.0);
}

#endif
