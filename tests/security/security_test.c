/* TLS and SASL against the real broker that `scripts/kafka-local up
 * --secure` runs: records produced and consumed through every secured
 * listener with the public producer and consumer, and every failure
 * (unknown CA, expired certificate, host name mismatch, wrong password,
 * the wrong protocol on a port) reported at once with its cause.
 *
 * Reads KFK_BOOTSTRAP_SSL, KFK_BOOTSTRAP_SSL_EXPIRED,
 * KFK_BOOTSTRAP_SSL_WRONGHOST, KFK_BOOTSTRAP_SSL_MTLS,
 * KFK_BOOTSTRAP_SASL_PLAINTEXT, KFK_BOOTSTRAP_SASL_SSL, KFK_BOOTSTRAP,
 * KFK_SSL_DIR, KFK_SASL_USERNAME, KFK_SASL_PASSWORD, KFK_SSL_KEY_PASSWORD
 * (`scripts/kafka-local env --secure` prints them); an unset one fails. */
#include <string.h>
#include <unistd.h>

#include "client/core_conf.h"
#include "it.h"
#include "sec_env.h"

enum { N_RECORDS = 20 };

/* A configuration for bootstrap with settings (key, value pairs ending
 * with NULL); NULL (the test failed) when a setting is refused. */
static kfk_conf *sec_conf(const char *bootstrap, const char *const *kv) {
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    if (!bootstrap || kfk_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err)) {
        kfk_conf_destroy(conf);
        return NULL;
    }
    for (int i = 0; kv[i]; i += 2) {
        if (!kv[i + 1] || kfk_conf_set(conf, kv[i], kv[i + 1], err, sizeof err)) {
            kfk_test_fail(__FILE__, __LINE__, "setting %s: %s", kv[i], kv[i + 1] ? err : "unset");
            kfk_conf_destroy(conf);
            return NULL;
        }
    }
    kfk_conf_set(conf, "request.timeout.ms", "10000", err, sizeof err);
    return conf;
}

static kfk_core *sec_core(const char *bootstrap, const char *const *kv, char *err, size_t errlen) {
    kfk_conf *conf = sec_conf(bootstrap, kv);
    if (!conf) return NULL;
    kfk_core_conf cc;
    kfk_core_conf_from(&cc, conf);
    cc.client_id = "kfk-it-security";
    kfk_core *c = kfk_core_new(&cc, err, errlen);
    kfk_conf_destroy(conf); /* the core keeps what it needs */
    return c;
}

/* --------------------------------------------------------- round trips */

typedef struct deliveries {
    int ok, failed, last_err;
} deliveries;

static void on_delivery(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    deliveries *dl = opaque;
    if (d->err) {
        dl->failed++;
        dl->last_err = d->err;
    } else {
        dl->ok++;
    }
}

/* Creates a topic, produces N_RECORDS with the producer and reads them back
 * with the consumer, all over the listener at bootstrap with settings kv. */
