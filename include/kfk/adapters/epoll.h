/* kfk on a plain epoll(7) loop, header-only. The application owns the
 * epoll fd and its epoll_wait; kfk_epoll_add registers a client with
 * data.ptr pointing to a kfk_epoll_source whose first member is a handler,
 * so the loop dispatches with
 *
 *     n = epoll_wait(ep, evs, 64, kfk_epoll_timeout(&cons));
 *     for (i = 0; i < n; i++) ((kfk_epoll_handler *)evs[i].data.ptr)->fn(evs[i].data.ptr);
 *     kfk_epoll_tick(&cons);
 *
 * (its own fds registered the same way). Level-triggered, like the fds. */
#ifndef KFK_ADAPTERS_EPOLL_H
#define KFK_ADAPTERS_EPOLL_H

#ifndef __linux__
#error "kfk/adapters/epoll.h needs Linux's epoll(7); elsewhere use libuv.h, libevent.h or source.h"
#endif

#include <stdint.h>
#include <sys/epoll.h>
#include <time.h>

#include "kfk/adapters/source.h"

typedef struct kfk_epoll_handler {
    void (*fn)(void *self);
} kfk_epoll_handler;

typedef struct kfk_epoll_source {
    kfk_epoll_handler h; /* first: data.ptr points here */
    kfk_source src;
    int epfd, fd;
    int64_t next_tick_ms; /* consumers: the next poll without readiness */
} kfk_epoll_source;

static inline int64_t kfk_epoll_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void kfk_epoll_ready(void *self) {
    kfk_epoll_source *s = (kfk_epoll_source *)self;
    kfk_source_ready(&s->src);
    s->next_tick_ms = kfk_epoll_now_ms() + KFK_SOURCE_TICK_MS;
}

/* Registers client (a kfk_producer, kfk_consumer or kfk_admin: kind says
 * which; on_message for consumers) with epfd. s stays the caller's and
 * must live until kfk_epoll_del. 0, or -1 with errno. */
static inline int kfk_epoll_add(int epfd, kfk_epoll_source *s, int kind, void *client,
                                kfk_source_message_cb on_message, void *opaque) {
    s->h.fn = kfk_epoll_ready;
    kfk_source_init(&s->src, kind, client, on_message, opaque);
    s->epfd = epfd;
    s->fd = kfk_source_fd(&s->src);
    s->next_tick_ms = kfk_epoll_now_ms() + KFK_SOURCE_TICK_MS;
    struct epoll_event ev;
    ev.events = EPOLLIN;
    ev.data.ptr = s;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, s->fd, &ev);
}

static inline int kfk_epoll_del(kfk_epoll_source *s) {
    return epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->fd, NULL);
}

/* The longest a consumer's loop may sleep in epoll_wait (-1 for others). */
static inline int kfk_epoll_timeout(const kfk_epoll_source *s) {
    if (s->src.kind != KFK_SOURCE_CONSUMER) return -1;
    int64_t left = s->next_tick_ms - kfk_epoll_now_ms();
    return left < 0 ? 0 : (int)left;
}

/* After each epoll_wait: polls a consumer whose tick is due. */
static inline void kfk_epoll_tick(kfk_epoll_source *s) {
    if (s->src.kind == KFK_SOURCE_CONSUMER && kfk_epoll_now_ms() >= s->next_tick_ms)
        kfk_epoll_ready(s);
}

#endif
