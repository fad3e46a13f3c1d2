/* ACLs against a real broker. The default test broker has no authorizer:
 * every ACL call must then say SECURITY_DISABLED. With
 * KFK_ACL_AUTHORIZER=1 the broker is expected to run StandardAuthorizer
 * (KFK_BROKER_PROPS, see the report) and the ACLs must round-trip. */
#include "admin_it.h"

static int authorizer(void) {
    const char *v = getenv("KFK_ACL_AUTHORIZER");
    return v && strcmp(v, "1") == 0;
}

TEST(acls_round_trip_or_security_disabled) {
    kfk_admin *a = admin_new();
    REQUIRE(a);
    char topic[128];
    it_topic(topic, sizeof topic, "adm-acl");
    kfk_acl acl = {.resource_type = KFK_ACL_RESOURCE_TOPIC,
                   .resource_name = topic,
                   .pattern_type = KFK_ACL_PATTERN_LITERAL,
                   .principal = "User:alice",
                   .host = "*",
                   .operation = KFK_ACL_OP_READ,
                   .permission = KFK_ACL_PERMISSION_ALLOW};
    kfk_acl filter = acl;
    filter.principal = NULL; /* any principal */
    filter.host = NULL;
    filter.operation = KFK_ACL_OP_ANY;
    filter.permission = KFK_ACL_PERMISSION_ANY;
    int want = authorizer() ? 0 : KFK_ERR_SECURITY_DISABLED;

    kfk_admin_result *r = kfk_admin_create_acls(a, &acl, 1, NULL, NULL, NULL);
    REQUIRE(r);
    REQUIRE_EQ(r->nitems, 1);
    CHECK_EQ(r->items[0].err, want);
    CHECK_EQ(r->err, want ? KFK_ERR_PARTIAL : 0);
    if (want) CHECK(r->items[0].errstr && *r->items[0].errstr);
    kfk_admin_result_destroy(r);

    /* the authorizer applies new ACLs asynchronously */
    int n = -1;
    for (int i = 0; i < 25; i++) {
        r = kfk_admin_describe_acls(a, &filter, NULL, NULL, NULL);
        REQUIRE(r);
        CHECK_EQ(r->err, want);
        n = r->nacls;
        if (!want && n == 1) {
            CHECK_STR(r->acls[0].resource_name, topic);
            CHECK_STR(r->acls[0].principal, "User:alice");
            CHECK_STR(r->acls[0].host, "*");
            CHECK_EQ(r->acls[0].operation, KFK_ACL_OP_READ);
            CHECK_EQ(r->acls[0].permission, KFK_ACL_PERMISSION_ALLOW);
        }
        kfk_admin_result_destroy(r);
        if (want || n == 1) break;
        admin_sleep_ms(200);
    }
    CHECK_EQ(n, want ? 0 : 1);

    r = kfk_admin_delete_acls(a, &filter, 1, NULL, NULL, NULL);
    REQUIRE(r);
    REQUIRE_EQ(r->nacl_filters, 1);
    CHECK_EQ(r->acl_filters[0].err, want);
    CHECK_EQ(r->acl_filters[0].nacls, want ? 0 : 1);
    if (!want && r->acl_filters[0].nacls == 1) {
        CHECK_STR(r->acl_filters[0].acls[0].principal, "User:alice");
        CHECK_EQ(r->acl_filters[0].acl_results[0].err, 0);
    }
    kfk_admin_result_destroy(r);
    kfk_admin_destroy(a);
}
