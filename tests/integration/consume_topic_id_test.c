/* Fetch by topic id (KIP-516) against a real broker: the consumer speaks
 * the newest Fetch version both sides know (Kafka 4.4.0: v18, 3.9.1: v17),
 * as its log and fetch stats show, and consumes every message; a topic
 * deleted and re-created under the same name while consumed is read from
 * the start of the new topic (auto.offset.reset), never from the old
 * position. */
#include <pthread.h>
#include <string.h>

#include "consume_it.h"
#include "consumer/consumer_int.h"
#include "consumer/fetch_session.h"

/* What the consumer logged. */
typedef struct logbuf {
    pthread_mutex_t lock;
    char text[16384];
    size_t len;
} logbuf;

static void on_log(void *opaque, const char *msg) {
    logbuf *l = opaque;
    pthread_mutex_lock(&l->lock);
    int n = snprintf(l->text + l->len, sizeof l->text - l->len, "%s\n", msg);
    if (n > 0 && l->len + (size_t)n < sizeof l->text) l->len += (size_t)n;
    pthread_mutex_unlock(&l->lock);
}

static int logged(logbuf *l, const char *what) {
    pthread_mutex_lock(&l->lock);
    int found = strstr(l->text, what) != NULL;
    pthread_mutex_unlock(&l->lock);
    return found;
}

/* The newest Fetch version of the broker under test; 0 when unknown. */
static int expected_fetch_version(void) {
    const char *v = getenv("KFK_BROKER_VERSION");
    if (!v) return 0;
    if (strcmp(v, "4.4.0") == 0) return 18;
    if (strcmp(v, "3.9.1") == 0) return 17;
    return 0;
}

/* The newest version the consumer's Fetch answers came at; -1: none. */
static int newest_used(const kfk_fetch_stats *st) {
    for (int v = KFK_FETCH_STATS_VMAX; v >= 0; v--)
        if (st->by_version[v]) return v;
    return -1;
}

/* Polls until next reaches n messages of prefix, in order from offset
 * first, or 60 s pass; bad counts foreign or out-of-order ones. */
static int take(kfk_consumer *c, const char *prefix, int first, int n, int *bad) {
    int next = first;
    int64_t until = it_now_ms() + 60000;
    while (next < first + n && it_now_ms() < until) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 100);
        if (!m) continue;
        if (!m->err) {
            if (m->offset != next || !cit_is(m, prefix, next)) {
                if (++*bad < 5)
                    kfk_test_fail(__FILE__, __LINE__, "offset %lld: not %s-%d",
                                  (long long)m->offset, prefix, next);
            } else {
                next++;
            }
        }
        kfk_consumer_message_release(m);
    }
    return next - first;
}

TEST(fetch_uses_the_newest_version_with_topic_ids) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128];
    REQUIRE(cit_topic(boot, topic, sizeof topic, "fetchv", 1) == 0);
    REQUIRE(cit_kcat(boot, topic, 0, "none", "v", 0, 300) == 0);
    logbuf lb = {.lock = PTHREAD_MUTEX_INITIALIZER};
    kfk_consumer *c = cit_consumer(boot, NULL);
    REQUIRE(c);
    kfk_consumer_set_log_cb(c, on_log, &lb);
    REQUIRE(cit_assign(c, topic, 1, KFK_OFFSET_BEGINNING) == 0);
    int bad = 0;
    CHECK_EQ(take(c, "v", 0, 300, &bad), 300);
    CHECK_EQ(bad, 0);
    kfk_fetch_stats st;
    kfk_consumer_fetch_stats(c, &st);
    int used = newest_used(&st), want = expected_fetch_version();
    printf("Kafka %s: Fetch v%d\n", getenv("KFK_BROKER_VERSION") ? getenv("KFK_BROKER_VERSION")
                                                                  : "?", used);
    CHECK(used >= 13); /* topic ids: metadata gave one for the topic */
    if (want) CHECK_EQ(used, want);
    for (int v = 0; v < 13; v++) CHECK_EQ(st.by_version[v], 0);
    char line[64];
    snprintf(line, sizeof line, "Fetch v%d (topic ids)", used);
    CHECK(logged(&lb, line));
    CHECK_EQ(st.recreated, 0);
    kfk_consumer_destroy(c);
}

static int on_delete(void *opaque, kfk_response *resp) {
    (void)opaque;
    kfk_arena a = {0};
    kfk_delete_topics_response m;
    int rc = kfk_delete_topics_response_decode(&resp->body, resp->version, &a, &m);
    if (!rc) rc = m.responses.count == 1 ? m.responses.items[0].error_code : -1;
    kfk_arena_reset(&a);
    return rc;
}

static int delete_topic(kfk_core *core, const char *topic, char *err, size_t errlen) {
    kfk_str name = {topic, (int32_t)strlen(topic)};
    kfk_delete_topics_request m;
    kfk_delete_topics_request_init(&m);
    m.topic_names.items = &name;
    m.topic_names.count = 1;
    m.timeout_ms = 10000;
    kfk_core_req r = {.dest = KFK_DEST_ANY};
    r.req = (kfk_request){.api_key = KFK_API_DELETE_TOPICS, .min_version = 1, .max_version = 5,
                          .msg = &m};
    return kfk_core_send_wait(core, &r, on_delete, NULL, err, errlen);
}

