/* The admin API's common part: options, calls to kfk's admin client whose
 * results come back as events, topic results; and the topic operations
 * (CreateTopics, DeleteTopics, CreatePartitions). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_int.h"

#define PARTITIONS_MAX 100000 /* librdkafka's limits on counts it sends */
#define BROKERS_MAX 10000

/* ---------------------------------------------------------------- options */

rd_kafka_AdminOptions_t *rd_kafka_AdminOptions_new(rd_kafka_t *rk, rd_kafka_admin_op_t for_api) {
    (void)rk;
    if ((int)for_api < 0 || for_api >= RD_KAFKA_ADMIN_OP__CNT) return NULL;
    rd_kafka_AdminOptions_t *o = calloc(1, sizeof(*o));
    if (!o) return NULL;
    o->for_api = for_api;
    o->request_timeout = -1;
    o->operation_timeout = -1;
    o->broker = -1;
    return o;
}

void rd_kafka_AdminOptions_destroy(rd_kafka_AdminOptions_t *options) {
    if (!options) return;
    free(options->states);
    free(options);
}

/* Whether an option applies to the options' operation, as librdkafka
 * decides; errstr says why not. */
static int allowed(const rd_kafka_AdminOptions_t *o, const char *name, int ok, char *errstr,
                   size_t errstr_size) {
    if (o->for_api == RD_KAFKA_ADMIN_OP_ANY || ok) return 1;
    if (errstr && errstr_size) snprintf(errstr, errstr_size, "\"%s\" is not supported for this operation", name);
    return 0;
}

