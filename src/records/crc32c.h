/* CRC32C (Castagnoli), the checksum of RecordBatch v2. */
#ifndef KFK_CRC32C_H
#define KFK_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Extends crc (0 to start) with len bytes: kfk_crc32c(0, "123456789", 9) is
 * 0xE3069283, and kfk_crc32c(kfk_crc32c(0, a, n), b, m) is the CRC of a then
 * b. Uses the CPU's CRC32C instructions when it has them. Any thread. */
uint32_t kfk_crc32c(uint32_t crc, const void *data, size_t len);

/* The two implementations kfk_crc32c picks between, for tests and
 * benchmarks. kfk_crc32c_hw may run only when kfk_crc32c_hw_available(). */
uint32_t kfk_crc32c_sw(uint32_t crc, const void *data, size_t len);
uint32_t kfk_crc32c_hw(uint32_t crc, const void *data, size_t len);
int kfk_crc32c_hw_available(void);

#endif
