/* A link: one broker address, its socket and its connection state machine
 * (see io.h). The protocol lives in kfk_conn; this file only moves bytes,
 * connects, and decides when to reconnect. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/alloc.h"
#include "kfk.h"
#include "net/backoff.h"
#include "net/conn_stats.h"
#include "net/io_int.h"
#include "net/sasl.h"
#include "net/sock.h"
#include "net/tls.h"

enum { IOV_BATCH = 64, READS_PER_EVENT = 16 };

static void link_sync(kfk_link *l);

/* Keeps io's count of open connections. */
static void set_state(kfk_link *l, enum kfk_link_state s) {
    if ((l->state == KFK_LINK_UP) != (s == KFK_LINK_UP)) {
        atomic_fetch_add(&l->io->connections, s == KFK_LINK_UP ? 1 : -1);
        if (s != KFK_LINK_UP) l->disconnects++;
    }
    /* librdkafka counts attempts, failed ones too */
    int dialing = l->state == KFK_LINK_RESOLVING || l->state == KFK_LINK_CONNECTING;
    if ((s == KFK_LINK_RESOLVING || s == KFK_LINK_CONNECTING) && !dialing) l->connects++;
    if (l->state != s) l->state_since = kfk_clock_us();
    l->state = s;
}

static void cancel_lookup(kfk_link *l) {
    if (!l->lookup) return;
    kfk_lookup_cancel(l->lookup);
    l->lookup = NULL;
}

static void set_events(kfk_link *l, uint32_t events) {
    if (l->reg.events == events) return;
    l->reg.fd = l->fd;
    kfk_poller_set(l->io->poller, &l->reg, events);
}

static void close_socket(kfk_link *l) {
    if (l->auth_call) { /* that connection's exchange is over */
        kfk_lookup_cancel(l->auth_call);
        l->auth_call = NULL;
    }
    kfk_tls_free(l->tls);
    l->tls = NULL;
    l->handshaking = 0;
    if (l->fd < 0) return;
    kfk_poller_set(l->io->poller, &l->reg, 0);
    close(l->fd);
    l->fd = -1;
}

static void addr_name(const kfk_link *l, char *buf, size_t len) {
    if (l->ai < l->addrs.n)
        kfk_addr_format(&l->addrs.v[l->ai], buf, len);
    else
        snprintf(buf, len, "%s:%d", l->host, l->port);
}

/* The attempt failed or the connection broke: back off, then fail what
 * the connection holds (unless the protocol already closed it itself;
 * requests its callbacks queue again wait for the next attempt). */
static void link_down(kfk_link *l, int err, const char *errstr) {
    kfk_io *io = l->io;
    int close_conn =
        l->state != KFK_LINK_UP || l->handshaking || kfk_conn_state(l->conn) != KFK_CONN_DOWN;
    close_socket(l);
    kfk_addrs_free(&l->addrs);
    const kfk_io_conf *conf = io->conf;
    /* Retrying will not fix a refused certificate or password: no storm. */
    int hard = err == KFK_ERR_SSL || err == KFK_ERR_AUTHENTICATION ||
               err == KFK_ERR_SASL_AUTHENTICATION_FAILED ||
               err == KFK_ERR_UNSUPPORTED_SASL_MECHANISM || err == KFK_ERR_ILLEGAL_SASL_STATE;
    if (hard && l->failures < 30) l->failures = 30;
    int64_t wait = kfk_backoff_ms(conf->reconnect_backoff_ms, conf->reconnect_backoff_max_ms,
                                  l->failures, &io->rng);
    if (hard)
        KFK_LOG(conf->conn.log, KFK_LOG_ERR, KFK_DBG_SECURITY, l->label, "%s (%s)", errstr,
                kfk_err_name(err));
    KFK_LINK_DBG(l, KFK_DBG_BROKER,
                 "disconnected: %s (%s); reconnect backoff %lld ms (failure %d)", errstr,
                 kfk_err_name(err), (long long)wait, l->failures + 1);
    l->failures++;
    set_state(l, KFK_LINK_BACKOFF);
    kfk_io_timer_set(io, &l->timer, io->now + wait);
    if (close_conn) kfk_conn_close(l->conn, err, errstr);
    if (io->hooks->on_link_down && !l->released) io->hooks->on_link_down(l, err, io->opaque);
}

