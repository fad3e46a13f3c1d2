/* rd_kafka_conf_* and rd_kafka_topic_conf_*: round trips, aliases, error
 * texts, and side by side with Debian's librdkafka 2.0.2 (loaded in its own
 * link-map namespace: it exports the same names as ours, and calls its own
 * through them). */
#include <dlfcn.h>
#include <librdkafka/rdkafka.h>
#include <stdlib.h>

#include "test.h"

#define DEBIAN_LIB "/usr/lib/x86_64-linux-gnu/librdkafka.so.1"

/* Debian's calls, resolved on its handle. */
static struct {
    void *h;
    rd_kafka_conf_t *(*conf_new)(void);
    void (*conf_destroy)(rd_kafka_conf_t *);
    rd_kafka_conf_res_t (*conf_set)(rd_kafka_conf_t *, const char *, const char *, char *,
                                    size_t);
    rd_kafka_conf_res_t (*conf_get)(const rd_kafka_conf_t *, const char *, char *, size_t *);
    const char **(*conf_dump)(rd_kafka_conf_t *, size_t *);
    const char **(*topic_conf_dump)(rd_kafka_topic_conf_t *, size_t *);
    rd_kafka_topic_conf_t *(*topic_conf_new)(void);
    void (*topic_conf_destroy)(rd_kafka_topic_conf_t *);
    rd_kafka_conf_res_t (*topic_conf_set)(rd_kafka_topic_conf_t *, const char *, const char *,
                                          char *, size_t);
    void (*dump_free)(const char **, size_t);
    void (*properties_show)(FILE *);
    /* the namespace's own libc, for the FILE properties_show writes */
    FILE *(*open_memstream)(char **, size_t *);
    int (*fclose)(FILE *);
    void (*free)(void *);
} deb;

static int load_debian(void) {
    if (deb.h) return 1;
    deb.h = dlmopen(LM_ID_NEWLM, DEBIAN_LIB, RTLD_NOW | RTLD_LOCAL);
    if (!deb.h) {
        kfk_test_fail(__FILE__, __LINE__, "dlopen %s: %s", DEBIAN_LIB, dlerror());
        return 0;
    }
#define SYM(field, name) *(void **)&deb.field = dlsym(deb.h, name)
    SYM(conf_new, "rd_kafka_conf_new");
    SYM(conf_destroy, "rd_kafka_conf_destroy");
    SYM(conf_set, "rd_kafka_conf_set");
    SYM(conf_get, "rd_kafka_conf_get");
    SYM(conf_dump, "rd_kafka_conf_dump");
    SYM(topic_conf_dump, "rd_kafka_topic_conf_dump");
    SYM(topic_conf_new, "rd_kafka_topic_conf_new");
    SYM(topic_conf_destroy, "rd_kafka_topic_conf_destroy");
    SYM(topic_conf_set, "rd_kafka_topic_conf_set");
    SYM(dump_free, "rd_kafka_conf_dump_free");
    SYM(properties_show, "rd_kafka_conf_properties_show");
    SYM(open_memstream, "open_memstream");
    SYM(fclose, "fclose");
    SYM(free, "free");
#undef SYM
    if (!deb.conf_new || !deb.conf_set || !deb.conf_dump || !deb.properties_show ||
        !deb.open_memstream || !deb.fclose || !deb.free ||
        (void *)deb.conf_new == (void *)rd_kafka_conf_new) {
        kfk_test_fail(__FILE__, __LINE__, "Debian's calls not resolved apart from ours");
        return 0;
    }
    return 1;
}

static const char *get(const rd_kafka_conf_t *c, const char *name, char *buf, size_t size) {
    size_t sz = size;
    if (rd_kafka_conf_get(c, name, buf, &sz) != RD_KAFKA_CONF_OK) return NULL;
    return buf;
}

