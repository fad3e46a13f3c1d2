/* The deprecated logger setter and librdkafka's built-in unit-test entry. */
#include "rdk_int.h"

static void log_nothing(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    (void)rk, (void)level, (void)fac, (void)buf;
}

/* rdk_log reads the handle's conf, so the callback takes effect at once.
 * NULL turns logging off, as in librdkafka (a NULL log_cb in the conf
 * means the default, stderr). */
void rd_kafka_set_logger(rd_kafka_t *rk, void (*func)(const rd_kafka_t *rk, int level,
                                                      const char *fac, const char *buf)) {
    rk->conf->log_cb = func ? func : log_nothing;
}

/* librdkafka's internal unit tests are not part of this library (kfk's run
 * under ctest), so none fail. */
int rd_kafka_unittest(void) { return 0; }
