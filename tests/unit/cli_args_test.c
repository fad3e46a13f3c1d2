/* -o parsing, configuration files and the delimited input reader. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/time.h>
#include <unistd.h>

#include "conffile.h"
#include "input.h"
#include "kfk.h"
#include "offset.h"
#include "test.h"

TEST(offsets) {
    cli_offset o;
    char err[256];
    cli_offset_init(&o);
    CHECK_EQ(o.start, KFK_OFFSET_INVALID);
    CHECK_EQ(cli_offset_parse(&o, "beginning", err, sizeof err), 0);
    CHECK_EQ(o.start, KFK_OFFSET_BEGINNING);
    CHECK_EQ(cli_offset_parse(&o, "end", err, sizeof err), 0);
    CHECK_EQ(o.start, KFK_OFFSET_END);
    CHECK_EQ(cli_offset_parse(&o, "stored", err, sizeof err), 0);
    CHECK_EQ(o.start, KFK_OFFSET_STORED);
    CHECK_EQ(cli_offset_parse(&o, "1234", err, sizeof err), 0);
    CHECK_EQ(o.start, 1234);
    CHECK_EQ(o.tail, 0);
    CHECK_EQ(cli_offset_parse(&o, "-10", err, sizeof err), 0);
    CHECK_EQ(o.tail, 10);
    CHECK_EQ(o.start, KFK_OFFSET_INVALID);
    CHECK_EQ(cli_offset_parse(&o, "s@1700000000000", err, sizeof err), 0);
    CHECK_EQ(cli_offset_parse(&o, "e@1700000001000", err, sizeof err), 0);
    CHECK_EQ(o.start_ts, 1700000000000);
    CHECK_EQ(o.stop_ts, 1700000001000);
    CHECK_EQ(o.tail, 10); /* s@ and e@ leave the rest alone */
    CHECK_EQ(cli_offset_parse(&o, "yesterday", err, sizeof err), -1);
    CHECK(strstr(err, "yesterday") != NULL);
    CHECK_EQ(cli_offset_parse(&o, "s@", err, sizeof err), -1);
    CHECK_EQ(cli_offset_parse(&o, "12x", err, sizeof err), -1);
}

typedef struct seen {
    char text[512];
    int fail_on_b;
} seen;

static int collect(void *opaque, const char *key, const char *value, char *err, size_t errlen) {
    seen *s = opaque;
    if (s->fail_on_b && !strcmp(key, "b")) {
        snprintf(err, errlen, "no b");
        return -1;
    }
    size_t n = strlen(s->text);
    snprintf(s->text + n, sizeof s->text - n, "[%s]=[%s]", key, value);
    return 0;
}

static FILE *text_file(const char *s) {
    return fmemopen((void *)s, strlen(s), "r");
}

TEST(config_files) {
    seen s = {"", 0};
    char err[256];
    FILE *f = text_file("# comment\n\n  a = 1  \nurl=http\\://x\\=y\nempty=\n");
    CHECK_EQ(cli_conffile_read(f, "f.conf", collect, &s, err, sizeof err), 0);
    fclose(f);
    CHECK_STR(s.text, "[a]=[1][url]=[http://x=y][empty]=[]");

    f = text_file("a=1\nnot a property\n");
    CHECK_EQ(cli_conffile_read(f, "f.conf", collect, &s, err, sizeof err), -1);
    fclose(f);
    CHECK_STR(err, "f.conf:2: expected property=value");

    s.fail_on_b = 1;
    f = text_file("a=1\n=x\n");
    CHECK_EQ(cli_conffile_read(f, "g", collect, &s, err, sizeof err), -1);
    fclose(f);
    CHECK_STR(err, "g:2: expected property=value");
    f = text_file("b=2\n");
    CHECK_EQ(cli_conffile_read(f, "g", collect, &s, err, sizeof err), -1);
    fclose(f);
    CHECK_STR(err, "g:1: no b");
}

