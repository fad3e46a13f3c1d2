/* One client of scripts/soak, in a process of its own so that its RSS can
 * be watched. It writes what it did, one line per event, for the soak's
 * checker (times are ms since the epoch):
 *
 *   soak_client produce BOOT TOPIC SECONDS RATE OUT
 *     keyed messages "kNN:SEQ" (32 keys) at RATE per second for SECONDS,
 *     then flushes; idempotent, acks=all.
 *       A <time> <partition> <offset> <key> <seq>   acknowledged
 *       F <time> <key> <seq> <error>                reported failed
 *   soak_client consume BOOT TOPIC GROUP EPOCH PHASE OUT
 *     a group member until SIGTERM; at EPOCH + k * PHASE seconds it closes
 *     and rejoins with the other group protocol (classic for even k,
 *     consumer for odd k), so the group alternates between the two.
 *       S <session> <time> <protocol>          a consumer starts
 *       G <session> <time> <kind> <p,p,...>    assigned / revoked / lost
 *       C <session> <time> <partition> <offset>   a commit succeeded
 *       R <session> <time> <partition> <offset> <key> <seq>   read
 *       X <session> <time> <error> <text>      an error from poll
 *       E <session> <time>                     closed (after its commit) */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kfk.h"

#define KEYS 32

static volatile sig_atomic_t stopping;
static FILE *out;
static int session;
static kfk_partition_list *revoked; /* whose commits to read back */

static void on_term(int sig) {
    (void)sig;
    stopping = 1;
}

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int set(kfk_conf *conf, const char *key, const char *value) {
    char err[256];
    if (kfk_conf_set(conf, key, value, err, sizeof err) == 0) return 0;
    fprintf(stderr, "soak_client: %s\n", err);
    return -1;
}

/* ---------------------------------------------------------------- produce */

static void on_delivery(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    (void)p;
    (void)opaque;
    uintptr_t id = (uintptr_t)d->opaque;
    int key = (int)(id % KEYS);
    unsigned long seq = (unsigned long)(id / KEYS);
    if (d->err)
        fprintf(out, "F %lld k%02d %lu %s\n", (long long)now_ms(), key, seq,
                kfk_err_name(d->err));
    else
        fprintf(out, "A %lld %d %lld k%02d %lu\n", (long long)now_ms(), (int)d->partition,
                (long long)d->offset, key, seq);
}

static int produce(const char *boot, const char *topic, int seconds, int rate) {
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    if (!conf || set(conf, "bootstrap.servers", boot) || set(conf, "acks", "all") ||
        set(conf, "enable.idempotence", "true"))
        return 1;
    kfk_producer_callbacks cbs = {.delivery = on_delivery};
    kfk_producer *p = kfk_producer_new(conf, &cbs, err, sizeof err);
    if (!p) {
        fprintf(stderr, "soak_client: %s\n", err);
        kfk_conf_destroy(conf);
        return 1;
    }
    int64_t start = now_ms(), end = start + (int64_t)seconds * 1000;
    uint64_t sent = 0;
    while (!stopping && now_ms() < end) {
        uint64_t due = (uint64_t)((now_ms() - start) * rate / 1000);
        for (; sent < due; sent++) {
            int key = (int)(sent % KEYS);
            char k[8], v[32];
            snprintf(k, sizeof k, "k%02d", key);
            int n = snprintf(v, sizeof v, "k%02d:%llu", key, (unsigned long long)(sent / KEYS));
            kfk_message m = {.topic = topic, .partition = KFK_PARTITION_ANY, .key = k,
                             .key_len = 3, .value = v, .value_len = (size_t)n,
                             .opaque = (void *)(uintptr_t)sent};
            int rc;
            while ((rc = kfk_producer_send(p, &m, KFK_SEND_COPY)) == KFK_ERR_QUEUE_FULL)
                kfk_producer_poll(p, 10);
            if (rc) {
                fprintf(out, "F %lld k%02d %llu %s\n", (long long)now_ms(), key,
                        (unsigned long long)(sent / KEYS), kfk_err_name(rc));
            }
        }
        kfk_producer_poll(p, 5);
        fflush(out);
    }
    kfk_producer_close(p, 180000);
    fprintf(stderr, "soak_client: produced %llu\n", (unsigned long long)sent);
    return 0;
}

/* ---------------------------------------------------------------- consume */

static void print_list(const char *kind, const kfk_partition_list *l) {
    fprintf(out, "G %d %lld %s ", session, (long long)now_ms(), kind);
    for (int i = 0; i < l->count; i++)
        fprintf(out, "%s%d", i ? "," : "", (int)l->elems[i].partition);
    fputc('\n', out);
}

