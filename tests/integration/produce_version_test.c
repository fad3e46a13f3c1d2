/* The Produce version the producer negotiates, as its stats report it (the
 * version of each request a broker answered): v13 (topics by id) on Kafka
 * 4.4.0, v11 on 3.9.1. Every message is delivered exactly once, read back
 * with kcat; also when the topic is deleted and re-created under the same
 * name while messages are in flight. There, as in the Java client (which
 * looks a topic's id up by name for every request), what was not yet
 * written goes to the new topic: the application sees every message
 * reported written, those before the deletion with the old topic's
 * offsets (their records went with it), the rest with offsets that the new
 * topic holds them at, in order, once each. */
#include <string.h>

#include "admin_it.h"
#include "produce_it.h"

/* The version the broker under test should agree to: the newest both
 * sides know. Brokers not named here: only that one version was used. */
static int expected_version(void) {
    const char *v = getenv("KFK_BROKER_VERSION");
    if (v && strcmp(v, "4.4.0") == 0) return 13;
    if (v && strcmp(v, "3.9.1") == 0) return 11;
    return 0;
}

typedef struct sent {
    int err;
    int reports;
    int64_t offset;
} sent;

typedef struct book {
    sent *msgs;
    int n;
    atomic_int reports, errors;
} book;

static void on_delivery(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    (void)p;
    book *bk = opaque;
    int i = (int)(intptr_t)d->opaque;
    if (i < 0 || i >= bk->n) return;
    bk->msgs[i].reports++;
    bk->msgs[i].err = d->err;
    bk->msgs[i].offset = d->offset;
    atomic_fetch_add(&bk->reports, 1);
    if (d->err) {
        atomic_fetch_add(&bk->errors, 1);
        fprintf(stderr, "message %d: %s (%s)\n", i, kfk_err_name(d->err),
                d->errstr ? d->errstr : "");
    }
}

static int send_one(kfk_producer *p, const char *topic, int i) {
    char v[32];
    int len = snprintf(v, sizeof v, "m-%06d", i);
    kfk_message m = {.topic = topic, .partition = 0, .value = v, .value_len = (size_t)len,
                     .opaque = (void *)(intptr_t)i};
    return kfk_producer_send(p, &m, 0);
}

/* Reads topic back: seen[i] counts message i; order[] gets the indexes in
 * offset order (partition 0 only), *norder their count. */
static void read_back(const char *boot, const char *topic, int n, int *seen, int *order,
                      int *norder) {
    size_t len = 0;
    char *text = pit_kcat(boot, topic, "%p %o %s\\n", &len);
    REQUIRE(text);
    *norder = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        int part, i;
        long long off;
        if (sscanf(line, "%d %lld m-%d", &part, &off, &i) != 3 || i < 0 || i >= n) {
            kfk_test_fail(__FILE__, __LINE__, "unexpected record: %s", line);
            continue;
        }
        seen[i]++;
        if (part == 0 && *norder < n) order[(*norder)++] = i;
    }
    free(text);
}

static void check_versions(kfk_producer *p) {
    kfk_producer_stats st;
    kfk_producer_stats_get(p, &st);
    printf("Produce versions answered: v%d..v%d (KFK_BROKER_VERSION=%s)\n",
           (int)st.produce_version_min, (int)st.produce_version_max,
           getenv("KFK_BROKER_VERSION") ? getenv("KFK_BROKER_VERSION") : "unset");
    int want = expected_version();
    CHECK(st.produce_version_max >= 3);
    if (want) CHECK_EQ(st.produce_version_max, want);
}

