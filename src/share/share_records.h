/* One partition of a ShareFetch answer turned into the records acquired
 * for this member, sans I/O: its records parsed as the consumer parses a
 * Fetch's (consumer/fetch_parse.h, in a chunk holding rx), kept only where
 * an AcquiredRecords range covers them and given its delivery count;
 * acquired offsets without a record are acknowledged as gaps. */
#ifndef KFK_SHARE_RECORDS_H
#define KFK_SHARE_RECORDS_H

#include "core/buf.h"
#include "net/conn.h"
#include "proto/gen/messages.h"
#include "share/share_acks.h"

typedef struct kfk_share_records {
    /* in */
    const char *topic; /* copied into the chunk */
    int32_t partition;
    int32_t broker;
    void *part; /* each message's kfk_cmsg part */
    int check_crcs;
    size_t max_decompressed; /* per batch */
    /* out */
    kfk_consumer_message *head, *tail;
    int count;
} kfk_share_records;

/* Fills r's out part from pd (whose bytes rx owns; rx may be NULL when
 * they outlive every message) and adds gap acknowledgements to gaps.
 * zbuf is the caller's decompression scratch buffer. 0, or KFK_ERR_NOMEM
 * (nothing kept). A bad batch ends the records quietly: the broker
 * delivers those offsets again after the acquisition lock. */
int kfk_share_records_take(kfk_share_records *r, const kfk_share_fetch_response_partition_data *pd,
                           kfk_rxbuf *rx, kfk_share_acks *gaps, kfk_wbuf *zbuf);

#endif
