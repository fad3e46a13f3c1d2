/* Killing a partition leader of a 3-node cluster mid-consumption: the
 * consumer refreshes metadata, follows the new leader and goes on, every
 * message exactly once and in order. Needs KFK_BOOTSTRAP_3NODES and
 * KFK_CLUSTER_CTL (e.g. "scripts/kafka-local" with KFK_BROKER_PORT set). */
#include "consume_it.h"
#include "failover_it.h"

enum { PARTS = 2, PER_PART = 3000 };

static int32_t leader_of(kfk_core *c, const char *topic, int32_t partition) {
    kfk_metadata *md = kfk_core_metadata(c);
    const kfk_md_topic *t = kfk_metadata_topic(md, topic);
    const kfk_md_partition *p = t ? kfk_metadata_partition(t, partition) : NULL;
    int32_t leader = p ? p->leader : -1;
    kfk_metadata_unref(md);
    return leader;
}

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
            killed = leader_of(core, topic, 0);
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
    kfk_consumer_destroy(c);
    kfk_core_destroy(core);
    if (killed > 0) CHECK_EQ(fit_ctl(ctl_cmd, "start", killed), 0);
}