static void roundtrip(const char *what, const char *bootstrap, const char *const *kv) {
    char topic[128], err[320] = "";
    it_topic(topic, sizeof topic, what);
    kfk_core *c = sec_core(bootstrap, kv, err, sizeof err);
    if (!c) {
        kfk_test_fail(__FILE__, __LINE__, "%s: client: %s", what, err);
        return;
    }
    int rc = it_create_topic(c, topic, 1, err, sizeof err);
    kfk_core_stats st;
    kfk_core_stats_get(c, &st);
    kfk_core_destroy(c);
    if (rc) {
        kfk_test_fail(__FILE__, __LINE__, "%s: create topic: %s (%s)", what, kfk_err_name(rc), err);
        return;
    }

    deliveries dl = {0};
    kfk_producer_callbacks cbs = {.delivery = on_delivery, .opaque = &dl};
    kfk_conf *pc = sec_conf(bootstrap, kv);
    REQUIRE(pc);
    kfk_producer *p = kfk_producer_new(pc, &cbs, err, sizeof err);
    if (!p) {
        kfk_conf_destroy(pc);
        kfk_test_fail(__FILE__, __LINE__, "%s: producer: %s", what, err);
        return;
    }
    for (int i = 0; i < N_RECORDS; i++) {
        char value[32];
        int n = snprintf(value, sizeof value, "%s-%d", what, i);
        kfk_message m = {.topic = topic, .partition = 0, .value = value, .value_len = (size_t)n};
        CHECK_EQ(kfk_producer_send(p, &m, 0), 0);
    }
    CHECK_EQ(kfk_producer_flush(p, 20000), 0);
    kfk_producer_destroy(p);
    CHECK_EQ(dl.ok, N_RECORDS);
    CHECK_EQ(dl.failed, 0);

    kfk_conf *cc = sec_conf(bootstrap, kv);
    REQUIRE(cc);
    kfk_consumer *cons = kfk_consumer_new(cc, err, sizeof err);
    if (!cons) {
        kfk_conf_destroy(cc);
        kfk_test_fail(__FILE__, __LINE__, "%s: consumer: %s", what, err);
        return;
    }
    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, topic, 0)->offset = KFK_OFFSET_BEGINNING;
    CHECK_EQ(kfk_consumer_assign(cons, l), 0);
    kfk_partition_list_destroy(l);
    int got = 0;
    int64_t deadline = it_now_ms() + 20000;
    while (got < N_RECORDS && it_now_ms() < deadline) {
        kfk_consumer_message *m = kfk_consumer_poll(cons, 500);
        if (!m) continue;
        if (!m->err) {
            char want[32];
            int n = snprintf(want, sizeof want, "%s-%d", what, got);
            CHECK_EQ(m->offset, got);
            CHECK(m->value_len == (size_t)n && memcmp(m->value, want, (size_t)n) == 0);
            got++;
        }
        kfk_consumer_message_release(m);
    }
    kfk_consumer_destroy(cons);
    CHECK_EQ(got, N_RECORDS);
}

TEST(ssl_produce_and_consume) {
    const char *kv[] = {"security.protocol", "SSL", "ssl.ca.location", ssl_file("ca.pem"), NULL};
    roundtrip("ssl", env("KFK_BOOTSTRAP_SSL"), kv);
}

TEST(ssl_java_style_pem_truststore) {
    const char *kv[] = {"security.protocol", "SSL", "ssl.truststore.type", "PEM",
                        "ssl.truststore.location", ssl_file("ca.pem"), "ssl.enabled.protocols",
                        "TLSv1.2", "ssl.protocol", "TLSv1.2", NULL};
    roundtrip("ssl-java", env("KFK_BOOTSTRAP_SSL"), kv);
}

TEST(mutual_tls_with_an_encrypted_client_key) {
    const char *kv[] = {"security.protocol", "SSL", "ssl.ca.location", ssl_file("ca.pem"),
                        "ssl.certificate.location", ssl_file("client.pem"), "ssl.key.location",
                        ssl_file("client-enc.key"), "ssl.key.password", env("KFK_SSL_KEY_PASSWORD"),
                        NULL};
    roundtrip("mtls", env("KFK_BOOTSTRAP_SSL_MTLS"), kv);
}

TEST(sasl_plaintext_plain) {
    const char *kv[] = {"security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
                        "sasl.username", env("KFK_SASL_USERNAME"), "sasl.password",
                        env("KFK_SASL_PASSWORD"), NULL};
    roundtrip("plain", env("KFK_BOOTSTRAP_SASL_PLAINTEXT"), kv);
}

TEST(sasl_plaintext_scram_sha_256) {
    const char *kv[] = {"security.protocol", "SASL_PLAINTEXT", "sasl.mechanisms", "SCRAM-SHA-256",
                        "sasl.username", env("KFK_SASL_USERNAME"), "sasl.password",
                        env("KFK_SASL_PASSWORD"), NULL};
    roundtrip("scram256", env("KFK_BOOTSTRAP_SASL_PLAINTEXT"), kv);
}

