/* Leader epochs for the mock (KIP-101, KIP-320): each partition's history
 * of epochs and the offsets they start at, OffsetForLeaderEpoch from it,
 * and the checks a Fetch's epochs get (truncations: truncate.c). Answers
 * follow Kafka's leader epoch cache. */
#include "core/alloc.h"
#include "kfk.h"
#include "mock/mock_int.h"

int mock_epoch_new(mock_part *p, int32_t epoch, int64_t start) {
    /* A later start or a smaller epoch than the history's end rewrites it. */
    while (p->nepochs > 0 && (p->epochs[p->nepochs - 1].epoch >= epoch ||
                              p->epochs[p->nepochs - 1].start >= start))
        p->nepochs--;
    if (p->nepochs == p->ecap) {
        int32_t cap = p->ecap ? p->ecap * 2 : 4;
        mock_epoch *n = kfk_realloc(p->epochs, (size_t)cap * sizeof *n);
        if (!n) return -1;
        p->epochs = n;
        p->ecap = cap;
    }
    p->epochs[p->nepochs++] = (mock_epoch){epoch, start};
    p->leader_epoch = epoch;
    return 0;
}

void mock_epoch_end(const mock_part *p, int32_t epoch, int32_t *end_epoch, int64_t *end_offset) {
    *end_epoch = -1;
    *end_offset = -1;
    if (epoch < 0 || p->nepochs == 0) return;
    if (p->epochs[p->nepochs - 1].epoch == epoch) {
        *end_epoch = epoch;
        *end_offset = p->hw;
        return;
    }
    int32_t hi = 0; /* the first epoch above the one asked for */
    while (hi < p->nepochs && p->epochs[hi].epoch <= epoch) hi++;
    if (hi == p->nepochs) return;
    /* Below every known epoch: its data is gone, the next epoch's start serves. */
    *end_epoch = hi > 0 ? p->epochs[hi - 1].epoch : epoch;
    *end_offset = p->epochs[hi].start;
}

int16_t mock_epoch_check(const mock_part *p, int32_t broker, int32_t current) {
    if (p->leader != broker) return KFK_ERR_NOT_LEADER_OR_FOLLOWER;
    if (current < 0 || current == p->leader_epoch) return 0;
    return current < p->leader_epoch ? KFK_ERR_FENCED_LEADER_EPOCH : KFK_ERR_UNKNOWN_LEADER_EPOCH;
}

int mock_epoch_diverged(const mock_part *p, int32_t last_fetched, int64_t fetch_offset,
                        int32_t *end_epoch, int64_t *end_offset) {
    if (last_fetched < 0) return 0;
    mock_epoch_end(p, last_fetched, end_epoch, end_offset);
    return *end_epoch < last_fetched || *end_offset < fetch_offset;
}

int mock_offset_for_leader_epoch(mock_ctx *c) {
    const kfk_offset_for_leader_epoch_request *q = c->req;
    kfk_offset_for_leader_epoch_response *r = c->resp;
    if (MOCK_ARRAY(c, r->topics, q->topics.count)) return KFK_ERR_NOMEM;
    for (int32_t i = 0; i < r->topics.count; i++) {
        const kfk_offset_for_leader_epoch_request_offset_for_leader_topic *qt = &q->topics.items[i];
        kfk_offset_for_leader_epoch_response_offset_for_leader_topic_result *rt = &r->topics.items[i];
        rt->topic = qt->topic;
        const mock_topic *t = mock_topic_find(c->m, qt->topic);
        if (MOCK_ARRAY(c, rt->partitions, qt->partitions.count)) return KFK_ERR_NOMEM;
        for (int32_t j = 0; j < rt->partitions.count; j++) {
            const kfk_offset_for_leader_epoch_request_offset_for_leader_partition *qp =
                &qt->partitions.items[j];
            kfk_offset_for_leader_epoch_response_epoch_end_offset *rp = &rt->partitions.items[j];
            rp->partition = qp->partition;
            rp->leader_epoch = -1;
            rp->end_offset = -1;
            const mock_part *p = t && qp->partition >= 0 && qp->partition < t->nparts
                                     ? &t->parts[qp->partition] : NULL;
            if (c->inj) rp->error_code = c->inj;
            else if (!p) rp->error_code = KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION;
            else if (!(rp->error_code = mock_epoch_check(p, c->broker, qp->current_leader_epoch)))
                mock_epoch_end(p, qp->leader_epoch, &rp->leader_epoch, &rp->end_offset);
        }
    }
    return KFK_MOCK_REPLY;
}
