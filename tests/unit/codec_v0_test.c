/* Version 0 of Produce, Fetch, ListOffsets and Metadata against bytes written
 * by hand from the layouts in Kafka's protocol guide (kafka.apache.org/protocol),
 * not from the encoder: the round-trip test cannot catch a codec that is
 * consistently wrong, these can. */
#include "kfk.h"
#include "proto/proto.h"
#include "test.h"

#define STR(s) ((kfk_str){s, (int32_t)sizeof s - 1})
#define BYTES(s) ((kfk_bytes){(const uint8_t *)s, (int32_t)sizeof s - 1})
#define ARR(a) {a, (int32_t)(sizeof a / sizeof a[0])}

static void check_encode(const kfk_msg_desc *d, const void *m, const uint8_t *want, size_t len) {
    kfk_wbuf w = {0};
    int rc = kfk_msg_encode(&w, d, 0, m);
    CHECK_EQ(rc, 0);
    CHECK_EQ(w.len, len);
    if (!rc && w.len == len) CHECK_MEM(w.data, want, len);
    kfk_wbuf_free(&w);
}

/* Decodes the golden bytes into *m; the caller checks the fields. */
static int decode(const kfk_msg_desc *d, const uint8_t *data, size_t len, kfk_arena *a, void *m) {
    kfk_rbuf r = kfk_rbuf_make(data, len);
    int rc = kfk_msg_decode(&r, d, 0, a, m);
    CHECK_EQ(kfk_rbuf_left(&r), 0);
    return rc;
}

static int str_is(kfk_str s, const char *want) {
    return s.len == (int32_t)strlen(want) && memcmp(s.ptr, want, (size_t)s.len) == 0;
}

/* ProduceRequest v0 => acks timeout_ms [topic_data]
 *   topic_data => name [partition_data]; partition_data => index records */
static const uint8_t produce_req[] = {
    0x00, 0x01,                         /* acks 1 */
    0x00, 0x00, 0x05, 0xdc,             /* timeout_ms 1500 */
    0x00, 0x00, 0x00, 0x01,             /* 1 topic */
    0x00, 0x03, 'f', 'o', 'o',          /* name */
    0x00, 0x00, 0x00, 0x01,             /* 1 partition */
    0x00, 0x00, 0x00, 0x02,             /* index 2 */
    0x00, 0x00, 0x00, 0x03, 'a', 'b', 'c', /* records: int32 size + bytes */
};

TEST(produce_request_v0) {
    kfk_produce_request_partition_produce_data part = {.index = 2, .records = BYTES("abc")};
    kfk_produce_request_topic_produce_data topic = {.name = STR("foo"), .partition_data = {&part, 1}};
    kfk_produce_request m;
    kfk_produce_request_init(&m);
    m.acks = 1;
    m.timeout_ms = 1500;
    m.topic_data.items = &topic;
    m.topic_data.count = 1;
    check_encode(&kfk_produce_request_desc, &m, produce_req, sizeof produce_req);

    kfk_arena a = {0};
    kfk_produce_request d;
    REQUIRE_EQ(decode(&kfk_produce_request_desc, produce_req, sizeof produce_req, &a, &d), 0);
    CHECK_EQ(d.acks, 1);
    CHECK_EQ(d.timeout_ms, 1500);
    CHECK_EQ(d.transactional_id.len, -1); /* v3+: default null */
    REQUIRE_EQ(d.topic_data.count, 1);
    CHECK(str_is(d.topic_data.items[0].name, "foo"));
    REQUIRE_EQ(d.topic_data.items[0].partition_data.count, 1);
    kfk_produce_request_partition_produce_data *p = &d.topic_data.items[0].partition_data.items[0];
    CHECK_EQ(p->index, 2);
    REQUIRE_EQ(p->records.len, 3);
    CHECK_MEM(p->records.ptr, "abc", 3);
    /* Records are not copied: they point into the input. */
    CHECK(p->records.ptr == produce_req + sizeof produce_req - 3);
    kfk_arena_reset(&a);
}

/* ProduceResponse v0 => [responses]
 *   responses => name [partition_responses]
 *   partition_responses => index error_code base_offset */
