/* The classic group protocol for the mock: JoinGroup (parked until every
 * member rejoined or the rebalance timeout passed), SyncGroup (parked until
 * the leader's assignment came), Heartbeat, LeaveGroup. Sessions expire
 * lazily, when a request of the group arrives. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "kfk.h"
#include "mock/mock_int.h"

char *mock_strdup(kfk_str s) {
    if (s.len < 0) return NULL;
    char *d = kfk_malloc((size_t)s.len + 1);
    if (!d) return NULL;
    if (s.len) memcpy(d, s.ptr, (size_t)s.len);
    d[s.len] = 0;
    return d;
}

static int str_is(const char *z, kfk_str s) {
    return z && s.len >= 0 && strlen(z) == (size_t)s.len && !memcmp(z, s.ptr, (size_t)s.len);
}

static void member_clear(mock_member *mb) {
    for (int32_t i = 0; i < mb->nprotos; i++) {
        kfk_free(mb->proto_names[i]);
        kfk_free((void *)mb->proto_meta[i].ptr);
    }
    kfk_free(mb->proto_names);
    kfk_free(mb->proto_meta);
    mb->proto_names = NULL;
    mb->proto_meta = NULL;
    mb->nprotos = 0;
}

static void member_free(mock_member *mb) {
    member_clear(mb);
    kfk_free(mb->assignment);
    kfk_free(mb->client_id);
    kfk_free(mb->id);
}

static void group_free(mock_group *g) {
    mock_cgroup_free(g);
    for (int32_t i = 0; i < g->nmembers; i++) member_free(&g->members[i]);
    for (int32_t i = 0; i < g->noffsets; i++) {
        kfk_free(g->offsets[i].topic);
        kfk_free(g->offsets[i].metadata);
    }
    kfk_free(g->members);
    kfk_free(g->offsets);
    kfk_free(g->id);
    kfk_free(g->protocol_type);
    kfk_free(g->protocol);
    kfk_free(g->leader);
    kfk_free(g);
}

void mock_groups_free(kfk_mock *m) {
    for (int32_t i = 0; i < m->ngroups; i++) group_free(m->groups[i]);
    kfk_free(m->groups);
    mock_coords_free(m);
}

mock_group *mock_group_get(kfk_mock *m, kfk_str id, int create) {
    for (int32_t i = 0; i < m->ngroups; i++)
        if (str_is(m->groups[i]->id, id)) return m->groups[i];
    if (!create || id.len <= 0) return NULL;
    if (m->ngroups == m->gcap) {
        int32_t cap = m->gcap ? m->gcap * 2 : 8;
        mock_group **n = kfk_realloc(m->groups, (size_t)cap * sizeof *n);
        if (!n) return NULL;
        m->groups = n;
        m->gcap = cap;
    }
    mock_group *g = kfk_calloc(1, sizeof *g);
    if (!g || !(g->id = mock_strdup(id))) {
        kfk_free(g);
        return NULL;
    }
    m->groups[m->ngroups++] = g;
    return g;
}

mock_member *mock_member_find(mock_group *g, kfk_str id) {
    for (int32_t i = 0; i < g->nmembers; i++)
        if (str_is(g->members[i].id, id)) return &g->members[i];
    return NULL;
}

static void start_rebalance(mock_group *g, int64_t now) {
    if (g->state == MOCK_GROUP_PREPARING) return;
    int32_t timeout = 0;
    for (int32_t i = 0; i < g->nmembers; i++) {
        if (g->members[i].rebalance_ms > timeout) timeout = g->members[i].rebalance_ms;
        g->members[i].syncing = false;
    }
    g->state = MOCK_GROUP_PREPARING;
    g->deadline = now + timeout;
}

static void member_remove(mock_group *g, mock_member *mb, int64_t now) {
    member_free(mb);
    *mb = g->members[--g->nmembers];
    if (g->nmembers) {
        start_rebalance(g, now);
    } else {
        g->state = MOCK_GROUP_EMPTY;
        kfk_free(g->leader);
        g->leader = NULL;
    }
}

/* Members whose session ran out leave; members joining are exempt. */
static void expire(mock_group *g, int64_t now) {
    for (int32_t i = g->nmembers - 1; i >= 0; i--) {
        mock_member *mb = &g->members[i];
        if (!mb->joining && now > mb->last_seen + mb->session_ms) member_remove(g, mb, now);
    }
}

