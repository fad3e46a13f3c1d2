/* Interceptors without a broker, as librdkafka 2.0.2 calls them: a conf's
 * on_conf_set (claiming a property, kept across a dup), on_conf_dup,
 * on_conf_destroy, the conflict rule; on_new adding the handle's methods,
 * on_destroy; on_send and on_acknowledgement for messages of a handle
 * without brokers (timed out, failed at produce, destroyed unsent); the
 * ICFAIL warning; the methods that stay refused; a plugin loaded by
 * plugin.library.paths. */
#include <dlfcn.h>
#include <librdkafka/rdkafka.h>
#include <string.h>

#include "test.h"

/* What the interceptors saw, in order (seq numbers every call). */
typedef struct seen {
    int seq;
    int conf_set, conf_set_claimed, conf_dup, conf_destroy, on_new, on_destroy;
    int send, ack, dr;
    int send_seq, ack_seq, dr_seq, destroy_seq, conf_destroy_seq;
    char last_name[64], last_val[64];
    int last_val_null;
    size_t dup_filter_cnt;
    const rd_kafka_conf_t *dup_old;
    rd_kafka_t *new_rk;
    const rd_kafka_conf_t *new_conf;
    rd_kafka_resp_err_t add_again, send_ret;
    /* the last message seen by on_send / on_acknowledgement */
    rd_kafka_resp_err_t ack_err;
    int32_t send_part, ack_part;
    int64_t send_off, send_ts;
    void *send_opaque, *ack_opaque;
    char send_payload[32], send_key[32], send_topic[64], send_hdr[32], ack_topic[64];
    rd_kafka_msg_status_t ack_status;
    char log[512];
} seen;

static rd_kafka_conf_res_t ic_conf_set(rd_kafka_conf_t *conf, const char *name, const char *val,
                                       char *errstr, size_t errstr_size, void *opaque) {
    seen *s = opaque;
    (void)conf;
    s->conf_set++;
    snprintf(s->last_name, sizeof s->last_name, "%s", name);
    snprintf(s->last_val, sizeof s->last_val, "%s", val ? val : "");
    s->last_val_null = val == NULL;
    if (!strcmp(name, "myic.bad")) {
        snprintf(errstr, errstr_size, "myic.bad is never right");
        return RD_KAFKA_CONF_INVALID;
    }
    if (strncmp(name, "myic.", 5)) return RD_KAFKA_CONF_UNKNOWN;
    s->conf_set_claimed++;
    return RD_KAFKA_CONF_OK;
}

