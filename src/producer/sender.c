/* The sender, on the client core's I/O thread: drains ready batches from
 * the accumulator, puts every batch bound for one broker into one Produce
 * request (up to max.request.size, max.in.flight requests per broker),
 * and turns responses into retries or reports. It runs when woken (a new
 * or full batch, memory pressure, flush), on its timer (linger.ms, retry
 * backoff, expiry) and after each response. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "net/backoff.h"
#include "producer/outcome.h"
#include "producer/produce_enc.h"
#include "producer/producer_int.h"
#include "proto/proto.h"

typedef struct preq {
    kfk_core_req cr;
    kfk_producer *p;
    kfk_list link; /* p's requests in flight */
    kfk_produce_msg msg;
    int32_t node;
    int n;
    kfk_pbatch **batches;
    kfk_produce_topic *topics;
    kfk_produce_part *parts;
    kfk_frame_refs refs; /* the batches, sent from their own buffers */
} preq;

/* ------------------------------------------------------------------ wakes */

void kfk_sender_wake(kfk_producer *p) {
    if (atomic_exchange(&p->wake_posted, 1)) return;
    if (kfk_io_post(p->io, &p->wake_task)) atomic_store(&p->wake_posted, 0);
}

void kfk_sender_wake_task(kfk_io *io, kfk_task *t, int err) {
    (void)io;
    kfk_producer *p = KFK_CONTAINER_OF(t, kfk_producer, wake_task);
    atomic_store(&p->wake_posted, 0);
    if (!err) kfk_sender_run(p);
}

/* A new snapshot: the accumulator takes it in at once, so an idle producer
 * learns a new topic's partitions (and moved leaders) without waiting for
 * its next send or timer. */
static void on_metadata(void *opaque) { kfk_sender_wake(opaque); }

static void on_timer(kfk_timer *t, int64_t now) {
    (void)now;
    kfk_sender_run(KFK_CONTAINER_OF(t, kfk_producer, timer));
}

void kfk_sender_init_task(kfk_io *io, kfk_task *t, int err) {
    kfk_producer *p = KFK_CONTAINER_OF(t, kfk_producer, init_task);
    if (err) return;
    if (kfk_io_timer_add(io, &p->timer, on_timer)) {
        kfk_sender_fatal(p, KFK_ERR_NOMEM, "out of memory starting the sender");
        return;
    }
    p->timer_added = 1;
    kfk_core_on_metadata(p->core, on_metadata, p);
    p->rng = kfk_rand_seed(p);
    kfk_sender_run(p);
}

/* ---------------------------------------------------------------- results */

void kfk_sender_report(kfk_producer *p, kfk_list *done) {
    if (kfk_list_empty(done)) return;
    pthread_mutex_lock(&p->acc.lock);
    for (kfk_list *e = done->next; e != done; e = e->next)
        kfk_accum_done_locked(&p->acc, KFK_CONTAINER_OF(e, kfk_pbatch, link));
    pthread_mutex_unlock(&p->acc.lock);
    kfk_accum_release_values(done);
    kfk_reportq_push(&p->reports, done);
}

void kfk_sender_fatal(kfk_producer *p, int err, const char *why) {
    if (!atomic_load(&p->fatal_err)) {
        snprintf(p->fatal_str, sizeof p->fatal_str, "%s", why);
        p->pid_state_us = kfk_clock_us(); /* idemp_state is FatalError from now */
        atomic_store(&p->fatal_err, err);
    }
    kfk_list failed;
    kfk_list_init(&failed);
    pthread_mutex_lock(&p->acc.lock);
    p->acc.fatal = 1;
    kfk_accum_take_queued_locked(&p->acc, &failed, KFK_ERR_FATAL, why);
    pthread_cond_broadcast(&p->acc.space);
    pthread_mutex_unlock(&p->acc.lock);
    kfk_sender_report(p, &failed);
}

