/* The legacy consumer: consume_start/stop per partition and the consume
 * calls, on the same kfk consumer (partitions are added to and removed
 * from its assignment). Messages come out in the consumer's order; one
 * asked for by partition (rd_kafka_consume) skips others, which wait in a
 * stash for their own call. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rdk_int.h"

struct rdk_legacy {
    rdk_msg *head, *tail; /* stashed, linked through next_free */
};

static int64_t now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int fail(rd_kafka_resp_err_t err) {
    rdk_set_last_error(err);
    return -1;
}

static int64_t resolve_offset(rd_kafka_t *rk, const char *topic, int32_t partition,
                              int64_t offset) {
    if (offset > RD_KAFKA_OFFSET_TAIL_BASE) return offset;
    int64_t lo, hi, cnt = RD_KAFKA_OFFSET_TAIL_BASE - offset;
    if (kfk_consumer_watermarks(rk->consumer, topic, partition, &lo, &hi, 10000)) return KFK_OFFSET_END;
    return hi - cnt > lo ? hi - cnt : lo;
}

/* 'b' (earliest), 'e' (latest) or 'x' (error) for an auto.offset.reset value. */
static char reset_kind(const char *v) {
    if (!v || !strcmp(v, "smallest") || !strcmp(v, "earliest") || !strcmp(v, "beginning"))
        return 'b';
    if (!strcmp(v, "largest") || !strcmp(v, "latest") || !strcmp(v, "end")) return 'e';
    return 'x';
}

/* The start of a partition consumed from its stored offset. kfk's consumer
 * has one auto.offset.reset; a topic whose own differs starts at its
 * committed offset, else where the topic's reset says. (Later resets, of an
 * offset out of range, follow the handle's.) */
static int64_t stored_start(rd_kafka_t *rk, const rd_kafka_topic_t *rkt, int32_t partition) {
    if (rdk_offset_file_used(rkt)) {
        int64_t off = rdk_offset_file_read(rk, rkt, partition);
        if (off >= 0) return off;
        const char *r = rdk_topic_conf_str(rkt->conf, "auto.offset.reset");
        return reset_kind(r) == 'b' ? KFK_OFFSET_BEGINNING
               : reset_kind(r) == 'e' ? KFK_OFFSET_END
                                      : KFK_OFFSET_STORED;
    }
    char topic_reset = reset_kind(rdk_topic_conf_str(rkt->conf, "auto.offset.reset"));
    if (topic_reset == reset_kind(rdk_conf_str(rk->conf, "auto.offset.reset")) || topic_reset == 'x')
        return KFK_OFFSET_STORED;
    if (*rdk_conf_str(rk->conf, "group.id")) {
        kfk_partition_list *kl = kfk_partition_list_new(1);
        if (!kl) return KFK_OFFSET_STORED;
        kfk_partition_list_add(kl, rkt->name, partition);
        int rc = kfk_consumer_committed(rk->consumer, kl, 10000);
        int64_t committed = rc || kl->elems[0].err ? -1 : kl->elems[0].offset;
        kfk_partition_list_destroy(kl);
        if (rc && rc != KFK_ERR_PARTIAL) return KFK_OFFSET_STORED; /* kfk looks again */
        if (committed >= 0) return committed;
    }
    return topic_reset == 'b' ? KFK_OFFSET_BEGINNING : KFK_OFFSET_END;
}

int rd_kafka_consume_start_queue(rd_kafka_topic_t *rkt, int32_t partition, int64_t offset,
                                 rd_kafka_queue_t *rkqu) {
    rd_kafka_t *rk = rkt->rk;
    if (!rk->consumer || partition < 0) return fail(RD_KAFKA_RESP_ERR__INVALID_ARG);
    kfk_partition_list *kl = kfk_partition_list_new(1);
    if (!kl) return fail(RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE);
    kfk_partition *p = kfk_partition_list_add(kl, rkt->name, partition);
    p->offset = offset == RD_KAFKA_OFFSET_INVALID || offset == RD_KAFKA_OFFSET_STORED
                    ? stored_start(rk, rkt, partition)
                    : resolve_offset(rk, rkt->name, partition, offset);
    int rc = kfk_consumer_incremental_assign(rk->consumer, kl);
    kfk_partition_list_destroy(kl);
    if (rc == KFK_ERR_INVALID_ARG) return fail(RD_KAFKA_RESP_ERR__CONFLICT);
    return rc ? fail(rdk_err(rc)) : 0;
}

