/* Fetch sessions (KIP-227), sans I/O: the first request is full and asks
 * for a session; later ones carry the session's id and next epoch and list
 * only added and changed partitions plus the forgotten ones; errors, a
 * lost answer and a broker that grants no session lead to full requests. */
#include <stdlib.h>

#include "consumer/fetch_session.h"
#include "kfk.h"
#include "test.h"

typedef struct req {
    kfk_arena a;
    kfk_fetch_request m;
} req;

static int build(kfk_fetch_session *s, const kfk_fs_want *w, int n, req *r) {
    kfk_arena_reset(&r->a);
    kfk_fetch_request_init(&r->m);
    return kfk_fetch_session_build(s, w, n, &r->a, &r->m);
}

static int listed(const kfk_fetch_request *m) {
    int n = 0;
    for (int32_t t = 0; t < m->topics.count; t++) n += m->topics.items[t].partitions.count;
    return n;
}

/* The fetch offset m lists for topic/partition, or -2 when not listed. */
static int64_t listed_at(const kfk_fetch_request *m, const char *topic, int32_t partition) {
    for (int32_t t = 0; t < m->topics.count; t++) {
        const kfk_fetch_request_topic *ft = &m->topics.items[t];
        if ((size_t)ft->topic.len != strlen(topic) || memcmp(ft->topic.ptr, topic, strlen(topic)))
            continue;
        for (int32_t p = 0; p < ft->partitions.count; p++)
            if (ft->partitions.items[p].partition == partition)
                return ft->partitions.items[p].fetch_offset;
    }
    return -2;
}

static int forgotten(const kfk_fetch_request *m) {
    int n = 0;
    for (int32_t t = 0; t < m->forgotten_topics_data.count; t++)
        n += m->forgotten_topics_data.items[t].partitions.count;
    return n;
}

static int is_forgotten(const kfk_fetch_request *m, const char *topic, int32_t partition) {
    for (int32_t t = 0; t < m->forgotten_topics_data.count; t++) {
        const kfk_fetch_request_forgotten_topic *ft = &m->forgotten_topics_data.items[t];
        if ((size_t)ft->topic.len != strlen(topic) || memcmp(ft->topic.ptr, topic, strlen(topic)))
            continue;
        for (int32_t p = 0; p < ft->partitions.count; p++)
            if (ft->partitions.items[p] == partition) return 1;
    }
    return 0;
}

/* a/0, a/1, b/0 at offsets 10, 20, 30. */
static void three(kfk_fs_want *w) {
    w[0] = (kfk_fs_want){"a", 0, 10, 1000, {{0}}};
    w[1] = (kfk_fs_want){"a", 1, 20, 1000, {{0}}};
    w[2] = (kfk_fs_want){"b", 0, 30, 1000, {{0}}};
}

/* A session with id 77 holding three(), its epoch now 1. */
static void established(kfk_fetch_session *s, kfk_fs_want *w, req *r) {
    kfk_fetch_session_init(s, 1, 1);
    three(w);
    build(s, w, 3, r);
    kfk_fetch_session_done(s, 0, 77);
}

TEST(first_fetch_is_full_and_asks_for_a_session) {
    kfk_fetch_session s;
    kfk_fetch_session_init(&s, 1, 1);
    kfk_fs_want w[3];
    three(w);
    req r = {0};
    CHECK(kfk_fetch_session_is_full(&s));
    REQUIRE_EQ(build(&s, w, 3, &r), 0);
    CHECK_EQ(r.m.session_id, 0);
    CHECK_EQ(r.m.session_epoch, 0);
    CHECK_EQ(r.m.topics.count, 2);
    CHECK_EQ(listed(&r.m), 3);
    CHECK_EQ(listed_at(&r.m, "a", 0), 10);
    CHECK_EQ(listed_at(&r.m, "a", 1), 20);
    CHECK_EQ(listed_at(&r.m, "b", 0), 30);
    CHECK_EQ(r.m.topics.items[0].partitions.items[0].partition_max_bytes, 1000);
    CHECK_EQ(forgotten(&r.m), 0);
    kfk_fetch_session_done(&s, 0, 77);
    CHECK_EQ(s.id, 77);
    CHECK_EQ(s.epoch, 1);
    CHECK(!kfk_fetch_session_is_full(&s));
    kfk_arena_reset(&r.a);
    kfk_fetch_session_free(&s);
}

