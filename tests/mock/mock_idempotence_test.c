/* The idempotent producer against the mock cluster (one broker), with
 * errors injected in the order of its requests: epoch bumps
 * (InitProducerId with the current id and epoch, KIP-360) after
 * OUT_OF_ORDER_SEQUENCE_NUMBER, UNKNOWN_PRODUCER_ID and batches that
 * expired with a sequence; a refused bump answered by a new id; the fatal
 * path (every queued message failed, sends refused); and batches split
 * after MESSAGE_TOO_LARGE keeping their sequences; the statistics' records
 * retried and failed. The mock's request callback records what the
 * producer asked and what it was answered. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "kfk.h"
#include "kfk_mock.h"
#include "mock_it.h"
#include "proto/proto.h"
#include "test.h"

#define N 40
#define MAX_SEEN 512

/* One Produce request's batch for t/0, and its answer. */
typedef struct seen_batch {
    int64_t pid, base;
    int16_t epoch, err;
    int32_t seq, count;
} seen_batch;

/* The mock cluster and what its callback saw. */
typedef struct pstub {
    kfk_mock_cluster *mc;
    pthread_mutex_t lock;
    int nproduce, npid, nbatches;
    int64_t pid_req[MAX_SEEN]; /* InitProducerId requests: producer id */
    int16_t epoch_req[MAX_SEEN];
    seen_batch batches[MAX_SEEN];
    /* filled by read_log: the partition's log, offset = index */
    struct {
        int16_t epoch;
        char value[16];
    } log[MAX_SEEN];
    int nlog;
} pstub;

static int64_t be(const uint8_t *p, int n) {
    int64_t v = 0;
    for (int i = 0; i < n; i++) v = v << 8 | p[i];
    return v;
}

/* Decodes a request and its answer (the generated codecs); records
 * InitProducerId and Produce. */
static void on_request(void *opaque, int broker, const uint8_t *req, size_t req_len, const uint8_t *resp,
                       size_t resp_len) {
    (void)broker;
    pstub *s = opaque;
    kfk_rbuf r = kfk_rbuf_make(req, req_len);
    kfk_request_header h;
    if (kfk_request_header_read(&r, &h) ||
        (h.request_api_key != KFK_API_PRODUCE && h.request_api_key != KFK_API_INIT_PRODUCER_ID))
        return;
    kfk_arena a = {0};
    void *q = kfk_arena_alloc(&a, kfk_request_desc(h.request_api_key)->s.size);
    void *p = kfk_arena_alloc(&a, kfk_response_desc(h.request_api_key)->s.size);
    kfk_rbuf rr = kfk_rbuf_make(resp, resp_len);
    int32_t corr;
    int ok = q && p && !kfk_msg_decode(&r, kfk_request_desc(h.request_api_key), h.request_api_version, &a, q) &&
             resp && !kfk_response_header_read(&rr, h.request_api_key, h.request_api_version, &corr) &&
             !kfk_msg_decode(&rr, kfk_response_desc(h.request_api_key), h.request_api_version, &a, p);
    pthread_mutex_lock(&s->lock);
    if (ok && h.request_api_key == KFK_API_INIT_PRODUCER_ID && s->npid < MAX_SEEN) {
        const kfk_init_producer_id_request *iq = q;
        s->pid_req[s->npid] = iq->producer_id;
        s->epoch_req[s->npid++] = iq->producer_epoch;
    } else if (ok && h.request_api_key == KFK_API_PRODUCE) {
        const kfk_produce_request *pq = q;
        const kfk_produce_response *pr = p;
        s->nproduce++;
        if (pq->topic_data.count == 1 && pq->topic_data.items[0].partition_data.count == 1 &&
            pr->responses.count == 1 && pr->responses.items[0].partition_responses.count == 1 &&
            s->nbatches < MAX_SEEN) {
            kfk_bytes b = pq->topic_data.items[0].partition_data.items[0].records;
            const kfk_produce_response_partition_produce_response *rp =
                &pr->responses.items[0].partition_responses.items[0];
            if (b.len >= 61) /* a v2 batch header: producer id at 43, epoch, sequence, count */
                s->batches[s->nbatches++] = (seen_batch){be(b.ptr + 43, 8), rp->base_offset,
                                                         (int16_t)be(b.ptr + 51, 2), rp->error_code,
                                                         (int32_t)be(b.ptr + 53, 4), (int32_t)be(b.ptr + 57, 4)};
        }
    }
    pthread_mutex_unlock(&s->lock);
    kfk_arena_reset(&a);
}

