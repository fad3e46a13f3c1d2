/* A scripted broker for the idempotent producer's tests: one thread on a
 * loopback port, node 1, leader of every partition of whatever topic is
 * asked for (one partition each). It checks sequences as a broker does
 * (per producer id and epoch: the next expected, DUPLICATE behind it,
 * OUT_OF_ORDER ahead of it), keeps a log of what it accepted, and answers
 * scripted errors: per Produce request, per InitProducerId request, a
 * retriable error until a given time, and MESSAGE_TOO_LARGE for batches
 * of more than a given number of records. Header-only. */
#ifndef KFK_PRODUCE_STUB_H
#define KFK_PRODUCE_STUB_H

#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "proto/proto.h"

#define PSTUB_MAX 64
#define PSTUB_LOG 4096

typedef struct pstub_batch {
    int64_t pid;
    int16_t epoch;
    int32_t seq, count;
    int16_t err; /* the answer */
} pstub_batch;

typedef struct pstub_record {
    int16_t epoch;
    char value[16];
} pstub_record;

typedef struct pstub {
    int lfd, port;
    pthread_t thread;
    atomic_int stop;
    pthread_mutex_t lock; /* everything below */
    /* scripts, set before the producer starts */
    int16_t produce_err[PSTUB_MAX]; /* for the n-th Produce request; 0: check */
    int16_t pid_err[PSTUB_MAX];     /* for the n-th InitProducerId */
    int64_t fail_until;             /* monotonic ms: NOT_ENOUGH_REPLICAS before */
    int32_t max_records;            /* more in one batch: MESSAGE_TOO_LARGE; 0: any */
    /* what happened */
    int nproduce, npid;
    int64_t pid_req[PSTUB_MAX]; /* InitProducerId requests: producer id */
    int16_t epoch_req[PSTUB_MAX];
    pstub_batch batches[PSTUB_LOG];
    int nbatches;
    pstub_record log[PSTUB_LOG]; /* the partition's log, offset = index */
    int nlog;
    /* broker state */
    int16_t epoch; /* current epoch of producer 1000, -1 before the first */
    int32_t next_seq;
} pstub;

static inline int64_t pstub_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void pstub_send(int fd, int16_t key, int16_t version, int32_t corr,
                              const void *msg) {
    kfk_wbuf w = {0};
    kfk_wr_i32(&w, 0);
    kfk_response_header_write(&w, key, version, corr);
    kfk_msg_encode(&w, kfk_response_desc(key), version, msg);
    kfk_put_u32(w.data, (uint32_t)(w.len - 4));
    for (size_t off = 0; off < w.len;) {
        ssize_t n = send(fd, w.data + off, w.len - off, MSG_NOSIGNAL);
        if (n <= 0) break;
        off += (size_t)n;
    }
    kfk_wbuf_free(&w);
}

/* Checks one RecordBatch as a broker would; appends it to the log. */
static inline int16_t pstub_batch_in(pstub *s, const uint8_t *b, int32_t len, int64_t *offset) {
    if (len < 61) return KFK_ERR_CORRUPT_MESSAGE;
    kfk_rbuf r = kfk_rbuf_make(b + 43, 18);
    int64_t pid = kfk_rd_i64(&r);
    int16_t epoch = kfk_rd_i16(&r);
    int32_t seq = kfk_rd_i32(&r), count = kfk_rd_i32(&r);
    int16_t err = 0;
    if (s->nproduce <= PSTUB_MAX && s->produce_err[s->nproduce - 1])
        err = s->produce_err[s->nproduce - 1];
    else if (pstub_now() < s->fail_until)
        err = KFK_ERR_NOT_ENOUGH_REPLICAS;
    else if (s->max_records && count > s->max_records)
        err = KFK_ERR_MESSAGE_TOO_LARGE;
    else if (epoch < s->epoch)
        err = KFK_ERR_INVALID_PRODUCER_EPOCH;
    else if (epoch > s->epoch)
        err = KFK_ERR_UNKNOWN_PRODUCER_ID;
    else if (seq < s->next_seq)
        err = KFK_ERR_DUPLICATE_SEQUENCE_NUMBER;
    else if (seq > s->next_seq)
        err = KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
    if (s->nbatches < PSTUB_LOG)
        s->batches[s->nbatches++] = (pstub_batch){pid, epoch, seq, count, err};
    if (err) return err;
    *offset = s->nlog;
    s->next_seq = seq + count;
    /* Each record's value, uncompressed (the tests do not compress). */
    kfk_rbuf rec = kfk_rbuf_make(b + 61, (size_t)len - 61);
    for (int32_t i = 0; i < count && s->nlog < PSTUB_LOG; i++) {
        int32_t rlen = kfk_rd_varint(&rec);
        if (rec.err || rlen < 0 || (size_t)rlen > kfk_rbuf_left(&rec)) break;
        kfk_rbuf one = kfk_rbuf_make(rec.p, (size_t)rlen);
        rec.p += rlen;
        kfk_rd_i8(&one);     /* attributes */
        kfk_rd_varlong(&one); /* timestamp delta */
        kfk_rd_varint(&one); /* offset delta */
        int32_t klen = kfk_rd_varint(&one);
        if (klen > 0) kfk_rbuf_take(&one, (size_t)klen);
        int32_t vlen = kfk_rd_varint(&one);
        pstub_record *out = &s->log[s->nlog++];
        out->epoch = epoch;
        size_t n = vlen > 0 ? (size_t)vlen : 0;
        if (n >= sizeof out->value) n = sizeof out->value - 1;
        if (!one.err && n <= kfk_rbuf_left(&one)) memcpy(out->value, one.p, n);
        out->value[n] = '\0';
    }
    return 0;
}