static rd_kafka_resp_err_t set_int(int *dst, int v, const char *name, int lo, int hi,
                                   char *errstr, size_t errstr_size) {
    if (v < lo || v > hi) {
        if (errstr && errstr_size)
            snprintf(errstr, errstr_size,
                     "Invalid value type for \"%s\": expecting integer in range %d..%d", name, lo,
                     hi);
        return RD_KAFKA_RESP_ERR__INVALID_ARG;
    }
    *dst = v;
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

rd_kafka_resp_err_t rd_kafka_AdminOptions_set_request_timeout(rd_kafka_AdminOptions_t *options,
                                                              int timeout_ms, char *errstr,
                                                              size_t errstr_size) {
    return set_int(&options->request_timeout, timeout_ms, "request_timeout", 0, 3600 * 1000,
                   errstr, errstr_size);
}

rd_kafka_resp_err_t rd_kafka_AdminOptions_set_operation_timeout(
    rd_kafka_AdminOptions_t *options, int timeout_ms, char *errstr, size_t errstr_size) {
    rd_kafka_admin_op_t f = options->for_api;
    if (!allowed(options, "operation_timeout",
                 f == RD_KAFKA_ADMIN_OP_CREATETOPICS || f == RD_KAFKA_ADMIN_OP_DELETETOPICS ||
                     f == RD_KAFKA_ADMIN_OP_CREATEPARTITIONS ||
                     f == RD_KAFKA_ADMIN_OP_DELETERECORDS,
                 errstr, errstr_size))
        return RD_KAFKA_RESP_ERR__INVALID_ARG;
    return set_int(&options->operation_timeout, timeout_ms, "operation_timeout", -1, 3600 * 1000,
                   errstr, errstr_size);
}

rd_kafka_resp_err_t rd_kafka_AdminOptions_set_validate_only(rd_kafka_AdminOptions_t *options,
                                                            int true_or_false, char *errstr,
                                                            size_t errstr_size) {
    rd_kafka_admin_op_t f = options->for_api;
    if (!allowed(options, "validate_only",
                 f == RD_KAFKA_ADMIN_OP_CREATETOPICS || f == RD_KAFKA_ADMIN_OP_CREATEPARTITIONS ||
                     f == RD_KAFKA_ADMIN_OP_ALTERCONFIGS,
                 errstr, errstr_size))
        return RD_KAFKA_RESP_ERR__INVALID_ARG;
    return set_int(&options->validate_only, true_or_false, "validate_only", 0, 1, errstr,
                   errstr_size);
}

rd_kafka_resp_err_t rd_kafka_AdminOptions_set_broker(rd_kafka_AdminOptions_t *options,
                                                     int32_t broker_id, char *errstr,
                                                     size_t errstr_size) {
    int v;
    rd_kafka_resp_err_t err = set_int(&v, (int)broker_id, "broker", 0, INT32_MAX, errstr,
                                      errstr_size);
    if (!err) options->broker = v;
    return err;
}

rd_kafka_error_t *rd_kafka_AdminOptions_set_require_stable_offsets(
    rd_kafka_AdminOptions_t *options, int true_or_false) {
    char errstr[256];
    if (!allowed(options, "require_stable_offsets",
                 options->for_api == RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, errstr,
                 sizeof(errstr)) ||
        set_int(&options->require_stable, true_or_false, "require_stable_offsets", 0, 1, errstr,
                sizeof(errstr)))
        return rd_kafka_error_new(RD_KAFKA_RESP_ERR__INVALID_ARG, "%s", errstr);
    return NULL;
}

rd_kafka_error_t *rd_kafka_AdminOptions_set_match_consumer_group_states(
    rd_kafka_AdminOptions_t *options, const rd_kafka_consumer_group_state_t *consumer_group_states,
    size_t consumer_group_states_cnt) {
    char errstr[256];
    if (!allowed(options, "match_consumer_group_states",
                 options->for_api == RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS, errstr,
                 sizeof(errstr)))
        return rd_kafka_error_new(RD_KAFKA_RESP_ERR__INVALID_ARG, "%s", errstr);
    for (size_t i = 0; i < consumer_group_states_cnt; i++) {
        if ((int)consumer_group_states[i] < 0 ||
            consumer_group_states[i] >= RD_KAFKA_CONSUMER_GROUP_STATE__CNT)
            return rd_kafka_error_new(RD_KAFKA_RESP_ERR__INVALID_ARG, "Invalid group state value");
        for (size_t j = 0; j < i; j++)
            if (consumer_group_states[j] == consumer_group_states[i])
                return rd_kafka_error_new(RD_KAFKA_RESP_ERR__INVALID_ARG,
                                          "Duplicate states not allowed");
    }
    rd_kafka_consumer_group_state_t *copy = NULL;
    if (consumer_group_states_cnt) {
        copy = malloc(consumer_group_states_cnt * sizeof(*copy));
        if (!copy)
            return rd_kafka_error_new(RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE, "Out of memory");
        memcpy(copy, consumer_group_states, consumer_group_states_cnt * sizeof(*copy));
    }
    free(options->states);
    options->states = copy;
    options->nstates = consumer_group_states_cnt;
    return NULL;
}

void rd_kafka_AdminOptions_set_opaque(rd_kafka_AdminOptions_t *options, void *ev_opaque) {
    options->opaque = ev_opaque;
}

/* ---------------------------------------------------------------- calls */

rdk_admin_call *rdk_admin_call_new(rd_kafka_t *rk, rd_kafka_event_type_t type,
                                   const rd_kafka_AdminOptions_t *options,
                                   rd_kafka_queue_t *rkqu, rdk_admin_fill_fn fill,
                                   kfk_admin_options *kopts) {
    rdk_admin_call *c = calloc(1, sizeof(*c));
    if (!c) return NULL;
    c->rk = rk;
    c->q = rdk_queue_ref(rkqu ? rkqu : rk->main_q);
    c->type = type;
    c->fill = fill;
    memset(kopts, 0, sizeof(*kopts));
    if (options) {
        c->opaque = options->opaque;
        if (options->request_timeout > 0) kopts->timeout_ms = options->request_timeout;
        kopts->validate_only = options->validate_only;
    }
    return c;
}

static void call_free(rdk_admin_call *c) {
    if (c->ctx_free) c->ctx_free(c->ctx);
    rd_kafka_queue_destroy(c->q);
    free(c);
}

static void res_free(struct rd_kafka_op_s *op) {
    rdk_admin_res *res = op->result;
    if (!res) return;
    for (size_t i = 0; i < res->n; i++)
        if (res->items[i]) res->item_free(res->items[i]);
    free(res->items);
    if (res->offsets) rd_kafka_topic_partition_list_destroy(res->offsets);
    for (size_t i = 0; i < res->nerrors; i++) rd_kafka_error_destroy(res->errors[i]);
    free(res->errors);
    free(res);
}

static struct rd_kafka_op_s *event_new(rdk_admin_call *c) {
    struct rd_kafka_op_s *op = rdk_op_new(c->rk, c->type);
    if (op) op->opaque = c->opaque;
    return op;
}

static void deliver(rdk_admin_call *c, struct rd_kafka_op_s *op) {
    if (op) rdk_queue_push(c->q, op);
    call_free(c);
}

void rdk_admin_call_fail(rdk_admin_call *c, rd_kafka_resp_err_t err, const char *fmt, ...) {
    struct rd_kafka_op_s *op = event_new(c);
    if (op) {
        char buf[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        op->err = err;
        op->errstr = strdup(buf);
    }
    deliver(c, op);
}

kfk_admin *rdk_admin_call_client(rdk_admin_call *c) {
    char errstr[512] = "";
    kfk_admin *a = rdk_admin(c->rk, errstr, sizeof(errstr));
    if (!a) rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__FAIL, "%s", errstr);
    return a;
}

/* A failed operation (not PARTIAL: then items say what failed) is
 * reported on the event with no items, as librdkafka does. */
void rdk_admin_call_done(kfk_admin_result *kr, void *arg) {
    rdk_admin_call *c = arg;
    struct rd_kafka_op_s *op = event_new(c);
    if (!op) goto out;
    if (!kr) {
        op->err = RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
        op->errstr = strdup("Out of memory");
    } else if (kr->err && kr->err != KFK_ERR_PARTIAL && !(c->broker_err_filled && kr->err > 0)) {
        op->err = rdk_err(kr->err);
        op->errstr = strdup(kr->errstr ? kr->errstr : kfk_err_str(kr->err));
    } else {
        rdk_admin_res *res = calloc(1, sizeof(*res));
        if (res) {
            op->result = res;
            op->free_fn = res_free;
        }
        if (!res || c->fill(c, kr, res) != 0) {
            op->err = RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
            op->errstr = strdup("Out of memory");
        }
    }
out:
    kfk_admin_result_destroy(kr);
    deliver(c, op);
}

int rdk_admin_res_items(rdk_admin_res *res, size_t n, void (*item_free)(void *)) {
    res->item_free = item_free;
    if (n == 0) return 0;
    res->items = calloc(n, sizeof(*res->items));
    if (!res->items) return -1;
    res->n = n;
    return 0;
}

char *rdk_admin_errstr(int kerr, const char *kerrstr) {
    if (!kerr) return NULL;
    /* kfk puts its own text where the broker sent none: librdkafka's then */
    if (!kerrstr || !*kerrstr || strcmp(kerrstr, kfk_err_str(kerr)) == 0)
        kerrstr = rd_kafka_err2str(rdk_err(kerr));
    return strdup(kerrstr);
}

rd_kafka_topic_result_t *rdk_topic_result_new(const char *topic, int kerr, const char *kerrstr) {
    rd_kafka_topic_result_t *t = calloc(1, sizeof(*t));
    if (!t) return NULL;
    t->topic = strdup(topic ? topic : "");
    t->err = kerr ? rdk_err(kerr) : RD_KAFKA_RESP_ERR_NO_ERROR;
    t->errstr = rdk_admin_errstr(kerr, kerrstr);
    if (!t->topic || (kerr && !t->errstr)) {
        rdk_topic_result_free(t);
        return NULL;
    }
    return t;
}

void rdk_topic_result_free(void *p) {
    rd_kafka_topic_result_t *t = p;
    free(t->topic);
    free(t->errstr);
    free(t);
}

const rdk_admin_res *rdk_admin_res_of(const rd_kafka_event_t *ev) {
    return ev ? ev->result : NULL;
}

const void **rdk_admin_items(const rd_kafka_event_t *ev, size_t *cntp) {
    const rdk_admin_res *res = rdk_admin_res_of(ev);
    *cntp = res ? res->n : 0;
    return res ? (const void **)res->items : NULL;
}

/* Topic results from kfk's items, in request order (kfk keeps it). */
static int fill_topics(rdk_admin_call *c, const kfk_admin_result *kr, rdk_admin_res *res) {
    (void)c;
    if (rdk_admin_res_items(res, (size_t)kr->nitems, rdk_topic_result_free)) return -1;
    for (int i = 0; i < kr->nitems; i++) {
        const kfk_admin_item *it = &kr->items[i];
        res->items[i] = rdk_topic_result_new(it->name, it->err, it->errstr);
        if (!res->items[i]) return -1;
    }
    return 0;
}

rd_kafka_resp_err_t rd_kafka_topic_result_error(const rd_kafka_topic_result_t *topicres) {
    return topicres->err;
}

const char *rd_kafka_topic_result_error_string(const rd_kafka_topic_result_t *topicres) {
    return topicres->errstr;
}

const char *rd_kafka_topic_result_name(const rd_kafka_topic_result_t *topicres) {
    return topicres->topic;
}

/* ------------------------------------------------------- result events */

#define EVENT_RESULT(NAME, TYPE)                                                                \
    const rd_kafka_##NAME##_result_t *rd_kafka_event_##NAME##_result(rd_kafka_event_t *rkev) {  \
        return rkev && rkev->type == TYPE ? rkev : NULL;                                        \
    }
