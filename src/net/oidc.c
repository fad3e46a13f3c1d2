/* The sans-I/O half of the OIDC provider: a small JSON reader for the
 * token endpoint's answer and the JWT's payload (both untrusted bytes:
 * bounded depth, every length checked), and the refresh rule. */
#include "net/oidc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/portable.h"
#include "kfk.h"

enum { JSON_MAX_DEPTH = 32 };

/* ------------------------------------------------------------ JSON */

typedef struct jrd {
    const char *p, *end;
} jrd;

static void ws(jrd *r) {
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void put_utf8(kfk_wbuf *w, uint32_t cp) {
    uint8_t b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (uint8_t)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (uint8_t)(0xC0 | cp >> 6);
        b[1] = (uint8_t)(0x80 | (cp & 63));
        n = 2;
    } else {
        b[0] = (uint8_t)(0xE0 | cp >> 12);
        b[1] = (uint8_t)(0x80 | ((cp >> 6) & 63));
        b[2] = (uint8_t)(0x80 | (cp & 63));
        n = 3;
    }
    kfk_wr_raw(w, b, n);
}

/* A string at r->p (the opening quote); its decoded text goes to out
 * (NULL: skipped). \u escapes of surrogates become U+FFFD: kfk only needs
 * ASCII tokens and names. */
static int jstr(jrd *r, kfk_wbuf *out) {
    if (r->p >= r->end || *r->p != '"') return -1;
    for (r->p++; r->p < r->end; r->p++) {
        char c = *r->p;
        if (c == '"') {
            r->p++;
            return 0;
        }
        if ((unsigned char)c < 0x20) return -1;
        if (c != '\\') {
            if (out) kfk_wr_raw(out, &c, 1);
            continue;
        }
        if (++r->p >= r->end) return -1;
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        const char *e = memchr(from, *r->p, sizeof from - 1);
        if (e) {
            if (out) kfk_wr_raw(out, &to[e - from], 1);
        } else if (*r->p == 'u' && r->end - r->p > 4) {
            uint32_t cp = 0;
            for (int i = 1; i <= 4; i++) {
                int h = hexval(r->p[i]);
                if (h < 0) return -1;
                cp = cp << 4 | (uint32_t)h;
            }
            r->p += 4;
            if (out) put_utf8(out, cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : cp);
        } else {
            return -1;
        }
    }
    return -1;
}

static int jnum(jrd *r, double *v) {
    const char *s = r->p;
    while (r->p < r->end && strchr("+-0123456789.eE", *r->p) && *r->p) r->p++;
    size_t n = (size_t)(r->p - s);
    if (n == 0 || n > 40) return -1;
    char tmp[48];
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *endp;
    *v = strtod(tmp, &endp);
    return *endp == '\0' && isfinite(*v) ? 0 : -1;
}

static int jvalue(jrd *r, int depth);

static int jcontainer(jrd *r, int depth, char close) {
    r->p++;
    ws(r);
    if (r->p < r->end && *r->p == close) {
        r->p++;
        return 0;
    }
    for (;;) {
        if (close == '}') {
            if (jstr(r, NULL)) return -1;
            ws(r);
            if (r->p >= r->end || *r->p++ != ':') return -1;
        }
        if (jvalue(r, depth + 1)) return -1;
        ws(r);
        if (r->p >= r->end) return -1;
        char c = *r->p++;
        if (c == close) return 0;
        if (c != ',') return -1;
        ws(r);
    }
}

static int jword(jrd *r, const char *w) {
    size_t n = strlen(w);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n) != 0) return -1;
    r->p += n;
    return 0;
}

/* Skips one value of any kind. */
static int jvalue(jrd *r, int depth) {
    ws(r);
    if (r->p >= r->end || depth > JSON_MAX_DEPTH) return -1;
    double d;
    switch (*r->p) {
    case '"': return jstr(r, NULL);
    case '{': return jcontainer(r, depth, '}');
    case '[': return jcontainer(r, depth, ']');
    case 't': return jword(r, "true");
    case 'f': return jword(r, "false");
    case 'n': return jword(r, "null");
    default: return jnum(r, &d);
    }
}

