/* Records handed to the application, sans I/O: explicit mode refuses a
 * poll while one is unacknowledged (Java's IllegalStateException),
 * implicit mode accepts what the last poll returned; a renewed one counts
 * as acknowledged, is handed out again once the broker renewed it (a
 * refused renewal ends it), and a renew is refused without touching the
 * record when the broker lacks KIP-1222. */
#include <string.h>

#include "consumer/chunk.h"
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
static kfk_consumer_message M[16];

/* The message a poll returned for offset off of P, living in ch. */
static kfk_consumer_message *msg(kfk_chunk *ch, int64_t off) {
    kfk_consumer_message *m = &M[off % 16];
    memset(m, 0, sizeof *m);
    m->offset = off;
    kfk_cmsg(m)->kind = KFK_KIND_RECORD;
    kfk_cmsg(m)->chunk = ch;
    kfk_cmsg(m)->part = &P;
    return m;
}

static int ack(kfk_share_held *h, int64_t off, int type) {
    return kfk_share_held_ack(h, &P, msg(NULL, off), type, 1);
}

static int refs(kfk_chunk *ch) {
    return atomic_load(&ch->refs);
}

TEST(explicit_poll_is_refused_until_each_record_is_acknowledged) {
    kfk_share_held h = {0};
    REQUIRE_EQ(kfk_share_held_add(&h, &P, 10), 0);
    REQUIRE_EQ(kfk_share_held_add(&h, &P, 11), 0);
    CHECK_EQ(kfk_share_held_check(&h), KFK_ERR_STATE);
    CHECK_EQ(ack(&h, 10, KFK_ACK_ACCEPT), 0);
    CHECK_EQ(kfk_share_held_check(&h), KFK_ERR_STATE);
    CHECK_EQ(ack(&h, 11, KFK_ACK_RELEASE), 0);
    CHECK_EQ(kfk_share_held_check(&h), 0);
    CHECK_EQ(ack(&h, 11, KFK_ACK_ACCEPT), KFK_ERR_STATE); /* twice */
    CHECK_EQ(ack(&h, 12, KFK_ACK_ACCEPT), KFK_ERR_STATE); /* never handed out */
    seen s = {0};
    CHECK_EQ(kfk_share_held_settle(&h, 0, record, &s), 0);
    CHECK_EQ(s.n, 0); /* explicit: nothing implied */
    CHECK_EQ(h.n, 0);
    kfk_share_held_free(&h);
}

TEST(renew_is_refused_without_renewal_and_the_record_stays_open) {
    kfk_chunk *ch = kfk_chunk_new(NULL);
    kfk_share_held h = {0};
    REQUIRE_EQ(kfk_share_held_add(&h, &P, 5), 0);
    /* A broker before 4.4 (ShareFetch < v2): nothing changes. */
    CHECK_EQ(kfk_share_held_ack(&h, &P, msg(ch, 5), KFK_ACK_RENEW, 0),
             KFK_ERR_UNSUPPORTED_VERSION);
    CHECK_EQ(refs(ch), 1); /* no reference taken */
    CHECK_EQ(kfk_share_held_renewing(&h), 0);
    CHECK_EQ(kfk_share_held_check(&h), KFK_ERR_STATE); /* still to be acknowledged */
    CHECK_EQ(kfk_share_held_ack(&h, &P, msg(ch, 5), KFK_ACK_ACCEPT, 0), 0);
    CHECK_EQ(kfk_share_held_check(&h), 0);
    kfk_share_held_free(&h);
    kfk_chunk_unref(ch);
}