static const uint8_t produce_resp[] = {
    0x00, 0x00, 0x00, 0x01,                         /* 1 topic */
    0x00, 0x03, 'f', 'o', 'o',                      /* name */
    0x00, 0x00, 0x00, 0x02,                         /* 2 partitions */
    0x00, 0x00, 0x00, 0x02,                         /* index 2 */
    0x00, 0x00,                                     /* error_code 0 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0xd2, /* base_offset 1234 */
    0x00, 0x00, 0x00, 0x03,                         /* index 3 */
    0x00, 0x06,                                     /* NOT_LEADER_OR_FOLLOWER */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* base_offset -1 */
};

TEST(produce_response_v0) {
    kfk_produce_response_partition_produce_response parts[2] = {
        {.index = 2, .error_code = 0, .base_offset = 1234},
        {.index = 3, .error_code = KFK_ERR_NOT_LEADER_OR_FOLLOWER, .base_offset = -1},
    };
    kfk_produce_response_topic_produce_response topic = {.name = STR("foo"),
                                                          .partition_responses = ARR(parts)};
    kfk_produce_response m;
    kfk_produce_response_init(&m);
    m.responses.items = &topic;
    m.responses.count = 1;
    check_encode(&kfk_produce_response_desc, &m, produce_resp, sizeof produce_resp);

    kfk_arena a = {0};
    kfk_produce_response d;
    REQUIRE_EQ(decode(&kfk_produce_response_desc, produce_resp, sizeof produce_resp, &a, &d), 0);
    REQUIRE_EQ(d.responses.count, 1);
    CHECK(str_is(d.responses.items[0].name, "foo"));
    REQUIRE_EQ(d.responses.items[0].partition_responses.count, 2);
    kfk_produce_response_partition_produce_response *p = d.responses.items[0].partition_responses.items;
    CHECK_EQ(p[0].index, 2);
    CHECK_EQ(p[0].base_offset, 1234);
    CHECK_EQ(p[1].error_code, KFK_ERR_NOT_LEADER_OR_FOLLOWER);
    CHECK_EQ(p[1].base_offset, -1);
    CHECK_EQ(p[1].log_start_offset, -1); /* v5+: default -1 */
    CHECK_EQ(d.throttle_time_ms, 0);     /* v1+ */
    kfk_arena_reset(&a);
}

/* FetchRequest v0 => replica_id max_wait_ms min_bytes [topics]
 *   topics => topic [partitions]
 *   partitions => partition fetch_offset partition_max_bytes */
static const uint8_t fetch_req[] = {
    0xff, 0xff, 0xff, 0xff,                         /* replica_id -1 */
    0x00, 0x00, 0x01, 0xf4,                         /* max_wait_ms 500 */
    0x00, 0x00, 0x00, 0x01,                         /* min_bytes 1 */
    0x00, 0x00, 0x00, 0x01,                         /* 1 topic */
    0x00, 0x03, 'f', 'o', 'o',                      /* topic */
    0x00, 0x00, 0x00, 0x01,                         /* 1 partition */
    0x00, 0x00, 0x00, 0x00,                         /* partition 0 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, /* fetch_offset 100 */
    0x00, 0x10, 0x00, 0x00,                         /* partition_max_bytes 1 MiB */
};

TEST(fetch_request_v0) {
    kfk_fetch_request_partition part = {.partition = 0, .fetch_offset = 100,
                                        .partition_max_bytes = 1 << 20};
    kfk_fetch_request_topic topic = {.topic = STR("foo"), .partitions = {&part, 1}};
    kfk_fetch_request m;
    kfk_fetch_request_init(&m); /* replica_id defaults to -1 */
    m.max_wait_ms = 500;
    m.min_bytes = 1;
    m.topics.items = &topic;
    m.topics.count = 1;
    check_encode(&kfk_fetch_request_desc, &m, fetch_req, sizeof fetch_req);

    kfk_arena a = {0};
    kfk_fetch_request d;
    REQUIRE_EQ(decode(&kfk_fetch_request_desc, fetch_req, sizeof fetch_req, &a, &d), 0);
    CHECK_EQ(d.replica_id, -1);
    CHECK_EQ(d.max_wait_ms, 500);
    CHECK_EQ(d.min_bytes, 1);
    CHECK_EQ(d.max_bytes, 0x7fffffff); /* v3+: default */
    REQUIRE_EQ(d.topics.count, 1);
    CHECK(str_is(d.topics.items[0].topic, "foo"));
    REQUIRE_EQ(d.topics.items[0].partitions.count, 1);
    CHECK_EQ(d.topics.items[0].partitions.items[0].fetch_offset, 100);
    CHECK_EQ(d.topics.items[0].partitions.items[0].partition_max_bytes, 1 << 20);
    CHECK_EQ(d.topics.items[0].partitions.items[0].current_leader_epoch, -1); /* v9+ */
    kfk_arena_reset(&a);
}

