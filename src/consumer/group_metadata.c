/* kfk_group_metadata: a copy of a group membership, for transactions. */
#include <string.h>

#include "consumer/group_metadata.h"
#include "core/alloc.h"

/* Appends s (with its terminator) at *at and returns where it went. */
static const char *put(char **at, const char *s) {
    size_t n = strlen(s) + 1;
    memcpy(*at, s, n);
    const char *r = *at;
    *at += n;
    return r;
}

kfk_group_metadata *kfk_group_metadata_new(const char *group_id, int32_t generation_id,
                                           const char *member_id, const char *group_instance_id) {
    if (!group_id) return NULL;
    if (!member_id) member_id = "";
    size_t n = strlen(group_id) + 1 + strlen(member_id) + 1 +
               (group_instance_id ? strlen(group_instance_id) + 1 : 0);
    kfk_group_metadata *gm = kfk_malloc(sizeof *gm + n);
    if (!gm) return NULL;
    char *at = gm->strings;
    gm->group_id = put(&at, group_id);
    gm->generation_id = generation_id;
    gm->member_id = put(&at, member_id);
    gm->group_instance_id = group_instance_id ? put(&at, group_instance_id) : NULL;
    return gm;
}

void kfk_group_metadata_destroy(kfk_group_metadata *gm) { kfk_free(gm); }

const char *kfk_group_metadata_group_id(const kfk_group_metadata *gm) { return gm->group_id; }

int32_t kfk_group_metadata_generation_id(const kfk_group_metadata *gm) {
    return gm->generation_id;
}

const char *kfk_group_metadata_member_id(const kfk_group_metadata *gm) { return gm->member_id; }

const char *kfk_group_metadata_group_instance_id(const kfk_group_metadata *gm) {
    return gm->group_instance_id;
}
