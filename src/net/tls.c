#include "net/tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "kfk.h"
#include "net/ossl.h"
#include "net/poller.h"
#include "net/sock.h"

struct kfk_tls_ctx {
    SSL_CTX *ssl;
    int verify_host;
};

/* Small pieces (request headers, small frames) share one TLS record and
 * one write() instead of a record and a write() each. */
enum { STAGE_PIECE_MAX = 4096, STAGE_CAP = 16384 /* one record's plaintext */ };

struct kfk_tls {
    SSL *ssl;
    int verify_host;
    uint8_t *stage;               /* STAGE_CAP bytes, once a small piece came */
    size_t stage_off, stage_len; /* [off, len) taken, not yet written */
};

/* ------------------------------------------------------------ errors */

/* OpenSSL's error queue, oldest first, then cleared (it is per thread). */
static void ssl_errors(char *buf, size_t len) {
    unsigned long e;
    size_t off = strlen(buf);
    while ((e = ERR_get_error()) != 0 && off + 2 < len) {
        char one[160];
        ERR_error_string_n(e, one, sizeof one);
        off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? ": " : "", one);
        if (off >= len) break;
    }
    ERR_clear_error();
}

static int ctx_fail(char *errstr, size_t errlen, const char *fmt, const char *arg) {
    snprintf(errstr, errlen, fmt, arg);
    ssl_errors(errstr, errlen);
    return KFK_ERR_SSL;
}

/* --------------------------------------------------------------- context */

static int is_set(const char *s) { return s && *s; }

static int parse_version(const char *s, size_t n) {
    if (n == 7 && strncmp(s, "TLSv1.2", 7) == 0) return TLS1_2_VERSION;
    if (n == 7 && strncmp(s, "TLSv1.3", 7) == 0) return TLS1_3_VERSION;
    return -1;
}

/* ssl.enabled.protocols gives the range; ssl.protocol caps it (as the Java
 * client's SSLContext protocol does). */
static int set_versions(SSL_CTX *ctx, const kfk_tls_conf *conf, char *errstr, size_t errlen) {
    int lo = 0, hi = 0;
    const char *p = is_set(conf->enabled_protocols) ? conf->enabled_protocols : "TLSv1.2,TLSv1.3";
    while (*p) {
        while (*p == ' ' || *p == ',') p++;
        size_t n = strcspn(p, ", ");
        if (!n) break;
        int v = parse_version(p, n);
        if (v < 0) {
            snprintf(errstr, errlen,
                     "ssl.enabled.protocols: unsupported protocol \"%.*s\" (TLSv1.2, TLSv1.3)",
                     (int)n, p);
            return KFK_ERR_CONFIG;
        }
        if (!lo || v < lo) lo = v;
        if (v > hi) hi = v;
        p += n;
    }
    if (!lo) {
        snprintf(errstr, errlen, "ssl.enabled.protocols lists no protocol");
        return KFK_ERR_CONFIG;
    }
    int cap = conf->protocol ? parse_version(conf->protocol, strlen(conf->protocol)) : -1;
    if (cap > 0 && cap < hi) hi = cap;
    if (hi < lo) {
        snprintf(errstr, errlen, "ssl.protocol %s is below every ssl.enabled.protocols entry",
                 conf->protocol);
        return KFK_ERR_CONFIG;
    }
    SSL_CTX_set_min_proto_version(ctx, lo);
    SSL_CTX_set_max_proto_version(ctx, hi);
    return 0;
}

/* TLS 1.3 suites (TLS_AES_..., no _WITH_) and TLS 1.2 ciphers are set
 * apart in OpenSSL; the Java client's IANA names for 1.2 are translated. */
