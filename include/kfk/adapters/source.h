/* What the event-loop adapters share: a client (producer, consumer or
 * admin) seen as a readable file descriptor and what to do when it is.
 * Header-only; the adapters (libuv.h, libevent.h, epoll.h) embed it. */
#ifndef KFK_ADAPTERS_SOURCE_H
#define KFK_ADAPTERS_SOURCE_H

#include "kfk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A consumer's messages and events, one at a time; the callback owns m
 * and gives it back with kfk_consumer_message_release. */
typedef void (*kfk_source_message_cb)(kfk_consumer *c, kfk_consumer_message *m, void *opaque);

enum { KFK_SOURCE_PRODUCER = 1, KFK_SOURCE_CONSUMER = 2, KFK_SOURCE_ADMIN = 3 };

/* A group member must poll within max.poll.interval.ms even when its fd
 * stays quiet: the adapters poll a consumer on this period too. Producers
 * and admin clients need no timer. */
#define KFK_SOURCE_TICK_MS 1000
/* Messages taken per readiness, so other descriptors get their turn. */
#define KFK_SOURCE_BATCH 256

typedef struct kfk_source {
    int kind; /* KFK_SOURCE_* */
    void *client;
    kfk_source_message_cb on_message; /* consumers only */
    void *opaque;
} kfk_source;

static inline void kfk_source_init(kfk_source *s, int kind, void *client,
                                   kfk_source_message_cb on_message, void *opaque) {
    s->kind = kind;
    s->client = client;
    s->on_message = on_message;
    s->opaque = opaque;
}

static inline int kfk_source_fd(const kfk_source *s) {
    switch (s->kind) {
    case KFK_SOURCE_PRODUCER: return kfk_producer_fd((kfk_producer *)s->client);
    case KFK_SOURCE_CONSUMER: return kfk_consumer_fd((kfk_consumer *)s->client);
    case KFK_SOURCE_ADMIN: return kfk_admin_fd((kfk_admin *)s->client); /* queues results */
    default: return -1;
    }
}

/* The fd is readable (or the consumer's tick came): poll without waiting.
 * Delivery reports and admin callbacks run inside; messages go to
 * on_message. */
static inline void kfk_source_ready(kfk_source *s) {
    if (s->kind == KFK_SOURCE_PRODUCER) {
        kfk_producer_poll((kfk_producer *)s->client, 0);
    } else if (s->kind == KFK_SOURCE_ADMIN) {
        kfk_admin_poll((kfk_admin *)s->client, 0);
    } else if (s->kind == KFK_SOURCE_CONSUMER) {
        kfk_consumer *c = (kfk_consumer *)s->client;
        kfk_consumer_message *msgs[KFK_SOURCE_BATCH];
        int n = kfk_consumer_poll_batch(c, msgs, KFK_SOURCE_BATCH, 0);
        for (int i = 0; i < n; i++) s->on_message(c, msgs[i], s->opaque);
    }
}

#ifdef __cplusplus
}
#endif
#endif
