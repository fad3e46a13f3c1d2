/* Offsets and records of partitions: ListOffsets and DeleteRecords against
 * a real broker, with kcat writing and reading the records. */
#include "admin/admin_int.h" /* kfk_admin_leader_requests */
#include "admin_it.h"

static kfk_admin_result *list_one(kfk_admin *a, const char *topic, int32_t partition,
                                  int64_t spec, int64_t ts) {
    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition *e = kfk_partition_list_add(l, topic, partition);
    e->offset = spec;
    e->timestamp = ts;
    kfk_admin_result *r = kfk_admin_list_offsets(a, l, NULL, NULL, NULL);
    kfk_partition_list_destroy(l);
    return r;
}

static int64_t offset_of(kfk_admin *a, const char *topic, int64_t spec) {
    kfk_admin_result *r = list_one(a, topic, 0, spec, -1);
    int64_t off = r && !r->err ? r->partitions->elems[0].offset : -99;
    kfk_admin_result_destroy(r);
    return off;
}

TEST(list_offsets_earliest_latest_max_timestamp_and_by_time) {
    kfk_admin *a = admin_new();
    REQUIRE(a);
    char topic[128];
    it_topic(topic, sizeof topic, "adm-offsets");
    REQUIRE_EQ(admin_create(a, topic, 2), 0);
    int64_t before = (int64_t)time(NULL) * 1000 - 1000;
    REQUIRE_EQ(admin_kcat_produce(topic, 0, 10), 0);

    CHECK_EQ(offset_of(a, topic, KFK_OFFSET_BEGINNING), 0);
    CHECK_EQ(offset_of(a, topic, KFK_OFFSET_END), 10);
    kfk_admin_result *r = list_one(a, topic, 0, KFK_OFFSET_MAX_TIMESTAMP, -1);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    CHECK(r->partitions->elems[0].offset >= 0 && r->partitions->elems[0].offset <= 9);
    CHECK(r->partitions->elems[0].timestamp >= before);
    kfk_admin_result_destroy(r);
    /* every record is newer than `before`: the first one is found */
    r = list_one(a, topic, 0, KFK_OFFSET_AT_TIME, before);
    REQUIRE(r);
    CHECK_EQ(r->partitions->elems[0].offset, 0);
    kfk_admin_result_destroy(r);
    /* none is newer than an hour from now */
    r = list_one(a, topic, 0, KFK_OFFSET_AT_TIME, before + 3600 * 1000);
    REQUIRE(r);
    CHECK_EQ(r->partitions->elems[0].offset, -1);
    kfk_admin_result_destroy(r);

    /* both partitions at once; partition 1 is empty, 7 does not exist */
    kfk_partition_list *l = kfk_partition_list_new(3);
    kfk_partition_list_add(l, topic, 0)->offset = KFK_OFFSET_END;
    kfk_partition_list_add(l, topic, 1)->offset = KFK_OFFSET_END;
    kfk_partition_list_add(l, topic, 7)->offset = KFK_OFFSET_END;
    kfk_admin_options o = {.timeout_ms = 3000};
    r = kfk_admin_list_offsets(a, l, &o, NULL, NULL);
    kfk_partition_list_destroy(l);
    REQUIRE(r);
    CHECK_EQ(r->err, KFK_ERR_PARTIAL);
    CHECK_EQ(r->partitions->elems[0].offset, 10);
    CHECK_EQ(r->partitions->elems[0].err, 0);
    CHECK_EQ(r->partitions->elems[1].offset, 0);
    CHECK(r->partitions->elems[2].err != 0);
    kfk_admin_result_destroy(r);
    kfk_admin_destroy(a);
}

