#include <stdio.h>
#include <string.h>
#include <time.h>

#include "client/core_int.h"
#include "core/alloc.h"
#include "core/portable.h"
#include "kfk.h"
#include "net/sasl.h"
#include "net/tls.h"

/* ---------------------------------------------------------------- helpers */

static void fail_req(kfk_core_req *r, int err, const char *errstr) {
    kfk_response resp = {.err = err, .errstr = errstr, .node_id = -1,
                         .api_key = r->req.api_key, .version = -1};
    r->req.cb(r->req.opaque, &resp);
}

/* ---------------------------------------------------------------- routing */

static kfk_link *leader_link(kfk_core *c, const kfk_core_req *r) {
    const kfk_md_topic *t = kfk_metadata_topic(c->md, r->topic);
    const kfk_md_partition *p = t ? kfk_metadata_partition(t, r->partition) : NULL;
    return p && p->leader >= 0 ? kfk_brokers_get(&c->brokers, p->leader) : NULL;
}

static void arm_park_timer(kfk_core *c) {
    int64_t min = INT64_MAX;
    for (kfk_list *e = c->parked.next; e != &c->parked; e = e->next) {
        kfk_core_req *r = KFK_CONTAINER_OF(e, kfk_core_req, park);
        if (r->park_deadline < min) min = r->park_deadline;
    }
    if (min == INT64_MAX)
        kfk_io_timer_cancel(c->io, &c->park_timer);
    else
        kfk_io_timer_set(c->io, &c->park_timer, min);
}

static void park(kfk_core *c, kfk_core_req *r) {
    int32_t t = r->req.timeout_ms > 0 ? r->req.timeout_ms : c->conf.request_timeout_ms;
    r->parked_at = kfk_io_now(c->io);
    r->park_deadline = r->parked_at + t;
    kfk_list_insert_tail(&c->parked, &r->park);
    arm_park_timer(c);
    pthread_mutex_lock(&c->lock);
    if (kfk_core_add_interest(c, &r->topic, 1) < 1) c->md_full_wanted = 1;
    pthread_mutex_unlock(&c->lock);
    kfk_core_md_request(c);
}

void kfk_core_route(kfk_core *c, kfk_core_req *r) {
    kfk_link *l = NULL;
    switch (r->dest) {
    case KFK_DEST_ANY:
        l = kfk_brokers_least_loaded(&c->brokers, kfk_io_rng(c->io));
        break;
    case KFK_DEST_NODE:
        l = kfk_brokers_get(&c->brokers, r->node_id);
        if (!l) {
            char msg[80];
            snprintf(msg, sizeof msg, "no broker with node id %d in the metadata", (int)r->node_id);
            fail_req(r, KFK_ERR_NOENT, msg);
            return;
        }
        break;
    case KFK_DEST_LEADER:
        l = leader_link(c, r);
        if (!l) {
            park(c, r);
            return;
        }
        break;
    }
    kfk_io_link_submit(l, &r->req);
}

/* 1 when metadata fetched after r was parked knows r's topic but not its
 * partition: waiting for a leader would only run into the timeout. */
static int partition_missing(const kfk_core *c, const kfk_core_req *r) {
    if (!c->md || c->md->updated_ms < r->parked_at) return 0;
    const kfk_md_topic *t = kfk_metadata_topic(c->md, r->topic);
    return t && !t->err && t->npartitions > 0 && !kfk_metadata_partition(t, r->partition);
}

/* Sends parked requests whose leader is now known, and fails those whose
 * partition does not exist. */
void kfk_core_reroute_parked(kfk_core *c) {
    int64_t now = kfk_io_now(c->io);
    for (kfk_list *e = c->parked.next, *next; e != &c->parked; e = next) {
        next = e->next;
        kfk_core_req *r = KFK_CONTAINER_OF(e, kfk_core_req, park);
        kfk_link *l = leader_link(c, r);
        if (!l) {
            if (partition_missing(c, r)) {
                kfk_list_remove(e);
                char msg[160];
                snprintf(msg, sizeof msg, "topic %s has no partition %d", r->topic,
                         (int)r->partition);
                fail_req(r, KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION, msg);
            }
            continue;
        }
        kfk_list_remove(e);
        /* The time spent parked counts against the request's timeout. */
        int64_t left = r->park_deadline - now;
        r->req.timeout_ms = left > 0 ? (int32_t)left : 1;
        kfk_io_link_submit(l, &r->req);
    }
    arm_park_timer(c);
}

