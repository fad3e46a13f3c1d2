/* Transactions for the mock: the coordinator's side (InitProducerId with a
 * transactional id, AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit,
 * EndTxn, timeouts) and the partition's side (open transactions, the last
 * stable offset, the aborted transactions a read_committed Fetch names).
 * As Kafka's transactions v1: the client adds partitions first; the
 * coordinator's markers are written at once, so a transaction goes from
 * Ongoing to Complete without the Prepare states a client could observe. */
#include <string.h>

#include "core/alloc.h"
#include "kfk.h"
#include "mock/mock_int.h"
#include "records/batch.h"
#include "records/records.h"

/* Kafka's transaction.max.timeout.ms default. */
#define MOCK_TXN_MAX_TIMEOUT 900000

enum { TXN_EMPTY, TXN_ONGOING, TXN_COMPLETE_COMMIT, TXN_COMPLETE_ABORT };

typedef struct txn_tp {
    char *topic;
    int32_t partition;
} txn_tp;

/* An offset a TxnOffsetCommit left pending until the transaction ends. */
typedef struct txn_off {
    char *group, *topic, *meta; /* meta NULL: null */
    int32_t partition, leader_epoch;
    int64_t offset;
} txn_off;

struct mock_txn {
    char *id;
    int64_t pid, prev_pid;
    int16_t epoch;
    int state;
    int32_t timeout_ms;
    int64_t started;
    txn_tp *parts;
    int32_t nparts, pcap;
    char **groups;
    int32_t ngroups, gcap;
    txn_off *offs;
    int32_t noffs, ocap;
};

/* A partition's transactions: those still open, with their first offset,
 * and the aborted ones, with their first offset and their marker's. */
typedef struct open_txn {
    int64_t pid, first;
} open_txn;

typedef struct aborted_txn {
    int64_t pid, first, last;
} aborted_txn;

struct mock_ptxn {
    open_txn *open;
    int32_t nopen, ocap;
    aborted_txn *aborted;
    int32_t naborted, acap;
};

/* Grows *items (n used, *cap allocated) to hold one more: 0 or -1. */
static int grow(void *items, int32_t n, int32_t *cap, size_t elem) {
    if (n < *cap) return 0;
    int32_t c = *cap ? *cap * 2 : 4;
    void *p = kfk_realloc(*(void **)items, (size_t)c * elem);
    if (!p) return -1;
    *(void **)items = p;
    *cap = c;
    return 0;
}

static int str_is(const char *s, kfk_str k) {
    return k.len >= 0 && strlen(s) == (size_t)k.len && !memcmp(s, k.ptr, (size_t)k.len);
}

static void offs_clear(struct mock_txn *t) {
    for (int32_t i = 0; i < t->noffs; i++) {
        kfk_free(t->offs[i].group);
        kfk_free(t->offs[i].topic);
        kfk_free(t->offs[i].meta);
    }
    t->noffs = 0;
}

/* Forgets the partitions and groups of the transaction that ended. */
static void txn_reset(struct mock_txn *t) {
    for (int32_t i = 0; i < t->nparts; i++) kfk_free(t->parts[i].topic);
    for (int32_t i = 0; i < t->ngroups; i++) kfk_free(t->groups[i]);
    t->nparts = t->ngroups = 0;
    offs_clear(t);
}

static void txn_free(struct mock_txn *t) {
    txn_reset(t);
    kfk_free(t->parts);
    kfk_free(t->groups);
    kfk_free(t->offs);
    kfk_free(t->id);
    kfk_free(t);
}

void mock_txns_free(kfk_mock *m) {
    for (int32_t i = 0; i < m->ntxns; i++) txn_free(m->txns[i]);
    kfk_free(m->txns);
    m->txns = NULL;
    m->ntxns = m->txcap = 0;
}

void mock_ptxn_free(mock_part *p) {
    if (!p->txn) return;
    kfk_free(p->txn->open);
    kfk_free(p->txn->aborted);
    kfk_free(p->txn);
    p->txn = NULL;
}

static struct mock_txn *txn_find(const kfk_mock *m, kfk_str id) {
    for (int32_t i = 0; i < m->ntxns; i++)
        if (str_is(m->txns[i]->id, id)) return m->txns[i];
    return NULL;
}

