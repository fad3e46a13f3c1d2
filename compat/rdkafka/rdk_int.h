/* The librdkafka layer's own types: what rdkafka.h's opaque handles are,
 * on top of kfk's public API. Shared by every file in compat/rdkafka. */
#ifndef KFK_RDK_INT_H
#define KFK_RDK_INT_H

#include <pthread.h>

#include "kfk.h"
#include "librdkafka/rdkafka.h"

/* ------------------------------------------------------ interceptors */

/* Each method's interceptors, called in the order added. The first four
 * are added to a conf; the others by on_new to the handle (kept in its
 * conf, as librdkafka keeps them in the handle's copy of it). */
enum {
    RDK_IC_CONF_SET,
    RDK_IC_CONF_DUP,
    RDK_IC_CONF_DESTROY,
    RDK_IC_NEW,
    RDK_IC_DESTROY,
    RDK_IC_SEND,
    RDK_IC_ACK,
    RDK_IC_CONSUME,
    RDK_IC_COMMIT,
    RDK_IC__CNT
};

typedef struct rdk_ic {
    struct rdk_ic *next;
    void (*fn)(void); /* the method's own type, cast back when called */
    void *opaque;
    char name[];
} rdk_ic;

/* A property an on_conf_set claimed (value NULL: unset). */
typedef struct rdk_ic_cfg {
    struct rdk_ic_cfg *next;
    char *name, *value;
} rdk_ic_cfg;

struct rdk_ics {
    rdk_ic *m[RDK_IC__CNT];
    rdk_ic_cfg *cfg;
};

/* ------------------------------------------------------------ conf.c */

/* A conf's librdkafka property values, by property (conf_props.h). */
typedef struct rdk_props rdk_props;

typedef int32_t (*rdk_partitioner_fn)(const rd_kafka_topic_t *rkt, const void *key,
                                      size_t keylen, int32_t partition_cnt, void *rkt_opaque,
                                      void *msg_opaque);

struct rd_kafka_topic_conf_s {
    rdk_props *props;
    rdk_partitioner_fn partitioner; /* set by the application; NULL: the property */
    void *opaque;
    int (*msg_order_cmp)(const rd_kafka_message_t *a, const rd_kafka_message_t *b);
};

struct rd_kafka_conf_s {
    rdk_props *props;
    rd_kafka_topic_conf_t *topic_conf; /* default topic conf, owned; NULL: none set */
    void *opaque;
    int enabled_events;
    void (*background_event_cb)(rd_kafka_t *rk, rd_kafka_event_t *rkev, void *opaque);
    void (*dr_cb)(rd_kafka_t *rk, void *payload, size_t len, rd_kafka_resp_err_t err,
                  void *opaque, void *msg_opaque);
    void (*dr_msg_cb)(rd_kafka_t *rk, const rd_kafka_message_t *rkmessage, void *opaque);
    void (*consume_cb)(rd_kafka_message_t *rkmessage, void *opaque);
    void (*rebalance_cb)(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *partitions, void *opaque);
    void (*offset_commit_cb)(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                             rd_kafka_topic_partition_list_t *offsets, void *opaque);
    void (*error_cb)(rd_kafka_t *rk, int err, const char *reason, void *opaque);
    void (*throttle_cb)(rd_kafka_t *rk, const char *broker_name, int32_t broker_id,
                        int throttle_time_ms, void *opaque);
    void (*log_cb)(const rd_kafka_t *rk, int level, const char *fac, const char *buf);
    int (*stats_cb)(rd_kafka_t *rk, char *json, size_t json_len, void *opaque);
    void (*oauthbearer_token_refresh_cb)(rd_kafka_t *rk, const char *oauthbearer_config,
                                         void *opaque);
    int sasl_queue; /* rd_kafka_conf_enable_sasl_queue */
    struct rdk_ics *ic; /* NULL: no interceptor */
    struct rdk_plugin *plugins; /* plugins.c: loaded by plugin.library.paths */
};

/* plugins.c. set: unloads conf's plugins, then loads each of paths
 * (';'-separated) and runs its conf_init; INVALID (none kept) with
 * librdkafka's error text when one fails. unload: dlclose them all. */
