/* kfk on a libevent 2 event_base, header-only: a persistent read event on
 * the client's fd, and for a consumer a persistent timer so it polls
 * within max.poll.interval.ms.
 *
 *     kfk_event_source *s = kfk_event_attach(base, KFK_SOURCE_CONSUMER, c, on_msg, ctx);
 *     event_base_dispatch(base);
 *     kfk_event_detach(s);              (before destroying the client)
 */
#ifndef KFK_ADAPTERS_LIBEVENT_H
#define KFK_ADAPTERS_LIBEVENT_H

#include <event2/event.h>
#include <stdlib.h>

#include "kfk/adapters/source.h"

typedef struct kfk_event_source {
    struct event *read, *tick; /* tick: consumers only */
    kfk_source src;
} kfk_event_source;

static inline void kfk_event_on_ready(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    kfk_source_ready(&((kfk_event_source *)arg)->src);
}

/* Stops watching and frees s at once. */
static inline void kfk_event_detach(kfk_event_source *s) {
    if (s->read) event_free(s->read);
    if (s->tick) event_free(s->tick);
    free(s);
}

/* Watches client (kind: KFK_SOURCE_*; on_message for consumers). NULL
 * when out of memory or libevent refuses. */
static inline kfk_event_source *kfk_event_attach(struct event_base *base, int kind, void *client,
                                                 kfk_source_message_cb on_message,
                                                 void *opaque) {
    kfk_event_source *s = (kfk_event_source *)calloc(1, sizeof *s);
    if (!s) return NULL;
    kfk_source_init(&s->src, kind, client, on_message, opaque);
    s->read = event_new(base, kfk_source_fd(&s->src), EV_READ | EV_PERSIST, kfk_event_on_ready, s);
    if (!s->read || event_add(s->read, NULL)) goto fail;
    if (kind == KFK_SOURCE_CONSUMER) {
        struct timeval tick = {KFK_SOURCE_TICK_MS / 1000, (KFK_SOURCE_TICK_MS % 1000) * 1000};
        s->tick = event_new(base, -1, EV_PERSIST, kfk_event_on_ready, s);
        if (!s->tick || event_add(s->tick, &tick)) goto fail;
    }
    return s;
fail:
    kfk_event_detach(s);
    return NULL;
}

#endif
