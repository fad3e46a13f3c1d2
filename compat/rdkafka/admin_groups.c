/* Records and consumer groups: DeleteRecords, DeleteGroups, the group
 * offset calls (list, alter, delete), ListConsumerGroups and
 * DescribeConsumerGroups, with their result objects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin_int.h"

/* ----------------------------------------------------------- group results */

static rd_kafka_group_result_t *group_result_new(const char *group, int kerr,
                                                 const char *kerrstr,
                                                 rd_kafka_topic_partition_list_t *parts) {
    rd_kafka_group_result_t *g = calloc(1, sizeof(*g));
    if (!g) return NULL;
    g->group = strdup(group ? group : "");
    g->partitions = parts;
    if (kerr) {
        char *msg = rdk_admin_errstr(kerr, kerrstr);
        if (msg) g->error = rdk_error_new(rdk_err(kerr), 0, 0, 0, "%s", msg);
        free(msg);
    }
    if (!g->group || (kerr && !g->error)) {
        g->partitions = NULL;
        free(g->group);
        if (g->error) rd_kafka_error_destroy(g->error);
        free(g);
        return NULL;
    }
    return g;
}

static void group_result_free(void *p) {
    rd_kafka_group_result_t *g = p;
    free(g->group);
    if (g->error) rd_kafka_error_destroy(g->error);
    if (g->partitions) rd_kafka_topic_partition_list_destroy(g->partitions);
    free(g);
}

const rd_kafka_error_t *rd_kafka_group_result_error(const rd_kafka_group_result_t *groupres) {
    return groupres->error;
}

const char *rd_kafka_group_result_name(const rd_kafka_group_result_t *groupres) {
    return groupres->group;
}

const rd_kafka_topic_partition_list_t *rd_kafka_group_result_partitions(
    const rd_kafka_group_result_t *groupres) {
    return groupres->partitions;
}

/* Whether two elements of l name the same partition. */
static int has_dup_partition(const rd_kafka_topic_partition_list_t *l) {
    for (int i = 1; i < l->cnt; i++)
        for (int j = 0; j < i; j++)
            if (l->elems[i].partition == l->elems[j].partition &&
                strcmp(l->elems[i].topic, l->elems[j].topic) == 0)
                return 1;
    return 0;
}

static int has_dup_string(const char *const *s, size_t n) {
    for (size_t i = 1; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(s[i], s[j]) == 0) return 1;
    return 0;
}

/* The result list: a copy of the request's with kfk's outcomes, in the
 * request's order; kfk's own list when nothing was listed. */
static rd_kafka_topic_partition_list_t *outcome_list(const rd_kafka_topic_partition_list_t *req,
                                                     const kfk_partition_list *kl) {
    if (!req) return kl ? rdk_from_kfk_list(kl) : rd_kafka_topic_partition_list_new(0);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_copy(req);
    if (l && kl) rdk_update_from_kfk(l, kl);
    return l;
}

static void list_ctx_free(void *p) {
    if (p) rd_kafka_topic_partition_list_destroy(p);
}

/* --------------------------------------------------------- DeleteRecords */

struct rd_kafka_DeleteRecords_s {
    rd_kafka_topic_partition_list_t *offsets;
};

rd_kafka_DeleteRecords_t *rd_kafka_DeleteRecords_new(
    const rd_kafka_topic_partition_list_t *before_offsets) {
    rd_kafka_DeleteRecords_t *d = calloc(1, sizeof(*d));
    if (!d) return NULL;
    if (before_offsets && !(d->offsets = rd_kafka_topic_partition_list_copy(before_offsets))) {
        free(d);
        return NULL;
    }
    return d;
}

void rd_kafka_DeleteRecords_destroy(rd_kafka_DeleteRecords_t *del_records) {
    if (!del_records) return;
    if (del_records->offsets) rd_kafka_topic_partition_list_destroy(del_records->offsets);
    free(del_records);
}

void rd_kafka_DeleteRecords_destroy_array(rd_kafka_DeleteRecords_t **del_records,
                                          size_t del_record_cnt) {
    for (size_t i = 0; i < del_record_cnt; i++) rd_kafka_DeleteRecords_destroy(del_records[i]);
}

