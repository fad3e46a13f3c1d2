/* Statistics against the real broker: a producer writes N records, a
 * group member reads them and commits, both with statistics.interval.ms=100;
 * their documents must tell what the run did (records and bytes sent and
 * read, offsets, lag at the end, rebalances), every one valid JSON, and the
 * typed snapshot must match its JSON. */
#include <pthread.h>

#include "../jsonq.h"
#include "produce_it.h"

enum { N = 1000, PARTS = 2, VALUE = 100, KEY = 8 };

/* What the callback saw: the latest document, and checks on every one. */
typedef struct seen {
    pthread_mutex_t lock;
    char *last;      /* the latest JSON, owned */
    kfk_stats typed; /* its top level (pointers not kept) */
    int docs, invalid, mismatched;
    char why[256]; /* the first mismatch, for the failure message */
    int64_t produce_reqs, rtt_cnt, outbuf_cnt, int_cnt, max_fetchq;
    int64_t fetch_lat_cnt, commit_lat_cnt, idle_cnt; /* consumer windows, summed */
    int64_t txretries, corriderrs, last_waitresp_msgs; /* brokers' (last document) */
    int64_t batchcnt_sum, batchsize_sum, batch_samples;  /* topics' windows, summed */
    int64_t rxpartial;                                   /* brokers' (last document) */
    int64_t rebalance_cnt, rebalance_total;               /* rebalance_latency: summed cnt, last total */
    pthread_t thread;
    int other_thread; /* a callback ran off the creating thread (admin expects it) */
} seen;

/* Counts a disagreement within a document; the first one is kept. */
#define MISMATCH(w, ...)                                                                       \
    do {                                                                                       \
        if (!(w)->mismatched++) snprintf((w)->why, sizeof (w)->why, __VA_ARGS__);             \
    } while (0)

static void on_stats(const kfk_stats *s, const char *json, size_t len, void *opaque) {
    seen *w = opaque;
    pthread_mutex_lock(&w->lock);
    w->docs++;
    if (strlen(json) != len || !jq_valid(json)) w->invalid++;
    /* the JSON is rendered from the typed snapshot: spot-check they agree */
    if (jq_int(json, "txmsgs", -9) != s->txmsgs || jq_int(json, "rxmsgs", -9) != s->rxmsgs ||
        jq_int(json, "tx", -9) != s->tx || jq_int(json, "msg_cnt", -9) != s->msg_cnt ||
        !jq_str_is(json, "type", s->type))
        MISMATCH(w, "the JSON and the typed snapshot differ");
    int64_t produce = 0;
    for (int i = 0; i < s->nbrokers; i++) {
        produce += s->brokers[i].req[0];
        w->rtt_cnt += s->brokers[i].rtt.cnt;
        w->outbuf_cnt += s->brokers[i].outbuf_latency.cnt;
        w->int_cnt += s->brokers[i].int_latency.cnt;
        /* a local machine: no request waits or travels for a minute */
        if (s->brokers[i].rtt.max > 60000000 || s->brokers[i].outbuf_latency.max > 60000000)
            MISMATCH(w, "broker %d: rtt.max %lld, outbuf_latency.max %lld", i,
                     (long long)s->brokers[i].rtt.max, (long long)s->brokers[i].outbuf_latency.max);
        /* records in flight or queued: never more than were sent, and only
         * with requests to carry them */
        const kfk_stats_broker *b = &s->brokers[i];
        if (b->waitresp_msg_cnt > N || b->outbuf_msg_cnt > N ||
            (b->waitresp_msg_cnt && !b->waitresp_cnt) || (b->outbuf_msg_cnt && !b->outbuf_cnt))
            MISMATCH(w, "broker %d: waitresp %lld/%lld msgs, outbuf %lld/%lld msgs", i,
                     (long long)b->waitresp_cnt, (long long)b->waitresp_msg_cnt,
                     (long long)b->outbuf_cnt, (long long)b->outbuf_msg_cnt);
    }
    for (int i = 0; i < s->ntopics; i++) {
        w->batchcnt_sum += s->topics[i].batchcnt.sum;
        w->batchsize_sum += s->topics[i].batchsize.sum;
        w->batch_samples += s->topics[i].batchcnt.cnt;
        /* metadata_age is a difference of whole milliseconds of the I/O
         * thread's clock, age one of microseconds: a millisecond apart */
        if (s->topics[i].batchcnt.cnt != s->topics[i].batchsize.cnt ||
            s->topics[i].metadata_age > s->age / 1000 + 1)
            MISMATCH(w, "topic %d: batchcnt.cnt %lld, batchsize.cnt %lld, metadata_age %lld ms, age %lld us",
                     i, (long long)s->topics[i].batchcnt.cnt, (long long)s->topics[i].batchsize.cnt,
                     (long long)s->topics[i].metadata_age, (long long)s->age);
    }
    w->txretries = w->corriderrs = w->last_waitresp_msgs = w->rxpartial = 0;
    for (int i = 0; i < s->nbrokers; i++) {
        const kfk_stats_broker *b = &s->brokers[i];
        /* a connection up has written and read (ApiVersions at least), at
         * most since the client was made (a second of slack: the brokers are
         * read after the age); one still handshaking may have; a broker
         * not connected has no socket */
        int up = !strcmp(b->state, "UP");
        int sock = up || !strcmp(b->state, "APIVERSION_QUERY") || !strcmp(b->state, "AUTH_REQ") ||
                   !strcmp(b->state, "SSL_HANDSHAKE");
        int64_t least = up ? 0 : -1, most = s->age + 1000000;
        if (sock ? b->txidle < least || b->txidle > most || b->rxidle < least || b->rxidle > most
                 : b->txidle != -1 || b->rxidle != -1)
            MISMATCH(w, "broker %d in state %s: txidle %lld, rxidle %lld, age %lld us", i, b->state,
                     (long long)b->txidle, (long long)b->rxidle, (long long)s->age);
        w->rxpartial += b->rxpartial;
        w->txretries += s->brokers[i].txretries;
        w->corriderrs += s->brokers[i].rxcorriderrs;
        w->last_waitresp_msgs += s->brokers[i].waitresp_msg_cnt;
    }
    if (produce > w->produce_reqs) w->produce_reqs = produce;
    w->fetch_lat_cnt += s->fetch_latency.cnt;
    w->commit_lat_cnt += s->commit_latency.cnt;
    w->idle_cnt += s->poll_idle_ratio.cnt;
    w->rebalance_cnt += s->rebalance_latency.cnt;
    w->rebalance_total = s->rebalance_latency_total;
    if (s->rebalance_latency.max > 60000000 || s->rebalance_latency.sum > s->rebalance_latency_total)
        MISMATCH(w, "rebalance_latency max %lld, sum %lld, total %lld",
                 (long long)s->rebalance_latency.max, (long long)s->rebalance_latency.sum,
                 (long long)s->rebalance_latency_total);
    if (s->poll_idle_ratio.max > 1000000 || s->commit_latency.max > 60000000 ||
        s->fetch_latency.max > 60000000 || s->fetch_latency.cnt > s->fetch_requests)
        MISMATCH(w, "poll_idle_ratio.max %lld, commit_latency.max %lld, fetch_latency max %lld cnt %lld, "
                 "fetch_requests %lld", (long long)s->poll_idle_ratio.max,
                 (long long)s->commit_latency.max, (long long)s->fetch_latency.max,
                 (long long)s->fetch_latency.cnt, (long long)s->fetch_requests);
    for (int i = 0; i < s->npartitions; i++)
        if (s->partitions[i].fetchq_cnt > w->max_fetchq) w->max_fetchq = s->partitions[i].fetchq_cnt;
    if (!pthread_equal(pthread_self(), w->thread)) w->other_thread = 1;
    free(w->last);
    w->last = strdup(json);
    w->typed = *s;
    pthread_mutex_unlock(&w->lock);
}

