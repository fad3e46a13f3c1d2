/* Requests to a coordinator, on the I/O thread: a group's (OffsetCommit,
 * OffsetFetch, the group protocols, a transaction's offsets) or a
 * transactional id's (the transaction requests). The coordinator is found with
 * FindCoordinator and found again when a request says NOT_COORDINATOR or
 * COORDINATOR_NOT_AVAILABLE, its connection fails or it times out (after
 * the op's request_timeout_ms); those requests, and
 * COORDINATOR_LOAD_IN_PROGRESS ones, are retried after retry.backoff.ms
 * doubling up to retry.backoff.max.ms (+-20%) until their deadline.
 *
 *   UNKNOWN --FindCoordinator--> LOOKING --ok--> KNOWN(node)
 *      ^                            | error: back off   |
 *      +----------------------------+-------------------+ NOT_COORDINATOR,
 *                                                         transport error */
#ifndef KFK_CLIENT_COORD_H
#define KFK_CLIENT_COORD_H

#include "client/core.h"

typedef struct kfk_cop kfk_cop;
struct kfk_cop {
    kfk_core_req r; /* the owner fills r.req's api_key, versions and msg */
    /* Decodes a response: 0 (done), a coordinator error (retried), or
     * another error (done; KFK_ERR_MALFORMED also closes the connection). */
    int (*on_response)(kfk_cop *op, kfk_response *resp);
    /* The end, with 0 or the error. The op is the owner's again. */
    void (*on_done)(kfk_cop *op, int err);
    int64_t deadline; /* kfk_io_now() based */
    /* Bounds each request (0: only the deadline): one that times out with
     * time left forgets the coordinator, which may be the stalled broker,
     * and is sent again to the one found next. */
    int32_t request_timeout_ms;

    /* private */
    kfk_list link;
    struct kfk_coord *co;
};

enum { KFK_COORD_GROUP = 0, KFK_COORD_TRANSACTION = 1 };

typedef struct kfk_coord {
    kfk_core *core;
    kfk_io *io;
    kfk_str group; /* the key: a group id or a transactional id */
    int8_t key_type; /* KFK_COORD_GROUP or KFK_COORD_TRANSACTION */
    int32_t backoff_ms, backoff_max_ms;
    int32_t node; /* -1: unknown */
    int looking, attempts, timer_added;
    int64_t state_us; /* kfk_clock_us() when node >= 0 or looking last changed
                         (statistics' cgrp stateage); 0 before any */
    int64_t retry_at;
    kfk_list waiting;
    kfk_timer timer;
    kfk_core_req find_req;
    kfk_find_coordinator_request find_msg;
} kfk_coord;

/* A group's coordinator; group must outlive co. Any thread, before use. */
void kfk_coord_init(kfk_coord *co, kfk_core *core, kfk_io *io, const char *group,
                    int32_t backoff_ms, int32_t backoff_max_ms);
/* The same, for a key of another type (KFK_COORD_TRANSACTION). */
void kfk_coord_init_type(kfk_coord *co, kfk_core *core, kfk_io *io, const char *key,
                         int8_t key_type, int32_t backoff_ms, int32_t backoff_max_ms);
/* I/O thread: sends op once the coordinator is known. */
void kfk_coord_submit(kfk_coord *co, kfk_cop *op);
/* I/O thread: the coordinator is looked up again before the next send. */
void kfk_coord_forget(kfk_coord *co);
/* After the I/O thread is gone: fails every waiting op with err. */
void kfk_coord_fail_all(kfk_coord *co, int err);

/* 1 for the errors that send a request to the coordinator again. */
int kfk_coord_retriable(int err);

#endif
