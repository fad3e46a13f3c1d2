/* kfk user scram set|delete|describe: SCRAM credentials, as
 * kafka-configs --entity-type users --add-config 'SCRAM-SHA-256=[...]'
 * does, without a Java tool. The password comes from --password-file or
 * standard input (first line), or --password (visible to `ps`). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "adm.h"
#include "subcmd.h"

static const char *mech_name(int m) {
    return m == KFK_SCRAM_SHA_256 ? "SCRAM-SHA-256" : m == KFK_SCRAM_SHA_512 ? "SCRAM-SHA-512"
                                                                             : "UNKNOWN";
}

/* The --mechanism values (both when none is given). 0, or a usage error. */
static int mechanisms(cli_adm *a, int *mechs, int *n) {
    int i = 0;
    const char *v;
    *n = 0;
    while ((v = cli_args_next(&a->args, "--mechanism", &i)) != NULL) {
        int m = !strcmp(v, "SCRAM-SHA-256") ? KFK_SCRAM_SHA_256
                : !strcmp(v, "SCRAM-SHA-512") ? KFK_SCRAM_SHA_512
                                              : 0;
        if (!m)
            return cli_adm_usage_error(a, "--mechanism: expected SCRAM-SHA-256 or SCRAM-SHA-512, "
                                          "not \"%s\"", v);
        if (*n < 2 && (*n == 0 || mechs[0] != m)) mechs[(*n)++] = m;
    }
    if (!*n) {
        mechs[0] = KFK_SCRAM_SHA_256;
        mechs[1] = KFK_SCRAM_SHA_512;
        *n = 2;
    }
    return 0;
}

/* The first line of f, without its newline: NULL when there is none. */
static char *first_line(FILE *f) {
    char *line = NULL;
    size_t cap = 0;
    ssize_t len = getline(&line, &cap, f);
    if (len <= 0) {
        free(line);
        return NULL;
    }
    line[strcspn(line, "\r\n")] = '\0';
    return line;
}

static char *read_password(cli_adm *a) {
    const char *pw = cli_args_get(&a->args, "--password");
    if (pw) return strdup(pw);
    const char *path = cli_args_get(&a->args, "--password-file");
    FILE *f = path ? fopen(path, "r") : stdin;
    if (!f) {
        cli_adm_error(a, "--password-file %s: cannot read it", path);
        return NULL;
    }
    /* On a terminal: a prompt, and the password not echoed. */
    struct termios was, quiet;
    int tty = !path && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &was) == 0;
    if (tty) {
        fprintf(stderr, "Password for %s: ", a->args.pos[0]);
        quiet = was;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *line = first_line(f);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &was);
        fputc('\n', stderr);
    }
    if (path) fclose(f);
    if (!line || !*line) {
        cli_adm_error(a, "no password (give --password-file FILE or one line on standard input)");
        free(line);
        return NULL;
    }
    return line;
}

/* Sets (password given) or deletes the user's credentials of every
 * mechanism asked for. */
static int alter(cli_adm *a, char *password) {
    int mechs[2], nm = 0;
    int rc = mechanisms(a, mechs, &nm);
    long long iterations = 0;
    const char *it = cli_args_get(&a->args, "--iterations");
    if (!rc && it) rc = cli_adm_number(a, "--iterations", it, 4096, 16384, &iterations);
    kfk_admin *adm = rc ? NULL : cli_adm_client(a);
    if (!adm) return rc ? rc : 1;
    /* One call per mechanism: the broker refuses a user twice in a request. */
    for (int i = 0; i < nm && !rc; i++) {
        kfk_scram_credential_op op = {a->args.pos[0], mechs[i], password, (int32_t)iterations};
        kfk_admin_result *res =
            kfk_admin_alter_user_scram_credentials(adm, &op, 1, NULL, NULL, NULL);
        char done[96];
        snprintf(done, sizeof done, "%s %s credential of user", password ? "Set" : "Deleted",
                 mech_name(mechs[i]));
        rc = cli_adm_failed(a, res) ? 1 : cli_adm_items(a, "USER", done, res->items, res->nitems);
        kfk_admin_result_destroy(res);
    }
    return rc;
}

static int scram_set(cli_adm *a) {
    char *password = read_password(a);
    if (!password) return 1;
    int rc = alter(a, password);
    /* Clear our copy: it is a secret. */
    memset(password, 0, strlen(password));
    free(password);
    return rc;
}

static int scram_delete(cli_adm *a) {
    return alter(a, NULL);
}

static int scram_describe(cli_adm *a) {
    kfk_admin *adm = cli_adm_client(a);
    if (!adm) return 1;
    kfk_admin_result *res = kfk_admin_describe_user_scram_credentials(
        adm, a->args.pos, a->args.npos, NULL, NULL, NULL);
    int rc = cli_adm_failed(a, res), failed = 0;
    if (!rc) {
        static const char *const head[] = {"USER", "MECHANISM", "ITERATIONS"};
        cli_table t;
        cli_table_init(&t, head, 3);
        for (int i = 0; i < res->nscram_users; i++) {
            const kfk_user_scram_desc *u = &res->scram_users[i];
            if (u->err) {
                failed = 1;
                cli_adm_error(a, "%s: %s: %s", u->user, kfk_err_name(u->err),
                              u->errstr ? u->errstr : kfk_err_str(u->err));
                continue;
            }
            for (int j = 0; j < u->ncredentials; j++) {
                cli_table_row(&t);
                cli_table_str(&t, u->user);
                cli_table_str(&t, mech_name(u->credentials[j].mechanism));
                cli_table_num(&t, u->credentials[j].iterations);
            }
        }
        rc = cli_adm_print(a, &t) || failed;
    }
    kfk_admin_result_destroy(res);
    return rc;
}

static const cli_verb verbs[] = {
    {"set", scram_set, "--mechanism= --iterations= --password= --password-file=", 1, 1,
     "USER [--mechanism SCRAM-SHA-256|SCRAM-SHA-512]... [--iterations N]\n"
     "  [--password-file FILE | --password P]\n"
     "  create or change the user's SCRAM credentials (both mechanisms unless\n"
     "  --mechanism; 4096 iterations unless --iterations; the password from\n"
     "  FILE or standard input, first line; asked for on a terminal)\n"},
    {"delete", scram_delete, "--mechanism=", 1, 1,
     "USER [--mechanism M]...\n  delete the user's SCRAM credentials (both unless --mechanism)\n"},
    {"describe", scram_describe, "", 0, -1,
     "[USER...]\n  mechanisms and iterations of the users' credentials (all users without)\n"},
};

int cli_user_main(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "scram") != 0) {
        fprintf(argc >= 2 && !strcmp(argv[1], "help") ? stdout : stderr,
                "Usage: kfk user scram set|delete|describe ... (kfk user scram -h)\n");
        return argc >= 2 && !strcmp(argv[1], "help") ? 0 : 2;
    }
    /* "kfk user scram VERB": the noun, in messages, is "user scram". */
    char noun[] = "user scram";
    argv[1] = noun;
    return cli_adm_dispatch(verbs, (int)(sizeof verbs / sizeof verbs[0]), argc - 1, argv + 1);
}
