/* Kerberos (SASL/GSSAPI) against the MIT KDC and broker that
 * `scripts/kafka-local up --kerberos` runs: records produced and read
 * back with a keytab (librdkafka's keys and the Java client's JAAS line),
 * with a ticket cache (kinit beforehand, and sasl.kerberos.kinit.cmd),
 * tickets that expire mid-run without a failed request, a wrong
 * principal named at once, a slow kinit command that does not stall the
 * I/O thread, and no key or kinit command in debug=all logs.
 *
 * Reads KFK_BOOTSTRAP_GSSAPI, KFK_BOOTSTRAP_GSSAPI_SSL, KFK_SSL_DIR,
 * KRB5_CONFIG, KFK_KRB5_CLIENT_PRINCIPAL, KFK_KRB5_CLIENT_KEYTAB,
 * KFK_KRB5_SHORT_PRINCIPAL, KFK_KRB5_SHORT_KEYTAB, KFK_KRB5_KDC_LOG,
 * KFK_KRB5_DIR (`scripts/kafka-local env --kerberos`); an unset one fails. */
#include <ctype.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/core_conf.h"
#include "it.h"
#include "log_it.h"

static const char *need(const char *name) {
    const char *v = getenv(name);
    if (!v || !*v)
        kfk_test_fail(__FILE__, __LINE__,
                      "%s is not set (eval \"$(scripts/kafka-local env --kerberos)\")", name);
    return v && *v ? v : NULL;
}

/* bootstrap plus settings (key, value pairs ending with NULL). */
static kfk_conf *krb_conf(const char *bootstrap, const char *const *kv) {
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    int bad = !bootstrap || kfk_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err);
    for (int i = 0; !bad && kv[i]; i += 2) {
        bad = !kv[i + 1] || kfk_conf_set(conf, kv[i], kv[i + 1], err, sizeof err);
        if (bad) kfk_test_fail(__FILE__, __LINE__, "%s: %s", kv[i], kv[i + 1] ? err : "unset");
    }
    if (bad) {
        kfk_conf_destroy(conf);
        return NULL;
    }
    return conf;
}

static kfk_core *krb_core(const char *bootstrap, const char *const *kv, char *err, size_t len) {
    kfk_conf *conf = krb_conf(bootstrap, kv);
    if (!conf) return NULL;
    kfk_core_conf cc;
    kfk_core_conf_from(&cc, conf);
    kfk_core *c = kfk_core_new(&cc, err, len);
    kfk_conf_destroy(conf);
    return c;
}

typedef struct tally {
    int ok, failed, last_err;
} tally;

static void delivered(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    tally *t = opaque;
    if (d->err) t->failed++, t->last_err = d->err;
    else t->ok++;
}

static kfk_producer *producer(const char *bootstrap, const char *const *kv, tally *t) {
    char err[320] = "";
    kfk_conf *conf = krb_conf(bootstrap, kv);
    if (!conf) return NULL;
    kfk_producer_callbacks cbs = {.delivery = delivered, .opaque = t};
    kfk_producer *p = kfk_producer_new(conf, &cbs, err, sizeof err);
    if (!p) {
        kfk_conf_destroy(conf);
        kfk_test_fail(__FILE__, __LINE__, "producer: %s", err);
    }
    return p;
}

enum { RECORDS = 10 };

/* Produces RECORDS to a new topic and reads them back, as a client
 * authenticated by Kerberos with settings kv. */
