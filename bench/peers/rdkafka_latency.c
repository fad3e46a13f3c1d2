/* latency's twin on librdkafka, same arguments, pacing and report line:
 *   rdkafka_latency -b HOST:PORT -t TOPIC -r 20000 -d 20 -s 100 -P linger.ms=0 */
#include <librdkafka/rdkafka.h>
#include <pthread.h>

#include "../latency_common.h"

typedef struct run {
    lat_state s;
    rd_kafka_t *c;
} run;

static void on_report(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    if (m->err) ((lat_state *)opaque)->errors++;
}

static void *consume(void *arg) {
    run *r = arg;
    int64_t last = lat_now_ns();
    while (lat_more(&r->s, last)) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(r->c, 100);
        if (!m) continue;
        if (!m->err) {
            last = lat_now_ns();
            lat_seen(&r->s, m->payload, m->len, last);
        }
        rd_kafka_message_destroy(m);
    }
    return NULL;
}

static rd_kafka_conf_t *make_conf(const char *bootstrap, const char **props, int n, char *err,
                                  size_t len) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    int bad = rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, len) != RD_KAFKA_CONF_OK;
    for (int i = 0; i < n && !bad; i += 2)
        bad = rd_kafka_conf_set(conf, props[i], props[i + 1], err, len) != RD_KAFKA_CONF_OK;
    if (!bad) return conf;
    rd_kafka_conf_destroy(conf);
    return NULL;
}

static rd_kafka_resp_err_t assign_end(rd_kafka_t *c, const char *topic) {
    int64_t low, high;
    rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(c, topic, 0, &low, &high, 10000);
    if (e) return e;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, 0)->offset = high;
    e = rd_kafka_assign(c, l);
    rd_kafka_topic_partition_list_destroy(l);
    return e;
}

static long produce(rd_kafka_t *p, rd_kafka_topic_t *t, const lat_args *a, char *value,
                    int64_t *start, int64_t *end) {
    long sent = 0, total = a->rate * a->secs;
    *start = lat_now_ns();
    for (int64_t tick = *start; sent < total; tick += 1000000) {
        long due = lat_due(a, *start, lat_now_ns());
        for (; sent < due; sent++) {
            lat_stamp(value, lat_now_ns());
            if (rd_kafka_produce(t, 0, RD_KAFKA_MSG_F_COPY, value, (size_t)a->size, NULL, 0,
                                 NULL) == -1) {
                fprintf(stderr, "produce: %s\n", rd_kafka_err2str(rd_kafka_last_error()));
                *end = lat_now_ns();
                return sent;
            }
        }
        rd_kafka_poll(p, 0);
        lat_sleep_until(tick + 1000000);
    }
    *end = lat_now_ns();
    return sent;
}

int main(int argc, char **argv) {
    lat_args a = {0};
    if (lat_parse(&a, argc, argv)) return 2;
    char err[512];
    run r = {0};
    if (lat_init(&r.s, &a)) return 1;
    rd_kafka_conf_t *pc = make_conf(a.bootstrap, a.pprops, a.npp, err, sizeof err);
    rd_kafka_conf_t *cc = pc ? make_conf(a.bootstrap, a.cprops, a.ncp, err, sizeof err) : NULL;
    if (!cc || rd_kafka_conf_set(cc, "group.id", "rdkafka-latency", err, sizeof err) ||
        rd_kafka_conf_set(cc, "enable.auto.commit", "false", err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    rd_kafka_conf_set_opaque(pc, &r.s);
    rd_kafka_conf_set_dr_msg_cb(pc, on_report);
    rd_kafka_t *p = rd_kafka_new(RD_KAFKA_PRODUCER, pc, err, sizeof err);
    r.c = p ? rd_kafka_new(RD_KAFKA_CONSUMER, cc, err, sizeof err) : NULL;
    if (!r.c) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    rd_kafka_poll_set_consumer(r.c);
    rd_kafka_resp_err_t e = assign_end(r.c, a.topic);
    if (e) {
        fprintf(stderr, "assign: %s\n", rd_kafka_err2str(e));
        return 1;
    }
    rd_kafka_topic_t *t = rd_kafka_topic_new(p, a.topic, NULL);
    pthread_t th;
    pthread_create(&th, NULL, consume, &r);
    char *value = calloc(1, (size_t)a.size);
    /* The warm-up record pays for metadata, connections and the producer id. */
    if (rd_kafka_produce(t, 0, RD_KAFKA_MSG_F_COPY, value, (size_t)a.size, NULL, 0, NULL) == -1 ||
        lat_wait_warm(&r.s)) {
        fprintf(stderr, "warm-up record did not come back in 30 s\n");
        return 1;
    }
    int64_t start, end;
    long sent = produce(p, t, &a, value, &start, &end);
    rd_kafka_flush(p, 30000);
    atomic_store(&r.s.sent, sent);
    pthread_join(th, NULL);
    lat_report(&r.s, sent, start, end);
    int rc = r.s.received == sent && !r.s.errors && sent == a.rate * a.secs ? 0 : 1;
    rd_kafka_topic_destroy(t);
    rd_kafka_destroy(p);
    rd_kafka_consumer_close(r.c);
    rd_kafka_destroy(r.c);
    free(value);
    free(r.s.ns);
    return rc;
}