static struct mock_txn *txn_by_pid(const kfk_mock *m, int64_t pid) {
    for (int32_t i = 0; i < m->ntxns; i++)
        if (m->txns[i]->pid == pid) return m->txns[i];
    return NULL;
}

static struct mock_txn *txn_new(kfk_mock *m, kfk_str id) {
    if (grow(&m->txns, m->ntxns, &m->txcap, sizeof *m->txns)) return NULL;
    struct mock_txn *t = kfk_calloc(1, sizeof *t);
    if (!t || !(t->id = mock_strdup(id))) {
        kfk_free(t);
        return NULL;
    }
    t->pid = m->next_pid++;
    t->prev_pid = -1;
    t->epoch = -1;
    m->txns[m->ntxns++] = t;
    return t;
}

static mock_part *part_of(const kfk_mock *m, const char *topic, int32_t partition) {
    mock_topic *t = mock_topic_find(m, kfk_str_of(topic));
    return t && partition >= 0 && partition < t->nparts ? &t->parts[partition] : NULL;
}

/* ------------------------------------------------ the partitions' side */

int64_t mock_part_lso(const mock_part *p) {
    int64_t lso = p->hw;
    for (int32_t i = 0; p->txn && i < p->txn->nopen; i++)
        if (p->txn->open[i].first < lso) lso = p->txn->open[i].first;
    return lso;
}

int16_t mock_txn_produce_check(const kfk_mock *m, const char *topic, int32_t partition,
                               int64_t pid, int16_t epoch) {
    const struct mock_txn *t = txn_by_pid(m, pid);
    if (!t) return KFK_ERR_INVALID_PRODUCER_ID_MAPPING;
    if (epoch < t->epoch) return KFK_ERR_INVALID_PRODUCER_EPOCH;
    if (epoch > t->epoch || t->state != TXN_ONGOING) return KFK_ERR_INVALID_TXN_STATE;
    for (int32_t i = 0; i < t->nparts; i++)
        if (t->parts[i].partition == partition && !strcmp(t->parts[i].topic, topic)) return 0;
    /* Not added to the transaction first (KIP-890's verification). */
    return KFK_ERR_INVALID_TXN_STATE;
}

int mock_txn_appended(mock_part *p, int64_t pid, int64_t offset) {
    if (!p->txn && !(p->txn = kfk_calloc(1, sizeof *p->txn))) return -1;
    struct mock_ptxn *x = p->txn;
    for (int32_t i = 0; i < x->nopen; i++)
        if (x->open[i].pid == pid) return 0;
    if (grow(&x->open, x->nopen, &x->ocap, sizeof *x->open)) return -1;
    x->open[x->nopen++] = (open_txn){pid, offset};
    return 0;
}

int32_t mock_part_aborted(const mock_part *p, int64_t from, int64_t to, kfk_arena *a,
                          kfk_fetch_response_aborted_transaction **out) {
    *out = NULL;
    int32_t n = 0;
    for (int32_t i = 0; p->txn && i < p->txn->naborted; i++)
        n += p->txn->aborted[i].last >= from && p->txn->aborted[i].first < to;
    if (!n) return 0;
    if (!(*out = kfk_arena_array(a, (size_t)n, sizeof **out))) return -1;
    n = 0;
    for (int32_t i = 0; i < p->txn->naborted; i++) {
        const aborted_txn *x = &p->txn->aborted[i];
        if (x->last >= from && x->first < to) (*out)[n++] = (kfk_fetch_response_aborted_transaction){x->pid, x->first};
    }
    return n;
}

/* Whether a control batch is a COMMIT marker (its record's key says);
 * an unreadable one counts as an abort. */
static int marker_commits(const uint8_t *b, uint32_t len) {
    kfk_rbuf r = kfk_rbuf_make(b + MOCK_BATCH_HEADER, len - MOCK_BATCH_HEADER);
    kfk_rd_varint(&r); /* record length */
    kfk_rd_i8(&r);     /* attributes */
    kfk_rd_varlong(&r);
    kfk_rd_varint(&r);
    int32_t klen = kfk_rd_varint(&r);
    return !r.err && klen == 4 && kfk_rbuf_left(&r) >= 4 &&
           kfk_control_type((kfk_bytes){r.p, 4}) == KFK_CONTROL_COMMIT;
}