static int fill_records(rdk_admin_call *c, const kfk_admin_result *kr, rdk_admin_res *res) {
    res->offsets = outcome_list(c->ctx, kr->partitions);
    return res->offsets ? 0 : -1;
}

void rd_kafka_DeleteRecords(rd_kafka_t *rk, rd_kafka_DeleteRecords_t **del_records,
                            size_t del_record_cnt, const rd_kafka_AdminOptions_t *options,
                            rd_kafka_queue_t *rkqu) {
    kfk_admin_options ko;
    rdk_admin_call *c = rdk_admin_call_new(rk, RD_KAFKA_EVENT_DELETERECORDS_RESULT, options, rkqu,
                                           fill_records, &ko);
    if (!c) return;
    if (del_record_cnt != 1) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__INVALID_ARG,
                            "Exactly one DeleteRecords must be passed");
        return;
    }
    const rd_kafka_topic_partition_list_t *offsets = del_records[0]->offsets;
    if (!offsets || offsets->cnt == 0) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__INVALID_ARG, "No records to delete");
        return;
    }
    if (has_dup_partition(offsets)) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__INVALID_ARG, "Duplicate partitions not allowed");
        return;
    }
    c->ctx = rd_kafka_topic_partition_list_copy(offsets);
    c->ctx_free = list_ctx_free;
    kfk_partition_list *kl = rdk_to_kfk_list(offsets);
    if (!c->ctx || !kl) {
        if (kl) kfk_partition_list_destroy(kl);
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE, "Out of memory");
        return;
    }
    kfk_admin *a = rdk_admin_call_client(c);
    if (a) kfk_admin_delete_records(a, kl, &ko, rdk_admin_call_done, c);
    kfk_partition_list_destroy(kl);
}

const rd_kafka_topic_partition_list_t *rd_kafka_DeleteRecords_result_offsets(
    const rd_kafka_DeleteRecords_result_t *result) {
    const rdk_admin_res *res = rdk_admin_res_of(result);
    return res ? res->offsets : NULL;
}

/* ---------------------------------------------------------- DeleteGroups */

struct rd_kafka_DeleteGroup_s {
    char *group;
};

rd_kafka_DeleteGroup_t *rd_kafka_DeleteGroup_new(const char *group) {
    if (!group) return NULL;
    rd_kafka_DeleteGroup_t *d = calloc(1, sizeof(*d));
    if (d && !(d->group = strdup(group))) {
        free(d);
        return NULL;
    }
    return d;
}

void rd_kafka_DeleteGroup_destroy(rd_kafka_DeleteGroup_t *del_group) {
    if (!del_group) return;
    free(del_group->group);
    free(del_group);
}

void rd_kafka_DeleteGroup_destroy_array(rd_kafka_DeleteGroup_t **del_groups,
                                        size_t del_group_cnt) {
    for (size_t i = 0; i < del_group_cnt; i++) rd_kafka_DeleteGroup_destroy(del_groups[i]);
}

static int fill_groups(rdk_admin_call *c, const kfk_admin_result *kr, rdk_admin_res *res) {
    (void)c;
    if (rdk_admin_res_items(res, (size_t)kr->nitems, group_result_free)) return -1;
    for (int i = 0; i < kr->nitems; i++) {
        res->items[i] =
            group_result_new(kr->items[i].name, kr->items[i].err, kr->items[i].errstr, NULL);
        if (!res->items[i]) return -1;
    }
    return 0;
}

void rd_kafka_DeleteGroups(rd_kafka_t *rk, rd_kafka_DeleteGroup_t **del_groups,
                           size_t del_group_cnt, const rd_kafka_AdminOptions_t *options,
                           rd_kafka_queue_t *rkqu) {
    kfk_admin_options ko;
    rdk_admin_call *c = rdk_admin_call_new(rk, RD_KAFKA_EVENT_DELETEGROUPS_RESULT, options, rkqu,
                                           fill_groups, &ko);
    if (!c) return;
    if (del_group_cnt == 0) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__INVALID_ARG, "No groups to delete");
        return;
    }
    const char **names = calloc(del_group_cnt, sizeof(*names));
    if (!names) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE, "Out of memory");
        return;
    }
    for (size_t i = 0; i < del_group_cnt; i++) names[i] = del_groups[i]->group;
    kfk_admin *a;
    if (has_dup_string(names, del_group_cnt))
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__INVALID_ARG, "Duplicate groups not allowed");
    else if ((a = rdk_admin_call_client(c)) != NULL)
        kfk_admin_delete_groups(a, names, (int)del_group_cnt, &ko, rdk_admin_call_done, c);
    free(names);
}

