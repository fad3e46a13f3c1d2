/* rdk_conf_build (not exported, so built with conf.c into this test):
 * librdkafka's properties and defaults become the kfk_conf a client gets. */
#include <dlfcn.h>
#include <stdlib.h>

#include "conf_props.h"
#include "rdk_int.h"
#include "test.h"

static kfk_conf *build(rd_kafka_conf_t *c, rd_kafka_type_t type, char *err, size_t size) {
    err[0] = '\0';
    return rdk_conf_build(c, type, err, size);
}

static void set(rd_kafka_conf_t *c, const char *name, const char *value) {
    char e[512];
    if (rd_kafka_conf_set(c, name, value, e, sizeof e) != RD_KAFKA_CONF_OK)
        kfk_test_fail(__FILE__, __LINE__, "set %s=%s: %s", name, value, e);
}

TEST(librdkafka_defaults_reach_kfk) {
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    char e[512];
    kfk_conf *k = build(c, RD_KAFKA_PRODUCER, e, sizeof e);
    REQUIRE(k != NULL);
    CHECK_STR(kfk_conf_get(k, "client.id"), "rdkafka");
    CHECK_STR(kfk_conf_get(k, "enable.idempotence"), "false");
    CHECK_STR(kfk_conf_get(k, "delivery.timeout.ms"), "300000");
    CHECK_STR(kfk_conf_get(k, "buffer.memory"), "1073741824");
    CHECK_STR(kfk_conf_get(k, "batch.size"), "1000000");
    CHECK_STR(kfk_conf_get(k, "linger.ms"), "5");
    CHECK_STR(kfk_conf_get(k, "compression.type"), "none");
    CHECK_STR(kfk_conf_get(k, "acks"), "-1");
    kfk_conf_destroy(k);

    k = build(c, RD_KAFKA_CONSUMER, e, sizeof e);
    REQUIRE(k != NULL);
    CHECK_STR(kfk_conf_get(k, "isolation.level"), "read_committed");
    CHECK_STR(kfk_conf_get(k, "allow.auto.create.topics"), "false");
    CHECK_STR(kfk_conf_get(k, "partition.assignment.strategy"), "range,roundrobin");
    CHECK_STR(kfk_conf_get(k, "auto.offset.reset"), "latest");
    CHECK_STR(kfk_conf_get(k, "enable.partition.eof"), "false");
    CHECK_STR(kfk_conf_get(k, "check.crcs"), "false");
    kfk_conf_destroy(k);
    rd_kafka_conf_destroy(c);
}

