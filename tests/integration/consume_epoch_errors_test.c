/* Leader epoch answers a real broker cannot be made to give on demand,
 * crafted by the scripted stub (stub_broker.h) for a real kfk consumer:
 * a Fetch answered FENCED_LEADER_EPOCH (fresh metadata, same offset, a new
 * fetch session) or UNKNOWN_LEADER_EPOCH (same offset), a Fetch carrying a
 * diverging epoch (back to where the log diverged, or
 * KFK_ERR_LOG_TRUNCATION with auto.offset.reset none), and a leader epoch
 * change on several partitions checked in one OffsetForLeaderEpoch. Each
 * asserts on what the stub was asked and on the messages delivered; every
 * wait polls with a 30 s bound. Needs no real broker. */
#include "consume_it.h"
#include "consumer/consumer_int.h"
#include "stub_broker.h"

static kfk_consumer *stub_consumer(const stub_broker *s, const char *reset, const char *md_age) {
    char boot[64];
    snprintf(boot, sizeof boot, "127.0.0.1:%d", s->port);
    return cit_consumer(boot, "auto.offset.reset", reset, "fetch.max.wait.ms", "100",
                        "retry.backoff.ms", "20", "retry.backoff.max.ms", "100",
                        "reconnect.backoff.ms", "20", "metadata.max.age.ms", md_age, NULL);
}

/* 1 if m is the stub's record at offset with value tag, of leader epoch. */
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
    kfk_consumer_message *msgs[STUB_LOG_MAX];
    int got = cit_drain(c, msgs, n, 30000);
    CHECK_EQ(got, n);
    for (int i = 0; i < got; i++)
        if (!is_record(msgs[i], from + i, tag, epoch))
            kfk_test_fail(__FILE__, __LINE__, "message %d: offset %lld, epoch %d", i,
                          (long long)msgs[i]->offset, (int)msgs[i]->leader_epoch);
    cit_release_all(msgs, got);
}

/* Once the stub saw a Fetch from `end` (the consumer had handled every
 * answer before it), nothing else may be queued: no record twice. */
static void expect_nothing_more(kfk_consumer *c, stub_broker *s, int64_t end) {
    static stub_script sc;
    int64_t until = it_now_ms() + 30000;
    int at_end = 0;
    while (!at_end && it_now_ms() < until) {
        stub_seen(s, &sc);
        for (int i = 0; i < sc.nseen; i++) at_end |= sc.seen[i].offset == end;
        if (!at_end) usleep(10000);
    }
    CHECK(at_end);
    kfk_consumer_message *m;
    while ((m = kfk_consumer_poll(c, 0)) != NULL) {
        if (!m->err) kfk_test_fail(__FILE__, __LINE__, "extra offset %lld", (long long)m->offset);
        kfk_consumer_message_release(m);
    }
}

/* The index of the first Fetch the stub answered with err; -1: none. */
static int answered_with(const stub_script *sc, int16_t err) {
    for (int i = 0; i < sc->nseen; i++)
        if (sc->seen[i].err == err) return i;
    return -1;
}

static kfk_consumer *ten_records_with_error_at_3(stub_broker *s, const char *topic, int16_t err) {
    if (stub_start(s) != 0) return NULL;
    stub_script_topic(s, topic, 1, 5, 3);
    stub_append(s, 10, 5, 'a');
    stub_fail_fetch_at(s, 3, err);
    kfk_consumer *c = stub_consumer(s, "earliest", "300000");
    if (c && cit_assign(c, topic, 1, KFK_OFFSET_BEGINNING) != 0) {
        kfk_consumer_destroy(c);
        return NULL;
    }
    return c;
}

TEST(fenced_leader_epoch_refreshes_metadata_and_resumes_in_a_new_session) {
    stub_broker s;
    kfk_consumer *c = ten_records_with_error_at_3(&s, "fenced", KFK_ERR_FENCED_LEADER_EPOCH);
    REQUIRE(c);
    expect_records(c, 0, 10, 'a', 5);
    expect_nothing_more(c, &s, 10);
    static stub_script sc;
    stub_seen(&s, &sc);
    int k = answered_with(&sc, KFK_ERR_FENCED_LEADER_EPOCH);
    REQUIRE(k >= 0 && k + 1 < sc.nseen);
    CHECK_EQ(sc.seen[k].offset, 3);
    CHECK(sc.seen[k].session_epoch > 0); /* it came in an incremental Fetch */
    CHECK_EQ(sc.seen[k + 1].offset, 3);  /* the position stayed */
    CHECK_EQ(sc.seen[k + 1].session_epoch, 0); /* a full Fetch: a new session */
    /* Fresh metadata was asked for after the error. */
    int64_t until = it_now_ms() + 30000;
    while (sc.metadata <= sc.seen[k].metadata_before && it_now_ms() < until) {
        usleep(10000);
        stub_seen(&s, &sc);
    }
    CHECK(sc.metadata > sc.seen[k].metadata_before);
    kfk_epoch_stats es;
    kfk_consumer_epoch_stats(c, &es);
    CHECK_EQ(es.fenced, 1);
    CHECK_EQ(es.truncations, 0);
    kfk_consumer_destroy(c);
    stub_stop(&s);
}

