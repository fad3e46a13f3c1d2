/* kcat's -o: beginning | end | stored | N | -N | s@TS | e@TS. */
#ifndef KFK_CLI_OFFSET_H
#define KFK_CLI_OFFSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct cli_offset {
    int64_t start;    /* an offset or KFK_OFFSET_BEGINNING/END/STORED; KFK_OFFSET_INVALID: not given */
    int64_t tail;     /* > 0: start this many messages before the end */
    int64_t start_ts; /* >= 0: start at the first message at or after it (s@) */
    int64_t stop_ts;  /* >= 0: stop each partition at the first message at or after it (e@) */
} cli_offset;

/* Nothing given yet. */
void cli_offset_init(cli_offset *o);
/* Applies one -o argument on top of what earlier ones set (s@ and e@
 * combine with each other and with a start). 0, or -1 with err set. */
int cli_offset_parse(cli_offset *o, const char *arg, char *err, size_t errlen);

#endif