static void on_park_timer(kfk_timer *t, int64_t now) {
    kfk_core *c = KFK_CONTAINER_OF(t, kfk_core, park_timer);
    kfk_list expired;
    kfk_list_init(&expired);
    for (kfk_list *e = c->parked.next, *next; e != &c->parked; e = next) {
        next = e->next;
        if (KFK_CONTAINER_OF(e, kfk_core_req, park)->park_deadline > now) continue;
        kfk_list_remove(e);
        kfk_list_insert_tail(&expired, e);
    }
    arm_park_timer(c);
    while (!kfk_list_empty(&expired)) {
        kfk_core_req *r = KFK_CONTAINER_OF(expired.next, kfk_core_req, park);
        kfk_list_remove(&r->park);
        const kfk_md_topic *topic = kfk_metadata_topic(c->md, r->topic);
        const kfk_md_partition *p = topic ? kfk_metadata_partition(topic, r->partition) : NULL;
        int why = topic && topic->err ? topic->err : p && p->err ? p->err : 0;
        char msg[160];
        snprintf(msg, sizeof msg, "no leader known for %s [%d]%s%s", r->topic, (int)r->partition,
                 why ? ": " : "", why ? kfk_err_name(why) : "");
        fail_req(r, why && !kfk_err_retriable(why) ? why : KFK_ERR_TIMED_OUT, msg);
    }
}

static void send_task(kfk_io *io, kfk_task *t, int err) {
    kfk_core_req *r = KFK_CONTAINER_OF(t, kfk_core_req, task);
    if (err)
        fail_req(r, err, "client is being destroyed");
    else
        kfk_core_route(r->core, r);
}

int kfk_core_send(kfk_core *c, kfk_core_req *r) {
    if (!r->req.cb || (r->dest == KFK_DEST_LEADER && !r->topic)) return KFK_ERR_INVALID_ARG;
    r->core = c;
    r->task.fn = send_task;
    kfk_list_init(&r->park);
    return kfk_io_post(c->io, &r->task);
}

/* ------------------------------------------------------------ send & wait */

typedef struct waiter {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int done, rc;
    kfk_response_fn on_response;
    void *opaque;
    char *errstr;
    size_t errlen;
} waiter;

static int wait_cb(void *opaque, kfk_response *resp) {
    waiter *w = opaque;
    int rc = resp->err ? resp->err : w->on_response ? w->on_response(w->opaque, resp) : 0;
    if (w->errstr && rc)
        snprintf(w->errstr, w->errlen, "%s", resp->errstr ? resp->errstr : kfk_err_str(rc));
    pthread_mutex_lock(&w->lock);
    w->rc = rc;
    w->done = 1;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
    /* Only a body that does not decode condemns the connection. */
    return !resp->err && rc == KFK_ERR_MALFORMED ? rc : 0;
}

int kfk_core_send_wait(kfk_core *c, kfk_core_req *r, kfk_response_fn on_response, void *opaque,
                       char *errstr, size_t errlen) {
    if (kfk_io_on_thread(c->io)) return KFK_ERR_STATE; /* it would wait for itself */
    waiter w = {.on_response = on_response, .opaque = opaque, .errstr = errstr, .errlen = errlen};
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.cond, NULL);
    r->req.cb = wait_cb;
    r->req.opaque = &w;
    int rc = kfk_core_send(c, r);
    if (!rc) {
        /* The request always completes: by response, timeout or shutdown. */
        pthread_mutex_lock(&w.lock);
        while (!w.done) pthread_cond_wait(&w.cond, &w.lock);
        rc = w.rc;
        pthread_mutex_unlock(&w.lock);
    } else if (errstr) {
        snprintf(errstr, errlen, "client is being destroyed");
    }
    pthread_cond_destroy(&w.cond);
    pthread_mutex_destroy(&w.lock);
    return rc;
}

kfk_io *kfk_core_io(kfk_core *c) { return c->io; }

kfk_log *kfk_core_log(kfk_core *c) { return &c->conf.log; }

const char *kfk_core_broker_name(kfk_core *c, int32_t node_id) {
    /* none once released at shutdown */
    kfk_link *l = c->brokers.n > 0 ? kfk_brokers_get(&c->brokers, node_id) : NULL;
    return l ? kfk_io_link_label(l) : NULL;
}

