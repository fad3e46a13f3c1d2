/* The mock's moving coordinators, DescribeGroups and ListGroups, without
 * sockets: a classic group is formed at its coordinator, moved, described
 * and listed. */
#include <stdio.h>

#include "kfk.h"
#include "mock/mock_int.h"
#include "proto/proto.h"
#include "test.h"

#include "mock_call.h"

/* Broker of key (key_type 0 group, 1 transaction) by FindCoordinator v4. */
static int32_t coordinator(kfk_mock *m, int8_t key_type, const char *key) {
    kfk_find_coordinator_request q;
    kfk_find_coordinator_request_init(&q);
    kfk_str keys[1] = {kfk_str_of(key)};
    q.key_type = key_type;
    q.coordinator_keys.items = keys;
    q.coordinator_keys.count = 1;
    kfk_find_coordinator_response r;
    if (call(m, 1, KFK_API_FIND_COORDINATOR, 4, &q, &r) != KFK_MOCK_REPLY || r.coordinators.count != 1) return -1;
    return r.coordinators.items[0].node_id;
}

/* Member "<id>" of group "g" at broker b: joined (after MEMBER_ID_REQUIRED)
 * and synced with assignment "A"; returns the generation, or -1. */
static int32_t form_group(kfk_mock *m, int32_t b, char *id, size_t idlen) {
    kfk_join_group_request jq;
    kfk_join_group_request_init(&jq);
    kfk_join_group_request_protocol proto = {kfk_str_of("range"), {(const uint8_t *)"sub", 3}};
    jq.group_id = kfk_str_of("g");
    jq.session_timeout_ms = 10000;
    jq.rebalance_timeout_ms = 5000;
    jq.member_id = kfk_str_of("");
    jq.protocol_type = kfk_str_of("consumer");
    jq.protocols.items = &proto;
    jq.protocols.count = 1;
    kfk_join_group_response jr;
    if (call(m, b, KFK_API_JOIN_GROUP, 7, &jq, &jr) != KFK_MOCK_REPLY) return -1;
    snprintf(id, idlen, "%.*s", (int)jr.member_id.len, jr.member_id.ptr);
    jq.member_id = kfk_str_of(id);
    if (call(m, b, KFK_API_JOIN_GROUP, 7, &jq, &jr) != KFK_MOCK_REPLY || jr.error_code) return -1;
    kfk_sync_group_request sq;
    kfk_sync_group_request_init(&sq);
    kfk_sync_group_request_assignment as = {kfk_str_of(id), {(const uint8_t *)"A", 1}};
    sq.group_id = kfk_str_of("g");
    sq.generation_id = jr.generation_id;
    sq.member_id = kfk_str_of(id);
    sq.assignments.items = &as;
    sq.assignments.count = 1;
    kfk_sync_group_response sr;
    if (call(m, b, KFK_API_SYNC_GROUP, 4, &sq, &sr) != KFK_MOCK_REPLY || sr.error_code) return -1;
    return jr.generation_id;
}

static int16_t heartbeat_at(kfk_mock *m, int32_t b, const char *id, int32_t gen) {
    kfk_heartbeat_request q;
    kfk_heartbeat_request_init(&q);
    q.group_id = kfk_str_of("g");
    q.generation_id = gen;
    q.member_id = kfk_str_of(id);
    kfk_heartbeat_response r;
    return call(m, b, KFK_API_HEARTBEAT, 4, &q, &r) == KFK_MOCK_REPLY ? r.error_code : -1;
}

