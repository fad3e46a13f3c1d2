/* Issue 16's shape of a share group: three kfk share consumers (a thread
 * each) and one Java KafkaShareConsumer (ShareConsume.java) in one group
 * over a 2-partition topic of 30,000 records. Counted per record across
 * all four: each is delivered once, to one member, and accepted (no
 * acknowledgement fails, and a member joining afterwards finds nothing
 * left). All four, more members than partitions, get records. On a broker
 * without share groups: the error at once. */
#include <pthread.h>
#include <stdatomic.h>

#include "java_it.h"
#include "share_members_it.h"

#define N 30000
#define NKFK 3

typedef struct member {
    kfk_share_consumer *c;
    pthread_t th;
    atomic_int got;     /* records of this test it was given */
    int err, ack_failed, close_rc, redelivered;
    unsigned char seen[N];
} member;

static atomic_int stop_polling;

static void count_failed_acks(kfk_share_consumer *c, const kfk_partition_list *res, void *opaque) {
    (void)c;
    member *m = opaque;
    for (int i = 0; i < res->count; i++) m->ack_failed += res->elems[i].err != 0;
}

/* Polls until told to stop, then closes (which accepts the last record). */
static void *poll_member(void *arg) {
    member *m = arg;
    while (!atomic_load(&stop_polling) && !m->err) {
        kfk_consumer_message *msg = kfk_share_consumer_poll(m->c, 100);
        if (!msg) continue;
        int k = msg->err ? -1 : sit_index(msg);
        if (msg->err) m->err = msg->err;
        else if (k >= 0 && k < N) {
            m->seen[k]++;
            m->redelivered += msg->delivery_count != 1;
            atomic_fetch_add(&m->got, 1);
        }
        kfk_consumer_message_release(msg);
    }
    m->close_rc = kfk_share_consumer_close(m->c);
    return NULL;
}

/* The Java member's output, read as it grows: "polling" once, then
 * "msg DELIVERY_COUNT m-value-I" per record, "done" after its close. */
typedef struct java_out {
    FILE *f;
    int polling, done, got, redelivered, stray;
    unsigned char seen[N];
} java_out;

static void java_read(java_out *j, const char *path) {
    if (!j->f && !(j->f = fopen(path, "r"))) return;
    char line[256];
    for (long at = ftell(j->f); fgets(line, sizeof line, j->f); at = ftell(j->f)) {
        if (!strchr(line, '\n')) { /* half written: read it again later */
            fseek(j->f, at, SEEK_SET);
            break;
        }
        int dc = 0, k = -1;
        if (!strncmp(line, "polling", 7)) j->polling = 1;
        else if (!strncmp(line, "done", 4)) j->done = 1;
        else if (sscanf(line, "msg %d m-value-%d", &dc, &k) == 2 && k >= 0 && k < N) {
            j->seen[k]++;
            j->got++;
            j->redelivered += dc != 1;
        } else j->stray++;
    }
    clearerr(j->f);
}

/* Waits until the group has every member, each with partitions. */
static int all_joined(const char *boot, const char *group, int members) {
    int assigned = 0;
    for (int64_t end = it_now_ms() + 60000; it_now_ms() < end; usleep(200 * 1000))
        if (smi_members(boot, group, &assigned) == members && assigned == members) return 1;
    return 0;
}

/* A member joining after the others closed: what it gets in wait_ms. */
static int left_over(const char *boot, const char *group, const char *topic, int wait_ms) {
    kfk_share_consumer *c = sit_consumer(boot, group, NULL);
    if (!c) return -1;
    const char *topics[1] = {topic};
    int n = kfk_share_consumer_subscribe(c, topics, 1) ? -1 : 0;
    for (int64_t end = it_now_ms() + wait_ms; n >= 0 && it_now_ms() < end;) {
        kfk_consumer_message *m = kfk_share_consumer_poll(c, 200);
        n += m && !m->err;
        kfk_consumer_message_release(m);
    }
    kfk_share_consumer_close(c);
    return n;
}

