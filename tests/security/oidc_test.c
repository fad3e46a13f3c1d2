/* OAUTHBEARER with tokens from an OIDC identity provider, against the
 * provider and broker `scripts/kafka-local up --oidc` runs (the broker
 * checks the tokens' RS256 signatures with its built-in validator):
 * records produced and read back with librdkafka's keys and with the Java
 * client's, a wrong client secret refused at once and named clearly,
 * short-lived tokens refreshed and connections re-authenticated through a
 * run of KFK_OIDC_SECONDS (30 by default) without a failed request, and
 * the CLI with -X sasl.oauthbearer.method=oidc.
 *
 * Reads KFK_BOOTSTRAP_OIDC, KFK_BOOTSTRAP_OIDC_SSL, KFK_OIDC_TOKEN_URL,
 * KFK_OIDC_CA, KFK_OIDC_CLIENT_ID / _SECRET, KFK_OIDC_SHORT_CLIENT_ID,
 * KFK_OIDC_SHORT_LIFETIME, KFK_OIDC_IDP_LOG (`kafka-local env --oidc`). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SASL_IT_ENV "--oidc"
#include "client/core_int.h"
#include "consumer/consumer_int.h"
#include "net/oidc.h"
#include "net/sasl.h"
#include "producer/producer_int.h"
#include "sasl_it.h"

static kfk_consumer *consumer(const char *bootstrap, const char *const *kv, const char *topic) {
    char err[320] = "";
    kfk_conf *conf = sasl_it_conf(bootstrap, kv);
    if (!conf) return NULL;
    CHECK_EQ(kfk_conf_set(conf, "group.id", topic, err, sizeof err), 0);
    CHECK_EQ(kfk_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof err), 0);
    kfk_consumer *cons = kfk_consumer_new(conf, err, sizeof err);
    if (!cons) {
        kfk_conf_destroy(conf);
        kfk_test_fail(__FILE__, __LINE__, "consumer: %s", err);
        return NULL;
    }
    const char *topics[] = {topic};
    CHECK_EQ(kfk_consumer_subscribe(cons, topics, 1), 0);
    return cons;
}

static int make_topic(const char *bootstrap, const char *const *kv, const char *topic) {
    char err[320] = "";
    kfk_core *c = sasl_it_core(bootstrap, kv, err, sizeof err);
    if (!c) {
        kfk_test_fail(__FILE__, __LINE__, "client: %s", err);
        return -1;
    }
    int rc = it_create_topic(c, topic, 1, err, sizeof err);
    kfk_core_destroy(c);
    if (rc) kfk_test_fail(__FILE__, __LINE__, "topic %s: %s (%s)", topic, kfk_err_name(rc), err);
    return rc;
}

enum { RECORDS = 10 };

/* Produces RECORDS to a new topic and reads them back in a group, as a
 * client with settings kv. */
static void produce_and_consume(const char *what, const char *bootstrap, const char *const *kv) {
    char topic[128];
    it_topic(topic, sizeof topic, what);
    if (make_topic(bootstrap, kv, topic)) return;
    tally t = {0};
    kfk_producer *p = producer(bootstrap, kv, &t);
    REQUIRE(p);
    for (int i = 0; i < RECORDS; i++) {
        char v[16];
        int n = snprintf(v, sizeof v, "oidc-%d", i);
        kfk_message m = {.topic = topic, .partition = 0, .value = v, .value_len = (size_t)n};
        CHECK_EQ(kfk_producer_send(p, &m, 0), 0);
    }
    CHECK_EQ(kfk_producer_flush(p, 20000), 0);
    kfk_producer_destroy(p);
    CHECK_EQ(t.ok, RECORDS);
    kfk_consumer *cons = consumer(bootstrap, kv, topic);
    REQUIRE(cons);
    char seen[RECORDS] = {0};
    int got = 0;
    for (int64_t end = it_now_ms() + 30000; got < RECORDS && it_now_ms() < end;) {
        kfk_consumer_message *m = kfk_consumer_poll(cons, 500);
        int i = -1;
        if (m && !m->err && m->value_len == 6 && !memcmp(m->value, "oidc-", 5))
            i = ((const char *)m->value)[5] - '0';
        if (i >= 0 && i < RECORDS && !seen[i]) seen[i] = 1, got++;
        if (m) kfk_consumer_message_release(m);
    }
    kfk_consumer_destroy(cons);
    CHECK_EQ(got, RECORDS);
}

