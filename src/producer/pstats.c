/* The producer's part of a statistics snapshot, on the I/O thread: the
 * accumulator's partitions under its lock (once per interval), the report
 * queue, idempotence and transaction states. */
#include "client/stats.h"
#include "producer/producer_int.h"

static const char *txn_name(enum kfk_txn_state s) {
    switch (s) {
    case KFK_TXN_UNINIT: return "Init";
    case KFK_TXN_READY: return "Ready";
    case KFK_TXN_OPEN: return "InTransaction";
    case KFK_TXN_COMMITTING: return "CommittingTransaction";
    case KFK_TXN_ABORTING: return "AbortingTransaction";
    case KFK_TXN_ABORTABLE: return "AbortableError";
    case KFK_TXN_FATAL: return "FatalError";
    }
    return "Init";
}

static const char *idemp_name(const kfk_producer *p) {
    if (atomic_load(&p->fatal_err)) return "FatalError";
    switch (p->pid_state) {
    case KFK_PID_NONE: return "Init";
    case KFK_PID_ASKING: return "WaitPID";
    case KFK_PID_OK: return "Assigned";
    }
    return "Init";
}

static int64_t batch_bytes(const kfk_pbatch *b) {
    return (int64_t)(b->buf.len - b->bb.start + b->refs.bytes);
}

/* librdkafka's next_err_seq: next_ack_seq until a batch of this epoch
 * failed past it (later ones in flight fail too), then past that batch. */
static int32_t err_seq(const kfk_ppart *pp) {
    uint32_t ahead = ((uint32_t)pp->err_next - (uint32_t)pp->acked_next) & INT32_MAX;
    return ahead > 0 && ahead < (1u << 30) ? pp->err_next : pp->acked_next;
}

static void fill_part(kfk_producer *p, const kfk_ppart *pp, kfk_stats_partition *o) {
    *o = (kfk_stats_partition){.topic = pp->topic->name, .partition = pp->id,
                               .leader = pp->leader, .broker = pp->leader, .leader_epoch = pp->leader_epoch,
                               .unknown = pp->topic->npart <= pp->id, .txmsgs = pp->tx_msgs,
                               .txbytes = pp->tx_bytes, .next_ack_seq = pp->acked_next,
                               .next_err_seq = err_seq(pp), .msgs = pp->msgs,
                               .acked_msgid = pp->acked_msgid,
                               .txretry_msgs = pp->retry_msgs, .txerr_msgs = pp->err_msgs,
                               .committed_leader_epoch = -1,
                               .msgs_inflight = kfk_sender_inflight_msgs(p, pp)};
    for (const kfk_list *e = pp->queue.next; e != &pp->queue; e = e->next) {
        const kfk_pbatch *b = KFK_CONTAINER_OF(e, kfk_pbatch, link);
        o->msgq_cnt += b->bb.count;
        o->msgq_bytes += batch_bytes(b);
    }
    if (pp->open && !pp->open->in_flight) {
        int in_queue = 0;
        for (const kfk_list *e = pp->queue.next; e != &pp->queue && !in_queue; e = e->next)
            in_queue = e == &pp->open->link;
        if (!in_queue) {
            o->msgq_cnt += pp->open->bb.count;
            o->msgq_bytes += batch_bytes(pp->open);
        }
    }
}

/* Under acc.lock: every topic's age, metadata age and batch windows. */
static void fill_topics(kfk_producer *p, const kfk_metadata *md, kfk_stats *s, kfk_arena *a,
                        int reader) {
    s->topics = kfk_arena_array(a, (size_t)(p->acc.ntopics ? p->acc.ntopics : 1), sizeof *s->topics);
    if (!s->topics) return;
    int64_t now_us = kfk_clock_us(), now_ms = kfk_io_now(p->io);
    for (int32_t t = 0; t < p->acc.ntopics; t++) {
        kfk_ptopic *pt = p->acc.topics[t];
        const kfk_md_topic *mt = md ? kfk_metadata_topic(md, pt->name) : NULL;
        kfk_stats_topic *o = &s->topics[s->ntopics++];
        o->topic = pt->name;
        o->age = (now_us - pt->created_us) / 1000;
        o->metadata_age = mt ? now_ms - mt->updated_ms : -1;
        kfk_win_roll(&pt->batchsize, reader, &o->batchsize);
        kfk_win_roll(&pt->batchcnt, reader, &o->batchcnt);
    }
}

