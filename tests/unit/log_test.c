/* The logger: the debug key's parsing and refusals, log_level, which lines
 * reach the callback, the consumer's text-only callback, and the stderr
 * default (warnings, errors and debug lines turned on). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/conf.h"
#include "core/log.h"
#include "test.h"

static uint32_t debug_of(const char *value, int *rc, char *err, size_t errlen) {
    kfk_conf *conf = kfk_conf_new();
    *rc = kfk_conf_set(conf, "debug", value, err, errlen);
    uint32_t bits = (uint32_t)kfk_conf_int(conf, KFK_CONF_DEBUG);
    kfk_conf_destroy(conf);
    return bits;
}

TEST(debug_contexts_parse) {
    static const struct {
        const char *name;
        uint32_t bit;
    } names[] = {{"generic", KFK_DBG_GENERIC},   {"broker", KFK_DBG_BROKER},
                 {"topic", KFK_DBG_TOPIC},       {"metadata", KFK_DBG_METADATA},
                 {"protocol", KFK_DBG_PROTOCOL}, {"msg", KFK_DBG_MSG},
                 {"fetch", KFK_DBG_FETCH},       {"cgrp", KFK_DBG_CGRP},
                 {"consumer", KFK_DBG_CGRP},     {"security", KFK_DBG_SECURITY},
                 {"eos", KFK_DBG_EOS},           {"admin", KFK_DBG_ADMIN}};
    char err[256];
    int rc;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        uint32_t bits = debug_of(names[i].name, &rc, err, sizeof err);
        CHECK_EQ(rc, 0);
        /* on: its own context; off: every other one */
        CHECK(bits & names[i].bit);
        for (size_t j = 0; j < sizeof names / sizeof names[0]; j++)
            if (names[j].bit != names[i].bit) CHECK(!(bits & names[j].bit));
        CHECK_STR(kfk_log_context_name(names[i].bit),
                  strcmp(names[i].name, "consumer") ? names[i].name : "cgrp");
    }
    uint32_t all = debug_of("all", &rc, err, sizeof err);
    CHECK_EQ(rc, 0);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        CHECK_EQ(all & names[i].bit, names[i].bit);
    uint32_t some = debug_of(" broker , fetch,,Msg ", &rc, err, sizeof err);
    CHECK_EQ(rc, 0);
    CHECK_EQ(some, KFK_DBG_BROKER | KFK_DBG_FETCH | KFK_DBG_MSG);
    CHECK_EQ(debug_of("", &rc, err, sizeof err), 0);
    CHECK_EQ(rc, 0);
}

TEST(debug_unknown_context_refused) {
    char err[256] = "";
    kfk_conf *conf = kfk_conf_new();
    REQUIRE(conf);
    CHECK_EQ(kfk_conf_set(conf, "debug", "broker", err, sizeof err), 0);
    CHECK_EQ(kfk_conf_set(conf, "debug", "broker,brokers", err, sizeof err), KFK_ERR_CONFIG);
    CHECK(strstr(err, "\"debug\"") != NULL);
    CHECK(strstr(err, "broker,brokers") != NULL);
    CHECK(strstr(err, "unknown context \"brokers\"") != NULL);
    /* the old value stays */
    CHECK_STR(kfk_conf_get(conf, "debug"), "broker");
    CHECK_EQ(kfk_conf_int(conf, KFK_CONF_DEBUG), KFK_DBG_BROKER);
    CHECK_EQ(kfk_conf_set(conf, "debug", "queue", err, sizeof err), KFK_ERR_CONFIG);
    CHECK_EQ(kfk_conf_set(conf, "debug", "a-very-long-context-name-longer-than-any-known", err,
                          sizeof err),
             KFK_ERR_CONFIG);
    CHECK(strstr(err, "a-very-long-context-name-longer-than-any-known") != NULL);
    kfk_conf_destroy(conf);
}

TEST(log_level_range) {
    char err[256] = "";
    kfk_conf *conf = kfk_conf_new();
    REQUIRE(conf);
    CHECK_EQ(kfk_conf_int(conf, KFK_CONF_LOG_LEVEL), 6);
    CHECK_EQ(kfk_conf_set(conf, "log_level", "7", err, sizeof err), 0);
    CHECK_EQ(kfk_conf_set(conf, "log_level", "8", err, sizeof err), KFK_ERR_CONFIG);
    CHECK(strstr(err, "log_level") && strstr(err, "\"8\""));
    CHECK_EQ(kfk_conf_set(conf, "log_level", "-1", err, sizeof err), KFK_ERR_CONFIG);
    CHECK_EQ(kfk_conf_int(conf, KFK_CONF_LOG_LEVEL), 7);
    kfk_conf_destroy(conf);
}

typedef struct captured {
    int n;
    int level[16];
    char context[16][16];
    char message[16][256];
} captured;

static void capture(void *opaque, int level, const char *context, const char *message) {
    captured *c = opaque;
    if (c->n >= 16) return;
    c->level[c->n] = level;
    snprintf(c->context[c->n], sizeof c->context[0], "%s", context);
    snprintf(c->message[c->n], sizeof c->message[0], "%s", message);
    c->n++;
}

