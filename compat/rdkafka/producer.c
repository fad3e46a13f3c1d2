/* The producer: rd_kafka_produce/producev/produceva/produce_batch on
 * kfk_producer_send, and delivery reports as librdkafka gives them (the
 * message's key and value, its offset, timestamp and status) through
 * dr_msg_cb/dr_cb inside rd_kafka_poll and flush. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rdk_int.h"

/* What a delivery report gives back: librdkafka's reports carry the key
 * and value, which kfk does not keep once batched. One allocation per
 * message (librdkafka makes one too): the record, and with
 * RD_KAFKA_MSG_F_COPY the copies after it. */
typedef struct dr_rec {
    void *msg_opaque;
    rd_kafka_topic_t *rkt;
    void *payload;
    size_t len;
    void *key;
    size_t key_len;
    int free_payload; /* RD_KAFKA_MSG_F_FREE: ours to free after the report */
    int unsent;       /* never sent (no broker): NOT_PERSISTED */
} dr_rec;

static void dr_rec_free(dr_rec *r) {
    if (r->free_payload) free(r->payload);
    free(r);
}

/* The message being sent, for the partitioner callback (same thread). */
static __thread const dr_rec *sending;
/* Reports as events (RD_KAFKA_EVENT_DR): those of one kfk_producer_poll
 * (or flush) go in one event, pushed to the main queue when it returns. */
static __thread struct rd_kafka_op_s *dr_batch;

static int deterministic_for_null_keys(rdk_partitioner_fn fn) {
    return fn == rd_kafka_msg_partitioner_consistent || fn == rd_kafka_msg_partitioner_murmur2 ||
           fn == rd_kafka_msg_partitioner_fnv1a;
}

static int32_t partition_cb(const char *topic, const void *key, size_t key_len, int32_t cnt,
                            void *opaque) {
    rd_kafka_t *rk = opaque;
    rd_kafka_topic_t *rkt =
        sending && strcmp(sending->rkt->name, topic) == 0 ? sending->rkt : rdk_topic_get(rk, topic);
    if (!rkt || !rkt->partitioner) return -1;
    /* As librdkafka: keyless messages stick to a partition for a while
     * (kfk's sticky partitioner) unless the partitioner hashes null keys
     * or sticky.partitioning.linger.ms is 0. */
    if (!key && rk->sticky_null_keys && !deterministic_for_null_keys(rkt->partitioner)) return -1;
    int32_t p = rkt->partitioner(rkt, key, key_len, cnt, rkt->conf->opaque,
                                 sending ? sending->msg_opaque : NULL);
    /* Out of range: kfk refuses the send, librdkafka's UNKNOWN_PARTITION. */
    return p >= 0 && p < cnt ? p : cnt;
}

static void fill_report(rdk_msg *m, rd_kafka_t *rk, const kfk_delivery *d, const dr_rec *r) {
    m->rk = rk;
    m->broker_id = d->broker_id;
    m->latency_us = -1;
    /* a message that ran out of time is librdkafka's MSG_TIMED_OUT; one to a
     * partition the topic lacks fails with the broker's code in kfk, with
     * librdkafka's local one here */
    m->m.err = d->err == KFK_ERR_TIMED_OUT                     ? RD_KAFKA_RESP_ERR__MSG_TIMED_OUT
               : d->err == KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION ? RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION
               : d->err                                        ? rdk_err(d->err)
                                                               : RD_KAFKA_RESP_ERR_NO_ERROR;
    m->m.rkt = r->rkt;
    m->m.partition = d->partition;
    m->m.payload = r->payload;
    m->m.len = r->len;
    m->m.key = r->key;
    m->m.key_len = r->key_len;
    m->m.offset = d->err ? RD_KAFKA_OFFSET_INVALID : d->offset;
    m->m._private = r->msg_opaque;
    m->timestamp = d->timestamp_ms;
    m->tstype = RD_KAFKA_TIMESTAMP_CREATE_TIME;
    m->status = d->err ? RD_KAFKA_MSG_STATUS_NOT_PERSISTED : RD_KAFKA_MSG_STATUS_PERSISTED;
    /* without acks the broker never says it wrote the message */
    if (d->err == KFK_ERR_TIMED_OUT || d->err == KFK_ERR_DESTROYED || (!d->err && r->rkt->acks == 0))
        m->status = RD_KAFKA_MSG_STATUS_POSSIBLY_PERSISTED;
    if (r->unsent) m->status = RD_KAFKA_MSG_STATUS_NOT_PERSISTED;
}

