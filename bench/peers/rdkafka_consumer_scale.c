/* consumer_scale's twin on librdkafka (scale_common.h says what it does):
 *   rdkafka_consumer_scale BOOTSTRAP TOPIC NTOPICS PARTITIONS SETTLE_S IDLE_S N [key=value...] */
#include <librdkafka/rdkafka.h>
#include <stdlib.h>
#include <string.h>

#include "../perf_common.h"
#include "../scale_common.h"

static long long idle_poll(rd_kafka_t *rk, double until) {
    long long got = 0;
    while (scale_now() < until) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (!m) continue;
        if (!m->err) got++;
        rd_kafka_message_destroy(m);
    }
    return got;
}

static int assigned(rd_kafka_t *rk) {
    rd_kafka_topic_partition_list_t *l = NULL;
    if (rd_kafka_assignment(rk, &l) || !l) return 0;
    int n = l->cnt;
    rd_kafka_topic_partition_list_destroy(l);
    return n;
}

int main(int argc, char **argv) {
    if (argc < 8) {
        fprintf(stderr, "usage: %s BOOTSTRAP TOPIC NTOPICS PARTITIONS SETTLE_S IDLE_S N [key=value...]\n",
                argv[0]);
        return 2;
    }
    int ntopics = atoi(argv[3]), want = atoi(argv[4]);
    double settle_s = atof(argv[5]), idle_s = atof(argv[6]);
    long long n = atoll(argv[7]);
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[1], err, sizeof err) ||
        rd_kafka_conf_set(conf, "auto.offset.reset", "latest", err, sizeof err))
        goto bad;
    for (int i = 8; i < argc; i++) {
        const char *v = perf_kv(argv[i]);
        if (v && rd_kafka_conf_set(conf, argv[i], v, err, sizeof err)) goto bad;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) goto bad;
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(ntopics);
    char name[512];
    for (int t = 0; t < ntopics; t++) {
        snprintf(name, sizeof name, "%s-%d", argv[2], t);
        rd_kafka_topic_partition_list_add(sub, name, RD_KAFKA_PARTITION_UA);
    }
    double t0 = scale_now();
    rd_kafka_resp_err_t e = rd_kafka_subscribe(rk, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (e) {
        fprintf(stderr, "%s\n", rd_kafka_err2str(e));
        return 1;
    }
    while (assigned(rk) < want) {
        if (scale_now() - t0 > 300) {
            fprintf(stderr, "assignment incomplete: %d of %d\n", assigned(rk), want);
            return 1;
        }
        idle_poll(rk, scale_now() + 0.2);
    }
    scale_report_assigned(want, (scale_now() - t0) * 1000);
    long long stray = idle_poll(rk, scale_now() + settle_s);
    double cpu0 = scale_cpu(), w0 = scale_now();
    stray += idle_poll(rk, w0 + idle_s);
    scale_report_idle(scale_status_mb("VmRSS"), scale_cpu() - cpu0, scale_now() - w0);
    if (stray) fprintf(stderr, "note: %lld records came while idle\n", stray);

    rd_kafka_topic_partition_list_t *l = NULL;
    if (!rd_kafka_assignment(rk, &l) && l) {
        for (int i = 0; i < l->cnt; i++) l->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
        rd_kafka_error_t *se = rd_kafka_seek_partitions(rk, l, 30000);
        if (se) {
            fprintf(stderr, "seek: %s\n", rd_kafka_error_string(se));
            rd_kafka_error_destroy(se);
        }
        rd_kafka_topic_partition_list_destroy(l);
    }
    double cpu1 = scale_cpu();
    long long msgs = 0;
    while (msgs < n) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 10000);
        if (!m) break;
        if (!m->err) msgs++;
        rd_kafka_message_destroy(m);
    }
    scale_report_read(msgs, scale_cpu() - cpu1);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return msgs >= n ? 0 : 1;
bad:
    fprintf(stderr, "%s\n", err);
    return 2;
}
