/* The mock cluster's I/O: one thread polls a listening socket per broker
 * and the client connections, frames requests, and feeds them to the
 * sans-I/O logic (mock.h) under the cluster's lock. A connection handles
 * one request at a time, as Kafka brokers do, so a parked Fetch holds its
 * connection's later requests back and answers stay in order. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "kfk.h"
#include "kfk_mock.h"
#include "mock/mock.h"
#include "net/sock.h"
#include "net/wake.h"

#define MAX_BROKERS 64
#define MAX_FRAME (100 << 20)
#define PARK_POLL_MS 10

typedef struct mock_conn {
    int fd;
    int32_t broker;
    uint8_t *in; /* received bytes not yet handled: in[0..in_len) */
    size_t in_len, in_cap;
    kfk_wbuf out;
    size_t out_sent;
    int parked; /* the frame at the front of `in` waits */
    int64_t parked_at;
    int64_t hold_until; /* the last answer goes out then (injected round trip) */
    int32_t delay_ms;   /* of an injected error taken by the parked request */
} mock_conn;

struct kfk_mock_cluster {
    pthread_mutex_t lock;
    pthread_t thread;
    int started;
    kfk_mock *m;
    int nbrokers;
    int ports[MAX_BROKERS];
    int listeners[MAX_BROKERS]; /* -1 while down */
    kfk_wake wake;
    int stop;
    mock_conn *conns;
    int nconns, cconns;
    char *bootstraps;
    kfk_mock_request_cb *cb;
    void *cb_opaque;
};

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A non-blocking listener on 127.0.0.1:port (0: any free port); -1 on failure. */
static int listen_on(int *port) {
    int fd = kfk_sock_open(AF_INET, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)*port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 64) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

static void conn_close(kfk_mock_cluster *c, int i) {
    close(c->conns[i].fd);
    kfk_free(c->conns[i].in);
    kfk_wbuf_free(&c->conns[i].out);
    c->conns[i] = c->conns[--c->nconns];
}

static void accept_all(kfk_mock_cluster *c, int b) {
    for (;;) {
        int fd = kfk_sock_accept(c->listeners[b]);
        if (fd < 0) return;
        if (c->nconns == c->cconns) {
            int cap = c->cconns ? c->cconns * 2 : 16;
            mock_conn *n = kfk_realloc(c->conns, (size_t)cap * sizeof *n);
            if (!n) {
                close(fd);
                return;
            }
            c->conns = n;
            c->cconns = cap;
        }
        c->conns[c->nconns++] = (mock_conn){.fd = fd, .broker = b + 1};
    }
}

/* Handles the complete frames at the front of `in` until one parks.
 * Returns -1 when the connection must close. Called with the lock held. */
