/* The connection's AUTH state: SaslHandshake v1, SaslAuthenticate rounds
 * driven by the mechanism (net/sasl.h), and re-authentication before the
 * session lifetime the broker announced ends (KIP-368). */
#include <stdio.h>

#include "core/arena.h"
#include "core/portable.h"
#include "kfk.h"
#include "net/conn_int.h"

enum { TOKEN_POLL_MS = 10 };

/* Failures of the internal request are the connection's own. */
static int auth_failed(void *opaque, kfk_response *resp) { return 0; }

/* Authentication failed: every request fails with err, which is not
 * retriable, so callers see it at once instead of retrying in a loop. */
static int auth_fail(kfk_conn *c, int err, const char *fmt, const char *detail) {
    char msg[sizeof c->errstr];
    snprintf(msg, sizeof msg, fmt, detail);
    KFK_CONN_DBG(c, KFK_DBG_SECURITY, "SASL failed: %s", msg);
    kfk_conn_close(c, err, msg);
    return err;
}

static int auth_send(kfk_conn *c, int16_t api_key, const void *msg, int64_t now) {
    kfk_request *r = &c->auth_req;
    *r = (kfk_request){.api_key = api_key, .msg = msg, .cb = auth_failed};
    /* The highest version both sides know; SaslHandshake must be v1+ (v0
     * sends raw tokens outside Kafka framing). */
    r->min_version = api_key == KFK_API_SASL_HANDSHAKE ? 1 : 0;
    r->max_version = -1;
    int16_t v = kfk_conn_pick_version(c, r);
    if (v < 0)
        return auth_fail(c, KFK_ERR_UNSUPPORTED_VERSION, "%s",
                         api_key == KFK_API_SASL_HANDSHAKE
                             ? "the broker does not support SaslHandshake v1 (Kafka < 1.0?)"
                             : "the broker does not support SaslAuthenticate");
    if (kfk_conn_push(c, r, v, now) != 0)
        return auth_fail(c, KFK_ERR_NOMEM, "%s", "out of memory encoding a SASL request");
    return 0;
}

void kfk_conn_auth_start(kfk_conn *c, int64_t now) {
    kfk_sasl *s = c->conf->sasl;
    c->now = now;
    c->state = KFK_CONN_AUTH;
    c->reauth_wait = 0;
    c->reauth_at = 0;
    /* A token still being fetched (by the OIDC provider's thread or the
     * application): poll for it instead of blocking; a failed fetch fails
     * the connection now. */
    char err[sizeof c->errstr];
    int rc = kfk_sasl_ready(s, err, sizeof err);
    c->token_wait = rc == KFK_ERR_IN_PROGRESS;
    if (c->token_wait) return;
    if (rc) {
        auth_fail(c, rc, "%s", err);
        return;
    }
    const char *mech = kfk_sasl_mech_name(s->mech);
    KFK_CONN_DBG(c, KFK_DBG_SECURITY, "SASL %s: SaslHandshake%s", mech,
                 c->auths ? " (re-authentication)" : "");
    c->hs_msg.mechanism = (kfk_str){mech, (int32_t)strlen(mech)};
    auth_send(c, KFK_API_SASL_HANDSHAKE, &c->hs_msg, now);
}

void kfk_conn_auth_reset(kfk_conn *c) {
    if (c->sx_active) kfk_sasl_end(&c->sx);
    c->sx_active = 0;
    c->token_wait = 0;
    c->reauth_wait = 0;
    c->reauth_at = 0;
}

/* Runs the mechanism on the broker's message; sends the next one, or
 * finishes. */
static int auth_step(kfk_conn *c, const uint8_t *in, size_t inlen, int64_t lifetime_ms,
                     int64_t now) {
    kfk_wbuf out = {0};
    char err[sizeof c->errstr];
    int rc = kfk_sasl_step(&c->sx, in, inlen, &out, err, sizeof err);
    if (rc == KFK_SASL_SEND && out.err) {
        rc = KFK_ERR_NOMEM;
        snprintf(err, sizeof err, "out of memory for a SASL message");
    }
    if (rc == KFK_SASL_SEND) {
        /* The size only: the bytes may hold the password or a token. */
        KFK_CONN_DBG(c, KFK_DBG_SECURITY, "SASL %s: SaslAuthenticate (%zu bytes)",
                     kfk_sasl_mech_name(c->conf->sasl->mech), out.len);
        c->au_msg.auth_bytes = (kfk_bytes){out.data, (int32_t)out.len};
        rc = auth_send(c, KFK_API_SASL_AUTHENTICATE, &c->au_msg, now);
        c->au_msg.auth_bytes = (kfk_bytes){NULL, 0};
    } else if (rc == KFK_SASL_DONE) {
        kfk_sasl_end(&c->sx);
        c->sx_active = 0;
        c->auths++;
        /* Re-authenticate at 85% of the session, as the Java client does
         * at the earliest. */
        c->reauth_at = lifetime_ms > 0 ? now + lifetime_ms / 100 * 85 : 0;
        c->state = KFK_CONN_READY;
        KFK_CONN_DBG(c, KFK_DBG_SECURITY,
                     "SASL %s: authenticated (session lifetime %lld ms, re-authentication %s)",
                     kfk_sasl_mech_name(c->conf->sasl->mech), (long long)lifetime_ms,
                     c->reauth_at ? "due" : "off");
        kfk_conn_fill(c);
        rc = 0;
    } else if (rc == KFK_SASL_BLOCKED) {
        /* The owner runs c->sx.job off this thread (kfk_conn_auth_job). */
        KFK_CONN_DBG(c, KFK_DBG_SECURITY, "SASL %s: waiting for a blocking step (KDC, kinit)",
                     kfk_sasl_mech_name(c->conf->sasl->mech));
        rc = 0;
    } else {
        rc = auth_fail(c, rc, "%s", err);
    }
    if (out.data) kfk_wipe(out.data, out.cap);
    kfk_wbuf_free(&out);
    return rc;
}