TEST(values_translate) {
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    char e[512];
    set(c, "bootstrap.servers", "h:1");
    set(c, "security.protocol", "sasl_ssl");
    set(c, "sasl.mechanisms", "SCRAM-SHA-256");
    set(c, "ssl.ca.location", "probe");
    set(c, "ssl.endpoint.identification.algorithm", "none");
    set(c, "queue.buffering.max.kbytes", "1024");
    set(c, "message.timeout.ms", "0");
    set(c, "compression.codec", "gzip");
    set(c, "compression.level", "5");
    set(c, "linger.ms", "0.5");
    set(c, "max.in.flight", "1000000");
    set(c, "auto.offset.reset", "smallest");
    set(c, "queued.max.messages.kbytes", "1024");
    set(c, "fetch.wait.max.ms", "77");
    set(c, "enable.partition.eof", "true");
    kfk_conf *k = build(c, RD_KAFKA_PRODUCER, e, sizeof e);
    REQUIRE(k != NULL);
    CHECK_STR(kfk_conf_get(k, "bootstrap.servers"), "h:1");
    CHECK_STR(kfk_conf_get(k, "security.protocol"), "SASL_SSL");
    CHECK_STR(kfk_conf_get(k, "sasl.mechanism"), "SCRAM-SHA-256");
    CHECK_STR(kfk_conf_get(k, "ssl.ca.location"), "");
    CHECK_STR(kfk_conf_get(k, "ssl.endpoint.identification.algorithm"), "");
    CHECK_STR(kfk_conf_get(k, "buffer.memory"), "1048576");
    CHECK_STR(kfk_conf_get(k, "delivery.timeout.ms"), "2147483647");
    CHECK_STR(kfk_conf_get(k, "compression.type"), "gzip");
    CHECK_STR(kfk_conf_get(k, "compression.gzip.level"), "5");
    CHECK_STR(kfk_conf_get(k, "linger.ms"), "0");
    CHECK_STR(kfk_conf_get(k, "max.in.flight.requests.per.connection"), "1000");
    kfk_conf_destroy(k);
    k = build(c, RD_KAFKA_CONSUMER, e, sizeof e);
    REQUIRE(k != NULL);
    CHECK_STR(kfk_conf_get(k, "auto.offset.reset"), "earliest");
    CHECK_STR(kfk_conf_get(k, "fetch.queue.max.bytes"), "1048576");
    CHECK_STR(kfk_conf_get(k, "fetch.max.wait.ms"), "77");
    CHECK_STR(kfk_conf_get(k, "enable.partition.eof"), "true");
    kfk_conf_destroy(k);

    /* a topic conf's codec wins over the global one unless it inherits */
    set(c, "topic.compression.codec", "lz4");
    k = build(c, RD_KAFKA_PRODUCER, e, sizeof e);
    REQUIRE(k != NULL);
    CHECK_STR(kfk_conf_get(k, "compression.type"), "lz4");
    CHECK_STR(kfk_conf_get(k, "compression.lz4.level"), "5");
    kfk_conf_destroy(k);
    set(c, "auto.offset.reset", "error");
    k = build(c, RD_KAFKA_CONSUMER, e, sizeof e);
    REQUIRE(k != NULL);
    CHECK_STR(kfk_conf_get(k, "auto.offset.reset"), "none");
    kfk_conf_destroy(k);
    rd_kafka_conf_destroy(c);
}

TEST(what_kfk_cannot_honour_fails_the_build) {
    char e[512];
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    set(c, "topic.blacklist", "^internal.*");
    CHECK(build(c, RD_KAFKA_CONSUMER, e, sizeof e) == NULL);
    CHECK(strstr(e, "\"topic.blacklist\"") != NULL);
    rd_kafka_conf_destroy(c);

    c = rd_kafka_conf_new();
    set(c, "acks", "2");
    CHECK(build(c, RD_KAFKA_PRODUCER, e, sizeof e) == NULL);
    CHECK(strstr(e, "\"request.required.acks\"") != NULL && strstr(e, "\"2\"") != NULL);
    /* a consumer does not take producer properties */
    kfk_conf *k = build(c, RD_KAFKA_CONSUMER, e, sizeof e);
    CHECK(k != NULL);
    kfk_conf_destroy(k);
    rd_kafka_conf_destroy(c);

    c = rd_kafka_conf_new();
    set(c, "offset.store.method", "file");
    CHECK(build(c, RD_KAFKA_CONSUMER, e, sizeof e) == NULL);
    rd_kafka_conf_destroy(c);

    c = rd_kafka_conf_new();
    set(c, "queuing.strategy", "lifo");
    CHECK(build(c, RD_KAFKA_PRODUCER, e, sizeof e) == NULL);
    CHECK_STR(e, "Configuration property \"queuing.strategy\" not supported in this build: "
                 "kfk cannot honour \"lifo\"");
    set(c, "queuing.strategy", "fifo");
    k = build(c, RD_KAFKA_PRODUCER, e, sizeof e);
    CHECK(k != NULL);
    kfk_conf_destroy(k);
    rd_kafka_conf_destroy(c);
}

