/* A share-group member's state, sans I/O (KIP-932): which coordinator
 * request is due (FindCoordinator, ShareGroupHeartbeat) and when, and what
 * each answer's error means, as the KIP-848 consumer treats them:
 * NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE / a lost answer look the
 * coordinator up again; UNKNOWN_MEMBER_ID / FENCED_MEMBER_EPOCH join again
 * (epoch 0, same member id); the errors no retry fixes stop the member.
 * Also how a leader's error is treated (kfk_share_leader_action). */
#ifndef KFK_SHARE_MEMBER_H
#define KFK_SHARE_MEMBER_H

#include <stdint.h>

/* The next coordinator request. */
enum kfk_share_next {
    KFK_SHARE_WAIT,        /* nothing now: a request is in flight or none is due */
    KFK_SHARE_FIND_COORD,  /* FindCoordinator */
    KFK_SHARE_HEARTBEAT,   /* ShareGroupHeartbeat */
};

typedef struct kfk_smember {
    int32_t coord;  /* -1: unknown */
    int32_t epoch;  /* 0: joining */
    int32_t interval_ms;
    int64_t due;    /* when the next request may go */
    int inflight;   /* a coordinator request is out */
    int fatal;      /* an error no retry fixes: reported by poll */
    int32_t retry_ms;
} kfk_smember;

void kfk_smember_init(kfk_smember *m, int32_t interval_ms, int32_t retry_ms);
/* What to send at now (subscribed: the member has topics). */
enum kfk_share_next kfk_smember_next(const kfk_smember *m, int subscribed, int64_t now);
/* FindCoordinator's answer: err 0 with the node, or an error. */
void kfk_smember_found(kfk_smember *m, int err, int32_t node, int64_t now);
/* A heartbeat's answer: err 0 with the new epoch and interval (<= 0:
 * unchanged), or an error. */
void kfk_smember_answered(kfk_smember *m, int err, int32_t epoch, int32_t interval_ms,
                               int64_t now);
/* 1 for the errors that end the member (reported, not retried). */
int kfk_share_fatal(int err);

/* What a leader's error (a ShareFetch or ShareAcknowledge answer, whole
 * or per partition; < 0: the request itself failed) asks for. */
enum {
    KFK_SHARE_LEADER_OK = 0,
    KFK_SHARE_LEADER_REFRESH = 1, /* metadata: the partition's leader may have moved */
    KFK_SHARE_LEADER_REJOIN = 2,  /* the member is unknown: heartbeat now */
};
int kfk_share_leader_action(int err);

#endif
