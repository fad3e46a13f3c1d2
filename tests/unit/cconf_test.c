/* The consumer's configuration: Java defaults, librdkafka aliases, bad
 * values and conflicting settings named in the error, reset decisions,
 * and the partition list helpers. */
#include "consumer/cconf.h"
#include "test.h"

TEST(defaults_are_javas) {
    kfk_conf *conf = kfk_conf_new();
    kfk_cconf cc;
    char err[256];
    REQUIRE_EQ(kfk_cconf_from(&cc, conf, err, sizeof err), 0);
    CHECK(cc.group_id == NULL);
    CHECK_EQ(cc.reset, KFK_RESET_LATEST);
    CHECK_EQ(cc.auto_commit, 0); /* on, but only with a group.id */
    CHECK_EQ(cc.auto_commit_interval_ms, 5000);
    CHECK_EQ(cc.auto_commit_messages, 0);
    CHECK_EQ(cc.auto_store, 1);
    CHECK_EQ(cc.fetch_min_bytes, 1);
    CHECK_EQ(cc.fetch_max_bytes, 52428800);
    CHECK_EQ(cc.fetch_max_wait_ms, 500);
    CHECK_EQ(cc.partition_max_bytes, 1048576);
    CHECK_EQ(cc.read_committed, 0);
    CHECK_EQ(cc.check_crcs, 1);
    CHECK_EQ(cc.max_poll_records, 500);
    CHECK_EQ(cc.partition_eof, 0);
    CHECK_EQ(cc.propagation_max_ms, 30000); /* librdkafka's */
    REQUIRE_EQ(kfk_conf_set(conf, "group.id", "g", err, sizeof err), 0);
    REQUIRE_EQ(kfk_cconf_from(&cc, conf, err, sizeof err), 0);
    CHECK_STR(cc.group_id, "g");
    CHECK_EQ(cc.auto_commit, 1);
    kfk_conf_destroy(conf);
}

TEST(aliases_and_enums) {
    kfk_conf *conf = kfk_conf_new();
    char err[256];
    REQUIRE_EQ(kfk_conf_set(conf, "fetch.wait.max.ms", "77", err, sizeof err), 0);
    CHECK_STR(kfk_conf_get(conf, "fetch.max.wait.ms"), "77");
    REQUIRE_EQ(kfk_conf_set(conf, "fetch.message.max.bytes", "4096", err, sizeof err), 0);
    CHECK_STR(kfk_conf_get(conf, "max.partition.fetch.bytes"), "4096");
    REQUIRE_EQ(kfk_conf_set(conf, "isolation.level", "read_committed", err, sizeof err), 0);
    REQUIRE_EQ(kfk_conf_set(conf, "auto.offset.reset", "none", err, sizeof err), 0);
    kfk_cconf cc;
    REQUIRE_EQ(kfk_cconf_from(&cc, conf, err, sizeof err), 0);
    CHECK_EQ(cc.read_committed, 1);
    CHECK_EQ(cc.reset, KFK_RESET_NONE);
    CHECK_EQ(cc.fetch_max_wait_ms, 77);
    CHECK_EQ(kfk_conf_set(conf, "auto.offset.reset", "oldest", err, sizeof err), KFK_ERR_CONFIG);
    CHECK(strstr(err, "auto.offset.reset") && strstr(err, "oldest"));
    CHECK_EQ(kfk_conf_set(conf, "auto.commit.interval.messages", "-1", err, sizeof err),
             KFK_ERR_CONFIG);
    CHECK(strstr(err, "auto.commit.interval.messages"));
    kfk_conf_destroy(conf);
}

/* The original KafkaConsumer's names (librdkafka takes them too): smallest
 * and largest are earliest and latest, and stay as set. */