void kfk_pstats_fill(void *producer, kfk_stats *s, kfk_arena *a) {
    kfk_producer *p = producer;
    int reader = kfk_core_stats_reader(p->core);
    for (int i = 0; i < s->nbrokers; i++)
        for (int k = 0; k < p->nnodes; k++)
            if (p->nodes[k].id == s->brokers[i].nodeid) {
                kfk_win_roll(&p->nodes[k].int_latency, reader, &s->brokers[i].int_latency);
                s->brokers[i].txretries = p->nodes[k].retries;
            }
    pthread_mutex_lock(&p->reports.lock);
    for (const kfk_list *e = p->reports.list.next; e != &p->reports.list; e = e->next)
        s->replyq += KFK_CONTAINER_OF(e, kfk_pbatch, link)->bb.count;
    pthread_mutex_unlock(&p->reports.lock);

    kfk_stats_eos *eos = kfk_arena_alloc(a, sizeof *eos);
    kfk_metadata *md = kfk_core_metadata(p->core); /* before the lock, as elsewhere */
    pthread_mutex_lock(&p->acc.lock);
    int n = 0;
    for (int32_t t = 0; t < p->acc.ntopics; t++)
        for (int32_t i = 0; i < p->acc.topics[t]->nalloc; i++) n += !!p->acc.topics[t]->parts[i];
    s->partitions = kfk_arena_array(a, (size_t)(n ? n : 1), sizeof *s->partitions);
    fill_topics(p, md, s, a, reader);
    if (s->partitions) {
        for (int32_t t = 0; t < p->acc.ntopics; t++) {
            const kfk_ptopic *pt = p->acc.topics[t];
            for (int32_t i = 0; i < pt->nalloc; i++) {
                if (!pt->parts[i]) continue;
                kfk_stats_partition *o = &s->partitions[s->npartitions++];
                fill_part(p, pt->parts[i], o);
                s->txmsgs += o->txmsgs;
                s->txmsg_bytes += o->txbytes;
            }
        }
    }
    s->msg_cnt = p->acc.queued;
    s->msg_size = p->acc.mem_used;
    s->buffer_peak = p->acc.mem_peak;
    if (eos && p->conf.transactional_id) {
        eos->txn_state = txn_name(p->txn.state);
        eos->txn_stateage = p->txn.state_us ? (kfk_clock_us() - p->txn.state_us) / 1000 : 0;
        eos->txn_may_enq = p->txn.state == KFK_TXN_OPEN;
    } else if (eos) {
        eos->txn_stateage = s->age / 1000; /* Init since it was made, as librdkafka */
    }
    pthread_mutex_unlock(&p->acc.lock);
    kfk_metadata_unref(md);
    s->msg_max = p->conf.max_messages;
    s->msg_size_max = p->conf.buffer_memory;
    s->batches_retried = atomic_load(&p->batches_retried);
    s->batches_split = atomic_load(&p->batches_split);
    if (!eos) return;
    eos->idemp_state = p->conf.idempotent ? idemp_name(p) : NULL;
    eos->idemp_stateage = (p->pid_state_us ? kfk_clock_us() - p->pid_state_us : s->age) / 1000;
    int64_t pe = atomic_load(&p->pid_now);
    eos->producer_id = pe < 0 ? -1 : pe >> 16;
    eos->producer_epoch = pe < 0 ? -1 : (int32_t)(pe & 0xffff);
    /* librdkafka counts every id or epoch assigned, the first too */
    eos->epoch_cnt = atomic_load(&p->epoch_bumps) + (pe >= 0);
    s->eos = eos;
}

void kfk_pstats_wake(void *producer) {
    kfk_producer *p = producer;
    kfk_reportq_kick(&p->reports);
}
