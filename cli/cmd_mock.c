/* kfk mock [--brokers N] [--port P] [--topic NAME[:PARTITIONS[:REPLICATION]]]...:
 * runs a mock cluster (include/kfk_mock.h) until SIGINT or SIGTERM, after
 * printing its bootstrap list on stdout. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kfk.h"
#include "kfk_mock.h"
#include "subcmd.h"

#define MAX_TOPICS 64

static int usage(const char *why) {
    if (why) fprintf(stderr, "kfk mock: %s\n", why);
    fprintf(stderr, "Usage: kfk mock [--brokers N] [--port P] [--topic NAME[:PARTITIONS[:REPLICATION]]]...\n"
                    "Runs a mock Kafka cluster on 127.0.0.1 (brokers on P, P+1, ...; free ports\n"
                    "without --port), prints its bootstrap list and serves until SIGINT/SIGTERM.\n");
    return 2;
}

/* A whole decimal number in [lo, hi], or -1. */
static long number(const char *s, long lo, long hi) {
    char *end;
    long v = strtol(s, &end, 10);
    return end == s || *end || v < lo || v > hi ? -1 : v;
}

int cli_mock_main(int argc, char **argv) {
    long brokers = 1, port = 0;
    const char *topics[MAX_TOPICS];
    int ntopics = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(NULL);
            return 0;
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
    int sig = 0;
    sigwait(&sigs, &sig);
    kfk_mock_cluster_destroy(c);
    return 0;
}
