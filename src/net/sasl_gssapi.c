/* SASL/GSSAPI (RFC 4752) with Kerberos through MIT's GSS-API directly,
 * not through Cyrus SASL as librdkafka does: the mechanism is a token loop
 * plus one 4-byte message, so a SASL framework adds a dependency and
 * plugin lookup for nothing, and the GSS-API's credential store reads a
 * client keytab itself (no kinit process, no shared ticket cache).
 *
 * Kafka's exchange (KIP-43, every token in a SaslAuthenticate): the
 * context tokens until the context is complete (the last client token may
 * be empty), then the broker's wrapped security-layer offer, answered with
 * "no security layer". Fed the broker's tokens, yields the client's.
 *
 * Only the first step blocks: it may run sasl.kerberos.kinit.cmd, and the
 * GSS-API asks the KDC for a ticket-granting ticket and the broker's
 * service ticket. It is the exchange's job (kfk_sasl_job), which the I/O
 * layer runs on a resolver thread; the later steps only compute. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/dynlib.h"
#include "net/sasl.h"

#ifdef KFK_HAVE_GSSAPI
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>
#include <sys/wait.h>
#include <time.h>

/* MIT Kerberos is loaded when the first GSSAPI client is made
 * (core/dynlib.h): linked, it maps ~0.8 MB into every process, which
 * seldom uses it. */
#define KRB_FUNCS(X)                                                                             \
    X(gss_acquire_cred_from) X(gss_delete_sec_context) X(gss_display_status) X(gss_import_name) \
    X(gss_init_sec_context) X(gss_release_buffer) X(gss_release_cred) X(gss_release_name)       \
    X(gss_unwrap) X(gss_wrap) X(krb5_cc_destroy) X(krb5_cc_resolve) X(krb5_free_context)        \
    X(krb5_init_context)
#define KRB_FIELD(f) __typeof__(&f) f;
static struct {
    KRB_FUNCS(KRB_FIELD)
    /* the OIDs, variables of the library */
    gss_OID *GSS_C_NT_HOSTBASED_SERVICE;
    const gss_OID *GSS_KRB5_NT_PRINCIPAL_NAME;
    const gss_OID *gss_mech_krb5;
} krb;
static char krb_error[256]; /* why it could not be loaded; "" when it was */

static void krb_load(void) {
    /* libgssapi_krb5 depends on libkrb5: a handle finds the krb5_ calls too. */
    static const char *const sonames[] = {"libgssapi_krb5.so.2", "libgssapi_krb5.2.2.dylib",
                                          NULL};
#define KRB_SYM(f) {#f, (void **)&krb.f},
    const kfk_dynsym syms[] = {
        KRB_FUNCS(KRB_SYM)
        {"GSS_C_NT_HOSTBASED_SERVICE", (void **)&krb.GSS_C_NT_HOSTBASED_SERVICE},
        {"GSS_KRB5_NT_PRINCIPAL_NAME", (void **)&krb.GSS_KRB5_NT_PRINCIPAL_NAME},
        {"gss_mech_krb5", (void **)&krb.gss_mech_krb5},
    };
#undef KRB_SYM
    kfk_dynlib_load(sonames, syms, sizeof syms / sizeof syms[0], krb_error, sizeof krb_error);
}

/* Where the context is: establishing it, waiting for the broker's
 * security-layer offer, or done once the answer is sent. */
enum { GSS_CONTEXT, GSS_LAYER, GSS_ANSWERED };

/* One exchange's state. Made as the job of the first step, which keeps its
 * result (rc, the token or errstr) here for the I/O thread. */
struct kfk_gss_ctx {
    kfk_sasl_job job; /* first: a job is its context */
    struct kfk_gss *g; /* a reference: the job may outlive the client */
    gss_ctx_id_t ctx;
    gss_cred_id_t cred;
    gss_name_t target;
    int phase;
    int ran, rc;
    kfk_wbuf out;
    char errstr[480];
    char host[];
};

