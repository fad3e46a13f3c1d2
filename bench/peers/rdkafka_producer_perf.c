/* producer_perf's twin on librdkafka, same arguments and output, for side
 * by side runs:
 *   rdkafka_producer_perf -b HOST:PORT -t TOPIC -n 1000000 -s 100 -X linger.ms=5 */
#include <librdkafka/rdkafka.h>

#include "../producer_stats.h"

static void on_report(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    perf_lat *l = opaque;
    if (m->err)
        l->errors++;
    else
        perf_lat_add(l, (int64_t)(intptr_t)m->_private);
}

int main(int argc, char **argv) {
    perf_args a = {0};
    if (perf_parse(&a, argc, argv)) return 2;
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", a.bootstrap, err, sizeof err)) goto bad;
    for (int i = 0; i < a.nprops; i += 2)
        if (rd_kafka_conf_set(conf, a.props[i], a.props[i + 1], err, sizeof err)) goto bad;
    perf_lat lat = {.cap = a.n};
    lat.us = malloc((size_t)a.n * sizeof *lat.us);
    rd_kafka_conf_set_opaque(conf, &lat);
    rd_kafka_conf_set_dr_msg_cb(conf, on_report);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) goto bad;
    rd_kafka_topic_t *t = rd_kafka_topic_new(rk, a.topic, NULL);
    char *payload = malloc((size_t)a.size);
    for (long i = 0; i < a.size; i++) payload[i] = (char)('A' + i % 26);
    int64_t start = perf_us();
    for (long i = 0; i < a.n; i++) {
        while (rd_kafka_produce(t, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, payload,
                                (size_t)a.size, NULL, 0, (void *)(intptr_t)perf_us()) == -1) {
            if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                fprintf(stderr, "produce: %s\n", rd_kafka_err2str(rd_kafka_last_error()));
                return 1;
            }
            rd_kafka_poll(rk, 10);
        }
        if (i % 1000 == 0) rd_kafka_poll(rk, 0);
    }
    if (rd_kafka_flush(rk, 120000)) fprintf(stderr, "flush timed out\n");
    int64_t end = perf_us();
    perf_summary(&lat, a.n, a.size, start, end);
    rd_kafka_topic_destroy(t);
    rd_kafka_destroy(rk);
    free(payload);
    free(lat.us);
    return lat.errors ? 1 : 0;
bad:
    fprintf(stderr, "%s\n", err);
    return 2;
}
