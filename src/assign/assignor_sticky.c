/* "cooperative-sticky": balanced (member sizes differ by at most one where
 * subscriptions allow), sticky (members keep what they owned where balance
 * allows) and cooperative: a partition moving from one member to another is
 * left out of this assignment; its owner revokes it, rejoins, and the next
 * rebalance hands it over.
 *
 * Rack-aware as in Java 3.5+ (KIP-881, assignor_sticky_rack.c): when racks
 * apply, owned partitions off the member's rack are given up and free ones
 * go to members on their replicas' racks first, balance still coming first.
 *
 * This file reads member data and resolves conflicting ownership claims the
 * way Java's AbstractStickyAssignor does, picks the algorithm, and removes
 * the moving partitions. */
#include <string.h>

#include "assign/assignor_sticky.h"
#include "kfk.h"

int kfk_sticky_member_id_cmp(const kfk_sticky *s, int32_t a, int32_t b) {
    return kfk_java_strcmp(s->c.in->members[a].member_id, s->c.in->members[b].member_id);
}

/* CooperativeStickyAssignor.memberData: the subscription's generation (v2+),
 * else the int32 its UserData carries; unreadable UserData means -1. */
static void member_generation(const kfk_assign_member *m, int32_t *gen, bool *has) {
    *has = true;
    if (m->generation >= 0) {
        *gen = m->generation;
    } else if (m->user_data.len < 0) {
        *has = false;
        *gen = -1;
    } else if (m->user_data.len < 4) {
        *gen = -1;
    } else {
        const uint8_t *p = m->user_data.ptr;
        *gen = (int32_t)(((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]);
    }
}

static int init_sticky(kfk_sticky *s, const kfk_assign_input *in, kfk_arena *a) {
    int rc = kfk_assign_ctx_init(&s->c, in, a);
    if (rc) return rc;
    int32_t nm = s->nm = in->nmembers, nt = in->ntopics;
    s->gen = kfk_arena_array(a, (size_t)nm + 1, sizeof *s->gen);
    s->has_gen = kfk_arena_array(a, (size_t)nm + 1, sizeof *s->has_gen);
    s->in_metadata = kfk_arena_array(a, (size_t)nt + 1, sizeof *s->in_metadata);
    s->raw_owned = kfk_arena_array(a, (size_t)nm + 1, sizeof *s->raw_owned);
    s->owned = kfk_arena_array(a, (size_t)nm + 1, sizeof *s->owned);
    s->result = kfk_arena_array(a, (size_t)nm + 1, sizeof *s->result);
    s->multi = kfk_arena_array(a, (size_t)s->c.nparts + 1, 1);
    if (!s->gen || !s->has_gen || !s->in_metadata || !s->raw_owned || !s->owned || !s->result ||
        !s->multi)
        return KFK_ERR_NOMEM;
    s->max_gen = -1;
    for (int32_t m = 0; m < nm; m++)
        for (int32_t i = s->c.sub_start[m]; i < s->c.sub_start[m + 1]; i++)
            s->in_metadata[s->c.sub_topics[i]] = true;
    for (int32_t m = 0; m < nm; m++) {
        const kfk_assign_member *mem = &in->members[m];
        member_generation(mem, &s->gen[m], &s->has_gen[m]);
        for (int32_t i = 0; i < mem->nowned; i++) {
            int32_t t = kfk_name_index_get(&s->c.topic_ix, mem->owned[i].topic);
            if (t < 0 || !s->in_metadata[t]) continue;
            for (int32_t j = 0; j < mem->owned[i].count; j++) {
                int32_t p = mem->owned[i].partitions[j];
                if (p < 0 || p >= in->topics[t].partitions) continue; /* not a partition: ignore */
                if (kfk_ivec_push(&s->raw_owned[m], a, s->c.first[t] + p)) return KFK_ERR_NOMEM;
            }
        }
    }
    return kfk_sticky_racks_init(s);
}

static bool same_topics(kfk_name_index *ix, int32_t nset, const kfk_assign_member *m) {
    if (m->ntopics != nset) return false;
    for (int32_t i = 0; i < m->ntopics; i++)
        if (kfk_name_index_get(ix, m->topics[i]) < 0) return false;
    return true;
}

/* Java's allSubscriptionsEqual: compares subscriptions (as name sets) and
 * settles partitions claimed by several members: the higher generation wins,
 * a tie in generation takes the partition from both. Members are visited in
 * Java's HashMap order, which decides between more than two claimants. */
static int resolve_owners(kfk_sticky *s, bool *all_equal) {
    const kfk_assign_input *in = s->c.in;
    kfk_arena *a = s->c.a;
    int32_t *owner = kfk_arena_array(a, (size_t)s->c.nparts + 1, sizeof *owner);
    kfk_name_index set;
    int32_t total = 0, nset = 0;
    for (int32_t m = 0; m < s->nm; m++) total += in->members[m].ntopics;
    if (!owner || kfk_name_index_init(&set, a, total)) return KFK_ERR_NOMEM;
    memset(owner, 0xff, (size_t)s->c.nparts * sizeof *owner);
    *all_equal = true;
    for (int32_t k = 0; k < s->nm; k++) {
        int32_t m = s->c.java_order[k];
        const kfk_assign_member *mem = &in->members[m];
        if (nset == 0) {
            for (int32_t i = 0; i < mem->ntopics; i++)
                if (kfk_name_index_put(&set, mem->topics[i], 0) == 0) nset++;
        } else if (*all_equal && !same_topics(&set, nset, mem)) {
            *all_equal = false;
        }
        if (s->gen[m] > s->max_gen) s->max_gen = s->gen[m];
        for (int32_t i = 0; i < s->raw_owned[m].n; i++) {
            int32_t gp = s->raw_owned[m].v[i], other = owner[gp];
            if (other < 0) {
                if (kfk_ivec_push(&s->owned[m], a, gp)) return KFK_ERR_NOMEM;
                owner[gp] = m;
                continue;
            }
            /* Java compares with the other's subscription GenerationId here,
             * not its member data. */
            int32_t other_gen = in->members[other].generation;
            if (s->gen[m] == other_gen) {
                s->multi[gp] = 1;
                kfk_ivec_remove(&s->owned[other], gp);
                owner[gp] = m;
            } else if (s->gen[m] > other_gen) {
                if (kfk_ivec_push(&s->owned[m], a, gp)) return KFK_ERR_NOMEM;
                kfk_ivec_remove(&s->owned[other], gp);
                owner[gp] = m;
            }
        }
    }
    return 0;
}

static bool ivec_has(const kfk_ivec *l, int32_t x) {
    for (int32_t i = 0; i < l->n; i++)
        if (l->v[i] == x) return true;
    return false;
}

/* CooperativeStickyAssignor.computePartitionsTransferringOwnership: a
 * partition some member gained and some member (as it claimed) lost. */
static int compute_transfers(kfk_sticky *s) {
    kfk_arena *a = s->c.a;
    uint8_t *revoked = kfk_arena_array(a, (size_t)s->c.nparts + 1, 1);
    s->transfer = kfk_arena_array(a, (size_t)s->c.nparts + 1, sizeof *s->transfer);
    if (!revoked || !s->transfer) return KFK_ERR_NOMEM;
    memset(s->transfer, 0xff, (size_t)s->c.nparts * sizeof *s->transfer);
    for (int32_t m = 0; m < s->nm; m++) {
        for (int32_t i = 0; i < s->result[m].n; i++)
            if (!ivec_has(&s->raw_owned[m], s->result[m].v[i])) s->transfer[s->result[m].v[i]] = m;
        for (int32_t i = 0; i < s->raw_owned[m].n; i++)
            if (!ivec_has(&s->result[m], s->raw_owned[m].v[i])) revoked[s->raw_owned[m].v[i]] = 1;
    }
    for (int32_t gp = 0; gp < s->c.nparts; gp++)
        if (!revoked[gp]) s->transfer[gp] = -1;
    return 0;
}

static int sticky_assign(const kfk_assign_input *in, kfk_arena *a, kfk_member_assignment *out) {
    kfk_sticky s;
    memset(&s, 0, sizeof s);
    bool all_equal;
    int rc = init_sticky(&s, in, a);
    if (rc || (rc = resolve_owners(&s, &all_equal))) return rc;
    if (all_equal) {
        rc = kfk_sticky_constrained(&s);
    } else {
        rc = kfk_sticky_general(&s);
        if (!rc) rc = compute_transfers(&s);
    }
    if (rc) return rc;
    for (int32_t gp = 0; gp < s.c.nparts; gp++)
        if (s.transfer[gp] >= 0) kfk_ivec_remove(&s.result[s.transfer[gp]], gp);
    for (int32_t m = 0; m < s.nm; m++)
        if ((rc = kfk_assign_emit(&s.c, m, s.result[m].v, s.result[m].n, out))) return rc;
    return 0;
}

/* Java's CooperativeStickyAssignor sends its last generation as an int32 in
 * UserData, for leaders that read only subscription versions 0 and 1. */
static int sticky_user_data(int32_t generation, kfk_wbuf *w) {
    kfk_wr_i32(w, generation);
    return w->err;
}

const kfk_assignor kfk_assignor_cooperative_sticky = {"cooperative-sticky", true, sticky_assign,
                                                      sticky_user_data};
