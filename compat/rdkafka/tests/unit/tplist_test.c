/* Topic+partition lists: the same operations on ours and on Debian's
 * librdkafka 2.0.2 leave the same lists. */
#include <librdkafka/rdkafka.h>
#include <stdlib.h>

#include "debian_rdk.h"
#include "test.h"

typedef rd_kafka_topic_partition_list_t tpl;
typedef rd_kafka_topic_partition_t tpar;
typedef int (*sort_cmp)(const void *, const void *, void *);

typedef struct api {
    tpl *(*new_)(int);
    void (*destroy)(tpl *);
    tpar *(*add)(tpl *, const char *, int32_t);
    void (*add_range)(tpl *, const char *, int32_t, int32_t);
    int (*del)(tpl *, const char *, int32_t);
    int (*del_by_idx)(tpl *, int);
    tpl *(*copy)(const tpl *);
    rd_kafka_resp_err_t (*set_offset)(tpl *, const char *, int32_t, int64_t);
    tpar *(*find)(const tpl *, const char *, int32_t);
    void (*sort)(tpl *, sort_cmp, void *);
    void *(*malloc_)(size_t); /* what the list's destroy frees with */
} api;

static const api ours = {
    rd_kafka_topic_partition_list_new,        rd_kafka_topic_partition_list_destroy,
    rd_kafka_topic_partition_list_add,        rd_kafka_topic_partition_list_add_range,
    rd_kafka_topic_partition_list_del,        rd_kafka_topic_partition_list_del_by_idx,
    rd_kafka_topic_partition_list_copy,       rd_kafka_topic_partition_list_set_offset,
    rd_kafka_topic_partition_list_find,       rd_kafka_topic_partition_list_sort,
    malloc,
};

static int load_debian(api *a) {
#define SYM(f, n) (a->f = (__typeof__(a->f))debian_sym("rd_kafka_topic_partition_list_" n))
    SYM(new_, "new"), SYM(destroy, "destroy"), SYM(add, "add"), SYM(add_range, "add_range");
    SYM(del, "del"), SYM(del_by_idx, "del_by_idx"), SYM(copy, "copy");
    SYM(set_offset, "set_offset"), SYM(find, "find"), SYM(sort, "sort");
#undef SYM
    a->malloc_ = (__typeof__(a->malloc_))debian_sym("malloc");
    return a->malloc_ && a->new_ && a->destroy && a->add && a->add_range && a->del &&
           a->del_by_idx && a->copy && a->set_offset && a->find && a->sort;
}

static int by_partition_desc(const void *a, const void *b, void *opaque) {
    ++*(int *)opaque;
    const tpar *x = a, *y = b;
    return (y->partition > x->partition) - (y->partition < x->partition);
}

/* Results a scenario returns besides its list. */
typedef struct results {
    int r[16];
    int n;
    int sort_calls;
} results;

static char *dup_bytes(const api *a, const char *s, size_t n) {
    char *p = a->malloc_(n);
    memcpy(p, s, n);
    return p;
}

/* The operations every list function is checked with. Returns the list. */
static tpl *scenario(const api *a, results *res, tpl **copyp) {
    res->n = 0;
    res->sort_calls = 0;
    tpl *l = a->new_(2);
    tpar *p = a->add(l, "b", 1);
    res->r[res->n++] = p->offset == RD_KAFKA_OFFSET_INVALID;
    p->offset = 5;
    p->opaque = (void *)&by_partition_desc; /* the same in both runs */
    p->err = RD_KAFKA_RESP_ERR__STATE;
    a->add(l, "a", 3);
    a->add_range(l, "a", 0, 2);
    p = a->add(l, "c", 0);
    p->metadata = dup_bytes(a, "md\0x", 4); /* binary bytes, kept as given */
    p->metadata_size = 4;
    p->opaque = (void *)&by_partition_desc;
    p->err = RD_KAFKA_RESP_ERR__NOENT;
    a->add(l, "b", 1); /* a duplicate: find and del take the first */
    res->r[res->n++] = a->set_offset(l, "a", 1, 42);
    res->r[res->n++] = a->set_offset(l, "zz", 0, 1);
    res->r[res->n++] = a->find(l, "b", 1) == &l->elems[0];
    res->r[res->n++] = a->find(l, "a", 9) == NULL;
    res->r[res->n++] = a->del(l, "b", 1);
    res->r[res->n++] = a->del(l, "nope", 1);
    res->r[res->n++] = a->del_by_idx(l, 100);
    res->r[res->n++] = a->del_by_idx(l, -1);
    res->r[res->n++] = a->del_by_idx(l, 0);
    for (int i = 0; i < 40; i++) a->add(l, "d", i); /* grows */
    a->sort(l, by_partition_desc, &res->sort_calls);
    res->r[res->n++] = l->elems[0].partition;
    a->sort(l, NULL, NULL);
    *copyp = a->copy(l);
    return l;
}

