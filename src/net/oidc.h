/* OAUTHBEARER tokens from an OIDC identity provider (the client-credentials
 * grant, RFC 6749 section 4.4), built in behind the token callback seam
 * (kfk_oauthbearer_token_cb).
 *
 * oidc.c is sans-I/O: the token endpoint's JSON answer, the JWT's claims
 * and when to refresh. oidc_fetch.c holds the provider: one refresher
 * thread per client fetches a token over HTTPS (libcurl) when a connection
 * first asks and again at 80% of its lifetime, so the I/O thread only ever
 * reads the cache. Secrets (client secret, token) never go into errors or
 * logs. */
#ifndef KFK_OIDC_H
#define KFK_OIDC_H

#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------ sans-I/O */

/* The claims kfk reads from a JWT's payload (no signature check: the
 * broker validates the token). */
typedef struct kfk_jwt_claims {
    int64_t exp_ms, iat_ms; /* ms since the epoch; 0: absent */
    char sub[256];          /* "" when absent */
} kfk_jwt_claims;

/* Decodes the payload (the middle base64url part) of a compact JWS and
 * reads exp, iat and sub. 0, or KFK_ERR_AUTHENTICATION with errstr (never
 * quoting the token). */
int kfk_jwt_claims_parse(const char *token, kfk_jwt_claims *out, char *errstr, size_t errlen);

/* Reads a token endpoint's answer: on HTTP 200, access_token (kfk_malloc'ed
 * into *token) and expires_in (seconds, into *expires_in_s; -1 when
 * absent); any other status: the OAuth error and error_description in
 * errstr. 0 or KFK_ERR_AUTHENTICATION. */
int kfk_oidc_parse_response(long http_status, const char *body, size_t len, char **token,
                            int64_t *expires_in_s, char *errstr, size_t errlen);

/* A token fetched at now_ms lives until expiry_ms: the wall-clock time to
 * fetch the next one (80% of the lifetime, as librdkafka and the Java
 * client do). */
int64_t kfk_oidc_refresh_at(int64_t now_ms, int64_t expiry_ms);

/* The x-www-form-urlencoded body of a client-credentials request (scope
 * may be NULL or ""). kfk_malloc'ed; NULL when out of memory. */
char *kfk_oidc_form(const char *scope);

/* ------------------------------------------------- provider (oidc_fetch.c) */

typedef struct kfk_oidc_conf {
    const char *url;           /* sasl.oauthbearer.token.endpoint.url */
    const char *client_id;     /* sasl.oauthbearer.client.id */
    const char *client_secret; /* sasl.oauthbearer.client.secret */
    const char *scope;         /* sasl.oauthbearer.scope; NULL: none */
    const char *ca_location;   /* https.ca.location; NULL: the system store */
} kfk_oidc_conf;

typedef struct kfk_oidc kfk_oidc;

/* Checks and copies the settings (an https:// or http:// URL, a client id
 * and secret). NULL with errstr naming the key. No thread starts yet. */
kfk_oidc *kfk_oidc_new(const kfk_oidc_conf *conf, char *errstr, size_t errlen);
/* Stops the refresher (aborting a transfer under way) and wipes secrets. */
void kfk_oidc_free(kfk_oidc *o);

/* A kfk_oauthbearer_token_cb (opaque: the kfk_oidc): never blocks. The
 * cached token; or KFK_ERR_IN_PROGRESS while the first one is being
 * fetched (ask again); or the last fetch's error, naming the endpoint. */
int kfk_oidc_token_cb(void *opaque, char *token, size_t token_size, int64_t *expiry_ms,
                      char *errstr, size_t errlen);

/* Tokens fetched and fetches failed so far (tests, statistics). */
void kfk_oidc_counts(kfk_oidc *o, int64_t *fetched, int64_t *failed);

#endif
