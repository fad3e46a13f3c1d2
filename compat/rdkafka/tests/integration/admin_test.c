/* The admin API against the broker at KFK_BOOTSTRAP, through librdkafka's
 * calls only: topics, partitions, configs; results through a queue, the
 * main queue and the background event callback. */
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

#define WAIT_MS 60000

static const char *bootstrap(void) {
    const char *b = getenv("KFK_BOOTSTRAP");
    if (!b || !*b) kfk_test_fail(__FILE__, __LINE__, "KFK_BOOTSTRAP is not set");
    return b && *b ? b : NULL;
}

static void topic_name(char *buf, size_t len, const char *what) {
    static int seq;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(buf, len, "rdk-admin-%s-%d-%lld-%d", what, (int)getpid(),
             (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, seq++);
}

/* Background events, handed from the library's thread to the test. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    rd_kafka_event_t *ev;
    int calls;
} bg = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, 0};

static void background_cb(rd_kafka_t *rk, rd_kafka_event_t *rkev, void *opaque) {
    (void)rk;
    (void)opaque;
    pthread_mutex_lock(&bg.lock);
    if (bg.ev) rd_kafka_event_destroy(bg.ev);
    bg.ev = rkev;
    bg.calls++;
    pthread_cond_broadcast(&bg.cond);
    pthread_mutex_unlock(&bg.lock);
}

static rd_kafka_event_t *background_wait(void) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += WAIT_MS / 1000;
    pthread_mutex_lock(&bg.lock);
    while (!bg.ev && pthread_cond_timedwait(&bg.cond, &bg.lock, &until) == 0) {
    }
    rd_kafka_event_t *ev = bg.ev;
    bg.ev = NULL;
    pthread_mutex_unlock(&bg.lock);
    return ev;
}

static rd_kafka_t *client(int with_background) {
    const char *b = bootstrap();
    if (!b) return NULL;
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", b, errstr, sizeof(errstr)) !=
        RD_KAFKA_CONF_OK) {
        kfk_test_fail(__FILE__, __LINE__, "conf: %s", errstr);
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    if (with_background) rd_kafka_conf_set_background_event_cb(conf, background_cb);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (!rk) {
        kfk_test_fail(__FILE__, __LINE__, "rd_kafka_new: %s", errstr);
        rd_kafka_conf_destroy(conf);
    }
    return rk;
}

/* The next event of type on q (others are dropped), or NULL. */
static rd_kafka_event_t *wait_event(rd_kafka_queue_t *q, rd_kafka_event_type_t type) {
    for (int waited = 0; waited < WAIT_MS; waited += 1000) {
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 1000);
        if (!ev) continue;
        if (rd_kafka_event_type(ev) == type) return ev;
        rd_kafka_event_destroy(ev);
    }
    return NULL;
}

static rd_kafka_AdminOptions_t *options(rd_kafka_t *rk, rd_kafka_admin_op_t op, void *opaque) {
    char errstr[256];
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(rk, op);
    rd_kafka_AdminOptions_set_opaque(o, opaque);
    rd_kafka_AdminOptions_set_request_timeout(o, 30000, errstr, sizeof(errstr));
    return o;
}

/* Creates names (the first with a config) and waits for the result on q. */
static rd_kafka_event_t *create_topics(rd_kafka_t *rk, rd_kafka_queue_t *q, const char **names,
                                       size_t n, int partitions, void *opaque) {
    char errstr[256];
    rd_kafka_NewTopic_t *nt[4];
    for (size_t i = 0; i < n; i++) {
        nt[i] = rd_kafka_NewTopic_new(names[i], partitions, 1, errstr, sizeof(errstr));
        if (!nt[i]) {
            kfk_test_fail(__FILE__, __LINE__, "NewTopic_new: %s", errstr);
            return NULL;
        }
    }
    if (n) rd_kafka_NewTopic_set_config(nt[0], "retention.ms", "3600000");
    rd_kafka_AdminOptions_t *o = options(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS, opaque);
    rd_kafka_CreateTopics(rk, nt, n, o, q);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_NewTopic_destroy_array(nt, n); /* the call copied them */
    return wait_event(q, RD_KAFKA_EVENT_CREATETOPICS_RESULT);
}

static void delete_topics(rd_kafka_t *rk, rd_kafka_queue_t *q, const char **names, size_t n,
                          rd_kafka_resp_err_t *errs) {
    rd_kafka_DeleteTopic_t *dt[4];
    for (size_t i = 0; i < n; i++) dt[i] = rd_kafka_DeleteTopic_new(names[i]);
    rd_kafka_DeleteTopics(rk, dt, n, NULL, q);
    rd_kafka_DeleteTopic_destroy_array(dt, n);
    rd_kafka_event_t *ev = wait_event(q, RD_KAFKA_EVENT_DELETETOPICS_RESULT);
    if (!ev) {
        kfk_test_fail(__FILE__, __LINE__, "no DeleteTopics result");
        return;
    }
    CHECK_EQ(rd_kafka_event_error(ev), 0);
    size_t cnt;
    const rd_kafka_topic_result_t **tr =
        rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &cnt);
    CHECK_EQ(cnt, n);
    for (size_t i = 0; i < cnt && i < n; i++) {
        CHECK_STR(rd_kafka_topic_result_name(tr[i]), names[i]);
        errs[i] = rd_kafka_topic_result_error(tr[i]);
    }
    rd_kafka_event_destroy(ev);
}

