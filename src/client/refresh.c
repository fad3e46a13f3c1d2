#include <stdio.h>
#include <string.h>
#include <time.h>

#include "client/core_int.h"
#include "core/alloc.h"
#include "core/portable.h"
#include "kfk.h"
#include "net/backoff.h"

/* Adds names to the interest set; how many of them no Metadata request has
 * named yet. Caller holds the lock. */
int kfk_core_add_interest(kfk_core *c, const char *const *topics, int n) {
    int added = 0;
    for (int i = 0; i < n; i++) {
        int known = 0, j;
        for (j = 0; j < c->ninterest && !known; j++)
            known = strcmp(c->interest[j], topics[i]) == 0;
        if (known) {
            added += j - 1 >= c->interest_asked;
            continue;
        }
        if (c->ninterest == c->capinterest) {
            int cap = c->capinterest ? c->capinterest * 2 : 8;
            char **v = kfk_realloc(c->interest, (size_t)cap * sizeof *v);
            if (!v) return added; /* the topic just is not refreshed periodically */
            c->interest = v;
            c->capinterest = cap;
        }
        char *name = kfk_strndup(topics[i], strlen(topics[i]));
        if (name) c->interest[c->ninterest++] = name;
        added += name != NULL;
    }
    return added;
}

/* ------------------------------------------------------- metadata refresh */

