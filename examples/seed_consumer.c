/* The usage example of kafka-python's first KafkaConsumer (its README and
 * class docstring, 2014-2015), step by step against kfk: name topics,
 * partitions and start offsets; read with a consumer timeout; mark each
 * message done; commit; auto-commit every N done messages; print the
 * offsets view. Build against an installed kfk:
 *   cc seed_consumer.c $(pkg-config --cflags --libs kfk) -o seed_consumer
 *   ./seed_consumer 127.0.0.1:29092 topic1 topic2 my_consumer_group */
#include <kfk.h>
#include <stdio.h>
#include <string.h>

#define CONSUMER_TIMEOUT_MS 3000 /* consumer_timeout_ms: stop after this long without a message */

/* The application's work on one message. */
static void process_message(const kfk_consumer_message *m) {
    printf("%s:%d:%lld: key=%.*s value=%.*s\n", m->topic, (int)m->partition, (long long)m->offset,
           (int)m->key_len, m->key ? (const char *)m->key : "", (int)m->value_len,
           m->value ? (const char *)m->value : "");
}

/* Auto-commits report here, inside poll. */
static void on_commit(kfk_consumer *c, int err, const kfk_partition_list *offsets, void *opaque) {
    (void)c;
    (void)opaque;
    for (int i = 0; i < offsets->count; i++)
        printf("auto-committed %s [%d] at %lld: %s\n", offsets->elems[i].topic,
               (int)offsets->elems[i].partition, (long long)offsets->elems[i].offset,
               kfk_err_name(err ? err : offsets->elems[i].err));
}

static void on_log(void *opaque, const char *message) {
    (void)opaque;
    fprintf(stderr, "log: %s\n", message);
}

/* Processes and marks done; NULL (the consumer timeout) returns 0. */
static int handle(kfk_consumer *c, kfk_consumer_message *m) {
    if (!m) return 0;
    if (m->err)
        fprintf(stderr, "%s [%d]: %s\n", m->topic, (int)m->partition, kfk_err_str(m->err));
    else {
        process_message(m);
        kfk_consumer_task_done(c, m); /* only done messages are committed */
    }
    kfk_consumer_message_release(m);
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s BROKERS TOPIC1 TOPIC2 GROUP\n", argv[0]);
        return 2;
    }
    const char *brokers = argv[1], *topic1 = argv[2], *topic2 = argv[3], *group = argv[4];

    /* The constructor's settings: a group with auto-commit, from the
     * smallest offset when the group has none. task_done (not poll)
     * decides what is committed: enable.auto.offset.store=false. */
    const char *settings[][2] = {
        {"group.id", NULL},
        {"enable.auto.commit", "true"},
        {"auto.commit.interval.ms", "30000"},
        {"auto.commit.interval.messages", "10"},
        {"auto.offset.reset", "smallest"},
        {"enable.auto.offset.store", "false"},
    };
    settings[0][1] = group;
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    if (!conf || kfk_conf_set(conf, "bootstrap.servers", brokers, err, sizeof err)) goto bad_conf;
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        if (kfk_conf_set(conf, settings[i][0], settings[i][1], err, sizeof err)) goto bad_conf;
    kfk_consumer *c = kfk_consumer_new(conf, err, sizeof err);
    if (!c) goto bad_conf;
    kfk_consumer_set_commit_cb(c, on_commit, NULL);
    kfk_consumer_set_log_cb(c, on_log, NULL);

    /* set_topic_partitions: every partition of topic1 (from the group's
     * offset), and topic2's partition 0 from offset 12. */
    const char *all[1] = {topic1};
    int rc = kfk_consumer_assign_topics(c, all, 1, KFK_OFFSET_STORED, 10000);
    kfk_partition_list *l = kfk_partition_list_new(1);
    if (!rc && l) {
        kfk_partition_list_add(l, topic2, 0)->offset = 12;
        rc = kfk_consumer_incremental_assign(c, l);
    }
    kfk_partition_list_destroy(l);
    if (rc) {
        fprintf(stderr, "assign: %s\n", kfk_err_str(rc));
        kfk_consumer_destroy(c);
        return 1;
    }

    /* next(): one message, or the consumer timeout. */
    handle(c, kfk_consumer_poll(c, CONSUMER_TIMEOUT_MS));

    /* Iteration: until no message came for the consumer timeout. */
    while (handle(c, kfk_consumer_poll(c, CONSUMER_TIMEOUT_MS)))
        ;

    /* Batch interface (fetch_messages): what is already fetched, at once. */
    kfk_consumer_message *batch[500];
    int n = kfk_consumer_poll_batch(c, batch, 500, 0);
    for (int i = 0; i < n; i++) handle(c, batch[i]);

    /* commit(): what is done and not yet committed. */
    rc = kfk_consumer_commit(c, NULL, 0);
    if (rc == KFK_ERR_NOENT)
        printf("commit: nothing new\n");
    else
        printf("commit: %s\n", rc ? kfk_err_str(rc) : "ok");

    /* offsets(): fetch, highwater, commit and task_done per partition. */
    kfk_offsets_view *v = kfk_consumer_offsets_view(c);
    for (int i = 0; v && i < v->count; i++) {
        const kfk_partition_offsets *o = &v->elems[i];
        printf("offsets %s [%d]: fetch %lld highwater %lld commit %lld task_done %lld\n", o->topic,
               (int)o->partition, (long long)o->position, (long long)o->high_watermark,
               (long long)o->committed, (long long)o->done);
    }
    kfk_offsets_view_destroy(v);
    return kfk_consumer_close(c) ? 1 : 0;

bad_conf:
    fprintf(stderr, "%s\n", conf ? err : "out of memory");
    kfk_conf_destroy(conf);
    return 1;
}
