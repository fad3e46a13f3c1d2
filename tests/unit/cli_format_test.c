/* The CLI's -f formats, escapes and -D/-K delimiters, byte for byte. */
#include <stdlib.h>

#include "escape.h"
#include "format.h"
#include "test.h"

static kfk_header hdrs[3] = {{"h1", "x", 1}, {"h2", NULL, 0}, {"h3", "", 0}};

static kfk_consumer_message msg(void) {
    kfk_consumer_message m = {0};
    m.topic = "t";
    m.partition = 2;
    m.offset = 42;
    m.timestamp = 1700000000123;
    m.timestamp_type = KFK_TIMESTAMP_CREATE;
    m.key = "key";
    m.key_len = 3;
    m.value = "value";
    m.value_len = 5;
    m.headers = hdrs;
    m.header_count = 3;
    return m;
}

/* Renders m with spec into buf; returns the length, -1 on a parse error. */
static long render(const char *spec, const char *null_str, const kfk_consumer_message *m,
                   char *buf, size_t len) {
    cli_format f;
    char err[128];
    if (cli_format_parse(&f, spec, err, sizeof err)) return -1;
    f.null_str = null_str;
    FILE *out = fmemopen(buf, len, "w");
    setvbuf(out, NULL, _IONBF, 0);
    cli_format_write(&f, out, m);
    long n = ftell(out);
    fclose(out);
    cli_format_free(&f);
    return n;
}

TEST(every_token) {
    kfk_consumer_message m = msg();
    char buf[256];
    long n = render("%t %p %o %T %k %K %s %S %h %%\n", NULL, &m, buf, sizeof buf);
    const char *want = "t 2 42 1700000000123 key 3 value 5 h1=x,h2=NULL,h3= %\n";
    CHECK_EQ(n, (long)strlen(want));
    CHECK_MEM(buf, want, strlen(want));
}

TEST(binary_length_and_nulls) {
    kfk_consumer_message m = msg();
    m.value = NULL;
    m.value_len = 0;
    m.key = "";
    m.key_len = 0;
    char buf[64];
    CHECK_EQ(render("%R", NULL, &m, buf, sizeof buf), 4);
    CHECK_MEM(buf, "\xff\xff\xff\xff", 4);
    m.value = "abc";
    m.value_len = 3;
    CHECK_EQ(render("%R", NULL, &m, buf, sizeof buf), 4);
    CHECK_MEM(buf, "\0\0\0\3", 4);
    /* An empty key prints nothing, or -Z's string; its length is 0, not -1. */
    CHECK_EQ(render("[%k|%K]", NULL, &m, buf, sizeof buf), 4);
    CHECK_MEM(buf, "[|0]", 4);
    CHECK_EQ(render("[%k|%K]", "NULL", &m, buf, sizeof buf), 8);
    CHECK_MEM(buf, "[NULL|0]", 8);
    m.key = NULL;
    CHECK_EQ(render("%K", NULL, &m, buf, sizeof buf), 2);
    CHECK_MEM(buf, "-1", 2);
}

TEST(format_errors) {
    cli_format f;
    char err[128];
    CHECK_EQ(cli_format_parse(&f, "%s %Y", err, sizeof err), -1);
    CHECK(strstr(err, "%Y") != NULL);
    CHECK_EQ(cli_format_parse(&f, "trailing %", err, sizeof err), -1);
}

TEST(format_escapes) {
    char out[64];
    const char *in = "a\\tb\\nc\\r\\x41\\x7e\\65\\012\\q\\";
    size_t n = cli_unescape_format(in, strlen(in), out);
    const char *want = "a\tb\nc\rA~A\nq\\";
    CHECK_EQ(n, strlen(want));
    CHECK_MEM(out, want, n);
}

TEST(delimiter_escapes) {
    char out[64], err[128];
    size_t n;
    REQUIRE_EQ(cli_unescape_delim("\\x54!\\x45\\x53T", out, &n, err, sizeof err), 0);
    CHECK_EQ(n, 5);
    CHECK_MEM(out, "T!EST", 5);
    REQUIRE_EQ(cli_unescape_delim("\\t\\n\\r\\x0;x", out, &n, err, sizeof err), 0);
    CHECK_EQ(n, 6);
    CHECK_MEM(out, "\t\n\r\0;x", 6);
    REQUIRE_EQ(cli_unescape_delim("a\\b", out, &n, err, sizeof err), 0);
    CHECK_MEM(out, "a\\b", 3);
    CHECK_EQ(cli_unescape_delim("\\xZZ", out, &n, err, sizeof err), -1);
}
