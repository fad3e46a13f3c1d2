/* The share consumer's state (kfk.h's SHARE CONSUMER section). As in the
 * consumer, the client core's I/O thread runs all protocol: membership
 * (share_io.c: FindCoordinator, ShareGroupHeartbeat on a timer, whether
 * the application polls or not) and the share sessions (share_fetch.c:
 * ShareFetch with piggy-backed acknowledgements, ShareAcknowledge). The
 * application's thread (share_consumer.c) takes fetched records from a
 * queue and hands acknowledgements and commit requests over through an
 * inbox; both sides meet under `lock`, and work reaches the I/O thread as
 * a posted task (net/io.h). Decisions are sans I/O (share_member.h,
 * share_session.h, share_acks.h, share_held.h). */
#ifndef KFK_SHARE_INT_H
#define KFK_SHARE_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "client/core.h"
#include "core/buf.h"
#include "core/log.h"
#include "share/share_acks.h"
#include "share/share_held.h"
#include "share/share_member.h"
#include "share/share_session.h"

/* One partition ever assigned. Allocated once and kept until destroy:
 * messages point at it (part_), so the application names it without a
 * lookup. tp is fixed; topic is set once (I/O thread) before any message
 * of it exists; the rest belongs to the I/O thread. */
typedef struct kfk_spart {
    kfk_share_tp tp;
    char *topic; /* NULL until metadata names the topic id */
    int32_t leader;
    kfk_share_acks acks; /* waiting to be sent */
    int assigned;        /* 0: dropped by the last assignment, kept while acks wait */
    int renew;           /* acks hold a RENEW: they go in a request of their own */
} kfk_spart;

/* Acknowledgements on their way to the I/O thread: first..last of p, one
 * type (records accepted in order make one entry). */
typedef struct kfk_sack {
    kfk_spart *p;
    int64_t first, last;
    int8_t type;
} kfk_sack;

typedef struct kfk_sacks {
    kfk_sack *v;
    int n, cap;
} kfk_sacks;

/* A renewal the broker answered (err 0: renewed), for the application's
 * held records; in a request, one it carries (err unused). */
typedef struct kfk_srenew {
    kfk_spart *p;
    int64_t first, last;
    int err;
    int done; /* in a request: reported */
} kfk_srenew;

/* One leader's share session and whether a request of it is out (one at
 * a time: each moves the session epoch). */
typedef struct kfk_snode {
    kfk_share_session s;
    int busy;
    int64_t retry_at;
} kfk_snode;

struct kfk_share_consumer {
    kfk_core *core;
    kfk_io *io;
    kfk_conf *conf;
    struct kfk_log *log;
    char *group;
    int explicit_acks;
    int32_t max_wait_ms, min_bytes, max_bytes, part_max_bytes, max_records;
    int32_t request_timeout_ms, api_timeout_ms, retry_ms;
    int check_crcs;
    char member_id[23];

    /* ---- shared, under lock (cond: the I/O thread changed something) */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    kfk_consumer_message *qh, *qt; /* fetched, not yet taken by the application */
    int fetch_wanted; /* the queue ran empty: fetch (once records come, not again) */
    kfk_sacks inbox;
    char **topics; /* the subscription; the I/O thread copies it */
    int ntopics, sub_gen;
    uint64_t commit_seq, sync_seq; /* commits asked for (sync_seq: the last sync one) */
    uint64_t commit_done;          /* every commit up to it is answered */
    kfk_partition_list *cb_res;    /* results for the callback */
    atomic_int cb_ready;           /* cb_res is set: looked at without the lock */
    kfk_partition_list *sync_res;  /* results for commit_sync */
    kfk_srenew *renewed;           /* renewals answered, for the application */
    int nrenewed, caprenewed;
    int renew_lost;                /* out of memory: a renewal's answer was lost */
    atomic_int renew_ready;        /* renewed or renew_lost is set: looked at without the lock */
    int fatal;                     /* reported by each poll */
    int closing, closed;           /* close asked for / done on the I/O thread */
    atomic_int posted;
    kfk_task task;

