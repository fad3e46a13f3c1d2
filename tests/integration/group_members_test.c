/* Consumer groups against the real broker: members share the partitions,
 * hand them over on leave from the committed offsets, regex subscriptions
 * follow new topics, cooperative rebalances keep what does not move, and
 * static members come back to their partitions without a rebalance. */
#include "group_it.h"

static kfk_consumer *member(const char *boot, const char *group, const char *strategy,
                            const char *instance) {
    return cit_consumer(boot, "group.id", group, "auto.offset.reset", "earliest",
                        "enable.auto.commit", "false", "session.timeout.ms", "6000",
                        "heartbeat.interval.ms", "500", "partition.assignment.strategy", strategy,
                        "group.instance.id", instance ? instance : "", "metadata.max.age.ms",
                        "1000", NULL);
}

TEST(three_members_share_then_take_over_from_commits) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[160], group[160];
    REQUIRE_EQ(cit_topic(boot, topic, sizeof topic, "grp3", 12), 0);
    it_topic(group, sizeof group, "g3");
    static git_seen seen;
    git_seen_init(&seen);
    git_member m[3];
    git_member *ms[3] = {&m[0], &m[1], &m[2]};
    for (int i = 0; i < 3; i++) git_start(&m[i], i, member(boot, group, "range", NULL), &seen, topic);
    REQUIRE(git_wait_assigned(ms, 3, 12, 30000));
    for (int i = 0; i < 3; i++) CHECK_EQ(git_assigned(&m[i]), 4);

    REQUIRE_EQ(git_produce(boot, topic, 12, "a", 0, 1200), 0);
    REQUIRE(git_wait_total(&seen, 1200, 30000));
    for (int i = 0; i < 3; i++) CHECK_EQ(git_commit(&m[i]), 0);
    CHECK_EQ(seen.dups, 0);
    for (int i = 0; i < 3; i++) CHECK(atomic_load(&m[i].got) > 0);

    /* Member 0 leaves cleanly; the others get its partitions from the
     * committed offsets: the old messages are not seen again. */
    git_stop(&m[0], 1);
    REQUIRE(git_wait_assigned(ms + 1, 2, 12, 30000));
    CHECK_EQ(git_assigned(&m[1]), 6);
    REQUIRE_EQ(git_produce(boot, topic, 12, "a", 1200, 600), 0);
    REQUIRE(git_wait_total(&seen, 1800, 30000));
    usleep(1500 * 1000); /* time for any duplicate to show up */
    CHECK_EQ(seen.total, 1800);
    CHECK_EQ(seen.dups, 0);
    int by[3] = {0};
    for (int i = 1200; i < 1800; i++) by[seen.who[i]]++;
    CHECK_EQ(by[0], 0);
    CHECK(by[1] > 0 && by[2] > 0);
    git_stop(&m[1], 1);
    git_stop(&m[2], 1);
}