static inline void pstub_produce(pstub *s, int fd, const kfk_request_header *h, kfk_rbuf *body) {
    kfk_arena a = {0};
    kfk_produce_request req;
    if (kfk_produce_request_decode(body, h->request_api_version, &a, &req) ||
        req.topic_data.count != 1 || req.topic_data.items[0].partition_data.count != 1) {
        kfk_arena_reset(&a);
        return;
    }
    const kfk_produce_request_partition_produce_data *pd =
        &req.topic_data.items[0].partition_data.items[0];
    pthread_mutex_lock(&s->lock);
    s->nproduce++;
    int64_t offset = -1;
    int16_t err = pstub_batch_in(s, pd->records.ptr, pd->records.len, &offset);
    pthread_mutex_unlock(&s->lock);
    kfk_produce_response_partition_produce_response pr = {.index = pd->index, .error_code = err,
                                                          .base_offset = offset,
                                                          .log_append_time_ms = -1,
                                                          .log_start_offset = 0,
                                                          .error_message = {NULL, -1}};
    kfk_produce_response_topic_produce_response tr = {.name = req.topic_data.items[0].name};
    tr.partition_responses.items = &pr;
    tr.partition_responses.count = 1;
    kfk_produce_response m;
    kfk_produce_response_init(&m);
    m.responses.items = &tr;
    m.responses.count = 1;
    pstub_send(fd, h->request_api_key, h->request_api_version, h->correlation_id, &m);
    kfk_arena_reset(&a);
}

static inline void pstub_init_pid(pstub *s, int fd, const kfk_request_header *h, kfk_rbuf *body) {
    kfk_arena a = {0};
    kfk_init_producer_id_request req;
    if (kfk_init_producer_id_request_decode(body, h->request_api_version, &a, &req)) {
        kfk_arena_reset(&a);
        return;
    }
    kfk_init_producer_id_response m;
    kfk_init_producer_id_response_init(&m);
    pthread_mutex_lock(&s->lock);
    int n = s->npid++;
    if (n < PSTUB_MAX) {
        s->pid_req[n] = req.producer_id;
        s->epoch_req[n] = req.producer_epoch;
    }
    m.error_code = n < PSTUB_MAX ? s->pid_err[n] : 0;
    if (!m.error_code) {
        s->epoch++;
        s->next_seq = 0;
        m.producer_id = 1000;
        m.producer_epoch = s->epoch;
    }
    pthread_mutex_unlock(&s->lock);
    pstub_send(fd, h->request_api_key, h->request_api_version, h->correlation_id, &m);
    kfk_arena_reset(&a);
}

static inline void pstub_metadata(pstub *s, int fd, const kfk_request_header *h, kfk_rbuf *body) {
    kfk_arena a = {0};
    kfk_metadata_request req;
    if (kfk_metadata_request_decode(body, h->request_api_version, &a, &req)) {
        kfk_arena_reset(&a);
        return;
    }
    kfk_metadata_response_broker b = {.node_id = 1, .host = {"127.0.0.1", 9}, .port = s->port,
                                      .rack = {NULL, -1}};
    int32_t one = 1;
    kfk_metadata_response_partition part = {.leader_id = 1, .leader_epoch = 0};
    part.replica_nodes.items = part.isr_nodes.items = &one;
    part.replica_nodes.count = part.isr_nodes.count = 1;
    kfk_metadata_response_topic topics[8];
    int32_t nt = req.topics.count > 0 && req.topics.count <= 8 ? req.topics.count : 0;
    for (int32_t i = 0; i < nt; i++) {
        topics[i] = (kfk_metadata_response_topic){.name = req.topics.items[i].name,
                                                  .topic_id = {{1}},
                                                  .topic_authorized_operations = INT32_MIN};
        topics[i].partitions.items = &part;
        topics[i].partitions.count = 1;
    }
    kfk_metadata_response m;
    kfk_metadata_response_init(&m);
    m.brokers.items = &b;
    m.brokers.count = 1;
    m.cluster_id = (kfk_str){"pstub", 5};
    m.controller_id = 1;
    m.topics.items = topics;
    m.topics.count = nt;
    pstub_send(fd, h->request_api_key, h->request_api_version, h->correlation_id, &m);
    kfk_arena_reset(&a);
}

