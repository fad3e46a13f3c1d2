#include <stdlib.h>

#include "records/crc32c.h"
#include "test.h"

/* Bit at a time, straight from the definition: the reference. */
static uint32_t crc32c_bitwise(uint32_t crc, const uint8_t *p, size_t n) {
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int i = 0; i < 8; i++) crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78u : crc >> 1;
    }
    return ~crc;
}

static uint8_t *random_bytes(size_t n, unsigned seed) {
    uint8_t *p = malloc(n);
    srand(seed);
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)rand();
    return p;
}

/* Every implementation this CPU can run must agree with the reference. */
static void check_all(const uint8_t *p, size_t n) {
    uint32_t want = crc32c_bitwise(0, p, n);
    CHECK_EQ(kfk_crc32c(0, p, n), want);
    CHECK_EQ(kfk_crc32c_sw(0, p, n), want);
    if (kfk_crc32c_hw_available()) CHECK_EQ(kfk_crc32c_hw(0, p, n), want);
}

TEST(check_value) {
    CHECK_EQ(kfk_crc32c(0, "123456789", 9), 0xE3069283u);
    CHECK_EQ(kfk_crc32c_sw(0, "123456789", 9), 0xE3069283u);
    CHECK_EQ(kfk_crc32c(0, "", 0), 0);
    CHECK_EQ(kfk_crc32c(0x12345678, NULL, 0), 0x12345678);
}

/* RFC 3720 appendix B.4. */
TEST(rfc3720_vectors) {
    uint8_t buf[32];
    memset(buf, 0, sizeof buf);
    check_all(buf, 32);
    CHECK_EQ(kfk_crc32c(0, buf, 32), 0x8A9136AAu);
    memset(buf, 0xff, sizeof buf);
    check_all(buf, 32);
    CHECK_EQ(kfk_crc32c(0, buf, 32), 0x62A8AB43u);
    for (int i = 0; i < 32; i++) buf[i] = (uint8_t)i;
    check_all(buf, 32);
    CHECK_EQ(kfk_crc32c(0, buf, 32), 0x46DD794Eu);
    for (int i = 0; i < 32; i++) buf[i] = (uint8_t)(31 - i);
    check_all(buf, 32);
    CHECK_EQ(kfk_crc32c(0, buf, 32), 0x113FDB5Cu);
    static const uint8_t pdu[48] = {
        0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
        0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    check_all(pdu, sizeof pdu);
    CHECK_EQ(kfk_crc32c(0, pdu, sizeof pdu), 0xD9963A56u);
}

TEST(every_length_and_alignment) {
    uint8_t *buf = random_bytes(1000 + 16, 1);
    for (size_t n = 0; n <= 1000; n++)
        for (size_t off = 0; off < 8; off++) check_all(buf + off, n);
    free(buf);
}

/* Sizes around the three-way block boundaries (3 x 256 and 3 x 8192 bytes)
 * exercise the shift-table joins. */
TEST(long_buffers_and_block_edges) {
    size_t cap = 3 * 8192 * 3 + 3 * 256 * 2 + 64;
    uint8_t *buf = random_bytes(cap, 2);
    static const size_t sizes[] = {767, 768, 769, 3 * 256 * 2 + 7, 24575, 24576, 24577,
                                   24576 + 768 + 9, 3 * 8192 * 3 + 3 * 256 * 2 + 40};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (size_t off = 0; off < 8; off++) check_all(buf + off, sizes[i]);
    free(buf);
}

TEST(random_offsets_lengths_and_chaining) {
    size_t cap = 200000;
    uint8_t *buf = random_bytes(cap, 3);
    srand(4);
    for (int i = 0; i < 300; i++) {
        size_t off = (size_t)rand() % 1000, n = (size_t)rand() % (cap - 1000);
        size_t cut = n ? (size_t)rand() % n : 0;
        const uint8_t *p = buf + off;
        uint32_t whole = crc32c_bitwise(0, p, n);
        CHECK_EQ(kfk_crc32c(kfk_crc32c(0, p, cut), p + cut, n - cut), whole);
        CHECK_EQ(kfk_crc32c_sw(kfk_crc32c_sw(0, p, cut), p + cut, n - cut), whole);
        if (kfk_crc32c_hw_available())
            CHECK_EQ(kfk_crc32c_hw(kfk_crc32c_hw(0, p, cut), p + cut, n - cut), whole);
    }
    free(buf);
}
