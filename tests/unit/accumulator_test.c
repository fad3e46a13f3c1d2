/* The accumulator without a network: batching by batch.size and linger.ms,
 * the sticky partitioner, memory bounds, sequence numbers, retry order,
 * expiry, leader hints (KIP-951). The drain is called as the sender
 * would, with fake times. */
#include "core/alloc.h"
#include "producer/accumulator.h"
#include "test.h"

static int wakes;
static void on_wake(void *opaque) {
    (void)opaque;
    wakes++;
}
static int any_room(void *ctx, int32_t node, size_t bytes) {
    (void)ctx, (void)node, (void)bytes;
    return 1;
}

static void setup(kfk_accum *a, int32_t batch_size, int32_t linger) {
    kfk_accum_conf c = {.batch_size = batch_size, .linger_ms = linger,
                        .delivery_timeout_ms = 1000, .buffer_memory = 1 << 20,
                        .max_request_size = 1 << 20, .wake = on_wake};
    kfk_accum_init(a, &c);
}

/* Metadata: one topic with n partitions, all led by node 1 (for topics
 * already sent to: the accumulator keeps only those). */
static void set_topic(kfk_accum *a, const char *name, int n) {
    kfk_md_partition parts[16];
    for (int i = 0; i < n; i++) parts[i] = (kfk_md_partition){.id = i, .leader = 1};
    kfk_md_topic t = {.name = name, .partitions = parts, .npartitions = n};
    kfk_metadata md = {.topics = &t, .ntopics = 1};
    kfk_accum_sync_metadata(a, &md);
}

static int send(kfk_accum *a, const char *topic, int32_t partition, const char *key,
                int64_t now, int32_t *out) {
    static const char value[20] = "0123456789abcdefghi";
    kfk_accum_msg m = {.topic = topic, .partition = partition,
                       .key = key ? (kfk_bytes){(const uint8_t *)key, (int32_t)strlen(key)}
                                  : (kfk_bytes){NULL, -1},
                       .value = {(const uint8_t *)value, 20}, .timestamp = 1000};
    int32_t p;
    return kfk_accum_append(a, &m, now, 0, out ? out : &p);
}

static int drain(kfk_accum *a, int64_t now, kfk_drain_out *out, int idempotent) {
    kfk_drain_args args = {.now = now, .idempotent = idempotent, .pid = 9, .epoch = 1,
                           .room = any_room};
    kfk_accum_drain(a, &args, out);
    int n = 0;
    for (kfk_list *e = out->ready.next; e != &out->ready; e = e->next) n++;
    return n;
}

static void finish_all(kfk_accum *a, kfk_list *l) {
    pthread_mutex_lock(&a->lock);
    for (kfk_list *e = l->next; e != l; e = e->next)
        kfk_accum_done_locked(a, KFK_CONTAINER_OF(e, kfk_pbatch, link));
    pthread_mutex_unlock(&a->lock);
    kfk_accum_recycle(a, l);
}

TEST(linger_holds_a_batch_until_it_expires) {
    kfk_accum a;
    setup(&a, 16384, 50);
    kfk_drain_out out;
    /* A partition given explicitly needs no metadata to queue, only to go. */
    CHECK_EQ(send(&a, "t", 0, NULL, 100, NULL), 0);
    CHECK_EQ(drain(&a, 100, &out, 0), 0);
    CHECK_EQ(out.need_md, 1);
    set_topic(&a, "t", 2);
    CHECK_EQ(send(&a, "t", 0, NULL, 120, NULL), 0);
    CHECK_EQ(drain(&a, 149, &out, 0), 0);
    CHECK_EQ(out.next, 150); /* exactly linger.ms after the first record */
    CHECK_EQ(drain(&a, 150, &out, 0), 1);
    kfk_pbatch *b = KFK_CONTAINER_OF(out.ready.next, kfk_pbatch, link);
    CHECK_EQ(b->bb.count, 2);
    CHECK_EQ(a.queued, 2);
    finish_all(&a, &out.ready);
    CHECK_EQ(a.queued, 0);
    CHECK_EQ(a.mem_used, 0);
    kfk_accum_free(&a);
}

