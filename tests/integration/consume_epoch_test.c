/* Leader epochs against the broker (KIP-320): messages carry their batch's
 * leader epoch, positions and commits carry it (read back by a second
 * consumer with OffsetFetch), a committed offset is validated with
 * OffsetForLeaderEpoch before fetching, and a committed offset past the end
 * of its epoch in the log (as after an unclean leader election) is found:
 * the consumer goes back to that end, or reports KFK_ERR_LOG_TRUNCATION
 * when auto.offset.reset is none. */
#include "consume_it.h"
#include "consumer/consumer_int.h"

/* The partition's leader epoch in fresh metadata; -1 on failure. */
static int32_t leader_epoch(const char *boot, const char *topic) {
    kfk_core_conf conf;
    it_conf(&conf, boot);
    kfk_core *core = it_core(&conf);
    if (!core) return -1;
    kfk_metadata *md = NULL;
    const char *topics[1] = {topic};
    int32_t epoch = -1;
    if (!kfk_core_metadata_wait(core, topics, 1, 30000, &md, NULL, 0)) {
        const kfk_md_topic *t = kfk_metadata_topic(md, topic);
        const kfk_md_partition *p = t ? kfk_metadata_partition(t, 0) : NULL;
        epoch = p ? p->leader_epoch : -1;
    }
    kfk_metadata_unref(md);
    kfk_core_destroy(core);
    return epoch;
}

static kfk_partition_list *one(const char *topic, int64_t offset, int32_t epoch) {
    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition *e = kfk_partition_list_add(l, topic, 0);
    e->offset = offset;
    e->leader_epoch = epoch;
    return l;
}

/* Polls until the validations counter reaches n; 1 if it did in 30 s. */
static int wait_validations(kfk_consumer *c, int64_t n) {
    int64_t until = it_now_ms() + 30000;
    kfk_epoch_stats es;
    do {
        kfk_consumer_message *m = kfk_consumer_poll(c, 100);
        kfk_consumer_message_release(m);
        kfk_consumer_epoch_stats(c, &es);
    } while (es.validations < n && it_now_ms() < until);
    return es.validations >= n;
}

TEST(epochs_in_messages_positions_commits_and_validation) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128], group[160];
    REQUIRE_EQ(cit_topic(boot, topic, sizeof topic, "epoch", 1), 0);
    snprintf(group, sizeof group, "%s-g", topic);
    REQUIRE_EQ(cit_kcat(boot, topic, 0, "none", "e", 0, 50), 0);
    int32_t epoch = leader_epoch(boot, topic);
    REQUIRE(epoch >= 0);

    kfk_consumer *c = cit_consumer(boot, "group.id", group, "enable.auto.commit", "false", NULL);
    REQUIRE(c);
    REQUIRE_EQ(cit_assign(c, topic, 1, KFK_OFFSET_BEGINNING), 0);
    kfk_consumer_message *msgs[50];
    int got = cit_drain(c, msgs, 50, 30000);
    CHECK_EQ(got, 50);
    for (int i = 0; i < got; i++) {
        CHECK_EQ(msgs[i]->offset, i);
        CHECK_EQ(msgs[i]->leader_epoch, epoch); /* the batch's partitionLeaderEpoch */
    }
    cit_release_all(msgs, got);
    kfk_partition_list *pos = one(topic, 0, -1);
    CHECK_EQ(kfk_consumer_position(c, pos), 0);
    CHECK_EQ(pos->elems[0].offset, 50);
    CHECK_EQ(pos->elems[0].leader_epoch, epoch);
    kfk_partition_list_destroy(pos);
    CHECK_EQ(kfk_consumer_commit(c, NULL, 0), 0);
    /* A position from ListOffsets needs no validation. */
    kfk_epoch_stats es;
    kfk_consumer_epoch_stats(c, &es);
    CHECK_EQ(es.validations, 0);
    kfk_consumer_destroy(c);

    /* A second member reads the commit back, epoch included (OffsetFetch v5+). */
    c = cit_consumer(boot, "group.id", group, "enable.auto.commit", "false", NULL);
    REQUIRE(c);
    kfk_partition_list *l = one(topic, KFK_OFFSET_INVALID, -1);
    CHECK_EQ(kfk_consumer_committed(c, l, 10000), 0);
    CHECK_EQ(l->elems[0].offset, 50);
    CHECK_EQ(l->elems[0].leader_epoch, epoch);
    kfk_partition_list_destroy(l);

    /* It starts from the commit, validated first, and reads on exactly. */
    REQUIRE_EQ(cit_assign(c, topic, 1, KFK_OFFSET_STORED), 0);
    REQUIRE_EQ(cit_kcat(boot, topic, 0, "none", "e", 50, 10), 0);
    got = cit_drain(c, msgs, 10, 30000);
    CHECK_EQ(got, 10);
    for (int i = 0; i < got; i++) CHECK(msgs[i]->offset == 50 + i && cit_is(msgs[i], "e", 50 + i));
    cit_release_all(msgs, got);
    kfk_consumer_epoch_stats(c, &es);
    CHECK(es.validations >= 1);
    CHECK_EQ(es.truncations, 0);
    kfk_consumer_destroy(c);
}

