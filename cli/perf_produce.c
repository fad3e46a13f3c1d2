/* kfk perf produce: COUNT records of SIZE bytes as fast as the producer
 * takes them; latency is send to delivery report, as ProducerPerformance
 * measures it, and the same lines are printed. With transactions, the
 * sends are grouped as ProducerPerformance groups them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __APPLE__
#include <sys/random.h> /* getentropy, which others declare in unistd.h */
#endif

#include "perf.h"
#include "progress.h"

#define WINDOW_MS 5000
#define MAX_SAMPLES 500000

typedef struct stats {
    int64_t start, window_start;
    int *latencies;
    int64_t sampling, samples, nsamples;
    int64_t count, bytes, total_latency;
    int max_latency;
    int64_t window_count, window_bytes, window_total_latency;
    int window_max_latency;
    int64_t failed, record_size;
    int first_err;
} stats;

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void print_window(stats *s, int64_t now) {
    int64_t elapsed = now - s->window_start;
    if (elapsed <= 0) elapsed = 1;
    printf("%lld records sent, %.1f records/sec (%.2f MB/sec), %.1f ms avg latency, %.1f ms max "
           "latency.\n",
           (long long)s->window_count, 1000.0 * (double)s->window_count / (double)elapsed,
           1000.0 * (double)s->window_bytes / (double)elapsed / (1024.0 * 1024.0),
           (double)s->window_total_latency / (double)s->window_count,
           (double)s->window_max_latency);
    fflush(stdout);
    s->window_start = now;
    s->window_count = s->window_bytes = s->window_total_latency = 0;
    s->window_max_latency = 0;
}

static void record(stats *s, int64_t iteration, int latency, int64_t bytes, int64_t now) {
    s->count++;
    s->bytes += bytes;
    s->total_latency += latency;
    if (latency > s->max_latency) s->max_latency = latency;
    s->window_count++;
    s->window_bytes += bytes;
    s->window_total_latency += latency;
    if (latency > s->window_max_latency) s->window_max_latency = latency;
    if (iteration % s->sampling == 0 && s->samples < s->nsamples)
        s->latencies[s->samples++] = latency;
    if (now - s->window_start >= WINDOW_MS) print_window(s, now);
}

static int by_value(const void *a, const void *b) {
    return (*(const int *)a > *(const int *)b) - (*(const int *)a < *(const int *)b);
}

static void print_total(stats *s) {
    int64_t elapsed = now_ms() - s->start;
    if (elapsed <= 0) elapsed = 1;
    int64_t n = s->samples;
    qsort(s->latencies, (size_t)n, sizeof *s->latencies, by_value);
    static const double pct[4] = {0.5, 0.95, 0.99, 0.999};
    int v[4] = {0};
    for (int i = 0; i < 4 && n; i++) v[i] = s->latencies[(int64_t)(pct[i] * (double)n)];
    printf("%lld records sent, %f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms max "
           "latency, %d ms 50th, %d ms 95th, %d ms 99th, %d ms 99.9th.\n",
           (long long)s->count, 1000.0 * (double)s->count / (double)elapsed,
           1000.0 * (double)s->bytes / (double)elapsed / (1024.0 * 1024.0),
           s->count ? (double)s->total_latency / (double)s->count : 0.0, (double)s->max_latency,
           v[0], v[1], v[2], v[3]);
}

/* The opaque carries the send time (ms after start) and the send index. */
static void on_delivery(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    stats *s = opaque;
    uint64_t tag = (uint64_t)(uintptr_t)d->opaque;
    if (d->err) {
        if (!s->failed++) s->first_err = d->err;
        return;
    }
    int64_t now = now_ms();
    int latency = (int)(now - s->start - (int64_t)(tag >> 32));
    record(s, (int64_t)(tag & 0xffffffffu), latency, s->record_size, now);
}

/* ProducerPerformance's default id: a prefix and Kafka's Uuid.randomUuid()
 * form (base64url of 16 random bytes, no padding, never a leading '-'). */
static void random_txn_id(char *out, size_t size) {
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char r[16];
    char id[23];
    do {
        if (getentropy(r, sizeof r) != 0)
            for (size_t i = 0; i < sizeof r; i++) r[i] = (unsigned char)rand();
        size_t n = 0;
        for (size_t i = 0; i < sizeof r; i += 3) {
            uint32_t v = (uint32_t)r[i] << 16;
            if (i + 1 < sizeof r) v |= (uint32_t)r[i + 1] << 8;
            if (i + 2 < sizeof r) v |= r[i + 2];
            for (int k = 0; k < 4 && n < 22; k++) id[n++] = b64[(v >> (18 - 6 * k)) & 63];
        }
        id[n] = '\0';
    } while (id[0] == '-');
    snprintf(out, size, "performance-producer-%s", id);
}

/* Sets transactional.id as ProducerPerformance does; 1 if transactions are
 * on. */
