#include "offset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kfk.h"

void cli_offset_init(cli_offset *o) {
    *o = (cli_offset){KFK_OFFSET_INVALID, 0, -1, -1};
}

static int number(const char *s, int64_t *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno) return -1;
    *out = v;
    return 0;
}

int cli_offset_parse(cli_offset *o, const char *arg, char *err, size_t errlen) {
    int64_t v;
    if (!strcmp(arg, "beginning")) {
        o->start = KFK_OFFSET_BEGINNING, o->tail = 0;
    } else if (!strcmp(arg, "end")) {
        o->start = KFK_OFFSET_END, o->tail = 0;
    } else if (!strcmp(arg, "stored")) {
        o->start = KFK_OFFSET_STORED, o->tail = 0;
    } else if (!strncmp(arg, "s@", 2) || !strncmp(arg, "e@", 2)) {
        if (number(arg + 2, &v) || v < 0) goto bad;
        *(arg[0] == 's' ? &o->start_ts : &o->stop_ts) = v;
    } else if (!number(arg, &v)) {
        o->start = v >= 0 ? v : KFK_OFFSET_INVALID;
        o->tail = v < 0 ? -v : 0;
    } else {
        goto bad;
    }
    return 0;
bad:
    snprintf(err, errlen,
             "invalid offset \"%s\": expected beginning, end, stored, N, -N, s@TS or e@TS",
             arg);
    return -1;
}
