/* Validating a position when its partition's leader changes (KIP-320), on
 * the I/O thread: OffsetForLeaderEpoch asks the new leader where the
 * position's epoch ends in its log. A log that ends that epoch below the
 * position was truncated (an unclean leader election): the consumer goes
 * back to where it diverged, or stops the partition with
 * KFK_ERR_LOG_TRUNCATION when auto.offset.reset is none. A Fetch's
 * diverging epoch (v12+) says the same without the extra request. */
#include <string.h>

#include "consumer/consumer_int.h"

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
        p->spec = p->position = to;
        p->position_epoch = to_epoch;
        if (c->cc.auto_store && p->stored > to) {
            p->stored = to;
            p->stored_epoch = to_epoch;
        }
        p->queued_bytes = 0;
        p->throttled = 0;
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
        kfk_resolve_reset(c, p, KFK_ERR_LOG_TRUNCATION, "truncation detected (no end offset)");
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

static int on_validate(void *opaque, kfk_response *resp) {
    kfk_cpart *p = opaque;
    kfk_consumer *c = p->owner;
    p->validating = 0;
    p->inflight--;
    if (resp->err == KFK_ERR_DESTROYED) return 0;
    int err = resp->err, decode_err = 0;
    int32_t end_epoch = -1;
    int64_t end_offset = -1;
    if (!err) {
        kfk_arena a = {0};
        kfk_offset_for_leader_epoch_response m;
        decode_err =
            kfk_offset_for_leader_epoch_response_decode(&resp->body, resp->version, &a, &m);
        if (!decode_err && m.topics.count == 1 && m.topics.items[0].partitions.count == 1) {
            const kfk_offset_for_leader_epoch_response_epoch_end_offset *e =
                &m.topics.items[0].partitions.items[0];
            err = e->error_code;
            end_epoch = e->leader_epoch;
            end_offset = e->end_offset;
        } else {
            decode_err = KFK_ERR_MALFORMED;
        }
        kfk_arena_reset(&a);
        if (decode_err) err = decode_err;
    }
    if (p->io_gen == p->val_gen && p->state == KFK_CP_VALIDATE)
        answered(c, p, err, end_epoch, end_offset);
    kfk_service_run(c);
    return decode_err == KFK_ERR_MALFORMED ? decode_err : 0;
}

static void send_check(kfk_consumer *c, kfk_cpart *p, int32_t leader_epoch) {
    if (leader_epoch < 0) {
        kfk_cpart_backoff(c, p); /* the leader went away meanwhile */
        return;
    }
    kfk_offset_for_leader_epoch_request_init(&p->val_msg);
    p->val_msg.replica_id = -1; /* a consumer: offsets up to the high watermark */
    p->val_part = (kfk_offset_for_leader_epoch_request_offset_for_leader_partition){
        .partition = p->partition, .current_leader_epoch = leader_epoch,
        .leader_epoch = p->pos_epoch};
    p->val_topic.topic = (kfk_str){p->topic, (int32_t)strlen(p->topic)};
    p->val_topic.partitions.items = &p->val_part;
    p->val_topic.partitions.count = 1;
    p->val_msg.topics.items = &p->val_topic;
    p->val_msg.topics.count = 1;
    p->val_req = (kfk_core_req){.dest = KFK_DEST_LEADER, .topic = p->topic,
                                .partition = p->partition};
    /* v3 is the first with a consumer's replica id; older brokers skip the check. */
    p->val_req.req = (kfk_request){.api_key = KFK_API_OFFSET_FOR_LEADER_EPOCH, .min_version = 3,
                                   .max_version = -1, .msg = &p->val_msg, .cb = on_validate,
                                   .opaque = p, .timeout_ms = c->cc.request_timeout_ms};
    p->val_gen = p->io_gen;
    p->val_sent = leader_epoch;
    p->validating = 1;
    p->inflight++;
    if (kfk_core_send(c->core, &p->val_req)) {
        p->validating = 0;
        p->inflight--;
    }
}

void kfk_validate(kfk_consumer *c, kfk_metadata *md, kfk_cpart *p, int64_t now) {
    if (p->state == KFK_CP_VALIDATE) {
        if (!p->validating && p->backoff_until <= now) send_check(c, p, leader_epoch_of(md, p));
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
        if (p->backoff_until <= now) send_check(c, p, epoch);
        return;
    }
    p->fetch_epoch = epoch;
}
