/* Fetching (I/O thread): one Fetch per leader broker covering all its
 * fetchable partitions, at most one in flight per broker and per
 * partition; the response's records become messages without copying
 * (fetch_parse.h) and go to the poll queue under one lock per partition.
 * With a fetch session (fetch_session.h) a request lists only the
 * partitions that changed, but still covers all of them: f->parts.
 * Fetch v13+ names topics by id (KIP-516): used when every partition of
 * the request has a topic id in metadata, else v12 with names.
 *
 * Fetch from the closest replica (KIP-392): when the leader names a
 * preferred read replica (client.rack and a rack-aware replica selector on
 * the broker) the partition is fetched from that replica until it errs,
 * metadata.max.age.ms passes, the leader's epoch moves or the replica
 * leaves metadata; then from the leader again. A replica that could not
 * be reached is not asked again for metadata.max.age.ms: meanwhile the
 * partition's leader gets no client.rack, or it would keep naming the
 * replica and send no records. */
#include <string.h>

#include "consumer/consumer_int.h"
#include "consumer/fetch_parse.h"
#include "consumer/fetch_session.h"
#include "core/conf.h"
#include "core/alloc.h"

/* Kafka caps a batch at about 1 MiB by default; this bounds what one
 * compressed batch may expand to. */
#define MAX_DECOMPRESSED (256 << 20)

/* The newest Fetch with topic names; v13+ names them by id. */
#define FETCH_V_NAMES 12

typedef struct fetch_ctx {
    kfk_core_req r;
    kfk_consumer *c;
    kfk_arena arena; /* the request's arrays */
    kfk_fetch_request m;
    int32_t node;
    int n;
    int incremental;
    int ids; /* built for topic ids: v13+ allowed */
    int slot; /* f->node's entry in fetch_stats.nodes; -1: none */
    kfk_cpart **parts;
    kfk_fs_want *want; /* what parts asked for */
    uint8_t *via;      /* 1: part asked its preferred read replica */
    uint32_t *gens;
    int64_t *pos;
} fetch_ctx;

static int busy_find(const kfk_consumer *c, int32_t node) {
    for (int i = 0; i < c->nbusy; i++)
        if (c->busy[i] == node) return i;
    return -1;
}

static int busy_add(kfk_consumer *c, int32_t node) {
    if (c->nbusy == c->capbusy) {
        int cap = c->capbusy ? c->capbusy * 2 : 8;
        int32_t *b = kfk_realloc(c->busy, (size_t)cap * sizeof *b);
        if (!b) return KFK_ERR_NOMEM;
        c->busy = b;
        c->capbusy = cap;
    }
    c->busy[c->nbusy++] = node;
    return 0;
}

static void busy_del(kfk_consumer *c, int32_t node) {
    int i = busy_find(c, node);
    if (i >= 0) c->busy[i] = c->busy[--c->nbusy];
}

/* The session with node, created if missing; NULL when out of memory. */
static kfk_fetch_session *session_of(kfk_consumer *c, int32_t node) {
    for (int i = 0; i < c->nsessions; i++)
        if (c->sessions[i].node == node) return &c->sessions[i];
    if (c->nsessions == c->capsessions) {
        int cap = c->capsessions ? c->capsessions * 2 : 4;
        kfk_fetch_session *s = kfk_realloc(c->sessions, (size_t)cap * sizeof *s);
        if (!s) return NULL;
        c->sessions = s;
        c->capsessions = cap;
    }
    kfk_fetch_session *s = &c->sessions[c->nsessions++];
    kfk_fetch_session_init(s, node, c->cc.fetch_sessions);
    return s;
}

void kfk_fetch_sessions_free(kfk_consumer *c) {
    for (int i = 0; i < c->nsessions; i++) kfk_fetch_session_free(&c->sessions[i]);
    kfk_free(c->sessions);
}

void kfk_consumer_fetch_session_stats(kfk_consumer *c, kfk_fetch_session_stats *out) {
    pthread_mutex_lock(&c->lock);
    *out = c->fs_stats;
    pthread_mutex_unlock(&c->lock);
}

