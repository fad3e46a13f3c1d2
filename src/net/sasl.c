/* SASL credentials: the mechanism, user and password (from sasl.username /
 * sasl.password or the Java client's sasl.jaas.config), and the cached
 * OAUTHBEARER token. */
#include "net/sasl.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/portable.h"
#include "net/ossl.h"
#include "net/oidc.h"

static const char *const mech_names[] = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER",
                                          "GSSAPI"};

const char *kfk_sasl_mech_name(enum kfk_sasl_mech m) { return mech_names[m]; }

static void free_secret(char *s) {
    if (!s) return;
    kfk_wipe(s, strlen(s));
    kfk_free(s);
}

static char *dup_str(const char *s) { return s ? kfk_strndup(s, strlen(s)) : NULL; }

/* --------------------------------------------------------------- JAAS */

static const char *skip_ws(const char *p) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

/* A value: "quoted" (with \" and \\ escapes) or a bare word. */
static char *jaas_value(const char **pp) {
    const char *p = *pp;
    kfk_wbuf w = {0};
    if (*p == '"') {
        for (p++; *p && *p != '"'; p++) {
            if (*p == '\\' && p[1]) p++;
            kfk_wr_raw(&w, p, 1);
        }
        if (*p != '"') {
            kfk_wbuf_free(&w);
            return NULL;
        }
        p++;
    } else {
        for (; *p && *p != ' ' && *p != ';' && *p != '\t' && *p != '\n'; p++)
            kfk_wr_raw(&w, p, 1);
    }
    kfk_wr_u8(&w, 0);
    *pp = p;
    size_t len;
    return w.err ? (kfk_wbuf_free(&w), NULL) : (char *)kfk_wbuf_detach(&w, &len);
}

int kfk_sasl_jaas_keys(const char *line, char *module, size_t modlen, const char *const *keys,
                       char **vals, int n, char *errstr, size_t errlen) {
    for (int i = 0; i < n; i++) vals[i] = NULL;
    const char *p = skip_ws(line);
    size_t len = strcspn(p, " \t\n;");
    snprintf(module, modlen, "%.*s", (int)len, p);
    p = skip_ws(p + len);
    len = strcspn(p, " \t\n;");
    if (!len || (strncmp(p, "required", len) != 0 && strncmp(p, "requisite", len) != 0 &&
                 strncmp(p, "sufficient", len) != 0 && strncmp(p, "optional", len) != 0))
        goto bad;
    p = skip_ws(p + len);
    while (*p && *p != ';') {
        size_t klen = strcspn(p, "= \t\n;");
        const char *key = p;
        p = skip_ws(p + klen);
        if (*p != '=' || !klen) goto bad;
        p = skip_ws(p + 1);
        char *v = jaas_value(&p);
        if (!v) goto bad;
        char **slot = NULL;
        for (int i = 0; i < n && !slot; i++)
            if (strlen(keys[i]) == klen && !strncmp(key, keys[i], klen)) slot = &vals[i];
        if (slot) {
            free_secret(*slot);
            *slot = v;
        } else {
            free_secret(v);
        }
        p = skip_ws(p);
    }
    if (*p != ';' || *skip_ws(p + 1)) goto bad;
    return 0;
bad:
    for (int i = 0; i < n; i++) {
        free_secret(vals[i]);
        vals[i] = NULL;
    }
    /* Never echo the line: it holds the password. */
    snprintf(errstr, errlen,
             "sasl.jaas.config: expected '<LoginModule class> required key=\"value\" ...;'");
    return KFK_ERR_CONFIG;
}

int kfk_sasl_parse_jaas(const char *line, char *module, size_t modlen, char **user, char **pass,
                        char **sub, char *errstr, size_t errlen) {
    static const char *const keys[] = {"username", "password", "unsecuredLoginStringClaim_sub"};
    char *vals[3];
    int rc = kfk_sasl_jaas_keys(line, module, modlen, keys, vals, 3, errstr, errlen);
    *user = vals[0];
    *pass = vals[1];
    *sub = vals[2];
    return rc;
}

