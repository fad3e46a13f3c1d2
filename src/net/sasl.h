/* SASL for Kafka (KIP-43 SaslHandshake v1 + SaslAuthenticate): the
 * credentials a client holds, and the client side of one authentication
 * exchange for PLAIN, SCRAM-SHA-256/512 (RFC 5802, 7677), OAUTHBEARER
 * (RFC 7628) and GSSAPI (RFC 4752, Kerberos: sasl_gssapi.c). No socket
 * I/O here: kfk_conn carries the messages (GSSAPI's library may ask the
 * KDC for tickets).
 *
 * Secrets (passwords, tokens) never go into error strings, and are wiped
 * from memory when the credentials and exchanges are freed. */
#ifndef KFK_SASL_H
#define KFK_SASL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "core/buf.h"
#include "kfk.h"

enum { KFK_SASL_TOKEN_MAX = 8192 }; /* longest OAUTHBEARER token */

enum kfk_sasl_mech {
    KFK_SASL_PLAIN,
    KFK_SASL_SCRAM_SHA_256,
    KFK_SASL_SCRAM_SHA_512,
    KFK_SASL_OAUTHBEARER,
    KFK_SASL_GSSAPI,
};

typedef struct kfk_sasl_conf {
    const char *mechanism;   /* sasl.mechanism */
    const char *username;    /* sasl.username */
    const char *password;    /* sasl.password */
    const char *jaas_config; /* sasl.jaas.config: overrides the two above */
    kfk_oauthbearer_token_cb token_cb; /* OAUTHBEARER */
    void *token_opaque;
    /* GSSAPI (sasl.kerberos.*); kinit_cmd NULL: not set by the user */
    const char *service_name, *principal, *keytab, *kinit_cmd;
    int64_t min_relogin_ms;
    /* OAUTHBEARER: the built-in OIDC provider (net/oidc.h) and extensions */
    const char *oauth_method, *token_endpoint_url, *client_id, *client_secret, *scope;
    const char *extensions, *https_ca_location;
} kfk_sasl_conf;

/* GSSAPI's settings (sasl_gssapi.c). keytab NULL: the ticket cache.
 * Shared with the exchanges' jobs, which may outlive the client. */
struct kfk_gss {
    atomic_int refs;
    char *service, *principal, *keytab, *kinit_cmd;
    int64_t min_relogin_ms;
    pthread_mutex_t lock; /* worker threads only: kinit and the credentials */
    int64_t kinit_at;     /* last kinit run, monotonic ms; 0: never (lock) */
    char kinit_err[200];  /* why the last run failed, "" if it did not (lock) */
    char ccache[48]; /* keytab mode: this client's private memory cache */
};

/* The client's credentials, shared by all its connections. */
typedef struct kfk_sasl {
    enum kfk_sasl_mech mech;
    char *username, *password;
    kfk_oauthbearer_token_cb token_cb;
    void *token_opaque;
    char *unsecured_sub; /* JAAS unsecuredLoginStringClaim_sub: kfk makes the token */
    struct kfk_oidc *oidc; /* the built-in provider behind token_cb, or NULL */
    char *extensions;      /* OAUTHBEARER "\001key=value" pairs, or NULL */

    pthread_mutex_t lock; /* the cached token: any connection may refresh it */
    char *token;
    int64_t token_expiry_ms, token_refresh_ms; /* wall clock, ms since the epoch */
    struct kfk_gss *gss;                       /* GSSAPI only */
} kfk_sasl;

/* Checks and copies the credentials (JAAS line parsed). NULL with the
 * reason in errstr: an unsupported mechanism, missing user name or
 * password, a JAAS line kfk cannot read. Any thread. */
kfk_sasl *kfk_sasl_new(const kfk_sasl_conf *conf, char *errstr, size_t errlen);
void kfk_sasl_free(kfk_sasl *s);
const char *kfk_sasl_mech_name(enum kfk_sasl_mech m);