/* A one-broker mock with topic t (1 partition), its callback on s. */
static int pstub_start(pstub *s) {
    pthread_mutex_init(&s->lock, NULL);
    s->mc = kfk_mock_cluster_new(1);
    if (!s->mc || kfk_mock_topic_create(s->mc, "t", 1, 1)) return -1;
    kfk_mock_set_request_cb(s->mc, on_request, s);
    return 0;
}

/* Reads the log back: values by a consumer, each offset's producer epoch
 * from the answered batches. */
static void read_log(pstub *s) {
    int64_t hw = 0;
    kfk_mock_partition_offsets(s->mc, "t", 0, NULL, &hw);
    s->nlog = (int)(hw < MAX_SEEN ? hw : MAX_SEEN);
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < s->nbatches; i++)
        for (int32_t k = 0; !s->batches[i].err && k < s->batches[i].count; k++)
            if (s->batches[i].base + k < s->nlog) s->log[s->batches[i].base + k].epoch = s->batches[i].epoch;
    pthread_mutex_unlock(&s->lock);
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    kfk_conf_set(conf, "bootstrap.servers", kfk_mock_cluster_bootstraps(s->mc), err, sizeof err);
    kfk_consumer *c = s->nlog ? kfk_consumer_new(conf, err, sizeof err) : NULL;
    if (!c) kfk_conf_destroy(conf);
    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, "t", 0)->offset = 0;
    if (c) kfk_consumer_assign(c, l);
    kfk_partition_list_destroy(l);
    for (int got = 0, polls = 0; c && got < s->nlog && polls < 200; polls++) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 50);
        if (m && !m->err && m->offset < s->nlog) {
            snprintf(s->log[m->offset].value, sizeof s->log[m->offset].value, "%.*s", (int)m->value_len,
                     (const char *)m->value);
            got++;
        }
        kfk_consumer_message_release(m);
    }
    if (c) kfk_consumer_close(c);
}

static void pstub_stop(pstub *s) {
    read_log(s);
    kfk_mock_cluster_destroy(s->mc);
    pthread_mutex_destroy(&s->lock);
}

/* Scripts the next requests of api, one error each (0: answered as usual). */
static void script(pstub *s, int16_t api, const int16_t *errs, int n) {
    for (int i = 0; i < n; i++) CHECK_EQ(kfk_mock_push_request_errors(s->mc, -1, api, 1, errs[i]), 0);
}

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
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    const char *base[] = {"bootstrap.servers", kfk_mock_cluster_bootstraps(s->mc), "enable.idempotence", "true",
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
    read_log(s);
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
    int64_t until = mock_now_ms() + 10000;
    for (;;) {
        kfk_producer_poll(p, 50);
        int got = 0;
        pthread_mutex_lock(&r->lock);
        for (int i = 0; i < n; i++) got += r->count[i] > 0;
        pthread_mutex_unlock(&r->lock);
        if (got == n || mock_now_ms() > until) return;
    }
}