void kfk_consumer_fetch_stats(kfk_consumer *c, kfk_fetch_stats *out) {
    pthread_mutex_lock(&c->lock);
    *out = c->fetch_stats;
    pthread_mutex_unlock(&c->lock);
}

/* node's entry in the fetch stats, added if there is room; under c->lock. */
static int stats_slot(kfk_fetch_stats *st, int32_t node) {
    for (int i = 0; i < st->nnodes; i++)
        if (st->nodes[i].node == node) return i;
    if (st->nnodes == KFK_FETCH_STATS_NODES) return -1;
    st->nodes[st->nnodes] = (kfk_fetch_node_stats){.node = node, .version = -1};
    return st->nnodes++;
}

void kfk_consumer_fetch_hold_stats(kfk_consumer *c, kfk_fetch_hold_stats *out) {
    pthread_mutex_lock(&c->lock);
    *out = c->hold_stats;
    pthread_mutex_unlock(&c->lock);
}

/* The answer to s's request is lost (err 0) or refused: s starts over. */
static void session_failed(kfk_consumer *c, kfk_fetch_session *s, int err) {
    if (!s || !s->enabled) return;
    if (err)
        kfk_fetch_session_done(s, err, 0);
    else
        kfk_fetch_session_reset(s);
    pthread_mutex_lock(&c->lock);
    c->fs_stats.resets++;
    pthread_mutex_unlock(&c->lock);
}

static int is_session_error(int err) {
    return err == KFK_ERR_FETCH_SESSION_ID_NOT_FOUND ||
           err == KFK_ERR_INVALID_FETCH_SESSION_EPOCH ||
           err == KFK_ERR_FETCH_SESSION_TOPIC_ID_ERROR;
}

static const kfk_md_partition *md_part(const kfk_metadata *md, const kfk_cpart *p) {
    const kfk_md_topic *t = kfk_metadata_topic(md, p->topic);
    return t ? kfk_metadata_partition(t, p->partition) : NULL;
}

/* ------------------------------------------------- preferred read replica */

static void replica_count(kfk_consumer *c, int moved) {
    pthread_mutex_lock(&c->lock);
    if (moved)
        c->fetch_stats.replica_moves++;
    else
        c->fetch_stats.replica_drops++;
    pthread_mutex_unlock(&c->lock);
}

/* The leader named node as p's preferred read replica. */
static void replica_take(kfk_consumer *c, kfk_cpart *p, int32_t node) {
    if (node == p->read_replica) return;
    p->read_replica = node;
    p->read_epoch = p->fetch_epoch;
    p->read_until = kfk_io_now(c->io) + c->cc.metadata_max_age_ms;
    replica_count(c, 1);
    kfk_consumer_log(c, "%s [%d]: fetching from preferred read replica %d", p->topic,
                     (int)p->partition, (int)node);
}

/* Back to the leader; failed: the replica could not be reached. */
static void replica_drop(kfk_consumer *c, kfk_cpart *p, int failed, const char *why) {
    if (p->read_replica < 0) return;
    if (failed) {
        p->bad_replica = p->read_replica;
        p->bad_until = kfk_io_now(c->io) + c->cc.metadata_max_age_ms;
    }
    kfk_consumer_log(c, "%s [%d]: back to the leader from read replica %d: %s", p->topic,
                     (int)p->partition, (int)p->read_replica, why);
    p->read_replica = -1;
    replica_count(c, 0);
}

/* The node to fetch p from: its preferred read replica while that holds,
 * else mp's leader. */
static int32_t fetch_node(kfk_consumer *c, const kfk_metadata *md, kfk_cpart *p,
                          const kfk_md_partition *mp, int64_t now) {
    if (p->read_replica < 0) return mp->leader;
    const char *why = kfk_replica_lapse(p, mp->leader_epoch,
                                        kfk_metadata_broker(md, p->read_replica) != NULL, now);
    if (!why) return p->read_replica;
    replica_drop(c, p, 0, why);
    return mp->leader;
}

/* Errors that fresh metadata fixes; the position stays. */
static int is_leader_error(int err) {
    return err == KFK_ERR_NOT_LEADER_OR_FOLLOWER || err == KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION ||
           err == KFK_ERR_UNKNOWN_TOPIC_ID || err == KFK_ERR_INCONSISTENT_TOPIC_ID ||
           err == KFK_ERR_LEADER_NOT_AVAILABLE || err == KFK_ERR_KAFKA_STORAGE_ERROR ||
           err == KFK_ERR_REPLICA_NOT_AVAILABLE || err == KFK_ERR_OFFSET_NOT_AVAILABLE;
}

