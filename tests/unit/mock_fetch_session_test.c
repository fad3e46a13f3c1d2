/* The mock's fetch sessions (KIP-227) without sockets: a full fetch opens
 * one, incremental ones add, change and forget partitions and hear only
 * of news, wrong ids and epochs are refused, the cache is bounded. */
#include "kfk.h"
#include "mock/mock_int.h"
#include "proto/proto.h"
#include "records/batch.h"
#include "test.h"

#include "mock_call.h"

static kfk_mock *new_mock(void) {
    int port = 9001;
    kfk_mock *m = kfk_mock_new(1, "127.0.0.1", &port, 0);
    kfk_mock_create_topic(m, "s", 4, 1);
    return m;
}

static void produce1(kfk_mock *m, int32_t part) {
    kfk_wbuf w = {0};
    kfk_batch_builder b;
    kfk_batch_builder_init(&b, &w);
    kfk_batch_append(&b, 1, (kfk_bytes){NULL, -1}, (kfk_bytes){(const uint8_t *)"v", 1}, NULL, 0);
    kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
    kfk_batch_finish(&b, &o, NULL);
    CHECK_EQ(produce(m, 1, "s", part, &w, 1, NULL), 0);
    kfk_wbuf_free(&w);
}

/* A Fetch of s's partitions parts[0..n) at offsets offs, forgetting
 * forget[0..nf), in session (id, epoch); min_bytes 0 unless parking. */
typedef struct fetch_args {
    int16_t v;
    int32_t id, epoch;
    int32_t n, parts[4];
    int64_t offs[4];
    int32_t nf, forget[4];
    int32_t min_bytes;
    int64_t now, since;
} fetch_args;

static kfk_uuid topic_id(kfk_mock *m) { return mock_topic_find(m, kfk_str_of("s"))->id; }

static int fetch(kfk_mock *m, const fetch_args *a, kfk_fetch_response *r) {
    kfk_fetch_request q;
    kfk_fetch_request_init(&q);
    kfk_fetch_request_partition qp[4];
    for (int32_t i = 0; i < a->n; i++)
        qp[i] = (kfk_fetch_request_partition){.partition = a->parts[i], .current_leader_epoch = -1,
                                              .fetch_offset = a->offs[i], .last_fetched_epoch = -1,
                                              .log_start_offset = -1, .partition_max_bytes = 1 << 20,
                                              .high_watermark = INT64_MAX};
    kfk_fetch_request_topic qt = {.topic = kfk_str_of("s"), .topic_id = topic_id(m)};
    qt.partitions.items = qp;
    qt.partitions.count = a->n;
    kfk_fetch_request_forgotten_topic ft = {.topic = kfk_str_of("s"), .topic_id = topic_id(m)};
    ft.partitions.items = (int32_t *)a->forget;
    ft.partitions.count = a->nf;
    q.max_wait_ms = 500;
    q.min_bytes = a->min_bytes;
    q.session_id = a->id;
    q.session_epoch = a->epoch;
    q.topics.items = &qt;
    q.topics.count = a->n ? 1 : 0;
    q.forgotten_topics_data.items = &ft;
    q.forgotten_topics_data.count = a->nf ? 1 : 0;
    return call_at(m, 1, KFK_API_FETCH, a->v, &q, r, a->now, a->since);
}

/* The partitions an answer names, as a bit set. */
static int named(const kfk_fetch_response *r) {
    int set = 0;
    for (int32_t i = 0; i < r->responses.count; i++)
        for (int32_t j = 0; j < r->responses.items[i].partitions.count; j++)
            set |= 1 << r->responses.items[i].partitions.items[j].partition_index;
    return set;
}

