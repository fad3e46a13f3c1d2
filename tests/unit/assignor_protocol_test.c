/* ConsumerProtocol subscription and assignment bytes: golden bytes written by
 * hand from the schema, round trips at every version, newer versions, and
 * garbage. */
#include <stdlib.h>

#include "assign/assignor.h"
#include "core/alloc.h"
#include "kfk.h"
#include "test.h"

#define S(lit) ((kfk_str){(lit), (int32_t)sizeof(lit) - 1})
#define NULL_BYTES ((kfk_bytes){NULL, -1})

static bool str_is(kfk_str s, const char *lit) {
    return s.len == (int32_t)strlen(lit) && memcmp(s.ptr, lit, (size_t)s.len) == 0;
}

TEST(subscription_v0_golden) {
    static const uint8_t want[] = {
        0x00, 0x00,                         /* version 0 */
        0x00, 0x00, 0x00, 0x02,             /* 2 topics, sorted */
        0x00, 0x01, 'a', 0x00, 0x02, 'b', 'c',
        0xff, 0xff, 0xff, 0xff,             /* user data: null */
    };
    kfk_str topics[] = {S("bc"), S("a")};
    kfk_subscription s = {.topics = topics, .ntopics = 2, .user_data = NULL_BYTES,
                          .generation = 5, .rack = S("r1")};
    kfk_wbuf w = {0};
    kfk_arena a = {0};
    REQUIRE_EQ(kfk_subscription_encode(&w, 0, &s, &a), 0);
    REQUIRE_EQ(w.len, sizeof want);
    CHECK_MEM(w.data, want, sizeof want);
    kfk_subscription d;
    REQUIRE_EQ(kfk_subscription_decode(w.data, w.len, &a, &d), 0);
    CHECK_EQ(d.version, 0);
    REQUIRE_EQ(d.ntopics, 2);
    CHECK(str_is(d.topics[0], "a") && str_is(d.topics[1], "bc"));
    CHECK_EQ(d.user_data.len, -1);
    CHECK_EQ(d.nowned, 0);
    CHECK_EQ(d.generation, -1); /* fields v0 lacks come back as defaults */
    CHECK_EQ(d.rack.len, -1);
    kfk_wbuf_free(&w);
    kfk_arena_reset(&a);
}

TEST(subscription_v1_golden) {
    static const uint8_t want[] = {
        0x00, 0x01,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 't',
        0x00, 0x00, 0x00, 0x02, 0x01, 0x02,             /* user data */
        0x00, 0x00, 0x00, 0x02,                         /* owned: 2 topics */
        0x00, 0x01, 'a', 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07,
        0x00, 0x01, 't', 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
    };
    static const uint8_t ud[] = {1, 2};
    /* Given unsorted and split: Java sorts by topic, partition and merges. */
    static const int32_t t_hi[] = {2}, t_lo[] = {0}, a7[] = {7};
    kfk_assign_owned owned[] = {{S("t"), t_hi, 1}, {S("a"), a7, 1}, {S("t"), t_lo, 1}};
    kfk_str topics[] = {S("t")};
    kfk_subscription s = {.topics = topics, .ntopics = 1, .user_data = {ud, 2}, .owned = owned,
                          .nowned = 3, .generation = -1, .rack = {NULL, -1}};
    kfk_wbuf w = {0};
    kfk_arena a = {0};
    REQUIRE_EQ(kfk_subscription_encode(&w, 1, &s, &a), 0);
    REQUIRE_EQ(w.len, sizeof want);
    CHECK_MEM(w.data, want, sizeof want);
    kfk_wbuf_free(&w);
    kfk_arena_reset(&a);
}

TEST(assignment_v0_golden) {
    static const uint8_t want[] = {
        0x00, 0x00,
        0x00, 0x00, 0x00, 0x01,
        0x00, 0x01, 't', 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0xff, 0xff, 0xff, 0xff,
    };
    kfk_assign_topic topics[] = {{S("t"), 2, NULL}};
    kfk_assign_tp tps[] = {{0, 0}, {0, 1}};
    kfk_member_assignment m = {tps, 2};
    kfk_wbuf w = {0};
    REQUIRE_EQ(kfk_assignment_encode(&w, 0, topics, &m, NULL_BYTES), 0);
    REQUIRE_EQ(w.len, sizeof want);
    CHECK_MEM(w.data, want, sizeof want);
    kfk_arena a = {0};
    kfk_assignment d;
    REQUIRE_EQ(kfk_assignment_decode(w.data, w.len, &a, &d), 0);
    REQUIRE_EQ(d.nparts, 1);
    CHECK(str_is(d.parts[0].topic, "t"));
    REQUIRE_EQ(d.parts[0].count, 2);
    CHECK_EQ(d.parts[0].partitions[1], 1);
    CHECK_EQ(d.user_data.len, -1);
    kfk_wbuf_free(&w);
    kfk_arena_reset(&a);
}

