/* The mock cluster's protocol logic without sockets: requests encoded with
 * the generated codecs go in, responses are decoded and checked. */
#include <stdlib.h>

#include "core/alloc.h"
#include "kfk.h"
#include "mock/mock_int.h"
#include "proto/proto.h"
#include "records/batch.h"
#include "test.h"

#include "mock_call.h"

static kfk_mock *new_mock(int n, size_t max_bytes) {
    int ports[3] = {9001, 9002, 9003};
    return kfk_mock_new(n, "127.0.0.1", ports, max_bytes);
}

/* A batch of n records "v<first+i>" at timestamps ts0 + i. */
static void make_batch(kfk_wbuf *w, int n, int first, int64_t ts0, int64_t pid, int16_t epoch,
                       int32_t seq) {
    kfk_batch_builder b;
    kfk_batch_builder_init(&b, w);
    for (int i = 0; i < n; i++) {
        char v[16];
        int len = snprintf(v, sizeof v, "v%d", first + i);
        kfk_batch_append(&b, ts0 + i, (kfk_bytes){NULL, -1}, (kfk_bytes){(const uint8_t *)v, len}, NULL, 0);
    }
    kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
    o.producer_id = pid;
    o.producer_epoch = epoch;
    o.base_sequence = seq;
    kfk_batch_finish(&b, &o, NULL);
}

/* Fetches t/p from offset at v12; returns the handle result, *out the
 * partition's answer. */
static int fetch(kfk_mock *m, int32_t broker, const char *t, int32_t p, int64_t offset,
                 int32_t part_max, int32_t min_bytes, int64_t now,
                 kfk_fetch_response_partition_data *out) {
    kfk_fetch_request q;
    kfk_fetch_request_init(&q);
    kfk_fetch_request_partition qp = {.partition = p, .current_leader_epoch = -1,
                                      .fetch_offset = offset, .last_fetched_epoch = -1,
                                      .log_start_offset = -1, .partition_max_bytes = part_max,
                                      .high_watermark = INT64_MAX};
    kfk_fetch_request_topic qt = {.topic = kfk_str_of(t)};
    qt.partitions.items = &qp;
    qt.partitions.count = 1;
    q.max_wait_ms = 500;
    q.min_bytes = min_bytes;
    q.topics.items = &qt;
    q.topics.count = 1;
    kfk_fetch_response r;
    int rc = call_at(m, broker, KFK_API_FETCH, 12, &q, &r, now, now ? 0 : -1);
    if (rc == KFK_MOCK_REPLY) {
        CHECK_EQ(r.session_id, 0);
        if (r.responses.count != 1 || r.responses.items[0].partitions.count != 1) return -3000;
        *out = r.responses.items[0].partitions.items[0];
    }
    return rc;
}

static int64_t be64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | p[i];
    return (int64_t)v;
}

