/* The client side of one SASL exchange: PLAIN (RFC 4616), SCRAM-SHA-256
 * and -512 (RFC 5802, 7677: PBKDF2 and HMAC from OpenSSL, nonce from
 * RAND_bytes, the server's signature verified), OAUTHBEARER (RFC 7628);
 * GSSAPI is in sasl_gssapi.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/portable.h"
#include "net/ossl.h"
#include "net/sasl.h"

/* A hostile broker must not make us spin: RFC 7677 asks for 4096 at
 * least; Kafka allows up to 16384. */
enum { SCRAM_MIN_ITER = 4096, SCRAM_MAX_ITER = 100000, TOKEN_MAX = KFK_SASL_TOKEN_MAX };

static void free_secret(char *s) {
    if (!s) return;
    kfk_wipe(s, strlen(s));
    kfk_free(s);
}

void kfk_sasl_begin(kfk_sasl_exchange *x, kfk_sasl *s, const char *host) {
    *x = (kfk_sasl_exchange){.sasl = s, .host = host};
    if (s->mech != KFK_SASL_SCRAM_SHA_256 && s->mech != KFK_SASL_SCRAM_SHA_512) return;
    uint8_t raw[24]; /* SCRAM's nonce */
    if (RAND_bytes(raw, sizeof raw) != 1) abort(); /* no entropy: nothing safe to do */
    EVP_EncodeBlock((unsigned char *)x->nonce, raw, sizeof raw); /* 32 chars, no ',' */
}

void kfk_sasl_end(kfk_sasl_exchange *x) {
    if (x->job) x->job->free(x->job);
    kfk_gss_end(x);
    free_secret(x->client_first_bare);
    free_secret(x->server_first);
    kfk_wipe(x, sizeof *x);
}

static int bad(char *errstr, size_t errlen, const char *msg) {
    snprintf(errstr, errlen, "SASL %s", msg);
    return KFK_ERR_AUTHENTICATION;
}

/* ---------------------------------------------------------------- PLAIN */

static int plain_step(kfk_sasl_exchange *x, kfk_wbuf *out) {
    if (x->step++ > 0) return KFK_SASL_DONE;
    kfk_wr_u8(out, 0); /* no authorization identity */
    kfk_wr_raw(out, x->sasl->username, strlen(x->sasl->username));
    kfk_wr_u8(out, 0);
    kfk_wr_raw(out, x->sasl->password, strlen(x->sasl->password));
    return KFK_SASL_SEND;
}

/* ---------------------------------------------------------- OAUTHBEARER */

static int oauth_step(kfk_sasl_exchange *x, size_t inlen, kfk_wbuf *out, char *errstr,
                      size_t errlen) {
    switch (x->step++) {
    case 0: {
        char *token = kfk_malloc(TOKEN_MAX);
        if (!token) return KFK_ERR_NOMEM;
        int rc = kfk_sasl_token(x->sasl, token, TOKEN_MAX, errstr, errlen);
        if (!rc) {
            static const char pre[] = "n,,\001auth=Bearer ";
            kfk_wr_raw(out, pre, sizeof pre - 1);
            kfk_wr_raw(out, token, strlen(token));
            const char *ext = x->sasl->extensions;
            if (ext) kfk_wr_raw(out, ext, strlen(ext));
            kfk_wr_raw(out, "\001\001", 2);
        }
        kfk_wipe(token, TOKEN_MAX);
        kfk_free(token);
        return rc ? rc : KFK_SASL_SEND;
    }
    case 1:
        if (inlen == 0) return KFK_SASL_DONE;
        /* The broker refused the token with a JSON error; RFC 7628 has the
         * client acknowledge with a lone %x01, then the broker fails. */
        kfk_wr_u8(out, 1);
        return KFK_SASL_SEND;
    default:
        return bad(errstr, errlen, "OAUTHBEARER: the broker rejected the token");
    }
}

/* ---------------------------------------------------------------- SCRAM */

static const EVP_MD *scram_md(const kfk_sasl_exchange *x) {
    return x->sasl->mech == KFK_SASL_SCRAM_SHA_256 ? EVP_sha256() : EVP_sha512();
}

