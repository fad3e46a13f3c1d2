/* The consumer's part of a statistics snapshot, on the I/O thread: the
 * partition table under the consumer's lock (once per interval), and the
 * group's state. */
#include <string.h>

#include "client/stats.h"
#include "consumer/consumer_int.h"

static const char *fetch_state(const kfk_cpart *p) {
    switch (p->state) {
    case KFK_CP_START:
    case KFK_CP_LIST: return "offset-query";
    case KFK_CP_ACTIVE: return "active";
    case KFK_CP_VALIDATE: return "validate-epoch-wait";
    case KFK_CP_STOPPED: return "stopped";
    }
    return "none";
}

static const char *join_state(enum kfk_gstate s) {
    switch (s) {
    case KFK_G_NONE: return "init";
    case KFK_G_JOIN: return "wait-join";
    case KFK_G_METADATA: return "wait-metadata";
    case KFK_G_SYNC: return "wait-sync";
    case KFK_G_APP: return "wait-assign-call";
    case KFK_G_STABLE: return "steady";
    case KFK_G_LEFT: return "left";
    case KFK_G_FATAL: return "fatal";
    }
    return "init";
}

/* What is left to read past off, as librdkafka counts it; -1 unknown. */
static int64_t lag(int64_t end, int64_t off) {
    if (end < 0 || off < 0) return -1;
    return end > off ? end - off : 0;
}

/* The partition in metadata; NULL unknown. */
static const kfk_md_partition *md_part(const kfk_metadata *md, const kfk_cpart *p) {
    const kfk_md_topic *t = md ? kfk_metadata_topic(md, p->topic) : NULL;
    return t ? kfk_metadata_partition(t, p->partition) : NULL;
}

/* A topic's entry: its age from the oldest of its partitions held (parts
 * from i on, sorted by topic), the age of its metadata. */
static void add_topic(kfk_consumer *c, const kfk_metadata *md, kfk_stats *s, int i, int64_t now) {
    if (!s->topics) return;
    const char *topic = c->parts[i]->topic;
    int64_t since = c->parts[i]->added_us;
    for (int k = i + 1; k < c->nparts && strcmp(c->parts[k]->topic, topic) == 0; k++)
        if (c->parts[k]->added_us < since) since = c->parts[k]->added_us;
    const kfk_md_topic *mt = md ? kfk_metadata_topic(md, topic) : NULL;
    s->topics[s->ntopics++] = (kfk_stats_topic){
        .topic = topic, .age = (now - since) / 1000,
        .metadata_age = mt ? kfk_io_now(c->io) - mt->updated_ms : -1};
}

