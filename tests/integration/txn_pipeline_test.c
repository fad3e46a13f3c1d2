/* A mixed exactly-once pipeline: the Java client's transactional producer
 * (TxProduce.java) writes committed and aborted transactions, and plain
 * messages, to IN; kfk reads IN with read_committed in a group and copies
 * each message (key and value, same partition) to OUT in transactions that
 * carry the group's offsets (send_offsets_to_transaction with
 * kfk_consumer_group_metadata). Its second copy transaction is aborted on
 * purpose and redone from the positions the last commit left (seek back),
 * as an application does after an abortable error. Then:
 *   - the Java client with read_committed (ReadTopic.java) reads from OUT
 *     exactly IN's committed and plain messages, in IN's order per
 *     partition, none twice; kfk's read_committed consumer reads the same;
 *   - the group's committed offsets are one past IN's last visible message
 *     on each partition.
 * Run with a classic group member, and with a KIP-848 one (4.x).
 * Needs java and javac 17+ (scripts/install-deps). */
#include "txn_it.h"

enum { NPART = 2, PER_TXN = 8 };

static tit_log want, got, input;
static tit_reports reports;

/* Runs TxProduce (steps) on topic; its committed and plain messages, in
 * partition and offset order, go to input. 0 or -1. */
static int java_produce(const char *boot, const char *topic, const char *steps) {
    if (tit_java("TxProduce")) return -1;
    char cmd[4096], out[256];
    snprintf(out, sizeof out, "%s/%s.out", jit_dir, topic);
    snprintf(cmd, sizeof cmd,
             "java -Dlog4j2.level=OFF -cp '%s' TxProduce %s %s none %s >'%s' 2>'%s.err'", jit_cp,
             boot, topic, steps, out, out);
    int st = system(cmd);
    FILE *f = fopen(out, "r");
    char line[256], value[64], state;
    int done = 0, part;
    long long off;
    input.n = 0;
    while (f && fgets(line, sizeof line, f)) {
        if (sscanf(line, "msg %d %lld %63s %c", &part, &off, value, &state) == 4 &&
            (state == 'C' || state == 'P'))
            tit_add(&input, part, off, value);
        done |= strcmp(line, "done\n") == 0;
    }
    if (f) fclose(f);
    tit_sort(&input);
    if (st != 0 || !done) {
        kfk_test_fail(__FILE__, __LINE__, "TxProduce failed: %s", cmd);
        return -1;
    }
    return 0;
}

/* The pending copy transaction: which input messages it holds. */
typedef struct copy_txn {
    int open, n, first_report;
    int64_t base[NPART], cur[NPART]; /* positions at its start, and now */
    tit_rec msgs[PER_TXN];
} copy_txn;

/* Ends t: send the offsets, then commit (or abort, then seek back). */
static int end_txn(kfk_producer *p, kfk_consumer *c, const char *in, copy_txn *t, int abort,
                   tit_log *copied) {
    kfk_partition_list *l = kfk_partition_list_new(NPART);
    for (int part = 0; part < NPART; part++)
        if (t->cur[part] != t->base[part]) kfk_partition_list_add(l, in, part)->offset = t->cur[part];
    kfk_group_metadata *gm = kfk_consumer_group_metadata(c);
    int rc = gm ? kfk_producer_send_offsets_to_transaction(p, l, gm, 30000) : -1;
    kfk_group_metadata_destroy(gm);
    kfk_partition_list_destroy(l);
    if (rc) {
        kfk_test_fail(__FILE__, __LINE__, "send_offsets_to_transaction: %s", kfk_err_name(rc));
        return -1;
    }
    if (abort) {
        rc = kfk_producer_abort_transaction(p, 30000);
        for (int part = 0; part < NPART && !rc; part++) {
            if (t->cur[part] != t->base[part]) rc = kfk_consumer_seek(c, in, part, t->base[part]);
            t->cur[part] = t->base[part];
        }
    } else {
        rc = kfk_producer_commit_transaction(p, 30000);
        for (int i = 0; !rc && i < t->n; i++) tit_add(copied, t->msgs[i].part, -1, t->msgs[i].value);
        for (int part = 0; part < NPART; part++) t->base[part] = t->cur[part];
    }
    if (rc) kfk_test_fail(__FILE__, __LINE__, "%s: %s", abort ? "abort" : "commit", kfk_err_name(rc));
    t->open = t->n = 0;
    return rc ? -1 : 0;
}

