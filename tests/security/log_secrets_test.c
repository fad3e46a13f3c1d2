/* No secret in any log line nor statistics document: admin, an idempotent
 * producer and a group member run with debug=all and statistics every
 * 50 ms over every secured listener of `kafka-local up --secure` (SASL
 * PLAIN, SCRAM-SHA-256/512, OAUTHBEARER, SASL_SSL, mutual TLS with an
 * encrypted key from a file and inline, and from a PKCS#12 keystore whose
 * key has its own password), and with a wrong password; every captured
 * line and document is searched for the password, the key and store
 * passwords, the token and the private keys' material. The CLI's side is
 * tests/security/log_secrets_cli_run; GSSAPI's is in gssapi_test.c.
 *
 * Reads KFK_BOOTSTRAP_SASL_PLAINTEXT, KFK_BOOTSTRAP_SASL_SSL,
 * KFK_BOOTSTRAP_SSL_MTLS, KFK_SSL_DIR, KFK_SASL_USERNAME,
 * KFK_SASL_PASSWORD, KFK_SSL_KEY_PASSWORD, KFK_SSL_STORE_PASSWORD
 * (`scripts/kafka-local env --secure`); an unset one fails. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log_it.h"
#include "sec_env.h"

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    static char buf[8][16384];
    static int next;
    char *b = buf[next++ % 8];
    size_t n = fread(b, 1, sizeof buf[0] - 1, f);
    b[n] = '\0';
    fclose(f);
    return b;
}

/* Fails for every line holding secret (what names it in the message). */
static int find_secret(log_capture *cap, const char *secret, size_t len, const char *what) {
    int found = 0;
    pthread_mutex_lock(&cap->lock);
    for (int i = 0; i < cap->n; i++) {
        const char *m = cap->lines[i].message;
        if (!m) continue;
        for (const char *p = m; *p; p++)
            if (!strncmp(p, secret, len)) {
                if (found++ < 3)
                    kfk_test_fail(__FILE__, __LINE__, "%s in a %s line: %s", what,
                                  cap->lines[i].context, m);
                break;
            }
    }
    pthread_mutex_unlock(&cap->lock);
    return found;
}

/* Pieces of a PEM private key's body: 16 characters from each line. */
static void check_key_material(log_capture *cap, const char *pem, const char *what) {
    if (!pem) {
        kfk_test_fail(__FILE__, __LINE__, "%s: could not read the key", what);
        return;
    }
    int pieces = 0;
    for (const char *line = pem; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len >= 32 && line[0] != '-' && !memchr(line, ':', len)) {
            find_secret(cap, line, 16, what);
            find_secret(cap, line + len - 16, 16, what);
            pieces++;
        }
        line += len + (end ? 1 : 0);
    }
    CHECK(pieces > 5); /* the key was read: the search meant something */
    find_secret(cap, "PRIVATE KEY", 11, what);
}

static void check_all(log_capture *cap) {
    const char *pw = env("KFK_SASL_PASSWORD"), *kpw = env("KFK_SSL_KEY_PASSWORD"),
               *spw = env("KFK_SSL_STORE_PASSWORD");
    if (pw) find_secret(cap, pw, strlen(pw), "sasl.password");
    if (kpw) find_secret(cap, kpw, strlen(kpw), "ssl.key.password");
    if (spw) find_secret(cap, spw, strlen(spw), "ssl.keystore.password");
    check_key_material(cap, read_file(ssl_file("client-enc.key")), "client-enc.key");
    check_key_material(cap, read_file(ssl_file("client.key")), "client.key");
    /* with debug=all the run was logged at length, security steps included */
    CHECK(log_count(cap, NULL, NULL) > 100);
    /* statistics documents were searched too */
    CHECK(log_count(cap, "stats", "\"brokers\"") > 0);
    for (const char *c = "generic broker protocol msg fetch cgrp admin"; *c;) {
        char ctx[16];
        int n = 0;
        sscanf(c, "%15s%n", ctx, &n);
        if (log_count(cap, ctx, NULL) == 0)
            kfk_test_fail(__FILE__, __LINE__, "no %s line with debug=all", ctx);
        c += n;
        while (*c == ' ') c++;
    }
}

