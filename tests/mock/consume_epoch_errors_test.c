/* Leader epoch answers for a real kfk consumer, from the mock cluster as
 * Kafka gives them: a Fetch answered FENCED_LEADER_EPOCH (fresh metadata,
 * same offset, a new fetch session) or UNKNOWN_LEADER_EPOCH (same offset)
 * as injected errors; a log truncated under the consumer, which a Fetch's
 * diverging epoch reports (back to where the log diverged, or
 * KFK_ERR_LOG_TRUNCATION with auto.offset.reset none); and a new leader
 * epoch on several partitions checked in one OffsetForLeaderEpoch. Each
 * asserts on what the mock was asked (its request callback) and on the
 * messages delivered; every wait polls with a 30 s bound. */
#include <pthread.h>

#include "consume_it.h"
#include "consumer/consumer_int.h"
#include "kfk_mock.h"

#define SEEN_MAX 512
#define LOG_MAX 64

/* One Fetch as the mock was asked and answered it (partition 0's part). */
typedef struct seen_fetch {
    int64_t offset; /* fetch offset: listed, or the session's */
    int32_t session_id, session_epoch;
    int32_t current_leader_epoch, last_fetched_epoch; /* -2: not listed */
    int16_t err;         /* the error answered */
    int diverged;        /* answered with a diverging epoch */
    int metadata_before; /* Metadata requests seen before this Fetch */
} seen_fetch;

typedef struct seen {
    seen_fetch seen[SEEN_MAX];
    int nseen, metadata, ofle, ofle_max_parts;
} seen;

typedef struct env {
    kfk_mock_cluster *mc;
    kfk_producer *p;
    const char *topic;
    pthread_mutex_t lock;
    seen s; /* under lock */
    int32_t sess_id[16];
    int64_t sess_off[16]; /* partition 0's offset in each session */
    int nsess;
} env;

static int64_t *session_offset(env *e, int32_t id) {
    for (int i = 0; i < e->nsess; i++)
        if (e->sess_id[i] == id) return &e->sess_off[i];
    if (e->nsess == 16) return NULL;
    e->sess_id[e->nsess] = id;
    e->sess_off[e->nsess] = -1;
    return &e->sess_off[e->nsess++];
}

static void saw_fetch(env *e, const kfk_fetch_request *q, const kfk_fetch_response *r) {
    seen_fetch f = {.offset = -1, .session_id = q->session_id, .session_epoch = q->session_epoch,
                    .current_leader_epoch = -2, .last_fetched_epoch = -2, .err = r->error_code,
                    .metadata_before = e->s.metadata};
    for (int32_t t = 0; t < q->topics.count; t++)
        for (int32_t j = 0; j < q->topics.items[t].partitions.count; j++) {
            const kfk_fetch_request_partition *qp = &q->topics.items[t].partitions.items[j];
            if (qp->partition != 0) continue;
            f.offset = qp->fetch_offset;
            f.current_leader_epoch = qp->current_leader_epoch;
            f.last_fetched_epoch = qp->last_fetched_epoch;
        }
    /* A full Fetch opens the session the answer names; an incremental one
     * lists a partition only when its offset moved. */
    int32_t id = q->session_epoch == 0 ? r->session_id : q->session_id;
    int64_t *at = id ? session_offset(e, id) : NULL;
    if (at && f.offset >= 0) *at = f.offset;
    else if (at) f.offset = *at;
    for (int32_t t = 0; t < r->responses.count; t++)
        for (int32_t j = 0; j < r->responses.items[t].partitions.count; j++) {
            const kfk_fetch_response_partition_data *rp = &r->responses.items[t].partitions.items[j];
            if (rp->partition_index != 0) continue;
            if (rp->error_code) f.err = rp->error_code;
            f.diverged = rp->diverging_epoch.epoch >= 0;
        }
    if (e->s.nseen < SEEN_MAX) e->s.seen[e->s.nseen++] = f;
}