void kfk_core_on_metadata(kfk_core *c, void (*fn)(void *opaque), void *opaque) {
    c->md_hook = fn;
    c->md_hook_opaque = opaque;
}

/* -------------------------------------------------------------- lifecycle */

/* A broker's connection broke or could not be made: its partitions'
 * leaders may have moved, so refresh soon (rate-limited). Bootstrap
 * servers need not: the refresh retries those itself. */
static void on_link_down(kfk_link *l, int err, void *opaque) {
    kfk_core *c = opaque;
    int auth = err == KFK_ERR_SSL || err == KFK_ERR_AUTHENTICATION ||
               err == KFK_ERR_SASL_AUTHENTICATION_FAILED ||
               err == KFK_ERR_UNSUPPORTED_SASL_MECHANISM;
    pthread_mutex_lock(&c->lock);
    c->stats.links_down++;
    c->stats.auth_failures += auth;
    pthread_mutex_unlock(&c->lock);
    /* A refused certificate or password is no sign the cluster moved; a
     * broker that is not the node metadata named is (KIP-1242). */
    if (err == KFK_ERR_REBOOTSTRAP_REQUIRED ||
        (!auth && kfk_brokers_unreachable(&c->brokers)))
        kfk_core_rebootstrap(c);
    if (kfk_io_link_node_id(l) >= 0) kfk_core_md_request(c);
}

static void on_link_auth(kfk_link *l, void *opaque) {
    kfk_core *c = opaque;
    pthread_mutex_lock(&c->lock);
    c->stats.authentications++;
    pthread_mutex_unlock(&c->lock);
}

/* The TLS context and SASL credentials security.protocol asks for. */
static int security_new(kfk_core *c, const kfk_core_conf *conf, char *errstr, size_t errlen) {
    enum kfk_security_protocol p = conf->security_protocol;
    if (p == KFK_SEC_SSL || p == KFK_SEC_SASL_SSL) {
        c->tls = kfk_tls_ctx_new(&conf->tls, errstr, errlen);
        if (!c->tls) return KFK_ERR_CONFIG;
    }
    if (p == KFK_SEC_SASL_PLAINTEXT || p == KFK_SEC_SASL_SSL) {
        c->sasl = kfk_sasl_new(&conf->sasl, errstr, errlen);
        if (!c->sasl) return KFK_ERR_CONFIG;
    }
    return 0;
}

/* On the I/O thread at shutdown: fail what the core holds, let go of the
 * links (the I/O layer fails their requests next) and of the timers. */
static void on_stop(kfk_io *io, void *opaque) {
    kfk_core *c = opaque;
    while (!kfk_list_empty(&c->parked)) {
        kfk_core_req *r = KFK_CONTAINER_OF(c->parked.next, kfk_core_req, park);
        kfk_list_remove(&r->park);
        fail_req(r, KFK_ERR_DESTROYED, "client is being destroyed");
    }
    kfk_io_timer_release(io, &c->park_timer);
    kfk_io_timer_release(io, &c->md_timer);
    kfk_brokers_release(&c->brokers);
}

