/* Positions and offsets against a real broker: start offsets, seek (offset,
 * beginning, end, time), pause/resume, position, committed, watermarks,
 * lag, commit sync and async, stored ("done") offsets, auto-commit by
 * count and by interval, and the auto.offset.reset policies. */
#include "consume_it.h"

enum { N = 100 };

/* A topic with one partition holding N messages "t-*-0".."t-*-99". */
static int filled(const char *boot, char *topic, size_t len, const char *what) {
    if (cit_topic(boot, topic, len, what, 1)) return -1;
    return cit_kcat(boot, topic, 0, "none", "t", 0, N);
}

/* Polls one message (skipping events) within 10 s. */
static kfk_consumer_message *next_msg(kfk_consumer *c) {
    kfk_consumer_message *m = NULL;
    return cit_drain(c, &m, 1, 10000) == 1 ? m : NULL;
}

static int64_t committed_of(kfk_consumer *c, const char *topic) {
    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, topic, 0);
    int err = kfk_consumer_committed(c, l, 10000);
    if (err) fprintf(stderr, "committed: %s\n", kfk_err_name(err));
    int64_t off = err ? -999 : l->elems[0].offset;
    kfk_partition_list_destroy(l);
    return off;
}

static int64_t position_of(kfk_consumer *c, const char *topic) {
    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, topic, 0);
    int err = kfk_consumer_position(c, l);
    int64_t off = err ? -999 : l->elems[0].offset;
    kfk_partition_list_destroy(l);
    return off;
}

static void group_name(char *buf, size_t len, const char *what) { it_topic(buf, len, what); }

TEST(start_offset_and_seek) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128];
    REQUIRE(filled(boot, topic, sizeof topic, "seek") == 0);
    kfk_consumer *c = cit_consumer(boot, NULL);
    REQUIRE(c);
    REQUIRE(cit_assign(c, topic, 1, 40) == 0);
    kfk_consumer_message *m = next_msg(c);
    REQUIRE(m);
    CHECK_EQ(m->offset, 40);
    CHECK(cit_is(m, "t", 40));
    CHECK_EQ(position_of(c, topic), 41);
    kfk_consumer_message_release(m);

    CHECK_EQ(kfk_consumer_seek(c, topic, 0, 7), 0);
    m = next_msg(c);
    REQUIRE(m);
    CHECK_EQ(m->offset, 7); /* everything fetched from 41 on was dropped */
    kfk_consumer_message_release(m);

    CHECK_EQ(kfk_consumer_seek(c, topic, 0, KFK_OFFSET_BEGINNING), 0);
    m = next_msg(c);
    REQUIRE(m);
    CHECK_EQ(m->offset, 0);
    int64_t ts10 = 0;
    kfk_consumer_message_release(m);

    /* By time: the first message at or after message 10's timestamp. */
    CHECK_EQ(kfk_consumer_seek(c, topic, 0, 10), 0);
    m = next_msg(c);
    REQUIRE(m);
    ts10 = m->timestamp;
    kfk_consumer_message_release(m);
    CHECK_EQ(kfk_consumer_seek_time(c, topic, 0, ts10), 0);
    m = next_msg(c);
    REQUIRE(m);
    CHECK(m->offset <= 10);
    CHECK(m->timestamp >= ts10);
    kfk_consumer_message_release(m);

    kfk_partition_list *l = kfk_partition_list_new(3);
    kfk_partition_list_add(l, topic, 0)->offset = KFK_OFFSET_BEGINNING;
    kfk_partition_list_add(l, topic, 0)->offset = KFK_OFFSET_END;
    kfk_partition *at = kfk_partition_list_add(l, topic, 0);
    at->offset = KFK_OFFSET_AT_TIME;
    at->timestamp = ts10;
    CHECK_EQ(kfk_consumer_list_offsets(c, l, 10000), 0);
    CHECK_EQ(l->elems[0].offset, 0);
    CHECK_EQ(l->elems[1].offset, N);
    CHECK(l->elems[2].offset <= 10);
    CHECK(l->elems[2].timestamp >= ts10);
    kfk_partition_list_destroy(l);

    int64_t lo = -1, hi = -1;
    CHECK_EQ(kfk_consumer_watermarks(c, topic, 0, &lo, &hi, 10000), 0);
    CHECK_EQ(lo, 0);
    CHECK_EQ(hi, N);
    CHECK_EQ(kfk_consumer_cached_watermarks(c, topic, 0, &lo, &hi), 0);
    CHECK_EQ(hi, N);
    CHECK(kfk_consumer_lag(c, topic, 0) > 0);

    /* End: nothing until new messages come. */
    CHECK_EQ(kfk_consumer_seek(c, topic, 0, KFK_OFFSET_END), 0);
    CHECK(kfk_consumer_poll(c, 1000) == NULL);
    CHECK_EQ(position_of(c, topic), N);
    CHECK_EQ(kfk_consumer_lag(c, topic, 0), 0);
    REQUIRE(cit_kcat(boot, topic, 0, "none", "t", N, 1) == 0);
    m = next_msg(c);
    REQUIRE(m);
    CHECK_EQ(m->offset, N);
    CHECK(cit_is(m, "t", N));
    kfk_consumer_message_release(m);
    CHECK_EQ(kfk_consumer_seek(c, "nope", 0, 1), KFK_ERR_NOENT);
    kfk_consumer_destroy(c);
}

