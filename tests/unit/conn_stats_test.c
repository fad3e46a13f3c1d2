/* Statistics: the JSON writer (parsed back), and the sample windows. */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "jsonq.h"
#include "kfk.h"
#include "net/conn_stats.h"
#include "test.h"

static kfk_stats_broker broker(void) {
    kfk_stats_broker b = {.name = "localhost:9092/1", .nodeid = 1, .nodename = "localhost:9092",
                          .source = "learned", .state = "UP", .stateage = 1234, .tx = 10,
                          .txbytes = 1000, .rx = 9, .rxbytes = 900, .connects = 1,
                          .req_timeouts = 2, .txretries = 3, .rxcorriderrs = 1,
                          .outbuf_msg_cnt = 40, .waitresp_msg_cnt = 60, .outbuf_cnt = 2,
                          .waitresp_cnt = 4};
    b.req[0] = 7;  /* Produce */
    b.req[3] = 2;  /* Metadata */
    b.req[18] = 1; /* ApiVersions */
    b.rtt = (kfk_stats_window){.min = 100, .max = 900, .avg = 300, .sum = 2700, .cnt = 9,
                               .p50 = 250, .p99 = 900, .p99_99 = 900};
    return b;
}

TEST(producer_document_parses_back) {
    kfk_stats_broker b[2] = {broker(), broker()};
    b[1].name = "weird \"host\"\\\n\x01:1/bootstrap";
    b[1].nodeid = -1;
    kfk_stats_partition parts[3] = {
        {.topic = "t1", .partition = 0, .leader = 1, .broker = 1, .msgq_cnt = 5, .msgq_bytes = 500,
         .txmsgs = 100, .txbytes = 10000, .next_ack_seq = 100, .next_err_seq = 120, .msgs = 105,
         .acked_msgid = 100, .txretry_msgs = 7, .txerr_msgs = 3},
        {.topic = "t1", .partition = 1, .leader = 1, .txmsgs = 50, .txbytes = 5000},
        {.topic = "t\"2", .partition = 0, .leader = -1, .unknown = 0},
    };
    kfk_stats_eos eos = {.idemp_state = "Assigned", .producer_id = 4000, .producer_epoch = 3,
                         .epoch_cnt = 1, .idemp_stateage = 1500, .txn_stateage = 5000};
    kfk_stats_topic topics[2] = {
        {.topic = "t\"2", .age = 5, .metadata_age = -1},
        {.topic = "t1", .age = 4000, .metadata_age = 250,
         .batchsize = {.min = 100, .max = 9000, .sum = 15000, .cnt = 3},
         .batchcnt = {.min = 1, .max = 100, .sum = 150, .cnt = 3}}};
    kfk_stats s = {.name = "kfk#producer-1", .client_id = "kfk", .type = "producer",
                   .topics = topics, .ntopics = 2,
                   .ts = 123456789, .time = 1700000000, .age = 5000000, .msg_cnt = 5,
                   .msg_size = 500, .msg_size_max = 33554432, .tx = 20, .txmsgs = 150,
                   .txmsg_bytes = 15000, .brokers = b, .nbrokers = 2, .partitions = parts,
                   .npartitions = 3, .eos = &eos, .batches_retried = 4};
    size_t len = 0;
    char *j = kfk_stats_json(&s, &len);
    REQUIRE(j);
    CHECK_EQ(len, strlen(j));
    CHECK(jq_valid(j));
    CHECK(jq_str_is(j, "name", "kfk#producer-1"));
    CHECK(jq_str_is(j, "type", "producer"));
    CHECK_EQ(jq_int(j, "ts", -9), 123456789);
    CHECK_EQ(jq_int(j, "txmsgs", -9), 150);
    CHECK_EQ(jq_int(j, "msg_size_max", -9), 33554432);
    CHECK_EQ(jq_int(j, "topics/t1/partitions/0/txmsgs", -9), 100);
    CHECK_EQ(jq_int(j, "topics/t1/partitions/1/txbytes", -9), 5000);
    CHECK_EQ(jq_int(j, "topics/t1/partitions/0/broker", -9), 1);
    CHECK_EQ(jq_int(j, "topics/t1/partitions/0/next_ack_seq", -9), 100);
    CHECK_EQ(jq_int(j, "topics/t1/partitions/0/msgs_inflight", -9), 0);
    CHECK_EQ(jq_int(j, "topics/t1/partitions/0/msgs", -9), 105);
    CHECK_EQ(jq_int(j, "topics/t1/partitions/0/acked_msgid", -9), 100);
    CHECK_EQ(jq_int(j, "topics/t1/partitions/0/next_err_seq", -9), 120);
    CHECK_EQ(jq_int(j, "topics/t1/partitions/0/txretry_msgs", -9), 7);
    CHECK_EQ(jq_int(j, "topics/t1/partitions/0/txerr_msgs", -9), 3);
    CHECK(jq_get(j, "topics/t1/partitions/0/committed_leader_epoch") == NULL);
    CHECK(!strncmp(jq_get(j, "topics/t\"2/partitions/0/unknown"), "false", 5));
    CHECK_EQ(jq_int(j, "topics/t\"2/partitions/0/leader", -9), -1);
    CHECK(jq_str_is(j, "topics/t\"2/topic", "t\"2"));
    CHECK_EQ(jq_int(j, "topics/t1/age", -9), 4000);
    CHECK_EQ(jq_int(j, "topics/t1/metadata_age", -9), 250);
    CHECK_EQ(jq_int(j, "topics/t1/batchsize/sum", -9), 15000);
    CHECK_EQ(jq_int(j, "topics/t1/batchcnt/max", -9), 100);
    CHECK_EQ(jq_int(j, "topics/t\"2/metadata_age", -9), -1);
    CHECK_EQ(jq_int(j, "topics/t\"2/batchcnt/cnt", -9), 0);
    /* consumer fields are not in a producer's partitions */
    CHECK(jq_get(j, "topics/t1/partitions/0/consumer_lag") == NULL);
    CHECK(jq_get(j, "cgrp") == NULL);
    CHECK(jq_str_is(j, "eos/idemp_state", "Assigned"));
    CHECK_EQ(jq_int(j, "eos/producer_id", -9), 4000);
    CHECK_EQ(jq_int(j, "eos/idemp_stateage", -9), 1500);
    /* not transactional: Init since creation, as librdkafka */
    CHECK(jq_str_is(j, "eos/txn_state", "Init"));
    CHECK_EQ(jq_int(j, "eos/txn_stateage", -9), 5000);
    CHECK_EQ(jq_int(j, "kfk/batches_retried", -9), 4);
    CHECK(jq_get(j, "kfk/fetch_requests") == NULL);
    CHECK(jq_get(j, "kfk/poll_idle_ratio") == NULL);
    kfk_free_buf(j);
}

