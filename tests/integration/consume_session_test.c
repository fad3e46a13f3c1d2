/* Fetch sessions (KIP-227) against a real broker: consuming several
 * partitions while assigning, unassigning, pausing, resuming and seeking
 * gives every message exactly once and in order, and most requests are
 * incremental; with enable.fetch.sessions=false every request is full. */
#include "consume_it.h"
#include "consumer/consumer_int.h"

enum { NP = 4, N = 150 };

/* What each partition should give next; partition p holds "p<p>-*-<offset>". */
typedef struct track {
    const char *topic;
    int64_t next[NP];
    int assigned[NP];
    int bad; /* messages out of order, duplicated, foreign or unassigned */
} track;

static int take_one(track *t, const kfk_consumer_message *m) {
    int p = m->partition;
    char prefix[8];
    snprintf(prefix, sizeof prefix, "p%d", p);
    if (p < 0 || p >= NP || !t->assigned[p] || strcmp(m->topic, t->topic) != 0 ||
        m->offset != t->next[p] || !cit_is(m, prefix, (int)m->offset)) {
        kfk_test_fail(__FILE__, __LINE__, "partition %d offset %lld: expected %lld%s", p,
                      (long long)m->offset, (long long)(p >= 0 && p < NP ? t->next[p] : -1),
                      p >= 0 && p < NP && !t->assigned[p] ? " (not assigned)" : "");
        return ++t->bad < 5;
    }
    t->next[p]++;
    return 1;
}

/* Polls until every partition's next offset reaches upto[p] (-1: any),
 * within 30 s. 1 when it did. */
static int take_until(kfk_consumer *c, track *t, const int64_t *upto) {
    int64_t until = it_now_ms() + 30000;
    for (;;) {
        int done = 1;
        for (int p = 0; p < NP; p++) done &= upto[p] < 0 || t->next[p] >= upto[p];
        if (done) return 1;
        if (it_now_ms() > until) return 0;
        kfk_consumer_message *m = kfk_consumer_poll(c, 100);
        if (!m) continue;
        int ok = m->err || take_one(t, m);
        kfk_consumer_message_release(m);
        if (!ok) return 0;
    }
}

static int fill(const char *boot, const char *topic, int p, int first, int count) {
    char prefix[8];
    snprintf(prefix, sizeof prefix, "p%d", p);
    return cit_kcat(boot, topic, p, "none", prefix, first, count);
}

static kfk_partition_list *parts_of(const char *topic, int64_t offset, int a, int b) {
    kfk_partition_list *l = kfk_partition_list_new(2);
    kfk_partition_list_add(l, topic, a)->offset = offset;
    if (b >= 0) kfk_partition_list_add(l, topic, b)->offset = offset;
    return l;
}

/* Runs f(c, list) on a one- or two-partition list of t's topic. */
static int with_parts(kfk_consumer *c, int (*f)(kfk_consumer *, kfk_partition_list *), track *t,
                      int a, int b) {
    kfk_partition_list *l = parts_of(t->topic, 0, a, b);
    int rc = f(c, l);
    kfk_partition_list_destroy(l);
    return rc;
}

static int add(kfk_consumer *c, kfk_partition_list *l) {
    return kfk_consumer_incremental_assign(c, l);
}

static int drop(kfk_consumer *c, kfk_partition_list *l) {
    return kfk_consumer_incremental_unassign(c, l);
}

static void print_stats(const char *what, kfk_consumer *c) {
    kfk_fetch_session_stats fs;
    kfk_consumer_fetch_session_stats(c, &fs);
    fprintf(stderr,
            "%s: %lld full, %lld incremental requests; %lld partitions listed, %lld forgotten, "
            "%lld resets\n",
            what, (long long)fs.full, (long long)fs.incremental, (long long)fs.listed,
            (long long)fs.forgotten, (long long)fs.resets);
}

