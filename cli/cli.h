/* The kfk command line in kcat mode: parsed options and the modes that run
 * them. Everything runs on the main thread; library callbacks that print
 * (delivery reports) run inside poll/flush on that thread too. */
#ifndef KFK_CLI_H
#define KFK_CLI_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "format.h"
#include "kfk.h"
#include "offset.h"

#define CLI_MAX_HEADERS 64
#define CLI_MAX_QUERIES 256

typedef struct cli_query {
    const char *topic; /* points into argv */
    int32_t partition;
    int64_t timestamp;
} cli_query;

typedef struct cli_opts {
    char mode; /* 'P', 'C', 'G', 'L', 'Q' */
    const char *group;
    const char *topic;
    int32_t partition;  /* -1: every partition (consumer) or the partitioner's choice */
    int64_t count;      /* -c; 0: no limit */
    int metadata_timeout_ms;
    int verbosity;      /* 0 with -q, 1 by default, +1 per -v */
    int exit_on_error;  /* cleared by -E */
    int exit_eof, json, null_str, tee, line_mode, print_offset, unbuffered;
    const char *format; /* -f */
    char *delim, *key_delim; /* unescaped; key_delim NULL without -K */
    size_t delim_len, key_delim_len;
    const char *fixed_key;
    kfk_header headers[CLI_MAX_HEADERS];
    size_t header_count;
    cli_offset offset;
    cli_query queries[CLI_MAX_QUERIES];
    int query_count;
    kfk_conf *conf; /* -X, -F, -b, -z, -d; owned until a client takes it */
    char **args;    /* files (-P) or topics (-G) */
    int arg_count;
} cli_opts;

extern volatile sig_atomic_t cli_running;
/* Set by SIGINT/SIGTERM only (cli_running also ends at -c, -e, ...). */
extern volatile sig_atomic_t cli_interrupted;

/* "% ..." on stderr when verbosity >= level, as kcat does. */
void cli_info(const cli_opts *o, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "% ERROR: ..." on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parses argv (kcat's flags). 0: run o->mode; -1: done, exit 0 (-h, -V,
 * -X list, -X dump printed); otherwise an exit status (2 on a usage error,
 * the message and the usage already printed, 1 on an unreadable -F file).
 * o is freed with cli_opts_free either way. */
int cli_opts_parse(cli_opts *o, int argc, char **argv);
void cli_opts_free(cli_opts *o);
void cli_usage(FILE *out);

/* The modes: each returns the process exit status. */
int cli_produce(cli_opts *o);
int cli_consume(cli_opts *o);
int cli_metadata(cli_opts *o);
int cli_query_offsets(cli_opts *o);
int cli_group_consume(cli_opts *o);

/* The consumer's output format: -f as given; else
 * [offset<kd>][key<kd>]value<delim> (kd: -K, a tab for -O alone); -J writes
 * the delimiter itself. 0, or -1 with err set. */
int cli_consume_format(const cli_opts *o, cli_format *fmt, char *err, size_t errlen);
/* One message as -f/-J say (broker: -J's "broker"). 0 or -1 (errno set). */
int cli_consume_print(const cli_opts *o, const cli_format *fmt, const kfk_consumer_message *m,
                      int32_t broker);

/* An admin client from a copy of o->conf, for -L, -Q and the consumer's
 * metadata; NULL (the reason printed) when it cannot be made. */
kfk_admin *cli_admin_new(const cli_opts *o);

int64_t cli_now_ms(void);

/* No progress line with -q, or when stdout is a terminal too (the line
 * would be drawn over the output). */
int cli_progress_quiet(const cli_opts *o);

#endif