/* The entry named name in ev's first described resource, or NULL. */
static const rd_kafka_ConfigEntry_t *described_entry(rd_kafka_event_t *ev, const char *name) {
    size_t n, ne;
    const rd_kafka_ConfigResource_t **rs =
        rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &n);
    if (n < 1) return NULL;
    const rd_kafka_ConfigEntry_t **e = rd_kafka_ConfigResource_configs(rs[0], &ne);
    for (size_t i = 0; i < ne; i++)
        if (strcmp(rd_kafka_ConfigEntry_name(e[i]), name) == 0) return e[i];
    return NULL;
}

static rd_kafka_event_t *describe_topic(rd_kafka_t *rk, rd_kafka_queue_t *q, const char *topic) {
    rd_kafka_ConfigResource_t *r = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
    rd_kafka_DescribeConfigs(rk, &r, 1, NULL, q);
    rd_kafka_ConfigResource_destroy(r);
    return wait_event(q, RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT);
}

/* Describes topic until its config name has value: a change reaches the
 * broker answering through the controller's metadata, a moment later.
 * The last description (NULL: none came). */
static rd_kafka_event_t *describe_until(rd_kafka_t *rk, rd_kafka_queue_t *q, const char *topic,
                                        const char *name, const char *value) {
    rd_kafka_event_t *ev = NULL;
    for (int i = 0; i < 300; i++) {
        if (ev) {
            rd_kafka_event_destroy(ev);
            usleep(100 * 1000);
        }
        ev = describe_topic(rk, q, topic);
        if (!ev) return NULL;
        const rd_kafka_ConfigEntry_t *e = described_entry(ev, name);
        if (e && rd_kafka_ConfigEntry_value(e) && !strcmp(rd_kafka_ConfigEntry_value(e), value))
            break;
    }
    return ev;
}

