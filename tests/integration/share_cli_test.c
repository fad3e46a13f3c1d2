/* `kfk share consume` (the binary in the build directory, where ctest
 * runs) against the real broker. On 4.x: two runs with -c split a topic's
 * records between them, each printed once (-J, then -f); a run with
 * --ack release gives its records back (and those fetched but not printed,
 * at close), and a library share consumer then gets them with delivery
 * count 2. On 3.9: exit status 1 and
 * UNSUPPORTED_VERSION on stderr. */
#include "share_it.h"

#define N 20

/* Runs kfk share consume with args; stdout into out. Exit status. */
static int run_kfk(char *out, size_t cap, const char *boot, const char *args) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "./kfk share consume -b %s %s 2>&1", boot, args);
    return admin_sh(out, cap, "%s", cmd);
}

/* Marks in seen the "v-value-<i>" values of out's lines; returns how many. */
static int mark_values(const char *out, int *seen) {
    int n = 0;
    for (const char *p = out; (p = strstr(p, "v-value-")); n++) {
        p += 8;
        int i = atoi(p);
        if (i >= 0 && i < N) seen[i]++;
    }
    return n;
}

static void runs_share_the_records(const char *boot) {
    char topic[128], group[160], args[512];
    static char out[65536];
    REQUIRE_EQ(cit_topic(boot, topic, sizeof topic, "share-cli", 1), 0);
    snprintf(group, sizeof group, "%s-g", topic);
    REQUIRE_EQ(sit_group_config(boot, group, "share.auto.offset.reset", "earliest"), 0);
    REQUIRE_EQ(cit_kcat(boot, topic, 0, "none", "v", 0, N), 0);
    int seen[N] = {0};
    snprintf(args, sizeof args, "%s %s -c 5 -J", group, topic);
    REQUIRE_EQ(run_kfk(out, sizeof out, boot, args), 0);
    CHECK_EQ(mark_values(out, seen), 5);
    CHECK(strstr(out, "\"partition\":0") != NULL || strstr(out, "\"partition\": 0") != NULL);
    snprintf(args, sizeof args, "%s %s -c %d -f '%%s\\n'", group, topic, N - 5);
    REQUIRE_EQ(run_kfk(out, sizeof out, boot, args), 0);
    CHECK_EQ(mark_values(out, seen), N - 5);
    int once = 0;
    for (int i = 0; i < N; i++) once += seen[i] == 1;
    CHECK_EQ(once, N);

    /* Another group: three released, then read again by the library. */
    char g2[200];
    snprintf(g2, sizeof g2, "%s-2", group);
    REQUIRE_EQ(sit_group_config(boot, g2, "share.auto.offset.reset", "earliest"), 0);
    snprintf(args, sizeof args, "%s %s -c 3 -f '%%s\\n' --ack release", g2, topic);
    REQUIRE_EQ(run_kfk(out, sizeof out, boot, args), 0);
    int released[N] = {0};
    CHECK_EQ(mark_values(out, released), 3);
    kfk_share_consumer *c = sit_consumer(boot, g2, NULL);
    REQUIRE(c);
    const char *topics[1] = {topic};
    REQUIRE_EQ(kfk_share_consumer_subscribe(c, topics, 1), 0);
    int again = 0, got = 0;
    for (int64_t end = it_now_ms() + 30000; got < N && it_now_ms() < end;) {
        kfk_consumer_message *m = kfk_share_consumer_poll(c, 300);
        if (!m) continue;
        REQUIRE_EQ(m->err, 0);
        int i = sit_index(m);
        got++;
        if (i >= 0 && i < N && released[i]) {
            CHECK_EQ(m->delivery_count, 2);
            again++;
        } else {
            /* 1, or 2 when the run had fetched it too: given back at close */
            CHECK(m->delivery_count == 1 || m->delivery_count == 2);
        }
        kfk_consumer_message_release(m);
    }
    CHECK_EQ(got, N);
    CHECK_EQ(again, 3);
    CHECK_EQ(kfk_share_consumer_close(c), 0);
}

static void old_broker_fails_clearly(const char *boot) {
    static char out[8192];
    int rc = run_kfk(out, sizeof out, boot, "g-share-cli t-share-cli -c 1");
    CHECK(rc != 0);
    CHECK(strstr(out, "UNSUPPORTED_VERSION") != NULL);
}

TEST(kfk_share_consume) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    if (sit_share_groups())
        runs_share_the_records(boot);
    else
        old_broker_fails_clearly(boot);
}
