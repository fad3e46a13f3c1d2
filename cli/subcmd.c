#include "subcmd.h"

#include <stdio.h>
#include <string.h>

typedef struct subcmd {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *what;
} subcmd;

static int help(int argc, char **argv);

/* Adding a command is one line here. */
static const subcmd commands[] = {
    {"perf", cli_perf_main, "produce or consume at full speed and report as Kafka's perf tools"},
    {"topic", cli_topic_main, "create, list, describe, grow and delete topics"},
    {"group", cli_group_main, "list, describe (offsets and lag), reset and delete consumer groups"},
    {"config", cli_config_main, "describe, set and delete topic and broker configuration"},
    {"records", cli_records_main, "delete records before an offset"},
    {"share", cli_share_main, "consume as a member of a share group (KIP-932)"},
    {"mock", cli_mock_main, "run a mock Kafka cluster in memory, for tests"},
    {"acl", cli_acl_main, "list, create and delete ACLs (kafka-acls' options)"},
    {"user", cli_user_main, "set, delete and describe SCRAM credentials (kfk user scram)"},
    {"share-group", cli_share_group_main,
     "list, describe (start offsets), reset and delete share groups"},
    {"help", help, "list the commands"},
};

static int help(int argc, char **argv) {
    printf("Usage: kfk <command> [options], or kfk <kcat options> (kfk -h)\n\nCommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        printf("  %-11s %s\n", commands[i].name, commands[i].what);
    return 0;
}

int cli_subcmd_run(int argc, char **argv) {
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (!strcmp(argv[0], commands[i].name)) return commands[i].run(argc, argv);
    }
    fprintf(stderr, "kfk: unknown command \"%s\"\n\n", argv[0]);
    help(0, NULL);
    return 2;
}