TEST(set_get_and_aliases) {
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    char e[512], v[512];
    CHECK_EQ(rd_kafka_conf_set(c, "bootstrap.servers", "h1:9092,h2", e, sizeof e),
             RD_KAFKA_CONF_OK);
    CHECK_STR(get(c, "metadata.broker.list", v, sizeof v), "h1:9092,h2");
    CHECK_EQ(rd_kafka_conf_set(c, "linger.ms", "12", e, sizeof e), RD_KAFKA_CONF_OK);
    CHECK_STR(get(c, "queue.buffering.max.ms", v, sizeof v), "12");
    CHECK_EQ(rd_kafka_conf_set(c, "acks", "all", e, sizeof e), RD_KAFKA_CONF_OK);
    CHECK_STR(get(c, "request.required.acks", v, sizeof v), "-1");
    /* a topic property set on the global conf goes to the default topic conf */
    CHECK(rd_kafka_conf_get_default_topic_conf(c) != NULL);
    CHECK_EQ(rd_kafka_conf_set(c, "auto.offset.reset", "earliest", e, sizeof e),
             RD_KAFKA_CONF_OK);
    CHECK_STR(get(c, "auto.offset.reset", v, sizeof v), "smallest");
    CHECK_EQ(rd_kafka_conf_set(c, "security.protocol", "SASL_SSL", e, sizeof e),
             RD_KAFKA_CONF_OK);
    CHECK_STR(get(c, "security.protocol", v, sizeof v), "sasl_ssl");
    CHECK_EQ(rd_kafka_conf_set(c, "enable.idempotence", "T", e, sizeof e), RD_KAFKA_CONF_OK);
    CHECK_STR(get(c, "enable.idempotence", v, sizeof v), "true");
    CHECK_EQ(rd_kafka_conf_set(c, "debug", "broker,topic", e, sizeof e), RD_KAFKA_CONF_OK);
    CHECK_EQ(rd_kafka_conf_set(c, "debug", "-broker,+msg", e, sizeof e), RD_KAFKA_CONF_OK);
    CHECK_STR(get(c, "debug", v, sizeof v), "topic,msg");
    /* size query and truncation */
    size_t sz = 0;
    CHECK_EQ(rd_kafka_conf_get(c, "client.id", NULL, &sz), RD_KAFKA_CONF_OK);
    CHECK_EQ(sz, strlen("rdkafka") + 1);
    sz = 4;
    CHECK_EQ(rd_kafka_conf_get(c, "client.id", v, &sz), RD_KAFKA_CONF_OK);
    CHECK_STR(v, "rdk");
    /* unset string: unknown, as librdkafka */
    sz = sizeof v;
    CHECK_EQ(rd_kafka_conf_get(c, "group.id", v, &sz), RD_KAFKA_CONF_UNKNOWN);
    CHECK_EQ(rd_kafka_conf_get(c, "no.such", v, &sz), RD_KAFKA_CONF_UNKNOWN);
    rd_kafka_conf_destroy(c);
}

TEST(error_texts) {
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    char e[512];
    CHECK_EQ(rd_kafka_conf_set(c, "no.such.thing", "1", e, sizeof e), RD_KAFKA_CONF_UNKNOWN);
    CHECK_STR(e, "No such configuration property: \"no.such.thing\"");
    CHECK_EQ(rd_kafka_conf_set(c, "batch.size", "0", e, sizeof e), RD_KAFKA_CONF_INVALID);
    CHECK_STR(e, "Configuration property \"batch.size\" value 0 is outside allowed range "
                 "1..2147483647\n");
    CHECK_EQ(rd_kafka_conf_set(c, "linger.ms", "x", e, sizeof e), RD_KAFKA_CONF_INVALID);
    CHECK_STR(e, "Invalid value for configuration property \"queue.buffering.max.ms\"");
    CHECK_EQ(rd_kafka_conf_set(c, "compression.codec", "brotli", e, sizeof e),
             RD_KAFKA_CONF_INVALID);
    CHECK_STR(e, "Invalid value \"brotli\" for configuration property \"compression.codec\"");
    CHECK_EQ(rd_kafka_conf_set(c, "enable.auto.commit", "maybe", e, sizeof e),
             RD_KAFKA_CONF_INVALID);
    CHECK_STR(e, "Expected bool value for \"enable.auto.commit\": true or false");
    CHECK_EQ(rd_kafka_conf_set(c, "dr_msg_cb", "0x1", e, sizeof e), RD_KAFKA_CONF_INVALID);
    CHECK_STR(e, "Property \"dr_msg_cb\" must be set through dedicated .._set_..() function");
    CHECK_EQ(rd_kafka_conf_set(c, "partitioner", "nope", e, sizeof e), RD_KAFKA_CONF_INVALID);
    CHECK_STR(e, "Invalid value for configuration property \"partitioner\": nope");
    /* errstr may be NULL */
    CHECK_EQ(rd_kafka_conf_set(c, "no.such.thing", "1", NULL, 0), RD_KAFKA_CONF_UNKNOWN);
    rd_kafka_conf_destroy(c);
}