/* As the documents' ts: the monotonic clock, us. */
static int64_t mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void seen_init(seen *w) {
    memset(w, 0, sizeof *w);
    pthread_mutex_init(&w->lock, NULL);
    w->thread = pthread_self();
}

/* A copy of the latest document (free it), or NULL. */
static char *latest(seen *w) {
    pthread_mutex_lock(&w->lock);
    char *j = w->last ? strdup(w->last) : NULL;
    pthread_mutex_unlock(&w->lock);
    return j;
}

static kfk_conf *conf_for(const char *boot, seen *w, const char *const *settings) {
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    int rc = kfk_conf_set(conf, "bootstrap.servers", boot, err, sizeof err);
    if (!rc) rc = kfk_conf_set(conf, "statistics.interval.ms", "100", err, sizeof err);
    for (int i = 0; !rc && settings && settings[i]; i += 2)
        rc = kfk_conf_set(conf, settings[i], settings[i + 1], err, sizeof err);
    if (rc) kfk_test_fail(__FILE__, __LINE__, "conf: %s", err);
    kfk_conf_set_stats_cb(conf, on_stats, w);
    return conf;
}

static char topic[128];

static void produce(const char *boot) {
    seen w;
    seen_init(&w);
    char err[256];
    /* 16 KiB batches (the default is 1 MB): consume_partial needs several
     * batches per partition for the broker to cut an answer inside one. */
    const char *settings[] = {"batch.size", "16384", NULL};
    kfk_producer *p = kfk_producer_new(conf_for(boot, &w, settings), NULL, err, sizeof err);
    REQUIRE(p);
    char value[VALUE], key[KEY + 1];
    memset(value, 'v', sizeof value);
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof key, "k%07d", i);
        kfk_message m = {.topic = topic, .partition = i % PARTS, .key = key, .key_len = KEY,
                         .value = value, .value_len = VALUE};
        REQUIRE_EQ(kfk_producer_send(p, &m, 0), 0);
        kfk_producer_poll(p, 0);
    }
    REQUIRE_EQ(kfk_producer_flush(p, 30000), 0);
    /* the documents go on while the application polls: wait for one taken
     * after every record was written (and a second document at least: a
     * quick run may have written them all before the first) */
    char *j = NULL;
    for (int64_t end = it_now_ms() + 10000; it_now_ms() < end;) {
        kfk_producer_poll(p, 100);
        free(j);
        j = latest(&w);
        pthread_mutex_lock(&w.lock);
        int docs = w.docs;
        pthread_mutex_unlock(&w.lock);
        if (j && jq_int(j, "txmsgs", -1) == N && docs >= 2) break;
    }
    REQUIRE(j);
    CHECK(jq_str_is(j, "type", "producer"));
    CHECK_EQ(jq_int(j, "txmsgs", -1), N);
    CHECK_EQ(jq_int(j, "msg_cnt", -1), 0);
    CHECK_EQ(jq_int(j, "replyq", -1), 0);
    char path[300];
    int64_t sum_bytes = 0;
    for (int i = 0; i < PARTS; i++) {
        snprintf(path, sizeof path, "topics/%s/partitions/%d/txmsgs", topic, i);
        CHECK_EQ(jq_int(j, path, -1), N / PARTS);
        snprintf(path, sizeof path, "topics/%s/partitions/%d/txbytes", topic, i);
        int64_t b = jq_int(j, path, -1);
        /* a batch holds every key and value plus per-record and batch headers */
        CHECK(b > (int64_t)(N / PARTS) * (KEY + VALUE));
        CHECK(b < (int64_t)(N / PARTS) * (KEY + VALUE + 40) + 4096);
        sum_bytes += b;
        snprintf(path, sizeof path, "topics/%s/partitions/%d/leader", topic, i);
        CHECK(jq_int(j, path, -1) >= 0);
        snprintf(path, sizeof path, "topics/%s/partitions/%d/msgs_inflight", topic, i);
        CHECK_EQ(jq_int(j, path, -1), 0);
        snprintf(path, sizeof path, "topics/%s/partitions/%d/leader_epoch", topic, i);
        CHECK(jq_int(j, path, -1) >= 0);
        snprintf(path, sizeof path, "topics/%s/partitions/%d/unknown", topic, i);
        CHECK(jq_get(j, path) && !strncmp(jq_get(j, path), "false", 5));
        snprintf(path, sizeof path, "topics/%s/partitions/%d/msgq_cnt", topic, i);
        CHECK_EQ(jq_int(j, path, -1), 0);
        /* every record accepted, numbered 1..N/PARTS and all acknowledged;
         * no failure: the error sequence follows the acked one */
        snprintf(path, sizeof path, "topics/%s/partitions/%d/msgs", topic, i);
        CHECK_EQ(jq_int(j, path, -1), N / PARTS);
        snprintf(path, sizeof path, "topics/%s/partitions/%d/acked_msgid", topic, i);
        CHECK_EQ(jq_int(j, path, -1), N / PARTS);
        snprintf(path, sizeof path, "topics/%s/partitions/%d/next_ack_seq", topic, i);
        CHECK_EQ(jq_int(j, path, -1), N / PARTS);
        snprintf(path, sizeof path, "topics/%s/partitions/%d/next_err_seq", topic, i);
        CHECK_EQ(jq_int(j, path, -1), N / PARTS);
        snprintf(path, sizeof path, "topics/%s/partitions/%d/txerr_msgs", topic, i);
        CHECK_EQ(jq_int(j, path, -1), 0);
        /* listed once, under the broker it was produced to */
        snprintf(path, sizeof path, "\"%s-%d\":{\"topic\":\"%s\",\"partition\":%d}", topic, i,
                 topic, i);
        const char *at = strstr(j, path);
        CHECK(at != NULL);
        CHECK(at && strstr(at + 1, path) == NULL);
    }
    CHECK_EQ(jq_int(j, "txmsg_bytes", -1), sum_bytes);
    snprintf(path, sizeof path, "topics/%s/age", topic);
    /* taken a moment after the document's age: a millisecond of slack */
    CHECK(jq_int(j, path, -1) >= 0 && jq_int(j, path, -1) <= jq_int(j, "age", -1) / 1000 + 1);
    snprintf(path, sizeof path, "topics/%s/metadata_age", topic);
    CHECK(jq_int(j, path, -1) >= 0);
    snprintf(path, sizeof path, "topics/%s/batchcnt/cnt", topic);
    CHECK(jq_int(j, path, -1) >= 0);
    /* the records went out in Produce requests: those bytes and more */
    CHECK(jq_int(j, "tx_bytes", -1) > sum_bytes);
    CHECK(jq_int(j, "rx", -1) > 0);
    CHECK(jq_str_is(j, "eos/idemp_state", "Assigned"));
    CHECK(jq_int(j, "eos/producer_id", -1) >= 0);
    CHECK_EQ(jq_int(j, "eos/epoch_cnt", -1), 1);
    /* Assigned since the id came, after the client was made */
    CHECK(jq_int(j, "eos/idemp_stateage", -1) >= 0);
    CHECK(jq_int(j, "eos/idemp_stateage", -1) < jq_int(j, "age", -1) / 1000);
    /* not transactional: Init since the client was made */
    CHECK(jq_str_is(j, "eos/txn_state", "Init"));
    CHECK(jq_int(j, "eos/txn_stateage", -1) >= 0);
    CHECK(jq_int(j, "eos/txn_stateage", -1) <= jq_int(j, "age", -1) / 1000 + 1);
    pthread_mutex_lock(&w.lock);
    CHECK(w.docs >= 2);
    CHECK_EQ(w.invalid, 0);
    if (w.mismatched) fprintf(stderr, "     first mismatch: %s\n", w.why);
    CHECK_EQ(w.mismatched, 0);
    CHECK(w.produce_reqs >= 1);
    CHECK(w.rtt_cnt >= w.produce_reqs); /* every request's round trip sampled */
    CHECK(w.outbuf_cnt >= w.rtt_cnt);   /* and its time before the wire */
    CHECK(w.int_cnt >= w.produce_reqs); /* each request carries a batch or more */
    CHECK_EQ(w.txretries, 0);           /* a healthy broker: nothing sent twice */
    CHECK_EQ(w.corriderrs, 0);
    CHECK_EQ(w.last_waitresp_msgs, 0);  /* flushed: nothing awaits an answer */
    /* every batch sampled once, at its first send: all records, all bytes */
    CHECK_EQ(w.batchcnt_sum, N);
    CHECK_EQ(w.batchsize_sum, sum_bytes);
    CHECK(w.batch_samples >= PARTS);
    CHECK(!w.other_thread);             /* on the polling thread */
    pthread_mutex_unlock(&w.lock);
    free(j);
    /* close hands over one last document, taken after the flush */
    int64_t before = mono_us();
    REQUIRE_EQ(kfk_producer_close(p, 10000), 0);
    pthread_mutex_lock(&w.lock);
    CHECK(w.typed.ts >= before);
    CHECK_EQ(w.typed.txmsgs, N);
    CHECK_EQ(w.typed.msg_cnt, 0);
    CHECK(!w.other_thread);
    pthread_mutex_unlock(&w.lock);
    free(w.last);
}

