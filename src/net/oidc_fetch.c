/* The built-in OIDC token provider: a refresher thread per client fetches
 * client-credentials tokens over HTTPS with libcurl (form POST, the client
 * id and secret in HTTP Basic auth) and caches them; the token callback the
 * I/O thread calls only reads that cache, so a slow identity provider never
 * stalls broker I/O. The thread fetches when a connection asks and holds
 * no valid token, and again at 80% of the token's lifetime; after a failed
 * background refresh it retries with a doubling pause while the old token
 * lasts. Destroy aborts a transfer under way and joins the thread.
 * libcurl is loaded when the first OIDC client is made (core/dynlib.h):
 * curl.h gives the types, the functions come through the table below. */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/dynlib.h"
#include "core/portable.h"
#include "kfk.h"
#include "net/oidc.h"

enum {
    FETCH_TIMEOUT_MS = 10000,
    RESPONSE_MAX = 1 << 20,
    RETRY_MIN_MS = 500,
    RETRY_MAX_MS = 10000,
};

struct kfk_oidc {
    char *url, *client_id, *client_secret, *scope, *ca_location;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_t thread;
    int started, closing, fetching, want;
    char *token;                       /* the cached token, or NULL */
    int64_t expiry_ms, refresh_ms;     /* wall clock */
    int64_t retry_ms;                  /* pause after a failed refresh */
    int err;                           /* the last fetch's error; 0: none */
    char errstr[384];
    int64_t fetched, failed;
};

static int64_t wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void free_secret(char *s) {
    if (!s) return;
    kfk_wipe(s, strlen(s));
    kfk_free(s);
}

static char *dup_opt(const char *s) { return s && *s ? kfk_strndup(s, strlen(s)) : NULL; }

/* ---------------------------------------------------------- libcurl */

static struct {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
    CURLcode (*easy_perform)(CURL *h);
    CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
    const char *(*easy_strerror)(CURLcode cc);
    void (*easy_cleanup)(CURL *h);
    struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
    void (*slist_free_all)(struct curl_slist *l);
} curl;
static char curl_error[256]; /* why libcurl could not be loaded; "" when it was */

/* Once per process: loading, and curl_global_init, which is not thread-safe. */
static void curl_load(void) {
    static const char *const sonames[] = {"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.4.dylib",
                                          NULL};
    const kfk_dynsym syms[] = {
        {"curl_global_init", (void **)&curl.global_init},
        {"curl_easy_init", (void **)&curl.easy_init},
        {"curl_easy_setopt", (void **)&curl.easy_setopt},
        {"curl_easy_perform", (void **)&curl.easy_perform},
        {"curl_easy_getinfo", (void **)&curl.easy_getinfo},
        {"curl_easy_strerror", (void **)&curl.easy_strerror},
        {"curl_easy_cleanup", (void **)&curl.easy_cleanup},
        {"curl_slist_append", (void **)&curl.slist_append},
        {"curl_slist_free_all", (void **)&curl.slist_free_all},
    };
    if (kfk_dynlib_load(sonames, syms, sizeof syms / sizeof syms[0], curl_error,
                        sizeof curl_error) == 0)
        curl.global_init(CURL_GLOBAL_DEFAULT);
}

/* ------------------------------------------------------------- HTTP */

static size_t on_body(char *p, size_t size, size_t n, void *opaque) {
    kfk_wbuf *w = opaque;
    size_t len = size * n;
    if (w->len + len > RESPONSE_MAX) return 0; /* aborts the transfer */
    kfk_wr_raw(w, p, len);
    return w->err ? 0 : len;
}

static int on_progress(void *opaque, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un) {
    kfk_oidc *o = opaque;
    pthread_mutex_lock(&o->lock);
    int stop = o->closing;
    pthread_mutex_unlock(&o->lock);
    return stop;
}

/* One client-credentials request: the token and its expiry, or an error
 * naming the endpoint (never the secret or the token). Blocks. */