TEST(batch_size_closes_batches_and_flush_sends_the_rest) {
    kfk_accum a;
    setup(&a, 200, 1000000);
    for (int i = 0; i < 20; i++) CHECK_EQ(send(&a, "t", 0, NULL, 0, NULL), 0);
    set_topic(&a, "t", 1);
    kfk_drain_out out;
    /* The full batch goes at once; one per partition per drain. */
    REQUIRE_EQ(drain(&a, 1, &out, 0), 1);
    kfk_pbatch *b = KFK_CONTAINER_OF(out.ready.next, kfk_pbatch, link);
    CHECK(kfk_batch_builder_size(&b->bb) <= 200);
    CHECK(b->bb.count > 1);
    int first = b->bb.count;
    finish_all(&a, &out.ready);
    int total = first;
    while (drain(&a, 2, &out, 0)) {
        total += KFK_CONTAINER_OF(out.ready.next, kfk_pbatch, link)->bb.count;
        finish_all(&a, &out.ready);
    }
    CHECK(total < 20); /* the open batch waits for linger.ms */
    a.flushing = 1;
    REQUIRE_EQ(drain(&a, 3, &out, 0), 1);
    total += KFK_CONTAINER_OF(out.ready.next, kfk_pbatch, link)->bb.count;
    finish_all(&a, &out.ready);
    CHECK_EQ(total, 20);
    kfk_accum_free(&a);
}

/* A batch's buffer grows four-fold from 256 B and stops at batch.size:
 * four copies on the way to 64 KiB, not nine, and no slack past it. */
TEST(batch_buffer_grows_four_fold_to_batch_size) {
    kfk_accum a;
    setup(&a, 65536, 1000000);
    size_t caps[8];
    int ncaps = 0, records = 0;
    kfk_ppart *pp = NULL;
    do {
        REQUIRE_EQ(send(&a, "t", 0, NULL, 0, NULL), 0);
        records++;
        pp = a.topics[0]->parts[0];
        size_t cap = pp->open->buf.cap;
        if (!ncaps || caps[ncaps - 1] != cap) {
            REQUIRE(ncaps < 8);
            caps[ncaps++] = cap;
        }
    } while (pp->open == KFK_CONTAINER_OF(pp->queue.next, kfk_pbatch, link));
    const size_t want[] = {256, 1024, 4096, 16384, 65536, 256};
    REQUIRE_EQ(ncaps, 6); /* the last: the second batch's */
    for (int i = 0; i < ncaps; i++) CHECK_EQ(caps[i], want[i]);
    kfk_pbatch *first = KFK_CONTAINER_OF(pp->queue.next, kfk_pbatch, link);
    CHECK(first->buf.len <= 65536);
    CHECK(first->buf.len + 30 > 65536); /* full: the next record did not fit */
    CHECK_EQ(first->bb.count + 1, records);
    kfk_accum_free(&a);
}

/* Room for one batch per request: each drain starts with the partition,
 * and the topic, the last one had no room for, so all go in turn rather
 * than the first one's batches again and again. */
static int room_left;
static int one_batch_room(void *ctx, int32_t node, size_t bytes) {
    (void)ctx, (void)node, (void)bytes;
    return room_left-- > 0;
}

static const char *drain_one(kfk_accum *a, int32_t *partition) {
    kfk_drain_out out;
    kfk_drain_args args = {.now = 1, .room = one_batch_room};
    room_left = 1;
    kfk_accum_drain(a, &args, &out);
    if (kfk_list_empty(&out.ready)) return NULL;
    kfk_pbatch *b = KFK_CONTAINER_OF(out.ready.next, kfk_pbatch, link);
    const char *topic = b->part->topic->name;
    *partition = b->part->id;
    finish_all(a, &out.ready);
    return topic;
}

