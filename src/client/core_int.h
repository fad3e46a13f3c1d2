/* Private to the client core's files: core.c (lifecycle, routing, leader
 * requests waiting for metadata, send and wait) and refresh.c (the
 * metadata refresh and the metadata API). */
#ifndef KFK_CORE_INT_H
#define KFK_CORE_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "client/broker.h"
#include "client/core.h"

struct kfk_core {
    kfk_core_conf conf;
    char *bootstrap, *client_id; /* conf's strings, owned */
    kfk_io_conf ioconf;
    _Atomic int16_t versions_sent[KFK_API_KEY_COUNT]; /* ioconf.conn's */
    _Atomic int16_t transaction_version;              /* ioconf.conn's */
    kfk_io *io;
    kfk_rxpool *rx_pool; /* ioconf.conn's; outlives the core while buffers do */
    struct kfk_tls_ctx *tls; /* with SSL and SASL_SSL */
    struct kfk_sasl *sasl;   /* with SASL_PLAINTEXT and SASL_SSL */

    /* I/O thread only */
    kfk_brokers brokers;
    kfk_list parked; /* leader requests waiting for metadata */
    kfk_timer park_timer, md_timer;
    kfk_core_req md_req;
    kfk_metadata_request md_msg;
    kfk_arena md_arena; /* md_msg's topic list */
    int md_inflight, md_again, md_inflight_all, md_inflight_new;
    /* Whether the next request must name every topic of interest: asked
     * for known topics (stale metadata), or md_full_due has come (the
     * periodic or retry refresh). Else topics never asked yet go alone. */
    int md_full_wanted;
    int64_t md_full_due; /* 0 until the first full refresh */
    int md_attempts; /* consecutive refreshes that left a problem */
    int64_t md_last_sent;
    int64_t md_failing_since; /* the first refresh sent since the last success failed; 0: none */
    void (*md_hook)(void *opaque); /* kfk_core_on_metadata */
    void *md_hook_opaque;
    int stats_reader; /* whose windows a snapshot reads: KFK_WIN_OTHER but
                         while the statistics timer takes one */

    /* shared: under lock */
    pthread_mutex_t lock;
    pthread_cond_t cond; /* a snapshot was published */
    kfk_metadata *md;    /* written by the I/O thread only */
    uint64_t md_seq, md_all_seq; /* snapshots published; the last of all topics */
    char **interest; /* topics kept fresh */
    int ninterest, capinterest;
    int interest_asked; /* how many of them the last Metadata request named */
    int waiters; /* threads in kfk_core_metadata_wait */
    int data_waits; /* kfk_core_metadata_wanted */
    int refresh_posted, refresh_all;
    kfk_task refresh_task;
    int md_err;
    uint64_t md_err_seq; /* errors recorded */
    char md_errstr[320];
    kfk_core_stats stats;
};

/* I/O thread. */
void kfk_core_route(kfk_core *c, kfk_core_req *r);
void kfk_core_reroute_parked(kfk_core *c);
/* A refresh is wanted soon (rate-limited by retry.backoff.ms). */
void kfk_core_md_request(kfk_core *c);
void kfk_core_on_md_timer(kfk_timer *t, int64_t now);
void kfk_core_refresh_task(kfk_io *io, kfk_task *t, int err);
/* Starts over from bootstrap.servers when metadata.recovery.strategy says
 * so, unless the set is the bootstrap servers already. */
void kfk_core_rebootstrap(kfk_core *c);

/* Any thread, with c->lock held. */
int kfk_core_add_interest(kfk_core *c, const char *const *topics, int n);

#endif
