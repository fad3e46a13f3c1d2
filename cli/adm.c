#include "adm.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conffile.h"

static const char common_usage[] =
    "Options anywhere on the line: -b BROKERS, -X key=value, -F FILE (key=value lines),\n"
    "--json (one JSON document instead of a table), -h.\n";

static void verb_usage(const char *noun, const cli_verb *v, FILE *out) {
    fprintf(out, "Usage: kfk %s %s %s", noun, v->name, v->usage);
}

static void noun_usage(const char *noun, const cli_verb *verbs, int n, FILE *out) {
    for (int i = 0; i < n; i++) verb_usage(noun, &verbs[i], out);
    fputs(common_usage, out);
}

static void vreport(cli_adm *a, const char *fmt, va_list ap) {
    fprintf(stderr, "kfk %s %s: ", a->noun, a->verb->name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int cli_adm_usage_error(cli_adm *a, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vreport(a, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    verb_usage(a->noun, a->verb, stderr);
    fputs(common_usage, stderr);
    return 2;
}

void cli_adm_error(cli_adm *a, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vreport(a, fmt, ap);
    va_end(ap);
}

/* kcat's -X topic.<key> sets a topic-level key; kfk has one level. */
static int conf_set(void *opaque, const char *key, const char *value, char *err, size_t errlen) {
    if (!strncmp(key, "topic.", 6)) key += 6;
    return kfk_conf_set(opaque, key, value, err, errlen) ? -1 : 0;
}

static int read_file(cli_adm *a, const char *path, int must_exist) {
    FILE *fp = fopen(path, "r");
    if (!fp) {
        if (!must_exist) return 0;
        cli_adm_error(a, "cannot open %s: %s", path, strerror(errno));
        return 1;
    }
    char err[768];
    int rc = cli_conffile_read(fp, path, conf_set, a->conf, err, sizeof err);
    fclose(fp);
    if (rc) cli_adm_error(a, "%s", err);
    return rc ? 2 : 0;
}

static int set(cli_adm *a, const char *key, const char *value) {
    char err[512];
    if (!conf_set(a->conf, key, value, err, sizeof err)) return 0;
    cli_adm_error(a, "%s", err);
    return 2;
}

/* The default file (without -F) first, then the command line in order. */
static int configure(cli_adm *a) {
    int rc = 0;
    if (!cli_args_get(&a->args, "-F")) {
        const char *path = getenv("KFK_CONFIG"), *home = getenv("HOME");
        char def[4096];
        if (path && *path) rc = read_file(a, path, 1);
        else if (home && *home) {
            snprintf(def, sizeof def, "%s/.config/kfk.conf", home);
            rc = read_file(a, def, 0);
        }
    }
    for (int i = 0; !rc && i < a->args.nvals; i++) {
        const cli_argval *v = &a->args.vals[i];
        if (!strcmp(v->flag, "-F")) {
            rc = read_file(a, v->value, 1);
        } else if (!strcmp(v->flag, "-b")) {
            rc = set(a, "bootstrap.servers", v->value);
        } else if (!strcmp(v->flag, "-X")) {
            char *kv = strdup(v->value), *eq = kv ? strchr(kv, '=') : NULL;
            if (!eq) rc = kv ? cli_adm_usage_error(a, "-X expects key=value, not \"%s\"", kv) : 1;
            else *eq = '\0', rc = set(a, kv, eq + 1);
            free(kv);
        }
    }
    if (!rc && !*kfk_conf_get(a->conf, "bootstrap.servers"))
        return cli_adm_usage_error(a, "-b BROKERS missing");
    return rc;
}

static int run_verb(cli_adm *a, int argc, char **argv) {
    char err[256];
    char spec[512];
    snprintf(spec, sizeof spec, "%s %s", CLI_ARGS_COMMON, a->verb->spec);
    if (cli_args_parse(&a->args, argc, argv, spec, err, sizeof err))
        return cli_adm_usage_error(a, "%s", err);
    if (cli_args_get(&a->args, "-h") || cli_args_get(&a->args, "--help")) {
        verb_usage(a->noun, a->verb, stdout);
        fputs(common_usage, stdout);
        return 0;
    }
    if (a->args.npos < a->verb->min_pos)
        return cli_adm_usage_error(a, a->verb->min_pos == 1 ? "an argument is missing"
                                                            : "arguments are missing");
    if (a->verb->max_pos >= 0 && a->args.npos > a->verb->max_pos)
        return cli_adm_usage_error(a, "unexpected argument \"%s\"",
                                   a->args.pos[a->verb->max_pos]);
    a->json = cli_args_get(&a->args, "--json") != NULL;
    if (!(a->conf = kfk_conf_new())) {
        cli_adm_error(a, "out of memory");
        return 1;
    }
    int rc = configure(a);
    return rc ? rc : a->verb->run(a);
}

/* The verb: the first word that is neither a flag nor a common flag's
 * value, so "kfk topic -b B list" works too. Its index, or -1. */
static int find_verb(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (s[0] != '-') return i;
        if (!strcmp(s, "-b") || !strcmp(s, "-X") || !strcmp(s, "-F")) i++;
    }
    return -1;
}

int cli_adm_dispatch(const cli_verb *verbs, int n, int argc, char **argv) {
    const char *noun = argv[0];
    int at = find_verb(argc, argv), asked = 0;
    for (int i = 1; i < argc && (at < 0 || i < at); i++)
        asked |= !strcmp(argv[i], "-h") || !strcmp(argv[i], "--help");
    if (at < 0 || asked || !strcmp(argv[at], "help")) {
        asked |= at >= 0;
        if (!asked) fprintf(stderr, "kfk %s: which command?\n\n", noun);
        noun_usage(noun, verbs, n, asked ? stdout : stderr);
        return asked ? 0 : 2;
    }
    cli_adm a = {.noun = noun};
    for (int i = 0; i < n && !a.verb; i++)
        if (!strcmp(argv[at], verbs[i].name)) a.verb = &verbs[i];
    if (!a.verb) {
        fprintf(stderr, "kfk %s: unknown command \"%s\"\n\n", noun, argv[at]);
        noun_usage(noun, verbs, n, stderr);
        return 2;
    }
    /* The verb's own line: everything but the noun and the verb. */
    char **rest = malloc((size_t)argc * sizeof *rest);
    if (!rest) return 1;
    int nrest = 0;
    for (int i = 1; i < argc; i++)
        if (i != at) rest[nrest++] = argv[i];
    int rc = run_verb(&a, nrest, rest);
    kfk_admin_destroy(a.admin);
    kfk_conf_destroy(a.conf);
    cli_args_free(&a.args);
    free(rest);
    return rc;
}

kfk_admin *cli_adm_client(cli_adm *a) {
    if (a->admin) return a->admin;
    char err[512];
    if (!(a->admin = kfk_admin_new(a->conf, err, sizeof err))) {
        cli_adm_error(a, "cannot create the admin client: %s", err);
        return NULL;
    }
    a->conf = NULL; /* the admin owns it */
    return a->admin;
}

int cli_adm_failed(cli_adm *a, const kfk_admin_result *r) {
    if (!r) {
        cli_adm_error(a, "out of memory");
        return 1;
    }
    if (!r->err || r->err == KFK_ERR_PARTIAL) return 0;
    cli_adm_error(a, "%s: %s", kfk_err_name(r->err), r->errstr ? r->errstr : kfk_err_str(r->err));
    return 1;
}

int cli_adm_items(cli_adm *a, const char *col, const char *done, const kfk_admin_item *items,
                  int n) {
    const char *head[] = {col, "ERROR", "MESSAGE"};
    cli_table t;
    cli_table_init(&t, head, 3);
    int failed = 0;
    for (int i = 0; i < n; i++) {
        const kfk_admin_item *it = &items[i];
        if (it->err) {
            failed = 1;
            cli_adm_error(a, "%s: %s: %s", it->name, kfk_err_name(it->err),
                          it->errstr ? it->errstr : kfk_err_str(it->err));
        } else if (!a->json) {
            printf("%s %s.\n", done, it->name);
        }
        cli_table_row(&t);
        cli_table_str(&t, it->name);
        cli_table_str(&t, it->err ? kfk_err_name(it->err) : NULL);
        cli_table_str(&t, it->err ? (it->errstr ? it->errstr : kfk_err_str(it->err)) : NULL);
    }
    int rc = 0;
    if (a->json) rc = cli_adm_print(a, &t);
    else cli_table_free(&t);
    return failed || rc;
}

int cli_adm_print(cli_adm *a, cli_table *t) {
    int rc = a->json ? cli_table_json(t, stdout) : cli_table_print(t, stdout);
    if (!rc && fflush(stdout)) rc = -1;
    if (rc) cli_adm_error(a, "output failed: %s", t->failed ? "out of memory" : strerror(errno));
    cli_table_free(t);
    return rc ? 1 : 0;
}

int cli_adm_number(cli_adm *a, const char *flag, const char *s, long long min, long long max,
                   long long *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno || v < min || v > max)
        return cli_adm_usage_error(a, "%s expects a number from %lld to %lld, not \"%s\"", flag,
                                   min, max, s);
    *out = v;
    return 0;
}