TEST(unknown_leader_epoch_retries_the_same_offset) {
    stub_broker s;
    kfk_consumer *c = ten_records_with_error_at_3(&s, "unknown", KFK_ERR_UNKNOWN_LEADER_EPOCH);
    REQUIRE(c);
    expect_records(c, 0, 10, 'a', 5);
    expect_nothing_more(c, &s, 10);
    static stub_script sc;
    stub_seen(&s, &sc);
    int k = answered_with(&sc, KFK_ERR_UNKNOWN_LEADER_EPOCH);
    REQUIRE(k >= 0 && k + 1 < sc.nseen);
    CHECK_EQ(sc.seen[k].offset, 3);
    CHECK_EQ(sc.seen[k + 1].offset, 3);
    /* The broker is behind, not us: the session goes on. */
    CHECK(sc.seen[k + 1].session_epoch > 0);
    CHECK_EQ(sc.seen[k + 1].session_id, sc.seen[k].session_id);
    kfk_epoch_stats es;
    kfk_consumer_epoch_stats(c, &es);
    CHECK_EQ(es.fenced, 1);
    kfk_consumer_destroy(c);
    stub_stop(&s);
}

/* Ten records of epoch 5 consumed; then the log is cut at 6 and refilled
 * with six records of epoch 6, and the next Fetch says epoch 5 ends at 6. */
static kfk_consumer *diverged_at_6(stub_broker *s, const char *topic, const char *reset) {
    if (stub_start(s) != 0) return NULL;
    stub_script_topic(s, topic, 1, 5, 4);
    stub_append(s, 10, 5, 'a');
    kfk_consumer *c = stub_consumer(s, reset, "300000");
    if (!c) return NULL;
    if (cit_assign(c, topic, 1, KFK_OFFSET_BEGINNING) != 0) {
        kfk_consumer_destroy(c);
        return NULL;
    }
    expect_records(c, 0, 10, 'a', 5);
    pthread_mutex_lock(&s->lock);
    stub_truncate_locked(s, 6);
    stub_append_locked(s, 6, 6, 'b');
    s->sc.div_armed = 1;
    s->sc.div_epoch = 5;
    s->sc.div_end = 6;
    pthread_mutex_unlock(&s->lock);
    return c;
}

/* The Fetch after the one answered with the diverging epoch; -1: none yet. */
static int after_divergence(stub_broker *s, stub_script *sc) {
    stub_seen(s, sc);
    for (int i = 0; i + 1 < sc->nseen; i++)
        if (sc->seen[i].diverged) return i + 1;
    return -1;
}

TEST(diverging_epoch_goes_back_to_the_divergence_and_reads_the_new_log) {
    stub_broker s;
    kfk_consumer *c = diverged_at_6(&s, "diverge", "earliest");
    REQUIRE(c);
    expect_records(c, 6, 12, 'b', 6);
    expect_nothing_more(c, &s, 12);
    static stub_script sc;
    int k = after_divergence(&s, &sc);
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
    stub_stop(&s);
}

TEST(diverging_epoch_with_reset_none_reports_log_truncation_at_the_divergence) {
    stub_broker s;
    kfk_consumer *c = diverged_at_6(&s, "diverge-none", "none");
    REQUIRE(c);
    kfk_consumer_message *m = NULL;
    int64_t until = it_now_ms() + 30000;
    while (!m && it_now_ms() < until) m = kfk_consumer_poll(c, 100);
    REQUIRE(m);
    CHECK_EQ(m->err, KFK_ERR_LOG_TRUNCATION);
    CHECK_EQ(m->offset, 6);
    CHECK_EQ(m->partition, 0);
    kfk_consumer_message_release(m);
    static stub_script sc;
    stub_seen(&s, &sc);
    CHECK_EQ(answered_with(&sc, 0) >= 0, 1);
    int diverged = 0;
    for (int i = 0; i < sc.nseen; i++) diverged += sc.seen[i].diverged;
    CHECK_EQ(diverged, 1);
    kfk_consumer_stats st;
    kfk_consumer_stats_get(c, &st);
    CHECK_EQ(st.truncations, 1);
    kfk_consumer_destroy(c);
    stub_stop(&s);
}

TEST(new_leader_epoch_on_three_partitions_is_checked_in_one_request) {
    stub_broker s;
    REQUIRE(stub_start(&s) == 0);
    stub_script_topic(&s, "batch", 3, 5, 8);
    stub_append(&s, 4, 5, 'a');
    /* Metadata is re-read every 200 ms: that is how the new epoch arrives. */
    kfk_consumer *c = stub_consumer(&s, "earliest", "200");
    REQUIRE(c);
    REQUIRE_EQ(cit_assign(c, "batch", 3, KFK_OFFSET_BEGINNING), 0);
    kfk_consumer_message *msgs[12];
    int got = cit_drain(c, msgs, 12, 30000);
    CHECK_EQ(got, 12);
    cit_release_all(msgs, got);
    /* A new leader epoch, and records of it once the positions were checked. */
    static stub_script sc;
    pthread_mutex_lock(&s.lock);
    s.sc.leader_epoch = 6;
    pthread_mutex_unlock(&s.lock);
    int64_t until = it_now_ms() + 30000;
    do {
        kfk_consumer_message_release(kfk_consumer_poll(c, 10));
        stub_seen(&s, &sc);
    } while (sc.ofle == 0 && it_now_ms() < until);
    REQUIRE(sc.ofle > 0);
    stub_append(&s, 2, 6, 'c');
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
    stub_seen(&s, &sc);
    CHECK_EQ(sc.ofle_max_parts, 3);
    CHECK_EQ(sc.ofle, 1);
    kfk_epoch_stats es;
    kfk_consumer_epoch_stats(c, &es);
    CHECK_EQ(es.validations, 3);
    CHECK_EQ(es.truncations, 0);
    kfk_consumer_destroy(c);
    stub_stop(&s);
}