static void produce_and_consume(const char *what, const char *bootstrap, const char *const *kv) {
    char topic[128], err[320] = "";
    it_topic(topic, sizeof topic, what);
    kfk_core *c = krb_core(bootstrap, kv, err, sizeof err);
    if (!c) {
        kfk_test_fail(__FILE__, __LINE__, "%s: client: %s", what, err);
        return;
    }
    int rc = it_create_topic(c, topic, 1, err, sizeof err);
    kfk_core_destroy(c);
    if (rc) {
        kfk_test_fail(__FILE__, __LINE__, "%s: topic: %s (%s)", what, kfk_err_name(rc), err);
        return;
    }
    tally t = {0};
    kfk_producer *p = producer(bootstrap, kv, &t);
    REQUIRE(p);
    for (int i = 0; i < RECORDS; i++) {
        char v[16];
        int n = snprintf(v, sizeof v, "krb-%d", i);
        kfk_message m = {.topic = topic, .partition = 0, .value = v, .value_len = (size_t)n};
        CHECK_EQ(kfk_producer_send(p, &m, 0), 0);
    }
    CHECK_EQ(kfk_producer_flush(p, 20000), 0);
    kfk_producer_destroy(p);
    CHECK_EQ(t.ok, RECORDS);

    /* Read back as a group member: the coordinator's connection
     * authenticates too. */
    kfk_conf *conf = krb_conf(bootstrap, kv);
    REQUIRE(conf);
    CHECK_EQ(kfk_conf_set(conf, "group.id", topic, err, sizeof err), 0);
    CHECK_EQ(kfk_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof err), 0);
    kfk_consumer *cons = kfk_consumer_new(conf, err, sizeof err);
    if (!cons) {
        kfk_conf_destroy(conf);
        kfk_test_fail(__FILE__, __LINE__, "%s: consumer: %s", what, err);
        return;
    }
    const char *topics[] = {topic};
    CHECK_EQ(kfk_consumer_subscribe(cons, topics, 1), 0);
    char seen[RECORDS] = {0};
    int got = 0;
    int64_t end = it_now_ms() + 30000;
    while (got < RECORDS && it_now_ms() < end) {
        kfk_consumer_message *m = kfk_consumer_poll(cons, 500);
        int i = -1;
        /* "krb-0" .. "krb-9" */
        if (m && !m->err && m->value_len == 5 && !memcmp(m->value, "krb-", 4))
            i = ((const char *)m->value)[4] - '0';
        if (i >= 0 && i < RECORDS && !seen[i]) seen[i] = 1, got++;
        if (m) kfk_consumer_message_release(m);
    }
    kfk_consumer_destroy(cons);
    CHECK_EQ(got, RECORDS);
}

TEST(keytab_over_sasl_plaintext) {
    const char *kv[] = {"security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "GSSAPI",
                        "sasl.kerberos.keytab", need("KFK_KRB5_CLIENT_KEYTAB"),
                        "sasl.kerberos.principal", need("KFK_KRB5_CLIENT_PRINCIPAL"), NULL};
    produce_and_consume("gssapi-keytab", need("KFK_BOOTSTRAP_GSSAPI"), kv);
}

TEST(java_jaas_keytab_over_sasl_ssl) {
    char jaas[1024], ca[512];
    snprintf(jaas, sizeof jaas,
             "com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true "
             "storeKey=true keyTab=\"%s\" principal=\"%s\";",
             need("KFK_KRB5_CLIENT_KEYTAB"), need("KFK_KRB5_CLIENT_PRINCIPAL"));
    snprintf(ca, sizeof ca, "%s/ca.pem", need("KFK_SSL_DIR"));
    const char *kv[] = {"security.protocol", "SASL_SSL", "ssl.ca.location", ca,
                        "sasl.mechanism", "GSSAPI", "sasl.kerberos.service.name", "kafka",
                        "sasl.jaas.config", jaas, NULL};
    produce_and_consume("gssapi-jaas-ssl", need("KFK_BOOTSTRAP_GSSAPI_SSL"), kv);
}

