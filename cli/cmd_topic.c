/* kfk topic create|delete|list|describe|add-partitions. */
#include <stdlib.h>
#include <string.h>

#include "adm.h"
#include "subcmd.h"

/* -c key=value pairs into configs[2i], configs[2i+1] (into argv). */
static int topic_configs(cli_adm *a, const char ***out, int *n) {
    int i = 0, count = 0;
    const char *v;
    while (cli_args_next(&a->args, "-c", &i)) count++;
    *out = NULL;
    *n = 0;
    if (!count) return 0;
    char **kv = calloc((size_t)count * 2, sizeof *kv);
    if (!kv) {
        cli_adm_error(a, "out of memory");
        return 1;
    }
    for (i = 0; (v = cli_args_next(&a->args, "-c", &i));) {
        const char *eq = strchr(v, '=');
        if (!eq || eq == v) {
            for (int j = 0; j < *n * 2; j += 2) free(kv[j]);
            free(kv);
            return cli_adm_usage_error(a, "-c expects key=value, not \"%s\"", v);
        }
        kv[*n * 2] = strndup(v, (size_t)(eq - v));
        kv[*n * 2 + 1] = (char *)(eq + 1);
        (*n)++;
    }
    *out = (const char **)kv;
    return 0;
}

static int topic_create(cli_adm *a) {
    long long parts = -1, replicas = -1;
    const char *p = cli_args_get(&a->args, "-p"), *r = cli_args_get(&a->args, "-r");
    int rc = 0;
    if (p) rc = cli_adm_number(a, "-p", p, 1, INT32_MAX, &parts);
    if (!rc && r) rc = cli_adm_number(a, "-r", r, 1, INT16_MAX, &replicas);
    const char **configs = NULL;
    int nconfigs = 0;
    if (rc || (rc = topic_configs(a, &configs, &nconfigs))) return rc;
    kfk_new_topic *topics = calloc((size_t)a->args.npos, sizeof *topics);
    kfk_admin *adm = topics ? cli_adm_client(a) : NULL;
    rc = 1;
    if (adm) {
        for (int i = 0; i < a->args.npos; i++)
            topics[i] = (kfk_new_topic){.name = a->args.pos[i], .partitions = (int32_t)parts,
                                        .replication_factor = (int16_t)replicas,
                                        .configs = configs, .nconfigs = nconfigs};
        kfk_admin_result *res = kfk_admin_create_topics(adm, topics, a->args.npos, NULL, NULL, NULL);
        rc = cli_adm_failed(a, res) ? 1 : cli_adm_items(a, "TOPIC", "Created topic", res->items,
                                                        res->nitems);
        kfk_admin_result_destroy(res);
    } else if (!topics) {
        cli_adm_error(a, "out of memory");
    }
    for (int i = 0; i < nconfigs; i++) free((char *)configs[2 * i]);
    free(configs);
    free(topics);
    return rc;
}

static int topic_delete(cli_adm *a) {
    kfk_admin *adm = cli_adm_client(a);
    if (!adm) return 1;
    kfk_admin_result *res = kfk_admin_delete_topics(adm, a->args.pos, a->args.npos, NULL, NULL, NULL);
    int rc = cli_adm_failed(a, res) ? 1 : cli_adm_items(a, "TOPIC", "Deleted topic",
                                                        res->items, res->nitems);
    kfk_admin_result_destroy(res);
    return rc;
}

static int topic_list(cli_adm *a) {
    kfk_admin *adm = cli_adm_client(a);
    if (!adm) return 1;
    int internal = cli_args_get(&a->args, "--internal") != NULL;
    kfk_admin_result *res = kfk_admin_list_topics(adm, internal, NULL, NULL, NULL);
    int rc = cli_adm_failed(a, res);
    if (!rc) {
        static const char *const head[] = {"TOPIC"};
        cli_table t;
        cli_table_init(&t, head, 1);
        for (int i = 0; i < res->ntopics; i++) {
            cli_table_row(&t);
            cli_table_str(&t, res->topics[i].name);
        }
        rc = cli_adm_print(a, &t);
    }
    kfk_admin_result_destroy(res);
    return rc;
}

/* One row per partition; a topic that failed is one line on stderr. */
static int topic_describe(cli_adm *a) {
    kfk_admin *adm = cli_adm_client(a);
    if (!adm) return 1;
    kfk_admin_result *res = kfk_admin_describe_topics(adm, a->args.pos, a->args.npos, NULL, NULL, NULL);
    int rc = cli_adm_failed(a, res), failed = 0;
    if (!rc) {
        static const char *const head[] = {"TOPIC", "PARTITION", "LEADER", "REPLICAS", "ISR",
                                           "OFFLINE"};
        cli_table t;
        cli_table_init(&t, head, 6);
        for (int i = 0; i < res->ntopics; i++) {
            const kfk_topic_desc *d = &res->topics[i];
            if (d->err) {
                failed = 1;
                cli_adm_error(a, "%s: %s: %s", d->name, kfk_err_name(d->err),
                              d->errstr ? d->errstr : kfk_err_str(d->err));
                continue;
            }
            for (int j = 0; j < d->npartitions; j++) {
                const kfk_admin_partition *p = &d->partitions[j];
                cli_table_row(&t);
                cli_table_str(&t, d->name);
                cli_table_num(&t, p->id);
                if (p->leader < 0) cli_table_null(&t);
                else cli_table_num(&t, p->leader);
                cli_table_list(&t, p->replicas, p->nreplicas);
                cli_table_list(&t, p->isr, p->nisr);
                cli_table_list(&t, p->offline, p->noffline);
            }
        }
        rc = cli_adm_print(a, &t) || failed;
    }
    kfk_admin_result_destroy(res);
    return rc;
}

static int topic_add_partitions(cli_adm *a) {
    const char *p = cli_args_get(&a->args, "-p");
    long long total;
    if (!p) return cli_adm_usage_error(a, "-p TOTAL missing");
    int rc = cli_adm_number(a, "-p", p, 1, INT32_MAX, &total);
    if (rc) return rc;
    kfk_admin *adm = cli_adm_client(a);
    if (!adm) return 1;
    kfk_new_partitions np = {.topic = a->args.pos[0], .total = (int32_t)total};
    kfk_admin_result *res = kfk_admin_create_partitions(adm, &np, 1, NULL, NULL, NULL);
    rc = cli_adm_failed(a, res) ? 1 : cli_adm_items(a, "TOPIC", "Added partitions to topic",
                                                    res->items, res->nitems);
    kfk_admin_result_destroy(res);
    return rc;
}

static const cli_verb verbs[] = {
    {"create", topic_create, "-p= -r= -c=", 1, -1,
     "NAME... [-p PARTITIONS] [-r REPLICAS] [-c key=value ...]\n"
     "  create topics (without -p or -r: the broker's defaults)\n"},
    {"delete", topic_delete, "", 1, -1, "NAME...\n  delete topics\n"},
    {"list", topic_list, "--internal", 0, 0,
     "[--internal]\n  list the topics (--internal: with Kafka's own)\n"},
    {"describe", topic_describe, "", 1, -1,
     "NAME...\n  partitions with their leader, replicas, in-sync and offline replicas\n"},
    {"add-partitions", topic_add_partitions, "-p=", 1, 1,
     "NAME -p TOTAL\n  grow a topic to TOTAL partitions\n"},
};

int cli_topic_main(int argc, char **argv) {
    return cli_adm_dispatch(verbs, (int)(sizeof verbs / sizeof verbs[0]), argc, argv);
}
