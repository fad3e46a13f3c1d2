#include "datetime.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* n digits at *p into *out; advances *p. */
static int digits(const char **p, int n, int *out) {
    int v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (!isdigit((unsigned char)**p)) return -1;
        v = v * 10 + (**p - '0');
    }
    *out = v;
    return 0;
}

static int expect(const char **p, char c) {
    return *(*p)++ == c ? 0 : -1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), so UTC needs no timegm. */
static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int zone(const char *p, int *offset_min, int *has_zone) {
    *has_zone = 1;
    *offset_min = 0;
    if (!*p) {
        *has_zone = 0;
        return 0;
    }
    if (!strcmp(p, "Z")) return 0;
    if (*p != '+' && *p != '-') return -1;
    int sign = *p++ == '-' ? -1 : 1, hh, mm;
    if (digits(&p, 2, &hh)) return -1;
    if (*p == ':') p++;
    if (digits(&p, 2, &mm) || *p || hh > 23 || mm > 59) return -1;
    *offset_min = sign * (hh * 60 + mm);
    return 0;
}

int cli_datetime_parse(const char *s, int64_t *ms) {
    const char *p = s;
    while (isdigit((unsigned char)*p)) p++;
    if (!*p && p > s && p - s <= 15) {
        *ms = strtoll(s, NULL, 10);
        return 0;
    }
    int y, mo, d, h, mi, sec, frac = 0;
    p = s;
    if (digits(&p, 4, &y) || expect(&p, '-') || digits(&p, 2, &mo) || expect(&p, '-') ||
        digits(&p, 2, &d) || expect(&p, 'T') || digits(&p, 2, &h) || expect(&p, ':') ||
        digits(&p, 2, &mi) || expect(&p, ':') || digits(&p, 2, &sec))
        return -1;
    if (*p == '.' && (p++, digits(&p, 3, &frac))) return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) return -1;
    int offset_min, has_zone;
    if (zone(p, &offset_min, &has_zone)) return -1;
    int64_t secs;
    if (has_zone) {
        secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
    } else {
        struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                        .tm_min = mi, .tm_sec = sec, .tm_isdst = -1};
        time_t t = mktime(&tm);
        if (t == (time_t)-1) return -1;
        secs = (int64_t)t;
    }
    *ms = secs * 1000 + frac;
    return 0;
}