/* The partition's answer for batch b (err, or its offset). */
static void set_result(kfk_pbatch *b, int err, const char *errstr, int64_t offset,
                       int64_t append_time) {
    b->err = err;
    b->base_offset = err ? -1 : offset;
    b->append_time = append_time;
    if (err)
        snprintf(b->errstr, sizeof b->errstr, "%s [%d]: %s", b->part->topic->name,
                 (int)b->part->id, errstr && *errstr ? errstr : kfk_err_name(err));
}

/* KIP-951: a NOT_LEADER_OR_FOLLOWER (or FENCED_LEADER_EPOCH) answer may
 * name the new leader; a broker the metadata knows takes the partition at
 * once, without waiting for a refresh. 1 if the partition is now at a
 * leader other than (or newer than) the one b went to: its retry need not
 * back off. */
static int follow_hint(kfk_producer *p, kfk_pbatch *b) {
    if (b->hint_leader < 0 || !p->md_seen ||
        (b->err != KFK_ERR_NOT_LEADER_OR_FOLLOWER && b->err != KFK_ERR_FENCED_LEADER_EPOCH) ||
        !kfk_metadata_broker(p->md_seen, b->hint_leader))
        return 0;
    int32_t before = b->part->leader;
    if (!kfk_accum_leader_hint_locked(&p->acc, b->part, b->hint_leader, b->hint_epoch)) return 0;
    if (before != b->hint_leader) atomic_fetch_add(&p->leader_hints, 1);
    return kfk_produce_leader_moved(b->node, b->node_epoch, b->hint_leader, b->hint_epoch);
}

/* A transaction's batches: written ones are held until it ends, failed
 * ones (left in done, reported now) fail the transaction. */
static void report_txn(kfk_producer *p, kfk_list *done) {
    kfk_list written;
    kfk_list_init(&written);
    for (kfk_list *e = done->next, *next; e != done; e = next) {
        next = e->next;
        if (KFK_CONTAINER_OF(e, kfk_pbatch, link)->err) continue;
        kfk_list_remove(e);
        kfk_list_insert_tail(&written, e);
    }
    kfk_txn_hold(p, &written);
    if (!kfk_list_empty(done)) kfk_txn_batches_failed(p, done);
}

/* Statistics' next_err_seq: a failed batch's sequences, when ahead of the
 * failures seen before in this epoch (sequences wrap at 2^31). */
static void note_err_seq(kfk_pbatch *b) {
    int32_t end = (int32_t)(((uint32_t)b->base_seq + (uint32_t)b->bb.count) & INT32_MAX);
    uint32_t ahead = ((uint32_t)end - (uint32_t)b->part->err_next) & INT32_MAX;
    if (ahead < (1u << 30)) b->part->err_next = end;
}

