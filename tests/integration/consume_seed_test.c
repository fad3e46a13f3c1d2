/* The original KafkaConsumer's semantics (kafka-python's first consumer)
 * against a real broker: task_done and what it logs, auto-commit every N
 * done messages with the timer off, a kill -9 between poll and task_done,
 * auto.offset.reset smallest/largest, assigned topics and partitions that
 * do not exist (topic.metadata.propagation.max.ms), and the offsets view. */
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

#include "consume_it.h"

/* What the consumer logged, from any thread. */
typedef struct logbuf {
    pthread_mutex_t lock;
    char lines[64][400];
    int n;
} logbuf;

static void on_log(void *opaque, const char *msg) {
    logbuf *b = opaque;
    pthread_mutex_lock(&b->lock);
    if (b->n < 64) snprintf(b->lines[b->n++], sizeof b->lines[0], "%s", msg);
    pthread_mutex_unlock(&b->lock);
}

/* Lines holding both words (b NULL: any). */
static int logged(logbuf *b, const char *a, const char *w) {
    int n = 0;
    pthread_mutex_lock(&b->lock);
    for (int i = 0; i < b->n; i++) n += strstr(b->lines[i], a) && (!w || strstr(b->lines[i], w));
    pthread_mutex_unlock(&b->lock);
    return n;
}

static int filled(const char *boot, char *topic, size_t len, const char *what, int n) {
    if (cit_topic(boot, topic, len, what, 1)) return -1;
    return cit_kcat(boot, topic, 0, "none", "t", 0, n);
}

static int64_t committed_of(kfk_consumer *c, const char *topic) {
    kfk_partition_list *l = kfk_partition_list_new(1);
    kfk_partition_list_add(l, topic, 0);
    int err = kfk_consumer_committed(c, l, 10000);
    int64_t off = err ? -999 : l->elems[0].offset;
    kfk_partition_list_destroy(l);
    return off;
}

/* Waits until the committed offset is want (10 s at most); returns the last seen. */
static int64_t wait_committed(kfk_consumer *c, const char *topic, int64_t want) {
    int64_t until = it_now_ms() + 10000, got = -999;
    while ((got = committed_of(c, topic)) != want && it_now_ms() < until) usleep(100 * 1000);
    return got;
}

/* The first message or event within 30 s. */
static kfk_consumer_message *first_any(kfk_consumer *c, int timeout_ms) {
    int64_t until = it_now_ms() + timeout_ms;
    while (it_now_ms() < until) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 100);
        if (m) return m;
    }
    return NULL;
}