TEST(sasl_plaintext_scram_sha_512_from_jaas) {
    char jaas[256];
    snprintf(jaas, sizeof jaas,
             "org.apache.kafka.common.security.scram.ScramLoginModule required "
             "username=\"%s\" password=\"%s\";",
             env("KFK_SASL_USERNAME"), env("KFK_SASL_PASSWORD"));
    const char *kv[] = {"security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "SCRAM-SHA-512",
                        "sasl.jaas.config", jaas, NULL};
    roundtrip("scram512", env("KFK_BOOTSTRAP_SASL_PLAINTEXT"), kv);
}

TEST(sasl_ssl_scram_sha_512) {
    const char *kv[] = {"security.protocol", "SASL_SSL", "ssl.ca.location", ssl_file("ca.pem"),
                        "sasl.mechanism", "SCRAM-SHA-512", "sasl.username",
                        env("KFK_SASL_USERNAME"), "sasl.password", env("KFK_SASL_PASSWORD"), NULL};
    roundtrip("saslssl", env("KFK_BOOTSTRAP_SASL_SSL"), kv);
}

TEST(sasl_ssl_plain_from_jaas) {
    char jaas[256];
    snprintf(jaas, sizeof jaas,
             "org.apache.kafka.common.security.plain.PlainLoginModule required "
             "username=\"%s\" password=\"%s\";",
             env("KFK_SASL_USERNAME"), env("KFK_SASL_PASSWORD"));
    const char *kv[] = {"security.protocol", "SASL_SSL", "ssl.ca.location", ssl_file("ca.pem"),
                        "sasl.mechanism", "PLAIN", "sasl.jaas.config", jaas, NULL};
    roundtrip("saslssl-plain", env("KFK_BOOTSTRAP_SASL_SSL"), kv);
}

/* ------------------------------------------------------------ failures */

/* A metadata wait on a client built from kv must fail with want_err and
 * a message containing want_text, quickly, and the client must not keep
 * reconnecting (reconnect.backoff.max.ms is 4 s here). */
static void expect_failure(const char *bootstrap, const char *const *kv, int want_err,
                           const char *want_text, const char *secret) {
    char err[320] = "";
    kfk_conf *conf = sec_conf(bootstrap, kv);
    REQUIRE(conf);
    kfk_conf_set(conf, "reconnect.backoff.max.ms", "4000", err, sizeof err);
    kfk_core_conf cc;
    kfk_core_conf_from(&cc, conf);
    kfk_core *c = kfk_core_new(&cc, err, sizeof err);
    kfk_conf_destroy(conf);
    if (!c) {
        kfk_test_fail(__FILE__, __LINE__, "client: %s", err);
        return;
    }
    int64_t t0 = it_now_ms();
    int rc = kfk_core_metadata_wait(c, NULL, 0, 8000, NULL, err, sizeof err);
    int64_t took = it_now_ms() - t0;
    CHECK_EQ(rc, want_err);
    if (!strstr(err, want_text))
        kfk_test_fail(__FILE__, __LINE__, "error \"%s\" lacks \"%s\"", err, want_text);
    if (secret && strstr(err, secret))
        kfk_test_fail(__FILE__, __LINE__, "error \"%s\" shows the secret", err);
    CHECK(took < 3000); /* at once, not at the timeout */
    printf("     %s -> %s: %s (%lld ms)\n", bootstrap, kfk_err_name(rc), err, (long long)took);
    /* No reconnect storm: one failure, then a hard backoff. */
    usleep(2000 * 1000);
    kfk_core_stats st;
    kfk_core_stats_get(c, &st);
    CHECK(st.auth_failures >= 1 && st.auth_failures <= 2);
    kfk_core_destroy(c);
}