static int serve(kfk_mock_cluster *c, mock_conn *k) {
    size_t pos = 0;
    int rc = 0;
    while (k->in_len - pos >= 4 && k->hold_until <= now_ms()) {
        const uint8_t *p = k->in + pos;
        int32_t size = (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
        if (size < 0 || size > MAX_FRAME) {
            rc = -1;
            break;
        }
        if (k->in_len - pos - 4 < (size_t)size) break;
        int64_t now = now_ms();
        size_t before = k->out.len;
        int out = kfk_mock_handle(c->m, k->broker, p + 4, (size_t)size, now,
                                  k->parked ? k->parked_at : -1, &k->out);
        if (c->cb && (out == KFK_MOCK_REPLY || out == KFK_MOCK_NO_REPLY))
            c->cb(c->cb_opaque, k->broker, p + 4, (size_t)size, out == KFK_MOCK_REPLY ? k->out.data + before + 4 : NULL,
                  out == KFK_MOCK_REPLY ? k->out.len - before - 4 : 0);
        if (out == KFK_MOCK_PARK && !k->parked) k->parked_at = now;
        k->delay_ms += kfk_mock_take_delay(c->m);
        if (out < 0) {
            rc = -1;
            break;
        }
        k->parked = out == KFK_MOCK_PARK;
        if (k->parked) break;
        int32_t rtt = kfk_mock_rtt(c->m, k->broker) + k->delay_ms;
        k->delay_ms = 0;
        if (rtt > 0) k->hold_until = now + rtt;
        pos += 4 + (size_t)size;
    }
    memmove(k->in, k->in + pos, k->in_len - pos);
    k->in_len -= pos;
    return rc;
}

static int conn_read(kfk_mock_cluster *c, mock_conn *k) {
    for (;;) {
        if (k->in_cap - k->in_len < 65536) {
            size_t cap = k->in_cap ? k->in_cap * 2 : 65536;
            uint8_t *n = kfk_realloc(k->in, cap);
            if (!n) return -1;
            k->in = n;
            k->in_cap = cap;
        }
        ssize_t n = recv(k->fd, k->in + k->in_len, k->in_cap - k->in_len, 0);
        if (n == 0) return -1;
        if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
        k->in_len += (size_t)n;
        if (k->in_len > (size_t)MAX_FRAME + 4 + 65536) return -1;
    }
}

static int conn_write(mock_conn *k) {
    while (k->out_sent < k->out.len) {
        ssize_t n = send(k->fd, k->out.data + k->out_sent, k->out.len - k->out_sent, KFK_MSG_NOSIGNAL);
        if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
        k->out_sent += (size_t)n;
    }
    k->out.len = 0;
    k->out_sent = 0;
    return 0;
}

/* Opens or closes listeners (and connections) to match the brokers'
 * down flags. Called with the lock held. */
static void apply_down(kfk_mock_cluster *c) {
    for (int b = 0; b < c->nbrokers; b++) {
        int down = kfk_mock_is_down(c->m, b + 1);
        if (down && c->listeners[b] >= 0) {
            close(c->listeners[b]);
            c->listeners[b] = -1;
            for (int i = c->nconns - 1; i >= 0; i--)
                if (c->conns[i].broker == b + 1) conn_close(c, i);
        } else if (!down && c->listeners[b] < 0) {
            int port = c->ports[b];
            c->listeners[b] = listen_on(&port);
        }
    }
}

static void *run(void *arg) {
    kfk_mock_cluster *c = arg;
    struct pollfd *pfd = NULL;
    int pcap = 0;
    pthread_mutex_lock(&c->lock);
    while (!c->stop) {
        apply_down(c);
        int n = 1 + c->nbrokers + c->nconns, timeout = -1;
        int64_t now = now_ms();
        if (n > pcap) {
            struct pollfd *np = kfk_realloc(pfd, (size_t)n * 2 * sizeof *np);
            if (!np) break;
            pfd = np;
            pcap = n * 2;
        }
        pfd[0] = (struct pollfd){.fd = kfk_wake_fd(&c->wake), .events = POLLIN};
        for (int b = 0; b < c->nbrokers; b++)
            pfd[1 + b] = (struct pollfd){.fd = c->listeners[b], .events = POLLIN};
        for (int i = 0; i < c->nconns; i++) {
            mock_conn *k = &c->conns[i];
            int held = k->hold_until > now;
            if (k->parked) timeout = PARK_POLL_MS;
            if (held && (timeout < 0 || k->hold_until - now < timeout)) timeout = (int)(k->hold_until - now);
            short ev = (short)((k->parked || held ? 0 : POLLIN) | (k->out.len && !held ? POLLOUT : 0));
            pfd[1 + c->nbrokers + i] = (struct pollfd){.fd = k->fd, .events = ev};
        }
        int nconns = c->nconns;
        pthread_mutex_unlock(&c->lock);
        poll(pfd, (nfds_t)n, timeout);
        pthread_mutex_lock(&c->lock);
        if (pfd[0].revents & POLLIN) kfk_wake_clear(&c->wake);
        /* Connections first: accepting appends, closing reorders. */
        for (int i = nconns - 1; i >= 0; i--) {
            mock_conn *k = &c->conns[i];
            short re = pfd[1 + c->nbrokers + i].revents;
            int bad = (re & (POLLERR | POLLHUP | POLLNVAL)) && !(re & POLLIN);
            if (!bad && (re & POLLIN)) bad = conn_read(c, k) != 0;
            if (!bad && (k->parked || k->in_len)) bad = serve(c, k) != 0;
            if (!bad && k->out.len && k->hold_until <= now_ms()) bad = conn_write(k) != 0;
            if (bad) conn_close(c, i);
        }
        for (int b = 0; b < c->nbrokers; b++)
            if (c->listeners[b] >= 0 && (pfd[1 + b].revents & POLLIN)) accept_all(c, b);
    }
    pthread_mutex_unlock(&c->lock);
    kfk_free(pfd);
    return NULL;
}

void kfk_mock_cluster_destroy(kfk_mock_cluster *c) {
    if (!c) return;
    if (c->started) {
        pthread_mutex_lock(&c->lock);
        c->stop = 1;
        pthread_mutex_unlock(&c->lock);
        kfk_wake_signal(&c->wake);
        pthread_join(c->thread, NULL);
    }
    while (c->nconns) conn_close(c, c->nconns - 1);
    for (int b = 0; b < c->nbrokers; b++)
        if (c->listeners[b] >= 0) close(c->listeners[b]);
    kfk_wake_close(&c->wake);
    kfk_free(c->conns);
    kfk_free(c->bootstraps);
    kfk_mock_free(c->m);
    pthread_mutex_destroy(&c->lock);
    kfk_free(c);
}

kfk_mock_cluster *kfk_mock_cluster_new_port(int nbrokers, int base_port) {
    if (nbrokers < 1 || nbrokers > MAX_BROKERS || base_port < 0 || base_port + nbrokers > 65536)
        return NULL;
    kfk_mock_cluster *c = kfk_calloc(1, sizeof *c);
    if (!c) return NULL;
    pthread_mutex_init(&c->lock, NULL);
    c->nbrokers = nbrokers;
    for (int b = 0; b < nbrokers; b++) c->listeners[b] = -1;
    int ok = kfk_wake_open(&c->wake) == 0;
    for (int b = 0; ok && b < nbrokers; b++) {
        c->ports[b] = base_port ? base_port + b : 0;
        ok = (c->listeners[b] = listen_on(&c->ports[b])) >= 0;
    }
    size_t blen = (size_t)nbrokers * 17 + 1;
    if (ok) ok = (c->bootstraps = kfk_malloc(blen)) != NULL;
    if (ok) {
        size_t off = 0;
        for (int b = 0; b < nbrokers; b++)
            off += (size_t)snprintf(c->bootstraps + off, blen - off, "%s127.0.0.1:%d", b ? "," : "",
                                    c->ports[b]);
        ok = (c->m = kfk_mock_new(nbrokers, "127.0.0.1", c->ports, 0)) != NULL;
    }
    if (ok) ok = c->started = pthread_create(&c->thread, NULL, run, c) == 0;
    if (!ok) {
        kfk_mock_cluster_destroy(c);
        return NULL;
    }
    return c;
}

kfk_mock_cluster *kfk_mock_cluster_new(int nbrokers) { return kfk_mock_cluster_new_port(nbrokers, 0); }

const char *kfk_mock_cluster_bootstraps(const kfk_mock_cluster *c) { return c ? c->bootstraps : NULL; }

int kfk_mock_topic_create(kfk_mock_cluster *c, const char *topic, int partitions, int replication) {
    if (!c || !topic) return KFK_ERR_INVALID_ARG;
    if (replication < 1 || replication > INT16_MAX) return KFK_ERR_INVALID_REPLICATION_FACTOR;
    pthread_mutex_lock(&c->lock);
    int rc = kfk_mock_create_topic(c->m, topic, partitions, (int16_t)replication);
    pthread_mutex_unlock(&c->lock);
    return rc;
}

int kfk_mock_push_request_errors(kfk_mock_cluster *c, int broker_id, int16_t api_key, int count,
                                 int err) {
    if (!c || err < INT16_MIN || err > INT16_MAX) return -1;
    pthread_mutex_lock(&c->lock);
    int rc = kfk_mock_push_error(c->m, broker_id, api_key, count, (int16_t)err);
    pthread_mutex_unlock(&c->lock);
    return rc;
}

void kfk_mock_clear_request_errors(kfk_mock_cluster *c, int broker_id, int16_t api_key) {
    if (!c) return;
    pthread_mutex_lock(&c->lock);
    kfk_mock_clear_errors(c->m, broker_id, api_key);
    pthread_mutex_unlock(&c->lock);
}

static int set_down(kfk_mock_cluster *c, int broker_id, int down) {
    if (!c) return -1;
    pthread_mutex_lock(&c->lock);
    int rc = kfk_mock_set_down(c->m, broker_id, down);
    pthread_mutex_unlock(&c->lock);
    kfk_wake_signal(&c->wake);
    return rc;
}

int kfk_mock_broker_down(kfk_mock_cluster *c, int broker_id) { return set_down(c, broker_id, 1); }

int kfk_mock_broker_set_rtt(kfk_mock_cluster *c, int broker_id, int rtt_ms) {
    if (!c || rtt_ms < 0) return -1;
    pthread_mutex_lock(&c->lock);
    int rc = kfk_mock_set_rtt(c->m, broker_id, rtt_ms);
    pthread_mutex_unlock(&c->lock);
    return rc;
}
int kfk_mock_broker_up(kfk_mock_cluster *c, int broker_id) { return set_down(c, broker_id, 0); }

int kfk_mock_partition_set_leader(kfk_mock_cluster *c, const char *topic, int partition,
                                  int broker_id) {
    if (!c) return -1;
    pthread_mutex_lock(&c->lock);
    int rc = topic ? kfk_mock_set_leader(c->m, topic, partition, broker_id) : -1;
    pthread_mutex_unlock(&c->lock);
    return rc;
}

int kfk_mock_partition_set_follower(kfk_mock_cluster *c, const char *topic, int partition,
                                    int broker_id) {
    if (!c) return -1;
    pthread_mutex_lock(&c->lock);
    int rc = kfk_mock_set_follower(c->m, topic, partition, broker_id);
    pthread_mutex_unlock(&c->lock);
    return rc;
}

int kfk_mock_partition_set_follower_wmarks(kfk_mock_cluster *c, const char *topic, int partition,
                                           int64_t lo, int64_t hi) {
    if (!c) return -1;
    pthread_mutex_lock(&c->lock);
    int rc = kfk_mock_set_follower_wmarks(c->m, topic, partition, lo, hi);
    pthread_mutex_unlock(&c->lock);
    return rc;
}

int kfk_mock_partition_truncate(kfk_mock_cluster *c, const char *topic, int partition,
                                int64_t offset) {
    if (!c) return -1;
    pthread_mutex_lock(&c->lock);
    int rc = topic ? kfk_mock_truncate(c->m, topic, partition, offset) : -1;
    pthread_mutex_unlock(&c->lock);
    return rc;
}

int kfk_mock_coordinator_set(kfk_mock_cluster *c, int key_type, const char *key, int broker_id) {
    if (!c || key_type < 0 || key_type > 1) return -1;
    pthread_mutex_lock(&c->lock);
    int rc = kfk_mock_set_coordinator(c->m, (int8_t)key_type, key, broker_id);
    pthread_mutex_unlock(&c->lock);
    return rc;
}

int kfk_mock_push_request_error_rtt(kfk_mock_cluster *c, int broker_id, int16_t api_key, int err,
                                    int rtt_ms) {
    if (!c || err < INT16_MIN || err > INT16_MAX) return -1;
    pthread_mutex_lock(&c->lock);
    int rc = kfk_mock_push_error_rtt(c->m, broker_id, api_key, (int16_t)err, rtt_ms);
    pthread_mutex_unlock(&c->lock);
    return rc;
}

int kfk_mock_request_errors_count(kfk_mock_cluster *c, int broker_id, int16_t api_key) {
    if (!c || (broker_id != -1 && (broker_id < 1 || broker_id > c->nbrokers))) return -1;
    pthread_mutex_lock(&c->lock);
    int n = kfk_mock_error_count(c->m, broker_id, api_key);
    pthread_mutex_unlock(&c->lock);
    return n;
}

int kfk_mock_api_set_versions(kfk_mock_cluster *c, int16_t api_key, int min_version, int max_version) {
    if (!c || min_version > INT16_MAX || max_version > INT16_MAX) return -1;
    pthread_mutex_lock(&c->lock);
    int rc = kfk_mock_set_api_versions(c->m, api_key, (int16_t)(min_version < 0 ? -1 : min_version),
                                       (int16_t)(max_version < 0 ? -1 : max_version));
    pthread_mutex_unlock(&c->lock);
    return rc;
}

int kfk_mock_broker_set_rack(kfk_mock_cluster *c, int broker_id, const char *rack) {
    if (!c) return -1;
    pthread_mutex_lock(&c->lock);
    int rc = kfk_mock_set_rack(c->m, broker_id, rack);
    pthread_mutex_unlock(&c->lock);
    return rc;
}

int kfk_mock_topic_set_error(kfk_mock_cluster *c, const char *topic, int err) {
    if (!c || err < INT16_MIN || err > INT16_MAX) return -1;
    pthread_mutex_lock(&c->lock);
    int rc = kfk_mock_set_topic_error(c->m, topic, (int16_t)err);
    pthread_mutex_unlock(&c->lock);
    return rc;
}

void kfk_mock_set_request_cb(kfk_mock_cluster *c, kfk_mock_request_cb *cb, void *opaque) {
    if (!c) return;
    pthread_mutex_lock(&c->lock);
    c->cb = cb;
    c->cb_opaque = opaque;
    pthread_mutex_unlock(&c->lock);
}

int kfk_mock_topic_set_max_message_bytes(kfk_mock_cluster *c, const char *topic, int max_bytes) {
    if (!c || !topic || max_bytes < 0) return -1;
    pthread_mutex_lock(&c->lock);
    int rc = kfk_mock_set_max_message_bytes(c->m, topic, max_bytes);
    pthread_mutex_unlock(&c->lock);
    return rc;
}

int kfk_mock_partition_offsets(kfk_mock_cluster *c, const char *topic, int partition,
                               int64_t *log_start, int64_t *high_watermark) {
    int64_t s, h;
    if (!c) return -1;
    pthread_mutex_lock(&c->lock);
    int rc = topic ? kfk_mock_offsets(c->m, topic, partition, &s, &h) : -1;
    pthread_mutex_unlock(&c->lock);
    if (!rc) {
        if (log_start) *log_start = s;
        if (high_watermark) *high_watermark = h;
    }
    return rc;
}

int kfk_mock_fetch_sessions(kfk_mock_cluster *c, int broker_id) {
    if (!c) return -1;
    pthread_mutex_lock(&c->lock);
    int n = kfk_mock_session_count(c->m, broker_id);
    pthread_mutex_unlock(&c->lock);
    return n;
}
