/* Interceptors against the real broker (KFK_BOOTSTRAP): a producer and a
 * consumer whose on_new adds every method the layer honours; each
 * callback's count and arguments are checked: on_send per message before
 * it is queued, on_acknowledgement with the written offset before the
 * delivery report, on_consume per message before the application has it,
 * on_commit with a sync commit's, an async commit's and close's offsets,
 * on_destroy last but the conf's on_conf_destroy. */
#include <librdkafka/rdkafka.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

enum { N = 5 };

static const char *bootstrap(void) {
    const char *b = getenv("KFK_BOOTSTRAP");
    return b ? b : "127.0.0.1:29092";
}

static void unique(char *out, size_t n, const char *what) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    snprintf(out, n, "rdk-ic-%s-%d-%ld", what, (int)getpid(), (long)t.tv_nsec);
}

typedef struct seen {
    int seq;
    rd_kafka_t *rk;
    int on_new, on_destroy, conf_destroy, send, ack, dr, consume, app, commit, conf_set;
    int destroy_seq, conf_destroy_seq, last_callback_seq;
    int acked_before_dr;     /* each report came after its message's ack */
    int consumed_before_app; /* each message reached on_consume first */
    int wrong_rk;
    int64_t ack_offset[N], consume_offset[N];
    int ack_err[N];
    rd_kafka_msg_status_t ack_status[N];
    void *send_opaque[N], *ack_opaque[N];
    char send_val[N][8], consume_val[N][8], consume_hdr[N][8];
    int32_t send_part[N], ack_part[N];
    /* the commits, as on_commit saw them */
    int64_t commit_offset[8];
    int commit_err[8], commit_cnt[8];
} seen;

static void mem(char *out, size_t n, const void *p, size_t len) {
    snprintf(out, n, "%.*s", (int)len, p ? (const char *)p : "");
}

static int index_of(const rd_kafka_message_t *m) { return (int)(intptr_t)m->_private - 1; }

