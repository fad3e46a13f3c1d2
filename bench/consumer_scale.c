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

static long long one_poll(void *h, int timeout_ms) {
    kfk_consumer_message *m = kfk_consumer_poll(h, timeout_ms);
    long long got = m && !m->err;
    kfk_consumer_message_release(m);
    return got;
}

static int assigned(void *h) {
    kfk_partition_list *l = kfk_consumer_assignment(h);
    int n = l ? l->count : 0;
    kfk_partition_list_destroy(l);
    return n;
}

static void rewind_all(void *h) {
    kfk_partition_list *l = kfk_consumer_assignment(h);
    for (int i = 0; l && i < l->count; i++)
        kfk_consumer_seek(h, l->elems[i].topic, l->elems[i].partition, KFK_OFFSET_BEGINNING);
    kfk_partition_list_destroy(l);
}

static long long read_n(void *h, long long n) {
    long long msgs = 0;
    kfk_consumer_message *batch[1000];
    double last = scale_now();
    while (msgs < n && scale_now() - last < SCALE_QUIET_S) {
        int got = kfk_consumer_poll_batch(h, batch, 1000, 1000);
        if (got > 0) last = scale_now();
        for (int i = 0; i < got; i++) {
            if (!batch[i]->err) msgs++;
            kfk_consumer_message_release(batch[i]);
        }
    }
    return msgs;
}

int main(int argc, char **argv) {
    scale_args a;
    if (scale_args_read(&a, argc, argv)) return 2;
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    if (kfk_conf_set(conf, "bootstrap.servers", a.boot, err, sizeof err) ||
        kfk_conf_set(conf, "auto.offset.reset", "latest", err, sizeof err))
        goto bad;
    for (int i = SCALE_FIRST_KV; i < argc; i++) {
        const char *v = perf_kv(argv[i]);
        if (v && kfk_conf_set(conf, argv[i], v, err, sizeof err)) goto bad;
    }
    kfk_consumer *c = kfk_consumer_new(conf, err, sizeof err);
    if (!c) goto bad;
    char **names = calloc((size_t)a.ntopics, sizeof *names);
    for (int t = 0; t < a.ntopics; t++) {
        names[t] = malloc(strlen(a.prefix) + 16);
        sprintf(names[t], "%s-%d", a.prefix, t);
    }
    double t0 = scale_now();
    int rc = kfk_consumer_subscribe(c, (const char *const *)names, a.ntopics);
    if (rc)
        fprintf(stderr, "subscribe: %s\n", kfk_err_name(rc));
    else
        rc = scale_run(&a, &(scale_ops){c, one_poll, assigned, rewind_all, read_n}, t0);
    kfk_consumer_close(c); /* commits, leaves the group, destroys */
    for (int t = 0; t < a.ntopics; t++) free(names[t]);
    free(names);
    return rc ? 1 : 0;
bad:
    fprintf(stderr, "%s\n", err);
    kfk_conf_destroy(conf);
    return 2;
}