/* Connecting to a local port in the ephemeral range that nothing listens
 * on can pick that very port as the source: the socket then talks to
 * itself (TCP simultaneous open). Seen as what it is: nothing listens. */
static int self_connected(int fd) {
    struct sockaddr_storage a, b;
    socklen_t la = sizeof a, lb = sizeof b;
    if (getsockname(fd, (struct sockaddr *)&a, &la) != 0 ||
        getpeername(fd, (struct sockaddr *)&b, &lb) != 0)
        return 0;
    return la == lb && memcmp(&a, &b, la) == 0;
}

static void next_address(kfk_link *l, int err, const char *fmt, const char *detail);

/* Advances the TLS handshake; once done, the protocol starts. */
static void link_handshake(kfk_link *l) {
    char errstr[320], detail[160];
    unsigned events = KFK_POLL_IN;
    int rc = kfk_tls_handshake(l->tls, &events, detail, sizeof detail);
    if (rc == KFK_TLS_WANT) {
        set_events(l, events);
        return;
    }
    if (rc) {
        char name[80];
        addr_name(l, name, sizeof name);
        snprintf(errstr, sizeof errstr, "%s: %s", name, detail);
        link_down(l, rc, errstr);
        return;
    }
    l->handshaking = 0;
    if (kfk_log_on(l->io->conf->conn.log, KFK_DBG_SECURITY)) {
        char tls[128];
        kfk_log_emit(l->io->conf->conn.log, KFK_LOG_DEBUG, KFK_DBG_SECURITY, l->label,
                     "TLS handshake done: %s", kfk_tls_describe(l->tls, tls, sizeof tls));
    }
    set_events(l, KFK_POLL_IN);
    kfk_conn_start(l->conn, l->io->now);
}

static void link_up(kfk_link *l) {
    if (self_connected(l->fd)) {
        next_address(l, KFK_ERR_TRANSPORT, "connect to %s: %s",
                     "Connection refused (the socket connected to itself)");
        return;
    }
    set_state(l, KFK_LINK_UP);
    if (kfk_log_on(l->io->conf->conn.log, KFK_DBG_BROKER)) {
        char name[80];
        addr_name(l, name, sizeof name);
        kfk_log_emit(l->io->conf->conn.log, KFK_LOG_DEBUG, KFK_DBG_BROKER, l->label,
                     "connected to %s", name);
    }
    if (l->io->conf->tls) {
        l->tls = kfk_tls_new(l->io->conf->tls, l->fd, l->host);
        if (!l->tls) {
            link_down(l, KFK_ERR_NOMEM, "out of memory for a TLS session");
            return;
        }
        l->handshaking = 1;
        KFK_LINK_DBG(l, KFK_DBG_SECURITY, "TLS handshake started");
        link_handshake(l);
        return;
    }
    set_events(l, KFK_POLL_IN);
    kfk_conn_start(l->conn, l->io->now);
}

/* Tries addresses from l->ai on; on the last failure, the link goes down
 * with err (the error of that last address). */
