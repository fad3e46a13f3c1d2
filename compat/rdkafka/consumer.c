/* The high-level consumer on kfk_consumer: subscribe, consumer_poll,
 * rebalance and commit callbacks, assign (eager and incremental), commits,
 * positions, offsets and watermarks. The legacy per-partition consumer is
 * in legacy.c. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rdk_int.h"

/* Inside the application's rebalance callback (kfk forbids synchronous
 * commits there). */
static __thread int in_rebalance_cb;

/* A rebalance given to the application through the consumer queue (a
 * REBALANCE op) rather than inside kfk's callback: with the event API
 * (rd_kafka_conf_set_events with RD_KAFKA_EVENT_REBALANCE), while the pump
 * polls kfk, and for the revoke of rd_kafka_unsubscribe, which librdkafka
 * delivers from the next poll. kfk goes on without waiting for the
 * (un)assign: the application makes it when it serves the op. */
static __thread rd_kafka_t *in_unsubscribe;

static int defer_rebalance(rd_kafka_t *rk) {
    if (rk->closing) return 0; /* close serves the revoke itself, as librdkafka's */
    return in_unsubscribe == rk || (rk->conf->enabled_events & RD_KAFKA_EVENT_REBALANCE) ||
           __atomic_load_n(&rk->pump_running, __ATOMIC_ACQUIRE);
}

static void on_rebalance(kfk_consumer *c, int kind, const kfk_partition_list *parts,
                         void *opaque) {
    rd_kafka_t *rk = opaque;
    /* rd_kafka_destroy's close still gives the application its revoke, as
     * librdkafka's; no callback after that */
    if (rk->destroying && !(rk->closing && rk->consumer)) {
        if (kind == KFK_REBALANCE_ASSIGNED)
            kfk_consumer_incremental_assign(c, parts);
        else
            kfk_consumer_incremental_unassign(c, parts);
        return;
    }
    rd_kafka_topic_partition_list_t *l = rdk_from_kfk_list(parts);
    if (!l) return;
    for (int i = 0; i < l->cnt; i++) l->elems[i].offset = RD_KAFKA_OFFSET_INVALID;
    rk->assignment_lost = kind == KFK_REBALANCE_LOST;
    rd_kafka_resp_err_t err = kind == KFK_REBALANCE_ASSIGNED ? RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS
                                                              : RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS;
    struct rd_kafka_op_s *op = defer_rebalance(rk) ? rdk_op_new(rk, RD_KAFKA_EVENT_REBALANCE) : NULL;
    if (op) {
        op->err = err;
        op->partitions = l;
        rdk_queue_push(rk->consumer_q, op);
        return;
    }
    if (rk->conf->rebalance_cb) {
        in_rebalance_cb++;
        rk->conf->rebalance_cb(rk, err, l, rk->conf->opaque);
        in_rebalance_cb--;
    } else if (kind == KFK_REBALANCE_ASSIGNED) {
        kfk_consumer_incremental_assign(c, parts);
    } else {
        kfk_consumer_incremental_unassign(c, parts);
    }
    rd_kafka_topic_partition_list_destroy(l);
}

/* A REBALANCE op served through callbacks (rd_kafka_consumer_poll,
 * rd_kafka_poll on a forwarded queue...): the rebalance_cb, else
 * librdkafka's default (un)assign. */
void rdk_rebalance_serve(rd_kafka_t *rk, struct rd_kafka_op_s *op) {
    const rd_kafka_conf_t *c = rk->conf;
    in_rebalance_cb++;
    if (c->rebalance_cb) {
        c->rebalance_cb(rk, op->err, op->partitions, c->opaque);
    } else if (!strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE")) {
        rd_kafka_error_t *e = op->err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS
                                  ? rd_kafka_incremental_assign(rk, op->partitions)
                                  : rd_kafka_incremental_unassign(rk, op->partitions);
        if (e) rd_kafka_error_destroy(e);
    } else {
        rd_kafka_assign(rk, op->err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS ? op->partitions
                                                                             : NULL);
    }
    in_rebalance_cb--;
}

