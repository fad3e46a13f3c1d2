/* kfk config describe|set|delete topic|broker NAME. */
#include <stdlib.h>
#include <string.h>

#include "adm.h"
#include "subcmd.h"

/* The resource type named by pos[0], or a usage error's status. */
static int resource(cli_adm *a, int *type) {
    const char *t = a->args.pos[0];
    if (!strcmp(t, "topic")) *type = KFK_CONFIG_TOPIC;
    else if (!strcmp(t, "broker")) *type = KFK_CONFIG_BROKER;
    else return cli_adm_usage_error(a, "expected topic or broker, not \"%s\"", t);
    return 0;
}

static const char *source_name(int source) {
    switch (source) {
    case KFK_CONFIG_SOURCE_DYNAMIC_TOPIC: return "DYNAMIC_TOPIC_CONFIG";
    case KFK_CONFIG_SOURCE_DYNAMIC_BROKER: return "DYNAMIC_BROKER_CONFIG";
    case KFK_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER: return "DYNAMIC_DEFAULT_BROKER_CONFIG";
    case KFK_CONFIG_SOURCE_STATIC_BROKER: return "STATIC_BROKER_CONFIG";
    case KFK_CONFIG_SOURCE_DEFAULT: return "DEFAULT_CONFIG";
    case KFK_CONFIG_SOURCE_DYNAMIC_BROKER_LOGGER: return "DYNAMIC_BROKER_LOGGER_CONFIG";
    default: return "UNKNOWN";
    }
}

static int config_describe(cli_adm *a) {
    int type = 0, rc = resource(a, &type);
    if (rc) return rc;
    kfk_admin *adm = cli_adm_client(a);
    if (!adm) return 1;
    kfk_config_resource r = {.type = type, .name = a->args.pos[1]};
    kfk_admin_result *res = kfk_admin_describe_configs(adm, &r, 1, NULL, NULL, NULL);
    if ((rc = cli_adm_failed(a, res))) {
        kfk_admin_result_destroy(res);
        return rc;
    }
    const kfk_config_resource *c = &res->configs[0];
    if (c->err) {
        cli_adm_error(a, "%s %s: %s: %s", a->args.pos[0], c->name, kfk_err_name(c->err),
                      c->errstr ? c->errstr : kfk_err_str(c->err));
        kfk_admin_result_destroy(res);
        return 1;
    }
    static const char *const head[] = {"KEY", "VALUE", "SOURCE", "READ-ONLY", "SENSITIVE"};
    cli_table t;
    cli_table_init(&t, head, 5);
    for (int i = 0; i < c->nentries; i++) {
        const kfk_config_entry *e = &c->entries[i];
        cli_table_row(&t);
        cli_table_str(&t, e->name);
        cli_table_str(&t, e->value);
        cli_table_str(&t, source_name(e->source));
        cli_table_bool(&t, e->read_only);
        cli_table_bool(&t, e->sensitive);
    }
    rc = cli_adm_print(a, &t);
    kfk_admin_result_destroy(res);
    return rc;
}

/* set: pos[2..] are key=value; delete: keys. One resource, its changes
 * applied together. */
static int alter(cli_adm *a, int op) {
    int type = 0, rc = resource(a, &type);
    if (rc) return rc;
    int n = a->args.npos - 2;
    kfk_config_op *ops = calloc((size_t)n, sizeof *ops);
    char **keys = calloc((size_t)n, sizeof *keys);
    if (!ops || !keys) {
        cli_adm_error(a, "out of memory");
        rc = 1;
    }
    for (int i = 0; !rc && i < n; i++) {
        const char *arg = a->args.pos[i + 2], *eq = strchr(arg, '=');
        if (op == KFK_CONFIG_SET && (!eq || eq == arg))
            rc = cli_adm_usage_error(a, "expected key=value, not \"%s\"", arg);
        else if (op == KFK_CONFIG_DELETE && eq)
            rc = cli_adm_usage_error(a, "expected a key, not \"%s\"", arg);
        else if (!(keys[i] = eq ? strndup(arg, (size_t)(eq - arg)) : strdup(arg)))
            rc = 1;
        else
            ops[i] = (kfk_config_op){type, a->args.pos[1], keys[i], eq ? eq + 1 : NULL, op};
    }
    kfk_admin *adm = rc ? NULL : cli_adm_client(a);
    if (adm) {
        kfk_admin_result *res = kfk_admin_alter_configs(adm, ops, n, NULL, NULL, NULL);
        char done[128];
        snprintf(done, sizeof done, "Completed updating config for %s", a->args.pos[0]);
        rc = cli_adm_failed(a, res) ? 1 : cli_adm_items(a, "NAME", done, res->items, res->nitems);
        kfk_admin_result_destroy(res);
    } else if (!rc) {
        rc = 1;
    }
    for (int i = 0; keys && i < n; i++) free(keys[i]);
    free(keys);
    free(ops);
    return rc;
}

static int config_set(cli_adm *a) {
    return alter(a, KFK_CONFIG_SET);
}

static int config_delete(cli_adm *a) {
    return alter(a, KFK_CONFIG_DELETE);
}

static const cli_verb verbs[] = {
    {"describe", config_describe, "", 2, 2,
     "topic|broker NAME\n  every config key of a topic or broker (id), with its value and source\n"},
    {"set", config_set, "", 3, -1,
     "topic|broker NAME key=value...\n  set config keys (dynamic broker configs for a broker id)\n"},
    {"delete", config_delete, "", 3, -1,
     "topic|broker NAME key...\n  remove config keys: back to their defaults\n"},
};

int cli_config_main(int argc, char **argv) {
    return cli_adm_dispatch(verbs, (int)(sizeof verbs / sizeof verbs[0]), argc, argv);
}