static void session_round_trip(int16_t v) {
    kfk_mock *m = new_mock();
    produce1(m, 0);
    kfk_fetch_response r;
    fetch_args a = {.v = v, .id = 0, .epoch = 0, .n = 3, .parts = {0, 1, 2}, .offs = {0, 0, 0}};
    REQUIRE_EQ(fetch(m, &a, &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.error_code, 0);
    int32_t id = r.session_id;
    CHECK(id != 0);
    CHECK_EQ(named(&r), 7); /* a full answer: every partition */

    /* Nothing new: an empty answer. The consumer moves p0 past its record. */
    a = (fetch_args){.v = v, .id = id, .epoch = 1, .n = 1, .parts = {0}, .offs = {1}};
    REQUIRE_EQ(fetch(m, &a, &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.session_id, id);
    CHECK_EQ(named(&r), 0);
    produce1(m, 1);
    a = (fetch_args){.v = v, .id = id, .epoch = 2};
    REQUIRE_EQ(fetch(m, &a, &r), KFK_MOCK_REPLY);
    CHECK_EQ(named(&r), 2);
    CHECK_EQ(r.responses.items[0].partitions.items[0].high_watermark, 1);
    CHECK(r.responses.items[0].partitions.items[0].records.len > 0);

    /* A wrong epoch, an unknown session, an incremental fetch without one. */
    a.epoch = 2;
    REQUIRE_EQ(fetch(m, &a, &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.error_code, KFK_ERR_INVALID_FETCH_SESSION_EPOCH);
    CHECK_EQ(r.responses.count, 0);
    a = (fetch_args){.v = v, .id = id + 1000, .epoch = 3};
    REQUIRE_EQ(fetch(m, &a, &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.error_code, KFK_ERR_FETCH_SESSION_ID_NOT_FOUND);
    a = (fetch_args){.v = v, .id = 0, .epoch = 3};
    REQUIRE_EQ(fetch(m, &a, &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.error_code, KFK_ERR_FETCH_SESSION_ID_NOT_FOUND);

    /* Forget p1 and add p3: news of p1 no longer comes, p3's does. The
     * rejected requests above did not move the epoch. */
    a = (fetch_args){.v = v, .id = id, .epoch = 3, .n = 1, .parts = {3}, .offs = {0}, .nf = 1, .forget = {1}};
    REQUIRE_EQ(fetch(m, &a, &r), KFK_MOCK_REPLY);
    CHECK_EQ(named(&r), 8); /* new to the session: its state is news */
    produce1(m, 1);
    produce1(m, 3);
    a = (fetch_args){.v = v, .id = id, .epoch = 4};
    REQUIRE_EQ(fetch(m, &a, &r), KFK_MOCK_REPLY);
    CHECK_EQ(named(&r), 8);

    /* A parked fetch changes nothing until it answers. */
    a = (fetch_args){.v = v, .id = id, .epoch = 5, .n = 1, .parts = {3}, .offs = {1}, .min_bytes = 1, .since = -1};
    CHECK_EQ(fetch(m, &a, &r), KFK_MOCK_PARK);
    a.since = 0;
    a.now = 100;
    CHECK_EQ(fetch(m, &a, &r), KFK_MOCK_PARK);
    produce1(m, 2);
    REQUIRE_EQ(fetch(m, &a, &r), KFK_MOCK_REPLY);
    CHECK_EQ(named(&r), 4);

    /* Epoch -1 closes the session: a sessionless full fetch. */
    a = (fetch_args){.v = v, .id = id, .epoch = -1, .n = 1, .parts = {0}, .offs = {0}};
    REQUIRE_EQ(fetch(m, &a, &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.session_id, 0);
    CHECK_EQ(named(&r), 1);
    a = (fetch_args){.v = v, .id = id, .epoch = 7};
    REQUIRE_EQ(fetch(m, &a, &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.error_code, KFK_ERR_FETCH_SESSION_ID_NOT_FOUND);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

TEST(sessions_by_topic_name) { session_round_trip(12); }

TEST(sessions_by_topic_id) { session_round_trip(16); }

TEST(the_cache_is_bounded_and_stale_sessions_give_way) {
    kfk_mock *m = new_mock();
    m->max_sessions = 2;
    kfk_fetch_response r;
    fetch_args a = {.v = 12, .id = 0, .epoch = 0, .n = 2, .parts = {0, 1}};
    int32_t ids[3];
    for (int i = 0; i < 3; i++) {
        a.now = i;
        REQUIRE_EQ(fetch(m, &a, &r), KFK_MOCK_REPLY);
        ids[i] = r.session_id;
    }
    CHECK(ids[0] != 0 && ids[1] != 0 && ids[0] != ids[1]);
    CHECK_EQ(ids[2], 0); /* full: answered without a session */
    /* A bigger newcomer evicts the least recently used one. */
    a.n = 3;
    a.parts[2] = 2;
    REQUIRE_EQ(fetch(m, &a, &r), KFK_MOCK_REPLY);
    CHECK(r.session_id != 0);
    fetch_args b = {.v = 12, .id = ids[0], .epoch = 1};
    REQUIRE_EQ(fetch(m, &b, &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.error_code, KFK_ERR_FETCH_SESSION_ID_NOT_FOUND);
    /* After two idle minutes a same-sized one does too. */
    a.n = 2;
    a.now = 200000;
    REQUIRE_EQ(fetch(m, &a, &r), KFK_MOCK_REPLY);
    CHECK(r.session_id != 0);
    b.id = ids[1];
    REQUIRE_EQ(fetch(m, &b, &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.error_code, KFK_ERR_FETCH_SESSION_ID_NOT_FOUND);
    /* Sessionless fetches never need room. */
    a.epoch = -1;
    REQUIRE_EQ(fetch(m, &a, &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.error_code, 0);
    CHECK_EQ(r.session_id, 0);
    CHECK_EQ(named(&r), 3);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}
