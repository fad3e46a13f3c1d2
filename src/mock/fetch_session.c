/* Fetch sessions for the mock (KIP-227): a Fetch with epoch 0 starts a
 * session holding its partitions; later ones name the session and its
 * next epoch, and send only the partitions they add or change and those
 * they forget. An incremental answer carries only partitions with news
 * (records, an error, a moved high watermark, stable offset or log start).
 * Each broker keeps a bounded number of sessions. */
#include <string.h>

#include "core/alloc.h"
#include "kfk.h"
#include "mock/mock_int.h"

/* Kafka's min.incremental.fetch.session.eviction.ms: a session idle this
 * long gives way to a new one when the broker is full. */
#define MOCK_SESSION_STALE_MS 120000

typedef struct fs_part {
    kfk_uuid topic_id;
    char *topic;
    kfk_fetch_request_partition req;
    int64_t hw, lso, log_start; /* as last sent; -2: never */
} fs_part;

struct mock_fsession {
    int32_t id, epoch, broker; /* epoch: the one the next request carries */
    int64_t last_used;
    fs_part *parts;
    int32_t nparts;
};

static void parts_free(fs_part *p, int32_t n) {
    for (int32_t i = 0; i < n; i++) kfk_free(p[i].topic);
    kfk_free(p);
}

static void session_drop(kfk_mock *m, int32_t i) {
    struct mock_fsession *s = m->sessions[i];
    parts_free(s->parts, s->nparts);
    kfk_free(s);
    m->sessions[i] = m->sessions[--m->nsessions];
}

void mock_sessions_free(kfk_mock *m) {
    while (m->nsessions) session_drop(m, m->nsessions - 1);
    kfk_free(m->sessions);
    m->sessions = NULL;
    m->scap = 0;
}

static int32_t session_index(const kfk_mock *m, int32_t broker, int32_t id) {
    for (int32_t i = 0; i < m->nsessions; i++)
        if (m->sessions[i]->id == id && m->sessions[i]->broker == broker) return i;
    return -1;
}

static int same_topic(int by_id, const kfk_uuid *id_a, kfk_str name_a, const kfk_uuid *id_b,
                      kfk_str name_b) {
    if (by_id) return kfk_uuid_eq(id_a, id_b);
    return name_a.len == name_b.len && (name_a.len <= 0 || !memcmp(name_a.ptr, name_b.ptr, (size_t)name_a.len));
}

/* One partition of the plan, before it is grouped by topic. */
typedef struct ent {
    kfk_uuid id;
    kfk_str name;
    kfk_fetch_request_partition req;
    int gone;
} ent;

static int ent_find(const ent *e, int32_t n, int by_id, const kfk_uuid *id, kfk_str name, int32_t part) {
    for (int32_t i = 0; i < n; i++)
        if (!e[i].gone && e[i].req.partition == part && same_topic(by_id, &e[i].id, e[i].name, id, name))
            return i;
    return -1;
}

/* The session's partitions with the request's additions, changes and
 * forgotten ones applied, grouped by topic into plan->topics. */
