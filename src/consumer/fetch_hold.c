/* Whether a broker's Fetch goes now or waits for a partition held back by
 * the prefetch bound (consumer_int.h). Pure: no I/O, no clock, no lock. */
#include "consumer/consumer_int.h"

enum kfk_fetch_role kfk_fetch_role(const kfk_cpart *p, int64_t now) {
    if (p->state != KFK_CP_ACTIVE || p->fetching || p->backoff_until > now) return KFK_FETCH_SKIP;
    if (p->can_fetch) return KFK_FETCH_READY;
    /* Paused is the application's choice: nothing waits for it. */
    return p->held_back ? KFK_FETCH_HELD : KFK_FETCH_SKIP;
}

int64_t kfk_fetch_go_at(const kfk_fetch_look *l, int64_t max_wait_ms, int64_t now) {
    if (l->ready == 0) return INT64_MAX;
    if (l->held_since == 0 || l->backlog) return now;
    int64_t at = l->held_since + max_wait_ms;
    return at < now ? now : at;
}
