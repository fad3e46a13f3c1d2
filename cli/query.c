/* -Q: for each -t topic:partition:timestamp, the first offset whose
 * timestamp is at or after it (ListOffsets to the partition's leader). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client/core.h"
#include "json.h"

typedef struct answer {
    int64_t offset;
    int16_t err;
} answer;

static int on_response(void *opaque, kfk_response *resp) {
    answer *a = opaque;
    kfk_arena arena = {0};
    kfk_list_offsets_response m;
    int rc = kfk_list_offsets_response_decode(&resp->body, resp->version, &arena, &m);
    if (!rc && (m.topics.count != 1 || m.topics.items[0].partitions.count != 1))
        rc = KFK_ERR_MALFORMED;
    if (!rc) {
        const kfk_list_offsets_response_partition_response *p = &m.topics.items[0].partitions.items[0];
        a->offset = p->offset;
        a->err = p->error_code;
    }
    kfk_arena_reset(&arena);
    return rc;
}

static int query_one(kfk_core *c, const cli_query *q, int timeout_ms, answer *a, char *err,
                     size_t errlen) {
    kfk_list_offsets_request m;
    kfk_list_offsets_request_init(&m);
    kfk_list_offsets_request_partition part = {
        .partition_index = q->partition, .current_leader_epoch = -1, .timestamp = q->timestamp};
    kfk_list_offsets_request_topic topic = {.name = {q->topic, (int32_t)strlen(q->topic)}};
    topic.partitions.items = &part;
    topic.partitions.count = 1;
    m.replica_id = -1;
    m.topics.items = &topic;
    m.topics.count = 1;
    kfk_core_req r = {.dest = KFK_DEST_LEADER, .topic = q->topic, .partition = q->partition};
    r.req = (kfk_request){.api_key = KFK_API_LIST_OFFSETS, .min_version = 1, .max_version = -1,
                          .msg = &m, .timeout_ms = timeout_ms};
    *a = (answer){-1, 0};
    return kfk_core_send_wait(c, &r, on_response, a, err, errlen);
}

static int by_topic_partition(const void *x, const void *y) {
    const cli_query *a = x, *b = y;
    int c = strcmp(a->topic, b->topic);
    return c ? c : (a->partition > b->partition) - (a->partition < b->partition);
}

static void print_json(const cli_query *q, const answer *a, int n) {
    fputc('{', stdout);
    for (int i = 0; i < n; i++) {
        int first = !i || strcmp(q[i].topic, q[i - 1].topic);
        if (first) {
            if (i) fputs("},", stdout);
            cli_json_string(stdout, q[i].topic, strlen(q[i].topic));
            fputs(":{\"topic\":", stdout);
            cli_json_string(stdout, q[i].topic, strlen(q[i].topic));
        }
        printf(",\"%" PRId32 "\":{\"partition\":%" PRId32 ",\"offset\":%" PRId64, q[i].partition,
               q[i].partition, a[i].offset);
        if (a[i].err) {
            fputs(",\"error\":", stdout);
            const char *e = kfk_err_str(a[i].err);
            cli_json_string(stdout, e, strlen(e));
        }
        fputc('}', stdout);
    }
    fputs(n ? "}}" : "}", stdout);
}

int cli_query_offsets(cli_opts *o) {
    kfk_core *c = cli_core_new(o, 0);
    if (!c) return 1;
    int n = o->query_count, rc = 0;
    answer *a = calloc((size_t)n, sizeof *a);
    qsort(o->queries, (size_t)n, sizeof *o->queries, by_topic_partition);
    int64_t deadline = cli_now_ms() + o->metadata_timeout_ms;
    for (int i = 0; a && i < n && !rc; i++) {
        char err[512] = "";
        int64_t left = deadline - cli_now_ms();
        int e = query_one(c, &o->queries[i], left > 1 ? (int)left : 1, &a[i], err, sizeof err);
        if (e) {
            cli_error("offsets_for_times failed: %s", *err ? err : kfk_err_str(e));
            rc = 1;
        }
    }
    if (!a) cli_error("out of memory");
    if (a && !rc && o->json) print_json(o->queries, a, n);
    for (int i = 0; a && !rc && !o->json && i < n; i++) {
        printf("%s [%" PRId32 "] offset %" PRId64, o->queries[i].topic, o->queries[i].partition,
               a[i].offset);
        if (a[i].err) printf(": %s", kfk_err_str(a[i].err));
        putchar('\n');
    }
    free(a);
    kfk_core_destroy(c);
    return rc || !a || fflush(stdout) ? 1 : 0;
}
