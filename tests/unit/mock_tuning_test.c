/* What tests set on the mock (src/mock/tuning.c), without sockets: racks
 * and topic errors in Metadata, API version limits in ApiVersions and on
 * requests, errors with a delay and the count of those still queued. */
#include "kfk.h"
#include "mock/mock_int.h"
#include "proto/proto.h"
#include "test.h"

#include "mock_call.h"

static kfk_mock *mock3(void) {
    int ports[3] = {9001, 9002, 9003};
    return kfk_mock_new(3, "127.0.0.1", ports, 0);
}

static int metadata_at(kfk_mock *m, int32_t broker, const char *topic, kfk_metadata_response *r) {
    kfk_metadata_request q;
    kfk_metadata_request_init(&q);
    kfk_metadata_request_topic t = {.name = kfk_str_of(topic)};
    q.topics.items = &t;
    q.topics.count = 1;
    return call(m, broker, KFK_API_METADATA, 9, &q, r);
}

static int metadata(kfk_mock *m, const char *topic, kfk_metadata_response *r) { return metadata_at(m, 1, topic, r); }

TEST(racks_and_topic_errors_in_metadata) {
    kfk_mock *m = mock3();
    REQUIRE(m);
    REQUIRE_EQ(kfk_mock_create_topic(m, "t", 2, 2), 0);
    REQUIRE_EQ(kfk_mock_set_rack(m, 2, "rack-b"), 0);
    CHECK_EQ(kfk_mock_set_rack(m, 4, "x"), -1);
    kfk_metadata_response r;
    REQUIRE_EQ(metadata(m, "t", &r), KFK_MOCK_REPLY);
    REQUIRE_EQ(r.brokers.count, 3);
    CHECK_EQ(r.brokers.items[0].rack.len, -1); /* null */
    CHECK(kfk_str_eq(r.brokers.items[1].rack, "rack-b"));
    CHECK_EQ(r.topics.items[0].error_code, 0);
    REQUIRE_EQ(kfk_mock_set_topic_error(m, "t", KFK_ERR_TOPIC_AUTHORIZATION_FAILED), 0);
    REQUIRE_EQ(kfk_mock_set_topic_error(m, "fresh", KFK_ERR_LEADER_NOT_AVAILABLE), 0); /* made */
    REQUIRE_EQ(metadata(m, "t", &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.topics.items[0].error_code, KFK_ERR_TOPIC_AUTHORIZATION_FAILED);
    CHECK_EQ(r.topics.items[0].partitions.count, 2);
    REQUIRE_EQ(metadata(m, "fresh", &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.topics.items[0].error_code, KFK_ERR_LEADER_NOT_AVAILABLE);
    REQUIRE_EQ(kfk_mock_set_topic_error(m, "t", 0), 0);
    REQUIRE_EQ(kfk_mock_set_rack(m, 2, NULL), 0);
    REQUIRE_EQ(metadata(m, "t", &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.topics.items[0].error_code, 0);
    CHECK_EQ(r.brokers.items[1].rack.len, -1);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

/* The versions ApiVersions lists for key: 0, or -1 if not listed. */
static int listed(kfk_mock *m, int16_t key, int16_t *lo, int16_t *hi) {
    kfk_api_versions_request q;
    kfk_api_versions_request_init(&q);
    kfk_api_versions_response r;
    if (call(m, 1, KFK_API_API_VERSIONS, 3, &q, &r) != KFK_MOCK_REPLY) return -1;
    for (int32_t i = 0; i < r.api_keys.count; i++)
        if (r.api_keys.items[i].api_key == key) {
            *lo = r.api_keys.items[i].min_version;
            *hi = r.api_keys.items[i].max_version;
            return 0;
        }
    return -1;
}

TEST(api_version_limits) {
    kfk_mock *m = mock3();
    REQUIRE(m);
    int16_t lo, hi;
    REQUIRE_EQ(listed(m, KFK_API_METADATA, &lo, &hi), 0);
    CHECK(hi >= 9);
    REQUIRE_EQ(kfk_mock_set_api_versions(m, KFK_API_METADATA, 1, 4), 0);
    REQUIRE_EQ(listed(m, KFK_API_METADATA, &lo, &hi), 0);
    CHECK_EQ(lo, 1);
    CHECK_EQ(hi, 4);
    kfk_metadata_response r;
    CHECK_EQ(metadata(m, "t", &r), KFK_ERR_MALFORMED); /* v9, beyond the limit: refused */
    REQUIRE_EQ(kfk_mock_set_api_versions(m, KFK_API_PRODUCE, 0, 1), 0); /* clipped to 3..: none */
    CHECK_EQ(listed(m, KFK_API_PRODUCE, &lo, &hi), -1);
    REQUIRE_EQ(kfk_mock_set_api_versions(m, KFK_API_METADATA, -1, -1), 0);
    CHECK_EQ(listed(m, KFK_API_METADATA, &lo, &hi), -1);
    REQUIRE_EQ(kfk_mock_set_api_versions(m, KFK_API_METADATA, 0, 100), 0);
    REQUIRE_EQ(listed(m, KFK_API_METADATA, &lo, &hi), 0);
    CHECK_EQ(metadata(m, "t", &r), KFK_MOCK_REPLY);
    CHECK_EQ(kfk_mock_set_api_versions(m, 4000, 0, 1), -1);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}

TEST(delayed_errors_are_counted_until_taken) {
    kfk_mock *m = mock3();
    REQUIRE(m);
    REQUIRE_EQ(kfk_mock_push_error_rtt(m, 2, KFK_API_METADATA, KFK_ERR_NOT_CONTROLLER, 250), 0);
    REQUIRE_EQ(kfk_mock_push_error_rtt(m, 2, KFK_API_METADATA, 0, 100), 0); /* a delay alone */
    REQUIRE_EQ(kfk_mock_push_error(m, -1, KFK_API_METADATA, 3, KFK_ERR_NOT_CONTROLLER), 0);
    CHECK_EQ(kfk_mock_error_count(m, 2, KFK_API_METADATA), 2);
    CHECK_EQ(kfk_mock_error_count(m, -1, KFK_API_METADATA), 3);
    CHECK_EQ(kfk_mock_error_count(m, 1, KFK_API_METADATA), 0);
    CHECK_EQ(kfk_mock_push_error_rtt(m, 2, KFK_API_METADATA, 0, -1), -1);
    REQUIRE_EQ(kfk_mock_create_topic(m, "t", 1, 1), 0);
    kfk_metadata_response r;
    REQUIRE_EQ(metadata_at(m, 2, "t", &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.topics.items[0].error_code, KFK_ERR_NOT_CONTROLLER);
    CHECK_EQ(kfk_mock_take_delay(m), 250);
    CHECK_EQ(kfk_mock_take_delay(m), 0);
    REQUIRE_EQ(metadata_at(m, 2, "t", &r), KFK_MOCK_REPLY);
    CHECK_EQ(r.topics.items[0].error_code, 0);
    CHECK_EQ(kfk_mock_take_delay(m), 100);
    CHECK_EQ(kfk_mock_error_count(m, 2, KFK_API_METADATA), 0);
    kfk_mock_free(m);
    kfk_arena_reset(&arena);
}
