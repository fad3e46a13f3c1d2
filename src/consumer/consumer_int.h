/* Private to the consumer's files.
 *
 * Threads. The application's threads call the kfk_consumer_* API; the
 * client core's one I/O thread fetches, resolves offsets and talks to the
 * coordinator. They share the partition table and the message queue under
 * ONE mutex (c->lock), taken once per poll batch by the application and
 * once per fetched partition by the I/O thread; messages are released
 * without it (chunk.h).
 *
 * A partition (kfk_cpart) has fields of both sides. The application's
 * (under the lock) say what it wants: where to start (spec, with gen bumped
 * by every seek so that work begun for an older gen is dropped), paused,
 * and what it consumed (position, stored). The I/O thread's say how far it
 * got, in this state machine:
 *
 *   START --spec >= 0--------------------------------> ACTIVE (fetching)
 *     | spec STORED --OffsetFetch--> committed offset --^  ^
 *     |                    \ none --> LIST ---------------+ ListOffsets
 *     +-- spec BEGINNING/END/AT_TIME ---^                  (earliest, latest,
 *   ACTIVE --OFFSET_OUT_OF_RANGE--> LIST (auto.offset.reset) by time)
 *   LIST/ACTIVE, reset none or a fatal error --> STOPPED (an error message;
 *                                                 until the next seek)
 *   ACTIVE --new leader epoch, position epoch known--> VALIDATE
 *   VALIDATE --OffsetForLeaderEpoch: end offset >= position--> ACTIVE
 *            --end offset < position: truncated--> ACTIVE at that end offset
 *              (auto.offset.reset earliest/latest; a Fetch's diverging epoch
 *              does the same), or STOPPED with KFK_ERR_LOG_TRUNCATION (none)
 * (KIP-320, validate.c and epoch.c.)
 * Leader errors keep the state and back off (jittered) after asking for
 * fresh metadata. */
#ifndef KFK_CONSUMER_INT_H
#define KFK_CONSUMER_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "core/log.h"
#include "client/core.h"
#include "client/stats.h"
#include "client/telemetryd.h"
#include "consumer/cconf.h"
#include "consumer/chunk.h"
#include "client/coord.h"
#include "consumer/fetch_session.h"
#include "consumer/group.h"
#include "kfk.h"
#include "net/wake.h"

enum kfk_cpart_state { KFK_CP_START, KFK_CP_LIST, KFK_CP_ACTIVE, KFK_CP_VALIDATE, KFK_CP_STOPPED };

/* Leader epoch checks (KIP-320), for tests. */
typedef struct kfk_epoch_stats {
    int64_t validations; /* OffsetForLeaderEpoch answers that checked a position */
    int64_t skipped;     /* validations the leader could not do (no v3+) */
    int64_t truncations; /* positions found past a truncated log */
    int64_t fenced;      /* FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH answers */
} kfk_epoch_stats;

/* What the fetcher did about partitions held back by the prefetch bound. */
typedef struct kfk_fetch_hold_stats {
    int64_t deferred;     /* looks that put a broker's Fetch off for one */
    int64_t without_held; /* Fetches sent while one of that broker's was held back */
} kfk_fetch_hold_stats;

/* What the fetcher saw, for tests: the Fetch versions brokers answered at,
 * and per broker fetched from (the first KFK_FETCH_STATS_NODES) the record
 * bytes it sent. */
#define KFK_FETCH_STATS_VMAX 18
#define KFK_FETCH_STATS_NODES 64
typedef struct kfk_fetch_node_stats {
    int32_t node;
    int16_t version; /* of its last Fetch answer; -1: none yet */
    int64_t bytes;   /* records bytes of its answers */
    int64_t partial; /* answers whose records ended inside a batch */
} kfk_fetch_node_stats;
typedef struct kfk_fetch_stats {
    int64_t by_version[KFK_FETCH_STATS_VMAX + 1]; /* Fetch answers per version */
    int64_t recreated; /* positions dropped for a topic re-created (new id) */
    int64_t replica_moves; /* partitions sent to a preferred read replica */
    int64_t replica_drops; /* partitions back from one to their leader */
    kfk_fetch_node_stats nodes[KFK_FETCH_STATS_NODES];
    int nnodes;
} kfk_fetch_stats;

