#include <string.h>

#include "producer/partitioner.h"
#include "test.h"

/* Expected values from Kafka's UtilsTest.testMurmur2. */
TEST(murmur2_matches_java) {
    static const struct {
        const char *key;
        int32_t hash;
    } cases[] = {
        {"21", -973932308},
        {"foobar", -790332482},
        {"a-little-bit-long-string", -985981536},
        {"a-little-bit-longer-string", -1486304829},
        {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
        {"abc", 479470107},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_EQ(kfk_murmur2(cases[i].key, strlen(cases[i].key)), cases[i].hash);
}

TEST(partition_is_positive_hash_modulo) {
    /* toPositive(-790332482) = 1357151166; 1357151166 % 50 = 16 */
    CHECK_EQ(kfk_partition_for_key("foobar", 6, 50), 16);
    for (int n = 1; n < 100; n++) {
        int32_t p = kfk_partition_for_key("a-little-bit-long-string", 24, n);
        CHECK(p >= 0 && p < n);
    }
}