TEST(sessions_through_assign_pause_seek_unassign) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128];
    REQUIRE(cit_topic(boot, topic, sizeof topic, "session", NP) == 0);
    for (int p = 0; p < NP; p++) REQUIRE(fill(boot, topic, p, 0, N) == 0);
    kfk_consumer *c = cit_consumer(boot, "fetch.max.wait.ms", "100", NULL);
    REQUIRE(c);
    track t = {.topic = topic};

    /* Two partitions, then two more while live data comes to the first. */
    t.assigned[0] = t.assigned[1] = 1;
    CHECK_EQ(with_parts(c, add, &t, 0, 1), 0);
    CHECK(take_until(c, &t, (int64_t[NP]){N, N, -1, -1}));
    t.assigned[2] = t.assigned[3] = 1;
    CHECK_EQ(with_parts(c, add, &t, 2, 3), 0);
    CHECK(fill(boot, topic, 0, N, 100) == 0);
    CHECK(take_until(c, &t, (int64_t[NP]){N + 100, N, N, N}));

    /* Paused: left out of the session; resumed: back from where it was. */
    CHECK_EQ(with_parts(c, kfk_consumer_pause, &t, 2, -1), 0);
    CHECK(fill(boot, topic, 2, N, 50) == 0);
    CHECK(fill(boot, topic, 1, N, 50) == 0);
    CHECK(take_until(c, &t, (int64_t[NP]){-1, N + 50, -1, -1}));
    CHECK_EQ(with_parts(c, kfk_consumer_resume, &t, 2, -1), 0);
    CHECK(take_until(c, &t, (int64_t[NP]){-1, -1, N + 50, -1}));

    /* A seek back is sent to the broker even though the session knew the
     * partition at its end. */
    CHECK_EQ(kfk_consumer_seek(c, topic, 3, 40), 0);
    t.next[3] = 40;
    CHECK(take_until(c, &t, (int64_t[NP]){-1, -1, -1, N}));

    /* Unassigned: nothing more from it, while the others go on. */
    t.assigned[0] = 0;
    CHECK_EQ(with_parts(c, drop, &t, 0, -1), 0);
    CHECK(fill(boot, topic, 0, N + 100, 50) == 0);
    CHECK(fill(boot, topic, 3, N, 50) == 0);
    CHECK(take_until(c, &t, (int64_t[NP]){-1, -1, -1, N + 50}));

    /* Nothing else arrives: no duplicate, nothing from partition 0. */
    int64_t quiet = it_now_ms() + 1500;
    while (it_now_ms() < quiet && !t.bad) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 100);
        if (m && !m->err) take_one(&t, m);
        kfk_consumer_message_release(m);
    }
    CHECK_EQ(t.bad, 0);
    CHECK_EQ(t.next[0], N + 100);
    CHECK_EQ(t.next[1], N + 50);
    CHECK_EQ(t.next[2], N + 50);
    CHECK_EQ(t.next[3], N + 50);

    kfk_fetch_session_stats fs;
    kfk_consumer_fetch_session_stats(c, &fs);
    kfk_consumer_stats st;
    kfk_consumer_stats_get(c, &st);
    print_stats("sessions on", c);
    CHECK(fs.full >= 1);
    CHECK(fs.incremental > 3 * fs.full); /* most requests are incremental */
    CHECK_EQ(fs.full + fs.incremental, st.fetch_requests);
    CHECK(fs.forgotten >= 2); /* the pause and the unassign */
    kfk_consumer_destroy(c);
}

TEST(sessions_off_sends_full_requests) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128];
    REQUIRE(cit_topic(boot, topic, sizeof topic, "nosession", NP) == 0);
    for (int p = 0; p < NP; p++) REQUIRE(fill(boot, topic, p, 0, N) == 0);
    kfk_consumer *c =
        cit_consumer(boot, "fetch.max.wait.ms", "100", "enable.fetch.sessions", "false", NULL);
    REQUIRE(c);
    track t = {.topic = topic};
    for (int p = 0; p < NP; p++) t.assigned[p] = 1;
    REQUIRE(cit_assign(c, topic, NP, 0) == 0);
    CHECK(take_until(c, &t, (int64_t[NP]){N, N, N, N}));
    CHECK(fill(boot, topic, 1, N, 50) == 0);
    CHECK(take_until(c, &t, (int64_t[NP]){N, N + 50, N, N}));
    CHECK_EQ(t.bad, 0);

    kfk_fetch_session_stats fs;
    kfk_consumer_fetch_session_stats(c, &fs);
    kfk_consumer_stats st;
    kfk_consumer_stats_get(c, &st);
    print_stats("sessions off", c);
    CHECK_EQ(fs.incremental, 0);
    CHECK(fs.full > 0);
    CHECK_EQ(fs.full, st.fetch_requests);
    CHECK_EQ(fs.forgotten, 0);
    kfk_consumer_destroy(c);
}
