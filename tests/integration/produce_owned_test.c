/* Handing values over (KFK_SEND_FREE): large values are sent from the
 * caller's buffer, small ones copied; every value comes back exact (read
 * with kcat) and is freed exactly once, with and without compression, and
 * a refused send leaves the buffer to the caller. */
#include <stdlib.h>

#include "produce_it.h"

/* The values handed over, sorted by address so the allocator's free can
 * tell them apart from kfk's own memory. */
enum { MAXV = 400 };
static struct owned {
    char *ptr;
    int idx;
} owned[MAXV];
static int nowned;
static atomic_int freed[MAXV];

static int by_ptr(const void *a, const void *b) {
    const struct owned *x = a, *y = b;
    return x->ptr < y->ptr ? -1 : x->ptr > y->ptr;
}

/* Marks a value freed. Once freed, its address may come back from malloc
 * for kfk's own memory, so only the first free counts (a double free is
 * AddressSanitizer's to catch). */
static void counting_free(void *p) {
    struct owned key = {p, 0};
    const struct owned *o = p ? bsearch(&key, owned, (size_t)nowned, sizeof key, by_ptr) : NULL;
    int zero = 0;
    if (o) atomic_compare_exchange_strong(&freed[o->idx], &zero, 1);
    free(p);
}

static const kfk_allocator counting = {malloc, realloc, counting_free};

/* Value i: its size, then printable bytes that depend on i. */
static size_t value_size(int i) {
    static const size_t sizes[] = {100, 1 << 20, 100, 65536, 5000, 65535, 4096, 4095,
                                   65536, 1, 100, 65536, 100, 100};
    return sizes[i % (int)(sizeof sizes / sizeof *sizes)];
}

static void fill(char *v, size_t n, int i) {
    for (size_t k = 0; k < n; k++) v[k] = (char)('a' + (k * 7 + (size_t)i * 3) % 26);
}

/* Allocates the n values (through malloc, the allocator kfk frees with). */
static char **make_values(int n) {
    char **v = calloc((size_t)n, sizeof *v);
    nowned = n;
    for (int i = 0; i < n; i++) {
        v[i] = malloc(value_size(i));
        fill(v[i], value_size(i), i);
        owned[i] = (struct owned){v[i], i};
        atomic_store(&freed[i], 0);
    }
    qsort(owned, (size_t)n, sizeof *owned, by_ptr);
    return v;
}

typedef struct reports {
    int ok, failed;
    int *seen;
    char errstr[200];
} reports;

static void on_report(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    (void)p;
    reports *r = opaque;
    if (d->err) {
        r->failed++;
        snprintf(r->errstr, sizeof r->errstr, "%s", d->errstr ? d->errstr : "");
    } else {
        r->ok++;
    }
    r->seen[(intptr_t)d->opaque]++;
}

/* kcat's "partition key size value" lines against the values sent. */
static void verify(const char *b, const char *topic, int n) {
    size_t len = 0;
    char *out = pit_kcat(b, topic, "%p %k %S %s\\n", &len);
    REQUIRE(out);
    int *got = calloc((size_t)n, sizeof *got), bad = 0, lines = 0, last[2] = {-1, -1};
    char *want = malloc(1 << 20);
    for (char *p = out, *end = out + len; p < end; lines++) {
        int part, idx, used;
        size_t size;
        if (sscanf(p, "%d %d %zu %n", &part, &idx, &size, &used) != 3 || idx < 0 || idx >= n ||
            (size_t)(end - p) < (size_t)used + size + 1) {
            bad++;
            break;
        }
        p += used;
        fill(want, value_size(idx), idx);
        if (part != idx % 2 || size != value_size(idx) || memcmp(p, want, size) != 0 ||
            p[size] != '\n' || idx <= last[part])
            bad++;
        last[part] = idx;
        got[idx]++;
        p += size + 1;
    }
    CHECK_EQ(lines, n);
    CHECK_EQ(bad, 0);
    for (int i = 0; i < n; i++) CHECK_EQ(got[i], 1);
    free(want);
    free(got);
    free(out);
}