TEST(subscription_round_trip_every_version) {
    static const int32_t ps[] = {1, 4};
    static const uint8_t ud[] = {0, 0, 0, 9};
    kfk_assign_owned owned[] = {{S("x"), ps, 2}};
    kfk_str topics[] = {S("x"), S("y")};
    kfk_subscription s = {.topics = topics, .ntopics = 2, .user_data = {ud, 4}, .owned = owned,
                          .nowned = 1, .generation = 42, .rack = S("rack-a")};
    for (int16_t v = 0; v <= 3; v++) {
        kfk_wbuf w = {0};
        kfk_arena a = {0};
        kfk_subscription d;
        REQUIRE_EQ(kfk_subscription_encode(&w, v, &s, &a), 0);
        REQUIRE_EQ(kfk_subscription_decode(w.data, w.len, &a, &d), 0);
        CHECK_EQ(d.version, v);
        CHECK_EQ(d.ntopics, 2);
        CHECK_EQ(d.user_data.len, 4);
        CHECK_EQ(d.nowned, v >= 1 ? 1 : 0);
        if (v >= 1 && d.nowned == 1) CHECK_EQ(d.owned[0].partitions[1], 4);
        CHECK_EQ(d.generation, v >= 2 ? 42 : -1);
        CHECK(v >= 3 ? str_is(d.rack, "rack-a") : d.rack.len == -1);
        kfk_wbuf_free(&w);
        kfk_arena_reset(&a);
    }
}

TEST(assignment_round_trip_every_version) {
    static const uint8_t ud[] = {7};
    kfk_assign_topic topics[] = {{S("a"), 3, NULL}, {S("b"), 1, NULL}};
    kfk_assign_tp tps[] = {{0, 0}, {0, 2}, {1, 0}};
    kfk_member_assignment m = {tps, 3};
    for (int16_t v = 0; v <= 3; v++) {
        kfk_wbuf w = {0};
        kfk_arena a = {0};
        kfk_assignment d;
        REQUIRE_EQ(kfk_assignment_encode(&w, v, topics, &m, (kfk_bytes){ud, 1}), 0);
        REQUIRE_EQ(kfk_assignment_decode(w.data, w.len, &a, &d), 0);
        CHECK_EQ(d.version, v);
        REQUIRE_EQ(d.nparts, 2);
        CHECK(str_is(d.parts[1].topic, "b"));
        CHECK_EQ(d.parts[0].count, 2);
        CHECK_EQ(d.user_data.len, 1);
        kfk_wbuf_free(&w);
        kfk_arena_reset(&a);
    }
}

/* A version we do not know is read with the newest layout we do, ignoring
 * what follows (ConsumerProtocol.checkSubscriptionVersion in Java). */
TEST(newer_version_decoded_as_v3) {
    kfk_str topics[] = {S("t")};
    kfk_subscription s = {.topics = topics, .ntopics = 1, .user_data = NULL_BYTES,
                          .generation = 3, .rack = S("r")};
    kfk_wbuf w = {0};
    kfk_arena a = {0};
    REQUIRE_EQ(kfk_subscription_encode(&w, 3, &s, &a), 0);
    w.data[1] = 9; /* version 9 */
    kfk_wr_i32(&w, 0x12345678); /* a field from the future */
    kfk_subscription d;
    REQUIRE_EQ(kfk_subscription_decode(w.data, w.len, &a, &d), 0);
    CHECK_EQ(d.version, 9);
    CHECK_EQ(d.generation, 3);
    CHECK(str_is(d.rack, "r"));
    kfk_wbuf_free(&w);

    kfk_assign_topic at[] = {{S("t"), 1, NULL}};
    kfk_assign_tp tp = {0, 0};
    kfk_member_assignment m = {&tp, 1};
    REQUIRE_EQ(kfk_assignment_encode(&w, 3, at, &m, NULL_BYTES), 0);
    w.data[0] = 0x7f; /* version 32512 */
    kfk_wr_u8(&w, 0xee);
    kfk_assignment ad;
    REQUIRE_EQ(kfk_assignment_decode(w.data, w.len, &a, &ad), 0);
    CHECK_EQ(ad.version, 0x7f03);
    CHECK_EQ(ad.nparts, 1);
    kfk_wbuf_free(&w);
    kfk_arena_reset(&a);
}

