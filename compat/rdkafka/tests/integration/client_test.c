/* librdkafka's producer and consumer calls on the layer, against the real
 * broker (KFK_BOOTSTRAP): what kcat does not exercise. Delivery reports
 * with key, value, opaque and offset; headers and timestamps read back;
 * commit and committed; positions and watermarks on both handle types;
 * seek; the group listing; transactions seen by read_committed; the group
 * metadata's serialized form. Handles created without bootstrap.servers,
 * per-topic acks, rebalances as events. */
#include <librdkafka/rdkafka.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

static const char *bootstrap(void) {
    const char *b = getenv("KFK_BOOTSTRAP");
    return b ? b : "127.0.0.1:29092";
}

static void unique(char *out, size_t n, const char *what) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    snprintf(out, n, "rdk-%s-%d-%ld", what, (int)getpid(), (long)t.tv_nsec);
}

static rd_kafka_t *client(rd_kafka_type_t type, const char *const *kv) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char err[512];
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap(), err, sizeof err);
    for (; kv && kv[0]; kv += 2)
        if (rd_kafka_conf_set(conf, kv[0], kv[1], err, sizeof err) != RD_KAFKA_CONF_OK) {
            kfk_test_fail(__FILE__, __LINE__, "%s=%s: %s", kv[0], kv[1], err);
            rd_kafka_conf_destroy(conf);
            return NULL;
        }
    return rd_kafka_new(type, conf, err, sizeof err);
}

typedef struct reports {
    int n, errors;
    int64_t offsets[16];
    char values[16][16];
    char keys[16][16];
    void *opaques[16];
    int32_t brokers[16];
    int statuses[16];
} reports;

static void on_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    reports *r = rd_kafka_opaque(rk);
    if (m->err) r->errors++;
    if (r->n < 16) {
        r->offsets[r->n] = m->offset;
        snprintf(r->values[r->n], 16, "%.*s", (int)m->len, m->payload ? (char *)m->payload : "");
        snprintf(r->keys[r->n], 16, "%.*s", (int)m->key_len, m->key ? (char *)m->key : "");
        r->opaques[r->n] = m->_private;
        r->brokers[r->n] = rd_kafka_message_broker_id(m);
        r->statuses[r->n] = (int)rd_kafka_message_status(m);
    }
    r->n++;
}

static rd_kafka_t *producer(reports *r, const char *const *kv) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char err[512];
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap(), err, sizeof err);
    for (; kv && kv[0]; kv += 2) rd_kafka_conf_set(conf, kv[0], kv[1], err, sizeof err);
    rd_kafka_conf_set_dr_msg_cb(conf, on_dr);
    rd_kafka_conf_set_opaque(conf, r);
    return rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
}