/* Decides each batch's fate (retry, done, failed) under one lock. */
static void settle(kfk_producer *p, preq *q) {
    kfk_list done;
    kfk_list_init(&done);
    int txn = p->acc.txn_mode;
    int64_t now = kfk_io_now(p->io);
    const char *refresh = NULL;
    pthread_mutex_lock(&p->acc.lock);
    for (int i = 0; i < q->n; i++) {
        kfk_pbatch *b = q->batches[i];
        kfk_outcome_in in = {.err = b->err, .idempotent = p->conf.idempotent,
                             .stopping = p->stopping, .base_seq = b->base_seq,
                             .acked_next = b->part->acked_next, .attempts = b->attempts,
                             .count = b->bb.count,
                             .retries = p->conf.retries, .now = now, .deadline = b->deadline};
        kfk_outcome o = kfk_produce_outcome(&in);
        int moved = follow_hint(p, b);
        if (o.bump && txn) { /* the transaction aborts, then bumps */
            if (o.action == KFK_BATCH_RETRY) o.action = KFK_BATCH_FAIL;
            o.bump = 0;
        }
        if (o.bump) p->need_bump = 1;
        if (o.refresh) refresh = b->part->topic->name;
        if (b->err && b->base_seq >= 0 && o.action != KFK_BATCH_DONE && o.action != KFK_BATCH_SPLIT)
            note_err_seq(b);
        if (b->purged && o.action != KFK_BATCH_DONE) {
            b->err = KFK_ERR_PURGED;
            snprintf(b->errstr, sizeof b->errstr, "purged while in flight");
            o.action = KFK_BATCH_FAIL;
        }
        if (o.action == KFK_BATCH_SPLIT) {
            if (kfk_accum_split_locked(&p->acc, b, now) == 0) {
                atomic_fetch_add(&p->batches_split, 1);
                continue;
            }
            o.action = KFK_BATCH_FAIL;
            o.bump = p->conf.idempotent && b->base_seq >= 0 && !txn;
            if (o.bump) p->need_bump = 1;
        }
        if (o.action == KFK_BATCH_RETRY) {
            atomic_fetch_add(&p->batches_retried, 1);
            b->part->retry_msgs += b->bb.count;
            /* As Java: no backoff when the leader is known to have moved. */
            int64_t backoff = moved ? 0
                                    : kfk_backoff_ms(p->conf.retry_backoff_ms,
                                                     p->conf.retry_backoff_max_ms,
                                                     b->attempts - 1, &p->rng);
            KFK_DBG(p->log, KFK_DBG_MSG, NULL,
                    "%s [%d]: retrying batch of %d messages in %lld ms (attempt %d): %s",
                    b->part->topic->name, (int)b->part->id, (int)b->bb.count,
                    (long long)backoff, b->attempts + 1, kfk_err_name(b->err));
            b->err = 0;
            kfk_accum_requeue_locked(&p->acc, b, now + backoff);
            continue;
        }
        if (o.action == KFK_BATCH_DONE) {
            b->err = 0;
            int64_t last = b->first_msgid + b->bb.count - 1;
            if (last > b->part->acked_msgid) b->part->acked_msgid = last;
            b->part->tx_msgs += b->bb.count;
            b->part->tx_bytes += (int64_t)(b->buf.len - b->bb.start + b->refs.bytes);
        }
        if (b->err)
            KFK_DBG(p->log, KFK_DBG_MSG, NULL, "%s [%d]: batch of %d messages failed: %s",
                    b->part->topic->name, (int)b->part->id, (int)b->bb.count, b->errstr);
        else
            KFK_DBG(p->log, KFK_DBG_MSG, NULL,
                    "%s [%d]: batch of %d messages acked at offset %lld", b->part->topic->name,
                    (int)b->part->id, (int)b->bb.count, (long long)b->base_offset);
        kfk_accum_done_locked(&p->acc, b);
        kfk_list_insert_tail(&done, &b->link);
    }
    pthread_mutex_unlock(&p->acc.lock);
    kfk_accum_release_values(&done);
    if (txn) report_txn(p, &done);
    kfk_reportq_push(&p->reports, &done);
    if (refresh) kfk_core_metadata_refresh(p->core, &refresh, 1);
}

static kfk_pnode *node_get(kfk_producer *p, int32_t id) {
    for (int i = 0; i < p->nnodes; i++)
        if (p->nodes[i].id == id) return &p->nodes[i];
    if (p->nnodes == p->capnodes) {
        int cap = p->capnodes ? p->capnodes * 2 : 8;
        kfk_pnode *n = kfk_realloc(p->nodes, (size_t)cap * sizeof *n);
        if (!n) return NULL;
        p->nodes = n;
        p->capnodes = cap;
    }
    kfk_pnode *n = &p->nodes[p->nnodes++];
    *n = (kfk_pnode){.id = id};
    return n;
}

/* Sets each batch's result from a decoded response; missing ones fail
 * retriably. */