/* Every property set to the value librdkafka shows for it builds. */
TEST(every_property_at_its_default_builds) {
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    size_t cnt;
    const char **arr = rd_kafka_conf_dump(c, &cnt);
    char e[512];
    int n = 0;
    for (size_t i = 0; i + 1 < cnt; i += 2) {
        if (!strncmp(arr[i + 1], "0x", 2)) continue;
        if (rd_kafka_conf_set(c, arr[i], arr[i + 1], e, sizeof e) == RD_KAFKA_CONF_OK) n++;
    }
    rd_kafka_conf_dump_free(arr, cnt);
    rd_kafka_topic_conf_t *t = rd_kafka_topic_conf_new();
    arr = rd_kafka_topic_conf_dump(t, &cnt);
    for (size_t i = 0; i + 1 < cnt; i += 2)
        if (rd_kafka_topic_conf_set(t, arr[i], arr[i + 1], e, sizeof e) == RD_KAFKA_CONF_OK) n++;
    rd_kafka_conf_dump_free(arr, cnt);
    rd_kafka_conf_set_default_topic_conf(c, t);
    CHECK(n > 100);
    for (int type = 0; type < 2; type++) {
        kfk_conf *k = build(c, (rd_kafka_type_t)type, e, sizeof e);
        if (!k) kfk_test_fail(__FILE__, __LINE__, "type %d: %s", type, e);
        kfk_conf_destroy(k);
    }
    rd_kafka_conf_destroy(c);
}

TEST(conf_str_for_the_layer) {
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    CHECK_STR(rdk_conf_str(c, "partitioner"), "consistent_random");
    CHECK_STR(rdk_conf_str(c, "group.id"), "");
    CHECK(rdk_conf_str(c, "no.such") == NULL);
    set(c, "linger.ms", "3");
    CHECK_STR(rdk_conf_str(c, "queue.buffering.max.ms"), "3");
    set(c, "partitioner", "murmur2");
    CHECK_STR(rdk_conf_str(c, "partitioner"), "murmur2");
    CHECK_STR(rdk_topic_conf_str(rd_kafka_conf_get_default_topic_conf(c), "topic.partitioner"),
              "murmur2");
    CHECK_STR(rdk_topic_conf_str(NULL, "auto.offset.reset"), "largest");
    CHECK(rdk_partitioner_by_name("murmur2") == rd_kafka_msg_partitioner_murmur2);
    CHECK(rdk_partitioner_by_name("fnv1a_random") == rd_kafka_msg_partitioner_fnv1a_random);
    CHECK(rdk_partitioner_by_name("java") == NULL);
    rd_kafka_conf_destroy(c);
}

/* Debian's librdkafka 2.0.2 in its own link-map namespace (it exports the
 * names this test defines): its rd_kafka_new's error for a configuration. */
static const char *debian_new_error(rd_kafka_type_t type, const char *const *props, char *e,
                                    size_t size) {
    static void *h;
    if (!h) h = dlmopen(LM_ID_NEWLM, "/usr/lib/x86_64-linux-gnu/librdkafka.so.1", RTLD_NOW);
    if (!h) return "cannot load Debian's librdkafka";
    rd_kafka_conf_t *(*conf_new)(void);
    rd_kafka_conf_res_t (*conf_set)(rd_kafka_conf_t *, const char *, const char *, char *,
                                    size_t);
    void (*conf_destroy)(rd_kafka_conf_t *);
    rd_kafka_t *(*new)(rd_kafka_type_t, rd_kafka_conf_t *, char *, size_t);
    void (*destroy)(rd_kafka_t *);
    *(void **)&conf_new = dlsym(h, "rd_kafka_conf_new");
    *(void **)&conf_set = dlsym(h, "rd_kafka_conf_set");
    *(void **)&conf_destroy = dlsym(h, "rd_kafka_conf_destroy");
    *(void **)&new = dlsym(h, "rd_kafka_new");
    *(void **)&destroy = dlsym(h, "rd_kafka_destroy");
    if (!conf_new || !conf_set || !conf_destroy || !new || !destroy) return "no symbols";
    rd_kafka_conf_t *c = conf_new();
    for (int j = 0; props[j]; j += 2) conf_set(c, props[j], props[j + 1], e, size);
    e[0] = '\0';
    rd_kafka_t *rk = new(type, c, e, size);
    if (rk) {
        destroy(rk);
        return "created";
    }
    conf_destroy(c);
    return e;
}

/* librdkafka's whole-configuration checks, with its texts (and Debian's
 * librdkafka says the same). */
