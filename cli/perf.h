/* kfk perf produce|consume: load generators that print what Kafka's
 * ProducerPerformance and ConsumerPerformance print, so numbers compare. */
#ifndef KFK_CLI_PERF_H
#define KFK_CLI_PERF_H

#include <stdint.h>

#include "kfk.h"

typedef struct perf_opts {
    const char *topic, *group; /* topic: a comma-separated list for perf produce */
    int64_t count;
    int64_t size;
    int quiet;
    /* ProducerPerformance's --transactional-id and --transaction-duration-ms
       (0: not given); either, or -X transactional.id, turns transactions on */
    const char *txn_id;
    int64_t txn_duration_ms;
    /* perf produce: --keys N (0: no keys), --threads N (0: send from the
       main thread, as ProducerPerformance) */
    int64_t keys, threads;
    kfk_conf *conf;
} perf_opts;

int cli_perf_produce(perf_opts *o);
int cli_perf_consume(perf_opts *o);

#endif