TEST(reset_smallest_largest) {
    kfk_conf *conf = kfk_conf_new();
    char err[256];
    kfk_cconf cc;
    static const struct {
        const char *value;
        enum kfk_reset reset;
        int64_t offset;
    } cases[] = {{"smallest", KFK_RESET_EARLIEST, KFK_OFFSET_BEGINNING},
                 {"largest", KFK_RESET_LATEST, KFK_OFFSET_END},
                 {"SMALLEST", KFK_RESET_EARLIEST, KFK_OFFSET_BEGINNING},
                 {"earliest", KFK_RESET_EARLIEST, KFK_OFFSET_BEGINNING},
                 {"latest", KFK_RESET_LATEST, KFK_OFFSET_END},
                 {"none", KFK_RESET_NONE, KFK_OFFSET_INVALID}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        REQUIRE_EQ(kfk_conf_set(conf, "auto.offset.reset", cases[i].value, err, sizeof err), 0);
        CHECK_STR(kfk_conf_get(conf, "auto.offset.reset"), cases[i].value);
        REQUIRE_EQ(kfk_cconf_from(&cc, conf, err, sizeof err), 0);
        CHECK_EQ(cc.reset, cases[i].reset);
        CHECK_EQ(kfk_reset_offset(cc.reset), cases[i].offset);
    }
    /* A bad value keeps the old one. */
    CHECK_EQ(kfk_conf_set(conf, "auto.offset.reset", "small", err, sizeof err), KFK_ERR_CONFIG);
    CHECK(strstr(err, "smallest|largest"));
    CHECK_STR(kfk_conf_get(conf, "auto.offset.reset"), "none");
    kfk_conf_destroy(conf);
}

/* auto.commit.interval.ms=0 turns the timer off (the count may stay on);
 * topic.metadata.propagation.max.ms is bounded as in librdkafka. */
TEST(auto_commit_interval_zero_and_propagation) {
    kfk_conf *conf = kfk_conf_new();
    char err[256];
    kfk_cconf cc;
    REQUIRE_EQ(kfk_conf_set(conf, "group.id", "g", err, sizeof err), 0);
    REQUIRE_EQ(kfk_conf_set(conf, "auto.commit.interval.ms", "0", err, sizeof err), 0);
    REQUIRE_EQ(kfk_conf_set(conf, "auto.commit.interval.messages", "100", err, sizeof err), 0);
    REQUIRE_EQ(kfk_conf_set(conf, "enable.auto.offset.store", "false", err, sizeof err), 0);
    REQUIRE_EQ(kfk_cconf_from(&cc, conf, err, sizeof err), 0);
    CHECK_EQ(cc.auto_commit, 1);
    CHECK_EQ(cc.auto_commit_interval_ms, 0);
    CHECK_EQ(cc.auto_commit_messages, 100);
    CHECK_EQ(cc.auto_store, 0);
    CHECK_EQ(kfk_conf_set(conf, "auto.commit.interval.ms", "-1", err, sizeof err), KFK_ERR_CONFIG);
    CHECK(strstr(err, "auto.commit.interval.ms") && strstr(err, "-1"));
    CHECK_STR(kfk_conf_get(conf, "auto.commit.interval.ms"), "0");

    REQUIRE_EQ(kfk_conf_set(conf, "topic.metadata.propagation.max.ms", "0", err, sizeof err), 0);
    REQUIRE_EQ(kfk_cconf_from(&cc, conf, err, sizeof err), 0);
    CHECK_EQ(cc.propagation_max_ms, 0);
    REQUIRE_EQ(kfk_conf_set(conf, "topic.metadata.propagation.max.ms", "3600000", err, sizeof err),
               0);
    REQUIRE_EQ(kfk_cconf_from(&cc, conf, err, sizeof err), 0);
    CHECK_EQ(cc.propagation_max_ms, 3600000);
    CHECK_EQ(kfk_conf_set(conf, "topic.metadata.propagation.max.ms", "3600001", err, sizeof err),
             KFK_ERR_CONFIG);
    CHECK(strstr(err, "topic.metadata.propagation.max.ms") && strstr(err, "3600001"));
    CHECK_EQ(kfk_conf_set(conf, "topic.metadata.propagation.max.ms", "soon", err, sizeof err),
             KFK_ERR_CONFIG);
    CHECK_STR(kfk_conf_get(conf, "topic.metadata.propagation.max.ms"), "3600000");
    kfk_conf_destroy(conf);
}

/* group.protocol=consumer (KIP-848): incremental by nature, whatever
 * partition.assignment.strategy says; the broker's assignor by name. */
