/* Aligned text tables and the same rows as one JSON document, so every
 * admin command prints both forms from one description of its output. */
#ifndef KFK_CLI_TABLE_H
#define KFK_CLI_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* How a cell reads in JSON; in the text table every kind is plain text. */
enum { CLI_CELL_NULL, CLI_CELL_STR, CLI_CELL_NUM, CLI_CELL_LIST }; /* NUM: also true/false */

typedef struct cli_cell {
    int kind;
    char *text; /* owned; "-" for NULL (or NULL: a cell never filled), "1,2,3" for a LIST */
} cli_cell;

typedef struct cli_table {
    const char *const *head; /* ncols column names, e.g. "LOG-END-OFFSET" */
    int ncols;
    cli_cell *cells; /* row-major */
    size_t nrows, cap; /* rows used and allocated */
    int col;           /* the next cell of the last row */
    int failed; /* out of memory while adding: printing reports it */
} cli_table;

void cli_table_init(cli_table *t, const char *const *head, int ncols);
void cli_table_free(cli_table *t);

/* Adds one row, filled cell by cell with the calls below, left to right. */
void cli_table_row(cli_table *t);
void cli_table_str(cli_table *t, const char *s); /* NULL: a NULL cell */
void cli_table_num(cli_table *t, int64_t v);
void cli_table_null(cli_table *t);
void cli_table_bool(cli_table *t, int v);
void cli_table_list(cli_table *t, const int32_t *v, int n);

/* Columns padded to their widest cell, two spaces apart, the last column
 * unpadded. 0 or -1 (write error, or a row could not be added). */
int cli_table_print(const cli_table *t, FILE *out);
/* [{"column_name": cell, ...}, ...]: names lower-cased, '-' as '_'. */
int cli_table_json(const cli_table *t, FILE *out);

#endif
