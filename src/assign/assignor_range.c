/* "range": per topic, partitions in order are cut into contiguous ranges for
 * the topic's subscribers in member order (static members by instance id
 * first); the first n % members subscribers get one extra.
 *
 * Rack-aware as in Java 3.5+: when consumers have racks and some partition's
 * replicas are not on every rack, partitions are first given to subscribers
 * on a replica's rack within each one's range quota, co-partitioned topics
 * (same subscribers, same partition count) together; the rest then fill the
 * quotas in order. The per-topic quota (n / members, plus one for the first
 * n % members to reach it) is what keeps the result balanced. */
#include <stdlib.h>
#include <string.h>

#include "assign/assignor_int.h"
#include "kfk.h"

/* Per-topic state, as Java's TopicAssignmentState. */
typedef struct topic_state {
    int32_t topic;
    int32_t *members; /* subscribers in member order */
    int32_t nmembers;
    int32_t *count;   /* assigned so far, per subscriber position */
    int32_t per_member, extra_left;
    int32_t *owner;   /* per partition: subscriber position, or -1 */
    bool rack_aware;
    int32_t rack_key; /* Java groups by partitionRacks.size(): 0 if no subscriber has a rack */
    bool done;        /* handled by the co-partitioned pass */
} topic_state;

static _Thread_local const kfk_assign_input *cmp_in;

static int cmp_member(const void *a, const void *b) {
    return kfk_assign_member_cmp(&cmp_in->members[*(const int32_t *)a],
                                 &cmp_in->members[*(const int32_t *)b]);
}

static int32_t max_assignable(const topic_state *t, int32_t pos) {
    int32_t n = t->per_member + (t->extra_left > 0) - t->count[pos];
    return n > 0 ? n : 0;
}

static bool has_rack(const kfk_assign_member *m) { return m->rack.len > 0; }

static bool str_eq(kfk_str a, kfk_str b) {
    return a.len == b.len && (a.len <= 0 || memcmp(a.ptr, b.ptr, (size_t)a.len) == 0);
}

static bool partition_on_rack(const kfk_assign_topic *t, int32_t p, kfk_str rack) {
    if (!t->racks) return false;
    for (int32_t i = 0; i < t->racks[p].count; i++)
        if (str_eq(t->racks[p].racks[i], rack)) return true;
    return false;
}

/* Java: a consumer without a rack matches every partition. */
static bool racks_match(const kfk_assign_ctx *c, const topic_state *t, int32_t pos, int32_t p) {
    const kfk_assign_member *m = &c->in->members[t->members[pos]];
    return !has_rack(m) || partition_on_rack(&c->in->topics[t->topic], p, m->rack);
}

static bool rack_in_list(kfk_str r, const kfk_str *list, int32_t n) {
    for (int32_t i = 0; i < n; i++)
        if (str_eq(list[i], r)) return true;
    return false;
}

/* Java's useRackAwareAssignment: consumer racks exist, share a rack with
 * some replica, and not every partition has the same rack set. */
static int needs_rack_aware(const kfk_assign_ctx *c, const topic_state *t, kfk_arena *a,
                            bool *out) {
    const kfk_assign_topic *tp = &c->in->topics[t->topic];
    *out = false;
    size_t total = 0;
    for (int32_t p = 0; tp->racks && p < tp->partitions; p++) total += (size_t)tp->racks[p].count;
    kfk_str *all = kfk_arena_array(a, total + 1, sizeof *all);
    if (!all) return KFK_ERR_NOMEM;
    int32_t nall = 0;
    for (int32_t p = 0; tp->racks && p < tp->partitions; p++)
        for (int32_t i = 0; i < tp->racks[p].count; i++)
            if (!rack_in_list(tp->racks[p].racks[i], all, nall)) all[nall++] = tp->racks[p].racks[i];
    bool any_consumer_rack = false, overlap = false;
    for (int32_t i = 0; i < t->nmembers; i++) {
        const kfk_assign_member *m = &c->in->members[t->members[i]];
        if (!has_rack(m)) continue;
        any_consumer_rack = true;
        overlap = overlap || rack_in_list(m->rack, all, nall);
    }
    if (!any_consumer_rack || !overlap) return 0;
    for (int32_t p = 0; p < tp->partitions; p++) {
        int32_t distinct = 0; /* the partition's rack set equals `all`? */
        for (int32_t i = 0; i < tp->racks[p].count; i++)
            if (!rack_in_list(tp->racks[p].racks[i], tp->racks[p].racks, i)) distinct++;
        if (distinct != nall) *out = true;
    }
    return 0;
}

/* Java's onAssigned: one batch past the base quota uses up one extra. */
static void assign_batch(topic_state *t, int32_t pos, const int32_t *ps, int32_t n) {
    for (int32_t i = 0; i < n; i++) t->owner[ps[i]] = pos;
    t->count[pos] += n;
    if (n && t->count[pos] > t->per_member) t->extra_left--;
}

/* Java's assignRanges: each subscriber in order takes the first free
 * partitions that may go to it, up to its quota. */
static void assign_ranges(const kfk_assign_ctx *c, topic_state *t, bool rack_only, int32_t *scratch) {
    int32_t n = c->in->topics[t->topic].partitions;
    for (int32_t pos = 0; pos < t->nmembers; pos++) {
        int32_t limit = max_assignable(t, pos), took = 0;
        for (int32_t p = 0; p < n && took < limit; p++)
            if (t->owner[p] < 0 && (!rack_only || racks_match(c, t, pos, p))) scratch[took++] = p;
        assign_batch(t, pos, scratch, took);
    }
}

static bool same_members(const topic_state *x, const topic_state *y) {
    return x->nmembers == y->nmembers &&
           memcmp(x->members, y->members, (size_t)x->nmembers * sizeof(int32_t)) == 0;
}

