/* The group leader's part of a rebalance (the members' subscriptions in,
 * one assignment per member out, in JoinGroup response order as the
 * assignors expect), and this member's own subscription. I/O thread. */
#include <string.h>

#include "consumer/consumer_int.h"

static kfk_str keep_str(kfk_arena *a, kfk_str s) {
    if (s.len <= 0) return s;
    char *d = kfk_arena_alloc(a, (size_t)s.len);
    if (!d) return (kfk_str){NULL, -2};
    memcpy(d, s.ptr, (size_t)s.len);
    return (kfk_str){d, s.len};
}

int kfk_group_keep_members(kfk_group *g, const void *members, int32_t n) {
    const kfk_join_group_response_member *jm = members;
    kfk_arena_reset(&g->ra);
    g->nmembers = 0;
    g->members = kfk_arena_array(&g->ra, (size_t)(n ? n : 1), sizeof *g->members);
    if (!g->members) return KFK_ERR_NOMEM;
    for (int32_t i = 0; i < n; i++) {
        kfk_str id = keep_str(&g->ra, jm[i].member_id);
        kfk_str inst = keep_str(&g->ra, jm[i].group_instance_id);
        uint8_t *meta = kfk_arena_alloc(&g->ra, jm[i].metadata.len > 0 ? (size_t)jm[i].metadata.len : 1);
        if (id.len == -2 || inst.len == -2 || !meta) return KFK_ERR_NOMEM;
        if (jm[i].metadata.len > 0) memcpy(meta, jm[i].metadata.ptr, (size_t)jm[i].metadata.len);
        kfk_subscription *s = kfk_arena_alloc(&g->ra, sizeof *s);
        if (!s) return KFK_ERR_NOMEM;
        int err = kfk_subscription_decode(meta, jm[i].metadata.len > 0 ? (size_t)jm[i].metadata.len : 0,
                                          &g->ra, s);
        if (err) return err;
        kfk_assign_member_from_subscription(&g->members[g->nmembers++], id, inst, s);
    }
    return 0;
}

static int has(const char **l, int n, kfk_str s) {
    for (int i = 0; i < n; i++)
        if ((int32_t)strlen(l[i]) == s.len && memcmp(l[i], s.ptr, (size_t)s.len) == 0) return 1;
    return 0;
}

const char **kfk_group_member_topics(kfk_group *g, int *n) {
    int cap = 0, k = 0;
    for (int32_t i = 0; i < g->nmembers; i++) cap += g->members[i].ntopics;
    const char **l = cap ? kfk_arena_array(&g->ra, (size_t)cap, sizeof *l) : NULL;
    for (int32_t i = 0; l && i < g->nmembers; i++)
        for (int32_t j = 0; j < g->members[i].ntopics; j++) {
            kfk_str t = g->members[i].topics[j];
            if (t.len <= 0 || has(l, k, t)) continue;
            char *z = kfk_arena_alloc(&g->ra, (size_t)t.len + 1);
            if (!z) break;
            memcpy(z, t.ptr, (size_t)t.len);
            z[t.len] = 0;
            l[k++] = z;
        }
    *n = k;
    return l;
}

/* Each partition's replica racks (rack-aware assignors), as Java's Cluster
 * has them: replicas on brokers without a rack, or unknown, have none.
 * Strings point into md. NULL when out of memory. */
static const kfk_assign_racks *topic_racks(kfk_arena *a, const kfk_metadata *md,
                                           const kfk_md_topic *t) {
    kfk_assign_racks *r = kfk_arena_array(a, (size_t)t->npartitions, sizeof *r);
    for (int32_t i = 0; r && i < t->npartitions; i++) {
        const kfk_md_partition *p = &t->partitions[i];
        if (p->id < 0 || p->id >= t->npartitions) continue;
        kfk_str *l = kfk_arena_array(a, (size_t)p->nreplicas + 1, sizeof *l);
        if (!l) return NULL;
        int32_t n = 0;
        for (int32_t k = 0; k < p->nreplicas; k++) {
            const kfk_md_broker *b = kfk_metadata_broker(md, p->replicas[k]);
            if (b && b->rack) l[n++] = (kfk_str){b->rack, (int32_t)strlen(b->rack)};
        }
        r[p->id] = (kfk_assign_racks){l, n};
    }
    return r;
}