int mock_txn_rebuild(mock_part *p) {
    struct mock_ptxn *x = p->txn;
    if (!x) return 0;
    x->nopen = x->naborted = 0;
    for (size_t i = p->bhead; i < p->bcount; i++) {
        const mock_batch *mb = &p->batches[i];
        const uint8_t *b = p->log + mb->pos;
        if (!(b[22] & KFK_ATTR_TRANSACTIONAL)) continue;
        kfk_rbuf pr = kfk_rbuf_make(b + 43, 8);
        int64_t pid = kfk_rd_i64(&pr);
        int32_t k = 0;
        while (k < x->nopen && x->open[k].pid != pid) k++;
        if (!(b[22] & KFK_ATTR_CONTROL)) {
            if (k == x->nopen && mock_txn_appended(p, pid, mb->base)) return -1;
            continue;
        }
        if (k == x->nopen) continue; /* a marker for data the log lost */
        int64_t first = x->open[k].first;
        x->open[k] = x->open[--x->nopen];
        if (marker_commits(b, mb->len)) continue;
        if (grow(&x->aborted, x->naborted, &x->acap, sizeof *x->aborted)) return -1;
        x->aborted[x->naborted++] = (aborted_txn){pid, first, mb->base};
    }
    return 0;
}

/* The producer's state on p takes the marker's epoch: older batches are
 * fenced, and a bumped epoch starts its sequences again. */
static void pstate_fence(mock_part *p, int64_t pid, int16_t epoch) {
    for (int32_t i = 0; i < p->nproducers; i++) {
        mock_pstate *s = &p->producers[i];
        if (s->pid == pid && epoch > s->epoch) {
            s->epoch = epoch;
            s->nrecent = 0;
        }
    }
}

/* Appends a COMMIT or ABORT control batch for pid to p, closes its open
 * transaction there and, on abort, remembers the aborted range. */
static int write_marker(kfk_mock *m, mock_part *p, int64_t pid, int16_t epoch, int commit,
                        int64_t now) {
    kfk_wbuf w = {0};
    kfk_batch_builder b;
    kfk_batch_builder_init(&b, &w);
    const uint8_t key[4] = {0, 0, 0, (uint8_t)(commit ? KFK_CONTROL_COMMIT : KFK_CONTROL_ABORT)};
    /* The value: version 0 and the coordinator epoch (always 0 here). */
    const uint8_t value[6] = {0};
    kfk_batch_append(&b, now, (kfk_bytes){key, 4}, (kfk_bytes){value, 6}, NULL, 0);
    kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
    o.producer_id = pid;
    o.producer_epoch = epoch;
    o.flags = KFK_ATTR_TRANSACTIONAL | KFK_ATTR_CONTROL;
    int rc = kfk_batch_finish(&b, &o, NULL) || w.err ? -1 : 0;
    int64_t off = rc ? -1 : mock_part_append(m, p, w.data, (uint32_t)w.len, now);
    kfk_wbuf_free(&w);
    if (off < 0) return -1;
    pstate_fence(p, pid, epoch);
    struct mock_ptxn *x = p->txn;
    for (int32_t i = 0; x && i < x->nopen; i++) {
        if (x->open[i].pid != pid) continue;
        int64_t first = x->open[i].first;
        x->open[i] = x->open[--x->nopen];
        if (commit) break;
        /* Aborts wholly before the log start no fetch can reach. */
        int32_t kept = 0;
        for (int32_t k = 0; k < x->naborted; k++)
            if (x->aborted[k].last >= p->log_start) x->aborted[kept++] = x->aborted[k];
        x->naborted = kept;
        if (grow(&x->aborted, x->naborted, &x->acap, sizeof *x->aborted)) return -1;
        x->aborted[x->naborted++] = (aborted_txn){pid, first, off};
        break;
    }
    return 0;
}

/* Ends t's transaction: markers into each partition, pending offsets
 * committed or dropped. */