TEST(task_done_stores_and_logs_skips_and_moves_back) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[160], group[160];
    REQUIRE(filled(boot, topic, sizeof topic, "tdone", 20) == 0);
    it_topic(group, sizeof group, "g-tdone");
    kfk_consumer *c = cit_consumer(boot, "group.id", group, "enable.auto.commit", "false",
                                   "enable.auto.offset.store", "false", NULL);
    REQUIRE(c);
    static logbuf log = {.lock = PTHREAD_MUTEX_INITIALIZER};
    kfk_consumer_set_log_cb(c, on_log, &log);
    REQUIRE(cit_assign(c, topic, 1, 0) == 0);
    kfk_consumer_message *msgs[10];
    REQUIRE_EQ(cit_drain(c, msgs, 10, 10000), 10);
    CHECK_EQ(kfk_consumer_task_done(c, msgs[0]), 0);
    CHECK_EQ(kfk_consumer_task_done(c, msgs[1]), 0);
    CHECK_EQ(logged(&log, "task_done", NULL), 0); /* in order: nothing to say */
    CHECK_EQ(kfk_consumer_task_done(c, msgs[4]), 0); /* 2 and 3 are not done */
    CHECK_EQ(logged(&log, "task_done(4) skips", "offset 2"), 1);
    CHECK_EQ(kfk_consumer_task_done(c, msgs[2]), 0); /* allowed, and said */
    CHECK_EQ(logged(&log, "task_done(2) moves the done offset back", "5"), 1);
    CHECK_EQ(kfk_consumer_task_done(c, msgs[2]), 0);
    CHECK_EQ(logged(&log, "task_done(2) again", "3"), 1);
    CHECK_EQ(kfk_consumer_task_done(c, msgs[3]), 0); /* on from 3: fine */
    CHECK_EQ(logged(&log, "task_done", NULL), 3);

    kfk_offsets_view *v = kfk_consumer_offsets_view(c);
    REQUIRE(v);
    REQUIRE_EQ(v->count, 1);
    const kfk_partition_offsets *o = kfk_offsets_view_find(v, topic, 0);
    REQUIRE(o);
    CHECK_EQ(o->position, 10);
    CHECK_EQ(o->high_watermark, 20);
    CHECK_EQ(o->committed, KFK_OFFSET_INVALID);
    CHECK_EQ(o->done, 4);
    CHECK(kfk_offsets_view_find(v, topic, 1) == NULL);
    kfk_offsets_view_destroy(v);

    CHECK_EQ(kfk_consumer_commit(c, NULL, 0), 0);
    CHECK_EQ(committed_of(c, topic), 4);
    v = kfk_consumer_offsets_view(c);
    REQUIRE(v);
    CHECK_EQ(v->elems[0].committed, 4);
    kfk_offsets_view_destroy(v);
    /* Below what was committed, nothing done since: said too. */
    CHECK_EQ(kfk_consumer_task_done(c, msgs[1]), 0);
    CHECK_EQ(logged(&log, "task_done(1) moves the done offset back", NULL), 1);

    /* Bad arguments, and a partition not assigned. */
    CHECK_EQ(kfk_consumer_task_done(c, NULL), KFK_ERR_INVALID_ARG);
    kfk_consumer_message other = {.topic = "kfk-it-not-assigned", .partition = 0, .offset = 3};
    CHECK_EQ(kfk_consumer_task_done(c, &other), KFK_ERR_NOENT);
    CHECK_EQ(logged(&log, "kfk-it-not-assigned", "not assigned"), 1);
    kfk_consumer_message ev = {.err = KFK_ERR_PARTITION_EOF, .topic = topic};
    CHECK_EQ(kfk_consumer_task_done(c, &ev), KFK_ERR_INVALID_ARG);
    cit_release_all(msgs, 10);
    kfk_consumer_destroy(c);

    /* A new member starts at the commit, and its view says so. */
    c = cit_consumer(boot, "group.id", group, "enable.auto.commit", "false", NULL);
    REQUIRE(c);
    REQUIRE(cit_assign(c, topic, 1, KFK_OFFSET_STORED) == 0);
    REQUIRE_EQ(cit_drain(c, msgs, 1, 10000), 1);
    CHECK_EQ(msgs[0]->offset, 4);
    v = kfk_consumer_offsets_view(c);
    REQUIRE(v);
    CHECK_EQ(v->elems[0].committed, 4);
    CHECK_EQ(v->elems[0].position, 5);
    CHECK_EQ(v->elems[0].done, 5); /* enable.auto.offset.store: poll stores */
    kfk_offsets_view_destroy(v);
    cit_release_all(msgs, 1);
    kfk_consumer_destroy(c);
}

/* auto.commit.interval.messages=10 with enable.auto.offset.store=false
 * counts task_done calls, not polls; auto.commit.interval.ms=0: no timer. */
