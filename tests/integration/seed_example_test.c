/* examples/seed_consumer.c (the original KafkaConsumer's usage) run against
 * the broker: every message of topic1 and of topic2 [0] from offset 12,
 * auto-commits every 10 done messages, the final commit and offsets view,
 * and a second run that starts from the group's commit. */
#include "consume_it.h"

#ifndef KFK_SEED_CONSUMER
#error "CMakeLists.txt passes the example's path"
#endif

typedef struct run_out {
    int lines[2][2]; /* message lines per topic (0: topic1, 1: topic2) and partition */
    int first2;      /* first offset read from topic2 [0]; -1: none */
    int auto_commits;
    int committed_ok, nothing_new;
    char offsets[3][256]; /* "offsets" lines: topic1 [0], topic1 [1], topic2 [0] */
    int status;
} run_out;

static void run(const char *boot, const char *t1, const char *t2, const char *group, run_out *o) {
    memset(o, 0, sizeof *o);
    o->first2 = -1;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s %s %s %s %s 2>/dev/null", KFK_SEED_CONSUMER, boot, t1, t2, group);
    FILE *f = popen(cmd, "r");
    if (!f) {
        o->status = -1;
        return;
    }
    char line[512], prefix1[200], prefix2[200], off1[220], off2[220];
    snprintf(prefix1, sizeof prefix1, "%s:", t1);
    snprintf(prefix2, sizeof prefix2, "%s:", t2);
    snprintf(off1, sizeof off1, "offsets %s [", t1);
    snprintf(off2, sizeof off2, "offsets %s [", t2);
    while (fgets(line, sizeof line, f)) {
        int part = -1, offset = -1;
        if (strncmp(line, prefix1, strlen(prefix1)) == 0 &&
            sscanf(line + strlen(prefix1), "%d:%d:", &part, &offset) == 2 && part >= 0 && part < 2)
            o->lines[0][part]++;
        else if (strncmp(line, prefix2, strlen(prefix2)) == 0 &&
                 sscanf(line + strlen(prefix2), "%d:%d:", &part, &offset) == 2 && part == 0) {
            if (o->first2 < 0) o->first2 = offset;
            o->lines[1][0]++;
        } else if (strncmp(line, "auto-committed ", 15) == 0 && strstr(line, ": NONE"))
            o->auto_commits++;
        else if (strcmp(line, "commit: ok\n") == 0)
            o->committed_ok++;
        else if (strcmp(line, "commit: nothing new\n") == 0)
            o->nothing_new++;
        else if (strncmp(line, off1, strlen(off1)) == 0 && sscanf(line + strlen(off1), "%d", &part) == 1 &&
                 part >= 0 && part < 2)
            snprintf(o->offsets[part], sizeof o->offsets[0], "%s", line + strlen(off1) - 1);
        else if (strncmp(line, off2, strlen(off2)) == 0)
            snprintf(o->offsets[2], sizeof o->offsets[0], "%s", line + strlen(off2) - 1);
    }
    o->status = pclose(f);
}

static int64_t committed_of(kfk_consumer *c, const char *topic, int32_t partition) {
    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, topic, partition);
    int err = kfk_consumer_committed(c, l, 10000);
    int64_t off = err ? -999 : l->elems[0].offset;
    kfk_partition_list_destroy(l);
    return off;
}

TEST(seed_consumer_example_runs_as_documented) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char t1[160], t2[160], group[160];
    REQUIRE(cit_topic(boot, t1, sizeof t1, "seed1", 2) == 0);
    REQUIRE(cit_topic(boot, t2, sizeof t2, "seed2", 1) == 0);
    it_topic(group, sizeof group, "g-seed");
    REQUIRE(cit_kcat(boot, t1, 0, "none", "a", 0, 30) == 0);
    REQUIRE(cit_kcat(boot, t1, 1, "none", "b", 0, 25) == 0);
    REQUIRE(cit_kcat(boot, t2, 0, "none", "c", 0, 20) == 0);

    static run_out o;
    run(boot, t1, t2, group, &o);
    CHECK_EQ(o.status, 0);
    CHECK_EQ(o.lines[0][0], 30);
    CHECK_EQ(o.lines[0][1], 25);
    CHECK_EQ(o.lines[1][0], 8); /* 12..19 */
    CHECK_EQ(o.first2, 12);
    CHECK(o.auto_commits > 0); /* every 10 done messages, inside poll */
    CHECK_EQ(o.committed_ok + o.nothing_new, 1);
    CHECK_STR(o.offsets[0], "[0]: fetch 30 highwater 30 commit 30 task_done 30\n");
    CHECK_STR(o.offsets[1], "[1]: fetch 25 highwater 25 commit 25 task_done 25\n");
    CHECK_STR(o.offsets[2], "[0]: fetch 20 highwater 20 commit 20 task_done 20\n");

    kfk_consumer *c = cit_consumer(boot, "group.id", group, NULL);
    REQUIRE(c);
    CHECK_EQ(committed_of(c, t1, 0), 30);
    CHECK_EQ(committed_of(c, t1, 1), 25);
    CHECK_EQ(committed_of(c, t2, 0), 20);
    kfk_consumer_destroy(c);

    /* Again: topic1 from the group's commit (nothing new), topic2 [0] from
     * 12 as the example says; nothing new to commit at the end. */
    REQUIRE(cit_kcat(boot, t1, 1, "none", "b", 25, 5) == 0);
    run(boot, t1, t2, group, &o);
    CHECK_EQ(o.status, 0);
    CHECK_EQ(o.lines[0][0], 0);
    CHECK_EQ(o.lines[0][1], 5);
    CHECK_EQ(o.lines[1][0], 8);
    CHECK_STR(o.offsets[0], "[0]: fetch 30 highwater 30 commit 30 task_done -1001\n");
    CHECK_STR(o.offsets[1], "[1]: fetch 30 highwater 30 commit 30 task_done 30\n");
}