static void four_members_share_the_records(const char *boot) {
    int64_t t0 = it_now_ms();
    REQUIRE_EQ(jit_compile("ShareConsume"), 0);
    int64_t t_compiled = it_now_ms();
    char topic[128], group[160], out[256], cmd[2048];
    REQUIRE_EQ(cit_topic(boot, topic, sizeof topic, "share-many", 2), 0);
    snprintf(group, sizeof group, "%s-g", topic);
    REQUIRE_EQ(sit_group_config(boot, group, "share.auto.offset.reset", "earliest"), 0);
    snprintf(out, sizeof out, "%s/%s.out", jit_dir, topic);
    snprintf(cmd, sizeof cmd,
             "java -Dlog4j2.level=OFF -cp '%s' ShareConsume %s %s %s >'%s' 2>'%s/%s.err'", jit_cp,
             boot, topic, group, out, jit_dir, topic);
    FILE *java = popen(cmd, "w");
    REQUIRE(java != NULL);
    static java_out j;
    memset(&j, 0, sizeof j);

    /* The kfk members join while the JVM starts. */
    static member m[NKFK];
    memset(m, 0, sizeof m);
    atomic_store(&stop_polling, 0);
    const char *topics[1] = {topic};
    for (int i = 0; i < NKFK; i++) {
        m[i].c = sit_consumer(boot, group, "max.poll.records", "100", NULL);
        REQUIRE(m[i].c);
        kfk_share_consumer_set_ack_cb(m[i].c, count_failed_acks, &m[i]);
        REQUIRE_EQ(kfk_share_consumer_subscribe(m[i].c, topics, 1), 0);
        REQUIRE_EQ(pthread_create(&m[i].th, NULL, poll_member, &m[i]), 0);
    }
    /* Every member has its partitions before there is anything to take. */
    CHECK(all_joined(boot, group, NKFK + 1));
    java_read(&j, out);
    CHECK(j.polling);
    int64_t t_joined = it_now_ms();
    REQUIRE_EQ(cit_kcat(boot, topic, 0, "none", "m", 0, N / 2), 0);
    REQUIRE_EQ(cit_kcat(boot, topic, 1, "none", "m", N / 2, N / 2), 0);
    int64_t t_produced = it_now_ms();
    int total = 0;
    for (int64_t end = it_now_ms() + 60000; total < N && it_now_ms() < end; usleep(20 * 1000)) {
        java_read(&j, out);
        total = j.got;
        for (int i = 0; i < NKFK; i++) total += atomic_load(&m[i].got);
    }
    int64_t t_read = it_now_ms();
    atomic_store(&stop_polling, 1);
    for (int i = 0; i < NKFK; i++) pthread_join(m[i].th, NULL);
    fputs("stop\n", java);
    fflush(java);
    CHECK_EQ(pclose(java), 0);
    java_read(&j, out);
    CHECK(j.done);
    if (j.f) fclose(j.f);

    int got = j.got, once = 0;
    for (int i = 0; i < NKFK; i++) {
        CHECK_EQ(m[i].err, 0);
        CHECK_EQ(m[i].close_rc, 0);
        CHECK_EQ(m[i].ack_failed, 0);
        CHECK_EQ(m[i].redelivered, 0);
        CHECK(atomic_load(&m[i].got) > 0);
        got += atomic_load(&m[i].got);
    }
    CHECK(j.got > 0);
    CHECK_EQ(j.redelivered, 0);
    CHECK_EQ(j.stray, 0);
    CHECK_EQ(got, N);
    for (int k = 0; k < N; k++) {
        int n = j.seen[k];
        for (int i = 0; i < NKFK; i++) n += m[i].seen[k];
        once += n == 1;
    }
    CHECK_EQ(once, N);
    /* Accepted, not merely delivered: nothing is left for a new member. */
    CHECK_EQ(left_over(boot, group, topic, 4000), 0);
    fprintf(stderr,
            "share_many: kfk %d + %d + %d, Java %d; ms: javac %lld, joined %lld, produced %lld, "
            "read %lld, %lld in all\n",
            atomic_load(&m[0].got), atomic_load(&m[1].got), atomic_load(&m[2].got), j.got,
            (long long)(t_compiled - t0), (long long)(t_joined - t_compiled),
            (long long)(t_produced - t_joined), (long long)(t_read - t_produced),
            (long long)(it_now_ms() - t0));
}

TEST(three_kfk_and_one_java_share_consumer_over_two_partitions) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    if (sit_share_groups())
        four_members_share_the_records(boot);
    else
        sit_unsupported_at_once(boot);
}
