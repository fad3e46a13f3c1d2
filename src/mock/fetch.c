/* Fetch and ListOffsets for the mock: records up to the high watermark,
 * or for read_committed up to the last stable offset with the aborted
 * transactions in range named. Fetch sessions are in fetch_session.c. */
#include "kfk.h"
#include "mock/mock_int.h"

static int64_t be64_at(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | p[i];
    return (int64_t)v;
}

static void part_defaults(kfk_fetch_response_partition_data *rp, int32_t index) {
    rp->partition_index = index;
    rp->high_watermark = -1;
    rp->last_stable_offset = -1;
    rp->log_start_offset = -1;
    rp->diverging_epoch.epoch = -1;
    rp->diverging_epoch.end_offset = -1;
    rp->current_leader.leader_id = -1;
    rp->current_leader.leader_epoch = -1;
    rp->snapshot_id.end_offset = -1;
    rp->snapshot_id.epoch = -1;
    rp->aborted_transactions.count = -1;
    rp->preferred_read_replica = -1;
    rp->records = (kfk_bytes){NULL, -1};
}

/* Fills rp from p for a fetch at `offset`; returns the record bytes given,
 * or -1 when out of memory. */
static int32_t fetch_part(mock_ctx *c, const mock_part *p, const kfk_fetch_request_partition *qp,
                          kfk_fetch_response_partition_data *rp, int64_t budget, int first) {
    const kfk_fetch_request *q = c->req;
    int committed = q->isolation_level == 1;
    /* A follower knows the leader's epoch as the leader does. */
    int follower = mock_on_follower(p, c->broker);
    rp->error_code = mock_epoch_check(p, follower ? p->leader : c->broker, qp->current_leader_epoch);
    if (rp->error_code == KFK_ERR_NOT_LEADER_OR_FOLLOWER) {
        rp->current_leader.leader_id = p->leader;
        rp->current_leader.leader_epoch = p->leader_epoch;
    }
    if (rp->error_code) return 0;
    int64_t start = p->log_start, hw = p->hw;
    if (follower) mock_follower_wmarks(p, &start, &hw);
    int64_t lso = mock_part_lso(p);
    if (lso > hw) lso = hw;
    int64_t end = committed ? lso : hw;
    rp->high_watermark = hw;
    rp->last_stable_offset = lso;
    rp->log_start_offset = start;
    rp->records = (kfk_bytes){NULL, 0};
    /* Redirected: Kafka sends the watermarks and empty records (not null:
     * librdkafka refuses those in a partition without an error). */
    if (c->version >= 11 &&
        (rp->preferred_read_replica = mock_read_replica(c->m, p, c->broker, q->rack_id, qp->fetch_offset)) >= 0)
        return 0;
    /* Kafka checks the last fetched epoch before the offset: a truncated
     * log may end below the fetch offset (KIP-320, Fetch v12+). */
    int32_t end_epoch;
    int64_t end_offset;
    if (c->version >= 12 &&
        mock_epoch_diverged(p, qp->last_fetched_epoch, qp->fetch_offset, &end_epoch, &end_offset)) {
        rp->diverging_epoch.epoch = end_epoch;
        rp->diverging_epoch.end_offset = end_offset;
        return 0;
    }
    if (qp->fetch_offset < start || qp->fetch_offset > hw) {
        rp->error_code = KFK_ERR_OFFSET_OUT_OF_RANGE;
        return 0;
    }
    size_t i = mock_part_find(p, qp->fetch_offset);
    int64_t limit = qp->partition_max_bytes < budget ? qp->partition_max_bytes : budget;
    size_t from = i < p->bcount ? p->batches[i].pos : 0;
    int64_t size = 0;
    /* The first batch goes out whatever its size, so a consumer always
     * progresses (KIP-74); further batches only within the limits. */
    int64_t upto = qp->fetch_offset;
    /* Whole batches below end: a follower's high watermark may fall
     * inside one, which it does not send yet (the leader's and the last
     * stable offset are at batch boundaries). */
    for (; i < p->bcount && p->batches[i].last < end; i++) {
        if (size + p->batches[i].len > limit && !(first && size == 0)) break;
        size += p->batches[i].len;
        upto = p->batches[i].last + 1;
    }
    if (size) rp->records = (kfk_bytes){p->log + from, (int32_t)size};
    if (committed) {
        kfk_fetch_response_aborted_transaction *ab;
        int32_t n = mock_part_aborted(p, qp->fetch_offset, upto, c->a, &ab);
        if (n < 0) return -1;
        rp->aborted_transactions.items = ab;
        rp->aborted_transactions.count = n;
    }
    return (int32_t)size;
}