static void gss_unref(struct kfk_gss *g) {
    if (atomic_fetch_sub(&g->refs, 1) != 1) return;
    krb5_context kc;
    krb5_ccache cc;
    /* The memory cache lives in the process until destroyed. */
    if (g->keytab && !g->kinit_cmd && krb.krb5_init_context(&kc) == 0) {
        if (krb.krb5_cc_resolve(kc, g->ccache, &cc) == 0) krb.krb5_cc_destroy(kc, cc);
        krb.krb5_free_context(kc);
    }
    kfk_free(g->service);
    kfk_free(g->principal);
    kfk_free(g->keytab);
    kfk_free(g->kinit_cmd);
    pthread_mutex_destroy(&g->lock);
    kfk_free(g);
}

static char *dup_opt(const char *s) { return s && *s ? kfk_strndup(s, strlen(s)) : NULL; }

static int is_true(const char *v) { return v && strcmp(v, "true") == 0; }

/* A Krb5LoginModule line: useKeyTab/keyTab, principal, useTicketCache,
 * serviceName override the sasl.kerberos.* keys. */
static int from_jaas(struct kfk_gss *g, const char *line, char *errstr, size_t errlen) {
    static const char *const keys[] = {"useKeyTab", "keyTab", "principal", "useTicketCache",
                                       "serviceName"};
    enum { USE_KEYTAB, KEYTAB, PRINCIPAL, USE_CACHE, SERVICE, NKEYS };
    char module[160], *v[NKEYS];
    int rc = kfk_sasl_jaas_keys(line, module, sizeof module, keys, v, NKEYS, errstr, errlen);
    if (rc) return rc;
    size_t ml = strlen(module), wl = strlen("Krb5LoginModule");
    if (ml < wl || strcmp(module + ml - wl, "Krb5LoginModule") != 0) {
        snprintf(errstr, errlen,
                 "sasl.jaas.config: %s does not go with sasl.mechanism GSSAPI (want "
                 "com.sun.security.auth.module.Krb5LoginModule)",
                 module);
        rc = KFK_ERR_CONFIG;
    } else if (is_true(v[USE_KEYTAB]) && !v[KEYTAB]) {
        snprintf(errstr, errlen, "sasl.jaas.config: useKeyTab=true needs keyTab=\"<file>\"");
        rc = KFK_ERR_CONFIG;
    } else {
        if (is_true(v[USE_KEYTAB])) {
            kfk_free(g->keytab);
            g->keytab = v[KEYTAB];
            v[KEYTAB] = NULL;
        } else if (is_true(v[USE_CACHE])) {
            kfk_free(g->keytab);
            g->keytab = NULL;
        }
        if (v[PRINCIPAL]) {
            kfk_free(g->principal);
            g->principal = v[PRINCIPAL];
            v[PRINCIPAL] = NULL;
        }
        if (v[SERVICE]) {
            kfk_free(g->service);
            g->service = v[SERVICE];
            v[SERVICE] = NULL;
        }
    }
    for (int i = 0; i < NKEYS; i++) kfk_free(v[i]);
    return rc;
}

int kfk_gss_creds(kfk_sasl *s, const kfk_sasl_conf *conf, char *errstr, size_t errlen) {
    static pthread_once_t krb_once = PTHREAD_ONCE_INIT;
    pthread_once(&krb_once, krb_load);
    if (*krb_error) {
        snprintf(errstr, errlen, "sasl.mechanism GSSAPI needs MIT Kerberos (libgssapi_krb5): %s",
                 krb_error);
        return KFK_ERR_CONFIG;
    }
    struct kfk_gss *g = kfk_calloc(1, sizeof *g);
    if (!g) goto oom;
    atomic_init(&g->refs, 1);
    pthread_mutex_init(&g->lock, NULL);
    s->gss = g;
    g->service = dup_opt(conf->service_name ? conf->service_name : "kafka");
    g->principal = dup_opt(conf->principal);
    g->keytab = dup_opt(conf->keytab);
    g->kinit_cmd = dup_opt(conf->kinit_cmd);
    g->min_relogin_ms = conf->min_relogin_ms;
    if (!g->service || (conf->principal && *conf->principal && !g->principal) ||
        (conf->keytab && *conf->keytab && !g->keytab) ||
        (conf->kinit_cmd && *conf->kinit_cmd && !g->kinit_cmd))
        goto oom;
    if (conf->jaas_config && *conf->jaas_config &&
        from_jaas(g, conf->jaas_config, errstr, errlen) != 0)
        return KFK_ERR_CONFIG;
    if (g->keytab && !g->principal) {
        snprintf(errstr, errlen, "sasl.kerberos.keytab needs sasl.kerberos.principal");
        return KFK_ERR_CONFIG;
    }
    snprintf(g->ccache, sizeof g->ccache, "MEMORY:kfk-%p", (void *)g);
    return 0;
oom:
    snprintf(errstr, errlen, "out of memory reading the Kerberos settings");
    return KFK_ERR_NOMEM;
}

