/* The public share consumer (kfk.h's SHARE CONSUMER section), on the
 * application's thread: lifecycle, poll (takes what the I/O thread
 * fetched), acknowledgements (queued to the I/O thread), commits (asked
 * of the I/O thread; sync ones wait for its answer) and the callback. */
#include <stdio.h>
#include <string.h>

#include "client/core_conf.h"
#include "consumer/chunk.h"
#include "consumer/group.h"
#include "core/alloc.h"
#include "core/portable.h"
#include "core/conf.h"
#include "core/deadline.h"
#include "net/backoff.h"
#include "proto/gen/messages.h"
#include "share/share_int.h"

/* Java's group.share.heartbeat.interval.ms default, until the first answer
 * says otherwise. */
#define HB_INTERVAL_MS 5000

kfk_share_consumer *kfk_share_consumer_new(kfk_conf *conf, char *errstr, size_t errstr_size) {
    if (!conf) {
        snprintf(errstr, errstr_size, "no configuration given");
        return NULL;
    }
    const char *group = kfk_conf_str(conf, KFK_CONF_GROUP_ID);
    if (!group || !*group) {
        snprintf(errstr, errstr_size, "group.id: a share consumer needs the share group's id");
        return NULL;
    }
    kfk_share_consumer *c = kfk_calloc(1, sizeof *c);
    char *g = kfk_strndup(group, strlen(group));
    if (!c || !g) {
        kfk_free(c);
        kfk_free(g);
        snprintf(errstr, errstr_size, "out of memory creating the share consumer");
        return NULL;
    }
    kfk_core_conf core_conf;
    kfk_core_conf_from(&core_conf, conf);
    /* One answer's worth (fetch.max.bytes) and its message structs, at most
     * what a consumer's default prefetch bound makes (2 x 16 MiB). */
    core_conf.rx_pool_bytes = 2 * kfk_conf_int(conf, KFK_CONF_FETCH_MAX_BYTES);
    if (core_conf.rx_pool_bytes > KFK_RX_POOL_FETCH_BYTES)
        core_conf.rx_pool_bytes = KFK_RX_POOL_FETCH_BYTES;
    c->core = kfk_core_new(&core_conf, errstr, errstr_size);
    if (!c->core) {
        kfk_free(g);
        kfk_free(c);
        return NULL;
    }
    c->io = kfk_core_io(c->core);
    c->conf = conf;
    c->group = g;
    c->log = kfk_core_log(c->core);
    c->explicit_acks = kfk_conf_enum(conf, KFK_CONF_SHARE_ACKNOWLEDGEMENT_MODE) == 1;
    c->max_wait_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_FETCH_MAX_WAIT_MS);
    c->min_bytes = (int32_t)kfk_conf_int(conf, KFK_CONF_FETCH_MIN_BYTES);
    c->max_bytes = (int32_t)kfk_conf_int(conf, KFK_CONF_FETCH_MAX_BYTES);
    c->part_max_bytes = (int32_t)kfk_conf_int(conf, KFK_CONF_MAX_PARTITION_FETCH_BYTES);
    c->max_records = (int32_t)kfk_conf_int(conf, KFK_CONF_MAX_POLL_RECORDS);
    c->request_timeout_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_REQUEST_TIMEOUT_MS);
    c->api_timeout_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_DEFAULT_API_TIMEOUT_MS);
    c->retry_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_RETRY_BACKOFF_MS);
    if (c->retry_ms <= 0) c->retry_ms = 100;
    c->check_crcs = kfk_conf_bool(conf, KFK_CONF_CHECK_CRCS);
    uint64_t rng = kfk_rand_seed(c);
    kfk_member_id_random(&rng, c->member_id);
    kfk_smember_init(&c->m, HB_INTERVAL_MS, c->retry_ms);
    pthread_mutex_init(&c->lock, NULL);
    kfk_cond_init_mono(&c->cond); /* deadlines are kfk_deadline_ts's: monotonic */
    c->task.fn = kfk_share_task;
    return c;
}

static void free_strv(char **v, int n) {
    for (int i = 0; i < n; i++) kfk_free(v[i]);
    kfk_free(v);
}

