/* A small strict JSON reader for tests: checks a document is valid JSON
 * and finds values by a '/'-separated path of object keys. */
#ifndef KFK_TEST_JSONQ_H
#define KFK_TEST_JSONQ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct jq {
    const char *p;
    int err;
} jq;

static void jq_ws(jq *j) {
    while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r') j->p++;
}

/* A string at j->p; its decoded bytes (ASCII escapes only) into out. */
static void jq_string(jq *j, char *out, size_t cap) {
    size_t n = 0;
    if (*j->p != '"') {
        j->err = 1;
        return;
    }
    j->p++;
    for (;;) {
        unsigned char c = (unsigned char)*j->p;
        if (c == 0 || c < 0x20) {
            j->err = 1;
            return;
        }
        j->p++;
        if (c == '"') break;
        if (c == '\\') {
            char e = *j->p++;
            if (e == 'u') {
                for (int i = 0; i < 4; i++)
                    if (!strchr("0123456789abcdefABCDEF", j->p[i]) || !j->p[i]) {
                        j->err = 1;
                        return;
                    }
                c = (unsigned char)strtol((char[5]){j->p[0], j->p[1], j->p[2], j->p[3], 0}, NULL, 16);
                j->p += 4;
            } else if (strchr("\"\\/bfnrt", e) && e) {
                c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == 'b' ? '\b'
                  : e == 'f' ? '\f' : (unsigned char)e;
            } else {
                j->err = 1;
                return;
            }
        }
        if (out && n + 1 < cap) out[n++] = (char)c;
    }
    if (out && cap) out[n] = 0;
}

static void jq_value(jq *j);

static void jq_number(jq *j) {
    const char *s = j->p;
    if (*j->p == '-') j->p++;
    if (*j->p < '0' || *j->p > '9') {
        j->err = 1;
        return;
    }
    if (*j->p == '0' && j->p[1] >= '0' && j->p[1] <= '9') j->err = 1;
    while (*j->p >= '0' && *j->p <= '9') j->p++;
    if (*j->p == '.') {
        j->p++;
        if (*j->p < '0' || *j->p > '9') j->err = 1;
        while (*j->p >= '0' && *j->p <= '9') j->p++;
    }
    (void)s;
}

static void jq_value(jq *j) {
    jq_ws(j);
    char c = *j->p;
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        j->p++;
        jq_ws(j);
        if (*j->p == close) {
            j->p++;
            return;
        }
        for (;;) {
            if (c == '{') {
                jq_ws(j);
                jq_string(j, NULL, 0);
                jq_ws(j);
                if (j->err || *j->p != ':') {
                    j->err = 1;
                    return;
                }
                j->p++;
            }
            jq_value(j);
            if (j->err) return;
            jq_ws(j);
            if (*j->p == ',') {
                j->p++;
                continue;
            }
            if (*j->p == close) {
                j->p++;
                return;
            }
            j->err = 1;
            return;
        }
    }
    if (c == '"') return jq_string(j, NULL, 0);
    if (!strncmp(j->p, "true", 4)) { j->p += 4; return; }
    if (!strncmp(j->p, "false", 5)) { j->p += 5; return; }
    if (!strncmp(j->p, "null", 4)) { j->p += 4; return; }
    jq_number(j);
}

/* 1 when s is exactly one valid JSON value. */
static inline int jq_valid(const char *s) {
    jq j = {s, 0};
    jq_value(&j);
    jq_ws(&j);
    return !j.err && *j.p == 0;
}

/* The value at path ("a/b/c": object keys) in a valid document, or NULL. */
static inline const char *jq_get(const char *s, const char *path) {
    jq j = {s, 0};
    while (*path) {
        const char *slash = strchr(path, '/');
        size_t klen = slash ? (size_t)(slash - path) : strlen(path);
        jq_ws(&j);
        if (*j.p != '{') return NULL;
        j.p++;
        int found = 0;
        for (;;) {
            char k[256];
            jq_ws(&j);
            if (*j.p == '}') return NULL;
            jq_string(&j, k, sizeof k);
            jq_ws(&j);
            if (j.err || *j.p != ':') return NULL;
            j.p++;
            jq_ws(&j);
            if (strlen(k) == klen && !strncmp(k, path, klen)) {
                found = 1;
                break;
            }
            jq_value(&j);
            jq_ws(&j);
            if (j.err) return NULL;
            if (*j.p == ',') j.p++;
        }
        if (!found) return NULL;
        path += klen + (slash ? 1 : 0);
    }
    jq_ws(&j);
    return j.p;
}

/* The integer at path; `missing` when there is none. */
static inline int64_t jq_int(const char *s, const char *path, int64_t missing) {
    const char *v = jq_get(s, path);
    if (!v || ((*v < '0' || *v > '9') && *v != '-')) return missing;
    return strtoll(v, NULL, 10);
}

/* 1 when the value at path is the string want. */
static inline int jq_str_is(const char *s, const char *path, const char *want) {
    const char *v = jq_get(s, path);
    if (!v || *v != '"') return 0;
    jq j = {v, 0};
    char got[256];
    jq_string(&j, got, sizeof got);
    return !j.err && strcmp(got, want) == 0;
}

#endif
