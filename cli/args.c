#include "args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Finds name (len bytes) in spec: 1 takes a value, 0 a switch, -1 unknown. */
static int lookup(const char *spec, const char *name, size_t len) {
    for (const char *p = spec; *p;) {
        while (*p == ' ') p++;
        size_t n = strcspn(p, " =");
        if (n == len && !strncmp(p, name, len)) return p[n] == '=';
        p += n;
        if (*p == '=') p++;
    }
    return -1;
}

int cli_args_parse(cli_args *a, int argc, char **argv, const char *spec, char *err,
                   size_t errlen) {
    *a = (cli_args){0};
    a->pos = calloc((size_t)argc + 1, sizeof *a->pos);
    a->vals = calloc((size_t)argc + 1, sizeof *a->vals);
    if (!a->pos || !a->vals) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int flags_done = 0;
    for (int i = 0; i < argc; i++) {
        char *arg = argv[i];
        if (flags_done || arg[0] != '-' || !arg[1]) {
            a->pos[a->npos++] = arg;
            continue;
        }
        if (!strcmp(arg, "--")) {
            flags_done = 1;
            continue;
        }
        const char *value = NULL;
        int takes;
        size_t len = strlen(arg);
        if (arg[1] == '-') {
            const char *eq = strchr(arg, '=');
            if (eq) len = (size_t)(eq - arg);
            takes = lookup(spec, arg, len);
            if (eq && takes == 1) value = eq + 1;
            else if (eq && takes == 0) {
                snprintf(err, errlen, "%.*s takes no value", (int)len, arg);
                return -1;
            }
        } else {
            takes = lookup(spec, arg, 2);
            if (takes == 1 && len > 2) value = arg + 2;
            else if (takes >= 0 && len > 2) takes = -1;
            if (takes >= 0) len = 2;
        }
        if (takes < 0 || len >= sizeof a->vals->flag) {
            snprintf(err, errlen, "unknown option %s", arg);
            return -1;
        }
        if (takes && !value) {
            if (i + 1 == argc) {
                snprintf(err, errlen, "option %.*s requires an argument", (int)len, arg);
                return -1;
            }
            value = argv[++i];
        }
        cli_argval *v = &a->vals[a->nvals++];
        memcpy(v->flag, arg, len);
        v->flag[len] = '\0';
        v->value = value;
    }
    return 0;
}

void cli_args_free(cli_args *a) {
    free(a->pos);
    free(a->vals);
    *a = (cli_args){0};
}

const char *cli_args_next(const cli_args *a, const char *flag, int *i) {
    for (; *i < a->nvals; (*i)++)
        if (!strcmp(a->vals[*i].flag, flag)) {
            const cli_argval *v = &a->vals[(*i)++];
            return v->value ? v->value : v->flag;
        }
    return NULL;
}

const char *cli_args_get(const cli_args *a, const char *flag) {
    const char *last = NULL, *v;
    int i = 0;
    while ((v = cli_args_next(a, flag, &i))) last = v;
    return last;
}
