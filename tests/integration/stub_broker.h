/* A test-only broker stub: one thread, a few client connections.
 * It answers ApiVersions and Metadata correctly (itself as node 1) and
 * every Fetch with whatever the test queued: a hostile frame (raw bytes,
 * size prefix included) or, when nothing is queued, a valid empty
 * FetchResponse v4.
 *
 * Scripted (stub_script_topic): it also leads one topic whose partitions
 * all hold the same log of one-record batches (key "k-<offset>", value
 * "<tag>-<offset>", each with its leader epoch), and answers Metadata
 * (leader epoch), ListOffsets, OffsetForLeaderEpoch and Fetch up to v12
 * (with fetch sessions) from it, with one-shot Fetch errors or diverging
 * epochs the test arms; it records what it was asked (stub_fetch_seen).
 * Crafted answers only: never a stand-in for a real broker's behaviour
 * beyond what a test scripts. Header-only. */
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

#include "core/arena.h"
#include "core/buf.h"
#include "proto/proto.h"
#include "records/batch.h"

#define STUB_CONNS 4
#define STUB_LOG_MAX 64
#define STUB_PARTS 8
#define STUB_SEEN_MAX 512

/* One Fetch as the stub saw and answered it (partition 0's part). */
typedef struct stub_fetch_seen {
    int64_t offset; /* fetch offset: listed, or the session's */
    int32_t session_id, session_epoch;
    int32_t current_leader_epoch, last_fetched_epoch; /* -2: not listed */
    int16_t err;         /* the error answered */
    int diverged;        /* answered with a diverging epoch */
    int metadata_before; /* Metadata requests seen before this Fetch */
} stub_fetch_seen;

typedef struct stub_script {
    char topic[128]; /* "": not scripted */
    int32_t partitions, leader_epoch;
    int64_t log_end;
    int32_t epoch_of[STUB_LOG_MAX];
    char tag_of[STUB_LOG_MAX];
    int per_fetch; /* records per partition per answer, at most */
    /* One-shot: the next Fetch at fetch_err_at or past it gets fetch_err. */
    int16_t fetch_err;
    int64_t fetch_err_at;
    /* One-shot: the next Fetch gets this diverging epoch. */
    int div_armed;
    int32_t div_epoch;
    int64_t div_end;
    int32_t next_session;
    int64_t pos[STUB_PARTS]; /* the session's fetch offsets; -1: not in it */
    stub_fetch_seen seen[STUB_SEEN_MAX];
    int nseen, metadata, list_offsets, ofle, ofle_max_parts;
} stub_script;