TEST(ticket_cache_from_kinit_and_from_kinit_cmd) {
    const char *dir = need("KFK_KRB5_DIR"), *keytab = need("KFK_KRB5_CLIENT_KEYTAB"),
               *principal = need("KFK_KRB5_CLIENT_PRINCIPAL");
    REQUIRE(dir && keytab && principal);
    char cache[512], cmd[1536];
    /* kinit beforehand; kfk reads the cache KRB5CCNAME names. */
    snprintf(cache, sizeof cache, "FILE:%s/cache-%d", dir, (int)getpid());
    setenv("KRB5CCNAME", cache, 1);
    snprintf(cmd, sizeof cmd, "kinit -k -t '%s' '%s'", keytab, principal);
    REQUIRE(system(cmd) == 0);
    const char *cached[] = {"security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "GSSAPI",
                            "sasl.jaas.config",
                            "com.sun.security.auth.module.Krb5LoginModule required "
                            "useTicketCache=true;",
                            NULL};
    produce_and_consume("gssapi-cache", need("KFK_BOOTSTRAP_GSSAPI"), cached);
    snprintf(cmd, sizeof cmd, "kdestroy -c '%s'", cache);
    CHECK(system(cmd) == 0);

    /* An empty cache, filled by librdkafka's kinit command run by kfk. */
    snprintf(cache, sizeof cache, "FILE:%s/cache-cmd-%d", dir, (int)getpid());
    setenv("KRB5CCNAME", cache, 1);
    const char *kinit[] = {"security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "GSSAPI",
                           "sasl.kerberos.keytab", keytab, "sasl.kerberos.principal", principal,
                           "sasl.kerberos.kinit.cmd",
                           "kinit -t \"%{sasl.kerberos.keytab}\" -k %{sasl.kerberos.principal}",
                           NULL};
    produce_and_consume("gssapi-kinit-cmd", need("KFK_BOOTSTRAP_GSSAPI"), kinit);
    snprintf(cmd, sizeof cmd, "klist -s -c '%s'", cache); /* the command made the cache */
    CHECK(system(cmd) == 0);
    snprintf(cmd, sizeof cmd, "kdestroy -c '%s'", cache);
    CHECK(system(cmd) == 0);
    unsetenv("KRB5CCNAME");
}

/* Initial tickets (AS requests) the KDC issued to principal. */
static int as_requests(const char *principal) {
    const char *path = need("KFK_KRB5_KDC_LOG");
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f) return -1;
    char line[2048];
    int n = 0;
    while (fgets(line, sizeof line, f))
        if (strstr(line, "AS_REQ") && strstr(line, "ISSUE") && strstr(line, principal)) n++;
    fclose(f);
    return n;
}

TEST(tickets_expiring_mid_run_are_renewed_without_a_failed_request) {
    /* short@'s tickets live 60 s; the broker asks for re-authentication
     * every 20 s (connections.max.reauth.ms). Produce for 80 s. */
    const char *principal = need("KFK_KRB5_SHORT_PRINCIPAL");
    const char *kv[] = {"security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "GSSAPI",
                        "sasl.kerberos.keytab", need("KFK_KRB5_SHORT_KEYTAB"),
                        "sasl.kerberos.principal", principal, "linger.ms", "0", NULL};
    REQUIRE(principal);
    int before = as_requests(principal);
    char topic[128];
    it_topic(topic, sizeof topic, "gssapi-expiry");
    tally t = {0};
    kfk_producer *p = producer(need("KFK_BOOTSTRAP_GSSAPI"), kv, &t);
    REQUIRE(p);
    int sent = 0;
    for (int64_t end = it_now_ms() + 80000; it_now_ms() < end; sent++) {
        kfk_message m = {.topic = topic, .partition = KFK_PARTITION_ANY, .value = "tick",
                         .value_len = 4};
        CHECK_EQ(kfk_producer_send(p, &m, 0), 0);
        CHECK_EQ(kfk_producer_flush(p, 10000), 0);
        usleep(400 * 1000);
    }
    kfk_producer_destroy(p);
    int after = as_requests(principal);
    printf("     %d records, %d delivered, %d failed; %d new tickets from the KDC\n", sent, t.ok,
           t.failed, after - before);
    CHECK_EQ(t.failed, 0);
    CHECK_EQ(t.ok, sent);
    /* The first ticket expired at 60 s: kfk got another from the keytab. */
    CHECK(after - before >= 2);
}

