/* KIP-848 consumer groups for the mock: ConsumerGroupHeartbeat and
 * ConsumerGroupDescribe. A heartbeat updates its member (joins with epoch
 * 0, leaves with -1 or -2), the uniform assignor recomputes every member's
 * target, and the group epoch moves when a target changed. Each member then
 * reconciles towards its target:
 *
 *   partitions to give up:  answered without them, epoch kept (revoking);
 *                           once its heartbeat no longer reports them owned,
 *   epoch -> group epoch:   it gets the target's partitions that no other
 *                           member still holds, the rest on later heartbeats.
 *
 * Sessions and revocations that outlast the rebalance timeout expire
 * lazily, when a request of the group arrives. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "kfk.h"
#include "mock/mock_int.h"

static void cmember_free(mock_cmember *mb) {
    for (int32_t i = 0; i < mb->ntopics; i++) kfk_free(mb->topics[i]);
    kfk_free(mb->topics);
    if (mb->regex) regfree(&mb->re);
    kfk_free(mb->regex);
    kfk_free(mb->assigned.items);
    kfk_free(mb->revoking.items);
    kfk_free(mb->target.items);
    kfk_free(mb->id);
}

void mock_cgroup_free(mock_group *g) {
    for (int32_t i = 0; i < g->ncmembers; i++) cmember_free(&g->cmembers[i]);
    kfk_free(g->cmembers);
}

static mock_cmember *cmember_find(mock_group *g, kfk_str id) {
    for (int32_t i = 0; i < g->ncmembers; i++)
        if (strlen(g->cmembers[i].id) == (size_t)id.len && !memcmp(g->cmembers[i].id, id.ptr, (size_t)id.len))
            return &g->cmembers[i];
    return NULL;
}

/* Recomputes the targets; a changed one starts a new group epoch. */
static int retarget(const kfk_mock *m, mock_group *g) {
    int32_t n = g->ncmembers;
    mock_tps *before = kfk_calloc((size_t)n + 1, sizeof *before);
    if (!before) return KFK_ERR_NOMEM;
    int rc = 0;
    for (int32_t i = 0; i < n && !rc; i++)
        for (int32_t j = 0; j < g->cmembers[i].target.count && !rc; j++)
            rc = mock_tps_add(&before[i], &g->cmembers[i].target.items[j].topic,
                              g->cmembers[i].target.items[j].partition);
    if (!rc) rc = mock_uniform_assign(m, g);
    int changed = 0;
    for (int32_t i = 0; i < n; i++) {
        const mock_tps *t = &g->cmembers[i].target;
        changed |= t->count != before[i].count;
        for (int32_t j = 0; j < t->count && !changed; j++)
            changed = !mock_tps_has(&before[i], &t->items[j].topic, t->items[j].partition);
        kfk_free(before[i].items);
    }
    kfk_free(before);
    if (changed) g->group_epoch++;
    return rc;
}

static void cmember_remove(mock_group *g, mock_cmember *mb) {
    cmember_free(mb);
    *mb = g->cmembers[--g->ncmembers];
    g->group_epoch++;
    if (!g->ncmembers) g->consumer = false;
}

/* Drops members whose session ran out or whose revocation took longer
 * than their rebalance timeout; the next heartbeat retargets. */
static void expire(const kfk_mock *m, mock_group *g, int64_t now) {
    for (int32_t i = g->ncmembers - 1; i >= 0; i--) {
        mock_cmember *mb = &g->cmembers[i];
        if (now > mb->last_seen + m->cg_session_ms || (mb->revoking.count && now > mb->revoke_deadline))
            cmember_remove(g, mb);
    }
}

int16_t mock_cmember_check(const kfk_mock *m, mock_group *g, kfk_str member, int32_t epoch, int64_t now) {
    expire(m, g, now);
    mock_cmember *mb = cmember_find(g, member);
    if (!mb) return KFK_ERR_UNKNOWN_MEMBER_ID;
    return epoch == mb->epoch ? 0 : KFK_ERR_STALE_MEMBER_EPOCH;
}