/* Reads a JSON object's top-level members named keys[i]: a string value
 * into strs[i] (kfk_malloc'ed, NUL-terminated; NULL otherwise), a number
 * into nums[i] (NAN otherwise). 0, or -1 for anything but one well-formed
 * object (then nothing is returned). */
static int json_fields(const char *s, size_t len, const char *const *keys, int n, char **strs,
                       double *nums) {
    jrd r = {s, s + len};
    for (int i = 0; i < n; i++) {
        strs[i] = NULL;
        nums[i] = NAN;
    }
    kfk_wbuf key = {0};
    ws(&r);
    if (r.p >= r.end || *r.p != '{') return -1;
    r.p++;
    ws(&r);
    int rc = 0;
    if (r.p < r.end && *r.p == '}') {
        r.p++;
        goto tail;
    }
    for (;;) {
        key.len = 0;
        if (jstr(&r, &key) || key.err) goto bad;
        ws(&r);
        if (r.p >= r.end || *r.p++ != ':') goto bad;
        ws(&r);
        int want = -1;
        for (int i = 0; i < n && want < 0; i++)
            if (strlen(keys[i]) == key.len && memcmp(keys[i], key.data, key.len) == 0) want = i;
        if (want >= 0 && r.p < r.end && *r.p == '"') {
            kfk_wbuf v = {0};
            if (jstr(&r, &v)) {
                kfk_wbuf_free(&v);
                goto bad;
            }
            kfk_wr_u8(&v, 0);
            size_t vlen;
            char *str = v.err ? NULL : (char *)kfk_wbuf_detach(&v, &vlen);
            kfk_wbuf_free(&v);
            if (!str) goto bad;
            if (strs[want]) {
                kfk_wipe(strs[want], strlen(strs[want]));
                kfk_free(strs[want]);
            }
            strs[want] = str;
        } else if (want >= 0 && r.p < r.end && (*r.p == '-' || (*r.p >= '0' && *r.p <= '9'))) {
            if (jnum(&r, &nums[want])) goto bad;
        } else if (jvalue(&r, 1)) {
            goto bad;
        }
        ws(&r);
        if (r.p >= r.end) goto bad;
        char c = *r.p++;
        if (c == '}') break;
        if (c != ',') goto bad;
        ws(&r);
    }
tail:
    ws(&r);
    if (r.p != r.end) goto bad;
    kfk_wbuf_free(&key);
    return rc;
bad:
    kfk_wbuf_free(&key);
    for (int i = 0; i < n; i++) {
        if (strs[i]) {
            kfk_wipe(strs[i], strlen(strs[i]));
            kfk_free(strs[i]);
        }
        strs[i] = NULL;
        nums[i] = NAN;
    }
    return -1;
}

/* ------------------------------------------------------------- JWT */

static int b64url_val(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-' || c == '+') return 62;
    if (c == '_' || c == '/') return 63;
    return -1;
}

/* Decodes unpadded (or '='-padded) base64url into out (size >= n*3/4+1),
 * NUL-terminated. Returns the length or -1. */
static long b64url_decode(const char *in, size_t n, uint8_t *out) {
    while (n > 0 && in[n - 1] == '=') n--;
    if (n % 4 == 1) return -1;
    long o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64url_val(in[i]);
        if (v < 0) return -1;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    out[o] = 0;
    return o;
}

static int64_t sec_to_ms(double s) {
    return isnan(s) || s <= 0 || s > 1e14 ? 0 : (int64_t)s * 1000;
}

