/* The parts of kfk group that need more than one admin call. */
#ifndef KFK_CLI_GROUP_H
#define KFK_CLI_GROUP_H

#include "adm.h"

/* 1 when a described group (kind: "consumer group"...) exists; else
 * prints why not and returns 0. */
int cli_group_live(cli_adm *a, const char *kind, const char *group, int err, const char *errstr,
                   const char *state);
/* 1 when d describes a live group; else prints why not and returns 0. */
int cli_group_exists(cli_adm *a, const kfk_group_desc *d);

int cli_group_describe(cli_adm *a);
int cli_group_reset(cli_adm *a);

/* What kfk group reset and kfk share-group reset do differently: check
 * the group has no members (0, or 1 after saying why), list its offsets
 * (for --all-topics), commit the plan. */
typedef kfk_admin_result *(*cli_offsets_fn)(kfk_admin *, const char *, const kfk_partition_list *,
                                            const kfk_admin_options *, kfk_admin_cb, void *);
typedef struct cli_reset_kind {
    int (*check_inactive)(cli_adm *a, const char *group);
    cli_offsets_fn list, alter;
} cli_reset_kind;
/* A reset verb's flags and the start of its usage. */
#define CLI_GROUP_RESET_FLAGS                                                                      \
    "--topic= --all-topics --to-earliest --to-latest --to-offset= --to-datetime= --execute " \
    "--dry-run"
#define CLI_GROUP_RESET_USAGE                                                                      \
    "GROUP (--topic TOPIC[:P,P...] ... | --all-topics) (--to-earliest | --to-latest |\n"     \
    "       --to-offset N | --to-datetime YYYY-MM-DDTHH:mm:SS[.sss][Z|+HH:MM]) [--execute]\n"

/* kfk group delete's body: done is what each success says ("Deleted
 * consumer group"). The exit status. */
int cli_group_delete_as(cli_adm *a, const char *done);

/* Parses the reset flags, plans, prints the plan, and with --execute
 * commits it. The exit status. */
int cli_group_reset_as(cli_adm *a, const cli_reset_kind *k);

#endif
