/* Metadata and routing against a real broker: leader routing, requests
 * waiting for a leader, periodic refresh, node routing, all-topics
 * refresh, several threads at once. */
#include <pthread.h>

#include "it.h"

typedef struct list_offsets {
    kfk_list_offsets_request m;
    kfk_list_offsets_request_topic topic;
    kfk_list_offsets_request_partition part;
    kfk_core_req r;
} list_offsets;

/* ListOffsets (latest) for one partition: only its leader answers it
 * without NOT_LEADER_OR_FOLLOWER. */
static void list_offsets_init(list_offsets *lo, const char *topic, int32_t partition) {
    memset(lo, 0, sizeof *lo);
    kfk_list_offsets_request_init(&lo->m);
    lo->m.replica_id = -1;
    lo->part = (kfk_list_offsets_request_partition){.partition_index = partition,
                                                    .current_leader_epoch = -1, .timestamp = -1};
    lo->topic.name = (kfk_str){topic, (int32_t)strlen(topic)};
    lo->topic.partitions.items = &lo->part;
    lo->topic.partitions.count = 1;
    lo->m.topics.items = &lo->topic;
    lo->m.topics.count = 1;
    lo->r = (kfk_core_req){.dest = KFK_DEST_LEADER, .topic = topic, .partition = partition};
    lo->r.req = (kfk_request){.api_key = KFK_API_LIST_OFFSETS, .min_version = 1,
                              .max_version = -1, .msg = &lo->m};
}

typedef struct answer {
    int32_t node_id;
    int16_t error_code;
} answer;

static int decode_list_offsets(void *opaque, kfk_response *resp) {
    answer *a = opaque;
    kfk_arena arena = {0};
    kfk_list_offsets_response m;
    int rc = kfk_list_offsets_response_decode(&resp->body, resp->version, &arena, &m);
    a->node_id = resp->node_id;
    if (!rc && m.topics.count == 1 && m.topics.items[0].partitions.count == 1)
        a->error_code = m.topics.items[0].partitions.items[0].error_code;
    else if (!rc)
        rc = KFK_ERR_MALFORMED;
    kfk_arena_reset(&arena);
    return rc;
}

static int32_t leader_of(kfk_core *c, const char *topic, int32_t partition) {
    kfk_metadata *md = kfk_core_metadata(c);
    const kfk_md_topic *t = kfk_metadata_topic(md, topic);
    const kfk_md_partition *p = t ? kfk_metadata_partition(t, partition) : NULL;
    int32_t leader = p ? p->leader : -2;
    kfk_metadata_unref(md);
    return leader;
}

/* ListOffsets to partition's leader until it answers as one: right after
 * creation a leader may say NOT_LEADER_OR_FOLLOWER for a moment. */
static answer serving_leader(kfk_core *c, const char *topic, int32_t partition) {
    answer a = {-1, -1};
    for (int attempt = 0; attempt < 50; attempt++) {
        list_offsets lo;
        list_offsets_init(&lo, topic, partition);
        char err[256];
        if (kfk_core_send_wait(c, &lo.r, decode_list_offsets, &a, err, sizeof err) == 0 &&
            a.error_code != KFK_ERR_NOT_LEADER_OR_FOLLOWER)
            break;
        usleep(100 * 1000);
    }
    return a;
}

static kfk_core *core_for_test(kfk_core_conf *conf) {
    const char *boot = it_bootstrap();
    if (!boot) return NULL;
    it_conf(conf, boot);
    return it_core(conf);
}

TEST(requests_reach_each_partition_leader) {
    kfk_core_conf conf;
    kfk_core *c = core_for_test(&conf);
    REQUIRE(c);
    char topic[128], err[256] = "";
    it_topic(topic, sizeof topic, "leaders");
    int rc = it_create_topic(c, topic, 3, err, sizeof err);
    if (rc) fprintf(stderr, "  create: %s\n", err);
    REQUIRE_EQ(rc, 0);
    for (int32_t p = 0; p < 3; p++) {
        answer a = serving_leader(c, topic, p);
        CHECK_EQ(a.error_code, 0);
        CHECK_EQ(a.node_id, leader_of(c, topic, p));
    }
    kfk_core_destroy(c);
}