TEST(unknown_ca_is_named) {
    const char *kv[] = {"security.protocol", "SSL", "ssl.ca.location", ssl_file("other-ca.pem"),
                        NULL};
    expect_failure(env("KFK_BOOTSTRAP_SSL"), kv, KFK_ERR_SSL, "unknown CA", NULL);
}

TEST(expired_certificate_is_named) {
    const char *kv[] = {"security.protocol", "SSL", "ssl.ca.location", ssl_file("ca.pem"), NULL};
    expect_failure(env("KFK_BOOTSTRAP_SSL_EXPIRED"), kv, KFK_ERR_SSL, "expired", NULL);
}

TEST(hostname_mismatch_is_named_and_can_be_turned_off) {
    const char *kv[] = {"security.protocol", "SSL", "ssl.ca.location", ssl_file("ca.pem"), NULL};
    expect_failure(env("KFK_BOOTSTRAP_SSL_WRONGHOST"), kv, KFK_ERR_SSL, "host name mismatch",
                   NULL);
    /* As in Java, an empty ssl.endpoint.identification.algorithm turns the
     * check off (the chain is still verified). */
    const char *off[] = {"security.protocol", "SSL", "ssl.ca.location", ssl_file("ca.pem"),
                         "ssl.endpoint.identification.algorithm", "", NULL};
    char err[320] = "";
    kfk_core *c = sec_core(env("KFK_BOOTSTRAP_SSL_WRONGHOST"), off, err, sizeof err);
    REQUIRE(c);
    CHECK_EQ(kfk_core_metadata_wait(c, NULL, 0, 10000, NULL, err, sizeof err), 0);
    kfk_core_destroy(c);
}

TEST(mtls_without_a_client_certificate_fails) {
    const char *kv[] = {"security.protocol", "SSL", "ssl.ca.location", ssl_file("ca.pem"), NULL};
    char err[320] = "";
    kfk_core *c = sec_core(env("KFK_BOOTSTRAP_SSL_MTLS"), kv, err, sizeof err);
    REQUIRE(c);
    int rc = kfk_core_metadata_wait(c, NULL, 0, 5000, NULL, err, sizeof err);
    CHECK_EQ(rc, KFK_ERR_SSL);
    CHECK(strstr(err, "client certificate") != NULL);
    printf("     no client certificate -> %s: %s\n", kfk_err_name(rc), err);
    kfk_core_destroy(c);
}

TEST(wrong_password_fails_once_without_showing_it) {
    const char *mechs[] = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"};
    for (int i = 0; i < 3; i++) {
        const char *kv[] = {"security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", mechs[i],
                            "sasl.username", env("KFK_SASL_USERNAME"), "sasl.password",
                            "not-the-password-42", NULL};
        expect_failure(env("KFK_BOOTSTRAP_SASL_PLAINTEXT"), kv, KFK_ERR_SASL_AUTHENTICATION_FAILED,
                       "authentication failed", "not-the-password-42");
    }
}

TEST(tls_spoken_to_a_plaintext_port) {
    const char *kv[] = {"security.protocol", "SSL", "ssl.ca.location", ssl_file("ca.pem"), NULL};
    expect_failure(env("KFK_BOOTSTRAP"), kv, KFK_ERR_SSL, "plaintext listener", NULL);
}

TEST(plaintext_spoken_to_a_tls_port) {
    const char *kv[] = {NULL};
    char err[320] = "";
    kfk_core *c = sec_core(env("KFK_BOOTSTRAP_SSL"), kv, err, sizeof err);
    REQUIRE(c);
    int64_t t0 = it_now_ms();
    int rc = kfk_core_metadata_wait(c, NULL, 0, 3000, NULL, err, sizeof err);
    int64_t took = it_now_ms() - t0;
    /* The broker drops the connection (or answers with a TLS alert) as
     * soon as it sees our ApiVersions: the error says where to look. */
    CHECK(rc != 0);
    CHECK(strstr(err, "TLS") != NULL);
    CHECK(strstr(err, "security.protocol") != NULL);
    printf("     plaintext to TLS -> %s: %s (%lld ms)\n", kfk_err_name(rc), err, (long long)took);
    kfk_core_destroy(c);
}