/* The copy with a group member of the given protocol settings. */
static void pipeline(const char *proto_key, const char *proto_value) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char in[128], out[128], group[160], txid[160];
    REQUIRE(cit_topic(boot, in, sizeof in, "txn-pipe-in", NPART) == 0);
    REQUIRE(cit_topic(boot, out, sizeof out, "txn-pipe-out", NPART) == 0);
    snprintf(group, sizeof group, "g-%s", in);
    snprintf(txid, sizeof txid, "tx-%s", in);
    REQUIRE(java_produce(boot, in,
                         "commit:0,1:10 abort:0,1:10 plain:0:4 commit:1:6 abort:0:5 "
                         "mixed:0,1:3 commit:0,1:7 abort:1:4 commit:0:3") == 0);
    int64_t in_end[NPART];
    REQUIRE(tit_wait_stable(boot, in, NPART, in_end) == 0);

    kfk_consumer *c = cit_consumer(boot, "group.id", group, "isolation.level", "read_committed",
                                   "enable.auto.commit", "false", "auto.offset.reset", "earliest",
                                   proto_key, proto_value, NULL);
    REQUIRE(c);
    const char *topics[] = {in};
    REQUIRE_EQ(kfk_consumer_subscribe(c, topics, 1), 0);
    kfk_producer *p = tit_producer(boot, txid, &reports, NULL);
    REQUIRE(p);
    REQUIRE_EQ(kfk_producer_init_transactions(p, 30000), 0);

    static tit_log copied;
    copied.n = 0;
    memset(&reports, 0, sizeof reports);
    copy_txn t = {0};
    int ntxn = 0, sent = 0;
    int64_t until = it_now_ms() + TIT_BOUND_MS;
    while (copied.n < input.n && it_now_ms() < until) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 200);
        if (m && !m->err) {
            if (!t.open) {
                REQUIRE_EQ(kfk_producer_begin_transaction(p), 0);
                t.open = 1;
            }
            kfk_message o = {.topic = out, .partition = m->partition, .key = m->key,
                             .key_len = m->key_len, .value = m->value,
                             .value_len = m->value_len, .opaque = (void *)(uintptr_t)sent++};
            REQUIRE_EQ(kfk_producer_send(p, &o, 0), 0);
            tit_rec *r = &t.msgs[t.n++];
            r->part = m->partition;
            r->offset = m->offset;
            snprintf(r->value, sizeof r->value, "%.*s", (int)m->value_len, (const char *)m->value);
            t.cur[m->partition] = m->offset + 1;
        }
        kfk_consumer_message_release(m);
        if (t.open && (t.n == PER_TXN || (!m && t.n > 0))) {
            REQUIRE(end_txn(p, c, in, &t, ntxn == 1, &copied) == 0);
            ntxn++;
        }
        kfk_producer_poll(p, 0);
    }
    CHECK_EQ(copied.n, input.n);
    CHECK(ntxn > 2);
    REQUIRE(tit_wait_reports(p, &reports, 0, sent));
    int failed = 0;
    for (int i = 0; i < sent; i++) {
        CHECK_EQ(reports.d[i].reports, 1);
        failed += reports.d[i].err != 0;
    }
    CHECK(failed > 0 && failed <= PER_TXN); /* the aborted copy, only */

    /* The group's offsets, committed with the transactions. */
    kfk_partition_list *l = kfk_partition_list_new(NPART);
    for (int part = 0; part < NPART; part++) kfk_partition_list_add(l, in, part);
    REQUIRE_EQ(kfk_consumer_committed(c, l, 30000), 0);
    for (int part = 0; part < NPART; part++) {
        int64_t last = -1;
        for (int i = 0; i < input.n; i++)
            if (input.r[i].part == part) last = input.r[i].offset;
        CHECK_EQ(l->elems[part].offset, last + 1);
    }
    kfk_partition_list_destroy(l);
    CHECK_EQ(kfk_producer_close(p, 10000), 0);
    kfk_consumer_close(c);

    /* OUT holds IN's visible messages, in IN's order per partition. */
    want.n = 0;
    for (int i = 0; i < input.n; i++) tit_add(&want, input.r[i].part, -1, input.r[i].value);
    int64_t out_end[NPART];
    REQUIRE(tit_wait_stable(boot, out, NPART, out_end) == 0);
    REQUIRE(tit_read_java(boot, out, NPART, "read_committed", &got) == 0);
    tit_expect(&got, &want, "Java read_committed of OUT");
    REQUIRE(tit_read_kfk(boot, out, NPART, "read_committed", out_end, &got) == 0);
    tit_expect(&got, &want, "kfk read_committed of OUT");
}

TEST(java_to_kfk_to_java) { pipeline("group.protocol", "classic"); }

/* The offsets carry the member's epoch as the generation (KIP-848) on 4.x;
 * Kafka 3.9 has no consumer protocol by default, so there the member is a
 * classic one with the cooperative assignor (another generation path). */
TEST(java_to_kfk_to_java_other_protocol) {
    if (tit_kafka4())
        pipeline("group.protocol", "consumer");
    else
        pipeline("partition.assignment.strategy", "cooperative-sticky");
}

