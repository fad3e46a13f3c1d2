/* A broker connection's protocol state, sans I/O (as nghttp2's session):
 * it is fed received bytes and the current time, and asked for bytes to
 * send; it never touches a socket or a clock. The I/O layer (io.c), a test,
 * or a user's event loop moves the bytes.
 *
 * What it does: frames requests (int32 size prefix, request header),
 * assigns correlation ids, keeps up to max_in_flight requests on the wire,
 * matches responses to requests in order, enforces per-request deadlines,
 * and negotiates API versions (ApiVersions, with the KIP-511 fallback) on
 * every new transport before any other request is encoded.
 *
 * States (kfk_conn_state):
 *   DOWN --start()--> APIVERSIONS --response--> [AUTH] --------> READY
 *     ^                    |                      |  ^  reauth due  |
 *     |                    |                      |  +-------------+
 *     +--- close(): transport error, malformed frame, timeout, error,
 *          authentication failure
 * AUTH (only with conf->sasl): SaslHandshake v1, then SaslAuthenticate
 * rounds until the mechanism is done. When the broker announced a session
 * lifetime (KIP-368), the connection re-authenticates at 85% of it: it
 * stops encoding new requests, lets the ones on the wire complete, and
 * runs the exchange again. An authentication failure fails every request
 * with the broker's error (SASL_AUTHENTICATION_FAILED, not retriable).
 *
 * Requests submitted in any state wait in a queue; they are encoded, at
 * the highest version both sides support, when the connection is READY
 * and fewer than max_in_flight requests are on the wire.
 *
 * Every submitted request completes exactly once through its callback:
 * with its response, or with an error when it times out, when the
 * connection closes (KFK_ERR_TRANSPORT or the transport's own error: always
 * retriable) or when the connection is freed (KFK_ERR_DESTROYED). A request
 * that timed out while on the wire closes the connection: responses come in
 * order, so its late response would be mistaken for the next one's.
 *
 * Not thread-safe: one thread drives a connection. Callbacks run inside
 * kfk_conn_* calls on that thread; they may submit new requests to the same
 * connection but must not close or free it. */
#ifndef KFK_CONN_H
#define KFK_CONN_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/uio.h>

#include "core/buf.h"
#include "kfk.h"
#include "net/list.h"
#include "net/rxbuf.h" /* responses are read into these */

/* ------------------------------------------------------------- requests */

/* Encodes the request body at `version`; returns 0 or a kfk_err. */
typedef int (*kfk_encode_fn)(kfk_wbuf *w, int16_t version, const void *msg);

/* A piece of a request sent straight from the submitter's memory (a
 * Produce request's record batches) instead of being copied into the
 * frame: `len` bytes at `ptr` go right after the first `at` bytes the
 * encoder wrote (offsets count the frame's 4-byte size prefix). */
typedef struct kfk_frame_ref {
    size_t at;
    const uint8_t *ptr;
    size_t len;
} kfk_frame_ref;

/* Storage for an encoder's references, owned by the submitter. */
typedef struct kfk_frame_refs {
    kfk_frame_ref *items;
    int count, cap;
} kfk_frame_refs;

/* Like kfk_encode_fn, and may add references to refs (count starts at 0;
 * more than cap is the encoder's error). */
typedef int (*kfk_encode_refs_fn)(kfk_wbuf *w, int16_t version, const void *msg,
                                  kfk_frame_refs *refs);

typedef struct kfk_response {
    int err;            /* 0, or why the request failed (no body then) */
    const char *errstr; /* detail for err, or NULL; valid during the callback */
    int32_t node_id;    /* the connection's broker */
    int16_t api_key;
    int16_t version;    /* the version the request was sent at */
    kfk_rbuf body;      /* response body after the header; valid during the
                           callback unless buf is referenced */
    kfk_rxbuf *buf;     /* owner of body's bytes (NULL when err is set) */
} kfk_response;

/* Called once per request. A nonzero return (the body failed to decode)
 * closes the connection as malformed; the request itself counts as done. */
