/* The mock's KIP-848 consumer groups without sockets: the uniform
 * assignor, reconciliation (revocation before reassignment), epochs,
 * leaving, session expiry, and the offset APIs with member epochs. */
#include "core/alloc.h"
#include "kfk.h"
#include "mock/mock_int.h"
#include "test.h"

#include "mock_call.h"

static kfk_mock *one_broker(void) {
    int port = 9001;
    kfk_mock *m = kfk_mock_new(1, "127.0.0.1", &port, 0);
    if (m) kfk_mock_create_topic(m, "t", 4, 1);
    return m;
}

static void done(kfk_mock *m) {
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

/* A member's heartbeat at v1 subscribed to "t", reporting the partitions
 * of "t" in owned (-1 ends; NULL: not reported). Returns the answer's
 * error; *r the answer. */
static int16_t hb(kfk_mock *m, const char *id, int32_t epoch, const int32_t *owned, int64_t now,
                  kfk_consumer_group_heartbeat_response *r) {
    kfk_consumer_group_heartbeat_request q;
    kfk_consumer_group_heartbeat_request_init(&q);
    q.group_id = kfk_str_of("g");
    q.member_id = kfk_str_of(id);
    q.member_epoch = epoch;
    q.rebalance_timeout_ms = 10000;
    kfk_str topic = kfk_str_of("t");
    q.subscribed_topic_names.items = &topic;
    q.subscribed_topic_names.count = 1;
    int32_t parts[8], n = 0;
    kfk_consumer_group_heartbeat_request_topic_partitions tp = {mock_topic_find(m, topic)->id, {parts, 0}};
    for (; owned && owned[n] >= 0; n++) parts[n] = owned[n];
    tp.partitions.count = n;
    q.topic_partitions.items = &tp;
    q.topic_partitions.count = owned ? 1 : -1;
    memset(r, 0, sizeof *r);
    CHECK_EQ(call_at(m, 1, KFK_API_CONSUMER_GROUP_HEARTBEAT, 1, &q, r, now, -1), KFK_MOCK_REPLY);
    return r->error_code;
}

/* The answer's assignment of "t" into out (-1 ended); its count, or -1
 * when the answer carries none. */
static int parts_of(const kfk_consumer_group_heartbeat_response *r, int32_t *out) {
    if (!r->assignment) return -1;
    int n = 0;
    for (int32_t i = 0; i < r->assignment->topic_partitions.count; i++)
        for (int32_t j = 0; j < r->assignment->topic_partitions.items[i].partitions.count; j++)
            out[n++] = r->assignment->topic_partitions.items[i].partitions.items[j];
    out[n] = -1;
    return n;
}

/* A mock whose group "g" has member "a" alone, a its partitions (all four). */
static kfk_mock *with_a(kfk_consumer_group_heartbeat_response *r, int32_t *a) {
    kfk_mock *m = one_broker();
    if (m && hb(m, "a", 0, (int32_t[]){-1}, 0, r) == 0 && parts_of(r, a) == 4) return m;
    kfk_mock_free(m);
    return NULL;
}

TEST(api_versions_advertise_consumer_group_heartbeat) {
    kfk_mock *m = one_broker();
    REQUIRE(m);
    kfk_api_versions_request q;
    kfk_api_versions_request_init(&q);
    kfk_api_versions_response r;
    REQUIRE_EQ(call(m, 1, KFK_API_API_VERSIONS, 3, &q, &r), KFK_MOCK_REPLY);
    int found = 0;
    for (int32_t i = 0; i < r.api_keys.count; i++)
        if (r.api_keys.items[i].api_key == KFK_API_CONSUMER_GROUP_HEARTBEAT) {
            found = 1;
            CHECK_EQ(r.api_keys.items[i].min_version, 0);
            CHECK_EQ(r.api_keys.items[i].max_version, 1);
        }
    CHECK(found);
    done(m);
}

TEST(second_member_gets_partitions_only_after_their_revocation) {
    kfk_consumer_group_heartbeat_response r;
    int32_t a[8], b[8];
    kfk_mock *m = with_a(&r, a);
    REQUIRE(m);
    int32_t ea = r.member_epoch;
    CHECK(ea > 0);
    CHECK_EQ(r.heartbeat_interval_ms, 500);
    /* b joins: its target is two of a's partitions, still a's. */
    REQUIRE_EQ(hb(m, "b", 0, (int32_t[]){-1}, 10, &r), 0);
    int32_t eb = r.member_epoch;
    CHECK(eb > ea);
    CHECK_EQ(parts_of(&r, b), 0);
    /* a is told to keep two, at its old epoch, until it gives the others up. */
    REQUIRE_EQ(hb(m, "a", ea, a, 20, &r), 0);
    CHECK_EQ(r.member_epoch, ea);
    REQUIRE_EQ(parts_of(&r, a), 2);
    REQUIRE_EQ(hb(m, "b", eb, b, 30, &r), 0);
    CHECK_EQ(parts_of(&r, b), -1); /* nothing new: a still holds them */
    REQUIRE_EQ(hb(m, "a", ea, (int32_t[]){0, 1, 2, 3, -1}, 35, &r), 0);
    CHECK_EQ(r.member_epoch, ea); /* still reports them: still revoking */
    REQUIRE_EQ(hb(m, "a", ea, a, 40, &r), 0);
    CHECK_EQ(r.member_epoch, eb);
    CHECK_EQ(parts_of(&r, a), 2);
    REQUIRE_EQ(hb(m, "b", eb, b, 50, &r), 0);
    REQUIRE_EQ(parts_of(&r, b), 2);
    int seen[4] = {0};
    for (int i = 0; i < 2; i++) {
        seen[a[i]]++;
        seen[b[i]]++;
    }
    for (int p = 0; p < 4; p++) CHECK_EQ(seen[p], 1);
    /* a leaves: b gets all four at the next epoch at once. */
    REQUIRE_EQ(hb(m, "a", -1, NULL, 60, &r), 0);
    CHECK_EQ(r.member_epoch, -1);
    REQUIRE_EQ(hb(m, "b", eb, b, 70, &r), 0);
    CHECK(r.member_epoch > eb);
    CHECK_EQ(parts_of(&r, b), 4);
    done(m);
}

TEST(bad_epochs_and_ids_are_refused) {
    kfk_consumer_group_heartbeat_response r;
    int32_t a[8];
    kfk_mock *m = with_a(&r, a);
    REQUIRE(m);
    int32_t ea = r.member_epoch;
    CHECK_EQ(hb(m, "a", ea + 1, a, 10, &r), KFK_ERR_FENCED_MEMBER_EPOCH);
    CHECK_EQ(hb(m, "zz", 3, a, 10, &r), KFK_ERR_UNKNOWN_MEMBER_ID);
    CHECK_EQ(hb(m, "zz", -1, NULL, 10, &r), KFK_ERR_UNKNOWN_MEMBER_ID);
    CHECK_EQ(hb(m, "", 0, NULL, 10, &r), KFK_ERR_INVALID_REQUEST); /* v1 names its member */
    /* The epoch before, owning only what it was given: its answer was lost. */
    REQUIRE_EQ(hb(m, "b", 0, (int32_t[]){-1}, 20, &r), 0);
    REQUIRE_EQ(hb(m, "a", ea, a, 30, &r), 0);
    parts_of(&r, a);
    REQUIRE_EQ(hb(m, "a", ea, a, 40, &r), 0);
    int32_t ea2 = r.member_epoch;
    CHECK(ea2 > ea);
    CHECK_EQ(hb(m, "a", ea, a, 50, &r), 0);
    CHECK_EQ(r.member_epoch, ea2);
    CHECK_EQ(hb(m, "a", ea, (int32_t[]){0, 1, 2, 3, -1}, 60, &r), KFK_ERR_FENCED_MEMBER_EPOCH);
    done(m);
}

TEST(v0_names_the_member) {
    kfk_mock *m = one_broker();
    REQUIRE(m);
    kfk_consumer_group_heartbeat_request q;
    kfk_consumer_group_heartbeat_request_init(&q);
    q.group_id = kfk_str_of("g");
    q.member_id = kfk_str_of("");
    kfk_str topic = kfk_str_of("t");
    q.subscribed_topic_names.items = &topic;
    q.subscribed_topic_names.count = 1;
    q.rebalance_timeout_ms = 1000;
    kfk_consumer_group_heartbeat_response r;
    REQUIRE_EQ(call(m, 1, KFK_API_CONSUMER_GROUP_HEARTBEAT, 0, &q, &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.error_code, 0);
    CHECK(r.member_id.len > 0);
    /* Unknown assignors and a classic join are refused. */
    q.server_assignor = kfk_str_of("sticky");
    REQUIRE_EQ(call(m, 1, KFK_API_CONSUMER_GROUP_HEARTBEAT, 0, &q, &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.error_code, KFK_ERR_UNSUPPORTED_ASSIGNOR);
    kfk_join_group_request jq;
    kfk_join_group_request_init(&jq);
    jq.group_id = kfk_str_of("g");
    jq.member_id = kfk_str_of("x");
    jq.session_timeout_ms = 10000;
    jq.protocol_type = kfk_str_of("consumer");
    kfk_join_group_response jr;
    REQUIRE_EQ(call(m, 1, KFK_API_JOIN_GROUP, 5, &jq, &jr), KFK_MOCK_REPLY);
    CHECK_EQ(jr.error_code, KFK_ERR_INCONSISTENT_GROUP_PROTOCOL);
    done(m);
}

TEST(sessions_and_revocations_expire_with_the_fed_time) {
    kfk_consumer_group_heartbeat_response r;
    int32_t a[8], b[8];
    kfk_mock *m = with_a(&r, a);
    REQUIRE(m);
    int32_t ea = r.member_epoch;
    /* b joins; a never revokes: past its rebalance timeout (10 s) it is gone. */
    REQUIRE_EQ(hb(m, "b", 0, (int32_t[]){-1}, 100, &r), 0);
    int32_t eb = r.member_epoch;
    REQUIRE_EQ(hb(m, "a", ea, a, 200, &r), 0);
    REQUIRE_EQ(parts_of(&r, a), 2);
    REQUIRE_EQ(hb(m, "b", eb, (int32_t[]){-1}, 10000, &r), 0);
    CHECK_EQ(parts_of(&r, b), -1);
    REQUIRE_EQ(hb(m, "b", eb, (int32_t[]){-1}, 10300, &r), 0);
    CHECK_EQ(parts_of(&r, b), 4);
    eb = r.member_epoch;
    CHECK_EQ(hb(m, "a", ea, (int32_t[]){0, 1, 2, 3, -1}, 10400, &r), KFK_ERR_UNKNOWN_MEMBER_ID);
    /* b's session (45 s) runs out without heartbeats. */
    REQUIRE_EQ(hb(m, "c", 0, (int32_t[]){-1}, 10300 + 45001, &r), 0);
    CHECK_EQ(parts_of(&r, a), 4);
    CHECK_EQ(hb(m, "b", eb, b, 10300 + 45002, &r), KFK_ERR_UNKNOWN_MEMBER_ID);
    done(m);
}

/* An OffsetCommit v9 of one offset by member at epoch; the partition's error. */
static int16_t commit(kfk_mock *m, const char *member, int32_t epoch, int64_t offset) {
    kfk_offset_commit_request q;
    kfk_offset_commit_request_init(&q);
    q.group_id = kfk_str_of("g");
    q.member_id = kfk_str_of(member);
    q.generation_id_or_member_epoch = epoch;
    kfk_offset_commit_request_partition p = {.partition_index = 1, .committed_offset = offset,
                                             .committed_leader_epoch = -1, .committed_metadata = {NULL, -1}};
    kfk_offset_commit_request_topic t = {.name = kfk_str_of("t"), .partitions = {&p, 1}};
    q.topics.items = &t;
    q.topics.count = 1;
    kfk_offset_commit_response r;
    CHECK_EQ(call(m, 1, KFK_API_OFFSET_COMMIT, 9, &q, &r), KFK_MOCK_REPLY);
    return r.topics.count == 1 && r.topics.items[0].partitions.count == 1
               ? r.topics.items[0].partitions.items[0].error_code
               : -1;
}

TEST(offsets_with_member_epochs) {
    kfk_mock *m = one_broker();
    REQUIRE(m);
    kfk_consumer_group_heartbeat_response r;
    REQUIRE_EQ(hb(m, "a", 0, (int32_t[]){-1}, 0, &r), 0);
    int32_t ea = r.member_epoch;
    CHECK_EQ(commit(m, "a", ea + 1, 5), KFK_ERR_STALE_MEMBER_EPOCH);
    CHECK_EQ(commit(m, "b", ea, 5), KFK_ERR_UNKNOWN_MEMBER_ID);
    CHECK_EQ(commit(m, "", -1, 5), KFK_ERR_UNKNOWN_MEMBER_ID); /* the group has members */
    CHECK_EQ(commit(m, "a", ea, 42), 0);
    kfk_offset_fetch_request q;
    kfk_offset_fetch_request_init(&q);
    int32_t p1 = 1;
    kfk_offset_fetch_request_topics ft = {.name = kfk_str_of("t"), .partition_indexes = {&p1, 1}};
    kfk_offset_fetch_request_group fg = {.group_id = kfk_str_of("g"), .member_id = kfk_str_of("a"),
                                         .member_epoch = ea + 1, .topics = {&ft, 1}};
    q.groups.items = &fg;
    q.groups.count = 1;
    kfk_offset_fetch_response fr;
    REQUIRE_EQ(call(m, 1, KFK_API_OFFSET_FETCH, 9, &q, &fr), KFK_MOCK_REPLY);
    CHECK_EQ(fr.groups.items[0].error_code, KFK_ERR_STALE_MEMBER_EPOCH);
    fg.member_epoch = ea;
    REQUIRE_EQ(call(m, 1, KFK_API_OFFSET_FETCH, 9, &q, &fr), KFK_MOCK_REPLY);
    REQUIRE_EQ(fr.groups.items[0].error_code, 0);
    CHECK_EQ(fr.groups.items[0].topics.items[0].partitions.items[0].committed_offset, 42);
    /* Empty again: commits without a member are fine. */
    REQUIRE_EQ(hb(m, "a", -1, NULL, 10, &r), 0);
    CHECK_EQ(commit(m, "", -1, 43), 0);
    done(m);
}

/* Three members of the uniform assignor over 7 partitions, then a fourth:
 * counts differ by at most one, and the old members keep what they can. */
TEST(uniform_assignor_balances_and_sticks) {
    int port = 9001;
    kfk_mock *m = kfk_mock_new(1, "127.0.0.1", &port, 0);
    REQUIRE(m);
    REQUIRE_EQ(kfk_mock_create_topic(m, "x", 3, 1), 0);
    REQUIRE_EQ(kfk_mock_create_topic(m, "y", 4, 1), 0);
    REQUIRE_EQ(kfk_mock_create_topic(m, "z", 5, 1), 0); /* nobody's */
    mock_group g = {0};
    mock_cmember mbs[4] = {{0}};
    char *subs[] = {"x", "y"};
    const char *ids[] = {"m3", "m1", "m2", "m0"};
    for (int i = 0; i < 4; i++) {
        mbs[i].id = (char *)ids[i];
        mbs[i].topics = subs;
        mbs[i].ntopics = 2;
    }
    g.cmembers = mbs;
    g.ncmembers = 3;
    REQUIRE_EQ(mock_uniform_assign(m, &g), 0);
    int total = 0;
    for (int i = 0; i < 3; i++) {
        CHECK(mbs[i].target.count == 2 || mbs[i].target.count == 3);
        total += mbs[i].target.count;
    }
    CHECK_EQ(total, 7);
    mock_tps before[3] = {{0}};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < mbs[i].target.count; j++)
            mock_tps_add(&before[i], &mbs[i].target.items[j].topic, mbs[i].target.items[j].partition);
    g.ncmembers = 4;
    REQUIRE_EQ(mock_uniform_assign(m, &g), 0);
    total = 0;
    for (int i = 0; i < 4; i++) {
        CHECK(mbs[i].target.count == 1 || mbs[i].target.count == 2);
        total += mbs[i].target.count;
    }
    CHECK_EQ(total, 7);
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < mbs[i].target.count; j++)
            CHECK(mock_tps_has(&before[i], &mbs[i].target.items[j].topic, mbs[i].target.items[j].partition));
        kfk_free(before[i].items);
    }
    /* A member subscribed to z alone gets all of z and nothing else. */
    char *zsub[] = {"z"};
    mbs[3].topics = zsub;
    mbs[3].ntopics = 1;
    REQUIRE_EQ(mock_uniform_assign(m, &g), 0);
    CHECK_EQ(mbs[3].target.count, 5);
    for (int i = 0; i < 4; i++) kfk_free(mbs[i].target.items);
    kfk_mock_free(m);
}