    /* ---- the application's thread: polls take from ph without the lock
     * and hand acknowledgements over (outbox to inbox) when they take the
     * lock anyway: once per fetched batch, at a commit, renew or close. */
    kfk_consumer_message *ph; /* taken from the queue, not yet polled */
    kfk_sacks outbox;
    kfk_share_held held; /* what the last poll(s) handed out */
    kfk_share_ack_cb ack_cb;
    void *ack_opaque;

    /* ---- the I/O thread */
    kfk_timer timer;
    int timer_added;
    kfk_smember m;
    char **io_topics;
    int io_ntopics, io_sub_gen;
    kfk_spart **parts;
    int nparts, cap;
    kfk_snode *nodes;
    int nnodes;
    uint64_t io_commit, io_sync, io_done; /* commits wanted (io_sync: the last sync), answered */
    int io_closing, close_step, io_want;
    int inflight_acks; /* requests out carrying acknowledgements */
    kfk_wbuf zbuf;
};

/* One request out, its message in its arena; freed by its callback. */
enum { KFK_SREQ_COORD, KFK_SREQ_HEARTBEAT, KFK_SREQ_FETCH, KFK_SREQ_ACK };
typedef struct kfk_sreq {
    kfk_core_req r;
    struct kfk_share_consumer *c;
    kfk_arena a;
    int kind;
    int32_t node;
    int16_t min_version;
    int leave;           /* heartbeat: epoch -1 */
    int sync;            /* results go to commit_sync / close */
    int closing;         /* ShareAcknowledge at epoch -1 */
    kfk_share_tp *want;  /* ShareFetch: the partitions the session is to hold */
    int nwant;
    kfk_spart **acked;   /* the partitions whose acknowledgements it carries */
    int nacked;
    kfk_srenew *renews;  /* ShareAcknowledge: the renewals it carries */
    int nrenews;
} kfk_sreq;

/* share_io.c (I/O thread, except kfk_share_post: any thread) */
kfk_sreq *kfk_sreq_new(struct kfk_share_consumer *c, int kind);
void kfk_sreq_free(kfk_sreq *rq);
/* Sends rq (freed on failure: then returns the error). */
int kfk_sreq_send(kfk_sreq *rq, int16_t api, const void *msg, int32_t node, int32_t timeout_ms,
                  kfk_response_fn cb);
void kfk_share_task(kfk_io *io, kfk_task *t, int err);
void kfk_share_post(kfk_share_consumer *c);
void kfk_share_run(kfk_share_consumer *c);
kfk_spart *kfk_share_part(kfk_share_consumer *c, const kfk_uuid *id, int32_t partition);
void kfk_share_resolve(kfk_share_consumer *c);
void kfk_share_refresh(kfk_share_consumer *c);
/* Results to the application (under lock inside): to commit_sync or
 * close (SYNC), the callback (ASYNC), or a ShareFetch's: the callback,
 * and commit_sync too while one waits (FETCH). */
enum { KFK_SRES_ASYNC, KFK_SRES_SYNC, KFK_SRES_FETCH };
void kfk_share_results(kfk_share_consumer *c, kfk_partition_list *res, int to);

/* Tells the application how the broker answered rq's renewals of p
 * (p NULL: every one not told yet; rq NULL: renewals were lost, out of
 * memory), under lock inside. */
void kfk_share_renewals(kfk_share_consumer *c, kfk_sreq *rq, const kfk_spart *p, int err);

/* share_fetch.c (I/O thread) */
kfk_snode *kfk_share_node(kfk_share_consumer *c, int32_t node);
/* Starts node n's next request if it has one: ShareAcknowledge when a
 * commit or close waits (or acks hold a RENEW, or are for a partition no
 * longer assigned), else ShareFetch when the application's queue ran
 * empty (the acknowledgements waiting ride along). */
void kfk_share_node_run(kfk_share_consumer *c, kfk_snode *n);
int kfk_share_acks_waiting(const kfk_share_consumer *c, int32_t node);

#endif