TEST(topics_partitions_configs_through_a_queue) {
    rd_kafka_t *rk = client(0);
    REQUIRE(rk != NULL);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    char t1[128], t2[128], t3[128], gone[128];
    topic_name(t1, sizeof(t1), "a");
    topic_name(t2, sizeof(t2), "b");
    topic_name(t3, sizeof(t3), "c");
    topic_name(gone, sizeof(gone), "never");
    int tag;

    const char *first[] = {t1, t2};
    rd_kafka_event_t *ev = create_topics(rk, q, first, 2, 2, &tag);
    REQUIRE(ev != NULL);
    CHECK_STR(rd_kafka_event_name(ev), "CreateTopicsResult");
    CHECK(rd_kafka_event_opaque(ev) == &tag);
    CHECK_EQ(rd_kafka_event_error(ev), 0);
    size_t cnt;
    const rd_kafka_topic_result_t **tr =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &cnt);
    REQUIRE_EQ(cnt, 2);
    for (size_t i = 0; i < cnt; i++) {
        CHECK_STR(rd_kafka_topic_result_name(tr[i]), first[i]);
        CHECK_EQ(rd_kafka_topic_result_error(tr[i]), 0);
        CHECK(rd_kafka_topic_result_error_string(tr[i]) == NULL);
    }
    CHECK(rd_kafka_event_DeleteTopics_result(ev) == NULL);
    rd_kafka_event_destroy(ev);

    /* one exists already: that one fails, the other is created */
    const char *again[] = {t1, t3};
    ev = create_topics(rk, q, again, 2, 1, NULL);
    REQUIRE(ev != NULL);
    CHECK_EQ(rd_kafka_event_error(ev), 0);
    tr = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &cnt);
    REQUIRE_EQ(cnt, 2);
    CHECK_STR(rd_kafka_topic_result_name(tr[0]), t1);
    CHECK_EQ(rd_kafka_topic_result_error(tr[0]), RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS);
    CHECK(rd_kafka_topic_result_error_string(tr[0]) != NULL);
    CHECK_STR(rd_kafka_topic_result_name(tr[1]), t3);
    CHECK_EQ(rd_kafka_topic_result_error(tr[1]), 0);
    rd_kafka_event_destroy(ev);

    /* partitions: 2 -> 4 works, 4 -> 3 cannot */
    char errstr[256];
    rd_kafka_NewPartitions_t *np[2] = {rd_kafka_NewPartitions_new(t1, 4, errstr, sizeof(errstr)),
                                       rd_kafka_NewPartitions_new(t2, 1, errstr, sizeof(errstr))};
    REQUIRE(np[0] && np[1]);
    rd_kafka_CreatePartitions(rk, np, 2, NULL, q);
    rd_kafka_NewPartitions_destroy_array(np, 2);
    ev = wait_event(q, RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT);
    REQUIRE(ev != NULL);
    tr = rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(ev), &cnt);
    REQUIRE_EQ(cnt, 2);
    CHECK_STR(rd_kafka_topic_result_name(tr[0]), t1);
    CHECK_EQ(rd_kafka_topic_result_error(tr[0]), 0);
    CHECK_STR(rd_kafka_topic_result_name(tr[1]), t2);
    CHECK_EQ(rd_kafka_topic_result_error(tr[1]), RD_KAFKA_RESP_ERR_INVALID_PARTITIONS);
    rd_kafka_event_destroy(ev);

    /* configs: the one set at creation is the topic's own */
    ev = describe_until(rk, q, t1, "retention.ms", "3600000");
    REQUIRE(ev != NULL);
    CHECK_EQ(rd_kafka_event_error(ev), 0);
    const rd_kafka_ConfigEntry_t *e = described_entry(ev, "retention.ms");
    REQUIRE(e != NULL);
    CHECK_STR(rd_kafka_ConfigEntry_value(e), "3600000");
    CHECK_EQ(rd_kafka_ConfigEntry_source(e), RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
    CHECK_EQ(rd_kafka_ConfigEntry_is_default(e), 0);
    size_t nsyn;
    const rd_kafka_ConfigEntry_t **syn = rd_kafka_ConfigEntry_synonyms(e, &nsyn);
    CHECK(nsyn >= 1);
    if (nsyn >= 1) CHECK_EQ(rd_kafka_ConfigEntry_is_synonym(syn[0]), 1);
    e = described_entry(ev, "cleanup.policy");
    REQUIRE(e != NULL);
    CHECK_STR(rd_kafka_ConfigEntry_value(e), "delete");
    CHECK(rd_kafka_ConfigEntry_source(e) != RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
    rd_kafka_event_destroy(ev);

    /* AlterConfigs replaces the topic's configs: retention.ms, not given,
     * goes back to its default */
    rd_kafka_ConfigResource_t *r = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, t1);
    rd_kafka_ConfigResource_set_config(r, "cleanup.policy", "compact");
    rd_kafka_ConfigResource_t *missing = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, gone);
    rd_kafka_ConfigResource_set_config(missing, "cleanup.policy", "compact");
    rd_kafka_ConfigResource_t *rs[2] = {r, missing};
    rd_kafka_AdminOptions_t *o = options(rk, RD_KAFKA_ADMIN_OP_ALTERCONFIGS, &tag);
    rd_kafka_AlterConfigs(rk, rs, 2, o, q);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_ConfigResource_destroy_array(rs, 2);
    ev = wait_event(q, RD_KAFKA_EVENT_ALTERCONFIGS_RESULT);
    REQUIRE(ev != NULL);
    CHECK(rd_kafka_event_opaque(ev) == &tag);
    CHECK_EQ(rd_kafka_event_error(ev), 0);
    const rd_kafka_ConfigResource_t **ar =
        rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev), &cnt);
    REQUIRE_EQ(cnt, 2);
    CHECK_STR(rd_kafka_ConfigResource_name(ar[0]), t1);
    CHECK_EQ(rd_kafka_ConfigResource_type(ar[0]), RD_KAFKA_RESOURCE_TOPIC);
    CHECK_EQ(rd_kafka_ConfigResource_error(ar[0]), 0);
    CHECK_STR(rd_kafka_ConfigResource_name(ar[1]), gone);
    CHECK_EQ(rd_kafka_ConfigResource_error(ar[1]), RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
    CHECK(rd_kafka_ConfigResource_error_string(ar[1]) != NULL);
    rd_kafka_event_destroy(ev);

    ev = describe_until(rk, q, t1, "cleanup.policy", "compact");
    REQUIRE(ev != NULL);
    e = described_entry(ev, "cleanup.policy");
    REQUIRE(e != NULL);
    CHECK_STR(rd_kafka_ConfigEntry_value(e), "compact");
    CHECK_EQ(rd_kafka_ConfigEntry_source(e), RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
    e = described_entry(ev, "retention.ms");
    REQUIRE(e != NULL);
    CHECK(rd_kafka_ConfigEntry_source(e) != RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
    CHECK_STR(rd_kafka_ConfigEntry_value(e), "604800000");
    rd_kafka_event_destroy(ev);

    /* describing an unknown topic fails that resource */
    ev = describe_topic(rk, q, gone);
    REQUIRE(ev != NULL);
    const rd_kafka_ConfigResource_t **dr =
        rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &cnt);
    REQUIRE_EQ(cnt, 1);
    CHECK_EQ(rd_kafka_ConfigResource_error(dr[0]), RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
    rd_kafka_event_destroy(ev);

    const char *all[] = {t1, t2, t3, gone};
    rd_kafka_resp_err_t errs[4] = {-1, -1, -1, -1};
    delete_topics(rk, q, all, 4, errs);
    CHECK_EQ(errs[0], 0);
    CHECK_EQ(errs[1], 0);
    CHECK_EQ(errs[2], 0);
    CHECK_EQ(errs[3], RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);

    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
}

TEST(validate_only_and_local_errors) {
    rd_kafka_t *rk = client(0);
    REQUIRE(rk != NULL);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    char t[128], errstr[256];
    topic_name(t, sizeof(t), "v");

    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(t, 1, 1, errstr, sizeof(errstr));
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    CHECK_EQ(rd_kafka_AdminOptions_set_validate_only(o, 1, errstr, sizeof(errstr)), 0);
    rd_kafka_CreateTopics(rk, &nt, 1, o, q);
    rd_kafka_event_t *ev = wait_event(q, RD_KAFKA_EVENT_CREATETOPICS_RESULT);
    REQUIRE(ev != NULL);
    size_t cnt;
    const rd_kafka_topic_result_t **tr =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &cnt);
    REQUIRE_EQ(cnt, 1);
    CHECK_EQ(rd_kafka_topic_result_error(tr[0]), 0);
    rd_kafka_event_destroy(ev);
    /* nothing was created: deleting it fails */
    const char *names[] = {t};
    rd_kafka_resp_err_t err = -1;
    delete_topics(rk, q, names, 1, &err);
    CHECK_EQ(err, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);

    /* nothing to create: the whole call fails, locally */
    rd_kafka_CreateTopics(rk, &nt, 0, o, q);
    ev = wait_event(q, RD_KAFKA_EVENT_CREATETOPICS_RESULT);
    REQUIRE(ev != NULL);
    CHECK_EQ(rd_kafka_event_error(ev), RD_KAFKA_RESP_ERR__INVALID_ARG);
    CHECK_STR(rd_kafka_event_error_string(ev), "No topics to create");
    rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &cnt);
    CHECK_EQ(cnt, 0);
    rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_NewTopic_destroy(nt);

    /* two BROKER resources in one call */
    rd_kafka_ConfigResource_t *rs[2] = {rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_BROKER, "1"),
                                        rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_BROKER, "2")};
    rd_kafka_DescribeConfigs(rk, rs, 2, NULL, q);
    rd_kafka_ConfigResource_destroy_array(rs, 2);
    ev = wait_event(q, RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT);
    REQUIRE(ev != NULL);
    CHECK_EQ(rd_kafka_event_error(ev), RD_KAFKA_RESP_ERR__CONFLICT);
    rd_kafka_event_destroy(ev);

    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
}