typedef struct kfk_cpart {
    char *topic;
    int32_t partition;

    /* under c->lock */
    uint32_t gen;
    int64_t spec, spec_ts; /* where to start: an offset or KFK_OFFSET_* (+ time) */
    int64_t position;      /* next offset poll returns; KFK_OFFSET_INVALID: unknown */
    int32_t position_epoch; /* leader epoch of the record before position; -1: unknown */
    int64_t polled_end;     /* as position, but not moved past markers nor aborted
                               batches: where the next polled record follows on */
    int64_t stored;        /* to commit; KFK_OFFSET_INVALID: nothing */
    int32_t stored_epoch;  /* committed with stored (OffsetCommit v6+) */
    int64_t committed;     /* last committed by this consumer, or read at start */
    int32_t committed_epoch; /* its leader epoch; -1: unknown */
    int64_t added_us;      /* kfk_clock_us() when made (statistics' topic age) */
    int paused;
    int64_t queued_bytes; /* fetched, not yet polled */
    int prefetch_full;    /* held back by the prefetch bound: poll wakes the fetcher */
    int64_t lwm, hwm, lso; /* from the last fetch response; -1: none */
    int removed;
    int64_t queued_msgs;     /* records fetched, not yet polled (statistics) */
    int64_t rx_msgs, rx_bytes; /* records fetched and queued, their key+value bytes */
    int64_t rx_wire;           /* records bytes of Fetch answers, framing included */
    int64_t rx_ver_drops;      /* records fetched, then dropped: the partition was
                                  re-positioned or revoked meanwhile */
    kfk_win_lite lag_win, lead_win; /* per Fetch answer: high watermark minus the
                                       next fetch position, that position minus
                                       the log start (Java's records-lag/lead) */

    /* I/O thread */
    struct kfk_consumer *owner;
    uint32_t io_gen, lo_gen;
    enum kfk_cpart_state state;
    int64_t fetch_pos;
    int32_t pos_epoch;    /* leader epoch of the batch before fetch_pos; -1: unknown */
    int32_t val_epoch;    /* leader epoch fetch_pos is valid under; KFK_EPOCH_* */
    int32_t fetch_epoch;  /* the leader's epoch, while building fetches */
    int32_t val_sent;     /* the leader epoch the validation asks (or asked) under */
    int32_t val_leader;   /* VALIDATE: its leader's node, for kfk_validate_send; -1: none */
    uint32_t val_gen;
    int64_t list_spec, list_ts; /* what LIST asks for */
    int can_fetch;              /* not paused nor prefetch_full, at the last look */
    int held_back;              /* prefetch_full and not paused, at the last look */
    int64_t held_since;         /* held back (or its broker's last Fetch) since; 0: not */
    int backlog;                /* the last answer showed records past fetch_pos */
    int32_t leader;             /* while building fetches */
    kfk_uuid topic_id;          /* the topic fetch_pos belongs to; zero: unknown */
    int32_t read_replica;       /* preferred read replica (KIP-392); -1: the leader */
    int32_t read_epoch;         /* the leader epoch it was named under */
    int64_t read_until;
    int32_t bad_replica;        /* one that could not be reached, until bad_until */
    int64_t bad_until;
    int inflight;               /* requests that point here */
    int fetching, listing, offset_fetching, validating;
    int64_t backoff_until;
    int attempts;
    int64_t eof_at; /* where EOF was last reported */
    int64_t looked_at;   /* first pass that saw it; 0: none yet */
    int absent_reported; /* missing from metadata and reported (until seen again) */
    int32_t list_leader; /* while sending ListOffsets: its leader; -1: none */
    kfk_list link;  /* in the retired list */
} kfk_cpart;

struct kfk_consumer {
    kfk_conf *conf;
    kfk_cconf cc;
    kfk_core *core;
    kfk_io *io;

