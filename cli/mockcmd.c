/* Parsing of `kfk mock`'s standard-input commands (see mockcmd.h). */
#include "mockcmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kfk.h"

#define MAX_WORDS 6

/* A whole decimal number in [lo, hi], else -1 (lo is never below 0 here). */
static long number(const char *s, long lo, long hi) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    return end == s || *end || errno || v < lo || v > hi ? -1 : v;
}

int cli_mock_api(const char *s) {
    long n = number(s, 0, kfk_api_key_count() - 1);
    if (n >= 0) return kfk_api_name((int)n) ? (int)n : -1;
    for (int k = 0; k < kfk_api_key_count(); k++) {
        const char *name = kfk_api_name(k);
        if (name && !strcasecmp(name, s)) return k;
    }
    return -1;
}

int cli_mock_err(const char *s) {
    if (!strcmp(s, "-1")) return -1;
    long n = number(s, 1, INT16_MAX);
    if (n > 0) return (int)n;
    /* Kafka's codes run from -1 up; kfk's own (local) ones are below -100. */
    for (int e = -1; e <= 1000; e++) {
        const char *name = kfk_err_name(e);
        if (e && strcmp(name, "UNKNOWN") && !strcasecmp(name, s)) return e;
    }
    return 0;
}

static int fail(char *err, size_t errlen, const char *fmt, const char *word) {
    snprintf(err, errlen, fmt, word);
    return -1;
}

/* BROKER as a number from 1 to 64, or with star "*" for any (-1). */
static int broker(const char *s, int star, int *out, char *err, size_t errlen) {
    if (star && !strcmp(s, "*")) {
        *out = -1;
        return 0;
    }
    long b = number(s, 1, 64);
    if (b < 0)
        return fail(err, errlen, star ? "broker '%s': expected a broker id from 1 to 64 or *"
                                      : "broker '%s': expected a broker id from 1 to 64", s);
    *out = (int)b;
    return 0;
}

static int topic_name(cli_mock_cmd *c, const char *s, char *err, size_t errlen) {
    if (strlen(s) >= sizeof c->topic) return fail(err, errlen, "topic '%.40s...': longer than 249 bytes", s);
    strcpy(c->topic, s);
    return 0;
}

/* A count-like word: a number in [lo, hi] into *out, else an error naming what. */
static int num(const char *s, long lo, long hi, int *out, const char *what, char *err, size_t errlen) {
    long v = number(s, lo, hi);
    if (v < 0) {
        snprintf(err, errlen, "%s '%s': expected a number from %ld to %ld", what, s, lo, hi);
        return -1;
    }
    *out = (int)v;
    return 0;
}

static int args(int nw, int min, int max, const char *usage, char *err, size_t errlen) {
    if (nw - 1 >= min && nw - 1 <= max) return 0;
    return fail(err, errlen, "usage: %s", usage);
}