void kfk_gss_free(kfk_sasl *s) {
    if (!s->gss) return;
    gss_unref(s->gss);
    s->gss = NULL;
}

/* ------------------------------------------------------------ errors */

/* "what: the GSS-API's words": Kerberos' own (the minor status) when it
 * has some, they say more than the generic major status. */
static int gss_fail(char *errstr, size_t errlen, OM_uint32 major, OM_uint32 minor,
                    const char *what) {
    size_t off = (size_t)snprintf(errstr, errlen, "SASL GSSAPI: %s", what);
    OM_uint32 more = 0, min2;
    do {
        gss_buffer_desc msg = GSS_C_EMPTY_BUFFER;
        if (GSS_ERROR(krb.gss_display_status(&min2, minor ? minor : major,
                                         minor ? GSS_C_MECH_CODE : GSS_C_GSS_CODE, GSS_C_NO_OID,
                                         &more, &msg)))
            break;
        if (off + 1 < errlen)
            off += (size_t)snprintf(errstr + off, errlen - off, ": %.*s", (int)msg.length,
                                    (const char *)msg.value);
        krb.gss_release_buffer(&min2, &msg);
    } while (more && off + 1 < errlen);
    return KFK_ERR_AUTHENTICATION;
}

/* --------------------------------------------------------- credentials */

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* librdkafka's %{sasl.kerberos.*} placeholders; the whole command (a list
 * such as "kinit -R ... || kinit ...") reads nothing and prints to the
 * pipe. */
static int expand_cmd(const struct kfk_gss *g, kfk_wbuf *w) {
    static const char *const names[] = {"%{sasl.kerberos.keytab}", "%{sasl.kerberos.principal}",
                                        "%{sasl.kerberos.service.name}"};
    const char *vals[] = {g->keytab ? g->keytab : "", g->principal ? g->principal : "",
                          g->service};
    kfk_wr_raw(w, "(", 1);
    for (const char *p = g->kinit_cmd; *p;) {
        int hit = 0;
        for (int i = 0; i < 3 && !hit; i++)
            if (!strncmp(p, names[i], strlen(names[i]))) {
                kfk_wr_raw(w, vals[i], strlen(vals[i]));
                p += strlen(names[i]);
                hit = 1;
            }
        if (!hit) kfk_wr_u8(w, (uint8_t)*p++);
    }
    static const char tail[] = "\n) </dev/null 2>&1";
    kfk_wr_raw(w, tail, sizeof tail); /* with its terminator */
    return w->err ? KFK_ERR_NOMEM : 0;
}

/* kinit processes sharing a ticket cache corrupt it: one at a time in the
 * process (librdkafka does the same). Also guards every kinit_* field. */
static pthread_mutex_t kinit_lock = PTHREAD_MUTEX_INITIALIZER;

/* Runs the command with no input, keeping the last line it printed for the
 * error (kinit says there why it failed). Under kinit_lock. */