/* The first protocol of the leader's that every member offers, or NULL. */
static const char *pick_protocol(const mock_group *g, const mock_member *leader) {
    for (int32_t p = 0; p < leader->nprotos; p++) {
        const char *name = leader->proto_names[p];
        int all = 1;
        for (int32_t i = 0; i < g->nmembers && all; i++) {
            int has = 0;
            for (int32_t q = 0; q < g->members[i].nprotos; q++)
                has |= !strcmp(g->members[i].proto_names[q], name);
            all = has;
        }
        if (all) return name;
    }
    return NULL;
}

/* Completes a rebalance once every member rejoined or its time is up:
 * members that did not rejoin are dropped, the generation moves on. */
static void try_complete(mock_group *g, int64_t now) {
    if (g->state != MOCK_GROUP_PREPARING) return;
    int all = 1;
    for (int32_t i = 0; i < g->nmembers; i++) all &= g->members[i].joining;
    if (!all && now < g->deadline) return;
    for (int32_t i = g->nmembers - 1; i >= 0; i--)
        if (!g->members[i].joining) {
            member_free(&g->members[i]);
            g->members[i] = g->members[--g->nmembers];
        }
    if (!g->nmembers) {
        g->state = MOCK_GROUP_EMPTY;
        return;
    }
    mock_member *leader = g->leader ? mock_member_find(g, kfk_str_of(g->leader)) : NULL;
    if (!leader) leader = &g->members[0];
    char *lid = mock_strdup(kfk_str_of(leader->id));
    const char *proto = pick_protocol(g, leader);
    char *pname = mock_strdup(kfk_str_of(proto ? proto : ""));
    if (!lid || !pname) {
        kfk_free(lid);
        kfk_free(pname);
        return; /* out of memory: the next request retries */
    }
    kfk_free(g->leader);
    kfk_free(g->protocol);
    g->leader = lid;
    g->protocol = pname;
    g->generation++;
    g->state = MOCK_GROUP_COMPLETING;
    for (int32_t i = 0; i < g->nmembers; i++) {
        kfk_free(g->members[i].assignment);
        g->members[i].assignment = NULL;
        g->members[i].assignment_len = 0;
    }
}

kfk_str mock_member_meta(const mock_member *mb, const char *proto) {
    for (int32_t q = 0; q < mb->nprotos; q++)
        if (!strcmp(mb->proto_names[q], proto))
            return (kfk_str){(const char *)mb->proto_meta[q].ptr, mb->proto_meta[q].len};
    return (kfk_str){"", 0};
}

/* Records a (re)joining member's protocols and timeouts. */
static int16_t member_join(mock_ctx *c, mock_group *g, const kfk_join_group_request *q) {
    mock_member *mb = mock_member_find(g, q->member_id);
    if (!mb) {
        if (g->nmembers == g->mcap) {
            int32_t cap = g->mcap ? g->mcap * 2 : 4;
            mock_member *n = kfk_realloc(g->members, (size_t)cap * sizeof *n);
            if (!n) return KFK_ERR_UNKNOWN_SERVER_ERROR;
            g->members = n;
            g->mcap = cap;
        }
        mb = &g->members[g->nmembers];
        memset(mb, 0, sizeof *mb);
        if (!(mb->id = mock_strdup(q->member_id))) return KFK_ERR_UNKNOWN_SERVER_ERROR;
        g->nmembers++;
    }
    member_clear(mb);
    kfk_free(mb->client_id);
    mb->client_id = mock_strdup(c->client_id.len < 0 ? kfk_str_of("") : c->client_id);
    int32_t n = q->protocols.count < 0 ? 0 : q->protocols.count;
    mb->proto_names = kfk_calloc((size_t)n + 1, sizeof *mb->proto_names);
    mb->proto_meta = kfk_calloc((size_t)n + 1, sizeof *mb->proto_meta);
    if (!mb->proto_names || !mb->proto_meta) return KFK_ERR_UNKNOWN_SERVER_ERROR;
    for (int32_t i = 0; i < n; i++, mb->nprotos++) {
        const kfk_join_group_request_protocol *p = &q->protocols.items[i];
        uint8_t *meta = kfk_malloc((size_t)p->metadata.len + 1);
        mb->proto_names[i] = mock_strdup(p->name);
        mb->proto_meta[i] = (kfk_bytes){meta, p->metadata.len < 0 ? 0 : p->metadata.len};
        if (!meta || !mb->proto_names[i]) {
            mb->nprotos++;
            return KFK_ERR_UNKNOWN_SERVER_ERROR;
        }
        if (p->metadata.len > 0) memcpy(meta, p->metadata.ptr, (size_t)p->metadata.len);
    }
    mb->session_ms = q->session_timeout_ms;
    mb->rebalance_ms = q->rebalance_timeout_ms < 0 ? q->session_timeout_ms : q->rebalance_timeout_ms;
    mb->last_seen = c->now_ms;
    mb->joining = true;
    start_rebalance(g, c->now_ms);
    return 0;
}

