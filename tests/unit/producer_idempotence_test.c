/* The idempotent producer against a scripted broker (produce_stub.h) on
 * loopback: epoch bumps (InitProducerId with the current id and epoch,
 * KIP-360) after OUT_OF_ORDER_SEQUENCE_NUMBER, UNKNOWN_PRODUCER_ID and
 * batches that expired with a sequence; a refused bump answered by a new
 * id; the fatal path (every queued message failed, sends refused); and
 * batches split after MESSAGE_TOO_LARGE keeping their sequences; the
 * statistics' records retried and failed. */
#include <stdio.h>

#include "kfk.h"
#include "produce_stub.h"
#include "test.h"

#define N 40

typedef struct reports {
    pthread_mutex_t lock;
    int count[N];
    int err[N];
    int64_t offset[N];
} reports;

static void on_report(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    (void)p;
    reports *r = opaque;
    int i = (int)(intptr_t)d->opaque;
    pthread_mutex_lock(&r->lock);
    r->count[i]++;
    r->err[i] = d->err;
    r->offset[i] = d->offset;
    pthread_mutex_unlock(&r->lock);
}

/* The test producer's configuration and report counters. */
static kfk_conf *producer_conf(pstub *s, reports *r, const char *const *extra) {
    char boot[64], err[256];
    snprintf(boot, sizeof boot, "127.0.0.1:%d", s->port);
    kfk_conf *conf = kfk_conf_new();
    const char *base[] = {"bootstrap.servers", boot, "enable.idempotence", "true",
                          "linger.ms", "0", "retry.backoff.ms", "20",
                          "retry.backoff.max.ms", "50", NULL};
    for (int i = 0; base[i]; i += 2) kfk_conf_set(conf, base[i], base[i + 1], err, sizeof err);
    for (int i = 0; extra && extra[i]; i += 2)
        if (kfk_conf_set(conf, extra[i], extra[i + 1], err, sizeof err))
            kfk_test_fail(__FILE__, __LINE__, "%s", err);
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->lock, NULL);
    return conf;
}

static kfk_producer *producer_from(kfk_conf *conf, reports *r) {
    char err[256];
    kfk_producer_callbacks cbs = {.delivery = on_report, .opaque = r};
    kfk_producer *p = kfk_producer_new(conf, &cbs, err, sizeof err);
    if (!p) {
        kfk_test_fail(__FILE__, __LINE__, "producer: %s", err);
        kfk_conf_destroy(conf);
    }
    return p;
}

static kfk_producer *producer(pstub *s, reports *r, const char *const *extra) {
    return producer_from(producer_conf(s, r, extra), r);
}

static int send_one(kfk_producer *p, int i) {
    char v[16];
    int n = snprintf(v, sizeof v, "m%02d", i);
    kfk_message m = {.topic = "t", .partition = 0, .value = v, .value_len = (size_t)n,
                     .opaque = (void *)(intptr_t)i};
    return kfk_producer_send(p, &m, 0);
}

/* Every message reported once; those delivered are in the stub's log at
 * their reported offset, once, in send order. Returns how many failed. */
static int check_log(pstub *s, reports *r, int n) {
    int failed = 0, last = -1;
    for (int i = 0; i < n; i++) {
        CHECK_EQ(r->count[i], 1);
        if (r->err[i]) {
            failed++;
            continue;
        }
        char v[16];
        snprintf(v, sizeof v, "m%02d", i);
        CHECK(r->offset[i] >= 0 && r->offset[i] < s->nlog);
        if (r->offset[i] < 0 || r->offset[i] >= s->nlog) continue;
        CHECK_STR(s->log[r->offset[i]].value, v);
        CHECK(r->offset[i] > last);
        last = (int)r->offset[i];
    }
    CHECK_EQ(s->nlog, n - failed); /* nothing else, nothing twice */
    return failed;
}

static void wait_reports(kfk_producer *p, reports *r, int n) {
    int64_t until = pstub_now() + 10000;
    for (;;) {
        kfk_producer_poll(p, 50);
        int got = 0;
        pthread_mutex_lock(&r->lock);
        for (int i = 0; i < n; i++) got += r->count[i] > 0;
        pthread_mutex_unlock(&r->lock);
        if (got == n || pstub_now() > until) return;
    }
}