static int fetch(kfk_oidc *o, char **token, int64_t *expiry_ms, char *errstr, size_t errlen) {
    char why[300] = "";
    int rc = KFK_ERR_AUTHENTICATION;
    kfk_wbuf body = {0};
    char *form = kfk_oidc_form(o->scope);
    CURL *h = curl.easy_init();
    struct curl_slist *hdrs = curl.slist_append(NULL, "Accept: application/json");
    if (!form || !h || !hdrs) {
        snprintf(why, sizeof why, "out of memory");
        rc = KFK_ERR_NOMEM;
        goto out;
    }
    char curlerr[CURL_ERROR_SIZE] = "";
    curl.easy_setopt(h, CURLOPT_URL, o->url);
    curl.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl.easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)FETCH_TIMEOUT_MS);
    curl.easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl.easy_setopt(h, CURLOPT_USERNAME, o->client_id);
    curl.easy_setopt(h, CURLOPT_PASSWORD, o->client_secret);
    curl.easy_setopt(h, CURLOPT_POSTFIELDS, form);
    curl.easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl.easy_setopt(h, CURLOPT_WRITEDATA, &body);
    curl.easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl.easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl.easy_setopt(h, CURLOPT_XFERINFODATA, o);
    curl.easy_setopt(h, CURLOPT_ERRORBUFFER, curlerr);
    if (o->ca_location) curl.easy_setopt(h, CURLOPT_CAINFO, o->ca_location);
    CURLcode cc = curl.easy_perform(h);
    if (cc != CURLE_OK) {
        snprintf(why, sizeof why, "%s", *curlerr ? curlerr : curl.easy_strerror(cc));
        goto out; /* KFK_ERR_AUTHENTICATION: retrying at once would not help */
    }
    long status = 0;
    curl.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    int64_t expires_in;
    int64_t now = wall_ms();
    rc = kfk_oidc_parse_response(status, body.len ? (const char *)body.data : "", body.len, token,
                                 &expires_in, why, sizeof why);
    if (rc) goto out;
    kfk_jwt_claims claims;
    if (kfk_jwt_claims_parse(*token, &claims, why, sizeof why) == 0) {
        *expiry_ms = claims.exp_ms;
    } else if (expires_in > 0) {
        *expiry_ms = now + expires_in * 1000; /* an opaque token: trust expires_in */
    } else {
        free_secret(*token);
        *token = NULL;
        rc = KFK_ERR_AUTHENTICATION;
        goto out;
    }
    if (*expiry_ms <= now) {
        snprintf(why, sizeof why, "the token it issued has already expired");
        free_secret(*token);
        *token = NULL;
        rc = KFK_ERR_AUTHENTICATION;
    }
out:
    if (rc) snprintf(errstr, errlen, "OIDC token endpoint %s: %s", o->url, why);
    if (body.data) kfk_wipe(body.data, body.cap);
    kfk_wbuf_free(&body);
    if (form) free_secret(form);
    curl.slist_free_all(hdrs);
    if (h) curl.easy_cleanup(h);
    return rc;
}

/* --------------------------------------------------------- refresher */

static void wait_until(kfk_oidc *o, int64_t when_ms) {
    struct timespec ts = {.tv_sec = when_ms / 1000, .tv_nsec = (when_ms % 1000) * 1000000};
    pthread_cond_timedwait(&o->cond, &o->lock, &ts);
}

static void *refresher(void *arg) {
    kfk_oidc *o = arg;
    pthread_mutex_lock(&o->lock);
    while (!o->closing) {
        int64_t now = wall_ms();
        int due = o->want || (o->token && now >= o->refresh_ms);
        if (!due) {
            if (o->token) wait_until(o, o->refresh_ms);
            else pthread_cond_wait(&o->cond, &o->lock);
            continue;
        }
        o->want = 0;
        o->fetching = 1;
        pthread_mutex_unlock(&o->lock);
        char *tok = NULL;
        int64_t expiry = 0;
        char err[sizeof o->errstr];
        int rc = fetch(o, &tok, &expiry, err, sizeof err);
        pthread_mutex_lock(&o->lock);
        o->fetching = 0;
        now = wall_ms();
        if (!rc) {
            free_secret(o->token);
            o->token = tok;
            o->expiry_ms = expiry;
            o->refresh_ms = kfk_oidc_refresh_at(now, expiry);
            o->retry_ms = 0;
            o->err = 0;
            o->fetched++;
        } else {
            o->err = rc;
            snprintf(o->errstr, sizeof o->errstr, "%s", err);
            o->failed++;
            /* The old token still serves: retry before it runs out. */
            o->retry_ms = o->retry_ms ? o->retry_ms * 2 : RETRY_MIN_MS;
            if (o->retry_ms > RETRY_MAX_MS) o->retry_ms = RETRY_MAX_MS;
            if (o->token && now < o->expiry_ms) {
                o->refresh_ms = now + o->retry_ms;
            } else { /* nothing to keep: wait until a connection asks */
                free_secret(o->token);
                o->token = NULL;
            }
        }
    }
    pthread_mutex_unlock(&o->lock);
    return NULL;
}

/* ---------------------------------------------------------- public */