const rd_kafka_group_result_t **rd_kafka_DeleteGroups_result_groups(
    const rd_kafka_DeleteGroups_result_t *result, size_t *cntp) {
    return (const rd_kafka_group_result_t **)rdk_admin_items(result, cntp);
}

/* -------------------------------------------------- group offset requests */

/* A group and partitions: what the three group offset calls take. */
typedef struct group_parts {
    char *group;
    rd_kafka_topic_partition_list_t *partitions; /* NULL: every partition (list) */
} group_parts;

static group_parts *group_parts_new(const char *group,
                                    const rd_kafka_topic_partition_list_t *partitions) {
    if (!group) return NULL;
    group_parts *g = calloc(1, sizeof(*g));
    if (!g) return NULL;
    g->group = strdup(group);
    if (partitions) g->partitions = rd_kafka_topic_partition_list_copy(partitions);
    if (!g->group || (partitions && !g->partitions)) {
        free(g->group);
        if (g->partitions) rd_kafka_topic_partition_list_destroy(g->partitions);
        free(g);
        return NULL;
    }
    return g;
}

static void group_parts_free(void *p) {
    group_parts *g = p;
    if (!g) return;
    free(g->group);
    if (g->partitions) rd_kafka_topic_partition_list_destroy(g->partitions);
    free(g);
}

/* One group result: the group's error (a broker error of the whole call),
 * else its partitions with their outcomes. */
static int fill_group_offsets(rdk_admin_call *c, const kfk_admin_result *kr, rdk_admin_res *res) {
    group_parts *g = c->ctx;
    if (rdk_admin_res_items(res, 1, group_result_free)) return -1;
    rd_kafka_topic_partition_list_t *l = NULL;
    if (!kr->err || kr->err == KFK_ERR_PARTIAL) {
        l = outcome_list(g->partitions, kr->partitions);
        if (!l) return -1;
    }
    int gerr = kr->err == KFK_ERR_PARTIAL ? 0 : kr->err;
    res->items[0] = group_result_new(g->group, gerr, kr->errstr, l);
    if (!res->items[0]) {
        if (l) rd_kafka_topic_partition_list_destroy(l);
        return -1;
    }
    return 0;
}

typedef kfk_admin_result *(*group_offsets_fn)(kfk_admin *a, const char *group,
                                              const kfk_partition_list *list,
                                              const kfk_admin_options *o, kfk_admin_cb cb,
                                              void *opaque);

/* Sends g's request with fn (the call takes g). */
static void group_offsets_send(rdk_admin_call *c, group_parts *g, group_offsets_fn fn,
                               const kfk_admin_options *ko) {
    c->ctx = g;
    c->ctx_free = group_parts_free;
    c->broker_err_filled = 1;
    kfk_partition_list *kl = NULL;
    if (g->partitions && !(kl = rdk_to_kfk_list(g->partitions))) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE, "Out of memory");
        return;
    }
    kfk_admin *a = rdk_admin_call_client(c);
    if (a) fn(a, g->group, kl, ko, rdk_admin_call_done, c);
    if (kl) kfk_partition_list_destroy(kl);
}