/* A producer that is not idempotent has no sequences to show. */
TEST(producer_without_idempotence_no_sequences) {
    kfk_stats_partition part = {.topic = "t", .partition = 0, .msgs = 3, .acked_msgid = 2,
                                .next_err_seq = 0};
    kfk_stats_eos eos = {.txn_stateage = 10};
    kfk_stats s = {.name = "p", .client_id = "p", .type = "producer", .partitions = &part,
                   .npartitions = 1, .eos = &eos};
    char *j = kfk_stats_json(&s, NULL);
    REQUIRE(j);
    CHECK(jq_valid(j));
    CHECK_EQ(jq_int(j, "topics/t/partitions/0/msgs", -9), 3);
    CHECK_EQ(jq_int(j, "topics/t/partitions/0/acked_msgid", -9), 2);
    CHECK(jq_get(j, "topics/t/partitions/0/next_ack_seq") == NULL);
    CHECK(jq_get(j, "topics/t/partitions/0/next_err_seq") == NULL);
    CHECK(jq_str_is(j, "eos/idemp_state", "Init"));
    CHECK_EQ(jq_int(j, "eos/txn_stateage", -9), 10);
    kfk_free_buf(j);
}

/* toppars: the partitions whose broker (produced to or fetched from) is
 * this one, keyed topic-partition; a bootstrap connection has none. */