TEST(regex_subscription_picks_up_a_new_topic) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[160], group[160], pattern[200], prefix[64];
    it_topic(group, sizeof group, "grx");
    snprintf(prefix, sizeof prefix, "kfk-it-rx%d-%lld", (int)getpid(), (long long)it_now_ms());
    snprintf(pattern, sizeof pattern, "^%s-.*", prefix);
    kfk_consumer *c = member(boot, group, "range", NULL);
    REQUIRE(c);
    const char *topics[1] = {pattern};
    REQUIRE_EQ(kfk_consumer_subscribe(c, topics, 1), 0);
    kfk_partition_list *sub = kfk_consumer_subscription(c);
    REQUIRE(sub && sub->count == 1);
    CHECK_STR(sub->elems[0].topic, pattern);
    kfk_partition_list_destroy(sub);
    for (int i = 0; i < 10; i++) kfk_consumer_message_release(kfk_consumer_poll(c, 100));

    /* Created after subscribe: found by the periodic full refresh. */
    snprintf(topic, sizeof topic, "%s-late", prefix);
    kfk_core_conf conf;
    it_conf(&conf, boot);
    kfk_core *core = it_core(&conf);
    char err[256] = "";
    REQUIRE_EQ(it_create_topic(core, topic, 2, err, sizeof err), 0);
    kfk_core_destroy(core);
    REQUIRE_EQ(cit_kcat(boot, topic, 1, "none", "r", 0, 5), 0);
    int got = 0;
    int64_t end = it_now_ms() + 30000;
    while (got < 5 && it_now_ms() < end) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 200);
        if (m && !m->err) {
            CHECK_STR(m->topic, topic);
            got++;
        }
        kfk_consumer_message_release(m);
    }
    CHECK_EQ(got, 5);
    kfk_partition_list *a = kfk_consumer_assignment(c);
    CHECK(a && a->count == 2);
    kfk_partition_list_destroy(a);
    CHECK_EQ(kfk_consumer_unsubscribe(c), 0);
    CHECK(kfk_consumer_subscription(c) == NULL);
    kfk_partition_list *after = kfk_consumer_assignment(c);
    CHECK(after && after->count == 0);
    kfk_partition_list_destroy(after);
    kfk_consumer_destroy(c);
}

/* Rebalance callback log for the cooperative test. */
typedef struct coop_log {
    pthread_mutex_t lock;
    int revoked, lost, assigned; /* partitions per kind */
} coop_log;

static void coop_cb(kfk_consumer *c, int kind, const kfk_partition_list *l, void *opaque) {
    coop_log *g = opaque;
    pthread_mutex_lock(&g->lock);
    if (kind == KFK_REBALANCE_ASSIGNED) g->assigned += l->count;
    if (kind == KFK_REBALANCE_REVOKED) g->revoked += l->count;
    if (kind == KFK_REBALANCE_LOST) g->lost += l->count;
    pthread_mutex_unlock(&g->lock);
    if (kind == KFK_REBALANCE_ASSIGNED)
        kfk_consumer_incremental_assign(c, l);
    else
        kfk_consumer_incremental_unassign(c, l);
}

TEST(cooperative_sticky_moves_only_some_partitions) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[160], group[160];
    REQUIRE_EQ(cit_topic(boot, topic, sizeof topic, "gcoop", 6), 0);
    it_topic(group, sizeof group, "gcoop");
    static git_seen seen;
    git_seen_init(&seen);
    static coop_log log0;
    memset(&log0, 0, sizeof log0);
    pthread_mutex_init(&log0.lock, NULL);
    git_member m[2];
    git_member *ms[2] = {&m[0], &m[1]};
    kfk_consumer *c0 = member(boot, group, "cooperative-sticky", NULL);
    REQUIRE(c0);
    CHECK_STR(kfk_consumer_rebalance_protocol(c0), "COOPERATIVE");
    kfk_consumer_set_rebalance_cb(c0, coop_cb, &log0);
    git_start(&m[0], 0, c0, &seen, topic);
    REQUIRE(git_wait_assigned(ms, 1, 6, 30000));
    REQUIRE_EQ(git_produce(boot, topic, 6, "c", 0, 600), 0);
    REQUIRE(git_wait_total(&seen, 600, 30000));

    git_start(&m[1], 1, member(boot, group, "cooperative-sticky", NULL), &seen, topic);
    REQUIRE(git_wait_assigned(ms, 2, 6, 30000));
    CHECK_EQ(git_assigned(&m[0]), 3);
    CHECK_EQ(git_assigned(&m[1]), 3);
    pthread_mutex_lock(&log0.lock);
    CHECK_EQ(log0.assigned, 6);
    CHECK_EQ(log0.revoked, 3); /* only what moved: the kept 3 never left */
    CHECK_EQ(log0.lost, 0);
    pthread_mutex_unlock(&log0.lock);
    /* Kept partitions went on: member 0 still reads new messages. */
    int before = atomic_load(&m[0].got);
    REQUIRE_EQ(git_produce(boot, topic, 6, "c", 600, 600), 0);
    REQUIRE(git_wait_total(&seen, 1200, 30000));
    CHECK(atomic_load(&m[0].got) > before);
    git_stop(&m[0], 1);
    git_stop(&m[1], 1);
}

