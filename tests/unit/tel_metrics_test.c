/* KIP-714 metrics from a statistics snapshot, encoded as OTLP, read back
 * with a minimal protobuf reader written here, and compressed. */
#include <stdlib.h>
#include <string.h>

#include "client/otlp.h"
#include "client/tel_metrics.h"
#include "client/telemetry.h"
#include "records/compress.h"
#include "test.h"

/* ---- a minimal protobuf reader: fields of one message */
typedef struct field {
    int num, type;
    uint64_t v;           /* varint or fixed64 */
    const uint8_t *p;     /* length-delimited */
    size_t len;
} field;

static int rd_varint(const uint8_t **p, const uint8_t *end, uint64_t *v) {
    *v = 0;
    for (int s = 0; s < 64 && *p < end; s += 7) {
        uint8_t b = *(*p)++;
        *v |= (uint64_t)(b & 0x7f) << s;
        if (!(b & 0x80))
            return 0;
    }
    return -1;
}

/* The next field of [*p, end): 1, 0 at the end, -1 malformed. */
static int next_field(const uint8_t **p, const uint8_t *end, field *f) {
    if (*p == end)
        return 0;
    uint64_t tag;
    if (rd_varint(p, end, &tag))
        return -1;
    f->num = (int)(tag >> 3);
    f->type = (int)(tag & 7);
    if (f->type == KFK_PB_VARINT)
        return rd_varint(p, end, &f->v) ? -1 : 1;
    if (f->type == KFK_PB_I64) {
        if (end - *p < 8)
            return -1;
        f->v = 0;
        for (int i = 7; i >= 0; i--)
            f->v = (f->v << 8) | (*p)[i];
        *p += 8;
        return 1;
    }
    if (f->type == KFK_PB_LEN) {
        uint64_t n;
        if (rd_varint(p, end, &n) || n > (uint64_t)(end - *p))
            return -1;
        f->p = *p;
        f->len = n;
        *p += n;
        return 1;
    }
    return -1;
}

/* The first field numbered num (of wire type LEN) inside a message. */
static int sub(const uint8_t *p, size_t len, int num, field *out) {
    const uint8_t *end = p + len;
    field f;
    while (next_field(&p, end, &f) == 1)
        if (f.num == num) {
            *out = f;
            return 1;
        }
    return 0;
}

typedef struct seen {
    char name[96], attr_key[32], attr_val[32], attr2_key[32], attr2_val[32];
    int sum, temporality, monotonic;
    double d;
    int64_t i;
    uint64_t start, time;
} seen;

/* KeyValue{key, AnyValue{string_value}} */
static void read_kv(field kvf, char *key, char *val) {
    field k, v, s;
    key[0] = val[0] = 0;
    if (sub(kvf.p, kvf.len, 1, &k))
        snprintf(key, 32, "%.*s", (int)k.len, (const char *)k.p);
    if (sub(kvf.p, kvf.len, 2, &v) && sub(v.p, v.len, 1, &s))
        snprintf(val, 32, "%.*s", (int)s.len, (const char *)s.p);
}

/* Decodes MetricsData: resource attributes, scope name, every metric. */
static int decode(const uint8_t *p, size_t len, char res[][2][32], int *nres, char *scope,
                  seen *out, int max) {
    field rm, r, sm, f;
    int n = 0;
    *nres = 0;
    if (!sub(p, len, 1, &rm))
        return -1;
    if (sub(rm.p, rm.len, 1, &r)) {
        const uint8_t *q = r.p;
        while (next_field(&q, r.p + r.len, &f) == 1)
            if (f.num == 1 && *nres < 8) {
                read_kv(f, res[*nres][0], res[*nres][1]);
                (*nres)++;
            }
    }
    if (!sub(rm.p, rm.len, 2, &sm))
        return -1;
    const uint8_t *q = sm.p;
    while (next_field(&q, sm.p + sm.len, &f) == 1) {
        if (f.num == 1) {
            field nm;
            if (sub(f.p, f.len, 1, &nm))
                snprintf(scope, 32, "%.*s", (int)nm.len, (const char *)nm.p);
            continue;
        }
        if (f.num != 2 || n == max)
            continue;
        seen *s = &out[n++];
        memset(s, 0, sizeof *s);
        field nm, data, g, dp = {0};
        if (sub(f.p, f.len, 1, &nm))
            snprintf(s->name, sizeof s->name, "%.*s", (int)nm.len, (const char *)nm.p);
        if (sub(f.p, f.len, 7, &data))
            s->sum = 1;
        else if (!sub(f.p, f.len, 5, &data))
            return -1;
        const uint8_t *d = data.p;
        while (next_field(&d, data.p + data.len, &g) == 1) {
            if (g.num == 1)
                dp = g;
            else if (g.num == 2)
                s->temporality = (int)g.v;
            else if (g.num == 3)
                s->monotonic = (int)g.v;
        }
        const uint8_t *e = dp.p;
        while (next_field(&e, dp.p + dp.len, &g) == 1) {
            if (g.num == 2)
                s->start = g.v;
            else if (g.num == 3)
                s->time = g.v;
            else if (g.num == 4)
                memcpy(&s->d, &g.v, 8);
            else if (g.num == 6)
                s->i = (int64_t)g.v;
            else if (g.num == 7 && !s->attr_key[0])
                read_kv(g, s->attr_key, s->attr_val);
            else if (g.num == 7)
                read_kv(g, s->attr2_key, s->attr2_val);
        }
    }
    return n;
}