TEST(group_protocol) {
    kfk_conf *conf = kfk_conf_new();
    char err[256];
    kfk_cconf cc;
    REQUIRE_EQ(kfk_conf_set(conf, "partition.assignment.strategy", "range", err, sizeof err), 0);
    REQUIRE_EQ(kfk_cconf_from(&cc, conf, err, sizeof err), 0);
    CHECK_EQ(cc.consumer_protocol, 0);
    CHECK_EQ(cc.cooperative, 0);
    CHECK(cc.remote_assignor == NULL);
    REQUIRE_EQ(kfk_conf_set(conf, "group.protocol", "consumer", err, sizeof err), 0);
    REQUIRE_EQ(kfk_conf_set(conf, "group.remote.assignor", "uniform", err, sizeof err), 0);
    REQUIRE_EQ(kfk_cconf_from(&cc, conf, err, sizeof err), 0);
    CHECK_EQ(cc.consumer_protocol, 1);
    CHECK_EQ(cc.cooperative, 1);
    CHECK_STR(cc.remote_assignor, "uniform");
    CHECK_EQ(kfk_conf_set(conf, "group.protocol", "eager", err, sizeof err), KFK_ERR_CONFIG);
    CHECK(strstr(err, "group.protocol") && strstr(err, "eager"));
    kfk_conf_destroy(conf);
}

TEST(conflicts_name_key_and_value) {
    kfk_conf *conf = kfk_conf_new();
    char err[256];
    kfk_cconf cc;
    REQUIRE_EQ(kfk_conf_set(conf, "fetch.max.wait.ms", "40000", err, sizeof err), 0);
    CHECK_EQ(kfk_cconf_from(&cc, conf, err, sizeof err), KFK_ERR_CONFIG);
    CHECK(strstr(err, "fetch.max.wait.ms") && strstr(err, "40000"));
    REQUIRE_EQ(kfk_conf_set(conf, "fetch.max.wait.ms", "500", err, sizeof err), 0);
    REQUIRE_EQ(kfk_conf_set(conf, "fetch.min.bytes", "2000", err, sizeof err), 0);
    REQUIRE_EQ(kfk_conf_set(conf, "fetch.max.bytes", "1000", err, sizeof err), 0);
    CHECK_EQ(kfk_cconf_from(&cc, conf, err, sizeof err), KFK_ERR_CONFIG);
    CHECK(strstr(err, "fetch.min.bytes") && strstr(err, "2000"));
    /* kfk_consumer_new reports it the same way and leaves conf to us. */
    REQUIRE_EQ(kfk_conf_set(conf, "bootstrap.servers", "127.0.0.1:1", err, sizeof err), 0);
    CHECK(kfk_consumer_new(conf, err, sizeof err) == NULL);
    CHECK(strstr(err, "fetch.min.bytes"));
    kfk_conf_destroy(conf);
}

TEST(reset_decisions) {
    CHECK_EQ(kfk_reset_offset(KFK_RESET_EARLIEST), KFK_OFFSET_BEGINNING);
    CHECK_EQ(kfk_reset_offset(KFK_RESET_LATEST), KFK_OFFSET_END);
    CHECK_EQ(kfk_reset_offset(KFK_RESET_NONE), KFK_OFFSET_INVALID);
}

TEST(partition_list_helpers) {
    kfk_partition_list *l = kfk_partition_list_new(0);
    REQUIRE(l);
    for (int i = 0; i < 20; i++) REQUIRE(kfk_partition_list_add(l, i % 2 ? "b" : "a", i));
    CHECK_EQ(l->count, 20);
    kfk_partition *e = kfk_partition_list_find(l, "b", 7);
    REQUIRE(e);
    CHECK_EQ(e->offset, KFK_OFFSET_STORED);
    CHECK_EQ(e->timestamp, -1);
    CHECK_EQ(e->leader_epoch, -1);
    CHECK(e->metadata == NULL);
    CHECK(kfk_partition_list_find(l, "a", 7) == NULL);
    CHECK_EQ(kfk_partition_set_metadata(e, "m"), 0);
    e->offset = 42;
    kfk_partition_list *copy = kfk_partition_list_copy(l);
    REQUIRE(copy);
    kfk_partition *ce = kfk_partition_list_find(copy, "b", 7);
    REQUIRE(ce);
    CHECK_EQ(ce->offset, 42);
    CHECK_STR(ce->metadata, "m");
    CHECK(ce->metadata != e->metadata);
    CHECK_EQ(kfk_partition_set_metadata(e, NULL), 0);
    CHECK(e->metadata == NULL);
    kfk_partition_list_destroy(l);
    kfk_partition_list_destroy(copy);
    kfk_partition_list_destroy(NULL);
}
