/* Killing a partition leader of a 3-node cluster mid-consumption: the
 * consumer refreshes metadata, validates its position with the new leader
 * (KIP-320: no truncation, the leader was in sync) and goes on, every
 * message exactly once and in order. And an unclean leader election that
 * truncates the log below the consumer's position: the consumer finds it
 * (OffsetForLeaderEpoch) and goes back to where the logs diverged. Needs KFK_BOOTSTRAP_3NODES and
 * KFK_CLUSTER_CTL (e.g. "scripts/kafka-local" with KFK_BROKER_PORT set). */
#include "consume_it.h"
#include "consumer/consumer_int.h"
#include "failover_it.h"

enum { PARTS = 2, PER_PART = 3000 };

TEST(leader_killed_mid_consumption) {
    const char *boot = fit_env("KFK_BOOTSTRAP_3NODES");
    const char *ctl_cmd = fit_env("KFK_CLUSTER_CTL");
    REQUIRE(boot && ctl_cmd);
    kfk_core_conf conf;
    it_conf(&conf, boot);
    kfk_core *core = it_core(&conf);
    REQUIRE(core);
    char topic[128];
    it_topic(topic, sizeof topic, "failover");
    REQUIRE(fit_create_rf3(core, topic, PARTS) == 0);
    for (int p = 0; p < PARTS; p++)
        REQUIRE(cit_kcat(boot, topic, p, "lz4", "f", 0, PER_PART) == 0);

    /* Small fetches, so consumption spans the kill. */
    kfk_consumer *c = cit_consumer(boot, "max.partition.fetch.bytes", "2000",
                                   "fetch.queue.max.bytes", "4000", "request.timeout.ms", "5000",
                                   "retry.backoff.max.ms", "500", NULL);
    REQUIRE(c);
    REQUIRE(cit_assign(c, topic, PARTS, KFK_OFFSET_BEGINNING) == 0);
    int next[PARTS] = {0}, total = 0, killed = -1, bad = 0;
    int64_t until = it_now_ms() + 120000;
    while (total < PARTS * PER_PART && it_now_ms() < until) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 200);
        if (!m) continue;
        if (!m->err) {
            int p = m->partition;
            if (m->offset != next[p] || !cit_is(m, "f", next[p])) bad++;
            next[p] = (int)m->offset + 1;
            total++;
        }
        kfk_consumer_message_release(m);
        if (killed < 0 && total == PER_PART / 2) {
            killed = fit_leader_of(core, topic, 0);
            REQUIRE(killed > 0);
            CHECK_EQ(fit_ctl(ctl_cmd, "kill", killed), 0);
        }
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(total, PARTS * PER_PART);
    for (int p = 0; p < PARTS; p++) CHECK_EQ(next[p], PER_PART);
    CHECK(killed > 0);
    kfk_consumer_stats st;
    kfk_consumer_stats_get(c, &st);
    CHECK_EQ(st.offset_resets, 0);
    CHECK_EQ(st.truncations, 0);
    kfk_epoch_stats es;
    kfk_consumer_epoch_stats(c, &es);
    CHECK(es.validations > 0);
    kfk_consumer_destroy(c);
    kfk_core_destroy(core);
    if (killed > 0) CHECK_EQ(fit_ctl(ctl_cmd, "start", killed), 0);
}

/* The partition's leader, leader epoch and ISR size in metadata fetched
 * now. */
static void part_state(kfk_core *c, const char *topic, int32_t *leader, int32_t *epoch,
                       int *nisr) {
    const char *topics[1] = {topic};
    kfk_core_metadata_refresh(c, topics, 1);
    usleep(300 * 1000);
    kfk_metadata *md = kfk_core_metadata(c);
    const kfk_md_topic *t = kfk_metadata_topic(md, topic);
    const kfk_md_partition *p = t ? kfk_metadata_partition(t, 0) : NULL;
    *leader = p ? p->leader : -1;
    *epoch = p ? p->leader_epoch : -1;
    *nisr = p ? p->nisr : 0;
    kfk_metadata_unref(md);
}

