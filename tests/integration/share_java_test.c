/* kfk share consumers and the Java client's KafkaShareConsumer
 * (ShareConsume.java) in one share group over a 2-partition topic: every
 * record is accepted exactly once between them, and more members than
 * partitions (two kfk, one Java) all get records. On a broker without
 * share groups: the error at once. */
#include "java_it.h"
#include "share_it.h"

#define N 3000

/* Counts the values of the Java member's "msg DC VALUE" lines into seen;
 * returns how many; *done when it printed "done", *polling "polling". */
static int read_java(const char *path, int *seen, int *done, int *polling) {
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char line[512];
    int n = 0;
    memset(seen, 0, N * sizeof *seen);
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "done", 4)) *done = 1;
        if (!strncmp(line, "polling", 7)) *polling = 1;
        const char *v = strstr(line, "j-value-");
        if (strncmp(line, "msg ", 4) || !v) continue;
        int i = atoi(v + 8);
        if (i >= 0 && i < N) seen[i]++;
        n++;
    }
    fclose(f);
    return n;
}

static void kfk_and_java_share_the_records(const char *boot) {
    REQUIRE_EQ(jit_compile("ShareConsume"), 0);
    char topic[128], group[160], out[256], cmd[2048];
    REQUIRE_EQ(cit_topic(boot, topic, sizeof topic, "share-java", 2), 0);
    snprintf(group, sizeof group, "%s-g", topic);
    REQUIRE_EQ(sit_group_config(boot, group, "share.auto.offset.reset", "earliest"), 0);
    snprintf(out, sizeof out, "%s/%s.out", jit_dir, topic);
    snprintf(cmd, sizeof cmd,
             "java -Dlog4j2.level=OFF -cp '%s' ShareConsume %s %s %s >'%s' 2>'%s/%s.err'", jit_cp,
             boot, topic, group, out, jit_dir, topic);
    FILE *java = popen(cmd, "w");
    REQUIRE(java != NULL);
    static int jseen[N], kseen[N];
    int done = 0, polling = 0;
    for (int64_t end = it_now_ms() + 60000; !polling && it_now_ms() < end;) {
        read_java(out, jseen, &done, &polling);
        usleep(100 * 1000);
    }
    CHECK(polling);
    kfk_share_consumer *c[2];
    const char *topics[1] = {topic};
    for (int i = 0; i < 2; i++) {
        c[i] = sit_consumer(boot, group, "max.poll.records", "100", NULL);
        REQUIRE(c[i]);
        REQUIRE_EQ(kfk_share_consumer_subscribe(c[i], topics, 1), 0);
    }
    /* Every member joins before there is anything to take. */
    for (int64_t t = it_now_ms() + 6000; it_now_ms() < t;)
        for (int i = 0; i < 2; i++) kfk_consumer_message_release(kfk_share_consumer_poll(c[i], 100));
    REQUIRE_EQ(cit_kcat(boot, topic, 0, "none", "j", 0, N / 2), 0);
    REQUIRE_EQ(cit_kcat(boot, topic, 1, "none", "j", N / 2, N / 2), 0);
    memset(kseen, 0, sizeof kseen);
    int got[2] = {0, 0}, jn = 0;
    for (int64_t end = it_now_ms() + 90000; it_now_ms() < end;) {
        for (int i = 0; i < 2; i++) {
            kfk_consumer_message *m = kfk_share_consumer_poll(c[i], 100);
            if (!m) continue;
            REQUIRE_EQ(m->err, 0);
            int k = sit_index(m);
            if (k >= 0 && k < N) {
                kseen[k]++;
                got[i]++;
            }
            kfk_consumer_message_release(m);
        }
        jn = read_java(out, jseen, &done, &polling);
        if (got[0] + got[1] + jn >= N) break;
    }
    for (int i = 0; i < 2; i++) CHECK_EQ(kfk_share_consumer_close(c[i]), 0);
    fputs("stop\n", java);
    fflush(java);
    CHECK_EQ(pclose(java), 0);
    jn = read_java(out, jseen, &done, &polling);
    CHECK(done);
    CHECK_EQ(got[0] + got[1] + jn, N);
    int once = 0;
    for (int k = 0; k < N; k++) once += kseen[k] + jseen[k] == 1;
    CHECK_EQ(once, N);
    CHECK(got[0] > 0);
    CHECK(got[1] > 0);
    CHECK(jn > 0);
    fprintf(stderr, "share_java: kfk %d + %d, Java %d\n", got[0], got[1], jn);
}

TEST(share_group_with_the_java_client) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    if (sit_share_groups())
        kfk_and_java_share_the_records(boot);
    else
        sit_unsupported_at_once(boot);
}
