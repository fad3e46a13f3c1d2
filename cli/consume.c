/* -C: one topic, every partition (or -p), from -o, to stdout as -f/-J/-D/-K
 * say. Messages are printed straight from the fetched buffers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "md.h"
#include "progress.h"

#define BATCH 256

typedef struct part_state {
    int32_t id;
    int32_t leader; /* the broker -J reports */
    int stopped;    /* reached its end (-e) or its stop time (e@) */
} part_state;

typedef struct consume_state {
    cli_opts *o;
    kfk_consumer *c;
    cli_format fmt;
    part_state *parts;
    int nparts, stopped;
    int64_t printed, bytes;
    cli_progress progress;
} consume_state;

static part_state *part_of(consume_state *s, int32_t id) {
    for (int i = 0; i < s->nparts; i++)
        if (s->parts[i].id == id) return &s->parts[i];
    return NULL;
}

static void stop_partition(consume_state *s, part_state *p) {
    if (p->stopped) return;
    p->stopped = 1;
    s->stopped++;
    kfk_partition_list *l = kfk_partition_list_new(1);
    if (l && kfk_partition_list_add(l, s->o->topic, p->id)) kfk_consumer_pause(s->c, l);
    kfk_partition_list_destroy(l);
    if (s->stopped == s->nparts) cli_running = 0;
}

/* Appends bytes to a format spec so the parser gives them back as they are. */
static void spec_literal(FILE *f, const char *s, size_t len) {
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%') fputs("%%", f);
        else if (s[i] == '\\') fputs("\\\\", f);
        else if (!s[i]) fputs("\\0", f);
        else fputc(s[i], f);
    }
}

int cli_consume_format(const cli_opts *o, cli_format *fmt, char *err, size_t errlen) {
    if (o->format || o->json) return cli_format_parse(fmt, o->format ? o->format : "", err, errlen);
    char *spec = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&spec, &len);
    if (!f) return -1;
    const char *kd = o->key_delim ? o->key_delim : "\t";
    size_t kdlen = o->key_delim ? o->key_delim_len : 1;
    if (o->print_offset) {
        fputs("%o", f);
        spec_literal(f, kd, kdlen);
    }
    if (o->key_delim) {
        fputs("%k", f);
        spec_literal(f, kd, kdlen);
    }
    fputs("%s", f);
    spec_literal(f, o->delim, o->delim_len);
    fclose(f);
    int rc = cli_format_parse(fmt, spec, err, errlen);
    free(spec);
    return rc;
}

int cli_consume_print(const cli_opts *o, const cli_format *fmt, const kfk_consumer_message *m,
                      int32_t broker) {
    if (!o->json) return cli_format_write(fmt, stdout, m);
    if (cli_json_message(stdout, m, broker)) return -1;
    return fwrite(o->delim, o->delim_len, 1, stdout) == 1 ? 0 : -1;
}

/* 0 to go on, 1 to stop with an error. */
static int handle(consume_state *s, const kfk_consumer_message *m) {
    const cli_opts *o = s->o;
    part_state *p = part_of(s, m->partition);
    if (!p || p->stopped) return 0;
    if (m->err == KFK_ERR_PARTITION_EOF) {
        if (o->exit_eof) stop_partition(s, p);
        cli_info(o, 1, "Reached end of topic %s [%d] at offset %lld%s\n", m->topic,
                 (int)m->partition, (long long)m->offset, cli_running ? "" : ": exiting");
        return 0;
    }
    if (m->err) {
        cli_error("Topic %s [%d] error: %s", m->topic, (int)m->partition, kfk_err_str(m->err));
        return o->exit_on_error;
    }
    if (o->offset.stop_ts >= 0 && m->timestamp >= o->offset.stop_ts) {
        stop_partition(s, p);
        cli_info(o, 1, "Reached stop timestamp for topic %s [%d] at offset %lld%s\n", m->topic,
                 (int)m->partition, (long long)m->offset, cli_running ? "" : ": exiting");
        return 0;
    }
    if (cli_consume_print(o, &s->fmt, m, p->leader)) {
        /* A closed pipe is a normal way to stop reading. */
        if (errno != EPIPE) cli_error("Output write error: %s", strerror(errno));
        cli_running = 0;
        return errno != EPIPE;
    }
    s->bytes += (int64_t)(m->key_len + m->value_len);
    if (++s->printed == o->count) cli_running = 0;
    return 0;
}