TEST(newest_version_and_exactly_once) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128];
    it_topic(topic, sizeof topic, "pver");
    REQUIRE_EQ(pit_create_topic(boot, topic, 1, -1, NULL), 0);
    enum { N = 3000 };
    book bk = {.msgs = calloc(N, sizeof(sent)), .n = N};
    kfk_producer_callbacks cbs = {.delivery = on_delivery, .opaque = &bk};
    static const char *const settings[] = {"linger.ms", "5", "batch.size", "4096", NULL};
    kfk_producer *p = pit_producer(boot, &cbs, settings);
    REQUIRE(p);
    for (int i = 0; i < N; i++) REQUIRE_EQ(send_one(p, topic, i), 0);
    CHECK_EQ(kfk_producer_flush(p, 60000), 0);
    CHECK_EQ(atomic_load(&bk.reports), N);
    CHECK_EQ(atomic_load(&bk.errors), 0);
    check_versions(p);
    kfk_producer_stats st;
    kfk_producer_stats_get(p, &st);
    /* One topic, its id known from the start: one version throughout. */
    CHECK_EQ(st.produce_version_min, st.produce_version_max);
    kfk_producer_destroy(p);
    int *seen = calloc(N, sizeof(int)), *order = calloc(N, sizeof(int)), norder = 0;
    read_back(boot, topic, N, seen, order, &norder);
    CHECK_EQ(norder, N);
    for (int i = 0; i < N; i++) {
        CHECK_EQ(seen[i], 1);
        CHECK_EQ(bk.msgs[i].reports, 1);
        CHECK_EQ(bk.msgs[i].offset, i); /* one partition, sent in order */
        if (seen[i] != 1 || bk.msgs[i].offset != i) break;
    }
    free(seen);
    free(order);
    free(bk.msgs);
}

typedef struct sender_arg {
    kfk_producer *p;
    const char *topic;
    int from, to;
    atomic_int next; /* the next message to send */
    atomic_int hold; /* send up to this one, then wait */
    atomic_int rc;
} sender_arg;

static void *sender_main(void *arg) {
    sender_arg *s = arg;
    for (int i = s->from; i < s->to; i++) {
        while (i >= atomic_load(&s->hold)) usleep(1000);
        int rc = send_one(s->p, s->topic, i);
        if (rc) {
            atomic_store(&s->rc, rc);
            return NULL;
        }
        atomic_store(&s->next, i + 1);
        if (i % 20 == 0) usleep(2000); /* messages keep coming while the topic goes */
    }
    return NULL;
}

