/* kcat's -f output format: %s %S %R %k %K %T %h %t %p %o %% and the escapes
 * of escape.h. A format is parsed once into tokens; writing a message walks
 * them with no allocation. */
#ifndef KFK_CLI_FORMAT_H
#define KFK_CLI_FORMAT_H

#include <stdio.h>

#include "kfk.h"

enum cli_tok_kind {
    CLI_TOK_STR,
    CLI_TOK_VALUE,        /* %s */
    CLI_TOK_VALUE_LEN,    /* %S: -1 for null */
    CLI_TOK_VALUE_LEN_BE, /* %R: %S as a big-endian int32 */
    CLI_TOK_KEY,          /* %k */
    CLI_TOK_KEY_LEN,      /* %K */
    CLI_TOK_TIMESTAMP,    /* %T */
    CLI_TOK_HEADERS,      /* %h: name=value,... */
    CLI_TOK_TOPIC,        /* %t */
    CLI_TOK_PARTITION,    /* %p */
    CLI_TOK_OFFSET,       /* %o */
};

typedef struct cli_tok {
    enum cli_tok_kind kind;
    size_t off, len; /* CLI_TOK_STR: bytes in cli_format.text */
} cli_tok;

typedef struct cli_format {
    cli_tok *toks;
    int n;
    char *text;           /* unescaped literal text */
    const char *null_str; /* printed for an empty or null key or value (-Z); NULL: nothing */
} cli_format;

/* Parses spec into f (owned by f: cli_format_free). 0, or -1 with err set
 * ("unsupported formatter %x", "empty formatter"). */
int cli_format_parse(cli_format *f, const char *spec, char *err, size_t errlen);
void cli_format_free(cli_format *f);

/* Writes m as f says. 0, or -1 when a write fails (errno set). */
int cli_format_write(const cli_format *f, FILE *out, const kfk_consumer_message *m);

#endif