int rd_kafka_consume_start(rd_kafka_topic_t *rkt, int32_t partition, int64_t offset) {
    return rd_kafka_consume_start_queue(rkt, partition, offset, NULL);
}

int rd_kafka_consume_stop(rd_kafka_topic_t *rkt, int32_t partition) {
    rd_kafka_t *rk = rkt->rk;
    if (!rk->consumer) return fail(RD_KAFKA_RESP_ERR__INVALID_ARG);
    kfk_partition_list *kl = kfk_partition_list_new(1);
    if (!kl) return fail(RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE);
    kfk_partition_list_add(kl, rkt->name, partition);
    /* as librdkafka's offset store stop: the stored offsets are committed
     * (auto commit with a group), or written to the offset file, before
     * the partition goes */
    if (rdk_offset_file_used(rkt))
        rdk_offset_file_sync(rk, rkt->name, partition);
    else if (*rdk_conf_str(rk->conf, "group.id") &&
        !strcmp(rdk_conf_str(rk->conf, "enable.auto.commit"), "true"))
        kfk_consumer_commit(rk->consumer, NULL, 0); /* nothing stored: nothing to do */
    int rc = kfk_consumer_incremental_unassign(rk->consumer, kl);
    kfk_partition_list_destroy(kl);
    /* drop what waits for the partition */
    pthread_mutex_lock(&rk->lock);
    struct rdk_legacy *lg = rk->legacy;
    rdk_msg *drop = NULL;
    if (lg) {
        rdk_msg *m = lg->head;
        lg->head = lg->tail = NULL;
        while (m) {
            rdk_msg *following = m->next_free;
            m->next_free = NULL;
            if (m->m.rkt == rkt && m->m.partition == partition) {
                m->next_free = drop;
                drop = m;
                __atomic_fetch_sub(&rk->stashed, 1, __ATOMIC_RELEASE);
            } else if (lg->tail) {
                lg->tail->next_free = m;
                lg->tail = m;
            } else {
                lg->head = lg->tail = m;
            }
            m = following;
        }
    }
    pthread_mutex_unlock(&rk->lock);
    while (drop) {
        rdk_msg *following = drop->next_free;
        rd_kafka_message_destroy(&drop->m);
        drop = following;
    }
    return rc && rc != KFK_ERR_NOENT ? fail(rdk_err(rc)) : 0;
}

rd_kafka_resp_err_t rd_kafka_seek(rd_kafka_topic_t *rkt, int32_t partition, int64_t offset,
                                  int timeout_ms) {
    rd_kafka_t *rk = rkt->rk;
    if (!rk->consumer) return RD_KAFKA_RESP_ERR__INVALID_ARG;
    if (offset == RD_KAFKA_OFFSET_INVALID) offset = KFK_OFFSET_STORED;
    int rc = kfk_consumer_seek(rk->consumer, rkt->name, partition,
                               resolve_offset(rk, rkt->name, partition, offset));
    return rc == KFK_ERR_NOENT ? RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION : rdk_err(rc);
}

rd_kafka_error_t *rd_kafka_seek_partitions(rd_kafka_t *rk,
                                           rd_kafka_topic_partition_list_t *partitions,
                                           int timeout_ms) {
    if (!rk->consumer)
        return rdk_error_new(RD_KAFKA_RESP_ERR__INVALID_ARG, 0, 0, 0, "Not a consumer");
    for (int i = 0; i < partitions->cnt; i++) {
        rd_kafka_topic_partition_t *p = &partitions->elems[i];
        rd_kafka_topic_t *rkt = rdk_topic_get(rk, p->topic);
        p->err = rkt ? rd_kafka_seek(rkt, p->partition, p->offset, timeout_ms)
                     : RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    }
    return NULL;
}

