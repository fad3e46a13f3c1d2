/* Configuration files as kcat reads them: property=value lines, blanks
 * around a line, the key and the value ignored, # comments, Java-style \:
 * and \= unescaped. */
#ifndef KFK_CLI_CONFFILE_H
#define KFK_CLI_CONFFILE_H

#include <stddef.h>
#include <stdio.h>

/* Called for each property; returns 0 or -1 with err set. */
typedef int (*cli_conf_fn)(void *opaque, const char *key, const char *value, char *err,
                           size_t errlen);

/* Reads fp to the end, calling fn per property. 0, or -1 with err naming
 * path and line ("f.conf:3: expected property=value"). */
int cli_conffile_read(FILE *fp, const char *path, cli_conf_fn fn, void *opaque, char *err,
                      size_t errlen);

#endif
