/* Keyless records into a 1,000-partition topic (issue 18). The broker
 * pays for each partition append (more for a partition's first in a
 * leader epoch), so the sticky partitioner must fill large batches rather
 * than spread 16 KiB ones over hundreds of partitions, as the Java
 * client's batch.size default did here: 300,000 x 100 B took 2,000
 * appends over ~865 partitions and several times librdkafka's wall time.
 * With linger.ms far off, a batch closes only when full (or at flush), so
 * the partitions written are a count, not a timing. */
#include "admin_it.h"
#include "produce_it.h"

#define PARTS 1000
#define COUNT 30000
#define SIZE 100

typedef struct tally {
    atomic_int delivered, errors;
    atomic_int first_err;
    atomic_uchar hit[PARTS];
} tally;

static void on_delivery(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    (void)p;
    tally *t = opaque;
    if (d->err) {
        if (atomic_fetch_add(&t->errors, 1) == 0) atomic_store(&t->first_err, d->err);
        return;
    }
    atomic_fetch_add(&t->delivered, 1);
    if (d->partition >= 0 && d->partition < PARTS) atomic_store(&t->hit[d->partition], 1);
}

TEST(keyless_records_fill_few_large_batches_at_the_default_batch_size) {
    const char *b = it_bootstrap();
    if (!b) return;
    char topic[128];
    it_topic(topic, sizeof topic, "many-parts");
    if (pit_create_topic(b, topic, PARTS, -1, NULL)) return;
    static tally t;
    kfk_producer_callbacks cbs = {.delivery = on_delivery, .opaque = &t};
    /* Only linger.ms changes (batches close when full); batch.size, acks
     * and idempotence are the defaults. */
    kfk_producer *p = pit_producer(b, &cbs, (const char *[]){"linger.ms", "60000", NULL});
    if (!p) return;
    char value[SIZE];
    memset(value, 'v', sizeof value);
    int failed = 0;
    for (int i = 0; i < COUNT; i++) {
        kfk_message m = {.topic = topic, .partition = KFK_PARTITION_ANY, .value = value,
                         .value_len = sizeof value};
        failed += kfk_producer_send(p, &m, 0) != 0;
        kfk_producer_poll(p, 0);
    }
    CHECK_EQ(kfk_producer_flush(p, 60000), 0);
    kfk_producer_poll(p, 0);
    int parts = 0;
    for (int i = 0; i < PARTS; i++) parts += atomic_load(&t.hit[i]);
    printf("%d records of %d B: %d partitions written, %d errors (first %s)\n", COUNT, SIZE, parts,
           atomic_load(&t.errors), kfk_err_name(atomic_load(&t.first_err)));
    CHECK_EQ(failed, 0);
    CHECK_EQ(atomic_load(&t.errors), 0);
    CHECK_EQ(atomic_load(&t.delivered), COUNT);
    /* ~3.4 MB: four batches of batch.size at 1,000,000 B, a partition
     * each (two on one if the partitioner drew it twice); 16 KiB batches
     * wrote ~190. */
    CHECK(parts >= 1);
    CHECK(parts <= 5);
    kfk_producer_destroy(p);
    /* Its partitions hold thousands of files open on the broker: give them
     * back to the tests that follow. */
    kfk_admin *a = admin_new_on(b);
    if (!a) return;
    const char *names[] = {topic};
    kfk_admin_result *r = kfk_admin_delete_topics(a, names, 1, NULL, NULL, NULL);
    CHECK(r && r->err == 0);
    kfk_admin_result_destroy(r);
    kfk_admin_destroy(a);
}