/* A group member (protocol: "classic" or "consumer", KIP-848) reads the
 * topic, commits, then a second member joins. */
static void consume(const char *boot, const char *protocol) {
    seen w;
    seen_init(&w);
    char group[160], err[256];
    snprintf(group, sizeof group, "%s-%s", topic, protocol);
    const char *settings[] = {"group.id", group, "auto.offset.reset", "earliest",
                              "enable.auto.commit", "false", "group.protocol", protocol, NULL};
    kfk_consumer *c = kfk_consumer_new(conf_for(boot, &w, settings), err, sizeof err);
    REQUIRE(c);
    const char *topics[1] = {topic};
    REQUIRE_EQ(kfk_consumer_subscribe(c, topics, 1), 0);
    int got = 0;
    for (int64_t end = it_now_ms() + 30000; got < N && it_now_ms() < end;) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 100);
        if (m && !m->err) got++;
        kfk_consumer_message_release(m);
    }
    REQUIRE_EQ(got, N);
    REQUIRE_EQ(kfk_consumer_commit(c, NULL, 0), 0);
    char *j = NULL;
    char path[300];
    for (int64_t end = it_now_ms() + 10000; it_now_ms() < end;) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 100);
        CHECK(!m); /* nothing more was produced */
        kfk_consumer_message_release(m);
        free(j);
        j = latest(&w);
        snprintf(path, sizeof path, "topics/%s/partitions/%d/committed_offset", topic, PARTS - 1);
        if (j && jq_int(j, "rxmsgs", -1) == N && jq_int(j, path, -1) == N / PARTS) {
            snprintf(path, sizeof path, "topics/%s/partitions/0/committed_offset", topic);
            if (jq_int(j, path, -1) == N / PARTS) break;
        }
    }
    REQUIRE(j);
    kfk_consumer_stats cs;
    kfk_consumer_stats_get(c, &cs);
    CHECK(jq_str_is(j, "type", "consumer"));
    CHECK_EQ(jq_int(j, "rxmsgs", -1), N);
    /* the records' bytes as fetched: keys, values and their framing */
    CHECK(jq_int(j, "rxmsg_bytes", -1) > (int64_t)N * (KEY + VALUE));
    CHECK(jq_int(j, "rxmsg_bytes", -1) < (int64_t)N * (KEY + VALUE + 40) + 8192);
    CHECK_EQ(jq_int(j, "replyq", -1), 0);
    CHECK(jq_int(j, "rx_bytes", -1) > (int64_t)N * (KEY + VALUE));
    for (int i = 0; i < PARTS; i++) {
        static const char *const eq[][2] = {
            {"rxmsgs", NULL}, {"hi_offset", NULL}, {"app_offset", NULL},
            {"stored_offset", NULL}, {"committed_offset", NULL}, {"next_offset", NULL}};
        for (size_t k = 0; k < sizeof eq / sizeof eq[0]; k++) {
            snprintf(path, sizeof path, "topics/%s/partitions/%d/%s", topic, i, eq[k][0]);
            int64_t v = jq_int(j, path, -1);
            if (v != N / PARTS) kfk_test_fail(__FILE__, __LINE__, "%s = %lld", path, (long long)v);
        }
        snprintf(path, sizeof path, "topics/%s/partitions/%d/msgs", topic, i);
        CHECK_EQ(jq_int(j, path, -1), N / PARTS);
        snprintf(path, sizeof path, "topics/%s/partitions/%d/leader_epoch", topic, i);
        CHECK(jq_int(j, path, -1) >= 0);
        snprintf(path, sizeof path, "topics/%s/partitions/%d/rxbytes", topic, i);
        CHECK_EQ(jq_int(j, path, -1), (int64_t)(N / PARTS) * (KEY + VALUE));
        snprintf(path, sizeof path, "topics/%s/partitions/%d/leader", topic, i);
        int64_t leader = jq_int(j, path, -1);
        CHECK(leader >= 0);
        snprintf(path, sizeof path, "topics/%s/partitions/%d/broker", topic, i);
        CHECK_EQ(jq_int(j, path, -2), leader); /* no client.rack: the leader */
        snprintf(path, sizeof path, "topics/%s/partitions/%d/lo_offset", topic, i);
        CHECK_EQ(jq_int(j, path, -1), 0);
        snprintf(path, sizeof path, "topics/%s/partitions/%d/consumer_lag", topic, i);
        CHECK_EQ(jq_int(j, path, -1), 0);
        snprintf(path, sizeof path, "topics/%s/partitions/%d/consumer_lag_stored", topic, i);
        CHECK_EQ(jq_int(j, path, -1), 0);
        snprintf(path, sizeof path, "topics/%s/partitions/%d/fetchq_cnt", topic, i);
        CHECK_EQ(jq_int(j, path, -1), 0);
        snprintf(path, sizeof path, "topics/%s/partitions/%d/rx_ver_drops", topic, i);
        CHECK_EQ(jq_int(j, path, -1), 0); /* no seek: nothing fetched was dropped */
        snprintf(path, sizeof path, "topics/%s/partitions/%d/fetch_state", topic, i);
        CHECK(jq_str_is(j, path, "active"));
        /* nothing committed yet: auto.offset.reset=earliest looked up the start */
        snprintf(path, sizeof path, "topics/%s/partitions/%d/query_offset", topic, i);
        CHECK_EQ(jq_int(j, path, 0), KFK_OFFSET_BEGINNING);
        /* committed with the epoch of the last record read: the topic's
         * only leader's */
        snprintf(path, sizeof path, "topics/%s/partitions/%d/leader_epoch", topic, i);
        int64_t epoch = jq_int(j, path, -1);
        snprintf(path, sizeof path, "topics/%s/partitions/%d/committed_leader_epoch", topic, i);
        CHECK_EQ(jq_int(j, path, -9), epoch);
        snprintf(path, sizeof path, "\"%s-%d\":{\"topic\":\"%s\",\"partition\":%d}", topic, i,
                 topic, i);
        const char *at = strstr(j, path); /* under the broker fetched from, once */
        CHECK(at != NULL);
        CHECK(at && strstr(at + 1, path) == NULL);
    }
    snprintf(path, sizeof path, "topics/%s/metadata_age", topic);
    CHECK(jq_int(j, path, -1) >= 0);
    /* since its partitions were assigned, after the client was made */
    snprintf(path, sizeof path, "topics/%s/age", topic);
    CHECK(jq_int(j, path, -1) >= 0);
    CHECK(jq_int(j, path, -1) <= jq_int(j, "age", -1) / 1000 + 1);
    CHECK_EQ(jq_int(j, "cgrp/rebalance_cnt", -1), cs.rebalances);
    CHECK_EQ(jq_int(j, "cgrp/rebalance_cnt", -1), 1); /* one member, one assignment */
    CHECK(jq_int(j, "cgrp/rebalance_age", -1) >= 0);
    CHECK_EQ(jq_int(j, "cgrp/assignment_size", -1), PARTS);
    CHECK(jq_str_is(j, "cgrp/join_state", "steady"));
    CHECK(jq_str_is(j, "cgrp/state", "up"));
    /* up since the coordinator was found, after the client was made */
    CHECK(jq_int(j, "cgrp/stateage", -1) >= 0);
    CHECK(jq_int(j, "cgrp/stateage", -1) <= jq_int(j, "age", -1) / 1000);
    if (!strcmp(protocol, "classic"))
        CHECK(jq_str_is(j, "cgrp/rebalance_reason", "")); /* joined once, no rejoin */
    CHECK_EQ(jq_int(j, "kfk/commits", -1), cs.commits);
    CHECK(jq_int(j, "kfk/connects", -1) >= 1);
    CHECK(jq_int(j, "kfk/polls", -1) >= N);
    pthread_mutex_lock(&w.lock);
    /* every poll sampled its idle ratio; Fetch answers and the commit timed */
    CHECK(w.idle_cnt > N / 2);
    CHECK(w.fetch_lat_cnt > 0);
    CHECK(w.commit_lat_cnt >= 1);
    CHECK_EQ(w.rxpartial, 0); /* 1 MB per partition: every answer whole */
    CHECK_EQ(w.rebalance_cnt, 1); /* the one rebalance, timed */
    CHECK(w.rebalance_total > 0);
    int64_t first_total = w.rebalance_total;
    pthread_mutex_unlock(&w.lock);
    free(j);

    /* A second member joins: the first rebalances once more, says why,
     * and keeps one partition. */
    seen w2;
    seen_init(&w2);
    kfk_consumer *c2 = kfk_consumer_new(conf_for(boot, &w2, settings), err, sizeof err);
    REQUIRE(c2);
    REQUIRE_EQ(kfk_consumer_subscribe(c2, topics, 1), 0);
    j = NULL;
    for (int64_t end = it_now_ms() + 30000; it_now_ms() < end;) {
        kfk_consumer_message_release(kfk_consumer_poll(c, 50));
        kfk_consumer_message_release(kfk_consumer_poll(c2, 50));
        free(j);
        j = latest(&w);
        if (j && jq_int(j, "cgrp/rebalance_cnt", -1) == 2 &&
            jq_int(j, "cgrp/assignment_size", -1) == 1 && jq_str_is(j, "cgrp/join_state", "steady"))
            break;
    }
    REQUIRE(j);
    kfk_consumer_stats_get(c, &cs);
    CHECK_EQ(jq_int(j, "cgrp/rebalance_cnt", -1), 2);
    CHECK_EQ(cs.rebalances, 2);
    CHECK_EQ(jq_int(j, "cgrp/assignment_size", -1), 1);
    if (!strcmp(protocol, "classic")) /* the broker's rebalance, named */
        CHECK(!jq_str_is(j, "cgrp/rebalance_reason", ""));
    free(j);
    pthread_mutex_lock(&w.lock);
    CHECK(w.docs >= 2);
    CHECK_EQ(w.invalid, 0);
    if (w.mismatched) fprintf(stderr, "     first mismatch: %s\n", w.why);
    CHECK_EQ(w.mismatched, 0);
    CHECK(!w.other_thread);
    CHECK_EQ(w.rebalance_cnt, 2); /* the second member's rebalance, timed too */
    CHECK(w.rebalance_total > first_total);
    pthread_mutex_unlock(&w.lock);
    kfk_consumer_close(c2);
    int64_t before = mono_us();
    kfk_consumer_close(c);
    pthread_mutex_lock(&w.lock); /* the last document, taken at close */
    CHECK(w.typed.ts >= before);
    CHECK(w.typed.fetch_requests >= 1); /* its partitions were revoked: counters remain */
    CHECK(w.typed.polls >= N);
    CHECK(!w.other_thread);
    pthread_mutex_unlock(&w.lock);
    free(w.last);
    free(w2.last);
}