static void md_set_error(kfk_core *c, int err, const char *errstr) {
    pthread_mutex_lock(&c->lock);
    c->md_err = err;
    c->md_err_seq++;
    snprintf(c->md_errstr, sizeof c->md_errstr, "%s", errstr ? errstr : kfk_err_str(err));
    /* Waiters give up at once on what retrying will not fix (a refused
     * certificate or password). */
    if (!kfk_err_retriable(err)) pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

static void md_retry(kfk_core *c) {
    int64_t wait = kfk_backoff_ms(c->conf.retry_backoff_ms, c->conf.retry_backoff_max_ms,
                                  c->md_attempts++, kfk_io_rng(c->io));
    c->md_full_due = kfk_io_now(c->io) + wait;
    kfk_io_timer_set(c->io, &c->md_timer, c->md_full_due);
}

/* Whether the topics someone cares about need another refresh soon: a
 * missing leader always does; other retriable errors (an unknown topic
 * being auto-created) only while a request or a thread waits on them. */
static int md_problem(kfk_core *c) {
    int urgent = !kfk_list_empty(&c->parked);
    int problem = 0;
    pthread_mutex_lock(&c->lock);
    urgent |= c->waiters > 0 || c->data_waits;
    for (int i = 0; i < c->ninterest && !problem; i++) {
        const kfk_md_topic *t = kfk_metadata_topic(c->md, c->interest[i]);
        if (!t)
            problem = urgent;
        else if (t->err)
            problem = t->err == KFK_ERR_LEADER_NOT_AVAILABLE ||
                      (urgent && kfk_err_retriable(t->err));
        else
            problem = !kfk_metadata_topic_ready(t);
    }
    pthread_mutex_unlock(&c->lock);
    return problem;
}

void kfk_core_rebootstrap(kfk_core *c) {
    if (!c->conf.rebootstrap || c->brokers.bootstrap) return;
    if (kfk_brokers_rebootstrap(&c->brokers) != 0) return; /* the known brokers stay */
    KFK_DBG(&c->conf.log, KFK_DBG_METADATA, NULL, "rebootstrap: starting over from %s",
            c->conf.bootstrap_servers);
    c->md_failing_since = 0;
    pthread_mutex_lock(&c->lock);
    c->stats.rebootstraps++;
    pthread_mutex_unlock(&c->lock);
    kfk_core_md_request(c);
}

/* A refresh failed: retry, and start over from the bootstrap servers once
 * refreshes have failed for metadata.recovery.rebootstrap.trigger.ms
 * (KIP-1102) or the broker asks for it. */
static void md_failed(kfk_core *c, int err) {
    md_retry(c);
    if (!c->md_failing_since) c->md_failing_since = c->md_last_sent;
    if (err == KFK_ERR_REBOOTSTRAP_REQUIRED ||
        kfk_io_now(c->io) - c->md_failing_since >= c->conf.rebootstrap_trigger_ms)
        kfk_core_rebootstrap(c);
}

/* Topic debug lines: topics appearing or failing, leaders moving. */
static void log_topic_changes(kfk_core *c, const kfk_metadata *old, const kfk_metadata *md) {
    const kfk_log *log = &c->conf.log;
    for (int32_t i = 0; i < md->ntopics; i++) {
        const kfk_md_topic *t = &md->topics[i];
        const kfk_md_topic *o = old ? kfk_metadata_topic(old, t->name) : NULL;
        if (t->err && (!o || o->err != t->err))
            kfk_log_emit(log, KFK_LOG_DEBUG, KFK_DBG_TOPIC, NULL, "topic %s: %s", t->name,
                         kfk_err_name(t->err));
        if (!o || o->npartitions != t->npartitions)
            kfk_log_emit(log, KFK_LOG_DEBUG, KFK_DBG_TOPIC, NULL, "topic %s: %d partitions",
                         t->name, (int)t->npartitions);
        for (int32_t j = 0; j < t->npartitions; j++) {
            const kfk_md_partition *p = &t->partitions[j];
            const kfk_md_partition *op = o ? kfk_metadata_partition(o, p->id) : NULL;
            if (op && op->leader == p->leader && op->leader_epoch == p->leader_epoch) continue;
            kfk_log_emit(log, KFK_LOG_DEBUG, KFK_DBG_TOPIC, NULL,
                         "%s [%d]: leader %d (epoch %d), was %d", t->name, (int)p->id,
                         (int)p->leader, (int)p->leader_epoch, op ? (int)op->leader : -1);
        }
    }
}

static void md_publish(kfk_core *c, kfk_metadata *md, int all) {
    pthread_mutex_lock(&c->lock);
    kfk_metadata *old = c->md;
    c->md = md;
    c->md_seq++;
    if (all) c->md_all_seq = c->md_seq;
    c->md_err = 0;
    c->stats.metadata_updates++;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
    kfk_metadata_unref(old);
}

static int md_on_response(void *opaque, kfk_response *resp) {
    kfk_core *c = opaque;
    int all = c->md_inflight_all, new_only = c->md_inflight_new;
    c->md_inflight = 0;
    kfk_arena_reset(&c->md_arena);
    if (resp->err == KFK_ERR_DESTROYED) return 0;
    int rc = 0;
    if (resp->err) {
        KFK_DBG(&c->conf.log, KFK_DBG_METADATA, NULL, "Metadata request failed: %s (%s)",
                resp->errstr ? resp->errstr : "", kfk_err_name(resp->err));
        md_set_error(c, resp->err, resp->errstr);
        md_failed(c, resp->err);
    } else {
        kfk_arena a = {0};
        kfk_metadata_response m;
        kfk_rbuf body = resp->body;
        rc = kfk_metadata_response_decode(&body, resp->version, &a, &m);
        kfk_metadata *md = NULL;
        if (!rc && !m.error_code)
            md = kfk_metadata_build(c->md, &m, all, kfk_io_now(c->io));
        if (!md) {
            int err = rc ? rc : m.error_code ? m.error_code : KFK_ERR_NOMEM;
            char msg[80];
            snprintf(msg, sizeof msg, "Metadata response from node %d: %s", (int)resp->node_id,
                     kfk_err_name(err));
            KFK_DBG(&c->conf.log, KFK_DBG_METADATA, NULL, "%s", msg);
            md_set_error(c, err, msg);
            md_failed(c, err);
        }
        kfk_arena_reset(&a);
        if (md) {
            KFK_DBG(&c->conf.log, KFK_DBG_METADATA, kfk_core_broker_name(c, resp->node_id),
                    "Metadata v%d from node %d: %d brokers, %d topics, controller %d, cluster %s",
                    (int)resp->version, (int)resp->node_id, (int)m.brokers.count,
                    (int)m.topics.count, (int)md->controller_id,
                    md->cluster_id ? md->cluster_id : "(unknown)");
            if (kfk_log_on(&c->conf.log, KFK_DBG_TOPIC)) log_topic_changes(c, c->md, md);
            c->md_failing_since = 0;
            md_publish(c, md, all);
            kfk_brokers_update(&c->brokers, md);
            kfk_core_reroute_parked(c);
            if (md_problem(c)) {
                md_retry(c);
            } else if (new_only) {
                /* The others' refresh stays when it was due. */
                kfk_io_timer_set(c->io, &c->md_timer, c->md_full_due);
            } else {
                /* Like Java, never sooner than retry.backoff.ms (max age may be 0). */
                int32_t age = c->conf.metadata_max_age_ms;
                if (age < c->conf.retry_backoff_ms) age = c->conf.retry_backoff_ms;
                c->md_attempts = 0;
                c->md_full_due = kfk_io_now(c->io) + age;
                kfk_io_timer_set(c->io, &c->md_timer, c->md_full_due);
            }
            if (c->md_hook) c->md_hook(c->md_hook_opaque);
        }
    }
    if (c->md_again) {
        c->md_again = 0;
        kfk_core_md_request(c);
    }
    return rc == KFK_ERR_MALFORMED ? rc : 0;
}

static void md_send(kfk_core *c) {
    kfk_metadata_request *m = &c->md_msg;
    kfk_metadata_request_init(m);
    m->allow_auto_topic_creation = c->conf.allow_auto_create_topics != 0;
    pthread_mutex_lock(&c->lock);
    int all = c->refresh_all;
    c->refresh_all = 0;
    /* A sender blocked on each of N new topics in turn would otherwise
     * have N requests name 1, 2, ... N topics: N^2/2 topics to decode. */
    int new_only = !all && !c->md_full_wanted && c->md_full_due > kfk_io_now(c->io) &&
                   c->interest_asked < c->ninterest;
    if (!new_only) c->md_full_wanted = 0;
    if (all) {
        m->topics.count = -1;
        c->interest_asked = c->ninterest; /* all topics name them too */
    } else {
        int from = new_only ? c->interest_asked : 0;
        /* Copied: the set may grow (and move) while the request waits. */
        m->topics.items = kfk_arena_array(&c->md_arena, (size_t)(c->ninterest - from),
                                          sizeof *m->topics.items);
        for (int i = from; m->topics.items && i < c->ninterest; i++) {
            size_t len = strlen(c->interest[i]);
            char *name = kfk_arena_alloc(&c->md_arena, len + 1);
            if (!name) break;
            memcpy(name, c->interest[i], len);
            m->topics.items[m->topics.count++].name = (kfk_str){name, (int32_t)len};
        }
        c->interest_asked = from + m->topics.count;
    }
    c->stats.metadata_requests++;
    pthread_mutex_unlock(&c->lock);

    kfk_core_req *r = &c->md_req;
    *r = (kfk_core_req){.dest = KFK_DEST_ANY, .core = c};
    /* v1+: v0 reads an empty topic list as "all topics". */
    r->req = (kfk_request){.api_key = KFK_API_METADATA, .min_version = 1, .max_version = -1,
                           .msg = m, .cb = md_on_response, .opaque = c};
    if (all)
        KFK_DBG(&c->conf.log, KFK_DBG_METADATA, NULL, "Metadata request: all topics");
    else
        KFK_DBG(&c->conf.log, KFK_DBG_METADATA, NULL, "Metadata request: %d topics%s",
                (int)m->topics.count, new_only ? " (new ones only)" : "");
    c->md_inflight = 1;
    c->md_inflight_all = all;
    c->md_inflight_new = new_only;
    c->md_last_sent = kfk_io_now(c->io);
    kfk_core_route(c, r);
}

void kfk_core_on_md_timer(kfk_timer *t, int64_t now) {
    kfk_core *c = KFK_CONTAINER_OF(t, kfk_core, md_timer);
    if (c->md_inflight)
        c->md_again = 1;
    else
        md_send(c);
}

/* A refresh is wanted: now, or once retry.backoff.ms has passed since the
 * last one (so a burst of requests costs one Metadata request). Topics no
 * request has named yet are asked at once: the backoff spares the broker
 * repeated questions, and a sender blocked on a new topic would otherwise
 * wait it out once per topic. */
void kfk_core_md_request(kfk_core *c) {
    if (c->md_inflight) {
        c->md_again = 1;
        return;
    }
    pthread_mutex_lock(&c->lock);
    int fresh = c->ninterest > c->interest_asked;
    pthread_mutex_unlock(&c->lock);
    int64_t when = c->md_last_sent && !fresh ? c->md_last_sent + c->conf.retry_backoff_ms : 0;
    if (when < kfk_io_now(c->io)) when = kfk_io_now(c->io);
    if (!kfk_timer_armed(&c->md_timer) || c->md_timer.when > when)
        kfk_io_timer_set(c->io, &c->md_timer, when);
}

void kfk_core_refresh_task(kfk_io *io, kfk_task *t, int err) {
    kfk_core *c = KFK_CONTAINER_OF(t, kfk_core, refresh_task);
    pthread_mutex_lock(&c->lock);
    c->refresh_posted = 0;
    pthread_mutex_unlock(&c->lock);
    if (!err) kfk_core_md_request(c);
}

void kfk_core_metadata_refresh(kfk_core *c, const char *const *topics, int n) {
    pthread_mutex_lock(&c->lock);
    if (n < 0)
        c->refresh_all = 1;
    else if (kfk_core_add_interest(c, topics, n) < n || n == 0)
        c->md_full_wanted = 1; /* topics it has: their metadata may be stale */
    int post = !c->refresh_posted;
    c->refresh_posted = 1;
    pthread_mutex_unlock(&c->lock);
    if (post && kfk_io_post(c->io, &c->refresh_task) != 0) {
        pthread_mutex_lock(&c->lock);
        c->refresh_posted = 0;
        pthread_mutex_unlock(&c->lock);
    }
}

void kfk_core_metadata_wanted(kfk_core *c, int waiting) {
    pthread_mutex_lock(&c->lock);
    int start = waiting && !c->data_waits;
    c->data_waits = waiting;
    pthread_mutex_unlock(&c->lock);
    if (start) kfk_core_metadata_refresh(c, NULL, 0);
}

kfk_metadata *kfk_core_metadata(kfk_core *c) {
    pthread_mutex_lock(&c->lock);
    kfk_metadata *md = c->md ? kfk_metadata_ref(c->md) : NULL;
    pthread_mutex_unlock(&c->lock);
    return md;
}

/* 1 when every topic is ready (with known_only, has a partition count);
 * sets *err on a topic's fatal error. */
static int topics_ready(const kfk_metadata *md, const char *const *topics, int n, int known_only,
                        int *err, char *errstr, size_t errlen) {
    int ready = 1;
    for (int i = 0; i < n; i++) {
        const kfk_md_topic *t = kfk_metadata_topic(md, topics[i]);
        if (kfk_metadata_topic_ready(t) ||
            (known_only && t && !t->err && t->npartitions > 0))
            continue;
        ready = 0;
        if (t && t->err) {
            snprintf(errstr, errlen, "topic %s: %s", topics[i], kfk_err_name(t->err));
            if (!kfk_err_retriable(t->err)) *err = t->err;
        } else {
            snprintf(errstr, errlen, "topic %s: %s", topics[i],
                     t ? "a partition has no leader" : "not in the metadata");
        }
    }
    return ready;
}

static int md_wait(kfk_core *c, const char *const *topics, int n, int known_only,
                   int32_t timeout_ms, kfk_metadata **out, char *errstr, size_t errlen) {
    if (kfk_io_on_thread(c->io)) return KFK_ERR_STATE; /* it would wait for itself */
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    char why[320] = "no metadata response yet";
    pthread_mutex_lock(&c->lock);
    uint64_t seq0 = c->md_seq, err_seq0 = c->md_err_seq;
    c->waiters++;
    pthread_mutex_unlock(&c->lock);
    kfk_core_metadata_refresh(c, topics, n);

    pthread_mutex_lock(&c->lock);
    int err = 0;
    for (;;) {
        int done = n < 0 ? c->md_all_seq > seq0
                         : c->md_seq > seq0 &&
                               (n == 0 || topics_ready(c->md, topics, n, known_only, &err, why, sizeof why));
        if (done) break;
        if (!err && c->md_err_seq > err_seq0 && c->md_err && !kfk_err_retriable(c->md_err)) {
            err = c->md_err;
            snprintf(why, sizeof why, "%s", c->md_errstr);
        }
        if (err) break;
        if (kfk_cond_wait_until(&c->cond, &c->lock, &deadline) != 0) {
            err = KFK_ERR_TIMED_OUT;
            if (c->md_err) snprintf(why, sizeof why, "%s", c->md_errstr);
            break;
        }
    }
    c->waiters--;
    if (!err && out) *out = kfk_metadata_ref(c->md);
    pthread_mutex_unlock(&c->lock);
    if (err && errstr) snprintf(errstr, errlen, "%s", why);
    return err;
}

int kfk_core_metadata_wait(kfk_core *c, const char *const *topics, int n, int32_t timeout_ms,
                           kfk_metadata **out, char *errstr, size_t errlen) {
    return md_wait(c, topics, n, 0, timeout_ms, out, errstr, errlen);
}

int kfk_core_metadata_wait_known(kfk_core *c, const char *const *topics, int n,
                                 int32_t timeout_ms, kfk_metadata **out, char *errstr,
                                 size_t errlen) {
    return md_wait(c, topics, n, 1, timeout_ms, out, errstr, errlen);
}

void kfk_core_stats_get(kfk_core *c, kfk_core_stats *out) {
    pthread_mutex_lock(&c->lock);
    *out = c->stats;
    pthread_mutex_unlock(&c->lock);
    kfk_io_stats io;
    kfk_io_stats_get(c->io, &io);
    out->connections = io.connections;
    out->idle_closes = io.idle_closes;
    out->throttles = io.throttles;
    out->throttle_ms = io.throttle_ms;
    out->throttle_holds = io.throttle_holds;
}

int kfk_core_api_version(kfk_core *c, int api_key) {
    if (api_key < 0 || api_key >= KFK_API_KEY_COUNT) return -1;
    return atomic_load_explicit(&c->versions_sent[api_key], memory_order_relaxed);
}

int kfk_core_transaction_version(kfk_core *c) { return atomic_load(&c->transaction_version); }

