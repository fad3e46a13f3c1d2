/* Shared by the portable (crc32c.c) and instruction-based (crc32c_hw.c)
 * CRC32C code. Both work on the raw register: no inversion in or out. */
#ifndef KFK_CRC32C_IMPL_H
#define KFK_CRC32C_IMPL_H

#include <stddef.h>
#include <stdint.h>

/* The hardware path checksums three blocks at once and joins their CRCs by
 * shifting with these tables: [k][b] is byte b at position k of the register
 * advanced over a block of zeros. */
#define KFK_CRC32C_LONG 8192
#define KFK_CRC32C_SHORT 256
extern uint32_t kfk_crc32c_shift_long[4][256];
extern uint32_t kfk_crc32c_shift_short[4][256];

static inline uint32_t kfk_crc32c_shift(const uint32_t table[4][256], uint32_t crc) {
    return table[0][crc & 0xff] ^ table[1][(crc >> 8) & 0xff] ^ table[2][(crc >> 16) & 0xff] ^
           table[3][crc >> 24];
}

/* 1 if this CPU has the instructions (called once, before any hw use). */
int kfk_crc32c_hw_probe(void);
uint32_t kfk_crc32c_hw_raw(uint32_t crc, const uint8_t *p, size_t n);

#endif
