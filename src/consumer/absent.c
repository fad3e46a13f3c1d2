/* Whether an assigned partition is missing from the cluster, as
 * librdkafka's topic.metadata.propagation.max.ms decides: a topic just
 * created may not have reached the broker that answers yet, so a missing
 * topic or partition counts only once the answer comes that long after
 * the consumer first looked for it. Pure: no I/O, no clock, no lock. */
#include "consumer/consumer_int.h"

int kfk_absent_err(const kfk_md_topic *t, int32_t partition, int64_t md_ms, int64_t since,
                   int32_t propagation_ms) {
    if (!t) return 0;
    if (t->err == KFK_ERR_INVALID_TOPIC_EXCEPTION) return t->err; /* never will exist */
    int missing = t->err == KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION ||
                  (!t->err && (t->npartitions == 0 || !kfk_metadata_partition(t, partition)));
    if (!missing || md_ms - since < propagation_ms) return 0;
    return KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION;
}
