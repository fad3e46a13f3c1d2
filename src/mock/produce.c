/* Produce for the mock: v2 record batches checked (size, magic, CRC),
 * idempotent sequences checked per producer and partition, then stored as
 * received with the base offset rewritten. acks=all is acks=1: the mock's
 * replicas are always in sync. */
#include "core/alloc.h"
#include "kfk.h"
#include "mock/mock_int.h"
#include "records/crc32c.h"
#include "records/records.h"

static int32_t be32(const uint8_t *p) {
    return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
}
static int64_t be64(const uint8_t *p) {
    return (int64_t)((uint64_t)(uint32_t)be32(p) << 32 | (uint32_t)be32(p + 4));
}

static int32_t seq_add(int32_t seq, int32_t n) {
    return (int32_t)(((int64_t)seq + n) % ((int64_t)INT32_MAX + 1));
}

mock_pstate *mock_pstate_get(mock_part *p, int64_t pid, int create) {
    for (int32_t i = 0; i < p->nproducers; i++)
        if (p->producers[i].pid == pid) return &p->producers[i];
    if (!create) return NULL;
    if (p->nproducers == p->pcap) {
        int32_t cap = p->pcap ? p->pcap * 2 : 4;
        mock_pstate *n = kfk_realloc(p->producers, (size_t)cap * sizeof *n);
        if (!n) return NULL;
        p->producers = n;
        p->pcap = cap;
    }
    mock_pstate *s = &p->producers[p->nproducers++];
    *s = (mock_pstate){.pid = pid, .epoch = -1};
    return s;
}

/* Checks a batch's sequence against the producer's state: 0 to append, a
 * Kafka error, or 1 for a duplicate of a recent batch (*dup_offset set). */
static int seq_check(const mock_pstate *s, int16_t epoch, int32_t first, int32_t last,
                     int64_t *dup_offset) {
    /* Its batches all left the log (a truncation): Kafka takes any
     * sequence from a producer it holds no state for. */
    if (s && s->epoch < 0) return 0;
    if (s && epoch < s->epoch) return KFK_ERR_INVALID_PRODUCER_EPOCH;
    /* A new epoch (or one a transaction marker fenced) starts at 0. */
    if (!s || epoch > s->epoch || s->nrecent == 0)
        return first == 0 ? 0 : KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
    for (int32_t i = 0; i < s->nrecent; i++) {
        if (s->recent[i].first_seq == first && s->recent[i].last_seq == last) {
            *dup_offset = s->recent[i].offset;
            return 1;
        }
    }
    int32_t newest = s->recent[s->nrecent - 1].last_seq;
    if (first == seq_add(newest, 1)) return 0;
    /* Behind the newest (allowing for the wrap at INT32_MAX): already seen. */
    int64_t behind = ((int64_t)newest - first + ((int64_t)INT32_MAX + 1)) % ((int64_t)INT32_MAX + 1);
    return behind < ((int64_t)1 << 30) ? KFK_ERR_DUPLICATE_SEQUENCE_NUMBER
                                       : KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
}

void mock_pstate_record(mock_pstate *s, int16_t epoch, int32_t first, int32_t last, int64_t off) {
    if (epoch != s->epoch) s->nrecent = 0;
    s->epoch = epoch;
    if (s->nrecent == MOCK_RECENT) {
        for (int i = 1; i < MOCK_RECENT; i++) s->recent[i - 1] = s->recent[i];
        s->nrecent--;
    }
    s->recent[s->nrecent].first_seq = first;
    s->recent[s->nrecent].last_seq = last;
    s->recent[s->nrecent++].offset = off;
}

/* Appends every batch of `records` to p (partition `index` of topic);
 * the answer is the first error or the first batch's base offset. */