static int set_ciphers(SSL_CTX *ctx, const char *list, char *errstr, size_t errlen) {
    char v13[512] = "", v12[1024] = "";
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ',' || *p == ':') p++;
        size_t n = strcspn(p, ", :");
        if (!n) break;
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)n, p);
        p += n;
        int tls13 = strncmp(name, "TLS_", 4) == 0 && !strstr(name, "_WITH_");
        const char *os = name;
        if (!tls13 && strstr(name, "_WITH_")) {
            os = OPENSSL_cipher_name(name);
            if (!os || strcmp(os, "(NONE)") == 0) {
                snprintf(errstr, errlen, "ssl.cipher.suites: unknown cipher suite %s", name);
                return KFK_ERR_CONFIG;
            }
        }
        char *dst = tls13 ? v13 : v12;
        size_t cap = tls13 ? sizeof v13 : sizeof v12, len = strlen(dst);
        snprintf(dst + len, cap - len, "%s%s", len ? ":" : "", os);
    }
    if (*v13 && !SSL_CTX_set_ciphersuites(ctx, v13))
        return ctx_fail(errstr, errlen, "ssl.cipher.suites: OpenSSL rejects TLS 1.3 suites %s", v13);
    if (*v12 && !SSL_CTX_set_cipher_list(ctx, v12))
        return ctx_fail(errstr, errlen, "ssl.cipher.suites: OpenSSL rejects ciphers %s", v12);
    return 0;
}

static int load_ca_pem(SSL_CTX *ctx, const char *pem, char *errstr, size_t errlen) {
    BIO *bio = BIO_new_mem_buf(pem, -1);
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    int n = 0;
    X509 *x;
    while (bio && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        if (X509_STORE_add_cert(store, x)) n++;
        X509_free(x);
    }
    BIO_free(bio);
    ERR_clear_error(); /* the end of the text reads as "no start line" */
    if (!n) {
        snprintf(errstr, errlen, "ssl.truststore.certificates: no PEM certificate in it");
        return KFK_ERR_CONFIG;
    }
    return 0;
}

/* A PKCS#12 file: a DER SEQUENCE, where PEM text starts with a dash or
 * white space. librdkafka's ssl.keystore.location is PKCS#12 without a
 * type key, so the content decides when the type says PEM. */
static int looks_pkcs12(const char *path) {
    FILE *f = fopen(path, "rb");
    int c = f ? fgetc(f) : EOF;
    if (f) fclose(f);
    return c == 0x30;
}

typedef struct p12_parts {
    EVP_PKEY *key;
    X509 *cert;
    STACK_OF(X509) *ca;
} p12_parts;

static void p12_parts_free(p12_parts *p) {
    EVP_PKEY_free(p->key);
    X509_free(p->cert);
    sk_X509_pop_free(p->ca, X509_free);
}

/* One safe's bags into out: certificates, and the key, decrypted with
 * keypw. 0, or -1 when the key does not decrypt. */
static int p12_bags(const STACK_OF(PKCS12_SAFEBAG) *bags, const char *keypw, p12_parts *out) {
    for (int i = 0; i < sk_PKCS12_SAFEBAG_num(bags); i++) {
        const PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, i);
        int nid = PKCS12_SAFEBAG_get_nid(bag);
        if (nid == NID_certBag && PKCS12_SAFEBAG_get_bag_nid(bag) == NID_x509Certificate) {
            X509 *x = PKCS12_SAFEBAG_get1_cert(bag);
            if (x && !sk_X509_push(out->ca, x)) X509_free(x);
        } else if ((nid == NID_keyBag || nid == NID_pkcs8ShroudedKeyBag) && !out->key) {
            PKCS8_PRIV_KEY_INFO *p8 =
                nid == NID_keyBag ? (PKCS8_PRIV_KEY_INFO *)PKCS12_SAFEBAG_get0_p8inf(bag)
                                  : PKCS12_decrypt_skey(bag, keypw, -1);
            if (!p8) return -1;
            out->key = EVP_PKCS82PKEY(p8);
            if (nid == NID_pkcs8ShroudedKeyBag) PKCS8_PRIV_KEY_INFO_free(p8);
            if (!out->key) return -1;
        }
    }
    return 0;
}

/* Java lets a keystore's key have a password of its own (ssl.key.password,
 * which PKCS12_parse cannot take): the safes open with the store's
 * password, the key with its own; the certificate is the one that matches
 * the key, the others are the chain. 0, or -1 when something does not
 * decrypt. */