#define GROUP_PARTS_OBJECT(NAME)                                                                  \
    struct rd_kafka_##NAME##_s {                                                                  \
        group_parts *g;                                                                           \
    };                                                                                            \
    rd_kafka_##NAME##_t *rd_kafka_##NAME##_new(const char *group,                                 \
                                               const rd_kafka_topic_partition_list_t *partitions) { \
        rd_kafka_##NAME##_t *o = calloc(1, sizeof(*o));                                           \
        if (o && !(o->g = group_parts_new(group, partitions))) {                                  \
            free(o);                                                                              \
            return NULL;                                                                          \
        }                                                                                         \
        return o;                                                                                 \
    }                                                                                             \
    void rd_kafka_##NAME##_destroy(rd_kafka_##NAME##_t *o) {                                      \
        if (!o) return;                                                                           \
        group_parts_free(o->g);                                                                   \
        free(o);                                                                                  \
    }                                                                                             \
    void rd_kafka_##NAME##_destroy_array(rd_kafka_##NAME##_t **o, size_t cnt) {                   \
        for (size_t i = 0; i < cnt; i++) rd_kafka_##NAME##_destroy(o[i]);                         \
    }                                                                                             \
    const rd_kafka_group_result_t **rd_kafka_##NAME##_result_groups(                              \
        const rd_kafka_##NAME##_result_t *result, size_t *cntp) {                                 \
        return (const rd_kafka_group_result_t **)rdk_admin_items(result, cntp);                   \
    }

GROUP_PARTS_OBJECT(DeleteConsumerGroupOffsets)
GROUP_PARTS_OBJECT(ListConsumerGroupOffsets)
GROUP_PARTS_OBJECT(AlterConsumerGroupOffsets)

/* A copy of o's request for the call, or NULL after failing it. */
static group_parts *take_copy(rdk_admin_call *c, const group_parts *o) {
    group_parts *g = group_parts_new(o->group, o->partitions);
    if (!g) rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE, "Out of memory");
    return g;
}

void rd_kafka_DeleteConsumerGroupOffsets(rd_kafka_t *rk,
                                         rd_kafka_DeleteConsumerGroupOffsets_t **del_grpoffsets,
                                         size_t del_grpoffsets_cnt,
                                         const rd_kafka_AdminOptions_t *options,
                                         rd_kafka_queue_t *rkqu) {
    kfk_admin_options ko;
    rdk_admin_call *c = rdk_admin_call_new(rk, RD_KAFKA_EVENT_DELETECONSUMERGROUPOFFSETS_RESULT,
                                           options, rkqu, fill_group_offsets, &ko);
    if (!c) return;
    if (del_grpoffsets_cnt != 1) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__INVALID_ARG,
                            "Exactly one DeleteConsumerGroupOffsets must be passed");
        return;
    }
    const group_parts *o = del_grpoffsets[0]->g;
    if (!o->partitions || o->partitions->cnt == 0) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__INVALID_ARG, "No partitions to delete");
        return;
    }
    group_parts *g = take_copy(c, o);
    if (g) group_offsets_send(c, g, kfk_admin_delete_group_offsets, &ko);
}

void rd_kafka_ListConsumerGroupOffsets(rd_kafka_t *rk,
                                       rd_kafka_ListConsumerGroupOffsets_t **list_grpoffsets,
                                       size_t list_grpoffsets_cnt,
                                       const rd_kafka_AdminOptions_t *options,
                                       rd_kafka_queue_t *rkqu) {
    kfk_admin_options ko;
    rdk_admin_call *c = rdk_admin_call_new(rk, RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT,
                                           options, rkqu, fill_group_offsets, &ko);
    if (!c) return;
    if (list_grpoffsets_cnt != 1) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__INVALID_ARG,
                            "Exactly one ListConsumerGroupOffsets must be passed");
        return;
    }
    const group_parts *o = list_grpoffsets[0]->g;
    if (o->partitions && o->partitions->cnt == 0) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__INVALID_ARG,
                            "NULL or non-empty topic partition list must be passed");
        return;
    }
    if (o->partitions && has_dup_partition(o->partitions)) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__INVALID_ARG, "Duplicate partitions not allowed");
        return;
    }
    group_parts *g = take_copy(c, o);
    if (g) group_offsets_send(c, g, kfk_admin_list_group_offsets, &ko);
}

