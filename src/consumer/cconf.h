/* The consumer's settings, read once from a kfk_conf and checked together
 * (the per-key checks ran when each key was set). */
#ifndef KFK_CONSUMER_CCONF_H
#define KFK_CONSUMER_CCONF_H

#include <stdint.h>

#include "assign/assignor.h"
#include "kfk.h"

enum { KFK_MAX_ASSIGNORS = 3 };

enum kfk_reset { KFK_RESET_EARLIEST, KFK_RESET_LATEST, KFK_RESET_NONE };

typedef struct kfk_cconf {
    const char *group_id; /* NULL: none */
    enum kfk_reset reset;
    int auto_commit; /* enable.auto.commit with a group.id */
    int32_t auto_commit_interval_ms; /* 0: no timer */
    int32_t auto_commit_messages;    /* 0: off; counts done messages without auto_store */
    int auto_store;
    int32_t fetch_min_bytes, fetch_max_bytes, fetch_max_wait_ms, partition_max_bytes;
    int read_committed;
    int check_crcs;
    const char *rack;
    int32_t max_poll_records;
    int64_t queue_max_bytes;
    int partition_eof;
    int fetch_sessions; /* enable.fetch.sessions (KIP-227) */
    int32_t request_timeout_ms, retry_backoff_ms, retry_backoff_max_ms;
    int32_t default_api_timeout_ms; /* sync calls given no timeout of their own */
    /* group membership (subscribe) */
    const char *instance_id; /* NULL: dynamic member */
    int32_t session_timeout_ms, heartbeat_interval_ms, max_poll_interval_ms;
    int32_t metadata_max_age_ms;
    int32_t propagation_max_ms; /* an assigned partition missing this long is reported */
    const kfk_assignor *assignors[KFK_MAX_ASSIGNORS]; /* in preference order */
    int nassignors;
    int cooperative; /* every assignor supports COOPERATIVE, as Java decides */
    int consumer_protocol;       /* group.protocol=consumer (KIP-848) */
    const char *remote_assignor; /* group.remote.assignor; NULL: the broker's default */
} kfk_cconf;

/* Fills out from conf (strings point into conf). 0, or KFK_ERR_CONFIG with
 * errstr naming the key and value that conflict. */
int kfk_cconf_from(kfk_cconf *out, const kfk_conf *conf, char *errstr, size_t errlen);

/* Where a partition starts when nothing is committed or its offset is out
 * of range: KFK_OFFSET_BEGINNING, KFK_OFFSET_END, or KFK_OFFSET_INVALID
 * (auto.offset.reset=none: an error for the application). */
int64_t kfk_reset_offset(enum kfk_reset reset);

#endif
