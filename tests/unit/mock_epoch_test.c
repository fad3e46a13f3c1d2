/* The mock's leader epochs without sockets: the history leader moves and
 * truncations write, OffsetForLeaderEpoch's end offsets and epoch checks
 * as Kafka answers them, and Fetch's diverging epoch (v12+). */
#include "kfk.h"
#include "mock/mock_int.h"
#include "proto/proto.h"
#include "records/batch.h"
#include "test.h"

#include "mock_call.h"

static kfk_mock *new_mock(void) {
    int ports[2] = {9001, 9002};
    kfk_mock *m = kfk_mock_new(2, "127.0.0.1", ports, 0);
    kfk_mock_create_topic(m, "e", 1, 1); /* led by broker 1 */
    return m;
}

/* One batch of n records to partition 0; its base offset. */
static int64_t produce_n(kfk_mock *m, int n) {
    kfk_wbuf w = {0};
    kfk_batch_builder b;
    kfk_batch_builder_init(&b, &w);
    for (int i = 0; i < n; i++)
        kfk_batch_append(&b, 1, (kfk_bytes){NULL, -1}, (kfk_bytes){(const uint8_t *)"v", 1}, NULL, 0);
    kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
    kfk_batch_finish(&b, &o, NULL);
    int64_t base = -1;
    CHECK_EQ(produce(m, 1, "e", 0, &w, 1, &base), 0);
    kfk_wbuf_free(&w);
    return base;
}

/* OffsetForLeaderEpoch v for partition `part` of "e" at broker. */
static kfk_offset_for_leader_epoch_response_epoch_end_offset
ofle_at(kfk_mock *m, int32_t broker, int16_t v, int32_t part, int32_t current, int32_t epoch) {
    kfk_offset_for_leader_epoch_request q;
    kfk_offset_for_leader_epoch_request_init(&q);
    kfk_offset_for_leader_epoch_request_offset_for_leader_partition qp = {part, current, epoch};
    kfk_offset_for_leader_epoch_request_offset_for_leader_topic qt = {.topic = kfk_str_of("e")};
    qt.partitions.items = &qp;
    qt.partitions.count = 1;
    q.topics.items = &qt;
    q.topics.count = 1;
    kfk_offset_for_leader_epoch_response r;
    kfk_offset_for_leader_epoch_response_epoch_end_offset none = {.error_code = -99};
    if (call(m, broker, KFK_API_OFFSET_FOR_LEADER_EPOCH, v, &q, &r) != KFK_MOCK_REPLY) return none;
    CHECK_EQ(r.topics.count, 1);
    if (r.topics.count != 1 || r.topics.items[0].partitions.count != 1) return none;
    CHECK_EQ(r.topics.items[0].partitions.items[0].partition, part);
    return r.topics.items[0].partitions.items[0];
}

static kfk_offset_for_leader_epoch_response_epoch_end_offset ofle(kfk_mock *m, int32_t epoch) {
    return ofle_at(m, 1, 4, 0, -1, epoch);
}

#define CHECK_END(r, err, epoch, offset)                                                           \
    do {                                                                                           \
        kfk_offset_for_leader_epoch_response_epoch_end_offset r_ = (r);                            \
        CHECK_EQ(r_.error_code, (err));                                                            \
        CHECK_EQ(r_.leader_epoch, (epoch));                                                        \
        CHECK_EQ(r_.end_offset, (offset));                                                         \
    } while (0)