/* A regular expression subscribes to the whole names it matches; the
 * group is described with its members' epochs, subscriptions and
 * assignments. */
TEST(regex_subscription_and_describe) {
    kfk_mock *m = one_broker();
    REQUIRE(m);
    REQUIRE_EQ(kfk_mock_create_topic(m, "tt", 2, 1), 0);
    REQUIRE_EQ(kfk_mock_create_topic(m, "xt", 3, 1), 0);
    kfk_consumer_group_heartbeat_request q;
    kfk_consumer_group_heartbeat_request_init(&q);
    q.group_id = kfk_str_of("g");
    q.member_id = kfk_str_of("r");
    q.rebalance_timeout_ms = 1000;
    q.subscribed_topic_regex = kfk_str_of("t+");
    kfk_consumer_group_heartbeat_response r;
    REQUIRE_EQ(call(m, 1, KFK_API_CONSUMER_GROUP_HEARTBEAT, 1, &q, &r), KFK_MOCK_REPLY);
    REQUIRE_EQ(r.error_code, 0);
    REQUIRE(r.assignment);
    int n = 0;
    for (int32_t i = 0; i < r.assignment->topic_partitions.count; i++)
        n += r.assignment->topic_partitions.items[i].partitions.count;
    CHECK_EQ(n, 6); /* t and tt, not xt */
    q.member_id = kfk_str_of("bad");
    q.subscribed_topic_regex = kfk_str_of("(");
    REQUIRE_EQ(call(m, 1, KFK_API_CONSUMER_GROUP_HEARTBEAT, 1, &q, &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.error_code, KFK_ERR_INVALID_REGULAR_EXPRESSION);

    kfk_consumer_group_describe_request dq;
    kfk_consumer_group_describe_request_init(&dq);
    kfk_str ids[] = {kfk_str_of("g"), kfk_str_of("nope")};
    dq.group_ids.items = ids;
    dq.group_ids.count = 2;
    kfk_consumer_group_describe_response dr;
    REQUIRE_EQ(call(m, 1, KFK_API_CONSUMER_GROUP_DESCRIBE, 1, &dq, &dr), KFK_MOCK_REPLY);
    REQUIRE_EQ(dr.groups.count, 2);
    const kfk_consumer_group_describe_response_described_group *g = &dr.groups.items[0];
    CHECK_EQ(g->error_code, 0);
    CHECK(g->group_state.len == 6 && !memcmp(g->group_state.ptr, "Stable", 6));
    REQUIRE_EQ(g->members.count, 1);
    CHECK_EQ(g->members.items[0].member_epoch, g->group_epoch);
    CHECK(g->members.items[0].subscribed_topic_regex.len == 2 &&
          !memcmp(g->members.items[0].subscribed_topic_regex.ptr, "t+", 2));
    CHECK_EQ(g->members.items[0].assignment.topic_partitions.count, 2);
    CHECK_EQ(dr.groups.items[1].error_code, KFK_ERR_GROUP_ID_NOT_FOUND);
    done(m);
}