static void ctx_free(fetch_ctx *f) {
    kfk_arena_reset(&f->arena);
    kfk_free(f);
}

/* Every partition of f is free to fetch again. */
static void release_parts(fetch_ctx *f) {
    for (int i = 0; i < f->n; i++) {
        f->parts[i]->fetching = 0;
        f->parts[i]->inflight--;
    }
    busy_del(f->c, f->node);
}

/* ------------------------------------------------------------- responses */

static void deliver(kfk_consumer *c, kfk_cpart *p, const kfk_fetch_response_partition_data *pd,
                    kfk_rxbuf *rx, int32_t broker, int slot) {
    kfk_fetch_parse pp = {.topic = p->topic, .partition = p->partition, .broker = broker,
                          .part = p, .gen = p->io_gen, .pos = p->fetch_pos,
                          .check_crcs = c->cc.check_crcs, .max_decompressed = MAX_DECOMPRESSED,
                          .read_committed = c->cc.read_committed,
                          .aborted = pd->aborted_transactions.items,
                          .naborted = pd->aborted_transactions.count > 0
                                          ? pd->aborted_transactions.count : 0,
                          .next_pos = p->fetch_pos, .last_epoch = -1};
    /* Without records the parser does not run: last_epoch must say "none"
     * already, or an empty answer would set the position's epoch to 0. */
    kfk_chunk *ch = pd->records.len > 0 ? kfk_chunk_new(rx) : NULL;
    if (ch) kfk_chunk_reserve(ch, pd->records.ptr, (size_t)pd->records.len);
    if (ch) kfk_fetch_parse_run(&pp, ch, pd->records.ptr, (size_t)pd->records.len, &c->zbuf);
    if (pd->records.len > 0 && !ch) pp.err = KFK_ERR_NOMEM;
    /* Java's per-partition lag and lead, from the position this answer leads to */
    int64_t pos = pp.count || !pp.err ? pp.next_pos : p->fetch_pos;
    int64_t last = c->cc.read_committed && pd->last_stable_offset >= 0 ? pd->last_stable_offset
                                                                       : pd->high_watermark;
    pthread_mutex_lock(&c->lock);
    if (last >= 0) kfk_win_lite_add(&p->lag_win, last > pos ? last - pos : 0);
    if (pd->log_start_offset >= 0) kfk_win_lite_add(&p->lead_win, pos - pd->log_start_offset);
    if (slot >= 0 && pd->records.len > 0) c->fetch_stats.nodes[slot].bytes += pd->records.len;
    if (slot >= 0) c->fetch_stats.nodes[slot].partial += pp.partial;
    p->rx_wire += pd->records.len > 0 ? pd->records.len : 0;
    p->hwm = pd->high_watermark;
    p->lso = pd->last_stable_offset;
    p->lwm = pd->log_start_offset;
    if (pp.head && !p->removed && p->gen == p->io_gen) {
        kfk_queue_append(c, pp.head, pp.tail);
        p->queued_bytes += pp.bytes;
        p->queued_msgs += pp.count;
        p->rx_msgs += pp.count;
        p->rx_bytes += pp.bytes;
        c->stats.messages += pp.count;
    } else {
        p->rx_ver_drops += pp.count; /* re-positioned or revoked meanwhile */
        for (kfk_consumer_message *m = pp.head, *next; m; m = next) {
            next = kfk_cmsg(m)->next;
            kfk_consumer_message_release(m);
        }
    }
    pthread_mutex_unlock(&c->lock);
    kfk_chunk_unref(ch);
    if (pp.count || !pp.err) {
        p->fetch_pos = pos;
        if (pp.last_epoch >= 0) p->pos_epoch = pp.last_epoch;
    }
    p->attempts = 0;
    p->backlog = p->fetch_pos < last;
    if (pp.err == KFK_ERR_NOMEM) {
        kfk_cpart_backoff(c, p);
    } else if (pp.err || pp.too_large) {
        kfk_cpart_stop(c, p, pp.err ? pp.err : KFK_ERR_MSG_TOO_LARGE, p->fetch_pos);
    } else if (c->cc.partition_eof) {
        if (p->fetch_pos >= last && p->eof_at != p->fetch_pos) {
            p->eof_at = p->fetch_pos;
            kfk_cpart_event(c, p, KFK_ERR_PARTITION_EOF, p->fetch_pos);
        }
    }
}

