/* Rack-aware cooperative-sticky (KIP-881) on hand-made groups, and the group
 * leader feeding replica racks from metadata to the assignors.
 *
 * Every expected assignment here is the Java 4.1.1 client's answer: the same
 * cases were run through tests/interop/AssignorCheck.java (the interop
 * harness's Java side). */
#include "assignor_test_util.h"
#include "client/metadata.h"
#include "consumer/group.h"
#include "kfk.h"
#include "test.h"

static kfk_member_assignment out[8];

static int run(const kfk_assign_topic *t, int32_t nt, const kfk_assign_member *m, int32_t nm,
               kfk_arena *a) {
    kfk_assign_input in = {t, nt, m, nm};
    return kfk_assignor_cooperative_sticky.assign(&in, a, out);
}

static kfk_assign_member on_rack(kfk_str id, kfk_str rack, const kfk_str *s, int32_t ns) {
    kfk_assign_member m = member(id, s, ns);
    m.rack = rack;
    return m;
}

/* Replica racks, one rack per partition (at most 8 partitions). */
static const kfk_assign_racks *racks_of(const kfk_str *per, int32_t n, kfk_assign_racks *r) {
    for (int32_t p = 0; p < n; p++) r[p] = (kfk_assign_racks){&per[p], 1};
    return r;
}

/* Same subscriptions, nothing owned: each partition goes to the member on
 * its rack (without racks A would get t:0,3 by member order). */
TEST(constrained_fresh_follows_racks) {
    kfk_str s[] = {S("t")}, per[] = {S("rc"), S("rb"), S("ra"), S("rc"), S("rb"), S("ra")};
    kfk_assign_racks r[6];
    kfk_assign_topic t[] = {{S("t"), 6, racks_of(per, 6, r)}};
    kfk_assign_member m[] = {on_rack(S("A"), S("ra"), s, 1), on_rack(S("B"), S("rb"), s, 1),
                             on_rack(S("C"), S("rc"), s, 1)};
    kfk_arena a = {0};
    REQUIRE_EQ(run(t, 1, m, 3, &a), 0);
    CHECK_STR(fmt(t, &out[0]), "t:2,5");
    CHECK_STR(fmt(t, &out[1]), "t:1,4");
    CHECK_STR(fmt(t, &out[2]), "t:0,3");
    kfk_arena_reset(&a);
}

/* Owned partitions off the owner's rack are given up even though the
 * assignment was balanced; cooperative, they move in a second round. */
TEST(constrained_owned_off_rack_move) {
    static const int32_t pa[] = {0, 1}, pb[] = {2, 3}, pa2[] = {0}, pb2[] = {3};
    kfk_str s[] = {S("t")}, per[] = {S("ra"), S("rb"), S("ra"), S("rb")};
    kfk_assign_racks r[4];
    kfk_assign_topic t[] = {{S("t"), 4, racks_of(per, 4, r)}};
    kfk_assign_owned oa = {S("t"), pa, 2}, ob = {S("t"), pb, 2};
    kfk_assign_member m[] = {on_rack(S("A"), S("ra"), s, 1), on_rack(S("B"), S("rb"), s, 1)};
    m[0].owned = &oa, m[0].nowned = 1, m[0].generation = 1;
    m[1].owned = &ob, m[1].nowned = 1, m[1].generation = 1;
    kfk_arena a = {0};
    REQUIRE_EQ(run(t, 1, m, 2, &a), 0);
    CHECK_STR(fmt(t, &out[0]), "t:0");
    CHECK_STR(fmt(t, &out[1]), "t:3");
    kfk_assign_owned oa2 = {S("t"), pa2, 1}, ob2 = {S("t"), pb2, 1};
    m[0].owned = &oa2, m[0].generation = 2;
    m[1].owned = &ob2, m[1].generation = 2;
    REQUIRE_EQ(run(t, 1, m, 2, &a), 0);
    CHECK_STR(fmt(t, &out[0]), "t:0,2");
    CHECK_STR(fmt(t, &out[1]), "t:1,3");
    kfk_arena_reset(&a);
}

/* Balance comes before racks: A's rack holds one partition, yet A gets two
 * and B three. */
TEST(constrained_balance_before_racks) {
    kfk_str s[] = {S("t")}, per[] = {S("rb"), S("rb"), S("rb"), S("ra"), S("rb")};
    kfk_assign_racks r[5];
    kfk_assign_topic t[] = {{S("t"), 5, racks_of(per, 5, r)}};
    kfk_assign_member m[] = {on_rack(S("A"), S("ra"), s, 1), on_rack(S("B"), S("rb"), s, 1)};
    kfk_arena a = {0};
    REQUIRE_EQ(run(t, 1, m, 2, &a), 0);
    CHECK_STR(fmt(t, &out[0]), "t:3,4");
    CHECK_STR(fmt(t, &out[1]), "t:0,1,2");
    kfk_arena_reset(&a);
}

/* Differing subscriptions: the member without a rack (C) matches every
 * partition; A, on ra, gets t1's partition on ra. */
TEST(general_fresh_follows_racks) {
    kfk_str sa[] = {S("t1"), S("t2")}, sb[] = {S("t1")}, sc[] = {S("t2")};
    kfk_str per1[] = {S("rb"), S("ra"), S("rb")}, per2[] = {S("ra"), S("rb")};
    kfk_assign_racks r1[3], r2[2];
    kfk_assign_topic t[] = {{S("t1"), 3, racks_of(per1, 3, r1)}, {S("t2"), 2, racks_of(per2, 2, r2)}};
    kfk_assign_member m[] = {on_rack(S("A"), S("ra"), sa, 2), on_rack(S("B"), S("rb"), sb, 1),
                             member(S("C"), sc, 1)};
    kfk_arena a = {0};
    REQUIRE_EQ(run(t, 2, m, 3, &a), 0);
    CHECK_STR(fmt(t, &out[0]), "t1:1");
    CHECK_STR(fmt(t, &out[1]), "t1:0,2");
    CHECK_STR(fmt(t, &out[2]), "t2:0,1");
    kfk_arena_reset(&a);
}

