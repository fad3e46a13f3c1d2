/* kfk's consumer against real transactions, written by the Java client
 * (TxProduce.java, next to this file; kfk has no transactional producer):
 * read_committed gets exactly the committed and non-transactional messages,
 * read_uncommitted every data message, neither a transaction marker; both
 * end at the partition's end with no lag. read_committed stops at the last
 * stable offset while a transaction is open. Needs java and javac (17+;
 * scripts/install-deps installs them) and the kafka-clients jar that
 * scripts/kafka-local lib resolves. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "txn_it.h"

enum { MAXREC = 400, MAXPART = 2, BOUND_MS = 30000 };

/* One message as TxProduce reported it. */
typedef struct rec {
    int32_t part;
    int64_t offset;
    char value[48];
    char state; /* C committed, A aborted, P plain (no transaction) */
} rec;

typedef struct txlog {
    rec r[MAXREC];
    int n;
    int done; /* TxProduce printed "done" */
} txlog;

static int g_compiled;

/* Compiles TxProduce once per process; 0 or -1 (the test then fails). */
static int java_ready(void) {
    if (!g_compiled && jit_compile("TxProduce") == 0) g_compiled = 1;
    return g_compiled ? 0 : -1;
}

/* The command that runs TxProduce, its stdout going to out_path. */
static void java_cmd(char *cmd, size_t len, const char *boot, const char *topic,
                     const char *codec, const char *steps, char *out_path, size_t out_len) {
    snprintf(out_path, out_len, "%s/%s.out", jit_dir, topic);
    snprintf(cmd, len,
             "java -Dlog4j2.level=OFF -cp '%s' TxProduce %s %s %s %s >'%s' 2>'%s/%s.err'", jit_cp,
             boot, topic, codec, steps, out_path, jit_dir, topic);
}

/* Reads TxProduce's report; returns 1 if the line "open" is in it. */
static int read_log(const char *path, txlog *log) {
    log->n = log->done = 0;
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char line[256];
    int open = 0;
    while (fgets(line, sizeof line, f)) {
        rec *r = &log->r[log->n];
        long long off;
        if (log->n < MAXREC &&
            sscanf(line, "msg %d %lld %47s %c", &r->part, &off, r->value, &r->state) == 4) {
            r->offset = off;
            log->n++;
        }
        open |= strcmp(line, "open\n") == 0;
        log->done |= strcmp(line, "done\n") == 0;
    }
    fclose(f);
    return open;
}

/* Runs TxProduce to the end and reads its report. */
static int run_java(const char *boot, const char *topic, const char *codec, const char *steps,
                    txlog *log) {
    char cmd[4096], out[256];
    java_cmd(cmd, sizeof cmd, boot, topic, codec, steps, out, sizeof out);
    int st = system(cmd);
    read_log(out, log);
    if (st != 0 || !log->done) kfk_test_fail(__FILE__, __LINE__, "TxProduce failed: %s", cmd);
    return st == 0 && log->done ? 0 : -1;
}

/* Polls until every partition reported EOF at end[p] (or the bound); the
 * messages go to out. Returns how many. */
static int consume_to_end(kfk_consumer *c, int nparts, const int64_t *end,
                          kfk_consumer_message **out, int cap) {
    int got = 0, at_end = 0, seen[MAXPART] = {0};
    int64_t until = it_now_ms() + BOUND_MS;
    while (at_end < nparts && it_now_ms() < until) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 100);
        if (!m) continue;
        if (m->err == KFK_ERR_PARTITION_EOF && m->offset >= end[m->partition] &&
            !seen[m->partition]) {
            seen[m->partition] = 1;
            at_end++;
        }
        if (!m->err && got < cap)
            out[got++] = m;
        else
            kfk_consumer_message_release(m);
    }
    CHECK_EQ(at_end, nparts);
    return got;
}

/* 1 if m is r, key included. */
static int same(const kfk_consumer_message *m, const rec *r) {
    size_t vl = strlen(r->value);
    return m->partition == r->part && m->offset == r->offset && m->value_len == vl &&
           memcmp(m->value, r->value, vl) == 0 && m->key_len == vl + 2 &&
           memcmp(m->key, "k-", 2) == 0 && memcmp((const char *)m->key + 2, r->value, vl) == 0;
}

/* Checks that the messages of partition p in got are exactly log's records
 * in the states listed, in offset order. Returns how many there are. */
static int check_partition(kfk_consumer_message **got, int ngot, const txlog *log, int p,
                           const char *states) {
    const rec *want[MAXREC];
    int n = 0;
    for (int i = 0; i < log->n; i++) {
        const rec *r = &log->r[i];
        if (r->part != p || !strchr(states, r->state)) continue;
        int k = n++;
        while (k > 0 && want[k - 1]->offset > r->offset) {
            want[k] = want[k - 1];
            k--;
        }
        want[k] = r;
    }
    int k = 0;
    for (int i = 0; i < ngot; i++) {
        if (got[i]->partition != p) continue;
        if (k >= n || !same(got[i], want[k]))
            kfk_test_fail(__FILE__, __LINE__, "partition %d, message %d: offset %lld unexpected",
                          p, k, (long long)got[i]->offset);
        k++;
    }
    CHECK_EQ(k, n);
    return n;
}