TEST(results_on_main_queue_and_background) {
    rd_kafka_t *rk = client(1);
    REQUIRE(rk != NULL);
    char t[128];
    topic_name(t, sizeof(t), "bg");
    int tag;

    /* background_event_cb set: the library's thread calls it with the result */
    rd_kafka_queue_t *bq = rd_kafka_queue_get_background(rk);
    REQUIRE(bq != NULL);
    rd_kafka_CreateTopics(rk, NULL, 0, NULL, bq); /* no topics: a local failure */
    rd_kafka_event_t *ev = background_wait();
    REQUIRE(ev != NULL);
    CHECK_EQ(rd_kafka_event_type(ev), RD_KAFKA_EVENT_CREATETOPICS_RESULT);
    CHECK_EQ(rd_kafka_event_error(ev), RD_KAFKA_RESP_ERR__INVALID_ARG);
    rd_kafka_event_destroy(ev);

    char errstr[256];
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(t, 1, 1, errstr, sizeof(errstr));
    rd_kafka_AdminOptions_t *o = options(rk, RD_KAFKA_ADMIN_OP_ANY, &tag);
    rd_kafka_CreateTopics(rk, &nt, 1, o, bq);
    rd_kafka_NewTopic_destroy(nt);
    ev = background_wait();
    REQUIRE(ev != NULL);
    CHECK_EQ(rd_kafka_event_type(ev), RD_KAFKA_EVENT_CREATETOPICS_RESULT);
    CHECK(rd_kafka_event_opaque(ev) == &tag);
    size_t cnt;
    const rd_kafka_topic_result_t **tr =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &cnt);
    REQUIRE_EQ(cnt, 1);
    CHECK_STR(rd_kafka_topic_result_name(tr[0]), t);
    CHECK_EQ(rd_kafka_topic_result_error(tr[0]), 0);
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(bq);

    /* no queue given: the main queue */
    rd_kafka_queue_t *mq = rd_kafka_queue_get_main(rk);
    REQUIRE(mq != NULL);
    rd_kafka_DeleteTopic_t *dt = rd_kafka_DeleteTopic_new(t);
    rd_kafka_DeleteTopics(rk, &dt, 1, o, NULL);
    rd_kafka_DeleteTopic_destroy(dt);
    ev = wait_event(mq, RD_KAFKA_EVENT_DELETETOPICS_RESULT);
    REQUIRE(ev != NULL);
    CHECK(rd_kafka_event_opaque(ev) == &tag);
    tr = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &cnt);
    REQUIRE_EQ(cnt, 1);
    CHECK_EQ(rd_kafka_topic_result_error(tr[0]), 0);
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(mq);
    rd_kafka_AdminOptions_destroy(o);

    rd_kafka_destroy(rk);
    CHECK_EQ(bg.calls, 2);
}

static int kafka4(void) {
    const char *v = getenv("KFK_BROKER_VERSION");
    return !v || !*v || v[0] != '3';
}

/* The group result of a single-group offsets call on q. */
static rd_kafka_event_t *group_event(rd_kafka_queue_t *q, rd_kafka_event_type_t type,
                                     const rd_kafka_group_result_t **gr) {
    rd_kafka_event_t *ev = wait_event(q, type);
    *gr = NULL;
    if (!ev) return NULL;
    size_t cnt = 0;
    const rd_kafka_group_result_t **g = NULL;
    if (type == RD_KAFKA_EVENT_ALTERCONSUMERGROUPOFFSETS_RESULT)
        g = rd_kafka_AlterConsumerGroupOffsets_result_groups(ev, &cnt);
    else if (type == RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT)
        g = rd_kafka_ListConsumerGroupOffsets_result_groups(ev, &cnt);
    else if (type == RD_KAFKA_EVENT_DELETECONSUMERGROUPOFFSETS_RESULT)
        g = rd_kafka_DeleteConsumerGroupOffsets_result_groups(ev, &cnt);
    if (cnt == 1) *gr = g[0];
    return ev;
}

static int64_t offset_of(const rd_kafka_topic_partition_list_t *l, const char *topic, int32_t p) {
    for (int i = 0; l && i < l->cnt; i++)
        if (l->elems[i].partition == p && strcmp(l->elems[i].topic, topic) == 0)
            return l->elems[i].offset;
    return -12345;
}

