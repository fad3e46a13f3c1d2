/* SASL/OAUTHBEARER tokens pushed by the application, librdkafka's way: the
 * layer raises an OAUTHBEARER_TOKEN_REFRESH event (served to
 * oauthbearer_token_refresh_cb by a poll, or by the background thread once
 * rd_kafka_sasl_background_callbacks_enable forwards the SASL queue), and
 * the application answers with rd_kafka_oauthbearer_set_token or
 * _set_token_failure. kfk's clients pull from the same slot through their
 * token callback, which answers KFK_ERR_IN_PROGRESS until a token is set. */
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "rdk_int.h"

struct rdk_oauth {
    pthread_mutex_t lock;
    char *token;
    int64_t expiry_ms, refresh_at_ms; /* wall clock */
    char *failure;    /* the last set_token_failure's reason, until reported */
    int refreshing;   /* a refresh event is queued and not yet answered */
};

static int64_t wall_ms(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static int uses_refresh_cb(const rd_kafka_conf_t *conf) {
    const char *mech = rdk_conf_str(conf, "sasl.mechanisms");
    const char *method = rdk_conf_str(conf, "sasl.oauthbearer.method");
    return conf->oauthbearer_token_refresh_cb && mech && !strcasecmp(mech, "OAUTHBEARER") &&
           !(method && !strcasecmp(method, "oidc"));
}

/* Under o->lock. librdkafka's event carries sasl.oauthbearer.config. */
static void queue_refresh(rd_kafka_t *rk, struct rdk_oauth *o) {
    if (o->refreshing || __atomic_load_n(&rk->destroying, __ATOMIC_ACQUIRE)) return;
    struct rd_kafka_op_s *op = rdk_op_new(rk, RD_KAFKA_EVENT_OAUTHBEARER_TOKEN_REFRESH);
    if (!op) return;
    const char *config = rdk_conf_str(rk->conf, "sasl.oauthbearer.config");
    op->str = strdup(config ? config : "");
    o->refreshing = 1;
    rdk_queue_push(rk->sasl_q ? rk->sasl_q : rk->main_q, op);
}

/* kfk's token callback, on a client's I/O thread. */
static int token_cb(void *opaque, char *token, size_t token_size, int64_t *expiry_ms,
                    char *errstr, size_t errstr_size) {
    rd_kafka_t *rk = opaque;
    struct rdk_oauth *o = rk->oauth;
    int rc;
    pthread_mutex_lock(&o->lock);
    int64_t now = wall_ms();
    if (o->token && now < o->expiry_ms) {
        size_t n = strlen(o->token);
        if (n >= token_size) {
            rc = KFK_ERR_MSG_TOO_LARGE;
            snprintf(errstr, errstr_size, "the OAUTHBEARER token is too long (%zu bytes)", n);
        } else {
            memcpy(token, o->token, n + 1);
            *expiry_ms = o->expiry_ms;
            rc = 0;
        }
        if (now >= o->refresh_at_ms) queue_refresh(rk, o);
    } else if (o->failure) {
        /* Reported once: the next ask raises another refresh event. */
        rc = KFK_ERR_AUTHENTICATION;
        snprintf(errstr, errstr_size, "failed to acquire a SASL OAUTHBEARER token: %s",
                 o->failure);
        free(o->failure);
        o->failure = NULL;
    } else {
        queue_refresh(rk, o);
        rc = KFK_ERR_IN_PROGRESS;
        snprintf(errstr, errstr_size,
                 "waiting for the application to set an OAUTHBEARER token");
    }
    pthread_mutex_unlock(&o->lock);
    return rc;
}

int rdk_oauth_setup(rd_kafka_t *rk) {
    if (!uses_refresh_cb(rk->conf)) return 0;
    struct rdk_oauth *o = calloc(1, sizeof *o);
    if (!o) return -1;
    pthread_mutex_init(&o->lock, NULL);
    rk->oauth = o;
    if (rk->conf->sasl_queue) {
        rk->sasl_q = rdk_queue_new(rk, RDK_Q_CUSTOM);
        if (!rk->sasl_q) return -1;
    }
    /* As librdkafka: the first refresh is asked for at once, so a client
     * that polls has a token before its first connection needs one. */
    pthread_mutex_lock(&o->lock);
    queue_refresh(rk, o);
    pthread_mutex_unlock(&o->lock);
    return 0;
}

int rdk_oauth_conf(rd_kafka_t *rk, kfk_conf *kc, char *errstr, size_t errstr_size) {
    if (!rk->oauth) return 0;
    if (kfk_conf_set_oauthbearer_token_cb(kc, token_cb, rk) == 0) return 0;
    snprintf(errstr, errstr_size, "could not set the OAUTHBEARER token callback");
    return -1;
}

void rdk_oauth_free(rd_kafka_t *rk) {
    struct rdk_oauth *o = rk->oauth;
    if (rk->sasl_q) rd_kafka_queue_destroy(rk->sasl_q);
    rk->sasl_q = NULL;
    if (!o) return;
    free(o->token);
    free(o->failure);
    pthread_mutex_destroy(&o->lock);
    free(o);
    rk->oauth = NULL;
}

/* RFC 7628 3.1: key = 1*ALPHA; value = *(VCHAR / SP / HTAB / CR / LF). */
static int bad_key(const char *k) {
    if (!k || !*k) return 1;
    for (; *k; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z'))) return 1;
    return 0;
}

static int bad_value(const char *v) {
    if (!v) return 1;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (!((*p >= 0x21 && *p <= 0x7e) || *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
            return 1;
    return 0;
}

/* kfk sends the extensions its configuration names (the layer passes
 * sasl.oauthbearer.extensions on), so a token's must be those. */
static int extensions_configured(const rd_kafka_t *rk, const char **ext, size_t n) {
    const char *conf = rdk_conf_str(rk->conf, "sasl.oauthbearer.extensions");
    size_t listed = 0;
    for (const char *p = conf; p && *p; listed++) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        int found = 0;
        for (size_t i = 0; i + 1 < n && !found; i += 2) {
            size_t kl = strlen(ext[i]);
            found = len == kl + 1 + strlen(ext[i + 1]) && !strncmp(p, ext[i], kl) &&
                    p[kl] == '=' && !strncmp(p + kl + 1, ext[i + 1], len - kl - 1);
        }
        if (!found) return 0;
        p = end ? end + 1 : p + len;
    }
    return listed == n / 2;
}

rd_kafka_resp_err_t rd_kafka_oauthbearer_set_token(rd_kafka_t *rk, const char *token_value,
                                                   int64_t md_lifetime_ms,
                                                   const char *md_principal_name,
                                                   const char **extensions,
                                                   size_t extension_size, char *errstr,
                                                   size_t errstr_size) {
    (void)md_principal_name; /* the broker reads the principal from the token */
    char scratch[1];
    if (!errstr || !errstr_size) errstr = scratch, errstr_size = sizeof scratch;
    struct rdk_oauth *o = rk->oauth;
    if (!o) {
        snprintf(errstr, errstr_size,
                 "SASL/OAUTHBEARER is not the configured authentication mechanism");
        return RD_KAFKA_RESP_ERR__STATE;
    }
    if (extension_size & 1) {
        snprintf(errstr, errstr_size,
                 "Incorrect extension size (must be a non-negative multiple of 2): %zu",
                 extension_size);
        return RD_KAFKA_RESP_ERR__INVALID_ARG;
    }
    int64_t now = wall_ms();
    if (md_lifetime_ms <= now) {
        snprintf(errstr, errstr_size,
                 "Must supply an unexpired token: now=%lldms, exp=%lldms", (long long)now,
                 (long long)md_lifetime_ms);
        return RD_KAFKA_RESP_ERR__INVALID_ARG;
    }
    if (!token_value || !*token_value || bad_value(token_value)) {
        snprintf(errstr, errstr_size, "Invalid OAUTHBEARER token value: empty or not printable");
        return RD_KAFKA_RESP_ERR__INVALID_ARG;
    }
    for (size_t i = 0; i + 1 < extension_size; i += 2) {
        if (bad_key(extensions[i]) || !strcmp(extensions[i], "auth") ||
            bad_value(extensions[i + 1])) {
            snprintf(errstr, errstr_size, "Invalid SASL extension %s: keys are letters (not "
                     "\"auth\"), values printable",
                     extensions[i] ? extensions[i] : "(null)");
            return RD_KAFKA_RESP_ERR__INVALID_ARG;
        }
    }
    if (extension_size && !extensions_configured(rk, extensions, extension_size)) {
        snprintf(errstr, errstr_size,
                 "kfk sends the SASL extensions of sasl.oauthbearer.extensions: a token's "
                 "extensions must be the ones configured there");
        return RD_KAFKA_RESP_ERR__INVALID_ARG;
    }
    char *copy = strdup(token_value);
    if (!copy) {
        snprintf(errstr, errstr_size, "out of memory");
        return RD_KAFKA_RESP_ERR__INVALID_ARG;
    }
    pthread_mutex_lock(&o->lock);
    free(o->token);
    o->token = copy;
    o->expiry_ms = md_lifetime_ms;
    /* Refresh 80% through the remaining lifetime, as librdkafka. */
    o->refresh_at_ms = now + (md_lifetime_ms - now) / 10 * 8;
    free(o->failure);
    o->failure = NULL;
    o->refreshing = 0;
    pthread_mutex_unlock(&o->lock);
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

rd_kafka_resp_err_t rd_kafka_oauthbearer_set_token_failure(rd_kafka_t *rk, const char *errstr) {
    struct rdk_oauth *o = rk->oauth;
    if (!o) return RD_KAFKA_RESP_ERR__STATE;
    if (!errstr || !*errstr) return RD_KAFKA_RESP_ERR__INVALID_ARG;
    char *copy = strdup(errstr);
    if (!copy) return RD_KAFKA_RESP_ERR__INVALID_ARG;
    pthread_mutex_lock(&o->lock);
    int changed = !o->failure || strcmp(o->failure, errstr);
    free(o->failure);
    o->failure = copy;
    o->refreshing = 0;
    /* A token that still has life left stays; ask again in 10 s, as librdkafka. */
    o->refresh_at_ms = wall_ms() + 10000;
    pthread_mutex_unlock(&o->lock);
    if (changed) {
        char why[512];
        snprintf(why, sizeof why, "Failed to acquire SASL OAUTHBEARER token: %s", errstr);
        rdk_push_error(rk, RD_KAFKA_RESP_ERR__AUTHENTICATION, why);
    }
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}
