/* The records a share consumer's polls handed to the application, sans
 * I/O: which are still to be acknowledged, and what poll, acknowledge and
 * renew may do with them. Explicit mode, as Java's KafkaShareConsumer
 * (4.2+): a poll while a record of the previous poll is unacknowledged is
 * refused (KFK_ERR_STATE; Java throws IllegalStateException). A renewed
 * record (KFK_ACK_RENEW) counts as acknowledged for that check and stays
 * held: the application acknowledges it again later. Implicit mode: the
 * next poll accepts what the previous one returned. */
#ifndef KFK_SHARE_HELD_H
#define KFK_SHARE_HELD_H

#include <stdint.h>

typedef struct kfk_sheld {
    void *part; /* the partition (kfk_spart); compared, never followed */
    int64_t offset;
    int state; /* KFK_SHELD_* */
} kfk_sheld;

enum { KFK_SHELD_OPEN, KFK_SHELD_RENEWED, KFK_SHELD_DONE };

typedef struct kfk_share_held {
    kfk_sheld *v;
    int n, cap;
} kfk_share_held;

/* Remembers a record handed out. 0 or KFK_ERR_NOMEM. */
int kfk_share_held_add(kfk_share_held *h, void *part, int64_t offset);
/* The application acknowledges (part, offset) with type (KFK_ACK_*):
 * 0, or KFK_ERR_STATE when it was not handed out or is done already. */
int kfk_share_held_ack(kfk_share_held *h, void *part, int64_t offset, int type);
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
