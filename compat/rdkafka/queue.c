/* Event queues: a locked FIFO of ops per queue, refcounted, optionally
 * forwarded to another queue, waking pollers, an application fd or an
 * application callback when ops arrive. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/portable.h"
#include "rdk_int.h"

rd_kafka_queue_t *rdk_queue_new(rd_kafka_t *rk, int kind) {
    rd_kafka_queue_t *q = calloc(1, sizeof(*q));
    if (!q) return NULL;
    kfk_cond_init_mono(&q->cond);
    pthread_mutex_init(&q->lock, NULL);
    q->rk = rk;
    q->refs = 1;
    q->io_fd = -1;
    q->kind = kind;
    return q;
}

/* Locks the queue ops really go to: q, or the end of its forward chain.
 * Each hop's lock is held while taking the next one, and a source holds a
 * reference on its destination, so no queue on the way can go away. */
static rd_kafka_queue_t *lock_target(rd_kafka_queue_t *q) {
    pthread_mutex_lock(&q->lock);
    while (q->fwd) {
        rd_kafka_queue_t *d = q->fwd;
        pthread_mutex_lock(&d->lock);
        pthread_mutex_unlock(&q->lock);
        q = d;
    }
    return q;
}

/* Writes the io event payload to the application's fd. Never blocks (the
 * pusher may be kfk's I/O thread): a full fd already wakes its reader. */
static void io_wake(rd_kafka_queue_t *q) {
    q->io_sent = 1;
    struct pollfd pfd = {.fd = q->io_fd, .events = POLLOUT};
    if (poll(&pfd, 1, 0) != 1 || !(pfd.revents & POLLOUT)) return;
    ssize_t w = write(q->io_fd, q->io_payload, q->io_size);
    (void)w;
}

/* Appends a chain of n ops to the locked q and wakes whoever waits. The
 * fd is written once until a reader next serves the queue, as librdkafka
 * does, so a pipe never fills. */
static void append_locked(rd_kafka_queue_t *q, struct rd_kafka_op_s *head,
                          struct rd_kafka_op_s *tail, size_t n) {
    if (q->tail)
        q->tail->next = head;
    else
        q->head = head;
    q->tail = tail;
    q->len += n;
    pthread_cond_broadcast(&q->cond);
    if (q->io_fd >= 0 && !q->io_sent) io_wake(q);
}

void rdk_queue_push(rd_kafka_queue_t *q, struct rd_kafka_op_s *op) {
    op->next = NULL;
    rdk_queue_push_chain(q, op, op, 1);
}

void rdk_queue_push_chain(rd_kafka_queue_t *q, struct rd_kafka_op_s *head,
                          struct rd_kafka_op_s *tail, size_t n) {
    q = lock_target(q);
    append_locked(q, head, tail, n);
    void (*cb)(rd_kafka_t *, void *) = q->event_cb;
    void *cb_opaque = q->event_opaque;
    rd_kafka_t *rk = q->rk;
    pthread_mutex_unlock(&q->lock);
    if (cb) cb(rk, cb_opaque);
}

static void deadline_after(struct timespec *ts, int timeout_ms) {
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += timeout_ms / 1000;
    ts->tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* Milliseconds left until deadline, 0 when past. */
static int ms_until(const struct timespec *deadline) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
                   (deadline->tv_nsec - now.tv_nsec) / 1000000;
    return ms > 0 ? (int)ms : 0;
}

