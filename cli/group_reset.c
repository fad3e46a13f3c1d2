/* kfk group reset: plans new committed offsets from the partitions' log
 * bounds (ListOffsets), prints the plan, and with --execute commits it. */
#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "group.h"
#include "reset.h"

typedef struct reset_req {
    cli_reset_to to;
    int64_t arg;
    int execute;
} reset_req;

static int parse(cli_adm *a, reset_req *r) {
    static const char *const tos[] = {"--to-earliest", "--to-latest", "--to-offset",
                                      "--to-datetime"};
    const char *value = NULL;
    int given = 0;
    for (int i = 0; i < 4; i++) {
        const char *v = cli_args_get(&a->args, tos[i]);
        if (!v) continue;
        given++;
        r->to = (cli_reset_to)i;
        value = v;
    }
    if (given != 1)
        return cli_adm_usage_error(
            a, "give exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime");
    if (!cli_args_get(&a->args, "--topic") == !cli_args_get(&a->args, "--all-topics"))
        return cli_adm_usage_error(a, "give --topic TOPIC (repeatable) or --all-topics");
    r->execute = cli_args_get(&a->args, "--execute") != NULL;
    if (r->execute && cli_args_get(&a->args, "--dry-run"))
        return cli_adm_usage_error(a, "--execute and --dry-run exclude each other");
    long long n;
    int rc = 0;
    if (r->to == CLI_RESET_OFFSET &&
        !(rc = cli_adm_number(a, "--to-offset", value, 0, INT64_MAX, &n)))
        r->arg = n;
    if (r->to == CLI_RESET_DATETIME && cli_datetime_parse(value, &r->arg))
        return cli_adm_usage_error(a, "--to-datetime: expected YYYY-MM-DDTHH:mm:SS[.sss][Z|+HH:MM] "
                                      "or milliseconds, not \"%s\"", value);
    return rc;
}

/* Only a group without members takes commits from outside it. */
static int consumer_inactive(cli_adm *a, const char *group) {
    kfk_admin_result *res = kfk_admin_describe_groups(a->admin, &group, 1, NULL, NULL, NULL);
    int rc = cli_adm_failed(a, res);
    if (!rc) {
        const kfk_group_desc *d = &res->group_descs[0];
        if (d->err && d->err != KFK_ERR_GROUP_ID_NOT_FOUND) {
            cli_adm_error(a, "%s: %s: %s", group, kfk_err_name(d->err),
                          d->errstr ? d->errstr : kfk_err_str(d->err));
            rc = 1;
        } else if (!d->err && strcmp(d->state, "Empty") && strcmp(d->state, "Dead")) {
            cli_adm_error(a, "%s: offsets can only be reset while the group has no active members, "
                          "but its state is %s", group, d->state);
            rc = 1;
        }
    }
    kfk_admin_result_destroy(res);
    return rc;
}

/* "T:0,2" adds those partitions; "T" every partition, from Metadata. */
static int add_topic(cli_adm *a, kfk_partition_list *l, const char *spec) {
    const char *colon = strchr(spec, ':');
    if (colon) {
        char topic[256];
        snprintf(topic, sizeof topic, "%.*s", (int)(colon - spec), spec);
        for (const char *p = colon + 1;;) {
            char *end;
            long v = strtol(p, &end, 10);
            if (end == p || v < 0 || v > INT32_MAX || (*end && *end != ','))
                return cli_adm_usage_error(
                    a, "--topic: expected TOPIC or TOPIC:P,P..., not \"%s\"", spec);
            if (!kfk_partition_list_add(l, topic, (int32_t)v)) return 1;
            if (!*end) return 0;
            p = end + 1;
        }
    }
    kfk_admin_result *res = kfk_admin_describe_topics(a->admin, &spec, 1, NULL, NULL, NULL);
    int rc = cli_adm_failed(a, res);
    const kfk_topic_desc *d = rc ? NULL : &res->topics[0];
    if (d && d->err) {
        cli_adm_error(a, "%s: %s: %s", spec, kfk_err_name(d->err),
                      d->errstr ? d->errstr : kfk_err_str(d->err));
        rc = 1;
    }
    for (int i = 0; d && !rc && i < d->npartitions; i++)
        if (!kfk_partition_list_add(l, spec, d->partitions[i].id)) rc = 1;
    kfk_admin_result_destroy(res);
    return rc;
}