void kfk_share_consumer_destroy(kfk_share_consumer *c) {
    if (!c) return;
    kfk_core_destroy(c->core); /* the I/O thread is gone, every request answered */
    for (int k = 0; k < 2; k++)
        for (kfk_consumer_message *m = k ? c->ph : c->qh, *n; m; m = n) {
            n = kfk_cmsg(m)->next;
            kfk_consumer_message_release(m);
        }
    for (int i = 0; i < c->nparts; i++) {
        kfk_free(c->parts[i]->topic);
        kfk_share_acks_free(&c->parts[i]->acks);
        kfk_free(c->parts[i]);
    }
    kfk_free(c->parts);
    for (int i = 0; i < c->nnodes; i++) kfk_share_session_free(&c->nodes[i].s);
    kfk_free(c->nodes);
    kfk_free(c->renewed);
    kfk_free(c->inbox.v);
    kfk_free(c->outbox.v);
    free_strv(c->topics, c->ntopics);
    free_strv(c->io_topics, c->io_ntopics);
    kfk_partition_list_destroy(c->cb_res);
    kfk_partition_list_destroy(c->sync_res);
    kfk_share_held_free(&c->held);
    kfk_wbuf_free(&c->zbuf);
    kfk_free(c->group);
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->cond);
    kfk_conf_destroy(c->conf);
    kfk_free(c);
}

int kfk_share_consumer_subscribe(kfk_share_consumer *c, const char *const *topics, int n) {
    if (!c || !topics || n <= 0) return KFK_ERR_INVALID_ARG;
    char **v = kfk_calloc((size_t)n, sizeof *v);
    if (!v) return KFK_ERR_NOMEM;
    for (int i = 0; i < n; i++) {
        if (!topics[i] || !*topics[i] || topics[i][0] == '^' ||
            !(v[i] = kfk_strndup(topics[i], strlen(topics[i])))) {
            free_strv(v, i);
            return topics[i] && *topics[i] && topics[i][0] != '^' ? KFK_ERR_NOMEM
                                                                  : KFK_ERR_INVALID_ARG;
        }
    }
    pthread_mutex_lock(&c->lock);
    free_strv(c->topics, c->ntopics);
    c->topics = v;
    c->ntopics = n;
    c->sub_gen++;
    pthread_mutex_unlock(&c->lock);
    kfk_core_metadata_refresh(c->core, topics, n);
    kfk_share_post(c);
    return 0;
}

void kfk_share_consumer_set_ack_cb(kfk_share_consumer *c, kfk_share_ack_cb cb, void *opaque) {
    c->ack_cb = cb;
    c->ack_opaque = opaque;
}

/* ------------------------------------------------------ acknowledgements */

/* Appends to l (sacks_add when full). */
static int sacks_grow(kfk_sacks *l, kfk_spart *part, int64_t first, int64_t last, int8_t type) {
    int cap = l->cap ? l->cap * 2 : 64;
    kfk_sack *v = kfk_realloc(l->v, (size_t)cap * sizeof *v);
    if (!v) return KFK_ERR_NOMEM;
    l->v = v;
    l->cap = cap;
    l->v[l->n++] = (kfk_sack){part, first, last, type};
    return 0;
}

/* Adds one to l, as a continuation of the last entry when it is. */
static inline int sacks_add(kfk_sacks *l, kfk_spart *part, int64_t first, int64_t last,
                            int8_t type) {
    if (l->n) {
        kfk_sack *t = &l->v[l->n - 1];
        if (t->last + 1 == first && t->p == part && t->type == type) {
            t->last = last;
            return 0;
        }
    }
    if (l->n == l->cap) return sacks_grow(l, part, first, last, type);
    l->v[l->n++] = (kfk_sack){part, first, last, type};
    return 0;
}

/* An acknowledgement into the outbox (the application's thread). */
static int push(void *opaque, void *part, int64_t offset, int8_t type) {
    kfk_share_consumer *c = opaque;
    return sacks_add(&c->outbox, part, offset, offset, type);
}