TEST(a_renewed_record_is_handed_out_again_once_renewed) {
    kfk_chunk *ch = kfk_chunk_new(NULL);
    kfk_share_held h = {0};
    REQUIRE_EQ(kfk_share_held_add(&h, &P, 5), 0);
    REQUIRE_EQ(kfk_share_held_add(&h, &P, 6), 0);
    CHECK_EQ(kfk_share_held_ack(&h, &P, msg(ch, 5), KFK_ACK_RENEW, 1), 0);
    CHECK_EQ(refs(ch), 2); /* kept for the poll that hands it out again */
    CHECK_EQ(ack(&h, 6, KFK_ACK_ACCEPT), 0);
    CHECK_EQ(kfk_share_held_check(&h), 0); /* renewing counts as acknowledged */
    CHECK_EQ(kfk_share_held_renewing(&h), 1);
    CHECK(kfk_share_held_next_renewed(&h) == NULL); /* not answered yet */
    seen s = {0};
    kfk_share_held_settle(&h, 1, record, &s);
    CHECK_EQ(s.n, 0); /* implicit: a renewing one is not accepted */
    CHECK_EQ(h.n, 1);
    kfk_share_held_renewed(&h, &P, 7, 9, 0); /* another range */
    CHECK_EQ(kfk_share_held_renewing(&h), 1);
    kfk_share_held_renewed(&h, &P, 4, 5, 0);
    CHECK_EQ(kfk_share_held_renewing(&h), 0);
    kfk_consumer_message *m = kfk_share_held_next_renewed(&h);
    REQUIRE(m != NULL);
    CHECK_EQ(m->offset, 5);
    CHECK(kfk_share_held_next_renewed(&h) == NULL); /* once */
    CHECK_EQ(kfk_share_held_check(&h), KFK_ERR_STATE); /* open again */
    kfk_consumer_message_release(m); /* the application's reference */
    CHECK_EQ(refs(ch), 1);
    CHECK_EQ(ack(&h, 5, KFK_ACK_ACCEPT), 0);
    kfk_share_held_settle(&h, 0, record, &s);
    CHECK_EQ(h.n, 0);
    kfk_share_held_free(&h);
    kfk_chunk_unref(ch);
}

TEST(a_refused_renewal_ends_the_record) {
    kfk_chunk *ch = kfk_chunk_new(NULL);
    kfk_share_held h = {0};
    REQUIRE_EQ(kfk_share_held_add(&h, &P, 7), 0);
    CHECK_EQ(kfk_share_held_ack(&h, &P, msg(ch, 7), KFK_ACK_RENEW, 1), 0);
    kfk_share_held_renewed(&h, &P, 7, 7, KFK_ERR_INVALID_RECORD_STATE);
    CHECK_EQ(refs(ch), 1);
    CHECK_EQ(kfk_share_held_renewing(&h), 0);
    CHECK(kfk_share_held_next_renewed(&h) == NULL);
    CHECK_EQ(ack(&h, 7, KFK_ACK_ACCEPT), KFK_ERR_STATE); /* no longer held */
    kfk_share_held_free(&h);
    kfk_chunk_unref(ch);
}

TEST(a_renewing_record_may_still_be_settled_and_renewed_again) {
    kfk_chunk *ch = kfk_chunk_new(NULL);
    kfk_share_held h = {0};
    REQUIRE_EQ(kfk_share_held_add(&h, &P, 1), 0);
    REQUIRE_EQ(kfk_share_held_add(&h, &P, 2), 0);
    CHECK_EQ(kfk_share_held_ack(&h, &P, msg(ch, 1), KFK_ACK_RENEW, 1), 0);
    CHECK_EQ(kfk_share_held_ack(&h, &P, msg(ch, 1), KFK_ACK_RENEW, 1), 0); /* again */
    CHECK_EQ(refs(ch), 2);                                                   /* one reference */
    CHECK_EQ(kfk_share_held_ack(&h, &P, msg(ch, 1), KFK_ACK_ACCEPT, 1), 0);
    CHECK_EQ(refs(ch), 1);
    kfk_share_held_renewed(&h, &P, 1, 1, 0); /* answered after the accept: ignored */
    CHECK(kfk_share_held_next_renewed(&h) == NULL);
    /* Lost renewals (part NULL) end every one still waiting. */
    CHECK_EQ(kfk_share_held_ack(&h, &P, msg(ch, 2), KFK_ACK_RENEW, 1), 0);
    kfk_share_held_renewed(&h, NULL, 0, INT64_MAX, KFK_ERR_NOMEM);
    CHECK_EQ(kfk_share_held_renewing(&h), 0);
    CHECK_EQ(refs(ch), 1);
    kfk_share_held_free(&h);
    kfk_chunk_unref(ch);
}

