/* Closing fetch sessions at kfk_consumer_close (KIP-227) against a real
 * broker: close reports (through the log callback) every open session
 * closed, and a later consumer in the same process fetches with a session
 * of its own. With sessions off, close sends nothing. */
#include <pthread.h>

#include "consume_it.h"
#include "consumer/consumer_int.h"

enum { NP = 2, N = 60 };

typedef struct closelog {
    pthread_mutex_t lock;
    int lines, closed, sent;
} closelog;

static void on_log(void *opaque, const char *msg) {
    closelog *l = opaque;
    int closed, sent;
    if (sscanf(msg, "fetch sessions closed: %d of %d", &closed, &sent) != 2) return;
    pthread_mutex_lock(&l->lock);
    l->lines++;
    l->closed += closed;
    l->sent += sent;
    pthread_mutex_unlock(&l->lock);
}

/* Drains n messages of prefix "p" from a fresh assignment of topic from
 * the start, each once and in order per partition; 1 when all came. */
static int consume_all(kfk_consumer *c, const char *topic, int n) {
    if (cit_assign(c, topic, NP, KFK_OFFSET_BEGINNING)) return 0;
    int64_t next[NP] = {0};
    int got = 0, bad = 0;
    int64_t until = it_now_ms() + 30000;
    while (got < n && !bad && it_now_ms() < until) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 100);
        if (!m) continue;
        if (!m->err) {
            bad = m->partition < 0 || m->partition >= NP || m->offset != next[m->partition] ||
                  !cit_is(m, "p", (int)m->offset);
            if (!bad) next[m->partition]++;
            got++;
        }
        kfk_consumer_message_release(m);
    }
    return got == n && !bad;
}

/* Polls until c has sent an incremental Fetch (its session is confirmed
 * by the broker), within 30 s. */
static int session_open(kfk_consumer *c) {
    int64_t until = it_now_ms() + 30000;
    kfk_fetch_session_stats fs;
    for (;;) {
        kfk_consumer_fetch_session_stats(c, &fs);
        if (fs.incremental > 0 || it_now_ms() > until) return fs.incremental > 0;
        kfk_consumer_message_release(kfk_consumer_poll(c, 100));
    }
}

static int fill(const char *boot, const char *topic) {
    for (int p = 0; p < NP; p++)
        if (cit_kcat(boot, topic, p, "none", "p", 0, N / NP)) return -1;
    return 0;
}

TEST(close_closes_sessions_and_a_later_consumer_works) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128];
    REQUIRE(cit_topic(boot, topic, sizeof topic, "sessclose", NP) == 0);
    REQUIRE(fill(boot, topic) == 0);

    for (int round = 0; round < 2; round++) {
        closelog log = {.lock = PTHREAD_MUTEX_INITIALIZER};
        kfk_consumer *c = cit_consumer(boot, "fetch.max.wait.ms", "100", NULL);
        REQUIRE(c);
        kfk_consumer_set_log_cb(c, on_log, &log);
        CHECK(consume_all(c, topic, N));
        CHECK(session_open(c));
        CHECK_EQ(kfk_consumer_close(c), 0);
        pthread_mutex_lock(&log.lock);
        CHECK_EQ(log.lines, 1);
        CHECK(log.sent >= 1);
        CHECK_EQ(log.closed, log.sent);
        pthread_mutex_unlock(&log.lock);
        pthread_mutex_destroy(&log.lock);
    }
}

TEST(close_without_sessions_sends_nothing) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128];
    REQUIRE(cit_topic(boot, topic, sizeof topic, "nosessclose", NP) == 0);
    REQUIRE(fill(boot, topic) == 0);
    closelog log = {.lock = PTHREAD_MUTEX_INITIALIZER};
    kfk_consumer *c = cit_consumer(boot, "fetch.max.wait.ms", "100", "enable.fetch.sessions",
                                   "false", NULL);
    REQUIRE(c);
    kfk_consumer_set_log_cb(c, on_log, &log);
    CHECK(consume_all(c, topic, N));
    CHECK_EQ(kfk_consumer_close(c), 0);
    CHECK_EQ(log.lines, 0);
    pthread_mutex_destroy(&log.lock);
}