EVENT_RESULT(CreateTopics, RD_KAFKA_EVENT_CREATETOPICS_RESULT)
EVENT_RESULT(DeleteTopics, RD_KAFKA_EVENT_DELETETOPICS_RESULT)
EVENT_RESULT(CreatePartitions, RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT)
EVENT_RESULT(AlterConfigs, RD_KAFKA_EVENT_ALTERCONFIGS_RESULT)
EVENT_RESULT(DescribeConfigs, RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT)
EVENT_RESULT(DeleteRecords, RD_KAFKA_EVENT_DELETERECORDS_RESULT)
EVENT_RESULT(ListConsumerGroups, RD_KAFKA_EVENT_LISTCONSUMERGROUPS_RESULT)
EVENT_RESULT(DescribeConsumerGroups, RD_KAFKA_EVENT_DESCRIBECONSUMERGROUPS_RESULT)
EVENT_RESULT(DeleteGroups, RD_KAFKA_EVENT_DELETEGROUPS_RESULT)
EVENT_RESULT(DeleteConsumerGroupOffsets, RD_KAFKA_EVENT_DELETECONSUMERGROUPOFFSETS_RESULT)
EVENT_RESULT(CreateAcls, RD_KAFKA_EVENT_CREATEACLS_RESULT)
EVENT_RESULT(DescribeAcls, RD_KAFKA_EVENT_DESCRIBEACLS_RESULT)
EVENT_RESULT(DeleteAcls, RD_KAFKA_EVENT_DELETEACLS_RESULT)
EVENT_RESULT(AlterConsumerGroupOffsets, RD_KAFKA_EVENT_ALTERCONSUMERGROUPOFFSETS_RESULT)
EVENT_RESULT(ListConsumerGroupOffsets, RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT)

