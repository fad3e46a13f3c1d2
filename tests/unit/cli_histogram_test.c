/* kfk perf produce's latency histogram: its buckets tile the values, and
 * its quantiles agree with a sorted array to within a bucket. */
#include <stdlib.h>

#include "histogram.h"
#include "test.h"

TEST(buckets_tile_the_range) {
    /* Each bucket starts where the one before ends, up to the last. */
    for (int i = 1; i < CLI_HIST_BUCKETS; i++)
        CHECK_EQ(cli_histogram_low(i), cli_histogram_low(i - 1) + cli_histogram_width(i - 1));
    CHECK_EQ(cli_histogram_bucket(0), 0);
    CHECK_EQ(cli_histogram_bucket(-5), 0);
    CHECK_EQ(cli_histogram_bucket(255), 255);
    CHECK_EQ(cli_histogram_bucket(256), 256);
    CHECK_EQ(cli_histogram_bucket(257), 256);
    CHECK_EQ(cli_histogram_bucket(INT64_MAX), CLI_HIST_BUCKETS - 1);
    int64_t probes[] = {1, 200, 256, 511, 512, 1000, 123456, 1LL << 40, (1LL << 40) + 12345,
                        INT64_MAX / 3};
    for (size_t k = 0; k < sizeof probes / sizeof *probes; k++) {
        int64_t v = probes[k];
        int i = cli_histogram_bucket(v);
        CHECK(cli_histogram_low(i) <= v);
        CHECK(v - cli_histogram_low(i) < cli_histogram_width(i));
        /* half a bucket is within 0.4% of its values */
        CHECK(cli_histogram_width(i) / 2 <= v / 256 + 1);
    }
}

TEST(empty_and_single) {
    cli_histogram *h = malloc(sizeof *h);
    REQUIRE(h != NULL);
    cli_histogram_init(h);
    CHECK_EQ(cli_histogram_quantile(h, 0.5), 0);
    cli_histogram_add(h, 7777);
    CHECK_EQ(cli_histogram_quantile(h, 0.0), 7777); /* kept within [min, max] */
    CHECK_EQ(cli_histogram_quantile(h, 0.999), 7777);
    CHECK_EQ(cli_histogram_quantile(h, 1.0), 7777);
    CHECK_EQ(h->count, 1);
    CHECK_EQ(h->max, 7777);
    free(h);
}

static int cmp(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

TEST(quantiles_match_a_sort) {
    enum { N = 100000 };
    static int64_t v[N];
    cli_histogram *h = malloc(sizeof *h);
    REQUIRE(h != NULL);
    cli_histogram_init(h);
    uint64_t x = 88172645463325252ULL;
    double sum = 0;
    for (int i = 0; i < N; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        /* a long tail: most small, some up to ~2^30 */
        v[i] = (int64_t)(x % 1000) << (x >> 60) * 2;
        sum += (double)v[i];
        cli_histogram_add(h, v[i]);
    }
    qsort(v, N, sizeof *v, cmp);
    const double qs[] = {0.0, 0.5, 0.95, 0.99, 0.999, 1.0};
    for (size_t k = 0; k < sizeof qs / sizeof *qs; k++) {
        int64_t idx = (int64_t)(qs[k] * N);
        int64_t want = v[idx < N ? idx : N - 1], got = cli_histogram_quantile(h, qs[k]);
        int64_t tol = want / 256 + 1;
        CHECK(got >= want - tol && got <= want + tol);
    }
    CHECK_EQ(h->count, N);
    CHECK_EQ(h->min, v[0]);
    CHECK_EQ(h->max, v[N - 1]);
    CHECK(h->sum == sum);
    free(h);
}

TEST(small_values_are_exact) {
    cli_histogram *h = malloc(sizeof *h);
    REQUIRE(h != NULL);
    cli_histogram_init(h);
    for (int i = 0; i < 200; i++) cli_histogram_add(h, i % 100); /* 0..99 twice */
    CHECK_EQ(cli_histogram_quantile(h, 0.5), 50);
    CHECK_EQ(cli_histogram_quantile(h, 0.99), 99);
    CHECK_EQ(cli_histogram_quantile(h, 0.0), 0);
    free(h);
}