static void on_commit(kfk_consumer *c, int err, const kfk_partition_list *offsets,
                      void *opaque) {
    (void)c;
    (void)err;
    (void)opaque;
    for (int i = 0; offsets && i < offsets->count; i++)
        if (!offsets->elems[i].err && offsets->elems[i].offset >= 0)
            fprintf(out, "C %d %lld %d %lld\n", session, (long long)now_ms(),
                    (int)offsets->elems[i].partition, (long long)offsets->elems[i].offset);
}

static void on_rebalance(kfk_consumer *c, int kind, const kfk_partition_list *parts,
                         void *opaque) {
    (void)opaque;
    int cooperative = strcmp(kfk_consumer_rebalance_protocol(c), "COOPERATIVE") == 0;
    if (kind == KFK_REBALANCE_ASSIGNED) {
        print_list("assigned", parts);
        if (cooperative)
            kfk_consumer_incremental_assign(c, parts);
        else
            kfk_consumer_assign(c, parts);
    } else {
        print_list(kind == KFK_REBALANCE_LOST ? "lost" : "revoked", parts);
        /* kfk committed synchronously before this call, without the commit
         * callback: after poll, read back what the group holds for the
         * checker (not from here: no kfk call blocks in a callback). */
        if (kind == KFK_REBALANCE_REVOKED && !revoked) revoked = kfk_partition_list_copy(parts);
        if (cooperative)
            kfk_consumer_incremental_unassign(c, parts);
        else
            kfk_consumer_assign(c, NULL);
    }
}

static void log_committed(kfk_consumer *c) {
    if (!revoked) return;
    if (kfk_consumer_committed(c, revoked, 10000) == 0) on_commit(c, 0, revoked, NULL);
    kfk_partition_list_destroy(revoked);
    revoked = NULL;
}

static kfk_consumer *member(const char *boot, const char *topic, const char *group,
                            const char *protocol) {
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    if (!conf || set(conf, "bootstrap.servers", boot) || set(conf, "group.id", group) ||
        set(conf, "group.protocol", protocol) || set(conf, "auto.offset.reset", "earliest") ||
        set(conf, "auto.commit.interval.ms", "2000"))
        return NULL;
    kfk_consumer *c = kfk_consumer_new(conf, err, sizeof err);
    if (!c) {
        fprintf(stderr, "soak_client: %s\n", err);
        kfk_conf_destroy(conf);
        return NULL;
    }
    kfk_consumer_set_rebalance_cb(c, on_rebalance, NULL);
    kfk_consumer_set_commit_cb(c, on_commit, NULL);
    const char *topics[] = {topic};
    if (kfk_consumer_subscribe(c, topics, 1) != 0) {
        kfk_consumer_destroy(c);
        return NULL;
    }
    session++;
    fprintf(out, "S %d %lld %s\n", session, (long long)now_ms(), protocol);
    return c;
}

static void leave(kfk_consumer *c) {
    kfk_consumer_close(c); /* revokes (committing first), leaves, frees */
    fprintf(out, "E %d %lld\n", session, (long long)now_ms());
    fflush(out);
}

static int consume(const char *boot, const char *topic, const char *group, int64_t epoch,
                   int phase_s) {
    int phase = -1;
    kfk_consumer *c = NULL;
    while (!stopping) {
        int now_phase = (int)((now_ms() / 1000 - epoch) / phase_s);
        if (now_phase != phase) {
            if (c) leave(c);
            phase = now_phase;
            c = member(boot, topic, group, phase % 2 ? "consumer" : "classic");
            if (!c) return 1;
        }
        kfk_consumer_message *m = kfk_consumer_poll(c, 100);
        if (m && m->err)
            fprintf(out, "X %d %lld %s %.*s\n", session, (long long)now_ms(),
                    kfk_err_name(m->err), m->value ? (int)m->value_len : 0,
                    m->value ? (const char *)m->value : "");
        else if (m)
            fprintf(out, "R %d %lld %d %lld %.*s\n", session, (long long)now_ms(),
                    (int)m->partition, (long long)m->offset, (int)m->value_len,
                    (const char *)m->value);
        if (m) kfk_consumer_message_release(m);
        log_committed(c);
        fflush(out);
    }
    leave(c);
    return 0;
}

int main(int argc, char **argv) {
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    if (argc == 7 && strcmp(argv[1], "produce") == 0) {
        out = fopen(argv[6], "w");
        if (!out) return 1;
        int rc = produce(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]));
        fclose(out);
        return rc;
    }
    if (argc == 8 && strcmp(argv[1], "consume") == 0) {
        out = fopen(argv[7], "w");
        if (!out) return 1;
        int rc = consume(argv[2], argv[3], argv[4], atoll(argv[5]), atoi(argv[6]));
        fclose(out);
        return rc;
    }
    fprintf(stderr,
            "usage: soak_client produce BOOT TOPIC SECONDS RATE OUT\n"
            "       soak_client consume BOOT TOPIC GROUP EPOCH PHASE OUT\n");
    return 2;
}
