/* group.protocol=consumer (KIP-848) against the real broker. On Kafka 4:
 * two kfk members share a topic's partitions as the broker assigns them,
 * every message reaches exactly one of them, commits carry the member
 * epoch, and when one leaves the other takes over from its commits. On
 * Kafka 3.9, whose broker has the protocol off by default, the member
 * stops with a clear error instead of hanging. */
#include "group_it.h"

static kfk_consumer *member(const char *boot, const char *group) {
    return cit_consumer(boot, "group.id", group, "group.protocol", "consumer",
                        "auto.offset.reset", "earliest", "enable.auto.commit", "false", NULL);
}

static int kafka4(void) {
    const char *v = getenv("KFK_KAFKA_VERSION_RUNNING");
    return !v || !*v || v[0] != '3'; /* kafka-local's default is 4.1.1 */
}

static void members_share_partitions_and_take_over_after_a_leave(const char *boot) {
    char topic[128], group[160];
    REQUIRE_EQ(cit_topic(boot, topic, sizeof topic, "kip848", 6), 0);
    snprintf(group, sizeof group, "%s-g", topic);
    git_seen seen;
    git_seen_init(&seen);
    git_member m1, m2;
    git_start(&m1, 1, member(boot, group), &seen, topic);
    git_start(&m2, 2, member(boot, group), &seen, topic);
    git_member *both[2] = {&m1, &m2};
    REQUIRE(git_wait_assigned(both, 2, 6, 60000));
    CHECK(kfk_consumer_generation(m1.c) > 0);

    REQUIRE_EQ(git_produce(boot, topic, 6, "a", 0, 600), 0);
    CHECK(git_wait_total(&seen, 600, 60000));
    CHECK_EQ(seen.dups, 0);
    CHECK(atomic_load(&m1.got) > 0);
    CHECK(atomic_load(&m2.got) > 0);
    /* OffsetCommit v9 with the member epoch. */
    CHECK_EQ(git_commit(&m1), 0);
    CHECK_EQ(git_commit(&m2), 0);

    /* m2 leaves (epoch -1): m1 gets all six and resumes at m2's commits. */
    git_stop(&m2, 1);
    git_member *one[1] = {&m1};
    CHECK(git_wait_assigned(one, 1, 6, 60000));
    REQUIRE_EQ(git_produce(boot, topic, 6, "a", 600, 300), 0);
    CHECK(git_wait_total(&seen, 900, 60000));
    CHECK_EQ(seen.dups, 0);
    kfk_consumer_stats st;
    kfk_consumer_stats_get(m1.c, &st);
    CHECK(st.rebalances >= 2);
    git_stop(&m1, 1);
}

static void a_broker_without_the_protocol_gives_a_clear_error(const char *boot) {
    char topic[128], group[160];
    REQUIRE_EQ(cit_topic(boot, topic, sizeof topic, "kip848-off", 1), 0);
    snprintf(group, sizeof group, "%s-g", topic);
    kfk_consumer *c = member(boot, group);
    REQUIRE(c);
    const char *topics[1] = {topic};
    REQUIRE_EQ(kfk_consumer_subscribe(c, topics, 1), 0);
    int err = 0;
    for (int64_t end = it_now_ms() + 30000; !err && it_now_ms() < end;) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 200);
        if (m && m->err) err = m->err;
        kfk_consumer_message_release(m);
    }
    CHECK_EQ(err, KFK_ERR_UNSUPPORTED_VERSION);
    kfk_consumer_destroy(c);
}

/* Which of the two depends on the broker the suite runs against. */
TEST(consumer_protocol) {
    const char *boot = it_bootstrap();
    if (kafka4())
        members_share_partitions_and_take_over_after_a_leave(boot);
    else
        a_broker_without_the_protocol_gives_a_clear_error(boot);
}