static rd_kafka_resp_err_t ic_conf_destroy(void *opaque) {
    seen *s = opaque;
    s->conf_destroy++;
    s->conf_destroy_seq = ++s->seq;
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

static rd_kafka_resp_err_t ic_conf_dup(rd_kafka_conf_t *new_conf, const rd_kafka_conf_t *old_conf,
                                       size_t filter_cnt, const char **filter, void *opaque) {
    seen *s = opaque;
    (void)filter;
    s->conf_dup++;
    s->dup_old = old_conf;
    s->dup_filter_cnt = filter_cnt;
    /* the interceptor carries itself over, as librdkafka's plugins do */
    rd_kafka_conf_interceptor_add_on_conf_set(new_conf, "ic", ic_conf_set, s);
    rd_kafka_conf_interceptor_add_on_conf_dup(new_conf, "ic", ic_conf_dup, s);
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

static void copy_mem(char *out, size_t n, const void *p, size_t len) {
    snprintf(out, n, "%.*s", (int)len, p ? (const char *)p : "");
}

static rd_kafka_resp_err_t ic_send(rd_kafka_t *rk, rd_kafka_message_t *m, void *opaque) {
    seen *s = opaque;
    (void)rk;
    s->send++;
    s->send_seq = ++s->seq;
    s->send_part = m->partition;
    s->send_off = m->offset;
    s->send_opaque = m->_private;
    s->send_ts = rd_kafka_message_timestamp(m, NULL);
    copy_mem(s->send_payload, sizeof s->send_payload, m->payload, m->len);
    copy_mem(s->send_key, sizeof s->send_key, m->key, m->key_len);
    snprintf(s->send_topic, sizeof s->send_topic, "%s", rd_kafka_topic_name(m->rkt));
    rd_kafka_headers_t *h;
    const void *v;
    size_t vs;
    s->send_hdr[0] = '\0';
    if (!rd_kafka_message_headers(m, &h) && !rd_kafka_header_get_last(h, "h1", &v, &vs))
        copy_mem(s->send_hdr, sizeof s->send_hdr, v, vs);
    return s->send_ret;
}

static rd_kafka_resp_err_t ic_ack(rd_kafka_t *rk, rd_kafka_message_t *m, void *opaque) {
    seen *s = opaque;
    (void)rk;
    s->ack++;
    s->ack_seq = ++s->seq;
    s->ack_err = m->err;
    s->ack_part = m->partition;
    s->ack_opaque = m->_private;
    s->ack_status = rd_kafka_message_status(m);
    snprintf(s->ack_topic, sizeof s->ack_topic, "%s", rd_kafka_topic_name(m->rkt));
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

static rd_kafka_resp_err_t ic_destroy(rd_kafka_t *rk, void *opaque) {
    seen *s = opaque;
    (void)rk;
    s->on_destroy++;
    s->destroy_seq = ++s->seq;
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

static rd_kafka_resp_err_t ic_new(rd_kafka_t *rk, const rd_kafka_conf_t *conf, void *opaque,
                                  char *errstr, size_t errstr_size) {
    seen *s = opaque;
    (void)errstr, (void)errstr_size;
    s->on_new++;
    s->new_rk = rk;
    s->new_conf = conf;
    rd_kafka_interceptor_add_on_send(rk, "ic", ic_send, s);
    rd_kafka_interceptor_add_on_acknowledgement(rk, "ic", ic_ack, s);
    rd_kafka_interceptor_add_on_destroy(rk, "ic", ic_destroy, s);
    s->add_again = rd_kafka_interceptor_add_on_send(rk, "ic", ic_send, s);
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    seen *s = opaque;
    (void)rk, (void)m;
    s->dr++;
    s->dr_seq = ++s->seq;
}

static void log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    seen *s = rd_kafka_opaque(rk);
    if (!strcmp(fac, "ICFAIL") && level == 4) snprintf(s->log, sizeof s->log, "%s", buf);
}

TEST(conflicts_and_bad_arguments) {
    seen s = {0};
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    CHECK_EQ(rd_kafka_conf_interceptor_add_on_conf_set(conf, "ic", ic_conf_set, &s), 0);
    CHECK_EQ(rd_kafka_conf_interceptor_add_on_conf_set(conf, "ic", ic_conf_set, &s),
             RD_KAFKA_RESP_ERR__CONFLICT);
    /* another interceptor's name, or another function under the name: fine */
    CHECK_EQ(rd_kafka_conf_interceptor_add_on_conf_set(conf, "ic2", ic_conf_set, &s), 0);
    CHECK_EQ(rd_kafka_conf_interceptor_add_on_conf_dup(conf, "ic", ic_conf_dup, &s), 0);
    CHECK_EQ(rd_kafka_conf_interceptor_add_on_conf_dup(conf, "ic", ic_conf_dup, &s),
             RD_KAFKA_RESP_ERR__CONFLICT);
    CHECK_EQ(rd_kafka_conf_interceptor_add_on_new(conf, "ic", ic_new, &s), 0);
    CHECK_EQ(rd_kafka_conf_interceptor_add_on_new(conf, "ic", ic_new, &s),
             RD_KAFKA_RESP_ERR__CONFLICT);
    /* on_conf_destroy takes repeats, and each runs */
    CHECK_EQ(rd_kafka_conf_interceptor_add_on_conf_destroy(conf, "ic", ic_conf_destroy, &s), 0);
    CHECK_EQ(rd_kafka_conf_interceptor_add_on_conf_destroy(conf, "ic", ic_conf_destroy, &s), 0);
    CHECK_EQ(rd_kafka_conf_interceptor_add_on_conf_set(NULL, "ic", ic_conf_set, &s),
             RD_KAFKA_RESP_ERR__INVALID_ARG);
    CHECK_EQ(rd_kafka_conf_interceptor_add_on_conf_set(conf, NULL, ic_conf_set, &s),
             RD_KAFKA_RESP_ERR__INVALID_ARG);
    CHECK_EQ(rd_kafka_conf_interceptor_add_on_conf_set(conf, "ic", NULL, &s),
             RD_KAFKA_RESP_ERR__INVALID_ARG);
    /* the handle's methods: only from on_new */
    CHECK_EQ(rd_kafka_interceptor_add_on_send(NULL, "ic", ic_send, &s),
             RD_KAFKA_RESP_ERR__INVALID_ARG);
    rd_kafka_conf_destroy(conf);
    CHECK_EQ(s.conf_destroy, 2);
}

TEST(on_conf_set_sees_every_set_and_may_claim) {
    seen s = {0};
    char errstr[256] = "untouched";
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    CHECK_EQ(rd_kafka_conf_interceptor_add_on_conf_set(conf, "ic", ic_conf_set, &s), 0);
    CHECK_EQ(rd_kafka_conf_set(conf, "myic.level", "3", errstr, sizeof errstr), RD_KAFKA_CONF_OK);
    CHECK_STR(errstr, "untouched");
    CHECK_EQ(s.conf_set, 1);
    CHECK_EQ(s.conf_set_claimed, 1);
    CHECK_STR(s.last_name, "myic.level");
    CHECK_STR(s.last_val, "3");
    /* claimed: librdkafka's own table never saw it */
    char v[64];
    size_t vs = sizeof v;
    CHECK_EQ(rd_kafka_conf_get(conf, "myic.level", v, &vs), RD_KAFKA_CONF_UNKNOWN);
    /* not claimed: set as usual, after the interceptor saw it */
    CHECK_EQ(rd_kafka_conf_set(conf, "linger.ms", "7", errstr, sizeof errstr), RD_KAFKA_CONF_OK);
    CHECK_EQ(s.conf_set, 2);
    CHECK_STR(s.last_name, "linger.ms");
    vs = sizeof v;
    CHECK_EQ(rd_kafka_conf_get(conf, "linger.ms", v, &vs), RD_KAFKA_CONF_OK);
    CHECK_STR(v, "7");
    /* an empty value reaches it as NULL, as librdkafka's */
    CHECK_EQ(rd_kafka_conf_set(conf, "myic.empty", "", errstr, sizeof errstr), RD_KAFKA_CONF_OK);
    CHECK(s.last_val_null);
    /* its refusal, with its text, is the call's */
    CHECK_EQ(rd_kafka_conf_set(conf, "myic.bad", "x", errstr, sizeof errstr),
             RD_KAFKA_CONF_INVALID);
    CHECK_STR(errstr, "myic.bad is never right");
    /* a name neither it nor librdkafka knows */
    CHECK_EQ(rd_kafka_conf_set(conf, "no.such.thing", "1", errstr, sizeof errstr),
             RD_KAFKA_CONF_UNKNOWN);
    CHECK_EQ(s.conf_set, 5);
    rd_kafka_conf_destroy(conf);
}

TEST(dup_calls_on_conf_dup_then_gives_back_what_was_claimed) {
    seen s = {0};
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    CHECK_EQ(rd_kafka_conf_interceptor_add_on_conf_set(conf, "ic", ic_conf_set, &s), 0);
    CHECK_EQ(rd_kafka_conf_interceptor_add_on_conf_dup(conf, "ic", ic_conf_dup, &s), 0);
    CHECK_EQ(rd_kafka_conf_set(conf, "myic.level", "3", errstr, sizeof errstr), RD_KAFKA_CONF_OK);
    CHECK_EQ(rd_kafka_conf_set(conf, "client.id", "dupme", errstr, sizeof errstr),
             RD_KAFKA_CONF_OK);
    s.conf_set = s.conf_set_claimed = 0;
    rd_kafka_conf_t *d = rd_kafka_conf_dup(conf);
    CHECK(d != NULL);
    CHECK_EQ(s.conf_dup, 1);
    CHECK(s.dup_old == conf);
    CHECK_EQ((int)s.dup_filter_cnt, 0);
    /* the claimed property went to the copy's interceptor */
    CHECK_EQ(s.conf_set_claimed, 1);
    CHECK_STR(s.last_name, "myic.level");
    CHECK_STR(s.last_val, "3");
    char v[64];
    size_t vs = sizeof v;
    CHECK_EQ(rd_kafka_conf_get(d, "client.id", v, &vs), RD_KAFKA_CONF_OK);
    CHECK_STR(v, "dupme");
    /* the copy has the interceptor (re-added by on_conf_dup) */
    CHECK_EQ(rd_kafka_conf_set(d, "myic.other", "1", errstr, sizeof errstr), RD_KAFKA_CONF_OK);
    CHECK_EQ(s.conf_set_claimed, 2);
    /* a filtered dup leaves the claimed property out */
    const char *filter[] = {"myic."};
    rd_kafka_conf_t *f = rd_kafka_conf_dup_filter(conf, 1, filter);
    CHECK_EQ(s.conf_dup, 2);
    CHECK_EQ((int)s.dup_filter_cnt, 1);
    CHECK_EQ(s.conf_set_claimed, 2);
    rd_kafka_conf_destroy(f);
    rd_kafka_conf_destroy(d);
    rd_kafka_conf_destroy(conf);

    /* without on_conf_dup, a copy has no interceptors */
    seen t = {0};
    conf = rd_kafka_conf_new();
    CHECK_EQ(rd_kafka_conf_interceptor_add_on_conf_set(conf, "ic", ic_conf_set, &t), 0);
    d = rd_kafka_conf_dup(conf);
    CHECK_EQ(rd_kafka_conf_set(d, "myic.level", "3", errstr, sizeof errstr),
             RD_KAFKA_CONF_UNKNOWN);
    CHECK_EQ(t.conf_set, 0);
    rd_kafka_conf_destroy(d);
    rd_kafka_conf_destroy(conf);
}

/* A producer without brokers: messages wait, then time out. */
static rd_kafka_t *producer(seen *s, const char *timeout_ms) {
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "message.timeout.ms", timeout_ms, errstr, sizeof errstr);
    rd_kafka_conf_set_opaque(conf, s);
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_conf_set_log_cb(conf, log_cb);
    CHECK_EQ(rd_kafka_conf_interceptor_add_on_new(conf, "ic", ic_new, s), 0);
    CHECK_EQ(rd_kafka_conf_interceptor_add_on_conf_destroy(conf, "ic", ic_conf_destroy, s), 0);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    CHECK(rk != NULL);
    return rk;
}

TEST(on_new_adds_the_handles_methods_and_on_destroy_ends_them) {
    seen s = {0};
    rd_kafka_t *rk = producer(&s, "100");
    CHECK_EQ(s.on_new, 1);
    CHECK(s.new_rk == rk);
    CHECK(s.new_conf != NULL);
    CHECK_EQ(s.add_again, RD_KAFKA_RESP_ERR__CONFLICT);
    /* later additions: refused, the handle is in use */
    CHECK_EQ(rd_kafka_interceptor_add_on_consume(rk, "late", NULL, &s),
             RD_KAFKA_RESP_ERR__STATE);
    rd_kafka_destroy(rk);
    CHECK_EQ(s.on_destroy, 1);
    /* the conf goes with the handle, after on_destroy */
    CHECK_EQ(s.conf_destroy, 1);
    CHECK(s.destroy_seq < s.conf_destroy_seq);
}

TEST(send_then_acknowledgement_before_the_report) {
    seen s = {0};
    rd_kafka_t *rk = producer(&s, "100");
    int op = 42;
    CHECK_EQ(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC("ic-topic"), RD_KAFKA_V_VALUE("v1", 2),
                               RD_KAFKA_V_KEY("k1", 2), RD_KAFKA_V_OPAQUE(&op),
                               RD_KAFKA_V_HEADER("h1", "hv", 2), RD_KAFKA_V_TIMESTAMP(1234),
                               RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
             0);
    CHECK_EQ(s.send, 1);
    CHECK_EQ(s.ack, 0);
    CHECK_STR(s.send_topic, "ic-topic");
    CHECK_EQ(s.send_part, RD_KAFKA_PARTITION_UA);
    CHECK_EQ(s.send_off, RD_KAFKA_OFFSET_INVALID);
    CHECK(s.send_opaque == &op);
    CHECK_EQ(s.send_ts, 1234);
    CHECK_STR(s.send_payload, "v1");
    CHECK_STR(s.send_key, "k1");
    CHECK_STR(s.send_hdr, "hv");
    CHECK_EQ(rd_kafka_flush(rk, 5000), 0);
    CHECK_EQ(s.ack, 1);
    CHECK_EQ(s.dr, 1);
    CHECK(s.send_seq < s.ack_seq && s.ack_seq < s.dr_seq);
    CHECK_EQ(s.ack_err, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT);
    CHECK(s.ack_opaque == &op);
    CHECK_STR(s.ack_topic, "ic-topic");
    CHECK_EQ(s.ack_status, RD_KAFKA_MSG_STATUS_NOT_PERSISTED);
    rd_kafka_destroy(rk);
    CHECK_EQ(s.send, 1);
    CHECK_EQ(s.ack, 1);
}

TEST(a_message_failing_at_produce_is_acknowledged_with_its_error) {
    seen s = {0};
    rd_kafka_t *rk = producer(&s, "100");
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, "ic-topic", NULL);
    CHECK_EQ(rd_kafka_produce(rkt, -7, RD_KAFKA_MSG_F_COPY, "v", 1, NULL, 0, NULL), -1);
    CHECK_EQ(rd_kafka_last_error(), RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION);
    CHECK_EQ(s.send, 1);
    CHECK_EQ(s.send_part, -7);
    CHECK_EQ(s.ack, 1);
    CHECK_EQ(s.ack_err, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION);
    CHECK_EQ(s.dr, 0);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
}

TEST(a_message_destroyed_unsent_is_acknowledged_before_on_destroy) {
    seen s = {0};
    rd_kafka_t *rk = producer(&s, "600000");
    CHECK_EQ(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC("ic-topic"), RD_KAFKA_V_VALUE("v", 1),
                               RD_KAFKA_V_END),
             0);
    rd_kafka_destroy(rk);
    CHECK_EQ(s.ack, 1);
    CHECK_EQ(s.ack_err, RD_KAFKA_RESP_ERR__DESTROY);
    CHECK_EQ(s.dr, 0);
    CHECK(s.ack_seq < s.destroy_seq);
}

