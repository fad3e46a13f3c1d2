/* What the share consumer's I/O thread does while the application does
 * not poll. Member A (explicit mode) polls one record, then does not poll
 * for longer than the broker's share session timeout
 * (group.share.session.timeout.ms, 45 s: kafka-local keeps Kafka's
 * default) while B polls all along:
 * - A stays in the group: its I/O thread heartbeats (ShareGroupDescribe
 *   still lists both members after 50 s);
 * - A renews its record's acquisition lock (KFK_ACK_RENEW, KIP-1222,
 *   Kafka 4.4): its next poll hands the record out again; then it renews
 *   every few seconds without polling, far past the lock duration (the
 *   group's share.record.lock.duration.ms, set to the broker's 15 s
 *   minimum): B never gets that record, yet B gets the records A fetched
 *   and did not renew once their locks ran out; A's final accept
 *   succeeds.
 * On 3.9, without share groups: the error at once. */
#include "share_it.h"

#define N 3
#define IDLE_MS 50000
#define RENEW_EVERY_MS 5000

static int members(kfk_admin *a, const char *group) {
    kfk_admin_result *r = kfk_admin_describe_share_groups(a, &group, 1, NULL, NULL, NULL);
    int n = r && !r->err && r->nshare_descs == 1 && !r->share_descs[0].err
                ? r->share_descs[0].nmembers
                : -1;
    kfk_admin_result_destroy(r);
    return n;
}

TEST(a_member_that_does_not_poll_heartbeats_and_renews) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    if (!sit_share_groups()) {
        sit_unsupported_at_once(boot);
        return;
    }
    char topic[128], group[160];
    REQUIRE_EQ(cit_topic(boot, topic, sizeof topic, "share-bg", 1), 0);
    snprintf(group, sizeof group, "%s-g", topic);
    REQUIRE_EQ(sit_group_config(boot, group, "share.auto.offset.reset", "earliest"), 0);
    REQUIRE_EQ(sit_group_config(boot, group, "share.record.lock.duration.ms", "15000"), 0);
    REQUIRE_EQ(cit_kcat(boot, topic, 0, "none", "b", 0, N), 0);
    const char *topics[1] = {topic};

    kfk_share_consumer *a = sit_consumer(boot, group, "share.acknowledgement.mode", "explicit",
                                         NULL);
    REQUIRE(a);
    sit_acks acks = {0, 0};
    kfk_share_consumer_set_ack_cb(a, sit_count_acks, &acks);
    REQUIRE_EQ(kfk_share_consumer_subscribe(a, topics, 1), 0);
    kfk_consumer_message *held = NULL;
    for (int64_t end = it_now_ms() + 30000; !held && it_now_ms() < end;)
        held = kfk_share_consumer_poll(a, 500);
    REQUIRE(held);
    REQUIRE_EQ(held->err, 0);
    int r = sit_index(held);
    REQUIRE(r >= 0 && r < N);
    CHECK_EQ(held->delivery_count, 1);
    /* Explicit mode: polling again before acknowledging is refused. */
    kfk_consumer_message *refused = kfk_share_consumer_poll(a, 0);
    REQUIRE(refused);
    CHECK_EQ(refused->err, KFK_ERR_STATE);
    kfk_consumer_message_release(refused);
    int64_t idle_from = it_now_ms();
    REQUIRE_EQ(kfk_share_consumer_acknowledge(a, held, KFK_ACK_RENEW), 0);
    /* Renewed, the record comes back at the next poll (before the others
     * A fetched, as Java's client does), to be acknowledged again. */
    kfk_consumer_message *again = kfk_share_consumer_poll(a, 10000);
    REQUIRE(again);
    REQUIRE_EQ(again->err, 0);
    CHECK(again->partition == held->partition && again->offset == held->offset);
    CHECK_EQ(again->delivery_count, 1);
    kfk_consumer_message_release(again);
    refused = kfk_share_consumer_poll(a, 0); /* handed out again: to be acknowledged */
    REQUIRE(refused);
    CHECK_EQ(refused->err, KFK_ERR_STATE);
    kfk_consumer_message_release(refused);

    kfk_share_consumer *b = sit_consumer(boot, group, NULL);
    REQUIRE(b);
    REQUIRE_EQ(kfk_share_consumer_subscribe(b, topics, 1), 0);
    kfk_admin *adm = admin_new_on(boot);
    REQUIRE(adm);
    int b_got[N] = {0}, renewals = 1;
    int64_t next_renew = idle_from + RENEW_EVERY_MS;
    while (it_now_ms() - idle_from < IDLE_MS) {
        kfk_consumer_message *m = kfk_share_consumer_poll(b, 200);
        if (m && !m->err) {
            int k = sit_index(m);
            if (k >= 0 && k < N) b_got[k]++;
        } else if (m) {
            kfk_test_fail(__FILE__, __LINE__, "b poll: %s", kfk_err_name(m->err));
        }
        kfk_consumer_message_release(m);
        if (it_now_ms() >= next_renew) {
            CHECK_EQ(kfk_share_consumer_acknowledge(a, held, KFK_ACK_RENEW), 0);
            renewals++;
            next_renew += RENEW_EVERY_MS;
        }
    }
    /* Past the session timeout without a poll: A is still a member. */
    CHECK_EQ(members(adm, group), 2);
    CHECK_EQ(b_got[r], 0);
    for (int k = 0; k < N; k++)
        if (k != r) CHECK_EQ(b_got[k], 1); /* A's unrenewed ones, after their lock */
    CHECK(renewals >= 3);
    REQUIRE_EQ(kfk_share_consumer_acknowledge(a, held, KFK_ACK_ACCEPT), 0);
    kfk_partition_list *res = NULL;
    CHECK_EQ(kfk_share_consumer_commit_sync(a, &res, 0), 0);
    CHECK(res && res->count == 1 && res->elems[0].err == 0);
    kfk_partition_list_destroy(res);
    CHECK(acks.ok >= 1); /* the renewals' results, through the callback */
    CHECK_EQ(acks.failed, 0);
    kfk_consumer_message_release(held);
    /* Close releases the records A fetched but never handed out; B has
     * accepted them since, so the broker may refuse that release. */
    int rc = kfk_share_consumer_close(a);
    CHECK(rc == 0 || rc == KFK_ERR_INVALID_RECORD_STATE);
    /* Accepted: B sees it no more. */
    for (int64_t end = it_now_ms() + 3000; it_now_ms() < end;) {
        kfk_consumer_message *m = kfk_share_consumer_poll(b, 300);
        if (m && !m->err && sit_index(m) == r) b_got[r]++;
        kfk_consumer_message_release(m);
    }
    CHECK_EQ(b_got[r], 0);
    CHECK_EQ(kfk_share_consumer_close(b), 0);
    kfk_admin_destroy(adm);
}
