/* The sticky assignor when every member subscribes to the same topics (Java's
 * ConstrainedAssignmentBuilder). With P partitions and M members each member
 * gets min = P / M or max = min + 1, and exactly P % M get max:
 *  1. members keep owned partitions (lowest partition numbers first) up to
 *     max while max-sized slots remain, else up to min; the rest of what they
 *     owned, and (rack-aware) what is off their rack, may be revoked;
 *  2. rack-aware only: free partitions (fewest members on their racks
 *     first) go round-robin to members on their racks, within the quotas;
 *  3. the rest, in topic-name then partition order, go round-robin to
 *     members under min (by member id), then one each to members at min.
 * A partition given to a member other than the one giving it up is recorded
 * as transferring, so the cooperative step can hold it back. */
#include <stdlib.h>
#include <string.h>

#include "assign/assignor_sticky.h"
#include "kfk.h"

typedef struct constrained {
    kfk_sticky *s;
    int32_t min_quota, max_quota, expected_over, over;
    int32_t *maybe_revoked; /* per partition: member that gave it up, or -1 */
    int32_t *under, nunder; /* members under min quota */
    int32_t *exact, nexact; /* members at min quota that may still get one */
} constrained;

static _Thread_local const kfk_sticky *cmp_s;

static int cmp_owned(const void *pa, const void *pb) {
    int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    const kfk_assign_ctx *c = &cmp_s->c;
    int32_t ta = kfk_assign_gp_topic(c, a), tb = kfk_assign_gp_topic(c, b);
    int32_t pa_ = a - c->first[ta], pb_ = b - c->first[tb];
    if (pa_ != pb_) return pa_ < pb_ ? -1 : 1;
    return c->topic_rank[ta] - c->topic_rank[tb];
}

static int cmp_member(const void *pa, const void *pb) {
    return kfk_sticky_member_id_cmp(cmp_s, *(const int32_t *)pa, *(const int32_t *)pb);
}

static int keep(constrained *k, int32_t m, const int32_t *ps, int32_t n, bool *assigned) {
    for (int32_t i = 0; i < n; i++) {
        if (kfk_ivec_push(&k->s->result[m], k->s->c.a, ps[i])) return KFK_ERR_NOMEM;
        assigned[ps[i]] = true;
    }
    return 0;
}

/* Step 1, members in Java's HashMap order: when more members own max or
 * more than there are max-sized slots, the earlier ones keep max. */
static int assign_owned(constrained *k, bool *assigned) {
    kfk_sticky *s = k->s;
    for (int32_t i = 0; i < s->nm; i++) {
        int32_t m = s->c.java_order[i];
        kfk_ivec *own = &s->owned[m];
        cmp_s = s;
        int32_t kept = 0;
        for (int32_t j = 0; j < own->n; j++) {
            if (kfk_sticky_rack_mismatch(s, m, own->v[j])) k->maybe_revoked[own->v[j]] = m;
            else if (!s->multi[own->v[j]]) own->v[kept++] = own->v[j];
        }
        own->n = kept;
        if (own->n > 1) qsort(own->v, (size_t)own->n, sizeof *own->v, cmp_owned);
        int32_t n = own->n, quota;
        if (n < k->min_quota) {
            quota = n;
            k->under[k->nunder++] = m;
        } else if (n >= k->max_quota && k->over < k->expected_over) {
            quota = k->max_quota;
            if (++k->over == k->expected_over) k->nexact = 0;
        } else {
            quota = k->min_quota;
            if (k->over < k->expected_over) k->exact[k->nexact++] = m;
        }
        int rc = keep(k, m, own->v, quota, assigned);
        if (rc) return rc;
        for (int32_t j = quota; j < n; j++) k->maybe_revoked[own->v[j]] = m;
    }
    return 0;
}

static int assign_new(constrained *k, int32_t gp, int32_t m, int32_t *count) {
    kfk_sticky *s = k->s;
    if (kfk_ivec_push(&s->result[m], s->c.a, gp)) return KFK_ERR_NOMEM;
    if ((k->maybe_revoked[gp] >= 0 && k->maybe_revoked[gp] != m) || s->multi[gp]) s->transfer[gp] = m;
    *count = s->result[m].n;
    return 0;
}

static void remove_at(int32_t *v, int32_t *n, int32_t i) {
    memmove(v + i, v + i + 1, (size_t)(--*n - i) * sizeof *v);
}

/* Java's RackInfo.nextRackConsumer: the first member of l, circularly from
 * `from`, on one of gp's racks; -1 if none. */
static int32_t next_on_rack(const kfk_sticky *s, int32_t gp, const int32_t *l, int32_t n, int32_t from) {
    for (int32_t i = 0; i < n; i++)
        if (kfk_sticky_rack_match(s, l[(from + i) % n], gp)) return (from + i) % n;
    return -1;
}

/* The member on gp's rack that takes it in step 2, or -1. Members under min
 * are visited round-robin; those at min reach max with it. */
