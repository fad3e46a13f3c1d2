/* What a message marked done (kfk_consumer_task_done) does to its
 * partition's done offset, for the log. Pure: no I/O, no clock, no lock. */
#include "consumer/consumer_int.h"

enum kfk_done_move kfk_done_move(int64_t stored, int64_t committed, int64_t offset,
                                 int64_t polled_after) {
    /* Nothing done yet this time: go on from the committed offset, if known. */
    int64_t base = stored >= 0 ? stored : committed;
    if (base < 0) return KFK_DONE_NEXT;
    if (offset + 1 == base) return KFK_DONE_AGAIN;
    if (offset + 1 < base) return KFK_DONE_BACK;
    /* Gaps without messages (compaction, transaction markers) are no skip:
     * only a message polled at or after base and before this one is. */
    return polled_after > base ? KFK_DONE_SKIP : KFK_DONE_NEXT;
}