static void run_kinit(struct kfk_gss *g) {
    kfk_wbuf cmd = {0};
    g->kinit_err[0] = '\0';
    if (expand_cmd(g, &cmd) != 0) {
        kfk_wbuf_free(&cmd);
        snprintf(g->kinit_err, sizeof g->kinit_err, "out of memory");
        return;
    }
    FILE *f = popen((const char *)cmd.data, "r");
    kfk_wbuf_free(&cmd);
    if (!f) {
        snprintf(g->kinit_err, sizeof g->kinit_err, "could not start a shell");
        return;
    }
    char line[160], last[160] = "";
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (*line) memcpy(last, line, sizeof last);
    }
    int status = pclose(f);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        snprintf(g->kinit_err, sizeof g->kinit_err, "exit status %d%s%s",
                 status == -1 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128,
                 *last ? ": " : "", last);
}

/* librdkafka's sasl.kerberos.min.time.before.relogin: the command runs at
 * the first authentication and again at one that comes that long after
 * its last run; 0 never runs it. Worker thread. */
static void maybe_kinit(struct kfk_gss *g) {
    if (!g->kinit_cmd || g->min_relogin_ms <= 0) return;
    pthread_mutex_lock(&kinit_lock);
    if (!g->kinit_at || mono_ms() - g->kinit_at >= g->min_relogin_ms) {
        run_kinit(g);
        g->kinit_at = mono_ms();
    }
    pthread_mutex_unlock(&kinit_lock);
}

/* The client's credentials for one exchange: from the keytab through the
 * GSS-API's credential store (it gets and renews the ticket-granting
 * ticket itself, in a memory cache of this client), or the default ticket
 * cache (KRB5CCNAME), refreshed by sasl.kerberos.kinit.cmd when set.
 * Worker thread. */
static int acquire(struct kfk_gss *g, gss_cred_id_t *cred, char *errstr, size_t errlen) {
    *cred = GSS_C_NO_CREDENTIAL;
    if (g->kinit_cmd || !g->keytab) return 0;
    OM_uint32 major, minor;
    gss_name_t name = GSS_C_NO_NAME;
    gss_buffer_desc nb = {strlen(g->principal), g->principal};
    pthread_mutex_lock(&g->lock);
    major = krb.gss_import_name(&minor, &nb, *krb.GSS_KRB5_NT_PRINCIPAL_NAME, &name);
    if (!GSS_ERROR(major)) {
        gss_key_value_element_desc el[2] = {{"client_keytab", g->keytab}, {"ccache", g->ccache}};
        gss_key_value_set_desc store = {2, el};
        gss_OID_set_desc mechs = {1, *krb.gss_mech_krb5};
        major = krb.gss_acquire_cred_from(&minor, name, GSS_C_INDEFINITE, &mechs, GSS_C_INITIATE,
                                      &store, cred, NULL, NULL);
    }
    OM_uint32 min2;
    krb.gss_release_name(&min2, &name);
    pthread_mutex_unlock(&g->lock);
    if (GSS_ERROR(major)) {
        char what[256];
        snprintf(what, sizeof what, "no credentials for principal %s from keytab %s",
                 g->principal, g->keytab);
        return gss_fail(errstr, errlen, major, minor, what);
    }
    return 0;
}

/* ----------------------------------------------------------- exchange */

static int context_step(struct kfk_gss_ctx *k, const uint8_t *in, size_t inlen, kfk_wbuf *out,
                        char *errstr, size_t errlen) {
    struct kfk_gss *g = k->g;
    OM_uint32 major, minor;
    gss_buffer_desc itok = {inlen, (void *)in}, otok = GSS_C_EMPTY_BUFFER;
    major = krb.gss_init_sec_context(&minor, k->cred, &k->ctx, k->target, *krb.gss_mech_krb5,
                                 GSS_C_MUTUAL_FLAG | GSS_C_INTEG_FLAG | GSS_C_CONF_FLAG, 0,
                                 GSS_C_NO_CHANNEL_BINDINGS, in ? &itok : GSS_C_NO_BUFFER, NULL,
                                 &otok, NULL, NULL);
    if (GSS_ERROR(major)) {
        char what[320];
        snprintf(what, sizeof what, "authenticating %s to %s/%s",
                 g->keytab && !g->kinit_cmd ? g->principal : "(ticket cache)", g->service,
                 k->host);
        return gss_fail(errstr, errlen, major, minor, what);
    }
    /* Once complete the client answers even with nothing to say, for the
     * broker to send its security-layer offer. */
    kfk_wr_raw(out, otok.value, otok.length);
    krb.gss_release_buffer(&minor, &otok);
    if (major == GSS_S_COMPLETE) k->phase = GSS_LAYER;
    return KFK_SASL_SEND;
}

