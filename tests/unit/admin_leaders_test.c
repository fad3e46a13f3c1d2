/* Building per-leader partition requests without a broker: the partitions
 * of a list sorted and grouped into one topic entry each, whatever order
 * the caller gave them in. */
#include "admin/admin_int.h"
#include "test.h"

/* Building requests needs an operation's arena, not a client. */
static kfk_aop *op_new(void) {
    static kfk_admin a = {.timeout_ms = 1000};
    return kfk_aop_new(&a, NULL, NULL, NULL, NULL);
}

static int str_is(kfk_str s, const char *want) {
    return s.len == (int32_t)strlen(want) && memcmp(s.ptr, want, (size_t)s.len) == 0;
}

TEST(list_sorted_and_grouped_by_topic) {
    kfk_aop *op = op_new();
    REQUIRE(op);
    kfk_partition_list *l = kfk_partition_list_new(6);
    kfk_partition_list_add(l, "b", 2)->offset = KFK_OFFSET_END;
    kfk_partition_list_add(l, "a", 1)->offset = KFK_OFFSET_BEGINNING;
    kfk_partition_list_add(l, "b", 0)->offset = KFK_OFFSET_END;
    kfk_partition_list_add(l, "c", 5)->offset = KFK_OFFSET_END;
    kfk_partition_list_add(l, "a", 0)->offset = KFK_OFFSET_END;
    kfk_apart *parts = kfk_aparts_of_list(op, l);
    REQUIRE(parts);
    static const char *const topics[] = {"a", "a", "b", "b", "c"};
    static const int32_t partitions[] = {0, 1, 0, 2, 5};
    static const int index[] = {4, 1, 2, 0, 3};
    for (int i = 0; i < 5; i++) {
        CHECK(strcmp(parts[i].topic, topics[i]) == 0);
        CHECK_EQ(parts[i].partition, partitions[i]);
        CHECK_EQ(parts[i].index, index[i]);
        parts[i].arg = i == 3 ? -3 : -1;
    }

    int16_t min_version = -1;
    kfk_list_offsets_request *m = kfk_admin_list_offsets_build(op, parts, 5, &min_version);
    REQUIRE(m);
    CHECK_EQ(min_version, 7); /* one asks for the largest timestamp */
    CHECK_EQ(m->replica_id, -1);
    REQUIRE_EQ(m->topics.count, 3);
    static const char *const names[] = {"a", "b", "c"};
    static const int32_t counts[] = {2, 2, 1};
    for (int t = 0, at = 0; t < 3; t++) {
        CHECK(str_is(m->topics.items[t].name, names[t]));
        REQUIRE_EQ(m->topics.items[t].partitions.count, counts[t]);
        for (int i = 0; i < counts[t]; i++, at++) {
            const kfk_list_offsets_request_partition *p = &m->topics.items[t].partitions.items[i];
            CHECK_EQ(p->partition_index, partitions[at]);
            CHECK_EQ(p->timestamp, at == 3 ? -3 : -1);
            CHECK_EQ(p->current_leader_epoch, -1);
        }
    }
    /* without the largest timestamp, v1 is enough */
    m = kfk_admin_list_offsets_build(op, parts, 3, &min_version);
    REQUIRE(m);
    CHECK_EQ(min_version, 1);
    CHECK_EQ(m->topics.count, 2);

    kfk_partition_list_destroy(l);
    kfk_admin_result_destroy(kfk_aop_fail(op, KFK_ERR_INVALID_ARG, NULL));
}

TEST(partitions_encode_as_the_broker_reads_them) {
    kfk_aop *op = op_new();
    REQUIRE(op);
    kfk_apart parts[3] = {{.topic = "t1", .partition = 0, .arg = -2},
                          {.topic = "t1", .partition = 3, .arg = -1},
                          {.topic = "t2", .partition = 1, .arg = 1700000000000}};
    int16_t min_version;
    kfk_list_offsets_request *m = kfk_admin_list_offsets_build(op, parts, 3, &min_version);
    REQUIRE(m);
    kfk_wbuf w = {0};
    REQUIRE_EQ(kfk_list_offsets_request_encode(&w, 9, m), 0);
    kfk_rbuf r = kfk_rbuf_make(w.data, w.len);
    kfk_arena arena = {0};
    kfk_list_offsets_request back;
    REQUIRE_EQ(kfk_list_offsets_request_decode(&r, 9, &arena, &back), 0);
    REQUIRE_EQ(back.topics.count, 2);
    CHECK(str_is(back.topics.items[1].name, "t2"));
    REQUIRE_EQ(back.topics.items[0].partitions.count, 2);
    CHECK_EQ(back.topics.items[0].partitions.items[1].partition_index, 3);
    CHECK_EQ(back.topics.items[1].partitions.items[0].timestamp, 1700000000000);
    kfk_arena_reset(&arena);
    kfk_wbuf_free(&w);
    kfk_admin_result_destroy(kfk_aop_fail(op, KFK_ERR_INVALID_ARG, NULL));
}
