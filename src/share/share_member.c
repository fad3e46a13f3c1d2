/* The share-group member's decisions (share_member.h), sans I/O. */
#include "share/share_member.h"

#include "kfk.h"

void kfk_smember_init(kfk_smember *m, int32_t interval_ms, int32_t retry_ms) {
    *m = (kfk_smember){.coord = -1, .interval_ms = interval_ms, .retry_ms = retry_ms};
}

enum kfk_share_next kfk_smember_next(const kfk_smember *m, int subscribed, int64_t now) {
    if (m->inflight || m->fatal || !subscribed || now < m->due) return KFK_SHARE_WAIT;
    return m->coord < 0 ? KFK_SHARE_FIND_COORD : KFK_SHARE_HEARTBEAT;
}

int kfk_share_fatal(int err) {
    return err == KFK_ERR_UNSUPPORTED_VERSION || err == KFK_ERR_GROUP_AUTHORIZATION_FAILED ||
           err == KFK_ERR_TOPIC_AUTHORIZATION_FAILED || err == KFK_ERR_INVALID_REQUEST ||
           err == KFK_ERR_GROUP_MAX_SIZE_REACHED || err == KFK_ERR_INVALID_GROUP_ID ||
           err == KFK_ERR_INCONSISTENT_GROUP_PROTOCOL;
}

void kfk_smember_found(kfk_smember *m, int err, int32_t node, int64_t now) {
    m->inflight = 0;
    if (!err && node >= 0) {
        m->coord = node;
        m->due = now;
        return;
    }
    if (kfk_share_fatal(err)) m->fatal = err;
    m->due = now + m->retry_ms;
}

void kfk_smember_answered(kfk_smember *m, int err, int32_t epoch, int32_t interval_ms,
                               int64_t now) {
    m->inflight = 0;
    if (!err) {
        m->epoch = epoch;
        if (interval_ms > 0) m->interval_ms = interval_ms;
        m->due = now + m->interval_ms;
        return;
    }
    if (kfk_share_fatal(err)) {
        m->fatal = err;
        return;
    }
    if (err == KFK_ERR_UNKNOWN_MEMBER_ID || err == KFK_ERR_FENCED_MEMBER_EPOCH) {
        m->epoch = 0; /* joins again at once, under the same id */
        m->due = now;
        return;
    }
    /* NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, a lost connection: the
     * coordinator may have moved. COORDINATOR_LOAD_IN_PROGRESS and the
     * rest: the same coordinator, after a backoff. */
    if (err != KFK_ERR_COORDINATOR_LOAD_IN_PROGRESS) m->coord = -1;
    m->due = now + m->retry_ms;
}

int kfk_share_leader_action(int err) {
    if (err == KFK_ERR_NOT_LEADER_OR_FOLLOWER || err == KFK_ERR_FENCED_LEADER_EPOCH ||
        err == KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION || err == KFK_ERR_UNKNOWN_TOPIC_ID ||
        err == KFK_ERR_UNKNOWN_LEADER_EPOCH || err == KFK_ERR_LEADER_NOT_AVAILABLE || err < 0)
        return KFK_SHARE_LEADER_REFRESH;
    if (err == KFK_ERR_UNKNOWN_MEMBER_ID || err == KFK_ERR_FENCED_MEMBER_EPOCH)
        return KFK_SHARE_LEADER_REJOIN;
    return KFK_SHARE_LEADER_OK;
}