    pthread_mutex_t lock;
    pthread_cond_t cond; /* messages were queued */
    /* under lock */
    kfk_cpart **parts; /* sorted by topic, partition */
    int nparts;
    kfk_list retiring; /* removed by assign; the I/O thread frees them */
    kfk_consumer_message *qhead, *qtail;
    /* queued bytes of all partitions, as the I/O thread last summed them
     * (take_in) less what poll took since; queue_full: that sum reached
     * fetch.queue.max.bytes, so no partition is fetched until poll brings
     * it below half (else many partitions, each under its share, would
     * each get a response's worth) */
    int64_t queued_total;
    int queue_full;
    int64_t since_commit; /* messages polled (or done, without auto_store) since the last
                             count-triggered commit */
    kfk_consumer_stats stats;
    /* statistics windows (kfk_stats) and the poll times they come from */
    kfk_win poll_idle, fetch_latency, commit_latency;
    int64_t polls, poll_end_us;
    int64_t rebalance_us; /* kfk_clock_us() of the last assignment; 0: none */
    kfk_win rebalance_latency;  /* us, each rebalance's (kfk_cstats_rebalance_done) */
    int64_t rebalance_total_us; /* their sum since creation */
    int64_t rebalance_start_us; /* I/O thread: the rebalance under way began; 0: none */
    kfk_commit_cb commit_cb;
    void *commit_opaque;
    struct kfk_log *log; /* the core's (core/log.h) */

    /* I/O thread */
    kfk_task pass_task;
    atomic_int pass_posted;
    kfk_task commit_task; /* auto-commit by message count */
    atomic_int commit_posted;
    kfk_timer pass_timer, commit_timer;
    int timers_added;
    kfk_list retired;
    kfk_cpart **io_parts;
    int io_nparts, io_cap;
    int32_t *busy; /* nodes with a Fetch in flight */
    int nbusy, capbusy;
    kfk_fetch_session *sessions; /* one per broker fetched from */
    int nsessions, capsessions;
    kfk_fetch_session_stats fs_stats; /* under lock */
    kfk_fetch_hold_stats hold_stats;  /* under lock */
    kfk_epoch_stats epoch_stats;      /* under lock */
    kfk_fetch_stats fetch_stats;      /* under lock */
    int offset_fetch_inflight, autocommit_inflight;
    int autocommit_again; /* a count-triggered commit came while one was out */
    int64_t next_autocommit;
    kfk_wbuf zbuf;
    kfk_coord coord;
    kfk_group group;
    atomic_int generation; /* the group's, for kfk_consumer_generation */
    kfk_statsd statsd;     /* statistics.interval.ms (cstats.c) */
    kfk_telemetryd telemetryd; /* enable.metrics.push (KIP-714) */
    kfk_wake evfd; /* kfk_consumer_fd: readable while evfd_set */
    int evfd_set; /* under lock: something waits for poll */
};

/* fetch_pos's epoch bookkeeping (val_epoch): the position has not met a
 * leader yet and is taken as valid under the first one (an offset the
 * application chose, or one ListOffsets just gave); or it must be checked
 * against whichever leader comes first (a committed offset). */
#define KFK_EPOCH_ADOPT (-1)
#define KFK_EPOCH_CHECK (-2)

/* A partition's share of fetch.queue.max.bytes; under c->lock. */
static inline int64_t kfk_share(const kfk_consumer *c) {
    int64_t share = c->cc.queue_max_bytes / (c->nparts > 0 ? c->nparts : 1);
    return share > 0 ? share : 1;
}

/* consumer.c: any thread, under c->lock. NULL when not assigned. */
kfk_cpart *kfk_cpart_find(kfk_consumer *c, const char *topic, int32_t partition);
/* Appends to the poll queue and wakes poll; under c->lock. */
/* kfk_consumer_fd's wakeup fd: made readable (something waits for poll), or
 * drained once poll found the queue empty. Under lock. */