TEST(conflicts_fail_as_in_librdkafka) {
    static const struct {
        rd_kafka_type_t type;
        const char *props[6];
        const char *err;
    } cases[] = {
        {RD_KAFKA_PRODUCER, {"transactional.id", "t", "enable.idempotence", "false"},
         "`transactional.id` requires `enable.idempotence=true`"},
        {RD_KAFKA_PRODUCER, {"enable.idempotence", "true", "max.in.flight", "6"},
         "`max.in.flight` must be set <= 5 when `enable.idempotence` is true"},
        {RD_KAFKA_PRODUCER, {"enable.idempotence", "true", "acks", "1"},
         "`acks` must be set to `all` when `enable.idempotence` is true"},
        {RD_KAFKA_PRODUCER, {"linger.ms", "100", "message.timeout.ms", "50"},
         "`message.timeout.ms` must be greater than `linger.ms`"},
        {RD_KAFKA_PRODUCER, {"enable.gapless.guarantee", "true"},
         "`enable.gapless.guarantee` requires `enable.idempotence` to be enabled"},
        {RD_KAFKA_CONSUMER, {"max.poll.interval.ms", "1000", "session.timeout.ms", "2000"},
         "`max.poll.interval.ms`must be >= `session.timeout.ms`"},
        {RD_KAFKA_CONSUMER, {"fetch.max.bytes", "1000", "message.max.bytes", "2000"},
         "`fetch.max.bytes` must be >= `message.max.bytes`"},
        {RD_KAFKA_CONSUMER, {"reconnect.backoff.ms", "2000", "reconnect.backoff.max.ms", "1000"},
         "`reconnect.backoff.max.ms` must be >= `reconnect.max.ms`"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rd_kafka_conf_t *c = rd_kafka_conf_new();
        for (int j = 0; cases[i].props[j]; j += 2) set(c, cases[i].props[j], cases[i].props[j + 1]);
        char e[512];
        kfk_conf *k = build(c, cases[i].type, e, sizeof e);
        CHECK(k == NULL);
        CHECK_STR(e, cases[i].err);
        char de[512];
        CHECK_STR(debian_new_error(cases[i].type, cases[i].props, de, sizeof de), cases[i].err);
        kfk_conf_destroy(k);
        rd_kafka_conf_destroy(c);
    }
}

TEST(adjustments_as_in_librdkafka) {
    char e[512];
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    set(c, "transactional.id", "tx");
    set(c, "transaction.timeout.ms", "20000");
    kfk_conf *k = build(c, RD_KAFKA_PRODUCER, e, sizeof e);
    REQUIRE(k != NULL);
    CHECK_STR(kfk_conf_get(k, "enable.idempotence"), "true");
    CHECK_STR(kfk_conf_get(k, "transactional.id"), "tx");
    CHECK_STR(kfk_conf_get(k, "delivery.timeout.ms"), "20000");
    kfk_conf_destroy(k);
    rd_kafka_conf_destroy(c);

    c = rd_kafka_conf_new();
    set(c, "retry.backoff.ms", "2500");
    k = build(c, RD_KAFKA_PRODUCER, e, sizeof e);
    REQUIRE(k != NULL);
    CHECK_STR(kfk_conf_get(k, "retry.backoff.ms"), "2500");
    CHECK_STR(kfk_conf_get(k, "retry.backoff.max.ms"), "2500");
    kfk_conf_destroy(k);
    rd_kafka_conf_destroy(c);

    c = rd_kafka_conf_new();
    set(c, "queued.max.messages.kbytes", "1000");
    k = build(c, RD_KAFKA_CONSUMER, e, sizeof e);
    REQUIRE(k != NULL);
    CHECK_STR(kfk_conf_get(k, "fetch.max.bytes"), "1024000");
    kfk_conf_destroy(k);
    rd_kafka_conf_destroy(c);
}

/* What librdkafka accepts, kfk's own rules must not refuse (the clients
 * are made and destroyed before any connection matters). */
TEST(kfk_rules_do_not_refuse_librdkafka_configs) {
    char e[512];
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    set(c, "bootstrap.servers", "127.0.0.1:1");
    set(c, "message.timeout.ms", "5000");
    set(c, "linger.ms", "100");
    kfk_conf *k = build(c, RD_KAFKA_PRODUCER, e, sizeof e);
    REQUIRE(k != NULL);
    CHECK_STR(kfk_conf_get(k, "request.timeout.ms"), "4900");
    kfk_producer *p = kfk_producer_new(k, NULL, e, sizeof e);
    if (!p) {
        kfk_test_fail(__FILE__, __LINE__, "producer: %s", e);
        kfk_conf_destroy(k);
    }
    kfk_producer_destroy(p);
    rd_kafka_conf_destroy(c);

    c = rd_kafka_conf_new();
    set(c, "bootstrap.servers", "127.0.0.1:1");
    set(c, "fetch.wait.max.ms", "40000");
    k = build(c, RD_KAFKA_CONSUMER, e, sizeof e);
    REQUIRE(k != NULL);
    CHECK_STR(kfk_conf_get(k, "request.timeout.ms"), "100000");
    kfk_consumer *cons = kfk_consumer_new(k, e, sizeof e);
    if (!cons) {
        kfk_test_fail(__FILE__, __LINE__, "consumer: %s", e);
        kfk_conf_destroy(k);
    }
    kfk_consumer_destroy(cons);
    rd_kafka_conf_destroy(c);
}

/* Every value librdkafka accepts for a property kfk takes (each end of a
 * range, every enum and flag, both booleans) translates to one kfk
 * accepts: a build fails only by librdkafka's own checks or by refusing
 * what kfk cannot honour, never on kfk_conf_set. */
TEST(every_accepted_value_translates) {
    int tried = 0;
    for (int i = 0; i < rdk_props_cnt; i++) {
        const rdk_prop *p = &rdk_props_table[i];
        if (p->type == RDK_ALIAS || p->unsupported) continue;
        char vals[24][64];
        int n = 0;
        switch (p->type) {
        case RDK_INT:
        case RDK_DBL:
            snprintf(vals[n++], 64, "%d", p->vmin);
            snprintf(vals[n++], 64, "%d", p->vmax);
            break;
        case RDK_BOOL:
            snprintf(vals[n++], 64, "true");
            snprintf(vals[n++], 64, "false");
            break;
        case RDK_S2I:
        case RDK_S2F:
            for (const char *v = p->values; *v && n < 24;) {
                size_t len = strcspn(v, ",|");
                if (*v != '!') snprintf(vals[n++], 64, "%.*s", (int)len, v);
                v += len;
                if (*v) v++;
            }
            break;
        default:
            continue;
        }
        for (int j = 0; j < n; j++) {
            for (int type = 0; type < 2; type++) {
                rd_kafka_conf_t *c = rd_kafka_conf_new();
                char e[512];
                rd_kafka_conf_res_t r =
                    (p->flags & RDK_F_TOPIC)
                        ? rd_kafka_topic_conf_set(
                              rd_kafka_conf_get_default_topic_conf(c)
                                  ? rd_kafka_conf_get_default_topic_conf(c)
                                  : (rd_kafka_conf_set_default_topic_conf(
                                         c, rd_kafka_topic_conf_new()),
                                     rd_kafka_conf_get_default_topic_conf(c)),
                              p->name, vals[j], e, sizeof e)
                        : rd_kafka_conf_set(c, p->name, vals[j], e, sizeof e);
                if (r != RD_KAFKA_CONF_OK) {
                    kfk_test_fail(__FILE__, __LINE__, "set %s=%s: %s", p->name, vals[j], e);
                } else {
                    kfk_conf *k = build(c, (rd_kafka_type_t)type, e, sizeof e);
                    if (!k && !strncmp(e, "Invalid value \"", 15))
                        kfk_test_fail(__FILE__, __LINE__, "%s=%s (type %d): %s", p->name,
                                      vals[j], type, e);
                    kfk_conf_destroy(k);
                    tried++;
                }
                rd_kafka_conf_destroy(c);
            }
        }
    }
    CHECK(tried > 300);
}