TEST(full_requests_take_partitions_and_topics_in_turn) {
    kfk_accum a;
    setup(&a, 200, 1000000);
    for (int p = 0; p < 4; p++)
        for (int i = 0; i < 40; i++) CHECK_EQ(send(&a, "t", p, NULL, 0, NULL), 0);
    set_topic(&a, "t", 4);
    int served[4] = {0};
    for (int d = 0; d < 8; d++) {
        int32_t p = -1;
        REQUIRE(drain_one(&a, &p) != NULL);
        served[p]++;
    }
    for (int p = 0; p < 4; p++) CHECK_EQ(served[p], 2);
    kfk_accum_free(&a);

    setup(&a, 200, 1000000);
    for (int i = 0; i < 40; i++) {
        CHECK_EQ(send(&a, "t", 0, NULL, 0, NULL), 0);
        CHECK_EQ(send(&a, "u", 0, NULL, 0, NULL), 0);
    }
    set_topic(&a, "t", 1);
    set_topic(&a, "u", 1);
    int ts = 0, us = 0;
    for (int d = 0; d < 4; d++) {
        int32_t p;
        const char *topic = drain_one(&a, &p);
        REQUIRE(topic != NULL);
        ts += topic[0] == 't';
        us += topic[0] == 'u';
    }
    CHECK_EQ(ts, 2);
    CHECK_EQ(us, 2);
    kfk_accum_free(&a);
}

TEST(sticky_partitioner_switches_when_its_batch_is_done) {
    kfk_accum a;
    setup(&a, 300, 1000000);
    CHECK_EQ(send(&a, "t", 7, NULL, 0, NULL), 0);
    set_topic(&a, "t", 8);
    int32_t first, p;
    CHECK_EQ(send(&a, "t", KFK_PARTITION_ANY, NULL, 0, &first), 0);
    int same = 1;
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(send(&a, "t", KFK_PARTITION_ANY, NULL, 0, &p), 0);
        same &= p == first;
    }
    CHECK(same); /* while the batch has room */
    int moved = 0;
    for (int i = 0; i < 20; i++) {
        CHECK_EQ(send(&a, "t", KFK_PARTITION_ANY, NULL, 0, &p), 0);
        moved |= p != first;
    }
    CHECK(moved); /* the batch filled: another partition */
    /* Keys go by murmur2, whatever the sticky partition. */
    CHECK_EQ(send(&a, "t", KFK_PARTITION_ANY, "key1", 0, &p), 0);
    int32_t again;
    CHECK_EQ(send(&a, "t", KFK_PARTITION_ANY, "key1", 0, &again), 0);
    CHECK_EQ(p, again);
    kfk_accum_free(&a);
}

