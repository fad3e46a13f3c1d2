/* The admin subcommands' command lines: flags and positional arguments in
 * any order ("kfk topic create -b B NAME -p 3" or "... NAME -b B -p 3"),
 * so every subcommand takes -b, -X, -F and --json wherever they are. */
#ifndef KFK_CLI_ARGS_H
#define KFK_CLI_ARGS_H

#include <stddef.h>

typedef struct cli_argval {
    char flag[32];     /* e.g. "--to-offset" */
    const char *value; /* into argv; NULL for a switch */
} cli_argval;

typedef struct cli_args {
    const char **pos; /* positional arguments, into argv */
    int npos;
    cli_argval *vals; /* flags in command-line order */
    int nvals;
} cli_args;

/* Flags every subcommand takes, in the spec format below. */
#define CLI_ARGS_COMMON "-b= -X= -F= --json -h --help"

/* Parses argv[0..argc) against spec: flag names separated by spaces, a
 * trailing '=' for one that takes a value ("-p= -r= --execute"). Values go
 * as "-p 3", "-p3" or "--to-offset=3"; "--" ends the flags. 0, or -1 with
 * err naming the problem (the caller prints usage); free a either way. */
int cli_args_parse(cli_args *a, int argc, char **argv, const char *spec, char *err,
                   size_t errlen);
void cli_args_free(cli_args *a);

/* The last value given for flag (a switch: the flag's name), else NULL. */
const char *cli_args_get(const cli_args *a, const char *flag);
/* Iterates over flag's values: start with *i = 0; NULL at the end. */
const char *cli_args_next(const cli_args *a, const char *flag, int *i);

#endif
