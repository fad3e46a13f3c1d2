/* slow_broker's twin on librdkafka, same arguments and output:
 *   rdkafka_slow_broker -b HOSTS -t TOPIC -r 5000 -d 20 -s 100 -X linger.ms=5 */
#include <librdkafka/rdkafka.h>

#include "../paced_common.h"

static void on_report(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    paced_report(opaque, (int64_t)(intptr_t)m->_private, m->err != 0);
}

int main(int argc, char **argv) {
    paced_args a = {0};
    if (paced_parse(&a, argc, argv)) return 2;
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", a.bootstrap, err, sizeof err)) goto bad;
    for (int i = 0; i < a.nprops; i += 2)
        if (rd_kafka_conf_set(conf, a.props[i], a.props[i + 1], err, sizeof err)) goto bad;
    paced_hist h = {.n = calloc(PACED_BUCKETS, sizeof *h.n)};
    rd_kafka_conf_set_dr_msg_cb(conf, on_report);
    rd_kafka_conf_set_opaque(conf, &h);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) goto bad;
    char *value = malloc((size_t)a.size);
    memset(value, 'v', (size_t)a.size);
    /* One record first, so the schedule starts with the producer ready. */
    if (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(a.topic), RD_KAFKA_V_VALUE(value, (size_t)a.size),
                          RD_KAFKA_V_OPAQUE((void *)(intptr_t)perf_us()), RD_KAFKA_V_END) ||
        rd_kafka_flush(rk, 60000)) {
        fprintf(stderr, "the first record failed\n");
        return 1;
    }
    paced_reset(&h);
    long n = a.rate * a.secs;
    int64_t start = perf_us();
    for (long i = 0; i < n; i++) {
        void *due = (void *)(intptr_t)paced_wait(&a, start, i);
        rd_kafka_resp_err_t e;
        while ((e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(a.topic),
                                      RD_KAFKA_V_VALUE(value, (size_t)a.size),
                                      RD_KAFKA_V_OPAQUE(due), RD_KAFKA_V_END)) ==
               RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 10); /* blocks as kfk's send does when its buffer is full */
        if (e) {
            fprintf(stderr, "produce: %s\n", rd_kafka_err2str(e));
            return 1;
        }
        rd_kafka_poll(rk, 0);
    }
    if (rd_kafka_flush(rk, 120000)) fprintf(stderr, "flush timed out\n");
    paced_summary(&h, n, start, perf_us());
    rd_kafka_destroy(rk);
    free(value);
    free(h.n);
    return 0;
bad:
    fprintf(stderr, "%s\n", err);
    return 2;
}