rd_kafka_conf_res_t rdk_plugins_set(rd_kafka_conf_t *conf, const char *paths, char *errstr,
                                    size_t errstr_size);
void rdk_plugins_unload(rd_kafka_conf_t *conf);

/* interceptors_conf.c. add: __CONFLICT for the same function and name
 * twice (on_conf_destroy excepted), __INVALID_ARG for NULLs. on_conf_set
 * (conf->ic set): the first answer other than UNKNOWN, the setting kept
 * when OK. on_conf_dup and copy_claimed (old_conf->ic set): a dup's
 * interceptor calls, before and after the properties are copied.
 * clear_handle drops the handle's methods (a failed rd_kafka_new);
 * conf_destroy calls on_conf_destroy and frees conf->ic. */
rd_kafka_resp_err_t rdk_ic_add(rd_kafka_conf_t *conf, int method, const char *ic_name,
                               void (*fn)(void), void *ic_opaque);
rd_kafka_conf_res_t rdk_ic_on_conf_set(rd_kafka_conf_t *conf, const char *name, const char *val,
                                       char *errstr, size_t errstr_size);
void rdk_ic_on_conf_dup(rd_kafka_conf_t *new_conf, const rd_kafka_conf_t *old_conf,
                        size_t filter_cnt, const char **filter);
void rdk_ic_copy_claimed(rd_kafka_conf_t *new_conf, const rd_kafka_conf_t *old_conf,
                         size_t filter_cnt, const char **filter);
void rdk_ic_clear_handle(rd_kafka_conf_t *conf);
void rdk_ic_conf_destroy(rd_kafka_conf_t *conf);

/* The value of a librdkafka property (as set, else its default; "" when
 * it has none), or NULL for a name librdkafka does not have. Aliases
 * resolve; rdk_conf_str falls back to the default topic conf's (or the
 * topic defaults) for topic properties; conf NULL: the defaults. */
const char *rdk_conf_str(const rd_kafka_conf_t *conf, const char *name);
const char *rdk_topic_conf_str(const rd_kafka_topic_conf_t *conf, const char *name);
/* 1 when the application set the global property name (not its default). */
int rdk_conf_is_set(const rd_kafka_conf_t *conf, const char *name);
/* The kfk configuration for a client of this type: conf's and its default
 * topic conf's properties that kfk has, translated (names, values, and
 * librdkafka's defaults where they differ from kfk's), after librdkafka's
 * rd_kafka_new checks. NULL with errstr (librdkafka's wording, naming the
 * property and value) when kfk cannot take the configuration. */
kfk_conf *rdk_conf_build(const rd_kafka_conf_t *conf, rd_kafka_type_t type, char *errstr,
                         size_t errstr_size);
/* The built-in partitioner named by the topic property "partitioner"
 * ("consistent_random" and the others), or NULL for an unknown name. */
rdk_partitioner_fn rdk_partitioner_by_name(const char *name);

/* ------------------------------------------------------------ errors */

/* kfk's error as librdkafka's: broker codes are the same numbers; kfk's
 * local codes map to librdkafka's local codes. */