static const seen *find(const seen *s, int n, const char *name, const char *attr) {
    for (int i = 0; i < n; i++)
        if (strcmp(s[i].name, name) == 0 && (!attr || strcmp(s[i].attr_val, attr) == 0))
            return &s[i];
    return NULL;
}

/* A per-partition point: topic and partition attributes, in that order. */
static const seen *find_part(const seen *s, int n, const char *name, const char *topic,
                             const char *partition) {
    for (int i = 0; i < n; i++)
        if (strcmp(s[i].name, name) == 0 && strcmp(s[i].attr_key, "topic") == 0 &&
            strcmp(s[i].attr_val, topic) == 0 && strcmp(s[i].attr2_key, "partition") == 0 &&
            strcmp(s[i].attr2_val, partition) == 0)
            return &s[i];
    return NULL;
}

/* ---- fixtures */
static kfk_str names_[4];

static void subscribe(kfk_telemetry *t, const char **names, int n, int delta, int8_t codec) {
    int64_t wake;
    kfk_telemetry_init(t, 1, 9, 0);
    kfk_telemetry_next(t, 0, &wake);
    kfk_get_telemetry_subscriptions_response r;
    kfk_get_telemetry_subscriptions_response_init(&r);
    r.client_instance_id.b[0] = 1;
    r.subscription_id = 3;
    r.push_interval_ms = 1000;
    r.delta_temporality = delta;
    int8_t codecs[1] = {codec};
    r.accepted_compression_types.items = codecs;
    r.accepted_compression_types.count = codec ? 1 : 0;
    for (int i = 0; i < n; i++)
        names_[i] = kfk_str_of(names[i]);
    r.requested_metrics.items = names_;
    r.requested_metrics.count = n;
    kfk_telemetry_on_get(t, 0, &r, 1);
}

static kfk_stats_broker brokers[2];

static kfk_stats producer_stats(void) {
    memset(brokers, 0, sizeof brokers);
    brokers[0] = (kfk_stats_broker){.nodeid = -1, .connects = 1};
    brokers[1] = (kfk_stats_broker){.nodeid = 1, .connects = 2};
    brokers[1].rtt = (kfk_stats_window){.cnt = 4, .sum = 10000, .max = 4000};         /* us */
    brokers[1].int_latency = (kfk_stats_window){.cnt = 2, .sum = 3000, .max = 2500}; /* us */
    kfk_stats s = {.type = "producer", .brokers = brokers, .nbrokers = 2, .tx = 7, .rx = 6,
                   .tx_bytes = 700, .rx_bytes = 600, .txmsgs = 100, .msg_size = 1000,
                   .msg_size_max = 33554432};
    return s;
}