TEST(an_interceptor_error_is_logged_and_changes_nothing) {
    seen s = {.send_ret = RD_KAFKA_RESP_ERR__BAD_MSG};
    rd_kafka_t *rk = producer(&s, "600000");
    CHECK_EQ(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC("ic-topic"), RD_KAFKA_V_VALUE("v", 1),
                               RD_KAFKA_V_END),
             0);
    CHECK_EQ(s.send, 1);
    CHECK_EQ(rd_kafka_outq_len(rk), 1);
    CHECK_STR(s.log, "Interceptor ic failed on_send for message on ic-topic [-1] @ -1001: "
                     "Local: Bad message format");
    rd_kafka_destroy(rk);
}

TEST(a_failed_rd_kafka_new_calls_on_destroy_and_leaves_the_conf_reusable) {
    seen s = {0};
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    CHECK_EQ(rd_kafka_conf_interceptor_add_on_new(conf, "ic", ic_new, &s), 0);
    /* a CA file that is not there: the client cannot start (after on_new,
     * as librdkafka's SSL set-up) */
    rd_kafka_conf_set(conf, "bootstrap.servers", "127.0.0.1:9", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "security.protocol", "ssl", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "ssl.ca.location", "/nonexistent/ca.pem", errstr, sizeof errstr);
    CHECK(rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr) == NULL);
    CHECK_EQ(s.on_new, 1);
    CHECK_EQ(s.on_destroy, 1);
    /* what on_new added went with the handle: a second try adds it again */
    rd_kafka_conf_set(conf, "security.protocol", "plaintext", errstr, sizeof errstr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    CHECK(rk != NULL);
    CHECK_EQ(s.on_new, 2);
    CHECK_EQ(s.add_again, RD_KAFKA_RESP_ERR__CONFLICT);
    rd_kafka_destroy(rk);
    CHECK_EQ(s.on_destroy, 2);
}