TEST(broker_toppars_and_idle) {
    kfk_stats_broker b[2] = {broker(), broker()};
    b[0].name = "b1";
    b[0].txidle = 1500;
    b[0].rxidle = -1;
    b[0].rxpartial = 4;
    b[1].name = "boot";
    b[1].nodeid = -1;
    kfk_stats_partition parts[4] = {
        {.topic = "a", .partition = 0, .broker = 1, .leader = 1},
        {.topic = "a", .partition = 1, .broker = 2, .leader = 2},
        {.topic = "b.c", .partition = 7, .broker = 1, .leader = 2}, /* a read replica */
        {.topic = "d", .partition = 0, .broker = -1, .leader = -1},
    };
    kfk_stats s = {.name = "c", .client_id = "c", .type = "consumer", .brokers = b,
                   .nbrokers = 2, .partitions = parts, .npartitions = 4};
    char *j = kfk_stats_json(&s, NULL);
    REQUIRE(j);
    CHECK(jq_valid(j));
    CHECK(jq_str_is(j, "brokers/b1/toppars/a-0/topic", "a"));
    CHECK_EQ(jq_int(j, "brokers/b1/toppars/a-0/partition", -9), 0);
    CHECK(jq_str_is(j, "brokers/b1/toppars/b.c-7/topic", "b.c"));
    CHECK_EQ(jq_int(j, "brokers/b1/toppars/b.c-7/partition", -9), 7);
    CHECK(jq_get(j, "brokers/b1/toppars/a-1") == NULL);
    CHECK(jq_get(j, "brokers/b1/toppars/d-0") == NULL);
    CHECK(!strncmp(jq_get(j, "brokers/boot/toppars"), "{}", 2));
    CHECK_EQ(jq_int(j, "brokers/b1/txidle", -9), 1500);
    CHECK_EQ(jq_int(j, "brokers/b1/rxidle", -9), -1);
    CHECK_EQ(jq_int(j, "brokers/b1/rxpartial", -9), 4);
    CHECK_EQ(jq_int(j, "brokers/boot/rxpartial", -9), 0);
    kfk_free_buf(j);
}

/* Broker names hold '/', which jq_get's paths split on: look them up by
 * walking from the brokers object. */
TEST(broker_fields_and_windows) {
    kfk_stats_broker b = broker();
    b.name = "b1";
    kfk_stats s = {.name = "x", .client_id = "x", .type = "admin", .brokers = &b, .nbrokers = 1};
    char *j = kfk_stats_json(&s, NULL);
    REQUIRE(j);
    CHECK(jq_valid(j));
    CHECK_EQ(jq_int(j, "brokers/b1/nodeid", -9), 1);
    CHECK(jq_str_is(j, "brokers/b1/state", "UP"));
    CHECK_EQ(jq_int(j, "brokers/b1/req/Produce", -9), 7);
    CHECK_EQ(jq_int(j, "brokers/b1/req/Metadata", -9), 2);
    CHECK_EQ(jq_int(j, "brokers/b1/req/ApiVersions", -9), 1);
    CHECK(jq_get(j, "brokers/b1/req/Fetch") == NULL); /* none sent: left out */
    CHECK_EQ(jq_int(j, "brokers/b1/rtt/p50", -9), 250);
    CHECK_EQ(jq_int(j, "brokers/b1/rtt/cnt", -9), 9);
    CHECK_EQ(jq_int(j, "brokers/b1/req_timeouts", -9), 2);
    CHECK_EQ(jq_int(j, "brokers/b1/txretries", -9), 3);
    CHECK_EQ(jq_int(j, "brokers/b1/rxcorriderrs", -9), 1);
    CHECK_EQ(jq_int(j, "brokers/b1/outbuf_msg_cnt", -9), 40);
    CHECK_EQ(jq_int(j, "brokers/b1/waitresp_msg_cnt", -9), 60);
    CHECK_EQ(jq_int(j, "brokers/b1/waitresp_cnt", -9), 4);
    CHECK(jq_get(j, "topics") != NULL);
    CHECK(jq_get(j, "eos") == NULL);
    kfk_free_buf(j);
}

