/* kcat's command line: the same flags, the same defaults. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "conffile.h"
#include "escape.h"
#include "stats.h"

volatile sig_atomic_t cli_running = 1;
volatile sig_atomic_t cli_interrupted = 0;

void cli_info(const cli_opts *o, int level, const char *fmt, ...) {
    if (o->verbosity < level) return;
    va_list ap;
    va_start(ap, fmt);
    fputs("% ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

void cli_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("% ERROR: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* A usage error: one line naming it, then the usage; exit status 2. */
static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("kfk: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\n\n", stderr);
    va_end(ap);
    cli_usage(stderr);
    return 2;
}

/* kcat's -X topic.<key> sets a topic-level key; kfk has one level. */
static int conf_set(void *opaque, const char *key, const char *value, char *err, size_t errlen) {
    if (!strncmp(key, "topic.", 6)) key += 6;
    return kfk_conf_set(opaque, key, value, err, errlen) ? -1 : 0;
}

static int print_key(void *opaque, const char *name, const char *def, const char *allowed,
                     const char *doc) {
    printf("%-40s %-12s %s%s%s%s\n", name, *def ? def : "\"\"", doc, *allowed ? " (" : "",
           allowed, *allowed ? ")" : "");
    return 0;
}

static int dump_key(void *opaque, const char *name, const char *def, const char *allowed,
                    const char *doc) {
    printf("%s = %s\n", name, kfk_conf_get(opaque, name));
    return 0;
}

static int read_conf_file(cli_opts *o, const char *path, int must_exist) {
    FILE *fp = fopen(path, "r");
    if (!fp) {
        if (!must_exist) return 0;
        cli_error("Failed to open %s: %s", path, strerror(errno));
        return 1;
    }
    char err[768];
    int rc = cli_conffile_read(fp, path, conf_set, o->conf, err, sizeof err);
    fclose(fp);
    if (rc) cli_error("%s", err);
    return rc ? 2 : 0;
}

static int add_header(cli_opts *o, char *arg) {
    char *eq = strchr(arg, '=');
    if (!*arg || eq == arg) return usage_error("-H expects name=value or name, not \"%s\"", arg);
    if (o->header_count == CLI_MAX_HEADERS)
        return usage_error("-H: at most %d headers", CLI_MAX_HEADERS);
    kfk_header *h = &o->headers[o->header_count++];
    if (eq) *eq = '\0';
    *h = (kfk_header){arg, eq ? eq + 1 : NULL, eq ? strlen(eq + 1) : 0};
    return 0;
}

static int add_query(cli_opts *o, char *arg) {
    char *p = strchr(arg, ':'), *t = p ? strchr(p + 1, ':') : NULL, *end;
    if (!t || o->query_count == CLI_MAX_QUERIES)
        return usage_error("-t: expected topic:partition:timestamp, not \"%s\"", arg);
    *p = *t = '\0';
    cli_query *q = &o->queries[o->query_count++];
    q->topic = arg;
    q->partition = (int32_t)strtol(p + 1, &end, 10);
    if (end == p + 1 || *end) return usage_error("-t: bad partition \"%s\"", p + 1);
    q->timestamp = strtoll(t + 1, &end, 10);
    if (end == t + 1 || *end) return usage_error("-t: bad timestamp \"%s\"", t + 1);
    for (int i = 0; i < o->query_count - 1; i++)
        if (!strcmp(o->queries[i].topic, q->topic) && o->queries[i].partition == q->partition)
            return usage_error("-t: %s [%d] given twice", q->topic, (int)q->partition);
    return 0;
}

static int parse_delim(const char *flag, const char *arg, char **out, size_t *len) {
    char err[256];
    free(*out);
    *out = malloc(strlen(arg) + 1);
    if (!*out) return usage_error("out of memory");
    if (cli_unescape_delim(arg, *out, len, err, sizeof err))
        return usage_error("%s: %s", flag, err);
    return 0;
}

static int parse_int(const char *flag, const char *arg, long long min, long long *out) {
    char *end;
    errno = 0;
    *out = strtoll(arg, &end, 10);
    if (!*arg || *end || errno || *out < min)
        return usage_error("%s expects a number >= %lld, not \"%s\"", flag, min, arg);
    return 0;
}

static int set_key(cli_opts *o, const char *key, const char *value) {
    char err[512];
    if (conf_set(o->conf, key, value, err, sizeof err)) {
        fprintf(stderr, "kfk: %s\n", err);
        return 2;
    }
    return 0;
}

static int set_mode(cli_opts *o, int opt) {
    if (o->mode && o->mode != opt)
        return usage_error("do not mix modes: -%c given after -%c", opt, o->mode);
    o->mode = (char)opt;
    return 0;
}


enum { OPT_STATS = 256 };

static const struct option long_opts[] = {
    {"stats", required_argument, NULL, OPT_STATS},
    {NULL, 0, NULL, 0},
};

