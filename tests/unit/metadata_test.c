/* The metadata cache, the broker set and backoff, without a network. */
#include <stdlib.h>

#include "client/broker.h"
#include "client/metadata.h"
#include "core/alloc.h"
#include "kfk.h"
#include "net/backoff.h"
#include "net/io.h"
#include "test.h"

/* ------------------------------------------- hand-made decoded responses */

#define S(lit) ((kfk_str){(lit), (int32_t)sizeof(lit) - 1})

typedef struct fake {
    kfk_metadata_response resp;
    kfk_metadata_response_broker brokers[4];
    kfk_metadata_response_topic topics[4];
    kfk_metadata_response_partition parts[4][4];
    int32_t replicas[3];
} fake;

static void fake_init(fake *f) {
    memset(f, 0, sizeof *f);
    kfk_metadata_response_init(&f->resp);
    f->resp.brokers.items = f->brokers;
    f->resp.topics.items = f->topics;
    f->resp.cluster_id = S("cluster-1");
    f->resp.controller_id = 2;
    f->replicas[0] = 1;
    f->replicas[1] = 2;
    f->replicas[2] = 3;
}

static void add_broker(fake *f, int32_t id, kfk_str host, int32_t port) {
    f->brokers[f->resp.brokers.count++] =
        (kfk_metadata_response_broker){id, host, port, {NULL, -1}};
}

static kfk_metadata_response_topic *add_topic(fake *f, kfk_str name, uint8_t id, int nparts,
                                              int32_t leader, int32_t epoch) {
    int ti = f->resp.topics.count++;
    kfk_metadata_response_topic *t = &f->topics[ti];
    t->name = name;
    t->topic_id.b[15] = id;
    t->partitions.items = f->parts[ti];
    t->partitions.count = nparts;
    for (int p = 0; p < nparts; p++) {
        /* Listed in reverse: the cache sorts them. */
        kfk_metadata_response_partition *q = &f->parts[ti][nparts - 1 - p];
        q->partition_index = p;
        q->leader_id = leader;
        q->leader_epoch = epoch;
        q->replica_nodes.items = f->replicas;
        q->replica_nodes.count = 3;
        q->isr_nodes.items = f->replicas;
        q->isr_nodes.count = 2;
        q->offline_replicas.count = 0;
    }
    return t;
}

/* ------------------------------------------------------------------ tests */

TEST(build_sorts_and_copies) {
    fake f;
    fake_init(&f);
    add_broker(&f, 3, S("c.example"), 9094);
    add_broker(&f, 1, S("a.example"), 9092);
    add_topic(&f, S("zeta"), 1, 3, 1, 5);
    add_topic(&f, S("alpha"), 2, 1, 3, 0);
    kfk_metadata *md = kfk_metadata_build(NULL, &f.resp, 0, 1234);
    REQUIRE(md != NULL);
    memset(&f, 0xee, sizeof f); /* the snapshot owns copies of everything */
    CHECK_EQ(md->nbrokers, 2);
    CHECK_EQ(md->brokers[0].node_id, 1);
    CHECK_STR(kfk_metadata_broker(md, 3)->host, "c.example");
    CHECK(kfk_metadata_broker(md, 2) == NULL);
    CHECK_STR(md->cluster_id, "cluster-1");
    CHECK_EQ(md->controller_id, 2);
    CHECK_EQ(md->updated_ms, 1234);
    REQUIRE_EQ(md->ntopics, 2);
    CHECK_STR(md->topics[0].name, "alpha");
    const kfk_md_topic *z = kfk_metadata_topic(md, "zeta");
    REQUIRE(z != NULL);
    CHECK_EQ(z->id.b[15], 1);
    REQUIRE_EQ(z->npartitions, 3);
    for (int p = 0; p < 3; p++) {
        const kfk_md_partition *q = kfk_metadata_partition(z, p);
        REQUIRE(q != NULL);
        CHECK_EQ(q->id, p);
        CHECK_EQ(q->leader, 1);
        CHECK_EQ(q->leader_epoch, 5);
        CHECK_EQ(q->nreplicas, 3);
        CHECK_EQ(q->replicas[2], 3);
        CHECK_EQ(q->nisr, 2);
        CHECK_EQ(q->noffline, 0);
    }
    CHECK(kfk_metadata_partition(z, 3) == NULL);
    CHECK(kfk_metadata_partition(z, -1) == NULL);
    CHECK(kfk_metadata_topic(md, "missing") == NULL);
    CHECK(kfk_metadata_topic_ready(z));
    kfk_metadata_unref(md);
}

