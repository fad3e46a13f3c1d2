/* Helpers for the consumer group tests: members that poll on their own
 * thread and count every message they get, by the index kcat wrote into
 * its value ("<prefix>-value-<i>"). Header-only. */
#ifndef KFK_GROUP_IT_H
#define KFK_GROUP_IT_H

#include <pthread.h>

#include "consume_it.h"

enum { GIT_MAX_MSGS = 4096 };

/* What a group's members saw, shared by their threads. */
typedef struct git_seen {
    pthread_mutex_t lock;
    int count[GIT_MAX_MSGS]; /* deliveries of message i */
    int who[GIT_MAX_MSGS];   /* the member that got it last */
    int total, dups;
} git_seen;

typedef struct git_member {
    int id;
    kfk_consumer *c;
    git_seen *seen;
    pthread_t th;
    atomic_int stop;      /* 1: exit the loop; 2: and close the consumer */
    atomic_int commit;    /* 1: commit the stored offsets at the next turn */
    atomic_int commit_rc; /* its result (+1000 so 0 means not done yet) */
    atomic_int got;
} git_member;

static inline void git_seen_init(git_seen *s) {
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
}

/* The index kcat wrote into a message's value, or -1. */
static inline int git_index(const kfk_consumer_message *msg) {
    char v[64];
    size_t n = msg->value_len < sizeof v - 1 ? msg->value_len : sizeof v - 1;
    memcpy(v, msg->value ? msg->value : "", msg->value ? n : 0);
    v[msg->value ? n : 0] = 0;
    const char *at = strstr(v, "-value-");
    int i = -1;
    if (!at || sscanf(at + 7, "%d", &i) != 1 || i >= GIT_MAX_MSGS) i = -1;
    return i;
}

static inline void git_record(git_member *m, const kfk_consumer_message *msg) {
    int i = git_index(msg);
    if (i < 0) return;
    pthread_mutex_lock(&m->seen->lock);
    if (m->seen->count[i]++) m->seen->dups++;
    else m->seen->total++;
    m->seen->who[i] = m->id;
    pthread_mutex_unlock(&m->seen->lock);
    atomic_fetch_add(&m->got, 1);
}

static inline void *git_loop(void *arg) {
    git_member *m = arg;
    while (!atomic_load(&m->stop)) {
        kfk_consumer_message *msg = kfk_consumer_poll(m->c, 100);
        if (msg && !msg->err) git_record(m, msg);
        kfk_consumer_message_release(msg);
        if (atomic_exchange(&m->commit, 0)) {
            int rc = kfk_consumer_commit(m->c, NULL, 0);
            atomic_store(&m->commit_rc, 1000 + (rc == KFK_ERR_NOENT ? 0 : rc));
        }
    }
    if (atomic_load(&m->stop) == 2) {
        kfk_consumer_close(m->c);
        m->c = NULL;
    }
    return NULL;
}

static inline void git_start(git_member *m, int id, kfk_consumer *c, git_seen *seen,
                             const char *topic) {
    memset(m, 0, sizeof *m);
    m->id = id;
    m->c = c;
    m->seen = seen;
    const char *topics[1] = {topic};
    if (kfk_consumer_subscribe(c, topics, 1))
        kfk_test_fail(__FILE__, __LINE__, "subscribe failed");
    pthread_create(&m->th, NULL, git_loop, m);
}

/* Stops the thread (closing the consumer when close). */
static inline void git_stop(git_member *m, int close) {
    atomic_store(&m->stop, close ? 2 : 1);
    pthread_join(m->th, NULL);
}

static inline int git_assigned(git_member *m) {
    kfk_partition_list *l = kfk_consumer_assignment(m->c);
    int n = l ? l->count : -1;
    kfk_partition_list_destroy(l);
    return n;
}

/* Waits up to ms for the members' assignments to have these sizes
 * (want[i] < 0: any) and sum to total. 1 when they did. */
static inline int git_wait_assigned(git_member **ms, int n, int total, int ms_) {
    int64_t end = it_now_ms() + ms_;
    while (it_now_ms() < end) {
        int sum = 0, nonzero = 1;
        for (int i = 0; i < n; i++) {
            int k = git_assigned(ms[i]);
            sum += k;
            nonzero &= k > 0;
        }
        if (sum == total && nonzero) return 1;
        usleep(100 * 1000);
    }
    return 0;
}

/* Waits up to ms until the group saw `total` distinct messages. */
static inline int git_wait_total(git_seen *s, int total, int ms) {
    int64_t end = it_now_ms() + ms;
    for (;;) {
        pthread_mutex_lock(&s->lock);
        int t = s->total;
        pthread_mutex_unlock(&s->lock);
        if (t >= total) return 1;
        if (it_now_ms() > end) return 0;
        usleep(50 * 1000);
    }
}

static inline int git_commit(git_member *m) {
    atomic_store(&m->commit_rc, 0);
    atomic_store(&m->commit, 1);
    while (!atomic_load(&m->commit_rc)) usleep(10 * 1000);
    return atomic_load(&m->commit_rc) - 1000;
}

/* Produces count messages first.. spread over n partitions round-robin
 * (kcat, one run per partition). */
static inline int git_produce(const char *boot, const char *topic, int n, const char *prefix,
                              int first, int count) {
    int per = count / n, rc = 0;
    for (int p = 0; p < n && !rc; p++) rc = cit_kcat(boot, topic, p, "none", prefix, first + p * per, per);
    return rc;
}

#endif
