/* The sans-I/O decisions behind the original KafkaConsumer's semantics:
 * how task_done moves a partition's done offset (what is logged as a skip,
 * a move backwards or a repeat), and when an assigned topic or partition
 * missing from metadata is reported (topic.metadata.propagation.max.ms). */
#include "consumer/consumer_int.h"
#include "test.h"

#define INV KFK_OFFSET_INVALID

TEST(done_in_order_is_next) {
    /* Nothing stored nor committed: the first done message is no skip. */
    CHECK_EQ(kfk_done_move(INV, INV, 0, 0), KFK_DONE_NEXT);
    CHECK_EQ(kfk_done_move(INV, INV, 500, 500), KFK_DONE_NEXT);
    /* Then each message polled right after the last done one. */
    CHECK_EQ(kfk_done_move(1, INV, 1, 1), KFK_DONE_NEXT);
    CHECK_EQ(kfk_done_move(600, 40, 600, 600), KFK_DONE_NEXT);
    /* Nothing done yet: goes on from the committed offset. */
    CHECK_EQ(kfk_done_move(INV, 600, 600, 600), KFK_DONE_NEXT);
}

TEST(gaps_without_messages_are_no_skip) {
    /* Offsets 6..8 compacted away (or transaction markers): message 9 was
     * polled right after message 5, whose end (6) is the done offset. */
    CHECK_EQ(kfk_done_move(6, INV, 9, 6), KFK_DONE_NEXT);
    /* A done offset set past the last polled message (store_offsets). */
    CHECK_EQ(kfk_done_move(8, INV, 9, 6), KFK_DONE_NEXT);
}

TEST(skips_are_messages_polled_but_not_done) {
    /* 0..9 polled, 0 done (done offset 1), then 5: 1..4 are not done. */
    CHECK_EQ(kfk_done_move(1, INV, 5, 5), KFK_DONE_SKIP);
    /* Committed 600, nothing done this time, 605 done first. */
    CHECK_EQ(kfk_done_move(INV, 600, 605, 605), KFK_DONE_SKIP);
    /* A compaction gap, then a skipped message: 5 done, 9 polled, 12 done. */
    CHECK_EQ(kfk_done_move(6, INV, 12, 10), KFK_DONE_SKIP);
}

TEST(backwards_and_again) {
    CHECK_EQ(kfk_done_move(10, INV, 9, 9), KFK_DONE_AGAIN);  /* 9 twice */
    CHECK_EQ(kfk_done_move(10, INV, 3, 3), KFK_DONE_BACK);   /* after a seek back */
    CHECK_EQ(kfk_done_move(INV, 600, 599, 599), KFK_DONE_AGAIN); /* committed already */
    CHECK_EQ(kfk_done_move(INV, 600, 100, 100), KFK_DONE_BACK);
    /* The done offset wins over an older committed one, either way. */
    CHECK_EQ(kfk_done_move(50, 600, 50, 50), KFK_DONE_NEXT);
    CHECK_EQ(kfk_done_move(700, 600, 650, 650), KFK_DONE_BACK);
}

static const kfk_md_partition parts[2] = {{.id = 0, .leader = 1}, {.id = 1, .leader = 1}};

TEST(absent_waits_for_propagation) {
    kfk_md_topic unknown = {.name = "t", .err = KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION};
    kfk_md_topic two = {.name = "t", .partitions = parts, .npartitions = 2};
    /* No answer about the topic yet: nothing to say. */
    CHECK_EQ(kfk_absent_err(NULL, 0, 100000, 1000, 30000), 0);
    /* Unknown topic: only from an answer propagation_ms after the first look. */
    CHECK_EQ(kfk_absent_err(&unknown, 0, 1000, 1000, 30000), 0);
    CHECK_EQ(kfk_absent_err(&unknown, 0, 30999, 1000, 30000), 0);
    CHECK_EQ(kfk_absent_err(&unknown, 0, 31000, 1000, 30000), KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    CHECK_EQ(kfk_absent_err(&unknown, 0, 1000, 1000, 0), KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    /* An answer older than the first look says nothing, even with 0. */
    CHECK_EQ(kfk_absent_err(&unknown, 0, 999, 1000, 0), 0);
    /* A partition beyond the topic's count, likewise. */
    CHECK_EQ(kfk_absent_err(&two, 1, 50000, 1000, 30000), 0);
    CHECK_EQ(kfk_absent_err(&two, 2, 30999, 1000, 30000), 0);
    CHECK_EQ(kfk_absent_err(&two, 2, 31000, 1000, 30000), KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
}

TEST(absent_other_topic_errors) {
    /* An invalid name will never exist: at once. */
    kfk_md_topic invalid = {.name = "a b", .err = KFK_ERR_INVALID_TOPIC_EXCEPTION};
    CHECK_EQ(kfk_absent_err(&invalid, 0, 1000, 1000, 30000), KFK_ERR_INVALID_TOPIC_EXCEPTION);
    /* A topic being created (no leader yet) exists. */
    kfk_md_topic creating = {.name = "t", .err = KFK_ERR_LEADER_NOT_AVAILABLE};
    CHECK_EQ(kfk_absent_err(&creating, 0, 100000, 1000, 0), 0);
    kfk_md_topic none = {.name = "t"}; /* listed without partitions */
    CHECK_EQ(kfk_absent_err(&none, 0, 100000, 1000, 30000), KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
}
