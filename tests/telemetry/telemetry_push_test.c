/* Client telemetry (KIP-714) pushed to a real broker whose metrics reporter
 * is TelemetrySink.java (it writes every push it receives, parsed with the
 * OTLP classes of kafka-clients, to KFK_TELEMETRY_SINK), with a
 * subscription to the producer and consumer metrics made by the broker's
 * ClientMetricsCommand (tests/telemetry/run sets all this up). The
 * producer and the consumer push at the interval, end with one
 * terminating push, and their counters add up to what they did. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "it.h"

#define RECORDS 40

static const char *sink(void) {
    return getenv("KFK_TELEMETRY_SINK");
}

static long sink_size(void) {
    FILE *f = fopen(sink(), "r");
    if (!f)
        return 0;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

typedef struct pushes {
    int n, terminating, last_terminating, errors, instances;
    char instance[256];
    int64_t sum;         /* of `name` over the pushes (delta) or its last value */
    int delta, cumulative;
    int seen;            /* data points named `name` (with attributes `attrs`) */
    double gmin, gmax;   /* a gauge's smallest and largest value, the final
                            push left out (its interval may be a few ms) */
    int names_ok;        /* every metric under the expected prefix */
} pushes;

/* Reads what the sink got since offset: pushes and the metric `name` with
 * the data point attributes `attrs` ("" none, "topic=t"). */
static pushes read_sink_at(long offset, const char *name, const char *attrs, const char *prefix) {
    pushes p = {.names_ok = 1, .gmin = 1e300, .gmax = -1e300};
    FILE *f = fopen(sink(), "r");
    if (!f)
        return p;
    fseek(f, offset, SEEK_SET);
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char a[256], b[256], c[64], d[256] = "";
        if (sscanf(line, "push %255s %255s %63s", a, b, c) == 3) {
            if (!p.instance[0] || strcmp(p.instance, a)) {
                p.instances++;
                snprintf(p.instance, sizeof p.instance, "%s", a);
            }
            p.n++;
            p.last_terminating = !strcmp(b, "true");
            p.terminating += p.last_terminating;
        } else if (sscanf(line, "metric %255s %255s %63s %255s", a, b, c, d) >= 3) {
            if (strncmp(a, prefix, strlen(prefix)))
                p.names_ok = 0;
            if (!strcmp(a, name) && !strcmp(d, attrs)) {
                p.seen++;
                int64_t v = strtoll(b, NULL, 10);
                double g = strtod(b, NULL);
                if (!p.last_terminating && g < p.gmin)
                    p.gmin = g;
                if (!p.last_terminating && g > p.gmax)
                    p.gmax = g;
                if (!strcmp(c, "gauge")) {
                } else if (strstr(c, "DELTA")) {
                    p.delta = 1;
                    p.sum += v;
                } else {
                    p.cumulative = 1;
                    p.sum = v;
                }
            }
        } else if (!strncmp(line, "error", 5)) {
            p.errors++;
        }
    }
    fclose(f);
    return p;
}

static pushes read_sink(long offset, const char *name, const char *prefix) {
    return read_sink_at(offset, name, "", prefix);
}

/* A gauge present in pushes, its values within [lo, hi]. */
static void check_gauge(long offset, const char *name, double lo, double hi) {
    pushes g = read_sink(offset, name, "org.apache.kafka.");
    CHECK(g.seen >= 1);
    CHECK(g.gmin >= lo);
    CHECK(g.gmax <= hi);
    CHECK(g.gmax > 0);
    if (g.seen < 1 || g.gmin < lo || g.gmax > hi || g.gmax <= 0)
        fprintf(stderr, "%s: %d points, %g to %g, want %g to %g\n", name, g.seen, g.gmin,
                g.gmax, lo, hi);
}

static kfk_conf *conf_for(const char *bootstrap) {
    char err[256];
    kfk_conf *c = kfk_conf_new();
    if (c)
        kfk_conf_set(c, "bootstrap.servers", bootstrap, err, sizeof err);
    return c;
}

static void check_pushes(const pushes *p, int64_t want) {
    CHECK(p->n >= 3); /* about 3 s at a 500 ms interval, and the final one */
    CHECK_EQ(p->instances, 1);
    CHECK_EQ(p->terminating, 1);
    CHECK_EQ(p->last_terminating, 1);
    CHECK_EQ(p->errors, 0);
    CHECK(p->names_ok);
    CHECK_EQ(p->delta + p->cumulative, 1); /* one temporality throughout */
    CHECK_EQ(p->seen, p->n);               /* the counter in every push */
    CHECK_EQ(p->sum, want);
}

