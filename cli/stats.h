/* --stats FILE: each statistics document (-X statistics.interval.ms=N)
 * appended to FILE as one line. */
#ifndef KFK_CLI_STATS_H
#define KFK_CLI_STATS_H

#include "kfk.h"

/* Opens path for appending and sets conf's stats callback to write there.
 * 0, or -1 with the reason printed. */
int cli_stats_open(kfk_conf *conf, const char *path);
/* A usage problem (--stats without an interval), or NULL. */
const char *cli_stats_check(const kfk_conf *conf);
/* Closes the file (after the client is gone). */
void cli_stats_close(void);

#endif