static void read_results(preq *q, const kfk_produce_response *m, int16_t version) {
    for (int i = 0; i < q->n; i++) {
        q->batches[i]->err = KFK_ERR_UNKNOWN_SERVER_ERROR;
        q->batches[i]->hint_leader = -1;
    }
    for (int32_t t = 0; t < m->responses.count; t++) {
        const kfk_produce_response_topic_produce_response *tr = &m->responses.items[t];
        for (int32_t k = 0; k < tr->partition_responses.count; k++) {
            const kfk_produce_response_partition_produce_response *pr =
                &tr->partition_responses.items[k];
            /* q->batches[i] went as the request's i-th part. */
            int32_t i = kfk_produce_find(&q->msg, version, tr, pr->index);
            if (i < 0) continue;
            kfk_pbatch *b = q->batches[i];
            b->hint_leader = pr->current_leader.leader_id; /* -1 before v10 */
            b->hint_epoch = pr->current_leader.leader_epoch;
            char msg[100] = "";
            if (pr->error_message.len > 0)
                snprintf(msg, sizeof msg, "%.*s", (int)pr->error_message.len,
                         pr->error_message.ptr);
            set_result(b, pr->error_code, msg, pr->base_offset, pr->log_append_time_ms);
        }
    }
    for (int i = 0; i < q->n; i++)
        if (q->batches[i]->err == KFK_ERR_UNKNOWN_SERVER_ERROR)
            set_result(q->batches[i], KFK_ERR_UNKNOWN_SERVER_ERROR,
                       "the broker's response left this partition out", -1, -1);
}

/* The lowest and highest Produce version a broker answered, for stats. */
static void note_version(kfk_producer *p, int16_t v) {
    int lo = atomic_load(&p->produce_version_min), hi = atomic_load(&p->produce_version_max);
    if (!lo || v < lo) atomic_store(&p->produce_version_min, v);
    if (v > hi) atomic_store(&p->produce_version_max, v);
}

/* Settles every batch of q from its response and frees q. */
static int complete(preq *q, kfk_response *resp) {
    kfk_producer *p = q->p;
    int rc = 0;
    kfk_pnode *node = node_get(p, q->node);
    if (node) node->in_flight--;
    p->requests--;
    kfk_list_remove(&q->link);
    if (!resp->err) note_version(p, resp->version);
    if (resp->err) {
        for (int i = 0; i < q->n; i++)
            set_result(q->batches[i], resp->err, resp->errstr, -1, -1);
    } else if (p->conf.acks == 0) {
        for (int i = 0; i < q->n; i++) set_result(q->batches[i], 0, NULL, -1, -1);
    } else {
        kfk_produce_response m;
        rc = kfk_produce_response_decode(&resp->body, resp->version, &p->arena, &m);
        if (rc) {
            for (int i = 0; i < q->n; i++)
                set_result(q->batches[i], KFK_ERR_NETWORK_EXCEPTION,
                           "malformed Produce response", -1, -1);
        } else {
            read_results(q, &m, resp->version);
        }
        kfk_arena_reset(&p->arena);
    }
    settle(p, q);
    kfk_free(q);
    return rc ? KFK_ERR_MALFORMED : 0;
}

static int on_produce(void *opaque, kfk_response *resp) {
    kfk_producer *p = ((preq *)opaque)->p;
    int rc = complete(opaque, resp);
    kfk_sender_run(p); /* retries, and what waited for a free slot */
    return rc;
}

/* ---------------------------------------------------------------- sending */

static int room(void *ctx, int32_t id, size_t bytes) {
    kfk_producer *p = ctx;
    kfk_pnode *n = node_get(p, id);
    if (!n || n->in_flight >= p->conf.max_in_flight) return 0;
    if (n->round_bytes && n->round_bytes + bytes > (size_t)p->conf.max_request_size) return 0;
    n->round_bytes += bytes + 64; /* and the partition's framing */
    return 1;
}