void kfk_evfd_signal(kfk_consumer *c);
void kfk_evfd_clear(kfk_consumer *c);
void kfk_queue_append(kfk_consumer *c, kfk_consumer_message *head, kfk_consumer_message *tail);
/* Asks the I/O thread to look at the partitions again. Any thread. */
void kfk_cpart_pass_post(kfk_consumer *c);

/* fetcher.c: fetch session and hold counters for tests and benchmarks. Any thread. */
void kfk_consumer_fetch_session_stats(kfk_consumer *c, kfk_fetch_session_stats *out);
void kfk_consumer_fetch_hold_stats(kfk_consumer *c, kfk_fetch_hold_stats *out);
void kfk_consumer_fetch_stats(kfk_consumer *c, kfk_fetch_stats *out);
/* Frees the fetch sessions' memory; at destroy, once the I/O thread is gone. */
void kfk_fetch_sessions_free(kfk_consumer *c);
/* At close, from the closing thread: closes each broker's fetch session. */
void kfk_fetch_sessions_close(kfk_consumer *c);

/* fetcher.c, cpart_pass.c, start_offset.c: I/O thread. */
void kfk_cpart_pass(kfk_consumer *c);
void kfk_fetch_send(kfk_consumer *c, kfk_metadata *md, int64_t now, int64_t *wake);
/* Ties p's position to its topic's id in md. A new id is the topic
 * deleted and re-created: the position means nothing there, and
 * auto.offset.reset applies as for one out of range. */
void kfk_fetch_check_topic(kfk_consumer *c, const kfk_metadata *md, kfk_cpart *p);
/* One ListOffsets per leader for the partitions in LIST (not in flight,
 * not backing off); those without a known leader back off. */