TEST(producer_metrics_by_the_kip_names) {
    kfk_telemetry t;
    const char *all[] = {"*"};
    subscribe(&t, all, 1, 0, 0);
    kfk_otlp_kv res[] = {{"transactional_id", "tx-1"}, {"client_rack", "r1"}};
    kfk_tel_metrics tm;
    kfk_tel_metrics_init(&tm, 0, res, 2, 1000);
    kfk_stats s = producer_stats();
    kfk_wbuf out = {0};
    int8_t codec = -1;
    REQUIRE_EQ(kfk_tel_payload(&tm, &t, &s, 5000, &out, &codec), 0);
    CHECK_EQ(codec, 0);
    char rs[8][2][32], scope[32] = "";
    int nres;
    seen m[64];
    int n = decode(out.data, out.len, rs, &nres, scope, m, 64);
    REQUIRE(n > 0);
    REQUIRE_EQ(nres, 2);
    CHECK_STR(rs[0][0], "transactional_id");
    CHECK_STR(rs[0][1], "tx-1");
    CHECK_STR(rs[1][0], "client_rack");
    CHECK_STR(scope, "kfk");
    const seen *x = find(m, n, "org.apache.kafka.producer.node.request.latency.avg", "node-1");
    REQUIRE(x);
    CHECK(!x->sum);
    CHECK_STR(x->attr_key, "node_id");
    CHECK(x->d == 2.5); /* 10000 us over 4 samples, in ms */
    CHECK_EQ(x->time, 5000);
    x = find(m, n, "org.apache.kafka.producer.node.request.latency.max", "node-1");
    REQUIRE(x);
    CHECK(x->d == 4.0);
    /* the bootstrap connection (no node id) has no per-node metric */
    CHECK(!find(m, n, "org.apache.kafka.producer.node.request.latency.avg", "node--1"));
    x = find(m, n, "org.apache.kafka.producer.record.queue.time.avg", NULL);
    REQUIRE(x);
    CHECK(x->d == 1.5);
    x = find(m, n, "org.apache.kafka.producer.record.queue.time.max", NULL);
    REQUIRE(x);
    CHECK(x->d == 2.5);
    /* no throttle sample: no throttle metric */
    CHECK(!find(m, n, "org.apache.kafka.producer.produce.throttle.time.avg", NULL));
    x = find(m, n, "org.apache.kafka.producer.record.send.total", NULL);
    REQUIRE(x);
    CHECK(x->sum);
    CHECK_EQ(x->i, 100);
    CHECK_EQ(x->temporality, KFK_OTLP_CUMULATIVE);
    CHECK_EQ(x->monotonic, 1);
    CHECK_EQ(x->start, 1000);
    x = find(m, n, "org.apache.kafka.producer.connection.creation.total", NULL);
    REQUIRE(x);
    CHECK_EQ(x->i, 3);
    x = find(m, n, "org.apache.kafka.producer.buffer.available.bytes", NULL);
    REQUIRE(x);
    CHECK(x->d == 33554432.0 - 1000.0);
    CHECK_EQ(find(m, n, "org.apache.kafka.producer.outgoing.byte.total", NULL)->i, 700);
    kfk_wbuf_free(&out);
    kfk_tel_metrics_free(&tm);
    kfk_telemetry_free(&t);
}

TEST(only_the_subscribed_prefixes_and_delta_sums) {
    kfk_telemetry t;
    const char *want[] = {"org.apache.kafka.consumer.fetch.manager.records."};
    subscribe(&t, want, 1, 1, 0);
    kfk_tel_metrics tm;
    kfk_tel_metrics_init(&tm, 1, NULL, 0, 10);
    kfk_stats_partition parts[2] = {{.hi_offset = 50, .app_offset = 40},
                                    {.hi_offset = 9, .app_offset = -1}};
    kfk_stats s = {.type = "consumer", .rxmsgs = 40, .partitions = parts, .npartitions = 2};
    kfk_wbuf out = {0};
    int8_t codec;
    REQUIRE_EQ(kfk_tel_payload(&tm, &t, &s, 100, &out, &codec), 0);
    char rs[8][2][32], scope[32];
    int nres;
    seen m[16];
    int n = decode(out.data, out.len, rs, &nres, scope, m, 16);
    REQUIRE_EQ(n, 3); /* records.consumed.total and .rate, records.lag.max */
    CHECK(find(m, n, "org.apache.kafka.consumer.fetch.manager.records.consumed.rate", NULL));
    const seen *x = find(m, n, "org.apache.kafka.consumer.fetch.manager.records.consumed.total",
                         NULL);
    REQUIRE(x);
    CHECK_EQ(x->i, 40);
    CHECK_EQ(x->temporality, KFK_OTLP_DELTA);
    CHECK_EQ(x->start, 10);
    x = find(m, n, "org.apache.kafka.consumer.fetch.manager.records.lag.max", NULL);
    REQUIRE(x);
    CHECK(x->d == 10.0);
    /* the next push: the difference since the last, from its time */
    s.rxmsgs = 65;
    out.len = 0;
    REQUIRE_EQ(kfk_tel_payload(&tm, &t, &s, 200, &out, &codec), 0);
    n = decode(out.data, out.len, rs, &nres, scope, m, 16);
    x = find(m, n, "org.apache.kafka.consumer.fetch.manager.records.consumed.total", NULL);
    REQUIRE(x);
    CHECK_EQ(x->i, 25);
    CHECK_EQ(x->start, 100);
    CHECK_EQ(x->time, 200);
    /* the partitions gone (revoked at close): the sum does not go back */
    s.rxmsgs = 0;
    s.npartitions = 0;
    out.len = 0;
    REQUIRE_EQ(kfk_tel_payload(&tm, &t, &s, 300, &out, &codec), 0);
    n = decode(out.data, out.len, rs, &nres, scope, m, 16);
    x = find(m, n, "org.apache.kafka.consumer.fetch.manager.records.consumed.total", NULL);
    REQUIRE(x);
    CHECK_EQ(x->i, 0);
    kfk_wbuf_free(&out);
    kfk_tel_metrics_free(&tm);
    kfk_telemetry_free(&t);
}

