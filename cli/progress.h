/* A live progress line on stderr for long runs: messages, MB, rates, and
 * the percentage and ETA when the total is known. Drawn only when stderr is
 * a terminal and not quiet; redrawn at most five times a second. */
#ifndef KFK_CLI_PROGRESS_H
#define KFK_CLI_PROGRESS_H

#include <stdint.h>

typedef struct cli_progress {
    int on, drawn;
    int64_t total; /* 0: unknown */
    int64_t start_ms, next_ms;
} cli_progress;

void cli_progress_init(cli_progress *p, int quiet, int64_t total);
void cli_progress_update(cli_progress *p, int64_t msgs, int64_t bytes);
/* Erases the line so what follows starts clean. */
void cli_progress_done(cli_progress *p);

#endif
