/* -L: brokers, controller, topics, partitions, leaders, replicas and
 * in-sync replicas, in kcat's text and JSON layouts. */
#include <inttypes.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "md.h"

static void id_list(FILE *out, const int32_t *ids, int n, int json) {
    for (int i = 0; i < n; i++) {
        if (json)
            fprintf(out, "%s{\"id\":%" PRId32 "}", i ? "," : "", ids[i]);
        else
            fprintf(out, "%s%" PRId32, i ? "," : "", ids[i]);
    }
}

static void print_text(FILE *out, const cli_md *md, const char *topic, const char *from) {
    const kfk_admin_result *r = md->res;
    fprintf(out, "Metadata for %s (from broker %" PRId32 ": %s):\n", topic ? topic : "all topics",
            r->from_broker, from);
    fprintf(out, " %d brokers:\n", r->cluster.nbrokers);
    for (int i = 0; i < r->cluster.nbrokers; i++) {
        const kfk_broker_desc *b = &r->cluster.brokers[i];
        fprintf(out, "  broker %" PRId32 " at %s:%" PRId32 "%s\n", b->id, b->host, b->port,
                b->id == r->cluster.controller_id ? " (controller)" : "");
    }
    fprintf(out, " %d topics:\n", r->ntopics);
    for (int i = 0; i < r->ntopics; i++) {
        const kfk_topic_desc *t = &r->topics[i];
        fprintf(out, "  topic \"%s\" with %d partitions:", t->name, t->npartitions);
        if (t->err)
            fprintf(out, " %s%s", kfk_err_str(t->err),
                    t->err == KFK_ERR_LEADER_NOT_AVAILABLE ? " (try again)" : "");
        fputc('\n', out);
        for (int j = 0; j < t->npartitions; j++) {
            const kfk_admin_partition *p = &t->partitions[j];
            fprintf(out, "    partition %" PRId32 ", leader %" PRId32 ", replicas: ", p->id,
                    p->leader);
            id_list(out, p->replicas, p->nreplicas, 0);
            fputs(", isrs: ", out);
            id_list(out, p->isr, p->nisr, 0);
            if (p->err) fprintf(out, ", %s", kfk_err_str(p->err));
            fputc('\n', out);
        }
    }
}

static void json_str(FILE *out, const char *s) {
    cli_json_string(out, s, strlen(s));
}

static void print_json(FILE *out, const cli_md *md, const char *topic, const char *from) {
    const kfk_admin_result *r = md->res;
    fprintf(out, "{\"originating_broker\":{\"id\":%" PRId32 ",\"name\":", r->from_broker);
    json_str(out, from);
    fputs("},\"query\":{\"topic\":", out);
    json_str(out, topic ? topic : "*");
    fprintf(out, "},\"controllerid\":%" PRId32 ",\"brokers\":[", r->cluster.controller_id);
    for (int i = 0; i < r->cluster.nbrokers; i++) {
        const kfk_broker_desc *b = &r->cluster.brokers[i];
        char name[300];
        snprintf(name, sizeof name, "%s:%" PRId32, b->host, b->port);
        fprintf(out, "%s{\"id\":%" PRId32 ",\"name\":", i ? "," : "", b->id);
        json_str(out, name);
        fputc('}', out);
    }
    fputs("],\"topics\":[", out);
    for (int i = 0; i < r->ntopics; i++) {
        const kfk_topic_desc *t = &r->topics[i];
        fputs(i ? ",{\"topic\":" : "{\"topic\":", out);
        json_str(out, t->name);
        if (t->err) {
            fputs(",\"error\":", out);
            json_str(out, kfk_err_str(t->err));
        }
        fputs(",\"partitions\":[", out);
        for (int j = 0; j < t->npartitions; j++) {
            const kfk_admin_partition *p = &t->partitions[j];
            fprintf(out, "%s{\"partition\":%" PRId32, j ? "," : "", p->id);
            if (p->err) {
                fputs(",\"error\":", out);
                json_str(out, kfk_err_str(p->err));
            }
            fprintf(out, ",\"leader\":%" PRId32 ",\"replicas\":[", p->leader);
            id_list(out, p->replicas, p->nreplicas, 1);
            fputs("],\"isrs\":[", out);
            id_list(out, p->isr, p->nisr, 1);
            fputs("]}", out);
        }
        fputs("]}", out);
    }
    fputs("]}", out);
}

int cli_metadata(cli_opts *o) {
    kfk_admin *a = cli_admin_new(o);
    if (!a) return 1;
    cli_md md;
    char err[512] = "";
    int rc = cli_md_fetch(a, o, o->topic, 1, &md, err, sizeof err);
    if (rc) {
        cli_error("Failed to acquire metadata: %s (are the brokers reachable? a longer "
                  "metadata timeout: -m <seconds>)", *err ? err : kfk_err_str(rc));
        kfk_admin_destroy(a);
        return 1;
    }
    const kfk_broker_desc *b = cli_md_broker(&md, md.res->from_broker);
    char from[320];
    if (b)
        snprintf(from, sizeof from, "%s:%" PRId32 "/%" PRId32, b->host, b->port, b->id);
    else
        snprintf(from, sizeof from, "%s/bootstrap", kfk_conf_get(o->conf, "bootstrap.servers"));
    if (o->json)
        print_json(stdout, &md, o->topic, from);
    else
        print_text(stdout, &md, o->topic, from);
    cli_md_free(&md);
    kfk_admin_destroy(a);
    return fflush(stdout) ? 1 : 0;
}
