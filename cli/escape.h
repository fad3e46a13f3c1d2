/* Backslash escapes in command-line strings, read the way kcat reads them
 * so that the same arguments give the same bytes. Pure functions. */
#ifndef KFK_CLI_ESCAPE_H
#define KFK_CLI_ESCAPE_H

#include <stddef.h>

/* Format-string escapes (-f): \n \r \t, \xH.. (hex), \N.. (a number read as
 * strtoul base 0 reads it: 012 is octal, 65 decimal); any other escaped
 * character stands for itself; a lone trailing backslash stays. Writes at
 * most len bytes to out and returns how many. */
size_t cli_unescape_format(const char *in, size_t len, char *out);

/* Delimiter escapes (-D, -K): \n \r \t and \xHH (one or two hex digits);
 * other backslashes stay as they are. Writes at most strlen(in) bytes to
 * out, sets *outlen. -1 (err filled) when \x has no hex digit. */
int cli_unescape_delim(const char *in, char *out, size_t *outlen, char *err, size_t errlen);

#endif