static rd_kafka_resp_err_t on_send(rd_kafka_t *rk, rd_kafka_message_t *m, void *opaque) {
    seen *s = opaque;
    s->wrong_rk += rk != s->rk;
    int i = s->send++;
    if (i < N) {
        s->send_opaque[i] = m->_private;
        s->send_part[i] = m->partition;
        mem(s->send_val[i], sizeof s->send_val[i], m->payload, m->len);
    }
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

static rd_kafka_resp_err_t on_ack(rd_kafka_t *rk, rd_kafka_message_t *m, void *opaque) {
    seen *s = opaque;
    s->wrong_rk += rk != s->rk;
    s->ack++;
    int i = index_of(m);
    if (i >= 0 && i < N) {
        s->ack_opaque[i] = m->_private;
        s->ack_offset[i] = m->offset;
        s->ack_err[i] = m->err;
        s->ack_part[i] = m->partition;
        s->ack_status[i] = rd_kafka_message_status(m);
    }
    s->last_callback_seq = ++s->seq;
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

static void on_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    seen *s = opaque;
    (void)rk;
    int i = index_of(m);
    s->dr++;
    /* the ack of this message came first */
    if (i >= 0 && i < N && s->ack_opaque[i] == m->_private && s->ack >= s->dr) s->acked_before_dr++;
}

static rd_kafka_resp_err_t on_consume(rd_kafka_t *rk, rd_kafka_message_t *m, void *opaque) {
    seen *s = opaque;
    s->wrong_rk += rk != s->rk;
    int i = s->consume++;
    if (i < N) {
        s->consume_offset[i] = m->offset;
        mem(s->consume_val[i], sizeof s->consume_val[i], m->payload, m->len);
        rd_kafka_headers_t *h;
        const void *v;
        size_t vs;
        if (!rd_kafka_message_headers(m, &h) && !rd_kafka_header_get_last(h, "h", &v, &vs))
            mem(s->consume_hdr[i], sizeof s->consume_hdr[i], v, vs);
    }
    s->last_callback_seq = ++s->seq;
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

static rd_kafka_resp_err_t on_commit(rd_kafka_t *rk, const rd_kafka_topic_partition_list_t *o,
                                     rd_kafka_resp_err_t err, void *opaque) {
    seen *s = opaque;
    s->wrong_rk += rk != s->rk;
    int i = s->commit++;
    if (i < 8) {
        s->commit_cnt[i] = o->cnt;
        s->commit_err[i] = err;
        s->commit_offset[i] = o->cnt ? o->elems[0].offset : -1;
    }
    s->last_callback_seq = ++s->seq;
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

static rd_kafka_resp_err_t on_destroy(rd_kafka_t *rk, void *opaque) {
    seen *s = opaque;
    s->wrong_rk += rk != s->rk;
    s->on_destroy++;
    s->destroy_seq = ++s->seq;
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

static rd_kafka_resp_err_t on_conf_destroy(void *opaque) {
    seen *s = opaque;
    s->conf_destroy++;
    s->conf_destroy_seq = ++s->seq;
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

static rd_kafka_conf_res_t on_conf_set(rd_kafka_conf_t *conf, const char *name, const char *val,
                                       char *errstr, size_t errstr_size, void *opaque) {
    seen *s = opaque;
    (void)conf, (void)val, (void)errstr, (void)errstr_size;
    s->conf_set++;
    return strcmp(name, "ic.enable") ? RD_KAFKA_CONF_UNKNOWN : RD_KAFKA_CONF_OK;
}

static rd_kafka_resp_err_t on_new(rd_kafka_t *rk, const rd_kafka_conf_t *conf, void *opaque,
                                  char *errstr, size_t errstr_size) {
    seen *s = opaque;
    (void)conf, (void)errstr, (void)errstr_size;
    s->on_new++;
    s->rk = rk;
    rd_kafka_interceptor_add_on_send(rk, "ic", on_send, s);
    rd_kafka_interceptor_add_on_acknowledgement(rk, "ic", on_ack, s);
    rd_kafka_interceptor_add_on_consume(rk, "ic", on_consume, s);
    rd_kafka_interceptor_add_on_commit(rk, "ic", on_commit, s);
    rd_kafka_interceptor_add_on_destroy(rk, "ic", on_destroy, s);
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

static rd_kafka_t *client(rd_kafka_type_t type, seen *s, const char *const *kv) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char err[512];
    rd_kafka_conf_interceptor_add_on_conf_set(conf, "ic", on_conf_set, s);
    rd_kafka_conf_interceptor_add_on_new(conf, "ic", on_new, s);
    rd_kafka_conf_interceptor_add_on_conf_destroy(conf, "ic", on_conf_destroy, s);
    CHECK_EQ(rd_kafka_conf_set(conf, "ic.enable", "yes", err, sizeof err), RD_KAFKA_CONF_OK);
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap(), err, sizeof err);
    for (; kv && kv[0]; kv += 2)
        CHECK_EQ(rd_kafka_conf_set(conf, kv[0], kv[1], err, sizeof err), RD_KAFKA_CONF_OK);
    rd_kafka_conf_set_opaque(conf, s);
    if (type == RD_KAFKA_PRODUCER) rd_kafka_conf_set_dr_msg_cb(conf, on_dr);
    rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof err);
    if (!rk) kfk_test_fail(__FILE__, __LINE__, "rd_kafka_new: %s", err);
    return rk;
}

static void produce(const char *topic, seen *s) {
    rd_kafka_t *p = client(RD_KAFKA_PRODUCER, s, NULL);
    REQUIRE(p);
    CHECK_EQ(s->on_new, 1);
    CHECK(s->rk == p);
    for (int i = 0; i < N; i++) {
        char v[8];
        snprintf(v, sizeof v, "v%d", i);
        CHECK_EQ(rd_kafka_producev(p, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                                   RD_KAFKA_V_VALUE(v, strlen(v)),
                                   RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                   RD_KAFKA_V_HEADER("h", v, -1),
                                   RD_KAFKA_V_OPAQUE((void *)(intptr_t)(i + 1)), RD_KAFKA_V_END),
                 0);
        /* on_send ran inside producev */
        CHECK_EQ(s->send, i + 1);
    }
    CHECK_EQ(rd_kafka_flush(p, 30000), 0);
    CHECK_EQ(s->ack, N);
    CHECK_EQ(s->dr, N);
    CHECK_EQ(s->acked_before_dr, N);
    for (int i = 0; i < N; i++) {
        char want[8];
        snprintf(want, sizeof want, "v%d", i);
        CHECK_STR(s->send_val[i], want);
        CHECK(s->send_opaque[i] == (void *)(intptr_t)(i + 1));
        CHECK_EQ(s->send_part[i], 0);
        CHECK(s->ack_opaque[i] == (void *)(intptr_t)(i + 1));
        CHECK_EQ(s->ack_err[i], 0);
        CHECK_EQ(s->ack_part[i], 0);
        CHECK_EQ(s->ack_offset[i], i);
        CHECK_EQ(s->ack_status[i], RD_KAFKA_MSG_STATUS_PERSISTED);
    }
    rd_kafka_destroy(p);
    CHECK_EQ(s->on_destroy, 1);
    CHECK_EQ(s->conf_destroy, 1);
    CHECK(s->last_callback_seq < s->destroy_seq && s->destroy_seq < s->conf_destroy_seq);
    /* a producer consumes and commits nothing */
    CHECK_EQ(s->consume, 0);
    CHECK_EQ(s->commit, 0);
    CHECK_EQ(s->wrong_rk, 0);
}

TEST(produce_and_consume_through_the_interceptors) {
    char topic[96], group[96];
    unique(topic, sizeof topic, "t");
    unique(group, sizeof group, "g");
    seen ps = {0};
    produce(topic, &ps);
    /* ic.enable (claimed) and bootstrap.servers (passed on); the dedicated
     * setters (opaque, dr_msg_cb) do not go through on_conf_set */
    CHECK_EQ(ps.conf_set, 2);

    seen cs = {0};
    const char *kv[] = {"group.id", group, "enable.auto.commit", "true",
                        "auto.commit.interval.ms", "600000", NULL};
    rd_kafka_t *c = client(RD_KAFKA_CONSUMER, &cs, kv);
    REQUIRE(c);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    CHECK_EQ(rd_kafka_assign(c, l), 0);
    rd_kafka_topic_partition_list_destroy(l);
    int got = 0;
    for (int tries = 0; got < N && tries < 150; tries++) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 200);
        if (!m) continue;
        if (!m->err) {
            /* on_consume saw this message before the application */
            CHECK_EQ(cs.consume, got + 1);
            CHECK_EQ(cs.consume_offset[got], m->offset);
            got++;
            if (got == 2) CHECK_EQ(rd_kafka_commit_message(c, m, 0), 0); /* sync */
            if (got == 3) CHECK_EQ(rd_kafka_commit_message(c, m, 1), 0); /* async */
        }
        rd_kafka_message_destroy(m);
    }
    CHECK_EQ(got, N);
    CHECK_EQ(cs.consume, N);
    for (int i = 0; i < N; i++) {
        char want[8];
        snprintf(want, sizeof want, "v%d", i);
        CHECK_EQ(cs.consume_offset[i], i);
        CHECK_STR(cs.consume_val[i], want);
        CHECK_STR(cs.consume_hdr[i], want);
    }
    /* the sync commit's result is known when the call returns */
    CHECK(cs.commit >= 1);
    CHECK_EQ(cs.commit_cnt[0], 1);
    CHECK_EQ(cs.commit_offset[0], 2);
    CHECK_EQ(cs.commit_err[0], 0);
    /* the async one's comes with a later poll */
    for (int tries = 0; cs.commit < 2 && tries < 50; tries++) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 100);
        if (m) rd_kafka_message_destroy(m);
    }
    CHECK_EQ(cs.commit, 2);
    CHECK_EQ(cs.commit_cnt[1], 1);
    CHECK_EQ(cs.commit_offset[1], 3);
    CHECK_EQ(cs.commit_err[1], 0);
    /* close commits the stored offsets (auto commit): all N consumed */
    CHECK_EQ(rd_kafka_consumer_close(c), 0);
    CHECK_EQ(cs.commit, 3);
    CHECK_EQ(cs.commit_cnt[2], 1);
    CHECK_EQ(cs.commit_offset[2], N);
    CHECK_EQ(cs.commit_err[2], 0);
    CHECK_EQ(cs.on_destroy, 0);
    rd_kafka_destroy(c);
    CHECK_EQ(cs.on_new, 1);
    CHECK_EQ(cs.on_destroy, 1);
    CHECK_EQ(cs.conf_destroy, 1);
    CHECK(cs.last_callback_seq < cs.destroy_seq && cs.destroy_seq < cs.conf_destroy_seq);
    /* a consumer sends nothing */
    CHECK_EQ(cs.send, 0);
    CHECK_EQ(cs.ack, 0);
    CHECK_EQ(cs.wrong_rk, 0);
    CHECK_EQ(rd_kafka_wait_destroyed(5000), 0);
}