TEST(newer_leader_epoch_wins_older_is_ignored) {
    fake f;
    fake_init(&f);
    add_broker(&f, 1, S("a"), 1);
    add_topic(&f, S("t"), 7, 2, 1, 10);
    kfk_metadata *v1 = kfk_metadata_build(NULL, &f.resp, 0, 1);
    REQUIRE(v1 != NULL);

    /* Partition 0 moves to broker 2 at epoch 11; a stale broker reports
     * partition 1 back on broker 3 at epoch 9. */
    f.parts[0][1].leader_id = 2; /* partition 0 (listed reversed) */
    f.parts[0][1].leader_epoch = 11;
    f.parts[0][0].leader_id = 3; /* partition 1 */
    f.parts[0][0].leader_epoch = 9;
    f.parts[0][0].isr_nodes.count = 1;
    kfk_metadata *v2 = kfk_metadata_build(v1, &f.resp, 0, 2);
    REQUIRE(v2 != NULL);
    const kfk_md_topic *t = kfk_metadata_topic(v2, "t");
    CHECK_EQ(kfk_metadata_partition(t, 0)->leader, 2);
    CHECK_EQ(kfk_metadata_partition(t, 0)->leader_epoch, 11);
    CHECK_EQ(kfk_metadata_partition(t, 1)->leader, 1);
    CHECK_EQ(kfk_metadata_partition(t, 1)->leader_epoch, 10);
    CHECK_EQ(kfk_metadata_partition(t, 1)->nisr, 2);
    /* The old snapshot is untouched, and usable on its own. */
    kfk_metadata_unref(v2);
    CHECK_EQ(kfk_metadata_partition(kfk_metadata_topic(v1, "t"), 0)->leader, 1);
    kfk_metadata_unref(v1);
}

TEST(equal_or_unknown_epoch_updates) {
    fake f;
    fake_init(&f);
    add_topic(&f, S("t"), 7, 1, 1, 4);
    kfk_metadata *v1 = kfk_metadata_build(NULL, &f.resp, 0, 1);
    f.parts[0][0].leader_id = -1; /* same epoch, leader lost */
    kfk_metadata *v2 = kfk_metadata_build(v1, &f.resp, 0, 2);
    CHECK_EQ(kfk_metadata_partition(kfk_metadata_topic(v2, "t"), 0)->leader, -1);
    CHECK(!kfk_metadata_topic_ready(kfk_metadata_topic(v2, "t")));
    f.parts[0][0].leader_id = 3; /* broker without epochs (Metadata < v7) */
    f.parts[0][0].leader_epoch = -1;
    kfk_metadata *v3 = kfk_metadata_build(v2, &f.resp, 0, 3);
    CHECK_EQ(kfk_metadata_partition(kfk_metadata_topic(v3, "t"), 0)->leader, 3);
    kfk_metadata_unref(v1);
    kfk_metadata_unref(v2);
    kfk_metadata_unref(v3);
}