int mock_fetch(mock_ctx *c) {
    const kfk_fetch_request *q = c->req;
    kfk_fetch_response *r = c->resp;
    mock_fetch_plan plan;
    if (mock_session_plan(c, &plan)) return KFK_ERR_NOMEM;
    if (plan.error) {
        r->error_code = plan.error;
        return KFK_MOCK_REPLY;
    }
    if (MOCK_ARRAY(c, r->responses, plan.ntopics)) return KFK_ERR_NOMEM;
    int32_t nt = r->responses.count;
    int64_t budget = q->max_bytes, total = 0;
    int news = 0; /* errors and redirections go out without waiting */
    for (int32_t i = 0; i < nt; i++) {
        const kfk_fetch_request_topic *qt = &plan.topics[i];
        kfk_fetch_response_fetchable_topic_response *rt = &r->responses.items[i];
        rt->topic = qt->topic;
        rt->topic_id = qt->topic_id;
        const mock_topic *t = c->version >= 13 ? mock_topic_find_id(c->m, &qt->topic_id)
                                               : mock_topic_find(c->m, qt->topic);
        if (MOCK_ARRAY(c, rt->partitions, qt->partitions.count)) return KFK_ERR_NOMEM;
        int32_t np = rt->partitions.count;
        for (int32_t j = 0; j < np; j++) {
            const kfk_fetch_request_partition *qp = &qt->partitions.items[j];
            kfk_fetch_response_partition_data *rp = &rt->partitions.items[j];
            part_defaults(rp, qp->partition);
            const mock_part *p = t && qp->partition >= 0 && qp->partition < t->nparts
                                     ? &t->parts[qp->partition] : NULL;
            if (c->inj) rp->error_code = c->inj;
            else if (!p)
                rp->error_code = c->version >= 13 && !t ? KFK_ERR_UNKNOWN_TOPIC_ID
                                                        : KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION;
            else {
                int32_t n = fetch_part(c, p, qp, rp, budget - total, total == 0);
                if (n < 0) return KFK_ERR_NOMEM;
                total += n;
            }
            news += rp->error_code != 0 || rp->preferred_read_replica >= 0;
        }
    }
    if (!news && total < q->min_bytes && c->now_ms < c->recv_ms + q->max_wait_ms)
        return KFK_MOCK_PARK;
    return mock_session_done(c, &plan, r) ? KFK_ERR_NOMEM : KFK_MOCK_REPLY;
}

/* Calls fn for each record of an uncompressed batch with its offset and
 * timestamp; a compressed batch counts as one record at its base offset
 * and max timestamp. fn returns nonzero to stop; so does walk_batch. */
static int walk_batch(const uint8_t *b, uint32_t len, int (*fn)(void *, int64_t, int64_t), void *arg) {
    int64_t base = be64_at(b), base_ts = be64_at(b + 27), max_ts = be64_at(b + 35);
    uint16_t attrs = (uint16_t)(b[21] << 8 | b[22]);
    /* Compressed, or LogAppendTime (every record has the max timestamp). */
    if ((attrs & 7) || (attrs & 8)) return fn(arg, base, max_ts);
    kfk_rbuf r = kfk_rbuf_make(b + MOCK_BATCH_HEADER, len - MOCK_BATCH_HEADER);
    while (kfk_rbuf_left(&r) && !r.err) {
        int32_t rlen = kfk_rd_varint(&r);
        const uint8_t *start = r.p;
        kfk_rd_i8(&r);
        int64_t ts = base_ts + kfk_rd_varlong(&r);
        int64_t off = base + kfk_rd_varint(&r);
        if (r.err || rlen < 0 || (size_t)(r.p - start) > (size_t)rlen) return 0;
        if (fn(arg, off, ts)) return 1;
        if (!kfk_rbuf_take(&r, (size_t)rlen - (size_t)(r.p - start))) return 0;
    }
    return 0;
}