TEST(producer_pushes_its_metrics) {
    const char *bootstrap = it_bootstrap();
    REQUIRE(bootstrap);
    REQUIRE(sink());
    char topic[128];
    it_topic(topic, sizeof topic, "telemetry-push");
    long start = sink_size();
    kfk_conf *pc = conf_for(bootstrap);
    char err[256];
    kfk_producer *p = kfk_producer_new(pc, NULL, err, sizeof err);
    REQUIRE(p);
    for (int i = 0; i < RECORDS; i++) {
        kfk_message m = {.topic = topic, .partition = 0, .value = "telemetry", .value_len = 9};
        CHECK_EQ(kfk_producer_send(p, &m, 0), 0);
        usleep(75 * 1000);
    }
    CHECK_EQ(kfk_producer_close(p, 30000), 0);
    usleep(500 * 1000); /* the sink writes as the broker handles the push */
    pushes got = read_sink(start, "org.apache.kafka.producer.record.send.total",
                           "org.apache.kafka.producer.");
    check_pushes(&got, RECORDS);
    /* per topic, tagged as Java tags it */
    char attr[160];
    snprintf(attr, sizeof attr, "topic=%s", topic);
    got = read_sink_at(start, "org.apache.kafka.producer.topic.record.send.total", attr,
                       "org.apache.kafka.producer.");
    CHECK(got.seen >= 3);
    CHECK_EQ(got.sum, RECORDS);
    got = read_sink_at(start, "org.apache.kafka.producer.topic.byte.total", attr,
                       "org.apache.kafka.producer.");
    CHECK(got.seen >= 3);
    CHECK(got.sum >= RECORDS * 9); /* the batches' bytes: the values and framing */
    /* about 13 records a second; a push's rate is over its interval, and
     * on a loaded machine acknowledgements come in bursts and a late push
     * leaves the next a shorter interval: none above 40 in 0.25 s */
    check_gauge(start, "org.apache.kafka.producer.record.send.rate", 0, 160);
    check_gauge(start, "org.apache.kafka.producer.request.rate", 0, 1000);
    check_gauge(start, "org.apache.kafka.producer.connection.creation.rate", 0, 100);
}

static void count_stats(const kfk_stats *s, const char *json, size_t len, void *opaque) {
    (void)s;
    (void)json;
    (void)len;
    ++*(int *)opaque;
}

/* With statistics every 100 ms too: each reader has its own windows, so
 * pushes still carry the fetch latencies the statistics also saw. */
