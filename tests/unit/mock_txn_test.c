/* The mock's transactions without sockets: the coordinator's calls and
 * their errors, markers in the partitions, the last stable offset and the
 * aborted transactions a read_committed Fetch is told about, timeouts. */
#include "kfk.h"
#include "mock/mock_int.h"
#include "proto/proto.h"
#include "records/batch.h"
#include "records/records.h"
#include "test.h"

#include "mock_call.h"

#define TID "txn-1"

/* In helpers returning an error code: a request that got no answer fails
 * the test and returns a code no call answers. */
#define CALLED(x)                        \
    do {                                 \
        int called_ = (x);               \
        CHECK_EQ(called_, KFK_MOCK_REPLY); \
        if (called_ != KFK_MOCK_REPLY) return -9999; \
    } while (0)

static kfk_mock *new_mock(void) {
    int ports[3] = {9001, 9002, 9003};
    kfk_mock *m = kfk_mock_new(3, "127.0.0.1", ports, 0);
    kfk_mock_create_topic(m, "t", 3, 1); /* partition p led by broker p + 1 */
    return m;
}

static int32_t tcoord(kfk_mock *m) { return mock_coordinator_of(m, 1, kfk_str_of(TID)); }

/* InitProducerId for TID at `now`: the error; *pid and *epoch the answer. */
static int init_pid(kfk_mock *m, int16_t v, int32_t timeout, int64_t exp_pid, int16_t exp_epoch,
                    int64_t *pid, int16_t *epoch) {
    kfk_init_producer_id_request q;
    kfk_init_producer_id_request_init(&q);
    q.transactional_id = kfk_str_of(TID);
    q.transaction_timeout_ms = timeout;
    q.producer_id = exp_pid;
    q.producer_epoch = exp_epoch;
    kfk_init_producer_id_response r;
    CALLED(call(m, tcoord(m), KFK_API_INIT_PRODUCER_ID, v, &q, &r));
    if (pid) *pid = r.producer_id;
    if (epoch) *epoch = r.producer_epoch;
    return r.error_code;
}

/* AddPartitionsToTxn v(0-3) of t/part; returns the partition's error. */
static int add_part(kfk_mock *m, int16_t v, int64_t pid, int16_t epoch, int32_t part, int64_t now) {
    kfk_add_partitions_to_txn_request q;
    kfk_add_partitions_to_txn_request_init(&q);
    kfk_add_partitions_to_txn_request_topic t = {.name = kfk_str_of("t")};
    t.partitions.items = &part;
    t.partitions.count = 1;
    q.v3_and_below_transactional_id = kfk_str_of(TID);
    q.v3_and_below_producer_id = pid;
    q.v3_and_below_producer_epoch = epoch;
    q.v3_and_below_topics.items = &t;
    q.v3_and_below_topics.count = 1;
    kfk_add_partitions_to_txn_response r;
    CALLED(call_at(m, tcoord(m), KFK_API_ADD_PARTITIONS_TO_TXN, v, &q, &r, now, -1));
    if (r.results_by_topic_v3_and_below.count != 1) return -9998;
    if (r.results_by_topic_v3_and_below.items[0].results_by_partition.count != 1) return -9998;
    return r.results_by_topic_v3_and_below.items[0].results_by_partition.items[0].partition_error_code;
}

static int end_txn(kfk_mock *m, int16_t v, int64_t pid, int16_t epoch, int commit, int64_t now) {
    kfk_end_txn_request q = {kfk_str_of(TID), pid, epoch, commit != 0};
    kfk_end_txn_response r;
    CALLED(call_at(m, tcoord(m), KFK_API_END_TXN, v, &q, &r, now, -1));
    return r.error_code;
}

/* Produces n records of pid to t/part (at its leader) as a transactional
 * batch with sequence seq; returns the partition's error. */
