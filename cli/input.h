/* Splits an input stream into delimited messages (the producer's stdin or
 * -l file). Messages are slices of one growing buffer: no allocation per
 * message, the delimiter may be any byte string. */
#ifndef KFK_CLI_INPUT_H
#define KFK_CLI_INPUT_H

#include <stddef.h>

typedef struct cli_reader {
    int fd;
    const char *delim;
    size_t dlen;
    size_t max;      /* largest message accepted */
    char *buf;
    size_t cap, start, len; /* unread bytes are buf[start, len) */
    size_t scanned;  /* bytes after start known to hold no delimiter */
    int eof;
} cli_reader;

/* Reads fd (not closed by the reader); delim must outlive the reader. */
void cli_reader_init(cli_reader *r, int fd, const char *delim, size_t dlen, size_t max);
/* The next message without its delimiter (the last one may lack it), valid
 * until the next call: 1; 0 at the end of input; -1 on a read error (errno)
 * or a message longer than max (errno EMSGSIZE). A signal during the read
 * is -1 with EINTR, so the caller can stop; calling again goes on. */
int cli_reader_next(cli_reader *r, const char **msg, size_t *len);
void cli_reader_free(cli_reader *r);

#endif