/* Produces n messages "v<i>" with keys "k<i>" to partition 0. */
static void produce_n(rd_kafka_t *p, const char *topic, int n, reports *r) {
    for (int i = 0; i < n; i++) {
        char k[16], v[16];
        snprintf(k, sizeof k, "k%d", i);
        snprintf(v, sizeof v, "v%d", i);
        CHECK_EQ(rd_kafka_producev(p, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                                   RD_KAFKA_V_KEY(k, strlen(k)), RD_KAFKA_V_VALUE(v, strlen(v)),
                                   RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                   RD_KAFKA_V_HEADER("h", v, -1), RD_KAFKA_V_TIMESTAMP(1000 + i),
                                   RD_KAFKA_V_OPAQUE((void *)(intptr_t)(i + 1)), RD_KAFKA_V_END),
                 RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    CHECK_EQ(rd_kafka_flush(p, 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(r->n, n);
}

TEST(delivery_reports_carry_the_message) {
    char topic[96];
    unique(topic, sizeof topic, "dr");
    reports r = {0};
    rd_kafka_t *p = producer(&r, NULL);
    REQUIRE(p);
    produce_n(p, topic, 5, &r);
    CHECK_EQ(r.errors, 0);
    for (int i = 0; i < 5 && i < r.n; i++) {
        char want[16];
        CHECK_EQ(r.offsets[i], i);
        snprintf(want, sizeof want, "v%d", i);
        CHECK_STR(r.values[i], want);
        snprintf(want, sizeof want, "k%d", i);
        CHECK_STR(r.keys[i], want);
        CHECK(r.opaques[i] == (void *)(intptr_t)(i + 1));
        CHECK(r.brokers[i] >= 0); /* the leader it was written to */
    }
    CHECK_EQ(rd_kafka_outq_len(p), 0);
    rd_kafka_destroy(p);
}

TEST(consume_commit_committed_seek) {
    char topic[96], group[96];
    unique(topic, sizeof topic, "cc");
    unique(group, sizeof group, "g");
    reports r = {0};
    rd_kafka_t *p = producer(&r, NULL);
    REQUIRE(p);
    produce_n(p, topic, 6, &r);
    int64_t lo = -9, hi = -9;
    CHECK_EQ(rd_kafka_query_watermark_offsets(p, topic, 0, &lo, &hi, 10000), 0);
    CHECK_EQ(lo, 0);
    CHECK_EQ(hi, 6);
    rd_kafka_destroy(p);

    const char *kv[] = {"group.id", group, "enable.auto.commit", "false", NULL};
    rd_kafka_t *c = client(RD_KAFKA_CONSUMER, kv);
    REQUIRE(c);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    CHECK_EQ(rd_kafka_assign(c, l), 0);
    int got = 0;
    for (int tries = 0; got < 4 && tries < 100; tries++) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 200);
        if (!m) continue;
        if (!m->err) {
            char want[16];
            snprintf(want, sizeof want, "v%d", got);
            CHECK_EQ(m->offset, got);
            CHECK(m->len == strlen(want) && memcmp(m->payload, want, m->len) == 0);
            CHECK_STR(rd_kafka_topic_name(m->rkt), topic);
            rd_kafka_timestamp_type_t tt;
            CHECK_EQ(rd_kafka_message_timestamp(m, &tt), 1000 + got);
            CHECK_EQ(tt, RD_KAFKA_TIMESTAMP_CREATE_TIME);
            rd_kafka_headers_t *h = NULL;
            const void *hv;
            size_t hs;
            CHECK_EQ(rd_kafka_message_headers(m, &h), 0);
            CHECK(h && rd_kafka_header_get_last(h, "h", &hv, &hs) == 0 && hs == strlen(want) &&
                  memcmp(hv, want, hs) == 0);
            got++;
            if (got == 4) CHECK_EQ(rd_kafka_commit_message(c, m, 0), 0);
        }
        rd_kafka_message_destroy(m);
    }
    CHECK_EQ(got, 4);
    rd_kafka_topic_partition_list_t *q = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(q, topic, 0);
    CHECK_EQ(rd_kafka_committed(c, q, 10000), 0);
    CHECK_EQ(q->elems[0].offset, 4);
    CHECK_EQ(rd_kafka_position(c, q), 0);
    CHECK_EQ(q->elems[0].offset, 4);
    /* back to 1: the next message is v1 */
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(c, topic, NULL);
    CHECK_EQ(rd_kafka_seek(rkt, 0, 1, 5000), 0);
    rd_kafka_message_t *m = NULL;
    for (int tries = 0; !m && tries < 50; tries++) m = rd_kafka_consumer_poll(c, 200);
    REQUIRE(m);
    CHECK_EQ(m->err, 0);
    CHECK_EQ(m->offset, 1);
    rd_kafka_message_destroy(m);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_topic_partition_list_destroy(q);
    rd_kafka_topic_partition_list_destroy(l);
    CHECK_EQ(rd_kafka_consumer_close(c), 0);
    rd_kafka_destroy(c);
    CHECK_EQ(rd_kafka_wait_destroyed(5000), 0);
    CHECK_EQ(rd_kafka_thread_cnt(), 0);
}

static int reassigned;
static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque) {
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        reassigned += parts->cnt;
        rd_kafka_assign(rk, parts);
    } else {
        rd_kafka_assign(rk, NULL);
    }
}