/* Every truncation, a negative version, a huge count and random bytes are
 * rejected (or decoded) without reading past the input: ASan checks that. */
TEST(garbage_rejected) {
    static const int32_t ps[] = {0, 1, 2};
    kfk_assign_owned owned[] = {{S("topic"), ps, 3}};
    kfk_str topics[] = {S("topic"), S("other")};
    kfk_subscription s = {.topics = topics, .ntopics = 2, .user_data = NULL_BYTES, .owned = owned,
                          .nowned = 1, .generation = 1, .rack = S("r")};
    kfk_wbuf w = {0};
    kfk_arena a = {0};
    REQUIRE_EQ(kfk_subscription_encode(&w, 3, &s, &a), 0);
    kfk_subscription d;
    for (size_t n = 0; n < w.len; n++) {
        uint8_t *copy = kfk_malloc(n ? n : 1); /* exact size, so ASan sees overreads */
        memcpy(copy, w.data, n);
        CHECK_EQ(kfk_subscription_decode(copy, n, &a, &d), KFK_ERR_MALFORMED);
        kfk_free(copy);
    }
    w.data[0] = 0x80; /* negative version */
    CHECK_EQ(kfk_subscription_decode(w.data, w.len, &a, &d), KFK_ERR_MALFORMED);
    static const uint8_t huge[] = {0, 0, 0x7f, 0xff, 0xff, 0xff, 0, 1, 'x'};
    CHECK_EQ(kfk_subscription_decode(huge, sizeof huge, &a, &d), KFK_ERR_MALFORMED);
    kfk_assignment ad;
    CHECK_EQ(kfk_assignment_decode(huge, sizeof huge, &a, &ad), KFK_ERR_MALFORMED);
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 2000; i++) {
        uint8_t buf[64];
        size_t n = (size_t)(i % 64);
        for (size_t k = 0; k < n; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            buf[k] = (uint8_t)(k < 2 ? x & 3 : x);
        }
        uint8_t *copy = kfk_malloc(n ? n : 1);
        memcpy(copy, buf, n);
        int rc = kfk_subscription_decode(copy, n, &a, &d);
        CHECK(rc == 0 || rc == KFK_ERR_MALFORMED);
        rc = kfk_assignment_decode(copy, n, &a, &ad);
        CHECK(rc == 0 || rc == KFK_ERR_MALFORMED);
        kfk_free(copy);
        kfk_arena_reset(&a);
    }
    kfk_wbuf_free(&w);
    kfk_arena_reset(&a);
}

TEST(encode_rejects_unknown_version) {
    kfk_subscription s = {.user_data = NULL_BYTES, .generation = -1, .rack = {NULL, -1}};
    kfk_wbuf w = {0};
    kfk_arena a = {0};
    CHECK_EQ(kfk_subscription_encode(&w, 4, &s, &a), KFK_ERR_INVALID_ARG);
    CHECK_EQ(kfk_subscription_encode(&w, -1, &s, &a), KFK_ERR_INVALID_ARG);
    kfk_wbuf_free(&w);
    kfk_arena_reset(&a);
}

TEST(member_from_subscription) {
    kfk_str topics[] = {S("t")};
    kfk_subscription s = {.topics = topics, .ntopics = 1, .user_data = NULL_BYTES,
                          .generation = -1, .rack = S("r")};
    kfk_assign_member m;
    kfk_assign_member_from_subscription(&m, S("m1"), (kfk_str){NULL, -1}, &s);
    CHECK(str_is(m.member_id, "m1"));
    CHECK_EQ(m.group_instance_id.len, -1);
    CHECK_EQ(m.ntopics, 1);
    CHECK_EQ(m.generation, -1);
    CHECK(str_is(m.rack, "r"));
}
