/* What every admin subcommand (kfk topic|config|group|records VERB) shares:
 * its command line, the admin client, errors and output. Everything runs on
 * the main thread with the library's synchronous calls. */
#ifndef KFK_CLI_ADM_H
#define KFK_CLI_ADM_H

#include "args.h"
#include "kfk.h"
#include "table.h"

typedef struct cli_adm cli_adm;

/* One verb of a noun: "create" of "topic". */
typedef struct cli_verb {
    const char *name;
    int (*run)(cli_adm *a); /* returns the exit status */
    const char *spec;       /* its flags, in cli_args_parse's format */
    int min_pos, max_pos;   /* positional arguments allowed (-1: any number) */
    const char *usage;      /* "NAME... [-p N]\n  what it does\n" */
} cli_verb;

struct cli_adm {
    const char *noun;
    const cli_verb *verb;
    cli_args args;
    kfk_conf *conf;   /* until the admin client takes it */
    kfk_admin *admin; /* made on first use */
    int json;
};

/* Runs `kfk NOUN VERB ...` (argv[0] is the noun): parses, applies -b, -X,
 * -F (or KFK_CONFIG / ~/.config/kfk.conf, as kcat mode), runs the verb.
 * Returns the exit status: 2 on a usage error, printed with the usage. */
int cli_adm_dispatch(const cli_verb *verbs, int n, int argc, char **argv);

/* "kfk NOUN VERB: <problem>", the verb's usage, and 2. */
int cli_adm_usage_error(cli_adm *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "kfk NOUN VERB: <message>" on stderr. */
void cli_adm_error(cli_adm *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The admin client, or NULL with the reason printed. */
kfk_admin *cli_adm_client(cli_adm *a);

/* When the result failed as a whole (NULL, or err other than 0 and
 * PARTIAL), prints why ("kfk topic list: Timed out...") and returns 1. */
int cli_adm_failed(cli_adm *a, const kfk_admin_result *r);

/* Per-item outcomes of a change: each success as "<done> <name>."
 * ("Created topic t1."), each failure as "kfk NOUN VERB: NAME:
 * ERROR_NAME: message" on stderr; with --json one document instead of the
 * lines ([{col: name, "error": null | "ERROR_NAME", "message": ...}]).
 * Returns 0, or 1 when any item failed. */
int cli_adm_items(cli_adm *a, const char *col, const char *done, const kfk_admin_item *items,
                  int n);

/* Prints t (a table, or JSON with --json) and frees it. 0, or 1 on a write
 * error (reported). */
int cli_adm_print(cli_adm *a, cli_table *t);

/* Parses a number in [min, max] (flag names it in the usage error). 0 or
 * the usage error's exit status. */
int cli_adm_number(cli_adm *a, const char *flag, const char *s, long long min, long long max,
                   long long *out);

#endif
