/* kfk acl list|create|delete with kafka-acls' options: resources
 * (--topic, --group, --transactional-id, --cluster), principals
 * (--allow-principal, --deny-principal), --operation, hosts and
 * --resource-pattern-type. create makes every combination of them. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adm.h"
#include "subcmd.h"

typedef struct code_name {
    int code;
    const char *name;
} code_name;

/* Kafka's AclOperation codes, with kafka-acls' names. */
static const code_name ops[] = {
    {KFK_ACL_OP_ANY, "Any"},
    {KFK_ACL_OP_ALL, "All"},
    {KFK_ACL_OP_READ, "Read"},
    {KFK_ACL_OP_WRITE, "Write"},
    {KFK_ACL_OP_CREATE, "Create"},
    {KFK_ACL_OP_DELETE, "Delete"},
    {KFK_ACL_OP_ALTER, "Alter"},
    {KFK_ACL_OP_DESCRIBE, "Describe"},
    {KFK_ACL_OP_CLUSTER_ACTION, "ClusterAction"},
    {KFK_ACL_OP_DESCRIBE_CONFIGS, "DescribeConfigs"},
    {KFK_ACL_OP_ALTER_CONFIGS, "AlterConfigs"},
    {KFK_ACL_OP_IDEMPOTENT_WRITE, "IdempotentWrite"},
    {KFK_ACL_OP_CREATE_TOKENS, "CreateTokens"},
    {KFK_ACL_OP_DESCRIBE_TOKENS, "DescribeTokens"},
};

static const code_name resources[] = {
    {KFK_ACL_RESOURCE_ANY, "Any"},
    {KFK_ACL_RESOURCE_TOPIC, "Topic"},
    {KFK_ACL_RESOURCE_GROUP, "Group"},
    {KFK_ACL_RESOURCE_CLUSTER, "Cluster"},
    {KFK_ACL_RESOURCE_TRANSACTIONAL_ID, "TransactionalId"},
    {6, "DelegationToken"},
    {7, "User"},
};

static const code_name patterns[] = {
    {KFK_ACL_PATTERN_ANY, "ANY"},
    {KFK_ACL_PATTERN_MATCH, "MATCH"},
    {KFK_ACL_PATTERN_LITERAL, "LITERAL"},
    {KFK_ACL_PATTERN_PREFIXED, "PREFIXED"},
};

static const code_name permissions[] = {
    {KFK_ACL_PERMISSION_ANY, "Any"},
    {KFK_ACL_PERMISSION_DENY, "Deny"},
    {KFK_ACL_PERMISSION_ALLOW, "Allow"},
};

#define NAMES(t) t, (int)(sizeof t / sizeof t[0])

static const char *name_of(const code_name *t, int n, int code) {
    for (int i = 0; i < n; i++)
        if (t[i].code == code) return t[i].name;
    return "Unknown";
}

/* "idempotent-write", "IDEMPOTENT_WRITE" and "IdempotentWrite" are one. */
static int same_name(const char *given, const char *name) {
    for (;; given++, name++) {
        while (*given == '-' || *given == '_') given++;
        if (!*given || !*name) return !*given && !*name;
        if ((*given | 0x20) != (*name | 0x20)) return 0;
    }
}

static int code_of(const code_name *t, int n, const char *given) {
    for (int i = 0; i < n; i++)
        if (same_name(given, t[i].name)) return t[i].code;
    return -1;
}

/* What the command line names: resources, principals, hosts, operations. */
typedef struct acl_spec {
    kfk_acl *res; /* resource_type, resource_name, pattern_type only */
    int nres;
    kfk_acl *who; /* principal, host, permission only */
    int nwho;
    int *opv;
    int nops;
} acl_spec;

static void spec_free(acl_spec *s) {
    free(s->res);
    free(s->who);
    free(s->opv);
}

static int count_flag(cli_adm *a, const char *flag) {
    int i = 0, n = 0;
    while (cli_args_next(&a->args, flag, &i)) n++;
    return n;
}

static void add_resources(cli_adm *a, acl_spec *s, const char *flag, int type, int pattern) {
    int i = 0;
    const char *v;
    while ((v = cli_args_next(&a->args, flag, &i)) != NULL)
        s->res[s->nres++] = (kfk_acl){.resource_type = type, .resource_name = v,
                                      .pattern_type = pattern};
}

/* Principals of one permission, each with every host of hostflag ("*"
 * when none is given; any host for a filter without hosts). */