static void run(const char *what, const char *bootstrap, const char *const *kv,
                const char *security_needle) {
    REQUIRE(bootstrap);
    log_it_stats = 1;
    log_capture cap;
    log_capture_init(&cap);
    CHECK_EQ(log_workload(what, bootstrap, kv, "all", &cap), LOG_IT_RECORDS);
    check_all(&cap);
    if (log_count(&cap, "security", security_needle) == 0)
        kfk_test_fail(__FILE__, __LINE__, "%s: no security line with \"%s\"", what,
                      security_needle);
    log_capture_free(&cap);
}

TEST(sasl_plain) {
    const char *kv[] = {"security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
                        "sasl.username", env("KFK_SASL_USERNAME"), "sasl.password",
                        env("KFK_SASL_PASSWORD"), NULL};
    run("log-plain", env("KFK_BOOTSTRAP_SASL_PLAINTEXT"), kv, "SASL PLAIN: authenticated");
}

TEST(sasl_scram_sha_256) {
    const char *kv[] = {"security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "SCRAM-SHA-256",
                        "sasl.username", env("KFK_SASL_USERNAME"), "sasl.password",
                        env("KFK_SASL_PASSWORD"), NULL};
    run("log-scram256", env("KFK_BOOTSTRAP_SASL_PLAINTEXT"), kv,
        "SASL SCRAM-SHA-256: authenticated");
}

TEST(sasl_scram_sha_512_from_jaas) {
    char jaas[256];
    snprintf(jaas, sizeof jaas,
             "org.apache.kafka.common.security.scram.ScramLoginModule required "
             "username=\"%s\" password=\"%s\";",
             env("KFK_SASL_USERNAME"), env("KFK_SASL_PASSWORD"));
    const char *kv[] = {"security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "SCRAM-SHA-512",
                        "sasl.jaas.config", jaas, NULL};
    run("log-scram512", env("KFK_BOOTSTRAP_SASL_PLAINTEXT"), kv,
        "SASL SCRAM-SHA-512: authenticated");
}

TEST(sasl_ssl) {
    const char *kv[] = {"security.protocol", "SASL_SSL", "ssl.ca.location", ssl_file("ca.pem"),
                        "sasl.mechanism", "SCRAM-SHA-512", "sasl.username",
                        env("KFK_SASL_USERNAME"), "sasl.password", env("KFK_SASL_PASSWORD"), NULL};
    run("log-saslssl", env("KFK_BOOTSTRAP_SASL_SSL"), kv, "TLS handshake done");
}

TEST(mtls_encrypted_key_file) {
    const char *kv[] = {"security.protocol", "SSL", "ssl.ca.location", ssl_file("ca.pem"),
                        "ssl.certificate.location", ssl_file("client.pem"), "ssl.key.location",
                        ssl_file("client-enc.key"), "ssl.key.password", env("KFK_SSL_KEY_PASSWORD"),
                        NULL};
    run("log-mtls", env("KFK_BOOTSTRAP_SSL_MTLS"), kv, "TLS handshake done");
}

TEST(mtls_inline_key) {
    const char *key = read_file(ssl_file("client-enc.key"));
    const char *chain = read_file(ssl_file("client.pem"));
    REQUIRE(key && chain);
    const char *kv[] = {"security.protocol", "SSL", "ssl.ca.location", ssl_file("ca.pem"),
                        "ssl.keystore.type", "PEM", "ssl.keystore.certificate.chain", chain,
                        "ssl.keystore.key", key, "ssl.key.password", env("KFK_SSL_KEY_PASSWORD"),
                        NULL};
    run("log-mtls-inline", env("KFK_BOOTSTRAP_SSL_MTLS"), kv, "TLS handshake done");
}