typedef int (*kfk_response_fn)(void *opaque, kfk_response *resp);

/* Caller-owned; embed it in your own request object. Set the public fields,
 * then submit; the request (and msg) must stay valid and untouched until
 * its callback has run, since encoding may happen later. */
typedef struct kfk_request {
    int16_t api_key;
    int16_t min_version, max_version; /* acceptable range (max < 0: any) */
    kfk_encode_fn encode; /* NULL: the generated encoder of api_key */
    const void *msg;      /* the generated request struct, or encode's input */
    /* Instead of encode: an encoder that references memory. The referenced
     * bytes, like refs itself, must stay valid and unchanged until the
     * callback has run (a retry is a new submit, sent from the start). */
    kfk_encode_refs_fn encode_refs;
    kfk_frame_refs *refs;
    int32_t timeout_ms; /* 0: the connection's request_timeout_ms */
    int no_response;    /* Produce with acks=0: done once written */
    int32_t msgs;       /* records it carries (Produce), for statistics */
    kfk_response_fn cb;
    void *opaque;

    /* private to kfk_conn */
    kfk_list link;
    int64_t deadline;
    int32_t corr_id;
    int16_t version;
    uint8_t *frame; /* the encoded bytes, without the referenced pieces */
    size_t frame_len, total_len, sent; /* sent counts referenced bytes too */
    int64_t stamp_us; /* when submitted, then when fully written (statistics) */
} kfk_request;

/* ----------------------------------------------------------- connection */

typedef struct kfk_conn_conf {
    const char *client_id;      /* request header client id; NULL sends null */
    int32_t request_timeout_ms; /* default deadline per request */
    int32_t max_in_flight;      /* requests on the wire at once, >= 1 */
    int32_t max_response_bytes; /* larger frames are malformed */
    const char *software_name, *software_version; /* ApiVersions v3+ */
    struct kfk_sasl *sasl; /* NULL: no SASL; else authenticate (net/sasl.h) */
    /* KFK_API_KEY_COUNT entries, or NULL: each API's version in its latest
     * request to any broker (-1: none yet), for kfk_*_api_version. */
    _Atomic int16_t *versions_sent;
    /* NULL, or the finalized transaction.version feature level in the
     * latest ApiVersions answer (0 when a broker lists features without
     * it), for the transactional producer (KIP-890). */
    _Atomic int16_t *transaction_version;
    const struct kfk_log *log; /* NULL: no logging (core/log.h) */
    kfk_rxpool *rx_pool; /* where receive buffers come from; NULL: malloc */
} kfk_conn_conf;

enum kfk_conn_state {
    KFK_CONN_DOWN,        /* no transport; requests queue */
    KFK_CONN_APIVERSIONS, /* transport up, negotiating versions */
    KFK_CONN_AUTH,        /* SASL (re-)authentication */
    KFK_CONN_READY,
};

typedef struct kfk_conn kfk_conn;

/* conf must outlive the connection. NULL on allocation failure. */
kfk_conn *kfk_conn_new(const kfk_conn_conf *conf, int32_t node_id);
/* Fails every request with KFK_ERR_DESTROYED and frees. */
void kfk_conn_free(kfk_conn *c);

/* The node id reported in responses from now on, and the cluster id the
 * broker was listed in (NULL: unknown). From the next connection on, both
 * are sent in ApiVersions v5 for the broker to check (KIP-1242); a broker
 * that is not that node of that cluster closes the connection with
 * KFK_ERR_REBOOTSTRAP_REQUIRED. 0 or KFK_ERR_NOMEM. */
int kfk_conn_set_node(kfk_conn *c, int32_t node_id, const char *cluster_id);

/* How log lines name the broker ("host:port/id"); peer must outlive the
 * connection or be replaced first. */
void kfk_conn_set_peer(kfk_conn *c, const char *peer);
/* The broker's host name, for Kerberos' service principal; as peer. */
void kfk_conn_set_host(kfk_conn *c, const char *host);

enum kfk_conn_state kfk_conn_state(const kfk_conn *c);