/* Whether another member than mb still holds (topic, p). */
static int held_elsewhere(const mock_group *g, const mock_cmember *mb, const mock_tp *tp) {
    for (int32_t i = 0; i < g->ncmembers; i++) {
        const mock_cmember *o = &g->cmembers[i];
        if (o != mb && (mock_tps_has(&o->assigned, &tp->topic, tp->partition) ||
                        mock_tps_has(&o->revoking, &tp->topic, tp->partition)))
            return 1;
    }
    return 0;
}

/* Moves mb, on its own heartbeat q, as far towards its target as the
 * other members allow (see the top of the file). Other members move on
 * their own heartbeats only, so that each learns its new epoch. */
static int reconcile(mock_group *g, mock_cmember *mb, const kfk_consumer_group_heartbeat_request *q,
                     int64_t now) {
    if (mb->revoking.count && q->topic_partitions.count >= 0) {
        int still = 0;
        for (int32_t i = 0; i < q->topic_partitions.count && !still; i++) {
            const kfk_consumer_group_heartbeat_request_topic_partitions *t = &q->topic_partitions.items[i];
            for (int32_t j = 0; j < t->partitions.count && !still; j++)
                still = mock_tps_has(&mb->revoking, &t->topic_id, t->partitions.items[j]);
        }
        if (!still) mb->revoking.count = 0;
    }
    if (mb->revoking.count) return 0;
    if (mb->epoch != g->group_epoch) {
        mock_tps keep = {0};
        for (int32_t i = 0; i < mb->assigned.count; i++) {
            const mock_tp *tp = &mb->assigned.items[i];
            int rc = mock_tps_has(&mb->target, &tp->topic, tp->partition)
                         ? mock_tps_add(&keep, &tp->topic, tp->partition)
                         : mock_tps_add(&mb->revoking, &tp->topic, tp->partition);
            if (rc) {
                kfk_free(keep.items);
                return rc;
            }
        }
        kfk_free(mb->assigned.items);
        mb->assigned = keep;
        mb->send = true;
        if (mb->revoking.count) {
            mb->revoke_deadline = now + mb->rebalance_ms;
            return 0;
        }
        mb->prev_epoch = mb->epoch;
        mb->epoch = g->group_epoch;
    }
    for (int32_t i = 0; i < mb->target.count; i++) {
        const mock_tp *tp = &mb->target.items[i];
        if (mock_tps_has(&mb->assigned, &tp->topic, tp->partition) || held_elsewhere(g, mb, tp)) continue;
        if (mock_tps_add(&mb->assigned, &tp->topic, tp->partition)) return KFK_ERR_NOMEM;
        mb->send = true;
    }
    return 0;
}

/* Records a heartbeat's subscription when it carries one. */
static int16_t subscribe(mock_cmember *mb, const kfk_consumer_group_heartbeat_request *q) {
    if (q->subscribed_topic_names.count >= 0) {
        for (int32_t i = 0; i < mb->ntopics; i++) kfk_free(mb->topics[i]);
        kfk_free(mb->topics);
        mb->ntopics = 0;
        mb->topics = kfk_calloc((size_t)q->subscribed_topic_names.count + 1, sizeof *mb->topics);
        if (!mb->topics) return KFK_ERR_UNKNOWN_SERVER_ERROR;
        for (int32_t i = 0; i < q->subscribed_topic_names.count; i++, mb->ntopics++)
            if (!(mb->topics[i] = mock_strdup(q->subscribed_topic_names.items[i])))
                return KFK_ERR_UNKNOWN_SERVER_ERROR;
    }
    if (q->subscribed_topic_regex.len >= 0) {
        if (mb->regex) regfree(&mb->re);
        kfk_free(mb->regex);
        mb->regex = NULL;
        if (q->subscribed_topic_regex.len == 0) return 0; /* "": no regex any more */
        /* Anchored: the whole name must match, as in Java. */
        size_t n = (size_t)q->subscribed_topic_regex.len + 5;
        char *anchored = kfk_malloc(n);
        if (!anchored) return KFK_ERR_UNKNOWN_SERVER_ERROR;
        snprintf(anchored, n, "^(%.*s)$", (int)q->subscribed_topic_regex.len, q->subscribed_topic_regex.ptr);
        if (regcomp(&mb->re, anchored, REG_EXTENDED | REG_NOSUB)) {
            kfk_free(anchored);
            return KFK_ERR_UNKNOWN_SERVER_ERROR; /* valid_regex checked it */
        }
        mb->regex = anchored;
    }
    if (q->rebalance_timeout_ms > 0) mb->rebalance_ms = q->rebalance_timeout_ms;
    return 0;
}