/* Feeds data through a pipe and splits it at delim. */
static int split(const char *data, size_t len, const char *delim, size_t max, char *out,
                 size_t outlen) {
    int fds[2];
    if (pipe(fds)) return -1;
    if (write(fds[1], data, len) != (ssize_t)len) return -1;
    close(fds[1]);
    cli_reader r;
    cli_reader_init(&r, fds[0], delim, strlen(delim), max);
    const char *m;
    size_t n;
    int got, count = 0;
    out[0] = '\0';
    while ((got = cli_reader_next(&r, &m, &n)) == 1) {
        size_t used = strlen(out);
        snprintf(out + used, outlen - used, "<%.*s>", (int)n, m);
        count++;
    }
    cli_reader_free(&r);
    close(fds[0]);
    return got < 0 ? -1 : count;
}

TEST(input_splitting) {
    char out[256];
    CHECK_EQ(split("a\nbb\n\nccc", 9, "\n", 100, out, sizeof out), 4);
    CHECK_STR(out, "<a><bb><><ccc>");
    CHECK_EQ(split("k;;v;;;;x;", 10, ";;", 100, out, sizeof out), 4);
    CHECK_STR(out, "<k><v><><x;>");
    CHECK_EQ(split("", 0, "\n", 100, out, sizeof out), 0);
    CHECK_EQ(split("short\ntoo long\n", 15, "\n", 5, out, sizeof out), -1);
}

TEST(input_larger_than_one_read) {
    size_t len = 300000;
    char *data = malloc(len);
    REQUIRE(data);
    memset(data, 'x', len);
    data[100000] = '|';
    data[len - 1] = '|';
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    /* A pipe holds 64 KiB: write from a child so reads come in pieces. */
    if (fork() == 0) {
        close(fds[0]);
        _exit(write(fds[1], data, len) == (ssize_t)len ? 0 : 1);
    }
    close(fds[1]);
    cli_reader r;
    cli_reader_init(&r, fds[0], "|", 1, 1 << 20);
    const char *m;
    size_t n;
    CHECK_EQ(cli_reader_next(&r, &m, &n), 1);
    CHECK_EQ(n, 100000);
    CHECK_EQ(cli_reader_next(&r, &m, &n), 1);
    CHECK_EQ(n, len - 100002);
    CHECK_EQ(cli_reader_next(&r, &m, &n), 0);
    cli_reader_free(&r);
    close(fds[0]);
    free(data);
}

static void on_alarm(int sig) {
    (void)sig;
}

/* A signal during a read is returned (kfk -P stops on Ctrl-C while stdin is
 * idle); the reader keeps what it had and goes on when called again. */
TEST(input_interrupted_read) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    REQUIRE(write(fds[1], "a\nb", 3) == 3);
    struct sigaction sa = {.sa_handler = on_alarm}, old; /* no SA_RESTART */
    sigaction(SIGALRM, &sa, &old);
    cli_reader r;
    cli_reader_init(&r, fds[0], "\n", 1, 100);
    const char *m;
    size_t n;
    CHECK_EQ(cli_reader_next(&r, &m, &n), 1);
    CHECK_EQ(n, 1);
    /* Repeats, in case it fires before the read blocks. */
    struct itimerval every = {.it_interval = {0, 20000}, .it_value = {0, 20000}}, off = {0};
    setitimer(ITIMER_REAL, &every, NULL);
    errno = 0;
    CHECK_EQ(cli_reader_next(&r, &m, &n), -1);
    CHECK_EQ(errno, EINTR);
    setitimer(ITIMER_REAL, &off, NULL);
    sigaction(SIGALRM, &old, NULL);
    REQUIRE(write(fds[1], "c\n", 2) == 2);
    close(fds[1]);
    CHECK_EQ(cli_reader_next(&r, &m, &n), 1);
    CHECK_EQ(n, 2);
    CHECK_MEM(m, "bc", 2);
    CHECK_EQ(cli_reader_next(&r, &m, &n), 0);
    cli_reader_free(&r);
    close(fds[0]);
}