static void try_connect(kfk_link *l, int err, char *errstr, size_t errlen) {
    for (; l->ai < l->addrs.n; l->ai++) {
        const kfk_addr *a = &l->addrs.v[l->ai];
        l->fd = kfk_sock_open(a->sa.ss_family, IPPROTO_TCP);
        if (l->fd < 0) {
            err = KFK_ERR_TRANSPORT;
            snprintf(errstr, errlen, "socket: %s", strerror(errno));
            continue;
        }
        int one = 1;
        setsockopt(l->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (kfk_log_on(l->io->conf->conn.log, KFK_DBG_BROKER)) {
            char name[80];
            addr_name(l, name, sizeof name);
            kfk_log_emit(l->io->conf->conn.log, KFK_LOG_DEBUG, KFK_DBG_BROKER, l->label,
                         "connecting to %s (address %d of %d)", name, l->ai + 1, l->addrs.n);
        }
        /* The setup timeout covers TCP connect and ApiVersions. */
        const kfk_io_conf *conf = l->io->conf;
        l->setup_ms = kfk_backoff_ms(conf->setup_timeout_ms, conf->setup_timeout_max_ms,
                                     l->failures, &l->io->rng);
        kfk_io_timer_set(l->io, &l->timer, l->io->now + l->setup_ms);
        if (connect(l->fd, (const struct sockaddr *)&a->sa, a->len) == 0) {
            link_up(l);
            return;
        }
        if (errno == EINPROGRESS) {
            set_state(l, KFK_LINK_CONNECTING);
            set_events(l, KFK_POLL_OUT);
            return;
        }
        char name[80];
        addr_name(l, name, sizeof name);
        err = KFK_ERR_TRANSPORT;
        snprintf(errstr, errlen, "connect to %s: %s", name, strerror(errno));
        close_socket(l);
    }
    link_down(l, err, errstr);
}

static void connect_addresses(kfk_link *l) {
    char errstr[200];
    l->ai = 0;
    snprintf(errstr, sizeof errstr, "%s:%d: no addresses", l->host, l->port);
    try_connect(l, KFK_ERR_RESOLVE, errstr, sizeof errstr);
}

/* The resolver's answer, on the I/O thread. */
static void on_resolved(void *opaque, int err, const char *errstr, kfk_addrs *addrs) {
    kfk_link *l = opaque;
    l->lookup = NULL;
    l->depth++;
    kfk_io_timer_cancel(l->io, &l->timer);
    if (err == KFK_ERR_DESTROYED) {
        set_state(l, KFK_LINK_IDLE); /* shutdown fails the requests next */
    } else if (err) {
        link_down(l, err, errstr);
    } else {
        l->addrs = *addrs;
        *addrs = (kfk_addrs){0};
        connect_addresses(l);
    }
    l->depth--;
    link_sync(l);
}

/* A numeric address connects at once; a name is looked up on a resolver
 * thread first, within the connection setup timeout. */
static void link_connect(kfk_link *l) {
    char errstr[200];
    kfk_io *io = l->io;
    kfk_addrs_free(&l->addrs);
    if (kfk_resolve_numeric(l->host, l->port, &l->addrs, errstr, sizeof errstr) == 0) {
        connect_addresses(l);
        return;
    }
    KFK_LINK_DBG(l, KFK_DBG_BROKER, "resolving %s", l->host);
    l->lookup = kfk_lookup_start(io->resolver, l->host, l->port, on_resolved, l);
    if (!l->lookup) {
        snprintf(errstr, sizeof errstr, "resolve %s: out of memory or threads", l->host);
        link_down(l, KFK_ERR_NOMEM, errstr);
        return;
    }
    set_state(l, KFK_LINK_RESOLVING);
    l->setup_ms = kfk_backoff_ms(io->conf->setup_timeout_ms, io->conf->setup_timeout_max_ms,
                                 l->failures, &io->rng);
    kfk_io_timer_set(io, &l->timer, io->now + l->setup_ms);
}

/* The address in progress failed: try the next. */
static void next_address(kfk_link *l, int err, const char *fmt, const char *detail) {
    char name[80], errstr[200];
    addr_name(l, name, sizeof name);
    snprintf(errstr, sizeof errstr, fmt, name, detail);
    close_socket(l);
    kfk_io_timer_cancel(l->io, &l->timer);
    l->ai++;
    try_connect(l, err, errstr, sizeof errstr);
}

static void on_timer(kfk_timer *t, int64_t now) {
    kfk_link *l = KFK_CONTAINER_OF(t, kfk_link, timer);
    l->depth++;
    if (l->state == KFK_LINK_RESOLVING) {
        char errstr[320];
        cancel_lookup(l);
        snprintf(errstr, sizeof errstr, "resolve %s: no answer within %lld ms", l->host,
                 (long long)l->setup_ms);
        link_down(l, KFK_ERR_RESOLVE, errstr);
    } else if (l->state == KFK_LINK_CONNECTING) {
        char detail[64];
        snprintf(detail, sizeof detail, "timed out after %lld ms", (long long)l->setup_ms);
        next_address(l, KFK_ERR_TIMED_OUT, "connect to %s: %s", detail);
    } else if (l->state == KFK_LINK_UP) {
        char name[80], errstr[200];
        addr_name(l, name, sizeof name);
        const char *what = l->handshaking ? "TLS handshake not done"
                           : kfk_conn_state(l->conn) == KFK_CONN_AUTH
                               ? "SASL authentication not done"
                               : "no ApiVersions answer";
        snprintf(errstr, sizeof errstr, "connection setup to %s: %s within %lld ms", name, what,
                 (long long)l->setup_ms);
        link_down(l, KFK_ERR_TIMED_OUT, errstr);
    } else if (l->state == KFK_LINK_BACKOFF) {
        KFK_LINK_DBG(l, KFK_DBG_BROKER, "reconnect backoff over");
        set_state(l, KFK_LINK_IDLE);
    }
    l->depth--;
    link_sync(l);
}

static void on_req_timer(kfk_timer *t, int64_t now) {
    kfk_link *l = KFK_CONTAINER_OF(t, kfk_link, req_timer);
    l->depth++;
    if (kfk_conn_tick(l->conn, now) != 0) {
        const char *errstr;
        int err = kfk_conn_last_error(l->conn, &errstr);
        link_down(l, err, errstr);
    }
    l->depth--;
    link_sync(l);
}

/* Nothing was queued or in flight for connections.max.idle.ms: close
 * quietly (this is no failure); the next request reconnects. */
static void on_idle_timer(kfk_timer *t, int64_t now) {
    kfk_link *l = KFK_CONTAINER_OF(t, kfk_link, idle_timer);
    if (l->state != KFK_LINK_UP || kfk_conn_pending(l->conn) > 0) return;
    l->depth++;
    KFK_LINK_DBG(l, KFK_DBG_BROKER, "closing idle connection (connections.max.idle.ms)");
    close_socket(l);
    kfk_addrs_free(&l->addrs);
    kfk_conn_close(l->conn, KFK_ERR_TRANSPORT, "connection closed after connections.max.idle.ms");
    set_state(l, KFK_LINK_IDLE);
    atomic_fetch_add(&l->io->idle_closes, 1);
    l->depth--;
    link_sync(l);
}

/* ------------------------------------------------------------ byte moving */

/* TLS: a large piece per SSL_write (OpenSSL cuts it into records and
 * encrypts, which is the one copy), small ones gathered into one record;
 * then what the session took but has not written yet. */
static void link_flush_tls(kfk_link *l) {
    struct iovec iov[IOV_BATCH];
    while (l->state == KFK_LINK_UP) {
        int n = kfk_conn_send_iov(l->conn, iov, IOV_BATCH);
        char errstr[320], detail[160];
        unsigned events = KFK_POLL_OUT;
        ssize_t w = kfk_tls_writev(l->tls, iov, n, &events, detail, sizeof detail);
        if (w == KFK_TLS_WANT) {
            set_events(l, KFK_POLL_IN | events);
            return;
        }
        if (w < 0) {
            char name[80];
            addr_name(l, name, sizeof name);
            snprintf(errstr, sizeof errstr, "send to %s: %s", name, detail);
            link_down(l, (int)w, errstr);
            return;
        }
        if (n == 0) break;
        kfk_conn_sent(l->conn, (size_t)w);
    }
    if (l->state == KFK_LINK_UP) set_events(l, KFK_POLL_IN);
}

static void link_flush(kfk_link *l) {
    struct iovec iov[IOV_BATCH];
    int n;
    if (l->handshaking) return;
    if (l->tls) {
        link_flush_tls(l);
        return;
    }
    while (l->state == KFK_LINK_UP && (n = kfk_conn_send_iov(l->conn, iov, IOV_BATCH)) > 0) {
        struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)n};
        ssize_t w = sendmsg(l->fd, &mh, KFK_MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                set_events(l, KFK_POLL_IN | KFK_POLL_OUT);
                return;
            }
            char errstr[200], name[80];
            addr_name(l, name, sizeof name);
            snprintf(errstr, sizeof errstr, "send to %s: %s", name, strerror(errno));
            link_down(l, KFK_ERR_TRANSPORT, errstr);
            return;
        }
        kfk_conn_sent(l->conn, (size_t)w);
    }
    if (l->state == KFK_LINK_UP) set_events(l, KFK_POLL_IN);
}

