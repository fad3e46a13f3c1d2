/* kfk_stats as JSON, with librdkafka's field names (docs/STATISTICS.md).
 * Pure: no clock, no client; the unit test parses the output back. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "kfk.h"
#include "proto/proto.h"

typedef struct jw {
    char *p;
    size_t len, cap;
    int oom;
} jw;

static void put(jw *w, const char *s, size_t n) {
    if (w->oom) return;
    if (w->len + n + 1 > w->cap) {
        size_t cap = w->cap ? w->cap : 4096;
        while (cap < w->len + n + 1) cap *= 2;
        char *q = kfk_realloc(w->p, cap);
        if (!q) {
            w->oom = 1;
            return;
        }
        w->p = q;
        w->cap = cap;
    }
    memcpy(w->p + w->len, s, n);
    w->len += n;
    w->p[w->len] = 0;
}

static void putf(jw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(jw *w, const char *fmt, ...) {
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0) put(w, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* A JSON string: quotes, backslashes and control bytes escaped. */
static void str(jw *w, const char *s) {
    put(w, "\"", 1);
    for (const unsigned char *c = (const unsigned char *)(s ? s : ""); *c; c++) {
        if (*c == '"' || *c == '\\') {
            char e[2] = {'\\', (char)*c};
            put(w, e, 2);
        } else if (*c < 0x20) {
            putf(w, "\\u%04x", *c);
        } else {
            put(w, (const char *)c, 1);
        }
    }
    put(w, "\"", 1);
}

/* Members: key then value; `first` tracks the comma. */
static void key(jw *w, int *first, const char *k) {
    if (!*first) put(w, ",", 1);
    *first = 0;
    str(w, k);
    put(w, ":", 1);
}

static void num(jw *w, int *first, const char *k, int64_t v) {
    key(w, first, k);
    putf(w, "%lld", (long long)v);
}

static void text(jw *w, int *first, const char *k, const char *v) {
    key(w, first, k);
    str(w, v);
}

static void window(jw *w, int *first, const char *k, const kfk_stats_window *v) {
    key(w, first, k);
    int f = 1;
    put(w, "{", 1);
    num(w, &f, "min", v->min);
    num(w, &f, "max", v->max);
    num(w, &f, "avg", v->avg);
    num(w, &f, "sum", v->sum);
    num(w, &f, "stddev", v->stddev);
    num(w, &f, "p50", v->p50);
    num(w, &f, "p75", v->p75);
    num(w, &f, "p90", v->p90);
    num(w, &f, "p95", v->p95);
    num(w, &f, "p99", v->p99);
    num(w, &f, "p99_99", v->p99_99);
    num(w, &f, "cnt", v->cnt);
    put(w, "}", 1);
}

/* librdkafka's toppars: the partitions produced to or fetched from this
 * broker, keyed "topic-partition". */
static void toppars(jw *w, int *first, const kfk_stats *s, int32_t nodeid) {
    key(w, first, "toppars");
    put(w, "{", 1);
    int f = 1;
    for (int i = 0; i < s->npartitions && nodeid >= 0; i++) {
        const kfk_stats_partition *p = &s->partitions[i];
        if (p->broker != nodeid) continue;
        char k[300];
        snprintf(k, sizeof k, "%.255s-%d", p->topic, (int)p->partition);
        key(w, &f, k);
        int pf = 1;
        put(w, "{", 1);
        text(w, &pf, "topic", p->topic);
        num(w, &pf, "partition", p->partition);
        put(w, "}", 1);
    }
    put(w, "}", 1);
}

static void broker(jw *w, const kfk_stats *s, const kfk_stats_broker *b) {
    const char *type = s->type;
    int f = 1;
    put(w, "{", 1);
    text(w, &f, "name", b->name);
    num(w, &f, "nodeid", b->nodeid);
    text(w, &f, "nodename", b->nodename);
    text(w, &f, "source", b->source);
    text(w, &f, "state", b->state);
    num(w, &f, "stateage", b->stateage);
    num(w, &f, "outbuf_cnt", b->outbuf_cnt);
    num(w, &f, "outbuf_msg_cnt", b->outbuf_msg_cnt);
    num(w, &f, "waitresp_cnt", b->waitresp_cnt);
    num(w, &f, "waitresp_msg_cnt", b->waitresp_msg_cnt);
    num(w, &f, "tx", b->tx);
    num(w, &f, "txbytes", b->txbytes);
    num(w, &f, "txerrs", b->txerrs);
    num(w, &f, "txretries", b->txretries);
    num(w, &f, "txidle", b->txidle);
    num(w, &f, "req_timeouts", b->req_timeouts);
    num(w, &f, "rx", b->rx);
    num(w, &f, "rxbytes", b->rxbytes);
    num(w, &f, "rxerrs", b->rxerrs);
    num(w, &f, "rxcorriderrs", b->rxcorriderrs);
    num(w, &f, "rxpartial", b->rxpartial);
    num(w, &f, "rxidle", b->rxidle);
    num(w, &f, "connects", b->connects);
    num(w, &f, "disconnects", b->disconnects);
    key(w, &f, "req");
    put(w, "{", 1);
    int rf = 1;
    for (int k = 0; k < (int)(sizeof b->req / sizeof b->req[0]); k++) {
        const kfk_api_info *info = kfk_api_info_get((int16_t)k);
        if (info && info->name && b->req[k]) num(w, &rf, info->name, b->req[k]);
    }
    put(w, "}", 1);
    window(w, &f, "rtt", &b->rtt);
    if (strcmp(type, "producer") == 0) window(w, &f, "int_latency", &b->int_latency);
    window(w, &f, "outbuf_latency", &b->outbuf_latency);
    window(w, &f, "throttle", &b->throttle);
    toppars(w, &f, s, b->nodeid);
    put(w, "}", 1);
}