/* ---------------------------------------------------------- CreateTopics */

struct rd_kafka_NewTopic_s {
    char *topic;
    int num_partitions, replication_factor;
    int32_t **replicas; /* per assigned partition */
    size_t *nreplicas;
    int nassigned;
    char **configs; /* name, value pairs */
    int nconfigs;
};

rd_kafka_NewTopic_t *rd_kafka_NewTopic_new(const char *topic, int num_partitions,
                                           int replication_factor, char *errstr,
                                           size_t errstr_size) {
    if (!topic) {
        snprintf(errstr, errstr_size, "Invalid topic name");
        return NULL;
    }
    if (num_partitions < -1 || num_partitions > PARTITIONS_MAX) {
        snprintf(errstr, errstr_size,
                 "num_partitions out of expected range %d..%d or -1 for broker default", 1,
                 PARTITIONS_MAX);
        return NULL;
    }
    if (replication_factor < -1 || replication_factor > BROKERS_MAX) {
        snprintf(errstr, errstr_size, "replication_factor out of expected range %d..%d", -1,
                 BROKERS_MAX);
        return NULL;
    }
    rd_kafka_NewTopic_t *t = calloc(1, sizeof(*t));
    if (!t || !(t->topic = strdup(topic))) {
        free(t);
        snprintf(errstr, errstr_size, "Out of memory");
        return NULL;
    }
    t->num_partitions = num_partitions;
    t->replication_factor = replication_factor;
    return t;
}

