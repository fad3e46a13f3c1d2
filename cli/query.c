/* -Q: for each -t topic:partition:timestamp, the first offset whose
 * timestamp is at or after it (kfk_admin_list_offsets: ListOffsets to the
 * partitions' leaders). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"

typedef struct answer {
    int64_t offset;
    int err;
} answer;

/* One ListOffsets round through the admin client for every query (one
 * request per leader). 0, or a kfk_err with err set. */
static int query_all(kfk_admin *adm, const cli_query *q, int n, int timeout_ms, answer *a,
                     char *err, size_t errlen) {
    kfk_partition_list *l = kfk_partition_list_new(n);
    for (int i = 0; l && i < n; i++) {
        kfk_partition *p = kfk_partition_list_add(l, q[i].topic, q[i].partition);
        if (!p) break;
        p->offset = KFK_OFFSET_AT_TIME;
        p->timestamp = q[i].timestamp;
    }
    if (!l || l->count != n) {
        kfk_partition_list_destroy(l);
        snprintf(err, errlen, "out of memory");
        return KFK_ERR_NOMEM;
    }
    kfk_admin_options opt = {.timeout_ms = timeout_ms > 0 ? timeout_ms : 1};
    kfk_admin_result *r = kfk_admin_list_offsets(adm, l, &opt, NULL, NULL);
    kfk_partition_list_destroy(l);
    int rc = r ? r->err : KFK_ERR_NOMEM;
    if (rc == KFK_ERR_PARTIAL) rc = 0; /* each partition carries its own error */
    if (rc) snprintf(err, errlen, "%s", r && r->errstr ? r->errstr : kfk_err_str(rc));
    for (int i = 0; !rc && i < n; i++) {
        const kfk_partition *p =
            kfk_partition_list_find(r->partitions, q[i].topic, q[i].partition);
        a[i] = p ? (answer){p->err ? -1 : p->offset, p->err}
                 : (answer){-1, KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION};
    }
    kfk_admin_result_destroy(r);
    return rc;
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
    kfk_admin *adm = cli_admin_new(o);
    if (!adm) return 1;
    int n = o->query_count, rc = 0;
    answer *a = calloc((size_t)n, sizeof *a);
    qsort(o->queries, (size_t)n, sizeof *o->queries, by_topic_partition);
    char err[512] = "";
    int e = a ? query_all(adm, o->queries, n, o->metadata_timeout_ms, a, err, sizeof err) : 0;
    if (e) {
        cli_error("offsets_for_times failed: %s", *err ? err : kfk_err_str(e));
        rc = 1;
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
    kfk_admin_destroy(adm);
    return rc || !a || fflush(stdout) ? 1 : 0;
}
