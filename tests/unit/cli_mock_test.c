/* `kfk mock`'s standard-input commands, parsed without a cluster. */
#include <string.h>

#include "kfk.h"
#include "mockcmd.h"
#include "test.h"

static cli_mock_cmd cmd;
static char err[256];

static int parse(const char *line) { return cli_mock_cmd_parse(&cmd, line, err, sizeof err); }

TEST(errors) {
    CHECK_EQ(parse("errors * Produce NOT_LEADER_OR_FOLLOWER 2"), 0);
    CHECK_EQ(cmd.kind, CLI_MOCK_ERRORS);
    CHECK_EQ(cmd.broker, -1);
    CHECK_EQ(cmd.api, 0);
    CHECK_EQ(cmd.err, KFK_ERR_NOT_LEADER_OR_FOLLOWER);
    CHECK_EQ(cmd.count, 2);
    CHECK_EQ(parse("  errors\t3 1 6  "), 0); /* numbers; COUNT defaults to 1 */
    CHECK_EQ(cmd.broker, 3);
    CHECK_EQ(cmd.api, 1);
    CHECK_EQ(cmd.err, 6);
    CHECK_EQ(cmd.count, 1);
    CHECK_EQ(parse("errors 2 joingroup rebalance_in_progress 5"), 0); /* any case */
    CHECK_EQ(cmd.api, 11);
    CHECK_EQ(cmd.err, KFK_ERR_REBALANCE_IN_PROGRESS);
    CHECK_EQ(parse("errors * Metadata -1"), 0);
    CHECK_EQ(cmd.err, -1);
    CHECK_EQ(parse("errors * Produce NOPE"), -1);
    CHECK(strstr(err, "'NOPE'") != NULL);
    CHECK_EQ(parse("errors * Produce 0"), -1); /* NONE is no error */
    CHECK_EQ(parse("errors * Produce NONE"), -1);
    CHECK_EQ(parse("errors * Produce UNKNOWN"), -1);
    CHECK_EQ(parse("errors * Produce TIMED_OUT"), -1); /* kfk's own, not Kafka's */
    CHECK_EQ(parse("errors * Produce 32768"), -1);
    CHECK_EQ(parse("errors * Prodce 6"), -1);
    CHECK(strstr(err, "API 'Prodce'") != NULL);
    CHECK_EQ(parse("errors * 4000 6"), -1);
    CHECK_EQ(parse("errors 0 Produce 6"), -1);
    CHECK(strstr(err, "broker '0'") != NULL);
    CHECK_EQ(parse("errors x Produce 6"), -1);
    CHECK_EQ(parse("errors * Produce 6 0"), -1);
    CHECK(strstr(err, "count '0'") != NULL);
    CHECK_EQ(parse("errors * Produce 6 2x"), -1);
    CHECK_EQ(parse("errors * Produce"), -1);
    CHECK(strstr(err, "usage: errors") != NULL);
    CHECK_EQ(parse("errors * Produce 6 1 1"), -1);
}

TEST(clear) {
    CHECK_EQ(parse("clear"), 0);
    CHECK_EQ(cmd.kind, CLI_MOCK_CLEAR);
    CHECK_EQ(cmd.broker, -1);
    CHECK_EQ(cmd.api, -1);
    CHECK_EQ(parse("clear 2"), 0);
    CHECK_EQ(cmd.broker, 2);
    CHECK_EQ(cmd.api, -1);
    CHECK_EQ(parse("clear * Fetch"), 0);
    CHECK_EQ(cmd.broker, -1);
    CHECK_EQ(cmd.api, 1);
    CHECK_EQ(parse("clear * Fetch x"), -1);
    CHECK_EQ(parse("clear * NoSuchApi"), -1);
}

TEST(brokers_and_partitions) {
    CHECK_EQ(parse("down 1"), 0);
    CHECK_EQ(cmd.kind, CLI_MOCK_DOWN);
    CHECK_EQ(cmd.broker, 1);
    CHECK_EQ(parse("up 64"), 0);
    CHECK_EQ(cmd.kind, CLI_MOCK_UP);
    CHECK_EQ(cmd.broker, 64);
    CHECK_EQ(parse("down *"), -1); /* one broker at a time */
    CHECK_EQ(parse("up 65"), -1);
    CHECK_EQ(parse("down"), -1);
    CHECK(strstr(err, "usage: down BROKER") != NULL);
    CHECK_EQ(parse("rtt 2 250"), 0);
    CHECK_EQ(cmd.kind, CLI_MOCK_RTT);
    CHECK_EQ(cmd.broker, 2);
    CHECK_EQ(cmd.n, 250);
    CHECK_EQ(parse("rtt 2 -5"), -1);
    CHECK(strstr(err, "MS '-5'") != NULL);
    CHECK_EQ(parse("leader orders 3 2"), 0);
    CHECK_EQ(cmd.kind, CLI_MOCK_LEADER);
    CHECK_STR(cmd.topic, "orders");
    CHECK_EQ(cmd.n, 3);
    CHECK_EQ(cmd.broker, 2);
    CHECK_EQ(parse("leader orders p 2"), -1);
    CHECK(strstr(err, "partition 'p'") != NULL);
    CHECK_EQ(parse("truncate orders 1 6000000000"), 0);
    CHECK_EQ(cmd.kind, CLI_MOCK_TRUNCATE);
    CHECK_STR(cmd.topic, "orders");
    CHECK_EQ(cmd.n, 1);
    CHECK_EQ(cmd.offset, 6000000000LL);
    CHECK_EQ(parse("truncate orders 1 -3"), -1);
    CHECK(strstr(err, "offset '-3'") != NULL);
    CHECK_EQ(parse("truncate orders 1"), -1);
    CHECK(strstr(err, "usage: truncate TOPIC PARTITION OFFSET") != NULL);
    CHECK_EQ(parse("coordinator group g1 3"), 0);
    CHECK_EQ(cmd.kind, CLI_MOCK_COORDINATOR);
    CHECK_EQ(cmd.n, 0);
    CHECK_STR(cmd.topic, "g1");
    CHECK_EQ(cmd.broker, 3);
    CHECK_EQ(parse("coordinator transaction tx-1 1"), 0);
    CHECK_EQ(cmd.n, 1);
    CHECK_STR(cmd.topic, "tx-1");
    CHECK_EQ(parse("coordinator topic g1 1"), -1);
    CHECK(strstr(err, "key type 'topic'") != NULL);
    CHECK_EQ(parse("coordinator group g1 *"), -1);
    CHECK_EQ(parse("coordinator group g1"), -1);
    CHECK(strstr(err, "usage: coordinator") != NULL);
}

