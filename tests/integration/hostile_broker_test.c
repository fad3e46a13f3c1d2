/* A hostile broker (tests/integration/stub_broker.h) answers real kfk
 * client requests with malformed, truncated and oversized responses, from
 * the fuzz corpora plus mutations. The client must survive each (ASan
 * and UBSan watch for over-reads), report an error for each one that is
 * certainly bad, and work again as soon as the stub answers correctly.
 * Needs no real broker. */
#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>

#include "it.h"
#include "records/records.h"
#include "stub_broker.h"

/* The source tree, from this file's path (CMake compiles it by its
 * absolute path). */
static void source_dir(char *buf, size_t len) {
    const char *tail = strstr(__FILE__, "tests/integration/");
    int n = tail ? (int)(tail - __FILE__) : 0;
    snprintf(buf, len, "%.*s", n, __FILE__);
    if (!*buf) snprintf(buf, len, "./");
}

typedef struct corpus {
    char name[256];
    uint8_t *data;
    size_t len;
} corpus;

/* Every file of fuzz/corpus/<what>, sorted by name. */
static int load_corpus(const char *what, corpus *out, int max) {
    char dir[512], root[256];
    source_dir(root, sizeof root);
    snprintf(dir, sizeof dir, "%sfuzz/corpus/%s", root, what);
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort), count = 0;
    if (n < 0) {
        kfk_test_fail(__FILE__, __LINE__, "cannot read %s", dir);
        return 0;
    }
    for (int i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        struct stat st;
        FILE *f = names[i]->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode)
                      ? fopen(path, "rb")
                      : NULL;
        if (f && count < max) {
            corpus *c = &out[count++];
            snprintf(c->name, sizeof c->name, "%s", names[i]->d_name);
            c->len = (size_t)st.st_size;
            c->data = malloc(c->len ? c->len : 1);
            if (fread(c->data, 1, c->len, f) != c->len) c->len = 0;
        }
        if (f) fclose(f);
        free(names[i]);
    }
    free(names);
    return count;
}

/* ------------------------------------------------------------- client */

/* Decodes a Fetch response as a consumer would and reads every record. */
static int read_fetch(void *opaque, kfk_response *resp) {
    kfk_arena a = {0};
    kfk_fetch_response m;
    kfk_rbuf body = resp->body;
    int rc = kfk_fetch_response_decode(&body, resp->version, &a, &m);
    kfk_wbuf zbuf = {0};
    for (int32_t t = 0; !rc && t < m.responses.count; t++) {
        for (int32_t p = 0; !rc && p < m.responses.items[t].partitions.count; p++) {
            kfk_bytes rec = m.responses.items[t].partitions.items[p].records;
            if (rec.len <= 0) continue;
            kfk_records_iter it;
            kfk_records_iter_init(&it, rec.ptr, (size_t)rec.len, &zbuf, 1 << 20, 0);
            kfk_record r;
            int n;
            while ((n = kfk_records_next(&it, &r)) == 1) {
            }
            rc = n;
        }
    }
    kfk_wbuf_free(&zbuf);
    kfk_arena_reset(&a);
    return rc < 0 ? rc : 0;
}

static int fetch(kfk_core *c, char *err, size_t errlen) {
    kfk_fetch_request m;
    kfk_fetch_request_init(&m);
    m.max_wait_ms = 0;
    kfk_core_req r = {.dest = KFK_DEST_ANY};
    r.req = (kfk_request){.api_key = KFK_API_FETCH, .max_version = -1, .msg = &m,
                          .timeout_ms = 2000};
    return kfk_core_send_wait(c, &r, read_fetch, NULL, err, errlen);
}

static kfk_core *stub_client(const stub_broker *s) {
    char boot[64];
    snprintf(boot, sizeof boot, "127.0.0.1:%d", s->port);
    kfk_core_conf conf;
    it_conf(&conf, boot);
    conf.reconnect_backoff_ms = 5;
    conf.reconnect_backoff_max_ms = 20;
    conf.request_timeout_ms = 2000;
    conf.receive_message_max_bytes = 1 << 20;
    return it_core(&conf);
}