static void partition(jw *w, const kfk_stats *s, const kfk_stats_partition *p) {
    int f = 1;
    put(w, "{", 1);
    num(w, &f, "partition", p->partition);
    num(w, &f, "broker", p->broker);
    num(w, &f, "leader", p->leader);
    num(w, &f, "leader_epoch", p->leader_epoch);
    key(w, &f, "unknown");
    put(w, p->unknown ? "true" : "false", p->unknown ? 4 : 5);
    if (strcmp(s->type, "producer") == 0) {
        num(w, &f, "msgq_cnt", p->msgq_cnt);
        num(w, &f, "msgq_bytes", p->msgq_bytes);
        num(w, &f, "txmsgs", p->txmsgs);
        num(w, &f, "txbytes", p->txbytes);
        num(w, &f, "msgs_inflight", p->msgs_inflight);
        num(w, &f, "msgs", p->msgs);
        num(w, &f, "acked_msgid", p->acked_msgid);
        num(w, &f, "txretry_msgs", p->txretry_msgs);
        num(w, &f, "txerr_msgs", p->txerr_msgs);
        if (s->eos && s->eos->idemp_state) {
            num(w, &f, "next_ack_seq", p->next_ack_seq);
            num(w, &f, "next_err_seq", p->next_err_seq);
        }
    } else {
        key(w, &f, "desired");
        put(w, p->desired ? "true" : "false", p->desired ? 4 : 5);
        text(w, &f, "fetch_state", p->fetch_state);
        num(w, &f, "fetchq_cnt", p->fetchq_cnt);
        num(w, &f, "fetchq_size", p->fetchq_size);
        num(w, &f, "query_offset", p->query_offset);
        num(w, &f, "next_offset", p->next_offset);
        num(w, &f, "app_offset", p->app_offset);
        num(w, &f, "stored_offset", p->stored_offset);
        num(w, &f, "stored_leader_epoch", p->stored_leader_epoch);
        num(w, &f, "committed_offset", p->committed_offset);
        num(w, &f, "committed_leader_epoch", p->committed_leader_epoch);
        num(w, &f, "eof_offset", p->eof_offset);
        num(w, &f, "lo_offset", p->lo_offset);
        num(w, &f, "hi_offset", p->hi_offset);
        num(w, &f, "ls_offset", p->ls_offset);
        num(w, &f, "consumer_lag", p->consumer_lag);
        num(w, &f, "consumer_lag_stored", p->consumer_lag_stored);
        num(w, &f, "rxmsgs", p->rxmsgs);
        num(w, &f, "rxbytes", p->rxbytes);
        num(w, &f, "msgs", p->rxmsgs); /* librdkafka: the consumer's msgs is rxmsgs */
        num(w, &f, "rx_ver_drops", p->rx_ver_drops);
    }
    put(w, "}", 1);
}

/* "topics": {name: {"topic": name, "partitions": {"0": {...}}}}; the
 * partitions come sorted by topic, so each topic is one run. */
static void topics(jw *w, int *first, const kfk_stats *s) {
    key(w, first, "topics");
    put(w, "{", 1);
    int tf = 1;
    for (int i = 0; i < s->npartitions;) {
        const char *t = s->partitions[i].topic;
        key(w, &tf, t);
        int f = 1;
        put(w, "{", 1);
        text(w, &f, "topic", t);
        const kfk_stats_topic *st = NULL; /* once per topic and interval: a scan */
        for (int k = 0; k < s->ntopics && !st; k++)
            if (strcmp(s->topics[k].topic, t) == 0) st = &s->topics[k];
        if (st) {
            if (st->age >= 0) num(w, &f, "age", st->age);
            num(w, &f, "metadata_age", st->metadata_age);
            if (strcmp(s->type, "producer") == 0) {
                window(w, &f, "batchsize", &st->batchsize);
                window(w, &f, "batchcnt", &st->batchcnt);
            }
        }
        key(w, &f, "partitions");
        put(w, "{", 1);
        int pf = 1;
        for (; i < s->npartitions && strcmp(s->partitions[i].topic, t) == 0; i++) {
            char id[16];
            snprintf(id, sizeof id, "%d", (int)s->partitions[i].partition);
            key(w, &pf, id);
            partition(w, s, &s->partitions[i]);
        }
        put(w, "}}", 2);
    }
    put(w, "}", 1);
}

