#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void cli_progress_init(cli_progress *p, int quiet, int64_t total) {
    *p = (cli_progress){.on = !quiet && isatty(STDERR_FILENO), .total = total};
    p->start_ms = now_ms();
    p->next_ms = p->start_ms + 500;
}

void cli_progress_update(cli_progress *p, int64_t msgs, int64_t bytes) {
    if (!p->on) return;
    int64_t now = now_ms();
    if (now < p->next_ms) return;
    p->next_ms = now + 200;
    double secs = (double)(now - p->start_ms) / 1000.0, mb = (double)bytes / (1024.0 * 1024.0);
    double rate = secs > 0 ? (double)msgs / secs : 0;
    fprintf(stderr, "\r\033[K%lld msgs  %.1f MB  %.0f msg/s  %.1f MB/s", (long long)msgs, mb,
            rate, secs > 0 ? mb / secs : 0);
    if (p->total > 0 && msgs <= p->total) {
        fprintf(stderr, "  %3d%%", (int)(100 * msgs / p->total));
        if (rate > 0) fprintf(stderr, "  ETA %.0fs", (double)(p->total - msgs) / rate);
    }
    fflush(stderr);
    p->drawn = 1;
}

void cli_progress_done(cli_progress *p) {
    if (p->drawn) fputs("\r\033[K", stderr);
    p->drawn = 0;
}
