/* examples/eos_copy killed with -9 three times while it copies 100,000
 * messages on the 3-node cluster, started again each time, and a last run
 * left to exit once idle: read with read_committed, the output holds every
 * input message exactly once (key, value and header intact), and the
 * group's committed offsets are the input's end offsets. Each kill comes
 * once the group's committed offsets pass a random share of the input,
 * plus a random 0-150 ms, so it falls mid-copy at a random point of a
 * transaction whatever the machine's speed. Needs KFK_BOOTSTRAP_3NODES. */
#include <signal.h>
#include <sys/wait.h>

#include "../integration/consume_it.h"
#include "admin_it.h"
#include "failover_it.h"
#include "produce_it.h"

#ifndef KFK_EOS_COPY
#error "CMakeLists.txt passes the example's path"
#endif

enum { N = 100000, IN_PARTS = 6, OUT_PARTS = 4 };

static atomic_int failed_reports;

static void on_delivery(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    if (d->err) atomic_fetch_add(&failed_reports, 1);
}

/* Keys "k<i>", values "v<i>", header i=<i>: each message names itself. */
static int produce_input(const char *boot, const char *topic) {
    kfk_producer_callbacks cbs = {.delivery = on_delivery};
    const char *settings[] = {"linger.ms", "20", NULL};
    kfk_producer *p = pit_producer(boot, &cbs, settings);
    if (!p) return -1;
    int rc = 0;
    for (int i = 0; i < N && !rc; i++) {
        char key[16], value[16], idx[16];
        int kl = snprintf(key, sizeof key, "k%06d", i);
        int vl = snprintf(value, sizeof value, "v%06d", i);
        int il = snprintf(idx, sizeof idx, "%d", i);
        kfk_header h = {"i", idx, (size_t)il};
        kfk_message m = {.topic = topic, .partition = KFK_PARTITION_ANY, .key = key,
                         .key_len = (size_t)kl, .value = value, .value_len = (size_t)vl,
                         .headers = &h, .header_count = 1};
        rc = kfk_producer_send(p, &m, 0);
        if (i % 10000 == 0) kfk_producer_poll(p, 0);
    }
    if (!rc) rc = kfk_producer_flush(p, 60000);
    kfk_producer_destroy(p);
    return rc ? rc : atomic_load(&failed_reports);
}

