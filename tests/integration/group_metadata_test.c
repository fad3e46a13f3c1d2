/* kfk_consumer_group_metadata against live groups: with the classic
 * protocol the generation and member ids the members report are the ones
 * the coordinator lists (DescribeGroups, through kfk's admin client); with
 * the consumer protocol (Kafka 4 only) the member id and member epoch are
 * those ConsumerGroupDescribe gives. A static member carries its
 * group.instance.id. */
#include "admin_it.h"
#include "consume_it.h"

static int kafka4(void) {
    const char *v = getenv("KFK_BROKER_VERSION");
    return !v || !*v || v[0] != '3';
}

static kfk_consumer *member(const char *boot, const char *group, const char *protocol,
                            const char *instance) {
    if (instance)
        return cit_consumer(boot, "group.id", group, "group.protocol", protocol,
                            "group.instance.id", instance, "enable.auto.commit", "false", NULL);
    return cit_consumer(boot, "group.id", group, "group.protocol", protocol,
                        "enable.auto.commit", "false", NULL);
}

/* Polls both members until each holds some of the topic's n partitions
 * and their metadata agree on one generation >= 1 (a rebalance may still
 * be going on when the first assignment shows). 1 when they did. */
static int settle(kfk_consumer **c, int n, int partitions, int ms) {
    int64_t end = it_now_ms() + ms;
    while (it_now_ms() < end) {
        int sum = 0, gen = -2, same = 1;
        for (int i = 0; i < n; i++) {
            kfk_consumer_message_release(kfk_consumer_poll(c[i], 50));
            kfk_partition_list *l = kfk_consumer_assignment(c[i]);
            sum += l && l->count > 0 ? l->count : -1000;
            kfk_partition_list_destroy(l);
            int32_t g = kfk_consumer_generation(c[i]);
            same &= gen == -2 || g == gen;
            gen = g;
        }
        if (sum == partitions && same && gen >= 1) return 1;
    }
    return 0;
}

TEST(classic_members_match_describe_groups) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128], group[160];
    REQUIRE_EQ(cit_topic(boot, topic, sizeof topic, "gmeta", 4), 0);
    snprintf(group, sizeof group, "%s-g", topic);
    kfk_consumer *c[2] = {member(boot, group, "classic", NULL),
                          member(boot, group, "classic", "gmeta-static")};
    REQUIRE(c[0] && c[1]);
    const char *topics[1] = {topic};
    REQUIRE_EQ(kfk_consumer_subscribe(c[0], topics, 1), 0);
    REQUIRE_EQ(kfk_consumer_subscribe(c[1], topics, 1), 0);
    REQUIRE(settle(c, 2, 4, 60000));

    kfk_group_metadata *gm[2] = {kfk_consumer_group_metadata(c[0]),
                                 kfk_consumer_group_metadata(c[1])};
    REQUIRE(gm[0] && gm[1]);
    for (int i = 0; i < 2; i++) {
        CHECK_STR(kfk_group_metadata_group_id(gm[i]), group);
        CHECK(kfk_group_metadata_generation_id(gm[i]) >= 1);
        CHECK_EQ(kfk_group_metadata_generation_id(gm[i]), kfk_consumer_generation(c[i]));
        CHECK(kfk_group_metadata_member_id(gm[i])[0] != 0);
    }
    CHECK(kfk_group_metadata_group_instance_id(gm[0]) == NULL);
    CHECK_STR(kfk_group_metadata_group_instance_id(gm[1]), "gmeta-static");

    kfk_admin *a = admin_new_on(boot);
    REQUIRE(a);
    const char *groups[1] = {group};
    kfk_admin_result *r = kfk_admin_describe_groups(a, groups, 1, NULL, NULL, NULL);
    REQUIRE(r);
    REQUIRE_EQ(r->err, 0);
    const kfk_group_desc *d = &r->group_descs[0];
    CHECK_STR(d->state, "Stable");
    REQUIRE_EQ(d->nmembers, 2);
    int found = 0;
    for (int m = 0; m < d->nmembers; m++)
        for (int i = 0; i < 2; i++) {
            if (strcmp(d->members[m].member_id, kfk_group_metadata_member_id(gm[i])) != 0) continue;
            found++;
            const char *want = kfk_group_metadata_group_instance_id(gm[i]);
            CHECK_EQ(d->members[m].instance_id == NULL, want == NULL);
            if (want) CHECK_STR(d->members[m].instance_id, want);
        }
    CHECK_EQ(found, 2);
    kfk_admin_result_destroy(r);
    kfk_admin_destroy(a);
    for (int i = 0; i < 2; i++) {
        kfk_group_metadata_destroy(gm[i]);
        kfk_consumer_close(c[i]);
    }
}

/* The member's id and epoch as the coordinator has them. */
typedef struct described {
    const char *member_id;
    int32_t epoch; /* -1: not listed */
    char instance[64];
} described;

