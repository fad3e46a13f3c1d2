/* share_consumer_perf's twin on librdkafka's share consumer (its
 * rd_kafka_share_* API, a preview since 2.15; implicit acknowledgement):
 *   rdkafka_share_consumer_perf BOOTSTRAP TOPIC GROUP N [key=value...]
 * Built against Debian's 2.0.2 headers, which lack that API: its calls are
 * declared here, weak, so the program loads on any librdkafka and says
 * "not supported" on one without them. */
#include <librdkafka/rdkafka.h>
#include <stdlib.h>
#include <string.h>

#include "../perf_common.h"

typedef struct rd_kafka_share_s rd_kafka_share_t;
typedef struct rd_kafka_messages_s rd_kafka_messages_t;
#define SHARE_API __attribute__((weak))
SHARE_API rd_kafka_share_t *rd_kafka_share_consumer_new(rd_kafka_conf_t *conf, char *errstr,
                                                        size_t errstr_size);
SHARE_API rd_kafka_resp_err_t rd_kafka_share_subscribe(rd_kafka_share_t *s,
                                                       const rd_kafka_topic_partition_list_t *t);
SHARE_API rd_kafka_error_t *rd_kafka_share_poll(rd_kafka_share_t *s, int timeout_ms,
                                                rd_kafka_messages_t **batch);
SHARE_API size_t rd_kafka_messages_count(const rd_kafka_messages_t *batch);
SHARE_API rd_kafka_message_t *rd_kafka_messages_get(const rd_kafka_messages_t *batch, size_t i);
SHARE_API void rd_kafka_messages_destroy(rd_kafka_messages_t *batch);
SHARE_API rd_kafka_error_t *rd_kafka_share_consumer_close(rd_kafka_share_t *s);
SHARE_API rd_kafka_error_t *rd_kafka_share_destroy(rd_kafka_share_t *s);

/* Logs and frees a call's error; 1 if there was one. */
static int failed(const char *what, rd_kafka_error_t *e) {
    if (!e) return 0;
    fprintf(stderr, "%s: %s\n", what, rd_kafka_error_string(e));
    rd_kafka_error_destroy(e);
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s BOOTSTRAP TOPIC GROUP N [key=value...]\n", argv[0]);
        return 2;
    }
    if (!rd_kafka_share_consumer_new || !rd_kafka_share_poll || !rd_kafka_messages_get) {
        fprintf(stderr, "share consumer not supported by librdkafka %s\n", rd_kafka_version_str());
        return 1;
    }
    long long n = atoll(argv[4]);
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[1], err, sizeof err) ||
        rd_kafka_conf_set(conf, "group.id", argv[3], err, sizeof err))
        goto bad;
    for (int i = 5; i < argc; i++) {
        const char *v = perf_kv(argv[i]);
        if (v && rd_kafka_conf_set(conf, argv[i], v, err, sizeof err)) goto bad;
    }
    rd_kafka_share_t *s = rd_kafka_share_consumer_new(conf, err, sizeof err);
    if (!s) goto bad;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, argv[2], RD_KAFKA_PARTITION_UA);
    int64_t start = perf_wall_ms(), first = 0, last = start;
    rd_kafka_resp_err_t e = rd_kafka_share_subscribe(s, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (e) {
        fprintf(stderr, "subscribe: %s\n", rd_kafka_err2str(e));
        return 1;
    }
    long long msgs = 0, bytes = 0;
    /* Its poll has no "nothing for 10 s" of its own: count it here. */
    while (msgs < n && perf_wall_ms() - last < 10000) {
        rd_kafka_messages_t *batch = NULL;
        if (failed("poll", rd_kafka_share_poll(s, 1000, &batch))) break;
        size_t got = rd_kafka_messages_count(batch);
        for (size_t i = 0; i < got; i++) {
            const rd_kafka_message_t *m = rd_kafka_messages_get(batch, i);
            if (m->err) continue;
            msgs++;
            bytes += (long long)m->len;
        }
        rd_kafka_messages_destroy(batch);
        if (got) {
            last = perf_wall_ms();
            if (!first) first = last;
        }
    }
    int64_t end = perf_wall_ms();
    int bad_close = failed("close", rd_kafka_share_consumer_close(s));
    failed("destroy", rd_kafka_share_destroy(s));
    perf_report(start, first, end, bytes, msgs);
    return msgs >= n && !bad_close ? 0 : 1;
bad:
    fprintf(stderr, "%s\n", err);
    rd_kafka_conf_destroy(conf);
    return 2;
}
