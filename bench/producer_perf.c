/* kfk's producer benchmark, in the manner of Kafka's ProducerPerformance:
 * N records of S bytes to one topic from one thread, as fast as the
 * producer takes them; latency is send to delivery report.
 *   producer_perf [--owned] -b HOST:PORT -t TOPIC -n 1000000 -s 100 -X linger.ms=5
 * --owned hands each value over (KFK_SEND_FREE), as an application that
 * builds every message in a buffer of its own would: it mallocs and fills
 * one per message. */
#include <string.h>

#include "kfk.h"
#include "producer_stats.h"

static void on_report(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    (void)p;
    perf_lat *l = opaque;
    if (d->err)
        l->errors++;
    else
        perf_lat_add(l, (int64_t)(intptr_t)d->opaque);
}

int main(int argc, char **argv) {
    int owned = argc > 1 && strcmp(argv[1], "--owned") == 0;
    if (owned) {
        argv[1] = argv[0];
        argv++;
        argc--;
    }
    perf_args a = {0};
    if (perf_parse(&a, argc, argv)) return 2;
    if (a.keys || a.threads || strchr(a.topic, ',')) {
        fprintf(stderr, "keys, threads and topic lists: kfk perf produce has them\n");
        return 2;
    }
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    if (kfk_conf_set(conf, "bootstrap.servers", a.bootstrap, err, sizeof err)) goto bad;
    for (int i = 0; i < a.nprops; i += 2)
        if (kfk_conf_set(conf, a.props[i], a.props[i + 1], err, sizeof err)) goto bad;
    perf_lat lat = {0};
    if (perf_lat_init(&lat)) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    kfk_producer_callbacks cbs = {.delivery = on_report, .opaque = &lat};
    kfk_producer *p = kfk_producer_new(conf, &cbs, err, sizeof err);
    if (!p) goto bad;
    char *payload = malloc((size_t)a.size);
    for (long i = 0; i < a.size; i++) payload[i] = (char)('A' + i % 26);
    int64_t start = perf_us();
    for (long i = 0; i < a.n; i++) {
        kfk_message m = {.topic = a.topic, .partition = KFK_PARTITION_ANY, .value = payload,
                         .value_len = (size_t)a.size, .opaque = (void *)(intptr_t)perf_us()};
        if (owned) {
            char *v = malloc((size_t)a.size);
            memcpy(v, payload, (size_t)a.size);
            m.value = v;
        }
        /* Blocks while buffer.memory is full: completed batches free it. */
        int rc = kfk_producer_send(p, &m, owned ? KFK_SEND_FREE : 0);
        if (rc) {
            fprintf(stderr, "send: %s\n", kfk_err_name(rc));
            return 1;
        }
        if (i % 1000 == 0) kfk_producer_poll(p, 0);
    }
    if (kfk_producer_flush(p, 120000)) fprintf(stderr, "flush timed out\n");
    int64_t end = perf_us();
    perf_summary(&lat, a.n, a.size, start, end);
    kfk_producer_destroy(p);
    free(payload);
    free(lat.h);
    return lat.errors ? 1 : 0;
bad:
    fprintf(stderr, "%s\n", err);
    return 2;
}