TEST(consumer_document_parses_back) {
    kfk_stats_partition p = {.topic = "in", .partition = 3, .leader = 2, .broker = 5, .desired = 1,
                             .fetch_state = "active", .next_offset = 90, .app_offset = 80,
                             .query_offset = -2,
                             .stored_offset = 80, .committed_offset = 70, .lo_offset = 0,
                             .hi_offset = 100, .ls_offset = 100, .consumer_lag = 30,
                             .consumer_lag_stored = 20, .fetchq_cnt = 10, .fetchq_size = 1000,
                             .rxmsgs = 90, .rxbytes = 9000, .eof_offset = -1001,
                             .stored_leader_epoch = 4, .unknown = 1,
                             .committed_leader_epoch = 3, .rx_ver_drops = 6};
    kfk_stats_topic t = {.topic = "in", .age = 4200, .metadata_age = 300};
    kfk_stats_cgrp g = {.state = "up", .stateage = 2500, .join_state = "steady", .rebalance_cnt = 2,
                        .rebalance_reason = "subscribed topics changed",
                        .rebalance_age = 1000, .assignment_size = 1};
    kfk_stats s = {.name = "c", .client_id = "c", .type = "consumer", .rxmsgs = 90,
                   .partitions = &p, .npartitions = 1, .cgrp = &g, .fetch_requests = 12,
                   .topics = &t, .ntopics = 1,
                   .rebalance_latency = {.min = 2000, .max = 9000, .sum = 11000, .cnt = 2},
                   .rebalance_latency_total = 31000,
                   .connects = 3, .disconnects = 1, .polls = 40,
                   .poll_idle_ratio = {.avg = 750000, .max = 990000, .cnt = 40},
                   .fetch_latency = {.avg = 500, .max = 2000, .cnt = 11},
                   .commit_latency = {.avg = 3000, .max = 4000, .sum = 6000, .cnt = 2}};
    char *j = kfk_stats_json(&s, NULL);
    REQUIRE(j);
    CHECK(jq_valid(j));
    CHECK_EQ(jq_int(j, "topics/in/partitions/3/consumer_lag", -9), 30);
    CHECK_EQ(jq_int(j, "topics/in/partitions/3/consumer_lag_stored", -9), 20);
    CHECK_EQ(jq_int(j, "topics/in/partitions/3/hi_offset", -9), 100);
    CHECK_EQ(jq_int(j, "topics/in/partitions/3/msgs", -9), 90);
    CHECK_EQ(jq_int(j, "topics/in/partitions/3/broker", -9), 5); /* a read replica */
    CHECK_EQ(jq_int(j, "topics/in/partitions/3/leader", -9), 2);
    CHECK_EQ(jq_int(j, "topics/in/partitions/3/eof_offset", -9), -1001);
    CHECK_EQ(jq_int(j, "topics/in/partitions/3/query_offset", -9), -2);
    CHECK_EQ(jq_int(j, "topics/in/partitions/3/stored_leader_epoch", -9), 4);
    CHECK_EQ(jq_int(j, "topics/in/partitions/3/committed_leader_epoch", -9), 3);
    CHECK_EQ(jq_int(j, "topics/in/partitions/3/rx_ver_drops", -9), 6);
    CHECK(jq_get(j, "topics/in/partitions/3/acked_msgid") == NULL);
    CHECK_EQ(jq_int(j, "topics/in/age", -9), 4200);
    CHECK_EQ(jq_int(j, "topics/in/metadata_age", -9), 300);
    CHECK(jq_get(j, "topics/in/batchsize") == NULL);
    CHECK(!strncmp(jq_get(j, "topics/in/partitions/3/unknown"), "true", 4));
    CHECK(jq_str_is(j, "topics/in/partitions/3/fetch_state", "active"));
    CHECK(jq_get(j, "topics/in/partitions/3/txmsgs") == NULL);
    CHECK(!strncmp(jq_get(j, "topics/in/partitions/3/desired"), "true", 4));
    CHECK_EQ(jq_int(j, "cgrp/rebalance_cnt", -9), 2);
    CHECK_EQ(jq_int(j, "cgrp/stateage", -9), 2500);
    CHECK(jq_str_is(j, "cgrp/join_state", "steady"));
    CHECK(jq_str_is(j, "cgrp/rebalance_reason", "subscribed topics changed"));
    CHECK_EQ(jq_int(j, "kfk/fetch_requests", -9), 12);
    CHECK_EQ(jq_int(j, "kfk/connects", -9), 3);
    CHECK_EQ(jq_int(j, "kfk/disconnects", -9), 1);
    CHECK_EQ(jq_int(j, "kfk/polls", -9), 40);
    CHECK_EQ(jq_int(j, "kfk/poll_idle_ratio/avg", -9), 750000);
    CHECK_EQ(jq_int(j, "kfk/poll_idle_ratio/cnt", -9), 40);
    CHECK_EQ(jq_int(j, "kfk/fetch_latency/max", -9), 2000);
    CHECK_EQ(jq_int(j, "kfk/commit_latency/sum", -9), 6000);
    CHECK_EQ(jq_int(j, "kfk/commit_latency/cnt", -9), 2);
    CHECK_EQ(jq_int(j, "kfk/rebalance_latency/max", -9), 9000);
    CHECK_EQ(jq_int(j, "kfk/rebalance_latency/cnt", -9), 2);
    CHECK_EQ(jq_int(j, "kfk/rebalance_latency_total", -9), 31000);
    kfk_free_buf(j);
}