TEST(subscribe_and_list_groups) {
    char topic[96], group[96];
    unique(topic, sizeof topic, "sub");
    unique(group, sizeof group, "gl");
    reports r = {0};
    rd_kafka_t *p = producer(&r, NULL);
    REQUIRE(p);
    produce_n(p, topic, 3, &r);
    rd_kafka_destroy(p);

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char err[512];
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap(), err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", group, err, sizeof err);
    rd_kafka_conf_set(conf, "auto.offset.reset", "smallest", err, sizeof err);
    rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    REQUIRE(c);
    rd_kafka_poll_set_consumer(c);
    rd_kafka_topic_partition_list_t *s = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(s, topic, RD_KAFKA_PARTITION_UA);
    CHECK_EQ(rd_kafka_subscribe(c, s), 0);
    int got = 0;
    for (int tries = 0; got < 3 && tries < 150; tries++) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 200);
        if (m && !m->err) got++;
        rd_kafka_message_destroy(m);
    }
    CHECK_EQ(got, 3);
    CHECK(reassigned >= 1);
    char *member = rd_kafka_memberid(c);
    CHECK(member && *member);

    const struct rd_kafka_group_list *gl = NULL;
    CHECK_EQ(rd_kafka_list_groups(c, group, &gl, 10000), 0);
    REQUIRE(gl);
    REQUIRE_EQ(gl->group_cnt, 1);
    CHECK_STR(gl->groups[0].group, group);
    CHECK_STR(gl->groups[0].state, "Stable");
    CHECK_STR(gl->groups[0].protocol_type, "consumer");
    REQUIRE_EQ(gl->groups[0].member_cnt, 1);
    CHECK_STR(gl->groups[0].members[0].member_id, member);
    CHECK(gl->groups[0].members[0].member_assignment_size > 0);
    rd_kafka_group_list_destroy(gl);
    rd_kafka_mem_free(c, member);

    rd_kafka_consumer_group_metadata_t *gm = rd_kafka_consumer_group_metadata(c);
    REQUIRE(gm);
    void *buf;
    size_t size;
    rd_kafka_error_t *e = rd_kafka_consumer_group_metadata_write(gm, &buf, &size);
    CHECK(!e);
    rd_kafka_consumer_group_metadata_t *back = NULL;
    e = rd_kafka_consumer_group_metadata_read(&back, buf, size);
    CHECK(!e && back);
    rd_kafka_consumer_group_metadata_destroy(back);
    e = rd_kafka_consumer_group_metadata_read(&back, buf, size - 1);
    CHECK(e && rd_kafka_error_code(e) == RD_KAFKA_RESP_ERR__BAD_MSG);
    rd_kafka_error_destroy(e);
    free(buf);
    rd_kafka_consumer_group_metadata_destroy(gm);
    rd_kafka_topic_partition_list_destroy(s);
    CHECK_EQ(rd_kafka_consumer_close(c), 0);
    rd_kafka_destroy(c);
}

static int count_committed(const char *topic) {
    const char *kv[] = {"isolation.level", "read_committed", NULL};
    rd_kafka_t *c = client(RD_KAFKA_CONSUMER, kv);
    if (!c) return -1;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(c, l);
    int got = 0, idle = 0;
    while (idle < 10) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 200);
        if (!m) {
            idle++;
            continue;
        }
        if (!m->err) got++;
        rd_kafka_message_destroy(m);
    }
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_destroy(c);
    return got;
}

TEST(transactions_commit_and_abort) {
    char topic[96], txid[96];
    unique(topic, sizeof topic, "tx");
    unique(txid, sizeof txid, "txid");
    reports r = {0};
    const char *kv[] = {"transactional.id", txid, NULL};
    rd_kafka_t *p = producer(&r, kv);
    REQUIRE(p);
    rd_kafka_error_t *e = rd_kafka_init_transactions(p, 30000);
    REQUIRE(!e);
    CHECK(!rd_kafka_begin_transaction(p));
    produce_n(p, topic, 0, &r);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(rd_kafka_producev(p, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                                   RD_KAFKA_V_VALUE("c", 1), RD_KAFKA_V_END),
                 0);
    CHECK(!rd_kafka_commit_transaction(p, 30000));
    CHECK(!rd_kafka_begin_transaction(p));
    for (int i = 0; i < 2; i++)
        CHECK_EQ(rd_kafka_producev(p, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                                   RD_KAFKA_V_VALUE("a", 1), RD_KAFKA_V_END),
                 0);
    CHECK(!rd_kafka_abort_transaction(p, 30000));
    rd_kafka_poll(p, 0);
    CHECK_EQ(r.n, 5);
    CHECK_EQ(r.errors, 2); /* the aborted ones */
    e = rd_kafka_commit_transaction(p, 1000); /* none begun */
    CHECK(e && rd_kafka_error_code(e) == RD_KAFKA_RESP_ERR__STATE);
    rd_kafka_error_destroy(e);
    rd_kafka_destroy(p);
    CHECK_EQ(count_committed(topic), 3);

    rd_kafka_t *plain = client(RD_KAFKA_PRODUCER, NULL);
    e = rd_kafka_begin_transaction(plain);
    CHECK(e && rd_kafka_error_code(e) == RD_KAFKA_RESP_ERR__NOT_CONFIGURED);
    rd_kafka_error_destroy(e);
    rd_kafka_destroy(plain);
}

