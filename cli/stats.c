#include "stats.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static FILE *out;

static void write_doc(const kfk_stats *s, const char *json, size_t len, void *opaque) {
    (void)s;
    (void)opaque;
    if (!out) return;
    fwrite(json, 1, len, out);
    fputc('\n', out);
    fflush(out); /* a line at a time: readers tail the file */
}

int cli_stats_open(kfk_conf *conf, const char *path) {
    if (out) fclose(out);
    out = fopen(path, "a");
    if (!out) {
        fprintf(stderr, "kfk: --stats %s: %s\n", path, strerror(errno));
        return -1;
    }
    kfk_conf_set_stats_cb(conf, write_doc, NULL);
    return 0;
}

const char *cli_stats_check(const kfk_conf *conf) {
    if (out && !strcmp(kfk_conf_get(conf, "statistics.interval.ms"), "0"))
        return "--stats needs -X statistics.interval.ms=N (N > 0)";
    return NULL;
}

void cli_stats_close(void) {
    if (out) fclose(out);
    out = NULL;
}
