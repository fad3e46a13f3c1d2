/* TLS trust and identity from the files a corporate cluster hands out,
 * against the broker of `scripts/kafka-local up --secure`: PKCS#12
 * keystores and truststores (Java's keys, a key with its own password,
 * and librdkafka's keystore without a type), revocation lists (the client's, and the broker's of a
 * revoked client certificate), the system CA store, host name
 * verification turned off with `none`, and bad values refused at once
 * with the key named and no password shown, in errors or in logs.
 *
 * Reads KFK_BOOTSTRAP_SSL, KFK_BOOTSTRAP_SSL_MTLS,
 * KFK_BOOTSTRAP_SSL_WRONGHOST, KFK_SSL_DIR, KFK_SSL_STORE_PASSWORD,
 * KFK_SSL_KEY_PASSWORD (`scripts/kafka-local env --secure`); an unset one fails. */
#include <stdlib.h>
#include <string.h>

#include "client/core_conf.h"
#include "log_it.h"
#include "sec_env.h"

/* Builds a client for bootstrap with kv (and debug=all logs into cap):
 * NULL with the reason in err when the TLS settings are refused. */
static kfk_core *tls_core(const char *bootstrap, const char *const *kv, log_capture *cap,
                          char *err, size_t errlen) {
    kfk_conf *conf = bootstrap ? log_conf(bootstrap, kv, "all", cap) : NULL;
    if (!conf) {
        snprintf(err, errlen, "no configuration");
        return NULL;
    }
    kfk_core_conf cc;
    kfk_core_conf_from(&cc, conf);
    cc.client_id = "kfk-it-tls-stores";
    kfk_core *c = kfk_core_new(&cc, err, errlen);
    kfk_conf_destroy(conf);
    return c;
}

/* The client's metadata request over bootstrap answers (want_err 0) or
 * fails with want_err and a message holding want_text; no debug log line
 * holds secret (NULL: none to look for). */
static void expect_secret(const char *bootstrap, const char *const *kv, int want_err,
                          const char *want_text, const char *secret) {
    char err[400] = "";
    log_capture cap;
    log_capture_init(&cap);
    kfk_core *c = tls_core(bootstrap, kv, &cap, err, sizeof err);
    if (!c) {
        kfk_test_fail(__FILE__, __LINE__, "client: %s", err);
        log_capture_free(&cap);
        return;
    }
    int rc = kfk_core_metadata_wait(c, NULL, 0, 8000, NULL, err, sizeof err);
    CHECK_EQ(rc, want_err);
    if (want_text && !strstr(err, want_text))
        kfk_test_fail(__FILE__, __LINE__, "error \"%s\" lacks \"%s\"", err, want_text);
    if (rc) printf("     %s -> %s: %s\n", bootstrap, kfk_err_name(rc), err);
    kfk_core_destroy(c);
    CHECK(log_count(&cap, NULL, NULL) > 0); /* debug=all did log */
    if (secret) CHECK_EQ(log_count(&cap, NULL, secret), 0);
    log_capture_free(&cap);
}

static void expect(const char *bootstrap, const char *const *kv, int want_err,
                   const char *want_text) {
    expect_secret(bootstrap, kv, want_err, want_text, NULL);
}

/* kv must be refused at client creation with an error naming every one of
 * the `names` (NULL-terminated) and showing no `secret`, in the error or
 * in any log line. */
static void expect_refused(const char *const *kv, const char *const *names, const char *secret) {
    char err[400] = "";
    log_capture cap;
    log_capture_init(&cap);
    kfk_core *c = tls_core(env("KFK_BOOTSTRAP_SSL"), kv, &cap, err, sizeof err);
    CHECK(c == NULL);
    kfk_core_destroy(c);
    for (int i = 0; names[i]; i++)
        if (!strstr(err, names[i]))
            kfk_test_fail(__FILE__, __LINE__, "error \"%s\" lacks \"%s\"", err, names[i]);
    if (secret) {
        CHECK(strstr(err, secret) == NULL);
        CHECK_EQ(log_count(&cap, NULL, secret), 0);
    }
    printf("     refused: %s\n", err);
    log_capture_free(&cap);
}

TEST(pkcs12_truststore_and_keystore_java_keys) {
    const char *pw = env("KFK_SSL_STORE_PASSWORD");
    const char *kv[] = {"security.protocol", "SSL",
                        "ssl.truststore.type", "PKCS12",
                        "ssl.truststore.location", ssl_file("truststore.p12"),
                        "ssl.truststore.password", pw,
                        "ssl.keystore.type", "PKCS12",
                        "ssl.keystore.location", ssl_file("client.p12"),
                        "ssl.keystore.password", pw,
                        NULL};
    /* The mutual TLS listener: the broker checks the keystore's certificate. */
    expect_secret(env("KFK_BOOTSTRAP_SSL_MTLS"), kv, 0, NULL, pw);
}