static int p12_parse_keypw(PKCS12 *p12, const char *storepw, const char *keypw, p12_parts *out) {
    STACK_OF(PKCS7) *safes = PKCS12_unpack_authsafes(p12);
    int rc = safes && (out->ca = sk_X509_new_null()) ? 0 : -1;
    for (int i = 0; !rc && i < sk_PKCS7_num(safes); i++) {
        PKCS7 *p7 = sk_PKCS7_value(safes, i);
        int nid = OBJ_obj2nid(p7->type);
        STACK_OF(PKCS12_SAFEBAG) *bags = nid == NID_pkcs7_data ? PKCS12_unpack_p7data(p7)
                                         : nid == NID_pkcs7_encrypted
                                             ? PKCS12_unpack_p7encdata(p7, storepw, -1)
                                             : NULL;
        rc = bags ? p12_bags(bags, keypw, out) : -1;
        sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
    }
    sk_PKCS7_pop_free(safes, PKCS7_free);
    for (int i = 0; !rc && out->key && !out->cert && i < sk_X509_num(out->ca); i++) {
        X509 *x = sk_X509_value(out->ca, i);
        if (X509_check_private_key(x, out->key) == 1) out->cert = sk_X509_delete(out->ca, i);
    }
    return rc;
}

/* Opens and decrypts a PKCS#12 file; keypw (NULL: pw) decrypts the key.
 * The errors name the keys (lockey for the file, pwkey for the password),
 * never the password. */
static int p12_read(const char *path, const char *pw, const char *keypw, const char *lockey,
                    const char *pwkey, p12_parts *out, char *errstr, size_t errlen) {
    *out = (p12_parts){0};
    BIO *bio = BIO_new_file(path, "rb");
    if (!bio) {
        snprintf(errstr, errlen, "%s: cannot read %s: %s", lockey, path, strerror(errno));
        ERR_clear_error();
        return KFK_ERR_CONFIG;
    }
    PKCS12 *p12 = d2i_PKCS12_bio(bio, NULL);
    BIO_free(bio);
    if (!p12) {
        snprintf(errstr, errlen, "%s: %s is not a PKCS#12 file", lockey, path);
        ERR_clear_error();
        return KFK_ERR_CONFIG;
    }
    /* Java writes stores without a MAC when the password is empty. */
    const char *use = pw ? pw : "";
    if (PKCS12_mac_present(p12) && !PKCS12_verify_mac(p12, use, -1)) {
        PKCS12_free(p12);
        snprintf(errstr, errlen, "%s: wrong %s for %s", lockey, pwkey, path);
        ERR_clear_error();
        return KFK_ERR_CONFIG;
    }
    int ok = keypw && strcmp(keypw, use) != 0 ? p12_parse_keypw(p12, use, keypw, out) == 0
                                               : PKCS12_parse(p12, use, &out->key, &out->cert,
                                                              &out->ca);
    PKCS12_free(p12);
    if (!ok) {
        p12_parts_free(out);
        *out = (p12_parts){0};
        snprintf(errstr, errlen, "%s: cannot decrypt %s (wrong %s?)", lockey, path,
                 keypw && strcmp(keypw, use) != 0 ? "ssl.key.password" : pwkey);
        ERR_clear_error();
        return KFK_ERR_CONFIG;
    }
    return 0;
}

/* Every certificate of a PKCS#12 truststore becomes a trust anchor. */
static int load_trust_p12(SSL_CTX *ctx, const kfk_tls_conf *conf, char *errstr, size_t errlen) {
    p12_parts p;
    int rc = p12_read(conf->truststore_location, conf->truststore_password, NULL,
                      "ssl.truststore.location", "ssl.truststore.password", &p, errstr, errlen);
    if (rc) return rc;
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    int n = 0;
    if (p.cert && X509_STORE_add_cert(store, p.cert)) n++;
    for (int i = 0; p.ca && i < sk_X509_num(p.ca); i++)
        if (X509_STORE_add_cert(store, sk_X509_value(p.ca, i))) n++;
    p12_parts_free(&p);
    ERR_clear_error();
    if (!n) {
        snprintf(errstr, errlen, "ssl.truststore.location: no certificate in %s",
                 conf->truststore_location);
        return KFK_ERR_CONFIG;
    }
    return 0;
}

