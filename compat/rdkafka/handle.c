/* The client handle: rd_kafka_new and rd_kafka_destroy, and what works on
 * any handle (poll, flush, names, logging, the admin client made on first
 * use). A producer handle is a kfk producer, a consumer handle a kfk
 * consumer; producer.c and consumer.c hold their parts. */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rdk_int.h"
#include "librdkafka/rdkafka_mock.h"

static atomic_int thread_count;
static atomic_int live_handles;
static atomic_ulong handle_serial;

void rdk_threads_add(int n) { atomic_fetch_add(&thread_count, n); }

int rd_kafka_thread_cnt(void) { return atomic_load(&thread_count); }

int rd_kafka_wait_destroyed(int timeout_ms) {
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (atomic_load(&live_handles) > 0) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        long ms = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
        if (timeout_ms >= 0 && ms >= timeout_ms) {
            errno = ETIMEDOUT;
            return -1;
        }
        usleep(10000);
    }
    return 0;
}

rd_kafka_t *rd_kafka_new(rd_kafka_type_t type, rd_kafka_conf_t *conf, char *errstr,
                         size_t errstr_size) {
    if (errstr && errstr_size) errstr[0] = '\0';
    if (type != RD_KAFKA_PRODUCER && type != RD_KAFKA_CONSUMER) {
        if (errstr && errstr_size) snprintf(errstr, errstr_size, "Invalid client type");
        rdk_set_last_error(RD_KAFKA_RESP_ERR__INVALID_ARG);
        return NULL;
    }
    rd_kafka_conf_t *own = conf ? NULL : rd_kafka_conf_new();
    if (!conf && !own) return NULL;
    const rd_kafka_conf_t *use = conf ? conf : own;
    kfk_conf *kc = rdk_conf_build(use, type, errstr, errstr_size);
    if (!kc) {
        rd_kafka_conf_destroy(own);
        rdk_set_last_error(RD_KAFKA_RESP_ERR__INVALID_ARG);
        return NULL;
    }
    rd_kafka_t *rk = calloc(1, sizeof *rk);
    if (!rk) {
        kfk_conf_destroy(kc);
        rd_kafka_conf_destroy(own);
        return NULL;
    }
    rk->type = type;
    rk->conf = conf ? conf : own;
    rk->refs = 1;
    rk->controller_id = -1;
    pthread_mutex_init(&rk->lock, NULL);
    pthread_mutex_init(&rk->msg_lock, NULL);
    const char *client_id = rdk_conf_str(rk->conf, "client.id");
    rk->serial = atomic_fetch_add(&handle_serial, 1) + 1;
    snprintf(rk->name, sizeof rk->name, "%s#%s-%lu", client_id ? client_id : "rdkafka",
             type == RD_KAFKA_PRODUCER ? "producer" : "consumer", rk->serial);
    rk->main_q = rdk_queue_new(rk, RDK_Q_MAIN);
    rk->consumer_q = rdk_queue_new(rk, RDK_Q_CONSUMER);
    int rc = rk->main_q && rk->consumer_q && rdk_log_setup(rk) == 0 ? 0 : -1;
    /* as librdkafka: on_new before the clients exist, where it may add
     * the handle's interceptors */
    int ic_new = rc == 0;
    if (ic_new) rdk_ic_on_new(rk);
    if (rc == 0 && rdk_oauth_setup(rk) != 0) {
        snprintf(errstr, errstr_size, "out of memory for the OAUTHBEARER token");
        rc = -1;
    }
    if (rc == 0) rc = rdk_log_conf(rk, kc, 1, errstr, errstr_size);
    if (rc == 0) rc = rdk_oauth_conf(rk, kc, errstr, errstr_size);
    if (rc == 0) rc = rdk_stats_conf(rk, kc, errstr, errstr_size);
    if (rc == 0) rc = rdk_mock_for_handle(rk, kc, errstr, errstr_size);
    if (rc == 0 && type == RD_KAFKA_CONSUMER) rk->consumer_q->on_watch = rdk_consumer_pump_start;
    const char *brokers = rk->mock ? rd_kafka_mock_cluster_bootstraps(rk->mock)
                                   : rdk_conf_str(rk->conf, "bootstrap.servers");
    if (rc == 0 && (!brokers || !*brokers)) {
        /* as librdkafka, a handle without brokers: its client starts when
         * rd_kafka_brokers_add gives some */
        rk->pending_conf = kc;
    } else if (rc == 0) {
        rc = type == RD_KAFKA_PRODUCER ? rdk_producer_start(rk, kc, errstr, errstr_size)
                                       : rdk_consumer_start(rk, kc, errstr, errstr_size);
    } else {
        kfk_conf_destroy(kc);
    }
    if (rc == 0 && rk->conf->background_event_cb) rc = rdk_background_start(rk);
    if (rc == 0) rc = rdk_stats_start(rk);
    if (rc != 0) {
        if (ic_new) rdk_ic_on_destroy(rk);
        /* the caller keeps conf on failure, without what on_new added */
        rdk_ic_clear_handle(rk->conf);
        rk->ic = NULL;
        rk->conf = NULL;
        rk->destroying = 1;
        rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
        rd_kafka_conf_destroy(own);
        rdk_set_last_error(RD_KAFKA_RESP_ERR__INVALID_ARG);
        return NULL;
    }
    rdk_mock_adopt(rk);
    atomic_fetch_add(&live_handles, 1);
    return rk;
}