/* ---------------------------------------------------------- credentials */

static int find_mech(const char *name) {
    for (int i = 0; i < 5; i++)
        if (strcmp(name, mech_names[i]) == 0) return i;
    return -1;
}

static int from_jaas(kfk_sasl *s, const char *line, char *errstr, size_t errlen) {
    char module[160];
    char *user, *pass, *sub;
    int rc = kfk_sasl_parse_jaas(line, module, sizeof module, &user, &pass, &sub, errstr, errlen);
    if (rc) return rc;
    const char *want = s->mech == KFK_SASL_PLAIN         ? "PlainLoginModule"
                       : s->mech == KFK_SASL_OAUTHBEARER ? "OAuthBearerLoginModule"
                                                         : "ScramLoginModule";
    size_t ml = strlen(module), wl = strlen(want);
    if (ml < wl || strcmp(module + ml - wl, want) != 0) {
        snprintf(errstr, errlen, "sasl.jaas.config: %s does not go with sasl.mechanism %s (want %s)",
                 module, mech_names[s->mech], want);
        free_secret(user);
        free_secret(pass);
        free_secret(sub);
        return KFK_ERR_CONFIG;
    }
    free_secret(s->username);
    free_secret(s->password);
    s->username = user;
    s->password = pass;
    s->unsecured_sub = sub;
    return 0;
}

/* sasl.oauthbearer.extensions "k=v,k2=v2" as the client message's
 * "\001k=v\001k2=v2" (RFC 7628: keys are letters, "auth" is taken). */
static int parse_extensions(kfk_sasl *s, const char *list, char *errstr, size_t errlen) {
    kfk_wbuf w = {0};
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        const char *eq = memchr(p, '=', n);
        size_t klen = eq ? (size_t)(eq - p) : 0;
        int ok = klen > 0 && !(klen == 4 && !strncmp(p, "auth", 4));
        for (size_t i = 0; ok && i < klen; i++)
            ok = (p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z');
        for (size_t i = klen + 1; ok && i < n; i++) ok = p[i] >= 0x21 && p[i] <= 0x7e;
        if (!ok) {
            kfk_wbuf_free(&w);
            snprintf(errstr, errlen,
                     "sasl.oauthbearer.extensions %.200s: want key=value,... (keys letters "
                     "only, not auth; values printable)",
                     list);
            return KFK_ERR_CONFIG;
        }
        kfk_wr_u8(&w, 1);
        kfk_wr_raw(&w, p, n);
        p += n;
        if (*p) p++;
    }
    if (!w.len) return 0;
    kfk_wr_u8(&w, 0);
    size_t len;
    s->extensions = w.err ? NULL : (char *)kfk_wbuf_detach(&w, &len);
    kfk_wbuf_free(&w);
    return s->extensions ? 0 : KFK_ERR_NOMEM;
}

/* The OIDC provider, when sasl.oauthbearer.method=oidc (or a token
 * endpoint without a token callback, as the Java client's settings have
 * it): its client id, secret and scope from the sasl.oauthbearer.* keys or
 * the JAAS line's clientId / clientSecret / scope. */