/* The partitions to reset, offsets unset. NULL after reporting why. */
static kfk_partition_list *partitions(cli_adm *a, const cli_reset_kind *k, const char *group) {
    kfk_partition_list *l = NULL;
    if (cli_args_get(&a->args, "--all-topics")) {
        kfk_admin_result *res = k->list(a->admin, group, NULL, NULL, NULL, NULL);
        if (!cli_adm_failed(a, res)) {
            l = kfk_partition_list_copy(res->partitions);
            if (l && !l->count) {
                cli_adm_error(a, "%s: the group has committed no offsets: name the topics with "
                                 "--topic", group);
                kfk_partition_list_destroy(l);
                l = NULL;
            }
        }
        kfk_admin_result_destroy(res);
        return l;
    }
    if (!(l = kfk_partition_list_new(8))) return NULL;
    const char *spec;
    for (int i = 0; (spec = cli_args_next(&a->args, "--topic", &i));)
        if (add_topic(a, l, spec)) {
            kfk_partition_list_destroy(l);
            return NULL;
        }
    return l;
}

/* ListOffsets of every partition for one kind of offset. */
static kfk_admin_result *offsets(cli_adm *a, kfk_partition_list *l, int64_t what, int64_t ts) {
    for (int i = 0; i < l->count; i++) {
        l->elems[i].offset = what;
        l->elems[i].timestamp = ts;
    }
    kfk_admin_result *res = kfk_admin_list_offsets(a->admin, l, NULL, NULL, NULL);
    if (cli_adm_failed(a, res)) {
        kfk_admin_result_destroy(res);
        return NULL;
    }
    return res;
}

static int64_t found(cli_adm *a, const kfk_admin_result *res, const kfk_partition *e, int *failed) {
    const kfk_partition *p = kfk_partition_list_find(res->partitions, e->topic, e->partition);
    if (p && !p->err) return p->offset;
    int err = p ? p->err : KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    cli_adm_error(a, "%s [%d]: %s: %s", e->topic, (int)e->partition, kfk_err_name(err),
                  kfk_err_str(err));
    *failed = 1;
    return -1;
}

/* Fills each element's offset with its planned new offset. */
static int plan(cli_adm *a, const reset_req *r, kfk_partition_list *l) {
    kfk_admin_result *lo = offsets(a, l, KFK_OFFSET_BEGINNING, -1);
    kfk_admin_result *hi = lo ? offsets(a, l, KFK_OFFSET_END, -1) : NULL;
    kfk_admin_result *at =
        hi && r->to == CLI_RESET_DATETIME ? offsets(a, l, KFK_OFFSET_AT_TIME, r->arg) : NULL;
    int failed = !hi || (r->to == CLI_RESET_DATETIME && !at);
    for (int i = 0; !failed && i < l->count; i++) {
        kfk_partition *e = &l->elems[i];
        int64_t low = found(a, lo, e, &failed), high = found(a, hi, e, &failed);
        int64_t t = at ? found(a, at, e, &failed) : -1;
        e->offset = cli_reset_offset(r->to, r->arg, low, high, t);
        e->timestamp = -1;
    }
    kfk_admin_result_destroy(at);
    kfk_admin_result_destroy(hi);
    kfk_admin_result_destroy(lo);
    return failed;
}

static int commit(cli_adm *a, const cli_reset_kind *k, const char *group,
                  const kfk_partition_list *l) {
    kfk_admin_result *res = k->alter(a->admin, group, l, NULL, NULL, NULL);
    int rc = cli_adm_failed(a, res);
    for (int i = 0; !rc && res->partitions && i < res->partitions->count; i++) {
        const kfk_partition *p = &res->partitions->elems[i];
        if (!p->err) continue;
        cli_adm_error(a, "%s [%d]: %s: %s", p->topic, (int)p->partition, kfk_err_name(p->err),
                      kfk_err_str(p->err));
        rc = 1;
    }
    kfk_admin_result_destroy(res);
    return rc;
}

int cli_group_reset_as(cli_adm *a, const cli_reset_kind *k) {
    reset_req r = {0};
    int rc = parse(a, &r);
    if (rc) return rc;
    const char *group = a->args.pos[0];
    if (!cli_adm_client(a) || k->check_inactive(a, group)) return 1;
    kfk_partition_list *l = partitions(a, k, group);
    if (!l) return 1;
    rc = plan(a, &r, l);
    if (!rc) {
        static const char *const head[] = {"GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"};
        cli_table t;
        cli_table_init(&t, head, 4);
        for (int i = 0; i < l->count; i++) {
            cli_table_row(&t);
            cli_table_str(&t, group);
            cli_table_str(&t, l->elems[i].topic);
            cli_table_num(&t, l->elems[i].partition);
            cli_table_num(&t, l->elems[i].offset);
        }
        rc = cli_adm_print(a, &t);
    }
    if (!rc && r.execute) rc = commit(a, k, group, l);
    else if (!rc && !a->json)
        fprintf(stderr, "Dry run: nothing committed (add --execute to commit these offsets).\n");
    kfk_partition_list_destroy(l);
    return rc;
}

int cli_group_reset(cli_adm *a) {
    static const cli_reset_kind consumer = {consumer_inactive, kfk_admin_list_group_offsets,
                                            kfk_admin_alter_group_offsets};
    return cli_group_reset_as(a, &consumer);
}
