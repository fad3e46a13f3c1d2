/* The producer against a real broker, read back with kcat: a million
 * messages from four threads (each delivered exactly once, in send order
 * per partition), every codec and level, headers, null and empty keys and
 * values, a 1 MiB value, argument errors, and a broker that is not there. */
#include "produce_it.h"
#include "producer/partitioner.h"

/* ------------------------------------------------------------ a million */

#define THREADS 4
#define PER_THREAD 250000
#define TOTAL (THREADS * PER_THREAD)

typedef struct million {
    kfk_producer *p;
    const char *topic;
    uint8_t *delivered; /* reports per message */
    int32_t *partition;
    int64_t *offset;
    atomic_int errors, stop;
    int first_err;
} million;

static void million_report(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    (void)p;
    million *m = opaque;
    size_t i = (size_t)(uintptr_t)d->opaque - 1;
    m->delivered[i]++;
    m->partition[i] = d->partition;
    m->offset[i] = d->offset;
    if (d->err && atomic_fetch_add(&m->errors, 1) == 0) m->first_err = d->err;
}

typedef struct sender {
    million *m;
    int id;
    int failed;
} sender;

static void *million_send(void *arg) {
    sender *s = arg;
    char key[16], value[40];
    for (int i = 0; i < PER_THREAD; i++) {
        int klen = snprintf(key, sizeof key, "%d-%d", s->id, i);
        int vlen = snprintf(value, sizeof value, "v%d:%07d:abcdefghijklmnopq", s->id, i);
        kfk_message msg = {.topic = s->m->topic, .partition = KFK_PARTITION_ANY, .key = key,
                           .key_len = (size_t)klen, .value = value, .value_len = (size_t)vlen,
                           .opaque = (void *)(uintptr_t)(s->id * PER_THREAD + i + 1)};
        if (kfk_producer_send(s->m->p, &msg, 0) != 0) s->failed++;
    }
    return NULL;
}

static void *million_poll(void *arg) {
    million *m = arg;
    while (!atomic_load(&m->stop)) kfk_producer_poll(m->p, 50);
    return NULL;
}

/* Checks kcat's "partition offset key value" lines against the reports. */
static void million_verify(million *m, char *out) {
    uint8_t *seen = calloc(TOTAL, 1);
    int last[8][THREADS];
    memset(last, -1, sizeof last);
    long lines = 0, bad = 0, disorder = 0, dup = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        int p, t, i, vt, vi;
        long long off;
        char tail[32];
        lines++;
        if (sscanf(line, "%d %lld %d-%d v%d:%d:%31s", &p, &off, &t, &i, &vt, &vi, tail) != 7 ||
            p < 0 || p >= 8 || t < 0 || t >= THREADS || i < 0 || i >= PER_THREAD || vt != t ||
            vi != i || strcmp(tail, "abcdefghijklmnopq") != 0) {
            bad++;
            continue;
        }
        size_t idx = (size_t)t * PER_THREAD + (size_t)i;
        if (seen[idx]++) dup++;
        if (m->partition[idx] != p || m->offset[idx] != off) bad++;
        char key[16];
        int klen = snprintf(key, sizeof key, "%d-%d", t, i);
        if (kfk_partition_for_key(key, (size_t)klen, 8) != p) bad++;
        if (i <= last[p][t]) disorder++;
        last[p][t] = i;
    }
    long missing = 0;
    for (size_t i = 0; i < TOTAL; i++) missing += !seen[i];
    CHECK_EQ(lines, TOTAL);
    CHECK_EQ(bad, 0);
    CHECK_EQ(dup, 0);
    CHECK_EQ(missing, 0);
    CHECK_EQ(disorder, 0);
    free(seen);
}

