/* Subscriptions matched against metadata (names and ^regexes, partition
 * count changes), partition list differences, and the group settings. */
#include <stdlib.h>

#include "consumer/consumer_int.h"
#include "core/conf.h"
#include "test.h"

static kfk_md_partition parts[8];

/* A snapshot with the given topics (sorted by the caller). */
static void md_make(kfk_metadata *md, kfk_md_topic *t, const char **names, const int *np, int n) {
    memset(md, 0, sizeof *md);
    for (int i = 0; i < n; i++) {
        memset(&t[i], 0, sizeof t[i]);
        t[i].name = names[i];
        t[i].partitions = parts;
        t[i].npartitions = np[i];
    }
    md->topics = t;
    md->ntopics = n;
}

static void group_free(kfk_group *g) {
    for (int i = 0; i < g->ntopics; i++) free(g->topics[i]);
    free(g->topics);
    free(g->nparts);
    kfk_gsub_unref(g->sub);
    kfk_gsub_unref(g->sub);
}

TEST(match_names_and_regex) {
    const char *sub[] = {"plain", "^logs-.*"};
    int err = -1;
    kfk_group g = {0};
    g.sub = kfk_gsub_new(sub, 2, &err);
    REQUIRE(g.sub);
    CHECK_EQ(err, 0);
    const char *names[] = {"logs-a", "logs-b", "other", "plain"};
    int np[] = {3, 1, 5, 2};
    kfk_md_topic t[4];
    kfk_metadata md;
    md_make(&md, t, names, np, 4);
    REQUIRE_EQ(kfk_group_match(&g, &md), 1);
    REQUIRE_EQ(g.ntopics, 3);
    CHECK_STR(g.topics[0], "logs-a");
    CHECK_STR(g.topics[1], "logs-b");
    CHECK_STR(g.topics[2], "plain");
    CHECK_EQ(g.nparts[0], 3);
    CHECK_EQ(kfk_group_match(&g, &md), 0); /* nothing changed */
    np[1] = 4;                              /* partitions added */
    md_make(&md, t, names, np, 4);
    CHECK_EQ(kfk_group_match(&g, &md), 1);
    CHECK_EQ(g.nparts[1], 4);
    group_free(&g);
}

TEST(named_topic_counts_before_it_exists) {
    const char *sub[] = {"later"};
    int err;
    kfk_group g = {0};
    g.sub = kfk_gsub_new(sub, 1, &err);
    REQUIRE(g.sub);
    kfk_md_topic t[1];
    kfk_metadata md;
    md_make(&md, t, NULL, NULL, 0);
    REQUIRE_EQ(kfk_group_match(&g, &md), 1);
    REQUIRE_EQ(g.ntopics, 1);
    CHECK_EQ(g.nparts[0], 0);
    const char *names[] = {"later"};
    int np[] = {6};
    md_make(&md, t, names, np, 1);
    CHECK_EQ(kfk_group_match(&g, &md), 1); /* created: a rebalance is due */
    CHECK_EQ(g.nparts[0], 6);
    group_free(&g);
}

TEST(bad_regex_and_empty_name_are_rejected) {
    int err = 0;
    const char *bad[] = {"ok", "^(unclosed"};
    CHECK(kfk_gsub_new(bad, 2, &err) == NULL);
    CHECK_EQ(err, KFK_ERR_INVALID_ARG);
    const char *empty[] = {""};
    CHECK(kfk_gsub_new(empty, 1, &err) == NULL);
    CHECK_EQ(err, KFK_ERR_INVALID_ARG);
}

TEST(plist_minus) {
    kfk_partition_list *a = kfk_partition_list_new(4), *b = kfk_partition_list_new(4);
    kfk_partition_list_add(a, "t", 0);
    kfk_partition_list_add(a, "t", 1);
    kfk_partition_list_add(a, "u", 0);
    kfk_partition_list_add(b, "t", 1);
    kfk_partition_list_add(b, "v", 9);
    kfk_partition_list *d = kfk_plist_minus(a, b);
    REQUIRE(d);
    REQUIRE_EQ(d->count, 2);
    CHECK(kfk_partition_list_find(d, "t", 0) && kfk_partition_list_find(d, "u", 0));
    kfk_partition_list_destroy(d);
    d = kfk_plist_minus(a, NULL);
    CHECK_EQ(d->count, 3);
    kfk_partition_list_destroy(d);
    kfk_partition_list_destroy(a);
    kfk_partition_list_destroy(b);
}

static int cconf(const char *key, const char *val, kfk_cconf *cc, char *err, size_t len) {
    kfk_conf *conf = kfk_conf_new();
    int rc = kfk_conf_set(conf, key, val, err, len);
    if (!rc) rc = kfk_cconf_from(cc, conf, err, len);
    kfk_conf_destroy(conf);
    return rc;
}

TEST(group_settings) {
    kfk_cconf cc;
    char err[256];
    REQUIRE_EQ(cconf("group.id", "g", &cc, err, sizeof err), 0);
    /* Java 4.x defaults: range first, cooperative-sticky too: eager. */
    REQUIRE_EQ(cc.nassignors, 2);
    CHECK_STR(cc.assignors[0]->name, "range");
    CHECK_STR(cc.assignors[1]->name, "cooperative-sticky");
    CHECK_EQ(cc.cooperative, 0);
    CHECK_EQ(cc.session_timeout_ms, 45000);
    CHECK_EQ(cc.heartbeat_interval_ms, 3000);
    CHECK_EQ(cc.max_poll_interval_ms, 300000);
    CHECK(cc.instance_id == NULL);
    REQUIRE_EQ(cconf("partition.assignment.strategy", "cooperative-sticky", &cc, err, sizeof err), 0);
    CHECK_EQ(cc.cooperative, 1);
    CHECK_EQ(cconf("partition.assignment.strategy", "range,sticky", &cc, err, sizeof err),
             KFK_ERR_CONFIG);
    CHECK(strstr(err, "partition.assignment.strategy") != NULL);
    CHECK_EQ(cconf("heartbeat.interval.ms", "45000", &cc, err, sizeof err), KFK_ERR_CONFIG);
    CHECK(strstr(err, "heartbeat.interval.ms") != NULL);
}
