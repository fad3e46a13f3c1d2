/* kfk mock [--brokers N] [--port P] [--topic NAME[:PARTITIONS[:REPLICATION]]]...
 * [--exit-on-eof]: runs a mock cluster (include/kfk_mock.h) until SIGINT or
 * SIGTERM, after printing its bootstrap list on stdout, and applies the
 * fault-injection commands it reads on stdin (mockcmd.h), one answer a line. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input.h"
#include "kfk.h"
#include "kfk_mock.h"
#include "mockcmd.h"
#include "subcmd.h"

#define MAX_TOPICS 64

static int usage(const char *why) {
    if (why) fprintf(stderr, "kfk mock: %s\n", why);
    fprintf(stderr, "Usage: kfk mock [--brokers N] [--port P] [--topic NAME[:PARTITIONS[:REPLICATION]]]...\n"
                    "                [--exit-on-eof]\n"
                    "Runs a mock Kafka cluster on 127.0.0.1 (brokers on P, P+1, ...; free ports\n"
                    "without --port), prints its bootstrap list and serves until SIGINT/SIGTERM\n"
                    "(or `quit`, or the end of stdin with --exit-on-eof).\n"
                    "Commands on stdin, one a line, each answered \"ok\" or \"error: ...\" on stdout:\n"
                    "  errors BROKER|* API ERROR [COUNT]  the next COUNT (1) requests of API (Produce\n"
                    "                                     or 0) fail with ERROR (NOT_LEADER_OR_FOLLOWER or 6)\n"
                    "  clear [BROKER|* [API]]             drops errors not used yet\n"
                    "  down BROKER | up BROKER            closes a broker's connections and port, reopens it\n"
                    "  rtt BROKER MS                      the broker answers MS milliseconds late\n"
                    "  leader TOPIC PARTITION BROKER      moves a partition's leadership\n"
                    "  truncate TOPIC PARTITION OFFSET    cuts a partition's log at OFFSET, a new leader epoch\n"
                    "  coordinator group|transaction KEY BROKER\n"
                    "                                     moves a group's or transactional id's coordinator\n"
                    "  topic NAME [PARTITIONS [REPLICAS]] creates a topic\n"
                    "  follower TOPIC PARTITION BROKER|-1 the partition's follower: the leader sends\n"
                    "                                     clients with client.rack to it (-1: none)\n"
                    "  follower-wmarks TOPIC PARTITION LO HI\n"
                    "                                     the follower's log start and high watermark\n"
                    "                                     (-1: the leader's)\n"
                    "  rack BROKER [RACK]                 the broker's rack in Metadata (none without)\n"
                    "  quit                               stops the cluster (exit status 0)\n");
    return 2;
}

#define MAX_LINE 4096

/* The answer of one command line: "ok" or "error: ..." into out. 1 if the
 * command asks the mock to stop. */
