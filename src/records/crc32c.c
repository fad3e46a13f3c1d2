/* Portable slicing-by-8 CRC32C, the tables, and the runtime choice between
 * it and the CPU's instructions. */
#include "records/crc32c.h"

#include <pthread.h>

#include "records/crc32c_impl.h"

#define POLY 0x82f63b78u /* Castagnoli, bit-reflected */

static uint32_t table[8][256];
uint32_t kfk_crc32c_shift_long[4][256];
uint32_t kfk_crc32c_shift_short[4][256];

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int have_hw;

/* a(x) * b(x) mod P(x), bit-reflected (bit 31 is x^0). */
static uint32_t multmodp(uint32_t a, uint32_t b) {
    uint32_t p = 0;
    for (uint32_t m = 1u << 31; m; m >>= 1) {
        if (a & m) p ^= b;
        b = b & 1 ? (b >> 1) ^ POLY : b >> 1;
    }
    return p;
}

/* x^(8n) mod P: the operator that advances a CRC over n zero bytes. */
static uint32_t x8nmodp(size_t n) {
    uint32_t p = 1u << 31, sq = 1u << 23; /* x^0, x^8 */
    for (; n; n >>= 1) {
        if (n & 1) p = multmodp(sq, p);
        sq = multmodp(sq, sq);
    }
    return p;
}

static void shift_table_init(uint32_t t[4][256], size_t n) {
    uint32_t op = x8nmodp(n);
    for (int k = 0; k < 4; k++)
        for (uint32_t b = 0; b < 256; b++) t[k][b] = multmodp(op, b << (8 * k));
}

static void init(void) {
    for (uint32_t b = 0; b < 256; b++) {
        uint32_t c = b;
        for (int i = 0; i < 8; i++) c = c & 1 ? (c >> 1) ^ POLY : c >> 1;
        table[0][b] = c;
    }
    for (int k = 1; k < 8; k++)
        for (int b = 0; b < 256; b++)
            table[k][b] = (table[k - 1][b] >> 8) ^ table[0][table[k - 1][b] & 0xff];
    have_hw = kfk_crc32c_hw_probe();
    if (have_hw) {
        shift_table_init(kfk_crc32c_shift_long, KFK_CRC32C_LONG);
        shift_table_init(kfk_crc32c_shift_short, KFK_CRC32C_SHORT);
    }
}

static inline uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t sw_raw(uint32_t crc, const uint8_t *p, size_t n) {
    for (; n >= 8; p += 8, n -= 8) {
        uint32_t lo = crc ^ le32(p), hi = le32(p + 4);
        crc = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^ table[5][(lo >> 16) & 0xff] ^
              table[4][lo >> 24] ^ table[3][hi & 0xff] ^ table[2][(hi >> 8) & 0xff] ^
              table[1][(hi >> 16) & 0xff] ^ table[0][hi >> 24];
    }
    while (n--) crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return crc;
}

uint32_t kfk_crc32c(uint32_t crc, const void *data, size_t len) {
    pthread_once(&once, init);
    return have_hw ? ~kfk_crc32c_hw_raw(~crc, data, len) : ~sw_raw(~crc, data, len);
}

uint32_t kfk_crc32c_sw(uint32_t crc, const void *data, size_t len) {
    pthread_once(&once, init);
    return ~sw_raw(~crc, data, len);
}

uint32_t kfk_crc32c_hw(uint32_t crc, const void *data, size_t len) {
    pthread_once(&once, init);
    return ~kfk_crc32c_hw_raw(~crc, data, len);
}

int kfk_crc32c_hw_available(void) {
    pthread_once(&once, init);
    return have_hw;
}