static void wr_b64(kfk_wbuf *out, const uint8_t *p, size_t n) {
    uint8_t *dst = kfk_wbuf_put(out, 4 * ((n + 2) / 3) + 1);
    if (!dst) return;
    int len = EVP_EncodeBlock(dst, p, (int)n);
    out->len -= 4 * ((n + 2) / 3) + 1 - (size_t)len; /* drop the NUL */
}

/* Decodes base64 of at most cap bytes; -1 if invalid. */
static int b64_decode(const char *s, size_t n, uint8_t *dst, size_t cap) {
    if (n % 4 || n / 4 * 3 > cap) return -1;
    int len = EVP_DecodeBlock(dst, (const unsigned char *)s, (int)n);
    if (len < 0) return -1;
    while (n > 0 && s[n - 1] == '=') n--, len--;
    return len;
}

/* The value of attribute `name` ("r", "s", "i", "v", "e") in a
 * comma-separated SCRAM message. */
static const char *attr(const char *msg, size_t len, char name, size_t *vlen) {
    const char *p = msg, *end = msg + len;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        if (stop - p >= 2 && p[0] == name && p[1] == '=') {
            *vlen = (size_t)(stop - p - 2);
            return p + 2;
        }
        p = stop + 1;
    }
    return NULL;
}

/* saslname: ',' and '=' escaped (RFC 5802 5.1). */
static void wr_saslname(kfk_wbuf *out, const char *s) {
    for (; *s; s++) {
        if (*s == ',') kfk_wr_raw(out, "=2C", 3);
        else if (*s == '=') kfk_wr_raw(out, "=3D", 3);
        else kfk_wr_u8(out, (uint8_t)*s);
    }
}

static char *wbuf_cstr(kfk_wbuf *w, size_t from) {
    if (w->err) return NULL;
    char *s = kfk_malloc(w->len - from + 1);
    if (!s) return NULL;
    memcpy(s, w->data + from, w->len - from);
    s[w->len - from] = '\0';
    return s;
}

static int scram_first(kfk_sasl_exchange *x, kfk_wbuf *out) {
    kfk_wr_raw(out, "n,,", 3);
    size_t bare = out->len;
    kfk_wr_raw(out, "n=", 2);
    wr_saslname(out, x->sasl->username);
    kfk_wr_raw(out, ",r=", 3);
    kfk_wr_raw(out, x->nonce, strlen(x->nonce));
    x->client_first_bare = wbuf_cstr(out, bare);
    return x->client_first_bare ? KFK_SASL_SEND : KFK_ERR_NOMEM;
}

static int hmac(const EVP_MD *md, const uint8_t *key, unsigned klen, const void *data, size_t n,
                uint8_t *outp) {
    unsigned len = 0;
    return HMAC(md, key, (int)klen, data, n, outp, &len) ? (int)len : -1;
}