TEST(unknown_partition_count_and_range) {
    kfk_accum a;
    setup(&a, 16384, 0);
    int32_t p;
    CHECK_EQ(send(&a, "u", KFK_PARTITION_ANY, NULL, 0, &p), KFK_ERR_NOENT);
    set_topic(&a, "u", 2);
    CHECK_EQ(send(&a, "u", 2, NULL, 0, &p), KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    CHECK_EQ(send(&a, "u", KFK_PARTITION_ANY, NULL, 0, &p), 0);
    CHECK(p == 0 || p == 1);
    kfk_accum_free(&a);
}

static int32_t beyond(const char *topic, const void *key, size_t key_len, int32_t cnt,
                      void *opaque) {
    (void)topic, (void)key, (void)key_len, (void)opaque;
    return cnt + 1;
}

TEST(custom_partitioner_out_of_range_is_refused) {
    kfk_accum a;
    kfk_accum_conf c = {.batch_size = 16384, .delivery_timeout_ms = 1000,
                        .buffer_memory = 1 << 20, .max_request_size = 1 << 20,
                        .wake = on_wake, .custom = beyond};
    kfk_accum_init(&a, &c);
    int32_t p = -7;
    CHECK_EQ(send(&a, "c", 5, NULL, 0, &p), 0);
    CHECK_EQ(p, 5);
    set_topic(&a, "c", 8);
    /* the refusal (broker code 3, positive) was once taken for partition 3 */
    CHECK_EQ(send(&a, "c", KFK_PARTITION_ANY, NULL, 0, &p), KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    CHECK_EQ(send(&a, "c", KFK_PARTITION_ANY, "k", 0, &p), KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    kfk_accum_free(&a);
}

TEST(buffer_memory_full_is_queue_full_without_waiting) {
    kfk_accum a;
    kfk_accum_conf c = {.batch_size = 100, .linger_ms = 1000, .delivery_timeout_ms = 1000,
                        .buffer_memory = 1024, .max_request_size = 1 << 20, .wake = on_wake};
    kfk_accum_init(&a, &c);
    int rc = 0, n = 0;
    while ((rc = send(&a, "t", 0, NULL, 0, NULL)) == 0) n++;
    CHECK_EQ(rc, KFK_ERR_QUEUE_FULL);
    CHECK(n > 5 && n < 40);
    CHECK(a.mem_used <= 1024);
    kfk_accum_free(&a);
}

TEST(sequences_in_order_and_retries_go_alone_in_order) {
    kfk_accum a;
    setup(&a, 100, 0);
    kfk_drain_out out;
    kfk_list flight;
    kfk_list_init(&flight);
    for (int i = 0; i < 12; i++) CHECK_EQ(send(&a, "t", 0, NULL, 0, NULL), 0);
    set_topic(&a, "t", 1);
    /* First batch of the epoch: alone until acknowledged. */
    REQUIRE_EQ(drain(&a, 1, &out, 1), 1);
    kfk_pbatch *b0 = KFK_CONTAINER_OF(out.ready.next, kfk_pbatch, link);
    CHECK_EQ(b0->base_seq, 0);
    CHECK_EQ(b0->pid, 9);
    kfk_list_splice_tail(&flight, &out.ready);
    CHECK_EQ(drain(&a, 1, &out, 1), 0);
    finish_all(&a, &flight);
    /* Then up to five in flight, sequences consecutive. */
    int32_t next = b0->bb.count, n = 0;
    kfk_pbatch *sent[5];
    while (drain(&a, 1, &out, 1)) {
        kfk_pbatch *b = KFK_CONTAINER_OF(out.ready.next, kfk_pbatch, link);
        CHECK_EQ(b->base_seq, next);
        next += b->bb.count;
        sent[n++] = b;
        kfk_list_remove(&b->link);
        kfk_list_init(&b->link);
    }
    REQUIRE_EQ(n, 5);
    /* All five fail retriably; requeued in any order they keep sequence
     * order, and each goes alone. */
    pthread_mutex_lock(&a.lock);
    for (int i = 4; i >= 0; i--) kfk_accum_requeue_locked(&a, sent[i], 0);
    pthread_mutex_unlock(&a.lock);
    for (int i = 0; i < 5; i++) {
        REQUIRE_EQ(drain(&a, 1, &out, 1), 1);
        kfk_pbatch *b = KFK_CONTAINER_OF(out.ready.next, kfk_pbatch, link);
        CHECK(b == sent[i]);
        kfk_list_init(&flight);
        kfk_list_remove(&b->link);
        kfk_list_insert_tail(&flight, &b->link);
        /* Nothing beside a retry; new batches may follow the last one. */
        CHECK_EQ(drain(&a, 1, &out, 1), i < 4 ? 0 : 1);
        kfk_list_splice_tail(&flight, &out.ready);
        finish_all(&a, &flight);
    }
    CHECK_EQ(a.topics[0]->parts[0]->acked_next, 7);
    kfk_accum_free(&a);
}

TEST(expired_batches_fail_and_a_sequenced_one_asks_for_a_bump) {
    kfk_accum a;
    setup(&a, 16384, 0);
    kfk_drain_out out;
    CHECK_EQ(send(&a, "gone", 0, NULL, 0, NULL), 0);
    CHECK_EQ(drain(&a, 999, &out, 1), 0);
    CHECK(kfk_list_empty(&out.failed));
    CHECK_EQ(drain(&a, 1000, &out, 1), 0);
    REQUIRE(!kfk_list_empty(&out.failed));
    kfk_pbatch *b = KFK_CONTAINER_OF(out.failed.next, kfk_pbatch, link);
    CHECK_EQ(b->err, KFK_ERR_TIMED_OUT);
    CHECK(strstr(b->errstr, "gone [0]") != NULL);
    CHECK_EQ(out.need_bump, 0);
    finish_all(&a, &out.failed);
    /* A batch that was sent, then requeued and expired, leaves a gap. */
    set_topic(&a, "gone", 1);
    CHECK_EQ(send(&a, "gone", 0, NULL, 2000, NULL), 0);
    REQUIRE_EQ(drain(&a, 2000, &out, 1), 1);
    b = KFK_CONTAINER_OF(out.ready.next, kfk_pbatch, link);
    kfk_list_remove(&b->link);
    pthread_mutex_lock(&a.lock);
    kfk_accum_requeue_locked(&a, b, 2500);
    pthread_mutex_unlock(&a.lock);
    CHECK_EQ(drain(&a, 3000, &out, 1), 0);
    CHECK_EQ(out.need_bump, 1);
    finish_all(&a, &out.failed);
    kfk_accum_free(&a);
}

TEST(completion_frees_memory_and_count_before_the_report_is_polled) {
    kfk_accum a;
    kfk_accum_conf c = {.batch_size = 16384, .linger_ms = 0, .delivery_timeout_ms = 1000,
                        .buffer_memory = 1 << 20, .max_messages = 5,
                        .max_request_size = 1 << 20, .wake = on_wake};
    kfk_accum_init(&a, &c);
    for (int i = 0; i < 5; i++) CHECK_EQ(send(&a, "t", 0, NULL, 0, NULL), 0);
    CHECK_EQ(send(&a, "t", 0, NULL, 0, NULL), KFK_ERR_QUEUE_FULL); /* max_messages */
    set_topic(&a, "t", 1);
    kfk_drain_out out;
    REQUIRE_EQ(drain(&a, 1, &out, 0), 1);
    kfk_pbatch *b = KFK_CONTAINER_OF(out.ready.next, kfk_pbatch, link);
    pthread_mutex_lock(&a.lock);
    kfk_accum_done_locked(&a, b);
    pthread_mutex_unlock(&a.lock);
    /* Reported, not polled: only what the report needs is still held. */
    CHECK_EQ(a.mem_used, 0);
    CHECK_EQ(a.pending, 0);
    CHECK(b->buf.data == NULL);
    CHECK(a.bufs != NULL);
    CHECK_EQ(b->bb.count, 5);
    CHECK_EQ(a.queued, 5); /* flush still waits for the callbacks */
    CHECK_EQ(send(&a, "t", 0, NULL, 2, NULL), 0);
    CHECK(a.bufs == NULL); /* the new batch took the pooled buffer */
    kfk_accum_recycle(&a, &out.ready);
    CHECK_EQ(a.queued, 1);
    kfk_accum_free(&a);
}

/* Metadata: topic name (id byte idb) with partition 0 led by leader at
 * epoch. */
static void set_leader(kfk_accum *a, const char *name, uint8_t idb, int32_t leader,
                       int32_t epoch) {
    kfk_md_partition part = {.id = 0, .leader = leader, .leader_epoch = epoch};
    kfk_md_topic t = {.name = name, .id = {{idb}}, .partitions = &part, .npartitions = 1};
    kfk_metadata md = {.topics = &t, .ntopics = 1};
    kfk_accum_sync_metadata(a, &md);
}

/* Sends one record to partition 0 and drains it; its node (-2: failed). */
static int32_t node_of_next(kfk_accum *a, int64_t now) {
    if (send(a, "h", 0, NULL, now, NULL)) return -2;
    kfk_drain_out out;
    a->flushing = 1;
    int n = drain(a, now, &out, 0);
    a->flushing = 0;
    if (n != 1) return -2;
    kfk_pbatch *b = KFK_CONTAINER_OF(out.ready.next, kfk_pbatch, link);
    int32_t node = b->node;
    finish_all(a, &out.ready);
    return node;
}

static int hint(kfk_accum *a, int32_t leader, int32_t epoch) {
    pthread_mutex_lock(&a->lock);
    kfk_ppart *pp = a->topics[0]->parts[0];
    int rc = kfk_accum_leader_hint_locked(a, pp, leader, epoch);
    pthread_mutex_unlock(&a->lock);
    return rc;
}

TEST(leader_hint_moves_a_partition_until_metadata_catches_up) {
    kfk_accum a;
    setup(&a, 1 << 16, 0);
    REQUIRE_EQ(send(&a, "h", 0, NULL, 0, NULL), 0);
    set_leader(&a, "h", 1, 1, 5);
    CHECK_EQ(node_of_next(&a, 1), 1);
    CHECK_EQ(hint(&a, 2, 4), 0); /* older than what metadata said */
    CHECK_EQ(hint(&a, 2, -1), 0);
    CHECK_EQ(node_of_next(&a, 2), 1);
    CHECK_EQ(hint(&a, 2, 6), 1);
    CHECK_EQ(hint(&a, 2, 6), 1); /* already there */
    CHECK_EQ(node_of_next(&a, 3), 2);
    set_leader(&a, "h", 1, 1, 5); /* metadata older than the hint */
    CHECK_EQ(node_of_next(&a, 4), 2);
    set_leader(&a, "h", 1, 3, 7); /* newer */
    CHECK_EQ(node_of_next(&a, 5), 3);
    CHECK_EQ(hint(&a, 2, 6), 0);
    /* Re-created: its epochs start over, and outrank an old hint. */
    CHECK_EQ(hint(&a, 2, 9), 1);
    set_leader(&a, "h", 2, 1, 0);
    CHECK_EQ(node_of_next(&a, 6), 1);
    kfk_accum_free(&a);
}

/* Transactions: sends outside one are refused; a partition joins at its
 * first message and (protocol v1) its batches wait until it is added. */
TEST(transaction_partitions_join_and_wait_to_be_added) {
    kfk_accum a;
    setup(&a, 16384, 0);
    a.txn_mode = 1;
    a.txn_refuse = KFK_ERR_STATE;
    CHECK_EQ(send(&a, "t", 0, NULL, 100, NULL), KFK_ERR_STATE);
    CHECK_EQ(a.queued, 0);
    a.txn_refuse = 0;
    wakes = 0;
    CHECK_EQ(send(&a, "t", 1, NULL, 100, NULL), 0);
    CHECK_EQ(send(&a, "t", 1, NULL, 100, NULL), 0);
    CHECK_EQ(send(&a, "t", 2, NULL, 100, NULL), 0);
    set_topic(&a, "t", 3);
    CHECK_EQ(a.ntxn, 2); /* each partition once, in the order they joined */
    CHECK_EQ(a.txn_parts[0]->id, 1);
    CHECK_EQ(a.txn_parts[1]->id, 2);
    CHECK_EQ(a.txn_parts[0]->txn, KFK_PTXN_PENDING);
    CHECK(wakes > 0); /* the sender asks for them */
    kfk_drain_out out;
    kfk_drain_args args = {.now = 200, .idempotent = 1, .pid = 9, .epoch = 1, .txn = 1,
                           .room = any_room};
    kfk_accum_drain(&a, &args, &out);
    CHECK(kfk_list_empty(&out.ready));
    CHECK_EQ(a.txn_sent, 0);
    a.txn_parts[1]->txn = KFK_PTXN_ADDED;
    kfk_accum_drain(&a, &args, &out);
    REQUIRE(!kfk_list_empty(&out.ready));
    CHECK_EQ(KFK_CONTAINER_OF(out.ready.next, kfk_pbatch, link)->part->id, 2);
    CHECK_EQ(a.txn_sent, 1);
    finish_all(&a, &out.ready);
    /* Neither open nor committing: nothing goes. */
    a.txn_parts[0]->txn = KFK_PTXN_ADDED;
    a.txn_halt = 1;
    kfk_accum_drain(&a, &args, &out);
    CHECK(kfk_list_empty(&out.ready));
    a.txn_halt = 0;
    kfk_accum_drain(&a, &args, &out);
    CHECK(!kfk_list_empty(&out.ready));
    finish_all(&a, &out.ready);
    /* The transaction ends: partitions join the next one anew. */
    pthread_mutex_lock(&a.lock);
    kfk_accum_txn_reset_locked(&a);
    pthread_mutex_unlock(&a.lock);
    CHECK_EQ(a.ntxn, 0);
    CHECK_EQ(a.txn_sent, 0);
    CHECK_EQ(send(&a, "t", 1, NULL, 300, NULL), 0);
    CHECK_EQ(a.ntxn, 1);
    /* Protocol v2: the Produce request adds it; it may go at once. */
    pthread_mutex_lock(&a.lock);
    kfk_accum_txn_reset_locked(&a);
    pthread_mutex_unlock(&a.lock);
    a.txn_v2 = 1;
    CHECK_EQ(send(&a, "t", 0, NULL, 300, NULL), 0);
    CHECK_EQ(a.txn_parts[0]->txn, KFK_PTXN_ADDED);
    args.txn = 0;
    args.now = 400;
    kfk_accum_drain(&a, &args, &out);
    CHECK(!kfk_list_empty(&out.ready));
    finish_all(&a, &out.ready);
    kfk_accum_free(&a);
}

/* A just-created topic: its partition count is known before every leader
 * is. Keyless records go only where a leader is and are drained at once;
 * a record for a leaderless partition waits there without holding up the
 * others, and asks for metadata. */
TEST(partitions_without_a_leader_do_not_hold_up_the_others) {
    kfk_accum a;
    setup(&a, 16384, 0);
    kfk_md_partition parts[4];
    for (int i = 0; i < 4; i++)
        parts[i] = (kfk_md_partition){.id = i, .leader = i < 2 ? 1 : -1, .leader_epoch = 0};
    kfk_md_topic t = {.name = "new", .partitions = parts, .npartitions = 4};
    kfk_metadata md = {.topics = &t, .ntopics = 1};
    CHECK_EQ(send(&a, "new", 3, NULL, 0, NULL), 0); /* the topic joins the accumulator */
    kfk_accum_sync_metadata(&a, &md);
    for (int i = 0; i < 50; i++) {
        int32_t p = -1;
        CHECK_EQ(send(&a, "new", KFK_PARTITION_ANY, NULL, 0, &p), 0);
        CHECK(p == 0 || p == 1);
    }
    kfk_drain_out out;
    int n = drain(&a, 0, &out, 0);
    CHECK(n >= 1);
    int drained = 0;
    for (kfk_list *e = out.ready.next; e != &out.ready; e = e->next) {
        const kfk_pbatch *b = KFK_CONTAINER_OF(e, kfk_pbatch, link);
        CHECK(b->part->id < 2);
        drained += b->bb.count;
    }
    CHECK_EQ(drained, 50);
    CHECK_EQ(out.need_md, 1); /* partition 3 still waits for its leader */
    finish_all(&a, &out.ready);
    CHECK_EQ(a.queued, 1);
    parts[3].leader = 1;
    kfk_accum_sync_metadata(&a, &md);
    REQUIRE_EQ(drain(&a, 1, &out, 0), 1);
    CHECK_EQ(KFK_CONTAINER_OF(out.ready.next, kfk_pbatch, link)->part->id, 3);
    finish_all(&a, &out.ready);
    CHECK_EQ(a.queued, 0);
    kfk_accum_free(&a);
}
