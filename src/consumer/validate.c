/* Validating a position when its partition's leader changes (KIP-320), on
 * the I/O thread: OffsetForLeaderEpoch asks the new leader where the
 * position's epoch ends in its log. A log that ends that epoch below the
 * position was truncated (an unclean leader election): the consumer goes
 * back to where it diverged, or stops the partition with
 * KFK_ERR_LOG_TRUNCATION when auto.offset.reset is none. A Fetch's
 * diverging epoch (v12+) says the same without the extra request. The
 * partitions a leader must check go in one request (kfk_epoch_batch). */
#include <string.h>

#include "consumer/consumer_int.h"
#include "core/alloc.h"

void kfk_consumer_epoch_stats(kfk_consumer *c, kfk_epoch_stats *out) {
    pthread_mutex_lock(&c->lock);
    *out = c->epoch_stats;
    pthread_mutex_unlock(&c->lock);
}

static int32_t leader_epoch_of(const kfk_metadata *md, const kfk_cpart *p) {
    const kfk_md_topic *t = kfk_metadata_topic(md, p->topic);
    const kfk_md_partition *mp = t ? kfk_metadata_partition(t, p->partition) : NULL;
    return mp && mp->leader >= 0 ? mp->leader_epoch : -1;
}

/* Goes back to `to` (of epoch to_epoch), before the diverged records: the
 * messages fetched since are dropped (a new gen), and the application's
 * position moves back, unless it had not reached `to` yet. */
static void rewind_to(kfk_consumer *c, kfk_cpart *p, int64_t to, int32_t to_epoch) {
    int64_t from = p->fetch_pos;
    pthread_mutex_lock(&c->lock);
    c->epoch_stats.truncations++;
    c->stats.truncations++;
    if (p->gen == p->io_gen && !p->removed) {
        if (p->position >= 0 && p->position < to) {
            to = p->position;
            to_epoch = p->position_epoch;
        }
        p->gen++;
        p->io_gen = p->gen;
        p->spec = p->position = p->polled_end = to;
        p->position_epoch = to_epoch;
        if (c->cc.auto_store && p->stored > to) {
            p->stored = to;
            p->stored_epoch = to_epoch;
        }
        p->queued_bytes = 0;
        p->prefetch_full = 0;
    }
    pthread_mutex_unlock(&c->lock);
    kfk_consumer_log(c, "%s [%d]: truncation detected at offset %lld; going on from offset %lld",
                     p->topic, (int)p->partition, (long long)from, (long long)to);
    p->fetch_pos = to;
    p->pos_epoch = to_epoch;
    p->eof_at = -1;
    p->backlog = 0;
}

/* The leader's log ends the position's epoch at end_offset (end_epoch);
 * the position was checked under the leader epoch valid_under. */
static void check_end(kfk_consumer *c, kfk_cpart *p, int32_t end_epoch, int64_t end_offset,
                      int32_t valid_under) {
    int has_reset = kfk_reset_offset(c->cc.reset) != KFK_OFFSET_INVALID;
    int64_t to;
    int32_t to_epoch;
    enum kfk_trunc t = kfk_trunc_check(end_epoch, end_offset, p->fetch_pos, has_reset, &to,
                                       &to_epoch);
    if (t == KFK_TRUNC_NONE || t == KFK_TRUNC_SEEK) {
        p->state = KFK_CP_ACTIVE;
        p->val_epoch = valid_under;
    }
    if (t == KFK_TRUNC_NONE) {
        /* The leader does not know our epoch but has the offsets: its own
         * epoch keeps the next Fetch from reporting the same divergence. */
        if (end_epoch >= 0 && end_epoch < p->pos_epoch) p->pos_epoch = end_epoch;
        return;
    }
    if (t == KFK_TRUNC_SEEK) {
        rewind_to(c, p, to, to_epoch);
        return;
    }
    pthread_mutex_lock(&c->lock);
    c->epoch_stats.truncations++;
    c->stats.truncations++;
    pthread_mutex_unlock(&c->lock);
    if (t == KFK_TRUNC_RESET)
        kfk_start_offset_reset(c, p, KFK_ERR_LOG_TRUNCATION, "truncation detected (no end offset)");
    else
        kfk_cpart_stop(c, p, KFK_ERR_LOG_TRUNCATION, to);
}

void kfk_validate_diverged(kfk_consumer *c, kfk_cpart *p, int32_t end_epoch, int64_t end_offset) {
    check_end(c, p, end_epoch, end_offset, p->val_epoch);
}

static void answered(kfk_consumer *c, kfk_cpart *p, int err, int32_t end_epoch,
                     int64_t end_offset) {
    if (!err) {
        pthread_mutex_lock(&c->lock);
        c->epoch_stats.validations++;
        pthread_mutex_unlock(&c->lock);
        p->attempts = 0;
        check_end(c, p, end_epoch, end_offset, p->val_sent);
        return;
    }
    switch (kfk_epoch_on_err(err)) {
    case KFK_EPOCH_REFRESH:
        kfk_cpart_backoff(c, p);
        break;
    case KFK_EPOCH_WAIT:
        kfk_cpart_delay(c, p);
        break;
    case KFK_EPOCH_SKIP:
        pthread_mutex_lock(&c->lock);
        c->epoch_stats.skipped++;
        pthread_mutex_unlock(&c->lock);
        p->state = KFK_CP_ACTIVE;
        p->val_epoch = p->val_sent;
        break;
    case KFK_EPOCH_STOP:
        kfk_cpart_stop(c, p, err, p->fetch_pos);
        break;
    }
}