static void on_commit(kfk_consumer *c, int err, const kfk_partition_list *offsets, void *opaque) {
    rd_kafka_t *rk = opaque;
    int ic = rdk_ic_of(rk, RDK_IC_COMMIT) != NULL;
    if (!ic && (rk->destroying || !rk->conf->offset_commit_cb)) return;
    rd_kafka_topic_partition_list_t *l = rdk_from_kfk_list(offsets);
    if (!l) return;
    rd_kafka_resp_err_t e = err ? rdk_err(err) : RD_KAFKA_RESP_ERR_NO_ERROR;
    if (ic) rdk_ic_on_commit(rk, l, e);
    if (!rk->destroying && rk->conf->offset_commit_cb)
        rk->conf->offset_commit_cb(rk, e, l, rk->conf->opaque);
    rd_kafka_topic_partition_list_destroy(l);
}

static rd_kafka_topic_partition_list_t *stored_to_commit(rd_kafka_t *rk);
static rd_kafka_resp_err_t commit(rd_kafka_t *rk, const rd_kafka_topic_partition_list_t *offsets,
                                  int async, rd_kafka_topic_partition_list_t **done);

/* kfk_consumer_close, whose final commit (auto commit) goes to on_commit
 * as librdkafka's does. */
static int close_consumer(rd_kafka_t *rk) {
    int auto_commit = !strcmp(rdk_conf_str(rk->conf, "enable.auto.commit"), "true");
    rd_kafka_topic_partition_list_t *final =
        rdk_ic_of(rk, RDK_IC_COMMIT) && auto_commit ? stored_to_commit(rk) : NULL;
    int err = kfk_consumer_close(rk->consumer);
    if (final) {
        rd_kafka_resp_err_t e = err == KFK_ERR_NOENT ? RD_KAFKA_RESP_ERR__NO_OFFSET : rdk_err(err);
        for (int i = 0; i < final->cnt; i++) final->elems[i].err = e;
        rdk_ic_on_commit(rk, final, e);
        rd_kafka_topic_partition_list_destroy(final);
    }
    return err;
}

int rdk_consumer_start(rd_kafka_t *rk, kfk_conf *kc, char *errstr, size_t errstr_size) {
    rk->consumer = kfk_consumer_new(kc, errstr, errstr_size);
    if (!rk->consumer) {
        kfk_conf_destroy(kc);
        return -1;
    }
    rdk_threads_add(1);
    const char *mp = rdk_conf_str(rk->conf, "max.poll.interval.ms");
    rk->max_poll_ms = mp ? atoi(mp) : 300000;
    if (rk->conf->rebalance_cb || (rk->conf->enabled_events & RD_KAFKA_EVENT_REBALANCE))
        kfk_consumer_set_rebalance_cb(rk->consumer, on_rebalance, rk);
    kfk_consumer_set_commit_cb(rk->consumer, on_commit, rk);
    return 0;
}

/* Close serves what waits on the consumer queue through the callbacks,
 * as librdkafka's: the revoke an unsubscribe left there above all. */
static void serve_before_close(rd_kafka_t *rk) {
    struct rd_kafka_op_s *op;
    while ((op = rdk_queue_pop(rk->consumer_q, 0)) != NULL) rdk_op_serve(op);
}

int rdk_consumer_start_late(rd_kafka_t *rk, kfk_conf *kc, char *errstr, size_t errstr_size) {
    if (rk->closed) {
        snprintf(errstr, errstr_size, "Consumer closed");
        kfk_conf_destroy(kc);
        return -1;
    }
    if (rdk_consumer_start(rk, kc, errstr, errstr_size)) return -1;
    rd_kafka_topic_partition_list_t *sub = rk->pending_sub;
    rk->pending_sub = NULL;
    if (sub) {
        rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, sub);
        if (err)
            rdk_log(rk, 3, "SUBSCRIBE", "subscription kept for the brokers failed: %s",
                    rd_kafka_err2str(err));
        rd_kafka_topic_partition_list_destroy(sub);
    }
    return 0;
}

void rdk_consumer_stop(rd_kafka_t *rk, int close_group) {
    if (rk->pending_sub) rd_kafka_topic_partition_list_destroy(rk->pending_sub);
    rk->pending_sub = NULL;
    if (!rk->consumer) return;
    rdk_consumer_pump_stop(rk);
    if (close_group) serve_before_close(rk);
    rk->closing = 1;
    if (close_group)
        close_consumer(rk);
    else
        kfk_consumer_destroy(rk->consumer);
    rk->consumer = NULL;
    rdk_threads_add(-1);
}

