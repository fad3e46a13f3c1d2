/* The producer's parts, private to src/producer: the handle (producer.c),
 * the sender on the I/O thread (sender.c), the producer id (pid.c).
 *
 * Threads: user threads append to the accumulator and poll the report
 * queue; everything else below runs on the client core's I/O thread. */
#ifndef KFK_PRODUCER_INT_H
#define KFK_PRODUCER_INT_H

#include <stdatomic.h>

#include "client/coord.h"
#include "client/core.h"
#include "client/stats.h"
#include "client/telemetryd.h"
#include "core/arena.h"
#include "core/log.h"
#include "kfk.h"
#include "producer/accumulator.h"
#include "producer/prod_conf.h"
#include "producer/report.h"
#include "producer/txn.h"

/* Requests in flight to one broker, and what this drain round gives it. */
typedef struct kfk_pnode {
    int32_t id;
    int in_flight;
    size_t round_bytes;
    kfk_list round; /* batches drained for it this round */
    kfk_win int_latency; /* us from a batch's first record to its first request */
    int64_t retries;     /* batches sent to it again (statistics' txretries) */
} kfk_pnode;

enum kfk_pid_state { KFK_PID_NONE, KFK_PID_ASKING, KFK_PID_OK };

typedef struct kfk_producer kfk_producer;

/* One kind of transaction request, sent through a coordinator and sent
 * again (resend_at) after retriable errors. I/O thread. */
typedef struct kfk_txn_req {
    kfk_cop op;
    kfk_producer *p;
    int busy;          /* sent, its callback pending */
    int64_t resend_at; /* 0: not wanted */
    int attempts;
} kfk_txn_req;

/* The transaction manager (txn_mgr.c runs it on the I/O thread; the calls
 * in txn_calls.c start its operations and wait for them). */
typedef struct kfk_txn_mgr {
    /* under acc.lock */
    enum kfk_txn_state state;
    int64_t state_us; /* kfk_clock_us() when state was set, for statistics */
    int op;         /* the operation running or finished unclaimed
                       (enum kfk_txn_call), -1 none */
    int op_done;    /* it finished with op_err */
    int op_err;
    char op_errstr[200];
    int cause;      /* the abortable (or fatal) error's cause */
    char cause_str[200];
    int bump;       /* the epoch must be bumped after the abort */
    int64_t begin_ms;  /* kfk_io_clock() at begin */
    int expired;    /* the coordinator aborted it: older than its timeout */
    int flushing;   /* the commit counts in acc.flushing */
    pthread_cond_t cond; /* with acc.lock: an operation finished */
    kfk_partition_list *offsets; /* the offsets operation's, owned */
    char *group, *member_id, *instance_id;
    int32_t generation;

    /* I/O thread */
    kfk_task task; /* an operation was started */
    int phase;
    int tv2;            /* KIP-890 transaction protocol v2 */
    int offsets_added;  /* AddOffsetsToTxn done (or, v2, TxnOffsetCommit sent) */
    kfk_coord tcoord, gcoord;
    char *gcoord_key; /* gcoord's group, owned */
    kfk_txn_req init, add, addoff, commit, end;
    kfk_init_producer_id_request init_msg;
    kfk_add_partitions_to_txn_request add_msg;
    kfk_add_offsets_to_txn_request addoff_msg;
    kfk_txn_offset_commit_request commit_msg;
    kfk_end_txn_request end_msg;
    kfk_arena add_arena, commit_arena;
    kfk_ppart **adding; /* the partitions of the AddPartitionsToTxn in flight */
    int32_t nadding, capadding;
    kfk_timer timer;
    int timer_added;
    kfk_list held; /* done batches of the open transaction, reports held */
} kfk_txn_mgr;

struct kfk_producer {
    kfk_prod_conf conf;
    kfk_conf *user_conf; /* owned */
    kfk_producer_callbacks cbs;
    kfk_core *core;
    kfk_io *io;
    const struct kfk_log *log; /* the core's (core/log.h) */
    kfk_accum acc;
    kfk_reportq reports;

    atomic_int wake_posted;
    kfk_task wake_task, init_task, stop_task, purge_task;
    atomic_int purge_flags;

    /* stop handshake with destroy */
    pthread_mutex_t stop_lock;
    pthread_cond_t stop_cond;
    int stopped;