static preq *preq_new(kfk_producer *p, int n, int nrefs) {
    /* One block: the request, then its arrays (sizes are multiples of 8). */
    size_t sz = sizeof(preq) + (size_t)n * (sizeof(kfk_pbatch *) + sizeof(kfk_produce_topic) +
                                            sizeof(kfk_produce_part)) +
                (size_t)nrefs * sizeof(kfk_frame_ref);
    preq *q = kfk_calloc(1, sz);
    if (!q) return NULL;
    q->p = p;
    q->topics = (void *)(q + 1);
    q->parts = (void *)(q->topics + n);
    q->refs.items = (void *)(q->parts + n);
    q->refs.cap = nrefs;
    q->batches = (void *)(q->refs.items + nrefs);
    return q;
}

/* Writes the header of every batch; those that fail are reported. */
static void finish_batches(kfk_producer *p, kfk_list *batches, kfk_list *failed) {
    for (kfk_list *e = batches->next, *next; e != batches; e = next) {
        next = e->next;
        kfk_pbatch *b = KFK_CONTAINER_OF(e, kfk_pbatch, link);
        kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
        o.codec = p->conf.codec;
        o.level = p->conf.level;
        o.producer_id = b->pid;
        o.producer_epoch = b->epoch;
        o.base_sequence = b->base_seq;
        if (p->acc.txn_mode) o.flags = KFK_ATTR_TRANSACTIONAL;
        int rc = kfk_accum_finish(b, &o, &p->scratch);
        if (!rc) continue;
        set_result(b, rc, "the batch could not be built", -1, -1);
        kfk_list_remove(e);
        kfk_list_insert_tail(failed, e);
    }
}

static void send_node(kfk_producer *p, kfk_pnode *node, kfk_list *batches) {
    kfk_list failed;
    kfk_list_init(&failed);
    finish_batches(p, batches, &failed);
    int n = 0, nrefs = 0;
    for (kfk_list *e = batches->next; e != batches; e = e->next, n++)
        nrefs += kfk_produce_refs_needed(&KFK_CONTAINER_OF(e, kfk_pbatch, link)->refs);
    preq *q = n ? preq_new(p, n, nrefs) : NULL;
    if (n && !q) {
        for (kfk_list *e = batches->next; e != batches; e = e->next)
            set_result(KFK_CONTAINER_OF(e, kfk_pbatch, link), KFK_ERR_NOMEM,
                       "out of memory building a Produce request", -1, -1);
        kfk_list_splice_tail(&failed, batches);
    }
    kfk_sender_report(p, &failed);
    if (!q) return;
    /* The drain visits topics in turn, so a topic's batches are adjacent. */
    int nt = -1;
    int32_t msgs = 0;
    while (!kfk_list_empty(batches)) {
        kfk_pbatch *b = KFK_CONTAINER_OF(batches->next, kfk_pbatch, link);
        kfk_list_remove(&b->link);
        const char *name = b->part->topic->name;
        if (nt < 0 || q->batches[q->n - 1]->part->topic != b->part->topic) {
            nt++;
            q->topics[nt].name = (kfk_str){name, (int32_t)strlen(name)};
            q->topics[nt].parts = &q->parts[q->n];
            /* The id now, as Java: after a re-creation, the new topic's. */
            const kfk_md_topic *mt = p->md_seen ? kfk_metadata_topic(p->md_seen, name) : NULL;
            if (mt && !mt->err) q->topics[nt].id = mt->id;
        }
        q->parts[q->n] = (kfk_produce_part){b->part->id, b->buf.data + b->bb.start,
                                            b->buf.len - b->bb.start, &b->refs};
        q->topics[nt].count++;
        q->batches[q->n++] = b;
        /* statistics' int_latency: how long its first record waited */
        if (b->attempts == 1) {
            kfk_win_add(&node->int_latency, (kfk_io_now(p->io) - b->created) * 1000);
            kfk_win_add(&b->part->topic->batchsize,
                        (int64_t)(b->buf.len - b->bb.start + b->refs.bytes));
            kfk_win_add(&b->part->topic->batchcnt, b->bb.count);
        } else
            node->retries++;
        msgs += b->bb.count;
    }
    q->msg.transactional_id = kfk_str_of(p->conf.transactional_id);
    q->msg.acks = p->conf.acks;
    q->msg.timeout_ms = p->conf.request_timeout_ms;
    q->msg.topics = q->topics;
    q->msg.count = nt + 1;
    q->node = node->id;
    q->cr.dest = KFK_DEST_NODE;
    q->cr.node_id = node->id;
    int16_t lo = KFK_PRODUCE_MIN_VERSION, hi = kfk_produce_max_version(&q->msg);
    if (p->acc.txn_mode && p->txn.tv2)
        lo = KFK_PRODUCE_MAX_TXN_V1 + 1; /* the request adds the partitions */
    else if (p->acc.txn_mode && hi > KFK_PRODUCE_MAX_TXN_V1)
        hi = KFK_PRODUCE_MAX_TXN_V1;
    q->cr.req = (kfk_request){.api_key = KFK_API_PRODUCE,
                              .min_version = lo,
                              .max_version = hi,
                              .msg = &q->msg,
                              .encode_refs = kfk_produce_encode,
                              .refs = &q->refs,
                              .no_response = p->conf.acks == 0,
                              .msgs = msgs,
                              .cb = on_produce,
                              .opaque = q};
    KFK_DBG(p->log, KFK_DBG_MSG, kfk_core_broker_name(p->core, node->id),
            "Produce to node %d: %d batches of %d topics, acks %d", (int)node->id, q->n, nt + 1,
            (int)p->conf.acks);
    node->in_flight++;
    p->requests++;
    kfk_list_insert_tail(&p->reqs, &q->link);
    if (kfk_core_send(p->core, &q->cr)) {
        kfk_response resp = {.err = KFK_ERR_DESTROYED, .errstr = "client is being destroyed"};
        complete(q, &resp);
    }
}

