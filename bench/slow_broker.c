/* Keyless records at a steady rate with kfk, for the slow-broker workload
 * (bench/run stops one broker of three for a while mid-run):
 *   slow_broker -b HOSTS -t TOPIC -r 5000 -d 20 -s 100 -X partitioner.availability.timeout.ms=1000 */
#include "kfk.h"
#include "paced_common.h"

static void on_report(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    (void)p;
    paced_report(opaque, (int64_t)(intptr_t)d->opaque, d->err);
}

int main(int argc, char **argv) {
    paced_args a = {0};
    if (paced_parse(&a, argc, argv)) return 2;
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    if (kfk_conf_set(conf, "bootstrap.servers", a.bootstrap, err, sizeof err)) goto bad;
    for (int i = 0; i < a.nprops; i += 2)
        if (kfk_conf_set(conf, a.props[i], a.props[i + 1], err, sizeof err)) goto bad;
    paced_hist h = {.n = calloc(PACED_BUCKETS, sizeof *h.n)};
    kfk_producer_callbacks cbs = {.delivery = on_report, .opaque = &h};
    kfk_producer *p = kfk_producer_new(conf, &cbs, err, sizeof err);
    if (!p) goto bad;
    char *value = malloc((size_t)a.size);
    memset(value, 'v', (size_t)a.size);
    /* One record first, so the schedule starts with the producer ready. */
    kfk_message warm = {.topic = a.topic, .partition = KFK_PARTITION_ANY, .value = value,
                        .value_len = (size_t)a.size, .opaque = (void *)(intptr_t)perf_us()};
    if (kfk_producer_send(p, &warm, 0) || kfk_producer_flush(p, 60000)) {
        fprintf(stderr, "the first record failed\n");
        return 1;
    }
    paced_reset(&h);
    long n = a.rate * a.secs;
    int64_t start = perf_us();
    for (long i = 0; i < n; i++) {
        kfk_message m = {.topic = a.topic, .partition = KFK_PARTITION_ANY, .value = value,
                         .value_len = (size_t)a.size};
        m.opaque = (void *)(intptr_t)paced_wait(&a, start, i);
        int rc = kfk_producer_send(p, &m, 0);
        if (rc) {
            fprintf(stderr, "send: %s\n", kfk_err_name(rc));
            return 1;
        }
        kfk_producer_poll(p, 0);
    }
    if (kfk_producer_flush(p, 120000)) fprintf(stderr, "flush timed out\n");
    paced_summary(&h, n, start, perf_us());
    kfk_producer_destroy(p);
    free(value);
    free(h.n);
    return 0;
bad:
    fprintf(stderr, "%s\n", err);
    return 2;
}
