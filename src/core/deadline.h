/* Absolute CLOCK_MONOTONIC deadlines for kfk_cond_wait_until (core/cond.h;
 * the condition variables waited on are made by kfk_cond_init_mono). */
#ifndef KFK_DEADLINE_H
#define KFK_DEADLINE_H

#include <time.h>

static inline struct timespec kfk_deadline_ts(int timeout_ms) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

#endif
