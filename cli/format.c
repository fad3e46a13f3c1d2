#include "format.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

static const struct {
    char c;
    enum cli_tok_kind kind;
} specs[] = {
    {'s', CLI_TOK_VALUE},     {'S', CLI_TOK_VALUE_LEN}, {'R', CLI_TOK_VALUE_LEN_BE},
    {'k', CLI_TOK_KEY},       {'K', CLI_TOK_KEY_LEN},   {'T', CLI_TOK_TIMESTAMP},
    {'h', CLI_TOK_HEADERS},   {'t', CLI_TOK_TOPIC},     {'p', CLI_TOK_PARTITION},
    {'o', CLI_TOK_OFFSET},
};

static void add_text(cli_format *f, size_t *tlen, const char *s, size_t n) {
    if (!n) return;
    size_t len = cli_unescape_format(s, n, f->text + *tlen);
    f->toks[f->n++] = (cli_tok){CLI_TOK_STR, *tlen, len};
    *tlen += len;
}

int cli_format_parse(cli_format *f, const char *spec, char *err, size_t errlen) {
    size_t n = strlen(spec);
    memset(f, 0, sizeof *f);
    /* Each % makes at most two tokens; text never grows when unescaped. */
    f->toks = calloc(n + 1, sizeof *f->toks);
    f->text = malloc(n + 1);
    if (!f->toks || !f->text) {
        snprintf(err, errlen, "out of memory");
        cli_format_free(f);
        return -1;
    }
    size_t tlen = 0;
    const char *s = spec;
    for (const char *pct; (pct = strchr(s, '%')); s = pct + 2) {
        add_text(f, &tlen, s, (size_t)(pct - s));
        char c = pct[1];
        if (c == '%') {
            f->text[tlen] = '%';
            f->toks[f->n++] = (cli_tok){CLI_TOK_STR, tlen++, 1};
            continue;
        }
        size_t i = 0;
        while (i < sizeof specs / sizeof specs[0] && specs[i].c != c) i++;
        if (i == sizeof specs / sizeof specs[0]) {
            if (c)
                snprintf(err, errlen, "unsupported formatter: %%%c", c);
            else
                snprintf(err, errlen, "empty formatter: %% at the end of the format");
            cli_format_free(f);
            return -1;
        }
        f->toks[f->n++] = (cli_tok){specs[i].kind, 0, 0};
    }
    add_text(f, &tlen, s, strlen(s));
    return 0;
}

void cli_format_free(cli_format *f) {
    free(f->toks);
    free(f->text);
    f->toks = NULL;
    f->text = NULL;
    f->n = 0;
}

/* kcat prints a key or value only when it has bytes; -Z's string otherwise. */
static int put_field(const cli_format *f, FILE *out, const void *p, size_t len) {
    if (len) return fwrite(p, len, 1, out) == 1 ? 0 : -1;
    if (f->null_str) return fputs(f->null_str, out) < 0 ? -1 : 0;
    return 0;
}

static int put_headers(FILE *out, const kfk_consumer_message *m) {
    for (size_t i = 0; i < m->header_count; i++) {
        const kfk_header *h = &m->headers[i];
        if (fprintf(out, "%s%s=", i ? "," : "", h->name) < 0) return -1;
        if (!h->value && fputs("NULL", out) < 0) return -1;
        if (h->value && h->value_len && fwrite(h->value, h->value_len, 1, out) != 1) return -1;
    }
    return 0;
}

int cli_format_write(const cli_format *f, FILE *out, const kfk_consumer_message *m) {
    int rc = 0;
    for (int i = 0; i < f->n && rc >= 0; i++) {
        const cli_tok *t = &f->toks[i];
        switch (t->kind) {
        case CLI_TOK_STR:
            rc = fwrite(f->text + t->off, t->len, 1, out) == 1 ? 0 : -1;
            break;
        case CLI_TOK_VALUE:
            rc = put_field(f, out, m->value, m->value_len);
            break;
        case CLI_TOK_KEY:
            rc = put_field(f, out, m->key, m->key_len);
            break;
        case CLI_TOK_VALUE_LEN:
            rc = fprintf(out, "%lld", m->value ? (long long)m->value_len : -1LL);
            break;
        case CLI_TOK_KEY_LEN:
            rc = fprintf(out, "%lld", m->key ? (long long)m->key_len : -1LL);
            break;
        case CLI_TOK_VALUE_LEN_BE: {
            uint32_t be = htonl(m->value ? (uint32_t)m->value_len : UINT32_MAX);
            rc = fwrite(&be, sizeof be, 1, out) == 1 ? 0 : -1;
            break;
        }
        case CLI_TOK_TIMESTAMP:
            rc = fprintf(out, "%" PRId64, m->timestamp);
            break;
        case CLI_TOK_HEADERS:
            rc = put_headers(out, m);
            break;
        case CLI_TOK_TOPIC:
            rc = fputs(m->topic, out);
            break;
        case CLI_TOK_PARTITION:
            rc = fprintf(out, "%" PRId32, m->partition);
            break;
        case CLI_TOK_OFFSET:
            rc = fprintf(out, "%" PRId64, m->offset);
            break;
        }
    }
    return rc < 0 ? -1 : 0;
}
