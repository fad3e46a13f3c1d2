/* Cluster metadata and offsets asked of the cluster on any handle:
 * rd_kafka_metadata (one Metadata request, kept as the broker answered it,
 * through the handle's admin client), controller and cluster ids,
 * watermarks and offsets for times, and the legacy group list. */
#include <stdlib.h>
#include <string.h>

#include "rdk_int.h"

/* The metadata and everything it points to, in one block freed at once. */
typedef struct md_block {
    rd_kafka_metadata_t md;
    char *strings; /* where the next string goes */
    char *end;
} md_block;

static char *md_strdup(md_block *b, const char *s) {
    size_t n = strlen(s) + 1;
    if (b->strings + n > b->end) return NULL;
    char *out = memcpy(b->strings, s, n);
    b->strings += n;
    return out;
}

static rd_kafka_metadata_t *md_from_result(const kfk_admin_result *r) {
    size_t size = sizeof(md_block), strs = 64;
    const kfk_cluster_desc *c = &r->cluster;
    size += (size_t)c->nbrokers * sizeof(rd_kafka_metadata_broker_t);
    for (int i = 0; i < c->nbrokers; i++) strs += strlen(c->brokers[i].host) + 1 + 32;
    size += (size_t)r->ntopics * sizeof(rd_kafka_metadata_topic_t);
    for (int i = 0; i < r->ntopics; i++) {
        const kfk_topic_desc *t = &r->topics[i];
        strs += strlen(t->name) + 1;
        size += (size_t)t->npartitions * sizeof(rd_kafka_metadata_partition_t);
        for (int j = 0; j < t->npartitions; j++)
            size += (size_t)(t->partitions[j].nreplicas + t->partitions[j].nisr) * sizeof(int32_t);
    }
    md_block *b = calloc(1, size + strs);
    if (!b) return NULL;
    char *p = (char *)(b + 1);
    rd_kafka_metadata_t *md = &b->md;
    md->brokers = (rd_kafka_metadata_broker_t *)p;
    p += (size_t)c->nbrokers * sizeof *md->brokers;
    md->topics = (rd_kafka_metadata_topic_t *)p;
    p += (size_t)r->ntopics * sizeof *md->topics;
    md->broker_cnt = c->nbrokers;
    md->orig_broker_id = r->from_broker;
    for (int i = 0; i < c->nbrokers; i++) {
        md->brokers[i].id = c->brokers[i].id;
        md->brokers[i].port = c->brokers[i].port;
    }
    md->topic_cnt = r->ntopics;
    for (int i = 0; i < r->ntopics; i++) {
        const kfk_topic_desc *t = &r->topics[i];
        rd_kafka_metadata_topic_t *mt = &md->topics[i];
        mt->err = rdk_err(t->err);
        mt->partition_cnt = t->npartitions;
        mt->partitions = (rd_kafka_metadata_partition_t *)p;
        p += (size_t)t->npartitions * sizeof *mt->partitions;
        for (int j = 0; j < t->npartitions; j++) {
            const kfk_admin_partition *kp = &t->partitions[j];
            rd_kafka_metadata_partition_t *mp = &mt->partitions[j];
            mp->id = kp->id;
            mp->err = rdk_err(kp->err);
            mp->leader = kp->leader;
            mp->replica_cnt = kp->nreplicas;
            mp->replicas = (int32_t *)p;
            memcpy(p, kp->replicas, (size_t)kp->nreplicas * sizeof(int32_t));
            p += (size_t)kp->nreplicas * sizeof(int32_t);
            mp->isr_cnt = kp->nisr;
            mp->isrs = (int32_t *)p;
            memcpy(p, kp->isr, (size_t)kp->nisr * sizeof(int32_t));
            p += (size_t)kp->nisr * sizeof(int32_t);
        }
    }
    b->strings = p;
    b->end = (char *)b + size + strs;
    for (int i = 0; i < c->nbrokers; i++) md->brokers[i].host = md_strdup(b, c->brokers[i].host);
    for (int i = 0; i < r->ntopics; i++) md->topics[i].topic = md_strdup(b, r->topics[i].name);
    char name[300];
    snprintf(name, sizeof name, "-1");
    for (int i = 0; i < c->nbrokers; i++)
        if (c->brokers[i].id == r->from_broker)
            snprintf(name, sizeof name, "%s:%d/%d", c->brokers[i].host, (int)c->brokers[i].port,
                     (int)c->brokers[i].id);
    md->orig_broker_name = md_strdup(b, name);
    return md;
}

