/* kfk's transactional producer against the real broker: commits and aborts
 * over several partitions read back with kfk's read_committed and
 * read_uncommitted consumers, delivery reports at the transaction's end,
 * offsets sent to a transaction and committed with it, misuse refused,
 * and the protocol chosen from the broker's transaction.version (v2 on
 * 4.x, v1 on 3.9.1). */
#include <stdlib.h>
#include <string.h>

#include "consume_it.h"
#include "produce_it.h"

enum { PARTS = 3, PER = 20, MAXD = 1000 };

typedef struct dlog {
    int n, ok, failed, last_err;
    int64_t offsets[MAXD];
} dlog;

static void on_delivery(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    (void)p;
    dlog *l = opaque;
    if (l->n < MAXD) l->offsets[l->n] = d->offset;
    l->n++;
    if (d->err) {
        l->failed++;
        l->last_err = d->err;
    } else {
        l->ok++;
    }
}

static kfk_producer *txn_producer(const char *boot, const char *tid, dlog *l) {
    kfk_producer_callbacks cbs = {.delivery = on_delivery, .opaque = l};
    const char *settings[] = {"transactional.id", tid, "linger.ms", "5", NULL};
    return pit_producer(boot, &cbs, settings);
}

static int send_range(kfk_producer *p, const char *topic, const char *tag, int n) {
    for (int i = 0; i < n; i++) {
        char v[64];
        int len = snprintf(v, sizeof v, "%s-%d", tag, i);
        kfk_message m = {.topic = topic, .partition = i % PARTS, .value = v,
                         .value_len = (size_t)len};
        int rc = kfk_producer_send(p, &m, 0);
        if (rc) return rc;
    }
    return 0;
}

/* Counts the messages of topic whose value starts with tag, read from the
 * start with the isolation level given, until idle_ms pass without one. */
static int count_read(const char *boot, const char *topic, const char *isolation,
                      const char *tag, int idle_ms) {
    kfk_consumer *c = cit_consumer(boot, "isolation.level", isolation, NULL);
    if (!c) return -1;
    cit_assign(c, topic, PARTS, KFK_OFFSET_BEGINNING);
    int n = 0;
    int64_t quiet_until = it_now_ms() + idle_ms;
    size_t tl = strlen(tag);
    while (it_now_ms() < quiet_until) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 100);
        if (!m) continue;
        if (!m->err) {
            quiet_until = it_now_ms() + idle_ms;
            if (m->value_len > tl && memcmp(m->value, tag, tl) == 0 &&
                ((const char *)m->value)[tl] == '-')
                n++;
        }
        kfk_consumer_message_release(m);
    }
    kfk_consumer_destroy(c);
    return n;
}

TEST(commit_and_abort_over_partitions) {
    const char *boot = it_bootstrap();
    char topic[128], tid[160];
    REQUIRE_EQ(cit_topic(boot, topic, sizeof topic, "txn-basic", PARTS), 0);
    snprintf(tid, sizeof tid, "tid-%s", topic);
    dlog l = {0};
    kfk_producer *p = txn_producer(boot, tid, &l);
    REQUIRE(p != NULL);
    REQUIRE_EQ(kfk_producer_init_transactions(p, 30000), 0);
    /* Protocol v2 where the broker finalizes transaction.version 2. */
    const char *ver = getenv("KFK_BROKER_VERSION");
    int v1 = ver && strncmp(ver, "3.", 2) == 0;

    REQUIRE_EQ(kfk_producer_begin_transaction(p), 0);
    REQUIRE_EQ(send_range(p, topic, "c1", PER), 0);
    REQUIRE_EQ(kfk_producer_commit_transaction(p, 30000), 0);
    CHECK_EQ(l.ok, PER); /* reported by the commit */
    CHECK_EQ(kfk_producer_api_version(p, 26 /* EndTxn */) >= 5, !v1);
    CHECK_EQ(kfk_producer_api_version(p, 24 /* AddPartitionsToTxn */) >= 0, v1);

    REQUIRE_EQ(kfk_producer_begin_transaction(p), 0);
    REQUIRE_EQ(send_range(p, topic, "a1", PER), 0);
    REQUIRE_EQ(kfk_producer_flush(p, 30000), 0); /* written, not reported */
    CHECK_EQ(l.n, PER);
    REQUIRE_EQ(kfk_producer_abort_transaction(p, 30000), 0);
    CHECK_EQ(l.failed, PER);
    CHECK_EQ(l.last_err, KFK_ERR_TRANSACTION_ABORTABLE);

    REQUIRE_EQ(kfk_producer_begin_transaction(p), 0);
    REQUIRE_EQ(send_range(p, topic, "c2", PER), 0);
    REQUIRE_EQ(kfk_producer_commit_transaction(p, 30000), 0);
    CHECK_EQ(l.ok, 2 * PER);
    kfk_producer_stats st;
    kfk_producer_stats_get(p, &st);
    CHECK_EQ(st.txn_commits, 2);
    CHECK_EQ(st.txn_aborts, 1);
    CHECK_EQ(st.txn_version, v1 ? 1 : 2);
    CHECK(st.producer_id >= 0);
    /* v2 bumps the epoch at every end (KIP-890); v1 keeps it. */
    int32_t epoch = st.producer_epoch;
    /* An empty transaction commits without asking the broker. */
    REQUIRE_EQ(kfk_producer_begin_transaction(p), 0);
    REQUIRE_EQ(kfk_producer_commit_transaction(p, 30000), 0);
    REQUIRE_EQ(kfk_producer_begin_transaction(p), 0);
    REQUIRE_EQ(send_range(p, topic, "c3", 1), 0);
    REQUIRE_EQ(kfk_producer_commit_transaction(p, 30000), 0);
    kfk_producer_stats_get(p, &st);
    CHECK_EQ(st.txn_commits, 4);
    CHECK_EQ(st.producer_epoch, v1 ? epoch : epoch + 1);
    kfk_producer_destroy(p);

    CHECK_EQ(count_read(boot, topic, "read_committed", "c1", 3000), PER);
    CHECK_EQ(count_read(boot, topic, "read_committed", "c2", 1000), PER);
    CHECK_EQ(count_read(boot, topic, "read_committed", "a1", 1000), 0);
    CHECK_EQ(count_read(boot, topic, "read_uncommitted", "a1", 1000), PER);
}

