/* The share consumer's state (kfk.h's SHARE CONSUMER section). Every
 * request is made on the application's thread inside poll, commit and
 * close: sent through the client core and waited for (share_io.c); the
 * protocol decisions are sans I/O (share_session.h, share_acks.h). */
#ifndef KFK_SHARE_INT_H
#define KFK_SHARE_INT_H

#include <pthread.h>

#include "client/core.h"
#include "core/buf.h"
#include "core/log.h"
#include "share/share_acks.h"
#include "share/share_session.h"

/* One assigned partition. */
typedef struct kfk_spart {
    kfk_share_tp tp;
    char *topic; /* NULL until metadata names the topic id */
    int32_t leader;
    kfk_share_acks acks; /* waiting to be sent */
    int assigned;        /* 0: dropped by the last assignment, kept while acks wait */
} kfk_spart;

/* A message the last poll returned, until the next settles it. */
typedef struct kfk_sdelivered {
    int part;
    int64_t offset;
    int acked;
} kfk_sdelivered;

/* One request in flight: the response is kept (its buffer referenced) for
 * the application thread to decode. */
typedef struct kfk_sreq {
    kfk_core_req r;
    struct kfk_share_consumer *c;
    int done, err;
    int16_t version;
    int32_t node;
    kfk_rbuf body;
    kfk_rxbuf *rx;
} kfk_sreq;

struct kfk_share_consumer {
    kfk_core *core;
    kfk_conf *conf;
    struct kfk_log *log;
    char *group;
    int explicit_acks;
    int32_t max_wait_ms, min_bytes, max_bytes, part_max_bytes, max_records;
    int32_t request_timeout_ms, api_timeout_ms;
    int check_crcs;
    char **topics;
    int ntopics;
    uint64_t rng;

    pthread_mutex_t lock; /* done flags of requests, with cond */
    pthread_cond_t cond;

    /* membership */
    char member_id[23];
    int32_t member_epoch;
    int32_t coord; /* -1: unknown */
    int64_t hb_due;
    int32_t hb_interval_ms;

    kfk_spart *parts;
    int nparts, cap;
    kfk_share_session *sess;
    int nsess;

    kfk_consumer_message *qh, *qt; /* fetched, not yet polled */
    kfk_sdelivered *dlv;
    int ndlv, capdlv;
    int fatal;        /* an error poll reports (then again at each poll) */
    int ack_pending;  /* commit_async: the next poll sends them */
    kfk_wbuf zbuf;

    kfk_share_ack_cb ack_cb;
    void *ack_opaque;
};

/* share_io.c */
void kfk_share_send(kfk_share_consumer *c, kfk_sreq *rq, int64_t deadline);
void kfk_share_wait(kfk_share_consumer *c, kfk_sreq *rq);
void kfk_sreq_done(kfk_sreq *rq);
int kfk_share_heartbeat(kfk_share_consumer *c, int leave);
int kfk_share_fetch_round(kfk_share_consumer *c, int32_t max_wait_ms);
int kfk_share_ack_round(kfk_share_consumer *c, kfk_partition_list *results, int64_t deadline,
                        int closing);
kfk_spart *kfk_share_part(kfk_share_consumer *c, const kfk_uuid *id, int32_t partition);

#endif