static void add_who(cli_adm *a, acl_spec *s, const char *flag, const char *hostflag,
                    int permission, const char *default_host) {
    int i = 0;
    const char *p;
    while ((p = cli_args_next(&a->args, flag, &i)) != NULL) {
        int j = 0, hosts = 0;
        const char *h;
        while ((h = cli_args_next(&a->args, hostflag, &j)) != NULL) {
            s->who[s->nwho++] = (kfk_acl){.principal = p, .host = h, .permission = permission};
            hosts++;
        }
        if (!hosts)
            s->who[s->nwho++] =
                (kfk_acl){.principal = p, .host = default_host, .permission = permission};
    }
}

/* Reads the command line; filter: for list and delete (ANY codes allowed,
 * nothing given matches everything). 0 or a usage error's status. */
static int parse_spec(cli_adm *a, acl_spec *s, int filter) {
    *s = (acl_spec){0};
    const char *pt = cli_args_get(&a->args, "--resource-pattern-type");
    int pattern = pt ? code_of(NAMES(patterns), pt) : KFK_ACL_PATTERN_LITERAL;
    if (pattern < 0 || (!filter && pattern != KFK_ACL_PATTERN_LITERAL &&
                        pattern != KFK_ACL_PATTERN_PREFIXED))
        return cli_adm_usage_error(a, "--resource-pattern-type: expected %s, not \"%s\"",
                                   filter ? "literal, prefixed, any or match"
                                          : "literal or prefixed",
                                   pt);
    int nres = count_flag(a, "--topic") + count_flag(a, "--group") +
               count_flag(a, "--transactional-id") + (cli_args_get(&a->args, "--cluster") != 0);
    int nallow = count_flag(a, "--allow-principal"), ndeny = count_flag(a, "--deny-principal");
    int nprinc = count_flag(a, "--principal");
    int nah = count_flag(a, "--allow-host"), ndh = count_flag(a, "--deny-host");
    s->res = calloc((size_t)nres + 1, sizeof *s->res);
    s->who = calloc((size_t)(nallow * (nah + 1) + ndeny * (ndh + 1) + nprinc + 1),
                    sizeof *s->who);
    s->opv = calloc((size_t)count_flag(a, "--operation") + 1, sizeof *s->opv);
    if (!s->res || !s->who || !s->opv) {
        cli_adm_error(a, "out of memory");
        return 1;
    }
    add_resources(a, s, "--topic", KFK_ACL_RESOURCE_TOPIC, pattern);
    add_resources(a, s, "--group", KFK_ACL_RESOURCE_GROUP, pattern);
    add_resources(a, s, "--transactional-id", KFK_ACL_RESOURCE_TRANSACTIONAL_ID, pattern);
    if (cli_args_get(&a->args, "--cluster"))
        s->res[s->nres++] = (kfk_acl){.resource_type = KFK_ACL_RESOURCE_CLUSTER,
                                      .resource_name = "kafka-cluster",
                                      .pattern_type = KFK_ACL_PATTERN_LITERAL};
    const char *any_host = filter ? NULL : "*";
    add_who(a, s, "--allow-principal", "--allow-host", KFK_ACL_PERMISSION_ALLOW, any_host);
    add_who(a, s, "--deny-principal", "--deny-host", KFK_ACL_PERMISSION_DENY, any_host);
    int i = 0;
    const char *v;
    while ((v = cli_args_next(&a->args, "--principal", &i)) != NULL)
        s->who[s->nwho++] = (kfk_acl){.principal = v, .permission = KFK_ACL_PERMISSION_ANY};
    for (int k = 0; k < s->nwho; k++)
        if (!strchr(s->who[k].principal, ':'))
            return cli_adm_usage_error(a, "a principal is TYPE:NAME (User:alice), not \"%s\"",
                                       s->who[k].principal);
    i = 0;
    while ((v = cli_args_next(&a->args, "--operation", &i)) != NULL) {
        int op = code_of(NAMES(ops), v);
        if (op < 0 || (!filter && op == KFK_ACL_OP_ANY))
            return cli_adm_usage_error(a, "--operation: unknown operation \"%s\"", v);
        s->opv[s->nops++] = op;
    }
    if (!filter && !s->nres)
        return cli_adm_usage_error(
            a, "name a resource: --topic, --group, --transactional-id or --cluster");
    if (!filter && !s->nwho)
        return cli_adm_usage_error(a, "name a principal: --allow-principal or --deny-principal");
    if (!filter && !s->nops) s->opv[s->nops++] = KFK_ACL_OP_ALL;
    return 0;
}

/* Every combination of the spec's resources, principals and operations,
 * each dimension left empty matching anything. */