/* ssl.crl.location: the broker's leaf certificate must not be revoked,
 * and its CA must have a list there (OpenSSL's CRL_CHECK, as librdkafka). */
static int load_crl(SSL_CTX *ctx, const char *path, char *errstr, size_t errlen) {
    BIO *bio = BIO_new_file(path, "r");
    if (!bio) {
        snprintf(errstr, errlen, "ssl.crl.location: cannot read %s: %s", path, strerror(errno));
        ERR_clear_error();
        return KFK_ERR_CONFIG;
    }
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    int n = 0;
    X509_CRL *crl;
    while ((crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)) != NULL) {
        if (X509_STORE_add_crl(store, crl)) n++;
        X509_CRL_free(crl);
    }
    BIO_free(bio);
    ERR_clear_error(); /* the end of the file reads as "no start line" */
    if (!n) {
        snprintf(errstr, errlen, "ssl.crl.location: no PEM revocation list in %s", path);
        return KFK_ERR_CONFIG;
    }
    X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
    return 0;
}

static int load_trust(SSL_CTX *ctx, const kfk_tls_conf *conf, char *errstr, size_t errlen) {
    const char *key = "ssl.ca.location", *loc = conf->ca_location;
    if (!is_set(loc)) key = "ssl.truststore.location", loc = conf->truststore_location;
    int p12 = is_set(loc) && loc == conf->truststore_location && is_set(conf->truststore_type) &&
              strcmp(conf->truststore_type, "PKCS12") == 0;
    if (p12) {
        int rc = load_trust_p12(ctx, conf, errstr, errlen);
        if (rc) return rc;
    } else if (is_set(loc)) {
        struct stat st;
        if (stat(loc, &st) != 0) {
            snprintf(errstr, errlen, "%s: cannot read %s: %s", key, loc, strerror(errno));
            return KFK_ERR_CONFIG;
        }
        int ok = S_ISDIR(st.st_mode) ? SSL_CTX_load_verify_dir(ctx, loc)
                                     : SSL_CTX_load_verify_file(ctx, loc);
        if (!ok) return ctx_fail(errstr, errlen, "%s: no usable CA certificate", key);
    }
    if (is_set(conf->truststore_pem)) {
        int rc = load_ca_pem(ctx, conf->truststore_pem, errstr, errlen);
        if (rc) return rc;
    }
    if (!is_set(loc) && !is_set(conf->truststore_pem) && !SSL_CTX_set_default_verify_paths(ctx))
        return ctx_fail(errstr, errlen, "%s", "cannot load the system CA store");
    return is_set(conf->crl_location) ? load_crl(ctx, conf->crl_location, errstr, errlen) : 0;
}

static int password_cb(char *buf, int size, int rwflag, void *u) {
    const char *pw = u;
    if (!pw) return 0;
    int n = (int)strlen(pw);
    if (n > size) n = size;
    memcpy(buf, pw, (size_t)n);
    return n;
}

/* The client's certificate chain (first is the leaf) and key, from PEM
 * text or files. `what` names the keys for errors. */
static int load_identity(SSL_CTX *ctx, BIO *chain, BIO *keybio, const char *pw, const char *what,
                         char *errstr, size_t errlen) {
    X509 *leaf = PEM_read_bio_X509(chain, NULL, NULL, NULL);
    if (!leaf || SSL_CTX_use_certificate(ctx, leaf) != 1) {
        X509_free(leaf);
        return ctx_fail(errstr, errlen, "%s: no usable PEM certificate", what);
    }
    X509_free(leaf);
    X509 *x;
    while ((x = PEM_read_bio_X509(chain, NULL, NULL, NULL)) != NULL) {
        if (!SSL_CTX_add0_chain_cert(ctx, x)) {
            X509_free(x);
            return ctx_fail(errstr, errlen, "%s: bad chain certificate", what);
        }
    }
    ERR_clear_error();
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey(keybio, NULL, password_cb, (void *)pw);
    if (!pkey)
        return ctx_fail(errstr, errlen,
                        "%s: cannot read the private key (wrong ssl.key.password?)", what);
    int ok = SSL_CTX_use_PrivateKey(ctx, pkey) == 1 && SSL_CTX_check_private_key(ctx) == 1;
    EVP_PKEY_free(pkey);
    if (!ok) return ctx_fail(errstr, errlen, "%s: the key does not match the certificate", what);
    return 0;
}