TEST(bad_tls_settings_fail_at_creation) {
    char err[320] = "";
    const char *missing[] = {"security.protocol", "SSL", "ssl.ca.location", "/nonexistent/ca.pem",
                             NULL};
    CHECK(sec_core(env("KFK_BOOTSTRAP_SSL"), missing, err, sizeof err) == NULL);
    CHECK(strstr(err, "ssl.ca.location") && strstr(err, "/nonexistent/ca.pem"));
    const char *badpw[] = {"security.protocol", "SSL", "ssl.ca.location", ssl_file("ca.pem"),
                           "ssl.certificate.location", ssl_file("client.pem"), "ssl.key.location",
                           ssl_file("client-enc.key"), "ssl.key.password", "wrong-key-pw", NULL};
    CHECK(sec_core(env("KFK_BOOTSTRAP_SSL"), badpw, err, sizeof err) == NULL);
    CHECK(strstr(err, "ssl.key.password") != NULL);
    CHECK(strstr(err, "wrong-key-pw") == NULL);
    const char *proto[] = {"security.protocol", "SSL", "ssl.enabled.protocols", "SSLv3", NULL};
    CHECK(sec_core(env("KFK_BOOTSTRAP_SSL"), proto, err, sizeof err) == NULL);
    CHECK(strstr(err, "SSLv3") != NULL);
    /* GSSAPI, the default mechanism, wants a Kerberos login module. */
    const char *gss[] = {"security.protocol", "SASL_PLAINTEXT", "sasl.jaas.config",
                         "x.PlainLoginModule required;", NULL};
    CHECK(sec_core(env("KFK_BOOTSTRAP_SASL_PLAINTEXT"), gss, err, sizeof err) == NULL);
    CHECK(strstr(err, "GSSAPI") && strstr(err, "Krb5LoginModule"));
}

TEST(tls_versions_ciphers_and_curves) {
    const char *kv[] = {"security.protocol", "SSL", "ssl.ca.location", ssl_file("ca.pem"),
                        "ssl.enabled.protocols", "TLSv1.2", "ssl.cipher.suites",
                        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ssl.curves.list", "P-256", NULL};
    char err[320] = "";
    kfk_core *c = sec_core(env("KFK_BOOTSTRAP_SSL"), kv, err, sizeof err);
    REQUIRE(c);
    CHECK_EQ(kfk_core_metadata_wait(c, NULL, 0, 10000, NULL, err, sizeof err), 0);
    kfk_core_destroy(c);
    const char *v13[] = {"security.protocol", "SSL", "ssl.ca.location", ssl_file("ca.pem"),
                         "ssl.enabled.protocols", "TLSv1.3", "ssl.cipher.suites",
                         "TLS_CHACHA20_POLY1305_SHA256", "ssl.curves.list", "X25519", NULL};
    c = sec_core(env("KFK_BOOTSTRAP_SSL"), v13, err, sizeof err);
    REQUIRE(c);
    CHECK_EQ(kfk_core_metadata_wait(c, NULL, 0, 10000, NULL, err, sizeof err), 0);
    kfk_core_destroy(c);
}

/* ---------------------------------------------- OAUTHBEARER, re-auth */

static void b64url(const char *in, char *out) {
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t n = strlen(in), o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)(uint8_t)in[i] << 16 |
                     (i + 1 < n ? (uint32_t)(uint8_t)in[i + 1] << 8 : 0) |
                     (i + 2 < n ? (uint8_t)in[i + 2] : 0);
        out[o++] = tab[v >> 18];
        out[o++] = tab[(v >> 12) & 63];
        if (i + 1 < n) out[o++] = tab[(v >> 6) & 63];
        if (i + 2 < n) out[o++] = tab[v & 63];
    }
    out[o] = '\0';
}