TEST(recreated_topic_restarts_epochs) {
    fake f;
    fake_init(&f);
    add_topic(&f, S("t"), 1, 1, 1, 50);
    kfk_metadata *v1 = kfk_metadata_build(NULL, &f.resp, 0, 1);
    f.topics[0].topic_id.b[15] = 2; /* deleted and created again */
    f.parts[0][0].leader_id = 2;
    f.parts[0][0].leader_epoch = 0;
    kfk_metadata *v2 = kfk_metadata_build(v1, &f.resp, 0, 2);
    const kfk_md_topic *t = kfk_metadata_topic(v2, "t");
    CHECK_EQ(t->id.b[15], 2);
    CHECK_EQ(kfk_metadata_partition(t, 0)->leader, 2);
    CHECK_EQ(kfk_metadata_partition(t, 0)->leader_epoch, 0);
    kfk_metadata_unref(v1);
    kfk_metadata_unref(v2);
}

TEST(partial_refresh_keeps_other_topics_full_replaces) {
    fake f;
    fake_init(&f);
    add_topic(&f, S("a"), 1, 1, 1, 0);
    add_topic(&f, S("b"), 2, 2, 1, 0);
    kfk_metadata *v1 = kfk_metadata_build(NULL, &f.resp, 1, 1);

    fake g;
    fake_init(&g);
    add_topic(&g, S("b"), 2, 3, 2, 1); /* b grew to 3 partitions */
    add_topic(&g, S("c"), 3, 1, 1, 0);
    kfk_metadata *v2 = kfk_metadata_build(v1, &g.resp, 0, 2);
    REQUIRE_EQ(v2->ntopics, 3);
    CHECK_STR(v2->topics[0].name, "a");
    CHECK_STR(v2->topics[1].name, "b");
    CHECK_STR(v2->topics[2].name, "c");
    CHECK_EQ(kfk_metadata_topic(v2, "b")->npartitions, 3);
    CHECK_EQ(kfk_metadata_topic(v2, "a")->npartitions, 1);
    CHECK_EQ(kfk_metadata_topic(v2, "a")->partitions[0].nreplicas, 3);

    kfk_metadata *v3 = kfk_metadata_build(v2, &g.resp, 1, 3);
    CHECK_EQ(v3->ntopics, 2);
    CHECK(kfk_metadata_topic(v3, "a") == NULL);
    kfk_metadata_unref(v1);
    kfk_metadata_unref(v2);
    kfk_metadata_unref(v3);
}

TEST(errors_duplicates_and_nameless_topics) {
    fake f;
    fake_init(&f);
    kfk_metadata_response_topic *t = add_topic(&f, S("x"), 1, 0, -1, -1);
    t->error_code = KFK_ERR_LEADER_NOT_AVAILABLE;
    add_topic(&f, S("x"), 1, 1, 1, 0); /* a broken broker repeats it */
    add_topic(&f, S("y"), 2, 2, 1, 0);
    f.parts[2][0].error_code = KFK_ERR_REPLICA_NOT_AVAILABLE;
    add_topic(&f, (kfk_str){NULL, -1}, 3, 1, 1, 0);
    kfk_metadata *md = kfk_metadata_build(NULL, &f.resp, 0, 1);
    REQUIRE(md != NULL);
    CHECK_EQ(md->ntopics, 2);
    const kfk_md_topic *x = kfk_metadata_topic(md, "x");
    REQUIRE(x != NULL);
    CHECK_EQ(x->err, KFK_ERR_LEADER_NOT_AVAILABLE); /* the first one wins */
    CHECK(!kfk_metadata_topic_ready(x));
    const kfk_md_topic *y = kfk_metadata_topic(md, "y");
    CHECK_EQ(kfk_metadata_partition(y, 1)->err, KFK_ERR_REPLICA_NOT_AVAILABLE);
    CHECK(kfk_metadata_topic_ready(y)); /* leaders known; a replica is down */
    kfk_metadata_unref(md);
}

