/* The record accumulator: per-partition queues of batches that user threads
 * append to and the sender (I/O thread) drains. Sans-IO: it knows no
 * sockets and no clock (callers pass the time), so tests drive it directly.
 *
 * Locking: one mutex guards everything here (topics, partitions, batches,
 * memory accounting); a send takes it once per message, the sender once
 * per drain or response. Records are copied into the open batch of their
 * partition (the one copy), with no allocation once pooled batches have
 * grown; a large value handed over (ref_min) is referenced instead, and
 * freed after its batch is done, outside the lock. A partition's queue holds batches not on the wire, oldest (and
 * lowest sequence) first; its tail may be the open batch.
 *
 * Batch life: open (appends) -> closed in queue (full, or a newer batch
 * started) -> drained (in flight) -> requeued for a retry, or completed:
 * its record buffer goes back to the buffer pool at once (memory and the
 * message count are released then, so a thread blocked in send never waits
 * for its own poll), the rest (opaques, timestamps, outcome) is reported
 * and returns to the batch pool after the callbacks. */
#ifndef KFK_ACCUMULATOR_H
#define KFK_ACCUMULATOR_H

#include <pthread.h>
#include <stdint.h>

#include "client/metadata.h"
#include "kfk.h"
#include "net/conn_stats.h"
#include "net/list.h"
#include "producer/partitioner.h"
#include "records/batch.h"

typedef struct kfk_ptopic kfk_ptopic;
typedef struct kfk_ppart kfk_ppart;

typedef struct kfk_pbatch {
    kfk_list link; /* partition queue, request, report queue or pool */
    kfk_ppart *part;
    kfk_wbuf buf;
    kfk_batch_builder bb;
    kfk_batch_refs refs; /* values handed over, sent from the caller's buffers */
    void **opaques;      /* per message */
    int64_t *timestamps; /* per message */
    int32_t cap;         /* of the two arrays */
    int64_t mem;         /* bytes charged to buffer.memory */
    uint32_t gen;        /* the partition's batch number, for the sticky partitioner */
    int64_t created;     /* monotonic ms of the first record */
    int64_t deadline;    /* created + delivery.timeout.ms */
    int64_t retry_at;    /* not before this, after a failure */
    int32_t base_seq;    /* -1 until first drained by an idempotent producer */
    int64_t first_msgid; /* its first record's number in the partition (from 1) */
    int64_t pid;
    int16_t epoch;
    int attempts; /* times drained */
    int32_t node; /* where it went last */
    int32_t node_epoch; /* the partition's leader epoch then, -1 unknown */
    int32_t hint_leader, hint_epoch; /* the leader a NOT_LEADER answer named
                                        (KIP-951), -1 none */
    int finished; /* header written (and compressed) */
    int in_flight; /* drained, no outcome yet */
    int purged;   /* report KFK_ERR_PURGED whatever the response says */
    /* outcome */
    int err;
    int64_t base_offset;
    int64_t append_time; /* the broker's log append time, or -1 */
    char errstr[128];
} kfk_pbatch;

struct kfk_ppart {
    kfk_ptopic *topic;
    int32_t id;
    int32_t leader; /* -1 unknown */
    int32_t leader_epoch; /* its epoch, -1 unknown */
    int hinted; /* leader from a Produce answer (KIP-951), newer than metadata's */
    kfk_list queue;
    int32_t queued; /* batches in queue (adaptive partitioning's load) */
    kfk_pbatch *open;
    uint32_t gen; /* batches started */
    int in_flight;
    int32_t next_seq;   /* sequence of the next batch drained */
    int32_t acked_next; /* sequence after the last acknowledged batch */
    int acked;          /* a batch was acknowledged in this epoch */
    int txn;            /* enum kfk_ptxn: in the open transaction? */
    int64_t tx_msgs, tx_bytes; /* written; under the lock, for statistics */
    int64_t msgs;        /* records accepted, numbering them (statistics) */
    int64_t acked_msgid; /* the highest record number acknowledged */
    int32_t err_next;    /* sequence after the last failed batch of this epoch */
    int64_t retry_msgs, err_msgs; /* records of batches retried, failed for good */
};

/* A partition's place in the open transaction. */
enum kfk_ptxn {
    KFK_PTXN_NONE,
    KFK_PTXN_PENDING, /* sent to, AddPartitionsToTxn not yet asked */
    KFK_PTXN_ADDING,  /* AddPartitionsToTxn in flight */
    KFK_PTXN_ADDED,   /* its batches may go */
};

