/* kfk group reset: where each partition's committed offset goes, as
 * Kafka's reset tool decides it. */
#ifndef KFK_CLI_RESET_H
#define KFK_CLI_RESET_H

#include <stdint.h>

typedef enum cli_reset_to {
    CLI_RESET_EARLIEST,
    CLI_RESET_LATEST,
    CLI_RESET_OFFSET,   /* arg: the offset */
    CLI_RESET_DATETIME, /* arg: ms since the epoch */
} cli_reset_to;

/* The new offset of a partition whose log spans [lo, hi): an offset outside
 * is moved to the nearest end; at_time is ListOffsets' answer for a
 * datetime (-1: no record that late, so the end). */
int64_t cli_reset_offset(cli_reset_to to, int64_t arg, int64_t lo, int64_t hi, int64_t at_time);

#endif
