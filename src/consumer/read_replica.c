/* Whether a partition's preferred read replica (KIP-392) still holds, pure:
 * the fetcher asks it before each Fetch it builds. */
#include "consumer/consumer_int.h"

const char *kfk_replica_lapse(const kfk_cpart *p, int32_t leader_epoch, int known, int64_t now) {
    if (p->read_replica < 0) return NULL;
    if (now >= p->read_until) return "metadata.max.age.ms passed";
    /* A new leader may name another replica, or none. */
    if (leader_epoch != p->read_epoch) return "new leader epoch";
    if (!known) return "not in metadata";
    return NULL;
}

int kfk_replica_banned(const kfk_cpart *p, int64_t now) {
    return p->bad_replica >= 0 && now < p->bad_until;
}
