/* The admin client on a three-node cluster (KFK_BOOTSTRAP_3NODES):
 * replication factor 3, and preferred leader election after a broker
 * came back (it is killed and restarted with the command KFK_CLUSTER_CTL,
 * e.g. scripts/kafka-local for the cluster under test). */
#include "admin_it.h"
#include "failover_it.h"

TEST(replication_factor_three_and_preferred_election) {
    kfk_admin *a = admin_new_on(fit_env("KFK_BOOTSTRAP_3NODES"));
    REQUIRE(a);
    char topic[128];
    it_topic(topic, sizeof topic, "adm-rf3");
    kfk_new_topic t = {.name = topic, .partitions = 3, .replication_factor = 3};
    kfk_admin_result *r = kfk_admin_create_topics(a, &t, 1, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    kfk_admin_result_destroy(r);
    REQUIRE(admin_wait_isr(a, topic, 3, 3));
    r = admin_describe_topic(a, topic);
    REQUIRE(r);
    REQUIRE_EQ(r->topics[0].npartitions, 3);
    for (int p = 0; p < 3; p++) CHECK_EQ(r->topics[0].partitions[p].nreplicas, 3);
    /* the preferred leader of partition 0 */
    int32_t preferred = r->topics[0].partitions[0].replicas[0];
    kfk_admin_result_destroy(r);

    /* every leader is preferred already */
    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, topic, 0);
    r = kfk_admin_elect_leaders(a, l, 0, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->partitions->elems[0].err, KFK_ERR_ELECTION_NOT_NEEDED);
    kfk_admin_result_destroy(r);

    /* stop the preferred leader: leadership moves away */
    char out[512];
    const char *ctl = getenv("KFK_CLUSTER_CTL");
    if (!ctl) kfk_test_fail(__FILE__, __LINE__, "KFK_CLUSTER_CTL is not set");
    REQUIRE(ctl);
    REQUIRE_EQ(admin_sh(out, sizeof out, "%s kill %d --nodes 3 >/dev/null 2>&1", ctl,
                        (int)preferred),
               0);
    int moved = 0;
    for (int i = 0; i < 150 && !moved; i++) {
        r = admin_describe_topic(a, topic);
        moved = r && r->topics[0].npartitions == 3 &&
                r->topics[0].partitions[0].leader >= 0 &&
                r->topics[0].partitions[0].leader != preferred;
        kfk_admin_result_destroy(r);
        if (!moved) admin_sleep_ms(200);
    }
    CHECK(moved);
    CHECK_EQ(admin_sh(out, sizeof out, "%s start %d --nodes 3 >/dev/null 2>&1", ctl,
                      (int)preferred),
             0);
    REQUIRE(admin_wait_isr(a, topic, 3, 3));

    /* back in the ISR but not leading: a preferred election moves it back */
    int elected = 0;
    for (int i = 0; i < 50 && !elected; i++) {
        r = kfk_admin_elect_leaders(a, l, 0, NULL, NULL, NULL);
        REQUIRE(r);
        int err = r->partitions->elems[0].err;
        kfk_admin_result_destroy(r);
        elected = err == 0 || err == KFK_ERR_ELECTION_NOT_NEEDED;
        if (!elected) admin_sleep_ms(200);
    }
    CHECK(elected);
    /* the election's result reaches the broker that answers a moment later */
    int32_t leader = -1;
    for (int i = 0; i < 150 && leader != preferred; i++) {
        if (i) admin_sleep_ms(200);
        r = admin_describe_topic(a, topic);
        REQUIRE(r);
        leader = r->topics[0].npartitions == 3 ? r->topics[0].partitions[0].leader : -1;
        kfk_admin_result_destroy(r);
    }
    CHECK_EQ(leader, preferred);
    kfk_partition_list_destroy(l);

    /* every partition, in one call: all leaders are preferred now, and the
     * broker leaves out partitions that needed no election */
    r = kfk_admin_elect_leaders(a, NULL, 0, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    REQUIRE(r->partitions);
    for (int i = 0; i < r->partitions->count; i++) CHECK_EQ(r->partitions->elems[i].err, 0);
    kfk_admin_result_destroy(r);
    kfk_admin_destroy(a);
}