TEST(records_and_groups) {
    rd_kafka_t *rk = client(0);
    REQUIRE(rk != NULL);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    char t[128], group[128], nogroup[128];
    topic_name(t, sizeof(t), "g");
    topic_name(group, sizeof(group), "grp");
    topic_name(nogroup, sizeof(nogroup), "nogrp");
    const char *names[] = {t};
    rd_kafka_event_t *ev = create_topics(rk, q, names, 1, 2, NULL);
    REQUIRE(ev != NULL);
    rd_kafka_event_destroy(ev);

    for (int i = 0; i < 10; i++)
        CHECK_EQ(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(t), RD_KAFKA_V_PARTITION(0),
                                   RD_KAFKA_V_VALUE("v", 1), RD_KAFKA_V_END),
                 0);
    REQUIRE_EQ(rd_kafka_flush(rk, WAIT_MS), 0);

    /* DeleteRecords: the new low watermark per partition, or its error */
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(2);
    rd_kafka_topic_partition_list_add(l, t, 0)->offset = 4;
    rd_kafka_topic_partition_list_add(l, t, 7)->offset = 1;
    rd_kafka_DeleteRecords_t *dr = rd_kafka_DeleteRecords_new(l);
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_DeleteRecords(rk, &dr, 1, NULL, q);
    rd_kafka_DeleteRecords_destroy(dr);
    ev = wait_event(q, RD_KAFKA_EVENT_DELETERECORDS_RESULT);
    REQUIRE(ev != NULL);
    CHECK_EQ(rd_kafka_event_error(ev), 0);
    const rd_kafka_topic_partition_list_t *out =
        rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(ev));
    REQUIRE(out != NULL);
    REQUIRE_EQ(out->cnt, 2);
    CHECK_EQ(out->elems[0].partition, 0);
    CHECK_EQ(out->elems[0].err, 0);
    CHECK_EQ(out->elems[0].offset, 4);
    CHECK_EQ(out->elems[1].partition, 7);
    CHECK_EQ(out->elems[1].err, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
    rd_kafka_event_destroy(ev);

    /* commit for a group nobody is in, then read it back */
    l = rd_kafka_topic_partition_list_new(2);
    rd_kafka_topic_partition_list_add(l, t, 0)->offset = 6;
    rd_kafka_topic_partition_list_add(l, t, 1)->offset = 0;
    rd_kafka_AlterConsumerGroupOffsets_t *alter = rd_kafka_AlterConsumerGroupOffsets_new(group, l);
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_AlterConsumerGroupOffsets(rk, &alter, 1, NULL, q);
    rd_kafka_AlterConsumerGroupOffsets_destroy(alter);
    const rd_kafka_group_result_t *gr;
    ev = group_event(q, RD_KAFKA_EVENT_ALTERCONSUMERGROUPOFFSETS_RESULT, &gr);
    REQUIRE(ev != NULL && gr != NULL);
    CHECK_STR(rd_kafka_group_result_name(gr), group);
    CHECK(rd_kafka_group_result_error(gr) == NULL);
    const rd_kafka_topic_partition_list_t *gp = rd_kafka_group_result_partitions(gr);
    REQUIRE(gp != NULL);
    REQUIRE_EQ(gp->cnt, 2);
    CHECK_EQ(gp->elems[0].err, 0);
    CHECK_EQ(gp->elems[1].err, 0);
    rd_kafka_event_destroy(ev);

    rd_kafka_ListConsumerGroupOffsets_t *lo = rd_kafka_ListConsumerGroupOffsets_new(group, NULL);
    rd_kafka_ListConsumerGroupOffsets(rk, &lo, 1, NULL, q);
    rd_kafka_ListConsumerGroupOffsets_destroy(lo);
    ev = group_event(q, RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT, &gr);
    REQUIRE(ev != NULL && gr != NULL);
    CHECK(rd_kafka_group_result_error(gr) == NULL);
    CHECK_EQ(offset_of(rd_kafka_group_result_partitions(gr), t, 0), 6);
    CHECK_EQ(offset_of(rd_kafka_group_result_partitions(gr), t, 1), 0);
    rd_kafka_event_destroy(ev);

    /* listing and describing: the group is there, Empty */
    rd_kafka_ListConsumerGroups(rk, NULL, q);
    ev = wait_event(q, RD_KAFKA_EVENT_LISTCONSUMERGROUPS_RESULT);
    REQUIRE(ev != NULL);
    size_t cnt, nerr;
    const rd_kafka_ConsumerGroupListing_t **gl =
        rd_kafka_ListConsumerGroups_result_valid(rd_kafka_event_ListConsumerGroups_result(ev), &cnt);
    rd_kafka_ListConsumerGroups_result_errors(rd_kafka_event_ListConsumerGroups_result(ev), &nerr);
    CHECK_EQ(nerr, 0);
    int found = 0;
    for (size_t i = 0; i < cnt; i++)
        if (strcmp(rd_kafka_ConsumerGroupListing_group_id(gl[i]), group) == 0) {
            found++;
            CHECK_EQ(rd_kafka_ConsumerGroupListing_state(gl[i]),
                     RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY);
        }
    CHECK_EQ(found, 1);
    rd_kafka_event_destroy(ev);

    /* only Stable groups: ours is not among them */
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS);
    rd_kafka_consumer_group_state_t stable = RD_KAFKA_CONSUMER_GROUP_STATE_STABLE;
    rd_kafka_error_t *err = rd_kafka_AdminOptions_set_match_consumer_group_states(o, &stable, 1);
    CHECK(err == NULL);
    rd_kafka_ListConsumerGroups(rk, o, q);
    rd_kafka_AdminOptions_destroy(o);
    ev = wait_event(q, RD_KAFKA_EVENT_LISTCONSUMERGROUPS_RESULT);
    REQUIRE(ev != NULL);
    gl = rd_kafka_ListConsumerGroups_result_valid(ev, &cnt);
    for (size_t i = 0; i < cnt; i++)
        CHECK(strcmp(rd_kafka_ConsumerGroupListing_group_id(gl[i]), group) != 0);
    rd_kafka_event_destroy(ev);

    const char *groups[] = {group, nogroup};
    rd_kafka_DescribeConsumerGroups(rk, groups, 2, NULL, q);
    ev = wait_event(q, RD_KAFKA_EVENT_DESCRIBECONSUMERGROUPS_RESULT);
    REQUIRE(ev != NULL);
    CHECK_EQ(rd_kafka_event_error(ev), 0);
    const rd_kafka_ConsumerGroupDescription_t **gd =
        rd_kafka_DescribeConsumerGroups_result_groups(
            rd_kafka_event_DescribeConsumerGroups_result(ev), &cnt);
    REQUIRE_EQ(cnt, 2);
    CHECK_STR(rd_kafka_ConsumerGroupDescription_group_id(gd[0]), group);
    CHECK(rd_kafka_ConsumerGroupDescription_error(gd[0]) == NULL);
    CHECK_EQ(rd_kafka_ConsumerGroupDescription_state(gd[0]), RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY);
    CHECK_EQ(rd_kafka_ConsumerGroupDescription_member_count(gd[0]), 0);
    const rd_kafka_Node_t *coord = rd_kafka_ConsumerGroupDescription_coordinator(gd[0]);
    REQUIRE(coord != NULL);
    CHECK(rd_kafka_Node_id(coord) >= 0);
    CHECK(rd_kafka_Node_host(coord) && *rd_kafka_Node_host(coord));
    CHECK(rd_kafka_Node_port(coord) > 0);
    CHECK_STR(rd_kafka_ConsumerGroupDescription_group_id(gd[1]), nogroup);
    if (kafka4()) {
        const rd_kafka_error_t *e = rd_kafka_ConsumerGroupDescription_error(gd[1]);
        CHECK(e != NULL);
        if (e) CHECK_EQ(rd_kafka_error_code(e), RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND);
    } else {
        CHECK_EQ(rd_kafka_ConsumerGroupDescription_state(gd[1]), RD_KAFKA_CONSUMER_GROUP_STATE_DEAD);
    }
    rd_kafka_event_destroy(ev);

    /* delete one partition's offset, then the group */
    l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, t, 1);
    rd_kafka_DeleteConsumerGroupOffsets_t *dgo = rd_kafka_DeleteConsumerGroupOffsets_new(group, l);
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_DeleteConsumerGroupOffsets(rk, &dgo, 1, NULL, q);
    rd_kafka_DeleteConsumerGroupOffsets_destroy(dgo);
    ev = group_event(q, RD_KAFKA_EVENT_DELETECONSUMERGROUPOFFSETS_RESULT, &gr);
    REQUIRE(ev != NULL && gr != NULL);
    CHECK(rd_kafka_group_result_error(gr) == NULL);
    gp = rd_kafka_group_result_partitions(gr);
    REQUIRE(gp != NULL);
    REQUIRE_EQ(gp->cnt, 1);
    CHECK_EQ(gp->elems[0].err, 0);
    rd_kafka_event_destroy(ev);

    l = rd_kafka_topic_partition_list_new(2);
    rd_kafka_topic_partition_list_add(l, t, 0);
    rd_kafka_topic_partition_list_add(l, t, 1);
    lo = rd_kafka_ListConsumerGroupOffsets_new(group, l);
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_ListConsumerGroupOffsets(rk, &lo, 1, NULL, q);
    rd_kafka_ListConsumerGroupOffsets_destroy(lo);
    ev = group_event(q, RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT, &gr);
    REQUIRE(ev != NULL && gr != NULL);
    CHECK_EQ(offset_of(rd_kafka_group_result_partitions(gr), t, 0), 6);
    CHECK_EQ(offset_of(rd_kafka_group_result_partitions(gr), t, 1), RD_KAFKA_OFFSET_INVALID);
    rd_kafka_event_destroy(ev);

    rd_kafka_DeleteGroup_t *dg[2] = {rd_kafka_DeleteGroup_new(group),
                                     rd_kafka_DeleteGroup_new(nogroup)};
    rd_kafka_DeleteGroups(rk, dg, 2, NULL, q);
    rd_kafka_DeleteGroup_destroy_array(dg, 2);
    ev = wait_event(q, RD_KAFKA_EVENT_DELETEGROUPS_RESULT);
    REQUIRE(ev != NULL);
    const rd_kafka_group_result_t **dgr =
        rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(ev), &cnt);
    REQUIRE_EQ(cnt, 2);
    CHECK_STR(rd_kafka_group_result_name(dgr[0]), group);
    CHECK(rd_kafka_group_result_error(dgr[0]) == NULL);
    CHECK_STR(rd_kafka_group_result_name(dgr[1]), nogroup);
    REQUIRE(rd_kafka_group_result_error(dgr[1]) != NULL);
    CHECK_EQ(rd_kafka_error_code(rd_kafka_group_result_error(dgr[1])),
             RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND);
    rd_kafka_event_destroy(ev);

    /* argument errors librdkafka reports on the event */
    rd_kafka_DeleteGroup_t *twice[2] = {rd_kafka_DeleteGroup_new(group),
                                        rd_kafka_DeleteGroup_new(group)};
    rd_kafka_DeleteGroups(rk, twice, 2, NULL, q);
    rd_kafka_DeleteGroup_destroy_array(twice, 2);
    ev = wait_event(q, RD_KAFKA_EVENT_DELETEGROUPS_RESULT);
    REQUIRE(ev != NULL);
    CHECK_EQ(rd_kafka_event_error(ev), RD_KAFKA_RESP_ERR__INVALID_ARG);
    CHECK_STR(rd_kafka_event_error_string(ev), "Duplicate groups not allowed");
    rd_kafka_event_destroy(ev);

    rd_kafka_resp_err_t derr = -1;
    delete_topics(rk, q, names, 1, &derr);
    CHECK_EQ(derr, 0);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
}