static int32_t pick_on_rack(constrained *k, int32_t gp, int32_t *next) {
    const kfk_sticky *s = k->s;
    int32_t i = next_on_rack(s, gp, k->under, k->nunder, *next), m;
    if (i >= 0) {
        m = k->under[i];
        int32_t count = s->result[m].n + 1;
        if (count >= k->min_quota) {
            remove_at(k->under, &k->nunder, i);
            if (count < k->max_quota && k->over < k->expected_over) k->exact[k->nexact++] = m;
        } else {
            i++;
        }
        *next = k->nunder ? i % k->nunder : 0;
        return m;
    }
    if ((i = next_on_rack(s, gp, k->exact, k->nexact, 0)) < 0) return -1;
    m = k->exact[i];
    if (s->result[m].n + 1 == k->max_quota) {
        remove_at(k->exact, &k->nexact, i);
        if (++k->over == k->expected_over) k->nexact = 0;
    }
    return m;
}

/* Step 2 (Java's assignRackAwareRoundRobin); keeps in free_gps what is left. */
static int assign_on_rack(constrained *k, int32_t *free_gps, int32_t *nfree) {
    int32_t next = 0, left = 0;
    for (int32_t i = 0; i < *nfree; i++) {
        int32_t gp = free_gps[i], m = pick_on_rack(k, gp, &next), count;
        if (m < 0) free_gps[left++] = gp;
        else if (assign_new(k, gp, m, &count)) return KFK_ERR_NOMEM;
    }
    *nfree = left;
    return 0;
}

/* Step 3 (Java's assignRoundRobin): an iterator over the under-min list that
 * restarts when exhausted; members reaching min move to the at-min list,
 * which is drawn from once nobody is under min. */
static int assign_round_robin(constrained *k, const int32_t *free_gps, int32_t nfree) {
    int32_t it = 0; /* next position in `under` */
    for (int32_t i = 0; i < nfree; i++) {
        int32_t m;
        bool from_under = true;
        if (it < k->nunder) {
            m = k->under[it++];
        } else if (k->nunder == 0 && k->nexact == 0) {
            return KFK_ERR_INVALID_ARG; /* Java throws IllegalStateException */
        } else if (k->nunder == 0) {
            m = k->exact[0];
            remove_at(k->exact, &k->nexact, 0);
            from_under = false;
        } else {
            it = 0;
            m = k->under[it++];
        }
        int32_t count;
        int rc = assign_new(k, free_gps[i], m, &count);
        if (rc) return rc;
        if (count == k->min_quota && from_under) {
            remove_at(k->under, &k->nunder, --it);
            k->exact[k->nexact++] = m;
        } else if (count == k->max_quota) {
            k->over++;
        }
    }
    return 0;
}

int kfk_sticky_constrained(kfk_sticky *s) {
    kfk_arena *a = s->c.a;
    int32_t P = 0, nt = s->c.in->ntopics;
    for (int32_t t = 0; t < nt; t++)
        if (s->in_metadata[t]) P += s->c.in->topics[t].partitions;
    constrained k = {.s = s};
    if (s->nm > 0) {
        k.min_quota = P / s->nm;
        k.max_quota = (P + s->nm - 1) / s->nm;
        k.expected_over = P % s->nm;
    }
    k.maybe_revoked = kfk_arena_array(a, (size_t)s->c.nparts + 1, sizeof *k.maybe_revoked);
    k.under = kfk_arena_array(a, (size_t)s->nm + 1, sizeof *k.under);
    k.exact = kfk_arena_array(a, (size_t)s->nm * 2 + 1, sizeof *k.exact);
    s->transfer = kfk_arena_array(a, (size_t)s->c.nparts + 1, sizeof *s->transfer);
    bool *assigned = kfk_arena_array(a, (size_t)s->c.nparts + 1, sizeof *assigned);
    int32_t *free_gps = kfk_arena_array(a, (size_t)s->c.nparts + 1, sizeof *free_gps);
    int32_t *topics = kfk_arena_array(a, (size_t)nt + 1, sizeof *topics);
    if (!k.maybe_revoked || !k.under || !k.exact || !s->transfer || !assigned || !free_gps || !topics)
        return KFK_ERR_NOMEM;
    memset(k.maybe_revoked, 0xff, (size_t)s->c.nparts * sizeof *k.maybe_revoked);
    memset(s->transfer, 0xff, (size_t)s->c.nparts * sizeof *s->transfer);
    int rc = assign_owned(&k, assigned);
    if (rc) return rc;
    /* Free partitions: topics by name, partitions in order. */
    for (int32_t t = 0; t < nt; t++) topics[s->c.topic_rank[t]] = t;
    int32_t nfree = 0;
    for (int32_t r = 0; r < nt; r++) {
        int32_t t = topics[r];
        if (!s->in_metadata[t]) continue;
        for (int32_t p = 0; p < s->c.in->topics[t].partitions; p++)
            if (!assigned[s->c.first[t] + p]) free_gps[nfree++] = s->c.first[t] + p;
    }
    cmp_s = s;
    qsort(k.under, (size_t)k.nunder, sizeof *k.under, cmp_member);
    qsort(k.exact, (size_t)k.nexact, sizeof *k.exact, cmp_member);
    if ((rc = kfk_sticky_sort_by_rack_consumers(s, free_gps, nfree))) return rc;
    if (s->r.aware && (rc = assign_on_rack(&k, free_gps, &nfree))) return rc;
    return assign_round_robin(&k, free_gps, nfree);
}