static inline void pstub_request(pstub *s, int fd, const uint8_t *buf, size_t size) {
    kfk_rbuf r = kfk_rbuf_make(buf, size);
    kfk_request_header h;
    if (kfk_request_header_read(&r, &h)) return;
    int16_t key = h.request_api_key;
    if (key == KFK_API_API_VERSIONS) {
        kfk_api_versions_response_api_version keys[] = {
            {.api_key = KFK_API_API_VERSIONS, .min_version = 0, .max_version = 3},
            {.api_key = KFK_API_METADATA, .min_version = 1, .max_version = 12},
            {.api_key = KFK_API_PRODUCE, .min_version = 3, .max_version = 9},
            {.api_key = KFK_API_INIT_PRODUCER_ID, .min_version = 0, .max_version = 4}};
        kfk_api_versions_response m;
        kfk_api_versions_response_init(&m);
        m.api_keys.items = keys;
        m.api_keys.count = 4;
        pstub_send(fd, key, h.request_api_version, h.correlation_id, &m);
    } else if (key == KFK_API_METADATA) {
        pstub_metadata(s, fd, &h, &r);
    } else if (key == KFK_API_PRODUCE) {
        pstub_produce(s, fd, &h, &r);
    } else if (key == KFK_API_INIT_PRODUCER_ID) {
        pstub_init_pid(s, fd, &h, &r);
    }
}

static inline int pstub_read_frame(int fd, uint8_t *buf, size_t cap, size_t *size) {
    uint8_t sz[4];
    for (size_t got = 0; got < 4;) {
        ssize_t n = recv(fd, sz + got, 4 - got, 0);
        if (n <= 0) return -1;
        got += (size_t)n;
    }
    *size = (size_t)sz[0] << 24 | (size_t)sz[1] << 16 | (size_t)sz[2] << 8 | sz[3];
    if (*size > cap) return -1;
    for (size_t got = 0; got < *size;) {
        ssize_t n = recv(fd, buf + got, *size - got, 0);
        if (n <= 0) return -1;
        got += (size_t)n;
    }
    return 0;
}

static inline void *pstub_main(void *arg) {
    pstub *s = arg;
    enum { MAXC = 4 };
    int fds[MAXC], n = 0;
    uint8_t *buf = malloc(1 << 21);
    while (!atomic_load(&s->stop)) {
        struct pollfd p[1 + MAXC] = {{.fd = s->lfd, .events = POLLIN}};
        for (int i = 0; i < n; i++) p[1 + i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
        if (poll(p, (nfds_t)(1 + n), 50) <= 0) continue;
        for (int i = n - 1; i >= 0; i--) {
            size_t size;
            if (!(p[1 + i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            if (pstub_read_frame(fds[i], buf, 1 << 21, &size) == 0) {
                pstub_request(s, fds[i], buf, size);
                continue;
            }
            close(fds[i]);
            fds[i] = fds[--n];
        }
        if ((p[0].revents & POLLIN) && n < MAXC) {
            int fd = accept(s->lfd, NULL, NULL);
            if (fd >= 0) fds[n++] = fd;
        }
    }
    for (int i = 0; i < n; i++) close(fds[i]);
    free(buf);
    return NULL;
}

/* Starts the stub on a free loopback port; 0 or -1. Set scripts before. */
static inline int pstub_start(pstub *s) {
    pthread_mutex_init(&s->lock, NULL);
    s->epoch = -1;
    s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(s->lfd, 8) != 0 || getsockname(s->lfd, (struct sockaddr *)&a, &len) != 0)
        return -1;
    s->port = ntohs(a.sin_port);
    return pthread_create(&s->thread, NULL, pstub_main, s) ? -1 : 0;
}

static inline void pstub_stop(pstub *s) {
    atomic_store(&s->stop, 1);
    pthread_join(s->thread, NULL);
    close(s->lfd);
    pthread_mutex_destroy(&s->lock);
}

#endif