/* Hands the outbox to the I/O thread; under lock. */
static int hand_over(kfk_share_consumer *c) {
    if (!c->outbox.n) return 0;
    if (!c->inbox.n) { /* the usual case: swap the arrays */
        kfk_sacks t = c->inbox;
        c->inbox = c->outbox;
        c->outbox = t;
        c->outbox.n = 0;
        return 0;
    }
    int err = 0, k = 0;
    for (int i = 0; i < c->outbox.n; i++) {
        kfk_sack *e = &c->outbox.v[i];
        if (sacks_add(&c->inbox, e->p, e->first, e->last, e->type)) {
            c->outbox.v[k++] = *e; /* out of memory: kept for the next hand-over */
            err = KFK_ERR_NOMEM;
        }
    }
    c->outbox.n = k;
    return err;
}

/* The messages the last poll returned get their implied acknowledgement
 * (implicit mode: accept); what is done is forgotten. */
static inline int settle(kfk_share_consumer *c) {
    void *part;
    int64_t off;
    if (!c->explicit_acks && kfk_share_held_take_single(&c->held, &part, &off))
        return sacks_add(&c->outbox, part, off, off, KFK_ACK_ACCEPT);
    return c->held.n ? kfk_share_held_settle(&c->held, !c->explicit_acks, push, c) : 0;
}

int kfk_share_consumer_acknowledge(kfk_share_consumer *c, const kfk_consumer_message *m,
                                   int type) {
    if (!c || !m || m->err || kfk_cmsg(m)->kind != KFK_KIND_RECORD || type < KFK_ACK_ACCEPT ||
        type > KFK_ACK_RENEW)
        return KFK_ERR_INVALID_ARG;
    if (!kfk_cmsg(m)->part) return KFK_ERR_STATE; /* not from a share consumer's poll */
    /* Renew needs ShareAcknowledge/ShareFetch v2 (Kafka 4.4): the version
     * this client's ShareFetch went at says whether the broker has it. */
    int can_renew =
        type == KFK_ACK_RENEW && kfk_core_api_version(c->core, KFK_API_SHARE_FETCH) >= 2;
    int err = kfk_share_held_ack(&c->held, kfk_cmsg(m)->part, m, type, can_renew);
    if (!err) err = push(c, kfk_cmsg(m)->part, m->offset, (int8_t)type);
    if (!err && type == KFK_ACK_RENEW) { /* at once: the lock runs */
        pthread_mutex_lock(&c->lock);
        err = hand_over(c);
        pthread_mutex_unlock(&c->lock);
        kfk_share_post(c);
    }
    return err;
}

/* Results the I/O thread left for the callback, on this thread. */
static void run_callback(kfk_share_consumer *c) {
    pthread_mutex_lock(&c->lock);
    kfk_partition_list *res = c->cb_res;
    c->cb_res = NULL;
    atomic_store_explicit(&c->cb_ready, 0, memory_order_relaxed);
    pthread_mutex_unlock(&c->lock);
    if (res && c->ack_cb) c->ack_cb(c, res, c->ack_opaque);
    kfk_partition_list_destroy(res);
}

/* ------------------------------------------------------------------ poll */

/* The next message of ph, remembered as handed out; NULL when ph is
 * empty. *err: out of memory to remember it (the broker gets it back). */
static inline kfk_consumer_message *take(kfk_share_consumer *c, int *err) {
    kfk_consumer_message *m = c->ph;
    if (!m) return NULL;
    c->ph = kfk_cmsg(m)->next;
    kfk_cmsg(m)->next = NULL;
    if ((*err = kfk_share_held_add(&c->held, kfk_cmsg(m)->part, m->offset))) {
        push(c, kfk_cmsg(m)->part, m->offset, KFK_ACK_RELEASE);
        kfk_consumer_message_release(m);
        return NULL;
    }
    return m;
}

/* The renewals the I/O thread saw answered, into held; under lock. */
static void take_renewals(kfk_share_consumer *c) {
    for (int i = 0; i < c->nrenewed; i++) {
        const kfk_srenew *r = &c->renewed[i];
        kfk_share_held_renewed(&c->held, r->p, r->first, r->last, r->err);
    }
    c->nrenewed = 0;
    if (c->renew_lost) kfk_share_held_renewed(&c->held, NULL, 0, INT64_MAX, KFK_ERR_NOMEM);
    c->renew_lost = 0;
    atomic_store_explicit(&c->renew_ready, 0, memory_order_relaxed);
}

