/* kfk_version() and the KFK_VERSION_* macros say the same version. (CMake
 * reads the project version, hence the soname, from KFK_VERSION_STR, and
 * scripts/check-exports checks the soname.) */
#include <stdio.h>

#include "kfk.h"
#include "test.h"

TEST(string_matches_numbers) {
    char s[32];
    snprintf(s, sizeof s, "%d.%d.%d", KFK_VERSION_MAJOR, KFK_VERSION_MINOR, KFK_VERSION_PATCH);
    CHECK_STR(KFK_VERSION_STR, s);
    CHECK_STR(kfk_version(), KFK_VERSION_STR);
}

TEST(number_matches_parts) {
    CHECK_EQ(KFK_VERSION >> 16, KFK_VERSION_MAJOR);
    CHECK_EQ((KFK_VERSION >> 8) & 0xff, KFK_VERSION_MINOR);
    CHECK_EQ(KFK_VERSION & 0xff, KFK_VERSION_PATCH);
    CHECK(KFK_VERSION_MINOR < 256 && KFK_VERSION_PATCH < 256);
}

/* Programs compare it in #if. */
#if !defined(KFK_VERSION) || KFK_VERSION < 0x000100
#error "KFK_VERSION does not work in #if"
#endif