static int txn_setup(perf_opts *o, int64_t *duration_ms, int *rc) {
    char err[512], id[64];
    const char *want = o->txn_id;
    if (!want && !*kfk_conf_get(o->conf, "transactional.id") && !o->txn_duration_ms) return 0;
    if (!want && !*kfk_conf_get(o->conf, "transactional.id")) {
        random_txn_id(id, sizeof id);
        want = id;
    }
    if (want && kfk_conf_set(o->conf, "transactional.id", want, err, sizeof err)) {
        fprintf(stderr, "kfk perf: %s\n", err);
        *rc = 2;
    }
    *duration_ms = o->txn_duration_ms ? o->txn_duration_ms : 3000;
    return 1;
}

/* A transaction call failed: says why, aborts what can be aborted. */
static int txn_failed(kfk_producer *p, const char *call, int e, int timeout_ms) {
    char why[512] = "";
    if (e == KFK_ERR_TRANSACTION_ABORTABLE)
        kfk_producer_txn_error(p, why, sizeof why);
    else if (e == KFK_ERR_FATAL)
        kfk_producer_fatal_error(p, why, sizeof why);
    fprintf(stderr, "kfk perf: %s: %s%s%s\n", call, kfk_err_name(e), *why ? ": " : "", why);
    if (e == KFK_ERR_TRANSACTION_ABORTABLE) kfk_producer_abort_transaction(p, timeout_ms);
    return 1;
}

int cli_perf_produce(perf_opts *o) {
    stats s = {.record_size = o->size};
    s.sampling = o->count / (o->count < MAX_SAMPLES ? o->count : MAX_SAMPLES);
    s.nsamples = o->count / s.sampling + 1;
    s.latencies = calloc((size_t)s.nsamples, sizeof *s.latencies);
    char *payload = malloc((size_t)o->size);
    if (!s.latencies || !payload || o->count > UINT32_MAX) {
        fprintf(stderr, "kfk perf: %s\n", o->count > UINT32_MAX ? "-c is too large" : "out of memory");
        free(s.latencies);
        free(payload);
        return 1;
    }
    srand((unsigned)time(NULL));
    for (int64_t i = 0; i < o->size; i++) payload[i] = (char)('A' + rand() % 26);

    char err[512];
    int64_t txn_ms = 0;
    int rc = 0, txn = txn_setup(o, &txn_ms, &rc);
    int block_ms = (int)strtol(kfk_conf_get(o->conf, "max.block.ms"), NULL, 10);
    kfk_producer_callbacks cbs = {.delivery = on_delivery, .opaque = &s};
    kfk_producer *p = rc ? NULL : kfk_producer_new(o->conf, &cbs, err, sizeof err);
    if (!p) {
        if (!rc) fprintf(stderr, "kfk perf: %s\n", err);
        free(s.latencies);
        free(payload);
        return rc ? rc : 1;
    }
    o->conf = NULL; /* the producer owns it */
    int e = txn ? kfk_producer_init_transactions(p, block_ms) : 0;
    if (e) rc = txn_failed(p, "init_transactions", e, block_ms);
    cli_progress progress;
    cli_progress_init(&progress, o->quiet, o->count);
    s.start = s.window_start = now_ms();
    kfk_message m = {.topic = o->topic, .partition = KFK_PARTITION_ANY, .value = payload,
                     .value_len = (size_t)o->size};
    int64_t in_txn = 0, txn_start = 0;
    for (int64_t i = 0; i < o->count && !rc; i++) {
        if (txn && !in_txn) {
            if ((e = kfk_producer_begin_transaction(p))) {
                rc = txn_failed(p, "begin_transaction", e, block_ms);
                break;
            }
            txn_start = now_ms();
        }
        int64_t send_start = now_ms();
        m.opaque = (void *)(uintptr_t)((uint64_t)(send_start - s.start) << 32 | (uint64_t)i);
        if ((e = kfk_producer_send(p, &m, KFK_SEND_COPY))) {
            if (txn) {
                rc = txn_failed(p, "send", e, block_ms);
                break;
            }
            fprintf(stderr, "kfk perf: send: %s\n", kfk_err_str(e));
            rc = 1;
        }
        in_txn++;
        if (txn && txn_ms <= send_start - txn_start) {
            if ((e = kfk_producer_commit_transaction(p, block_ms)))
                rc = txn_failed(p, "commit_transaction", e, block_ms);
            in_txn = 0;
        }
        kfk_producer_poll(p, 0);
        cli_progress_update(&progress, s.count, s.bytes);
    }
    if (txn && in_txn && !rc && (e = kfk_producer_commit_transaction(p, block_ms)))
        rc = txn_failed(p, "commit_transaction", e, block_ms);
    while (kfk_producer_flush(p, 1000) == KFK_ERR_TIMED_OUT) cli_progress_update(&progress, s.count, s.bytes);
    cli_progress_done(&progress);
    kfk_producer_destroy(p);
    print_total(&s);
    if (s.failed) {
        fprintf(stderr, "kfk perf: %lld records failed: %s\n", (long long)s.failed,
                kfk_err_str(s.first_err));
        rc = 1;
    }
    free(s.latencies);
    free(payload);
    return rc;
}
