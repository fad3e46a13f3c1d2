/* RangeAssignor: cases worked by hand from its definition. */
#include "assignor_test_util.h"
#include "kfk.h"
#include "test.h"

static kfk_member_assignment out[8];

static int run(const kfk_assign_topic *t, int32_t nt, const kfk_assign_member *m, int32_t nm,
               kfk_arena *a) {
    kfk_assign_input in = {t, nt, m, nm};
    return kfk_assignor_range.assign(&in, a, out);
}

/* Two members, two topics of three: the first member takes the extra one
 * of each topic. */
TEST(two_topics_extra_to_first) {
    kfk_str subs[] = {S("t0"), S("t1")};
    kfk_assign_topic t[] = {{S("t0"), 3, NULL}, {S("t1"), 3, NULL}};
    kfk_assign_member m[] = {member(S("C1"), subs, 2), member(S("C0"), subs, 2)};
    kfk_arena a = {0};
    REQUIRE_EQ(run(t, 2, m, 2, &a), 0);
    CHECK_STR(fmt(t, &out[0]), "t0:2;t1:2");
    CHECK_STR(fmt(t, &out[1]), "t0:0,1;t1:0,1");
    kfk_arena_reset(&a);
}

/* Static members sort first, by instance id; topics only count for their
 * subscribers; unknown topics are ignored. */
TEST(static_members_and_uneven_subscriptions) {
    kfk_str s0[] = {S("t0"), S("nope")}, s1[] = {S("t0"), S("t1")};
    kfk_assign_topic t[] = {{S("t0"), 4, NULL}, {S("t1"), 2, NULL}};
    kfk_assign_member m[] = {member(S("a"), s0, 2), member(S("b"), s1, 2)};
    m[1].group_instance_id = S("z");
    kfk_arena a = {0};
    REQUIRE_EQ(run(t, 2, m, 2, &a), 0);
    CHECK_STR(fmt(t, &out[1]), "t0:0,1;t1:0,1");
    CHECK_STR(fmt(t, &out[0]), "t0:2,3");
    kfk_arena_reset(&a);
}

TEST(more_members_than_partitions) {
    kfk_str s[] = {S("t")};
    kfk_assign_topic t[] = {{S("t"), 2, NULL}};
    kfk_assign_member m[] = {member(S("c"), s, 1), member(S("b"), s, 1), member(S("a"), s, 1)};
    kfk_arena a = {0};
    REQUIRE_EQ(run(t, 1, m, 3, &a), 0);
    CHECK_STR(fmt(t, &out[2]), "t:0");
    CHECK_STR(fmt(t, &out[1]), "t:1");
    CHECK_STR(fmt(t, &out[0]), "-");
    kfk_arena_reset(&a);
}

/* Racks: partition 0 lives on rack b only, partition 1 on rack a only, so
 * each goes to the member on its rack rather than in plain range order. */
TEST(rack_aware) {
    kfk_str ra[] = {S("a")}, rb[] = {S("b")};
    kfk_assign_racks racks[] = {{rb, 1}, {ra, 1}};
    kfk_str s[] = {S("t")};
    kfk_assign_topic t[] = {{S("t"), 2, racks}};
    kfk_assign_member m[] = {member(S("C0"), s, 1), member(S("C1"), s, 1)};
    m[0].rack = S("a");
    m[1].rack = S("b");
    kfk_arena a = {0};
    REQUIRE_EQ(run(t, 1, m, 2, &a), 0);
    CHECK_STR(fmt(t, &out[0]), "t:1");
    CHECK_STR(fmt(t, &out[1]), "t:0");
    /* Every partition on every rack: racks change nothing. */
    kfk_str both[] = {S("a"), S("b")};
    kfk_assign_racks all[] = {{both, 2}, {both, 2}};
    t[0].racks = all;
    REQUIRE_EQ(run(t, 1, m, 2, &a), 0);
    CHECK_STR(fmt(t, &out[0]), "t:0");
    kfk_arena_reset(&a);
}

TEST(rejects_duplicate_member) {
    kfk_str s[] = {S("t")};
    kfk_assign_topic t[] = {{S("t"), 2, NULL}};
    kfk_assign_member m[] = {member(S("x"), s, 1), member(S("x"), s, 1)};
    kfk_arena a = {0};
    CHECK_EQ(run(t, 1, m, 2, &a), KFK_ERR_INVALID_ARG);
    kfk_arena_reset(&a);
    CHECK(kfk_assignor_find("range", 5) == &kfk_assignor_range);
    CHECK(kfk_assignor_find("sticky", 6) == NULL);
}
