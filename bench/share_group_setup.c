/* Makes a share group start at the earliest offset (its
 * share.auto.offset.reset, a group config) before a share-consume run: the
 * broker's default is the latest, and none of the clients sets it.
 *   share_group_setup BOOTSTRAP GROUP */
#include <stdio.h>

#include "kfk.h"

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s BOOTSTRAP GROUP\n", argv[0]);
        return 2;
    }
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    kfk_admin *a = NULL;
    if (kfk_conf_set(conf, "bootstrap.servers", argv[1], err, sizeof err) ||
        !(a = kfk_admin_new(conf, err, sizeof err))) {
        fprintf(stderr, "%s\n", err);
        kfk_conf_destroy(conf);
        return 2;
    }
    kfk_config_op op = {.resource_type = KFK_CONFIG_GROUP, .resource = argv[2],
                        .name = "share.auto.offset.reset", .value = "earliest",
                        .op = KFK_CONFIG_SET};
    kfk_admin_result *r = kfk_admin_alter_configs(a, &op, 1, NULL, NULL, NULL);
    int e = !r ? KFK_ERR_NOMEM : r->err ? r->err : r->nitems > 0 ? r->items[0].err : 0;
    if (e) fprintf(stderr, "setting share.auto.offset.reset of %s: %s\n", argv[2], kfk_err_name(e));
    kfk_admin_result_destroy(r);
    kfk_admin_destroy(a);
    return e ? 1 : 0;
}