static int timeout_of(int timeout_ms) { return timeout_ms > 0 ? timeout_ms : 1; }

/* As librdkafka, the cluster id of the last metadata answer is kept, for
 * rd_kafka_clusterid without a request. */
static void remember_cluster_id(rd_kafka_t *rk, const char *id) {
    if (!id) return;
    char *copy = strdup(id);
    if (!copy) return;
    pthread_mutex_lock(&rk->lock);
    free(rk->cluster_id);
    rk->cluster_id = copy;
    pthread_mutex_unlock(&rk->lock);
}

rd_kafka_resp_err_t rd_kafka_metadata(rd_kafka_t *rk, int all_topics, rd_kafka_topic_t *only_rkt,
                                      const struct rd_kafka_metadata **metadatap,
                                      int timeout_ms) {
    char errstr[256];
    kfk_admin *a = rdk_admin(rk, errstr, sizeof errstr);
    if (!a) return RD_KAFKA_RESP_ERR__TRANSPORT;
    const char *one = only_rkt ? only_rkt->name : NULL;
    const char **names = NULL;
    int n = -1;
    if (!all_topics && one) {
        names = &one;
        n = 1;
    } else if (!all_topics) {
        /* the topics this handle knows */
        pthread_mutex_lock(&rk->lock);
        n = 0;
        for (rd_kafka_topic_t *t = rk->topics; t; t = t->next) n++;
        names = calloc((size_t)n + 1, sizeof *names);
        n = 0;
        for (rd_kafka_topic_t *t = rk->topics; names && t; t = t->next) names[n++] = t->name;
        pthread_mutex_unlock(&rk->lock);
        if (!names) return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    }
    /* librdkafka's producers create topics they name unless told not to */
    const char *create = rdk_conf_str(rk->conf, "allow.auto.create.topics");
    int allow_create = only_rkt && (strcmp(create, "true") == 0 ||
                                    (rk->type == RD_KAFKA_PRODUCER &&
                                     !rdk_conf_is_set(rk->conf, "allow.auto.create.topics")));
    kfk_admin_options o = {.timeout_ms = timeout_of(timeout_ms)};
    kfk_admin_result *r = kfk_admin_metadata(a, names, n, allow_create, &o, NULL, NULL);
    if (names != &one) free(names);
    if (!r) return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (r->err && r->err != KFK_ERR_PARTIAL) {
        err = r->err == KFK_ERR_TIMED_OUT ? RD_KAFKA_RESP_ERR__TIMED_OUT : rdk_err(r->err);
    } else {
        rd_kafka_metadata_t *md = md_from_result(r);
        if (!md) err = RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
        *metadatap = md;
        __atomic_store_n(&rk->controller_id, r->cluster.controller_id, __ATOMIC_RELEASE);
        remember_cluster_id(rk, r->cluster.cluster_id);
    }
    kfk_admin_result_destroy(r);
    return err;
}

void rd_kafka_metadata_destroy(const struct rd_kafka_metadata *metadata) {
    free((void *)metadata);
}

static kfk_admin_result *describe_cluster(rd_kafka_t *rk, int timeout_ms) {
    char errstr[256];
    kfk_admin *a = rdk_admin(rk, errstr, sizeof errstr);
    if (!a) return NULL;
    kfk_admin_options o = {.timeout_ms = timeout_of(timeout_ms)};
    kfk_admin_result *r = kfk_admin_metadata(a, NULL, 0, 0, &o, NULL, NULL);
    if (r && r->err) {
        kfk_admin_result_destroy(r);
        return NULL;
    }
    return r;
}

int32_t rd_kafka_controllerid(rd_kafka_t *rk, int timeout_ms) {
    int32_t id = __atomic_load_n(&rk->controller_id, __ATOMIC_ACQUIRE);
    if (id >= 0 || timeout_ms == 0) return id;
    kfk_admin_result *r = describe_cluster(rk, timeout_ms);
    if (!r) return -1;
    id = r->cluster.controller_id;
    __atomic_store_n(&rk->controller_id, id, __ATOMIC_RELEASE);
    kfk_admin_result_destroy(r);
    return id;
}

