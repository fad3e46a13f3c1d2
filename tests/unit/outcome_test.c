/* What each Produce result does to a batch: fed errors directly. */
#include "kfk.h"
#include "producer/outcome.h"
#include "test.h"

static kfk_outcome run(int err, int32_t seq, int32_t acked, int attempts, int64_t now) {
    kfk_outcome_in in = {.err = err, .idempotent = 1, .base_seq = seq, .acked_next = acked,
                         .attempts = attempts, .retries = INT32_MAX, .now = now, .deadline = 1000};
    return kfk_produce_outcome(&in);
}

TEST(success_and_duplicates_are_done) {
    CHECK_EQ(run(0, 0, 0, 1, 0).action, KFK_BATCH_DONE);
    kfk_outcome o = run(KFK_ERR_DUPLICATE_SEQUENCE_NUMBER, 5, 5, 2, 0);
    CHECK_EQ(o.action, KFK_BATCH_DONE);
    CHECK_EQ(o.bump, 0);
}

TEST(retriable_errors_retry_until_the_deadline) {
    kfk_outcome o = run(KFK_ERR_NOT_LEADER_OR_FOLLOWER, 0, 0, 1, 10);
    CHECK_EQ(o.action, KFK_BATCH_RETRY);
    CHECK_EQ(o.refresh, 1);
    CHECK_EQ(run(KFK_ERR_TRANSPORT, 0, 0, 3, 10).action, KFK_BATCH_RETRY);
    CHECK_EQ(run(KFK_ERR_NOT_ENOUGH_REPLICAS, 0, 0, 3, 10).action, KFK_BATCH_RETRY);
    o = run(KFK_ERR_NOT_LEADER_OR_FOLLOWER, 0, 0, 1, 1000);
    CHECK_EQ(o.action, KFK_BATCH_FAIL);
    CHECK_EQ(o.bump, 1); /* its sequence is lost: new epoch */
    kfk_outcome_in in = {.err = KFK_ERR_TRANSPORT, .attempts = 3, .retries = 2, .deadline = 1000,
                         .base_seq = -1};
    CHECK_EQ(kfk_produce_outcome(&in).action, KFK_BATCH_FAIL);
    in.stopping = 1;
    in.retries = 10;
    CHECK_EQ(kfk_produce_outcome(&in).action, KFK_BATCH_FAIL);
}

TEST(permanent_errors_fail_at_once) {
    kfk_outcome o = run(KFK_ERR_MESSAGE_TOO_LARGE, 0, 0, 1, 0);
    CHECK_EQ(o.action, KFK_BATCH_FAIL); /* one record: too large by itself */
    CHECK_EQ(o.bump, 1);                /* and its sequence is lost */
    CHECK_EQ(run(KFK_ERR_TOPIC_AUTHORIZATION_FAILED, 0, 0, 1, 0).action, KFK_BATCH_FAIL);
    CHECK_EQ(run(KFK_ERR_INVALID_RECORD, 0, 0, 1, 0).action, KFK_BATCH_FAIL);
    CHECK_EQ(run(KFK_ERR_RECORD_LIST_TOO_LARGE, 0, 0, 1, 0).action, KFK_BATCH_FAIL);
}

TEST(out_of_order_sequence_retries_only_behind_an_unresolved_batch) {
    /* Batch 10 is ahead of the last acknowledged 5: 5..9 failed first. */
    CHECK_EQ(run(KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, 10, 5, 1, 0).action, KFK_BATCH_RETRY);
    /* The first unacknowledged batch itself: a real gap. */
    kfk_outcome o = run(KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, 5, 5, 1, 0);
    CHECK_EQ(o.action, KFK_BATCH_FAIL);
    CHECK_EQ(o.bump, 1);
    /* Behind what was acknowledged: never retried forever. */
    CHECK_EQ(run(KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, 0, 500, 1, 0).action, KFK_BATCH_FAIL);
    /* Across the wrap at 2^31. */
    CHECK_EQ(run(KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, 3, INT32_MAX - 2, 1, 0).action,
             KFK_BATCH_RETRY);
}

TEST(unknown_producer_bumps_the_epoch_and_retries) {
    kfk_outcome o = run(KFK_ERR_UNKNOWN_PRODUCER_ID, 7, 7, 1, 0);
    CHECK_EQ(o.action, KFK_BATCH_RETRY);
    CHECK_EQ(o.bump, 1);
    o = run(KFK_ERR_INVALID_PRODUCER_EPOCH, 7, 7, 1, 0);
    CHECK_EQ(o.action, KFK_BATCH_RETRY);
    CHECK_EQ(o.bump, 1);
}

TEST(too_large_batches_of_several_records_split) {
    kfk_outcome_in in = {.err = KFK_ERR_MESSAGE_TOO_LARGE, .idempotent = 1, .base_seq = 4,
                         .attempts = 1, .count = 2, .retries = INT32_MAX, .deadline = 1000};
    kfk_outcome o = kfk_produce_outcome(&in);
    CHECK_EQ(o.action, KFK_BATCH_SPLIT);
    CHECK_EQ(o.bump, 0);
    in.err = KFK_ERR_RECORD_LIST_TOO_LARGE;
    CHECK_EQ(kfk_produce_outcome(&in).action, KFK_BATCH_SPLIT);
    in.now = 1000; /* out of time */
    CHECK_EQ(kfk_produce_outcome(&in).action, KFK_BATCH_FAIL);
}

TEST(a_hint_naming_the_same_leader_backs_off) {
    /* Sent to node 1 at epoch 0: a hint of node 1, epoch 0 is no news (a
     * broker not yet leading what its metadata gives it), so the retry
     * backs off; another node, or a newer epoch, goes at once. */
    CHECK_EQ(kfk_produce_leader_moved(1, 0, 1, 0), 0);
    CHECK_EQ(kfk_produce_leader_moved(1, 3, 1, 2), 0);
    CHECK_EQ(kfk_produce_leader_moved(1, 0, -1, -1), 0);
    CHECK_EQ(kfk_produce_leader_moved(1, 0, 2, 0), 1);
    CHECK_EQ(kfk_produce_leader_moved(1, 0, 1, 1), 1);
    CHECK_EQ(kfk_produce_leader_moved(1, -1, 1, 0), 0); /* no epoch to compare */
}
