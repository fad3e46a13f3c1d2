/* kfk group describe: the rows of kafka-consumer-groups --describe. Committed
 * offsets and lag come from one group_lag call; partitions a member owns but
 * the group never committed get their log end from ListOffsets. */
#include <stdlib.h>
#include <string.h>

#include "group.h"

typedef struct row {
    const char *topic; /* NULL: a member without partitions */
    int32_t partition;
    int64_t committed, log_end; /* KFK_OFFSET_INVALID / -1: unknown */
    const kfk_group_member *member;
} row;

static const kfk_group_member *owner(const kfk_group_desc *d, const char *topic, int32_t p) {
    for (int i = 0; i < d->nmembers; i++)
        for (int j = 0; j < d->members[i].nassignment; j++) {
            const kfk_topic_partition *tp = &d->members[i].assignment[j];
            if (tp->partition == p && !strcmp(tp->topic, topic)) return &d->members[i];
        }
    return NULL;
}

static int by_partition(const void *x, const void *y) {
    const row *a = x, *b = y;
    if (!a->topic || !b->topic) return !a->topic - !b->topic;
    int c = strcmp(a->topic, b->topic);
    return c ? c : (a->partition > b->partition) - (a->partition < b->partition);
}

static int committed(const kfk_admin_result *lag, const kfk_topic_partition *tp) {
    for (int k = 0; k < lag->nlags; k++)
        if (lag->lags[k].partition == tp->partition && !strcmp(lag->lags[k].topic, tp->topic))
            return 1;
    return 0;
}

/* Rows for owned partitions without a commit, their log end asked for
 * (unknown when that fails: the rest of the answer is still worth it). */
static int uncommitted(cli_adm *a, const kfk_group_desc *d, const kfk_admin_result *lag, row *rows,
                       int *n) {
    kfk_partition_list *l = kfk_partition_list_new(8);
    if (!l) return -1;
    for (int i = 0; i < d->nmembers; i++)
        for (int j = 0; j < d->members[i].nassignment; j++) {
            const kfk_topic_partition *tp = &d->members[i].assignment[j];
            if (committed(lag, tp)) continue;
            kfk_partition *e = kfk_partition_list_add(l, tp->topic, tp->partition);
            if (!e) {
                kfk_partition_list_destroy(l);
                return -1;
            }
            e->offset = KFK_OFFSET_END;
            rows[(*n)++] = (row){tp->topic, tp->partition, KFK_OFFSET_INVALID, -1, &d->members[i]};
        }
    kfk_admin_result *ends =
        l->count ? kfk_admin_list_offsets(cli_adm_client(a), l, NULL, NULL, NULL) : NULL;
    for (int i = 0; ends && ends->partitions && i < *n; i++) {
        const kfk_partition *e =
            kfk_partition_list_find(ends->partitions, rows[i].topic, rows[i].partition);
        if (e && !e->err) rows[i].log_end = e->offset;
    }
    kfk_admin_result_destroy(ends);
    kfk_partition_list_destroy(l);
    return 0;
}

static void add_row(cli_table *t, const char *group, const row *r) {
    const kfk_group_member *m = r->member;
    cli_table_row(t);
    cli_table_str(t, group);
    cli_table_str(t, r->topic);
    if (r->topic) cli_table_num(t, r->partition);
    else cli_table_null(t);
    if (r->committed >= 0) cli_table_num(t, r->committed);
    else cli_table_null(t);
    if (r->log_end >= 0) cli_table_num(t, r->log_end);
    else cli_table_null(t);
    if (r->committed >= 0 && r->log_end >= 0) cli_table_num(t, r->log_end - r->committed);
    else cli_table_null(t);
    cli_table_str(t, m ? m->member_id : NULL);
    cli_table_str(t, m ? m->host : NULL);
    cli_table_str(t, m ? m->client_id : NULL);
}

static int print(cli_adm *a, const kfk_group_desc *d, const kfk_admin_result *lag) {
    int cap = lag->nlags + d->nmembers, n = 0, rc;
    for (int i = 0; i < d->nmembers; i++) cap += d->members[i].nassignment;
    row *rows = calloc((size_t)cap + 1, sizeof *rows);
    if (!rows || uncommitted(a, d, lag, rows, &n)) {
        cli_adm_error(a, "out of memory");
        free(rows);
        return 1;
    }
    for (int i = 0; i < lag->nlags; i++) {
        const kfk_partition_lag *l = &lag->lags[i];
        rows[n++] = (row){l->topic, l->partition, l->committed, l->log_end,
                          owner(d, l->topic, l->partition)};
    }
    for (int i = 0; i < d->nmembers; i++)
        if (!d->members[i].nassignment) rows[n++] = (row){.member = &d->members[i]};
    qsort(rows, (size_t)n, sizeof *rows, by_partition);
    static const char *const head[] = {"GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET",
                                       "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST",
                                       "CLIENT-ID"};
    cli_table t;
    cli_table_init(&t, head, 9);
    for (int i = 0; i < n; i++) add_row(&t, d->group_id, &rows[i]);
    if (!d->nmembers && !a->json)
        fprintf(stderr, "Consumer group '%s' has no active members.\n", d->group_id);
    rc = cli_adm_print(a, &t);
    free(rows);
    return rc;
}

int cli_group_describe(cli_adm *a) {
    kfk_admin *adm = cli_adm_client(a);
    if (!adm) return 1;
    const char *group = a->args.pos[0];
    kfk_admin_result *desc = kfk_admin_describe_groups(adm, &group, 1, NULL, NULL, NULL);
    kfk_admin_result *lag = NULL;
    int rc = cli_adm_failed(a, desc);
    if (!rc && !cli_group_exists(a, &desc->group_descs[0])) rc = 1;
    if (!rc) {
        lag = kfk_admin_group_lag(adm, group, NULL, NULL, NULL);
        rc = cli_adm_failed(a, lag);
    }
    if (!rc) rc = print(a, &desc->group_descs[0], lag);
    kfk_admin_result_destroy(lag);
    kfk_admin_result_destroy(desc);
    return rc;
}