TEST(control_bytes_escaped) {
    kfk_stats s = {.name = "a\x1f" "b\tc", .client_id = "\"", .type = "admin"};
    char *j = kfk_stats_json(&s, NULL);
    REQUIRE(j);
    CHECK(jq_valid(j));
    CHECK(strstr(j, "\\u001f") != NULL);
    CHECK(jq_str_is(j, "name", "a\x1f" "b\tc"));
    CHECK(jq_str_is(j, "client_id", "\""));
    kfk_free_buf(j);
}

TEST(window_percentiles_exact_below_capacity) {
    static kfk_win w;
    for (int v = 100; v >= 1; v--) kfk_win_add(&w, v); /* 1..100 in reverse */
    kfk_stats_window o;
    kfk_win_roll(&w, KFK_WIN_STATS, &o);
    CHECK_EQ(o.cnt, 100);
    CHECK_EQ(o.min, 1);
    CHECK_EQ(o.max, 100);
    CHECK_EQ(o.sum, 5050);
    CHECK_EQ(o.avg, 51); /* 50.5 rounded */
    CHECK_EQ(o.p50, 50);
    CHECK_EQ(o.p75, 75);
    CHECK_EQ(o.p90, 90);
    CHECK_EQ(o.p95, 95);
    CHECK_EQ(o.p99, 99);
    CHECK_EQ(o.p99_99, 100);
    CHECK_EQ(o.stddev, 29); /* sqrt(833.25) = 28.87 */
    /* the roll started a new window */
    kfk_win_roll(&w, KFK_WIN_STATS, &o);
    CHECK_EQ(o.cnt, 0);
    CHECK_EQ(o.max, 0);
    kfk_win_add(&w, 7);
    kfk_win_roll(&w, KFK_WIN_STATS, &o);
    CHECK_EQ(o.cnt, 1);
    CHECK_EQ(o.min, 7);
    CHECK_EQ(o.p99_99, 7);
    CHECK_EQ(o.stddev, 0);
}

