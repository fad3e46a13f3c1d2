/* The admin subcommands' pure parts: command lines, tables and their JSON,
 * --to-datetime and reset plans. */
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "datetime.h"
#include "reset.h"
#include "table.h"
#include "test.h"

#define SPEC CLI_ARGS_COMMON " -p= -r= -c= --to-offset= --execute"

TEST(args_anywhere) {
    char *argv[] = {"t1", "-b", "h:1", "-p3", "t2", "--to-offset=7", "-c", "a=b", "--json",
                    "-c", "x=y", "--execute", "--", "-r"};
    cli_args a;
    char err[128];
    REQUIRE_EQ(cli_args_parse(&a, 14, argv, SPEC, err, sizeof err), 0);
    REQUIRE_EQ(a.npos, 3);
    CHECK_STR(a.pos[0], "t1");
    CHECK_STR(a.pos[1], "t2");
    CHECK_STR(a.pos[2], "-r"); /* after "--" */
    CHECK_STR(cli_args_get(&a, "-b"), "h:1");
    CHECK_STR(cli_args_get(&a, "-p"), "3");
    CHECK_STR(cli_args_get(&a, "--to-offset"), "7");
    CHECK_STR(cli_args_get(&a, "--execute"), "--execute");
    CHECK(cli_args_get(&a, "--json") != NULL);
    CHECK(cli_args_get(&a, "-r") == NULL);
    int i = 0;
    CHECK_STR(cli_args_next(&a, "-c", &i), "a=b");
    CHECK_STR(cli_args_next(&a, "-c", &i), "x=y");
    CHECK(cli_args_next(&a, "-c", &i) == NULL);
    cli_args_free(&a);
}

static int fails(int argc, char **argv, const char *want) {
    cli_args a;
    char err[128] = "";
    int rc = cli_args_parse(&a, argc, argv, SPEC, err, sizeof err);
    cli_args_free(&a);
    return rc == -1 && strstr(err, want) != NULL;
}

TEST(args_errors) {
    char *unknown[] = {"-z"}, *missing[] = {"x", "-p"}, *long_unknown[] = {"--to-offsets=3"};
    char *switch_value[] = {"--execute=yes"}, *glued_switch[] = {"-hx"};
    CHECK(fails(1, unknown, "unknown option -z"));
    CHECK(fails(2, missing, "option -p requires an argument"));
    CHECK(fails(1, long_unknown, "unknown option --to-offsets=3"));
    CHECK(fails(1, switch_value, "--execute takes no value"));
    CHECK(fails(1, glued_switch, "unknown option -hx"));
}

static char *render(const cli_table *t, int json) {
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    if (!f) return NULL;
    int rc = json ? cli_table_json(t, f) : cli_table_print(t, f);
    fclose(f);
    if (rc) {
        free(s);
        return NULL;
    }
    return s;
}

TEST(table_text_and_json) {
    static const char *const head[] = {"TOPIC", "LOG-END-OFFSET", "ISR", "OK"};
    cli_table t;
    cli_table_init(&t, head, 4);
    int32_t isr[] = {1, 2, 3};
    cli_table_row(&t);
    cli_table_str(&t, "a \"quoted\" name");
    cli_table_num(&t, 12345678901LL);
    cli_table_list(&t, isr, 3);
    cli_table_bool(&t, 1);
    cli_table_row(&t);
    cli_table_str(&t, NULL);
    cli_table_null(&t);
    cli_table_list(&t, isr, 0);
    cli_table_bool(&t, 0);
    char *text = render(&t, 0), *json = render(&t, 1);
    REQUIRE(text && json);
    CHECK_STR(text, "TOPIC            LOG-END-OFFSET  ISR    OK\n"
                    "a \"quoted\" name  12345678901     1,2,3  true\n"
                    "-                -               -      false\n");
    CHECK_STR(json, "[{\"topic\":\"a \\\"quoted\\\" name\",\"log_end_offset\":12345678901,"
                    "\"isr\":[1,2,3],\"ok\":true},"
                    "{\"topic\":null,\"log_end_offset\":null,\"isr\":[],\"ok\":false}]\n");
    free(text);
    free(json);
    cli_table_free(&t);
}

TEST(table_misuse_is_reported) {
    static const char *const head[] = {"A"};
    cli_table t;
    cli_table_init(&t, head, 1);
    cli_table_str(&t, "no row yet");
    CHECK(render(&t, 0) == NULL);
    cli_table_free(&t);
    cli_table_init(&t, head, 1);
    cli_table_row(&t);
    char *empty_json = render(&t, 1); /* a row never filled: null */
    REQUIRE(empty_json != NULL);
    CHECK_STR(empty_json, "[{\"a\":null}]\n");
    free(empty_json);
    cli_table_free(&t);
}

TEST(datetimes) {
    int64_t ms = 0;
    CHECK_EQ(cli_datetime_parse("1970-01-01T00:00:00.000Z", &ms), 0);
    CHECK_EQ(ms, 0);
    CHECK_EQ(cli_datetime_parse("2024-02-29T12:34:56.789Z", &ms), 0);
    CHECK_EQ(ms, 1709210096789LL);
    CHECK_EQ(cli_datetime_parse("2024-02-29T14:34:56.789+02:00", &ms), 0);
    CHECK_EQ(ms, 1709210096789LL);
    CHECK_EQ(cli_datetime_parse("2024-02-29T10:04:56-0230", &ms), 0);
    CHECK_EQ(ms, 1709210096000LL);
    CHECK_EQ(cli_datetime_parse("1709210096789", &ms), 0);
    CHECK_EQ(ms, 1709210096789LL);
    setenv("TZ", "UTC", 1);
    CHECK_EQ(cli_datetime_parse("2024-02-29T12:34:56.789", &ms), 0);
    CHECK_EQ(ms, 1709210096789LL);
    CHECK_EQ(cli_datetime_parse("2024-13-01T00:00:00", &ms), -1);
    CHECK_EQ(cli_datetime_parse("2024-01-01 00:00:00", &ms), -1);
    CHECK_EQ(cli_datetime_parse("2024-01-01T00:00:00.5", &ms), -1);
    CHECK_EQ(cli_datetime_parse("2024-01-01T00:00:00+25:00", &ms), -1);
    CHECK_EQ(cli_datetime_parse("yesterday", &ms), -1);
    CHECK_EQ(cli_datetime_parse("", &ms), -1);
}

TEST(reset_plans) {
    CHECK_EQ(cli_reset_offset(CLI_RESET_EARLIEST, 0, 10, 50, -1), 10);
    CHECK_EQ(cli_reset_offset(CLI_RESET_LATEST, 0, 10, 50, -1), 50);
    CHECK_EQ(cli_reset_offset(CLI_RESET_OFFSET, 30, 10, 50, -1), 30);
    CHECK_EQ(cli_reset_offset(CLI_RESET_OFFSET, 3, 10, 50, -1), 10);  /* before the log start */
    CHECK_EQ(cli_reset_offset(CLI_RESET_OFFSET, 99, 10, 50, -1), 50); /* past the end */
    CHECK_EQ(cli_reset_offset(CLI_RESET_DATETIME, 0, 10, 50, 42), 42);
    CHECK_EQ(cli_reset_offset(CLI_RESET_DATETIME, 0, 10, 50, -1), 50); /* nothing that late */
}
