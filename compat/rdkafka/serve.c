/* The handle's queues (main, consumer, background, log) and serving ops
 * through the application's callbacks: rd_kafka_queue_poll_callback, the
 * background thread (background_event_cb). */
#include <stdlib.h>
#include <string.h>

#include "rdk_int.h"

/* Hands the op to the callback configured for its type, as librdkafka's
 * poll does; ops no callback takes (admin results...) are dropped. */
void rdk_op_serve(struct rd_kafka_op_s *op) {
    rd_kafka_t *rk = op->rk;
    const rd_kafka_conf_t *c = rk ? rk->conf : NULL;
    if (!c) {
        rdk_op_destroy(op);
        return;
    }
    switch (op->type) {
    case RD_KAFKA_EVENT_DR:
        for (size_t i = 0; i < op->msg_cnt; i++) {
            rd_kafka_message_t *m = op->msgs[i];
            if (c->dr_msg_cb)
                c->dr_msg_cb(rk, m, c->opaque);
            else if (c->dr_cb)
                c->dr_cb(rk, m->payload, m->len, m->err, c->opaque, m->_private);
        }
        break;
    case RD_KAFKA_EVENT_FETCH:
        if (c->consume_cb)
            for (size_t i = 0; i < op->msg_cnt; i++) c->consume_cb(op->msgs[i], c->opaque);
        break;
    case RD_KAFKA_EVENT_LOG:
        if (op->level > __atomic_load_n(&rk->log_level, __ATOMIC_RELAXED))
            break;
        if (c->log_cb)
            c->log_cb(rk, op->level, op->fac, op->str);
        else
            rd_kafka_log_print(rk, op->level, op->fac, op->str);
        break;
    case RD_KAFKA_EVENT_ERROR:
        if (c->error_cb)
            c->error_cb(rk, op->err, rd_kafka_event_error_string(op), c->opaque);
        else
            rdk_log(rk, 3, "ERROR", "%s: %s", rd_kafka_err2str(op->err),
                    rd_kafka_event_error_string(op));
        break;
    case RD_KAFKA_EVENT_REBALANCE:
        rdk_rebalance_serve(rk, op);
        break;
    case RD_KAFKA_EVENT_OFFSET_COMMIT:
        if (op->commit_cb)
            op->commit_cb(rk, op->err, op->partitions, op->opaque);
        else if (c->offset_commit_cb)
            c->offset_commit_cb(rk, op->err, op->partitions, c->opaque);
        break;
    case RD_KAFKA_EVENT_STATS:
        /* A callback returning 1 keeps the json (and frees it itself). */
        if (c->stats_cb && op->str && c->stats_cb(rk, op->str, strlen(op->str), c->opaque) == 1)
            op->str = NULL;
        break;
    case RD_KAFKA_EVENT_OAUTHBEARER_TOKEN_REFRESH:
        if (c->oauthbearer_token_refresh_cb)
            c->oauthbearer_token_refresh_cb(rk, op->str, c->opaque);
        break;
    default:
        break;
    }
    rdk_op_destroy(op);
}

int rdk_queue_serve(rd_kafka_queue_t *q, int timeout_ms) {
    int n = 0;
    struct rd_kafka_op_s *op;
    for (op = rdk_queue_pop(q, timeout_ms); op; op = rdk_queue_pop(q, 0)) {
        rdk_op_serve(op);
        n++;
    }
    return n;
}

int rd_kafka_queue_poll_callback(rd_kafka_queue_t *rkqu, int timeout_ms) {
    return rdk_queue_serve(rkqu, timeout_ms);
}

rd_kafka_queue_t *rd_kafka_queue_get_main(rd_kafka_t *rk) {
    return rk->main_q ? rdk_queue_ref(rk->main_q) : NULL;
}