static void dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk, (void)m, (void)opaque;
}

static void errcb(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
    (void)rk, (void)err, (void)reason, (void)opaque;
}

static int dump_has(const char **arr, size_t cnt, const char *name, const char *value) {
    for (size_t i = 0; i + 1 < cnt; i += 2)
        if (!strcmp(arr[i], name)) return !value || !strcmp(arr[i + 1], value);
    return 0;
}

TEST(dup_and_filter) {
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    char e[512], v[512];
    int op = 7;
    rd_kafka_conf_set(c, "client.id", "me", e, sizeof e);
    rd_kafka_conf_set(c, "sasl.username", "u", e, sizeof e);
    rd_kafka_conf_set(c, "sasl.password", "p", e, sizeof e);
    rd_kafka_conf_set(c, "acks", "1", e, sizeof e);
    rd_kafka_conf_set_dr_msg_cb(c, dr);
    rd_kafka_conf_set_error_cb(c, errcb);
    rd_kafka_conf_set_opaque(c, &op);
    rd_kafka_conf_set_events(c, RD_KAFKA_EVENT_DR);

    rd_kafka_conf_t *d = rd_kafka_conf_dup(c);
    CHECK_STR(get(d, "client.id", v, sizeof v), "me");
    CHECK_STR(get(d, "sasl.password", v, sizeof v), "p");
    CHECK_STR(get(d, "acks", v, sizeof v), "1");
    CHECK_STR(get(d, "enabled_events", v, sizeof v), "1");
    CHECK(get(d, "dr_msg_cb", v, sizeof v) != NULL);
    CHECK(rd_kafka_conf_get_default_topic_conf(d) != rd_kafka_conf_get_default_topic_conf(c));
    rd_kafka_conf_destroy(d);

    const char *filter[] = {"sasl.", "dr_msg_cb", "default_topic_conf"};
    d = rd_kafka_conf_dup_filter(c, 3, filter);
    CHECK_STR(get(d, "client.id", v, sizeof v), "me");
    CHECK(get(d, "sasl.password", v, sizeof v) == NULL);
    CHECK(get(d, "dr_msg_cb", v, sizeof v) == NULL);
    CHECK(get(d, "error_cb", v, sizeof v) != NULL);
    CHECK(get(d, "opaque", v, sizeof v) != NULL);
    CHECK(rd_kafka_conf_get_default_topic_conf(d) == NULL);
    /* logging is on (the default) until set_log_cb(NULL) turns it off */
    CHECK(get(d, "log_cb", v, sizeof v) == NULL);
    rd_kafka_conf_set_log_cb(d, NULL);
    CHECK(get(d, "log_cb", v, sizeof v) != NULL);
    size_t cnt;
    const char **arr = rd_kafka_conf_dump(d, &cnt);
    CHECK(dump_has(arr, cnt, "client.id", "me"));
    CHECK(!dump_has(arr, cnt, "sasl.username", NULL));
    CHECK(dump_has(arr, cnt, "socket.timeout.ms", "60000"));
    rd_kafka_conf_dump_free(arr, cnt);
    rd_kafka_conf_destroy(d);
    rd_kafka_conf_destroy(c);
}

