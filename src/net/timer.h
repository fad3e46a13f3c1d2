/* Timers on a binary min-heap: O(log n) set, cancel and pop. A timer's heap
 * slot is reserved when it is added, so setting one never allocates (and
 * never fails) on the I/O thread's hot paths. Single-threaded. */
#ifndef KFK_TIMER_H
#define KFK_TIMER_H

#include <stdint.h>

typedef struct kfk_timer kfk_timer;
typedef void (*kfk_timer_fn)(kfk_timer *t, int64_t now);

struct kfk_timer {
    kfk_timer_fn fn;
    int64_t when;
    int32_t pos; /* 1 + index in the heap; 0 when not armed */
};

typedef struct kfk_timers {
    kfk_timer **heap;
    int32_t n, reserved, cap;
} kfk_timers;

/* Reserves room for one more timer (0 or KFK_ERR_NOMEM); release() frees
 * the room once the timer is cancelled for good. */
int kfk_timers_add(kfk_timers *h, kfk_timer *t, kfk_timer_fn fn);
void kfk_timers_release(kfk_timers *h, kfk_timer *t);

/* Arms (or re-arms) t to fire at `when`. */
void kfk_timers_set(kfk_timers *h, kfk_timer *t, int64_t when);
void kfk_timers_cancel(kfk_timers *h, kfk_timer *t);
static inline int kfk_timer_armed(const kfk_timer *t) { return t->pos != 0; }

/* The earliest deadline, or INT64_MAX. */
int64_t kfk_timers_next(const kfk_timers *h);
/* Disarms and returns a timer due at `now`, or NULL. */
kfk_timer *kfk_timers_pop(kfk_timers *h, int64_t now);
void kfk_timers_free(kfk_timers *h);

#endif