TEST(million_messages_four_threads_exactly_once_in_order) {
    const char *b = it_bootstrap();
    REQUIRE(b);
    char topic[128];
    it_topic(topic, sizeof topic, "million");
    REQUIRE(pit_create_topic(b, topic, 8, -1, NULL) == 0);
    million m = {.topic = topic};
    m.delivered = calloc(TOTAL, 1);
    m.partition = calloc(TOTAL, sizeof *m.partition);
    m.offset = calloc(TOTAL, sizeof *m.offset);
    kfk_producer_callbacks cbs = {.delivery = million_report, .opaque = &m};
    m.p = pit_producer(b, &cbs, (const char *[]){"linger.ms", "5", NULL});
    REQUIRE(m.p);
    int64_t t0 = it_now_ms();
    pthread_t poller, th[THREADS];
    sender s[THREADS];
    pthread_create(&poller, NULL, million_poll, &m);
    for (int i = 0; i < THREADS; i++) {
        s[i] = (sender){&m, i, 0};
        pthread_create(&th[i], NULL, million_send, &s[i]);
    }
    int failed = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        failed += s[i].failed;
    }
    atomic_store(&m.stop, 1);
    pthread_join(poller, NULL);
    CHECK_EQ(kfk_producer_flush(m.p, 60000), 0);
    int64_t t1 = it_now_ms();
    printf("  1M messages sent and reported in %lld ms\n", (long long)(t1 - t0));
    CHECK_EQ(failed, 0);
    CHECK_EQ(atomic_load(&m.errors), 0);
    if (m.errors) printf("  first error: %s\n", kfk_err_name(m.first_err));
    long once = 0;
    for (size_t i = 0; i < TOTAL; i++) once += m.delivered[i] == 1;
    CHECK_EQ(once, TOTAL);
    kfk_producer_destroy(m.p);
    size_t len = 0;
    char *out = pit_kcat(b, topic, "%p %o %k %s\\n", &len);
    REQUIRE(out);
    million_verify(&m, out);
    printf("  read back with kcat in %lld ms\n", (long long)(it_now_ms() - t1));
    free(out);
    free(m.delivered);
    free(m.partition);
    free(m.offset);
}

/* ------------------------------------------------- small, exact messages */

typedef struct tally {
    int ok, failed, last_err;
    char last_errstr[200];
} tally;

static void count_report(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    (void)p;
    tally *t = opaque;
    if (d->err) {
        t->failed++;
        t->last_err = d->err;
        snprintf(t->last_errstr, sizeof t->last_errstr, "%s", d->errstr ? d->errstr : "");
    } else {
        t->ok++;
    }
}

/* Sends n values "<prefix>-<i>" to partition 0 and checks kcat sees them. */
static void roundtrip(const char *b, const char *const *settings, const char *what, int n) {
    char topic[128];
    it_topic(topic, sizeof topic, what);
    REQUIRE(pit_create_topic(b, topic, 1, -1, NULL) == 0);
    tally t = {0};
    kfk_producer_callbacks cbs = {.delivery = count_report, .opaque = &t};
    kfk_producer *p = pit_producer(b, &cbs, settings);
    REQUIRE(p);
    char value[192];
    for (int i = 0; i < n; i++) {
        int len = snprintf(value, sizeof value, "%s-%d-%s", what, i, "compressible compressible");
        kfk_message m = {.topic = topic, .partition = 0, .value = value, .value_len = (size_t)len};
        CHECK_EQ(kfk_producer_send(p, &m, 0), 0);
    }
    CHECK_EQ(kfk_producer_close(p, 30000), 0);
    CHECK_EQ(t.ok, n);
    CHECK_EQ(t.failed, 0);
    size_t len = 0;
    char *out = pit_kcat(b, topic, "%s\\n", &len);
    REQUIRE(out);
    int i = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"), i++) {
        snprintf(value, sizeof value, "%s-%d-%s", what, i, "compressible compressible");
        CHECK_STR(line, value);
    }
    CHECK_EQ(i, n);
    free(out);
}