TEST(wrong_principal_fails_at_once_naming_it) {
    char err[512] = "";
    const char *kv[] = {"security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "GSSAPI",
                        "sasl.kerberos.keytab", need("KFK_KRB5_CLIENT_KEYTAB"),
                        "sasl.kerberos.principal", "nobody@KFK.TEST",
                        "reconnect.backoff.max.ms", "4000", NULL};
    kfk_core *c = krb_core(need("KFK_BOOTSTRAP_GSSAPI"), kv, err, sizeof err);
    REQUIRE(c);
    int64_t t0 = it_now_ms();
    int rc = kfk_core_metadata_wait(c, NULL, 0, 8000, NULL, err, sizeof err);
    int64_t took = it_now_ms() - t0;
    printf("     -> %s: %s (%lld ms)\n", kfk_err_name(rc), err, (long long)took);
    CHECK(rc != 0);
    CHECK(strstr(err, "nobody@KFK.TEST") != NULL);
    CHECK(took < 3000);
    /* Not retried in a loop: one failure, then a hard backoff. */
    usleep(2000 * 1000);
    kfk_core_stats st;
    kfk_core_stats_get(c, &st);
    CHECK(st.auth_failures >= 1 && st.auth_failures <= 2);
    kfk_core_destroy(c);
}

/* -------------------------------------------- off the I/O thread, logs */

/* Statistics documents taken in [window_from, window_to) (monotonic ms). */
static atomic_int stats_seen;
static _Atomic int64_t window_from, window_to;

/* An admin client's statistics callback runs on its I/O thread. */
static void count_stats(const kfk_stats *s, const char *json, size_t len, void *opaque) {
    int64_t now = it_now_ms();
    if (now >= atomic_load(&window_from) && now < atomic_load(&window_to))
        atomic_fetch_add(&stats_seen, 1);
}

/* kinit and the KDC exchange run on a resolver thread: while a slow kinit
 * command runs (3 s), the client's I/O thread goes on (its statistics
 * timer fires every 100 ms), and the call that needs the broker answers
 * after it. */
TEST(a_slow_kinit_does_not_stall_the_io_thread) {
    const char *dir = need("KFK_KRB5_DIR"), *keytab = need("KFK_KRB5_CLIENT_KEYTAB"),
               *principal = need("KFK_KRB5_CLIENT_PRINCIPAL");
    REQUIRE(dir && keytab && principal);
    char cache[512], cmd[1536];
    snprintf(cache, sizeof cache, "FILE:%s/cache-slow-%d", dir, (int)getpid());
    setenv("KRB5CCNAME", cache, 1);
    const char *kv[] = {"security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "GSSAPI",
                        "sasl.kerberos.keytab", keytab, "sasl.kerberos.principal", principal,
                        "sasl.kerberos.kinit.cmd",
                        "sleep 3; kinit -t \"%{sasl.kerberos.keytab}\" -k "
                        "%{sasl.kerberos.principal}",
                        "statistics.interval.ms", "100", NULL};
    kfk_conf *conf = krb_conf(need("KFK_BOOTSTRAP_GSSAPI"), kv);
    REQUIRE(conf);
    kfk_conf_set_stats_cb(conf, count_stats, NULL);
    char err[320] = "";
    int64_t t0 = it_now_ms();
    atomic_store(&window_from, t0 + 500);
    atomic_store(&window_to, t0 + 2500);
    kfk_admin *a = kfk_admin_new(conf, err, sizeof err);
    if (!a) kfk_conf_destroy(conf);
    REQUIRE(a);
    kfk_admin_options o = {.timeout_ms = 20000};
    kfk_admin_result *res = kfk_admin_list_topics(a, 0, &o, NULL, NULL);
    int64_t took = it_now_ms() - t0;
    int during = atomic_load(&stats_seen);
    printf("     %d statistics documents in 2 s of kinit; topics listed after %lld ms\n", during,
           (long long)took);
    CHECK(res && res->err == 0);
    CHECK(during >= 8); /* about 20; none if kinit held the I/O thread */
    CHECK(took >= 3000); /* kinit did run first */
    kfk_admin_result_destroy(res);
    kfk_admin_destroy(a);
    snprintf(cmd, sizeof cmd, "kdestroy -c '%s'", cache);
    CHECK(system(cmd) == 0);
    unsetenv("KRB5CCNAME");
}