rd_kafka_resp_err_t rd_kafka_consumer_close(rd_kafka_t *rk) {
    if (!rk->consumer && rk->pending_conf && !rk->closed) {
        /* never had brokers: nothing joined, nothing to commit */
        if (rk->pending_sub) rd_kafka_topic_partition_list_destroy(rk->pending_sub);
        rk->pending_sub = NULL;
        rk->closed = 1;
        return RD_KAFKA_RESP_ERR_NO_ERROR;
    }
    if (!rk->consumer) return RD_KAFKA_RESP_ERR__STATE;
    rdk_consumer_pump_stop(rk);
    serve_before_close(rk);
    rk->closing = 1;
    int err = close_consumer(rk);
    rk->consumer = NULL;
    rk->closed = 1;
    rdk_threads_add(-1);
    if (err == KFK_ERR_FATAL) return RD_KAFKA_RESP_ERR__FATAL;
    /* librdkafka's close does not fail for its last commit (a member the
     * group already removed cannot commit): that failure is logged. */
    if (err)
        rdk_log(rk, 4, "COMMIT", "final commit at close failed: %s", rd_kafka_err2str(rdk_err(err)));
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

int rd_kafka_consumer_closed(rd_kafka_t *rk) { return rk->closed; }

rd_kafka_error_t *rd_kafka_consumer_close_queue(rd_kafka_t *rk, rd_kafka_queue_t *rkqu) {
    rd_kafka_resp_err_t err = rd_kafka_consumer_close(rk);
    return err ? rdk_error_new(err, 0, 0, 0, "%s", rd_kafka_err2str(err)) : NULL;
}

int64_t rdk_now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* A subscription kfk's subscribe would take: names not empty, regular
 * expressions (a leading '^') that compile. */
static int valid_subscription(const rd_kafka_topic_partition_list_t *topics) {
    for (int i = 0; i < topics->cnt; i++) {
        const char *t = topics->elems[i].topic;
        if (!t || !*t) return 0;
        if (*t != '^') continue;
        regex_t re;
        if (regcomp(&re, t, REG_EXTENDED | REG_NOSUB) != 0) return 0;
        regfree(&re);
    }
    return 1;
}

rd_kafka_resp_err_t rd_kafka_subscribe(rd_kafka_t *rk,
                                       const rd_kafka_topic_partition_list_t *topics) {
    if (!rk->consumer && rk->pending_conf && !rk->closed && topics && topics->cnt > 0) {
        /* no brokers yet: kept for when rd_kafka_brokers_add gives some */
        if (!*rdk_conf_str(rk->conf, "group.id")) return RD_KAFKA_RESP_ERR__UNKNOWN_GROUP;
        if (!valid_subscription(topics)) return RD_KAFKA_RESP_ERR__INVALID_ARG;
        rd_kafka_topic_partition_list_t *copy = rd_kafka_topic_partition_list_copy(topics);
        if (!copy) return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
        if (rk->pending_sub) rd_kafka_topic_partition_list_destroy(rk->pending_sub);
        rk->pending_sub = copy;
        return RD_KAFKA_RESP_ERR_NO_ERROR;
    }
    if (!rk->consumer || !topics || topics->cnt == 0) return RD_KAFKA_RESP_ERR__INVALID_ARG;
    const char **names = calloc((size_t)topics->cnt, sizeof *names);
    if (!names) return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    for (int i = 0; i < topics->cnt; i++) names[i] = topics->elems[i].topic;
    int rc = kfk_consumer_subscribe(rk->consumer, names, topics->cnt);
    free(names);
    if (rc == KFK_ERR_INVALID_ARG && !*rdk_conf_str(rk->conf, "group.id"))
        return RD_KAFKA_RESP_ERR__UNKNOWN_GROUP;
    if (!rc) {
        rk->subscribed = 1;
        rk->last_poll_ms = rdk_now_ms(); /* as librdkafka: the interval runs from here */
    }
    return rdk_err(rc);
}

rd_kafka_resp_err_t rd_kafka_unsubscribe(rd_kafka_t *rk) {
    if (!rk->consumer && rk->pending_conf && !rk->closed) {
        if (rk->pending_sub) rd_kafka_topic_partition_list_destroy(rk->pending_sub);
        rk->pending_sub = NULL;
        return RD_KAFKA_RESP_ERR_NO_ERROR;
    }
    if (!rk->consumer) return RD_KAFKA_RESP_ERR__STATE;
    in_unsubscribe = rk;
    int rc = kfk_consumer_unsubscribe(rk->consumer);
    in_unsubscribe = NULL;
    rk->subscribed = 0;
    return rc == KFK_ERR_NOENT ? RD_KAFKA_RESP_ERR_NO_ERROR : rdk_err(rc);
}

rd_kafka_resp_err_t rd_kafka_subscription(rd_kafka_t *rk,
                                          rd_kafka_topic_partition_list_t **topics) {
    if (!rk->consumer && rk->pending_conf && !rk->closed) {
        *topics = rk->pending_sub ? rd_kafka_topic_partition_list_copy(rk->pending_sub)
                                  : rd_kafka_topic_partition_list_new(0);
        return *topics ? RD_KAFKA_RESP_ERR_NO_ERROR : RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    }
    if (!rk->consumer) return RD_KAFKA_RESP_ERR__STATE;
    kfk_partition_list *kl = kfk_consumer_subscription(rk->consumer);
    *topics = kl ? rdk_from_kfk_list(kl) : rd_kafka_topic_partition_list_new(0);
    for (int i = 0; *topics && i < (*topics)->cnt; i++) {
        (*topics)->elems[i].partition = RD_KAFKA_PARTITION_UA;
        (*topics)->elems[i].offset = RD_KAFKA_OFFSET_INVALID;
    }
    kfk_partition_list_destroy(kl);
    return *topics ? RD_KAFKA_RESP_ERR_NO_ERROR : RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
}

/* Serves the consumer queue's events: errors become messages (returned),
 * the others (commit results...) run their callbacks. */
static rd_kafka_message_t *serve_queue_wait(rd_kafka_t *rk, int timeout_ms) {
    struct rd_kafka_op_s *op;
    for (op = rdk_queue_pop(rk->consumer_q, timeout_ms); op; op = rdk_queue_pop(rk->consumer_q, 0)) {
        if (op->type != RD_KAFKA_EVENT_ERROR || op->client_err) {
            rdk_op_serve(op);
            continue;
        }
        rd_kafka_message_t *m = rdk_msg_error(rk, op->err, NULL, -1, RD_KAFKA_OFFSET_INVALID,
                                              op->errstr ? op->errstr : rd_kafka_err2str(op->err));
        rdk_op_destroy(op);
        return m;
    }
    return NULL;
}

rd_kafka_message_t *rdk_consumer_serve_queue(rd_kafka_t *rk) { return serve_queue_wait(rk, 0); }

/* kfk leaves the group when the application did not poll within
 * max.poll.interval.ms (the same test, on its I/O thread); librdkafka then
 * gives the application ERR__MAX_POLL_EXCEEDED at its next poll. */
rd_kafka_message_t *rdk_poll_exceeded(rd_kafka_t *rk) {
    if (!rk->subscribed) return NULL;
    int64_t now = rdk_now_ms(), last = rk->last_poll_ms;
    rk->last_poll_ms = now;
    if (!last || now - last <= rk->max_poll_ms) return NULL;
    char why[128];
    snprintf(why, sizeof why, "Application maximum poll interval (%dms) exceeded by %dms",
             rk->max_poll_ms, (int)(now - last - rk->max_poll_ms));
    return rdk_msg_error(rk, RD_KAFKA_RESP_ERR__MAX_POLL_EXCEEDED, NULL, -1,
                         RD_KAFKA_OFFSET_INVALID, why);
}

rd_kafka_message_t *rd_kafka_consumer_poll(rd_kafka_t *rk, int timeout_ms) {
    if (!rk->consumer && rk->pending_conf && !rk->closed) {
        /* no brokers: only the queue's own events (errors come back as messages) */
        return serve_queue_wait(rk, timeout_ms);
    }
    if (!rk->consumer) return NULL;
    rd_kafka_message_t *m = rdk_poll_exceeded(rk);
    if (m) return m;
    if (__atomic_load_n(&rk->pump_running, __ATOMIC_ACQUIRE)) {
        m = rdk_consumer_pumped_message(rk, timeout_ms);
        if (rk->subscribed) rk->last_poll_ms = rdk_now_ms();
        return m;
    }
    m = rdk_consumer_serve_queue(rk);
    if (!m) {
        kfk_consumer_message *km = kfk_consumer_poll(rk->consumer, timeout_ms);
        m = km ? rdk_msg_from_consumed(rk, km) : rdk_consumer_serve_queue(rk);
    }
    if (rk->subscribed) rk->last_poll_ms = rdk_now_ms(); /* time blocked in here counts as polling */
    return m;
}

/* librdkafka's "use the committed offset" is RD_KAFKA_OFFSET_INVALID in an
 * assignment; kfk calls it KFK_OFFSET_STORED. Tail offsets are resolved
 * from the partition's end. */
static kfk_partition_list *assign_list(rd_kafka_t *rk,
                                       const rd_kafka_topic_partition_list_t *l) {
    kfk_partition_list *kl = rdk_to_kfk_list(l);
    for (int i = 0; kl && i < kl->count; i++) {
        kfk_partition *p = &kl->elems[i];
        if (p->offset == RD_KAFKA_OFFSET_INVALID) {
            p->offset = KFK_OFFSET_STORED;
        } else if (p->offset <= RD_KAFKA_OFFSET_TAIL_BASE) {
            int64_t lo, hi;
            int64_t cnt = RD_KAFKA_OFFSET_TAIL_BASE - p->offset;
            if (kfk_consumer_watermarks(rk->consumer, p->topic, p->partition, &lo, &hi, 10000) == 0)
                p->offset = hi - cnt > lo ? hi - cnt : lo;
            else
                p->offset = KFK_OFFSET_END;
        }
    }
    return kl;
}

rd_kafka_resp_err_t rd_kafka_assign(rd_kafka_t *rk,
                                    const rd_kafka_topic_partition_list_t *partitions) {
    if (!rk->consumer) return RD_KAFKA_RESP_ERR__STATE;
    if (!partitions) {
        rk->assignment_lost = 0;
        return rdk_err(kfk_consumer_assign(rk->consumer, NULL));
    }
    kfk_partition_list *kl = assign_list(rk, partitions);
    if (!kl) return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    /* librdkafka commits the stored offsets of the assignment it replaces
     * (auto commit), so partitions kept resume where they were. */
    if (!in_rebalance_cb && !strcmp(rdk_conf_str(rk->conf, "enable.auto.commit"), "true"))
        commit(rk, NULL, 0, NULL);
    int rc = kfk_consumer_assign(rk->consumer, kl);
    kfk_partition_list_destroy(kl);
    return rdk_err(rc);
}

static rd_kafka_error_t *incremental(rd_kafka_t *rk, const rd_kafka_topic_partition_list_t *l,
                                     int add) {
    if (!rk->consumer) return rdk_error_new(RD_KAFKA_RESP_ERR__STATE, 0, 0, 0, "Consumer closed");
    if (!l) return rdk_error_new(RD_KAFKA_RESP_ERR__INVALID_ARG, 0, 0, 0, "partitions must not be NULL");
    kfk_partition_list *kl = assign_list(rk, l);
    if (!kl) return rdk_error_new(RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE, 0, 0, 0, "Out of memory");
    int rc = add ? kfk_consumer_incremental_assign(rk->consumer, kl)
                 : kfk_consumer_incremental_unassign(rk->consumer, kl);
    kfk_partition_list_destroy(kl);
    if (!add) rk->assignment_lost = 0;
    if (!rc) return NULL;
    rd_kafka_resp_err_t err = rc == KFK_ERR_NOENT || rc == KFK_ERR_INVALID_ARG
                                  ? RD_KAFKA_RESP_ERR__INVALID_ARG
                                  : rdk_err(rc);
    return rdk_error_new(err, 0, 0, 0, "%s",
                         add ? "A partition is already assigned"
                             : "A partition is not in the current assignment");
}

rd_kafka_error_t *rd_kafka_incremental_assign(rd_kafka_t *rk,
                                              const rd_kafka_topic_partition_list_t *partitions) {
    return incremental(rk, partitions, 1);
}

rd_kafka_error_t *rd_kafka_incremental_unassign(
    rd_kafka_t *rk, const rd_kafka_topic_partition_list_t *partitions) {
    return incremental(rk, partitions, 0);
}

const char *rd_kafka_rebalance_protocol(rd_kafka_t *rk) {
    if (!rk->consumer || !*rdk_conf_str(rk->conf, "group.id")) return "NONE";
    return kfk_consumer_rebalance_protocol(rk->consumer);
}

rd_kafka_resp_err_t rd_kafka_assignment(rd_kafka_t *rk,
                                        rd_kafka_topic_partition_list_t **partitions) {
    if (!rk->consumer) {
        *partitions = rd_kafka_topic_partition_list_new(0);
        return RD_KAFKA_RESP_ERR_NO_ERROR;
    }
    kfk_partition_list *kl = kfk_consumer_assignment(rk->consumer);
    if (!kl) return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    *partitions = rdk_from_kfk_list(kl);
    kfk_partition_list_destroy(kl);
    for (int i = 0; *partitions && i < (*partitions)->cnt; i++)
        if ((*partitions)->elems[i].offset == KFK_OFFSET_STORED)
            (*partitions)->elems[i].offset = RD_KAFKA_OFFSET_INVALID;
    return *partitions ? RD_KAFKA_RESP_ERR_NO_ERROR : RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
}

int rd_kafka_assignment_lost(rd_kafka_t *rk) { return rk->assignment_lost; }

/* The offsets a commit of the stored offsets will send. */
static rd_kafka_topic_partition_list_t *stored_to_commit(rd_kafka_t *rk) {
    kfk_offsets_view *v = kfk_consumer_offsets_view(rk->consumer);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(v ? v->count : 0);
    for (int i = 0; v && l && i < v->count; i++) {
        const kfk_partition_offsets *o = &v->elems[i];
        if (o->done >= 0 && o->done != o->committed)
            rd_kafka_topic_partition_list_add(l, o->topic, o->partition)->offset = o->done;
    }
    kfk_offsets_view_destroy(v);
    return l;
}

/* A commit; *done (when asked) the offsets it sent, each with its error.
 * A synchronous commit's result goes to on_commit here (an async one's
 * comes through kfk's commit callback). */
static rd_kafka_resp_err_t commit(rd_kafka_t *rk, const rd_kafka_topic_partition_list_t *offsets,
                                  int async, rd_kafka_topic_partition_list_t **done) {
    if (!rk->consumer) return RD_KAFKA_RESP_ERR__STATE;
    rd_kafka_topic_partition_list_t *own = NULL;
    if (!done && !async && rdk_ic_of(rk, RDK_IC_COMMIT)) done = &own;
    if (done) *done = offsets ? rd_kafka_topic_partition_list_copy(offsets) : stored_to_commit(rk);
    kfk_partition_list *kl = NULL;
    rd_kafka_resp_err_t err;
    if (offsets && !(kl = rdk_to_kfk_list(offsets))) {
        err = RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    } else {
        int rc = kfk_consumer_commit(rk->consumer, kl, async);
        kfk_partition_list_destroy(kl);
        err = rc == KFK_ERR_NOENT         ? RD_KAFKA_RESP_ERR__NO_OFFSET
              : rc == KFK_ERR_INVALID_ARG ? RD_KAFKA_RESP_ERR__UNKNOWN_GROUP
                                          : rdk_err(rc);
        if (rc != KFK_ERR_NOENT && rc != KFK_ERR_INVALID_ARG)
            for (int i = 0; done && *done && i < (*done)->cnt; i++) (*done)->elems[i].err = err;
        if (!async && done && *done) rdk_ic_on_commit(rk, *done, err);
    }
    rd_kafka_topic_partition_list_destroy(own);
    return err;
}

rd_kafka_resp_err_t rd_kafka_commit(rd_kafka_t *rk,
                                    const rd_kafka_topic_partition_list_t *offsets, int async) {
    rd_kafka_topic_partition_list_t *done = NULL;
    rd_kafka_resp_err_t err =
        commit(rk, offsets, async, !async && rk->conf->offset_commit_cb ? &done : NULL);
    if (done) {
        /* a synchronous commit reports to offset_commit_cb too, as librdkafka */
        if (err != RD_KAFKA_RESP_ERR__NO_OFFSET)
            rk->conf->offset_commit_cb(rk, err, done, rk->conf->opaque);
        rd_kafka_topic_partition_list_destroy(done);
    }
    return err;
}

rd_kafka_resp_err_t rd_kafka_commit_message(rd_kafka_t *rk, const rd_kafka_message_t *rkmessage,
                                            int async) {
    if (rkmessage->err) return RD_KAFKA_RESP_ERR__INVALID_ARG;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    if (!l) return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    rd_kafka_topic_partition_list_add(l, rkmessage->rkt->name, rkmessage->partition)->offset =
        rkmessage->offset + 1;
    rd_kafka_resp_err_t err = rd_kafka_commit(rk, l, async);
    rd_kafka_topic_partition_list_destroy(l);
    return err;
}

rd_kafka_resp_err_t rd_kafka_commit_queue(
    rd_kafka_t *rk, const rd_kafka_topic_partition_list_t *offsets, rd_kafka_queue_t *rkqu,
    void (*cb)(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *offsets,
               void *commit_opaque),
    void *commit_opaque) {
    /* Committed at once on this thread. With a queue the result is an
     * OFFSET_COMMIT event on it (cb runs when the queue is served, as
     * librdkafka's); without one cb runs here, else the offset_commit_cb. */
    rd_kafka_topic_partition_list_t *done = NULL;
    rd_kafka_resp_err_t err = commit(rk, offsets, 0, &done);
    if (rkqu) {
        struct rd_kafka_op_s *op = rdk_op_new(rk, RD_KAFKA_EVENT_OFFSET_COMMIT);
        if (op) {
            op->err = err;
            op->partitions = done;
            op->commit_cb = cb;
            op->opaque = commit_opaque;
            done = NULL;
            rdk_queue_push(rkqu, op);
        }
    } else if (cb) {
        cb(rk, err, done, commit_opaque);
    } else if (rk->conf->offset_commit_cb && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
        rk->conf->offset_commit_cb(rk, err, done, rk->conf->opaque);
    }
    rd_kafka_topic_partition_list_destroy(done);
    return err;
}

rd_kafka_resp_err_t rd_kafka_committed(rd_kafka_t *rk,
                                       rd_kafka_topic_partition_list_t *partitions,
                                       int timeout_ms) {
    if (!rk->consumer) return RD_KAFKA_RESP_ERR__STATE;
    kfk_partition_list *kl = rdk_to_kfk_list(partitions);
    if (!kl) return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    int rc = kfk_consumer_committed(rk->consumer, kl, timeout_ms > 0 ? timeout_ms : 1);
    if (!rc || rc == KFK_ERR_PARTIAL) rdk_update_from_kfk(partitions, kl);
    kfk_partition_list_destroy(kl);
    if (rc == KFK_ERR_INVALID_ARG) return RD_KAFKA_RESP_ERR__UNKNOWN_GROUP;
    return rc == KFK_ERR_PARTIAL ? RD_KAFKA_RESP_ERR_NO_ERROR : rdk_err(rc);
}

rd_kafka_resp_err_t rd_kafka_position(rd_kafka_t *rk,
                                      rd_kafka_topic_partition_list_t *partitions) {
    if (!rk->consumer) return RD_KAFKA_RESP_ERR__STATE;
    kfk_partition_list *kl = rdk_to_kfk_list(partitions);
    if (!kl) return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    kfk_consumer_position(rk->consumer, kl);
    for (int i = 0; i < kl->count; i++)
        if (kl->elems[i].err == KFK_ERR_NOENT) {
            kl->elems[i].err = KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION;
            kl->elems[i].offset = KFK_OFFSET_INVALID;
        }
    rdk_update_from_kfk(partitions, kl);
    kfk_partition_list_destroy(kl);
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

/* librdkafka returns no message of a paused partition, even one fetched
 * before; kfk keeps those queued, so seek the paused partitions to their
 * positions, which drops them and resumes there. */
static void drop_fetched(rd_kafka_t *rk, const rd_kafka_topic_partition_list_t *l) {
    kfk_partition_list *pos = rdk_to_kfk_list(l);
    if (!pos) return;
    kfk_consumer_position(rk->consumer, pos);
    for (int i = 0; i < pos->count; i++)
        if (!pos->elems[i].err && pos->elems[i].offset >= 0)
            kfk_consumer_seek(rk->consumer, pos->elems[i].topic, pos->elems[i].partition,
                              pos->elems[i].offset);
    kfk_partition_list_destroy(pos);
}

static rd_kafka_resp_err_t pause_resume(rd_kafka_t *rk, rd_kafka_topic_partition_list_t *l,
                                        int pause) {
    if (!rk->consumer) return RD_KAFKA_RESP_ERR__STATE;
    kfk_partition_list *kl = rdk_to_kfk_list(l);
    if (!kl) return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    if (pause) {
        kfk_consumer_pause(rk->consumer, kl);
        drop_fetched(rk, l);
    } else {
        kfk_consumer_resume(rk->consumer, kl);
    }
    for (int i = 0; i < kl->count; i++)
        if (kl->elems[i].err == KFK_ERR_NOENT)
            kl->elems[i].err = KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    for (int i = 0; i < kl->count && i < l->cnt; i++) l->elems[i].err = rdk_err(kl->elems[i].err);
    kfk_partition_list_destroy(kl);
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

rd_kafka_resp_err_t rd_kafka_pause_partitions(rd_kafka_t *rk,
                                              rd_kafka_topic_partition_list_t *partitions) {
    return pause_resume(rk, partitions, 1);
}

rd_kafka_resp_err_t rd_kafka_resume_partitions(rd_kafka_t *rk,
                                               rd_kafka_topic_partition_list_t *partitions) {
    return pause_resume(rk, partitions, 0);
}

rd_kafka_resp_err_t rd_kafka_get_watermark_offsets(rd_kafka_t *rk, const char *topic,
                                                   int32_t partition, int64_t *low,
                                                   int64_t *high) {
    *low = *high = RD_KAFKA_OFFSET_INVALID;
    if (!rk->consumer) return RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION;
    int rc = kfk_consumer_cached_watermarks(rk->consumer, topic, partition, low, high);
    if (rc) return RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION;
    if (*low < 0) *low = RD_KAFKA_OFFSET_INVALID;
    if (*high < 0) *high = RD_KAFKA_OFFSET_INVALID;
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

rd_kafka_resp_err_t rd_kafka_offsets_store(rd_kafka_t *rk,
                                           rd_kafka_topic_partition_list_t *offsets) {
    if (!rk->consumer) return RD_KAFKA_RESP_ERR__STATE;
    kfk_partition_list *kl = rdk_to_kfk_list(offsets);
    if (!kl) return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    int rc = kfk_consumer_store_offsets(rk->consumer, kl);
    for (int i = 0; i < kl->count; i++)
        if (kl->elems[i].err == KFK_ERR_NOENT) kl->elems[i].err = RD_KAFKA_RESP_ERR__STATE;
    for (int i = 0; i < kl->count && i < offsets->cnt; i++)
        offsets->elems[i].err = kl->elems[i].err == RD_KAFKA_RESP_ERR__STATE
                                    ? RD_KAFKA_RESP_ERR__STATE
                                    : rdk_err(kl->elems[i].err);
    kfk_partition_list_destroy(kl);
    return rc == KFK_ERR_PARTIAL ? RD_KAFKA_RESP_ERR__STATE : rdk_err(rc);
}

rd_kafka_resp_err_t rd_kafka_offset_store(rd_kafka_topic_t *rkt, int32_t partition,
                                          int64_t offset) {
    if (!rkt->rk->consumer) return RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION;
    /* librdkafka's legacy store takes the message's offset, and commits + 1.
     * kcat calls it per message: a one-element list on the stack, no malloc. */
    kfk_partition e = {.topic = rkt->name, .partition = partition, .offset = offset + 1,
                       .leader_epoch = -1};
    kfk_partition_list l = {.elems = &e, .count = 1, .size = 1};
    int rc = kfk_consumer_store_offsets(rkt->rk->consumer, &l);
    return rc == KFK_ERR_PARTIAL ? RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION : rdk_err(rc);
}

rd_kafka_resp_err_t rd_kafka_poll_set_consumer(rd_kafka_t *rk) {
    if (!rk->consumer) return RD_KAFKA_RESP_ERR__UNKNOWN_GROUP;
    /* as librdkafka's: the main queue's ops (errors, statistics, logs
     * forwarded there) are served by rd_kafka_consumer_poll */
    if (!rk->consumer_forwarded) rd_kafka_queue_forward(rk->main_q, rk->consumer_q);
    rk->consumer_forwarded = 1;
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

rd_kafka_consumer_group_metadata_t *rd_kafka_consumer_group_metadata(rd_kafka_t *rk) {
    if (!rk->consumer) return NULL;
    return (rd_kafka_consumer_group_metadata_t *)kfk_consumer_group_metadata(rk->consumer);
}

char *rd_kafka_memberid(const rd_kafka_t *rk) {
    if (!rk->consumer) return NULL;
    kfk_group_metadata *gm = kfk_consumer_group_metadata(rk->consumer);
    if (!gm) return NULL;
    const char *id = kfk_group_metadata_member_id(gm);
    char *out = *id ? strdup(id) : NULL;
    kfk_group_metadata_destroy(gm);
    return out;
}
