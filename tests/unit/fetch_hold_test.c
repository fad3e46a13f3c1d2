/* Fetch scheduling, sans I/O: a partition held back only by the prefetch
 * bound keeps its broker's Fetch of idle partitions back until it is
 * fetchable again or fetch.max.wait.ms has passed; paused, stopped,
 * in-flight and backing-off partitions keep nothing back, and records
 * known to wait elsewhere send the Fetch at once. */
#include "consumer/consumer_int.h"
#include "test.h"

enum { NOW = 100000, WAIT = 500 };

static kfk_cpart active(void) {
    return (kfk_cpart){.state = KFK_CP_ACTIVE, .can_fetch = 1};
}

TEST(role_of_a_fetchable_partition_is_ready) {
    kfk_cpart p = active();
    CHECK_EQ(kfk_fetch_role(&p, NOW), KFK_FETCH_READY);
}

TEST(role_of_a_partition_over_its_prefetch_share_is_held) {
    kfk_cpart p = active();
    p.can_fetch = 0;
    p.held_back = 1;
    CHECK_EQ(kfk_fetch_role(&p, NOW), KFK_FETCH_HELD);
}

TEST(paused_partitions_hold_nothing_back) {
    /* take_in: paused and prefetch_full gives can_fetch 0 and held_back 0. */
    kfk_cpart p = active();
    p.can_fetch = 0;
    CHECK_EQ(kfk_fetch_role(&p, NOW), KFK_FETCH_SKIP);
}

TEST(partitions_not_fetching_now_are_skipped) {
    kfk_cpart p = active();
    p.held_back = 1;
    p.can_fetch = 0;
    p.fetching = 1; /* its own Fetch is in flight */
    CHECK_EQ(kfk_fetch_role(&p, NOW), KFK_FETCH_SKIP);
    p.fetching = 0;
    p.backoff_until = NOW + 1; /* leader trouble */
    CHECK_EQ(kfk_fetch_role(&p, NOW), KFK_FETCH_SKIP);
    p.backoff_until = NOW;
    CHECK_EQ(kfk_fetch_role(&p, NOW), KFK_FETCH_HELD);
    for (int s = KFK_CP_START; s <= KFK_CP_STOPPED; s++) {
        if (s == KFK_CP_ACTIVE) continue;
        kfk_cpart q = active();
        q.state = (enum kfk_cpart_state)s;
        CHECK_EQ(kfk_fetch_role(&q, NOW), KFK_FETCH_SKIP);
    }
}

TEST(nothing_held_back_sends_at_once) {
    kfk_fetch_look l = {.ready = 3};
    CHECK_EQ(kfk_fetch_go_at(&l, WAIT, NOW), NOW);
}

TEST(nothing_ready_sends_nothing) {
    kfk_fetch_look l = {.held_since = NOW - 10};
    CHECK_EQ(kfk_fetch_go_at(&l, WAIT, NOW), INT64_MAX);
    l.held_since = 0;
    CHECK_EQ(kfk_fetch_go_at(&l, WAIT, NOW), INT64_MAX);
}

TEST(idle_partitions_wait_for_a_held_one_up_to_max_wait) {
    kfk_fetch_look l = {.ready = 63, .held_since = NOW};
    CHECK_EQ(kfk_fetch_go_at(&l, WAIT, NOW), NOW + WAIT);
    l.held_since = NOW - WAIT + 1;
    CHECK_EQ(kfk_fetch_go_at(&l, WAIT, NOW), NOW + 1);
}

TEST(after_max_wait_idle_partitions_go_without_the_held_one) {
    kfk_fetch_look l = {.ready = 63, .held_since = NOW - WAIT};
    CHECK_EQ(kfk_fetch_go_at(&l, WAIT, NOW), NOW);
    l.held_since = NOW - 10 * WAIT;
    CHECK_EQ(kfk_fetch_go_at(&l, WAIT, NOW), NOW);
}

TEST(records_waiting_elsewhere_send_at_once) {
    /* The broker answers at once: the held partition would not wait. */
    kfk_fetch_look l = {.ready = 2, .backlog = 1, .held_since = NOW};
    CHECK_EQ(kfk_fetch_go_at(&l, WAIT, NOW), NOW);
}

TEST(no_long_poll_means_no_wait) {
    kfk_fetch_look l = {.ready = 1, .held_since = NOW};
    CHECK_EQ(kfk_fetch_go_at(&l, 0, NOW), NOW);
}