void rdk_handle_free(rd_kafka_t *rk) {
    for (rdk_msg *m = rk->free_msgs, *next; m; m = next) {
        next = m->next_free;
        free(m);
    }
    for (rd_kafka_topic_t *t = rk->topics, *next; t; t = next) {
        next = t->next;
        rd_kafka_topic_conf_destroy(t->conf);
        free(t->name);
        free(t);
    }
    rd_kafka_conf_destroy(rk->conf);
    rdk_log_free(rk);
    free(rk->cluster_id);
    pthread_mutex_destroy(&rk->lock);
    pthread_mutex_destroy(&rk->msg_lock);
    free(rk);
}

void rdk_handle_unref(rd_kafka_t *rk) {
    pthread_mutex_lock(&rk->msg_lock);
    int last = --rk->refs == 0;
    pthread_mutex_unlock(&rk->msg_lock);
    if (last) rdk_handle_free(rk);
}

void rd_kafka_destroy_flags(rd_kafka_t *rk, int flags) {
    if (!rk) return;
    int counted = !rk->destroying;
    __atomic_store_n(&rk->destroying, 1, __ATOMIC_RELEASE);
    rdk_stats_stop(rk);
    rdk_background_stop(rk);
    rdk_legacy_free(rk);
    if (rk->consumer || rk->pending_sub)
        rdk_consumer_stop(rk, !(flags & RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE));
    if (rk->producer || rk->pending) rdk_producer_stop(rk);
    if (rk->pending_conf) kfk_conf_destroy(rk->pending_conf);
    rk->pending_conf = NULL;
    if (rk->admin) {
        kfk_admin_destroy(rk->admin);
        rk->admin = NULL;
        rdk_threads_add(-1);
    }
    /* after the clients stopped: every acknowledgement and commit result
     * came before, so on_destroy may free what the interceptors share */
    if (counted) rdk_ic_on_destroy(rk);
    rdk_mock_release(rk);
    rdk_oauth_free(rk);
    if (rk->main_q) rd_kafka_queue_destroy(rk->main_q);
    if (rk->consumer_q) rd_kafka_queue_destroy(rk->consumer_q);
    if (rk->log_q) rd_kafka_queue_destroy(rk->log_q);
    rk->main_q = rk->consumer_q = rk->log_q = NULL;
    if (counted) atomic_fetch_sub(&live_handles, 1);
    rdk_handle_unref(rk);
}

void rd_kafka_destroy(rd_kafka_t *rk) { rd_kafka_destroy_flags(rk, 0); }

kfk_admin *rdk_admin(rd_kafka_t *rk, char *errstr, size_t errstr_size) {
    pthread_mutex_lock(&rk->lock);
    if (!rk->admin && !rk->destroying) {
        kfk_conf *kc = rdk_conf_build(rk->conf, rk->type, errstr, errstr_size);
        if (kc && (rdk_log_conf(rk, kc, 0, errstr, errstr_size) ||
                   rdk_oauth_conf(rk, kc, errstr, errstr_size))) {
            kfk_conf_destroy(kc);
            kc = NULL;
        }
        if (kc) {
            rk->admin = kfk_admin_new(kc, errstr, errstr_size);
            if (rk->admin)
                rdk_threads_add(1);
            else
                kfk_conf_destroy(kc);
        }
    } else if (!rk->admin && errstr && errstr_size) {
        snprintf(errstr, errstr_size, "Handle is terminating");
    }
    kfk_admin *a = rk->admin;
    pthread_mutex_unlock(&rk->lock);
    return a;
}

const char *rd_kafka_name(const rd_kafka_t *rk) { return rk->name; }

rd_kafka_type_t rd_kafka_type(const rd_kafka_t *rk) { return rk->type; }

void *rd_kafka_opaque(const rd_kafka_t *rk) { return rk->conf->opaque; }

void rd_kafka_mem_free(rd_kafka_t *rk, void *ptr) { free(ptr); }

void *rd_kafka_mem_calloc(rd_kafka_t *rk, size_t num, size_t size) { return calloc(num, size); }

void *rd_kafka_mem_malloc(rd_kafka_t *rk, size_t size) { return malloc(size); }

