/* What an admin request's outcome leads to, as the Java admin client
 * decides it: each request waits at most request.timeout.ms, and one that
 * timed out while the operation has time left is tried again, on another
 * broker when any broker can answer it. No I/O: unit-tested. */
#include "admin/admin_int.h"
#include "net/backoff.h"

int kfk_admin_retriable(int err) {
    return err != KFK_ERR_DESTROYED &&
           (kfk_err_retriable(err) || err == KFK_ERR_NOT_CONTROLLER);
}

int kfk_asub_next(const kfk_asub *s, int err, int resp_err) {
    if (!err) return KFK_ASUB_DONE;
    /* The coordinator retries its own errors within the request's time;
     * past it, the operation does while it has time left. */
    if (s->group) return kfk_coord_retriable(err) ? KFK_ASUB_AGAIN : KFK_ASUB_FAIL;
    /* From the core, not a broker: fresh metadata knows the topic without
     * that partition. */
    if (resp_err == KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION) return KFK_ASUB_FAIL;
    /* A node the core's metadata does not know yet (a fresh client). */
    if (err == KFK_ERR_NOENT && s->r.dest == KFK_DEST_NODE) return KFK_ASUB_AGAIN;
    /* A stalled broker: least-loaded may pick it again once its reconnect
     * backoff ends, so the next try names another. */
    if (err == KFK_ERR_TIMED_OUT && s->any) return KFK_ASUB_ELSEWHERE;
    return kfk_admin_retriable(err) ? KFK_ASUB_AGAIN : KFK_ASUB_FAIL;
}

int32_t kfk_admin_other_broker(const kfk_metadata *md, int32_t not_node, uint64_t *rng) {
    if (!md) return -1;
    int others = md->nbrokers - (kfk_metadata_broker(md, not_node) != NULL);
    if (others <= 0) return -1;
    int k = (int)(kfk_rand_next(rng) % (uint64_t)others);
    for (int i = 0; i < md->nbrokers; i++)
        if (md->brokers[i].node_id != not_node && k-- == 0) return md->brokers[i].node_id;
    return -1;
}