TEST(compressed_as_the_broker_accepts) {
    static const int8_t codecs[] = {KFK_CODEC_GZIP, KFK_CODEC_SNAPPY, KFK_CODEC_LZ4,
                                    KFK_CODEC_ZSTD};
    for (int k = 0; k < 4; k++) {
        kfk_telemetry t;
        const char *all[] = {"*"};
        subscribe(&t, all, 1, 0, codecs[k]);
        kfk_tel_metrics tm;
        kfk_tel_metrics_init(&tm, 0, NULL, 0, 1);
        kfk_stats s = producer_stats();
        kfk_wbuf out = {0}, plain = {0};
        int8_t codec = -1;
        REQUIRE_EQ(kfk_tel_payload(&tm, &t, &s, 2, &out, &codec), 0);
        CHECK_EQ(codec, codecs[k]);
        REQUIRE_EQ(kfk_decompress((kfk_codec)codec, out.data, out.len, 1 << 20, &plain), 0);
        char rs[8][2][32], scope[32];
        int nres;
        seen m[64];
        int n = decode(plain.data, plain.len, rs, &nres, scope, m, 64);
        CHECK(find(m, n, "org.apache.kafka.producer.record.send.total", NULL) != NULL);
        kfk_wbuf_free(&out);
        kfk_wbuf_free(&plain);
        kfk_tel_metrics_free(&tm);
        kfk_telemetry_free(&t);
    }
}

TEST(consumer_group_figures) {
    kfk_telemetry t;
    const char *want[] = {"org.apache.kafka.consumer.coordinator."};
    subscribe(&t, want, 1, 0, 0);
    kfk_tel_metrics tm;
    kfk_tel_metrics_init(&tm, 1, NULL, 0, 1);
    kfk_stats_cgrp g = {.rebalance_cnt = 2, .assignment_size = 3};
    kfk_stats s = {.type = "consumer", .commits = 5, .cgrp = &g};
    s.commit_latency = (kfk_stats_window){.cnt = 2, .sum = 3000, .max = 2000}; /* us */
    kfk_wbuf out = {0};
    int8_t codec;
    REQUIRE_EQ(kfk_tel_payload(&tm, &t, &s, 2, &out, &codec), 0);
    char rs[8][2][32], scope[32];
    int nres;
    seen m[16];
    int n = decode(out.data, out.len, rs, &nres, scope, m, 16);
    REQUIRE_EQ(n, 8); /* commit: latency avg, max, total, rate; rebalance: total,
                         latency.total, rate.per.hour; assigned.partitions */
    CHECK(find(m, n, "org.apache.kafka.consumer.coordinator.commit.latency.avg", NULL)->d == 1.5);
    CHECK(find(m, n, "org.apache.kafka.consumer.coordinator.commit.latency.max", NULL)->d == 2.0);
    CHECK_EQ(find(m, n, "org.apache.kafka.consumer.coordinator.commit.total", NULL)->i, 5);
    CHECK(find(m, n, "org.apache.kafka.consumer.coordinator.commit.rate", NULL) != NULL);
    /* Java rates rebalances per hour: no per-second rate */
    CHECK(!find(m, n, "org.apache.kafka.consumer.coordinator.rebalance.rate", NULL));
    CHECK_EQ(find(m, n, "org.apache.kafka.consumer.coordinator.rebalance.total", NULL)->i, 2);
    CHECK(find(m, n, "org.apache.kafka.consumer.coordinator.assigned.partitions", NULL)->d == 3.0);
    kfk_wbuf_free(&out);
    kfk_tel_metrics_free(&tm);
    kfk_telemetry_free(&t);
}

