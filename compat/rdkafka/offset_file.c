/* The legacy consumer's file offset store (topic property
 * offset.store.method=file, deprecated in librdkafka but still there): a
 * partition started from its stored offset starts at the one in its file;
 * the offsets stored while consuming are written there when the partition
 * is stopped and when the handle is destroyed. The file is
 * offset.store.path when that is a file, else
 * "<topic>-<partition>[-<group.id>].offset" in that directory; it holds the
 * next offset to consume, in decimal. kfk knows nothing of it. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rdk_int.h"

int rdk_offset_file_used(const rd_kafka_topic_t *rkt) {
    const char *m = rdk_topic_conf_str(rkt->conf, "offset.store.method");
    return m && !strcmp(m, "file");
}

static int file_name(rd_kafka_t *rk, const char *topic, const rd_kafka_topic_conf_t *conf,
                     int32_t partition, char *out, size_t size) {
    const char *path = rdk_topic_conf_str(conf, "offset.store.path");
    if (!path || !*path) path = ".";
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISDIR(st.st_mode))
        return snprintf(out, size, "%s", path) < (int)size ? 0 : -1;
    const char *group = rdk_conf_str(rk->conf, "group.id");
    int n = snprintf(out, size, "%s/%s-%" PRId32 "%s%s.offset", path, topic, partition,
                     group && *group ? "-" : "", group ? group : "");
    return n > 0 && (size_t)n < size ? 0 : -1;
}

int64_t rdk_offset_file_read(rd_kafka_t *rk, const rd_kafka_topic_t *rkt, int32_t partition) {
    char name[4096];
    if (file_name(rk, rkt->name, rkt->conf, partition, name, sizeof name)) return -1;
    FILE *f = fopen(name, "r");
    if (!f) return -1;
    long long off = -1;
    if (fscanf(f, "%lld", &off) != 1) off = -1;
    fclose(f);
    return off >= 0 ? off : -1;
}

static void write_one(rd_kafka_t *rk, const rd_kafka_topic_t *rkt, int32_t partition,
                      int64_t offset) {
    char name[4096];
    if (file_name(rk, rkt->name, rkt->conf, partition, name, sizeof name)) return;
    FILE *f = fopen(name, "w");
    if (!f || fprintf(f, "%" PRId64 "\n", offset) < 0 || fclose(f) != 0) {
        rdk_log(rk, 3, "OFFSET", "%s [%" PRId32 "]: cannot write offset file %s: %s", rkt->name,
                partition, name, strerror(errno));
        if (f) fclose(f);
    }
}

void rdk_offset_file_sync(rd_kafka_t *rk, const char *topic, int32_t partition) {
    if (!rk->consumer) return;
    kfk_offsets_view *v = kfk_consumer_offsets_view(rk->consumer);
    for (int i = 0; v && i < v->count; i++) {
        const kfk_partition_offsets *o = &v->elems[i];
        if (o->done < 0 || (topic && (strcmp(o->topic, topic) || o->partition != partition)))
            continue;
        rd_kafka_topic_t *rkt = rdk_topic_get(rk, o->topic);
        const char *ac = rkt ? rdk_topic_conf_str(rkt->conf, "auto.commit.enable") : NULL;
        if (rkt && rdk_offset_file_used(rkt) && (!ac || !strcmp(ac, "true")))
            write_one(rk, rkt, o->partition, o->done);
    }
    kfk_offsets_view_destroy(v);
}