TEST(window_reservoir_beyond_capacity) {
    static kfk_win w;
    int n = KFK_WIN_SAMPLES * 20;
    for (int i = 0; i < n; i++) kfk_win_add(&w, i % 1000); /* uniform over 0..999 */
    kfk_stats_window o;
    kfk_win_roll(&w, KFK_WIN_STATS, &o);
    CHECK_EQ(o.cnt, n);
    CHECK_EQ(o.min, 0);
    CHECK_EQ(o.max, 999);
    /* a sample of the stream: the median near 500 */
    CHECK(o.p50 > 400 && o.p50 < 600);
    CHECK(o.p90 > 820 && o.p90 < 970);
}

/* Statistics and telemetry read the same windows: each sees every sample
 * since its own last read, whatever the other did meanwhile. */
TEST(window_readers_independent) {
    static kfk_win w;
    kfk_stats_window o;
    for (int v = 1; v <= 10; v++) kfk_win_add(&w, v);
    kfk_win_roll(&w, KFK_WIN_STATS, &o);
    CHECK_EQ(o.cnt, 10);
    CHECK_EQ(o.sum, 55);
    CHECK_EQ(o.p50, 5);
    for (int v = 100; v <= 102; v++) kfk_win_add(&w, v);
    kfk_win_roll(&w, KFK_WIN_OTHER, &o); /* all 13, statistics' read did not take them */
    CHECK_EQ(o.cnt, 13);
    CHECK_EQ(o.min, 1);
    CHECK_EQ(o.max, 102);
    CHECK_EQ(o.sum, 55 + 303);
    CHECK_EQ(o.avg, 28); /* 358 / 13 = 27.5 */
    CHECK_EQ(o.p50, 0);  /* percentiles are statistics' only */
    kfk_win_add(&w, 7);
    kfk_win_roll(&w, KFK_WIN_STATS, &o); /* the 3 after its read, and 7 */
    CHECK_EQ(o.cnt, 4);
    CHECK_EQ(o.min, 7);
    CHECK_EQ(o.max, 102);
    CHECK_EQ(o.sum, 310);
    CHECK_EQ(o.p50, 100);
    CHECK_EQ(o.p99_99, 102);
    kfk_win_roll(&w, KFK_WIN_OTHER, &o); /* only 7 since its read */
    CHECK_EQ(o.cnt, 1);
    CHECK_EQ(o.min, 7);
    CHECK_EQ(o.max, 7);
    kfk_win_roll(&w, KFK_WIN_OTHER, &o);
    CHECK_EQ(o.cnt, 0);
    CHECK_EQ(o.max, 0);
    kfk_win_roll(&w, KFK_WIN_STATS, &o);
    CHECK_EQ(o.cnt, 0);
}

/* Beyond the sample capacity the statistics reader's reservoir draws on its
 * own count, so another reader's reads do not skew it. */
TEST(window_reservoir_with_two_readers) {
    static kfk_win w;
    kfk_stats_window o;
    for (int i = 0; i < KFK_WIN_SAMPLES * 10; i++) {
        kfk_win_add(&w, i % 1000);
        if (i % 500 == 0) kfk_win_roll(&w, KFK_WIN_OTHER, &o);
    }
    kfk_win_roll(&w, KFK_WIN_STATS, &o);
    CHECK_EQ(o.cnt, KFK_WIN_SAMPLES * 10);
    CHECK_EQ(o.max, 999);
    CHECK(o.p50 > 400 && o.p50 < 600);
}
