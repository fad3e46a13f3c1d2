/* Leader epochs in the consumer (KIP-320), sans I/O: when a position needs
 * validating, what FENCED/UNKNOWN_LEADER_EPOCH ask for, what an epoch's end
 * offset says about the position under each reset policy, the epochs a
 * Fetch request carries (through the v12 encoder and back), the epoch the
 * parser remembers, and a Fetch's diverging epoch applied to a partition. */
#include <stdlib.h>

#include "consumer/consumer_int.h"
#include "consumer/fetch_parse.h"
#include "records/batch.h"
#include "test.h"

TEST(validation_needed_only_for_a_new_epoch_and_a_known_position_epoch) {
    /* Unknown leader epoch (old brokers) or the one already checked: fetch. */
    CHECK_EQ(kfk_epoch_need(5, 4, -1), KFK_EPOCH_FETCH);
    CHECK_EQ(kfk_epoch_need(5, 4, 5), KFK_EPOCH_FETCH);
    /* A new leader epoch and a position epoch to ask about: validate. */
    CHECK_EQ(kfk_epoch_need(5, 4, 6), KFK_EPOCH_VALIDATE);
    /* A committed offset is checked against the first leader it meets. */
    CHECK_EQ(kfk_epoch_need(KFK_EPOCH_CHECK, 3, 6), KFK_EPOCH_VALIDATE);
    /* Nothing to ask with: taken as valid under the new leader. */
    CHECK_EQ(kfk_epoch_need(5, -1, 6), KFK_EPOCH_TAKE);
    CHECK_EQ(kfk_epoch_need(KFK_EPOCH_CHECK, -1, 6), KFK_EPOCH_TAKE);
    /* An offset the application chose or ListOffsets gave meets its first leader. */
    CHECK_EQ(kfk_epoch_need(KFK_EPOCH_ADOPT, 4, 6), KFK_EPOCH_TAKE);
}

TEST(epoch_errors_refresh_or_wait_and_keep_the_position) {
    CHECK_EQ(kfk_epoch_on_err(KFK_ERR_FENCED_LEADER_EPOCH), KFK_EPOCH_REFRESH);
    CHECK_EQ(kfk_epoch_on_err(KFK_ERR_UNKNOWN_LEADER_EPOCH), KFK_EPOCH_WAIT);
    CHECK_EQ(kfk_epoch_on_err(KFK_ERR_NOT_LEADER_OR_FOLLOWER), KFK_EPOCH_REFRESH);
    CHECK_EQ(kfk_epoch_on_err(KFK_ERR_TRANSPORT), KFK_EPOCH_REFRESH);
    CHECK_EQ(kfk_epoch_on_err(KFK_ERR_TIMED_OUT), KFK_EPOCH_REFRESH);
    /* A broker without OffsetForLeaderEpoch v3+: go on unchecked. */
    CHECK_EQ(kfk_epoch_on_err(KFK_ERR_UNSUPPORTED_VERSION), KFK_EPOCH_SKIP);
    CHECK_EQ(kfk_epoch_on_err(KFK_ERR_TOPIC_AUTHORIZATION_FAILED), KFK_EPOCH_STOP);
}

TEST(end_offset_against_position_and_reset_policy) {
    int64_t to;
    int32_t te;
    /* The epoch ends at or past the position: nothing lost. */
    CHECK_EQ(kfk_trunc_check(4, 100, 100, 1, &to, &te), KFK_TRUNC_NONE);
    CHECK_EQ(kfk_trunc_check(4, 150, 100, 0, &to, &te), KFK_TRUNC_NONE);
    /* Ends below: truncated; go back to the first offset known to diverge. */
    CHECK_EQ(kfk_trunc_check(3, 80, 100, 1, &to, &te), KFK_TRUNC_SEEK);
    CHECK_EQ(to, 80);
    CHECK_EQ(te, 3);
    /* ... or, with auto.offset.reset none, stop there. */
    CHECK_EQ(kfk_trunc_check(3, 80, 100, 0, &to, &te), KFK_TRUNC_STOP);
    CHECK_EQ(to, 80);
    /* The leader knows no epoch that old: where it diverged is unknown. */
    CHECK_EQ(kfk_trunc_check(-1, -1, 100, 1, &to, &te), KFK_TRUNC_RESET);
    CHECK_EQ(kfk_trunc_check(-1, -1, 100, 0, &to, &te), KFK_TRUNC_STOP);
    CHECK_EQ(to, 100);
}

