/* kfk group list|describe|reset|delete. */
#include <stdlib.h>
#include <string.h>

#include "adm.h"
#include "group.h"
#include "subcmd.h"

int cli_group_live(cli_adm *a, const char *kind, const char *group, int err, const char *errstr,
                   const char *state) {
    if (err == KFK_ERR_GROUP_ID_NOT_FOUND || (!err && !strcmp(state, "Dead"))) {
        cli_adm_error(a, "%s: GROUP_ID_NOT_FOUND: %s '%s' does not exist", group, kind, group);
        return 0;
    }
    if (err) {
        cli_adm_error(a, "%s: %s: %s", group, kfk_err_name(err),
                      errstr ? errstr : kfk_err_str(err));
        return 0;
    }
    return 1;
}

int cli_group_exists(cli_adm *a, const kfk_group_desc *d) {
    return cli_group_live(a, "consumer group", d->group_id, d->err, d->errstr, d->state);
}

static int group_list(cli_adm *a) {
    kfk_admin *adm = cli_adm_client(a);
    if (!adm) return 1;
    kfk_admin_result *res = kfk_admin_list_groups(adm, NULL, NULL, NULL);
    int rc = cli_adm_failed(a, res);
    if (!rc) {
        static const char *const head[] = {"GROUP", "STATE", "TYPE", "PROTOCOL-TYPE"};
        cli_table t;
        cli_table_init(&t, head, 4);
        for (int i = 0; i < res->ngroups; i++) {
            const kfk_group_listing *g = &res->groups[i];
            cli_table_row(&t);
            cli_table_str(&t, g->group_id);
            cli_table_str(&t, *g->state ? g->state : NULL);
            cli_table_str(&t, *g->type ? g->type : NULL);
            cli_table_str(&t, *g->protocol_type ? g->protocol_type : NULL);
        }
        rc = cli_adm_print(a, &t);
        if (res->err == KFK_ERR_PARTIAL) {
            cli_adm_error(a, "some brokers did not answer: %s",
                          res->errstr ? res->errstr : kfk_err_str(res->err));
            rc = 1;
        }
    }
    kfk_admin_result_destroy(res);
    return rc;
}

int cli_group_delete_as(cli_adm *a, const char *done) {
    kfk_admin *adm = cli_adm_client(a);
    if (!adm) return 1;
    kfk_admin_result *res = kfk_admin_delete_groups(adm, a->args.pos, a->args.npos, NULL, NULL, NULL);
    int rc = cli_adm_failed(a, res) ? 1 : cli_adm_items(a, "GROUP", done, res->items, res->nitems);
    kfk_admin_result_destroy(res);
    return rc;
}

static int group_delete(cli_adm *a) { return cli_group_delete_as(a, "Deleted consumer group"); }

static const cli_verb verbs[] = {
    {"list", group_list, "", 0, 0, "\n  every consumer group, its state and type\n"},
    {"describe", cli_group_describe, "", 1, 1,
     "GROUP\n  per partition: committed offset, log end, lag and the member consuming it\n"},
    {"reset", cli_group_reset, CLI_GROUP_RESET_FLAGS, 1, 1,
     CLI_GROUP_RESET_USAGE
     "  move the group's committed offsets; a dry run printing the plan unless --execute\n"
     "  (the group must have no active members)\n"},
    {"delete", group_delete, "", 1, -1, "GROUP...\n  delete groups that have no members\n"},
};

int cli_group_main(int argc, char **argv) {
    return cli_adm_dispatch(verbs, (int)(sizeof verbs / sizeof verbs[0]), argc, argv);
}