static void sync_metadata(kfk_producer *p) {
    const char *names[16];
    int n;
    while ((n = kfk_accum_new_topics(&p->acc, names, 16)) > 0)
        kfk_core_metadata_refresh(p->core, names, n);
    kfk_metadata *md = kfk_core_metadata(p->core);
    if (!md) return;
    if (md == p->md_seen) {
        kfk_metadata_unref(md);
        return;
    }
    kfk_accum_sync_metadata(&p->acc, md);
    kfk_metadata_unref(p->md_seen);
    p->md_seen = md; /* keeps the reference, so the pointer is not reused */
}

void kfk_sender_run(kfk_producer *p) {
    if (p->stopping || !p->timer_added) return;
    int64_t now = kfk_io_now(p->io);
    sync_metadata(p);
    int64_t next = kfk_pid_step(p, now);
    int64_t txn_next = kfk_txn_step(p);
    if (txn_next < next) next = txn_next;
    kfk_drain_out out;
    for (;;) {
        kfk_drain_args args = {.now = now, .idempotent = p->conf.idempotent, .pid = p->pid,
                               .epoch = p->epoch, .room = room, .ctx = p};
        args.halt = p->conf.idempotent && (p->pid_state != KFK_PID_OK || p->need_bump);
        args.txn = p->acc.txn_mode && !p->txn.tv2;
        for (int i = 0; i < p->nnodes; i++) p->nodes[i].round_bytes = 0;
        kfk_accum_drain(&p->acc, &args, &out);
        /* After the drain: room() may have moved the node array. */
        for (int i = 0; i < p->nnodes; i++) kfk_list_init(&p->nodes[i].round);
        if (out.need_bump && !p->acc.txn_mode) p->need_bump = 1;
        if (p->acc.txn_mode && !kfk_list_empty(&out.failed))
            kfk_txn_batches_failed(p, &out.failed);
        kfk_sender_report(p, &out.failed);
        if (out.next < next) next = out.next;
        kfk_core_metadata_wanted(p->core, out.need_md);
        if (out.need_md && now + p->conf.retry_backoff_ms < next)
            next = now + p->conf.retry_backoff_ms; /* look at newer metadata then */
        if (kfk_list_empty(&out.ready)) break;
        while (!kfk_list_empty(&out.ready)) {
            kfk_pbatch *b = KFK_CONTAINER_OF(out.ready.next, kfk_pbatch, link);
            kfk_list_remove(&b->link);
            kfk_list_insert_tail(&node_get(p, b->node)->round, &b->link);
        }
        for (int i = 0; i < p->nnodes; i++)
            if (!kfk_list_empty(&p->nodes[i].round)) send_node(p, &p->nodes[i], &p->nodes[i].round);
    }
    if (p->need_bump) {
        int64_t t = kfk_pid_step(p, now);
        if (t < next) next = t;
    }
    if (next == INT64_MAX)
        kfk_io_timer_cancel(p->io, &p->timer);
    else
        kfk_io_timer_set(p->io, &p->timer, next);
}

