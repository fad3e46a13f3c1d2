/* OffsetFetch and OffsetCommit for a partition list, sent to the group's
 * coordinator (coord.h). A commit carries the member's generation and id
 * when subscribed (filled when sent, on the I/O thread), else generation -1
 * and an empty member id, as the Java client's assign() + commitSync() does.
 * Results go into the list's elements (offset, metadata, err). An op ends
 * on the I/O thread, where it runs `then` (async), or wakes the thread
 * waiting in kfk_offsets_op_wait (sync). */
#ifndef KFK_CONSUMER_OFFSETS_OP_H
#define KFK_CONSUMER_OFFSETS_OP_H

#include <pthread.h>

#include "consumer/consumer_int.h"

typedef struct kfk_offsets_op kfk_offsets_op;
struct kfk_offsets_op {
    kfk_consumer_message ev; /* an async commit's result, queued for poll */
    kfk_cop cop;
    kfk_task task;
    kfk_consumer *c;
    int commit;      /* OffsetCommit, else OffsetFetch */
    int auto_commit; /* started by auto-commit */
    kfk_arena arena;
    kfk_offset_fetch_request fetch;
    kfk_offset_commit_request commit_msg;
    kfk_partition_list *list; /* owned */
    int err;
    /* resolving stored offsets: the list's partitions and their gens */
    kfk_cpart **parts;
    uint32_t *gens;
    void (*then)(kfk_offsets_op *op); /* I/O thread; NULL: sync */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int done;
};

/* Takes list. The op ends within timeout_ms; each request to the
 * coordinator waits at most request.timeout.ms, and one that times out
 * with time left goes again to the coordinator found anew.
 * NULL when out of memory (list is then destroyed). */
kfk_offsets_op *kfk_offsets_op_new(kfk_consumer *c, kfk_partition_list *list, int commit,
                                   int32_t timeout_ms);
void kfk_offsets_op_free(kfk_offsets_op *op);
/* I/O thread: sends op. */
void kfk_offsets_op_submit(kfk_offsets_op *op);
/* Any other thread: sends op (then NULL) and waits for its end. */
int kfk_offsets_op_wait(kfk_offsets_op *op);
/* Any thread: sends an async op (then set). */
void kfk_offsets_op_post(kfk_offsets_op *op);

#endif