/* The current OAUTHBEARER token (copied into buf), asking the application's
 * callback for a new one once 80% of its lifetime has passed. 0 or a
 * kfk_err with the callback's reason. */
int kfk_sasl_token(kfk_sasl *s, char *buf, size_t len, char *errstr, size_t errlen);
/* Whether an exchange can start now: 0, KFK_ERR_IN_PROGRESS while the
 * token callback (the OIDC provider's or the application's) is still
 * fetching a token (ask again), or its error. */
int kfk_sasl_ready(kfk_sasl *s, char *errstr, size_t errlen);

/* Parses a sasl.jaas.config line: the login module's class name and its
 * username / password / unsecuredLoginStringClaim_sub options (values
 * kfk_malloc'ed into *user, *pass, *sub; NULL when absent). 0 or
 * KFK_ERR_CONFIG. */
int kfk_sasl_parse_jaas(const char *line, char *module, size_t modlen, char **user, char **pass,
                        char **sub, char *errstr, size_t errlen);
/* The same for any option names: vals[i] is keys[i]'s value or NULL. */
int kfk_sasl_jaas_keys(const char *line, char *module, size_t modlen, const char *const *keys,
                       char **vals, int n, char *errstr, size_t errlen);

/* ------------------------------------------------------ one exchange */

enum { KFK_SASL_SEND = 1, KFK_SASL_DONE = 2, KFK_SASL_BLOCKED = 3 };

/* A step that blocks (Kerberos: kinit, the KDC), which the I/O thread
 * must not run: the mechanism leaves it in the exchange's job and returns
 * KFK_SASL_BLOCKED. The owner takes it out, runs it on another thread,
 * puts it back and steps again (no input) for the message it made. A job
 * never put back is freed with its free. */
typedef struct kfk_sasl_job {
    void (*run)(struct kfk_sasl_job *j);
    void (*free)(struct kfk_sasl_job *j);
} kfk_sasl_job;

typedef struct kfk_sasl_exchange {
    kfk_sasl *sasl;
    int step;
    char nonce[64]; /* SCRAM client nonce; set by begin, tests may replace it */
    char *client_first_bare, *server_first;
    uint8_t server_signature[64];
    unsigned sig_len;
    const char *host;     /* the broker's host name: GSSAPI's service principal */
    struct kfk_gss_ctx *gss; /* GSSAPI's security context */
    kfk_sasl_job *job;       /* set with KFK_SASL_BLOCKED, until taken */
} kfk_sasl_exchange;

/* host must outlive the exchange (GSSAPI names the broker by it). */
void kfk_sasl_begin(kfk_sasl_exchange *x, kfk_sasl *s, const char *host);
/* Feeds the broker's last message (in/inlen; nothing at the first step)
 * and writes the next client message to out: KFK_SASL_SEND (send out),
 * KFK_SASL_BLOCKED (run x->job elsewhere first, see kfk_sasl_job),
 * KFK_SASL_DONE (authenticated; the broker's proof, if any, checked), or a
 * negative kfk_err (KFK_ERR_AUTHENTICATION for a bad or forged server
 * message) with errstr. */
int kfk_sasl_step(kfk_sasl_exchange *x, const uint8_t *in, size_t inlen, kfk_wbuf *out,
                  char *errstr, size_t errlen);
void kfk_sasl_end(kfk_sasl_exchange *x);

/* -------------------------------------------- GSSAPI (sasl_gssapi.c) */

/* Reads the Kerberos settings (sasl.kerberos.*, a Krb5LoginModule JAAS
 * line) into s. 0 or KFK_ERR_CONFIG with errstr. */
int kfk_gss_creds(kfk_sasl *s, const kfk_sasl_conf *conf, char *errstr, size_t errlen);
void kfk_gss_free(kfk_sasl *s);
int kfk_gss_step(kfk_sasl_exchange *x, const uint8_t *in, size_t inlen, kfk_wbuf *out,
                 char *errstr, size_t errlen);
void kfk_gss_end(kfk_sasl_exchange *x);

#endif