rd_kafka_resp_err_t rdk_err(int kfk_err);
/* Sets rd_kafka_last_error() (and errno as librdkafka does) for this thread. */
void rdk_set_last_error(rd_kafka_resp_err_t err);
rd_kafka_error_t *rdk_error_new(rd_kafka_resp_err_t code, int fatal, int retriable,
                                int txn_requires_abort, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* ------------------------------------------------------------ tplist.c */

/* kfk lists from and to librdkafka's lists (offsets are the same values;
 * metadata bytes are kfk's string up to the first NUL; errors through
 * rdk_err). NULL: out of memory. */
kfk_partition_list *rdk_to_kfk_list(const rd_kafka_topic_partition_list_t *l);
/* Copies offsets, errors, metadata and leader epochs of kl's elements into
 * l's matching elements. */
void rdk_update_from_kfk(rd_kafka_topic_partition_list_t *l, const kfk_partition_list *kl);
rd_kafka_topic_partition_list_t *rdk_from_kfk_list(const kfk_partition_list *kl);
/* An element's leader epoch (-1: unknown), kept in its _private. */
int32_t rdk_tpar_leader_epoch(const rd_kafka_topic_partition_t *p);
/* 0, or -1 when out of memory. */
int rdk_tpar_set_leader_epoch(rd_kafka_topic_partition_t *p, int32_t epoch);
/* A lone element (offset RD_KAFKA_OFFSET_INVALID), for the application to
 * free with rd_kafka_topic_partition_destroy. NULL: out of memory. */
rd_kafka_topic_partition_t *rdk_tpar_new(const char *topic, int32_t partition);

/* ----------------------------------------------------------- headers.c */

/* Headers are kfk_header entries, so producing passes v[0..cnt) as is.
 * Name and value are NUL-terminated (as librdkafka's); value NULL: null. */
struct rd_kafka_headers_s {
    kfk_header *v;
    size_t cnt, cap;
    int v_alloc;                    /* v is its own allocation */
    char *arena, *arena_end; /* rdk_headers_from_kfk's copies, in the object's block */
};

/* A copy of n kfk headers (a consumed message's) in one allocation. NULL:
 * out of memory. */
rd_kafka_headers_t *rdk_headers_from_kfk(const kfk_header *h, size_t n);
/* Writes up to max entries (pointing into hdrs) to out; returns how many
 * it wrote (fewer than rd_kafka_header_cnt(hdrs) when max is short). */
size_t rdk_headers_to_kfk(const rd_kafka_headers_t *hdrs, kfk_header *out, size_t max);

/* ------------------------------------------------------------ topics */

struct rd_kafka_topic_s {
    rd_kafka_t *rk;
    char *name;
    rd_kafka_topic_conf_t *conf; /* owned: the first rd_kafka_topic_new's, or the default's dup */
    rdk_partitioner_fn partitioner;
    int app_refs; /* rd_kafka_topic_new calls not yet destroyed */
    int acks;     /* its request.required.acks (-1, 0, 1) */
    struct rd_kafka_topic_s *next;
};

/* The handle's topic object for name, created (with the default topic
 * conf) when first seen. Lives until rd_kafka_destroy. NULL: out of memory. */
rd_kafka_topic_t *rdk_topic_get(rd_kafka_t *rk, const char *name);

/* ------------------------------------------------------ events, queues */

/* An event on a queue (rd_kafka_event_t is struct rd_kafka_op_s). */
typedef void (*rdk_op_free_fn)(struct rd_kafka_op_s *op);

struct rd_kafka_op_s {
    rd_kafka_event_type_t type;
    rd_kafka_t *rk;
    rd_kafka_resp_err_t err;
    char *errstr;
    int fatal;
    /* ERROR of the client (a broker failure), not of consumption: served
     * to error_cb even by rd_kafka_consumer_poll (librdkafka's OP_ERR) */
    int client_err;
    void *opaque;
    rd_kafka_topic_partition_list_t *partitions; /* REBALANCE, OFFSET_COMMIT */
    rd_kafka_message_t **msgs;                   /* FETCH, DR: owned */
    size_t msg_cnt, msg_next;
    char *fac, *str; /* LOG; STATS json in str */
    int level;
    const char *ctx; /* LOG of a debug line: its context's name (static) */
    char *topic; /* ERROR about one partition: its topic (owned), partition, offset */
    int32_t partition;
    int64_t offset;
    /* OFFSET_COMMIT from rd_kafka_commit_queue: its callback (opaque is its
     * commit_opaque); NULL: the conf's offset_commit_cb */
    void (*commit_cb)(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *offsets, void *commit_opaque);
    void *result;            /* admin results: the admin file's own */
    rdk_op_free_fn free_fn;  /* frees result (and what it owns) */
    struct rd_kafka_op_s *next;
};

struct rd_kafka_queue_s {
    rd_kafka_t *rk;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct rd_kafka_op_s *head, *tail;
    size_t len;
    rd_kafka_queue_t *fwd; /* forwarded to, or NULL */
    int refs;
    int io_fd; /* rd_kafka_queue_io_event_enable: written when an op arrives */
    void *io_payload;
    size_t io_size;
    int io_sent; /* written since the queue was last read: not again */
    void (*event_cb)(rd_kafka_t *rk, void *qev_opaque);
    void *event_opaque;
    int yielded;
    int kind; /* RDK_Q_* */
    /* called when an io fd or event callback is set on the queue or one
     * forwarded to it (the consumer queue's starts the pump); set once */
    void (*on_watch)(rd_kafka_t *rk);
};

#define RDK_Q_CUSTOM 0
#define RDK_Q_MAIN 1
#define RDK_Q_CONSUMER 2
#define RDK_Q_BACKGROUND 3

/* queue.c. A new queue holds one reference (rd_kafka_queue_destroy drops one). */
rd_kafka_queue_t *rdk_queue_new(rd_kafka_t *rk, int kind);
rd_kafka_queue_t *rdk_queue_ref(rd_kafka_queue_t *q);
/* The queue ops pushed to q end up on (the end of its forwards). */
rd_kafka_queue_t *rdk_queue_target(rd_kafka_queue_t *q);
/* Appends op (following forwards); wakes pollers, writes io_fd, runs event_cb. */
void rdk_queue_push(rd_kafka_queue_t *q, struct rd_kafka_op_s *op);
/* Appends a chain of n ops (linked by next) at once: one wake-up, one
 * io fd write, one event_cb call, as librdkafka's for a fetched batch. */
void rdk_queue_push_chain(rd_kafka_queue_t *q, struct rd_kafka_op_s *head,
                          struct rd_kafka_op_s *tail, size_t n);
/* Waits up to timeout_ms for q (its target) to be empty: 1 when it is. */
int rdk_queue_wait_drained(rd_kafka_queue_t *q, int timeout_ms);
/* The next op, waiting up to timeout_ms (-1 forever); NULL when none or
 * when rd_kafka_queue_yield cut the wait short. */
struct rd_kafka_op_s *rdk_queue_pop(rd_kafka_queue_t *q, int timeout_ms);
/* event.c. rdk_op_destroy frees what the op owns: free_fn's part, msgs
 * (rd_kafka_message_destroy), partitions, the strings. */
struct rd_kafka_op_s *rdk_op_new(rd_kafka_t *rk, rd_kafka_event_type_t type);
void rdk_op_destroy(struct rd_kafka_op_s *op);
/* serve.c. Calls the configured callback for op (dr_msg_cb, error_cb,
 * log_cb, rebalance_cb...), then destroys it. */
void rdk_op_serve(struct rd_kafka_op_s *op);
/* Serves q's ops, waiting up to timeout_ms for the first; how many. */
int rdk_queue_serve(rd_kafka_queue_t *q, int timeout_ms);
/* The background thread serving rk->background_q to background_event_cb:
 * rd_kafka_new starts it when the callback is set (idempotent; -1 when it
 * cannot), rd_kafka_destroy stops it (after the queued events). */
int rdk_background_start(rd_kafka_t *rk);
void rdk_background_stop(rd_kafka_t *rk);

/* ---------------------------------------------------------- messages */

/* A message handed to the application: rd_kafka_message_t first, so the
 * application's pointer is ours. */
typedef struct rdk_msg {
    rd_kafka_message_t m;
    kfk_consumer_message *km; /* a consumed message's, released with it */
    rd_kafka_t *rk;
    rd_kafka_headers_t *hdrs; /* built on first rd_kafka_message_headers */
    int64_t timestamp;
    rd_kafka_timestamp_type_t tstype;
    int32_t broker_id;
    int64_t latency_us; /* -1: none */
    int status;         /* rd_kafka_msg_status_t */
    /* a message being produced, shown to on_send: its headers, made into
     * hdrs only when asked for */
    const kfk_header *send_hdrs;
    size_t send_hdr_cnt;
    int owns_payload;   /* payload is an error string or a copy we free */
    void *owned;        /* a delivery report's record (rdk_dr_rec_free) */
    struct rdk_msg *next_free;
} rdk_msg;

/* Fills *m (a wrapper the caller owns, e.g. on its stack) from km. */
void rdk_msg_fill(rdk_msg *m, rd_kafka_t *rk, kfk_consumer_message *km);
/* An empty message holding a reference to rk; NULL: out of memory. */
rdk_msg *rdk_msg_new(rd_kafka_t *rk);
/* A message wrapping a consumed one (taken over). NULL: out of memory (km released). */
rd_kafka_message_t *rdk_msg_from_consumed(rd_kafka_t *rk, kfk_consumer_message *km);
/* An error event as a message: payload is the error string (copied). */
rd_kafka_message_t *rdk_msg_error(rd_kafka_t *rk, rd_kafka_resp_err_t err, const char *topic,
                                  int32_t partition, int64_t offset, const char *errstr);

/* ---------------------------------------------------------- the handle */

struct rdk_legacy;

struct rd_kafka_s {
    rd_kafka_type_t type;
    unsigned long serial; /* this handle's number in the process, from 1 */
    rd_kafka_conf_t *conf; /* owned: what rd_kafka_new was given */
    char name[256];
    kfk_producer *producer;
    kfk_consumer *consumer;
    pthread_mutex_t lock; /* admin creation, topics, legacy state */
    kfk_admin *admin;     /* created at the first call that needs one */
    rd_kafka_topic_t *topics;
    rd_kafka_queue_t *main_q, *consumer_q, *background_q, *log_q;
    pthread_t background_thread;
    int background_running;
    int log_level;        /* atomic: rd_kafka_set_log_level */
    uint32_t debug;       /* the debug contexts, librdkafka's bits */
    struct rdk_brokers *brokers; /* log.c: the main client's view of the brokers */
    int consumer_forwarded; /* rd_kafka_poll_set_consumer called */
    int closed;
    int assignment_lost; /* the last rebalance callback was a loss */
    /* legacy consumer: partitions started with consume_start, and where their
     * messages go (consumer.c) */
    struct rdk_legacy *legacy;
    int stashed; /* messages in legacy's stash (atomic) */
    rdk_msg *free_msgs; /* wrappers to reuse, under msg_lock */
    pthread_mutex_t msg_lock;
    int refs;          /* 1 for the application's handle + 1 per message out; under msg_lock */
    int destroying;    /* rd_kafka_destroy began: no more application callbacks */
    long outq;         /* producer: messages accepted and not yet reported (atomic) */
    int sticky_null_keys; /* producer: sticky.partitioning.linger.ms > 0 */
    /* consumer: a subscription's max.poll.interval.ms, checked by
     * rd_kafka_consumer_poll (consumer.c) */
    int subscribed, max_poll_ms;
    int64_t last_poll_ms; /* the last poll's end, or the subscribe */
    int32_t controller_id; /* from the last metadata answer, -1 unknown */
    char *cluster_id;      /* from the last metadata answer (under lock), NULL unknown */
    pthread_t report_pump; /* producer with RD_KAFKA_EVENT_DR: polls kfk for reports */
    int report_pump_running;
    int dr_only_errors; /* delivery.report.only.error */
    int acks;           /* producer: the handle's request.required.acks */
    /* producer: for topics whose acks differs from the handle's, a kfk
     * producer per acks value (-1, 0, 1 at [acks + 1]), made at their
     * first message (producer.c); atomic */
    kfk_producer *acks_producer[3];
    /* created without bootstrap.servers: the kfk configuration the client
     * starts with at rd_kafka_brokers_add (owned until then); a producer's
     * messages wait in pending (producer.c), a consumer's subscription in
     * pending_sub (consumer.c) */
    kfk_conf *pending_conf;
    struct rdk_pending *pending;
    rd_kafka_topic_partition_list_t *pending_sub;
    int closing;        /* consumer close began: rebalances are served there */
    pthread_t pump;     /* consumer_events.c */
    int pump_running;   /* atomic */
    /* stats.c: the thread emitting a client-less handle's statistics */
    pthread_mutex_t stats_lock;
    pthread_cond_t stats_cond;
    pthread_t stats_thread;
    int stats_ready, stats_running, stats_stop;
    struct rd_kafka_mock_cluster_s *mock; /* test.mock.num.brokers' cluster (mock.c) */
    struct rdk_oauth *oauth; /* oauthbearer.c: the token the application set */
    rd_kafka_queue_t *sasl_q; /* its refresh events, when the SASL queue is enabled */
    /* conf->ic once on_new ran (NULL: none), read by the hot paths */
    const struct rdk_ics *ic;
    int ic_adding; /* on_new is running: the handle's methods may be added */
};

/* The handle's interceptors of a method, NULL when none: one test on the
 * hot paths when interceptors are off. */
static inline const rdk_ic *rdk_ic_of(const rd_kafka_t *rk, int method) {
    return rk->ic ? rk->ic->m[method] : NULL;
}

/* interceptors.c: the handle's interceptor calls (errors logged as
 * librdkafka's ICFAIL warnings, never changing what the client does).
 * on_new runs in rd_kafka_new before the clients start, on_destroy once
 * they stopped. */
void rdk_ic_on_new(rd_kafka_t *rk);
void rdk_ic_on_destroy(rd_kafka_t *rk);
void rdk_ic_on_send(rd_kafka_t *rk, rd_kafka_message_t *m);
void rdk_ic_on_ack(rd_kafka_t *rk, rd_kafka_message_t *m);
void rdk_ic_on_consume(rd_kafka_t *rk, rd_kafka_message_t *m);
void rdk_ic_on_commit(rd_kafka_t *rk, const rd_kafka_topic_partition_list_t *offsets,
                      rd_kafka_resp_err_t err);

/* mock.c: with test.mock.num.brokers, makes the handle's mock cluster and
 * points kc at it (0, or -1 with errstr); adopt points the handle's conf
 * at it too once rd_kafka_new succeeded (later clients, as the admin, are
 * built from it); release destroys it after the clients stopped. */
int rdk_mock_for_handle(rd_kafka_t *rk, kfk_conf *kc, char *errstr, size_t errstr_size);
void rdk_mock_adopt(rd_kafka_t *rk);
void rdk_mock_release(rd_kafka_t *rk);

/* handle.c: set by rd_kafka_yield on its thread, for the consume callback
 * loops (legacy.c) to stop after the current message. */
extern __thread int rdk_yield_thread;
/* handle.c: a reference dropped (a message destroyed); frees rk at the last. */
void rdk_handle_unref(rd_kafka_t *rk);
/* Frees rk once its last reference is gone. */
void rdk_handle_free(rd_kafka_t *rk);

/* producer.c */
int rdk_producer_start(rd_kafka_t *rk, kfk_conf *kc, char *errstr, size_t errstr_size);
int rdk_producer_poll(rd_kafka_t *rk, int timeout_ms);
int rdk_producer_flush(rd_kafka_t *rk, int timeout_ms);
/* Stops the report thread (events mode) and destroys the kfk producer. */
void rdk_producer_stop(rd_kafka_t *rk);
/* Starts the kfk producer of a handle created without brokers (takes kc
 * on success) and sends the messages that waited. 0 or -1 with errstr. */
int rdk_producer_start_late(rd_kafka_t *rk, kfk_conf *kc, char *errstr, size_t errstr_size);
/* Purges every kfk producer of the handle: the first error, or 0. */
int rdk_producer_purge(rd_kafka_t *rk, int kfk_flags);
/* Frees a delivery report's record (a DR event's message owns one). */
void rdk_dr_rec_free(void *rec);
/* consumer.c */
int rdk_consumer_start(rd_kafka_t *rk, kfk_conf *kc, char *errstr, size_t errstr_size);
void rdk_consumer_stop(rd_kafka_t *rk, int close_group);
/* Starts the kfk consumer of a handle created without brokers (takes kc)
 * and subscribes to the subscription that waited. 0 or -1 with errstr. */
int rdk_consumer_start_late(rd_kafka_t *rk, kfk_conf *kc, char *errstr, size_t errstr_size);
/* Serves the consumer queue's events (commit results...) through their
 * callbacks; an error event comes back as a message (NULL: none). */
rd_kafka_message_t *rdk_consumer_serve_queue(rd_kafka_t *rk);
/* A REBALANCE op served through callbacks: rebalance_cb, else the default
 * (un)assign. */
void rdk_rebalance_serve(rd_kafka_t *rk, struct rd_kafka_op_s *op);
int64_t rdk_now_ms(void);
/* ERR__MAX_POLL_EXCEEDED as a message when the application did not poll in
 * max.poll.interval.ms (and restarts the interval); else NULL. */
rd_kafka_message_t *rdk_poll_exceeded(rd_kafka_t *rk);
/* consumer_events.c. rd_kafka_queue_poll on the consumer queue: its events,
 * else the next message from kfk's consumer as a FETCH event (NULL: none
 * in time). */
rd_kafka_event_t *rdk_consumer_poll_event(rd_kafka_t *rk, int timeout_ms);
/* The pump: a thread polling kfk's consumer onto the consumer queue, for an
 * application waiting on the queue's io fd or event callback. Start is
 * idempotent; stop joins it (before kfk's consumer closes). */
void rdk_consumer_pump_start(rd_kafka_t *rk);
void rdk_consumer_pump_stop(rd_kafka_t *rk);
/* rd_kafka_consumer_poll while the pump runs: the queue's next message
 * (errors as messages), serving its other ops on the way. */
rd_kafka_message_t *rdk_consumer_pumped_message(rd_kafka_t *rk, int timeout_ms);
/* offset_file.c: the legacy consumer's offset.store.method=file. 1 when
 * rkt's offsets go to files; a partition's offset from its file (-1: none);
 * writes the stored offsets of topic/partition (topic NULL: every assigned
 * partition) of the topics that use files. */
int rdk_offset_file_used(const rd_kafka_topic_t *rkt);
int64_t rdk_offset_file_read(rd_kafka_t *rk, const rd_kafka_topic_t *rkt, int32_t partition);
void rdk_offset_file_sync(rd_kafka_t *rk, const char *topic, int32_t partition);
/* legacy.c: frees the messages stashed for rd_kafka_consume. */
void rdk_legacy_free(rd_kafka_t *rk);

/* The handle's admin client, created on first use (NULL with errstr when it
 * cannot be). Its own I/O thread; destroyed with the handle. */
kfk_admin *rdk_admin(rd_kafka_t *rk, char *errstr, size_t errstr_size);
/* oauthbearer.c. With oauthbearer_token_refresh_cb and OAUTHBEARER (not
 * OIDC), setup (at rd_kafka_new, before the clients) makes the handle's
 * token slot and SASL queue and queues the first refresh event; conf gives
 * a kfk client the token callback reading the slot; free at the handle's
 * destroy, after its clients. 0, or -1 (with errstr for conf). */
int rdk_oauth_setup(rd_kafka_t *rk);
int rdk_oauth_conf(rd_kafka_t *rk, kfk_conf *kc, char *errstr, size_t errstr_size);
void rdk_oauth_free(rd_kafka_t *rk);
/* log.c. An ERROR event of the client (not of consumption) on the main queue. */
void rdk_push_error(rd_kafka_t *rk, rd_kafka_resp_err_t err, const char *errstr);
/* log.c. rdk_log_setup reads log_level, debug and log.queue (the log
 * queue is made here) at rd_kafka_new: -1 when out of memory;
 * rdk_log_free at the handle's free. */
int rdk_log_setup(rd_kafka_t *rk);
void rdk_log_free(rd_kafka_t *rk);
/* Points a kfk client's logging at the handle (every line, filtered by the
 * layer); the main client's (producer or consumer) broker lines also give
 * the application its broker errors. 0, or -1 with errstr. */
int rdk_log_conf(rd_kafka_t *rk, kfk_conf *kc, int main_client, char *errstr, size_t errstr_size);
/* stats.c. Gives the handle's client statistics.interval.ms and the
 * callback turning each document into a STATS op (when the application
 * takes statistics: stats_cb or STATS events). 0, or -1 with errstr. */
int rdk_stats_conf(rd_kafka_t *rk, kfk_conf *kc, char *errstr, size_t errstr_size);
/* At rd_kafka_new (after pending_conf is set): a handle without brokers
 * emits its own statistics from a thread until its client starts. -1 when
 * the thread cannot start. rdk_stats_stop at destroy (idempotent). */
int rdk_stats_start(rd_kafka_t *rk);
void rdk_stats_stop(rd_kafka_t *rk);
/* librdkafka's name of debug context bit (NULL: none). */
const char *rdk_log_ctx_name(int bit);
/* Logs through the application's log callback (or stderr, as librdkafka). */
void rdk_log(rd_kafka_t *rk, int level, const char *fac, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));


/* The number of threads the layer and kfk run (rd_kafka_thread_cnt). */
void rdk_threads_add(int n);

#endif
