/* group.protocol=consumer (KIP-848) against the real broker. On Kafka 4:
 * two kfk members share a topic's partitions as the broker assigns them,
 * every message reaches exactly one of them, commits carry the member
 * epoch, and when one leaves the other takes over from its commits; then
 * the same with the Java client's consumer (GroupConsume.java) as the
 * other member. On Kafka 3.9, whose broker has the protocol off by
 * default, the member stops with a clear error instead of hanging. */
#include "group_it.h"
#include "java_it.h"

static kfk_consumer *member(const char *boot, const char *group) {
    return cit_consumer(boot, "group.id", group, "group.protocol", "consumer",
                        "auto.offset.reset", "earliest", "enable.auto.commit", "false", NULL);
}

/* The broker's version as scripts/run-tests (KFK_BROKER_VERSION) or
 * tests/integration/broker.sh (KFK_KAFKA_VERSION_RUNNING) started it; a
 * broker named only by KFK_BOOTSTRAP is taken to be kafka-local's default,
 * 4.4.0. */
static int kafka4(void) {
    const char *v = getenv("KFK_BROKER_VERSION");
    if (!v || !*v) v = getenv("KFK_KAFKA_VERSION_RUNNING");
    return !v || !*v || v[0] != '3';
}

static void members_share_partitions_and_take_over_after_a_leave(const char *boot) {
    char topic[128], group[160];
    REQUIRE_EQ(cit_topic(boot, topic, sizeof topic, "kip848", 6), 0);
    snprintf(group, sizeof group, "%s-g", topic);
    git_seen seen;
    git_seen_init(&seen);
    git_member m1, m2;
    git_start(&m1, 1, member(boot, group), &seen, topic);
    git_start(&m2, 2, member(boot, group), &seen, topic);
    git_member *both[2] = {&m1, &m2};
    REQUIRE(git_wait_assigned(both, 2, 6, 60000));
    CHECK(kfk_consumer_generation(m1.c) > 0);

    REQUIRE_EQ(git_produce(boot, topic, 6, "a", 0, 600), 0);
    CHECK(git_wait_total(&seen, 600, 60000));
    CHECK_EQ(seen.dups, 0);
    CHECK(atomic_load(&m1.got) > 0);
    CHECK(atomic_load(&m2.got) > 0);
    /* OffsetCommit v9 with the member epoch. */
    CHECK_EQ(git_commit(&m1), 0);
    CHECK_EQ(git_commit(&m2), 0);

    /* m2 leaves (epoch -1): m1 gets all six and resumes at m2's commits. */
    git_stop(&m2, 1);
    git_member *one[1] = {&m1};
    CHECK(git_wait_assigned(one, 1, 6, 60000));
    REQUIRE_EQ(git_produce(boot, topic, 6, "a", 600, 300), 0);
    CHECK(git_wait_total(&seen, 900, 60000));
    CHECK_EQ(seen.dups, 0);
    kfk_consumer_stats st;
    kfk_consumer_stats_get(m1.c, &st);
    CHECK(st.rebalances >= 2);
    git_stop(&m1, 1);
}

/* What the Java member printed so far: its partition count, and each
 * message index it got (counted into seen, whose dups then include any
 * message both members got). */
typedef struct jout {
    int assigned;
    int done;
    int lines; /* "msg" lines already counted */
} jout;

static void read_java(const char *path, jout *j, git_seen *seen) {
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[256];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        int k;
        if (sscanf(line, "assigned %d", &k) == 1) j->assigned = k;
        j->done |= strcmp(line, "done\n") == 0;
        const char *v = strstr(line, "-value-");
        int i;
        if (strncmp(line, "msg ", 4) || !v || sscanf(v + 7, "%d", &i) != 1) continue;
        if (n++ < j->lines || i < 0 || i >= GIT_MAX_MSGS) continue;
        j->lines = n;
        pthread_mutex_lock(&seen->lock);
        if (seen->count[i]++)
            seen->dups++;
        else
            seen->total++;
        pthread_mutex_unlock(&seen->lock);
    }
    fclose(f);
}

