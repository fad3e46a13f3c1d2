/* The share consumer (KIP-932) against the real broker. On 4.x: two
 * members of one share group over a 2-partition topic accept every record
 * exactly once between them, and both get records; a released record
 * comes back with delivery count 2, a rejected one never does, and one
 * released at every delivery is archived after the group's delivery
 * limit. On 3.9, whose broker has no share groups, the first poll says
 * UNSUPPORTED_VERSION at once. */
#include "share_it.h"

#define N 3000

/* The record just polled is accepted by this commit: a result for its
 * partition at least (others when acknowledgements wait for them too),
 * each without error. 1 when so. */
static int sync_one(kfk_share_consumer *c, const char *topic, int32_t partition) {
    kfk_partition_list *res = NULL;
    CHECK_EQ(kfk_share_consumer_commit_sync(c, &res, 0), 0);
    int ok = res && kfk_partition_list_find(res, topic, partition) != NULL;
    for (int i = 0; res && i < res->count; i++) ok = ok && res->elems[i].err == 0;
    if (res && !ok)
        for (int i = 0; i < res->count; i++)
            kfk_test_fail(__FILE__, __LINE__, "result %s [%d]: %s", res->elems[i].topic,
                          (int)res->elems[i].partition, kfk_err_name(res->elems[i].err));
    kfk_partition_list_destroy(res);
    return ok;
}

static void two_members_accept_every_record_once(const char *boot) {
    char topic[128], group[160];
    REQUIRE_EQ(cit_topic(boot, topic, sizeof topic, "share", 2), 0);
    snprintf(group, sizeof group, "%s-g", topic);
    REQUIRE_EQ(sit_group_config(boot, group, "share.auto.offset.reset", "earliest"), 0);
    kfk_share_consumer *c[2];
    const char *topics[1] = {topic};
    for (int i = 0; i < 2; i++) {
        c[i] = sit_consumer(boot, group, "max.poll.records", "100", NULL);
        REQUIRE(c[i]);
        REQUIRE_EQ(kfk_share_consumer_subscribe(c[i], topics, 1), 0);
    }
    sit_acks acks = {0, 0};
    kfk_share_consumer_set_ack_cb(c[0], sit_count_acks, &acks);
    REQUIRE_EQ(cit_kcat(boot, topic, 0, "none", "s", 0, N / 2), 0);
    REQUIRE_EQ(cit_kcat(boot, topic, 1, "none", "s", N / 2, N / 2), 0);
    static int seen[N];
    memset(seen, 0, sizeof seen);
    int got[2] = {0, 0}, total = 0, bad = 0, synced = 0;
    int64_t end = it_now_ms() + 90000;
    while (total < N && it_now_ms() < end) {
        for (int i = 0; i < 2; i++) {
            kfk_consumer_message *m = kfk_share_consumer_poll(c[i], 200);
            if (!m) continue;
            if (m->err) {
                kfk_test_fail(__FILE__, __LINE__, "poll: %s", kfk_err_name(m->err));
                bad++;
            } else {
                int k = sit_index(m);
                if (k >= 0 && k < N) {
                    seen[k]++;
                    got[i]++;
                    total++;
                    CHECK(m->delivery_count >= 1);
                    if (i == 0 && got[0] % 100 == 0)
                        CHECK_EQ(kfk_share_consumer_commit_async(c[0]), 0);
                    if (i == 1 && got[1] == 50) synced += sync_one(c[1], topic, m->partition);
                }
            }
            kfk_consumer_message_release(m);
        }
        if (bad) break;
    }
    CHECK_EQ(total, N);
    int once = 0;
    for (int k = 0; k < N; k++) once += seen[k] == 1;
    CHECK_EQ(once, N);
    CHECK(got[0] > 0);
    CHECK(got[1] > 0);
    CHECK_EQ(synced, 1);
    for (int i = 0; i < 2; i++) CHECK_EQ(kfk_share_consumer_close(c[i]), 0);
    CHECK(acks.ok > 0); /* async commits and acknowledgements sent with ShareFetch */
    CHECK_EQ(acks.failed, 0);
    /* Accepted for good: a new member of the group gets nothing more. */
    kfk_share_consumer *late = sit_consumer(boot, group, NULL);
    REQUIRE(late);
    REQUIRE_EQ(kfk_share_consumer_subscribe(late, topics, 1), 0);
    int more = 0;
    for (int64_t t = it_now_ms() + 8000; it_now_ms() < t;) {
        kfk_consumer_message *m = kfk_share_consumer_poll(late, 500);
        if (m && !m->err) more++;
        kfk_consumer_message_release(m);
    }
    CHECK_EQ(more, 0);
    kfk_share_consumer_close(late);
}

/* Record 0 is released at every delivery, 1 rejected, 2 released once and
 * then accepted, the others accepted. */
