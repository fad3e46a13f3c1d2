/* Produces ten messages to a topic, then reads them back in a consumer
 * group. Build against an installed kfk:
 *   cc hello.c $(pkg-config --cflags --libs kfk) -o hello
 *   ./hello 127.0.0.1:29092 hello-topic */
#include <kfk.h>
#include <stdio.h>
#include <string.h>

static void on_delivery(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    (void)p;
    (void)opaque;
    if (d->err)
        fprintf(stderr, "not delivered: %s\n", d->errstr);
    else
        printf("delivered to %s [%d] at offset %lld\n", d->topic, (int)d->partition,
               (long long)d->offset);
}

/* bootstrap.servers plus up to two more key/value pairs (NULL: none). */
static kfk_conf *config(const char *brokers, const char *k1, const char *v1, const char *k2,
                        const char *v2) {
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    if (kfk_conf_set(conf, "bootstrap.servers", brokers, err, sizeof err) ||
        (k1 && kfk_conf_set(conf, k1, v1, err, sizeof err)) ||
        (k2 && kfk_conf_set(conf, k2, v2, err, sizeof err))) {
        fprintf(stderr, "%s\n", err);
        kfk_conf_destroy(conf);
        return NULL;
    }
    return conf;
}

static int produce(const char *brokers, const char *topic) {
    char err[256];
    kfk_conf *conf = config(brokers, "linger.ms", "5", NULL, NULL);
    kfk_producer_callbacks cbs = {.delivery = on_delivery};
    kfk_producer *p = conf ? kfk_producer_new(conf, &cbs, err, sizeof err) : NULL;
    if (!p) {
        if (conf) fprintf(stderr, "producer: %s\n", err);
        kfk_conf_destroy(conf);
        return 1;
    }
    for (int i = 0; i < 10; i++) {
        char value[32];
        int len = snprintf(value, sizeof value, "hello %d", i);
        kfk_message m = {.topic = topic, .partition = KFK_PARTITION_ANY, .key = "greeting",
                         .key_len = 8, .value = value, .value_len = (size_t)len};
        int rc = kfk_producer_send(p, &m, KFK_SEND_COPY);
        if (rc) fprintf(stderr, "send: %s\n", kfk_err_str(rc));
    }
    /* Sends what is queued, runs the delivery callbacks, then frees. */
    return kfk_producer_close(p, 10000) ? 1 : 0;
}

static int consume(const char *brokers, const char *topic) {
    char err[256];
    kfk_conf *conf = config(brokers, "group.id", "hello-group", "auto.offset.reset", "earliest");
    kfk_consumer *c = conf ? kfk_consumer_new(conf, err, sizeof err) : NULL;
    if (!c) {
        if (conf) fprintf(stderr, "consumer: %s\n", err);
        kfk_conf_destroy(conf);
        return 1;
    }
    const char *topics[] = {topic};
    kfk_consumer_subscribe(c, topics, 1);
    int got = 0;
    for (int idle = 0; got < 10 && idle < 30; idle++) {
        kfk_consumer_message *m = kfk_consumer_poll(c, 1000);
        if (!m) continue;
        if (!m->err) {
            printf("%s [%d] offset %lld: %.*s\n", m->topic, (int)m->partition,
                   (long long)m->offset, (int)m->value_len, (const char *)m->value);
            got++;
        }
        kfk_consumer_message_release(m);
    }
    /* Commits the offsets of what was read and leaves the group. */
    kfk_consumer_close(c);
    return got == 10 ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s BROKERS TOPIC\n", argv[0]);
        return 2;
    }
    return produce(argv[1], argv[2]) || consume(argv[1], argv[2]);
}
