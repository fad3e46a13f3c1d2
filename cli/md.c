#include "md.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

int cli_md_fetch(kfk_admin *a, const cli_opts *o, const char *topic, int allow_create, cli_md *out,
                 char *err, size_t errlen) {
    const char *conf_create = kfk_conf_get(o->conf, "allow.auto.create.topics");
    int create = allow_create && (!conf_create || strcasecmp(conf_create, "false"));
    kfk_admin_options opt = {.timeout_ms = o->metadata_timeout_ms > 0 ? o->metadata_timeout_ms : 1};
    out->res = kfk_admin_metadata(a, topic ? &topic : NULL, topic ? 1 : -1, create, &opt, NULL,
                                  NULL);
    int rc = out->res ? out->res->err : KFK_ERR_NOMEM;
    if (rc == KFK_ERR_PARTIAL) rc = 0; /* each topic carries its own error */
    if (rc) {
        snprintf(err, errlen, "%s",
                 out->res && out->res->errstr ? out->res->errstr : kfk_err_str(rc));
        cli_md_free(out);
    }
    return rc;
}

void cli_md_free(cli_md *md) {
    kfk_admin_result_destroy(md->res);
    md->res = NULL;
}

const kfk_topic_desc *cli_md_topic(const cli_md *md, const char *name) {
    for (int i = 0; i < md->res->ntopics; i++)
        if (!strcmp(md->res->topics[i].name, name)) return &md->res->topics[i];
    return NULL;
}

const kfk_broker_desc *cli_md_broker(const cli_md *md, int32_t node_id) {
    const kfk_cluster_desc *c = &md->res->cluster;
    for (int i = 0; i < c->nbrokers; i++)
        if (c->brokers[i].id == node_id) return &c->brokers[i];
    return NULL;
}