TEST(topic_conf) {
    rd_kafka_topic_conf_t *t = rd_kafka_topic_conf_new();
    char e[512], v[512];
    size_t sz = sizeof v;
    CHECK_EQ(rd_kafka_topic_conf_set(t, "topic.acks", "0", e, sizeof e), RD_KAFKA_CONF_OK);
    CHECK_EQ(rd_kafka_topic_conf_get(t, "request.required.acks", v, &sz), RD_KAFKA_CONF_OK);
    CHECK_STR(v, "0");
    CHECK_EQ(rd_kafka_topic_conf_set(t, "partitioner", "murmur2_random", e, sizeof e),
             RD_KAFKA_CONF_OK);
    CHECK_EQ(rd_kafka_topic_conf_set(t, "bootstrap.servers", "x", e, sizeof e),
             RD_KAFKA_CONF_UNKNOWN);
    CHECK_STR(e, "No such configuration property: \"bootstrap.servers\"");
    rd_kafka_topic_conf_t *d = rd_kafka_topic_conf_dup(t);
    size_t cnt;
    const char **arr = rd_kafka_topic_conf_dump(d, &cnt);
    CHECK(dump_has(arr, cnt, "partitioner", "murmur2_random"));
    CHECK(dump_has(arr, cnt, "request.required.acks", "0"));
    rd_kafka_conf_dump_free(arr, cnt);
    rd_kafka_topic_conf_destroy(d);

    rd_kafka_conf_t *c = rd_kafka_conf_new();
    rd_kafka_conf_set_default_topic_conf(c, t);
    CHECK(rd_kafka_conf_get_default_topic_conf(c) == t);
    sz = sizeof v;
    CHECK_EQ(rd_kafka_conf_get(c, "partitioner", v, &sz), RD_KAFKA_CONF_OK);
    CHECK_STR(v, "murmur2_random");
    rd_kafka_conf_destroy(c); /* owns t */
    CHECK_STR(rd_kafka_get_debug_contexts(), RD_KAFKA_DEBUG_CONTEXTS);
}

/* Every property Debian's dump lists, set to values of every kind: same
 * result, same errstr, same value read back (known differences apart). */
static const char *const probe_values[] = {
    "", "0", "1", "-1", "true", "F", "x", "  7", "12abc", "100000", "2147483648",
    "none", "gzip", "all", "earliest", "error", "ssl", "SASL_SSL", "broker,+topic", "0.5",
    "murmur2", "read_committed", "v4", "https", "0.8.2", "0.7.0", "a,b", "(", "a b",
    "0x10", "010", " 5", "5 ", "1e3", "+5", "TRUE", "t", "yes", "-all", "ALL", ",,", "inf",
    "nan", "-0.5", "99999999999", "consistent_random", "smallest, largest", "PLAIN",
};

/* kfk lacks these (the errors say so); Debian has them. */
static int known_difference(const char *name, const char *value) {
    static const char *const props[] = {
        "sasl.oauthbearer.method", "plugin.library.paths", "ssl.engine.location",
        "ssl.engine.id", "ssl.providers", "ssl.certificate.verify_cb",
        "ssl_engine_callback_data", NULL};
    for (int i = 0; props[i]; i++)
        if (!strcmp(name, props[i])) return 1;
    if (!strcmp(name, "builtin.features")) return 1;
    /* pointers print differently */
    if (!strcmp(name, "ut_handle_ProduceResponse") && *value) return 1;
    (void)value;
    return 0;
}

