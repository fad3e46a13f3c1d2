/* kfk's idempotent producer writing across a truncation of the mock's log
 * (an unclean leader election). The cut takes sequences the producer saw
 * acknowledged, so its next batch meets OUT_OF_ORDER_SEQUENCE_NUMBER, as
 * from Kafka: that batch fails (reported to the application), the producer
 * bumps its epoch and the later batches land once each, in order; a
 * consumer reads the log to its end. */
#include <stdint.h>
#include <string.h>

#include "kfk.h"
#include "kfk_mock.h"
#include "mock_it.h"
#include "test.h"

typedef struct reports {
    int ok, failed, failed_err, failed_index;
} reports;

static void on_delivery(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    (void)p;
    reports *r = opaque;
    if (!d->err) {
        r->ok++;
        return;
    }
    r->failed++;
    r->failed_err = d->err;
    r->failed_index = (int)(intptr_t)d->opaque;
}

/* Records "v<i>" for i in from..to-1, one batch each (flushed one by one). */
static int send_each(kfk_producer *p, const char *topic, int from, int to) {
    for (int i = from; i < to; i++) {
        char v[16];
        int vl = snprintf(v, sizeof v, "v%d", i);
        kfk_message m = {.topic = topic, .partition = 0, .value = v, .value_len = (size_t)vl,
                         .opaque = (void *)(intptr_t)i};
        if (kfk_producer_send(p, &m, 0) || kfk_producer_flush(p, 10000)) return -1;
    }
    return 0;
}

/* Reads partition 0 from the beginning until n records or idle; the
 * values in offset order into vals (n of 16 bytes). Returns how many. */
static int read_all(const char *bs, const char *topic, int n, char (*vals)[16]) {
    kfk_consumer *c = mock_consumer_p0(bs, topic, NULL);
    if (!c) return -1;
    int got = 0;
    for (int idle = 0; idle < 10 && got <= n;) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 100);
        if (!m) {
            idle++;
            continue;
        }
        if (!m->err && m->offset == got && got < n) {
            size_t len = m->value_len < 15 ? m->value_len : 15;
            memcpy(vals[got], m->value, len);
            vals[got][len] = 0;
            got++;
        } else {
            kfk_test_fail(__FILE__, __LINE__, "offset %lld after %d records: %s", (long long)m->offset, got,
                          kfk_err_name(m->err));
            got = n + 1;
        }
        kfk_consumer_message_release(m);
    }
    kfk_consumer_destroy(c);
    return got;
}

TEST(idempotent_producer_goes_on_after_a_truncation) {
    kfk_mock_cluster *mc = kfk_mock_cluster_new(1);
    REQUIRE(mc);
    const char *bs = kfk_mock_cluster_bootstraps(mc);
    REQUIRE_EQ(kfk_mock_topic_create(mc, "tr", 1, 1), 0);
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    REQUIRE_EQ(kfk_conf_set(conf, "bootstrap.servers", bs, err, sizeof err), 0);
    REQUIRE_EQ(kfk_conf_set(conf, "enable.idempotence", "true", err, sizeof err), 0);
    REQUIRE_EQ(kfk_conf_set(conf, "retry.backoff.ms", "10", err, sizeof err), 0);
    reports r = {0};
    kfk_producer_callbacks cbs = {.delivery = on_delivery, .opaque = &r};
    kfk_producer *p = kfk_producer_new(conf, &cbs, err, sizeof err);
    REQUIRE(p);
    REQUIRE_EQ(send_each(p, "tr", 0, 10), 0);
    /* Offsets 6..9 go: sequences 6..9 the producer had acknowledged are
     * gone from the log, its next batch carries sequence 10. */
    REQUIRE_EQ(kfk_mock_partition_truncate(mc, "tr", 0, 6), 0);
    REQUIRE_EQ(send_each(p, "tr", 10, 20), 0);
    kfk_producer_close(p, 5000);
    CHECK_EQ(r.ok, 19);
    CHECK_EQ(r.failed, 1);
    CHECK_EQ(r.failed_err, KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    CHECK_EQ(r.failed_index, 10);
    int64_t start = -1, hw = -1;
    REQUIRE_EQ(kfk_mock_partition_offsets(mc, "tr", 0, &start, &hw), 0);
    CHECK_EQ(hw, 15);
    char vals[15][16];
    CHECK_EQ(read_all(bs, "tr", 15, vals), 15);
    for (int i = 0; i < 15; i++) {
        char want[16];
        snprintf(want, sizeof want, "v%d", i < 6 ? i : i + 5);
        CHECK_STR(vals[i], want);
    }
    kfk_mock_cluster_destroy(mc);
}