/* The offer: wrap(layers bitmask, 3-byte max size); the answer: wrap(no
 * security layer, max size 0), no authorization identity. */
static int layer_step(struct kfk_gss_ctx *k, const uint8_t *in, size_t inlen, kfk_wbuf *out,
                      char *errstr, size_t errlen) {
    OM_uint32 major, minor;
    gss_buffer_desc itok = {inlen, (void *)in}, plain = GSS_C_EMPTY_BUFFER;
    major = krb.gss_unwrap(&minor, k->ctx, &itok, &plain, NULL, NULL);
    if (GSS_ERROR(major))
        return gss_fail(errstr, errlen, major, minor, "unwrapping the broker's offer");
    int ok = plain.length == 4 && (((const uint8_t *)plain.value)[0] & 1);
    krb.gss_release_buffer(&minor, &plain);
    if (!ok) {
        snprintf(errstr, errlen,
                 "SASL GSSAPI: the broker wants a security layer (kfk supports none)");
        return KFK_ERR_AUTHENTICATION;
    }
    uint8_t answer[4] = {1, 0, 0, 0};
    gss_buffer_desc ans = {sizeof answer, answer}, wrapped = GSS_C_EMPTY_BUFFER;
    major = krb.gss_wrap(&minor, k->ctx, 0, GSS_C_QOP_DEFAULT, &ans, NULL, &wrapped);
    if (GSS_ERROR(major)) return gss_fail(errstr, errlen, major, minor, "wrapping the answer");
    kfk_wr_raw(out, wrapped.value, wrapped.length);
    krb.gss_release_buffer(&minor, &wrapped);
    k->phase = GSS_ANSWERED;
    return KFK_SASL_SEND;
}

/* The first step, the job's run (worker thread): kinit when due, the
 * credentials, the broker's name and the first context token. A failure
 * after a failed kinit names both. */
static void first_step(kfk_sasl_job *j) {
    struct kfk_gss_ctx *k = (struct kfk_gss_ctx *)j;
    struct kfk_gss *g = k->g;
    maybe_kinit(g);
    int rc = acquire(g, &k->cred, k->errstr, sizeof k->errstr);
    if (!rc) {
        /* service@host: the GSS-API makes it service/host@REALM. */
        kfk_wbuf name = {0};
        kfk_wr_raw(&name, g->service, strlen(g->service));
        kfk_wr_u8(&name, '@');
        kfk_wr_raw(&name, k->host, strlen(k->host));
        OM_uint32 minor, major = GSS_S_FAILURE;
        gss_buffer_desc nb = {name.len, name.data};
        if (!name.err) major = krb.gss_import_name(&minor, &nb, *krb.GSS_C_NT_HOSTBASED_SERVICE, &k->target);
        kfk_wbuf_free(&name);
        if (name.err) {
            snprintf(k->errstr, sizeof k->errstr, "out of memory naming the broker");
            rc = KFK_ERR_NOMEM;
        } else if (GSS_ERROR(major)) {
            rc = gss_fail(k->errstr, sizeof k->errstr, major, minor, "bad service name");
        }
    }
    if (!rc) rc = context_step(k, NULL, 0, &k->out, k->errstr, sizeof k->errstr);
    if (!rc && k->out.err) {
        snprintf(k->errstr, sizeof k->errstr, "out of memory for a GSSAPI token");
        rc = KFK_ERR_NOMEM;
    }
    if (rc < 0) {
        pthread_mutex_lock(&kinit_lock);
        size_t n = strlen(k->errstr);
        if (g->kinit_err[0] && n + 1 < sizeof k->errstr)
            snprintf(k->errstr + n, sizeof k->errstr - n, " (sasl.kerberos.kinit.cmd failed: %s)",
                     g->kinit_err);
        pthread_mutex_unlock(&kinit_lock);
    }
    k->rc = rc;
    k->ran = 1;
}