/* A PKCS#12 keystore: the key, its certificate and the chain above it. */
static int load_identity_p12(SSL_CTX *ctx, const kfk_tls_conf *conf, char *errstr,
                             size_t errlen) {
    const char *what = "ssl.keystore.location";
    p12_parts p;
    /* As in Java: ssl.key.password, when set, is the key entry's own. */
    int rc = p12_read(conf->keystore_location, conf->keystore_password,
                      is_set(conf->key_password) ? conf->key_password : NULL, what,
                      "ssl.keystore.password", &p, errstr, errlen);
    if (rc) return rc;
    if (!p.key || !p.cert) {
        snprintf(errstr, errlen, "%s: %s holds no private key with its certificate", what,
                 conf->keystore_location);
        rc = KFK_ERR_CONFIG;
    } else if (SSL_CTX_use_certificate(ctx, p.cert) != 1 ||
               SSL_CTX_use_PrivateKey(ctx, p.key) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        rc = ctx_fail(errstr, errlen, "%s: the key does not match the certificate", what);
    }
    for (int i = 0; !rc && p.ca && i < sk_X509_num(p.ca); i++)
        if (!SSL_CTX_add1_chain_cert(ctx, sk_X509_value(p.ca, i)))
            rc = ctx_fail(errstr, errlen, "%s: bad chain certificate", what);
    p12_parts_free(&p);
    return rc;
}

static int load_client_cert(SSL_CTX *ctx, const kfk_tls_conf *conf, char *errstr, size_t errlen) {
    if (!is_set(conf->cert_location) && !is_set(conf->key_location) &&
        is_set(conf->keystore_location) &&
        ((is_set(conf->keystore_type) && strcmp(conf->keystore_type, "PKCS12") == 0) ||
         looks_pkcs12(conf->keystore_location)))
        return load_identity_p12(ctx, conf, errstr, errlen);
    const char *pw = is_set(conf->key_password) ? conf->key_password : NULL;
    BIO *chain = NULL, *key = NULL;
    const char *what;
    if (is_set(conf->cert_location) || is_set(conf->key_location)) {
        what = "ssl.certificate.location/ssl.key.location";
        if (!is_set(conf->cert_location) || !is_set(conf->key_location)) {
            snprintf(errstr, errlen, "%s: set both or neither", what);
            return KFK_ERR_CONFIG;
        }
        chain = BIO_new_file(conf->cert_location, "r");
        key = BIO_new_file(conf->key_location, "r");
    } else if (is_set(conf->keystore_location)) {
        what = "ssl.keystore.location";
        chain = BIO_new_file(conf->keystore_location, "r");
        key = BIO_new_file(conf->keystore_location, "r");
    } else if (is_set(conf->keystore_chain_pem) || is_set(conf->keystore_key_pem)) {
        what = "ssl.keystore.certificate.chain/ssl.keystore.key";
        chain = BIO_new_mem_buf(conf->keystore_chain_pem ? conf->keystore_chain_pem : "", -1);
        key = BIO_new_mem_buf(conf->keystore_key_pem ? conf->keystore_key_pem : "", -1);
    } else {
        return 0;
    }
    int rc = chain && key ? load_identity(ctx, chain, key, pw, what, errstr, errlen)
                          : ctx_fail(errstr, errlen, "%s: cannot open the file", what);
    BIO_free(chain);
    BIO_free(key);
    return rc;
}

