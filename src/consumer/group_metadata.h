/* A consumer's group membership as a transaction's offsets carry it
 * (KIP-447): the producer's TxnOffsetCommit reads these fields. One
 * allocation; the strings follow the struct. */
#ifndef KFK_CONSUMER_GROUP_METADATA_H
#define KFK_CONSUMER_GROUP_METADATA_H

#include <stdint.h>

#include "kfk.h"

struct kfk_group_metadata {
    const char *group_id;
    int32_t generation_id;         /* -1: none (the broker checks only the group);
                                      the member epoch with group.protocol=consumer */
    const char *member_id;         /* "": none */
    const char *group_instance_id; /* NULL: no group.instance.id */
    char strings[];
};

#endif