static void compare_set(const char *name, const char *value, int topic_only) {
    char e1[512] = "", e2[512] = "", v1[512] = "", v2[512] = "";
    rd_kafka_conf_res_t r1, r2;
    size_t s1 = sizeof v1, s2 = sizeof v2;
    rd_kafka_conf_res_t g1, g2;
    if (topic_only) {
        rd_kafka_topic_conf_t *a = rd_kafka_topic_conf_new(), *b = deb.topic_conf_new();
        r1 = rd_kafka_topic_conf_set(a, name, value, e1, sizeof e1);
        r2 = deb.topic_conf_set(b, name, value, e2, sizeof e2);
        g1 = rd_kafka_topic_conf_get(a, name, v1, &s1);
        g2 = RD_KAFKA_CONF_UNKNOWN;
        rd_kafka_conf_res_t (*tget)(const rd_kafka_topic_conf_t *, const char *, char *,
                                    size_t *);
        *(void **)&tget = dlsym(deb.h, "rd_kafka_topic_conf_get");
        if (tget) g2 = tget(b, name, v2, &s2);
        rd_kafka_topic_conf_destroy(a);
        deb.topic_conf_destroy(b);
    } else {
        rd_kafka_conf_t *a = rd_kafka_conf_new(), *b = deb.conf_new();
        r1 = rd_kafka_conf_set(a, name, value, e1, sizeof e1);
        r2 = deb.conf_set(b, name, value, e2, sizeof e2);
        g1 = rd_kafka_conf_get(a, name, v1, &s1);
        g2 = deb.conf_get(b, name, v2, &s2);
        rd_kafka_conf_destroy(a);
        deb.conf_destroy(b);
    }
    if (r1 != r2 || strcmp(e1, e2))
        kfk_test_fail(__FILE__, __LINE__, "set %s=\"%s\": ours %d \"%s\", librdkafka %d \"%s\"",
                      name, value, r1, e1, r2, e2);
    /* callbacks librdkafka sets by default print as pointers */
    if (g1 != g2 && !(g2 == RD_KAFKA_CONF_OK &&
                      (!strcmp(name, "log_cb") || !strcmp(name, "socket_cb") ||
                       !strcmp(name, "open_cb"))))
        kfk_test_fail(__FILE__, __LINE__, "get %s after \"%s\": ours %d, librdkafka %d", name,
                      value, g1, g2);
    else if (g1 == RD_KAFKA_CONF_OK && g2 == RD_KAFKA_CONF_OK && strcmp(v1, v2) &&
             strncmp(v1, "0x", 2))
        kfk_test_fail(__FILE__, __LINE__, "get %s after \"%s\": ours \"%s\", librdkafka \"%s\"",
                      name, value, v1, v2);
}

TEST(set_side_by_side_with_librdkafka) {
    REQUIRE(load_debian());
    rd_kafka_conf_t *b = deb.conf_new();
    rd_kafka_topic_conf_t *bt = deb.topic_conf_new();
    size_t cnt, tcnt;
    const char **arr = deb.conf_dump(b, &cnt);
    const char **tarr = deb.topic_conf_dump(bt, &tcnt);
    REQUIRE(cnt > 100 && tcnt > 10);
    int compared = 0;
    const char *extra[] = {"bootstrap.servers", "linger.ms", "acks", "retries",
                           "compression.type", "max.in.flight", "sasl.mechanism",
                           "delivery.timeout.ms", "topic.acks", "topic.blacklist",
                           "ssl.truststore.location", "sasl.jaas.config", "interceptors",
                           "dr_msg_cb", "no.such", "topic.no.such", "enable.auto.commit",
                           "auto.offset.reset", "partitioner", "group.id", "opaque", NULL};
    for (size_t n = 0; n < sizeof probe_values / sizeof probe_values[0]; n++) {
        for (size_t i = 0; i < cnt; i += 2) {
            if (known_difference(arr[i], probe_values[n])) continue;
            compare_set(arr[i], probe_values[n], 0);
            compared++;
        }
        for (size_t i = 0; i < tcnt; i += 2) {
            compare_set(tarr[i], probe_values[n], 1);
            compare_set(tarr[i], probe_values[n], 0);
            compared += 2;
        }
        for (int i = 0; extra[i]; i++) {
            compare_set(extra[i], probe_values[n], 0);
            compared++;
        }
    }
    CHECK(compared > 3000);
    deb.dump_free(arr, cnt);
    deb.dump_free(tarr, tcnt);
    deb.conf_destroy(b);
    deb.topic_conf_destroy(bt);
}