/* SASL steps that block (Kerberos' kinit and KDC exchange, net/sasl.h)
 * are not run here: auth_job hands the one due over (NULL: none), for the
 * owner to run off its thread; auth_resume gives it back and sends what it
 * made. A job for an exchange that ended meanwhile is freed. resume
 * returns 0 or the kfk_err that closed the connection. */
struct kfk_sasl_job;
struct kfk_sasl_job *kfk_conn_auth_job(kfk_conn *c);
int kfk_conn_auth_resume(kfk_conn *c, struct kfk_sasl_job *j, int64_t now);
/* The error that last closed the connection and its description. */
int kfk_conn_last_error(const kfk_conn *c, const char **errstr);

/* The transport is connected: start negotiating (queues ApiVersions). */
void kfk_conn_start(kfk_conn *c, int64_t now);
/* The transport is gone, or the caller gives up on it: every request
 * fails with err (choose a retriable one) and errstr; state DOWN.
 * Requests submitted afterwards wait for the next start(). */
void kfk_conn_close(kfk_conn *c, int err, const char *errstr);

void kfk_conn_submit(kfk_conn *c, kfk_request *r, int64_t now);

/* Receiving, zero-copy: read into the space recv_space() returns, then
 * report how much arrived. recv_space fails only on allocation failure.
 * recv_done completes the responses that are now whole; it returns 0, or
 * a kfk_err when the stream is bad (the connection is then closed). */
int kfk_conn_recv_space(kfk_conn *c, uint8_t **p, size_t *n);
int kfk_conn_recv_done(kfk_conn *c, size_t n, int64_t now);
/* Receiving from a caller's buffer (copies; for tests and adapters). */
int kfk_conn_feed(kfk_conn *c, const void *data, size_t len, int64_t now);

/* Sending: the bytes waiting, as up to max iovecs (0: nothing to send):
 * each frame's own bytes with its references spliced in, the first piece
 * starting after what was already taken. Then how many bytes the
 * transport took (a write may stop anywhere, inside any piece). */
int kfk_conn_send_iov(kfk_conn *c, struct iovec *iov, int max);
void kfk_conn_sent(kfk_conn *c, size_t n);

/* Expires requests whose deadline passed; returns 0, or KFK_ERR_TIMED_OUT
 * when one was on the wire (the connection is then closed). */
int kfk_conn_tick(kfk_conn *c, int64_t now);
/* The earliest request deadline, or INT64_MAX. */
int64_t kfk_conn_next_deadline(const kfk_conn *c);

/* Broker throttling (KIP-219, net/throttle.h): after a response whose
 * ThrottleTimeMs asks the client to wait, no request is encoded until that
 * time passes (they wait; the next deadline includes the throttle's end). */
typedef struct kfk_throttle_stats {
    int64_t throttles;   /* responses that asked for a wait */
    int64_t throttle_ms; /* the sum of those waits */
    int64_t holds;       /* times a request that could have gone was held */
    int64_t until;       /* the current throttle's end, 0 when none */
} kfk_throttle_stats;
void kfk_conn_throttle_stats(const kfk_conn *c, kfk_throttle_stats *out);

/* The connection's statistics (net/conn_stats.h); I/O thread. */
struct kfk_conn_stats *kfk_conn_stats_of(kfk_conn *c);
/* b's outbuf_cnt and waitresp_cnt (requests queued and not fully written,
 * written awaiting answers) and the records they carry (_msg_cnt). */
void kfk_conn_queue_counts(const kfk_conn *c, kfk_stats_broker *b);

/* Successful SASL authentications and re-authentications so far. */
int64_t kfk_conn_auth_count(const kfk_conn *c);

/* Requests not yet completed, and those of them on the wire. */
int kfk_conn_pending(const kfk_conn *c);
int kfk_conn_in_flight(const kfk_conn *c);

/* After negotiation: the highest version of api_key both sides support
 * within [min, max], or -1. */
int16_t kfk_conn_api_version(const kfk_conn *c, int16_t api_key, int16_t min, int16_t max);

#endif