TEST(pkcs12_keystore_librdkafka_keys) {
    /* librdkafka's ssl.keystore.location is PKCS#12 with no type key. */
    const char *kv[] = {"security.protocol", "SSL",
                        "ssl.ca.location", ssl_file("ca.pem"),
                        "ssl.keystore.location", ssl_file("client.p12"),
                        "ssl.keystore.password", env("KFK_SSL_STORE_PASSWORD"),
                        NULL};
    expect_secret(env("KFK_BOOTSTRAP_SSL_MTLS"), kv, 0, NULL, env("KFK_SSL_STORE_PASSWORD"));
}

/* Java lets the key of a PKCS#12 keystore have its own password
 * (ssl.key.password); client-keypw.p12's differs from the store's. */
TEST(pkcs12_keystore_whose_key_has_its_own_password) {
    const char *pw = env("KFK_SSL_STORE_PASSWORD"), *kpw = env("KFK_SSL_KEY_PASSWORD");
    const char *kv[] = {"security.protocol", "SSL",
                        "ssl.ca.location", ssl_file("ca.pem"),
                        "ssl.keystore.type", "PKCS12",
                        "ssl.keystore.location", ssl_file("client-keypw.p12"),
                        "ssl.keystore.password", pw,
                        "ssl.key.password", kpw,
                        NULL};
    expect_secret(env("KFK_BOOTSTRAP_SSL_MTLS"), kv, 0, NULL, pw);
    expect_secret(env("KFK_BOOTSTRAP_SSL_MTLS"), kv, 0, NULL, kpw);
    /* With a wrong key password, or none: refused at once. */
    const char *wrong = "wrong-key-pw-91d2";
    kv[11] = wrong;
    const char *bad_names[] = {"ssl.key.password", "client-keypw.p12", NULL};
    expect_refused(kv, bad_names, wrong);
    kv[10] = NULL;
    const char *none_names[] = {"client-keypw.p12", "cannot decrypt", NULL};
    expect_refused(kv, none_names, pw);
}

TEST(wrong_store_passwords_are_named_never_shown) {
    const char *wrong = "wrong-store-pw-7c1e";
    const char *ks[] = {"security.protocol", "SSL",
                        "ssl.ca.location", ssl_file("ca.pem"),
                        "ssl.keystore.type", "PKCS12",
                        "ssl.keystore.location", ssl_file("client.p12"),
                        "ssl.keystore.password", wrong,
                        NULL};
    const char *ks_names[] = {"ssl.keystore.password", "client.p12", NULL};
    expect_refused(ks, ks_names, wrong);
    const char *ts[] = {"security.protocol", "SSL",
                        "ssl.truststore.type", "PKCS12",
                        "ssl.truststore.location", ssl_file("truststore.p12"),
                        "ssl.truststore.password", wrong,
                        NULL};
    const char *ts_names[] = {"ssl.truststore.password", "truststore.p12", NULL};
    expect_refused(ts, ts_names, wrong);
}

TEST(bad_store_and_crl_values_are_named) {
    const char *notp12[] = {"security.protocol", "SSL",
                            "ssl.truststore.type", "PKCS12",
                            "ssl.truststore.location", ssl_file("ca.pem"),
                            NULL};
    const char *notp12_names[] = {"ssl.truststore.location", "ca.pem", "PKCS#12", NULL};
    expect_refused(notp12, notp12_names, NULL);
    const char *nocrl[] = {"security.protocol", "SSL",
                           "ssl.ca.location", ssl_file("ca.pem"),
                           "ssl.crl.location", "/nonexistent/crl.pem",
                           NULL};
    const char *nocrl_names[] = {"ssl.crl.location", "/nonexistent/crl.pem", NULL};
    expect_refused(nocrl, nocrl_names, NULL);
    const char *notcrl[] = {"security.protocol", "SSL",
                            "ssl.ca.location", ssl_file("ca.pem"),
                            "ssl.crl.location", ssl_file("ca.pem"),
                            NULL};
    const char *notcrl_names[] = {"ssl.crl.location", "no PEM revocation list", NULL};
    expect_refused(notcrl, notcrl_names, NULL);
    /* Java's own JKS format: refused when set, naming key and value. */
    char err[256] = "";
    kfk_conf *conf = kfk_conf_new();
    CHECK(kfk_conf_set(conf, "ssl.keystore.type", "JKS", err, sizeof err) != 0);
    CHECK(strstr(err, "ssl.keystore.type") && strstr(err, "JKS"));
    CHECK(kfk_conf_set(conf, "ssl.endpoint.identification.algorithm", "ldaps", err,
                       sizeof err) == 0);
    kfk_conf_destroy(conf);
    const char *eia[] = {"security.protocol", "SSL", "ssl.endpoint.identification.algorithm",
                         "ldaps", NULL};
    const char *eia_names[] = {"ssl.endpoint.identification.algorithm", "ldaps", NULL};
    expect_refused(eia, eia_names, NULL);
}