/* Counters as Java's Meters: .total and .rate, per second since the last
 * push (the first since the start); per topic with the topic attribute
 * (records sent, bytes, records retried and failed). */
TEST(rates_and_per_topic_producer_metrics) {
    kfk_telemetry t;
    const char *all[] = {"*"};
    subscribe(&t, all, 1, 0, 0);
    kfk_tel_metrics tm;
    kfk_tel_metrics_init(&tm, 0, NULL, 0, 1000000000ull);
    kfk_stats s = producer_stats();
    kfk_stats_partition parts[3] = {
        {.topic = "a.b", .partition = 0, .txmsgs = 30, .txbytes = 300, .txretry_msgs = 6,
         .txerr_msgs = 2},
        {.topic = "a.b", .partition = 1, .txmsgs = 20, .txbytes = 200, .txretry_msgs = 4},
        {.topic = "c", .partition = 0, .txmsgs = 50, .txbytes = 900, .txerr_msgs = 8}};
    s.partitions = parts;
    s.npartitions = 3;
    kfk_wbuf out = {0};
    int8_t codec;
    REQUIRE_EQ(kfk_tel_payload(&tm, &t, &s, 3000000000ull, &out, &codec), 0);
    char rs[8][2][32], scope[32];
    int nres;
    seen m[64];
    int n = decode(out.data, out.len, rs, &nres, scope, m, 64);
    REQUIRE(n > 0);
    const seen *x = find(m, n, "org.apache.kafka.producer.record.send.rate", NULL);
    REQUIRE(x);
    CHECK(!x->sum);
    CHECK(x->d == 50.0); /* 100 records in 2 s */
    x = find(m, n, "org.apache.kafka.producer.connection.creation.rate", NULL);
    REQUIRE(x);
    CHECK(x->d == 1.5);
    CHECK(find(m, n, "org.apache.kafka.producer.outgoing.byte.rate", NULL)->d == 350.0);
    CHECK(find(m, n, "org.apache.kafka.producer.request.rate", NULL)->d == 3.5);
    x = find(m, n, "org.apache.kafka.producer.topic.record.send.total", "a.b");
    REQUIRE(x);
    CHECK(x->sum);
    CHECK_STR(x->attr_key, "topic");
    CHECK_EQ(x->i, 50);
    CHECK_EQ(find(m, n, "org.apache.kafka.producer.topic.record.send.total", "c")->i, 50);
    CHECK_EQ(find(m, n, "org.apache.kafka.producer.topic.byte.total", "a.b")->i, 500);
    CHECK(find(m, n, "org.apache.kafka.producer.topic.byte.rate", "c")->d == 450.0);
    x = find(m, n, "org.apache.kafka.producer.topic.record.retry.total", "a.b");
    REQUIRE(x && x->sum);
    CHECK_EQ(x->i, 10);
    CHECK_EQ(find(m, n, "org.apache.kafka.producer.topic.record.retry.total", "c")->i, 0);
    CHECK(find(m, n, "org.apache.kafka.producer.topic.record.retry.rate", "a.b")->d == 5.0);
    CHECK_EQ(find(m, n, "org.apache.kafka.producer.topic.record.error.total", "a.b")->i, 2);
    x = find(m, n, "org.apache.kafka.producer.topic.record.error.total", "c");
    REQUIRE(x);
    CHECK_EQ(x->i, 8);
    CHECK(find(m, n, "org.apache.kafka.producer.topic.record.error.rate", "c")->d == 4.0);
    /* the next push: the rate over the 4 s since the last */
    s.txmsgs = 500;
    parts[2].txmsgs = 450;
    parts[2].txerr_msgs = 16;
    out.len = 0;
    REQUIRE_EQ(kfk_tel_payload(&tm, &t, &s, 7000000000ull, &out, &codec), 0);
    n = decode(out.data, out.len, rs, &nres, scope, m, 64);
    CHECK(find(m, n, "org.apache.kafka.producer.record.send.rate", NULL)->d == 100.0);
    CHECK_EQ(find(m, n, "org.apache.kafka.producer.record.send.total", NULL)->i, 500);
    CHECK(find(m, n, "org.apache.kafka.producer.topic.record.send.rate", "c")->d == 100.0);
    CHECK(find(m, n, "org.apache.kafka.producer.topic.record.send.rate", "a.b")->d == 0.0);
    CHECK(find(m, n, "org.apache.kafka.producer.topic.record.error.rate", "c")->d == 2.0);
    CHECK_EQ(find(m, n, "org.apache.kafka.producer.topic.record.error.total", "c")->i, 16);
    CHECK(find(m, n, "org.apache.kafka.producer.topic.record.retry.rate", "a.b")->d == 0.0);
    CHECK(find(m, n, "org.apache.kafka.producer.connection.creation.rate", NULL)->d == 0.0);
    kfk_wbuf_free(&out);
    kfk_tel_metrics_free(&tm);
    kfk_telemetry_free(&t);
}