static void txn_complete(kfk_mock *m, struct mock_txn *t, int commit, int64_t now) {
    for (int32_t i = 0; i < t->nparts; i++) {
        mock_part *p = part_of(m, t->parts[i].topic, t->parts[i].partition);
        if (p) write_marker(m, p, t->pid, t->epoch, commit, now);
    }
    for (int32_t i = 0; commit && i < t->noffs; i++) {
        const txn_off *o = &t->offs[i];
        mock_group *g = mock_group_get(m, kfk_str_of(o->group), 1);
        if (g)
            mock_offset_put(g, kfk_str_of(o->topic), o->partition, o->offset, o->leader_epoch,
                            o->meta ? kfk_str_of(o->meta) : (kfk_str){NULL, -1});
    }
    txn_reset(t);
    t->state = commit ? TXN_COMPLETE_COMMIT : TXN_COMPLETE_ABORT;
}

/* Aborts t with its epoch bumped, fencing the producer that opened it. */
static void txn_fence(kfk_mock *m, struct mock_txn *t, int64_t now) {
    if (t->epoch < INT16_MAX) t->epoch++;
    txn_complete(m, t, 0, now);
}

void mock_txn_expire(kfk_mock *m, int64_t now) {
    for (int32_t i = 0; i < m->ntxns; i++) {
        struct mock_txn *t = m->txns[i];
        if (t->state == TXN_ONGOING && now - t->started > t->timeout_ms) txn_fence(m, t, now);
    }
}

/* ------------------------------------------------ the coordinator's side */

/* Before these versions a fenced producer hears INVALID_PRODUCER_EPOCH. */
static int16_t fenced(int16_t version, int16_t since) {
    return version >= since ? KFK_ERR_PRODUCER_FENCED : KFK_ERR_INVALID_PRODUCER_EPOCH;
}

/* The checks every call of an open transaction passes: the coordinator,
 * the id, producer id and epoch. 0 with *out set, or the error. */
static int16_t txn_check(mock_ctx *c, kfk_str id, int64_t pid, int16_t epoch, int16_t fenced_since,
                         struct mock_txn **out) {
    if (c->inj) return c->inj;
    if (id.len <= 0) return KFK_ERR_INVALID_REQUEST;
    if (mock_coordinator_of(c->m, 1, id) != c->broker) return KFK_ERR_NOT_COORDINATOR;
    struct mock_txn *t = txn_find(c->m, id);
    if (!t || t->pid != pid) return KFK_ERR_INVALID_PRODUCER_ID_MAPPING;
    if (t->epoch != epoch) return fenced(c->version, fenced_since);
    *out = t;
    return 0;
}

/* Starts the transaction at its first partition or group. */
static void txn_begin(struct mock_txn *t, int64_t now) {
    if (t->state == TXN_ONGOING) return;
    t->state = TXN_ONGOING;
    t->started = now;
}

int mock_txn_init_producer_id(mock_ctx *c) {
    const kfk_init_producer_id_request *q = c->req;
    kfk_init_producer_id_response *r = c->resp;
    r->producer_id = -1;
    r->producer_epoch = -1;
    int16_t err = c->inj;
    if (!err && q->transactional_id.len == 0) err = KFK_ERR_INVALID_REQUEST;
    if (!err && (q->transaction_timeout_ms <= 0 || q->transaction_timeout_ms > MOCK_TXN_MAX_TIMEOUT))
        err = KFK_ERR_INVALID_TRANSACTION_TIMEOUT;
    if (!err && mock_coordinator_of(c->m, 1, q->transactional_id) != c->broker) err = KFK_ERR_NOT_COORDINATOR;
    struct mock_txn *t = err ? NULL : txn_find(c->m, q->transactional_id);
    if (!err && !t && !(t = txn_new(c->m, q->transactional_id))) err = KFK_ERR_UNKNOWN_SERVER_ERROR;
    int expected = q->producer_id != -1 || q->producer_epoch != -1;
    /* A producer naming its id and epoch (KIP-360) must be this id's
     * current one, or one just rotated away from at an exhausted epoch. */
    if (!err && expected && t->epoch != -1 && q->producer_id != t->pid &&
        !(q->producer_id == t->prev_pid && q->producer_epoch >= INT16_MAX - 1))
        err = fenced(c->version, 4);
    if (!err && t->state == TXN_ONGOING) {
        /* The open transaction is aborted with a bumped epoch; the caller
         * retries, and gets an epoch of its own. */
        txn_fence(c->m, t, c->now_ms);
        err = KFK_ERR_CONCURRENT_TRANSACTIONS;
    }
    if (!err && expected && q->producer_id == t->pid && q->producer_epoch != t->epoch)
        err = fenced(c->version, 4);
    if (err) {
        r->error_code = err;
        return KFK_MOCK_REPLY;
    }
    if (t->epoch >= INT16_MAX - 1) {
        t->prev_pid = t->pid;
        t->pid = c->m->next_pid++;
        t->epoch = 0;
    } else {
        t->epoch++;
    }
    t->timeout_ms = q->transaction_timeout_ms;
    t->state = TXN_EMPTY;
    txn_reset(t);
    r->producer_id = t->pid;
    r->producer_epoch = t->epoch;
    return KFK_MOCK_REPLY;
}