/* A zombie member (KIP-447): offsets sent with a generation and member id
 * the group does not have are refused by the group coordinator
 * (ILLEGAL_GENERATION or UNKNOWN_MEMBER_ID), which makes the transaction
 * abortable (the Java client: CommitFailedException, abortable), at
 * send_offsets or at commit. After the abort nothing of it is visible and
 * the group has no offsets; the member's own metadata then works. */
TEST(zombie_member_offsets_abortable) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    memset(&reports, 0, sizeof reports);
    char in[128], out[128], group[160], txid[160];
    REQUIRE(cit_topic(boot, in, sizeof in, "txn-zombie-in", 1) == 0);
    REQUIRE(cit_topic(boot, out, sizeof out, "txn-zombie-out", 1) == 0);
    snprintf(group, sizeof group, "g-%s", in);
    snprintf(txid, sizeof txid, "tx-%s", in);
    kfk_consumer *c = cit_consumer(boot, "group.id", group, "enable.auto.commit", "false", NULL);
    REQUIRE(c);
    const char *topics[] = {in};
    REQUIRE_EQ(kfk_consumer_subscribe(c, topics, 1), 0);
    for (int64_t until = it_now_ms() + TIT_BOUND_MS;
         kfk_consumer_generation(c) < 1 && it_now_ms() < until;)
        kfk_consumer_message_release(kfk_consumer_poll(c, 100));
    int32_t gen = kfk_consumer_generation(c);
    REQUIRE(gen >= 1);
    kfk_producer *p = tit_producer(boot, txid, &reports, NULL);
    REQUIRE(p);
    REQUIRE_EQ(kfk_producer_init_transactions(p, 30000), 0);

    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, in, 0)->offset = 5;
    kfk_group_metadata *zombie = kfk_group_metadata_new(group, gen + 3, "zombie-member", NULL);
    REQUIRE(zombie);
    REQUIRE_EQ(kfk_producer_begin_transaction(p), 0);
    REQUIRE_EQ(tit_send(p, out, 0, "zombie-copy", 0), 0);
    int rc = kfk_producer_send_offsets_to_transaction(p, l, zombie, 30000);
    fprintf(stderr, "send_offsets as a zombie member: %s\n", kfk_err_name(rc));
    if (rc == 0) rc = kfk_producer_commit_transaction(p, 30000);
    CHECK_EQ(rc, KFK_ERR_TRANSACTION_ABORTABLE);
    char why[256] = "";
    int cause = kfk_producer_txn_error(p, why, sizeof why);
    fprintf(stderr, "cause: %s (%s)\n", kfk_err_name(cause), why);
    if (cause != KFK_ERR_ILLEGAL_GENERATION && cause != KFK_ERR_UNKNOWN_MEMBER_ID)
        kfk_test_fail(__FILE__, __LINE__, "cause %s", kfk_err_name(cause));
    CHECK_EQ(kfk_producer_abort_transaction(p, 30000), 0);
    kfk_group_metadata_destroy(zombie);
    REQUIRE(tit_wait_reports(p, &reports, 0, 1));
    CHECK(reports.d[0].err != 0);

    kfk_partition_list *committed = kfk_partition_list_new(1);
    kfk_partition_list_add(committed, in, 0);
    REQUIRE_EQ(kfk_consumer_committed(c, committed, 30000), 0);
    CHECK_EQ(committed->elems[0].offset, KFK_OFFSET_INVALID);

    /* The member's own metadata. */
    l->elems[0].offset = 7;
    kfk_group_metadata *gm = kfk_consumer_group_metadata(c);
    REQUIRE(gm);
    REQUIRE_EQ(kfk_producer_begin_transaction(p), 0);
    REQUIRE_EQ(tit_send(p, out, 0, "member-copy", 1), 0);
    CHECK_EQ(kfk_producer_send_offsets_to_transaction(p, l, gm, 30000), 0);
    CHECK_EQ(kfk_producer_commit_transaction(p, 30000), 0);
    kfk_group_metadata_destroy(gm);
    REQUIRE(tit_wait_reports(p, &reports, 1, 1));
    CHECK_EQ(reports.d[1].err, 0);
    REQUIRE_EQ(kfk_consumer_committed(c, committed, 30000), 0);
    CHECK_EQ(committed->elems[0].offset, 7);
    kfk_partition_list_destroy(committed);
    kfk_partition_list_destroy(l);
    CHECK_EQ(kfk_producer_close(p, 10000), 0);
    kfk_consumer_destroy(c);

    want.n = 0;
    tit_add(&want, 0, reports.d[1].offset, "member-copy");
    int64_t end[1];
    REQUIRE(tit_wait_stable(boot, out, 1, end) == 0);
    REQUIRE(tit_read_java(boot, out, 1, "read_committed", &got) == 0);
    tit_expect(&got, &want, "Java read_committed of OUT");
}
