/* rdk_conf_build (not exported, so built with conf.c into this test):
 * librdkafka's properties and defaults become the kfk_conf a client gets. */
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