/* The client's long-term keys, as hex (klist -K), 32 characters or more. */
static int keytab_keys(const char *keytab, char keys[][129], int max) {
    char cmd[600], line[512];
    snprintf(cmd, sizeof cmd, "klist -k -K '%s'", keytab);
    FILE *f = popen(cmd, "r");
    int n = 0;
    while (f && fgets(line, sizeof line, f) && n < max) {
        const char *hex = strstr(line, "(0x");
        if (hex && sscanf(hex + 3, "%128[0-9a-fA-F]", keys[n]) == 1 && strlen(keys[n]) >= 32) n++;
    }
    if (f) pclose(f);
    return n;
}

/* With debug=all, a GSSAPI client logs its Kerberos steps, and no line
 * holds the keytab's keys (as hex either case) or the kinit command,
 * which may carry a password. */
TEST(no_kerberos_secret_in_the_logs) {
    const char *keytab = need("KFK_KRB5_CLIENT_KEYTAB"), *principal = need("KFK_KRB5_CLIENT_PRINCIPAL");
    REQUIRE(keytab && principal);
    char keys[4][129];
    int nkeys = keytab_keys(keytab, keys, 4);
    CHECK(nkeys >= 1);
    const char *kv[] = {"security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "GSSAPI",
                        "sasl.kerberos.keytab", keytab, "sasl.kerberos.principal", principal, NULL};
    log_capture cap;
    log_capture_init(&cap);
    CHECK_EQ(log_workload("gssapi-log", need("KFK_BOOTSTRAP_GSSAPI"), kv, "all", &cap),
             LOG_IT_RECORDS);
    CHECK(log_count(&cap, "security", "SASL GSSAPI: authenticated") > 0);
    CHECK(log_count(&cap, "security", "waiting for a blocking step") > 0);
    for (int i = 0; i < nkeys; i++) {
        char upper[129];
        for (size_t j = 0; j <= strlen(keys[i]); j++) upper[j] = (char)toupper(keys[i][j]);
        for (size_t j = 0; j <= strlen(keys[i]); j++) keys[i][j] = (char)tolower(keys[i][j]);
        char piece[17] = "";
        memcpy(piece, keys[i], 16); /* any 16 hex digits of a key would be a leak */
        CHECK_EQ(log_count(&cap, NULL, piece), 0);
        memcpy(piece, upper, 16);
        CHECK_EQ(log_count(&cap, NULL, piece), 0);
    }
    log_capture_free(&cap);

    /* A kinit command with a password in it: never logged, even failing. */
    const char *marker = "kinit-pw-5e7a1c";
    char cmd[256];
    snprintf(cmd, sizeof cmd, "echo %s >/dev/null; exit 2", marker);
    const char *bad[] = {"security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "GSSAPI",
                         "sasl.kerberos.kinit.cmd", cmd, "debug", "all", NULL};
    log_capture_init(&cap);
    kfk_conf *conf = krb_conf(need("KFK_BOOTSTRAP_GSSAPI"), bad);
    REQUIRE(conf);
    kfk_conf_set_log_cb(conf, log_capture_cb, &cap);
    char err[512];
    kfk_core_conf cc;
    kfk_core_conf_from(&cc, conf);
    setenv("KRB5CCNAME", "FILE:/nonexistent/kfk-no-cache", 1);
    kfk_core *c = kfk_core_new(&cc, err, sizeof err);
    kfk_conf_destroy(conf);
    REQUIRE(c);
    int rc = kfk_core_metadata_wait(c, NULL, 0, 8000, NULL, err, sizeof err);
    printf("     -> %s: %s\n", kfk_err_name(rc), err);
    CHECK(rc != 0);
    CHECK(strstr(err, "sasl.kerberos.kinit.cmd failed: exit status 2") != NULL);
    CHECK(strstr(err, marker) == NULL);
    kfk_core_destroy(c);
    unsetenv("KRB5CCNAME");
    CHECK(log_count(&cap, "security", "SASL failed") > 0);
    CHECK_EQ(log_count(&cap, NULL, marker), 0);
    log_capture_free(&cap);
}