TEST(librdkafka_keys_over_sasl_plaintext) {
    const char *kv[] = {"security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "OAUTHBEARER",
                        "sasl.oauthbearer.method", "oidc",
                        "sasl.oauthbearer.token.endpoint.url", need("KFK_OIDC_TOKEN_URL"),
                        "sasl.oauthbearer.client.id", need("KFK_OIDC_CLIENT_ID"),
                        "sasl.oauthbearer.client.secret", need("KFK_OIDC_CLIENT_SECRET"),
                        "sasl.oauthbearer.scope", "kafka",
                        "sasl.oauthbearer.extensions", "traceId=kfk",
                        "https.ca.location", need("KFK_OIDC_CA"), NULL};
    produce_and_consume("oidc-rdkafka", need("KFK_BOOTSTRAP_OIDC"), kv);
}

TEST(java_keys_over_sasl_ssl) {
    char jaas[1024];
    snprintf(jaas, sizeof jaas,
             "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required "
             "clientId=\"%s\" clientSecret=\"%s\" scope=\"kafka\";",
             need("KFK_OIDC_CLIENT_ID"), need("KFK_OIDC_CLIENT_SECRET"));
    /* No https.ca.location: the token endpoint is checked with ssl.ca.location. */
    const char *kv[] = {"security.protocol", "SASL_SSL", "ssl.ca.location", need("KFK_OIDC_CA"),
                        "sasl.mechanism", "OAUTHBEARER", "sasl.oauthbearer.token.endpoint.url",
                        need("KFK_OIDC_TOKEN_URL"), "sasl.jaas.config", jaas, NULL};
    produce_and_consume("oidc-java-ssl", need("KFK_BOOTSTRAP_OIDC_SSL"), kv);
}

TEST(java_4x_client_credentials_keys) {
    const char *kv[] = {"security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "OAUTHBEARER",
                        "sasl.oauthbearer.token.endpoint.url", need("KFK_OIDC_TOKEN_URL"),
                        "sasl.oauthbearer.client.credentials.client.id",
                        need("KFK_OIDC_CLIENT_ID"),
                        "sasl.oauthbearer.client.credentials.client.secret",
                        need("KFK_OIDC_CLIENT_SECRET"), "https.ca.location", need("KFK_OIDC_CA"),
                        NULL};
    produce_and_consume("oidc-java4", need("KFK_BOOTSTRAP_OIDC"), kv);
}

TEST(wrong_client_secret_fails_fast_naming_the_endpoint) {
    char err[512] = "";
    const char *secret = "not-the-secret-42";
    const char *kv[] = {"security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "OAUTHBEARER",
                        "sasl.oauthbearer.method", "oidc",
                        "sasl.oauthbearer.token.endpoint.url", need("KFK_OIDC_TOKEN_URL"),
                        "sasl.oauthbearer.client.id", need("KFK_OIDC_CLIENT_ID"),
                        "sasl.oauthbearer.client.secret", secret,
                        "https.ca.location", need("KFK_OIDC_CA"),
                        "reconnect.backoff.max.ms", "4000", NULL};
    kfk_core *c = sasl_it_core(need("KFK_BOOTSTRAP_OIDC"), kv, err, sizeof err);
    REQUIRE(c);
    int64_t t0 = it_now_ms();
    int rc = kfk_core_metadata_wait(c, NULL, 0, 8000, NULL, err, sizeof err);
    int64_t took = it_now_ms() - t0;
    printf("     -> %s: %s (%lld ms)\n", kfk_err_name(rc), err, (long long)took);
    CHECK(rc != 0);
    CHECK(strstr(err, need("KFK_OIDC_TOKEN_URL")) != NULL);
    CHECK(strstr(err, "401") != NULL);
    CHECK(strstr(err, secret) == NULL);
    CHECK(took < 5000);
    /* Not retried in a loop: one failure, then a hard backoff. */
    usleep(2000 * 1000);
    kfk_core_stats st;
    kfk_core_stats_get(c, &st);
    printf("     %lld authentication failures in 2 s\n", (long long)st.auth_failures);
    CHECK(st.auth_failures >= 1 && st.auth_failures <= 2);
    kfk_core_destroy(c);
}