TEST(misuse_is_refused) {
    const char *boot = it_bootstrap();
    char tid[64];
    snprintf(tid, sizeof tid, "tid-misuse-%lld", (long long)it_now_ms());
    dlog l = {0};
    kfk_producer *p = txn_producer(boot, tid, &l);
    REQUIRE(p != NULL);
    kfk_message m = {.topic = "never-created", .value = "x", .value_len = 1};
    CHECK_EQ(kfk_producer_begin_transaction(p), KFK_ERR_STATE); /* before init */
    CHECK_EQ(kfk_producer_send(p, &m, 0), KFK_ERR_STATE);
    REQUIRE_EQ(kfk_producer_init_transactions(p, 30000), 0);
    CHECK_EQ(kfk_producer_init_transactions(p, 30000), KFK_ERR_STATE);
    CHECK_EQ(kfk_producer_commit_transaction(p, 1000), KFK_ERR_STATE); /* none begun */
    CHECK_EQ(kfk_producer_abort_transaction(p, 1000), KFK_ERR_STATE);
    CHECK_EQ(kfk_producer_send(p, &m, 0), KFK_ERR_STATE);
    REQUIRE_EQ(kfk_producer_begin_transaction(p), 0);
    CHECK_EQ(kfk_producer_begin_transaction(p), KFK_ERR_STATE);
    REQUIRE_EQ(kfk_producer_abort_transaction(p, 30000), 0);
    kfk_producer_destroy(p);

    /* A producer without transactional.id has no transactions. */
    const char *plain[] = {NULL};
    p = pit_producer(boot, NULL, plain);
    REQUIRE(p != NULL);
    CHECK_EQ(kfk_producer_init_transactions(p, 1000), KFK_ERR_STATE);
    CHECK_EQ(kfk_producer_begin_transaction(p), KFK_ERR_STATE);
    kfk_producer_destroy(p);

    /* transactional.id needs idempotence; the error names both keys. */
    kfk_conf *conf = kfk_conf_new();
    char err[256];
    REQUIRE_EQ(kfk_conf_set(conf, "bootstrap.servers", boot, err, sizeof err), 0);
    REQUIRE_EQ(kfk_conf_set(conf, "transactional.id", "t", err, sizeof err), 0);
    REQUIRE_EQ(kfk_conf_set(conf, "enable.idempotence", "false", err, sizeof err), 0);
    CHECK(kfk_producer_new(conf, NULL, err, sizeof err) == NULL);
    CHECK(strstr(err, "transactional.id=t") && strstr(err, "enable.idempotence=false"));
    REQUIRE_EQ(kfk_conf_set(conf, "enable.idempotence", "true", err, sizeof err), 0);
    REQUIRE_EQ(kfk_conf_set(conf, "acks", "1", err, sizeof err), 0);
    CHECK(kfk_producer_new(conf, NULL, err, sizeof err) == NULL);
    CHECK(strstr(err, "transactional.id") && strstr(err, "acks=1"));
    kfk_conf_destroy(conf);
}

/* Consume-transform-produce: offsets given to the transaction are the
 * group's committed offsets once it commits, and not after an abort. */