struct kfk_ptopic {
    char *name;
    size_t name_len;
    uint32_t name_hash;
    kfk_uuid id;      /* from metadata; a new one means re-created */
    int32_t npart;    /* from metadata; -1 unknown */
    int16_t err;      /* the topic's metadata error, 0 if none */
    kfk_ppart **parts; /* nalloc of them, pointers stable */
    int32_t nalloc;
    int32_t *avail; /* partitions with a leader */
    int32_t navail;
    int32_t sticky; /* keyless records go here; -1 none */
    uint32_t sticky_gen;
    kfk_load load;  /* where the sticky partition goes next (KIP-794) */
    int md_wanted; /* asked the core to keep it fresh */
    int32_t drain_from; /* the drain starts here: the first partition the
                           last one had no room for */
    int64_t created_us;          /* statistics' age */
    kfk_win batchsize, batchcnt; /* I/O thread: each batch's bytes and records,
                                    at its first send */
};

enum kfk_partitioner { KFK_PART_MURMUR2_RANDOM, KFK_PART_MURMUR2, KFK_PART_RANDOM };

typedef struct kfk_accum_conf {
    int32_t batch_size;
    int32_t linger_ms;
    int32_t delivery_timeout_ms;
    int64_t buffer_memory;
    int32_t max_messages;     /* not completed at once; 0: no limit */
    int32_t max_request_size; /* a record alone in a batch must fit */
    int32_t ref_min; /* values handed over of this many bytes or more are
                        referenced, not copied (0: never; the batches are
                        compressed) */
    int partitioner; /* enum kfk_partitioner */
    int ignore_keys; /* partitioner.ignore.keys: keyed records go as keyless */
    int adaptive;    /* partitioner.adaptive.partitioning.enable */
    int32_t availability_timeout_ms; /* 0: no leader is left out */
    kfk_partitioner_cb custom;
    void *custom_opaque;
    /* Called with the lock held when the sender should look again (a new
     * batch, a full one, memory pressure): must not take the lock. */
    void (*wake)(void *opaque);
    void *wake_opaque;
} kfk_accum_conf;

typedef struct kfk_accum {
    kfk_accum_conf conf;
    pthread_mutex_t lock;
    pthread_cond_t space; /* memory was released, or closing */
    kfk_ptopic **topics;  /* in creation order */
    int32_t ntopics, captopics;
    kfk_ptopic **slots; /* open-addressing hash by name */
    uint32_t nslots;
    int32_t drain_topic; /* the drain starts with this topic (see drain_from) */
    kfk_ptopic *last; /* the last topic found: most senders stick to one */
    int64_t mem_used, mem_peak;
    int64_t pending;  /* messages in batches not completed */
    kfk_list pool;    /* batch structs, without record buffers */
    int32_t npool;
    void *bufs;       /* free record buffers, linked through their first bytes */
    int64_t bufs_bytes;
    uint64_t rng;
    kfk_node_lats lats; /* per leader: last ready and drained (sender) */
    int flushing;     /* every batch is ready */
    int mem_waiters;  /* sends blocked on memory: every batch is ready */
    int closing;      /* sends fail with KFK_ERR_DESTROYED */
    int fatal;        /* sends fail with KFK_ERR_FATAL */
    int64_t queued;   /* messages in batches not completed */
    /* transactions */
    int txn_mode;     /* transactional: partitions join the transaction */
    int txn_v2;       /* KIP-890: a Produce request adds its partitions */
    int txn_refuse;   /* 0, or what sends return (no open transaction) */
    int txn_halt;     /* drain nothing (the transaction is neither open nor
                         committing) */
    int txn_sent;     /* a batch of the open transaction was drained */
    kfk_ppart **txn_parts; /* in the open transaction, in order joined */
    int32_t ntxn, captxn;
    int64_t held;     /* messages done, reports held until the transaction ends */
} kfk_accum;

/* A message as the accumulator takes it. */
typedef struct kfk_accum_msg {
    const char *topic;
    int32_t partition; /* or KFK_PARTITION_ANY */
    kfk_bytes key, value; /* {NULL, -1}: null */
    const kfk_record_header *headers;
    size_t header_count;
    int64_t timestamp;
    void *opaque;
    int give_value; /* the caller hands value over (KFK_SEND_FREE) */
} kfk_accum_msg;

/* Whether a successful append of m takes its value over (frees it with
 * kfk_free once the batch is done); else the value was copied. */
static inline int kfk_accum_takes(const kfk_accum *a, const kfk_accum_msg *m) {
    return m->give_value && a->conf.ref_min > 0 && m->value.len >= a->conf.ref_min;
}

int kfk_accum_init(kfk_accum *a, const kfk_accum_conf *conf);
/* Frees every batch, queued or pooled; nothing may be in flight. */
void kfk_accum_free(kfk_accum *a);

