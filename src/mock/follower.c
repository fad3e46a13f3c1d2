/* Followers for the mock (KIP-392, fetch from follower): a test names one
 * replica of a partition its follower, with watermarks of its own that may
 * lag the leader's. The leader names it as the preferred read replica to
 * consumers that give a rack, and it serves Fetch within its watermarks. */
#include <string.h>

#include "core/alloc.h"
#include "kfk.h"
#include "mock/mock_int.h"

static mock_part *part_of(const kfk_mock *m, const char *topic, int32_t partition) {
    mock_topic *t = topic ? mock_topic_find(m, kfk_str_of(topic)) : NULL;
    return t && partition >= 0 && partition < t->nparts ? &t->parts[partition] : NULL;
}

/* A broker of the cluster outside the replica list joins it, so that
 * Metadata names the follower where clients look for it. */
static int replica_add(const kfk_mock *m, mock_part *p, int32_t broker) {
    if (!mock_broker_get(m, broker)) return 0;
    for (int32_t i = 0; i < p->nreplicas; i++)
        if (p->replicas[i] == broker) return 0;
    int32_t *n = kfk_realloc(p->replicas, (size_t)(p->nreplicas + 1) * sizeof *n);
    if (!n) return -1;
    p->replicas = n;
    p->replicas[p->nreplicas++] = broker;
    return 0;
}

int kfk_mock_set_follower(kfk_mock *m, const char *topic, int32_t partition, int32_t broker_id) {
    mock_part *p = part_of(m, topic, partition);
    if (!p || broker_id == 0 || broker_id < -1 || replica_add(m, p, broker_id)) return -1;
    p->follower = broker_id;
    return 0;
}

int kfk_mock_set_follower_wmarks(kfk_mock *m, const char *topic, int32_t partition, int64_t lo,
                                 int64_t hi) {
    mock_part *p = part_of(m, topic, partition);
    if (!p || lo < -1 || hi < -1 || (lo >= 0 && hi >= 0 && lo > hi)) return -1;
    p->follower_lo = lo;
    p->follower_hi = hi;
    return 0;
}

int mock_on_follower(const mock_part *p, int32_t broker) {
    return p->follower > 0 && p->follower == broker && p->leader != broker;
}

void mock_follower_wmarks(const mock_part *p, int64_t *lo, int64_t *hi) {
    /* The follower's log is the leader's prefix: never past its end. */
    *hi = p->follower_hi < 0 || p->follower_hi > p->hw ? p->hw : p->follower_hi;
    *lo = p->follower_lo < p->log_start ? p->log_start : p->follower_lo;
    if (*lo > *hi) *lo = *hi;
}

int32_t mock_read_replica(const kfk_mock *m, const mock_part *p, int32_t broker, kfk_str rack,
                          int64_t offset) {
    /* As Kafka's rack-aware selector: only for a client that gave a rack. */
    if (p->follower <= 0 || p->follower == broker || p->leader != broker || rack.len <= 0)
        return -1;
    const mock_broker *b = mock_broker_get(m, p->follower);
    /* A broker that is down left the in-sync replicas: the leader does not
     * name it. One the cluster lacks, or without a rack, matches any rack
     * (as librdkafka's mock names its follower to any client). */
    if (b && b->down) return -1;
    /* Kafka names only a replica whose log holds the fetch offset. */
    int64_t lo, hi;
    mock_follower_wmarks(p, &lo, &hi);
    if (offset < lo || offset > hi) return -1;
    if (b && b->rack && (strlen(b->rack) != (size_t)rack.len || memcmp(b->rack, rack.ptr, (size_t)rack.len)))
        return -1;
    return p->follower;
}
