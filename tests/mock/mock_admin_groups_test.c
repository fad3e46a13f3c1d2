/* kfk's admin client lists and describes groups on the mock cluster
 * (ListGroups from every broker, DescribeGroups at the coordinator): a
 * stable classic group with its member and assignment, a KIP-848 group in
 * the list, an unknown group, an emptied group, and a group whose
 * coordinator moved. */
#include <string.h>

#include "kfk.h"
#include "kfk_mock.h"
#include "mock_it.h"
#include "test.h"

static kfk_admin *admin(const char *bootstrap) {
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    kfk_admin *a = kfk_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err)
                       ? NULL
                       : kfk_admin_new(conf, err, sizeof err);
    if (!a) {
        kfk_test_fail(__FILE__, __LINE__, "admin: %s", err);
        kfk_conf_destroy(conf);
    }
    return a;
}

static const kfk_group_listing *listing(const kfk_admin_result *r, const char *group) {
    for (int i = 0; r && i < r->ngroups; i++)
        if (!strcmp(r->groups[i].group_id, group)) return &r->groups[i];
    return NULL;
}

static void wait_assigned(kfk_consumer *c, int want) {
    for (int64_t end = mock_now_ms() + 20000; mock_assigned(c) != want && mock_now_ms() < end;)
        kfk_consumer_message_release(kfk_consumer_poll(c, 20));
}

TEST(admin_lists_and_describes_groups) {
    kfk_mock_cluster *mc = kfk_mock_cluster_new(3);
    REQUIRE(mc);
    const char *bs = kfk_mock_cluster_bootstraps(mc);
    REQUIRE_EQ(kfk_mock_topic_create(mc, "ga", 2, 2), 0);
    const char *classic[] = {"client.id", "classic-one", NULL};
    const char *kip848[] = {"group.protocol", "consumer", NULL};
    kfk_consumer *c1 = mock_member(bs, "g-classic", "ga", classic);
    kfk_consumer *c2 = mock_member(bs, "g-848", "ga", kip848);
    REQUIRE(c1 && c2);
    wait_assigned(c1, 2);
    wait_assigned(c2, 2);
    REQUIRE_EQ(mock_assigned(c1), 2);
    REQUIRE_EQ(mock_assigned(c2), 2);
    kfk_admin *a = admin(bs);
    REQUIRE(a);

    kfk_admin_result *r = kfk_admin_list_groups(a, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    CHECK_EQ(r->ngroups, 2);
    const kfk_group_listing *l = listing(r, "g-classic");
    REQUIRE(l);
    CHECK_STR(l->protocol_type, "consumer");
    CHECK_STR(l->state, "Stable");
    CHECK_STR(l->type, "classic");
    CHECK(l->coordinator >= 1 && l->coordinator <= 3);
    l = listing(r, "g-848");
    REQUIRE(l);
    CHECK_STR(l->protocol_type, "consumer");
    CHECK_STR(l->type, "consumer");
    CHECK_STR(l->state, "Stable");
    kfk_admin_result_destroy(r);

    const char *groups[] = {"g-classic", "nope", "g-848"};
    r = kfk_admin_describe_groups(a, groups, 3, NULL, NULL, NULL);
    REQUIRE(r);
    REQUIRE_EQ(r->ngroup_descs, 3);
    const kfk_group_desc *d = &r->group_descs[0];
    CHECK_EQ(d->err, 0);
    CHECK_STR(d->state, "Stable");
    CHECK_STR(d->protocol_type, "consumer");
    CHECK(d->protocol && *d->protocol);
    CHECK(d->coordinator >= 1 && d->coordinator <= 3);
    REQUIRE_EQ(d->nmembers, 1);
    CHECK(d->members[0].member_id && *d->members[0].member_id);
    CHECK_STR(d->members[0].client_id, "classic-one");
    CHECK(d->members[0].host && *d->members[0].host);
    REQUIRE_EQ(d->members[0].nassignment, 2);
    CHECK_STR(d->members[0].assignment[0].topic, "ga");
    CHECK_EQ(d->members[0].assignment[0].partition + d->members[0].assignment[1].partition, 1);
    CHECK_EQ(r->group_descs[1].err, KFK_ERR_GROUP_ID_NOT_FOUND); /* as Kafka 4.x */
    CHECK_STR(r->group_descs[1].state, "Dead");
    CHECK_EQ(r->group_descs[2].err, KFK_ERR_GROUP_ID_NOT_FOUND); /* not a classic group */
    kfk_admin_result_destroy(r);

    /* The coordinator moves: the admin client follows it. */
    int32_t was = 0;
    r = kfk_admin_describe_groups(a, groups, 1, NULL, NULL, NULL);
    if (r && r->ngroup_descs == 1) was = r->group_descs[0].coordinator;
    kfk_admin_result_destroy(r);
    int to = was % 3 + 1;
    REQUIRE_EQ(kfk_mock_coordinator_set(mc, KFK_MOCK_COORD_GROUP, "g-classic", to), 0);
    r = kfk_admin_describe_groups(a, groups, 1, NULL, NULL, NULL);
    REQUIRE(r);
    REQUIRE_EQ(r->ngroup_descs, 1);
    CHECK_EQ(r->group_descs[0].err, 0);
    CHECK_EQ(r->group_descs[0].coordinator, to);
    CHECK_EQ(r->group_descs[0].nmembers, 1);
    kfk_admin_result_destroy(r);
    r = kfk_admin_list_groups(a, NULL, NULL, NULL);
    REQUIRE(r);
    l = listing(r, "g-classic");
    REQUIRE(l);
    CHECK_EQ(l->coordinator, to);
    kfk_admin_result_destroy(r);

    /* Once its member left, the group is listed and described empty. */
    kfk_consumer_close(c1);
    r = kfk_admin_describe_groups(a, groups, 1, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->group_descs[0].err, 0);
    CHECK_STR(r->group_descs[0].state, "Empty");
    CHECK_EQ(r->group_descs[0].nmembers, 0);
    kfk_admin_result_destroy(r);
    r = kfk_admin_list_groups(a, NULL, NULL, NULL);
    REQUIRE(r);
    l = listing(r, "g-classic");
    REQUIRE(l);
    CHECK_STR(l->state, "Empty");
    kfk_admin_result_destroy(r);

    kfk_consumer_close(c2);
    kfk_admin_destroy(a);
    kfk_mock_cluster_destroy(mc);
}