kfk_tls_ctx *kfk_tls_ctx_new(const kfk_tls_conf *conf, char *errstr, size_t errlen) {
    errstr[0] = '\0';
    char why[256];
    if (kfk_ossl_load(why, sizeof why) != 0) {
        snprintf(errstr, errlen, "TLS needs OpenSSL (libssl.so.3): %s", why);
        return NULL;
    }
    ERR_clear_error();
    kfk_tls_ctx *t = kfk_calloc(1, sizeof *t);
    if (!t) {
        snprintf(errstr, errlen, "out of memory creating the TLS context");
        return NULL;
    }
    const char *eia = conf->endpoint_identification ? conf->endpoint_identification : "https";
    if (strcmp(eia, "https") == 0) {
        t->verify_host = 1;
    } else if (*eia && strcmp(eia, "none") != 0) {
        snprintf(errstr, errlen,
                 "ssl.endpoint.identification.algorithm: \"%s\" is not https, none or empty", eia);
        goto fail;
    }
    t->ssl = SSL_CTX_new(TLS_client_method());
    if (!t->ssl) {
        ctx_fail(errstr, errlen, "%s", "cannot create the TLS context");
        goto fail;
    }
    SSL_CTX_set_mode(t->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (set_versions(t->ssl, conf, errstr, errlen) ||
        (is_set(conf->cipher_suites) && set_ciphers(t->ssl, conf->cipher_suites, errstr, errlen)))
        goto fail;
    if (is_set(conf->curves_list) && !SSL_CTX_set1_groups_list(t->ssl, conf->curves_list)) {
        ctx_fail(errstr, errlen, "ssl.curves.list: OpenSSL rejects \"%s\"", conf->curves_list);
        goto fail;
    }
    if (conf->verify_certificate) {
        SSL_CTX_set_verify(t->ssl, SSL_VERIFY_PEER, NULL);
        if (load_trust(t->ssl, conf, errstr, errlen)) goto fail;
    } else {
        SSL_CTX_set_verify(t->ssl, SSL_VERIFY_NONE, NULL);
        t->verify_host = 0;
    }
    if (load_client_cert(t->ssl, conf, errstr, errlen)) goto fail;
    return t;
fail:
    kfk_tls_ctx_free(t);
    return NULL;
}

void kfk_tls_ctx_free(kfk_tls_ctx *t) {
    if (!t) return;
    SSL_CTX_free(t->ssl);
    kfk_free(t);
}

/* ------------------------------------------------------------- sessions */

/* OpenSSL's socket BIO writes with write(), which raises SIGPIPE when the
 * broker has closed; a library must not kill its host, so ours sends with
 * MSG_NOSIGNAL (net/sock.h). The fd is the BIO's data; the link owns and closes it. */
static int sock_write(BIO *b, const char *buf, size_t len, size_t *done) {
    BIO_clear_retry_flags(b);
    ssize_t n = send((int)(intptr_t)BIO_get_data(b), buf, len, KFK_MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) {
        *done = (size_t)n;
        return 1;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) BIO_set_retry_write(b);
    return 0;
}

static int sock_read(BIO *b, char *buf, size_t len, size_t *done) {
    BIO_clear_retry_flags(b);
    ssize_t n = recv((int)(intptr_t)BIO_get_data(b), buf, len, MSG_DONTWAIT);
    if (n > 0) {
        *done = (size_t)n;
        return 1;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) BIO_set_retry_read(b);
    if (n == 0) errno = 0; /* end of stream, not an error number */
    return 0;
}

static long sock_ctrl(BIO *b, int cmd, long num, void *ptr) {
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static BIO_METHOD *sock_method;
static pthread_once_t sock_once = PTHREAD_ONCE_INIT;

static void sock_method_init(void) {
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "kfk socket");
    if (m && BIO_meth_set_write_ex(m, sock_write) && BIO_meth_set_read_ex(m, sock_read) &&
        BIO_meth_set_ctrl(m, sock_ctrl))
        sock_method = m;
}

static BIO *sock_bio(int fd) {
    pthread_once(&sock_once, sock_method_init);
    BIO *b = sock_method ? BIO_new(sock_method) : NULL;
    if (b) {
        BIO_set_data(b, (void *)(intptr_t)fd);
        BIO_set_init(b, 1);
    }
    return b;
}

kfk_tls *kfk_tls_new(kfk_tls_ctx *ctx, int fd, const char *host) {
    kfk_tls *t = kfk_calloc(1, sizeof *t);
    if (!t) return NULL;
    t->ssl = SSL_new(ctx->ssl);
    t->verify_host = ctx->verify_host;
    BIO *bio = t->ssl ? sock_bio(fd) : NULL;
    if (!bio) goto fail;
    SSL_set_bio(t->ssl, bio, bio);
    unsigned char ip[16];
    int literal = inet_pton(AF_INET, host, ip) == 1 || inet_pton(AF_INET6, host, ip) == 1;
    /* SNI carries host names only (RFC 6066), never addresses. */
    if (!literal && !SSL_set_tlsext_host_name(t->ssl, host)) goto fail;
    if (t->verify_host) {
        X509_VERIFY_PARAM *vp = SSL_get0_param(t->ssl);
        int ok = literal ? X509_VERIFY_PARAM_set1_ip_asc(vp, host)
                         : X509_VERIFY_PARAM_set1_host(vp, host, 0);
        if (!ok) goto fail;
    }
    SSL_set_connect_state(t->ssl);
    return t;
fail:
    ERR_clear_error();
    kfk_tls_free(t);
    return NULL;
}

void kfk_tls_free(kfk_tls *t) {
    if (!t) return;
    SSL_free(t->ssl);
    kfk_free(t->stage);
    kfk_free(t);
}

/* Why the broker's certificate was refused, in words a user can act on. */
static const char *verify_hint(long v) {
    switch (v) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return "the broker's certificate has expired";
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return "the broker's certificate is not valid yet";
    case X509_V_ERR_CERT_REVOKED:
        return "the broker's certificate is revoked (ssl.crl.location)";
    case X509_V_ERR_UNABLE_TO_GET_CRL:
        return "ssl.crl.location has no revocation list from the broker's CA";
    case X509_V_ERR_CRL_HAS_EXPIRED:
        return "the revocation list in ssl.crl.location has expired";
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        return "host name mismatch: the broker's certificate does not name the host connected to";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return "unknown CA: the broker's certificate is not signed by a trusted CA "
               "(ssl.ca.location)";
    default:
        return "certificate verification failed";
    }
}

