/* -G group topic...: consume as a member of a group (kfk_consumer_subscribe;
 * topics starting with '^' are regular expressions), printing as -C does.
 * -e stops once every partition assigned to this member is at its end. */
#include <errno.h>
#include <string.h>

#include "cli.h"

#define BATCH 256

typedef struct group_state {
    cli_opts *o;
    kfk_consumer *c;
    cli_format fmt;
    kfk_partition_list *eof; /* partitions seen at their end: offset 1, else 0 */
    int32_t generation;      /* of eof's entries */
    int64_t printed;
} group_state;

/* Every partition of the current assignment is at its end. */
static int all_at_end(group_state *s) {
    kfk_partition_list *a = kfk_consumer_assignment(s->c);
    int done = a && a->count > 0;
    for (int i = 0; done && i < a->count; i++) {
        const kfk_partition *e =
            kfk_partition_list_find(s->eof, a->elems[i].topic, a->elems[i].partition);
        done = e && e->offset == 1;
    }
    kfk_partition_list_destroy(a);
    return done;
}

/* Marks a partition at its end (1) or not (0); NULL when out of memory. */
static kfk_partition *mark(group_state *s, const kfk_consumer_message *m, int at_end) {
    int32_t gen = kfk_consumer_generation(s->c);
    if (gen != s->generation) {
        /* A new assignment: ends seen before say nothing. */
        kfk_partition_list_destroy(s->eof);
        s->eof = kfk_partition_list_new(8);
        s->generation = gen;
    }
    kfk_partition *e = s->eof ? kfk_partition_list_find(s->eof, m->topic, m->partition) : NULL;
    if (!e && s->eof) e = kfk_partition_list_add(s->eof, m->topic, m->partition);
    if (e) e->offset = at_end;
    return e;
}

/* 0 to go on, 1 to stop with an error. */
static int handle(group_state *s, const kfk_consumer_message *m) {
    const cli_opts *o = s->o;
    if (m->err == KFK_ERR_PARTITION_EOF) {
        if (o->exit_eof && mark(s, m, 1) && all_at_end(s)) cli_running = 0;
        cli_info(o, 1, "Reached end of topic %s [%d] at offset %lld%s\n", m->topic,
                 (int)m->partition, (long long)m->offset, cli_running ? "" : ": exiting");
        return 0;
    }
    if (m->err) {
        cli_error("Topic %s [%d] error: %s", m->topic, (int)m->partition, kfk_err_str(m->err));
        return o->exit_on_error;
    }
    if (o->exit_eof && !mark(s, m, 0)) {
        cli_error("out of memory");
        return 1;
    }
    if (cli_consume_print(o, &s->fmt, m, m->broker_id)) {
        if (errno != EPIPE) cli_error("Output write error: %s", strerror(errno));
        cli_running = 0;
        return errno != EPIPE;
    }
    if (o->count && ++s->printed == o->count) cli_running = 0;
    return 0;
}

/* -o beginning/end choose where a partition without a commit starts, as in
 * kcat's -G; other offsets are not meaningful in a group. */
static int configure(cli_opts *o) {
    char err[512];
    const char *reset = o->offset.start == KFK_OFFSET_BEGINNING ? "earliest"
                        : o->offset.start == KFK_OFFSET_END     ? "latest"
                                                                 : NULL;
    if ((reset && kfk_conf_set(o->conf, "auto.offset.reset", reset, err, sizeof err)) ||
        (o->exit_eof && kfk_conf_set(o->conf, "enable.partition.eof", "true", err, sizeof err))) {
        cli_error("%s", err);
        return 1;
    }
    return 0;
}

int cli_group_consume(cli_opts *o) {
    group_state s = {.o = o, .generation = -1};
    char err[512];
    if (cli_consume_format(o, &s.fmt, err, sizeof err)) {
        fprintf(stderr, "kfk: -f: %s\n", err);
        return 2;
    }
    s.fmt.null_str = o->null_str ? "NULL" : NULL;
    if (o->unbuffered) setvbuf(stdout, NULL, _IONBF, 0);
    int rc = configure(o);
    if (!rc && !(s.eof = kfk_partition_list_new(8))) rc = 1;
    if (!rc && !(s.c = kfk_consumer_new(o->conf, err, sizeof err))) {
        cli_error("Failed to create consumer: %s", err);
        rc = 1;
    }
    if (s.c) o->conf = NULL; /* the consumer owns it now */
    if (!rc && (rc = kfk_consumer_subscribe(s.c, (const char *const *)o->args, o->arg_count))) {
        cli_error("Failed to subscribe to %d topic(s): %s", o->arg_count, kfk_err_str(rc));
        rc = 1;
    }
    kfk_consumer_message *batch[BATCH];
    while (!rc && cli_running) {
        int n = kfk_consumer_poll_batch(s.c, batch, BATCH, 100);
        for (int i = 0; i < n; i++) {
            if (!rc && cli_running) rc = handle(&s, batch[i]);
            kfk_consumer_message_release(batch[i]);
        }
    }
    /* Leaving the group commits what was printed (with auto-commit). */
    if (s.c && kfk_consumer_close(s.c) && !rc) cli_info(o, 1, "Final commit failed\n");
    if (fflush(stdout) && !rc && errno != EPIPE) {
        cli_error("Output write error: %s", strerror(errno));
        rc = 1;
    }
    kfk_partition_list_destroy(s.eof);
    cli_format_free(&s.fmt);
    return rc;
}