void rd_kafka_NewTopic_destroy(rd_kafka_NewTopic_t *new_topic) {
    if (!new_topic) return;
    for (int i = 0; i < new_topic->nassigned; i++) free(new_topic->replicas[i]);
    free(new_topic->replicas);
    free(new_topic->nreplicas);
    for (int i = 0; i < 2 * new_topic->nconfigs; i++) free(new_topic->configs[i]);
    free(new_topic->configs);
    free(new_topic->topic);
    free(new_topic);
}

void rd_kafka_NewTopic_destroy_array(rd_kafka_NewTopic_t **new_topics, size_t new_topic_cnt) {
    for (size_t i = 0; i < new_topic_cnt; i++) rd_kafka_NewTopic_destroy(new_topics[i]);
}

/* Appends broker_ids as the replicas of partition idx (which must be the
 * next) to *rep / *nrep, growing them. */
static rd_kafka_resp_err_t add_assignment(int32_t ***rep, size_t **nrep, int *count, int32_t idx,
                                          const int32_t *broker_ids, size_t broker_id_cnt,
                                          const char *what, char *errstr, size_t errstr_size) {
    if (idx != *count) {
        snprintf(errstr, errstr_size,
                 "Partitions must be added in order, starting at 0: expecting %s%d, not %" PRId32,
                 what, *count, idx);
        return RD_KAFKA_RESP_ERR__INVALID_ARG;
    }
    if (broker_id_cnt > BROKERS_MAX) {
        snprintf(errstr, errstr_size, "Too many brokers specified (RD_KAFKAP_BROKERS_MAX=%d)",
                 BROKERS_MAX);
        return RD_KAFKA_RESP_ERR__INVALID_ARG;
    }
    int32_t **r = realloc(*rep, (size_t)(*count + 1) * sizeof(*r));
    if (!r) goto nomem;
    *rep = r;
    size_t *n = realloc(*nrep, (size_t)(*count + 1) * sizeof(*n));
    if (!n) goto nomem;
    *nrep = n;
    r[*count] = malloc((broker_id_cnt ? broker_id_cnt : 1) * sizeof(int32_t));
    if (!r[*count]) goto nomem;
    if (broker_id_cnt) memcpy(r[*count], broker_ids, broker_id_cnt * sizeof(int32_t));
    n[*count] = broker_id_cnt;
    (*count)++;
    return RD_KAFKA_RESP_ERR_NO_ERROR;
nomem:
    snprintf(errstr, errstr_size, "Out of memory");
    return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
}