/* A partition limit above a batch's size (batch.size 16384) but below the
 * partition's data: the broker cuts its answers inside the batch after
 * the last whole one (a limit below a batch would get that one batch
 * whole, KIP-74), rxpartial counts them at the broker fetched from; every
 * record still arrives. */
static void consume_partial(const char *boot) {
    seen w;
    seen_init(&w);
    char err[256];
    const char *settings[] = {"max.partition.fetch.bytes", "20000", NULL};
    kfk_consumer *c = kfk_consumer_new(conf_for(boot, &w, settings), err, sizeof err);
    REQUIRE(c);
    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, topic, 0)->offset = KFK_OFFSET_BEGINNING;
    REQUIRE_EQ(kfk_consumer_assign(c, l), 0);
    kfk_partition_list_destroy(l);
    int got = 0;
    for (int64_t end = it_now_ms() + 30000; got < N / PARTS && it_now_ms() < end;) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 100);
        if (m && !m->err) got++;
        kfk_consumer_message_release(m);
    }
    CHECK_EQ(got, N / PARTS);
    for (int64_t end = it_now_ms() + 300; it_now_ms() < end;)
        kfk_consumer_message_release(kfk_consumer_poll(c, 50));
    kfk_consumer_close(c); /* its last document, after every answer */
    pthread_mutex_lock(&w.lock);
    CHECK(w.rxpartial > 0);
    CHECK(w.rxpartial <= w.typed.fetch_requests);
    if (w.mismatched) fprintf(stderr, "     first mismatch: %s\n", w.why);
    CHECK_EQ(w.mismatched, 0);
    pthread_mutex_unlock(&w.lock);
    free(w.last);
}

