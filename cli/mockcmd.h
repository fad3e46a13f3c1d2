/* The commands `kfk mock` reads on standard input (docs/MOCK.md), one a
 * line: parsed here without touching a cluster, applied by cmd_mock.c. */
#ifndef KFK_CLI_MOCKCMD_H
#define KFK_CLI_MOCKCMD_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    CLI_MOCK_NOTHING, /* blank line or # comment: no answer */
    CLI_MOCK_ERRORS,
    CLI_MOCK_CLEAR,
    CLI_MOCK_DOWN,
    CLI_MOCK_UP,
    CLI_MOCK_RTT,
    CLI_MOCK_LEADER,
    CLI_MOCK_TRUNCATE,
    CLI_MOCK_COORDINATOR,
    CLI_MOCK_TOPIC,
    CLI_MOCK_FOLLOWER,
    CLI_MOCK_FOLLOWER_WMARKS,
    CLI_MOCK_RACK,
    CLI_MOCK_QUIT,
} cli_mock_kind;

typedef struct cli_mock_cmd {
    cli_mock_kind kind;
    int broker;      /* -1: any broker (errors, clear); follower: none */
    int api;         /* -1: every API (clear) */
    int err;         /* Kafka error code */
    int count;       /* errors: how many requests; topic: partitions */
    int n;           /* rtt: milliseconds; leader, truncate, follower,
                        follower-wmarks: partition; topic: replicas;
                        coordinator: 0 group, 1 transaction; rack: 1 if named */
    int64_t offset;  /* truncate: where the log is cut; follower-wmarks: LO */
    int64_t hi;      /* follower-wmarks: HI */
    char topic[250]; /* leader, truncate, topic, follower, follower-wmarks;
                        coordinator: the group or transactional id; rack: the rack */
} cli_mock_cmd;

/* Parses one line (without its newline). 0, or -1 with err naming the word
 * that is wrong and what was expected. */
int cli_mock_cmd_parse(cli_mock_cmd *c, const char *line, char *err, size_t errlen);

/* An API key by name ("Produce", any case) or number; -1 if unknown. */
int cli_mock_api(const char *s);
/* A Kafka error code by name ("NOT_LEADER_OR_FOLLOWER", any case) or
 * number; 0 (NONE) if not one. */
int cli_mock_err(const char *s);

#endif