TEST(static_member_restart_keeps_partitions_without_rebalance) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[160], group[160], inst[2][64];
    REQUIRE_EQ(cit_topic(boot, topic, sizeof topic, "gstatic", 4), 0);
    it_topic(group, sizeof group, "gstatic");
    snprintf(inst[0], sizeof inst[0], "kfk-a-%d", (int)getpid());
    snprintf(inst[1], sizeof inst[1], "kfk-b-%d", (int)getpid());
    static git_seen seen;
    git_seen_init(&seen);
    git_member m[2];
    git_member *ms[2] = {&m[0], &m[1]};
    for (int i = 0; i < 2; i++)
        git_start(&m[i], i, member(boot, group, "range", inst[i]), &seen, topic);
    REQUIRE(git_wait_assigned(ms, 2, 4, 30000));
    kfk_partition_list *before = kfk_consumer_assignment(m[1].c);
    int32_t gen = kfk_consumer_generation(m[0].c);
    CHECK(gen > 0);

    /* Member 1 restarts: close sends no LeaveGroup for a static member. */
    git_stop(&m[1], 1);
    git_start(&m[1], 1, member(boot, group, "range", inst[1]), &seen, topic);
    REQUIRE(git_wait_assigned(ms, 2, 4, 20000));
    kfk_partition_list *after = kfk_consumer_assignment(m[1].c);
    REQUIRE(before && after);
    CHECK_EQ(after->count, before->count);
    for (int i = 0; i < before->count && i < after->count; i++)
        CHECK(kfk_partition_list_find(after, before->elems[i].topic, before->elems[i].partition));
    CHECK_EQ(kfk_consumer_generation(m[0].c), gen); /* no rebalance happened */
    kfk_partition_list_destroy(before);
    kfk_partition_list_destroy(after);
    git_stop(&m[0], 1);
    git_stop(&m[1], 1);
}

TEST(member_that_stops_polling_leaves_and_rejoins) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[160], group[160];
    REQUIRE_EQ(cit_topic(boot, topic, sizeof topic, "gpoll", 4), 0);
    it_topic(group, sizeof group, "gpoll");
    static git_seen seen;
    git_seen_init(&seen);
    git_member m[2];
    git_member *ms[2] = {&m[0], &m[1]};
    kfk_consumer *slow = cit_consumer(boot, "group.id", group, "auto.offset.reset", "earliest",
                                      "enable.auto.commit", "false", "session.timeout.ms", "6000",
                                      "heartbeat.interval.ms", "500", "max.poll.interval.ms",
                                      "3000", NULL);
    REQUIRE(slow);
    git_start(&m[0], 0, slow, &seen, topic);
    git_start(&m[1], 1, member(boot, group, "range", NULL), &seen, topic);
    REQUIRE(git_wait_assigned(ms, 2, 4, 30000));

    /* Member 0 stops polling: past max.poll.interval.ms it leaves the group
     * (its heartbeats alone do not keep it in), and member 1 gets all. */
    git_stop(&m[0], 0);
    int64_t end = it_now_ms() + 20000;
    while (it_now_ms() < end && git_assigned(&m[1]) != 4) usleep(100 * 1000);
    CHECK_EQ(git_assigned(&m[1]), 4);

    /* Polling again rejoins: the partitions are shared again. */
    atomic_store(&m[0].stop, 0);
    pthread_create(&m[0].th, NULL, git_loop, &m[0]);
    CHECK(git_wait_assigned(ms, 2, 4, 30000));
    git_stop(&m[0], 1);
    git_stop(&m[1], 1);
}
