/* kfk: kcat's flags on top of the kfk library, plus subcommands. */
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "stats.h"
#include "subcmd.h"

int64_t cli_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

kfk_admin *cli_admin_new(const cli_opts *o) {
    char err[512];
    kfk_conf *conf = kfk_conf_dup(o->conf);
    kfk_admin *a = conf ? kfk_admin_new(conf, err, sizeof err) : NULL;
    if (!conf) snprintf(err, sizeof err, "out of memory");
    if (!a) {
        kfk_conf_destroy(conf);
        cli_error("Failed to create client: %s", err);
    }
    return a;
}

int cli_progress_quiet(const cli_opts *o) {
    return o->verbosity == 0 || isatty(STDOUT_FILENO);
}

static void on_signal(int sig) {
    cli_running = 0;
    cli_interrupted = 1;
}

static int run_mode(cli_opts *o) {
    switch (o->mode) {
    case 'P': return cli_produce(o);
    case 'C': return cli_consume(o);
    case 'L': return cli_metadata(o);
    case 'Q': return cli_query_offsets(o);
    default: return cli_group_consume(o);
    }
}

int main(int argc, char **argv) {
    if (argc > 1 && argv[1][0] != '-') return cli_subcmd_run(argc - 1, argv + 1);

    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* A closed pipe shows as a write error, and ends the run cleanly. */
    signal(SIGPIPE, SIG_IGN);

    cli_opts o;
    int rc = cli_opts_parse(&o, argc, argv);
    if (rc == 0) rc = run_mode(&o);
    cli_opts_free(&o);
    cli_stats_close();
    return rc < 0 ? 0 : rc;
}