static int handshake_done(kfk_conn *c, const kfk_rbuf *body, int16_t version, int64_t now) {
    kfk_arena a = {0};
    kfk_sasl_handshake_response m;
    kfk_rbuf r = *body;
    int rc = kfk_sasl_handshake_response_decode(&r, version, &a, &m);
    if (rc) {
        kfk_arena_reset(&a);
        return auth_fail(c, KFK_ERR_MALFORMED, "%s", "malformed SaslHandshake response");
    }
    if (m.error_code) {
        char list[160] = "";
        size_t off = 0;
        for (int32_t i = 0; i < m.mechanisms.count && off + 1 < sizeof list; i++)
            off += (size_t)snprintf(list + off, sizeof list - off, "%s%.*s", i ? ", " : "",
                                    (int)m.mechanisms.items[i].len, m.mechanisms.items[i].ptr);
        char msg[sizeof c->errstr];
        snprintf(msg, sizeof msg, "SASL mechanism %s refused by the broker (%s); it offers: %s",
                 kfk_sasl_mech_name(c->conf->sasl->mech), kfk_err_name(m.error_code),
                 *list ? list : "none");
        kfk_arena_reset(&a);
        return auth_fail(c, m.error_code, "%s", msg);
    }
    kfk_arena_reset(&a);
    kfk_sasl_begin(&c->sx, c->conf->sasl, c->host);
    c->sx_active = 1;
    return auth_step(c, NULL, 0, 0, now);
}

static int authenticate_done(kfk_conn *c, const kfk_rbuf *body, int16_t version, int64_t now) {
    kfk_arena a = {0};
    kfk_sasl_authenticate_response m;
    kfk_rbuf r = *body;
    int rc = kfk_sasl_authenticate_response_decode(&r, version, &a, &m);
    kfk_arena_reset(&a); /* the response has no arrays; slices stay valid */
    if (rc) return auth_fail(c, KFK_ERR_MALFORMED, "%s", "malformed SaslAuthenticate response");
    if (m.error_code) {
        char msg[sizeof c->errstr];
        /* The broker's message names the user at most, never the secret. */
        snprintf(msg, sizeof msg, "SASL %s authentication failed: %.*s",
                 kfk_sasl_mech_name(c->conf->sasl->mech),
                 m.error_message.len > 0 ? (int)m.error_message.len : 0,
                 m.error_message.len > 0 ? m.error_message.ptr : "");
        return auth_fail(c, m.error_code, "%s", msg);
    }
    size_t n = m.auth_bytes.len > 0 ? (size_t)m.auth_bytes.len : 0;
    return auth_step(c, m.auth_bytes.ptr, n, m.session_lifetime_ms, now);
}

int kfk_conn_auth_done(kfk_conn *c, const kfk_rbuf *body, int64_t now) {
    int16_t key = c->auth_req.api_key, version = c->auth_req.version;
    return key == KFK_API_SASL_HANDSHAKE ? handshake_done(c, body, version, now)
                                         : authenticate_done(c, body, version, now);
}

void kfk_conn_auth_poll(kfk_conn *c, int64_t now) {
    if (c->state == KFK_CONN_READY && c->reauth_at && now >= c->reauth_at) {
        c->state = KFK_CONN_AUTH; /* new requests wait */
        c->reauth_at = 0;
        c->reauth_wait = 1;
    }
    /* Responses come in order: once the wire is empty, the next response
     * is the handshake's. */
    if (c->state == KFK_CONN_AUTH && c->token_wait) {
        kfk_conn_auth_start(c, now);
        return;
    }
    if (c->state == KFK_CONN_AUTH && c->reauth_wait && c->on_wire == 0) {
        c->reauth_wait = 0;
        kfk_conn_auth_start(c, now);
    }
}

int64_t kfk_conn_auth_count(const kfk_conn *c) { return c->auths; }

kfk_sasl_job *kfk_conn_auth_job(kfk_conn *c) {
    if (c->state != KFK_CONN_AUTH || !c->sx_active || !c->sx.job) return NULL;
    kfk_sasl_job *j = c->sx.job;
    c->sx.job = NULL;
    return j;
}

int kfk_conn_auth_resume(kfk_conn *c, kfk_sasl_job *j, int64_t now) {
    if (c->state != KFK_CONN_AUTH || !c->sx_active || c->sx.job) {
        j->free(j); /* the exchange it was for is over */
        return 0;
    }
    c->sx.job = j;
    return auth_step(c, NULL, 0, 0, now);
}

int64_t kfk_conn_auth_deadline(const kfk_conn *c, int64_t t) {
    if (c->state == KFK_CONN_READY && c->reauth_at && c->reauth_at < t) return c->reauth_at;
    /* The token's fetch takes a round trip to the provider: look again soon. */
    if (c->state == KFK_CONN_AUTH && c->token_wait && c->now + TOKEN_POLL_MS < t)
        return c->now + TOKEN_POLL_MS;
    return t;
}
