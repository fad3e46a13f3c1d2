/* Reads N messages as a member of a share group with kfk's share consumer
 * (implicit acknowledgement: each poll accepts what the last one returned,
 * close the rest) and prints the Java ConsumerPerformance CSV plus CPU
 * seconds and peak RSS. The group starts at the earliest offset only if
 * told so first (share_group_setup).
 *   share_consumer_perf BOOTSTRAP TOPIC GROUP N [key=value...] */
#include <stdlib.h>
#include <string.h>

#include "kfk.h"
#include "perf_common.h"

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s BOOTSTRAP TOPIC GROUP N [key=value...]\n", argv[0]);
        return 2;
    }
    long long n = atoll(argv[4]);
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    if (kfk_conf_set(conf, "bootstrap.servers", argv[1], err, sizeof err) ||
        kfk_conf_set(conf, "group.id", argv[3], err, sizeof err))
        goto bad;
    for (int i = 5; i < argc; i++) {
        const char *v = perf_kv(argv[i]);
        if (v && kfk_conf_set(conf, argv[i], v, err, sizeof err)) goto bad;
    }
    kfk_share_consumer *c = kfk_share_consumer_new(conf, err, sizeof err);
    if (!c) goto bad;
    const char *topics[1] = {argv[2]};
    int64_t start = perf_wall_ms(), first = 0;
    if (kfk_share_consumer_subscribe(c, topics, 1)) {
        fprintf(stderr, "subscribe failed\n");
        return 1;
    }
    long long msgs = 0, bytes = 0;
    while (msgs < n) {
        kfk_consumer_message *m = kfk_share_consumer_poll(c, 10000);
        if (!m) break;
        if (m->err) {
            fprintf(stderr, "poll: %s\n", kfk_err_name(m->err));
            kfk_consumer_message_release(m);
            break;
        }
        if (!first) first = perf_wall_ms();
        msgs++;
        bytes += (long long)m->value_len;
        kfk_consumer_message_release(m);
    }
    int64_t end = perf_wall_ms();
    int rc = kfk_share_consumer_close(c);
    if (rc) fprintf(stderr, "close: %s\n", kfk_err_name(rc));
    perf_report(start, first, end, bytes, msgs);
    return msgs >= n && !rc ? 0 : 1;
bad:
    fprintf(stderr, "%s\n", err);
    kfk_conf_destroy(conf);
    return 2;
}
