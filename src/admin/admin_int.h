/* The admin client's insides.
 *
 * An operation (kfk_aop) is built on the caller's thread (arguments copied
 * into its arena, the result allocated), then handed to the I/O thread,
 * where `start` sends its requests (kfk_asub). Each sub is one request to
 * one destination: any broker, a node, a partition's leader, or a group's
 * coordinator (through client/coord.h). A sub's response handler fills
 * the result and may start more subs (ListGroups after the broker list,
 * ListOffsets after OffsetFetch for lag). The operation completes when its
 * last sub is done:
 *
 *   caller --post--> start (I/O) --> subs in flight --retriable error-->
 *       backoff list --timer--> resent ... --last sub done--> deliver:
 *       cb(result) on the I/O thread, or wake the waiting caller
 *
 * Everything after the post belongs to the I/O thread, except at destroy:
 * once the I/O thread is gone, ops still waiting (in backoff or for a
 * coordinator) are finished with KFK_ERR_DESTROYED on the destroying
 * thread. */
#ifndef KFK_ADMIN_INT_H
#define KFK_ADMIN_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include "client/core.h"
#include "client/stats.h"
#include "client/coord.h"
#include "kfk.h"
#include "net/wake.h"

typedef struct kfk_aop kfk_aop;
typedef struct kfk_asub kfk_asub;

struct kfk_admin {
    kfk_conf *conf;
    kfk_core *core;
    kfk_io *io;
    const struct kfk_log *log;  /* the core's (core/log.h) */
    int32_t timeout_ms;         /* an operation's default: default.api.timeout.ms */
    int32_t request_timeout_ms; /* each request's longest: request.timeout.ms */
    int32_t backoff_ms, backoff_max_ms;
    pthread_mutex_t lock; /* ops and closing */
    kfk_list ops;         /* operations posted and not delivered */
    int closing;
    int io_gone; /* the I/O thread has exited (destroy) */
    kfk_list coords; /* group coordinators (kfk_acoord), I/O thread only */
    atomic_long leader_requests; /* sent by kfk_aparts_send, for tests */
    atomic_int brokers_known;    /* kfk_admin_metadata waited for the cluster once */
    kfk_statsd statsd; /* statistics.interval.ms: the callback runs on the I/O thread */
    /* kfk_admin_fd's queued delivery (results.c) */
    atomic_int queued;        /* on: callbacks run in kfk_admin_poll */
    kfk_list done;            /* under lock: operations delivered, not polled */
    pthread_cond_t done_cond; /* done got one */
    kfk_wake evfd;            /* readable while done holds any */
};

struct kfk_asub {
    kfk_core_req r; /* the request, for non-group subs */
    kfk_cop cop;    /* the request, for group subs (group != NULL) */
    kfk_aop *op;
    const char *group;
    /* Reads a response: 0 (done), a retriable error (sent again after a
     * backoff), or another error (done: on_error gets it). */
    int (*on_response)(kfk_asub *s, kfk_response *resp);
    /* Records a final error (NULL: it becomes the operation's). */
    void (*on_error)(kfk_asub *s, int err, const char *errstr);
    /* NULL: after a backoff the same request is sent again. Otherwise run
     * instead: 0 when s is done, or a retriable error to run it again after
     * the next backoff (past the deadline, on_error gets that error). */
    int (*resend)(kfk_asub *s);
    /* NULL, or called before a retriable error is retried (or, past the
     * deadline, becomes final): a request that failed as a whole. */
    void (*on_retry)(kfk_asub *s, int err);
    int any;       /* first sent to any broker: after a timeout, another one */
    int index;     /* which item the sub serves */
    void *ctx;     /* the sub's own data */
    int attempts;
    int64_t retry_at;
    kfk_list link; /* in the op's backoff list */
};

struct kfk_aop {
    kfk_admin *admin;
    kfk_admin_result *res;
    kfk_admin_cb cb;
    void *opaque;
    int64_t deadline; /* kfk_io_clock() based */
    int validate_only;
    kfk_arena arena; /* requests and copied arguments */
    void (*start)(kfk_aop *op);
    void (*finish)(kfk_aop *op); /* NULL, or last touches before delivery */
    void *ctx; /* the operation's own data, in the arena */
    int pending; /* subs not done */
    kfk_task task;
    kfk_timer timer;
    int timer_added;
    kfk_list backoff; /* subs waiting to be resent */
    kfk_list link;    /* in admin->ops */
    /* the synchronous form waits here */
    int sync, delivered;
    pthread_mutex_t lock;
    pthread_cond_t cond;
};