TEST(incremental_without_change_lists_nothing) {
    kfk_fetch_session s;
    kfk_fs_want w[3];
    req r = {0};
    established(&s, w, &r);
    for (int32_t epoch = 1; epoch <= 3; epoch++) {
        REQUIRE_EQ(build(&s, w, 3, &r), 0);
        CHECK_EQ(r.m.session_id, 77);
        CHECK_EQ(r.m.session_epoch, epoch);
        CHECK_EQ(r.m.topics.count, 0);
        CHECK_EQ(r.m.forgotten_topics_data.count, 0);
        kfk_fetch_session_done(&s, 0, 77);
    }
    CHECK_EQ(s.epoch, 4);
    kfk_arena_reset(&r.a);
    kfk_fetch_session_free(&s);
}

TEST(moved_offsets_and_max_bytes_are_listed) {
    kfk_fetch_session s;
    kfk_fs_want w[3];
    req r = {0};
    established(&s, w, &r);
    w[1].fetch_offset = 25; /* records arrived */
    REQUIRE_EQ(build(&s, w, 3, &r), 0);
    CHECK_EQ(listed(&r.m), 1);
    CHECK_EQ(listed_at(&r.m, "a", 1), 25);
    kfk_fetch_session_done(&s, 0, 77);
    w[2].max_bytes = 2000;
    REQUIRE_EQ(build(&s, w, 3, &r), 0);
    CHECK_EQ(listed(&r.m), 1);
    CHECK_EQ(listed_at(&r.m, "b", 0), 30);
    CHECK_EQ(r.m.topics.items[0].partitions.items[0].partition_max_bytes, 2000);
    kfk_fetch_session_done(&s, 0, 77);
    REQUIRE_EQ(build(&s, w, 3, &r), 0);
    CHECK_EQ(listed(&r.m), 0); /* the broker now knows both */
    kfk_arena_reset(&r.a);
    kfk_fetch_session_free(&s);
}

TEST(seek_back_is_listed) {
    kfk_fetch_session s;
    kfk_fs_want w[3];
    req r = {0};
    established(&s, w, &r);
    w[0].fetch_offset = 3;
    REQUIRE_EQ(build(&s, w, 3, &r), 0);
    CHECK_EQ(listed(&r.m), 1);
    CHECK_EQ(listed_at(&r.m, "a", 0), 3);
    CHECK_EQ(forgotten(&r.m), 0);
    kfk_arena_reset(&r.a);
    kfk_fetch_session_free(&s);
}

TEST(added_and_removed_partitions) {
    kfk_fetch_session s;
    kfk_fs_want w[3];
    req r = {0};
    established(&s, w, &r);
    /* a/1 goes (unassigned or paused), c/4 comes. */
    kfk_fs_want w2[3] = {w[0], w[2], {"c", 4, 40, 1000, {{0}}}};
    REQUIRE_EQ(build(&s, w2, 3, &r), 0);
    CHECK_EQ(r.m.session_epoch, 1);
    CHECK_EQ(listed(&r.m), 1);
    CHECK_EQ(listed_at(&r.m, "c", 4), 40);
    CHECK_EQ(forgotten(&r.m), 1);
    CHECK(is_forgotten(&r.m, "a", 1));
    kfk_fetch_session_done(&s, 0, 77);
    /* Both of a's partitions go at once: one forgotten topic. */
    REQUIRE_EQ(build(&s, w2, 3, &r), 0);
    CHECK_EQ(listed(&r.m), 0);
    kfk_fetch_session_done(&s, 0, 77);
    kfk_fs_want w3[2] = {w[2], w2[2]};
    REQUIRE_EQ(build(&s, w3, 2, &r), 0);
    CHECK_EQ(forgotten(&r.m), 1);
    CHECK(is_forgotten(&r.m, "a", 0));
    kfk_fetch_session_done(&s, 0, 77);
    /* a/1 comes back: listed again, from where it is now. */
    kfk_fs_want w4[3] = {{"a", 1, 21, 1000, {{0}}}, w[2], w2[2]};
    REQUIRE_EQ(build(&s, w4, 3, &r), 0);
    CHECK_EQ(listed(&r.m), 1);
    CHECK_EQ(listed_at(&r.m, "a", 1), 21);
    CHECK_EQ(forgotten(&r.m), 0);
    /* Nothing wanted: everything forgotten, none listed. */
    kfk_fetch_session_done(&s, 0, 77);
    REQUIRE_EQ(build(&s, NULL, 0, &r), 0);
    CHECK_EQ(listed(&r.m), 0);
    CHECK_EQ(forgotten(&r.m), 3);
    CHECK_EQ(r.m.forgotten_topics_data.count, 3);
    kfk_arena_reset(&r.a);
    kfk_fetch_session_free(&s);
}