static int same_bytes(const void *a, size_t an, const void *b, size_t bn) {
    return an == bn && (an == 0 || (a && b && !memcmp(a, b, an)));
}

static void check_same(const tpl *x, const tpl *y) {
    REQUIRE_EQ(x->cnt, y->cnt);
    CHECK_EQ(x->size, y->size);
    for (int i = 0; i < x->cnt; i++) {
        const tpar *a = &x->elems[i], *b = &y->elems[i];
        if (strcmp(a->topic, b->topic) || a->partition != b->partition ||
            a->offset != b->offset || a->err != b->err || a->opaque != b->opaque ||
            !same_bytes(a->metadata, a->metadata_size, b->metadata, b->metadata_size))
            kfk_test_fail(__FILE__, __LINE__,
                          "[%d]: %s/%d @%" PRId64 " err %d md %zu != Debian's %s/%d @%" PRId64
                          " err %d md %zu",
                          i, a->topic, a->partition, a->offset, a->err, a->metadata_size,
                          b->topic, b->partition, b->offset, b->err, b->metadata_size);
    }
}

TEST(lists_match_debian) {
    api theirs;
    REQUIRE(load_debian(&theirs));
    results ro, rt;
    tpl *co, *ct;
    tpl *lo = scenario(&ours, &ro, &co);
    tpl *lt = scenario(&theirs, &rt, &ct);
    REQUIRE_EQ(ro.n, rt.n);
    for (int i = 0; i < ro.n; i++) CHECK_EQ(ro.r[i], rt.r[i]);
    CHECK(ro.sort_calls > 0);
    check_same(lo, lt);
    check_same(co, ct);
    /* The copy is deep, opaque included. */
    tpar *m = ours.find(co, "c", 0);
    REQUIRE(m);
    CHECK(m->metadata != ours.find(lo, "c", 0)->metadata);
    CHECK(ours.find(co, "a", 1)->offset == 42);
    ours.destroy(lo);
    ours.destroy(co);
    theirs.destroy(lt);
    theirs.destroy(ct);
}

TEST(new_add_find_basics) {
    tpl *l = rd_kafka_topic_partition_list_new(0);
    REQUIRE(l);
    CHECK_EQ(l->cnt, 0);
    CHECK_EQ(l->size, 0);
    for (int i = 0; i < 1000; i++) {
        tpar *p = rd_kafka_topic_partition_list_add(l, "t", i);
        REQUIRE(p);
        CHECK_EQ(p->offset, RD_KAFKA_OFFSET_INVALID);
        CHECK(p->metadata == NULL && p->opaque == NULL && p->err == 0);
    }
    CHECK_EQ(l->cnt, 1000);
    CHECK(l->size >= 1000);
    CHECK_EQ(rd_kafka_topic_partition_list_find(l, "t", 777)->partition, 777);
    CHECK_EQ(rd_kafka_topic_partition_list_set_offset(l, "t", 5, RD_KAFKA_OFFSET_END), 0);
    CHECK_EQ(l->elems[5].offset, RD_KAFKA_OFFSET_END);
    CHECK_EQ(rd_kafka_topic_partition_list_set_offset(l, "u", 5, 1),
             RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION);
    rd_kafka_topic_partition_list_destroy(l);
}

TEST(sort_default_is_topic_then_partition) {
    tpl *l = rd_kafka_topic_partition_list_new(4);
    rd_kafka_topic_partition_list_add(l, "b", 0);
    rd_kafka_topic_partition_list_add(l, "a", 10);
    rd_kafka_topic_partition_list_add(l, "a", 2);
    rd_kafka_topic_partition_list_add(l, "ab", 1);
    rd_kafka_topic_partition_list_sort(l, NULL, NULL);
    CHECK_STR(l->elems[0].topic, "a");
    CHECK_EQ(l->elems[0].partition, 2);
    CHECK_EQ(l->elems[1].partition, 10);
    CHECK_STR(l->elems[2].topic, "ab");
    CHECK_STR(l->elems[3].topic, "b");
    rd_kafka_topic_partition_list_destroy(l);
}