/* The mock's request callback: decodes what it was asked and answered. */
static void on_request(void *opaque, int broker, const uint8_t *req, size_t req_len,
                       const uint8_t *resp, size_t resp_len) {
    (void)broker;
    env *e = opaque;
    kfk_rbuf r = kfk_rbuf_make(req, req_len);
    kfk_request_header h;
    if (kfk_request_header_read(&r, &h) || !resp) return;
    int16_t key = h.request_api_key, v = h.request_api_version;
    if (key != KFK_API_METADATA && key != KFK_API_FETCH && key != KFK_API_OFFSET_FOR_LEADER_EPOCH)
        return;
    kfk_arena a = {0};
    void *q = kfk_arena_alloc(&a, kfk_request_desc(key)->s.size);
    void *p = kfk_arena_alloc(&a, kfk_response_desc(key)->s.size);
    kfk_rbuf rr = kfk_rbuf_make(resp, resp_len);
    int32_t corr;
    int ok = q && p && !kfk_msg_decode(&r, kfk_request_desc(key), v, &a, q) &&
             !kfk_response_header_read(&rr, key, v, &corr) &&
             !kfk_msg_decode(&rr, kfk_response_desc(key), v, &a, p);
    pthread_mutex_lock(&e->lock);
    if (ok && key == KFK_API_METADATA) {
        e->s.metadata++;
    } else if (ok && key == KFK_API_OFFSET_FOR_LEADER_EPOCH) {
        const kfk_offset_for_leader_epoch_request *oq = q;
        int n = 0;
        for (int32_t t = 0; t < oq->topics.count; t++) n += oq->topics.items[t].partitions.count;
        e->s.ofle++;
        if (n > e->s.ofle_max_parts) e->s.ofle_max_parts = n;
    } else if (ok) {
        saw_fetch(e, q, p);
    }
    pthread_mutex_unlock(&e->lock);
    kfk_arena_reset(&a);
}

/* A one-broker mock whose topic's partitions are at leader epoch `epoch`
 * (that many unclean elections before any record), serving Fetch up to v12
 * as the stub this test replaced did. 0 or -1. */
static int env_start(env *e, const char *topic, int parts, int epoch) {
    memset(e, 0, sizeof *e);
    pthread_mutex_init(&e->lock, NULL);
    e->topic = topic;
    e->mc = kfk_mock_cluster_new(1);
    if (!e->mc || kfk_mock_topic_create(e->mc, topic, parts, 1) ||
        kfk_mock_api_set_versions(e->mc, KFK_API_FETCH, 4, 12))
        return -1;
    for (int p = 0; p < parts; p++)
        for (int i = 0; i < epoch; i++)
            if (kfk_mock_partition_truncate(e->mc, topic, p, 0)) return -1;
    kfk_mock_set_request_cb(e->mc, on_request, e);
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    if (kfk_conf_set(conf, "bootstrap.servers", kfk_mock_cluster_bootstraps(e->mc), err, sizeof err) ||
        kfk_conf_set(conf, "enable.idempotence", "false", err, sizeof err) ||
        !(e->p = kfk_producer_new(conf, NULL, err, sizeof err))) {
        kfk_test_fail(__FILE__, __LINE__, "producer: %s", err);
        kfk_conf_destroy(conf);
        return -1;
    }
    return 0;
}

static void env_stop(env *e) {
    if (e->p) kfk_producer_close(e->p, 5000);
    kfk_mock_cluster_destroy(e->mc);
    pthread_mutex_destroy(&e->lock);
}

static void env_seen(env *e, seen *out) {
    pthread_mutex_lock(&e->lock);
    *out = e->s;
    pthread_mutex_unlock(&e->lock);
}

/* n records (key "k-<offset>", value "<tag>-<offset>") at the end of the
 * partition's log, in the mock's current leader epoch, a batch each (a
 * truncation cuts whole batches, as Kafka's does). The producer is not
 * idempotent: a truncation takes back sequence numbers it already used,
 * which Kafka answers OUT_OF_ORDER_SEQUENCE_NUMBER. 0 once written. */
