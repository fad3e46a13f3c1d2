/* Offsets a transaction is committing (KIP-447): while a transactional
 * producer's offsets for the group wait in an open transaction, a
 * read_committed consumer's committed() and its start from the committed
 * offset wait for the transaction to end and then see the new offset,
 * never the older one (which would read the transaction's input twice).
 * read_uncommitted answers at once with the older one. */
#include <pthread.h>

#include "consume_it.h"
#include "produce_it.h"

/* A group offset of 5 committed, then a transaction holding offset 9 for
 * the same partition and group left open. */
static kfk_producer *open_txn(const char *boot, const char *topic, const char *group) {
    kfk_consumer *c = cit_consumer(boot, "group.id", group, NULL);
    if (!c) return NULL;
    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, topic, 0)->offset = 5;
    int rc = kfk_consumer_commit(c, l, 0);
    kfk_partition_list_destroy(l);
    kfk_consumer_close(c);
    if (rc) {
        kfk_test_fail(__FILE__, __LINE__, "commit: %s", kfk_err_name(rc));
        return NULL;
    }
    char id[200];
    snprintf(id, sizeof id, "%s-tx", topic);
    const char *settings[] = {"transactional.id", id, NULL};
    kfk_producer *p = pit_producer(boot, NULL, settings);
    if (!p) return NULL;
    kfk_group_metadata *gm = kfk_group_metadata_new(group, -1, NULL, NULL);
    l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, topic, 0)->offset = 9;
    rc = kfk_producer_init_transactions(p, 30000);
    if (!rc) rc = kfk_producer_begin_transaction(p);
    if (!rc) rc = kfk_producer_send_offsets_to_transaction(p, l, gm, 30000);
    kfk_partition_list_destroy(l);
    kfk_group_metadata_destroy(gm);
    if (rc) {
        kfk_test_fail(__FILE__, __LINE__, "transaction: %s", kfk_err_name(rc));
        kfk_producer_destroy(p);
        return NULL;
    }
    return p;
}

typedef struct asker {
    kfk_consumer *c;
    const char *topic;
    int rc;
    int64_t offset;
} asker;

static void *ask_committed(void *arg) {
    asker *k = arg;
    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, k->topic, 0);
    k->rc = kfk_consumer_committed(k->c, l, 30000);
    k->offset = k->rc ? -1 : l->elems[0].offset;
    if (!k->rc && l->elems[0].err) k->rc = l->elems[0].err;
    kfk_partition_list_destroy(l);
    return NULL;
}

TEST(committed_waits_for_the_transaction) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128], group[160];
    REQUIRE_EQ(cit_topic(boot, topic, sizeof topic, "stable", 1), 0);
    snprintf(group, sizeof group, "%s-g", topic);
    kfk_producer *p = open_txn(boot, topic, group);
    REQUIRE(p);

    asker plain = {cit_consumer(boot, "group.id", group, NULL), topic, -1, -1};
    REQUIRE(plain.c);
    ask_committed(&plain);
    CHECK_EQ(plain.rc, 0);
    CHECK_EQ(plain.offset, 5); /* read_uncommitted: the stable offset, at once */
    kfk_consumer_close(plain.c);

    asker rc = {cit_consumer(boot, "group.id", group, "isolation.level", "read_committed", NULL),
                topic, -1, -1};
    REQUIRE(rc.c);
    pthread_t t;
    REQUIRE_EQ(pthread_create(&t, NULL, ask_committed, &rc), 0);
    usleep(500 * 1000); /* the question goes while the transaction is open */
    CHECK_EQ(kfk_producer_commit_transaction(p, 30000), 0);
    pthread_join(t, NULL);
    CHECK_EQ(rc.rc, 0);
    CHECK_EQ(rc.offset, 9);
    kfk_consumer_close(rc.c);
    kfk_producer_destroy(p);
}

TEST(start_from_committed_waits_for_the_transaction) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128], group[160];
    REQUIRE_EQ(cit_topic(boot, topic, sizeof topic, "stable", 1), 0);
    snprintf(group, sizeof group, "%s-g", topic);
    REQUIRE_EQ(cit_kcat(boot, topic, 0, "none", "s", 0, 20), 0);
    kfk_producer *p = open_txn(boot, topic, group);
    REQUIRE(p);
    kfk_consumer *c = cit_consumer(boot, "group.id", group, "isolation.level", "read_committed",
                                   NULL);
    REQUIRE(c);
    REQUIRE_EQ(cit_assign(c, topic, 1, KFK_OFFSET_STORED), 0);
    kfk_consumer_message_release(kfk_consumer_poll(c, 500)); /* the OffsetFetch goes */
    CHECK_EQ(kfk_producer_commit_transaction(p, 30000), 0);
    kfk_consumer_message *m[1];
    REQUIRE_EQ(cit_drain(c, m, 1, 30000), 1);
    CHECK_EQ(m[0]->offset, 9);
    cit_release_all(m, 1);
    kfk_consumer_close(c);
    kfk_producer_destroy(p);
}