/* TLS: until OpenSSL wants the socket again (it may hold decrypted bytes
 * the socket no longer signals). */
static void link_read_tls(kfk_link *l) {
    while (l->state == KFK_LINK_UP) {
        uint8_t *p;
        size_t room;
        if (kfk_conn_recv_space(l->conn, &p, &room) != 0) {
            link_down(l, KFK_ERR_TRANSPORT, "out of memory for a response");
            return;
        }
        char errstr[320], detail[160], name[80];
        unsigned events = KFK_POLL_IN;
        ssize_t n = kfk_tls_read(l->tls, p, room, &events, detail, sizeof detail);
        if (n == KFK_TLS_WANT) {
            if (events == KFK_POLL_OUT) set_events(l, KFK_POLL_IN | KFK_POLL_OUT);
            return;
        }
        if (n < 0) {
            addr_name(l, name, sizeof name);
            if (n == KFK_ERR_TRANSPORT && !detail[0])
                snprintf(errstr, sizeof errstr, "connection to %s closed by the broker", name);
            else
                snprintf(errstr, sizeof errstr, "receive from %s: %s", name, detail);
            link_down(l, (int)n, errstr);
            return;
        }
        if (kfk_conn_recv_done(l->conn, (size_t)n, l->io->now) != 0) {
            const char *why;
            int err = kfk_conn_last_error(l->conn, &why);
            link_down(l, err, why);
            return;
        }
    }
}

