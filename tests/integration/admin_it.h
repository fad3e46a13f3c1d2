/* Helpers for the admin client's tests against a real broker: the admin
 * client itself, and kcat as the independent reader and writer. */
#ifndef KFK_ADMIN_IT_H
#define KFK_ADMIN_IT_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "it.h"
#include "kfk.h"

/* An admin client on bootstrap with settings (key, value pairs,
 * NULL-terminated; may be NULL). */
static inline kfk_admin *admin_new_with(const char *bootstrap, const char *const *settings) {
    if (!bootstrap) return NULL;
    char err[256] = "";
    kfk_conf *conf = kfk_conf_new();
    int rc = kfk_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err) ||
             kfk_conf_set(conf, "client.id", "kfk-admin-it", err, sizeof err);
    for (int i = 0; !rc && settings && settings[i]; i += 2)
        rc = kfk_conf_set(conf, settings[i], settings[i + 1], err, sizeof err);
    if (rc) {
        kfk_test_fail(__FILE__, __LINE__, "conf: %s", err);
        kfk_conf_destroy(conf);
        return NULL;
    }
    kfk_admin *a = kfk_admin_new(conf, err, sizeof err);
    if (!a) {
        kfk_test_fail(__FILE__, __LINE__, "kfk_admin_new: %s", err);
        kfk_conf_destroy(conf);
    }
    return a;
}

static inline kfk_admin *admin_new_on(const char *bootstrap) {
    return admin_new_with(bootstrap, NULL);
}

static inline kfk_admin *admin_new(void) { return admin_new_on(it_bootstrap()); }

/* Runs a shell command; its stdout (up to cap bytes) goes to out. Returns
 * the exit status, -1 if it could not run. */
static inline int admin_sh(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline int admin_sh(char *out, size_t cap, const char *fmt, ...) {
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    FILE *f = popen(cmd, "r");
    if (!f) return -1;
    size_t n = 0;
    if (out && cap) {
        n = fread(out, 1, cap - 1, f);
        out[n] = '\0';
    }
    char sink[4096];
    while (fread(sink, 1, sizeof sink, f) > 0) {
    }
    int st = pclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static inline void admin_sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static inline kfk_admin_result *admin_describe_topic(kfk_admin *a, const char *topic) {
    const char *names[] = {topic};
    return kfk_admin_describe_topics(a, names, 1, NULL, NULL, NULL);
}

/* Polls (up to 30 s) until the topic has nparts partitions, each with a
 * leader and want in-sync replicas. 1 when it did. */
static inline int admin_wait_isr(kfk_admin *a, const char *topic, int nparts, int want) {
    for (int i = 0; i < 150; i++) {
        kfk_admin_result *r = admin_describe_topic(a, topic);
        int ok = r && r->err == 0 && r->topics[0].err == 0 && r->topics[0].npartitions == nparts;
        for (int p = 0; ok && p < nparts; p++)
            ok = r->topics[0].partitions[p].nisr == want && r->topics[0].partitions[p].leader >= 0;
        kfk_admin_result_destroy(r);
        if (ok) return 1;
        admin_sleep_ms(200);
    }
    return 0;
}

/* The partition count kcat -L reports for topic, or -1 if it does not
 * list the topic (or reports an error for it). */
static inline int admin_kcat_partitions(const char *topic) {
    char out[8192];
    if (admin_sh(out, sizeof out, "kcat -b %s -L -t %s -m 10 2>/dev/null", it_bootstrap(),
                 topic))
        return -1;
    char pat[512];
    snprintf(pat, sizeof pat, "topic \"%s\" with ", topic);
    const char *p = strstr(out, pat);
    if (!p || strstr(p, "Broker: Unknown topic")) return -1;
    return atoi(p + strlen(pat));
}

/* Polls kcat -L until it reports want partitions (a broker's metadata
 * may trail the controller's for a moment); returns the last count. */
static inline int admin_kcat_wait_partitions(const char *topic, int want) {
    int got = -1;
    for (int i = 0; i < 25 && got != want; i++) {
        got = admin_kcat_partitions(topic);
        if (got != want) admin_sleep_ms(200);
    }
    return got;
}

/* Produces n records "m0".."m<n-1>" to topic/partition with kcat. */
static inline int admin_kcat_produce(const char *topic, int partition, int n) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "kcat -b %s -P -t %s -p %d -q", it_bootstrap(), topic, partition);
    FILE *f = popen(cmd, "w");
    if (!f) return -1;
    for (int i = 0; i < n; i++) fprintf(f, "m%d\n", i);
    int st = pclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Each partition's offset at ts (-1: the end, -2: the start) as kcat -Q
 * (librdkafka) finds it, into out[0..n); -99 where it says nothing. */
static inline int admin_kcat_offsets(const char *topic, int n, int ts, int64_t *out) {
    char cmd[2048];
    int len = snprintf(cmd, sizeof cmd, "kcat -b %s -Q", it_bootstrap());
    for (int p = 0; p < n; p++)
        len += snprintf(cmd + len, sizeof cmd - (size_t)len, " -t %s:%d:%d", topic, p, ts);
    char text[8192];
    if (admin_sh(text, sizeof text, "%s 2>/dev/null", cmd)) return -1;
    for (int p = 0; p < n; p++) out[p] = -99;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        int part;
        long long off;
        const char *at = strstr(line, " [");
        if (at && sscanf(at, " [%d] offset %lld", &part, &off) == 2 && part >= 0 && part < n)
            out[part] = off;
    }
    return 0;
}

/* Creates topic (partitions, replication factor 1) with the admin client. */
static inline int admin_create(kfk_admin *a, const char *topic, int partitions) {
    kfk_new_topic t = {.name = topic, .partitions = partitions, .replication_factor = 1};
    kfk_admin_result *r = kfk_admin_create_topics(a, &t, 1, NULL, NULL, NULL);
    int err = !r ? KFK_ERR_NOMEM : r->err ? r->err : r->items[0].err;
    if (err)
        kfk_test_fail(__FILE__, __LINE__, "create %s: %s", topic,
                      r && r->nitems ? (r->items[0].errstr ? r->items[0].errstr : "")
                                     : (r && r->errstr ? r->errstr : "no result"));
    kfk_admin_result_destroy(r);
    return err;
}

#endif
