/* Finding where a partition starts (I/O thread): the group's committed
 * offset (OffsetFetch), the earliest or latest offset or the one at a time
 * (ListOffsets to the leader), and auto.offset.reset when there is none. */
#include <string.h>

#include "consumer/offsets_op.h"
#include "core/alloc.h"
#include "net/backoff.h"

void kfk_start_offset_done_epoch(kfk_consumer *c, kfk_cpart *p, int64_t offset,
                                 int32_t epoch, int32_t val_epoch) {
    p->state = KFK_CP_ACTIVE;
    p->fetch_pos = offset;
    p->pos_epoch = epoch;
    p->val_epoch = epoch >= 0 ? val_epoch : KFK_EPOCH_ADOPT;
    p->attempts = 0;
    KFK_C_DBG(c, KFK_DBG_FETCH, "%s [%d]: fetching from offset %lld (leader epoch %d)", p->topic,
              (int)p->partition, (long long)offset, (int)epoch);
    pthread_mutex_lock(&c->lock);
    if (p->gen == p->io_gen && p->position < 0) {
        p->position = p->polled_end = offset;
        p->position_epoch = epoch;
    }
    pthread_mutex_unlock(&c->lock);
}

void kfk_start_offset_done(kfk_consumer *c, kfk_cpart *p, int64_t offset) {
    kfk_start_offset_done_epoch(c, p, offset, -1, KFK_EPOCH_ADOPT);
}

void kfk_cpart_backoff(kfk_consumer *c, kfk_cpart *p) {
    kfk_core_metadata_refresh(c->core, (const char *const *)&p->topic, 1);
    kfk_cpart_delay(c, p);
}

void kfk_cpart_delay(kfk_consumer *c, kfk_cpart *p) {
    p->backoff_until = kfk_io_now(c->io) + kfk_backoff_ms(c->cc.retry_backoff_ms,
                                                          c->cc.retry_backoff_max_ms,
                                                          p->attempts++, kfk_io_rng(c->io));
}

void kfk_cpart_event(kfk_consumer *c, kfk_cpart *p, int err, int64_t offset) {
    kfk_consumer_message *m = kfk_event_new(p->topic, p->partition, offset, err);
    if (!m) return;
    kfk_cmsg(m)->part = p;
    kfk_cmsg(m)->gen = p->io_gen;
    pthread_mutex_lock(&c->lock);
    if (!p->removed && p->gen == p->io_gen)
        kfk_queue_append(c, m, m);
    else
        kfk_consumer_message_release(m);
    pthread_mutex_unlock(&c->lock);
}

void kfk_cpart_stop(kfk_consumer *c, kfk_cpart *p, int err, int64_t offset) {
    p->state = KFK_CP_STOPPED;
    kfk_consumer_log(c, "%s [%d]: stopped at offset %lld: %s (seek to go on)", p->topic,
                     (int)p->partition, (long long)offset, kfk_err_name(err));
    kfk_cpart_event(c, p, err, offset);
}

void kfk_start_offset_reset(kfk_consumer *c, kfk_cpart *p, int err, const char *why) {
    int64_t to = kfk_reset_offset(c->cc.reset);
    if (to == KFK_OFFSET_INVALID) {
        kfk_cpart_stop(c, p, KFK_ERR_OFFSET_OUT_OF_RANGE, p->fetch_pos);
        return;
    }
    kfk_consumer_log(c, "%s [%d]: %s at offset %lld; resetting to the %s offset", p->topic,
                     (int)p->partition, why, (long long)p->fetch_pos,
                     to == KFK_OFFSET_BEGINNING ? "earliest" : "latest");
    pthread_mutex_lock(&c->lock);
    c->stats.offset_resets++;
    pthread_mutex_unlock(&c->lock);
    KFK_C_DBG(c, KFK_DBG_FETCH, "%s [%d]: offset reset to %s (auto.offset.reset)", p->topic,
              (int)p->partition, to == KFK_OFFSET_BEGINNING ? "earliest" : "latest");
    p->state = KFK_CP_LIST;
    p->list_spec = to;
}

/* ------------------------------------------------------------ ListOffsets */

static int is_leader_error(int err) {
    return err == KFK_ERR_NOT_LEADER_OR_FOLLOWER || err == KFK_ERR_FENCED_LEADER_EPOCH ||
           err == KFK_ERR_UNKNOWN_LEADER_EPOCH || err == KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION ||
           err == KFK_ERR_LEADER_NOT_AVAILABLE || err == KFK_ERR_OFFSET_NOT_AVAILABLE ||
           err == KFK_ERR_KAFKA_STORAGE_ERROR || err == KFK_ERR_REPLICA_NOT_AVAILABLE;
}

static int on_list(void *opaque, kfk_response *resp) {
    kfk_cpart *p = opaque;
    kfk_consumer *c = p->owner;
    p->listing = 0;
    p->inflight--;
    if (resp->err == KFK_ERR_DESTROYED) return 0;
    int err = resp->err, decode_err = 0;
    int64_t offset = -1;
    int32_t epoch = -1;
    if (!err) {
        kfk_arena a = {0};
        kfk_list_offsets_response m;
        decode_err = kfk_list_offsets_response_decode(&resp->body, resp->version, &a, &m);
        if (!decode_err && m.topics.count == 1 && m.topics.items[0].partitions.count == 1) {
            err = m.topics.items[0].partitions.items[0].error_code;
            offset = m.topics.items[0].partitions.items[0].offset;
            epoch = m.topics.items[0].partitions.items[0].leader_epoch;
        } else {
            decode_err = KFK_ERR_MALFORMED;
        }
        kfk_arena_reset(&a);
        if (decode_err) err = decode_err;
    }
    if (p->io_gen != p->lo_gen || p->state != KFK_CP_LIST) {
        /* a seek came in between */
    } else if (!err && offset < 0) {
        p->list_spec = KFK_OFFSET_END; /* nothing at or after the time */
    } else if (!err) {
        kfk_start_offset_done_epoch(c, p, offset, epoch, KFK_EPOCH_ADOPT);
    } else if (is_leader_error(err) || kfk_err_retriable(err) || err == KFK_ERR_MALFORMED) {
        kfk_cpart_backoff(c, p);
    } else {
        kfk_cpart_stop(c, p, err, KFK_OFFSET_INVALID);
    }
    kfk_cpart_pass(c);
    return decode_err == KFK_ERR_MALFORMED ? decode_err : 0;
}

