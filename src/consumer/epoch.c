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

static int waits_for(const kfk_cpart *p, int32_t node) {
    return p->state == KFK_CP_VALIDATE && !p->validating && p->val_leader == node;
}

int kfk_epoch_batch(kfk_cpart *const *parts, int n, int32_t node, int64_t now, kfk_cpart **out) {
    int due = 0, k = 0;
    for (int i = 0; i < n; i++) {
        if (!waits_for(parts[i], node)) continue;
        due |= parts[i]->backoff_until <= now;
        if (out) out[k] = parts[i];
        k++;
    }
    return due ? k : 0;
}

int kfk_epoch_request_fill(kfk_offset_for_leader_epoch_request *m, kfk_cpart *const *parts,
                           int n, kfk_arena *a) {
    kfk_offset_for_leader_epoch_request_init(m);
    m->replica_id = -1; /* a consumer: offsets up to the high watermark */
    if (n <= 0) return 0;
    m->topics.items = kfk_arena_array(a, (size_t)n, sizeof *m->topics.items);
    kfk_offset_for_leader_epoch_request_offset_for_leader_partition *pp =
        kfk_arena_array(a, (size_t)n, sizeof *pp);
    if (!m->topics.items || !pp) return KFK_ERR_NOMEM;
    kfk_offset_for_leader_epoch_request_offset_for_leader_topic *t = NULL;
    for (int i = 0; i < n; i++) {
        const kfk_cpart *p = parts[i];
        if (!t || strcmp(parts[i - 1]->topic, p->topic) != 0) {
            t = &m->topics.items[m->topics.count++];
            t->topic = (kfk_str){p->topic, (int32_t)strlen(p->topic)};
            t->partitions.items = &pp[i];
            t->partitions.count = 0;
        }
        pp[i] = (kfk_offset_for_leader_epoch_request_offset_for_leader_partition){
            .partition = p->partition, .current_leader_epoch = p->val_sent,
            .leader_epoch = p->pos_epoch};
        t->partitions.count++;
    }
    return 0;
}

const kfk_offset_for_leader_epoch_response_epoch_end_offset *
kfk_epoch_answer(const kfk_offset_for_leader_epoch_response *m, const kfk_cpart *p) {
    for (int32_t t = 0; t < m->topics.count; t++) {
        const kfk_offset_for_leader_epoch_response_offset_for_leader_topic_result *tr =
            &m->topics.items[t];
        for (int32_t j = 0; j < tr->partitions.count; j++)
            if (same(p, tr->topic, tr->partitions.items[j].partition))
                return &tr->partitions.items[j];
    }
    return NULL;
}
