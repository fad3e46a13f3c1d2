/* -L: brokers, controller, topics, partitions, leaders, replicas and
 * in-sync replicas, in kcat's text and JSON layouts. */
#include <inttypes.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "md.h"

static void id_list(FILE *out, const int32_t *ids, int32_t n, int json) {
    for (int32_t i = 0; i < n; i++) {
        if (json)
            fprintf(out, "%s{\"id\":%" PRId32 "}", i ? "," : "", ids[i]);
        else
            fprintf(out, "%s%" PRId32, i ? "," : "", ids[i]);
    }
}

static void print_text(FILE *out, const cli_md *md, const char *topic, const char *from) {
    const kfk_metadata_response *r = &md->resp;
    fprintf(out, "Metadata for %s (from broker %" PRId32 ": %s):\n", topic ? topic : "all topics",
            md->from_node, from);
    fprintf(out, " %d brokers:\n", (int)r->brokers.count);
    for (int32_t i = 0; i < r->brokers.count; i++) {
        const kfk_metadata_response_broker *b = &r->brokers.items[i];
        fprintf(out, "  broker %" PRId32 " at %.*s:%" PRId32 "%s\n", b->node_id, (int)b->host.len,
                b->host.ptr, b->port, b->node_id == r->controller_id ? " (controller)" : "");
    }
    fprintf(out, " %d topics:\n", (int)r->topics.count);
    for (int32_t i = 0; i < r->topics.count; i++) {
        const kfk_metadata_response_topic *t = &r->topics.items[i];
        fprintf(out, "  topic \"%.*s\" with %d partitions:", (int)t->name.len, t->name.ptr,
                (int)t->partitions.count);
        if (t->error_code)
            fprintf(out, " %s%s", kfk_err_str(t->error_code),
                    t->error_code == KFK_ERR_LEADER_NOT_AVAILABLE ? " (try again)" : "");
        fputc('\n', out);
        for (int32_t j = 0; j < t->partitions.count; j++) {
            const kfk_metadata_response_partition *p = &t->partitions.items[j];
            fprintf(out, "    partition %" PRId32 ", leader %" PRId32 ", replicas: ",
                    p->partition_index, p->leader_id);
            id_list(out, p->replica_nodes.items, p->replica_nodes.count, 0);
            fputs(", isrs: ", out);
            id_list(out, p->isr_nodes.items, p->isr_nodes.count, 0);
            if (p->error_code) fprintf(out, ", %s", kfk_err_str(p->error_code));
            fputc('\n', out);
        }
    }
}

static void json_str(FILE *out, const char *s) {
    cli_json_string(out, s, strlen(s));
}

static void print_json(FILE *out, const cli_md *md, const char *topic, const char *from) {
    const kfk_metadata_response *r = &md->resp;
    fprintf(out, "{\"originating_broker\":{\"id\":%" PRId32 ",\"name\":", md->from_node);
    json_str(out, from);
    fputs("},\"query\":{\"topic\":", out);
    json_str(out, topic ? topic : "*");
    fprintf(out, "},\"controllerid\":%" PRId32 ",\"brokers\":[", r->controller_id);
    for (int32_t i = 0; i < r->brokers.count; i++) {
        const kfk_metadata_response_broker *b = &r->brokers.items[i];
        char name[300];
        snprintf(name, sizeof name, "%.*s:%" PRId32, (int)b->host.len, b->host.ptr, b->port);
        fprintf(out, "%s{\"id\":%" PRId32 ",\"name\":", i ? "," : "", b->node_id);
        json_str(out, name);
        fputc('}', out);
    }
    fputs("],\"topics\":[", out);
    for (int32_t i = 0; i < r->topics.count; i++) {
        const kfk_metadata_response_topic *t = &r->topics.items[i];
        fputs(i ? ",{\"topic\":" : "{\"topic\":", out);
        cli_json_string(out, t->name.ptr, (size_t)t->name.len);
        if (t->error_code) {
            fputs(",\"error\":", out);
            json_str(out, kfk_err_str(t->error_code));
        }
        fputs(",\"partitions\":[", out);
        for (int32_t j = 0; j < t->partitions.count; j++) {
            const kfk_metadata_response_partition *p = &t->partitions.items[j];
            fprintf(out, "%s{\"partition\":%" PRId32, j ? "," : "", p->partition_index);
            if (p->error_code) {
                fputs(",\"error\":", out);
                json_str(out, kfk_err_str(p->error_code));
            }
            fprintf(out, ",\"leader\":%" PRId32 ",\"replicas\":[", p->leader_id);
            id_list(out, p->replica_nodes.items, p->replica_nodes.count, 1);
            fputs("],\"isrs\":[", out);
            id_list(out, p->isr_nodes.items, p->isr_nodes.count, 1);
            fputs("]}", out);
        }
        fputs("]}", out);
    }
    fputs("]}", out);
}

int cli_metadata(cli_opts *o) {
    kfk_core *c = cli_core_new(o, 1);
    if (!c) return 1;
    cli_md md;
    char err[512] = "";
    int rc = cli_md_fetch(c, o->topic, 1, o->metadata_timeout_ms, &md, err, sizeof err);
    if (rc) {
        cli_error("Failed to acquire metadata: %s (are the brokers reachable? a longer "
                  "metadata timeout: -m <seconds>)", *err ? err : kfk_err_str(rc));
        kfk_core_destroy(c);
        return 1;
    }
    const kfk_metadata_response_broker *b = cli_md_broker(&md, md.from_node);
    char from[320];
    if (b)
        snprintf(from, sizeof from, "%.*s:%" PRId32 "/%" PRId32, (int)b->host.len, b->host.ptr,
                 b->port, b->node_id);
    else
        snprintf(from, sizeof from, "%s/bootstrap", kfk_conf_get(o->conf, "bootstrap.servers"));
    if (o->json)
        print_json(stdout, &md, o->topic, from);
    else
        print_text(stdout, &md, o->topic, from);
    cli_md_free(&md);
    kfk_core_destroy(c);
    return fflush(stdout) ? 1 : 0;
}