TEST(pause_resume) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128];
    REQUIRE(filled(boot, topic, sizeof topic, "pause") == 0);
    /* A small prefetch bound: one batch (of 64) at a time. */
    kfk_consumer *c = cit_consumer(boot, "max.partition.fetch.bytes", "1000",
                                   "fetch.queue.max.bytes", "100", NULL);
    REQUIRE(c);
    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, topic, 0);
    CHECK_EQ(kfk_consumer_pause(c, l), KFK_ERR_PARTIAL); /* not assigned yet */
    CHECK_EQ(l->elems[0].err, KFK_ERR_NOENT);
    REQUIRE(cit_assign(c, topic, 1, 0) == 0); /* a new assignment is not paused */
    kfk_consumer_message *m = next_msg(c);
    REQUIRE(m);
    kfk_consumer_message_release(m);
    CHECK_EQ(kfk_consumer_pause(c, l), 0);
    /* Drain what was fetched before the pause, then nothing comes. */
    while ((m = kfk_consumer_poll(c, 1500)) != NULL) kfk_consumer_message_release(m);
    int64_t pos = position_of(c, topic);
    CHECK(pos < N);
    CHECK(kfk_consumer_poll(c, 1000) == NULL);
    CHECK_EQ(kfk_consumer_resume(c, l), 0);
    m = next_msg(c);
    REQUIRE(m);
    CHECK_EQ(m->offset, pos);
    kfk_consumer_message_release(m);
    kfk_partition_list_destroy(l);
    kfk_consumer_destroy(c);
}

static int commit_cb_calls, commit_cb_err = -1;
static void on_commit(kfk_consumer *c, int err, const kfk_partition_list *offsets, void *opaque) {
    commit_cb_calls++;
    commit_cb_err = err;
}