rd_kafka_resp_err_t rd_kafka_NewTopic_set_replica_assignment(rd_kafka_NewTopic_t *new_topic,
                                                             int32_t partition,
                                                             int32_t *broker_ids,
                                                             size_t broker_id_cnt, char *errstr,
                                                             size_t errstr_size) {
    if (new_topic->replication_factor != -1) {
        snprintf(errstr, errstr_size,
                 "Specifying a replication factor and a replica assignment are mutually "
                 "exclusive");
        return RD_KAFKA_RESP_ERR__INVALID_ARG;
    }
    if (new_topic->num_partitions == -1) {
        snprintf(errstr, errstr_size,
                 "Specifying a default partition count and a replica assignment are mutually "
                 "exclusive");
        return RD_KAFKA_RESP_ERR__INVALID_ARG;
    }
    return add_assignment(&new_topic->replicas, &new_topic->nreplicas, &new_topic->nassigned,
                          partition, broker_ids, broker_id_cnt, "partition ", errstr,
                          errstr_size);
}

rd_kafka_resp_err_t rd_kafka_NewTopic_set_config(rd_kafka_NewTopic_t *new_topic, const char *name,
                                                 const char *value) {
    if (!name) return RD_KAFKA_RESP_ERR__INVALID_ARG;
    char **c = realloc(new_topic->configs, (size_t)(new_topic->nconfigs + 1) * 2 * sizeof(*c));
    if (!c) return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    new_topic->configs = c;
    c[2 * new_topic->nconfigs] = strdup(name);
    c[2 * new_topic->nconfigs + 1] = value ? strdup(value) : NULL;
    if (!c[2 * new_topic->nconfigs] || (value && !c[2 * new_topic->nconfigs + 1])) {
        free(c[2 * new_topic->nconfigs]);
        free(c[2 * new_topic->nconfigs + 1]);
        return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    }
    new_topic->nconfigs++;
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

/* A replica assignment flattened as kfk takes it: every partition with
 * the same replica count (Kafka requires it). NULL with *bad set when the
 * counts differ, or when out of memory (*bad 0). */
static int32_t *flatten(int32_t *const *rep, const size_t *nrep, int n, int *per, int *bad) {
    *bad = 0;
    *per = n ? (int)nrep[0] : 0;
    for (int i = 1; i < n; i++)
        if ((int)nrep[i] != *per) {
            *bad = 1;
            return NULL;
        }
    int32_t *flat = malloc(((size_t)n * (size_t)*per + 1) * sizeof(int32_t));
    if (!flat) return NULL;
    for (int i = 0; i < n; i++)
        if (*per) memcpy(flat + (size_t)i * (size_t)*per, rep[i], (size_t)*per * sizeof(int32_t));
    return flat;
}

void rd_kafka_CreateTopics(rd_kafka_t *rk, rd_kafka_NewTopic_t **new_topics, size_t new_topic_cnt,
                           const rd_kafka_AdminOptions_t *options, rd_kafka_queue_t *rkqu) {
    kfk_admin_options ko;
    rdk_admin_call *c = rdk_admin_call_new(rk, RD_KAFKA_EVENT_CREATETOPICS_RESULT, options, rkqu,
                                           fill_topics, &ko);
    if (!c) return;
    if (new_topic_cnt == 0) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__INVALID_ARG, "No topics to create");
        return;
    }
    kfk_new_topic *kt = calloc(new_topic_cnt, sizeof(*kt));
    if (!kt) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE, "Out of memory");
        return;
    }
    size_t i;
    int bad = 0;
    for (i = 0; i < new_topic_cnt; i++) {
        const rd_kafka_NewTopic_t *t = new_topics[i];
        kt[i].name = t->topic;
        kt[i].partitions = t->num_partitions;
        kt[i].replication_factor = (int16_t)t->replication_factor;
        kt[i].configs = (const char *const *)t->configs;
        kt[i].nconfigs = t->nconfigs;
        if (t->nassigned) {
            int per;
            int32_t *flat = flatten(t->replicas, t->nreplicas, t->nassigned, &per, &bad);
            if (!flat) break;
            kt[i].assignment = flat;
            kt[i].replicas_per_partition = per;
            kt[i].partitions = t->nassigned;
            kt[i].replication_factor = -1;
        }
    }
    kfk_admin *a = NULL;
    if (i < new_topic_cnt)
        rdk_admin_call_fail(c, bad ? RD_KAFKA_RESP_ERR__INVALID_ARG
                                   : RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE,
                            bad ? "Topic %s: every partition needs the same number of replicas"
                                : "Out of memory (topic %s)",
                            new_topics[i]->topic);
    else if ((a = rdk_admin_call_client(c)) != NULL)
        kfk_admin_create_topics(a, kt, (int)new_topic_cnt, &ko, rdk_admin_call_done, c);
    for (size_t j = 0; j < new_topic_cnt; j++) free((void *)kt[j].assignment);
    free(kt);
}

