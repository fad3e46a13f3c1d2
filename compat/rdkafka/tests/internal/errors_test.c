/* errors.c's internal calls: kfk codes as librdkafka's, the last error, error objects. */
#include <errno.h>

#include "rdk_int.h"
#include "test.h"

TEST(rdk_err_maps_kfk_codes) {
    CHECK_EQ(rdk_err(0), RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(rdk_err(KFK_ERR_UNKNOWN_SERVER_ERROR), RD_KAFKA_RESP_ERR_UNKNOWN);
    CHECK_EQ(rdk_err(KFK_ERR_NOT_COORDINATOR), RD_KAFKA_RESP_ERR_NOT_COORDINATOR);
    CHECK_EQ(rdk_err(KFK_ERR_MSG_TOO_LARGE), RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
    CHECK_EQ(rdk_err(KFK_ERR_DESTROYED), RD_KAFKA_RESP_ERR__DESTROY);
    CHECK_EQ(rdk_err(KFK_ERR_PURGED), RD_KAFKA_RESP_ERR__PURGE_QUEUE);
    CHECK_EQ(rdk_err(KFK_ERR_LOG_TRUNCATION), RD_KAFKA_RESP_ERR__LOG_TRUNCATION);
    /* Every kfk local code maps to a librdkafka local code with a text. */
    for (int e = KFK_ERR_LOG_TRUNCATION; e <= KFK_ERR_MALFORMED; e++) {
        rd_kafka_resp_err_t r = rdk_err(e);
        if (e == KFK_ERR_MSG_TOO_LARGE) continue;
        CHECK(r > RD_KAFKA_RESP_ERR__BEGIN && r < RD_KAFKA_RESP_ERR__END);
        CHECK(strncmp(rd_kafka_err2str(r), "Err-", 4) != 0);
    }
    CHECK_EQ(rdk_err(-5000), RD_KAFKA_RESP_ERR__FAIL);
}

TEST(last_error_and_errno) {
    errno = 0;
    rdk_set_last_error(RD_KAFKA_RESP_ERR__QUEUE_FULL);
    CHECK_EQ(rd_kafka_last_error(), RD_KAFKA_RESP_ERR__QUEUE_FULL);
    CHECK_EQ(rd_kafka_errno2err(errno), RD_KAFKA_RESP_ERR__QUEUE_FULL);
    rdk_set_last_error(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION);
    CHECK_EQ(rd_kafka_errno2err(errno), RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION);
    rdk_set_last_error(RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(rd_kafka_last_error(), 0);

    rd_kafka_error_t *e = rdk_error_new(RD_KAFKA_RESP_ERR__FATAL, 1, 0, 1, "f %d", 1);
    REQUIRE(e);
    CHECK(rd_kafka_error_is_fatal(e));
    CHECK(!rd_kafka_error_is_retriable(e));
    CHECK(rd_kafka_error_txn_requires_abort(e));
    CHECK_STR(rd_kafka_error_string(e), "f 1");
    rd_kafka_error_destroy(e);
}
