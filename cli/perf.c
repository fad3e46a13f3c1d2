#include "perf.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stats.h"
#include "subcmd.h"

static int usage(const char *why) {
    if (why) fprintf(stderr, "kfk perf: %s\n\n", why);
    fprintf(why ? stderr : stdout,
            "Usage: kfk perf produce -b BROKERS -t TOPIC[,TOPIC...] -c COUNT -s SIZE [-X key=value ...]\n"
            "                        [-q] [--keys N] [--threads N]\n"
            "                        [--transactional-id ID] [--transaction-duration-ms N]\n"
            "                        [-X statistics.interval.ms=N --stats FILE]\n"
            "       kfk perf consume -b BROKERS -t TOPIC -c COUNT [-G GROUP] [-X key=value ...] [-q]\n"
            "                        [--stats FILE]\n"
            "produce prints ProducerPerformance's lines (every 5 s and a total with latency\n"
            "percentiles); consume prints ConsumerPerformance's CSV.\n"
            "Transactions, as ProducerPerformance: on with --transactional-id,\n"
            "--transaction-duration-ms or -X transactional.id (the option wins; without an id,\n"
            "performance-producer-<random>); each transaction is committed at the first send\n"
            "N ms (default 3000) after it began, and at the end.\n"
            "Topics in a list take turns record by record; --keys N gives each record one of N\n"
            "keys (8 hex digits); --threads N sends from N threads at once (not with\n"
            "transactions) while the main thread serves delivery reports.\n");
    return why ? 2 : 0;
}

static int set(kfk_conf *conf, const char *key, const char *value) {
    char err[512];
    if (!kfk_conf_set(conf, key, value, err, sizeof err)) return 0;
    fprintf(stderr, "kfk perf: %s\n", err);
    return 2;
}

static int number(const char *arg, int64_t *out) {
    char *end;
    errno = 0;
    long long v = strtoll(arg, &end, 10);
    if (!*arg || *end || errno || v <= 0) return -1;
    *out = v;
    return 0;
}

enum { OPT_TXN_ID = 256, OPT_TXN_DURATION, OPT_STATS, OPT_KEYS, OPT_THREADS };

static const struct option long_opts[] = {
    {"transactional-id", required_argument, NULL, OPT_TXN_ID},
    {"transaction-duration-ms", required_argument, NULL, OPT_TXN_DURATION},
    {"stats", required_argument, NULL, OPT_STATS},
    {"keys", required_argument, NULL, OPT_KEYS},
    {"threads", required_argument, NULL, OPT_THREADS},
    {NULL, 0, NULL, 0},
};

static int parse(perf_opts *o, int argc, char **argv, int producing) {
    int opt, rc = 0;
    char why[128];
    optind = 1;
    opterr = 0;
    while (!rc && (opt = getopt_long(argc, argv, ":b:t:c:s:G:X:qh", long_opts, NULL)) != -1) {
        switch (opt) {
        case OPT_TXN_ID: o->txn_id = optarg; break;
        case OPT_TXN_DURATION:
            if (number(optarg, &o->txn_duration_ms))
                return usage("--transaction-duration-ms should be greater than zero");
            break;
        case OPT_KEYS:
            if (number(optarg, &o->keys) || o->keys > UINT32_MAX)
                return usage("--keys expects a count from 1 to 4294967295");
            break;
        case OPT_THREADS:
            if (number(optarg, &o->threads) || o->threads > 1024)
                return usage("--threads expects a count from 1 to 1024");
            break;
        case OPT_STATS: rc = cli_stats_open(o->conf, optarg) ? 2 : 0; break;
        case 'b': rc = set(o->conf, "bootstrap.servers", optarg); break;
        case 't': o->topic = optarg; break;
        case 'c': rc = number(optarg, &o->count) ? usage("-c expects a count > 0") : 0; break;
        case 's': rc = number(optarg, &o->size) ? usage("-s expects a size > 0") : 0; break;
        case 'G': o->group = optarg; break;
        case 'q': o->quiet = 1; break;
        case 'h': return usage(NULL) ? 2 : -1;
        case 'X': {
            char *eq = strchr(optarg, '=');
            if (!eq) return usage("-X expects key=value");
            *eq = '\0';
            rc = set(o->conf, optarg, eq + 1);
            break;
        }
        case ':':
            if (optopt >= OPT_TXN_ID)
                snprintf(why, sizeof why, "option %s requires an argument", argv[optind - 1]);
            else
                snprintf(why, sizeof why, "option -%c requires an argument", optopt);
            return usage(why);
        default:
            if (optopt)
                snprintf(why, sizeof why, "unknown option -%c", optopt);
            else
                snprintf(why, sizeof why, "unknown option %s", argv[optind - 1]);
            return usage(why);
        }
    }
    if (rc) return rc;
    if (optind < argc) return usage("unexpected argument");
    if (!*kfk_conf_get(o->conf, "bootstrap.servers")) return usage("-b BROKERS missing");
    if (!o->topic) return usage("-t TOPIC missing");
    if (!o->count) return usage("-c COUNT missing");
    if (producing && !o->size) return usage("-s SIZE missing");
    if (!producing && o->size) return usage("-s is for perf produce");
    if (cli_stats_check(o->conf)) return usage(cli_stats_check(o->conf));
    if (!producing && (o->txn_id || o->txn_duration_ms))
        return usage("transactions are for perf produce");
    if (!producing && (o->keys || o->threads)) return usage("--keys and --threads are for perf produce");
    if (!producing && strchr(o->topic, ',')) return usage("a topic list is for perf produce");
    return 0;
}

int cli_perf_main(int argc, char **argv) {
    if (argc < 2 || (strcmp(argv[1], "produce") && strcmp(argv[1], "consume")))
        return usage(argc < 2 ? NULL : "expected produce or consume");
    int producing = !strcmp(argv[1], "produce");
    perf_opts o = {.conf = kfk_conf_new()};
    if (!o.conf) return 1;
    int rc = parse(&o, argc - 1, argv + 1, producing);
    if (!rc) rc = producing ? cli_perf_produce(&o) : cli_perf_consume(&o);
    kfk_conf_destroy(o.conf);
    cli_stats_close();
    return rc < 0 ? 0 : rc;
}