/* A leader epoch error: FENCED (our metadata is stale) refreshes it, UNKNOWN
 * (the broker's is) waits; the position stays. 1 if the fetch session may
 * hold our old epoch for p: only a full request would replace it. */
static int epoch_error(kfk_consumer *c, kfk_cpart *p, int err) {
    pthread_mutex_lock(&c->lock);
    c->epoch_stats.fenced++;
    pthread_mutex_unlock(&c->lock);
    if (kfk_epoch_on_err(err) == KFK_EPOCH_WAIT) {
        kfk_cpart_delay(c, p);
        return 0;
    }
    kfk_cpart_backoff(c, p);
    return 1;
}

/* 1 if the fetch session must start over (epoch_error). */
static int on_partition(kfk_consumer *c, fetch_ctx *f, int i,
                        const kfk_fetch_response_partition_data *pd, kfk_rxbuf *rx) {
    kfk_cpart *p = f->parts[i];
    if (p->io_gen != f->gens[i] || p->state != KFK_CP_ACTIVE || p->fetch_pos != f->pos[i])
        return 0; /* a seek or reset came in between */
    int err = pd->error_code;
    if (err && f->via[i]) {
        replica_drop(c, p, 0, kfk_err_name(err));
        /* The replica may lag or be ahead of what the leader has: the leader decides. */
        if (err == KFK_ERR_OFFSET_OUT_OF_RANGE) return 0;
    }
    if (!err && pd->diverging_epoch.epoch >= 0) {
        kfk_validate_diverged(c, p, pd->diverging_epoch.epoch, pd->diverging_epoch.end_offset);
    } else if (!err) {
        KFK_C_DBG(c, KFK_DBG_FETCH,
                  "%s [%d]: fetched at offset %lld, high watermark %lld, %zu bytes", p->topic,
                  (int)p->partition, (long long)f->pos[i], (long long)pd->high_watermark,
                  pd->records.len > 0 ? (size_t)pd->records.len : 0);
        deliver(c, p, pd, rx, f->r.node_id, f->slot);
        if (pd->preferred_read_replica >= 0 && pd->preferred_read_replica != f->node &&
            p->state == KFK_CP_ACTIVE)
            replica_take(c, p, pd->preferred_read_replica);
    } else if (err == KFK_ERR_FENCED_LEADER_EPOCH || err == KFK_ERR_UNKNOWN_LEADER_EPOCH)
        return epoch_error(c, p, err);
    else if (err == KFK_ERR_OFFSET_OUT_OF_RANGE)
        kfk_start_offset_reset(c, p, err, "offset out of range");
    else if (is_leader_error(err) || kfk_err_retriable(err))
        kfk_cpart_backoff(c, p);
    else
        kfk_cpart_stop(c, p, err, p->fetch_pos);
    if (err)
        KFK_C_DBG(c, KFK_DBG_FETCH, "%s [%d]: Fetch at offset %lld: %s", p->topic,
                  (int)p->partition, (long long)f->pos[i], kfk_err_name(err));
    return 0;
}

/* Counts the answer's version, and logs it when it changes for a broker;
 * samples the request's latency (written to answered) for statistics. */
static void note_version(kfk_consumer *c, fetch_ctx *f, int16_t version) {
    int64_t us = kfk_clock_us() - f->r.req.stamp_us;
    pthread_mutex_lock(&c->lock);
    kfk_win_add(&c->fetch_latency, us);
    if (version >= 0 && version <= KFK_FETCH_STATS_VMAX) c->fetch_stats.by_version[version]++;
    int changed = f->slot >= 0 && c->fetch_stats.nodes[f->slot].version != version;
    if (changed) c->fetch_stats.nodes[f->slot].version = version;
    pthread_mutex_unlock(&c->lock);
    if (changed)
        kfk_consumer_log(c, "broker %d: Fetch v%d (topic %s)", (int)f->node, (int)version,
                         version > FETCH_V_NAMES ? "ids" : "names");
}