static pid_t start_copy(const char *boot, const char *group, const char *in, const char *out,
                        int idle_exit) {
    pid_t pid = fork();
    if (pid == 0) {
        if (idle_exit)
            execl(KFK_EOS_COPY, "eos_copy", "-b", boot, "-G", group, in, out, "--idle-exit-ms",
                  "3000", (char *)NULL);
        else
            execl(KFK_EOS_COPY, "eos_copy", "-b", boot, "-G", group, in, out, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* The sum of the group's committed offsets of topic (-1 on error). */
static int64_t committed_sum(kfk_admin *a, const char *group, const char *topic) {
    kfk_admin_result *r = kfk_admin_list_group_offsets(a, group, NULL, NULL, NULL, NULL);
    int64_t sum = r && !r->err ? 0 : -1;
    for (int i = 0; sum >= 0 && r->partitions && i < r->partitions->count; i++) {
        const kfk_partition *e = &r->partitions->elems[i];
        if (!strcmp(e->topic, topic) && e->offset >= 0) sum += e->offset;
    }
    kfk_admin_result_destroy(r);
    return sum;
}

/* Waits until the committed offsets pass `at` (1), or the copy exits or
 * 90 s pass (0). */
static int wait_progress(kfk_admin *a, pid_t pid, const char *group, const char *in,
                         int64_t at, int64_t *seen) {
    for (int64_t end = it_now_ms() + 90000; it_now_ms() < end;) {
        *seen = committed_sum(a, group, in);
        if (*seen >= at) return 1;
        if (waitpid(pid, NULL, WNOHANG) == pid) return 0;
        usleep(20 * 1000);
    }
    return 0;
}

/* Reads out with read_committed up to each partition's last stable
 * offset, counting each input index seen; 0 when every partition got
 * there and every message was intact. */
static int read_output(const char *boot, const char *out, int *count) {
    kfk_consumer *c = cit_consumer(boot, "isolation.level", "read_committed", NULL);
    if (!c || cit_assign(c, out, OUT_PARTS, KFK_OFFSET_BEGINNING)) return -1;
    int64_t high[OUT_PARTS];
    for (int p = 0; p < OUT_PARTS; p++) {
        int64_t low;
        if (kfk_consumer_watermarks(c, out, p, &low, &high[p], 10000)) return -1;
    }
    int bad = 0, reached = 0;
    for (int64_t end = it_now_ms() + 60000; !reached && it_now_ms() < end;) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 100);
        if (m && !m->err) {
            int i = -1, v = -1, h = -1;
            char buf[24];
            snprintf(buf, sizeof buf, "%.*s", (int)(m->key_len < 20 ? m->key_len : 20),
                     m->key ? (const char *)m->key : "");
            sscanf(buf, "k%d", &i);
            snprintf(buf, sizeof buf, "%.*s", (int)(m->value_len < 20 ? m->value_len : 20),
                     m->value ? (const char *)m->value : "");
            sscanf(buf, "v%d", &v);
            if (m->header_count == 1 && !strcmp(m->headers[0].name, "i")) {
                snprintf(buf, sizeof buf, "%.*s", (int)m->headers[0].value_len,
                         (const char *)m->headers[0].value);
                sscanf(buf, "%d", &h);
            }
            if (i >= 0 && i < N && v == i && h == i)
                count[i]++;
            else
                bad++;
        }
        kfk_consumer_message_release(m);
        kfk_partition_list *l = kfk_partition_list_new(OUT_PARTS);
        for (int p = 0; p < OUT_PARTS; p++) kfk_partition_list_add(l, out, p);
        kfk_consumer_position(c, l);
        reached = 1;
        for (int p = 0; p < OUT_PARTS; p++) reached &= l->elems[p].offset >= high[p];
        kfk_partition_list_destroy(l);
    }
    kfk_consumer_close(c);
    if (bad) kfk_test_fail(__FILE__, __LINE__, "%d messages not as written", bad);
    return reached && !bad ? 0 : -1;
}

TEST(killed_three_times_copies_exactly_once) {
    const char *boot = fit_env("KFK_BOOTSTRAP_3NODES");
    REQUIRE(boot);
    kfk_core_conf conf;
    it_conf(&conf, boot);
    kfk_core *core = it_core(&conf);
    REQUIRE(core);
    char in[128], out[160], group[160];
    it_topic(in, sizeof in, "eos");
    snprintf(out, sizeof out, "%s-out", in);
    snprintf(group, sizeof group, "%s-g", in);
    REQUIRE_EQ(fit_create_rf3(core, in, IN_PARTS), 0);
    REQUIRE_EQ(fit_create_rf3(core, out, OUT_PARTS), 0);
    kfk_core_destroy(core);
    int64_t t0 = it_now_ms();
    REQUIRE_EQ(produce_input(boot, in), 0);
    fprintf(stderr, "produced %d messages in %lld ms\n", N, (long long)(it_now_ms() - t0));

    kfk_admin *a = admin_new_on(boot);
    REQUIRE(a);
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    srand(seed);
    t0 = it_now_ms();
    for (int k = 0; k < 3; k++) {
        /* a point in the k-th quarter-ish of the input, from 5% to 90% */
        int64_t at = N / 20 + (int64_t)k * (N * 3 / 10) + rand() % (N / 4);
        pid_t pid = start_copy(boot, group, in, out, 0);
        REQUIRE(pid > 0);
        int64_t seen = -1;
        int got = wait_progress(a, pid, group, in, at, &seen);
        usleep((useconds_t)(rand() % 150) * 1000);
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        fprintf(stderr, "kill %d (seed %u): at %lld committed (aimed past %lld), %lld ms in\n",
                k + 1, seed, (long long)seen, (long long)at, (long long)(it_now_ms() - t0));
        REQUIRE(got);
        CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    }
    pid_t pid = start_copy(boot, group, in, out, 1);
    REQUIRE(pid > 0);
    int status = -1;
    for (int64_t end = it_now_ms() + 120000; it_now_ms() < end; usleep(100 * 1000))
        if (waitpid(pid, &status, WNOHANG) == pid) break;
    if (status == -1) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    fprintf(stderr, "copy done %lld ms after the first start\n", (long long)(it_now_ms() - t0));
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    static int count[N];
    memset(count, 0, sizeof count);
    CHECK_EQ(read_output(boot, out, count), 0);
    int missing = 0, dups = 0;
    for (int i = 0; i < N; i++) {
        missing += count[i] == 0;
        dups += count[i] > 1 ? count[i] - 1 : 0;
    }
    fprintf(stderr, "output: %d missing, %d duplicates\n", missing, dups);
    CHECK_EQ(missing, 0);
    CHECK_EQ(dups, 0);

    /* The group committed exactly the input's end offsets. */
    kfk_partition_list *ends = kfk_partition_list_new(IN_PARTS);
    for (int p = 0; p < IN_PARTS; p++) kfk_partition_list_add(ends, in, p)->offset = KFK_OFFSET_END;
    kfk_admin_result *r = kfk_admin_list_offsets(a, ends, NULL, NULL, NULL);
    kfk_admin_result *g = kfk_admin_list_group_offsets(a, group, ends, NULL, NULL, NULL);
    REQUIRE(r && g && !r->err && !g->err);
    int64_t total = 0;
    for (int p = 0; p < IN_PARTS; p++) {
        CHECK_EQ(g->partitions->elems[p].offset, r->partitions->elems[p].offset);
        total += r->partitions->elems[p].offset;
    }
    CHECK_EQ(total, N);
    kfk_admin_result_destroy(r);
    kfk_admin_result_destroy(g);
    kfk_partition_list_destroy(ends);
    kfk_admin_destroy(a);
}
