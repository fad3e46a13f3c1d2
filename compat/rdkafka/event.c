/* Events: the ops queues carry, their accessors, and serving them through
 * the callbacks the application configured. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdk_int.h"

struct rd_kafka_op_s *rdk_op_new(rd_kafka_t *rk, rd_kafka_event_type_t type) {
    struct rd_kafka_op_s *op = calloc(1, sizeof(*op));
    if (!op) return NULL;
    op->type = type;
    op->rk = rk;
    op->partition = RD_KAFKA_PARTITION_UA;
    return op;
}

void rdk_op_destroy(struct rd_kafka_op_s *op) {
    if (!op) return;
    if (op->free_fn) op->free_fn(op);
    for (size_t i = 0; i < op->msg_cnt; i++)
        if (op->msgs[i]) rd_kafka_message_destroy(op->msgs[i]);
    free(op->msgs);
    if (op->partitions) rd_kafka_topic_partition_list_destroy(op->partitions);
    free(op->errstr);
    free(op->fac);
    free(op->str);
    free(op->topic);
    free(op);
}

rd_kafka_event_type_t rd_kafka_event_type(const rd_kafka_event_t *rkev) {
    return rkev ? rkev->type : RD_KAFKA_EVENT_NONE;
}

const char *rd_kafka_event_name(const rd_kafka_event_t *rkev) {
    switch (rd_kafka_event_type(rkev)) {
    case RD_KAFKA_EVENT_NONE: return "(NONE)";
    case RD_KAFKA_EVENT_DR: return "DeliveryReport";
    case RD_KAFKA_EVENT_FETCH: return "Fetch";
    case RD_KAFKA_EVENT_LOG: return "Log";
    case RD_KAFKA_EVENT_ERROR: return "Error";
    case RD_KAFKA_EVENT_REBALANCE: return "Rebalance";
    case RD_KAFKA_EVENT_OFFSET_COMMIT: return "OffsetCommit";
    case RD_KAFKA_EVENT_STATS: return "Stats";
    case RD_KAFKA_EVENT_CREATETOPICS_RESULT: return "CreateTopicsResult";
    case RD_KAFKA_EVENT_DELETETOPICS_RESULT: return "DeleteTopicsResult";
    case RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT: return "CreatePartitionsResult";
    case RD_KAFKA_EVENT_ALTERCONFIGS_RESULT: return "AlterConfigsResult";
    case RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT: return "DescribeConfigsResult";
    case RD_KAFKA_EVENT_DELETERECORDS_RESULT: return "DeleteRecordsResult";
    case RD_KAFKA_EVENT_LISTCONSUMERGROUPS_RESULT: return "ListConsumerGroupsResult";
    case RD_KAFKA_EVENT_DESCRIBECONSUMERGROUPS_RESULT: return "DescribeConsumerGroupsResult";
    case RD_KAFKA_EVENT_DELETEGROUPS_RESULT: return "DeleteGroupsResult";
    case RD_KAFKA_EVENT_DELETECONSUMERGROUPOFFSETS_RESULT:
        return "DeleteConsumerGroupOffsetsResult";
    case RD_KAFKA_EVENT_CREATEACLS_RESULT: return "CreateAclsResult";
    case RD_KAFKA_EVENT_DESCRIBEACLS_RESULT: return "DescribeAclsResult";
    case RD_KAFKA_EVENT_DELETEACLS_RESULT: return "DeleteAclsResult";
    case RD_KAFKA_EVENT_ALTERCONSUMERGROUPOFFSETS_RESULT:
        return "AlterConsumerGroupOffsetsResult";
    case RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT:
        return "ListConsumerGroupOffsetsResult";
    case RD_KAFKA_EVENT_OAUTHBEARER_TOKEN_REFRESH: return "SaslOAuthBearerTokenRefresh";
    default: return "?unknown?";
    }
}

void rd_kafka_event_destroy(rd_kafka_event_t *rkev) {
    rdk_op_destroy(rkev);
}

/* The event keeps the messages: they live until it is destroyed. */
const rd_kafka_message_t *rd_kafka_event_message_next(rd_kafka_event_t *rkev) {
    if (rkev->type != RD_KAFKA_EVENT_DR && rkev->type != RD_KAFKA_EVENT_FETCH) return NULL;
    while (rkev->msg_next < rkev->msg_cnt) {
        rd_kafka_message_t *m = rkev->msgs[rkev->msg_next++];
        if (m) return m;
    }
    return NULL;
}