/* Not rack-aware: every partition on every rack, or member racks holding
 * no replica. The answers are those without racks. */
TEST(racks_that_cannot_help_are_ignored) {
    kfk_str s[] = {S("t")}, all[] = {S("ra"), S("rb"), S("rc")}, per[] = {S("ra"), S("rb"), S("ra")};
    kfk_assign_racks ra[3] = {{all, 3}, {all, 3}, {all, 3}}, rb[3];
    kfk_assign_topic t[] = {{S("t"), 3, ra}};
    kfk_assign_member m[] = {on_rack(S("C"), S("rc"), s, 1), on_rack(S("A"), S("ra"), s, 1)};
    kfk_arena a = {0};
    REQUIRE_EQ(run(t, 1, m, 2, &a), 0);
    CHECK_STR(fmt(t, &out[0]), "t:1");
    CHECK_STR(fmt(t, &out[1]), "t:0,2");
    t[0].racks = racks_of(per, 3, rb);
    m[0] = on_rack(S("B"), S("rd"), s, 1);
    m[1] = on_rack(S("A"), S("rd"), s, 1);
    REQUIRE_EQ(run(t, 1, m, 2, &a), 0);
    CHECK_STR(fmt(t, &out[0]), "t:1");
    CHECK_STR(fmt(t, &out[1]), "t:0,2");
    kfk_arena_reset(&a);
}

/* ---- the group leader: member racks from subscriptions, replica racks
 * from the brokers in metadata */

static kfk_metadata *cluster(void) {
    static kfk_metadata_response_broker brokers[] = {
        {1, S("h1"), 9092, S("ra")}, {2, S("h2"), 9092, S("rb")}, {3, S("h3"), 9092, NONE}};
    /* Partitions 0 and 2 on rb, 1 and 3 on ra; broker 3 has no rack. */
    static int32_t on1[] = {2}, on2[] = {1}, on3[] = {2, 3}, on4[] = {1, 3};
    static kfk_metadata_response_partition parts[4];
    static int32_t *reps[] = {on1, on2, on3, on4};
    static const int32_t nreps[] = {1, 1, 2, 2};
    static kfk_metadata_response_topic topic;
    kfk_metadata_response resp;
    kfk_metadata_response_init(&resp);
    for (int32_t p = 0; p < 4; p++)
        parts[p] = (kfk_metadata_response_partition){.partition_index = p, .leader_id = reps[p][0],
                                                     .replica_nodes = {reps[p], nreps[p]}};
    topic = (kfk_metadata_response_topic){.name = S("t"), .partitions = {parts, 4}};
    resp.brokers.items = brokers;
    resp.brokers.count = 3;
    resp.topics.items = &topic;
    resp.topics.count = 1;
    return kfk_metadata_build(NULL, &resp, 1, 1);
}

static void join_member(kfk_join_group_response_member *jm, kfk_wbuf *w, kfk_arena *a,
                        kfk_str id, kfk_str rack) {
    static kfk_str topics[] = {S("t")};
    kfk_subscription s = {.topics = topics, .ntopics = 1, .user_data = {NULL, -1},
                          .generation = -1, .rack = rack};
    kfk_subscription_encode(w, KFK_CONSUMER_PROTOCOL_MAX_VERSION, &s, a);
    *jm = (kfk_join_group_response_member){.member_id = id, .group_instance_id = NONE,
                                           .metadata = {w->data, (int32_t)w->len}};
}

static const char *assigned(const kfk_wbuf *w, kfk_arena *a) {
    static char buf[64];
    kfk_assignment d;
    if (kfk_assignment_decode(w->data, w->len, a, &d) || d.nparts != 1) return "?";
    size_t n = (size_t)snprintf(buf, sizeof buf, "%.*s:", d.parts[0].topic.len, d.parts[0].topic.ptr);
    for (int32_t i = 0; i < d.parts[0].count; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%d", i ? "," : "", d.parts[0].partitions[i]);
    return buf;
}

/* Both assignors follow the racks once the leader supplies them (without,
 * A would get t:0,2 from cooperative-sticky and t:0,1 from range). */
TEST(leader_passes_replica_racks) {
    const kfk_assignor *as[] = {&kfk_assignor_cooperative_sticky, &kfk_assignor_range};
    kfk_metadata *md = cluster();
    REQUIRE(md != NULL);
    for (int i = 0; i < 2; i++) {
        kfk_arena a = {0};
        kfk_wbuf sub[2] = {{0}}, asg[2] = {{0}};
        kfk_join_group_response_member jm[2];
        join_member(&jm[0], &sub[0], &a, S("A"), S("ra"));
        join_member(&jm[1], &sub[1], &a, S("B"), S("rb"));
        kfk_group g = {.assignor = as[i]};
        REQUIRE_EQ(kfk_group_keep_members(&g, jm, 2), 0);
        REQUIRE_EQ(kfk_group_assign(&g, md, asg), 0);
        CHECK_STR(assigned(&asg[0], &a), "t:1,3");
        CHECK_STR(assigned(&asg[1], &a), "t:0,2");
        for (int k = 0; k < 2; k++) {
            kfk_wbuf_free(&sub[k]);
            kfk_wbuf_free(&asg[k]);
        }
        kfk_arena_reset(&g.ra);
        kfk_arena_reset(&a);
    }
    kfk_metadata_unref(md);
}