/* Replicas {a, b}, a preferred; unclean elections allowed, min ISR 1. */
static int create_unclean(kfk_core *c, const char *name, int32_t a, int32_t b) {
    int32_t ids[2] = {a, b};
    kfk_create_topics_request_creatable_replica_assignment as = {.partition_index = 0};
    as.broker_ids.items = ids;
    as.broker_ids.count = 2;
    kfk_create_topics_request_creatable_topic_config cfg[2] = {
        {{"unclean.leader.election.enable", 30}, {"true", 4}},
        {{"min.insync.replicas", 19}, {"1", 1}}};
    kfk_create_topics_request_creatable_topic t = {.name = {name, (int32_t)strlen(name)},
                                                   .num_partitions = -1,
                                                   .replication_factor = -1};
    t.assignments.items = &as;
    t.assignments.count = 1;
    t.configs.items = cfg;
    t.configs.count = 2;
    return fit_create(c, &t);
}

TEST(unclean_election_truncates_below_the_position) {
    const char *boot = fit_env("KFK_BOOTSTRAP_3NODES");
    const char *ctl_cmd = fit_env("KFK_CLUSTER_CTL");
    REQUIRE(boot && ctl_cmd);
    kfk_core_conf conf;
    it_conf(&conf, boot);
    kfk_core *core = it_core(&conf);
    REQUIRE(core);
    char topic[128];
    it_topic(topic, sizeof topic, "unclean");
    REQUIRE(create_unclean(core, topic, 1, 2) == 0);
    int32_t a, epoch0, b, epoch;
    int nisr;
    part_state(core, topic, &a, &epoch0, &nisr);
    REQUIRE(a == 1 || a == 2);
    b = a == 1 ? 2 : 1;

    /* 0..9 on both replicas, then b goes and 10..19 are on a alone. */
    REQUIRE(cit_kcat(boot, topic, 0, "none", "old", 0, 10) == 0);
    REQUIRE_EQ(fit_ctl(ctl_cmd, "kill", b), 0);
    int64_t until = it_now_ms() + 60000;
    do part_state(core, topic, &a, &epoch, &nisr);
    while (nisr != 1 && it_now_ms() < until);
    REQUIRE_EQ(nisr, 1);
    REQUIRE(cit_kcat(boot, topic, 0, "none", "old", 10, 10) == 0);

    kfk_consumer *c = cit_consumer(boot, "auto.offset.reset", "earliest", "request.timeout.ms",
                                   "5000", "retry.backoff.max.ms", "500", NULL);
    REQUIRE(c);
    REQUIRE(cit_assign(c, topic, 1, KFK_OFFSET_BEGINNING) == 0);
    kfk_consumer_message *msgs[20];
    int got = cit_drain(c, msgs, 20, 30000);
    CHECK_EQ(got, 20);
    cit_release_all(msgs, got);

    /* a goes, b comes back out of sync and is elected uncleanly: its log
     * ends at 10 and goes on with new records. */
    REQUIRE_EQ(fit_ctl(ctl_cmd, "kill", a), 0);
    REQUIRE_EQ(fit_ctl(ctl_cmd, "start", b), 0);
    int32_t leader;
    until = it_now_ms() + 90000;
    do part_state(core, topic, &leader, &epoch, &nisr);
    while (leader != b && it_now_ms() < until);
    CHECK_EQ(leader, b);
    CHECK(epoch > epoch0);
    CHECK(cit_kcat(boot, topic, 0, "none", "new", 10, 5) == 0);

    /* The consumer, at 20, validates with b and goes back to 10. */
    got = cit_drain(c, msgs, 5, 60000);
    CHECK_EQ(got, 5);
    for (int i = 0; i < got; i++) {
        CHECK(msgs[i]->offset == 10 + i && cit_is(msgs[i], "new", 10 + i));
        CHECK_EQ(msgs[i]->leader_epoch, epoch);
    }
    cit_release_all(msgs, got);
    kfk_consumer_stats st;
    kfk_consumer_stats_get(c, &st);
    CHECK_EQ(st.truncations, 1);
    kfk_consumer_destroy(c);
    kfk_core_destroy(core);
    CHECK_EQ(fit_ctl(ctl_cmd, "start", a), 0);
}
