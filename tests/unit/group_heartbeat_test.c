/* What a classic-group Heartbeat answer means (kfk_group_hb_verdict): late
 * answers, for an older generation or while the member is already
 * rejoining, must not start another rebalance. */
#include "consumer/consumer_int.h"
#include "test.h"

typedef struct hb_case {
    enum kfk_gstate state;
    int32_t generation;
    int join_after; /* an eager revoke before the JoinGroup */
    int32_t sent;   /* the generation the Heartbeat went with */
    int err;
    enum kfk_hb_verdict want;
} hb_case;

static void check_cases(const hb_case *cases, int n) {
    for (int i = 0; i < n; i++) {
        const hb_case *k = &cases[i];
        kfk_group g = {.state = k->state, .generation = k->generation, .join_after = k->join_after};
        enum kfk_hb_verdict got = kfk_group_hb_verdict(&g, k->sent, k->err);
        if (got != k->want)
            kfk_test_fail(__FILE__, __LINE__, "case %d (state %d, err %d): verdict %d, want %d", i,
                          (int)k->state, k->err, (int)got, (int)k->want);
    }
}

TEST(late_answers_start_no_rebalance) {
    const hb_case cases[] = {
        /* A stable member's own generation: rejoin, lose or retry. */
        {KFK_G_STABLE, 5, 0, 5, 0, KFK_HB_OK},
        {KFK_G_STABLE, 5, 0, 5, KFK_ERR_REBALANCE_IN_PROGRESS, KFK_HB_REJOIN},
        {KFK_G_STABLE, 5, 0, 5, KFK_ERR_ILLEGAL_GENERATION, KFK_HB_LOSE},
        {KFK_G_STABLE, 5, 0, 5, KFK_ERR_UNKNOWN_MEMBER_ID, KFK_HB_LOSE},
        {KFK_G_STABLE, 5, 0, 5, KFK_ERR_FENCED_INSTANCE_ID, KFK_HB_LOSE},
        {KFK_G_STABLE, 5, 0, 5, KFK_ERR_COORDINATOR_NOT_AVAILABLE, KFK_HB_RETRY},
        /* Assigned, callbacks not run yet: the rebalance waits for them. */
        {KFK_G_APP, 5, 0, 5, KFK_ERR_REBALANCE_IN_PROGRESS, KFK_HB_REJOIN},
        /* Sent in generation 4, answered after the rejoin completed (5). */
        {KFK_G_STABLE, 5, 0, 4, KFK_ERR_REBALANCE_IN_PROGRESS, KFK_HB_DROP},
        {KFK_G_STABLE, 5, 0, 4, KFK_ERR_ILLEGAL_GENERATION, KFK_HB_DROP},
        {KFK_G_STABLE, 5, 0, 4, KFK_ERR_UNKNOWN_MEMBER_ID, KFK_HB_DROP},
        {KFK_G_STABLE, 5, 0, 4, KFK_ERR_COORDINATOR_NOT_AVAILABLE, KFK_HB_DROP},
        {KFK_G_APP, 5, 0, 4, KFK_ERR_REBALANCE_IN_PROGRESS, KFK_HB_DROP},
        {KFK_G_APP, 5, 0, 4, 0, KFK_HB_OK},
        /* Revoking before its JoinGroup, then each step of the join: the
         * join's own answers speak for the member. */
        {KFK_G_APP, 5, 1, 5, KFK_ERR_REBALANCE_IN_PROGRESS, KFK_HB_DROP},
        {KFK_G_APP, 5, 1, 5, KFK_ERR_UNKNOWN_MEMBER_ID, KFK_HB_LOSE},
        {KFK_G_JOIN, 5, 0, 5, KFK_ERR_REBALANCE_IN_PROGRESS, KFK_HB_DROP},
        {KFK_G_JOIN, 5, 0, 5, KFK_ERR_ILLEGAL_GENERATION, KFK_HB_DROP},
        {KFK_G_METADATA, 5, 0, 5, KFK_ERR_REBALANCE_IN_PROGRESS, KFK_HB_DROP},
        {KFK_G_METADATA, 5, 0, 5, KFK_ERR_ILLEGAL_GENERATION, KFK_HB_DROP},
        {KFK_G_SYNC, 5, 0, 5, KFK_ERR_REBALANCE_IN_PROGRESS, KFK_HB_DROP},
        {KFK_G_SYNC, 5, 0, 5, KFK_ERR_UNKNOWN_MEMBER_ID, KFK_HB_DROP},
    };
    check_cases(cases, (int)(sizeof cases / sizeof cases[0]));
}