/* Maps a failed SSL_* call to KFK_TLS_WANT or an error. */
static int io_result(kfk_tls *t, int ret, int handshaking, unsigned *events, char *errstr,
                     size_t errlen) {
    int e = SSL_get_error(t->ssl, ret);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        *events = e == SSL_ERROR_WANT_READ ? KFK_POLL_IN : KFK_POLL_OUT;
        return KFK_TLS_WANT;
    }
    errstr[0] = '\0';
    long v = SSL_get_verify_result(t->ssl);
    if (handshaking && v != X509_V_OK) {
        snprintf(errstr, errlen, "TLS handshake: %s (%s)", verify_hint(v),
                 X509_verify_cert_error_string(v));
        ERR_clear_error();
        return KFK_ERR_SSL;
    }
    unsigned long top = ERR_peek_error();
    int eof = e == SSL_ERROR_ZERO_RETURN ||
              (e == SSL_ERROR_SYSCALL && !top) ||
              ERR_GET_REASON(top) == SSL_R_UNEXPECTED_EOF_WHILE_READING;
    if (eof && handshaking) {
        snprintf(errstr, errlen,
                 "TLS handshake: the broker closed the connection (a plaintext listener? "
                 "check security.protocol)");
        ERR_clear_error();
        return KFK_ERR_SSL;
    }
    if (eof) {
        ERR_clear_error();
        return KFK_ERR_TRANSPORT;
    }
    if (handshaking && ERR_GET_REASON(top) == SSL_R_WRONG_VERSION_NUMBER) {
        snprintf(errstr, errlen,
                 "TLS handshake: the broker does not speak TLS (a plaintext listener? "
                 "check security.protocol)");
        ERR_clear_error();
        return KFK_ERR_SSL;
    }
    if (e == SSL_ERROR_SYSCALL) {
        snprintf(errstr, errlen, "TLS %s: %s", handshaking ? "handshake" : "I/O",
                 errno ? strerror(errno) : "connection lost");
        ERR_clear_error();
        return handshaking ? KFK_ERR_SSL : KFK_ERR_TRANSPORT;
    }
    /* A TLS protocol failure: an alert from the broker or a bad record.
     * With TLS 1.3 the broker refuses a client certificate only after
     * the handshake, so this can come on the first read. */
    int reason = ERR_GET_REASON(top);
    if (reason == SSL_R_SSLV3_ALERT_BAD_CERTIFICATE || reason == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED ||
        reason == SSL_R_TLSV1_ALERT_UNKNOWN_CA || reason == SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN)
        snprintf(errstr, errlen, "TLS: the broker refused our client certificate "
                                 "(ssl.certificate.location / ssl.keystore.*)");
    else
        snprintf(errstr, errlen, "TLS %s failed", handshaking ? "handshake" : "I/O");
    ssl_errors(errstr, errlen);
    return KFK_ERR_SSL;
}