static int parse_flag(cli_opts *o, int opt, char *arg, int *conf_dump, int *conf_files) {
    long long n;
    int rc = 0;
    switch (opt) {
    case 'P': case 'C': case 'L': case 'Q':
        return set_mode(o, opt);
    case 'G':
        o->group = arg;
        return set_mode(o, opt) ? 2 : set_key(o, "group.id", arg);
    case 't':
        if (o->mode == 'Q') return add_query(o, arg);
        o->topic = arg;
        return 0;
    case 'p':
        if ((rc = parse_int("-p", arg, -1, &n))) return rc;
        o->partition = (int32_t)n;
        return 0;
    case 'b': return set_key(o, "bootstrap.servers", arg);
    case 'z': return set_key(o, "compression.type", arg);
    case 'o': {
        char err[256];
        return cli_offset_parse(&o->offset, arg, err, sizeof err) ? usage_error("-o: %s", err) : 0;
    }
    case 'e': o->exit_eof = 1; return 0;
    case 'E': o->exit_on_error = 0; return 0;
    case 'f': o->format = arg; return 0;
    case 'J': o->json = 1; return 0;
    case 'D': return parse_delim("-D", arg, &o->delim, &o->delim_len);
    case 'K': return parse_delim("-K", arg, &o->key_delim, &o->key_delim_len);
    case 'k': o->fixed_key = arg; return 0;
    case 'H': return add_header(o, arg);
    case 'l': o->line_mode = 1; return 0;
    case 'O': o->print_offset = 1; return 0;
    case 'c':
        if ((rc = parse_int("-c", arg, 0, &n))) return rc;
        o->count = n;
        return 0;
    case 'm':
        if ((rc = parse_int("-m", arg, 1, &n))) return rc;
        o->metadata_timeout_ms = (int)(n > INT32_MAX / 1000 ? INT32_MAX : n * 1000);
        return 0;
    case 'Z': o->null_str = 1; return 0;
    case 'd': return set_key(o, "debug", arg); /* lines go to stderr (no log callback) */
    case 'q': o->verbosity = 0; return 0;
    case 'v': o->verbosity++; return 0;
    case 'T': o->tee = 1; return 0;
    case 'u': o->unbuffered = 1; return 0;
    case 'F':
        (*conf_files)++;
        return read_conf_file(o, arg, 1);
    case 'X': {
        if (!strcmp(arg, "list") || !strcmp(arg, "help")) {
            kfk_conf_keys(print_key, NULL);
            return -1;
        }
        if (!strcmp(arg, "dump")) {
            *conf_dump = 1;
            return 0;
        }
        char *eq = strchr(arg, '=');
        if (!eq) return usage_error("-X expects key=value, list or dump, not \"%s\"", arg);
        *eq = '\0';
        return set_key(o, arg, eq + 1);
    }
    case OPT_STATS: return cli_stats_open(o->conf, arg) ? 2 : 0;
    case 'V':
        printf("kfk %s (library %s)\n", KFK_VERSION_STR, kfk_version());
        return -1;
    case 'h':
        cli_usage(stdout);
        return -1;
    case ':':
        if (optopt == OPT_STATS) return usage_error("option --stats requires an argument");
        return usage_error("option -%c requires an argument", optopt);
    default: return usage_error("unknown option -%c", optopt);
    }
}

/* Settings that need every flag seen: defaults, the mode, the format. */
static int finish(cli_opts *o, int conf_files) {
    if (!conf_files) {
        const char *path = getenv("KFK_CONFIG");
        const char *home = getenv("HOME");
        char def[4096];
        int rc;
        if (path && *path) {
            if ((rc = read_conf_file(o, path, 1))) return rc;
        } else if (home && *home) {
            snprintf(def, sizeof def, "%s/.config/kfk.conf", home);
            if ((rc = read_conf_file(o, def, 0))) return rc;
        }
    }
    if (!*kfk_conf_get(o->conf, "bootstrap.servers")) return usage_error("-b <brokers> missing");
    if (!o->mode) {
        o->mode = isatty(STDIN_FILENO) ? 'C' : 'P';
        cli_info(o, 1, "Auto-selecting %s mode (use -P or -C to override)\n",
                 o->mode == 'C' ? "Consumer" : "Producer");
    }
    if (strchr("PC", o->mode) && !o->topic) return usage_error("-t <topic> missing");
    if (o->mode == 'Q' && !o->query_count)
        return usage_error("-Q needs -t <topic>:<partition>:<timestamp>");
    if (o->arg_count && !strchr("PG", o->mode))
        return usage_error("file or topic arguments are only for -P and -G");
    if (o->mode == 'G' && !o->arg_count) return usage_error("-G needs one or more topics");
    if (o->line_mode && o->arg_count > 1) return usage_error("-l takes exactly one file");
    if (o->mode == 'P' && o->delim_len == 0) return usage_error("-D must not be empty when producing");
    const char *why = cli_stats_check(o->conf);
    if (why) return usage_error("%s", why);
    return 0;
}

int cli_opts_parse(cli_opts *o, int argc, char **argv) {
    memset(o, 0, sizeof *o);
    o->partition = -1;
    o->metadata_timeout_ms = 5000;
    o->verbosity = 1;
    o->exit_on_error = 1;
    cli_offset_init(&o->offset);
    o->conf = kfk_conf_new();
    o->delim = strdup("\n");
    if (!o->conf || !o->delim) return usage_error("out of memory");
    o->delim_len = 1;

    int conf_dump = 0, conf_files = 0, opt, rc;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":PCG:LQt:p:b:z:o:eEf:JD:K:k:H:lOc:m:Zd:qvTuF:X:Vh",
                              long_opts, NULL)) != -1)
        if ((rc = parse_flag(o, opt, optarg, &conf_dump, &conf_files)))
            return rc;
    o->args = argv + optind;
    o->arg_count = argc - optind;
    if (conf_dump) {
        kfk_conf_keys(dump_key, o->conf);
        return -1;
    }
    return finish(o, conf_files);
}

void cli_opts_free(cli_opts *o) {
    kfk_conf_destroy(o->conf);
    free(o->delim);
    free(o->key_delim);
    o->conf = NULL;
    o->delim = o->key_delim = NULL;
}