const rd_kafka_topic_result_t **rd_kafka_CreateTopics_result_topics(
    const rd_kafka_CreateTopics_result_t *result, size_t *cntp) {
    return (const rd_kafka_topic_result_t **)rdk_admin_items(result, cntp);
}

/* ---------------------------------------------------------- DeleteTopics */

struct rd_kafka_DeleteTopic_s {
    char *topic;
};

rd_kafka_DeleteTopic_t *rd_kafka_DeleteTopic_new(const char *topic) {
    if (!topic) return NULL;
    rd_kafka_DeleteTopic_t *d = calloc(1, sizeof(*d));
    if (d && !(d->topic = strdup(topic))) {
        free(d);
        return NULL;
    }
    return d;
}

void rd_kafka_DeleteTopic_destroy(rd_kafka_DeleteTopic_t *del_topic) {
    if (!del_topic) return;
    free(del_topic->topic);
    free(del_topic);
}

void rd_kafka_DeleteTopic_destroy_array(rd_kafka_DeleteTopic_t **del_topics,
                                        size_t del_topic_cnt) {
    for (size_t i = 0; i < del_topic_cnt; i++) rd_kafka_DeleteTopic_destroy(del_topics[i]);
}

void rd_kafka_DeleteTopics(rd_kafka_t *rk, rd_kafka_DeleteTopic_t **del_topics,
                           size_t del_topic_cnt, const rd_kafka_AdminOptions_t *options,
                           rd_kafka_queue_t *rkqu) {
    kfk_admin_options ko;
    rdk_admin_call *c = rdk_admin_call_new(rk, RD_KAFKA_EVENT_DELETETOPICS_RESULT, options, rkqu,
                                           fill_topics, &ko);
    if (!c) return;
    if (del_topic_cnt == 0) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__INVALID_ARG, "No topics to delete");
        return;
    }
    const char **names = calloc(del_topic_cnt, sizeof(*names));
    if (!names) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE, "Out of memory");
        return;
    }
    for (size_t i = 0; i < del_topic_cnt; i++) names[i] = del_topics[i]->topic;
    kfk_admin *a;
    if ((a = rdk_admin_call_client(c)) != NULL)
        kfk_admin_delete_topics(a, names, (int)del_topic_cnt, &ko, rdk_admin_call_done, c);
    free(names);
}

const rd_kafka_topic_result_t **rd_kafka_DeleteTopics_result_topics(
    const rd_kafka_DeleteTopics_result_t *result, size_t *cntp) {
    return (const rd_kafka_topic_result_t **)rdk_admin_items(result, cntp);
}

/* ------------------------------------------------------ CreatePartitions */

struct rd_kafka_NewPartitions_s {
    char *topic;
    size_t total_cnt;
    int32_t **replicas;
    size_t *nreplicas;
    int nassigned;
};

