/* The admin client without a broker: argument checks answer at once (on
 * the calling thread), and every call's result is freed cleanly. */
#include "kfk.h"
#include "test.h"

static kfk_admin *admin_nowhere(void) {
    char err[256] = "";
    kfk_conf *conf = kfk_conf_new();
    /* nothing listens on port 1: nothing is ever answered */
    kfk_conf_set(conf, "bootstrap.servers", "127.0.0.1:1", err, sizeof err);
    kfk_admin *a = kfk_admin_new(conf, err, sizeof err);
    if (!a) kfk_conf_destroy(conf);
    return a;
}

static int invalid(kfk_admin_result *r) {
    int ok = r && r->err == KFK_ERR_INVALID_ARG && r->errstr && *r->errstr;
    kfk_admin_result_destroy(r);
    return ok;
}

TEST(new_without_conf_fails_with_reason) {
    char err[128] = "";
    CHECK(kfk_admin_new(NULL, err, sizeof err) == NULL);
    CHECK(strlen(err) > 0);
    kfk_conf *conf = kfk_conf_new();
    CHECK(kfk_admin_new(conf, err, sizeof err) == NULL); /* no bootstrap.servers */
    CHECK(strlen(err) > 0);
    kfk_conf_destroy(conf);
    kfk_admin_destroy(NULL);
    kfk_admin_result_destroy(NULL);
}

TEST(bad_arguments_fail_at_once) {
    kfk_admin *a = admin_nowhere();
    REQUIRE(a);
    kfk_new_topic nameless = {.partitions = 1, .replication_factor = 1};
    CHECK(invalid(kfk_admin_create_topics(a, NULL, 0, NULL, NULL, NULL)));
    CHECK(invalid(kfk_admin_create_topics(a, &nameless, 1, NULL, NULL, NULL)));
    kfk_new_topic no_replicas = {.name = "t", .partitions = 1, .assignment = (int32_t[]){1}};
    CHECK(invalid(kfk_admin_create_topics(a, &no_replicas, 1, NULL, NULL, NULL)));
    const char *null_name[] = {NULL};
    CHECK(invalid(kfk_admin_delete_topics(a, null_name, 1, NULL, NULL, NULL)));
    CHECK(invalid(kfk_admin_describe_topics(a, NULL, 0, NULL, NULL, NULL)));
    CHECK(invalid(kfk_admin_create_partitions(a, NULL, 0, NULL, NULL, NULL)));
    CHECK(invalid(kfk_admin_list_offsets(a, NULL, NULL, NULL, NULL)));
    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, "t", 0)->offset = -7;
    CHECK(invalid(kfk_admin_delete_records(a, l, NULL, NULL, NULL)));
    kfk_config_op bad_op = {.resource_type = KFK_CONFIG_TOPIC, .resource = "t", .name = "x",
                            .op = 9};
    CHECK(invalid(kfk_admin_alter_configs(a, &bad_op, 1, NULL, NULL, NULL)));
    CHECK(invalid(kfk_admin_describe_configs(a, NULL, 0, NULL, NULL, NULL)));
    CHECK(invalid(kfk_admin_describe_groups(a, null_name, 1, NULL, NULL, NULL)));
    CHECK(invalid(kfk_admin_delete_groups(a, NULL, 0, NULL, NULL, NULL)));
    CHECK(invalid(kfk_admin_list_group_offsets(a, "", NULL, NULL, NULL, NULL)));
    CHECK(invalid(kfk_admin_alter_group_offsets(a, "g", NULL, NULL, NULL, NULL)));
    /* an offset to commit must be one */
    l->elems[0].offset = KFK_OFFSET_END;
    CHECK(invalid(kfk_admin_alter_group_offsets(a, "g", l, NULL, NULL, NULL)));
    CHECK(invalid(kfk_admin_delete_group_offsets(a, NULL, l, NULL, NULL, NULL)));
    CHECK(invalid(kfk_admin_group_lag(a, NULL, NULL, NULL, NULL)));
    kfk_acl no_principal = {.resource_type = KFK_ACL_RESOURCE_TOPIC, .resource_name = "t",
                            .host = "*"};
    CHECK(invalid(kfk_admin_create_acls(a, &no_principal, 1, NULL, NULL, NULL)));
    CHECK(invalid(kfk_admin_describe_acls(a, NULL, NULL, NULL, NULL)));
    CHECK(invalid(kfk_admin_delete_acls(a, NULL, 0, NULL, NULL, NULL)));
    kfk_partition_list_destroy(l);
    kfk_admin_destroy(a);
}

static void count(kfk_admin_result *r, void *opaque) {
    int *calls = opaque;
    (*calls)++;
    kfk_admin_result_destroy(r);
}

TEST(every_async_call_completes_once_by_destroy) {
    kfk_admin *a = admin_nowhere();
    REQUIRE(a);
    int calls = 0;
    kfk_admin_options o = {.timeout_ms = 60000};
    CHECK(kfk_admin_list_topics(a, 0, &o, count, &calls) == NULL);
    CHECK(kfk_admin_describe_cluster(a, &o, count, &calls) == NULL);
    CHECK(kfk_admin_list_groups(a, &o, count, &calls) == NULL);
    CHECK(kfk_admin_group_lag(a, "g", &o, count, &calls) == NULL);
    kfk_admin_destroy(a);
    CHECK_EQ(calls, 4);
}

TEST(timeout_bounds_a_sync_call) {
    kfk_admin *a = admin_nowhere();
    REQUIRE(a);
    kfk_admin_options o = {.timeout_ms = 300};
    kfk_admin_result *r = kfk_admin_describe_groups(a, (const char *[]){"g"}, 1, &o, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, KFK_ERR_PARTIAL);
    REQUIRE_EQ(r->ngroup_descs, 1);
    CHECK(r->group_descs[0].err != 0);
    CHECK(r->group_descs[0].errstr != NULL);
    kfk_admin_result_destroy(r);
    kfk_admin_destroy(a);
}
