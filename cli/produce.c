/* -P: messages from stdin (or a -l file) split at the delimiter, or whole
 * files; each is copied once, into the producer's batch. With
 * -X transactional.id the whole input is one transaction, committed at its
 * end and aborted on any failure or signal: all of it or none. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "input.h"
#include "progress.h"

typedef struct produce_state {
    cli_opts *o;
    kfk_producer *p;
    size_t max_size; /* max.request.size: no message can be larger */
    int64_t sent, delivered, failed, bytes;
    int txn;      /* transactional.id set */
    int block_ms; /* max.block.ms: how long each transaction call may wait */
    cli_progress progress;
    char first_error[256];
} produce_state;

static void on_delivery(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    produce_state *s = opaque;
    if (d->err) {
        const char *why = d->errstr ? d->errstr : kfk_err_str(d->err);
        if (!s->failed++) snprintf(s->first_error, sizeof s->first_error, "%s", why);
        /* an abort fails every message: the summary says so once */
        cli_info(s->o, s->txn ? 2 : 1, "Delivery failed for message: %s\n", why);
        return;
    }
    s->delivered++;
    cli_info(s->o, 3, "Message delivered to partition %d (offset %lld)\n", (int)d->partition,
             (long long)d->offset);
}

static int send_one(produce_state *s, const void *key, size_t key_len, const void *value,
                    size_t value_len) {
    const cli_opts *o = s->o;
    kfk_message m = {
        .topic = o->topic, .partition = o->partition < 0 ? KFK_PARTITION_ANY : o->partition,
        .key = key, .key_len = key_len, .value = value, .value_len = value_len,
        .headers = o->header_count ? o->headers : NULL, .header_count = o->header_count};
    int err = kfk_producer_send(s->p, &m, KFK_SEND_COPY);
    if (err) {
        cli_error("Failed to produce message (%zu bytes): %s", value_len, kfk_err_str(err));
        return 1;
    }
    s->sent++;
    s->bytes += (int64_t)(key_len + value_len);
    cli_progress_update(&s->progress, s->sent, s->bytes);
    kfk_producer_poll(s->p, 0);
    return 0;
}

/* One delimited input message: key<key_delim>value when -K is given. */
static int send_line(produce_state *s, const char *buf, size_t len) {
    const cli_opts *o = s->o;
    const char *key = NULL, *value = buf;
    size_t key_len = 0, value_len = len;
    const char *kd = o->key_delim ? memmem(buf, len, o->key_delim, o->key_delim_len) : NULL;
    if (kd) {
        key = buf;
        key_len = (size_t)(kd - buf);
        value = kd + o->key_delim_len;
        value_len = len - key_len - o->key_delim_len;
        if (o->null_str && !value_len) value = NULL;
        if (o->null_str && !key_len) key = NULL;
    }
    if (!key && o->fixed_key) key = o->fixed_key, key_len = strlen(o->fixed_key);
    if (send_one(s, key, key_len, value, value_len)) return 1;
    /* kcat's -T writes each input message as read, without the delimiter. */
    if (o->tee && fwrite(buf, len, 1, stdout) != 1) {
        cli_error("Tee write error for message of %zu bytes: %s", len, strerror(errno));
        return 1;
    }
    return 0;
}

static int produce_stream(produce_state *s, int fd) {
    cli_opts *o = s->o;
    cli_reader r;
    cli_reader_init(&r, fd, o->delim, o->delim_len, s->max_size);
    const char *msg;
    size_t len;
    int rc = 0, got;
    while (cli_running && (!o->count || s->sent < o->count) && !(s->txn && s->failed) &&
           (got = cli_reader_next(&r, &msg, &len)) != 0) {
        if (got < 0 && errno == EINTR) continue; /* the loop stops if it was Ctrl-C */
        if (got < 0) {
            cli_error("Unable to read message: %s", strerror(errno));
            rc = 1;
            break;
        }
        if (len && (rc = send_line(s, msg, len))) break;
    }
    cli_reader_free(&r);
    return rc;
}

/* A whole file as one message; an empty file is skipped. -1 on failure. */
static int produce_file(produce_state *s, const char *path) {
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        cli_info(s->o, 1, "Failed to open %s: %s\n", path, strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    int rc = 0;
    if (st.st_size > 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            cli_info(s->o, 1, "Failed to mmap %s: %s\n", path, strerror(errno));
            rc = -1;
        } else {
            const char *key = s->o->fixed_key;
            rc = send_one(s, key, key ? strlen(key) : 0, p, (size_t)st.st_size) ? -1 : 0;
            munmap(p, (size_t)st.st_size);
        }
    }
    close(fd);
    return rc;
}

static int produce_files(produce_state *s) {
    int good = 0;
    for (int i = 0; i < s->o->arg_count && cli_running && !(s->txn && s->failed); i++)
        if (produce_file(s, s->o->args[i]) == 0) good++;
    if (good && good < s->o->arg_count)
        cli_info(s->o, 1, "Failed to produce from %d/%d files\n", s->o->arg_count - good,
                 s->o->arg_count);
    return good && (!s->txn || good == s->o->arg_count) ? 0 : 1;
}

