/* One share session per leader broker (KIP-932), sans I/O: the epoch the
 * next ShareFetch or ShareAcknowledge carries (0 opens a session and lists
 * every partition, then 1, 2, ... wrapping to 1; -1 closes it), and which
 * partitions an incremental ShareFetch adds or forgets. The caller feeds
 * it each answer's top-level error. */
#ifndef KFK_SHARE_SESSION_H
#define KFK_SHARE_SESSION_H

#include <stdint.h>

#include "core/buf.h"

typedef struct kfk_share_tp {
    kfk_uuid topic_id;
    int32_t partition;
} kfk_share_tp;

typedef struct kfk_share_session {
    int32_t node;
    int32_t epoch;
    kfk_share_tp *in; /* what the broker's session holds */
    int nin;
} kfk_share_session;

/* The epoch after a successful request at e. */
int32_t kfk_share_epoch_next(int32_t e);

/* Which of the n wanted partitions the next ShareFetch lists (all at epoch
 * 0, else those not in the session) into add (room for n), and which of
 * the session's it forgets into forget (room for s->nin). Sets *nadd and
 * *nforget. */
void kfk_share_session_plan(const kfk_share_session *s, const kfk_share_tp *want, int n,
                            kfk_share_tp *add, int *nadd, kfk_share_tp *forget, int *nforget);

/* A ShareFetch built from plan() with these n wanted partitions was
 * answered with top-level error err: on success the session holds want
 * and the epoch moves on; a session error starts over at epoch 0. Returns
 * 0 or KFK_ERR_NOMEM. */
int kfk_share_session_answered(kfk_share_session *s, const kfk_share_tp *want, int n, int err);
/* A ShareAcknowledge was answered: the epoch moves on unless err. */
void kfk_share_session_acked(kfk_share_session *s, int err);
/* 1 for the errors that make the session start over. */
int kfk_share_session_error(int err);
void kfk_share_session_free(kfk_share_session *s);

#endif