static kfk_acl *expand(const acl_spec *s, int *n) {
    int nr = s->nres ? s->nres : 1, nw = s->nwho ? s->nwho : 1, no = s->nops ? s->nops : 1;
    kfk_acl *v = calloc((size_t)(nr * nw * no), sizeof *v);
    if (!v) return NULL;
    *n = 0;
    for (int r = 0; r < nr; r++)
        for (int w = 0; w < nw; w++)
            for (int o = 0; o < no; o++) {
                kfk_acl *x = &v[(*n)++];
                *x = s->nres ? s->res[r]
                             : (kfk_acl){.resource_type = KFK_ACL_RESOURCE_ANY,
                                         .pattern_type = KFK_ACL_PATTERN_ANY};
                x->principal = s->nwho ? s->who[w].principal : NULL;
                x->host = s->nwho ? s->who[w].host : NULL;
                x->permission = s->nwho ? s->who[w].permission : KFK_ACL_PERMISSION_ANY;
                x->operation = s->nops ? s->opv[o] : KFK_ACL_OP_ANY;
            }
    return v;
}

static const char *const acl_head[] = {"RESOURCE-TYPE", "RESOURCE-NAME", "PATTERN-TYPE",
                                       "PRINCIPAL",     "HOST",          "OPERATION",
                                       "PERMISSION",    "ERROR",         "MESSAGE"};
enum { ACL_COLS = 7, ACL_COLS_ERR = 9 };

static void acl_row(cli_table *t, const kfk_acl *x) {
    cli_table_row(t);
    cli_table_str(t, name_of(NAMES(resources), x->resource_type));
    cli_table_str(t, x->resource_name);
    cli_table_str(t, name_of(NAMES(patterns), x->pattern_type));
    cli_table_str(t, x->principal);
    cli_table_str(t, x->host);
    cli_table_str(t, name_of(NAMES(ops), x->operation));
    cli_table_str(t, name_of(NAMES(permissions), x->permission));
}

/* One binding's outcome of create or delete: a line ("Added ACL ...") or
 * an error on stderr; a row for --json. 1 when it failed. */
static int acl_outcome(cli_adm *a, cli_table *t, const char *done, const kfk_acl *x, int err,
                       const char *errstr) {
    const char *msg = err ? (errstr ? errstr : kfk_err_str(err)) : NULL;
    if (err)
        cli_adm_error(a, "%s %s:%s %s %s on %s:%s: %s: %s",
                      name_of(NAMES(permissions), x->permission), x->principal,
                      x->host ? x->host : "*", name_of(NAMES(ops), x->operation),
                      name_of(NAMES(patterns), x->pattern_type),
                      name_of(NAMES(resources), x->resource_type), x->resource_name,
                      kfk_err_name(err), msg);
    else if (!a->json)
        printf("%s %s %s from %s %s on %s %s:%s.\n", done,
               name_of(NAMES(permissions), x->permission), x->principal,
               x->host ? x->host : "*", name_of(NAMES(ops), x->operation),
               name_of(NAMES(patterns), x->pattern_type),
               name_of(NAMES(resources), x->resource_type), x->resource_name);
    acl_row(t, x);
    cli_table_str(t, err ? kfk_err_name(err) : NULL);
    cli_table_str(t, msg);
    return err != 0;
}

/* The rows of a change go out as lines (acl_outcome) or, with --json, as
 * one document. */
static int finish_outcomes(cli_adm *a, cli_table *t, int failed) {
    int rc = 0;
    if (a->json) rc = cli_adm_print(a, t);
    else cli_table_free(t);
    return failed || rc;
}

/* What list, create and delete share: the command line read and expanded
 * (filter: for list and delete; need_all: delete wants a resource or
 * --all), the admin client, then body with the bindings or filters. */
static int with_acls(cli_adm *a, int filter, int need_all,
                     int (*body)(cli_adm *a, kfk_admin *adm, const kfk_acl *v, int n)) {
    acl_spec s;
    int rc = parse_spec(a, &s, filter), n = 0;
    if (!rc && need_all && !s.nres && !cli_args_get(&a->args, "--all"))
        rc = cli_adm_usage_error(a, "name a resource, or --all to delete every matching ACL");
    kfk_acl *v = rc ? NULL : expand(&s, &n);
    kfk_admin *adm = v ? cli_adm_client(a) : NULL;
    if (adm) rc = body(a, adm, v, n);
    else if (!rc) rc = 1;
    free(v);
    spec_free(&s);
    return rc;
}

