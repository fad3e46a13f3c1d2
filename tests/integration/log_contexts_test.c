/* Debug contexts against the real broker: with debug=all every context
 * logs; a single context logs only its own lines (broker lines name the
 * broker as host:port/id); without debug nothing at level 7 arrives, and
 * on stderr (no callback) only warnings and errors. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log_it.h"

/* Every line's context is one of allowed (a comma-separated list), or it
 * is not a debug line. */
static int only_contexts(log_capture *cap, const char *allowed) {
    int bad = 0;
    pthread_mutex_lock(&cap->lock);
    for (int i = 0; i < cap->n; i++) {
        if (cap->lines[i].level != KFK_LOG_DEBUG) continue;
        char want[64];
        snprintf(want, sizeof want, ",%s,", cap->lines[i].context);
        char list[128];
        snprintf(list, sizeof list, ",%s,", allowed);
        if (!strstr(list, want)) {
            if (bad++ < 3)
                kfk_test_fail(__FILE__, __LINE__, "unexpected %s line: %s", cap->lines[i].context,
                              cap->lines[i].message);
        }
    }
    pthread_mutex_unlock(&cap->lock);
    return bad;
}

TEST(every_context_logs_with_all) {
    const char *bootstrap = it_bootstrap();
    REQUIRE(bootstrap);
    log_capture cap;
    log_capture_init(&cap);
    CHECK_EQ(log_workload("log-all", bootstrap, NULL, "all", &cap), LOG_IT_RECORDS);
    static const char *const contexts[] = {"generic", "broker", "topic", "metadata", "protocol",
                                           "msg",     "fetch",  "cgrp",  "eos",      "admin"};
    for (size_t i = 0; i < sizeof contexts / sizeof contexts[0]; i++) {
        int n = log_count(&cap, contexts[i], NULL);
        if (n == 0) kfk_test_fail(__FILE__, __LINE__, "no %s line with debug=all", contexts[i]);
    }
    /* what the lines say, one sample per context */
    CHECK(log_count(&cap, "broker", "ApiVersions v") > 0);
    CHECK(log_count(&cap, "protocol", "sent Produce v") > 0);
    CHECK(log_count(&cap, "protocol", "(correlation id ") > 0);
    CHECK(log_count(&cap, "msg", "acked at offset") > 0);
    CHECK(log_count(&cap, "eos", "producer id") > 0);
    CHECK(log_count(&cap, "cgrp", "JoinGroup") > 0);
    CHECK(log_count(&cap, "cgrp", "commit ") > 0);
    CHECK(log_count(&cap, "fetch", "Fetch") > 0);
    CHECK(log_count(&cap, "admin", "CreateTopics") > 0);
    CHECK(log_count(&cap, "topic", "leader") > 0);
    CHECK(log_count(&cap, "metadata", "Metadata") > 0);
    log_capture_free(&cap);
}

TEST(broker_context_alone) {
    const char *bootstrap = it_bootstrap();
    REQUIRE(bootstrap);
    log_capture cap;
    log_capture_init(&cap);
    CHECK_EQ(log_workload("log-broker", bootstrap, NULL, "broker", &cap), LOG_IT_RECORDS);
    CHECK_EQ(only_contexts(&cap, "broker"), 0);
    /* "host:port/id: connected to ...": the bootstrap's pseudo id (negative)
     * first, the node's id once metadata named it */
    char connected[300], known[300];
    snprintf(connected, sizeof connected, "%s/-1: connected to ", bootstrap);
    snprintf(known, sizeof known, "%s/1: ", bootstrap);
    CHECK(log_count(&cap, "broker", connected) > 0);
    CHECK(log_count(&cap, "broker", known) > 0);
    CHECK(log_count(&cap, "broker", ": connecting to ") > 0);
    /* every broker line names its broker */
    CHECK_EQ(log_count(&cap, "broker", NULL), log_count(&cap, "broker", "127.0.0.1:"));
    log_capture_free(&cap);
}