/* One OffsetForLeaderEpoch to a leader for all the partitions it must check. */
typedef struct val_ctx {
    kfk_core_req r;
    kfk_consumer *c;
    kfk_arena arena; /* the request's arrays and parts */
    kfk_offset_for_leader_epoch_request m;
    kfk_cpart **parts;
    int n;
} val_ctx;

static void ctx_free(val_ctx *v) {
    kfk_arena_reset(&v->arena);
    kfk_free(v);
}

static int on_validate(void *opaque, kfk_response *resp) {
    val_ctx *v = opaque;
    kfk_consumer *c = v->c;
    for (int i = 0; i < v->n; i++) {
        v->parts[i]->validating = 0;
        v->parts[i]->inflight--;
    }
    if (resp->err == KFK_ERR_DESTROYED) {
        ctx_free(v);
        return 0;
    }
    int err = resp->err, rc = 0;
    kfk_arena a = {0};
    kfk_offset_for_leader_epoch_response m;
    if (!err) err = rc = kfk_offset_for_leader_epoch_response_decode(&resp->body, resp->version,
                                                                      &a, &m);
    for (int i = 0; i < v->n; i++) {
        kfk_cpart *p = v->parts[i];
        if (p->io_gen != p->val_gen || p->state != KFK_CP_VALIDATE) continue;
        const kfk_offset_for_leader_epoch_response_epoch_end_offset *e =
            err ? NULL : kfk_epoch_answer(&m, p);
        if (e)
            answered(c, p, e->error_code, e->leader_epoch, e->end_offset);
        else
            answered(c, p, err ? err : KFK_ERR_MALFORMED, -1, -1);
    }
    kfk_arena_reset(&a);
    ctx_free(v);
    kfk_cpart_pass(c);
    return rc == KFK_ERR_MALFORMED ? rc : 0;
}

/* Sends node's batch (kfk_epoch_batch), if one is due. */
static void send_batch(kfk_consumer *c, int32_t node, int64_t now) {
    int n = kfk_epoch_batch(c->io_parts, c->io_nparts, node, now, NULL);
    if (n == 0) return;
    val_ctx *v = kfk_calloc(1, sizeof *v);
    if (!v) return;
    v->c = c;
    v->parts = kfk_arena_array(&v->arena, (size_t)n, sizeof *v->parts);
    if (!v->parts) {
        ctx_free(v);
        return;
    }
    v->n = kfk_epoch_batch(c->io_parts, c->io_nparts, node, now, v->parts);
    if (kfk_epoch_request_fill(&v->m, v->parts, v->n, &v->arena)) {
        ctx_free(v);
        return;
    }
    v->r = (kfk_core_req){.dest = KFK_DEST_NODE, .node_id = node};
    /* v3 is the first with a consumer's replica id; older brokers skip the check. */
    v->r.req = (kfk_request){.api_key = KFK_API_OFFSET_FOR_LEADER_EPOCH, .min_version = 3,
                             .max_version = -1, .msg = &v->m, .cb = on_validate, .opaque = v,
                             .timeout_ms = c->cc.request_timeout_ms};
    for (int i = 0; i < v->n; i++) {
        v->parts[i]->val_gen = v->parts[i]->io_gen;
        v->parts[i]->validating = 1;
        v->parts[i]->inflight++;
    }
    if (kfk_core_send(c->core, &v->r) == 0) return;
    for (int i = 0; i < v->n; i++) {
        v->parts[i]->validating = 0;
        v->parts[i]->inflight--;
    }
    ctx_free(v);
}

void kfk_validate_send(kfk_consumer *c, int64_t now) {
    for (int i = 0; i < c->io_nparts; i++) {
        kfk_cpart *p = c->io_parts[i];
        if (p->state != KFK_CP_VALIDATE || p->validating || p->val_leader < 0) continue;
        int32_t node = p->val_leader;
        send_batch(c, node, now);
        for (int j = i; j < c->io_nparts; j++)
            if (c->io_parts[j]->val_leader == node) c->io_parts[j]->val_leader = -1;
    }
}

/* Marks p for the next check by its leader (kfk_validate_send). */
static void want_check(kfk_consumer *c, const kfk_metadata *md, kfk_cpart *p, int64_t now) {
    const kfk_md_topic *t = kfk_metadata_topic(md, p->topic);
    const kfk_md_partition *mp = t ? kfk_metadata_partition(t, p->partition) : NULL;
    p->val_leader = -1;
    if (mp && mp->leader >= 0 && mp->leader_epoch >= 0) {
        p->val_leader = mp->leader;
        p->val_sent = mp->leader_epoch;
    } else if (p->backoff_until <= now) {
        kfk_cpart_backoff(c, p); /* the leader went away meanwhile */
    }
}

void kfk_validate(kfk_consumer *c, kfk_metadata *md, kfk_cpart *p, int64_t now) {
    if (p->state == KFK_CP_VALIDATE) {
        if (!p->validating) want_check(c, md, p, now);
        return;
    }
    if (p->state != KFK_CP_ACTIVE || p->fetching) return;
    int32_t epoch = leader_epoch_of(md, p);
    switch (kfk_epoch_need(p->val_epoch, p->pos_epoch, epoch)) {
    case KFK_EPOCH_FETCH:
        break;
    case KFK_EPOCH_TAKE:
        p->val_epoch = epoch;
        break;
    case KFK_EPOCH_VALIDATE:
        p->state = KFK_CP_VALIDATE;
        want_check(c, md, p, now);
        return;
    }
    p->fetch_epoch = epoch;
}
