/* SASL extras: kfk authenticates on its I/O thread with the credentials
 * and token callback the client was created with; it has no separate SASL
 * queue and cannot change credentials of a running client. */
#include "rdk_int.h"

/* Accepted and ignored: SASL callbacks always run on kfk's I/O thread. */
void rd_kafka_conf_enable_sasl_queue(rd_kafka_conf_t *conf, int enable) {
    (void)conf, (void)enable;
}

/* As librdkafka answers when the SASL queue was not enabled. */
rd_kafka_queue_t *rd_kafka_queue_get_sasl(rd_kafka_t *rk) {
    (void)rk;
    return NULL;
}

rd_kafka_error_t *rd_kafka_sasl_background_callbacks_enable(rd_kafka_t *rk) {
    (void)rk;
    return rdk_error_new(RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED, 0, 0, 0,
                         "rd_kafka_sasl_background_callbacks_enable: kfk does not implement "
                         "SASL callbacks on a background thread");
}

rd_kafka_error_t *rd_kafka_sasl_set_credentials(rd_kafka_t *rk, const char *username,
                                                const char *password) {
    (void)rk, (void)username, (void)password;
    return rdk_error_new(RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED, 0, 0, 0,
                         "rd_kafka_sasl_set_credentials: kfk does not implement changing "
                         "the SASL credentials of a client; set sasl.username and "
                         "sasl.password before rd_kafka_new");
}