/* ------------------------------------------------------------ operations */

/* A new operation and its empty result, or NULL when out of memory. */
kfk_aop *kfk_aop_new(kfk_admin *a, const kfk_admin_options *o, kfk_admin_cb cb, void *opaque,
                     void (*start)(kfk_aop *op));
/* Hands op to the I/O thread; with no cb waits and returns the result. */
kfk_admin_result *kfk_aop_run(kfk_aop *op);
/* Ends op at once with err (setup failed on the caller's thread). */
kfk_admin_result *kfk_aop_fail(kfk_aop *op, int err, const char *errstr);
/* The sync form's answer when not even the operation could be made. */
kfk_admin_result *kfk_aop_nomem(kfk_admin_cb cb, void *opaque);

/* I/O thread: a sub (zeroed, in the op's arena) and its sending. */
kfk_asub *kfk_asub_new(kfk_aop *op, int (*on_response)(kfk_asub *, kfk_response *),
                       void (*on_error)(kfk_asub *, int, const char *));
/* Fill s->r.req (api_key, versions, msg) and s->r.dest first. */
void kfk_asub_send(kfk_asub *s);
/* Runs s->resend now (or sends s) and acts on its answer, as a backoff's
 * end does. */
void kfk_asub_resend(kfk_asub *s);
/* Sends to group's coordinator; fill s->cop.r.req first. */
void kfk_asub_send_group(kfk_asub *s, const char *group);
/* One sub per group: msgs[i] (of msg_size bytes each) to the coordinator
 * of groups[i], with s->index = i, for i < n. */
void kfk_asub_send_per_group(kfk_aop *op, int n, const char *const *groups, int16_t api_key,
                             void *msgs, size_t msg_size,
                             int (*on_response)(kfk_asub *, kfk_response *),
                             void (*on_error)(kfk_asub *, int, const char *));
/* The group's coordinator moved or is loading: look it up and try again. */
int kfk_admin_coordinator_error(int err);

/* Queues a finished asynchronous op for kfk_admin_poll: 1, or 0 when
 * results are not queued (kfk_admin_fd was never called). Any thread. */
int kfk_aresq_push(kfk_admin *a, kfk_aop *op);
/* Frees op and gives its result to its callback. */
void kfk_aop_hand_over(kfk_aop *op);

/* Destroy, after the I/O thread is gone: delivers every operation left. */
void kfk_admin_fail_all(kfk_admin *a);

/* I/O thread: sets the operation's error (the first one wins). */
void kfk_aop_error(kfk_aop *op, int err, const char *errstr);

/* ---------------------------------------------------------------- results */

/* Result memory, freed with the result. NULL when out of memory. */
void *kfk_ares_alloc(kfk_admin_result *r, size_t count, size_t size);
/* A NUL-terminated copy (NULL for a null string or out of memory). */
const char *kfk_ares_str(kfk_admin_result *r, kfk_str s);
const char *kfk_ares_cstr(kfk_admin_result *r, const char *s);
/* Sets an item's error and message (the broker's, else kfk_err_str). */
void kfk_ares_item_err(kfk_admin_result *r, kfk_admin_item *it, int err, kfk_str msg);
/* PARTIAL if any of the n items failed and the operation did not. */
void kfk_ares_items_done(kfk_admin_result *r, const kfk_admin_item *items, int n);
kfk_admin_result *kfk_ares_new(void);
/* PARTIAL if a partition of r->partitions failed and the operation did not. */
void kfk_ares_list_done(kfk_admin_result *r);
/* r->items: n items named as names (NULL: ""), no error. 0 or NOMEM. */
int kfk_ares_items_new(kfk_admin_result *r, const char *const *names, int n);
/* The item called name, or NULL. */
kfk_admin_item *kfk_ares_find_item(kfk_admin_result *r, kfk_str name);

/* ------------------------------------- partition requests, one per leader */

/* Where a message keeps its topics and their partitions: a kfk_array of
 * topic entries at `topics`, each topic_size bytes with its kfk_str at
 * `name` and a kfk_array of part_size-byte partition entries at
 * `partitions`. */
typedef struct kfk_alayout {
    size_t topics, topic_size, name, partitions, part_size;
} kfk_alayout;
#define KFK_ALAYOUT(M, T, P, topics_member, parts_member)                                 \
    {offsetof(M, topics_member), sizeof(T), offsetof(T, name), offsetof(T, parts_member), \
     sizeof(P)}