/* FetchResponse v0 => [responses]
 *   responses => topic [partitions]
 *   partitions => partition_index error_code high_watermark records */
static const uint8_t fetch_resp[] = {
    0x00, 0x00, 0x00, 0x01,                         /* 1 topic */
    0x00, 0x03, 'f', 'o', 'o',                      /* topic */
    0x00, 0x00, 0x00, 0x02,                         /* 2 partitions */
    0x00, 0x00, 0x00, 0x00,                         /* partition 0 */
    0x00, 0x00,                                     /* error_code 0 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc8, /* high_watermark 200 */
    0x00, 0x00, 0x00, 0x02, 'x', 'y',               /* records */
    0x00, 0x00, 0x00, 0x01,                         /* partition 1 */
    0x00, 0x01,                                     /* OFFSET_OUT_OF_RANGE */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* high_watermark -1 */
    0xff, 0xff, 0xff, 0xff,                         /* records null */
};

TEST(fetch_response_v0) {
    kfk_fetch_response_partition_data parts[2] = {
        {.partition_index = 0, .high_watermark = 200, .records = BYTES("xy")},
        {.partition_index = 1, .error_code = KFK_ERR_OFFSET_OUT_OF_RANGE, .high_watermark = -1,
         .records = {NULL, -1}},
    };
    kfk_fetch_response_fetchable_topic_response topic = {.topic = STR("foo"), .partitions = ARR(parts)};
    kfk_fetch_response m;
    kfk_fetch_response_init(&m);
    m.responses.items = &topic;
    m.responses.count = 1;
    check_encode(&kfk_fetch_response_desc, &m, fetch_resp, sizeof fetch_resp);

    kfk_arena a = {0};
    kfk_fetch_response d;
    REQUIRE_EQ(decode(&kfk_fetch_response_desc, fetch_resp, sizeof fetch_resp, &a, &d), 0);
    REQUIRE_EQ(d.responses.count, 1);
    CHECK(str_is(d.responses.items[0].topic, "foo"));
    REQUIRE_EQ(d.responses.items[0].partitions.count, 2);
    kfk_fetch_response_partition_data *p = d.responses.items[0].partitions.items;
    CHECK_EQ(p[0].high_watermark, 200);
    REQUIRE_EQ(p[0].records.len, 2);
    CHECK_MEM(p[0].records.ptr, "xy", 2);
    CHECK_EQ(p[1].error_code, KFK_ERR_OFFSET_OUT_OF_RANGE);
    CHECK_EQ(p[1].records.len, -1);
    CHECK(p[1].records.ptr == NULL);
    CHECK_EQ(p[1].last_stable_offset, -1); /* v4+: default -1 */
    CHECK_EQ(p[1].preferred_read_replica, -1);
    kfk_arena_reset(&a);
}

/* ListOffsetsRequest v0 => replica_id [topics]
 *   topics => name [partitions]
 *   partitions => partition_index timestamp max_num_offsets */
static const uint8_t list_offsets_req[] = {
    0xff, 0xff, 0xff, 0xff,                         /* replica_id -1 */
    0x00, 0x00, 0x00, 0x01,                         /* 1 topic */
    0x00, 0x03, 'f', 'o', 'o',                      /* name */
    0x00, 0x00, 0x00, 0x01,                         /* 1 partition */
    0x00, 0x00, 0x00, 0x05,                         /* partition_index 5 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* timestamp -1 (latest) */
    0x00, 0x00, 0x00, 0x01,                         /* max_num_offsets 1 */
};

