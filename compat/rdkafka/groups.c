/* The legacy group listing (rd_kafka_list_groups: ListGroups, then
 * DescribeGroups, through the handle's admin client), group state names,
 * and the handle-wide calls that have no other home. */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "rdk_int.h"

static const char *const state_names[RD_KAFKA_CONSUMER_GROUP_STATE__CNT] = {
    "Unknown", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead", "Empty"};

const char *rd_kafka_consumer_group_state_name(rd_kafka_consumer_group_state_t state) {
    if ((int)state < 0 || state >= RD_KAFKA_CONSUMER_GROUP_STATE__CNT) return NULL;
    return state_names[state];
}

rd_kafka_consumer_group_state_t rd_kafka_consumer_group_state_code(const char *name) {
    for (int i = 0; i < RD_KAFKA_CONSUMER_GROUP_STATE__CNT; i++)
        if (strcasecmp(state_names[i], name) == 0) return (rd_kafka_consumer_group_state_t)i;
    return RD_KAFKA_CONSUMER_GROUP_STATE_UNKNOWN;
}

static char *dup_or_empty(const char *s) { return strdup(s ? s : ""); }

/* A member's assignment as the ConsumerProtocol (version 0) encodes it,
 * which is what librdkafka hands out: int16 version, topics (string, int32
 * partitions), null user data. */
static void *encode_assignment(const kfk_group_member *m, int *size) {
    size_t n = 2 + 4 + 4;
    for (int i = 0; i < m->nassignment; i++) n += 2 + strlen(m->assignment[i].topic) + 4 + 4;
    unsigned char *buf = malloc(n), *p = buf;
    if (!buf) return NULL;
    int ntopics = 0;
    p += 6; /* version and topic count, written below */
    for (int i = 0; i < m->nassignment; i++) {
        const char *topic = m->assignment[i].topic;
        int first = 1;
        for (int j = 0; j < i; j++)
            if (strcmp(m->assignment[j].topic, topic) == 0) first = 0;
        if (!first) continue;
        ntopics++;
        size_t tl = strlen(topic);
        *p++ = (unsigned char)(tl >> 8);
        *p++ = (unsigned char)tl;
        memcpy(p, topic, tl);
        p += tl;
        unsigned char *count_at = p;
        p += 4;
        uint32_t cnt = 0;
        for (int j = i; j < m->nassignment; j++) {
            if (strcmp(m->assignment[j].topic, topic) != 0) continue;
            uint32_t v = (uint32_t)m->assignment[j].partition;
            p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
            p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
            p += 4;
            cnt++;
        }
        count_at[0] = (unsigned char)(cnt >> 24), count_at[1] = (unsigned char)(cnt >> 16);
        count_at[2] = (unsigned char)(cnt >> 8), count_at[3] = (unsigned char)cnt;
    }
    buf[0] = buf[1] = 0;
    buf[2] = (unsigned char)(ntopics >> 24), buf[3] = (unsigned char)(ntopics >> 16);
    buf[4] = (unsigned char)(ntopics >> 8), buf[5] = (unsigned char)ntopics;
    memset(p, 0xff, 4); /* user data: null */
    p += 4;
    *size = (int)(p - buf);
    return buf;
}

static void fill_broker(struct rd_kafka_metadata_broker *b, int32_t id,
                        const kfk_admin_result *cluster) {
    b->id = id;
    b->host = NULL;
    b->port = 0;
    for (int i = 0; cluster && i < cluster->cluster.nbrokers; i++)
        if (cluster->cluster.brokers[i].id == id) {
            b->host = strdup(cluster->cluster.brokers[i].host);
            b->port = cluster->cluster.brokers[i].port;
        }
    if (!b->host) b->host = strdup("");
}

rd_kafka_resp_err_t rd_kafka_list_groups(rd_kafka_t *rk, const char *group,
                                         const struct rd_kafka_group_list **grplistp,
                                         int timeout_ms) {
    char errstr[256];
    kfk_admin *a = rdk_admin(rk, errstr, sizeof errstr);
    if (!a) return RD_KAFKA_RESP_ERR__TRANSPORT;
    kfk_admin_options o = {.timeout_ms = timeout_ms > 0 ? timeout_ms : 1};
    kfk_admin_result *listed = NULL;
    const char **names = NULL;
    int n = 0;
    if (group) {
        names = &group;
        n = 1;
    } else {
        listed = kfk_admin_list_groups(a, &o, NULL, NULL);
        if (!listed) return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
        if (listed->err && listed->err != KFK_ERR_PARTIAL) {
            rd_kafka_resp_err_t err = rdk_err(listed->err);
            kfk_admin_result_destroy(listed);
            return err;
        }
        n = listed->ngroups;
        names = calloc((size_t)n + 1, sizeof *names);
        for (int i = 0; names && i < n; i++) names[i] = listed->groups[i].group_id;
    }
    kfk_admin_result *desc = names && n ? kfk_admin_describe_groups(a, names, n, &o, NULL, NULL)
                                        : NULL;
    kfk_admin_result *cluster = kfk_admin_metadata(a, NULL, 0, 0, &o, NULL, NULL);
    struct rd_kafka_group_list *gl = calloc(1, sizeof *gl);
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (!gl || (n && !names)) {
        err = RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    } else if (desc && desc->err && desc->err != KFK_ERR_PARTIAL) {
        err = desc->err == KFK_ERR_TIMED_OUT ? RD_KAFKA_RESP_ERR__TIMED_OUT : rdk_err(desc->err);
    } else if (desc) {
        gl->groups = calloc((size_t)desc->ngroup_descs + 1, sizeof *gl->groups);
        for (int i = 0; gl->groups && i < desc->ngroup_descs; i++) {
            const kfk_group_desc *d = &desc->group_descs[i];
            struct rd_kafka_group_info *gi = &gl->groups[gl->group_cnt++];
            fill_broker(&gi->broker, d->coordinator, cluster);
            gi->group = dup_or_empty(d->group_id);
            gi->err = d->err == KFK_ERR_GROUP_ID_NOT_FOUND ? RD_KAFKA_RESP_ERR_NO_ERROR : rdk_err(d->err);
            gi->state = dup_or_empty(d->err == KFK_ERR_GROUP_ID_NOT_FOUND ? "Dead" : d->state);
            gi->protocol_type = dup_or_empty(d->protocol_type);
            gi->protocol = dup_or_empty(d->protocol);
            gi->members = calloc((size_t)d->nmembers + 1, sizeof *gi->members);
            for (int j = 0; gi->members && j < d->nmembers; j++) {
                const kfk_group_member *km = &d->members[j];
                struct rd_kafka_group_member_info *mi = &gi->members[gi->member_cnt++];
                mi->member_id = dup_or_empty(km->member_id);
                mi->client_id = dup_or_empty(km->client_id);
                mi->client_host = dup_or_empty(km->host);
                if (km->nassignment)
                    mi->member_assignment = encode_assignment(km, &mi->member_assignment_size);
            }
        }
    }
    if (names != &group) free(names);
    kfk_admin_result_destroy(listed);
    kfk_admin_result_destroy(desc);
    kfk_admin_result_destroy(cluster);
    if (err) {
        rd_kafka_group_list_destroy(gl);
        return err;
    }
    *grplistp = gl;
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

void rd_kafka_group_list_destroy(const struct rd_kafka_group_list *grplist) {
    if (!grplist) return;
    for (int i = 0; i < grplist->group_cnt; i++) {
        struct rd_kafka_group_info *gi = &grplist->groups[i];
        free(gi->broker.host);
        free(gi->group);
        free(gi->state);
        free(gi->protocol_type);
        free(gi->protocol);
        for (int j = 0; j < gi->member_cnt; j++) {
            free(gi->members[j].member_id);
            free(gi->members[j].client_id);
            free(gi->members[j].client_host);
            free(gi->members[j].member_metadata);
            free(gi->members[j].member_assignment);
        }
        free(gi->members);
    }
    free(grplist->groups);
    free((void *)grplist);
}

void rd_kafka_log_syslog(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    syslog(level, "%s: %s", fac, buf);
}

void rd_kafka_dump(FILE *fp, rd_kafka_t *rk) {
    fprintf(fp, "rd_kafka_t %p: %s (kfk %s)\n", (void *)rk, rk->name, kfk_version());
    fprintf(fp, " type: %s\n", rk->type == RD_KAFKA_PRODUCER ? "producer" : "consumer");
    fprintf(fp, " out queue: %d\n", rd_kafka_outq_len(rk));
    if (rk->producer) {
        kfk_producer_stats s;
        kfk_producer_stats_get(rk->producer, &s);
        fprintf(fp, " producer: buffer %" PRId64 " bytes (peak %" PRId64 "), retried batches %" PRId64
                    ", producer id %" PRId64 " epoch %d\n",
                s.buffer_bytes, s.buffer_peak, s.batches_retried, s.producer_id,
                (int)s.producer_epoch);
    }
    if (rk->consumer) {
        kfk_consumer_stats s;
        kfk_consumer_stats_get(rk->consumer, &s);
        fprintf(fp, " consumer: fetch requests %" PRId64 ", messages %" PRId64 ", commits %" PRId64
                    ", rebalances %" PRId64 "\n",
                s.fetch_requests, s.messages, s.commits, s.rebalances);
    }
    rd_kafka_topic_t *t;
    pthread_mutex_lock(&rk->lock);
    for (t = rk->topics; t; t = t->next) fprintf(fp, " topic %s\n", t->name);
    pthread_mutex_unlock(&rk->lock);
}

/* kfk has no way to make a producer fail for a test's sake. */
rd_kafka_resp_err_t rd_kafka_test_fatal_error(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                                              const char *reason) {
    return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
}
