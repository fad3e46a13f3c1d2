/* Error codes, texts and objects: the same as Debian's librdkafka 2.0.2,
 * compared side by side. */
#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <pthread.h>

#include "debian_rdk.h"
#include "test.h"

typedef const char *(*err2_fn)(rd_kafka_resp_err_t);
typedef void (*descs_fn)(const struct rd_kafka_err_desc **, size_t *);

static int same_str(const char *a, const char *b) {
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* 2.0.2 has no code -139; ours names it as librdkafka 2.1.0 and later do. */
#define LOG_TRUNCATION RD_KAFKA_RESP_ERR__LOG_TRUNCATION

TEST(err2str_and_err2name_match_debian) {
    err2_fn str = (err2_fn)debian_sym("rd_kafka_err2str");
    err2_fn name = (err2_fn)debian_sym("rd_kafka_err2name");
    REQUIRE(str && name);
    int compared = 0;
    for (int e = -200; e <= 120; e++) {
        if (e == LOG_TRUNCATION) continue;
        rd_kafka_resp_err_t err = (rd_kafka_resp_err_t)e;
        if (strcmp(rd_kafka_err2str(err), str(err)))
            kfk_test_fail(__FILE__, __LINE__, "err2str(%d): \"%s\" != Debian's \"%s\"", e,
                          rd_kafka_err2str(err), str(err));
        if (strcmp(rd_kafka_err2name(err), name(err)))
            kfk_test_fail(__FILE__, __LINE__, "err2name(%d): \"%s\" != Debian's \"%s\"", e,
                          rd_kafka_err2name(err), name(err));
        compared++;
    }
    CHECK_EQ(compared, 320);
    CHECK_STR(str(LOG_TRUNCATION), "Err--139?");
    CHECK_STR(rd_kafka_err2str(LOG_TRUNCATION), "Local: Partition log truncation detected");
    CHECK_STR(rd_kafka_err2name(LOG_TRUNCATION), "_LOG_TRUNCATION");
}

TEST(err_texts_spot_checks) {
    CHECK_STR(rd_kafka_err2str(RD_KAFKA_RESP_ERR__TIMED_OUT), "Local: Timed out");
    CHECK_STR(rd_kafka_err2str(RD_KAFKA_RESP_ERR_NO_ERROR), "Success");
    CHECK_STR(rd_kafka_err2name(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART), "UNKNOWN_TOPIC_OR_PART");
    CHECK_STR(rd_kafka_err2str(RD_KAFKA_RESP_ERR__PARTITION_EOF), "Broker: No more messages");
    CHECK_STR(rd_kafka_err2str((rd_kafka_resp_err_t)98), "Err-98?");
    CHECK_STR(rd_kafka_err2name(RD_KAFKA_RESP_ERR__BEGIN), "ERR_-200?");
    CHECK_STR(rd_kafka_err2str((rd_kafka_resp_err_t)-5000), "Err--5000?");
}

TEST(err_descs_match_debian) {
    descs_fn descs = (descs_fn)debian_sym("rd_kafka_get_err_descs");
    REQUIRE(descs);
    const struct rd_kafka_err_desc *ours, *theirs;
    size_t n_ours, n_theirs;
    rd_kafka_get_err_descs(&ours, &n_ours);
    descs(&theirs, &n_theirs);
    REQUIRE_EQ(n_ours, n_theirs);
    CHECK_EQ(n_ours, RD_KAFKA_RESP_ERR_END_ALL - RD_KAFKA_RESP_ERR__BEGIN);
    for (size_t i = 0; i < n_ours; i++) {
        const struct rd_kafka_err_desc *a = &ours[i], *b = &theirs[i];
        if ((int)i + RD_KAFKA_RESP_ERR__BEGIN == LOG_TRUNCATION) {
            CHECK(b->name == NULL);
            CHECK_EQ(a->code, LOG_TRUNCATION);
            CHECK_STR(a->name, "_LOG_TRUNCATION");
            continue;
        }
        if (a->code != b->code || !same_str(a->name, b->name) || !same_str(a->desc, b->desc))
            kfk_test_fail(__FILE__, __LINE__, "descs[%zu]: {%d, %s, %s} != Debian's {%d, %s, %s}",
                          i, a->code, a->name ? a->name : "NULL", a->desc ? a->desc : "NULL",
                          b->code, b->name ? b->name : "NULL", b->desc ? b->desc : "NULL");
    }
}

TEST(errno2err_matches_debian) {
    rd_kafka_resp_err_t (*theirs)(int) =
        (rd_kafka_resp_err_t(*)(int))debian_sym("rd_kafka_errno2err");
    REQUIRE(theirs);
    for (int e = 0; e < 200; e++) CHECK_EQ(rd_kafka_errno2err(e), theirs(e));
    CHECK_EQ(rd_kafka_errno2err(ENOBUFS), RD_KAFKA_RESP_ERR__QUEUE_FULL);
    CHECK_EQ(rd_kafka_errno2err(ESRCH), RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION);
    errno = ETIMEDOUT;
    CHECK_EQ(rd_kafka_errno(), ETIMEDOUT);
}

static void *last_error_in_thread(void *arg) {
    *(rd_kafka_resp_err_t *)arg = rd_kafka_last_error();
    return NULL;
}

TEST(last_error_starts_clear_per_thread) {
    rd_kafka_resp_err_t seen = RD_KAFKA_RESP_ERR__FAIL;
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, last_error_in_thread, &seen) == 0);
    pthread_join(t, NULL);
    CHECK_EQ(seen, RD_KAFKA_RESP_ERR_NO_ERROR);
}

