/* Kerberos (SASL/GSSAPI) against the MIT KDC and broker that
 * `scripts/kafka-local up --kerberos` runs: records produced and read
 * back with a keytab (librdkafka's keys and the Java client's JAAS line),
 * with a ticket cache (kinit beforehand, and sasl.kerberos.kinit.cmd),
 * tickets that expire mid-run without a failed request, and a wrong
 * principal named at once.
 *
 * Reads KFK_BOOTSTRAP_GSSAPI, KFK_BOOTSTRAP_GSSAPI_SSL, KFK_SSL_DIR,
 * KRB5_CONFIG, KFK_KRB5_CLIENT_PRINCIPAL, KFK_KRB5_CLIENT_KEYTAB,
 * KFK_KRB5_SHORT_PRINCIPAL, KFK_KRB5_SHORT_KEYTAB, KFK_KRB5_KDC_LOG,
 * KFK_KRB5_DIR (`scripts/kafka-local env --kerberos`); an unset one fails. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/core_conf.h"
#include "it.h"

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
