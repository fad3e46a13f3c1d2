/* What a classic-group Heartbeat answer means (kfk_group_hb_verdict): late
 * answers, for an older generation or while the member is already
 * rejoining, must not start another rebalance. */
#include "consumer/consumer_int.h"
#include "test.h"

static kfk_group member(enum kfk_gstate state, int32_t generation, int join_after) {
    kfk_group g = {0};
    g.state = state;
    g.generation = generation;
    g.join_after = join_after;
    return g;
}

TEST(a_stable_member_rejoins_or_loses_on_its_own_generation) {
    kfk_group g = member(KFK_G_STABLE, 5, 0);
    CHECK_EQ(kfk_group_hb_verdict(&g, 5, 0), KFK_HB_OK);
    CHECK_EQ(kfk_group_hb_verdict(&g, 5, KFK_ERR_REBALANCE_IN_PROGRESS), KFK_HB_REJOIN);
    CHECK_EQ(kfk_group_hb_verdict(&g, 5, KFK_ERR_ILLEGAL_GENERATION), KFK_HB_LOSE);
    CHECK_EQ(kfk_group_hb_verdict(&g, 5, KFK_ERR_UNKNOWN_MEMBER_ID), KFK_HB_LOSE);
    CHECK_EQ(kfk_group_hb_verdict(&g, 5, KFK_ERR_FENCED_INSTANCE_ID), KFK_HB_LOSE);
    CHECK_EQ(kfk_group_hb_verdict(&g, 5, KFK_ERR_COORDINATOR_NOT_AVAILABLE), KFK_HB_RETRY);
    /* Assigned, callbacks not run yet: the rebalance waits for them. */
    g = member(KFK_G_APP, 5, 0);
    CHECK_EQ(kfk_group_hb_verdict(&g, 5, KFK_ERR_REBALANCE_IN_PROGRESS), KFK_HB_REJOIN);
}

TEST(an_answer_for_an_older_generation_is_dropped) {
    /* Sent in generation 4, answered after the rejoin completed (5). */
    kfk_group g = member(KFK_G_STABLE, 5, 0);
    CHECK_EQ(kfk_group_hb_verdict(&g, 4, KFK_ERR_REBALANCE_IN_PROGRESS), KFK_HB_DROP);
    CHECK_EQ(kfk_group_hb_verdict(&g, 4, KFK_ERR_ILLEGAL_GENERATION), KFK_HB_DROP);
    CHECK_EQ(kfk_group_hb_verdict(&g, 4, KFK_ERR_UNKNOWN_MEMBER_ID), KFK_HB_DROP);
    CHECK_EQ(kfk_group_hb_verdict(&g, 4, KFK_ERR_COORDINATOR_NOT_AVAILABLE), KFK_HB_DROP);
    g = member(KFK_G_APP, 5, 0);
    CHECK_EQ(kfk_group_hb_verdict(&g, 4, KFK_ERR_REBALANCE_IN_PROGRESS), KFK_HB_DROP);
    CHECK_EQ(kfk_group_hb_verdict(&g, 4, 0), KFK_HB_OK);
}

TEST(a_member_already_rejoining_ignores_rebalance_in_progress) {
    /* Eager revoke before the JoinGroup, then each step of the join. */
    kfk_group g = member(KFK_G_APP, 5, 1);
    CHECK_EQ(kfk_group_hb_verdict(&g, 5, KFK_ERR_REBALANCE_IN_PROGRESS), KFK_HB_DROP);
    CHECK_EQ(kfk_group_hb_verdict(&g, 5, KFK_ERR_UNKNOWN_MEMBER_ID), KFK_HB_LOSE);
    enum kfk_gstate joining[] = {KFK_G_JOIN, KFK_G_METADATA, KFK_G_SYNC};
    for (int i = 0; i < 3; i++) {
        g = member(joining[i], 5, 0);
        CHECK_EQ(kfk_group_hb_verdict(&g, 5, KFK_ERR_REBALANCE_IN_PROGRESS), KFK_HB_DROP);
        CHECK_EQ(kfk_group_hb_verdict(&g, 5, KFK_ERR_ILLEGAL_GENERATION), KFK_HB_DROP);
    }
}