struct rd_kafka_op_s *rdk_queue_pop(rd_kafka_queue_t *q, int timeout_ms) {
    struct timespec deadline;
    if (timeout_ms > 0) deadline_after(&deadline, timeout_ms);
    q = lock_target(q);
    for (;;) {
        if (q->head) {
            struct rd_kafka_op_s *op = q->head;
            q->head = op->next;
            if (!q->head) q->tail = NULL;
            q->len--;
            op->next = NULL;
            q->io_sent = 0;
            /* the consumer's pump waits for the queue to drain */
            if (!q->head) pthread_cond_broadcast(&q->cond);
            pthread_mutex_unlock(&q->lock);
            return op;
        }
        if (q->yielded || timeout_ms == 0) break;
        int rc = timeout_ms < 0 ? pthread_cond_wait(&q->cond, &q->lock)
                                : kfk_cond_wait_until(&q->cond, &q->lock, &deadline);
        if (rc == ETIMEDOUT) break;
        /* Forwarded while waiting: the ops go elsewhere now. */
        if (q->fwd) {
            pthread_mutex_unlock(&q->lock);
            return rdk_queue_pop(q, timeout_ms < 0 ? -1 : ms_until(&deadline));
        }
    }
    q->yielded = 0;
    q->io_sent = 0;
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

int rdk_queue_wait_drained(rd_kafka_queue_t *q, int timeout_ms) {
    struct timespec deadline;
    deadline_after(&deadline, timeout_ms);
    q = lock_target(q);
    while (q->head && kfk_cond_wait_until(&q->cond, &q->lock, &deadline) != ETIMEDOUT) {
    }
    int empty = q->head == NULL;
    pthread_mutex_unlock(&q->lock);
    return empty;
}

rd_kafka_queue_t *rdk_queue_ref(rd_kafka_queue_t *q) {
    pthread_mutex_lock(&q->lock);
    q->refs++;
    pthread_mutex_unlock(&q->lock);
    return q;
}

void rd_kafka_queue_destroy(rd_kafka_queue_t *rkqu) {
    if (!rkqu) return;
    pthread_mutex_lock(&rkqu->lock);
    int last = --rkqu->refs == 0;
    pthread_mutex_unlock(&rkqu->lock);
    if (!last) return;
    if (rkqu->fwd) rd_kafka_queue_destroy(rkqu->fwd);
    struct rd_kafka_op_s *op = rkqu->head;
    while (op) {
        struct rd_kafka_op_s *next = op->next;
        rdk_op_destroy(op);
        op = next;
    }
    free(rkqu->io_payload);
    pthread_cond_destroy(&rkqu->cond);
    pthread_mutex_destroy(&rkqu->lock);
    free(rkqu);
}

rd_kafka_queue_t *rd_kafka_queue_new(rd_kafka_t *rk) {
    return rdk_queue_new(rk, RDK_Q_CUSTOM);
}

/* Moves src's waiting ops to dst and routes src's future ops there; dst
 * NULL undoes the forward. */
void rd_kafka_queue_forward(rd_kafka_queue_t *src, rd_kafka_queue_t *dst) {
    if (!src) return; /* e.g. rd_kafka_queue_get_partition's NULL */
    if (dst) rdk_queue_ref(dst);
    pthread_mutex_lock(&src->lock);
    rd_kafka_queue_t *old = src->fwd;
    src->fwd = dst;
    struct rd_kafka_op_s *head = src->head, *tail = src->tail;
    size_t n = src->len;
    if (dst) {
        src->head = src->tail = NULL;
        src->len = 0;
    }
    /* Pollers of src now wait on dst. */
    pthread_cond_broadcast(&src->cond);
    pthread_mutex_unlock(&src->lock);
    if (dst && head) {
        rd_kafka_queue_t *t = lock_target(dst);
        append_locked(t, head, tail, n);
        void (*cb)(rd_kafka_t *, void *) = t->event_cb;
        void *cb_opaque = t->event_opaque;
        rd_kafka_t *rk = t->rk;
        pthread_mutex_unlock(&t->lock);
        if (cb) cb(rk, cb_opaque);
    }
    if (old) rd_kafka_queue_destroy(old);
}

size_t rd_kafka_queue_length(rd_kafka_queue_t *rkqu) {
    rd_kafka_queue_t *q = lock_target(rkqu);
    size_t n = q->len;
    pthread_mutex_unlock(&q->lock);
    return n;
}

/* The queue ops go to is now watched by fd or callback: its on_watch. */
static void watched(rd_kafka_queue_t *q) {
    rd_kafka_queue_t *t = rdk_queue_target(q);
    if (t->on_watch) t->on_watch(t->rk);
}

void rd_kafka_queue_io_event_enable(rd_kafka_queue_t *rkqu, int fd, const void *payload,
                                    size_t size) {
    void *copy = NULL;
    if (fd != -1 && size > 0) {
        copy = malloc(size);
        if (!copy) return;
        memcpy(copy, payload, size);
    }
    pthread_mutex_lock(&rkqu->lock);
    free(rkqu->io_payload);
    rkqu->io_payload = copy;
    rkqu->io_size = fd != -1 ? size : 0;
    rkqu->io_fd = fd;
    rkqu->io_sent = 0;
    pthread_mutex_unlock(&rkqu->lock);
    if (fd != -1) watched(rkqu);
}

void rd_kafka_queue_cb_event_enable(rd_kafka_queue_t *rkqu,
                                    void (*event_cb)(rd_kafka_t *rk, void *qev_opaque),
                                    void *qev_opaque) {
    pthread_mutex_lock(&rkqu->lock);
    rkqu->event_cb = event_cb;
    rkqu->event_opaque = qev_opaque;
    pthread_mutex_unlock(&rkqu->lock);
    if (event_cb) watched(rkqu);
}

/* Wakes the queue's poller, which returns without an op; with no poller,
 * the next poll returns at once. */
void rd_kafka_queue_yield(rd_kafka_queue_t *rkqu) {
    rd_kafka_queue_t *q = lock_target(rkqu);
    q->yielded = 1;
    pthread_cond_broadcast(&q->cond);
    if (q->len == 0 && q->io_fd >= 0 && !q->io_sent) io_wake(q);
    pthread_mutex_unlock(&q->lock);
}

rd_kafka_queue_t *rdk_queue_target(rd_kafka_queue_t *q) {
    rd_kafka_queue_t *t = lock_target(q);
    pthread_mutex_unlock(&t->lock);
    return t;
}