TEST(offsets_commit_with_the_transaction) {
    const char *boot = it_bootstrap();
    char in[128], out[128], group[160], tid[160];
    REQUIRE_EQ(cit_topic(boot, in, sizeof in, "txn-in", PARTS), 0);
    REQUIRE_EQ(cit_topic(boot, out, sizeof out, "txn-out", PARTS), 0);
    snprintf(group, sizeof group, "g-%s", in);
    snprintf(tid, sizeof tid, "tid-%s", in);
    dlog l = {0};
    kfk_producer *p = txn_producer(boot, tid, &l);
    REQUIRE(p != NULL);
    REQUIRE_EQ(kfk_producer_init_transactions(p, 30000), 0);
    kfk_group_metadata *gm = kfk_group_metadata_new(group, -1, "", NULL);
    REQUIRE(gm != NULL);
    kfk_partition_list *offs = kfk_partition_list_new(PARTS);
    for (int i = 0; i < PARTS; i++) kfk_partition_list_add(offs, in, i)->offset = 10 + i;

    REQUIRE_EQ(kfk_producer_begin_transaction(p), 0);
    REQUIRE_EQ(send_range(p, out, "o1", PER), 0);
    REQUIRE_EQ(kfk_producer_send_offsets_to_transaction(p, offs, gm, 30000), 0);
    REQUIRE_EQ(kfk_producer_commit_transaction(p, 30000), 0);

    for (int i = 0; i < PARTS; i++) offs->elems[i].offset = 100 + i;
    REQUIRE_EQ(kfk_producer_begin_transaction(p), 0);
    REQUIRE_EQ(kfk_producer_send_offsets_to_transaction(p, offs, gm, 30000), 0);
    REQUIRE_EQ(kfk_producer_abort_transaction(p, 30000), 0);

    /* Offsets only (no message) commit too. */
    for (int i = 0; i < PARTS; i++) offs->elems[i].offset = 20 + i;
    REQUIRE_EQ(kfk_producer_begin_transaction(p), 0);
    REQUIRE_EQ(kfk_producer_send_offsets_to_transaction(p, offs, gm, 30000), 0);
    REQUIRE_EQ(kfk_producer_commit_transaction(p, 30000), 0);
    kfk_producer_destroy(p);

    kfk_consumer *c = cit_consumer(boot, "group.id", group, NULL);
    REQUIRE(c != NULL);
    kfk_partition_list *got = kfk_partition_list_new(PARTS);
    for (int i = 0; i < PARTS; i++) kfk_partition_list_add(got, in, i);
    REQUIRE_EQ(kfk_consumer_committed(c, got, 30000), 0);
    for (int i = 0; i < PARTS; i++) CHECK_EQ(got->elems[i].offset, 20 + i);
    kfk_partition_list_destroy(got);
    kfk_consumer_destroy(c);
    kfk_partition_list_destroy(offs);
    kfk_group_metadata_destroy(gm);
    CHECK_EQ(count_read(boot, out, "read_committed", "o1", 3000), PER);
}

/* A producer destroyed in a transaction: its messages are reported
 * destroyed, and the next instance's init aborts what it left open. */
TEST(next_instance_aborts_what_a_dead_one_left) {
    const char *boot = it_bootstrap();
    char topic[128], tid[160];
    REQUIRE_EQ(cit_topic(boot, topic, sizeof topic, "txn-dead", PARTS), 0);
    snprintf(tid, sizeof tid, "tid-%s", topic);
    dlog l1 = {0}, l2 = {0};
    kfk_producer *p = txn_producer(boot, tid, &l1);
    REQUIRE(p != NULL);
    REQUIRE_EQ(kfk_producer_init_transactions(p, 30000), 0);
    REQUIRE_EQ(kfk_producer_begin_transaction(p), 0);
    REQUIRE_EQ(send_range(p, topic, "d1", PER), 0);
    REQUIRE_EQ(kfk_producer_flush(p, 30000), 0);
    kfk_producer_destroy(p);
    CHECK_EQ(l1.failed, PER);
    CHECK_EQ(l1.last_err, KFK_ERR_DESTROYED);

    kfk_producer *q = txn_producer(boot, tid, &l2);
    REQUIRE(q != NULL);
    REQUIRE_EQ(kfk_producer_init_transactions(q, 60000), 0);
    REQUIRE_EQ(kfk_producer_begin_transaction(q), 0);
    REQUIRE_EQ(send_range(q, topic, "d2", PER), 0);
    REQUIRE_EQ(kfk_producer_commit_transaction(q, 30000), 0);
    CHECK_EQ(l2.ok, PER);
    kfk_producer_destroy(q);
    CHECK_EQ(count_read(boot, topic, "read_committed", "d2", 3000), PER);
    CHECK_EQ(count_read(boot, topic, "read_committed", "d1", 1000), 0);
}
