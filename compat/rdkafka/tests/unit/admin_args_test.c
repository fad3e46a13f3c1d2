/* The admin API's argument checks and objects, without a client: what
 * librdkafka 2.0.2 accepts and refuses, with its messages. */
#include <librdkafka/rdkafka.h>

#include "test.h"

TEST(new_topic_checks_counts) {
    char errstr[256] = "";
    /* 0 partitions is in librdkafka's range: the broker refuses it */
    rd_kafka_NewTopic_t *t = rd_kafka_NewTopic_new("t", 0, 1, errstr, sizeof(errstr));
    CHECK(t != NULL);
    rd_kafka_NewTopic_destroy(t);
    t = rd_kafka_NewTopic_new("t", -2, 1, errstr, sizeof(errstr));
    CHECK(t == NULL);
    CHECK(strstr(errstr, "num_partitions out of expected range") != NULL);
    errstr[0] = '\0';
    CHECK(rd_kafka_NewTopic_new("t", 100001, 1, errstr, sizeof(errstr)) == NULL);
    CHECK(errstr[0] != '\0');
    errstr[0] = '\0';
    CHECK(rd_kafka_NewTopic_new("t", 1, -2, errstr, sizeof(errstr)) == NULL);
    CHECK(strstr(errstr, "replication_factor out of expected range") != NULL);
    CHECK(rd_kafka_NewTopic_new(NULL, 1, 1, errstr, sizeof(errstr)) == NULL);
    CHECK_STR(errstr, "Invalid topic name");
}

