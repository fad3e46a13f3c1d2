/* Request framing for the mock: header, injected faults, the handler of
 * the API, the response frame. */
#include "core/alloc.h"
#include "kfk.h"
#include "mock/mock_int.h"

typedef struct mock_api {
    int16_t key, min_version, max_version; /* max 0: the codec's newest */
    int (*fn)(mock_ctx *c);
} mock_api;

/* What the mock answers. Produce needs v3+ and Fetch v4+ (record batches
 * v2 only); JoinGroup v4+ (member ids handed out first, KIP-394); the
 * offset APIs name topics, not ids, up to v9 (which carry KIP-848 member
 * epochs); ConsumerGroupHeartbeat v1 names its member itself (KIP-1082).
 * Transactions are v1's (no epoch bump at each EndTxn, KIP-890's v5): the
 * transaction APIs stop before it; AddPartitionsToTxn v4 is the brokers'.
 * OffsetForLeaderEpoch from v2, as Kafka 4 (librdkafka asks v2, kfk v3+). */
static const mock_api apis[] = {
    {KFK_API_PRODUCE, 3, 0, mock_produce},
    {KFK_API_FETCH, 4, 0, mock_fetch},
    {KFK_API_LIST_OFFSETS, 1, 0, mock_list_offsets},
    {KFK_API_METADATA, 0, 0, mock_metadata},
    {KFK_API_OFFSET_COMMIT, 2, 9, mock_offset_commit},
    {KFK_API_OFFSET_FETCH, 1, 9, mock_offset_fetch},
    {KFK_API_FIND_COORDINATOR, 0, 0, mock_find_coordinator},
    {KFK_API_JOIN_GROUP, 4, 0, mock_join_group},
    {KFK_API_HEARTBEAT, 0, 0, mock_heartbeat},
    {KFK_API_LEAVE_GROUP, 0, 0, mock_leave_group},
    {KFK_API_SYNC_GROUP, 0, 0, mock_sync_group},
    {KFK_API_API_VERSIONS, 0, 0, mock_api_versions},
    {KFK_API_CREATE_TOPICS, 0, 0, mock_create_topics},
    {KFK_API_DELETE_TOPICS, 0, 0, mock_delete_topics},
    {KFK_API_INIT_PRODUCER_ID, 0, 5, mock_init_producer_id},
    {KFK_API_CREATE_PARTITIONS, 0, 0, mock_create_partitions},
    {KFK_API_CONSUMER_GROUP_HEARTBEAT, 0, 1, mock_consumer_group_heartbeat},
    {KFK_API_CONSUMER_GROUP_DESCRIBE, 0, 1, mock_consumer_group_describe},
    {KFK_API_ADD_PARTITIONS_TO_TXN, 0, 4, mock_add_partitions_to_txn},
    {KFK_API_ADD_OFFSETS_TO_TXN, 0, 0, mock_add_offsets_to_txn},
    {KFK_API_END_TXN, 0, 4, mock_end_txn},
    {KFK_API_TXN_OFFSET_COMMIT, 0, 5, mock_txn_offset_commit},
    {KFK_API_DESCRIBE_GROUPS, 0, 0, mock_describe_groups},
    {KFK_API_LIST_GROUPS, 0, 0, mock_list_groups},
    {KFK_API_OFFSET_FOR_LEADER_EPOCH, 2, 0, mock_offset_for_leader_epoch},
};

static int16_t max_version(const mock_api *api) {
    return api->max_version ? api->max_version : kfk_api_info_get(api->key)->max_version;
}
#define NAPIS (sizeof apis / sizeof apis[0])

static const mock_api *api_find(int16_t key) {
    for (size_t i = 0; i < NAPIS; i++)
        if (apis[i].key == key) return &apis[i];
    return NULL;
}

/* The versions of api served, after a test's limits: 0, or -1 if none. */
static int versions(const kfk_mock *m, const mock_api *api, int16_t *min, int16_t *max) {
    *min = api->min_version;
    *max = max_version(api);
    return mock_api_limits(m, api->key, min, max);
}

int mock_api_versions(mock_ctx *c) {
    kfk_api_versions_response *r = c->resp;
    r->error_code = c->inj;
    if (MOCK_ARRAY(c, r->api_keys, (int32_t)NAPIS)) return KFK_ERR_NOMEM;
    int32_t n = 0;
    for (size_t i = 0; i < NAPIS; i++) {
        int16_t lo, hi;
        if (versions(c->m, &apis[i], &lo, &hi)) continue;
        r->api_keys.items[n].api_key = apis[i].key;
        r->api_keys.items[n].min_version = lo;
        r->api_keys.items[n++].max_version = hi;
    }
    r->api_keys.count = n;
    return KFK_MOCK_REPLY;
}