TEST(revocation_list_checked_against_the_broker) {
    /* The CA's list revokes the client certificate only: the broker passes. */
    const char *ok[] = {"security.protocol", "SSL", "ssl.ca.location", ssl_file("ca.pem"),
                        "ssl.crl.location", ssl_file("crl.pem"), NULL};
    expect(env("KFK_BOOTSTRAP_SSL"), ok, 0, NULL);
    /* A list revoking the broker's certificate: refused, and said why. */
    const char *revoked[] = {"security.protocol", "SSL", "ssl.ca.location", ssl_file("ca.pem"),
                             "ssl.crl.location", ssl_file("crl-broker-revoked.pem"), NULL};
    expect(env("KFK_BOOTSTRAP_SSL"), revoked, KFK_ERR_SSL, "revoked");
    /* PKCS#12 trust combines with revocation lists too. */
    const char *p12[] = {"security.protocol", "SSL", "ssl.truststore.type", "PKCS12",
                         "ssl.truststore.location", ssl_file("truststore.p12"),
                         "ssl.truststore.password", env("KFK_SSL_STORE_PASSWORD"),
                         "ssl.crl.location", ssl_file("crl-broker-revoked.pem"), NULL};
    expect(env("KFK_BOOTSTRAP_SSL"), p12, KFK_ERR_SSL, "revoked");
}

TEST(revoked_client_certificate_refused_by_the_broker) {
    /* The broker's JVM checks client certificates against the list their
     * CRL distribution point names; client-revoked.pem is on it. */
    const char *revoked[] = {"security.protocol", "SSL", "ssl.ca.location", ssl_file("ca.pem"),
                             "ssl.certificate.location", ssl_file("client-revoked.pem"),
                             "ssl.key.location", ssl_file("client-revoked.key"), NULL};
    expect(env("KFK_BOOTSTRAP_SSL_MTLS"), revoked, KFK_ERR_SSL, "refused our client certificate");
    const char *good[] = {"security.protocol", "SSL", "ssl.ca.location", ssl_file("ca.pem"),
                          "ssl.certificate.location", ssl_file("client.pem"),
                          "ssl.key.location", ssl_file("client.key"), NULL};
    expect(env("KFK_BOOTSTRAP_SSL_MTLS"), good, 0, NULL);
}

TEST(system_ca_store_when_no_ca_is_given) {
    const char *kv[] = {"security.protocol", "SSL", NULL};
    /* The system store does not know the test CA... */
    expect(env("KFK_BOOTSTRAP_SSL"), kv, KFK_ERR_SSL, "unknown CA");
    /* ...and is where OpenSSL looks: SSL_CERT_FILE names it, here our CA. */
    setenv("SSL_CERT_FILE", ssl_file("ca.pem"), 1);
    expect(env("KFK_BOOTSTRAP_SSL"), kv, 0, NULL);
    unsetenv("SSL_CERT_FILE");
}

TEST(endpoint_identification_https_and_none) {
    const char *https[] = {"security.protocol", "SSL", "ssl.ca.location", ssl_file("ca.pem"),
                           "ssl.endpoint.identification.algorithm", "https", NULL};
    expect(env("KFK_BOOTSTRAP_SSL_WRONGHOST"), https, KFK_ERR_SSL, "host name mismatch");
    const char *none[] = {"security.protocol", "SSL", "ssl.ca.location", ssl_file("ca.pem"),
                          "ssl.endpoint.identification.algorithm", "none", NULL};
    expect(env("KFK_BOOTSTRAP_SSL_WRONGHOST"), none, 0, NULL);
}

TEST(tls13_only) {
    const char *kv[] = {"security.protocol", "SSL", "ssl.ca.location", ssl_file("ca.pem"),
                        "ssl.enabled.protocols", "TLSv1.3", "ssl.cipher.suites",
                        "TLS_AES_256_GCM_SHA384", "ssl.curves.list", "P-384", NULL};
    expect(env("KFK_BOOTSTRAP_SSL"), kv, 0, NULL);
    const char *bad[] = {"security.protocol", "SSL", "ssl.curves.list", "P-999", NULL};
    const char *bad_names[] = {"ssl.curves.list", "P-999", NULL};
    expect_refused(bad, bad_names, NULL);
    const char *badc[] = {"security.protocol", "SSL", "ssl.cipher.suites", "TLS_NOPE_WITH_NOPE",
                          NULL};
    const char *badc_names[] = {"ssl.cipher.suites", "TLS_NOPE_WITH_NOPE", NULL};
    expect_refused(badc, badc_names, NULL);
}
