#include "producer/report.h"

#include <time.h>

#include "core/portable.h"
#include "kfk.h"

int kfk_reportq_init(kfk_reportq *q) {
    kfk_list_init(&q->list);
    atomic_init(&q->any, 0);
    if (kfk_wake_open(&q->fd) < 0) return KFK_ERR_NOMEM;
    pthread_mutex_init(&q->lock, NULL);
    kfk_cond_init_mono(&q->cond);
    return 0;
}

void kfk_reportq_free(kfk_reportq *q) {
    if (q->fd.rfd < 0) return;
    kfk_wake_close(&q->fd);
    pthread_cond_destroy(&q->cond);
    pthread_mutex_destroy(&q->lock);
}

void kfk_reportq_push(kfk_reportq *q, kfk_list *batches) {
    if (kfk_list_empty(batches)) return;
    pthread_mutex_lock(&q->lock);
    int was_empty = kfk_list_empty(&q->list);
    kfk_list_splice_tail(&q->list, batches);
    atomic_store_explicit(&q->any, 1, memory_order_release);
    if (was_empty) kfk_wake_signal(&q->fd);
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
}

int kfk_reportq_take(kfk_reportq *q, kfk_list *out, int timeout_ms) {
    if (timeout_ms == 0 && !kfk_reportq_any(q)) return 0;
    pthread_mutex_lock(&q->lock);
    if (kfk_list_empty(&q->list) && timeout_ms != 0) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += timeout_ms / 1000;
        ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        if (timeout_ms < 0)
            pthread_cond_wait(&q->cond, &q->lock);
        else
            kfk_cond_wait_until(&q->cond, &q->lock, &ts);
    }
    int got = !kfk_list_empty(&q->list);
    if (got) {
        kfk_list_splice_tail(out, &q->list);
        atomic_store_explicit(&q->any, 0, memory_order_relaxed);
        kfk_wake_clear(&q->fd); /* empty now: not readable */
    }
    pthread_mutex_unlock(&q->lock);
    return got;
}

void kfk_reportq_kick(kfk_reportq *q) {
    pthread_mutex_lock(&q->lock);
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
}
