/* A test-only broker stub for hostile_broker_test.c alone: one thread, a
 * few client connections. It answers ApiVersions and Metadata correctly
 * (itself as node 1, no topics) and every Fetch with whatever the test
 * queued: malformed bytes (a raw frame, size prefix included) or, when
 * nothing is queued, a valid empty FetchResponse v4. Every other test
 * uses the mock cluster (include/kfk_mock.h), which speaks only
 * well-formed Kafka. Header-only. */
#ifndef KFK_STUB_BROKER_H
#define KFK_STUB_BROKER_H

#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/buf.h"
#include "proto/proto.h"

#define STUB_CONNS 4

typedef struct stub_broker {
    int lfd, port;
    pthread_t thread;
    atomic_int stop;
    pthread_mutex_t lock;
    uint8_t *evil; /* the next Fetch answer, a whole frame; NULL: a good one */
    size_t evil_len;
    atomic_int connections, fetches;
} stub_broker;

static inline void stub_write_all(int fd, const uint8_t *p, size_t n) {
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) return;
        p += w;
        n -= (size_t)w;
    }
}

static inline int stub_read_all(int fd, uint8_t *p, size_t n) {
    while (n > 0) {
        ssize_t r = recv(fd, p, n, 0);
        if (r <= 0) return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* A response frame: size, correlation id, tagged fields if the header is
 * flexible, then the body the generated encoder writes. */
static inline void stub_reply(int fd, int16_t key, int16_t version, int32_t corr,
                              const kfk_msg_desc *d, const void *msg) {
    kfk_wbuf w = {0};
    kfk_wr_i32(&w, 0);
    kfk_wr_i32(&w, corr);
    if (kfk_response_header_version(key, version) >= 1) kfk_wr_uvarint(&w, 0);
    kfk_msg_encode(&w, d, version, msg);
    kfk_put_u32(w.data, (uint32_t)(w.len - 4));
    stub_write_all(fd, w.data, w.len);
    kfk_wbuf_free(&w);
}

/* ------------------------------------------------------------- answers */

static inline void stub_answer(stub_broker *s, int fd, const kfk_request_header *h) {
    int16_t key = h->request_api_key, v = h->request_api_version;
    int32_t corr = h->correlation_id;
    if (key == KFK_API_API_VERSIONS) {
        kfk_api_versions_response_api_version keys[] = {
            {.api_key = KFK_API_API_VERSIONS, .min_version = 0, .max_version = 4},
            {.api_key = KFK_API_METADATA, .min_version = 1, .max_version = 12},
            {.api_key = KFK_API_FETCH, .min_version = 4, .max_version = 4}};
        kfk_api_versions_response m;
        kfk_api_versions_response_init(&m);
        m.api_keys.items = keys;
        m.api_keys.count = 3;
        stub_reply(fd, key, v, corr, kfk_response_desc(key), &m);
    } else if (key == KFK_API_METADATA) {
        kfk_metadata_response_broker b = {.node_id = 1, .host = {"127.0.0.1", 9},
                                          .port = s->port, .rack = {NULL, -1}};
        kfk_metadata_response m;
        kfk_metadata_response_init(&m);
        m.brokers.items = &b;
        m.brokers.count = 1;
        m.cluster_id = (kfk_str){"stub", 4};
        m.controller_id = 1;
        stub_reply(fd, key, v, corr, kfk_response_desc(key), &m);
    } else if (key == KFK_API_FETCH) {
        atomic_fetch_add(&s->fetches, 1);
        pthread_mutex_lock(&s->lock);
        uint8_t *evil = s->evil;
        size_t len = s->evil_len;
        s->evil = NULL;
        pthread_mutex_unlock(&s->lock);
        if (evil) {
            /* The correlation id goes where a real frame has it. */
            if (len >= 8) kfk_put_u32(evil + 4, (uint32_t)corr);
            stub_write_all(fd, evil, len);
            free(evil);
            return;
        }
        kfk_fetch_response m;
        kfk_fetch_response_init(&m);
        stub_reply(fd, key, v, corr, kfk_response_desc(key), &m);
    }
}

/* Reads and answers one request on fd; -1 when the connection is gone. */
static inline int stub_serve(stub_broker *s, int fd, uint8_t *buf) {
    uint8_t sz[4];
    uint32_t size;
    if (stub_read_all(fd, sz, 4) != 0 ||
        (size = (uint32_t)sz[0] << 24 | (uint32_t)sz[1] << 16 | (uint32_t)sz[2] << 8 | sz[3]) >
            (1 << 20) ||
        stub_read_all(fd, buf, size) != 0)
        return -1;
    kfk_rbuf r = kfk_rbuf_make(buf, size);
    kfk_request_header h;
    if (kfk_request_header_read(&r, &h) == 0) stub_answer(s, fd, &h);
    return 0;
}

static inline void *stub_main(void *arg) {
    stub_broker *s = arg;
    int fds[STUB_CONNS];
    for (int i = 0; i < STUB_CONNS; i++) fds[i] = -1;
    uint8_t *buf = malloc(1 << 20);
    while (!atomic_load(&s->stop)) {
        struct pollfd p[1 + STUB_CONNS] = {{.fd = s->lfd, .events = POLLIN}};
        for (int i = 0; i < STUB_CONNS; i++) p[1 + i] = (struct pollfd){fds[i], POLLIN, 0};
        if (poll(p, 1 + STUB_CONNS, 50) <= 0) continue;
        if (p[0].revents & POLLIN) {
            int nfd = accept(s->lfd, NULL, NULL);
            if (nfd >= 0) {
                /* The oldest connection makes room: a client reconnecting
                 * after a hostile answer has left it anyway. */
                if (fds[0] >= 0) close(fds[0]);
                memmove(fds, fds + 1, (STUB_CONNS - 1) * sizeof *fds);
                fds[STUB_CONNS - 1] = nfd;
                atomic_fetch_add(&s->connections, 1);
            }
            continue;
        }
        for (int i = 0; i < STUB_CONNS; i++) {
            if (fds[i] < 0 || !(p[1 + i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            if (stub_serve(s, fds[i], buf) != 0) {
                close(fds[i]);
                fds[i] = -1;
            }
        }
    }
    for (int i = 0; i < STUB_CONNS; i++)
        if (fds[i] >= 0) close(fds[i]);
    free(buf);
    return NULL;
}

static inline int stub_start(stub_broker *s) {
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(s->lfd, 8) != 0 || getsockname(s->lfd, (struct sockaddr *)&a, &len) != 0)
        return -1;
    s->port = ntohs(a.sin_port);
    return pthread_create(&s->thread, NULL, stub_main, s);
}

static inline void stub_stop(stub_broker *s) {
    atomic_store(&s->stop, 1);
    pthread_join(s->thread, NULL);
    close(s->lfd);
    free(s->evil);
    pthread_mutex_destroy(&s->lock);
}

/* Queues the next Fetch answer (a whole frame, copied). */
static inline void stub_set_evil(stub_broker *s, const void *frame, size_t len) {
    uint8_t *copy = malloc(len ? len : 1);
    memcpy(copy, frame, len);
    pthread_mutex_lock(&s->lock);
    free(s->evil);
    s->evil = copy;
    s->evil_len = len;
    pthread_mutex_unlock(&s->lock);
}

#endif
