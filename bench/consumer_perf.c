/* Reads N messages from a pre-filled topic with kfk's consumer and prints
 * the Java ConsumerPerformance CSV plus CPU seconds and peak RSS.
 *   consumer_perf BOOTSTRAP TOPIC PARTITIONS N [key=value...] */
#include <stdlib.h>
#include <string.h>

#include "kfk.h"
#include "perf_common.h"

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s BOOTSTRAP TOPIC PARTITIONS N [key=value...]\n", argv[0]);
        return 2;
    }
    int parts = atoi(argv[3]);
    long long n = atoll(argv[4]);
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    if (kfk_conf_set(conf, "bootstrap.servers", argv[1], err, sizeof err)) goto bad;
    for (int i = 5; i < argc; i++) {
        const char *v = perf_kv(argv[i]);
        if (v && kfk_conf_set(conf, argv[i], v, err, sizeof err)) goto bad;
    }
    kfk_consumer *c = kfk_consumer_new(conf, err, sizeof err);
    if (!c) goto bad;
    kfk_partition_list *l = kfk_partition_list_new(parts);
    for (int p = 0; p < parts; p++) kfk_partition_list_add(l, argv[2], p)->offset = 0;
    int64_t start = perf_wall_ms(), first = 0;
    kfk_consumer_assign(c, l);
    kfk_partition_list_destroy(l);
    long long msgs = 0, bytes = 0;
    kfk_consumer_message *batch[1000];
    while (msgs < n) {
        int got = kfk_consumer_poll_batch(c, batch, 1000, 10000);
        if (got == 0) break;
        if (!first) first = perf_wall_ms();
        for (int i = 0; i < got; i++) {
            if (!batch[i]->err) {
                msgs++;
                bytes += (long long)batch[i]->value_len;
            }
            kfk_consumer_message_release(batch[i]);
        }
    }
    int64_t end = perf_wall_ms();
    perf_report(start, first, end, bytes, msgs);
    kfk_consumer_destroy(c);
    return msgs >= n ? 0 : 1;
bad:
    fprintf(stderr, "%s\n", err);
    kfk_conf_destroy(conf);
    return 2;
}