TEST(consumer_is_cgrp) {
    const char *bootstrap = it_bootstrap();
    REQUIRE(bootstrap);
    log_capture cap;
    log_capture_init(&cap);
    CHECK_EQ(log_workload("log-cgrp", bootstrap, NULL, "consumer,fetch", &cap), LOG_IT_RECORDS);
    CHECK_EQ(only_contexts(&cap, "cgrp,fetch"), 0);
    CHECK(log_count(&cap, "cgrp", "synced") > 0);
    CHECK(log_count(&cap, "cgrp", "assigned ") > 0);
    CHECK(log_count(&cap, "fetch", "fetching from offset") > 0);
    log_capture_free(&cap);
}

TEST(no_debug_no_debug_lines) {
    const char *bootstrap = it_bootstrap();
    REQUIRE(bootstrap);
    log_capture cap;
    log_capture_init(&cap);
    CHECK_EQ(log_workload("log-none", bootstrap, NULL, NULL, &cap), LOG_IT_RECORDS);
    pthread_mutex_lock(&cap.lock);
    for (int i = 0; i < cap.n; i++)
        if (cap.lines[i].level > KFK_LOG_INFO)
            kfk_test_fail(__FILE__, __LINE__, "level %d line without debug: %s", cap.lines[i].level,
                          cap.lines[i].message);
    pthread_mutex_unlock(&cap.lock);
    log_capture_free(&cap);
}

/* Without a callback: stderr, warnings and errors only (and debug lines
 * turned on, in librdkafka's format). */
static char *stderr_of_workload(const char *what, const char *bootstrap, const char *debug,
                                int *got) {
    static char out[1 << 20];
    char path[] = "/tmp/kfk-log-it-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return NULL;
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    *got = log_workload(what, bootstrap, NULL, debug, NULL);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    ssize_t n = pread(fd, out, sizeof out - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
    return out;
}

TEST(stderr_default) {
    const char *bootstrap = it_bootstrap();
    REQUIRE(bootstrap);
    int got = 0;
    char *out = stderr_of_workload("log-stderr", bootstrap, NULL, &got);
    REQUIRE(out);
    CHECK_EQ(got, LOG_IT_RECORDS);
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"))
        if (!(line[0] == '%' && line[1] >= '0' && line[1] <= '4' && line[2] == '|'))
            kfk_test_fail(__FILE__, __LINE__, "stderr without debug: %s", line);
    out = stderr_of_workload("log-stderr-dbg", bootstrap, "broker", &got);
    REQUIRE(out);
    CHECK_EQ(got, LOG_IT_RECORDS);
    char want[300];
    snprintf(want, sizeof want, "|broker|kfk| %s/-1: connected to ", bootstrap);
    CHECK(strstr(out, "%7|") != NULL);
    CHECK(strstr(out, want) != NULL);
    CHECK(strstr(out, "|fetch|") == NULL && strstr(out, "|msg|") == NULL);
}

/* Nothing listens: each failed attempt says why and how long it waits. */
TEST(disconnect_reason_and_backoff) {
    log_capture cap;
    log_capture_init(&cap);
    const char *kv[] = {"reconnect.backoff.ms", "20", "reconnect.backoff.max.ms", "100", NULL};
    kfk_conf *conf = log_conf("127.0.0.1:1", kv, "broker", &cap);
    REQUIRE(conf);
    char err[256];
    kfk_admin *a = kfk_admin_new(conf, err, sizeof err);
    REQUIRE(a);
    kfk_admin_options o = {.timeout_ms = 1500};
    kfk_admin_result *res = kfk_admin_list_topics(a, 0, &o, NULL, NULL);
    CHECK(res && res->err != 0);
    kfk_admin_result_destroy(res);
    kfk_admin_destroy(a);
    CHECK(log_count(&cap, "broker", "127.0.0.1:1/-1: connecting to 127.0.0.1:1") > 0);
    CHECK(log_count(&cap, "broker", "127.0.0.1:1/-1: disconnected: connect to 127.0.0.1:1") > 0);
    CHECK(log_count(&cap, "broker", "Connection refused") > 0);
    CHECK(log_count(&cap, "broker", "; reconnect backoff ") > 0);
    CHECK(log_count(&cap, "broker", "reconnect backoff over") > 0);
    CHECK_EQ(only_contexts(&cap, "broker"), 0);
    log_capture_free(&cap);
}