static int plan_incremental(mock_ctx *c, const struct mock_fsession *s, mock_fetch_plan *plan) {
    const kfk_fetch_request *q = c->req;
    int by_id = c->version >= 13;
    int32_t cap = s->nparts;
    for (int32_t i = 0; i < q->topics.count; i++) cap += q->topics.items[i].partitions.count;
    ent *e = kfk_arena_array(c->a, (size_t)cap + 1, sizeof *e);
    if (!e) return KFK_ERR_NOMEM;
    int32_t n = 0;
    /* Names copied: the answer outlives the session's parts it replaces. */
    for (int32_t i = 0; i < s->nparts; i++) {
        kfk_str name = kfk_arena_str(c->a, s->parts[i].topic);
        if (name.len != (int32_t)strlen(s->parts[i].topic)) return KFK_ERR_NOMEM;
        e[n++] = (ent){s->parts[i].topic_id, name, s->parts[i].req, 0};
    }
    for (int32_t i = 0; i < q->forgotten_topics_data.count; i++) {
        const kfk_fetch_request_forgotten_topic *f = &q->forgotten_topics_data.items[i];
        for (int32_t j = 0; j < f->partitions.count; j++) {
            int32_t k = ent_find(e, n, by_id, &f->topic_id, f->topic, f->partitions.items[j]);
            if (k >= 0) e[k].gone = 1;
        }
    }
    for (int32_t i = 0; i < q->topics.count; i++) {
        const kfk_fetch_request_topic *t = &q->topics.items[i];
        for (int32_t j = 0; j < t->partitions.count; j++) {
            int32_t k = ent_find(e, n, by_id, &t->topic_id, t->topic, t->partitions.items[j].partition);
            if (k < 0) k = n++;
            e[k] = (ent){t->topic_id, t->topic, t->partitions.items[j], 0};
        }
    }
    /* Grouped by topic, in the order topics first appear. */
    kfk_fetch_request_topic *topics = kfk_arena_array(c->a, (size_t)n + 1, sizeof *topics);
    kfk_fetch_request_partition *parts = kfk_arena_array(c->a, (size_t)n + 1, sizeof *parts);
    char *taken = kfk_arena_array(c->a, (size_t)n + 1, 1);
    if (!topics || !parts || !taken) return KFK_ERR_NOMEM;
    int32_t nt = 0, np = 0;
    for (int32_t i = 0; i < n; i++) {
        if (e[i].gone || taken[i]) continue;
        kfk_fetch_request_topic *t = &topics[nt++];
        memset(t, 0, sizeof *t);
        t->topic_id = e[i].id;
        t->topic = e[i].name;
        t->partitions.items = parts + np;
        for (int32_t k = i; k < n; k++) {
            if (e[k].gone || taken[k] || !same_topic(by_id, &e[k].id, e[k].name, &e[i].id, e[i].name)) continue;
            taken[k] = 1;
            parts[np++] = e[k].req;
        }
        t->partitions.count = (int32_t)(parts + np - t->partitions.items);
    }
    plan->topics = topics;
    plan->ntopics = nt;
    return 0;
}

int mock_session_plan(mock_ctx *c, mock_fetch_plan *plan) {
    const kfk_fetch_request *q = c->req;
    memset(plan, 0, sizeof *plan);
    plan->topics = q->topics.items;
    plan->ntopics = q->topics.count;
    if (c->version < 7) return 0;
    kfk_mock *m = c->m;
    if (q->session_epoch <= 0) {
        /* A full fetch; a session named with epoch 0 or -1 is closed. */
        int32_t i = q->session_id ? session_index(m, c->broker, q->session_id) : -1;
        if (i >= 0) session_drop(m, i);
        plan->full = q->session_epoch == 0;
        return 0;
    }
    int32_t i = q->session_id ? session_index(m, c->broker, q->session_id) : -1;
    if (i < 0) {
        plan->error = KFK_ERR_FETCH_SESSION_ID_NOT_FOUND;
        return 0;
    }
    if (m->sessions[i]->epoch != q->session_epoch) {
        plan->error = KFK_ERR_INVALID_FETCH_SESSION_EPOCH;
        return 0;
    }
    plan->session = m->sessions[i];
    return plan_incremental(c, plan->session, plan);
}

/* Room for a new session on the broker: the least recently used one goes
 * when it is stale or smaller than the newcomer. 0 when there is room. */
static int make_room(kfk_mock *m, int32_t broker, int32_t nparts, int64_t now) {
    int32_t count = 0, lru = -1;
    for (int32_t i = 0; i < m->nsessions; i++) {
        const struct mock_fsession *s = m->sessions[i];
        if (s->broker != broker) continue;
        count++;
        if (lru < 0 || s->last_used < m->sessions[lru]->last_used) lru = i;
    }
    if (count < m->max_sessions) return 0;
    if (lru < 0) return -1; /* max_sessions 0: no sessions at all */
    const struct mock_fsession *s = m->sessions[lru];
    if (now - s->last_used < MOCK_SESSION_STALE_MS && s->nparts >= nparts) return -1;
    session_drop(m, lru);
    return 0;
}

