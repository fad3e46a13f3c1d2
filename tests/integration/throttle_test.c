/* Broker throttling (KIP-219) against a real quota: a producer whose
 * client.id has a producer_byte_rate far below what it sends gets every
 * message delivered, hears the broker's throttle times, and holds its
 * requests back while throttled. */
#include "produce_it.h"
#include "producer/producer_int.h"

enum { MSG_SIZE = 1000, MSGS = 3000, RATE = 200000 }; /* 3 MB at 200 kB/s */

static int quotas_altered(void *opaque, kfk_response *resp) {
    kfk_arena a = {0};
    kfk_alter_client_quotas_response m;
    int rc = kfk_alter_client_quotas_response_decode(&resp->body, resp->version, &a, &m);
    for (int32_t i = 0; !rc && i < m.entries.count; i++) rc = m.entries.items[i].error_code;
    kfk_arena_reset(&a);
    return rc;
}

/* Sets (or with rate < 0 removes) producer_byte_rate for client_id. */
static int set_quota(kfk_core *c, const char *client_id, double rate) {
    kfk_alter_client_quotas_request_entity_data entity = {
        .entity_type = {"client-id", 9}, .entity_name = {client_id, (int32_t)strlen(client_id)}};
    kfk_alter_client_quotas_request_op_data op = {
        .key = {"producer_byte_rate", 18}, .value = rate < 0 ? 0 : rate, .remove = rate < 0};
    kfk_alter_client_quotas_request_entry_data entry = {0};
    entry.entity.items = &entity;
    entry.entity.count = 1;
    entry.ops.items = &op;
    entry.ops.count = 1;
    kfk_alter_client_quotas_request m;
    kfk_alter_client_quotas_request_init(&m);
    m.entries.items = &entry;
    m.entries.count = 1;
    kfk_core_req r = {.dest = KFK_DEST_ANY};
    r.req = (kfk_request){.api_key = KFK_API_ALTER_CLIENT_QUOTAS, .max_version = -1, .msg = &m};
    char err[256] = "";
    int rc = kfk_core_send_wait(c, &r, quotas_altered, NULL, err, sizeof err);
    if (rc) kfk_test_fail(__FILE__, __LINE__, "AlterClientQuotas: %s %s", kfk_err_name(rc), err);
    return rc;
}

static int quota_seen(void *opaque, kfk_response *resp) {
    kfk_arena a = {0};
    kfk_describe_client_quotas_response m;
    int rc = kfk_describe_client_quotas_response_decode(&resp->body, resp->version, &a, &m);
    if (!rc) rc = m.error_code;
    for (int32_t i = 0; !rc && i < m.entries.count; i++)
        for (int32_t j = 0; j < m.entries.items[i].values.count; j++)
            if (m.entries.items[i].values.items[j].value == RATE) *(int *)opaque = 1;
    kfk_arena_reset(&a);
    return rc;
}

/* Polls DescribeClientQuotas (up to 30 s) until the quota shows. */
static int wait_quota(kfk_core *c, const char *client_id) {
    kfk_describe_client_quotas_request_component_data comp = {
        .entity_type = {"client-id", 9}, .match_type = 0,
        .match = {client_id, (int32_t)strlen(client_id)}};
    kfk_describe_client_quotas_request m;
    kfk_describe_client_quotas_request_init(&m);
    m.components.items = &comp;
    m.components.count = 1;
    int seen = 0;
    for (int64_t until = it_now_ms() + 30000; !seen && it_now_ms() < until; usleep(100000)) {
        kfk_core_req r = {.dest = KFK_DEST_ANY};
        r.req = (kfk_request){.api_key = KFK_API_DESCRIBE_CLIENT_QUOTAS, .max_version = -1,
                              .msg = &m};
        char err[256];
        kfk_core_send_wait(c, &r, quota_seen, &seen, err, sizeof err);
    }
    return seen;
}

typedef struct tally {
    int ok, failed, last_err;
} tally;

static void on_delivery(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    tally *t = opaque;
    if (d->err) {
        t->failed++;
        t->last_err = d->err;
    } else {
        t->ok++;
    }
}

TEST(producer_over_its_quota_waits_out_the_throttle) {
    const char *b = it_bootstrap();
    REQUIRE(b);
    char topic[128], client_id[128];
    it_topic(topic, sizeof topic, "throttle");
    snprintf(client_id, sizeof client_id, "kfk-throttle-test-%d-%lld", (int)getpid(),
             (long long)it_now_ms());
    kfk_core_conf conf;
    it_conf(&conf, b);
    kfk_core *admin = it_core(&conf);
    REQUIRE(admin);
    char err[256] = "";
    REQUIRE_EQ(it_create_topic(admin, topic, 1, err, sizeof err), 0);
    REQUIRE_EQ(set_quota(admin, client_id, RATE), 0);
    REQUIRE(wait_quota(admin, client_id));

    tally t = {0};
    kfk_producer_callbacks cbs = {.delivery = on_delivery, .opaque = &t};
    /* 16 KiB batches: many requests, so some are held back by the throttle */
    const char *settings[] = {"client.id", client_id, "linger.ms", "5", "batch.size", "16384",
                              NULL};
    kfk_producer *p = pit_producer(b, &cbs, settings);
    REQUIRE(p);
    static char value[MSG_SIZE];
    memset(value, 'v', sizeof value);
    int64_t t0 = it_now_ms();
    for (int i = 0; i < MSGS; i++) {
        kfk_message m = {.topic = topic, .partition = 0, .value = value, .value_len = sizeof value};
        CHECK_EQ(kfk_producer_send(p, &m, 0), 0);
        kfk_producer_poll(p, 0);
    }
    CHECK_EQ(kfk_producer_flush(p, 120000), 0);
    int64_t took = it_now_ms() - t0;
    kfk_core_stats st;
    kfk_core_stats_get(p->core, &st);
    CHECK_EQ(t.ok, MSGS);
    CHECK_EQ(t.failed, 0);
    CHECK(st.throttles > 0);
    CHECK(st.throttle_ms > 0);
    CHECK(st.throttle_holds > 0); /* requests were held back, not sent */
    kfk_producer_stats ps;
    kfk_producer_stats_get(p, &ps);
    CHECK_EQ(ps.throttles, st.throttles);
    CHECK_EQ(ps.throttle_ms, st.throttle_ms);
    printf("  %d x %d bytes in %lld ms; %lld throttles, %lld ms in all, %lld holds\n", MSGS,
           MSG_SIZE, (long long)took, (long long)st.throttles, (long long)st.throttle_ms,
           (long long)st.throttle_holds);
    kfk_producer_destroy(p);
    set_quota(admin, client_id, -1);
    kfk_core_destroy(admin);
}
