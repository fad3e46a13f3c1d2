/* kfk share-group list|describe|reset|delete: kfk group's verbs for share
 * groups (KIP-932), in the same tables and --json documents. */
#include <stdlib.h>
#include <string.h>

#include "adm.h"
#include "group.h"
#include "subcmd.h"

static int share_group_exists(cli_adm *a, const kfk_share_group_desc *d) {
    return cli_group_live(a, "share group", d->group_id, d->err, d->errstr, d->state);
}

static int list(cli_adm *a) {
    kfk_admin *adm = cli_adm_client(a);
    if (!adm) return 1;
    kfk_admin_result *res = kfk_admin_list_share_groups(adm, NULL, NULL, NULL);
    int rc = cli_adm_failed(a, res);
    if (!rc) {
        static const char *const head[] = {"GROUP", "STATE"};
        cli_table t;
        cli_table_init(&t, head, 2);
        for (int i = 0; i < res->ngroups; i++) {
            cli_table_row(&t);
            cli_table_str(&t, res->groups[i].group_id);
            cli_table_str(&t, *res->groups[i].state ? res->groups[i].state : NULL);
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

static const kfk_share_member *owner(const kfk_share_group_desc *d, const char *topic,
                                     int32_t p) {
    for (int i = 0; i < d->nmembers; i++)
        for (int j = 0; j < d->members[i].nassignment; j++) {
            const kfk_topic_partition *tp = &d->members[i].assignment[j];
            if (tp->partition == p && !strcmp(tp->topic, topic)) return &d->members[i];
        }
    return NULL;
}

static void add_row(cli_table *t, const char *group, const char *topic, int32_t partition,
                    int64_t start, const kfk_share_member *m) {
    cli_table_row(t);
    cli_table_str(t, group);
    cli_table_str(t, topic);
    if (topic) cli_table_num(t, partition);
    else cli_table_null(t);
    if (start >= 0) cli_table_num(t, start);
    else cli_table_null(t);
    cli_table_str(t, m ? m->member_id : NULL);
    cli_table_str(t, m ? m->host : NULL);
    cli_table_str(t, m ? m->client_id : NULL);
}

/* Rows: each partition with a start offset (and its member), then each
 * assigned partition without one, then each member without partitions. */
static int print(cli_adm *a, const kfk_share_group_desc *d, const kfk_partition_list *starts) {
    static const char *const head[] = {"GROUP", "TOPIC", "PARTITION", "START-OFFSET",
                                       "CONSUMER-ID", "HOST", "CLIENT-ID"};
    cli_table t;
    cli_table_init(&t, head, 7);
    for (int i = 0; starts && i < starts->count; i++) {
        const kfk_partition *e = &starts->elems[i];
        add_row(&t, d->group_id, e->topic, e->partition, e->err ? -1 : e->offset,
                owner(d, e->topic, e->partition));
    }
    for (int i = 0; i < d->nmembers; i++) {
        const kfk_share_member *m = &d->members[i];
        for (int j = 0; j < m->nassignment; j++) {
            const kfk_topic_partition *tp = &m->assignment[j];
            if (!starts || !kfk_partition_list_find(starts, tp->topic, tp->partition))
                add_row(&t, d->group_id, tp->topic, tp->partition, -1, m);
        }
        if (!m->nassignment) add_row(&t, d->group_id, NULL, 0, -1, m);
    }
    if (!d->nmembers && !a->json)
        fprintf(stderr, "Share group '%s' has no active members.\n", d->group_id);
    return cli_adm_print(a, &t);
}

static int describe(cli_adm *a) {
    kfk_admin *adm = cli_adm_client(a);
    if (!adm) return 1;
    const char *group = a->args.pos[0];
    kfk_admin_result *desc = kfk_admin_describe_share_groups(adm, &group, 1, NULL, NULL, NULL);
    kfk_admin_result *starts = NULL;
    int rc = cli_adm_failed(a, desc);
    if (!rc && !share_group_exists(a, &desc->share_descs[0])) rc = 1;
    if (!rc) {
        starts = kfk_admin_list_share_group_offsets(adm, group, NULL, NULL, NULL, NULL);
        rc = cli_adm_failed(a, starts);
    }
    if (!rc) rc = print(a, &desc->share_descs[0], starts->partitions);
    kfk_admin_result_destroy(starts);
    kfk_admin_result_destroy(desc);
    return rc;
}

/* Start offsets change only while the group has no members. */
static int share_inactive(cli_adm *a, const char *group) {
    kfk_admin_result *res = kfk_admin_describe_share_groups(a->admin, &group, 1, NULL, NULL, NULL);
    int rc = cli_adm_failed(a, res);
    if (!rc) {
        const kfk_share_group_desc *d = &res->share_descs[0];
        if (d->err && d->err != KFK_ERR_GROUP_ID_NOT_FOUND) {
            rc = !share_group_exists(a, d);
        } else if (!d->err && strcmp(d->state, "Empty") && strcmp(d->state, "Dead")) {
            cli_adm_error(a, "%s: start offsets can only be reset while the group has no "
                          "active members, but its state is %s", group, d->state);
            rc = 1;
        }
    }
    kfk_admin_result_destroy(res);
    return rc;
}

static int reset(cli_adm *a) {
    static const cli_reset_kind share = {share_inactive, kfk_admin_list_share_group_offsets,
                                         kfk_admin_alter_share_group_offsets};
    return cli_group_reset_as(a, &share);
}

/* DeleteGroups deletes share groups as it does consumer groups. */
static int delete(cli_adm *a) { return cli_group_delete_as(a, "Deleted share group"); }

static const cli_verb verbs[] = {
    {"list", list, "", 0, 0, "\n  every share group and its state\n"},
    {"describe", describe, "", 1, 1,
     "GROUP\n  per partition: the group's start offset and the member it is assigned to\n"},
    {"reset", reset, CLI_GROUP_RESET_FLAGS, 1, 1,
     CLI_GROUP_RESET_USAGE
     "  move the group's start offsets; a dry run printing the plan unless --execute\n"
     "  (the group must have no members)\n"},
    {"delete", delete, "", 1, -1, "GROUP...\n  delete share groups that have no members\n"},
};

int cli_share_group_main(int argc, char **argv) {
    return cli_adm_dispatch(verbs, (int)(sizeof verbs / sizeof verbs[0]), argc, argv);
}