TEST(commit_sync_async_and_committed) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128], group[128];
    REQUIRE(filled(boot, topic, sizeof topic, "commit") == 0);
    group_name(group, sizeof group, "g-commit");
    kfk_consumer *c = cit_consumer(boot, "group.id", group, "enable.auto.commit", "false", NULL);
    REQUIRE(c);
    kfk_consumer_set_commit_cb(c, on_commit, NULL);
    CHECK_EQ(committed_of(c, topic), KFK_OFFSET_INVALID);
    REQUIRE(cit_assign(c, topic, 1, 0) == 0);
    kfk_consumer_message *msgs[10];
    REQUIRE_EQ(cit_drain(c, msgs, 10, 10000), 10);
    cit_release_all(msgs, 10);
    CHECK_EQ(kfk_consumer_commit(c, NULL, 0), 0); /* the position: 10 */
    CHECK_EQ(committed_of(c, topic), 10);
    CHECK_EQ(kfk_consumer_commit(c, NULL, 0), KFK_ERR_NOENT); /* unchanged */

    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition *e = kfk_partition_list_add(l, topic, 0);
    e->offset = 5;
    kfk_partition_set_metadata(e, "five");
    CHECK_EQ(kfk_consumer_commit(c, l, 1), 0);
    int64_t until = it_now_ms() + 10000;
    while (!commit_cb_calls && it_now_ms() < until) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 100);
        kfk_consumer_message_release(m);
    }
    CHECK_EQ(commit_cb_calls, 1);
    CHECK_EQ(commit_cb_err, 0);
    kfk_partition_list_destroy(l);
    l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, topic, 0);
    CHECK_EQ(kfk_consumer_committed(c, l, 10000), 0);
    CHECK_EQ(l->elems[0].offset, 5);
    CHECK_STR(l->elems[0].metadata, "five");
    kfk_partition_list_destroy(l);
    kfk_consumer_destroy(c);

    /* A second consumer starts where the group committed. */
    c = cit_consumer(boot, "group.id", group, "enable.auto.commit", "false", NULL);
    REQUIRE(c);
    REQUIRE(cit_assign(c, topic, 1, KFK_OFFSET_STORED) == 0);
    kfk_consumer_message *m = next_msg(c);
    REQUIRE(m);
    CHECK_EQ(m->offset, 5);
    kfk_consumer_message_release(m);
    kfk_consumer_destroy(c);
}

TEST(stored_offsets_only) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128], group[128];
    REQUIRE(filled(boot, topic, sizeof topic, "store") == 0);
    group_name(group, sizeof group, "g-store");
    kfk_consumer *c = cit_consumer(boot, "group.id", group, "enable.auto.commit", "false",
                                   "enable.auto.offset.store", "false", NULL);
    REQUIRE(c);
    REQUIRE(cit_assign(c, topic, 1, 0) == 0);
    kfk_consumer_message *msgs[20];
    REQUIRE_EQ(cit_drain(c, msgs, 20, 10000), 20);
    CHECK_EQ(kfk_consumer_commit(c, NULL, 0), KFK_ERR_NOENT); /* nothing marked done */
    CHECK_EQ(kfk_consumer_store_offset(c, msgs[12]), 0);      /* 0..12 done */
    cit_release_all(msgs, 20);
    CHECK_EQ(kfk_consumer_commit(c, NULL, 0), 0);
    CHECK_EQ(committed_of(c, topic), 13);
    CHECK_EQ(position_of(c, topic), 20);
    kfk_consumer_destroy(c);
}

TEST(auto_commit_by_count) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128], group[128];
    REQUIRE(filled(boot, topic, sizeof topic, "account") == 0);
    group_name(group, sizeof group, "g-account");
    kfk_consumer *c = cit_consumer(boot, "group.id", group, "auto.commit.interval.ms", "600000",
                                   "auto.commit.interval.messages", "25", NULL);
    REQUIRE(c);
    REQUIRE(cit_assign(c, topic, 1, 0) == 0);
    kfk_consumer_message *msgs[30];
    REQUIRE_EQ(cit_drain(c, msgs, 30, 10000), 30);
    cit_release_all(msgs, 30);
    /* The 25th message triggered a commit of what was polled by then. */
    int64_t until = it_now_ms() + 10000, got = -1;
    while (it_now_ms() < until && (got = committed_of(c, topic)) < 25) usleep(100 * 1000);
    CHECK(got >= 25 && got <= 30);
    kfk_consumer_destroy(c);
}

TEST(auto_commit_by_interval_and_close) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128], group[128];
    REQUIRE(filled(boot, topic, sizeof topic, "acint") == 0);
    group_name(group, sizeof group, "g-acint");
    kfk_consumer *c = cit_consumer(boot, "group.id", group, "auto.commit.interval.ms", "300", NULL);
    REQUIRE(c);
    REQUIRE(cit_assign(c, topic, 1, 0) == 0);
    kfk_consumer_message *msgs[N];
    REQUIRE_EQ(cit_drain(c, msgs, 40, 10000), 40);
    cit_release_all(msgs, 40);
    int64_t until = it_now_ms() + 10000, got = -1;
    while (it_now_ms() < until && (got = committed_of(c, topic)) != 40) usleep(100 * 1000);
    CHECK_EQ(got, 40);
    REQUIRE_EQ(cit_drain(c, msgs, 5, 10000), 5);
    cit_release_all(msgs, 5);
    CHECK_EQ(kfk_consumer_close(c), 0); /* commits 45 on the way out */
    c = cit_consumer(boot, "group.id", group, NULL);
    REQUIRE(c);
    CHECK_EQ(committed_of(c, topic), 45);
    kfk_consumer_destroy(c);
}