TEST(auto_commit_every_n_done_messages) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[160], group[160];
    REQUIRE(filled(boot, topic, sizeof topic, "tcount", 40) == 0);
    it_topic(group, sizeof group, "g-tcount");
    kfk_consumer *c = cit_consumer(boot, "group.id", group, "auto.commit.interval.ms", "0",
                                   "auto.commit.interval.messages", "10",
                                   "enable.auto.offset.store", "false", NULL);
    REQUIRE(c);
    REQUIRE(cit_assign(c, topic, 1, 0) == 0);
    kfk_consumer_message *msgs[30];
    REQUIRE_EQ(cit_drain(c, msgs, 30, 10000), 30);
    usleep(1000 * 1000);
    CHECK_EQ(committed_of(c, topic), KFK_OFFSET_INVALID); /* 30 polled, none done */
    for (int i = 0; i < 20; i++) CHECK_EQ(kfk_consumer_task_done(c, msgs[i]), 0);
    /* Commits by count: after 10 and 20 done. */
    CHECK_EQ(wait_committed(c, topic, 20), 20);
    for (int i = 20; i < 25; i++) CHECK_EQ(kfk_consumer_task_done(c, msgs[i]), 0);
    usleep(1500 * 1000);
    CHECK_EQ(committed_of(c, topic), 20); /* no timer commits the other five */
    for (int i = 25; i < 30; i++) CHECK_EQ(kfk_consumer_task_done(c, msgs[i]), 0);
    /* The tenth since the last commit: 25..29 too. */
    CHECK_EQ(wait_committed(c, topic, 30), 30);
    kfk_offsets_view *v = kfk_consumer_offsets_view(c);
    REQUIRE(v);
    CHECK_EQ(v->elems[0].committed, 30);
    CHECK_EQ(v->elems[0].done, 30);
    kfk_offsets_view_destroy(v);
    cit_release_all(msgs, 30);
    kfk_consumer_destroy(c);
}

/* The child: polls 1000 messages, marks the first 600 done in order, tells
 * the parent and waits to be killed. Auto-commit by count only. */
static void child_consume(const char *boot, const char *group, const char *topic, int fd) {
    kfk_consumer *c = cit_consumer(boot, "group.id", group, "auto.offset.reset", "smallest",
                                   "auto.commit.interval.ms", "0",
                                   "auto.commit.interval.messages", "100",
                                   "enable.auto.offset.store", "false", NULL);
    if (!c || cit_assign(c, topic, 1, KFK_OFFSET_STORED)) _exit(2);
    static kfk_consumer_message *msgs[1000];
    if (cit_drain(c, msgs, 1000, 60000) != 1000) _exit(3);
    for (int i = 0; i < 600; i++)
        if (msgs[i]->offset != i || kfk_consumer_task_done(c, msgs[i])) _exit(4);
    char ok = 'k';
    if (write(fd, &ok, 1) != 1) _exit(5);
    for (;;) pause();
}

TEST(kill_after_1000_polled_600_done_rereads_from_600) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[160], group[160];
    REQUIRE(filled(boot, topic, sizeof topic, "tkill", 1500) == 0);
    it_topic(group, sizeof group, "g-tkill");
    int fds[2];
    REQUIRE_EQ(pipe(fds), 0);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        child_consume(boot, group, topic, fds[1]);
    }
    close(fds[1]);
    char ok = 0;
    ssize_t got = read(fds[0], &ok, 1);
    close(fds[0]);
    kfk_consumer *c = cit_consumer(boot, "group.id", group, "enable.auto.commit", "false", NULL);
    int64_t committed = c && got == 1 ? wait_committed(c, topic, 600) : -1;
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    REQUIRE_EQ(got, 1); /* else the child failed: its exit status says where */
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    REQUIRE(c);
    CHECK_EQ(committed, 600); /* the sixth count-triggered commit */
    CHECK_EQ(committed_of(c, topic), 600); /* nothing past it, at the kill or after */
    kfk_consumer_destroy(c);

    c = cit_consumer(boot, "group.id", group, "auto.offset.reset", "smallest",
                     "enable.auto.commit", "false", NULL);
    REQUIRE(c);
    REQUIRE(cit_assign(c, topic, 1, KFK_OFFSET_STORED) == 0);
    kfk_consumer_message *m = NULL;
    REQUIRE_EQ(cit_drain(c, &m, 1, 10000), 1);
    CHECK_EQ(m->offset, 600);
    CHECK(cit_is(m, "t", 600));
    kfk_consumer_message_release(m);
    kfk_consumer_destroy(c);
}