static kfk_cpart part(char *topic, int32_t partition, int64_t pos, int32_t leader_epoch,
                      int32_t pos_epoch) {
    return (kfk_cpart){.topic = topic, .partition = partition, .fetch_pos = pos,
                       .fetch_epoch = leader_epoch, .pos_epoch = pos_epoch};
}

TEST(fetch_request_carries_current_and_last_fetched_epochs) {
    kfk_cpart a0 = part("a", 0, 10, 7, 6), a2 = part("a", 2, 20, 8, -1);
    kfk_cpart b1 = part("b", 1, 30, -1, 2);
    kfk_cpart *parts[3] = {&a0, &a2, &b1};
    kfk_fs_want want[3];
    for (int i = 0; i < 3; i++)
        want[i] = (kfk_fs_want){parts[i]->topic, parts[i]->partition, parts[i]->fetch_pos, 1000, {{0}}};
    kfk_fetch_session s;
    kfk_fetch_session_init(&s, 1, 0);
    kfk_arena arena = {0};
    kfk_fetch_request m;
    kfk_fetch_request_init(&m);
    REQUIRE_EQ(kfk_fetch_session_build(&s, want, 3, &arena, &m), 0);
    kfk_fetch_set_epochs(&m, parts, 3);

    /* Through the v12 encoder and decoder, as the broker reads them. */
    kfk_wbuf w = {0};
    REQUIRE_EQ(kfk_fetch_request_encode(&w, 12, &m), 0);
    kfk_rbuf r = kfk_rbuf_make(w.data, w.len);
    kfk_fetch_request d;
    REQUIRE_EQ(kfk_fetch_request_decode(&r, 12, &arena, &d), 0);
    REQUIRE_EQ(d.topics.count, 2);
    REQUIRE_EQ(d.topics.items[0].partitions.count, 2);
    REQUIRE_EQ(d.topics.items[1].partitions.count, 1);
    const kfk_fetch_request_partition *p = d.topics.items[0].partitions.items;
    CHECK_EQ(p[0].current_leader_epoch, 7);
    CHECK_EQ(p[0].last_fetched_epoch, 6);
    CHECK_EQ(p[1].current_leader_epoch, 8);
    CHECK_EQ(p[1].last_fetched_epoch, -1);
    p = d.topics.items[1].partitions.items;
    CHECK_EQ(p[0].fetch_offset, 30);
    CHECK_EQ(p[0].current_leader_epoch, -1);
    CHECK_EQ(p[0].last_fetched_epoch, 2);
    kfk_wbuf_free(&w);
    kfk_arena_reset(&arena);
    kfk_fetch_session_free(&s);
}

TEST(incremental_fetch_sets_epochs_of_listed_partitions_only) {
    kfk_cpart a0 = part("a", 0, 10, 7, 6), a1 = part("a", 1, 20, 7, 6);
    kfk_cpart *parts[2] = {&a0, &a1};
    kfk_fs_want want[2] = {{"a", 0, 10, 1000, {{0}}}, {"a", 1, 20, 1000, {{0}}}};
    kfk_fetch_session s;
    kfk_fetch_session_init(&s, 1, 1);
    kfk_arena arena = {0};
    kfk_fetch_request m;
    kfk_fetch_request_init(&m);
    REQUIRE_EQ(kfk_fetch_session_build(&s, want, 2, &arena, &m), 0);
    kfk_fetch_session_done(&s, 0, 42);
    /* Only a1 moved: the incremental request lists it alone. */
    want[1].fetch_offset = a1.fetch_pos = 25;
    a1.pos_epoch = 7;
    kfk_fetch_request_init(&m);
    REQUIRE_EQ(kfk_fetch_session_build(&s, want, 2, &arena, &m), 0);
    kfk_fetch_set_epochs(&m, parts, 2);
    REQUIRE_EQ(m.topics.count, 1);
    REQUIRE_EQ(m.topics.items[0].partitions.count, 1);
    CHECK_EQ(m.topics.items[0].partitions.items[0].partition, 1);
    CHECK_EQ(m.topics.items[0].partitions.items[0].current_leader_epoch, 7);
    CHECK_EQ(m.topics.items[0].partitions.items[0].last_fetched_epoch, 7);
    kfk_arena_reset(&arena);
    kfk_fetch_session_free(&s);
}

