/* Messages are views into the fetched buffers: no copy per message, a
 * reference per message on its chunk, released in any order, and valid
 * after the consumer is destroyed until released (ASan checks the rest). */
#include <unistd.h>

#include "consume_it.h"
#include "consumer/chunk.h"

enum { N = 100 };

static int refs(const kfk_consumer_message *m) { return atomic_load(&kfk_cmsg(m)->chunk->refs); }

static void check_views(const char *codec) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128];
    REQUIRE(cit_topic(boot, topic, sizeof topic, codec, 1) == 0);
    REQUIRE(cit_kcat(boot, topic, 0, codec, "z", 0, N) == 0);
    kfk_consumer *c = cit_consumer(boot, NULL);
    REQUIRE(c);
    REQUIRE(cit_assign(c, topic, 1, 0) == 0);
    static kfk_consumer_message *m[N];
    REQUIRE_EQ(cit_drain(c, m, N, 10000), N);
    /* Each chunk is referenced once per message still out, no more. The
     * fetcher drops its own reference just after publishing the messages,
     * so give the I/O thread a moment to do so. */
    for (int i = 0; i < N; i++) {
        int same = 0;
        for (int j = 0; j < N; j++) same += kfk_cmsg(m[j])->chunk == kfk_cmsg(m[i])->chunk;
        for (int wait = 0; wait < 200 && refs(m[i]) != same; wait++) usleep(10 * 1000);
        CHECK_EQ(refs(m[i]), same);
    }
    /* Records of one batch sit back to back in one buffer: each value lies
     * just after the previous record's, in place (kcat's batches hold up
     * to 64 records, so only a few pairs straddle batches). */
    int adjacent = 0;
    for (int i = 1; i < N; i++) {
        const char *a = m[i - 1]->value, *b = m[i]->value;
        adjacent += kfk_cmsg(m[i])->chunk == kfk_cmsg(m[i - 1])->chunk && b > a && b - a < 64;
    }
    CHECK(adjacent >= N - 5);
    if (strcmp(codec, "none") != 0) CHECK(kfk_cmsg(m[0])->chunk->zbufs != NULL);
    /* Release out of order: odd ones first, then even ones backwards. */
    kfk_chunk *ch = kfk_cmsg(m[0])->chunk;
    int left = refs(m[0]);
    for (int i = 1; i < N; i += 2) {
        if (kfk_cmsg(m[i])->chunk == ch) left--;
        kfk_consumer_message_release(m[i]);
    }
    CHECK_EQ(atomic_load(&ch->refs), left);
    CHECK(cit_is(m[0], "z", 0)); /* still readable */
    for (int i = (N - 1) & ~1; i >= 0; i -= 2) kfk_consumer_message_release(m[i]);
    kfk_consumer_destroy(c);
}

TEST(views_none) { check_views("none"); }
TEST(views_lz4) { check_views("lz4"); }

TEST(destroy_with_unreleased_messages) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128];
    REQUIRE(cit_topic(boot, topic, sizeof topic, "unreleased", 1) == 0);
    REQUIRE(cit_kcat(boot, topic, 0, "zstd", "u", 0, N) == 0);
    kfk_consumer *c = cit_consumer(boot, NULL);
    REQUIRE(c);
    REQUIRE(cit_assign(c, topic, 1, 0) == 0);
    kfk_consumer_message *m[10];
    REQUIRE_EQ(cit_drain(c, m, 10, 10000), 10);
    kfk_consumer_destroy(c); /* drops the queued rest */
    for (int i = 0; i < 10; i++) {
        CHECK(cit_is(m[i], "u", i));
        CHECK_STR(m[i]->topic, topic);
        kfk_consumer_message_release(m[i]);
    }
}
