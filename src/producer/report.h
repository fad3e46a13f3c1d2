/* The delivery report queue: completed batches go from the I/O thread to
 * whoever polls, one lock per batch list (never per message); a wakeup fd is
 * readable while the queue holds any. Callbacks run per message at poll. */
#ifndef KFK_REPORT_H
#define KFK_REPORT_H

#include <pthread.h>
#include <stdatomic.h>

#include "net/list.h"
#include "net/wake.h"

typedef struct kfk_reportq {
    pthread_mutex_t lock;
    pthread_cond_t cond; /* reports arrived, or a poller finished */
    kfk_list list;       /* of kfk_pbatch */
    kfk_wake fd;         /* readable while list holds any */
    atomic_int any;      /* list holds any: a poll(0) that finds none takes no lock */
} kfk_reportq;

/* 0, or KFK_ERR_NOMEM when no wakeup fd could be made. */
int kfk_reportq_init(kfk_reportq *q);
void kfk_reportq_free(kfk_reportq *q);

/* Moves every batch of `batches` to the queue. Any thread. */
void kfk_reportq_push(kfk_reportq *q, kfk_list *batches);
/* Takes every queued batch into out, waiting up to timeout_ms (-1: no
 * limit) for some. Returns 1 if it took any. */
int kfk_reportq_take(kfk_reportq *q, kfk_list *out, int timeout_ms);
/* Whether the queue holds any, without its lock (a hint: a push may land
 * right after). */
static inline int kfk_reportq_any(kfk_reportq *q) {
    return atomic_load_explicit(&q->any, memory_order_acquire);
}
/* Wakes threads waiting in take (a poller finished its callbacks). */
void kfk_reportq_kick(kfk_reportq *q);

#endif