TEST(epoch_end_offsets_follow_leader_moves_and_truncations) {
    kfk_mock *m = new_mock();
    REQUIRE(m);
    CHECK_END(ofle(m, 0), 0, 0, 0); /* the current epoch ends at the log end */
    for (int i = 0; i < 3; i++) CHECK_EQ(produce_n(m, 1), i);
    REQUIRE_EQ(kfk_mock_set_leader(m, "e", 0, 1), 0); /* a new epoch on the same broker */
    CHECK_EQ(produce_n(m, 1), 3);
    CHECK_EQ(produce_n(m, 1), 4);
    CHECK_END(ofle(m, 0), 0, 0, 3); /* ends where epoch 1 starts */
    CHECK_END(ofle(m, 1), 0, 1, 5);
    CHECK_END(ofle(m, 2), 0, -1, -1); /* above every known epoch */
    CHECK_END(ofle(m, -1), 0, -1, -1);
    /* Offsets 4.. go; epoch 2 starts at 4. */
    REQUIRE_EQ(kfk_mock_truncate(m, "e", 0, 4), 0);
    int64_t start, hw;
    REQUIRE_EQ(kfk_mock_offsets(m, "e", 0, &start, &hw), 0);
    CHECK_EQ(start, 0);
    CHECK_EQ(hw, 4);
    CHECK_END(ofle(m, 1), 0, 1, 4);
    CHECK_END(ofle(m, 2), 0, 2, 4);
    CHECK_EQ(produce_n(m, 1), 4);
    CHECK_END(ofle(m, 2), 0, 2, 5);
    /* Cut where epoch 1 started: epochs 1 and 2 leave the history, so
     * asking for either names epoch 0, which ends at 3. */
    REQUIRE_EQ(kfk_mock_truncate(m, "e", 0, 3), 0);
    CHECK_END(ofle(m, 1), 0, 0, 3);
    CHECK_END(ofle(m, 2), 0, 0, 3);
    CHECK_END(ofle(m, 3), 0, 3, 3);
    /* Appends after a cut carry the new epoch. */
    CHECK_EQ(produce_n(m, 1), 3);
    const mock_part *p = &mock_topic_find(m, kfk_str_of("e"))->parts[0];
    const mock_batch *b = &p->batches[p->bcount - 1];
    CHECK_EQ(b->base, 3);
    const uint8_t *e = p->log + b->pos + 12;
    CHECK_EQ((int32_t)((uint32_t)e[0] << 24 | (uint32_t)e[1] << 16 | (uint32_t)e[2] << 8 | e[3]), 3);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

TEST(epoch_below_every_known_one_ends_where_the_first_known_starts) {
    kfk_mock *m = new_mock();
    REQUIRE(m);
    mock_part *p = &mock_topic_find(m, kfk_str_of("e"))->parts[0];
    REQUIRE_EQ(mock_epoch_new(p, 5, 0), 0); /* epochs 0..4 long gone */
    for (int i = 0; i < 4; i++) produce_n(m, 1);
    REQUIRE_EQ(mock_epoch_new(p, 7, 4), 0);
    CHECK_END(ofle(m, 3), 0, 3, 0);
    CHECK_END(ofle(m, 6), 0, 5, 4); /* between: the floor epoch */
    CHECK_END(ofle(m, 7), 0, 7, 4);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

TEST(truncate_cuts_whole_batches_and_refuses_offsets_outside_the_log) {
    kfk_mock *m = new_mock();
    REQUIRE(m);
    CHECK_EQ(produce_n(m, 2), 0);
    CHECK_EQ(produce_n(m, 3), 2);
    CHECK_EQ(kfk_mock_truncate(m, "e", 0, 6), -1); /* past the high watermark */
    CHECK_EQ(kfk_mock_truncate(m, "e", 1, 0), -1);
    CHECK_EQ(kfk_mock_truncate(m, "nope", 0, 0), -1);
    uint64_t dv = kfk_mock_data_version(m);
    REQUIRE_EQ(kfk_mock_truncate(m, "e", 0, 3), 0); /* inside the batch 2..4 */
    CHECK(kfk_mock_data_version(m) > dv);
    int64_t start, hw;
    REQUIRE_EQ(kfk_mock_offsets(m, "e", 0, &start, &hw), 0);
    CHECK_EQ(hw, 2);
    CHECK_END(ofle(m, 0), 0, 0, 2);
    CHECK_END(ofle(m, 1), 0, 1, 2);
    /* Truncating at the log end loses nothing: only a new epoch. */
    REQUIRE_EQ(kfk_mock_truncate(m, "e", 0, 2), 0);
    REQUIRE_EQ(kfk_mock_offsets(m, "e", 0, &start, &hw), 0);
    CHECK_EQ(hw, 2);
    CHECK_END(ofle(m, 2), 0, 2, 2);
    REQUIRE_EQ(kfk_mock_truncate(m, "e", 0, 0), 0); /* everything */
    REQUIRE_EQ(kfk_mock_offsets(m, "e", 0, &start, &hw), 0);
    CHECK_EQ(hw, 0);
    CHECK_EQ(produce_n(m, 1), 0);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

TEST(offset_for_leader_epoch_checks_the_current_epoch_and_the_leader) {
    kfk_mock *m = new_mock();
    REQUIRE(m);
    produce_n(m, 1);
    REQUIRE_EQ(kfk_mock_truncate(m, "e", 0, 1), 0); /* epoch 1 */
    CHECK_END(ofle_at(m, 1, 3, 0, 1, 0), 0, 0, 1);
    CHECK_END(ofle_at(m, 1, 2, 0, 1, 0), 0, 0, 1); /* librdkafka's version */
    CHECK_END(ofle_at(m, 1, 4, 0, 0, 0), KFK_ERR_FENCED_LEADER_EPOCH, -1, -1);
    CHECK_END(ofle_at(m, 1, 4, 0, 2, 0), KFK_ERR_UNKNOWN_LEADER_EPOCH, -1, -1);
    CHECK_END(ofle_at(m, 2, 4, 0, 1, 0), KFK_ERR_NOT_LEADER_OR_FOLLOWER, -1, -1);
    CHECK_END(ofle_at(m, 1, 4, 3, -1, 0), KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION, -1, -1);
    /* An injected error answers every partition. */
    REQUIRE_EQ(kfk_mock_push_error(m, 1, KFK_API_OFFSET_FOR_LEADER_EPOCH, 1, KFK_ERR_KAFKA_STORAGE_ERROR), 0);
    CHECK_END(ofle(m, 0), KFK_ERR_KAFKA_STORAGE_ERROR, -1, -1);
    CHECK_END(ofle(m, 0), 0, 0, 1);
    /* Versions below 2 are Kafka 3's, not served. */
    kfk_offset_for_leader_epoch_response_epoch_end_offset r = ofle_at(m, 1, 1, 0, -1, 0);
    CHECK_EQ(r.error_code, -99);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

/* A Fetch of "e" partition 0 at offset with the given epochs. */
static kfk_fetch_response_partition_data fetch(kfk_mock *m, int16_t v, int64_t offset,
                                               int32_t current, int32_t last) {
    kfk_fetch_request q;
    kfk_fetch_request_init(&q);
    kfk_fetch_request_partition qp = {.partition = 0, .current_leader_epoch = current,
                                      .fetch_offset = offset, .last_fetched_epoch = last,
                                      .log_start_offset = -1, .partition_max_bytes = 1 << 20,
                                      .high_watermark = INT64_MAX};
    kfk_fetch_request_topic qt = {.topic = kfk_str_of("e"),
                                  .topic_id = mock_topic_find(m, kfk_str_of("e"))->id};
    qt.partitions.items = &qp;
    qt.partitions.count = 1;
    q.max_wait_ms = 0;
    q.session_epoch = -1;
    q.topics.items = &qt;
    q.topics.count = 1;
    kfk_fetch_response r;
    kfk_fetch_response_partition_data none = {.error_code = -99};
    if (call(m, 1, KFK_API_FETCH, v, &q, &r) != KFK_MOCK_REPLY) return none;
    CHECK_EQ(r.responses.count, 1);
    if (r.responses.count != 1 || r.responses.items[0].partitions.count != 1) return none;
    return r.responses.items[0].partitions.items[0];
}

TEST(fetch_answers_fenced_unknown_and_diverging_epochs) {
    kfk_mock *m = new_mock();
    REQUIRE(m);
    for (int i = 0; i < 10; i++) produce_n(m, 1);
    REQUIRE_EQ(kfk_mock_truncate(m, "e", 0, 6), 0); /* epoch 0 ends at 6 now */
    for (int i = 0; i < 6; i++) produce_n(m, 1);
    kfk_fetch_response_partition_data d = fetch(m, 12, 10, 0, 0);
    CHECK_EQ(d.error_code, KFK_ERR_FENCED_LEADER_EPOCH);
    d = fetch(m, 12, 10, 2, 0);
    CHECK_EQ(d.error_code, KFK_ERR_UNKNOWN_LEADER_EPOCH);
    /* Past where epoch 0 ends: no records, where it diverged. */
    d = fetch(m, 12, 10, 1, 0);
    CHECK_EQ(d.error_code, 0);
    CHECK_EQ(d.diverging_epoch.epoch, 0);
    CHECK_EQ(d.diverging_epoch.end_offset, 6);
    CHECK_EQ(d.high_watermark, 12);
    CHECK(d.records.len <= 0);
    d = fetch(m, 12, 10, -1, 0); /* no current epoch: still checked */
    CHECK_EQ(d.diverging_epoch.end_offset, 6);
    /* Past the log end too: the divergence comes first. */
    REQUIRE_EQ(kfk_mock_truncate(m, "e", 0, 8), 0);
    d = fetch(m, 12, 10, 2, 1);
    CHECK_EQ(d.error_code, 0);
    CHECK_EQ(d.diverging_epoch.epoch, 1);
    CHECK_EQ(d.diverging_epoch.end_offset, 8);
    /* A last epoch newer than any: it ends nowhere. */
    d = fetch(m, 12, 8, -1, 9);
    CHECK_EQ(d.diverging_epoch.epoch, -1);
    CHECK_EQ(d.diverging_epoch.end_offset, -1);
    /* Up to where the epoch ends: records as usual. */
    d = fetch(m, 12, 6, 2, 0);
    CHECK_EQ(d.error_code, 0);
    CHECK_EQ(d.diverging_epoch.epoch, -1);
    CHECK(d.records.len > 0);
    d = fetch(m, 12, 8, 2, 2);
    CHECK_EQ(d.diverging_epoch.epoch, -1);
    CHECK_EQ(d.error_code, 0);
    /* Before v12 a Fetch names no last epoch: nothing to check. */
    d = fetch(m, 11, 7, 2, -1);
    CHECK_EQ(d.diverging_epoch.epoch, -1);
    CHECK(d.records.len > 0);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

/* One batch of an idempotent producer: its error. */
static int produce_seq(kfk_mock *m, int64_t pid, int32_t seq) {
    kfk_wbuf w = {0};
    kfk_batch_builder b;
    kfk_batch_builder_init(&b, &w);
    kfk_batch_append(&b, 1, (kfk_bytes){NULL, -1}, (kfk_bytes){(const uint8_t *)"v", 1}, NULL, 0);
    kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
    o.producer_id = pid;
    o.producer_epoch = 0;
    o.base_sequence = seq;
    kfk_batch_finish(&b, &o, NULL);
    int rc = produce(m, 1, "e", 0, &w, -1, NULL);
    kfk_wbuf_free(&w);
    return rc;
}

TEST(truncation_rebuilds_producer_sequences_from_the_log) {
    kfk_mock *m = new_mock();
    REQUIRE(m);
    kfk_init_producer_id_request q;
    kfk_init_producer_id_request_init(&q);
    q.transactional_id = (kfk_str){NULL, -1};
    kfk_init_producer_id_response r;
    REQUIRE_EQ(call(m, 1, KFK_API_INIT_PRODUCER_ID, 4, &q, &r), KFK_MOCK_REPLY);
    int64_t pid = r.producer_id;
    for (int i = 0; i < 20; i++) CHECK_EQ(produce_seq(m, pid, i), 0);
    /* 12..19 go, more than the batches remembered for duplicates: the next
     * sequence is the one after the last batch left, as Kafka's. */
    REQUIRE_EQ(kfk_mock_truncate(m, "e", 0, 12), 0);
    CHECK_EQ(produce_seq(m, pid, 20), KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    CHECK_EQ(produce_seq(m, pid, 0), KFK_ERR_DUPLICATE_SEQUENCE_NUMBER); /* behind */
    CHECK_EQ(produce_seq(m, pid, 11), 0); /* a duplicate of offset 11 */
    int64_t start, hw;
    REQUIRE_EQ(kfk_mock_offsets(m, "e", 0, &start, &hw), 0);
    CHECK_EQ(hw, 12);
    CHECK_EQ(produce_seq(m, pid, 12), 0);
    /* All of its batches go: it may start anywhere. */
    REQUIRE_EQ(kfk_mock_truncate(m, "e", 0, 0), 0);
    CHECK_EQ(produce_seq(m, pid, 40), 0);
    CHECK_EQ(produce_seq(m, pid, 42), KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    CHECK_EQ(produce_seq(m, pid, 41), 0);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}
