#include "conffile.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static char *trim(char *s) {
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
    return s;
}

/* Java properties files escape ':' and '=' in values. */
static void unescape(char *s) {
    char *d = s;
    for (; *s; s++) {
        if (s[0] == '\\' && (s[1] == ':' || s[1] == '=')) s++;
        *d++ = *s;
    }
    *d = '\0';
}

int cli_conffile_read(FILE *fp, const char *path, cli_conf_fn fn, void *opaque, char *err,
                      size_t errlen) {
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, rc = 0;
    while (!rc && getline(&line, &cap, fp) >= 0) {
        lineno++;
        char *s = trim(line);
        if (!*s || *s == '#') continue;
        unescape(s);
        char *eq = strchr(s, '=');
        if (!eq || eq == s) {
            snprintf(err, errlen, "%s:%d: expected property=value", path, lineno);
            rc = -1;
            break;
        }
        *eq = '\0';
        char why[512];
        if (fn(opaque, trim(s), trim(eq + 1), why, sizeof why)) {
            snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
            rc = -1;
        }
    }
    free(line);
    return rc;
}