TEST(leader_request_waits_for_metadata) {
    /* A fresh client knows no leader: the request waits for the metadata
     * (which auto-creates the topic) and is then sent. */
    kfk_core_conf conf;
    kfk_core *c = core_for_test(&conf);
    REQUIRE(c);
    char topic[128], err[256] = "";
    it_topic(topic, sizeof topic, "parked");
    list_offsets lo;
    list_offsets_init(&lo, topic, 0);
    answer a = {-1, -1};
    int64_t t0 = it_now_ms();
    int rc = kfk_core_send_wait(c, &lo.r, decode_list_offsets, &a, err, sizeof err);
    if (rc) fprintf(stderr, "  send_wait: %s\n", err);
    CHECK_EQ(rc, 0);
    /* Answered by the leader; a just-created one may not serve yet. */
    CHECK(a.error_code == 0 || a.error_code == KFK_ERR_NOT_LEADER_OR_FOLLOWER);
    CHECK(a.node_id >= 0);
    printf("  leader found and answered after %lld ms\n", (long long)(it_now_ms() - t0));
    kfk_core_destroy(c);
}

TEST(unknown_topic_leader_request_times_out) {
    kfk_core_conf conf;
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    it_conf(&conf, boot);
    conf.allow_auto_create_topics = 0;
    kfk_core *c = it_core(&conf);
    REQUIRE(c);
    char topic[128], err[256] = "";
    it_topic(topic, sizeof topic, "absent");
    list_offsets lo;
    list_offsets_init(&lo, topic, 0);
    lo.r.req.timeout_ms = 1500;
    int64_t t0 = it_now_ms();
    int rc = kfk_core_send_wait(c, &lo.r, NULL, NULL, err, sizeof err);
    int64_t took = it_now_ms() - t0;
    CHECK_EQ(rc, KFK_ERR_TIMED_OUT);
    CHECK(took >= 1450 && took < 5000);
    CHECK(strstr(err, "UNKNOWN_TOPIC_OR_PARTITION") != NULL);
    printf("  after %lld ms: %s\n", (long long)took, err);

    const char *topics[1] = {topic};
    rc = kfk_core_metadata_wait(c, topics, 1, 800, NULL, err, sizeof err);
    CHECK_EQ(rc, KFK_ERR_TIMED_OUT);
    CHECK(strstr(err, "UNKNOWN_TOPIC_OR_PARTITION") != NULL);
    kfk_core_destroy(c);
}

