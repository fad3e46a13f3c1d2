/* One Metadata request sent through the client core and kept decoded:
 * topics in the broker's order (the core's cache sorts them; kcat prints
 * them as the broker sent them), partitions sorted by id. */
#ifndef KFK_CLI_MD_H
#define KFK_CLI_MD_H

#include "client/core.h"
#include "proto/proto.h"

typedef struct cli_md {
    kfk_arena arena;
    kfk_rxbuf *buf;             /* holds the bytes resp's strings point into */
    kfk_metadata_response resp;
    int32_t from_node;          /* the broker that answered */
} cli_md;

/* Asks any broker for topic's metadata (NULL: every topic), once the core
 * knows the cluster's brokers, within timeout_ms in all. 0, or a kfk_err
 * with err set. On 0, free out with cli_md_free. */
int cli_md_fetch(kfk_core *c, const char *topic, int allow_create, int timeout_ms, cli_md *out,
                 char *err, size_t errlen);
void cli_md_free(cli_md *md);

const kfk_metadata_response_topic *cli_md_topic(const cli_md *md, const char *name);
const kfk_metadata_response_broker *cli_md_broker(const cli_md *md, int32_t node_id);

#endif
