#include "input.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cli_reader_init(cli_reader *r, int fd, const char *delim, size_t dlen, size_t max) {
    *r = (cli_reader){.fd = fd, .delim = delim, .dlen = dlen, .max = max};
}

void cli_reader_free(cli_reader *r) {
    free(r->buf);
    r->buf = NULL;
}

/* Room to read more: drop consumed bytes, then grow (bounded by max). */
static int make_room(cli_reader *r) {
    if (r->start) {
        memmove(r->buf, r->buf + r->start, r->len - r->start);
        r->len -= r->start;
        r->start = 0;
    }
    if (r->len < r->cap) return 0;
    if (r->len >= r->max + r->dlen) {
        errno = EMSGSIZE;
        return -1;
    }
    size_t cap = r->cap ? r->cap * 2 : 65536;
    if (cap > r->max + r->dlen) cap = r->max + r->dlen;
    char *b = realloc(r->buf, cap);
    if (!b) return -1;
    r->buf = b;
    r->cap = cap;
    return 0;
}

int cli_reader_next(cli_reader *r, const char **msg, size_t *len) {
    for (;;) {
        size_t avail = r->len - r->start;
        if (avail >= r->dlen) {
            char *from = r->buf + r->start + r->scanned;
            char *hit = memmem(from, avail - r->scanned, r->delim, r->dlen);
            if (hit) {
                *msg = r->buf + r->start;
                *len = (size_t)(hit - *msg);
                r->start += *len + r->dlen;
                r->scanned = 0;
                return *len > r->max ? (errno = EMSGSIZE, -1) : 1;
            }
            /* A delimiter may straddle what is read next. */
            r->scanned = avail - r->dlen + 1;
        }
        if (r->eof) {
            if (!avail) return 0;
            *msg = r->buf + r->start;
            *len = avail;
            r->start = r->len;
            r->scanned = 0;
            return *len > r->max ? (errno = EMSGSIZE, -1) : 1;
        }
        if (make_room(r)) return -1;
        ssize_t n = read(r->fd, r->buf + r->len, r->cap - r->len);
        if (n < 0) return -1;
        if (n == 0) r->eof = 1;
        r->len += (size_t)n;
    }
}