kfk_oidc *kfk_oidc_new(const kfk_oidc_conf *conf, char *errstr, size_t errlen) {
    const char *url = conf->url ? conf->url : "";
    if (!*url) {
        snprintf(errstr, errlen,
                 "sasl.oauthbearer.method=oidc needs sasl.oauthbearer.token.endpoint.url");
        return NULL;
    }
    if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0) {
        snprintf(errstr, errlen,
                 "sasl.oauthbearer.token.endpoint.url %.200s: not an http:// or https:// URL",
                 url);
        return NULL;
    }
    if (!conf->client_id || !*conf->client_id || !conf->client_secret || !*conf->client_secret) {
        snprintf(errstr, errlen, "sasl.oauthbearer.method=oidc needs %s",
                 !conf->client_id || !*conf->client_id
                     ? "sasl.oauthbearer.client.id (or sasl.jaas.config clientId)"
                     : "sasl.oauthbearer.client.secret (or sasl.jaas.config clientSecret)");
        return NULL;
    }
    static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
    pthread_once(&curl_once, curl_load);
    if (*curl_error) {
        snprintf(errstr, errlen, "sasl.oauthbearer.method=oidc needs libcurl: %s", curl_error);
        return NULL;
    }
    kfk_oidc *o = kfk_calloc(1, sizeof *o);
    if (!o) goto oom;
    pthread_mutex_init(&o->lock, NULL);
    pthread_cond_init(&o->cond, NULL);
    o->url = dup_opt(url);
    o->client_id = dup_opt(conf->client_id);
    o->client_secret = dup_opt(conf->client_secret);
    o->scope = dup_opt(conf->scope);
    o->ca_location = dup_opt(conf->ca_location);
    if (!o->url || !o->client_id || !o->client_secret || (conf->scope && *conf->scope && !o->scope) ||
        (conf->ca_location && *conf->ca_location && !o->ca_location))
        goto oom;
    return o;
oom:
    kfk_oidc_free(o);
    snprintf(errstr, errlen, "out of memory reading the OIDC settings");
    return NULL;
}

void kfk_oidc_free(kfk_oidc *o) {
    if (!o) return;
    pthread_mutex_lock(&o->lock);
    o->closing = 1;
    pthread_cond_broadcast(&o->cond);
    int started = o->started;
    pthread_mutex_unlock(&o->lock);
    if (started) pthread_join(o->thread, NULL);
    kfk_free(o->url);
    kfk_free(o->client_id);
    free_secret(o->client_secret);
    kfk_free(o->scope);
    kfk_free(o->ca_location);
    free_secret(o->token);
    pthread_cond_destroy(&o->cond);
    pthread_mutex_destroy(&o->lock);
    kfk_free(o);
}

int kfk_oidc_token_cb(void *opaque, char *token, size_t token_size, int64_t *expiry_ms,
                      char *errstr, size_t errlen) {
    kfk_oidc *o = opaque;
    int rc;
    pthread_mutex_lock(&o->lock);
    if (!o->started) {
        if (pthread_create(&o->thread, NULL, refresher, o) != 0) {
            pthread_mutex_unlock(&o->lock);
            snprintf(errstr, errlen, "could not start the OIDC token thread");
            return KFK_ERR_NOMEM;
        }
        o->started = 1;
    }
    if (o->token && wall_ms() < o->expiry_ms) {
        size_t n = strlen(o->token);
        if (n >= token_size) {
            rc = KFK_ERR_MSG_TOO_LARGE;
            snprintf(errstr, errlen, "OIDC token endpoint %s: the token is too long (%zu bytes)",
                     o->url, n);
        } else {
            memcpy(token, o->token, n + 1);
            *expiry_ms = o->expiry_ms;
            rc = 0;
        }
    } else if (o->err && !o->fetching && !o->want) {
        /* Reported once: the next ask fetches again. */
        rc = o->err;
        snprintf(errstr, errlen, "%s", o->errstr);
        o->err = 0;
    } else {
        /* One fetch at a time: asking again while it runs changes nothing. */
        if (!o->fetching && !o->want) {
            o->want = 1;
            pthread_cond_signal(&o->cond);
        }
        rc = KFK_ERR_IN_PROGRESS;
        snprintf(errstr, errlen, "waiting for a token from %s", o->url);
    }
    pthread_mutex_unlock(&o->lock);
    return rc;
}

void kfk_oidc_counts(kfk_oidc *o, int64_t *fetched, int64_t *failed) {
    pthread_mutex_lock(&o->lock);
    *fetched = o->fetched;
    *failed = o->failed;
    pthread_mutex_unlock(&o->lock);
}
