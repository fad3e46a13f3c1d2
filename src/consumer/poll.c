/* Handing messages to the application: one lock per poll batch, the
 * position (and, with enable.auto.offset.store, the stored offset) moved
 * past each message and past the markers and aborted batches that ended a
 * fetch, commit and rebalance callbacks run here, and the fetcher woken
 * when a partition drains below its share of the prefetch bound. */
#include <string.h>
#include <time.h>

#include "consumer/consumer_int.h"
#include "core/portable.h"
#include "core/deadline.h"

static int64_t msg_bytes(const kfk_consumer_message *m) {
    int64_t n = (int64_t)(m->key_len + m->value_len);
    for (size_t i = 0; i < m->header_count; i++)
        n += (int64_t)(strlen(m->headers[i].name) + m->headers[i].value_len);
    return n;
}

/* Takes the next deliverable message off the queue; under lock. Stale
 * messages (of an older seek) are released; commit events are returned
 * for the caller to run unlocked. *wake is set when a prefetch_full partition
 * drained enough to fetch again, *due when a commit by message count is. */
static kfk_consumer_message *take(kfk_consumer *c, int *wake, int *due) {
    while (c->qhead) {
        kfk_consumer_message *m = c->qhead;
        c->qhead = kfk_cmsg(m)->next;
        if (!c->qhead) c->qtail = NULL;
        kfk_cmsg(m)->next = NULL;
        kfk_cpart *p = kfk_cmsg(m)->part;
        if (!p) return m; /* a commit result */
        if (kfk_cmsg(m)->gen != p->gen) {
            kfk_consumer_message_release(m);
            continue;
        }
        if (kfk_cmsg(m)->kind == KFK_KIND_SKIP) {
            if (m->offset > p->position) {
                p->position = m->offset;
                if (m->leader_epoch >= 0) p->position_epoch = m->leader_epoch;
                if (c->cc.auto_store) {
                    p->stored = p->position;
                    p->stored_epoch = p->position_epoch;
                }
            }
            kfk_consumer_message_release(m);
            continue;
        }
        if (kfk_cmsg(m)->kind == KFK_KIND_RECORD) {
            int64_t bytes = msg_bytes(m);
            p->queued_bytes -= bytes;
            c->queued_total -= bytes;
            p->queued_msgs--;
            kfk_cmsg(m)->polled_after = p->polled_end >= 0 ? p->polled_end : m->offset;
            p->position = p->polled_end = m->offset + 1;
            p->position_epoch = m->leader_epoch;
            if (c->cc.auto_store) {
                p->stored = p->position;
                p->stored_epoch = p->position_epoch;
                if (c->cc.auto_commit_messages > 0) *due |= kfk_autocommit_count(c, 1);
            }
            if (c->queue_full && c->queued_total * 2 < c->cc.queue_max_bytes) {
                c->queue_full = 0;
                *wake = 1;
            }
            /* while the whole queue is full, a wake-up would find p held still */
            if (p->prefetch_full && !c->queue_full && p->queued_bytes * 2 < kfk_share(c)) {
                p->prefetch_full = 0;
                *wake = 1;
            }
        }
        return m;
    }
    return NULL;
}

/* Runs after the lock is dropped: wakes the fetcher, starts a commit by
 * message count. */
static void after(kfk_consumer *c, int wake, int due) {
    if (wake) kfk_cpart_pass_post(c);
    if (due) kfk_autocommit_post(c);
}

/* Under lock, as a poll returns: the share of the cycle since the previous
 * poll returned that this one spent inside (Java's poll idle ratio), in
 * parts per million. Per poll, not per message: two clock reads. */
static void poll_idle(kfk_consumer *c, int64_t start) {
    int64_t end = kfk_clock_us(), in = end - start;
    int64_t out = c->poll_end_us && start > c->poll_end_us ? start - c->poll_end_us : 0;
    kfk_win_add(&c->poll_idle, in + out > 0 ? in * 1000000 / (in + out) : 1000000);
    c->polls++;
    c->poll_end_us = end;
}

int kfk_consumer_poll_batch(kfk_consumer *c, kfk_consumer_message **out, int max,
                            int timeout_ms) {
    if (max <= 0) max = c->cc.max_poll_records;
    struct timespec until = kfk_deadline_ts(timeout_ms > 0 ? timeout_ms : 0);
    int n = 0, wake = 0, due = 0;
    int64_t start = kfk_clock_us();
    kfk_group_polled(c);
    pthread_mutex_lock(&c->lock);
    for (;;) {
        kfk_consumer_message *m;
        while (n < max && (m = take(c, &wake, &due)) != NULL) {
            if (kfk_cmsg(m)->kind == KFK_KIND_COMMIT || kfk_cmsg(m)->kind == KFK_KIND_REBALANCE) {
                pthread_mutex_unlock(&c->lock);
                if (kfk_cmsg(m)->kind == KFK_KIND_COMMIT)
                    kfk_commit_event_run(c, m);
                else
                    kfk_gev_run(c, m);
                pthread_mutex_lock(&c->lock);
                continue;
            }
            out[n++] = m;
        }
        if (n > 0 || timeout_ms == 0) break;
        if (kfk_statsd_ready(&c->statsd)) { /* while waiting, not per message */
            pthread_mutex_unlock(&c->lock);
            kfk_statsd_deliver(&c->statsd);
            pthread_mutex_lock(&c->lock);
            continue;
        }
        if (timeout_ms < 0)
            pthread_cond_wait(&c->cond, &c->lock);
        else if (kfk_cond_wait_until(&c->cond, &c->lock, &until))
            timeout_ms = 0; /* one last look */
    }
    poll_idle(c, start);
    if (!c->qhead) kfk_evfd_clear(c);
    pthread_mutex_unlock(&c->lock);
    after(c, wake, due);
    kfk_statsd_deliver(&c->statsd);
    return n;
}

kfk_consumer_message *kfk_consumer_poll(kfk_consumer *c, int timeout_ms) {
    kfk_consumer_message *m = NULL;
    return kfk_consumer_poll_batch(c, &m, 1, timeout_ms) ? m : NULL;
}
