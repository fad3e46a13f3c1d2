/* Records handed to the application, sans I/O: explicit mode refuses a
 * poll while one is unacknowledged (Java's IllegalStateException), a
 * renewed one counts as acknowledged and stays held, implicit mode
 * accepts what the last poll returned. */
#include "kfk.h"
#include "share/share_held.h"
#include "test.h"

typedef struct seen {
    int n;
    int64_t offsets[8];
    int8_t types[8];
} seen;

static int record(void *opaque, void *part, int64_t offset, int8_t type) {
    (void)part;
    seen *s = opaque;
    s->offsets[s->n] = offset;
    s->types[s->n++] = type;
    return 0;
}

static int P;

TEST(explicit_poll_is_refused_until_each_record_is_acknowledged) {
    kfk_share_held h = {0};
    REQUIRE_EQ(kfk_share_held_add(&h, &P, 10), 0);
    REQUIRE_EQ(kfk_share_held_add(&h, &P, 11), 0);
    CHECK_EQ(kfk_share_held_check(&h), KFK_ERR_STATE);
    CHECK_EQ(kfk_share_held_ack(&h, &P, 10, KFK_ACK_ACCEPT), 0);
    CHECK_EQ(kfk_share_held_check(&h), KFK_ERR_STATE);
    CHECK_EQ(kfk_share_held_ack(&h, &P, 11, KFK_ACK_RELEASE), 0);
    CHECK_EQ(kfk_share_held_check(&h), 0);
    CHECK_EQ(kfk_share_held_ack(&h, &P, 11, KFK_ACK_ACCEPT), KFK_ERR_STATE); /* twice */
    CHECK_EQ(kfk_share_held_ack(&h, &P, 12, KFK_ACK_ACCEPT), KFK_ERR_STATE); /* never handed out */
    seen s = {0};
    CHECK_EQ(kfk_share_held_settle(&h, 0, record, &s), 0);
    CHECK_EQ(s.n, 0); /* explicit: nothing implied */
    CHECK_EQ(h.n, 0);
    kfk_share_held_free(&h);
}

TEST(renewed_records_pass_the_check_and_stay_held) {
    kfk_share_held h = {0};
    REQUIRE_EQ(kfk_share_held_add(&h, &P, 5), 0);
    CHECK_EQ(kfk_share_held_ack(&h, &P, 5, KFK_ACK_RENEW), 0);
    CHECK_EQ(kfk_share_held_check(&h), 0);
    seen s = {0};
    kfk_share_held_settle(&h, 0, record, &s);
    CHECK_EQ(h.n, 1);
    CHECK_EQ(kfk_share_held_ack(&h, &P, 5, KFK_ACK_RENEW), 0); /* again */
    CHECK_EQ(kfk_share_held_ack(&h, &P, 5, KFK_ACK_ACCEPT), 0);
    kfk_share_held_settle(&h, 0, record, &s);
    CHECK_EQ(h.n, 0);
    CHECK_EQ(kfk_share_held_ack(&h, &P, 5, KFK_ACK_ACCEPT), KFK_ERR_STATE);
    kfk_share_held_free(&h);
}

TEST(implicit_mode_accepts_the_open_ones) {
    kfk_share_held h = {0};
    int Q;
    REQUIRE_EQ(kfk_share_held_add(&h, &P, 1), 0);
    REQUIRE_EQ(kfk_share_held_add(&h, &Q, 1), 0);
    REQUIRE_EQ(kfk_share_held_add(&h, &P, 2), 0);
    CHECK_EQ(kfk_share_held_ack(&h, &Q, 1, KFK_ACK_REJECT), 0); /* overrides the accept */
    seen s = {0};
    CHECK_EQ(kfk_share_held_settle(&h, 1, record, &s), 0);
    REQUIRE_EQ(s.n, 2);
    CHECK(s.offsets[0] == 1 && s.types[0] == KFK_ACK_ACCEPT);
    CHECK(s.offsets[1] == 2 && s.types[1] == KFK_ACK_ACCEPT);
    CHECK_EQ(h.n, 0);
    kfk_share_held_free(&h);
}

TEST(close_releases_what_is_not_done) {
    kfk_share_held h = {0};
    REQUIRE_EQ(kfk_share_held_add(&h, &P, 1), 0);
    REQUIRE_EQ(kfk_share_held_add(&h, &P, 2), 0);
    REQUIRE_EQ(kfk_share_held_add(&h, &P, 3), 0);
    CHECK_EQ(kfk_share_held_ack(&h, &P, 1, KFK_ACK_ACCEPT), 0);
    CHECK_EQ(kfk_share_held_ack(&h, &P, 2, KFK_ACK_RENEW), 0);
    seen s = {0};
    CHECK_EQ(kfk_share_held_drain(&h, KFK_ACK_RELEASE, record, &s), 0);
    REQUIRE_EQ(s.n, 2);
    CHECK(s.offsets[0] == 2 && s.types[0] == KFK_ACK_RELEASE);
    CHECK(s.offsets[1] == 3 && s.types[1] == KFK_ACK_RELEASE);
    CHECK_EQ(h.n, 0);
    kfk_share_held_free(&h);
}
