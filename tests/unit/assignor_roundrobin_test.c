/* RoundRobinAssignor: cases worked by hand from its definition. */
#include "assignor_test_util.h"
#include "kfk.h"
#include "test.h"

static kfk_member_assignment out[8];

/* Partitions in topic-name order dealt around the members; a member not
 * subscribed to a topic is skipped. */
TEST(uneven_subscriptions) {
    kfk_str s0[] = {S("t0")}, s1[] = {S("t0"), S("t1")}, s2[] = {S("t0"), S("t1"), S("t2")};
    kfk_assign_topic t[] = {{S("t2"), 3, NULL}, {S("t1"), 2, NULL}, {S("t0"), 1, NULL}};
    kfk_assign_member m[] = {member(S("C2"), s2, 3), member(S("C0"), s0, 1), member(S("C1"), s1, 2)};
    kfk_assign_input in = {t, 3, m, 3};
    kfk_arena a = {0};
    REQUIRE_EQ(kfk_assignor_roundrobin.assign(&in, &a, out), 0);
    CHECK_STR(fmt(t, &out[1]), "t0:0");
    CHECK_STR(fmt(t, &out[2]), "t1:0");
    CHECK_STR(fmt(t, &out[0]), "t1:1;t2:0,1,2");
    kfk_arena_reset(&a);
}

TEST(equal_subscriptions_alternate) {
    kfk_str s[] = {S("t0"), S("t1")};
    kfk_assign_topic t[] = {{S("t0"), 3, NULL}, {S("t1"), 3, NULL}};
    kfk_assign_member m[] = {member(S("C0"), s, 2), member(S("C1"), s, 2)};
    kfk_assign_input in = {t, 2, m, 2};
    kfk_arena a = {0};
    REQUIRE_EQ(kfk_assignor_roundrobin.assign(&in, &a, out), 0);
    CHECK_STR(fmt(t, &out[0]), "t0:0,2;t1:1");
    CHECK_STR(fmt(t, &out[1]), "t0:1;t1:0,2");
    kfk_arena_reset(&a);
}

TEST(no_members_no_topics) {
    kfk_assign_input in = {NULL, 0, NULL, 0};
    kfk_arena a = {0};
    CHECK_EQ(kfk_assignor_roundrobin.assign(&in, &a, out), 0);
    kfk_arena_reset(&a);
}