static int produce_txn(kfk_mock *m, int32_t part, int64_t pid, int16_t epoch, int32_t seq, int n) {
    kfk_wbuf w = {0};
    kfk_batch_builder b;
    kfk_batch_builder_init(&b, &w);
    for (int i = 0; i < n; i++) kfk_batch_append(&b, 1000 + i, (kfk_bytes){NULL, -1}, (kfk_bytes){(const uint8_t *)"x", 1}, NULL, 0);
    kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
    o.producer_id = pid;
    o.producer_epoch = epoch;
    o.base_sequence = seq;
    o.flags = KFK_ATTR_TRANSACTIONAL;
    kfk_batch_finish(&b, &o, NULL);
    kfk_produce_request q;
    kfk_produce_request_init(&q);
    q.transactional_id = kfk_str_of(TID);
    kfk_produce_request_partition_produce_data pd = {part, {w.data, (int32_t)w.len}};
    kfk_produce_request_topic_produce_data td = {.name = kfk_str_of("t")};
    td.partition_data.items = &pd;
    td.partition_data.count = 1;
    q.acks = -1;
    q.timeout_ms = 1000;
    q.topic_data.items = &td;
    q.topic_data.count = 1;
    kfk_produce_response r;
    CALLED(call(m, part + 1, KFK_API_PRODUCE, 9, &q, &r));
    kfk_wbuf_free(&w);
    return r.responses.items[0].partition_responses.items[0].error_code;
}

/* Fetches t/part from 0 at v12 with the isolation level. */
static kfk_fetch_response_partition_data fetch_at(kfk_mock *m, int32_t part, int8_t isolation) {
    kfk_fetch_request q;
    kfk_fetch_request_init(&q);
    kfk_fetch_request_partition qp = {.partition = part, .current_leader_epoch = -1, .fetch_offset = 0,
                                      .last_fetched_epoch = -1, .log_start_offset = -1,
                                      .partition_max_bytes = 1 << 20, .high_watermark = INT64_MAX};
    kfk_fetch_request_topic qt = {.topic = kfk_str_of("t")};
    qt.partitions.items = &qp;
    qt.partitions.count = 1;
    q.isolation_level = isolation;
    q.topics.items = &qt;
    q.topics.count = 1;
    kfk_fetch_response r;
    kfk_fetch_response_partition_data none = {0};
    if (call(m, part + 1, KFK_API_FETCH, 12, &q, &r) != KFK_MOCK_REPLY || r.responses.count != 1)
        return none;
    return r.responses.items[0].partitions.items[0];
}

/* The batches in rec: count, and the control type of the last (-1: data). */
static int batches(kfk_bytes rec, int *last_control) {
    int n = 0;
    *last_control = -1;
    for (int32_t pos = 0; rec.len > 0 && pos + 61 <= rec.len; n++) {
        const uint8_t *d = rec.ptr + pos;
        int32_t len = (int32_t)((uint32_t)d[8] << 24 | (uint32_t)d[9] << 16 | (uint32_t)d[10] << 8 | d[11]) + 12;
        *last_control = -1;
        if (d[22] & KFK_ATTR_CONTROL) {
            /* One record: length, attributes, ts delta, offset delta, key length 4, key. */
            kfk_rbuf r = kfk_rbuf_make(d + 61, (size_t)len - 61);
            kfk_rd_varint(&r);
            kfk_rd_i8(&r);
            kfk_rd_varlong(&r);
            kfk_rd_varint(&r);
            int32_t klen = kfk_rd_varint(&r);
            const uint8_t *k = r.p;
            if (klen == 4) *last_control = kfk_control_type((kfk_bytes){k, 4});
        }
        pos += len;
    }
    return n;
}