/* Adds the report to this thread's DR event; the message keeps r. */
static int add_to_event(rd_kafka_t *rk, const kfk_delivery *d, dr_rec *r) {
    if (!dr_batch && !(dr_batch = rdk_op_new(rk, RD_KAFKA_EVENT_DR))) return -1;
    struct rd_kafka_op_s *op = dr_batch;
    size_t n = op->msg_cnt;
    if (n == 0 || (n >= 64 && (n & (n - 1)) == 0)) { /* full: 64, 128, 256... */
        rd_kafka_message_t **msgs = realloc(op->msgs, (n ? n * 2 : 64) * sizeof *msgs);
        if (!msgs) return -1;
        op->msgs = msgs;
    }
    rdk_msg *m = rdk_msg_new(rk);
    if (!m) return -1;
    fill_report(m, rk, d, r);
    m->owned = r;
    op->msgs[op->msg_cnt++] = &m->m;
    return 0;
}

static void push_events(rd_kafka_t *rk) {
    if (!dr_batch) return;
    rdk_queue_push(rk->main_q, dr_batch);
    dr_batch = NULL;
}

/* on_acknowledgement: with the report's contents, before the report. */
static void ack(rd_kafka_t *rk, const kfk_delivery *d, const dr_rec *r) {
    rdk_msg m = {0};
    fill_report(&m, rk, d, r);
    rdk_ic_on_ack(rk, &m.m);
    if (m.hdrs) rd_kafka_headers_destroy(m.hdrs);
}

static void deliver(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    rd_kafka_t *rk = opaque;
    dr_rec *r = d->opaque;
    __atomic_fetch_sub(&rk->outq, 1, __ATOMIC_ACQ_REL);
    if (rdk_ic_of(rk, RDK_IC_ACK)) ack(rk, d, r);
    const rd_kafka_conf_t *c = rk->conf;
    if (!rk->destroying && (c->enabled_events & RD_KAFKA_EVENT_DR) &&
        !(rk->dr_only_errors && !d->err)) {
        if (add_to_event(rk, d, r) == 0) return;
    } else if (!rk->destroying && (c->dr_msg_cb || c->dr_cb) && !(rk->dr_only_errors && !d->err)) {
        rdk_msg m = {0};
        fill_report(&m, rk, d, r);
        if (c->dr_msg_cb)
            c->dr_msg_cb(rk, &m.m, c->opaque);
        else
            c->dr_cb(rk, r->payload, r->len, m.m.err, c->opaque, r->msg_opaque);
        if (m.hdrs) rd_kafka_headers_destroy(m.hdrs);
    }
    dr_rec_free(r);
}

void rdk_dr_rec_free(void *rec) { dr_rec_free(rec); }

/* ------------------------------------------------ a handle without brokers */

/* A message produced before the handle has brokers (created without
 * bootstrap.servers, none added yet): it waits here, as in librdkafka's
 * queue, until rd_kafka_brokers_add starts the kfk producer (then it is
 * sent) or message.timeout.ms passes (then it is reported timed out). */
typedef struct pending_msg {
    struct pending_msg *next;
    dr_rec *r;
    int32_t partition;
    int64_t timestamp;
    int64_t deadline_ms;
    rd_kafka_headers_t *headers; /* owned, NULL: none */
} pending_msg;

struct rdk_pending {
    pending_msg *head, *tail;
};

/* Reports the messages whose time ran out (all with flush_all); under no
 * lock. How many. */
static int expire_pending(rd_kafka_t *rk, int all) {
    int64_t now = rdk_now_ms();
    pending_msg *out = NULL, **tail = &out;
    pthread_mutex_lock(&rk->lock);
    pending_msg **pp = rk->pending ? &rk->pending->head : NULL, *last = NULL;
    while (pp && *pp) {
        pending_msg *m = *pp;
        if (all || m->deadline_ms <= now) {
            *pp = m->next;
            m->next = NULL;
            *tail = m;
            tail = &m->next;
        } else {
            last = m;
            pp = &m->next;
        }
    }
    if (rk->pending) rk->pending->tail = last;
    pthread_mutex_unlock(&rk->lock);
    int n = 0;
    for (pending_msg *m = out, *next; m; m = next, n++) {
        next = m->next;
        kfk_delivery d = {.err = KFK_ERR_TIMED_OUT, .errstr = "no broker to send to",
                          .topic = m->r->rkt->name, .partition = m->partition, .offset = -1,
                          .timestamp_ms = m->timestamp, .opaque = m->r, .broker_id = -1};
        m->r->unsent = 1;
        if (all) {
            /* destroyed unsent: no report, but the interceptors that saw it
             * sent learn its end, as librdkafka's purge at destroy */
            d.err = KFK_ERR_DESTROYED;
            if (rdk_ic_of(rk, RDK_IC_ACK)) ack(rk, &d, m->r);
            dr_rec_free(m->r), __atomic_fetch_sub(&rk->outq, 1, __ATOMIC_ACQ_REL);
        } else {
            deliver(NULL, &d, rk);
        }
        if (m->headers) rd_kafka_headers_destroy(m->headers);
        free(m);
    }
    return n;
}