/* Reports as events (confluent-kafka-go's way): DR events on the main
 * queue, each message with its offset and opaque, without rd_kafka_poll. */
TEST(delivery_reports_as_events) {
    char topic[96];
    unique(topic, sizeof topic, "ev");
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char err[512];
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap(), err, sizeof err);
    rd_kafka_conf_set_events(conf, RD_KAFKA_EVENT_DR);
    rd_kafka_t *p = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    REQUIRE(p);
    for (int i = 0; i < 300; i++) {
        char *v = malloc(16);
        snprintf(v, 16, "e%d", i);
        CHECK_EQ(rd_kafka_producev(p, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                                   RD_KAFKA_V_VALUE(v, strlen(v)),
                                   RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_FREE),
                                   RD_KAFKA_V_OPAQUE((void *)(intptr_t)(i + 1)), RD_KAFKA_V_END),
                 0);
    }
    rd_kafka_queue_t *q = rd_kafka_queue_get_main(p);
    int seen = 0, in_order = 1, errors = 0;
    for (int tries = 0; seen < 300 && tries < 300; tries++) {
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 100);
        if (!ev) continue;
        if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_DR) {
            const rd_kafka_message_t *m;
            while ((m = rd_kafka_event_message_next(ev)) != NULL) {
                if (m->err) errors++;
                char want[16];
                snprintf(want, sizeof want, "e%d", seen);
                if (m->offset != seen || m->_private != (void *)(intptr_t)(seen + 1) ||
                    m->len != strlen(want) || memcmp(m->payload, want, m->len) != 0)
                    in_order = 0;
                seen++;
            }
        }
        rd_kafka_event_destroy(ev);
    }
    CHECK_EQ(seen, 300);
    CHECK_EQ(errors, 0);
    CHECK(in_order);
    CHECK_EQ(rd_kafka_flush(p, 1000), 0);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(p);
    CHECK_EQ(rd_kafka_thread_cnt(), 0);
}

/* The event-API consumer (confluent-kafka-go's way): messages as FETCH
 * events from rd_kafka_queue_poll on the consumer queue. */
TEST(consume_as_events) {
    char topic[96], group[96];
    unique(topic, sizeof topic, "fe");
    unique(group, sizeof group, "gfe");
    reports r = {0};
    rd_kafka_t *p = producer(&r, NULL);
    REQUIRE(p);
    produce_n(p, topic, 5, &r);
    rd_kafka_destroy(p);

    const char *kv[] = {"group.id", group, NULL};
    rd_kafka_t *c = client(RD_KAFKA_CONSUMER, kv);
    REQUIRE(c);
    CHECK_EQ(rd_kafka_poll_set_consumer(c), 0);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    CHECK_EQ(rd_kafka_assign(c, l), 0);
    rd_kafka_queue_t *q = rd_kafka_queue_get_consumer(c);
    REQUIRE(q);
    int got = 0;
    for (int tries = 0; got < 5 && tries < 100; tries++) {
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 200);
        if (!ev) continue;
        if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_FETCH) {
            const rd_kafka_message_t *m = rd_kafka_event_message_next(ev);
            REQUIRE(m);
            if (!m->err) {
                CHECK_EQ(m->offset, got);
                got++;
            }
        }
        rd_kafka_event_destroy(ev);
    }
    CHECK_EQ(got, 5);
    rd_kafka_queue_destroy(q);
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_destroy(c);
}

/* A producer without bootstrap.servers keeps its messages until
 * rd_kafka_brokers_add gives brokers, then sends them; more brokers later
 * are not taken. */