/* ------------------------------------------------------------ stop, purge */

void kfk_sender_stop_task(kfk_io *io, kfk_task *t, int err) {
    (void)err;
    kfk_producer *p = KFK_CONTAINER_OF(t, kfk_producer, stop_task);
    kfk_list failed;
    kfk_list_init(&failed);
    p->stopping = 1;
    pthread_mutex_lock(&p->acc.lock);
    kfk_accum_take_queued_locked(&p->acc, &failed, KFK_ERR_DESTROYED, "the producer was destroyed");
    pthread_mutex_unlock(&p->acc.lock);
    kfk_sender_report(p, &failed);
    kfk_txn_stop(p);
    kfk_core_on_metadata(p->core, NULL, NULL);
    if (p->timer_added) {
        kfk_io_timer_cancel(io, &p->timer);
        kfk_io_timer_release(io, &p->timer);
        p->timer_added = 0;
    }
    pthread_mutex_lock(&p->stop_lock);
    p->stopped = 1;
    pthread_cond_broadcast(&p->stop_cond);
    pthread_mutex_unlock(&p->stop_lock);
}

void kfk_sender_purge_task(kfk_io *io, kfk_task *t, int err) {
    (void)io;
    kfk_producer *p = KFK_CONTAINER_OF(t, kfk_producer, purge_task);
    int flags = atomic_exchange(&p->purge_flags, 0);
    if (err || p->stopping) return;
    if (flags & KFK_PURGE_INFLIGHT)
        for (kfk_list *e = p->reqs.next; e != &p->reqs; e = e->next) {
            preq *q = KFK_CONTAINER_OF(e, preq, link);
            for (int i = 0; i < q->n; i++) q->batches[i]->purged = 1;
        }
    if (flags & KFK_PURGE_QUEUE) {
        kfk_list purged;
        kfk_list_init(&purged);
        pthread_mutex_lock(&p->acc.lock);
        kfk_accum_take_queued_locked(&p->acc, &purged, KFK_ERR_PURGED, "purged before it was sent");
        pthread_mutex_unlock(&p->acc.lock);
        for (kfk_list *e = purged.next; e != &purged; e = e->next)
            if (KFK_CONTAINER_OF(e, kfk_pbatch, link)->base_seq >= 0 && !p->acc.txn_mode)
                p->need_bump = 1;
        if (p->acc.txn_mode && !kfk_list_empty(&purged)) kfk_txn_batches_failed(p, &purged);
        kfk_sender_report(p, &purged);
    }
    kfk_sender_run(p);
}

int64_t kfk_sender_inflight_msgs(kfk_producer *p, const kfk_ppart *pp) {
    int64_t n = 0;
    for (kfk_list *e = p->reqs.next; e != &p->reqs; e = e->next) {
        const preq *q = KFK_CONTAINER_OF(e, preq, link);
        for (int i = 0; i < q->n; i++)
            if (q->batches[i]->part == pp) n += q->batches[i]->bb.count;
    }
    return n;
}