/* Waits until every partition's leader answers ListOffsets: a topic made
 * moments ago can be in the metadata before its leader has set the
 * partition up, and a Produce then would be retried (txretries > 0). */
static void wait_partitions_ready(const char *boot) {
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    REQUIRE_EQ(kfk_conf_set(conf, "bootstrap.servers", boot, err, sizeof err), 0);
    kfk_admin *a = kfk_admin_new(conf, err, sizeof err);
    REQUIRE(a);
    int ready = 0;
    for (int64_t end = it_now_ms() + 30000; !ready && it_now_ms() < end;) {
        kfk_partition_list *l = kfk_partition_list_new(PARTS);
        for (int p = 0; p < PARTS; p++) kfk_partition_list_add(l, topic, p)->offset = KFK_OFFSET_END;
        kfk_admin_result *r = kfk_admin_list_offsets(a, l, NULL, NULL, NULL);
        ready = r && !r->err && r->partitions && r->partitions->count == PARTS;
        for (int i = 0; ready && i < r->partitions->count; i++)
            ready = !r->partitions->elems[i].err;
        kfk_admin_result_destroy(r);
        kfk_partition_list_destroy(l);
        if (!ready) usleep(100000);
    }
    kfk_admin_destroy(a);
    REQUIRE(ready);
}