TEST(api_versions_lists_the_apis) {
    kfk_mock *m = new_mock(1, 0);
    kfk_api_versions_request q;
    kfk_api_versions_request_init(&q);
    kfk_api_versions_response r;
    REQUIRE_EQ(call(m, 1, KFK_API_API_VERSIONS, 3, &q, &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.error_code, 0);
    int produce_seen = 0;
    for (int i = 0; i < r.api_keys.count; i++) {
        if (r.api_keys.items[i].api_key != KFK_API_PRODUCE) continue;
        produce_seen = 1;
        CHECK_EQ(r.api_keys.items[i].min_version, 3);
        CHECK_EQ(r.api_keys.items[i].max_version, kfk_api_info_get(KFK_API_PRODUCE)->max_version);
    }
    CHECK(produce_seen);
    CHECK(r.api_keys.count >= 10);
    /* A version from the future: answered at v0 with the error and the list. */
    kfk_wbuf w = {0}, out = {0};
    kfk_wr_i16(&w, KFK_API_API_VERSIONS);
    kfk_wr_i16(&w, 99);
    kfk_wr_i32(&w, 5);
    kfk_wr_i16(&w, -1);
    REQUIRE_EQ(kfk_mock_handle(m, 1, w.data, w.len, 0, -1, &out), KFK_MOCK_REPLY);
    kfk_rbuf rb = kfk_rbuf_make(out.data + 4, out.len - 4);
    CHECK_EQ(kfk_rd_i32(&rb), 5);
    CHECK_EQ(kfk_rd_i16(&rb), KFK_ERR_UNSUPPORTED_VERSION);
    kfk_wbuf_free(&w);
    kfk_wbuf_free(&out);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

TEST(malformed_and_unknown_requests_close) {
    kfk_mock *m = new_mock(1, 0);
    kfk_wbuf out = {0};
    const uint8_t junk[] = {0, 3, 0, 1, 0, 0, 0, 1, 0, 9, 'x'};
    CHECK(kfk_mock_handle(m, 1, junk, sizeof junk, 0, -1, &out) < 0);
    const uint8_t unknown[] = {0x7f, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff};
    CHECK(kfk_mock_handle(m, 1, unknown, sizeof unknown, 0, -1, &out) < 0);
    CHECK_EQ(out.len, 0);
    kfk_wbuf_free(&out);
    kfk_mock_free(m);
}

TEST(metadata_names_leaders_replicas_and_auto_creates) {
    kfk_mock *m = new_mock(3, 0);
    REQUIRE_EQ(kfk_mock_create_topic(m, "t", 3, 2), 0);
    CHECK_EQ(kfk_mock_create_topic(m, "t", 3, 2), KFK_ERR_TOPIC_ALREADY_EXISTS);
    CHECK_EQ(kfk_mock_create_topic(m, "bad/name", 1, 1), KFK_ERR_INVALID_TOPIC_EXCEPTION);
    kfk_metadata_request q;
    kfk_metadata_request_init(&q);
    kfk_metadata_request_topic ts[2] = {{.name = kfk_str_of("t")}, {.name = kfk_str_of("nope")}};
    q.topics.items = ts;
    q.topics.count = 2;
    q.allow_auto_topic_creation = false;
    kfk_metadata_response r;
    REQUIRE_EQ(call(m, 2, KFK_API_METADATA, 12, &q, &r), KFK_MOCK_REPLY);
    REQUIRE_EQ(r.brokers.count, 3);
    CHECK_EQ(r.brokers.items[2].port, 9003);
    CHECK(kfk_str_eq(r.brokers.items[0].host, "127.0.0.1"));
    REQUIRE_EQ(r.topics.count, 2);
    CHECK_EQ(r.topics.items[0].error_code, 0);
    CHECK(!kfk_uuid_is_zero(&r.topics.items[0].topic_id));
    REQUIRE_EQ(r.topics.items[0].partitions.count, 3);
    for (int p = 0; p < 3; p++) {
        const kfk_metadata_response_partition *mp = &r.topics.items[0].partitions.items[p];
        CHECK_EQ(mp->leader_id, p % 3 + 1);
        REQUIRE_EQ(mp->replica_nodes.count, 2);
        CHECK_EQ(mp->replica_nodes.items[1], (p + 1) % 3 + 1);
    }
    CHECK_EQ(r.topics.items[1].error_code, KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    q.allow_auto_topic_creation = true;
    REQUIRE_EQ(call(m, 2, KFK_API_METADATA, 12, &q, &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.topics.items[1].error_code, 0);
    CHECK_EQ(r.topics.items[1].partitions.count, 1);
    /* Null topics: all of them. */
    q.topics.items = NULL;
    q.topics.count = -1;
    REQUIRE_EQ(call(m, 1, KFK_API_METADATA, 12, &q, &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.topics.count, 2);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

TEST(produce_then_fetch_returns_the_batches_with_offsets_assigned) {
    kfk_mock *m = new_mock(2, 0);
    REQUIRE_EQ(kfk_mock_create_topic(m, "t", 2, 2), 0);
    kfk_wbuf b1 = {0}, b2 = {0};
    make_batch(&b1, 3, 0, 1000, -1, -1, -1);
    make_batch(&b2, 2, 3, 2000, -1, -1, -1);
    int64_t base = -5;
    CHECK_EQ(produce(m, 2, "t", 1, &b1, 1, &base), 0);
    CHECK_EQ(base, 0);
    CHECK_EQ(produce(m, 2, "t", 1, &b2, -1, &base), 0);
    CHECK_EQ(base, 3);
    CHECK_EQ(produce(m, 1, "t", 1, &b2, 1, &base), KFK_ERR_NOT_LEADER_OR_FOLLOWER);
    CHECK_EQ(produce(m, 2, "t", 7, &b2, 1, &base), KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    CHECK_EQ(produce(m, 2, "t", 1, &b2, 0, &base), -1000); /* acks=0: no answer */
    int64_t start, hw;
    REQUIRE_EQ(kfk_mock_offsets(m, "t", 1, &start, &hw), 0);
    CHECK_EQ(start, 0);
    CHECK_EQ(hw, 7);

    kfk_fetch_response_partition_data fp;
    REQUIRE_EQ(fetch(m, 2, "t", 1, 0, 1 << 20, 1, 0, &fp), KFK_MOCK_REPLY);
    CHECK_EQ(fp.error_code, 0);
    CHECK_EQ(fp.high_watermark, 7);
    REQUIRE_EQ(fp.records.len, (int64_t)(b1.len + 2 * b2.len));
    CHECK_EQ(be64(fp.records.ptr), 0);
    CHECK_MEM(fp.records.ptr + 8, b1.data + 8, 4);   /* length */
    CHECK_MEM(fp.records.ptr + 16, b1.data + 16, b1.len - 16); /* magic on */
    CHECK_EQ(be64(fp.records.ptr + b1.len), 3);
    CHECK_MEM(fp.records.ptr + b1.len + 16, b2.data + 16, b2.len - 16);
    CHECK_EQ(be64(fp.records.ptr + b1.len + b2.len), 5);
    /* From the middle of the first batch: the whole batch; a small limit
     * gives the first batch only. */
    REQUIRE_EQ(fetch(m, 2, "t", 1, 1, 10, 1, 0, &fp), KFK_MOCK_REPLY);
    CHECK_EQ(fp.records.len, (int64_t)b1.len);
    REQUIRE_EQ(fetch(m, 2, "t", 1, 3, (int32_t)b2.len, 1, 0, &fp), KFK_MOCK_REPLY);
    CHECK_EQ(fp.records.len, (int64_t)b2.len);
    CHECK_EQ(be64(fp.records.ptr), 3);
    REQUIRE_EQ(fetch(m, 2, "t", 1, 8, 1000, 0, 0, &fp), KFK_MOCK_REPLY);
    CHECK_EQ(fp.error_code, KFK_ERR_OFFSET_OUT_OF_RANGE);
    REQUIRE_EQ(fetch(m, 1, "t", 1, 0, 1000, 0, 0, &fp), KFK_MOCK_REPLY);
    CHECK_EQ(fp.error_code, KFK_ERR_NOT_LEADER_OR_FOLLOWER);
    CHECK_EQ(fp.current_leader.leader_id, 2);
    /* At the high watermark with min bytes: parked until max wait passes. */
    CHECK_EQ(fetch(m, 2, "t", 1, 7, 1000, 1, 100, &fp), KFK_MOCK_PARK);
    REQUIRE_EQ(fetch(m, 2, "t", 1, 7, 1000, 1, 500, &fp), KFK_MOCK_REPLY);
    CHECK_EQ(fp.error_code, 0);
    CHECK_EQ(fp.records.len, 0);
    kfk_wbuf_free(&b1);
    kfk_wbuf_free(&b2);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

TEST(corrupt_batches_are_refused) {
    kfk_mock *m = new_mock(1, 0);
    REQUIRE_EQ(kfk_mock_create_topic(m, "t", 1, 1), 0);
    kfk_wbuf b = {0};
    make_batch(&b, 2, 0, 1000, -1, -1, -1);
    b.data[b.len - 1] ^= 1;
    CHECK_EQ(produce(m, 1, "t", 0, &b, 1, NULL), KFK_ERR_CORRUPT_MESSAGE);
    b.data[b.len - 1] ^= 1;
    b.len -= 3;
    CHECK_EQ(produce(m, 1, "t", 0, &b, 1, NULL), KFK_ERR_CORRUPT_MESSAGE);
    int64_t start, hw;
    kfk_mock_offsets(m, "t", 0, &start, &hw);
    CHECK_EQ(hw, 0);
    kfk_wbuf_free(&b);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

TEST(idempotent_sequences_are_checked) {
    kfk_mock *m = new_mock(1, 0);
    REQUIRE_EQ(kfk_mock_create_topic(m, "t", 1, 1), 0);
    kfk_init_producer_id_request q;
    kfk_init_producer_id_request_init(&q);
    q.transactional_id = (kfk_str){NULL, -1};
    kfk_init_producer_id_response r;
    REQUIRE_EQ(call(m, 1, KFK_API_INIT_PRODUCER_ID, 4, &q, &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.error_code, 0);
    int64_t pid = r.producer_id;
    CHECK(pid >= 0);
    CHECK_EQ(r.producer_epoch, 0);
    kfk_wbuf b[8] = {{0}};
    for (int i = 0; i < 8; i++) make_batch(&b[i], 2, 2 * i, 1000, pid, 0, 2 * i);
    int64_t base = -1;
    CHECK_EQ(produce(m, 1, "t", 0, &b[0], -1, &base), 0);
    CHECK_EQ(base, 0);
    /* A retry of the same batch: success at its first offset, no copy. */
    CHECK_EQ(produce(m, 1, "t", 0, &b[0], -1, &base), 0);
    CHECK_EQ(base, 0);
    CHECK_EQ(produce(m, 1, "t", 0, &b[2], -1, &base), KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    for (int i = 1; i < 8; i++) {
        CHECK_EQ(produce(m, 1, "t", 0, &b[i], -1, &base), 0);
        CHECK_EQ(base, 2 * i);
    }
    /* Older than the five batches remembered. */
    CHECK_EQ(produce(m, 1, "t", 0, &b[1], -1, &base), KFK_ERR_DUPLICATE_SEQUENCE_NUMBER);
    int64_t start, hw;
    kfk_mock_offsets(m, "t", 0, &start, &hw);
    CHECK_EQ(hw, 16);
    /* A new epoch starts at sequence 0; the old epoch is fenced. */
    kfk_wbuf e1 = {0};
    make_batch(&e1, 1, 0, 1000, pid, 1, 0);
    CHECK_EQ(produce(m, 1, "t", 0, &e1, -1, &base), 0);
    CHECK_EQ(produce(m, 1, "t", 0, &b[0], -1, &base), KFK_ERR_INVALID_PRODUCER_EPOCH);
    kfk_wbuf bogus = {0};
    make_batch(&bogus, 1, 0, 1000, pid + 100, 0, 0);
    CHECK_EQ(produce(m, 1, "t", 0, &bogus, -1, &base), KFK_ERR_UNKNOWN_PRODUCER_ID);
    for (int i = 0; i < 8; i++) kfk_wbuf_free(&b[i]);
    kfk_wbuf_free(&e1);
    kfk_wbuf_free(&bogus);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

static int64_t list_offset(kfk_mock *m, int64_t ts, int64_t *found_ts) {
    kfk_list_offsets_request q;
    kfk_list_offsets_request_init(&q);
    kfk_list_offsets_request_partition p = {.partition_index = 0, .current_leader_epoch = -1, .timestamp = ts};
    kfk_list_offsets_request_topic t = {.name = kfk_str_of("t")};
    t.partitions.items = &p;
    t.partitions.count = 1;
    q.replica_id = -1;
    q.topics.items = &t;
    q.topics.count = 1;
    kfk_list_offsets_response r;
    if (call(m, 1, KFK_API_LIST_OFFSETS, 7, &q, &r) != KFK_MOCK_REPLY) return -100;
    const kfk_list_offsets_response_partition_response *rp = &r.topics.items[0].partitions.items[0];
    if (rp->error_code) return -200 - rp->error_code;
    if (found_ts) *found_ts = rp->timestamp;
    return rp->offset;
}

TEST(list_offsets_earliest_latest_and_by_time) {
    kfk_mock *m = new_mock(1, 0);
    REQUIRE_EQ(kfk_mock_create_topic(m, "t", 1, 1), 0);
    kfk_wbuf b1 = {0}, b2 = {0};
    make_batch(&b1, 3, 0, 1000, -1, -1, -1); /* 1000..1002 */
    make_batch(&b2, 3, 3, 2000, -1, -1, -1); /* 2000..2002 */
    CHECK_EQ(produce(m, 1, "t", 0, &b1, 1, NULL), 0);
    CHECK_EQ(produce(m, 1, "t", 0, &b2, 1, NULL), 0);
    int64_t ts = 0;
    CHECK_EQ(list_offset(m, -2, NULL), 0);
    CHECK_EQ(list_offset(m, -1, NULL), 6);
    CHECK_EQ(list_offset(m, 1001, &ts), 1);
    CHECK_EQ(ts, 1001);
    CHECK_EQ(list_offset(m, 1500, &ts), 3);
    CHECK_EQ(ts, 2000);
    CHECK_EQ(list_offset(m, 3000, NULL), -1);
    CHECK_EQ(list_offset(m, -3, &ts), 5);
    CHECK_EQ(ts, 2002);
    kfk_wbuf_free(&b1);
    kfk_wbuf_free(&b2);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

TEST(size_bound_evicts_the_oldest_batches) {
    kfk_wbuf b = {0};
    make_batch(&b, 1, 0, 1000, -1, -1, -1);
    kfk_mock *m = new_mock(1, b.len * 3);
    REQUIRE_EQ(kfk_mock_create_topic(m, "t", 1, 1), 0);
    for (int i = 0; i < 10; i++) CHECK_EQ(produce(m, 1, "t", 0, &b, 1, NULL), 0);
    int64_t start, hw;
    kfk_mock_offsets(m, "t", 0, &start, &hw);
    CHECK_EQ(start, 7);
    CHECK_EQ(hw, 10);
    kfk_fetch_response_partition_data fp;
    REQUIRE_EQ(fetch(m, 1, "t", 0, 2, 1 << 20, 0, 0, &fp), KFK_MOCK_REPLY);
    CHECK_EQ(fp.error_code, KFK_ERR_OFFSET_OUT_OF_RANGE);
    REQUIRE_EQ(fetch(m, 1, "t", 0, 7, 1 << 20, 0, 0, &fp), KFK_MOCK_REPLY);
    CHECK_EQ(fp.log_start_offset, 7);
    CHECK_EQ(fp.records.len, (int64_t)b.len * 3);
    CHECK_EQ(be64(fp.records.ptr + 2 * b.len), 9);
    kfk_wbuf_free(&b);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

TEST(injected_errors_answer_the_next_requests) {
    kfk_mock *m = new_mock(2, 0);
    REQUIRE_EQ(kfk_mock_create_topic(m, "t", 1, 2), 0);
    CHECK_EQ(kfk_mock_push_error(m, 1, KFK_API_PRODUCE, 2, KFK_ERR_NOT_LEADER_OR_FOLLOWER), 0);
    CHECK(kfk_mock_push_error(m, 9, KFK_API_PRODUCE, 2, 6) != 0);
    kfk_wbuf b = {0};
    make_batch(&b, 1, 0, 1000, -1, -1, -1);
    int64_t base;
    CHECK_EQ(produce(m, 1, "t", 0, &b, 1, &base), KFK_ERR_NOT_LEADER_OR_FOLLOWER);
    CHECK_EQ(produce(m, 1, "t", 0, &b, 1, &base), KFK_ERR_NOT_LEADER_OR_FOLLOWER);
    CHECK_EQ(produce(m, 1, "t", 0, &b, 1, &base), 0);
    CHECK_EQ(base, 0);
    CHECK_EQ(kfk_mock_set_down(m, 2, 1), 0);
    CHECK_EQ(kfk_mock_is_down(m, 2), 1);
    CHECK_EQ(kfk_mock_set_leader(m, "t", 0, 2), 0);
    CHECK_EQ(produce(m, 1, "t", 0, &b, 1, &base), KFK_ERR_NOT_LEADER_OR_FOLLOWER);
    kfk_wbuf_free(&b);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

TEST(admin_creates_grows_and_deletes_topics) {
    kfk_mock *m = new_mock(3, 0);
    kfk_create_topics_request q;
    kfk_create_topics_request_init(&q);
    kfk_create_topics_request_creatable_topic ct[2] = {
        {.name = kfk_str_of("a"), .num_partitions = 4, .replication_factor = 3},
        {.name = kfk_str_of("b"), .num_partitions = 1, .replication_factor = 4}};
    q.topics.items = ct;
    q.topics.count = 2;
    kfk_create_topics_response r;
    REQUIRE_EQ(call(m, 1, KFK_API_CREATE_TOPICS, 7, &q, &r), KFK_MOCK_REPLY);
    REQUIRE_EQ(r.topics.count, 2);
    CHECK_EQ(r.topics.items[0].error_code, 0);
    CHECK_EQ(r.topics.items[0].num_partitions, 4);
    CHECK_EQ(r.topics.items[1].error_code, KFK_ERR_INVALID_REPLICATION_FACTOR);
    REQUIRE_EQ(call(m, 1, KFK_API_CREATE_TOPICS, 7, &q, &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.topics.items[0].error_code, KFK_ERR_TOPIC_ALREADY_EXISTS);

    kfk_create_partitions_request cq;
    kfk_create_partitions_request_init(&cq);
    kfk_create_partitions_request_topic cpt = {.name = kfk_str_of("a"), .count = 6};
    cpt.assignments.count = -1;
    cq.topics.items = &cpt;
    cq.topics.count = 1;
    kfk_create_partitions_response cr;
    REQUIRE_EQ(call(m, 2, KFK_API_CREATE_PARTITIONS, 3, &cq, &cr), KFK_MOCK_REPLY);
    CHECK_EQ(cr.results.items[0].error_code, 0);
    int64_t s, h;
    CHECK_EQ(kfk_mock_offsets(m, "a", 5, &s, &h), 0);
    REQUIRE_EQ(call(m, 2, KFK_API_CREATE_PARTITIONS, 3, &cq, &cr), KFK_MOCK_REPLY);
    CHECK_EQ(cr.results.items[0].error_code, KFK_ERR_INVALID_PARTITIONS);

    kfk_delete_topics_request dq;
    kfk_delete_topics_request_init(&dq);
    kfk_str names[2] = {kfk_str_of("a"), kfk_str_of("zz")};
    dq.topic_names.items = names;
    dq.topic_names.count = 2;
    kfk_delete_topics_response dr;
    REQUIRE_EQ(call(m, 3, KFK_API_DELETE_TOPICS, 4, &dq, &dr), KFK_MOCK_REPLY);
    REQUIRE_EQ(dr.responses.count, 2);
    CHECK_EQ(dr.responses.items[0].error_code, 0);
    CHECK_EQ(dr.responses.items[1].error_code, KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    CHECK(kfk_mock_offsets(m, "a", 0, &s, &h) != 0);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

TEST(find_coordinator_names_a_broker) {
    kfk_mock *m = new_mock(3, 0);
    kfk_find_coordinator_request q;
    kfk_find_coordinator_request_init(&q);
    kfk_str keys[1] = {kfk_str_of("group-1")};
    q.coordinator_keys.items = keys;
    q.coordinator_keys.count = 1;
    kfk_find_coordinator_response r;
    REQUIRE_EQ(call(m, 1, KFK_API_FIND_COORDINATOR, 4, &q, &r), KFK_MOCK_REPLY);
    REQUIRE_EQ(r.coordinators.count, 1);
    CHECK_EQ(r.coordinators.items[0].error_code, 0);
    CHECK(r.coordinators.items[0].node_id >= 1 && r.coordinators.items[0].node_id <= 3);
    CHECK_EQ(r.coordinators.items[0].port, 9000 + r.coordinators.items[0].node_id);
    q.key = kfk_str_of("group-1");
    REQUIRE_EQ(call(m, 1, KFK_API_FIND_COORDINATOR, 3, &q, &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.error_code, 0);
    CHECK_EQ(r.node_id, 0 + r.port - 9000);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

/* Sends a JoinGroup v7 for member (NULL: a new member) to the group's
 * coordinator; parked_since as kfk_mock_handle takes it. */
static int join(kfk_mock *m, const char *member, int64_t now, int64_t parked_since,
                kfk_join_group_response *r) {
    kfk_join_group_request q;
    kfk_join_group_request_init(&q);
    kfk_join_group_request_protocol proto = {kfk_str_of("range"), {(const uint8_t *)"meta", 4}};
    q.group_id = kfk_str_of("g");
    q.session_timeout_ms = 10000;
    q.rebalance_timeout_ms = 5000;
    q.member_id = kfk_str_of(member ? member : "");
    q.protocol_type = kfk_str_of("consumer");
    q.protocols.items = &proto;
    q.protocols.count = 1;
    return call_at(m, mock_coordinator(m, q.group_id), KFK_API_JOIN_GROUP, 7, &q, r, now, parked_since);
}

static int sync_group(kfk_mock *m, const char *member, int32_t gen, const char *to, const char *assignment,
                      int64_t now, int64_t parked_since, kfk_sync_group_response *r) {
    kfk_sync_group_request q;
    kfk_sync_group_request_init(&q);
    kfk_sync_group_request_assignment as = {kfk_str_of(to), {(const uint8_t *)assignment, assignment ? (int32_t)strlen(assignment) : 0}};
    q.group_id = kfk_str_of("g");
    q.generation_id = gen;
    q.member_id = kfk_str_of(member);
    q.assignments.items = &as;
    q.assignments.count = to ? 1 : 0;
    return call_at(m, mock_coordinator(m, q.group_id), KFK_API_SYNC_GROUP, 4, &q, r, now, parked_since);
}

static int16_t heartbeat(kfk_mock *m, const char *member, int32_t gen, int64_t now) {
    kfk_heartbeat_request q;
    kfk_heartbeat_request_init(&q);
    q.group_id = kfk_str_of("g");
    q.generation_id = gen;
    q.member_id = kfk_str_of(member);
    kfk_heartbeat_response r;
    if (call_at(m, mock_coordinator(m, q.group_id), KFK_API_HEARTBEAT, 4, &q, &r, now, -1) != KFK_MOCK_REPLY)
        return -1;
    return r.error_code;
}

TEST(classic_group_rebalances_when_a_member_joins_or_expires) {
    kfk_mock *m = new_mock(3, 0);
    kfk_join_group_response jr;
    kfk_sync_group_response sr;
    /* A new member gets its id first (KIP-394). */
    REQUIRE_EQ(join(m, NULL, 0, -1, &jr), KFK_MOCK_REPLY);
    REQUIRE_EQ(jr.error_code, KFK_ERR_MEMBER_ID_REQUIRED);
    char a[64];
    snprintf(a, sizeof a, "%.*s", (int)jr.member_id.len, jr.member_id.ptr);
    /* Alone: it leads generation 1 at once and gets what it assigns. */
    REQUIRE_EQ(join(m, a, 0, -1, &jr), KFK_MOCK_REPLY);
    CHECK_EQ(jr.error_code, 0);
    CHECK_EQ(jr.generation_id, 1);
    CHECK(kfk_str_eq(jr.leader, a));
    CHECK(kfk_str_eq(jr.protocol_name, "range"));
    CHECK_EQ(jr.members.count, 1);
    REQUIRE_EQ(sync_group(m, a, 1, a, "A1", 0, -1, &sr), KFK_MOCK_REPLY);
    CHECK_EQ(sr.error_code, 0);
    CHECK_EQ(sr.assignment.len, 2);
    CHECK_EQ(heartbeat(m, a, 1, 10), 0);
    CHECK_EQ(heartbeat(m, a, 0, 10), KFK_ERR_ILLEGAL_GENERATION);
    CHECK_EQ(heartbeat(m, "nobody", 1, 10), KFK_ERR_UNKNOWN_MEMBER_ID);
    /* The wrong broker is not the coordinator. */
    kfk_heartbeat_request hq;
    kfk_heartbeat_request_init(&hq);
    hq.group_id = kfk_str_of("g");
    hq.member_id = kfk_str_of(a);
    kfk_heartbeat_response hr;
    int32_t other = mock_coordinator(m, hq.group_id) % 3 + 1;
    REQUIRE_EQ(call(m, other, KFK_API_HEARTBEAT, 4, &hq, &hr), KFK_MOCK_REPLY);
    CHECK_EQ(hr.error_code, KFK_ERR_NOT_COORDINATOR);

    /* A second member: its join waits until the first rejoins. */
    REQUIRE_EQ(join(m, "b", 100, -1, &jr), KFK_MOCK_PARK);
    CHECK_EQ(heartbeat(m, a, 1, 110), KFK_ERR_REBALANCE_IN_PROGRESS);
    CHECK_EQ(join(m, "b", 120, 100, &jr), KFK_MOCK_PARK);
    REQUIRE_EQ(join(m, a, 130, -1, &jr), KFK_MOCK_REPLY);
    CHECK_EQ(jr.generation_id, 2);
    CHECK(kfk_str_eq(jr.leader, a));
    CHECK_EQ(jr.members.count, 2);
    REQUIRE_EQ(join(m, "b", 140, 100, &jr), KFK_MOCK_REPLY);
    CHECK_EQ(jr.generation_id, 2);
    CHECK_EQ(jr.members.count, 0); /* only the leader gets the members */
    /* The follower's sync waits for the leader's assignment. */
    CHECK_EQ(sync_group(m, "b", 2, NULL, NULL, 150, -1, &sr), KFK_MOCK_PARK);
    REQUIRE_EQ(sync_group(m, a, 2, "b", "B2", 160, -1, &sr), KFK_MOCK_REPLY);
    CHECK_EQ(sr.assignment.len, 0);
    REQUIRE_EQ(sync_group(m, "b", 2, NULL, NULL, 170, 150, &sr), KFK_MOCK_REPLY);
    CHECK_EQ(sr.error_code, 0);
    REQUIRE_EQ(sr.assignment.len, 2);
    CHECK_MEM(sr.assignment.ptr, "B2", 2);

    /* b stops heartbeating: past its session, a's next heartbeat starts a
     * rebalance, and a alone makes generation 3. */
    CHECK_EQ(heartbeat(m, a, 2, 9000), 0);
    CHECK_EQ(heartbeat(m, a, 2, 10500), KFK_ERR_REBALANCE_IN_PROGRESS);
    REQUIRE_EQ(join(m, a, 10600, -1, &jr), KFK_MOCK_REPLY);
    CHECK_EQ(jr.generation_id, 3);
    CHECK_EQ(jr.members.count, 1);
    CHECK_EQ(heartbeat(m, "b", 2, 10700), KFK_ERR_UNKNOWN_MEMBER_ID);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

TEST(offsets_commit_and_fetch) {
    kfk_mock *m = new_mock(3, 0);
    REQUIRE_EQ(kfk_mock_create_topic(m, "t", 2, 1), 0);
    int32_t coord = mock_coordinator(m, kfk_str_of("og"));
    kfk_offset_commit_request q;
    kfk_offset_commit_request_init(&q);
    kfk_offset_commit_request_partition ps[3] = {
        {.partition_index = 0, .committed_offset = 42, .committed_leader_epoch = 3,
         .committed_metadata = kfk_str_of("m0")},
        {.partition_index = 1, .committed_offset = 7, .committed_leader_epoch = -1,
         .committed_metadata = {NULL, -1}},
        {.partition_index = 5, .committed_offset = 1, .committed_metadata = {NULL, -1}}};
    kfk_offset_commit_request_topic t = {.name = kfk_str_of("t")};
    t.partitions.items = ps;
    t.partitions.count = 3;
    q.group_id = kfk_str_of("og");
    q.member_id = kfk_str_of("");
    q.topics.items = &t;
    q.topics.count = 1;
    kfk_offset_commit_response r;
    REQUIRE_EQ(call(m, coord, KFK_API_OFFSET_COMMIT, 8, &q, &r), KFK_MOCK_REPLY);
    REQUIRE_EQ(r.topics.items[0].partitions.count, 3);
    CHECK_EQ(r.topics.items[0].partitions.items[0].error_code, 0);
    CHECK_EQ(r.topics.items[0].partitions.items[1].error_code, 0);
    CHECK_EQ(r.topics.items[0].partitions.items[2].error_code, KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    /* A member of no generation the group knows. */
    q.generation_id_or_member_epoch = 4;
    q.member_id = kfk_str_of("ghost");
    REQUIRE_EQ(call(m, coord, KFK_API_OFFSET_COMMIT, 8, &q, &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.topics.items[0].partitions.items[0].error_code, KFK_ERR_UNKNOWN_MEMBER_ID);

    /* v7: null topics, every committed partition. */
    kfk_offset_fetch_request fq;
    kfk_offset_fetch_request_init(&fq);
    fq.group_id = kfk_str_of("og");
    fq.topics.count = -1;
    kfk_offset_fetch_response fr;
    REQUIRE_EQ(call(m, coord, KFK_API_OFFSET_FETCH, 7, &fq, &fr), KFK_MOCK_REPLY);
    CHECK_EQ(fr.error_code, 0);
    REQUIRE_EQ(fr.topics.count, 1);
    REQUIRE_EQ(fr.topics.items[0].partitions.count, 2);
    CHECK_EQ(fr.topics.items[0].partitions.items[0].committed_offset, 42);
    CHECK_EQ(fr.topics.items[0].partitions.items[0].committed_leader_epoch, 3);
    CHECK(kfk_str_eq(fr.topics.items[0].partitions.items[0].metadata, "m0"));
    CHECK_EQ(fr.topics.items[0].partitions.items[1].committed_offset, 7);
    /* v8: groups, named partitions; one never committed. */
    kfk_offset_fetch_request_topics ft = {.name = kfk_str_of("t")};
    int32_t idx[2] = {1, 0};
    ft.partition_indexes.items = idx;
    ft.partition_indexes.count = 2;
    kfk_offset_fetch_request_group fg = {.group_id = kfk_str_of("og"), .member_id = {NULL, -1}, .member_epoch = -1};
    fg.topics.items = &ft;
    fg.topics.count = 1;
    kfk_offset_fetch_request_init(&fq);
    fq.groups.items = &fg;
    fq.groups.count = 1;
    REQUIRE_EQ(call(m, coord, KFK_API_OFFSET_FETCH, 8, &fq, &fr), KFK_MOCK_REPLY);
    REQUIRE_EQ(fr.groups.count, 1);
    CHECK_EQ(fr.groups.items[0].error_code, 0);
    REQUIRE_EQ(fr.groups.items[0].topics.items[0].partitions.count, 2);
    CHECK_EQ(fr.groups.items[0].topics.items[0].partitions.items[0].committed_offset, 7);
    CHECK_EQ(fr.groups.items[0].topics.items[0].partitions.items[1].committed_offset, 42);
    fg.group_id = kfk_str_of("other");
    REQUIRE_EQ(call(m, mock_coordinator(m, fg.group_id), KFK_API_OFFSET_FETCH, 8, &fq, &fr), KFK_MOCK_REPLY);
    CHECK_EQ(fr.groups.items[0].topics.items[0].partitions.items[0].committed_offset, -1);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}