TEST(forgotten_names_outlive_the_session) {
    kfk_fetch_session s;
    kfk_fs_want w[3];
    req r = {0};
    established(&s, w, &r);
    REQUIRE_EQ(build(&s, w, 1, &r), 0);
    kfk_fetch_session_free(&s); /* the request is still to be encoded */
    CHECK(is_forgotten(&r.m, "a", 1));
    CHECK(is_forgotten(&r.m, "b", 0));
    kfk_arena_reset(&r.a);
}

TEST(session_errors_go_back_to_full) {
    static const int errs[] = {KFK_ERR_INVALID_FETCH_SESSION_EPOCH,
                               KFK_ERR_FETCH_SESSION_TOPIC_ID_ERROR, KFK_ERR_UNKNOWN_SERVER_ERROR};
    for (size_t i = 0; i < sizeof errs / sizeof *errs; i++) {
        kfk_fetch_session s;
        kfk_fs_want w[3];
        req r = {0};
        established(&s, w, &r);
        REQUIRE_EQ(build(&s, w, 2, &r), 0);
        kfk_fetch_session_done(&s, errs[i], 0);
        CHECK(kfk_fetch_session_is_full(&s));
        REQUIRE_EQ(build(&s, w, 3, &r), 0);
        CHECK_EQ(r.m.session_id, 77); /* the broker replaces that session */
        CHECK_EQ(r.m.session_epoch, 0);
        CHECK_EQ(listed(&r.m), 3);
        CHECK_EQ(forgotten(&r.m), 0);
        kfk_fetch_session_done(&s, 0, 78);
        CHECK_EQ(s.id, 78);
        CHECK_EQ(s.epoch, 1);
        kfk_arena_reset(&r.a);
        kfk_fetch_session_free(&s);
    }
}

TEST(unknown_session_id_asks_for_a_new_one) {
    kfk_fetch_session s;
    kfk_fs_want w[3];
    req r = {0};
    established(&s, w, &r);
    REQUIRE_EQ(build(&s, w, 3, &r), 0);
    kfk_fetch_session_done(&s, KFK_ERR_FETCH_SESSION_ID_NOT_FOUND, 0);
    REQUIRE_EQ(build(&s, w, 3, &r), 0);
    CHECK_EQ(r.m.session_id, 0);
    CHECK_EQ(r.m.session_epoch, 0);
    CHECK_EQ(listed(&r.m), 3);
    kfk_arena_reset(&r.a);
    kfk_fetch_session_free(&s);
}

