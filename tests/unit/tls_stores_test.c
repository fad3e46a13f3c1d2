/* The TLS context from PKCS#12 stores and revocation lists, without a
 * broker: files written here with OpenSSL, read by kfk_tls_ctx_new; right
 * and wrong passwords, a type sniffed from the content, and errors that
 * name the key and file but never the password. */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kfk.h"
#include "net/tls.h"
#include "test.h"

static char dir[64];

static const char *path_of(const char *name) {
    static char paths[4][128];
    static int next;
    char *p = paths[next++ % 4];
    snprintf(p, 128, "%s/%s", dir, name);
    return p;
}

/* A P-256 key and a certificate signed by itself, valid for an hour. */
static X509 *self_signed(EVP_PKEY *key) {
    X509 *x = X509_new();
    if (!x) return NULL;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                               (const unsigned char *)"kfk-unit", -1, -1, 0);
    X509_set_issuer_name(x, X509_get_subject_name(x));
    X509_set_pubkey(x, key);
    if (X509_sign(x, key, EVP_sha256()) <= 0) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static int write_p12(const char *name, const char *pw, EVP_PKEY *key, X509 *cert) {
    PKCS12 *p12 = PKCS12_create(pw, "kfk", key, cert, NULL, 0, 0, 0, 0, 0);
    FILE *f = fopen(path_of(name), "wb");
    int ok = p12 && f && i2d_PKCS12_fp(f, p12) == 1;
    if (f) fclose(f);
    PKCS12_free(p12);
    return ok ? 0 : -1;
}

/* An empty revocation list signed with key, next update in a day. */
static int write_crl(const char *name, EVP_PKEY *key, X509 *issuer) {
    X509_CRL *crl = X509_CRL_new();
    ASN1_TIME *now = ASN1_TIME_adj(NULL, time(NULL), 0, 0);
    ASN1_TIME *next = ASN1_TIME_adj(NULL, time(NULL), 1, 0);
    FILE *f = fopen(path_of(name), "w");
    int ok = crl && now && next && f && X509_CRL_set_version(crl, 1) &&
             X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer)) &&
             X509_CRL_set1_lastUpdate(crl, now) && X509_CRL_set1_nextUpdate(crl, next) &&
             X509_CRL_sign(crl, key, EVP_sha256()) > 0 && PEM_write_X509_CRL(f, crl) == 1;
    if (f) fclose(f);
    ASN1_TIME_free(now);
    ASN1_TIME_free(next);
    X509_CRL_free(crl);
    return ok ? 0 : -1;
}

static int write_text(const char *name, const char *text) {
    FILE *f = fopen(path_of(name), "w");
    if (!f) return -1;
    fputs(text, f);
    return fclose(f);
}

/* kfk_tls_ctx_new(c) succeeds (want NULL) or fails naming every part. */
static void ctx_expect(const kfk_tls_conf *c, const char *want1, const char *want2,
                       const char *secret) {
    char err[400] = "";
    kfk_tls_ctx *t = kfk_tls_ctx_new(c, err, sizeof err);
    if (!want1) {
        if (!t) kfk_test_fail(__FILE__, __LINE__, "refused: %s", err);
    } else {
        CHECK(t == NULL);
        if (!strstr(err, want1) || (want2 && !strstr(err, want2)))
            kfk_test_fail(__FILE__, __LINE__, "error \"%s\" lacks \"%s\"/\"%s\"", err, want1,
                          want2 ? want2 : "");
        if (secret) CHECK(strstr(err, secret) == NULL);
    }
    kfk_tls_ctx_free(t);
}

static EVP_PKEY *key;
static X509 *cert;
static const char *const files[] = {"client.p12", "trust.p12", "crl.pem", "junk.pem"};

/* Fresh files in a new folder for each test; 0 or -1. */
static int setup(void) {
    snprintf(dir, sizeof dir, "/tmp/kfk-tls-unit-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    key = EVP_EC_gen("P-256");
    cert = key ? self_signed(key) : NULL;
    if (!cert) return -1;
    int bad = write_p12(files[0], "store-pw", key, cert) ||
              write_p12(files[1], "trust-pw", NULL, cert) || write_crl(files[2], key, cert) ||
              write_text(files[3], "not a certificate\n");
    return bad ? -1 : 0;
}

static void teardown(void) {
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) unlink(path_of(files[i]));
    CHECK_EQ(rmdir(dir), 0);
    X509_free(cert);
    EVP_PKEY_free(key);
    cert = NULL;
    key = NULL;
}

static kfk_tls_conf base(void) {
    return (kfk_tls_conf){.verify_certificate = 1, .endpoint_identification = "https",
                          .enabled_protocols = "TLSv1.3"};
}

TEST(pkcs12_keystore_with_and_without_its_type) {
    REQUIRE_EQ(setup(), 0);
    kfk_tls_conf c = base();
    c.verify_certificate = 0;
    c.keystore_location = path_of("client.p12");
    c.keystore_password = "store-pw";
    c.keystore_type = "PKCS12";
    ctx_expect(&c, NULL, NULL, NULL);
    c.keystore_type = "PEM"; /* librdkafka's way: the content says PKCS#12 */
    ctx_expect(&c, NULL, NULL, NULL);
    c.keystore_password = "wrong-pw-31";
    ctx_expect(&c, "wrong ssl.keystore.password", "client.p12", "wrong-pw-31");
    c.keystore_location = path_of("trust.p12"); /* certificates only, no key */
    c.keystore_password = "trust-pw";
    ctx_expect(&c, "ssl.keystore.location", "no private key", NULL);
    teardown();
}

TEST(pkcs12_truststore) {
    REQUIRE_EQ(setup(), 0);
    kfk_tls_conf c = base();
    c.ca_location = NULL;
    c.truststore_location = path_of("trust.p12");
    c.truststore_type = "PKCS12";
    c.truststore_password = "trust-pw";
    ctx_expect(&c, NULL, NULL, NULL);
    c.truststore_password = "nope-pw-77";
    ctx_expect(&c, "wrong ssl.truststore.password", "trust.p12", "nope-pw-77");
    c.truststore_location = path_of("junk.pem");
    c.truststore_password = "trust-pw";
    ctx_expect(&c, "is not a PKCS#12 file", "junk.pem", NULL);
    c.truststore_location = path_of("missing.p12");
    ctx_expect(&c, "ssl.truststore.location: cannot read", "missing.p12", NULL);
    c.truststore_location = ""; /* the type alone: the system store */
    ctx_expect(&c, NULL, NULL, NULL);
    teardown();
}

TEST(revocation_lists) {
    REQUIRE_EQ(setup(), 0);
    kfk_tls_conf c = base();
    c.ca_location = NULL;
    c.truststore_location = path_of("trust.p12");
    c.truststore_type = "PKCS12";
    c.truststore_password = "trust-pw";
    c.crl_location = path_of("crl.pem");
    ctx_expect(&c, NULL, NULL, NULL);
    c.crl_location = path_of("junk.pem");
    ctx_expect(&c, "ssl.crl.location: no PEM revocation list", "junk.pem", NULL);
    c.crl_location = path_of("missing-crl.pem");
    ctx_expect(&c, "ssl.crl.location: cannot read", "missing-crl.pem", NULL);
    teardown();
}