static int join_answer(mock_ctx *c, mock_group *g, mock_member *mb) {
    kfk_join_group_response *r = c->resp;
    r->generation_id = g->generation;
    r->protocol_type = kfk_str_of(g->protocol_type);
    r->protocol_name = kfk_str_of(g->protocol);
    r->leader = kfk_str_of(g->leader);
    r->member_id = kfk_str_of(mb->id);
    mb->joining = false;
    mb->last_seen = c->now_ms;
    if (strcmp(g->leader, mb->id)) return KFK_MOCK_REPLY;
    if (MOCK_ARRAY(c, r->members, g->nmembers)) return KFK_ERR_NOMEM;
    for (int32_t i = 0; i < g->nmembers; i++) {
        kfk_str meta = mock_member_meta(&g->members[i], g->protocol);
        r->members.items[i].member_id = kfk_str_of(g->members[i].id);
        r->members.items[i].group_instance_id = (kfk_str){NULL, -1};
        r->members.items[i].metadata = (kfk_bytes){(const uint8_t *)meta.ptr, meta.len};
    }
    return KFK_MOCK_REPLY;
}

int mock_join_group(mock_ctx *c) {
    const kfk_join_group_request *q = c->req;
    kfk_join_group_response *r = c->resp;
    r->protocol_name = (kfk_str){"", 0};
    r->leader = (kfk_str){"", 0};
    r->member_id = q->member_id;
    if (c->inj || (!c->refed && mock_coordinator(c->m, q->group_id) != c->broker)) {
        r->error_code = c->inj ? c->inj : KFK_ERR_NOT_COORDINATOR;
        return KFK_MOCK_REPLY;
    }
    mock_group *g = mock_group_get(c->m, q->group_id, 1);
    if (!g) {
        r->error_code = q->group_id.len <= 0 ? KFK_ERR_INVALID_GROUP_ID : KFK_ERR_UNKNOWN_SERVER_ERROR;
        return KFK_MOCK_REPLY;
    }
    expire(g, c->now_ms);
    if (!c->refed) {
        if (q->session_timeout_ms < 1000 || q->session_timeout_ms > 1800000) {
            r->error_code = KFK_ERR_INVALID_SESSION_TIMEOUT;
            return KFK_MOCK_REPLY;
        }
        if (g->ncmembers || (g->nmembers && g->protocol_type && !str_is(g->protocol_type, q->protocol_type))) {
            r->error_code = KFK_ERR_INCONSISTENT_GROUP_PROTOCOL;
            return KFK_MOCK_REPLY;
        }
        if (q->member_id.len == 0) {
            /* KIP-394: a new member first gets its id, then joins with it. */
            char id[64];
            snprintf(id, sizeof id, "mock-member-%llu", (unsigned long long)++c->m->next_member);
            r->member_id = kfk_arena_str(c->a, id);
            r->error_code = KFK_ERR_MEMBER_ID_REQUIRED;
            return KFK_MOCK_REPLY;
        }
        if (!g->nmembers) {
            kfk_free(g->protocol_type);
            g->protocol_type = mock_strdup(q->protocol_type);
        }
        r->error_code = member_join(c, g, q);
        if (r->error_code) return KFK_MOCK_REPLY;
    }
    mock_member *mb = mock_member_find(g, q->member_id);
    if (!mb) {
        r->error_code = KFK_ERR_UNKNOWN_MEMBER_ID;
        return KFK_MOCK_REPLY;
    }
    try_complete(g, c->now_ms);
    if (g->state == MOCK_GROUP_COMPLETING && mb->joining) return join_answer(c, g, mb);
    return KFK_MOCK_PARK;
}

