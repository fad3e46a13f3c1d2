/* The mock's followers without sockets: the preferred read replica a
 * leader names (rack, Fetch version, a follower down), the follower's own
 * watermarks, and ListOffsets naming the epoch of the batch it answers. */
#include "kfk.h"
#include "mock/mock_int.h"
#include "proto/proto.h"
#include "records/batch.h"
#include "test.h"

#include "mock_call.h"

/* Three brokers; "f" has one partition led by broker 1, replicas 1 and 2. */
static kfk_mock *new_mock(void) {
    int ports[3] = {9001, 9002, 9003};
    kfk_mock *m = kfk_mock_new(3, "127.0.0.1", ports, 0);
    if (m) kfk_mock_create_topic(m, "f", 1, 2);
    return m;
}

/* One batch of one record at timestamp ts; its base offset. */
static int64_t produce_ts(kfk_mock *m, int64_t ts) {
    kfk_wbuf w = {0};
    kfk_batch_builder b;
    kfk_batch_builder_init(&b, &w);
    kfk_batch_append(&b, ts, (kfk_bytes){NULL, -1}, (kfk_bytes){(const uint8_t *)"v", 1}, NULL, 0);
    kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
    kfk_batch_finish(&b, &o, NULL);
    int64_t base = -1;
    CHECK_EQ(produce(m, 1, "f", 0, &w, 1, &base), 0);
    kfk_wbuf_free(&w);
    return base;
}

static int64_t produce1(kfk_mock *m) { return produce_ts(m, 100); }

/* Fetch v at broker from offset with rack (NULL: none); the partition's answer. */
static kfk_fetch_response_partition_data fetch(kfk_mock *m, int32_t broker, int16_t v,
                                               int64_t offset, const char *rack) {
    kfk_fetch_request q;
    kfk_fetch_request_init(&q);
    q.max_wait_ms = 0;
    q.max_bytes = 1 << 20;
    q.rack_id = rack ? kfk_str_of(rack) : (kfk_str){"", 0};
    kfk_fetch_request_partition qp = {.partition = 0, .current_leader_epoch = -1,
                                      .fetch_offset = offset, .last_fetched_epoch = -1,
                                      .log_start_offset = -1, .partition_max_bytes = 1 << 20};
    kfk_fetch_request_topic qt = {.topic = kfk_str_of("f")};
    qt.topic_id = mock_topic_find(m, kfk_str_of("f"))->id;
    qt.partitions.items = &qp;
    qt.partitions.count = 1;
    q.topics.items = &qt;
    q.topics.count = 1;
    kfk_fetch_response r;
    kfk_fetch_response_partition_data none = {.error_code = -99};
    if (call(m, broker, KFK_API_FETCH, v, &q, &r) != KFK_MOCK_REPLY || r.responses.count != 1 ||
        r.responses.items[0].partitions.count != 1)
        return none;
    return r.responses.items[0].partitions.items[0];
}

/* ListOffsets v7 at broker for "f" partition 0 at timestamp want: the
 * partition's error, *offset and *epoch its answer. */
static int list_at(kfk_mock *m, int32_t broker, int64_t want, int64_t *offset, int32_t *epoch) {
    kfk_list_offsets_request q;
    kfk_list_offsets_request_init(&q);
    kfk_list_offsets_request_partition qp = {.partition_index = 0, .current_leader_epoch = -1,
                                             .timestamp = want};
    kfk_list_offsets_request_topic qt = {.name = kfk_str_of("f")};
    qt.partitions.items = &qp;
    qt.partitions.count = 1;
    q.topics.items = &qt;
    q.topics.count = 1;
    kfk_list_offsets_response r;
    *offset = -99;
    *epoch = -99;
    if (call(m, broker, KFK_API_LIST_OFFSETS, 7, &q, &r) != KFK_MOCK_REPLY) return -99;
    *offset = r.topics.items[0].partitions.items[0].offset;
    *epoch = r.topics.items[0].partitions.items[0].leader_epoch;
    return r.topics.items[0].partitions.items[0].error_code;
}

