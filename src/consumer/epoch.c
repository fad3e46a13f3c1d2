/* Leader epoch decisions (KIP-320), pure: no I/O, no clock, no lock.
 * See consumer_int.h for what each answers. */
#include <string.h>

#include "consumer/consumer_int.h"

enum kfk_epoch_need kfk_epoch_need(int32_t val_epoch, int32_t pos_epoch, int32_t leader_epoch) {
    if (leader_epoch < 0 || val_epoch == leader_epoch) return KFK_EPOCH_FETCH;
    /* Without the position's epoch there is nothing to ask the leader;
     * a position that never met a leader was just chosen or listed. */
    if (pos_epoch < 0 || val_epoch == KFK_EPOCH_ADOPT) return KFK_EPOCH_TAKE;
    return KFK_EPOCH_VALIDATE;
}

enum kfk_epoch_on_err kfk_epoch_on_err(int err) {
    switch (err) {
    case KFK_ERR_UNKNOWN_LEADER_EPOCH:
        return KFK_EPOCH_WAIT; /* its metadata will catch up with ours */
    case KFK_ERR_UNSUPPORTED_VERSION:
        return KFK_EPOCH_SKIP;
    case KFK_ERR_FENCED_LEADER_EPOCH:
    case KFK_ERR_NOT_LEADER_OR_FOLLOWER:
    case KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION:
    case KFK_ERR_LEADER_NOT_AVAILABLE:
    case KFK_ERR_KAFKA_STORAGE_ERROR:
    case KFK_ERR_REPLICA_NOT_AVAILABLE:
    case KFK_ERR_OFFSET_NOT_AVAILABLE:
    case KFK_ERR_MALFORMED:
        return KFK_EPOCH_REFRESH;
    default:
        return kfk_err_retriable(err) ? KFK_EPOCH_REFRESH : KFK_EPOCH_STOP;
    }
}

enum kfk_trunc kfk_trunc_check(int32_t end_epoch, int64_t end_offset, int64_t position,
                               int has_reset, int64_t *to, int32_t *to_epoch) {
    *to = position;
    *to_epoch = -1;
    if (end_epoch < 0 || end_offset < 0) return has_reset ? KFK_TRUNC_RESET : KFK_TRUNC_STOP;
    if (end_offset >= position) return KFK_TRUNC_NONE;
    *to = end_offset;
    *to_epoch = end_epoch;
    return has_reset ? KFK_TRUNC_SEEK : KFK_TRUNC_STOP;
}

static int same(const kfk_cpart *p, kfk_str topic, int32_t partition) {
    return p->partition == partition && (int32_t)strlen(p->topic) == topic.len &&
           memcmp(p->topic, topic.ptr, (size_t)topic.len) == 0;
}

void kfk_fetch_set_epochs(kfk_fetch_request *m, kfk_cpart *const *parts, int n) {
    int i = 0;
    for (int32_t t = 0; t < m->topics.count; t++) {
        kfk_fetch_request_topic *rt = &m->topics.items[t];
        for (int32_t j = 0; j < rt->partitions.count; j++) {
            kfk_fetch_request_partition *rp = &rt->partitions.items[j];
            while (i < n && !same(parts[i], rt->topic, rp->partition)) i++;
            if (i == n) return;
            rp->current_leader_epoch = parts[i]->fetch_epoch;
            rp->last_fetched_epoch = parts[i]->pos_epoch;
        }
    }
}