TEST(missing_partition_of_a_known_topic_fails_at_once) {
    kfk_core_conf conf;
    kfk_core *c = core_for_test(&conf);
    REQUIRE(c);
    char topic[128], err[256] = "";
    it_topic(topic, sizeof topic, "two-parts");
    REQUIRE_EQ(it_create_topic(c, topic, 2, err, sizeof err), 0);
    list_offsets lo;
    list_offsets_init(&lo, topic, 7);
    lo.r.req.timeout_ms = 10000;
    int64_t t0 = it_now_ms();
    int rc = kfk_core_send_wait(c, &lo.r, NULL, NULL, err, sizeof err);
    int64_t took = it_now_ms() - t0;
    CHECK_EQ(rc, KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    CHECK(took < 5000); /* not the 10 s timeout */
    printf("  after %lld ms: %s\n", (long long)took, err);
    kfk_core_destroy(c);
}

TEST(metadata_refreshes_periodically) {
    kfk_core_conf conf;
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    it_conf(&conf, boot);
    conf.metadata_max_age_ms = 200;
    kfk_core *c = it_core(&conf);
    REQUIRE(c);
    char err[256];
    REQUIRE_EQ(kfk_core_metadata_wait(c, NULL, 0, 10000, NULL, err, sizeof err), 0);
    kfk_core_stats a, b;
    kfk_core_stats_get(c, &a);
    usleep(1100 * 1000);
    kfk_core_stats_get(c, &b);
    int64_t n = b.metadata_updates - a.metadata_updates;
    CHECK(n >= 4 && n <= 6);
    kfk_core_destroy(c);
}

static int record_node(void *opaque, kfk_response *resp) {
    *(int32_t *)opaque = resp->node_id;
    return 0;
}

TEST(requests_reach_a_given_node) {
    kfk_core_conf conf;
    kfk_core *c = core_for_test(&conf);
    REQUIRE(c);
    char err[256] = "";
    kfk_metadata *md = NULL;
    REQUIRE_EQ(kfk_core_metadata_wait(c, NULL, 0, 10000, &md, err, sizeof err), 0);
    kfk_metadata_request m;
    kfk_metadata_request_init(&m);
    m.topics.count = 0;
    for (int i = 0; i < md->nbrokers; i++) {
        kfk_core_req r = {.dest = KFK_DEST_NODE, .node_id = md->brokers[i].node_id};
        r.req = (kfk_request){.api_key = KFK_API_METADATA, .min_version = 1, .max_version = -1,
                              .msg = &m};
        int32_t node = -5;
        CHECK_EQ(kfk_core_send_wait(c, &r, record_node, &node, err, sizeof err), 0);
        CHECK_EQ(node, md->brokers[i].node_id);
    }
    kfk_core_req r = {.dest = KFK_DEST_NODE, .node_id = 987654};
    r.req = (kfk_request){.api_key = KFK_API_METADATA, .min_version = 1, .max_version = -1,
                          .msg = &m};
    CHECK_EQ(kfk_core_send_wait(c, &r, NULL, NULL, err, sizeof err), KFK_ERR_NOENT);
    CHECK(strstr(err, "987654") != NULL);
    kfk_metadata_unref(md);
    kfk_core_destroy(c);
}

TEST(all_topics_refresh_sees_other_clients_topics) {
    kfk_core_conf conf;
    kfk_core *a = core_for_test(&conf);
    REQUIRE(a);
    kfk_core *b = it_core(&conf);
    char topic[128], err[256] = "";
    it_topic(topic, sizeof topic, "all");
    REQUIRE_EQ(it_create_topic(a, topic, 2, err, sizeof err), 0);
    kfk_metadata *md = NULL;
    REQUIRE_EQ(kfk_core_metadata_wait(b, NULL, -1, 10000, &md, err, sizeof err), 0);
    const kfk_md_topic *t = kfk_metadata_topic(md, topic);
    REQUIRE(t != NULL);
    CHECK_EQ(t->npartitions, 2);
    kfk_metadata_unref(md);
    kfk_core_destroy(a);
    kfk_core_destroy(b);
}

typedef struct sender {
    kfk_core *c;
    const char *topic;
    int ok;
} sender;

static void *send_many(void *arg) {
    sender *s = arg;
    for (int i = 0; i < 100; i++) {
        list_offsets lo;
        list_offsets_init(&lo, s->topic, i % 2);
        answer a = {-1, -1};
        char err[256];
        if (kfk_core_send_wait(s->c, &lo.r, decode_list_offsets, &a, err, sizeof err) == 0 &&
            a.error_code == 0)
            s->ok++;
    }
    return NULL;
}

TEST(several_threads_share_one_client) {
    kfk_core_conf conf;
    kfk_core *c = core_for_test(&conf);
    REQUIRE(c);
    char topic[128], err[256] = "";
    it_topic(topic, sizeof topic, "threads");
    REQUIRE_EQ(it_create_topic(c, topic, 2, err, sizeof err), 0);
    for (int32_t p = 0; p < 2; p++) REQUIRE_EQ(serving_leader(c, topic, p).error_code, 0);
    enum { T = 4 };
    sender s[T];
    pthread_t th[T];
    int64_t t0 = it_now_ms();
    for (int i = 0; i < T; i++) {
        s[i] = (sender){c, topic, 0};
        pthread_create(&th[i], NULL, send_many, &s[i]);
    }
    for (int i = 0; i < T; i++) {
        pthread_join(th[i], NULL);
        CHECK_EQ(s[i].ok, 100);
    }
    printf("  %d synchronous ListOffsets from %d threads: %lld ms\n", T * 100, T,
           (long long)(it_now_ms() - t0));
    kfk_core_destroy(c);
}
