/* Describing and incrementally altering configs against a real broker. */
#include "admin_it.h"

static const kfk_config_entry *entry(const kfk_config_resource *res, const char *name) {
    for (int i = 0; i < res->nentries; i++)
        if (strcmp(res->entries[i].name, name) == 0) return &res->entries[i];
    return NULL;
}

/* The topic's value of key through a fresh describe (only that key). */
static kfk_admin_result *describe_key(kfk_admin *a, const char *topic, const char *key) {
    const char *keys[] = {key};
    kfk_config_resource res = {.type = KFK_CONFIG_TOPIC, .name = topic, .keys = keys, .nkeys = 1};
    return kfk_admin_describe_configs(a, &res, 1, NULL, NULL, NULL);
}

/* Describes key until it reads value: an altered config reaches the broker
 * that answers through the metadata log, a moment after the alter returns. */
static kfk_admin_result *describe_until(kfk_admin *a, const char *topic, const char *key,
                                        const char *value) {
    for (int attempt = 0;; attempt++) {
        kfk_admin_result *r = describe_key(a, topic, key);
        const kfk_config_entry *e = r && r->nconfigs == 1 ? entry(&r->configs[0], key) : NULL;
        if (attempt == 300 || (e && e->value && strcmp(e->value, value) == 0)) return r;
        kfk_admin_result_destroy(r);
        usleep(50 * 1000);
    }
}

