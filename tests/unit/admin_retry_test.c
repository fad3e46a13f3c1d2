/* The admin client's retry decision without a broker: a request that timed
 * out is tried again while the operation has time (the deadline is
 * retry_later's), on another broker when any broker can answer it, and the
 * broker picked for that is never the one that timed out. */
#include "admin/admin_int.h"
#include "test.h"

TEST(no_error_is_done_and_final_errors_fail) {
    kfk_asub s = {.r = {.dest = KFK_DEST_ANY}, .any = 1};
    CHECK_EQ(kfk_asub_next(&s, 0, 0), KFK_ASUB_DONE);
    CHECK_EQ(kfk_asub_next(&s, KFK_ERR_TOPIC_AUTHORIZATION_FAILED, 0), KFK_ASUB_FAIL);
    CHECK_EQ(kfk_asub_next(&s, KFK_ERR_DESTROYED, KFK_ERR_DESTROYED), KFK_ASUB_FAIL);
    CHECK_EQ(kfk_asub_next(&s, KFK_ERR_NOMEM, 0), KFK_ASUB_FAIL);
}

TEST(timed_out_any_broker_request_goes_elsewhere) {
    kfk_asub s = {.r = {.dest = KFK_DEST_ANY}, .any = 1};
    CHECK_EQ(kfk_asub_next(&s, KFK_ERR_TIMED_OUT, KFK_ERR_TIMED_OUT), KFK_ASUB_ELSEWHERE);
    /* still an any-broker request after it was sent to a node picked so */
    s.r.dest = KFK_DEST_NODE;
    CHECK_EQ(kfk_asub_next(&s, KFK_ERR_TIMED_OUT, KFK_ERR_TIMED_OUT), KFK_ASUB_ELSEWHERE);
    /* other retriable errors go back to the least loaded */
    CHECK_EQ(kfk_asub_next(&s, KFK_ERR_TRANSPORT, KFK_ERR_TRANSPORT), KFK_ASUB_AGAIN);
    CHECK_EQ(kfk_asub_next(&s, KFK_ERR_NOT_CONTROLLER, 0), KFK_ASUB_AGAIN);
}

TEST(timed_out_node_request_is_retried_on_its_node) {
    /* a leader batch (planned again by its resend) or a broker's config */
    kfk_asub s = {.r = {.dest = KFK_DEST_NODE, .node_id = 2}};
    CHECK_EQ(kfk_asub_next(&s, KFK_ERR_TIMED_OUT, KFK_ERR_TIMED_OUT), KFK_ASUB_AGAIN);
    CHECK_EQ(kfk_asub_next(&s, KFK_ERR_NOENT, KFK_ERR_NOENT), KFK_ASUB_AGAIN);
    CHECK_EQ(kfk_asub_next(&s, KFK_ERR_NOT_LEADER_OR_FOLLOWER, 0), KFK_ASUB_AGAIN);
    s.r.dest = KFK_DEST_ANY;
    CHECK_EQ(kfk_asub_next(&s, KFK_ERR_NOENT, KFK_ERR_NOENT), KFK_ASUB_FAIL);
}

TEST(partition_the_core_rules_out_is_final) {
    kfk_asub s = {.r = {.dest = KFK_DEST_LEADER}};
    CHECK_EQ(kfk_asub_next(&s, KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION,
                           KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION),
             KFK_ASUB_FAIL);
    /* the same code from a broker: metadata may still be catching up */
    CHECK_EQ(kfk_asub_next(&s, KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION, 0), KFK_ASUB_AGAIN);
    CHECK_EQ(kfk_asub_next(&s, KFK_ERR_TIMED_OUT, KFK_ERR_TIMED_OUT), KFK_ASUB_AGAIN);
}

TEST(coordinator_request_that_timed_out_is_retried) {
    kfk_asub s = {.group = "g"};
    CHECK_EQ(kfk_asub_next(&s, KFK_ERR_TIMED_OUT, 0), KFK_ASUB_AGAIN);
    CHECK_EQ(kfk_asub_next(&s, KFK_ERR_NOT_COORDINATOR, 0), KFK_ASUB_AGAIN);
    CHECK_EQ(kfk_asub_next(&s, KFK_ERR_GROUP_ID_NOT_FOUND, 0), KFK_ASUB_FAIL);
    CHECK_EQ(kfk_asub_next(&s, 0, 0), KFK_ASUB_DONE);
}

TEST(other_broker_is_never_the_one_that_timed_out) {
    static const kfk_md_broker brokers[] = {{.node_id = 1}, {.node_id = 2}, {.node_id = 3}};
    kfk_metadata md = {.brokers = brokers, .nbrokers = 3};
    uint64_t rng = 42;
    int seen[4] = {0};
    for (int i = 0; i < 300; i++) {
        int32_t n = kfk_admin_other_broker(&md, 2, &rng);
        REQUIRE(n == 1 || n == 3);
        seen[n]++;
    }
    CHECK(seen[1] > 0 && seen[3] > 0); /* both others get picked */
    /* a node the metadata does not list: any of them */
    int32_t n = kfk_admin_other_broker(&md, 7, &rng);
    CHECK(n >= 1 && n <= 3);
    /* nobody else, or no metadata yet: none (the least loaded then) */
    kfk_metadata one = {.brokers = brokers, .nbrokers = 1};
    CHECK_EQ(kfk_admin_other_broker(&one, 1, &rng), -1);
    CHECK_EQ(kfk_admin_other_broker(NULL, 1, &rng), -1);
}