TEST(reset_smallest_and_largest) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[160], group[160];
    REQUIRE(filled(boot, topic, sizeof topic, "tsmall", 10) == 0);
    it_topic(group, sizeof group, "g-tsmall");
    kfk_consumer *c = cit_consumer(boot, "group.id", group, "auto.offset.reset", "smallest",
                                   "enable.auto.commit", "false", NULL);
    REQUIRE(c);
    REQUIRE(cit_assign(c, topic, 1, KFK_OFFSET_STORED) == 0);
    kfk_consumer_message *m = first_any(c, 10000);
    REQUIRE(m);
    CHECK_EQ(m->err, 0);
    CHECK_EQ(m->offset, 0);
    kfk_consumer_message_release(m);
    kfk_consumer_destroy(c);

    c = cit_consumer(boot, "group.id", group, "auto.offset.reset", "largest",
                     "enable.auto.commit", "false", NULL);
    REQUIRE(c);
    REQUIRE(cit_assign(c, topic, 1, KFK_OFFSET_STORED) == 0);
    /* Only what is written after the start: wait for the position first. */
    int64_t until = it_now_ms() + 10000;
    kfk_offsets_view *v = NULL;
    while (it_now_ms() < until) {
        kfk_offsets_view_destroy(v);
        v = kfk_consumer_offsets_view(c);
        if (v && v->count == 1 && v->elems[0].position >= 0) break;
        CHECK(kfk_consumer_poll(c, 100) == NULL);
    }
    REQUIRE(v);
    CHECK_EQ(v->elems[0].position, 10);
    kfk_offsets_view_destroy(v);
    REQUIRE(cit_kcat(boot, topic, 0, "none", "t", 10, 1) == 0);
    m = first_any(c, 10000);
    REQUIRE(m);
    CHECK_EQ(m->err, 0);
    CHECK_EQ(m->offset, 10);
    kfk_consumer_message_release(m);
    kfk_consumer_destroy(c);
}

/* Polls until events came for both topic/partition pairs (30 s at most),
 * in any order, into err1 and err2; records are counted into *records. */
static void wait_events(kfk_consumer *c, const char *t1, int32_t p1, int *err1, const char *t2,
                        int32_t p2, int *err2, int *records) {
    int64_t until = it_now_ms() + 30000;
    while ((!*err1 || !*err2) && it_now_ms() < until) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 100);
        if (!m) continue;
        if (!m->err && records) (*records)++;
        if (m->err && strcmp(m->topic, t1) == 0 && m->partition == p1) *err1 = m->err;
        if (m->err && strcmp(m->topic, t2) == 0 && m->partition == p2) *err2 = m->err;
        kfk_consumer_message_release(m);
    }
}