/* The same names in the same order with the same defaults. */
TEST(dump_matches_librdkafka) {
    REQUIRE(load_debian());
    for (int topic = 0; topic < 2; topic++) {
        size_t c1, c2;
        const char **a1, **a2;
        rd_kafka_conf_t *o = NULL, *d = NULL;
        rd_kafka_topic_conf_t *ot = NULL, *dt = NULL;
        if (topic) {
            ot = rd_kafka_topic_conf_new();
            dt = deb.topic_conf_new();
            a1 = rd_kafka_topic_conf_dump(ot, &c1);
            a2 = deb.topic_conf_dump(dt, &c2);
        } else {
            o = rd_kafka_conf_new();
            d = deb.conf_new();
            a1 = rd_kafka_conf_dump(o, &c1);
            a2 = deb.conf_dump(d, &c2);
        }
        size_t i = 0, j = 0;
        while (i < c1 && j < c2) {
            /* pointers librdkafka sets by default */
            if (!strncmp(a2[j + 1], "0x", 2) && strcmp(a1[i], a2[j])) {
                j += 2;
                continue;
            }
            if (strcmp(a1[i], a2[j]))
                kfk_test_fail(__FILE__, __LINE__, "dump[%zu]: ours %s, librdkafka %s", i, a1[i],
                              a2[j]);
            else if (strcmp(a1[i + 1], a2[j + 1]) && strcmp(a1[i], "builtin.features"))
                kfk_test_fail(__FILE__, __LINE__, "dump %s: ours \"%s\", librdkafka \"%s\"",
                              a1[i], a1[i + 1], a2[j + 1]);
            i += 2;
            j += 2;
        }
        CHECK_EQ(i, c1);
        CHECK_EQ(j, c2);
        rd_kafka_conf_dump_free(a1, c1);
        deb.dump_free(a2, c2);
        if (topic) {
            rd_kafka_topic_conf_destroy(ot);
            deb.topic_conf_destroy(dt);
        } else {
            rd_kafka_conf_destroy(o);
            deb.conf_destroy(d);
        }
    }
}

/* properties_show: the same rows (name, C/P, range, default, importance)
 * and type, with our own descriptions. */
static char *show(void (*fn)(FILE *), FILE *(*open_ms)(char **, size_t *), int (*close)(FILE *)) {
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_ms(&buf, &len);
    if (!fp) return NULL;
    fn(fp);
    close(fp);
    return buf;
}

TEST(properties_show_matches_librdkafka) {
    REQUIRE(load_debian());
    char *ours = show(rd_kafka_conf_properties_show, open_memstream, fclose);
    char *theirs = show(deb.properties_show, deb.open_memstream, deb.fclose);
    REQUIRE(ours && theirs);
    char *s1, *s2;
    char *l1 = strtok_r(ours, "\n", &s1), *l2 = strtok_r(theirs, "\n", &s2);
    int rows = 0;
    for (; l1 && l2; l1 = strtok_r(NULL, "\n", &s1), l2 = strtok_r(NULL, "\n", &s2), rows++) {
        if (!strncmp(l1, "builtin.features", 16)) continue;
        /* up to the description column */
        const char *p1 = l1, *p2 = l2;
        for (int bars = 0; *p1 && bars < 5; p1++) bars += (*p1 == '|');
        for (int bars = 0; *p2 && bars < 5; p2++) bars += (*p2 == '|');
        if (p1 - l1 != p2 - l2 || strncmp(l1, l2, (size_t)(p1 - l1)))
            kfk_test_fail(__FILE__, __LINE__, "row differs:\n ours   %.*s\n theirs %.*s",
                          (int)(p1 - l1), l1, (int)(p2 - l2), l2);
        const char *t1 = strstr(l1, "*Type:"), *t2 = strstr(l2, "*Type:");
        if ((t1 || t2) && (!t1 || !t2 || strcmp(t1, t2)))
            kfk_test_fail(__FILE__, __LINE__, "type differs: %s / %s", l1, l2);
    }
    CHECK(l1 == NULL && l2 == NULL);
    CHECK(rows > 170);
    free(ours);
    deb.free(theirs);
}