/* The stashed message for rkt/partition (any when rkt is NULL), or NULL. */
static rd_kafka_message_t *unstash(rd_kafka_t *rk, rd_kafka_topic_t *rkt, int32_t partition) {
    /* per message on the consume path: no lock while nothing is stashed */
    if (!__atomic_load_n(&rk->stashed, __ATOMIC_ACQUIRE)) return NULL;
    pthread_mutex_lock(&rk->lock);
    struct rdk_legacy *lg = rk->legacy;
    rdk_msg *prev = NULL, *m = lg ? lg->head : NULL;
    while (m && rkt && !(m->m.rkt == rkt && m->m.partition == partition)) {
        prev = m;
        m = m->next_free;
    }
    if (m) {
        if (prev)
            prev->next_free = m->next_free;
        else
            lg->head = m->next_free;
        if (lg->tail == m) lg->tail = prev;
        m->next_free = NULL;
        __atomic_fetch_sub(&rk->stashed, 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&rk->lock);
    return m ? &m->m : NULL;
}

static void stash(rd_kafka_t *rk, rd_kafka_message_t *msg) {
    rdk_msg *m = (rdk_msg *)msg;
    pthread_mutex_lock(&rk->lock);
    if (!rk->legacy) rk->legacy = calloc(1, sizeof *rk->legacy);
    struct rdk_legacy *lg = rk->legacy;
    if (!lg) {
        pthread_mutex_unlock(&rk->lock);
        rd_kafka_message_destroy(msg);
        return;
    }
    m->next_free = NULL;
    if (lg->tail)
        lg->tail->next_free = m;
    else
        lg->head = m;
    lg->tail = m;
    __atomic_fetch_add(&rk->stashed, 1, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&rk->lock);
}

/* The next message for rkt/partition (any when rkt is NULL). */
static rd_kafka_message_t *next(rd_kafka_t *rk, rd_kafka_topic_t *rkt, int32_t partition,
                                int timeout_ms) {
    rd_kafka_message_t *m = unstash(rk, rkt, partition);
    if (m || !rk->consumer) return m;
    if (!rkt && (m = rdk_consumer_serve_queue(rk)) != NULL) return m;
    int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
    for (;;) {
        int left = deadline < 0 ? -1 : (int)(deadline - now_ms());
        if (deadline >= 0 && left < 0) left = 0;
        kfk_consumer_message *km = kfk_consumer_poll(rk->consumer, left);
        if (!km) return NULL;
        m = rdk_msg_from_consumed(rk, km);
        if (!m) return NULL;
        if (!rkt || (m->rkt == rkt && m->partition == partition)) return m;
        stash(rk, m);
        if (left == 0) return NULL;
    }
}

rd_kafka_message_t *rd_kafka_consume(rd_kafka_topic_t *rkt, int32_t partition, int timeout_ms) {
    rd_kafka_message_t *m = next(rkt->rk, rkt, partition, timeout_ms);
    if (!m) rdk_set_last_error(RD_KAFKA_RESP_ERR__TIMED_OUT);
    return m;
}

rd_kafka_message_t *rd_kafka_consume_queue(rd_kafka_queue_t *rkqu, int timeout_ms) {
    if (!rkqu) { /* e.g. rd_kafka_queue_get_partition's NULL */
        rdk_set_last_error(RD_KAFKA_RESP_ERR__INVALID_ARG);
        return NULL;
    }
    rd_kafka_message_t *m = next(rkqu->rk, NULL, 0, timeout_ms);
    if (!m) rdk_set_last_error(RD_KAFKA_RESP_ERR__TIMED_OUT);
    return m;
}

static ssize_t batch(rd_kafka_t *rk, rd_kafka_topic_t *rkt, int32_t partition, int timeout_ms,
                     rd_kafka_message_t **out, size_t size) {
    size_t n = 0;
    int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
    while (n < size) {
        int left = deadline < 0 ? -1 : (int)(deadline - now_ms());
        if (deadline >= 0 && left < 0) left = 0;
        rd_kafka_message_t *m = next(rk, rkt, partition, left);
        if (!m) break;
        out[n++] = m;
    }
    return (ssize_t)n;
}

ssize_t rd_kafka_consume_batch(rd_kafka_topic_t *rkt, int32_t partition, int timeout_ms,
                               rd_kafka_message_t **rkmessages, size_t rkmessages_size) {
    return batch(rkt->rk, rkt, partition, timeout_ms, rkmessages, rkmessages_size);
}

ssize_t rd_kafka_consume_batch_queue(rd_kafka_queue_t *rkqu, int timeout_ms,
                                     rd_kafka_message_t **rkmessages, size_t rkmessages_size) {
    return batch(rkqu->rk, NULL, 0, timeout_ms, rkmessages, rkmessages_size);
}

/* Serves what is ready (waiting up to timeout_ms for the first) to cb,
 * until cb calls rd_kafka_yield; messages are ours again when cb returns.
 * Messages polled in one batch are wrapped on the stack: no allocation per
 * message. */
static int callback(rd_kafka_t *rk, rd_kafka_topic_t *rkt, int32_t partition, int timeout_ms,
                    void (*cb)(rd_kafka_message_t *, void *), void *opaque) {
    int n = 0;
    rd_kafka_message_t *m;
    rdk_yield_thread = 0;
    while (!rdk_yield_thread && (m = unstash(rk, rkt, partition)) != NULL) {
        cb(m, opaque);
        rd_kafka_message_destroy(m);
        n++;
    }
    if (n || !rk->consumer) return n;
    if (rkt) {
        while (!rdk_yield_thread && (m = next(rk, rkt, partition, n ? 0 : timeout_ms)) != NULL) {
            cb(m, opaque);
            rd_kafka_message_destroy(m);
            n++;
        }
        return n;
    }
    kfk_consumer_message *kms[256];
    int got = kfk_consumer_poll_batch(rk->consumer, kms, 256, timeout_ms);
    for (int i = 0; i < got; i++) {
        kfk_consumer_message *km = kms[i];
        if (rdk_yield_thread) {
            /* the rest waits for the next call, in order */
            if ((m = rdk_msg_from_consumed(rk, km)) != NULL) stash(rk, m);
            continue;
        }
        rdk_msg w;
        rdk_msg_fill(&w, rk, km);
        cb(&w.m, opaque);
        if (w.hdrs) rd_kafka_headers_destroy(w.hdrs);
        kfk_consumer_message_release(km);
        n++;
    }
    return n;
}

int rd_kafka_consume_callback(rd_kafka_topic_t *rkt, int32_t partition, int timeout_ms,
                              void (*consume_cb)(rd_kafka_message_t *rkmessage,
                                                 void *commit_opaque),
                              void *commit_opaque) {
    return callback(rkt->rk, rkt, partition, timeout_ms, consume_cb, commit_opaque);
}

int rd_kafka_consume_callback_queue(rd_kafka_queue_t *rkqu, int timeout_ms,
                                    void (*consume_cb)(rd_kafka_message_t *rkmessage,
                                                       void *commit_opaque),
                                    void *commit_opaque) {
    return callback(rkqu->rk, NULL, 0, timeout_ms, consume_cb, commit_opaque);
}

void rdk_legacy_free(rd_kafka_t *rk) {
    rdk_offset_file_sync(rk, NULL, 0);
    rd_kafka_message_t *m;
    while ((m = unstash(rk, NULL, 0)) != NULL) rd_kafka_message_destroy(m);
    free(rk->legacy);
    rk->legacy = NULL;
}