static int run_command(kfk_mock_cluster *c, int nbrokers, const char *line, char *out, size_t outlen) {
    cli_mock_cmd cmd;
    char why[256];
    if (cli_mock_cmd_parse(&cmd, line, why, sizeof why)) {
        snprintf(out, outlen, "error: %s", why);
        return 0;
    }
    int rc = 0;
    switch (cmd.kind) {
    case CLI_MOCK_NOTHING:
        *out = 0;
        return 0;
    case CLI_MOCK_ERRORS:
        rc = kfk_mock_push_request_errors(c, cmd.broker, (int16_t)cmd.api, cmd.count, cmd.err);
        break;
    case CLI_MOCK_CLEAR:
        if (cmd.broker > nbrokers) {
            rc = -1;
            break;
        }
        for (int api = 0; api < kfk_api_key_count(); api++)
            if (cmd.api < 0 || cmd.api == api) kfk_mock_clear_request_errors(c, cmd.broker, (int16_t)api);
        break;
    case CLI_MOCK_DOWN:
        rc = kfk_mock_broker_down(c, cmd.broker);
        break;
    case CLI_MOCK_UP:
        rc = kfk_mock_broker_up(c, cmd.broker);
        break;
    case CLI_MOCK_RTT:
        rc = kfk_mock_broker_set_rtt(c, cmd.broker, cmd.n);
        break;
    case CLI_MOCK_LEADER:
        rc = kfk_mock_partition_set_leader(c, cmd.topic, cmd.n, cmd.broker);
        break;
    case CLI_MOCK_TRUNCATE:
        rc = kfk_mock_partition_truncate(c, cmd.topic, cmd.n, cmd.offset);
        break;
    case CLI_MOCK_COORDINATOR:
        rc = kfk_mock_coordinator_set(c, cmd.n, cmd.topic, cmd.broker);
        break;
    case CLI_MOCK_TOPIC: {
        int err = kfk_mock_topic_create(c, cmd.topic, cmd.count, cmd.n);
        if (err) {
            snprintf(out, outlen, "error: topic %s: %s", cmd.topic, kfk_err_name(err));
            return 0;
        }
        break;
    }
    case CLI_MOCK_FOLLOWER:
        rc = kfk_mock_partition_set_follower(c, cmd.topic, cmd.n, cmd.broker);
        break;
    case CLI_MOCK_FOLLOWER_WMARKS:
        rc = kfk_mock_partition_set_follower_wmarks(c, cmd.topic, cmd.n, cmd.offset, cmd.hi);
        break;
    case CLI_MOCK_RACK:
        rc = kfk_mock_broker_set_rack(c, cmd.broker, cmd.n ? cmd.topic : NULL);
        break;
    case CLI_MOCK_QUIT:
        snprintf(out, outlen, "ok");
        return 1;
    }
    if (rc)
        snprintf(out, outlen, "error: %s", cmd.kind == CLI_MOCK_LEADER ? "no such topic, partition or broker"
                                   : cmd.kind == CLI_MOCK_TRUNCATE ? "no such topic or partition, or an offset outside its log"
                                   : cmd.kind == CLI_MOCK_FOLLOWER || cmd.kind == CLI_MOCK_FOLLOWER_WMARKS
                                       ? "no such topic or partition"
                                   : cmd.kind == CLI_MOCK_ERRORS   ? "no such broker, or an API the mock does not serve"
                                                                   : "no such broker");
    else
        snprintf(out, outlen, "ok");
    return 0;
}

typedef struct mock_run {
    kfk_mock_cluster *c;
    int nbrokers;
    int exit_on_eof;
} mock_run;

static void free_reader(void *r) { cli_reader_free(r); }

/* Reads commands until the end of stdin, a read error (a background job on
 * a terminal: SIGTTIN is ignored) or `quit`; cancelled only while reading. */
static void *command_loop(void *arg) {
    const mock_run *run = arg;
    cli_reader in;
    cli_reader_init(&in, STDIN_FILENO, "\n", 1, MAX_LINE);
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
    pthread_cleanup_push(free_reader, &in);
    for (;;) {
        const char *msg;
        size_t len;
        pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
        int rc = cli_reader_next(&in, &msg, &len);
        pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
        if (rc < 0 && errno == EINTR) continue;
        if (rc < 0 && errno == EMSGSIZE) {
            printf("error: a line longer than %d bytes; no more commands\n", MAX_LINE);
            fflush(stdout);
            /* The rest is not read as commands, but its end still counts. */
            char skip[4096];
            ssize_t n;
            pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
            while ((n = read(STDIN_FILENO, skip, sizeof skip)) > 0 || (n < 0 && errno == EINTR)) {
            }
            pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
            rc = n == 0 ? 0 : -1;
        }
        if (rc <= 0) {
            fflush(stdout);
            if (rc == 0 && run->exit_on_eof) kill(getpid(), SIGTERM);
            break;
        }
        char line[MAX_LINE + 1], out[512];
        memcpy(line, msg, len);
        line[len] = 0;
        int quit = run_command(run->c, run->nbrokers, line, out, sizeof out);
        if (*out) {
            printf("%s\n", out);
            fflush(stdout);
        }
        if (quit) {
            kill(getpid(), SIGTERM);
            break;
        }
    }
    pthread_cleanup_pop(1);
    return NULL;
}

