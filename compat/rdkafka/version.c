/* Which librdkafka this is: the API level programs check, and kfk's name. */
#include "rdk_int.h"

int rd_kafka_version(void) { return RD_KAFKA_VERSION; }

const char *rd_kafka_version_str(void) { return "2.0.2-kfk-" KFK_VERSION_STR; }
