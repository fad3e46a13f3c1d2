/* A consumer over many partitions (issue 18), against the mock cluster:
 * what it keeps per partition and what it asks per partition. Start
 * offsets of 2,000 partitions come from one ListOffsets per leader (one
 * per partition was O(partitions^2) work at assignment); prefetched bytes
 * stay under fetch.queue.max.bytes plus one response (fetch.max.bytes),
 * however many partitions have records; and the partition struct stays
 * within the bound docs/DESIGN.md states. No timing assertions: every
 * wait polls with a 30 s bound. */
#include <pthread.h>

#include "consume_it.h"
#include "consumer/consumer_int.h"
#include "kfk_mock.h"

#define PARTS 2000
/* docs/DESIGN.md, "Per-partition cost": sizeof(kfk_cpart). */
#define CPART_MAX_BYTES 640

typedef struct seen {
    pthread_mutex_t lock;
    int list_requests, list_parts;
} seen;

static void on_request(void *opaque, int broker, const uint8_t *req, size_t req_len,
                       const uint8_t *resp, size_t resp_len) {
    (void)broker, (void)resp, (void)resp_len;
    seen *s = opaque;
    kfk_rbuf r = kfk_rbuf_make(req, req_len);
    kfk_request_header h;
    if (kfk_request_header_read(&r, &h) || h.request_api_key != KFK_API_LIST_OFFSETS) return;
    kfk_arena a = {0};
    kfk_list_offsets_request q;
    if (!kfk_msg_decode(&r, &kfk_list_offsets_request_desc, h.request_api_version, &a, &q)) {
        int n = 0;
        for (int32_t t = 0; t < q.topics.count; t++) n += q.topics.items[t].partitions.count;
        pthread_mutex_lock(&s->lock);
        s->list_requests++;
        s->list_parts += n;
        pthread_mutex_unlock(&s->lock);
    }
    kfk_arena_reset(&a);
}

/* Positions known for all of c's partitions (each polled wait 100 ms). */
static int all_positioned(kfk_consumer *c, int n) {
    kfk_partition_list *l = kfk_consumer_assignment(c);
    int ok = l && l->count == n && kfk_consumer_position(c, l) == 0;
    for (int i = 0; ok && i < l->count; i++) ok = l->elems[i].offset >= 0;
    kfk_partition_list_destroy(l);
    return ok;
}

static int64_t queued_bytes(kfk_consumer *c) {
    int64_t sum = 0;
    pthread_mutex_lock(&c->lock);
    for (int i = 0; i < c->nparts; i++) sum += c->parts[i]->queued_bytes;
    pthread_mutex_unlock(&c->lock);
    return sum;
}

TEST(partition_struct_within_documented_bound) { CHECK(sizeof(kfk_cpart) <= CPART_MAX_BYTES); }

TEST(start_offsets_of_2000_partitions_come_from_one_list_offsets_per_leader) {
    seen s = {.lock = PTHREAD_MUTEX_INITIALIZER};
    kfk_mock_cluster *mc = kfk_mock_cluster_new(2);
    REQUIRE(mc && !kfk_mock_topic_create(mc, "many", PARTS, 1));
    kfk_mock_set_request_cb(mc, on_request, &s);
    kfk_consumer *c = cit_consumer(kfk_mock_cluster_bootstraps(mc), "fetch.max.wait.ms", "100",
                                   NULL);
    REQUIRE(c);
    const char *topics[] = {"many"};
    REQUIRE_EQ(kfk_consumer_assign_topics(c, topics, 1, KFK_OFFSET_END, 30000), 0);
    int64_t deadline = kfk_clock_us() + 30 * 1000000LL;
    while (!all_positioned(c, PARTS) && kfk_clock_us() < deadline)
        kfk_consumer_message_release(kfk_consumer_poll(c, 100));
    CHECK(all_positioned(c, PARTS));
    pthread_mutex_lock(&s.lock);
    /* two leaders: two requests, unless a lost answer was retried */
    CHECK(s.list_requests >= 2 && s.list_requests <= 4);
    CHECK(s.list_parts >= PARTS);
    pthread_mutex_unlock(&s.lock);
    kfk_consumer_destroy(c);
    kfk_mock_cluster_destroy(mc);
}

TEST(prefetch_of_many_partitions_stays_under_the_queue_bound_plus_one_response) {
    enum { NP = 400, PER = 2, SIZE = 8192, QMAX = 256 << 10, FMAX = 256 << 10 };
    kfk_mock_cluster *mc = kfk_mock_cluster_new(1);
    REQUIRE(mc && !kfk_mock_topic_create(mc, "wide", NP, 1));
    char err[256];
    kfk_conf *pc = kfk_conf_new();
    REQUIRE(!kfk_conf_set(pc, "bootstrap.servers", kfk_mock_cluster_bootstraps(mc), err,
                          sizeof err) &&
            !kfk_conf_set(pc, "linger.ms", "20", err, sizeof err));
    kfk_producer *p = kfk_producer_new(pc, NULL, err, sizeof err);
    REQUIRE(p);
    static char value[SIZE];
    for (int i = 0; i < NP * PER; i++) {
        kfk_message m = {.topic = "wide", .partition = i % NP, .value = value, .value_len = SIZE};
        REQUIRE_EQ(kfk_producer_send(p, &m, 0), 0);
    }
    REQUIRE_EQ(kfk_producer_flush(p, 30000), 0);
    kfk_producer_destroy(p);

    char qmax[16], fmax[16];
    snprintf(qmax, sizeof qmax, "%d", QMAX);
    snprintf(fmax, sizeof fmax, "%d", FMAX);
    kfk_consumer *c = cit_consumer(kfk_mock_cluster_bootstraps(mc), "fetch.queue.max.bytes", qmax,
                                   "fetch.max.bytes", fmax, "max.partition.fetch.bytes", "65536",
                                   "fetch.max.wait.ms", "100", NULL);
    REQUIRE(c);
    const char *topics[] = {"wide"};
    REQUIRE_EQ(kfk_consumer_assign_topics(c, topics, 1, KFK_OFFSET_BEGINNING, 30000), 0);
    /* Without polling records the consumer fills its queue and stops; the
     * total (NP * PER * SIZE = 6.4 MB) would all come without the bound. */
    int64_t most = 0, deadline = kfk_clock_us() + 30 * 1000000LL, full_at = 0;
    while (kfk_clock_us() < (full_at ? full_at + 1000000LL : deadline)) {
        int64_t q = queued_bytes(c);
        if (q > most) most = q;
        if (!full_at && q >= QMAX) full_at = kfk_clock_us(); /* then watch it 1 s more */
        usleep(20000);
    }
    CHECK(most >= QMAX);
    CHECK(most <= QMAX + FMAX + SIZE);
    /* and all of it comes once polled */
    int got = 0;
    deadline = kfk_clock_us() + 30 * 1000000LL;
    while (got < NP * PER && kfk_clock_us() < deadline) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 100);
        if (m && !m->err) got++;
        kfk_consumer_message_release(m);
        int64_t q = queued_bytes(c);
        if (q > most) most = q;
    }
    CHECK_EQ(got, NP * PER);
    CHECK(most <= QMAX + FMAX + SIZE);
    kfk_consumer_destroy(c);
    kfk_mock_cluster_destroy(mc);
}