TEST(produce_then_group_consume) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    it_topic(topic, sizeof topic, "stats");
    REQUIRE_EQ(pit_create_topic(boot, topic, PARTS, -1, NULL), 0);
    wait_partitions_ready(boot);
    produce(boot);
    consume(boot, "classic");
    consume_partial(boot);
}

/* The broker's version as scripts/run-tests (KFK_BROKER_VERSION) or
 * tests/integration/broker.sh (KFK_KAFKA_VERSION_RUNNING) started it;
 * kafka-local's default, 4.4.0, when neither says. */
static int kafka4(void) {
    const char *v = getenv("KFK_BROKER_VERSION");
    if (!v || !*v) v = getenv("KFK_KAFKA_VERSION_RUNNING");
    return !v || !*v || v[0] != '3';
}

/* Kafka 3.9 has the consumer protocol off: the member gets an error, and
 * its documents say it never got an assignment. */
static void consume_refused(const char *boot) {
    seen w;
    seen_init(&w);
    char group[160], err[256];
    snprintf(group, sizeof group, "%s-refused", topic);
    const char *settings[] = {"group.id", group, "group.protocol", "consumer", NULL};
    kfk_consumer *c = kfk_consumer_new(conf_for(boot, &w, settings), err, sizeof err);
    REQUIRE(c);
    const char *topics[1] = {topic};
    REQUIRE_EQ(kfk_consumer_subscribe(c, topics, 1), 0);
    int failed = 0;
    for (int64_t end = it_now_ms() + 30000; !failed && it_now_ms() < end;) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 100);
        failed = m && m->err;
        kfk_consumer_message_release(m);
    }
    CHECK(failed);
    for (int64_t end = it_now_ms() + 2000; it_now_ms() < end;)
        kfk_consumer_message_release(kfk_consumer_poll(c, 100));
    char *j = latest(&w);
    REQUIRE(j);
    CHECK(jq_str_is(j, "type", "consumer"));
    CHECK_EQ(jq_int(j, "cgrp/rebalance_cnt", -1), 0);
    CHECK_EQ(jq_int(j, "cgrp/assignment_size", -1), 0);
    CHECK_EQ(jq_int(j, "rxmsgs", -1), 0);
    CHECK_EQ(w.invalid, 0);
    free(j);
    kfk_consumer_destroy(c);
    free(w.last);
}