TEST(producer_brokers_added_later) {
    char topic[96];
    unique(topic, sizeof topic, "late");
    reports r = {0};
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char err[512];
    rd_kafka_conf_set_dr_msg_cb(conf, on_dr);
    rd_kafka_conf_set_opaque(conf, &r);
    rd_kafka_t *p = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    REQUIRE(p);
    for (int i = 0; i < 2; i++)
        CHECK_EQ(rd_kafka_producev(p, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                                   RD_KAFKA_V_VALUE("v", 1), RD_KAFKA_V_HEADER("h", "x", -1),
                                   RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
                 RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(rd_kafka_outq_len(p), 2);
    CHECK_EQ(rd_kafka_poll(p, 100), 0); /* nothing can be sent yet */
    CHECK_EQ(rd_kafka_brokers_add(p, bootstrap()), 1);
    CHECK_EQ(rd_kafka_brokers_add(p, bootstrap()), 0);
    CHECK_EQ(rd_kafka_flush(p, 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(r.n, 2);
    CHECK_EQ(r.errors, 0);
    CHECK_EQ(r.offsets[0], 0);
    CHECK_EQ(r.offsets[1], 1);
    rd_kafka_destroy(p);
}

/* Without brokers, messages time out after message.timeout.ms, never sent. */
TEST(producer_without_brokers_times_out) {
    reports r = {0};
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char err[512];
    CHECK_EQ(rd_kafka_conf_set(conf, "message.timeout.ms", "50", err, sizeof err), RD_KAFKA_CONF_OK);
    CHECK_EQ(rd_kafka_conf_set(conf, "message.max.bytes", "1000", err, sizeof err), RD_KAFKA_CONF_OK);
    rd_kafka_conf_set_dr_msg_cb(conf, on_dr);
    rd_kafka_conf_set_opaque(conf, &r);
    rd_kafka_t *p = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    REQUIRE(p);
    static char big[2000];
    CHECK_EQ(rd_kafka_producev(p, RD_KAFKA_V_TOPIC("t"), RD_KAFKA_V_VALUE(big, sizeof big),
                               RD_KAFKA_V_END),
             RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
    CHECK_EQ(rd_kafka_producev(p, RD_KAFKA_V_TOPIC("t"), RD_KAFKA_V_VALUE("v", 1), RD_KAFKA_V_END),
             RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(rd_kafka_flush(p, 5000), RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(r.n, 1);
    CHECK_EQ(r.errors, 1);
    CHECK_EQ(r.statuses[0], RD_KAFKA_MSG_STATUS_NOT_PERSISTED);
    CHECK_EQ(rd_kafka_outq_len(p), 0);
    rd_kafka_destroy(p);
}

/* A consumer's subscription made before it has brokers is followed once
 * rd_kafka_brokers_add gives some. */
TEST(consumer_subscribes_before_brokers) {
    char topic[96], group[96];
    unique(topic, sizeof topic, "cl");
    unique(group, sizeof group, "gcl");
    reports r = {0};
    rd_kafka_t *p = producer(&r, NULL);
    REQUIRE(p);
    produce_n(p, topic, 3, &r);
    rd_kafka_destroy(p);

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char err[512];
    rd_kafka_conf_set(conf, "group.id", group, err, sizeof err);
    rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof err);
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    REQUIRE(c);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, "^a[b", RD_KAFKA_PARTITION_UA);
    CHECK_EQ(rd_kafka_subscribe(c, l), RD_KAFKA_RESP_ERR__INVALID_ARG);
    rd_kafka_topic_partition_list_destroy(l);
    l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, RD_KAFKA_PARTITION_UA);
    CHECK_EQ(rd_kafka_subscribe(c, l), 0);
    CHECK(rd_kafka_consumer_poll(c, 100) == NULL);
    CHECK_EQ(rd_kafka_brokers_add(c, bootstrap()), 1);
    int got = 0;
    for (int tries = 0; got < 3 && tries < 150; tries++) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 200);
        if (!m) continue;
        if (!m->err) got++;
        rd_kafka_message_destroy(m);
    }
    CHECK_EQ(got, 3);
    CHECK_EQ(rd_kafka_consumer_close(c), 0);
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_destroy(c);
}

/* request.required.acks of a topic, not of the handle: acks=0 reports
 * POSSIBLY_PERSISTED, the handle's acks=all PERSISTED. */
TEST(per_topic_acks) {
    char t0[96], t1[96];
    unique(t0, sizeof t0, "acks0");
    unique(t1, sizeof t1, "acksall");
    reports r = {0};
    rd_kafka_t *p = producer(&r, NULL);
    REQUIRE(p);
    rd_kafka_topic_conf_t *tc = rd_kafka_topic_conf_new();
    char err[512];
    CHECK_EQ(rd_kafka_topic_conf_set(tc, "request.required.acks", "0", err, sizeof err),
             RD_KAFKA_CONF_OK);
    rd_kafka_topic_t *k0 = rd_kafka_topic_new(p, t0, tc);
    rd_kafka_topic_t *k1 = rd_kafka_topic_new(p, t1, NULL);
    REQUIRE(k0 && k1);
    CHECK_EQ(rd_kafka_produce(k0, 0, RD_KAFKA_MSG_F_COPY, "a", 1, NULL, 0, NULL), 0);
    CHECK_EQ(rd_kafka_flush(p, 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(rd_kafka_produce(k1, 0, RD_KAFKA_MSG_F_COPY, "b", 1, NULL, 0, NULL), 0);
    CHECK_EQ(rd_kafka_flush(p, 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK_EQ(r.n, 2);
    CHECK_EQ(r.errors, 0);
    CHECK_EQ(r.statuses[0], RD_KAFKA_MSG_STATUS_POSSIBLY_PERSISTED);
    CHECK_EQ(r.statuses[1], RD_KAFKA_MSG_STATUS_PERSISTED);
    CHECK_EQ(r.offsets[1], 0);
    rd_kafka_topic_destroy(k0);
    rd_kafka_topic_destroy(k1);
    rd_kafka_destroy(p);
}

static int revokes;
static void count_revoke(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque) {
    (void)opaque;
    if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
        revokes++;
        rd_kafka_assign(rk, NULL);
    } else {
        rd_kafka_assign(rk, parts);
    }
}

/* With RD_KAFKA_EVENT_REBALANCE enabled, rebalances are events on the
 * consumer queue, assigned by the application; unsubscribe's revoke comes
 * from the next poll (to rebalance_cb when one is set), as librdkafka's. */
TEST(rebalance_events_and_unsubscribe) {
    char topic[96], group[96];
    unique(topic, sizeof topic, "rbe");
    unique(group, sizeof group, "grbe");
    reports r = {0};
    rd_kafka_t *p = producer(&r, NULL);
    REQUIRE(p);
    produce_n(p, topic, 2, &r);
    rd_kafka_destroy(p);

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char err[512];
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap(), err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", group, err, sizeof err);
    rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof err);
    rd_kafka_conf_set_events(conf, RD_KAFKA_EVENT_REBALANCE);
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    REQUIRE(c);
    rd_kafka_queue_t *q = rd_kafka_queue_get_consumer(c);
    REQUIRE(q);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, RD_KAFKA_PARTITION_UA);
    CHECK_EQ(rd_kafka_subscribe(c, l), 0);
    int assigned = 0, got = 0;
    for (int tries = 0; got < 2 && tries < 150; tries++) {
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 200);
        if (!ev) continue;
        if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_REBALANCE &&
            rd_kafka_event_error(ev) == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
            CHECK_EQ(got, 0);
            CHECK_EQ(rd_kafka_assign(c, rd_kafka_event_topic_partition_list(ev)), 0);
            assigned++;
        } else if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_FETCH) {
            const rd_kafka_message_t *m = rd_kafka_event_message_next(ev);
            if (m && !m->err) got++;
        }
        rd_kafka_event_destroy(ev);
    }
    CHECK_EQ(assigned, 1);
    CHECK_EQ(got, 2);
    CHECK_EQ(rd_kafka_unsubscribe(c), 0);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 1000);
    REQUIRE(ev);
    CHECK_EQ(rd_kafka_event_type(ev), RD_KAFKA_EVENT_REBALANCE);
    CHECK_EQ(rd_kafka_event_error(ev), RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS);
    CHECK_EQ(rd_kafka_assign(c, NULL), 0);
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_topic_partition_list_destroy(l);
    CHECK_EQ(rd_kafka_consumer_close(c), 0);
    rd_kafka_destroy(c);

    /* the callback way: revoke at the poll after unsubscribe, not inside it */
    conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap(), err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", group, err, sizeof err);
    rd_kafka_conf_set_rebalance_cb(conf, count_revoke);
    c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    REQUIRE(c);
    l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, RD_KAFKA_PARTITION_UA);
    CHECK_EQ(rd_kafka_subscribe(c, l), 0);
    rd_kafka_topic_partition_list_t *a = NULL;
    for (int tries = 0; tries < 150; tries++) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 200);
        if (m) rd_kafka_message_destroy(m);
        CHECK_EQ(rd_kafka_assignment(c, &a), 0);
        int n = a ? a->cnt : 0;
        rd_kafka_topic_partition_list_destroy(a);
        if (n) break;
    }
    revokes = 0;
    CHECK_EQ(rd_kafka_unsubscribe(c), 0);
    CHECK_EQ(revokes, 0);
    rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 100);
    if (m) rd_kafka_message_destroy(m);
    CHECK_EQ(revokes, 1);
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_destroy(c);
}