static atomic_int token_calls;

/* Unsecured JWTs (the test broker's validator takes alg none) that live
 * 6 s, so both the token refresh and the session end come within the test. */
static int make_token(void *opaque, char *token, size_t size, int64_t *expiry_ms, char *err,
                      size_t errlen) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long long now = (long long)ts.tv_sec;
    char claims[128], h[64], b[256];
    snprintf(claims, sizeof claims, "{\"sub\":\"%s\",\"iat\":%lld,\"exp\":%lld}",
             (const char *)opaque, now, now + 6);
    b64url("{\"alg\":\"none\"}", h);
    b64url(claims, b);
    snprintf(token, size, "%s.%s.", h, b);
    *expiry_ms = (now + 6) * 1000;
    atomic_fetch_add(&token_calls, 1);
    return 0;
}

TEST(oauthbearer_token_refreshed_and_session_reauthenticated) {
    char err[320] = "";
    const char *kv[] = {"security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "OAUTHBEARER",
                        NULL};
    kfk_conf *conf = sec_conf(env("KFK_BOOTSTRAP_SASL_PLAINTEXT"), kv);
    REQUIRE(conf);
    CHECK_EQ(kfk_conf_set_oauthbearer_token_cb(conf, make_token, "alice"), 0);
    kfk_core_conf cc;
    kfk_core_conf_from(&cc, conf);
    kfk_core *c = kfk_core_new(&cc, err, sizeof err);
    kfk_conf_destroy(conf);
    REQUIRE(c);
    atomic_store(&token_calls, 0);
    /* Requests every 500 ms for 13 s: the broker would close a session
     * that outlived its token (KIP-368) and the requests would fail. */
    int failures = 0;
    for (int i = 0; i < 26; i++) {
        if (kfk_core_metadata_wait(c, NULL, 0, 5000, NULL, err, sizeof err) != 0) {
            failures++;
            printf("     request %d: %s\n", i, err);
        }
        usleep(500 * 1000);
    }
    kfk_core_stats st;
    kfk_core_stats_get(c, &st);
    printf("     authentications %lld, token callbacks %d, failures %d\n",
           (long long)st.authentications, atomic_load(&token_calls), failures);
    CHECK_EQ(failures, 0);
    CHECK(st.authentications >= 3); /* the first, then one per ~5 s */
    CHECK(atomic_load(&token_calls) >= 3);
    CHECK_EQ(st.auth_failures, 0);
    CHECK_EQ(st.links_down, 0); /* re-authenticated in place, never reconnected */
    kfk_core_destroy(c);
}

TEST(scram_session_reauthenticated_before_it_ends) {
    char err[320] = "";
    const char *kv[] = {"security.protocol", "SASL_SSL", "ssl.ca.location", ssl_file("ca.pem"),
                        "sasl.mechanism", "SCRAM-SHA-256", "sasl.username",
                        env("KFK_SASL_USERNAME"), "sasl.password", env("KFK_SASL_PASSWORD"), NULL};
    kfk_core *c = sec_core(env("KFK_BOOTSTRAP_SASL_SSL"), kv, err, sizeof err);
    REQUIRE(c);
    /* The broker allows 10 s sessions (connections.max.reauth.ms). */
    int failures = 0;
    for (int i = 0; i < 24; i++) {
        if (kfk_core_metadata_wait(c, NULL, 0, 5000, NULL, err, sizeof err) != 0) failures++;
        usleep(500 * 1000);
    }
    kfk_core_stats st;
    kfk_core_stats_get(c, &st);
    CHECK_EQ(failures, 0);
    CHECK(st.authentications >= 2);
    CHECK_EQ(st.links_down, 0);
    kfk_core_destroy(c);
}