/* The same figures from a member of the KIP-848 consumer protocol (the
 * broker assigns; rebalance_cnt counts the new targets taken). */
TEST(consumer_protocol_member) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    it_topic(topic, sizeof topic, "stats848");
    REQUIRE_EQ(pit_create_topic(boot, topic, PARTS, -1, NULL), 0);
    if (!kafka4()) {
        consume_refused(boot);
        return;
    }
    wait_partitions_ready(boot);
    produce(boot);
    consume(boot, "consumer");
}

/* The admin's documents come on its I/O thread, with no call needed. */
TEST(admin_documents_without_calls) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    seen w;
    seen_init(&w);
    char err[256];
    kfk_admin *a = kfk_admin_new(conf_for(boot, &w, NULL), err, sizeof err);
    REQUIRE(a);
    for (int64_t end = it_now_ms() + 5000; it_now_ms() < end;) {
        pthread_mutex_lock(&w.lock);
        int docs = w.docs;
        pthread_mutex_unlock(&w.lock);
        if (docs >= 3) break;
        usleep(20000);
    }
    int64_t before = mono_us();
    kfk_admin_destroy(a);
    CHECK(w.typed.ts >= before); /* a last document at destroy */
    CHECK(w.docs >= 3);
    CHECK_EQ(w.invalid, 0);
    CHECK(w.other_thread);
    CHECK(w.last && jq_str_is(w.last, "type", "admin"));
    CHECK(w.last && jq_get(w.last, "topics") != NULL);
    free(w.last);
}

/* Off by default: no document, whatever the callback. */
TEST(off_by_default) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    seen w;
    seen_init(&w);
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    kfk_conf_set(conf, "bootstrap.servers", boot, err, sizeof err);
    kfk_conf_set_stats_cb(conf, on_stats, &w);
    kfk_producer *p = kfk_producer_new(conf, NULL, err, sizeof err);
    REQUIRE(p);
    for (int i = 0; i < 5; i++) kfk_producer_poll(p, 100);
    kfk_producer_destroy(p);
    CHECK_EQ(w.docs, 0);
}

/* A transactional producer's eos figures: the state while a transaction is
 * open and after its commit. */