/* The first injected error queued for this API on this broker, consumed. */
static int16_t take_fault(kfk_mock *m, int32_t broker, int16_t api) {
    for (int i = 0; i < m->nfaults; i++) {
        mock_fault *f = &m->faults[i];
        if (f->api != api || (f->broker != -1 && f->broker != broker)) continue;
        int16_t err = f->err;
        m->fault_rtt_ms = f->rtt_ms;
        if (--f->count == 0) {
            for (int j = i + 1; j < m->nfaults; j++) m->faults[j - 1] = m->faults[j];
            m->nfaults--;
        }
        return err;
    }
    return 0;
}

static int respond(kfk_wbuf *out, const kfk_msg_desc *d, int16_t key, int16_t version,
                   int32_t corr, const void *resp) {
    size_t start = out->len;
    kfk_wr_i32(out, 0);
    int rc = kfk_response_header_write(out, key, version, corr);
    if (!rc) rc = kfk_msg_encode(out, d, version, resp);
    if (!rc && out->err) rc = KFK_ERR_NOMEM;
    if (rc) {
        out->len = start;
        return rc;
    }
    kfk_put_u32(out->data + start, (uint32_t)(out->len - start - 4));
    return KFK_MOCK_REPLY;
}

int kfk_mock_handle(kfk_mock *m, int32_t broker_id, const uint8_t *frame, size_t len,
                    int64_t now_ms, int64_t parked_since, kfk_wbuf *out) {
    int64_t recv_ms = parked_since < 0 ? now_ms : parked_since;
    mock_txn_expire(m, now_ms);
    kfk_rbuf r = kfk_rbuf_make(frame, len);
    kfk_request_header h;
    int rc = kfk_request_header_read(&r, &h);
    const mock_api *api = api_find(h.request_api_key);
    int16_t lo = 0, hi = -1;
    if (api && versions(m, api, &lo, &hi) && h.request_api_key != KFK_API_API_VERSIONS) api = NULL;
    if (rc == KFK_ERR_UNSUPPORTED_VERSION ||
        (!rc && api && (h.request_api_version < lo || h.request_api_version > hi))) {
        /* Clients learn what is supported from ApiVersions: answer its
         * unknown versions at v0 with the list; close on anything else. */
        if (h.request_api_key != KFK_API_API_VERSIONS) return KFK_ERR_MALFORMED;
        kfk_arena a = {0};
        kfk_api_versions_response resp;
        kfk_api_versions_response_init(&resp);
        mock_ctx c = {m, broker_id, 0, KFK_ERR_UNSUPPORTED_VERSION, 0, now_ms, recv_ms, &a, NULL, &resp, h.client_id};
        rc = mock_api_versions(&c);
        if (rc == KFK_MOCK_REPLY)
            rc = respond(out, &kfk_api_versions_response_desc, KFK_API_API_VERSIONS, 0,
                         h.correlation_id, &resp);
        kfk_arena_reset(&a);
        return rc;
    }
    if (rc || !api) return KFK_ERR_MALFORMED;
    const kfk_msg_desc *qd = kfk_request_desc(api->key), *sd = kfk_response_desc(api->key);
    kfk_arena a = {0};
    void *req = kfk_arena_alloc(&a, qd->s.size), *resp = kfk_arena_alloc(&a, sd->s.size);
    if (!req || !resp) {
        kfk_arena_reset(&a);
        return KFK_ERR_NOMEM;
    }
    rc = kfk_msg_decode(&r, qd, h.request_api_version, &a, req);
    if ((rc && rc != KFK_ERR_NOMEM) || (!rc && kfk_rbuf_left(&r))) rc = KFK_ERR_MALFORMED;
    if (!rc) {
        kfk_msg_init(sd, resp);
        mock_ctx c = {m, broker_id, h.request_api_version, 0, parked_since >= 0, now_ms, recv_ms, &a, req, resp,
                      h.client_id};
        /* Handlers answer an injected error at once: a request fed
         * again took no fault the first time. */
        if (!c.refed) c.inj = take_fault(m, broker_id, api->key);
        rc = api->fn(&c);
        if (rc == KFK_MOCK_REPLY)
            rc = respond(out, sd, api->key, h.request_api_version, h.correlation_id, resp);
    }
    kfk_arena_reset(&a);
    /* Encoding errors are Kafka codes (positive): the answer cannot go out. */
    return rc > KFK_MOCK_PARK ? KFK_ERR_MALFORMED : rc;
}
