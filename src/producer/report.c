#include "producer/report.h"

#include <stdint.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "kfk.h"

int kfk_reportq_init(kfk_reportq *q) {
    kfk_list_init(&q->list);
    q->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (q->fd < 0) return KFK_ERR_NOMEM;
    pthread_mutex_init(&q->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&q->cond, &ca);
    pthread_condattr_destroy(&ca);
    return 0;
}

void kfk_reportq_free(kfk_reportq *q) {
    if (q->fd < 0) return;
    close(q->fd);
    q->fd = -1;
    pthread_cond_destroy(&q->cond);
    pthread_mutex_destroy(&q->lock);
}

void kfk_reportq_push(kfk_reportq *q, kfk_list *batches) {
    if (kfk_list_empty(batches)) return;
    pthread_mutex_lock(&q->lock);
    int was_empty = kfk_list_empty(&q->list);
    kfk_list_splice_tail(&q->list, batches);
    if (was_empty) {
        uint64_t one = 1;
        /* Only fails when the counter would overflow: it is readable then. */
        ssize_t n = write(q->fd, &one, sizeof one);
        (void)n;
    }
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
}

int kfk_reportq_take(kfk_reportq *q, kfk_list *out, int timeout_ms) {
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
            pthread_cond_timedwait(&q->cond, &q->lock, &ts);
    }
    int got = !kfk_list_empty(&q->list);
    if (got) {
        kfk_list_splice_tail(out, &q->list);
        uint64_t v;
        ssize_t n = read(q->fd, &v, sizeof v); /* empty now: not readable */
        (void)n;
    }
    pthread_mutex_unlock(&q->lock);
    return got;
}

void kfk_reportq_kick(kfk_reportq *q) {
    pthread_mutex_lock(&q->lock);
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
}