/* A rate subscribed without its total still counts from the last push. */
TEST(consumer_per_topic_and_rate_alone) {
    kfk_telemetry t;
    const char *want[] = {"org.apache.kafka.consumer.fetch.manager.bytes.consumed.rate",
                          "org.apache.kafka.consumer.fetch.manager.records.consumed.total"};
    subscribe(&t, want, 2, 1, 0);
    kfk_tel_metrics tm;
    kfk_tel_metrics_init(&tm, 1, NULL, 0, 0);
    kfk_stats_partition parts[2] = {{.topic = "x.y", .rxmsgs = 10, .rxbytes = 1000,
                                     .hi_offset = -1, .app_offset = -1},
                                    {.topic = "z", .rxmsgs = 5, .rxbytes = 50,
                                     .hi_offset = -1, .app_offset = -1}};
    kfk_stats s = {.type = "consumer", .rxmsgs = 15, .rxmsg_bytes = 2000, .partitions = parts,
                   .npartitions = 2};
    kfk_wbuf out = {0};
    int8_t codec;
    REQUIRE_EQ(kfk_tel_payload(&tm, &t, &s, 1000000000ull, &out, &codec), 0);
    char rs[8][2][32], scope[32];
    int nres;
    seen m[16];
    int n = decode(out.data, out.len, rs, &nres, scope, m, 16);
    REQUIRE_EQ(n, 6); /* client, x_y and z: records.consumed.total, bytes.consumed.rate */
    CHECK(find(m, n, "org.apache.kafka.consumer.fetch.manager.bytes.consumed.rate", NULL)->d ==
          2000.0);
    const seen *x = find(m, n, "org.apache.kafka.consumer.fetch.manager.records.consumed.total",
                         "x_y");
    REQUIRE(x);
    CHECK_STR(x->attr_key, "topic");
    CHECK_EQ(x->i, 10);
    CHECK(find(m, n, "org.apache.kafka.consumer.fetch.manager.bytes.consumed.rate", "z")->d ==
          50.0);
    s.rxmsg_bytes = 2500;
    out.len = 0;
    REQUIRE_EQ(kfk_tel_payload(&tm, &t, &s, 3000000000ull, &out, &codec), 0);
    n = decode(out.data, out.len, rs, &nres, scope, m, 16);
    CHECK(find(m, n, "org.apache.kafka.consumer.fetch.manager.bytes.consumed.rate", NULL)->d ==
          250.0);
    CHECK_EQ(find(m, n, "org.apache.kafka.consumer.fetch.manager.records.consumed.total", "z")->i,
             0); /* delta */
    kfk_wbuf_free(&out);
    kfk_tel_metrics_free(&tm);
    kfk_telemetry_free(&t);
}

/* KIP-714's poll.idle.ratio.avg (a fraction) and fetch latency in ms;
 * none without a sample. */