void rd_kafka_AlterConsumerGroupOffsets(rd_kafka_t *rk,
                                        rd_kafka_AlterConsumerGroupOffsets_t **alter_grpoffsets,
                                        size_t alter_grpoffsets_cnt,
                                        const rd_kafka_AdminOptions_t *options,
                                        rd_kafka_queue_t *rkqu) {
    kfk_admin_options ko;
    rdk_admin_call *c = rdk_admin_call_new(rk, RD_KAFKA_EVENT_ALTERCONSUMERGROUPOFFSETS_RESULT,
                                           options, rkqu, fill_group_offsets, &ko);
    if (!c) return;
    if (alter_grpoffsets_cnt != 1) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__INVALID_ARG,
                            "Exactly one AlterConsumerGroupOffsets must be passed");
        return;
    }
    const group_parts *o = alter_grpoffsets[0]->g;
    if (!o->partitions || o->partitions->cnt == 0) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__INVALID_ARG,
                            "Non-empty topic partition list must be present");
        return;
    }
    for (int i = 0; i < o->partitions->cnt; i++)
        if (o->partitions->elems[i].offset < 0) {
            rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__INVALID_ARG,
                                "All topic-partition offsets must be >= 0");
            return;
        }
    if (has_dup_partition(o->partitions)) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__INVALID_ARG, "Duplicate partitions not allowed");
        return;
    }
    group_parts *g = take_copy(c, o);
    if (g) group_offsets_send(c, g, kfk_admin_alter_group_offsets, &ko);
}

/* ------------------------------------------------------------------ nodes */

int rd_kafka_Node_id(const rd_kafka_Node_t *node) {
    return node->id;
}

const char *rd_kafka_Node_host(const rd_kafka_Node_t *node) {
    return node->host;
}

uint16_t rd_kafka_Node_port(const rd_kafka_Node_t *node) {
    return node->port;
}

/* ------------------------------------------------------ ListConsumerGroups */

/* Kafka's group state names, librdkafka's codes. */
static rd_kafka_consumer_group_state_t state_code(const char *name) {
    static const char *const names[] = {"Unknown", "PreparingRebalance", "CompletingRebalance",
                                        "Stable",  "Dead",               "Empty"};
    for (int i = 0; name && i < RD_KAFKA_CONSUMER_GROUP_STATE__CNT; i++)
        if (strcasecmp(name, names[i]) == 0) return (rd_kafka_consumer_group_state_t)i;
    return RD_KAFKA_CONSUMER_GROUP_STATE_UNKNOWN;
}

struct rd_kafka_ConsumerGroupListing_s {
    char *group_id;
    int is_simple;
    rd_kafka_consumer_group_state_t state;
};

static void listing_free(void *p) {
    rd_kafka_ConsumerGroupListing_t *l = p;
    free(l->group_id);
    free(l);
}

const char *rd_kafka_ConsumerGroupListing_group_id(const rd_kafka_ConsumerGroupListing_t *grplist) {
    return grplist->group_id;
}

int rd_kafka_ConsumerGroupListing_is_simple_consumer_group(
    const rd_kafka_ConsumerGroupListing_t *grplist) {
    return grplist->is_simple;
}

rd_kafka_consumer_group_state_t rd_kafka_ConsumerGroupListing_state(
    const rd_kafka_ConsumerGroupListing_t *grplist) {
    return grplist->state;
}

/* The states to keep (options' match_consumer_group_states). */
typedef struct list_ctx {
    rd_kafka_consumer_group_state_t *states;
    size_t nstates;
} list_ctx;

static void list_groups_ctx_free(void *p) {
    list_ctx *x = p;
    if (!x) return;
    free(x->states);
    free(x);
}

static int matches(const list_ctx *x, rd_kafka_consumer_group_state_t s) {
    if (!x || x->nstates == 0) return 1;
    for (size_t i = 0; i < x->nstates; i++)
        if (x->states[i] == s) return 1;
    return 0;
}

/* Groups from the brokers that answered; one error for those that did not. */
static int fill_list_groups(rdk_admin_call *c, const kfk_admin_result *kr, rdk_admin_res *res) {
    if (rdk_admin_res_items(res, (size_t)kr->ngroups, listing_free)) return -1;
    size_t n = 0;
    for (int i = 0; i < kr->ngroups; i++) {
        const kfk_group_listing *g = &kr->groups[i];
        rd_kafka_consumer_group_state_t st = state_code(g->state);
        if (!matches(c->ctx, st)) continue;
        rd_kafka_ConsumerGroupListing_t *l = calloc(1, sizeof(*l));
        if (!l) return -1;
        res->items[n++] = l;
        l->group_id = strdup(g->group_id);
        if (!l->group_id) return -1;
        l->is_simple = !g->protocol_type || !*g->protocol_type;
        l->state = st;
    }
    res->n = n;
    if (kr->err == KFK_ERR_PARTIAL) {
        res->errors = calloc(1, sizeof(*res->errors));
        if (!res->errors) return -1;
        res->errors[0] = rdk_error_new(rdk_err(kr->err), 0, 0, 0, "%s",
                                       kr->errstr ? kr->errstr : kfk_err_str(kr->err));
        if (!res->errors[0]) return -1;
        res->nerrors = 1;
    }
    return 0;
}