static void link_read(kfk_link *l) {
    if (l->tls) {
        link_read_tls(l);
        return;
    }
    for (int i = 0; i < READS_PER_EVENT && l->state == KFK_LINK_UP; i++) {
        uint8_t *p;
        size_t room;
        int rc = kfk_conn_recv_space(l->conn, &p, &room);
        if (rc) {
            link_down(l, KFK_ERR_TRANSPORT, "out of memory for a response");
            return;
        }
        ssize_t n = recv(l->fd, p, room, MSG_DONTWAIT);
        if (n > 0) {
            if (kfk_conn_recv_done(l->conn, (size_t)n, l->io->now) != 0) {
                const char *errstr;
                int err = kfk_conn_last_error(l->conn, &errstr);
                link_down(l, err, errstr);
                return;
            }
            if ((size_t)n < room) return; /* drained */
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        char errstr[200], name[80];
        addr_name(l, name, sizeof name);
        if (n == 0 && kfk_conn_state(l->conn) == KFK_CONN_APIVERSIONS)
            snprintf(errstr, sizeof errstr,
                     "connection to %s closed by the broker before answering ApiVersions "
                     "(a TLS listener? check security.protocol)",
                     name);
        else if (n == 0)
            snprintf(errstr, sizeof errstr, "connection to %s closed by the broker", name);
        else
            snprintf(errstr, sizeof errstr, "receive from %s: %s", name, strerror(errno));
        link_down(l, KFK_ERR_TRANSPORT, errstr);
        return;
    }
}

void kfk_link_event(kfk_link *l, uint32_t events) {
    if (l->fd < 0) return; /* stale: the socket closed earlier in this batch */
    l->depth++;
    if (l->state == KFK_LINK_CONNECTING) {
        int soerr = 0;
        socklen_t len = sizeof soerr;
        if (getsockopt(l->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0) soerr = errno;
        if (soerr)
            next_address(l, KFK_ERR_TRANSPORT, "connect to %s: %s", strerror(soerr));
        else if (events & KFK_POLL_OUT)
            link_up(l);
    } else if (l->state == KFK_LINK_UP && l->handshaking) {
        link_handshake(l);
    } else if (l->state == KFK_LINK_UP) {
        if (events & (KFK_POLL_IN | KFK_POLL_HUP | KFK_POLL_ERR)) link_read(l);
    }
    l->depth--;
    link_sync(l);
}

/* Adds what the connection's throttle counters gained to io's. */
static void count_throttles(kfk_link *l) {
    kfk_throttle_stats ts;
    kfk_conn_throttle_stats(l->conn, &ts);
    if (ts.throttles == l->thr_seen.throttles && ts.holds == l->thr_seen.holds) return;
    atomic_fetch_add(&l->io->throttles, ts.throttles - l->thr_seen.throttles);
    atomic_fetch_add(&l->io->throttle_ms, ts.throttle_ms - l->thr_seen.throttle_ms);
    atomic_fetch_add(&l->io->throttle_holds, ts.holds - l->thr_seen.holds);
    l->thr_seen = ts;
}

/* ------------------------------------------------- blocking SASL steps */

static void auth_job_run(void *arg) {
    kfk_sasl_job *j = arg;
    j->run(j);
}

static void auth_job_drop(void *arg) {
    kfk_sasl_job *j = arg;
    j->free(j);
}

/* The step ran (I/O thread): the exchange goes on with what it made. */
static void auth_job_done(void *opaque, int err, void *arg) {
    kfk_link *l = opaque;
    kfk_sasl_job *j = arg;
    l->auth_call = NULL;
    if (err) { /* shutdown: the link fails its requests next */
        j->free(j);
        return;
    }
    l->depth++;
    if (kfk_conn_auth_resume(l->conn, j, l->io->now) != 0) {
        const char *errstr;
        int e = kfk_conn_last_error(l->conn, &errstr);
        link_down(l, e, errstr);
    }
    l->depth--;
    link_sync(l);
}

/* A SASL step that blocks (kinit, the KDC) runs on a resolver thread:
 * the I/O thread serves the other brokers meanwhile. */
static void start_auth_job(kfk_link *l) {
    kfk_sasl_job *j = kfk_conn_auth_job(l->conn);
    if (!j) return;
    l->auth_call = kfk_resolver_call(l->io->resolver, auth_job_run, auth_job_drop, j,
                                     auth_job_done, l);
    if (!l->auth_call) {
        j->free(j);
        link_down(l, KFK_ERR_NOMEM, "SASL: out of memory or threads for a blocking step");
    }
}

/* After every entry point: send what is queued, keep the timers and the
 * connection state in line with the protocol. Nested calls (a callback
 * submitting to the link it runs on) only queue; the outermost call syncs,
 * so a socket never closes under a caller still reading from it. */
static void link_sync(kfk_link *l) {
    if (l->depth > 0) return;
    kfk_io *io = l->io;
    l->depth++;
    if (l->state == KFK_LINK_IDLE && kfk_conn_pending(l->conn) > 0 && !io->shutting_down)
        link_connect(l);
    if (l->state == KFK_LINK_UP && !l->auth_call) start_auth_job(l);
    if (l->state == KFK_LINK_UP) {
        link_flush(l);
        if (kfk_conn_state(l->conn) == KFK_CONN_READY && kfk_timer_armed(&l->timer)) {
            kfk_io_timer_cancel(io, &l->timer); /* setup complete */
            l->failures = 0;
        }
    }
    int64_t auths = kfk_conn_auth_count(l->conn);
    if (auths != l->auths_seen) {
        l->auths_seen = auths;
        if (io->hooks->on_link_auth && !l->released) io->hooks->on_link_auth(l, io->opaque);
    }
    int64_t deadline = kfk_conn_next_deadline(l->conn);
    if (deadline == INT64_MAX)
        kfk_io_timer_cancel(io, &l->req_timer);
    else
        kfk_io_timer_set(io, &l->req_timer, deadline);
    int idle = io->conf->max_idle_ms > 0 && l->state == KFK_LINK_UP &&
               kfk_conn_state(l->conn) == KFK_CONN_READY && kfk_conn_pending(l->conn) == 0;
    if (!idle)
        kfk_io_timer_cancel(io, &l->idle_timer);
    else if (!kfk_timer_armed(&l->idle_timer))
        kfk_io_timer_set(io, &l->idle_timer, io->now + io->conf->max_idle_ms);
    count_throttles(l);
    l->depth--;
}

/* ------------------------------------------------------------- public */

static void set_label(kfk_link *l) {
    snprintf(l->label, sizeof l->label, "%s:%d/%d", l->host, l->port, (int)l->id);
}

kfk_link *kfk_io_link_new(kfk_io *io, int32_t node_id, const char *host, int port) {
    kfk_link *l = kfk_calloc(1, sizeof *l);
    if (!l) return NULL;
    l->io = io;
    l->id = node_id;
    l->port = port;
    l->fd = -1;
    l->reg = (kfk_pollreg){.fd = -1, .slot = -1, .ptr = l};
    l->state_since = kfk_clock_us();
    l->host = kfk_strndup(host, strlen(host));
    l->conn = kfk_conn_new(&io->conf->conn, node_id);
    if (!l->host || !l->conn || kfk_io_timer_add(io, &l->timer, on_timer) != 0) goto fail;
    set_label(l);
    kfk_conn_set_peer(l->conn, l->label);
    kfk_conn_set_host(l->conn, l->host);
    if (kfk_io_timer_add(io, &l->req_timer, on_req_timer) != 0) {
        kfk_io_timer_release(io, &l->timer);
        goto fail;
    }
    if (kfk_io_timer_add(io, &l->idle_timer, on_idle_timer) != 0) {
        kfk_io_timer_release(io, &l->timer);
        kfk_io_timer_release(io, &l->req_timer);
        goto fail;
    }
    kfk_list_insert_tail(&io->links, &l->node);
    return l;
fail:
    kfk_conn_free(l->conn);
    kfk_free(l->host);
    kfk_free(l);
    return NULL;
}

void kfk_io_link_submit(kfk_link *l, kfk_request *r) {
    l->depth++;
    kfk_conn_submit(l->conn, r, l->io->now);
    if (l->io->shutting_down)
        kfk_conn_close(l->conn, KFK_ERR_DESTROYED, "client is being destroyed");
    l->depth--;
    link_sync(l);
}

void kfk_io_link_release(kfk_link *l) { l->released = 1; }

int kfk_link_reapable(const kfk_link *l) {
    return l->released && l->depth == 0 && kfk_conn_pending(l->conn) == 0;
}

void kfk_link_shutdown(kfk_link *l) {
    l->depth++;
    cancel_lookup(l);
    close_socket(l);
    set_state(l, KFK_LINK_IDLE);
    kfk_conn_close(l->conn, KFK_ERR_DESTROYED, "client is being destroyed");
    l->depth--;
}

void kfk_link_free(kfk_link *l) {
    cancel_lookup(l);
    close_socket(l);
    set_state(l, KFK_LINK_IDLE);
    kfk_list_remove(&l->node);
    kfk_io_timer_release(l->io, &l->timer);
    kfk_io_timer_release(l->io, &l->req_timer);
    kfk_io_timer_release(l->io, &l->idle_timer);
    kfk_conn_free(l->conn);
    kfk_addrs_free(&l->addrs);
    kfk_free(l->host);
    kfk_free(l);
}

enum kfk_link_state kfk_io_link_state(const kfk_link *l) { return l->state; }
int kfk_io_link_ready(const kfk_link *l) {
    return l->state == KFK_LINK_UP && kfk_conn_state(l->conn) == KFK_CONN_READY;
}
int kfk_io_link_pending(const kfk_link *l) { return kfk_conn_pending(l->conn); }
int64_t kfk_io_link_backoff_until(const kfk_link *l) {
    return l->state == KFK_LINK_BACKOFF ? l->timer.when : 0;
}
int kfk_io_link_failures(const kfk_link *l) { return l->failures; }
int32_t kfk_io_link_node_id(const kfk_link *l) { return l->id; }
int kfk_io_link_set_node(kfk_link *l, int32_t node_id, const char *cluster_id) {
    int32_t was = l->id;
    l->id = node_id;
    set_label(l);
    if (was != node_id)
        KFK_LINK_DBG(l, KFK_DBG_BROKER, "node id %d (was %d)", (int)node_id, (int)was);
    return kfk_conn_set_node(l->conn, node_id, cluster_id);
}
const char *kfk_io_link_label(const kfk_link *l) { return l->label; }
const char *kfk_io_link_host(const kfk_link *l) { return l->host; }
int kfk_io_link_port(const kfk_link *l) { return l->port; }
