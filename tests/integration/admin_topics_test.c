/* The admin client's topic operations against a real broker, checked with
 * kcat -L as the independent reader. */
#include <pthread.h>

#include "admin_it.h"

TEST(create_topic_seen_by_kcat_and_described) {
    kfk_admin *a = admin_new();
    REQUIRE(a);
    char topic[128];
    it_topic(topic, sizeof topic, "adm-create");
    const char *cfg[] = {"retention.ms", "3600000"};
    kfk_new_topic t = {.name = topic, .partitions = 3, .replication_factor = 1, .configs = cfg,
                       .nconfigs = 1};
    kfk_admin_result *r = kfk_admin_create_topics(a, &t, 1, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    REQUIRE_EQ(r->nitems, 1);
    CHECK_STR(r->items[0].name, topic);
    CHECK_EQ(r->items[0].err, 0);
    CHECK(r->items[0].errstr == NULL);
    kfk_admin_result_destroy(r);
    CHECK_EQ(admin_kcat_wait_partitions(topic, 3), 3);

    const char *names[] = {topic, "kfk-it-adm-no-such-topic"};
    r = kfk_admin_describe_topics(a, names, 2, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, KFK_ERR_PARTIAL);
    REQUIRE_EQ(r->ntopics, 2);
    const kfk_topic_desc *d = &r->topics[0];
    CHECK_STR(d->name, topic);
    CHECK_EQ(d->err, 0);
    CHECK_EQ(d->internal, 0);
    static const uint8_t zero[16];
    CHECK(memcmp(d->topic_id, zero, 16) != 0);
    REQUIRE_EQ(d->npartitions, 3);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(d->partitions[i].id, i);
        CHECK(d->partitions[i].leader >= 0);
        CHECK_EQ(d->partitions[i].nreplicas, 1);
        CHECK_EQ(d->partitions[i].nisr, 1);
        CHECK_EQ(d->partitions[i].noffline, 0);
        CHECK_EQ(d->partitions[i].replicas[0], d->partitions[i].leader);
    }
    CHECK_STR(r->topics[1].name, "kfk-it-adm-no-such-topic");
    CHECK_EQ(r->topics[1].err, KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    kfk_admin_result_destroy(r);

    r = kfk_admin_list_topics(a, 0, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    int found = 0, internal = 0;
    for (int i = 0; i < r->ntopics; i++) {
        if (strcmp(r->topics[i].name, topic) == 0) found = r->topics[i].npartitions;
        internal |= r->topics[i].internal;
        if (i) CHECK(strcmp(r->topics[i - 1].name, r->topics[i].name) < 0);
    }
    CHECK_EQ(found, 3);
    CHECK_EQ(internal, 0);
    kfk_admin_result_destroy(r);
    kfk_admin_destroy(a);
}

TEST(create_existing_topic_fails_with_its_message) {
    kfk_admin *a = admin_new();
    REQUIRE(a);
    char topic[128];
    it_topic(topic, sizeof topic, "adm-exists");
    REQUIRE_EQ(admin_create(a, topic, 1), 0);
    kfk_new_topic t = {.name = topic, .partitions = 1, .replication_factor = 1};
    kfk_admin_result *r = kfk_admin_create_topics(a, &t, 1, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, KFK_ERR_PARTIAL);
    CHECK_EQ(r->items[0].err, KFK_ERR_TOPIC_ALREADY_EXISTS);
    CHECK(r->items[0].errstr && strstr(r->items[0].errstr, topic));
    kfk_admin_result_destroy(r);
    kfk_admin_destroy(a);
}

TEST(replication_factor_above_brokers_is_invalid) {
    kfk_admin *a = admin_new();
    REQUIRE(a);
    char ok[128], bad[128];
    it_topic(ok, sizeof ok, "adm-rf-ok");
    it_topic(bad, sizeof bad, "adm-rf-bad");
    kfk_new_topic t[2] = {{.name = ok, .partitions = 1, .replication_factor = 1},
                          {.name = bad, .partitions = 1, .replication_factor = 3}};
    kfk_admin_result *r = kfk_admin_create_topics(a, t, 2, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, KFK_ERR_PARTIAL);
    REQUIRE_EQ(r->nitems, 2);
    CHECK_EQ(r->items[0].err, 0);
    CHECK_EQ(r->items[1].err, KFK_ERR_INVALID_REPLICATION_FACTOR);
    CHECK(r->items[1].errstr && strlen(r->items[1].errstr) > 0);
    kfk_admin_result_destroy(r);
    CHECK_EQ(admin_kcat_wait_partitions(ok, 1), 1);
    CHECK_EQ(admin_kcat_partitions(bad), -1);
    kfk_admin_destroy(a);
}

TEST(validate_only_creates_nothing) {
    kfk_admin *a = admin_new();
    REQUIRE(a);
    char topic[128];
    it_topic(topic, sizeof topic, "adm-validate");
    kfk_new_topic t = {.name = topic, .partitions = 2, .replication_factor = 1};
    kfk_admin_options o = {.validate_only = 1};
    kfk_admin_result *r = kfk_admin_create_topics(a, &t, 1, &o, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    CHECK_EQ(r->items[0].err, 0);
    kfk_admin_result_destroy(r);
    const char *names[] = {topic};
    r = kfk_admin_describe_topics(a, names, 1, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->topics[0].err, KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    kfk_admin_result_destroy(r);
    kfk_admin_destroy(a);
}

TEST(explicit_replica_assignment) {
    kfk_admin *a = admin_new();
    REQUIRE(a);
    kfk_admin_result *c = kfk_admin_describe_cluster(a, NULL, NULL, NULL);
    REQUIRE(c);
    REQUIRE_EQ(c->err, 0);
    REQUIRE(c->cluster.nbrokers >= 1);
    int32_t b = c->cluster.brokers[0].id;
    kfk_admin_result_destroy(c);
    char topic[128];
    it_topic(topic, sizeof topic, "adm-assign");
    int32_t assignment[2] = {b, b};
    kfk_new_topic t = {.name = topic, .partitions = 2, .assignment = assignment,
                       .replicas_per_partition = 1};
    kfk_admin_result *r = kfk_admin_create_topics(a, &t, 1, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    kfk_admin_result_destroy(r);
    CHECK_EQ(admin_kcat_wait_partitions(topic, 2), 2);
    /* a broker that does not exist */
    char bad[128];
    it_topic(bad, sizeof bad, "adm-assign-bad");
    int32_t nobody[1] = {4242};
    kfk_new_topic t2 = {.name = bad, .partitions = 1, .assignment = nobody,
                        .replicas_per_partition = 1};
    r = kfk_admin_create_topics(a, &t2, 1, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->items[0].err, KFK_ERR_INVALID_REPLICA_ASSIGNMENT);
    kfk_admin_result_destroy(r);
    kfk_admin_destroy(a);
}

TEST(create_partitions_adds_and_refuses_fewer) {
    kfk_admin *a = admin_new();
    REQUIRE(a);
    char topic[128];
    it_topic(topic, sizeof topic, "adm-parts");
    REQUIRE_EQ(admin_create(a, topic, 1), 0);
    kfk_new_partitions p = {.topic = topic, .total = 4};
    kfk_admin_result *r = kfk_admin_create_partitions(a, &p, 1, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    CHECK_EQ(r->items[0].err, 0);
    kfk_admin_result_destroy(r);
    CHECK_EQ(admin_kcat_wait_partitions(topic, 4), 4);
    p.total = 2;
    r = kfk_admin_create_partitions(a, &p, 1, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, KFK_ERR_PARTIAL);
    CHECK_EQ(r->items[0].err, KFK_ERR_INVALID_PARTITIONS);
    CHECK(r->items[0].errstr && strlen(r->items[0].errstr) > 0);
    kfk_admin_result_destroy(r);
    CHECK_EQ(admin_kcat_wait_partitions(topic, 4), 4);
    kfk_admin_destroy(a);
}

TEST(delete_topic_is_gone_and_missing_one_fails) {
    kfk_admin *a = admin_new();
    REQUIRE(a);
    char topic[128], missing[128];
    it_topic(topic, sizeof topic, "adm-delete");
    it_topic(missing, sizeof missing, "adm-delete-missing");
    REQUIRE_EQ(admin_create(a, topic, 2), 0);
    CHECK_EQ(admin_kcat_wait_partitions(topic, 2), 2);
    const char *names[] = {topic, missing};
    kfk_admin_result *r = kfk_admin_delete_topics(a, names, 2, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, KFK_ERR_PARTIAL);
    CHECK_EQ(r->items[0].err, 0);
    CHECK_EQ(r->items[1].err, KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    kfk_admin_result_destroy(r);
    /* deletion completes asynchronously on the broker */
    int gone = 0;
    for (int i = 0; i < 50 && !gone; i++) {
        gone = admin_kcat_partitions(topic) == -1;
        if (!gone) admin_sleep_ms(200);
    }
    CHECK(gone);
    kfk_admin_destroy(a);
}

TEST(describe_cluster) {
    kfk_admin *a = admin_new();
    REQUIRE(a);
    kfk_admin_result *r = kfk_admin_describe_cluster(a, NULL, NULL, NULL);
    REQUIRE(r);
    CHECK_EQ(r->err, 0);
    CHECK(r->cluster.cluster_id && strlen(r->cluster.cluster_id) > 0);
    REQUIRE(r->cluster.nbrokers >= 1);
    int controller_listed = 0;
    for (int i = 0; i < r->cluster.nbrokers; i++) {
        CHECK(r->cluster.brokers[i].host && *r->cluster.brokers[i].host);
        CHECK(r->cluster.brokers[i].port > 0);
        controller_listed |= r->cluster.brokers[i].id == r->cluster.controller_id;
    }
    CHECK(controller_listed);
    /* the bootstrap port is one of the brokers' */
    const char *colon = strrchr(it_bootstrap(), ':');
    int port = colon ? atoi(colon + 1) : -1, seen = 0;
    for (int i = 0; i < r->cluster.nbrokers; i++) seen |= r->cluster.brokers[i].port == port;
    CHECK(seen);
    kfk_admin_result_destroy(r);
    kfk_admin_destroy(a);
}

/* The asynchronous form: the callback runs once, on another thread. */
typedef struct waiter {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    kfk_admin_result *res;
    int calls;
    pthread_t thread;
} waiter;

static void on_result(kfk_admin_result *res, void *opaque) {
    waiter *w = opaque;
    pthread_mutex_lock(&w->lock);
    w->res = res;
    w->calls++;
    w->thread = pthread_self();
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

TEST(async_create_runs_callback_on_io_thread) {
    kfk_admin *a = admin_new();
    REQUIRE(a);
    char topic[128];
    it_topic(topic, sizeof topic, "adm-async");
    waiter w = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    kfk_new_topic t = {.name = topic, .partitions = 2, .replication_factor = 1};
    CHECK(kfk_admin_create_topics(a, &t, 1, NULL, on_result, &w) == NULL);
    pthread_mutex_lock(&w.lock);
    while (!w.calls) pthread_cond_wait(&w.cond, &w.lock);
    pthread_mutex_unlock(&w.lock);
    REQUIRE(w.res);
    CHECK_EQ(w.res->err, 0);
    CHECK_EQ(w.res->items[0].err, 0);
    CHECK(!pthread_equal(w.thread, pthread_self()));
    kfk_admin_result_destroy(w.res);
    CHECK_EQ(admin_kcat_wait_partitions(topic, 2), 2);
    /* invalid arguments fail at once, on this thread */
    w.calls = 0;
    CHECK(kfk_admin_create_topics(a, NULL, 0, NULL, on_result, &w) == NULL);
    CHECK_EQ(w.calls, 1);
    REQUIRE(w.res);
    CHECK_EQ(w.res->err, KFK_ERR_INVALID_ARG);
    CHECK(pthread_equal(w.thread, pthread_self()));
    kfk_admin_result_destroy(w.res);
    kfk_admin_destroy(a);
}

TEST(destroy_cuts_short_pending_operations) {
    /* nothing listens here: the operation waits for a connection */
    kfk_admin *a = admin_new_on("127.0.0.1:1");
    REQUIRE(a);
    waiter w = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    kfk_admin_options o = {.timeout_ms = 60000};
    CHECK(kfk_admin_describe_cluster(a, &o, on_result, &w) == NULL);
    admin_sleep_ms(300);
    kfk_admin_destroy(a);
    CHECK_EQ(w.calls, 1);
    REQUIRE(w.res);
    CHECK(w.res->err == KFK_ERR_DESTROYED);
    kfk_admin_result_destroy(w.res);
}

TEST(timeout_reports_the_last_error) {
    kfk_admin *a = admin_new_on("127.0.0.1:1");
    REQUIRE(a);
    kfk_admin_options o = {.timeout_ms = 1500};
    int64_t t0 = it_now_ms();
    kfk_admin_result *r = kfk_admin_describe_cluster(a, &o, NULL, NULL);
    int64_t took = it_now_ms() - t0;
    REQUIRE(r);
    CHECK(r->err != 0);
    CHECK(r->errstr != NULL);
    /* it gives up once the next retry would fall past the timeout */
    CHECK(took >= 500 && took < 5000);
    kfk_admin_result_destroy(r);
    kfk_admin_destroy(a);
}
