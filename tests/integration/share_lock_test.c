/* A share-group member that stops polling while it holds records (still
 * connected: a broker releases a member's records at once when its
 * connection closes): once the acquisition lock runs out (the group's
 * share.record.lock.duration.ms, set to the broker's 15 s minimum) another
 * member gets every record, those the stalled one held with delivery count
 * 2. Nothing is lost. On 3.9, without share groups: the error at once. */
#include "share_it.h"

#define N 50

TEST(records_of_a_stalled_member_come_back_after_the_lock) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    if (!sit_share_groups()) {
        sit_unsupported_at_once(boot);
        return;
    }
    char topic[128], group[160];
    REQUIRE_EQ(cit_topic(boot, topic, sizeof topic, "share-lock", 1), 0);
    snprintf(group, sizeof group, "%s-g", topic);
    REQUIRE_EQ(sit_group_config(boot, group, "share.auto.offset.reset", "earliest"), 0);
    int lock_ms =
        sit_group_config(boot, group, "share.record.lock.duration.ms", "15000") == 0 ? 15000
                                                                                     : 30000;
    REQUIRE_EQ(cit_kcat(boot, topic, 0, "none", "l", 0, N), 0);
    const char *topics[1] = {topic};

    kfk_share_consumer *stalled = sit_consumer(boot, group, NULL);
    REQUIRE(stalled);
    REQUIRE_EQ(kfk_share_consumer_subscribe(stalled, topics, 1), 0);
    kfk_consumer_message *m = NULL;
    for (int64_t end = it_now_ms() + 30000; !m && it_now_ms() < end;)
        m = kfk_share_consumer_poll(stalled, 500);
    REQUIRE(m);
    REQUIRE_EQ(m->err, 0);
    int held = sit_index(m);
    CHECK_EQ(m->delivery_count, 1);
    kfk_consumer_message_release(m);
    int64_t stopped = it_now_ms();

    kfk_share_consumer *c = sit_consumer(boot, group, NULL);
    REQUIRE(c);
    REQUIRE_EQ(kfk_share_consumer_subscribe(c, topics, 1), 0);
    int seen[N] = {0}, got = 0, held_dc = 0;
    int64_t held_back = -1;
    for (int64_t end = it_now_ms() + lock_ms + 45000; got < N && it_now_ms() < end;) {
        m = kfk_share_consumer_poll(c, 500);
        if (!m) continue;
        REQUIRE_EQ(m->err, 0);
        int i = sit_index(m);
        if (i >= 0 && i < N) {
            seen[i]++;
            got++;
            if (i == held) {
                held_dc = m->delivery_count;
                held_back = it_now_ms() - stopped;
            }
        }
        kfk_consumer_message_release(m);
    }
    CHECK_EQ(got, N);
    int once = 0;
    for (int i = 0; i < N; i++) once += seen[i] == 1;
    CHECK_EQ(once, N);
    CHECK_EQ(held_dc, 2);
    /* Not before the lock ran out (a little slack for clocks). */
    CHECK(held_back >= lock_ms - 2000);
    CHECK_EQ(kfk_share_consumer_close(c), 0);
    kfk_share_consumer_destroy(stalled);
}