typedef struct stub_broker {
    int lfd, port;
    pthread_t thread;
    atomic_int stop;
    pthread_mutex_t lock;
    uint8_t *evil; /* the next Fetch answer, a whole frame; NULL: a good one */
    size_t evil_len;
    atomic_int connections, fetches;
    stub_script sc; /* under lock */
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

/* ------------------------------------------------------------ scripted */

static inline int stub_scripted(stub_broker *s) {
    pthread_mutex_lock(&s->lock);
    int on = s->sc.topic[0] != 0;
    pthread_mutex_unlock(&s->lock);
    return on;
}

static inline int stub_is_topic(const stub_script *sc, kfk_str t) {
    return t.len == (int32_t)strlen(sc->topic) && memcmp(t.ptr, sc->topic, (size_t)t.len) == 0;
}

static inline void stub_versions(int fd, int16_t v, int32_t corr) {
    kfk_api_versions_response_api_version keys[] = {
        {.api_key = KFK_API_API_VERSIONS, .min_version = 0, .max_version = 4},
        {.api_key = KFK_API_METADATA, .min_version = 1, .max_version = 12},
        {.api_key = KFK_API_FETCH, .min_version = 4, .max_version = 12},
        {.api_key = KFK_API_LIST_OFFSETS, .min_version = 1, .max_version = 7},
        {.api_key = KFK_API_OFFSET_FOR_LEADER_EPOCH, .min_version = 3, .max_version = 4}};
    kfk_api_versions_response m;
    kfk_api_versions_response_init(&m);
    m.api_keys.items = keys;
    m.api_keys.count = 5;
    stub_reply(fd, KFK_API_API_VERSIONS, v, corr, kfk_response_desc(KFK_API_API_VERSIONS), &m);
}

/* The topic, every partition led by the stub (node 1) at leader_epoch. */
static inline void stub_metadata_topic(stub_script *sc, kfk_metadata_response *m,
                                       kfk_metadata_response_topic *t,
                                       kfk_metadata_response_partition *parts, int32_t *one) {
    sc->metadata++;
    if (!sc->topic[0]) return;
    *one = 1;
    for (int32_t i = 0; i < sc->partitions; i++)
        parts[i] = (kfk_metadata_response_partition){
            .partition_index = i, .leader_id = 1, .leader_epoch = sc->leader_epoch,
            .replica_nodes = {one, 1}, .isr_nodes = {one, 1}};
    *t = (kfk_metadata_response_topic){.name = {sc->topic, (int32_t)strlen(sc->topic)},
                                       .partitions = {parts, sc->partitions},
                                       .topic_authorized_operations = INT32_MIN};
    m->topics.items = t;
    m->topics.count = 1;
}

static inline void stub_list_offsets(stub_broker *s, int fd, int16_t v, int32_t corr,
                                     kfk_rbuf *body) {
    kfk_arena a = {0};
    kfk_list_offsets_request rq;
    kfk_list_offsets_response_partition_response pr[STUB_PARTS];
    kfk_list_offsets_response_topic_response tr = {0};
    kfk_list_offsets_response m;
    kfk_list_offsets_response_init(&m);
    pthread_mutex_lock(&s->lock);
    stub_script *sc = &s->sc;
    sc->list_offsets++;
    if (kfk_list_offsets_request_decode(body, v, &a, &rq) == 0 && rq.topics.count == 1) {
        tr.name = rq.topics.items[0].name;
        for (int32_t i = 0; i < rq.topics.items[0].partitions.count && i < STUB_PARTS; i++) {
            const kfk_list_offsets_request_partition *rp = &rq.topics.items[0].partitions.items[i];
            pr[i] = (kfk_list_offsets_response_partition_response){
                .partition_index = rp->partition_index, .timestamp = -1,
                .offset = rp->timestamp == -2 ? 0 : sc->log_end,
                .leader_epoch = sc->leader_epoch};
            tr.partitions.count++;
        }
        tr.partitions.items = pr;
        m.topics.items = &tr;
        m.topics.count = 1;
    }
    pthread_mutex_unlock(&s->lock);
    stub_reply(fd, KFK_API_LIST_OFFSETS, v, corr, kfk_response_desc(KFK_API_LIST_OFFSETS), &m);
    kfk_arena_reset(&a);
}

/* Where the log ends the largest epoch <= epoch (the broker's rule). */
static inline void stub_epoch_end(const stub_script *sc, int32_t epoch, int32_t *end_epoch,
                                  int64_t *end_offset) {
    *end_epoch = -1;
    *end_offset = -1;
    for (int64_t o = 0; o < sc->log_end; o++) {
        if (sc->epoch_of[o] > epoch) {
            if (*end_epoch >= 0) *end_offset = o;
            return;
        }
        *end_epoch = sc->epoch_of[o];
    }
    if (*end_epoch >= 0) *end_offset = sc->log_end;
}

static inline void stub_ofle(stub_broker *s, int fd, int16_t v, int32_t corr, kfk_rbuf *body) {
    kfk_arena a = {0};
    kfk_offset_for_leader_epoch_request rq;
    kfk_offset_for_leader_epoch_response_epoch_end_offset e[STUB_PARTS];
    kfk_offset_for_leader_epoch_response_offset_for_leader_topic_result tr = {0};
    kfk_offset_for_leader_epoch_response m;
    kfk_offset_for_leader_epoch_response_init(&m);
    pthread_mutex_lock(&s->lock);
    stub_script *sc = &s->sc;
    sc->ofle++;
    if (kfk_offset_for_leader_epoch_request_decode(body, v, &a, &rq) == 0 && rq.topics.count == 1) {
        const kfk_offset_for_leader_epoch_request_offset_for_leader_topic *t = &rq.topics.items[0];
        tr.topic = t->topic;
        if (t->partitions.count > sc->ofle_max_parts) sc->ofle_max_parts = t->partitions.count;
        for (int32_t i = 0; i < t->partitions.count && i < STUB_PARTS; i++) {
            e[i] = (kfk_offset_for_leader_epoch_response_epoch_end_offset){
                .partition = t->partitions.items[i].partition};
            stub_epoch_end(sc, t->partitions.items[i].leader_epoch, &e[i].leader_epoch,
                           &e[i].end_offset);
            tr.partitions.count++;
        }
        tr.partitions.items = e;
        m.topics.items = &tr;
        m.topics.count = 1;
    }
    pthread_mutex_unlock(&s->lock);
    stub_reply(fd, KFK_API_OFFSET_FOR_LEADER_EPOCH, v, corr,
               kfk_response_desc(KFK_API_OFFSET_FOR_LEADER_EPOCH), &m);
    kfk_arena_reset(&a);
}

/* Up to per_fetch one-record batches from `from`, each with its epoch. */
static inline void stub_records(const stub_script *sc, int64_t from, kfk_wbuf *out) {
    for (int64_t o = from; o >= 0 && o < sc->log_end && o < from + sc->per_fetch; o++) {
        char k[32], val[32];
        int kl = snprintf(k, sizeof k, "k-%lld", (long long)o);
        int vl = snprintf(val, sizeof val, "%c-%lld", sc->tag_of[o], (long long)o);
        kfk_batch_builder b;
        kfk_batch_opts opts = KFK_BATCH_OPTS_INIT;
        opts.base_offset = o;
        opts.partition_leader_epoch = sc->epoch_of[o];
        if (kfk_batch_builder_init(&b, out) ||
            kfk_batch_append(&b, 0, (kfk_bytes){(const uint8_t *)k, kl},
                             (kfk_bytes){(const uint8_t *)val, vl}, NULL, 0) < 0 ||
            kfk_batch_finish(&b, &opts, NULL))
            return;
    }
}

/* Notes the fetch offsets the request lists (a full one replaces the session). */
static inline void stub_fetch_note(stub_script *sc, const kfk_fetch_request *rq,
                                   stub_fetch_seen *seen) {
    if (rq->session_epoch <= 0)
        for (int i = 0; i < STUB_PARTS; i++) sc->pos[i] = -1;
    for (int32_t t = 0; t < rq->topics.count; t++) {
        if (!stub_is_topic(sc, rq->topics.items[t].topic)) continue;
        for (int32_t j = 0; j < rq->topics.items[t].partitions.count; j++) {
            const kfk_fetch_request_partition *rp = &rq->topics.items[t].partitions.items[j];
            if (rp->partition < 0 || rp->partition >= STUB_PARTS) continue;
            sc->pos[rp->partition] = rp->fetch_offset;
            if (rp->partition != 0) continue;
            seen->current_leader_epoch = rp->current_leader_epoch;
            seen->last_fetched_epoch = rp->last_fetched_epoch;
        }
    }
    seen->offset = sc->pos[0];
}

static inline void stub_fetch(stub_broker *s, int fd, int16_t v, int32_t corr, kfk_rbuf *body) {
    kfk_arena a = {0};
    kfk_fetch_request rq;
    if (kfk_fetch_request_decode(body, v, &a, &rq)) {
        kfk_arena_reset(&a);
        return;
    }
    kfk_fetch_response_partition_data pd[STUB_PARTS];
    kfk_wbuf recs[STUB_PARTS];
    memset(recs, 0, sizeof recs);
    kfk_fetch_response_fetchable_topic_response tr = {.partitions = {pd, 0}};
    kfk_fetch_response m;
    kfk_fetch_response_init(&m);
    int empty = 1;
    pthread_mutex_lock(&s->lock);
    stub_script *sc = &s->sc;
    stub_fetch_seen seen = {.session_epoch = rq.session_epoch, .session_id = rq.session_id,
                            .current_leader_epoch = -2, .last_fetched_epoch = -2,
                            .metadata_before = sc->metadata};
    stub_fetch_note(sc, &rq, &seen);
    if (rq.session_epoch == 0) m.session_id = ++sc->next_session;
    else if (rq.session_epoch > 0) m.session_id = rq.session_id;
    int16_t err = 0;
    if (sc->fetch_err && seen.offset >= sc->fetch_err_at) {
        err = sc->fetch_err;
        sc->fetch_err = 0;
    }
    int diverge = !err && sc->div_armed;
    sc->div_armed = 0;
    for (int32_t i = 0; i < sc->partitions && i < STUB_PARTS; i++) {
        if (sc->pos[i] < 0) continue;
        kfk_fetch_response_partition_data *d = &pd[tr.partitions.count++];
        *d = (kfk_fetch_response_partition_data){
            .partition_index = i, .error_code = err, .high_watermark = sc->log_end,
            .last_stable_offset = sc->log_end, .log_start_offset = 0,
            .diverging_epoch = {-1, -1}, .current_leader = {-1, -1}, .snapshot_id = {-1, -1},
            .preferred_read_replica = -1, .records = {NULL, -1}};
        if (diverge) d->diverging_epoch = (kfk_fetch_response_epoch_end_offset){sc->div_epoch,
                                                                               sc->div_end};
        if (err || diverge) continue;
        stub_records(sc, sc->pos[i], &recs[i]);
        d->records = (kfk_bytes){recs[i].data, (int32_t)recs[i].len};
        empty &= recs[i].len == 0;
    }
    seen.err = err;
    seen.diverged = diverge;
    if (sc->nseen < STUB_SEEN_MAX) sc->seen[sc->nseen++] = seen;
    if (tr.partitions.count) {
        tr.topic = (kfk_str){sc->topic, (int32_t)strlen(sc->topic)};
        m.responses.items = &tr;
        m.responses.count = 1;
    }
    kfk_wbuf w = {0};
    kfk_wr_i32(&w, 0);
    kfk_wr_i32(&w, corr);
    if (kfk_response_header_version(KFK_API_FETCH, v) >= 1) kfk_wr_uvarint(&w, 0);
    kfk_fetch_response_encode(&w, v, &m);
    kfk_put_u32(w.data, (uint32_t)(w.len - 4));
    pthread_mutex_unlock(&s->lock);
    /* Nothing to send: a broker would hold the answer up to max_wait_ms. */
    if (empty && !err && !diverge && rq.max_wait_ms > 0)
        usleep((useconds_t)(rq.max_wait_ms < 100 ? rq.max_wait_ms : 100) * 1000);
    stub_write_all(fd, w.data, w.len);
    kfk_wbuf_free(&w);
    for (int i = 0; i < STUB_PARTS; i++) kfk_wbuf_free(&recs[i]);
    kfk_arena_reset(&a);
}

/* ------------------------------------------------------------- answers */

static inline void stub_answer(stub_broker *s, int fd, const kfk_request_header *h,
                               kfk_rbuf *body) {
    int16_t key = h->request_api_key, v = h->request_api_version;
    int32_t corr = h->correlation_id;
    if (stub_scripted(s)) {
        if (key == KFK_API_API_VERSIONS) stub_versions(fd, v, corr);
        else if (key == KFK_API_LIST_OFFSETS) stub_list_offsets(s, fd, v, corr, body);
        else if (key == KFK_API_OFFSET_FOR_LEADER_EPOCH) stub_ofle(s, fd, v, corr, body);
        else if (key == KFK_API_FETCH) stub_fetch(s, fd, v, corr, body);
        if (key != KFK_API_METADATA) return;
    }
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
        kfk_metadata_response_topic t;
        kfk_metadata_response_partition parts[STUB_PARTS];
        int32_t one;
        pthread_mutex_lock(&s->lock);
        stub_metadata_topic(&s->sc, &m, &t, parts, &one);
        stub_reply(fd, key, v, corr, kfk_response_desc(key), &m);
        pthread_mutex_unlock(&s->lock);
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
    if (kfk_request_header_read(&r, &h) == 0) stub_answer(s, fd, &h, &r);
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

/* Makes the stub lead topic (partitions of it) at leader_epoch, with an
 * empty log and per_fetch records per answer at most. */
static inline void stub_script_topic(stub_broker *s, const char *topic, int32_t partitions,
                                     int32_t leader_epoch, int per_fetch) {
    pthread_mutex_lock(&s->lock);
    snprintf(s->sc.topic, sizeof s->sc.topic, "%s", topic);
    s->sc.partitions = partitions < STUB_PARTS ? partitions : STUB_PARTS;
    s->sc.leader_epoch = leader_epoch;
    s->sc.per_fetch = per_fetch;
    s->sc.next_session = 100;
    for (int i = 0; i < STUB_PARTS; i++) s->sc.pos[i] = -1;
    pthread_mutex_unlock(&s->lock);
}

/* Cuts the log to `end` records (under lock). */
static inline void stub_truncate_locked(stub_broker *s, int64_t end) {
    if (end < s->sc.log_end) s->sc.log_end = end;
}

/* Appends n records of epoch whose values start with tag (under lock). */
static inline void stub_append_locked(stub_broker *s, int n, int32_t epoch, char tag) {
    for (int i = 0; i < n && s->sc.log_end < STUB_LOG_MAX; i++) {
        s->sc.epoch_of[s->sc.log_end] = epoch;
        s->sc.tag_of[s->sc.log_end++] = tag;
    }
}

static inline void stub_append(stub_broker *s, int n, int32_t epoch, char tag) {
    pthread_mutex_lock(&s->lock);
    stub_append_locked(s, n, epoch, tag);
    pthread_mutex_unlock(&s->lock);
}

/* The next Fetch at offset `at` or past it is answered with err. */
static inline void stub_fail_fetch_at(stub_broker *s, int64_t at, int16_t err) {
    pthread_mutex_lock(&s->lock);
    s->sc.fetch_err = err;
    s->sc.fetch_err_at = at;
    pthread_mutex_unlock(&s->lock);
}

/* Copies what the stub has seen so far. */
static inline void stub_seen(stub_broker *s, stub_script *out) {
    pthread_mutex_lock(&s->lock);
    *out = s->sc;
    pthread_mutex_unlock(&s->lock);
}

#endif
