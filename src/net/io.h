/* The I/O layer: ONE thread per client, epoll or poll (poller.h) over
 * every broker socket.
 *
 * Other threads hand work over through kfk_io_post(): a mutex-protected
 * queue of intrusive tasks, taken in bulk by the I/O thread, which a
 * wakeup fd (wake.h) wakes (once per batch, not per task). Everything else here
 * (links, timers, the clock) belongs to the I/O thread: call it from tasks,
 * timer callbacks and request callbacks only.
 *
 * A link is the connection to one broker address, kept by kfk_conn (the
 * protocol) plus a socket and its connection state machine:
 *
 *   IDLE --request queued--> RESOLVING --addresses--> CONNECTING --TCP up--> UP
 *    ^  ^                        |                        |  next address  |
 *    |  |                        v  lookup failed/timeout v  on failure    |
 *    |  +--backoff timer-- BACKOFF <---- all addresses failed / setup  <---+
 *    |                                   timeout / disconnect / protocol error
 *    +---------- no request for connections.max.idle.ms ---------------- UP
 *
 * UP: TLS handshake if configured, then kfk_conn's ApiVersions, SASL, READY.
 * RESOLVING: the name is looked up on a resolver thread (resolve.h); a
 * numeric address skips the state. The lookup gets the connection setup
 * timeout. CONNECTING tries every address the lookup returned (IPv4 and IPv6), each
 * for at most the connection setup timeout (socket.connection.setup.timeout.ms,
 * doubling per consecutive failure up to .max.ms, with jitter). The setup
 * timeout also covers the TLS handshake, ApiVersions and SASL. An idle
 * connection (nothing queued or in flight for connections.max.idle.ms) is
 * closed quietly (no on_link_down) and reopened on demand. A broker's
 * throttle (KIP-219) holds the link's requests in kfk_conn. After a failure, reconnects wait
 * reconnect.backoff.ms doubling up to reconnect.backoff.max.ms, +-20%;
 * after a TLS or authentication failure (which retrying will not fix)
 * reconnects wait reconnect.backoff.max.ms at once.
 * Requests queued on a link wait for its next connection attempt; when that
 * attempt fails they fail with its error (KFK_ERR_RESOLVE, KFK_ERR_TRANSPORT
 * or KFK_ERR_TIMED_OUT, and a message naming the address). A link with
 * nothing queued does not reconnect.
 *
 * Shutdown: kfk_io_destroy() wakes the thread, which refuses further posts,
 * runs the queued tasks with KFK_ERR_DESTROYED, calls the owner's on_stop
 * hook, then fails every request of every link with KFK_ERR_DESTROYED (all
 * on the I/O thread) and exits; destroy joins it and frees everything. */
#ifndef KFK_IO_H
#define KFK_IO_H

#include <stdint.h>

#include "kfk.h"
#include "net/conn.h"
#include "net/resolve.h"
#include "net/timer.h"

typedef struct kfk_io kfk_io;
typedef struct kfk_link kfk_link;

struct kfk_tls_ctx;

typedef struct kfk_io_conf {
    kfk_conn_conf conn;
    struct kfk_tls_ctx *tls; /* NULL: plaintext; else TLS on every link */
    int32_t reconnect_backoff_ms, reconnect_backoff_max_ms;
    int32_t setup_timeout_ms, setup_timeout_max_ms;
    int32_t max_idle_ms;    /* connections.max.idle.ms; 0: never close */
    kfk_resolve_fn resolve; /* NULL: getaddrinfo (tests plug in a slow one) */
} kfk_io_conf;

/* Work handed to the I/O thread. Caller-owned and intrusive: embed it in
 * the object it works on. fn runs on the I/O thread with err 0, or with
 * KFK_ERR_DESTROYED when the I/O layer shuts down before running it. */
typedef struct kfk_task kfk_task;
struct kfk_task {
    kfk_task *next;
    void (*fn)(kfk_io *io, kfk_task *t, int err);
};

