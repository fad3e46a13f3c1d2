/* Killing a consumer group's coordinator on a 3-node cluster while two
 * members consume, with the classic group protocol and with KIP-848's:
 * they find the new coordinator, keep their generation (member epoch) or
 * rejoin, and read everything (at-least-once: nothing lost). Needs
 * KFK_BOOTSTRAP_3NODES and KFK_CLUSTER_CTL (as consume_failover_test.c). */
#include "../integration/group_it.h"
#include "failover_it.h"

enum { PARTS = 4, PER_PART = 500 };

/* session.timeout.ms, heartbeat.interval.ms and the assignor are the
 * classic protocol's; with KIP-848 the broker sets them. */
static kfk_consumer *member(const char *boot, const char *group, const char *protocol) {
    return cit_consumer(boot, "group.id", group, "group.protocol", protocol,
                        "auto.offset.reset", "earliest",
                        "session.timeout.ms", "10000", "heartbeat.interval.ms", "500",
                        "auto.commit.interval.ms", "300", "max.partition.fetch.bytes", "2000",
                        "fetch.queue.max.bytes", "4000", "request.timeout.ms", "5000",
                        "retry.backoff.max.ms", "500", "partition.assignment.strategy", "range",
                        NULL);
}

static void coordinator_killed_mid_consumption(const char *protocol) {
    const char *boot = fit_env("KFK_BOOTSTRAP_3NODES");
    const char *ctl_cmd = fit_env("KFK_CLUSTER_CTL");
    REQUIRE(boot && ctl_cmd);
    kfk_core_conf conf;
    it_conf(&conf, boot);
    kfk_core *core = it_core(&conf);
    REQUIRE(core);
    char topic[128], group[128];
    it_topic(topic, sizeof topic, "gfail");
    it_topic(group, sizeof group, "gfail");
    REQUIRE(fit_create_rf3(core, topic, PARTS) == 0);
    REQUIRE_EQ(git_produce(boot, topic, PARTS, "f", 0, PARTS * PER_PART), 0);

    static git_seen seen;
    git_seen_init(&seen);
    git_member m[2];
    git_member *ms[2] = {&m[0], &m[1]};
    for (int i = 0; i < 2; i++) git_start(&m[i], i, member(boot, group, protocol), &seen, topic);
    REQUIRE(git_wait_assigned(ms, 2, PARTS, 60000));
    REQUIRE(git_wait_total(&seen, PARTS * PER_PART / 4, 60000));
    int32_t node = fit_coordinator(core, group);
    REQUIRE(node > 0);
    REQUIRE_EQ(fit_ctl(ctl_cmd, "kill", node), 0);
    int done = git_wait_total(&seen, PARTS * PER_PART, 120000);
    CHECK(done);
    /* A killed broker is fenced only after broker.session.timeout.ms: wait
     * for the coordinator to move, then the members (still in the group,
     * with their generation) commit through the new one. */
    int32_t now_node = node;
    for (int64_t end = it_now_ms() + 60000; now_node == node && it_now_ms() < end;) {
        usleep(500 * 1000);
        now_node = fit_coordinator(core, group);
    }
    CHECK(now_node != node);
    for (int i = 0; i < 2; i++) CHECK_EQ(git_commit(&m[i]), 0);
    fprintf(stderr, "%s: coordinator %d killed; %d messages, %d duplicates\n", protocol, (int)node,
            seen.total, seen.dups);
    git_stop(&m[0], 1);
    git_stop(&m[1], 1);
    kfk_core_destroy(core);
    CHECK_EQ(fit_ctl(ctl_cmd, "start", node), 0);
}

TEST(classic_coordinator_killed_mid_consumption) { coordinator_killed_mid_consumption("classic"); }

TEST(consumer_protocol_coordinator_killed_mid_consumption) {
    coordinator_killed_mid_consumption("consumer");
}