static int append(env *e, int partition, int n, char tag) {
    int64_t end;
    if (kfk_mock_partition_offsets(e->mc, e->topic, partition, NULL, &end)) return -1;
    for (int i = 0; i < n; i++) {
        char key[32], value[32];
        int kl = snprintf(key, sizeof key, "k-%lld", (long long)(end + i));
        int vl = snprintf(value, sizeof value, "%c-%lld", tag, (long long)(end + i));
        kfk_message m = {.topic = e->topic, .partition = partition, .key = key,
                         .key_len = (size_t)kl, .value = value, .value_len = (size_t)vl};
        if (kfk_producer_send(e->p, &m, 0) || kfk_producer_flush(e->p, 30000)) return -1;
    }
    int64_t now_end;
    return kfk_mock_partition_offsets(e->mc, e->topic, partition, NULL, &now_end) ||
                   now_end != end + n
               ? -1
               : 0;
}

static kfk_consumer *env_consumer(env *e, const char *reset, const char *md_age) {
    return cit_consumer(kfk_mock_cluster_bootstraps(e->mc), "auto.offset.reset", reset,
                        "fetch.max.wait.ms", "100", "retry.backoff.ms", "20",
                        "retry.backoff.max.ms", "100", "reconnect.backoff.ms", "20",
                        "metadata.max.age.ms", md_age, NULL);
}

/* 1 if m is the record at offset with value tag, of leader epoch. */
static int is_record(const kfk_consumer_message *m, int64_t offset, char tag, int32_t epoch) {
    char key[32], value[32];
    int kl = snprintf(key, sizeof key, "k-%lld", (long long)offset);
    int vl = snprintf(value, sizeof value, "%c-%lld", tag, (long long)offset);
    return m->offset == offset && m->leader_epoch == epoch && m->key_len == (size_t)kl &&
           m->value_len == (size_t)vl && memcmp(m->key, key, (size_t)kl) == 0 &&
           memcmp(m->value, value, (size_t)vl) == 0;
}

/* Polls partition 0's records from..to-1 (tag, epoch), in order, once each. */
static void expect_records(kfk_consumer *c, int64_t from, int64_t to, char tag, int32_t epoch) {
    int n = (int)(to - from);
    kfk_consumer_message *msgs[LOG_MAX];
    int got = cit_drain(c, msgs, n, 30000);
    CHECK_EQ(got, n);
    for (int i = 0; i < got; i++)
        if (!is_record(msgs[i], from + i, tag, epoch))
            kfk_test_fail(__FILE__, __LINE__, "message %d: offset %lld, epoch %d", i,
                          (long long)msgs[i]->offset, (int)msgs[i]->leader_epoch);
    cit_release_all(msgs, got);
}

/* Waits until the mock saw a Fetch from `offset`: 1, or 0 after 30 s. */
static int fetched_from(env *e, int64_t offset) {
    static seen sc;
    int64_t until = it_now_ms() + 30000;
    for (;;) {
        env_seen(e, &sc);
        for (int i = 0; i < sc.nseen; i++)
            if (sc.seen[i].offset == offset) return 1;
        if (it_now_ms() >= until) return 0;
        usleep(10000);
    }
}

/* Once the mock saw a Fetch from `end` (the consumer had handled every
 * answer before it), nothing else may be queued: no record twice. */
static void expect_nothing_more(kfk_consumer *c, env *e, int64_t end) {
    CHECK(fetched_from(e, end));
    kfk_consumer_message *m;
    while ((m = kfk_consumer_poll(c, 0)) != NULL) {
        if (!m->err) kfk_test_fail(__FILE__, __LINE__, "extra offset %lld", (long long)m->offset);
        kfk_consumer_message_release(m);
    }
}

/* The index of the first Fetch the mock answered with err; -1: none. */
static int answered_with(const seen *sc, int16_t err) {
    for (int i = 0; i < sc->nseen; i++)
        if (sc->seen[i].err == err) return i;
    return -1;
}