/* Commits offset 1000 under the current epoch of a 20-message log: what a
 * commit made before an unclean election looks like to the new leader. */
static kfk_consumer *past_the_end(const char *boot, char *topic, size_t len, const char *reset,
                                  int32_t *epoch) {
    if (cit_topic(boot, topic, len, "trunc", 1) || cit_kcat(boot, topic, 0, "none", "t", 0, 20))
        return NULL;
    *epoch = leader_epoch(boot, topic);
    char group[160];
    snprintf(group, sizeof group, "%s-g", topic);
    kfk_consumer *c = cit_consumer(boot, "group.id", group, "enable.auto.commit", "false",
                                   "auto.offset.reset", reset, NULL);
    if (!c) return NULL;
    kfk_partition_list *l = one(topic, 1000, *epoch);
    int err = kfk_consumer_commit(c, l, 0);
    kfk_partition_list_destroy(l);
    if (!err) err = cit_assign(c, topic, 1, KFK_OFFSET_STORED);
    if (err) {
        kfk_test_fail(__FILE__, __LINE__, "commit/assign: %s", kfk_err_name(err));
        kfk_consumer_destroy(c);
        return NULL;
    }
    return c;
}

TEST(committed_offset_past_its_epoch_goes_back_to_the_epoch_end) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128];
    int32_t epoch;
    kfk_consumer *c = past_the_end(boot, topic, sizeof topic, "earliest", &epoch);
    REQUIRE(c);
    REQUIRE(epoch >= 0);
    REQUIRE(wait_validations(c, 1));
    REQUIRE_EQ(cit_kcat(boot, topic, 0, "none", "t", 20, 5), 0);
    /* The epoch ends at 20: the consumer reads from there, not from 0 or 1000. */
    kfk_consumer_message *msgs[5];
    int got = cit_drain(c, msgs, 5, 30000);
    CHECK_EQ(got, 5);
    for (int i = 0; i < got; i++) CHECK(msgs[i]->offset == 20 + i && cit_is(msgs[i], "t", 20 + i));
    cit_release_all(msgs, got);
    kfk_consumer_stats st;
    kfk_consumer_stats_get(c, &st);
    CHECK_EQ(st.truncations, 1);
    CHECK_EQ(st.offset_resets, 0);
    kfk_partition_list *pos = one(topic, 0, -1);
    CHECK_EQ(kfk_consumer_position(c, pos), 0);
    CHECK_EQ(pos->elems[0].offset, 25);
    kfk_partition_list_destroy(pos);
    kfk_consumer_destroy(c);
}

TEST(committed_offset_past_its_epoch_with_reset_none_reports_log_truncation) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128];
    int32_t epoch;
    kfk_consumer *c = past_the_end(boot, topic, sizeof topic, "none", &epoch);
    REQUIRE(c);
    int64_t until = it_now_ms() + 30000;
    kfk_consumer_message *m = NULL;
    while (!m && it_now_ms() < until) m = kfk_consumer_poll(c, 100);
    REQUIRE(m);
    CHECK_EQ(m->err, KFK_ERR_LOG_TRUNCATION);
    CHECK_EQ(m->offset, 20); /* the first offset known to diverge */
    kfk_consumer_message_release(m);
    /* Stopped until a seek: then it goes on from there. */
    CHECK_EQ(kfk_consumer_seek(c, topic, 0, 20), 0);
    REQUIRE_EQ(cit_kcat(boot, topic, 0, "none", "t", 20, 3), 0);
    kfk_consumer_message *msgs[3];
    int got = cit_drain(c, msgs, 3, 30000);
    CHECK_EQ(got, 3);
    for (int i = 0; i < got; i++) CHECK_EQ(msgs[i]->offset, 20 + i);
    cit_release_all(msgs, got);
    kfk_consumer_destroy(c);
}
