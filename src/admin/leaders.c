/* Partition requests batched per leader (ListOffsets, DeleteRecords): the
 * partitions an operation asks about are grouped by their leader in the
 * current metadata and go out as one request per leader. A partition whose
 * leader is unknown, or that its broker answers with a retriable error
 * (NOT_LEADER_OR_FOLLOWER while leadership moves, UNKNOWN_TOPIC_OR_PARTITION
 * while metadata catches up), stays in its sub, which asks for a metadata
 * refresh and, after a backoff, plans again:
 *
 *   plan --leader known--> one sub per leader --final answer--> api->done
 *    ^  \--leader unknown--+                   |
 *    |                     v                   v retriable (the partition's
 *    +--- backoff <-- kept in the sub <--------+  or the whole request's)
 *
 * A request that timed out (each waits at most request.timeout.ms) counts
 * as the request's retriable error: its partitions are planned again
 * after a refresh, and go to a new leader once metadata names one. Past
 * the operation's deadline the partitions left get the last error they
 * met. Everything here runs on the I/O thread. */
#include <stdatomic.h>
#include <stdlib.h>

#include "admin/admin_int.h"

enum { ASKED, AGAIN, SETTLED }; /* kfk_apart.state */

typedef struct batch {
    const kfk_apart_api *api;
    kfk_apart *parts; /* sorted by topic and partition once sent */
    int n;
    int64_t asked_at; /* when it last asked for a metadata refresh; -1 never */
} batch;

static int part_cmp(const void *x, const void *y) {
    const kfk_apart *p = x, *q = y;
    if (p->leader != q->leader) return p->leader < q->leader ? -1 : 1;
    if (p->dup != q->dup) return p->dup < q->dup ? -1 : 1;
    int d = strcmp(p->topic, q->topic);
    return d ? d : (p->partition > q->partition) - (p->partition < q->partition);
}

kfk_apart *kfk_aparts_of_list(kfk_aop *op, const kfk_partition_list *l) {
    kfk_apart *parts = kfk_arena_array(&op->arena, (size_t)l->count, sizeof *parts);
    if (!parts) return NULL;
    for (int i = 0; i < l->count; i++)
        parts[i] = (kfk_apart){.topic = l->elems[i].topic, .partition = l->elems[i].partition,
                               .index = i, .leader = -1};
    qsort(parts, (size_t)l->count, sizeof *parts, part_cmp);
    return parts;
}

void *kfk_aparts_topics(kfk_aop *op, const kfk_apart *parts, int n, void *msg,
                        const kfk_alayout *lay) {
    int nt = 0;
    for (int i = 0; i < n; i++) nt += i == 0 || strcmp(parts[i].topic, parts[i - 1].topic) != 0;
    char *ts = kfk_arena_array(&op->arena, (size_t)(nt ? nt : 1), lay->topic_size);
    char *ps = kfk_arena_array(&op->arena, (size_t)(n ? n : 1), lay->part_size);
    if (!ts || !ps) return NULL;
    kfk_array topics = {ts, 0}, run = {ps, 0};
    for (int i = 0; i < n; i++) {
        if (i == 0 || strcmp(parts[i].topic, parts[i - 1].topic) != 0) {
            kfk_str name = kfk_str_of(parts[i].topic);
            memcpy(ts + (size_t)topics.count++ * lay->topic_size + lay->name, &name, sizeof name);
            run = (kfk_array){ps + (size_t)i * lay->part_size, 0};
        }
        run.count++;
        memcpy(ts + (size_t)(topics.count - 1) * lay->topic_size + lay->partitions, &run,
               sizeof run);
    }
    memcpy((char *)msg + lay->topics, &topics, sizeof topics);
    return ps;
}

long kfk_admin_leader_requests(kfk_admin *a) { return atomic_load(&a->leader_requests); }

static int plan(kfk_asub *s);

/* The final error of a partition the sub still holds: the last retriable
 * one it met if the sub gave up retrying, else the sub's. */
static void on_batch_error(kfk_asub *s, int err, const char *errstr) {
    (void)errstr;
    batch *b = s->ctx;
    int gave_up = kfk_admin_retriable(err) || err == KFK_ERR_TIMED_OUT;
    for (int i = 0; i < b->n; i++) {
        kfk_apart *p = &b->parts[i];
        if (p->state == SETTLED) continue;
        p->state = SETTLED;
        b->api->done(s->op, p->index, gave_up && p->err ? p->err : err, NULL);
    }
}

