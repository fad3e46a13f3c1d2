/* Closing the fetch sessions at consumer close (KIP-227), so brokers free
 * their session slots at once instead of after their idle eviction. Best
 * effort: one Fetch per session the last answer confirmed (sessions reset
 * by a lost connection or an error are skipped), each bounded so close
 * waits at most about one round trip more. */
#include <string.h>

#include "consumer/consumer_int.h"
#include "core/alloc.h"

typedef struct close_req close_req;

typedef struct fs_close {
    kfk_task task;
    kfk_consumer *c;
    close_req *reqs; /* I/O thread */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int pending; /* requests out, plus the task until it has sent them */
    int sent, closed;
} fs_close;

struct close_req {
    kfk_core_req r;
    kfk_fetch_request m;
    fs_close *fc;
};

static void release(fs_close *fc, int closed) {
    pthread_mutex_lock(&fc->lock);
    fc->closed += closed;
    if (--fc->pending == 0) pthread_cond_signal(&fc->cond);
    pthread_mutex_unlock(&fc->lock);
}

static int on_close(void *opaque, kfk_response *resp) {
    close_req *q = opaque;
    kfk_consumer *c = q->fc->c;
    int err = resp->err, rc = 0;
    if (!err) {
        kfk_arena a = {0};
        kfk_fetch_response m;
        rc = kfk_fetch_response_decode(&resp->body, resp->version, &a, &m);
        err = rc ? rc : m.error_code;
        kfk_arena_reset(&a);
    }
    if (!err) {
        pthread_mutex_lock(&c->lock);
        c->fs_stats.closed++;
        pthread_mutex_unlock(&c->lock);
    }
    release(q->fc, !err);
    return rc == KFK_ERR_MALFORMED ? rc : 0;
}

/* A Fetch in flight on the same connection is answered first (within
 * fetch.max.wait.ms); the close itself is answered at once. */
static int32_t close_timeout(const kfk_consumer *c) {
    int64_t t = (int64_t)c->cc.fetch_max_wait_ms + 1000;
    return t < c->cc.request_timeout_ms ? (int32_t)t : c->cc.request_timeout_ms;
}

static void send_one(fs_close *fc, close_req *q, kfk_fetch_session *s) {
    kfk_consumer *c = fc->c;
    kfk_fetch_request_init(&q->m);
    if (!kfk_fetch_session_close(s, &q->m)) return;
    q->fc = fc;
    q->m.replica_id = -1;
    q->m.replica_state.replica_id = -1;
    q->m.replica_state.replica_epoch = -1;
    q->m.max_bytes = c->cc.fetch_max_bytes;
    q->m.isolation_level = (int8_t)c->cc.read_committed;
    q->r = (kfk_core_req){.dest = KFK_DEST_NODE, .node_id = s->node};
    /* v7 brought sessions; one made with topic ids closes at v13+. */
    q->r.req = (kfk_request){.api_key = KFK_API_FETCH, .min_version = s->ids ? 13 : 7,
                             .max_version = s->ids ? -1 : 12,
                             .msg = &q->m, .cb = on_close, .opaque = q,
                             .timeout_ms = close_timeout(c)};
    pthread_mutex_lock(&fc->lock);
    fc->pending++;
    fc->sent++;
    pthread_mutex_unlock(&fc->lock);
    if (kfk_core_send(c->core, &q->r)) release(fc, 0);
}

static void close_task(kfk_io *io, kfk_task *t, int err) {
    fs_close *fc = KFK_CONTAINER_OF(t, fs_close, task);
    kfk_consumer *c = fc->c;
    if (!err && c->nsessions) fc->reqs = kfk_calloc((size_t)c->nsessions, sizeof *fc->reqs);
    for (int i = 0; fc->reqs && i < c->nsessions; i++)
        send_one(fc, &fc->reqs[i], &c->sessions[i]);
    release(fc, 0);
}

void kfk_fetch_sessions_close(kfk_consumer *c) {
    fs_close fc = {.c = c, .pending = 1};
    fc.task.fn = close_task;
    pthread_mutex_init(&fc.lock, NULL);
    pthread_cond_init(&fc.cond, NULL);
    if (kfk_io_post(c->io, &fc.task) == 0) {
        pthread_mutex_lock(&fc.lock);
        while (fc.pending) pthread_cond_wait(&fc.cond, &fc.lock);
        pthread_mutex_unlock(&fc.lock);
    }
    if (fc.sent) kfk_consumer_log(c, "fetch sessions closed: %d of %d", fc.closed, fc.sent);
    kfk_free(fc.reqs);
    pthread_cond_destroy(&fc.cond);
    pthread_mutex_destroy(&fc.lock);
}