/* ACLs: with an authorizer (KFK_ACL_AUTHORIZER=1, `kafka-local up
 * --secure`) a binding is created, found by a filter and deleted; without
 * one (3.9.1 and plain brokers) each call fails with SECURITY_DISABLED in
 * librdkafka's shapes: per binding, for the operation, per filter. */
static int authorizer(void) {
    const char *v = getenv("KFK_ACL_AUTHORIZER");
    return v && strcmp(v, "1") == 0;
}

/* The bindings a describe of f finds (-1: the call failed with err). */
static int describe_count(rd_kafka_t *rk, rd_kafka_queue_t *q, rd_kafka_AclBindingFilter_t *f,
                          rd_kafka_resp_err_t *err) {
    rd_kafka_DescribeAcls(rk, f, NULL, q);
    rd_kafka_event_t *ev = wait_event(q, RD_KAFKA_EVENT_DESCRIBEACLS_RESULT);
    if (!ev) return -1;
    size_t cnt = 0;
    *err = rd_kafka_event_error(ev);
    rd_kafka_DescribeAcls_result_acls(rd_kafka_event_DescribeAcls_result(ev), &cnt);
    rd_kafka_event_destroy(ev);
    return *err ? -1 : (int)cnt;
}

TEST(acls) {
    int auth = authorizer();
    rd_kafka_t *rk = client(0);
    REQUIRE(rk != NULL);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    char errstr[256], t[128], principal[160];
    topic_name(t, sizeof(t), "acl");
    snprintf(principal, sizeof principal, "User:%s", t);
    CHECK(rd_kafka_AclBinding_new(RD_KAFKA_RESOURCE_ANY, "t", RD_KAFKA_RESOURCE_PATTERN_LITERAL,
                                  "User:a", "*", RD_KAFKA_ACL_OPERATION_READ,
                                  RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW, errstr,
                                  sizeof(errstr)) == NULL);
    CHECK_STR(errstr, "Invalid resource type");
    rd_kafka_AclBinding_t *b = rd_kafka_AclBinding_new(
        RD_KAFKA_RESOURCE_TOPIC, t, RD_KAFKA_RESOURCE_PATTERN_LITERAL, principal, "*",
        RD_KAFKA_ACL_OPERATION_READ, RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW, errstr, sizeof(errstr));
    REQUIRE(b != NULL);
    CHECK_STR(rd_kafka_AclBinding_principal(b), principal);
    CHECK_STR(rd_kafka_AclOperation_name(rd_kafka_AclBinding_operation(b)), "READ");
    rd_kafka_CreateAcls(rk, &b, 1, NULL, q);
    rd_kafka_AclBinding_destroy(b);
    rd_kafka_event_t *ev = wait_event(q, RD_KAFKA_EVENT_CREATEACLS_RESULT);
    REQUIRE(ev != NULL);
    size_t cnt;
    const rd_kafka_acl_result_t **ar =
        rd_kafka_CreateAcls_result_acls(rd_kafka_event_CreateAcls_result(ev), &cnt);
    REQUIRE_EQ(cnt, 1);
    if (auth) {
        CHECK(rd_kafka_acl_result_error(ar[0]) == NULL);
    } else {
        REQUIRE(rd_kafka_acl_result_error(ar[0]) != NULL);
        CHECK_EQ(rd_kafka_error_code(rd_kafka_acl_result_error(ar[0])),
                 RD_KAFKA_RESP_ERR_SECURITY_DISABLED);
    }
    rd_kafka_event_destroy(ev);

    rd_kafka_AclBindingFilter_t *f = rd_kafka_AclBindingFilter_new(
        RD_KAFKA_RESOURCE_ANY, NULL, RD_KAFKA_RESOURCE_PATTERN_ANY, principal, NULL,
        RD_KAFKA_ACL_OPERATION_ANY, RD_KAFKA_ACL_PERMISSION_TYPE_ANY, errstr, sizeof(errstr));
    REQUIRE(f != NULL);
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (auth) {
        /* the authorizer applies a change a moment later */
        int n = 0;
        for (int waited = 0; waited < WAIT_MS && (n = describe_count(rk, q, f, &err)) < 1;
             waited += 250)
            usleep(250 * 1000);
        CHECK_EQ(n, 1);
    } else {
        CHECK_EQ(describe_count(rk, q, f, &err), -1);
        CHECK_EQ(err, RD_KAFKA_RESP_ERR_SECURITY_DISABLED);
    }

    rd_kafka_DeleteAcls(rk, &f, 1, NULL, q);
    rd_kafka_AclBinding_destroy(f);
    ev = wait_event(q, RD_KAFKA_EVENT_DELETEACLS_RESULT);
    REQUIRE(ev != NULL);
    const rd_kafka_DeleteAcls_result_response_t **dr =
        rd_kafka_DeleteAcls_result_responses(rd_kafka_event_DeleteAcls_result(ev), &cnt);
    REQUIRE_EQ(cnt, 1);
    if (auth) {
        CHECK(rd_kafka_DeleteAcls_result_response_error(dr[0]) == NULL);
        rd_kafka_DeleteAcls_result_response_matching_acls(dr[0], &cnt);
        CHECK_EQ(cnt, 1);
    } else {
        REQUIRE(rd_kafka_DeleteAcls_result_response_error(dr[0]) != NULL);
        CHECK_EQ(rd_kafka_error_code(rd_kafka_DeleteAcls_result_response_error(dr[0])),
                 RD_KAFKA_RESP_ERR_SECURITY_DISABLED);
        rd_kafka_DeleteAcls_result_response_matching_acls(dr[0], &cnt);
        CHECK_EQ(cnt, 0);
    }
    rd_kafka_event_destroy(ev);

    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
}