/* Settles p with err (0: answer is its entry in a response). */
static void settle(kfk_aop *op, const kfk_apart_api *api, kfk_apart *p, int err,
                   const void *answer) {
    p->state = SETTLED;
    api->done(op, p->index, err, answer);
}

/* Moves the unsettled partitions to the front of b: how many. */
static int compact(batch *b) {
    int kept = 0;
    for (int i = 0; i < b->n; i++)
        if (b->parts[i].state != SETTLED) b->parts[kept++] = b->parts[i];
    return b->n = kept;
}

/* The kept partitions (sorted by topic) wait for fresher metadata. */
static void ask_refresh(kfk_asub *s) {
    batch *b = s->ctx;
    for (int i = 0; i < b->n; i++)
        if (i == 0 || strcmp(b->parts[i].topic, b->parts[i - 1].topic) != 0)
            kfk_core_metadata_refresh(s->op->admin->core, &b->parts[i].topic, 1);
    b->asked_at = kfk_io_now(s->op->admin->io);
}

static int on_batch_response(kfk_asub *s, kfk_response *resp);

/* The request failed as a whole (its leader stalled or went away): its
 * partitions met err and are planned again on fresher metadata, so that
 * they go to the new leader once there is one. */
static void on_batch_retry(kfk_asub *s, int err) {
    batch *b = s->ctx;
    int asked = 0;
    for (int i = 0; i < b->n; i++) {
        kfk_apart *p = &b->parts[i];
        if (p->state != ASKED) continue;
        p->state = AGAIN;
        p->err = err;
        asked = 1;
    }
    if (asked) ask_refresh(s);
}