/* Replica racks matter only when some member has a rack. */
static bool any_member_rack(const kfk_group *g) {
    for (int32_t i = 0; i < g->nmembers; i++)
        if (g->members[i].rack.len > 0) return true;
    return false;
}

int kfk_group_assign(kfk_group *g, const kfk_metadata *md, kfk_wbuf *out) {
    if (!g->assignor) return KFK_ERR_INVALID_ARG; /* a protocol kfk does not know */
    int n = 0;
    const char **names = kfk_group_member_topics(g, &n);
    kfk_assign_topic *topics = kfk_arena_array(&g->ra, (size_t)(n ? n : 1), sizeof *topics);
    kfk_member_assignment *res =
        kfk_arena_array(&g->ra, (size_t)(g->nmembers ? g->nmembers : 1), sizeof *res);
    if (!topics || !res || (n && !names)) return KFK_ERR_NOMEM;
    int32_t nt = 0;
    bool racks = any_member_rack(g);
    for (int i = 0; i < n; i++) {
        const kfk_md_topic *t = md ? kfk_metadata_topic(md, names[i]) : NULL;
        if (!t || t->err || t->npartitions <= 0) continue;
        topics[nt] = (kfk_assign_topic){
            .name = {names[i], (int32_t)strlen(names[i])}, .partitions = t->npartitions};
        if (racks && !(topics[nt].racks = topic_racks(&g->ra, md, t))) return KFK_ERR_NOMEM;
        nt++;
    }
    kfk_assign_input in = {.topics = topics, .ntopics = nt, .members = g->members,
                           .nmembers = g->nmembers};
    int err = g->assignor->assign(&in, &g->ra, res);
    for (int32_t i = 0; !err && i < g->nmembers; i++)
        err = kfk_assignment_encode(&out[i], KFK_CONSUMER_PROTOCOL_MAX_VERSION, topics, &res[i],
                                    (kfk_bytes){NULL, -1});
    return err;
}

int kfk_group_subscription(kfk_group *g, const kfk_assignor *a, const char *rack, kfk_wbuf *w) {
    kfk_arena scratch = {0};
    kfk_consumer *c = KFK_CONTAINER_OF(g, kfk_consumer, group);
    kfk_str *topics = kfk_arena_array(&scratch, (size_t)(g->ntopics ? g->ntopics : 1), sizeof *topics);
    int n = g->owned ? g->owned->count : 0;
    kfk_assign_owned *owned = kfk_arena_array(&scratch, (size_t)(n ? n : 1), sizeof *owned);
    kfk_wbuf ud = {0};
    int err = topics && owned ? 0 : KFK_ERR_NOMEM;
    for (int i = 0; !err && i < g->ntopics; i++)
        topics[i] = (kfk_str){g->topics[i], (int32_t)strlen(g->topics[i])};
    /* Owned partitions, one entry each: the encoder groups them by topic. */
    for (int i = 0; !err && i < n; i++) {
        const kfk_partition *e = &g->owned->elems[i];
        owned[i] = (kfk_assign_owned){.topic = {e->topic, (int32_t)strlen(e->topic)},
                                      .partitions = &e->partition, .count = 1};
    }
    int32_t gen = c->cc.cooperative ? g->generation : -1;
    if (!err && a->user_data) err = a->user_data(gen, &ud);
    kfk_subscription s = {
        .topics = topics, .ntopics = g->ntopics,
        .user_data = a->user_data ? (kfk_bytes){ud.data, (int32_t)ud.len} : (kfk_bytes){NULL, -1},
        .owned = owned, .nowned = n, .generation = gen,
        .rack = rack && *rack ? (kfk_str){rack, (int32_t)strlen(rack)} : (kfk_str){NULL, -1}};
    if (!err) err = kfk_subscription_encode(w, KFK_CONSUMER_PROTOCOL_MAX_VERSION, &s, &scratch);
    kfk_wbuf_free(&ud);
    kfk_arena_reset(&scratch);
    return err;
}
