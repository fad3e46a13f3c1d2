/* The admin calls side by side with Debian's librdkafka (loaded in its own
 * namespace) against the broker at KFK_BOOTSTRAP: the same calls give the
 * same result events, codes, messages and described configs. */
#include <librdkafka/rdkafka.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../unit/debian_rdk.h"
#include "test.h"

/* One library's entry points: ours, or Debian's with the same types. */
typedef struct lib {
    const char *name;
#define FN(f) __typeof__(&rd_kafka_##f) f
    FN(conf_new);
    FN(conf_set);
    FN(conf_destroy);
    FN(new);
    FN(destroy);
    FN(queue_new);
    FN(queue_destroy);
    FN(queue_poll);
    FN(event_type);
    FN(event_error);
    FN(event_error_string);
    FN(event_destroy);
    FN(NewTopic_new);
    FN(NewTopic_destroy);
    FN(CreateTopics);
    FN(CreateTopics_result_topics);
    FN(DeleteTopic_new);
    FN(DeleteTopic_destroy);
    FN(DeleteTopics);
    FN(DeleteTopics_result_topics);
    FN(NewPartitions_new);
    FN(NewPartitions_destroy);
    FN(CreatePartitions);
    FN(CreatePartitions_result_topics);
    FN(topic_result_name);
    FN(topic_result_error);
    FN(topic_result_error_string);
    FN(ConfigResource_new);
    FN(ConfigResource_destroy);
    FN(DescribeConfigs);
    FN(DescribeConfigs_result_resources);
    FN(ConfigResource_configs);
    FN(ConfigResource_error);
    FN(ConfigResource_error_string);
    FN(ConfigEntry_name);
    FN(ConfigEntry_value);
    FN(ConfigEntry_source);
    FN(ConfigEntry_is_default);
    FN(ConfigEntry_is_read_only);
    FN(ConfigEntry_is_sensitive);
    FN(ConfigEntry_is_synonym);
    FN(ConfigEntry_synonyms);
#undef FN
} lib;

