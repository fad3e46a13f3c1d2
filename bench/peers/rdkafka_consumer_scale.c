/* consumer_scale's twin on librdkafka (scale_common.h says what it does):
 *   rdkafka_consumer_scale BOOTSTRAP TOPIC NTOPICS PARTITIONS SETTLE_S IDLE_S N
 *                          [key=value...] */
#include <librdkafka/rdkafka.h>
#include <stdlib.h>
#include <string.h>

#include "../perf_common.h"
#include "../scale_common.h"

static long long one_poll(void *h, int timeout_ms) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(h, timeout_ms);
    if (!m) return 0;
    long long got = !m->err;
    rd_kafka_message_destroy(m);
    return got;
}

static int assigned(void *h) {
    rd_kafka_topic_partition_list_t *l = NULL;
    if (rd_kafka_assignment(h, &l) || !l) return 0;
    int n = l->cnt;
    rd_kafka_topic_partition_list_destroy(l);
    return n;
}

static void rewind_all(void *h) {
    rd_kafka_topic_partition_list_t *l = NULL;
    if (rd_kafka_assignment(h, &l) || !l) return;
    for (int i = 0; i < l->cnt; i++) l->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_error_t *e = rd_kafka_seek_partitions(h, l, 30000);
    if (e) {
        fprintf(stderr, "seek: %s\n", rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
    }
    rd_kafka_topic_partition_list_destroy(l);
}

static long long read_n(void *h, long long n) {
    long long msgs = 0;
    double last = scale_now();
    while (msgs < n && scale_now() - last < SCALE_QUIET_S) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(h, 1000);
        if (!m) continue;
        last = scale_now();
        if (!m->err) msgs++;
        rd_kafka_message_destroy(m);
    }
    return msgs;
}

int main(int argc, char **argv) {
    scale_args a;
    if (scale_args_read(&a, argc, argv)) return 2;
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", a.boot, err, sizeof err) ||
        rd_kafka_conf_set(conf, "auto.offset.reset", "latest", err, sizeof err))
        goto bad;
    for (int i = SCALE_FIRST_KV; i < argc; i++) {
        const char *v = perf_kv(argv[i]);
        if (v && rd_kafka_conf_set(conf, argv[i], v, err, sizeof err)) goto bad;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) goto bad;
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(a.ntopics);
    char name[512];
    for (int t = 0; t < a.ntopics; t++) {
        snprintf(name, sizeof name, "%s-%d", a.prefix, t);
        rd_kafka_topic_partition_list_add(sub, name, RD_KAFKA_PARTITION_UA);
    }
    double t0 = scale_now();
    rd_kafka_resp_err_t e = rd_kafka_subscribe(rk, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    int rc = 1;
    if (e)
        fprintf(stderr, "%s\n", rd_kafka_err2str(e));
    else
        rc = scale_run(&a, &(scale_ops){rk, one_poll, assigned, rewind_all, read_n}, t0);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return rc ? 1 : 0;
bad:
    fprintf(stderr, "%s\n", err);
    return 2;
}