TEST(session_id_zero_keeps_requests_full) {
    kfk_fetch_session s;
    kfk_fetch_session_init(&s, 1, 1);
    kfk_fs_want w[3];
    three(w);
    req r = {0};
    for (int i = 0; i < 3; i++) {
        REQUIRE_EQ(build(&s, w, 3, &r), 0);
        CHECK_EQ(r.m.session_id, 0);
        CHECK_EQ(r.m.session_epoch, 0);
        CHECK_EQ(listed(&r.m), 3);
        CHECK_EQ(forgotten(&r.m), 0);
        kfk_fetch_session_done(&s, 0, 0); /* no session granted */
        CHECK(kfk_fetch_session_is_full(&s));
    }
    /* A full request that drops a partition does not list it as forgotten. */
    REQUIRE_EQ(build(&s, w, 2, &r), 0);
    CHECK_EQ(listed(&r.m), 2);
    CHECK_EQ(forgotten(&r.m), 0);
    kfk_arena_reset(&r.a);
    kfk_fetch_session_free(&s);
}

TEST(broker_closing_the_session_goes_full) {
    kfk_fetch_session s;
    kfk_fs_want w[3];
    req r = {0};
    established(&s, w, &r);
    REQUIRE_EQ(build(&s, w, 3, &r), 0);
    kfk_fetch_session_done(&s, 0, 0);
    REQUIRE_EQ(build(&s, w, 3, &r), 0);
    CHECK_EQ(r.m.session_id, 0);
    CHECK_EQ(r.m.session_epoch, 0);
    CHECK_EQ(listed(&r.m), 3);
    /* An answer naming another session is not trusted either. */
    kfk_fetch_session_done(&s, 0, 90);
    REQUIRE_EQ(build(&s, w, 3, &r), 0);
    kfk_fetch_session_done(&s, 0, 91);
    CHECK(kfk_fetch_session_is_full(&s));
    kfk_arena_reset(&r.a);
    kfk_fetch_session_free(&s);
}

TEST(lost_answer_resets_the_session) {
    kfk_fetch_session s;
    kfk_fs_want w[3];
    req r = {0};
    established(&s, w, &r);
    w[0].fetch_offset = 11;
    REQUIRE_EQ(build(&s, w, 2, &r), 0); /* b/0 forgotten, a/0 moved */
    kfk_fetch_session_reset(&s);        /* the connection closed */
    REQUIRE_EQ(build(&s, w, 3, &r), 0);
    CHECK_EQ(r.m.session_id, 77);
    CHECK_EQ(r.m.session_epoch, 0);
    CHECK_EQ(listed(&r.m), 3);
    CHECK_EQ(listed_at(&r.m, "a", 0), 11);
    CHECK_EQ(forgotten(&r.m), 0);
    kfk_arena_reset(&r.a);
    kfk_fetch_session_free(&s);
}

TEST(epoch_wraps_to_one) {
    kfk_fetch_session s;
    kfk_fs_want w[3];
    req r = {0};
    established(&s, w, &r);
    s.epoch = INT32_MAX;
    REQUIRE_EQ(build(&s, w, 3, &r), 0);
    CHECK_EQ(r.m.session_epoch, INT32_MAX);
    kfk_fetch_session_done(&s, 0, 77);
    CHECK_EQ(s.epoch, 1);
    kfk_arena_reset(&r.a);
    kfk_fetch_session_free(&s);
}

TEST(disabled_is_sessionless) {
    kfk_fetch_session s;
    kfk_fetch_session_init(&s, 1, 0);
    kfk_fs_want w[3];
    three(w);
    req r = {0};
    for (int i = 0; i < 2; i++) {
        REQUIRE_EQ(build(&s, w, 3, &r), 0);
        CHECK_EQ(r.m.session_id, 0);
        CHECK_EQ(r.m.session_epoch, -1);
        CHECK_EQ(listed(&r.m), 3);
        kfk_fetch_session_done(&s, 0, 5); /* ignored */
    }
    kfk_fetch_session_reset(&s);
    CHECK_EQ(s.epoch, -1);
    kfk_arena_reset(&r.a);
    kfk_fetch_session_free(&s);
}