/* Ten records of epoch 5 read, the Fetch from offset 3 answered err: three
 * records, then err for the next Fetch once the consumer waits at 3, then
 * seven more. */
static kfk_consumer *ten_records_with_error_at_3(env *e, const char *topic, int16_t err) {
    if (env_start(e, topic, 1, 5) || append(e, 0, 3, 'a')) return NULL;
    kfk_consumer *c = env_consumer(e, "earliest", "300000");
    if (!c) return NULL;
    static seen sc;
    int ok = cit_assign(c, topic, 1, KFK_OFFSET_BEGINNING) == 0;
    if (ok) expect_records(c, 0, 3, 'a', 5);
    ok = ok && fetched_from(e, 3) &&
         kfk_mock_push_request_errors(e->mc, 1, KFK_API_FETCH, 1, err) == 0;
    int64_t until = it_now_ms() + 30000;
    do {
        env_seen(e, &sc);
    } while (ok && answered_with(&sc, err) < 0 && it_now_ms() < until && !usleep(10000));
    if (!ok || answered_with(&sc, err) < 0 || append(e, 0, 7, 'a')) {
        kfk_consumer_destroy(c);
        return NULL;
    }
    return c;
}

/* Reads records 3..9 after the error and checks that the Fetch answered
 * err and the next one were both from 3 (the position stayed): the index
 * of the one answered err in *sc, or -1 after recording a failure. */
static int read_past_error(kfk_consumer *c, env *e, int16_t err, seen *sc) {
    expect_records(c, 3, 10, 'a', 5);
    expect_nothing_more(c, e, 10);
    env_seen(e, sc);
    int k = answered_with(sc, err);
    CHECK(k >= 0 && k + 1 < sc->nseen);
    if (k < 0 || k + 1 >= sc->nseen) return -1;
    CHECK_EQ(sc->seen[k].offset, 3);
    CHECK_EQ(sc->seen[k + 1].offset, 3);
    return k;
}

TEST(fenced_leader_epoch_refreshes_metadata_and_resumes_in_a_new_session) {
    env e;
    kfk_consumer *c = ten_records_with_error_at_3(&e, "fenced", KFK_ERR_FENCED_LEADER_EPOCH);
    REQUIRE(c);
    static seen sc;
    int k = read_past_error(c, &e, KFK_ERR_FENCED_LEADER_EPOCH, &sc);
    REQUIRE(k >= 0);
    CHECK(sc.seen[k].session_epoch > 0); /* it came in an incremental Fetch */
    CHECK_EQ(sc.seen[k + 1].session_epoch, 0); /* a full Fetch: a new session */
    /* Fresh metadata was asked for after the error. */
    int64_t until = it_now_ms() + 30000;
    while (sc.metadata <= sc.seen[k].metadata_before && it_now_ms() < until) {
        usleep(10000);
        env_seen(&e, &sc);
    }
    CHECK(sc.metadata > sc.seen[k].metadata_before);
    kfk_epoch_stats es;
    kfk_consumer_epoch_stats(c, &es);
    CHECK_EQ(es.fenced, 1);
    CHECK_EQ(es.truncations, 0);
    kfk_consumer_destroy(c);
    env_stop(&e);
}

TEST(unknown_leader_epoch_retries_the_same_offset) {
    env e;
    kfk_consumer *c = ten_records_with_error_at_3(&e, "unknown", KFK_ERR_UNKNOWN_LEADER_EPOCH);
    REQUIRE(c);
    static seen sc;
    int k = read_past_error(c, &e, KFK_ERR_UNKNOWN_LEADER_EPOCH, &sc);
    REQUIRE(k >= 0);
    /* The broker is behind, not us: the session goes on. */
    CHECK(sc.seen[k + 1].session_epoch > 0);
    CHECK_EQ(sc.seen[k + 1].session_id, sc.seen[k].session_id);
    kfk_epoch_stats es;
    kfk_consumer_epoch_stats(c, &es);
    CHECK_EQ(es.fenced, 1);
    kfk_consumer_destroy(c);
    env_stop(&e);
}