/* Counts what task_done logs (skips, moves back, repeats). */
static void on_log(void *opaque, const char *msg) {
    if (strstr(msg, "task_done")) atomic_fetch_add((atomic_int *)opaque, 1);
}

/* Consumes the whole topic with isolation: exactly the records in states,
 * and the position at the end with no lag. Each message is marked done in
 * order: the markers and aborted batches between them are no skip. */
static void check_consume(const char *boot, const char *topic, int nparts, const int64_t *end,
                          const txlog *log, const char *isolation, const char *states) {
    kfk_consumer *c = cit_consumer(boot, "isolation.level", isolation, "enable.partition.eof",
                                   "true", "enable.auto.offset.store", "false", NULL);
    REQUIRE(c);
    static atomic_int task_done_logged;
    atomic_store(&task_done_logged, 0);
    kfk_consumer_set_log_cb(c, on_log, &task_done_logged);
    REQUIRE(cit_assign(c, topic, nparts, KFK_OFFSET_BEGINNING) == 0);
    static kfk_consumer_message *got[MAXREC];
    int ngot = consume_to_end(c, nparts, end, got, MAXREC);
    int total = 0;
    kfk_partition_list *l = kfk_partition_list_new(nparts);
    for (int p = 0; p < nparts; p++) {
        int n = check_partition(got, ngot, log, p, states);
        total += n;
        /* Markers take offsets: the end lies past the data messages. */
        CHECK(n < end[p]);
        kfk_partition_list_add(l, topic, p);
    }
    CHECK_EQ(ngot, total);
    int64_t last[MAXPART] = {-1, -1};
    for (int i = 0; i < ngot; i++) {
        CHECK_EQ(kfk_consumer_task_done(c, got[i]), 0);
        last[got[i]->partition] = got[i]->offset;
    }
    CHECK_EQ(atomic_load(&task_done_logged), 0);
    kfk_offsets_view *v = kfk_consumer_offsets_view(c);
    REQUIRE(v);
    for (int p = 0; p < nparts; p++) {
        const kfk_partition_offsets *o = kfk_offsets_view_find(v, topic, p);
        REQUIRE(o);
        CHECK_EQ(o->done, last[p] + 1);
        CHECK_EQ(o->position, end[p]);
    }
    kfk_offsets_view_destroy(v);
    /* The position moves past the markers and skipped batches at the end. */
    CHECK_EQ(kfk_consumer_position(c, l), 0);
    for (int p = 0; p < nparts; p++) {
        CHECK_EQ(l->elems[p].offset, end[p]);
        CHECK_EQ(kfk_consumer_lag(c, topic, p), 0);
    }
    kfk_partition_list_destroy(l);
    cit_release_all(got, ngot);
    kfk_consumer_destroy(c);
}

/* Every kind of transaction on two partitions, then both isolation levels. */
static void check_pattern(const char *codec) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    REQUIRE(java_ready() == 0);
    char topic[128];
    REQUIRE(cit_topic(boot, topic, sizeof topic, codec, 2) == 0);
    static txlog log;
    REQUIRE(run_java(boot, topic, codec,
                     "commit:0,1:10 abort:0,1:10 plain:0:5 commit:1:5 mixed:0,1:4 abort:1:3 "
                     "fence:0:3 commit:0,1:3 close:1:3 commit:0:2",
                     &log) == 0);
    int64_t end[MAXPART];
    REQUIRE(tit_wait_stable(boot, topic, 2, end) == 0);
    check_consume(boot, topic, 2, end, &log, "read_committed", "CP");
    check_consume(boot, topic, 2, end, &log, "read_uncommitted", "CAP");
}

TEST(transactions_uncompressed) { check_pattern("none"); }

TEST(transactions_lz4) { check_pattern("lz4"); }

/* Polls until want messages came (more are kept too) or the bound passed;
 * partition events are released. Returns how many went to out. */
static int poll_messages(kfk_consumer *c, kfk_consumer_message **out, int cap, int want,
                         int bound_ms) {
    int got = 0;
    int64_t until = it_now_ms() + bound_ms;
    while (got < want && it_now_ms() < until) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 100);
        if (m && !m->err && got < cap)
            out[got++] = m;
        else
            kfk_consumer_message_release(m);
    }
    return got;
}

/* Offsets of the open transaction's messages are 6..10 on both partitions:
 * 5 committed, their marker, then 5 open. */
enum { OPEN_LSO = 6, OPEN_HWM = 11 };