/* A whole decimal number in [lo, hi], or -1. */
static long number(const char *s, long lo, long hi) {
    char *end;
    long v = strtol(s, &end, 10);
    return end == s || *end || v < lo || v > hi ? -1 : v;
}

int cli_mock_main(int argc, char **argv) {
    long brokers = 1, port = 0;
    int exit_on_eof = 0;
    const char *topics[MAX_TOPICS];
    int ntopics = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(NULL);
            return 0;
        }
        if (!strcmp(a, "--exit-on-eof")) {
            exit_on_eof = 1;
            continue;
        }
        if (!v) return usage("an option needs a value");
        if (!strcmp(a, "--brokers")) {
            if ((brokers = number(v, 1, 64)) < 0) return usage("--brokers: a number from 1 to 64");
        } else if (!strcmp(a, "--port")) {
            if ((port = number(v, 1, 65535)) < 0) return usage("--port: a port number");
        } else if (!strcmp(a, "--topic")) {
            if (ntopics == MAX_TOPICS) return usage("too many --topic");
            topics[ntopics++] = v;
        } else {
            return usage("unknown option");
        }
        i++;
    }
    if (port && port + brokers > 65536) return usage("--port: the brokers' ports pass 65535");
    /* Signals are taken by sigwait below, not by the mock's thread. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    kfk_mock_cluster *c = kfk_mock_cluster_new_port((int)brokers, (int)port);
    if (!c) {
        if (port)
            fprintf(stderr, "kfk mock: cannot listen on 127.0.0.1 ports %ld to %ld\n", port, port + brokers - 1);
        else
            fprintf(stderr, "kfk mock: cannot listen on 127.0.0.1\n");
        return 1;
    }
    for (int i = 0; i < ntopics; i++) {
        char name[256];
        long parts = 1, rf = 1;
        const char *c1 = strchr(topics[i], ':');
        snprintf(name, sizeof name, "%.*s", c1 ? (int)(c1 - topics[i]) : (int)strlen(topics[i]), topics[i]);
        if (c1) {
            char num[32];
            const char *c2 = strchr(c1 + 1, ':');
            snprintf(num, sizeof num, "%.*s", c2 ? (int)(c2 - c1 - 1) : (int)strlen(c1 + 1), c1 + 1);
            parts = number(num, 1, 100000);
            rf = c2 ? number(c2 + 1, 1, brokers) : 1;
        }
        int err = parts < 0 || rf < 0 ? KFK_ERR_INVALID_ARG
                                      : kfk_mock_topic_create(c, name, (int)parts, (int)rf);
        if (err) {
            fprintf(stderr, "kfk mock: --topic %s: %s\n", topics[i],
                    parts < 0 || rf < 0 ? "expected NAME[:PARTITIONS[:REPLICATION]]" : kfk_err_name(err));
            kfk_mock_cluster_destroy(c);
            return 2;
        }
    }
    printf("%s\n", kfk_mock_cluster_bootstraps(c));
    fflush(stdout);
    /* A background job reading its terminal gets EIO instead of stopping;
     * answers to a reader that went away are dropped. */
    signal(SIGTTIN, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    mock_run run = {c, (int)brokers, exit_on_eof};
    pthread_t reader;
    int reading = !pthread_create(&reader, NULL, command_loop, &run);
    int sig = 0;
    sigwait(&sigs, &sig);
    if (reading) {
        pthread_cancel(reader);
        pthread_join(reader, NULL);
    }
    kfk_mock_cluster_destroy(c);
    return 0;
}