size_t rd_kafka_event_message_array(rd_kafka_event_t *rkev, const rd_kafka_message_t **rkmessages,
                                    size_t size) {
    size_t n = 0;
    const rd_kafka_message_t *m;
    while (n < size && (m = rd_kafka_event_message_next(rkev))) rkmessages[n++] = m;
    return n;
}

size_t rd_kafka_event_message_count(rd_kafka_event_t *rkev) {
    return rkev->type == RD_KAFKA_EVENT_DR || rkev->type == RD_KAFKA_EVENT_FETCH ? rkev->msg_cnt
                                                                                : 0;
}

const char *rd_kafka_event_config_string(rd_kafka_event_t *rkev) {
    return rkev->type == RD_KAFKA_EVENT_OAUTHBEARER_TOKEN_REFRESH ? rkev->str : NULL;
}

rd_kafka_resp_err_t rd_kafka_event_error(rd_kafka_event_t *rkev) {
    return rkev->err;
}

const char *rd_kafka_event_error_string(rd_kafka_event_t *rkev) {
    return rkev->errstr ? rkev->errstr : rd_kafka_err2str(rkev->err);
}

int rd_kafka_event_error_is_fatal(rd_kafka_event_t *rkev) {
    return rkev->fatal;
}

void *rd_kafka_event_opaque(rd_kafka_event_t *rkev) {
    switch (rkev->type) {
    case RD_KAFKA_EVENT_DR:
    case RD_KAFKA_EVENT_FETCH:
    case RD_KAFKA_EVENT_LOG:
    case RD_KAFKA_EVENT_ERROR:
    case RD_KAFKA_EVENT_REBALANCE:
    case RD_KAFKA_EVENT_STATS:
    case RD_KAFKA_EVENT_OAUTHBEARER_TOKEN_REFRESH:
        return NULL;
    default: /* commits and admin results */
        return rkev->opaque;
    }
}

int rd_kafka_event_log(rd_kafka_event_t *rkev, const char **fac, const char **str, int *level) {
    if (rkev->type != RD_KAFKA_EVENT_LOG) return -1;
    if (fac) *fac = rkev->fac;
    if (str) *str = rkev->str;
    if (level) *level = rkev->level;
    return 0;
}

/* A debug line's context (kfk gives one per line); other lines have none. */
int rd_kafka_event_debug_contexts(rd_kafka_event_t *rkev, char *dst, size_t dstsize) {
    if (rkev->type != RD_KAFKA_EVENT_LOG) return -1;
    if (dstsize > 0) snprintf(dst, dstsize, "%s", rkev->ctx ? rkev->ctx : "");
    return 0;
}

const char *rd_kafka_event_stats(rd_kafka_event_t *rkev) {
    return rkev->type == RD_KAFKA_EVENT_STATS ? rkev->str : NULL;
}

rd_kafka_topic_partition_list_t *rd_kafka_event_topic_partition_list(rd_kafka_event_t *rkev) {
    return rkev->type == RD_KAFKA_EVENT_REBALANCE || rkev->type == RD_KAFKA_EVENT_OFFSET_COMMIT
               ? rkev->partitions
               : NULL;
}

/* A new partition (the caller destroys it) for an error about one. */
rd_kafka_topic_partition_t *rd_kafka_event_topic_partition(rd_kafka_event_t *rkev) {
    if (!rkev->topic) return NULL;
    rd_kafka_topic_partition_t *p = calloc(1, sizeof(*p));
    if (!p) return NULL;
    p->topic = strdup(rkev->topic);
    if (!p->topic) {
        free(p);
        return NULL;
    }
    p->partition = rkev->partition;
    p->offset = rkev->offset;
    p->err = rkev->err;
    return p;
}