TEST(interceptors_needing_kfk_internals_are_refused) {
    const rd_kafka_resp_err_t ni = RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
    CHECK_EQ(rd_kafka_interceptor_add_on_request_sent(NULL, "ic", NULL, NULL), ni);
    CHECK_EQ(rd_kafka_interceptor_add_on_response_received(NULL, "ic", NULL, NULL), ni);
    CHECK_EQ(rd_kafka_interceptor_add_on_thread_start(NULL, "ic", NULL, NULL), ni);
    CHECK_EQ(rd_kafka_interceptor_add_on_thread_exit(NULL, "ic", NULL, NULL), ni);
    CHECK_EQ(rd_kafka_interceptor_add_on_broker_state_change(NULL, "ic", NULL, NULL), ni);
}


typedef void(counts_fn)(int *inits, int *claimed, int *sends);

TEST(plugin_library_paths_loads_the_plugin_and_runs_its_conf_init) {
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    /* without its ".so": added as librdkafka does */
    char path[512];
    snprintf(path, sizeof path, "%s", RDK_TEST_PLUGIN);
    path[strlen(path) - 3] = '\0';
    CHECK_EQ(rd_kafka_conf_set(conf, "plugin.library.paths", path, errstr, sizeof errstr),
             RD_KAFKA_CONF_OK);
    void *self = dlopen(RDK_TEST_PLUGIN, RTLD_NOW | RTLD_NOLOAD);
    REQUIRE(self != NULL);
    counts_fn *counts;
    *(void **)&counts = dlsym(self, "testplugin_counts");
    REQUIRE(counts != NULL);
    int inits, claimed, sends;
    counts(&inits, &claimed, &sends);
    CHECK_EQ(inits, 1);
    /* its on_conf_set claims its properties */
    CHECK_EQ(rd_kafka_conf_set(conf, "testplugin.x", "1", errstr, sizeof errstr),
             RD_KAFKA_CONF_OK);
    counts(&inits, &claimed, &sends);
    CHECK_EQ(claimed, 1);
    /* a copy loads it again and gets its property back */
    rd_kafka_conf_t *d = rd_kafka_conf_dup(conf);
    counts(&inits, &claimed, &sends);
    CHECK_EQ(inits, 2);
    CHECK_EQ(claimed, 2);
    char v[512];
    size_t vs = sizeof v;
    CHECK_EQ(rd_kafka_conf_get(d, "plugin.library.paths", v, &vs), RD_KAFKA_CONF_OK);
    CHECK_STR(v, path);
    rd_kafka_conf_destroy(d);
    /* its on_new adds on_send */
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    REQUIRE(rk != NULL);
    CHECK_EQ(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC("t"), RD_KAFKA_V_VALUE("v", 1),
                               RD_KAFKA_V_END),
             0);
    counts(&inits, &claimed, &sends);
    CHECK_EQ(sends, 1);
    rd_kafka_destroy(rk);
    dlclose(self);

    /* a library that is not there, and one without conf_init */
    conf = rd_kafka_conf_new();
    CHECK_EQ(rd_kafka_conf_set(conf, "plugin.library.paths", "/nonexistent/plug", errstr,
                               sizeof errstr),
             RD_KAFKA_CONF_INVALID);
    CHECK(strncmp(errstr, "dlopen() failed: ", 17) == 0);
    CHECK(strstr(errstr, " (plugin /nonexistent/plug)") != NULL);
    CHECK_EQ(rd_kafka_conf_set(conf, "plugin.library.paths", "libm.so.6", errstr, sizeof errstr),
             RD_KAFKA_CONF_INVALID);
    CHECK(strncmp(errstr, "Failed to load symbol \"conf_init\": ", 35) == 0);
    rd_kafka_conf_destroy(conf);
}
