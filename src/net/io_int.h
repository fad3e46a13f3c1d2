/* Private to io.c and link.c: the I/O loop and the links it drives. */
#ifndef KFK_IO_INT_H
#define KFK_IO_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "core/log.h"
#include "net/io.h"
#include "net/list.h"
#include "net/poller.h"
#include "net/resolve.h"
#include "net/wake.h"

struct kfk_io {
    const kfk_io_conf *conf;
    kfk_poller *poller; /* the I/O backend (poller.h) */
    kfk_wake wake;      /* kfk_io_post's wakeup; registered with ptr NULL */
    kfk_pollreg wake_reg;
    pthread_t thread;
    int started;
    const kfk_io_hooks *hooks;
    void *opaque;

    /* Handover from other threads: FIFO, taken whole under the lock. */
    pthread_mutex_t lock;
    kfk_task *posted, **posted_tail;
    int stopping, closed;
    /* Posted from the I/O thread itself: no lock, no wake needed. */
    kfk_task *local, **local_tail;

    int64_t now;
    uint64_t rng;
    kfk_timers timers;
    kfk_list links;    /* every link, in creation order */
    int shutting_down; /* links refuse requests */
    kfk_resolver *resolver;

    /* Written by the I/O thread, read by any (kfk_io_stats). */
    atomic_llong connections, idle_closes, throttles, throttle_ms, throttle_holds;
};

struct kfk_link {
    kfk_io *io;
    kfk_list node;
    int32_t id;
    char *host;
    int port;
    enum kfk_link_state state;
    int fd;
    kfk_pollreg reg; /* fd as registered with io->poller */
    kfk_lookup *lookup; /* while RESOLVING */
    kfk_lookup *auth_call; /* a SASL step running on a resolver thread */
    kfk_addrs addrs;
    int ai;        /* address being tried */
    int failures;  /* consecutive failed attempts, for backoff */
    int64_t setup_ms; /* this attempt's connection setup timeout */
    int depth;     /* nesting of link calls; I/O happens at depth 0 only */
    int released;
    kfk_timer timer;     /* connection setup deadline, or end of backoff */
    kfk_timer req_timer; /* earliest request deadline, or a throttle's end */
    kfk_timer idle_timer; /* connections.max.idle.ms after the last request */
    kfk_throttle_stats thr_seen; /* conn's counters already added to io's */
    kfk_conn *conn;
    struct kfk_tls *tls; /* TLS session, when configured */
    int handshaking;     /* TLS handshake in progress */
    int64_t auths_seen;  /* conn's authentications reported to the owner */
    int64_t state_since; /* us, for statistics */
    int64_t connects, disconnects;
    char label[300];     /* "host:port/id", how log lines name it */
};

/* A debug line about link l (core/log.h): one flag test when off. */
#define KFK_LINK_DBG(l, ctx, ...) KFK_DBG((l)->io->conf->conn.log, (ctx), (l)->label, __VA_ARGS__)

/* link.c, for io.c's loop */
void kfk_link_event(kfk_link *l, uint32_t events);
void kfk_link_free(kfk_link *l);
int kfk_link_reapable(const kfk_link *l);
void kfk_link_shutdown(kfk_link *l);

#endif