static int list_body(cli_adm *a, kfk_admin *adm, const kfk_acl *filters, int n) {
    cli_table t;
    cli_table_init(&t, acl_head, ACL_COLS);
    int rc = 0;
    for (int i = 0; !rc && i < n; i++) {
        kfk_admin_result *res = kfk_admin_describe_acls(adm, &filters[i], NULL, NULL, NULL);
        rc = cli_adm_failed(a, res);
        for (int j = 0; !rc && j < res->nacls; j++) acl_row(&t, &res->acls[j]);
        kfk_admin_result_destroy(res);
    }
    if (rc) cli_table_free(&t);
    else rc = cli_adm_print(a, &t);
    return rc;
}

static int create_body(cli_adm *a, kfk_admin *adm, const kfk_acl *acls, int n) {
    kfk_admin_result *res = kfk_admin_create_acls(adm, acls, n, NULL, NULL, NULL);
    int rc = cli_adm_failed(a, res);
    if (!rc) {
        cli_table t;
        cli_table_init(&t, acl_head, ACL_COLS_ERR);
        int failed = 0;
        for (int i = 0; i < res->nitems; i++)
            failed |= acl_outcome(a, &t, "Added ACL", &acls[i], res->items[i].err,
                                  res->items[i].errstr);
        rc = finish_outcomes(a, &t, failed);
    }
    kfk_admin_result_destroy(res);
    return rc;
}

static int delete_body(cli_adm *a, kfk_admin *adm, const kfk_acl *filters, int n) {
    kfk_admin_result *res = kfk_admin_delete_acls(adm, filters, n, NULL, NULL, NULL);
    int rc = cli_adm_failed(a, res);
    if (!rc) {
        cli_table t;
        cli_table_init(&t, acl_head, ACL_COLS_ERR);
        int failed = 0;
        for (int i = 0; i < res->nacl_filters; i++) {
            const kfk_acl_filter_result *f = &res->acl_filters[i];
            if (f->err) failed |= acl_outcome(a, &t, "", &filters[i], f->err, f->errstr);
            for (int j = 0; !f->err && j < f->nacls; j++)
                failed |= acl_outcome(a, &t, "Removed ACL", &f->acls[j], f->acl_results[j].err,
                                      f->acl_results[j].errstr);
        }
        rc = finish_outcomes(a, &t, failed);
    }
    kfk_admin_result_destroy(res);
    return rc;
}

static int acl_list(cli_adm *a) {
    return with_acls(a, 1, 0, list_body);
}

static int acl_create(cli_adm *a) {
    return with_acls(a, 0, 0, create_body);
}

static int acl_delete(cli_adm *a) {
    return with_acls(a, 1, 1, delete_body);
}

#define ACL_RESOURCE_FLAGS \
    "--topic= --group= --transactional-id= --cluster --resource-pattern-type="
#define ACL_RESOURCE_USAGE                                                                       \
    "[--topic T]... [--group G]... [--transactional-id ID]... [--cluster]\n"                      \
    "  [--resource-pattern-type literal|prefixed"

static const cli_verb verbs[] = {
    {"list", acl_list, ACL_RESOURCE_FLAGS " --principal=", 0, 0,
     ACL_RESOURCE_USAGE "|any|match] [--principal User:NAME]...\n"
                        "  the ACLs (of the resources and principals named; all without)\n"},
    {"create", acl_create,
     ACL_RESOURCE_FLAGS " --allow-principal= --deny-principal= --allow-host= --deny-host= "
                        "--operation=",
     0, 0,
     ACL_RESOURCE_USAGE "]\n"
                        "  [--allow-principal User:NAME]... [--deny-principal User:NAME]...\n"
                        "  [--allow-host H]... [--deny-host H]... [--operation OP]...\n"
                        "  add an ACL for every resource, principal, host and operation given\n"
                        "  (operations: All (default), Read, Write, Create, Delete, Alter,\n"
                        "  Describe, ClusterAction, DescribeConfigs, AlterConfigs,\n"
                        "  IdempotentWrite, CreateTokens, DescribeTokens)\n"},
    {"delete", acl_delete,
     ACL_RESOURCE_FLAGS " --allow-principal= --deny-principal= --allow-host= --deny-host= "
                        "--operation= --all",
     0, 0,
     ACL_RESOURCE_USAGE "|any|match]\n"
                        "  [--allow-principal P]... [--deny-principal P]... [--operation OP]...\n"
                        "  [--all]  remove the matching ACLs (a resource without principals:\n"
                        "  all of its ACLs; --all without a resource: every resource's)\n"},
};

int cli_acl_main(int argc, char **argv) {
    return cli_adm_dispatch(verbs, (int)(sizeof verbs / sizeof verbs[0]), argc, argv);
}