static void add_batch(kfk_wbuf *out, int64_t base, int n, int32_t epoch, int flags) {
    kfk_batch_builder b;
    kfk_batch_builder_init(&b, out);
    uint8_t key[4] = {0, 0, 0, 1}; /* a COMMIT marker's key when flags say control */
    for (int i = 0; i < n; i++)
        kfk_batch_append(&b, 1000 + i, (kfk_bytes){key, 4}, (kfk_bytes){(const uint8_t *)"v", 1},
                         NULL, 0);
    kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
    o.base_offset = base;
    o.partition_leader_epoch = epoch;
    o.flags = flags;
    if (flags) {
        o.producer_id = 9;
        o.producer_epoch = 0;
    }
    kfk_batch_finish(&b, &o, NULL);
}

static void release_all(kfk_consumer_message *m) {
    for (kfk_consumer_message *next; m; m = next) {
        next = kfk_cmsg(m)->next;
        kfk_consumer_message_release(m);
    }
}

TEST(parser_remembers_the_last_batch_epoch) {
    kfk_wbuf data = {0}, zbuf = {0};
    add_batch(&data, 0, 3, 4, 0);
    add_batch(&data, 3, 3, 6, 0);
    add_batch(&data, 6, 1, 7, KFK_ATTR_CONTROL | KFK_ATTR_TRANSACTIONAL);
    kfk_chunk *ch = kfk_chunk_new(NULL);
    kfk_fetch_parse p = {.topic = "t", .pos = 1, .check_crcs = 1, .max_decompressed = 1 << 20};
    REQUIRE_EQ(kfk_fetch_parse_run(&p, ch, data.data, data.len, &zbuf), 0);
    CHECK_EQ(p.count, 5);
    CHECK_EQ(p.head->leader_epoch, 4);
    /* The marker batch ends the data: its epoch is the position's. */
    CHECK_EQ(p.last_epoch, 7);
    CHECK_EQ(kfk_cmsg(p.tail)->kind, KFK_KIND_SKIP);
    CHECK_EQ(p.tail->leader_epoch, 7);
    release_all(p.head);
    kfk_chunk_unref(ch);

    /* Batches wholly below the position say nothing about it. */
    ch = kfk_chunk_new(NULL);
    kfk_fetch_parse q = {.topic = "t", .pos = 7, .check_crcs = 1, .max_decompressed = 1 << 20};
    REQUIRE_EQ(kfk_fetch_parse_run(&q, ch, data.data, data.len, &zbuf), 0);
    CHECK_EQ(q.count, 0);
    CHECK_EQ(q.last_epoch, -1);
    kfk_chunk_unref(ch);
    kfk_wbuf_free(&data);
    kfk_wbuf_free(&zbuf);
}

/* A consumer with only what the truncation handling touches: no I/O. */
static void consumer_init(kfk_consumer *c, enum kfk_reset reset) {
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->cond, NULL);
    c->cc.reset = reset;
    c->cc.auto_store = 1;
}

static void consumer_fini(kfk_consumer *c) {
    release_all(c->qhead);
    pthread_cond_destroy(&c->cond);
    pthread_mutex_destroy(&c->lock);
}

static kfk_cpart active(kfk_consumer *c, int64_t fetch_pos, int64_t position) {
    return (kfk_cpart){.topic = "t", .partition = 0, .owner = c, .gen = 3, .io_gen = 3,
                       .state = KFK_CP_ACTIVE, .fetch_pos = fetch_pos, .pos_epoch = 5,
                       .val_epoch = 6, .position = position, .position_epoch = 5,
                       .stored = position, .stored_epoch = 5, .queued_bytes = 99};
}

