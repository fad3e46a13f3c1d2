#include "subcmd.h"

#include <stdio.h>
#include <string.h>

typedef struct subcmd {
    const char *name;
    int (*run)(int argc, char **argv); /* NULL: not available yet */
    const char *what;
} subcmd;

static int help(int argc, char **argv);

/* Adding a command is one line here. */
static const subcmd commands[] = {
    {"perf", cli_perf_main, "produce or consume at full speed and report as Kafka's perf tools"},
    {"topic", NULL, "create, describe, alter and delete topics (needs the admin API)"},
    {"group", NULL, "list, describe and reset consumer groups (needs the admin API)"},
    {"config", NULL, "describe and alter broker and topic configuration (needs the admin API)"},
    {"records", NULL, "delete records before an offset (needs the admin API)"},
    {"help", help, "list the commands"},
};

static int help(int argc, char **argv) {
    printf("Usage: kfk <command> [options], or kfk <kcat options> (kfk -h)\n\nCommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        printf("  %-8s %s%s\n", commands[i].name, commands[i].what,
               commands[i].run ? "" : " [not available yet]");
    return 0;
}

int cli_subcmd_run(int argc, char **argv) {
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[0], commands[i].name)) continue;
        if (commands[i].run) return commands[i].run(argc, argv);
        fprintf(stderr, "kfk %s: not available yet: %s\n", argv[0], commands[i].what);
        return 1;
    }
    fprintf(stderr, "kfk: unknown command \"%s\"\n\n", argv[0]);
    help(0, NULL);
    return 2;
}