static kfk_consumer_message *first_any(kfk_consumer *c) {
    int64_t until = it_now_ms() + 10000;
    while (it_now_ms() < until) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 100);
        if (m) return m;
    }
    return NULL;
}

TEST(reset_policies) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128], group[128];
    REQUIRE(filled(boot, topic, sizeof topic, "reset") == 0);
    group_name(group, sizeof group, "g-reset");
    /* earliest: no committed offset, and an out-of-range start. */
    kfk_consumer *c = cit_consumer(boot, "group.id", group, "auto.offset.reset", "earliest", NULL);
    REQUIRE(c);
    REQUIRE(cit_assign(c, topic, 1, KFK_OFFSET_STORED) == 0);
    kfk_consumer_message *m = first_any(c);
    REQUIRE(m);
    CHECK_EQ(m->err, 0);
    CHECK_EQ(m->offset, 0);
    kfk_consumer_message_release(m);
    CHECK_EQ(kfk_consumer_seek(c, topic, 0, 5000), 0);
    m = first_any(c);
    REQUIRE(m);
    CHECK_EQ(m->err, 0);
    CHECK_EQ(m->offset, 0);
    kfk_consumer_message_release(m);
    kfk_consumer_stats st;
    kfk_consumer_stats_get(c, &st);
    CHECK_EQ(st.offset_resets, 2);
    kfk_consumer_destroy(c);

    /* latest: only what is produced after. */
    c = cit_consumer(boot, "group.id", group, "auto.offset.reset", "latest", NULL);
    REQUIRE(c);
    REQUIRE(cit_assign(c, topic, 1, 5000) == 0);
    CHECK(kfk_consumer_poll(c, 1500) == NULL);
    REQUIRE(cit_kcat(boot, topic, 0, "none", "t", N, 1) == 0);
    m = first_any(c);
    REQUIRE(m);
    CHECK_EQ(m->err, 0);
    CHECK_EQ(m->offset, N);
    kfk_consumer_message_release(m);
    kfk_consumer_destroy(c);

    /* none: an error message for the partition, nothing else. */
    c = cit_consumer(boot, "group.id", group, "auto.offset.reset", "none", NULL);
    REQUIRE(c);
    REQUIRE(cit_assign(c, topic, 1, 5000) == 0);
    m = first_any(c);
    REQUIRE(m);
    CHECK_EQ(m->err, KFK_ERR_OFFSET_OUT_OF_RANGE);
    CHECK_STR(m->topic, topic);
    CHECK_EQ(m->partition, 0);
    kfk_consumer_message_release(m);
    CHECK(kfk_consumer_poll(c, 500) == NULL);
    CHECK_EQ(kfk_consumer_seek(c, topic, 0, 3), 0); /* a seek goes on */
    m = first_any(c);
    REQUIRE(m);
    CHECK_EQ(m->offset, 3);
    kfk_consumer_message_release(m);
    kfk_consumer_destroy(c);
}

TEST(partition_eof) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128];
    REQUIRE(filled(boot, topic, sizeof topic, "eof") == 0);
    kfk_consumer *c = cit_consumer(boot, "enable.partition.eof", "true", NULL);
    REQUIRE(c);
    REQUIRE(cit_assign(c, topic, 1, 90) == 0);
    int msgs = 0, eofs = 0;
    kfk_consumer_message *m;
    while ((m = kfk_consumer_poll(c, 1500)) != NULL) {
        if (m->err == KFK_ERR_PARTITION_EOF) {
            eofs++;
            CHECK_EQ(m->offset, N);
            CHECK_EQ(msgs, 10);
        } else {
            CHECK_EQ(m->err, 0);
            msgs++;
        }
        kfk_consumer_message_release(m);
    }
    CHECK_EQ(msgs, 10);
    CHECK_EQ(eofs, 1);
    kfk_consumer_destroy(c);
}
