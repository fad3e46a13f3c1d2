/* Statistics (statistics.interval.ms): a timer on the client's I/O thread
 * takes a snapshot (kfk_stats: the core's brokers and figures, then the
 * client's own through `fill`), renders its JSON, and either hands both to
 * the callback there (admin) or queues them for the application's thread,
 * which runs the callback in kfk_stats_deliver (producer and consumer
 * polls). Off (interval 0 or no callback): no timer, deliver is one load. */
#ifndef KFK_CLIENT_STATS_H
#define KFK_CLIENT_STATS_H

#include <pthread.h>
#include <stdatomic.h>

#include "client/core.h"
#include "core/arena.h"
#include "kfk.h"
#include "net/conn_stats.h"

/* I/O thread: adds the client's figures to s; memory from a. */
typedef void (*kfk_stats_fill_fn)(void *owner, kfk_stats *s, kfk_arena *a);
/* I/O thread: a snapshot was queued; wake the application's poll. */
typedef void (*kfk_stats_wake_fn)(void *owner);

#define KFK_STATS_QUEUE 16

typedef struct kfk_stats_doc {
    kfk_arena arena; /* the snapshot and its strings */
    kfk_stats *s;
    char *json;
    size_t len;
} kfk_stats_doc;

typedef struct kfk_statsd {
    int on;
    kfk_core *core;
    kfk_stats_cb cb;
    void *opaque;
    kfk_stats_fill_fn fill;
    kfk_stats_wake_fn wake; /* NULL: run the callback on the I/O thread */
    void *owner;
    const char *type;
    char name[96];
    char *client_id;
    int64_t interval_ms, created_us;
    kfk_timer timer;
    kfk_task start, final;
    pthread_mutex_t lock;
    pthread_cond_t final_cond; /* final_done, under lock */
    int final_done;
    kfk_stats_doc q[KFK_STATS_QUEUE]; /* under lock: a ring */
    int qhead, qn;
    atomic_int ready;
} kfk_statsd;

/* Reads statistics.interval.ms and the callback from conf; the timer starts
 * at kfk_statsd_start. 0 or KFK_ERR_NOMEM. Before the client is shared. */
int kfk_statsd_init(kfk_statsd *d, kfk_core *core, const kfk_conf *conf, const char *type,
                    kfk_stats_fill_fn fill, kfk_stats_wake_fn wake, void *owner);
/* Starts the timer (posts to the I/O thread). Any thread. */
void kfk_statsd_start(kfk_statsd *d);
/* Runs the callback for every queued snapshot; the number run. Any
 * application thread. */
int kfk_statsd_deliver(kfk_statsd *d);
/* A last snapshot (close, once the client's work is done), delivered
 * before it returns: by the caller, or by the I/O thread for the admin.
 * The application's thread, not the I/O thread. */
void kfk_statsd_final(kfk_statsd *d);
/* Once the core (and its I/O thread) is destroyed. */
void kfk_statsd_free(kfk_statsd *d);
/* 1 when a snapshot waits for kfk_statsd_deliver (cheap). */
static inline int kfk_statsd_ready(kfk_statsd *d) {
    return d->on && atomic_load_explicit(&d->ready, memory_order_acquire);
}

/* core.c's side, I/O thread: brokers (their windows start over for the
 * reader, kfk_core_stats_reader), the sums over them, the metadata cache
 * and the core's own counters. */
void kfk_core_stats_fill(kfk_core *c, kfk_stats *s, kfk_arena *a);
/* I/O thread, in a fill: whose windows this snapshot reads (conn_stats.h):
 * KFK_WIN_STATS while the statistics timer takes one, else KFK_WIN_OTHER
 * (telemetry), so each reader sees every sample since its own last read. */
int kfk_core_stats_reader(kfk_core *c);

#endif
