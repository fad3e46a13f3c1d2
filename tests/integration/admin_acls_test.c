/* ACLs against a real broker. With KFK_ACL_AUTHORIZER=1 (`kafka-local up
 * --secure` runs StandardAuthorizer and says so) ACLs are created,
 * described through every kind of filter and deleted, and the deleted
 * bindings come back per filter. Without it (3.9.1 and plain 4.x
 * brokers) every ACL call must fail with SECURITY_DISABLED, in the same
 * shapes: per item for create, for the operation for describe, per filter
 * for delete.
 *
 * Each test names its own resources and principals (a unique prefix), so
 * its filters never match another run's ACLs. The authorizer applies a
 * change asynchronously: every read after a change polls for up to 30 s. */
#include "admin_it.h"

enum { POLL_MS = 30000, POLL_STEP_MS = 250, MAX_ACLS = 8 };

static int authorizer(void) {
    const char *v = getenv("KFK_ACL_AUTHORIZER");
    return v && strcmp(v, "1") == 0;
}

static int str_eq(const char *a, const char *b) {
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int acl_eq(const kfk_acl *a, const kfk_acl *b) {
    return a->resource_type == b->resource_type && str_eq(a->resource_name, b->resource_name) &&
           a->pattern_type == b->pattern_type && str_eq(a->principal, b->principal) &&
           str_eq(a->host, b->host) && a->operation == b->operation &&
           a->permission == b->permission;
}

static void acl_print(const char *what, const kfk_acl *a) {
    fprintf(stderr, "       %s: type %d name %s pattern %d %s@%s op %d perm %d\n", what,
            a->resource_type, a->resource_name, a->pattern_type, a->principal, a->host,
            a->operation, a->permission);
}

/* Whether got holds exactly the bindings want (in any order). */
static int same_set(const kfk_acl *got, int ngot, const kfk_acl *const *want, int nwant) {
    if (ngot != nwant) return 0;
    for (int i = 0; i < nwant; i++) {
        int found = 0;
        for (int j = 0; j < ngot && !found; j++) found = acl_eq(&got[j], want[i]);
        if (!found) return 0;
    }
    return 1;
}

static void report_mismatch(int line, const char *what, const kfk_acl *got, int ngot,
                            const kfk_acl *const *want, int nwant) {
    kfk_test_fail(__FILE__, line, "%s: got %d bindings, want %d", what, ngot, nwant);
    for (int i = 0; i < ngot; i++) acl_print("got ", &got[i]);
    for (int i = 0; i < nwant; i++) acl_print("want", want[i]);
}

/* Describes with filter until exactly want comes back (the authorizer
 * catches up asynchronously), or fails after POLL_MS. */
static void expect_described(int line, kfk_admin *a, const char *what, const kfk_acl *filter,
                             const kfk_acl *const *want, int nwant) {
    int64_t deadline = it_now_ms() + POLL_MS;
    for (;;) {
        kfk_admin_result *r = kfk_admin_describe_acls(a, filter, NULL, NULL, NULL);
        if (!r) {
            kfk_test_fail(__FILE__, line, "%s: no result", what);
            return;
        }
        int done = !r->err && same_set(r->acls, r->nacls, want, nwant);
        if (!done && it_now_ms() >= deadline) {
            if (r->err)
                kfk_test_fail(__FILE__, line, "%s: %s: %s", what, kfk_err_name(r->err),
                              r->errstr ? r->errstr : "");
            else
                report_mismatch(line, what, r->acls, r->nacls, want, nwant);
            done = 1;
        }
        kfk_admin_result_destroy(r);
        if (done) return;
        admin_sleep_ms(POLL_STEP_MS);
    }
}

/* The test's resource names and principals, unique to this run. */
typedef struct names {
    char prefix[128];  /* a prefixed-pattern topic resource */
    char topic[160];   /* a literal topic under the prefix */
    char group[160];
    char bob[160], carol[160];
} names;

static void names_init(names *n, const char *what) {
    it_topic(n->prefix, sizeof n->prefix, what);
    size_t len = strlen(n->prefix);
    snprintf(n->prefix + len, sizeof n->prefix - len, "-");
    snprintf(n->topic, sizeof n->topic, "%slit", n->prefix);
    snprintf(n->group, sizeof n->group, "%sgroup", n->prefix);
    snprintf(n->bob, sizeof n->bob, "User:bob-%s", n->prefix);
    snprintf(n->carol, sizeof n->carol, "User:carol-%s", n->prefix);
}

static kfk_acl binding(int type, const char *name, int pattern, const char *principal, int op,
                       int permission) {
    return (kfk_acl){.resource_type = type,
                     .resource_name = name,
                     .pattern_type = pattern,
                     .principal = principal,
                     .host = "*",
                     .operation = op,
                     .permission = permission};
}

/* A filter matching everything but what the arguments pin down. */
static kfk_acl filter(int type, const char *name, int pattern, const char *principal) {
    return (kfk_acl){.resource_type = type,
                     .resource_name = name,
                     .pattern_type = pattern,
                     .principal = principal,
                     .operation = KFK_ACL_OP_ANY,
                     .permission = KFK_ACL_PERMISSION_ANY};
}

/* Four bindings: literal and prefixed, allow and deny, topic and group. */
enum { BOB_READ_TOPIC, CAROL_DENY_WRITE_TOPIC, BOB_DESCRIBE_PREFIX, CAROL_READ_GROUP, NBINDINGS };

static void make_bindings(const names *n, kfk_acl *b) {
    b[BOB_READ_TOPIC] = binding(KFK_ACL_RESOURCE_TOPIC, n->topic, KFK_ACL_PATTERN_LITERAL, n->bob,
                                KFK_ACL_OP_READ, KFK_ACL_PERMISSION_ALLOW);
    b[CAROL_DENY_WRITE_TOPIC] = binding(KFK_ACL_RESOURCE_TOPIC, n->topic, KFK_ACL_PATTERN_LITERAL,
                                        n->carol, KFK_ACL_OP_WRITE, KFK_ACL_PERMISSION_DENY);
    b[BOB_DESCRIBE_PREFIX] = binding(KFK_ACL_RESOURCE_TOPIC, n->prefix, KFK_ACL_PATTERN_PREFIXED,
                                     n->bob, KFK_ACL_OP_DESCRIBE, KFK_ACL_PERMISSION_ALLOW);
    b[CAROL_READ_GROUP] = binding(KFK_ACL_RESOURCE_GROUP, n->group, KFK_ACL_PATTERN_LITERAL,
                                  n->carol, KFK_ACL_OP_READ, KFK_ACL_PERMISSION_ALLOW);
}

/* Creates the bindings; every item must succeed. */
static int create_bindings(kfk_admin *a, const kfk_acl *b, int n) {
    kfk_admin_result *r = kfk_admin_create_acls(a, b, n, NULL, NULL, NULL);
    if (!r) return -1;
    int bad = r->err != 0 || r->nitems != n;
    for (int i = 0; i < r->nitems; i++)
        if (r->items[i].err) {
            kfk_test_fail(__FILE__, __LINE__, "create binding %d: %s: %s", i,
                          kfk_err_name(r->items[i].err), r->items[i].errstr);
            bad = 1;
        }
    kfk_admin_result_destroy(r);
    return bad ? -1 : 0;
}

/* Deletes every binding the test made (its principals), so none is left. */
static void cleanup(kfk_admin *a, const names *n) {
    kfk_acl f[2] = {filter(KFK_ACL_RESOURCE_ANY, NULL, KFK_ACL_PATTERN_ANY, n->bob),
                    filter(KFK_ACL_RESOURCE_ANY, NULL, KFK_ACL_PATTERN_ANY, n->carol)};
    kfk_admin_result_destroy(kfk_admin_delete_acls(a, f, 2, NULL, NULL, NULL));
}

TEST(acls_create_and_describe_by_every_filter) {
    names n;
    names_init(&n, "acl-desc");
    kfk_acl b[NBINDINGS];
    make_bindings(&n, b);
    kfk_admin *a = admin_new();
    REQUIRE(a);
    if (!authorizer()) {
        /* No authorizer: describe fails as a whole, create per item. */
        kfk_admin_result *r = kfk_admin_create_acls(a, b, NBINDINGS, NULL, NULL, NULL);
        REQUIRE(r);
        CHECK_EQ(r->err, KFK_ERR_PARTIAL);
        REQUIRE_EQ(r->nitems, NBINDINGS);
        for (int i = 0; i < NBINDINGS; i++) {
            CHECK_EQ(r->items[i].err, KFK_ERR_SECURITY_DISABLED);
            CHECK(r->items[i].errstr && *r->items[i].errstr);
        }
        kfk_admin_result_destroy(r);
        kfk_acl f = filter(KFK_ACL_RESOURCE_ANY, NULL, KFK_ACL_PATTERN_ANY, n.bob);
        r = kfk_admin_describe_acls(a, &f, NULL, NULL, NULL);
        REQUIRE(r);
        CHECK_EQ(r->err, KFK_ERR_SECURITY_DISABLED);
        CHECK(r->errstr && *r->errstr);
        CHECK_EQ(r->nacls, 0);
        kfk_admin_result_destroy(r);
        kfk_admin_destroy(a);
        return;
    }
    if (create_bindings(a, b, NBINDINGS)) {
        kfk_admin_destroy(a);
        return;
    }

    kfk_acl f = filter(KFK_ACL_RESOURCE_ANY, NULL, KFK_ACL_PATTERN_ANY, n.bob);
    const kfk_acl *bob[] = {&b[BOB_READ_TOPIC], &b[BOB_DESCRIBE_PREFIX]};
    expect_described(__LINE__, a, "by principal", &f, bob, 2);

    f = filter(KFK_ACL_RESOURCE_TOPIC, n.topic, KFK_ACL_PATTERN_LITERAL, NULL);
    const kfk_acl *literal[] = {&b[BOB_READ_TOPIC], &b[CAROL_DENY_WRITE_TOPIC]};
    expect_described(__LINE__, a, "by literal topic", &f, literal, 2);

    f = filter(KFK_ACL_RESOURCE_TOPIC, n.prefix, KFK_ACL_PATTERN_PREFIXED, NULL);
    const kfk_acl *prefixed[] = {&b[BOB_DESCRIBE_PREFIX]};
    expect_described(__LINE__, a, "by prefix", &f, prefixed, 1);

    /* MATCH: every binding that applies to the topic, its prefix's too. */
    f = filter(KFK_ACL_RESOURCE_TOPIC, n.topic, KFK_ACL_PATTERN_MATCH, NULL);
    const kfk_acl *match[] = {&b[BOB_READ_TOPIC], &b[CAROL_DENY_WRITE_TOPIC],
                              &b[BOB_DESCRIBE_PREFIX]};
    expect_described(__LINE__, a, "MATCH the topic", &f, match, 3);

    /* ANY: any pattern type, but the name as given. */
    f = filter(KFK_ACL_RESOURCE_ANY, n.prefix, KFK_ACL_PATTERN_ANY, NULL);
    expect_described(__LINE__, a, "ANY pattern named as the prefix", &f, prefixed, 1);

    f = filter(KFK_ACL_RESOURCE_GROUP, NULL, KFK_ACL_PATTERN_ANY, n.carol);
    const kfk_acl *group[] = {&b[CAROL_READ_GROUP]};
    expect_described(__LINE__, a, "carol's groups", &f, group, 1);

    f = filter(KFK_ACL_RESOURCE_ANY, NULL, KFK_ACL_PATTERN_ANY, n.carol);
    f.permission = KFK_ACL_PERMISSION_DENY;
    const kfk_acl *deny[] = {&b[CAROL_DENY_WRITE_TOPIC]};
    expect_described(__LINE__, a, "carol's denials", &f, deny, 1);

    cleanup(a, &n);
    kfk_admin_destroy(a);
}

TEST(acls_deleted_by_filters_come_back_per_filter) {
    names n;
    names_init(&n, "acl-del");
    kfk_acl b[NBINDINGS];
    make_bindings(&n, b);
    kfk_acl f[3] = {
        filter(KFK_ACL_RESOURCE_TOPIC, n.topic, KFK_ACL_PATTERN_LITERAL, n.bob),
        filter(KFK_ACL_RESOURCE_ANY, n.prefix, KFK_ACL_PATTERN_PREFIXED, NULL),
        filter(KFK_ACL_RESOURCE_GROUP, n.group, KFK_ACL_PATTERN_LITERAL, n.bob), /* none */
    };
    kfk_admin *a = admin_new();
    REQUIRE(a);
    if (!authorizer()) {
        kfk_admin_result *r = kfk_admin_delete_acls(a, f, 3, NULL, NULL, NULL);
        REQUIRE(r);
        CHECK_EQ(r->err, KFK_ERR_PARTIAL);
        REQUIRE_EQ(r->nacl_filters, 3);
        for (int i = 0; i < 3; i++) {
            CHECK_EQ(r->acl_filters[i].err, KFK_ERR_SECURITY_DISABLED);
            CHECK(r->acl_filters[i].errstr && *r->acl_filters[i].errstr);
            CHECK_EQ(r->acl_filters[i].nacls, 0);
        }
        kfk_admin_result_destroy(r);
        kfk_admin_destroy(a);
        return;
    }
    if (create_bindings(a, b, NBINDINGS)) {
        kfk_admin_destroy(a);
        return;
    }
    kfk_acl all_bob = filter(KFK_ACL_RESOURCE_ANY, NULL, KFK_ACL_PATTERN_ANY, n.bob);
    kfk_acl all_carol = filter(KFK_ACL_RESOURCE_ANY, NULL, KFK_ACL_PATTERN_ANY, n.carol);
    const kfk_acl *bob[] = {&b[BOB_READ_TOPIC], &b[BOB_DESCRIBE_PREFIX]};
    const kfk_acl *carol[] = {&b[CAROL_DENY_WRITE_TOPIC], &b[CAROL_READ_GROUP]};
    /* Deletes are matched against what the controller has, which the
     * broker's view may trail: start once the broker shows them all. */
    expect_described(__LINE__, a, "bob's before delete", &all_bob, bob, 2);
    expect_described(__LINE__, a, "carol's before delete", &all_carol, carol, 2);

    kfk_admin_result *r = kfk_admin_delete_acls(a, f, 3, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    REQUIRE_EQ(r->nacl_filters, 3);
    const kfk_acl *want[3][1] = {{&b[BOB_READ_TOPIC]}, {&b[BOB_DESCRIBE_PREFIX]}, {NULL}};
    const int nwant[3] = {1, 1, 0};
    for (int i = 0; i < 3; i++) {
        const kfk_acl_filter_result *fr = &r->acl_filters[i];
        CHECK_EQ(fr->err, 0);
        CHECK(fr->errstr == NULL);
        if (!same_set(fr->acls, fr->nacls, want[i], nwant[i]))
            report_mismatch(__LINE__, "deleted by a filter", fr->acls, fr->nacls, want[i],
                            nwant[i]);
        for (int j = 0; j < fr->nacls; j++) CHECK_EQ(fr->acl_results[j].err, 0);
    }
    kfk_admin_result_destroy(r);

    /* bob has nothing left; carol keeps both of hers. */
    expect_described(__LINE__, a, "bob's after delete", &all_bob, NULL, 0);
    expect_described(__LINE__, a, "carol's after delete", &all_carol, carol, 2);

    /* One filter for everything carol has: both come back, then none. */
    r = kfk_admin_delete_acls(a, &all_carol, 1, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    REQUIRE_EQ(r->nacl_filters, 1);
    if (!same_set(r->acl_filters[0].acls, r->acl_filters[0].nacls, carol, 2))
        report_mismatch(__LINE__, "carol's deleted", r->acl_filters[0].acls,
                        r->acl_filters[0].nacls, carol, 2);
    kfk_admin_result_destroy(r);
    expect_described(__LINE__, a, "carol's after delete", &all_carol, NULL, 0);
    kfk_admin_destroy(a);
}

TEST(acl_with_invalid_principal_fails_per_item_with_a_message) {
    names n;
    names_init(&n, "acl-bad");
    kfk_acl b[2] = {
        binding(KFK_ACL_RESOURCE_TOPIC, n.topic, KFK_ACL_PATTERN_LITERAL, n.bob, KFK_ACL_OP_READ,
                KFK_ACL_PERMISSION_ALLOW),
        binding(KFK_ACL_RESOURCE_TOPIC, n.topic, KFK_ACL_PATTERN_LITERAL, "alice",
                KFK_ACL_OP_READ, KFK_ACL_PERMISSION_ALLOW),
    };
    kfk_admin *a = admin_new();
    REQUIRE(a);
    kfk_admin_result *r = kfk_admin_create_acls(a, b, 2, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, KFK_ERR_PARTIAL);
    REQUIRE_EQ(r->nitems, 2);
    const kfk_admin_item *bad = &r->items[1];
    if (authorizer()) {
        CHECK_EQ(r->items[0].err, 0);
        CHECK(bad->err != 0 && bad->err != KFK_ERR_SECURITY_DISABLED);
        printf("     principal \"alice\": %s: %s\n", kfk_err_name(bad->err),
               bad->errstr ? bad->errstr : "(none)");
    } else {
        CHECK_EQ(r->items[0].err, KFK_ERR_SECURITY_DISABLED);
        CHECK_EQ(bad->err, KFK_ERR_SECURITY_DISABLED);
    }
    CHECK(bad->errstr && *bad->errstr);
    kfk_admin_result_destroy(r);
    if (authorizer()) {
        /* The valid one was created alone; the invalid one never was. */
        kfk_acl f = filter(KFK_ACL_RESOURCE_TOPIC, n.topic, KFK_ACL_PATTERN_LITERAL, NULL);
        const kfk_acl *want[] = {&b[0]};
        expect_described(__LINE__, a, "after a partly invalid create", &f, want, 1);
        cleanup(a, &n);
    }
    kfk_admin_destroy(a);
}