/* Tokens the provider issued to client (its log has one line each). */
static int tokens_issued(const char *client) {
    const char *path = need("KFK_OIDC_IDP_LOG");
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f) return -1;
    char line[512], want[160];
    snprintf(want, sizeof want, "issued client=%s ", client);
    int n = 0;
    while (fgets(line, sizeof line, f))
        if (strstr(line, want)) n++;
    fclose(f);
    return n;
}

TEST(short_tokens_refreshed_and_reauthenticated_without_a_failed_request) {
    const char *client = need("KFK_OIDC_SHORT_CLIENT_ID"), *life = need("KFK_OIDC_SHORT_LIFETIME");
    REQUIRE(client && life);
    const char *env = getenv("KFK_OIDC_SECONDS");
    int seconds = env && *env ? atoi(env) : 30, lifetime = atoi(life);
    REQUIRE(seconds > 0 && lifetime > 0);
    const char *kv[] = {"security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "OAUTHBEARER",
                        "sasl.oauthbearer.method", "oidc",
                        "sasl.oauthbearer.token.endpoint.url", need("KFK_OIDC_TOKEN_URL"),
                        "sasl.oauthbearer.client.id", client,
                        "sasl.oauthbearer.client.secret", need("KFK_OIDC_CLIENT_SECRET"),
                        "https.ca.location", need("KFK_OIDC_CA"), "linger.ms", "0", NULL};
    char topic[128];
    it_topic(topic, sizeof topic, "oidc-refresh");
    REQUIRE(make_topic(need("KFK_BOOTSTRAP_OIDC"), kv, topic) == 0);
    int before = tokens_issued(client);
    tally t = {0};
    kfk_producer *p = producer(need("KFK_BOOTSTRAP_OIDC"), kv, &t);
    kfk_consumer *cons = consumer(need("KFK_BOOTSTRAP_OIDC"), kv, topic);
    REQUIRE(p && cons);
    int sent = 0, got = 0, cons_errs = 0;
    /* Produce one record and poll the consumer, every ~200 ms. */
    for (int64_t end = it_now_ms() + seconds * 1000LL; it_now_ms() < end; sent++) {
        kfk_message m = {.topic = topic, .partition = 0, .value = "tick", .value_len = 4};
        CHECK_EQ(kfk_producer_send(p, &m, 0), 0);
        CHECK_EQ(kfk_producer_flush(p, 10000), 0);
        for (int64_t until = it_now_ms() + 200; it_now_ms() < until;) {
            kfk_consumer_message *cm = kfk_consumer_poll(cons, 50);
            if (cm && cm->err) cons_errs++;
            else if (cm) got++;
            if (cm) kfk_consumer_message_release(cm);
        }
    }
    for (int64_t end = it_now_ms() + 15000; got < sent && it_now_ms() < end;) {
        kfk_consumer_message *cm = kfk_consumer_poll(cons, 200);
        if (cm && cm->err) cons_errs++;
        else if (cm) got++;
        if (cm) kfk_consumer_message_release(cm);
    }
    kfk_core_stats ps, cs;
    kfk_core_stats_get(p->core, &ps);
    kfk_core_stats_get(cons->core, &cs);
    int64_t pfetched = 0, pfailed = 0, cfetched = 0, cfailed = 0;
    kfk_oidc_counts(p->core->sasl->oidc, &pfetched, &pfailed);
    kfk_oidc_counts(cons->core->sasl->oidc, &cfetched, &cfailed);
    kfk_consumer_destroy(cons);
    kfk_producer_destroy(p);
    int issued = tokens_issued(client) - before;
    printf("     %d s, tokens of %d s: %d records, %d delivered, %d failed, %d consumed, "
           "%d consumer errors; %d tokens issued (producer %lld, consumer %lld, fetch failures "
           "%lld); authentications: producer %lld, consumer %lld; auth failures %lld\n",
           seconds, lifetime, sent, t.ok, t.failed, got, cons_errs, issued, (long long)pfetched,
           (long long)cfetched, (long long)(pfailed + cfailed), (long long)ps.authentications,
           (long long)cs.authentications, (long long)(ps.auth_failures + cs.auth_failures));
    CHECK_EQ(t.failed, 0);
    CHECK_EQ(t.ok, sent);
    CHECK_EQ(got, sent);
    CHECK_EQ(cons_errs, 0);
    CHECK_EQ(ps.auth_failures + cs.auth_failures, 0);
    CHECK_EQ(pfailed + cfailed, 0);
    /* Each client refreshes at 80% of a token's life, and each connection
     * re-authenticates before its token expires. */
    int refreshes = seconds / lifetime;
    CHECK(pfetched >= refreshes + 1 && cfetched >= refreshes + 1);
    CHECK(issued >= pfetched + cfetched);
    CHECK(ps.authentications >= refreshes && cs.authentications >= refreshes);
}