static void owned_round_trip(const char *codec, int n) {
    const char *b = it_bootstrap();
    REQUIRE(b);
    char topic[128];
    it_topic(topic, sizeof topic, codec);
    REQUIRE(pit_create_topic(b, topic, 2, -1,
                             (const char *[]){"max.message.bytes", "8388608", NULL}) == 0);
    kfk_set_allocator(&counting);
    char **v = make_values(n);
    reports r = {.seen = calloc((size_t)n, sizeof(int))};
    kfk_producer_callbacks cbs = {.delivery = on_report, .opaque = &r};
    kfk_producer *p = pit_producer(b, &cbs,
                                   (const char *[]){"enable.idempotence", "true", "acks", "all",
                                                    "linger.ms", "5", "compression.type", codec,
                                                    "max.request.size", "4194304", NULL});
    REQUIRE(p);
    int sent = 0;
    for (int i = 0; i < n; i++) {
        char key[16];
        int klen = snprintf(key, sizeof key, "%d", i);
        kfk_message m = {.topic = topic, .partition = i % 2, .key = key, .key_len = (size_t)klen,
                         .value = v[i], .value_len = value_size(i), .opaque = (void *)(intptr_t)i};
        /* The key is not handed over: KFK_SEND_FREE would free it. */
        char *k = malloc((size_t)klen);
        memcpy(k, key, (size_t)klen);
        m.key = k;
        int rc = kfk_producer_send(p, &m, KFK_SEND_FREE);
        CHECK_EQ(rc, 0);
        if (rc) free(v[i]);
        sent += rc == 0;
        /* Values under 64 KiB are copied into the batch and freed in send. */
        if (!rc && value_size(i) < 65536) CHECK_EQ(atomic_load(&freed[i]), 1);
        if (i % 50 == 0) kfk_producer_poll(p, 0);
    }
    /* Compressed batches copy every value: each is freed inside send. */
    if (strcmp(codec, "none") != 0)
        for (int i = 0; i < n; i++) CHECK_EQ(atomic_load(&freed[i]), 1);
    CHECK_EQ(kfk_producer_close(p, 60000), 0);
    kfk_set_allocator(NULL);
    CHECK_EQ(r.ok, sent);
    CHECK_EQ(r.failed, 0);
    if (r.failed) printf("  %s\n", r.errstr);
    for (int i = 0; i < n; i++) CHECK_EQ(r.seen[i], 1);
    for (int i = 0; i < n; i++) CHECK_EQ(atomic_load(&freed[i]), 1);
    verify(b, topic, n);
    free(r.seen);
    free(v);
}

TEST(owned_values_uncompressed_come_back_exact_and_are_freed_once) {
    owned_round_trip("none", 280);
}

TEST(owned_values_compressed_are_copied_and_freed_at_once) { owned_round_trip("lz4", 140); }

/* A refused send leaves the value with the caller, referenced size or not. */
TEST(refused_owned_send_keeps_the_buffer) {
    const char *b = it_bootstrap();
    REQUIRE(b);
    char topic[128];
    it_topic(topic, sizeof topic, "refused");
    REQUIRE(pit_create_topic(b, topic, 1, -1, NULL) == 0);
    kfk_set_allocator(&counting);
    char **v = make_values(4);
    kfk_producer *p = pit_producer(b, NULL, (const char *[]){"max.request.size", "100000", NULL});
    REQUIRE(p);
    kfk_message m = {.topic = topic, .partition = 0, .value = "x", .value_len = 1};
    CHECK_EQ(kfk_producer_send(p, &m, KFK_SEND_COPY), 0);
    CHECK_EQ(kfk_producer_flush(p, 30000), 0); /* the partition count is known now */
    m.value = v[1];
    m.value_len = value_size(1);
    CHECK_EQ(kfk_producer_send(p, &m, KFK_SEND_FREE), KFK_ERR_MSG_TOO_LARGE); /* 1 MiB */
    m.partition = 5;
    for (int i = 0; i < 4; i += 3) {
        m.value = v[i];
        m.value_len = value_size(i);
        CHECK_EQ(kfk_producer_send(p, &m, KFK_SEND_FREE), KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    }
    kfk_producer_destroy(p);
    kfk_set_allocator(NULL);
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(atomic_load(&freed[i]), 0);
        free(v[i]);
    }
    free(v);
}