static int on_fetch(void *opaque, kfk_response *resp) {
    fetch_ctx *f = opaque;
    kfk_consumer *c = f->c;
    int err = resp->err, rc = 0;
    if (err == KFK_ERR_DESTROYED) {
        release_parts(f);
        ctx_free(f);
        return 0;
    }
    kfk_arena a = {0};
    kfk_fetch_response m;
    if (!err) {
        rc = kfk_fetch_response_decode(&resp->body, resp->version, &a, &m);
        err = rc ? rc : m.error_code;
    }
    if (!resp->err && !rc) note_version(c, f, resp->version);
    if (err)
        KFK_DBG(c->log, KFK_DBG_FETCH, kfk_core_broker_name(c->core, f->node),
                "Fetch from node %d failed: %s%s%s", (int)f->node, kfk_err_name(err),
                resp->errstr ? ": " : "", resp->errstr ? resp->errstr : "");
    else
        KFK_DBG(c->log, KFK_DBG_FETCH, kfk_core_broker_name(c->core, f->node),
                "Fetch v%d from node %d: %d topics, session %d", (int)resp->version,
                (int)f->node, (int)m.responses.count, (int)m.session_id);
    kfk_fetch_session *s = session_of(c, f->node);
    if (err == KFK_ERR_FETCH_SESSION_TOPIC_ID_ERROR)
        kfk_consumer_log(c, "broker %d: fetch session %s topic ids: starting a new session",
                         (int)f->node, f->ids ? "without" : "with");
    if (err)
        session_failed(c, s, resp->err || rc ? 0 : err);
    else if (s)
        kfk_fetch_session_done(s, 0, m.session_id);
    /* A refused incremental request is followed at once by a full one. */
    int retry_full = is_session_error(err) && f->incremental;
    if (err && !retry_full) {
        for (int i = 0; i < f->n; i++) {
            if (f->parts[i]->io_gen != f->gens[i]) continue;
            if (f->via[i] && f->parts[i]->read_replica == f->node)
                replica_drop(c, f->parts[i], resp->err != 0, kfk_err_name(err));
            kfk_cpart_backoff(c, f->parts[i]);
        }
    } else if (!err) {
        int hint = 0, stale = 0, by_id = resp->version > FETCH_V_NAMES;
        for (int32_t t = 0; t < m.responses.count; t++) {
            const kfk_fetch_response_fetchable_topic_response *tr = &m.responses.items[t];
            for (int32_t j = 0; j < tr->partitions.count; j++) {
                int i = kfk_fs_find(f->want, f->n, tr, by_id,
                                    tr->partitions.items[j].partition_index, hint);
                if (i < 0) continue;
                stale |= on_partition(c, f, i, &tr->partitions.items[j], resp->buf);
                hint = i + 1;
            }
        }
        if (stale && s) kfk_fetch_session_reset(s);
    }
    kfk_arena_reset(&a);
    release_parts(f);
    ctx_free(f);
    kfk_cpart_pass(c);
    return rc == KFK_ERR_MALFORMED ? rc : 0;
}

/* -------------------------------------------------------------- requests */

void kfk_fetch_check_topic(kfk_consumer *c, const kfk_metadata *md, kfk_cpart *p) {
    const kfk_md_topic *t = kfk_metadata_topic(md, p->topic);
    if (!t || t->err || kfk_uuid_is_zero(&t->id) ||
        kfk_uuid_eq(&t->id, &p->topic_id))
        return;
    int had = !kfk_uuid_is_zero(&p->topic_id);
    p->topic_id = t->id;
    if (!had || (p->state != KFK_CP_ACTIVE && p->state != KFK_CP_VALIDATE)) return;
    pthread_mutex_lock(&c->lock);
    c->fetch_stats.recreated++;
    pthread_mutex_unlock(&c->lock);
    kfk_start_offset_reset(c, p, 0, "topic re-created (new topic id)");
}

