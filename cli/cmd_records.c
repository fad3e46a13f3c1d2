/* kfk records delete TOPIC:PARTITION:OFFSET...: DeleteRecords. */
#include <stdlib.h>
#include <string.h>

#include "adm.h"
#include "subcmd.h"

static int parse(cli_adm *a, kfk_partition_list *l) {
    for (int i = 0; i < a->args.npos; i++) {
        const char *arg = a->args.pos[i], *c1 = strchr(arg, ':'), *c2 = c1 ? strrchr(arg, ':') : NULL;
        char topic[256], *end;
        long p = c2 > c1 ? strtol(c1 + 1, &end, 10) : -1;
        if (p < 0 || p > INT32_MAX || end != c2 || c1 == arg)
            return cli_adm_usage_error(a, "expected TOPIC:PARTITION:OFFSET, not \"%s\"", arg);
        long long off = -1;
        if (strcmp(c2 + 1, "end")) {
            off = strtoll(c2 + 1, &end, 10);
            if (end == c2 + 1 || *end || off < 0)
                return cli_adm_usage_error(a, "bad offset in \"%s\": a number or end", arg);
        }
        snprintf(topic, sizeof topic, "%.*s", (int)(c1 - arg), arg);
        kfk_partition *e = kfk_partition_list_add(l, topic, (int32_t)p);
        if (!e) return 1;
        e->offset = off < 0 ? KFK_OFFSET_END : off;
    }
    return 0;
}

static int records_delete(cli_adm *a) {
    kfk_partition_list *l = kfk_partition_list_new(a->args.npos);
    int rc = l ? parse(a, l) : 1;
    kfk_admin_result *res = NULL;
    if (!rc && cli_adm_client(a)) {
        res = kfk_admin_delete_records(a->admin, l, NULL, NULL, NULL);
        rc = cli_adm_failed(a, res);
    } else if (!rc) {
        rc = 1;
    }
    if (!rc) {
        static const char *const head[] = {"TOPIC", "PARTITION", "LOW-WATERMARK"};
        cli_table t;
        cli_table_init(&t, head, 3);
        int failed = 0;
        for (int i = 0; i < res->partitions->count; i++) {
            const kfk_partition *p = &res->partitions->elems[i];
            if (p->err) {
                cli_adm_error(a, "%s [%d]: %s: %s", p->topic, (int)p->partition,
                              kfk_err_name(p->err), kfk_err_str(p->err));
                failed = 1;
                continue;
            }
            cli_table_row(&t);
            cli_table_str(&t, p->topic);
            cli_table_num(&t, p->partition);
            cli_table_num(&t, p->offset);
        }
        rc = cli_adm_print(a, &t) || failed;
    }
    kfk_admin_result_destroy(res);
    kfk_partition_list_destroy(l);
    return rc;
}

static const cli_verb verbs[] = {
    {"delete", records_delete, "", 1, -1,
     "TOPIC:PARTITION:OFFSET...\n"
     "  delete the records before OFFSET (end: every record); prints the new log starts\n"},
};

int cli_records_main(int argc, char **argv) {
    return cli_adm_dispatch(verbs, (int)(sizeof verbs / sizeof verbs[0]), argc, argv);
}