/* Java's assignCoPartitionedWithRackMatching for topics g[0..ng): partition
 * p of every topic goes to the first remaining subscriber that is on a rack
 * of each one's replicas and under quota in each. */
static void assign_copartitioned(const kfk_assign_ctx *c, topic_state **g, int32_t ng,
                                 uint8_t *gone) {
    int32_t nm = g[0]->nmembers, left = nm, n = c->in->topics[g[0]->topic].partitions;
    memset(gone, 0, (size_t)nm);
    for (int32_t p = 0; p < n && left > 0; p++) {
        for (int32_t pos = 0; pos < nm; pos++) {
            if (gone[pos]) continue;
            bool ok = true;
            for (int32_t i = 0; i < ng && ok; i++)
                ok = racks_match(c, g[i], pos, p) && max_assignable(g[i], pos) > 0;
            if (!ok) continue;
            bool more = false;
            for (int32_t i = 0; i < ng; i++) {
                assign_batch(g[i], pos, &p, 1);
                more = more || max_assignable(g[i], pos) > 0;
            }
            if (!more) {
                gone[pos] = 1;
                left--;
            }
            break;
        }
    }
}

/* Java's assignWithRackMatching: topics grouped by subscribers and partition
 * count are co-partitioned; a lone topic gets rack-matched ranges. Groups
 * touch disjoint topics, so their order does not matter. */
static int assign_rack_matching(const kfk_assign_ctx *c, topic_state *ts, int32_t nts,
                                int32_t *scratch) {
    topic_state **g = kfk_arena_array(c->a, (size_t)nts + 1, sizeof *g);
    uint8_t *gone = kfk_arena_array(c->a, (size_t)c->in->nmembers + 1, 1);
    if (!g || !gone) return KFK_ERR_NOMEM;
    for (int32_t i = 0; i < nts; i++) {
        if (ts[i].done) continue;
        int32_t ng = 0;
        for (int32_t j = i; j < nts; j++)
            if (!ts[j].done && same_members(&ts[i], &ts[j]) && ts[j].rack_key == ts[i].rack_key) {
                g[ng++] = &ts[j];
                ts[j].done = true;
            }
        if (ng > 1 && ts[i].rack_key > 0) assign_copartitioned(c, g, ng, gone);
        else if (ts[i].rack_aware) assign_ranges(c, &ts[i], true, scratch);
    }
    return 0;
}

static int init_state(const kfk_assign_ctx *c, int32_t topic, topic_state *t) {
    const kfk_assign_input *in = c->in;
    int32_t n = in->topics[topic].partitions;
    t->topic = topic;
    t->members = kfk_arena_array(c->a, (size_t)in->nmembers + 1, sizeof *t->members);
    t->count = kfk_arena_array(c->a, (size_t)in->nmembers + 1, sizeof *t->count);
    t->owner = kfk_arena_array(c->a, (size_t)n + 1, sizeof *t->owner);
    if (!t->members || !t->count || !t->owner) return KFK_ERR_NOMEM;
    for (int32_t m = 0; m < in->nmembers; m++)
        if (c->subscribed[(size_t)m * in->ntopics + topic]) t->members[t->nmembers++] = m;
    cmp_in = in;
    qsort(t->members, (size_t)t->nmembers, sizeof *t->members, cmp_member);
    memset(t->owner, 0xff, (size_t)n * sizeof *t->owner);
    t->per_member = n / t->nmembers;
    t->extra_left = n % t->nmembers;
    for (int32_t i = 0; i < t->nmembers; i++)
        if (has_rack(&in->members[t->members[i]])) t->rack_key = n;
    return needs_rack_aware(c, t, c->a, &t->rack_aware);
}

static int range_assign(const kfk_assign_input *in, kfk_arena *a, kfk_member_assignment *out) {
    kfk_assign_ctx c;
    int rc = kfk_assign_ctx_init(&c, in, a);
    if (rc) return rc;
    topic_state *ts = kfk_arena_array(a, (size_t)in->ntopics + 1, sizeof *ts);
    int32_t *scratch = kfk_arena_array(a, (size_t)c.nparts + 1, sizeof *scratch);
    if (!ts || !scratch) return KFK_ERR_NOMEM;
    int32_t nts = 0;
    bool rack_aware = false;
    for (int32_t t = 0; t < in->ntopics; t++) {
        bool any = false;
        for (int32_t m = 0; m < in->nmembers && !any; m++) any = c.subscribed[(size_t)m * in->ntopics + t];
        if (!any) continue;
        if ((rc = init_state(&c, t, &ts[nts]))) return rc;
        rack_aware = rack_aware || ts[nts].rack_aware;
        nts++;
    }
    if (rack_aware && (rc = assign_rack_matching(&c, ts, nts, scratch))) return rc;
    for (int32_t i = 0; i < nts; i++) assign_ranges(&c, &ts[i], false, scratch);
    /* Collect per member: count, then place. */
    kfk_ivec *lists = kfk_arena_array(a, (size_t)in->nmembers + 1, sizeof *lists);
    if (!lists) return KFK_ERR_NOMEM;
    for (int32_t i = 0; i < nts; i++)
        for (int32_t p = 0; p < in->topics[ts[i].topic].partitions; p++)
            if (ts[i].owner[p] >= 0 &&
                kfk_ivec_push(&lists[ts[i].members[ts[i].owner[p]]], a, c.first[ts[i].topic] + p))
                return KFK_ERR_NOMEM;
    for (int32_t m = 0; m < in->nmembers; m++)
        if ((rc = kfk_assign_emit(&c, m, lists[m].v, lists[m].n, out))) return rc;
    return 0;
}

const kfk_assignor kfk_assignor_range = {"range", false, range_assign, NULL};