char *kfk_stats_json(const kfk_stats *s, size_t *len) {
    jw w = {0};
    int f = 1;
    put(&w, "{", 1);
    text(&w, &f, "name", s->name);
    text(&w, &f, "client_id", s->client_id);
    text(&w, &f, "type", s->type);
    num(&w, &f, "ts", s->ts);
    num(&w, &f, "time", s->time);
    num(&w, &f, "age", s->age);
    num(&w, &f, "replyq", s->replyq);
    num(&w, &f, "msg_cnt", s->msg_cnt);
    num(&w, &f, "msg_size", s->msg_size);
    num(&w, &f, "msg_max", s->msg_max);
    num(&w, &f, "msg_size_max", s->msg_size_max);
    num(&w, &f, "tx", s->tx);
    num(&w, &f, "tx_bytes", s->tx_bytes);
    num(&w, &f, "rx", s->rx);
    num(&w, &f, "rx_bytes", s->rx_bytes);
    num(&w, &f, "txmsgs", s->txmsgs);
    num(&w, &f, "txmsg_bytes", s->txmsg_bytes);
    num(&w, &f, "rxmsgs", s->rxmsgs);
    num(&w, &f, "rxmsg_bytes", s->rxmsg_bytes);
    num(&w, &f, "metadata_cache_cnt", s->metadata_cache_cnt);
    key(&w, &f, "brokers");
    put(&w, "{", 1);
    int bf = 1;
    for (int i = 0; i < s->nbrokers; i++) {
        key(&w, &bf, s->brokers[i].name);
        broker(&w, s, &s->brokers[i]);
    }
    put(&w, "}", 1);
    topics(&w, &f, s);
    if (s->cgrp) {
        const kfk_stats_cgrp *g = s->cgrp;
        key(&w, &f, "cgrp");
        int gf = 1;
        put(&w, "{", 1);
        text(&w, &gf, "state", g->state);
        num(&w, &gf, "stateage", g->stateage);
        text(&w, &gf, "join_state", g->join_state);
        num(&w, &gf, "rebalance_age", g->rebalance_age);
        num(&w, &gf, "rebalance_cnt", g->rebalance_cnt);
        text(&w, &gf, "rebalance_reason", g->rebalance_reason);
        num(&w, &gf, "assignment_size", g->assignment_size);
        put(&w, "}", 1);
    }
    if (s->eos) {
        const kfk_stats_eos *e = s->eos;
        key(&w, &f, "eos");
        int ef = 1;
        put(&w, "{", 1);
        text(&w, &ef, "idemp_state", e->idemp_state ? e->idemp_state : "Init");
        num(&w, &ef, "idemp_stateage", e->idemp_stateage);
        text(&w, &ef, "txn_state", e->txn_state ? e->txn_state : "Init");
        num(&w, &ef, "txn_stateage", e->txn_stateage);
        key(&w, &ef, "txn_may_enq");
        put(&w, e->txn_may_enq ? "true" : "false", e->txn_may_enq ? 4 : 5);
        num(&w, &ef, "producer_id", e->producer_id);
        num(&w, &ef, "producer_epoch", e->producer_epoch);
        num(&w, &ef, "epoch_cnt", e->epoch_cnt);
        put(&w, "}", 1);
    }
    key(&w, &f, "kfk");
    int kf = 1;
    put(&w, "{", 1);
    num(&w, &kf, "metadata_requests", s->metadata_requests);
    num(&w, &kf, "metadata_updates", s->metadata_updates);
    num(&w, &kf, "rebootstraps", s->rebootstraps);
    num(&w, &kf, "throttles", s->throttles);
    num(&w, &kf, "throttle_ms", s->throttle_ms);
    num(&w, &kf, "connects", s->connects);
    num(&w, &kf, "disconnects", s->disconnects);
    if (strcmp(s->type, "producer") == 0) {
        num(&w, &kf, "batches_retried", s->batches_retried);
        num(&w, &kf, "batches_split", s->batches_split);
        num(&w, &kf, "buffer_peak", s->buffer_peak);
    } else if (strcmp(s->type, "consumer") == 0) {
        num(&w, &kf, "fetch_requests", s->fetch_requests);
        num(&w, &kf, "offset_resets", s->offset_resets);
        num(&w, &kf, "commits", s->commits);
        num(&w, &kf, "polls", s->polls);
        window(&w, &kf, "poll_idle_ratio", &s->poll_idle_ratio);
        window(&w, &kf, "fetch_latency", &s->fetch_latency);
        window(&w, &kf, "commit_latency", &s->commit_latency);
        window(&w, &kf, "rebalance_latency", &s->rebalance_latency);
        num(&w, &kf, "rebalance_latency_total", s->rebalance_latency_total);
    }
    put(&w, "}}", 2);
    if (w.oom) {
        kfk_free(w.p);
        return NULL;
    }
    if (len) *len = w.len;
    return w.p;
}

void kfk_free_buf(void *p) { kfk_free(p); }
