/* "roundrobin": all partitions of all subscribed topics, topics in name order,
 * are dealt one at a time to the members in member order (static members by
 * instance id first), cycling; a member not subscribed to the partition's
 * topic is passed over without losing its turn for later topics. */
#include <stdlib.h>

#include "assign/assignor_int.h"
#include "kfk.h"

static _Thread_local const kfk_assign_input *cmp_in;

static int cmp_member(const void *a, const void *b) {
    return kfk_assign_member_cmp(&cmp_in->members[*(const int32_t *)a],
                                 &cmp_in->members[*(const int32_t *)b]);
}

static _Thread_local const kfk_assign_ctx *cmp_ctx;

static int cmp_topic(const void *a, const void *b) {
    return cmp_ctx->topic_rank[*(const int32_t *)a] - cmp_ctx->topic_rank[*(const int32_t *)b];
}

static int roundrobin_assign(const kfk_assign_input *in, kfk_arena *a, kfk_member_assignment *out) {
    kfk_assign_ctx c;
    int rc = kfk_assign_ctx_init(&c, in, a);
    if (rc) return rc;
    int32_t nm = in->nmembers, nt = in->ntopics;
    int32_t *order = kfk_arena_array(a, (size_t)nm + 1, sizeof *order);
    int32_t *topics = kfk_arena_array(a, (size_t)nt + 1, sizeof *topics);
    kfk_ivec *lists = kfk_arena_array(a, (size_t)nm + 1, sizeof *lists);
    if (!order || !topics || !lists) return KFK_ERR_NOMEM;
    for (int32_t m = 0; m < nm; m++) order[m] = m;
    cmp_in = in;
    qsort(order, (size_t)nm, sizeof *order, cmp_member);
    int32_t ntop = 0;
    for (int32_t t = 0; t < nt; t++) {
        bool any = false;
        for (int32_t m = 0; m < nm && !any; m++) any = c.subscribed[(size_t)m * nt + t];
        if (any) topics[ntop++] = t;
    }
    cmp_ctx = &c;
    qsort(topics, (size_t)ntop, sizeof *topics, cmp_topic);
    int32_t next = 0; /* Java's CircularIterator over the sorted members */
    for (int32_t i = 0; i < ntop; i++) {
        int32_t t = topics[i];
        for (int32_t p = 0; p < in->topics[t].partitions; p++) {
            while (!c.subscribed[(size_t)order[next] * nt + t]) next = (next + 1) % nm;
            if (kfk_ivec_push(&lists[order[next]], a, c.first[t] + p)) return KFK_ERR_NOMEM;
            next = (next + 1) % nm;
        }
    }
    for (int32_t m = 0; m < nm; m++)
        if ((rc = kfk_assign_emit(&c, m, lists[m].v, lists[m].n, out))) return rc;
    return 0;
}

const kfk_assignor kfk_assignor_roundrobin = {"roundrobin", false, roundrobin_assign, NULL};
