/* Shims for calls some POSIX systems lack (CMake's check_symbol_exists
 * says which are there; the -DKFK_IO=poll build takes every fallback, so
 * that Linux CI runs them). Everything else Linux-only is in the I/O
 * backend (src/net/poller*.c, wake.c, sock.c).
 *
 * Condition variables whose timed waits take CLOCK_MONOTONIC deadlines
 * (kfk_deadline_ts), so that setting the wall clock neither cuts a wait
 * short nor stretches it. Without pthread_condattr_setclock (macOS) the
 * condition variable keeps the default clock and each wait turns its
 * deadline into CLOCK_REALTIME. */
#ifndef KFK_CORE_PORTABLE_H
#define KFK_CORE_PORTABLE_H

#include <pthread.h>
#include <stddef.h>
#include <time.h>

/* pthread_cond_init for kfk_cond_wait_until's waits. 0 or an errno. */
int kfk_cond_init_mono(pthread_cond_t *c);
/* pthread_cond_timedwait until the monotonic deadline: 0, or ETIMEDOUT. */
int kfk_cond_wait_until(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *deadline);

/* Zeroes n bytes of secret at p in a way the compiler may not drop as a
 * dead store (explicit_bzero where there is one; macOS has none). */
void kfk_wipe(void *p, size_t n);

#endif