/* ----------------------------------------------------------- answers */

/* A whole frame: size, correlation id (patched by the stub), body. */
static void frame(kfk_wbuf *w, const void *body, size_t len) {
    w->len = 0;
    kfk_wr_i32(w, (int32_t)(4 + len));
    kfk_wr_i32(w, 0);
    kfk_wr_raw(w, body, len);
}

/* A valid FetchResponse v4 whose one partition holds `records`. */
static void fetch_with_records(kfk_wbuf *w, const uint8_t *records, size_t len) {
    kfk_fetch_response_partition_data pd = {.partition_index = 0, .high_watermark = 100,
                                            .last_stable_offset = 100, .log_start_offset = 0,
                                            .records = {records, (int32_t)len}};
    kfk_fetch_response_fetchable_topic_response tr = {.topic = {"t", 1}};
    tr.partitions.items = &pd;
    tr.partitions.count = 1;
    pd.aborted_transactions.count = 0;
    kfk_fetch_response m;
    kfk_fetch_response_init(&m);
    m.responses.items = &tr;
    m.responses.count = 1;
    kfk_wbuf body = {0};
    kfk_fetch_response_encode(&body, 4, &m);
    frame(w, body.data, body.len);
    kfk_wbuf_free(&body);
}

typedef struct tally {
    int cases, reported, recovered;
} tally;

/* Sends the hostile answer, then a good one: the first fetch must not
 * crash (and must fail when must_fail), the next must succeed. */
static void attack(kfk_core *c, stub_broker *s, const char *what, const kfk_wbuf *evil,
                   int must_fail, tally *t) {
    char err[320] = "";
    stub_set_evil(s, evil->data, evil->len);
    int rc = fetch(c, err, sizeof err);
    t->cases++;
    if (rc) t->reported++;
    if (must_fail && !rc) kfk_test_fail(__FILE__, __LINE__, "%s: accepted", what);
    int ok = fetch(c, err, sizeof err);
    if (ok) kfk_test_fail(__FILE__, __LINE__, "%s: no recovery: %s", what, err);
    else t->recovered++;
}

