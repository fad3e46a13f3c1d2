/* The admin client's insides.
 *
 * An operation (kfk_aop) is built on the caller's thread (arguments copied
 * into its arena, the result allocated), then handed to the I/O thread,
 * where `start` sends its requests (kfk_asub). Each sub is one request to
 * one destination: any broker, a node, a partition's leader, or a group's
 * coordinator (through consumer/coord.h). A sub's response handler fills
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
#include <string.h>

#include "client/core.h"
#include "consumer/coord.h"
#include "kfk.h"

typedef struct kfk_aop kfk_aop;
typedef struct kfk_asub kfk_asub;

struct kfk_admin {
    kfk_conf *conf;
    kfk_core *core;
    kfk_io *io;
    int32_t timeout_ms, backoff_ms, backoff_max_ms;
    pthread_mutex_t lock; /* ops and closing */
    kfk_list ops;         /* operations posted and not delivered */
    int closing;
    int io_gone; /* the I/O thread has exited (destroy) */
    kfk_list coords; /* group coordinators (kfk_acoord), I/O thread only */
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
/* Sends to group's coordinator; fill s->cop.r.req first. */
void kfk_asub_send_group(kfk_asub *s, const char *group);

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

/* I/O thread: a ListOffsets sub (not sent) for one partition at a wire
 * timestamp (-2 earliest, -1 latest, -3 max timestamp, else a time), to
 * its leader; topic must outlive the sub. NULL when out of memory. */
kfk_asub *kfk_admin_offset_sub(kfk_aop *op, const char *topic, int32_t partition,
                               int64_t timestamp, int (*on_response)(kfk_asub *, kfk_response *),
                               void (*on_error)(kfk_asub *, int, const char *));
/* Its response: the partition's error, or 0 and what it found. */
int kfk_admin_offset_decode(kfk_response *resp, int64_t *offset, int64_t *timestamp,
                            int32_t *leader_epoch);

/* ----------------------------------------------------------------- helpers */

static inline kfk_str kfk_astr(const char *s) {
    return s ? (kfk_str){s, (int32_t)strlen(s)} : (kfk_str){NULL, -1};
}
/* An arena copy of s (NULL stays NULL); *ok cleared when out of memory. */
const char *kfk_aop_strdup(kfk_aop *op, const char *s, int *ok);
/* 1 for the errors that resend a request to another (or the same) broker. */
int kfk_admin_retriable(int err);
/* Copies l into r->partitions, each err cleared: 0 or KFK_ERR_NOMEM. */
int kfk_ares_copy_list(kfk_admin_result *r, const kfk_partition_list *l);

#endif