TEST(list_offsets_request_v0) {
    kfk_list_offsets_request_partition part = {.partition_index = 5, .timestamp = -1,
                                               .max_num_offsets = 1};
    kfk_list_offsets_request_topic topic = {.name = STR("foo"), .partitions = {&part, 1}};
    kfk_list_offsets_request m;
    kfk_list_offsets_request_init(&m);
    m.replica_id = -1;
    m.topics.items = &topic;
    m.topics.count = 1;
    check_encode(&kfk_list_offsets_request_desc, &m, list_offsets_req, sizeof list_offsets_req);

    kfk_arena a = {0};
    kfk_list_offsets_request d;
    REQUIRE_EQ(decode(&kfk_list_offsets_request_desc, list_offsets_req, sizeof list_offsets_req, &a,
                      &d), 0);
    CHECK_EQ(d.replica_id, -1);
    REQUIRE_EQ(d.topics.count, 1);
    CHECK(str_is(d.topics.items[0].name, "foo"));
    REQUIRE_EQ(d.topics.items[0].partitions.count, 1);
    CHECK_EQ(d.topics.items[0].partitions.items[0].partition_index, 5);
    CHECK_EQ(d.topics.items[0].partitions.items[0].timestamp, -1);
    CHECK_EQ(d.topics.items[0].partitions.items[0].max_num_offsets, 1);
    CHECK_EQ(d.topics.items[0].partitions.items[0].current_leader_epoch, -1); /* v4+ */
    kfk_arena_reset(&a);
}

/* ListOffsetsResponse v0 => [topics]
 *   topics => name [partitions]
 *   partitions => partition_index error_code [old_style_offsets] */
static const uint8_t list_offsets_resp[] = {
    0x00, 0x00, 0x00, 0x01,                         /* 1 topic */
    0x00, 0x03, 'f', 'o', 'o',                      /* name */
    0x00, 0x00, 0x00, 0x01,                         /* 1 partition */
    0x00, 0x00, 0x00, 0x05,                         /* partition_index 5 */
    0x00, 0x00,                                     /* error_code 0 */
    0x00, 0x00, 0x00, 0x02,                         /* 2 offsets */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, /* 42 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* 0 */
};

TEST(list_offsets_response_v0) {
    int64_t offsets[] = {42, 0};
    kfk_list_offsets_response_partition_response part = {.partition_index = 5,
                                                          .old_style_offsets = ARR(offsets)};
    kfk_list_offsets_response_topic_response topic = {.name = STR("foo"), .partitions = {&part, 1}};
    kfk_list_offsets_response m;
    kfk_list_offsets_response_init(&m);
    m.topics.items = &topic;
    m.topics.count = 1;
    check_encode(&kfk_list_offsets_response_desc, &m, list_offsets_resp, sizeof list_offsets_resp);

    kfk_arena a = {0};
    kfk_list_offsets_response d;
    REQUIRE_EQ(decode(&kfk_list_offsets_response_desc, list_offsets_resp, sizeof list_offsets_resp,
                      &a, &d), 0);
    REQUIRE_EQ(d.topics.count, 1);
    REQUIRE_EQ(d.topics.items[0].partitions.count, 1);
    kfk_list_offsets_response_partition_response *p = &d.topics.items[0].partitions.items[0];
    CHECK_EQ(p->partition_index, 5);
    REQUIRE_EQ(p->old_style_offsets.count, 2);
    CHECK_EQ(p->old_style_offsets.items[0], 42);
    CHECK_EQ(p->old_style_offsets.items[1], 0);
    CHECK_EQ(p->offset, -1);    /* v1+: default -1 */
    CHECK_EQ(p->timestamp, -1); /* v1+: default -1 */
    kfk_arena_reset(&a);
}

/* MetadataRequest v0 => [topics]; topics => name */
static const uint8_t metadata_req[] = {
    0x00, 0x00, 0x00, 0x02,    /* 2 topics */
    0x00, 0x03, 'f', 'o', 'o', /* name */
    0x00, 0x03, 'b', 'a', 'r', /* name */
};