/* Milliseconds to the first pending message's deadline (-1: none). */
static int64_t next_expiry(rd_kafka_t *rk) {
    int64_t min = -1;
    pthread_mutex_lock(&rk->lock);
    for (pending_msg *m = rk->pending ? rk->pending->head : NULL; m; m = m->next)
        if (min < 0 || m->deadline_ms < min) min = m->deadline_ms;
    pthread_mutex_unlock(&rk->lock);
    if (min < 0) return -1;
    min -= rdk_now_ms();
    return min > 0 ? min : 0;
}

static void sleep_ms(int64_t ms) {
    if (ms <= 0) return;
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* rd_kafka_poll/flush without brokers: reports expired messages, waiting
 * up to timeout_ms (-1 forever) for the first (flush: for all). */
static int serve_pending(rd_kafka_t *rk, int timeout_ms, int until_empty) {
    int64_t end = timeout_ms < 0 ? -1 : rdk_now_ms() + timeout_ms;
    int n = 0;
    for (;;) {
        n += expire_pending(rk, 0);
        push_events(rk);
        int64_t next = next_expiry(rk);
        if ((n && !until_empty) || next < 0 || rk->producer) return n;
        int64_t left = end < 0 ? next : end - rdk_now_ms();
        if (left <= 0) return n;
        sleep_ms(next < left ? next + 1 : left);
    }
}

static rd_kafka_resp_err_t produce_pending(rd_kafka_t *rk, rd_kafka_topic_t *rkt, dr_rec *r,
                                           int32_t partition, int64_t timestamp,
                                           rd_kafka_headers_t *headers) {
    pending_msg *m = calloc(1, sizeof *m);
    if (!m) return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    const char *t = rdk_topic_conf_str(rkt->conf, "message.timeout.ms");
    int64_t timeout = t && atoll(t) > 0 ? atoll(t) : 300000;
    *m = (pending_msg){.r = r, .partition = partition, .timestamp = timestamp,
                       .deadline_ms = rdk_now_ms() + timeout, .headers = headers};
    if (!rk->pending && !(rk->pending = calloc(1, sizeof *rk->pending))) {
        free(m);
        return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    }
    if (rk->pending->tail)
        rk->pending->tail->next = m;
    else
        rk->pending->head = m;
    rk->pending->tail = m;
    __atomic_fetch_add(&rk->outq, 1, __ATOMIC_ACQ_REL);
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

/* The handle's kfk producer has just started (under rk->lock): the waiting
 * messages go to it, in order; one it refuses is reported at once. */
static void send_pending(rd_kafka_t *rk) {
    pending_msg *m = rk->pending ? rk->pending->head : NULL;
    if (rk->pending) rk->pending->head = rk->pending->tail = NULL;
    for (pending_msg *next; m; m = next) {
        next = m->next;
        kfk_header hdrs[64];
        size_t nh = m->headers ? rdk_headers_to_kfk(m->headers, hdrs, 64) : 0;
        kfk_message km = {.topic = m->r->rkt->name, .partition = m->partition,
                          .key = m->r->key, .key_len = m->r->key_len,
                          .value = m->r->payload, .value_len = m->r->len,
                          .headers = nh ? hdrs : NULL, .header_count = nh,
                          .timestamp_ms = m->timestamp > 0 ? m->timestamp : 0, .opaque = m->r};
        const dr_rec *was = sending;
        sending = m->r;
        int rc = kfk_producer_send(rk->producer, &km, 0);
        sending = was;
        if (rc) {
            kfk_delivery d = {.err = rc, .topic = km.topic, .partition = m->partition,
                              .offset = -1, .opaque = m->r, .broker_id = -1};
            m->r->unsent = 1;
            deliver(NULL, &d, rk);
        }
        if (m->headers) rd_kafka_headers_destroy(m->headers);
        free(m);
    }
}



static kfk_producer *acks_producer(rd_kafka_t *rk, int i) {
    return __atomic_load_n(&rk->acks_producer[i], __ATOMIC_ACQUIRE);
}

/* Reports of the per-acks producers (their own queues): without waiting. */
static int poll_others(rd_kafka_t *rk) {
    int n = 0;
    for (int i = 0; i < 3; i++)
        if (acks_producer(rk, i)) n += kfk_producer_poll(acks_producer(rk, i), 0);
    return n;
}

int rdk_producer_poll(rd_kafka_t *rk, int timeout_ms) {
    if (!rk->producer) return serve_pending(rk, timeout_ms, 0);
    int n = poll_others(rk);
    n += kfk_producer_poll(rk->producer, n ? 0 : timeout_ms);
    if (timeout_ms) n += poll_others(rk);
    push_events(rk);
    return n;
}

int rdk_producer_flush(rd_kafka_t *rk, int timeout_ms) {
    if (!rk->producer) {
        serve_pending(rk, timeout_ms, 1);
        return next_expiry(rk) < 0 ? 0 : KFK_ERR_TIMED_OUT;
    }
    int64_t end = timeout_ms < 0 ? -1 : rdk_now_ms() + timeout_ms;
    int rc = 0;
    for (int i = 0; i < 3 && !rc; i++) {
        kfk_producer *p = acks_producer(rk, i);
        int64_t left = end < 0 ? -1 : end - rdk_now_ms();
        if (p) rc = kfk_producer_flush(p, end < 0 ? -1 : left > 0 ? (int)left : 0);
    }
    int64_t left = end < 0 ? -1 : end - rdk_now_ms();
    int rc2 = kfk_producer_flush(rk->producer, end < 0 ? -1 : left > 0 ? (int)left : 0);
    push_events(rk);
    return rc ? rc : rc2;
}

int rdk_producer_purge(rd_kafka_t *rk, int kfk_flags) {
    if (!rk->producer) return 0; /* what waits for brokers times out, never sent */
    int rc = kfk_producer_purge(rk->producer, kfk_flags);
    for (int i = 0; i < 3; i++) {
        kfk_producer *p = acks_producer(rk, i);
        int r = p ? kfk_producer_purge(p, kfk_flags) : 0;
        if (!rc) rc = r;
    }
    return rc;
}

/* The kfk producer for a topic: the handle's, or, for a topic whose
 * request.required.acks differs from the handle's, one made for that acks
 * (Kafka's ProduceRequest has one acks; a kfk producer sends with one). A
 * transactional handle has one producer (its transactional.id is its
 * own): its topics use the handle's acks. NULL with *err when the
 * producer cannot be made (e.g. idempotence with acks other than all). */
static kfk_producer *producer_for(rd_kafka_t *rk, const rd_kafka_topic_t *t,
                                  rd_kafka_resp_err_t *err) {
    if (t->acks == rk->acks || t->acks < -1 || t->acks > 1 ||
        *rdk_conf_str(rk->conf, "transactional.id"))
        return rk->producer;
    kfk_producer *p = acks_producer(rk, t->acks + 1);
    if (p) return p;
    pthread_mutex_lock(&rk->lock);
    p = rk->acks_producer[t->acks + 1];
    if (!p && !rk->destroying) {
        char errstr[512] = "", acks[8];
        kfk_conf *kc = rdk_conf_build(rk->conf, RD_KAFKA_PRODUCER, errstr, sizeof errstr);
        snprintf(acks, sizeof acks, "%d", t->acks);
        if (kc && kfk_conf_set(kc, "acks", acks, errstr, sizeof errstr) == 0 &&
            rdk_log_conf(rk, kc, 0, errstr, sizeof errstr) == 0 &&
            rdk_oauth_conf(rk, kc, errstr, sizeof errstr) == 0) {
            kfk_producer_callbacks cbs = {.delivery = deliver, .partitioner = partition_cb,
                                          .opaque = rk};
            p = kfk_producer_new(kc, &cbs, errstr, sizeof errstr);
            if (p) {
                __atomic_store_n(&rk->acks_producer[t->acks + 1], p, __ATOMIC_RELEASE);
                rdk_threads_add(1);
                kc = NULL;
            }
        }
        if (kc) kfk_conf_destroy(kc);
        if (!p)
            rdk_log(rk, 3, "TOPIC", "%s: cannot produce with request.required.acks=%d: %s",
                    t->name, t->acks, errstr);
    }
    pthread_mutex_unlock(&rk->lock);
    if (!p) *err = RD_KAFKA_RESP_ERR__INVALID_ARG;
    return p;
}

/* With reports as events, nothing else polls the producer: this thread
 * does, so that they reach the main queue without the application's poll. */
static void *report_pump(void *arg) {
    rd_kafka_t *rk = arg;
    while (!__atomic_load_n(&rk->destroying, __ATOMIC_ACQUIRE)) rdk_producer_poll(rk, 100);
    return NULL;
}

int rdk_producer_start(rd_kafka_t *rk, kfk_conf *kc, char *errstr, size_t errstr_size) {
    kfk_producer_callbacks cbs = {.delivery = deliver, .partitioner = partition_cb, .opaque = rk};
    const char *linger = rdk_conf_str(rk->conf, "sticky.partitioning.linger.ms");
    rk->sticky_null_keys = !linger || atoi(linger) > 0;
    rk->dr_only_errors = !strcmp(rdk_conf_str(rk->conf, "delivery.report.only.error"), "true");
    const char *acks = rdk_conf_str(rk->conf, "request.required.acks");
    rk->acks = acks && *acks ? atoi(acks) : -1;
    rk->producer = kfk_producer_new(kc, &cbs, errstr, errstr_size);
    if (!rk->producer) {
        kfk_conf_destroy(kc);
        return -1;
    }
    rdk_threads_add(1);
    if ((rk->conf->enabled_events & RD_KAFKA_EVENT_DR) &&
        pthread_create(&rk->report_pump, NULL, report_pump, rk) == 0) {
        rk->report_pump_running = 1;
        rdk_threads_add(1);
    }
    return 0;
}

void rdk_producer_stop(rd_kafka_t *rk) {
    /* messages that never had a broker go without reports, as librdkafka's
     * at destroy */
    expire_pending(rk, 1);
    free(rk->pending);
    rk->pending = NULL;
    if (!rk->producer) return;
    if (rk->report_pump_running) {
        pthread_join(rk->report_pump, NULL);
        rk->report_pump_running = 0;
        rdk_threads_add(-1);
    }
    for (int i = 0; i < 3; i++)
        if (rk->acks_producer[i]) {
            kfk_producer_destroy(rk->acks_producer[i]);
            rk->acks_producer[i] = NULL;
            rdk_threads_add(-1);
        }
    kfk_producer_destroy(rk->producer);
    rk->producer = NULL;
    rdk_threads_add(-1);
}

/* One message, as every produce call gives it. */
typedef struct produce_args {
    rd_kafka_topic_t *rkt;
    const char *topic;
    int32_t partition;
    int msgflags;
    void *payload;
    size_t len;
    const void *key;
    size_t key_len;
    void *msg_opaque;
    int64_t timestamp;
    rd_kafka_headers_t *headers; /* ours on success */
    kfk_header *hdrs;            /* room for kfk's 64 (not zeroed: nhdrs say how many are set) */
    size_t nhdrs;
    int sent_on_send; /* on_send saw it (a handle without brokers that got some meanwhile) */
} produce_args;

/* The message as on_send sees it, as librdkafka's just made message: the
 * partition asked for, no offset, the create time. */
static void send_view(rdk_msg *m, rd_kafka_t *rk, const produce_args *a, const dr_rec *r) {
    *m = (rdk_msg){.rk = rk, .broker_id = -1, .latency_us = -1,
                   .status = RD_KAFKA_MSG_STATUS_NOT_PERSISTED,
                   .tstype = RD_KAFKA_TIMESTAMP_CREATE_TIME};
    m->m = (rd_kafka_message_t){.rkt = r->rkt, .partition = a->partition, .payload = r->payload,
                                .len = r->len, .key = r->key, .key_len = r->key_len,
                                .offset = RD_KAFKA_OFFSET_INVALID, ._private = r->msg_opaque};
    if (a->timestamp > 0) {
        m->timestamp = a->timestamp;
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        m->timestamp = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    }
    m->hdrs = a->headers;
    if (!a->headers && a->nhdrs) {
        m->send_hdrs = a->hdrs;
        m->send_hdr_cnt = a->nhdrs;
    }
}

static void view_done(rdk_msg *m, const produce_args *a) {
    if (m->hdrs && m->hdrs != a->headers) rd_kafka_headers_destroy(m->hdrs);
}

/* on_send; ic_unsent: the message failed at once after it (librdkafka
 * unrolls on_send by on_acknowledgement with that error). */
static void ic_send(rd_kafka_t *rk, const produce_args *a, const dr_rec *r) {
    rdk_msg m;
    send_view(&m, rk, a, r);
    rdk_ic_on_send(rk, &m.m);
    view_done(&m, a);
}

static void ic_unsent(rd_kafka_t *rk, const produce_args *a, const dr_rec *r,
                      rd_kafka_resp_err_t err) {
    if (!rdk_ic_of(rk, RDK_IC_ACK)) return;
    rdk_msg m;
    send_view(&m, rk, a, r);
    m.m.err = err;
    rdk_ic_on_ack(rk, &m.m);
    view_done(&m, a);
}

enum { MAX_HEADERS = 64 }; /* kfk's limit per message */

/* A message for a handle without brokers: checked as kfk would (size
 * against message.max.bytes, partition), then queued. __STATE when the
 * producer started meanwhile (the caller sends it). */
static rd_kafka_resp_err_t produce_no_brokers(rd_kafka_t *rk, produce_args *a) {
    size_t size = a->len + (a->key ? a->key_len : 0);
    for (size_t i = 0; a->headers && i < a->headers->cnt; i++)
        size += strlen(a->headers->v[i].name) + a->headers->v[i].value_len;
    const char *mmb = rdk_conf_str(rk->conf, "message.max.bytes");
    if (mmb && size > (size_t)atoll(mmb)) return RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE;
    int copy = (a->msgflags & RD_KAFKA_MSG_F_COPY) && a->payload;
    dr_rec *r = malloc(sizeof *r + (copy ? a->len : 0) + (a->key ? a->key_len : 0));
    if (!r) return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    char *tail = (char *)(r + 1);
    *r = (dr_rec){.msg_opaque = a->msg_opaque, .rkt = a->rkt, .payload = a->payload,
                  .len = a->len, .key_len = a->key_len};
    if (copy) {
        memcpy(tail, a->payload, a->len);
        r->payload = tail;
        tail += a->len;
    }
    if (a->key) {
        memcpy(tail, a->key, a->key_len);
        r->key = tail;
    }
    if ((a->msgflags & RD_KAFKA_MSG_F_FREE) && !copy) r->free_payload = 1;
    if (rdk_ic_of(rk, RDK_IC_SEND)) {
        ic_send(rk, a, r);
        a->sent_on_send = 1;
    }
    /* after on_send, as librdkafka's partitioner failure */
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (a->partition < RD_KAFKA_PARTITION_UA)
        err = RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION;
    else if (a->headers && rd_kafka_header_cnt(a->headers) > MAX_HEADERS)
        err = RD_KAFKA_RESP_ERR__INVALID_ARG;
    pthread_mutex_lock(&rk->lock);
    if (!err)
        err = rk->producer
                  ? RD_KAFKA_RESP_ERR__STATE
                  : produce_pending(rk, a->rkt, r, a->partition, a->timestamp, a->headers);
    pthread_mutex_unlock(&rk->lock);
    if (err) {
        if (a->sent_on_send && err != RD_KAFKA_RESP_ERR__STATE) ic_unsent(rk, a, r, err);
        free(r);
        return err;
    }
    if (copy && (a->msgflags & RD_KAFKA_MSG_F_FREE)) free(a->payload);
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

static rd_kafka_resp_err_t produce(rd_kafka_t *rk, produce_args *a) {
    if (!rk->producer && !rk->pending_conf) return RD_KAFKA_RESP_ERR__INVALID_ARG;
    if (!a->rkt) {
        if (!a->topic) return RD_KAFKA_RESP_ERR__INVALID_ARG;
        a->rkt = rdk_topic_get(rk, a->topic);
        if (!a->rkt) return RD_KAFKA_RESP_ERR__FAIL;
    }
    if (!__atomic_load_n(&rk->producer, __ATOMIC_ACQUIRE)) {
        rd_kafka_resp_err_t err = produce_no_brokers(rk, a);
        if (err != RD_KAFKA_RESP_ERR__STATE) return err; /* else brokers came meanwhile */
    }
    rd_kafka_resp_err_t perr = RD_KAFKA_RESP_ERR_NO_ERROR;
    kfk_producer *kp = producer_for(rk, a->rkt, &perr);
    if (!kp) return perr;
    int copy = (a->msgflags & RD_KAFKA_MSG_F_COPY) && a->payload;
    dr_rec *r = malloc(sizeof *r + (copy ? a->len : 0) + (a->key ? a->key_len : 0));
    if (!r) return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    char *tail = (char *)(r + 1);
    *r = (dr_rec){.msg_opaque = a->msg_opaque, .rkt = a->rkt, .payload = a->payload,
                  .len = a->len, .key_len = a->key_len};
    if (copy) {
        memcpy(tail, a->payload, a->len);
        r->payload = tail;
        tail += a->len;
    }
    if (a->key) {
        memcpy(tail, a->key, a->key_len);
        r->key = tail;
    }
    if (a->headers) {
        if (!a->hdrs || rd_kafka_header_cnt(a->headers) > MAX_HEADERS) {
            free(r);
            return RD_KAFKA_RESP_ERR__INVALID_ARG;
        }
        a->nhdrs = rdk_headers_to_kfk(a->headers, a->hdrs, MAX_HEADERS);
    }
    if (!a->sent_on_send && rdk_ic_of(rk, RDK_IC_SEND)) {
        ic_send(rk, a, r);
        a->sent_on_send = 1;
    }
    kfk_message m = {.topic = a->rkt->name,
                     .partition = a->partition,
                     .key = a->key,
                     .key_len = a->key_len,
                     .value = a->payload,
                     .value_len = a->len,
                     .headers = a->nhdrs ? a->hdrs : NULL,
                     .header_count = a->nhdrs,
                     .timestamp_ms = a->timestamp > 0 ? a->timestamp : 0,
                     .opaque = r};
    int flags = a->msgflags & RD_KAFKA_MSG_F_BLOCK ? 0 : KFK_SEND_NONBLOCK;
    __atomic_fetch_add(&rk->outq, 1, __ATOMIC_ACQ_REL);
    const dr_rec *was = sending;
    sending = r;
    int rc = kfk_producer_send(kp, &m, flags);
    if (rc == KFK_ERR_NOENT && flags) {
        /* The topic's partitions are not known yet: librdkafka queues such
         * messages until they are; kfk waits for them (max.block.ms). */
        rc = kfk_producer_send(kp, &m, 0);
    }
    sending = was;
    if (rc) {
        __atomic_fetch_sub(&rk->outq, 1, __ATOMIC_ACQ_REL);
        rd_kafka_resp_err_t err;
        switch (rc) {
        case KFK_ERR_QUEUE_FULL: err = RD_KAFKA_RESP_ERR__QUEUE_FULL; break;
        case KFK_ERR_MSG_TOO_LARGE: err = RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE; break;
        case KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION: /* the partition (given or chosen) */
            err = RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION;
            break;
        case KFK_ERR_TIMED_OUT: err = RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC; break;
        default: err = rdk_err(rc); break;
        }
        if (a->sent_on_send) ic_unsent(rk, a, r, err);
        free(r);
        return err;
    }
    if (a->msgflags & RD_KAFKA_MSG_F_FREE) {
        if (copy)
            free(a->payload);
        else
            r->free_payload = 1;
    }
    if (a->headers) rd_kafka_headers_destroy(a->headers);
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

int rd_kafka_produce(rd_kafka_topic_t *rkt, int32_t partition, int msgflags, void *payload,
                     size_t len, const void *key, size_t keylen, void *msg_opaque) {
    produce_args a = {.rkt = rkt, .partition = partition, .msgflags = msgflags,
                      .payload = payload, .len = len, .key = key, .key_len = keylen,
                      .msg_opaque = msg_opaque};
    rd_kafka_resp_err_t err = produce(rkt->rk, &a);
    rdk_set_last_error(err);
    return err ? -1 : 0;
}

/* Collects one vararg or vu element into a; RD_KAFKA_RESP_ERR__CONFLICT
 * when both headers forms are used, as librdkafka. */
static rd_kafka_resp_err_t add_header(produce_args *a, const char *name, const void *val,
                                      ssize_t size) {
    if (a->headers) return RD_KAFKA_RESP_ERR__CONFLICT;
    if (a->nhdrs == MAX_HEADERS) return RD_KAFKA_RESP_ERR__INVALID_ARG;
    size_t n = size < 0 ? (val ? strlen(val) : 0) : (size_t)size;
    a->hdrs[a->nhdrs++] = (kfk_header){.name = name, .value = val, .value_len = n};
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

rd_kafka_resp_err_t rd_kafka_producev(rd_kafka_t *rk, ...) {
    kfk_header hdrs[MAX_HEADERS];
    produce_args a = {.partition = RD_KAFKA_PARTITION_UA, .hdrs = hdrs};
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    va_list ap;
    va_start(ap, rk);
    rd_kafka_vtype_t t;
    while (!err && (t = va_arg(ap, rd_kafka_vtype_t)) != RD_KAFKA_VTYPE_END) {
        switch (t) {
        case RD_KAFKA_VTYPE_TOPIC: a.topic = va_arg(ap, const char *); break;
        case RD_KAFKA_VTYPE_RKT: a.rkt = va_arg(ap, rd_kafka_topic_t *); break;
        case RD_KAFKA_VTYPE_PARTITION: a.partition = va_arg(ap, int32_t); break;
        case RD_KAFKA_VTYPE_VALUE:
            a.payload = va_arg(ap, void *);
            a.len = va_arg(ap, size_t);
            break;
        case RD_KAFKA_VTYPE_KEY:
            a.key = va_arg(ap, const void *);
            a.key_len = va_arg(ap, size_t);
            break;
        case RD_KAFKA_VTYPE_OPAQUE: a.msg_opaque = va_arg(ap, void *); break;
        case RD_KAFKA_VTYPE_MSGFLAGS: a.msgflags = va_arg(ap, int); break;
        case RD_KAFKA_VTYPE_TIMESTAMP: a.timestamp = va_arg(ap, int64_t); break;
        case RD_KAFKA_VTYPE_HEADER: {
            const char *name = va_arg(ap, const char *);
            const void *val = va_arg(ap, const void *);
            ssize_t size = va_arg(ap, ssize_t);
            err = add_header(&a, name, val, size);
            break;
        }
        case RD_KAFKA_VTYPE_HEADERS:
            if (a.nhdrs) err = RD_KAFKA_RESP_ERR__CONFLICT;
            a.headers = va_arg(ap, rd_kafka_headers_t *);
            break;
        default: err = RD_KAFKA_RESP_ERR__INVALID_ARG; break;
        }
    }
    va_end(ap);
    if (!err) err = produce(rk, &a);
    return err;
}

rd_kafka_error_t *rd_kafka_produceva(rd_kafka_t *rk, const rd_kafka_vu_t *vus, size_t cnt) {
    kfk_header hdrs[MAX_HEADERS];
    produce_args a = {.partition = RD_KAFKA_PARTITION_UA, .hdrs = hdrs};
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    for (size_t i = 0; !err && i < cnt; i++) {
        const rd_kafka_vu_t *v = &vus[i];
        switch (v->vtype) {
        case RD_KAFKA_VTYPE_END: break;
        case RD_KAFKA_VTYPE_TOPIC: a.topic = v->u.cstr; break;
        case RD_KAFKA_VTYPE_RKT: a.rkt = v->u.rkt; break;
        case RD_KAFKA_VTYPE_PARTITION: a.partition = v->u.i32; break;
        case RD_KAFKA_VTYPE_VALUE:
            a.payload = v->u.mem.ptr;
            a.len = v->u.mem.size;
            break;
        case RD_KAFKA_VTYPE_KEY:
            a.key = v->u.mem.ptr;
            a.key_len = v->u.mem.size;
            break;
        case RD_KAFKA_VTYPE_OPAQUE: a.msg_opaque = v->u.ptr; break;
        case RD_KAFKA_VTYPE_MSGFLAGS: a.msgflags = v->u.i; break;
        case RD_KAFKA_VTYPE_TIMESTAMP: a.timestamp = v->u.i64; break;
        case RD_KAFKA_VTYPE_HEADER:
            err = add_header(&a, v->u.header.name, v->u.header.val, v->u.header.size);
            break;
        case RD_KAFKA_VTYPE_HEADERS:
            if (a.nhdrs) err = RD_KAFKA_RESP_ERR__CONFLICT;
            a.headers = v->u.headers;
            break;
        default: err = RD_KAFKA_RESP_ERR__INVALID_ARG; break;
        }
    }
    if (!err) err = produce(rk, &a);
    return err ? rdk_error_new(err, 0, 0, 0, "%s", rd_kafka_err2str(err)) : NULL;
}

int rd_kafka_produce_batch(rd_kafka_topic_t *rkt, int32_t partition, int msgflags,
                           rd_kafka_message_t *rkmessages, int message_cnt) {
    int ok = 0;
    for (int i = 0; i < message_cnt; i++) {
        rd_kafka_message_t *m = &rkmessages[i];
        int32_t part = msgflags & RD_KAFKA_MSG_F_PARTITION ? m->partition : partition;
        produce_args a = {.rkt = rkt, .partition = part,
                          .msgflags = msgflags & ~RD_KAFKA_MSG_F_PARTITION,
                          .payload = m->payload, .len = m->len, .key = m->key,
                          .key_len = m->key_len, .msg_opaque = m->_private};
        m->err = produce(rkt->rk, &a);
        if (!m->err) ok++;
    }
    return ok;
}

int rdk_producer_start_late(rd_kafka_t *rk, kfk_conf *kc, char *errstr, size_t errstr_size) {
    pthread_mutex_lock(&rk->lock);
    int rc = rdk_producer_start(rk, kc, errstr, errstr_size);
    if (rc == 0) send_pending(rk);
    pthread_mutex_unlock(&rk->lock);
    return rc;
}
