/* The records a share consumer's polls handed to the application, sans
 * I/O: which are still to be acknowledged, and what poll, acknowledge and
 * renew may do with them. Explicit mode, as Java's KafkaShareConsumer
 * (4.2+): a poll while a record of the previous poll is unacknowledged is
 * refused (KFK_ERR_STATE; Java throws IllegalStateException). Implicit
 * mode: the next poll accepts what the previous one returned.
 * Renew (KFK_ACK_RENEW, KIP-1222): the record counts as acknowledged for
 * that check and is kept, with a reference on its message, until the
 * broker answers the renewal; renewed, it is handed out again by the next
 * poll (as Java's ShareConsumerImpl does: renewed records come back before
 * new ones), to be acknowledged again; a refused renewal ends it. Until
 * it is handed out again the application may still settle it (accept,
 * release, reject) or renew it once more. */
#ifndef KFK_SHARE_HELD_H
#define KFK_SHARE_HELD_H

#include <stdint.h>

#include "kfk.h"

typedef struct kfk_sheld {
    void *part; /* the partition (kfk_spart); compared, never followed */
    int64_t offset;
    int state;                /* KFK_SHELD_* */
    kfk_consumer_message *msg; /* RENEWING, RENEWED: a reference of ours */
} kfk_sheld;

enum { KFK_SHELD_OPEN, KFK_SHELD_RENEWING, KFK_SHELD_RENEWED, KFK_SHELD_DONE };

typedef struct kfk_share_held {
    kfk_sheld *v;
    int n, cap;
    int nrenewing, nrenewed; /* entries in those states: polls look without a scan */
} kfk_share_held;

/* Room for more entries: 0 or KFK_ERR_NOMEM. */
int kfk_share_held_grow(kfk_share_held *h);
/* Remembers a record handed out. 0 or KFK_ERR_NOMEM. Inline: once per
 * poll. */
static inline int kfk_share_held_add(kfk_share_held *h, void *part, int64_t offset) {
    if (h->n == h->cap && kfk_share_held_grow(h)) return KFK_ERR_NOMEM;
    h->v[h->n++] = (kfk_sheld){part, offset, KFK_SHELD_OPEN, NULL};
    return 0;
}
/* Implicit mode's steady state: h holds one record, open (the last poll's,
 * to be accepted now). Then 1, its partition and offset, and h forgets
 * it; else 0 (kfk_share_held_settle does the rest). */
static inline int kfk_share_held_take_single(kfk_share_held *h, void **part, int64_t *offset) {
    if (h->n != 1 || h->v[0].state != KFK_SHELD_OPEN) return 0;
    *part = h->v[0].part;
    *offset = h->v[0].offset;
    h->n = 0;
    return 1;
}
/* The application acknowledges m (a record of partition part) with type
 * (KFK_ACK_*): 0; KFK_ERR_STATE when it was not handed out or is done
 * already; KFK_ERR_UNSUPPORTED_VERSION for a renew when can_renew is 0
 * (the broker lacks KIP-1222), the record left as it was. */
int kfk_share_held_ack(kfk_share_held *h, void *part, const kfk_consumer_message *m, int type,
                       int can_renew);
/* The broker answered the renewal of part's first..last (part NULL: of
 * any partition): err 0, renewed (handed out again by
 * kfk_share_held_next_renewed), else the record is no longer held (its
 * reference dropped). Records acknowledged since are left alone. */
void kfk_share_held_renewed(kfk_share_held *h, void *part, int64_t first, int64_t last, int err);
/* 1 while a renewal is not answered. */
static inline int kfk_share_held_renewing(const kfk_share_held *h) {
    return h->nrenewing > 0;
}
/* A renewed record to hand out again (open again; the reference goes to
 * the caller), or NULL. */
kfk_consumer_message *kfk_share_held_next_renewed(kfk_share_held *h);
/* Before a poll in explicit mode: 0, or KFK_ERR_STATE while a record is
 * neither acknowledged nor renewed. */
int kfk_share_held_check(const kfk_share_held *h);
/* Calls fn for each open record (type: ACCEPT when implicit; explicit
 * mode: none), then forgets the done ones (and, implicit, the open ones;
 * renewed ones stay). fn returns 0 or an error, the first of which is
 * returned. */
int kfk_share_held_settle(kfk_share_held *h, int implicit,
                          int (*fn)(void *opaque, void *part, int64_t offset, int8_t type),
                          void *opaque);
/* Every held record that is not done, for close (RELEASE) or after a
 * poll error; then empties h. */
int kfk_share_held_drain(kfk_share_held *h, int8_t type,
                         int (*fn)(void *opaque, void *part, int64_t offset, int8_t type),
                         void *opaque);
void kfk_share_held_free(kfk_share_held *h);

#endif
