/* Which version of each API kfk speaks to the broker under test: the
 * newest both sides support (Kafka 4.4.0 and 3.9.1 differ), as
 * kfk_*_api_version reports from the requests that went out. A producer,
 * a group consumer that commits and reads its commits back, and an admin
 * client each do their work; then every API they used is checked against
 * what that broker version offers, and the table is printed. */
#include "admin_it.h"
#include "consume_it.h"
#include "produce_it.h"

enum { API_PRODUCE = 0, API_FETCH = 1, API_LIST_OFFSETS = 2, API_METADATA = 3,
       API_OFFSET_COMMIT = 8, API_OFFSET_FETCH = 9, API_FIND_COORDINATOR = 10,
       API_API_VERSIONS = 18, API_CREATE_TOPICS = 19, API_DELETE_GROUPS = 42 };

typedef struct want {
    const char *name;
    int key;
    int v440, v391; /* the newest version each broker offers that kfk sends */
} want;

static const want wanted[] = {
    {"ApiVersions", API_API_VERSIONS, 5, 4},
    {"Produce", API_PRODUCE, 13, 11},
    {"Fetch", API_FETCH, 18, 17},
    {"Metadata", API_METADATA, 13, 12},
    {"ListOffsets", API_LIST_OFFSETS, 11, 9},
    {"OffsetCommit", API_OFFSET_COMMIT, 10, 9},
    {"OffsetFetch", API_OFFSET_FETCH, 10, 9},
    {"FindCoordinator", API_FIND_COORDINATOR, 6, 6},
    {"CreateTopics", API_CREATE_TOPICS, 7, 7},
    {"DeleteGroups", API_DELETE_GROUPS, 3, 2},
};

static int newest_broker(void) {
    const char *v = getenv("KFK_BROKER_VERSION");
    return !v || !*v || strcmp(v, "3.9.1") != 0;
}

static void on_delivery(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    (void)p;
    int *ok = opaque;
    if (!d->err) (*ok)++;
}

TEST(newest_version_both_sides_support) {
    const char *boot = it_bootstrap();
    char topic[128], group[160];
    it_topic(topic, sizeof topic, "versions");
    snprintf(group, sizeof group, "%s-group", topic);
    int acked = 0;
    kfk_producer_callbacks cbs = {.delivery = on_delivery, .opaque = &acked};
    kfk_producer *p = pit_producer(boot, &cbs, NULL);
    kfk_consumer *c =
        cit_consumer(boot, "group.id", group, "auto.offset.reset", "earliest", NULL);
    kfk_admin *a = admin_new_on(boot);
    REQUIRE(p && c && a);
    REQUIRE_EQ(admin_create(a, topic, 1), 0);

    for (int i = 0; i < 10; i++) {
        kfk_message m = {.topic = topic, .partition = 0, .value = "v", .value_len = 1};
        CHECK_EQ(kfk_producer_send(p, &m, KFK_SEND_COPY), 0);
    }
    CHECK_EQ(kfk_producer_flush(p, 30000), 0);
    CHECK_EQ(acked, 10);

    const char *topics[] = {topic};
    REQUIRE_EQ(kfk_consumer_subscribe(c, topics, 1), 0);
    kfk_consumer_message *got[10];
    int n = cit_drain(c, got, 10, 60000);
    CHECK_EQ(n, 10);
    cit_release_all(got, n);
    CHECK_EQ(kfk_consumer_commit(c, NULL, 0), 0);
    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, topic, 0);
    CHECK_EQ(kfk_consumer_committed(c, l, 30000), 0);
    CHECK_EQ(l->elems[0].offset, 10);
    kfk_partition_list_destroy(l);
    l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, topic, 0)->offset = KFK_OFFSET_END;
    CHECK_EQ(kfk_consumer_list_offsets(c, l, 30000), 0);
    CHECK_EQ(l->elems[0].offset, 10);
    kfk_partition_list_destroy(l);

    int versions[64];
    for (int k = 0; k < 64; k++) {
        int pv = kfk_producer_api_version(p, k), cv = kfk_consumer_api_version(c, k);
        versions[k] = pv > cv ? pv : cv;
    }
    CHECK_EQ(kfk_consumer_close(c), 0);
    kfk_producer_destroy(p);

    /* The admin deletes the (now empty) group. */
    const char *groups[] = {group};
    kfk_admin_result *r = kfk_admin_delete_groups(a, groups, 1, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    CHECK_EQ(r->nitems, 1);
    CHECK_EQ(r->items[0].err, 0);
    kfk_admin_result_destroy(r);
    for (int k = 0; k < 64; k++) {
        int v = kfk_admin_api_version(a, k);
        if (v > versions[k]) versions[k] = v;
    }
    CHECK_EQ(kfk_admin_api_version(a, -1), -1);
    CHECK_EQ(kfk_admin_api_version(a, 30000), -1);
    kfk_admin_destroy(a);

    int newest = newest_broker();
    printf("  %-16s %s\n", "API", newest ? "version sent to Kafka 4.x" : "version sent to 3.9.1");
    for (size_t i = 0; i < sizeof wanted / sizeof *wanted; i++) {
        const want *w = &wanted[i];
        printf("  %-16s v%d\n", w->name, versions[w->key]);
        CHECK_EQ(versions[w->key], newest ? w->v440 : w->v391);
    }
}

