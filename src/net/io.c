#include <limits.h>
#include <stdlib.h>
#include <time.h>

#include "core/alloc.h"
#include "kfk.h"
#include "net/backoff.h"
#include "net/io_int.h"

int64_t kfk_io_clock(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

kfk_io *kfk_io_new(const kfk_io_conf *conf, const kfk_io_hooks *hooks, void *opaque) {
    static const kfk_io_hooks none;
    kfk_io *io = kfk_calloc(1, sizeof *io);
    if (!io) return NULL;
    io->conf = conf;
    io->hooks = hooks ? hooks : &none;
    io->opaque = opaque;
    io->posted_tail = &io->posted;
    io->local_tail = &io->local;
    io->now = kfk_io_clock();
    io->rng = kfk_rand_seed(io);
    kfk_list_init(&io->links);
    pthread_mutex_init(&io->lock, NULL);
    io->poller = kfk_poller_new();
    int woke = kfk_wake_open(&io->wake);
    io->wake_reg = (kfk_pollreg){.fd = kfk_wake_fd(&io->wake), .slot = -1, .ptr = NULL};
    io->resolver = kfk_resolver_new(io, conf->resolve);
    if (!io->poller || woke < 0 || !io->resolver ||
        kfk_poller_set(io->poller, &io->wake_reg, KFK_POLL_IN) < 0) {
        kfk_io_destroy(io);
        return NULL;
    }
    return io;
}

/* Which handle's I/O thread this is (set by the thread itself: reading
 * io->thread could race with pthread_create storing it). */
static _Thread_local const kfk_io *current_io;

int kfk_io_on_thread(const kfk_io *io) { return current_io == io; }

int64_t kfk_io_now(const kfk_io *io) { return io->now; }

void kfk_io_stats_get(kfk_io *io, kfk_io_stats *out) {
    *out = (kfk_io_stats){.connections = atomic_load(&io->connections),
                          .idle_closes = atomic_load(&io->idle_closes),
                          .throttles = atomic_load(&io->throttles),
                          .throttle_ms = atomic_load(&io->throttle_ms),
                          .throttle_holds = atomic_load(&io->throttle_holds)};
}
uint64_t *kfk_io_rng(kfk_io *io) { return &io->rng; }

int kfk_io_timer_add(kfk_io *io, kfk_timer *t, kfk_timer_fn fn) {
    return kfk_timers_add(&io->timers, t, fn);
}
void kfk_io_timer_release(kfk_io *io, kfk_timer *t) { kfk_timers_release(&io->timers, t); }
void kfk_io_timer_set(kfk_io *io, kfk_timer *t, int64_t when) {
    kfk_timers_set(&io->timers, t, when);
}
void kfk_io_timer_cancel(kfk_io *io, kfk_timer *t) { kfk_timers_cancel(&io->timers, t); }

/* ---------------------------------------------------------------- tasks */

int kfk_io_post(kfk_io *io, kfk_task *t) {
    t->next = NULL;
    if (kfk_io_on_thread(io) && !io->shutting_down) {
        *io->local_tail = t;
        io->local_tail = &t->next;
        return 0;
    }
    pthread_mutex_lock(&io->lock);
    if (io->closed) {
        pthread_mutex_unlock(&io->lock);
        return KFK_ERR_DESTROYED;
    }
    int wake = io->posted == NULL;
    *io->posted_tail = t;
    io->posted_tail = &t->next;
    pthread_mutex_unlock(&io->lock);
    if (wake) kfk_wake_signal(&io->wake);
    return 0;
}

static void run_tasks(kfk_io *io, kfk_task *t, int err) {
    while (t) {
        kfk_task *next = t->next;
        t->fn(io, t, err);
        t = next;
    }
}

/* Takes the posted batch; at shutdown, also closes the queue. */
static kfk_task *take_posted(kfk_io *io, int close) {
    kfk_wake_clear(&io->wake);
    pthread_mutex_lock(&io->lock);
    kfk_task *t = io->posted;
    io->posted = NULL;
    io->posted_tail = &io->posted;
    if (close) io->closed = 1;
    pthread_mutex_unlock(&io->lock);
    return t;
}

static void run_local(kfk_io *io) {
    while (io->local) {
        kfk_task *t = io->local;
        io->local = NULL;
        io->local_tail = &io->local;
        run_tasks(io, t, 0);
    }
}

/* ----------------------------------------------------------------- loop */

/* At most as many firings as timers armed on entry: a callback that
 * re-arms its timer at a time already past fires again on the next pass,
 * after the sockets and tasks (else the loop would spin here for good). */
static void run_timers(kfk_io *io) {
    int32_t budget = io->timers.n;
    kfk_timer *t;
    while (budget-- > 0 && (t = kfk_timers_pop(&io->timers, io->now)) != NULL)
        t->fn(t, io->now);
}

static void reap_links(kfk_io *io) {
    for (kfk_list *e = io->links.next, *next; e != &io->links; e = next) {
        next = e->next;
        kfk_link *l = KFK_CONTAINER_OF(e, kfk_link, node);
        if (kfk_link_reapable(l)) kfk_link_free(l);
    }
}

static int stopping(kfk_io *io) {
    pthread_mutex_lock(&io->lock);
    int s = io->stopping;
    pthread_mutex_unlock(&io->lock);
    return s;
}

static void shutdown_thread(kfk_io *io) {
    io->shutting_down = 1;
    run_tasks(io, io->local, KFK_ERR_DESTROYED);
    io->local = NULL;
    io->local_tail = &io->local;
    run_tasks(io, take_posted(io, 1), KFK_ERR_DESTROYED);
    if (io->hooks->on_stop) io->hooks->on_stop(io, io->opaque);
    for (kfk_list *e = io->links.next; e != &io->links; e = e->next)
        kfk_link_shutdown(KFK_CONTAINER_OF(e, kfk_link, node));
}

static void *io_main(void *arg) {
    kfk_io *io = arg;
    kfk_pollev evs[64];
    current_io = io;
    for (;;) {
        io->now = kfk_io_clock();
        run_timers(io);
        run_local(io);
        reap_links(io);
        if (stopping(io)) break;
        int64_t next = kfk_timers_next(&io->timers);
        int timeout = -1;
        if (next != INT64_MAX) {
            int64_t d = next - io->now;
            timeout = d <= 0 ? 0 : d > INT_MAX ? INT_MAX : (int)d;
        }
        int n = kfk_poller_wait(io->poller, evs, 64, timeout);
        io->now = kfk_io_clock();
        for (int i = 0; i < n; i++) {
            if (evs[i].ptr == NULL)
                run_tasks(io, take_posted(io, 0), 0);
            else
                kfk_link_event(evs[i].ptr, evs[i].events);
        }
    }
    shutdown_thread(io);
    return NULL;
}

int kfk_io_start(kfk_io *io) {
    if (pthread_create(&io->thread, NULL, io_main, io) != 0) return KFK_ERR_NOMEM;
    io->started = 1;
    return 0;
}

void kfk_io_destroy(kfk_io *io) {
    if (!io) return;
    pthread_mutex_lock(&io->lock);
    io->stopping = 1;
    pthread_mutex_unlock(&io->lock);
    if (io->started) {
        kfk_wake_signal(&io->wake);
        pthread_join(io->thread, NULL);
    } else {
        shutdown_thread(io);
    }
    while (!kfk_list_empty(&io->links))
        kfk_link_free(KFK_CONTAINER_OF(io->links.next, kfk_link, node));
    /* Every lookup is cancelled or done: workers still resolving finish alone. */
    kfk_resolver_close(io->resolver);
    kfk_timers_free(&io->timers);
    kfk_wake_close(&io->wake);
    kfk_poller_free(io->poller);
    pthread_mutex_destroy(&io->lock);
    kfk_free(io);
}
