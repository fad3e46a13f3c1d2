/* kfk_consumer_topic_partitions on the mock cluster: named and all topics,
 * an unknown topic reported (not created, not waited for), a cluster
 * that does not answer within the timeout, and bad arguments. */
#include <string.h>

#include "kfk.h"
#include "kfk_mock.h"
#include "mock_it.h"
#include "test.h"

static kfk_consumer *consumer(const char *bs) {
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    kfk_consumer *c = NULL;
    if (!kfk_conf_set(conf, "bootstrap.servers", bs, err, sizeof err) &&
        !kfk_conf_set(conf, "retry.backoff.ms", "20", err, sizeof err))
        c = kfk_consumer_new(conf, err, sizeof err);
    if (!c) {
        kfk_test_fail(__FILE__, __LINE__, "consumer: %s", err);
        kfk_conf_destroy(conf);
    }
    return c;
}

/* How many elements of l are of topic (with partition -1: its error). */
static int count_of(const kfk_partition_list *l, const char *topic, int *err) {
    int n = 0;
    *err = 0;
    for (int i = 0; i < l->count; i++) {
        if (strcmp(l->elems[i].topic, topic) != 0) continue;
        if (l->elems[i].partition < 0) *err = l->elems[i].err;
        else n++;
    }
    return n;
}

TEST(named_topics_their_partitions_sorted_and_an_unknown_one_reported) {
    kfk_mock_cluster *mc = kfk_mock_cluster_new(3);
    REQUIRE(mc);
    const char *bs = kfk_mock_cluster_bootstraps(mc);
    REQUIRE_EQ(kfk_mock_topic_create(mc, "tp-b", 5, 2), 0);
    REQUIRE_EQ(kfk_mock_topic_create(mc, "tp-a", 3, 1), 0);
    kfk_consumer *c = consumer(bs);
    REQUIRE(c);

    const char *names[] = {"tp-b", "tp-missing", "tp-a"};
    kfk_partition_list *l = NULL;
    REQUIRE_EQ(kfk_consumer_topic_partitions(c, names, 3, 0, 10000, &l), 0);
    REQUIRE(l);
    CHECK_EQ(l->count, 3 + 1 + 5);
    const char *want_topic[] = {"tp-a", "tp-a", "tp-a", "tp-b", "tp-b", "tp-b", "tp-b", "tp-b",
                                "tp-missing"};
    const int want_part[] = {0, 1, 2, 0, 1, 2, 3, 4, -1};
    for (int i = 0; i < l->count && i < 9; i++) {
        CHECK_STR(l->elems[i].topic, want_topic[i]);
        CHECK_EQ(l->elems[i].partition, want_part[i]);
        CHECK_EQ(l->elems[i].offset, KFK_OFFSET_INVALID);
    }
    int err;
    CHECK_EQ(count_of(l, "tp-a", &err), 3);
    CHECK_EQ(err, 0);
    CHECK_EQ(count_of(l, "tp-missing", &err), 0);
    CHECK_EQ(err, KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    kfk_partition_list_destroy(l);

    /* Asking did not create it. */
    l = NULL;
    REQUIRE_EQ(kfk_consumer_topic_partitions(c, names + 1, 1, 0, 10000, &l), 0);
    REQUIRE(l);
    CHECK_EQ(count_of(l, "tp-missing", &err), 0);
    CHECK_EQ(err, KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    kfk_partition_list_destroy(l);

    /* Every topic. */
    l = NULL;
    REQUIRE_EQ(kfk_consumer_topic_partitions(c, NULL, -1, 1, 10000, &l), 0);
    REQUIRE(l);
    CHECK_EQ(count_of(l, "tp-a", &err), 3);
    CHECK_EQ(count_of(l, "tp-b", &err), 5);
    CHECK_EQ(count_of(l, "tp-missing", &err), 0);
    CHECK_EQ(err, 0);
    kfk_partition_list_destroy(l);

    /* No topics: a broker answered, nothing listed. */
    l = NULL;
    REQUIRE_EQ(kfk_consumer_topic_partitions(c, NULL, 0, 0, 10000, &l), 0);
    REQUIRE(l);
    CHECK_EQ(l->count, 0);
    kfk_partition_list_destroy(l);

    const char *empty[] = {""};
    l = NULL;
    CHECK_EQ(kfk_consumer_topic_partitions(c, empty, 1, 0, 1000, &l), KFK_ERR_INVALID_ARG);
    CHECK(l == NULL);
    CHECK_EQ(kfk_consumer_topic_partitions(c, NULL, 1, 0, 1000, &l), KFK_ERR_INVALID_ARG);
    CHECK_EQ(kfk_consumer_topic_partitions(c, names, 1, 0, 1000, NULL), KFK_ERR_INVALID_ARG);
    kfk_consumer_destroy(c);
    kfk_mock_cluster_destroy(mc);
}

TEST(no_broker_answering_times_out) {
    kfk_mock_cluster *mc = kfk_mock_cluster_new(1);
    REQUIRE(mc);
    char bs[256];
    snprintf(bs, sizeof bs, "%s", kfk_mock_cluster_bootstraps(mc));
    REQUIRE_EQ(kfk_mock_topic_create(mc, "tp-down", 1, 1), 0);
    REQUIRE_EQ(kfk_mock_broker_down(mc, 1), 0);
    kfk_consumer *c = consumer(bs);
    REQUIRE(c);
    const char *name = "tp-down";
    kfk_partition_list *l = NULL;
    int64_t t0 = mock_now_ms();
    CHECK_EQ(kfk_consumer_topic_partitions(c, &name, 1, 0, 500, &l), KFK_ERR_TIMED_OUT);
    int64_t took = mock_now_ms() - t0;
    CHECK(l == NULL);
    CHECK(took >= 400 && took < 5000);
    /* Up again: answered. */
    REQUIRE_EQ(kfk_mock_broker_up(mc, 1), 0);
    REQUIRE_EQ(kfk_consumer_topic_partitions(c, &name, 1, 0, 10000, &l), 0);
    REQUIRE(l);
    CHECK_EQ(l->count, 1);
    kfk_partition_list_destroy(l);
    kfk_consumer_destroy(c);
    kfk_mock_cluster_destroy(mc);
}
