/* For the share tests that wait for their members to join: a share
 * group's member count, as DescribeShareGroups tells it. Header-only. */
#ifndef KFK_SHARE_MEMBERS_IT_H
#define KFK_SHARE_MEMBERS_IT_H

#include "share_it.h"

/* How many members group has (-1 on an error); *assigned (if given) how
 * many of them have partitions. */
static inline int smi_members(const char *boot, const char *group, int *assigned) {
    kfk_admin *a = admin_new_on(boot);
    kfk_admin_result *r = a ? kfk_admin_describe_share_groups(a, &group, 1, NULL, NULL, NULL)
                            : NULL;
    int n = r && !r->err && r->nshare_descs == 1 ? r->share_descs[0].nmembers : -1;
    if (assigned) *assigned = 0;
    for (int i = 0; assigned && i < n; i++) *assigned += r->share_descs[0].members[i].nassignment > 0;
    kfk_admin_result_destroy(r);
    kfk_admin_destroy(a);
    return n;
}

#endif
