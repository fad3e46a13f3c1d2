/* The sticky assignor for differing subscriptions (Java's
 * GeneralAssignmentBuilder):
 *  1. members keep owned partitions of topics they still subscribe to (and,
 *     rack-aware, on their rack);
 *  2. free partitions (topics with fewest subscribers first) go one by one to
 *     the subscriber with fewest partitions (ties: member id); rack-aware, a
 *     first pass gives each to such a subscriber on its rack, if any;
 *  3. while unbalanced (some member could take a partition from one holding
 *     two more), partitions move to the least loaded subscriber, or back to
 *     the member of the previous generation that held them; a move that
 *     would undo an earlier move of the same topic reverses that one instead;
 *  4. when moves do not lower the sum of pairwise size differences, the
 *     assignment from before step 3 stands.
 * Members with nothing to gain or give are set aside during step 3. */
#include <stdlib.h>
#include <string.h>

#include "assign/assignor_sticky.h"
#include "kfk.h"

/* A set of partitions that moved from src to dst in one topic, iterated as a
 * java.util.HashSet<TopicPartition> would be. */
typedef struct move_set {
    int32_t topic, src, dst;
    kfk_ivec gps, seqs;
    int32_t max_size;
} move_set;

typedef struct general {
    kfk_sticky *s;
    kfk_arena *a;
    int32_t nm, nt;
    kfk_ivec *cur;        /* currentAssignment, per member */
    int32_t *owner;       /* currentPartitionConsumer, per partition, -1 */
    bool *fixed;          /* set aside in step 3 */
    int32_t *sorted, nsorted; /* members by (size, id), not fixed */
    int32_t *pot_count;   /* per topic: potential consumers */
    int32_t *max_size;    /* per member: partitions of its subscribed topics */
    int32_t *prev_member, *prev_gen; /* previous owner per partition, -1 */
    int32_t *mv_src, *mv_dst;        /* recorded movement per partition, -1 */
    move_set *moves;
    int32_t nmoves, cap_moves, seq;
    int32_t *topic_hash;
} general;

static bool subscribed(const general *g, int32_t m, int32_t t) {
    return g->s->c.subscribed[(size_t)m * g->nt + t];
}

static int32_t topic_of(const general *g, int32_t gp) { return kfk_assign_gp_topic(&g->s->c, gp); }

static int cmp_size_id(const general *g, int32_t a, int32_t b) {
    if (g->cur[a].n != g->cur[b].n) return g->cur[a].n < g->cur[b].n ? -1 : 1;
    return kfk_sticky_member_id_cmp(g->s, a, b);
}

/* The TreeSet of members ordered by (size, id): remove before a size
 * changes, insert after. */
static void sorted_remove(general *g, int32_t m) {
    for (int32_t i = 0; i < g->nsorted; i++)
        if (g->sorted[i] == m) {
            memmove(g->sorted + i, g->sorted + i + 1, (size_t)(g->nsorted - i - 1) * sizeof *g->sorted);
            g->nsorted--;
            return;
        }
}

static void sorted_insert(general *g, int32_t m) {
    int32_t i = g->nsorted;
    while (i > 0 && cmp_size_id(g, g->sorted[i - 1], m) > 0) i--;
    memmove(g->sorted + i + 1, g->sorted + i, (size_t)(g->nsorted - i) * sizeof *g->sorted);
    g->sorted[i] = m;
    g->nsorted++;
}

/* ---- partition movements (Java's PartitionMovements) */

static move_set *find_moves(general *g, int32_t topic, int32_t src, int32_t dst) {
    for (int32_t i = 0; i < g->nmoves; i++)
        if (g->moves[i].topic == topic && g->moves[i].src == src && g->moves[i].dst == dst) return &g->moves[i];
    return NULL;
}

static bool topic_moved(const general *g, int32_t topic) {
    for (int32_t i = 0; i < g->nmoves; i++)
        if (g->moves[i].topic == topic) return true;
    return false;
}

