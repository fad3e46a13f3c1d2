/* kfk perf produce: COUNT records of SIZE bytes as fast as the producer
 * takes them; latency is send to delivery report, as ProducerPerformance
 * measures it, and the same lines are printed. With transactions, the
 * sends are grouped as ProducerPerformance groups them. A topic list
 * takes turns record by record; --keys N gives each record one of N keys;
 * --threads N sends from N threads while this one serves the reports. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __APPLE__
#include <sys/random.h> /* getentropy, which others declare in unistd.h */
#endif

#include "histogram.h"
#include "perf.h"
#include "progress.h"

#define WINDOW_US 5000000

/* Written by the thread serving delivery reports only. Latencies in µs. */
typedef struct stats {
    int64_t start, window_start;
    cli_histogram *latencies;
    int64_t count, bytes;
    int64_t window_count, window_bytes, window_total_latency;
    int64_t window_max_latency;
    int64_t failed, record_size;
    int first_err;
} stats;

static int64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void print_window(stats *s, int64_t now) {
    int64_t elapsed = now - s->window_start;
    if (elapsed <= 0) elapsed = 1;
    printf("%lld records sent, %.1f records/sec (%.2f MB/sec), %.1f ms avg latency, %.1f ms max "
           "latency.\n",
           (long long)s->window_count, 1e6 * (double)s->window_count / (double)elapsed,
           1e6 * (double)s->window_bytes / (double)elapsed / (1024.0 * 1024.0),
           (double)s->window_total_latency / (double)s->window_count / 1000.0,
           (double)s->window_max_latency / 1000.0);
    fflush(stdout);
    s->window_start = now;
    s->window_count = s->window_bytes = s->window_total_latency = 0;
    s->window_max_latency = 0;
}

static void record(stats *s, int64_t latency, int64_t bytes, int64_t now) {
    s->count++;
    s->bytes += bytes;
    cli_histogram_add(s->latencies, latency);
    s->window_count++;
    s->window_bytes += bytes;
    s->window_total_latency += latency;
    if (latency > s->window_max_latency) s->window_max_latency = latency;
    if (now - s->window_start >= WINDOW_US) print_window(s, now);
}

/* ProducerPerformance's total line: whole milliseconds for percentiles. */
static void print_total(stats *s) {
    int64_t elapsed = now_us() - s->start;
    if (elapsed <= 0) elapsed = 1;
    const cli_histogram *h = s->latencies;
    static const double pct[4] = {0.5, 0.95, 0.99, 0.999};
    int v[4];
    for (int i = 0; i < 4; i++) v[i] = (int)(cli_histogram_quantile(h, pct[i]) / 1000);
    printf("%lld records sent, %f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms max "
           "latency, %d ms 50th, %d ms 95th, %d ms 99th, %d ms 99.9th.\n",
           (long long)s->count, 1e6 * (double)s->count / (double)elapsed,
           1e6 * (double)s->bytes / (double)elapsed / (1024.0 * 1024.0),
           h->count ? h->sum / (double)h->count / 1000.0 : 0.0, (double)h->max / 1000.0, v[0],
           v[1], v[2], v[3]);
}

/* The opaque carries the send time, µs after start (modulo the pointer's
 * width: a latency comes out right below 71 minutes on 32 bits too). */
static void on_delivery(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    (void)p;
    stats *s = opaque;
    if (d->err) {
        if (!s->failed++) s->first_err = d->err;
        return;
    }
    int64_t now = now_us();
    uintptr_t latency = (uintptr_t)(now - s->start) - (uintptr_t)d->opaque;
    record(s, (int64_t)latency, s->record_size, now);
}

/* What every send needs: topics taken in turn, keys, the payload. */
typedef struct source {
    kfk_producer *p;
    char **topics;
    int ntopics;
    int64_t keys;
    const char *payload;
    int64_t size, start;
} source;

/* A key for record i, one of src->keys, spread by a mix of i so that
 * neighbours land on different partitions: 8 hex digits. */
static void key_of(int64_t i, int64_t keys, char out[8]) {
    uint64_t z = (uint64_t)i + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    uint64_t k = (z ^ (z >> 31)) % (uint64_t)keys;
    for (int d = 7; d >= 0; d--, k >>= 4) out[d] = "0123456789abcdef"[k & 15];
}

/* sent_at: µs after start, just before the send. */
static int send_one(const source *src, int64_t i, int64_t sent_at) {
    char key[8];
    kfk_message m = {.topic = src->topics[i % src->ntopics], .partition = KFK_PARTITION_ANY,
                     .value = src->payload, .value_len = (size_t)src->size};
    if (src->keys) {
        key_of(i, src->keys, key);
        m.key = key;
        m.key_len = sizeof key;
    }
    m.opaque = (void *)(uintptr_t)sent_at;
    return kfk_producer_send(src->p, &m, KFK_SEND_COPY);
}

/* One of --threads N: sends records first, first + 1, ..., first + n - 1. */
typedef struct sender {
    const source *src;
    int64_t first, n;
    int err;
    atomic_int *running;
    pthread_t thread;
} sender;

static void *send_range(void *arg) {
    sender *t = arg;
    for (int64_t i = t->first; i < t->first + t->n && !t->err; i++) 
        t->err = send_one(t->src, i, now_us() - t->src->start);
    atomic_fetch_sub(t->running, 1);
    return NULL;
}

/* --threads N: N threads send count records between them; this thread
 * serves delivery reports (so the statistics need no lock) and progress. */