TEST(assigned_topic_or_partition_missing_is_reported) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char topic[160], missing[160], group[160];
    REQUIRE(filled(boot, topic, sizeof topic, "tabsent", 5) == 0);
    it_topic(missing, sizeof missing, "tmissing");
    it_topic(group, sizeof group, "g-tabsent");
    static logbuf log = {.lock = PTHREAD_MUTEX_INITIALIZER};
    kfk_consumer *c = cit_consumer(boot, "allow.auto.create.topics", "false",
                                   "topic.metadata.propagation.max.ms", "1000", NULL);
    REQUIRE(c);
    kfk_consumer_set_log_cb(c, on_log, &log);
    kfk_partition_list *l = kfk_partition_list_new(3);
    kfk_partition_list_add(l, topic, 0)->offset = 0;
    kfk_partition_list_add(l, topic, 3)->offset = 0;               /* no such partition */
    kfk_partition_list_add(l, missing, 0)->offset = KFK_OFFSET_BEGINNING; /* no such topic */
    REQUIRE(kfk_consumer_assign(c, l) == 0);
    kfk_partition_list_destroy(l);
    int records = 0, err_partition = 0, err_topic = 0;
    wait_events(c, topic, 3, &err_partition, missing, 0, &err_topic, &records);
    CHECK_EQ(err_partition, KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    CHECK_EQ(err_topic, KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    CHECK(logged(&log, missing, "topic.metadata.propagation.max.ms") == 1);
    /* The partition that exists was read all along. */
    kfk_consumer_message *rest[5];
    int more = records < 5 ? cit_drain(c, rest, 5 - records, 10000) : 0;
    CHECK_EQ(records + more, 5);
    cit_release_all(rest, more);

    /* Reported once, still waited for: the topic created now is read. */
    char err[256] = "";
    kfk_core_conf conf;
    it_conf(&conf, boot);
    kfk_core *admin = it_core(&conf);
    REQUIRE(admin);
    CHECK_EQ(it_create_topic(admin, missing, 1, err, sizeof err), 0);
    kfk_core_destroy(admin);
    REQUIRE(cit_kcat(boot, missing, 0, "none", "t", 0, 3) == 0);
    kfk_consumer_message *m[3];
    REQUIRE_EQ(cit_drain(c, m, 3, 30000), 3);
    CHECK_STR(m[0]->topic, missing);
    CHECK_EQ(m[0]->offset, 0);
    cit_release_all(m, 3);
    CHECK_EQ(logged(&log, missing, "topic.metadata.propagation.max.ms"), 1);
    kfk_consumer_destroy(c);

    /* From the committed offset (OffsetFetch first), likewise. */
    it_topic(missing, sizeof missing, "tmissing");
    c = cit_consumer(boot, "group.id", group, "allow.auto.create.topics", "false",
                     "topic.metadata.propagation.max.ms", "1000", NULL);
    REQUIRE(c);
    REQUIRE(cit_assign(c, missing, 1, KFK_OFFSET_STORED) == 0);
    int gone = 0, same = 0;
    wait_events(c, missing, 0, &gone, missing, 0, &same, NULL);
    CHECK_EQ(gone, KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    kfk_consumer_destroy(c);
}

/* A subscription to a topic that does not exist waits in silence (Java and
 * librdkafka alike): no error comes, and the topic is read once created. */
TEST(subscribed_topic_missing_waits_in_silence) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    char missing[160], group[160];
    it_topic(missing, sizeof missing, "tsubmiss");
    it_topic(group, sizeof group, "g-tsubmiss");
    kfk_consumer *c = cit_consumer(boot, "group.id", group, "allow.auto.create.topics", "false",
                                   "topic.metadata.propagation.max.ms", "0",
                                   "metadata.max.age.ms", "1000", "auto.offset.reset",
                                   "smallest", NULL);
    REQUIRE(c);
    const char *topics[1] = {missing};
    REQUIRE(kfk_consumer_subscribe(c, topics, 1) == 0);
    int64_t until = it_now_ms() + 3000;
    int events = 0;
    while (it_now_ms() < until) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 100);
        events += m != NULL;
        kfk_consumer_message_release(m);
    }
    CHECK_EQ(events, 0);
    kfk_core_conf conf;
    it_conf(&conf, boot);
    kfk_core *admin = it_core(&conf);
    REQUIRE(admin);
    char err[256] = "";
    CHECK_EQ(it_create_topic(admin, missing, 1, err, sizeof err), 0);
    kfk_core_destroy(admin);
    REQUIRE(cit_kcat(boot, missing, 0, "none", "t", 0, 2) == 0);
    kfk_consumer_message *m[2];
    int n = cit_drain(c, m, 2, 30000);
    CHECK_EQ(n, 2);
    cit_release_all(m, n);
    kfk_consumer_close(c);
}
