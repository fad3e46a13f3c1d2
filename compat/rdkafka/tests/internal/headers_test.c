/* headers.c's conversions between librdkafka's headers and kfk_header arrays. */
#include "rdk_int.h"
#include "test.h"

TEST(from_kfk_and_back) {
    kfk_header in[3] = {{"a", "1", 1}, {"n", NULL, 0}, {"b", "x\0y", 3}};
    rd_kafka_headers_t *h = rdk_headers_from_kfk(in, 3);
    REQUIRE(h);
    REQUIRE_EQ(rd_kafka_header_cnt(h), 3);
    const void *v;
    size_t n;
    CHECK_EQ(rd_kafka_header_get_last(h, "b", &v, &n), 0);
    CHECK_EQ(n, 3);
    CHECK_MEM(v, "x\0y\0", 4);
    CHECK(v != in[2].value); /* copied */
    CHECK_EQ(rd_kafka_header_get_last(h, "n", &v, &n), 0);
    CHECK(v == NULL);

    /* Changes mix the block's headers with added ones. */
    CHECK_EQ(rd_kafka_header_remove(h, "a"), 0);
    for (int i = 0; i < 20; i++) CHECK_EQ(rd_kafka_header_add(h, "c", -1, "z", 1), 0);
    kfk_header out[8];
    CHECK_EQ(rdk_headers_to_kfk(h, out, 8), 8); /* of 22 */
    CHECK_STR(out[0].name, "n");
    CHECK(out[0].value == NULL);
    CHECK_STR(out[1].name, "b");
    CHECK_EQ(out[1].value_len, 3);
    CHECK_STR(out[2].name, "c");
    CHECK_MEM(out[2].value, "z", 1);

    rd_kafka_headers_t *c = rd_kafka_headers_copy(h);
    REQUIRE(c);
    CHECK_EQ(rd_kafka_header_cnt(c), 22);
    rd_kafka_headers_destroy(h);
    rd_kafka_headers_destroy(c);

    h = rdk_headers_from_kfk(NULL, 0);
    REQUIRE(h);
    CHECK_EQ(rd_kafka_header_cnt(h), 0);
    CHECK_EQ(rdk_headers_to_kfk(h, out, 8), 0);
    rd_kafka_headers_destroy(h);
}