/* A renewal is under way, answered, or its answer is to be taken: polls
 * look without the lock. */
static inline int renewals(kfk_share_consumer *c) {
    return c->held.nrenewing || c->held.nrenewed ||
           atomic_load_explicit(&c->renew_ready, memory_order_relaxed);
}

/* Renewed records come back before new ones (Java's order): a poll while
 * a renewal is not answered waits for it. The next renewed record, or
 * NULL (*err: the fatal error, if that ended the wait). */
static kfk_consumer_message *renewed(kfk_share_consumer *c, int timeout_ms, int *err) {
    struct timespec until = kfk_deadline_ts(timeout_ms > 0 ? timeout_ms : 0);
    kfk_consumer_message *m = NULL;
    pthread_mutex_lock(&c->lock);
    for (;;) {
        take_renewals(c);
        if ((m = kfk_share_held_next_renewed(&c->held)) || !kfk_share_held_renewing(&c->held))
            break;
        if (c->fatal) {
            *err = c->fatal;
            break;
        }
        if (timeout_ms < 0) pthread_cond_wait(&c->cond, &c->lock);
        else if (timeout_ms == 0 || kfk_cond_wait_until(&c->cond, &c->lock, &until)) {
            take_renewals(c);
            m = kfk_share_held_next_renewed(&c->held);
            break;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return m;
}

kfk_consumer_message *kfk_share_consumer_poll(kfk_share_consumer *c, int timeout_ms) {
    if (!c) return NULL;
    if (atomic_load_explicit(&c->cb_ready, memory_order_relaxed)) run_callback(c);
    if (c->explicit_acks && kfk_share_held_check(&c->held))
        return kfk_event_new("", -1, KFK_OFFSET_INVALID, KFK_ERR_STATE);
    int err = settle(c);
    if (err) return kfk_event_new("", -1, KFK_OFFSET_INVALID, err);
    if (renewals(c)) {
        kfk_consumer_message *r = renewed(c, timeout_ms, &err);
        if (r || err) return r ? r : kfk_event_new("", -1, KFK_OFFSET_INVALID, err);
        if (kfk_share_held_renewing(&c->held)) return NULL; /* not answered in time */
    }
    /* The steady state: a message of the batch taken before, no lock. */
    kfk_consumer_message *m = take(c, &err);
    if (c->ph) return m ? m : kfk_event_new("", -1, KFK_OFFSET_INVALID, err);
    /* The batch is done (or none was taken): the next one, if the I/O
     * thread has it; else it fetches again (with the acknowledgements)
     * while this message is processed. */
    int wake = 0, waited = 0;
    struct timespec until = {0};
    pthread_mutex_lock(&c->lock);
    for (;;) {
        if (hand_over(c) && !err) err = KFK_ERR_NOMEM;
        if (c->qh && !c->ph) {
            c->ph = c->qh;
            c->qh = c->qt = NULL;
            if (!m && !err) m = take(c, &err);
        }
        if (!c->ph && !c->qh && !c->fetch_wanted) wake = c->fetch_wanted = 1;
        if (m || err || c->fatal) break;
        if (wake) { /* empty: ask for more, then wait */
            pthread_mutex_unlock(&c->lock);
            kfk_share_post(c);
            wake = 0;
            pthread_mutex_lock(&c->lock);
            continue;
        }
        if (c->cb_res) { /* results for the callback: run it here, then wait on */
            pthread_mutex_unlock(&c->lock);
            run_callback(c);
            pthread_mutex_lock(&c->lock);
            continue;
        }
        if (!waited) until = kfk_deadline_ts(timeout_ms > 0 ? timeout_ms : 0);
        waited = 1;
        if (timeout_ms < 0)
            pthread_cond_wait(&c->cond, &c->lock);
        else if (timeout_ms == 0 || kfk_cond_wait_until(&c->cond, &c->lock, &until))
            timeout_ms = 0; /* one last look */
        if (timeout_ms == 0 && !c->qh && !c->cb_res) break;
    }
    int fatal = c->fatal;
    pthread_mutex_unlock(&c->lock);
    if (wake) kfk_share_post(c);
    if (m) return m;
    if (err) return kfk_event_new("", -1, KFK_OFFSET_INVALID, err);
    if (fatal) return kfk_event_new("", -1, KFK_OFFSET_INVALID, fatal);
    return NULL;
}

/* --------------------------------------------------------------- commits */

/* Asks the I/O thread to send every pending acknowledgement now; returns
 * the commit's number. */
static uint64_t ask_commit(kfk_share_consumer *c, int sync, int *err) {
    pthread_mutex_lock(&c->lock);
    if (hand_over(c) && !*err) *err = KFK_ERR_NOMEM;
    uint64_t seq = ++c->commit_seq;
    if (sync) c->sync_seq = seq;
    pthread_mutex_unlock(&c->lock);
    kfk_share_post(c);
    return seq;
}

static int first_error(const kfk_partition_list *l) {
    for (int i = 0; l && i < l->count; i++)
        if (l->elems[i].err) return l->elems[i].err;
    return 0;
}

int kfk_share_consumer_commit_sync(kfk_share_consumer *c, kfk_partition_list **results,
                                   int timeout_ms) {
    if (results) *results = NULL;
    if (!c) return KFK_ERR_INVALID_ARG;
    run_callback(c);
    int err = settle(c);
    uint64_t seq = ask_commit(c, 1, &err);
    struct timespec until = kfk_deadline_ts(timeout_ms > 0 ? timeout_ms : c->api_timeout_ms);
    pthread_mutex_lock(&c->lock);
    int timed_out = 0;
    while (c->commit_done < seq && !c->fatal && !timed_out)
        timed_out = kfk_cond_wait_until(&c->cond, &c->lock, &until) != 0;
    timed_out = c->commit_done < seq;
    kfk_partition_list *res = c->sync_res;
    c->sync_res = NULL;
    int fatal = c->fatal;
    pthread_mutex_unlock(&c->lock);
    if (!res) res = kfk_partition_list_new(1);
    if (!err) err = first_error(res);
    if (!err) err = fatal ? fatal : timed_out ? KFK_ERR_TIMED_OUT : 0;
    if (!res && !err) err = KFK_ERR_NOMEM;
    if (results) *results = res;
    else kfk_partition_list_destroy(res);
    run_callback(c);
    return err;
}

int kfk_share_consumer_commit_async(kfk_share_consumer *c) {
    if (!c) return KFK_ERR_INVALID_ARG;
    run_callback(c);
    int err = settle(c);
    ask_commit(c, 0, &err);
    return err;
}

int kfk_share_consumer_close(kfk_share_consumer *c) {
    if (!c) return 0;
    run_callback(c);
    int err = settle(c);
    pthread_mutex_lock(&c->lock);
    /* What the application still holds, and what it was never handed:
     * back to the group at once. */
    int rc = kfk_share_held_drain(&c->held, KFK_ACK_RELEASE, push, c);
    if (!err) err = rc;
    for (int k = 0; k < 2; k++)
        for (kfk_consumer_message *m = k ? c->qh : c->ph, *n; m; m = n) {
            n = kfk_cmsg(m)->next;
            if (push(c, kfk_cmsg(m)->part, m->offset, KFK_ACK_RELEASE) && !err)
                err = KFK_ERR_NOMEM;
            kfk_consumer_message_release(m);
        }
    c->ph = c->qh = c->qt = NULL;
    if (hand_over(c) && !err) err = KFK_ERR_NOMEM;
    c->closing = 1;
    pthread_mutex_unlock(&c->lock);
    kfk_share_post(c);
    struct timespec until = kfk_deadline_ts(c->api_timeout_ms);
    pthread_mutex_lock(&c->lock);
    while (!c->closed && !kfk_cond_wait_until(&c->cond, &c->lock, &until)) {
    }
    kfk_partition_list *res = c->sync_res;
    c->sync_res = NULL;
    pthread_mutex_unlock(&c->lock);
    run_callback(c);
    if (res && c->ack_cb) c->ack_cb(c, res, c->ack_opaque);
    if (!err) err = first_error(res);
    kfk_partition_list_destroy(res);
    kfk_share_consumer_destroy(c);
    return err;
}