TEST(implicit_mode_accepts_the_open_ones) {
    kfk_share_held h = {0};
    int Q;
    REQUIRE_EQ(kfk_share_held_add(&h, &P, 1), 0);
    REQUIRE_EQ(kfk_share_held_add(&h, &Q, 1), 0);
    REQUIRE_EQ(kfk_share_held_add(&h, &P, 2), 0);
    CHECK_EQ(kfk_share_held_ack(&h, &Q, msg(NULL, 1), KFK_ACK_REJECT, 1), 0); /* overrides */
    seen s = {0};
    CHECK_EQ(kfk_share_held_settle(&h, 1, record, &s), 0);
    REQUIRE_EQ(s.n, 2);
    CHECK(s.offsets[0] == 1 && s.types[0] == KFK_ACK_ACCEPT);
    CHECK(s.offsets[1] == 2 && s.types[1] == KFK_ACK_ACCEPT);
    CHECK_EQ(h.n, 0);
    kfk_share_held_free(&h);
}

TEST(close_releases_what_is_not_done) {
    kfk_chunk *ch = kfk_chunk_new(NULL);
    kfk_share_held h = {0};
    REQUIRE_EQ(kfk_share_held_add(&h, &P, 1), 0);
    REQUIRE_EQ(kfk_share_held_add(&h, &P, 2), 0);
    REQUIRE_EQ(kfk_share_held_add(&h, &P, 3), 0);
    CHECK_EQ(ack(&h, 1, KFK_ACK_ACCEPT), 0);
    CHECK_EQ(kfk_share_held_ack(&h, &P, msg(ch, 2), KFK_ACK_RENEW, 1), 0);
    seen s = {0};
    CHECK_EQ(kfk_share_held_drain(&h, KFK_ACK_RELEASE, record, &s), 0);
    REQUIRE_EQ(s.n, 2);
    CHECK(s.offsets[0] == 2 && s.types[0] == KFK_ACK_RELEASE);
    CHECK(s.offsets[1] == 3 && s.types[1] == KFK_ACK_RELEASE);
    CHECK_EQ(h.n, 0);
    CHECK_EQ(refs(ch), 1); /* the renewing one's reference given back */
    kfk_share_held_free(&h);
    kfk_chunk_unref(ch);
}

TEST(implicit_steady_state_takes_the_single_open_record) {
    kfk_chunk *ch = kfk_chunk_new(NULL);
    kfk_share_held h = {0};
    void *part = NULL;
    int64_t off = -1;
    CHECK_EQ(kfk_share_held_take_single(&h, &part, &off), 0); /* nothing held */
    REQUIRE_EQ(kfk_share_held_add(&h, &P, 4), 0);
    CHECK_EQ(kfk_share_held_take_single(&h, &part, &off), 1);
    CHECK(part == &P);
    CHECK_EQ(off, 4);
    CHECK_EQ(h.n, 0);
    CHECK_EQ(ack(&h, 4, KFK_ACK_ACCEPT), KFK_ERR_STATE); /* forgotten: accepted already */
    /* Not the steady state: two records, one acknowledged, one renewing. */
    REQUIRE_EQ(kfk_share_held_add(&h, &P, 5), 0);
    REQUIRE_EQ(kfk_share_held_add(&h, &P, 6), 0);
    CHECK_EQ(kfk_share_held_take_single(&h, &part, &off), 0);
    CHECK_EQ(h.n, 2);
    seen s = {0};
    CHECK_EQ(kfk_share_held_settle(&h, 1, record, &s), 0);
    CHECK_EQ(s.n, 2);
    REQUIRE_EQ(kfk_share_held_add(&h, &P, 7), 0);
    CHECK_EQ(ack(&h, 7, KFK_ACK_REJECT), 0);
    CHECK_EQ(kfk_share_held_take_single(&h, &part, &off), 0);
    CHECK_EQ(kfk_share_held_settle(&h, 1, record, &s), 0);
    CHECK_EQ(s.n, 2); /* rejected: no accept implied */
    CHECK_EQ(h.n, 0);
    REQUIRE_EQ(kfk_share_held_add(&h, &P, 8), 0);
    CHECK_EQ(kfk_share_held_ack(&h, &P, msg(ch, 8), KFK_ACK_RENEW, 1), 0);
    CHECK_EQ(kfk_share_held_take_single(&h, &part, &off), 0);
    CHECK_EQ(h.n, 1);
    kfk_share_held_free(&h);
    CHECK_EQ(refs(ch), 1);
    kfk_chunk_unref(ch);
}
