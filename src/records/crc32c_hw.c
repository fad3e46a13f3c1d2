/* CRC32C with the CPU's instructions: SSE4.2 on x86-64, the CRC extension on
 * ARMv8. The functions carry a target attribute so the library builds for
 * (and runs on) CPUs without them; crc32c.c asks kfk_crc32c_hw_probe first.
 *
 * The instruction has a latency of about three cycles but can start one per
 * cycle, so long buffers are cut into three blocks checksummed in
 * interleaved order and the three CRCs joined with shift tables. */
#include "records/crc32c_impl.h"

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <nmmintrin.h>
#define HW __attribute__((target("sse4.2")))
HW static inline uint32_t crc_u8(uint32_t crc, uint8_t b) { return _mm_crc32_u8(crc, b); }
HW static inline uint32_t crc_u64(uint32_t crc, uint64_t v) {
    return (uint32_t)_mm_crc32_u64(crc, v);
}
/* The register form: the instruction zeroes the upper half, so a loop that
 * keeps its CRCs in 64-bit registers spends no moves narrowing them. */
typedef uint64_t crc_reg;
HW static inline crc_reg crc_step(crc_reg crc, uint64_t v) { return _mm_crc32_u64(crc, v); }
int kfk_crc32c_hw_probe(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2");
}
#define HAVE_HW 1

#elif defined(__aarch64__) && defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#ifdef __clang__ /* whose <arm_acle.h> hides the intrinsics unless built with +crc */
#define HW __attribute__((target("crc")))
#define CRC32CB __builtin_arm_crc32cb
#define CRC32CD __builtin_arm_crc32cd
#else
#include <arm_acle.h>
#define HW __attribute__((target("+crc")))
#define CRC32CB __crc32cb
#define CRC32CD __crc32cd
#endif
HW static inline uint32_t crc_u8(uint32_t crc, uint8_t b) { return CRC32CB(crc, b); }
HW static inline uint32_t crc_u64(uint32_t crc, uint64_t v) { return CRC32CD(crc, v); }
typedef uint32_t crc_reg;
HW static inline crc_reg crc_step(crc_reg crc, uint64_t v) { return CRC32CD(crc, v); }
#if defined(__ARM_FEATURE_CRC32)
int kfk_crc32c_hw_probe(void) { return 1; }
#elif defined(__linux__)
#include <sys/auxv.h>
#define KFK_HWCAP_CRC32 (1ul << 7) /* HWCAP_CRC32 in <asm/hwcap.h> */
int kfk_crc32c_hw_probe(void) { return (getauxval(AT_HWCAP) & KFK_HWCAP_CRC32) != 0; }
#else
int kfk_crc32c_hw_probe(void) { return 0; }
#endif
#define HAVE_HW 1
#endif

#ifdef HAVE_HW
/* Both CPUs take the 64-bit operand little-endian, as it lies in memory. */
static inline uint64_t ld64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Consumes whole runs of three blocks of `block` bytes from *p. */
HW static inline uint32_t crc_3way(uint32_t crc, const uint8_t **pp, size_t *np, size_t block,
                                   const uint32_t shift[4][256]) {
    const uint8_t *p = *pp;
    size_t n = *np;
    for (; n >= 3 * block; n -= 3 * block, p += 2 * block) {
        crc_reg c0 = crc, c1 = 0, c2 = 0;
        /* Two words a block per turn (blocks are multiples of 16 bytes). */
        for (const uint8_t *end = p + block; p < end; p += 16) {
            c0 = crc_step(c0, ld64(p));
            c1 = crc_step(c1, ld64(p + block));
            c2 = crc_step(c2, ld64(p + 2 * block));
            c0 = crc_step(c0, ld64(p + 8));
            c1 = crc_step(c1, ld64(p + block + 8));
            c2 = crc_step(c2, ld64(p + 2 * block + 8));
        }
        crc = kfk_crc32c_shift(shift, (uint32_t)c0) ^ (uint32_t)c1;
        crc = kfk_crc32c_shift(shift, crc) ^ (uint32_t)c2;
    }
    *pp = p;
    *np = n;
    return crc;
}

HW uint32_t kfk_crc32c_hw_raw(uint32_t crc, const uint8_t *p, size_t n) {
    for (; n && ((uintptr_t)p & 7); n--) crc = crc_u8(crc, *p++);
    crc = crc_3way(crc, &p, &n, KFK_CRC32C_LONG, kfk_crc32c_shift_long);
    crc = crc_3way(crc, &p, &n, KFK_CRC32C_SHORT, kfk_crc32c_shift_short);
    for (; n >= 8; n -= 8, p += 8) crc = crc_u64(crc, ld64(p));
    for (; n; n--) crc = crc_u8(crc, *p++);
    return crc;
}

#else
/* No instructions on this CPU family: the probe says so, and this is never
 * called. */
int kfk_crc32c_hw_probe(void) { return 0; }
uint32_t kfk_crc32c_hw_raw(uint32_t crc, const uint8_t *p, size_t n) { return crc; }
#endif
