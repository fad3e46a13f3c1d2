/* A link's figures for statistics (kfk_stats_broker), on the I/O thread. */
#include "net/conn_stats.h"
#include "net/io_int.h"

#include <string.h>

/* librdkafka's broker state names, from the link's and connection's. */
static const char *state_name(const kfk_link *l) {
    switch (l->state) {
    case KFK_LINK_IDLE: return l->connects ? "DOWN" : "INIT";
    case KFK_LINK_BACKOFF: return "TRY_CONNECT";
    case KFK_LINK_RESOLVING:
    case KFK_LINK_CONNECTING: return "CONNECT";
    case KFK_LINK_UP: break;
    }
    if (l->handshaking) return "SSL_HANDSHAKE";
    switch (kfk_conn_state(l->conn)) {
    case KFK_CONN_APIVERSIONS: return "APIVERSION_QUERY";
    case KFK_CONN_AUTH: return "AUTH_REQ";
    case KFK_CONN_READY: return "UP";
    case KFK_CONN_DOWN: break;
    }
    return "DOWN";
}

void kfk_io_link_stats(kfk_link *l, int reader, kfk_stats_broker *b) {
    kfk_conn_stats *st = kfk_conn_stats_of(l->conn);
    b->state = state_name(l);
    int64_t now = kfk_clock_us();
    b->stateage = now - l->state_since;
    /* Only a connection up has a current socket. */
    int up = l->state == KFK_LINK_UP;
    b->txidle = up && st->last_tx_us ? now - st->last_tx_us : -1;
    b->rxidle = up && st->last_rx_us ? now - st->last_rx_us : -1;
    kfk_conn_queue_counts(l->conn, b);
    b->tx = st->tx;
    b->txbytes = st->txbytes;
    b->txerrs = st->txerrs;
    b->req_timeouts = st->req_timeouts;
    b->rx = st->rx;
    b->rxbytes = st->rxbytes;
    b->rxerrs = st->rxerrs;
    b->rxcorriderrs = st->rxcorriderrs;
    b->connects = l->connects;
    b->disconnects = l->disconnects;
    memcpy(b->req, st->req, sizeof b->req);
    kfk_win_roll(&st->rtt, reader, &b->rtt);
    kfk_win_roll(&st->outbuf_latency, reader, &b->outbuf_latency);
    kfk_win_roll(&st->throttle, reader, &b->throttle);
}
