/* --to-datetime's timestamps, as Kafka's reset tool takes them. */
#ifndef KFK_CLI_DATETIME_H
#define KFK_CLI_DATETIME_H

#include <stdint.h>

/* "YYYY-MM-DDTHH:mm:SS[.sss][Z|+HH:MM|-HH:MM|+HHMM]" (no zone: local time,
 * as the Java tool), or milliseconds since the epoch. 0, or -1 if s is
 * neither. */
int cli_datetime_parse(const char *s, int64_t *ms);

#endif
