/* The admin files' shared parts: options, the objects results hand out,
 * and the path from a kfk admin callback to a result event on a queue. */
#ifndef KFK_RDK_ADMIN_INT_H
#define KFK_RDK_ADMIN_INT_H

#include "rdk_int.h"

struct rd_kafka_AdminOptions_s {
    rd_kafka_admin_op_t for_api;
    int request_timeout; /* -1: not set */
    int operation_timeout;
    int validate_only;
    int32_t broker;
    int require_stable;
    rd_kafka_consumer_group_state_t *states; /* match_consumer_group_states */
    size_t nstates;
    void *opaque;
};

struct rd_kafka_topic_result_s {
    char *topic;
    rd_kafka_resp_err_t err;
    char *errstr; /* NULL when err is 0 */
};

struct rd_kafka_group_result_s {
    char *group;
    rd_kafka_error_t *error; /* NULL: succeeded */
    rd_kafka_topic_partition_list_t *partitions;
};

/* What an admin result event holds (op->result): items, an array of the
 * operation's result objects, each freed with item_free. */
typedef struct rdk_admin_res {
    void **items;
    size_t n;
    void (*item_free)(void *item);
    rd_kafka_topic_partition_list_t *offsets; /* DeleteRecords */
    rd_kafka_error_t **errors;                /* ListConsumerGroups */
    size_t nerrors;
} rdk_admin_res;

/* One call in flight: where its event goes, and how to fill it from kfk's
 * result. fill runs on kfk's I/O thread and must not block; it returns 0,
 * or -1 when out of memory. ctx is the call's own, freed with ctx_free. */
typedef struct rdk_admin_call rdk_admin_call;
typedef int (*rdk_admin_fill_fn)(rdk_admin_call *c, const kfk_admin_result *kr,
                                 rdk_admin_res *res);
struct rdk_admin_call {
    rd_kafka_t *rk;
    rd_kafka_queue_t *q; /* a reference */
    rd_kafka_event_type_t type;
    void *opaque;
    rdk_admin_fill_fn fill;
    int broker_err_filled; /* a broker error of the whole call goes to fill
                              (a group's error is its group result's) */
    void *ctx;
    void (*ctx_free)(void *ctx);
};

/* A call for rk's operation of event type, its event bound for rkqu (NULL:
 * the main queue), with options' opaque. kopts gets options' kfk settings.
 * NULL: out of memory. */
rdk_admin_call *rdk_admin_call_new(rd_kafka_t *rk, rd_kafka_event_type_t type,
                                   const rd_kafka_AdminOptions_t *options,
                                   rd_kafka_queue_t *rkqu, rdk_admin_fill_fn fill,
                                   kfk_admin_options *kopts);
/* The kfk client for the call, or NULL after failing the call with why. */
kfk_admin *rdk_admin_call_client(rdk_admin_call *c);
/* The kfk callback: builds the event from kr and pushes it (takes both). */
void rdk_admin_call_done(kfk_admin_result *kr, void *arg);
/* Fails the call before anything is sent: an event with err and errstr. */
void rdk_admin_call_fail(rdk_admin_call *c, rd_kafka_resp_err_t err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A result array of n slots (zeroed), or -1. */
int rdk_admin_res_items(rdk_admin_res *res, size_t n, void (*item_free)(void *));
/* kfk's per-item error as librdkafka reports it: the broker's message,
 * else librdkafka's text for the code. NULL when err is 0; "" kept. */
char *rdk_admin_errstr(int kerr, const char *kerrstr);
rd_kafka_topic_result_t *rdk_topic_result_new(const char *topic, int kerr,
                                              const char *kerrstr);
void rdk_topic_result_free(void *p);
struct rd_kafka_Node_s {
    int id;
    char *host;
    uint16_t port;
};

/* The event's result, or NULL (operation failed as a whole). */
const rdk_admin_res *rdk_admin_res_of(const rd_kafka_event_t *ev);
/* The items of ev's result as librdkafka's accessors return them. */
const void **rdk_admin_items(const rd_kafka_event_t *ev, size_t *cntp);

#endif
