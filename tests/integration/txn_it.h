/* Helpers for the transaction tests (txn_*_test.c here and
 * tests/failover/txn_failover_test.c): transactional producers with
 * delivery bookkeeping, the last stable offset, and reading a topic back
 * with the Java client (ReadTopic.java, the reference) and with kfk's
 * consumer. Header-only. */
#ifndef KFK_TXN_IT_H
#define KFK_TXN_IT_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "consume_it.h"
#include "java_it.h"
#include "produce_it.h"

enum { TIT_MAXREC = 8192, TIT_MAXPART = 8, TIT_BOUND_MS = 60000 };

/* A record as a consumer read it, or as the producer sent it. */
typedef struct tit_rec {
    int32_t part;
    int64_t offset;
    char value[64];
} tit_rec;

typedef struct tit_log {
    tit_rec r[TIT_MAXREC];
    int n;
} tit_log;

/* One message's delivery reports, indexed by kfk_message.opaque. */
typedef struct tit_dr {
    int reports;
    int err;
    int32_t part;
    int64_t offset;
    char errstr[128];
} tit_dr;

typedef struct tit_reports {
    tit_dr d[TIT_MAXREC];
} tit_reports;

static inline void tit_on_delivery(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    (void)p;
    tit_reports *r = opaque;
    uintptr_t i = (uintptr_t)d->opaque;
    if (i >= TIT_MAXREC) return;
    tit_dr *x = &r->d[i];
    x->reports++;
    x->err = d->err;
    x->part = d->partition;
    x->offset = d->offset;
    snprintf(x->errstr, sizeof x->errstr, "%s", d->errstr ? d->errstr : "");
}

/* 1 when the broker is Kafka 4.x (transaction.version 2, KIP-890, which
 * kafka-local's 4.x clusters finalize), 0 for 3.x (version 1): from
 * KFK_BROKER_VERSION as scripts/run-tests sets it; unset means
 * kafka-local's default, 4.4.0. */
static inline int tit_kafka4(void) {
    const char *v = getenv("KFK_BROKER_VERSION");
    return !v || !*v || v[0] != '3';
}

/* A transactional producer (txid) whose reports go to r; settings are more
 * key, value pairs (NULL-terminated, may be NULL). */
static inline kfk_producer *tit_producer(const char *boot, const char *txid, tit_reports *r,
                                         const char *const *settings) {
    const char *s[32] = {"transactional.id", txid, "linger.ms", "5", "client.id", "kfk-it-txn"};
    int n = 6;
    for (int i = 0; settings && settings[i] && n < 30; i++) s[n++] = settings[i];
    s[n] = NULL;
    kfk_producer_callbacks cbs = {.delivery = tit_on_delivery, .opaque = r};
    return pit_producer(boot, &cbs, s);
}

/* Sends value (key "k-" value) to topic/part, with index i as opaque. */
static inline int tit_send(kfk_producer *p, const char *topic, int32_t part, const char *value,
                           uintptr_t i) {
    char key[80];
    int kl = snprintf(key, sizeof key, "k-%s", value);
    kfk_message m = {.topic = topic, .partition = part, .key = key, .key_len = (size_t)kl,
                     .value = value, .value_len = strlen(value), .opaque = (void *)i};
    return kfk_producer_send(p, &m, 0);
}

/* Polls p until messages first..first+n-1 each have a report, or the
 * bound passes. 1 if they all came. */
static inline int tit_wait_reports(kfk_producer *p, const tit_reports *r, int first, int n) {
    int64_t until = it_now_ms() + TIT_BOUND_MS;
    for (;;) {
        int missing = 0;
        for (int i = first; i < first + n; i++) missing += r->d[i].reports == 0;
        if (!missing) return 1;
        if (it_now_ms() > until) return 0;
        kfk_producer_poll(p, 100);
    }
}

/* Polls until the last stable offset of each partition reaches its high
 * watermark (the markers of every ended transaction are written: a commit
 * returns before the coordinator writes them); end[p] gets that offset.
 * 0, or -1 after failing the test. */