static fetch_ctx *build(kfk_consumer *c, kfk_fetch_session *s, int n, int64_t now) {
    fetch_ctx *f = kfk_calloc(1, sizeof *f);
    if (!f) return NULL;
    f->c = c;
    f->node = s->node;
    f->parts = kfk_arena_array(&f->arena, (size_t)n, sizeof *f->parts);
    f->gens = kfk_arena_array(&f->arena, (size_t)n, sizeof *f->gens);
    f->pos = kfk_arena_array(&f->arena, (size_t)n, sizeof *f->pos);
    kfk_fs_want *want = f->want = kfk_arena_array(&f->arena, (size_t)n, sizeof *want);
    f->via = kfk_arena_array(&f->arena, (size_t)n, sizeof *f->via);
    if (!f->parts || !f->gens || !f->pos || !want || !f->via) {
        ctx_free(f);
        return NULL;
    }
    int norack = 0;
    /* io_parts is sorted by topic, then partition, as the session wants. */
    for (int i = 0; i < c->io_nparts; i++) {
        kfk_cpart *p = c->io_parts[i];
        if (p->leader != s->node) continue;
        p->leader = -1;
        want[f->n] = (kfk_fs_want){.topic = p->topic, .partition = p->partition,
                                   .fetch_offset = p->fetch_pos,
                                   .max_bytes = c->cc.partition_max_bytes,
                                   .topic_id = p->topic_id};
        f->via[f->n] = p->read_replica == s->node;
        norack |= kfk_replica_banned(p, now) && !f->via[f->n];
        f->parts[f->n] = p;
        f->gens[f->n] = p->io_gen;
        f->pos[f->n] = p->fetch_pos;
        f->n++;
    }
    kfk_fetch_request *m = &f->m;
    kfk_fetch_request_init(m);
    f->incremental = !kfk_fetch_session_is_full(s);
    if (kfk_fetch_session_build(s, want, f->n, &f->arena, m)) {
        ctx_free(f);
        return NULL;
    }
    kfk_fetch_set_epochs(m, f->parts, f->n);
    f->ids = kfk_fs_use_ids(want, f->n);
    m->replica_id = -1;
    m->replica_state.replica_id = -1; /* v15+: a consumer, not a follower */
    m->replica_state.replica_epoch = -1;
    m->max_wait_ms = c->cc.fetch_max_wait_ms;
    m->min_bytes = c->cc.fetch_min_bytes;
    m->max_bytes = c->cc.fetch_max_bytes;
    m->isolation_level = (int8_t)c->cc.read_committed;
    const char *rack = norack ? "" : c->cc.rack;
    m->rack_id = (kfk_str){rack, (int32_t)strlen(rack)};
    f->r = (kfk_core_req){.dest = KFK_DEST_NODE, .node_id = s->node};
    /* v4 is the oldest Kafka 4 accepts; v13 names topics by id. */
    f->r.req = (kfk_request){.api_key = KFK_API_FETCH, .min_version = 4,
                             .max_version = f->ids ? -1 : FETCH_V_NAMES,
                             .msg = m, .cb = on_fetch, .opaque = f,
                             .timeout_ms = c->cc.request_timeout_ms + c->cc.fetch_max_wait_ms};
    return f;
}

static void count_request(kfk_fetch_session_stats *st, const fetch_ctx *f) {
    if (f->incremental)
        st->incremental++;
    else
        st->full++;
    for (int32_t t = 0; t < f->m.topics.count; t++)
        st->listed += f->m.topics.items[t].partitions.count;
    for (int32_t t = 0; t < f->m.forgotten_topics_data.count; t++)
        st->forgotten += f->m.forgotten_topics_data.items[t].partitions.count;
}

/* Marks p with its leader (p->leader) when that broker has no Fetch in
 * flight and p is READY, or HELD and so may keep that Fetch back
 * (fetch_hold.c). Those
 * without a leader retry together at *retry_at: one metadata answer serves
 * them all, and the first one out alone would long-poll while the rest wait. */
