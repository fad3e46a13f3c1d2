/* Synchronous questions to partition leaders from the application's
 * thread: ListOffsets for earliest, latest and by-time offsets, and the
 * watermarks. Leader errors refresh metadata and retry until the timeout. */
#include <string.h>
#include <time.h>

#include "consumer/consumer_int.h"

typedef struct answer {
    int16_t err;
    int64_t offset, timestamp;
} answer;

static int decode(void *opaque, kfk_response *resp) {
    answer *a = opaque;
    kfk_arena arena = {0};
    kfk_list_offsets_response m;
    int rc = kfk_list_offsets_response_decode(&resp->body, resp->version, &arena, &m);
    if (!rc && m.topics.count == 1 && m.topics.items[0].partitions.count == 1) {
        const kfk_list_offsets_response_partition_response *p = &m.topics.items[0].partitions.items[0];
        a->err = p->error_code;
        a->offset = p->offset;
        a->timestamp = p->timestamp;
    } else if (!rc) {
        rc = KFK_ERR_MALFORMED;
    }
    kfk_arena_reset(&arena);
    return rc;
}

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* One partition's offset at `at` (-2 earliest, -1 latest, or a time). */
static int list_one(kfk_consumer *c, kfk_partition *e, int64_t at, int64_t deadline) {
    for (int attempt = 0;; attempt++) {
        int64_t left = deadline - kfk_io_clock();
        if (left <= 0) return KFK_ERR_TIMED_OUT;
        kfk_list_offsets_request_partition part = {
            .partition_index = e->partition, .current_leader_epoch = -1, .timestamp = at,
            .max_num_offsets = 1};
        kfk_list_offsets_request_topic topic = {.name = {e->topic, (int32_t)strlen(e->topic)}};
        topic.partitions.items = &part;
        topic.partitions.count = 1;
        kfk_list_offsets_request m;
        kfk_list_offsets_request_init(&m);
        m.replica_id = -1;
        m.isolation_level = (int8_t)c->cc.read_committed;
        m.topics.items = &topic;
        m.topics.count = 1;
        kfk_core_req r = {.dest = KFK_DEST_LEADER, .topic = e->topic, .partition = e->partition};
        r.req = (kfk_request){.api_key = KFK_API_LIST_OFFSETS, .min_version = 1,
                              .max_version = -1, .msg = &m, .timeout_ms = (int32_t)left};
        answer a = {0, -1, -1};
        int err = kfk_core_send_wait(c->core, &r, decode, &a, NULL, 0);
        if (!err) err = a.err;
        if (!err) {
            e->offset = a.offset;
            e->timestamp = a.timestamp;
            return 0;
        }
        if (!kfk_err_retriable(err) || err == KFK_ERR_TIMED_OUT) return err;
        kfk_core_metadata_refresh(c->core, (const char *const *)&e->topic, 1);
        int backoff = c->cc.retry_backoff_ms << (attempt < 4 ? attempt : 4);
        sleep_ms(backoff < c->cc.retry_backoff_max_ms ? backoff : c->cc.retry_backoff_max_ms);
    }
}

int kfk_consumer_list_offsets(kfk_consumer *c, kfk_partition_list *list, int timeout_ms) {
    int64_t deadline = kfk_io_clock() + timeout_ms;
    int rc = 0;
    for (int i = 0; i < list->count; i++) {
        kfk_partition *e = &list->elems[i];
        int64_t at = e->offset == KFK_OFFSET_AT_TIME ? e->timestamp : e->offset;
        if (e->offset != KFK_OFFSET_BEGINNING && e->offset != KFK_OFFSET_END &&
            !(e->offset == KFK_OFFSET_AT_TIME && e->timestamp >= 0))
            e->err = KFK_ERR_INVALID_ARG;
        else
            e->err = list_one(c, e, at, deadline);
        if (e->err) rc = KFK_ERR_PARTIAL;
    }
    return rc;
}

int kfk_consumer_watermarks(kfk_consumer *c, const char *topic, int32_t partition, int64_t *low,
                            int64_t *high, int timeout_ms) {
    int64_t deadline = kfk_io_clock() + timeout_ms;
    kfk_partition e = {.topic = (char *)topic, .partition = partition};
    int err = list_one(c, &e, KFK_OFFSET_BEGINNING, deadline);
    if (err) return err;
    *low = e.offset;
    err = list_one(c, &e, KFK_OFFSET_END, deadline);
    if (!err) *high = e.offset;
    return err;
}