TEST(close_sends_id_and_final_epoch_without_partitions) {
    kfk_fetch_session s;
    kfk_fs_want w[3];
    req r = {0};
    established(&s, w, &r);
    REQUIRE_EQ(build(&s, w, 2, &r), 0); /* b/0 forgotten, so the lists were used */
    kfk_fetch_session_done(&s, 0, 77);
    kfk_fetch_request m;
    kfk_fetch_request_init(&m);
    m.max_wait_ms = 123; /* fields other than the session's are left alone */
    REQUIRE_EQ(kfk_fetch_session_close(&s, &m), 1);
    CHECK_EQ(m.session_id, 77);
    CHECK_EQ(m.session_epoch, -1);
    CHECK_EQ(m.topics.count, 0);
    CHECK_EQ(m.forgotten_topics_data.count, 0);
    CHECK_EQ(m.max_wait_ms, 123);
    CHECK_EQ(s.nview, 0);
    /* Closed: later requests are sessionless and full; nothing to close. */
    REQUIRE_EQ(build(&s, w, 3, &r), 0);
    CHECK_EQ(r.m.session_id, 0);
    CHECK_EQ(r.m.session_epoch, -1);
    CHECK_EQ(listed(&r.m), 3);
    kfk_fetch_session_done(&s, 0, 99);
    CHECK_EQ(kfk_fetch_session_close(&s, &m), 0);
    kfk_arena_reset(&r.a);
    kfk_fetch_session_free(&s);
}

TEST(close_skips_sessions_not_confirmed) {
    kfk_fs_want w[3];
    three(w);
    req r = {0};
    kfk_fetch_request m;
    /* never answered: no session yet */
    kfk_fetch_session s;
    kfk_fetch_session_init(&s, 1, 1);
    REQUIRE_EQ(build(&s, w, 3, &r), 0);
    kfk_fetch_request_init(&m);
    CHECK_EQ(kfk_fetch_session_close(&s, &m), 0);
    CHECK_EQ(m.session_id, 0);
    kfk_fetch_session_free(&s);
    /* answer lost (connection down): the broker may hold it or not */
    established(&s, w, &r);
    kfk_fetch_session_reset(&s);
    CHECK_EQ(kfk_fetch_session_close(&s, &m), 0);
    kfk_fetch_session_free(&s);
    /* sessions disabled */
    kfk_fetch_session_init(&s, 1, 0);
    CHECK_EQ(kfk_fetch_session_close(&s, &m), 0);
    CHECK_EQ(m.session_id, 0);
    kfk_arena_reset(&r.a);
    kfk_fetch_session_free(&s);
}

/* The allocator fails once `left` reaches zero. */
static int left = -1;
static void *failing_malloc(size_t n) { return left >= 0 && left-- == 0 ? NULL : malloc(n); }
static void *failing_realloc(void *p, size_t n) {
    return left >= 0 && left-- == 0 ? NULL : realloc(p, n);
}

TEST(out_of_memory_resets_the_session) {
    kfk_allocator al = {failing_malloc, failing_realloc, free};
    kfk_set_allocator(&al);
    int failed = 0;
    for (int k = 0; k < 12; k++) {
        kfk_fetch_session s;
        kfk_fs_want w[3];
        req r = {0};
        established(&s, w, &r);
        kfk_fs_want w2[3] = {w[0], w[2], {"c", 4, 40, 1000, {{0}}}};
        left = k;
        int rc = build(&s, w2, 3, &r);
        left = -1;
        if (rc) {
            failed++;
            CHECK_EQ(rc, KFK_ERR_NOMEM);
            CHECK(kfk_fetch_session_is_full(&s));
            CHECK_EQ(s.nview, 0);
            REQUIRE_EQ(build(&s, w2, 3, &r), 0);
            CHECK_EQ(listed(&r.m), 3);
        }
        kfk_arena_reset(&r.a);
        kfk_fetch_session_free(&s);
    }
    kfk_set_allocator(NULL);
    CHECK(failed > 0);
}

/* ------------------------------------------------------------- topic ids */

static kfk_uuid id_of(uint8_t b) {
    kfk_uuid u = {{0}};
    u.b[0] = b;
    u.b[15] = 0x5a;
    return u;
}

