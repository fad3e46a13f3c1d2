#include "escape.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t cli_unescape_format(const char *in, size_t len, char *out) {
    const char *s = in, *end = in + len;
    char *d = out;
    while (s < end) {
        if (*s != '\\' || s + 1 == end) {
            *d++ = *s++;
            continue;
        }
        s++;
        char c = *s;
        if (c == 'n' || c == 'r' || c == 't') {
            *d++ = c == 'n' ? '\n' : c == 'r' ? '\r' : '\t';
            s++;
            continue;
        }
        int base = 0;
        if (c == 'x' && s + 1 < end) {
            base = 16;
            s++;
        }
        /* kcat only takes a number when it starts with a decimal digit. */
        if (isdigit((unsigned char)*s)) {
            char num[32];
            size_t n = 0;
            while (s + n < end && n < sizeof num - 1 && isxdigit((unsigned char)s[n])) n++;
            memcpy(num, s, n);
            num[n] = '\0';
            char *next;
            *d++ = (char)strtoul(num, &next, base);
            s += next - num;
        } else {
            *d++ = *s++;
        }
    }
    return (size_t)(d - out);
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int cli_unescape_delim(const char *in, char *out, size_t *outlen, char *err, size_t errlen) {
    char *d = out;
    for (const char *s = in; *s;) {
        if (s[0] != '\\' || !s[1]) {
            *d++ = *s++;
            continue;
        }
        char c = s[1];
        if (c == 'n' || c == 'r' || c == 't') {
            *d++ = c == 'n' ? '\n' : c == 'r' ? '\r' : '\t';
            s += 2;
        } else if (c == 'x') {
            int hi = hexval(s[2]);
            if (hi < 0) {
                snprintf(err, errlen, "delimiter %s: \\x expects a hex number", in);
                return -1;
            }
            int lo = hexval(s[3]);
            *d++ = (char)(lo < 0 ? hi : hi * 16 + lo);
            s += lo < 0 ? 3 : 4;
        } else {
            *d++ = *s++;
        }
    }
    *outlen = (size_t)(d - out);
    return 0;
}
