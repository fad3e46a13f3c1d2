/* producer_perf's twin on librdkafka, same arguments and output, for side
 * by side runs:
 *   rdkafka_producer_perf -b HOST:PORT -t TOPIC -n 1000000 -s 100 -X linger.ms=5
 * --txn-ms N first (with -X transactional.id=ID) writes in transactions
 * as ProducerPerformance's --transaction-duration-ms N does: each one is
 * committed at the first send N ms after it began, and at the end.
 * As kfk perf produce: -t takes a comma-separated list (records take turns),
 * -k N gives each record one of N keys, -T N sends from N threads (each
 * blocking while the queue is full) while the main thread serves reports. */
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdatomic.h>

#include "../producer_stats.h"

static void on_report(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    perf_lat *l = opaque;
    if (m->err)
        l->errors++;
    else
        perf_lat_add(l, (int64_t)(intptr_t)m->_private);
}

static int txn_check(rd_kafka_error_t *e, const char *call) {
    if (!e) return 0;
    fprintf(stderr, "%s: %s\n", call, rd_kafka_error_string(e));
    rd_kafka_error_destroy(e);
    return 1;
}

/* What every send needs: topics taken in turn, keys, the payload. */
typedef struct source {
    rd_kafka_topic_t **topics;
    int ntopics;
    long keys, size;
    char *payload;
} source;

static int send_one(const source *src, long i, int flags) {
    char key[8];
    if (src->keys) perf_key(i, src->keys, key);
    return rd_kafka_produce(src->topics[i % src->ntopics], RD_KAFKA_PARTITION_UA, flags,
                            src->payload, (size_t)src->size, src->keys ? key : NULL,
                            src->keys ? sizeof key : 0, (void *)(intptr_t)perf_us());
}

/* One of -T N: sends records first .. first + n - 1, blocking when full. */
typedef struct sender {
    const source *src;
    long first, n;
    rd_kafka_resp_err_t err;
    atomic_int *running;
    pthread_t thread;
} sender;

static void *send_range(void *arg) {
    sender *t = arg;
    for (long i = t->first; i < t->first + t->n && !t->err; i++)
        if (send_one(t->src, i, RD_KAFKA_MSG_F_COPY | RD_KAFKA_MSG_F_BLOCK) == -1)
            t->err = rd_kafka_last_error();
    atomic_fetch_sub(t->running, 1);
    return NULL;
}

static int send_threaded(rd_kafka_t *rk, const source *src, long threads, long n) {
    sender *t = calloc((size_t)threads, sizeof *t);
    atomic_int running = (int)threads;
    int rc = 0;
    for (long k = 0; k < threads; k++) {
        t[k] = (sender){.src = src, .first = n * k / threads,
                        .n = n * (k + 1) / threads - n * k / threads, .running = &running};
        pthread_create(&t[k].thread, NULL, send_range, &t[k]);
    }
    while (atomic_load(&running) > 0) rd_kafka_poll(rk, 100);
    for (long k = 0; k < threads; k++) {
        pthread_join(t[k].thread, NULL);
        if (t[k].err && !rc) {
            fprintf(stderr, "produce: %s\n", rd_kafka_err2str(t[k].err));
            rc = 1;
        }
    }
    free(t);
    return rc;
}

int main(int argc, char **argv) {
    long txn_ms = 0;
    if (argc > 2 && strcmp(argv[1], "--txn-ms") == 0) {
        txn_ms = atol(argv[2]);
        argv[2] = argv[0];
        argv += 2;
        argc -= 2;
        if (txn_ms <= 0) {
            fprintf(stderr, "--txn-ms expects a duration > 0\n");
            return 2;
        }
    }
    perf_args a = {0};
    if (perf_parse(&a, argc, argv)) return 2;
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", a.bootstrap, err, sizeof err)) goto bad;
    for (int i = 0; i < a.nprops; i += 2)
        if (rd_kafka_conf_set(conf, a.props[i], a.props[i + 1], err, sizeof err)) goto bad;
    perf_lat lat = {0};
    if (perf_lat_init(&lat)) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    rd_kafka_conf_set_opaque(conf, &lat);
    rd_kafka_conf_set_dr_msg_cb(conf, on_report);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) goto bad;
    if (txn_ms && txn_check(rd_kafka_init_transactions(rk, 60000), "init_transactions"))
        return 1;
    source src = {.keys = a.keys, .size = a.size, .payload = malloc((size_t)a.size)};
    src.topics = malloc((strlen(a.topic) / 2 + 1) * sizeof *src.topics);
    for (char *save = NULL, *name = strtok_r((char *)a.topic, ",", &save); name;
         name = strtok_r(NULL, ",", &save))
        src.topics[src.ntopics++] = rd_kafka_topic_new(rk, name, NULL);
    for (long i = 0; i < a.size; i++) src.payload[i] = (char)('A' + i % 26);
    if (a.threads && txn_ms) {
        fprintf(stderr, "-T is not for transactions\n");
        return 2;
    }
    int64_t start = perf_us(), txn_start = 0;
    long in_txn = 0;
    if (a.threads && send_threaded(rk, &src, a.threads, a.n)) return 1;
    for (long i = 0; i < a.n && !a.threads; i++) {
        if (txn_ms && !in_txn) {
            if (txn_check(rd_kafka_begin_transaction(rk), "begin_transaction")) return 1;
            txn_start = perf_us();
        }
        int64_t send_start = perf_us();
        while (send_one(&src, i, RD_KAFKA_MSG_F_COPY) == -1) {
            if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                fprintf(stderr, "produce: %s\n", rd_kafka_err2str(rd_kafka_last_error()));
                return 1;
            }
            rd_kafka_poll(rk, 10);
        }
        in_txn++;
        if (txn_ms && txn_ms * 1000 <= send_start - txn_start) {
            if (txn_check(rd_kafka_commit_transaction(rk, 60000), "commit_transaction")) return 1;
            in_txn = 0;
        }
        if (i % 1000 == 0) rd_kafka_poll(rk, 0);
    }
    if (txn_ms && in_txn && txn_check(rd_kafka_commit_transaction(rk, 60000), "commit_transaction"))
        return 1;
    if (rd_kafka_flush(rk, 120000)) fprintf(stderr, "flush timed out\n");
    int64_t end = perf_us();
    perf_summary(&lat, a.n, a.size, start, end);
    for (int k = 0; k < src.ntopics; k++) rd_kafka_topic_destroy(src.topics[k]);
    rd_kafka_destroy(rk);
    free(src.topics);
    free(src.payload);
    free(lat.h);
    return lat.errors ? 1 : 0;
bad:
    fprintf(stderr, "%s\n", err);
    return 2;
}