/* three() with topic ids: a is 1, b is 2. */
static void three_ids(kfk_fs_want *w) {
    three(w);
    w[0].topic_id = w[1].topic_id = id_of(1);
    w[2].topic_id = id_of(2);
}

/* m encoded at version v and decoded back into *out (arena a, which
 * also keeps the bytes: decoded strings point into them). */
static int round_trip(const kfk_fetch_request *m, int16_t v, kfk_arena *a,
                      kfk_fetch_request *out) {
    kfk_wbuf w = {0};
    int rc = kfk_fetch_request_encode(&w, v, m);
    uint8_t *bytes = rc ? NULL : kfk_arena_alloc(a, w.len);
    if (!rc && !bytes) rc = -1;
    if (!rc) {
        memcpy(bytes, w.data, w.len);
        kfk_rbuf rb = kfk_rbuf_make(bytes, w.len);
        rc = kfk_fetch_request_decode(&rb, v, a, out);
        if (!rc && kfk_rbuf_left(&rb)) rc = -1;
    }
    kfk_wbuf_free(&w);
    return rc;
}

TEST(ids_only_when_every_partition_has_one) {
    kfk_fs_want w[3];
    three_ids(w);
    CHECK(kfk_fs_use_ids(w, 3));
    CHECK(!kfk_fs_use_ids(w, 0));
    w[2].topic_id = (kfk_uuid){{0}};
    CHECK(!kfk_fs_use_ids(w, 3));
}

/* The same request goes out with names at v12 and with ids at v18 (the
 * version the broker agrees on picks); v18 also carries ReplicaState. */
TEST(request_at_v12_names_topics_and_at_v18_ids) {
    kfk_fetch_session s;
    kfk_fetch_session_init(&s, 1, 1);
    kfk_fs_want w[3];
    three_ids(w);
    req r = {0};
    REQUIRE_EQ(build(&s, w, 3, &r), 0);
    CHECK(s.ids);
    r.m.replica_id = -1;
    r.m.replica_state.replica_id = -1;
    kfk_arena a = {0};
    kfk_fetch_request v12, v18;
    REQUIRE_EQ(round_trip(&r.m, 12, &a, &v12), 0);
    REQUIRE_EQ(round_trip(&r.m, 18, &a, &v18), 0);
    REQUIRE_EQ(v12.topics.count, 2);
    REQUIRE_EQ(v18.topics.count, 2);
    CHECK_EQ(v12.topics.items[1].topic.len, 1);
    CHECK(memcmp(v12.topics.items[1].topic.ptr, "b", 1) == 0);
    CHECK(kfk_uuid_is_zero(&v12.topics.items[1].topic_id));
    CHECK_EQ(v18.topics.items[1].topic.len, 0);
    kfk_uuid b = id_of(2);
    CHECK(memcmp(&v18.topics.items[1].topic_id, &b, sizeof b) == 0);
    CHECK_EQ(v18.topics.items[0].partitions.count, 2);
    CHECK_EQ(v18.topics.items[0].partitions.items[1].fetch_offset, 20);
    CHECK_EQ(v18.replica_state.replica_id, -1);
    CHECK_EQ(v12.replica_id, -1);
    kfk_arena_reset(&a);
    kfk_arena_reset(&r.a);
    kfk_fetch_session_free(&s);
}

/* Keyed by id, a topic re-created under the same name is forgotten under
 * its old id and listed under its new one. */