/* Sequences of sets (flags add up, aliases share a value, topic
 * properties land in the default topic conf) leave the same dumps. */
TEST(set_sequences_match_librdkafka) {
    REQUIRE(load_debian());
    static const char *const names[] = {
        "debug", "linger.ms", "queue.buffering.max.ms", "acks", "topic.acks",
        "request.required.acks", "compression.codec", "compression.type",
        "topic.compression.codec", "auto.offset.reset", "enable.auto.commit",
        "auto.commit.enable", "client.id", "bootstrap.servers", "metadata.broker.list",
        "security.protocol", "builtin.features", "partitioner", "retries",
        "message.send.max.retries", "group.id", "max.in.flight", "sasl.mechanism"};
    static const char *const values[] = {"", "1", "0", "all", "broker,topic", "-broker",
                                         "+msg,cgrp", "gzip", "inherit", "earliest", "error",
                                         "true", "x", "h:1", "SSL", "gzip,lz4", "murmur2",
                                         "5", "PLAIN", "-1"};
    unsigned seed = 1;
    for (int round = 0; round < 40; round++) {
        rd_kafka_conf_t *a = rd_kafka_conf_new(), *b = deb.conf_new();
        for (int op = 0; op < 30; op++) {
            seed = seed * 1103515245u + 12345;
            const char *n = names[(seed >> 16) % (sizeof names / sizeof names[0])];
            seed = seed * 1103515245u + 12345;
            const char *v = values[(seed >> 16) % (sizeof values / sizeof values[0])];
            if (!strcmp(n, "builtin.features") && (!strcmp(v, "gzip") || !strcmp(v, "gzip,lz4")))
                ; /* both have these */
            else if (!strcmp(n, "builtin.features"))
                continue;
            char e1[512] = "", e2[512] = "";
            int r1 = rd_kafka_conf_set(a, n, v, e1, sizeof e1);
            int r2 = deb.conf_set(b, n, v, e2, sizeof e2);
            if (r1 != r2 || strcmp(e1, e2))
                kfk_test_fail(__FILE__, __LINE__, "round %d set %s=%s: %d \"%s\" / %d \"%s\"",
                              round, n, v, r1, e1, r2, e2);
        }
        size_t c1, c2;
        const char **d1 = rd_kafka_conf_dump(a, &c1), **d2 = deb.conf_dump(b, &c2);
        for (size_t i = 0; i + 1 < c1; i += 2) {
            if (!strncmp(d1[i + 1], "0x", 2) || !strcmp(d1[i], "builtin.features")) continue;
            size_t j;
            for (j = 0; j + 1 < c2 && strcmp(d1[i], d2[j]); j += 2)
                ;
            if (j + 1 >= c2 || strcmp(d1[i + 1], d2[j + 1]))
                kfk_test_fail(__FILE__, __LINE__, "round %d: %s = \"%s\" / \"%s\"", round, d1[i],
                              d1[i + 1], j + 1 < c2 ? d2[j + 1] : "(absent)");
        }
        rd_kafka_conf_dump_free(d1, c1);
        deb.dump_free(d2, c2);
        /* the default topic confs, made by the same sets */
        rd_kafka_topic_conf_t *(*deb_tconf)(rd_kafka_conf_t *);
        *(void **)&deb_tconf = dlsym(deb.h, "rd_kafka_conf_get_default_topic_conf");
        REQUIRE(deb_tconf != NULL);
        rd_kafka_topic_conf_t *ta = rd_kafka_conf_get_default_topic_conf(a), *tb = deb_tconf(b);
        CHECK((ta == NULL) == (tb == NULL));
        if (ta && tb) {
            d1 = rd_kafka_topic_conf_dump(ta, &c1);
            d2 = deb.topic_conf_dump(tb, &c2);
            CHECK_EQ(c1, c2);
            for (size_t i = 0; i + 1 < c1 && i + 1 < c2; i += 2)
                if (strcmp(d1[i], d2[i]) || strcmp(d1[i + 1], d2[i + 1]))
                    kfk_test_fail(__FILE__, __LINE__, "round %d topic: %s=%s / %s=%s", round,
                                  d1[i], d1[i + 1], d2[i], d2[i + 1]);
            rd_kafka_conf_dump_free(d1, c1);
            deb.dump_free(d2, c2);
        }
        rd_kafka_conf_destroy(a);
        deb.conf_destroy(b);
    }
}

