/* The I/O thread's pass over the partitions, run after every change (an
 * assign, a seek, a poll that freed prefetch room, a response) and when a
 * backoff ends: takes in the application's wishes, starts what each
 * partition's state needs, and sends the fetches. */
#include <string.h>

#include "consumer/consumer_int.h"
#include "core/alloc.h"

static void on_pass_timer(kfk_timer *t, int64_t now) {
    kfk_cpart_pass(KFK_CONTAINER_OF(t, kfk_consumer, pass_timer));
}

/* A new snapshot: a partition on its first wait for a leader that the
 * snapshot names fetches (or lists offsets) now rather than after
 * retry.backoff.ms. Later waits keep their exponential backoff. */
static void on_metadata(void *opaque) {
    kfk_consumer *c = opaque;
    kfk_metadata *md = kfk_core_metadata(c->core);
    for (int i = 0; i < c->io_nparts; i++) {
        kfk_cpart *p = c->io_parts[i];
        const kfk_md_topic *t = kfk_metadata_topic(md, p->topic);
        const kfk_md_partition *mp = t ? kfk_metadata_partition(t, p->partition) : NULL;
        if ((p->state == KFK_CP_ACTIVE || p->state == KFK_CP_LIST) && p->attempts == 1 && mp &&
            mp->leader >= 0)
            p->backoff_until = 0;
    }
    kfk_metadata_unref(md);
    kfk_cpart_pass(c);
}

static void add_timers(kfk_consumer *c, int64_t now) {
    kfk_core_on_metadata(c->core, on_metadata, c);
    if (kfk_io_timer_add(c->io, &c->pass_timer, on_pass_timer) ||
        kfk_io_timer_add(c->io, &c->commit_timer, kfk_autocommit_timer))
        return; /* out of memory: the next run tries again */
    c->timers_added = 1;
    if (c->cc.auto_commit && c->cc.auto_commit_interval_ms > 0)
        kfk_io_timer_set(c->io, &c->commit_timer, now + c->cc.auto_commit_interval_ms);
}

/* Copies the partition table and what the application wants; under lock. */
static int take_in(kfk_consumer *c) {
    kfk_list_splice_tail(&c->retired, &c->retiring);
    if (c->nparts > c->io_cap) {
        kfk_cpart **a = kfk_realloc(c->io_parts, (size_t)c->nparts * sizeof *a);
        if (!a) return KFK_ERR_NOMEM;
        c->io_parts = a;
        c->io_cap = c->nparts;
    }
    c->io_nparts = c->nparts;
    int64_t share = kfk_share(c), total = 0;
    for (int i = 0; i < c->nparts; i++) total += c->parts[i]->queued_bytes;
    c->queued_total = total;
    c->queue_full = total >= c->cc.queue_max_bytes;
    for (int i = 0; i < c->nparts; i++) {
        kfk_cpart *p = c->parts[i];
        c->io_parts[i] = p;
        if (p->gen != p->io_gen) {
            p->io_gen = p->gen;
            p->state = KFK_CP_START;
            p->list_spec = p->spec;
            p->list_ts = p->spec_ts;
            p->fetch_pos = KFK_OFFSET_INVALID;
            p->backoff_until = 0;
            p->attempts = 0;
            p->eof_at = -1;
            p->held_since = 0;
            p->backlog = 0;
            memset(&p->topic_id, 0, sizeof p->topic_id);
            p->read_replica = p->bad_replica = -1;
        }
        p->prefetch_full = p->queued_bytes >= share || c->queue_full;
        p->can_fetch = !p->paused && !p->prefetch_full;
        p->held_back = !p->paused && p->prefetch_full;
    }
    return 0;
}

static void free_retired(kfk_consumer *c) {
    for (kfk_list *e = c->retired.next, *next; e != &c->retired; e = next) {
        next = e->next;
        kfk_cpart *p = KFK_CONTAINER_OF(e, kfk_cpart, link);
        if (p->inflight) continue;
        kfk_list_remove(e);
        kfk_free(p->topic);
        kfk_free(p);
    }
}

/* START: an offset is known already, or must be asked for. */
static int start(kfk_consumer *c, kfk_cpart *p) {
    if (p->list_spec >= 0) {
        kfk_start_offset_done(c, p, p->list_spec);
        return 0;
    }
    if (p->list_spec != KFK_OFFSET_STORED) {
        p->state = KFK_CP_LIST;
        return 0;
    }
    if (c->cc.group_id) return 1; /* OffsetFetch */
    kfk_start_offset_reset(c, p, 0, "no group.id to read a committed offset from");
    return 0;
}

/* A partition the application assigned that metadata does not show (a
 * topic or partition that does not exist) is reported once through poll,
 * after topic.metadata.propagation.max.ms, then still waited for: it may
 * be created later. A group's assignment comes from metadata, and a
 * subscribed topic that does not exist is waited for in silence, as the
 * Java client and librdkafka do. */
static void check_absent(kfk_consumer *c, const kfk_metadata *md, kfk_cpart *p, int64_t now) {
    if (!p->looked_at) p->looked_at = now;
    if (!md || p->state == KFK_CP_STOPPED || c->group.state != KFK_G_NONE) return;
    const kfk_md_topic *t = kfk_metadata_topic(md, p->topic);
    int err = kfk_absent_err(t, p->partition, md->updated_ms, p->looked_at,
                             c->cc.propagation_max_ms);
    if (!err) {
        if (t && !t->err && t->npartitions > 0 && kfk_metadata_partition(t, p->partition))
            p->absent_reported = 0;
        return;
    }
    if (p->absent_reported) return;
    p->absent_reported = 1;
    kfk_consumer_log(c, "%s [%d]: %s after %d ms (topic.metadata.propagation.max.ms)", p->topic,
                     (int)p->partition,
                     err == KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION ? "not in the cluster"
                                                               : kfk_err_name(err),
                     (int)c->cc.propagation_max_ms);
    kfk_cpart_event(c, p, err, KFK_OFFSET_INVALID);
}

void kfk_cpart_pass(kfk_consumer *c) {
    int64_t now = kfk_io_now(c->io), wake = INT64_MAX;
    if (!c->timers_added) add_timers(c, now);
    pthread_mutex_lock(&c->lock);
    int rc = take_in(c);
    pthread_mutex_unlock(&c->lock);
    if (rc) {
        wake = now + c->cc.retry_backoff_ms;
        c->io_nparts = 0;
    }
    free_retired(c);
    kfk_metadata *md = kfk_core_metadata(c->core);
    int need_committed = 0, need_list = 0;
    for (int i = 0; i < c->io_nparts; i++) {
        kfk_cpart *p = c->io_parts[i];
        check_absent(c, md, p, now);
        if (p->backoff_until > now) {
            if (p->backoff_until < wake) wake = p->backoff_until;
            continue;
        }
        kfk_fetch_check_topic(c, md, p);
        if (p->state == KFK_CP_START && !p->offset_fetching) need_committed |= start(c, p);
        need_list |= p->state == KFK_CP_LIST && !p->listing;
    }
    if (need_committed && !c->offset_fetch_inflight) kfk_start_offset_committed(c);
    if (need_list) kfk_start_offset_list_send(c, md, now);
    kfk_fetch_send(c, md, now, &wake);
    kfk_metadata_unref(md);
    if (c->timers_added && wake != INT64_MAX) kfk_io_timer_set(c->io, &c->pass_timer, wake);
}
