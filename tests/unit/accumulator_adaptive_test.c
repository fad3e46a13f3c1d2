/* Adaptive partitioning (KIP-794) through the accumulator, without a
 * network: node 2 takes no batches (its connection is full, as when the
 * broker is stopped), and keyless records move away from its partitions:
 * by weight alone, then not at all once partitioner.availability.timeout.ms
 * has passed. The random source is seeded, so runs repeat exactly. */
#include "producer/accumulator.h"
#include "test.h"

#define NPART 6
#define SLOW_NODE 2

static int room_but_slow(void *ctx, int32_t node, size_t bytes) {
    (void)ctx, (void)bytes;
    return node != SLOW_NODE;
}

static void no_wake(void *opaque) {
    (void)opaque;
}

static void start_with(kfk_accum *a, int adaptive, int32_t timeout_ms, int ignore_keys,
                       int32_t batch_size, int32_t linger_ms) {
    kfk_accum_conf c = {.batch_size = batch_size, .linger_ms = linger_ms,
                        .delivery_timeout_ms = 1 << 30,
                        .buffer_memory = 1 << 24, .max_request_size = 1 << 20,
                        .adaptive = adaptive, .availability_timeout_ms = timeout_ms,
                        .ignore_keys = ignore_keys, .wake = no_wake};
    kfk_accum_init(a, &c);
    a->rng = 42;
    /* The accumulator learns of a topic when it is sent to. */
    kfk_accum_msg first = {.topic = "t", .partition = 0, .key = {NULL, -1}, .value = {NULL, -1}};
    int32_t p;
    CHECK_EQ(kfk_accum_append(a, &first, 0, 0, &p), 0);
    /* Partition i is led by node 1 + i % 3. */
    kfk_md_partition parts[NPART];
    for (int i = 0; i < NPART; i++) parts[i] = (kfk_md_partition){.id = i, .leader = 1 + i % 3};
    kfk_md_topic t = {.name = "t", .partitions = parts, .npartitions = NPART};
    kfk_metadata md = {.topics = &t, .ntopics = 1};
    kfk_accum_sync_metadata(a, &md);
}

static int32_t append(kfk_accum *a, const char *key, int64_t now) {
    kfk_accum_msg m = {.topic = "t", .partition = KFK_PARTITION_ANY,
                       .key = key ? (kfk_bytes){(const uint8_t *)key, 4} : (kfk_bytes){NULL, -1},
                       .value = {(const uint8_t *)"0123456789", 10}};
    int32_t p = -1;
    CHECK_EQ(kfk_accum_append(a, &m, now, 0, &p), 0);
    return p;
}

static void start(kfk_accum *a, int adaptive, int32_t timeout_ms, int ignore_keys) {
    start_with(a, adaptive, timeout_ms, ignore_keys, 200, 0);
}

/* Drains what may go and completes it at once (healthy nodes answer fast). */
static void drain_and_answer(kfk_accum *a, int64_t now) {
    kfk_drain_args args = {.now = now, .room = room_but_slow};
    kfk_drain_out out;
    kfk_accum_drain(a, &args, &out);
    pthread_mutex_lock(&a->lock);
    for (kfk_list *e = out.ready.next; e != &out.ready; e = e->next)
        kfk_accum_done_locked(a, KFK_CONTAINER_OF(e, kfk_pbatch, link));
    pthread_mutex_unlock(&a->lock);
    kfk_accum_recycle(a, &out.ready);
}

/* Records sent to the slow node's partitions in [from, to) ms, of n per ms. */
static int run(kfk_accum *a, int64_t from, int64_t to, int n, int *total) {
    int slow = 0;
    for (int64_t now = from; now < to; now++) {
        for (int i = 0; i < n; i++) {
            slow += 1 + append(a, NULL, now) % 3 == SLOW_NODE;
            ++*total;
        }
        drain_and_answer(a, now);
    }
    return slow;
}

TEST(weights_steer_records_from_a_node_whose_queues_grow) {
    kfk_accum a;
    start(&a, 1, 0, 0);
    int total = 0;
    run(&a, 0, 200, 20, &total);
    total = 0;
    int slow = run(&a, 200, 400, 20, &total);
    /* Uniform would put a third there; its queues only grow. */
    printf("  slow node's share by weight: %d of %d\n", slow, total);
    CHECK(slow > 0);
    CHECK(slow * 20 < total);
    kfk_accum_free(&a);
}

TEST(availability_timeout_leaves_a_stalled_node_out) {
    kfk_accum a;
    start(&a, 1, 50, 0);
    int total = 0;
    CHECK(run(&a, 0, 20, 20, &total) > 0); /* before the timeout it gets some */
    run(&a, 20, 71, 20, &total);
    total = 0;
    CHECK_EQ(run(&a, 71, 300, 20, &total), 0);
    CHECK_EQ(total, 229 * 20);
    kfk_accum_free(&a);
}

TEST(without_adaptive_the_choice_stays_uniform) {
    kfk_accum a;
    start(&a, 0, 50, 0);
    int total = 0;
    run(&a, 0, 100, 20, &total);
    total = 0;
    int slow = run(&a, 100, 400, 20, &total);
    CHECK_EQ(a.topics[0]->load.len, 0);
    CHECK(slow * 5 > total); /* about a third */
    kfk_accum_free(&a);
}

TEST(ignore_keys_places_keyed_records_as_keyless) {
    kfk_accum a;
    start(&a, 1, 0, 1);
    int32_t keyless = append(&a, NULL, 0);
    /* the hashes would put the keys elsewhere */
    CHECK(kfk_partition_for_key("key1", 4, NPART) != keyless ||
          kfk_partition_for_key("key2", 4, NPART) != keyless);
    CHECK_EQ(append(&a, "key1", 0), keyless); /* the sticky partition, not the hash's */
    CHECK_EQ(append(&a, "key2", 0), keyless);
    kfk_accum_free(&a);
}

TEST(sticky_partition_moves_on_when_its_leader_cannot_take_its_batch) {
    kfk_accum a;
    /* batches of 1 MB: only linger.ms (5) closes one */
    start_with(&a, 0, 0, 0, 1000000, 5);
    int64_t now = 0;
    int32_t p = append(&a, NULL, now);
    for (int i = 0; i < 50 && 1 + p % 3 != SLOW_NODE; i++) { /* until it sticks to node 2 */
        now += 5;
        drain_and_answer(&a, now);
        p = append(&a, NULL, now);
    }
    REQUIRE_EQ(1 + p % 3, SLOW_NODE);
    CHECK_EQ(append(&a, NULL, now + 4), p); /* its batch lingers */
    drain_and_answer(&a, now + 5);          /* ready, and node 2 takes nothing */
    int32_t q = append(&a, NULL, now + 5);
    CHECK(q != p); /* not piling up behind node 2 */
    kfk_accum_free(&a);
}