static int add_move(general *g, int32_t gp, int32_t src, int32_t dst) {
    int32_t t = topic_of(g, gp);
    move_set *ms = find_moves(g, t, src, dst);
    if (!ms) {
        if (g->nmoves == g->cap_moves) {
            int32_t cap = g->cap_moves ? g->cap_moves * 2 : 16;
            move_set *n = kfk_arena_array(g->a, (size_t)cap, sizeof *n);
            if (!n) return KFK_ERR_NOMEM;
            if (g->nmoves) memcpy(n, g->moves, (size_t)g->nmoves * sizeof *n);
            g->moves = n;
            g->cap_moves = cap;
        }
        ms = &g->moves[g->nmoves++];
        memset(ms, 0, sizeof *ms);
        ms->topic = t;
        ms->src = src;
        ms->dst = dst;
    }
    g->mv_src[gp] = src;
    g->mv_dst[gp] = dst;
    if (kfk_ivec_push(&ms->gps, g->a, gp) || kfk_ivec_push(&ms->seqs, g->a, g->seq++))
        return KFK_ERR_NOMEM;
    if (ms->gps.n > ms->max_size) ms->max_size = ms->gps.n;
    return 0;
}

static void remove_move(general *g, int32_t gp) {
    move_set *ms = find_moves(g, topic_of(g, gp), g->mv_src[gp], g->mv_dst[gp]);
    g->mv_src[gp] = g->mv_dst[gp] = -1;
    for (int32_t i = 0; i < ms->gps.n; i++)
        if (ms->gps.v[i] == gp) {
            memmove(ms->gps.v + i, ms->gps.v + i + 1, (size_t)(ms->gps.n - i - 1) * sizeof(int32_t));
            memmove(ms->seqs.v + i, ms->seqs.v + i + 1, (size_t)(ms->seqs.n - i - 1) * sizeof(int32_t));
            ms->gps.n--;
            ms->seqs.n--;
            break;
        }
    if (ms->gps.n == 0) *ms = g->moves[--g->nmoves]; /* Java drops empty sets */
}

/* The first element of the set in java.util.HashSet iteration order. */
static int32_t first_in_hash_order(const general *g, const move_set *ms) {
    uint32_t cap = kfk_java_map_cap((uint32_t)ms->max_size);
    int32_t best = -1;
    uint32_t best_bucket = 0;
    for (int32_t i = 0; i < ms->gps.n; i++) {
        int32_t gp = ms->gps.v[i], t = ms->topic;
        uint32_t b = kfk_java_bucket(kfk_java_tp_hash(g->topic_hash[t], gp - g->s->c.first[t]), cap);
        if (best < 0 || b < best_bucket || (b == best_bucket && ms->seqs.v[i] < ms->seqs.v[best])) {
            best = i;
            best_bucket = b;
        }
    }
    return ms->gps.v[best];
}

static int32_t actual_partition_to_move(general *g, int32_t gp, int32_t old, int32_t new_m) {
    int32_t t = topic_of(g, gp);
    if (!topic_moved(g, t)) return gp;
    if (g->mv_src[gp] >= 0) old = g->mv_src[gp];
    const move_set *rev = find_moves(g, t, new_m, old);
    return rev ? first_in_hash_order(g, rev) : gp;
}

static int record_move(general *g, int32_t gp, int32_t old, int32_t new_m) {
    if (g->mv_src[gp] < 0) return add_move(g, gp, old, new_m);
    int32_t src = g->mv_src[gp];
    remove_move(g, gp);
    return src != new_m ? add_move(g, gp, src, new_m) : 0;
}

static int move_partition(general *g, int32_t gp, int32_t new_m) {
    int32_t old = g->owner[gp];
    sorted_remove(g, old);
    sorted_remove(g, new_m);
    int rc = record_move(g, gp, old, new_m);
    if (rc) return rc;
    kfk_ivec_remove(&g->cur[old], gp);
    if (kfk_ivec_push(&g->cur[new_m], g->a, gp)) return KFK_ERR_NOMEM;
    g->owner[gp] = new_m;
    sorted_insert(g, new_m);
    sorted_insert(g, old);
    return 0;
}

static int reassign_to(general *g, int32_t gp, int32_t new_m) {
    return move_partition(g, actual_partition_to_move(g, gp, g->owner[gp], new_m), new_m);
}

static int reassign(general *g, int32_t gp) {
    int32_t t = topic_of(g, gp);
    for (int32_t i = 0; i < g->nsorted; i++)
        if (subscribed(g, g->sorted[i], t)) return reassign_to(g, gp, g->sorted[i]);
    return KFK_ERR_INVALID_ARG;
}