int mock_sync_group(mock_ctx *c) {
    const kfk_sync_group_request *q = c->req;
    kfk_sync_group_response *r = c->resp;
    r->assignment = (kfk_bytes){(const uint8_t *)"", 0};
    if (c->inj || (!c->refed && mock_coordinator(c->m, q->group_id) != c->broker)) {
        r->error_code = c->inj ? c->inj : KFK_ERR_NOT_COORDINATOR;
        return KFK_MOCK_REPLY;
    }
    mock_group *g = mock_group_get(c->m, q->group_id, 0);
    int16_t err = g ? mock_member_check(g, q->member_id, q->generation_id, c->now_ms)
                    : KFK_ERR_UNKNOWN_MEMBER_ID;
    if (err) {
        r->error_code = err;
        return KFK_MOCK_REPLY;
    }
    mock_member *mb = mock_member_find(g, q->member_id);
    if (!c->refed) {
        mb->syncing = true;
        if (str_is(g->leader, q->member_id) && g->state == MOCK_GROUP_COMPLETING) {
            for (int32_t i = 0; i < q->assignments.count; i++) {
                const kfk_sync_group_request_assignment *as = &q->assignments.items[i];
                mock_member *to = mock_member_find(g, as->member_id);
                if (!to || as->assignment.len <= 0) continue;
                uint8_t *copy = kfk_malloc((size_t)as->assignment.len);
                if (!copy) return KFK_ERR_NOMEM;
                memcpy(copy, as->assignment.ptr, (size_t)as->assignment.len);
                kfk_free(to->assignment);
                to->assignment = copy;
                to->assignment_len = as->assignment.len;
            }
            g->state = MOCK_GROUP_STABLE;
        }
    }
    if (g->state != MOCK_GROUP_STABLE || !mb->syncing) return KFK_MOCK_PARK;
    mb->syncing = false;
    r->protocol_type = kfk_str_of(g->protocol_type);
    r->protocol_name = kfk_str_of(g->protocol);
    if (mb->assignment) r->assignment = (kfk_bytes){mb->assignment, mb->assignment_len};
    return KFK_MOCK_REPLY;
}

int16_t mock_member_check(mock_group *g, kfk_str member, int32_t generation, int64_t now) {
    expire(g, now);
    mock_member *mb = mock_member_find(g, member);
    if (!mb) return KFK_ERR_UNKNOWN_MEMBER_ID;
    mb->last_seen = now;
    if (g->state == MOCK_GROUP_PREPARING) return KFK_ERR_REBALANCE_IN_PROGRESS;
    if (generation != g->generation) return KFK_ERR_ILLEGAL_GENERATION;
    return 0;
}

int mock_heartbeat(mock_ctx *c) {
    const kfk_heartbeat_request *q = c->req;
    kfk_heartbeat_response *r = c->resp;
    mock_group *g = NULL;
    if (c->inj) r->error_code = c->inj;
    else if (mock_coordinator(c->m, q->group_id) != c->broker) r->error_code = KFK_ERR_NOT_COORDINATOR;
    else if (!(g = mock_group_get(c->m, q->group_id, 0))) r->error_code = KFK_ERR_UNKNOWN_MEMBER_ID;
    else r->error_code = mock_member_check(g, q->member_id, q->generation_id, c->now_ms);
    /* A rebalance whose last member just expired may now complete. */
    if (g) try_complete(g, c->now_ms);
    return KFK_MOCK_REPLY;
}

int mock_leave_group(mock_ctx *c) {
    const kfk_leave_group_request *q = c->req;
    kfk_leave_group_response *r = c->resp;
    if (c->inj || mock_coordinator(c->m, q->group_id) != c->broker) {
        r->error_code = c->inj ? c->inj : KFK_ERR_NOT_COORDINATOR;
        return KFK_MOCK_REPLY;
    }
    mock_group *g = mock_group_get(c->m, q->group_id, 0);
    if (c->version < 3) {
        mock_member *mb = g ? mock_member_find(g, q->member_id) : NULL;
        if (mb) member_remove(g, mb, c->now_ms);
        else r->error_code = KFK_ERR_UNKNOWN_MEMBER_ID;
        return KFK_MOCK_REPLY;
    }
    if (MOCK_ARRAY(c, r->members, q->members.count)) return KFK_ERR_NOMEM;
    int32_t n = r->members.count;
    for (int32_t i = 0; i < n; i++) {
        r->members.items[i].member_id = q->members.items[i].member_id;
        r->members.items[i].group_instance_id = q->members.items[i].group_instance_id;
        mock_member *mb = g ? mock_member_find(g, q->members.items[i].member_id) : NULL;
        if (mb) member_remove(g, mb, c->now_ms);
        else r->members.items[i].error_code = KFK_ERR_UNKNOWN_MEMBER_ID;
    }
    return KFK_MOCK_REPLY;
}