TEST(topic_recreated_while_producing) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    kfk_admin *a = admin_new_on(boot);
    REQUIRE(a);
    char topic[128];
    it_topic(topic, sizeof topic, "precreate");
    REQUIRE_EQ(admin_create(a, topic, 1), 0);
    REQUIRE_EQ(admin_kcat_wait_partitions(topic, 1), 1);
    kfk_admin_result *r = admin_describe_topic(a, topic);
    REQUIRE(r && r->err == 0 && r->topics[0].err == 0);
    uint8_t old_id[16];
    memcpy(old_id, r->topics[0].topic_id, 16);
    kfk_admin_result_destroy(r);

    enum { A = 500, N = 3000 };
    book bk = {.msgs = calloc(N, sizeof(sent)), .n = N};
    kfk_producer_callbacks cbs = {.delivery = on_delivery, .opaque = &bk};
    /* The test, not the producer's metadata requests, re-creates it. */
    static const char *const settings[] = {"linger.ms", "5", "batch.size", "2048",
                                           "allow.auto.create.topics", "false", NULL};
    kfk_producer *p = pit_producer(boot, &cbs, settings);
    REQUIRE(p);
    for (int i = 0; i < A; i++) REQUIRE_EQ(send_one(p, topic, i), 0);
    CHECK_EQ(kfk_producer_flush(p, 30000), 0);
    CHECK_EQ(atomic_load(&bk.errors), 0);

    /* Messages A.. keep flowing (up to the hold) while the topic is
     * deleted and made again; the rest follow once it exists. */
    sender_arg s = {.p = p, .topic = topic, .from = A, .to = N};
    atomic_store(&s.hold, N - 500);
    pthread_t th;
    REQUIRE_EQ(pthread_create(&th, NULL, sender_main, &s), 0);
    while (atomic_load(&s.next) < A + 200 && !atomic_load(&s.rc)) usleep(1000);
    const char *names[] = {topic};
    r = kfk_admin_delete_topics(a, names, 1, NULL, NULL, NULL);
    CHECK(r && r->err == 0);
    kfk_admin_result_destroy(r);
    /* Not kcat -L: its metadata request would create the topic again. */
    int gone = 0;
    for (int i = 0; i < 100 && !gone; i++) {
        r = admin_describe_topic(a, topic);
        gone = r && r->ntopics == 1 && r->topics[0].err == KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION;
        kfk_admin_result_destroy(r);
        if (!gone) admin_sleep_ms(100);
    }
    CHECK(gone);
    int made = 0;
    for (int i = 0; i < 50 && !made; i++) { /* deletion finishes in the background */
        kfk_new_topic t = {.name = topic, .partitions = 1, .replication_factor = 1};
        r = kfk_admin_create_topics(a, &t, 1, NULL, NULL, NULL);
        made = r && r->err == 0 && r->items[0].err == 0;
        if (!made && i % 10 == 9)
            fprintf(stderr, "create: %s (%s)\n",
                    kfk_err_name(r ? (r->err ? r->err : r->items[0].err) : KFK_ERR_NOMEM),
                    r && r->nitems && r->items[0].errstr ? r->items[0].errstr : "");
        kfk_admin_result_destroy(r);
        if (!made) admin_sleep_ms(200);
    }
    REQUIRE(made);
    REQUIRE_EQ(admin_kcat_wait_partitions(topic, 1), 1);
    r = admin_describe_topic(a, topic);
    REQUIRE(r && r->err == 0 && r->topics[0].err == 0);
    CHECK(memcmp(old_id, r->topics[0].topic_id, 16) != 0);
    kfk_admin_result_destroy(r);
    int recreated_at = atomic_load(&s.next);
    atomic_store(&s.hold, N);
    pthread_join(th, NULL);
    CHECK_EQ(atomic_load(&s.rc), 0);
    CHECK_EQ(kfk_producer_flush(p, 90000), 0);
    CHECK_EQ(atomic_load(&bk.reports), N);
    CHECK_EQ(atomic_load(&bk.errors), 0);
    /* A batch drained while metadata shows the topic gone goes by name
     * (v12): its id is unknown then. */
    check_versions(p);
    kfk_producer_stats st;
    kfk_producer_stats_get(p, &st);
    printf("re-created after message %d; batches retried: %lld, epoch bumps: %lld\n",
           recreated_at, (long long)st.batches_retried, (long long)st.epoch_bumps);
    kfk_producer_destroy(p);
    kfk_admin_destroy(a);

    /* The new topic holds a tail of what was sent, in order, once each, at
     * the offsets reported; everything before that tail was reported
     * written to the old topic, and nothing sent after the re-creation is
     * missing. */
    int *seen = calloc(N, sizeof(int)), *order = calloc(N, sizeof(int)), norder = 0;
    read_back(boot, topic, N, seen, order, &norder);
    REQUIRE(norder > 0);
    int first = order[0];
    printf("old topic: messages 0..%d; new topic: %d..%d\n", first - 1, first, N - 1);
    CHECK(first >= A);
    CHECK(first <= recreated_at);
    CHECK_EQ(norder, N - first);
    for (int k = 0; k < norder; k++) {
        CHECK_EQ(order[k], first + k);
        CHECK_EQ(bk.msgs[first + k].offset, k);
        if (order[k] != first + k || bk.msgs[first + k].offset != k) break;
    }
    for (int i = 0; i < N; i++) {
        CHECK_EQ(bk.msgs[i].reports, 1);
        CHECK_EQ(seen[i], i < first ? 0 : 1);
        if (bk.msgs[i].reports != 1 || seen[i] != (i < first ? 0 : 1)) break;
    }
    /* The old topic's messages: consecutive offsets from 0, as it held them. */
    for (int i = 0; i < first; i++) {
        CHECK_EQ(bk.msgs[i].offset, i);
        if (bk.msgs[i].offset != i) break;
    }
    free(seen);
    free(order);
    free(bk.msgs);
}