static inline int tit_wait_stable(const char *boot, const char *topic, int nparts, int64_t *end) {
    kfk_consumer *rc = cit_consumer(boot, "isolation.level", "read_committed", NULL);
    kfk_consumer *ru = cit_consumer(boot, NULL);
    int ok = rc && ru;
    for (int p = 0; ok && p < nparts; p++) {
        int64_t lo, lso = -1, hwm = -2, until = it_now_ms() + TIT_BOUND_MS;
        while (lso != hwm && it_now_ms() < until) {
            if (kfk_consumer_watermarks(rc, topic, p, &lo, &lso, 10000) ||
                kfk_consumer_watermarks(ru, topic, p, &lo, &hwm, 10000))
                lso = -1, hwm = -2;
            if (lso != hwm) usleep(100 * 1000);
        }
        end[p] = hwm;
        ok = lso == hwm;
    }
    kfk_consumer_destroy(rc);
    kfk_consumer_destroy(ru);
    if (!ok) kfk_test_fail(__FILE__, __LINE__, "%s: the last stable offset stays behind", topic);
    return ok ? 0 : -1;
}

/* Polls until partition's high watermark reaches at least want (the
 * messages sent are in the log, uncommitted). 1 if it did. */
static inline int tit_wait_hwm(const char *boot, const char *topic, int32_t part, int64_t want) {
    kfk_consumer *c = cit_consumer(boot, NULL);
    int64_t lo, hwm = -1, until = it_now_ms() + TIT_BOUND_MS;
    while (c && hwm < want && it_now_ms() < until) {
        if (kfk_consumer_watermarks(c, topic, part, &lo, &hwm, 10000)) hwm = -1;
        if (hwm < want) usleep(50 * 1000);
    }
    kfk_consumer_destroy(c);
    return hwm >= want;
}

/* Appends a record to log (sorted later by tit_sort). */
static inline void tit_add(tit_log *log, int32_t part, int64_t offset, const char *value) {
    if (log->n >= TIT_MAXREC) return;
    tit_rec *r = &log->r[log->n++];
    r->part = part;
    r->offset = offset;
    snprintf(r->value, sizeof r->value, "%.63s", value);
}

/* Sorts by partition, then offset (stable: records with offset -1 keep
 * their order). */
static inline void tit_sort(tit_log *log) {
    for (int i = 1; i < log->n; i++) {
        tit_rec x = log->r[i];
        int k = i;
        while (k > 0 && (log->r[k - 1].part > x.part ||
                         (log->r[k - 1].part == x.part && x.offset >= 0 &&
                          log->r[k - 1].offset > x.offset))) {
            log->r[k] = log->r[k - 1];
            k--;
        }
        log->r[k] = x;
    }
}

/* Compiles the Java helper name once per process. 0 or -1 (failed). */
static inline int tit_java(const char *name) {
    static char compiled[4][32];
    for (int i = 0; i < 4; i++)
        if (strcmp(compiled[i], name) == 0) return 0;
    if (jit_compile(name)) return -1;
    for (int i = 0; i < 4; i++)
        if (!compiled[i][0]) {
            snprintf(compiled[i], sizeof compiled[i], "%s", name);
            break;
        }
    return 0;
}

/* Reads the topic's partitions 0..nparts-1 to their end with the Java
 * client (ReadTopic.java) at isolation; records in partition, offset
 * order go to log. 0, or -1 after failing the test. */
static inline int tit_read_java(const char *boot, const char *topic, int nparts,
                                const char *isolation, tit_log *log) {
    log->n = 0;
    if (tit_java("ReadTopic")) return -1;
    char cmd[4096], out[256];
    snprintf(out, sizeof out, "%s/%s-%s.out", jit_dir, topic, isolation);
    snprintf(cmd, sizeof cmd,
             "java -Dlog4j2.level=OFF -cp '%s' ReadTopic %s %s %d %s >'%s' 2>'%s.err'", jit_cp,
             boot, topic, nparts, isolation, out, out);
    int st = system(cmd);
    FILE *f = fopen(out, "r");
    char line[256];
    int done = 0;
    while (f && fgets(line, sizeof line, f)) {
        tit_rec *r = &log->r[log->n];
        long long off;
        char key[80];
        if (log->n < TIT_MAXREC &&
            sscanf(line, "msg %d %lld %63s %79s", &r->part, &off, r->value, key) == 4) {
            r->offset = off;
            log->n++;
            /* Every producer here keys a value v with "k-v". */
            if (strncmp(key, "k-", 2) != 0 || strcmp(key + 2, r->value) != 0)
                kfk_test_fail(__FILE__, __LINE__, "%s: key %s", r->value, key);
        }
        done |= strcmp(line, "done\n") == 0;
    }
    if (f) fclose(f);
    /* ReadTopic prints each partition in order, partitions interleaved. */
    tit_sort(log);
    if (st != 0 || !done) {
        kfk_test_fail(__FILE__, __LINE__, "ReadTopic failed (%d): %s", st, cmd);
        return -1;
    }
    return 0;
}

