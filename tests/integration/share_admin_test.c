/* Share-group administration against the real broker, through the library
 * and `kfk share-group` (the binary in the build directory, where ctest
 * runs). On 4.x: a member reads a topic; listing shows its group,
 * describing shows the member and its partitions, and the group's start
 * offset is past what it read; altering offsets while it is a member fails
 * with NON_EMPTY_GROUP; once it closed, `reset --to-earliest` plans without
 * committing, then with --execute a new member reads every record again;
 * the start offsets can be deleted, and `share-group delete` removes the
 * group. On 3.9, which has no share groups, UNSUPPORTED_VERSION from the
 * describe and offset calls and `kfk share-group describe`. */
#include "share_it.h"

#define N 10

/* Polls c until it has read n records (accepting each), or for wait_ms;
 * how many it read. */
static int read_all(kfk_share_consumer *c, int n, int wait_ms) {
    int got = 0;
    for (int64_t end = it_now_ms() + wait_ms; got < n && it_now_ms() < end;) {
        kfk_consumer_message *m = kfk_share_consumer_poll(c, 200);
        if (m && !m->err && sit_index(m) >= 0) got++;
        else if (m && m->err) kfk_test_fail(__FILE__, __LINE__, "poll: %s", kfk_err_name(m->err));
        kfk_consumer_message_release(m);
    }
    kfk_partition_list *res = NULL;
    CHECK_EQ(kfk_share_consumer_commit_sync(c, &res, 0), 0);
    CHECK(!got || (res && res->count >= 1));
    kfk_partition_list_destroy(res);
    return got;
}

static int listed(kfk_admin *a, const char *group) {
    kfk_admin_result *r = kfk_admin_list_share_groups(a, NULL, NULL, NULL);
    int found = 0;
    CHECK(r && r->err == 0);
    for (int i = 0; r && i < r->ngroups; i++) {
        CHECK_STR(r->groups[i].type, "share");
        if (!strcmp(r->groups[i].group_id, group)) found = 1;
    }
    kfk_admin_result_destroy(r);
    return found;
}

/* The group's start offset of topic's partition 0 (-2: none or an error). */
static int64_t start_offset(kfk_admin *a, const char *group, const char *topic) {
    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, topic, 0);
    kfk_admin_result *r = kfk_admin_list_share_group_offsets(a, group, l, NULL, NULL, NULL);
    kfk_partition_list_destroy(l);
    int64_t off = -2;
    CHECK(r && r->err == 0 && r->partitions && r->partitions->count == 1);
    if (r && !r->err && r->partitions && r->partitions->count == 1 && !r->partitions->elems[0].err)
        off = r->partitions->elems[0].offset;
    kfk_admin_result_destroy(r);
    return off;
}

static int run_kfk(char *out, size_t cap, const char *boot, const char *args) {
    return admin_sh(out, cap, "./kfk share-group %s -b %s 2>&1", args, boot);
}

static void describe_while_reading(kfk_admin *a, const char *boot, const char *group,
                                   const char *topic) {
    CHECK(listed(a, group));
    kfk_admin_result *r = kfk_admin_describe_share_groups(a, &group, 1, NULL, NULL, NULL);
    REQUIRE(r && r->err == 0 && r->nshare_descs == 1);
    const kfk_share_group_desc *d = &r->share_descs[0];
    CHECK_STR(d->state, "Stable");
    CHECK(d->group_epoch > 0 && d->assignment_epoch > 0);
    CHECK(d->coordinator >= 0);
    REQUIRE_EQ(d->nmembers, 1);
    CHECK(d->members[0].member_epoch > 0);
    REQUIRE_EQ(d->members[0].nassignment, 2);
    for (int i = 0; i < 2; i++) CHECK_STR(d->members[0].assignment[i].topic, topic);
    char member[128];
    snprintf(member, sizeof member, "%s", d->members[0].member_id);
    kfk_admin_result_destroy(r);
    /* the broker stores the new start offset with its next state write,
     * so it may still say an earlier one (0, or where the acknowledgements
     * sent with the last ShareFetch ended, before commit_sync's) */
    int64_t start = start_offset(a, group, topic);
    CHECK(start >= 0 && start <= N);

    static char out[16384];
    char args[512];
    CHECK_EQ(run_kfk(out, sizeof out, boot, "list --json"), 0);
    CHECK(strstr(out, group) != NULL);
    snprintf(args, sizeof args, "describe %s", group);
    CHECK_EQ(run_kfk(out, sizeof out, boot, args), 0);
    CHECK(strstr(out, member) != NULL && strstr(out, "START-OFFSET") != NULL);
    snprintf(args, sizeof args, "describe %s --json", group);
    CHECK_EQ(run_kfk(out, sizeof out, boot, args), 0);
    CHECK(strstr(out, "\"start_offset\"") && strstr(out, "\"consumer_id\""));

    /* a member is reading: the start offsets stay */
    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, topic, 0)->offset = 0;
    r = kfk_admin_alter_share_group_offsets(a, group, l, NULL, NULL, NULL);
    kfk_partition_list_destroy(l);
    CHECK(r && r->err == KFK_ERR_NON_EMPTY_GROUP);
    kfk_admin_result_destroy(r);
}