TEST(out_of_order_sequence_fails_the_batch_and_bumps_the_epoch) {
    pstub s = {0};
    s.produce_err[0] = KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER; /* the first batch */
    REQUIRE(pstub_start(&s) == 0);
    reports r;
    kfk_producer *p = producer(&s, &r, NULL);
    REQUIRE(p);
    CHECK_EQ(send_one(p, 0), 0);
    wait_reports(p, &r, 1);
    for (int i = 1; i < 10; i++) CHECK_EQ(send_one(p, i), 0);
    CHECK_EQ(kfk_producer_flush(p, 10000), 0);
    CHECK_EQ(r.err[0], KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    CHECK_EQ(check_log(&s, &r, 10), 1);
    kfk_producer_stats st;
    kfk_producer_stats_get(p, &st);
    CHECK_EQ(st.epoch_bumps, 1);
    kfk_producer_destroy(p);
    pstub_stop(&s);
    /* The bump named the current id and epoch; then sequences restarted. */
    REQUIRE_EQ(s.npid, 2);
    CHECK_EQ(s.pid_req[0], -1);
    CHECK_EQ(s.pid_req[1], 1000);
    CHECK_EQ(s.epoch_req[1], 0);
    CHECK_EQ(s.batches[1].epoch, 1);
    CHECK_EQ(s.batches[1].seq, 0);
}

/* The latest statistics of partition t/0: records retried and failed. */
typedef struct part_counts {
    pthread_mutex_t lock;
    int64_t retried, failed;
} part_counts;

static void on_stats(const kfk_stats *st, const char *json, size_t len, void *opaque) {
    (void)json;
    (void)len;
    part_counts *c = opaque;
    for (int i = 0; i < st->npartitions; i++)
        if (st->partitions[i].topic && strcmp(st->partitions[i].topic, "t") == 0) {
            pthread_mutex_lock(&c->lock);
            c->retried = st->partitions[i].txretry_msgs;
            c->failed = st->partitions[i].txerr_msgs;
            pthread_mutex_unlock(&c->lock);
        }
}

/* txretry_msgs and txerr_msgs count records: a batch of 5 retried once
 * adds 5, a batch of 3 failed for good adds 3. */
TEST(statistics_count_records_retried_and_failed) {
    pstub s = {0};
    s.produce_err[0] = KFK_ERR_NOT_ENOUGH_REPLICAS; /* retriable: sent again */
    s.produce_err[2] = KFK_ERR_INVALID_RECORD;      /* the second batch: fails */
    REQUIRE(pstub_start(&s) == 0);
    reports r;
    const char *extra[] = {"linger.ms", "300", "statistics.interval.ms", "50", NULL};
    kfk_conf *conf = producer_conf(&s, &r, extra);
    part_counts c = {.retried = -1, .failed = -1};
    pthread_mutex_init(&c.lock, NULL);
    kfk_conf_set_stats_cb(conf, on_stats, &c);
    kfk_producer *p = producer_from(conf, &r);
    REQUIRE(p);
    for (int i = 0; i < 5; i++) CHECK_EQ(send_one(p, i), 0);
    CHECK_EQ(kfk_producer_flush(p, 10000), 0);
    for (int i = 5; i < 8; i++) CHECK_EQ(send_one(p, i), 0);
    CHECK_EQ(kfk_producer_flush(p, 10000), 0);
    for (int i = 0; i < 5; i++) CHECK_EQ(r.err[i], 0);
    for (int i = 5; i < 8; i++) CHECK_EQ(r.err[i], KFK_ERR_INVALID_RECORD);
    kfk_producer_stats ps;
    kfk_producer_stats_get(p, &ps);
    CHECK_EQ(ps.batches_retried, 1);
    int64_t until = pstub_now() + 5000, retried = -1, failed = -1;
    while (pstub_now() < until && failed != 3) {
        kfk_producer_poll(p, 50);
        pthread_mutex_lock(&c.lock);
        retried = c.retried;
        failed = c.failed;
        pthread_mutex_unlock(&c.lock);
    }
    CHECK_EQ(retried, 5);
    CHECK_EQ(failed, 3);
    kfk_producer_destroy(p);
    pstub_stop(&s);
    CHECK_EQ(s.nlog, 5);
    pthread_mutex_destroy(&c.lock);
}

TEST(unknown_producer_id_bumps_and_the_batch_is_retried) {
    pstub s = {0};
    s.produce_err[0] = KFK_ERR_UNKNOWN_PRODUCER_ID;
    REQUIRE(pstub_start(&s) == 0);
    reports r;
    kfk_producer *p = producer(&s, &r, NULL);
    REQUIRE(p);
    for (int i = 0; i < 5; i++) CHECK_EQ(send_one(p, i), 0);
    CHECK_EQ(kfk_producer_flush(p, 10000), 0);
    CHECK_EQ(check_log(&s, &r, 5), 0); /* none lost */
    kfk_producer_stats st;
    kfk_producer_stats_get(p, &st);
    CHECK_EQ(st.epoch_bumps, 1);
    CHECK(st.batches_retried >= 1);
    kfk_producer_destroy(p);
    pstub_stop(&s);
    REQUIRE_EQ(s.npid, 2);
    CHECK_EQ(s.pid_req[1], 1000);
    CHECK_EQ(s.epoch_req[1], 0);
    CHECK_EQ(s.log[0].epoch, 1);
}

TEST(batches_expired_with_a_sequence_bump_the_epoch) {
    pstub s = {0};
    s.fail_until = pstub_now() + 1500; /* NOT_ENOUGH_REPLICAS until then */
    REQUIRE(pstub_start(&s) == 0);
    reports r;
    kfk_producer *p = producer(&s, &r,
                               (const char *[]){"delivery.timeout.ms", "800",
                                                "request.timeout.ms", "500", NULL});
    REQUIRE(p);
    for (int i = 0; i < 5; i++) CHECK_EQ(send_one(p, i), 0);
    wait_reports(p, &r, 5);
    for (int i = 0; i < 5; i++) CHECK(r.err[i] != 0); /* out of time */
    while (pstub_now() < s.fail_until) usleep(20000);
    for (int i = 5; i < 10; i++) CHECK_EQ(send_one(p, i), 0);
    CHECK_EQ(kfk_producer_flush(p, 10000), 0);
    CHECK_EQ(check_log(&s, &r, 10), 5);
    kfk_producer_stats st;
    kfk_producer_stats_get(p, &st);
    CHECK_EQ(st.epoch_bumps, 1);
    kfk_producer_destroy(p);
    pstub_stop(&s);
    REQUIRE_EQ(s.npid, 2);
    CHECK_EQ(s.pid_req[1], 1000);
    CHECK_EQ(s.log[0].epoch, 1); /* the new messages, in the new epoch */
}

TEST(a_refused_bump_gets_a_new_producer_id) {
    pstub s = {0};
    s.produce_err[0] = KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
    s.pid_err[1] = KFK_ERR_CLUSTER_AUTHORIZATION_FAILED; /* the bump */
    REQUIRE(pstub_start(&s) == 0);
    reports r;
    kfk_producer *p = producer(&s, &r, NULL);
    REQUIRE(p);
    CHECK_EQ(send_one(p, 0), 0);
    wait_reports(p, &r, 1);
    for (int i = 1; i < 5; i++) CHECK_EQ(send_one(p, i), 0);
    CHECK_EQ(kfk_producer_flush(p, 10000), 0);
    CHECK_EQ(check_log(&s, &r, 5), 1);
    CHECK_EQ(kfk_producer_fatal_error(p, NULL, 0), 0);
    kfk_producer_destroy(p);
    pstub_stop(&s);
    REQUIRE_EQ(s.npid, 3);
    CHECK_EQ(s.pid_req[1], 1000);
    CHECK_EQ(s.pid_req[2], -1); /* a fresh id, not the refused bump again */
}

TEST(init_producer_id_refused_is_fatal) {
    pstub s = {0};
    s.pid_err[0] = KFK_ERR_CLUSTER_AUTHORIZATION_FAILED;
    REQUIRE(pstub_start(&s) == 0);
    reports r;
    kfk_producer *p = producer(&s, &r, (const char *[]){"linger.ms", "200", NULL});
    REQUIRE(p);
    for (int i = 0; i < 5; i++) CHECK_EQ(send_one(p, i), 0);
    wait_reports(p, &r, 5);
    for (int i = 0; i < 5; i++) {
        CHECK_EQ(r.count[i], 1);
        CHECK_EQ(r.err[i], KFK_ERR_FATAL);
    }
    char why[200] = "";
    CHECK_EQ(kfk_producer_fatal_error(p, why, sizeof why), KFK_ERR_FATAL);
    CHECK(strstr(why, "CLUSTER_AUTHORIZATION_FAILED") != NULL);
    CHECK_EQ(send_one(p, 5), KFK_ERR_FATAL);
    CHECK_EQ(kfk_producer_flush(p, 1000), 0);
    kfk_producer_destroy(p);
    pstub_stop(&s);
    CHECK_EQ(s.nproduce, 0);
    CHECK_EQ(s.nlog, 0);
}

TEST(too_large_batches_split_in_halves_keeping_sequences) {
    pstub s = {0};
    s.max_records = 3; /* batches of more are MESSAGE_TOO_LARGE */
    REQUIRE(pstub_start(&s) == 0);
    reports r;
    kfk_producer *p = producer(&s, &r, (const char *[]){"linger.ms", "100", NULL});
    REQUIRE(p);
    CHECK_EQ(send_one(p, 0), 0); /* the epoch's first batch goes alone */
    wait_reports(p, &r, 1);
    for (int i = 1; i < 21; i++) CHECK_EQ(send_one(p, i), 0); /* one batch of 20 */
    CHECK_EQ(kfk_producer_flush(p, 10000), 0);
    CHECK_EQ(check_log(&s, &r, 21), 0);
    kfk_producer_stats st;
    kfk_producer_stats_get(p, &st);
    CHECK(st.batches_split >= 7); /* 20 -> 10+10 -> 4 x 5 -> 8 of 2 or 3 */
    CHECK_EQ(st.epoch_bumps, 0);  /* the halves took the batch's sequences */
    kfk_producer_destroy(p);
    pstub_stop(&s);
    CHECK_EQ(s.batches[1].count, 20);
    CHECK_EQ(s.batches[1].seq, 1);
    CHECK_EQ(s.batches[2].seq, 1); /* the first half, same sequence */
    CHECK_EQ(s.batches[2].count, 10);
}
