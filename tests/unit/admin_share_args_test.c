/* The share-group admin calls without a broker: bad arguments answer at
 * once with INVALID_ARG and a reason, and their results free cleanly. */
#include "kfk.h"
#include "test.h"

static int invalid(kfk_admin_result *r) {
    int ok = r && r->err == KFK_ERR_INVALID_ARG && r->errstr && *r->errstr;
    kfk_admin_result_destroy(r);
    return ok;
}

TEST(share_group_calls_check_their_arguments) {
    char err[256] = "";
    kfk_conf *conf = kfk_conf_new();
    /* nothing listens on port 1: nothing is ever answered */
    kfk_conf_set(conf, "bootstrap.servers", "127.0.0.1:1", err, sizeof err);
    kfk_admin *a = kfk_admin_new(conf, err, sizeof err);
    REQUIRE(a);
    const char *empty[] = {""}, *null_name[] = {NULL}, *topics[] = {"t"};
    CHECK(invalid(kfk_admin_describe_share_groups(a, NULL, 0, NULL, NULL, NULL)));
    CHECK(invalid(kfk_admin_describe_share_groups(a, empty, 1, NULL, NULL, NULL)));
    CHECK(invalid(kfk_admin_describe_share_groups(a, null_name, 1, NULL, NULL, NULL)));
    kfk_partition_list *none = kfk_partition_list_new(1);
    CHECK(invalid(kfk_admin_list_share_group_offsets(a, NULL, NULL, NULL, NULL, NULL)));
    CHECK(invalid(kfk_admin_list_share_group_offsets(a, "g", none, NULL, NULL, NULL)));
    CHECK(invalid(kfk_admin_alter_share_group_offsets(a, "g", none, NULL, NULL, NULL)));
    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, "t", 0)->offset = -1;
    CHECK(invalid(kfk_admin_alter_share_group_offsets(a, "g", l, NULL, NULL, NULL)));
    CHECK(invalid(kfk_admin_alter_share_group_offsets(a, "", l, NULL, NULL, NULL)));
    CHECK(invalid(kfk_admin_delete_share_group_offsets(a, "g", NULL, 0, NULL, NULL, NULL)));
    CHECK(invalid(kfk_admin_delete_share_group_offsets(a, "g", null_name, 1, NULL, NULL, NULL)));
    CHECK(invalid(kfk_admin_delete_share_group_offsets(a, NULL, topics, 1, NULL, NULL, NULL)));
    kfk_partition_list_destroy(l);
    kfk_partition_list_destroy(none);
    kfk_admin_destroy(a);
}