/* The clock of kfk_accum_append: read only when a batch starts or a send
 * waits, not per message. */
#define KFK_ACCUM_CLOCK (-1)

/* Appends m. now is monotonic ms, or KFK_ACCUM_CLOCK to read the clock
 * when needed; a full buffer waits up to max_wait_ms (0: not at all).
 * Returns 0, KFK_ERR_NOENT (the partition count is needed and not known
 * yet: call set_partitions and try again), or the errors of
 * kfk_producer_send. *partition gets the partition chosen. */
int kfk_accum_append(kfk_accum *a, const kfk_accum_msg *m, int64_t now, int32_t max_wait_ms,
                     int32_t *partition);

/* Brings topics' partition counts and leaders up to date. Sender. A
 * leader a Produce answer named stays until metadata has one as new (or
 * the topic has a new id). */
void kfk_accum_sync_metadata(kfk_accum *a, const kfk_metadata *md);
/* Sets one topic's partition count (from a metadata snapshot the sending
 * thread waited for). */
void kfk_accum_set_partitions(kfk_accum *a, const kfk_metadata *md, const char *topic);
/* Names of topics the core was not yet asked to keep fresh (at most max;
 * they stay valid until kfk_accum_free), marked as asked. Sender. */
int kfk_accum_new_topics(kfk_accum *a, const char **out, int max);

/* What the drain may take. */
typedef struct kfk_drain_args {
    int64_t now;
    int idempotent;
    int64_t pid;
    int16_t epoch;
    int halt; /* no producer id yet, or an epoch bump pending: drain nothing */
    int txn;  /* transactional: only partitions added to the transaction */
    /* 1 if a batch of `bytes` may go to node in this round (and counts it) */
    int (*room)(void *ctx, int32_t node, size_t bytes);
    void *ctx;
} kfk_drain_args;

typedef struct kfk_drain_out {
    kfk_list ready;   /* drained batches, node set */
    kfk_list failed;  /* expired or impossible batches, err set */
    int64_t next;     /* when a not-ready batch becomes ready or expires */
    int need_md;      /* a queued batch's partition lacks a leader */
    int need_bump;    /* a failed batch had a sequence: epoch bump needed */
} kfk_drain_out;

/* Takes at most one ready batch per partition (with the lock). Sender.
 * Starts with the topic and partition the last drain had no room for. */
void kfk_accum_drain(kfk_accum *a, const kfk_drain_args *args, kfk_drain_out *out);

/* The lock must be held for these. */
/* Puts a batch that will be sent again back in its queue, in sequence order. */
void kfk_accum_requeue_locked(kfk_accum *a, kfk_pbatch *b, int64_t retry_at);
/* Splits a drained batch the broker found too large into two halves,
 * queued for a retry in its place (sequences shared between them); the
 * batch itself goes back to the pool unreported. 0, or an error (the batch
 * is untouched: fail it). */
int kfk_accum_split_locked(kfk_accum *a, kfk_pbatch *b, int64_t retry_at);
/* A batch is done (sent or not): releases its in-flight slot, its memory
 * and its record buffer; what the report needs stays, and so do the values
 * it took over, for kfk_accum_release_values. */
void kfk_accum_done_locked(kfk_accum *a, kfk_pbatch *b);
/* A Produce answer (KIP-951) named pp's current leader: moves pp there at
 * once unless its epoch is not newer than the one known. 1 if pp's leader
 * is now that one (moved now or before). */
int kfk_accum_leader_hint_locked(kfk_accum *a, kfk_ppart *pp, int32_t leader, int32_t epoch);
/* After an epoch bump: sequences restart at 0, queued batches get new ones. */
void kfk_accum_reset_sequences_locked(kfk_accum *a);
/* The open transaction ended: no partition is in one. */
void kfk_accum_txn_reset_locked(kfk_accum *a);
/* Moves every queued (not in flight) batch to out, err set. */
void kfk_accum_take_queued_locked(kfk_accum *a, kfk_list *out, int err, const char *why);

/* Frees the values that done batches (a list) took over. Without the lock
 * (a large value's free is a munmap), by the thread that owns the batches,
 * before they are reported. */
void kfk_accum_release_values(kfk_list *batches);

/* Returns reported batches (a list) to the pool and counts their
 * messages as no longer queued. Any thread. */
void kfk_accum_recycle(kfk_accum *a, kfk_list *batches);

/* Writes the batch's header (compressing the records) the first time; later
 * only the producer id, epoch and sequence, which an epoch bump changes.
 * No lock: a drained batch is the sender's. */
int kfk_accum_finish(kfk_pbatch *b, const kfk_batch_opts *opts, kfk_wbuf *scratch);

#endif