/* While the transaction is open: read_uncommitted sees its messages,
 * read_committed stops at the last stable offset. rc's messages go to
 * out (10 expected), *nout says how many. */
static void check_open(const char *boot, const char *topic, kfk_consumer *rc,
                       kfk_consumer_message **out, int *nout) {
    kfk_consumer *ru = cit_consumer(boot, NULL);
    REQUIRE(ru);
    REQUIRE(cit_assign(ru, topic, 2, KFK_OFFSET_BEGINNING) == 0);
    kfk_consumer_message *m[32];
    int n = poll_messages(ru, m, 32, 20, BOUND_MS);
    CHECK_EQ(n, 20);
    int open = 0;
    for (int i = 0; i < n; i++) open += m[i]->offset >= OPEN_LSO;
    CHECK_EQ(open, 10);
    cit_release_all(m, n);
    int64_t lo, hi;
    CHECK_EQ(kfk_consumer_watermarks(ru, topic, 0, &lo, &hi, 10000), 0);
    CHECK_EQ(hi, OPEN_HWM);
    kfk_consumer_destroy(ru);

    /* read_committed: the committed 10, EOF at the last stable offset. */
    int64_t end[2] = {OPEN_LSO, OPEN_LSO};
    *nout = consume_to_end(rc, 2, end, out, 10);
    CHECK_EQ(*nout, 10);
    for (int i = 0; i < *nout; i++) CHECK(out[i]->offset < OPEN_LSO - 1);
    /* Nothing past it within a bound (the open messages are in the log). */
    n = poll_messages(rc, m, 32, 1, 3000);
    CHECK_EQ(n, 0);
    cit_release_all(m, n);
    kfk_partition_list *l = kfk_partition_list_new(2);
    kfk_partition_list_add(l, topic, 0);
    kfk_partition_list_add(l, topic, 1);
    CHECK_EQ(kfk_consumer_position(rc, l), 0);
    CHECK_EQ(l->elems[0].offset, OPEN_LSO);
    CHECK_EQ(l->elems[1].offset, OPEN_LSO);
    kfk_partition_list_destroy(l);
    /* What kfk reports: watermarks (ListOffsets, read_committed) and lag
     * end at the last stable offset; the cached high watermark is the
     * fetch response's high watermark. */
    CHECK_EQ(kfk_consumer_watermarks(rc, topic, 0, &lo, &hi, 10000), 0);
    CHECK_EQ(hi, OPEN_LSO);
    CHECK_EQ(kfk_consumer_cached_watermarks(rc, topic, 0, &lo, &hi), 0);
    CHECK_EQ(hi, OPEN_HWM);
    CHECK_EQ(kfk_consumer_lag(rc, topic, 0), 0);
}

TEST(read_committed_stops_at_open_transaction) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    REQUIRE(java_ready() == 0);
    char topic[128];
    REQUIRE(cit_topic(boot, topic, sizeof topic, "open", 2) == 0);
    char cmd[4096], out[256];
    java_cmd(cmd, sizeof cmd, boot, topic, "lz4", "commit:0,1:5 open:0,1:5 commit:0:3", out,
             sizeof out);
    FILE *java = popen(cmd, "w");
    REQUIRE(java);
    static txlog log;
    int64_t until = it_now_ms() + 60000;
    while (!read_log(out, &log) && it_now_ms() < until) usleep(100 * 1000);
    kfk_consumer *rc = cit_consumer(boot, "isolation.level", "read_committed",
                                    "enable.partition.eof", "true", "enable.auto.offset.store",
                                    "false", NULL);
    static atomic_int task_done_logged;
    if (rc) kfk_consumer_set_log_cb(rc, on_log, &task_done_logged);
    kfk_consumer_message *m[64];
    int n = 0;
    if (read_log(out, &log) && rc && cit_assign(rc, topic, 2, KFK_OFFSET_BEGINNING) == 0)
        check_open(boot, topic, rc, m, &n);
    else
        kfk_test_fail(__FILE__, __LINE__, "TxProduce did not open its transaction: %s", cmd);

    /* Commit: read_committed gets the 10 and then step 2's 3. */
    fputs("commit\n", java);
    CHECK_EQ(pclose(java), 0);
    read_log(out, &log);
    CHECK(log.done);
    int more = rc ? poll_messages(rc, m + n, 64 - n, 13, BOUND_MS) : 0;
    CHECK_EQ(more, 13);
    n += more;
    CHECK_EQ(check_partition(m, n, &log, 0, "C") + check_partition(m, n, &log, 1, "C"), 13 + 10);
    /* Done in order: the marker that ended the first fetches is no skip. */
    for (int i = 0; i < n; i++) CHECK_EQ(kfk_consumer_task_done(rc, m[i]), 0);
    CHECK_EQ(atomic_load(&task_done_logged), 0);
    cit_release_all(m, n);
    kfk_consumer_destroy(rc);
}