static void release_reject_and_the_delivery_limit(const char *boot) {
    char topic[128], group[160];
    REQUIRE_EQ(cit_topic(boot, topic, sizeof topic, "share-ack", 1), 0);
    snprintf(group, sizeof group, "%s-g", topic);
    REQUIRE_EQ(sit_group_config(boot, group, "share.auto.offset.reset", "earliest"), 0);
    /* A low limit when the broker lets the group set one; else its default. */
    int limit = sit_group_config(boot, group, "share.delivery.count.limit", "2") == 0 ? 2 : 5;
    REQUIRE_EQ(cit_kcat(boot, topic, 0, "none", "a", 0, 10), 0);
    kfk_share_consumer *c =
        sit_consumer(boot, group, "share.acknowledgement.mode", "explicit", NULL);
    REQUIRE(c);
    const char *topics[1] = {topic};
    REQUIRE_EQ(kfk_share_consumer_subscribe(c, topics, 1), 0);
    int deliveries[10] = {0}, max_dc[10] = {0}, accepted = 0;
    int64_t quiet_until = 0, end = it_now_ms() + 90000;
    while (it_now_ms() < end) {
        kfk_consumer_message *m = kfk_share_consumer_poll(c, 300);
        if (!m) {
            if (quiet_until && it_now_ms() > quiet_until) break;
            continue;
        }
        REQUIRE_EQ(m->err, 0);
        int k = sit_index(m);
        REQUIRE(k >= 0 && k < 10);
        deliveries[k]++;
        if (m->delivery_count > max_dc[k]) max_dc[k] = m->delivery_count;
        int type = KFK_ACK_ACCEPT;
        if (k == 0) type = KFK_ACK_RELEASE;
        else if (k == 1) type = KFK_ACK_REJECT;
        else if (k == 2 && m->delivery_count == 1) type = KFK_ACK_RELEASE;
        CHECK_EQ(kfk_share_consumer_acknowledge(c, m, type), 0);
        CHECK_EQ(kfk_share_consumer_acknowledge(c, m, type), KFK_ERR_STATE);
        if (type == KFK_ACK_ACCEPT) accepted++;
        kfk_consumer_message_release(m);
        /* Everything settled: watch a while for anything coming back. */
        if (accepted == 8 && deliveries[0] >= limit && !quiet_until)
            quiet_until = it_now_ms() + 5000;
    }
    CHECK_EQ(deliveries[0], limit);
    CHECK_EQ(max_dc[0], limit);
    CHECK_EQ(deliveries[1], 1);
    CHECK_EQ(deliveries[2], 2);
    CHECK_EQ(max_dc[2], 2);
    CHECK_EQ(accepted, 8);
    kfk_partition_list *res = NULL;
    CHECK_EQ(kfk_share_consumer_commit_sync(c, &res, 0), 0);
    kfk_partition_list_destroy(res);
    CHECK_EQ(kfk_share_consumer_close(c), 0);
}

/* An acknowledgement not answered yet when commit_sync is called is in
 * its results, also when it rides on a ShareFetch still out. Explicit
 * mode: a and b come in one fetch; a is accepted; the poll that takes b
 * empties the queue, so it hands a's accept over and the I/O thread sends
 * a ShareFetch carrying it, which the broker holds (nothing more to read,
 * fetch.max.wait.ms 4 s). commit_sync (b not acknowledged: nothing else
 * to send) waits for that fetch and lists a's partition. A round whose
 * accept was answered before commit_sync (the callback saw it: a and b
 * came apart) proves nothing and is run again. */
static void commit_sync_lists_acks_of_a_fetch_in_flight(const char *boot) {
    char topic[128], group[160];
    REQUIRE_EQ(cit_topic(boot, topic, sizeof topic, "share-inflight", 1), 0);
    snprintf(group, sizeof group, "%s-g", topic);
    REQUIRE_EQ(sit_group_config(boot, group, "share.auto.offset.reset", "earliest"), 0);
    kfk_share_consumer *c = sit_consumer(boot, group, "share.acknowledgement.mode", "explicit",
                                         "fetch.max.wait.ms", "4000", NULL);
    REQUIRE(c);
    sit_acks acks = {0, 0};
    kfk_share_consumer_set_ack_cb(c, sit_count_acks, &acks);
    const char *topics[1] = {topic};
    REQUIRE_EQ(kfk_share_consumer_subscribe(c, topics, 1), 0);
    int proven = 0;
    for (int round = 0; round < 3 && !proven; round++) {
        REQUIRE_EQ(cit_kcat(boot, topic, 0, "none", "r", 2 * round, 2), 0);
        kfk_consumer_message *m[2] = {NULL, NULL};
        for (int k = 0; k < 2; k++) {
            for (int64_t end = it_now_ms() + 30000; !m[k] && it_now_ms() < end;)
                m[k] = kfk_share_consumer_poll(c, 500);
            REQUIRE(m[k]);
            REQUIRE_EQ(m[k]->err, 0);
            if (k == 0) CHECK_EQ(kfk_share_consumer_acknowledge(c, m[0], KFK_ACK_ACCEPT), 0);
        }
        int before = acks.ok + acks.failed;
        kfk_consumer_message *refused = kfk_share_consumer_poll(c, 0); /* runs the callback */
        CHECK(refused && refused->err == KFK_ERR_STATE);
        kfk_consumer_message_release(refused);
        if (acks.ok + acks.failed == before) {
            kfk_partition_list *res = NULL;
            CHECK_EQ(kfk_share_consumer_commit_sync(c, &res, 0), 0);
            REQUIRE(res);
            CHECK(kfk_partition_list_find(res, topic, 0) != NULL);
            for (int i = 0; i < res->count; i++) CHECK_EQ(res->elems[i].err, 0);
            kfk_partition_list_destroy(res);
            proven = 1;
        }
        CHECK_EQ(kfk_share_consumer_acknowledge(c, m[1], KFK_ACK_ACCEPT), 0);
        kfk_consumer_message_release(m[0]);
        kfk_consumer_message_release(m[1]);
    }
    CHECK(proven);
    CHECK_EQ(acks.failed, 0);
    CHECK_EQ(kfk_share_consumer_close(c), 0);
}

TEST(share_consumer) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    if (sit_share_groups()) {
        two_members_accept_every_record_once(boot);
        release_reject_and_the_delivery_limit(boot);
        commit_sync_lists_acks_of_a_fetch_in_flight(boot);
    } else {
        sit_unsupported_at_once(boot);
    }
}
