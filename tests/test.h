/* A minimal test harness: TEST(name) defines a case, CHECK* record failures
 * without stopping, REQUIRE* stop the case. main() runs every case (or those
 * named on the command line) and prints "N passed, N failed". */
#ifndef KFK_TEST_H
#define KFK_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

typedef void (*kfk_test_fn)(void);
void kfk_test_register(const char *name, kfk_test_fn fn);
void kfk_test_fail(const char *file, int line, const char *fmt, ...);
extern int kfk_test_case_failed;

#define TEST(name)                                                             \
    static void test_##name(void);                                             \
    __attribute__((constructor)) static void register_##name(void) {          \
        kfk_test_register(#name, test_##name);                                 \
    }                                                                          \
    static void test_##name(void)

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) kfk_test_fail(__FILE__, __LINE__, "%s", #cond);           \
    } while (0)
#define REQUIRE(cond)                                                          \
    do {                                                                       \
        if (!(cond)) {                                                         \
            kfk_test_fail(__FILE__, __LINE__, "%s", #cond);                    \
            return;                                                            \
        }                                                                      \
    } while (0)
#define CHECK_EQ(a, b)                                                         \
    do {                                                                       \
        long long a_ = (long long)(a), b_ = (long long)(b);                    \
        if (a_ != b_)                                                          \
            kfk_test_fail(__FILE__, __LINE__, "%s == %s (%lld != %lld)", #a, #b, a_, b_); \
    } while (0)
#define REQUIRE_EQ(a, b)                                                       \
    do {                                                                       \
        long long a_ = (long long)(a), b_ = (long long)(b);                    \
        if (a_ != b_) {                                                        \
            kfk_test_fail(__FILE__, __LINE__, "%s == %s (%lld != %lld)", #a, #b, a_, b_); \
            return;                                                            \
        }                                                                      \
    } while (0)
#define CHECK_MEM(a, b, n)                                                     \
    do {                                                                       \
        if (memcmp((a), (b), (n)) != 0)                                        \
            kfk_test_fail(__FILE__, __LINE__, "memcmp(%s, %s, %s)", #a, #b, #n); \
    } while (0)
#define CHECK_STR(a, b)                                                        \
    do {                                                                       \
        const char *a_ = (a), *b_ = (b);                                       \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                                 \
            kfk_test_fail(__FILE__, __LINE__, "%s == %s (\"%s\" != \"%s\")", #a, #b, \
                          a_ ? a_ : "(null)", b_ ? b_ : "(null)");             \
    } while (0)

#endif