TEST(survives_framing_attacks) {
    stub_broker s;
    REQUIRE(stub_start(&s) == 0);
    kfk_core *c = stub_client(&s);
    REQUIRE(c);
    char err[320];
    REQUIRE_EQ(fetch(c, err, sizeof err), 0);
    tally t = {0};
    kfk_wbuf w = {0};
    const int32_t sizes[] = {INT32_MAX, -1, INT32_MIN, 0, 3, (1 << 20) + 1};
    for (int i = 0; i < 6; i++) {
        w.len = 0;
        kfk_wr_i32(&w, sizes[i]);
        kfk_wr_i32(&w, 0);
        kfk_wr_i32(&w, 0);
        attack(c, &s, "absurd frame size", &w, 1, &t);
    }
    /* Truncated: the size promises more than comes before the stub moves on. */
    uint8_t junk[16] = {0};
    frame(&w, junk, sizeof junk);
    kfk_put_u32(w.data, 200);
    attack(c, &s, "short frame", &w, 1, &t);
    /* Counts and lengths no body can hold. */
    uint8_t huge_array[] = {0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff};
    frame(&w, huge_array, sizeof huge_array);
    attack(c, &s, "2 GiB array count", &w, 1, &t);
    uint8_t neg_array[] = {0, 0, 0, 0, 0x80, 0, 0, 0};
    frame(&w, neg_array, sizeof neg_array);
    attack(c, &s, "negative array count", &w, 1, &t);
    uint8_t neg_string[] = {0, 0, 0, 0, 0, 0, 0, 1, 0x80, 0x00, 't'};
    frame(&w, neg_string, sizeof neg_string);
    attack(c, &s, "negative string length", &w, 1, &t);
    /* A frame for no request: the correlation id does not match. */
    kfk_wbuf good = {0};
    fetch_with_records(&good, NULL, 0);
    w.len = 0;
    kfk_wr_raw(&w, good.data, good.len);
    kfk_wr_raw(&w, good.data, good.len);
    kfk_put_u32(w.data + good.len + 4, 12345);
    attack(c, &s, "unsolicited frame", &w, 0, &t);
    kfk_wbuf_free(&good);
    kfk_wbuf_free(&w);
    printf("     %d attacks, %d reported, %d recovered, %d connections\n", t.cases, t.reported,
           t.recovered, atomic_load(&s.connections));
    kfk_core_destroy(c);
    stub_stop(&s);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t next_rand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

TEST(survives_the_response_corpus_and_its_mutations) {
    static corpus files[64];
    int n = load_corpus("response", files, 64);
    REQUIRE(n > 0);
    stub_broker s;
    REQUIRE(stub_start(&s) == 0);
    kfk_core *c = stub_client(&s);
    REQUIRE(c);
    tally t = {0};
    kfk_wbuf w = {0};
    for (int i = 0; i < n; i++) {
        /* Byte 0 and 1 pick the fuzzer's message; the rest is the body. */
        const uint8_t *body = files[i].data + 2;
        size_t len = files[i].len > 2 ? files[i].len - 2 : 0;
        frame(&w, body, len);
        attack(c, &s, files[i].name, &w, 0, &t);
        frame(&w, body, len / 2);
        attack(c, &s, files[i].name, &w, 0, &t);
        for (int m = 0; m < 4 && len; m++) {
            frame(&w, body, len);
            for (int k = 0; k < 4; k++) w.data[8 + next_rand() % len] = (uint8_t)next_rand();
            attack(c, &s, files[i].name, &w, 0, &t);
        }
        free(files[i].data);
    }
    kfk_wbuf_free(&w);
    printf("     %d answers from %d corpus files: %d reported, %d recovered\n", t.cases, n,
           t.reported, t.recovered);
    CHECK(t.reported > 0);
    kfk_core_destroy(c);
    stub_stop(&s);
}

TEST(survives_the_batch_corpus_and_its_mutations) {
    static corpus files[64];
    int n = load_corpus("batch", files, 64);
    REQUIRE(n > 0);
    stub_broker s;
    REQUIRE(stub_start(&s) == 0);
    kfk_core *c = stub_client(&s);
    REQUIRE(c);
    tally t = {0};
    kfk_wbuf w = {0};
    for (int i = 0; i < n; i++) {
        uint8_t *b = files[i].data;
        size_t len = files[i].len;
        fetch_with_records(&w, b, len);
        attack(c, &s, files[i].name, &w, 0, &t);
        if (len >= 61 && b[16] == 2) {
            /* A v2 batch claiming 2^31-1 records, then a huge length. */
            uint8_t save[4];
            memcpy(save, b + 57, 4);
            kfk_put_u32(b + 57, 0x7fffffff);
            fetch_with_records(&w, b, len);
            attack(c, &s, "record count 2^31-1", &w, 1, &t);
            memcpy(b + 57, save, 4);
            memcpy(save, b + 8, 4);
            kfk_put_u32(b + 8, 0x7ffffff0);
            fetch_with_records(&w, b, len);
            attack(c, &s, "batch length 2 GiB", &w, 0, &t);
            memcpy(b + 8, save, 4);
        }
        for (int m = 0; m < 6 && len; m++) {
            uint8_t *copy = malloc(len);
            memcpy(copy, b, len);
            for (int k = 0; k < 3; k++) copy[next_rand() % len] = (uint8_t)next_rand();
            fetch_with_records(&w, copy, len);
            attack(c, &s, files[i].name, &w, 0, &t);
            free(copy);
        }
        free(b);
    }
    kfk_wbuf_free(&w);
    printf("     %d answers from %d batch files: %d reported, %d recovered\n", t.cases, n,
           t.reported, t.recovered);
    CHECK(t.reported > 0);
    kfk_core_destroy(c);
    stub_stop(&s);
}
