/* consumer_perf's twin on librdkafka, for side-by-side numbers:
 *   rdkafka_consumer_perf BOOTSTRAP TOPIC PARTITIONS N [key=value...]
 * PARTITIONS 0 joins group.id (a key=value) and subscribes to TOPIC instead
 * of assigning partitions 0..PARTITIONS-1. */
#include <librdkafka/rdkafka.h>
#include <stdlib.h>
#include <string.h>

#include "../perf_common.h"

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s BOOTSTRAP TOPIC PARTITIONS N [key=value...]\n", argv[0]);
        return 2;
    }
    int parts = atoi(argv[3]);
    long long n = atoll(argv[4]);
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[1], err, sizeof err) ||
        rd_kafka_conf_set(conf, "group.id", "rdkafka-perf", err, sizeof err) ||
        rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err))
        goto bad;
    for (int i = 5; i < argc; i++) {
        const char *v = perf_kv(argv[i]);
        if (v && rd_kafka_conf_set(conf, argv[i], v, err, sizeof err)) goto bad;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) goto bad;
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(parts ? parts : 1);
    for (int p = 0; p < parts; p++) rd_kafka_topic_partition_list_add(l, argv[2], p)->offset = 0;
    if (!parts) rd_kafka_topic_partition_list_add(l, argv[2], RD_KAFKA_PARTITION_UA);
    int64_t start = perf_wall_ms(), first = 0;
    rd_kafka_resp_err_t e = parts ? rd_kafka_assign(rk, l) : rd_kafka_subscribe(rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (e) {
        fprintf(stderr, "%s\n", rd_kafka_err2str(e));
        return 1;
    }
    long long msgs = 0, bytes = 0;
    while (msgs < n) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 10000);
        if (!m) break;
        if (!first) first = perf_wall_ms();
        if (!m->err) {
            msgs++;
            bytes += (long long)m->len;
        }
        rd_kafka_message_destroy(m);
    }
    int64_t end = perf_wall_ms();
    perf_report(start, first, end, bytes, msgs);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return msgs >= n ? 0 : 1;
bad:
    fprintf(stderr, "%s\n", err);
    return 2;
}