kfk_core *kfk_core_new(const kfk_core_conf *conf, char *errstr, size_t errlen) {
    if (!conf->bootstrap_servers || !*conf->bootstrap_servers) {
        snprintf(errstr, errlen, "bootstrap.servers is not set");
        return NULL;
    }
    kfk_hostport *servers = NULL;
    int n = kfk_bootstrap_parse(conf->bootstrap_servers, &servers, errstr, errlen);
    if (n < 0) return NULL;
    kfk_core *c = kfk_calloc(1, sizeof *c);
    if (!c) goto oom;
    if (security_new(c, conf, errstr, errlen) != 0) {
        kfk_free(servers);
        kfk_tls_ctx_free(c->tls);
        kfk_free(c);
        return NULL;
    }
    pthread_mutex_init(&c->lock, NULL);
    kfk_cond_init_mono(&c->cond);
    c->conf = *conf;
    /* Their strings are the caller's: only the context and credentials
     * built from them are kept. */
    c->conf.tls = (kfk_tls_conf){0};
    c->conf.sasl = (kfk_sasl_conf){0};
    c->bootstrap = kfk_strndup(conf->bootstrap_servers, strlen(conf->bootstrap_servers));
    c->client_id = conf->client_id ? kfk_strndup(conf->client_id, strlen(conf->client_id)) : NULL;
    if (!c->bootstrap || (conf->client_id && !c->client_id)) goto oom;
    c->conf.bootstrap_servers = c->bootstrap;
    c->conf.client_id = c->client_id;
    c->conf.log.name = c->client_id;
    c->rx_pool = kfk_rxpool_new(conf->rx_pool_bytes > 0 ? (size_t)conf->rx_pool_bytes : 0);
    if (!c->rx_pool) goto oom;
    for (int i = 0; i < KFK_API_KEY_COUNT; i++) atomic_init(&c->versions_sent[i], -1);
    atomic_init(&c->transaction_version, -1);
    c->ioconf = (kfk_io_conf){
        .conn = {.client_id = c->client_id,
                 .request_timeout_ms = conf->request_timeout_ms,
                 .max_in_flight = conf->max_in_flight > 0 ? conf->max_in_flight : 1,
                 .max_response_bytes = conf->receive_message_max_bytes,
                 .software_name = "kfk",
                 .software_version = KFK_VERSION_STR,
                 .sasl = c->sasl,
                 .versions_sent = c->versions_sent,
                 .transaction_version = &c->transaction_version,
                 .log = &c->conf.log,
                 .rx_pool = c->rx_pool},
        .tls = c->tls,
        .reconnect_backoff_ms = conf->reconnect_backoff_ms,
        .reconnect_backoff_max_ms = conf->reconnect_backoff_max_ms,
        .setup_timeout_ms = conf->socket_connection_setup_timeout_ms,
        .setup_timeout_max_ms = conf->socket_connection_setup_timeout_max_ms,
        .max_idle_ms = conf->connections_max_idle_ms,
    };
    kfk_list_init(&c->parked);
    c->refresh_task.fn = kfk_core_refresh_task;

    static const kfk_io_hooks hooks = {
        .on_link_down = on_link_down, .on_link_auth = on_link_auth, .on_stop = on_stop};
    c->io = kfk_io_new(&c->ioconf, &hooks, c);
    if (!c->io) goto oom;
    /* Before the thread starts, this thread may act as the I/O thread. */
    if (kfk_io_timer_add(c->io, &c->park_timer, on_park_timer) ||
        kfk_io_timer_add(c->io, &c->md_timer, kfk_core_on_md_timer) ||
        kfk_brokers_init(&c->brokers, c->io, servers, n) || kfk_io_start(c->io))
        goto oom;
    kfk_free(servers);
    static const char *const protocols[] = {"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"};
    KFK_DBG(&c->conf.log, KFK_DBG_GENERIC, NULL,
            "client %s started (kfk %s): bootstrap %s, security.protocol %s",
            c->client_id ? c->client_id : "", KFK_VERSION_STR, c->bootstrap,
            protocols[conf->security_protocol & 3]);
    return c;
oom:
    snprintf(errstr, errlen, "out of memory creating the client");
    kfk_free(servers);
    kfk_core_destroy(c);
    return NULL;
}

void kfk_core_destroy(kfk_core *c) {
    if (!c) return;
    KFK_DBG(&c->conf.log, KFK_DBG_GENERIC, NULL, "client %s: destroying",
            c->client_id ? c->client_id : "");
    kfk_io_destroy(c->io);
    if (c->rx_pool) {
        kfk_rxpool_counts n = kfk_rxpool_counts_of(c->rx_pool);
        KFK_DBG(&c->conf.log, KFK_DBG_GENERIC, NULL,
                "receive buffers: %lld reused, %lld allocated, %lld freed over the bound",
                (long long)n.reused, (long long)n.allocated, (long long)n.dropped);
    }
    kfk_rxpool_destroy(c->rx_pool);
    kfk_tls_ctx_free(c->tls);
    kfk_sasl_free(c->sasl);
    kfk_metadata_unref(c->md);
    kfk_arena_reset(&c->md_arena);
    for (int i = 0; i < c->ninterest; i++) kfk_free(c->interest[i]);
    kfk_free(c->interest);
    pthread_cond_destroy(&c->cond);
    pthread_mutex_destroy(&c->lock);
    kfk_free(c->bootstrap);
    kfk_free(c->client_id);
    kfk_free(c);
}