/* ---- balance */

static bool is_balanced(const general *g) {
    if (g->nsorted == 0 || g->cur[g->sorted[0]].n >= g->cur[g->sorted[g->nsorted - 1]].n - 1) return true;
    const kfk_assign_ctx *c = &g->s->c;
    for (int32_t i = 0; i < g->nsorted; i++) {
        int32_t m = g->sorted[i], n = g->cur[m].n;
        if (n == g->max_size[m]) continue;
        for (int32_t k = c->sub_start[m]; k < c->sub_start[m + 1]; k++) {
            int32_t t = c->sub_topics[k];
            for (int32_t p = 0; p < c->in->topics[t].partitions; p++) {
                int32_t o = g->owner[c->first[t] + p];
                if (o != m && o >= 0 && n + 1 < g->cur[o].n) return false;
            }
        }
    }
    return true;
}

static int64_t balance_score(const general *g, const kfk_ivec *lists) {
    int64_t score = 0;
    for (int32_t i = 0; i < g->nm; i++)
        for (int32_t j = i + 1; j < g->nm; j++)
            if (!g->fixed[i] && !g->fixed[j]) score += labs((long)(lists[i].n - lists[j].n));
    return score;
}

static int perform_reassignments(general *g, const int32_t *gps, int32_t n, bool *performed) {
    bool modified;
    *performed = false;
    do {
        modified = false;
        for (int32_t i = 0; i < n && !is_balanced(g); i++) {
            int32_t gp = gps[i], m = g->owner[gp], t = topic_of(g, gp);
            int32_t pm = g->prev_member[gp];
            if (pm >= 0 && g->cur[m].n > g->cur[pm].n + 1) {
                int rc = reassign_to(g, gp, pm);
                if (rc) return rc;
                *performed = modified = true;
                continue;
            }
            for (int32_t o = 0; o < g->nm; o++) {
                if (!subscribed(g, o, t) || g->cur[m].n <= g->cur[o].n + 1) continue;
                int rc = reassign(g, gp);
                if (rc) return rc;
                *performed = modified = true;
                break;
            }
        }
    } while (modified);
    return 0;
}

/* Java's prepopulateCurrentAssignments: for each partition, the member of the
 * highest generation below the newest that claimed it (first one on ties). */
static void prepopulate_prev(general *g) {
    kfk_sticky *s = g->s;
    for (int32_t k = 0; k < g->nm; k++) {
        int32_t m = s->c.java_order[k], gen;
        if (s->has_gen[m] && s->gen[m] < s->max_gen) gen = s->gen[m];
        else if (!s->has_gen[m] && s->max_gen > -1) gen = -1;
        else continue;
        for (int32_t i = 0; i < s->raw_owned[m].n; i++) {
            int32_t gp = s->raw_owned[m].v[i];
            if (g->prev_member[gp] < 0 || gen > g->prev_gen[gp]) {
                g->prev_member[gp] = m;
                g->prev_gen[gp] = gen;
            }
        }
    }
}

static _Thread_local const general *cmp_g;

/* Topics by (number of potential consumers, name). */
static int cmp_topic(const void *pa, const void *pb) {
    int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    if (cmp_g->pot_count[a] != cmp_g->pot_count[b]) return cmp_g->pot_count[a] < cmp_g->pot_count[b] ? -1 : 1;
    return cmp_g->s->c.topic_rank[a] - cmp_g->s->c.topic_rank[b];
}