TEST(cli_with_method_oidc) {
    const char *boot = need("KFK_BOOTSTRAP_OIDC"), *url = need("KFK_OIDC_TOKEN_URL"),
               *id = need("KFK_OIDC_CLIENT_ID"), *secret = need("KFK_OIDC_CLIENT_SECRET"),
               *ca = need("KFK_OIDC_CA");
    REQUIRE(boot && url && id && secret && ca);
    char topic[128], opts[2048], cmd[4096], line[256] = "";
    it_topic(topic, sizeof topic, "oidc-cli");
    snprintf(opts, sizeof opts,
             "-b %s -X security.protocol=SASL_PLAINTEXT -X sasl.mechanism=OAUTHBEARER "
             "-X sasl.oauthbearer.method=oidc -X sasl.oauthbearer.token.endpoint.url=%s "
             "-X sasl.oauthbearer.client.id=%s -X sasl.oauthbearer.client.secret=%s "
             "-X https.ca.location=%s -t %s",
             boot, url, id, secret, ca, topic);
    snprintf(cmd, sizeof cmd, "echo hello-oidc | ./kfk %s -P", opts);
    CHECK_EQ(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "./kfk %s -C -o beginning -c 1 -e", opts);
    FILE *f = popen(cmd, "r");
    REQUIRE(f);
    if (!fgets(line, sizeof line, f)) line[0] = '\0';
    CHECK_EQ(pclose(f), 0);
    CHECK_STR(line, "hello-oidc\n");
}

TEST(provider_never_blocks_and_names_an_unreachable_endpoint) {
    kfk_oidc_conf oc = {.url = "https://127.0.0.1:1/token", .client_id = "c",
                        .client_secret = "very-secret"};
    char err[512], *tok = malloc(KFK_SASL_TOKEN_MAX);
    REQUIRE(tok);
    kfk_oidc *o = kfk_oidc_new(&oc, err, sizeof err);
    REQUIRE(o);
    int64_t exp = 0, t0 = it_now_ms();
    CHECK_EQ(kfk_oidc_token_cb(o, tok, KFK_SASL_TOKEN_MAX, &exp, err, sizeof err),
             KFK_ERR_IN_PROGRESS);
    CHECK(it_now_ms() - t0 < 50); /* the fetch runs on the provider's thread */
    int rc = KFK_ERR_IN_PROGRESS;
    while (rc == KFK_ERR_IN_PROGRESS && it_now_ms() - t0 < 5000) {
        usleep(5000);
        rc = kfk_oidc_token_cb(o, tok, KFK_SASL_TOKEN_MAX, &exp, err, sizeof err);
    }
    printf("     -> %s: %s\n", kfk_err_name(rc), err);
    CHECK_EQ(rc, KFK_ERR_AUTHENTICATION);
    CHECK(strstr(err, "OIDC token endpoint https://127.0.0.1:1/token: ") == err);
    CHECK(strstr(err, "very-secret") == NULL);
    /* Reported once; the next ask fetches again. */
    CHECK_EQ(kfk_oidc_token_cb(o, tok, KFK_SASL_TOKEN_MAX, &exp, err, sizeof err),
             KFK_ERR_IN_PROGRESS);
    usleep(300 * 1000);
    int64_t fetched, failed;
    kfk_oidc_counts(o, &fetched, &failed);
    CHECK_EQ(fetched, 0);
    CHECK_EQ(failed, 2); /* no retry loop of its own without a token */
    kfk_oidc_free(o);
    free(tok);
}