/* Whether a heartbeat's regular expression (if any) compiles: checked
 * before the group changes. */
static int valid_regex(kfk_str rx) {
    if (rx.len <= 0) return 1;
    char *z = mock_strdup(rx);
    regex_t re;
    int ok = z && !regcomp(&re, z, REG_EXTENDED | REG_NOSUB);
    if (ok) regfree(&re);
    kfk_free(z);
    return ok;
}

static mock_cmember *cmember_add(mock_ctx *c, mock_group *g, kfk_str id) {
    if (g->ncmembers == g->cmcap) {
        int32_t cap = g->cmcap ? g->cmcap * 2 : 4;
        mock_cmember *n = kfk_realloc(g->cmembers, (size_t)cap * sizeof *n);
        if (!n) return NULL;
        g->cmembers = n;
        g->cmcap = cap;
    }
    char gen[64];
    if (id.len <= 0) { /* v0: the coordinator names the member */
        snprintf(gen, sizeof gen, "mock-member-%llu", (unsigned long long)++c->m->next_member);
        id = kfk_str_of(gen);
    }
    mock_cmember *mb = &g->cmembers[g->ncmembers];
    memset(mb, 0, sizeof *mb);
    if (!(mb->id = mock_strdup(id))) return NULL;
    g->ncmembers++;
    g->consumer = true;
    g->group_epoch++;
    return mb;
}

/* The answer's assignment: the member's assigned partitions by topic. */
static int answer_assignment(mock_ctx *c, const mock_cmember *mb, kfk_consumer_group_heartbeat_response *r) {
    r->assignment = kfk_arena_alloc(c->a, sizeof *r->assignment);
    if (!r->assignment) return KFK_ERR_NOMEM;
    memset(r->assignment, 0, sizeof *r->assignment);
    kfk_consumer_group_heartbeat_response_assignment *as = r->assignment;
    if (MOCK_ARRAY(c, as->topic_partitions, mb->assigned.count)) return KFK_ERR_NOMEM;
    as->topic_partitions.count = 0;
    for (int32_t i = 0; i < mb->assigned.count; i++) {
        const mock_tp *tp = &mb->assigned.items[i];
        kfk_consumer_group_heartbeat_response_topic_partitions *t = NULL;
        for (int32_t j = 0; j < as->topic_partitions.count && !t; j++)
            if (kfk_uuid_eq(&as->topic_partitions.items[j].topic_id, &tp->topic)) t = &as->topic_partitions.items[j];
        if (!t) {
            t = &as->topic_partitions.items[as->topic_partitions.count++];
            t->topic_id = tp->topic;
            if (MOCK_ARRAY(c, t->partitions, mb->assigned.count)) return KFK_ERR_NOMEM;
            t->partitions.count = 0;
        }
        t->partitions.items[t->partitions.count++] = tp->partition;
    }
    return 0;
}

/* The member's epoch is valid: its own, or the one before when the
 * member owns nothing it was not given (the answer to its last heartbeat
 * was lost). */
static int epoch_ok(const mock_cmember *mb, const kfk_consumer_group_heartbeat_request *q) {
    if (q->member_epoch == mb->epoch) return 1;
    if (q->member_epoch != mb->prev_epoch || q->topic_partitions.count < 0) return 0;
    for (int32_t i = 0; i < q->topic_partitions.count; i++) {
        const kfk_consumer_group_heartbeat_request_topic_partitions *t = &q->topic_partitions.items[i];
        for (int32_t j = 0; j < t->partitions.count; j++)
            if (!mock_tps_has(&mb->assigned, &t->topic_id, t->partitions.items[j])) return 0;
    }
    return 1;
}