TEST(metadata_request_v0) {
    kfk_metadata_request_topic topics[2] = {{.name = STR("foo")}, {.name = STR("bar")}};
    kfk_metadata_request m;
    kfk_metadata_request_init(&m);
    m.topics.items = topics;
    m.topics.count = 2;
    check_encode(&kfk_metadata_request_desc, &m, metadata_req, sizeof metadata_req);

    kfk_arena a = {0};
    kfk_metadata_request d;
    REQUIRE_EQ(decode(&kfk_metadata_request_desc, metadata_req, sizeof metadata_req, &a, &d), 0);
    REQUIRE_EQ(d.topics.count, 2);
    CHECK(str_is(d.topics.items[0].name, "foo"));
    CHECK(str_is(d.topics.items[1].name, "bar"));
    CHECK_EQ(d.allow_auto_topic_creation, 1); /* v4+: default true */
    kfk_arena_reset(&a);
}

/* MetadataResponse v0 => [brokers] [topics]
 *   brokers => node_id host port
 *   topics => error_code name [partitions]
 *   partitions => error_code partition_index leader_id [replica_nodes] [isr_nodes] */
static const uint8_t metadata_resp[] = {
    0x00, 0x00, 0x00, 0x01,                                         /* 1 broker */
    0x00, 0x00, 0x00, 0x01,                                         /* node_id 1 */
    0x00, 0x09, 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't',        /* host */
    0x00, 0x00, 0x23, 0x84,                                         /* port 9092 */
    0x00, 0x00, 0x00, 0x01,                                         /* 1 topic */
    0x00, 0x00,                                                     /* error_code 0 */
    0x00, 0x03, 'f', 'o', 'o',                                      /* name */
    0x00, 0x00, 0x00, 0x01,                                         /* 1 partition */
    0x00, 0x00,                                                     /* error_code 0 */
    0x00, 0x00, 0x00, 0x00,                                         /* partition_index 0 */
    0x00, 0x00, 0x00, 0x01,                                         /* leader_id 1 */
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, /* replicas [1,2] */
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,                 /* isr [1] */
};

TEST(metadata_response_v0) {
    kfk_metadata_response_broker broker = {.node_id = 1, .host = STR("localhost"), .port = 9092};
    int32_t replicas[] = {1, 2}, isr[] = {1};
    kfk_metadata_response_partition part = {.partition_index = 0, .leader_id = 1,
                                            .replica_nodes = ARR(replicas), .isr_nodes = ARR(isr)};
    kfk_metadata_response_topic topic = {.name = STR("foo"), .partitions = {&part, 1}};
    kfk_metadata_response m;
    kfk_metadata_response_init(&m);
    m.brokers.items = &broker;
    m.brokers.count = 1;
    m.topics.items = &topic;
    m.topics.count = 1;
    check_encode(&kfk_metadata_response_desc, &m, metadata_resp, sizeof metadata_resp);

    kfk_arena a = {0};
    kfk_metadata_response d;
    REQUIRE_EQ(decode(&kfk_metadata_response_desc, metadata_resp, sizeof metadata_resp, &a, &d), 0);
    REQUIRE_EQ(d.brokers.count, 1);
    CHECK_EQ(d.brokers.items[0].node_id, 1);
    CHECK(str_is(d.brokers.items[0].host, "localhost"));
    CHECK_EQ(d.brokers.items[0].port, 9092);
    CHECK_EQ(d.brokers.items[0].rack.len, -1); /* v1+: default null */
    CHECK_EQ(d.controller_id, -1);             /* v1+: default -1 */
    REQUIRE_EQ(d.topics.count, 1);
    CHECK(str_is(d.topics.items[0].name, "foo"));
    REQUIRE_EQ(d.topics.items[0].partitions.count, 1);
    kfk_metadata_response_partition *p = &d.topics.items[0].partitions.items[0];
    CHECK_EQ(p->leader_id, 1);
    REQUIRE_EQ(p->replica_nodes.count, 2);
    CHECK_EQ(p->replica_nodes.items[1], 2);
    REQUIRE_EQ(p->isr_nodes.count, 1);
    CHECK_EQ(p->isr_nodes.items[0], 1);
    CHECK_EQ(p->leader_epoch, -1); /* v7+: default -1 */
    kfk_arena_reset(&a);
}