void kfk_start_offset_list(kfk_consumer *c, kfk_cpart *p, kfk_metadata *md) {
    kfk_list_offsets_request_init(&p->lo_msg);
    p->lo_msg.replica_id = -1;
    p->lo_msg.isolation_level = (int8_t)c->cc.read_committed;
    p->lo_part = (kfk_list_offsets_request_partition){
        .partition_index = p->partition, .current_leader_epoch = -1, .max_num_offsets = 1,
        .timestamp = p->list_spec == KFK_OFFSET_AT_TIME ? p->list_ts : p->list_spec};
    p->lo_topic.name = (kfk_str){p->topic, (int32_t)strlen(p->topic)};
    p->lo_topic.partitions.items = &p->lo_part;
    p->lo_topic.partitions.count = 1;
    p->lo_msg.topics.items = &p->lo_topic;
    p->lo_msg.topics.count = 1;
    p->lo_req = (kfk_core_req){.dest = KFK_DEST_LEADER, .topic = p->topic,
                               .partition = p->partition};
    /* v0 is gone from Kafka 4; v1 has one offset per partition. */
    p->lo_req.req = (kfk_request){.api_key = KFK_API_LIST_OFFSETS, .min_version = 1,
                                  .max_version = -1, .msg = &p->lo_msg, .cb = on_list,
                                  .opaque = p};
    p->lo_gen = p->io_gen;
    p->listing = 1;
    p->inflight++;
    if (kfk_core_send(c->core, &p->lo_req)) {
        p->listing = 0;
        p->inflight--;
    }
}

/* ----------------------------------------------------------- OffsetFetch */

static void committed_then(kfk_offsets_op *op) {
    kfk_consumer *c = op->c;
    c->offset_fetch_inflight = 0;
    for (int i = 0; i < op->list->count; i++) {
        kfk_cpart *p = op->parts[i];
        const kfk_partition *e = &op->list->elems[i];
        p->offset_fetching = 0;
        p->inflight--;
        if (op->err == KFK_ERR_DESTROYED || p->io_gen != op->gens[i] || p->state != KFK_CP_START)
            continue;
        int err = op->err ? op->err : e->err;
        if (err && (kfk_err_retriable(err) || kfk_coord_retriable(err)))
            kfk_cpart_backoff(c, p);
        else if (err)
            kfk_cpart_stop(c, p, err, KFK_OFFSET_INVALID);
        else if (e->offset >= 0) { /* committed before a truncation? ask the leader */
            pthread_mutex_lock(&c->lock);
            if (p->gen == p->io_gen && p->committed < 0) {
                p->committed = e->offset;
                p->committed_epoch = e->leader_epoch;
            }
            pthread_mutex_unlock(&c->lock);
            kfk_start_offset_done_epoch(c, p, e->offset, e->leader_epoch, KFK_EPOCH_CHECK);
        } else
            kfk_start_offset_reset(c, p, 0, "no committed offset");
    }
    int destroyed = op->err == KFK_ERR_DESTROYED;
    kfk_offsets_op_free(op);
    if (!destroyed) kfk_cpart_pass(c);
}

void kfk_start_offset_committed(kfk_consumer *c) {
    int n = 0;
    for (int i = 0; i < c->io_nparts; i++) {
        kfk_cpart *p = c->io_parts[i];
        n += p->state == KFK_CP_START && !p->offset_fetching && p->list_spec == KFK_OFFSET_STORED &&
             p->backoff_until <= kfk_io_now(c->io);
    }
    kfk_partition_list *l = kfk_partition_list_new(n);
    kfk_cpart **parts = kfk_calloc((size_t)n, sizeof *parts);
    uint32_t *gens = kfk_calloc((size_t)n, sizeof *gens);
    if (!l || !parts || !gens) goto oom;
    for (int i = 0; i < c->io_nparts; i++) {
        kfk_cpart *p = c->io_parts[i];
        if (!(p->state == KFK_CP_START && !p->offset_fetching &&
              p->list_spec == KFK_OFFSET_STORED && p->backoff_until <= kfk_io_now(c->io)))
            continue;
        if (!kfk_partition_list_add(l, p->topic, p->partition)) goto oom;
        parts[l->count - 1] = p;
        gens[l->count - 1] = p->io_gen;
    }
    kfk_offsets_op *op = kfk_offsets_op_new(c, l, 0, c->cc.request_timeout_ms);
    l = NULL;
    if (!op) goto oom;
    op->parts = parts;
    op->gens = gens;
    op->then = committed_then;
    for (int i = 0; i < n; i++) {
        parts[i]->offset_fetching = 1;
        parts[i]->inflight++;
    }
    c->offset_fetch_inflight = 1;
    kfk_offsets_op_submit(op);
    return;
oom:
    kfk_partition_list_destroy(l);
    kfk_free(parts);
    kfk_free(gens);
}