static int16_t heartbeat(mock_ctx *c, mock_group *g, const kfk_consumer_group_heartbeat_request *q,
                         mock_cmember **out) {
    kfk_consumer_group_heartbeat_response *r = c->resp;
    if (q->member_id.len <= 0 && (c->version >= 1 || q->member_epoch != 0)) return KFK_ERR_INVALID_REQUEST;
    if (q->server_assignor.len >= 0 && !(q->server_assignor.len == 7 && !memcmp(q->server_assignor.ptr, "uniform", 7)))
        return KFK_ERR_UNSUPPORTED_ASSIGNOR;
    if (g->nmembers) return KFK_ERR_INCONSISTENT_GROUP_PROTOCOL; /* a classic group */
    if (!valid_regex(q->subscribed_topic_regex)) return KFK_ERR_INVALID_REGULAR_EXPRESSION;
    expire(c->m, g, c->now_ms);
    mock_cmember *mb = q->member_id.len > 0 ? cmember_find(g, q->member_id) : NULL;
    if (q->member_epoch < 0) { /* leaving */
        if (!mb) return KFK_ERR_UNKNOWN_MEMBER_ID;
        cmember_remove(g, mb);
        r->member_id = q->member_id;
        r->member_epoch = q->member_epoch;
        return retarget(c->m, g) ? KFK_ERR_UNKNOWN_SERVER_ERROR : 0;
    }
    if (q->member_epoch == 0) {
        if (q->subscribed_topic_names.count < 0 && q->subscribed_topic_regex.len < 0) return KFK_ERR_INVALID_REQUEST;
        if (mb) cmember_remove(g, mb); /* joining again: what it held is lost */
        if (!(mb = cmember_add(c, g, q->member_id))) return KFK_ERR_UNKNOWN_SERVER_ERROR;
        mb->rebalance_ms = 300000;
        mb->send = true;
    } else if (!mb) {
        return KFK_ERR_UNKNOWN_MEMBER_ID;
    } else if (!epoch_ok(mb, q)) {
        return KFK_ERR_FENCED_MEMBER_EPOCH;
    }
    mb->last_seen = c->now_ms;
    int16_t err = subscribe(mb, q);
    if (err) {
        if (q->member_epoch == 0) cmember_remove(g, mb);
        return err;
    }
    if (retarget(c->m, g) || reconcile(g, mb, q, c->now_ms)) return KFK_ERR_UNKNOWN_SERVER_ERROR;
    *out = mb;
    return 0;
}

int mock_consumer_group_heartbeat(mock_ctx *c) {
    const kfk_consumer_group_heartbeat_request *q = c->req;
    kfk_consumer_group_heartbeat_response *r = c->resp;
    r->heartbeat_interval_ms = c->m->cg_heartbeat_ms;
    mock_group *g = NULL;
    mock_cmember *mb = NULL;
    if (c->inj) r->error_code = c->inj;
    else if (mock_coordinator(c->m, q->group_id) != c->broker) r->error_code = KFK_ERR_NOT_COORDINATOR;
    else if (!(g = mock_group_get(c->m, q->group_id, 1)))
        r->error_code = q->group_id.len <= 0 ? KFK_ERR_INVALID_REQUEST : KFK_ERR_UNKNOWN_SERVER_ERROR;
    else r->error_code = heartbeat(c, g, q, &mb);
    if (r->error_code || !mb) return KFK_MOCK_REPLY;
    r->member_id = kfk_str_of(mb->id);
    r->member_epoch = mb->epoch;
    if (mb->send) {
        if (answer_assignment(c, mb, r)) return KFK_ERR_NOMEM;
        mb->send = false;
    }
    return KFK_MOCK_REPLY;
}