static int init_general(general *g, kfk_sticky *s) {
    kfk_arena *a = s->c.a;
    int32_t P = s->c.nparts;
    g->s = s;
    g->a = a;
    g->nm = s->nm;
    g->nt = s->c.in->ntopics;
    g->cur = s->result;
    g->owner = kfk_arena_array(a, (size_t)P + 1, sizeof *g->owner);
    g->fixed = kfk_arena_array(a, (size_t)g->nm + 1, sizeof *g->fixed);
    g->sorted = kfk_arena_array(a, (size_t)g->nm + 1, sizeof *g->sorted);
    g->pot_count = kfk_arena_array(a, (size_t)g->nt + 1, sizeof *g->pot_count);
    g->max_size = kfk_arena_array(a, (size_t)g->nm + 1, sizeof *g->max_size);
    g->prev_member = kfk_arena_array(a, (size_t)P + 1, sizeof *g->prev_member);
    g->prev_gen = kfk_arena_array(a, (size_t)P + 1, sizeof *g->prev_gen);
    g->mv_src = kfk_arena_array(a, (size_t)P + 1, sizeof *g->mv_src);
    g->mv_dst = kfk_arena_array(a, (size_t)P + 1, sizeof *g->mv_dst);
    g->topic_hash = kfk_arena_array(a, (size_t)g->nt + 1, sizeof *g->topic_hash);
    if (!g->owner || !g->fixed || !g->sorted || !g->pot_count || !g->max_size || !g->prev_member ||
        !g->prev_gen || !g->mv_src || !g->mv_dst || !g->topic_hash)
        return KFK_ERR_NOMEM;
    memset(g->owner, 0xff, (size_t)P * sizeof *g->owner);
    memset(g->prev_member, 0xff, (size_t)P * sizeof *g->prev_member);
    memset(g->mv_src, 0xff, (size_t)P * sizeof *g->mv_src);
    memset(g->mv_dst, 0xff, (size_t)P * sizeof *g->mv_dst);
    for (int32_t t = 0; t < g->nt; t++) g->topic_hash[t] = kfk_java_str_hash(s->c.in->topics[t].name);
    for (int32_t m = 0; m < g->nm; m++)
        for (int32_t k = s->c.sub_start[m]; k < s->c.sub_start[m + 1]; k++) {
            int32_t t = s->c.sub_topics[k];
            g->pot_count[t]++;
            g->max_size[m] += s->c.in->topics[t].partitions;
        }
    return 0;
}

/* Step 1: keep owned partitions of still-subscribed topics. Returns whether
 * some member lost one by unsubscribing (Java's revocationRequired). */
static int keep_owned(general *g, bool *assigned, bool *revocation) {
    kfk_sticky *s = g->s;
    *revocation = false;
    for (int32_t m = 0; m < g->nm; m++) {
        const kfk_ivec *own = &s->owned[m];
        for (int32_t i = 0; i < own->n; i++) {
            int32_t gp = own->v[i];
            if (!subscribed(g, m, topic_of(g, gp)) || kfk_sticky_rack_mismatch(s, m, gp)) {
                *revocation = true;
                continue;
            }
            if (kfk_ivec_push(&g->cur[m], g->a, gp)) return KFK_ERR_NOMEM;
            g->owner[gp] = m;
            assigned[gp] = true;
        }
    }
    return 0;
}

/* Step 2 (Java's maybeAssign): each free partition to the least loaded
 * subscriber, on its rack when `racks`. Keeps in gps what is left. */
static int assign_free(general *g, int32_t *gps, int32_t *n, bool racks) {
    int32_t left = 0;
    for (int32_t i = 0; i < *n; i++) {
        int32_t gp = gps[i], t = topic_of(g, gp), k = 0;
        for (; k < g->nsorted; k++) {
            int32_t m = g->sorted[k];
            if (!subscribed(g, m, t) || (racks && kfk_sticky_rack_mismatch(g->s, m, gp))) continue;
            sorted_remove(g, m);
            if (kfk_ivec_push(&g->cur[m], g->a, gp)) return KFK_ERR_NOMEM;
            g->owner[gp] = m;
            sorted_insert(g, m);
            break;
        }
        if (k == g->nsorted) gps[left++] = gp;
    }
    *n = left;
    return 0;
}

/* Java's canConsumerParticipateInReassignment, negated. */
static bool is_fixed(const general *g, int32_t m) {
    if (g->cur[m].n < g->max_size[m]) return false;
    for (int32_t i = 0; i < g->cur[m].n; i++)
        if (g->pot_count[topic_of(g, g->cur[m].v[i])] >= 2) return false;
    return true;
}

/* Keeps only partitions of topics with two or more potential consumers. */
static int32_t drop_fixed_partitions(const general *g, int32_t *gps, int32_t n) {
    int32_t k = 0;
    for (int32_t i = 0; i < n; i++)
        if (g->pot_count[topic_of(g, gps[i])] >= 2) gps[k++] = gps[i];
    return k;
}