TEST(error_object) {
    rd_kafka_error_t *e = rd_kafka_error_new(RD_KAFKA_RESP_ERR__STATE, "bad %s %d", "state", 7);
    REQUIRE(e);
    CHECK_EQ(rd_kafka_error_code(e), RD_KAFKA_RESP_ERR__STATE);
    CHECK_STR(rd_kafka_error_name(e), "_STATE");
    CHECK_STR(rd_kafka_error_string(e), "bad state 7");
    CHECK(!rd_kafka_error_is_fatal(e));
    CHECK(!rd_kafka_error_is_retriable(e));
    CHECK(!rd_kafka_error_txn_requires_abort(e));
    rd_kafka_error_destroy(e);

    /* No format: the code's text. */
    e = rd_kafka_error_new(RD_KAFKA_RESP_ERR_INVALID_TXN_STATE, NULL);
    REQUIRE(e);
    CHECK_STR(rd_kafka_error_string(e), rd_kafka_err2str(RD_KAFKA_RESP_ERR_INVALID_TXN_STATE));
    rd_kafka_error_destroy(e);

    /* A NULL error reads as success. */
    CHECK_EQ(rd_kafka_error_code(NULL), 0);
    CHECK_STR(rd_kafka_error_string(NULL), "");
    CHECK_STR(rd_kafka_error_name(NULL), "");
    CHECK(!rd_kafka_error_is_fatal(NULL));
    rd_kafka_error_destroy(NULL);
}

TEST(error_object_matches_debian) {
    rd_kafka_error_t *(*new_)(rd_kafka_resp_err_t, const char *, ...) =
        (rd_kafka_error_t * (*)(rd_kafka_resp_err_t, const char *, ...))
            debian_sym("rd_kafka_error_new");
    const char *(*string)(const rd_kafka_error_t *) =
        (const char *(*)(const rd_kafka_error_t *))debian_sym("rd_kafka_error_string");
    const char *(*name)(const rd_kafka_error_t *) =
        (const char *(*)(const rd_kafka_error_t *))debian_sym("rd_kafka_error_name");
    void (*destroy)(rd_kafka_error_t *) =
        (void (*)(rd_kafka_error_t *))debian_sym("rd_kafka_error_destroy");
    REQUIRE(new_ && string && name && destroy);
    for (int code = -199; code < 100; code += 7) {
        rd_kafka_resp_err_t c = (rd_kafka_resp_err_t)code;
        for (int i = 0; i < 4; i++) {
            rd_kafka_error_t *a, *b;
            if (i == 0) { /* no format */
                a = rd_kafka_error_new(c, NULL);
                b = new_(c, NULL);
            } else if (i == 1) { /* an empty format */
                a = rd_kafka_error_new(c, "%s", "");
                b = new_(c, "%s", "");
            } else if (i == 2) {
                a = rd_kafka_error_new(c, "x=%d", 5);
                b = new_(c, "x=%d", 5);
            } else {
                a = rd_kafka_error_new(c, " ");
                b = new_(c, " ");
            }
            REQUIRE(a && b);
            CHECK_STR(rd_kafka_error_string(a), string(b));
            CHECK_STR(rd_kafka_error_name(a), name(b));
            rd_kafka_error_destroy(a);
            destroy(b);
        }
    }
}