TEST(a_moved_coordinator_keeps_the_group) {
    int ports[3] = {9001, 9002, 9003};
    kfk_mock *m = kfk_mock_new(3, "127.0.0.1", ports, 0);
    REQUIRE(m);
    int32_t from = coordinator(m, 0, "g");
    REQUIRE(from >= 1 && from <= 3);
    char id[64];
    int32_t gen = form_group(m, from, id, sizeof id);
    REQUIRE(gen > 0);
    int32_t to = from % 3 + 1;
    REQUIRE_EQ(kfk_mock_set_coordinator(m, 0, "g", to), 0);
    CHECK_EQ(coordinator(m, 0, "g"), to);
    CHECK_EQ(heartbeat_at(m, from, id, gen), KFK_ERR_NOT_COORDINATOR);
    CHECK_EQ(heartbeat_at(m, to, id, gen), 0); /* same member, same generation */
    /* A transactional id of the same name moves on its own. */
    REQUIRE_EQ(kfk_mock_set_coordinator(m, 1, "g", from), 0);
    CHECK_EQ(coordinator(m, 1, "g"), from);
    CHECK_EQ(coordinator(m, 0, "g"), to);
    CHECK_EQ(kfk_mock_set_coordinator(m, 0, "g", 4), -1);
    CHECK_EQ(kfk_mock_set_coordinator(m, 2, "g", 1), -1);
    CHECK_EQ(kfk_mock_set_coordinator(m, 0, NULL, 1), -1);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

static int list_groups(kfk_mock *m, int32_t b, const char *state, const char *type,
                       kfk_list_groups_response *r) {
    kfk_list_groups_request q;
    kfk_list_groups_request_init(&q);
    kfk_str sf[1] = {kfk_str_of(state ? state : "")}, tf[1] = {kfk_str_of(type ? type : "")};
    q.states_filter.items = sf;
    q.states_filter.count = state != NULL;
    q.types_filter.items = tf;
    q.types_filter.count = type != NULL;
    return call(m, b, KFK_API_LIST_GROUPS, 5, &q, r);
}

TEST(groups_are_described_and_listed_by_their_coordinator) {
    int ports[3] = {9001, 9002, 9003};
    kfk_mock *m = kfk_mock_new(3, "127.0.0.1", ports, 0);
    REQUIRE(m);
    int32_t b = coordinator(m, 0, "g"), other = b % 3 + 1;
    char id[64];
    REQUIRE(form_group(m, b, id, sizeof id) > 0);
    REQUIRE_EQ(kfk_mock_set_coordinator(m, 0, "none", b), 0);

    kfk_describe_groups_request q;
    kfk_describe_groups_request_init(&q);
    kfk_str names[2] = {kfk_str_of("g"), kfk_str_of("none")};
    q.groups.items = names;
    q.groups.count = 2;
    kfk_describe_groups_response r;
    REQUIRE_EQ(call(m, b, KFK_API_DESCRIBE_GROUPS, 5, &q, &r), KFK_MOCK_REPLY);
    REQUIRE_EQ(r.groups.count, 2);
    const kfk_describe_groups_response_described_group *g = &r.groups.items[0];
    CHECK_EQ(g->error_code, 0);
    CHECK(kfk_str_eq(g->group_state, "Stable"));
    CHECK(kfk_str_eq(g->protocol_type, "consumer"));
    CHECK(kfk_str_eq(g->protocol_data, "range"));
    REQUIRE_EQ(g->members.count, 1);
    CHECK(kfk_str_eq(g->members.items[0].member_id, id));
    CHECK(kfk_str_eq(g->members.items[0].client_id, "mock-test"));
    CHECK_EQ(g->members.items[0].member_metadata.len, 3);
    CHECK_MEM(g->members.items[0].member_assignment.ptr, "A", 1);
    /* An unknown group, v5: Dead, no error; v6: GROUP_ID_NOT_FOUND. */
    CHECK_EQ(r.groups.items[1].error_code, 0);
    CHECK(kfk_str_eq(r.groups.items[1].group_state, "Dead"));
    REQUIRE_EQ(call(m, b, KFK_API_DESCRIBE_GROUPS, 6, &q, &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.groups.items[1].error_code, KFK_ERR_GROUP_ID_NOT_FOUND);
    REQUIRE_EQ(call(m, other, KFK_API_DESCRIBE_GROUPS, 5, &q, &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.groups.items[0].error_code, KFK_ERR_NOT_COORDINATOR);

    kfk_list_groups_response lr;
    REQUIRE_EQ(list_groups(m, b, NULL, NULL, &lr), KFK_MOCK_REPLY);
    CHECK_EQ(lr.error_code, 0);
    REQUIRE_EQ(lr.groups.count, 1);
    CHECK(kfk_str_eq(lr.groups.items[0].group_id, "g"));
    CHECK(kfk_str_eq(lr.groups.items[0].group_state, "Stable"));
    CHECK(kfk_str_eq(lr.groups.items[0].group_type, "classic"));
    REQUIRE_EQ(list_groups(m, b, "stable", "Classic", &lr), KFK_MOCK_REPLY); /* filters: any case */
    CHECK_EQ(lr.groups.count, 1);
    REQUIRE_EQ(list_groups(m, b, "Empty", NULL, &lr), KFK_MOCK_REPLY);
    CHECK_EQ(lr.groups.count, 0);
    REQUIRE_EQ(list_groups(m, b, NULL, "consumer", &lr), KFK_MOCK_REPLY);
    CHECK_EQ(lr.groups.count, 0);
    REQUIRE_EQ(list_groups(m, other, NULL, NULL, &lr), KFK_MOCK_REPLY);
    CHECK_EQ(lr.groups.count, 0);
    /* Moved: the new coordinator lists it, the old one no longer. */
    REQUIRE_EQ(kfk_mock_set_coordinator(m, 0, "g", other), 0);
    REQUIRE_EQ(list_groups(m, other, NULL, NULL, &lr), KFK_MOCK_REPLY);
    CHECK_EQ(lr.groups.count, 1);
    REQUIRE_EQ(list_groups(m, b, NULL, NULL, &lr), KFK_MOCK_REPLY);
    CHECK_EQ(lr.groups.count, 0);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}
