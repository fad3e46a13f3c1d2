/* kfk_group_metadata: the copy a transaction's offsets carry, and a
 * consumer's snapshot of its membership read while the I/O thread's
 * setters change it. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "consumer/consumer_int.h"
#include "consumer/group_metadata.h"
#include "test.h"

TEST(copies_every_field) {
    char group[] = "orders", member[] = "m-1", instance[] = "i-7";
    kfk_group_metadata *gm = kfk_group_metadata_new(group, 5, member, instance);
    REQUIRE(gm);
    group[0] = member[0] = instance[0] = 'X'; /* copies, not references */
    CHECK_STR(kfk_group_metadata_group_id(gm), "orders");
    CHECK_EQ(kfk_group_metadata_generation_id(gm), 5);
    CHECK_STR(kfk_group_metadata_member_id(gm), "m-1");
    CHECK_STR(kfk_group_metadata_group_instance_id(gm), "i-7");
    kfk_group_metadata_destroy(gm);
}

TEST(no_member_no_instance) {
    kfk_group_metadata *gm = kfk_group_metadata_new("g", -1, NULL, NULL);
    REQUIRE(gm);
    CHECK_EQ(kfk_group_metadata_generation_id(gm), -1);
    CHECK_STR(kfk_group_metadata_member_id(gm), ""); /* TxnOffsetCommit's MemberId is not nullable */
    CHECK(kfk_group_metadata_group_instance_id(gm) == NULL);
    kfk_group_metadata_destroy(gm);
    CHECK(kfk_group_metadata_new(NULL, 1, "m", NULL) == NULL);
    kfk_group_metadata_destroy(NULL);
}

static int budget;
static void *failing_malloc(size_t n) { return budget-- > 0 ? malloc(n) : NULL; }
static void *failing_realloc(void *p, size_t n) { return budget-- > 0 ? realloc(p, n) : NULL; }

TEST(out_of_memory_is_null) {
    const kfk_allocator failing = {failing_malloc, failing_realloc, free};
    budget = 0;
    kfk_set_allocator(&failing);
    kfk_group_metadata *gm = kfk_group_metadata_new("g", 1, "m", "i");
    kfk_set_allocator(NULL);
    CHECK(gm == NULL);
}

static kfk_consumer *consumer(const char *group, const char *instance) {
    kfk_conf *conf = kfk_conf_new();
    char err[256];
    if (!conf || kfk_conf_set(conf, "bootstrap.servers", "127.0.0.1:1", err, sizeof err) ||
        (group && kfk_conf_set(conf, "group.id", group, err, sizeof err)) ||
        (instance && kfk_conf_set(conf, "group.instance.id", instance, err, sizeof err))) {
        kfk_conf_destroy(conf);
        return NULL;
    }
    kfk_consumer *c = kfk_consumer_new(conf, err, sizeof err);
    if (!c) kfk_conf_destroy(conf);
    return c;
}

TEST(consumer_before_joining) {
    kfk_consumer *c = consumer(NULL, NULL);
    REQUIRE(c);
    CHECK(kfk_consumer_group_metadata(c) == NULL); /* no group.id */
    kfk_consumer_destroy(c);
    c = consumer("g1", "static-1");
    REQUIRE(c);
    kfk_group_metadata *gm = kfk_consumer_group_metadata(c);
    REQUIRE(gm);
    CHECK_STR(kfk_group_metadata_group_id(gm), "g1");
    CHECK_EQ(kfk_group_metadata_generation_id(gm), -1);
    CHECK_STR(kfk_group_metadata_member_id(gm), "");
    CHECK_STR(kfk_group_metadata_group_instance_id(gm), "static-1");
    kfk_group_metadata_destroy(gm);
    kfk_consumer_destroy(c);
}

/* The setters stand in for the I/O thread (the consumer is never
 * subscribed, so its own I/O thread leaves the group alone). Generation k
 * is set after member "m<k>", as a JoinGroup answer sets them: a reader may
 * see a member newer than the generation, never older, and never a torn
 * or freed string. */
typedef struct {
    kfk_consumer *c;
    atomic_int stop;
} race;

static void *writer(void *arg) {
    race *r = arg;
    char id[32];
    for (int k = 1; k <= 20000; k++) {
        int n = snprintf(id, sizeof id, "m%d", k);
        kfk_group_set_member_id(&r->c->group, (kfk_str){id, n});
        kfk_group_set_generation(r->c, k);
    }
    atomic_store(&r->stop, 1);
    return NULL;
}

TEST(snapshot_is_consistent_across_threads) {
    race r = {consumer("g2", NULL), 0};
    REQUIRE(r.c);
    pthread_t t;
    REQUIRE_EQ(pthread_create(&t, NULL, writer, &r), 0);
    int reads = 0, bad = 0;
    while (!atomic_load(&r.stop) || reads == 0) {
        kfk_group_metadata *gm = kfk_consumer_group_metadata(r.c);
        if (!gm) {
            bad++;
            break;
        }
        int32_t gen = kfk_group_metadata_generation_id(gm);
        const char *m = kfk_group_metadata_member_id(gm);
        if (gen >= 1 && (m[0] != 'm' || atoi(m + 1) < gen)) bad++;
        kfk_group_metadata_destroy(gm);
        reads++;
    }
    pthread_join(t, NULL);
    CHECK_EQ(bad, 0);
    kfk_group_metadata *gm = kfk_consumer_group_metadata(r.c);
    REQUIRE(gm);
    CHECK_EQ(kfk_group_metadata_generation_id(gm), 20000);
    CHECK_STR(kfk_group_metadata_member_id(gm), "m20000");
    CHECK_EQ(kfk_consumer_generation(r.c), 20000);
    kfk_group_metadata_destroy(gm);
    kfk_consumer_destroy(r.c);
}