/* Ten records of epoch 5 read; then an unclean election cuts the log at 6
 * (epoch 6 starts there) and six records of epoch 6 follow. Metadata is
 * held to v6, which names no leader epochs, so the consumer sends no
 * current epoch and does not check its position when the epoch changes:
 * the Fetch from 10 naming epoch 5 is what learns where epoch 5 ends. */
static kfk_consumer *diverged_at_6(env *e, const char *topic, const char *reset) {
    if (env_start(e, topic, 1, 5) || kfk_mock_api_set_versions(e->mc, KFK_API_METADATA, 1, 6) ||
        append(e, 0, 10, 'a'))
        return NULL;
    kfk_consumer *c = env_consumer(e, reset, "300000");
    if (!c) return NULL;
    if (cit_assign(c, topic, 1, KFK_OFFSET_BEGINNING) != 0) {
        kfk_consumer_destroy(c);
        return NULL;
    }
    expect_records(c, 0, 10, 'a', 5);
    if (!fetched_from(e, 10) || kfk_mock_partition_truncate(e->mc, topic, 0, 6) ||
        append(e, 0, 6, 'b')) {
        kfk_consumer_destroy(c);
        return NULL;
    }
    return c;
}

/* The Fetch after the one answered with the diverging epoch; -1: none yet. */
static int after_divergence(env *e, seen *sc) {
    env_seen(e, sc);
    for (int i = 0; i + 1 < sc->nseen; i++)
        if (sc->seen[i].diverged) return i + 1;
    return -1;
}

TEST(diverging_epoch_goes_back_to_the_divergence_and_reads_the_new_log) {
    env e;
    kfk_consumer *c = diverged_at_6(&e, "diverge", "earliest");
    REQUIRE(c);
    expect_records(c, 6, 12, 'b', 6);
    expect_nothing_more(c, &e, 12);
    static seen sc;
    int k = after_divergence(&e, &sc);
    REQUIRE(k > 0);
    CHECK_EQ(sc.seen[k - 1].offset, 10);
    CHECK_EQ(sc.seen[k].offset, 6);
    CHECK_EQ(sc.seen[k].last_fetched_epoch, 5); /* the epoch the divergence named */
    CHECK_EQ(sc.ofle, 0); /* the Fetch said it all */
    kfk_consumer_stats st;
    kfk_consumer_stats_get(c, &st);
    CHECK_EQ(st.truncations, 1);
    CHECK_EQ(st.offset_resets, 0);
    kfk_partition_list *pos = kfk_partition_list_new(1);
    kfk_partition_list_add(pos, "diverge", 0);
    CHECK_EQ(kfk_consumer_position(c, pos), 0);
    CHECK_EQ(pos->elems[0].offset, 12);
    CHECK_EQ(pos->elems[0].leader_epoch, 6);
    kfk_partition_list_destroy(pos);
    kfk_consumer_destroy(c);
    env_stop(&e);
}

TEST(diverging_epoch_with_reset_none_reports_log_truncation_at_the_divergence) {
    env e;
    kfk_consumer *c = diverged_at_6(&e, "diverge-none", "none");
    REQUIRE(c);
    kfk_consumer_message *m = NULL;
    int64_t until = it_now_ms() + 30000;
    while (!m && it_now_ms() < until) m = kfk_consumer_poll(c, 100);
    REQUIRE(m);
    CHECK_EQ(m->err, KFK_ERR_LOG_TRUNCATION);
    CHECK_EQ(m->offset, 6);
    CHECK_EQ(m->partition, 0);
    kfk_consumer_message_release(m);
    static seen sc;
    env_seen(&e, &sc);
    CHECK_EQ(answered_with(&sc, 0) >= 0, 1);
    int diverged = 0;
    for (int i = 0; i < sc.nseen; i++) diverged += sc.seen[i].diverged;
    CHECK_EQ(diverged, 1);
    kfk_consumer_stats st;
    kfk_consumer_stats_get(c, &st);
    CHECK_EQ(st.truncations, 1);
    kfk_consumer_destroy(c);
    env_stop(&e);
}