TEST(consumer_pushes_its_metrics) {
    const char *bootstrap = it_bootstrap();
    REQUIRE(bootstrap);
    REQUIRE(sink());
    char topic[128], group[160];
    it_topic(topic, sizeof topic, "telemetry-pull");
    snprintf(group, sizeof group, "%s-g", topic);
    char err[256];
    kfk_conf *pc = conf_for(bootstrap);
    kfk_conf_set(pc, "enable.metrics.push", "false", err, sizeof err);
    kfk_producer *p = kfk_producer_new(pc, NULL, err, sizeof err);
    REQUIRE(p);
    for (int i = 0; i < RECORDS; i++) {
        kfk_message m = {.topic = topic, .partition = 0, .value = "telemetry", .value_len = 9};
        CHECK_EQ(kfk_producer_send(p, &m, 0), 0);
    }
    CHECK_EQ(kfk_producer_close(p, 30000), 0);
    long start = sink_size();
    kfk_conf *cc = conf_for(bootstrap);
    kfk_conf_set(cc, "group.id", group, err, sizeof err);
    kfk_conf_set(cc, "auto.offset.reset", "earliest", err, sizeof err);
    int docs = 0;
    kfk_conf_set(cc, "statistics.interval.ms", "100", err, sizeof err);
    kfk_conf_set_stats_cb(cc, count_stats, &docs);
    kfk_consumer *c = kfk_consumer_new(cc, err, sizeof err);
    REQUIRE(c);
    const char *topics[] = {topic};
    CHECK_EQ(kfk_consumer_subscribe(c, topics, 1), 0);
    int got = 0;
    int64_t end = it_now_ms() + 3000; /* long enough for several pushes */
    while (it_now_ms() < end) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 100);
        if (m && !m->err)
            got++;
        kfk_consumer_message_release(m);
    }
    CHECK_EQ(got, RECORDS);
    CHECK(docs >= 10);
    CHECK_EQ(kfk_consumer_close(c), 0);
    usleep(500 * 1000);
    pushes pu = read_sink(start, "org.apache.kafka.consumer.fetch.manager.records.consumed.total",
                          "org.apache.kafka.consumer.");
    check_pushes(&pu, RECORDS);
    /* per topic, '.' as '_' as Java tags it; gone from the final push
     * (the partitions are revoked by then) */
    char attr[160];
    snprintf(attr, sizeof attr, "topic=%s", topic);
    for (char *q = attr; *q; q++)
        if (*q == '.')
            *q = '_';
    pu = read_sink_at(start, "org.apache.kafka.consumer.fetch.manager.records.consumed.total",
                      attr, "org.apache.kafka.consumer.");
    CHECK(pu.seen >= 2);
    CHECK_EQ(pu.sum, RECORDS);
    /* 40 records at once: some push's rate is positive, none above 40/0.25 s */
    check_gauge(start, "org.apache.kafka.consumer.fetch.manager.records.consumed.rate", 0, 160);
    check_gauge(start, "org.apache.kafka.consumer.fetch.manager.fetch.rate", 0, 1000);
    /* the application waits in poll nearly all the time */
    check_gauge(start, "org.apache.kafka.consumer.poll.idle.ratio.avg", 0.5, 1.0);
    /* fetches wait at most fetch.max.wait.ms (500) for data */
    check_gauge(start, "org.apache.kafka.consumer.fetch.manager.fetch.latency.avg", 0, 2000);
    check_gauge(start, "org.apache.kafka.consumer.fetch.manager.fetch.latency.max", 0, 2000);
    /* auto-commit: at least the one close makes, before the final push */
    pushes cl = read_sink(start, "org.apache.kafka.consumer.coordinator.commit.latency.max",
                          "org.apache.kafka.consumer.");
    CHECK(cl.seen >= 1);
    /* the one rebalance (joining the group): timed, counted, rated */
    check_gauge(start, "org.apache.kafka.consumer.coordinator.rebalance.latency.avg", 0, 30000);
    check_gauge(start, "org.apache.kafka.consumer.coordinator.rebalance.latency.max", 0, 30000);
    pushes rb = read_sink(start, "org.apache.kafka.consumer.coordinator.rebalance.latency.total",
                          "org.apache.kafka.consumer.");
    CHECK(rb.seen >= 1);
    CHECK(rb.sum > 0 && rb.sum <= 30000);
    rb = read_sink(start, "org.apache.kafka.consumer.coordinator.rebalance.total",
                   "org.apache.kafka.consumer.");
    CHECK_EQ(rb.sum, 1);
    /* one in the first push's interval (about a second): thousands an hour */
    check_gauge(start, "org.apache.kafka.consumer.coordinator.rebalance.rate.per.hour", 0, 1e6);
    /* per partition, with topic and partition: the lag falls to 0 once all
     * is read, the lead (position past the log start) reaches RECORDS */
    char pattr[200];
    snprintf(pattr, sizeof pattr, "%s,partition=0", attr);
    pushes lag = read_sink_at(start, "org.apache.kafka.consumer.fetch.manager.records.lag", pattr,
                              "org.apache.kafka.consumer.");
    CHECK(lag.seen >= 1); /* pushes once a position is known (3.9's join is slower) */
    CHECK(lag.gmin == 0);
    CHECK(lag.gmax <= RECORDS);
    pushes lead = read_sink_at(start, "org.apache.kafka.consumer.fetch.manager.records.lead",
                               pattr, "org.apache.kafka.consumer.");
    CHECK(lead.seen >= 1);
    CHECK(lead.gmin >= 0);
    CHECK(lead.gmax == RECORDS);
    /* and over each push's Fetch answers: the largest lag at most all of
     * it, the lead at the last answers all of it */
    lag = read_sink_at(start, "org.apache.kafka.consumer.fetch.manager.records.lag.max", pattr,
                       "org.apache.kafka.consumer.");
    CHECK(lag.seen >= 1);
    CHECK(lag.gmax <= RECORDS);
    lead = read_sink_at(start, "org.apache.kafka.consumer.fetch.manager.records.lead.min", pattr,
                        "org.apache.kafka.consumer.");
    CHECK(lead.seen >= 1);
    CHECK(lead.gmax == RECORDS);
}
