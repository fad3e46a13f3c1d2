/* Private to conn.c (framing, queues, ApiVersions) and conn_auth.c (the
 * AUTH state: SASL handshake, authenticate, re-authentication). */
#ifndef KFK_CONN_INT_H
#define KFK_CONN_INT_H

#include "core/log.h"
#include "net/conn.h"
#include "net/conn_stats.h"
#include "net/sasl.h"
#include "proto/gen/messages.h"

enum { API_KEYS = KFK_API_KEY_COUNT };

/* A debug line about this connection (core/log.h): one flag test when off. */
#define KFK_CONN_DBG(c, ctx, ...) KFK_DBG((c)->conf->log, (ctx), (c)->peer, __VA_ARGS__)

struct kfk_conn {
    const kfk_conn_conf *conf;
    const char *peer; /* "host:port/id" for log lines (the link's), or NULL */
    const char *host; /* the broker's host name (the link's), or NULL */
    int32_t node_id;
    char *cluster_id; /* the broker's cluster as metadata named it; NULL: unknown */
    enum kfk_conn_state state;
    int freeing;
    int32_t next_corr;
    /* waiting: not encoded yet; sending: encoded, not fully written;
     * awaiting: written, response due (in correlation id order). */
    kfk_list waiting, sending, awaiting;
    int pending, on_wire;

    kfk_rxbuf *rx;
    size_t rx_off, rx_len; /* unparsed bytes are data[rx_off, rx_len) */

    int16_t apiv_version;
    kfk_request apiv_req;
    kfk_api_versions_request apiv_msg;
    int16_t vmin[API_KEYS], vmax[API_KEYS]; /* broker's ranges, -1: none */

    /* SASL (conn_auth.c): one internal request at a time. */
    kfk_request auth_req;
    kfk_sasl_handshake_request hs_msg;
    kfk_sasl_authenticate_request au_msg;
    kfk_sasl_exchange sx;
    int sx_active;
    int reauth_wait;  /* re-authentication due: waiting for the wire to empty */
    int token_wait;   /* the token callback is fetching a token: polled */
    int64_t reauth_at; /* when to re-authenticate (KIP-368), 0: never */
    int64_t auths;     /* successful (re-)authentications */

    int last_err;
    char errstr[320];

    /* Broker throttling (throttle.c): nothing is encoded before
     * throttle_until; now is the latest time an entry point was given. */
    int64_t now, throttle_until;
    int64_t throttles, throttle_ms, throttle_holds;
    kfk_conn_stats st;
};

/* conn.c, for conn_auth.c */
int kfk_conn_encode(kfk_conn *c, kfk_request *r, int16_t version);
int16_t kfk_conn_pick_version(const kfk_conn *c, const kfk_request *r);
void kfk_conn_fill(kfk_conn *c);
/* Queues an encoded internal request (ApiVersions, SASL) on the wire. */
int kfk_conn_push(kfk_conn *c, kfk_request *r, int16_t version, int64_t now);

/* conn_auth.c */
void kfk_conn_auth_start(kfk_conn *c, int64_t now);
int kfk_conn_auth_done(kfk_conn *c, const kfk_rbuf *body, int64_t now);
/* Starts a due re-authentication once nothing is on the wire. */
void kfk_conn_auth_poll(kfk_conn *c, int64_t now);
void kfk_conn_auth_reset(kfk_conn *c);
/* t lowered to the next re-authentication or token poll, if sooner. */
int64_t kfk_conn_auth_deadline(const kfk_conn *c, int64_t t);

/* throttle.c: a response's ThrottleTimeMs starts (or extends) a throttle;
 * hold() says whether fill must wait (and counts it); deadline() lowers t
 * to the throttle's end while requests wait for it. */
void kfk_conn_throttle_note(kfk_conn *c, int16_t api_key, int16_t version, const kfk_rbuf *body,
                            int64_t now);
int kfk_conn_throttle_hold(kfk_conn *c);
int64_t kfk_conn_throttle_deadline(const kfk_conn *c, int64_t t);

#endif
