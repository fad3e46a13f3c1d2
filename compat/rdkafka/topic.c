/* Topic handles: one object per name and client, shared by every
 * rd_kafka_topic_new of that name and by the messages of the topic. */
#include <stdlib.h>
#include <string.h>

#include "rdk_int.h"

static rd_kafka_topic_t *find(rd_kafka_t *rk, const char *name) {
    for (rd_kafka_topic_t *t = rk->topics; t; t = t->next)
        if (strcmp(t->name, name) == 0) return t;
    return NULL;
}

/* Called with rk->lock held; takes conf (NULL: a copy of the default). */
static rd_kafka_topic_t *create(rd_kafka_t *rk, const char *name, rd_kafka_topic_conf_t *conf) {
    rd_kafka_topic_t *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->rk = rk;
    t->name = strdup(name);
    t->conf = conf ? conf
                   : (rk->conf->topic_conf ? rd_kafka_topic_conf_dup(rk->conf->topic_conf)
                                           : rd_kafka_topic_conf_new());
    if (!t->name || !t->conf) {
        free(t->name);
        if (t->conf != conf) rd_kafka_topic_conf_destroy(t->conf);
        free(t);
        return NULL;
    }
    const char *acks = rdk_topic_conf_str(t->conf, "request.required.acks");
    t->acks = acks && *acks ? atoi(acks) : -1;
    t->partitioner = t->conf->partitioner;
    if (!t->partitioner) {
        const char *p = rdk_topic_conf_str(t->conf, "partitioner");
        t->partitioner = rdk_partitioner_by_name(p ? p : "consistent_random");
    }
    t->next = rk->topics;
    rk->topics = t;
    return t;
}

rd_kafka_topic_t *rdk_topic_get(rd_kafka_t *rk, const char *name) {
    /* Per message on the consume path: the last topic this thread looked
     * up answers without the lock (topic objects live as long as rk). */
    static __thread rd_kafka_topic_t *last;
    static __thread unsigned long last_serial; /* its handle's, never reused */
    if (last && last_serial == rk->serial && strcmp(last->name, name) == 0) return last;
    pthread_mutex_lock(&rk->lock);
    rd_kafka_topic_t *t = find(rk, name);
    if (!t) t = create(rk, name, NULL);
    pthread_mutex_unlock(&rk->lock);
    if (t) {
        last = t;
        last_serial = rk->serial;
    }
    return t;
}

rd_kafka_topic_t *rd_kafka_topic_new(rd_kafka_t *rk, const char *topic,
                                     rd_kafka_topic_conf_t *conf) {
    if (!topic || !*topic || strlen(topic) > 249) {
        rd_kafka_topic_conf_destroy(conf);
        rdk_set_last_error(RD_KAFKA_RESP_ERR__INVALID_ARG);
        return NULL;
    }
    pthread_mutex_lock(&rk->lock);
    rd_kafka_topic_t *t = find(rk, topic);
    if (t) {
        /* as librdkafka: an existing topic keeps its configuration */
        rd_kafka_topic_conf_destroy(conf);
    } else {
        t = create(rk, topic, conf);
        if (!t) rd_kafka_topic_conf_destroy(conf);
    }
    if (t) t->app_refs++;
    pthread_mutex_unlock(&rk->lock);
    if (!t) rdk_set_last_error(RD_KAFKA_RESP_ERR__FAIL);
    return t;
}

void rd_kafka_topic_destroy(rd_kafka_topic_t *rkt) {
    if (!rkt) return;
    /* The object stays until the client goes: messages point at it. */
    pthread_mutex_lock(&rkt->rk->lock);
    if (rkt->app_refs > 0) rkt->app_refs--;
    pthread_mutex_unlock(&rkt->rk->lock);
}

const char *rd_kafka_topic_name(const rd_kafka_topic_t *rkt) { return rkt->name; }

void *rd_kafka_topic_opaque(const rd_kafka_topic_t *rkt) { return rkt->conf->opaque; }

/* kfk's producer queues a partition's messages while it has no leader, so
 * every partition is a valid choice for a partitioner. */
int rd_kafka_topic_partition_available(const rd_kafka_topic_t *rkt, int32_t partition) {
    return partition >= 0;
}