/* Only a group member has one, as in librdkafka. */
rd_kafka_queue_t *rd_kafka_queue_get_consumer(rd_kafka_t *rk) {
    const char *group = rdk_conf_str(rk->conf, "group.id");
    if (!rk->consumer || !rk->consumer_q || !group || !*group) return NULL;
    return rdk_queue_ref(rk->consumer_q);
}

/* kfk's consumer delivers every partition's messages through one queue:
 * there is no per-partition queue to hand out, and librdkafka answers NULL
 * when it has none for the partition. */
rd_kafka_queue_t *rd_kafka_queue_get_partition(rd_kafka_t *rk, const char *topic,
                                               int32_t partition) {
    (void)rk;
    (void)topic;
    (void)partition;
    return NULL;
}

/* Events on the background queue go to background_event_cb, which owns
 * them; without one they are dropped, as librdkafka does. OAUTHBEARER
 * refresh events (a forwarded SASL queue's) are served to their callback. */
static void *background_main(void *arg) {
    rd_kafka_t *rk = arg;
    rd_kafka_queue_t *q = rk->background_q; /* set before the thread starts */
    for (;;) {
        struct rd_kafka_op_s *op = rdk_queue_pop(q, -1);
        if (!op) {
            if (!__atomic_load_n(&rk->background_running, __ATOMIC_ACQUIRE)) break;
            continue;
        }
        if (op->type == RD_KAFKA_EVENT_OAUTHBEARER_TOKEN_REFRESH)
            rdk_op_serve(op);
        else if (rk->conf->background_event_cb)
            rk->conf->background_event_cb(rk, op, rk->conf->opaque);
        else
            rdk_op_destroy(op);
    }
    return NULL;
}

int rdk_background_start(rd_kafka_t *rk) {
    int rc = 0;
    pthread_mutex_lock(&rk->lock);
    if (rk->destroying && !rk->background_q) {
        rc = -1; /* stopped for good */
    } else if (!rk->background_q) {
        rk->background_q = rdk_queue_new(rk, RDK_Q_BACKGROUND);
        if (!rk->background_q) {
            rc = -1;
        } else {
            __atomic_store_n(&rk->background_running, 1, __ATOMIC_RELEASE);
            if (pthread_create(&rk->background_thread, NULL, background_main, rk) != 0) {
                rd_kafka_queue_destroy(rk->background_q);
                rk->background_q = NULL;
                rk->background_running = 0;
                rc = -1;
            } else {
                rdk_threads_add(1);
            }
        }
    }
    pthread_mutex_unlock(&rk->lock);
    return rc;
}

void rdk_background_stop(rd_kafka_t *rk) {
    pthread_mutex_lock(&rk->lock);
    rd_kafka_queue_t *q = rk->background_q;
    rk->background_q = NULL;
    pthread_mutex_unlock(&rk->lock);
    if (!q) return;
    __atomic_store_n(&rk->background_running, 0, __ATOMIC_RELEASE);
    rd_kafka_queue_yield(q);
    pthread_join(rk->background_thread, NULL);
    rdk_threads_add(-1);
    rd_kafka_queue_destroy(q);
}

rd_kafka_queue_t *rd_kafka_queue_get_background(rd_kafka_t *rk) {
    if (rdk_background_start(rk) != 0) {
        rdk_log(rk, 3, "BACKGROUND", "Failed to create background thread");
        return NULL;
    }
    pthread_mutex_lock(&rk->lock);
    rd_kafka_queue_t *q = rk->background_q ? rdk_queue_ref(rk->background_q) : NULL;
    pthread_mutex_unlock(&rk->lock);
    return q;
}

rd_kafka_event_t *rd_kafka_queue_poll(rd_kafka_queue_t *rkqu, int timeout_ms) {
    rd_kafka_t *rk = rkqu->rk;
    /* The consumer queue's messages come from kfk's consumer (FETCH events). */
    if (rk && rk->consumer && rdk_queue_target(rkqu) == rk->consumer_q)
        return rdk_consumer_poll_event(rk, timeout_ms);
    return rdk_queue_pop(rkqu, timeout_ms);
}