static int load(lib *l, int debian) {
    int ok = 1;
#define FN(f)                                                                                      \
    l->f = debian ? (__typeof__(l->f))debian_sym("rd_kafka_" #f) : rd_kafka_##f;                   \
    ok &= l->f != NULL;
    l->name = debian ? "debian" : "kfk";
    FN(conf_new) FN(conf_set) FN(conf_destroy) FN(new) FN(destroy) FN(queue_new)
    FN(queue_destroy) FN(queue_poll) FN(event_type) FN(event_error) FN(event_error_string)
    FN(event_destroy) FN(NewTopic_new) FN(NewTopic_destroy) FN(CreateTopics)
    FN(CreateTopics_result_topics) FN(DeleteTopic_new) FN(DeleteTopic_destroy) FN(DeleteTopics)
    FN(DeleteTopics_result_topics) FN(NewPartitions_new) FN(NewPartitions_destroy)
    FN(CreatePartitions) FN(CreatePartitions_result_topics) FN(topic_result_name)
    FN(topic_result_error) FN(topic_result_error_string) FN(ConfigResource_new)
    FN(ConfigResource_destroy) FN(DescribeConfigs) FN(DescribeConfigs_result_resources)
    FN(ConfigResource_configs) FN(ConfigResource_error) FN(ConfigResource_error_string)
    FN(ConfigEntry_name) FN(ConfigEntry_value) FN(ConfigEntry_source) FN(ConfigEntry_is_default)
    FN(ConfigEntry_is_read_only) FN(ConfigEntry_is_sensitive) FN(ConfigEntry_is_synonym)
    FN(ConfigEntry_synonyms)
#undef FN
    return ok;
}

typedef struct side {
    lib l;
    rd_kafka_t *rk;
    rd_kafka_queue_t *q;
} side;

static int open_side(side *s, int debian) {
    const char *boot = getenv("KFK_BOOTSTRAP");
    if (!boot || !*boot) {
        kfk_test_fail(__FILE__, __LINE__, "KFK_BOOTSTRAP is not set");
        return 0;
    }
    if (!load(&s->l, debian)) {
        kfk_test_fail(__FILE__, __LINE__, "%s: functions missing", debian ? "debian" : "kfk");
        return 0;
    }
    char errstr[512];
    rd_kafka_conf_t *conf = s->l.conf_new();
    s->l.conf_set(conf, "bootstrap.servers", boot, errstr, sizeof(errstr));
    s->rk = s->l.new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (!s->rk) {
        kfk_test_fail(__FILE__, __LINE__, "%s: rd_kafka_new: %s", s->l.name, errstr);
        s->l.conf_destroy(conf);
        return 0;
    }
    s->q = s->l.queue_new(s->rk);
    return 1;
}

static void close_side(side *s) {
    s->l.queue_destroy(s->q);
    s->l.destroy(s->rk);
}

static rd_kafka_event_t *wait_for(side *s, rd_kafka_event_type_t type) {
    for (int i = 0; i < 60; i++) {
        rd_kafka_event_t *ev = s->l.queue_poll(s->q, 1000);
        if (ev && s->l.event_type(ev) == type) return ev;
        if (ev) s->l.event_destroy(ev);
    }
    kfk_test_fail(__FILE__, __LINE__, "%s: no event %d", s->l.name, type);
    return NULL;
}

/* NULL-safe string equality. */
static int same(const char *a, const char *b) {
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_same_str(const char *what, const char *a, const char *b) {
    if (!same(a, b))
        kfk_test_fail(__FILE__, __LINE__, "%s: kfk \"%s\", debian \"%s\"", what,
                      a ? a : "(null)", b ? b : "(null)");
}

/* The single topic result of a topic operation's event on each side. */
static void compare_topic_results(side s[2], rd_kafka_event_type_t type, const char *what) {
    const rd_kafka_topic_result_t *tr[2] = {NULL, NULL};
    rd_kafka_event_t *ev[2];
    for (int i = 0; i < 2; i++) {
        ev[i] = wait_for(&s[i], type);
        if (!ev[i]) return;
        size_t cnt = 0;
        const rd_kafka_topic_result_t **r =
            type == RD_KAFKA_EVENT_CREATETOPICS_RESULT ? s[i].l.CreateTopics_result_topics(ev[i], &cnt)
            : type == RD_KAFKA_EVENT_DELETETOPICS_RESULT
                ? s[i].l.DeleteTopics_result_topics(ev[i], &cnt)
                : s[i].l.CreatePartitions_result_topics(ev[i], &cnt);
        if (cnt == 1) tr[i] = r[0];
    }
    CHECK_EQ(s[0].l.event_error(ev[0]), s[1].l.event_error(ev[1]));
    if (tr[0] && tr[1]) {
        CHECK_EQ(s[0].l.topic_result_error(tr[0]), s[1].l.topic_result_error(tr[1]));
        CHECK(s[0].l.topic_result_error(tr[0]) != 0);
        check_same_str(what, s[0].l.topic_result_error_string(tr[0]),
                       s[1].l.topic_result_error_string(tr[1]));
        check_same_str(what, s[0].l.topic_result_name(tr[0]), s[1].l.topic_result_name(tr[1]));
    } else {
        kfk_test_fail(__FILE__, __LINE__, "%s: one topic result each", what);
    }
    for (int i = 0; i < 2; i++) s[i].l.event_destroy(ev[i]);
}

static void compare_entries(side s[2], const rd_kafka_ConfigEntry_t *a,
                            const rd_kafka_ConfigEntry_t *b) {
    const char *name = s[0].l.ConfigEntry_name(a);
    check_same_str(name, s[0].l.ConfigEntry_value(a), s[1].l.ConfigEntry_value(b));
    if (s[0].l.ConfigEntry_source(a) != s[1].l.ConfigEntry_source(b) ||
        s[0].l.ConfigEntry_is_default(a) != s[1].l.ConfigEntry_is_default(b) ||
        s[0].l.ConfigEntry_is_read_only(a) != s[1].l.ConfigEntry_is_read_only(b) ||
        s[0].l.ConfigEntry_is_sensitive(a) != s[1].l.ConfigEntry_is_sensitive(b) ||
        s[0].l.ConfigEntry_is_synonym(a) != s[1].l.ConfigEntry_is_synonym(b))
        kfk_test_fail(__FILE__, __LINE__,
                      "%s: source/default/read-only/sensitive/synonym kfk %d/%d/%d/%d/%d, "
                      "debian %d/%d/%d/%d/%d",
                      name, s[0].l.ConfigEntry_source(a), s[0].l.ConfigEntry_is_default(a),
                      s[0].l.ConfigEntry_is_read_only(a), s[0].l.ConfigEntry_is_sensitive(a),
                      s[0].l.ConfigEntry_is_synonym(a), s[1].l.ConfigEntry_source(b),
                      s[1].l.ConfigEntry_is_default(b), s[1].l.ConfigEntry_is_read_only(b),
                      s[1].l.ConfigEntry_is_sensitive(b), s[1].l.ConfigEntry_is_synonym(b));
}

/* Describes topic on both sides and compares every entry and synonym. */
static void compare_describe(side s[2], const char *topic) {
    rd_kafka_event_t *ev[2];
    const rd_kafka_ConfigResource_t *res[2] = {NULL, NULL};
    for (int i = 0; i < 2; i++) {
        rd_kafka_ConfigResource_t *r = s[i].l.ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
        s[i].l.DescribeConfigs(s[i].rk, &r, 1, NULL, s[i].q);
        s[i].l.ConfigResource_destroy(r);
        ev[i] = wait_for(&s[i], RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT);
        if (!ev[i]) return;
        size_t cnt = 0;
        const rd_kafka_ConfigResource_t **rs = s[i].l.DescribeConfigs_result_resources(ev[i], &cnt);
        if (cnt == 1) res[i] = rs[0];
    }
    REQUIRE(res[0] && res[1]);
    CHECK_EQ(s[0].l.ConfigResource_error(res[0]), s[1].l.ConfigResource_error(res[1]));
    check_same_str(topic, s[0].l.ConfigResource_error_string(res[0]),
                   s[1].l.ConfigResource_error_string(res[1]));
    size_t n[2];
    const rd_kafka_ConfigEntry_t **e[2];
    for (int i = 0; i < 2; i++) e[i] = s[i].l.ConfigResource_configs(res[i], &n[i]);
    CHECK_EQ(n[0], n[1]);
    printf("     %s: %zu configs\n", topic, n[0]);
    for (size_t i = 0; i < n[0]; i++) {
        const char *name = s[0].l.ConfigEntry_name(e[0][i]);
        const rd_kafka_ConfigEntry_t *match = NULL;
        for (size_t j = 0; j < n[1] && !match; j++)
            if (same(name, s[1].l.ConfigEntry_name(e[1][j]))) match = e[1][j];
        if (!match) {
            kfk_test_fail(__FILE__, __LINE__, "%s: only kfk describes it", name);
            continue;
        }
        compare_entries(s, e[0][i], match);
        size_t ns[2];
        const rd_kafka_ConfigEntry_t **syn0 = s[0].l.ConfigEntry_synonyms(e[0][i], &ns[0]);
        const rd_kafka_ConfigEntry_t **syn1 = s[1].l.ConfigEntry_synonyms(match, &ns[1]);
        CHECK_EQ(ns[0], ns[1]);
        for (size_t k = 0; k < ns[0] && k < ns[1]; k++) {
            check_same_str(name, s[0].l.ConfigEntry_name(syn0[k]), s[1].l.ConfigEntry_name(syn1[k]));
            compare_entries(s, syn0[k], syn1[k]);
        }
    }
    for (int i = 0; i < 2; i++) s[i].l.event_destroy(ev[i]);
}

/* Whether topic's config name has value (described through s). */
static int has_config(side *s, const char *topic, const char *name, const char *value) {
    rd_kafka_ConfigResource_t *r = s->l.ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
    s->l.DescribeConfigs(s->rk, &r, 1, NULL, s->q);
    s->l.ConfigResource_destroy(r);
    rd_kafka_event_t *ev = wait_for(s, RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT);
    if (!ev) return 0;
    size_t cnt, n;
    int found = 0;
    const rd_kafka_ConfigResource_t **rs = s->l.DescribeConfigs_result_resources(ev, &cnt);
    const rd_kafka_ConfigEntry_t **e = cnt == 1 ? s->l.ConfigResource_configs(rs[0], &n) : NULL;
    for (size_t i = 0; e && i < n; i++)
        if (same(s->l.ConfigEntry_name(e[i]), name) && same(s->l.ConfigEntry_value(e[i]), value))
            found = 1;
    s->l.event_destroy(ev);
    return found;
}

TEST(topics_and_configs_as_debian) {
    side s[2];
    REQUIRE(open_side(&s[0], 0));
    if (!open_side(&s[1], 1)) {
        close_side(&s[0]);
        return;
    }
    char t[100], gone[128], errstr[256];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(t, sizeof(t), "rdk-admin-diff-%d-%lld", (int)getpid(), (long long)ts.tv_sec);
    snprintf(gone, sizeof(gone), "%s-none", t);

    /* created through ours, with a config of its own */
    rd_kafka_NewTopic_t *nt = s[0].l.NewTopic_new(t, 2, 1, errstr, sizeof(errstr));
    rd_kafka_NewTopic_set_config(nt, "retention.ms", "3600000");
    s[0].l.CreateTopics(s[0].rk, &nt, 1, NULL, s[0].q);
    s[0].l.NewTopic_destroy(nt);
    rd_kafka_event_t *ev = wait_for(&s[0], RD_KAFKA_EVENT_CREATETOPICS_RESULT);
    REQUIRE(ev != NULL);
    size_t cnt;
    const rd_kafka_topic_result_t **tr = s[0].l.CreateTopics_result_topics(ev, &cnt);
    REQUIRE_EQ(cnt, 1);
    REQUIRE_EQ(s[0].l.topic_result_error(tr[0]), 0);
    s[0].l.event_destroy(ev);
    /* the config reaches the answering broker's metadata a moment later */
    for (int i = 0; i < 300 && !has_config(&s[0], t, "retention.ms", "3600000"); i++)
        usleep(100 * 1000);

    compare_describe(s, t);
    compare_describe(s, gone);

    for (int i = 0; i < 2; i++) {
        nt = s[i].l.NewTopic_new(t, 1, 1, errstr, sizeof(errstr));
        s[i].l.CreateTopics(s[i].rk, &nt, 1, NULL, s[i].q);
        s[i].l.NewTopic_destroy(nt);
    }
    compare_topic_results(s, RD_KAFKA_EVENT_CREATETOPICS_RESULT, "topic exists");

    for (int i = 0; i < 2; i++) {
        rd_kafka_NewPartitions_t *np = s[i].l.NewPartitions_new(t, 1, errstr, sizeof(errstr));
        s[i].l.CreatePartitions(s[i].rk, &np, 1, NULL, s[i].q);
        s[i].l.NewPartitions_destroy(np);
    }
    compare_topic_results(s, RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT, "fewer partitions");

    for (int i = 0; i < 2; i++) {
        rd_kafka_DeleteTopic_t *dt = s[i].l.DeleteTopic_new(gone);
        s[i].l.DeleteTopics(s[i].rk, &dt, 1, NULL, s[i].q);
        s[i].l.DeleteTopic_destroy(dt);
    }
    compare_topic_results(s, RD_KAFKA_EVENT_DELETETOPICS_RESULT, "unknown topic");

    /* refused before anything is sent: the same error on the event */
    for (int i = 0; i < 2; i++) {
        rd_kafka_ConfigResource_t *r[2] = {
            s[i].l.ConfigResource_new(RD_KAFKA_RESOURCE_BROKER, "1"),
            s[i].l.ConfigResource_new(RD_KAFKA_RESOURCE_BROKER, "2")};
        s[i].l.DescribeConfigs(s[i].rk, r, 2, NULL, s[i].q);
        s[i].l.ConfigResource_destroy(r[0]);
        s[i].l.ConfigResource_destroy(r[1]);
    }
    rd_kafka_event_t *le[2];
    for (int i = 0; i < 2; i++) le[i] = wait_for(&s[i], RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT);
    if (le[0] && le[1]) {
        CHECK_EQ(s[0].l.event_error(le[0]), s[1].l.event_error(le[1]));
        check_same_str("two brokers", s[0].l.event_error_string(le[0]),
                       s[1].l.event_error_string(le[1]));
    }
    for (int i = 0; i < 2; i++)
        if (le[i]) s[i].l.event_destroy(le[i]);

    rd_kafka_DeleteTopic_t *dt = s[0].l.DeleteTopic_new(t);
    s[0].l.DeleteTopics(s[0].rk, &dt, 1, NULL, s[0].q);
    s[0].l.DeleteTopic_destroy(dt);
    ev = wait_for(&s[0], RD_KAFKA_EVENT_DELETETOPICS_RESULT);
    if (ev) s[0].l.event_destroy(ev);
    close_side(&s[1]);
    close_side(&s[0]);
}