static int snapshot(general *g, kfk_ivec *copy, int32_t *owner_copy) {
    for (int32_t m = 0; m < g->nm; m++) {
        copy[m].n = 0;
        for (int32_t i = 0; i < g->cur[m].n; i++)
            if (kfk_ivec_push(&copy[m], g->a, g->cur[m].v[i])) return KFK_ERR_NOMEM;
    }
    memcpy(owner_copy, g->owner, (size_t)g->s->c.nparts * sizeof *owner_copy);
    return 0;
}

/* Steps 3 and 4 (Java's balance after the initial assignment). */
static int rebalance(general *g, int32_t *all, int32_t nall, int32_t *free_gps, int32_t nfree,
                     bool initializing, bool revocation) {
    int32_t P = g->s->c.nparts;
    nall = drop_fixed_partitions(g, all, nall);
    nfree = drop_fixed_partitions(g, free_gps, nfree);
    for (int32_t m = 0; m < g->nm; m++)
        if (is_fixed(g, m)) {
            g->fixed[m] = true;
            sorted_remove(g, m);
        }
    kfk_ivec *pre = kfk_arena_array(g->a, (size_t)g->nm + 1, sizeof *pre);
    int32_t *pre_owner = kfk_arena_array(g->a, (size_t)P + 1, sizeof *pre_owner);
    if (!pre || !pre_owner) return KFK_ERR_NOMEM;
    int rc = snapshot(g, pre, pre_owner);
    bool performed = false;
    if (!rc && !revocation) rc = perform_reassignments(g, free_gps, nfree, &performed);
    if (!rc) rc = perform_reassignments(g, all, nall, &performed);
    if (rc) return rc;
    if (!initializing && performed && balance_score(g, g->cur) >= balance_score(g, pre)) {
        memcpy(g->cur, pre, (size_t)g->nm * sizeof *pre);
        memcpy(g->owner, pre_owner, (size_t)P * sizeof *pre_owner);
    }
    return 0;
}

int kfk_sticky_general(kfk_sticky *s) {
    general g;
    memset(&g, 0, sizeof g);
    int rc = init_general(&g, s);
    if (rc) return rc;
    int32_t P = s->c.nparts;
    int32_t *topics = kfk_arena_array(g.a, (size_t)g.nt + 1, sizeof *topics);
    int32_t *all = kfk_arena_array(g.a, (size_t)P + 1, sizeof *all);
    int32_t *free_gps = kfk_arena_array(g.a, (size_t)P + 1, sizeof *free_gps);
    bool *assigned = kfk_arena_array(g.a, (size_t)P + 1, sizeof *assigned);
    if (!topics || !all || !free_gps || !assigned) return KFK_ERR_NOMEM;
    prepopulate_prev(&g);
    bool revocation;
    if ((rc = keep_owned(&g, assigned, &revocation))) return rc;
    /* All partitions, topics with fewest potential consumers first. */
    int32_t ntop = 0, nall = 0, nfree = 0;
    for (int32_t t = 0; t < g.nt; t++)
        if (s->in_metadata[t]) topics[ntop++] = t;
    cmp_g = &g;
    qsort(topics, (size_t)ntop, sizeof *topics, cmp_topic);
    for (int32_t i = 0; i < ntop; i++)
        for (int32_t p = 0; p < s->c.in->topics[topics[i]].partitions; p++) {
            int32_t gp = s->c.first[topics[i]] + p;
            all[nall++] = gp;
            if (!assigned[gp]) free_gps[nfree++] = gp;
        }
    for (int32_t m = 0; m < g.nm; m++) sorted_insert(&g, m);
    bool initializing = g.nsorted == 0 || g.cur[g.sorted[g.nsorted - 1]].n == 0;
    /* Step 3 reads every free partition: assign from a copy. */
    int32_t *left = kfk_arena_array(g.a, (size_t)nfree + 1, sizeof *left), nleft = nfree;
    if (!left) return KFK_ERR_NOMEM;
    if (nfree) memcpy(left, free_gps, (size_t)nfree * sizeof *left);
    if (s->r.aware && (rc = assign_free(&g, left, &nleft, true))) return rc;
    if ((rc = assign_free(&g, left, &nleft, false))) return rc;
    return rebalance(&g, all, nall, free_gps, nfree, initializing, revocation);
}
