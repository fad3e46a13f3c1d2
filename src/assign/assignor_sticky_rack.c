/* Rack information for the sticky assignor, as Java's AbstractStickyAssignor
 * (KIP-881) computes it. Rack-aware assignment is used when some member has
 * a rack, some replica is on one of those racks, and not every partition
 * (of any subscribed topic) has replicas on the same set of racks. Then a
 * member with a rack matches only partitions with a replica on its rack; a
 * member without one matches every partition. */
#include <stdlib.h>
#include <string.h>

#include "assign/assignor_sticky.h"
#include "kfk.h"

typedef struct interner {
    kfk_name_index ix;
    int32_t n;
} interner;

static int32_t intern(interner *in, kfk_str rack) {
    int32_t id = kfk_name_index_get(&in->ix, rack);
    if (id < 0) kfk_name_index_put(&in->ix, rack, id = in->n++);
    return id;
}

static bool has_rack(const int32_t *racks, int32_t n, int32_t rack) {
    for (int32_t i = 0; i < n; i++)
        if (racks[i] == rack) return true;
    return false;
}

/* Each partition's distinct replica racks (Java drops replicas without a
 * rack), and how many members are on them. */
static int partition_racks(kfk_sticky *s, interner *ix, const int32_t *members_on, size_t nreplica) {
    const kfk_assign_input *in = s->c.in;
    kfk_sticky_racks *r = &s->r;
    int32_t P = s->c.nparts, k = 0;
    r->start = kfk_arena_array(s->c.a, (size_t)P + 1, sizeof *r->start);
    r->racks = kfk_arena_array(s->c.a, nreplica + 1, sizeof *r->racks);
    r->rack_consumers = kfk_arena_array(s->c.a, (size_t)P + 1, sizeof *r->rack_consumers);
    if (!r->start || !r->racks || !r->rack_consumers) return KFK_ERR_NOMEM;
    for (int32_t t = 0; t < in->ntopics; t++) {
        const kfk_assign_topic *tp = &in->topics[t];
        for (int32_t p = 0; p < tp->partitions; p++) {
            int32_t gp = s->c.first[t] + p;
            r->start[gp] = k;
            for (int32_t i = 0; s->in_metadata[t] && tp->racks && i < tp->racks[p].count; i++) {
                if (tp->racks[p].racks[i].len < 0) continue;
                int32_t id = intern(ix, tp->racks[p].racks[i]);
                if (has_rack(r->racks + r->start[gp], k - r->start[gp], id)) continue;
                r->racks[k++] = id;
                r->rack_consumers[gp] += members_on[id];
            }
        }
    }
    r->start[P] = k;
    return 0;
}

/* Java's useRackAwareAssignment: member racks meet replica racks, and some
 * partition's rack set differs from the union of all of them. */
static int decide_aware(kfk_sticky *s, const int32_t *member_rack, int32_t nracks) {
    kfk_sticky_racks *r = &s->r;
    uint8_t *in_union = kfk_arena_array(s->c.a, (size_t)nracks + 1, 1);
    if (!in_union) return KFK_ERR_NOMEM;
    int32_t nunion = 0;
    for (int32_t i = 0; i < r->start[s->c.nparts]; i++)
        if (!in_union[r->racks[i]]) {
            in_union[r->racks[i]] = 1;
            nunion++;
        }
    bool overlap = false;
    for (int32_t m = 0; m < s->nm && !overlap; m++) overlap = member_rack[m] >= 0 && in_union[member_rack[m]];
    for (int32_t t = 0; overlap && !r->aware && t < s->c.in->ntopics; t++)
        for (int32_t gp = s->c.first[t]; s->in_metadata[t] && gp < s->c.first[t + 1]; gp++)
            if (r->start[gp + 1] - r->start[gp] != nunion) r->aware = true;
    return 0;
}

int kfk_sticky_racks_init(kfk_sticky *s) {
    const kfk_assign_input *in = s->c.in;
    kfk_sticky_racks *r = &s->r;
    size_t nreplica = 0;
    for (int32_t t = 0; t < in->ntopics; t++)
        for (int32_t p = 0; s->in_metadata[t] && in->topics[t].racks && p < in->topics[t].partitions; p++)
            nreplica += (size_t)in->topics[t].racks[p].count;
    interner ix = {0};
    int32_t *rack = kfk_arena_array(s->c.a, (size_t)s->nm + 1, sizeof *rack);
    int32_t *members_on = kfk_arena_array(s->c.a, (size_t)s->nm + nreplica + 1, sizeof *members_on);
    r->member_rack = kfk_arena_array(s->c.a, (size_t)s->nm + 1, sizeof *r->member_rack);
    if (!rack || !members_on || !r->member_rack ||
        kfk_name_index_init(&ix.ix, s->c.a, (int32_t)((size_t)s->nm + nreplica)))
        return KFK_ERR_NOMEM;
    memset(r->member_rack, 0xff, (size_t)s->nm * sizeof *r->member_rack);
    for (int32_t m = 0; m < s->nm; m++) {
        rack[m] = in->members[m].rack.len > 0 ? intern(&ix, in->members[m].rack) : -1;
        if (rack[m] >= 0) {
            members_on[rack[m]]++;
            r->by_consumers = true;
        }
    }
    if (!r->by_consumers) return 0; /* Java looks at no replica then */
    int rc = partition_racks(s, &ix, members_on, nreplica);
    if (!rc) rc = decide_aware(s, rack, ix.n);
    if (!rc && r->aware) memcpy(r->member_rack, rack, (size_t)s->nm * sizeof *rack);
    return rc;
}

bool kfk_sticky_rack_match(const kfk_sticky *s, int32_t m, int32_t gp) {
    const kfk_sticky_racks *r = &s->r;
    int32_t rack = r->member_rack[m];
    return rack >= 0 && has_rack(r->racks + r->start[gp], r->start[gp + 1] - r->start[gp], rack);
}

bool kfk_sticky_rack_mismatch(const kfk_sticky *s, int32_t m, int32_t gp) {
    return s->r.member_rack[m] >= 0 && !kfk_sticky_rack_match(s, m, gp);
}

static int cmp_key(const void *pa, const void *pb) {
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
    return (a > b) - (a < b);
}

int kfk_sticky_sort_by_rack_consumers(const kfk_sticky *s, int32_t *gps, int32_t n) {
    if (!s->r.by_consumers || n < 2) return 0;
    /* Count, then position: a stable order, as Java's List.sort. */
    int64_t *keys = kfk_arena_array(s->c.a, (size_t)n, sizeof *keys);
    int32_t *copy = kfk_arena_array(s->c.a, (size_t)n, sizeof *copy);
    if (!keys || !copy) return KFK_ERR_NOMEM;
    memcpy(copy, gps, (size_t)n * sizeof *copy);
    for (int32_t i = 0; i < n; i++) keys[i] = (int64_t)s->r.rack_consumers[gps[i]] << 32 | i;
    qsort(keys, (size_t)n, sizeof *keys, cmp_key);
    for (int32_t i = 0; i < n; i++) gps[i] = copy[(int32_t)(keys[i] & 0xffffffff)];
    return 0;
}