TEST(leader_names_the_follower_to_clients_of_its_rack) {
    kfk_mock *m = new_mock();
    REQUIRE(m);
    for (int i = 0; i < 3; i++) CHECK_EQ(produce1(m), i);
    /* No follower: the leader serves everyone. */
    kfk_fetch_response_partition_data r = fetch(m, 1, 11, 0, "r2");
    CHECK_EQ(r.error_code, 0);
    CHECK_EQ(r.preferred_read_replica, -1);
    CHECK(r.records.len > 0);
    REQUIRE_EQ(kfk_mock_set_follower(m, "f", 0, 2), 0);
    /* A follower without a rack matches any rack: no records, the watermarks. */
    r = fetch(m, 1, 11, 0, "r2");
    CHECK_EQ(r.error_code, 0);
    CHECK_EQ(r.preferred_read_replica, 2);
    CHECK_EQ(r.high_watermark, 3);
    CHECK(r.records.len <= 0);
    /* A client without a rack, or a Fetch before v11, stays on the leader. */
    r = fetch(m, 1, 11, 0, NULL);
    CHECK_EQ(r.preferred_read_replica, -1);
    CHECK(r.records.len > 0);
    r = fetch(m, 1, 10, 0, "r2");
    CHECK_EQ(r.preferred_read_replica, -1);
    CHECK(r.records.len > 0);
    /* With racks: only the follower's own. */
    REQUIRE_EQ(kfk_mock_set_rack(m, 2, "r2"), 0);
    CHECK_EQ(fetch(m, 1, 11, 0, "r2").preferred_read_replica, 2);
    CHECK_EQ(fetch(m, 1, 11, 0, "r1").preferred_read_replica, -1);
    CHECK_EQ(fetch(m, 1, 11, 0, "r").preferred_read_replica, -1);
    /* A follower down is not named. */
    REQUIRE_EQ(kfk_mock_set_down(m, 2, 1), 0);
    CHECK_EQ(fetch(m, 1, 11, 0, "r2").preferred_read_replica, -1);
    REQUIRE_EQ(kfk_mock_set_down(m, 2, 0), 0);
    /* Nor one whose log does not hold the fetch offset. */
    REQUIRE_EQ(kfk_mock_set_follower_wmarks(m, "f", 0, 1, 2), 0);
    CHECK_EQ(fetch(m, 1, 11, 0, "r2").preferred_read_replica, -1);
    CHECK_EQ(fetch(m, 1, 11, 1, "r2").preferred_read_replica, 2);
    CHECK_EQ(fetch(m, 1, 11, 2, "r2").preferred_read_replica, 2);
    CHECK_EQ(fetch(m, 1, 11, 3, "r2").preferred_read_replica, -1);
    REQUIRE_EQ(kfk_mock_set_follower_wmarks(m, "f", 0, -1, -1), 0);
    /* None again. */
    REQUIRE_EQ(kfk_mock_set_follower(m, "f", 0, -1), 0);
    CHECK_EQ(fetch(m, 1, 11, 0, "r2").preferred_read_replica, -1);
    /* Another broker answers NOT_LEADER_OR_FOLLOWER, naming the leader. */
    r = fetch(m, 3, 12, 0, "r2");
    CHECK_EQ(r.error_code, KFK_ERR_NOT_LEADER_OR_FOLLOWER);
    CHECK_EQ(r.current_leader.leader_id, 1);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

TEST(follower_serves_within_its_own_watermarks) {
    kfk_mock *m = new_mock();
    REQUIRE(m);
    for (int i = 0; i < 10; i++) CHECK_EQ(produce1(m), i);
    /* Broker 3 is no replica: naming it makes it one. */
    REQUIRE_EQ(kfk_mock_set_follower(m, "f", 0, 3), 0);
    const mock_part *p = &mock_topic_find(m, kfk_str_of("f"))->parts[0];
    CHECK_EQ(p->nreplicas, 3);
    CHECK_EQ(p->replicas[2], 3);
    REQUIRE_EQ(kfk_mock_set_follower_wmarks(m, "f", 0, 2, 7), 0);
    kfk_fetch_response_partition_data r = fetch(m, 3, 12, 2, "r");
    CHECK_EQ(r.error_code, 0);
    CHECK_EQ(r.high_watermark, 7);
    CHECK_EQ(r.log_start_offset, 2);
    CHECK_EQ(r.last_stable_offset, 7);
    CHECK_EQ(r.preferred_read_replica, -1);
    /* Records 2..6: five one-record batches. */
    kfk_rbuf rb = kfk_rbuf_make(r.records.ptr, r.records.len > 0 ? (size_t)r.records.len : 0);
    int batches = 0;
    int64_t last = -1;
    while (kfk_rbuf_left(&rb) >= 12) {
        last = kfk_rd_i64(&rb);
        int32_t len = kfk_rd_i32(&rb);
        if (!kfk_rbuf_take(&rb, (size_t)len)) break;
        batches++;
    }
    CHECK_EQ(batches, 5);
    CHECK_EQ(last, 6);
    /* At its end: nothing yet; past it or below its start: out of range. */
    CHECK_EQ(fetch(m, 3, 12, 7, "r").error_code, 0);
    CHECK(fetch(m, 3, 12, 7, "r").records.len <= 0);
    CHECK_EQ(fetch(m, 3, 12, 8, "r").error_code, KFK_ERR_OFFSET_OUT_OF_RANGE);
    CHECK_EQ(fetch(m, 3, 12, 1, "r").error_code, KFK_ERR_OFFSET_OUT_OF_RANGE);
    /* The leader still serves all of it (to a client it does not redirect). */
    CHECK_EQ(fetch(m, 1, 12, 9, NULL).error_code, 0);
    /* -1: the leader's, as they move. */
    REQUIRE_EQ(kfk_mock_set_follower_wmarks(m, "f", 0, -1, -1), 0);
    r = fetch(m, 3, 12, 8, "r");
    CHECK_EQ(r.error_code, 0);
    CHECK_EQ(r.high_watermark, 10);
    CHECK_EQ(r.log_start_offset, 0);
    CHECK_EQ(produce1(m), 10);
    CHECK_EQ(fetch(m, 3, 12, 10, "r").high_watermark, 11);
    /* A high watermark past the leader's is held to it. */
    REQUIRE_EQ(kfk_mock_set_follower_wmarks(m, "f", 0, -1, 50), 0);
    CHECK_EQ(fetch(m, 3, 12, 0, "r").high_watermark, 11);
    CHECK_EQ(fetch(m, 3, 12, 12, "r").error_code, KFK_ERR_OFFSET_OUT_OF_RANGE);
    /* The follower is no leader for anything else. */
    int64_t off;
    int32_t epoch;
    CHECK_EQ(list_at(m, 3, -1, &off, &epoch), KFK_ERR_NOT_LEADER_OR_FOLLOWER);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

TEST(follower_arguments_are_checked) {
    kfk_mock *m = new_mock();
    REQUIRE(m);
    CHECK_EQ(kfk_mock_set_follower(m, "nope", 0, 2), -1);
    CHECK_EQ(kfk_mock_set_follower(m, "f", 1, 2), -1);
    CHECK_EQ(kfk_mock_set_follower(m, "f", 0, 0), -1);
    CHECK_EQ(kfk_mock_set_follower(m, "f", 0, -2), -1);
    CHECK_EQ(kfk_mock_set_follower(m, NULL, 0, 2), -1);
    /* An id the cluster lacks is taken (clients cannot reach it), not made a replica. */
    CHECK_EQ(kfk_mock_set_follower(m, "f", 0, 19), 0);
    CHECK_EQ(mock_topic_find(m, kfk_str_of("f"))->parts[0].nreplicas, 2);
    CHECK_EQ(fetch(m, 1, 11, 0, "any").preferred_read_replica, 19);
    CHECK_EQ(kfk_mock_set_follower_wmarks(m, "f", 0, 5, 4), -1);
    CHECK_EQ(kfk_mock_set_follower_wmarks(m, "f", 0, -2, 4), -1);
    CHECK_EQ(kfk_mock_set_follower_wmarks(m, "f", 0, 0, -2), -1);
    CHECK_EQ(kfk_mock_set_follower_wmarks(m, "g", 0, 0, 1), -1);
    CHECK_EQ(kfk_mock_set_follower_wmarks(m, "f", 0, 4, 4), 0);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

TEST(list_offsets_names_the_epoch_of_the_batch_holding_the_offset) {
    kfk_mock *m = new_mock();
    REQUIRE(m);
    CHECK_EQ(produce_ts(m, 100), 0); /* epoch 0 */
    REQUIRE_EQ(kfk_mock_set_leader(m, "f", 0, 1), 0);
    CHECK_EQ(produce_ts(m, 101), 1); /* epoch 1 */
    REQUIRE_EQ(kfk_mock_set_leader(m, "f", 0, 1), 0);
    CHECK_EQ(produce_ts(m, 102), 2); /* epoch 2 */
    REQUIRE_EQ(kfk_mock_set_leader(m, "f", 0, 1), 0); /* epoch 3: no batch yet */
    int64_t off;
    int32_t epoch;
    CHECK_EQ(list_at(m, 1, 101, &off, &epoch), 0); /* the first record at or after 101 */
    CHECK_EQ(off, 1);
    CHECK_EQ(epoch, 1);
    CHECK_EQ(list_at(m, 1, -2, &off, &epoch), 0);
    CHECK_EQ(off, 0);
    CHECK_EQ(epoch, 0);
    CHECK_EQ(list_at(m, 1, -3, &off, &epoch), 0); /* max timestamp */
    CHECK_EQ(off, 2);
    CHECK_EQ(epoch, 2);
    CHECK_EQ(list_at(m, 1, -1, &off, &epoch), 0); /* the log end: the current epoch */
    CHECK_EQ(off, 3);
    CHECK_EQ(epoch, 3);
    CHECK_EQ(list_at(m, 1, 103, &off, &epoch), 0); /* none */
    CHECK_EQ(off, -1);
    CHECK_EQ(epoch, -1);
    REQUIRE_EQ(kfk_mock_truncate(m, "f", 0, 1), 0); /* epoch 4 starts at 1 */
    CHECK_EQ(produce_ts(m, 105), 1);
    CHECK_EQ(list_at(m, 1, 104, &off, &epoch), 0);
    CHECK_EQ(off, 1);
    CHECK_EQ(epoch, 4);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}