TEST(poll_idle_ratio_and_fetch_latency) {
    kfk_telemetry t;
    const char *want[] = {"org.apache.kafka.consumer.poll.",
                          "org.apache.kafka.consumer.fetch.manager.fetch.latency"};
    subscribe(&t, want, 2, 0, 0);
    kfk_tel_metrics tm;
    kfk_tel_metrics_init(&tm, 1, NULL, 0, 1);
    kfk_stats s = {.type = "consumer"};
    s.poll_idle_ratio = (kfk_stats_window){.cnt = 4, .sum = 3000000, .max = 1000000}; /* ppm */
    s.fetch_latency = (kfk_stats_window){.cnt = 2, .sum = 1001000, .max = 1000000};   /* us */
    kfk_wbuf out = {0};
    int8_t codec;
    REQUIRE_EQ(kfk_tel_payload(&tm, &t, &s, 2, &out, &codec), 0);
    char rs[8][2][32], scope[32];
    int nres;
    seen m[16];
    int n = decode(out.data, out.len, rs, &nres, scope, m, 16);
    REQUIRE_EQ(n, 3);
    CHECK(find(m, n, "org.apache.kafka.consumer.poll.idle.ratio.avg", NULL)->d == 0.75);
    CHECK(find(m, n, "org.apache.kafka.consumer.fetch.manager.fetch.latency.avg", NULL)->d ==
          500.5);
    CHECK(find(m, n, "org.apache.kafka.consumer.fetch.manager.fetch.latency.max", NULL)->d ==
          1000.0);
    s.poll_idle_ratio.cnt = s.fetch_latency.cnt = 0;
    out.len = 0;
    REQUIRE_EQ(kfk_tel_payload(&tm, &t, &s, 3, &out, &codec), 0);
    CHECK_EQ(decode(out.data, out.len, rs, &nres, scope, m, 16), 0);
    kfk_wbuf_free(&out);
    kfk_tel_metrics_free(&tm);
    kfk_telemetry_free(&t);
}

TEST(too_large_for_the_broker) {
    kfk_telemetry t;
    const char *all[] = {"*"};
    subscribe(&t, all, 1, 0, 0);
    t.max_bytes = 16;
    kfk_tel_metrics tm;
    kfk_tel_metrics_init(&tm, 0, NULL, 0, 1);
    kfk_stats s = producer_stats();
    kfk_wbuf out = {0};
    int8_t codec;
    CHECK_EQ(kfk_tel_payload(&tm, &t, &s, 2, &out, &codec), KFK_ERR_TELEMETRY_TOO_LARGE);
    kfk_wbuf_free(&out);
    kfk_tel_metrics_free(&tm);
    kfk_telemetry_free(&t);
}

/* Java's rebalance latency (ms: avg and max over the interval, a total
 * since creation) and its rate per hour since the last push. */
TEST(rebalance_latency_and_rate_per_hour) {
    kfk_telemetry t;
    const char *want[] = {"org.apache.kafka.consumer.coordinator.rebalance."};
    subscribe(&t, want, 1, 0, 0);
    kfk_tel_metrics tm;
    kfk_tel_metrics_init(&tm, 1, NULL, 0, 0);
    kfk_stats_cgrp g = {.rebalance_cnt = 2};
    kfk_stats s = {.type = "consumer", .cgrp = &g, .rebalance_latency_total = 7000000};
    s.rebalance_latency = (kfk_stats_window){.cnt = 2, .sum = 3000000, .max = 2500000}; /* us */
    kfk_wbuf out = {0};
    int8_t codec;
    REQUIRE_EQ(kfk_tel_payload(&tm, &t, &s, 1800000000000ull, &out, &codec), 0); /* 30 min */
    char rs[8][2][32], scope[32];
    int nres;
    seen m[16];
    int n = decode(out.data, out.len, rs, &nres, scope, m, 16);
    REQUIRE_EQ(n, 5);
    CHECK(find(m, n, "org.apache.kafka.consumer.coordinator.rebalance.latency.avg", NULL)->d ==
          1500.0);
    CHECK(find(m, n, "org.apache.kafka.consumer.coordinator.rebalance.latency.max", NULL)->d ==
          2500.0);
    const seen *x = find(m, n, "org.apache.kafka.consumer.coordinator.rebalance.latency.total",
                         NULL);
    REQUIRE(x);
    CHECK(x->sum);
    CHECK_EQ(x->i, 7000);
    CHECK_EQ(find(m, n, "org.apache.kafka.consumer.coordinator.rebalance.total", NULL)->i, 2);
    CHECK(find(m, n, "org.apache.kafka.consumer.coordinator.rebalance.rate.per.hour", NULL)->d ==
          4.0); /* 2 in half an hour */
    /* the next push: one more in the next half hour, no latency sample */
    g.rebalance_cnt = 3;
    s.rebalance_latency = (kfk_stats_window){0};
    out.len = 0;
    REQUIRE_EQ(kfk_tel_payload(&tm, &t, &s, 3600000000000ull, &out, &codec), 0);
    n = decode(out.data, out.len, rs, &nres, scope, m, 16);
    REQUIRE_EQ(n, 3);
    CHECK(!find(m, n, "org.apache.kafka.consumer.coordinator.rebalance.latency.avg", NULL));
    CHECK(find(m, n, "org.apache.kafka.consumer.coordinator.rebalance.rate.per.hour", NULL)->d ==
          2.0);
    CHECK_EQ(find(m, n, "org.apache.kafka.consumer.coordinator.rebalance.total", NULL)->i, 3);
    kfk_wbuf_free(&out);
    kfk_tel_metrics_free(&tm);
    kfk_telemetry_free(&t);
}