/* What the session last sent for a partition, or NULL. */
static const fs_part *sent_find(const struct mock_fsession *s, int by_id,
                                const kfk_fetch_request_topic *t, int32_t part) {
    for (int32_t i = 0; s && i < s->nparts; i++)
        if (s->parts[i].req.partition == part &&
            same_topic(by_id, &s->parts[i].topic_id, kfk_str_of(s->parts[i].topic), &t->topic_id, t->topic))
            return &s->parts[i];
    return NULL;
}

static int news(const fs_part *old, const kfk_fetch_response_partition_data *rp) {
    return !old || rp->error_code || rp->records.len > 0 || rp->preferred_read_replica >= 0 ||
           rp->high_watermark != old->hw ||
           rp->last_stable_offset != old->lso || rp->log_start_offset != old->log_start;
}

int mock_session_done(mock_ctx *c, const mock_fetch_plan *plan, kfk_fetch_response *r) {
    kfk_mock *m = c->m;
    struct mock_fsession *s = plan->session;
    int by_id = c->version >= 13;
    /* The answer mirrors the plan (arrays of negative counts made empty). */
    int32_t n = 0;
    for (int32_t i = 0; i < r->responses.count; i++) n += r->responses.items[i].partitions.count;
    if (plan->full) {
        if (make_room(m, c->broker, n, c->now_ms)) return 0; /* sessionless */
        if (m->nsessions == m->scap) {
            int32_t cap = m->scap ? m->scap * 2 : 8;
            struct mock_fsession **a = kfk_realloc(m->sessions, (size_t)cap * sizeof *a);
            if (!a) return 0;
            m->sessions = a;
            m->scap = cap;
        }
        if (!(s = kfk_calloc(1, sizeof *s))) return 0;
        do m->next_session = m->next_session == INT32_MAX ? 1 : m->next_session + 1;
        while (session_index(m, c->broker, m->next_session) >= 0);
        s->id = m->next_session;
        s->broker = c->broker;
        m->sessions[m->nsessions++] = s;
    }
    if (!s) return 0;
    fs_part *parts = kfk_calloc((size_t)n + 1, sizeof *parts);
    if (!parts) return KFK_ERR_NOMEM;
    int32_t k = 0;
    for (int32_t i = 0; i < r->responses.count; i++) {
        const kfk_fetch_request_topic *t = &plan->topics[i];
        kfk_fetch_response_fetchable_topic_response *rt = &r->responses.items[i];
        int32_t kept = 0, np = rt->partitions.count;
        for (int32_t j = 0; j < np; j++) {
            const kfk_fetch_response_partition_data *rp = &rt->partitions.items[j];
            fs_part *p = &parts[k++];
            p->topic_id = t->topic_id;
            p->topic = mock_strdup(t->topic.len >= 0 ? t->topic : kfk_str_of(""));
            p->req = t->partitions.items[j];
            p->hw = rp->high_watermark;
            p->lso = rp->last_stable_offset;
            p->log_start = rp->log_start_offset;
            if (!p->topic) {
                parts_free(parts, k);
                return KFK_ERR_NOMEM;
            }
            if (plan->full || news(sent_find(s, by_id, t, p->req.partition), rp))
                rt->partitions.items[kept++] = *rp;
        }
        rt->partitions.count = kept;
    }
    /* An incremental answer leaves out the topics without news. */
    int32_t kt = 0;
    for (int32_t i = 0; i < r->responses.count; i++)
        if (r->responses.items[i].partitions.count) r->responses.items[kt++] = r->responses.items[i];
    r->responses.count = kt;
    parts_free(s->parts, s->nparts);
    s->parts = parts;
    s->nparts = n;
    s->epoch = s->epoch == INT32_MAX ? 1 : s->epoch + 1;
    s->last_used = c->now_ms;
    r->session_id = s->id;
    return 0;
}

int kfk_mock_session_count(const kfk_mock *m, int32_t broker_id) {
    if (!mock_broker_get(m, broker_id)) return -1;
    int n = 0;
    for (int32_t i = 0; i < m->nsessions; i++) n += m->sessions[i]->broker == broker_id;
    return n;
}
