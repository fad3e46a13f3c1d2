#include "table.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

void cli_table_init(cli_table *t, const char *const *head, int ncols) {
    *t = (cli_table){.head = head, .ncols = ncols};
}

void cli_table_free(cli_table *t) {
    for (size_t i = 0; i < t->nrows * (size_t)t->ncols; i++) free(t->cells[i].text);
    free(t->cells);
    t->cells = NULL;
    t->nrows = t->cap = 0;
}

void cli_table_row(cli_table *t) {
    if (t->failed) return;
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        cli_cell *c = realloc(t->cells, cap * (size_t)t->ncols * sizeof *c);
        if (!c) {
            t->failed = 1;
            return;
        }
        t->cells = c;
        t->cap = cap;
    }
    memset(&t->cells[t->nrows * (size_t)t->ncols], 0, (size_t)t->ncols * sizeof *t->cells);
    t->nrows++;
    t->col = 0;
}

/* Takes text (malloc'ed, or NULL when out of memory). */
static void put(cli_table *t, int kind, char *text) {
    if (!text) t->failed = 1;
    if (t->failed || !t->nrows || t->col == t->ncols) {
        free(text);
        t->failed = 1;
        return;
    }
    t->cells[(t->nrows - 1) * (size_t)t->ncols + (size_t)t->col++] = (cli_cell){kind, text};
}

void cli_table_str(cli_table *t, const char *s) {
    if (!s) cli_table_null(t);
    else put(t, CLI_CELL_STR, strdup(s));
}

void cli_table_num(cli_table *t, int64_t v) {
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRId64, v);
    put(t, CLI_CELL_NUM, strdup(buf));
}

void cli_table_null(cli_table *t) {
    put(t, CLI_CELL_NULL, strdup("-"));
}

void cli_table_bool(cli_table *t, int v) {
    put(t, CLI_CELL_NUM, strdup(v ? "true" : "false"));
}

void cli_table_list(cli_table *t, const int32_t *v, int n) {
    char *s = malloc((size_t)n * 12 + 1);
    if (s) {
        size_t len = 0;
        s[0] = '\0';
        for (int i = 0; i < n; i++)
            len += (size_t)sprintf(s + len, "%s%" PRId32, i ? "," : "", v[i]);
    }
    put(t, CLI_CELL_LIST, s);
}

static const char *text(const cli_cell *c) {
    return !c->text || (c->kind == CLI_CELL_LIST && !*c->text) ? "-" : c->text;
}

int cli_table_print(const cli_table *t, FILE *out) {
    if (t->failed) return -1;
    size_t *w = calloc((size_t)t->ncols, sizeof *w);
    if (!w) return -1;
    for (int c = 0; c < t->ncols; c++) w[c] = strlen(t->head[c]);
    for (size_t r = 0; r < t->nrows; r++)
        for (int c = 0; c < t->ncols; c++) {
            size_t n = strlen(text(&t->cells[r * (size_t)t->ncols + (size_t)c]));
            if (n > w[c]) w[c] = n;
        }
    int rc = 0;
    for (size_t r = 0; r <= t->nrows && rc >= 0; r++)
        for (int c = 0; c < t->ncols && rc >= 0; c++) {
            const char *s = r ? text(&t->cells[(r - 1) * (size_t)t->ncols + (size_t)c]) : t->head[c];
            if (c == t->ncols - 1) rc = fprintf(out, "%s\n", s);
            else rc = fprintf(out, "%-*s  ", (int)w[c], s);
        }
    free(w);
    return rc < 0 ? -1 : 0;
}

static int json_key(const char *head, FILE *out) {
    char key[64];
    size_t n = 0;
    for (; head[n] && n < sizeof key - 1; n++)
        key[n] = head[n] == '-' ? '_' : (char)tolower((unsigned char)head[n]);
    return cli_json_string(out, key, n);
}

static int json_cell(const cli_cell *c, FILE *out) {
    switch (c->text ? c->kind : CLI_CELL_NULL) {
    case CLI_CELL_STR: return cli_json_string(out, c->text, strlen(c->text));
    case CLI_CELL_NUM: return fputs(c->text, out) < 0 ? -1 : 0;
    case CLI_CELL_LIST: return fprintf(out, "[%s]", c->text) < 0 ? -1 : 0;
    default: return fputs("null", out) < 0 ? -1 : 0;
    }
}

int cli_table_json(const cli_table *t, FILE *out) {
    if (t->failed) return -1;
    int rc = putc('[', out) == EOF;
    for (size_t r = 0; !rc && r < t->nrows; r++) {
        rc = fputs(r ? ",{" : "{", out) < 0;
        for (int c = 0; !rc && c < t->ncols; c++) {
            if (c) rc = putc(',', out) == EOF;
            if (!rc) rc = json_key(t->head[c], out);
            if (!rc) rc = putc(':', out) == EOF;
            if (!rc) rc = json_cell(&t->cells[r * (size_t)t->ncols + (size_t)c], out);
        }
        if (!rc) rc = putc('}', out) == EOF;
    }
    if (!rc) rc = fputs("]\n", out) < 0;
    return rc ? -1 : 0;
}