TEST(new_topic_replica_assignment_rules) {
    char errstr[256];
    int32_t brokers[] = {1, 2, 3};
    rd_kafka_NewTopic_t *t = rd_kafka_NewTopic_new("t", 2, 3, errstr, sizeof(errstr));
    REQUIRE(t != NULL);
    CHECK_EQ(rd_kafka_NewTopic_set_replica_assignment(t, 0, brokers, 3, errstr, sizeof(errstr)),
             RD_KAFKA_RESP_ERR__INVALID_ARG);
    CHECK(strstr(errstr, "mutually exclusive") != NULL);
    rd_kafka_NewTopic_destroy(t);

    t = rd_kafka_NewTopic_new("t", -1, -1, errstr, sizeof(errstr));
    REQUIRE(t != NULL);
    CHECK_EQ(rd_kafka_NewTopic_set_replica_assignment(t, 0, brokers, 3, errstr, sizeof(errstr)),
             RD_KAFKA_RESP_ERR__INVALID_ARG);
    rd_kafka_NewTopic_destroy(t);

    t = rd_kafka_NewTopic_new("t", 2, -1, errstr, sizeof(errstr));
    REQUIRE(t != NULL);
    CHECK_EQ(rd_kafka_NewTopic_set_replica_assignment(t, 1, brokers, 3, errstr, sizeof(errstr)),
             RD_KAFKA_RESP_ERR__INVALID_ARG);
    CHECK(strstr(errstr, "in order") != NULL);
    CHECK_EQ(rd_kafka_NewTopic_set_replica_assignment(t, 0, brokers, 3, errstr, sizeof(errstr)),
             RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(rd_kafka_NewTopic_set_replica_assignment(t, 1, brokers, 3, errstr, sizeof(errstr)),
             RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(rd_kafka_NewTopic_set_config(t, "cleanup.policy", "compact"),
             RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(rd_kafka_NewTopic_set_config(t, NULL, "x"), RD_KAFKA_RESP_ERR__INVALID_ARG);
    rd_kafka_NewTopic_destroy_array(&t, 1);
}

TEST(new_partitions_checks) {
    char errstr[256];
    CHECK(rd_kafka_NewPartitions_new("t", 0, errstr, sizeof(errstr)) == NULL);
    CHECK(strstr(errstr, "new_total_cnt out of expected range") != NULL);
    rd_kafka_NewPartitions_t *p = rd_kafka_NewPartitions_new("t", 4, errstr, sizeof(errstr));
    REQUIRE(p != NULL);
    int32_t b[] = {1};
    CHECK_EQ(rd_kafka_NewPartitions_set_replica_assignment(p, 1, b, 1, errstr, sizeof(errstr)),
             RD_KAFKA_RESP_ERR__INVALID_ARG);
    CHECK_EQ(rd_kafka_NewPartitions_set_replica_assignment(p, 0, b, 1, errstr, sizeof(errstr)),
             RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_NewPartitions_destroy_array(&p, 1);
}

TEST(admin_options_per_operation) {
    char errstr[256];
    CHECK(rd_kafka_AdminOptions_new(NULL, RD_KAFKA_ADMIN_OP__CNT) == NULL);
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(NULL, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
    REQUIRE(o != NULL);
    CHECK_EQ(rd_kafka_AdminOptions_set_validate_only(o, 1, errstr, sizeof(errstr)),
             RD_KAFKA_RESP_ERR__INVALID_ARG);
    CHECK_STR(errstr, "\"validate_only\" is not supported for this operation");
    CHECK_EQ(rd_kafka_AdminOptions_set_operation_timeout(o, 1000, errstr, sizeof(errstr)),
             RD_KAFKA_RESP_ERR__INVALID_ARG);
    CHECK_EQ(rd_kafka_AdminOptions_set_request_timeout(o, 1000, errstr, sizeof(errstr)),
             RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(rd_kafka_AdminOptions_set_request_timeout(o, -5, errstr, sizeof(errstr)),
             RD_KAFKA_RESP_ERR__INVALID_ARG);
    CHECK(strstr(errstr, "expecting integer in range 0..3600000") != NULL);
    CHECK_EQ(rd_kafka_AdminOptions_set_broker(o, 1, errstr, sizeof(errstr)),
             RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_AdminOptions_destroy(o);

    o = rd_kafka_AdminOptions_new(NULL, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    CHECK_EQ(rd_kafka_AdminOptions_set_validate_only(o, 1, errstr, sizeof(errstr)),
             RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(rd_kafka_AdminOptions_set_validate_only(o, 2, errstr, sizeof(errstr)),
             RD_KAFKA_RESP_ERR__INVALID_ARG);
    CHECK_EQ(rd_kafka_AdminOptions_set_operation_timeout(o, -1, errstr, sizeof(errstr)),
             RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_AdminOptions_destroy(o);

    o = rd_kafka_AdminOptions_new(NULL, RD_KAFKA_ADMIN_OP_ANY);
    CHECK_EQ(rd_kafka_AdminOptions_set_validate_only(o, 1, errstr, sizeof(errstr)),
             RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_AdminOptions_set_opaque(o, errstr);
    rd_kafka_AdminOptions_destroy(o);
}

TEST(config_resource_objects) {
    CHECK(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, "") == NULL);
    CHECK(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, NULL) == NULL);
    rd_kafka_ConfigResource_t *r = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, "t");
    REQUIRE(r != NULL);
    CHECK_EQ(rd_kafka_ConfigResource_set_config(r, "retention.ms", "1000"),
             RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(rd_kafka_ConfigResource_set_config(r, "retention.ms", NULL),
             RD_KAFKA_RESP_ERR__INVALID_ARG);
    CHECK_EQ(rd_kafka_ConfigResource_set_config(r, "", "x"), RD_KAFKA_RESP_ERR__INVALID_ARG);
    size_t n;
    const rd_kafka_ConfigEntry_t **e = rd_kafka_ConfigResource_configs(r, &n);
    REQUIRE_EQ(n, 1);
    CHECK_STR(rd_kafka_ConfigEntry_name(e[0]), "retention.ms");
    CHECK_STR(rd_kafka_ConfigEntry_value(e[0]), "1000");
    CHECK_EQ(rd_kafka_ConfigResource_type(r), RD_KAFKA_RESOURCE_TOPIC);
    CHECK_STR(rd_kafka_ConfigResource_name(r), "t");
    CHECK_EQ(rd_kafka_ConfigResource_error(r), 0);
    CHECK(rd_kafka_ConfigResource_error_string(r) == NULL);
    rd_kafka_ConfigResource_destroy_array(&r, 1);

    CHECK_STR(rd_kafka_ConfigSource_name(RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG),
              "DYNAMIC_TOPIC_CONFIG");
    CHECK_STR(rd_kafka_ConfigSource_name(RD_KAFKA_CONFIG_SOURCE__CNT), "UNSUPPORTED");
    CHECK_STR(rd_kafka_ResourceType_name(RD_KAFKA_RESOURCE_BROKER), "BROKER");
    CHECK_STR(rd_kafka_ResourcePatternType_name(RD_KAFKA_RESOURCE_PATTERN_PREFIXED), "PREFIXED");
}

TEST(delete_topic_objects) {
    CHECK(rd_kafka_DeleteTopic_new(NULL) == NULL);
    rd_kafka_DeleteTopic_t *d[2] = {rd_kafka_DeleteTopic_new("a"), rd_kafka_DeleteTopic_new("b")};
    CHECK(d[0] != NULL && d[1] != NULL);
    rd_kafka_DeleteTopic_destroy_array(d, 2);
    CHECK(rd_kafka_event_CreateTopics_result(NULL) == NULL);
}

TEST(acl_binding_checks) {
    char errstr[256];
    CHECK(rd_kafka_AclBinding_new(RD_KAFKA_RESOURCE_TOPIC, NULL, RD_KAFKA_RESOURCE_PATTERN_LITERAL,
                                  "User:a", "*", RD_KAFKA_ACL_OPERATION_READ,
                                  RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW, errstr,
                                  sizeof(errstr)) == NULL);
    CHECK_STR(errstr, "Invalid resource name");
    CHECK(rd_kafka_AclBinding_new(RD_KAFKA_RESOURCE_TOPIC, "t", RD_KAFKA_RESOURCE_PATTERN_MATCH,
                                  "User:a", "*", RD_KAFKA_ACL_OPERATION_READ,
                                  RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW, errstr,
                                  sizeof(errstr)) == NULL);
    CHECK_STR(errstr, "Invalid resource pattern type");
    CHECK(rd_kafka_AclBinding_new(RD_KAFKA_RESOURCE_TOPIC, "t", RD_KAFKA_RESOURCE_PATTERN_LITERAL,
                                  "User:a", "*", RD_KAFKA_ACL_OPERATION_ANY,
                                  RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW, errstr,
                                  sizeof(errstr)) == NULL);
    CHECK_STR(errstr, "Invalid operation");
    CHECK(rd_kafka_AclBinding_new(RD_KAFKA_RESOURCE_TOPIC, "t", RD_KAFKA_RESOURCE_PATTERN_LITERAL,
                                  "User:a", "*", RD_KAFKA_ACL_OPERATION_READ,
                                  RD_KAFKA_ACL_PERMISSION_TYPE_ANY, errstr,
                                  sizeof(errstr)) == NULL);
    CHECK_STR(errstr, "Invalid permission type");
    /* filters take ANY and MATCH, and NULL strings */
    rd_kafka_AclBindingFilter_t *f = rd_kafka_AclBindingFilter_new(
        RD_KAFKA_RESOURCE_ANY, NULL, RD_KAFKA_RESOURCE_PATTERN_MATCH, NULL, NULL,
        RD_KAFKA_ACL_OPERATION_ANY, RD_KAFKA_ACL_PERMISSION_TYPE_ANY, errstr, sizeof(errstr));
    REQUIRE(f != NULL);
    CHECK(rd_kafka_AclBinding_name(f) == NULL);
    CHECK_EQ(rd_kafka_AclBinding_resource_pattern_type(f), RD_KAFKA_RESOURCE_PATTERN_MATCH);
    CHECK(rd_kafka_AclBinding_error(f) == NULL);
    rd_kafka_AclBinding_destroy(f);
    CHECK(rd_kafka_AclBindingFilter_new(RD_KAFKA_RESOURCE_UNKNOWN, NULL,
                                        RD_KAFKA_RESOURCE_PATTERN_ANY, NULL, NULL,
                                        RD_KAFKA_ACL_OPERATION_ANY,
                                        RD_KAFKA_ACL_PERMISSION_TYPE_ANY, errstr,
                                        sizeof(errstr)) == NULL);
    CHECK_STR(errstr, "Invalid resource type");
    CHECK_STR(rd_kafka_AclOperation_name(RD_KAFKA_ACL_OPERATION_IDEMPOTENT_WRITE),
              "IDEMPOTENT_WRITE");
    CHECK_STR(rd_kafka_AclOperation_name(RD_KAFKA_ACL_OPERATION__CNT), "UNSUPPORTED");
    CHECK_STR(rd_kafka_AclPermissionType_name(RD_KAFKA_ACL_PERMISSION_TYPE_DENY), "DENY");
}

TEST(group_objects_copy_their_lists) {
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, "t", 0)->offset = 5;
    rd_kafka_AlterConsumerGroupOffsets_t *a = rd_kafka_AlterConsumerGroupOffsets_new("g", l);
    rd_kafka_DeleteRecords_t *d = rd_kafka_DeleteRecords_new(l);
    rd_kafka_topic_partition_list_destroy(l); /* the objects keep copies */
    CHECK(a != NULL && d != NULL);
    rd_kafka_AlterConsumerGroupOffsets_destroy_array(&a, 1);
    rd_kafka_DeleteRecords_destroy_array(&d, 1);
    rd_kafka_ListConsumerGroupOffsets_t *lo = rd_kafka_ListConsumerGroupOffsets_new("g", NULL);
    CHECK(lo != NULL);
    rd_kafka_ListConsumerGroupOffsets_destroy(lo);
    CHECK(rd_kafka_DeleteGroup_new(NULL) == NULL);
    rd_kafka_DeleteGroup_t *g = rd_kafka_DeleteGroup_new("g");
    CHECK(g != NULL);
    rd_kafka_DeleteGroup_destroy(g);
}