TEST(commit_writes_markers_and_moves_the_stable_offset) {
    kfk_mock *m = new_mock();
    int64_t pid;
    int16_t epoch;
    /* FindCoordinator for a transactional id names the broker that
     * answers the id's calls. */
    kfk_find_coordinator_request fq;
    kfk_find_coordinator_request_init(&fq);
    kfk_str keys[1] = {kfk_str_of(TID)};
    fq.key_type = 1;
    fq.coordinator_keys.items = keys;
    fq.coordinator_keys.count = 1;
    kfk_find_coordinator_response fr;
    REQUIRE_EQ(call(m, 1, KFK_API_FIND_COORDINATOR, 4, &fq, &fr), KFK_MOCK_REPLY);
    REQUIRE_EQ(fr.coordinators.count, 1);
    CHECK_EQ(fr.coordinators.items[0].error_code, 0);
    CHECK_EQ(fr.coordinators.items[0].node_id, tcoord(m));
    CHECK_EQ(init_pid(m, 4, 60000, -1, -1, &pid, &epoch), 0);
    CHECK_EQ(epoch, 0);
    /* At another broker: not the coordinator. */
    kfk_init_producer_id_request q;
    kfk_init_producer_id_request_init(&q);
    q.transactional_id = kfk_str_of(TID);
    q.transaction_timeout_ms = 1000;
    kfk_init_producer_id_response r;
    REQUIRE_EQ(call(m, tcoord(m) % 3 + 1, KFK_API_INIT_PRODUCER_ID, 4, &q, &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.error_code, KFK_ERR_NOT_COORDINATOR);
    CHECK_EQ(init_pid(m, 4, 0, -1, -1, NULL, NULL), KFK_ERR_INVALID_TRANSACTION_TIMEOUT);
    CHECK_EQ(init_pid(m, 4, 900001, -1, -1, NULL, NULL), KFK_ERR_INVALID_TRANSACTION_TIMEOUT);

    /* A partition not added first is refused. */
    CHECK_EQ(produce_txn(m, 0, pid, epoch, 0, 2), KFK_ERR_INVALID_TXN_STATE);
    CHECK_EQ(end_txn(m, 3, pid, epoch, 1, 0), KFK_ERR_INVALID_TXN_STATE); /* Empty */
    CHECK_EQ(add_part(m, 3, pid, epoch, 0, 0), 0);
    CHECK_EQ(produce_txn(m, 0, pid, epoch, 0, 2), 0);
    CHECK_EQ(produce_txn(m, 0, pid, epoch, 2, 1), 0);
    kfk_fetch_response_partition_data p = fetch_at(m, 0, 1);
    CHECK_EQ(p.high_watermark, 3);
    CHECK_EQ(p.last_stable_offset, 0);
    CHECK_EQ(p.records.len, 0);
    CHECK_EQ(p.aborted_transactions.count, 0);
    int ctl;
    p = fetch_at(m, 0, 0);
    CHECK_EQ(p.last_stable_offset, 0);
    CHECK_EQ(batches(p.records, &ctl), 2);
    CHECK_EQ(p.aborted_transactions.count, -1);

    CHECK_EQ(end_txn(m, 3, pid, epoch, 1, 0), 0);
    CHECK_EQ(end_txn(m, 3, pid, epoch, 1, 0), 0); /* a retry */
    CHECK_EQ(end_txn(m, 3, pid, epoch, 0, 0), KFK_ERR_INVALID_TXN_STATE);
    p = fetch_at(m, 0, 1);
    CHECK_EQ(p.high_watermark, 4);
    CHECK_EQ(p.last_stable_offset, 4);
    CHECK_EQ(batches(p.records, &ctl), 3);
    CHECK_EQ(ctl, KFK_CONTROL_COMMIT);

    /* The next transaction goes on with the sequences; its abort is named
     * to read_committed fetches. */
    CHECK_EQ(add_part(m, 3, pid, epoch, 0, 0), 0);
    CHECK_EQ(produce_txn(m, 0, pid, epoch, 3, 2), 0);
    CHECK_EQ(end_txn(m, 3, pid, epoch, 0, 0), 0);
    p = fetch_at(m, 0, 1);
    CHECK_EQ(p.high_watermark, 7);
    CHECK_EQ(p.last_stable_offset, 7);
    CHECK_EQ(batches(p.records, &ctl), 5);
    CHECK_EQ(ctl, KFK_CONTROL_ABORT);
    REQUIRE_EQ(p.aborted_transactions.count, 1);
    CHECK_EQ(p.aborted_transactions.items[0].producer_id, pid);
    CHECK_EQ(p.aborted_transactions.items[0].first_offset, 4);

    /* ListOffsets' latest: the stable offset for read_committed. */
    CHECK_EQ(add_part(m, 3, pid, epoch, 0, 0), 0);
    CHECK_EQ(produce_txn(m, 0, pid, epoch, 5, 1), 0);
    kfk_list_offsets_request lq;
    kfk_list_offsets_request_init(&lq);
    kfk_list_offsets_request_partition lp = {.partition_index = 0, .current_leader_epoch = -1, .timestamp = -1};
    kfk_list_offsets_request_topic lt = {.name = kfk_str_of("t")};
    lt.partitions.items = &lp;
    lt.partitions.count = 1;
    lq.replica_id = -1;
    lq.topics.items = &lt;
    lq.topics.count = 1;
    kfk_list_offsets_response lr;
    lq.isolation_level = 1;
    REQUIRE_EQ(call(m, 1, KFK_API_LIST_OFFSETS, 5, &lq, &lr), KFK_MOCK_REPLY);
    CHECK_EQ(lr.topics.items[0].partitions.items[0].offset, 7);
    lq.isolation_level = 0;
    REQUIRE_EQ(call(m, 1, KFK_API_LIST_OFFSETS, 5, &lq, &lr), KFK_MOCK_REPLY);
    CHECK_EQ(lr.topics.items[0].partitions.items[0].offset, 8);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

TEST(unknown_partitions_fail_alone_and_v4_verifies) {
    kfk_mock *m = new_mock();
    int64_t pid;
    int16_t epoch;
    CHECK_EQ(init_pid(m, 4, 60000, -1, -1, &pid, &epoch), 0);
    kfk_add_partitions_to_txn_request q;
    kfk_add_partitions_to_txn_request_init(&q);
    int32_t good[2] = {0, 1}, bad[1] = {0};
    kfk_add_partitions_to_txn_request_topic t[2] = {{.name = kfk_str_of("t")}, {.name = kfk_str_of("nope")}};
    t[0].partitions.items = good;
    t[0].partitions.count = 2;
    t[1].partitions.items = bad;
    t[1].partitions.count = 1;
    q.v3_and_below_transactional_id = kfk_str_of(TID);
    q.v3_and_below_producer_id = pid;
    q.v3_and_below_producer_epoch = epoch;
    q.v3_and_below_topics.items = t;
    q.v3_and_below_topics.count = 2;
    kfk_add_partitions_to_txn_response r;
    REQUIRE_EQ(call(m, tcoord(m), KFK_API_ADD_PARTITIONS_TO_TXN, 3, &q, &r), KFK_MOCK_REPLY);
    REQUIRE_EQ(r.results_by_topic_v3_and_below.count, 2);
    CHECK_EQ(r.results_by_topic_v3_and_below.items[0].results_by_partition.items[1].partition_error_code,
             KFK_ERR_OPERATION_NOT_ATTEMPTED);
    CHECK_EQ(r.results_by_topic_v3_and_below.items[1].results_by_partition.items[0].partition_error_code,
             KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    CHECK_EQ(produce_txn(m, 0, pid, epoch, 0, 1), KFK_ERR_INVALID_TXN_STATE);

    /* v4: a transaction list; verify_only asks without adding. */
    kfk_add_partitions_to_txn_request_transaction x = {.transactional_id = kfk_str_of(TID), .producer_id = pid, .producer_epoch = epoch, .verify_only = true};
    x.topics.items = t;
    x.topics.count = 1;
    kfk_add_partitions_to_txn_request q4;
    kfk_add_partitions_to_txn_request_init(&q4);
    q4.transactions.items = &x;
    q4.transactions.count = 1;
    REQUIRE_EQ(call(m, tcoord(m), KFK_API_ADD_PARTITIONS_TO_TXN, 4, &q4, &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.error_code, 0);
    REQUIRE_EQ(r.results_by_transaction.count, 1);
    CHECK(kfk_str_eq(r.results_by_transaction.items[0].transactional_id, TID));
    CHECK_EQ(r.results_by_transaction.items[0].topic_results.items[0].results_by_partition.items[0].partition_error_code,
             KFK_ERR_TRANSACTION_ABORTABLE);
    x.verify_only = false;
    REQUIRE_EQ(call(m, tcoord(m), KFK_API_ADD_PARTITIONS_TO_TXN, 4, &q4, &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.results_by_transaction.items[0].topic_results.items[0].results_by_partition.items[1].partition_error_code, 0);
    x.verify_only = true;
    REQUIRE_EQ(call(m, tcoord(m), KFK_API_ADD_PARTITIONS_TO_TXN, 4, &q4, &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.results_by_transaction.items[0].topic_results.items[0].results_by_partition.items[0].partition_error_code, 0);
    CHECK_EQ(produce_txn(m, 1, pid, epoch, 0, 1), 0);
    /* Another id's producer: no mapping. */
    CHECK_EQ(add_part(m, 3, pid + 1, epoch, 0, 0), KFK_ERR_INVALID_PRODUCER_ID_MAPPING);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

TEST(a_second_producer_fences_the_first) {
    kfk_mock *m = new_mock();
    int64_t pid, pid2;
    int16_t epoch, epoch2;
    CHECK_EQ(init_pid(m, 4, 60000, -1, -1, &pid, &epoch), 0);
    CHECK_EQ(add_part(m, 3, pid, epoch, 0, 0), 0);
    CHECK_EQ(produce_txn(m, 0, pid, epoch, 0, 2), 0);
    /* The open transaction is aborted first; the retry gets a new epoch. */
    CHECK_EQ(init_pid(m, 4, 60000, -1, -1, NULL, NULL), KFK_ERR_CONCURRENT_TRANSACTIONS);
    CHECK_EQ(init_pid(m, 4, 60000, -1, -1, &pid2, &epoch2), 0);
    CHECK_EQ(pid2, pid);
    CHECK_EQ(epoch2, epoch + 2);
    kfk_fetch_response_partition_data p = fetch_at(m, 0, 1);
    CHECK_EQ(p.last_stable_offset, 3);
    REQUIRE_EQ(p.aborted_transactions.count, 1);
    CHECK_EQ(p.aborted_transactions.items[0].first_offset, 0);
    /* The old producer: fenced everywhere. */
    CHECK_EQ(add_part(m, 3, pid, epoch, 1, 0), KFK_ERR_PRODUCER_FENCED);
    CHECK_EQ(add_part(m, 1, pid, epoch, 1, 0), KFK_ERR_INVALID_PRODUCER_EPOCH);
    CHECK_EQ(end_txn(m, 3, pid, epoch, 1, 0), KFK_ERR_PRODUCER_FENCED);
    CHECK_EQ(produce_txn(m, 0, pid, epoch, 2, 1), KFK_ERR_INVALID_PRODUCER_EPOCH);
    CHECK_EQ(produce_txn(m, 1, pid, epoch, 0, 1), KFK_ERR_INVALID_PRODUCER_EPOCH);
    /* KIP-360: naming a stale epoch is fenced, the current one bumps it. */
    CHECK_EQ(init_pid(m, 4, 60000, pid, epoch, NULL, NULL), KFK_ERR_PRODUCER_FENCED);
    CHECK_EQ(init_pid(m, 3, 60000, pid, epoch, NULL, NULL), KFK_ERR_INVALID_PRODUCER_EPOCH);
    CHECK_EQ(init_pid(m, 4, 60000, pid, epoch2, NULL, &epoch), 0);
    CHECK_EQ(epoch, epoch2 + 1);
    /* The new epoch writes from sequence 0. */
    CHECK_EQ(add_part(m, 3, pid, epoch, 0, 0), 0);
    CHECK_EQ(produce_txn(m, 0, pid, epoch, 0, 1), 0);
    CHECK_EQ(end_txn(m, 3, pid, epoch, 1, 0), 0);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

TEST(a_transaction_past_its_timeout_is_aborted) {
    kfk_mock *m = new_mock();
    int64_t pid;
    int16_t epoch;
    CHECK_EQ(init_pid(m, 4, 1000, -1, -1, &pid, &epoch), 0);
    CHECK_EQ(add_part(m, 3, pid, epoch, 0, 100), 0);
    CHECK_EQ(produce_txn(m, 0, pid, epoch, 0, 2), 0);
    /* Any request fed after the timeout finds it aborted, epoch bumped. */
    CHECK_EQ(end_txn(m, 3, pid, epoch, 1, 1000), 0);
    CHECK_EQ(add_part(m, 3, pid, epoch, 0, 1500), 0);
    CHECK_EQ(produce_txn(m, 0, pid, epoch, 2, 1), 0);
    CHECK_EQ(end_txn(m, 3, pid, epoch, 1, 2501), KFK_ERR_PRODUCER_FENCED);
    kfk_fetch_response_partition_data p = fetch_at(m, 0, 1);
    CHECK_EQ(p.last_stable_offset, 5);
    REQUIRE_EQ(p.aborted_transactions.count, 1);
    CHECK_EQ(p.aborted_transactions.items[0].first_offset, 3);
    int ctl;
    CHECK_EQ(batches(p.records, &ctl), 4);
    CHECK_EQ(ctl, KFK_CONTROL_ABORT);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

/* TxnOffsetCommit of group "g" t/0 = offset for the producer. */
static int txn_commit(kfk_mock *m, int64_t pid, int16_t epoch, int64_t offset) {
    kfk_txn_offset_commit_request q;
    kfk_txn_offset_commit_request_init(&q);
    kfk_txn_offset_commit_request_partition qp = {0, offset, -1, kfk_str_of("meta")};
    kfk_txn_offset_commit_request_topic qt = {.name = kfk_str_of("t")};
    qt.partitions.items = &qp;
    qt.partitions.count = 1;
    q.transactional_id = kfk_str_of(TID);
    q.group_id = kfk_str_of("g");
    q.producer_id = pid;
    q.producer_epoch = epoch;
    q.topics.items = &qt;
    q.topics.count = 1;
    kfk_txn_offset_commit_response r;
    CALLED(call(m, mock_coordinator(m, q.group_id), KFK_API_TXN_OFFSET_COMMIT, 3, &q, &r));
    return r.topics.items[0].partitions.items[0].error_code;
}

static int add_offsets(kfk_mock *m, int64_t pid, int16_t epoch) {
    kfk_add_offsets_to_txn_request q = {kfk_str_of(TID), pid, epoch, kfk_str_of("g")};
    kfk_add_offsets_to_txn_response r;
    CALLED(call(m, tcoord(m), KFK_API_ADD_OFFSETS_TO_TXN, 3, &q, &r));
    return r.error_code;
}

/* The committed offset of t/0 (OffsetFetch v7); *err the partition's error. */
static int64_t committed_stable(kfk_mock *m, bool stable, int *err) {
    kfk_offset_fetch_request q;
    kfk_offset_fetch_request_init(&q);
    int32_t idx = 0;
    kfk_offset_fetch_request_topic t = {.name = kfk_str_of("t")};
    t.partition_indexes.items = &idx;
    t.partition_indexes.count = 1;
    q.group_id = kfk_str_of("g");
    q.topics.items = &t;
    q.topics.count = 1;
    q.require_stable = stable;
    kfk_offset_fetch_response r;
    CALLED(call(m, mock_coordinator(m, q.group_id), KFK_API_OFFSET_FETCH, 7, &q, &r));
    *err = r.topics.items[0].partitions.items[0].error_code;
    return r.topics.items[0].partitions.items[0].committed_offset;
}

static int64_t committed(kfk_mock *m) {
    int err;
    int64_t o = committed_stable(m, false, &err);
    CHECK_EQ(err, 0);
    return o;
}

TEST(offsets_in_a_transaction_count_once_it_commits) {
    kfk_mock *m = new_mock();
    int64_t pid;
    int16_t epoch;
    CHECK_EQ(init_pid(m, 4, 60000, -1, -1, &pid, &epoch), 0);
    CHECK_EQ(txn_commit(m, pid, epoch, 5), KFK_ERR_INVALID_TXN_STATE); /* group not added */
    CHECK_EQ(add_offsets(m, pid, epoch), 0);
    CHECK_EQ(txn_commit(m, pid, epoch + 1, 5), KFK_ERR_INVALID_PRODUCER_EPOCH);
    CHECK_EQ(txn_commit(m, pid, epoch, 5), 0);
    CHECK_EQ(committed(m), -1);
    int err;
    committed_stable(m, true, &err);
    CHECK_EQ(err, KFK_ERR_UNSTABLE_OFFSET_COMMIT);
    CHECK_EQ(end_txn(m, 3, pid, epoch, 0, 0), 0);
    CHECK_EQ(committed(m), -1);
    CHECK_EQ(committed_stable(m, true, &err), -1);
    CHECK_EQ(err, 0);
    CHECK_EQ(add_offsets(m, pid, epoch), 0);
    CHECK_EQ(txn_commit(m, pid, epoch, 9), 0);
    CHECK_EQ(end_txn(m, 3, pid, epoch, 1, 0), 0);
    CHECK_EQ(committed(m), 9);
    CHECK_EQ(add_offsets(m, pid, epoch - 1), KFK_ERR_PRODUCER_FENCED);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

/* A truncation rebuilds the partition's transactions from the log left,
 * as Kafka reloads its producer state: a cut marker reopens its
 * transaction (a hanging one: the stable offset stays at its start until
 * the producer's next transaction there ends), a transaction whose
 * batches all went is open no more, and the sequences follow the log. */
TEST(truncation_rewinds_transactions_to_the_log_left) {
    kfk_mock *m = new_mock();
    int64_t pid;
    int16_t epoch;
    REQUIRE_EQ(init_pid(m, 4, 60000, -1, -1, &pid, &epoch), 0);
    /* Committed 0..1 (marker 2), aborted 3..4 (marker 5), open 6. */
    CHECK_EQ(add_part(m, 3, pid, epoch, 0, 0), 0);
    CHECK_EQ(produce_txn(m, 0, pid, epoch, 0, 2), 0);
    CHECK_EQ(end_txn(m, 3, pid, epoch, 1, 0), 0);
    CHECK_EQ(add_part(m, 3, pid, epoch, 0, 0), 0);
    CHECK_EQ(produce_txn(m, 0, pid, epoch, 2, 2), 0);
    CHECK_EQ(end_txn(m, 3, pid, epoch, 0, 0), 0);
    CHECK_EQ(add_part(m, 3, pid, epoch, 0, 0), 0);
    CHECK_EQ(produce_txn(m, 0, pid, epoch, 4, 1), 0);
    kfk_fetch_response_partition_data p = fetch_at(m, 0, 1);
    CHECK_EQ(p.high_watermark, 7);
    CHECK_EQ(p.last_stable_offset, 6);
    CHECK_EQ(p.aborted_transactions.count, 1);

    /* The open transaction's batch goes: stable up to the end again. */
    REQUIRE_EQ(kfk_mock_truncate(m, "t", 0, 6), 0);
    p = fetch_at(m, 0, 1);
    CHECK_EQ(p.high_watermark, 6);
    CHECK_EQ(p.last_stable_offset, 6);
    REQUIRE_EQ(p.aborted_transactions.count, 1);
    CHECK_EQ(p.aborted_transactions.items[0].first_offset, 3);
    /* The producer's next batch follows its last sequence left (3). */
    CHECK_EQ(produce_txn(m, 0, pid, epoch, 5, 1), KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    CHECK_EQ(produce_txn(m, 0, pid, epoch, 4, 1), 0);
    CHECK_EQ(end_txn(m, 3, pid, epoch, 1, 0), 0); /* 6, marker 7 */

    /* The abort marker goes: 3..4 are an open transaction again, no
     * aborted one is named, and the stable offset waits at 3. */
    REQUIRE_EQ(kfk_mock_truncate(m, "t", 0, 5), 0);
    p = fetch_at(m, 0, 1);
    CHECK_EQ(p.high_watermark, 5);
    CHECK_EQ(p.last_stable_offset, 3);
    CHECK_EQ(p.aborted_transactions.count, 0);
    /* The producer's next transaction there ends it (its marker closes
     * what is open for the producer). */
    CHECK_EQ(add_part(m, 3, pid, epoch, 0, 0), 0);
    CHECK_EQ(produce_txn(m, 0, pid, epoch, 4, 1), 0);
    CHECK_EQ(end_txn(m, 3, pid, epoch, 0, 0), 0);
    p = fetch_at(m, 0, 1);
    CHECK_EQ(p.high_watermark, 7);
    CHECK_EQ(p.last_stable_offset, 7);
    REQUIRE_EQ(p.aborted_transactions.count, 1);
    CHECK_EQ(p.aborted_transactions.items[0].first_offset, 3);

    /* The commit marker goes: 0..1 are open again. */
    REQUIRE_EQ(kfk_mock_truncate(m, "t", 0, 2), 0);
    p = fetch_at(m, 0, 1);
    CHECK_EQ(p.last_stable_offset, 0);
    CHECK_EQ(p.aborted_transactions.count, 0);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}