/* Reads the topic with kfk's consumer at isolation until each partition's
 * end of partition at end[p] (from tit_wait_stable); records in
 * partition, offset order go to log. 0, or -1 after failing the test. */
static inline int tit_read_kfk(const char *boot, const char *topic, int nparts,
                               const char *isolation, const int64_t *end, tit_log *log) {
    log->n = 0;
    kfk_consumer *c = cit_consumer(boot, "isolation.level", isolation, "enable.partition.eof",
                                   "true", NULL);
    if (!c) return -1;
    if (cit_assign(c, topic, nparts, KFK_OFFSET_BEGINNING)) {
        kfk_consumer_destroy(c);
        kfk_test_fail(__FILE__, __LINE__, "assign %s", topic);
        return -1;
    }
    int at_end = 0, seen[TIT_MAXPART] = {0};
    int64_t until = it_now_ms() + TIT_BOUND_MS;
    while (at_end < nparts && it_now_ms() < until) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 100);
        if (!m) continue;
        if (m->err == KFK_ERR_PARTITION_EOF && m->partition < TIT_MAXPART &&
            m->offset >= end[m->partition] && !seen[m->partition]) {
            seen[m->partition] = 1;
            at_end++;
        } else if (m->err && m->err != KFK_ERR_PARTITION_EOF) {
            kfk_test_fail(__FILE__, __LINE__, "%s [%d]: %s", topic, m->partition,
                          kfk_err_name(m->err));
        } else if (!m->err && log->n < TIT_MAXREC) {
            tit_rec *r = &log->r[log->n++];
            r->part = m->partition;
            r->offset = m->offset;
            snprintf(r->value, sizeof r->value, "%.*s", (int)m->value_len, (const char *)m->value);
        }
        kfk_consumer_message_release(m);
    }
    kfk_consumer_destroy(c);
    tit_sort(log);
    if (at_end < nparts) {
        kfk_test_fail(__FILE__, __LINE__, "%s: %d of %d partitions reached their end", topic,
                      at_end, nparts);
        return -1;
    }
    return 0;
}

/* Checks that got holds exactly want's records (partition, value, and
 * the offset unless want's is -1), in the same order. what names the
 * reader in failures. */
static inline void tit_expect(const tit_log *got, const tit_log *want, const char *what) {
    int n = got->n < want->n ? got->n : want->n;
    for (int i = 0; i < n; i++) {
        const tit_rec *g = &got->r[i], *w = &want->r[i];
        if (g->part != w->part || strcmp(g->value, w->value) != 0 ||
            (w->offset >= 0 && g->offset != w->offset)) {
            kfk_test_fail(__FILE__, __LINE__,
                          "%s, record %d: got [%d] @%lld %s, want [%d] @%lld %s", what, i,
                          g->part, (long long)g->offset, g->value, w->part,
                          (long long)w->offset, w->value);
            return;
        }
    }
    if (got->n != want->n)
        kfk_test_fail(__FILE__, __LINE__, "%s: %d records, want %d (first extra: %s)", what,
                      got->n, want->n,
                      got->n > want->n ? got->r[want->n].value : want->r[got->n].value);
}

/* Waits for the markers, then checks that the Java client and kfk, both
 * read_committed, read exactly want from topic. 0, or -1 after failing the
 * test. */
static inline int tit_check_committed(const char *boot, const char *topic, int nparts,
                                      const tit_log *want, tit_log *got) {
    int64_t end[TIT_MAXPART];
    if (tit_wait_stable(boot, topic, nparts, end) ||
        tit_read_java(boot, topic, nparts, "read_committed", got))
        return -1;
    tit_expect(got, want, "Java read_committed");
    if (tit_read_kfk(boot, topic, nparts, "read_committed", end, got)) return -1;
    tit_expect(got, want, "kfk read_committed");
    return 0;
}

#endif