/* A transactional producer's requests: protocol v2 on 4.x (no
 * AddPartitionsToTxn or AddOffsetsToTxn; EndTxn v5 returns the next epoch),
 * v1 on 3.9.1 (Produce capped at v11 in a transaction). */
TEST(transaction_versions) {
    const char *boot = it_bootstrap();
    char topic[128], group[160], tid[160];
    it_topic(topic, sizeof topic, "txn-versions");
    snprintf(group, sizeof group, "%s-group", topic);
    snprintf(tid, sizeof tid, "%s-tid", topic);
    kfk_admin *a = admin_new_on(boot);
    REQUIRE(a);
    REQUIRE_EQ(admin_create(a, topic, 1), 0);
    kfk_admin_destroy(a);
    const char *settings[] = {"transactional.id", tid, NULL};
    kfk_producer *p = pit_producer(boot, NULL, settings);
    REQUIRE(p);
    REQUIRE_EQ(kfk_producer_init_transactions(p, 30000), 0);
    REQUIRE_EQ(kfk_producer_begin_transaction(p), 0);
    kfk_message m = {.topic = topic, .partition = 0, .value = "v", .value_len = 1};
    REQUIRE_EQ(kfk_producer_send(p, &m, KFK_SEND_COPY), 0);
    kfk_group_metadata *gm = kfk_group_metadata_new(group, -1, "", NULL);
    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, topic, 0)->offset = 1;
    REQUIRE_EQ(kfk_producer_send_offsets_to_transaction(p, l, gm, 30000), 0);
    REQUIRE_EQ(kfk_producer_commit_transaction(p, 30000), 0);
    kfk_partition_list_destroy(l);
    kfk_group_metadata_destroy(gm);
    static const want txn[] = {
        {"InitProducerId", 22, 5, 5},   {"Produce", API_PRODUCE, 13, 11},
        {"AddPartitionsToTxn", 24, -1, 3}, {"AddOffsetsToTxn", 25, -1, 4},
        {"TxnOffsetCommit", 28, 5, 4},  {"EndTxn", 26, 5, 4},
    };
    int newest = newest_broker();
    for (size_t i = 0; i < sizeof txn / sizeof *txn; i++) {
        int v = kfk_producer_api_version(p, txn[i].key);
        printf("  %-18s v%d\n", txn[i].name, v);
        CHECK_EQ(v, newest ? txn[i].v440 : txn[i].v391);
    }
    kfk_producer_destroy(p);
}
