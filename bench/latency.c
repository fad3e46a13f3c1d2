/* End-to-end latency with kfk's public API: the main thread produces a
 * steady rate to partition 0, a second thread consumes it from its end.
 *   latency -b HOST:PORT -t TOPIC -r 20000 -d 20 -s 100 -P linger.ms=0 */
#include <pthread.h>

#include "kfk.h"
#include "latency_common.h"

typedef struct run {
    lat_state s;
    kfk_consumer *c;
} run;

static void on_report(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    (void)p;
    if (d->err) ((lat_state *)opaque)->errors++;
}

static void *consume(void *arg) {
    run *r = arg;
    kfk_consumer_message *batch[512];
    int64_t last = lat_now_ns();
    while (lat_more(&r->s, last)) {
        int n = kfk_consumer_poll_batch(r->c, batch, 512, 100);
        int64_t now = lat_now_ns();
        for (int i = 0; i < n; i++) {
            if (!batch[i]->err) {
                lat_seen(&r->s, batch[i]->value, batch[i]->value_len, now);
                last = now;
            }
            kfk_consumer_message_release(batch[i]);
        }
    }
    return NULL;
}

static kfk_conf *make_conf(const char *bootstrap, const char **props, int n, char *err,
                           size_t len) {
    kfk_conf *conf = kfk_conf_new();
    int bad = kfk_conf_set(conf, "bootstrap.servers", bootstrap, err, len);
    for (int i = 0; i < n && !bad; i += 2) bad = kfk_conf_set(conf, props[i], props[i + 1], err, len);
    if (!bad) return conf;
    kfk_conf_destroy(conf);
    return NULL;
}

/* Assigns partition 0 at its current end, so only this run's records come. */
static int assign_end(kfk_consumer *c, const char *topic) {
    int64_t low, high;
    int e = kfk_consumer_watermarks(c, topic, 0, &low, &high, 10000);
    if (e) return e;
    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, topic, 0)->offset = high;
    e = kfk_consumer_assign(c, l);
    kfk_partition_list_destroy(l);
    return e;
}

/* Sends the paced records; returns how many were accepted. */
static long produce(kfk_producer *p, const lat_args *a, char *value, int64_t *start,
                    int64_t *end) {
    kfk_message m = {.topic = a->topic, .partition = 0, .value = value,
                     .value_len = (size_t)a->size};
    long sent = 0, total = a->rate * a->secs;
    *start = lat_now_ns();
    for (int64_t tick = *start; sent < total; tick += 1000000) {
        long due = lat_due(a, *start, lat_now_ns());
        for (; sent < due; sent++) {
            lat_stamp(value, lat_now_ns());
            int e = kfk_producer_send(p, &m, KFK_SEND_COPY);
            if (e) {
                fprintf(stderr, "send: %s\n", kfk_err_name(e));
                *end = lat_now_ns();
                return sent;
            }
        }
        kfk_producer_poll(p, 0);
        lat_sleep_until(tick + 1000000);
    }
    *end = lat_now_ns();
    return sent;
}

int main(int argc, char **argv) {
    lat_args a = {0};
    if (lat_parse(&a, argc, argv)) return 2;
    char err[512];
    run r = {0};
    if (lat_init(&r.s, &a)) return 1;
    kfk_conf *pc = make_conf(a.bootstrap, a.pprops, a.npp, err, sizeof err);
    kfk_conf *cc = pc ? make_conf(a.bootstrap, a.cprops, a.ncp, err, sizeof err) : NULL;
    kfk_producer_callbacks cbs = {.delivery = on_report, .opaque = &r.s};
    kfk_producer *p = cc ? kfk_producer_new(pc, &cbs, err, sizeof err) : NULL;
    r.c = p ? kfk_consumer_new(cc, err, sizeof err) : NULL;
    if (!r.c) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    int e = assign_end(r.c, a.topic);
    if (e) {
        fprintf(stderr, "assign: %s\n", kfk_err_str(e));
        return 1;
    }
    pthread_t t;
    pthread_create(&t, NULL, consume, &r);
    char *value = calloc(1, (size_t)a.size);
    kfk_message warm = {.topic = a.topic, .partition = 0, .value = value,
                        .value_len = (size_t)a.size};
    /* The warm-up record pays for metadata, connections and the producer id. */
    if (kfk_producer_send(p, &warm, KFK_SEND_COPY) || lat_wait_warm(&r.s)) {
        fprintf(stderr, "warm-up record did not come back in 30 s\n");
        return 1;
    }
    int64_t start, end;
    long sent = produce(p, &a, value, &start, &end);
    kfk_producer_flush(p, 30000);
    atomic_store(&r.s.sent, sent);
    pthread_join(t, NULL);
    lat_report(&r.s, sent, start, end);
    int rc = r.s.received == sent && !r.s.errors && sent == a.rate * a.secs ? 0 : 1;
    kfk_producer_destroy(p);
    kfk_consumer_destroy(r.c);
    free(value);
    free(r.s.ns);
    return rc;
}