char *rd_kafka_clusterid(rd_kafka_t *rk, int timeout_ms) {
    pthread_mutex_lock(&rk->lock);
    char *id = rk->cluster_id ? strdup(rk->cluster_id) : NULL;
    pthread_mutex_unlock(&rk->lock);
    if (id || timeout_ms == 0) return id;
    kfk_admin_result *r = describe_cluster(rk, timeout_ms);
    if (!r) return NULL;
    remember_cluster_id(rk, r->cluster.cluster_id);
    id = r->cluster.cluster_id ? strdup(r->cluster.cluster_id) : NULL;
    kfk_admin_result_destroy(r);
    return id;
}

rd_kafka_resp_err_t rd_kafka_query_watermark_offsets(rd_kafka_t *rk, const char *topic,
                                                     int32_t partition, int64_t *low,
                                                     int64_t *high, int timeout_ms) {
    if (rk->consumer) {
        int rc = kfk_consumer_watermarks(rk->consumer, topic, partition, low, high,
                                         timeout_of(timeout_ms));
        return rc == KFK_ERR_TIMED_OUT ? RD_KAFKA_RESP_ERR__TIMED_OUT : rdk_err(rc);
    }
    char errstr[256];
    kfk_admin *a = rdk_admin(rk, errstr, sizeof errstr);
    if (!a) return RD_KAFKA_RESP_ERR__TRANSPORT;
    kfk_partition_list *kl = kfk_partition_list_new(2);
    if (!kl) return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    kfk_partition_list_add(kl, topic, partition)->offset = KFK_OFFSET_BEGINNING;
    kfk_admin_options o = {.timeout_ms = timeout_of(timeout_ms)};
    kfk_admin_result *r = kfk_admin_list_offsets(a, kl, &o, NULL, NULL);
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    if (r && !r->err && r->partitions && r->partitions->count == 1) {
        *low = r->partitions->elems[0].offset;
        kfk_admin_result_destroy(r);
        kl->elems[0].offset = KFK_OFFSET_END;
        r = kfk_admin_list_offsets(a, kl, &o, NULL, NULL);
        if (r && !r->err && r->partitions && r->partitions->count == 1) {
            *high = r->partitions->elems[0].offset;
            err = RD_KAFKA_RESP_ERR_NO_ERROR;
        }
    }
    if (err && r) err = r->err == KFK_ERR_PARTIAL && r->partitions && r->partitions->count
                            ? rdk_err(r->partitions->elems[0].err)
                            : rdk_err(r->err);
    kfk_admin_result_destroy(r);
    kfk_partition_list_destroy(kl);
    return err;
}

rd_kafka_resp_err_t rd_kafka_offsets_for_times(rd_kafka_t *rk,
                                               rd_kafka_topic_partition_list_t *offsets,
                                               int timeout_ms) {
    kfk_partition_list *kl = rdk_to_kfk_list(offsets);
    if (!kl) return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    for (int i = 0; i < kl->count; i++) {
        kl->elems[i].timestamp = kl->elems[i].offset;
        kl->elems[i].offset = KFK_OFFSET_AT_TIME;
    }
    int rc;
    if (rk->consumer) {
        rc = kfk_consumer_list_offsets(rk->consumer, kl, timeout_of(timeout_ms));
    } else {
        char errstr[256];
        kfk_admin *a = rdk_admin(rk, errstr, sizeof errstr);
        kfk_admin_options o = {.timeout_ms = timeout_of(timeout_ms)};
        kfk_admin_result *r = a ? kfk_admin_list_offsets(a, kl, &o, NULL, NULL) : NULL;
        rc = r ? r->err : KFK_ERR_TRANSPORT;
        if (r && r->partitions) {
            kfk_partition_list_destroy(kl);
            kl = kfk_partition_list_copy(r->partitions);
        }
        kfk_admin_result_destroy(r);
        if (!kl) return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    }
    if (rc && rc != KFK_ERR_PARTIAL) {
        kfk_partition_list_destroy(kl);
        return rc == KFK_ERR_TIMED_OUT ? RD_KAFKA_RESP_ERR__TIMED_OUT : rdk_err(rc);
    }
    rdk_update_from_kfk(offsets, kl);
    kfk_partition_list_destroy(kl);
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}
