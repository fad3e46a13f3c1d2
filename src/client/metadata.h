/* The cluster metadata cache: immutable, reference-counted snapshots.
 *
 * The I/O thread builds a new snapshot from the previous one and each
 * Metadata response, then publishes it; readers on any thread take a
 * reference to the current snapshot and read it without locks for as long
 * as they hold it. One arena holds a snapshot's strings and arrays, so a
 * snapshot is one allocation chain freed at once. */
#ifndef KFK_METADATA_H
#define KFK_METADATA_H

#include <stdatomic.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "proto/proto.h"

typedef struct kfk_md_broker {
    int32_t node_id;
    const char *host;
    int32_t port;
    const char *rack; /* NULL if none */
} kfk_md_broker;

typedef struct kfk_md_partition {
    int32_t id;
    int16_t err;
    int32_t leader;       /* -1: none */
    int32_t leader_epoch; /* -1: unknown (brokers before Metadata v7) */
    const int32_t *replicas, *isr, *offline;
    int32_t nreplicas, nisr, noffline;
} kfk_md_partition;

typedef struct kfk_md_topic {
    const char *name;
    kfk_uuid id; /* all zero before Metadata v10 */
    int16_t err;
    int internal;
    const kfk_md_partition *partitions; /* sorted by id */
    int32_t npartitions;
    int64_t updated_ms; /* kfk_io_now() of the last response describing it */
} kfk_md_topic;

typedef struct kfk_metadata {
    atomic_int refs;
    kfk_arena arena;
    const kfk_md_broker *brokers; /* sorted by node id */
    int32_t nbrokers;
    int32_t controller_id;  /* -1: unknown */
    const char *cluster_id; /* NULL: unknown */
    const kfk_md_topic *topics; /* sorted by name */
    int32_t ntopics;
    int64_t updated_ms; /* monotonic time of the response */
} kfk_metadata;

/* A new snapshot (one reference) from `old` (may be NULL) and a decoded
 * response. With replace_all (the request asked for every topic) the
 * response's topics replace the old ones; otherwise topics absent from the
 * response are kept. A partition whose response leader epoch is older than
 * the cached one keeps its cached state: a broker with stale metadata must
 * not move a leader back. NULL on allocation failure. */
kfk_metadata *kfk_metadata_build(const kfk_metadata *old, const kfk_metadata_response *resp,
                                 int replace_all, int64_t now);

/* Any thread. unref(NULL) does nothing. */
kfk_metadata *kfk_metadata_ref(kfk_metadata *md);
void kfk_metadata_unref(kfk_metadata *md);

/* Lookups: NULL when absent. */
const kfk_md_topic *kfk_metadata_topic(const kfk_metadata *md, const char *name);
const kfk_md_partition *kfk_metadata_partition(const kfk_md_topic *t, int32_t partition);
const kfk_md_broker *kfk_metadata_broker(const kfk_metadata *md, int32_t node_id);

/* 1 if the topic is known without error and every partition has a leader. */
int kfk_metadata_topic_ready(const kfk_md_topic *t);

#endif