TEST(diverging_epoch_rewinds_to_where_the_log_diverged) {
    kfk_consumer c;
    consumer_init(&c, KFK_RESET_EARLIEST);
    kfk_cpart p = active(&c, 120, 110);
    kfk_validate_diverged(&c, &p, 4, 100);
    CHECK_EQ(p.state, KFK_CP_ACTIVE);
    CHECK_EQ(p.fetch_pos, 100);
    CHECK_EQ(p.pos_epoch, 4);
    CHECK_EQ(p.val_epoch, 6);
    /* Messages fetched past the divergence are dropped: a new gen. */
    CHECK_EQ(p.gen, 4);
    CHECK_EQ(p.io_gen, 4);
    CHECK_EQ(p.position, 100);
    CHECK_EQ(p.position_epoch, 4);
    CHECK_EQ(p.stored, 100);
    CHECK_EQ(p.queued_bytes, 0);
    CHECK_EQ(c.stats.truncations, 1);
    CHECK_EQ(c.epoch_stats.truncations, 1);
    CHECK(c.qhead == NULL);
    consumer_fini(&c);
}

TEST(diverging_epoch_past_the_polled_position_keeps_what_was_polled) {
    kfk_consumer c;
    consumer_init(&c, KFK_RESET_LATEST);
    kfk_cpart p = active(&c, 120, 90);
    kfk_validate_diverged(&c, &p, 4, 100);
    /* 90..99 are good but were dropped with the rest: fetched again. */
    CHECK_EQ(p.fetch_pos, 90);
    CHECK_EQ(p.pos_epoch, 5);
    CHECK_EQ(p.position, 90);
    CHECK_EQ(p.stored, 90);
    consumer_fini(&c);
}

TEST(diverging_epoch_with_reset_none_stops_with_log_truncation) {
    kfk_consumer c;
    consumer_init(&c, KFK_RESET_NONE);
    kfk_cpart p = active(&c, 120, 110);
    kfk_validate_diverged(&c, &p, 4, 100);
    CHECK_EQ(p.state, KFK_CP_STOPPED);
    CHECK_EQ(p.fetch_pos, 120);
    CHECK_EQ(p.gen, 3);
    REQUIRE(c.qhead != NULL);
    CHECK_EQ(c.qhead->err, KFK_ERR_LOG_TRUNCATION);
    CHECK_EQ(c.qhead->offset, 100); /* the first offset known to diverge */
    CHECK_EQ(c.stats.truncations, 1);
    consumer_fini(&c);
}

TEST(unknown_divergence_point_applies_auto_offset_reset) {
    kfk_consumer c;
    consumer_init(&c, KFK_RESET_EARLIEST);
    kfk_cpart p = active(&c, 120, 110);
    kfk_validate_diverged(&c, &p, -1, -1);
    CHECK_EQ(p.state, KFK_CP_LIST);
    CHECK_EQ(p.list_spec, KFK_OFFSET_BEGINNING);
    CHECK_EQ(c.stats.offset_resets, 1);
    CHECK_EQ(c.stats.truncations, 1);
    consumer_fini(&c);
}

TEST(divergence_at_or_past_the_position_changes_only_the_epoch) {
    kfk_consumer c;
    consumer_init(&c, KFK_RESET_EARLIEST);
    kfk_cpart p = active(&c, 120, 110);
    kfk_validate_diverged(&c, &p, 3, 150);
    CHECK_EQ(p.state, KFK_CP_ACTIVE);
    CHECK_EQ(p.fetch_pos, 120);
    CHECK_EQ(p.pos_epoch, 3);
    CHECK_EQ(p.gen, 3);
    CHECK_EQ(c.stats.truncations, 0);
    consumer_fini(&c);
}

static kfk_cpart waiting(const char *topic, int32_t partition, int32_t leader, int64_t until) {
    return (kfk_cpart){.topic = (char *)topic, .partition = partition, .state = KFK_CP_VALIDATE,
                       .val_leader = leader, .val_sent = 7, .pos_epoch = 4,
                       .backoff_until = until};
}

