#include "core/err_table.h"
#include "kfk.h"
#include "test.h"

TEST(names_and_messages) {
    CHECK_STR(kfk_err_name(KFK_ERR_NONE), "NONE");
    CHECK_STR(kfk_err_name(KFK_ERR_NOT_LEADER_OR_FOLLOWER), "NOT_LEADER_OR_FOLLOWER");
    CHECK_STR(kfk_err_name(KFK_ERR_MALFORMED), "MALFORMED");
    CHECK_STR(kfk_err_name(12345), "UNKNOWN");
    CHECK_STR(kfk_err_str(KFK_ERR_OFFSET_OUT_OF_RANGE),
              "The requested offset is not within the range of offsets maintained by the server.");
}

TEST(retriable_follows_kafka) {
    CHECK(kfk_err_retriable(KFK_ERR_NOT_LEADER_OR_FOLLOWER));
    CHECK(kfk_err_retriable(KFK_ERR_TRANSPORT));
    CHECK(!kfk_err_retriable(KFK_ERR_TOPIC_AUTHORIZATION_FAILED));
    CHECK(!kfk_err_retriable(KFK_ERR_NONE));
}

TEST(table_sorted_and_unique) {
    for (int i = 1; i < kfk_err_table_len; i++) CHECK(kfk_err_table[i - 1].code < kfk_err_table[i].code);
    for (int i = 0; i < kfk_err_table_len; i++) CHECK_EQ(kfk_err_table[i].code < -1, kfk_err_table[i].code <= -100);
}