void rd_kafka_ListConsumerGroups(rd_kafka_t *rk, const rd_kafka_AdminOptions_t *options,
                                 rd_kafka_queue_t *rkqu) {
    kfk_admin_options ko;
    rdk_admin_call *c = rdk_admin_call_new(rk, RD_KAFKA_EVENT_LISTCONSUMERGROUPS_RESULT, options,
                                           rkqu, fill_list_groups, &ko);
    if (!c) return;
    if (options && options->nstates) {
        list_ctx *x = calloc(1, sizeof(*x));
        if (x) x->states = malloc(options->nstates * sizeof(*x->states));
        if (!x || !x->states) {
            list_groups_ctx_free(x);
            rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE, "Out of memory");
            return;
        }
        memcpy(x->states, options->states, options->nstates * sizeof(*x->states));
        x->nstates = options->nstates;
        c->ctx = x;
        c->ctx_free = list_groups_ctx_free;
    }
    kfk_admin *a = rdk_admin_call_client(c);
    if (a) kfk_admin_list_groups(a, &ko, rdk_admin_call_done, c);
}

const rd_kafka_ConsumerGroupListing_t **rd_kafka_ListConsumerGroups_result_valid(
    const rd_kafka_ListConsumerGroups_result_t *result, size_t *cntp) {
    return (const rd_kafka_ConsumerGroupListing_t **)rdk_admin_items(result, cntp);
}

const rd_kafka_error_t **rd_kafka_ListConsumerGroups_result_errors(
    const rd_kafka_ListConsumerGroups_result_t *result, size_t *cntp) {
    const rdk_admin_res *res = rdk_admin_res_of(result);
    *cntp = res ? res->nerrors : 0;
    return res ? (const rd_kafka_error_t **)res->errors : NULL;
}

/* -------------------------------------------------- DescribeConsumerGroups */

struct rd_kafka_MemberAssignment_s {
    rd_kafka_topic_partition_list_t *partitions;
};

struct rd_kafka_MemberDescription_s {
    char *client_id, *consumer_id, *group_instance_id, *host;
    rd_kafka_MemberAssignment_t assignment;
};

struct rd_kafka_ConsumerGroupDescription_s {
    char *group_id;
    rd_kafka_error_t *error;
    int is_simple;
    char *partition_assignor;
    rd_kafka_consumer_group_state_t state;
    rd_kafka_Node_t coordinator;
    rd_kafka_MemberDescription_t *members;
    size_t nmembers;
};

static void description_free(void *p) {
    rd_kafka_ConsumerGroupDescription_t *d = p;
    for (size_t i = 0; i < d->nmembers; i++) {
        rd_kafka_MemberDescription_t *m = &d->members[i];
        free(m->client_id);
        free(m->consumer_id);
        free(m->group_instance_id);
        free(m->host);
        if (m->assignment.partitions) rd_kafka_topic_partition_list_destroy(m->assignment.partitions);
    }
    free(d->members);
    free(d->group_id);
    free(d->partition_assignor);
    free(d->coordinator.host);
    if (d->error) rd_kafka_error_destroy(d->error);
    free(d);
}

static char *dup_or_null(const char *s) {
    return s ? strdup(s) : NULL;
}

/* The description of kg, its coordinator's address from brokers. NULL:
 * out of memory. */
