#include "consumer/fetch_session.h"

#include <string.h>

#include "core/alloc.h"
#include "kfk.h"

void kfk_fetch_session_init(kfk_fetch_session *s, int32_t node, int enabled) {
    memset(s, 0, sizeof *s);
    s->node = node;
    s->enabled = enabled;
    s->epoch = enabled ? 0 : -1;
}

static void clear_view(kfk_fetch_session *s) {
    for (int i = 0; i < s->nview; i++) kfk_free(s->view[i].topic);
    s->nview = 0;
}

void kfk_fetch_session_free(kfk_fetch_session *s) {
    clear_view(s);
    kfk_free(s->view);
    kfk_free(s->scratch);
    s->view = s->scratch = NULL;
    s->cap = 0;
}

int kfk_fetch_session_is_full(const kfk_fetch_session *s) { return s->epoch <= 0; }

int kfk_fs_use_ids(const kfk_fs_want *want, int n) {
    for (int j = 0; j < n; j++)
        if (kfk_uuid_is_zero(&want[j].topic_id)) return 0;
    return n > 0;
}

static int same_id(const kfk_uuid *a, const kfk_uuid *b) { return memcmp(a, b, sizeof *a) == 0; }

int kfk_fs_find(const kfk_fs_want *want, int n, const kfk_fetch_response_fetchable_topic_response *tr,
                int by_id, int32_t partition, int hint) {
    for (int k = 0; k < n; k++) {
        int i = (hint + k) % n;
        const kfk_fs_want *w = &want[i];
        if (w->partition != partition) continue;
        if (by_id ? same_id(&w->topic_id, &tr->topic_id)
                  : (int32_t)strlen(w->topic) == tr->topic.len &&
                        memcmp(w->topic, tr->topic.ptr, (size_t)tr->topic.len) == 0)
            return i;
    }
    return -1;
}

void kfk_fetch_session_reset(kfk_fetch_session *s) {
    if (s->enabled) s->epoch = 0;
}

void kfk_fetch_session_done(kfk_fetch_session *s, int err, int32_t session_id) {
    if (!s->enabled) return;
    if (err == KFK_ERR_FETCH_SESSION_ID_NOT_FOUND || (!err && session_id == 0))
        s->id = 0; /* gone, or never granted: ask again with the next full request */
    if (err || session_id == 0 || (s->epoch > 0 && session_id != s->id)) {
        s->epoch = 0;
    } else if (s->epoch == 0) {
        s->id = session_id;
        s->epoch = 1;
    } else {
        s->epoch = s->epoch == INT32_MAX ? 1 : s->epoch + 1;
    }
}

static int grow(kfk_fetch_session *s, int n) {
    if (n <= s->cap) return 0;
    int cap = s->cap ? s->cap : 16;
    while (cap < n) cap *= 2;
    kfk_fs_entry *v = kfk_realloc(s->view, (size_t)cap * sizeof *v);
    if (!v) return KFK_ERR_NOMEM;
    s->view = v;
    kfk_fs_entry *w = kfk_realloc(s->scratch, (size_t)cap * sizeof *w);
    if (!w) return KFK_ERR_NOMEM;
    s->scratch = w;
    s->cap = cap;
    return 0;
}

static int cmp(const kfk_fs_entry *e, const kfk_fs_want *w) {
    int d = strcmp(e->topic, w->topic);
    return d ? d : (e->partition > w->partition) - (e->partition < w->partition);
}

/* The request's lists, filled in order. */
typedef struct lists {
    kfk_fetch_request *m;
    kfk_fetch_request_partition *parts;
    int nparts;
    int32_t *forgotten;
    int nforgotten;
    kfk_arena *a;
} lists;

static void send_part(lists *l, const kfk_fs_want *w) {
    kfk_fetch_request_topic *t =
        l->m->topics.count ? &l->m->topics.items[l->m->topics.count - 1] : NULL;
    if (!t || strcmp(t->topic.ptr, w->topic) != 0 || !same_id(&t->topic_id, &w->topic_id)) {
        t = &l->m->topics.items[l->m->topics.count++];
        t->topic = (kfk_str){w->topic, (int32_t)strlen(w->topic)};
        t->topic_id = w->topic_id;
        t->partitions.items = &l->parts[l->nparts];
    }
    l->parts[l->nparts++] = (kfk_fetch_request_partition){
        .partition = w->partition, .current_leader_epoch = -1, .fetch_offset = w->fetch_offset,
        .last_fetched_epoch = -1, .log_start_offset = -1, .partition_max_bytes = w->max_bytes,
        .high_watermark = INT64_MAX};
    t->partitions.count++;
}

static int forget(lists *l, const kfk_fs_entry *e) {
    kfk_fetch_request *m = l->m;
    kfk_fetch_request_forgotten_topic *t =
        m->forgotten_topics_data.count
            ? &m->forgotten_topics_data.items[m->forgotten_topics_data.count - 1]
            : NULL;
    if (!t || strcmp(t->topic.ptr, e->topic) != 0 || !same_id(&t->topic_id, &e->topic_id)) {
        /* The session's copy of the name goes now; the request's must stay. */
        size_t len = strlen(e->topic);
        char *name = kfk_arena_alloc(l->a, len + 1);
        if (!name) return KFK_ERR_NOMEM;
        memcpy(name, e->topic, len + 1);
        t = &m->forgotten_topics_data.items[m->forgotten_topics_data.count++];
        t->topic = (kfk_str){name, (int32_t)len};
        t->topic_id = e->topic_id;
        t->partitions.items = &l->forgotten[l->nforgotten];
    }
    l->forgotten[l->nforgotten++] = e->partition;
    t->partitions.count++;
    return 0;
}