int kfk_tls_handshake(kfk_tls *t, unsigned *events, char *errstr, size_t errlen) {
    ERR_clear_error();
    int ret = SSL_do_handshake(t->ssl);
    return ret == 1 ? 0 : io_result(t, ret, 1, events, errstr, errlen);
}

ssize_t kfk_tls_read(kfk_tls *t, void *buf, size_t len, unsigned *events, char *errstr,
                     size_t errlen) {
    size_t n = 0;
    ERR_clear_error();
    int ret = SSL_read_ex(t->ssl, buf, len, &n);
    return ret == 1 ? (ssize_t)n : io_result(t, ret, 0, events, errstr, errlen);
}

static ssize_t tls_write(kfk_tls *t, const void *buf, size_t len, unsigned *events,
                         char *errstr, size_t errlen) {
    size_t n = 0;
    ERR_clear_error();
    int ret = SSL_write_ex(t->ssl, buf, len, &n);
    return ret == 1 ? (ssize_t)n : io_result(t, ret, 0, events, errstr, errlen);
}

/* Writes the staging buffer's rest: 0 once empty. The buffer does not
 * change until then, so a retry passes OpenSSL the same bytes. */
static ssize_t stage_flush(kfk_tls *t, unsigned *events, char *errstr, size_t errlen) {
    while (t->stage_off < t->stage_len) {
        ssize_t w = tls_write(t, t->stage + t->stage_off, t->stage_len - t->stage_off, events,
                              errstr, errlen);
        if (w < 0) return w;
        t->stage_off += (size_t)w;
    }
    t->stage_off = t->stage_len = 0;
    return 0;
}

ssize_t kfk_tls_writev(kfk_tls *t, const struct iovec *iov, int n, unsigned *events,
                       char *errstr, size_t errlen) {
    ssize_t rc = stage_flush(t, events, errstr, errlen);
    if (rc || n == 0) return rc;
    if (iov[0].iov_len >= STAGE_PIECE_MAX)
        return tls_write(t, iov[0].iov_base, iov[0].iov_len, events, errstr, errlen);
    if (!t->stage && !(t->stage = kfk_malloc(STAGE_CAP))) {
        snprintf(errstr, errlen, "out of memory for a TLS staging buffer");
        return KFK_ERR_NOMEM;
    }
    size_t took = 0;
    for (int i = 0; i < n && iov[i].iov_len < STAGE_PIECE_MAX &&
                    took + iov[i].iov_len <= STAGE_CAP;
         i++) {
        memcpy(t->stage + took, iov[i].iov_base, iov[i].iov_len);
        took += iov[i].iov_len;
    }
    t->stage_len = took;
    rc = stage_flush(t, events, errstr, errlen);
    return rc == 0 || rc == KFK_TLS_WANT ? (ssize_t)took : rc;
}

int kfk_tls_pending(const kfk_tls *t) { return SSL_pending(t->ssl) > 0; }

const char *kfk_tls_describe(const kfk_tls *t, char *buf, size_t len) {
    snprintf(buf, len, "%s %s", SSL_get_version(t->ssl), SSL_get_cipher_name(t->ssl));
    return buf;
}
