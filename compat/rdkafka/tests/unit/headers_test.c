/* Message headers: the same operations on ours and on Debian's librdkafka
 * 2.0.2 give the same answers. */
#include <librdkafka/rdkafka.h>

#include "debian_rdk.h"
#include "test.h"

typedef rd_kafka_headers_t hdrs;

typedef struct api {
    hdrs *(*new_)(size_t);
    void (*destroy)(hdrs *);
    hdrs *(*copy)(const hdrs *);
    rd_kafka_resp_err_t (*add)(hdrs *, const char *, ssize_t, const void *, ssize_t);
    rd_kafka_resp_err_t (*remove)(hdrs *, const char *);
    rd_kafka_resp_err_t (*get_last)(const hdrs *, const char *, const void **, size_t *);
    rd_kafka_resp_err_t (*get)(const hdrs *, size_t, const char *, const void **, size_t *);
    rd_kafka_resp_err_t (*get_all)(const hdrs *, size_t, const char **, const void **,
                                   size_t *);
    size_t (*cnt)(const hdrs *);
} api;

static const api ours = {rd_kafka_headers_new,     rd_kafka_headers_destroy,
                         rd_kafka_headers_copy,    rd_kafka_header_add,
                         rd_kafka_header_remove,   rd_kafka_header_get_last,
                         rd_kafka_header_get,      rd_kafka_header_get_all,
                         rd_kafka_header_cnt};

static int load_debian(api *a) {
#define SYM(f, n) (a->f = (__typeof__(a->f))debian_sym(n))
    SYM(new_, "rd_kafka_headers_new"), SYM(destroy, "rd_kafka_headers_destroy");
    SYM(copy, "rd_kafka_headers_copy"), SYM(add, "rd_kafka_header_add");
    SYM(remove, "rd_kafka_header_remove"), SYM(get_last, "rd_kafka_header_get_last");
    SYM(get, "rd_kafka_header_get"), SYM(get_all, "rd_kafka_header_get_all");
    SYM(cnt, "rd_kafka_header_cnt");
#undef SYM
    return a->new_ && a->destroy && a->copy && a->add && a->remove && a->get_last && a->get &&
           a->get_all && a->cnt;
}

/* A transcript of what a sequence of calls answered. */
typedef struct transcript {
    char buf[4096];
    size_t len;
} transcript;

static void say(transcript *t, const char *what, int err, const void *v, size_t n) {
    int w = snprintf(t->buf + t->len, sizeof(t->buf) - t->len, "%s=%d:", what, err);
    if (w > 0) t->len += (size_t)w;
    if (!err && !v) t->len += (size_t)snprintf(t->buf + t->len, sizeof(t->buf) - t->len, "NULL");
    for (size_t i = 0; !err && v && i < n && t->len + 4 < sizeof(t->buf); i++)
        t->len += (size_t)snprintf(t->buf + t->len, sizeof(t->buf) - t->len, "%02x",
                                   ((const unsigned char *)v)[i]);
    /* Values are NUL-terminated after their size. */
    if (!err && v && t->len + 4 < sizeof(t->buf))
        t->len += (size_t)snprintf(t->buf + t->len, sizeof(t->buf) - t->len, "%s",
                                   ((const char *)v)[n] == '\0' ? "|0" : "|?");
    if (t->len + 1 < sizeof(t->buf)) t->buf[t->len++] = ' ';
    t->buf[t->len] = '\0';
}

static void dump_all(const api *a, const hdrs *h, transcript *t) {
    const char *name;
    const void *v;
    size_t n;
    char what[64];
    for (size_t i = 0; i <= a->cnt(h); i++) {
        int err = a->get_all(h, i, &name, &v, &n);
        snprintf(what, sizeof(what), "all%zu(%s)", i, err ? "-" : name);
        say(t, what, err, v, n);
    }
}

static void scenario(const api *a, transcript *t) {
    const void *v;
    size_t n;
    hdrs *h = a->new_(1);
    say(t, "add", a->add(h, "k", -1, "v1", -1), NULL, 0);
    say(t, "add", a->add(h, "bin", 3, "a\0b", 3), NULL, 0);
    say(t, "add", a->add(h, "null", -1, NULL, 0), NULL, 0);
    say(t, "add", a->add(h, "nullsz", -1, NULL, 5), NULL, 0);
    say(t, "add", a->add(h, "kx", 1, "v2", 2), NULL, 0); /* name "k" */
    say(t, "add", a->add(h, "empty", -1, "", 0), NULL, 0);
    say(t, "cnt", (int)a->cnt(h), NULL, 0);
    int err = a->get_last(h, "k", &v, &n);
    say(t, "last k", err, v, n);
    err = a->get_last(h, "null", &v, &n);
    say(t, "last null", err, v, n);
    err = a->get_last(h, "none", &v, &n);
    say(t, "last none", err, NULL, 0);
    for (size_t i = 0; i < 3; i++) {
        err = a->get(h, i, "k", &v, &n);
        say(t, "get k", err, v, n);
    }
    dump_all(a, h, t);
    hdrs *c = a->copy(h);
    say(t, "rm k", a->remove(h, "k"), NULL, 0);
    say(t, "rm k", a->remove(h, "k"), NULL, 0);
    say(t, "cnt", (int)a->cnt(h), NULL, 0);
    dump_all(a, h, t);
    dump_all(a, c, t);
    for (int i = 0; i < 50; i++) a->add(c, "many", -1, "x", 1);
    say(t, "cnt copy", (int)a->cnt(c), NULL, 0);
    a->destroy(h);
    a->destroy(c);
}

TEST(headers_match_debian) {
    api theirs;
    REQUIRE(load_debian(&theirs));
    static transcript to, tt;
    scenario(&ours, &to);
    scenario(&theirs, &tt);
    CHECK(to.len > 200);
    CHECK_STR(to.buf, tt.buf);
}

TEST(headers_basics) {
    hdrs *h = rd_kafka_headers_new(0);
    REQUIRE(h);
    CHECK_EQ(rd_kafka_header_cnt(h), 0);
    const void *v;
    size_t n;
    CHECK_EQ(rd_kafka_header_get_last(h, "a", &v, &n), RD_KAFKA_RESP_ERR__NOENT);
    CHECK_EQ(rd_kafka_header_remove(h, "a"), RD_KAFKA_RESP_ERR__NOENT);
    CHECK_EQ(rd_kafka_header_add(h, "a", -1, "1", -1), 0);
    CHECK_EQ(rd_kafka_header_add(h, "a", -1, "22", -1), 0);
    CHECK_EQ(rd_kafka_header_get_last(h, "a", &v, &n), 0);
    CHECK_EQ(n, 2);
    CHECK_MEM(v, "22", 2);
    CHECK_EQ(rd_kafka_header_get(h, 0, "a", &v, &n), 0);
    CHECK_EQ(n, 1);
    CHECK_EQ(rd_kafka_header_get(h, 2, "a", &v, &n), RD_KAFKA_RESP_ERR__NOENT);
    rd_kafka_headers_destroy(h);
}