static char *wait_doc(kfk_producer *p, seen *w, const char *path, const char *want) {
    char *j = NULL;
    for (int64_t end = it_now_ms() + 10000; it_now_ms() < end;) {
        kfk_producer_poll(p, 50);
        free(j);
        j = latest(w);
        if (j && jq_str_is(j, path, want)) break;
    }
    return j;
}

TEST(transactional_producer_eos) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char t[128], id[160], err[256];
    it_topic(t, sizeof t, "stats-txn");
    REQUIRE_EQ(pit_create_topic(boot, t, 1, -1, NULL), 0);
    snprintf(id, sizeof id, "%s-id", t);
    seen w;
    seen_init(&w);
    const char *settings[] = {"transactional.id", id, NULL};
    kfk_producer *p = kfk_producer_new(conf_for(boot, &w, settings), NULL, err, sizeof err);
    REQUIRE(p);
    REQUIRE_EQ(kfk_producer_init_transactions(p, 30000), 0);
    REQUIRE_EQ(kfk_producer_begin_transaction(p), 0);
    kfk_message m = {.topic = t, .partition = 0, .value = "v", .value_len = 1};
    REQUIRE_EQ(kfk_producer_send(p, &m, 0), 0);
    char *j = wait_doc(p, &w, "eos/txn_state", "InTransaction");
    REQUIRE(j);
    CHECK(jq_str_is(j, "eos/txn_state", "InTransaction"));
    CHECK(!strncmp(jq_get(j, "eos/txn_may_enq"), "true", 4));
    CHECK(jq_str_is(j, "eos/idemp_state", "Assigned"));
    CHECK(jq_int(j, "eos/producer_id", -1) >= 0);
    CHECK(jq_int(j, "eos/txn_stateage", -1) >= 0);
    free(j);
    REQUIRE_EQ(kfk_producer_commit_transaction(p, 30000), 0);
    j = wait_doc(p, &w, "eos/txn_state", "Ready");
    REQUIRE(j);
    CHECK(jq_str_is(j, "eos/txn_state", "Ready"));
    CHECK(!strncmp(jq_get(j, "eos/txn_may_enq"), "false", 5));
    kfk_producer_stats ps;
    kfk_producer_stats_get(p, &ps);
    CHECK_EQ(jq_int(j, "eos/producer_id", -2), ps.producer_id);
    CHECK_EQ(jq_int(j, "eos/producer_epoch", -2), ps.producer_epoch);
    CHECK_EQ(jq_int(j, "eos/epoch_cnt", -1), ps.epoch_bumps + 1);
    char path[300];
    snprintf(path, sizeof path, "topics/%s/partitions/0/txmsgs", t);
    CHECK_EQ(jq_int(j, path, -1), 1);
    free(j);
    kfk_producer_destroy(p);
    CHECK_EQ(w.invalid, 0);
    free(w.last);
}

/* A producer fenced by another with its transactional.id: its idempotence
 * state turns FatalError, and idemp_stateage starts over then (not at the
 * producer id it got seconds before). */
TEST(fenced_producer_idemp_stateage_restarts) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char t[128], id[160], err[256];
    it_topic(t, sizeof t, "stats-fenced");
    REQUIRE_EQ(pit_create_topic(boot, t, 1, -1, NULL), 0);
    snprintf(id, sizeof id, "%s-id", t);
    seen w;
    seen_init(&w);
    const char *settings[] = {"transactional.id", id, NULL};
    kfk_producer *p = kfk_producer_new(conf_for(boot, &w, settings), NULL, err, sizeof err);
    REQUIRE(p);
    REQUIRE_EQ(kfk_producer_init_transactions(p, 30000), 0);
    char *j = wait_doc(p, &w, "eos/idemp_state", "Assigned");
    REQUIRE(j);
    free(j);
    for (int64_t end = it_now_ms() + 1500; it_now_ms() < end;) kfk_producer_poll(p, 50);
    seen w2;
    seen_init(&w2);
    kfk_producer *p2 = kfk_producer_new(conf_for(boot, &w2, settings), NULL, err, sizeof err);
    REQUIRE(p2);
    REQUIRE_EQ(kfk_producer_init_transactions(p2, 30000), 0); /* fences p */
    int64_t before = it_now_ms();
    kfk_message m = {.topic = t, .partition = 0, .value = "v", .value_len = 1};
    if (kfk_producer_begin_transaction(p) == 0) {
        kfk_producer_send(p, &m, 0);
        CHECK(kfk_producer_commit_transaction(p, 30000) != 0);
    }
    j = wait_doc(p, &w, "eos/idemp_state", "FatalError");
    REQUIRE(j);
    CHECK(jq_str_is(j, "eos/idemp_state", "FatalError"));
    int64_t age = jq_int(j, "eos/idemp_stateage", -1);
    CHECK(age >= 0);
    CHECK(age <= it_now_ms() - before + 1); /* since the fencing, not the id */
    free(j);
    kfk_producer_destroy(p);
    kfk_producer_destroy(p2);
    CHECK_EQ(w.invalid, 0);
    free(w.last);
    free(w2.last);
}