static int txn_has(const struct mock_txn *t, kfk_str topic, int32_t partition) {
    for (int32_t i = 0; i < t->nparts; i++)
        if (t->parts[i].partition == partition && str_is(t->parts[i].topic, topic)) return 1;
    return 0;
}

static int16_t txn_add(struct mock_txn *t, kfk_str topic, int32_t partition) {
    if (txn_has(t, topic, partition)) return 0;
    if (grow(&t->parts, t->nparts, &t->pcap, sizeof *t->parts)) return KFK_ERR_UNKNOWN_SERVER_ERROR;
    char *name = mock_strdup(topic);
    if (!name) return KFK_ERR_UNKNOWN_SERVER_ERROR;
    t->parts[t->nparts++] = (txn_tp){name, partition};
    return 0;
}

/* One transaction's AddPartitionsToTxn (either shape): every partition
 * answered in rt[0..n). Unknown partitions fail and spare the others
 * (OPERATION_NOT_ATTEMPTED), as Kafka checks them before the coordinator. */
static int add_partitions(mock_ctx *c, kfk_str id, int64_t pid, int16_t epoch, int verify,
                          const kfk_add_partitions_to_txn_request_topic *qt, int32_t nt,
                          kfk_add_partitions_to_txn_response_topic_result *rt) {
    int unknown = 0;
    for (int32_t i = 0; i < nt; i++) {
        const mock_topic *t = mock_topic_find(c->m, qt[i].name);
        for (int32_t j = 0; j < qt[i].partitions.count; j++) {
            int32_t pi = qt[i].partitions.items[j];
            unknown |= !t || pi < 0 || pi >= t->nparts;
        }
    }
    struct mock_txn *x = NULL;
    int16_t err = c->inj ? c->inj : unknown ? KFK_ERR_OPERATION_NOT_ATTEMPTED
                                            : txn_check(c, id, pid, epoch, 2, &x);
    for (int32_t i = 0; i < nt; i++) {
        rt[i].name = qt[i].name;
        if (MOCK_ARRAY(c, rt[i].results_by_partition, qt[i].partitions.count)) return KFK_ERR_NOMEM;
        const mock_topic *t = mock_topic_find(c->m, qt[i].name);
        for (int32_t j = 0; j < qt[i].partitions.count; j++) {
            kfk_add_partitions_to_txn_response_partition_result *pr = &rt[i].results_by_partition.items[j];
            int32_t pi = qt[i].partitions.items[j];
            pr->partition_index = pi;
            int16_t e = err;
            if (unknown && !c->inj && (!t || pi < 0 || pi >= t->nparts))
                e = KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION;
            if (!e && verify)
                e = x->state == TXN_ONGOING && txn_has(x, qt[i].name, pi) ? 0 : KFK_ERR_TRANSACTION_ABORTABLE;
            else if (!e)
                e = txn_add(x, qt[i].name, pi);
            pr->partition_error_code = e;
        }
    }
    if (!err && !verify && x->nparts) txn_begin(x, c->now_ms);
    return 0;
}