TEST(mtls_pkcs12_keystore_with_a_key_password) {
    const char *kv[] = {"security.protocol", "SSL", "ssl.ca.location", ssl_file("ca.pem"),
                        "ssl.keystore.type", "PKCS12", "ssl.keystore.location",
                        ssl_file("client-keypw.p12"), "ssl.keystore.password",
                        env("KFK_SSL_STORE_PASSWORD"), "ssl.key.password",
                        env("KFK_SSL_KEY_PASSWORD"), NULL};
    run("log-mtls-p12", env("KFK_BOOTSTRAP_SSL_MTLS"), kv, "TLS handshake done");
}

/* An unsecured JWT (the test broker's validator takes alg none). */
static char the_token[512];

static int token_cb(void *opaque, char *token, size_t size, int64_t *expiry_ms, char *err,
                    size_t errlen) {
    (void)opaque, (void)err, (void)errlen;
    snprintf(token, size, "%s", the_token);
    *expiry_ms = ((int64_t)time(NULL) + 600) * 1000;
    return 0;
}

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

TEST(oauthbearer_token) {
    char claims[160], h[64], b[256];
    long long now = (long long)time(NULL);
    snprintf(claims, sizeof claims, "{\"sub\":\"%s\",\"iat\":%lld,\"exp\":%lld}",
             env("KFK_SASL_USERNAME"), now, now + 600);
    b64url("{\"alg\":\"none\"}", h);
    b64url(claims, b);
    snprintf(the_token, sizeof the_token, "%s.%s.", h, b);
    log_it_token_cb = token_cb;
    log_it_stats = 1;
    const char *kv[] = {"security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "OAUTHBEARER",
                        NULL};
    log_capture cap;
    log_capture_init(&cap);
    const char *bootstrap = env("KFK_BOOTSTRAP_SASL_PLAINTEXT");
    if (bootstrap) CHECK_EQ(log_workload("log-oauth", bootstrap, kv, "all", &cap), LOG_IT_RECORDS);
    log_it_token_cb = NULL;
    find_secret(&cap, the_token, strlen(the_token), "the token");
    find_secret(&cap, b, strlen(b), "the token's claims");
    check_all(&cap);
    CHECK(log_count(&cap, "security", "SASL OAUTHBEARER: authenticated") > 0);
    log_capture_free(&cap);
}

/* A refused password: the failure is logged (an error line with the
 * broker's reason), the password is not. */
TEST(wrong_password) {
    const char *wrong = "not-the-password-4d1b9";
    const char *kv[] = {"security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "SCRAM-SHA-256",
                        "sasl.username", env("KFK_SASL_USERNAME"), "sasl.password", wrong,
                        "debug", "all", NULL};
    const char *bootstrap = env("KFK_BOOTSTRAP_SASL_PLAINTEXT");
    REQUIRE(bootstrap);
    log_capture cap;
    log_capture_init(&cap);
    kfk_conf *conf = log_conf(bootstrap, kv, NULL, &cap);
    REQUIRE(conf);
    char err[256];
    kfk_admin *a = kfk_admin_new(conf, err, sizeof err);
    REQUIRE(a);
    kfk_admin_options o = {.timeout_ms = 5000};
    kfk_admin_result *res = kfk_admin_list_topics(a, 0, &o, NULL, NULL);
    CHECK(res && res->err != 0);
    kfk_admin_result_destroy(res);
    kfk_admin_destroy(a);
    CHECK_EQ(find_secret(&cap, wrong, strlen(wrong), "the wrong password"), 0);
    int errors = 0;
    pthread_mutex_lock(&cap.lock);
    for (int i = 0; i < cap.n; i++) errors += cap.lines[i].level == KFK_LOG_ERR;
    pthread_mutex_unlock(&cap.lock);
    CHECK(errors > 0);
    CHECK(log_count(&cap, "security", "SASL failed") > 0);
    log_capture_free(&cap);
}