/* Pauses (on) or resumes partitions 0..n-1 of topic: 0 or -1. */
static int pause_all(kfk_consumer *c, const char *topic, int n, int on) {
    kfk_partition_list *l = kfk_partition_list_new(n);
    for (int i = 0; i < n; i++) kfk_partition_list_add(l, topic, i);
    int rc = on ? kfk_consumer_pause(c, l) : kfk_consumer_resume(c, l);
    kfk_partition_list_destroy(l);
    return rc;
}

/* 1 once no Fetch was answered for 250 ms (the one out when the
 * partitions were paused came back, no other followed); 0 after 30 s. */
static int fetches_stopped(env *e) {
    static seen sc;
    int64_t until = it_now_ms() + 30000, quiet_since = it_now_ms();
    env_seen(e, &sc);
    int n = sc.nseen;
    while (it_now_ms() < until) {
        usleep(10000);
        env_seen(e, &sc);
        if (sc.nseen != n) {
            n = sc.nseen;
            quiet_since = it_now_ms();
        } else if (it_now_ms() - quiet_since >= 250) {
            return 1;
        }
    }
    return 0;
}

TEST(new_leader_epoch_on_three_partitions_is_checked_in_one_request) {
    env e;
    REQUIRE(env_start(&e, "batch", 3, 5) == 0);
    for (int p = 0; p < 3; p++) REQUIRE_EQ(append(&e, p, 4, 'a'), 0);
    /* Metadata is re-read every 200 ms: that is how the new epoch arrives. */
    kfk_consumer *c = env_consumer(&e, "earliest", "200");
    REQUIRE(c);
    REQUIRE_EQ(cit_assign(c, "batch", 3, KFK_OFFSET_BEGINNING), 0);
    kfk_consumer_message *msgs[12];
    int got = cit_drain(c, msgs, 12, 30000);
    CHECK_EQ(got, 12);
    cit_release_all(msgs, got);
    /* A new leader epoch at each log's end (nothing lost) while no Fetch
     * is out, so none sees one partition's change before the others';
     * the positions are checked meanwhile, records of epoch 6 follow. */
    REQUIRE_EQ(pause_all(c, "batch", 3, 1), 0);
    REQUIRE(fetches_stopped(&e));
    for (int p = 0; p < 3; p++) REQUIRE_EQ(kfk_mock_partition_truncate(e.mc, "batch", p, 4), 0);
    static seen sc;
    int64_t until = it_now_ms() + 30000;
    do {
        kfk_consumer_message_release(kfk_consumer_poll(c, 10));
        env_seen(&e, &sc);
    } while (sc.ofle == 0 && it_now_ms() < until);
    REQUIRE(sc.ofle > 0);
    REQUIRE_EQ(pause_all(c, "batch", 3, 0), 0);
    for (int p = 0; p < 3; p++) REQUIRE_EQ(append(&e, p, 2, 'c'), 0);
    /* The epoch-5 positions (4) are where epoch 5 ends: valid, read on. */
    got = cit_drain(c, msgs, 6, 30000);
    CHECK_EQ(got, 6);
    int per_part[3] = {0};
    for (int i = 0; i < got; i++) {
        CHECK(msgs[i]->offset == 4 || msgs[i]->offset == 5);
        CHECK_EQ(msgs[i]->leader_epoch, 6);
        if (msgs[i]->partition >= 0 && msgs[i]->partition < 3) per_part[msgs[i]->partition]++;
    }
    cit_release_all(msgs, got);
    for (int i = 0; i < 3; i++) CHECK_EQ(per_part[i], 2);
    env_seen(&e, &sc);
    CHECK_EQ(sc.ofle_max_parts, 3);
    CHECK_EQ(sc.ofle, 1);
    kfk_epoch_stats es;
    kfk_consumer_epoch_stats(c, &es);
    CHECK_EQ(es.validations, 3);
    CHECK_EQ(es.truncations, 0);
    kfk_consumer_destroy(c);
    env_stop(&e);
}
