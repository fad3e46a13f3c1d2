/* kfk share consume GROUP TOPIC...: reads as a member of a share group
 * (KIP-932), prints each message as kcat mode does (-f, -J) and
 * acknowledges it as --ack says (accept by default). Exits after -c COUNT
 * messages or on a signal; records fetched but not printed go back to the
 * group at close. */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "adm.h"
#include "cli.h"
#include "subcmd.h"

static void on_signal(int sig) {
    (void)sig;
    cli_running = 0;
    cli_interrupted = 1;
}

static int ack_type(const char *s) {
    if (!s || !strcmp(s, "accept")) return KFK_ACK_ACCEPT;
    if (!strcmp(s, "release")) return KFK_ACK_RELEASE;
    if (!strcmp(s, "reject")) return KFK_ACK_REJECT;
    return -1;
}

static int consume_loop(cli_adm *a, kfk_share_consumer *c, const cli_opts *o,
                        const cli_format *fmt, int type) {
    int64_t printed = 0;
    while (cli_running) {
        kfk_consumer_message *m = kfk_share_consumer_poll(c, 200);
        if (!m) continue;
        if (m->err) {
            cli_adm_error(a, "%s: %s%s", kfk_err_name(m->err), kfk_err_str(m->err),
                          m->err == KFK_ERR_UNSUPPORTED_VERSION
                              ? " (the broker has no share groups: Kafka 4.0 or later with "
                                "share.version 1 or more is needed)"
                              : "");
            kfk_consumer_message_release(m);
            return 1;
        }
        if (cli_consume_print(o, fmt, m, m->broker_id)) {
            int pipe = errno == EPIPE;
            if (!pipe) cli_adm_error(a, "output write error: %s", strerror(errno));
            kfk_consumer_message_release(m); /* not acknowledged: released at close */
            return !pipe;
        }
        kfk_share_consumer_acknowledge(c, m, type);
        kfk_consumer_message_release(m);
        if (o->count && ++printed == o->count) break;
    }
    return 0;
}

static int share_consume(cli_adm *a) {
    int type = ack_type(cli_args_get(&a->args, "--ack"));
    if (type < 0) return cli_adm_usage_error(a, "--ack: accept, release or reject");
    long long count = 0;
    const char *cs = cli_args_get(&a->args, "-c");
    int rc = cs ? cli_adm_number(a, "-c", cs, 1, INT64_MAX, &count) : 0;
    if (rc) return rc;
    char nl[] = "\n";
    cli_opts o = {.count = count, .verbosity = 1, .exit_on_error = 1,
                  .json = cli_args_get(&a->args, "-J") != NULL,
                  .format = cli_args_get(&a->args, "-f"), .delim = nl, .delim_len = 1};
    cli_format fmt;
    char err[512];
    if (cli_consume_format(&o, &fmt, err, sizeof err)) return cli_adm_usage_error(a, "-f: %s", err);
    /* Explicit mode: each printed message gets --ack's type, and anything
     * fetched but never printed is released at close. */
    if (kfk_conf_set(a->conf, "group.id", a->args.pos[0], err, sizeof err) ||
        kfk_conf_set(a->conf, "share.acknowledgement.mode", "explicit", err, sizeof err)) {
        cli_format_free(&fmt);
        return cli_adm_usage_error(a, "%s", err);
    }
    kfk_share_consumer *c = kfk_share_consumer_new(a->conf, err, sizeof err);
    if (!c) {
        cli_adm_error(a, "%s", err);
        cli_format_free(&fmt);
        return 1;
    }
    a->conf = NULL; /* the share consumer owns it */
    rc = kfk_share_consumer_subscribe(c, a->args.pos + 1, a->args.npos - 1);
    if (rc) cli_adm_error(a, "subscribe: %s", kfk_err_str(rc));
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (!rc) rc = consume_loop(a, c, &o, &fmt, type);
    fflush(stdout);
    int cerr = kfk_share_consumer_close(c);
    if (cerr && !rc) {
        cli_adm_error(a, "close: %s", kfk_err_str(cerr));
        rc = 1;
    }
    cli_format_free(&fmt);
    return rc;
}

static const cli_verb verbs[] = {
    {"consume", share_consume, "-c= -f= -J --ack=", 2, -1,
     "GROUP TOPIC... [-c COUNT] [-f FORMAT] [-J] [--ack accept|release|reject]\n"
     "  read as a member of share group GROUP (Kafka 4.x), print each message as kcat mode\n"
     "  does and acknowledge it (accept by default); stop after COUNT messages or on a\n"
     "  signal, giving back what was fetched but not printed\n"},
};

int cli_share_main(int argc, char **argv) {
    return cli_adm_dispatch(verbs, (int)(sizeof verbs / sizeof verbs[0]), argc, argv);
}