/* dup_filter keeps what librdkafka's keeps. */
TEST(dup_filter_matches_librdkafka) {
    REQUIRE(load_debian());
    rd_kafka_conf_t *(*deb_dup_filter)(const rd_kafka_conf_t *, size_t, const char **);
    rd_kafka_topic_conf_t *(*deb_tconf)(rd_kafka_conf_t *);
    *(void **)&deb_dup_filter = dlsym(deb.h, "rd_kafka_conf_dup_filter");
    *(void **)&deb_tconf = dlsym(deb.h, "rd_kafka_conf_get_default_topic_conf");
    REQUIRE(deb_dup_filter && deb_tconf);
    static const char *const props[] = {"client.id", "me", "sasl.username", "u",
                                        "sasl.password", "p", "socket.timeout.ms", "1234",
                                        "acks", "0", "debug", "broker", NULL};
    static const char *filters[][3] = {{"sasl.", NULL}, {"s", "client", NULL},
                                       {"default_topic_conf", NULL}, {"", NULL}, {NULL}};
    for (int f = 0; f < 5; f++) {
        rd_kafka_conf_t *a = rd_kafka_conf_new(), *b = deb.conf_new();
        char e[512];
        for (int i = 0; props[i]; i += 2) {
            rd_kafka_conf_set(a, props[i], props[i + 1], e, sizeof e);
            deb.conf_set(b, props[i], props[i + 1], e, sizeof e);
        }
        size_t n = 0;
        while (filters[f][n]) n++;
        rd_kafka_conf_t *da = rd_kafka_conf_dup_filter(a, n, filters[f]);
        rd_kafka_conf_t *db = deb_dup_filter(b, n, filters[f]);
        size_t c1, c2;
        const char **d1 = rd_kafka_conf_dump(da, &c1), **d2 = deb.conf_dump(db, &c2);
        for (size_t i = 0; i + 1 < c1; i += 2) {
            if (!strcmp(d1[i], "builtin.features") || !strncmp(d1[i + 1], "0x", 2)) continue;
            size_t j;
            for (j = 0; j + 1 < c2 && strcmp(d1[i], d2[j]); j += 2)
                ;
            if (j + 1 >= c2 || strcmp(d1[i + 1], d2[j + 1]))
                kfk_test_fail(__FILE__, __LINE__, "filter %d: %s = \"%s\" / \"%s\"", f, d1[i],
                              d1[i + 1], j + 1 < c2 ? d2[j + 1] : "(absent)");
        }
        /* and nothing more: the same count of plain values */
        size_t n1 = 0, n2 = 0;
        for (size_t i = 0; i + 1 < c1; i += 2) n1 += strncmp(d1[i + 1], "0x", 2) != 0;
        for (size_t i = 0; i + 1 < c2; i += 2) n2 += strncmp(d2[i + 1], "0x", 2) != 0;
        CHECK_EQ(n1, n2);
        CHECK_EQ(rd_kafka_conf_get_default_topic_conf(da) == NULL, deb_tconf(db) == NULL);
        rd_kafka_conf_dump_free(d1, c1);
        deb.dump_free(d2, c2);
        rd_kafka_conf_destroy(da);
        deb.conf_destroy(db);
        rd_kafka_conf_destroy(a);
        deb.conf_destroy(b);
    }
}