void kfk_start_offset_list_send(kfk_consumer *c, kfk_metadata *md, int64_t now);
void kfk_start_offset_committed(kfk_consumer *c);
/* No offset to start from (why): auto.offset.reset says where to go. */
void kfk_start_offset_reset(kfk_consumer *c, kfk_cpart *p, int err, const char *why);
/* fetch_pos is known: fetch from it and make it the position. */
void kfk_start_offset_done(kfk_consumer *c, kfk_cpart *p, int64_t offset);
/* Leader trouble: fresh metadata, then retry after a jittered backoff. */
void kfk_cpart_backoff(kfk_consumer *c, kfk_cpart *p);
/* Queues an event message (err) about the partition for poll. */
void kfk_cpart_event(kfk_consumer *c, kfk_cpart *p, int err, int64_t offset);
/* Stops the partition with an error message for the application. */
void kfk_cpart_stop(kfk_consumer *c, kfk_cpart *p, int err, int64_t offset);
/* A notice (log level 5) about the consumer's work. */
void kfk_consumer_log(kfk_consumer *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A debug line of context ctx (KFK_DBG_*): one flag test when off. */
#define KFK_C_DBG(c, ctx, ...) KFK_DBG((c)->log, (ctx), NULL, __VA_ARGS__)

/* start_offset.c: fetch from offset, whose leader epoch is epoch (-1:
 * unknown); val_epoch is KFK_EPOCH_ADOPT or KFK_EPOCH_CHECK. */
void kfk_start_offset_done_epoch(kfk_consumer *c, kfk_cpart *p, int64_t offset,
                                 int32_t epoch, int32_t val_epoch);
/* Backs off (jittered) without asking for metadata. */
void kfk_cpart_delay(kfk_consumer *c, kfk_cpart *p);

/* epoch.c (pure). What a position needs before a Fetch to the leader of
 * leader_epoch (-1: unknown): nothing, to be taken as valid under it, or
 * an OffsetForLeaderEpoch check. */
enum kfk_epoch_need { KFK_EPOCH_FETCH, KFK_EPOCH_TAKE, KFK_EPOCH_VALIDATE };
enum kfk_epoch_need kfk_epoch_need(int32_t val_epoch, int32_t pos_epoch, int32_t leader_epoch);
/* What an error in a Fetch or OffsetForLeaderEpoch answer asks for: fresh
 * metadata then a retry (our epoch is stale, or the leader moved), a retry
 * after a backoff only (the leader is behind us), going on without the
 * check (validation only: the broker has no OffsetForLeaderEpoch v3+), or
 * stopping the partition. */
enum kfk_epoch_on_err { KFK_EPOCH_REFRESH, KFK_EPOCH_WAIT, KFK_EPOCH_SKIP, KFK_EPOCH_STOP };
enum kfk_epoch_on_err kfk_epoch_on_err(int err);
/* What the end of the position's epoch on the leader (end_epoch,
 * end_offset: -1 when the leader has no such epoch) says about position:
 * fine; truncated, go on from *to (the first offset known to diverge, of
 * epoch *to_epoch); truncated where unknown, apply auto.offset.reset; or
 * truncated with auto.offset.reset none: stop (*to says where). */
enum kfk_trunc { KFK_TRUNC_NONE, KFK_TRUNC_SEEK, KFK_TRUNC_RESET, KFK_TRUNC_STOP };
enum kfk_trunc kfk_trunc_check(int32_t end_epoch, int64_t end_offset, int64_t position,
                               int has_reset, int64_t *to, int32_t *to_epoch);
/* Fills the epochs of the partitions a Fetch lists from parts (sorted as
 * the request is, a superset of it): current_leader_epoch from fetch_epoch,
 * last_fetched_epoch from pos_epoch. */
void kfk_fetch_set_epochs(kfk_fetch_request *m, kfk_cpart *const *parts, int n);

/* Which partitions go in one OffsetForLeaderEpoch to node: all waiting to
 * be validated with that leader (VALIDATE, val_leader == node, none in
 * flight), into out (NULL: just count), or none (0) unless one of them is
 * done backing off: the others, there for the same leader change, go
 * with it rather than one by one after their own jittered backoffs. */
int kfk_epoch_batch(kfk_cpart *const *parts, int n, int32_t node, int64_t now, kfk_cpart **out);
/* Fills m (replica id, topics) with parts, sorted by topic as io_parts is:
 * each asks where its pos_epoch ends under the leader epoch val_sent.
 * Arrays go in a, topic names point into the parts. 0 or KFK_ERR_NOMEM. */
int kfk_epoch_request_fill(kfk_offset_for_leader_epoch_request *m, kfk_cpart *const *parts,
                           int n, kfk_arena *a);
/* p's entry in an OffsetForLeaderEpoch answer; NULL when missing. */
const kfk_offset_for_leader_epoch_response_epoch_end_offset *
kfk_epoch_answer(const kfk_offset_for_leader_epoch_response *m, const kfk_cpart *p);

/* validate.c: I/O thread. Moves an ACTIVE partition whose leader's epoch
 * (from md) changed to VALIDATE and marks it (val_leader) for the next
 * OffsetForLeaderEpoch to its leader, again after a backoff; else sets
 * p->fetch_epoch for the next Fetch. */
void kfk_validate(kfk_consumer *c, kfk_metadata *md, kfk_cpart *p, int64_t now);
/* Sends the marked partitions' checks: one request per leader. */
void kfk_validate_send(kfk_consumer *c, int64_t now);
/* A Fetch answered with a diverging epoch for p (v12+). */
void kfk_validate_diverged(kfk_consumer *c, kfk_cpart *p, int32_t end_epoch, int64_t end_offset);
/* Any thread. */
void kfk_consumer_epoch_stats(kfk_consumer *c, kfk_epoch_stats *out);

/* fetch_hold.c (pure): whether a broker's Fetch goes now. A partition held
 * back only by the prefetch bound would miss its broker's next Fetch and
 * then wait for it: up to fetch.max.wait.ms when the others are idle. So
 * the others wait for it instead, but no longer than that: until it is
 * fetchable again, or fetch.max.wait.ms after it was held back (or after
 * the last Fetch that went without it), unless one of them has records
 * waiting (the broker answers at once). */
enum kfk_fetch_role { KFK_FETCH_SKIP, KFK_FETCH_READY, KFK_FETCH_HELD };
enum kfk_fetch_role kfk_fetch_role(const kfk_cpart *p, int64_t now);

/* One broker's partitions, as kfk_fetch_role sorted them. */
typedef struct kfk_fetch_look {
    int ready;          /* READY partitions */
    int backlog;        /* one of them has records waiting */
    int64_t held_since; /* the earliest of the HELD ones; 0: none */
} kfk_fetch_look;
/* When the broker's Fetch may go: <= now at once; INT64_MAX nothing to send. */
int64_t kfk_fetch_go_at(const kfk_fetch_look *l, int64_t max_wait_ms, int64_t now);

/* done.c (pure): how marking the message at offset done moves the done
 * offset stored (committed: the group's, used while nothing is stored;
 * both KFK_OFFSET_INVALID when unknown). polled_after is where the record
 * polled before it ended (or where the partition started: polled_end),
 * whatever markers or aborted batches lie between. NEXT: it follows on;
 * SKIP: a message polled after the done offset is not done; BACK: below the
 * done offset; AGAIN: the message that ends it. */
enum kfk_done_move { KFK_DONE_NEXT, KFK_DONE_SKIP, KFK_DONE_BACK, KFK_DONE_AGAIN };
enum kfk_done_move kfk_done_move(int64_t stored, int64_t committed, int64_t offset,
                                 int64_t polled_after);

/* absent.c (pure): the error to report for an assigned partition that
 * metadata does not show, or 0. t is its topic in the snapshot md_ms
 * (NULL: no answer about it yet); since is when the consumer first looked
 * for it. A topic or partition missing is reported only from an answer
 * given propagation_ms after since (a new topic takes time to reach every
 * broker); an invalid topic name at once. */
int kfk_absent_err(const kfk_md_topic *t, int32_t partition, int64_t md_ms, int64_t since,
                   int32_t propagation_ms);

/* read_replica.c (pure): why p's preferred read replica no longer holds
 * (metadata.max.age.ms passed since the leader named it, the leader epoch
 * in metadata is another, the node is not in metadata: known 0); NULL
 * while it holds or p has none. */
const char *kfk_replica_lapse(const kfk_cpart *p, int32_t leader_epoch, int known, int64_t now);
/* 1 while p's last read replica is not to be asked again (it could not be
 * reached): Fetches to p's leader then go without client.rack. */
int kfk_replica_banned(const kfk_cpart *p, int64_t now);

/* plist.c: sets metadata from len bytes at s (len < 0: none). */
int kfk_partition_set_metadata_n(kfk_partition *p, const char *s, int32_t len);

/* commit.c */
void kfk_autocommit_timer(kfk_timer *t, int64_t now); /* I/O thread */
void kfk_autocommit_task(kfk_io *io, kfk_task *t, int err);
/* Counts n messages for auto.commit.interval.messages; under c->lock. 1 when
 * a commit is due: then call kfk_autocommit_post without the lock. */
int kfk_autocommit_count(kfk_consumer *c, int64_t n);
void kfk_autocommit_post(kfk_consumer *c);
/* Builds the list of stored offsets that changed since their last commit
 * (all stored ones when all); under c->lock. NULL when none or no memory. */
kfk_partition_list *kfk_stored_offsets(kfk_consumer *c, int all);
/* Frees an async commit's event after running the commit callback. */
void kfk_commit_event_run(kfk_consumer *c, kfk_consumer_message *ev);
void kfk_commit_event_free(kfk_consumer_message *ev);

/* cstats.c: the consumer's part of a statistics snapshot (I/O thread),
 * and the poll's wake-up. */
/* I/O thread, cstats.c: a rebalance begins (classic: its first JoinGroup;
 * KIP-848: a new assignment to reconcile), unless one is under way; it is
 * done (classic: SyncGroup answered; KIP-848: the application ran its
 * events), one sample of rebalance_latency. Done takes c->lock. Leaving
 * the group clears rebalance_start_us. */
void kfk_cstats_rebalance_start(struct kfk_consumer *c);
void kfk_cstats_rebalance_done(struct kfk_consumer *c);
void kfk_cstats_fill(void *consumer, kfk_stats *s, kfk_arena *a);
void kfk_cstats_wake(void *consumer);

#endif
