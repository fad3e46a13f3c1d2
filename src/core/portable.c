#include "core/portable.h"

#include <string.h>

#ifdef KFK_HAVE_CONDATTR_SETCLOCK

int kfk_cond_init_mono(pthread_cond_t *c) {
    pthread_condattr_t ca;
    int rc = pthread_condattr_init(&ca);
    if (rc) return rc;
    rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (!rc) rc = pthread_cond_init(c, &ca);
    pthread_condattr_destroy(&ca);
    return rc;
}

int kfk_cond_wait_until(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *deadline) {
    return pthread_cond_timedwait(c, m, deadline);
}

#else

int kfk_cond_init_mono(pthread_cond_t *c) { return pthread_cond_init(c, NULL); }

/* The time left, measured now on the monotonic clock, added to the wall
 * clock: a wall-clock step during the wait moves its end, which callers
 * tolerate as they loop on their own condition and deadline. */
int kfk_cond_wait_until(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *deadline) {
    struct timespec mono, wall;
    clock_gettime(CLOCK_MONOTONIC, &mono);
    clock_gettime(CLOCK_REALTIME, &wall);
    long long left_ns = (long long)(deadline->tv_sec - mono.tv_sec) * 1000000000LL +
                        (deadline->tv_nsec - mono.tv_nsec);
    if (left_ns < 0) left_ns = 0;
    long long ns = wall.tv_nsec + left_ns % 1000000000LL;
    struct timespec until = {.tv_sec = wall.tv_sec + (time_t)(left_ns / 1000000000LL) +
                                       (time_t)(ns / 1000000000LL),
                             .tv_nsec = (long)(ns % 1000000000LL)};
    return pthread_cond_timedwait(c, m, &until);
}

#endif

#ifdef KFK_HAVE_EXPLICIT_BZERO

void kfk_wipe(void *p, size_t n) { explicit_bzero(p, n); }

#else

/* Called through a volatile pointer, memset cannot be proven dead. */
static void *(*volatile const wipe_memset)(void *, int, size_t) = memset;

void kfk_wipe(void *p, size_t n) { wipe_memset(p, 0, n); }

#endif