/* A partition set as ConsumerGroupDescribe's assignment (names from ids). */
static int describe_tps(mock_ctx *c, const mock_tps *s, kfk_consumer_group_describe_response_assignment *as) {
    if (MOCK_ARRAY(c, as->topic_partitions, s->count)) return KFK_ERR_NOMEM;
    as->topic_partitions.count = 0;
    for (int32_t i = 0; i < s->count; i++) {
        kfk_consumer_group_describe_response_topic_partitions *t = NULL;
        for (int32_t j = 0; j < as->topic_partitions.count && !t; j++)
            if (kfk_uuid_eq(&as->topic_partitions.items[j].topic_id, &s->items[i].topic))
                t = &as->topic_partitions.items[j];
        if (!t) {
            const mock_topic *mt = mock_topic_find_id(c->m, &s->items[i].topic);
            t = &as->topic_partitions.items[as->topic_partitions.count++];
            t->topic_id = s->items[i].topic;
            t->topic_name = kfk_str_of(mt ? mt->name : "");
            if (MOCK_ARRAY(c, t->partitions, s->count)) return KFK_ERR_NOMEM;
            t->partitions.count = 0;
        }
        t->partitions.items[t->partitions.count++] = s->items[i].partition;
    }
    return 0;
}

static int describe_group(mock_ctx *c, kfk_str id, kfk_consumer_group_describe_response_described_group *rg) {
    rg->group_id = id;
    rg->group_state = kfk_str_of("Dead");
    rg->assignor_name = kfk_str_of("uniform");
    if (c->inj || mock_coordinator(c->m, id) != c->broker) {
        rg->error_code = c->inj ? c->inj : KFK_ERR_NOT_COORDINATOR;
        return 0;
    }
    mock_group *g = mock_group_get(c->m, id, 0);
    if (!g || g->nmembers) {
        rg->error_code = KFK_ERR_GROUP_ID_NOT_FOUND; /* none, or a classic group */
        return 0;
    }
    expire(c->m, g, c->now_ms);
    int settled = 1;
    for (int32_t i = 0; i < g->ncmembers; i++) settled &= g->cmembers[i].epoch == g->group_epoch;
    rg->group_state = kfk_str_of(!g->ncmembers ? "Empty" : settled ? "Stable" : "Reconciling");
    rg->group_epoch = rg->assignment_epoch = g->group_epoch;
    if (MOCK_ARRAY(c, rg->members, g->ncmembers)) return KFK_ERR_NOMEM;
    for (int32_t i = 0; i < g->ncmembers; i++) {
        const mock_cmember *mb = &g->cmembers[i];
        kfk_consumer_group_describe_response_member *rm = &rg->members.items[i];
        rm->member_id = kfk_str_of(mb->id);
        rm->instance_id = rm->rack_id = (kfk_str){NULL, -1};
        rm->member_epoch = mb->epoch;
        rm->client_id = rm->client_host = kfk_str_of("");
        rm->subscribed_topic_regex = (kfk_str){NULL, -1};
        rm->member_type = 1; /* the consumer protocol */
        if (mb->regex) { /* as sent, without the anchors added here */
            size_t n = strlen(mb->regex);
            rm->subscribed_topic_regex = (kfk_str){mb->regex + 2, (int32_t)n - 4};
        }
        if (MOCK_ARRAY(c, rm->subscribed_topic_names, mb->ntopics)) return KFK_ERR_NOMEM;
        for (int32_t j = 0; j < mb->ntopics; j++) rm->subscribed_topic_names.items[j] = kfk_str_of(mb->topics[j]);
        if (describe_tps(c, &mb->assigned, &rm->assignment) || describe_tps(c, &mb->target, &rm->target_assignment))
            return KFK_ERR_NOMEM;
    }
    return 0;
}

int mock_consumer_group_describe(mock_ctx *c) {
    const kfk_consumer_group_describe_request *q = c->req;
    kfk_consumer_group_describe_response *r = c->resp;
    if (MOCK_ARRAY(c, r->groups, q->group_ids.count)) return KFK_ERR_NOMEM;
    for (int32_t i = 0; i < r->groups.count; i++) {
        r->groups.items[i].authorized_operations = INT32_MIN;
        if (describe_group(c, q->group_ids.items[i], &r->groups.items[i])) return KFK_ERR_NOMEM;
    }
    return KFK_MOCK_REPLY;
}
