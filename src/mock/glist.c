/* DescribeGroups and ListGroups for the mock: each broker answers for the
 * groups it coordinates, classic groups in full, KIP-848 groups (described
 * by ConsumerGroupDescribe instead) only in lists. */
#include <strings.h>

#include "kfk.h"
#include "mock/mock_int.h"

static const char *classic_state(const mock_group *g) {
    switch (g->state) {
    case MOCK_GROUP_PREPARING:
        return "PreparingRebalance";
    case MOCK_GROUP_COMPLETING:
        return "CompletingRebalance";
    case MOCK_GROUP_STABLE:
        return g->nmembers ? "Stable" : "Empty";
    default:
        return "Empty";
    }
}

static const char *consumer_state(const mock_group *g) {
    if (!g->ncmembers) return "Empty";
    for (int32_t i = 0; i < g->ncmembers; i++)
        if (g->cmembers[i].epoch != g->group_epoch) return "Reconciling";
    return "Stable";
}

static const char *state_of(const mock_group *g) { return g->consumer ? consumer_state(g) : classic_state(g); }

/* Kafka's answer for a group it does not hold as classic: v6+ names the
 * error, older versions a Dead group. */
static void not_found(mock_ctx *c, kfk_describe_groups_response_described_group *rg, const char *why) {
    rg->group_state = kfk_str_of("Dead");
    if (c->version < 6) return;
    rg->error_code = KFK_ERR_GROUP_ID_NOT_FOUND;
    rg->error_message = kfk_arena_str(c->a, why);
}

static int describe(mock_ctx *c, kfk_str id, kfk_describe_groups_response_described_group *rg) {
    rg->group_id = id;
    rg->group_state = rg->protocol_type = rg->protocol_data = kfk_str_of("");
    rg->error_message = (kfk_str){NULL, -1};
    rg->authorized_operations = INT32_MIN;
    if (c->inj || mock_coordinator(c->m, id) != c->broker) {
        rg->error_code = c->inj ? c->inj : KFK_ERR_NOT_COORDINATOR;
        return 0;
    }
    mock_group *g = mock_group_get(c->m, id, 0);
    if (!g || g->consumer) {
        not_found(c, rg, g ? "the group is not a classic group" : "no such group");
        return 0;
    }
    rg->group_state = kfk_str_of(classic_state(g));
    rg->protocol_type = kfk_str_of(g->protocol_type ? g->protocol_type : "");
    /* As Kafka: the protocol and each member's metadata and assignment
     * once the group is stable, the member ids only before. */
    int stable = g->state == MOCK_GROUP_STABLE && g->nmembers;
    if (stable) rg->protocol_data = kfk_str_of(g->protocol ? g->protocol : "");
    if (MOCK_ARRAY(c, rg->members, g->nmembers)) return KFK_ERR_NOMEM;
    for (int32_t i = 0; i < g->nmembers; i++) {
        const mock_member *mb = &g->members[i];
        kfk_describe_groups_response_described_group_member *rm = &rg->members.items[i];
        rm->member_id = kfk_str_of(mb->id);
        rm->group_instance_id = (kfk_str){NULL, -1};
        rm->client_id = kfk_str_of(mb->client_id ? mb->client_id : "");
        rm->client_host = kfk_str_of("/127.0.0.1"); /* the mock listens on loopback only */
        rm->member_metadata = rm->member_assignment = (kfk_bytes){(const uint8_t *)"", 0};
        if (!stable) continue;
        kfk_str meta = mock_member_meta(mb, g->protocol);
        rm->member_metadata = (kfk_bytes){(const uint8_t *)meta.ptr, meta.len};
        if (mb->assignment) rm->member_assignment = (kfk_bytes){mb->assignment, mb->assignment_len};
    }
    return 0;
}

int mock_describe_groups(mock_ctx *c) {
    const kfk_describe_groups_request *q = c->req;
    kfk_describe_groups_response *r = c->resp;
    if (MOCK_ARRAY(c, r->groups, q->groups.count)) return KFK_ERR_NOMEM;
    for (int32_t i = 0; i < r->groups.count; i++)
        if (describe(c, q->groups.items[i], &r->groups.items[i])) return KFK_ERR_NOMEM;
    return KFK_MOCK_REPLY;
}

/* Whether s is one of the filter's words (any case); an empty filter takes all. */
static int filter_has(const kfk_str *items, int32_t count, const char *s) {
    if (count <= 0) return 1;
    for (int32_t i = 0; i < count; i++)
        if (items[i].len >= 0 && strlen(s) == (size_t)items[i].len && !strncasecmp(items[i].ptr, s, (size_t)items[i].len))
            return 1;
    return 0;
}

int mock_list_groups(mock_ctx *c) {
    const kfk_list_groups_request *q = c->req;
    kfk_list_groups_response *r = c->resp;
    r->error_code = c->inj;
    if (c->inj) return KFK_MOCK_REPLY;
    kfk_mock *m = c->m;
    int32_t n = 0;
    const mock_group **mine = kfk_arena_array(c->a, (size_t)(m->ngroups ? m->ngroups : 1), sizeof *mine);
    if (!mine) return KFK_ERR_NOMEM;
    for (int32_t i = 0; i < m->ngroups; i++) {
        const mock_group *g = m->groups[i];
        if (mock_coordinator(m, kfk_str_of(g->id)) != c->broker) continue;
        if (!filter_has(q->states_filter.items, q->states_filter.count, state_of(g)) ||
            !filter_has(q->types_filter.items, q->types_filter.count, g->consumer ? "consumer" : "classic"))
            continue;
        mine[n++] = g;
    }
    if (MOCK_ARRAY(c, r->groups, n)) return KFK_ERR_NOMEM;
    for (int32_t i = 0; i < n; i++) {
        kfk_list_groups_response_listed_group *rg = &r->groups.items[i];
        const mock_group *g = mine[i];
        rg->group_id = kfk_str_of(g->id);
        rg->protocol_type = kfk_str_of(g->consumer ? "consumer" : g->protocol_type ? g->protocol_type : "");
        rg->group_state = kfk_str_of(state_of(g));
        rg->group_type = kfk_str_of(g->consumer ? "consumer" : "classic");
    }
    return KFK_MOCK_REPLY;
}
