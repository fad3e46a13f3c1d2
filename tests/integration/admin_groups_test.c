/* Consumer groups and their offsets against a real broker: offsets
 * committed with the admin client are read back by kcat -G (an independent
 * consumer), and a live kcat -G member makes the group non-empty. */
#include <signal.h>

#include "admin_it.h"

static void group_name(char *buf, size_t len, const char *what) { it_topic(buf, len, what); }

static const kfk_partition *elem(const kfk_admin_result *r, const char *topic, int32_t p) {
    return r->partitions ? kfk_partition_list_find(r->partitions, topic, p) : NULL;
}

static int listed(kfk_admin *a, const char *group, char *state, size_t len) {
    kfk_admin_result *r = kfk_admin_list_groups(a, NULL, NULL, NULL);
    int found = 0;
    for (int i = 0; r && i < r->ngroups; i++)
        if (strcmp(r->groups[i].group_id, group) == 0) {
            found = 1;
            snprintf(state, len, "%s", r->groups[i].state);
        }
    if (r) CHECK_EQ(r->err, 0);
    kfk_admin_result_destroy(r);
    return found;
}

TEST(offsets_altered_listed_lagged_consumed_deleted) {
    kfk_admin *a = admin_new();
    REQUIRE(a);
    char topic[128], group[128];
    it_topic(topic, sizeof topic, "adm-grp");
    group_name(group, sizeof group, "adm-grp-g");
    REQUIRE_EQ(admin_create(a, topic, 2), 0);
    REQUIRE_EQ(admin_kcat_produce(topic, 0, 10), 0);
    REQUIRE_EQ(admin_kcat_produce(topic, 1, 4), 0);

    kfk_partition_list *l = kfk_partition_list_new(2);
    kfk_partition *e = kfk_partition_list_add(l, topic, 0);
    e->offset = 7;
    kfk_partition_set_metadata(e, "note");
    kfk_partition_list_add(l, topic, 1)->offset = 4;
    kfk_admin_result *r = kfk_admin_alter_group_offsets(a, group, l, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    CHECK_EQ(r->partitions->elems[0].err, 0);
    CHECK_EQ(r->partitions->elems[1].err, 0);
    kfk_admin_result_destroy(r);

    r = kfk_admin_list_group_offsets(a, group, NULL, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    const kfk_partition *p0 = elem(r, topic, 0), *p1 = elem(r, topic, 1);
    REQUIRE(p0 && p1);
    CHECK_EQ(p0->offset, 7);
    CHECK_STR(p0->metadata, "note");
    CHECK_EQ(p1->offset, 4);
    kfk_admin_result_destroy(r);

    /* a partition without a commit */
    kfk_partition_list_add(l, topic, 5);
    r = kfk_admin_list_group_offsets(a, group, l, NULL, NULL, NULL);
    REQUIRE(r);
    REQUIRE_EQ(r->partitions->count, 3);
    CHECK_EQ(r->partitions->elems[0].offset, 7);
    CHECK_EQ(r->partitions->elems[2].offset, KFK_OFFSET_INVALID);
    kfk_admin_result_destroy(r);

    r = kfk_admin_group_lag(a, group, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    REQUIRE_EQ(r->nlags, 2);
    CHECK_STR(r->lags[0].topic, topic);
    CHECK_EQ(r->lags[0].partition, 0);
    CHECK_EQ(r->lags[0].committed, 7);
    CHECK_EQ(r->lags[0].log_end, 10);
    CHECK_EQ(r->lags[0].lag, 3);
    CHECK_EQ(r->lags[1].partition, 1);
    CHECK_EQ(r->lags[1].log_end, 4);
    CHECK_EQ(r->lags[1].lag, 0);
    kfk_admin_result_destroy(r);

    char state[64] = "";
    CHECK(listed(a, group, state, sizeof state));
    CHECK_STR(state, "Empty");
    const char *groups[] = {group};
    r = kfk_admin_describe_groups(a, groups, 1, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    CHECK_STR(r->group_descs[0].state, "Empty");
    CHECK_EQ(r->group_descs[0].nmembers, 0);
    CHECK(r->group_descs[0].coordinator >= 0);
    kfk_admin_result_destroy(r);

    /* an independent consumer starts where the admin client committed */
    char out[1024];
    CHECK_EQ(admin_sh(out, sizeof out,
                      "timeout 30 kcat -b %s -G %s -X auto.offset.reset=earliest -e -q -f '%%p:%%o\\n' %s "
                      "2>/dev/null | sort",
                      it_bootstrap(), group, topic),
             0);
    CHECK_STR(out, "0:7\n0:8\n0:9\n");

    /* delete one partition's commit, then the group */
    kfk_partition_list *one = kfk_partition_list_new(1);
    kfk_partition_list_add(one, topic, 1);
    r = kfk_admin_delete_group_offsets(a, group, one, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    CHECK_EQ(r->partitions->elems[0].err, 0);
    kfk_admin_result_destroy(r);
    r = kfk_admin_list_group_offsets(a, group, one, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->partitions->elems[0].offset, KFK_OFFSET_INVALID);
    kfk_admin_result_destroy(r);
    kfk_partition_list_destroy(one);

    r = kfk_admin_delete_groups(a, groups, 1, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    CHECK_EQ(r->items[0].err, 0);
    kfk_admin_result_destroy(r);
    CHECK(!listed(a, group, state, sizeof state));
    r = kfk_admin_delete_groups(a, groups, 1, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->items[0].err, KFK_ERR_GROUP_ID_NOT_FOUND);
    kfk_admin_result_destroy(r);
    kfk_partition_list_destroy(l);
    kfk_admin_destroy(a);
}

TEST(live_member_makes_group_non_empty) {
    kfk_admin *a = admin_new();
    REQUIRE(a);
    char topic[128], group[128];
    it_topic(topic, sizeof topic, "adm-live");
    group_name(group, sizeof group, "adm-live-g");
    REQUIRE_EQ(admin_create(a, topic, 2), 0);
    char pid[32] = "";
    REQUIRE_EQ(admin_sh(pid, sizeof pid,
                        "kcat -b %s -G %s -q %s >/dev/null 2>&1 & echo $!", it_bootstrap(),
                        group, topic),
               0);
    int kcat = atoi(pid);
    REQUIRE(kcat > 0);

    const char *groups[] = {group};
    kfk_admin_result *r = NULL;
    int stable = 0;
    for (int i = 0; i < 100 && !stable; i++) {
        kfk_admin_result_destroy(r);
        r = kfk_admin_describe_groups(a, groups, 1, NULL, NULL, NULL);
        stable = r && r->group_descs[0].state && strcmp(r->group_descs[0].state, "Stable") == 0;
        if (!stable) admin_sleep_ms(200);
    }
    CHECK(stable);
    if (r && stable) {
        const kfk_group_desc *d = &r->group_descs[0];
        CHECK_STR(d->protocol_type, "consumer");
        CHECK(d->protocol && *d->protocol);
        REQUIRE_EQ(d->nmembers, 1);
        CHECK(d->members[0].member_id && *d->members[0].member_id);
        CHECK(d->members[0].client_id && *d->members[0].client_id);
        CHECK(d->members[0].host && *d->members[0].host);
        /* the decoded assignment: both partitions of the topic */
        REQUIRE_EQ(d->members[0].nassignment, 2);
        CHECK_STR(d->members[0].assignment[0].topic, topic);
        CHECK_EQ(d->members[0].assignment[0].partition + d->members[0].assignment[1].partition,
                 1);
    }
    kfk_admin_result_destroy(r);

    r = kfk_admin_delete_groups(a, groups, 1, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, KFK_ERR_PARTIAL);
    CHECK_EQ(r->items[0].err, KFK_ERR_NON_EMPTY_GROUP);
    CHECK(r->items[0].errstr != NULL);
    kfk_admin_result_destroy(r);

    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, topic, 0)->offset = 1;
    r = kfk_admin_alter_group_offsets(a, group, l, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, KFK_ERR_PARTIAL);
    CHECK(r->partitions->elems[0].err != 0);
    kfk_admin_result_destroy(r);
    r = kfk_admin_delete_group_offsets(a, group, l, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->partitions->elems[0].err, KFK_ERR_GROUP_SUBSCRIBED_TO_TOPIC);
    kfk_admin_result_destroy(r);
    kfk_partition_list_destroy(l);

    /* the member leaves: the group can go (at worst after its session
     * timeout, 45 s, should kcat not leave in time) */
    kill(kcat, SIGTERM);
    int deleted = 0;
    for (int i = 0; i < 400 && !deleted; i++) {
        r = kfk_admin_delete_groups(a, groups, 1, NULL, NULL, NULL);
        deleted = r && r->items[0].err == 0;
        kfk_admin_result_destroy(r);
        if (!deleted) admin_sleep_ms(200);
    }
    CHECK(deleted);
    kfk_admin_destroy(a);
}

TEST(unknown_group) {
    kfk_admin *a = admin_new();
    REQUIRE(a);
    char group[128];
    group_name(group, sizeof group, "adm-nogroup");
    const char *groups[] = {group};
    kfk_admin_result *r = kfk_admin_describe_groups(a, groups, 1, NULL, NULL, NULL);
    REQUIRE(r);
    /* 4.x says GROUP_ID_NOT_FOUND; 3.x describes a "Dead" group */
    CHECK(r->group_descs[0].err == KFK_ERR_GROUP_ID_NOT_FOUND ||
          (r->group_descs[0].err == 0 && strcmp(r->group_descs[0].state, "Dead") == 0));
    kfk_admin_result_destroy(r);
    r = kfk_admin_group_lag(a, group, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK(r->err == 0 || r->err == KFK_ERR_GROUP_ID_NOT_FOUND);
    CHECK_EQ(r->nlags, 0);
    kfk_admin_result_destroy(r);
    kfk_admin_destroy(a);
}
