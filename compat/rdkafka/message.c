/* Messages handed to the application: consumed messages wrap kfk's without
 * copying (the wrapper is reused), errors and events carry their text. */
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "rdk_int.h"

rdk_msg *rdk_msg_new(rd_kafka_t *rk) {
    pthread_mutex_lock(&rk->msg_lock);
    rdk_msg *m = rk->free_msgs;
    if (m) rk->free_msgs = m->next_free;
    rk->refs++;
    pthread_mutex_unlock(&rk->msg_lock);
    if (!m) m = malloc(sizeof *m);
    if (!m) {
        rdk_handle_unref(rk);
        return NULL;
    }
    memset(m, 0, sizeof *m);
    m->rk = rk;
    m->broker_id = -1;
    m->latency_us = -1;
    return m;
}

void rdk_msg_fill(rdk_msg *m, rd_kafka_t *rk, kfk_consumer_message *km) {
    memset(m, 0, sizeof *m);
    m->rk = rk;
    m->km = km;
    m->latency_us = -1;
    m->m.err = km->err ? rdk_err(km->err) : RD_KAFKA_RESP_ERR_NO_ERROR;
    m->m.rkt = rdk_topic_get(rk, km->topic);
    m->m.partition = km->partition;
    m->m.offset = km->offset;
    if (!km->err) {
        m->m.payload = (void *)km->value;
        m->m.len = km->value_len;
        m->m.key = (void *)km->key;
        m->m.key_len = km->key_len;
    }
    m->timestamp = km->timestamp;
    m->tstype = km->timestamp_type == KFK_TIMESTAMP_CREATE       ? RD_KAFKA_TIMESTAMP_CREATE_TIME
                : km->timestamp_type == KFK_TIMESTAMP_LOG_APPEND ? RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME
                                                                 : RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
    m->broker_id = km->broker_id;
    m->status = RD_KAFKA_MSG_STATUS_PERSISTED;
    /* every consumed message reaches the application through here; as
     * librdkafka, errors are not shown to on_consume */
    if (!km->err && m->m.rkt && rdk_ic_of(rk, RDK_IC_CONSUME)) rdk_ic_on_consume(rk, &m->m);
}

rd_kafka_message_t *rdk_msg_from_consumed(rd_kafka_t *rk, kfk_consumer_message *km) {
    rdk_msg *m = rdk_msg_new(rk);
    if (!m) {
        kfk_consumer_message_release(km);
        return NULL;
    }
    rdk_msg_fill(m, rk, km);
    return &m->m;
}

rd_kafka_message_t *rdk_msg_error(rd_kafka_t *rk, rd_kafka_resp_err_t err, const char *topic,
                                  int32_t partition, int64_t offset, const char *errstr) {
    rdk_msg *m = rdk_msg_new(rk);
    if (!m) return NULL;
    m->m.err = err;
    m->m.rkt = topic ? rdk_topic_get(rk, topic) : NULL;
    m->m.partition = partition;
    m->m.offset = offset;
    if (errstr) {
        m->m.payload = strdup(errstr);
        m->m.len = m->m.payload ? strlen(errstr) : 0;
        m->owns_payload = 1;
    }
    return &m->m;
}

void rd_kafka_message_destroy(rd_kafka_message_t *rkmessage) {
    if (!rkmessage) return;
    rdk_msg *m = (rdk_msg *)rkmessage;
    rd_kafka_t *rk = m->rk;
    if (m->km) kfk_consumer_message_release(m->km);
    if (m->owns_payload) free(m->m.payload);
    if (m->hdrs) rd_kafka_headers_destroy(m->hdrs);
    if (m->owned) rdk_dr_rec_free(m->owned);
    pthread_mutex_lock(&rk->msg_lock);
    m->next_free = rk->free_msgs;
    rk->free_msgs = m;
    int last = --rk->refs == 0;
    pthread_mutex_unlock(&rk->msg_lock);
    if (last) rdk_handle_free(rk);
}

const char *rd_kafka_message_errstr(const rd_kafka_message_t *rkmessage) {
    if (!rkmessage->err) return NULL;
    const rdk_msg *m = (const rdk_msg *)rkmessage;
    if (m->owns_payload && rkmessage->payload) return rkmessage->payload;
    return rd_kafka_err2str(rkmessage->err);
}

int64_t rd_kafka_message_timestamp(const rd_kafka_message_t *rkmessage,
                                   rd_kafka_timestamp_type_t *tstype) {
    const rdk_msg *m = (const rdk_msg *)rkmessage;
    if (rkmessage->err || m->tstype == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE) {
        if (tstype) *tstype = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
        return -1;
    }
    if (tstype) *tstype = m->tstype;
    return m->timestamp;
}

int64_t rd_kafka_message_latency(const rd_kafka_message_t *rkmessage) {
    return ((const rdk_msg *)rkmessage)->latency_us;
}

int32_t rd_kafka_message_broker_id(const rd_kafka_message_t *rkmessage) {
    return ((const rdk_msg *)rkmessage)->broker_id;
}

rd_kafka_msg_status_t rd_kafka_message_status(const rd_kafka_message_t *rkmessage) {
    return (rd_kafka_msg_status_t)((const rdk_msg *)rkmessage)->status;
}

rd_kafka_resp_err_t rd_kafka_message_headers(const rd_kafka_message_t *rkmessage,
                                             rd_kafka_headers_t **hdrsp) {
    rdk_msg *m = (rdk_msg *)rkmessage;
    if (!m->hdrs && m->km && m->km->header_count > 0)
        m->hdrs = rdk_headers_from_kfk(m->km->headers, m->km->header_count);
    if (!m->hdrs && m->send_hdr_cnt > 0)
        m->hdrs = rdk_headers_from_kfk(m->send_hdrs, m->send_hdr_cnt);
    if (!m->hdrs) return RD_KAFKA_RESP_ERR__NOENT;
    *hdrsp = m->hdrs;
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

rd_kafka_resp_err_t rd_kafka_message_detach_headers(rd_kafka_message_t *rkmessage,
                                                    rd_kafka_headers_t **hdrsp) {
    rd_kafka_resp_err_t err = rd_kafka_message_headers(rkmessage, hdrsp);
    if (!err) ((rdk_msg *)rkmessage)->hdrs = NULL;
    return err;
}

void rd_kafka_message_set_headers(rd_kafka_message_t *rkmessage, rd_kafka_headers_t *hdrs) {
    rdk_msg *m = (rdk_msg *)rkmessage;
    if (m->hdrs) rd_kafka_headers_destroy(m->hdrs);
    m->hdrs = hdrs;
}