static int on_create(void *opaque, kfk_response *resp) {
    (void)opaque;
    kfk_arena a = {0};
    kfk_create_topics_response m;
    int rc = kfk_create_topics_response_decode(&resp->body, resp->version, &a, &m);
    if (!rc) rc = m.topics.count == 1 ? m.topics.items[0].error_code : -1;
    kfk_arena_reset(&a);
    return rc;
}

/* topic's id in fresh metadata; zero when unknown. */
static kfk_uuid topic_id(kfk_core *core, const char *topic) {
    kfk_uuid id = {{0}};
    const char *topics[1] = {topic};
    kfk_metadata *md = NULL;
    char err[256];
    if (kfk_core_metadata_wait(core, topics, 1, 15000, &md, err, sizeof err) == 0) {
        const kfk_md_topic *t = kfk_metadata_topic(md, topic);
        if (t) id = t->id;
    }
    kfk_metadata_unref(md);
    return id;
}

/* Creates topic anew, with another id than old. TOPIC_ALREADY_EXISTS is
 * fine once the id is new: the consumer's metadata requests (auto topic
 * creation on) may re-create it first. */
static int recreate(kfk_core *core, const char *topic, const kfk_uuid *old) {
    kfk_create_topics_request_creatable_topic t = {
        .name = {topic, (int32_t)strlen(topic)}, .num_partitions = 1, .replication_factor = -1};
    kfk_create_topics_request m;
    kfk_create_topics_request_init(&m);
    m.topics.items = &t;
    m.topics.count = 1;
    m.timeout_ms = 10000;
    int64_t until = it_now_ms() + 30000;
    char err[256] = "";
    for (;;) {
        kfk_core_req r = {.dest = KFK_DEST_ANY};
        r.req = (kfk_request){.api_key = KFK_API_CREATE_TOPICS, .min_version = 4,
                              .max_version = -1, .msg = &m};
        int rc = kfk_core_send_wait(core, &r, on_create, NULL, err, sizeof err);
        if (rc && rc != KFK_ERR_TOPIC_ALREADY_EXISTS) break;
        kfk_uuid id = topic_id(core, topic);
        if (!kfk_uuid_is_zero(&id) && memcmp(&id, old, sizeof id) != 0) return 0;
        if (it_now_ms() > until) break;
        usleep(200 * 1000);
    }
    kfk_test_fail(__FILE__, __LINE__, "re-create %s: %s", topic, err);
    return -1;
}

TEST(topic_recreated_while_consumed_starts_over) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[128];
    REQUIRE(cit_topic(boot, topic, sizeof topic, "recreate", 1) == 0);
    REQUIRE(cit_kcat(boot, topic, 0, "none", "old", 0, 100) == 0);
    logbuf lb = {.lock = PTHREAD_MUTEX_INITIALIZER};
    kfk_consumer *c = cit_consumer(boot, "auto.offset.reset", "earliest",
                                   "retry.backoff.max.ms", "500", NULL);
    REQUIRE(c);
    kfk_consumer_set_log_cb(c, on_log, &lb);
    REQUIRE(cit_assign(c, topic, 1, KFK_OFFSET_BEGINNING) == 0);
    int bad = 0;
    CHECK_EQ(take(c, "old", 0, 100, &bad), 100);

    kfk_core_conf conf;
    it_conf(&conf, boot);
    kfk_core *core = it_core(&conf);
    REQUIRE(core);
    kfk_uuid old = topic_id(core, topic);
    REQUIRE(!kfk_uuid_is_zero(&old));
    char err[256] = "";
    int rc = delete_topic(core, topic, err, sizeof err);
    if (rc) kfk_test_fail(__FILE__, __LINE__, "delete %s: %s", topic, err);
    REQUIRE(rc == 0);
    REQUIRE(recreate(core, topic, &old) == 0);
    /* More than the old position: read from there, the first 100 would be lost. */
    REQUIRE(cit_kcat(boot, topic, 0, "none", "new", 0, 300) == 0);
    CHECK_EQ(take(c, "new", 0, 300, &bad), 300);
    CHECK_EQ(bad, 0);
    kfk_fetch_stats st;
    kfk_consumer_fetch_stats(c, &st);
    kfk_consumer_stats cs;
    kfk_consumer_stats_get(c, &cs);
    printf("re-created: %lld position(s) dropped, %lld offset reset(s), Fetch v%d\n",
           (long long)st.recreated, (long long)cs.offset_resets, newest_used(&st));
    CHECK_EQ(st.recreated, 1);
    CHECK(cs.offset_resets >= 1);
    CHECK(logged(&lb, "topic re-created"));
    kfk_consumer_destroy(c);
    kfk_core_destroy(core);
}