/* Polls the Java member's output until cond holds or 60 s pass. */
#define JAVA_WAIT(path, j, seen, cond)                                    \
    do {                                                                  \
        for (int64_t end_ = it_now_ms() + 60000; it_now_ms() < end_;) {   \
            read_java(path, j, seen);                                     \
            if (cond) break;                                              \
            usleep(100 * 1000);                                           \
        }                                                                 \
    } while (0)

static void mixed_with_java(const char *boot) {
    REQUIRE_EQ(jit_compile("GroupConsume"), 0);
    char topic[128], group[160], out[256], cmd[2048];
    REQUIRE_EQ(cit_topic(boot, topic, sizeof topic, "kip848-java", 6), 0);
    snprintf(group, sizeof group, "%s-g", topic);
    git_seen seen;
    git_seen_init(&seen);
    git_member m1;
    git_start(&m1, 1, member(boot, group), &seen, topic);
    git_member *one[1] = {&m1};
    REQUIRE(git_wait_assigned(one, 1, 6, 60000));

    snprintf(out, sizeof out, "%s/%s.out", jit_dir, topic);
    snprintf(cmd, sizeof cmd,
             "java -Dlog4j2.level=OFF -cp '%s' GroupConsume %s %s %s >'%s' 2>'%s/%s.err'",
             jit_cp, boot, topic, group, out, jit_dir, topic);
    FILE *java = popen(cmd, "w");
    REQUIRE(java != NULL);
    jout j = {0};
    /* The broker moves some partitions to the Java member. */
    JAVA_WAIT(out, &j, &seen, j.assigned > 0 && git_assigned(&m1) + j.assigned == 6);
    CHECK(j.assigned > 0);
    CHECK_EQ(git_assigned(&m1) + j.assigned, 6);

    REQUIRE_EQ(git_produce(boot, topic, 6, "j", 0, 600), 0);
    JAVA_WAIT(out, &j, &seen, seen.total >= 600);
    CHECK_EQ(seen.total, 600);
    CHECK_EQ(seen.dups, 0);
    CHECK(atomic_load(&m1.got) > 0 && atomic_load(&m1.got) < 600);

    /* The Java member commits and leaves; kfk takes everything over. */
    fputs("stop\n", java);
    fflush(java);
    CHECK_EQ(pclose(java), 0);
    read_java(out, &j, &seen);
    CHECK(j.done);
    CHECK(git_wait_assigned(one, 1, 6, 60000));
    REQUIRE_EQ(git_produce(boot, topic, 6, "j", 600, 300), 0);
    CHECK(git_wait_total(&seen, 900, 60000));
    CHECK_EQ(seen.dups, 0);
    git_stop(&m1, 1);
}

static void a_broker_without_the_protocol_gives_a_clear_error(const char *boot) {
    char topic[128], group[160];
    REQUIRE_EQ(cit_topic(boot, topic, sizeof topic, "kip848-off", 1), 0);
    snprintf(group, sizeof group, "%s-g", topic);
    kfk_consumer *c = member(boot, group);
    REQUIRE(c);
    const char *topics[1] = {topic};
    REQUIRE_EQ(kfk_consumer_subscribe(c, topics, 1), 0);
    int err = 0;
    for (int64_t end = it_now_ms() + 30000; !err && it_now_ms() < end;) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 200);
        if (m && m->err) err = m->err;
        kfk_consumer_message_release(m);
    }
    CHECK_EQ(err, KFK_ERR_UNSUPPORTED_VERSION);
    kfk_consumer_destroy(c);
}

/* Which of the two depends on the broker the suite runs against. */
TEST(consumer_protocol) {
    const char *boot = it_bootstrap();
    if (kafka4()) {
        members_share_partitions_and_take_over_after_a_leave(boot);
        mixed_with_java(boot);
    } else
        a_broker_without_the_protocol_gives_a_clear_error(boot);
}