TEST(topic_error_recorded) {
    fake f;
    fake_init(&f);
    kfk_metadata_response_topic *t = add_topic(&f, S("nope"), 0, 0, -1, -1);
    t->error_code = KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    kfk_metadata *md = kfk_metadata_build(NULL, &f.resp, 0, 1);
    const kfk_md_topic *x = kfk_metadata_topic(md, "nope");
    REQUIRE(x != NULL);
    CHECK_EQ(x->err, KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    CHECK_EQ(x->npartitions, 0);
    CHECK(!kfk_metadata_topic_ready(x));
    kfk_metadata_unref(md);
}

TEST(backoff_bounds_and_jitter) {
    uint64_t rng = 12345;
    for (int attempt = 0; attempt < 12; attempt++) {
        int64_t term = 100;
        for (int i = 0; i < attempt && term < 1000; i++) term *= 2;
        if (term > 1000) term = 1000;
        int64_t lo = term * 8 / 10, hi = term * 12 / 10 > 1000 ? 1000 : term * 12 / 10;
        int64_t min = INT64_MAX, max = 0;
        for (int i = 0; i < 200; i++) {
            int64_t v = kfk_backoff_ms(100, 1000, attempt, &rng);
            if (v < min) min = v;
            if (v > max) max = v;
        }
        CHECK(min >= lo);
        CHECK(max <= hi);
        CHECK(max > min); /* jittered, not a constant */
    }
    CHECK_EQ(kfk_backoff_ms(0, 1000, 3, &rng), 0);
    CHECK(kfk_backoff_ms(50, 10, 0, &rng) <= 50); /* max below base: base */
    CHECK(kfk_backoff_ms(50, 1000, 1000000, &rng) <= 1000);
}

TEST(bootstrap_parse) {
    kfk_hostport *v;
    char err[200];
    REQUIRE_EQ(kfk_bootstrap_parse("a:1, PLAINTEXT://b.example:9092 ,[::1]:39092", &v, err,
                                   sizeof err), 3);
    CHECK_STR(v[0].host, "a");
    CHECK_EQ(v[0].port, 1);
    CHECK_STR(v[1].host, "b.example");
    CHECK_EQ(v[1].port, 9092);
    CHECK_STR(v[2].host, "::1");
    CHECK_EQ(v[2].port, 39092);
    kfk_free(v);
    static const char *bad[] = {"", "host", "host:", "host:0", "host:65536", "host:12x", "::1:9092",
                                "a:1,,b:2", "[::1]9092", ":9092"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = NULL;
        CHECK_EQ(kfk_bootstrap_parse(bad[i], &v, err, sizeof err), KFK_ERR_CONFIG);
        CHECK(strstr(err, "bootstrap.servers") != NULL);
        CHECK(v == NULL);
    }
}

/* The broker set against an I/O layer whose thread never starts: links are
 * created but, with nothing submitted, never connect. */
static kfk_io *idle_io(void) {
    static const kfk_io_conf ioconf = {.conn = {.request_timeout_ms = 1000, .max_in_flight = 1,
                                                .max_response_bytes = 1 << 20}};
    return kfk_io_new(&ioconf, NULL, NULL);
}

TEST(broker_set_follows_metadata) {
    kfk_io *io = idle_io();
    REQUIRE(io != NULL);
    kfk_brokers b;
    kfk_hostport boot[2] = {{"127.0.0.1", 1111}, {"boot2", 2222}};
    REQUIRE_EQ(kfk_brokers_init(&b, io, boot, 2), 0);
    CHECK_EQ(b.n, 2);
    kfk_link *boot1 = kfk_brokers_get(&b, -2);
    REQUIRE(boot1 != NULL);
    CHECK_STR(kfk_io_link_host(boot1), "127.0.0.1");
    uint64_t rng = 1;
    CHECK(kfk_brokers_least_loaded(&b, &rng) != NULL);

    /* Broker 5 is the first bootstrap server: its link is adopted. */
    fake f;
    fake_init(&f);
    add_broker(&f, 5, S("127.0.0.1"), 1111);
    add_broker(&f, 6, S("h6"), 6);
    kfk_metadata *md = kfk_metadata_build(NULL, &f.resp, 0, 1);
    REQUIRE_EQ(kfk_brokers_update(&b, md), 0);
    CHECK_EQ(b.n, 2);
    CHECK(kfk_brokers_get(&b, 5) == boot1);
    CHECK_EQ(kfk_io_link_node_id(boot1), 5);
    CHECK(kfk_brokers_get(&b, -1) == NULL);
    kfk_link *l6 = kfk_brokers_get(&b, 6);
    REQUIRE(l6 != NULL);

    /* 6 moves, 5 goes away, 7 arrives. */
    fake g;
    fake_init(&g);
    add_broker(&g, 7, S("h7"), 7);
    add_broker(&g, 6, S("h6-new"), 6);
    kfk_metadata *md2 = kfk_metadata_build(md, &g.resp, 0, 2);
    REQUIRE_EQ(kfk_brokers_update(&b, md2), 0);
    CHECK_EQ(b.n, 2);
    CHECK(kfk_brokers_get(&b, 5) == NULL);
    CHECK(kfk_brokers_get(&b, 6) != l6);
    CHECK_STR(kfk_io_link_host(kfk_brokers_get(&b, 6)), "h6-new");
    CHECK_EQ(kfk_io_link_port(kfk_brokers_get(&b, 7)), 7);

    /* No brokers in a response: keep the ones we have. */
    fake h;
    fake_init(&h);
    kfk_metadata *md3 = kfk_metadata_build(md2, &h.resp, 0, 3);
    CHECK_EQ(kfk_brokers_update(&b, md3), 0);
    CHECK_EQ(b.n, 2);

    kfk_brokers_release(&b);
    kfk_io_destroy(io);
    kfk_metadata_unref(md);
    kfk_metadata_unref(md2);
    kfk_metadata_unref(md3);
}

/* Starting over: the bootstrap servers' links replace the brokers the
 * metadata named, and the next metadata adopts them again. */
TEST(broker_set_rebootstraps) {
    kfk_io *io = idle_io();
    REQUIRE(io != NULL);
    kfk_brokers b;
    kfk_hostport boot[2] = {{"boot1", 1111}, {"boot2", 2222}};
    REQUIRE_EQ(kfk_brokers_init(&b, io, boot, 2), 0);
    fake f;
    fake_init(&f);
    add_broker(&f, 5, S("h5"), 5);
    add_broker(&f, 6, S("h6"), 6);
    kfk_metadata *md = kfk_metadata_build(NULL, &f.resp, 0, 1);
    REQUIRE_EQ(kfk_brokers_update(&b, md), 0);
    CHECK_EQ(b.bootstrap, 0);
    CHECK(kfk_brokers_get(&b, -1) == NULL);
    /* Links never tried are not unreachable. */
    CHECK_EQ(kfk_brokers_unreachable(&b), 0);

    REQUIRE_EQ(kfk_brokers_rebootstrap(&b), 0);
    CHECK_EQ(b.bootstrap, 1);
    CHECK_EQ(b.n, 2);
    CHECK(kfk_brokers_get(&b, 5) == NULL);
    CHECK(kfk_brokers_get(&b, 6) == NULL);
    kfk_link *first = kfk_brokers_get(&b, -2);
    REQUIRE(first != NULL);
    CHECK_STR(kfk_io_link_host(first), "boot1");
    CHECK_EQ(kfk_io_link_port(kfk_brokers_get(&b, -1)), 2222);

    /* The cluster now answers at boot1: node 7 keeps that connection. */
    fake g;
    fake_init(&g);
    add_broker(&g, 7, S("boot1"), 1111);
    kfk_metadata *md2 = kfk_metadata_build(md, &g.resp, 0, 2);
    REQUIRE_EQ(kfk_brokers_update(&b, md2), 0);
    CHECK_EQ(b.bootstrap, 0);
    CHECK_EQ(b.n, 1);
    CHECK(kfk_brokers_get(&b, 7) == first);

    kfk_brokers_release(&b);
    kfk_io_destroy(io);
    kfk_metadata_unref(md);
    kfk_metadata_unref(md2);
}