    /* I/O thread only */
    int stopping;
    int timer_added;
    kfk_timer timer;
    kfk_pnode *nodes;
    int nnodes, capnodes;
    int requests;  /* Produce requests in flight */
    kfk_list reqs; /* and the requests themselves */
    kfk_metadata *md_seen;
    kfk_wbuf scratch; /* compression */
    kfk_arena arena;  /* response decoding */
    uint64_t rng;

    /* idempotence, I/O thread only */
    enum kfk_pid_state pid_state; /* set with kfk_pid_state_set */
    int64_t pid_state_us;         /* when it last changed; 0: never */
    int64_t pid;
    int16_t epoch;
    int need_bump;
    int pid_attempts;
    int64_t pid_retry_at;
    int pid_fresh; /* ask for a new id, not a bump of the current one */
    kfk_core_req pid_req;
    kfk_init_producer_id_request pid_msg;

    /* counters, written by the I/O thread, read by any */
    atomic_llong epoch_bumps, batches_retried, batches_split, leader_hints;
    atomic_llong txn_commits, txn_aborts;
    atomic_llong pid_now; /* pid and epoch for stats: (pid << 16) | epoch, -1 none */
    atomic_int txn_version;
    atomic_int produce_version_min, produce_version_max; /* answered; 0: none yet */

    kfk_txn_mgr txn; /* when conf.transactional_id */
    kfk_statsd statsd; /* statistics.interval.ms (pstats.c) */
    kfk_telemetryd telemetryd; /* enable.metrics.push (KIP-714) */

    /* set once by the I/O thread, read by any */
    atomic_int fatal_err; /* its cause (KFK_ERR_FATAL: none more precise) */
    char fatal_str[160];
};

/* I/O thread: pid_state, stamped when it changes (statistics' idemp_stateage). */
static inline void kfk_pid_state_set(kfk_producer *p, enum kfk_pid_state st) {
    if (p->pid_state != st) p->pid_state_us = kfk_clock_us();
    p->pid_state = st;
}

/* sender.c, any thread: run the sender soon (once, however many calls). */
void kfk_sender_wake(kfk_producer *p);
/* sender.c, tasks posted by producer.c. */
void kfk_sender_init_task(kfk_io *io, kfk_task *t, int err);
void kfk_sender_stop_task(kfk_io *io, kfk_task *t, int err);
void kfk_sender_purge_task(kfk_io *io, kfk_task *t, int err);
void kfk_sender_wake_task(kfk_io *io, kfk_task *t, int err);
/* sender.c, I/O thread: drain and send what is ready. */
void kfk_sender_run(kfk_producer *p);
/* sender.c, I/O thread: the batches in `done` are finished; report them. */
void kfk_sender_report(kfk_producer *p, kfk_list *done);
/* sender.c, I/O thread: records of pp in Produce requests in flight. */
int64_t kfk_sender_inflight_msgs(kfk_producer *p, const kfk_ppart *pp);
/* sender.c, I/O thread: fail everything queued and refuse new sends. */
void kfk_sender_fatal(kfk_producer *p, int err, const char *why);

/* txn_mgr.c, I/O thread: move the transaction on; returns the time to look
 * again, or INT64_MAX. */
int64_t kfk_txn_step(kfk_producer *p);
/* txn_mgr.c, I/O thread: batches of the transaction that failed (their
 * errors decide abortable or fatal), and batches written (held until the
 * transaction ends). Both lists are taken. */
void kfk_txn_batches_failed(kfk_producer *p, kfk_list *failed);
void kfk_txn_hold(kfk_producer *p, kfk_list *done);
/* txn_mgr.c: the operation task, and setup and teardown. */
void kfk_txn_task(kfk_io *io, kfk_task *t, int err);
void kfk_txn_init(kfk_producer *p);
/* At destroy, on the I/O thread: held reports fail, the timer goes. */
void kfk_txn_stop(kfk_producer *p);
/* Sets the state and what sends and the drain do in it. acc.lock held. */
void kfk_txn_set_state_locked(kfk_producer *p, enum kfk_txn_state s);
void kfk_txn_free(kfk_producer *p); /* after the core is destroyed */

/* pid.c, I/O thread: ask for a producer id (or an epoch bump) when needed;
 * returns the time to look again, or INT64_MAX. */
int64_t kfk_pid_step(kfk_producer *p, int64_t now);

/* pstats.c: the producer's part of a statistics snapshot (I/O thread),
 * and the poll's wake-up. */
void kfk_pstats_fill(void *producer, kfk_stats *s, kfk_arena *a);
void kfk_pstats_wake(void *producer);

#endif