/* The partition of b called topic/partition (b's are sorted), or NULL. */
static kfk_apart *find(batch *b, kfk_str topic, int32_t partition) {
    if (topic.len < 0) return NULL;
    int lo = 0, hi = b->n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        const kfk_apart *p = &b->parts[mid];
        int d = strncmp(p->topic, topic.ptr, (size_t)topic.len);
        if (!d) d = p->topic[topic.len] != '\0';
        if (!d) d = (p->partition > partition) - (p->partition < partition);
        if (!d) return &b->parts[mid];
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* One request for parts[0..n), all led by the same broker. */
static void send_batch(kfk_asub *from, kfk_apart *parts, int n) {
    kfk_aop *op = from->op;
    const batch *fb = from->ctx;
    batch *b = kfk_arena_alloc(&op->arena, sizeof *b);
    int16_t min_version = 0;
    void *msg = b ? fb->api->build(op, parts, n, &min_version) : NULL;
    kfk_asub *s = msg ? kfk_asub_new(op, on_batch_response, on_batch_error) : NULL;
    if (!s) {
        for (int i = 0; i < n; i++) settle(op, fb->api, &parts[i], KFK_ERR_NOMEM, NULL);
        return;
    }
    *b = (batch){.api = fb->api, .parts = parts, .n = n, .asked_at = fb->asked_at};
    for (int i = 0; i < n; i++) parts[i].state = ASKED;
    s->ctx = b;
    s->resend = plan;
    s->on_retry = on_batch_retry;
    s->attempts = from->attempts; /* the backoff keeps growing across plans */
    s->r.dest = KFK_DEST_NODE;
    s->r.node_id = parts[0].leader;
    s->r.req = (kfk_request){.api_key = fb->api->api_key, .min_version = min_version,
                             .max_version = -1, .msg = msg};
    atomic_fetch_add(&op->admin->leader_requests, 1);
    kfk_asub_send(s);
}

/* Finds each partition's leader: those with none known stay (an error to
 * retry with), the others go out in one request per leader. Partitions the
 * metadata rules out settle now: a topic's lasting error, or a partition
 * that metadata fetched since the last refresh does not list. */
static int plan(kfk_asub *s) {
    batch *b = s->ctx;
    kfk_aop *op = s->op;
    kfk_metadata *md = kfk_core_metadata(op->admin->core);
    int fresh = md && b->asked_at >= 0 && md->updated_ms >= b->asked_at;
    for (int i = 0; i < b->n; i++) {
        kfk_apart *p = &b->parts[i];
        const kfk_md_topic *t = md ? kfk_metadata_topic(md, p->topic) : NULL;
        const kfk_md_partition *mp = t ? kfk_metadata_partition(t, p->partition) : NULL;
        p->leader = mp && !t->err ? mp->leader : -1;
        p->dup = 0;
        if (t && t->err && !kfk_admin_retriable(t->err))
            settle(op, b->api, p, t->err, NULL);
        else if (fresh && t && !t->err && t->npartitions > 0 && !mp)
            settle(op, b->api, p, KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION, NULL);
        else if (p->leader < 0)
            p->err = !t ? KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION
                 : t->err ? t->err
                          : KFK_ERR_LEADER_NOT_AVAILABLE;
    }
    kfk_metadata_unref(md);
    int n = compact(b);
    qsort(b->parts, (size_t)n, sizeof *b->parts, part_cmp); /* leaderless first */
    /* A partition asked twice (its start and its end) goes in another
     * request: brokers refuse a partition repeated in one. */
    int dups = 0;
    for (int i = 1; i < n; i++) {
        kfk_apart *p = &b->parts[i], *q = &b->parts[i - 1];
        if (p->leader == q->leader && p->partition == q->partition && !strcmp(p->topic, q->topic))
            dups = p->dup = q->dup + 1;
    }
    if (dups) qsort(b->parts, (size_t)n, sizeof *b->parts, part_cmp);
    int kept = 0;
    while (kept < n && b->parts[kept].leader < 0) kept++;
    for (int i = kept, j; i < n; i = j) {
        for (j = i + 1; j < n && b->parts[j].leader == b->parts[i].leader &&
                        b->parts[j].dup == b->parts[i].dup;
             j++) {
        }
        send_batch(s, &b->parts[i], j - i); /* the slice is the new sub's from now on */
    }
    b->n = kept;
    if (!kept) return 0;
    ask_refresh(s);
    return b->parts[0].err;
}

/* Settles what the broker answered for good; the rest stays in s, to be
 * planned again (a retriable error) or failed (a response that leaves out
 * a partition it was asked about is malformed). */
static int on_batch_response(kfk_asub *s, kfk_response *resp) {
    batch *b = s->ctx;
    const kfk_apart_api *api = b->api;
    kfk_arena a = {0};
    void *m = kfk_arena_alloc(&a, api->response_desc->s.size);
    int err = m ? kfk_msg_decode(&resp->body, api->response_desc, resp->version, &a, m)
                : KFK_ERR_NOMEM;
    const kfk_alayout *lay = &api->response;
    kfk_array topics = {NULL, 0}, ps;
    if (!err) memcpy(&topics, (char *)m + lay->topics, sizeof topics);
    for (int32_t t = 0; !err && t < topics.count; t++) {
        const char *topic = (const char *)topics.items + (size_t)t * lay->topic_size;
        kfk_str name;
        memcpy(&name, topic + lay->name, sizeof name);
        memcpy(&ps, topic + lay->partitions, sizeof ps);
        for (int32_t i = 0; i < ps.count; i++) {
            const char *e = (const char *)ps.items + (size_t)i * lay->part_size;
            int32_t partition;
            int16_t code;
            memcpy(&partition, e + api->index, sizeof partition);
            memcpy(&code, e + api->error, sizeof code);
            kfk_apart *p = find(b, name, partition);
            if (!p || p->state != ASKED) continue;
            if (kfk_admin_retriable(code)) {
                p->state = AGAIN;
                p->err = code;
            } else {
                settle(s->op, api, p, code, e);
            }
        }
    }
    kfk_arena_reset(&a);
    if (err || !compact(b)) return err;
    for (int i = 0; i < b->n; i++)
        if (b->parts[i].state == ASKED) return KFK_ERR_MALFORMED;
    ask_refresh(s);
    return b->parts[0].err;
}

void kfk_aparts_send(kfk_aop *op, const kfk_apart_api *api, kfk_apart *parts, int n) {
    batch *b = kfk_arena_alloc(&op->arena, sizeof *b);
    kfk_asub *s = b ? kfk_asub_new(op, on_batch_response, on_batch_error) : NULL;
    if (!s) {
        for (int i = 0; i < n; i++) api->done(op, parts[i].index, KFK_ERR_NOMEM, NULL);
        return;
    }
    *b = (batch){.api = api, .parts = parts, .n = n, .asked_at = -1};
    for (int i = 0; i < n; i++) parts[i].state = AGAIN;
    s->ctx = b;
    s->resend = plan;
    s->on_retry = on_batch_retry;
    kfk_asub_resend(s);
}