/* A group with a member: its description lists the member and what it was
 * assigned; it cannot be deleted until the member leaves. */
TEST(group_with_a_member) {
    rd_kafka_t *rk = client(0);
    REQUIRE(rk != NULL);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    char t[128], group[128], errstr[512];
    topic_name(t, sizeof(t), "m");
    topic_name(group, sizeof(group), "mgrp");
    const char *names[] = {t};
    rd_kafka_event_t *ev = create_topics(rk, q, names, 1, 2, NULL);
    REQUIRE(ev != NULL);
    rd_kafka_event_destroy(ev);

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap(), errstr, sizeof(errstr));
    rd_kafka_conf_set(conf, "group.id", group, errstr, sizeof(errstr));
    rd_kafka_conf_set(conf, "client.id", "rdk-admin-member", errstr, sizeof(errstr));
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
    REQUIRE(c != NULL);
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(sub, t, RD_KAFKA_PARTITION_UA);
    CHECK_EQ(rd_kafka_subscribe(c, sub), 0);
    rd_kafka_topic_partition_list_destroy(sub);
    int assigned = 0;
    for (int i = 0; i < 600 && assigned < 2; i++) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 100);
        if (m) rd_kafka_message_destroy(m);
        rd_kafka_topic_partition_list_t *a = NULL;
        if (rd_kafka_assignment(c, &a) == 0 && a) {
            assigned = a->cnt;
            rd_kafka_topic_partition_list_destroy(a);
        }
    }
    REQUIRE_EQ(assigned, 2);

    const char *groups[] = {group};
    rd_kafka_DescribeConsumerGroups(rk, groups, 1, NULL, q);
    ev = wait_event(q, RD_KAFKA_EVENT_DESCRIBECONSUMERGROUPS_RESULT);
    REQUIRE(ev != NULL);
    size_t cnt;
    const rd_kafka_ConsumerGroupDescription_t **gd =
        rd_kafka_DescribeConsumerGroups_result_groups(ev, &cnt);
    REQUIRE_EQ(cnt, 1);
    CHECK(rd_kafka_ConsumerGroupDescription_error(gd[0]) == NULL);
    CHECK_EQ(rd_kafka_ConsumerGroupDescription_state(gd[0]), RD_KAFKA_CONSUMER_GROUP_STATE_STABLE);
    CHECK_EQ(rd_kafka_ConsumerGroupDescription_is_simple_consumer_group(gd[0]), 0);
    CHECK(*rd_kafka_ConsumerGroupDescription_partition_assignor(gd[0]) != '\0');
    REQUIRE_EQ(rd_kafka_ConsumerGroupDescription_member_count(gd[0]), 1);
    CHECK(rd_kafka_ConsumerGroupDescription_member(gd[0], 1) == NULL);
    const rd_kafka_MemberDescription_t *m = rd_kafka_ConsumerGroupDescription_member(gd[0], 0);
    CHECK_STR(rd_kafka_MemberDescription_client_id(m), "rdk-admin-member");
    CHECK(*rd_kafka_MemberDescription_consumer_id(m) != '\0');
    CHECK(*rd_kafka_MemberDescription_host(m) != '\0');
    CHECK(rd_kafka_MemberDescription_group_instance_id(m) == NULL);
    const rd_kafka_topic_partition_list_t *mp =
        rd_kafka_MemberAssignment_partitions(rd_kafka_MemberDescription_assignment(m));
    REQUIRE(mp != NULL);
    REQUIRE_EQ(mp->cnt, 2);
    CHECK_STR(mp->elems[0].topic, t);
    CHECK_STR(mp->elems[1].topic, t);
    CHECK_EQ(mp->elems[0].partition + mp->elems[1].partition, 1);
    rd_kafka_event_destroy(ev);

    rd_kafka_DeleteGroup_t *dg = rd_kafka_DeleteGroup_new(group);
    rd_kafka_DeleteGroups(rk, &dg, 1, NULL, q);
    ev = wait_event(q, RD_KAFKA_EVENT_DELETEGROUPS_RESULT);
    REQUIRE(ev != NULL);
    const rd_kafka_group_result_t **gr = rd_kafka_DeleteGroups_result_groups(ev, &cnt);
    REQUIRE_EQ(cnt, 1);
    REQUIRE(rd_kafka_group_result_error(gr[0]) != NULL);
    CHECK_EQ(rd_kafka_error_code(rd_kafka_group_result_error(gr[0])),
             RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP);
    rd_kafka_event_destroy(ev);

    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
    rd_kafka_DeleteGroups(rk, &dg, 1, NULL, q);
    rd_kafka_DeleteGroup_destroy(dg);
    ev = wait_event(q, RD_KAFKA_EVENT_DELETEGROUPS_RESULT);
    REQUIRE(ev != NULL);
    gr = rd_kafka_DeleteGroups_result_groups(ev, &cnt);
    REQUIRE_EQ(cnt, 1);
    CHECK(rd_kafka_group_result_error(gr[0]) == NULL);
    rd_kafka_event_destroy(ev);

    rd_kafka_resp_err_t derr = -1;
    delete_topics(rk, q, names, 1, &derr);
    CHECK_EQ(derr, 0);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
}
