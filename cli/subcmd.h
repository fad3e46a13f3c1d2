/* Subcommands: `kfk <word> ...` where the first argument is not a flag. */
#ifndef KFK_CLI_SUBCMD_H
#define KFK_CLI_SUBCMD_H

/* Runs argv[0]'s subcommand with argv (argv[0] is its name). Returns the
 * exit status; 2 for an unknown command. */
int cli_subcmd_run(int argc, char **argv);

int cli_perf_main(int argc, char **argv);
int cli_topic_main(int argc, char **argv);
int cli_group_main(int argc, char **argv);
int cli_config_main(int argc, char **argv);
int cli_records_main(int argc, char **argv);
int cli_share_main(int argc, char **argv);
int cli_mock_main(int argc, char **argv);
int cli_acl_main(int argc, char **argv);
int cli_user_main(int argc, char **argv);
int cli_share_group_main(int argc, char **argv);

#endif