static rd_kafka_ConsumerGroupDescription_t *description_new(const kfk_group_desc *kg,
                                                            const kfk_cluster_desc *cl) {
    rd_kafka_ConsumerGroupDescription_t *d = calloc(1, sizeof(*d));
    if (!d) return NULL;
    d->group_id = strdup(kg->group_id ? kg->group_id : "");
    d->partition_assignor = strdup(kg->protocol ? kg->protocol : "");
    d->is_simple = !kg->protocol_type || !*kg->protocol_type;
    d->state = state_code(kg->state);
    d->coordinator.id = kg->coordinator;
    const char *host = "";
    for (int i = 0; cl && i < cl->nbrokers; i++)
        if (cl->brokers[i].id == kg->coordinator) {
            host = cl->brokers[i].host;
            d->coordinator.port = (uint16_t)cl->brokers[i].port;
        }
    d->coordinator.host = strdup(host);
    if (!d->group_id || !d->partition_assignor || !d->coordinator.host) goto fail;
    if (kg->err) {
        char *msg = rdk_admin_errstr(kg->err, kg->errstr);
        if (msg) d->error = rdk_error_new(rdk_err(kg->err), 0, 0, 0, "%s", msg);
        free(msg);
        if (!d->error) goto fail;
    }
    if (kg->nmembers) {
        d->members = calloc((size_t)kg->nmembers, sizeof(*d->members));
        if (!d->members) goto fail;
    }
    for (int i = 0; i < kg->nmembers; i++) {
        const kfk_group_member *km = &kg->members[i];
        rd_kafka_MemberDescription_t *m = &d->members[d->nmembers++];
        m->client_id = strdup(km->client_id ? km->client_id : "");
        m->consumer_id = strdup(km->member_id ? km->member_id : "");
        m->host = strdup(km->host ? km->host : "");
        m->group_instance_id = dup_or_null(km->instance_id);
        m->assignment.partitions = rd_kafka_topic_partition_list_new(km->nassignment);
        if (!m->client_id || !m->consumer_id || !m->host ||
            (km->instance_id && !m->group_instance_id) || !m->assignment.partitions)
            goto fail;
        for (int j = 0; j < km->nassignment; j++)
            if (!rd_kafka_topic_partition_list_add(m->assignment.partitions,
                                                   km->assignment[j].topic,
                                                   km->assignment[j].partition))
                goto fail;
    }
    return d;
fail:
    description_free(d);
    return NULL;
}

/* The groups described, kept while the cluster is described for the
 * coordinators' addresses. */
typedef struct describe_ctx {
    kfk_admin *a;
    kfk_admin_options ko;
    kfk_admin_result *cluster; /* NULL or failed: coordinators without address */
} describe_ctx;

static void describe_ctx_free(void *p) {
    describe_ctx *x = p;
    if (!x) return;
    kfk_admin_result_destroy(x->cluster);
    free(x);
}

static int fill_describe_groups(rdk_admin_call *c, const kfk_admin_result *g,
                                rdk_admin_res *res) {
    describe_ctx *x = c->ctx;
    const kfk_cluster_desc *cl = x->cluster && !x->cluster->err ? &x->cluster->cluster : NULL;
    if (rdk_admin_res_items(res, (size_t)g->ngroup_descs, description_free)) return -1;
    for (int i = 0; i < g->ngroup_descs; i++) {
        res->items[i] = description_new(&g->group_descs[i], cl);
        if (!res->items[i]) return -1;
    }
    return 0;
}

/* The groups described, waiting for the cluster's brokers. */
typedef struct describe_step {
    rdk_admin_call *c;
    kfk_admin_result *groups;
} describe_step;

/* A cluster failure costs only the coordinators' addresses. */
static void cluster_described(kfk_admin_result *kr, void *arg) {
    describe_step *st = arg;
    rdk_admin_call *c = st->c;
    kfk_admin_result *groups = st->groups;
    free(st);
    ((describe_ctx *)c->ctx)->cluster = kr;
    rdk_admin_call_done(groups, c);
}

static void groups_described(kfk_admin_result *kr, void *arg) {
    rdk_admin_call *c = arg;
    describe_ctx *x = c->ctx;
    describe_step *st = kr && (!kr->err || kr->err == KFK_ERR_PARTIAL) ? malloc(sizeof(*st)) : NULL;
    if (!st) {
        rdk_admin_call_done(kr, c);
        return;
    }
    st->c = c;
    st->groups = kr;
    kfk_admin_describe_cluster(x->a, &x->ko, cluster_described, st);
}