void kfk_cstats_fill(void *consumer, kfk_stats *s, kfk_arena *a) {
    kfk_consumer *c = consumer;
    kfk_metadata *md = kfk_core_metadata(c->core);
    kfk_stats_cgrp *g = c->cc.group_id ? kfk_arena_alloc(a, sizeof *g) : NULL;
    pthread_mutex_lock(&c->lock);
    s->partitions = kfk_arena_array(a, (size_t)(c->nparts ? c->nparts : 1), sizeof *s->partitions);
    s->topics = kfk_arena_array(a, (size_t)(c->nparts ? c->nparts : 1), sizeof *s->topics);
    int assigned = 0;
    int64_t now = kfk_clock_us();
    int reader = kfk_core_stats_reader(c->core);
    for (int i = 0; s->partitions && i < c->nparts; i++) {
        const kfk_cpart *p = c->parts[i];
        int64_t end = c->cc.read_committed ? p->lso : p->hwm;
        const kfk_md_partition *mp = md_part(md, p);
        s->partitions[s->npartitions++] = (kfk_stats_partition){
            .topic = p->topic, .partition = p->partition, .leader = mp ? mp->leader : -1,
            .broker = p->read_replica >= 0 ? p->read_replica : mp ? mp->leader : -1,
            .leader_epoch = mp ? mp->leader_epoch : -1, .unknown = !mp,
            .stored_leader_epoch = p->stored_epoch,
            .eof_offset = p->state != KFK_CP_START && p->eof_at >= 0 ? p->eof_at : KFK_OFFSET_INVALID,
            .desired = !p->removed, .fetch_state = p->paused ? "paused" : fetch_state(p),
            .next_offset = p->state == KFK_CP_ACTIVE || p->state == KFK_CP_VALIDATE ? p->fetch_pos : KFK_OFFSET_INVALID,
             .app_offset = p->position,
            .stored_offset = p->stored, .committed_offset = p->committed,
            .committed_leader_epoch = p->committed >= 0 ? p->committed_epoch : -1,
            .query_offset = p->io_gen == p->gen ? p->list_spec : KFK_OFFSET_INVALID,
            .lo_offset = p->lwm, .hi_offset = p->hwm, .ls_offset = p->lso,
            .consumer_lag = lag(end, p->committed), .consumer_lag_stored = lag(end, p->stored),
            .fetchq_cnt = p->queued_msgs, .fetchq_size = p->queued_bytes,
            .rxmsgs = p->rx_msgs, .rxbytes = p->rx_bytes, .rx_ver_drops = p->rx_ver_drops};
        kfk_stats_partition *o = &s->partitions[s->npartitions - 1];
        kfk_win_lite_roll(&c->parts[i]->lag_win, reader, &o->records_lag);
        kfk_win_lite_roll(&c->parts[i]->lead_win, reader, &o->records_lead);
        if (i == 0 || strcmp(c->parts[i - 1]->topic, p->topic) != 0) /* sorted: a new topic */
            add_topic(c, md, s, i, now);
        s->replyq += p->queued_msgs;
        s->rxmsgs += p->rx_msgs;
        s->rxmsg_bytes += p->rx_wire;
        assigned += !p->removed;
    }
    s->fetch_requests = c->stats.fetch_requests;
    s->offset_resets = c->stats.offset_resets;
    s->commits = c->stats.commits;
    s->polls = c->polls;
    for (int i = 0; i < s->nbrokers; i++)
        for (int k = 0; k < c->fetch_stats.nnodes; k++)
            if (c->fetch_stats.nodes[k].node == s->brokers[i].nodeid)
                s->brokers[i].rxpartial = c->fetch_stats.nodes[k].partial;
    kfk_win_roll(&c->poll_idle, reader, &s->poll_idle_ratio);
    kfk_win_roll(&c->fetch_latency, reader, &s->fetch_latency);
    kfk_win_roll(&c->commit_latency, reader, &s->commit_latency);
    kfk_win_roll(&c->rebalance_latency, reader, &s->rebalance_latency);
    s->rebalance_latency_total = c->rebalance_total_us;
    if (g) {
        g->rebalance_cnt = c->stats.rebalances;
        g->rebalance_age = c->rebalance_us ? (now - c->rebalance_us) / 1000 : 0;
        g->assignment_size = assigned;
    }
    pthread_mutex_unlock(&c->lock);
    kfk_metadata_unref(md);
    if (!g) return;
    g->state = c->coord.node >= 0 ? "up" : c->coord.looking ? "wait-coord" : "init";
    g->stateage = (c->coord.state_us ? kfk_clock_us() - c->coord.state_us : s->age) / 1000;
    g->join_state = join_state(c->group.state);
    g->rebalance_reason = c->group.reason ? c->group.reason : "";
    s->cgrp = g;
}

void kfk_cstats_rebalance_start(kfk_consumer *c) {
    if (!c->rebalance_start_us) c->rebalance_start_us = kfk_clock_us();
}

void kfk_cstats_rebalance_done(kfk_consumer *c) {
    if (!c->rebalance_start_us) return;
    int64_t us = kfk_clock_us() - c->rebalance_start_us;
    c->rebalance_start_us = 0;
    pthread_mutex_lock(&c->lock);
    kfk_win_add(&c->rebalance_latency, us);
    c->rebalance_total_us += us;
    pthread_mutex_unlock(&c->lock);
}

void kfk_cstats_wake(void *consumer) {
    kfk_consumer *c = consumer;
    pthread_mutex_lock(&c->lock);
    kfk_evfd_signal(c);
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}