static void mark(kfk_consumer *c, kfk_metadata *md, kfk_cpart *p, int64_t now, int64_t *wake,
                 int64_t *retry_at) {
    p->leader = -1;
    kfk_validate(c, md, p, now); /* a new leader checks the position first */
    enum kfk_fetch_role role = kfk_fetch_role(p, now);
    if (role != KFK_FETCH_HELD)
        p->held_since = 0;
    else if (!p->held_since)
        p->held_since = now;
    if (role == KFK_FETCH_SKIP) return;
    const kfk_md_partition *mp = md_part(md, p);
    int32_t leader = mp && mp->leader >= 0 ? fetch_node(c, md, p, mp, now) : -1;
    if (leader < 0 && role == KFK_FETCH_READY) {
        kfk_cpart_backoff(c, p);
        if (*retry_at)
            p->backoff_until = *retry_at;
        else
            *retry_at = p->backoff_until;
        if (p->backoff_until < *wake) *wake = p->backoff_until;
    }
    if (leader >= 0 && busy_find(c, leader) < 0) p->leader = leader;
}

static kfk_fetch_look look_at(const kfk_consumer *c, int32_t node) {
    kfk_fetch_look l = {0};
    for (int j = 0; j < c->io_nparts; j++) {
        const kfk_cpart *q = c->io_parts[j];
        if (q->leader != node) continue;
        if (q->can_fetch) {
            l.ready++;
            l.backlog |= q->backlog;
        } else if (!l.held_since || q->held_since < l.held_since) {
            l.held_since = q->held_since;
        }
    }
    return l;
}

/* Unmarks node's partitions: all, or the HELD ones only, whose wait now
 * counts from this Fetch that goes without them. */
static void unmark(kfk_consumer *c, int32_t node, int all, int64_t now) {
    for (int j = 0; j < c->io_nparts; j++) {
        kfk_cpart *q = c->io_parts[j];
        if (q->leader != node || (!all && q->can_fetch)) continue;
        q->leader = -1;
        if (!all) q->held_since = now;
    }
}

void kfk_fetch_send(kfk_consumer *c, kfk_metadata *md, int64_t now, int64_t *wake) {
    int64_t deferred = 0, retry_at = 0;
    for (int i = 0; i < c->io_nparts; i++) mark(c, md, c->io_parts[i], now, wake, &retry_at);
    kfk_validate_send(c, now); /* what mark found to check, one request per leader */
    for (int i = 0; i < c->io_nparts; i++) {
        int32_t node = c->io_parts[i]->leader;
        if (node < 0) continue;
        kfk_fetch_look l = look_at(c, node);
        int64_t at = kfk_fetch_go_at(&l, c->cc.fetch_max_wait_ms, now);
        if (at > now) {
            unmark(c, node, 1, now);
            deferred += l.ready > 0;
            if (at < *wake) *wake = at;
            continue;
        }
        unmark(c, node, 0, now);
        kfk_fetch_session *s = session_of(c, node);
        fetch_ctx *f = !s || busy_add(c, node) ? NULL : build(c, s, l.ready, now);
        if (f) {
            pthread_mutex_lock(&c->lock);
            f->slot = stats_slot(&c->fetch_stats, node);
            pthread_mutex_unlock(&c->lock);
        }
        if (!f) {
            busy_del(c, node);
            unmark(c, node, 1, now);
            if (now + c->cc.retry_backoff_ms < *wake) *wake = now + c->cc.retry_backoff_ms;
            continue;
        }
        for (int j = 0; j < f->n; j++) {
            f->parts[j]->fetching = 1;
            f->parts[j]->inflight++;
        }
        if (kfk_core_send(c->core, &f->r)) {
            kfk_fetch_session_reset(s);
            release_parts(f);
            ctx_free(f);
            continue;
        }
        KFK_DBG(c->log, KFK_DBG_FETCH, kfk_core_broker_name(c->core, node),
                "Fetch to node %d: %d partitions%s", (int)node, f->n,
                f->incremental ? " (incremental session)" : "");
        pthread_mutex_lock(&c->lock);
        c->stats.fetch_requests++;
        count_request(&c->fs_stats, f);
        c->hold_stats.without_held += l.held_since != 0;
        pthread_mutex_unlock(&c->lock);
    }
    if (!deferred) return;
    pthread_mutex_lock(&c->lock);
    c->hold_stats.deferred += deferred;
    pthread_mutex_unlock(&c->lock);
}