static int oidc_setup(kfk_sasl *s, const kfk_sasl_conf *conf, char *errstr, size_t errlen) {
    int want = conf->oauth_method && !strcmp(conf->oauth_method, "oidc");
    int has_url = conf->token_endpoint_url && *conf->token_endpoint_url;
    if (!want && !(has_url && !s->token_cb)) return 0;
    if (want && s->token_cb) {
        snprintf(errstr, errlen,
                 "sasl.oauthbearer.method=oidc and a token callback "
                 "(kfk_conf_set_oauthbearer_token_cb) exclude each other");
        return KFK_ERR_CONFIG;
    }
    static const char *const keys[] = {"clientId", "clientSecret", "scope"};
    char *jaas[3] = {NULL, NULL, NULL};
    char module[160];
    if (conf->jaas_config && *conf->jaas_config &&
        kfk_sasl_jaas_keys(conf->jaas_config, module, sizeof module, keys, jaas, 3, errstr,
                           errlen) != 0)
        return KFK_ERR_CONFIG;
    kfk_oidc_conf oc = {
        .url = conf->token_endpoint_url,
        .client_id = conf->client_id && *conf->client_id ? conf->client_id : jaas[0],
        .client_secret =
            conf->client_secret && *conf->client_secret ? conf->client_secret : jaas[1],
        .scope = conf->scope && *conf->scope ? conf->scope : jaas[2],
        .ca_location = conf->https_ca_location,
    };
    s->oidc = kfk_oidc_new(&oc, errstr, errlen);
    for (int i = 0; i < 3; i++) free_secret(jaas[i]);
    if (!s->oidc) return KFK_ERR_CONFIG;
    s->token_cb = kfk_oidc_token_cb;
    s->token_opaque = s->oidc;
    return 0;
}

kfk_sasl *kfk_sasl_new(const kfk_sasl_conf *conf, char *errstr, size_t errlen) {
    const char *name = conf->mechanism ? conf->mechanism : "GSSAPI";
    int mech = find_mech(name);
    if (mech < 0) {
        snprintf(errstr, errlen,
                 "sasl.mechanism %s is not supported by kfk (GSSAPI, PLAIN, SCRAM-SHA-256, "
                 "SCRAM-SHA-512, OAUTHBEARER)",
                 name);
        return NULL;
    }
    char why[256];
    if ((mech == KFK_SASL_SCRAM_SHA_256 || mech == KFK_SASL_SCRAM_SHA_512) &&
        kfk_ossl_load(why, sizeof why) != 0) {
        snprintf(errstr, errlen, "sasl.mechanism %s needs OpenSSL (libssl.so.3): %s", name, why);
        return NULL;
    }
    kfk_sasl *s = kfk_calloc(1, sizeof *s);
    if (!s) goto oom;
    pthread_mutex_init(&s->lock, NULL);
    s->mech = (enum kfk_sasl_mech)mech;
    s->token_cb = conf->token_cb;
    s->token_opaque = conf->token_opaque;
    if (s->mech == KFK_SASL_GSSAPI) {
        if (kfk_gss_creds(s, conf, errstr, errlen) != 0) goto fail;
        return s;
    }
    if (conf->username && *conf->username && !(s->username = dup_str(conf->username))) goto oom;
    if (conf->password && *conf->password && !(s->password = dup_str(conf->password))) goto oom;
    if (conf->jaas_config && *conf->jaas_config &&
        from_jaas(s, conf->jaas_config, errstr, errlen) != 0)
        goto fail;
    if (s->mech == KFK_SASL_OAUTHBEARER) {
        if (oidc_setup(s, conf, errstr, errlen) != 0) goto fail;
        if (conf->extensions && *conf->extensions &&
            parse_extensions(s, conf->extensions, errstr, errlen) != 0)
            goto fail;
        if (!s->token_cb && !s->unsecured_sub) {
            snprintf(errstr, errlen,
                     "sasl.mechanism OAUTHBEARER needs a token callback "
                     "(kfk_conf_set_oauthbearer_token_cb) or sasl.oauthbearer.method=oidc");
            goto fail;
        }
    } else if (!s->username || !s->password) {
        snprintf(errstr, errlen, "sasl.mechanism %s needs %s", mech_names[s->mech],
                 !s->username ? "sasl.username (or sasl.jaas.config username)"
                              : "sasl.password (or sasl.jaas.config password)");
        goto fail;
    }
    return s;
oom:
    snprintf(errstr, errlen, "out of memory reading the SASL settings");
fail:
    kfk_sasl_free(s);
    return NULL;
}