/* Java's per-partition fetch-manager records.lag and records.lead: two
 * attributes per point, topic ('.' as '_') and partition; partitions not
 * held, or without a position, have none. */
TEST(per_partition_lag_and_lead) {
    kfk_telemetry t;
    const char *want[] = {"org.apache.kafka.consumer.fetch.manager.records.l"};
    subscribe(&t, want, 1, 0, 0);
    kfk_tel_metrics tm;
    kfk_tel_metrics_init(&tm, 1, NULL, 0, 0);
    kfk_stats_partition parts[4] = {
        {.topic = "a.b", .partition = 0, .desired = 1, .hi_offset = 100, .app_offset = 60,
         .lo_offset = 10, .records_lag = {.cnt = 2, .sum = 70, .max = 50, .min = 20},
         .records_lead = {.cnt = 2, .sum = 90, .max = 50, .min = 40}},
        {.topic = "a.b", .partition = 12, .desired = 1, .hi_offset = 5, .app_offset = 5,
         .lo_offset = 0},
        {.topic = "c", .partition = 0, .desired = 0, .hi_offset = 9, .app_offset = 1},
        {.topic = "d", .partition = 0, .desired = 1, .hi_offset = 9, .app_offset = -1001,
         .lo_offset = 0}};
    kfk_stats s = {.type = "consumer", .partitions = parts, .npartitions = 4};
    kfk_wbuf out = {0};
    int8_t codec;
    REQUIRE_EQ(kfk_tel_payload(&tm, &t, &s, 5, &out, &codec), 0);
    char rs[8][2][32], scope[32];
    int nres;
    seen m[16];
    int n = decode(out.data, out.len, rs, &nres, scope, m, 16);
    REQUIRE_EQ(n, 9); /* records.lag.max, lag and lead of a_b 0 and 12, and a_b 0's
                         windows: lag.avg, lag.max, lead.avg, lead.min */
    const char *lag = "org.apache.kafka.consumer.fetch.manager.records.lag";
    const char *lead = "org.apache.kafka.consumer.fetch.manager.records.lead";
    const seen *x = find_part(m, n, lag, "a_b", "0");
    REQUIRE(x);
    CHECK(!x->sum);
    CHECK(x->d == 40.0);
    CHECK(find_part(m, n, lag, "a_b", "12")->d == 0.0);
    CHECK(find_part(m, n, lead, "a_b", "0")->d == 50.0);
    CHECK(find_part(m, n, lead, "a_b", "12")->d == 5.0);
    const char *pre = "org.apache.kafka.consumer.fetch.manager.records.";
    char name[96];
    snprintf(name, sizeof name, "%slag.avg", pre);
    CHECK(find_part(m, n, name, "a_b", "0")->d == 35.0);
    snprintf(name, sizeof name, "%slag.max", pre);
    CHECK(find_part(m, n, name, "a_b", "0")->d == 50.0);
    CHECK(!find_part(m, n, name, "a_b", "12")); /* no Fetch answer in the interval */
    snprintf(name, sizeof name, "%slead.avg", pre);
    CHECK(find_part(m, n, name, "a_b", "0")->d == 45.0);
    snprintf(name, sizeof name, "%slead.min", pre);
    CHECK(find_part(m, n, name, "a_b", "0")->d == 40.0);
    CHECK(!find_part(m, n, lag, "c", "0"));
    CHECK(!find_part(m, n, lag, "d", "0"));
    CHECK(find(m, n, "org.apache.kafka.consumer.fetch.manager.records.lag.max", NULL)->d == 40.0);
    kfk_wbuf_free(&out);
    kfk_tel_metrics_free(&tm);
    kfk_telemetry_free(&t);
}