/* A transaction call's error, with its cause, on stderr. */
static void txn_error(produce_state *s, const char *call, int e) {
    char why[512] = "";
    if (e == KFK_ERR_TRANSACTION_ABORTABLE)
        kfk_producer_txn_error(s->p, why, sizeof why);
    else if (e == KFK_ERR_FATAL)
        kfk_producer_fatal_error(s->p, why, sizeof why);
    cli_error("Transaction %s failed: %s%s%s", call, kfk_err_name(e), *why ? ": " : "", why);
}

static int retriable(int e) {
    return e == KFK_ERR_TIMED_OUT || kfk_err_retriable(e);
}

/* init and begin; a retriable error is retried (the same call) until a
 * signal. 0 or 1. */
static int txn_begin(produce_state *s) {
    int e;
    while ((e = kfk_producer_init_transactions(s->p, s->block_ms)) && retriable(e) && cli_running)
        cli_info(s->o, 1, "Transaction init: %s, retrying\n", kfk_err_str(e));
    if (!e) e = kfk_producer_begin_transaction(s->p);
    if (e) txn_error(s, "init", e);
    return e ? 1 : 0;
}

/* Commits when everything went well (rc 0, no signal, no failed message),
 * else aborts. Returns the exit status. */
static int txn_end(produce_state *s, int rc) {
    int e = 0;
    if (!rc && cli_running && !s->failed) {
        /* a commit that timed out is finished by calling commit again */
        while ((e = kfk_producer_commit_transaction(s->p, s->block_ms)) && retriable(e) &&
               cli_running)
            cli_info(s->o, 1, "Transaction commit: %s, retrying\n", kfk_err_str(e));
        if (!e) return 0;
        txn_error(s, "commit", e);
        if (retriable(e)) { /* interrupted while the outcome is unknown */
            cli_error("Interrupted during the commit: the transaction may or may not be "
                      "committed");
            return 1;
        }
        if (e == KFK_ERR_FATAL) return 1;
    }
    /* the cause, before the abort's own reports */
    char cause[256];
    snprintf(cause, sizeof cause, "%s",
             !cli_running ? "interrupted" : s->failed ? s->first_error : "see above");
    int a = kfk_producer_abort_transaction(s->p, s->block_ms);
    if (a) txn_error(s, "abort", a);
    cli_error("Transaction aborted%s (%s): none of the %lld messages sent is committed",
              a ? " or left to time out" : "", cause, (long long)s->sent);
    return 1;
}

int cli_produce(cli_opts *o) {
    produce_state s = {.o = o};
    kfk_producer_callbacks cbs = {.delivery = on_delivery, .opaque = &s};
    char err[512];
    int fd = STDIN_FILENO;
    if (o->line_mode && o->arg_count && (fd = open(o->args[0], O_RDONLY)) < 0) {
        cli_error("Cannot open %s: %s", o->args[0], strerror(errno));
        return 1;
    }
    s.max_size = (size_t)strtoll(kfk_conf_get(o->conf, "max.request.size"), NULL, 10);
    s.txn = *kfk_conf_get(o->conf, "transactional.id") != '\0';
    s.block_ms = (int)strtol(kfk_conf_get(o->conf, "max.block.ms"), NULL, 10);
    s.p = kfk_producer_new(o->conf, &cbs, err, sizeof err);
    if (!s.p) {
        cli_error("Failed to create producer: %s", err);
        if (fd != STDIN_FILENO) close(fd);
        return 1;
    }
    o->conf = NULL; /* the producer owns it now */
    cli_progress_init(&s.progress, cli_progress_quiet(o), o->count);

    int rc = s.txn ? txn_begin(&s) : 0, began = s.txn && !rc;
    if (!rc) rc = o->arg_count && !o->line_mode ? produce_files(&s) : produce_stream(&s, fd);
    if (fd != STDIN_FILENO) close(fd);
    int interrupted = !cli_running;
    if (began) {
        rc = txn_end(&s, rc);
        kfk_producer_flush(s.p, 5000); /* the transaction's reports */
    } else if (interrupted) { /* Ctrl-C: what was accepted gets a bounded wait */
        kfk_producer_flush(s.p, 5000);
    } else {
        while (kfk_producer_flush(s.p, 1000) == KFK_ERR_TIMED_OUT && cli_running) {
        }
    }
    cli_progress_done(&s.progress);
    /* A clean end closes, so that telemetry makes its final push (bounded:
     * everything is flushed); interrupted, it stops at once. Both report
     * what is left as failed. */
    if (!interrupted && cli_running)
        kfk_producer_close(s.p, 5000);
    else
        kfk_producer_destroy(s.p);
    if (interrupted || !cli_running)
        cli_info(o, 0, "Interrupted: %lld messages sent, %lld delivered, %lld failed\n",
                 (long long)s.sent, (long long)s.delivered, (long long)s.failed);
    if (o->tee) fflush(stdout);
    if (s.failed && !(s.txn && rc)) { /* an abort said it already */
        cli_error("%lld of %lld messages failed: %s", (long long)s.failed, (long long)s.sent,
                  s.first_error);
        rc = 1;
    }
    return rc;
}
