/* The producer's parts, private to src/producer: the handle (producer.c),
 * the sender on the I/O thread (sender.c), the producer id (pid.c).
 *
 * Threads: user threads append to the accumulator and poll the report
 * queue; everything else below runs on the client core's I/O thread. */
#ifndef KFK_PRODUCER_INT_H
#define KFK_PRODUCER_INT_H

#include <stdatomic.h>

#include "client/core.h"
#include "core/arena.h"
#include "kfk.h"
#include "producer/accumulator.h"
#include "producer/prod_conf.h"
#include "producer/report.h"

/* Requests in flight to one broker, and what this drain round gives it. */
typedef struct kfk_pnode {
    int32_t id;
    int in_flight;
    size_t round_bytes;
    kfk_list round; /* batches drained for it this round */
} kfk_pnode;

enum kfk_pid_state { KFK_PID_NONE, KFK_PID_ASKING, KFK_PID_OK };

struct kfk_producer {
    kfk_prod_conf conf;
    kfk_conf *user_conf; /* owned */
    kfk_producer_callbacks cbs;
    kfk_core *core;
    kfk_io *io;
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
    enum kfk_pid_state pid_state;
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
    atomic_int produce_version_min, produce_version_max; /* answered; 0: none yet */

    /* set once by the I/O thread, read by any */
    atomic_int fatal_err;
    char fatal_str[160];
};

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
/* sender.c, I/O thread: fail everything queued and refuse new sends. */
void kfk_sender_fatal(kfk_producer *p, int err, const char *why);

/* pid.c, I/O thread: ask for a producer id (or an epoch bump) when needed;
 * returns the time to look again, or INT64_MAX. */
int64_t kfk_pid_step(kfk_producer *p, int64_t now);

#endif