TEST(recreated_topic_is_forgotten_by_old_id) {
    kfk_fetch_session s;
    kfk_fetch_session_init(&s, 1, 1);
    kfk_fs_want w[3];
    three_ids(w);
    req r = {0};
    REQUIRE_EQ(build(&s, w, 3, &r), 0);
    kfk_fetch_session_done(&s, 0, 77);
    w[0].topic_id = w[1].topic_id = id_of(9);
    w[0].fetch_offset = w[1].fetch_offset = 0;
    REQUIRE_EQ(build(&s, w, 3, &r), 0);
    CHECK_EQ(r.m.session_epoch, 1);
    REQUIRE_EQ(r.m.forgotten_topics_data.count, 1);
    kfk_uuid old = id_of(1), new_id = id_of(9);
    CHECK(memcmp(&r.m.forgotten_topics_data.items[0].topic_id, &old, sizeof old) == 0);
    CHECK_EQ(r.m.forgotten_topics_data.items[0].partitions.count, 2);
    REQUIRE_EQ(r.m.topics.count, 1);
    CHECK(memcmp(&r.m.topics.items[0].topic_id, &new_id, sizeof new_id) == 0);
    CHECK_EQ(r.m.topics.items[0].partitions.count, 2);
    kfk_fetch_session_done(&s, 0, 77);
    REQUIRE_EQ(build(&s, w, 3, &r), 0); /* nothing changed since */
    CHECK_EQ(listed(&r.m), 0);
    CHECK_EQ(forgotten(&r.m), 0);
    kfk_arena_reset(&r.a);
    kfk_fetch_session_free(&s);
}

/* With names a re-created topic's partition is the same one: listed with
 * its new offset, never forgotten (that would drop it again). */
TEST(recreated_topic_by_name_is_listed_not_forgotten) {
    kfk_fetch_session s;
    kfk_fs_want w[3];
    req r = {0};
    established(&s, w, &r);
    w[0].fetch_offset = 0;
    REQUIRE_EQ(build(&s, w, 3, &r), 0);
    CHECK_EQ(listed(&r.m), 1);
    CHECK_EQ(listed_at(&r.m, "a", 0), 0);
    CHECK_EQ(forgotten(&r.m), 0);
    kfk_arena_reset(&r.a);
    kfk_fetch_session_free(&s);
}

/* A session made with ids cannot go on with names, nor the other way
 * round: a full request of epoch 0 replaces it. */
TEST(changing_between_names_and_ids_starts_over) {
    kfk_fetch_session s;
    kfk_fs_want w[3];
    req r = {0};
    established(&s, w, &r);
    CHECK(!s.ids);
    three_ids(w);
    REQUIRE_EQ(build(&s, w, 3, &r), 0);
    CHECK(s.ids);
    CHECK_EQ(r.m.session_id, 77);
    CHECK_EQ(r.m.session_epoch, 0);
    CHECK_EQ(listed(&r.m), 3);
    kfk_fetch_session_done(&s, 0, 78);
    w[2].topic_id = (kfk_uuid){{0}};
    REQUIRE_EQ(build(&s, w, 3, &r), 0);
    CHECK(!s.ids);
    CHECK_EQ(r.m.session_epoch, 0);
    CHECK_EQ(listed(&r.m), 3);
    kfk_arena_reset(&r.a);
    kfk_fetch_session_free(&s);
}

/* Answers name topics by name up to v12 and by id from v13. */
TEST(answers_map_back_by_name_or_id) {
    kfk_fs_want w[3];
    three_ids(w);
    kfk_fetch_response_fetchable_topic_response by_name = {.topic = {"b", 1}};
    kfk_fetch_response_fetchable_topic_response by_id = {.topic_id = id_of(1)};
    CHECK_EQ(kfk_fs_find(w, 3, &by_name, 0, 0, 0), 2);
    CHECK_EQ(kfk_fs_find(w, 3, &by_name, 0, 0, 2), 2);
    CHECK_EQ(kfk_fs_find(w, 3, &by_name, 0, 1, 0), -1);
    CHECK_EQ(kfk_fs_find(w, 3, &by_name, 1, 0, 0), -1); /* no such id */
    CHECK_EQ(kfk_fs_find(w, 3, &by_id, 1, 1, 0), 1);
    CHECK_EQ(kfk_fs_find(w, 3, &by_id, 1, 1, 2), 1);
    CHECK_EQ(kfk_fs_find(w, 3, &by_id, 0, 1, 0), -1); /* no name */
    by_id.topic_id = id_of(9); /* a re-created topic's answer to an old request */
    CHECK_EQ(kfk_fs_find(w, 3, &by_id, 1, 0, 0), -1);
}
