/* The event API on the consumer queue (rd_kafka_queue_poll, confluent-kafka-go's
 * way): messages as FETCH events, rebalances as REBALANCE events; and the
 * pump, a thread that polls kfk's consumer for the queue when the
 * application waits on the queue's io fd or event callback instead of
 * polling it. */
#include <stdlib.h>

#include "rdk_int.h"

/* Messages the pump takes from kfk per poll: one FETCH op each, pushed
 * together (one wake-up of the application). */
#define PUMP_BATCH 500
/* How long a kfk poll waits before the caller checks the consumer queue
 * again: a rebalance deferred to the queue inside kfk's poll does not end
 * that poll. */
#define POLL_SLICE_MS 100

static struct rd_kafka_op_s *fetch_op(rd_kafka_t *rk, rd_kafka_message_t *m) {
    struct rd_kafka_op_s *op = rdk_op_new(rk, RD_KAFKA_EVENT_FETCH);
    rd_kafka_message_t **msgs = op ? malloc(sizeof *msgs) : NULL;
    if (!msgs) {
        free(op);
        rd_kafka_message_destroy(m);
        return NULL;
    }
    msgs[0] = m;
    op->msgs = msgs;
    op->msg_cnt = 1;
    return op;
}

static int pumping(rd_kafka_t *rk) {
    return __atomic_load_n(&rk->pump_running, __ATOMIC_ACQUIRE);
}

rd_kafka_event_t *rdk_consumer_poll_event(rd_kafka_t *rk, int timeout_ms) {
    if (pumping(rk)) return rdk_queue_pop(rk->consumer_q, timeout_ms);
    struct rd_kafka_op_s *op = rdk_queue_pop(rk->consumer_q, 0);
    if (op) return op;
    rd_kafka_message_t *m = rdk_poll_exceeded(rk);
    if (!m) {
        int64_t end = timeout_ms < 0 ? -1 : rdk_now_ms() + timeout_ms;
        kfk_consumer_message *km;
        for (;;) {
            int64_t left = end < 0 ? POLL_SLICE_MS : end - rdk_now_ms();
            if (left < 0) left = 0;
            km = kfk_consumer_poll(rk->consumer, left < POLL_SLICE_MS ? (int)left : POLL_SLICE_MS);
            if (rk->subscribed) rk->last_poll_ms = rdk_now_ms();
            if (km) break;
            if ((op = rdk_queue_pop(rk->consumer_q, 0)) != NULL || left == 0) return op;
        }
        if (!(m = rdk_msg_from_consumed(rk, km))) return NULL;
    }
    /* one message per FETCH event, as librdkafka's consumer queue gives them */
    return fetch_op(rk, m);
}

rd_kafka_message_t *rdk_consumer_pumped_message(rd_kafka_t *rk, int timeout_ms) {
    int64_t end = timeout_ms < 0 ? -1 : rdk_now_ms() + timeout_ms;
    for (;;) {
        int64_t left = end < 0 ? -1 : end - rdk_now_ms();
        struct rd_kafka_op_s *op = rdk_queue_pop(rk->consumer_q, left < 0 && end >= 0 ? 0 : (int)left);
        if (!op) return NULL;
        rd_kafka_message_t *m = NULL;
        if (op->type == RD_KAFKA_EVENT_FETCH && op->msg_cnt == 1) {
            m = op->msgs[0];
            op->msgs[0] = NULL;
        } else if (op->type == RD_KAFKA_EVENT_ERROR && !op->client_err) {
            m = rdk_msg_error(rk, op->err, NULL, -1, RD_KAFKA_OFFSET_INVALID,
                              op->errstr ? op->errstr : rd_kafka_err2str(op->err));
        } else {
            rdk_op_serve(op);
            continue;
        }
        rdk_op_destroy(op);
        if (m) return m;
    }
}

static void *pump_main(void *arg) {
    rd_kafka_t *rk = arg;
    kfk_consumer_message *batch[PUMP_BATCH];
    while (pumping(rk)) {
        /* like librdkafka's fetch queue, not more than one batch ahead */
        if (!rdk_queue_wait_drained(rk->consumer_q, POLL_SLICE_MS)) continue;
        int n = kfk_consumer_poll_batch(rk->consumer, batch, PUMP_BATCH, POLL_SLICE_MS);
        struct rd_kafka_op_s *head = NULL, *tail = NULL;
        size_t cnt = 0;
        for (int i = 0; i < n; i++) {
            rd_kafka_message_t *m = rdk_msg_from_consumed(rk, batch[i]);
            struct rd_kafka_op_s *op = m ? fetch_op(rk, m) : NULL;
            if (!op) continue;
            if (tail)
                tail->next = op;
            else
                head = op;
            tail = op;
            cnt++;
        }
        if (head) rdk_queue_push_chain(rk->consumer_q, head, tail, cnt);
    }
    return NULL;
}

void rdk_consumer_pump_start(rd_kafka_t *rk) {
    pthread_mutex_lock(&rk->lock);
    if (rk->consumer && !rk->destroying && !rk->closing && !pumping(rk)) {
        __atomic_store_n(&rk->pump_running, 1, __ATOMIC_RELEASE);
        if (pthread_create(&rk->pump, NULL, pump_main, rk) != 0) {
            __atomic_store_n(&rk->pump_running, 0, __ATOMIC_RELEASE);
            rdk_log(rk, 3, "QUEUE", "Failed to start the consumer queue's thread");
        } else {
            rdk_threads_add(1);
        }
    }
    pthread_mutex_unlock(&rk->lock);
}

void rdk_consumer_pump_stop(rd_kafka_t *rk) {
    pthread_mutex_lock(&rk->lock);
    int was = pumping(rk);
    __atomic_store_n(&rk->pump_running, 0, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&rk->lock);
    if (!was) return;
    pthread_join(rk->pump, NULL);
    rdk_threads_add(-1);
}