TEST(validations_batch_per_leader_and_go_together_once_one_is_due) {
    kfk_cpart a = waiting("a", 0, 1, 0), b = waiting("a", 1, 2, 0), d = waiting("b", 0, 1, 500),
              e = waiting("b", 1, 1, 0), f = waiting("c", 0, 1, 0);
    f.validating = 1; /* its check is in flight: not asked twice */
    kfk_cpart g = active(NULL, 10, 10); /* not validating */
    g.val_leader = 1;
    kfk_cpart *parts[] = {&a, &b, &d, &e, &f, &g}, *out[6];
    CHECK_EQ(kfk_epoch_batch(parts, 6, 1, 100, out), 3);
    CHECK(out[0] == &a && out[1] == &d && out[2] == &e);
    CHECK_EQ(kfk_epoch_batch(parts, 6, 2, 100, NULL), 1);
    CHECK_EQ(kfk_epoch_batch(parts, 6, 3, 100, NULL), 0);
    /* d alone, still backing off: nothing yet; with a due one, it goes too. */
    kfk_cpart *late[] = {&d};
    CHECK_EQ(kfk_epoch_batch(late, 1, 1, 100, NULL), 0);
    CHECK_EQ(kfk_epoch_batch(late, 1, 1, 500, NULL), 1);
}

TEST(one_request_lists_each_topic_once_and_answers_match_back) {
    kfk_cpart a = waiting("a", 0, 1, 0), b = waiting("a", 2, 1, 0), d = waiting("b", 1, 1, 0);
    d.val_sent = 9;
    d.pos_epoch = 8;
    kfk_cpart *parts[] = {&a, &b, &d};
    kfk_arena arena = {0};
    kfk_offset_for_leader_epoch_request m;
    REQUIRE_EQ(kfk_epoch_request_fill(&m, parts, 3, &arena), 0);
    CHECK_EQ(m.replica_id, -1);
    REQUIRE_EQ(m.topics.count, 2);
    CHECK(m.topics.items[0].topic.len == 1 && m.topics.items[0].topic.ptr[0] == 'a');
    REQUIRE_EQ(m.topics.items[0].partitions.count, 2);
    CHECK_EQ(m.topics.items[0].partitions.items[1].partition, 2);
    CHECK_EQ(m.topics.items[0].partitions.items[1].current_leader_epoch, 7);
    CHECK_EQ(m.topics.items[0].partitions.items[1].leader_epoch, 4);
    REQUIRE_EQ(m.topics.items[1].partitions.count, 1);
    CHECK_EQ(m.topics.items[1].partitions.items[0].current_leader_epoch, 9);
    CHECK_EQ(m.topics.items[1].partitions.items[0].leader_epoch, 8);

    /* Through the v4 codec, answered as a broker would, in another order. */
    kfk_wbuf w = {0};
    REQUIRE_EQ(kfk_offset_for_leader_epoch_request_encode(&w, 4, &m), 0);
    kfk_wbuf_free(&w);
    kfk_offset_for_leader_epoch_response_epoch_end_offset ea[] = {
        {.partition = 2, .leader_epoch = 4, .end_offset = 30},
        {.partition = 0, .error_code = KFK_ERR_FENCED_LEADER_EPOCH, .leader_epoch = -1,
         .end_offset = -1}};
    kfk_offset_for_leader_epoch_response_offset_for_leader_topic_result tr[] = {
        {.topic = {"a", 1}, .partitions = {ea, 2}}};
    kfk_offset_for_leader_epoch_response r = {.topics = {tr, 1}};
    const kfk_offset_for_leader_epoch_response_epoch_end_offset *e = kfk_epoch_answer(&r, &b);
    REQUIRE(e != NULL);
    CHECK_EQ(e->end_offset, 30);
    e = kfk_epoch_answer(&r, &a);
    REQUIRE(e != NULL);
    CHECK_EQ(e->error_code, KFK_ERR_FENCED_LEADER_EPOCH);
    CHECK(kfk_epoch_answer(&r, &d) == NULL); /* missing: the caller treats it as malformed */
    kfk_arena_reset(&arena);
}
