/* The internal client core that the producer, consumer and admin embed:
 * one I/O thread (net/io.h), the broker set, the metadata cache and its
 * refresh, and request routing (to a node id, to the least-loaded broker,
 * or to the leader of a topic-partition).
 *
 * Threads: every kfk_core_* function may be called from any thread, except
 * kfk_core_destroy: not from a callback, and only once no other thread is
 * still inside a kfk_core_* call. Request callbacks run on the I/O thread;
 * they must not block (the *_wait calls refuse to run there).
 *
 * Metadata refresh: on demand (kfk_core_metadata_refresh, or a request to a
 * leader that is not known yet), periodically (metadata.max.age.ms after the
 * last good refresh), and again after retry.backoff.ms doubling up to
 * retry.backoff.max.ms (+-20%) while a requested topic lacks a leader (or,
 * while someone waits on it, has any retriable error). Refreshes ask the
 * least-loaded broker, one at a time. */
#ifndef KFK_CORE_H
#define KFK_CORE_H

#include <stddef.h>

#include "client/core_conf.h"
#include "client/metadata.h"
#include "net/conn.h"
#include "net/io.h"

typedef struct kfk_core kfk_core;

/* conf is copied. NULL on failure, with the reason in errstr (a bad
 * bootstrap.servers entry, TLS files that cannot be used, missing SASL
 * credentials, or no memory; never a secret). */
kfk_core *kfk_core_new(const kfk_core_conf *conf, char *errstr, size_t errlen);
/* Fails every pending request with KFK_ERR_DESTROYED (callbacks run on the
 * I/O thread before it exits), joins it and frees everything. */
void kfk_core_destroy(kfk_core *c);

enum kfk_dest {
    KFK_DEST_ANY,    /* the least-loaded broker */
    KFK_DEST_NODE,   /* node_id */
    KFK_DEST_LEADER, /* the leader of topic/partition; waits for metadata */
};

/* A routed request. Caller-owned: embed it, fill `req` (see kfk_request:
 * api_key, version range, msg, cb...) and the destination, send it, and
 * leave it alone until its callback has run. resp->node_id says where it
 * went. A leader request waits (parked) until its leader is known; the
 * wait counts against its timeout (req.timeout_ms is lowered by it), and
 * it fails at the timeout with KFK_ERR_TIMED_OUT (or the topic's error if
 * that is not retriable). */
typedef struct kfk_core_req {
    kfk_request req;
    enum kfk_dest dest;
    int32_t node_id;
    const char *topic; /* must stay valid until the callback */
    int32_t partition;

    /* private */
    kfk_core *core;
    kfk_task task;
    kfk_list park;
    int64_t parked_at;
    int64_t park_deadline;
} kfk_core_req;

/* 0: the callback will run exactly once. Otherwise it will not:
 * KFK_ERR_DESTROYED (the core is shutting down) or KFK_ERR_INVALID_ARG
 * (no callback, or a leader request without a topic). */
int kfk_core_send(kfk_core *c, kfk_core_req *r);

/* Sends r and blocks until its callback ran; r->req.cb and opaque are
 * taken over: `on_response` (may be NULL) runs on the I/O thread with the
 * response when it has no error, and its return value (0 or a kfk_err) is
 * returned; otherwise the request's error is. errstr gets a description of
 * any error. KFK_ERR_STATE from a callback (it would wait for itself). */
int kfk_core_send_wait(kfk_core *c, kfk_core_req *r, kfk_response_fn on_response, void *opaque,
                       char *errstr, size_t errlen);

/* Adds topics to the set kept fresh and asks for a refresh (n < 0: a
 * one-off refresh of every topic in the cluster; n == 0: brokers only).
 * Returns at once. */
void kfk_core_metadata_refresh(kfk_core *c, const char *const *topics, int n);

/* Data (a producer's batches) waits for metadata it lacks (1) or no longer
 * does (0). While it waits, an unknown topic keeps being refreshed with
 * backoff as when a thread waits on it: an auto-created topic is unknown in
 * the first answers. Any thread. */
void kfk_core_metadata_wanted(kfk_core *c, int waiting);

/* The current metadata snapshot (a new reference: kfk_metadata_unref it),
 * or NULL before the first Metadata response. */
kfk_metadata *kfk_core_metadata(kfk_core *c);

/* Refreshes as above and waits, up to timeout_ms, for a snapshot newer than
 * the call in which every topic is ready (known, no error, all leaders);
 * with n == 0, for any newer snapshot; with n < 0, for a newer one of all
 * topics. Returns 0, a topic's non-retriable error, or KFK_ERR_TIMED_OUT
 * (errstr then says what went wrong last, e.g. a connection error). On 0,
 * *out (if out) gets a referenced snapshot. KFK_ERR_STATE from a callback. */
int kfk_core_metadata_wait(kfk_core *c, const char *const *topics, int n, int32_t timeout_ms,
                           kfk_metadata **out, char *errstr, size_t errlen);
/* As kfk_core_metadata_wait, but a topic counts once its partition count is
 * known, leaders or not: a producer can queue records for a new topic while
 * its partitions' leaders are still being elected. */
int kfk_core_metadata_wait_known(kfk_core *c, const char *const *topics, int n,
                                 int32_t timeout_ms, kfk_metadata **out, char *errstr,
                                 size_t errlen);

/* The core's I/O thread, for clients that run their own tasks and timers on
 * it (the producer's sender). Any thread. */
kfk_io *kfk_core_io(kfk_core *c);
/* The client's logger (core/log.h); lives as long as the core. */
struct kfk_log *kfk_core_log(kfk_core *c);
/* I/O thread: "host:port/id" of a broker for log lines, or NULL when the
 * node is not known. */
const char *kfk_core_broker_name(kfk_core *c, int32_t node_id);

/* Runs fn(opaque) on the I/O thread after each metadata snapshot is
 * published (kfk_core_metadata returns it by then), so the client that
 * embeds the core acts on new leaders at once instead of at its next
 * timer. One hook per core; fn NULL removes it. I/O thread only (a task
 * or callback); fn must not block, and must stay callable until removed
 * or the core is destroyed. */
void kfk_core_on_metadata(kfk_core *c, void (*fn)(void *opaque), void *opaque);

/* Counters for tests and statistics. */
typedef struct kfk_core_stats {
    int64_t metadata_requests; /* sent */
    int64_t metadata_updates;  /* snapshots published */
    int64_t authentications;   /* SASL (re-)authentications that succeeded */
    int64_t auth_failures;     /* connections lost to TLS or SASL failures */
    int64_t links_down;        /* connection attempts failed or connections lost */
    int64_t rebootstraps;      /* starts over from bootstrap.servers (KIP-899) */
    /* From the I/O layer (kfk_io_stats): */
    int64_t connections;    /* open now */
    int64_t idle_closes;    /* closed after connections.max.idle.ms */
    int64_t throttles;      /* responses asking to wait (KIP-219 quotas) */
    int64_t throttle_ms;    /* the sum of those waits */
    int64_t throttle_holds; /* times a request was held back for one */
} kfk_core_stats;
void kfk_core_stats_get(kfk_core *c, kfk_core_stats *out);
/* The version of Kafka API api_key in this client's latest request to any
 * broker; -1 before the first or for an unknown key. Any thread. */
int kfk_core_api_version(kfk_core *c, int api_key);
/* The finalized transaction.version feature level in the latest
 * ApiVersions answer: 2 and up is KIP-890's transaction protocol v2; 0 a
 * broker without it; -1 before any answer. Any thread. */
int kfk_core_transaction_version(kfk_core *c);

#endif