static void ctx_free(kfk_sasl_job *j) {
    struct kfk_gss_ctx *k = (struct kfk_gss_ctx *)j;
    OM_uint32 minor;
    if (k->ctx != GSS_C_NO_CONTEXT) krb.gss_delete_sec_context(&minor, &k->ctx, GSS_C_NO_BUFFER);
    if (k->cred != GSS_C_NO_CREDENTIAL) krb.gss_release_cred(&minor, &k->cred);
    if (k->target != GSS_C_NO_NAME) krb.gss_release_name(&minor, &k->target);
    kfk_wbuf_free(&k->out);
    gss_unref(k->g);
    kfk_free(k);
}

/* The first step is left as the exchange's job. */
static int begin(kfk_sasl_exchange *x, char *errstr, size_t errlen) {
    struct kfk_gss *g = x->sasl->gss;
    if (!x->host) {
        snprintf(errstr, errlen, "SASL GSSAPI: the broker's host name is unknown");
        return KFK_ERR_AUTHENTICATION;
    }
    size_t hl = strlen(x->host);
    struct kfk_gss_ctx *k = kfk_calloc(1, sizeof *k + hl + 1);
    if (!k) return KFK_ERR_NOMEM;
    k->job = (kfk_sasl_job){.run = first_step, .free = ctx_free};
    k->ctx = GSS_C_NO_CONTEXT;
    k->cred = GSS_C_NO_CREDENTIAL;
    k->target = GSS_C_NO_NAME;
    memcpy(k->host, x->host, hl + 1);
    atomic_fetch_add(&g->refs, 1);
    k->g = g;
    x->job = &k->job;
    return KFK_SASL_BLOCKED;
}

/* The job came back: its token, or its error. */
static int collect(kfk_sasl_exchange *x, kfk_wbuf *out, char *errstr, size_t errlen) {
    struct kfk_gss_ctx *k = (struct kfk_gss_ctx *)x->job;
    if (!k->ran) return KFK_SASL_BLOCKED;
    x->job = NULL;
    x->gss = k;
    if (k->rc < 0) {
        snprintf(errstr, errlen, "%s", k->errstr);
        return k->rc;
    }
    kfk_wr_raw(out, k->out.data, k->out.len);
    kfk_wbuf_free(&k->out);
    return KFK_SASL_SEND;
}

int kfk_gss_step(kfk_sasl_exchange *x, const uint8_t *in, size_t inlen, kfk_wbuf *out,
                 char *errstr, size_t errlen) {
    if (x->job) return collect(x, out, errstr, errlen);
    if (!x->gss) return begin(x, errstr, errlen);
    switch (x->gss->phase) {
    case GSS_CONTEXT:
        return context_step(x->gss, in, inlen, out, errstr, errlen);
    case GSS_LAYER:
        return layer_step(x->gss, in, inlen, out, errstr, errlen);
    default:
        return KFK_SASL_DONE;
    }
}

void kfk_gss_end(kfk_sasl_exchange *x) {
    if (!x->gss) return;
    ctx_free(&x->gss->job);
    x->gss = NULL;
}

#else /* built without MIT Kerberos' GSS-API */

int kfk_gss_creds(kfk_sasl *s, const kfk_sasl_conf *conf, char *errstr, size_t errlen) {
    snprintf(errstr, errlen,
             "sasl.mechanism GSSAPI: kfk was built without Kerberos (install libkrb5-dev and "
             "rebuild)");
    return KFK_ERR_CONFIG;
}

void kfk_gss_free(kfk_sasl *s) {}

int kfk_gss_step(kfk_sasl_exchange *x, const uint8_t *in, size_t inlen, kfk_wbuf *out,
                 char *errstr, size_t errlen) {
    return KFK_ERR_AUTHENTICATION;
}

void kfk_gss_end(kfk_sasl_exchange *x) {}

#endif