static int16_t append_records(kfk_mock *m, const char *topic, int32_t index, mock_part *p,
                              kfk_bytes records, int64_t *base) {
    if (records.len < MOCK_BATCH_HEADER) return KFK_ERR_CORRUPT_MESSAGE;
    const uint8_t *d = records.ptr;
    size_t left = (size_t)records.len;
    *base = -1;
    while (left) {
        if (left < MOCK_BATCH_HEADER) return KFK_ERR_CORRUPT_MESSAGE;
        int32_t blen = be32(d + 8);
        if (blen < MOCK_BATCH_HEADER - 12 || (size_t)blen + 12 > left) return KFK_ERR_CORRUPT_MESSAGE;
        uint32_t len = (uint32_t)blen + 12;
        if (d[16] != 2) return KFK_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT;
        if ((uint32_t)be32(d + 17) != kfk_crc32c(0, d + 21, len - 21)) return KFK_ERR_CORRUPT_MESSAGE;
        int32_t last_delta = be32(d + 23), count = be32(d + 57);
        if (last_delta < 0 || count < 0) return KFK_ERR_CORRUPT_MESSAGE;
        int64_t pid = be64(d + 43);
        /* Control batches come from coordinators, not clients. */
        if (d[22] & KFK_ATTR_CONTROL) return KFK_ERR_INVALID_RECORD;
        int txn = (d[22] & KFK_ATTR_TRANSACTIONAL) != 0;
        int16_t epoch = (int16_t)((d[51] << 8) | d[52]);
        int32_t first = be32(d + 53), last = seq_add(first, last_delta);
        mock_pstate *s = NULL;
        int64_t off;
        if (pid >= 0) {
            if (pid >= m->next_pid) return KFK_ERR_UNKNOWN_PRODUCER_ID;
            int64_t dup = -1;
            int rc = seq_check(mock_pstate_get(p, pid, 0), epoch, first, last, &dup);
            if (rc == 1) {
                /* A retry of a stored batch: success with its offset. */
                if (*base < 0) *base = dup;
                goto next;
            }
            if (rc) return (int16_t)rc;
            if (txn && (rc = mock_txn_produce_check(m, topic, index, pid, epoch))) return (int16_t)rc;
            if (!(s = mock_pstate_get(p, pid, 1))) return KFK_ERR_UNKNOWN_SERVER_ERROR;
        } else if (txn) {
            return KFK_ERR_INVALID_RECORD; /* a transaction needs a producer id */
        }
        off = mock_part_append(m, p, d, len, be64(d + 35));
        if (off < 0 || (txn && mock_txn_appended(p, pid, off))) return KFK_ERR_UNKNOWN_SERVER_ERROR;
        if (s) mock_pstate_record(s, epoch, first, last, off);
        if (*base < 0) *base = off;
    next:
        d += len;
        left -= len;
    }
    return 0;
}

int mock_produce(mock_ctx *c) {
    const kfk_produce_request *q = c->req;
    kfk_produce_response *r = c->resp;
    int16_t acks_err = q->acks == 0 || q->acks == 1 || q->acks == -1 ? 0 : KFK_ERR_INVALID_REQUIRED_ACKS;
    if (MOCK_ARRAY(c, r->responses, q->topic_data.count)) return KFK_ERR_NOMEM;
    int32_t nt = r->responses.count;
    for (int32_t i = 0; i < nt; i++) {
        const kfk_produce_request_topic_produce_data *qt = &q->topic_data.items[i];
        kfk_produce_response_topic_produce_response *rt = &r->responses.items[i];
        rt->name = qt->name;
        rt->topic_id = qt->topic_id;
        mock_topic *t = c->version >= 13 ? mock_topic_find_id(c->m, &qt->topic_id)
                                         : mock_topic_find(c->m, qt->name);
        if (MOCK_ARRAY(c, rt->partition_responses, qt->partition_data.count)) return KFK_ERR_NOMEM;
        int32_t np = rt->partition_responses.count;
        for (int32_t j = 0; j < np; j++) {
            const kfk_produce_request_partition_produce_data *qp = &qt->partition_data.items[j];
            kfk_produce_response_partition_produce_response *rp = &rt->partition_responses.items[j];
            rp->index = qp->index;
            rp->log_append_time_ms = -1;
            rp->log_start_offset = -1;
            rp->error_message = (kfk_str){NULL, -1};
            rp->current_leader.leader_id = -1;
            rp->current_leader.leader_epoch = -1;
            mock_part *p = t && qp->index >= 0 && qp->index < t->nparts ? &t->parts[qp->index] : NULL;
            int16_t err = c->inj ? c->inj : acks_err;
            if (!err && !p)
                err = c->version >= 13 && !t ? KFK_ERR_UNKNOWN_TOPIC_ID : KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION;
            if (!err && p->leader != c->broker) {
                err = KFK_ERR_NOT_LEADER_OR_FOLLOWER;
                rp->current_leader.leader_id = p->leader;
                rp->current_leader.leader_epoch = p->leader_epoch;
            }
            if (!err && t->max_message_bytes && qp->records.len > t->max_message_bytes)
                err = KFK_ERR_MESSAGE_TOO_LARGE;
            if (!err) err = append_records(c->m, t->name, qp->index, p, qp->records, &rp->base_offset);
            rp->error_code = err;
            if (err) rp->base_offset = -1;
            if (p) rp->log_start_offset = p->log_start;
        }
    }
    return q->acks == 0 ? KFK_MOCK_NO_REPLY : KFK_MOCK_REPLY;
}
