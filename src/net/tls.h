/* TLS with OpenSSL: one context per client (CA, client certificate,
 * versions, ciphers, built once from the configuration) and one session
 * per connection, driven non-blocking on the link's socket by the I/O
 * thread: every call either makes progress or says which readiness
 * (KFK_POLL_IN or KFK_POLL_OUT) it waits for.
 *
 * Verification: the broker's chain against the CA (a file, a directory, a
 * PKCS#12 truststore or the system store), its certificate against the
 * revocation lists of ssl.crl.location if given, and, with ssl.endpoint.identification.algorithm=https
 * (the default), its host name or IP address against the certificate.
 * Errors name the cause: expired certificate, unknown CA, host name
 * mismatch, a plaintext listener. */
#ifndef KFK_TLS_H
#define KFK_TLS_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

typedef struct kfk_tls_conf {
    /* Trust: ssl.ca.location (file or directory) or ssl.truststore.location
     * (file), and/or ssl.truststore.certificates (PEM text). None: the
     * system store. */
    const char *ca_location, *truststore_location, *truststore_pem;
    const char *truststore_type, *truststore_password; /* "PKCS12": a PKCS#12 file */
    const char *crl_location; /* ssl.crl.location: PEM CRLs the broker's leaf is checked against */
    /* Client identity: ssl.certificate.location + ssl.key.location, or
     * ssl.keystore.location (key and chain in one PEM file), or
     * ssl.keystore.certificate.chain + ssl.keystore.key (PEM text). */
    const char *cert_location, *key_location, *keystore_location;
    const char *keystore_chain_pem, *keystore_key_pem;
    const char *keystore_type, *keystore_password; /* PKCS12 (also when the file is not PEM) */
    const char *key_password;
    const char *endpoint_identification; /* "https", or "" / "none" */
    int verify_certificate;              /* enable.ssl.certificate.verification */
    const char *protocol;                /* ssl.protocol: TLSv1.2, TLSv1.3, TLS */
    const char *enabled_protocols;       /* "TLSv1.2,TLSv1.3" */
    const char *cipher_suites, *curves_list;
} kfk_tls_conf;

typedef struct kfk_tls_ctx kfk_tls_ctx;
typedef struct kfk_tls kfk_tls;

/* Builds the context; NULL with the reason (naming the key and file, never
 * a password) in errstr. Any thread; the context is then read-only and
 * shared by every connection of the client. */
kfk_tls_ctx *kfk_tls_ctx_new(const kfk_tls_conf *conf, char *errstr, size_t errlen);
void kfk_tls_ctx_free(kfk_tls_ctx *ctx);

/* A session on connected socket fd to host (SNI and verification name).
 * NULL when out of memory. I/O thread. */
kfk_tls *kfk_tls_new(kfk_tls_ctx *ctx, int fd, const char *host);
void kfk_tls_free(kfk_tls *t);

/* Progress results: done or moved bytes (>= 0 / > 0), would block
 * (KFK_TLS_WANT, with *events set to KFK_POLL_IN or KFK_POLL_OUT), or a negative
 * kfk_err with the cause in errstr. */
enum { KFK_TLS_WANT = -1 };

/* 0 once the handshake completed and the broker is verified. */
int kfk_tls_handshake(kfk_tls *t, unsigned *events, char *errstr, size_t errlen);
/* Bytes read (> 0), KFK_TLS_WANT, or an error (the broker closing the
 * connection is KFK_ERR_TRANSPORT). */
ssize_t kfk_tls_read(kfk_tls *t, void *buf, size_t len, unsigned *events, char *errstr,
                     size_t errlen);
/* Writes from n pieces (n may be 0): bytes taken (> 0; 0 when n is 0),
 * KFK_TLS_WANT, or an error. Pieces under 4 KiB in a row are copied into
 * the session's staging buffer and go out as one TLS record (taken, even
 * if the socket is full: later calls send the rest of the staging buffer
 * before anything else); a larger first piece is encrypted from where it
 * is. A write that would block must be retried with the same pieces
 * (OpenSSL's rule; the connection's frames stay put until sent). Call with
 * n = 0 when nothing else waits, until it returns 0. I/O thread. */
ssize_t kfk_tls_writev(kfk_tls *t, const struct iovec *iov, int n, unsigned *events,
                       char *errstr, size_t errlen);
/* Decrypted bytes buffered inside OpenSSL: read them before waiting for
 * the socket again. */
int kfk_tls_pending(const kfk_tls *t);
/* "TLSv1.3 TLS_AES_256_GCM_SHA384", for logs and tests. */
const char *kfk_tls_describe(const kfk_tls *t, char *buf, size_t len);

#endif