/* One partition an operation asks its leader about. */
typedef struct kfk_apart {
    const char *topic; /* lives as long as the operation */
    int32_t partition;
    int index;   /* the caller's element */
    int64_t arg; /* what is asked: a ListOffsets wire timestamp, a DeleteRecords offset */
    /* leaders.c's own */
    int32_t leader;
    int dup; /* how many times it comes before, for the same leader */
    int err; /* the last retriable error it met */
    int state;
} kfk_apart;

/* A request that goes to partition leaders. */
typedef struct kfk_apart_api {
    int16_t api_key;
    /* The request for parts[0..n) (sorted by topic) in op's arena, and the
     * least version it needs; NULL when out of memory. */
    void *(*build)(kfk_aop *op, const kfk_apart *parts, int n, int16_t *min_version);
    /* The response, where it keeps its partitions, and in each of those the
     * int32 partition index and int16 error code. */
    const kfk_msg_desc *response_desc;
    kfk_alayout response;
    size_t index, error;
    /* A partition's final answer: err, or 0 and its entry in the response
     * (NULL when err did not come from one). */
    void (*done)(kfk_aop *op, int index, int err, const void *answer);
} kfk_apart_api;

/* Parts for l's elements (index i for elems[i]) in op's arena, sorted by
 * topic and partition; NULL when out of memory. */
kfk_apart *kfk_aparts_of_list(kfk_aop *op, const kfk_partition_list *l);
/* Fills msg's topic array (laid out as lay says) with parts[0..n), sorted
 * by topic, in op's arena. Returns the partition entries, zeroed, one per
 * part in parts' order; NULL when out of memory. */
void *kfk_aparts_topics(kfk_aop *op, const kfk_apart *parts, int n, void *msg,
                        const kfk_alayout *lay);
/* I/O thread: asks parts[0..n) (in op's arena) of their leaders, one
 * request per leader; leaderless partitions and retriable answers are
 * planned again after a metadata refresh, within op's deadline. Every part
 * ends in exactly one api->done. */
void kfk_aparts_send(kfk_aop *op, const kfk_apart_api *api, kfk_apart *parts, int n);
/* Tests: how many requests kfk_aparts_send has sent. Any thread. */
long kfk_admin_leader_requests(kfk_admin *a);

/* ListOffsets for records.c and group_offsets.c: the request (v7 for a
 * largest-timestamp lookup) and where its response keeps each partition. */
void *kfk_admin_list_offsets_build(kfk_aop *op, const kfk_apart *parts, int n,
                                   int16_t *min_version);
#define KFK_LIST_OFFSETS_API(done)                                                          \
    {KFK_API_LIST_OFFSETS, kfk_admin_list_offsets_build, &kfk_list_offsets_response_desc,  \
     KFK_ALAYOUT(kfk_list_offsets_response, kfk_list_offsets_response_topic_response,       \
                 kfk_list_offsets_response_partition_response, topics, partitions),         \
     offsetof(kfk_list_offsets_response_partition_response, partition_index),               \
     offsetof(kfk_list_offsets_response_partition_response, error_code), done}

/* ListGroups on every broker, only groups of type ("share"...; NULL:
 * every group, as kfk_admin_list_groups). */
kfk_admin_result *kfk_admin_list_groups_of(kfk_admin *a, const char *type,
                                           const kfk_admin_options *o, kfk_admin_cb cb,
                                           void *opaque);

/* ----------------------------------------------------------------- helpers */

/* An arena copy of s (NULL stays NULL); *ok cleared when out of memory. */
const char *kfk_aop_strdup(kfk_aop *op, const char *s, int *ok);
/* 1 for the errors that resend a request to another (or the same) broker. */
int kfk_admin_retriable(int err);

/* What becomes of a sub after its request (retry.c). */
enum {
    KFK_ASUB_DONE,      /* no error */
    KFK_ASUB_FAIL,      /* a final error */
    KFK_ASUB_AGAIN,     /* sent again after a backoff, within the deadline */
    KFK_ASUB_ELSEWHERE, /* the same, to a broker other than the one that timed out */
};
/* err: the request's error or its handler's; resp_err: the request's
 * alone (0 when a response came). Any thread: reads s only. */
int kfk_asub_next(const kfk_asub *s, int err, int resp_err);
/* A broker of md other than not_node, picked at random; -1 if none. */
int32_t kfk_admin_other_broker(const kfk_metadata *md, int32_t not_node, uint64_t *rng);
/* Copies l into r->partitions, each err cleared: 0 or KFK_ERR_NOMEM. */
int kfk_ares_copy_list(kfk_admin_result *r, const kfk_partition_list *l);

#endif