int cli_mock_cmd_parse(cli_mock_cmd *c, const char *line, char *err, size_t errlen) {
    memset(c, 0, sizeof *c);
    c->broker = -1;
    c->api = -1;
    char buf[1024];
    if (strlen(line) >= sizeof buf) return fail(err, errlen, "%s", "a command is at most 1023 bytes");
    strcpy(buf, line);
    char *w[MAX_WORDS + 1], *save = NULL;
    int nw = 0;
    for (char *t = strtok_r(buf, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
        if (nw == MAX_WORDS) return fail(err, errlen, "%s", "too many words");
        w[nw++] = t;
    }
    if (!nw || w[0][0] == '#') return 0;
    const char *cmd = w[0];
    if (!strcmp(cmd, "errors")) {
        c->kind = CLI_MOCK_ERRORS;
        if (args(nw, 3, 4, "errors BROKER|* API ERROR [COUNT]", err, errlen) ||
            broker(w[1], 1, &c->broker, err, errlen))
            return -1;
        if ((c->api = cli_mock_api(w[2])) < 0)
            return fail(err, errlen, "API '%s': expected an API name (Produce) or key (0)", w[2]);
        if (!(c->err = cli_mock_err(w[3])))
            return fail(err, errlen, "error '%s': expected a Kafka error name (NOT_LEADER_OR_FOLLOWER) or code (6)", w[3]);
        c->count = 1;
        return nw == 5 ? num(w[4], 1, 1000000, &c->count, "count", err, errlen) : 0;
    }
    if (!strcmp(cmd, "clear")) {
        c->kind = CLI_MOCK_CLEAR;
        if (args(nw, 0, 2, "clear [BROKER|* [API]]", err, errlen) ||
            (nw > 1 && broker(w[1], 1, &c->broker, err, errlen)))
            return -1;
        if (nw > 2 && (c->api = cli_mock_api(w[2])) < 0)
            return fail(err, errlen, "API '%s': expected an API name (Produce) or key (0)", w[2]);
        return 0;
    }
    if (!strcmp(cmd, "down") || !strcmp(cmd, "up")) {
        c->kind = cmd[0] == 'd' ? CLI_MOCK_DOWN : CLI_MOCK_UP;
        return args(nw, 1, 1, c->kind == CLI_MOCK_DOWN ? "down BROKER" : "up BROKER", err, errlen) ||
                       broker(w[1], 0, &c->broker, err, errlen)
                   ? -1
                   : 0;
    }
    if (!strcmp(cmd, "rtt")) {
        c->kind = CLI_MOCK_RTT;
        return args(nw, 2, 2, "rtt BROKER MS", err, errlen) || broker(w[1], 0, &c->broker, err, errlen) ||
                       num(w[2], 0, 3600000, &c->n, "MS", err, errlen)
                   ? -1
                   : 0;
    }
    if (!strcmp(cmd, "leader")) {
        c->kind = CLI_MOCK_LEADER;
        return args(nw, 3, 3, "leader TOPIC PARTITION BROKER", err, errlen) ||
                       topic_name(c, w[1], err, errlen) ||
                       num(w[2], 0, INT32_MAX, &c->n, "partition", err, errlen) ||
                       broker(w[3], 0, &c->broker, err, errlen)
                   ? -1
                   : 0;
    }
    if (!strcmp(cmd, "truncate")) {
        c->kind = CLI_MOCK_TRUNCATE;
        if (args(nw, 3, 3, "truncate TOPIC PARTITION OFFSET", err, errlen) ||
            topic_name(c, w[1], err, errlen) ||
            num(w[2], 0, INT32_MAX, &c->n, "partition", err, errlen))
            return -1;
        c->offset = number(w[3], 0, INT64_MAX);
        return c->offset < 0 ? fail(err, errlen, "offset '%s': expected a number from 0 up", w[3]) : 0;
    }
    if (!strcmp(cmd, "coordinator")) {
        c->kind = CLI_MOCK_COORDINATOR;
        if (args(nw, 3, 3, "coordinator group|transaction KEY BROKER", err, errlen)) return -1;
        if (strcmp(w[1], "group") && strcmp(w[1], "transaction"))
            return fail(err, errlen, "key type '%s': expected group or transaction", w[1]);
        c->n = w[1][0] == 't';
        if (strlen(w[2]) >= sizeof c->topic) return fail(err, errlen, "key '%.40s...': longer than 249 bytes", w[2]);
        strcpy(c->topic, w[2]);
        return broker(w[3], 0, &c->broker, err, errlen);
    }
    if (!strcmp(cmd, "topic")) {
        c->kind = CLI_MOCK_TOPIC;
        c->count = c->n = 1;
        return args(nw, 1, 3, "topic NAME [PARTITIONS [REPLICAS]]", err, errlen) ||
                       topic_name(c, w[1], err, errlen) ||
                       (nw > 2 && num(w[2], 1, 100000, &c->count, "partitions", err, errlen)) ||
                       (nw > 3 && num(w[3], 1, 64, &c->n, "replicas", err, errlen))
                   ? -1
                   : 0;
    }
    if (!strcmp(cmd, "follower")) {
        c->kind = CLI_MOCK_FOLLOWER;
        if (args(nw, 3, 3, "follower TOPIC PARTITION BROKER|-1", err, errlen) ||
            topic_name(c, w[1], err, errlen) ||
            num(w[2], 0, INT32_MAX, &c->n, "partition", err, errlen))
            return -1;
        if (!strcmp(w[3], "-1")) return 0; /* c->broker is -1: no follower */
        return broker(w[3], 0, &c->broker, err, errlen);
    }
    if (!strcmp(cmd, "follower-wmarks")) {
        c->kind = CLI_MOCK_FOLLOWER_WMARKS;
        if (args(nw, 4, 4, "follower-wmarks TOPIC PARTITION LO|-1 HI|-1", err, errlen) ||
            topic_name(c, w[1], err, errlen) ||
            num(w[2], 0, INT32_MAX, &c->n, "partition", err, errlen))
            return -1;
        c->offset = strcmp(w[3], "-1") ? number(w[3], 0, INT64_MAX) : -2;
        c->hi = strcmp(w[4], "-1") ? number(w[4], 0, INT64_MAX) : -2;
        if (c->offset == -1) return fail(err, errlen, "LO '%s': expected an offset from 0 up or -1", w[3]);
        if (c->hi == -1) return fail(err, errlen, "HI '%s': expected an offset from 0 up or -1", w[4]);
        /* -1 (the leader's) was held as -2 to tell it from a bad word. */
        if (c->offset == -2) c->offset = -1;
        if (c->hi == -2) c->hi = -1;
        if (c->offset >= 0 && c->hi >= 0 && c->offset > c->hi)
            return fail(err, errlen, "LO '%s': above HI", w[3]);
        return 0;
    }
    if (!strcmp(cmd, "rack")) {
        c->kind = CLI_MOCK_RACK;
        if (args(nw, 1, 2, "rack BROKER [RACK]", err, errlen) || broker(w[1], 0, &c->broker, err, errlen))
            return -1;
        if (nw < 3) return 0; /* no rack */
        if (strlen(w[2]) >= sizeof c->topic) return fail(err, errlen, "rack '%.40s...': longer than 249 bytes", w[2]);
        strcpy(c->topic, w[2]);
        c->n = 1;
        return 0;
    }
    if (!strcmp(cmd, "quit")) {
        c->kind = CLI_MOCK_QUIT;
        return args(nw, 0, 0, "quit", err, errlen);
    }
    return fail(err, errlen, "unknown command '%s' (errors, clear, down, up, rtt, leader, truncate, coordinator, topic, follower, follower-wmarks, rack, quit)", cmd);
}
