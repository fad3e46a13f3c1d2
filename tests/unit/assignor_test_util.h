/* Helpers shared by the assignor unit tests. */
#ifndef KFK_ASSIGNOR_TEST_UTIL_H
#define KFK_ASSIGNOR_TEST_UTIL_H

#include <stdio.h>

#include "assign/assignor.h"

#define S(lit) ((kfk_str){(lit), (int32_t)sizeof(lit) - 1})
#define NONE ((kfk_str){NULL, -1})

/* "t0:0,1;t1:2" for one member's assignment, "-" when empty. */
static inline const char *fmt(const kfk_assign_topic *topics, const kfk_member_assignment *m) {
    static char buf[8192];
    size_t n = 0;
    buf[0] = 0;
    for (int32_t i = 0; i < m->count; i++) {
        const kfk_assign_tp *tp = &m->partitions[i];
        if (i == 0 || tp->topic != m->partitions[i - 1].topic)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%.*s:%d", i ? ";" : "",
                                  topics[tp->topic].name.len, topics[tp->topic].name.ptr, tp->partition);
        else
            n += (size_t)snprintf(buf + n, sizeof buf - n, ",%d", tp->partition);
    }
    return m->count ? buf : "-";
}

static inline kfk_assign_member member(kfk_str id, const kfk_str *topics, int32_t ntopics) {
    kfk_assign_member m = {.member_id = id, .group_instance_id = NONE, .rack = NONE,
                           .topics = topics, .ntopics = ntopics, .generation = -1,
                           .user_data = {NULL, -1}};
    return m;
}

#endif