int kfk_jwt_claims_parse(const char *token, kfk_jwt_claims *out, char *errstr, size_t errlen) {
    *out = (kfk_jwt_claims){0};
    const char *dot1 = strchr(token, '.');
    const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    if (!dot2 || strchr(dot2 + 1, '.')) {
        snprintf(errstr, errlen, "the access token is not a JWT (compact JWS: three parts)");
        return KFK_ERR_AUTHENTICATION;
    }
    size_t n = (size_t)(dot2 - dot1 - 1);
    uint8_t *payload = kfk_malloc(n * 3 / 4 + 2);
    if (!payload) {
        snprintf(errstr, errlen, "out of memory reading the access token");
        return KFK_ERR_NOMEM;
    }
    long plen = b64url_decode(dot1 + 1, n, payload);
    static const char *const keys[] = {"exp", "iat", "sub"};
    char *strs[3];
    double nums[3];
    int rc = plen < 0 ? -1 : json_fields((const char *)payload, (size_t)plen, keys, 3, strs, nums);
    if (plen > 0) kfk_wipe(payload, (size_t)plen);
    kfk_free(payload);
    if (rc) {
        snprintf(errstr, errlen, "the access token's JWT payload is not a JSON object");
        return KFK_ERR_AUTHENTICATION;
    }
    out->exp_ms = sec_to_ms(nums[0]);
    out->iat_ms = sec_to_ms(nums[1]);
    if (strs[2]) snprintf(out->sub, sizeof out->sub, "%s", strs[2]);
    for (int i = 0; i < 3; i++) kfk_free(strs[i]); /* exp/iat/sub are no secrets */
    if (!out->exp_ms) {
        snprintf(errstr, errlen, "the access token's JWT has no valid exp claim");
        return KFK_ERR_AUTHENTICATION;
    }
    return 0;
}

/* ---------------------------------------------------- token response */

static void free_secret(char *s) {
    if (!s) return;
    kfk_wipe(s, strlen(s));
    kfk_free(s);
}

/* Keeps only printable ASCII of an error text the endpoint sent. */
static void clean(char *s) {
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e) *s = '?';
}

int kfk_oidc_parse_response(long http_status, const char *body, size_t len, char **token,
                            int64_t *expires_in_s, char *errstr, size_t errlen) {
    static const char *const keys[] = {"access_token", "expires_in", "error",
                                       "error_description", "token_type"};
    char *strs[5];
    double nums[5];
    *token = NULL;
    *expires_in_s = -1;
    int bad_json = json_fields(body, len, keys, 5, strs, nums) != 0;
    int rc = KFK_ERR_AUTHENTICATION;
    if (http_status != 200) {
        if (strs[2]) clean(strs[2]);
        if (strs[3]) clean(strs[3]);
        snprintf(errstr, errlen, "HTTP status %ld%s%.80s%s%.160s", http_status,
                 strs[2] ? ": " : "", strs[2] ? strs[2] : "", strs[3] ? ": " : "",
                 strs[3] ? strs[3] : "");
    } else if (bad_json) {
        snprintf(errstr, errlen, "the answer is not a JSON object");
    } else if (!strs[0] || !*strs[0]) {
        snprintf(errstr, errlen, "the answer has no access_token");
    } else if (strs[4] && strcasecmp(strs[4], "bearer") != 0) {
        clean(strs[4]);
        snprintf(errstr, errlen, "token_type %.40s is not Bearer", strs[4]);
    } else {
        *token = strs[0];
        strs[0] = NULL;
        if (!isnan(nums[1]) && nums[1] > 0 && nums[1] < 1e10) *expires_in_s = (int64_t)nums[1];
        rc = 0;
    }
    for (int i = 0; i < 5; i++) free_secret(strs[i]);
    return rc;
}

int64_t kfk_oidc_refresh_at(int64_t now_ms, int64_t expiry_ms) {
    return expiry_ms > now_ms ? now_ms + (expiry_ms - now_ms) / 10 * 8 : now_ms;
}

/* ---------------------------------------------------------- request */

static void form_escape(kfk_wbuf *w, const char *s) {
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("-._~", c)) {
            kfk_wr_raw(w, s, 1);
        } else if (c == ' ') {
            kfk_wr_raw(w, "+", 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            kfk_wr_raw(w, e, 3);
        }
    }
}

char *kfk_oidc_form(const char *scope) {
    kfk_wbuf w = {0};
    static const char grant[] = "grant_type=client_credentials";
    kfk_wr_raw(&w, grant, sizeof grant - 1);
    if (scope && *scope) {
        kfk_wr_raw(&w, "&scope=", 7);
        form_escape(&w, scope);
    }
    kfk_wr_u8(&w, 0);
    size_t n;
    char *s = w.err ? NULL : (char *)kfk_wbuf_detach(&w, &n);
    kfk_wbuf_free(&w);
    return s;
}