__thread int rdk_yield_thread;

/* As librdkafka's: ends the consume callback loop this thread is in (a
 * callback may pass NULL), and the handle's main queue poll. */
void rd_kafka_yield(rd_kafka_t *rk) {
    rdk_yield_thread = 1;
    if (rk && rk->main_q) rd_kafka_queue_yield(rk->main_q);
}

int rd_kafka_outq_len(rd_kafka_t *rk) {
    long n = __atomic_load_n(&rk->outq, __ATOMIC_ACQUIRE);
    return (int)n + (rk->main_q ? (int)rd_kafka_queue_length(rk->main_q) : 0);
}

int rd_kafka_poll(rd_kafka_t *rk, int timeout_ms) {
    if (rk->producer || (rk->type == RD_KAFKA_PRODUCER && rk->pending_conf)) {
        /* reports first: they are what producers poll for */
        int n = rdk_producer_poll(rk, 0);
        n += rdk_queue_serve(rk->main_q, 0);
        if (n || timeout_ms == 0) return n;
        return rdk_producer_poll(rk, timeout_ms) + rdk_queue_serve(rk->main_q, 0);
    }
    return rdk_queue_serve(rk->main_q, timeout_ms);
}

rd_kafka_resp_err_t rd_kafka_flush(rd_kafka_t *rk, int timeout_ms) {
    if (!rk->producer && !(rk->type == RD_KAFKA_PRODUCER && rk->pending_conf)) {
        rdk_queue_serve(rk->main_q, 0);
        return RD_KAFKA_RESP_ERR_NO_ERROR;
    }
    int rc = rdk_producer_flush(rk, timeout_ms);
    /* Reports as events wait for the application on the main queue: only
     * messages count then, as in librdkafka. */
    if (rk->conf->enabled_events & RD_KAFKA_EVENT_DR)
        return __atomic_load_n(&rk->outq, __ATOMIC_ACQUIRE) > 0 ? RD_KAFKA_RESP_ERR__TIMED_OUT
                                                               : RD_KAFKA_RESP_ERR_NO_ERROR;
    rdk_queue_serve(rk->main_q, 0);
    if (rc == KFK_ERR_TIMED_OUT || rd_kafka_outq_len(rk) > 0) return RD_KAFKA_RESP_ERR__TIMED_OUT;
    return rdk_err(rc);
}

rd_kafka_resp_err_t rd_kafka_purge(rd_kafka_t *rk, int purge_flags) {
    if (!rk->producer && !(rk->type == RD_KAFKA_PRODUCER && rk->pending_conf))
        return RD_KAFKA_RESP_ERR__INVALID_ARG;
    if (purge_flags & ~(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT |
                        RD_KAFKA_PURGE_F_NON_BLOCKING))
        return RD_KAFKA_RESP_ERR__INVALID_ARG;
    int flags = 0;
    if (purge_flags & RD_KAFKA_PURGE_F_QUEUE) flags |= KFK_PURGE_QUEUE;
    if (purge_flags & RD_KAFKA_PURGE_F_INFLIGHT) flags |= KFK_PURGE_INFLIGHT;
    return rdk_err(rdk_producer_purge(rk, flags));
}

/* Starts the client of a handle created without brokers, on brokerlist;
 * later calls cannot add to kfk's bootstrap list (logged, 0). The number
 * of brokers added, as librdkafka. */
int rd_kafka_brokers_add(rd_kafka_t *rk, const char *brokerlist) {
    char errstr[512] = "";
    int n = 0;
    if (brokerlist && *brokerlist) {
        n = 1;
        for (const char *p = brokerlist; *p; p++) n += *p == ',';
    }
    if (!rk->pending_conf || !n) {
        if (n)
            rdk_log(rk, 4, "BROKER",
                    "rd_kafka_brokers_add: kfk takes brokers only once; \"%s\" not added",
                    brokerlist);
        return 0;
    }
    kfk_conf *kc = kfk_conf_dup(rk->pending_conf);
    int rc = kc ? kfk_conf_set(kc, "bootstrap.servers", brokerlist, errstr, sizeof errstr) : -1;
    if (rc == 0)
        rc = rk->type == RD_KAFKA_PRODUCER ? rdk_producer_start_late(rk, kc, errstr, sizeof errstr)
                                           : rdk_consumer_start_late(rk, kc, errstr, sizeof errstr);
    else if (kc)
        kfk_conf_destroy(kc);
    if (rc != 0) {
        rdk_log(rk, 3, "BROKER", "rd_kafka_brokers_add: \"%s\": %s", brokerlist, errstr);
        return 0;
    }
    kfk_conf_destroy(rk->pending_conf);
    __atomic_store_n(&rk->pending_conf, NULL, __ATOMIC_RELEASE); /* stats.c's thread reads it */
    return n;
}
