/* The version calls: a 2.x number that version checks accept, kfk's name. */
#include <librdkafka/rdkafka.h>

#include "test.h"

TEST(version_is_librdkafka_2) {
    CHECK(rd_kafka_version() == RD_KAFKA_VERSION);
    CHECK((rd_kafka_version() >> 24) == 2);
    CHECK(strstr(rd_kafka_version_str(), "kfk") != NULL);
}