/* Merges the view with want into scratch, listing what the broker must
 * hear about. The view's names move to scratch or are freed. */
static int merge(kfk_fetch_session *s, const kfk_fs_want *want, int n, lists *l) {
    int full = kfk_fetch_session_is_full(s), rc = 0, i = 0, k = 0;
    for (int j = 0; i < s->nview || j < n;) {
        int d = i == s->nview ? 1 : j == n ? -1 : cmp(&s->view[i], &want[j]);
        if (d < 0) {
            if (!full && !rc) rc = forget(l, &s->view[i]);
            kfk_free(s->view[i++].topic);
            continue;
        }
        const kfk_fs_want *w = &want[j++];
        kfk_fs_entry *e = &s->scratch[k++];
        int changed = 1;
        if (d == 0) {
            kfk_fs_entry *old = &s->view[i++];
            changed = old->fetch_offset != w->fetch_offset || old->max_bytes != w->max_bytes;
            /* Keyed by id, a re-created topic's partition is another one. */
            if (s->ids && !same_id(&old->topic_id, &w->topic_id)) {
                if (!full && !rc) rc = forget(l, old);
                changed = 1;
            }
            e->topic = old->topic;
        } else {
            e->topic = kfk_strndup(w->topic, strlen(w->topic));
            if (!e->topic) rc = KFK_ERR_NOMEM;
        }
        e->partition = w->partition;
        e->fetch_offset = w->fetch_offset;
        e->max_bytes = w->max_bytes;
        e->topic_id = w->topic_id;
        if (full || changed) send_part(l, w);
    }
    kfk_fs_entry *v = s->view;
    s->view = s->scratch;
    s->scratch = v;
    s->nview = k;
    return rc;
}

/* How many topic entries a request may need for a subsequence of these
 * sorted partitions (a new one per change of name or id): sizing arrays by
 * topics, not partitions, keeps a Fetch over many partitions of few topics
 * small. At least 1. */
static size_t want_topics(const kfk_fs_want *w, int n) {
    size_t k = 1;
    for (int i = 1; i < n; i++)
        k += strcmp(w[i].topic, w[i - 1].topic) != 0 || !same_id(&w[i].topic_id, &w[i - 1].topic_id);
    return k;
}

static size_t view_topics(const kfk_fs_entry *e, int n) {
    size_t k = 1;
    for (int i = 1; i < n; i++)
        k += strcmp(e[i].topic, e[i - 1].topic) != 0 || !same_id(&e[i].topic_id, &e[i - 1].topic_id);
    return k;
}

int kfk_fetch_session_build(kfk_fetch_session *s, const kfk_fs_want *want, int n, kfk_arena *a,
                            kfk_fetch_request *m) {
    int ids = kfk_fs_use_ids(want, n);
    if (s->enabled && ids != s->ids) {
        s->epoch = 0; /* the broker's session cannot change mode */
        s->ids = ids;
    }
    m->session_id = s->id;
    m->session_epoch = s->epoch;
    m->topics.count = m->forgotten_topics_data.count = 0;
    size_t nt = (size_t)(n > 0 ? n : 1), nf = (size_t)(s->nview > 0 ? s->nview : 1);
    lists l = {.m = m, .a = a};
    m->topics.items = kfk_arena_array(a, want_topics(want, n), sizeof *m->topics.items);
    l.parts = kfk_arena_array(a, nt, sizeof *l.parts);
    m->forgotten_topics_data.items = kfk_arena_array(a, view_topics(s->view, s->nview),
                                                     sizeof *m->forgotten_topics_data.items);
    l.forgotten = kfk_arena_array(a, nf, sizeof *l.forgotten);
    int rc = !m->topics.items || !l.parts || !m->forgotten_topics_data.items || !l.forgotten
                 ? KFK_ERR_NOMEM
                 : 0;
    if (!rc && s->enabled) rc = grow(s, n);
    if (!rc && s->enabled) {
        rc = merge(s, want, n, &l);
    } else if (!rc) {
        for (int j = 0; j < n; j++) send_part(&l, &want[j]);
    }
    if (rc) {
        clear_view(s);
        kfk_fetch_session_reset(s);
    }
    return rc;
}

int kfk_fetch_session_close(kfk_fetch_session *s, kfk_fetch_request *m) {
    /* epoch 0 after an error or a lost answer: the broker may have dropped
     * the session, or be replacing it with the full request in flight. */
    int open = s->enabled && s->id > 0 && s->epoch > 0;
    if (open) {
        m->session_id = s->id;
        m->session_epoch = -1;
        m->topics.count = m->forgotten_topics_data.count = 0;
    }
    clear_view(s);
    s->enabled = 0;
    s->id = 0;
    s->epoch = -1;
    return open;
}