TEST(follower_follower_wmarks_and_rack) {
    CHECK_EQ(parse("follower orders 2 3"), 0);
    CHECK_EQ(cmd.kind, CLI_MOCK_FOLLOWER);
    CHECK_STR(cmd.topic, "orders");
    CHECK_EQ(cmd.n, 2);
    CHECK_EQ(cmd.broker, 3);
    CHECK_EQ(parse("follower orders 2 -1"), 0); /* none */
    CHECK_EQ(cmd.broker, -1);
    CHECK_EQ(parse("follower orders 2 0"), -1);
    CHECK(strstr(err, "broker '0'") != NULL);
    CHECK_EQ(parse("follower orders 2 *"), -1);
    CHECK_EQ(parse("follower orders x 1"), -1);
    CHECK(strstr(err, "partition 'x'") != NULL);
    CHECK_EQ(parse("follower orders 2"), -1);
    CHECK(strstr(err, "usage: follower TOPIC PARTITION BROKER") != NULL);
    CHECK_EQ(parse("follower-wmarks orders 1 5 6000000000"), 0);
    CHECK_EQ(cmd.kind, CLI_MOCK_FOLLOWER_WMARKS);
    CHECK_STR(cmd.topic, "orders");
    CHECK_EQ(cmd.n, 1);
    CHECK_EQ(cmd.offset, 5);
    CHECK_EQ(cmd.hi, 6000000000LL);
    CHECK_EQ(parse("follower-wmarks orders 1 -1 -1"), 0); /* the leader's */
    CHECK_EQ(cmd.offset, -1);
    CHECK_EQ(cmd.hi, -1);
    CHECK_EQ(parse("follower-wmarks orders 1 -2 4"), -1);
    CHECK(strstr(err, "LO '-2'") != NULL);
    CHECK_EQ(parse("follower-wmarks orders 1 0 x"), -1);
    CHECK(strstr(err, "HI 'x'") != NULL);
    CHECK_EQ(parse("follower-wmarks orders 1 7 4"), -1);
    CHECK(strstr(err, "above HI") != NULL);
    CHECK_EQ(parse("follower-wmarks orders 1 4"), -1);
    CHECK(strstr(err, "usage: follower-wmarks") != NULL);
    CHECK_EQ(parse("rack 2 eu-1a"), 0);
    CHECK_EQ(cmd.kind, CLI_MOCK_RACK);
    CHECK_EQ(cmd.broker, 2);
    CHECK_EQ(cmd.n, 1);
    CHECK_STR(cmd.topic, "eu-1a");
    CHECK_EQ(parse("rack 2"), 0); /* none */
    CHECK_EQ(cmd.n, 0);
    CHECK_EQ(parse("rack 65 r"), -1);
    CHECK(strstr(err, "broker '65'") != NULL);
    CHECK_EQ(parse("rack"), -1);
    CHECK(strstr(err, "usage: rack BROKER [RACK]") != NULL);
}

TEST(topic_quit_and_noise) {
    CHECK_EQ(parse("topic t"), 0);
    CHECK_EQ(cmd.kind, CLI_MOCK_TOPIC);
    CHECK_STR(cmd.topic, "t");
    CHECK_EQ(cmd.count, 1);
    CHECK_EQ(cmd.n, 1);
    CHECK_EQ(parse("topic t 6 3"), 0);
    CHECK_EQ(cmd.count, 6);
    CHECK_EQ(cmd.n, 3);
    CHECK_EQ(parse("topic t 0"), -1);
    char longname[300];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    char line[320] = "topic ";
    strcat(line, longname);
    CHECK_EQ(parse(line), -1);
    CHECK(strstr(err, "longer than 249") != NULL);
    CHECK_EQ(parse("quit"), 0);
    CHECK_EQ(cmd.kind, CLI_MOCK_QUIT);
    CHECK_EQ(parse("quit now"), -1);
    CHECK_EQ(parse(""), 0);
    CHECK_EQ(cmd.kind, CLI_MOCK_NOTHING);
    CHECK_EQ(parse("   \r"), 0);
    CHECK_EQ(cmd.kind, CLI_MOCK_NOTHING);
    CHECK_EQ(parse("# a comment"), 0);
    CHECK_EQ(cmd.kind, CLI_MOCK_NOTHING);
    CHECK_EQ(parse("explode 1"), -1);
    CHECK(strstr(err, "unknown command 'explode'") != NULL);
    CHECK_EQ(parse("a b c d e f g"), -1);
}