TEST(auto_created_topic_with_explicit_partition) {
    /* Nothing blocks in send for partition 0 of a topic metadata does not
     * know yet; the broker answers the first Metadata with the topic
     * unknown while it creates it. The producer must keep asking (it once
     * waited for metadata.max.age.ms, five minutes). */
    const char *b = it_bootstrap();
    char topic[128];
    it_topic(topic, sizeof topic, "autocreate");
    tally t = {0};
    kfk_producer_callbacks cbs = {.delivery = count_report, .opaque = &t};
    kfk_producer *p = pit_producer(b, &cbs, NULL);
    REQUIRE(p);
    for (int i = 0; i < 10; i++) {
        kfk_message m = {.topic = topic, .partition = 0, .value = "v", .value_len = 1};
        CHECK_EQ(kfk_producer_send(p, &m, KFK_SEND_COPY), 0);
    }
    CHECK_EQ(kfk_producer_flush(p, 60000), 0);
    CHECK_EQ(t.ok, 10);
    CHECK_EQ(t.failed, 0);
    kfk_producer_destroy(p);
}

TEST(every_codec_and_level) {
    const char *b = it_bootstrap();
    REQUIRE(b);
    static const char *const cases[][4] = {
        {"compression.type", "none", NULL, NULL},
        {"compression.type", "gzip", NULL, NULL},
        {"compression.type", "gzip", "compression.gzip.level", "1"},
        {"compression.type", "gzip", "compression.gzip.level", "9"},
        {"compression.type", "snappy", NULL, NULL},
        {"compression.type", "lz4", NULL, NULL},
        {"compression.type", "lz4", "compression.lz4.level", "1"},
        {"compression.type", "lz4", "compression.lz4.level", "17"},
        {"compression.type", "zstd", NULL, NULL},
        {"compression.type", "zstd", "compression.zstd.level", "-5"},
        {"compression.type", "zstd", "compression.zstd.level", "22"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *settings[7] = {cases[i][0], cases[i][1], cases[i][2], cases[i][3], NULL};
        char what[64];
        snprintf(what, sizeof what, "%s%s", cases[i][1], cases[i][3] ? cases[i][3] : "");
        roundtrip(b, settings, what, 500);
    }
}

TEST(acks_zero_and_one_without_idempotence) {
    const char *b = it_bootstrap();
    REQUIRE(b);
    roundtrip(b, (const char *[]){"acks", "0", NULL}, "acks0", 300);
    roundtrip(b, (const char *[]){"acks", "1", NULL}, "acks1", 300);
}

TEST(headers_null_and_empty_keys_and_values) {
    const char *b = it_bootstrap();
    REQUIRE(b);
    char topic[128];
    it_topic(topic, sizeof topic, "shapes");
    REQUIRE(pit_create_topic(b, topic, 1, -1, NULL) == 0);
    tally t = {0};
    kfk_producer_callbacks cbs = {.delivery = count_report, .opaque = &t};
    kfk_producer *p = pit_producer(b, &cbs, NULL);
    REQUIRE(p);
    kfk_header hs[2] = {{"h1", "one", 3}, {"h2", "", 0}};
    kfk_message msgs[] = {
        {.topic = topic, .partition = 0, .key = "k", .key_len = 1, .value = "v", .value_len = 1,
         .headers = hs, .header_count = 2},
        {.topic = topic, .partition = 0, .key = NULL, .value = "nokey", .value_len = 5},
        {.topic = topic, .partition = 0, .key = "tomb", .key_len = 4, .value = NULL},
        {.topic = topic, .partition = 0, .key = "", .key_len = 0, .value = "", .value_len = 0},
    };
    for (size_t i = 0; i < 4; i++) CHECK_EQ(kfk_producer_send(p, &msgs[i], 0), 0);
    CHECK_EQ(kfk_producer_close(p, 30000), 0);
    CHECK_EQ(t.ok, 4);
    size_t len = 0;
    /* %K and %S: key and value lengths, -1 for null; %h the headers. */
    char *out = pit_kcat(b, topic, "[%k|%s|%h|%K|%S]\\n", &len);
    REQUIRE(out);
    CHECK_STR(out, "[k|v|h1=one,h2=|1|1]\n[|nokey||-1|5]\n[tomb|||4|-1]\n[|||0|0]\n");
    free(out);
}

TEST(one_mebibyte_value) {
    const char *b = it_bootstrap();
    REQUIRE(b);
    char topic[128];
    it_topic(topic, sizeof topic, "big");
    REQUIRE(pit_create_topic(b, topic, 1, -1,
                             (const char *[]){"max.message.bytes", "4194304", NULL}) == 0);
    tally t = {0};
    kfk_producer_callbacks cbs = {.delivery = count_report, .opaque = &t};
    kfk_producer *p = pit_producer(b, &cbs, (const char *[]){"max.request.size", "2097152", NULL});
    REQUIRE(p);
    size_t n = 1 << 20;
    char *value = malloc(n);
    for (size_t i = 0; i < n; i++) value[i] = (char)('a' + (i * 7) % 26);
    kfk_message m = {.topic = topic, .partition = 0, .key = "big", .key_len = 3, .value = value,
                     .value_len = n};
    CHECK_EQ(kfk_producer_send(p, &m, 0), 0);
    CHECK_EQ(kfk_producer_close(p, 30000), 0);
    CHECK_EQ(t.ok, 1);
    if (t.failed) printf("  %s\n", t.last_errstr);
    size_t len = 0;
    char *out = pit_kcat(b, topic, "%s", &len);
    REQUIRE(out);
    CHECK_EQ(len, n);
    if (len == n) CHECK_MEM(out, value, n);
    free(out);
    free(value);
}

TEST(bad_arguments_fail_at_once) {
    const char *b = it_bootstrap();
    REQUIRE(b);
    char topic[128];
    it_topic(topic, sizeof topic, "args");
    REQUIRE(pit_create_topic(b, topic, 2, -1, NULL) == 0);
    tally t = {0};
    kfk_producer_callbacks cbs = {.delivery = count_report, .opaque = &t};
    kfk_producer *p = pit_producer(b, &cbs, (const char *[]){"max.request.size", "10000", NULL});
    REQUIRE(p);
    kfk_message m = {.topic = NULL, .partition = 0, .value = "x", .value_len = 1};
    CHECK_EQ(kfk_producer_send(p, &m, 0), KFK_ERR_INVALID_ARG);
    CHECK_EQ(kfk_producer_send(p, NULL, 0), KFK_ERR_INVALID_ARG);
    m.topic = topic;
    m.partition = -2;
    CHECK_EQ(kfk_producer_send(p, &m, 0), KFK_ERR_INVALID_ARG);
    /* Once the topic's metadata is known, partition 2 of 2 does not exist. */
    m.partition = KFK_PARTITION_ANY;
    CHECK_EQ(kfk_producer_send(p, &m, 0), 0);
    m.partition = 2;
    CHECK_EQ(kfk_producer_send(p, &m, 0), KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    static char big[20000];
    kfk_message large = {.topic = topic, .partition = 0, .value = big, .value_len = sizeof big};
    CHECK_EQ(kfk_producer_send(p, &large, 0), KFK_ERR_MSG_TOO_LARGE);
    kfk_message nokey = {.topic = topic, .partition = 0, .key = NULL, .key_len = 3};
    CHECK_EQ(kfk_producer_send(p, &nokey, 0), KFK_ERR_INVALID_ARG);
    kfk_header h = {NULL, "v", 1};
    kfk_message badh = {.topic = topic, .partition = 0, .headers = &h, .header_count = 1};
    CHECK_EQ(kfk_producer_send(p, &badh, 0), KFK_ERR_INVALID_ARG);
    CHECK_EQ(kfk_producer_close(p, 30000), 0);
    CHECK_EQ(t.ok, 1); /* only the one accepted */
    CHECK_EQ(t.failed, 0);
}

TEST(no_broker_messages_time_out_with_a_report) {
    tally t = {0};
    kfk_producer_callbacks cbs = {.delivery = count_report, .opaque = &t};
    /* Port 1 on loopback: nothing listens. */
    kfk_producer *p = pit_producer("127.0.0.1:1", &cbs,
                                   (const char *[]){"delivery.timeout.ms", "2000",
                                                    "request.timeout.ms", "1000", "linger.ms",
                                                    "10", NULL});
    REQUIRE(p);
    kfk_message m = {.topic = "nowhere", .partition = 0, .value = "x", .value_len = 1};
    for (int i = 0; i < 10; i++) CHECK_EQ(kfk_producer_send(p, &m, 0), 0);
    /* Without a partition the metadata is needed: NONBLOCK says it is not known yet. */
    kfk_message any = {.topic = "nowhere", .partition = KFK_PARTITION_ANY};
    CHECK_EQ(kfk_producer_send(p, &any, KFK_SEND_NONBLOCK), KFK_ERR_NOENT);
    int64_t t0 = it_now_ms();
    CHECK_EQ(kfk_producer_flush(p, 10000), 0);
    int64_t took = it_now_ms() - t0;
    CHECK_EQ(t.failed, 10);
    CHECK_EQ(t.last_err, KFK_ERR_TIMED_OUT);
    CHECK(took >= 1500 && took < 5000);
    kfk_producer_destroy(p);
}

TEST(destroy_reports_every_queued_message) {
    tally t = {0};
    kfk_producer_callbacks cbs = {.delivery = count_report, .opaque = &t};
    kfk_producer *p = pit_producer("127.0.0.1:1", &cbs, (const char *[]){"linger.ms", "10000", NULL});
    REQUIRE(p);
    kfk_message m = {.topic = "nowhere", .partition = 0, .value = "x", .value_len = 1};
    for (int i = 0; i < 1000; i++) CHECK_EQ(kfk_producer_send(p, &m, 0), 0);
    kfk_producer_destroy(p);
    CHECK_EQ(t.failed, 1000);
    CHECK_EQ(t.last_err, KFK_ERR_DESTROYED);
}

TEST(too_large_batches_split_and_a_too_large_record_fails_alone) {
    const char *b = it_bootstrap();
    REQUIRE(b);
    char topic[128];
    it_topic(topic, sizeof topic, "split");
    REQUIRE(pit_create_topic(b, topic, 1, -1,
                             (const char *[]){"max.message.bytes", "2000", NULL}) == 0);
    tally t = {0};
    kfk_producer_callbacks cbs = {.delivery = count_report, .opaque = &t};
    kfk_producer *p = pit_producer(b, &cbs,
                                   (const char *[]){"batch.size", "100000", "linger.ms", "200",
                                                    NULL});
    REQUIRE(p);
    static char big[3000];
    memset(big, 'b', sizeof big);
    char value[128];
    for (int i = 0; i < 60; i++) {
        int len = snprintf(value, sizeof value, "split-%02d-%090d", i, 0);
        kfk_message m = {.topic = topic, .partition = 0, .value = value, .value_len = (size_t)len};
        CHECK_EQ(kfk_producer_send(p, &m, 0), 0);
        if (i == 30) { /* too large for the topic by itself */
            kfk_message m2 = {.topic = topic, .partition = 0, .value = big,
                              .value_len = sizeof big};
            CHECK_EQ(kfk_producer_send(p, &m2, 0), 0);
        }
    }
    CHECK_EQ(kfk_producer_flush(p, 30000), 0);
    kfk_producer_stats st;
    kfk_producer_stats_get(p, &st);
    kfk_producer_destroy(p);
    printf("  %lld splits, %lld epoch bumps\n", (long long)st.batches_split,
           (long long)st.epoch_bumps);
    CHECK_EQ(t.ok, 60);
    CHECK_EQ(t.failed, 1);
    CHECK(t.last_err == KFK_ERR_MESSAGE_TOO_LARGE || t.last_err == KFK_ERR_RECORD_LIST_TOO_LARGE);
    CHECK(st.batches_split >= 2);
    size_t len = 0;
    char *out = pit_kcat(b, topic, "%s\\n", &len);
    REQUIRE(out);
    int i = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"), i++) {
        snprintf(value, sizeof value, "split-%02d-%090d", i, 0);
        CHECK_STR(line, value);
    }
    CHECK_EQ(i, 60);
    free(out);
}
