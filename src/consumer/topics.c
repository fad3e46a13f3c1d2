/* kfk_consumer_topic_partitions: the cluster's topics and their
 * partitions, asked from the application's thread with one Metadata
 * request on the consumer's own connections (no second client). The
 * answer is read, not cached: the topics asked about do not join the set
 * the core keeps fresh, and a missing topic is reported, not waited for. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "consumer/consumer_int.h"
#include "core/alloc.h"

typedef struct ask {
    kfk_partition_list *out;
    int internal; /* keep internal topics */
} ask;

/* Adds the topic's partitions (or, for a topic in error, one element with
 * partition -1 and that error) to a->out. */
static int add_topic(ask *a, const kfk_metadata_response_topic *t) {
    if (t->name.len < 0) return 0; /* v12+: a topic named by id only */
    if (t->is_internal && !a->internal) return 0;
    char *name = kfk_strndup(t->name.ptr, (size_t)t->name.len);
    if (!name) return KFK_ERR_NOMEM;
    int rc = 0;
    if (t->error_code) {
        kfk_partition *e = kfk_partition_list_add(a->out, name, -1);
        if (!e) {
            rc = KFK_ERR_NOMEM;
        } else {
            e->offset = KFK_OFFSET_INVALID;
            e->err = t->error_code;
        }
    }
    for (int32_t i = 0; !rc && !t->error_code && i < t->partitions.count; i++) {
        const kfk_metadata_response_partition *p = &t->partitions.items[i];
        kfk_partition *e = kfk_partition_list_add(a->out, name, p->partition_index);
        if (!e) {
            rc = KFK_ERR_NOMEM;
            break;
        }
        e->offset = KFK_OFFSET_INVALID;
        e->leader_epoch = p->leader_epoch;
        e->err = p->error_code;
    }
    kfk_free(name);
    return rc;
}

/* I/O thread: the response into a->out. */
static int on_metadata(void *opaque, kfk_response *resp) {
    ask *a = opaque;
    kfk_arena arena = {0};
    kfk_metadata_response m;
    int rc = kfk_metadata_response_decode(&resp->body, resp->version, &arena, &m);
    if (!rc && m.error_code) rc = m.error_code;
    for (int32_t i = 0; !rc && i < m.topics.count; i++) rc = add_topic(a, &m.topics.items[i]);
    kfk_arena_reset(&arena);
    return rc;
}

static int by_topic_partition(const void *x, const void *y) {
    const kfk_partition *a = x, *b = y;
    int c = strcmp(a->topic, b->topic);
    if (c) return c;
    return (a->partition > b->partition) - (a->partition < b->partition);
}

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int kfk_consumer_topic_partitions(kfk_consumer *c, const char *const *topics, int n, int internal,
                                  int timeout_ms, kfk_partition_list **out) {
    if (!out || (n > 0 && !topics)) return KFK_ERR_INVALID_ARG;
    *out = NULL;
    for (int i = 0; i < n; i++)
        if (!topics[i] || !topics[i][0]) return KFK_ERR_INVALID_ARG;
    if (timeout_ms <= 0) timeout_ms = c->cc.default_api_timeout_ms;
    int64_t deadline = kfk_io_clock() + timeout_ms;
    kfk_metadata_request_topic *names = NULL;
    if (n > 0 && !(names = kfk_calloc((size_t)n, sizeof *names))) return KFK_ERR_NOMEM;
    for (int i = 0; i < n; i++) names[i].name = kfk_str_of(topics[i]);
    int err;
    for (int attempt = 0;; attempt++) {
        int64_t left = deadline - kfk_io_clock();
        if (left <= 0) {
            err = KFK_ERR_TIMED_OUT;
            break;
        }
        ask a = {kfk_partition_list_new(n > 0 ? n : 16), internal || n >= 0};
        if (!a.out) {
            err = KFK_ERR_NOMEM;
            break;
        }
        kfk_metadata_request m;
        kfk_metadata_request_init(&m);
        m.allow_auto_topic_creation = 0; /* asking must not create */
        m.topics.items = names;
        m.topics.count = n < 0 ? -1 : n;
        kfk_core_req r = {.dest = KFK_DEST_ANY};
        /* v1+: v0 reads an empty topic list as "all topics". */
        r.req = (kfk_request){.api_key = KFK_API_METADATA, .min_version = 1, .max_version = -1,
                              .msg = &m, .timeout_ms = (int32_t)left};
        err = kfk_core_send_wait(c->core, &r, on_metadata, &a, NULL, 0);
        if (!err) {
            if (a.out->count > 1)
                qsort(a.out->elems, (size_t)a.out->count, sizeof *a.out->elems, by_topic_partition);
            *out = a.out;
            break;
        }
        kfk_partition_list_destroy(a.out);
        if (!kfk_err_retriable(err) || err == KFK_ERR_TIMED_OUT) break;
        int backoff = c->cc.retry_backoff_ms << (attempt < 4 ? attempt : 4);
        if (backoff > c->cc.retry_backoff_max_ms) backoff = c->cc.retry_backoff_max_ms;
        left = deadline - kfk_io_clock();
        sleep_ms(backoff < left ? backoff : (int)(left > 0 ? left : 0));
    }
    kfk_free(names);
    return err;
}