void kfk_sasl_free(kfk_sasl *s) {
    if (!s) return;
    free_secret(s->username);
    free_secret(s->password);
    free_secret(s->unsecured_sub);
    free_secret(s->token);
    kfk_oidc_free(s->oidc);
    kfk_free(s->extensions);
    kfk_gss_free(s);
    pthread_mutex_destroy(&s->lock);
    kfk_free(s);
}

/* ------------------------------------------------------------ tokens */

static int64_t wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void b64url(const void *in, size_t n, char *out, size_t outlen) {
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const uint8_t *p = in;
    size_t o = 0;
    for (size_t i = 0; i < n && o + 5 < outlen; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        out[o++] = tab[v >> 18];
        out[o++] = tab[(v >> 12) & 63];
        if (i + 1 < n) out[o++] = tab[(v >> 6) & 63];
        if (i + 2 < n) out[o++] = tab[v & 63];
    }
    out[o] = '\0';
}

/* An unsecured JWT (alg none) for sub, valid one hour: what the Java
 * client's default OAUTHBEARER login makes from unsecuredLoginStringClaim_sub,
 * and what the broker's unsecured validator accepts. Tests only. */
static int unsecured_token(const char *sub, char *buf, size_t len, int64_t *expiry) {
    int64_t now = wall_ms();
    *expiry = now + 3600 * 1000;
    char claims[512], hdr[64], body[1024];
    snprintf(claims, sizeof claims, "{\"sub\":\"%s\",\"iat\":%lld,\"exp\":%lld}", sub,
             (long long)(now / 1000), (long long)(*expiry / 1000));
    b64url("{\"alg\":\"none\"}", 14, hdr, sizeof hdr);
    b64url(claims, strlen(claims), body, sizeof body);
    int n = snprintf(buf, len, "%s.%s.", hdr, body);
    return n > 0 && (size_t)n < len ? 0 : KFK_ERR_MSG_TOO_LARGE;
}

int kfk_sasl_token(kfk_sasl *s, char *buf, size_t len, char *errstr, size_t errlen) {
    int rc = 0;
    pthread_mutex_lock(&s->lock);
    int64_t now = wall_ms();
    if (!s->token || now >= s->token_refresh_ms) {
        int64_t expiry = 0;
        errstr[0] = '\0';
        rc = s->token_cb ? s->token_cb(s->token_opaque, buf, len, &expiry, errstr, errlen)
                         : unsecured_token(s->unsecured_sub, buf, len, &expiry);
        if (!rc && (!memchr(buf, 0, len) || !*buf)) rc = KFK_ERR_AUTHENTICATION;
        if (rc) {
            if (!errstr[0]) snprintf(errstr, errlen, "the OAUTHBEARER token callback failed");
        } else {
            free_secret(s->token);
            s->token = dup_str(buf);
            s->token_expiry_ms = expiry;
            /* Refresh after 80% of the lifetime, as the Java client does. */
            s->token_refresh_ms = now + (expiry > now ? (expiry - now) / 10 * 8 : 0);
        }
    }
    if (!rc && s->token) {
        if (strlen(s->token) >= len) rc = KFK_ERR_MSG_TOO_LARGE;
        else memcpy(buf, s->token, strlen(s->token) + 1);
    }
    pthread_mutex_unlock(&s->lock);
    if (rc == KFK_ERR_MSG_TOO_LARGE) snprintf(errstr, errlen, "OAUTHBEARER token too long");
    return rc;
}

int kfk_sasl_ready(kfk_sasl *s, char *errstr, size_t errlen) {
    if (s->mech != KFK_SASL_OAUTHBEARER || !s->token_cb) return 0;
    char *buf = kfk_malloc(KFK_SASL_TOKEN_MAX);
    if (!buf) {
        snprintf(errstr, errlen, "out of memory for an OAUTHBEARER token");
        return KFK_ERR_NOMEM;
    }
    int rc = kfk_sasl_token(s, buf, KFK_SASL_TOKEN_MAX, errstr, errlen);
    kfk_wipe(buf, KFK_SASL_TOKEN_MAX);
    kfk_free(buf);
    return rc;
}