static int on_describe(void *opaque, kfk_response *resp) {
    described *want = opaque;
    kfk_arena a = {0};
    kfk_consumer_group_describe_response m;
    int rc = kfk_consumer_group_describe_response_decode(&resp->body, resp->version, &a, &m);
    if (!rc) rc = m.groups.count == 1 ? m.groups.items[0].error_code : KFK_ERR_MALFORMED;
    want->epoch = -1;
    for (int32_t i = 0; !rc && i < m.groups.items[0].members.count; i++) {
        const kfk_consumer_group_describe_response_member *mm = &m.groups.items[0].members.items[i];
        if (mm->member_id.len != (int32_t)strlen(want->member_id) ||
            memcmp(mm->member_id.ptr, want->member_id, (size_t)mm->member_id.len) != 0)
            continue;
        want->epoch = mm->member_epoch;
        snprintf(want->instance, sizeof want->instance, "%.*s",
                 mm->instance_id.len > 0 ? (int)mm->instance_id.len : 0,
                 mm->instance_id.len > 0 ? mm->instance_id.ptr : "");
    }
    kfk_arena_reset(&a);
    return rc;
}

static int on_find(void *opaque, kfk_response *resp) {
    kfk_arena a = {0};
    kfk_find_coordinator_response m;
    int rc = kfk_find_coordinator_response_decode(&resp->body, resp->version, &a, &m);
    if (!rc) rc = m.coordinators.count == 1 ? m.coordinators.items[0].error_code : KFK_ERR_MALFORMED;
    if (!rc) *(int32_t *)opaque = m.coordinators.items[0].node_id;
    kfk_arena_reset(&a);
    return rc;
}

static int describe_member(kfk_core *core, const char *group, described *d) {
    kfk_str key = {group, (int32_t)strlen(group)};
    kfk_find_coordinator_request f;
    kfk_find_coordinator_request_init(&f);
    f.coordinator_keys.items = &key;
    f.coordinator_keys.count = 1;
    kfk_core_req fr = {.dest = KFK_DEST_ANY};
    fr.req = (kfk_request){.api_key = KFK_API_FIND_COORDINATOR, .min_version = 4,
                           .max_version = -1, .msg = &f};
    int32_t node = -1;
    char err[256];
    int rc = kfk_core_send_wait(core, &fr, on_find, &node, err, sizeof err);
    if (rc) return rc;
    kfk_consumer_group_describe_request m;
    kfk_consumer_group_describe_request_init(&m);
    m.group_ids.items = &key;
    m.group_ids.count = 1;
    kfk_core_req r = {.dest = KFK_DEST_NODE, .node_id = node};
    r.req = (kfk_request){.api_key = KFK_API_CONSUMER_GROUP_DESCRIBE, .min_version = 0,
                          .max_version = -1, .msg = &m};
    return kfk_core_send_wait(core, &r, on_describe, d, err, sizeof err);
}

TEST(consumer_protocol_member_epoch) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    if (!kafka4()) {
        /* Kafka 3.9 has no consumer protocol by default: the classic case
         * above is this broker's test; here only that nothing pretends to
         * be a member. */
        kfk_consumer *c = member(boot, "gmeta-unused", "consumer", NULL);
        REQUIRE(c);
        kfk_group_metadata *gm = kfk_consumer_group_metadata(c);
        REQUIRE(gm);
        CHECK_EQ(kfk_group_metadata_generation_id(gm), -1);
        kfk_group_metadata_destroy(gm);
        kfk_consumer_destroy(c);
        return;
    }
    char topic[128], group[160];
    REQUIRE_EQ(cit_topic(boot, topic, sizeof topic, "gmeta848", 4), 0);
    snprintf(group, sizeof group, "%s-g", topic);
    kfk_consumer *c[2] = {member(boot, group, "consumer", NULL),
                          member(boot, group, "consumer", "gmeta-static")};
    REQUIRE(c[0] && c[1]);
    const char *topics[1] = {topic};
    REQUIRE_EQ(kfk_consumer_subscribe(c[0], topics, 1), 0);
    REQUIRE_EQ(kfk_consumer_subscribe(c[1], topics, 1), 0);

    kfk_core_conf conf;
    it_conf(&conf, boot);
    kfk_core *core = it_core(&conf);
    REQUIRE(core);
    char err[256];
    REQUIRE_EQ(kfk_core_metadata_wait(core, topics, 1, 15000, NULL, err, sizeof err), 0);
    /* Member epochs move with each reconciliation: wait until each member's
     * metadata and the coordinator agree. */
    int agreed[2] = {0, 0};
    int64_t end = it_now_ms() + 60000;
    while ((!agreed[0] || !agreed[1]) && it_now_ms() < end) {
        for (int i = 0; i < 2; i++) {
            kfk_consumer_message_release(kfk_consumer_poll(c[i], 50));
            kfk_group_metadata *gm = kfk_consumer_group_metadata(c[i]);
            REQUIRE(gm);
            described d = {kfk_group_metadata_member_id(gm), -1, ""};
            int32_t gen = kfk_group_metadata_generation_id(gm);
            const char *inst = kfk_group_metadata_group_instance_id(gm);
            if (gen >= 1 && d.member_id[0] && describe_member(core, group, &d) == 0 &&
                d.epoch == gen && strcmp(d.instance, inst ? inst : "") == 0 &&
                strcmp(kfk_group_metadata_group_id(gm), group) == 0)
                agreed[i] = 1;
            kfk_group_metadata_destroy(gm);
        }
    }
    CHECK(agreed[0]);
    CHECK(agreed[1]);
    kfk_core_destroy(core);
    for (int i = 0; i < 2; i++) {
        kfk_consumer_close(c[i]);
    }
}