static void reset_and_delete(kfk_admin *a, const char *boot, const char *group,
                             const char *topic) {
    static char out[16384];
    char args[512];
    snprintf(args, sizeof args, "reset %s --topic %s --to-earliest", group, topic);
    CHECK_EQ(run_kfk(out, sizeof out, boot, args), 0);
    CHECK(strstr(out, "NEW-OFFSET") && strstr(out, "Dry run"));
    /* the plan alone commits nothing: every record stays accepted */
    const char *topics[1] = {topic};
    kfk_share_consumer *c = sit_consumer(boot, group, NULL);
    REQUIRE(c);
    REQUIRE_EQ(kfk_share_consumer_subscribe(c, topics, 1), 0);
    CHECK_EQ(read_all(c, N, 4000), 0);
    CHECK_EQ(kfk_share_consumer_close(c), 0);

    snprintf(args, sizeof args, "reset %s --topic %s --to-earliest --execute", group, topic);
    CHECK_EQ(run_kfk(out, sizeof out, boot, args), 0);
    CHECK_EQ(start_offset(a, group, topic), 0);
    c = sit_consumer(boot, group, NULL);
    REQUIRE(c);
    REQUIRE_EQ(kfk_share_consumer_subscribe(c, topics, 1), 0);
    CHECK_EQ(read_all(c, N, 30000), N);
    CHECK_EQ(kfk_share_consumer_close(c), 0);

    /* the library's alter, then a JSON plan */
    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, topic, 0)->offset = 7;
    kfk_admin_result *r = kfk_admin_alter_share_group_offsets(a, group, l, NULL, NULL, NULL);
    kfk_partition_list_destroy(l);
    CHECK(r && r->err == 0 && r->partitions && r->partitions->count == 1 &&
          r->partitions->elems[0].err == 0);
    kfk_admin_result_destroy(r);
    CHECK_EQ(start_offset(a, group, topic), 7);
    snprintf(args, sizeof args, "reset %s --topic %s:0 --to-offset 3 --json", group, topic);
    CHECK_EQ(run_kfk(out, sizeof out, boot, args), 0);
    CHECK(strstr(out, "\"new_offset\": 3") || strstr(out, "\"new_offset\":3"));
    CHECK_EQ(start_offset(a, group, topic), 7);

    r = kfk_admin_delete_share_group_offsets(a, group, topics, 1, NULL, NULL, NULL);
    CHECK(r && r->err == 0 && r->nitems == 1 && r->items[0].err == 0);
    kfk_admin_result_destroy(r);
    CHECK_EQ(start_offset(a, group, topic), KFK_OFFSET_INVALID);

    snprintf(args, sizeof args, "delete %s", group);
    CHECK_EQ(run_kfk(out, sizeof out, boot, args), 0);
    CHECK(!listed(a, group));
    r = kfk_admin_describe_share_groups(a, &group, 1, NULL, NULL, NULL);
    CHECK(r && r->nshare_descs == 1 && r->share_descs[0].err == KFK_ERR_GROUP_ID_NOT_FOUND);
    kfk_admin_result_destroy(r);
}

static void share_group_lifecycle(const char *boot) {
    char topic[128], group[160];
    REQUIRE_EQ(cit_topic(boot, topic, sizeof topic, "share-adm", 2), 0);
    snprintf(group, sizeof group, "%s-g", topic);
    REQUIRE_EQ(sit_group_config(boot, group, "share.auto.offset.reset", "earliest"), 0);
    REQUIRE_EQ(cit_kcat(boot, topic, 0, "none", "a", 0, N), 0);
    kfk_admin *a = admin_new_on(boot);
    REQUIRE(a);
    kfk_share_consumer *c = sit_consumer(boot, group, NULL);
    REQUIRE(c);
    const char *topics[1] = {topic};
    REQUIRE_EQ(kfk_share_consumer_subscribe(c, topics, 1), 0);
    CHECK_EQ(read_all(c, N, 30000), N);
    describe_while_reading(a, boot, group, topic);
    CHECK_EQ(kfk_share_consumer_close(c), 0);
    reset_and_delete(a, boot, group, topic);
    kfk_admin_destroy(a);
}

static void unsupported(const char *boot) {
    kfk_admin *a = admin_new_on(boot);
    REQUIRE(a);
    const char *group = "no-share-groups-here";
    kfk_admin_result *r = kfk_admin_describe_share_groups(a, &group, 1, NULL, NULL, NULL);
    CHECK(r && r->err == KFK_ERR_UNSUPPORTED_VERSION);
    kfk_admin_result_destroy(r);
    r = kfk_admin_list_share_group_offsets(a, group, NULL, NULL, NULL, NULL);
    CHECK(r && r->err == KFK_ERR_UNSUPPORTED_VERSION);
    kfk_admin_result_destroy(r);
    const char *topics[1] = {"t"};
    r = kfk_admin_delete_share_group_offsets(a, group, topics, 1, NULL, NULL, NULL);
    CHECK(r && r->err == KFK_ERR_UNSUPPORTED_VERSION);
    kfk_admin_result_destroy(r);
    /* ListGroups itself is there: it lists no share group */
    r = kfk_admin_list_share_groups(a, NULL, NULL, NULL);
    CHECK(r && r->err == 0 && r->ngroups == 0);
    kfk_admin_result_destroy(r);
    kfk_admin_destroy(a);
    static char out[4096];
    CHECK_EQ(run_kfk(out, sizeof out, boot, "describe no-share-groups-here"), 1);
    CHECK(strstr(out, "UNSUPPORTED_VERSION") != NULL);
}

TEST(share_admin) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    if (sit_share_groups()) share_group_lifecycle(boot);
    else unsupported(boot);
}