int mock_add_partitions_to_txn(mock_ctx *c) {
    const kfk_add_partitions_to_txn_request *q = c->req;
    kfk_add_partitions_to_txn_response *r = c->resp;
    if (c->version <= 3) {
        if (MOCK_ARRAY(c, r->results_by_topic_v3_and_below, q->v3_and_below_topics.count))
            return KFK_ERR_NOMEM;
        return add_partitions(c, q->v3_and_below_transactional_id, q->v3_and_below_producer_id,
                              q->v3_and_below_producer_epoch, 0, q->v3_and_below_topics.items,
                              r->results_by_topic_v3_and_below.count,
                              r->results_by_topic_v3_and_below.items)
                   ? KFK_ERR_NOMEM : KFK_MOCK_REPLY;
    }
    /* v4+: several transactions, some only asking whether partitions are
     * in them (a partition leader verifying a transactional Produce). */
    if (MOCK_ARRAY(c, r->results_by_transaction, q->transactions.count)) return KFK_ERR_NOMEM;
    for (int32_t i = 0; i < r->results_by_transaction.count; i++) {
        const kfk_add_partitions_to_txn_request_transaction *qx = &q->transactions.items[i];
        kfk_add_partitions_to_txn_response_result *rx = &r->results_by_transaction.items[i];
        rx->transactional_id = qx->transactional_id;
        if (MOCK_ARRAY(c, rx->topic_results, qx->topics.count) ||
            add_partitions(c, qx->transactional_id, qx->producer_id, qx->producer_epoch,
                           qx->verify_only, qx->topics.items, rx->topic_results.count,
                           rx->topic_results.items))
            return KFK_ERR_NOMEM;
    }
    return KFK_MOCK_REPLY;
}

int mock_add_offsets_to_txn(mock_ctx *c) {
    const kfk_add_offsets_to_txn_request *q = c->req;
    kfk_add_offsets_to_txn_response *r = c->resp;
    struct mock_txn *t = NULL;
    int16_t err = txn_check(c, q->transactional_id, q->producer_id, q->producer_epoch, 2, &t);
    if (!err && q->group_id.len <= 0) err = KFK_ERR_INVALID_GROUP_ID;
    int seen = 0;
    for (int32_t i = 0; !err && i < t->ngroups; i++) seen |= str_is(t->groups[i], q->group_id);
    if (!err && !seen) {
        char *g = mock_strdup(q->group_id);
        if (!g || grow(&t->groups, t->ngroups, &t->gcap, sizeof *t->groups)) {
            kfk_free(g);
            err = KFK_ERR_UNKNOWN_SERVER_ERROR;
        } else {
            t->groups[t->ngroups++] = g;
        }
    }
    if (!err) txn_begin(t, c->now_ms);
    r->error_code = err;
    return KFK_MOCK_REPLY;
}

int mock_end_txn(mock_ctx *c) {
    const kfk_end_txn_request *q = c->req;
    kfk_end_txn_response *r = c->resp;
    struct mock_txn *t = NULL;
    int16_t err = txn_check(c, q->transactional_id, q->producer_id, q->producer_epoch, 2, &t);
    if (!err) {
        int commit = q->committed;
        if (t->state == TXN_ONGOING)
            txn_complete(c->m, t, commit, c->now_ms);
        else if (t->state != (commit ? TXN_COMPLETE_COMMIT : TXN_COMPLETE_ABORT))
            err = KFK_ERR_INVALID_TXN_STATE; /* a retry of the same end is fine */
    }
    r->error_code = err;
    r->producer_id = t ? t->pid : -1;
    r->producer_epoch = t ? t->epoch : -1;
    return KFK_MOCK_REPLY;
}

static int16_t off_add(struct mock_txn *t, kfk_str group, kfk_str topic,
                       const kfk_txn_offset_commit_request_partition *qp) {
    for (int32_t i = 0; i < t->noffs; i++) {
        txn_off *o = &t->offs[i];
        if (o->partition == qp->partition_index && str_is(o->group, group) && str_is(o->topic, topic)) {
            char *meta = qp->committed_metadata.len >= 0 ? mock_strdup(qp->committed_metadata) : NULL;
            if (qp->committed_metadata.len >= 0 && !meta) return KFK_ERR_UNKNOWN_SERVER_ERROR;
            kfk_free(o->meta);
            o->meta = meta;
            o->offset = qp->committed_offset;
            o->leader_epoch = qp->committed_leader_epoch;
            return 0;
        }
    }
    if (grow(&t->offs, t->noffs, &t->ocap, sizeof *t->offs)) return KFK_ERR_UNKNOWN_SERVER_ERROR;
    txn_off o = {mock_strdup(group), mock_strdup(topic), NULL, qp->partition_index,
                 qp->committed_leader_epoch, qp->committed_offset};
    if (qp->committed_metadata.len >= 0) o.meta = mock_strdup(qp->committed_metadata);
    if (!o.group || !o.topic || (qp->committed_metadata.len >= 0 && !o.meta)) {
        kfk_free(o.group);
        kfk_free(o.topic);
        kfk_free(o.meta);
        return KFK_ERR_UNKNOWN_SERVER_ERROR;
    }
    t->offs[t->noffs++] = o;
    return 0;
}

