/* kfk on a libuv loop, header-only: a uv_poll_t on the client's fd, and
 * for a consumer a uv_timer_t so it polls within max.poll.interval.ms.
 *
 *     kfk_uv_source *s = kfk_uv_attach(loop, KFK_SOURCE_CONSUMER, c, on_msg, ctx);
 *     uv_run(loop, UV_RUN_DEFAULT);     (kfk_uv_detach(s) in a callback ends it)
 *
 * Detach before destroying the client; the handles close on the loop. */
#ifndef KFK_ADAPTERS_LIBUV_H
#define KFK_ADAPTERS_LIBUV_H

#include <stdlib.h>
#include <uv.h>

#include "kfk/adapters/source.h"

typedef struct kfk_uv_source {
    uv_poll_t poll;
    uv_timer_t timer; /* consumers only */
    kfk_source src;
    int open_handles;
} kfk_uv_source;

static inline void kfk_uv_on_poll(uv_poll_t *h, int status, int events) {
    (void)status;
    (void)events;
    kfk_source_ready(&((kfk_uv_source *)h->data)->src);
}

static inline void kfk_uv_on_timer(uv_timer_t *h) {
    kfk_source_ready(&((kfk_uv_source *)h->data)->src);
}

/* Watches client (kind: KFK_SOURCE_*; on_message for consumers). NULL
 * when out of memory or libuv refuses the fd. */
static inline kfk_uv_source *kfk_uv_attach(uv_loop_t *loop, int kind, void *client,
                                           kfk_source_message_cb on_message, void *opaque) {
    kfk_uv_source *s = (kfk_uv_source *)calloc(1, sizeof *s);
    if (!s) return NULL;
    kfk_source_init(&s->src, kind, client, on_message, opaque);
    if (uv_poll_init(loop, &s->poll, kfk_source_fd(&s->src))) {
        free(s);
        return NULL;
    }
    s->poll.data = s;
    s->open_handles = 1;
    uv_poll_start(&s->poll, UV_READABLE, kfk_uv_on_poll);
    if (kind == KFK_SOURCE_CONSUMER) {
        uv_timer_init(loop, &s->timer);
        s->timer.data = s;
        s->open_handles++;
        uv_timer_start(&s->timer, kfk_uv_on_timer, KFK_SOURCE_TICK_MS, KFK_SOURCE_TICK_MS);
    }
    return s;
}

static inline void kfk_uv_on_close(uv_handle_t *h) {
    kfk_uv_source *s = (kfk_uv_source *)h->data;
    if (--s->open_handles == 0) free(s);
}

/* Stops watching at once; the memory goes when the loop closes the handles. */
static inline void kfk_uv_detach(kfk_uv_source *s) {
    int consumer = s->src.kind == KFK_SOURCE_CONSUMER;
    uv_poll_stop(&s->poll);
    uv_close((uv_handle_t *)&s->poll, kfk_uv_on_close);
    if (consumer) {
        uv_timer_stop(&s->timer);
        uv_close((uv_handle_t *)&s->timer, kfk_uv_on_close);
    }
}

#endif
