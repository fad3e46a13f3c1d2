#include "md.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int by_partition(const void *a, const void *b) {
    int32_t x = ((const kfk_metadata_response_partition *)a)->partition_index;
    int32_t y = ((const kfk_metadata_response_partition *)b)->partition_index;
    return (x > y) - (x < y);
}

static int on_response(void *opaque, kfk_response *resp) {
    cli_md *md = opaque;
    int rc = kfk_metadata_response_decode(&resp->body, resp->version, &md->arena, &md->resp);
    if (rc) return rc;
    /* Topics stay in the broker's order, partitions by id, as kcat shows them. */
    for (int32_t i = 0; i < md->resp.topics.count; i++) {
        kfk_metadata_response_topic *t = &md->resp.topics.items[i];
        if (t->partitions.count > 1)
            qsort(t->partitions.items, (size_t)t->partitions.count, sizeof *t->partitions.items,
                  by_partition);
    }
    kfk_rxbuf_ref(resp->buf);
    md->buf = resp->buf;
    md->from_node = resp->node_id;
    return 0;
}

int cli_md_fetch(kfk_core *c, const char *topic, int allow_create, int timeout_ms, cli_md *out,
                 char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    int64_t deadline = cli_now_ms() + timeout_ms;
    /* First learn the brokers, so the answer comes from a real node id. */
    int rc = kfk_core_metadata_wait(c, NULL, 0, timeout_ms, NULL, err, errlen);
    if (rc) return rc;

    kfk_metadata_request m;
    kfk_metadata_request_init(&m);
    kfk_metadata_request_topic t = {0};
    if (topic) {
        t.name = (kfk_str){topic, (int32_t)strlen(topic)};
        m.topics.items = &t;
        m.topics.count = 1;
    } else {
        m.topics.count = -1; /* null: every topic */
    }
    m.allow_auto_topic_creation = allow_create != 0;
    kfk_core_req r = {.dest = KFK_DEST_ANY};
    int64_t left = deadline - cli_now_ms();
    r.req = (kfk_request){.api_key = KFK_API_METADATA, .min_version = 1, .max_version = -1,
                          .msg = &m, .timeout_ms = (int32_t)(left > 1 ? left : 1)};
    rc = kfk_core_send_wait(c, &r, on_response, out, err, errlen);
    if (rc) cli_md_free(out);
    return rc;
}

void cli_md_free(cli_md *md) {
    if (md->buf) kfk_rxbuf_unref(md->buf);
    md->buf = NULL;
    kfk_arena_reset(&md->arena);
}

const kfk_metadata_response_topic *cli_md_topic(const cli_md *md, const char *name) {
    size_t n = strlen(name);
    for (int32_t i = 0; i < md->resp.topics.count; i++) {
        const kfk_metadata_response_topic *t = &md->resp.topics.items[i];
        if (t->name.len == (int32_t)n && !memcmp(t->name.ptr, name, n)) return t;
    }
    return NULL;
}

const kfk_metadata_response_broker *cli_md_broker(const cli_md *md, int32_t node_id) {
    for (int32_t i = 0; i < md->resp.brokers.count; i++)
        if (md->resp.brokers.items[i].node_id == node_id) return &md->resp.brokers.items[i];
    return NULL;
}