TEST(retention_set_read_back_and_deleted_to_default) {
    kfk_admin *a = admin_new();
    REQUIRE(a);
    char topic[128];
    it_topic(topic, sizeof topic, "adm-cfg");
    REQUIRE_EQ(admin_create(a, topic, 1), 0);

    kfk_config_op set = {.resource_type = KFK_CONFIG_TOPIC, .resource = topic,
                         .name = "retention.ms", .value = "123456", .op = KFK_CONFIG_SET};
    kfk_admin_result *r = kfk_admin_alter_configs(a, &set, 1, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    REQUIRE_EQ(r->nitems, 1);
    CHECK_STR(r->items[0].name, topic);
    CHECK_EQ(r->items[0].err, 0);
    kfk_admin_result_destroy(r);

    r = describe_until(a, topic, "retention.ms", "123456");
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    REQUIRE_EQ(r->nconfigs, 1);
    const kfk_config_entry *e = entry(&r->configs[0], "retention.ms");
    REQUIRE(e);
    CHECK_STR(e->value, "123456");
    CHECK_EQ(e->source, KFK_CONFIG_SOURCE_DYNAMIC_TOPIC);
    CHECK_EQ(e->is_default, 0);
    CHECK_EQ(e->read_only, 0);
    CHECK_EQ(e->sensitive, 0);
    /* the most specific synonym first: the topic's own value */
    REQUIRE(e->nsynonyms >= 1);
    CHECK_EQ(e->synonyms[0].source, KFK_CONFIG_SOURCE_DYNAMIC_TOPIC);
    CHECK_STR(e->synonyms[0].value, "123456");
    kfk_admin_result_destroy(r);

    kfk_config_op del = {.resource_type = KFK_CONFIG_TOPIC, .resource = topic,
                         .name = "retention.ms", .op = KFK_CONFIG_DELETE};
    r = kfk_admin_alter_configs(a, &del, 1, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    kfk_admin_result_destroy(r);
    r = describe_until(a, topic, "retention.ms", "604800000");
    REQUIRE(r);
    e = entry(&r->configs[0], "retention.ms");
    REQUIRE(e);
    CHECK(e->source != KFK_CONFIG_SOURCE_DYNAMIC_TOPIC);
    CHECK_STR(e->value, "604800000"); /* the broker default, 7 days */
    kfk_admin_result_destroy(r);
    kfk_admin_destroy(a);
}

TEST(append_and_subtract_a_list_value) {
    kfk_admin *a = admin_new();
    REQUIRE(a);
    char topic[128];
    it_topic(topic, sizeof topic, "adm-cfg-list");
    REQUIRE_EQ(admin_create(a, topic, 1), 0);
    kfk_config_op ops[2] = {
        {.resource_type = KFK_CONFIG_TOPIC, .resource = topic, .name = "cleanup.policy",
         .value = "compact", .op = KFK_CONFIG_APPEND},
        {.resource_type = KFK_CONFIG_TOPIC, .resource = topic, .name = "retention.bytes",
         .value = "1048576", .op = KFK_CONFIG_SET},
    };
    kfk_admin_result *r = kfk_admin_alter_configs(a, ops, 2, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    CHECK_EQ(r->nitems, 1); /* one resource, both changes together */
    kfk_admin_result_destroy(r);
    r = describe_until(a, topic, "cleanup.policy", "delete,compact");
    REQUIRE(r);
    const kfk_config_entry *e = entry(&r->configs[0], "cleanup.policy");
    REQUIRE(e);
    CHECK_STR(e->value, "delete,compact");
    kfk_admin_result_destroy(r);

    kfk_config_op sub = {.resource_type = KFK_CONFIG_TOPIC, .resource = topic,
                         .name = "cleanup.policy", .value = "delete", .op = KFK_CONFIG_SUBTRACT};
    r = kfk_admin_alter_configs(a, &sub, 1, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    kfk_admin_result_destroy(r);
    r = describe_until(a, topic, "cleanup.policy", "compact");
    REQUIRE(r);
    e = entry(&r->configs[0], "cleanup.policy");
    REQUIRE(e);
    CHECK_STR(e->value, "compact");
    kfk_admin_result_destroy(r);
    kfk_admin_destroy(a);
}

TEST(bad_value_and_unknown_topic_fail_per_resource) {
    kfk_admin *a = admin_new();
    REQUIRE(a);
    char topic[128], missing[128];
    it_topic(topic, sizeof topic, "adm-cfg-bad");
    it_topic(missing, sizeof missing, "adm-cfg-missing");
    REQUIRE_EQ(admin_create(a, topic, 1), 0);
    kfk_config_op ops[2] = {
        {.resource_type = KFK_CONFIG_TOPIC, .resource = topic, .name = "retention.ms",
         .value = "not-a-number", .op = KFK_CONFIG_SET},
        {.resource_type = KFK_CONFIG_TOPIC, .resource = missing, .name = "retention.ms",
         .value = "1000", .op = KFK_CONFIG_SET},
    };
    kfk_admin_result *r = kfk_admin_alter_configs(a, ops, 2, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, KFK_ERR_PARTIAL);
    REQUIRE_EQ(r->nitems, 2);
    CHECK_EQ(r->items[0].err, KFK_ERR_INVALID_CONFIG);
    CHECK(r->items[0].errstr && strstr(r->items[0].errstr, "not-a-number"));
    CHECK_EQ(r->items[1].err, KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    kfk_admin_result_destroy(r);

    kfk_config_resource res = {.type = KFK_CONFIG_TOPIC, .name = missing};
    r = kfk_admin_describe_configs(a, &res, 1, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, KFK_ERR_PARTIAL);
    CHECK_EQ(r->configs[0].err, KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    kfk_admin_result_destroy(r);
    kfk_admin_destroy(a);
}

TEST(broker_configs_from_that_broker) {
    kfk_admin *a = admin_new();
    REQUIRE(a);
    kfk_admin_result *c = kfk_admin_describe_cluster(a, NULL, NULL, NULL);
    REQUIRE(c);
    REQUIRE(c->cluster.nbrokers >= 1);
    char id[16];
    snprintf(id, sizeof id, "%d", (int)c->cluster.brokers[0].id);
    kfk_admin_result_destroy(c);
    kfk_config_resource res = {.type = KFK_CONFIG_BROKER, .name = id};
    kfk_admin_result *r = kfk_admin_describe_configs(a, &res, 1, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    REQUIRE_EQ(r->nconfigs, 1);
    CHECK_STR(r->configs[0].name, id);
    CHECK(r->configs[0].nentries > 50);
    const kfk_config_entry *e = entry(&r->configs[0], "log.dirs");
    REQUIRE(e);
    CHECK_EQ(e->read_only, 1);
    CHECK_EQ(e->source, KFK_CONFIG_SOURCE_STATIC_BROKER);
    e = entry(&r->configs[0], "auto.create.topics.enable");
    REQUIRE(e);
    CHECK_STR(e->value, "true");
    kfk_admin_result_destroy(r);

    /* a dynamic broker setting, set and removed on this broker */
    kfk_config_op set = {.resource_type = KFK_CONFIG_BROKER, .resource = id,
                         .name = "log.retention.bytes", .value = "1000000000", .op = KFK_CONFIG_SET};
    r = kfk_admin_alter_configs(a, &set, 1, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    kfk_admin_result_destroy(r);
    const char *keys[] = {"log.retention.bytes"};
    res.keys = keys;
    res.nkeys = 1;
    /* the broker applies it once the controller's record reaches it */
    r = NULL;
    for (int i = 0; i < 300; i++) { /* up to 30 s: slow on a loaded machine */
        kfk_admin_result_destroy(r);
        r = kfk_admin_describe_configs(a, &res, 1, NULL, NULL, NULL);
        REQUIRE(r);
        REQUIRE_EQ(r->configs[0].nentries, 1);
        const kfk_config_entry *got = &r->configs[0].entries[0];
        /* the source can turn dynamic before the value reaches the answer */
        if (got->source == KFK_CONFIG_SOURCE_DYNAMIC_BROKER && got->value &&
            strcmp(got->value, "1000000000") == 0)
            break;
        admin_sleep_ms(100);
    }
    CHECK_STR(r->configs[0].entries[0].value, "1000000000");
    CHECK_EQ(r->configs[0].entries[0].source, KFK_CONFIG_SOURCE_DYNAMIC_BROKER);
    kfk_admin_result_destroy(r);
    set.op = KFK_CONFIG_DELETE;
    set.value = NULL;
    r = kfk_admin_alter_configs(a, &set, 1, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    kfk_admin_result_destroy(r);
    kfk_admin_destroy(a);
}