int mock_txn_pending(const kfk_mock *m, kfk_str group, kfk_str topic, int32_t partition) {
    for (int32_t i = 0; i < m->ntxns; i++) {
        const struct mock_txn *t = m->txns[i];
        for (int32_t j = 0; t->state == TXN_ONGOING && j < t->noffs; j++)
            if (t->offs[j].partition == partition && str_is(t->offs[j].group, group) &&
                str_is(t->offs[j].topic, topic))
                return 1;
    }
    return 0;
}

/* The group coordinator's checks of a TxnOffsetCommit: the group's
 * member (v3+) and the transaction, which must have added the group. */
static int16_t txn_commit_check(mock_ctx *c, struct mock_txn **out) {
    const kfk_txn_offset_commit_request *q = c->req;
    if (c->inj) return c->inj;
    if (q->group_id.len <= 0) return KFK_ERR_INVALID_GROUP_ID;
    if (mock_coordinator(c->m, q->group_id) != c->broker) return KFK_ERR_NOT_COORDINATOR;
    mock_group *g = mock_group_get(c->m, q->group_id, 1);
    if (!g) return KFK_ERR_UNKNOWN_SERVER_ERROR;
    if (q->generation_id_or_member_epoch >= 0 || q->member_id.len > 0) {
        int16_t e = g->consumer ? mock_cmember_check(c->m, g, q->member_id, q->generation_id_or_member_epoch, c->now_ms)
                                : mock_member_check(g, q->member_id, q->generation_id_or_member_epoch, c->now_ms);
        if (e) return e;
    }
    struct mock_txn *t = txn_find(c->m, q->transactional_id);
    if (!t || t->pid != q->producer_id) return KFK_ERR_INVALID_PRODUCER_ID_MAPPING;
    if (q->producer_epoch != t->epoch) return KFK_ERR_INVALID_PRODUCER_EPOCH;
    int added = 0;
    for (int32_t i = 0; t->state == TXN_ONGOING && i < t->ngroups; i++) added |= str_is(t->groups[i], q->group_id);
    if (!added) return KFK_ERR_INVALID_TXN_STATE;
    *out = t;
    return 0;
}

int mock_txn_offset_commit(mock_ctx *c) {
    const kfk_txn_offset_commit_request *q = c->req;
    kfk_txn_offset_commit_response *r = c->resp;
    struct mock_txn *t = NULL;
    int16_t err = txn_commit_check(c, &t);
    if (MOCK_ARRAY(c, r->topics, q->topics.count)) return KFK_ERR_NOMEM;
    for (int32_t i = 0; i < r->topics.count; i++) {
        const kfk_txn_offset_commit_request_topic *qt = &q->topics.items[i];
        kfk_txn_offset_commit_response_topic *rt = &r->topics.items[i];
        rt->name = qt->name;
        rt->topic_id = qt->topic_id;
        const mock_topic *tp = mock_topic_find(c->m, qt->name);
        if (MOCK_ARRAY(c, rt->partitions, qt->partitions.count)) return KFK_ERR_NOMEM;
        for (int32_t j = 0; j < rt->partitions.count; j++) {
            const kfk_txn_offset_commit_request_partition *qp = &qt->partitions.items[j];
            int16_t e = err;
            if (!e && (!tp || qp->partition_index < 0 || qp->partition_index >= tp->nparts))
                e = KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION;
            if (!e) e = off_add(t, q->group_id, qt->name, qp);
            rt->partitions.items[j].partition_index = qp->partition_index;
            rt->partitions.items[j].error_code = e;
        }
    }
    return KFK_MOCK_REPLY;
}