void rd_kafka_DescribeConsumerGroups(rd_kafka_t *rk, const char **groups, size_t groups_cnt,
                                     const rd_kafka_AdminOptions_t *options,
                                     rd_kafka_queue_t *rkqu) {
    kfk_admin_options ko;
    rdk_admin_call *c = rdk_admin_call_new(rk, RD_KAFKA_EVENT_DESCRIBECONSUMERGROUPS_RESULT,
                                           options, rkqu, fill_describe_groups, &ko);
    if (!c) return;
    if (groups_cnt == 0) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__INVALID_ARG, "No groups to describe");
        return;
    }
    if (has_dup_string(groups, groups_cnt)) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__INVALID_ARG, "Duplicate groups not allowed");
        return;
    }
    describe_ctx *x = calloc(1, sizeof(*x));
    if (!x) {
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE, "Out of memory");
        return;
    }
    x->ko = ko;
    c->ctx = x;
    c->ctx_free = describe_ctx_free;
    x->a = rdk_admin_call_client(c);
    if (x->a) kfk_admin_describe_groups(x->a, groups, (int)groups_cnt, &ko, groups_described, c);
}

const rd_kafka_ConsumerGroupDescription_t **rd_kafka_DescribeConsumerGroups_result_groups(
    const rd_kafka_DescribeConsumerGroups_result_t *result, size_t *cntp) {
    return (const rd_kafka_ConsumerGroupDescription_t **)rdk_admin_items(result, cntp);
}

const char *rd_kafka_ConsumerGroupDescription_group_id(
    const rd_kafka_ConsumerGroupDescription_t *grpdesc) {
    return grpdesc->group_id;
}

const rd_kafka_error_t *rd_kafka_ConsumerGroupDescription_error(
    const rd_kafka_ConsumerGroupDescription_t *grpdesc) {
    return grpdesc->error;
}

int rd_kafka_ConsumerGroupDescription_is_simple_consumer_group(
    const rd_kafka_ConsumerGroupDescription_t *grpdesc) {
    return grpdesc->is_simple;
}

const char *rd_kafka_ConsumerGroupDescription_partition_assignor(
    const rd_kafka_ConsumerGroupDescription_t *grpdesc) {
    return grpdesc->partition_assignor;
}

rd_kafka_consumer_group_state_t rd_kafka_ConsumerGroupDescription_state(
    const rd_kafka_ConsumerGroupDescription_t *grpdesc) {
    return grpdesc->state;
}

const rd_kafka_Node_t *rd_kafka_ConsumerGroupDescription_coordinator(
    const rd_kafka_ConsumerGroupDescription_t *grpdesc) {
    return &grpdesc->coordinator;
}

size_t rd_kafka_ConsumerGroupDescription_member_count(
    const rd_kafka_ConsumerGroupDescription_t *grpdesc) {
    return grpdesc->nmembers;
}

const rd_kafka_MemberDescription_t *rd_kafka_ConsumerGroupDescription_member(
    const rd_kafka_ConsumerGroupDescription_t *grpdesc, size_t idx) {
    return idx < grpdesc->nmembers ? &grpdesc->members[idx] : NULL;
}

const char *rd_kafka_MemberDescription_client_id(const rd_kafka_MemberDescription_t *member) {
    return member->client_id;
}

const char *rd_kafka_MemberDescription_group_instance_id(
    const rd_kafka_MemberDescription_t *member) {
    return member->group_instance_id;
}

const char *rd_kafka_MemberDescription_consumer_id(const rd_kafka_MemberDescription_t *member) {
    return member->consumer_id;
}

const char *rd_kafka_MemberDescription_host(const rd_kafka_MemberDescription_t *member) {
    return member->host;
}

const rd_kafka_MemberAssignment_t *rd_kafka_MemberDescription_assignment(
    const rd_kafka_MemberDescription_t *member) {
    return &member->assignment;
}

const rd_kafka_topic_partition_list_t *rd_kafka_MemberAssignment_partitions(
    const rd_kafka_MemberAssignment_t *assignment) {
    return assignment->partitions;
}
