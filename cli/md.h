/* One Metadata request through the admin client (kfk_admin_metadata), kept
 * as the broker answered: topics in the broker's order (kcat prints them
 * so), partitions sorted by id. */
#ifndef KFK_CLI_MD_H
#define KFK_CLI_MD_H

#include "cli.h"

typedef struct cli_md {
    kfk_admin_result *res; /* topics, cluster (brokers, controller), from_broker */
} cli_md;

/* Asks any broker, through a (cli_admin_new), for topic's metadata (NULL:
 * every topic) within the -m timeout. Topics are auto-created only with
 * allow_create and allow.auto.create.topics. 0, or a kfk_err with err set.
 * On 0, free out with cli_md_free. Main thread. */
int cli_md_fetch(kfk_admin *a, const cli_opts *o, const char *topic, int allow_create, cli_md *out,
                 char *err, size_t errlen);
void cli_md_free(cli_md *md);

const kfk_topic_desc *cli_md_topic(const cli_md *md, const char *name);
const kfk_broker_desc *cli_md_broker(const cli_md *md, int32_t node_id);

#endif
