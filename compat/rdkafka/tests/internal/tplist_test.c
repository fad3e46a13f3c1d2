/* tplist.c's conversions between librdkafka's lists and kfk's. */
#include "rdk_int.h"
#include "test.h"

TEST(to_kfk_list_keeps_offsets_metadata_epochs) {
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(0);
    rd_kafka_topic_partition_t *p = rd_kafka_topic_partition_list_add(l, "a", 0);
    p->offset = 17;
    p->metadata = strdup("meta");
    p->metadata_size = 4; /* without the NUL */
    REQUIRE(rdk_tpar_set_leader_epoch(p, 9) == 0);
    p = rd_kafka_topic_partition_list_add(l, "b", 3);
    p->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_topic_partition_list_add(l, "c", 1); /* offset INVALID */

    kfk_partition_list *kl = rdk_to_kfk_list(l);
    REQUIRE(kl);
    REQUIRE_EQ(kl->count, 3);
    CHECK_STR(kl->elems[0].topic, "a");
    CHECK_EQ(kl->elems[0].offset, 17);
    CHECK_STR(kl->elems[0].metadata, "meta");
    CHECK_EQ(kl->elems[0].leader_epoch, 9);
    CHECK_EQ(kl->elems[1].partition, 3);
    CHECK_EQ(kl->elems[1].offset, KFK_OFFSET_BEGINNING);
    CHECK(kl->elems[1].metadata == NULL);
    CHECK_EQ(kl->elems[1].leader_epoch, -1);
    CHECK_EQ(kl->elems[2].offset, KFK_OFFSET_INVALID);
    kfk_partition_list_destroy(kl);
    rd_kafka_topic_partition_list_destroy(l);
}

TEST(from_kfk_list_and_update) {
    kfk_partition_list *kl = kfk_partition_list_new(0);
    kfk_partition *kp = kfk_partition_list_add(kl, "t", 2);
    kp->offset = 100;
    kp->leader_epoch = 4;
    REQUIRE(kfk_partition_set_metadata(kp, "m1") == 0);
    kp = kfk_partition_list_add(kl, "t", 0);
    kp->offset = KFK_OFFSET_INVALID;
    kp->err = KFK_ERR_TIMED_OUT;
    kp = kfk_partition_list_add(kl, "u", 0);
    kp->err = KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION;

    rd_kafka_topic_partition_list_t *l = rdk_from_kfk_list(kl);
    REQUIRE(l);
    REQUIRE_EQ(l->cnt, 3);
    CHECK_STR(l->elems[0].topic, "t");
    CHECK_EQ(l->elems[0].offset, 100);
    CHECK_EQ(l->elems[0].metadata_size, 2);
    CHECK_MEM(l->elems[0].metadata, "m1", 2);
    CHECK_EQ(rdk_tpar_leader_epoch(&l->elems[0]), 4);
    CHECK_EQ(l->elems[1].offset, RD_KAFKA_OFFSET_INVALID);
    CHECK_EQ(l->elems[1].err, RD_KAFKA_RESP_ERR__TIMED_OUT);
    CHECK_EQ(rdk_tpar_leader_epoch(&l->elems[1]), -1);
    CHECK_EQ(l->elems[2].err, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);

    /* The copy keeps the leader epoch. */
    rd_kafka_topic_partition_list_t *c = rd_kafka_topic_partition_list_copy(l);
    REQUIRE(c);
    CHECK_EQ(rdk_tpar_leader_epoch(&c->elems[0]), 4);
    rd_kafka_topic_partition_list_destroy(c);

    /* Update: matched by topic/partition whatever the order; unknown
     * elements of kfk's list are ignored, others left alone. */
    rd_kafka_topic_partition_list_t *app = rd_kafka_topic_partition_list_new(0);
    rd_kafka_topic_partition_list_add(app, "u", 0);
    rd_kafka_topic_partition_list_add(app, "t", 2)->metadata = strdup("old");
    app->elems[1].metadata_size = 3;
    rd_kafka_topic_partition_list_add(app, "x", 9)->offset = 5;
    kfk_partition_list_add(kl, "nope", 1);
    rdk_update_from_kfk(app, kl);
    CHECK_EQ(app->elems[0].err, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
    CHECK_EQ(app->elems[1].offset, 100);
    CHECK_EQ(app->elems[1].metadata_size, 2);
    CHECK_MEM(app->elems[1].metadata, "m1", 2);
    CHECK_EQ(rdk_tpar_leader_epoch(&app->elems[1]), 4);
    CHECK_EQ(app->elems[2].offset, 5);
    CHECK_EQ(app->elems[2].err, 0);
    rd_kafka_topic_partition_list_destroy(app);
    rd_kafka_topic_partition_list_destroy(l);
    kfk_partition_list_destroy(kl);
}

TEST(lone_element) {
    rd_kafka_topic_partition_t *p = rdk_tpar_new("t", 5);
    REQUIRE(p);
    CHECK_EQ(p->offset, RD_KAFKA_OFFSET_INVALID);
    REQUIRE(rdk_tpar_set_leader_epoch(p, 3) == 0);
    rd_kafka_topic_partition_destroy(p);
}
