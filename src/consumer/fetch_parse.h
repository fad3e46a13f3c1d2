/* Turning one partition's fetched `records` bytes into messages, sans I/O:
 * the fetcher feeds it what a Fetch response carried and the position it
 * asked from, and gets a list of messages built in a chunk (chunk.h).
 *
 * What it does: skips records below the position (the broker returns whole
 * batches, so a fetch from the middle of a batch starts before it), skips
 * control batches (transaction markers) and, with read_committed, the
 * batches of aborted transactions; stops quietly at a partial trailing
 * batch (the broker cuts responses at the size limit); decompresses each
 * compressed batch once, into a buffer its messages keep alive. When
 * skipped records end the data, a KFK_KIND_SKIP message ends the list so
 * that the position moves past them once the messages before are polled. */
#ifndef KFK_CONSUMER_FETCH_PARSE_H
#define KFK_CONSUMER_FETCH_PARSE_H

#include "consumer/chunk.h"
#include "core/buf.h"
#include "proto/proto.h"

typedef struct kfk_fetch_parse {
    /* in */
    const char *topic; /* copied into the chunk */
    int32_t partition;
    int32_t broker; /* the node the data came from */
    void *part;     /* each message's kfk_cmsg part and gen */
    uint32_t gen;
    int64_t pos; /* the fetch offset */
    int check_crcs;
    size_t max_decompressed; /* per batch */
    int read_committed;
    const kfk_fetch_response_aborted_transaction *aborted; /* any order */
    int32_t naborted;
    /* out */
    kfk_consumer_message *head, *tail; /* count records, then maybe a skip */
    int count;
    int64_t bytes;    /* key, value and header bytes of the messages */
    int64_t next_pos; /* where the next fetch starts */
    int32_t last_epoch; /* leader epoch of the last batch read past pos; -1: none */
    int err;          /* a bad batch: the messages before it are still good */
    int too_large;    /* no whole batch and the data was cut: the limit is too small */
    int partial;      /* the data ended inside a batch (statistics' rxpartial) */
} kfk_fetch_parse;

/* Parses data (which must live in ch: its rx or kept buffers) into
 * messages allocated in ch, each holding a reference on ch. zbuf is the
 * caller's decompression scratch buffer; what a compressed batch's
 * messages point into is detached from it and kept by ch. Returns p->err. */
int kfk_fetch_parse_run(kfk_fetch_parse *p, kfk_chunk *ch, const uint8_t *data, size_t len,
                        kfk_wbuf *zbuf);

#endif