TEST(out_of_order_sequence_fails_the_batch_and_bumps_the_epoch) {
    static pstub s;
    memset(&s, 0, sizeof s);
    REQUIRE(pstub_start(&s) == 0);
    script(&s, KFK_API_PRODUCE, (const int16_t[]){KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER}, 1); /* the first batch */
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
    CHECK_EQ(s.pid_req[1], s.batches[0].pid);
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
    static pstub s;
    memset(&s, 0, sizeof s);
    REQUIRE(pstub_start(&s) == 0);
    /* The first batch: retriable, sent again; the second batch: fails. */
    script(&s, KFK_API_PRODUCE, (const int16_t[]){KFK_ERR_NOT_ENOUGH_REPLICAS, 0, KFK_ERR_INVALID_RECORD}, 3);
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
    int64_t until = mock_now_ms() + 5000, retried = -1, failed = -1;
    while (mock_now_ms() < until && failed != 3) {
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
    static pstub s;
    memset(&s, 0, sizeof s);
    REQUIRE(pstub_start(&s) == 0);
    script(&s, KFK_API_PRODUCE, (const int16_t[]){KFK_ERR_UNKNOWN_PRODUCER_ID}, 1);
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
    CHECK_EQ(s.pid_req[1], s.batches[0].pid);
    CHECK_EQ(s.epoch_req[1], 0);
    CHECK_EQ(s.log[0].epoch, 1);
}

TEST(batches_expired_with_a_sequence_bump_the_epoch) {
    static pstub s;
    memset(&s, 0, sizeof s);
    REQUIRE(pstub_start(&s) == 0);
    int64_t fail_until = mock_now_ms() + 1500; /* NOT_ENOUGH_REPLICAS until then */
    REQUIRE_EQ(kfk_mock_push_request_errors(s.mc, -1, KFK_API_PRODUCE, 100000, KFK_ERR_NOT_ENOUGH_REPLICAS), 0);
    reports r;
    kfk_producer *p = producer(&s, &r,
                               (const char *[]){"delivery.timeout.ms", "800",
                                                "request.timeout.ms", "500", NULL});
    REQUIRE(p);
    for (int i = 0; i < 5; i++) CHECK_EQ(send_one(p, i), 0);
    wait_reports(p, &r, 5);
    for (int i = 0; i < 5; i++) CHECK(r.err[i] != 0); /* out of time */
    while (mock_now_ms() < fail_until) usleep(20000);
    kfk_mock_clear_request_errors(s.mc, -1, KFK_API_PRODUCE);
    for (int i = 5; i < 10; i++) CHECK_EQ(send_one(p, i), 0);
    CHECK_EQ(kfk_producer_flush(p, 10000), 0);
    CHECK_EQ(check_log(&s, &r, 10), 5);
    kfk_producer_stats st;
    kfk_producer_stats_get(p, &st);
    CHECK_EQ(st.epoch_bumps, 1);
    kfk_producer_destroy(p);
    pstub_stop(&s);
    REQUIRE_EQ(s.npid, 2);
    CHECK_EQ(s.pid_req[1], s.batches[0].pid);
    CHECK_EQ(s.log[0].epoch, 1); /* the new messages, in the new epoch */
}

TEST(a_refused_bump_gets_a_new_producer_id) {
    static pstub s;
    memset(&s, 0, sizeof s);
    REQUIRE(pstub_start(&s) == 0);
    script(&s, KFK_API_PRODUCE, (const int16_t[]){KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER}, 1);
    script(&s, KFK_API_INIT_PRODUCER_ID, (const int16_t[]){0, KFK_ERR_CLUSTER_AUTHORIZATION_FAILED}, 2); /* the bump */
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
    CHECK_EQ(s.pid_req[1], s.batches[0].pid);
    CHECK_EQ(s.pid_req[2], -1); /* a fresh id, not the refused bump again */
}

TEST(init_producer_id_refused_is_fatal) {
    static pstub s;
    memset(&s, 0, sizeof s);
    REQUIRE(pstub_start(&s) == 0);
    script(&s, KFK_API_INIT_PRODUCER_ID, (const int16_t[]){KFK_ERR_CLUSTER_AUTHORIZATION_FAILED}, 1);
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
    static pstub s;
    memset(&s, 0, sizeof s);
    REQUIRE(pstub_start(&s) == 0);
    /* A batch of 3 such records is 61 + 3 x 10 bytes: more are MESSAGE_TOO_LARGE. */
    REQUIRE_EQ(kfk_mock_topic_set_max_message_bytes(s.mc, "t", 95), 0);
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
