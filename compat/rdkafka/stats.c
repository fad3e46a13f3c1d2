/* Statistics: every statistics.interval.ms a STATS op on the main queue
 * (stats_cb from rd_kafka_poll, or RD_KAFKA_EVENT_STATS), as librdkafka's.
 * The handle's client (producer or consumer) makes the document (kfk's
 * statistics, librdkafka's field names) while the layer polls it; a
 * handle without brokers has no client yet, so a thread of the layer
 * emits the handle's own figures (no brokers, no topics) until it has. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "rdk_int.h"

static int interval_ms(const rd_kafka_t *rk) {
    const char *v = rdk_conf_str(rk->conf, "statistics.interval.ms");
    int ms = v ? atoi(v) : 0;
    /* as librdkafka: emitted only for a stats_cb or STATS events */
    if (!rk->conf->stats_cb && !(rk->conf->enabled_events & RD_KAFKA_EVENT_STATS)) return 0;
    return ms;
}

/* json (json_len bytes) as a STATS op on the main queue (a copy the
 * application may keep: stats_cb returning 1, freed with rd_kafka_mem_free). */
static void push_stats(rd_kafka_t *rk, const char *json, size_t json_len) {
    if (__atomic_load_n(&rk->destroying, __ATOMIC_ACQUIRE) || !rk->main_q) return;
    struct rd_kafka_op_s *op = rdk_op_new(rk, RD_KAFKA_EVENT_STATS);
    if (!op) return;
    op->str = malloc(json_len + 1);
    if (!op->str) {
        rdk_op_destroy(op);
        return;
    }
    memcpy(op->str, json, json_len);
    op->str[json_len] = '\0';
    rdk_queue_push(rk->main_q, op);
}

/* kfk names its clients as librdkafka does, counting them its own way
 * (admin clients too): the document's "name" becomes rd_kafka_name's. */
static void on_kfk_stats(const kfk_stats *stats, const char *json, size_t json_len, void *opaque) {
    rd_kafka_t *rk = opaque;
    static const char head[] = "{\"name\":\"";
    size_t hl = sizeof head - 1;
    const char *end = strncmp(json, head, hl) ? NULL : strchr(json + hl, '"');
    if (!end || (size_t)(end - json) >= json_len || strchr(rk->name, '"') ||
        strchr(rk->name, '\\')) {
        push_stats(rk, json, json_len);
        return;
    }
    (void)stats;
    size_t nl = strlen(rk->name), rest = json_len - (size_t)(end - json);
    char *buf = malloc(hl + nl + rest);
    if (!buf) return;
    memcpy(buf, head, hl);
    memcpy(buf + hl, rk->name, nl);
    memcpy(buf + hl + nl, end, rest);
    push_stats(rk, buf, hl + nl + rest);
    free(buf);
}

int rdk_stats_conf(rd_kafka_t *rk, kfk_conf *kc, char *errstr, size_t errstr_size) {
    int ms = interval_ms(rk);
    if (ms <= 0) return 0;
    char v[16];
    snprintf(v, sizeof v, "%d", ms);
    if (kfk_conf_set(kc, "statistics.interval.ms", v, errstr, errstr_size)) return -1;
    kfk_conf_set_stats_cb(kc, on_kfk_stats, rk);
    return 0;
}

/* The figures of a handle without a client: its name and clock, what
 * waits for the application; no broker, no topic, no request yet. */
static void emit_own(rd_kafka_t *rk, int64_t start_us) {
    struct timespec mono;
    clock_gettime(CLOCK_MONOTONIC, &mono);
    int64_t ts = (int64_t)mono.tv_sec * 1000000 + mono.tv_nsec / 1000;
    const char *id = rdk_conf_str(rk->conf, "client.id");
    const char *max_msgs = rdk_conf_str(rk->conf, "queue.buffering.max.messages");
    const char *max_kb = rdk_conf_str(rk->conf, "queue.buffering.max.kbytes");
    int producer = rk->type == RD_KAFKA_PRODUCER;
    char json[1024];
    int n = snprintf(
        json, sizeof json,
        "{\"name\":\"%s\",\"client_id\":\"%s\",\"type\":\"%s\",\"ts\":%lld,\"time\":%lld,"
        "\"age\":%lld,\"replyq\":%zu,\"msg_cnt\":%ld,\"msg_size\":0,\"msg_max\":%lld,"
        "\"msg_size_max\":%lld,\"simple_cnt\":0,\"metadata_cache_cnt\":0,\"brokers\":{},"
        "\"topics\":{},\"tx\":0,\"tx_bytes\":0,\"rx\":0,\"rx_bytes\":0,\"txmsgs\":0,"
        "\"txmsg_bytes\":0,\"rxmsgs\":0,\"rxmsg_bytes\":0}",
        rk->name, id ? id : "", producer ? "producer" : "consumer", (long long)ts,
        (long long)time(NULL), (long long)(ts - start_us),
        rk->main_q ? rd_kafka_queue_length(rk->main_q) : 0,
        producer ? __atomic_load_n(&rk->outq, __ATOMIC_ACQUIRE) : 0L,
        producer && max_msgs ? atoll(max_msgs) : 0LL,
        producer && max_kb ? atoll(max_kb) * 1024 : 0LL);
    if (n > 0 && (size_t)n < sizeof json) push_stats(rk, json, (size_t)n);
}

static void *own_stats_main(void *arg) {
    rd_kafka_t *rk = arg;
    int ms = interval_ms(rk);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int64_t start_us = (int64_t)t0.tv_sec * 1000000 + t0.tv_nsec / 1000;
    struct timespec due;
    clock_gettime(CLOCK_REALTIME, &due);
    pthread_mutex_lock(&rk->stats_lock);
    for (;;) {
        due.tv_sec += ms / 1000;
        due.tv_nsec += (long)(ms % 1000) * 1000000;
        if (due.tv_nsec >= 1000000000) {
            due.tv_sec++;
            due.tv_nsec -= 1000000000;
        }
        while (!rk->stats_stop &&
               pthread_cond_timedwait(&rk->stats_cond, &rk->stats_lock, &due) == 0) {
        }
        /* the client started (rd_kafka_brokers_add): it takes over */
        if (rk->stats_stop || !__atomic_load_n(&rk->pending_conf, __ATOMIC_ACQUIRE)) break;
        pthread_mutex_unlock(&rk->stats_lock);
        emit_own(rk, start_us);
        pthread_mutex_lock(&rk->stats_lock);
    }
    pthread_mutex_unlock(&rk->stats_lock);
    return NULL;
}

int rdk_stats_start(rd_kafka_t *rk) {
    pthread_mutex_init(&rk->stats_lock, NULL);
    pthread_cond_init(&rk->stats_cond, NULL);
    rk->stats_ready = 1;
    if (!rk->pending_conf || interval_ms(rk) <= 0) return 0;
    if (pthread_create(&rk->stats_thread, NULL, own_stats_main, rk) != 0) return -1;
    rk->stats_running = 1;
    rdk_threads_add(1);
    return 0;
}

void rdk_stats_stop(rd_kafka_t *rk) {
    if (!rk->stats_ready) return;
    if (rk->stats_running) {
        pthread_mutex_lock(&rk->stats_lock);
        rk->stats_stop = 1;
        pthread_cond_signal(&rk->stats_cond);
        pthread_mutex_unlock(&rk->stats_lock);
        pthread_join(rk->stats_thread, NULL);
        rk->stats_running = 0;
        rdk_threads_add(-1);
    }
    pthread_cond_destroy(&rk->stats_cond);
    pthread_mutex_destroy(&rk->stats_lock);
    rk->stats_ready = 0;
}