static int scram_final(kfk_sasl_exchange *x, const uint8_t *in, size_t inlen, kfk_wbuf *out,
                       char *errstr, size_t errlen) {
    const char *msg = (const char *)in;
    size_t rlen = 0, slen = 0, ilen = 0;
    const char *r = attr(msg, inlen, 'r', &rlen), *s = attr(msg, inlen, 's', &slen),
               *i = attr(msg, inlen, 'i', &ilen);
    size_t nlen = strlen(x->nonce);
    if (!r || !s || !i || memchr(msg, 0, inlen))
        return bad(errstr, errlen, "SCRAM: malformed server-first message");
    if (rlen <= nlen || memcmp(r, x->nonce, nlen) != 0)
        return bad(errstr, errlen, "SCRAM: the server's nonce does not extend ours");
    char num[16];
    if (ilen == 0 || ilen >= sizeof num) return bad(errstr, errlen, "SCRAM: bad iteration count");
    memcpy(num, i, ilen);
    num[ilen] = '\0';
    char *end;
    long iter = strtol(num, &end, 10);
    if (*end || iter < SCRAM_MIN_ITER || iter > SCRAM_MAX_ITER)
        return bad(errstr, errlen, "SCRAM: iteration count out of range");
    uint8_t salt[128];
    int saltlen = b64_decode(s, slen, salt, sizeof salt);
    if (saltlen <= 0) return bad(errstr, errlen, "SCRAM: bad salt");
    x->server_first = kfk_strndup(msg, inlen);
    if (!x->server_first) return KFK_ERR_NOMEM;

    const EVP_MD *md = scram_md(x);
    unsigned hlen = (unsigned)EVP_MD_get_size(md);
    uint8_t salted[64], ckey[64], stored[64], csig[64], skey[64], proof[64];
    const char *pw = x->sasl->password;
    int ok = PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), salt, saltlen, (int)iter, md, (int)hlen,
                               salted) == 1;
    ok = ok && hmac(md, salted, hlen, "Client Key", 10, ckey) > 0;
    ok = ok && EVP_Digest(ckey, hlen, stored, NULL, md, NULL) == 1;
    ok = ok && hmac(md, salted, hlen, "Server Key", 10, skey) > 0;

    /* AuthMessage = client-first-bare "," server-first "," client-final-without-proof */
    size_t start = out->len;
    kfk_wr_raw(out, "c=biws,r=", 9); /* biws: base64 of "n,," (no channel binding) */
    kfk_wr_raw(out, r, rlen);
    size_t without_proof = out->len - start;
    kfk_wbuf am = {0};
    kfk_wr_raw(&am, x->client_first_bare, strlen(x->client_first_bare));
    kfk_wr_u8(&am, ',');
    kfk_wr_raw(&am, msg, inlen);
    kfk_wr_u8(&am, ',');
    if (!out->err) kfk_wr_raw(&am, out->data + start, without_proof);
    ok = ok && !am.err && !out->err;
    ok = ok && hmac(md, stored, hlen, am.data, am.len, csig) > 0;
    ok = ok && hmac(md, skey, hlen, am.data, am.len, x->server_signature) > 0;
    kfk_wbuf_free(&am);
    for (unsigned k = 0; k < hlen; k++) proof[k] = ckey[k] ^ csig[k];
    x->sig_len = hlen;
    kfk_wr_raw(out, ",p=", 3);
    wr_b64(out, proof, hlen);
    kfk_wipe(salted, sizeof salted);
    kfk_wipe(ckey, sizeof ckey);
    kfk_wipe(stored, sizeof stored);
    kfk_wipe(skey, sizeof skey);
    if (!ok) {
        snprintf(errstr, errlen, "SASL SCRAM: computing the proof failed");
        return out->err ? KFK_ERR_NOMEM : KFK_ERR_AUTHENTICATION;
    }
    return KFK_SASL_SEND;
}

static int scram_verify(kfk_sasl_exchange *x, const uint8_t *in, size_t inlen, char *errstr,
                        size_t errlen) {
    size_t vlen;
    const char *e = attr((const char *)in, inlen, 'e', &vlen);
    if (e) {
        snprintf(errstr, errlen, "SASL SCRAM: the broker refused: %.*s", (int)(vlen < 100 ? vlen : 100), e);
        return KFK_ERR_SASL_AUTHENTICATION_FAILED;
    }
    const char *v = attr((const char *)in, inlen, 'v', &vlen);
    uint8_t sig[96];
    int n = v ? b64_decode(v, vlen, sig, sizeof sig) : -1;
    if (n != (int)x->sig_len || CRYPTO_memcmp(sig, x->server_signature, x->sig_len) != 0)
        return bad(errstr, errlen,
                   "SCRAM: the broker's signature does not verify (not the real broker?)");
    return KFK_SASL_DONE;
}

static int scram_step(kfk_sasl_exchange *x, const uint8_t *in, size_t inlen, kfk_wbuf *out,
                      char *errstr, size_t errlen) {
    switch (x->step++) {
    case 0:
        return scram_first(x, out);
    case 1:
        return scram_final(x, in, inlen, out, errstr, errlen);
    case 2:
        return scram_verify(x, in, inlen, errstr, errlen);
    default:
        return bad(errstr, errlen, "SCRAM: unexpected message after the exchange");
    }
}

int kfk_sasl_step(kfk_sasl_exchange *x, const uint8_t *in, size_t inlen, kfk_wbuf *out,
                  char *errstr, size_t errlen) {
    switch (x->sasl->mech) {
    case KFK_SASL_PLAIN:
        return plain_step(x, out);
    case KFK_SASL_OAUTHBEARER:
        return oauth_step(x, inlen, out, errstr, errlen);
    case KFK_SASL_GSSAPI:
        return kfk_gss_step(x, in, inlen, out, errstr, errlen);
    default:
        return scram_step(x, in, inlen, out, errstr, errlen);
    }
}