/* The partitions to read and their leaders, from one Metadata request. */
static int load_partitions(consume_state *s) {
    const cli_opts *o = s->o;
    kfk_admin *a = cli_admin_new(o);
    if (!a) return 1;
    cli_md md;
    char err[512] = "";
    int rc = cli_md_fetch(a, o, o->topic, 0, &md, err, sizeof err);
    if (rc) {
        cli_error("Failed to query metadata for topic %s: %s", o->topic, *err ? err : kfk_err_str(rc));
        kfk_admin_destroy(a);
        return 1;
    }
    const kfk_topic_desc *t = cli_md_topic(&md, o->topic);
    rc = 1;
    if (!t)
        cli_error("No such topic in cluster: %s", o->topic);
    else if (t->err)
        cli_error("Topic %s error: %s", o->topic, kfk_err_str(t->err));
    else if (!t->npartitions)
        cli_error("Topic %s has no partitions", o->topic);
    else if (!(s->parts = calloc((size_t)t->npartitions, sizeof *s->parts)))
        cli_error("out of memory");
    else
        rc = 0;
    for (int i = 0; !rc && i < t->npartitions; i++) {
        const kfk_admin_partition *p = &t->partitions[i];
        if (o->partition >= 0 && p->id != o->partition) continue;
        s->parts[s->nparts++] = (part_state){p->id, p->leader, 0};
    }
    if (!rc && !s->nparts) {
        cli_error("Topic %s (with partitions 0..%d): partition %d does not exist", o->topic,
                  t->npartitions - 1, (int)o->partition);
        rc = 1;
    }
    cli_md_free(&md);
    kfk_admin_destroy(a);
    return rc;
}

/* Where each partition starts: -o, kcat's default (the beginning), -N as
 * an absolute offset from the watermarks, s@ as a time. */
static int assign(consume_state *s) {
    const cli_offset *off = &s->o->offset;
    kfk_partition_list *l = kfk_partition_list_new(s->nparts);
    int rc = l ? 0 : 1;
    for (int i = 0; !rc && i < s->nparts; i++) {
        kfk_partition *e = kfk_partition_list_add(l, s->o->topic, s->parts[i].id);
        if (!e) {
            rc = 1;
            break;
        }
        e->offset = off->start == KFK_OFFSET_INVALID ? KFK_OFFSET_BEGINNING : off->start;
        if (off->start_ts >= 0) {
            e->offset = KFK_OFFSET_AT_TIME;
            e->timestamp = off->start_ts;
        } else if (off->tail) {
            int64_t lo, hi;
            int err = kfk_consumer_watermarks(s->c, s->o->topic, s->parts[i].id, &lo, &hi,
                                              s->o->metadata_timeout_ms);
            if (err) {
                cli_error("Failed to get offsets of %s [%d]: %s", s->o->topic,
                          (int)s->parts[i].id, kfk_err_str(err));
                rc = 1;
                break;
            }
            e->offset = hi - off->tail > lo ? hi - off->tail : lo;
        }
    }
    if (!rc && (rc = kfk_consumer_assign(s->c, l)))
        cli_error("Failed to start consuming %s: %s", s->o->topic, kfk_err_str(rc));
    kfk_partition_list_destroy(l);
    return rc ? 1 : 0;
}

static int run(consume_state *s) {
    kfk_consumer_message *batch[BATCH];
    int rc = 0;
    while (cli_running && !rc) {
        int n = kfk_consumer_poll_batch(s->c, batch, BATCH, 100);
        for (int i = 0; i < n; i++) {
            if (!rc && cli_running) rc = handle(s, batch[i]);
            kfk_consumer_message_release(batch[i]);
        }
        cli_progress_update(&s->progress, s->printed, s->bytes);
    }
    cli_progress_done(&s->progress);
    return rc;
}

int cli_consume(cli_opts *o) {
    consume_state s = {.o = o};
    char err[512];
    if (cli_consume_format(o, &s.fmt, err, sizeof err)) {
        fprintf(stderr, "kfk: -f: %s\n", err);
        return 2;
    }
    s.fmt.null_str = o->null_str ? "NULL" : NULL;
    if (o->unbuffered) setvbuf(stdout, NULL, _IONBF, 0);
    int rc = load_partitions(&s);
    if (!rc && (kfk_conf_set(o->conf, "enable.partition.eof", "true", err, sizeof err) ||
                kfk_conf_set(o->conf, "enable.auto.commit", "false", err, sizeof err))) {
        cli_error("%s", err);
        rc = 1;
    }
    if (!rc && !(s.c = kfk_consumer_new(o->conf, err, sizeof err))) {
        cli_error("Failed to create consumer: %s", err);
        rc = 1;
    }
    if (s.c) o->conf = NULL; /* the consumer owns it now */
    if (!rc) rc = assign(&s);
    cli_progress_init(&s.progress, cli_progress_quiet(o), o->count);
    if (!rc) rc = run(&s);
    /* An end without a signal closes (no group, no auto-commit here: it
     * ends the fetch sessions and makes telemetry's final push);
     * interrupted, it stops at once. */
    if (!cli_interrupted)
        kfk_consumer_close(s.c);
    else
        kfk_consumer_destroy(s.c);
    if (fflush(stdout) && !rc && errno != EPIPE) {
        cli_error("Output write error: %s", strerror(errno));
        rc = 1;
    }
    cli_format_free(&s.fmt);
    free(s.parts);
    return rc;
}