typedef struct ts_query {
    int64_t want, offset, ts;
} ts_query;

static int at_or_after(void *arg, int64_t off, int64_t ts) {
    ts_query *q = arg;
    if (ts < q->want) return 0;
    q->offset = off;
    q->ts = ts;
    return 1;
}

static int max_ts(void *arg, int64_t off, int64_t ts) {
    ts_query *q = arg;
    if (ts > q->ts) {
        q->ts = ts;
        q->offset = off;
    }
    return 0;
}

/* ListOffsets' answer for one partition: the offset and timestamp (the
 * latest is the last stable offset for read_committed). */
static void lookup(const mock_part *p, int64_t want, int committed, int64_t *offset, int64_t *ts) {
    *ts = -1;
    if (want == -2 || want == -4) {
        *offset = p->log_start;
        return;
    }
    if (want == -1 || want == -5) {
        *offset = committed && want == -1 ? mock_part_lso(p) : p->hw;
        return;
    }
    ts_query q = {want, -1, -1};
    for (size_t i = p->bhead; i < p->bcount; i++) {
        const mock_batch *b = &p->batches[i];
        if (want == -3) walk_batch(p->log + b->pos, b->len, max_ts, &q);
        else if (b->max_ts >= want && walk_batch(p->log + b->pos, b->len, at_or_after, &q))
            break;
    }
    *offset = q.offset;
    *ts = q.ts;
}

/* The leader epoch ListOffsets names with an offset: that of the batch
 * holding it (its header's), the current one past the last batch. */
static int32_t epoch_at(const mock_part *p, int64_t offset) {
    if (offset < 0) return -1;
    size_t i = mock_part_find(p, offset);
    if (i == p->bcount || p->batches[i].base > offset) return p->leader_epoch;
    const uint8_t *b = p->log + p->batches[i].pos + 12;
    return (int32_t)((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]);
}

int mock_list_offsets(mock_ctx *c) {
    const kfk_list_offsets_request *q = c->req;
    kfk_list_offsets_response *r = c->resp;
    if (MOCK_ARRAY(c, r->topics, q->topics.count)) return KFK_ERR_NOMEM;
    int32_t nt = r->topics.count;
    for (int32_t i = 0; i < nt; i++) {
        const kfk_list_offsets_request_topic *qt = &q->topics.items[i];
        kfk_list_offsets_response_topic_response *rt = &r->topics.items[i];
        rt->name = qt->name;
        const mock_topic *t = mock_topic_find(c->m, qt->name);
        if (MOCK_ARRAY(c, rt->partitions, qt->partitions.count)) return KFK_ERR_NOMEM;
        int32_t np = rt->partitions.count;
        for (int32_t j = 0; j < np; j++) {
            const kfk_list_offsets_request_partition *qp = &qt->partitions.items[j];
            kfk_list_offsets_response_partition_response *rp = &rt->partitions.items[j];
            rp->partition_index = qp->partition_index;
            rp->timestamp = -1;
            rp->offset = -1;
            rp->leader_epoch = -1;
            const mock_part *p = t && qp->partition_index >= 0 && qp->partition_index < t->nparts
                                     ? &t->parts[qp->partition_index] : NULL;
            if (c->inj) rp->error_code = c->inj;
            else if (!p) rp->error_code = KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION;
            else if (p->leader != c->broker) rp->error_code = KFK_ERR_NOT_LEADER_OR_FOLLOWER;
            else {
                lookup(p, qp->timestamp, q->isolation_level == 1, &rp->offset, &rp->timestamp);
                rp->leader_epoch = epoch_at(p, rp->offset);
            }
        }
    }
    return KFK_MOCK_REPLY;
}