TEST(callback_gets_level_context_and_broker) {
    captured cap = {0};
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    REQUIRE(conf);
    CHECK_EQ(kfk_conf_set_log_cb(conf, capture, &cap), 0);
    CHECK_EQ(kfk_conf_set_log_cb(NULL, capture, &cap), KFK_ERR_INVALID_ARG);
    CHECK_EQ(kfk_conf_set(conf, "debug", "broker,cgrp", err, sizeof err), 0);
    CHECK_EQ(kfk_conf_set(conf, "log_level", "5", err, sizeof err), 0);
    CHECK_EQ(kfk_conf_set(conf, "client.id", "me", err, sizeof err), 0);
    /* a copy keeps the callback */
    kfk_conf *dup = kfk_conf_dup(conf);
    kfk_conf_destroy(conf);
    REQUIRE(dup);
    kfk_log log;
    kfk_log_from_conf(&log, dup);
    CHECK_STR(log.name, "me");
    KFK_DBG(&log, KFK_DBG_BROKER, "h:9092/1", "connected to %s", "127.0.0.1:9092");
    KFK_DBG(&log, KFK_DBG_CGRP, NULL, "group %s", "g");
    KFK_DBG(&log, KFK_DBG_FETCH, NULL, "off: not formatted %s", "x");
    KFK_LOG(&log, KFK_LOG_WARNING, KFK_DBG_BROKER, NULL, "warned");
    KFK_LOG(&log, KFK_LOG_INFO, 0, NULL, "above log_level 5: dropped");
    KFK_LOG(&log, KFK_LOG_NOTICE, 0, NULL, "notice");
    REQUIRE_EQ(cap.n, 4);
    CHECK_EQ(cap.level[0], KFK_LOG_DEBUG);
    CHECK_STR(cap.context[0], "broker");
    CHECK_STR(cap.message[0], "h:9092/1: connected to 127.0.0.1:9092");
    CHECK_STR(cap.context[1], "cgrp");
    CHECK_STR(cap.message[1], "group g");
    CHECK_EQ(cap.level[2], KFK_LOG_WARNING);
    CHECK_STR(cap.message[2], "warned");
    CHECK_EQ(cap.level[3], KFK_LOG_NOTICE);
    CHECK_STR(cap.context[3], "generic");
    kfk_conf_destroy(dup);
}

static int simple_n;
static char simple_last[256];
static void simple(void *opaque, const char *message) {
    (void)opaque;
    simple_n++;
    snprintf(simple_last, sizeof simple_last, "%s", message);
}

TEST(text_only_callback_wins) {
    captured cap = {0};
    kfk_conf *conf = kfk_conf_new();
    REQUIRE(conf);
    kfk_conf_set_log_cb(conf, capture, &cap);
    kfk_log log;
    kfk_log_from_conf(&log, conf);
    log.simple = simple;
    KFK_LOG(&log, KFK_LOG_NOTICE, 0, "b:1/2", "reset %d", 5);
    CHECK_EQ(cap.n, 0);
    CHECK_EQ(simple_n, 1);
    CHECK_STR(simple_last, "b:1/2: reset 5");
    kfk_conf_destroy(conf);
}

/* Runs fn with stderr sent to a file; returns what was written. */
static char *stderr_of(void (*fn)(const kfk_log *), const kfk_log *log) {
    static char out[4096];
    char path[] = "/tmp/kfk-log-test-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return NULL;
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    fn(log);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    ssize_t n = pread(fd, out, sizeof out - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
    return out;
}

static void some_lines(const kfk_log *log) {
    KFK_LOG(log, KFK_LOG_ERR, KFK_DBG_SECURITY, "h:1/1", "an error");
    KFK_LOG(log, KFK_LOG_WARNING, 0, NULL, "a warning");
    KFK_LOG(log, KFK_LOG_NOTICE, 0, NULL, "a notice");
    KFK_LOG(log, KFK_LOG_INFO, 0, NULL, "some info");
    KFK_DBG(log, KFK_DBG_BROKER, "h:1/1", "a broker debug line");
    KFK_DBG(log, KFK_DBG_MSG, NULL, "a msg debug line");
}

TEST(stderr_default) {
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    REQUIRE(conf);
    CHECK_EQ(kfk_conf_set(conf, "client.id", "cli", err, sizeof err), 0);
    kfk_log log;
    kfk_log_from_conf(&log, conf);
    const char *out = stderr_of(some_lines, &log);
    REQUIRE(out);
    CHECK(strstr(out, "%3|") && strstr(out, "|security|cli| h:1/1: an error\n"));
    CHECK(strstr(out, "%4|") && strstr(out, "|generic|cli| a warning\n"));
    CHECK(!strstr(out, "notice") && !strstr(out, "info") && !strstr(out, "debug"));
    CHECK_EQ(kfk_conf_set(conf, "debug", "broker", err, sizeof err), 0);
    kfk_log_from_conf(&log, conf);
    out = stderr_of(some_lines, &log);
    REQUIRE(out);
    CHECK(strstr(out, "%7|") && strstr(out, "|broker|cli| h:1/1: a broker debug line\n"));
    CHECK(!strstr(out, "msg debug") && !strstr(out, "notice"));
    kfk_conf_destroy(conf);
}
