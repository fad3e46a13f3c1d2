/* kfk perf consume: reads COUNT records from every partition of a topic and
 * prints ConsumerPerformance's CSV (header and one line). */
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "perf.h"
#include "progress.h"

#define IDLE_TIMEOUT_MS 10000 /* ConsumerPerformance's default --timeout */

/* Per second; 0 when the time was under a millisecond (no rate to tell,
 * where Java would print Infinity). */
static double rate(double amount, double secs) { return secs > 0 ? amount / secs : 0.0; }

static int64_t wall_ms(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* SimpleDateFormat "yyyy-MM-dd HH:mm:ss:SSS" in local time. */
static void date(char *buf, size_t len, int64_t ms) {
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(buf + n, len - n, ":%03d", (int)(ms % 1000));
}

/* Assigns every partition, or with -G joins the group (from the earliest
 * offset where it has no commit, as ConsumerPerformance). 0 or a kfk_err. */
static int start(kfk_consumer *c, perf_opts *o) {
    const char *topics[1] = {o->topic};
    if (!o->group) return kfk_consumer_assign_topics(c, topics, 1, KFK_OFFSET_BEGINNING, 10000);
    return kfk_consumer_subscribe(c, topics, 1);
}

int cli_perf_consume(perf_opts *o) {
    char err[512];
    if (o->group && (kfk_conf_set(o->conf, "group.id", o->group, err, sizeof err) ||
                     kfk_conf_set(o->conf, "auto.offset.reset", "earliest", err, sizeof err))) {
        fprintf(stderr, "kfk perf: %s\n", err);
        return 2;
    }
    kfk_consumer *c = kfk_consumer_new(o->conf, err, sizeof err);
    if (!c) {
        fprintf(stderr, "kfk perf: %s\n", err);
        return 1;
    }
    o->conf = NULL; /* the consumer owns it */
    int64_t begin = wall_ms(), joined = o->group ? -1 : begin;
    int e = start(c, o);
    if (e) {
        fprintf(stderr, "kfk perf: %s: %s\n", o->topic, kfk_err_str(e));
        kfk_consumer_destroy(c);
        return 1;
    }
    cli_progress progress;
    cli_progress_init(&progress, o->quiet, o->count);
    int64_t count = 0, bytes = 0, last = wall_ms(), end = last;
    kfk_consumer_message *batch[512];
    while (count < o->count && wall_ms() - last < IDLE_TIMEOUT_MS) {
        int n = kfk_consumer_poll_batch(c, batch, 512, 100);
        if (joined < 0 && kfk_consumer_generation(c) >= 0) joined = wall_ms();
        int64_t before = count;
        for (int i = 0; i < n; i++) {
            if (!batch[i]->err && count < o->count) {
                count++;
                bytes += (int64_t)batch[i]->value_len + (int64_t)batch[i]->key_len;
            }
            kfk_consumer_message_release(batch[i]);
        }
        /* the clock once a batch, not per message (a vDSO call each) */
        if (count > before) last = end = wall_ms();
        cli_progress_update(&progress, count, bytes);
    }
    cli_progress_done(&progress);
    if (o->group) kfk_consumer_close(c);
    else kfk_consumer_destroy(c);
    if (count < o->count)
        printf("WARNING: Exiting before consuming the expected number of messages: timeout (%d "
               "ms) exceeded. You can use the --timeout option to increase the timeout.\n",
               IDLE_TIMEOUT_MS);
    /* Rebalance time: until the group's first assignment (0 when assigned). */
    if (joined < 0) joined = end;
    double secs = (double)(end - begin) / 1000.0, mb = (double)bytes / (1024.0 * 1024.0);
    double fetch_secs = (double)(end - joined) / 1000.0;
    char from[64], to[64];
    date(from, sizeof from, begin);
    date(to, sizeof to, end);
    printf("start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, "
           "rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec\n");
    printf("%s, %s, %.4f, %.4f, %lld, %.4f, %lld, %lld, %.4f, %.4f\n", from, to, mb,
           rate(mb, secs), (long long)count, rate((double)count, secs),
           (long long)(joined - begin), (long long)(end - joined), rate(mb, fetch_secs),
           rate((double)count, fetch_secs));
    return count < o->count;
}
