/* One group consumer over many partitions, idle then reading (see
 * scale_common.h for the phases and what is printed):
 *   consumer_scale BOOTSTRAP TOPIC NTOPICS PARTITIONS SETTLE_S IDLE_S N
 *                  [key=value...]
 * PARTITIONS is the total the assignment must reach; group.id comes as a
 * key=value. */
#include <stdlib.h>
#include <string.h>

#include "kfk.h"
#include "perf_common.h"
#include "scale_common.h"

/* Polls (dropping what comes) until `until`; the count of records seen. */
static long long idle_poll(kfk_consumer *c, double until) {
    long long got = 0;
    while (scale_now() < until) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 200);
        if (!m) continue;
        if (!m->err) got++;
        kfk_consumer_message_release(m);
    }
    return got;
}

static int assigned(kfk_consumer *c) {
    kfk_partition_list *l = kfk_consumer_assignment(c);
    int n = l ? l->count : 0;
    kfk_partition_list_destroy(l);
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
    kfk_conf *conf = kfk_conf_new();
    if (kfk_conf_set(conf, "bootstrap.servers", argv[1], err, sizeof err) ||
        kfk_conf_set(conf, "auto.offset.reset", "latest", err, sizeof err))
        goto bad;
    for (int i = 8; i < argc; i++) {
        const char *v = perf_kv(argv[i]);
        if (v && kfk_conf_set(conf, argv[i], v, err, sizeof err)) goto bad;
    }
    kfk_consumer *c = kfk_consumer_new(conf, err, sizeof err);
    if (!c) goto bad;
    char **names = calloc((size_t)ntopics, sizeof *names);
    for (int t = 0; t < ntopics; t++) {
        names[t] = malloc(strlen(argv[2]) + 16);
        sprintf(names[t], "%s-%d", argv[2], t);
    }
    double t0 = scale_now();
    if (kfk_consumer_subscribe(c, (const char *const *)names, ntopics)) {
        fprintf(stderr, "subscribe failed\n");
        return 1;
    }
    while (assigned(c) < want) {
        if (scale_now() - t0 > 300) {
            fprintf(stderr, "assignment incomplete: %d of %d\n", assigned(c), want);
            return 1;
        }
        idle_poll(c, scale_now() + 0.2);
    }
    scale_report_assigned(want, (scale_now() - t0) * 1000);
    long long stray = idle_poll(c, scale_now() + settle_s);
    double cpu0 = scale_cpu(), w0 = scale_now();
    stray += idle_poll(c, w0 + idle_s);
    scale_report_idle(scale_status_mb("VmRSS"), scale_cpu() - cpu0, scale_now() - w0);
    if (stray) fprintf(stderr, "note: %lld records came while idle\n", stray);

    kfk_partition_list *l = kfk_consumer_assignment(c);
    for (int i = 0; l && i < l->count; i++)
        kfk_consumer_seek(c, l->elems[i].topic, l->elems[i].partition, KFK_OFFSET_BEGINNING);
    kfk_partition_list_destroy(l);
    double cpu1 = scale_cpu();
    long long msgs = 0;
    kfk_consumer_message *batch[1000];
    while (msgs < n) {
        int got = kfk_consumer_poll_batch(c, batch, 1000, 10000);
        if (got == 0) break;
        for (int i = 0; i < got; i++) {
            if (!batch[i]->err) msgs++;
            kfk_consumer_message_release(batch[i]);
        }
    }
    scale_report_read(msgs, scale_cpu() - cpu1);
    kfk_consumer_close(c); /* commits, leaves the group, destroys */
    for (int t = 0; t < ntopics; t++) free(names[t]);
    free(names);
    return msgs >= n ? 0 : 1;
bad:
    fprintf(stderr, "%s\n", err);
    kfk_conf_destroy(conf);
    return 2;
}