TEST(delete_records_moves_log_start) {
    kfk_admin *a = admin_new();
    REQUIRE(a);
    char topic[128];
    it_topic(topic, sizeof topic, "adm-delrec");
    REQUIRE_EQ(admin_create(a, topic, 1), 0);
    REQUIRE_EQ(admin_kcat_produce(topic, 0, 10), 0);
    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, topic, 0)->offset = 4;
    kfk_admin_result *r = kfk_admin_delete_records(a, l, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    CHECK_EQ(r->partitions->elems[0].err, 0);
    CHECK_EQ(r->partitions->elems[0].offset, 4);
    kfk_admin_result_destroy(r);
    CHECK_EQ(offset_of(a, topic, KFK_OFFSET_BEGINNING), 4);
    char out[4096];
    CHECK_EQ(admin_sh(out, sizeof out, "kcat -b %s -C -t %s -p 0 -o beginning -e -q -f '%%o\\n'",
                      it_bootstrap(), topic),
             0);
    CHECK(strncmp(out, "4\n5\n6\n7\n8\n9\n", 12) == 0 && strlen(out) == 12);

    /* past the end is an error; KFK_OFFSET_END deletes everything */
    l->elems[0].offset = 100;
    r = kfk_admin_delete_records(a, l, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, KFK_ERR_PARTIAL);
    CHECK_EQ(r->partitions->elems[0].err, KFK_ERR_OFFSET_OUT_OF_RANGE);
    kfk_admin_result_destroy(r);
    l->elems[0].offset = KFK_OFFSET_END;
    r = kfk_admin_delete_records(a, l, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    CHECK_EQ(r->partitions->elems[0].offset, 10);
    kfk_admin_result_destroy(r);
    kfk_partition_list_destroy(l);
    CHECK_EQ(offset_of(a, topic, KFK_OFFSET_BEGINNING), 10);
    kfk_admin_destroy(a);
}

TEST(delete_records_of_a_missing_partition_fails_at_once) {
    kfk_admin *a = admin_new();
    REQUIRE(a);
    char topic[128];
    it_topic(topic, sizeof topic, "adm-del-missing");
    REQUIRE_EQ(admin_create(a, topic, 2), 0);
    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, topic, 7)->offset = 0;
    /* a deadline far beyond any slowness of a loaded machine */
    kfk_admin_options o = {.timeout_ms = 120000};
    int64_t t0 = it_now_ms();
    kfk_admin_result *r = kfk_admin_delete_records(a, l, &o, NULL, NULL);
    int64_t took = it_now_ms() - t0;
    REQUIRE(r);
    REQUIRE_EQ(r->partitions->count, 1);
    CHECK_EQ(r->partitions->elems[0].err, KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    CHECK(took < 60000); /* failed at once, not at the deadline */
    kfk_admin_result_destroy(r);
    kfk_partition_list_destroy(l);
    kfk_admin_destroy(a);
}

/* Requests the admin client sent to partition leaders during the call. */
#define LEADER_REQUESTS(a, call) \
    (before_ = kfk_admin_leader_requests(a), (call), kfk_admin_leader_requests(a) - before_)

/* How many brokers lead the partitions of topics[0..n). */
static int count_leaders(kfk_admin *a, const char (*topics)[128], int n) {
    int32_t seen[64];
    int nseen = 0;
    for (int t = 0; t < n; t++) {
        const char *names[] = {topics[t]};
        kfk_admin_result *r = kfk_admin_describe_topics(a, names, 1, NULL, NULL, NULL);
        for (int p = 0; r && !r->err && p < r->topics[0].npartitions; p++) {
            int32_t leader = r->topics[0].partitions[p].leader;
            int known = 0;
            for (int i = 0; i < nseen; i++) known |= seen[i] == leader;
            if (!known && nseen < 64) seen[nseen++] = leader;
        }
        kfk_admin_result_destroy(r);
    }
    return nseen;
}

/* Two topics of six partitions each, every partition with its own number
 * of records, in one call: each answer matches kcat's, and one request per
 * leader carries them all (a partition asked twice needs a second round). */
TEST(many_partitions_of_two_topics_in_one_request_per_leader) {
    enum { NT = 2, NP = 6 };
    long before_;
    kfk_admin *a = admin_new();
    REQUIRE(a);
    char topics[NT][128];
    for (int t = 0; t < NT; t++) {
        it_topic(topics[t], sizeof topics[t], t ? "adm-batch-b" : "adm-batch-a");
        REQUIRE_EQ(admin_create(a, topics[t], NP), 0);
        for (int p = 0; p < NP; p++) REQUIRE_EQ(admin_kcat_produce(topics[t], p, 3 + p + 7 * t), 0);
    }
    int64_t end[NT][NP], start[NT][NP];
    for (int t = 0; t < NT; t++) REQUIRE_EQ(admin_kcat_offsets(topics[t], NP, -1, end[t]), 0);
    int leaders = count_leaders(a, (const char (*)[128])topics, NT);
    REQUIRE(leaders >= 1);

    /* the ends, then the ends and starts of every partition at once */
    kfk_partition_list *l = kfk_partition_list_new(2 * NT * NP);
    for (int t = 0; t < NT; t++)
        for (int p = 0; p < NP; p++)
            kfk_partition_list_add(l, topics[t], p)->offset = KFK_OFFSET_END;
    kfk_admin_result *r;
    CHECK_EQ(LEADER_REQUESTS(a, r = kfk_admin_list_offsets(a, l, NULL, NULL, NULL)), leaders);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    REQUIRE_EQ(r->partitions->count, NT * NP);
    for (int i = 0; i < NT * NP; i++) {
        CHECK_EQ(r->partitions->elems[i].err, 0);
        CHECK_EQ(r->partitions->elems[i].offset, end[i / NP][i % NP]);
        CHECK_EQ(r->partitions->elems[i].offset, 3 + i % NP + 7 * (i / NP));
    }
    kfk_admin_result_destroy(r);
    for (int t = 0; t < NT; t++)
        for (int p = 0; p < NP; p++)
            kfk_partition_list_add(l, topics[t], p)->offset = KFK_OFFSET_BEGINNING;
    CHECK_EQ(LEADER_REQUESTS(a, r = kfk_admin_list_offsets(a, l, NULL, NULL, NULL)), 2 * leaders);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    for (int i = 0; i < 2 * NT * NP; i++) {
        const kfk_partition *e = &r->partitions->elems[i];
        CHECK_EQ(e->err, 0);
        CHECK_EQ(e->offset, i < NT * NP ? end[i / NP][i % NP] : 0);
    }
    kfk_admin_result_destroy(r);
    kfk_partition_list_destroy(l);

    /* delete a different number of records from each partition */
    l = kfk_partition_list_new(NT * NP);
    for (int t = 0; t < NT; t++)
        for (int p = 0; p < NP; p++)
            kfk_partition_list_add(l, topics[t], p)->offset = p == 5 ? KFK_OFFSET_END : p;
    CHECK_EQ(LEADER_REQUESTS(a, r = kfk_admin_delete_records(a, l, NULL, NULL, NULL)), leaders);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    for (int t = 0; t < NT; t++) {
        REQUIRE_EQ(admin_kcat_offsets(topics[t], NP, -2, start[t]), 0);
        for (int p = 0; p < NP; p++) {
            const kfk_partition *e = &r->partitions->elems[t * NP + p];
            CHECK_EQ(e->err, 0);
            CHECK_EQ(e->offset, p == 5 ? end[t][p] : p);
            CHECK_EQ(e->offset, start[t][p]);
        }
    }
    kfk_admin_result_destroy(r);
    kfk_partition_list_destroy(l);
    kfk_admin_destroy(a);
}