rd_kafka_NewPartitions_t *rd_kafka_NewPartitions_new(const char *topic, size_t new_total_cnt,
                                                     char *errstr, size_t errstr_size) {
    if (new_total_cnt < 1 || new_total_cnt > PARTITIONS_MAX) {
        snprintf(errstr, errstr_size, "new_total_cnt out of expected range %d..%d", 1,
                 PARTITIONS_MAX);
        return NULL;
    }
    rd_kafka_NewPartitions_t *p = calloc(1, sizeof(*p));
    if (!p || !topic || !(p->topic = strdup(topic))) {
        free(p);
        snprintf(errstr, errstr_size, topic ? "Out of memory" : "Invalid topic name");
        return NULL;
    }
    p->total_cnt = new_total_cnt;
    return p;
}

void rd_kafka_NewPartitions_destroy(rd_kafka_NewPartitions_t *new_parts) {
    if (!new_parts) return;
    for (int i = 0; i < new_parts->nassigned; i++) free(new_parts->replicas[i]);
    free(new_parts->replicas);
    free(new_parts->nreplicas);
    free(new_parts->topic);
    free(new_parts);
}

void rd_kafka_NewPartitions_destroy_array(rd_kafka_NewPartitions_t **new_parts,
                                          size_t new_parts_cnt) {
    for (size_t i = 0; i < new_parts_cnt; i++) rd_kafka_NewPartitions_destroy(new_parts[i]);
}

rd_kafka_resp_err_t rd_kafka_NewPartitions_set_replica_assignment(
    rd_kafka_NewPartitions_t *new_parts, int32_t new_partition_idx, int32_t *broker_ids,
    size_t broker_id_cnt, char *errstr, size_t errstr_size) {
    return add_assignment(&new_parts->replicas, &new_parts->nreplicas, &new_parts->nassigned,
                          new_partition_idx, broker_ids, broker_id_cnt, "partition index ",
                          errstr, errstr_size);
}

void rd_kafka_CreatePartitions(rd_kafka_t *rk, rd_kafka_NewPartitions_t **new_parts,
                               size_t new_parts_cnt, const rd_kafka_AdminOptions_t *options,
                               rd_kafka_queue_t *rkqu) {
    kfk_admin_options ko;
    rdk_admin_call *c = rdk_admin_call_new(rk, RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT, options,
                                           rkqu, fill_topics, &ko);
    if (!c) return;
    if (new_parts_cnt == 0) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__INVALID_ARG, "No partitions to create");
        return;
    }
    kfk_new_partitions *kp = calloc(new_parts_cnt, sizeof(*kp));
    if (!kp) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE, "Out of memory");
        return;
    }
    size_t i;
    int bad = 0;
    for (i = 0; i < new_parts_cnt; i++) {
        const rd_kafka_NewPartitions_t *p = new_parts[i];
        kp[i].topic = p->topic;
        kp[i].total = (int32_t)p->total_cnt;
        if (p->nassigned) {
            int per;
            int32_t *flat = flatten(p->replicas, p->nreplicas, p->nassigned, &per, &bad);
            if (!flat) break;
            kp[i].assignment = flat;
            kp[i].nassignment = p->nassigned;
            kp[i].replicas_per_partition = per;
        }
    }
    kfk_admin *a;
    if (i < new_parts_cnt)
        rdk_admin_call_fail(c, bad ? RD_KAFKA_RESP_ERR__INVALID_ARG
                                   : RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE,
                            bad ? "Topic %s: every new partition needs the same number of "
                                  "replicas"
                                : "Out of memory (topic %s)",
                            new_parts[i]->topic);
    else if ((a = rdk_admin_call_client(c)) != NULL)
        kfk_admin_create_partitions(a, kp, (int)new_parts_cnt, &ko, rdk_admin_call_done, c);
    for (size_t j = 0; j < new_parts_cnt; j++) free((void *)kp[j].assignment);
    free(kp);
}

const rd_kafka_topic_result_t **rd_kafka_CreatePartitions_result_topics(
    const rd_kafka_CreatePartitions_result_t *result, size_t *cntp) {
    return (const rd_kafka_topic_result_t **)rdk_admin_items(result, cntp);
}