static int send_threaded(const source *src, int threads, int64_t count, stats *s,
                         cli_progress *progress) {
    sender *t = calloc((size_t)threads, sizeof *t);
    if (!t) {
        fprintf(stderr, "kfk perf: out of memory\n");
        return 1;
    }
    atomic_int running = threads;
    int started = 0, rc = 0;
    for (int k = 0; k < threads; k++) {
        t[k] = (sender){.src = src, .first = count * k / threads,
                        .n = count * (k + 1) / threads - count * k / threads, .running = &running};
        if (pthread_create(&t[k].thread, NULL, send_range, &t[k])) {
            fprintf(stderr, "kfk perf: cannot start thread %d\n", k + 1);
            atomic_fetch_sub(&running, threads - k);
            rc = 1;
            break;
        }
        started++;
    }
    while (atomic_load(&running) > 0) {
        kfk_producer_poll(src->p, 100);
        cli_progress_update(progress, s->count, s->bytes);
    }
    for (int k = 0; k < started; k++) {
        pthread_join(t[k].thread, NULL);
        if (t[k].err && !rc) {
            fprintf(stderr, "kfk perf: send: %s\n", kfk_err_str(t[k].err));
            rc = 1;
        }
    }
    free(t);
    return rc;
}

/* Splits a comma-separated topic list in place; NULL when out of memory
 * or a name is empty. */
static char **split_topics(char *list, int *n) {
    int count = 1;
    for (const char *c = list; *c; c++) count += *c == ',';
    char **out = malloc((size_t)count * sizeof *out);
    if (!out) return NULL;
    *n = 0;
    for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
        out[(*n)++] = t;
    if (*n == count) return out;
    free(out);
    return NULL;
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

/* The single-threaded loop, ProducerPerformance's: send, serve reports. */
static int send_loop(const source *src, const perf_opts *o, int txn, int64_t txn_ms,
                     int block_ms, stats *s, cli_progress *progress) {
    int64_t in_txn = 0, txn_start = 0;
    int rc = 0, e;
    for (int64_t i = 0; i < o->count && !rc; i++) {
        if (txn && !in_txn) {
            if ((e = kfk_producer_begin_transaction(src->p))) {
                rc = txn_failed(src->p, "begin_transaction", e, block_ms);
                break;
            }
            txn_start = now_us();
        }
        int64_t send_start = now_us();
        if ((e = send_one(src, i, send_start - src->start))) {
            if (txn) {
                rc = txn_failed(src->p, "send", e, block_ms);
                break;
            }
            fprintf(stderr, "kfk perf: send: %s\n", kfk_err_str(e));
            rc = 1;
        }
        in_txn++;
        if (txn && txn_ms * 1000 <= send_start - txn_start) {
            if ((e = kfk_producer_commit_transaction(src->p, block_ms)))
                rc = txn_failed(src->p, "commit_transaction", e, block_ms);
            in_txn = 0;
        }
        kfk_producer_poll(src->p, 0);
        cli_progress_update(progress, s->count, s->bytes);
    }
    if (txn && in_txn && !rc && (e = kfk_producer_commit_transaction(src->p, block_ms)))
        rc = txn_failed(src->p, "commit_transaction", e, block_ms);
    return rc;
}

int cli_perf_produce(perf_opts *o) {
    stats s = {.record_size = o->size, .latencies = malloc(sizeof(cli_histogram))};
    char *payload = malloc((size_t)o->size), *topic_list = strdup(o->topic);
    source src = {.keys = o->keys, .payload = payload, .size = o->size};
    src.topics = topic_list ? split_topics(topic_list, &src.ntopics) : NULL;
    if (!s.latencies || !payload || !src.topics) {
        fprintf(stderr, "kfk perf: %s\n", topic_list && !src.topics && payload && s.latencies
                                              ? "-t: a topic name in the list is empty"
                                              : "out of memory");
        free(s.latencies);
        free(payload);
        free(topic_list);
        return topic_list ? 2 : 1;
    }
    cli_histogram_init(s.latencies);
    srand((unsigned)time(NULL));
    for (int64_t i = 0; i < o->size; i++) payload[i] = (char)('A' + rand() % 26);

    char err[512];
    int64_t txn_ms = 0;
    int rc = 0, txn = txn_setup(o, &txn_ms, &rc);
    if (txn && o->threads && !rc) {
        fprintf(stderr, "kfk perf: --threads is not for transactions\n");
        rc = 2;
    }
    int block_ms = (int)strtol(kfk_conf_get(o->conf, "max.block.ms"), NULL, 10);
    kfk_producer_callbacks cbs = {.delivery = on_delivery, .opaque = &s};
    kfk_producer *p = rc ? NULL : kfk_producer_new(o->conf, &cbs, err, sizeof err);
    if (!p) {
        if (!rc) fprintf(stderr, "kfk perf: %s\n", err);
        free(s.latencies);
        free(payload);
        free(src.topics);
        free(topic_list);
        return rc ? rc : 1;
    }
    o->conf = NULL; /* the producer owns it */
    src.p = p;
    int e = txn ? kfk_producer_init_transactions(p, block_ms) : 0;
    if (e) rc = txn_failed(p, "init_transactions", e, block_ms);
    cli_progress progress;
    cli_progress_init(&progress, o->quiet, o->count);
    s.start = s.window_start = src.start = now_us();
    if (!rc)
        rc = o->threads ? send_threaded(&src, o->threads, o->count, &s, &progress)
                        : send_loop(&src, o, txn, txn_ms, block_ms, &s, &progress);
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
    free(src.topics);
    free(topic_list);
    return rc;
}