/* What the owner hears, on the I/O thread. Each may be NULL. */
typedef struct kfk_io_hooks {
    /* A link's connection attempt failed or its connection broke (the
     * Java client refreshes metadata then: leaders may have moved). */
    void (*on_link_down)(kfk_link *l, int err, void *opaque);
    /* A link's connection (re-)authenticated with SASL. */
    void (*on_link_auth)(kfk_link *l, void *opaque);
    /* Shutdown, before the links fail their requests. */
    void (*on_stop)(kfk_io *io, void *opaque);
} kfk_io_hooks;

/* conf and hooks must outlive io. The thread starts in kfk_io_start();
 * between new and start the creator may use the I/O-thread functions
 * (create links, add timers). NULL when allocation, the poller or the
 * wakeup fd creation fails. */
kfk_io *kfk_io_new(const kfk_io_conf *conf, const kfk_io_hooks *hooks, void *opaque);
int kfk_io_start(kfk_io *io);
/* Any thread except the I/O thread itself (it would join itself). */
void kfk_io_destroy(kfk_io *io);

/* Any thread. 0, or KFK_ERR_DESTROYED once shutdown began (fn won't run). */
int kfk_io_post(kfk_io *io, kfk_task *t);
int kfk_io_on_thread(const kfk_io *io);

/* Counters over every link, since kfk_io_new. Any thread. */
typedef struct kfk_io_stats {
    int64_t connections; /* links UP now */
    int64_t idle_closes; /* connections closed for being idle */
    int64_t throttles, throttle_ms, throttle_holds; /* kfk_throttle_stats summed */
} kfk_io_stats;
void kfk_io_stats_get(kfk_io *io, kfk_io_stats *out);

/* I/O thread: the time of the current loop iteration (monotonic ms), and
 * the handle's random state for jitter. */
int64_t kfk_io_now(const kfk_io *io);
int64_t kfk_io_clock(void);
uint64_t *kfk_io_rng(kfk_io *io);

/* I/O thread: timers (see timer.h). add reserves, release frees the slot. */
int kfk_io_timer_add(kfk_io *io, kfk_timer *t, kfk_timer_fn fn);
void kfk_io_timer_release(kfk_io *io, kfk_timer *t);
void kfk_io_timer_set(kfk_io *io, kfk_timer *t, int64_t when);
void kfk_io_timer_cancel(kfk_io *io, kfk_timer *t);

/* ------------------------------------------------------------------ links */

enum kfk_link_state {
    KFK_LINK_IDLE,
    KFK_LINK_RESOLVING,
    KFK_LINK_CONNECTING,
    KFK_LINK_UP,
    KFK_LINK_BACKOFF,
};

/* I/O thread. node_id is reported in responses (bootstrap links use
 * negative ids). host is copied. NULL on allocation failure. */
kfk_link *kfk_io_link_new(kfk_io *io, int32_t node_id, const char *host, int port);
/* The owner is done with l: it closes and is freed once its queued and
 * in-flight requests have completed. Do not use l afterwards. */
void kfk_io_link_release(kfk_link *l);
/* Queues r (see kfk_request) and connects if idle. */
void kfk_io_link_submit(kfk_link *l, kfk_request *r);

enum kfk_link_state kfk_io_link_state(const kfk_link *l);
int kfk_io_link_ready(const kfk_link *l);    /* UP and versions negotiated */
int kfk_io_link_pending(const kfk_link *l);  /* requests not completed */
int64_t kfk_io_link_backoff_until(const kfk_link *l); /* 0 unless in BACKOFF */
int kfk_io_link_failures(const kfk_link *l); /* connection attempts failed in a row */
int32_t kfk_io_link_node_id(const kfk_link *l);
/* The link is broker node_id of cluster cluster_id (NULL: unknown), as
 * metadata lists it: a bootstrap link takes on the id, and its next
 * connection checks both (kfk_conn_set_node). 0 or KFK_ERR_NOMEM. */
int kfk_io_link_set_node(kfk_link *l, int32_t node_id, const char *cluster_id);
const char *kfk_io_link_host(const kfk_link *l);
/* Fills b's connection figures (not name, nodeid, nodename, source) and
 * starts its windows over for reader (KFK_WIN_*, link_stats.c). */
void kfk_io_link_stats(kfk_link *l, int reader, kfk_stats_broker *b);
/* "host:port/id", as log lines name the broker. */
const char *kfk_io_link_label(const kfk_link *l);
int kfk_io_link_port(const kfk_link *l);

#endif
